// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qspnd_ident.c: the operations on identities (doc/protocol/routes.md §5,
 * doc/protocol/qspn.md §8): ingress into another network (enter-net, phases 1
 * and 2), phase 2 alone (make-real), and the dismissal of a connectivity
 * identity (their YANG RPCs are qspnd_nb_rpcs.c's); and their engines:
 * parameters from the configuration, creation, the host ops and the signals the
 * engines send.  The identities themselves (registry, ports, neighbours, arcs,
 * sessions) are qspnd_neigh.c's.
 *
 * enter-net, in the order that keeps every failure harmless:
 *  1. validate everything (router, neighbour, levels, positions, namespace
 *     and device names); nothing changes on an error;
 *  2. the old identity's namespace and pseudo-interfaces are created by
 *     the planner for a provisional identity that has no arcs; if the
 *     kernel refuses, it is dismissed again and the system is where it was;
 *  3. commit: a new main identity takes the NICs over (ports, neighbours
 *     and their sessions: the peers see another identity behind the same
 *     MAC and link-local); its engine enters the host network with the
 *     chosen neighbour as external arc (qspn_enter_net); the old identity
 *     moves to the pseudo-interfaces, becomes a connectivity identity
 *     (qspn_make_connectivity) and forms arcs again there with the peers of
 *     its old network;
 *  4. phase 2 (real-position, or rpc make-real later): qspn_make_real;
 *  5. the ingress holds when the new engine leaves bootstrap with an arc
 *     (the host network answered); if it leaves bootstrap alone (the host
 *     vanished) or the deadline passes, the system goes back to the old
 *     identity at its old address, with a fresh engine;
 *  6. the old identity of a single node is needed by nobody: it is
 *     dismissed a moment after the ingress holds; that of a g-node member
 *     waits for rpc dismiss-identity, which asks QSPN (check_connectivity).
 *
 * Dismissal: prepare_destroy and destroy tell the connectivity g-node and
 * its outer neighbours; the identity says it is leaving in a last hello on
 * every port, and after a short grace (for those messages to leave) its
 * engine and sockets go, and the planner removes its namespace, its
 * pseudo-interfaces and the table names nobody uses any more.  A peer
 * connectivity identity that gets the order (got_prepare_destroy) is removed
 * the same way when QSPN asks for it (remove_identity), once.
 */
#include <zebra.h>

#include "lib/log.h"
#include "lib/privs.h"
#include "qspnd_frr.h"
#include "lib/vrf.h"

#include "qspn.h"

#include "qspnd.h"
#include "qspnd_debug.h"
#include "qspnd_ident.h"
#include "qspnd_kernel.h"
#include "qspnd_neigh.h"
#include "qspnd_netns.h"


/* after the ingress holds, before the old identity of a single node goes */
#define AUTO_DISMISS_MS 1000
/* after destroy(), before the identity's sessions close */
#define DISMISS_GRACE_MS 500

static uint32_t next_ns; /* ntkv<N>: counts up, never reused */

/* old identities of single nodes, dismissed once the ingress holds */
static struct qspnd_ident *auto_dismiss[8];

/*
 * The ingress in progress: it holds when the new identity's engine leaves
 * bootstrap with a QSPN arc (the host network answered); if it leaves
 * bootstrap alone (the host vanished: the engine gives up) or not at all
 * before the deadline, the system goes back to the old identity.
 */
#define ENTER_DEADLINE_MS 30000
static struct {
	struct qspnd_ident *old, *nw;
	struct qspn_naddr old_addr;
	uint32_t old_network;
	int64_t fp_id;
	int guest_level;
	bool migrate;
	qspnd_event_t *t_deadline;
} ingress;

static int virtual_level(const struct qspn_naddr *a,
			 const struct qspn_topology *t, int *count)
{
	int v = -1;

	*count = 0;
	for (int l = 0; l < a->levels; l++)
		if (a->pos[l] >= t->gsize[l]) {
			v = l;
			(*count)++;
		}
	return v;
}

static bool ns_name_ok(const char *ns)
{
	if (!ns[0])
		return false;
	for (const char *c = ns; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '_')
			return false;
	return true;
}

/* ---- the engines: parameters, creation, signals ------------------------ */

static void remove_requested(struct qspnd_ident *id);
static void bootstrap_complete(struct qspnd_ident *id);

/*
 * What an engine is built from, in one place: the parameters it takes from
 * the configuration, and whether a configuration change needs a new engine.
 */
void qspnd_ident_engine_params(const struct qspnd_config *cfg,
			       struct qspn_params *p)
{
	qspn_params_default(p);
	p->max_paths = cfg->max_paths;
	p->max_common_hops_ratio = cfg->max_common_hops_ratio;
}

bool qspnd_ident_engine_cfg_equal(const struct qspnd_config *a,
				  const struct qspnd_config *b)
{
	return qspn_naddr_equal(&a->addr, &b->addr) &&
	       a->topo.levels == b->topo.levels &&
	       memcmp(a->topo.gsize, b->topo.gsize, sizeof(a->topo.gsize)) ==
		       0 &&
	       a->network_id == b->network_id && a->max_paths == b->max_paths &&
	       a->max_common_hops_ratio == b->max_common_hops_ratio;
}

static void host_send(void *ctx, struct qspn_instance *inst, uint32_t arc,
		      const uint8_t *buf, size_t len)
{
	qspnd_neigh_send(arc, buf, len);
}

static void host_broadcast(void *ctx, struct qspn_instance *inst,
			   const uint32_t *arcs, size_t n_arcs,
			   const uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < n_arcs; i++)
		host_send(ctx, inst, arcs[i], buf, len);
}

