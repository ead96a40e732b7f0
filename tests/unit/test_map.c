// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the map and the ETP normalisation (lib/qspn_map.c,
 * lib/qspn_etp.c, lib/qspn_fp.c) on hand-built inputs: the disjointness
 * example of doc/protocol/qspn.md §4.5, the mandatory rules of §4.3, mch_ratio,
 * the grouping and acyclic rules (§9.9.1), the full-ETP withdrawal (§9.9.2),
 * ignore_outside (§3.7), costs and fingerprints (§1.6.3, §2.1, 10.14).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "qspn_engine_int.h"

static struct qspn_hcoord hc(int l, uint32_t p)
{
	struct qspn_hcoord h = {.lvl = l, .pos = p};

	return h;
}

struct rec {
	int n_sig[16];
	uint32_t rnd;
};

static void r_send(void *ctx, struct qspn_instance *i, uint32_t arc,
		   const uint8_t *b, size_t l)
{
	(void)ctx, (void)i, (void)arc, (void)b, (void)l;
}

static void r_bcast(void *ctx, struct qspn_instance *i, const uint32_t *arcs,
		    size_t n, const uint8_t *b, size_t l)
{
	(void)ctx, (void)i, (void)arcs, (void)n, (void)b, (void)l;
}

static void r_signal(void *ctx, struct qspn_instance *i,
		     const struct qspn_signal *s)
{
	struct rec *r = ctx;

	(void)i;
	r->n_sig[s->type]++;
}

static uint32_t r_random(void *ctx)
{
	struct rec *r = ctx;

	return ++r->rnd;
}

static const struct qspn_host_ops rops = {
	.send = r_send,
	.broadcast = r_bcast,
	.signal = r_signal,
	.random = r_random,
};

static struct qspn_instance *mk(struct rec *r, int levels,
				const uint32_t *gsize, const uint32_t *pos,
				double ratio)
{
	struct qspn_topology t;
	struct qspn_naddr me = {.levels = levels};
	struct qspn_fp fp0;
	struct qspn_params p;
	char err[QSPN_ERRBUF_SIZE];
	int32_t eld[QSPN_MAX_LEVELS] = {0};

	assert_int_equal(
		qspn_topology_init(&t, levels, gsize, err, sizeof(err)), 0);
	for (int i = 0; i < levels; i++)
		me.pos[i] = pos[i];
	qspn_fp_init_node(&fp0, 1, levels, eld);
	qspn_params_default(&p);
	p.max_common_hops_ratio = ratio;
	return qspn_create_net(&p, &t, &me, &fp0, &rops, r, 0);
}

/* a path in my frame: n hops at level 0 (positions), arcs, cost, fp id */
static struct qspn_npath *np0(uint32_t arc_id, int n, const uint32_t *pos,
			      const uint32_t *arcs, int64_t cost, int64_t fpid,
			      int levels)
{
	struct qspn_epath e;
	struct qspn_hcoord h[8];
	uint32_t a[8];
	int32_t eld[QSPN_MAX_LEVELS] = {0};

	memset(&e, 0, sizeof(e));
	for (int i = 0; i < n; i++) {
		h[i] = hc(0, pos[i]);
		a[i] = arcs[i];
	}
	e.n = (uint32_t)n;
	e.hops = h;
	e.arcs = a;
	e.cost = cost < 0 ? qspn_cost_null() : qspn_cost_real(cost);
	qspn_fp_init_node(&e.fp, fpid, levels, eld);
	e.nodes_inside = 1;
	return qspn_npath_new(arc_id, &e);
}

static void update(struct qspn_instance *inst, struct qspn_nplist *q)
{
	struct qspn_eplist out = {0};
	struct qspn_hclist b = {0};

	qspn_update_map(inst, q, 0, &out, &b);
	qspn_nplist_free(q);
	qspn_eplist_free(&out);
	qspn_hclist_free(&b);
}

enum { B = 1, C, D, E, F, G };

/* my node A (position 0) with its only neighbour B; known C, D, E, F */
static struct qspn_instance *docs_example(struct rec *r, uint32_t *aid)
{
	static const uint32_t g16[] = {16}, p0[] = {0};
	struct qspn_instance *inst = mk(r, 1, g16, p0, 0.7);
	struct qspn_arc *a;
	struct qspn_nplist q = {0};

