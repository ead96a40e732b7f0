// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qspn_engine.c: the QSPN instance (doc/protocol/qspn.md §5, §6, §8):
 * constructors, arcs, message dispatch (parse -> validate -> act), the
 * get_full_etp requests as continuations with deadlines, bootstrap and its
 * exit, the periodic full ETP, split checks, connectivity identities and
 * teardown.
 *
 * The reference runs each of these as a cooperative tasklet that blocks on
 * RPCs and sleeps; here every "block" is a pending request (struct
 * qspn_req) or a timer (struct qspn_timer) and the code after it is the
 * handler of the reply or of the deadline (doc/style.md §3.2 items 8, 9).
 *
 * Where this port departs from the reference (lukisi/qspn cc8397f):
 *  - reference bugs fixed (doc/protocol/qspn.md §10): 10.3 an arc removed
 *    during bootstrap is removed everywhere, without a signal; 10.10
 *    got_prepare_destroy is propagated and timed once per identity;
 *    10.12 peer addresses are keyed by arc, kept across arc_change;
 *    10.14 a null eldership is the youngest on both sides (qspn_fp.c).
 *  - [DIFF] 10.13: enter_net's own-info signals reach the host (it has its
 *    ops from the constructor on); the copied paths still emit nothing.
 *  - [DIFF] 10.17: the C additions of §3.4.5 are validated, plus hop lists
 *    with a g-node twice; outgoing ETPs are checked too (tx_invalid).
 *  - The missing-ACK handler of §5.10 lives in the host's transport
 *    (qspn_host_ops.broadcast); reliable-send failures come back through
 *    qspn_transport_error().  An unanswered get_full_etp ends after
 *    rpc_timeout_ms as a transport error; a request held for an arc that
 *    never appears is answered NotAccepted after arc_timeout_ms.
 *  - [DIFF] one pending first-split flood per instance (later detections
 *    join it); an exposed path that stops being valid is marked not
 *    exposed (qspn_map.c).
 *  - The 10 s bootstrap give-up (10.6) and every other constant of §5.13
 *    are struct qspn_params fields.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qspn_engine_int.h"

void qspn_params_default(struct qspn_params *p)
{
	memset(p, 0, sizeof(*p));
	p->max_paths = 5;
	p->max_common_hops_ratio = 0.6;
	p->arc_timeout_ms = 10000;
	p->rpc_timeout_ms = 20000;
	p->bootstrap_timeout_ms = 10000;
	p->presence_delay_ms = 1000;
	p->periodic_ms = 600000;
	p->split_flood_ms = 500;
	p->connectivity_delay_ms = 50;
	p->destroy_wait_ms = 10000;
	p->max_msg_bytes = 4u << 20;
	p->max_pending_rx = 64;
	p->regain = true;
	p->regain_delay_ms = 20;
}

const char *qspn_rx_result_str(enum qspn_rx_result r)
{
	static const char *const names[QSPN_RX__MAX] = {
		[QSPN_RX_OK] = "ok",
		[QSPN_RX_QUEUED] = "queued",
		[QSPN_RX_IGNORED] = "ignored",
		[QSPN_RX_ERR_TOO_BIG] = "too-big",
		[QSPN_RX_ERR_DECODE] = "decode",
		[QSPN_RX_ERR_TYPE] = "type",
		[QSPN_RX_ERR_LEVELS] = "levels",
		[QSPN_RX_ERR_GSIZE] = "gsize",
		[QSPN_RX_ERR_SAME_ADDR] = "same-address",
		[QSPN_RX_ERR_TPLIST] = "tp-list",
		[QSPN_RX_ERR_PATH] = "path",
		[QSPN_RX_ERR_HEADER] = "header",
		[QSPN_RX_ERR_NO_ARC] = "no-arc",
	};

	if ((unsigned)r >= QSPN_RX__MAX || !names[r])
		return "?";
	return names[r];
}

/* --- small services ------------------------------------------------------ */

static void emit_simple(struct qspn_instance *inst, int type)
{
	struct qspn_signal s = {.type = type};

	qspn_emit(inst, &s);
}

static void emit_arc_removed(struct qspn_instance *inst, uint32_t handle,
			     bool bad_link)
{
	struct qspn_signal s = {.type = QSPN_SIG_ARC_REMOVED,
				.arc = handle,
				.bad_link = bad_link};

	qspn_emit(inst, &s);
}

/* Give back what a burst of timers (a cold start's split checks) took. */
static void timers_shrink(struct qspn_instance *inst)
{
	if (inst->cap_timers > 16 && inst->n_timers < inst->cap_timers / 4) {
		inst->cap_timers /= 2;
		inst->timers = qspn_xrealloc(inst->timers, inst->cap_timers,
					     sizeof(*inst->timers));
	}
	if (inst->cap_split > 16 && inst->n_split < inst->cap_split / 4) {
		inst->cap_split /= 2;
		inst->split_pairs =
			qspn_xrealloc(inst->split_pairs, inst->cap_split,
				      sizeof(*inst->split_pairs));
	}
}

static void timer_simple(struct qspn_instance *inst, int kind, uint64_t at)
{
	struct qspn_timer t;

	memset(&t, 0, sizeof(t));
	t.kind = kind;
	t.at = at;
	qspn_timer_add(inst, &t);
}

static void timers_cancel(struct qspn_instance *inst, int kind)
{
	uint32_t w = 0;

	for (uint32_t i = 0; i < inst->n_timers; i++) {
		if (inst->timers[i].kind == kind) {
			qspn_hclist_free(&inst->timers[i].b);
			continue;
		}
		inst->timers[w++] = inst->timers[i];
	}
	inst->n_timers = w;
}

static uint32_t rand31(struct qspn_instance *inst)
{
	return inst->ops->random ? inst->ops->random(inst->ctx) & 0x7fffffffu
				 : 1;
}

/* --- arcs ---------------------------------------------------------------- */

/* §2.3: random id in [1, 2^31-1), unused in this instance */
static uint32_t new_arc_id(struct qspn_instance *inst)
{
	for (;;) {
		uint32_t id = rand31(inst);

		if (id != 0 && id != 0x7fffffffu && !qspn_arc_by_id(inst, id))
			return id;
		if (!inst->ops->random) /* degenerate host: count up */
			for (id = 1;; id++)
				if (!qspn_arc_by_id(inst, id))
					return id;
	}
}

static struct qspn_arc *arc_store(struct qspn_instance *inst, uint32_t handle,
				  uint32_t id, int64_t cost)
{
	struct qspn_arc *a;

	if (inst->n_arcs == inst->cap_arcs) {
		inst->cap_arcs = inst->cap_arcs ? inst->cap_arcs * 2 : 4;
		inst->arcs = qspn_xrealloc(inst->arcs, inst->cap_arcs,
					   sizeof(*inst->arcs));
	}
	a = &inst->arcs[inst->n_arcs++];
	memset(a, 0, sizeof(*a));
	a->handle = handle;
	a->id = id;
	a->cost = cost;
	return a;
}

static void arc_unstore(struct qspn_instance *inst, uint32_t id)
{
	for (uint32_t i = 0; i < inst->n_arcs; i++)
		if (inst->arcs[i].id == id) {
			memmove(&inst->arcs[i], &inst->arcs[i + 1],
				(inst->n_arcs - i - 1) * sizeof(*inst->arcs));
			inst->n_arcs--;
			return;
		}
}

static bool peer_coord(const struct qspn_instance *inst,
		       const struct qspn_arc *a, struct qspn_hcoord *c)
{
	return a->has_peer && qspn_coord_by_address(&inst->me, &a->peer, c);
}

/* --- sending ------------------------------------------------------------- */

/*
 * §3.4: every ETP we send obeys the rules we enforce on receipt (the
 * reference asserts it; here a failure is logged and counted, and the
 * message is still sent: the receiver will reject it).
 */
static void tx_check(struct qspn_instance *inst, const struct qspn_msg *m)
{
	enum qspn_rx_result r;

	if (!m->has_etp)
		return;
	r = qspn_etp_validate(&inst->topo, &m->etp);
	if (r == QSPN_RX_OK && !qspn_naddr_equal(&m->etp.addr, &inst->me))
		r = QSPN_RX_ERR_SAME_ADDR;
	if (r != QSPN_RX_OK) {
		inst->stats.tx_invalid++;
		qspn_logf(inst, QSPN_LOG_WARN, "sending an invalid ETP (%s)",
			  qspn_rx_result_str(r));
	}
}

static void tx_unicast(struct qspn_instance *inst, uint32_t handle,
		       const struct qspn_msg *m)
{
	size_t len = 0;
	uint8_t *buf;

	tx_check(inst, m);
	buf = qspn_wire_encode(m, inst->L, &len);
	if (!buf)
		return;
	inst->stats.tx_msgs++;
	inst->stats.tx_bytes += len;
	if (inst->ops->send)
		inst->ops->send(inst->ctx, inst, handle, buf, len);
	free(buf);
}

static void tx_broadcast(struct qspn_instance *inst, const uint32_t *handles,
			 size_t n, const struct qspn_msg *m)
{
	size_t len = 0;
	uint8_t *buf;

	if (n == 0)
		return;
	tx_check(inst, m);
	buf = qspn_wire_encode(m, inst->L, &len);
	if (!buf)
		return;
	inst->stats.tx_msgs++;
	inst->stats.tx_bytes += len;
	if (inst->ops->broadcast)
		inst->ops->broadcast(inst->ctx, inst, handles, n, buf, len);
	free(buf);
}

