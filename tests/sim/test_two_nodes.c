// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reference scenario two_nodes (doc/protocol/qspn.md §9.2,
 * testsuites/scripts/two_nodes): system 1's new identity enters system 2's
 * level-1 g-node through one external arc; at 2000 ms both are out of bootstrap
 * and know exactly one destination.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "sim_check.h"

static void run_two_nodes(uint64_t seed, uint32_t jitter, double loss)
{
	static const uint32_t g[] = {2, 2, 2, 4};
	struct qspn_topology topo;
	struct sim_params sp;
	struct sim *s;
	int sys1, sys2, link, id10, id11, id20, arc;
	static const uint32_t a1[] = {1, 0, 1, 2}, a2[] = {0, 1, 0, 3};
	static const uint32_t in_g[] = {1, 1, 0, 3};
	static const int32_t eld[] = {1, 0, 0, 0};

	sim_topo(&topo, 4, g);
	sim_params_default(&sp);
	sp.seed = seed;
	sp.jitter_ms = jitter;
	sp.bcast_loss = loss;
	s = sim_new(&topo, NULL, &sp);
	sys1 = sim_system(s, 1);
	sys2 = sim_system(s, 2);
	link = sim_link(s, sys1, "eth0", sys2, "eth0", 2000);
	id10 = sim_create_net(s, sys1, a1, NULL);
	id20 = sim_create_net(s, sys2, a2, NULL);

	sim_run_until(s, 1000);
	/* add_identity,1000,0,1,4,0+0 and add_identityarc,1000,0,0+1 */
	id11 = sim_add_identity(s, sys1);
	arc = sim_arc(s, link, id11, id20);

	sim_run_until(s, 1500);
	/* enter_net,1500,0,1,0,1:1:0:3,1:0:0:0,0+0 and add_qspnarc */
	sim_enter_net(s, id10, id11, 0, 1, in_g, eld, &arc, 1);
	sim_qspn_arc_add(s, arc, id20);

	sim_run_until(s, 2000);
	/* check_destnum,2000,1,1 and check_destnum,2000,0,1 */
	assert_true(qspn_is_bootstrap_complete(sim_inst(s, id11)));
	assert_true(qspn_is_bootstrap_complete(sim_inst(s, id20)));
	assert_int_equal(sim_known_dests(s, id11), 1);
	assert_int_equal(sim_known_dests(s, id20), 1);
	/* the one destination is the other node, at level 0 */
	if (getenv("SIM_DUMP"))
		sim_dump_events(s, stderr);
	assert_int_equal(sim_count(s, 1, 1, QSPN_SIG_DEST_ADDED, NULL, 0, 0),
			 1);
	assert_int_equal(sim_count(s, 2, 0, QSPN_SIG_DEST_ADDED, NULL, 0, 1),
			 1);

	sim_run_until(s, 3500);
	/* presence_notified 1 s after the first full ETP (§5.4) */
	assert_int_equal(
		sim_count(s, 1, 1, QSPN_SIG_PRESENCE_NOTIFIED, NULL, -1, 0), 1);
	sim_dismiss(s, id10); /* the harness dismisses the old identity */
	sim_run_until(s, 4000);
	assert_int_equal(sim_known_dests(s, id11), 1);
	assert_int_equal(sim_known_dests(s, id20), 1);
	sim_kill_system(s, 2);
	sim_run_until(s, 5000);
	if (loss > 0) {
		/* a lost got_destroy copy dies with its sender: only the
		 * daemon's neighbour layer would notice (not simulated) */
		sim_free(s);
		return;
	}
	/* system 2 left with got_destroy: system 1 is alone again */
	assert_int_equal(sim_known_dests(s, id11), 0);
	assert_int_equal(sim_count(s, 1, 1, QSPN_SIG_ARC_REMOVED, NULL, -1, 0),
			 1);
	sim_free(s);
}

static void two_nodes(void **state)
{
	(void)state;
	run_two_nodes(1, 0, 0);
}

/* Same counts with jittery links and lost broadcast copies. */
static void two_nodes_lossy(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 20; seed++)
		run_two_nodes(seed, 3, 0.3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(two_nodes),
		cmocka_unit_test(two_nodes_lossy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