	assert_int_equal(qspn_arc_add(inst, 0, 100, 100), 0);
	a = qspn_arc_by_handle(inst, 100);
	a->has_peer = true;
	a->peer.levels = 1;
	a->peer.pos[0] = B;
	*aid = a->id;
	{
		const uint32_t hb[] = {B}, hbc[] = {B, C}, hbd[] = {B, D},
			       hbe[] = {B, E}, hbef[] = {B, E, F};
		const uint32_t ab[] = {*aid}, abc[] = {*aid, 12},
			       abd[] = {*aid, 13}, abe[] = {*aid, 14},
			       abef[] = {*aid, 14, 15};

		qspn_nplist_push(&q, np0(*aid, 1, hb, ab, -1, B, 1));
		qspn_nplist_push(&q, np0(*aid, 2, hbc, abc, 10, C, 1));
		qspn_nplist_push(&q, np0(*aid, 2, hbd, abd, 10, D, 1));
		qspn_nplist_push(&q, np0(*aid, 2, hbe, abe, 10, E, 1));
		qspn_nplist_push(&q, np0(*aid, 3, hbef, abef, 20, F, 1));
	}
	update(inst, &q);
	for (uint32_t x = B; x <= F; x++)
		assert_true(qspn_is_known_destination(inst, hc(0, x)));
	return inst;
}

static void push_g_paths(struct qspn_nplist *q, uint32_t aid, int64_t fp_bdef)
{
	const uint32_t bc[] = {B, C, G}, bd[] = {B, D, G}, bef[] = {B, E, F, G},
		       bed[] = {B, E, D, G}, bdef[] = {B, D, E, F, G};
	const uint32_t abc[] = {aid, 12, 20}, abd[] = {aid, 13, 21},
		       abef[] = {aid, 14, 15, 22}, abed[] = {aid, 14, 16, 21},
		       abdef[] = {aid, 13, 17, 15, 22};

	/* pushed out of order: update_map sorts by cost */
	qspn_nplist_push(q, np0(aid, 5, bdef, abdef, 90, fp_bdef, 1));
	qspn_nplist_push(q, np0(aid, 3, bd, abd, 60, G, 1));
	qspn_nplist_push(q, np0(aid, 4, bed, abed, 80, G, 1));
	qspn_nplist_push(q, np0(aid, 3, bc, abc, 50, G, 1));
	qspn_nplist_push(q, np0(aid, 4, bef, abef, 70, G, 1));
}

/* §4.5 worked example: BC, BD, BEF kept; BED, BDEF rejected */
static void test_disjoint_docs_example(void **state)
{
	struct rec r = {0};
	uint32_t aid;
	struct qspn_instance *inst = docs_example(&r, &aid);
	struct qspn_nplist q = {0};
	struct qspn_dest_paths dp;

	(void)state;
	push_g_paths(&q, aid, G);
	update(inst, &q);
	assert_int_equal(qspn_get_paths_to(inst, hc(0, G), &dp), 0);
	assert_int_equal(dp.n_paths, 3);
	assert_int_equal(dp.paths[0].cost, 150);
	assert_int_equal(dp.paths[1].cost, 160);
	assert_int_equal(dp.paths[2].cost, 170);
	assert_int_equal(dp.paths[2].n_hops, 4);
	assert_true(qspn_hcoord_equal(dp.paths[1].hops[1].hc, hc(0, D)));
	assert_int_equal(dp.paths[0].arc, 100);
	qspn_instance_free(inst);
}

/* §4.3 fingerprint rule: a new fingerprint is kept, disjoint or not */
static void test_mandatory_fingerprint(void **state)
{
	struct rec r = {0};
	uint32_t aid;
	struct qspn_instance *inst = docs_example(&r, &aid);
	struct qspn_nplist q = {0};
	struct qspn_dest_paths dp;

	(void)state;
	push_g_paths(&q, aid, 999);
	update(inst, &q);
	assert_int_equal(qspn_get_paths_to(inst, hc(0, G), &dp), 0);
	assert_int_equal(dp.n_paths, 4);
	assert_int_equal(dp.paths[3].cost, 190);
	qspn_instance_free(inst);
}