static void etp_msg(const struct qspn_instance *inst, struct qspn_msg *m,
		    const struct qspn_eplist *p, const struct qspn_hcoord *hops,
		    uint32_t n_hops, bool is_full)
{
	memset(m, 0, sizeof(*m));
	m->type = QSPN_MSG_SEND_ETP;
	m->is_full = is_full;
	m->has_etp = true;
	qspn_etp_header(inst, &m->etp);
	m->etp.hops = (struct qspn_hcoord *)hops;
	m->etp.n_hops = n_hops;
	m->etp.paths = p ? p->v : NULL;
	m->etp.n_paths = p ? p->n : 0;
}

/* broadcast send_etp to every arc (except the one with id `except`) */
static void send_etp_all(struct qspn_instance *inst,
			 const struct qspn_eplist *p,
			 const struct qspn_hcoord *hops, uint32_t n_hops,
			 bool is_full, uint32_t except)
{
	struct qspn_msg m;
	uint32_t *h = qspn_xcalloc(inst->n_arcs + 1, sizeof(*h));
	size_t n = 0;

	for (uint32_t i = 0; i < inst->n_arcs; i++)
		if (inst->arcs[i].id != except)
			h[n++] = inst->arcs[i].handle;
	etp_msg(inst, &m, p, hops, n_hops, is_full);
	tx_broadcast(inst, h, n, &m);
	free(h);
}

static void send_full_etp_to(struct qspn_instance *inst, struct qspn_arc *a)
{
	struct qspn_eplist p = {0};
	struct qspn_msg m;

	qspn_collect_all(inst, NULL, &p);
	qspn_finalize(inst, &p);
	etp_msg(inst, &m, &p, NULL, 0, true);
	tx_unicast(inst, a->handle, &m);
	qspn_eplist_free(&p);
}

static void publish_full_etp(struct qspn_instance *inst)
{
	struct qspn_eplist p = {0};

	qspn_collect_all(inst, NULL, &p);
	qspn_finalize(inst, &p);
	send_etp_all(inst, &p, NULL, 0, true, 0);
	qspn_eplist_free(&p);
}

static void request_full_etp(struct qspn_instance *inst, struct qspn_arc *a,
			     int purpose, uint32_t gather)
{
	struct qspn_msg m;
	struct qspn_req *r;

	if (inst->n_reqs == inst->cap_reqs) {
		inst->cap_reqs = inst->cap_reqs ? inst->cap_reqs * 2 : 4;
		inst->reqs = qspn_xrealloc(inst->reqs, inst->cap_reqs,
					   sizeof(*inst->reqs));
	}
	r = &inst->reqs[inst->n_reqs++];
	r->id = ++inst->next_req;
	r->arc_id = a->id;
	r->purpose = purpose;
	r->gather = gather;
	r->deadline = inst->now + inst->prm.rpc_timeout_ms;
	memset(&m, 0, sizeof(m));
	m.type = QSPN_MSG_FULL_ETP_REQUEST;
	m.req_id = r->id;
	m.req_addr = inst->me;
	for (int i = 0; i < inst->L; i++)
		m.etp.gsize[i] = inst->topo.gsize[i];
	tx_unicast(inst, a->handle, &m);
}

/* --- after a merge: flood, clusters, forward ------------------------------ */

static void spawn_split_flood(struct qspn_instance *inst,
			      const struct qspn_hclist *b)
{
	struct qspn_timer t;

	if (b->n == 0)
		return;
	/* [DIFF] one pending flood per instance: destinations detected
	 * while one is pending join it (the reference spawns one task per
	 * update; the flood sends the current paths of B either way) */
	for (uint32_t i = 0; i < inst->n_timers; i++)
		if (inst->timers[i].kind == QSPN_T_SPLIT_FLOOD) {
			for (uint32_t j = 0; j < b->n; j++)
				qspn_hclist_add_unique(&inst->timers[i].b,
						       b->v[j]);
			return;
		}
	memset(&t, 0, sizeof(t));
	t.kind = QSPN_T_SPLIT_FLOOD;
	t.at = inst->now + inst->prm.split_flood_ms;
	for (uint32_t i = 0; i < b->n; i++)
		qspn_hclist_add_unique(&t.b, b->v[i]);
	qspn_timer_add(inst, &t);
}

/* update_map + finalize + flood + update_clusters; returns "changed" */
static bool merge(struct qspn_instance *inst, struct qspn_nplist *q,
		  uint32_t a_changed, struct qspn_eplist *p_out, bool flood)
{
	struct qspn_hclist b = {0};
	bool changed;

	qspn_update_map(inst, q, a_changed, p_out, &b);
	qspn_finalize(inst, p_out);
	if (flood)
		spawn_split_flood(inst, &b);
	qspn_hclist_free(&b);
	changed = qspn_update_clusters(inst);
	return changed;
}

/* --- merged forwards (doc/protocol/merging.md) --------------------------- */

#ifndef QSPN_FWD_GROW
#define QSPN_FWD_GROW 4 /* the window grows up to 4 times the base */
#endif

static void fwd_arm(struct qspn_instance *inst, uint64_t at)
{
	for (uint32_t i = 0; i < inst->n_timers; i++)
		if (inst->timers[i].kind == QSPN_T_FWD_FLUSH)
			return;
	timer_simple(inst, QSPN_T_FWD_FLUSH, at);
}

/*
 * Forward the changes of one update (§5.7, §5.9).  Window 0: at once, as
 * the reference.  Otherwise the first forward after a quiet window goes at
 * once too; one inside the window joins the pending set, which leaves at
 * the window's end as one broadcast with an empty TP-list to every arc.
 */
static void forward(struct qspn_instance *inst, const struct qspn_eplist *p,
		    bool changed, const struct qspn_hcoord *hops,
		    uint32_t n_hops, uint32_t except)
{
	uint32_t base = inst->prm.fwd_window_ms;

	if (!p->n && !changed)
		return;
	if (base == 0) {
		send_etp_all(inst, p, hops, n_hops, false, except);
		return;
	}
	if (!inst->fwd_w)
		inst->fwd_w = base;
	if (!inst->fwd_pending &&
	    (!inst->fwd_sent || inst->now >= inst->fwd_last + inst->fwd_w)) {
		/* quiet: relax the window, send as the reference does */
		if (inst->fwd_sent &&
		    inst->now >= inst->fwd_last + 2ull * inst->fwd_w)
			inst->fwd_w = inst->fwd_w / 2 > base ? inst->fwd_w / 2
							     : base;
		send_etp_all(inst, p, hops, n_hops, false, except);
		inst->fwd_last = inst->now;
		inst->fwd_sent = true;
		return;
	}
	inst->stats.fwd_merged++;
	inst->fwd_n_merged++;
	for (uint32_t i = 0; i < p->n; i++) {
		bool seen = false;

		for (uint32_t j = 0; j < inst->fwd.n && !seen; j++)
			seen = qspn_epath_same(&inst->fwd.v[j], &p->v[i]);
		if (!seen)
			qspn_eplist_push_copy(&inst->fwd, &p->v[i]);
	}
	inst->fwd_pending = true;
	fwd_arm(inst, inst->fwd_last + inst->fwd_w);
}

/* the window ended: every pending path with its current value (DEAD if
 * no longer stored), one broadcast to every arc */
static void fwd_flush(struct qspn_instance *inst)
{
	struct qspn_eplist out = {0};
	uint32_t base = inst->prm.fwd_window_ms;

	if (!inst->fwd_pending)
		return;
	for (uint32_t i = 0; i < inst->fwd.n; i++) {
		const struct qspn_epath *k = &inst->fwd.v[i];
		const struct qspn_dest *d =
			qspn_map_find(inst, k->hops[k->n - 1]);
		const struct qspn_npath *np = NULL;
		struct qspn_epath e;

		for (uint32_t j = 0; d && j < d->n && !np; j++)
			if (qspn_epath_same(&d->paths[j]->p, k))
				np = d->paths[j];
		if (np) {
			qspn_advertise(inst, np, false, &e);
		} else {
			qspn_epath_copy(&e, k);
			e.cost = qspn_cost_dead();
			e.ignore_outside = 0;
		}
		qspn_eplist_push_copy(&out, &e);
		qspn_epath_free(&e);
	}
	qspn_eplist_free(&inst->fwd);
	inst->fwd_pending = false;
	qspn_finalize(inst, &out);
	if (inst->n_arcs > 0 && !inst->stopped) {
		inst->stats.fwd_flushes++;
		send_etp_all(inst, &out, NULL, 0, false, 0);
	}
	qspn_eplist_free(&out);
	inst->fwd_last = inst->now;
	inst->fwd_sent = true;
	/* changes kept coming (several merged in this window): a longer
	 * window next time; one alone: back towards the base */
	if (inst->fwd_n_merged > 1 && inst->fwd_w < QSPN_FWD_GROW * base)
		inst->fwd_w *= 2;
	else if (inst->fwd_n_merged <= 1 && inst->fwd_w / 2 >= base)
		inst->fwd_w /= 2;
	inst->fwd_n_merged = 0;
}

/* --- gathers (arc_is_changed / arc_remove, §5.9) ------------------------- */

