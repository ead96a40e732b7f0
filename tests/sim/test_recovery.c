// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * No lost destination (issue 17 item 1, doc/protocol/recovery.md): in
 * converged 100-node networks of the benchmark's shape (hierarchical and
 * flat, 20 graph and simulator seeds each), single link failures and
 * single node failures that leave the graph (and every g-node) connected.
 * Without the regain rule (the reference's behaviour) destinations are
 * lost; with it (the default) at least ten times fewer are (hierarchical,
 * unmerged: none, and no stale path; the rest is printed).  Every failure goes quiet within a
 * bounded number of message rounds, far below the periodic full ETP.
 * Larger runs: bench/recovery_bench.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "sim_recovery.h"

#define SEEDS 20
#define SEEDS_OFF 4
#define MAX_ROUNDS 200

struct tally {
	int failures, with_missing, missing, node_missing, stale;
};

static uint32_t window_ms; /* qspn_params.fwd_window_ms */

static void one_seed(bool flat, bool regain, uint64_t sd, int links,
		     int nodes, struct tally *ty)
{
	struct qspn_params qp;
	struct rec_cfg c = {.n = 100, .flat = flat,
			    .graph_seed = 1000 + sd, .sim_seed = sd,
			    .qp = &qp};
	struct rec_net *t;
	struct rec_result r;
	int done = 0;

	qspn_params_default(&qp);
	qp.regain = regain;
	qp.fwd_window_ms = window_ms;
	t = rec_net_new(&c);
	rec_check(t, &r);
	assert_int_equal(r.missing, 0);
	assert_int_equal(r.stale, 0);
	/* the links between g-nodes (the last ones) and some inside */
	for (int e = rec_n_links(t) - 1; e >= 0 && done < links;
	     e -= 1 + (int)(sd % 3)) {
		if (rec_link_is_bridge(t, e))
			continue;
		rec_fail_link(t, e, &r);
		assert_true(r.rounds <= MAX_ROUNDS);
		ty->failures++;
		ty->missing += r.missing;
		ty->stale += r.stale;
		if (r.missing)
			ty->with_missing++;
		rec_restore_link(t, e, &r);
		done++;
	}
	done = 0;
	for (int v = (int)(sd * 7) % 100; done < nodes; v = (v + 37) % 100) {
		if (rec_node_is_cut(t, v))
			continue;
		rec_fail_node(t, v, &r);
		assert_true(r.rounds <= MAX_ROUNDS);
		ty->failures++;
		ty->node_missing += r.missing;
		ty->stale += r.stale;
		done++;
	}
	assert_int_equal(sim_tx_invalid(rec_sim(t)), 0);
	rec_net_free(t);
}

static void run(bool flat, int links, int nodes, bool strict)
{
	struct tally on = {0}, off = {0};

	for (uint64_t sd = 1; sd <= SEEDS; sd++) {
		one_seed(flat, true, sd, links, nodes, &on);
		/* the reference's behaviour, for contrast (fewer seeds) */
		if (sd <= SEEDS_OFF)
			one_seed(flat, false, sd, links, nodes, &off);
	}
	printf("# %s: without regain (%d seeds, %d failures) %d link "
	       "failures left destinations missing (%d pairs; node failures "
	       "%d pairs); with it (%d seeds, %d failures) %d (%d pairs; node "
	       "failures %d pairs); stale pairs %d without, %d with\n",
	       flat ? "flat" : "hier", SEEDS_OFF, off.failures,
	       off.with_missing, off.missing, off.node_missing, SEEDS,
	       on.failures, on.with_missing, on.missing, on.node_missing,
	       off.stale, on.stale);
	/* the reference loses destinations; the regain rule repairs all
	 * but a few (doc/protocol/recovery.md "What is left") */
	assert_true(off.missing + off.node_missing > 0);
	if (strict) { /* every destination back, none stale */
		assert_int_equal(on.missing + on.node_missing, 0);
		assert_int_equal(on.stale, 0);
	}
	assert_true((on.missing + on.node_missing) * SEEDS_OFF * 10 <
		    (off.missing + off.node_missing) * SEEDS);
}

static void hierarchical(void **state)
{
	(void)state;
	run(false, 12, 2, true);
}

/* merged forwards (doc/protocol/merging.md): the bring-up ends with every
 * destination, and the failures behave as unmerged */
static void hierarchical_merged(void **state)
{
	(void)state;
	window_ms = 10;
	run(false, 12, 2, false);
	window_ms = 0;
}

static void flat(void **state)
{
	(void)state;
	run(true, 2, 1, false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hierarchical),
		cmocka_unit_test(hierarchical_merged),
		cmocka_unit_test(flat),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
