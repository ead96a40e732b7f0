// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Ingress with a virtual position that later becomes real
 * (doc/protocol/qspn.md §5.3, §8.2-§8.7; doc/protocol/routes.md §5.4-§5.5;
 * doc/protocol/scenario.md E1-E3), driven exactly as the daemon drives it: new
 * identity = enter_net (virtual position at host_level-1), old identity =
 * make_connectivity, then make_real on the new identity, and for a migrated
 * g-node check_connectivity / prepare_destroy / destroy on the old ones.
 *
 * Topology 4.2.2.2 (gsize 2, 2, 2, 4 from level 0).  Addresses are written
 * top level first as in the scenario; the arrays below are level 0 first.
 *
 * E2: beta (1.0.1.0, alone) enters G_gamma = {gamma 2.1.1.0} as beta1 at
 *     2.1.1.2, made real at 2.1.1.1.
 * E1: mu (1.0.1.1, alone) enters G_delta = {delta 3.1.0.1} as mu1 at
 *     3.1.0.2, made real at 3.1.0.0.
 * E3: the level-1 g-node chi = {delta0, mu1} enters G_gamma as chi' at
 *     2.1.2. (delta1 2.1.2.1, mu2 2.1.2.0), made real at 2.1.0.; chi
 *     becomes connectivity 3.1.2. and is removed (prepare_destroy +
 *     destroy, no ping-pong).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "sim_check.h"

#define NLEV 4
#define HC(l, p) ((struct qspn_hcoord){.lvl = (l), .pos = (p)})

enum { P_BETA = 2, P_GAMMA = 3, P_DELTA = 4, P_MU = 5 };

struct e3_variant {
	bool internal;	   /* mu2's arc to delta1 given as internal arc */
	bool immediate;	   /* make_real right after enter_net (phase 2
			      without a pending migration) */
	uint32_t mu_delay; /* ms between delta's and mu's phase 1 */
	uint32_t mr_gap;   /* !immediate: ms between the two make_real */
	bool mu_first;	   /* !immediate: mu2's make_real first */
	uint32_t settle;   /* ms to wait after the last make_real */
};

struct world {
	struct sim *s;
	int beta, gamma, delta, mu; /* systems */
	int l_bg, l_dm, l_dg;	    /* links */
	int beta0, beta1, gamma0, delta0, delta1, mu0, mu1, mu2;
	int a_bg, a_dm1, a_dg, a_dm2;
};

static uint32_t virt_pos;
static int virt_lvl;

static void to_virtual(void *uctx, struct qspn_naddr *a)
{
	(void)uctx;
	a->pos[virt_lvl] = virt_pos;
}

static void make_conn(struct world *w, int ident, int lvl, uint32_t vpos)
{
	virt_lvl = lvl;
	virt_pos = vpos;
	assert_int_equal(qspn_make_connectivity(sim_inst(w->s, ident),
						sim_now(w->s), lvl + 1, NLEV,
						to_virtual, NULL),
			 0);
	sim_touch(w->s, ident);
}

static void make_real(struct world *w, int ident, int lvl, uint32_t pos,
		      int32_t eld)
{
	assert_int_equal(qspn_make_real(sim_inst(w->s, ident), sim_now(w->s),
					lvl, pos, eld),
			 0);
	sim_touch(w->s, ident);
}

static void dump_map(const struct world *w, int ident, const char *name)
{
	struct qspn_instance *inst = sim_inst(w->s, ident);
	char buf[64];

	qspn_naddr_format(qspn_my_naddr(inst), buf, sizeof(buf));
	fprintf(stderr, "%s %s boot=%d:", name, buf,
		qspn_is_bootstrap_complete(inst));
	for (int l = 0; l < NLEV; l++) {
		struct qspn_hcoord hc[16];
		int n = qspn_get_known_destinations(inst, l, hc, 16);

		for (int i = 0; i < n && i < 16; i++)
			fprintf(stderr, " (%d,%u)", hc[i].lvl, hc[i].pos);
	}
	fprintf(stderr, "\n");
}