static struct qspn_gather *gather_find(struct qspn_instance *inst, uint32_t id)
{
	for (uint32_t i = 0; i < inst->n_gathers; i++)
		if (inst->gathers[i].id == id)
			return &inst->gathers[i];
	return NULL;
}

static void regain_check(struct qspn_instance *inst);

static void gather_complete(struct qspn_instance *inst, uint32_t id)
{
	struct qspn_gather g;
	struct qspn_eplist p_out = {0};
	struct qspn_hclist b = {0};
	bool changed;
	uint32_t i;

	for (i = 0; i < inst->n_gathers; i++)
		if (inst->gathers[i].id == id)
			break;
	if (i == inst->n_gathers)
		return;
	g = inst->gathers[i];
	memmove(&inst->gathers[i], &inst->gathers[i + 1],
		(inst->n_gathers - i - 1) * sizeof(*inst->gathers));
	inst->n_gathers--;

	qspn_update_map(inst, &g.q, g.a_changed, &p_out, &b);
	spawn_split_flood(inst, &b);
	qspn_hclist_free(&b);
	for (uint32_t k = 0; k < g.dead.n; k++)
		qspn_eplist_push_copy(&p_out, &g.dead.v[k]);
	qspn_finalize(inst, &p_out);
	changed = qspn_update_clusters(inst);
	if ((p_out.n || changed) && inst->n_arcs > 0)
		forward(inst, &p_out, changed, NULL, 0, 0);
	qspn_eplist_free(&p_out);
	qspn_nplist_free(&g.q);
	qspn_eplist_free(&g.dead);
	if (g.regain && inst->regain_id == g.id)
		inst->regain_id = 0;
	regain_check(inst);
}

static void gather_start(struct qspn_instance *inst, uint32_t a_changed,
			 struct qspn_eplist *dead, bool regain)
{
	struct qspn_gather *g;
	uint32_t id = ++inst->next_gather;

	if (inst->n_gathers == inst->cap_gathers) {
		inst->cap_gathers =
			inst->cap_gathers ? inst->cap_gathers * 2 : 4;
		inst->gathers = qspn_xrealloc(inst->gathers, inst->cap_gathers,
					      sizeof(*inst->gathers));
	}
	g = &inst->gathers[inst->n_gathers++];
	memset(g, 0, sizeof(*g));
	g->id = id;
	g->a_changed = a_changed;
	g->regain = regain;
	if (regain)
		inst->regain_id = id;
	if (dead) {
		g->dead = *dead;
		memset(dead, 0, sizeof(*dead));
	}
	g->outstanding = inst->n_arcs;
	/* requests may fail synchronously: count first, then send */
	{
		uint32_t n = inst->n_arcs;
		uint32_t *ids = qspn_xcalloc(n + 1, sizeof(*ids));

		for (uint32_t i = 0; i < n; i++)
			ids[i] = inst->arcs[i].id;
		for (uint32_t i = 0; i < n; i++) {
			struct qspn_arc *a = qspn_arc_by_id(inst, ids[i]);

			if (a)
				request_full_etp(inst, a, QSPN_REQ_GATHER, id);
			else if ((g = gather_find(inst, id)))
				g->outstanding--;
		}
		free(ids);
	}
	g = gather_find(inst, id);
	if (g && g->outstanding == 0)
		gather_complete(inst, id);
}

/*
 * A gather holds the replies until the last one is in (§5.9), and a reply
 * may be older than what its arc sent after it: a later ETP on the same
 * arc updates the held copy of every path it reports (a DEAD report
 * included), or the gather would install a path its arc has withdrawn
 * meanwhile (doc/protocol/recovery.md §2 item 5).
 */
static void gathers_refresh(struct qspn_instance *inst, uint32_t arc_id,
			    const struct qspn_nplist *q)
{
	for (uint32_t gi = 0; gi < inst->n_gathers; gi++) {
		struct qspn_nplist *held = &inst->gathers[gi].q;

		for (uint32_t i = 0; i < held->n; i++) {
			struct qspn_npath *c = held->v[i];

			if (c->arc_id != arc_id)
				continue;
			for (uint32_t j = 0; j < q->n; j++) {
				const struct qspn_npath *np = q->v[j];

				if (np->arc_id != arc_id ||
				    !qspn_epath_same(&c->p, &np->p))
					continue;
				c->p.cost = np->p.cost;
				c->p.fp = np->p.fp;
				c->p.nodes_inside = np->p.nodes_inside;
				break;
			}
		}
	}
}

static void gather_done_one(struct qspn_instance *inst, uint32_t id)
{
	struct qspn_gather *g = gather_find(inst, id);

	if (!g)
		return;
	if (g->outstanding)
		g->outstanding--;
	if (g->outstanding == 0)
		gather_complete(inst, id);
}

/*
 * Regaining a lost destination (doc/protocol/recovery.md): when received
 * reports took the last path of some destination away, ask every arc for
 * its full ETP, as arc_is_changed does (§5.9), and merge the answers.  One
 * such gather at a time; destinations lost while it runs start the next
 * one when it completes.  A gather's own losses count too, so the repair
 * goes on while the wave of DEAD reports it raced with is still passing.
 */
static void regain_check(struct qspn_instance *inst)
{
	if (!inst->lost)
		return;
	if (!inst->prm.regain || !inst->bootstrap_complete ||
	    inst->n_arcs == 0 || inst->stopped) {
		inst->lost = 0;
		return;
	}
	if (inst->regain_id)
		return; /* counted: the running gather restarts us */
	if (inst->prm.regain_delay_ms && !inst->regain_due) {
		for (uint32_t i = 0; i < inst->n_timers; i++)
			if (inst->timers[i].kind == QSPN_T_REGAIN)
				return; /* armed */
		timer_simple(inst, QSPN_T_REGAIN,
			     inst->now + inst->prm.regain_delay_ms);
		return;
	}
	inst->regain_due = false;
	inst->lost = 0;
	inst->stats.regains++;
	gather_start(inst, 0, NULL, true);
}

/* --- arc removal --------------------------------------------------------- */

static void boot_next(struct qspn_instance *inst);
static void poll_next(struct qspn_instance *inst);

/* A request on a removed arc ends as if it had failed (no more removal). */
static void reqs_of_arc_fail(struct qspn_instance *inst, uint32_t arc_id)
{
	for (uint32_t i = 0; i < inst->n_reqs;) {
		struct qspn_req r = inst->reqs[i];

		if (r.arc_id != arc_id) {
			i++;
			continue;
		}
		memmove(&inst->reqs[i], &inst->reqs[i + 1],
			(inst->n_reqs - i - 1) * sizeof(*inst->reqs));
		inst->n_reqs--;
		switch (r.purpose) {
		case QSPN_REQ_BOOTSTRAP:
			inst->boot_waiting = false;
			boot_next(inst);
			break;
		case QSPN_REQ_EXIT_POLL:
			poll_next(inst);
			break;
		case QSPN_REQ_GATHER:
			gather_done_one(inst, r.gather);
			break;
		default:
			break;
		}
		i = 0;
	}
}

/*
 * arc_remove (§5.9).  `module`: the engine decided it (emit arc_removed).
 * [DIFF] 10.3: during bootstrap the arc is removed everywhere.
 */
static void arc_remove_internal(struct qspn_instance *inst, uint32_t arc_id,
				bool module, bool bad_link)
{
	struct qspn_arc *a = qspn_arc_by_id(inst, arc_id);
	struct qspn_eplist dead = {0};
	struct qspn_hclist gone = {0};
	uint32_t handle;

	if (!a)
		return;
	handle = a->handle;
	if (!inst->bootstrap_complete) {
		arc_unstore(inst, arc_id);
		if (module)
			emit_arc_removed(inst, handle, bad_link);
		reqs_of_arc_fail(inst, arc_id);
		return;
	}
	/* signals first (the views need the arc), then drop */
	for (int l = 0; l < inst->L; l++) {
		struct qspn_level_map *lm = &inst->map[l];

		for (uint32_t di = 0; di < lm->n; di++) {
			struct qspn_dest *d = lm->d[di];
			uint32_t w = 0;

			for (uint32_t pi = 0; pi < d->n; pi++) {
				struct qspn_npath *np = d->paths[pi];

				if (np->arc_id != arc_id) {
					d->paths[w++] = np;
					continue;
				}
				{
					struct qspn_epath e;
					struct qspn_signal s = {
						.type = QSPN_SIG_PATH_REMOVED,
						.dest = d->hc};
					struct qspn_path view;
					struct qspn_path_hop *h = qspn_xcalloc(
						np->p.n, sizeof(*h));

					qspn_advertise(inst, np, true, &e);
					qspn_eplist_push_copy(&dead, &e);
					qspn_epath_free(&e);
					/* [CODE] 10.8(c): every dropped path */
					qspn_view_of(inst, np, &view, h);
					s.path = &view;
					s.arc = view.arc;
					qspn_emit(inst, &s);
					free(h);
				}
				qspn_npath_free(np);
			}
			d->n = w;
			if (w == 0)
				qspn_hclist_add_unique(&gone, d->hc);
		}
	}
	for (uint32_t i = 0; i < gone.n; i++) {
		struct qspn_signal s = {.type = QSPN_SIG_DEST_REMOVED,
					.dest = gone.v[i]};

		qspn_map_remove_dest(inst, gone.v[i]);
		qspn_emit(inst, &s);
	}
	qspn_hclist_free(&gone);
	arc_unstore(inst, arc_id);
	if (module)
		emit_arc_removed(inst, handle, bad_link);
	reqs_of_arc_fail(inst, arc_id);
	inst->lost = 0; /* this gather asks every arc already */
	gather_start(inst, 0, &dead, false);
	qspn_eplist_free(&dead);
}

