// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Our own simulator scenarios (issue 5 item 4):
 *  - a ring where one link fails: every node's best path reroutes and
 *    equals the shortest path of the surviving graph;
 *  - loop freedom: in random hierarchical graphs (every g-node internally
 *    connected), after convergence, following every node's best next hop
 *    towards any other node reaches it without a loop; also after a
 *    random link failure.  A property over many seeds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "sim_check.h"

#define MAXN 40

/* qspn_params.fwd_window_ms of the run (merged forwards, merging.md) */
static uint32_t window_ms;

static struct sim *net_sim(const struct qspn_topology *topo,
			   const struct sim_params *sp)
{
	struct qspn_params qp;

	qspn_params_default(&qp);
	qp.fwd_window_ms = window_ms;
	return sim_new(topo, &qp, sp);
}

struct net {
	struct sim *s;
	int n;
	int sys[MAXN], id[MAXN];
	struct qspn_naddr addr[MAXN];
	int nl;
	int la[4 * MAXN], lb[4 * MAXN], link[4 * MAXN], arc[4 * MAXN];
	bool up[4 * MAXN];
};

static uint64_t rnd(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static bool linked(const struct net *t, int a, int b)
{
	for (int i = 0; i < t->nl; i++)
		if ((t->la[i] == a && t->lb[i] == b) ||
		    (t->la[i] == b && t->lb[i] == a))
			return true;
	return false;
}

static void add_edge(struct net *t, int a, int b, int64_t cost)
{
	if (a == b || linked(t, a, b) || t->nl >= 4 * MAXN)
		return;
	t->la[t->nl] = a;
	t->lb[t->nl] = b;
	t->link[t->nl] =
		sim_link(t->s, t->sys[a], "eth0", t->sys[b], "eth0", cost);
	t->arc[t->nl] = sim_arc(t->s, t->link[t->nl], t->id[a], t->id[b]);
	t->up[t->nl] = true;
	t->nl++;
}

static void start_arcs(struct net *t)
{
	for (int i = 0; i < t->nl; i++) {
		sim_qspn_arc_add(t->s, t->arc[i], t->id[t->la[i]]);
		sim_qspn_arc_add(t->s, t->arc[i], t->id[t->lb[i]]);
	}
}

static void fail_edge(struct net *t, int i)
{
	sim_link_set_up(t->s, t->link[i], false);
	sim_qspn_arc_remove(t->s, t->arc[i], t->id[t->la[i]]);
	sim_qspn_arc_remove(t->s, t->arc[i], t->id[t->lb[i]]);
	t->up[i] = false;
}

/* the node at the other end of arc handle `h` seen from node u */
static int peer_of(const struct net *t, int u, uint32_t h)
{
	for (int i = 0; i < t->nl; i++)
		if ((uint32_t)t->arc[i] + 1 == h)
			return t->la[i] == u ? t->lb[i] : t->la[i];
	return -1;
}

/* follow best next hops from a to b; returns hops taken, -1 on a loop or
 * a dead end */
static int walk(struct net *t, int a, int b, int64_t *cost)
{
	int u = a, steps = 0;

	*cost = 0;
	while (u != b) {
		struct qspn_hcoord hc;
		struct qspn_dest_paths dp;
		int v;

		if (steps++ > t->n)
			return -1;
		qspn_coord_by_address(&t->addr[u], &t->addr[b], &hc);
		if (qspn_get_paths_to(sim_inst(t->s, t->id[u]), hc, &dp) != 0 ||
		    dp.n_paths == 0)
			return -1;
		v = peer_of(t, u, dp.paths[0].arc);
		if (v < 0)
			return -1;
		if (u == a)
			*cost = dp.paths[0].cost;
		u = v;
	}
	return steps;
}

/* --- the ring ------------------------------------------------------------- */

static void ring(uint64_t seed)
{
	static const uint32_t g[] = {16, 2};
	struct qspn_topology topo;
	struct sim_params sp;
	struct net t = {0};
	const int n = 8;

	sim_topo(&topo, 2, g);
	sim_params_default(&sp);
	sp.seed = seed;
	sp.jitter_ms = 1;
	t.s = net_sim(&topo, &sp);
	t.n = n;
	for (int i = 0; i < n; i++) {
		uint32_t pos[2] = {(uint32_t)i, 0};
		int32_t eld[2] = {i, 0};

		t.sys[i] = sim_system(t.s, i + 1);
		t.id[i] = sim_create_net(t.s, t.sys[i], pos, eld);
		t.addr[i] = *qspn_my_naddr(sim_inst(t.s, t.id[i]));
	}
	for (int i = 0; i < n; i++)
		add_edge(&t, i, (i + 1) % n, 10000);
	sim_run_until(t.s, 100);
	start_arcs(&t);
	sim_run_until(t.s, 5000);
	for (int a = 0; a < n; a++) {
		assert_int_equal(sim_known_dests(t.s, t.id[a]), n - 1);
		for (int b = 0; b < n; b++) {
			int64_t c;
			int d = (b - a + n) % n;
			int hops = d < n - d ? d : n - d;

			if (a == b)
				continue;
			/* shortest way round (ties: either way) */
			assert_int_equal(walk(&t, a, b, &c), hops);
		}
	}
	/* link 0-1 fails: everybody reroutes the long way if needed */
	fail_edge(&t, 0);
	sim_run_until(t.s, 10000);
	for (int a = 0; a < n; a++) {
		assert_int_equal(sim_known_dests(t.s, t.id[a]), n - 1);
		for (int b = 0; b < n; b++) {
			int64_t c;
			/* on the path 1-2-...-7-0 the distance is |pa - pb| */
			int pa = (a + n - 1) % n, pb = (b + n - 1) % n;
			int hops = pa > pb ? pa - pb : pb - pa;

			if (a == b)
				continue;
			assert_int_equal(walk(&t, a, b, &c), hops);
			assert_true(c >= 10000 * hops);
			assert_true(c < 11000 * hops);
		}
	}
	assert_int_equal(sim_tx_invalid(t.s), 0);
	sim_free(t.s);
}

static void ring_failed_link(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 10; seed++)
		ring(seed);
}