/* the instance knows exactly these destinations */
static void assert_map(const struct world *w, int ident, const char *name,
		       const struct qspn_hcoord *exp, int n_exp)
{
	struct qspn_instance *inst = sim_inst(w->s, ident);
	int tot = 0;
	bool ok = qspn_is_bootstrap_complete(inst);

	for (int l = 0; ok && l < NLEV; l++) {
		int n = qspn_get_known_destinations(inst, l, NULL, 0);

		ok = n >= 0;
		tot += n;
	}
	ok = ok && tot == n_exp;
	for (int i = 0; ok && i < n_exp; i++)
		ok = qspn_is_known_destination(inst, exp[i]);
	if (!ok)
		dump_map(w, ident, name);
	assert_true(ok);
}

static void assert_addr(const struct world *w, int ident, const char *text)
{
	char buf[64];

	qspn_naddr_format(qspn_my_naddr(sim_inst(w->s, ident)), buf,
			  sizeof(buf));
	assert_string_equal(buf, text);
}

static uint32_t nodes_inside(const struct world *w, int ident, int level)
{
	uint32_t nn = 0;

	assert_int_equal(
		qspn_get_nodes_inside(sim_inst(w->s, ident), level, &nn), 0);
	return nn;
}

static int64_t fp_id(const struct world *w, int ident, int level)
{
	struct qspn_fp fp;

	assert_int_equal(
		qspn_get_fingerprint(sim_inst(w->s, ident), level, &fp), 0);
	return fp.id;
}

/* no message of a live instance was rejected, none invalid was sent */
static void assert_clean(const struct world *w)
{
	for (int i = 0; i < sim_n_idents(w->s); i++) {
		struct qspn_instance *inst = sim_inst(w->s, i);
		const struct qspn_stats *st;

		if (!inst)
			continue;
		st = qspn_get_stats(inst);
		for (int r = QSPN_RX_ERR_TOO_BIG; r < QSPN_RX__MAX; r++)
			if (st->rx[r]) {
				fprintf(stderr, "ident %d: rx %s = %llu\n", i,
					qspn_rx_result_str(r),
					(unsigned long long)st->rx[r]);
				fail();
			}
	}
	assert_int_equal(sim_tx_invalid(w->s), 0);
}

static void bad_args(void **state)
{
	static const uint32_t g[] = {2, 2, 2, 4};
	static const uint32_t p[] = {0, 1, 1, 2};
	struct qspn_topology topo;
	struct world ww = {0}, *w = &ww;
	struct qspn_instance *inst;
	struct qspn_fp fp;

	(void)state;
	sim_topo(&topo, NLEV, g);
	w->s = sim_new(&topo, NULL, NULL);
	w->gamma = sim_system(w->s, P_GAMMA);
	w->gamma0 = sim_create_net(w->s, w->gamma, p, NULL);
	inst = sim_inst(w->s, w->gamma0);
	/* nothing virtual */
	assert_int_equal(qspn_make_real(inst, 0, 0, 1, 0), -1);
	assert_int_equal(qspn_make_real(inst, 0, -1, 1, 0), -1);
	assert_int_equal(qspn_make_real(inst, 0, NLEV, 1, 0), -1);
	make_conn(w, w->gamma0, 0, 3);
	/* pos out of range, wrong level, negative eldership */
	assert_int_equal(qspn_make_real(inst, 0, 0, 2, 0), -1);
	assert_int_equal(qspn_make_real(inst, 0, 1, 0, 0), -1);
	assert_int_equal(qspn_make_real(inst, 0, 0, 1, -1), -1);
	assert_addr(w, w->gamma0, "2.1.1.3");
	assert_int_equal(nodes_inside(w, w->gamma0, 1), 0);
	/* and back */
	assert_int_equal(qspn_make_real(inst, 0, 0, 1, 5), 0);
	assert_addr(w, w->gamma0, "2.1.1.1");
	assert_int_equal(nodes_inside(w, w->gamma0, 1), 1);
	assert_int_equal(qspn_get_fingerprint(inst, 0, &fp), 0);
	assert_int_equal(fp.eld[0], 5);
	sim_free(w->s);
}

/* --- E2 ------------------------------------------------------------------ */

