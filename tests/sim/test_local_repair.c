// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Local repair (issue 13 item 4, doc/protocol/recovery.md §7): when an arc
 * goes (arc_remove, or the neighbour declared dead), every destination
 * whose paths used it switches in the same call to the best path it keeps
 * on another arc, and so does every per-arc table, before any message is
 * exchanged.  In converged networks of the benchmark's shape
 * (sim_recovery.h; hierarchical and flat, 50 to 200 nodes, several
 * seeds), for single link failures and single node failures that leave
 * the graph (and every g-node) connected:
 *
 *  1. right after the arc_remove calls, with nothing delivered yet, every
 *     node's path lists are the old ones without the lost arcs' paths,
 *     in the same order, and every table (ntk and each ntk_from of a
 *     linked neighbour) whose path was on a lost arc uses the first
 *     remaining path it may use, or has none when none was kept;
 *  2. a packet from every node to every other, forwarded as qspnd
 *     installs the tables (routes.md §4.2), never takes a link that is
 *     down, and every loop it may fall into passes a node whose chosen
 *     path may cross what failed (a node not yet told, §7.3); those loops
 *     are counted, and each must be gone while the messages still move;
 *  3. then the network goes quiet within the rounds test_recovery
 *     allows, hierarchical ones with every destination and none stale.
 * The figures (switched, left for the ETPs, loops and how long they
 * last, what is left once quiet) are printed; recovery.md §7.6.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "sim_recovery.h"

#define MAX_ROUNDS 200

struct tally {
	int nets, failures;
	struct rec_repair rr;
	/* forwarding right after the failures */
	int pairs, loops, naive_loops, dropped;
	int fail_loops;	       /* failures with a transient loop */
	uint64_t clear_ms;     /* the longest until the last loop went */
	uint32_t clear_rounds; /* in message rounds */
	int not_cleared;       /* pairs still looping when nothing moved */
	/* once quiet */
	int pairs_q, loops_q, dropped_q, fail_loops_q;
	int missing, stale;
};

static void add_repair(struct rec_repair *a, const struct rec_repair *b)
{
	a->lists_wrong += b->lists_wrong;
	a->affected += b->affected;
	a->switched += b->switched;
	a->lost += b->lost;
	a->wrong += b->wrong;
	a->t_affected += b->t_affected;
	a->t_switched += b->t_switched;
	a->t_lost += b->t_lost;
	a->t_wrong += b->t_wrong;
}

/* one failure: the cut (link e, or node v), the checks before any
 * delivery, the loops while the messages flow, the checks once quiet */
static void one_failure(struct rec_net *t, int e, int v, bool strict,
			struct tally *ty)
{
	struct sim *s = rec_sim(t);
	struct rec_snap *sn;
	struct rec_repair rr;
	struct rec_result r;
	struct rec_fwd f = {0}, f0 = {0};
	uint64_t t0, delivered0;

	/* loops left by an earlier failure (none in a converged network) */
	rec_forwarding(t, &f0);
	assert_int_equal(f0.down, 0);
	sn = rec_snap_take(t, NULL, 0);
	delivered0 = sim_stats(s)->delivered;
	t0 = sim_now(s);
	if (e >= 0)
		rec_cut_link(t, e);
	else
		rec_cut_node(t, v);
	assert_true(sim_stats(s)->delivered == delivered0);

	/* 1: the switch happened inside the arc_remove calls */
	rec_snap_check(t, sn, &rr);
	rec_snap_free(sn);
	assert_int_equal(rr.lists_wrong, 0);
	assert_int_equal(rr.wrong, 0);
	assert_int_equal(rr.t_wrong, 0);
	assert_int_equal(rr.affected, rr.switched + rr.lost);
	assert_int_equal(rr.t_affected, rr.t_switched + rr.t_lost);
	add_repair(&ty->rr, &rr);

	/* 2: forwarding now; every loop passes a node that has not heard
	 * of the failure and still points across it (recovery.md §7.3) */
	rec_forwarding(t, &f);
	assert_int_equal(f.down, 0);
	assert_int_equal(f.delivered + f.dropped + f.loops, f.pairs);
	assert_true(f.loops_unexplained <= f0.loops);
	ty->pairs += f.pairs;
	ty->loops += f.loops;
	ty->naive_loops += f.naive_loops;
	ty->dropped += f.dropped;
	if (f.loops)
		ty->fail_loops++;
	ty->failures++;
	/* how long they last: 1 ms steps while messages move */
	while (f.n_looping && sim_in_flight(s) && sim_now(s) < t0 + 60000) {
		sim_run_until(s, sim_now(s) + 1);
		rec_still_looping(t, &f);
	}
	if (f.n_looping == 0 && f.loops) {
		if (sim_now(s) - t0 > ty->clear_ms)
			ty->clear_ms = sim_now(s) - t0;
		if (sim_stats(s)->max_depth > ty->clear_rounds)
			ty->clear_rounds = sim_stats(s)->max_depth;
	}
	ty->not_cleared += f.n_looping;

