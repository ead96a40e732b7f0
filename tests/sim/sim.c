// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sim.c: the QSPN network simulator (see sim.h).  Two priority queues drive
 * the virtual clock: in-flight transport events (deliveries, missing-ACK
 * resends, transport errors) and the instances' next deadlines.  Ties are
 * broken by insertion order, and the only randomness is the seeded
 * splitmix64 generator, so a run is a pure function of its script and seed.
 */
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define SIM_MAX_IDS 16

struct sim_sys {
	int pid;
	int n_ids;
	int ids[SIM_MAX_IDS];
	bool alive;
};

struct sim_link {
	int sys[2];
	char dev[2][16];
	int64_t cost;
	bool up;
	uint64_t last[2]; /* FIFO per direction */
};

struct sim_ident {
	struct sim *s;
	int num;
	int sys, idx;
	struct qspn_instance *inst;
	bool alive;
	uint64_t sched_at;
	int64_t fp_id;
	int32_t eld[QSPN_MAX_LEVELS];
	uint32_t depth; /* rounds: depth of the last message it received */
};

struct sim_arc {
	int link;
	int ident[2];
	int64_t cost[2];
	int64_t jit[2];
	bool added[2];
};

enum { EV_DELIVER = 1, EV_TERR, EV_RESEND };

struct ev {
	uint64_t t, seq;
	int kind;
	int from, to; /* identities */
	uint32_t handle;
	bool reliable;
	uint32_t depth; /* message rounds since sim_rounds_reset() */
	uint8_t *buf;
	size_t len;
};

struct dl {
	uint64_t t, seq;
	int ident;
};

struct sim {
	struct qspn_topology topo;
	struct qspn_params qp;
	struct sim_params sp;
	struct qspn_host_ops ops;
	uint64_t now, seq, rng;

	struct sim_sys *sys;
	int n_sys;
	struct sim_link *links;
	int n_links;
	struct sim_ident **ids;
	int n_ids;
	struct sim_arc *arcs;
	int n_arcs;

	struct ev *evq;
	size_t n_evq, cap_evq;
	struct dl *dlq;
	size_t n_dlq, cap_dlq;

	struct sim_event *log;
	size_t n_log, cap_log;
	struct sim_stats st;
	uint32_t cur_depth; /* depth of what the running handler sends */
};

/* --- rng ------------------------------------------------------------------ */

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double urand(struct sim *s)
{
	return (double)(splitmix(&s->rng) >> 11) / (double)(1ull << 53);
}

/* --- heaps -------------------------------------------------------------------
 */

/*
 * Two binary min-heaps ordered by (t, seq): events (evq) and deliveries
 * (dlq).  Insertion numbers come from one counter, so equal times keep
 * their insertion order across both queues.
 */
