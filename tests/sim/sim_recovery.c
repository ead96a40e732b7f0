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
	/* the counters when the failure under test began (rec_settle) */
	uint64_t m0, b0, t0;
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

/* the counters and the rounds start again: a failure under test begins */
static void mark(struct rec_net *t)
{
	const struct sim_stats *st = sim_stats(t->s);

	t->m0 = st->msgs;
	t->b0 = st->bytes;
	t->t0 = sim_now(t->s);
	sim_rounds_reset(t->s);
}

void rec_settle(struct rec_net *t, struct rec_result *r)
{
	memset(r, 0, sizeof(*r));
	measure_from(t, r, t->m0, t->b0, t->t0);
}

void rec_cut_link(struct rec_net *t, int k)
{
	struct rec_edge *e = &t->e[k];

	if (getenv("REC_DEBUG"))
		fprintf(stderr, " cut %d-%d (arc %d)\n", e->a, e->b,
			e->arc + 1);
	mark(t);
	sim_link_set_up(t->s, e->link, false);
	sim_qspn_arc_remove(t->s, e->arc, t->id[e->a]);
	sim_qspn_arc_remove(t->s, e->arc, t->id[e->b]);
	e->up = false;
}

void rec_fail_link(struct rec_net *t, int k, struct rec_result *r)
{
	rec_cut_link(t, k);
	rec_settle(t, r);
}

void rec_restore_link(struct rec_net *t, int k, struct rec_result *r)
{
	struct rec_edge *e = &t->e[k];

	mark(t);
	sim_link_set_up(t->s, e->link, true);
	sim_qspn_arc_add(t->s, e->arc, t->id[e->a]);
	sim_qspn_arc_add(t->s, e->arc, t->id[e->b]);
	e->up = true;
	rec_settle(t, r);
}

void rec_cut_node(struct rec_net *t, int v)
{
	mark(t);
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
}

void rec_fail_node(struct rec_net *t, int v, struct rec_result *r)
{
	rec_cut_node(t, v);
	rec_settle(t, r);
}

double rec_msgs_per_node(struct rec_net *t)
{
	return (double)sim_stats(t->s)->msgs / t->n;
}

/* --- forwarding and local repair (issue 13 item 4) ----------------------- */

/* how node u sees node x: x's maximum distinct g-node (routes.md §4.1) */
static struct qspn_hcoord coord_of(const struct rec_net *t, int u, int x)
{
	struct qspn_hcoord h = {.lvl = 0, .pos = t->pos[x][0]};

	for (int l = t->levels - 1; l >= 0; l--)
		if (t->pos[u][l] != t->pos[x][l]) {
			h.lvl = l;
			h.pos = t->pos[x][l];
			break;
		}
	return h;
}

/* the link a path leaves u by: its first arc's handle is the sim's arc
 * index + 1 */
static int edge_of_handle(const struct rec_net *t, uint32_t handle)
{
	for (int k = 0; k < t->ne; k++)
		if ((uint32_t)t->e[k].arc + 1 == handle)
			return k;
	return -1;
}

/* routes.md §4.2: the first path (ntk), or, for a packet that came from
 * neighbour `from`, the first path avoiding its maximum distinct g-node
 * (ntk_from_<from>); NULL: unreachable */
static const struct qspn_path *pick(const struct rec_net *t, int u, int from,
				    const struct qspn_dest_paths *dp)
{
	struct qspn_hcoord hv;

	if (from < 0)
		return dp->n_paths ? &dp->paths[0] : NULL;
	hv = coord_of(t, u, from);
	for (uint32_t i = 0; i < dp->n_paths; i++)
		if (!qspn_path_contains(&dp->paths[i], hv))
			return &dp->paths[i];
	return NULL;
}

static bool walk_verbose;

/* could path p of node u cross what failed: a link that is down between
 * two live nodes (its ends next to each other in u's frame, or inside one
 * g-node u sees whole), or a node that is down?  Seen from u's frame this
 * over-approximates: another link between the same g-nodes looks alike. */
