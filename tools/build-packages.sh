#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# build-packages.sh: qspnd's Debian source and binary packages, its source
# RPM, and their lint (doc/packaging.md).  Run by tools/package-test.sh; by
# hand after tools/setup.sh:
#
#   tools/build-packages.sh [OUTDIR]      (default: ./build/pkg)
#
#  1. the upstream tarball qspnd_<v>.orig.tar.xz: the files of this tree that
#     git tracks or would track (uncommitted changes included), debian/ apart;
#  2. the component qspnd_<v>.orig-frr.tar.xz: Debian's frr_<upstream>.orig.tar.xz
#     of the installed frr, byte for byte (from the FRR source that configure
#     fetched, else `apt-get source --download-only`);
#  3. dpkg-buildpackage -us -uc (source and binaries; the build itself
#     reaches no network: FRR's source is in the source package);
#  4. lintian --fail-on error on the .changes;
#  5. redhat/qspnd.spec: rpmspec parses it, rpmbuild -bs makes the SRPM,
#     rpmlint checks both.
# Prints how long each step took; exits non-zero at the first failure.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build}
out=${1:-$build/pkg}
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export LC_ALL=C.UTF-8

die() {
	echo "build-packages.sh: error: $*" >&2
	exit 1
}
step_t0=0
step() {
	local now
	now=$(date +%s)
	[ "$step_t0" = 0 ] || echo "== build-packages: ($((now - step_t0)) s)"
	step_t0=$now
	echo "== build-packages: $*"
}

version=$(sed -n 's/^AC_INIT(\[qspnd\], \[\([^]]*\)\].*/\1/p' "$top/configure.ac")
debver=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
[ "${debver%-*}" = "$version" ] ||
	die "debian/changelog is at $debver but configure.ac at $version"
frr_debver=$(dpkg-query -W -f='${Version}' frr) || die "frr is not installed (tools/setup.sh)"
frr_up=$(dpkg-query -W -f='${source:Upstream-Version}' frr)

rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)

step "upstream tarball qspnd_$version.orig.tar.xz"
(
	cd "$top"
	git ls-files -z --cached --others --exclude-standard |
		grep -zv '^debian/' |
		while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
		tar --null -T - --transform "s,^,qspnd-$version/," \
			--owner=0 --group=0 --numeric-owner --sort=name \
			--mtime="@$(git log -1 --format=%ct)" -cf - |
		xz -T0 -6 >"$out/qspnd_$version.orig.tar.xz"
)

step "component qspnd_$version.orig-frr.tar.xz (frr_$frr_up.orig.tar.xz of frr $frr_debver)"
frr_orig=
if [ -f "$build/frr-prep.env" ]; then
	srcdir=$(. "$build/frr-prep.env" && echo "$FRR_SRCDIR")
	[ -f "$(dirname "$srcdir")/download/frr_$frr_up.orig.tar.xz" ] &&
		frr_orig="$(dirname "$srcdir")/download/frr_$frr_up.orig.tar.xz"
fi
if [ -z "$frr_orig" ]; then
	mkdir -p "$out/frr-download"
	(cd "$out/frr-download" && apt-get source --download-only "frr=$frr_debver") >/dev/null
	frr_orig="$out/frr-download/frr_$frr_up.orig.tar.xz"
fi
# the checksum Debian's .dsc gives for it
dsc=$(ls "$(dirname "$frr_orig")"/frr_*.dsc 2>/dev/null | head -n1)
if [ -n "$dsc" ]; then
	want=$(sed -n "/^Checksums-Sha256:/,/^[^ ]/s/^ \([0-9a-f]*\) [0-9]* frr_$frr_up.orig.tar.xz$/\1/p" "$dsc")
	have=$(sha256sum "$frr_orig" | cut -d' ' -f1)
	[ "$want" = "$have" ] || die "$frr_orig is not the tarball of $dsc ($have, want $want)"
	echo "frr_$frr_up.orig.tar.xz sha256 $have (as in $(basename "$dsc"))"
fi
cp "$frr_orig" "$out/qspnd_$version.orig-frr.tar.xz"

step "unpack the source tree"
src="$out/qspnd-$version"
tar -xJf "$out/qspnd_$version.orig.tar.xz" -C "$out"
cp -a "$top/debian" "$src/debian"
mkdir "$src/frr"
tar -xJf "$out/qspnd_$version.orig-frr.tar.xz" -C "$src/frr" --strip-components=1

step "dpkg-buildpackage -us -uc"
t=$(date +%s)
(cd "$src" && dpkg-buildpackage -us -uc -j"$(nproc)") >"$out/dpkg-buildpackage.log" 2>&1 || {
	tail -n 60 "$out/dpkg-buildpackage.log" >&2
	die "dpkg-buildpackage failed (log: $out/dpkg-buildpackage.log)"
}
echo "built in $(($(date +%s) - t)) s:"
(cd "$out" && ls -l ./*.deb ./*.dsc ./*.tar.xz | awk '{print "  " $5 "\t" $9}')
for deb in "$out"/*.deb; do
	echo "-- $(basename "$deb"): $(dpkg-deb -f "$deb" Installed-Size) KiB installed"
	dpkg-deb -f "$deb" Depends | sed 's/^/   Depends: /'
done

step "lintian: no error tag (overrides, each commented, shown as O:)"
changes=$(ls "$out"/qspnd_*.changes)
# --fail-on none: lintian's own failures still exit non-zero; the errors are
# the E: lines (an overridden error is shown as O:, with its comment)
lintian --fail-on none --info --show-overrides "$changes" >"$out/lintian.log" 2>&1 || {
	cat "$out/lintian.log" >&2
	die "lintian did not run"
}
grep -E '^[EWIPXO]:' "$out/lintian.log" | sed 's/^/  /' || true
if grep -q '^E:' "$out/lintian.log"; then
	die "lintian found errors (log: $out/lintian.log)"
fi
echo "lintian: no error; $(grep -c '^W:' "$out/lintian.log") warnings, $(grep -c '^I:' "$out/lintian.log") info, $(grep -c '^O:' "$out/lintian.log") overridden"

step "redhat/qspnd.spec: parse, source RPM, rpmlint"
spec="$build/redhat/qspnd.spec"
[ -f "$spec" ] || die "$spec not generated (configure)"
rpmtop="$out/rpmbuild"
mkdir -p "$rpmtop/SOURCES"
# Source0 is the upstream tarball (the same content, RPM's name for it),
# Source1 FRR's upstream tarball, Debian's frr_<v>.orig.tar.xz.
cp "$out/qspnd_$version.orig.tar.xz" "$rpmtop/SOURCES/qspnd-$version.tar.xz"
cp "$frr_orig" "$rpmtop/SOURCES/frr_$frr_up.orig.tar.xz"
rpmspec -P "$spec" >"$out/qspnd.spec.parsed"
rpmbuild -bs --nodeps --define "_topdir $rpmtop" "$spec" >"$out/rpmbuild.log" 2>&1 || {
	cat "$out/rpmbuild.log" >&2
	die "rpmbuild -bs failed"
}
srpm=$(ls "$rpmtop"/SRPMS/*.src.rpm)
echo "  $(stat -c %s "$srpm")	$(basename "$srpm")"
rpmlint -r "$top/redhat/qspnd.rpmlintrc" "$spec" "$srpm" >"$out/rpmlint.log" 2>&1 || {
	cat "$out/rpmlint.log" >&2
	die "rpmlint found errors"
}
sed 's/^/  /' "$out/rpmlint.log"
step "done: $out"