/* §4.3 neighbour rule: the best path avoiding each neighbour is kept */
static void test_mandatory_neighbour(void **state)
{
	struct rec r = {0};
	uint32_t aid, aid2;
	struct qspn_instance *inst = docs_example(&r, &aid);
	struct qspn_nplist q = {0};
	struct qspn_dest_paths dp;
	struct qspn_arc *a;

	(void)state;
	/* a second neighbour, C, on a second arc; paths to G: BC (through
	 * both), then CBD... the rule keeps the best path avoiding B and
	 * the best avoiding C */
	assert_int_equal(qspn_arc_add(inst, 0, 101, 100), 0);
	a = qspn_arc_by_handle(inst, 101);
	a->has_peer = true;
	a->peer.levels = 1;
	a->peer.pos[0] = C;
	aid2 = a->id;
	{
		const uint32_t bcg[] = {B, C, G}, cdg[] = {C, D, G},
			       bdg[] = {B, D, G};
		const uint32_t a1[] = {aid, 12, 20}, a2[] = {aid2, 30, 21},
			       a3[] = {aid, 13, 21};

		/* BDG shares D->G with CDG: with ratio 0 it would not be
		 * disjoint, but it is the only path avoiding C */
		qspn_nplist_push(&q, np0(aid, 3, bcg, a1, 10, G, 1));
		qspn_nplist_push(&q, np0(aid2, 3, cdg, a2, 20, G, 1));
		qspn_nplist_push(&q, np0(aid, 3, bdg, a3, 30, G, 1));
	}
	inst->prm.max_common_hops_ratio = 0.0;
	update(inst, &q);
	assert_int_equal(qspn_get_paths_to(inst, hc(0, G), &dp), 0);
	assert_int_equal(dp.n_paths, 3);
	assert_int_equal(dp.paths[1].arc, 101);
	assert_int_equal(dp.paths[2].cost, 130);
	qspn_instance_free(inst);
}

static void test_mch_ratio(void **state)
{
	(void)state;
	/* §9.9.6: num 100, v 2 -> (0.6 - 0.21) * 0.6 + 0.21 = 0.444 */
	assert_true(qspn_mch_ratio(0.6, 100, 2) > 0.4439);
	assert_true(qspn_mch_ratio(0.6, 100, 2) < 0.4441);
	/* small destinations tolerate everything */
	assert_true(qspn_mch_ratio(0.6, 5, 1) > 0.5999);
	/* large ones never go below epsilon */
	assert_true(qspn_mch_ratio(0.6, 100000, 9) > 0.6 * 0.08 - 1e-9);
}