/* --- bootstrap (§5.4) ---------------------------------------------------- */

static void exit_bootstrap_phase(struct qspn_instance *inst);

static void boot_next(struct qspn_instance *inst)
{
	if (inst->bootstrap_complete || inst->boot_waiting)
		return;
	for (uint32_t i = 0; i < inst->n_arcs; i++) {
		struct qspn_arc *a = &inst->arcs[i];

		if (!a->queued)
			continue;
		a->queued = false;
		inst->boot_waiting = true;
		request_full_etp(inst, a, QSPN_REQ_BOOTSTRAP, 0);
		return;
	}
	/* queue exhausted: give up after the timeout (§5.4) */
	timers_cancel(inst, QSPN_T_BOOTSTRAP_GIVEUP);
	timer_simple(inst, QSPN_T_BOOTSTRAP_GIVEUP,
		     inst->now + inst->prm.bootstrap_timeout_ms);
}

static void poll_next(struct qspn_instance *inst)
{
	while (inst->exit_polling && inst->i_poll < inst->n_poll) {
		struct qspn_arc *a =
			qspn_arc_by_id(inst, inst->poll_arcs[inst->i_poll++]);

		if (!a)
			continue;
		request_full_etp(inst, a, QSPN_REQ_EXIT_POLL, 0);
		return;
	}
	if (!inst->exit_polling)
		return;
	inst->exit_polling = false;
	free(inst->poll_arcs);
	inst->poll_arcs = NULL;
	inst->n_poll = inst->i_poll = 0;
	publish_full_etp(inst);
	timer_simple(inst, QSPN_T_PRESENCE,
		     inst->now + inst->prm.presence_delay_ms);
}

static void start_periodic(struct qspn_instance *inst)
{
	timers_cancel(inst, QSPN_T_PERIODIC);
	if (!inst->stopped)
		timer_simple(inst, QSPN_T_PERIODIC,
			     inst->now + inst->prm.periodic_ms);
}

static void exit_bootstrap_phase(struct qspn_instance *inst)
{
	inst->bootstrap_complete = true;
	inst->guest_level = inst->L;
	timers_cancel(inst, QSPN_T_BOOTSTRAP_GIVEUP);
	emit_simple(inst, QSPN_SIG_BOOTSTRAP_COMPLETE);
	start_periodic(inst);
	for (uint32_t i = 0; i < inst->n_arcs; i++)
		inst->arcs[i].queued = false;
	inst->exit_polling = true;
	free(inst->poll_arcs);
	inst->n_poll = inst->n_arcs;
	inst->i_poll = 0;
	inst->poll_arcs = qspn_xcalloc(inst->n_arcs + 1, sizeof(uint32_t));
	for (uint32_t i = 0; i < inst->n_arcs; i++)
		inst->poll_arcs[i] = inst->arcs[i].id;
	poll_next(inst);
}

/* --- constructors -------------------------------------------------------- */

static struct qspn_instance *
inst_new(const struct qspn_params *params, const struct qspn_topology *topo,
	 const struct qspn_naddr *me, const struct qspn_fp *fp0,
	 const struct qspn_host_ops *ops, void *ctx, uint64_t now)
{
	struct qspn_instance *inst;

	if (!topo || !me || !fp0 || !ops || me->levels != topo->levels ||
	    topo->levels < 1 || topo->levels > QSPN_MAX_LEVELS ||
	    fp0->level != 0 || fp0->n_eld != topo->levels)
		return NULL;
	inst = qspn_xcalloc(1, sizeof(*inst));
	if (params)
		inst->prm = *params;
	else
		qspn_params_default(&inst->prm);
	inst->topo = *topo;
	inst->L = topo->levels;
	inst->ops = ops;
	inst->ctx = ctx;
	inst->me = *me;
	inst->now = now;
	qspn_arena_init(&inst->arena,
			(size_t)inst->prm.max_msg_bytes * 8 + (1u << 20));
	/* §5.3: own info of a lone node */
	inst->my_fp[0] = *fp0;
	inst->my_nn[0] = 1;
	for (int k = 1; k <= inst->L; k++) {
		qspn_fp_construct(&inst->my_fp[k], &inst->my_fp[k - 1], NULL, 0,
				  false);
		inst->my_nn[k] = inst->my_nn[k - 1];
	}
	return inst;
}

struct qspn_instance *qspn_create_net(const struct qspn_params *params,
				      const struct qspn_topology *topo,
				      const struct qspn_naddr *me,
				      const struct qspn_fp *fp0,
				      const struct qspn_host_ops *ops,
				      void *ctx, uint64_t now_ms)
{
	struct qspn_instance *inst =
		inst_new(params, topo, me, fp0, ops, ctx, now_ms);

	if (!inst)
		return NULL;
	inst->bootstrap_complete = true;
	inst->guest_level = inst->L;
	inst->host_level = inst->L;
	timer_simple(inst, QSPN_T_BOOTSTRAP_SIGNAL, now_ms + 1);
	return inst;
}

struct qspn_instance *
qspn_enter_net(const struct qspn_params *params,
	       const struct qspn_topology *topo, const struct qspn_naddr *me,
	       const struct qspn_fp *fp0, const struct qspn_enter_args *args,
	       const struct qspn_host_ops *ops, void *ctx, uint64_t now_ms)
{
	struct qspn_instance *inst;
	const struct qspn_instance *prev = args ? args->prev : NULL;
	int k, hl;

	if (!args || !prev)
		return NULL;
	k = args->guest_level;
	hl = args->host_level;
	if (k < 0 || k >= hl || hl > topo->levels || prev->L != topo->levels ||
	    prev->conn_from > k)
		return NULL;
	inst = inst_new(params, topo, me, fp0, ops, ctx, now_ms);
	if (!inst)
		return NULL;
	/* 1. identity type */
	inst->conn_from = prev->conn_from;
	inst->conn_to = prev->conn_to < k ? prev->conn_to : k;
	if (prev->conn_from == 0 && prev->conn_to == 0)
		inst->conn_to = 0;
	/* 2., 3. arcs: internal ones inherit the previous id (§2.3) */
	for (size_t i = 0; i < args->n_internal; i++) {
		const struct qspn_internal_arc *ia = &args->internal[i];
		const struct qspn_arc *pa =
			qspn_arc_by_handle(prev, ia->prev_arc);
		struct qspn_arc *a;

		if (!pa || qspn_arc_by_handle(inst, ia->arc) ||
		    qspn_arc_by_id(inst, pa->id))
			continue;
		a = arc_store(inst, ia->arc, pa->id, ia->cost);
		a->peer = ia->peer;
		a->has_peer = true;
	}
	for (size_t i = 0; i < args->n_external; i++) {
		const struct qspn_external_arc *ea = &args->external[i];

		if (qspn_arc_by_handle(inst, ea->arc))
			continue;
		arc_store(inst, ea->arc, new_arc_id(inst), ea->cost);
	}
	/* 5. copy the map of levels < k, fingerprints rewritten (§8.2) */
	for (int l = 0; l < k; l++) {
		const struct qspn_level_map *lm = &prev->map[l];

		for (uint32_t di = 0; di < lm->n; di++) {
			const struct qspn_dest *pd = lm->d[di];
			struct qspn_dest *d = NULL;

			for (uint32_t pi = 0; pi < pd->n; pi++) {
				const struct qspn_npath *pp = pd->paths[pi];
				struct qspn_npath *np;
				int f = pp->p.fp.level;

				if (!qspn_arc_by_id(inst, pp->arc_id))
					continue;
				np = qspn_npath_new(pp->arc_id, &pp->p);
				np->exposed = false;
				for (int x = (f > k ? f : k); x < inst->L; x++)
					if (x - f >= 0 &&
					    x - f < np->p.fp.n_eld)
						np->p.fp.eld[x - f] =
							fp0->eld[x];
				if (!d) {
					d = qspn_xcalloc(1, sizeof(*d));
					d->hc = pd->hc;
				}
				if (d->n == d->cap) {
					d->cap = d->cap ? d->cap * 2 : 4;
					d->paths = qspn_xrealloc(
						d->paths, d->cap,
						sizeof(*d->paths));
				}
				d->paths[d->n++] = np;
			}
			if (d) {
				struct qspn_level_map *nl = &inst->map[l];

				if (nl->n == nl->cap) {
					nl->cap = nl->cap ? nl->cap * 2 : 4;
					nl->d = qspn_xrealloc(nl->d, nl->cap,
							      sizeof(*nl->d));
				}
				nl->d[nl->n++] = d; /* prev is sorted */
			}
		}
	}
	/* 6. own info; the signals are lost in the reference (10.13): here
	 * the host has its ops from the start, so they are delivered. */
	qspn_update_clusters(inst);
	/* 7. bootstrap */
	inst->bootstrap_complete = false;
	inst->guest_level = k;
	inst->host_level = hl;
	for (uint32_t i = 0; i < inst->n_arcs; i++)
		inst->arcs[i].queued = !inst->arcs[i].has_peer;
	boot_next(inst);
	return inst;
}