static void host_signal(void *ctx, struct qspn_instance *inst,
			const struct qspn_signal *sig)
{
	struct qspnd_ident *id = ctx;

	switch (sig->type) {
	case QSPN_SIG_BOOTSTRAP_COMPLETE:
		zlog_info("QSPN bootstrap complete (identity %u%s%s)",
			  id->index, id->netns[0] ? " in " : "", id->netns);
		qspnd_kernel_sync_later();
		bootstrap_complete(id);
		break;
	case QSPN_SIG_DEST_ADDED:
	case QSPN_SIG_DEST_REMOVED:
	case QSPN_SIG_PATH_ADDED:
	case QSPN_SIG_PATH_CHANGED:
	case QSPN_SIG_PATH_REMOVED:
		QSPND_DEBUG(etp, "signal %d for (%d, %u)", sig->type,
			    sig->dest.lvl, sig->dest.pos);
		if (id->main && qspnd_neigh_ident_first() == id)
			qspnd_kernel_dest_changed(sig->dest);
		else
			qspnd_kernel_sync_later();
		break;
	case QSPN_SIG_ARC_REMOVED:
		qspnd_neigh_arc_lost(sig->arc, sig->bad_link);
		qspnd_kernel_sync_later();
		break;
	case QSPN_SIG_GNODE_SPLITTED:
		zlog_warn("QSPN: g-node (%d, %u) is split", sig->dest.lvl,
			  sig->dest.pos);
		break;
	case QSPN_SIG_REMOVE_IDENTITY:
		zlog_info("QSPN: identity %u%s%s is to be removed", id->index,
			  id->netns[0] ? " in " : "", id->netns);
		remove_requested(id);
		break;
	default:
		QSPND_DEBUG(events, "signal %d", sig->type);
		break;
	}
}

static uint32_t host_random(void *ctx)
{
	return (uint32_t)qspnd_random64();
}

static void host_log(void *ctx, int level, const char *msg)
{
	if (level >= QSPN_LOG_WARN)
		zlog_warn("QSPN: %s", msg);
	else if (level == QSPN_LOG_INFO)
		zlog_info("QSPN: %s", msg);
	else
		QSPND_DEBUG(etp, "%s", msg);
}