/* §9.9.1 grouping and acyclic rules on the TP-list; §9.9.2 withdrawal */
static void test_revise(void **state)
{
	static const uint32_t g3[] = {8, 8, 8}, me[] = {1, 1, 1};
	struct rec r = {0};
	struct qspn_instance *inst = mk(&r, 3, g3, me, 0.6);
	struct qspn_etp m;
	struct qspn_hcoord tp[3] = {hc(0, 3), hc(1, 2), hc(2, 5)};
	struct qspn_arena ar;
	struct qspn_nplist q = {0};
	struct qspn_arc *a;
	int32_t eld[3] = {0, 0, 0};

	(void)state;
	qspn_arena_init(&ar, 1 << 20);
	assert_int_equal(qspn_arc_add(inst, 0, 1, 500), 0);
	a = qspn_arc_by_handle(inst, 1);
	memset(&m, 0, sizeof(m));
	/* the sender's maximum distinct g-node for me is (1,4) */
	m.addr.levels = 3;
	m.addr.pos[0] = 6;
	m.addr.pos[1] = 4;
	m.addr.pos[2] = 1;
	m.n_fp = 4;
	for (int k = 0; k < 4; k++) {
		qspn_fp_init_node(&m.fps[k], 9, 3, eld);
		m.fps[k].level = (uint8_t)k;
		m.nn[k] = 1;
	}
	m.hops = tp;
	m.n_hops = 3;
	assert_true(qspn_revise_etp(inst, &m, a, false, &ar, &q));
	assert_int_equal(m.n_hops, 3);
	assert_true(qspn_hcoord_equal(m.hops[0], hc(1, 4)));
	assert_true(qspn_hcoord_equal(m.hops[1], hc(1, 2)));
	assert_true(qspn_hcoord_equal(m.hops[2], hc(2, 5)));
	/* the intrinsic path to (1,4) */
	assert_int_equal(q.n, 1);
	assert_true(qspn_hcoord_equal(q.v[0]->p.hops[0], hc(1, 4)));
	assert_int_equal(q.v[0]->p.cost.kind, QSPN_COST_NULL);
	update(inst, &q);
	assert_true(qspn_is_known_destination(inst, hc(1, 4)));

	/* acyclic: my level-2 position is 1; a TP-list through (2,1) */
	tp[0] = hc(0, 3);
	tp[1] = hc(1, 2);
	tp[2] = hc(2, 1);
	m.hops = tp;
	m.n_hops = 3;
	assert_false(qspn_revise_etp(inst, &m, a, false, &ar, &q));
	qspn_nplist_free(&q);

	/* a full ETP without the intrinsic path's twin withdraws nothing,
	 * and one from a changed address withdraws the old g-node (3.8) */
	m.hops = NULL;
	m.n_hops = 0;
	m.addr.pos[1] = 5;
	assert_true(qspn_revise_etp(inst, &m, a, true, &ar, &q));
	/* intrinsic to (1,5), DEAD intrinsic to (1,4), and the full-ETP
	 * withdrawal of the stored path to (1,4) (same hops: one DEAD) */
	{
		int dead = 0, alive = 0;

		for (uint32_t i = 0; i < q.n; i++) {
			if (q.v[i]->p.cost.kind == QSPN_COST_DEAD) {
				assert_true(qspn_hcoord_equal(q.v[i]->p.hops[0],
							      hc(1, 4)));
				dead++;
			} else {
				assert_true(qspn_hcoord_equal(q.v[i]->p.hops[0],
							      hc(1, 5)));
				alive++;
			}
		}
		assert_int_equal(alive, 1);
		assert_true(dead >= 1);
	}
	r.n_sig[QSPN_SIG_DEST_REMOVED] = 0;
	update(inst, &q);
	assert_false(qspn_is_known_destination(inst, hc(1, 4)));
	assert_true(qspn_is_known_destination(inst, hc(1, 5)));
	assert_int_equal(r.n_sig[QSPN_SIG_DEST_REMOVED], 1);
	qspn_arena_fini(&ar);
	qspn_instance_free(inst);
}

/* §3.7: internal destination -> true; best exit -> false; other -> true */
static void test_ignore_outside(void **state)
{
	static const uint32_t g2[] = {4, 4}, me[] = {0, 0};
	struct rec r = {0};
	struct qspn_instance *inst = mk(&r, 2, g2, me, 0.6);
	struct qspn_nplist q = {0};
	struct qspn_eplist out = {0};
	struct qspn_arc *a;
	uint32_t aid;
	int32_t eld[2] = {0, 0};
	struct qspn_epath e;
	struct qspn_hcoord h[3];
	uint32_t ar[3];

	(void)state;
	assert_int_equal(qspn_arc_add(inst, 0, 1, 100), 0);
	a = qspn_arc_by_handle(inst, 1);
	aid = a->id;
	memset(&e, 0, sizeof(e));
	e.hops = h;
	e.arcs = ar;
	e.nodes_inside = 1;
	/* (0,1) neighbour; (1,2) behind it, cost 10; and via (0,1),(0,3) */
	h[0] = hc(0, 1);
	ar[0] = aid;
	e.n = 1;
	e.cost = qspn_cost_null();
	qspn_fp_init_node(&e.fp, 5, 2, eld);
	qspn_nplist_push(&q, qspn_npath_new(aid, &e));
	h[1] = hc(0, 3);
	ar[1] = 31;
	e.n = 2;
	e.cost = qspn_cost_real(10);
	qspn_nplist_push(&q, qspn_npath_new(aid, &e));
	h[1] = hc(1, 2);
	ar[1] = 32;
	e.fp.level = 1;
	e.fp.n_eld = 1;
	e.fp.n_seed = 1;
	qspn_nplist_push(&q, qspn_npath_new(aid, &e));
	update(inst, &q);
	assert_true(qspn_is_known_destination(inst, hc(1, 2)));

	/* a path to (0,3) is internal to my level-1 g-node */
	h[1] = hc(0, 3);
	ar[1] = 31;
	e.n = 2;
	qspn_eplist_push_copy(&out, &e);
	/* the best exit towards (1,2) through arc 32 */
	h[1] = hc(1, 2);
	ar[1] = 32;
	qspn_eplist_push_copy(&out, &e);
	/* another path entering (1,2) through arc 32, not the best */
	h[1] = hc(0, 3);
	ar[1] = 31;
	h[2] = hc(1, 2);
	ar[2] = 32;
	e.n = 3;
	qspn_eplist_push_copy(&out, &e);
	qspn_finalize(inst, &out);
	assert_int_equal(out.v[0].ignore_outside, 1u << 1);
	assert_int_equal(out.v[1].ignore_outside, 0);
	assert_int_equal(out.v[2].ignore_outside, 1u << 1);
	qspn_eplist_free(&out);
	qspn_instance_free(inst);
}

