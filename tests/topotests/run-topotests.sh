#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Run qspnd's topotests with FRR's harness (from the FRR source tree), the
# installed FRR daemons, and the qspnd and qspn-aware vtysh of a build tree.
#
# Usage: run-topotests.sh BUILDDIR FRR_SRCDIR FRR_SBINDIR [pytest args...]
set -eu

builddir=$(cd "$1" && pwd)
frr_src=$(cd "$2" && pwd)
frr_sbindir=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)

if [ "$(id -u)" != 0 ]; then
	echo "run-topotests.sh: the topotests need root (network namespaces); run make check as root" >&2
	exit 1
fi
for f in "$builddir/qspnd/qspnd" "$builddir/vtysh/qspn-vtysh" "$frr_sbindir/zebra"; do
	[ -x "$f" ] || { echo "run-topotests.sh: missing $f" >&2; exit 1; }
done
# One run at a time on a machine: the harness creates its switches (bridges)
# in the root namespace under fixed names.
mkdir -p /run/lock
exec 9>/run/lock/qspnd-topotests.lock
if ! flock -n 9; then
	echo "run-topotests.sh: another topotest run is in progress; waiting" >&2
	flock 9
fi

python=/usr/bin/python3
"$python" -c 'import pytest, xmltodict' || {
	echo "run-topotests.sh: $python needs pytest and xmltodict (python3-pytest, python3-xmltodict)" >&2
	exit 1
}

# The daemons the harness starts: the installed FRR's plus the qspnd under
# test; and the qspn-aware vtysh as `vtysh`.
overlay="$builddir/tests/topotests/frrbin"
bindir="$builddir/tests/topotests/bin"
rm -rf "$overlay" "$bindir"
mkdir -p "$overlay" "$bindir"
for f in "$frr_sbindir"/*; do
	ln -s "$f" "$overlay/$(basename "$f")"
done
ln -sf "$builddir/qspnd/qspnd" "$overlay/qspnd"
ln -s "$builddir/vtysh/qspn-vtysh" "$bindir/vtysh"

rundir="$builddir/tests/topotests/run"
rm -rf "$rundir"
mkdir -p "$rundir"

cd "$here"
export QSPN_FRR_TOPOTESTS="$frr_src/tests/topotests"
export QSPN_FRRDIR="$overlay"
export PATH="$bindir:/usr/sbin:/usr/bin:/sbin:/bin"
export PYTHONDONTWRITEBYTECODE=1
# The harness points ASan's log_path at its log directory, but not UBSan's:
# a daemon's UBSan report would go to its stderr, closed once it daemonizes,
# and the daemon would vanish without a word.  Reports land in the run
# directory as qspn.ubsan.asan.<pid>, where run-tests.sh looks for them.
export UBSAN_OPTIONS="print_stacktrace=1:log_path=$rundir/qspn.ubsan.asan"
exec "$python" -m pytest -p no:cacheprovider --rundir="$rundir" -v "$@"