static const struct qspn_host_ops qspnd_host_ops = {
	.send = host_send,
	.broadcast = host_broadcast,
	.signal = host_signal,
	.random = host_random,
	.log = host_log,
};

void qspnd_ident_engine_create(struct qspnd_ident *id,
			       const struct qspnd_config *cfg, int64_t fp_id)
{
	struct qspn_params p;
	struct qspn_fp fp0;
	int32_t eld[QSPN_MAX_LEVELS] = {0};

	EVENT_OFF(id->t_engine);
	if (id->inst)
		qspn_instance_free(id->inst);
	qspnd_ident_engine_params(cfg, &p);
	qspn_fp_init_node(&fp0, fp_id, cfg->topo.levels, eld);
	id->inst = qspn_create_net(&p, &cfg->topo, &id->addr, &fp0,
				   &qspnd_host_ops, id, qspnd_now_ms());
	if (!id->inst)
		zlog_err("cannot start the QSPN engine");
	qspnd_neigh_engine_schedule(id);
}

/* ---- dismissal ---------------------------------------------------------- */

static void ident_forget(struct qspnd_ident *id)
{
	for (size_t i = 0; i < array_size(auto_dismiss); i++)
		if (auto_dismiss[i] == id)
			auto_dismiss[i] = NULL;
	if (ingress.old == id || ingress.nw == id) {
		EVENT_OFF(ingress.t_deadline);
		memset(&ingress, 0, sizeof(ingress));
	}
}

/* Free an identity: forgotten here first (the ingress, the auto
 * dismissal), then freed with its ports, neighbours and engine. */
static void ident_free(struct qspnd_ident *id)
{
	ident_forget(id);
	qspnd_neigh_ident_free(id);
}

/* Every identity goes: the router stopped or needs a new engine. */
void qspnd_ident_stop_all(void)
{
	while (qspnd_neigh_ident_first())
		ident_free(qspnd_neigh_ident_first());
}

static void dismiss_finish(qspnd_event_t *t)
{
	struct qspnd_ident *id = EVENT_ARG(t);

	zlog_info("identity %u in %s dismissed", id->index, id->netns);
	qspnd_neigh_hello_now(id); /* "leaving", once more */
	ident_free(id);
}

/* Tell the g-node and the neighbours, then go (doc/protocol/qspn.md §8.6,
 * §8.7). */
static void dismiss_start(struct qspnd_ident *id, bool prepare)
{
	uint64_t now = qspnd_now_ms();

	if (id->dismissing)
		return;
	for (size_t i = 0; i < array_size(auto_dismiss); i++)
		if (auto_dismiss[i] == id)
			auto_dismiss[i] = NULL;
	if (id->inst) {
		if (prepare)
			qspn_prepare_destroy(id->inst, now);
		qspn_destroy(id->inst, now);
		qspnd_neigh_engine_schedule(id);
	}
	id->dismissing = true;
	qspnd_neigh_hello_now(id);
	event_add_timer_msec(qspnd.master, dismiss_finish, id,
			      DISMISS_GRACE_MS, &id->t_dismiss);
}

static void remove_cb(qspnd_event_t *t)
{
	dismiss_start(EVENT_ARG(t), false);
}

static void remove_requested(struct qspnd_ident *id)
{
	if (id->main) {
		zlog_warn("QSPN asked to remove the main identity: ignored");
		return;
	}
	/* called from inside the engine: destroy() after it returns */
	if (!id->dismissing)
		event_add_event(qspnd.master, remove_cb, id, 0,
				 &id->t_dismiss);
}

static void auto_dismiss_cb(qspnd_event_t *t)
{
	for (size_t i = 0; i < array_size(auto_dismiss); i++) {
		struct qspnd_ident *id = auto_dismiss[i];

		if (!id)
			continue;
		auto_dismiss[i] = NULL;
		zlog_info("identity %u in %s had no arcs: dismissed", id->index,
			  id->netns);
		dismiss_start(id, false);
	}
}