void qspn_instance_free(struct qspn_instance *inst)
{
	if (!inst)
		return;
	for (int l = 0; l < inst->L; l++) {
		for (uint32_t i = 0; i < inst->map[l].n; i++)
			qspn_dest_free(inst->map[l].d[i]);
		free(inst->map[l].d);
	}
	for (uint32_t i = 0; i < inst->n_timers; i++)
		qspn_hclist_free(&inst->timers[i].b);
	for (uint32_t i = 0; i < inst->n_gathers; i++) {
		qspn_nplist_free(&inst->gathers[i].q);
		qspn_eplist_free(&inst->gathers[i].dead);
	}
	qspn_eplist_free(&inst->fwd);
	for (uint32_t i = 0; i < inst->n_prx; i++)
		free(inst->prx[i].buf);
	free(inst->prx);
	free(inst->gathers);
	free(inst->timers);
	free(inst->reqs);
	free(inst->arcs);
	free(inst->poll_arcs);
	free(inst->split_pairs);
	free(inst->view_paths);
	free(inst->view_hops);
	qspn_arena_fini(&inst->arena);
	free(inst);
}

/* --- arc entry points (§5.9) --------------------------------------------- */

static enum qspn_rx_result receive_one(struct qspn_instance *inst,
				       uint32_t handle, const uint8_t *buf,
				       size_t len, bool replay);

static void replay_pending(struct qspn_instance *inst, uint32_t handle)
{
	for (uint32_t i = 0; i < inst->n_prx;) {
		struct qspn_pending_rx p = inst->prx[i];

		if (p.arc != handle) {
			i++;
			continue;
		}
		memmove(&inst->prx[i], &inst->prx[i + 1],
			(inst->n_prx - i - 1) * sizeof(*inst->prx));
		inst->n_prx--;
		if (qspn_arc_by_handle(inst, handle))
			receive_one(inst, handle, p.buf, p.len, true);
		free(p.buf);
		i = 0;
	}
}

int qspn_arc_add(struct qspn_instance *inst, uint64_t now_ms, uint32_t handle,
		 int64_t cost_usec)
{
	struct qspn_arc *a;

	inst->now = now_ms;
	if (qspn_arc_by_handle(inst, handle) || cost_usec < 0)
		return -1;
	a = arc_store(inst, handle, new_arc_id(inst), cost_usec);
	if (!inst->bootstrap_complete) {
		/* the bootstrap loop picks it up if it is still running;
		 * otherwise exit_bootstrap_phase polls it (§5.4) */
		a->queued = true;
	} else {
		request_full_etp(inst, a, QSPN_REQ_ARC_ADD, 0);
	}
	replay_pending(inst, handle);
	return 0;
}

int qspn_arc_change(struct qspn_instance *inst, uint64_t now_ms,
		    uint32_t handle, int64_t cost_usec)
{
	struct qspn_arc *a = qspn_arc_by_handle(inst, handle);

	inst->now = now_ms;
	if (!a || cost_usec < 0)
		return -1;
	a->cost = cost_usec;
	if (!inst->bootstrap_complete)
		return 0;
	gather_start(inst, a->id, NULL, false);
	return 0;
}

int qspn_arc_remove(struct qspn_instance *inst, uint64_t now_ms,
		    uint32_t handle)
{
	struct qspn_arc *a = qspn_arc_by_handle(inst, handle);

	inst->now = now_ms;
	if (!a)
		return -1;
	arc_remove_internal(inst, a->id, false, false);
	return 0;
}

void qspn_transport_error(struct qspn_instance *inst, uint64_t now_ms,
			  uint32_t handle, bool bad_link)
{
	struct qspn_arc *a = qspn_arc_by_handle(inst, handle);

	inst->now = now_ms;
	if (a)
		arc_remove_internal(inst, a->id, true, bad_link);
}

/* --- handlers of received messages --------------------------------------- */

/* get_full_etp (§5.6) */
static void on_full_etp_request(struct qspn_instance *inst, struct qspn_arc *a,
				const struct qspn_msg *m)
{
	struct qspn_msg r;
	struct qspn_hcoord b;
	struct qspn_eplist p = {0};

	memset(&r, 0, sizeof(r));
	r.type = QSPN_MSG_FULL_ETP_REPLY;
	r.req_id = m->req_id;
	if (!inst->bootstrap_complete) {
		r.status = QSPN_REPLY_BOOTSTRAP_IN_PROGRESS;
		tx_unicast(inst, a->handle, &r);
		return;
	}
	a->peer = m->req_addr;
	a->has_peer = true;
	qspn_coord_by_address(&inst->me, &m->req_addr, &b);
	qspn_collect_all(inst, &b, &p);
	qspn_finalize(inst, &p);
	r.status = QSPN_REPLY_OK;
	r.has_etp = true;
	qspn_etp_header(inst, &r.etp);
	r.etp.paths = p.v;
	r.etp.n_paths = p.n;
	tx_unicast(inst, a->handle, &r);
	qspn_eplist_free(&p);
	inst->stats.etp_processed++;
}

/* send_etp (§5.7) */
static enum qspn_rx_result on_send_etp(struct qspn_instance *inst,
				       struct qspn_arc *a, struct qspn_msg *m)
{
	struct qspn_nplist q = {0};
	struct qspn_eplist p_out = {0};
	bool must_exit = false, changed;
	uint32_t arc_id = a->id;

	if (!inst->bootstrap_complete) {
		struct qspn_hcoord c;
		bool found = false;

		qspn_coord_by_address(&inst->me, &m->etp.addr, &c);
		if (c.lvl >= inst->guest_level)
			return QSPN_RX_IGNORED;
		for (uint32_t i = 0; i < m->etp.n_paths; i++) {
			const struct qspn_epath *p = &m->etp.paths[i];

			if (p->hops[p->n - 1].lvl == inst->host_level - 1)
				found = true;
		}
		if (!found)
			return QSPN_RX_IGNORED;
		must_exit = true;
	}
	if (!qspn_revise_etp(inst, &m->etp, a, m->is_full, &inst->arena, &q)) {
		qspn_nplist_free(&q);
		return QSPN_RX_IGNORED;
	}
	inst->stats.etp_processed++;
	if (inst->prm.regain)
		gathers_refresh(inst, arc_id, &q);
	changed = merge(inst, &q, 0, &p_out, true);
	qspn_nplist_free(&q);
	if (must_exit) {
		qspn_eplist_free(&p_out);
		exit_bootstrap_phase(inst);
		return QSPN_RX_OK;
	}
	if ((p_out.n || changed) && inst->n_arcs > 1)
		forward(inst, &p_out, changed, m->etp.hops, m->etp.n_hops,
			arc_id);
	qspn_eplist_free(&p_out);
	regain_check(inst);
	return QSPN_RX_OK;
}

static void on_reply(struct qspn_instance *inst, struct qspn_arc *a,
		     struct qspn_msg *m)
{
	struct qspn_req r;
	uint32_t i;
	bool ok = m->status == QSPN_REPLY_OK;

	for (i = 0; i < inst->n_reqs; i++)
		if (inst->reqs[i].id == m->req_id &&
		    inst->reqs[i].arc_id == a->id)
			break;
	if (i == inst->n_reqs)
		return; /* stale or unsolicited */
	r = inst->reqs[i];
	memmove(&inst->reqs[i], &inst->reqs[i + 1],
		(inst->n_reqs - i - 1) * sizeof(*inst->reqs));
	inst->n_reqs--;

	if (m->status == QSPN_REPLY_NOT_ACCEPTED) {
		if (r.purpose == QSPN_REQ_BOOTSTRAP)
			inst->boot_waiting = false;
		/* removal ends the request's continuation too */
		arc_remove_internal(inst, a->id, true, false);
		switch (r.purpose) {
		case QSPN_REQ_BOOTSTRAP:
			boot_next(inst);
			break;
		case QSPN_REQ_EXIT_POLL:
			poll_next(inst);
			break;
		case QSPN_REQ_GATHER:
			gather_done_one(inst, r.gather);
			break;
		default:
			break;
		}
		return;
	}
	switch (r.purpose) {
	case QSPN_REQ_BOOTSTRAP: {
		struct qspn_hcoord c;
		struct qspn_nplist q = {0};
		struct qspn_eplist p_out = {0};

		inst->boot_waiting = false;
		if (!ok || inst->bootstrap_complete) {
			boot_next(inst);
			return;
		}
		qspn_coord_by_address(&inst->me, &m->etp.addr, &c);
		if (c.lvl < inst->guest_level || c.lvl >= inst->host_level) {
			boot_next(inst);
			return;
		}
		if (!qspn_revise_etp(inst, &m->etp, a, true, &inst->arena,
				     &q)) {
			qspn_nplist_free(&q);
			boot_next(inst);
			return;
		}
		inst->stats.etp_processed++;
		merge(inst, &q, 0, &p_out, false); /* B ignored (10.15) */
		inst->lost = 0; /* the map is being built */
		qspn_nplist_free(&q);
		qspn_eplist_free(&p_out);
		exit_bootstrap_phase(inst);
		return;
	}
	case QSPN_REQ_EXIT_POLL: {
		struct qspn_nplist q = {0};
		struct qspn_eplist p_out = {0};

		if (ok &&
		    qspn_revise_etp(inst, &m->etp, a, true, &inst->arena, &q)) {
			inst->stats.etp_processed++;
			merge(inst, &q, 0, &p_out, false);
			inst->lost = 0; /* the map is being built */
		}
		qspn_nplist_free(&q);
		qspn_eplist_free(&p_out);
		poll_next(inst);
		return;
	}
	case QSPN_REQ_ARC_ADD: {
		struct qspn_nplist q = {0};
		struct qspn_eplist p_out = {0};
		bool changed;
		uint32_t arc_id = a->id;

		if (!ok)
			return; /* BootstrapInProgress: it will flood */
		if (!qspn_revise_etp(inst, &m->etp, a, true, &inst->arena,
				     &q)) {
			qspn_nplist_free(&q);
			return;
		}
		inst->stats.etp_processed++;
		changed = merge(inst, &q, 0, &p_out, true);
		qspn_nplist_free(&q);
		if ((p_out.n || changed) && inst->n_arcs > 1)
			forward(inst, &p_out, changed, m->etp.hops,
				m->etp.n_hops, arc_id);
		qspn_eplist_free(&p_out);
		a = qspn_arc_by_id(inst, arc_id);
		if (a)
			send_full_etp_to(inst, a);
		regain_check(inst);
		return;
	}
	case QSPN_REQ_GATHER: {
		struct qspn_gather *g = gather_find(inst, r.gather);

		if (ok && g) {
			if (qspn_revise_etp(inst, &m->etp, a, true,
					    &inst->arena, &g->q))
				inst->stats.etp_processed++;
		}
		gather_done_one(inst, r.gather);
		return;
	}
	default:
		return;
	}
}

