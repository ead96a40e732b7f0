// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * No false split (issue 17 item 4): grids of nodes started at the same
 * virtual time with equal elderships (as qspnd's cold start: every
 * eldership 0), each 2x2 block one level-1 g-node.  Every g-node is
 * internally connected all along, so no node may signal gnode_splitted.
 * Then a real split: the two vertical links inside one block are cut, the
 * block becomes two islands that reach each other only through other
 * g-nodes; that must still be signalled, and only towards one island.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "sim_check.h"

#define MAXN 64
#define MAXL (2 * MAXN)

struct grid {
	struct sim *s;
	int w, h, n;
	int sys[MAXN], id[MAXN], pid[MAXN];
	int nl, la[MAXL], lb[MAXL], link[MAXL], arc[MAXL];
};

/* node (x, y): block (x/2, y/2) is the level-1 position, the place in
 * the block the level-0 one */
static void node_pos(const struct grid *g, int x, int y, uint32_t *pos)
{
	pos[0] = (uint32_t)((y % 2) * 2 + x % 2);
	pos[1] = (uint32_t)((y / 2) * (g->w / 2) + x / 2);
}

static uint64_t rnd(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void grid_link(struct grid *g, int a, int b, int64_t cost)
{
	char da[16], db[16];
	int i = g->nl++;

	/* one device per link, so that a signal names its arc */
	snprintf(da, sizeof(da), "e%d", i);
	snprintf(db, sizeof(db), "e%d", i);
	g->la[i] = a;
	g->lb[i] = b;
	g->link[i] = sim_link(g->s, g->sys[a], da, g->sys[b], db, cost);
	g->arc[i] = sim_arc(g->s, g->link[i], g->id[a], g->id[b]);
}

static void grid_new(struct grid *g, int w, int h, uint64_t seed,
		     uint32_t jitter, uint32_t threshold_ms)
{
	uint32_t gs[2] = {4, 2};
	struct qspn_topology topo;
	struct sim_params sp;
	uint64_t r = seed * 7919 + 17;

	/* gsizes are powers of two */
	while (gs[1] < (uint32_t)(w / 2 * h / 2))
		gs[1] *= 2;

	memset(g, 0, sizeof(*g));
	sim_topo(&topo, 2, gs);
	sim_params_default(&sp);
	sp.seed = seed;
	sp.jitter_ms = jitter;
	sp.threshold_ms = threshold_ms;
	g->s = sim_new(&topo, NULL, &sp);
	g->w = w;
	g->h = h;
	g->n = w * h;
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			int i = y * w + x;
			uint32_t pos[2];
			int32_t eld[2] = {0, 0}; /* equal, as qspnd */

			node_pos(g, x, y, pos);
			g->pid[i] = 100 + i;
			g->sys[i] = sim_system(g->s, g->pid[i]);
			g->id[i] = sim_create_net(g->s, g->sys[i], pos, eld);
		}
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			/* odd seeds: costs spread as measured RTTs are
			 * (the direct arc to a neighbouring g-node is not
			 * always the cheapest way into it); even: equal */
			int64_t c1 = seed % 2
					     ? 2000 + (int64_t)(rnd(&r) % 40000)
					     : 10000;
			int64_t c2 = seed % 2
					     ? 2000 + (int64_t)(rnd(&r) % 40000)
					     : 10000;

			if (x + 1 < w)
				grid_link(g, y * w + x, y * w + x + 1, c1);
			if (y + 1 < h)
				grid_link(g, y * w + x, (y + 1) * w + x, c2);
		}
	/* started together: every arc at the same virtual time */
	sim_run_until(g->s, 100);
	for (int i = 0; i < g->nl; i++) {
		sim_qspn_arc_add(g->s, g->arc[i], g->id[g->la[i]]);
		sim_qspn_arc_add(g->s, g->arc[i], g->id[g->lb[i]]);
	}
}

static int n_splits(const struct grid *g)
{
	int n = 0;

	for (int i = 0; i < g->n; i++)
		n += sim_count(g->s, g->pid[i], 0, QSPN_SIG_GNODE_SPLITTED,
			       NULL, -1, 0);
	return n;
}

/* every level-1 g-node has one fingerprint, seen alike by everybody:
 * the number of (observer, member) pairs that disagree */
static int fp_disagreements(const struct grid *g)
{
	int bad = 0;

	for (int i = 0; i < g->n; i++) {
		struct qspn_fp own;
		uint32_t blk = qspn_my_naddr(sim_inst(g->s, g->id[i]))->pos[1];

		assert_int_equal(
			qspn_get_fingerprint(sim_inst(g->s, g->id[i]), 1, &own),
			0);
		for (int j = 0; j < g->n; j++) {
			struct qspn_hcoord hc = {.lvl = 1, .pos = blk};
			struct qspn_fp f;

			if (qspn_my_naddr(sim_inst(g->s, g->id[j]))->pos[1] ==
			    blk)
				continue;
			assert_int_equal(
				qspn_get_fingerprint_of_known_destination(
					sim_inst(g->s, g->id[j]), hc, &f),
				0);
			if (!qspn_fp_equal(&f, &own))
				bad++;
		}
	}
	return bad;
}