static void test_cost(void **state)
{
	struct qspn_cost n = qspn_cost_null(), d = qspn_cost_dead();
	struct qspn_cost c10 = qspn_cost_real(10000);

	(void)state;
	assert_true(qspn_cost_cmp(n, c10) < 0);
	assert_true(qspn_cost_cmp(c10, d) < 0);
	assert_int_equal(qspn_cost_cmp(d, d), 0);
	assert_int_equal(qspn_cost_add(n, c10).usec, 10000);
	assert_int_equal(qspn_cost_add(c10, d).kind, QSPN_COST_DEAD);
	/* 30 %: up when new > old + 0.3 new, down when new < old - 0.3 old */
	assert_false(qspn_cost_important_variation(c10, qspn_cost_real(14285)));
	assert_true(qspn_cost_important_variation(c10, qspn_cost_real(14286)));
	assert_false(qspn_cost_important_variation(c10, qspn_cost_real(7000)));
	assert_true(qspn_cost_important_variation(c10, qspn_cost_real(6999)));
	assert_true(qspn_cost_important_variation(c10, d));
	assert_false(qspn_cost_important_variation(d, d));
}

static void test_fingerprint(void **state)
{
	struct qspn_fp a, b, c, r;
	const struct qspn_fp *others[2];
	int32_t ea[2] = {0, 0}, eb[2] = {1, 0}, ec[2] = {2, 0};

	(void)state;
	qspn_fp_init_node(&a, 100, 2, ea);
	qspn_fp_init_node(&b, 200, 2, eb);
	qspn_fp_init_node(&c, 300, 2, ec);
	/* b builds its level-1 fp knowing a and c: a is the eldest */
	others[0] = &a;
	others[1] = &c;
	qspn_fp_construct(&r, &b, others, 2, false);
	assert_int_equal(r.id, 100);
	assert_int_equal(r.level, 1);
	assert_int_equal(r.n_seed, 1);
	assert_int_equal(r.seed[0], 0);
	/* 10.14: a null eldership is the youngest on both sides: a
	 * connectivity node never lends its id, even to itself */
	qspn_fp_construct(&r, &a, others + 1, 1, true);
	assert_int_equal(r.id, 300);
	/* elder_seed compares the seeds */
	{
		struct qspn_fp x, y;
		const struct qspn_fp *oc[1] = {&c};

		qspn_fp_construct(&x, &a, NULL, 0, false);
		qspn_fp_construct(&y, &b, oc, 1, false);
		assert_true(qspn_fp_elder_seed(&x, &y));
		assert_false(qspn_fp_elder_seed(&y, &x));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_disjoint_docs_example),
		cmocka_unit_test(test_mandatory_fingerprint),
		cmocka_unit_test(test_mandatory_neighbour),
		cmocka_unit_test(test_mch_ratio),
		cmocka_unit_test(test_revise),
		cmocka_unit_test(test_ignore_outside),
		cmocka_unit_test(test_cost),
		cmocka_unit_test(test_fingerprint),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
