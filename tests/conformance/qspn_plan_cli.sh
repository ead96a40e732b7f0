#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# qspn-plan as a program: the seed page's commands from hand-written states
# (every printed line is a command of the page, verbatim), and bad input:
# exit status 2, a message naming the offending field, nothing on stdout.
set -u
srcdir=${srcdir:-.}
here=$srcdir/tests/conformance
plan=./tools/qspn-plan
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
n=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
ko() { n=$((n + 1)); echo "not ok $n - $1"; fails=$((fails + 1)); }

# -- Eventi5 (the seed page): beta, gamma, delta, mu
for s in beta gamma delta mu; do
	case $s in
	beta) lines=1,36 ;;
	gamma) lines=1,55 ;;
	delta) lines=1,55 ;;
	mu) lines=1,36 ;;
	esac
	if ! "$plan" "$here/examples/eventi5-$s.json" >"$tmp/out" 2>"$tmp/err"; then
		ko "eventi5 $s: exit status"; cat "$tmp/err"; continue
	fi
	sed -n "${lines}p" "$here/vectors/eventi05-$s.txt" >"$tmp/page"
	missing=$(grep -vxFf "$tmp/page" "$tmp/out")
	if [ -s "$tmp/out" ] && [ -z "$missing" ]; then
		ok "eventi5 $s: $(wc -l <"$tmp/out") commands, all on the page"
	else
		ko "eventi5 $s: not on the page: $missing"
	fi
done

# -- bad input: bad <name> <json> <expected substring of the message>
bad() {
	printf '%s' "$2" >"$tmp/in.json"
	"$plan" "$tmp/in.json" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -eq 2 ] && [ ! -s "$tmp/out" ] && grep -qF -- "$3" "$tmp/err"; then
		ok "$1: $(cat "$tmp/err")"
	else
		ko "$1: rc=$rc stdout=$(wc -c <"$tmp/out") stderr=$(cat "$tmp/err")"
	fi
}

