// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The planner on the real QSPN engine's path view (lib/qspn_paths.h), in the
 * network simulator of tests/sim: the four_nodes ring of
 * doc/protocol/qspn.md §9.3 (gsizes [2,8], four level-1 g-nodes 1-2-3-4-1).
 * System 1's desired kernel state is computed from its engine instance exactly
 * as qspnd does it (qspn_path_source_of, qspn_get_naddr_for_arc, arc handles),
 * and checked against doc/protocol/routes.md §4.2 on the ring; then, after
 * system 2 dies, the incremental update of each destination must agree with the
 * full diff.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "qspn_plan.h"
#include "sim_check.h"

#define LL_SYS2 ((169u << 24) | (254u << 16) | 2) /* 169.254.0.2 */
#define LL_SYS4 ((169u << 24) | (254u << 16) | 4) /* 169.254.0.4 */

struct ring {
	struct sim *s;
	int sy[5], id[5][2];
	int a1_0, a1_1; /* system 1's arcs towards 2 (eth0) and 4 (eth1) */
	struct qspn_plan_system sys;
	struct qspn_plan_nic nics[2];
	struct qspn_plan_identity me;
	struct qspn_plan_arc arcs[2];
};

/* the four_nodes scenario up to 1000 ms (tests/sim/test_four_nodes.c) */
static void ring_build(struct ring *r)
{
	static const uint32_t g[] = {2, 8};
	static const uint32_t p1[] = {0, 1}, p2[] = {1, 6}, p3[] = {0, 7},
			      p4[] = {1, 2};
	struct sim_params sp;
	int lk[4], a2_0, a4_1;

	memset(r, 0, sizeof(*r));
	sim_topo(&r->sys.topo, 2, g);
	sim_params_default(&sp);
	sp.seed = 7;
	r->s = sim_new(&r->sys.topo, NULL, &sp);
	for (int i = 1; i <= 4; i++)
		r->sy[i] = sim_system(r->s, i);
	lk[0] = sim_link(r->s, r->sy[1], "eth0", r->sy[2], "eth1", 2000);
	lk[1] = sim_link(r->s, r->sy[2], "eth0", r->sy[3], "eth1", 2000);
	lk[2] = sim_link(r->s, r->sy[3], "eth0", r->sy[4], "eth1", 2000);
	lk[3] = sim_link(r->s, r->sy[4], "eth0", r->sy[1], "eth1", 2000);
	r->id[1][0] = sim_create_net(r->s, r->sy[1], p1, NULL);
	r->id[2][0] = sim_create_net(r->s, r->sy[2], p2, NULL);
	r->id[3][0] = sim_create_net(r->s, r->sy[3], p3, NULL);
	r->id[4][0] = sim_create_net(r->s, r->sy[4], p4, NULL);
	sim_run_until(r->s, 200);
	r->id[2][1] = sim_add_identity(r->s, r->sy[2]);
	r->id[4][1] = sim_add_identity(r->s, r->sy[4]);
	r->a1_0 = sim_arc(r->s, lk[0], r->id[1][0], r->id[2][1]);
	r->a1_1 = sim_arc(r->s, lk[3], r->id[1][0], r->id[4][1]);
	sim_run_until(r->s, 230);
	{
		static const uint32_t in2[] = {5}, in4[] = {4};
		static const int32_t e2[] = {1}, e4[] = {2};
		int x = r->a1_0, y = r->a1_1;

		sim_enter_net(r->s, r->id[2][0], r->id[2][1], 0, 2, in2, e2, &x,
			      1);
		sim_enter_net(r->s, r->id[4][0], r->id[4][1], 0, 2, in4, e4, &y,
			      1);
	}
	sim_run_until(r->s, 240);
	sim_qspn_arc_add(r->s, r->a1_0, r->id[1][0]);
	sim_qspn_arc_add(r->s, r->a1_1, r->id[1][0]);
	sim_run_until(r->s, 300);
	r->id[3][1] = sim_add_identity(r->s, r->sy[3]);
	a2_0 = sim_arc(r->s, lk[1], r->id[2][1], r->id[3][1]);
	a4_1 = sim_arc(r->s, lk[2], r->id[4][1], r->id[3][1]);
	sim_run_until(r->s, 330);
	{
		static const uint32_t in3[] = {3};
		static const int32_t e3[] = {3};
		int ext[2] = {a4_1, a2_0};

		sim_enter_net(r->s, r->id[3][0], r->id[3][1], 0, 2, in3, e3,
			      ext, 2);
	}
	sim_run_until(r->s, 340);
	sim_qspn_arc_add(r->s, a2_0, r->id[2][1]);
	sim_qspn_arc_add(r->s, a4_1, r->id[4][1]);
	sim_run_until(r->s, 1000);
}