#define SIM_HEAP(NAME, TYPE, Q, N, CAP)                                        \
	static bool NAME##_less(const TYPE *a, const TYPE *b)                  \
	{                                                                      \
		return a->t < b->t || (a->t == b->t && a->seq < b->seq);      \
	}                                                                      \
                                                                               \
	static void NAME##_push(struct sim *s, TYPE e)                         \
	{                                                                      \
		size_t i;                                                      \
                                                                               \
		e.seq = s->seq++;                                              \
		if (s->N == s->CAP) {                                          \
			s->CAP = s->CAP ? s->CAP * 2 : 256;                    \
			s->Q = realloc(s->Q, s->CAP * sizeof(*s->Q));          \
			if (!s->Q)                                             \
				abort();                                       \
		}                                                              \
		i = s->N++;                                                    \
		while (i > 0) {                                                \
			size_t p = (i - 1) / 2;                                \
                                                                               \
			if (!NAME##_less(&e, &s->Q[p]))                        \
				break;                                         \
			s->Q[i] = s->Q[p];                                     \
			i = p;                                                 \
		}                                                              \
		s->Q[i] = e;                                                   \
	}                                                                      \
                                                                               \
	static TYPE NAME##_pop(struct sim *s)                                  \
	{                                                                      \
		TYPE top = s->Q[0], last = s->Q[--s->N];                       \
		size_t i = 0;                                                  \
                                                                               \
		for (;;) {                                                     \
			size_t c = 2 * i + 1;                                  \
                                                                               \
			if (c >= s->N)                                         \
				break;                                         \
			if (c + 1 < s->N &&                                    \
			    NAME##_less(&s->Q[c + 1], &s->Q[c]))               \
				c++;                                           \
			if (!NAME##_less(&s->Q[c], &last))                     \
				break;                                         \
			s->Q[i] = s->Q[c];                                     \
			i = c;                                                 \
		}                                                              \
		if (s->N)                                                      \
			s->Q[i] = last;                                        \
		return top;                                                    \
	}

SIM_HEAP(ev, struct ev, evq, n_evq, cap_evq)
SIM_HEAP(dl, struct dl, dlq, n_dlq, cap_dlq)

static void resched(struct sim *s, struct sim_ident *id)
{
	uint64_t d;

	if (!id->alive || !id->inst)
		return;
	d = qspn_next_deadline(id->inst);
	if (d == id->sched_at)
		return;
	id->sched_at = d;
	if (d != UINT64_MAX) {
		struct dl e = {.t = d < s->now ? s->now : d, .ident = id->num};

		if (e.t != d)
			id->sched_at = e.t;
		dl_push(s, e);
	}
}

/* --- transport
 * ----------------------------------------------------------------- */

static int arc_side(const struct sim_arc *a, int ident)
{
	return a->ident[0] == ident ? 0 : 1;
}

static bool peer_ok(struct sim *s, const struct sim_arc *a, int side)
{
	const struct sim_ident *p = s->ids[a->ident[1 - side]];

	return s->links[a->link].up && p->alive && p->inst;
}

static void schedule(struct sim *s, int from, uint32_t handle,
		     const uint8_t *buf, size_t len, bool reliable)
{
	struct sim_arc *a;
	struct sim_link *l;
	int side, dir;
	struct ev e = {0};
	uint64_t t;

	if (handle == 0 || (int)handle > s->n_arcs)
		return;
	a = &s->arcs[handle - 1];
	side = arc_side(a, from);
	l = &s->links[a->link];
	dir = l->sys[0] == s->ids[from]->sys ? 0 : 1;
	s->st.msgs++;
	s->st.bytes += len;
	e.from = from;
	e.to = a->ident[1 - side];
	e.handle = handle;
	e.reliable = reliable;
	e.depth = s->cur_depth + 1;
	if (!peer_ok(s, a, side)) {
		e.kind = reliable ? EV_TERR : EV_RESEND;
		e.t = s->now + s->sp.ack_timeout_ms;
		if (!reliable) {
			e.buf = malloc(len ? len : 1);
			memcpy(e.buf, buf, len);
			e.len = len;
		}
		ev_push(s, e);
		return;
	}
	t = s->now + (uint64_t)(l->cost / 2000 > 0 ? l->cost / 2000 : 1);
	if (s->sp.jitter_ms)
		t += (uint64_t)(urand(s) * (s->sp.jitter_ms + 1));
	if (!reliable && s->sp.bcast_loss > 0 && urand(s) < s->sp.bcast_loss) {
		/*
		 * Lost copy: the missing ACK makes the sender resend it
		 * reliably (§5.10).  The transport keeps each direction of
		 * an arc in order (as a TCP session or numbered UDP with
		 * retransmission would), so later messages wait for it.
		 */
		s->st.lost++;
		s->st.resent++;
		t += s->sp.ack_timeout_ms;
		e.reliable = true;
	}
	if (t < l->last[dir])
		t = l->last[dir];
	l->last[dir] = t;
	e.kind = EV_DELIVER;
	e.t = t;
	e.buf = malloc(len ? len : 1);
	memcpy(e.buf, buf, len);
	e.len = len;
	ev_push(s, e);
}

static void op_send(void *ctx, struct qspn_instance *inst, uint32_t arc,
		    const uint8_t *buf, size_t len)
{
	struct sim_ident *id = ctx;

	(void)inst;
	schedule(id->s, id->num, arc, buf, len, true);
}

static void op_broadcast(void *ctx, struct qspn_instance *inst,
			 const uint32_t *arcs, size_t n, const uint8_t *buf,
			 size_t len)
{
	struct sim_ident *id = ctx;

	(void)inst;
	for (size_t i = 0; i < n; i++)
		schedule(id->s, id->num, arcs[i], buf, len, false);
}

static uint32_t op_random(void *ctx)
{
	struct sim_ident *id = ctx;

	return (uint32_t)(splitmix(&id->s->rng) >> 32);
}

/* the test-suite's threshold: (c1 + c2 in µs) / 20 ms (§9.1) */
static uint32_t op_threshold(void *ctx, const struct qspn_path *p1,
			     const struct qspn_path *p2)
{
	(void)ctx;
	return (uint32_t)((p1->cost + p2->cost) / 20);
}

static void op_log(void *ctx, int level, const char *msg)
{
	struct sim_ident *id = ctx;

	if (id->s->sp.log_to_stderr && level >= QSPN_LOG_INFO)
		fprintf(stderr, "[%llu] %d_%d: %s\n",
			(unsigned long long)id->s->now, id->s->sys[id->sys].pid,
			id->idx, msg);
}

static void op_signal(void *ctx, struct qspn_instance *inst,
		      const struct qspn_signal *sig)
{
	struct sim_ident *id = ctx;
	struct sim *s = id->s;
	struct sim_event *e;

	if (s->sp.no_event_log && !s->sp.log_to_stderr)
		return;
	if (s->n_log == s->cap_log) {
		s->cap_log = s->cap_log ? s->cap_log * 2 : 1024;
		s->log = realloc(s->log, s->cap_log * sizeof(*s->log));
		if (!s->log)
			abort();
	}
	e = &s->log[s->n_log++];
	memset(e, 0, sizeof(*e));
	e->t = s->now;
	e->sys = s->sys[id->sys].pid;
	e->id = id->idx;
	e->sig = sig->type;
	e->dest = sig->dest;
	e->level = sig->level;
	e->bad_link = sig->bad_link;
	e->nodes_inside = sig->nodes_inside;
	if (sig->arc && (int)sig->arc <= s->n_arcs) {
		const struct sim_arc *a = &s->arcs[sig->arc - 1];
		const struct sim_link *l = &s->links[a->link];

		snprintf(e->dev, sizeof(e->dev), "%s",
			 l->dev[l->sys[0] == id->sys ? 0 : 1]);
	}
	if (sig->path) {
		size_t off = 0;

		e->cost = sig->path->cost;
		e->nodes_inside = sig->path->nodes_inside;
		for (uint32_t i = 0; i < sig->path->n_hops; i++) {
			int w = snprintf(e->hops + off, sizeof(e->hops) - off,
					 "%s%d+%u", i ? "_" : "",
					 sig->path->hops[i].hc.lvl,
					 sig->path->hops[i].hc.pos);

			if (w < 0 || (size_t)w >= sizeof(e->hops) - off)
				break;
			off += (size_t)w;
		}
	}
	if (sig->type == QSPN_SIG_CHANGED_NODES_INSIDE) {
		int n = qspn_get_known_destinations(inst, sig->level - 1, NULL,
						    0);

		e->n_known = n < 0 ? 0 : (uint32_t)n;
	}
	if (s->sp.log_to_stderr)
		fprintf(stderr,
			"[%llu] Qspn:%d_%d:Signal:%d dest %d+%u dev %s cost %lld nn %u lvl %d hops %s\n",
			(unsigned long long)s->now, e->sys, e->id, e->sig,
			e->dest.lvl, e->dest.pos, e->dev, (long long)e->cost,
			e->nodes_inside, e->level, e->hops);
}

/* --- construction
 * ---------------------------------------------------------------- */

void sim_params_default(struct sim_params *p)
{
	memset(p, 0, sizeof(*p));
	p->seed = 1;
	p->jitter_ms = 0;
	p->bcast_loss = 0;
	p->ack_timeout_ms = 100;
	p->arc_jitter_usec = 1000;
}

struct sim *sim_new(const struct qspn_topology *topo,
		    const struct qspn_params *qp, const struct sim_params *sp)
{
	struct sim *s = calloc(1, sizeof(*s));

	if (!s)
		abort();
	s->topo = *topo;
	if (qp)
		s->qp = *qp;
	else
		qspn_params_default(&s->qp);
	if (sp)
		s->sp = *sp;
	else
		sim_params_default(&s->sp);
	s->rng = s->sp.seed;
	if (getenv("SIM_LOG"))
		s->sp.log_to_stderr = true;
	s->ops.send = op_send;
	s->ops.broadcast = op_broadcast;
	s->ops.signal = op_signal;
	s->ops.random = op_random;
	s->ops.threshold_ms = op_threshold;
	s->ops.log = op_log;
	return s;
}

void sim_free(struct sim *s)
{
	for (int i = 0; i < s->n_ids; i++) {
		qspn_instance_free(s->ids[i]->inst);
		free(s->ids[i]);
	}
	for (size_t i = 0; i < s->n_evq; i++)
		free(s->evq[i].buf);
	free(s->ids);
	free(s->sys);
	free(s->links);
	free(s->arcs);
	free(s->evq);
	free(s->dlq);
	free(s->log);
	free(s);
}

uint64_t sim_now(const struct sim *s)
{
	return s->now;
}

int sim_system(struct sim *s, int pid)
{
	for (int i = 0; i < s->n_sys; i++)
		if (s->sys[i].pid == pid)
			return i;
	s->sys = realloc(s->sys, (size_t)(s->n_sys + 1) * sizeof(*s->sys));
	if (!s->sys)
		abort();
	memset(&s->sys[s->n_sys], 0, sizeof(*s->sys));
	s->sys[s->n_sys].pid = pid;
	s->sys[s->n_sys].alive = true;
	return s->n_sys++;
}

int sim_link(struct sim *s, int sys_a, const char *dev_a, int sys_b,
	     const char *dev_b, int64_t cost_usec)
{
	struct sim_link *l;

	s->links =
		realloc(s->links, (size_t)(s->n_links + 1) * sizeof(*s->links));
	if (!s->links)
		abort();
	l = &s->links[s->n_links];
	memset(l, 0, sizeof(*l));
	l->sys[0] = sys_a;
	l->sys[1] = sys_b;
	snprintf(l->dev[0], sizeof(l->dev[0]), "%s", dev_a);
	snprintf(l->dev[1], sizeof(l->dev[1]), "%s", dev_b);
	l->cost = cost_usec;
	l->up = true;
	return s->n_links++;
}

void sim_link_set_up(struct sim *s, int link, bool up)
{
	s->links[link].up = up;
}

static struct sim_ident *ident_new(struct sim *s, int sys)
{
	struct sim_ident *id = calloc(1, sizeof(*id));
	struct sim_sys *y = &s->sys[sys];

	if (!id || y->n_ids >= SIM_MAX_IDS)
		abort();
	id->s = s;
	id->num = s->n_ids;
	id->sys = sys;
	id->idx = y->n_ids;
	id->sched_at = UINT64_MAX;
	y->ids[y->n_ids++] = id->num;
	s->ids = realloc(s->ids, (size_t)(s->n_ids + 1) * sizeof(*s->ids));
	if (!s->ids)
		abort();
	s->ids[s->n_ids++] = id;
	return id;
}

int sim_add_identity(struct sim *s, int sys)
{
	return ident_new(s, sys)->num;
}

int sim_create_net(struct sim *s, int sys, const uint32_t *pos,
		   const int32_t *eld)
{
	struct sim_ident *id = ident_new(s, sys);
	struct qspn_naddr me = {.levels = s->topo.levels};
	struct qspn_fp fp0;

	for (int i = 0; i < s->topo.levels; i++) {
		me.pos[i] = pos[i];
		id->eld[i] = eld ? eld[i] : 0;
	}
	id->fp_id = (int64_t)(splitmix(&s->rng) % 2147483647ull);
	qspn_fp_init_node(&fp0, id->fp_id, s->topo.levels, id->eld);
	id->inst = qspn_create_net(&s->qp, &s->topo, &me, &fp0, &s->ops, id,
				   s->now);
	if (!id->inst)
		abort();
	id->alive = true;
	resched(s, id);
	return id->num;
}

int sim_ident(const struct sim *s, int sys, int idx)
{
	for (int i = 0; i < s->n_sys; i++)
		if (s->sys[i].pid == sys && idx < s->sys[i].n_ids)
			return s->sys[i].ids[idx];
	return -1;
}

struct qspn_instance *sim_inst(const struct sim *s, int ident)
{
	return ident >= 0 && ident < s->n_ids ? s->ids[ident]->inst : NULL;
}

int sim_n_idents(const struct sim *s)
{
	return s->n_ids;
}

int sim_arc(struct sim *s, int link, int ident_a, int ident_b)
{
	struct sim_arc *a;

	s->arcs = realloc(s->arcs, (size_t)(s->n_arcs + 1) * sizeof(*s->arcs));
	if (!s->arcs)
		abort();
	a = &s->arcs[s->n_arcs];
	memset(a, 0, sizeof(*a));
	a->link = link;
	a->ident[0] = ident_a;
	a->ident[1] = ident_b;
	for (int k = 0; k < 2; k++) {
		a->jit[k] = s->sp.arc_jitter_usec
				    ? (int64_t)(splitmix(&s->rng) %
						s->sp.arc_jitter_usec)
				    : 0;
		a->cost[k] = s->links[link].cost + a->jit[k];
	}
	return s->n_arcs++;
}

int sim_qspn_arc_add(struct sim *s, int arc, int ident)
{
	struct sim_arc *a = &s->arcs[arc];
	int side = arc_side(a, ident);
	struct sim_ident *id = s->ids[ident];
	int r;

	if (!id->inst || !id->alive)
		return -1;
	r = qspn_arc_add(id->inst, s->now, (uint32_t)arc + 1, a->cost[side]);
	if (r == 0)
		a->added[side] = true;
	resched(s, id);
	return r;
}

int sim_qspn_arc_remove(struct sim *s, int arc, int ident)
{
	struct sim_arc *a = &s->arcs[arc];
	int side = arc_side(a, ident);
	struct sim_ident *id = s->ids[ident];
	int r;

	if (!id->inst || !id->alive)
		return -1;
	r = qspn_arc_remove(id->inst, s->now, (uint32_t)arc + 1);
	a->added[side] = false;
	resched(s, id);
	return r;
}

void sim_link_cost(struct sim *s, int link, int64_t cost_usec)
{
	s->links[link].cost = cost_usec;
	for (int i = 0; i < s->n_arcs; i++) {
		struct sim_arc *a = &s->arcs[i];

		if (a->link != link)
			continue;
		for (int k = 0; k < 2; k++) {
			struct sim_ident *id = s->ids[a->ident[k]];

			a->cost[k] = cost_usec + a->jit[k];
			if (a->added[k] && id->alive && id->inst) {
				qspn_arc_change(id->inst, s->now,
						(uint32_t)i + 1, a->cost[k]);
				resched(s, id);
			}
		}
	}
}

void sim_arc_cost(struct sim *s, int arc, int ident, int64_t base_usec)
{
	struct sim_arc *a = &s->arcs[arc];
	int side = arc_side(a, ident);
	struct sim_ident *id = s->ids[ident];
	a->cost[side] = base_usec + a->jit[side];
	if (a->added[side] && id->alive && id->inst) {
		qspn_arc_change(id->inst, s->now, (uint32_t)arc + 1,
				a->cost[side]);
		resched(s, id);
	}
}

int sim_enter_net(struct sim *s, int old_ident, int new_ident, int guest,
		  int host, const uint32_t *in_g_pos, const int32_t *in_g_eld,
		  const int *ext_arcs, int n_ext)
{
	struct sim_ident *o = s->ids[old_ident], *n = s->ids[new_ident];
	int L = s->topo.levels;
	struct qspn_naddr me = {.levels = L};
	struct qspn_fp fp0;
	struct qspn_internal_arc ia[64];
	struct qspn_external_arc ea[64];
	size_t nia = 0, nea = 0;
	struct qspn_enter_args args;
	const struct qspn_naddr *om = qspn_my_naddr(o->inst);

	for (int i = 0; i < L; i++) {
		me.pos[i] =
			i < host - 1 ? om->pos[i] : in_g_pos[i - (host - 1)];
		n->eld[i] = i < guest	   ? o->eld[i]
			    : i < host - 1 ? 0
					   : in_g_eld[i - (host - 1)];
	}
	n->fp_id = o->fp_id;
	qspn_fp_init_node(&fp0, n->fp_id, L, n->eld);
	if (guest > 0) {
		for (int w0 = 0; w0 < s->n_arcs; w0++) {
			struct sim_arc *a0 = &s->arcs[w0];
			int s0;
			struct qspn_naddr peer;

			if (a0->ident[0] != old_ident &&
			    a0->ident[1] != old_ident)
				continue;
			s0 = arc_side(a0, old_ident);
			if (!a0->added[s0])
				continue;
			for (int w1 = 0; w1 < s->n_arcs && nia < 64; w1++) {
				struct sim_arc *a1 = &s->arcs[w1];
				int s1;

				if (a1->link != a0->link ||
				    (a1->ident[0] != new_ident &&
				     a1->ident[1] != new_ident))
					continue;
				s1 = arc_side(a1, new_ident);
				if (qspn_get_naddr_for_arc(o->inst,
							   (uint32_t)w0 + 1,
							   &peer) != 0)
					break;
				for (int i = host - 1; i < L; i++)
					peer.pos[i] = me.pos[i];
				ia[nia].arc = (uint32_t)w1 + 1;
				ia[nia].prev_arc = (uint32_t)w0 + 1;
				ia[nia].cost = a1->cost[s1];
				ia[nia].peer = peer;
				nia++;
				a1->added[s1] = true;
				break;
			}
		}
	}
	for (int i = 0; i < n_ext && nea < 64; i++) {
		struct sim_arc *a = &s->arcs[ext_arcs[i]];
		int sd = arc_side(a, new_ident);

		ea[nea].arc = (uint32_t)ext_arcs[i] + 1;
		ea[nea].cost = a->cost[sd];
		a->added[sd] = true;
		nea++;
	}
	memset(&args, 0, sizeof(args));
	args.guest_level = guest;
	args.host_level = host;
	args.prev = o->inst;
	args.internal = ia;
	args.n_internal = nia;
	args.external = ea;
	args.n_external = nea;
	n->alive = true;
	n->inst = qspn_enter_net(&s->qp, &s->topo, &me, &fp0, &args, &s->ops, n,
				 s->now);
	if (!n->inst)
		abort();
	resched(s, n);
	return new_ident;
}

void sim_dismiss(struct sim *s, int ident)
{
	struct sim_ident *id = s->ids[ident];

	if (!id->alive || !id->inst)
		return;
	qspn_destroy(id->inst, s->now);
	qspn_stop_operations(id->inst);
	id->alive = false;
	qspn_instance_free(id->inst);
	id->inst = NULL;
}

void sim_kill_system(struct sim *s, int sys)
{
	struct sim_sys *y = &s->sys[sim_system(s, sys)];

	for (int i = y->n_ids - 1; i >= 0; i--)
		sim_dismiss(s, y->ids[i]);
	y->alive = false;
}

/* --- the clock
 * ----------------------------------------------------------------------- */

static void handle_ev(struct sim *s, struct ev *e)
{
	struct sim_ident *to = s->ids[e->to], *from = s->ids[e->from];
	struct sim_arc *a = &s->arcs[e->handle - 1];

	switch (e->kind) {
	case EV_DELIVER:
		if (!to->alive || !to->inst || !s->links[a->link].up) {
			struct ev r = *e;

			/* never arrived: error or missing ACK at the sender */
			r.kind = e->reliable ? EV_TERR : EV_RESEND;
			r.t = s->now + s->sp.ack_timeout_ms;
			if (e->reliable) {
				free(r.buf);
				r.buf = NULL;
			}
			e->buf = NULL;
			ev_push(s, r);
			return;
		}
		s->st.delivered++;
		s->st.last_delivery = s->now;
		if (e->depth > s->st.max_depth)
			s->st.max_depth = e->depth;
		if (e->depth > to->depth)
			to->depth = e->depth;
		s->cur_depth = e->depth;
		qspn_receive(to->inst, s->now, e->handle, e->buf, e->len);
		s->cur_depth = 0;
		resched(s, to);
		break;
	case EV_RESEND:
		s->st.resent++;
		if (from->alive && from->inst) {
			s->cur_depth = e->depth ? e->depth - 1 : 0;
			schedule(s, e->from, e->handle, e->buf, e->len, true);
			s->cur_depth = 0;
		}
		break;
	case EV_TERR:
		s->st.transport_errors++;
		if (from->alive && from->inst) {
			s->cur_depth = from->depth;
			qspn_transport_error(from->inst, s->now, e->handle,
					     true);
			s->cur_depth = 0;
			resched(s, from);
		}
		break;
	default:
		break;
	}
	free(e->buf);
	e->buf = NULL;
}

static bool step(struct sim *s, uint64_t limit)
{
	uint64_t te = UINT64_MAX, td = UINT64_MAX;

	while (s->n_dlq) {
		struct dl *d = &s->dlq[0];
		struct sim_ident *id = s->ids[d->ident];

		if (id->alive && id->inst && id->sched_at == d->t)
			break;
		dl_pop(s);
	}
	if (s->n_evq)
		te = s->evq[0].t;
	if (s->n_dlq)
		td = s->dlq[0].t;
	if (te == UINT64_MAX && td == UINT64_MAX)
		return false;
	if ((te <= td ? te : td) > limit)
		return false;
	if (te <= td) {
		struct ev e = ev_pop(s);

		if (e.t > s->now)
			s->now = e.t;
		handle_ev(s, &e);
	} else {
		struct dl d = dl_pop(s);
		struct sim_ident *id = s->ids[d.ident];

		if (d.t > s->now)
			s->now = d.t;
		id->sched_at = UINT64_MAX;
		/* what a timer sends follows what its identity received */
		s->cur_depth = id->depth;
		qspn_tick(id->inst, s->now);
		s->cur_depth = 0;
		resched(s, id);
	}
	return true;
}

void sim_touch(struct sim *s, int ident)
{
	resched(s, s->ids[ident]);
}

void sim_run_until(struct sim *s, uint64_t t)
{
	while (step(s, t))
		;
	if (t > s->now)
		s->now = t;
}

void sim_run_quiet(struct sim *s, uint64_t max)
{
	/* messages in flight, or deadlines other than the periodic update */
	while (s->n_evq && step(s, max))
		;
}

size_t sim_n_events(const struct sim *s)
{
	return s->n_log;
}

const struct sim_event *sim_events(const struct sim *s)
{
	return s->log;
}

void sim_dump_events(const struct sim *s, FILE *f)
{
	for (size_t i = 0; i < s->n_log; i++) {
		const struct sim_event *e = &s->log[i];

		fprintf(f,
			"%llu %d_%d sig=%d dest=%d+%u dev=%s cost=%lld nn=%u lvl=%d known=%u hops=%s\n",
			(unsigned long long)e->t, e->sys, e->id, e->sig,
			e->dest.lvl, e->dest.pos, e->dev, (long long)e->cost,
			e->nodes_inside, e->level, e->n_known, e->hops);
	}
}

uint64_t sim_tx_invalid(const struct sim *s)
{
	uint64_t n = 0;

	for (int i = 0; i < s->n_ids; i++)
		if (s->ids[i]->inst)
			n += qspn_get_stats(s->ids[i]->inst)->tx_invalid;
	return n;
}

int sim_known_dests(const struct sim *s, int ident)
{
	struct qspn_instance *inst = sim_inst(s, ident);
	int tot = 0;

	if (!inst || !qspn_is_bootstrap_complete(inst))
		return -1;
	for (int l = 0; l < s->topo.levels; l++) {
		int n = qspn_get_known_destinations(inst, l, NULL, 0);

		if (n < 0)
			return -1;
		tot += n;
	}
	return tot;
}

const struct sim_stats *sim_stats(const struct sim *s)
{
	return &s->st;
}

void sim_rounds_reset(struct sim *s)
{
	for (int i = 0; i < s->n_ids; i++)
		s->ids[i]->depth = 0;
	s->st.max_depth = 0;
}

bool sim_in_flight(const struct sim *s)
{
	return s->n_evq > 0;
}
