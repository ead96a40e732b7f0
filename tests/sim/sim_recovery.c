// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sim_recovery.c: single link and node failures in converged simulated
 * networks, and the check that no destination is lost or left stale
 * (sim_recovery.h; issue 17 item 1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_recovery.h"

struct rec_edge {
	int a, b, stage;
	int64_t cost;
	int link, arc;
	bool up;
};

struct rec_net {
	struct sim *s;
	struct qspn_topology topo;
	int n, ne, levels;
	bool flat;
	struct rec_edge *e;
	int *id;
	bool *alive;
	uint32_t (*pos)[4];
};

static uint64_t rnd(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void edge_add(struct rec_net *t, int a, int b, int stage, uint64_t *x)
{
	struct rec_edge *e = &t->e[t->ne++];

	e->a = a;
	e->b = b;
	e->stage = stage;
	e->cost = 1000 + (int64_t)(rnd(x) % 9000);
}

/* bench/sim_bench.c's make_graph() */
static void make_graph(struct rec_net *t, uint64_t seed)
{
	int n = t->n, stage = 0;
	uint64_t x = seed;

	t->e = calloc((size_t)(8 * n + 16), sizeof(*t->e));
	for (int span = 1; span < n; span *= 10, stage++) {
		for (int g0 = 0; g0 < n; g0 += span * 10) {
			int units = 0;

			for (int u = 0; u < 10 && g0 + u * span < n; u++)
				units++;
			for (int u = 0; u < units && units > 1; u++) {
				int v = (u + 1) % units;
				int ua = g0 + u * span, va = g0 + v * span;
				int usz = ua + span <= n ? span : n - ua;
				int vsz = va + span <= n ? span : n - va;
				int a, b;

				if (units == 2 && u == 1)
					break;
				a = ua + (int)(rnd(&x) % (uint64_t)usz);
				b = va + (int)(rnd(&x) % (uint64_t)vsz);
				edge_add(t, a, b, stage, &x);
			}
			for (int c = 0; c < 2 && units > 3; c++) {
				int u = (int)(rnd(&x) % (uint64_t)units);
				int v = (u + 2 +
					 (int)(rnd(&x) %
					       (uint64_t)(units - 3))) %
					units;
				int ua = g0 + u * span, va = g0 + v * span;
				int usz = ua + span <= n ? span : n - ua;
				int vsz = va + span <= n ? span : n - va;
				int a, b;

				a = ua + (int)(rnd(&x) % (uint64_t)usz);
				b = va + (int)(rnd(&x) % (uint64_t)vsz);
				edge_add(t, a, b, stage, &x);
			}
		}
	}
}

bool rec_quiet(struct rec_net *t, uint64_t max_ms)
{
	uint64_t limit = sim_now(t->s) + max_ms;

	for (;;) {
		uint64_t d0;

		while (sim_in_flight(t->s) && sim_now(t->s) < limit)
			sim_run_until(t->s, sim_now(t->s) + 25);
		if (sim_in_flight(t->s))
			return false;
		/* timers that send (split floods, 500 ms) */
		d0 = sim_stats(t->s)->msgs;
		sim_run_until(t->s, sim_now(t->s) + 2000);
		if (sim_stats(t->s)->msgs == d0 && !sim_in_flight(t->s))
			return true;
		if (sim_now(t->s) >= limit)
			return false;
	}
}

struct rec_net *rec_net_new(const struct rec_cfg *c)
{
	static const uint32_t gh[] = {16, 16, 16, 16}, gf[] = {16384};
	char err[QSPN_ERRBUF_SIZE];
	struct rec_net *t = calloc(1, sizeof(*t));
	struct sim_params sp;
	int n_stages = 1;

	t->n = c->n;
	t->flat = c->flat;
	t->levels = c->flat ? 1 : 4;
	if (qspn_topology_init(&t->topo, t->levels, c->flat ? gf : gh, err,
			       sizeof(err)) != 0)
		abort();
	sim_params_default(&sp);
	sp.seed = c->sim_seed;
	sp.jitter_ms = 1;
	sp.no_event_log = true;
	t->s = sim_new(&t->topo, c->qp, &sp);
	t->id = calloc((size_t)t->n, sizeof(*t->id));
	t->alive = calloc((size_t)t->n, sizeof(*t->alive));
	t->pos = calloc((size_t)t->n, sizeof(*t->pos));
	for (int i = 0; i < t->n; i++) {
		uint32_t pos[4];
		int32_t eld[4];

		if (c->flat) {
			pos[0] = (uint32_t)i;
			eld[0] = i;
		} else {
			pos[0] = (uint32_t)(i % 10);
			pos[1] = (uint32_t)((i / 10) % 10);
			pos[2] = (uint32_t)((i / 100) % 10);
			pos[3] = (uint32_t)(i / 1000);
			for (int k = 0; k < 4; k++)
				eld[k] = (int32_t)pos[k];
		}
		memcpy(t->pos[i], pos, sizeof(pos));
		t->alive[i] = true;
		t->id[i] = sim_create_net(t->s, sim_system(t->s, i), pos, eld);
	}
	make_graph(t, c->graph_seed);
	for (int k = 0; k < t->ne; k++) {
		struct rec_edge *e = &t->e[k];

		e->link = sim_link(t->s, sim_system(t->s, e->a), "eth0",
				   sim_system(t->s, e->b), "eth0", e->cost);
		e->arc = sim_arc(t->s, e->link, t->id[e->a], t->id[e->b]);
		e->up = true;
		if (e->stage + 1 > n_stages)
			n_stages = e->stage + 1;
	}
	sim_run_until(t->s, 100);
	for (int stg = 0; stg < n_stages; stg++) {
		for (int k = 0; k < t->ne; k++) {
			if (t->e[k].stage != stg)
				continue;
			sim_qspn_arc_add(t->s, t->e[k].arc, t->id[t->e[k].a]);
			sim_qspn_arc_add(t->s, t->e[k].arc, t->id[t->e[k].b]);
		}
		rec_quiet(t, 500000);
	}
	return t;
}

void rec_net_free(struct rec_net *t)
{
	sim_free(t->s);
	free(t->e);
	free(t->id);
	free(t->alive);
	free(t->pos);
	free(t);
}

struct sim *rec_sim(struct rec_net *t)
{
	return t->s;
}

int rec_n_links(const struct rec_net *t)
{
	return t->ne;
}

int rec_link_stage(const struct rec_net *t, int e)
{
	return t->e[e].stage;
}

int rec_n_nodes(const struct rec_net *t)
{
	return t->n;
}

/* the level-k g-node of node i (hierarchical: 10 positions per level) */
static int gnode_of(const struct rec_net *t, int i, int k)
{
	int d = 1;

	if (t->flat)
		return 0;
	for (int l = 0; l < k; l++)
		d *= 10;
	return i / d;
}

/* live nodes of every level-k g-node reachable from each other inside it
 * (k = levels: the whole graph), skipping link `skip_e` and node `skip_v` */
static bool connected_at(const struct rec_net *t, int skip_e, int skip_v,
			 int k)
{
	int *uf = malloc((size_t)t->n * sizeof(*uf));
	int *root = malloc((size_t)t->n * sizeof(*root));
	bool ok = true;

	for (int i = 0; i < t->n; i++) {
		uf[i] = i;
		root[i] = -1;
	}
	for (int x = 0; x < t->ne; x++) {
		const struct rec_edge *e = &t->e[x];
		int a, b;

		if (!e->up || x == skip_e || e->a == skip_v || e->b == skip_v)
			continue;
		if (k < t->levels && gnode_of(t, e->a, k) != gnode_of(t, e->b, k))
			continue;
		a = e->a;
		while (uf[a] != a)
			a = uf[a] = uf[uf[a]];
		b = e->b;
		while (uf[b] != b)
			b = uf[b] = uf[uf[b]];
		if (a != b)
			uf[a] = b;
	}
	for (int i = 0; i < t->n && ok; i++) {
		int r = i, g = k < t->levels ? gnode_of(t, i, k) : 0;

		if (!t->alive[i] || i == skip_v)
			continue;
		while (uf[r] != r)
			r = uf[r];
		if (root[g] < 0)
			root[g] = r;
		else if (root[g] != r)
			ok = false;
	}
	free(uf);
	free(root);
	return ok;
}

/* the live graph stays connected, and (hierarchical) so does every
 * g-node inside itself: a failure that splits a g-node is another test */
static bool connected_without(const struct rec_net *t, int skip_e, int skip_v)
{
	for (int k = t->flat ? t->levels : 1; k <= t->levels; k++)
		if (!connected_at(t, skip_e, skip_v, k))
			return false;
	return true;
}

bool rec_link_is_bridge(const struct rec_net *t, int e)
{
	return !t->e[e].up || !connected_without(t, e, -1);
}

bool rec_node_is_cut(const struct rec_net *t, int v)
{
	return !t->alive[v] || !connected_without(t, -1, v);
}

/* is there a live node at g-node (lvl, p) inside u's level-(lvl+1) one? */
static bool gnode_lives(const struct rec_net *t, int u, int lvl, uint32_t p)
{
	for (int v = 0; v < t->n; v++) {
		bool in = t->alive[v] && t->pos[v][lvl] == p;

		for (int k = lvl + 1; in && k < t->levels; k++)
			in = t->pos[v][k] == t->pos[u][k];
		if (in)
			return true;
	}
	return false;
}

void rec_check(struct rec_net *t, struct rec_result *r)
{
	struct qspn_hcoord *hc = calloc(16384, sizeof(*hc));

	r->missing = r->stale = r->nodes_short = 0;
	for (int u = 0; u < t->n; u++) {
		struct qspn_instance *inst;
		bool is_short = false;

		if (!t->alive[u])
			continue;
		inst = sim_inst(t->s, t->id[u]);
		for (int l = 0; l < t->levels; l++) {
			uint32_t gs = t->topo.gsize[l];
			int k = qspn_get_known_destinations(inst, l, hc, 16384);
			bool *known = calloc(gs, sizeof(*known));

			for (int i = 0; i < k; i++)
				if (hc[i].pos < gs)
					known[hc[i].pos] = true;
			for (uint32_t p = 0; p < gs; p++) {
				bool lives;

				if (p == t->pos[u][l])
					continue;
				if (!known[p] && t->flat && p >= (uint32_t)t->n)
					continue;
				lives = gnode_lives(t, u, l, p);
				if (getenv("REC_DEBUG") && lives != known[p])
					fprintf(stderr, "  node %d %s (%d, %u)\n",
						u, lives ? "misses" : "keeps",
						l, p);
				if (lives && !known[p]) {
					r->missing++;
					is_short = true;
				} else if (!lives && known[p]) {
					r->stale++;
				}
			}
			free(known);
		}
		if (is_short)
			r->nodes_short++;
		if (is_short && getenv("REC_DEBUG"))
			fprintf(stderr, "  node %d: %llu regains\n", u,
				(unsigned long long)qspn_get_stats(inst)
					->regains);
	}
	free(hc);
}

static void measure_from(struct rec_net *t, struct rec_result *r,
			 uint64_t m0, uint64_t b0, uint64_t t0)
{
	const struct sim_stats *st;

	rec_quiet(t, 60000);
	st = sim_stats(t->s);
	r->msgs = st->msgs - m0;
	r->bytes = st->bytes - b0;
	r->rounds = st->max_depth;
	r->conv_ms = st->last_delivery > t0 ? st->last_delivery - t0 : 0;
	rec_check(t, r);
}

void rec_fail_link(struct rec_net *t, int k, struct rec_result *r)
{
	struct rec_edge *e = &t->e[k];
	const struct sim_stats *st = sim_stats(t->s);
	uint64_t m0 = st->msgs, b0 = st->bytes, t0 = sim_now(t->s);

	memset(r, 0, sizeof(*r));
	sim_rounds_reset(t->s);
	sim_link_set_up(t->s, e->link, false);
	sim_qspn_arc_remove(t->s, e->arc, t->id[e->a]);
	sim_qspn_arc_remove(t->s, e->arc, t->id[e->b]);
	e->up = false;
	measure_from(t, r, m0, b0, t0);
}

void rec_restore_link(struct rec_net *t, int k, struct rec_result *r)
{
	struct rec_edge *e = &t->e[k];
	const struct sim_stats *st = sim_stats(t->s);
	uint64_t m0 = st->msgs, b0 = st->bytes, t0 = sim_now(t->s);

	memset(r, 0, sizeof(*r));
	sim_rounds_reset(t->s);
	sim_link_set_up(t->s, e->link, true);
	sim_qspn_arc_add(t->s, e->arc, t->id[e->a]);
	sim_qspn_arc_add(t->s, e->arc, t->id[e->b]);
	e->up = true;
	measure_from(t, r, m0, b0, t0);
}

void rec_fail_node(struct rec_net *t, int v, struct rec_result *r)
{
	const struct sim_stats *st = sim_stats(t->s);
	uint64_t m0 = st->msgs, b0 = st->bytes, t0 = sim_now(t->s);

	memset(r, 0, sizeof(*r));
	sim_rounds_reset(t->s);
	/* it stops at once: what it sends on its way down is lost with its
	 * links; its neighbours notice the links going down, as qspnd's
	 * hello timeout does */
	sim_kill_system(t->s, v);
	t->alive[v] = false;
	for (int k = 0; k < t->ne; k++) {
		struct rec_edge *e = &t->e[k];

		if (e->a != v && e->b != v)
			continue;
		sim_link_set_up(t->s, e->link, false);
		if (e->up)
			sim_qspn_arc_remove(t->s, e->arc,
					    t->id[e->a == v ? e->b : e->a]);
		e->up = false;
	}
	measure_from(t, r, m0, b0, t0);
}

double rec_msgs_per_node(struct rec_net *t)
{
	return (double)sim_stats(t->s)->msgs / t->n;
}