/* system 1's state for the planner, read from its engine instance */
static void ring_state(struct ring *r)
{
	struct qspn_instance *inst = sim_inst(r->s, r->id[1][0]);
	uint32_t handle[2] = {(uint32_t)r->a1_0 + 1, (uint32_t)r->a1_1 + 1};
	uint32_t ll[2] = {LL_SYS2, LL_SYS4};

	r->sys.started = r->sys.anonymizer = r->sys.serve_anonymous = true;
	for (int i = 0; i < 2; i++) {
		struct qspn_plan_arc *a = &r->arcs[i];

		snprintf(r->nics[i].dev, QSPN_NAMELEN, "eth%d", i);
		r->nics[i].mac[5] = (uint8_t)(0x10 + i);
		r->nics[i].linklocal = (169u << 24) | (254u << 16) | 1;
		a->id = handle[i];
		snprintf(a->dev, QSPN_NAMELEN, "eth%d", i);
		a->peer_mac[0] = 2;
		a->peer_mac[5] = (uint8_t)(i == 0 ? 2 : 4);
		a->peer_linklocal = ll[i];
		a->qspn = true;
		a->table_id = (uint32_t)(250 - i);
		a->peer_known = qspn_get_naddr_for_arc(inst, handle[i],
						       &a->peer_addr) == 0;
	}
	r->sys.nics = r->nics;
	r->sys.n_nics = 2;
	r->me.addr = *qspn_my_naddr(inst);
	r->me.arcs = r->arcs;
	r->me.n_arcs = 2;
	r->me.paths = qspn_path_source_of(inst);
	r->sys.ids = &r->me;
	r->sys.n_ids = 1;
}

static struct qspn_kstate *plan(const struct ring *r)
{
	struct qspn_kstate *ks = NULL;
	char err[256];

	if (qspn_plan_build(&r->sys, &ks, err, sizeof(err)))
		fail_msg("build: %s", err);
	return ks;
}

/* the route of table tid for g-node (1, pos) (global CIDR), as "via X" */
static struct qspn_op route(const struct ring *r, const struct qspn_kstate *ks,
			    uint32_t tid, int lvl, uint32_t pos, int slot)
{
	struct qspn_dest_ips d;
	struct qspn_op op;

	assert_true(qspn_dest_ips(&r->sys.topo, &r->me.addr, 0,
				  (struct qspn_hcoord){lvl, pos}, &d));
	assert_true(d.present[slot]);
	assert_int_equal(qspn_kstate_route(ks, "", tid, d.ip[slot], &op), 0);
	return op;
}