static void prepare_destroy_send(struct qspn_instance *inst)
{
	int i = inst->conn_from - 1;
	uint32_t *h = qspn_xcalloc(inst->n_arcs + 1, sizeof(*h));
	size_t n = 0;
	struct qspn_msg m;

	for (uint32_t x = 0; x < inst->n_arcs; x++) {
		struct qspn_hcoord c;

		if (peer_coord(inst, &inst->arcs[x], &c) && c.lvl < i)
			h[n++] = inst->arcs[x].handle;
	}
	memset(&m, 0, sizeof(m));
	m.type = QSPN_MSG_PREPARE_DESTROY;
	tx_broadcast(inst, h, n, &m);
	free(h);
}

static enum qspn_rx_result receive_one(struct qspn_instance *inst,
				       uint32_t handle, const uint8_t *buf,
				       size_t len, bool replay)
{
	struct qspn_msg m;
	enum qspn_rx_result r;
	struct qspn_arc *a;

	if (len > inst->prm.max_msg_bytes) {
		r = QSPN_RX_ERR_TOO_BIG;
		goto reject;
	}
	qspn_arena_reset(&inst->arena);
	r = qspn_wire_decode(&inst->arena, &inst->topo, buf, len, &m);
	if (r != QSPN_RX_OK)
		goto reject;
	if (m.type == QSPN_MSG_DAEMON) {
		r = QSPN_RX_IGNORED;
		goto out;
	}
	if (m.has_etp && qspn_naddr_equal(&m.etp.addr, &inst->me)) {
		r = QSPN_RX_ERR_SAME_ADDR;
		goto reject;
	}
	if (m.type == QSPN_MSG_FULL_ETP_REQUEST &&
	    qspn_naddr_equal(&m.req_addr, &inst->me)) {
		r = QSPN_RX_ERR_SAME_ADDR;
		goto reject;
	}
	/* validated: now identify the arc (§2.5) */
	a = qspn_arc_by_handle(inst, handle);
	if (!a) {
		if (m.type == QSPN_MSG_PREPARE_DESTROY) {
			/* no arc identification (§5.8) */
		} else if (!replay && inst->n_prx < inst->prm.max_pending_rx) {
			struct qspn_pending_rx *p;

			inst->prx = qspn_xrealloc(inst->prx, inst->n_prx + 1,
						  sizeof(*inst->prx));
			p = &inst->prx[inst->n_prx++];
			p->arc = handle;
			p->deadline = inst->now + inst->prm.arc_timeout_ms;
			p->buf = qspn_xcalloc(len, 1);
			memcpy(p->buf, buf, len);
			p->len = len;
			r = QSPN_RX_QUEUED;
			goto out;
		} else {
			r = QSPN_RX_ERR_NO_ARC;
			goto out;
		}
	}
	switch (m.type) {
	case QSPN_MSG_FULL_ETP_REQUEST:
		on_full_etp_request(inst, a, &m);
		break;
	case QSPN_MSG_FULL_ETP_REPLY:
		on_reply(inst, a, &m);
		break;
	case QSPN_MSG_SEND_ETP:
		r = on_send_etp(inst, a, &m);
		break;
	case QSPN_MSG_PREPARE_DESTROY:
		/* §5.8; [DIFF] 10.10: propagate once per identity */
		if (inst->conn_from == 0 && inst->conn_to == 0) {
			r = QSPN_RX_IGNORED;
			break;
		}
		if (inst->destroy_pending) {
			r = QSPN_RX_IGNORED;
			break;
		}
		inst->destroy_pending = true;
		prepare_destroy_send(inst);
		timer_simple(inst, QSPN_T_REMOVE_IDENTITY,
			     inst->now + inst->prm.destroy_wait_ms);
		break;
	case QSPN_MSG_DESTROY:
		arc_remove_internal(inst, a->id, true, false);
		break;
	default:
		r = QSPN_RX_ERR_TYPE;
		goto reject;
	}
out:
	inst->stats.rx[r]++;
	/* the per-message arena is released whole (an idle instance keeps
	 * no decode memory) */
	qspn_arena_fini(&inst->arena);
	return r;
reject:
	inst->stats.rx[r]++;
	qspn_arena_fini(&inst->arena);
	qspn_logf(inst, QSPN_LOG_WARN, "arc %u: message rejected (%s)", handle,
		  qspn_rx_result_str(r));
	/* a malformed message is a protocol error on its arc (§5.12) */
	a = qspn_arc_by_handle(inst, handle);
	if (a)
		arc_remove_internal(inst, a->id, true, false);
	return r;
}

enum qspn_rx_result qspn_receive(struct qspn_instance *inst, uint64_t now_ms,
				 uint32_t arc, const uint8_t *buf, size_t len)
{
	inst->now = now_ms;
	inst->stats.rx_msgs++;
	inst->stats.rx_bytes += len;
	return receive_one(inst, arc, buf, len, false);
}

/* --- timers -------------------------------------------------------------- */

uint64_t qspn_next_deadline(const struct qspn_instance *inst)
{
	uint64_t t = UINT64_MAX;

	for (uint32_t i = 0; i < inst->n_timers; i++)
		if (inst->timers[i].at < t)
			t = inst->timers[i].at;
	for (uint32_t i = 0; i < inst->n_reqs; i++)
		if (inst->reqs[i].deadline < t)
			t = inst->reqs[i].deadline;
	for (uint32_t i = 0; i < inst->n_prx; i++)
		if (inst->prx[i].deadline < t)
			t = inst->prx[i].deadline;
	return t;
}

static void split_check_fire(struct qspn_instance *inst,
			     const struct qspn_timer *t)
{
	const struct qspn_dest *d;
	bool eldest_there = false;

	for (uint32_t i = 0; i < inst->n_split; i++)
		if (inst->split_pairs[i][0] == t->fp_eldest &&
		    inst->split_pairs[i][1] == t->fp) {
			memmove(&inst->split_pairs[i],
				&inst->split_pairs[i + 1],
				(inst->n_split - i - 1) *
					sizeof(*inst->split_pairs));
			inst->n_split--;
			break;
		}
	d = qspn_map_find(inst, t->hc);
	if (!d)
		return;
	for (uint32_t i = 0; i < d->n; i++)
		if (d->paths[i]->p.fp.id == t->fp_eldest)
			eldest_there = true;
	if (!eldest_there)
		return;
	for (uint32_t x = 0; x < inst->n_arcs; x++) {
		struct qspn_arc *a = &inst->arcs[x];
		struct qspn_hcoord c;

		if (!peer_coord(inst, a, &c) || !qspn_hcoord_equal(c, t->hc))
			continue;
		for (uint32_t i = 0; i < d->n; i++) {
			if (d->paths[i]->arc_id != a->id)
				continue;
			if (d->paths[i]->p.fp.id == t->fp) {
				struct qspn_signal s = {
					.type = QSPN_SIG_GNODE_SPLITTED,
					.arc = a->handle,
					.dest = t->hc,
					.fp = &d->paths[i]->p.fp};

				qspn_emit(inst, &s);
			}
			break;
		}
	}
}

static void split_flood_fire(struct qspn_instance *inst,
			     const struct qspn_timer *t)
{
	struct qspn_eplist p = {0};

	for (uint32_t i = 0; i < t->b.n; i++) {
		const struct qspn_dest *d = qspn_map_find(inst, t->b.v[i]);

		for (uint32_t j = 0; d && j < d->n; j++) {
			struct qspn_epath e;

			qspn_advertise(inst, d->paths[j], false, &e);
			qspn_eplist_push_copy(&p, &e);
			qspn_epath_free(&e);
		}
	}
	qspn_finalize(inst, &p);
	if (p.n)
		send_etp_all(inst, &p, NULL, 0, false, 0);
	qspn_eplist_free(&p);
}