static bool path_may_cross(const struct rec_net *t, int u,
			   const struct qspn_path *p)
{
	for (int k = 0; k < t->ne; k++) {
		const struct rec_edge *e = &t->e[k];
		struct qspn_hcoord ha, hb;

		if (e->up || !t->alive[e->a] || !t->alive[e->b])
			continue;
		ha = coord_of(t, u, e->a);
		hb = coord_of(t, u, e->b);
		for (uint32_t j = 0; j < p->n_hops; j++) {
			struct qspn_hcoord x = p->hops[j].hc;
			struct qspn_hcoord y =
				j + 1 < p->n_hops ? p->hops[j + 1].hc : x;

			if (qspn_hcoord_equal(ha, hb) &&
			    qspn_hcoord_equal(x, ha))
				return true;
			if ((qspn_hcoord_equal(x, ha) &&
			     qspn_hcoord_equal(y, hb)) ||
			    (qspn_hcoord_equal(x, hb) &&
			     qspn_hcoord_equal(y, ha)))
				return true;
		}
		/* u at one end: its own first hop */
		if ((u == e->a && qspn_hcoord_equal(p->hops[0].hc, hb)) ||
		    (u == e->b && qspn_hcoord_equal(p->hops[0].hc, ha)))
			return true;
	}
	for (int v = 0; v < t->n; v++)
		if (!t->alive[v] && v != u &&
		    qspn_path_contains(p, coord_of(t, u, v)))
			return true;
	return false;
}

struct walk_buf {
	int *stamp, *step; /* per directed link: last walk, its step */
	bool *cross;	   /* per step: the chosen path may cross */
	int id;
};

/* one packet from s to d; 0 delivered, 1 dropped, 2 loop (*explained:
 * some node on the cycle chose a path that may cross what failed), 3 a
 * path on a link that is down */
static int walk(struct rec_net *t, int s, int d, bool tables,
		struct walk_buf *wb, int *hops, bool *explained)
{
	int u = s, from = -1, id = ++wb->id;

	*hops = 0;
	*explained = false;
	while (u != d) {
		struct qspn_dest_paths dp;
		const struct qspn_path *p;
		const struct rec_edge *e;
		int k, dir;

		qspn_get_paths_to(sim_inst(t->s, t->id[u]), coord_of(t, u, d),
				  &dp);
		p = pick(t, u, tables ? from : -1, &dp);
		if (walk_verbose) {
			struct qspn_hcoord h = coord_of(t, u, d);

			fprintf(stderr, "    at %d from %d to (%d,%u):", u,
				from, h.lvl, h.pos);
			for (uint32_t i = 0; i < dp.n_paths; i++) {
				fprintf(stderr,
					" [%s%u:", p == &dp.paths[i] ? "*" : "",
					dp.paths[i].arc);
				for (uint32_t j = 0; j < dp.paths[i].n_hops;
				     j++)
					fprintf(stderr, " %d,%u",
						dp.paths[i].hops[j].hc.lvl,
						dp.paths[i].hops[j].hc.pos);
				fprintf(stderr, "]");
			}
			fprintf(stderr, "\n");
		}
		if (!p)
			return 1;
		k = edge_of_handle(t, p->arc);
		if (k < 0 || !t->e[k].up)
			return 3;
		e = &t->e[k];
		dir = 2 * k + (u == e->a ? 0 : 1);
		if (wb->stamp[dir] == id) {
			for (int i = wb->step[dir]; i < *hops; i++)
				if (wb->cross[i])
					*explained = true;
			return 2;
		}
		wb->stamp[dir] = id;
		wb->step[dir] = *hops;
		wb->cross[*hops] = path_may_cross(t, u, p);
		from = u;
		u = u == e->a ? e->b : e->a;
		(*hops)++;
	}
	return 0;
}

static void walk_buf_init(const struct rec_net *t, struct walk_buf *wb)
{
	wb->stamp = calloc((size_t)(2 * t->ne + 1), sizeof(*wb->stamp));
	wb->step = calloc((size_t)(2 * t->ne + 1), sizeof(*wb->step));
	wb->cross = calloc((size_t)(2 * t->ne + 2), sizeof(*wb->cross));
	wb->id = 0;
}

static void walk_buf_free(struct walk_buf *wb)
{
	free(wb->stamp);
	free(wb->step);
	free(wb->cross);
}

