#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# frr-source.sh: prepare the FRR source tree that qspnd is compiled against.
#
# qspnd links the *installed* libfrr.so.0, so its headers, config.h and
# generated files must come from the very same FRR version, configured with the
# very same arguments.  This script:
#   1. reads the version and the configure arguments of the installed FRR
#      (`zebra --version`);
#   2. without --source: downloads Debian's source package of the installed
#      frr version (adding a deb-src entry for this Debian release if needed)
#      and unpacks it under --workdir; with --source: uses that tree;
#   3. configures it (through a *relative* path, which vtysh/extract.pl needs)
#      with the installed FRR's arguments, in <tree>/qspnd-build;
#   4. builds what qspnd needs from it: clippy and the generated headers;
#   5. writes shell assignments (FRR_SRCDIR, FRR_BUILDDIR, ...) to --out.
#
# Usage: frr-source.sh --zebra /usr/lib/frr/zebra --out FILE
#                      (--workdir DIR | --source DIR)
set -euo pipefail

zebra=/usr/lib/frr/zebra
out=
workdir=
source=

die() {
	echo "frr-source.sh: error: $*" >&2
	exit 1
}
log() { echo "frr-source.sh: $*" >&2; }

while [ $# -gt 0 ]; do
	case "$1" in
	--zebra) zebra=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--workdir) workdir=$2; shift 2 ;;
	--source) source=$2; shift 2 ;;
	*) die "unknown argument $1" ;;
	esac
done
[ -n "$out" ] || die "--out is required"
[ -n "$workdir" ] || [ -n "$source" ] || die "--workdir or --source is required"

# Debian's python has the modules FRR's configure looks for; a pyenv or venv
# python in front of it would not.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin

[ -x "$zebra" ] || die "$zebra not found: install Debian's frr package"
version_text=$("$zebra" --version)
frr_version=$(printf '%s\n' "$version_text" | sed -n 's/^zebra version //p' | head -n1)
[ -n "$frr_version" ] || die "cannot read the version from '$zebra --version'"
conf_line=$(printf '%s\n' "$version_text" | sed -n '/^configured with:/{n;p;}' | sed 's/^[[:space:]]*//')
[ -n "$conf_line" ] || die "cannot read the configure arguments from '$zebra --version'"
# The arguments are printed shell-quoted ('--prefix=/usr' ...): let the shell
# split them back into words, without expanding anything.
eval "conf_args=( $conf_line )"

arg_value() {
	local name=$1 a v=
	for a in "${conf_args[@]}"; do
		case "$a" in "--$name="*) v=${a#--"$name"=} ;; esac
	done
	printf '%s' "$v"
}

need_pkgs() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	# A package build (dpkg-buildpackage, rpmbuild) installs nothing and
	# reaches no network: its build dependencies must say it all.
	if [ -n "${DEB_BUILD_ARCH:-}${RPM_BUILD_ROOT:-}${QSPND_NO_INSTALL:-}" ]; then
		die "missing build dependencies: ${missing[*]}"
	fi
	[ "$(id -u)" = 0 ] || die "missing packages (run as root or install them): ${missing[*]}"
	log "installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2
}

frr_major=${frr_version%%.*}
frr_minor=${frr_version#*.}
frr_minor=${frr_minor%%.*}
# FRR 8.5 replaced vtysh/extract.pl by xref notes read from the binaries;
# FRR 9.0 brought mgmtd, whose protobuf-c header lib/vty.h includes.
if [ "$frr_major" -gt 8 ] || { [ "$frr_major" = 8 ] && [ "$frr_minor" -ge 5 ]; }; then
	vtysh_gen=xref
else
	vtysh_gen=extract
fi

# What FRR's configure needs for the installed FRR's arguments: Debian 12's
# FRR 8.4 builds with libyang 2, Debian 13's FRR 10.3 with libyang 3 (the only
# one trixie has).
if [ "$frr_major" -ge 10 ]; then
	libyang_dev=libyang-dev
else
	libyang_dev=libyang2-dev
fi
extra=()
# vtysh's command table comes from every installed daemon and module
[ "$vtysh_gen" = extract ] || extra+=(frr-snmp frr-rpki-rtrlib)
case " $conf_line " in
*"'--enable-scripting'"*) extra+=(liblua5.3-dev lua5.3) ;;
esac
need_pkgs dpkg-dev autoconf automake libtool make gcc bison flex pkg-config \
	python3-dev python3-sphinx libjson-c-dev "$libyang_dev" libreadline-dev \
	libcap-dev libelf-dev libc-ares-dev libpcre2-dev libsnmp-dev librtr-dev \
	libpam0g-dev texinfo libprotobuf-c-dev protobuf-c-compiler ${extra[@]+"${extra[@]}"}