static void test_ring_tables(void **state)
{
	static struct ring r;
	struct qspn_kstate *ks;
	struct qspn_op op;
	struct qspn_hcoord hv2, hv4;
	uint32_t pos2, pos4, pos3;

	(void)state;
	ring_build(&r);
	ring_state(&r);
	/* both neighbours have sent ETPs: their g-nodes are known */
	assert_true(r.arcs[0].peer_known && r.arcs[1].peer_known);
	assert_true(
		qspn_coord_by_address(&r.me.addr, &r.arcs[0].peer_addr, &hv2));
	assert_true(
		qspn_coord_by_address(&r.me.addr, &r.arcs[1].peer_addr, &hv4));
	assert_int_equal(hv2.lvl, 1);
	assert_int_equal(hv4.lvl, 1);
	pos2 = hv2.pos;
	pos4 = hv4.pos;
	pos3 = 3 + 4 + 5 - pos2 - pos4; /* the g-nodes are 3, 4 and 5 */
	ks = plan(&r);

	/* ntk: the neighbours' g-nodes straight through them, with src */
	op = route(&r, ks, 251, 1, pos2, 0);
	assert_int_equal(op.rtype, QSPN_RT_VIA);
	assert_int_equal(op.gw, LL_SYS2);
	assert_string_equal(op.dev, "eth0");
	assert_int_equal(op.src, qspn_ip_global_node(&r.sys.topo, &r.me.addr));
	op = route(&r, ks, 251, 1, pos4, 1); /* anonymizing: src = global */
	assert_int_equal(op.gw, LL_SYS4);
	assert_string_equal(op.dev, "eth1");
	assert_int_equal(op.src, qspn_ip_global_node(&r.sys.topo, &r.me.addr));
	/* the opposite g-node: through the first path the engine lists */
	{
		struct qspn_dest_paths dp;
		const struct qspn_plan_arc *best;

		assert_int_equal(
			qspn_get_paths_to(sim_inst(r.s, r.id[1][0]),
					  (struct qspn_hcoord){1, pos3}, &dp),
			0);
		assert_int_equal(dp.n_paths, 2);
		best = dp.paths[0].arc == r.arcs[0].id ? &r.arcs[0]
						       : &r.arcs[1];
		op = route(&r, ks, 251, 1, pos3, 0);
		assert_int_equal(op.gw, best->peer_linklocal);
	}
	/* from system 2 (table 250): its own g-node unreachable, the rest
	 * round the other side of the ring, through system 4 */
	assert_int_equal(route(&r, ks, 250, 1, pos2, 0).rtype,
			 QSPN_RT_UNREACHABLE);
	op = route(&r, ks, 250, 1, pos4, 0);
	assert_int_equal(op.gw, LL_SYS4);
	assert_int_equal(op.src, 0);
	op = route(&r, ks, 250, 1, pos3, 1);
	assert_int_equal(op.gw, LL_SYS4);
	/* from system 4 (table 249): the mirror image */
	assert_int_equal(route(&r, ks, 249, 1, pos4, 0).rtype,
			 QSPN_RT_UNREACHABLE);
	assert_int_equal(route(&r, ks, 249, 1, pos2, 0).gw, LL_SYS2);
	assert_int_equal(route(&r, ks, 249, 1, pos3, 0).gw, LL_SYS2);
	/* the empty sibling slot of my level-1 g-node: no path; its
	 * internal level-1 address comes from neighbours outside my level-1
	 * g-node, so it is a blackhole in their tables */
	assert_int_equal(route(&r, ks, 251, 0, 1 - r.me.addr.pos[0], 0).rtype,
			 QSPN_RT_UNREACHABLE);
	assert_int_equal(route(&r, ks, 250, 0, 1 - r.me.addr.pos[0], 2).rtype,
			 QSPN_RT_BLACKHOLE);
	assert_int_equal(route(&r, ks, 249, 0, 1 - r.me.addr.pos[0], 2).rtype,
			 QSPN_RT_BLACKHOLE);
	qspn_kstate_free(ks);
	sim_free(r.s);
}

/* system 2 dies: the engine's path signals drive qspn_plan_update_dest(),
 * which must land on the same state as a full plan */
static void test_ring_incremental(void **state)
{
	static struct ring r;
	struct qspn_kstate *ks, *full;
	struct qspn_ops ops, diff;
	size_t changed = 0;

	(void)state;
	ring_build(&r);
	ring_state(&r);
	ks = plan(&r);
	sim_kill_system(r.s, 2);
	sim_run_until(r.s, 1200);
	/* the arc towards system 2 is gone from the engine; keep the
	 * planner's arc list (the daemon removes it on arc_removed) and
	 * look only at what the paths change */
	qspn_ops_init(&ops);
	for (uint32_t pos = 0; pos < 8; pos++)
		assert_int_equal(qspn_plan_update_dest(
					 ks, &r.sys, 0,
					 (struct qspn_hcoord){1, pos}, &ops),
				 0);
	for (uint32_t pos = 0; pos < 2; pos++)
		assert_int_equal(qspn_plan_update_dest(
					 ks, &r.sys, 0,
					 (struct qspn_hcoord){0, pos}, &ops),
				 0);
	changed = ops.n;
	assert_true(changed > 0);
	full = plan(&r);
	qspn_ops_init(&diff);
	assert_int_equal(qspn_plan_diff(ks, full, &diff), 0);
	if (diff.n) {
		char line[512];

		qspn_op_format(&diff.v[0], line, sizeof(line));
		fail_msg("%zu differences, first: %s", diff.n, line);
	}
	/* nothing goes through system 2 any more */
	for (size_t i = 0; i < ops.n; i++)
		assert_true(ops.v[i].rtype != QSPN_RT_VIA ||
			    ops.v[i].gw != LL_SYS2);
	qspn_ops_free(&ops);
	qspn_ops_free(&diff);
	qspn_kstate_free(ks);
	qspn_kstate_free(full);
	sim_free(r.s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring_tables),
		cmocka_unit_test(test_ring_incremental),
	};

	return cmocka_run_group_tests_name("plan_engine", tests, NULL, NULL);
}