nic='"nics": [{"dev": "eth1", "mac": "00:16:3E:EC:A3:E1", "linklocal": "169.254.96.141"}]'
bad "syntax" '{"topology": "4.2.2.2", "after": {' "invalid JSON: line 1"
bad "not an object" '[1, 2]' '$: expected an object'
bad "trailing data" '{"topology": "4.2.2.2", "after": {}} x' "invalid JSON"
bad "no after" '{"topology": "4.2.2.2"}' '$.after: missing'
bad "bad topology" '{"topology": "3.2.2", "after": {}}' '$.topology: gsize 3'
bad "unknown field" '{"topology": "4.2.2.2", "after": {"identites": []}}' '$.after.identites: unknown field'
bad "wrong type" '{"topology": "4.2.2.2", "after": {"nics": [{"dev": "eth1", "mac": 5}]}}' '$.after.nics[0].mac: expected a string, got an integer'
bad "bad mac" '{"topology": "4.2.2.2", "after": {"nics": [{"dev": "eth1", "mac": "00:16:3E:EC:A3"}]}}' '$.after.nics[0].mac'
bad "bad address" "{\"topology\": \"4.2.2.2\", \"after\": {$nic, \"identities\": [{\"address\": \"2.1.1\"}]}}" '$.after.identities[0].address: address "2.1.1" has 3 positions'
bad "bad ip" "{\"topology\": \"4.2.2.2\", \"after\": {$nic, \"identities\": [{\"address\": \"2.1.1.1\", \"arcs\": [{\"id\": 1, \"dev\": \"eth1\", \"peer_mac\": \"00:16:3E:5B:78:D5\", \"peer_linklocal\": \"169.254.94\"}]}]}}" '$.after.identities[0].arcs[0].peer_linklocal'
bad "table id" "{\"topology\": \"4.2.2.2\", \"after\": {$nic, \"identities\": [{\"address\": \"2.1.1.1\", \"arcs\": [{\"id\": 1, \"dev\": \"eth1\", \"peer_mac\": \"00:16:3E:5B:78:D5\", \"peer_linklocal\": \"169.254.94.223\", \"qspn\": true, \"table_id\": 251}]}]}}" '$.after.identities[0].arcs[0].table_id'
bad "qspn-arc without table" "{\"topology\": \"4.2.2.2\", \"after\": {$nic, \"identities\": [{\"address\": \"2.1.1.1\", \"arcs\": [{\"id\": 1, \"dev\": \"eth1\", \"peer_mac\": \"00:16:3E:5B:78:D5\", \"peer_linklocal\": \"169.254.94.223\", \"qspn\": true}]}]}}" '$.after.identities[0].arcs[0].table_id: missing'
bad "unknown nic" "{\"topology\": \"4.2.2.2\", \"after\": {$nic, \"identities\": [{\"address\": \"2.1.1.1\", \"arcs\": [{\"id\": 1, \"dev\": \"eth2\", \"peer_mac\": \"00:16:3E:5B:78:D5\", \"peer_linklocal\": \"169.254.94.223\"}]}]}}" '$.after.identities[0].arcs[0].dev'
bad "path hop" "{\"topology\": \"4.2.2.2\", \"after\": {$nic, \"identities\": [{\"address\": \"2.1.1.1\", \"arcs\": [{\"id\": 1, \"dev\": \"eth1\", \"peer_mac\": \"00:16:3E:5B:78:D5\", \"peer_linklocal\": \"169.254.94.223\"}], \"paths\": [{\"dest\": [0, 0], \"paths\": [{\"arc\": 1, \"hops\": [[0, 0, 1]]}]}]}]}}" '$.after.identities[0].paths[0].paths[0].hops[0]'
bad "path arc" "{\"topology\": \"4.2.2.2\", \"after\": {$nic, \"identities\": [{\"address\": \"2.1.1.1\", \"paths\": [{\"dest\": [0, 0], \"paths\": [{\"arc\": 9, \"hops\": [[0, 0]]}]}]}]}}" '$.after.identities[0].paths[0].paths[0].arc: no arc with id 9'
bad "two main identities" "{\"topology\": \"4.2.2.2\", \"after\": {$nic, \"identities\": [{\"address\": \"2.1.1.1\"}, {\"address\": \"2.1.1.0\"}]}}" '$.after.identities[1].netns'
bad "error in before" "{\"topology\": \"4.2.2.2\", \"before\": {\"subnet_level\": 9}, \"after\": {}}" '$.before.subnet_level'
bad "subnet host without a subnet" "{\"topology\": \"4.2.2.2\", \"after\": {$nic, \"subnet_hosts\": [{\"dev\": \"eth1\", \"linklocal\": \"169.254.1.1\", \"position\": \"1\"}]}}" '$.after.subnet_hosts[0].position: no autonomous subnet'
bad "subnet host position" "{\"topology\": \"4.2.2.2\", \"after\": {$nic, \"subnet_level\": 2, \"subnet_hosts\": [{\"dev\": \"eth1\", \"linklocal\": \"169.254.1.1\", \"position\": \"1.0.1\"}]}}" '$.after.subnet_hosts[0].position: position "1.0.1": 2 positions expected'
bad "subnet host is the gateway" "{\"topology\": \"4.2.2.2\", \"after\": {$nic, \"subnet_level\": 1, \"identities\": [{\"address\": \"1.1.0.0\"}], \"subnet_hosts\": [{\"dev\": \"eth1\", \"linklocal\": \"169.254.1.1\", \"position\": \"0\"}]}}" "subnet_hosts[0].position: the gateway's own position"
bad "guest level" "{\"topology\": \"4.2.2.2\", \"after\": {$nic, \"identities\": [{\"address\": \"1.1.0.0\", \"guest_level\": 4}]}}" '$.after.identities[0].guest_level: 4 is not in 0..3'
bad "peer_outside without a table" "{\"topology\": \"4.2.2.2\", \"after\": {$nic, \"identities\": [{\"address\": \"1.1.0.0\", \"arcs\": [{\"id\": 1, \"dev\": \"eth1\", \"peer_mac\": \"00:16:3E:5B:78:D5\", \"peer_linklocal\": \"169.254.94.1\", \"peer_outside\": true}]}]}}" 'arcs[0].peer_outside: only a qspn-arc has a table'

# -- usage
if "$plan" >/dev/null 2>&1; then ko "no argument: exit status"; else ok "no argument: usage"; fi
if "$plan" "$tmp/does-not-exist" >/dev/null 2>"$tmp/err" || [ $? -ne 1 ]; then
	ko "missing file: exit status 1"
else
	ok "missing file: $(cat "$tmp/err")"
fi

echo "1..$n"
[ $fails -eq 0 ]
