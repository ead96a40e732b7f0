#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# layer-check.sh: the layers of qspnd/ and lib/ only look down
# (doc/architecture.md).  Run by `make check` and `make check-noroot`
# (automake sets srcdir; the working directory is the build tree).
#
# 1. Every .c and .h of qspnd/ and lib/ has a layer in the table below (a
#    new file is placed here and in doc/architecture.md).
# 2. Includes: a file includes only headers of its own layer or below, and
#    the include graph between files has no circle.  A .c and its .h are one
#    file (a "unit"); the few headers shared by several .c name their unit
#    in the table.
# 3. Calls (from the built objects, with nm): a file calls only functions of
#    its own layer or below, and the call graph between files has no circle.
#    This catches what includes cannot: a prototype declared in the wrong
#    header, or a name defined by another file than its prefix says.
# 4. lib/ stays pure: no FRR or qspnd header, no libc call outside memory,
#    strings, formatting, sorting and math (no sockets, clocks, randomness),
#    no writable global.
# 5. tools/, bench/ and the C tests include nothing of qspnd/.
#
# Usage: layer-check.sh [SRCDIR [BUILDDIR]]; without the objects in BUILDDIR
# (not built yet, or qspnd not configured) checks 3 and 4 skip those parts.
set -u
src=${1:-${srcdir:-.}}
build=${2:-.}
fails=0
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
ko() { n=$((n + 1)); echo "not ok $n - $1"; fails=$((fails + 1)); }
# acyclic WHAT EDGES: one verdict on whether the graph in file EDGES
# ("from to" lines) has a circle
acyclic() {
	if tsort "$2" >/dev/null 2>"$tmp/tsort.err"; then
		ok "the $1 graph has no circle"
	else
		ko "the $1 graph has a circle: $(tr '\n' ' ' <"$tmp/tsort.err")"
	fi
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# unit layer: lower numbers are further down.  lib/ and qspnd/ each count
# from 0; every lib unit is below every qspnd unit.
cat >"$tmp/layers" <<'EOF'
# ---- lib/: the protocol core
qspn_mem	0	allocators, the per-message arena
qspn_addr	0	addresses, topology
qspn_ipv4	1	the IPv4 plan of an address
qspn_fp	1	fingerprints, costs
qspn_paths	1	path views (types only)
qspn_hello	1	the hello message
qspn_rtt	1	the RTT filter of arc costs
qspn_hmac	0	HMAC-SHA-2 (libcrypto)
qspn_auth	2	hello trailers, replay windows, session framing
qspn_host	2	host ops (types only)
qspn_plan	3	the kernel planner (qspn_plan.c, qspn_plan_fmt.c)
qspn	3	the engine's API (qspn.h)
qspn_engine_int	4	the engine's internal types (qspn_engine_int.h)
qspn_inst	5	instance services
qspn_wire	6	the codec
qspn_etp	7	ETPs
qspn_map	8	the map
qspn_engine	9	the engine
qspn_ident	9	identity commands of the engine
# ---- qspnd/: the daemon
qspnd	100	ground: types, globals, privileges, memory group, counters
qspnd_debug	100	debug flags
qspnd_frr	100	the FRR release bridge (8.4 / 10.3)
qspnd_netns	101	executor: namespaces
qspnd_zroute	101	executor: routes through zebra
qspnd_nft	101	executor: nftables
qspnd_netlink	101	executor: addresses, rules, links, sysctls
qspnd_kernel	102	kernel orchestrator
qspnd_auth	102	authentication: key chains, hello trailers, session keys
qspnd_session	103	framed TCP stream
qspnd_neigh	103	identities at run time: ports, hellos, neighbours, arcs
qspnd_ident	104	identity operations, engines and their signals
qspnd_sysview	104	the planner's input
qspnd_router	105	configuration applied to what runs
qspnd_zebra	106	ZAPI adapter
qspnd_show	106	show JSON
qspnd_kernel_vty	106	show qspn routes|tables
qspnd_vty	106	CLI
qspnd_nb	106	northbound callback table (qspnd_nb.h: every callback)
qspnd_nb_config	106	northbound config
qspnd_nb_state	106	northbound state
qspnd_nb_rpcs	106	northbound RPCs
qspnd_main	107	main: wiring
EOF
# files that are part of another unit
unit_of() {
	b=$(basename "$1")
	b=${b%.[ch]}
	case $b in
	qspn_plan_fmt) b=qspn_plan ;;
	esac
	echo "$b"
}
layer_of() {
	awk -v u="$1" '$1 == u { print $2; exit }' "$tmp/layers"
}

