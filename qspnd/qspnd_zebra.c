// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qspnd_zebra.c: the ZAPI session with zebra.
 *
 * libfrr's zclient reconnects by itself when zebra goes away; every
 * (re)connection calls qspnd_zebra_connected(), which re-registers and (once
 * routes exist) re-sends the whole state, so a zebra restart loses nothing.
 */
#include <zebra.h>

#include "lib/if.h"
#include "lib/log.h"
#include "lib/privs.h"
#include "lib/vrf.h"
#include "lib/zclient.h"

#include "qspnd.h"
#include "qspnd_debug.h"
#include "qspnd_frr.h"
#include "qspnd_kernel.h"
#include "qspnd_neigh.h"
#include "qspnd_zebra.h"
#include "qspnd_zroute.h"

static void qspnd_zebra_connected(struct zclient *zc)
{
	qspnd.zebra_connects++;
	/* zebra's verdict on each route qspnd installs (qspnd_zroute.c) */
	zebra_route_notify_send(ZEBRA_ROUTE_NOTIFY_REQUEST, zc, true);
	zclient_send_reg_requests(zc, VRF_DEFAULT);
	zlog_info("connected to zebra (connection #%u)", qspnd.zebra_connects);
	qspnd_kernel_zebra_connected();
}

/* zebra tells a new client of every interface with an "add", never with an
 * "up": an interface that is already up when qspnd starts (configured from a
 * file read before zebra answered, `-f` or a split qspnd.conf) only ever
 * shows up here, so it starts here too. */
static int qspnd_ifp_create(struct interface *ifp)
{
	QSPND_DEBUG(zebra, "interface %s added", ifp->name);
	qspnd_neigh_if_update(ifp);
	return 0;
}

static int qspnd_ifp_up(struct interface *ifp)
{
	QSPND_DEBUG(zebra, "interface %s up", ifp->name);
	qspnd_neigh_if_update(ifp);
	return 0;
}

static int qspnd_ifp_down(struct interface *ifp)
{
	QSPND_DEBUG(zebra, "interface %s down", ifp->name);
	qspnd_neigh_if_update(ifp);
	return 0;
}

static int qspnd_ifp_destroy(struct interface *ifp)
{
	QSPND_DEBUG(zebra, "interface %s deleted", ifp->name);
	qspnd_neigh_if_update(ifp);
	return 0;
}

/* zebra's verdict on each route (asked for on connect) */
static zclient_handler *const qspnd_handlers[] = {
	[ZEBRA_ROUTE_NOTIFY_OWNER] = qspnd_zroute_notify,
};

void qspnd_zebra_init(void)
{
	struct zclient_options opt = {};

	qspnd_if_zapi_register(qspnd_ifp_create, qspnd_ifp_up, qspnd_ifp_down,
			       qspnd_ifp_destroy);
	qspnd.zclient = zclient_new(qspnd.master, &opt, qspnd_handlers,
				    array_size(qspnd_handlers));
	zclient_init(qspnd.zclient, QSPND_ROUTE_TYPE, 0, &qspnd_privs);
	qspnd.zclient->zebra_connected = qspnd_zebra_connected;
}

void qspnd_zebra_stop(void)
{
	if (!qspnd.zclient)
		return;
	zclient_stop(qspnd.zclient);
	zclient_free(qspnd.zclient);
	qspnd.zclient = NULL;
}
