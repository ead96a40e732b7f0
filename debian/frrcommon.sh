# /usr/lib/frr/frrcommon.sh as installed by the qspnd package.
#
# FRR's own file is diverted to frrcommon.sh.frr (`dpkg-divert --list qspnd`).
# frrinit.sh, /etc/init.d/frr, watchfrr.sh and frr@.service source this file;
# it sources FRR's, which reads /etc/frr/daemons, then registers qspnd as one
# of FRR's daemons, so that `qspnd=yes` in /etc/frr/daemons starts it under
# watchfrr, and `reload` runs a frr-reload.py that knows `router qspn`.
# Removing the qspnd package puts FRR's file back.

. /usr/lib/frr/frrcommon.sh.frr

case " $DAEMONS " in
*" qspnd "*) ;;
*) DAEMONS="$DAEMONS qspnd" ;;
esac
: "${qspnd_options=-A 127.0.0.1}"
if [ -x /usr/lib/frr/frr-reload.py ] && [ -x /usr/lib/frr/qspn-frr-reload.py ]; then
	RELOAD_SCRIPT=/usr/lib/frr/qspn-frr-reload.py
fi
