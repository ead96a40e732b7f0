#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# in-root.sh DIR CMD...: run CMD with DIR as the root of its own mount and
# PID namespaces (pivot_root, not chroot: FRR's topotest harness enters its
# routers' mount namespaces with nsenter, which resets a chroot to the
# namespace's real root).  DIR gets /proc, /sys, /dev and a fresh /run; the
# network stays the host's (apt reaches Debian's archive; the tests make
# their own namespaces).  Every process left inside dies with CMD.  Root only.
set -eu
[ $# -ge 2 ] || { echo "usage: $0 DIR CMD..." >&2; exit 2; }
dir=$(cd "$1" && pwd)
shift
[ "$(id -u)" = 0 ] || { echo "in-root.sh: run as root" >&2; exit 1; }
[ -x "$dir/bin/sh" ] || { echo "in-root.sh: $dir is not a root (no /bin/sh)" >&2; exit 1; }
exec unshare --mount --pid --fork --propagation private /bin/sh -c '
set -eu
r=$1
shift
mount --rbind "$r" "$r"
mount -t proc proc "$r/proc"
mount --rbind /sys "$r/sys"
mount --rbind /dev "$r/dev"
mount -t tmpfs -o mode=755 tmpfs "$r/run"
mkdir -p "$r/run/lock" "$r/.in-root-old"
cd "$r"
pivot_root . .in-root-old
umount -l /.in-root-old
rmdir /.in-root-old
cd /
exec /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
	LC_ALL=C.UTF-8 TERM=dumb "$@"
' in-root "$dir" "$@"