static void schedule_auto_dismiss(void)
{
	static qspnd_event_t *t_auto;

	event_add_timer_msec(qspnd.master, auto_dismiss_cb, NULL,
			      AUTO_DISMISS_MS, &t_auto);
}

int qspnd_ident_dismiss(const char *ns, char *err, size_t len)
{
	struct qspnd_ident *id = qspnd_neigh_ident_by_ns(ns);

	if (!ns[0] || !id)
		return qspn_errf(err, len,
				 "no connectivity identity in namespace %s",
				 ns);
	if (id->main)
		return qspn_errf(err, len,
				 "the main identity cannot be dismissed");
	if (id->dismissing)
		return qspn_errf(err, len,
				 "the identity in %s is already leaving", ns);
	if (id == ingress.old)
		return qspn_errf(
			err, len,
			"the ingress that made %s is still in progress", ns);
	if (id->inst && !qspn_check_connectivity(id->inst))
		return qspn_errf(
			err, len,
			"the identity in %s is still needed for the connectivity of its g-node",
			ns);
	dismiss_start(id, id->conn_from > 1);
	return 0;
}

/* ---- the ingress holds, or is undone ------------------------------------- */

static void schedule_auto_dismiss(void);

static void enter_commit(void)
{
	zlog_info("enter-net: identity %u is in network %u", ingress.nw->index,
		  ingress.nw->network_id);
	if (ingress.guest_level == 0 && !ingress.migrate) {
		/* a single node: its old identity is needed by nobody */
		for (size_t i = 0; i < array_size(auto_dismiss); i++)
			if (!auto_dismiss[i]) {
				auto_dismiss[i] = ingress.old;
				break;
			}
		schedule_auto_dismiss();
	}
	EVENT_OFF(ingress.t_deadline);
	memset(&ingress, 0, sizeof(ingress));
}

static void enter_rollback(const char *why)
{
	struct qspnd_ident *old = ingress.old, *nw = ingress.nw;
	struct qspn_naddr old_addr = ingress.old_addr;
	uint32_t old_network = ingress.old_network;
	int64_t fp_id = ingress.fp_id;

	zlog_warn("enter-net: %s: back to identity %u at the previous address",
		  why, old->index);
	EVENT_OFF(ingress.t_deadline);
	memset(&ingress, 0, sizeof(ingress));
	while (old->n_ports)
		qspnd_neigh_port_free(old->ports[old->n_ports - 1]);
	qspnd_neigh_listen_stop(old);
	old->main = true;
	old->netns[0] = '\0';
	old->conn_from = old->conn_to = 0;
	old->addr = old_addr;
	old->network_id = old_network;
	qspnd_neigh_take_ports(old, nw);
	qspnd_neigh_ident_make_first(old);
	ident_free(nw);
	/* make_connectivity can't be undone: a fresh engine, same
	 * fingerprint id; the neighbours fill its map again */
	qspnd_ident_engine_create(old, &qspnd.router->cfg, fp_id);
	qspnd_neigh_arcs_update(old);
	qspnd_neigh_hello_now(old);
	qspnd_kernel_sync_later();
}

static void enter_deadline(qspnd_event_t *t)
{
	if (ingress.nw)
		enter_rollback("the host network did not answer in time");
}

static void bootstrap_complete(struct qspnd_ident *id)
{
	uint32_t arcs[1];

	if (!ingress.nw || id != ingress.nw)
		return;
	if (id->inst && qspn_current_arcs(id->inst, arcs, 1) > 0)
		enter_commit();
	else
		/* called from inside the engine: undo after it returns */
		event_add_timer_msec(qspnd.master, enter_deadline, NULL, 0,
				      &ingress.t_deadline);
}

/* ---- phase 2 ------------------------------------------------------------- */