/* --- loop freedom in random hierarchical graphs
 * -------------------------------- */

static bool same_gnode(const struct net *t, int i, int j, int k)
{
	for (int l = k; l < 3; l++)
		if (t->addr[i].pos[l] != t->addr[j].pos[l])
			return false;
	return true;
}

/* union-find over the level-(k-1) g-nodes, represented by a member */
static int uf_find(int *uf, int i)
{
	while (uf[i] != i)
		i = uf[i] = uf[uf[i]];
	return i;
}

/* the component of node i's level-(k-1) g-node */
static int uf_child(const struct net *t, int *uf, int i, int k)
{
	/* every member of a child g-node is in one component already:
	 * use the lowest-numbered member as the child's representative */
	for (int j = 0; j < t->n; j++)
		if (same_gnode(t, i, j, k - 1))
			return uf_find(uf, j);
	return uf_find(uf, i);
}

static void uf_union(const struct net *t, int *uf, int i, int j, int k)
{
	int a = uf_child(t, uf, i, k), b = uf_child(t, uf, j, k);

	if (a != b)
		uf[a] = b;
}

/* are the children of i and j already linked by a direct link? */
static bool linked_children(const struct net *t, int *uf, int i, int j, int k)
{
	(void)uf;
	for (int e = 0; e < t->nl; e++) {
		int a = t->la[e], b = t->lb[e];

		if ((same_gnode(t, a, i, k - 1) &&
		     same_gnode(t, b, j, k - 1)) ||
		    (same_gnode(t, a, j, k - 1) && same_gnode(t, b, i, k - 1)))
			return true;
	}
	return false;
}

/*
 * gsizes [4,4,4]: n nodes at distinct random addresses; elderships are the
 * ranks of each g-node among its siblings (so fingerprints agree); every
 * g-node is made internally connected by a random tree among its members,
 * then a few random extra links.
 */
