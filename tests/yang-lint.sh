#!/bin/sh
# frr-qspnd.yang must be valid against the installed FRR modules.
set -e
command -v yanglint >/dev/null || { echo "yanglint not found (libyang2-tools or libyang3-tools)" >&2; exit 1; }
[ -f /usr/share/yang/frr-routing.yang ] || { echo "FRR's YANG modules are not in /usr/share/yang" >&2; exit 1; }
yanglint -p /usr/share/yang "${srcdir:-.}/yang/frr-qspnd.yang"
echo "frr-qspnd.yang: valid"
