#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# suite-in-root.sh SUITE OUTDIR [noroot|check|full]: the test suite on the other
# Debian release, from nothing: a fresh minbase root of SUITE (bookworm:
# FRR 8.4, trixie: FRR 10.3) made by mmdebstrap from Debian's archive, a
# clean clone of this repository's HEAD in it, and there (tools/in-root.sh):
#   noroot (the default): tools/setup.sh (it installs everything, FRR from
#          that release's frr package included, and builds qspnd and the
#          qspn-aware vtysh against it), then `make check-noroot` (unit,
#          conformance, simulator, layer check, YANG lint);
#   check: tools/setup.sh, then `make check`: the same and the topotests, on
#          that release's FRR and with its own topotest harness;
#   full:  the README's test command, tools/run-tests.sh (topotests, fuzz,
#          ASan, packages).  On FRR 10.3 the topotests do not all pass yet
#          (README, "What does not work yet").
#
# Leaves in OUTDIR: run-tests.log (the inner run's whole output), result
# (its closing "N passed, N failed" line) and debs/ (the qspnd packages it
# built and tested, for the mixed-release package test).  Exits as the inner
# run does.  Root only; the root itself is removed at the end.
set -uo pipefail

suite=${1:?usage: suite-in-root.sh SUITE OUTDIR [noroot|check|full]}
out=${2:?usage: suite-in-root.sh SUITE OUTDIR [noroot|check|full]}
mode=${3:-noroot}
top=$(cd "$(dirname "$0")/.." && pwd)
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export LC_ALL=C.UTF-8

[ "$(id -u)" = 0 ] || { echo "suite-in-root.sh: run as root" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)
root="$out/root"
cleanup() { rm -rf --one-file-system "$root"; }
trap cleanup EXIT

t=$(date +%s)
if ! mmdebstrap --quiet --variant=minbase --include=git,ca-certificates \
	"$suite" "$root" \
	"deb http://deb.debian.org/debian $suite main" \
	"deb http://deb.debian.org/debian $suite-updates main" \
	"deb http://deb.debian.org/debian-security $suite-security main"; then
	echo "suite-in-root.sh: mmdebstrap $suite failed" >&2
	echo "0 passed, 1 failed" >"$out/result"
	exit 1
fi
git clone -q "$top" "$root/root/qspnd"
# no init system in the root: maintainer scripts must not start FRR's service
# (in the host's network)
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
echo "== suite-in-root: a fresh $suite root with a clean clone ($(($(date +%s) - t)) s)"

case $mode in
check)
	# set-up, then `make check` (noroot tests and the topotests, on that
	# release's FRR and its topotest harness); counted like run-tests.sh
	# does: automake's summary plus pytest's junit report
	inner='cd /root/qspnd && tools/setup.sh && cd build &&
		{ make check; st=$?; } ;
		p=$(sed -n "s/^# PASS: *//p" test-suite.log | head -n1) ;
		f=$(sed -n "s/^# \(FAIL\|ERROR\|XPASS\|SKIP\): *//p" test-suite.log | awk "{s+=\$1} END {print s+0}") ;
		read -r tp tf < <(python3 -c "
import sys, xml.etree.ElementTree as ET
try:
    r = ET.parse(\"tests/topotests/run/topotests.xml\").getroot()
except Exception:
    print(0, 1); sys.exit()
ss = [r] if r.tag == \"testsuite\" else r.findall(\"testsuite\")
t = sum(int(x.get(\"tests\", 0)) for x in ss)
b = sum(int(x.get(\"failures\", 0)) + int(x.get(\"errors\", 0)) + int(x.get(\"skipped\", 0)) for x in ss)
print(t - b, b)") ;
		echo "$(( ${p:-0} + tp )) passed, $(( ${f:-0} + tf )) failed" && exit $st'
	;;
full)
	# QSPND_OTHER_RELEASE=no: the inner run starts no other release
	inner='cd /root/qspnd && QSPND_OTHER_RELEASE=no tools/run-tests.sh'
	;;
noroot)
	# the closing line counted like run-tests.sh does, from automake's
	# summary
	inner='cd /root/qspnd && tools/setup.sh && cd build &&
		{ make check-noroot; st=$?; } &&
		p=$(sed -n "s/^# PASS: *//p" test-suite.log | head -n1) &&
		f=$(sed -n "s/^# \(FAIL\|ERROR\|XPASS\|SKIP\): *//p" test-suite.log | awk "{s+=\$1} END {print s+0}") &&
		echo "${p:-0} passed, ${f:-0} failed" && exit $st'
	;;
*)
	echo "suite-in-root.sh: mode is noroot, check or full, not '$mode'" >&2
	exit 2
	;;
esac
"$top/tools/in-root.sh" "$root" /bin/bash -c "$inner" \
	2>&1 | tee "$out/run-tests.log" | sed "s/^/[$suite] /"
status=${PIPESTATUS[0]}
tail -n 1 "$out/run-tests.log" | grep -E '^[0-9]+ passed, [0-9]+ failed$' >"$out/result" ||
	echo "0 passed, 1 failed" >"$out/result"
mkdir -p "$out/debs"
cp "$root"/root/qspnd/build/pkgtest/pkg/*.deb "$out/debs/" 2>/dev/null || true
echo "== suite-in-root: $suite: $(cat "$out/result") (exit $status)"
exit "$status"