static void random_net(uint64_t seed, bool with_failure)
{
	static const uint32_t g[] = {4, 4, 4};
	struct qspn_topology topo;
	struct sim_params sp;
	struct net t = {0};
	uint64_t x = seed * 7919 + 13;
	int n = 10 + (int)(rnd(&x) % 14);
	bool used[64] = {false};

	sim_topo(&topo, 3, g);
	sim_params_default(&sp);
	sp.seed = seed;
	sp.jitter_ms = 2;
	t.s = net_sim(&topo, &sp);
	t.n = n;
	for (int i = 0; i < n; i++) {
		uint32_t a;
		uint32_t pos[3];
		int32_t eld[3];

		do
			a = (uint32_t)(rnd(&x) % 64);
		while (used[a]);
		used[a] = true;
		pos[0] = a % 4;
		pos[1] = (a / 4) % 4;
		pos[2] = a / 16;
		/* eldership = position: siblings never tie */
		for (int k = 0; k < 3; k++)
			eld[k] = (int32_t)pos[k];
		t.sys[i] = sim_system(t.s, 100 + i);
		t.id[i] = sim_create_net(t.s, t.sys[i], pos, eld);
		t.addr[i] = *qspn_my_naddr(sim_inst(t.s, t.id[i]));
	}
	/* internal connectivity, level by level: inside every level-k
	 * g-node, link its level-(k-1) children until they are connected
	 * (union-find over the links with both ends inside it) */
	for (int k = 1; k <= 3; k++) {
		int uf[MAXN];

		for (int i = 0; i < n; i++)
			uf[i] = i;
		for (int i = 0; i < n; i++) {
			int ci = uf_child(&t, uf, i, k);

			for (int j = 0; j < i; j++) {
				int cj;

				if (!same_gnode(&t, i, j, k))
					continue;
				cj = uf_child(&t, uf, j, k);
				if (ci == cj)
					continue;
				if (!linked_children(&t, uf, i, j, k))
					add_edge(&t, i, j,
						 2000 + (int64_t)(rnd(&x) %
								  8000));
				uf_union(&t, uf, i, j, k);
				ci = uf_child(&t, uf, i, k);
			}
		}
	}
	for (int e = 0; e < n / 2; e++)
		add_edge(&t, (int)(rnd(&x) % (uint64_t)n),
			 (int)(rnd(&x) % (uint64_t)n),
			 2000 + (int64_t)(rnd(&x) % 8000));
	sim_run_until(t.s, 100);
	start_arcs(&t);
	sim_run_until(t.s, 30000);
	if (with_failure && t.nl > 0) {
		fail_edge(&t, (int)(rnd(&x) % (uint64_t)t.nl));
		sim_run_until(t.s, 60000);
	}
	for (int a = 0; a < n; a++)
		for (int b = 0; b < n; b++) {
			int64_t c;
			int h;

			if (a == b)
				continue;
			h = walk(&t, a, b, &c);
			if (h >= 0)
				continue;
			/* a dead end is allowed only if the failure really
			 * disconnected a g-node (not checked here): without
			 * a failure every pair must be reachable */
			assert_true(with_failure);
			/* but never a loop: walk() returns -1 for both;
			 * tell them apart */
			{
				int u = a, steps = 0;
				bool seen[MAXN] = {false};

				while (u >= 0 && u != b && steps++ <= n) {
					struct qspn_hcoord hc;
					struct qspn_dest_paths dp;

					assert_false(seen[u]);
					seen[u] = true;
					qspn_coord_by_address(&t.addr[u],
							      &t.addr[b], &hc);
					qspn_get_paths_to(
						sim_inst(t.s, t.id[u]), hc,
						&dp);
					if (dp.n_paths == 0)
						break;
					u = peer_of(&t, u, dp.paths[0].arc);
				}
			}
		}
	assert_int_equal(sim_tx_invalid(t.s), 0);
	sim_free(t.s);
}

static void loop_freedom(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 40; seed++)
		random_net(seed, false);
}

static void loop_freedom_after_failure(void **state)
{
	(void)state;
	for (uint64_t seed = 100; seed <= 130; seed++)
		random_net(seed, true);
}

/* the same properties with merged forwards (10 ms, and 50 ms) */
static void merged(void **state)
{
	(void)state;
	for (uint32_t w = 10; w <= 50; w += 40) {
		window_ms = w;
		for (uint64_t seed = 1; seed <= 10; seed++)
			ring(seed);
		for (uint64_t seed = 1; seed <= 40; seed++)
			random_net(seed, false);
		for (uint64_t seed = 100; seed <= 130; seed++)
			random_net(seed, true);
	}
	window_ms = 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ring_failed_link),
		cmocka_unit_test(loop_freedom),
		cmocka_unit_test(loop_freedom_after_failure),
		cmocka_unit_test(merged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
