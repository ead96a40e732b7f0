#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# qspn-frr-reload.sh IN OUT: FRR's frr-reload.py of the installed version,
# taught that `router qspn` opens a block (a context keyword, like
# `router babel`) and that qspnd is a daemon (`--daemon qspnd`, next to
# eigrpd).  FRR 8.4 keeps its keywords in a function and FRR 10.3 at module
# level, with other indentation: each line is inserted after its anchor with
# the anchor's own indentation, and each anchor must match exactly once, or
# the build fails rather than install a script that does not know qspnd.
set -eu
[ $# -eq 2 ] || { echo "usage: $0 frr-reload.py out" >&2; exit 2; }
in=$1
out=$2
awk '
/^[ \t]*"router babel": \{\},[ \t]*$/ {
	print
	sub(/"router babel".*/, "")
	print $0 "\"router qspn\": {},"
	babel++
	next
}
/^[ \t]*"eigrpd",[ \t]*$/ {
	print
	sub(/"eigrpd".*/, "")
	print $0 "\"qspnd\","
	eigrp++
	next
}
{ print }
END {
	if (babel != 1 || eigrp != 1) {
		printf "qspn-frr-reload.sh: %s: anchors \"router babel\" x%d, \"eigrpd\" x%d (want 1 each)\n", FILENAME, babel, eigrp > "/dev/stderr"
		exit 1
	}
}' "$in" >"$out.tmp"
chmod 755 "$out.tmp"
mv "$out.tmp" "$out"