# ---- 1. every file has a layer
missing=
for f in "$src"/lib/*.[ch] "$src"/qspnd/*.[ch]; do
	[ -e "$f" ] || continue
	case $f in *_clippy.c | *.pb-c.[ch]) continue ;; esac
	u=$(unit_of "$f")
	[ -n "$(layer_of "$u")" ] || missing="$missing $(basename "$f")"
done
if [ -z "$missing" ]; then
	ok "every file of lib/ and qspnd/ has a layer"
else
	ko "no layer for:$missing (add it to tests/layer-check.sh and doc/architecture.md)"
fi

# ---- 2. includes
: >"$tmp/inc"
for f in "$src"/lib/*.[ch] "$src"/qspnd/*.[ch]; do
	[ -e "$f" ] || continue
	case $f in *_clippy.c | *.pb-c.[ch]) continue ;; esac
	u=$(unit_of "$f")
	sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"/]*\)".*/\1/p' "$f" |
		while read -r h; do
			[ -e "$src/lib/$h" ] || [ -e "$src/qspnd/$h" ] || continue
			echo "$(basename "$f") $u $(unit_of "$h") $h"
		done >>"$tmp/inc"
done
bad=
while read -r file u v h; do
	[ "$u" = "$v" ] && continue
	lu=$(layer_of "$u")
	lv=$(layer_of "$v")
	[ -n "$lu" ] && [ -n "$lv" ] || continue
	if [ "$lv" -gt "$lu" ]; then
		bad="$bad
	$file (layer $lu) includes $h (layer $lv)"
	fi
done <"$tmp/inc"
if [ -z "$bad" ]; then
	ok "includes only look down"
else
	ko "includes of a higher layer:$bad"
fi
awk '$2 != $3 { print $2, $3 }' "$tmp/inc" | sort -u >"$tmp/inc.edges"
acyclic include "$tmp/inc.edges"

