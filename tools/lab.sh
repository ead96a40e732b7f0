#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# lab.sh: qspnd's main job at this stage: build everything (tools/setup.sh),
# start a small lab of network namespaces, each running zebra + qspnd, with
# their configuration applied through the qspn-aware vtysh, print every
# node's `show qspn summary`, and tear it all down.
#
#   alpha (3.0.1.0) --- beta (3.0.1.1) --- gamma (3.0.0.1)    topology 4.2.2.2
#
# The protocol exchange between the nodes is not there yet (see README).
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

nodes=(qlab-alpha qlab-beta qlab-gamma)
declare -A addr=([qlab-alpha]=3.0.1.0 [qlab-beta]=3.0.1.1 [qlab-gamma]=3.0.0.1)
links=("qlab-alpha qlab-beta" "qlab-beta qlab-gamma")

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
	ip -n "$a" link set "l$i-a" up
	ip -n "$b" link set "l$i-b" up
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
	cmds+=("router qspn" "topology 4.2.2.2" "address ${addr[$n]}" "end")
	# wait until both daemons answer
	for _ in $(seq 50); do
		vty "$n" "show qspn summary json" 2>/dev/null | grep -q '"zebraConnected":true' && break
		sleep 0.2
	done
	vty "$n" "${cmds[@]}"
done

for n in "${nodes[@]}"; do
	echo
	echo "== $n: show qspn summary"
	vty "$n" "show qspn summary"
	echo "== $n: show running-config (qspnd)"
	vty "$n" "show running-config qspnd" | sed -n '/^interface/,$p'
done
echo
echo "== lab: tearing down"