static const int shapes[][2] = {{4, 4}, {4, 2}, {8, 2}, {6, 4}, {6, 6}};
/* the simulator's threshold ((c1 + c2 µs) / 20 ms) and qspnd's 10 s */
static const uint32_t thresholds[2] = {0, 10000};

static void simultaneous_start(void **state)
{
	int runs = 0, total = 0, disagree = 0;

	(void)state;
	for (int th = 0; th < 2; th++)
		for (size_t k = 0; k < sizeof(shapes) / sizeof(shapes[0]); k++)
			for (uint64_t seed = 1; seed <= 8; seed++) {
				struct grid g;
				int n, d;

				grid_new(&g, shapes[k][0], shapes[k][1], seed,
					 (uint32_t)(seed % 3) * 2,
					 thresholds[th]);
				/* past the 10 s bootstrap and every split
				 * threshold of the start-up */
				sim_run_until(g.s, 40000);
				n = n_splits(&g);
				d = fp_disagreements(&g);
				if (n || d || getenv("SIM_SPLIT_VERBOSE"))
					fprintf(stderr,
						"%dx%d seed %llu threshold %u: %d false, %d fp\n",
						shapes[k][0], shapes[k][1],
						(unsigned long long)seed,
						thresholds[th], n, d);
				total += n;
				disagree += d;
				assert_int_equal(sim_tx_invalid(g.s), 0);
				sim_free(g.s);
				runs++;
			}
	fprintf(stderr,
		"%d simultaneous starts, %d false split signals, %d fingerprint disagreements\n",
		runs, total, disagree);
	assert_int_equal(runs, 80);
	assert_int_equal(total, 0);
	assert_int_equal(disagree, 0);
}

/* the node on the other side of the signal's device */
static int peer_of_event(const struct grid *g, const struct sim_event *e)
{
	int l = atoi(e->dev + 1);
	int me = e->sys - 100;

	assert_true(l >= 0 && l < g->nl);
	return g->la[l] == me ? g->lb[l] : g->la[l];
}

/* the lower level-0 fingerprint id of nodes a and b */
static int64_t min_id(const struct grid *g, int a, int b)
{
	struct qspn_fp fa, fb;

	assert_int_equal(qspn_get_fingerprint(sim_inst(g->s, g->id[a]), 0, &fa),
			 0);
	assert_int_equal(qspn_get_fingerprint(sim_inst(g->s, g->id[b]), 0, &fb),
			 0);
	return fa.id < fb.id ? fa.id : fb.id;
}

/* block 0 (nodes (0,0) (1,0) (0,1) (1,1)) loses its two vertical links:
 * islands {(0,0),(0,1)} and {(1,0),(1,1)} */
static void real_split(void **state)
{
	(void)state;
	for (int run = 0; run < 12; run++) {
		uint64_t seed = (uint64_t)(run % 6) + 1;
		uint32_t th = thresholds[run / 6];
		struct grid g;
		const struct sim_event *e;
		int left = 0, right = 0, other = 0;
		int cut = 0;

		grid_new(&g, 4, 4, seed, (uint32_t)(seed % 3) * 2, th);
		sim_run_until(g.s, 40000);
		assert_int_equal(n_splits(&g), 0);
		for (int i = 0; i < g.nl; i++) {
			int a = g.la[i], b = g.lb[i];

			/* (0,0)-(1,0) and (0,1)-(1,1) */
			if ((a == 0 && b == 1) || (a == 4 && b == 5)) {
				sim_link_set_up(g.s, g.link[i], false);
				sim_qspn_arc_remove(g.s, g.arc[i], g.id[a]);
				sim_qspn_arc_remove(g.s, g.arc[i], g.id[b]);
				cut++;
			}
		}
		assert_int_equal(cut, 2);
		sim_run_until(g.s, 80000);
		e = sim_events(g.s);
		for (size_t i = 0; i < sim_n_events(g.s); i++) {
			int p;

			if (e[i].sig != QSPN_SIG_GNODE_SPLITTED)
				continue;
			assert_int_equal(e[i].dest.lvl, 1);
			assert_int_equal(e[i].dest.pos, 0);
			p = peer_of_event(&g, &e[i]);
			if (p == 0 || p == 4)
				left++;
			else if (p == 1 || p == 5)
				right++;
			else
				other++;
		}
		if (getenv("SIM_SPLIT_VERBOSE"))
			fprintf(stderr,
				"seed %llu threshold %u: left %d right %d\n",
				(unsigned long long)seed, th, left, right);
		/* signalled, towards one island only: the one without
		 * the lowest fingerprint id (equal elderships) */
		assert_int_equal(other, 0);
		assert_true(left + right > 0);
		assert_true(left == 0 || right == 0);
		assert_true(left ? min_id(&g, 1, 5) < min_id(&g, 0, 4)
				 : min_id(&g, 0, 4) < min_id(&g, 1, 5));
		sim_free(g.s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(simultaneous_start),
		cmocka_unit_test(real_split),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
