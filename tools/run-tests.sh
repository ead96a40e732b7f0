#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run-tests.sh: the whole test suite, from a fresh Debian 12 or Debian 13
# machine (root).
#
#  1. tools/setup.sh: packages, FRR source, build (./build);
#  2. `make check` in ./build: cmocka unit tests, conformance and simulator
#     tests, then the topotests (FRR's harness, real zebra + qspnd in
#     namespaces);
#  3. a one-minute libFuzzer run of each fuzz target;
#  4. all of it again with ASan + UBSan (./build-asan), qspnd included;
#  5. the other Debian release (Debian 12 <-> 13, FRR 8.4 <-> 10.3), from a
#     clean clone in a fresh root of that release (tools/suite-in-root.sh):
#     set-up, build, and the tests that need no root (QSPND_OTHER_RELEASE=full:
#     this whole script there, and then root B of the package test is of
#     that release: on FRR 10.3 not all of it passes yet);
#  6. tools/package-test.sh: the .debs and the SRPM built and linted, the
#     packages installed in fresh Debian roots under FRR's own service, and
#     the README's main command run from a clean clone in a fresh root;
#  7. one closing line: "N passed, N failed", the other release's included.
# Each stage prints the time it took.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build}
asan=${ASAN_BUILD_DIR:-$top/build-asan}
export PATH=/usr/sbin:/usr/bin:/sbin:/bin

"$top/tools/setup.sh" || { echo "run-tests.sh: setup failed" >&2; exit 1; }

status=0
t_stage=$(date +%s)
stage() {
	local now
	now=$(date +%s)
	[ -z "${stage_name:-}" ] || echo "== run-tests: $stage_name took $((now - t_stage)) s"
	stage_name=$1
	t_stage=$now
	[ -z "$1" ] || echo "== $1"
}
cd "$build"
stage "make check (unit, conformance, simulator, topotests)"
make -j"$(nproc)" check || status=1

stage "a short fuzzing run (libFuzzer, ASan + UBSan): the wire decoder and the engine"
make fuzz FUZZ_SECONDS=60 || status=1

stage "everything again under ASan + UBSan (qspnd included)"
frr_src=$(. "$build/frr-prep.env" && echo "$FRR_SRCDIR")
mkdir -p "$asan"
(
	cd "$asan" &&
		{ [ -f Makefile ] && [ "$top/configure" -ot config.status ] ||
			"$top/configure" --quiet --with-frr-source="$frr_src" \
				CFLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
				LDFLAGS="-fsanitize=address,undefined"; } &&
		make -j"$(nproc)" check
) || status=1
# The daemons' sanitizer reports: the topotest harness points ASan's
# log_path at <rundir>/<test>/<router>.<daemon>.asan.<pid> (only qspnd is
# built with sanitizers here; FRR's vtysh code, rebuilt for qspn-vtysh, leaks
# at exit by design and reports on its own stderr, which is not a daemon's).
reports=$(find "$asan/tests/topotests/run" -name '*.asan*' 2>/dev/null)
if [ -n "$reports" ]; then
	echo "run-tests.sh: sanitizer reports from the daemons in the topotests:" >&2
	echo "$reports" >&2
	status=1
fi

this=$(. /etc/os-release && echo "$VERSION_CODENAME")
case $this in bookworm) other=trixie ;; *) other=bookworm ;; esac
other_dir=$build/other-release
other_result=
peer=()
other_mode=${QSPND_OTHER_RELEASE:-noroot}
if [ "$other_mode" != no ]; then
	stage "the other Debian release: build and tests ($other_mode) in a fresh $other root (tools/suite-in-root.sh)"
	"$top/tools/suite-in-root.sh" "$other" "$other_dir" "$other_mode" || status=1
	other_result=$(cat "$other_dir/result" 2>/dev/null || echo "0 passed, 1 failed")
	if [ "$other_mode" = full ]; then
		peer=(PKGTEST_PEER_SUITE="$other" PKGTEST_PEER_DEBS="$other_dir/debs")
		peer_note=" (B: $other)"
	fi
fi

stage "the packages: build, lint, install and run under FRR's service in fresh roots${peer_note:-}; the main command in a fresh root"
pkg_results=$build/pkgtest/results
env PKGTEST_RESULTS="$pkg_results" ${peer[@]+"${peer[@]}"} "$top/tools/package-test.sh" || status=1
stage ""

# Count what ran: each automake test (.trs), or the cases inside it when it
# is a cmocka program (its .log has cmocka's closing lines); then pytest's
# junit report for the topotests.
passed=0
failed=0
while read -r trs; do
	log=${trs%.trs}.log
	res=$(sed -n 's/^:test-result: //p' "$trs" | head -n1)
	cp=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" 2>/dev/null | awk '{s+=$1} END {print s+0}')
	cf=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" 2>/dev/null | awk '{s+=$1} END {print s+0}')
	if [ "$((cp + cf))" -gt 0 ]; then
		passed=$((passed + cp))
		failed=$((failed + cf))
		case "$res" in PASS) ;; *) [ "$cf" -gt 0 ] || failed=$((failed + 1)) ;; esac
	else
		case "$res" in
		PASS) passed=$((passed + 1)) ;;
		*) failed=$((failed + 1)) ;;
		esac
	fi
done < <(find "$build" "$asan" -name '*.trs' 2>/dev/null)
for xml in "$build/tests/topotests/run/topotests.xml" \
	"$asan/tests/topotests/run/topotests.xml"; do
if [ -f "$xml" ]; then
	read -r tp tf < <(/usr/bin/python3 - "$xml" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
t = sum(int(s.get("tests", 0)) for s in suites)
bad = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) + int(s.get("skipped", 0)) for s in suites)
print(t - bad, bad)
PY
)
	passed=$((passed + tp))
	failed=$((failed + tf))
else
	echo "run-tests.sh: the topotests produced no report ($xml)" >&2
	failed=$((failed + 1))
fi
done
# the package test's checks, one line each
if [ -f "$pkg_results" ]; then
	passed=$((passed + $(grep -c '^PASS' "$pkg_results")))
	failed=$((failed + $(grep -c '^FAIL' "$pkg_results")))
else
	echo "run-tests.sh: the package test produced no results ($pkg_results)" >&2
	failed=$((failed + 1))
fi
# the other release's run, as its own closing line said
if [ -n "$other_result" ]; then
	echo "run-tests.sh: $other: $other_result"
	passed=$((passed + $(echo "$other_result" | sed -n 's/^\([0-9]*\) passed.*/\1/p')))
	failed=$((failed + $(echo "$other_result" | sed -n 's/.* \([0-9]*\) failed$/\1/p')))
fi
if [ "$passed" -eq 0 ]; then
	echo "run-tests.sh: no test ran" >&2
	status=1
fi
[ "$failed" -eq 0 ] || status=1
echo "$passed passed, $failed failed"
exit $status