static void e2(struct world *w, bool immediate)
{
	static const uint32_t p_beta[] = {0, 1, 0, 1}, p_gamma[] = {0, 1, 1, 2};
	static const uint32_t in_g[] = {2, 1, 1, 2}; /* 2.1.1.2 */
	static const int32_t eld[] = {1, 0, 0, 0};
	struct sim *s = w->s;
	uint64_t t0;

	w->beta = sim_system(s, P_BETA);
	w->gamma = sim_system(s, P_GAMMA);
	w->gamma0 = sim_create_net(s, w->gamma, p_gamma, NULL);
	w->beta0 = sim_create_net(s, w->beta, p_beta, NULL);
	sim_run_until(s, 100);

	/* link beta-gamma; beta's phase 1 */
	w->l_bg = sim_link(s, w->beta, "eth1", w->gamma, "eth1", 2000);
	w->beta1 = sim_add_identity(s, w->beta);
	w->a_bg = sim_arc(s, w->l_bg, w->beta1, w->gamma0);
	t0 = sim_now(s);
	sim_enter_net(s, w->beta0, w->beta1, 0, 1, in_g, eld, &w->a_bg, 1);
	make_conn(w, w->beta0, 0, 2); /* 1.0.1.2 */
	assert_int_equal(qspn_get_nodes_inside(sim_inst(s, w->beta1), 1, NULL),
			 -1); /* bootstrap */
	if (immediate)
		make_real(w, w->beta1, 0, 1, 1);
	sim_dismiss(s, w->beta0); /* no arcs: nothing to tell */
	/* gamma's add_qspn_arc */
	sim_run_until(s, t0 + 10);
	assert_int_equal(sim_qspn_arc_add(s, w->a_bg, w->gamma0), 0);
	sim_run_until(s, t0 + 2000);
	if (getenv("SIM_DUMP")) {
		dump_map(w, w->beta1, "beta1");
		dump_map(w, w->gamma0, "gamma0");
	}
	if (!immediate) {
		/* beta1 is known at its virtual position; nobody counts it */
		assert_addr(w, w->beta1, "2.1.1.2");
		assert_map(w, w->gamma0, "gamma0",
			   (struct qspn_hcoord[]){HC(0, 2)}, 1);
		assert_int_equal(nodes_inside(w, w->gamma0, 1), 1);
		make_real(w, w->beta1, 0, 1, 1);
		sim_run_until(s, t0 + 3000);
		assert_int_equal(sim_count(s, P_GAMMA, 0, QSPN_SIG_DEST_ADDED,
					   NULL, 0, 2),
				 1);
		assert_int_equal(sim_count(s, P_GAMMA, 0, QSPN_SIG_DEST_REMOVED,
					   NULL, 0, 2),
				 1);
	} else {
		/* gamma never saw the virtual position */
		assert_int_equal(sim_count(s, P_GAMMA, 0, QSPN_SIG_DEST_ADDED,
					   NULL, 0, 2),
				 0);
	}
	assert_addr(w, w->beta1, "2.1.1.1");
	assert_map(w, w->gamma0, "gamma0", (struct qspn_hcoord[]){HC(0, 1)}, 1);
	assert_map(w, w->beta1, "beta1", (struct qspn_hcoord[]){HC(0, 0)}, 1);
	assert_int_equal(
		sim_count(s, P_GAMMA, 0, QSPN_SIG_DEST_ADDED, NULL, 0, 1), 1);
	assert_int_equal(
		sim_count(s, P_GAMMA, 0, QSPN_SIG_DEST_REMOVED, NULL, 0, 1), 0);
	assert_int_equal(
		sim_count(s, P_GAMMA, 0, QSPN_SIG_PATH_ADDED, NULL, 0, 1), 1);
	assert_int_equal(
		sim_count(s, P_BETA, 1, QSPN_SIG_DEST_ADDED, NULL, 0, 0), 1);
	assert_int_equal(sim_count(s, P_BETA, 1, QSPN_SIG_BOOTSTRAP_COMPLETE,
				   NULL, -1, 0),
			 1);
	assert_int_equal(sim_count(s, P_BETA, 1, QSPN_SIG_PRESENCE_NOTIFIED,
				   NULL, -1, 0),
			 1);
	for (int l = 1; l <= NLEV; l++) {
		assert_int_equal(nodes_inside(w, w->gamma0, l), 2);
		assert_int_equal(nodes_inside(w, w->beta1, l), 2);
		assert_int_equal(fp_id(w, w->beta1, l), fp_id(w, w->gamma0, l));
	}
	assert_clean(w);
}