static void publish_connectivity(struct qspn_instance *inst,
				 struct qspn_hcoord old)
{
	uint32_t *h = qspn_xcalloc(inst->n_arcs + 1, sizeof(*h));
	size_t n = 0;
	struct qspn_msg m;

	for (uint32_t x = 0; x < inst->n_arcs; x++) {
		struct qspn_hcoord c;

		if (!peer_coord(inst, &inst->arcs[x], &c))
			continue;
		if ((c.lvl == old.lvl && c.pos != old.pos) || c.lvl > old.lvl)
			h[n++] = inst->arcs[x].handle;
	}
	etp_msg(inst, &m, NULL, &old, 1, false);
	tx_broadcast(inst, h, n, &m);
	free(h);
}

static void fire(struct qspn_instance *inst, struct qspn_timer *t)
{
	switch (t->kind) {
	case QSPN_T_BOOTSTRAP_SIGNAL:
		emit_simple(inst, QSPN_SIG_BOOTSTRAP_COMPLETE);
		start_periodic(inst);
		break;
	case QSPN_T_BOOTSTRAP_GIVEUP:
		if (!inst->bootstrap_complete)
			exit_bootstrap_phase(inst);
		break;
	case QSPN_T_PRESENCE:
		emit_simple(inst, QSPN_SIG_PRESENCE_NOTIFIED);
		break;
	case QSPN_T_PERIODIC:
		if (inst->n_arcs > 0)
			publish_full_etp(inst);
		start_periodic(inst);
		break;
	case QSPN_T_SPLIT_FLOOD:
		split_flood_fire(inst, t);
		break;
	case QSPN_T_SPLIT_CHECK:
		split_check_fire(inst, t);
		break;
	case QSPN_T_PUBLISH_CONN:
		publish_connectivity(inst, t->hc);
		break;
	case QSPN_T_REMOVE_IDENTITY:
		emit_simple(inst, QSPN_SIG_REMOVE_IDENTITY);
		break;
	case QSPN_T_FWD_FLUSH:
		fwd_flush(inst);
		break;
	case QSPN_T_REGAIN:
		inst->regain_due = true;
		regain_check(inst);
		inst->regain_due = false;
		break;
	default:
		break;
	}
}

/*
 * The arc of a held message never appeared (§2.5): a get_full_etp caller
 * gets NotAccepted (and will remove its arc, §5.12); other messages are
 * dropped and counted.
 */
static void prx_expired(struct qspn_instance *inst,
			const struct qspn_pending_rx *p)
{
	struct qspn_msg m;

	inst->stats.rx[QSPN_RX_ERR_NO_ARC]++;
	qspn_arena_reset(&inst->arena);
	if (qspn_wire_decode(&inst->arena, &inst->topo, p->buf, p->len, &m) ==
		    QSPN_RX_OK &&
	    m.type == QSPN_MSG_FULL_ETP_REQUEST) {
		struct qspn_msg r;

		memset(&r, 0, sizeof(r));
		r.type = QSPN_MSG_FULL_ETP_REPLY;
		r.req_id = m.req_id;
		r.status = QSPN_REPLY_NOT_ACCEPTED;
		tx_unicast(inst, p->arc, &r);
	}
	qspn_arena_fini(&inst->arena);
}

void qspn_tick(struct qspn_instance *inst, uint64_t now_ms)
{
	inst->now = now_ms;
	for (;;) {
		int best = -1;
		struct qspn_timer t;

		/* expired requests: transport error (§5.12) */
		for (uint32_t i = 0; i < inst->n_reqs; i++)
			if (inst->reqs[i].deadline <= now_ms) {
				uint32_t arc_id = inst->reqs[i].arc_id;

				if (qspn_arc_by_id(inst, arc_id))
					arc_remove_internal(inst, arc_id, true,
							    true);
				else
					reqs_of_arc_fail(inst, arc_id);
				/* the arc's requests were failed with it */
				goto again;
			}
		for (uint32_t i = 0; i < inst->n_prx; i++)
			if (inst->prx[i].deadline <= now_ms) {
				prx_expired(inst, &inst->prx[i]);
				free(inst->prx[i].buf);
				memmove(&inst->prx[i], &inst->prx[i + 1],
					(inst->n_prx - i - 1) *
						sizeof(*inst->prx));
				inst->n_prx--;
				goto again;
			}
		for (uint32_t i = 0; i < inst->n_timers; i++) {
			const struct qspn_timer *x = &inst->timers[i];

			if (x->at > now_ms)
				continue;
			if (best < 0 || x->at < inst->timers[best].at ||
			    (x->at == inst->timers[best].at &&
			     x->seq < inst->timers[best].seq))
				best = (int)i;
		}
		if (best < 0)
			return;
		t = inst->timers[best];
		memmove(&inst->timers[best], &inst->timers[best + 1],
			(inst->n_timers - (uint32_t)best - 1) *
				sizeof(*inst->timers));
		inst->n_timers--;
		timers_shrink(inst);
		fire(inst, &t);
		qspn_hclist_free(&t.b);
	again:;
	}
}

/* --- queries (§6.2) ------------------------------------------------------ */

bool qspn_is_bootstrap_complete(const struct qspn_instance *inst)
{
	return inst->guest_level == inst->L;
}

int qspn_get_known_destinations(const struct qspn_instance *inst, int lvl,
				struct qspn_hcoord *out, size_t max)
{
	const struct qspn_level_map *lm;

	if (lvl < 0 || lvl >= inst->L || lvl >= inst->guest_level)
		return -1;
	lm = &inst->map[lvl];
	for (uint32_t i = 0; i < lm->n && i < max; i++)
		out[i] = lm->d[i]->hc;
	return (int)lm->n;
}

bool qspn_is_known_destination(const struct qspn_instance *inst,
			       struct qspn_hcoord hc)
{
	if (hc.lvl >= inst->guest_level)
		return false;
	return qspn_map_find(inst, hc) != NULL;
}

int qspn_get_fingerprint_of_known_destination(const struct qspn_instance *inst,
					      struct qspn_hcoord hc,
					      struct qspn_fp *out)
{
	const struct qspn_dest *d;
	const struct qspn_fp *fp = NULL;

	if (hc.lvl >= inst->guest_level)
		return -1;
	d = qspn_map_find(inst, hc);
	if (!d)
		return -1;
	if (hc.lvl == 0) {
		*out = d->paths[0]->p.fp;
		return 0;
	}
	qspn_dest_best(d, inst, &fp, NULL);
	*out = *fp;
	return 0;
}

int qspn_get_paths_to(struct qspn_instance *inst, struct qspn_hcoord dest,
		      struct qspn_dest_paths *out)
{
	const struct qspn_dest *d;
	const struct qspn_fp *vfp = NULL;
	uint32_t nh = 0, np = 0;

	out->dest = dest;
	out->n_paths = 0;
	out->paths = NULL;
	if (dest.lvl < 0 || dest.lvl >= inst->guest_level)
		return dest.lvl >= 0 && dest.lvl < inst->L ? 0 : -1;
	d = qspn_map_find(inst, dest);
	if (!d)
		return 0;
	if (dest.lvl > 0) {
		/* the valid fingerprint: eldest among the paths (§4.6) */
		vfp = &d->paths[0]->p.fp;
		for (uint32_t i = 1; i < d->n; i++)
			if (!qspn_fp_equal(&d->paths[i]->p.fp, vfp) &&
			    qspn_fp_elder_seed(&d->paths[i]->p.fp, vfp))
				vfp = &d->paths[i]->p.fp;
	}
	for (uint32_t i = 0; i < d->n; i++)
		nh += d->paths[i]->p.n;
	if (d->n > inst->cap_view_paths) {
		inst->cap_view_paths = d->n;
		inst->view_paths = qspn_xrealloc(inst->view_paths, d->n,
						 sizeof(*inst->view_paths));
	}
	if (nh > inst->cap_view_hops) {
		inst->cap_view_hops = nh;
		inst->view_hops = qspn_xrealloc(inst->view_hops, nh,
						sizeof(*inst->view_hops));
	}
	nh = 0;
	for (uint32_t i = 0; i < d->n; i++) {
		const struct qspn_npath *p = d->paths[i];

		if (vfp && !qspn_fp_equal(&p->p.fp, vfp))
			continue;
		if (qspn_npath_cost(inst, p).kind != QSPN_COST_REAL)
			continue;
		qspn_view_of(inst, p, &inst->view_paths[np],
			     inst->view_hops + nh);
		nh += p->p.n;
		np++;
	}
	out->n_paths = np;
	out->paths = inst->view_paths;
	return 0;
}

static int path_source_get(void *ctx, struct qspn_hcoord dest,
			   struct qspn_dest_paths *out)
{
	qspn_get_paths_to(ctx, dest, out);
	return 0;
}

struct qspn_path_source qspn_path_source_of(struct qspn_instance *inst)
{
	struct qspn_path_source s = {.get_paths = path_source_get, .ctx = inst};

	return s;
}

int qspn_get_nodes_inside(const struct qspn_instance *inst, int level,
			  uint32_t *out)
{
	if (level < 0 || level > inst->L || level > inst->guest_level)
		return -1;
	*out = inst->my_nn[level];
	return 0;
}

int qspn_get_fingerprint(const struct qspn_instance *inst, int level,
			 struct qspn_fp *out)
{
	if (level < 0 || level > inst->L || level > inst->guest_level)
		return -1;
	*out = inst->my_fp[level];
	return 0;
}

