#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# lab.sh: qspnd's main job: build everything (tools/setup.sh), then a mesh of
# network namespaces, each running zebra + qspnd configured through the
# qspn-aware vtysh; wait until QSPN has converged, print every node's
# neighbours, paths and kernel tables, ping across the mesh, and tear it all
# down.
#
# The default mesh is the reference scenario at the moment of its seed page
# (spec: beta, gamma, delta and mu of G_gamma, Eventi5), with their addresses
# and MACs; links are veth pairs (gamma and delta have one per neighbour):
#
#   beta 2.1.1.1 --- gamma 2.1.1.0 --- delta 2.1.0.1 --- mu 2.1.0.0
#                    topology 4.2.2.2
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build}
"$top/tools/setup.sh"

export PATH=/usr/sbin:/usr/bin:/sbin:/bin
frr_sbin=/usr/lib/frr
qspnd="$build/qspnd/qspnd"
vtysh="$build/vtysh/qspn-vtysh"
work=$(mktemp -d /tmp/qspn-lab.XXXXXX)
chmod 755 "$work"

nodes=(qlab-beta qlab-gamma qlab-delta qlab-mu)
declare -A addr=([qlab-beta]=2.1.1.1 [qlab-gamma]=2.1.1.0 [qlab-delta]=2.1.0.1 [qlab-mu]=2.1.0.0)
declare -A mac=([qlab-beta]=00:16:3E:EC:A3:E1 [qlab-gamma]=00:16:3E:5B:78:D5
	[qlab-delta]=00:16:3E:1A:C4:45 [qlab-mu]=00:16:3E:2D:8D:DE)
declare -A global=([qlab-beta]=10.0.0.23 [qlab-gamma]=10.0.0.22 [qlab-delta]=10.0.0.21 [qlab-mu]=10.0.0.20)
links=("qlab-beta qlab-gamma" "qlab-gamma qlab-delta" "qlab-delta qlab-mu")

cleanup() {
	set +e
	for n in "${nodes[@]}"; do
		for d in qspnd zebra; do
			pidf="$work/$n/$d.pid"
			[ -f "$pidf" ] && kill "$(cat "$pidf")" 2>/dev/null
		done
	done
	sleep 1
	for n in "${nodes[@]}"; do
		ip netns del "$n" 2>/dev/null
		rm -rf "/var/run/frr/$n"
	done
	rm -rf "$work"
}
trap cleanup EXIT

vty() { # node, commands...
	local n=$1
	shift
	local args=()
	for c in "$@"; do args+=(-c "$c"); done
	# vtysh -N looks for an optional /etc/frr/<node>/vtysh.conf; not needed.
	"$vtysh" -N "$n" "${args[@]}" 2> >(grep -v 'vtysh.conf' >&2)
}

echo "== lab: namespaces and links"
for n in "${nodes[@]}"; do
	ip netns add "$n"
	ip -n "$n" link set lo up
	mkdir -p "$work/$n" "/var/run/frr/$n"
	chown frr:frr "$work/$n" "/var/run/frr/$n"
done
i=0
for l in "${links[@]}"; do
	set -- $l
	a=$1 b=$2
	ip link add "l$i-a" netns "$a" type veth peer name "l$i-b" netns "$b"
	ip -n "$a" link set "l$i-a" address "${mac[$a]}" up
	ip -n "$b" link set "l$i-b" address "${mac[$b]}" up
	i=$((i + 1))
done

echo "== lab: zebra + qspnd in every node"
for n in "${nodes[@]}"; do
	for d in zebra qspnd; do
		bin="$frr_sbin/$d"
		[ "$d" = qspnd ] && bin=$qspnd
		: >"$work/$n/$d.conf"
		chown frr:frr "$work/$n/$d.conf"
		ip netns exec "$n" "$bin" -d -N "$n" -f "$work/$n/$d.conf" \
			-i "$work/$n/$d.pid" --log "file:$work/$n/$d.log"
	done
done

echo "== lab: configuration through vtysh"
for n in "${nodes[@]}"; do
	ifs=$(ip -n "$n" -o link show | awk -F': ' '$2 ~ /^l[0-9]+-/ {sub(/@.*/, "", $2); print $2}')
	cmds=("configure terminal")
	for ifn in $ifs; do cmds+=("interface $ifn" "qspn" "exit"); done
	cmds+=("router qspn" "topology 4.2.2.2" "address ${addr[$n]}" "accept-anonymous" "end")
	# wait until both daemons answer
	for _ in $(seq 50); do
		vty "$n" "show qspn summary json" 2>/dev/null | grep -q '"zebraConnected":true' && break
		sleep 0.2
	done
	vty "$n" "${cmds[@]}"
done

echo "== lab: waiting for QSPN to converge"
converged() {
	local n
	for n in "${nodes[@]}"; do
		# every node of this line knows two destinations, each with a path
		[ "$(vty "$n" "show qspn destinations json" | grep -c '"paths":[1-9]')" -ge 2 ] || return 1
		# and table ntk routes them
		[ "$(ip -n "$n" route show table 251 | grep -c ' via ')" -ge 2 ] || return 1
	done
}
ok=
for _ in $(seq 120); do
	if converged; then
		ok=1
		break
	fi
	sleep 0.5
done
[ -n "$ok" ] || { echo "lab: QSPN did not converge within 60 s" >&2; exit 1; }

for n in "${nodes[@]}"; do
	echo
	echo "== $n (${addr[$n]}, ${global[$n]}): show qspn neighbors"
	vty "$n" "show qspn neighbors"
	echo "== $n: show qspn paths"
	vty "$n" "show qspn paths"
	echo "== $n: ip rule"
	ip -n "$n" rule show
	echo "== $n: table ntk (routes with a gateway)"
	ip -n "$n" route show table 251 | grep ' via ' || true
done

echo
echo "== lab: ping across the mesh, from beta's global address to mu's"
ip netns exec qlab-beta ping -c 3 -W 2 -I "${global[qlab-beta]}" "${global[qlab-mu]}"
echo "== lab: and from mu to beta"
ip netns exec qlab-mu ping -c 3 -W 2 -I "${global[qlab-mu]}" "${global[qlab-beta]}"
echo
echo "== lab: tearing down"