static struct world *world_new(void)
{
	static const uint32_t g[] = {2, 2, 2, 4};
	struct qspn_topology topo;
	struct world *w = calloc(1, sizeof(*w));

	sim_topo(&topo, NLEV, g);
	w->s = sim_new(&topo, NULL, NULL);
	return w;
}

static void world_free(struct world *w)
{
	sim_free(w->s);
	free(w);
}

static void e2_after_bootstrap(void **state)
{
	struct world *w = world_new();

	(void)state;
	e2(w, false);
	world_free(w);
}

static void e2_immediate(void **state)
{
	struct world *w = world_new();

	(void)state;
	e2(w, true);
	world_free(w);
}

/* --- E1: mu joins G_delta (the state E3 starts from) ------------------- */

static void e1(struct world *w)
{
	static const uint32_t p_delta[] = {1, 0, 1, 3}, p_mu[] = {1, 1, 0, 1};
	static const uint32_t in_g[] = {2, 0, 1, 3}; /* 3.1.0.2 */
	static const int32_t eld[] = {1, 0, 0, 0};
	struct sim *s = w->s;
	uint64_t t0;

	w->delta = sim_system(s, P_DELTA);
	w->mu = sim_system(s, P_MU);
	w->delta0 = sim_create_net(s, w->delta, p_delta, NULL);
	w->mu0 = sim_create_net(s, w->mu, p_mu, NULL);
	sim_run_until(s, sim_now(s) + 100);
	w->l_dm = sim_link(s, w->delta, "eth1", w->mu, "eth1", 2000);
	w->mu1 = sim_add_identity(s, w->mu);
	w->a_dm1 = sim_arc(s, w->l_dm, w->mu1, w->delta0);
	t0 = sim_now(s);
	sim_enter_net(s, w->mu0, w->mu1, 0, 1, in_g, eld, &w->a_dm1, 1);
	make_conn(w, w->mu0, 0, 2);
	make_real(w, w->mu1, 0, 0, 1);
	sim_dismiss(s, w->mu0);
	assert_int_equal(sim_qspn_arc_add(s, w->a_dm1, w->delta0), 0);
	sim_run_until(s, t0 + 2000);
	assert_addr(w, w->mu1, "3.1.0.0");
	assert_map(w, w->delta0, "delta0", (struct qspn_hcoord[]){HC(0, 0)}, 1);
	assert_map(w, w->mu1, "mu1", (struct qspn_hcoord[]){HC(0, 1)}, 1);
	assert_clean(w);
}

/* --- E3 ------------------------------------------------------------------ */

static void mu_phase1(struct world *w, const struct e3_variant *v)
{
	static const uint32_t in_g[] = {2, 1, 2}; /* 2.1.2.0 */
	static const int32_t eld[] = {1, 0, 0};
	struct sim *s = w->s;

	w->mu2 = sim_add_identity(s, w->mu);
	if (v->internal) {
		/* sim_enter_net takes it as internal: same link as mu1's
		 * arc to delta0, peer = delta0's address with our upper
		 * positions */
		w->a_dm2 = sim_arc(s, w->l_dm, w->mu2, w->delta1);
		sim_enter_net(s, w->mu1, w->mu2, 1, 2, in_g, eld, NULL, 0);
		assert_int_equal(
			qspn_current_arcs(sim_inst(s, w->mu2), NULL, 0), 1);
		assert_int_equal(sim_qspn_arc_add(s, w->a_dm2, w->delta1), 0);
	} else {
		sim_enter_net(s, w->mu1, w->mu2, 1, 2, in_g, eld, NULL, 0);
		w->a_dm2 = sim_arc(s, w->l_dm, w->mu2, w->delta1);
		assert_int_equal(sim_qspn_arc_add(s, w->a_dm2, w->mu2), 0);
		assert_int_equal(sim_qspn_arc_add(s, w->a_dm2, w->delta1), 0);
	}
	make_conn(w, w->mu1, 1, 2); /* 3.1.2.0 */
	if (v->immediate)
		make_real(w, w->mu2, 1, 0, 1);
}