int qspnd_ident_make_real(uint32_t pos, int32_t eldership, char *err,
			  size_t len)
{
	struct qspnd_router *r = qspnd.router;
	struct qspnd_ident *m = qspnd_neigh_ident_main();
	int n_virtual, v;

	if (!r || r->state != QSPND_ROUTER_ACTIVE || !m || !m->inst)
		return qspn_errf(err, len, "router qspn is not running");
	v = virtual_level(&m->addr, &r->cfg.topo, &n_virtual);
	if (n_virtual == 0)
		return qspn_errf(err, len,
				 "the main identity's address is already real");
	if (n_virtual > 1)
		return qspn_errf(
			err, len,
			"the main identity's address has %d virtual positions",
			n_virtual);
	if (pos >= r->cfg.topo.gsize[v])
		return qspn_errf(
			err, len,
			"position %u is not real at level %d (gsize %u)", pos,
			v, r->cfg.topo.gsize[v]);
	if (qspn_make_real(m->inst, qspnd_now_ms(), v, pos, eldership) != 0)
		return qspn_errf(err, len, "QSPN refused the position");
	m->addr.pos[v] = pos;
	zlog_info("main identity: position %u at level %d is real", pos, v);
	qspnd_neigh_engine_schedule(m);
	qspnd_neigh_hello_now(m);
	qspnd_kernel_sync_later();
	return 0;
}

/* ---- phase 1 ------------------------------------------------------------- */

static void random_mac(uint8_t mac[6])
{
	uint64_t r = qspnd_random64();

	memcpy(mac, &r, 6);
	mac[0] = (uint8_t)((mac[0] & 0xfe) | 0x02); /* local, unicast */
}

static void to_connectivity(void *uctx, struct qspn_naddr *addr)
{
	const struct qspnd_ident_enter_args *a = uctx;

	addr->pos[a->guest_level] = a->conn_pos;
}

/* The level of the new address as seen from the old one (its HCoord). */
static int coord_level(const struct qspn_naddr *from,
		       const struct qspn_naddr *to)
{
	for (int l = from->levels - 1; l >= 0; l--)
		if (from->pos[l] != to->pos[l])
			return l;
	return -1;
}

static int enter_validate(struct qspnd_ident_enter_args *a,
			  struct qspnd_neigh **np, char *err, size_t len)
{
	struct qspnd_router *r = qspnd.router;
	struct qspnd_ident *m = qspnd_neigh_ident_main();
	const struct qspn_topology *t;
	struct qspnd_neigh *n;
	int n_virtual, v;

