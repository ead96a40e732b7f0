#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# package-test.sh: qspnd as a user gets it, in fresh Debian 12 roots made by
# mmdebstrap from Debian's archive (doc/packaging.md, "How CI tests it").
#
#   tools/package-test.sh [--no-lab]      (after tools/setup.sh; root)
#
# The roots are of this machine's Debian release (bookworm: FRR 8.4,
# trixie: FRR 10.3).  With PKGTEST_PEER_SUITE=trixie and PKGTEST_PEER_DEBS=DIR
# (qspnd's .debs built on that release), root B is a fresh root of that
# release with those packages instead of a copy of A: the two qspnd, on two
# FRR releases, form an arc, exchange ETPs and route between their addresses.
#
#  1. tools/build-packages.sh: .debs, lintian, SRPM, rpmlint;
#  2. one fresh root with frr and frr-pythontools, the .debs installed into it
#     by apt; copied to two roots, A and B, each in its own network, mount,
#     PID and UTS namespaces (no systemd), joined by a veth pair whose ends
#     are up before FRR starts;
#     A: integrated frr.conf with `router qspn`, an interface and a staticd
#        route; B: FRR's split configuration (/etc/frr/qspnd.conf);
#     `qspnd=yes`, `frrinit.sh start`, then every check of issue 16 item 4;
#  3. the README's main command, tools/lab.sh, from a clean clone of this
#     repository inside another fresh root (nothing preinstalled but what
#     mmdebstrap's minbase has, and git to clone).
#
# Every check prints one line "PASS: name" or "FAIL: name" (also appended to
# $PKGTEST_RESULTS, counted by tools/run-tests.sh); each stage prints its
# time.  Exits non-zero if a check failed.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build}
work=${PKGTEST_DIR:-$build/pkgtest}
results=${PKGTEST_RESULTS:-$work/results}
suite=$(. /etc/os-release && echo "$VERSION_CODENAME")
peer_suite=${PKGTEST_PEER_SUITE:-}
peer_debs=${PKGTEST_PEER_DEBS:-}
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export LC_ALL=C.UTF-8
run_lab=yes
[ "${1:-}" = --no-lab ] && run_lab=no

mirrors_of() {
	echo "deb http://deb.debian.org/debian $1 main"
	echo "deb http://deb.debian.org/debian $1-updates main"
	echo "deb http://deb.debian.org/debian-security $1-security main"
}
mapfile -t mirrors < <(mirrors_of "$suite")
case $suite in
bookworm | trixie) ;;
*)
	echo "package-test.sh: Debian 12 or 13 is needed, this is '$suite'" >&2
	exit 1
	;;
esac
if [ -n "$peer_suite" ] && ! ls "$peer_debs"/qspnd_*.deb >/dev/null 2>&1; then
	echo "package-test.sh: PKGTEST_PEER_SUITE=$peer_suite but no qspnd .deb in '$peer_debs'" >&2
	exit 1
fi

[ "$(id -u)" = 0 ] || {
	echo "package-test.sh: run as root" >&2
	exit 1
}