# ---- 3. calls, from the objects
# edges "caller-unit callee-unit symbol" of one set of objects
objedges() {
	nm -A "$@" 2>/dev/null | awk '
	NF >= 2 {
		n = split($1, a, ":"); f = a[n - 1]; if (f == "") f = a[1]
		sub(/^.*\//, "", f); sub(/\.o$/, "", f)
		sub(/^(lib_libqspn_a|libqspn_a|libqspnd_a|qspnd)-/, "", f)
		t = $(NF - 1); s = $NF
		if (t == "U") use[f " " s] = 1
		else if (t ~ /^[TDBRC]$/) def[s] = f
	}
	END {
		for (k in use) {
			split(k, b, " ")
			if ((b[2] in def) && def[b[2]] != b[1])
				print b[1], def[b[2]], b[2]
		}
	}'
}
objs=
[ -f "$build/lib/libqspn.a" ] && objs="$build/lib/libqspn.a"
[ -f "$build/qspnd/libqspnd.a" ] && objs="$objs $build/qspnd/libqspnd.a"
mainobj=$(ls "$build"/qspnd/qspnd-qspnd_main.o 2>/dev/null)
if [ -z "$objs" ]; then
	ko "calls: no objects in $build (build first: the call checks read them)"
else
	# shellcheck disable=SC2086
	objedges $objs $mainobj |
		while read -r cu du s; do
			# FRR's module anchor, defined by FRR_DAEMON_INFO in main
			[ "$s" = _frrmod_this_module ] && continue
			cu=$(unit_of "$cu")
			du=$(unit_of "$du")
			[ "$cu" = "$du" ] && continue
			lc=$(layer_of "$cu")
			ld=$(layer_of "$du")
			[ -n "$lc" ] && [ -n "$ld" ] || continue
			echo "$cu $du $s $lc $ld"
		done >"$tmp/calls"
	bad=$(sort "$tmp/calls" |
		awk '$5 > $4 { printf "\n\t%s (layer %s) calls %s of %s (layer %s)", $1, $4, $3, $2, $5 }')
	if [ -z "$bad" ]; then
		ok "calls only look down"
	else
		ko "calls into a higher layer:$bad"
	fi
	awk '{ print $1, $2 }' "$tmp/calls" | sort -u >"$tmp/call.edges"
	acyclic call "$tmp/call.edges"
fi

# ---- 4. lib/ stays pure
bad=$(grep -l -E '#[[:space:]]*include[[:space:]]*(<zebra\.h>|"lib/|"qspnd)' \
	"$src"/lib/*.[ch] 2>/dev/null | tr '\n' ' ')
if [ -z "$bad" ]; then
	ok "lib/ includes no FRR or qspnd header"
else
	ko "lib/ files that include FRR or qspnd headers: $bad"
fi
if [ -f "$build/lib/libqspn.a" ]; then
	# what a sanitizer build (run-tests.sh's build-asan) adds to every
	# object: its hooks and its own globals, not calls of the code
	instrumented='^(__(asan|ubsan|sanitizer|lsan)_|__odr_asan[._])'
	# _FORTIFY_SOURCE (Debian's build flags) turns snprintf into
	# __snprintf_chk: the checked form counts as the function itself
	# libcrypto's HMAC and constant-time compare (lib/qspn_hmac.c: keys
	# come in as arguments, nothing is kept in a global)
	allowed='^(qspn_.*|qspn__.*|protobuf_c_.*|EVP_MAC_.*|OSSL_PARAM_construct_(utf8_string|end)|CRYPTO_memcmp|_GLOBAL_OFFSET_TABLE_|__assert_fail|__errno_location|__stack_chk_fail|abort|calloc|malloc|realloc|free|mem(cmp|cpy|move|set|chr)|str(cmp|ncmp|len|nlen|chr|rchr|cpy|ncpy|tol|toul|toll|toull|spn|cspn|str|dup)|v?snprintf|qsort|bsearch|sqrt|pow|floor|ceil|fabs|llabs|labs|abs)$'
	bad=$(nm -A "$build/lib/libqspn.a" 2>/dev/null |
		awk '$(NF-1) == "U" { print $NF }' |
		sed -E 's/^__(.*)_chk$/\1/' | grep -v -E "$instrumented" | sort -u |
		grep -v -E "$allowed" | tr '\n' ' ')
	if [ -z "$bad" ]; then
		ok "lib/ calls no sockets, clocks or randomness (libc: memory, strings, formats, math)"
	else
		ko "lib/ calls outside its allowed libc: $bad"
	fi
	bad=$(objdump -t "$build/lib/libqspn.a" 2>/dev/null |
		awk '$0 ~ / O / { for (i = 1; i <= NF; i++) if ($i ~ /^\.(data|bss)(\.rel(\.local)?)?$/) print $NF }' |
		grep -v -E '^qspn__' | grep -v -E "$instrumented" | sort -u | tr '\n' ' ')
	if [ -z "$bad" ]; then
		ok "lib/ has no writable global"
	else
		ko "lib/ writable globals: $bad"
	fi
else
	ko "lib/ purity: no $build/lib/libqspn.a (build first: the checks read it)"
fi

# ---- 5. nothing outside the daemon includes it
bad=$(grep -l -E '#[[:space:]]*include[[:space:]]*"(qspnd/)?qspnd[a-z_]*\.h"' \
	"$src"/tools/*.[ch] "$src"/bench/*.[ch] "$src"/tests/*/*.[ch] \
	2>/dev/null | tr '\n' ' ')
if [ -z "$bad" ]; then
	ok "tools/, bench/ and tests/ include nothing of qspnd/"
else
	ko "files outside qspnd/ that include its headers: $bad"
fi

echo "1..$n"
[ "$fails" -eq 0 ]
