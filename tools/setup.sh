#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# setup.sh: everything a fresh Debian 12 or 13 machine needs to build and test
# qspnd, then the build itself (in ./build).  Idempotent; run as root.
#
#   tools/setup.sh            install what is missing, configure, make
#   BUILD_DIR=dir tools/setup.sh
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build}
export PATH=/usr/sbin:/usr/bin:/sbin:/bin

log() { echo "== setup: $*"; }

if [ "$(id -u)" != 0 ]; then
	echo "setup.sh: run as root (it installs Debian packages and FRR)" >&2
	exit 1
fi

# Debian packages: FRR itself, the build tools, the libraries, what the tests
# run (pytest and xmltodict for FRR's topotest harness, gdb which the harness
# checks for, iproute2 for namespaces, nft for the kernel state checks), and
# what the package test uses (debhelper, lintian, mmdebstrap, rpm, rpmlint).
# Nothing else is assumed: tools/package-test.sh runs the main command in a
# fresh Debian root to prove it.
# Debian 12 (FRR 8.4) and Debian 13 (FRR 10.3) differ in libyang's major
# version and clang's.
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
case $codename in
bookworm) rel_pkgs=(libyang2-dev libyang2-tools libclang-rt-14-dev) ;;
trixie) rel_pkgs=(libyang-dev libyang3-tools libclang-rt-19-dev) ;;
*)
	echo "setup.sh: Debian 12 (bookworm) or 13 (trixie) is needed, this is '$codename'" >&2
	exit 1
	;;
esac
pkgs=(frr frr-pythontools build-essential autoconf automake libtool pkg-config
	perl patch dpkg-dev clang "${rel_pkgs[@]}" git xz-utils
	libprotobuf-c-dev protobuf-c-compiler libjson-c-dev libssl-dev
	libcmocka-dev libnftables-dev libreadline-dev libpam0g-dev libcap-dev
	python3 python3-pytest python3-xmltodict iproute2 gdb procps iputils-ping
	nftables frr-snmp frr-rpki-rtrlib liblua5.3-dev lua5.3
	debhelper lintian mmdebstrap rpm rpmlint)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	log "installing ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null
fi
# Debian starts FRR's service when the package is installed; qspnd's lab and
# tests run their own daemons in namespaces and do not need it.

cd "$top"
if [ ! -x configure ] || [ configure.ac -nt configure ]; then
	log "autoreconf"
	autoreconf -fi >/dev/null
fi
mkdir -p "$build"
cd "$build"
if [ ! -f Makefile ] || [ "$top/configure" -nt config.status ]; then
	log "configure (obtains and prepares the FRR source of the installed FRR)"
	"$top/configure" --quiet
fi
log "make"
make -j"$(nproc)" >/dev/null
log "built in $build"