void rec_forwarding(struct rec_net *t, struct rec_fwd *f)
{
	struct walk_buf wb;

	walk_buf_init(t, &wb);
	free(f->looping);
	memset(f, 0, sizeof(*f));
	for (int s = 0; s < t->n; s++) {
		if (!t->alive[s])
			continue;
		for (int d = 0; d < t->n; d++) {
			int hops, r;
			bool expl;

			if (d == s || !t->alive[d])
				continue;
			f->pairs++;
			r = walk(t, s, d, true, &wb, &hops, &expl);
			if (r == 0) {
				f->delivered++;
				if (hops > f->max_hops)
					f->max_hops = hops;
			} else if (r == 1) {
				f->dropped++;
			} else if (r == 2) {
				f->loops++;
				if (!expl)
					f->loops_unexplained++;
				if (f->n_looping % 64 == 0)
					f->looping = realloc(
						f->looping,
						(size_t)(f->n_looping + 64) *
							sizeof(*f->looping));
				f->looping[f->n_looping][0] = s;
				f->looping[f->n_looping++][1] = d;
				if (getenv("REC_DEBUG") && f->loops == 1) {
					fprintf(stderr, "  loop %d -> %d%s\n",
						s, d,
						expl ? "" : " (unexplained)");
					walk_verbose = true;
					walk(t, s, d, true, &wb, &hops, &expl);
					walk_verbose = false;
				}
			} else {
				f->down++;
			}
			r = walk(t, s, d, false, &wb, &hops, &expl);
			if (r == 1)
				f->naive_dropped++;
			else if (r == 2)
				f->naive_loops++;
		}
	}
	walk_buf_free(&wb);
}

int rec_still_looping(struct rec_net *t, struct rec_fwd *f)
{
	struct walk_buf wb;
	int w = 0;

	walk_buf_init(t, &wb);
	for (int i = 0; i < f->n_looping; i++) {
		int s = f->looping[i][0], d = f->looping[i][1], hops;
		bool expl;

		if (!t->alive[s] || !t->alive[d] ||
		    walk(t, s, d, true, &wb, &hops, &expl) != 2)
			continue;
		f->looping[w][0] = s;
		f->looping[w++][1] = d;
	}
	f->n_looping = w;
	walk_buf_free(&wb);
	return w;
}

void rec_fwd_free(struct rec_fwd *f)
{
	free(f->looping);
	f->looping = NULL;
	f->n_looping = 0;
}

/* a copy of the path view of some nodes, for every destination */
struct snap_path {
	uint32_t arc, n_hops;
	struct qspn_hcoord *hc;
};

struct snap_dest {
	int u;
	struct qspn_hcoord dest;
	uint32_t n;
	struct snap_path *p;
};

struct rec_snap {
	int n, cap;
	struct snap_dest *d;
};

static void snap_fill(struct snap_dest *sd, const struct qspn_dest_paths *dp)
{
	sd->n = dp->n_paths;
	sd->p = calloc(dp->n_paths + 1, sizeof(*sd->p));
	for (uint32_t i = 0; i < dp->n_paths; i++) {
		const struct qspn_path *q = &dp->paths[i];

		sd->p[i].arc = q->arc;
		sd->p[i].n_hops = q->n_hops;
		sd->p[i].hc = calloc(q->n_hops, sizeof(*sd->p[i].hc));
		for (uint32_t j = 0; j < q->n_hops; j++)
			sd->p[i].hc[j] = q->hops[j].hc;
	}
}

static void snap_dest_free(struct snap_dest *sd)
{
	for (uint32_t i = 0; i < sd->n; i++)
		free(sd->p[i].hc);
	free(sd->p);
}

struct rec_snap *rec_snap_take(struct rec_net *t, const int *nodes, int n)
{
	struct rec_snap *sn = calloc(1, sizeof(*sn));
	struct qspn_hcoord *hc = calloc(16384, sizeof(*hc));

	for (int i = 0; i < (nodes ? n : t->n); i++) {
		int u = nodes ? nodes[i] : i;
		struct qspn_instance *inst;

		if (!t->alive[u])
			continue;
		inst = sim_inst(t->s, t->id[u]);

		for (int l = 0; l < t->levels; l++) {
			int k = qspn_get_known_destinations(inst, l, hc, 16384);

			for (int j = 0; j < k; j++) {
				struct qspn_dest_paths dp;
				struct snap_dest *sd;

				if (sn->n == sn->cap) {
					sn->cap = sn->cap ? 2 * sn->cap : 64;
					sn->d = realloc(sn->d,
							(size_t)sn->cap *
								sizeof(*sn->d));
				}
				sd = &sn->d[sn->n++];
				sd->u = u;
				sd->dest = hc[j];
				qspn_get_paths_to(inst, hc[j], &dp);
				snap_fill(sd, &dp);
			}
		}
	}
	free(hc);
	return sn;
}