if [ -z "$source" ]; then
	debver=$(dpkg-query -W -f='${Version}' frr 2>/dev/null) ||
		die "the frr package is not installed"
	upstream=${debver%%-*}
	[ "$upstream" = "$frr_version" ] ||
		die "installed frr package is $debver but $zebra says $frr_version"
	mkdir -p "$workdir"
	source="$workdir/frr-$debver"
	if [ ! -f "$source/.qspnd-unpacked" ]; then
		dl="$workdir/download"
		rm -rf "$dl" "$source"
		mkdir -p "$dl"
		fetch() { (cd "$dl" && apt-get source --download-only "frr=$debver") >&2; }
		if ! fetch; then
			[ "$(id -u)" = 0 ] || die "apt-get source frr=$debver failed and only root can add a deb-src entry"
			codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
			[ -n "$codename" ] || die "cannot tell the Debian release"
			log "adding a deb-src entry for $codename"
			cat >/etc/apt/sources.list.d/qspnd-deb-src.sources <<EOF
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $codename $codename-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: $codename-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
			apt-get update >&2
			fetch || die "apt-get source frr=$debver failed"
		fi
		dsc=$(ls "$dl"/frr_*.dsc | head -n1)
		dpkg-source -x "$dsc" "$source" >&2
		touch "$source/.qspnd-unpacked"
	fi
fi

source=$(cd "$source" && pwd)
[ -f "$source/configure.ac" ] || die "$source is not an FRR source tree (no configure.ac)"
src_version=$(sed -n 's/^AC_INIT(\[frr\], \[\([^]]*\)\].*/\1/p' "$source/configure.ac" | head -n1)
[ -n "$src_version" ] || die "cannot read the FRR version of $source/configure.ac"
if [ "$src_version" != "$frr_version" ]; then
	die "FRR source tree $source is version $src_version, the installed FRR is $frr_version"
fi