	/* 3: the messages; quiet within the bound, and what is left */
	rec_settle(t, &r);
	if (getenv("REC_DEBUG"))
		fprintf(stderr, " quiet: %d missing, %d stale; walks:\n",
			r.missing, r.stale);
	assert_true(r.rounds <= MAX_ROUNDS);
	if (strict) {
		assert_int_equal(r.missing, 0);
		assert_int_equal(r.stale, 0);
	}
	ty->missing += r.missing;
	ty->stale += r.stale;
	rec_forwarding(t, &f);
	assert_int_equal(f.down, 0);
	ty->pairs_q += f.pairs;
	ty->loops_q += f.loops;
	ty->dropped_q += f.dropped;
	if (f.loops)
		ty->fail_loops_q++;
	rec_fwd_free(&f);
	rec_fwd_free(&f0);
}

static void one_net(bool flat, int n, uint64_t sd, int links, int nodes,
		    struct tally *ty)
{
	struct qspn_params qp;
	struct rec_cfg c = {.n = n,
			    .flat = flat,
			    .graph_seed = 5000 + sd,
			    .sim_seed = sd,
			    .qp = &qp};
	struct rec_net *t;
	struct rec_result r;
	struct rec_fwd f = {0};
	int done = 0;

	qspn_params_default(&qp);
	t = rec_net_new(&c);
	rec_check(t, &r);
	assert_int_equal(r.missing, 0);
	assert_int_equal(r.stale, 0);
	/* converged: every packet arrives, none loops */
	rec_forwarding(t, &f);
	assert_int_equal(f.delivered, f.pairs);
	assert_int_equal(f.naive_loops, 0);
	rec_fwd_free(&f);
	ty->nets++;
	for (int e = rec_n_links(t) - 1; e >= 0 && done < links;
	     e -= 1 + (int)(sd % 3)) {
		if (rec_link_is_bridge(t, e))
			continue;
		one_failure(t, e, -1, !flat, ty);
		rec_restore_link(t, e, &r);
		done++;
	}
	done = 0;
	for (int v = (int)(sd * 7) % n; done < nodes; v = (v + 37) % n) {
		if (rec_node_is_cut(t, v))
			continue;
		one_failure(t, -1, v, !flat, ty);
		done++;
	}
	assert_int_equal(sim_tx_invalid(rec_sim(t)), 0);
	rec_net_free(t);
}

static void report(const char *name, const struct tally *ty)
{
	const struct rec_repair *a = &ty->rr;

	printf("# %s: %d networks, %d failures.  Best paths on a lost arc: "
	       "%d, switched at once %d, left for the ETPs (no other path "
	       "kept) %d; per-arc tables: %d, %d, %d.\n",
	       name, ty->nets, ty->failures, a->affected, a->switched, a->lost,
	       a->t_affected, a->t_switched, a->t_lost);
	printf("# %s: right after the failures %d of %d packets looped (in "
	       "%d failures; best-hop-only walk: %d), %d dropped; loops "
	       "gone after %llu ms at most (%u message rounds), %d pairs "
	       "still looping when nothing moved.  Once quiet: %d looped (in "
	       "%d failures), %d dropped of %d; destinations missing %d, "
	       "stale %d.\n",
	       name, ty->loops, ty->pairs, ty->fail_loops, ty->naive_loops,
	       ty->dropped, (unsigned long long)ty->clear_ms, ty->clear_rounds,
	       ty->not_cleared, ty->loops_q, ty->fail_loops_q, ty->dropped_q,
	       ty->pairs_q, ty->missing, ty->stale);
}

static void hierarchical(void **state)
{
	static const int sizes[] = {50, 100, 200};
	struct tally ty = {0};

	(void)state;
	for (uint64_t sd = 1; sd <= 6; sd++)
		one_net(false, sizes[sd % 3], sd, 8, 2, &ty);
	report("hier", &ty);
	assert_true(ty.rr.switched > 0);
	assert_true(ty.rr.t_switched > 0);
	assert_int_equal(ty.not_cleared, 0);
}

static void flat(void **state)
{
	static const int sizes[] = {50, 100};
	struct tally ty = {0};

	(void)state;
	for (uint64_t sd = 1; sd <= 4; sd++)
		one_net(true, sizes[sd % 2], sd, 4, 1, &ty);
	report("flat", &ty);
	assert_true(ty.rr.switched > 0);
	assert_true(ty.rr.t_switched > 0);
	assert_int_equal(ty.not_cleared, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hierarchical),
		cmocka_unit_test(flat),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
