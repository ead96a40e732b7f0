// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Connectivity identities in the simulator (doc/protocol/qspn.md §8.3-§8.5,
 * §9.9.10): B, the middle node of the chain A - B - D inside level-1 g-node
 * (1,0), becomes a connectivity identity with a virtual position.  Its one
 * empty ETP tells A and D that (0,1) is gone and (0,5) present;
 * check_connectivity() says B' cannot go (A and D only meet through it)
 * until a link A - D appears; remove_outer_arcs() drops the arc to C,
 * outside (1,0).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "sim_check.h"

static void to_virtual(void *uctx, struct qspn_naddr *a)
{
	(void)uctx;
	a->pos[0] = 5; /* gsize 4: virtual */
}

static void connectivity(void **state)
{
	static const uint32_t g[] = {4, 2};
	static const uint32_t pa[] = {0, 0}, pb[] = {1, 0}, pd[] = {2, 0},
			      pc[] = {0, 1};
	struct qspn_topology topo;
	struct sim *s;
	int sa, sb, sd, sc, a, b, d, c, l_ab, l_bd, l_bc, l_ad;
	int r_ab, r_bd, r_bc, r_ad;
	struct qspn_instance *ib;

	(void)state;
	sim_topo(&topo, 2, g);
	s = sim_new(&topo, NULL, NULL);
	sa = sim_system(s, 1);
	sb = sim_system(s, 2);
	sd = sim_system(s, 3);
	sc = sim_system(s, 4);
	a = sim_create_net(s, sa, pa, (const int32_t[]){0, 0});
	b = sim_create_net(s, sb, pb, (const int32_t[]){1, 0});
	d = sim_create_net(s, sd, pd, (const int32_t[]){2, 0});
	c = sim_create_net(s, sc, pc, (const int32_t[]){0, 1});
	l_ab = sim_link(s, sa, "eth0", sb, "eth0", 2000);
	l_bd = sim_link(s, sb, "eth0", sd, "eth0", 2000);
	l_bc = sim_link(s, sb, "eth1", sc, "eth0", 2000);
	l_ad = sim_link(s, sa, "eth1", sd, "eth1", 2000);
	r_ab = sim_arc(s, l_ab, a, b);
	r_bd = sim_arc(s, l_bd, b, d);
	r_bc = sim_arc(s, l_bc, b, c);
	r_ad = sim_arc(s, l_ad, a, d);
	sim_run_until(s, 10);
	sim_qspn_arc_add(s, r_ab, a);
	sim_qspn_arc_add(s, r_ab, b);
	sim_qspn_arc_add(s, r_bd, b);
	sim_qspn_arc_add(s, r_bd, d);
	sim_qspn_arc_add(s, r_bc, b);
	sim_qspn_arc_add(s, r_bc, c);
	sim_run_until(s, 3000);
	assert_int_equal(sim_known_dests(s, a), 3); /* B, D, (1,1) */
	ib = sim_inst(s, b);
	/* a main identity is never asked */
	assert_false(qspn_check_connectivity(ib));

	/* B's old identity becomes connectivity for level 1 (§8.3) */
	assert_int_equal(
		qspn_make_connectivity(ib, sim_now(s), 1, 1, to_virtual, NULL),
		0);
	sim_touch(s, b);
	sim_run_until(s, 4000);
	/* A and D: (0,1) withdrawn, (0,5) learned through the same arc */
	assert_false(qspn_is_known_destination(
		sim_inst(s, a), (struct qspn_hcoord){.lvl = 0, .pos = 1}));
	assert_true(qspn_is_known_destination(
		sim_inst(s, a), (struct qspn_hcoord){.lvl = 0, .pos = 5}));
	assert_true(qspn_is_known_destination(
		sim_inst(s, d), (struct qspn_hcoord){.lvl = 0, .pos = 5}));
	/* C, outside (1,0), notices nothing (it sees B as (1,0)) */
	assert_int_equal(sim_known_dests(s, c), 1);
	/* a virtual position counts no node (§1.7) */
	{
		uint32_t nn;

		assert_int_equal(qspn_get_nodes_inside(sim_inst(s, a), 1, &nn),
				 0);
		assert_int_equal(nn, 2);
	}
	/* A and D meet only through B': it cannot be removed (§8.5) */
	assert_false(qspn_check_connectivity(ib));
	/* with a link A - D it can */
	sim_qspn_arc_add(s, r_ad, a);
	sim_qspn_arc_add(s, r_ad, d);
	sim_run_until(s, 8000);
	assert_true(qspn_check_connectivity(ib));
	/* remove_outer_arcs (§8.4): the arc to C leaves (1,0) */
	qspn_remove_outer_arcs(ib, sim_now(s));
	sim_touch(s, b);
	assert_int_equal(qspn_current_arcs(ib, NULL, 0), 2);
	assert_int_equal(
		sim_count(s, 2, 0, QSPN_SIG_ARC_REMOVED, "eth1", -1, 0), 1);
	assert_int_equal(sim_tx_invalid(s), 0);
	sim_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(connectivity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
