// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qspnd_router.c: the router instance and the managed interfaces: the
 * configuration applied to what runs.
 *
 * One `router qspn` instance per daemon, created and destroyed by the
 * northbound (qspnd_nb_config.c).  Its configuration is applied leaf by leaf;
 * after each transaction qspnd_router_update() recomputes whether the router
 * has what it needs (a topology and an address) to run the protocol, and
 * passes the result on to the identities and the kernel.
 */
#include <zebra.h>

#include "lib/if.h"
#include "lib/log.h"
#include "lib/memory.h"
#include "lib/vrf.h"

#include "qspnd.h"
#include "qspnd_debug.h"
#include "qspnd_ident.h"
#include "qspnd_kernel.h"
#include "qspnd_neigh.h"
#include "qspnd_router.h"
#include "qspnd_sysview.h"

DEFINE_MTYPE_STATIC(QSPND, QSPND_ROUTER, "QSPN router");
DEFINE_MTYPE_STATIC(QSPND, QSPND_IF, "QSPN interface");

/* ---- the main identity's engine ---------------------------------------- */

/* what the main identity's engine was started with */
static struct {
	bool started;
	struct qspnd_config cfg;
} engine;

const struct qspnd_config *qspnd_router_engine_cfg(void)
{
	return &engine.cfg;
}

static void stop_all(void)
{
	qspnd_ident_stop_all();
	engine.started = false;
}

static void main_start(struct qspnd_router *r)
{
	struct qspnd_ident *id = qspnd_neigh_ident_new(true, "");

	id->addr = r->cfg.addr;
	id->network_id = r->cfg.network_id;
	qspnd_ident_engine_create(id, &r->cfg,
				  (int64_t)(qspnd_random64() >> 1));
	engine.started = true;
	engine.cfg = r->cfg;
	qspnd_neigh_engine_schedule(id);
}

/* The router's state or configuration changed (r NULL: it is gone): a new
 * engine if what it was built from changed, then every interface. */
static void engine_update(struct qspnd_router *r)
{
	struct vrf *vrf = vrf_lookup_by_id(VRF_DEFAULT);
	struct interface *ifp;
	bool active = r && r->state == QSPND_ROUTER_ACTIVE;

	if (engine.started &&
	    (!active || !qspnd_ident_engine_cfg_equal(&engine.cfg, &r->cfg)))
		stop_all();
	if (active && !engine.started)
		main_start(r);
	if (vrf)
		FOR_ALL_INTERFACES (vrf, ifp)
			qspnd_neigh_if_update(ifp);
	qspnd_kernel_sync_later();
}

/* ---- the router instance ------------------------------------------------ */

const char *qspnd_router_state_str(enum qspnd_router_state s)
{
	switch (s) {
	case QSPND_ROUTER_NO_TOPOLOGY:
		return "no topology configured";
	case QSPND_ROUTER_NO_ADDRESS:
		return "no address configured";
	case QSPND_ROUTER_ACTIVE:
		return "active";
	}
	return "unknown";
}

struct qspnd_router *qspnd_router_create(void)
{
	struct qspnd_router *r;

	assert(!qspnd.router);
	r = XCALLOC(MTYPE_QSPND_ROUTER, sizeof(*r));
	/* YANG defaults; the northbound applies them right after. */
	r->cfg.max_paths = 5;
	r->cfg.network_id = 1;
	r->cfg.max_common_hops_ratio = 0.6;
	r->cfg.anonymize = true;
	r->state = QSPND_ROUTER_NO_TOPOLOGY;
	qspnd.router = r;
	QSPND_DEBUG(events, "router created");
	return r;
}

void qspnd_router_destroy(void)
{
	if (!qspnd.router)
		return;
	QSPND_DEBUG(events, "router destroyed");
	XFREE(MTYPE_QSPND_ROUTER, qspnd.router);
	engine_update(NULL);
	qspnd_kernel_stop();
}

void qspnd_router_update(struct qspnd_router *r)
{
	enum qspnd_router_state old = r->state;

	if (!r->cfg.has_topology)
		r->state = QSPND_ROUTER_NO_TOPOLOGY;
	else if (!r->cfg.has_address)
		r->state = QSPND_ROUTER_NO_ADDRESS;
	else
		r->state = QSPND_ROUTER_ACTIVE;
	r->config_changes++;
	if (old != r->state)
		zlog_info("QSPN router: %s", qspnd_router_state_str(r->state));
	engine_update(r);
	qspnd_kernel_sync();
}

static int qspnd_if_new_hook(struct interface *ifp)
{
	struct qspnd_if *qif = XCALLOC(MTYPE_QSPND_IF, sizeof(*qif));

	ifp->info = qif;
	return 0;
}

static int qspnd_if_delete_hook(struct interface *ifp)
{
	struct qspnd_if *qif = ifp->info;

	if (qif) {
		qif->enabled = false;
		qspnd_neigh_if_update(ifp);
	}
	XFREE(MTYPE_QSPND_IF, ifp->info);
	return 0;
}

void qspnd_router_if_init(void)
{
	hook_register_prio(if_add, 0, qspnd_if_new_hook);
	hook_register_prio(if_del, 0, qspnd_if_delete_hook);
}

/* At exit: every identity, the router and the kernel state go (routes while
 * zebra is still there). */
void qspnd_router_terminate(void)
{
	stop_all();
	qspnd_neigh_stop();
	qspnd_sysview_fini();
	qspnd_kernel_fini();
	qspnd_router_destroy();
}