build="$source/qspnd-build"
stamp="$build/.qspnd-configured"
want=$(printf '%s\n' "$conf_line" | md5sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
	if [ ! -x "$source/configure" ]; then
		log "bootstrapping $source"
		(cd "$source" && ./bootstrap.sh) >&2
	fi
	rm -rf "$build"
	mkdir -p "$build"
	log "configuring FRR $frr_version like the installed one"
	# A relative path to configure: 8.4's vtysh/extract.pl depends on it.
	(cd "$build" && ../configure "${conf_args[@]}") >&2
	echo "$want" >"$stamp"
fi
log "building clippy and generated headers"
targets=(lib/clippy lib/route_types.h lib/version.h lib/gitversion.h)
[ "$frr_major" -lt 9 ] || targets+=(lib/mgmt.pb-c.h)
make -C "$build" -j"$(nproc)" "${targets[@]}" >&2

# What FRR's own build feeds vtysh/extract.pl and vtysh/daemons.pl; the
# qspn-aware vtysh (vtysh/subdir.am) uses the same plus qspnd's files.
frr_var() {
	printf 'print-%%:\n\t@echo $($*)\n' |
		make -s -C "$build" -f Makefile -f - "print-$1"
}
vtysh_daemons=$(frr_var vtysh_daemons)
[ -n "$vtysh_daemons" ] || die "cannot read vtysh_daemons from FRR's Makefile"
vtysh_scan=
extract_args=
if [ "$vtysh_gen" = extract ]; then
	vtysh_scan=$(frr_var vtysh_scan)
	extract_args="$(frr_var HAVE_ISISD) $(frr_var HAVE_FABRICD)"
	[ -n "$vtysh_scan" ] || die "cannot read vtysh_scan from FRR's Makefile"
fi

libdir=$(arg_value libdir)
[ -f "$libdir/libfrr.so.0" ] || die "libfrr.so.0 not found in $libdir (from --libdir of the installed FRR)"
moduledir=$(arg_value with-moduledir)
sbindir=$(arg_value sbindir)

# FRR 8.5+ generates vtysh's command table from the xref notes of the
# compiled daemons and modules (python/xrelfo.py).  qspnd's vtysh reads them
# from the *installed* files, which the same configure arguments built: each
# of FRR's xref targets is linked into FRR's build directory at its path
# there, as FRR's own build has it (xref2vtysh.py names a daemon by the
# binary's name, a module by its directory, and tells fabricd from isisd by
# "isisd/fabricd"), so the list is exactly FRR's own.  A module that is not
# installed would silently drop its commands from vtysh: it is an error.
xref_files=
if [ "$vtysh_gen" = xref ]; then
	xdir=$build
	frr_libs=$(frr_var lib_LTLIBRARIES)
	for t in $(frr_var xrefs); do
		t=${t%.xref}
		case $t in
		*.la)
			name=$(basename "$t" .la)
			case " $frr_libs " in
			*" $t "*) f="$libdir/$name.so.0" ;;
			*) f="$moduledir/$name.so" ;;
			esac
			link="${t%.la}.so"
			;;
		*)
			name=$(basename "$t")
			f="$sbindir/$name"
			[ -e "$f" ] || f="/usr/bin/$name"
			link=$t
			;;
		esac
		if [ ! -e "$f" ]; then
			case " $vtysh_daemons " in
			*" $name "*) die "$name is not installed ($f): vtysh needs every daemon" ;;
			esac
			case $t in
			*.la) die "FRR module $f is not installed (frr-snmp, frr-rpki-rtrlib?): its commands would be missing from vtysh" ;;
			esac
			log "no $f: $t has no commands for vtysh, skipped"
			continue
		fi
		if [ -e "$xdir/$link" ] && [ ! -L "$xdir/$link" ]; then
			die "$xdir/$link exists and is not a link to an installed file"
		fi
		mkdir -p "$xdir/$(dirname "$link")"
		ln -sfn "$f" "$xdir/$link"
		xref_files="$xref_files $link"
	done
	[ -n "$xref_files" ] || die "no FRR binaries found for vtysh's command table"
	xref_files=${xref_files# }
	# xrefs name a command's source file relative to where FRR was compiled
	# (Debian: "../lib/if.c", from a build directory below the tree), and
	# xref2vtysh.py maps lib/'s commands to their daemons by that path: from
	# $xdir it must resolve into this tree's lib/, or vtysh would send them to
	# the wrong daemons.
	log "checking the source paths in libfrr's xrefs"
	(cd "$xdir" && "$build/lib/clippy" "$source/python/xrelfo.py" \
		-o "$build/qspnd-libfrr.xref" lib/libfrr.so) >&2 ||
		die "python/xrelfo.py cannot read $libdir/libfrr.so.0"
	python3 - "$build/qspnd-libfrr.xref" "$xdir" "$source" <<'PY' ||
import json, os, sys
xref, cwd, src = sys.argv[1:4]
files = {s["defun"]["file"] for c in json.load(open(xref))["cli"].values() for s in c.values()}
bad = [f for f in files if not os.path.isfile(os.path.join(cwd, f)) or
       not os.path.realpath(os.path.join(cwd, f)).startswith(os.path.realpath(src) + "/lib/")]
if not files or bad:
    sys.exit("libfrr's commands are defined in %s, which are not %s/lib/ files seen from %s" % (sorted(bad)[:3], src, cwd))
PY
		die "the installed FRR was not compiled from a directory one level below its tree"
	rm -f "$build/qspnd-libfrr.xref"
fi

cat >"$out" <<EOF
FRR_SRC_VERSION='$src_version'
FRR_SRCDIR='$source'
FRR_BUILDDIR='$build'
FRR_LIBDIR='$libdir'
FRR_SYSCONFDIR='$(arg_value sysconfdir)'
FRR_STATEDIR='$(arg_value localstatedir)'
FRR_MODULEDIR='$(arg_value with-moduledir)'
FRR_VTYSH_SCAN='$vtysh_scan'
FRR_VTYSH_DAEMONS='$vtysh_daemons'
FRR_EXTRACT_ARGS='$extract_args'
FRR_VTYSH_GEN='$vtysh_gen'
FRR_XREF_DIR='${xdir:-}'
FRR_XREF_FILES='$xref_files'
EOF
log "ready: $source"