rm -rf "$work"
mkdir -p "$work"
: >"$results"
nfail=0
t_stage=$(date +%s)
stage() {
	local now
	now=$(date +%s)
	echo "== package-test: $* (previous stage: $((now - t_stage)) s)"
	t_stage=$now
}
pass() { echo "PASS: $*" | tee -a "$results"; }
fail() {
	echo "FAIL: $*" | tee -a "$results"
	nfail=$((nfail + 1))
}
# check NAME CMD...: PASS when CMD succeeds; its output is shown on failure
check() {
	local name=$1 outf
	shift
	outf=$(mktemp)
	if "$@" >"$outf" 2>&1; then
		pass "$name"
	else
		fail "$name"
		sed 's/^/    | /' "$outf" | tail -n 40
	fi
	rm -f "$outf"
}
# eventually SECONDS CMD...: CMD succeeds within SECONDS (polled each second)
eventually() {
	local n=$1 i
	shift
	for ((i = 0; i < n; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 1
	done
	"$@"
}

# ---- roots and their namespaces -------------------------------------------
declare -A holder

# root_start NAME DIR [host]: a process chrooted in DIR, pid 1 of its own PID
# namespace (a perl loop that reaps the orphans, as an init does: FRR's
# daemons fork away from frrinit.sh, and frrcommon.sh's stop waits until
# their pids are gone, which a zombie never is), in a mount namespace with /proc, /sys, /dev and a fresh /run;
# in network namespace NAME (created), or in the host's with "host".
root_start() {
	local name=$1 dir=$2 net=${3:-}
	local -a pre=()
	if [ "$net" != host ]; then
		[ -e "/run/netns/$name" ] || ip netns add "$name"
		ip -n "$name" link set lo up
		pre=(ip netns exec "$name")
	fi
	"${pre[@]}" unshare --mount --pid --uts --fork --propagation private \
		/bin/sh -c '
		r=$1
		# the root a mount point of its own, as / is: `ip netns add`
		# (the lab) makes / an rslave mount, which needs one
		mount --bind "$r" "$r"
		mount --rbind /dev "$r/dev"
		mount -t proc proc "$r/proc"
		mount -t sysfs sysfs "$r/sys"
		mount -t tmpfs -o mode=755 tmpfs "$r/run"
		mkdir -p "$r/run/lock" "$r/run/netns"
		hostname "$2"
		exec chroot "$r" /usr/bin/perl -e "\$0 = q(pkgtest-init); while (1) { sleep 1 if wait() == -1 }"' sh "$dir" "$name" &
	local outer=$! i pid= p
	# ready when the child of unshare runs chrooted in DIR: until then its
	# root is the host's, and a command entered there would run on the host
	for ((i = 0; i < 100; i++)); do
		p=$(pgrep -P "$outer" || true)
		if [ -n "$p" ] && [ "$(readlink "/proc/$p/root")" = "$(readlink -f "$dir")" ] &&
			grep -q pkgtest-init "/proc/$p/cmdline" 2>/dev/null; then
			pid=$p
			break
		fi
		sleep 0.1
	done
	[ -n "$pid" ] || {
		echo "package-test.sh: root $name did not start" >&2
		return 1
	}
	holder[$name]=$pid
}

# in NAME CMD: run the shell command CMD inside root NAME, as root
inr() {
	local name=$1
	shift
	# never on the host: the holder must be chrooted
	[ -n "${holder[$name]:-}" ] && [ "$(readlink "/proc/${holder[$name]}/root")" != / ] || {
		echo "package-test.sh: root $name is not running chrooted" >&2
		return 1
	}
	nsenter -t "${holder[$name]}" -m -u -p -n -r -w \
		/usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		LC_ALL=C.UTF-8 /bin/bash -c "$*"
}

root_stop() {
	local name=$1
	[ -n "${holder[$name]:-}" ] && kill -9 "${holder[$name]}" 2>/dev/null
	unset "holder[$name]"
	ip netns del "$name" 2>/dev/null || true
}

cleanup() {
	local n
	for n in "${!holder[@]}"; do root_stop "$n"; done
	ip netns del qpkg-a 2>/dev/null
	ip netns del qpkg-b 2>/dev/null
	# the roots' mounts were private to their namespaces: gone with them
	[ -n "${KEEP_ROOTS:-}" ] || rm -rf --one-file-system "$work/root-a" "$work/root-b" "$work/root-lab"
}
trap cleanup EXIT

# ---- 1. the packages --------------------------------------------------------
stage "1. build the packages, lint them"
# PKGTEST_REUSE=DIR: take the packages already built in DIR (for iterating
# on this script; CI always builds them)
if [ -n "${PKGTEST_REUSE:-}" ]; then
	mkdir -p "$work/pkg" && cp "$PKGTEST_REUSE"/*.deb "$work/pkg/" &&
		echo "   (packages reused from $PKGTEST_REUSE, not built)"
elif "$top/tools/build-packages.sh" "$work/pkg"; then
	pass "packages: .debs, source package and SRPM built; lintian and rpmlint clean"
else
	fail "packages: build or lint"
	exit 1
fi
debs=("$work"/pkg/qspnd_*_amd64.deb "$work"/pkg/qspn-tools_*_amd64.deb)

# ---- 2. a fresh root with the packages ---------------------------------------
# installed_root NAME DIR SUITE DEB...: a fresh root of SUITE in DIR with frr,
# frr-pythontools, then the .debs installed by apt, as a user does
installed_root() {
	local name=$1 dir=$2 rsuite=$3 base
	shift 3
	local -a rmirrors
	mapfile -t rmirrors < <(mirrors_of "$rsuite")
	base="$work/root-base-$name.tar"
	if ! mmdebstrap --quiet --variant=apt \
		--include=frr,frr-pythontools,iproute2,procps,iputils-ping \
		"$rsuite" "$base" "${rmirrors[@]}"; then
		fail "mmdebstrap: a fresh $rsuite root"
		return 1
	fi
	mkdir -p "$dir"
	tar -C "$dir" -xf "$base"
	rm -f "$base"
	mkdir -p "$dir/tmp/debs"
	cp "$@" "$dir/tmp/debs/"
	# in the host's network (apt reaches Debian's archive), with no service
	# started by a maintainer script (policy-rc.d, for the time of the install)
	root_start "$name" "$dir" host
	inr "$name" 'dpkg-query -W frr' | sed 's/^/   /'
	printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d"
	chmod 755 "$dir/usr/sbin/policy-rc.d"
	# the user's steps: apt update, apt install ./qspnd_*.deb
	check "$name ($rsuite): apt installs qspnd and qspn-tools with their dependencies" \
		inr "$name" 'apt-get update -q && apt-get install -y -q /tmp/debs/*.deb'
	rm -f "$dir/usr/sbin/policy-rc.d"
	check "$name ($rsuite): the diversions of frr's vtysh and frrcommon.sh are in place" \
		inr "$name" 'dpkg-divert --list qspnd | sort; [ "$(dpkg-divert --list qspnd | wc -l)" = 2 ] &&
			[ -x /usr/bin/vtysh.frr ] && [ -f /usr/lib/frr/frrcommon.sh.frr ] &&
			dpkg-divert --truename /usr/bin/vtysh | grep -qx /usr/bin/vtysh.frr &&
			/usr/bin/vtysh --help >/dev/null'
	inr "$name" 'rm -rf /tmp/debs'
	root_stop "$name"
}

if [ -n "$peer_suite" ]; then
	stage "2. fresh roots (mmdebstrap, Debian's archive): A $suite, B $peer_suite; frr, frr-pythontools, then qspnd by apt"
else
	stage "2. a fresh $suite root (mmdebstrap, Debian's archive): frr, frr-pythontools, then qspnd by apt"
fi
installed_root qpkg-a "$work/root-a" "$suite" "${debs[@]}" || exit 1
if [ -n "$peer_suite" ]; then
	installed_root qpkg-b "$work/root-b" "$peer_suite" \
		"$peer_debs"/qspnd_*_amd64.deb "$peer_debs"/qspn-tools_*_amd64.deb || exit 1
else
	# B is a copy of A's installed root
	cp -a "$work/root-a" "$work/root-b"
fi

# ---- 3. FRR's service with qspnd ---------------------------------------------
stage "3. FRR's service with qspnd: A integrated frr.conf, B split qspnd.conf"
# eth1 of A and B, one veth pair, up before FRR starts (the case a daemon
# configured from a file used to miss)
for n in qpkg-a qpkg-b; do ip netns add "$n"; done
ip link add eth1 netns qpkg-a type veth peer name eth1 netns qpkg-b
for n in qpkg-a qpkg-b; do ip -n "$n" link set eth1 up; done
root_start qpkg-a "$work/root-a"
root_start qpkg-b "$work/root-b"
for n in qpkg-a qpkg-b; do
	echo "   $n: $(inr "$n" '. /etc/os-release; echo "Debian $VERSION_ID:"; dpkg-query -W frr qspnd' 2>&1 | tr '\n\t' '  ')"
done
if [ -n "$peer_suite" ]; then
	frr_a=$(inr qpkg-a "dpkg-query -W -f='\${Version}' frr")
	frr_b=$(inr qpkg-b "dpkg-query -W -f='\${Version}' frr")
	check "mixed FRR releases: A runs frr $frr_a, B frr $frr_b" [ "${frr_a%%.*}" != "${frr_b%%.*}" ]
fi

# A: Debian's default, the integrated frr.conf, with a staticd route beside
inr qpkg-a 'echo qspnd=yes >>/etc/frr/daemons
cat >>/etc/frr/frr.conf <<EOC
log file /var/log/frr/frr.log
ip route 192.0.2.0/24 blackhole
!
interface eth1
 qspn
exit
!
router qspn
 topology 4.2.2.2
 address 3.0.1.0
exit
EOC'
# B: FRR's split configuration, each daemon its own file, qspnd reading
# /etc/frr/qspnd.conf when it starts
inr qpkg-b 'echo qspnd=yes >>/etc/frr/daemons
echo "no service integrated-vtysh-config" >/etc/frr/vtysh.conf
rm -f /etc/frr/frr.conf
echo "log file /var/log/frr/zebra.log" >/etc/frr/zebra.conf
echo "ip route 192.0.2.0/24 blackhole" >/etc/frr/staticd.conf
cat >/etc/frr/qspnd.conf <<EOC
log file /var/log/frr/qspnd.log
interface eth1
 qspn
exit
!
router qspn
 topology 4.2.2.2
 address 3.0.1.1
exit
EOC
chown frr:frr /etc/frr/*.conf; chmod 640 /etc/frr/*.conf'

for n in qpkg-a qpkg-b; do
	check "$n: frrinit.sh start" inr "$n" /usr/lib/frr/frrinit.sh start
done

qspnd_up() { inr "$1" 'vtysh -c "show watchfrr"' | grep -Eq '^ +qspnd +Up'; }
qspnd_pid() { inr "$1" 'cat /var/run/frr/qspnd.pid 2>/dev/null'; }
vtysh_json() { # root, command, python expression on j (vals(key): every
	# value of that key anywhere in j)
	inr "$1" "vtysh -c '$2'" | python3 -c "
import json, sys
j = json.load(sys.stdin)
def vals(k, o=()):
    o = j if o == () else o
    if isinstance(o, dict):
        for kk, v in o.items():
            if kk == k:
                yield v
            yield from vals(k, v)
    elif isinstance(o, list):
        for v in o:
            yield from vals(k, v)
sys.exit(0 if ($3) else 1)"
}
runconf() { inr "$1" 'vtysh -c "show running-config"'; }

for n in qpkg-a qpkg-b; do
	check "$n: watchfrr supervises qspnd (show watchfrr: Up)" eventually 30 qspnd_up "$n"
	check "$n: vtysh answers show qspn summary json" \
		vtysh_json "$n" "show qspn summary json" "isinstance(j, dict) and len(j) > 0"
done
# has_conf TEXT-CMD PATTERN: the text's lines, joined by |, match PATTERN
has_conf() { "${@:1:$#-1}" | tr '\n' '|' | grep -Eq -- "${!#}"; }
check "qpkg-a: show running-config has router qspn and eth1's qspn" \
	has_conf runconf qpkg-a '\|interface eth1\| qspn\|exit\|.*\|router qspn\| topology 4\.2\.2\.2\| address 3\.0\.1\.0\|exit\|'
check "qpkg-b: show running-config has router qspn and eth1's qspn" \
	has_conf runconf qpkg-b '\|interface eth1\| qspn\|exit\|.*\|router qspn\| topology 4\.2\.2\.2\| address 3\.0\.1\.1\|exit\|'

# The two qspnd, each started with its configuration on an interface that
# was already up, find each other; routes go through zebra; ping.
nbr_up() { vtysh_json "$1" "show qspn neighbors json" "'up' in vals('state')"; }
check "qpkg-b (split, qspnd.conf read at start): hellos go out on the already-up eth1" \
	eventually 20 vtysh_json qpkg-b "show qspn summary json" \
	"j['interfaces']['eth1']['running'] and j['counters']['hellosOut'] > 0"
check "qpkg-a sees qpkg-b as a neighbour (up)" eventually 60 nbr_up qpkg-a
check "qpkg-b sees qpkg-a as a neighbour (up)" eventually 60 nbr_up qpkg-b
zroute() { inr "$1" "ip -4 route show table all proto zebra" | grep -q "^$2 "; }
check "qpkg-a: zebra installed the route to qpkg-b's address 10.0.0.27" \
	eventually 60 zroute qpkg-a 10.0.0.27
check "qpkg-b: zebra installed the route to qpkg-a's address 10.0.0.26" \
	eventually 60 zroute qpkg-b 10.0.0.26
check "ping between the global addresses (10.0.0.26 -> 10.0.0.27)" \
	eventually 30 inr qpkg-a 'ping -c 1 -W 1 -I 10.0.0.26 10.0.0.27'
check "ping between the global addresses (10.0.0.27 -> 10.0.0.26)" \
	inr qpkg-b 'ping -c 2 -W 1 -I 10.0.0.27 10.0.0.26'

# ---- watchfrr restarts a killed qspnd ------------------------------------------
pid0=$(qspnd_pid qpkg-a)
restarted() {
	local p
	p=$(qspnd_pid qpkg-a)
	[ -n "$p" ] && [ "$p" != "$pid0" ] && inr qpkg-a "kill -0 $p" && qspnd_up qpkg-a
}
inr qpkg-a "kill -9 $pid0"
check "qpkg-a: watchfrr restarts qspnd killed with SIGKILL" eventually 90 restarted
check "qpkg-a: the restarted qspnd has its configuration again (vtysh -b -d qspnd)" \
	eventually 20 has_conf runconf qpkg-a '\|router qspn\| topology 4\.2\.2\.2\| address 3\.0\.1\.0\|'
check "qpkg-a: the restarted qspnd has its neighbour again" eventually 60 nbr_up qpkg-a

# ---- write memory -------------------------------------------------------------
file_has() { inr "$1" "cat $2" | tr '\n' '|' | grep -Eq -- "$3"; }
check "qpkg-a: write memory (integrated, through watchfrr's vtysh -w)" \
	inr qpkg-a 'vtysh -c "write memory"'
check "qpkg-a: frr.conf keeps router qspn, eth1's qspn and the staticd route" \
	eval 'file_has qpkg-a /etc/frr/frr.conf "\|router qspn\| topology 4\.2\.2\.2\| address 3\.0\.1\.0\|exit\|" &&
	file_has qpkg-a /etc/frr/frr.conf "\|interface eth1\| qspn\|exit\|" &&
	file_has qpkg-a /etc/frr/frr.conf "\|ip route 192\.0\.2\.0/24 blackhole\|"'
check "qpkg-b: write memory (split: each daemon writes its own file)" \
	inr qpkg-b 'vtysh -c "write memory"'
check "qpkg-b: qspnd.conf keeps router qspn and eth1's qspn; staticd.conf its route" \
	eval 'file_has qpkg-b /etc/frr/qspnd.conf "\|router qspn\| topology 4\.2\.2\.2\| address 3\.0\.1\.1\|exit\|" &&
	file_has qpkg-b /etc/frr/qspnd.conf "\|interface eth1\| qspn\|exit\|" &&
	file_has qpkg-b /etc/frr/staticd.conf "\|ip route 192\.0\.2\.0/24 blackhole\|"'

# ---- reload: exactly the change of frr.conf -----------------------------------
# conf_delta BEFORE AFTER ADDED REMOVED: the running-config lines (without "!")
# gained and lost between two snapshots are exactly ADDED and REMOVED
# ("|"-separated, order free)
conf_delta() {
	python3 - "$1" "$2" "$3" "$4" <<'PY'
import sys
from collections import Counter
def lines(path):
    return Counter(l.rstrip() for l in open(path) if l.strip() not in ("!", "") and not l.startswith("Building") and not l.startswith("Current configuration"))
a, b = lines(sys.argv[1]), lines(sys.argv[2])
want_add = Counter(x for x in sys.argv[3].split("|") if x)
want_del = Counter(x for x in sys.argv[4].split("|") if x)
add, rem = b - a, a - b
ok = add == want_add and rem == want_del
print("added:", dict(add), "removed:", dict(rem))
print("wanted added:", dict(want_add), "removed:", dict(want_del))
sys.exit(0 if ok else 1)
PY
}
# reload_step NAME EDIT ADDED REMOVED: edit frr.conf in A (a python snippet on
# the text t), frrinit.sh reload, then the running-config changed by exactly
# ADDED/REMOVED, with qspnd and staticd still the same processes
reload_step() {
	local name=$1 edit=$2 added=$3 removed=$4 p0 s0
	runconf qpkg-a >"$work/rc.before"
	p0=$(qspnd_pid qpkg-a)
	s0=$(inr qpkg-a 'cat /var/run/frr/staticd.pid')
	inr qpkg-a "python3 -c '
t = open(\"/etc/frr/frr.conf\").read()
$edit
open(\"/etc/frr/frr.conf\", \"w\").write(t)'" || return 1
	inr qpkg-a '/usr/lib/frr/frrinit.sh reload' || return 1
	sleep 2
	runconf qpkg-a >"$work/rc.after"
	conf_delta "$work/rc.before" "$work/rc.after" "$added" "$removed" || return 1
	[ "$(qspnd_pid qpkg-a)" = "$p0" ] || { echo "qspnd was restarted"; return 1; }
	[ "$(inr qpkg-a 'cat /var/run/frr/staticd.pid')" = "$s0" ] || { echo "staticd was restarted"; return 1; }
}
check "reload: max-paths 3, eth1 qspn cost 1500, a second staticd route" \
	reload_step 1 't = t.replace(" address 3.0.1.0\n", " address 3.0.1.0\n max-paths 3\n").replace("interface eth1\n qspn\n", "interface eth1\n qspn\n qspn cost 1500\n").replace("ip route 192.0.2.0/24 blackhole\n", "ip route 192.0.2.0/24 blackhole\nip route 198.51.100.0/24 blackhole\n")' \
	' max-paths 3| qspn cost 1500|ip route 198.51.100.0/24 blackhole' ''
check "reload: the staticd route is in zebra's table" \
	inr qpkg-a 'vtysh -c "show ip route 198.51.100.0/24" | grep -q "static"'
check "reload: show qspn summary json has maxPaths 3 and eth1's cost 1500" \
	vtysh_json qpkg-a "show qspn summary json" "j['maxPaths'] == 3 and j['interfaces']['eth1']['cost'] == 1500"
check "reload: eth1's qspn cost and the second staticd route removed" \
	reload_step 2 't = t.replace(" qspn cost 1500\n", "").replace("ip route 198.51.100.0/24 blackhole\n", "")' \
	'' ' qspn cost 1500|ip route 198.51.100.0/24 blackhole'
check "reload: max-paths 3 back to the default" \
	reload_step 3 't = t.replace(" max-paths 3\n", "")' '' ' max-paths 3'
check "reload: router qspn removed (no router qspn)" \
	reload_step 4 'import re; t = re.sub(r"router qspn\n(?: .*\n)*exit\n", "", t)' \
	'' 'router qspn| topology 4.2.2.2| address 3.0.1.0|exit'
check "reload: the staticd route stays" \
	inr qpkg-a 'vtysh -c "show ip route 192.0.2.0/24" | grep -q "static"'
check "reload: router qspn added back" \
	reload_step 5 't = t + "router qspn\n topology 4.2.2.2\n address 3.0.1.0\nexit\n"' \
	'router qspn| topology 4.2.2.2| address 3.0.1.0|exit' ''
check "qpkg-a: the neighbour is back after router qspn came back" eventually 60 nbr_up qpkg-a
check "qpkg-a: ping again (10.0.0.26 -> 10.0.0.27)" \
	eventually 60 inr qpkg-a 'ping -c 1 -W 1 -I 10.0.0.26 10.0.0.27'

# ---- upgrade while running ----------------------------------------------------
mkdir -p "$work/root-a/tmp/debs"
cp "${debs[@]}" "$work/root-a/tmp/debs/"
pid0=$(qspnd_pid qpkg-a)
check "qpkg-a: upgrade (reinstall) while qspnd runs" \
	inr qpkg-a 'apt-get install -y -q --reinstall /tmp/debs/*.deb'
check "qpkg-a: after the upgrade qspnd runs again, a new process, under watchfrr" \
	eventually 60 restarted
check "qpkg-a: after the upgrade qspnd has its configuration" \
	eventually 20 has_conf runconf qpkg-a '\|router qspn\| topology 4\.2\.2\.2\| address 3\.0\.1\.0\|'
check "qpkg-a: after the upgrade both diversions are still there" \
	inr qpkg-a '[ "$(dpkg-divert --list qspnd | wc -l)" = 2 ]'

# ---- stop: nothing left ---------------------------------------------------------
# nothing_left NAME: no qspnd process; no route of zebra or of qspnd (proto
# 252), no rule but the kernel's three, no nftables table qspnd, no namespace,
# no address qspnd set, no table-name file
nothing_left() {
	local n=$1 bad=0
	inr "$n" 'pgrep -a qspnd' && { echo "a qspnd process is left"; bad=1; }
	ip -n "$n" -4 route show table all | grep -E 'proto (zebra|252)|table ntk' && { echo "routes are left"; bad=1; }
	[ "$(ip -n "$n" -4 rule show | wc -l)" = 3 ] || { ip -n "$n" -4 rule show; echo "rules are left"; bad=1; }
	ip netns exec "$n" nft list tables | grep -w qspnd && { echo "an nftables table is left"; bad=1; }
	[ -z "$(inr "$n" 'ip netns list')" ] || { inr "$n" 'ip netns list'; echo "namespaces are left"; bad=1; }
	ip -n "$n" -4 addr show | grep -E 'inet (169\.254|10)\.' && { echo "addresses are left"; bad=1; }
	inr "$n" 'ls /etc/iproute2/rt_tables.d/qspnd*.conf' 2>/dev/null && { echo "a table-name file is left"; bad=1; }
	return $bad
}
for n in qpkg-a qpkg-b; do
	check "$n: frrinit.sh stop" inr "$n" '/usr/lib/frr/frrinit.sh stop'
	check "$n: after stop, no qspnd process, route, rule, nftables table, namespace, address" nothing_left "$n"
done

# ---- remove: FRR's own files back, FRR still starts ---------------------------
check "qpkg-a: frrinit.sh start (before the removal)" inr qpkg-a '/usr/lib/frr/frrinit.sh start'
check "qpkg-a: qspnd up before the removal" eventually 30 qspnd_up qpkg-a
check "qpkg-a: apt-get remove qspnd, FRR running" inr qpkg-a 'apt-get remove -y -q qspnd'
check "qpkg-a: no diversion of qspnd's left (dpkg-divert --list)" \
	inr qpkg-a '! dpkg-divert --list | grep -w qspnd'
check "qpkg-a: frr's vtysh and frrcommon.sh are back, as frr shipped them (dpkg --verify frr)" \
	inr qpkg-a '[ -x /usr/bin/vtysh ] && [ -f /usr/lib/frr/frrcommon.sh ] && [ ! -e /usr/bin/vtysh.frr ] &&
		[ ! -e /usr/lib/frr/frrcommon.sh.frr ] && ! dpkg --verify frr | grep -E "vtysh|frrcommon"'
check "qpkg-a: qspnd stopped by the removal" eventually 20 inr qpkg-a '! pgrep -x qspnd'
check "qpkg-a: FRR restarts without qspnd, its own configuration applied" \
	eval 'inr qpkg-a "/usr/lib/frr/frrinit.sh restart" >/dev/null 2>&1;
	eventually 30 inr qpkg-a "vtysh -c \"show ip route 192.0.2.0/24\" | grep -q static" &&
	inr qpkg-a "vtysh -c \"show watchfrr\"" | grep -Eq "^ +zebra +Up" &&
	! inr qpkg-a "vtysh -c \"show watchfrr\"" | grep -q qspnd'
inr qpkg-a '/usr/lib/frr/frrinit.sh stop' >/dev/null 2>&1
check "qpkg-a: apt-get purge qspnd qspn-tools leaves none of their files" \
	inr qpkg-a 'apt-get purge -y -q qspnd qspn-tools && ! dpkg -l qspnd qspn-tools 2>/dev/null | grep -q "^[a-z][a-z] " &&
		[ ! -e /usr/lib/frr/qspnd ] && [ ! -e /usr/share/doc/qspnd ] && [ ! -e /usr/lib/frr/qspn-frr-reload.py ] &&
		[ ! -e /usr/bin/qspn-vtysh ] && [ ! -e /usr/share/yang/frr-qspnd.yang ]'
root_stop qpkg-a
root_stop qpkg-b

# ---- 4. the README's main command in a fresh root -------------------------------
if [ "$run_lab" = yes ]; then
	stage "4. tools/lab.sh from a clean clone, in a fresh $suite root (minbase + git)"
	lab="$work/root-lab"
	if mmdebstrap --quiet --variant=minbase --include=git,ca-certificates \
		"$suite" "$lab" "${mirrors[@]}"; then
		git clone -q "$top" "$lab/root/qspnd"
		# no init system here: keep maintainer scripts from starting FRR's
		# service in the host's network namespace
		printf '#!/bin/sh\nexit 101\n' >"$lab/usr/sbin/policy-rc.d"
		chmod 755 "$lab/usr/sbin/policy-rc.d"
		root_start qpkg-lab "$lab" host
		t=$(date +%s)
		if inr qpkg-lab 'cd /root/qspnd && tools/lab.sh' >"$work/lab.log" 2>&1 &&
			grep -q ' 0% packet loss' "$work/lab.log"; then
			pass "fresh root: tools/lab.sh from a clean clone converges and pings ($(($(date +%s) - t)) s)"
		else
			fail "fresh root: tools/lab.sh from a clean clone (log: $work/lab.log)"
			tail -n 40 "$work/lab.log" | sed 's/^/    | /'
		fi
		root_stop qpkg-lab
	else
		fail "mmdebstrap: a fresh minbase $suite root"
	fi
fi

stage "done"
echo "package-test: $(grep -c '^PASS' "$results") passed, $(grep -c '^FAIL' "$results") failed"
[ "$nfail" = 0 ]