void rec_snap_free(struct rec_snap *sn)
{
	for (int i = 0; i < sn->n; i++)
		snap_dest_free(&sn->d[i]);
	free(sn->d);
	free(sn);
}

static bool arc_up(const struct rec_net *t, uint32_t handle)
{
	int k = edge_of_handle(t, handle);

	return k >= 0 && t->e[k].up;
}

static bool same_path(const struct snap_path *a, const struct qspn_path *b)
{
	if (a->arc != b->arc || a->n_hops != b->n_hops)
		return false;
	for (uint32_t j = 0; j < a->n_hops; j++)
		if (!qspn_hcoord_equal(a->hc[j], b->hops[j].hc))
			return false;
	return true;
}

static bool snap_contains(const struct snap_path *a, struct qspn_hcoord hc)
{
	for (uint32_t j = 0; j < a->n_hops; j++)
		if (qspn_hcoord_equal(a->hc[j], hc))
			return true;
	return false;
}

/* one table's choice: the first path (from < 0) or the first avoiding
 * from's g-node, among the paths on a live arc (live) or all of them */
static const struct snap_path *snap_pick(const struct rec_net *t, int u,
					 int from, const struct snap_dest *sd,
					 bool live)
{
	for (uint32_t i = 0; i < sd->n; i++) {
		if (live && !arc_up(t, sd->p[i].arc))
			continue;
		if (from >= 0 && snap_contains(&sd->p[i], coord_of(t, u, from)))
			continue;
		return &sd->p[i];
	}
	return NULL;
}

/* one table of one (node, destination): did it switch at once? */
static void check_table(struct rec_net *t, const struct snap_dest *sd, int from,
			const struct qspn_dest_paths *now, int *affected,
			int *switched, int *lost, int *wrong)
{
	const struct snap_path *was = snap_pick(t, sd->u, from, sd, false);
	const struct snap_path *want = snap_pick(t, sd->u, from, sd, true);
	const struct qspn_path *is = pick(t, sd->u, from, now);

	if (!was || arc_up(t, was->arc))
		return;
	(*affected)++;
	if (!want && !is)
		(*lost)++;
	else if (want && is && same_path(want, is))
		(*switched)++;
	else
		(*wrong)++;
}

void rec_snap_check(struct rec_net *t, const struct rec_snap *sn,
		    struct rec_repair *rr)
{
	memset(rr, 0, sizeof(*rr));
	for (int i = 0; i < sn->n; i++) {
		const struct snap_dest *sd = &sn->d[i];
		int u = sd->u;
		struct qspn_dest_paths dp;
		uint32_t w = 0;
		bool ok;

		if (!t->alive[u])
			continue;
		qspn_get_paths_to(sim_inst(t->s, t->id[u]), sd->dest, &dp);
		/* the whole list: the old one without the lost arcs' paths,
		 * in the same order */
		for (uint32_t j = 0; j < sd->n; j++)
			if (arc_up(t, sd->p[j].arc))
				w++;
		ok = w == dp.n_paths;
		w = 0;
		for (uint32_t j = 0; j < sd->n && ok; j++)
			if (arc_up(t, sd->p[j].arc))
				ok = same_path(&sd->p[j], &dp.paths[w++]);
		if (!ok)
			rr->lists_wrong++;
		check_table(t, sd, -1, &dp, &rr->affected, &rr->switched,
			    &rr->lost, &rr->wrong);
		for (int k = 0; k < t->ne; k++) {
			const struct rec_edge *e = &t->e[k];

			if (!e->up || (e->a != u && e->b != u))
				continue;
			check_table(t, sd, e->a == u ? e->b : e->a, &dp,
				    &rr->t_affected, &rr->t_switched,
				    &rr->t_lost, &rr->t_wrong);
		}
	}
}