static void e3(const struct e3_variant *v)
{
	static const uint32_t in_g[] = {2, 1, 2}; /* 2.1.2.1 */
	static const int32_t eld[] = {1, 0, 0};
	struct world *w = world_new();
	struct sim *s = w->s;
	uint64_t t0, t1;

	e2(w, false);
	e1(w);
	sim_run_until(s, sim_now(s) + 1000);

	/* link delta-gamma; delta's phase 1 (and 2) */
	w->l_dg = sim_link(s, w->delta, "eth2", w->gamma, "eth2", 2000);
	w->delta1 = sim_add_identity(s, w->delta);
	w->a_dg = sim_arc(s, w->l_dg, w->delta1, w->gamma0);
	t0 = sim_now(s);
	sim_enter_net(s, w->delta0, w->delta1, 1, 2, in_g, eld, &w->a_dg, 1);
	assert_int_equal(qspn_current_arcs(sim_inst(s, w->delta1), NULL, 0), 1);
	make_conn(w, w->delta0, 1, 2); /* 3.1.2.1 */
	if (v->immediate)
		make_real(w, w->delta1, 1, 0, 1);
	if (v->mu_delay == 0)
		mu_phase1(w, v);
	sim_run_until(s, t0 + 10);
	assert_int_equal(sim_qspn_arc_add(s, w->a_dg, w->gamma0), 0);
	if (v->mu_delay) {
		sim_run_until(s, t0 + v->mu_delay);
		mu_phase1(w, v);
	}
	if (!v->immediate) {
		sim_run_until(s, t0 + v->mu_delay + 3000);
		if (getenv("SIM_DUMP")) {
			dump_map(w, w->delta1, "delta1");
			dump_map(w, w->mu2, "mu2");
			dump_map(w, w->gamma0, "gamma0");
			dump_map(w, w->beta1, "beta1");
		}
		make_real(w, v->mu_first ? w->mu2 : w->delta1, 1, 0, 1);
		sim_run_until(s, sim_now(s) + v->mr_gap);
		make_real(w, v->mu_first ? w->delta1 : w->mu2, 1, 0, 1);
	}
	t1 = sim_now(s);
	sim_run_until(s, t1 + (v->settle ? v->settle : 3000));
	if (getenv("SIM_DUMP")) {
		dump_map(w, w->delta1, "delta1");
		dump_map(w, w->mu2, "mu2");
		dump_map(w, w->gamma0, "gamma0");
		dump_map(w, w->beta1, "beta1");
		dump_map(w, w->delta0, "delta0");
		dump_map(w, w->mu1, "mu1");
	}
	assert_addr(w, w->delta1, "2.1.0.1");
	assert_addr(w, w->mu2, "2.1.0.0");
	assert_addr(w, w->delta0, "3.1.2.1");
	assert_addr(w, w->mu1, "3.1.2.0");
	assert_map(w, w->delta1, "delta1",
		   (struct qspn_hcoord[]){HC(0, 0), HC(1, 1)}, 2);
	assert_map(w, w->mu2, "mu2", (struct qspn_hcoord[]){HC(0, 1), HC(1, 1)},
		   2);
	assert_map(w, w->gamma0, "gamma0",
		   (struct qspn_hcoord[]){HC(0, 1), HC(1, 0)}, 2);
	assert_map(w, w->beta1, "beta1",
		   (struct qspn_hcoord[]){HC(0, 0), HC(1, 0)}, 2);
	{
		const int who[] = {w->delta1, w->mu2, w->gamma0, w->beta1};

		for (int i = 0; i < 4; i++) {
			assert_int_equal(nodes_inside(w, who[i], 1), 2);
			for (int l = 2; l <= NLEV; l++) {
				assert_int_equal(nodes_inside(w, who[i], l), 4);
				assert_int_equal(fp_id(w, who[i], l),
						 fp_id(w, w->gamma0, l));
			}
		}
		assert_int_equal(fp_id(w, w->delta1, 1), fp_id(w, w->mu2, 1));
	}
	/* the connectivity identities are still there, but the old g-node
	 * 3.1.0. of G_delta has no other member: nothing depends on them */
	assert_map(w, w->delta0, "delta0", (struct qspn_hcoord[]){HC(0, 0)}, 1);
	assert_map(w, w->mu1, "mu1", (struct qspn_hcoord[]){HC(0, 1)}, 1);
	assert_true(qspn_check_connectivity(sim_inst(s, w->delta0)));
	assert_true(qspn_check_connectivity(sim_inst(s, w->mu1)));
	assert_false(qspn_check_connectivity(sim_inst(s, w->delta1)));
	/* §8.5-§8.7: delta0 (the member closest to 0 would do it) */
	{
		uint64_t tx_d = qspn_get_stats(sim_inst(s, w->delta0))->tx_msgs;
		uint64_t tx_m = qspn_get_stats(sim_inst(s, w->mu1))->tx_msgs;
		uint64_t t2 = sim_now(s);

		qspn_prepare_destroy(sim_inst(s, w->delta0), t2);
		sim_touch(s, w->delta0);
		sim_run_until(s, t2 + 9000);
		/* one order each way, the second one ignored (10.10) */
		assert_int_equal(
			qspn_get_stats(sim_inst(s, w->delta0))->tx_msgs - tx_d,
			1);
		assert_int_equal(
			qspn_get_stats(sim_inst(s, w->mu1))->tx_msgs - tx_m, 1);
		assert_int_equal(sim_count(s, P_MU, 1, QSPN_SIG_REMOVE_IDENTITY,
					   NULL, -1, 0),
				 0);
		sim_run_until(s, t2 + 10100);
		assert_int_equal(sim_count(s, P_MU, 1, QSPN_SIG_REMOVE_IDENTITY,
					   NULL, -1, 0),
				 1);
		assert_int_equal(sim_count(s, P_DELTA, 0,
					   QSPN_SIG_REMOVE_IDENTITY, NULL, -1,
					   0),
				 0);
		/* remove_identity on mu1; delta0 waited 10 s itself */
		sim_dismiss(s, w->mu1);
		sim_dismiss(s, w->delta0);
		sim_run_until(s, t2 + 15000);
	}
	assert_map(w, w->delta1, "delta1",
		   (struct qspn_hcoord[]){HC(0, 0), HC(1, 1)}, 2);
	assert_map(w, w->mu2, "mu2", (struct qspn_hcoord[]){HC(0, 1), HC(1, 1)},
		   2);
	assert_map(w, w->gamma0, "gamma0",
		   (struct qspn_hcoord[]){HC(0, 1), HC(1, 0)}, 2);
	assert_map(w, w->beta1, "beta1",
		   (struct qspn_hcoord[]){HC(0, 0), HC(1, 0)}, 2);
	/* signals: the real chi' added once and never withdrawn, the
	 * virtual one (if ever seen) withdrawn; nothing lost inside chi' */
	for (int p = P_BETA; p <= P_GAMMA; p++) {
		int id = p == P_BETA ? 1 : 0;

		assert_int_equal(
			sim_count(s, p, id, QSPN_SIG_DEST_ADDED, NULL, 1, 0),
			1);
		assert_int_equal(
			sim_count(s, p, id, QSPN_SIG_DEST_REMOVED, NULL, 1, 0),
			0);
		assert_int_equal(
			sim_count(s, p, id, QSPN_SIG_DEST_ADDED, NULL, 1, 2),
			sim_count(s, p, id, QSPN_SIG_DEST_REMOVED, NULL, 1, 2));
		if (v->immediate && !v->mu_delay)
			assert_int_equal(sim_count(s, p, id,
						   QSPN_SIG_DEST_ADDED, NULL, 1,
						   2),
					 0);
	}
	assert_int_equal(
		sim_count(s, P_DELTA, 1, QSPN_SIG_DEST_REMOVED, NULL, -1, 0),
		0);
	assert_int_equal(
		sim_count(s, P_MU, 2, QSPN_SIG_DEST_REMOVED, NULL, -1, 0), 0);
	assert_int_equal(
		sim_count(s, P_DELTA, 1, QSPN_SIG_ARC_REMOVED, NULL, -1, 0), 0);
	assert_int_equal(
		sim_count(s, P_MU, 2, QSPN_SIG_ARC_REMOVED, NULL, -1, 0), 0);
	assert_true(sim_count(s, P_MU, 2, QSPN_SIG_PRESENCE_NOTIFIED, NULL, -1,
			      0) == 1);
	assert_true(sim_count(s, P_DELTA, 1, QSPN_SIG_PRESENCE_NOTIFIED, NULL,
			      -1, 0) == 1);
	assert_clean(w);
	if (getenv("SIM_EVENTS"))
		sim_dump_events(s, stderr);
	if (getenv("SIM_TIMES")) {
		const struct sim_event *e = sim_events(s);

		for (size_t i = 0; i < sim_n_events(s); i++)
			if ((e[i].sig == QSPN_SIG_BOOTSTRAP_COMPLETE ||
			     e[i].sig == QSPN_SIG_PRESENCE_NOTIFIED) &&
			    e[i].t >= t0)
				fprintf(stderr, "  +%llu %d_%d sig %d\n",
					(unsigned long long)(e[i].t - t0),
					e[i].sys, e[i].id, e[i].sig);
	}
	world_free(w);
}