	if (!r || r->state != QSPND_ROUTER_ACTIVE || !m || !m->inst)
		return qspn_errf(err, len, "router qspn is not running");
	if (ingress.nw)
		return qspn_errf(
			err, len,
			"an ingress is in progress; try again when it is done");
	t = &r->cfg.topo;
	for (struct qspnd_ident *id = qspnd_neigh_ident_first(); id;
	     id = id->next)
		if (id->dismissing)
			return qspn_errf(
				err, len,
				"an identity is being dismissed; try again in a moment");
	if (!qspn_naddr_is_real(&m->addr, t))
		return qspn_errf(
			err, len,
			"the main identity is still virtual: finish its ingress first (make-real)");
	if (a->guest_level < 0 || a->guest_level >= t->levels)
		return qspn_errf(
			err, len,
			"guest-level %d does not fit a topology of %d levels",
			a->guest_level, t->levels);
	v = virtual_level(&a->addr, t, &n_virtual);
	if (n_virtual != 1)
		return qspn_errf(
			err, len,
			"the new address must have exactly one virtual position (it has %d)",
			n_virtual);
	if (v < a->guest_level)
		return qspn_errf(
			err, len,
			"the virtual position is at level %d, below guest-level %d",
			v, a->guest_level);
	for (int l = 0; l < a->guest_level; l++)
		if (a->addr.pos[l] != m->addr.pos[l])
			return qspn_errf(
				err, len,
				"position %u at level %d differs from the current %u: levels below guest-level keep their positions",
				a->addr.pos[l], l, m->addr.pos[l]);
	if (!a->has_conn_pos)
		a->conn_pos = t->gsize[a->guest_level];
	if (a->conn_pos < t->gsize[a->guest_level] || a->conn_pos > 65535)
		return qspn_errf(
			err, len,
			"connectivity-position %u is not virtual at level %d (gsize %u)",
			a->conn_pos, a->guest_level, t->gsize[a->guest_level]);
	if (a->has_real_pos && a->real_pos >= t->gsize[v])
		return qspn_errf(
			err, len,
			"real-position %u is out of range at level %d (gsize %u)",
			a->real_pos, v, t->gsize[v]);
	n = qspnd_neigh_by_ll(m, a->neighbor_ll);
	if (!n)
		return qspn_errf(err, len, "no neighbour with that link-local");
	if (!n->network_id)
		return qspn_errf(err, len,
				 "the neighbour's network is not known");
	if (!a->migrate && n->network_id == m->network_id)
		return qspn_errf(
			err, len,
			"the neighbour is already in this network (%u): migrate, not enter-net",
			m->network_id);
	if (a->migrate && n->network_id != m->network_id)
		return qspn_errf(
			err, len,
			"the neighbour is in another network (%u): enter-net, not migrate",
			n->network_id);
	if (a->migrate && coord_level(&m->addr, &a->addr) <= a->guest_level)
		return qspn_errf(
			err, len,
			"the new address is inside the same g-node of level %d: nothing to migrate",
			a->guest_level + 1);
	if (n->state != NEIGH_UP || qspnd_neigh_cost(n) < 0)
		return qspn_errf(
			err, len,
			"no session with the neighbour yet; try again in a moment");
	if (!a->ns[0])
		snprintf(a->ns, sizeof(a->ns), "ntkv%u", next_ns);
	if (!ns_name_ok(a->ns))
		return qspn_errf(err, len, "bad namespace name %s", a->ns);
	if (qspnd_neigh_ident_by_ns(a->ns) || qspnd_netns_exists(a->ns))
		return qspn_errf(err, len, "namespace %s already exists",
				 a->ns);
	for (size_t i = 0; i < m->n_ports; i++)
		if (strlen(a->ns) + 1 + strlen(m->ports[i]->nic) >=
		    IFNAMSIZ)
			return qspn_errf(
				err, len,
				"%s_%s is too long for an interface name",
				a->ns, m->ports[i]->nic);
	*np = n;
	return 0;
}

