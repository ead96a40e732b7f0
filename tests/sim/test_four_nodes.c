// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reference scenario four_nodes (doc/protocol/qspn.md §9.3, testsuites/scripts/
 * four_nodes): a ring 1-2-3-4-1 of four level-1 g-nodes (gsizes [2,8]).
 * System 1 sees 3 destinations, each with one path in each direction of
 * the ring; system 4, the last to die, sees its level-2 nodes_inside go
 * back to 1 with no level-1 destination left.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "sim_check.h"

static void run_four_nodes(uint64_t seed, uint32_t jitter, double loss)
{
	static const uint32_t g[] = {2, 8};
	struct qspn_topology topo;
	struct sim_params sp;
	struct sim *s;
	int sy[5], lk[4], id[5][2];
	int a1_0, a1_1, a2_1, a4_0, a2_0, a4_1, a3_0, a3_1;
	static const uint32_t p1[] = {0, 1}, p2[] = {1, 6}, p3[] = {0, 7},
			      p4[] = {1, 2};
	const struct sim_event *last;

	sim_topo(&topo, 2, g);
	sim_params_default(&sp);
	sp.seed = seed;
	sp.jitter_ms = jitter;
	sp.bcast_loss = loss;
	s = sim_new(&topo, NULL, &sp);
	for (int i = 1; i <= 4; i++)
		sy[i] = sim_system(s, i);
	/* eth_domain 1_eth0-2_eth1, 2_eth0-3_eth1, 3_eth0-4_eth1, 4_eth0-1_eth1
	 */
	lk[0] = sim_link(s, sy[1], "eth0", sy[2], "eth1", 2000);
	lk[1] = sim_link(s, sy[2], "eth0", sy[3], "eth1", 2000);
	lk[2] = sim_link(s, sy[3], "eth0", sy[4], "eth1", 2000);
	lk[3] = sim_link(s, sy[4], "eth0", sy[1], "eth1", 2000);
	id[1][0] = sim_create_net(s, sy[1], p1, NULL);
	id[2][0] = sim_create_net(s, sy[2], p2, NULL);
	id[3][0] = sim_create_net(s, sy[3], p3, NULL);
	id[4][0] = sim_create_net(s, sy[4], p4, NULL);

	sim_run_until(s, 200);
	id[2][1] = sim_add_identity(s, sy[2]);
	id[4][1] = sim_add_identity(s, sy[4]);
	a1_0 = sim_arc(s, lk[0], id[1][0], id[2][1]); /* 1: 0+1 */
	a1_1 = sim_arc(s, lk[3], id[1][0], id[4][1]); /* 1: 1+1 */
	a2_1 = a1_0;
	a4_0 = a1_1;

	sim_run_until(s, 230);
	{
		static const uint32_t in2[] = {5}, in4[] = {4};
		static const int32_t e2[] = {1}, e4[] = {2};

		sim_enter_net(s, id[2][0], id[2][1], 0, 2, in2, e2, &a2_1, 1);
		sim_enter_net(s, id[4][0], id[4][1], 0, 2, in4, e4, &a4_0, 1);
	}
	sim_run_until(s, 240);
	sim_qspn_arc_add(s, a1_0, id[1][0]);
	sim_qspn_arc_add(s, a1_1, id[1][0]);

	sim_run_until(s, 300);
	id[3][1] = sim_add_identity(s, sy[3]);
	a2_0 = sim_arc(s, lk[1], id[2][1], id[3][1]);
	a4_1 = sim_arc(s, lk[2], id[4][1], id[3][1]);
	a3_1 = a2_0;
	a3_0 = a4_1;

	sim_run_until(s, 330);
	{
		static const uint32_t in3[] = {3};
		static const int32_t e3[] = {3};
		int ext[2] = {a3_0, a3_1};

		sim_enter_net(s, id[3][0], id[3][1], 0, 2, in3, e3, ext, 2);
	}
	sim_run_until(s, 340);
	sim_qspn_arc_add(s, a2_0, id[2][1]);
	sim_qspn_arc_add(s, a4_1, id[4][1]);

	/* killed in order 1, 2, 3, 4, 200 ms apart */
	sim_run_until(s, 1000);
	for (int i = 1; i <= 4; i++) {
		assert_true(qspn_is_bootstrap_complete(
			sim_inst(s, i == 1 ? id[1][0] : id[i][1])));
		assert_int_equal(
			sim_known_dests(s, i == 1 ? id[1][0] : id[i][1]), 3);
	}
	/* system 1: one path in each direction of the ring to each g-node */
	for (uint32_t pos = 3; pos <= 5; pos++) {
		struct qspn_dest_paths dp;
		struct qspn_hcoord hc = {.lvl = 1, .pos = pos};

		assert_int_equal(
			qspn_get_paths_to(sim_inst(s, id[1][0]), hc, &dp), 0);
		assert_int_equal(dp.n_paths, 2);
		assert_true(dp.paths[0].arc != dp.paths[1].arc);
		assert_true(dp.paths[0].cost <= dp.paths[1].cost);
	}
	sim_kill_system(s, 1);
	sim_run_until(s, 1200);
	sim_kill_system(s, 2);
	sim_run_until(s, 1400);
	sim_kill_system(s, 3);
	sim_run_until(s, 1600);
	if (getenv("SIM_DUMP"))
		sim_dump_events(s, stderr);
	sim_kill_system(s, 4);
	sim_run_until(s, 3000);

	/* do_check_four_nodes_pid1 */
	assert_int_equal(sim_count(s, 1, 0, QSPN_SIG_DEST_ADDED, NULL, -1, 0),
			 3);
	assert_int_equal(sim_count(s, 1, 0, QSPN_SIG_PATH_ADDED, "eth0", -1, 0),
			 3);
	assert_int_equal(sim_count(s, 1, 0, QSPN_SIG_PATH_ADDED, "eth1", -1, 0),
			 3);
	/* do_check_four_nodes_pid4 */
	assert_true(sim_count(s, 4, 1, QSPN_SIG_CHANGED_NODES_INSIDE, NULL, -1,
			      0) > 1);
	last = sim_last(s, 4, 1, QSPN_SIG_CHANGED_NODES_INSIDE, 2);
	assert_non_null(last);
	assert_int_equal(last->n_known, 0);
	assert_int_equal(last->nodes_inside, 1);
	assert_int_equal(sim_tx_invalid(s), 0);
	sim_free(s);
}

static void four_nodes(void **state)
{
	(void)state;
	run_four_nodes(1, 0, 0);
}

static void four_nodes_seeds(void **state)
{
	(void)state;
	for (uint64_t seed = 2; seed <= 30; seed++)
		run_four_nodes(seed, 2, 0);
}

static void four_nodes_lossy(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 30; seed++)
		run_four_nodes(seed, 2, 0.2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(four_nodes),
		cmocka_unit_test(four_nodes_seeds),
		cmocka_unit_test(four_nodes_lossy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