static void e3_env(void **state)
{
	struct e3_variant v = {0};
	const char *x = getenv("E3");

	(void)state;
	if (!x)
		return;
	{
		int a = 0, b = 0, c = 0;

		sscanf(x, "%d,%d,%u,%u,%d,%u", &a, &b, &v.mu_delay, &v.mr_gap,
		       &c, &v.settle);
		v.internal = a;
		v.immediate = b;
		v.mu_first = c;
	}
	e3(&v);
}

/*
 * The sequences.  Both members run phase 1 (enter_net, make_connectivity
 * on the old identity) and, without a pending migration, phase 2
 * (make_real) at once.  The inner member mu2 has no arc outside chi': it
 * leaves bootstrap on the first ETP from delta1 that carries a level-1
 * path while both agree on their level-1 position (doc/protocol/qspn.md §5.4),
 * or after bootstrap_timeout_ms (10 s).
 */

/* all at the same moment: fast with or without the internal arc */
static void e3_internal_immediate(void **state)
{
	static const struct e3_variant v = {.internal = true,
					    .immediate = true};

	(void)state;
	e3(&v);
}

static void e3_new_arc_immediate(void **state)
{
	static const struct e3_variant v = {.internal = false,
					    .immediate = true};

	(void)state;
	e3(&v);
}