int qspn_get_naddr_for_arc(const struct qspn_instance *inst, uint32_t arc,
			   struct qspn_naddr *out)
{
	const struct qspn_arc *a = qspn_arc_by_handle(inst, arc);

	if (!a || !a->has_peer)
		return -1;
	*out = a->peer;
	return 0;
}

size_t qspn_current_arcs(const struct qspn_instance *inst, uint32_t *out,
			 size_t max)
{
	for (uint32_t i = 0; i < inst->n_arcs && i < max; i++)
		out[i] = inst->arcs[i].handle;
	return inst->n_arcs;
}

const struct qspn_naddr *qspn_my_naddr(const struct qspn_instance *inst)
{
	return &inst->me;
}

const struct qspn_stats *qspn_get_stats(const struct qspn_instance *inst)
{
	return &inst->stats;
}

uint32_t qspn_arc_id(const struct qspn_instance *inst, uint32_t arc)
{
	const struct qspn_arc *a = qspn_arc_by_handle(inst, arc);

	return a ? a->id : 0;
}

size_t qspn_memory_usage(const struct qspn_instance *inst)
{
	size_t m = sizeof(*inst);

	m += inst->cap_arcs * sizeof(*inst->arcs);
	m += inst->cap_timers * sizeof(*inst->timers);
	m += inst->cap_reqs * sizeof(*inst->reqs);
	for (int l = 0; l < inst->L; l++) {
		const struct qspn_level_map *lm = &inst->map[l];

		m += lm->cap * sizeof(*lm->d);
		for (uint32_t i = 0; i < lm->n; i++) {
			const struct qspn_dest *d = lm->d[i];

			m += sizeof(*d) + d->cap * sizeof(*d->paths);
			for (uint32_t j = 0; j < d->n; j++)
				m += sizeof(*d->paths[j]) +
				     d->paths[j]->p.n *
					     (sizeof(struct qspn_hcoord) +
					      sizeof(uint32_t));
		}
	}
	return m;
}

/* --- commands (§8) ------------------------------------------------------- */

int qspn_make_connectivity(
	struct qspn_instance *inst, uint64_t now_ms, int from, int to,
	void (*update_naddr)(void *uctx, struct qspn_naddr *addr), void *uctx)
{
	uint32_t old_id;
	struct qspn_timer t;

	inst->now = now_ms;
	if (!(0 < from && from <= to && to <= inst->L) || !update_naddr)
		return -1;
	old_id = inst->me.pos[from - 1];
	if (old_id >= inst->topo.gsize[from - 1])
		return -1;
	for (uint32_t i = 0; i < inst->n_arcs; i++) {
		struct qspn_arc *a = &inst->arcs[i];
		struct qspn_hcoord c;

		if (peer_coord(inst, a, &c) && c.lvl < from - 1)
			update_naddr(uctx, &a->peer);
	}
	update_naddr(uctx, &inst->me);
	inst->conn_from = from;
	inst->conn_to = to;
	if (inst->me.pos[from - 1] < inst->topo.gsize[from - 1])
		qspn_logf(inst, QSPN_LOG_WARN,
			  "make_connectivity: new position is not virtual");
	qspn_update_clusters(inst);
	memset(&t, 0, sizeof(t));
	t.kind = QSPN_T_PUBLISH_CONN;
	t.at = now_ms + inst->prm.connectivity_delay_ms;
	t.hc.lvl = from - 1;
	t.hc.pos = old_id;
	qspn_timer_add(inst, &t);
	return 0;
}

void qspn_remove_outer_arcs(struct qspn_instance *inst, uint64_t now_ms)
{
	inst->now = now_ms;
	if (inst->conn_from == 0 && inst->conn_to == 0)
		return;
	for (uint32_t i = 0; i < inst->n_arcs;) {
		struct qspn_arc *a = &inst->arcs[i];
		struct qspn_hcoord c;

		if (!peer_coord(inst, a, &c) || c.lvl >= inst->conn_to) {
			arc_remove_internal(inst, a->id, true, false);
			i = 0;
			continue;
		}
		i++;
	}
}

bool qspn_check_connectivity(const struct qspn_instance *inst)
{
	int i = inst->conn_from - 1, j = inst->conn_to;
	struct qspn_hclist y = {0};
	bool ok = true;

	if (inst->conn_from == 0 && inst->conn_to == 0)
		return false;
	for (;;) {
		if (j <= i)
			return true;
		if (i >= 0 && inst->map[i].n)
			break;
		i++;
	}
	/* Y: the Z set of level i restricted to the paths of X (§8.5) */
	for (int l = i; l < j && l < inst->L; l++) {
		const struct qspn_level_map *lm = &inst->map[l];

		for (uint32_t di = 0; di < lm->n; di++) {
			const struct qspn_dest *d = lm->d[di];

			for (uint32_t pi = 0; pi < d->n; pi++) {
				const struct qspn_epath *p = &d->paths[pi]->p;

				if (p->hops[0].lvl == i) {
					qspn_hclist_add_unique(&y, p->hops[0]);
					continue;
				}
				for (uint32_t x = 1; x < p->n; x++)
					if (p->hops[x].lvl == i &&
					    p->hops[x - 1].lvl < i) {
						qspn_hclist_add_unique(
							&y, p->hops[x]);
						break;
					}
			}
		}
	}
	for (int l = i; ok && l < j && l < inst->L; l++) {
		const struct qspn_level_map *lm = &inst->map[l];

		for (uint32_t di = 0; ok && di < lm->n; di++) {
			const struct qspn_dest *d = lm->d[di];

			for (uint32_t yi = 0; ok && yi < y.n; yi++) {
				bool found = false;

				if (qspn_hcoord_equal(d->hc, y.v[yi]))
					continue;
				for (uint32_t pi = 0; pi < d->n; pi++)
					if (qspn_epath_has_hop(&d->paths[pi]->p,
							       y.v[yi]))
						found = true;
				if (!found)
					ok = false;
			}
		}
	}
	qspn_hclist_free(&y);
	return ok;
}

void qspn_prepare_destroy(struct qspn_instance *inst, uint64_t now_ms)
{
	inst->now = now_ms;
	if (inst->conn_from == 0 && inst->conn_to == 0)
		return;
	inst->destroy_pending = true;
	prepare_destroy_send(inst);
}

void qspn_destroy(struct qspn_instance *inst, uint64_t now_ms)
{
	int i = inst->conn_from - 1; /* -1 for a main identity (10.19) */
	uint32_t *h = qspn_xcalloc(inst->n_arcs + 1, sizeof(*h));
	size_t n = 0;
	struct qspn_msg m;

	inst->now = now_ms;
	for (uint32_t x = 0; x < inst->n_arcs; x++) {
		struct qspn_hcoord c;

		if (peer_coord(inst, &inst->arcs[x], &c) && c.lvl >= i)
			h[n++] = inst->arcs[x].handle;
	}
	memset(&m, 0, sizeof(m));
	m.type = QSPN_MSG_DESTROY;
	tx_broadcast(inst, h, n, &m);
	free(h);
}

static void drop_levels_from(struct qspn_instance *inst, int lvl)
{
	for (int l = lvl; l < inst->L; l++) {
		struct qspn_level_map *lm = &inst->map[l];

		while (lm->n) {
			struct qspn_dest *d = lm->d[0];
			struct qspn_signal s = {.type = QSPN_SIG_DEST_REMOVED,
						.dest = d->hc};

			for (uint32_t i = 0; i < d->n; i++) {
				struct qspn_signal ps = {
					.type = QSPN_SIG_PATH_REMOVED,
					.dest = d->hc};
				struct qspn_path view;
				struct qspn_path_hop *h = qspn_xcalloc(
					d->paths[i]->p.n, sizeof(*h));

				qspn_view_of(inst, d->paths[i], &view, h);
				ps.path = &view;
				ps.arc = view.arc;
				qspn_emit(inst, &ps);
				free(h);
			}
			memmove(lm->d, lm->d + 1, (lm->n - 1) * sizeof(*lm->d));
			lm->n--;
			qspn_dest_free(d);
			qspn_emit(inst, &s);
		}
	}
}

void qspn_exit_network(struct qspn_instance *inst, uint64_t now_ms, int lvl)
{
	inst->now = now_ms;
	if (lvl < 0 || lvl > inst->L)
		return;
	drop_levels_from(inst, lvl);
	qspn_update_clusters(inst);
	/* tell inner neighbours first, then drop the outer arcs */
	for (uint32_t x = 0; x < inst->n_arcs; x++) {
		struct qspn_hcoord c;

		if (peer_coord(inst, &inst->arcs[x], &c) && c.lvl >= lvl)
			continue;
		send_full_etp_to(inst, &inst->arcs[x]);
	}
	for (uint32_t x = 0; x < inst->n_arcs;) {
		struct qspn_hcoord c;

		if (peer_coord(inst, &inst->arcs[x], &c) && c.lvl >= lvl) {
			arc_remove_internal(inst, inst->arcs[x].id, true,
					    false);
			x = 0;
			continue;
		}
		x++;
	}
	drop_levels_from(inst, lvl);
	qspn_update_clusters(inst);
}

void qspn_stop_operations(struct qspn_instance *inst)
{
	inst->stopped = true;
	timers_cancel(inst, QSPN_T_PERIODIC);
}