int qspnd_ident_enter_net(struct qspnd_ident_enter_args *a, char *err,
			  size_t len)
{
	struct qspnd_router *r = qspnd.router;
	struct qspnd_ident *old = qspnd_neigh_ident_main(), *tmp, *nw;
	const struct qspn_topology *t;
	struct qspnd_neigh *n = NULL;
	struct qspn_params p;
	struct qspn_fp fp0, oldfp;
	struct qspn_external_arc ext;
	struct qspn_enter_args ea = {};
	int32_t eld[QSPN_MAX_LEVELS] = {0};
	int n_virtual, v;
	uint64_t now;

	if (enter_validate(a, &n, err, len) < 0)
		return -1;
	t = &r->cfg.topo;
	v = virtual_level(&a->addr, t, &n_virtual);

	/* 2. the namespace and the pseudo-interfaces, for an identity that
	 * has nothing else yet */
	tmp = qspnd_neigh_ident_new(false, a->ns);
	tmp->addr = old->addr;
	tmp->addr.pos[a->guest_level] = a->conn_pos;
	tmp->network_id = old->network_id;
	for (size_t i = 0; i < old->n_ports; i++) {
		char dev[2 * IFNAMSIZ];
		struct qspnd_port *pt;

		/* fits: checked by enter_validate() */
		snprintf(dev, sizeof(dev), "%s_%s", a->ns, old->ports[i]->nic);
		pt = qspnd_neigh_port_new(tmp, old->ports[i]->nic, dev);
		random_mac(pt->mac);
		pt->linklocal = qspnd_neigh_pick_linklocal();
	}
	qspnd_kernel_sync();
	for (size_t i = 0; i < tmp->n_ports; i++) {
		struct qspnd_port *pt = tmp->ports[i];

		frr_with_privs (&qspnd_privs) {
			pt->ifindex = qspnd_netns_ifindex(a->ns, pt->dev);
		}
		if (pt->ifindex <= 0) {
			qspn_errf(
				err, len,
				"could not create %s in namespace %s (see the log)",
				pt->dev, a->ns);
			ident_free(tmp);
			qspnd_kernel_sync();
			return -1;
		}
	}
	if (strncmp(a->ns, "ntkv", 4) == 0)
		next_ns++;

	/* 3. commit */
	now = qspnd_now_ms();
	nw = qspnd_neigh_ident_new(true, "");
	nw->addr = a->addr;
	nw->network_id = n->network_id;
	nw->prev_identity_id = old->identity_id;
	nw->guest_level = a->guest_level;
	ingress.old = old;
	ingress.nw = nw;
	ingress.old_addr = old->addr;
	ingress.old_network = old->network_id;
	ingress.guest_level = a->guest_level;
	ingress.migrate = a->migrate;
	qspnd_neigh_take_ports(nw, old);
	/* the pseudo-interfaces are the old identity's now */
	for (size_t i = 0; i < tmp->n_ports; i++) {
		tmp->ports[i]->id = old;
		old->ports[old->n_ports++] = tmp->ports[i];
	}
	tmp->n_ports = 0;
	ident_free(tmp);
	old->main = false;
	strlcpy(old->netns, a->ns, sizeof(old->netns));
	old->conn_from = a->guest_level + 1;
	/* ingress: up to the top; migration: up to where the two addresses
	 * part (doc/protocol/routes.md §5.1) */
	old->conn_to = a->migrate ? coord_level(&ingress.old_addr, &a->addr)
				  : t->levels;

	qspnd_ident_engine_params(&r->cfg, &p);
	/* the same fingerprint id (doc/protocol/qspn.md §8.2); elderships of
	 * the host g-nodes are not known here: 0 */
	if (qspn_get_fingerprint(old->inst, 0, &oldfp) != 0)
		oldfp.id = (int64_t)(qspnd_random64() >> 1);
	ingress.fp_id = oldfp.id;
	qspn_fp_init_node(&fp0, oldfp.id, t->levels, eld);
	ext.arc = n->id;
	ext.cost = qspnd_neigh_cost(n);
	ea.guest_level = a->guest_level;
	ea.host_level = v + 1;
	ea.prev = old->inst;
	ea.external = &ext;
	ea.n_external = 1;
	nw->inst = qspn_enter_net(&p, t, &nw->addr, &fp0, &ea, &qspnd_host_ops,
				  nw, now);
	if (nw->inst)
		qspnd_neigh_arc_adopted(n, ext.cost);
	else
		zlog_err("enter-net: QSPN refused the new identity");
	qspnd_neigh_arcs_update(nw);
	qspnd_neigh_engine_schedule(nw);

	old->addr.pos[a->guest_level] = a->conn_pos;
	if (qspn_make_connectivity(old->inst, now, old->conn_from, old->conn_to,
				   to_connectivity, a) != 0)
		zlog_warn("enter-net: make_connectivity refused");
	qspnd_neigh_engine_schedule(old);
	for (size_t i = 0; i < old->n_ports; i++)
		qspnd_neigh_port_start(old->ports[i]);
	zlog_info(
		"%s: identity %u is now connectivity in %s; identity %u is main in network %u",
		a->migrate ? "migrate" : "enter-net", old->index, old->netns,
		nw->index, nw->network_id);
	event_add_timer_msec(qspnd.master, enter_deadline, NULL,
			      ENTER_DEADLINE_MS, &ingress.t_deadline);
	qspnd_neigh_hello_now(nw);
	qspnd_kernel_sync_later();

	/* 4. phase 2 at once */
	if (a->has_real_pos)
		return qspnd_ident_make_real(a->real_pos, 0, err, len);
	return 0;
}