/* both virtual and out of bootstrap first (same-moment phase 1), then
 * make_real in any order: fast */
static void e3_converged_then_real(void **state)
{
	static const struct e3_variant v = {.internal = true, .mr_gap = 200};

	(void)state;
	e3(&v);
}

/* mu's phase 1 after delta1 already left bootstrap, make_real later:
 * fast only if the inner member switches first (the border member's
 * announcement then reaches a member that agrees with it on level 1) */
static void e3_internal_inner_first(void **state)
{
	static const struct e3_variant v = {.internal = true,
					    .mu_delay = 50,
					    .mr_gap = 200,
					    .mu_first = true};

	(void)state;
	e3(&v);
}

static void e3_new_arc_inner_first(void **state)
{
	static const struct e3_variant v = {.internal = false,
					    .mu_delay = 50,
					    .mr_gap = 200,
					    .mu_first = true};

	(void)state;
	e3(&v);
}

/* mu's phase 1 after delta1 already left bootstrap: mu2 waits for its
 * 10 s give-up, then everything converges */
static void e3_late_inner_member(void **state)
{
	static const struct e3_variant v = {.internal = true,
					    .immediate = true,
					    .mu_delay = 50,
					    .settle = 12000};

	(void)state;
	e3(&v);
}

/* the border member switches first: its announcement is ignored by the
 * still-virtual inner member, which again waits for its give-up */
static void e3_border_first(void **state)
{
	static const struct e3_variant v = {.internal = false,
					    .mu_delay = 50,
					    .mr_gap = 200,
					    .settle = 12000};

	(void)state;
	e3(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(e3_env),
		cmocka_unit_test(bad_args),
		cmocka_unit_test(e2_after_bootstrap),
		cmocka_unit_test(e2_immediate),
		cmocka_unit_test(e3_internal_immediate),
		cmocka_unit_test(e3_new_arc_immediate),
		cmocka_unit_test(e3_converged_then_real),
		cmocka_unit_test(e3_internal_inner_first),
		cmocka_unit_test(e3_new_arc_inner_first),
		cmocka_unit_test(e3_late_inner_member),
		cmocka_unit_test(e3_border_first),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
