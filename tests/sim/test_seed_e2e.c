// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Seed end-to-end (issue 5 item 5): the reference scenario of
 * doc/protocol/scenario.md simulated with the QSPN engine up to the moment the
 * seed page (Eventi5) leaves it, each system's path view fed to the planner,
 * and the resulting kernel state compared with the state that pages 1-5 of the
 * vectors produce (the same computation as seed-state: cf_seed_model()).
 *
 * The history (doc/protocol/scenario.md §5, E0-E3), in the simulator
 * (tests/sim):
 *
 *   E0  alpha 3·0·1·0, beta 1·0·1·0, gamma 2·1·1·0, delta 3·1·0·1,
 *       mu 1·0·1·1, epsilon 3·1·0·0 each start alone (create_net);
 *   E1  link delta-mu; mu enters G_delta as mu1 = 3·1·0·0 (enter_net, a
 *       single node into the level-1 g-node 3·1·0·), mu0 dismissed;
 *   E2  link beta-gamma; beta enters G_gamma as beta1 = 2·1·1·1, beta0
 *       dismissed;
 *   E3  link gamma-delta; the level-1 g-node chi = {delta0, mu1} enters
 *       G_gamma as chi' = 2·1·0· (delta1 = 2·1·0·1, mu2 = 2·1·0·0, internal
 *       arc delta1-mu2, external arc delta1-gamma0); the old identities are
 *       dismissed once the new ones are built (doc/protocol/qspn.md §8.1-8.2;
 *       the pages' Part 6, the last blocks of Eventi5).
 *
 * The pages go through virtual positions (beta1 2·1·1·2, chi' 2·1·2·) and
 * connectivity identities in netns entr02/entr03 on the way; none of them
 * is left when page 5 ends (seed-state shows no namespace), so the
 * simulator enters with the real positions directly and the connectivity
 * identities are the dismissed old ones.  alpha and epsilon are still alone
 * in their own networks (their links come in E4/E5).
 *
 * For every system the planner input is built from what the simulation
 * leaves: the NIC (MAC and link-local of doc/protocol/scenario.md §2), a
 * neighbour per physical link, the main identity with the engine's address, its
 * qspn-arcs as the engine lists them (peer MAC/link-local of the peer
 * system, peer address from qspn_get_naddr_for_arc) and the engine's path
 * view (qspn_path_source_of).  The only input not derived from the
 * simulation is the forwarding-table id of each arc, which depends on the
 * pages' allocation history (ids freed by the entr03 tables): it is taken
 * from doc/protocol/scenario.md §4.  Then
 *
 *   actual   = kmodel_new(eth1) + the ops of qspn_plan_diff(empty, plan)
 *   expected = cf_seed_model(dir, system, 5)
 *
 * and the full canonical dumps of the two models (every namespace, table,
 * route with type/via/dev/src, rule, mark, NAT rule, address, link, sysctl
 * and rt_tables line) must be equal; every difference is printed.  The run
 * is repeated for several fixed simulator seeds (with link jitter): the
 * state must not depend on message timing.  Deterministic.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmodel.h"
#include "vectors.h"
#include "qspn_plan.h"
#include "sim.h"

#ifndef QSPN_CONFORMANCE_DIR
#define QSPN_CONFORMANCE_DIR "tests/conformance"
#endif

#define SEED_PAGE 5
#define MAX_ARCS 16

enum { ALPHA, BETA, GAMMA, DELTA, MU, EPSILON, N_SYS };

/* doc/protocol/scenario.md §2 (eth1 of every system) */
static const struct sysdesc {
	const char *name;
	const char *mac;
	const char *ll;
} sysd[N_SYS] = {
	[ALPHA] = {"alpha", "00:16:3E:FD:E2:AA", "169.254.69.30"},
	[BETA] = {"beta", "00:16:3E:EC:A3:E1", "169.254.96.141"},
	[GAMMA] = {"gamma", "00:16:3E:5B:78:D5", "169.254.94.223"},
	[DELTA] = {"delta", "00:16:3E:1A:C4:45", "169.254.253.216"},
	[MU] = {"mu", "00:16:3E:2D:8D:DE", "169.254.119.176"},
	[EPSILON] = {"epsilon", "00:16:3E:3C:14:33", "169.254.163.36"},
};

/*
 * Forwarding-table ids at the end of Eventi5 (doc/protocol/scenario.md §4,
 * "Table ids per system"): system, peer system, id.  delta's table for gamma is
 * 248 because 249 was held by delta0's entr03 table when delta1's arc came.
 */
static const struct tid {
	int sys, peer;
	uint32_t id;
} tids[] = {
	{BETA, GAMMA, 250}, {GAMMA, BETA, 250},	 {GAMMA, DELTA, 249},
	{DELTA, MU, 250},   {DELTA, GAMMA, 248}, {MU, DELTA, 250},
};

static int failures;

static void fail(const char *fmt, const char *a, const char *b)
{
	printf("not ok - ");
	printf(fmt, a, b);
	printf("\n");
	failures++;
}

/* ---- the simulated scenario ------------------------------------------- */

struct arcrec {
	int link;
	int ident[2];
	int sys[2];
};

struct run {
	struct qspn_topology topo;
	struct sim *s;
	int sy[N_SYS];	    /* simulator system index */
	int main_id[N_SYS]; /* the main identity at the Eventi5 moment */
	struct arcrec arcs[MAX_ARCS];
	int n_arcs;
	int links[8][2]; /* the physical links, by system */
	int n_links;
};

static struct qspn_naddr addr(const struct run *r, const char *text)
{
	struct qspn_naddr a;
	char err[QSPN_ERRBUF_SIZE];

	if (qspn_naddr_parse(&a, &r->topo, text, false, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		abort();
	}
	return a;
}

static int start(struct run *r, int sys, const char *text)
{
	struct qspn_naddr a = addr(r, text);

	return sim_create_net(r->s, r->sy[sys], a.pos, NULL);
}

static int add_link(struct run *r, int a, int b)
{
	r->links[r->n_links][0] = a;
	r->links[r->n_links][1] = b;
	r->n_links++;
	return sim_link(r->s, r->sy[a], "eth1", r->sy[b], "eth1", 1000);
}

static int add_arc(struct run *r, int lk, int sys_a, int id_a, int sys_b,
		   int id_b)
{
	struct arcrec *a = &r->arcs[r->n_arcs];
	int n = sim_arc(r->s, lk, id_a, id_b);

	if (n != r->n_arcs || r->n_arcs == MAX_ARCS)
		abort();
	a->link = lk;
	a->ident[0] = id_a;
	a->ident[1] = id_b;
	a->sys[0] = sys_a;
	a->sys[1] = sys_b;
	r->n_arcs++;
	return n;
}

/*
 * enter_net of old -> new into a host g-node of level `host`, the new
 * identity's positions of levels >= host-1 from `text` (its full address;
 * the lower ones are the old identity's and must agree), eldership 1 at
 * level host-1 (the second g-node there), 0 above.
 */
static void enter(struct run *r, int old_id, int new_id, int guest, int host,
		  const char *text, const int *ext, int n_ext)
{
	struct qspn_naddr a = addr(r, text);
	int32_t eld[QSPN_MAX_LEVELS] = {0};

	eld[0] = 1;
	sim_enter_net(r->s, old_id, new_id, guest, host, &a.pos[host - 1], eld,
		      ext, n_ext);
}

static bool known(const struct run *r, int ident, int lvl, uint32_t pos)
{
	return qspn_is_known_destination(
		sim_inst(r->s, ident),
		(struct qspn_hcoord){.lvl = lvl, .pos = pos});
}

static void check(bool ok, const char *what)
{
	if (!ok)
		fail("%s%s", "simulation: ", what);
}

static void simulate(struct run *r, uint64_t seed)
{
	static const uint32_t gsize[] = {2, 2, 2, 4}; /* 4·2·2·2 */
	char err[QSPN_ERRBUF_SIZE];
	struct sim_params sp;
	int id[N_SYS][3];
	int l_dm, l_bg, l_gd, a_dm0, a_bg, a_gd, a_dm1;

	memset(r, 0, sizeof(*r));
	if (qspn_topology_init(&r->topo, 4, gsize, err, sizeof(err)))
		abort();
	sim_params_default(&sp);
	sp.seed = seed;
	sp.jitter_ms = 3;
	r->s = sim_new(&r->topo, NULL, &sp);
	for (int i = 0; i < N_SYS; i++)
		r->sy[i] = sim_system(r->s, i + 1);

	/* E0: everybody alone */
	id[ALPHA][0] = start(r, ALPHA, "3.0.1.0");
	id[BETA][0] = start(r, BETA, "1.0.1.0");
	id[GAMMA][0] = start(r, GAMMA, "2.1.1.0");
	id[DELTA][0] = start(r, DELTA, "3.1.0.1");
	id[MU][0] = start(r, MU, "1.0.1.1");
	id[EPSILON][0] = start(r, EPSILON, "3.1.0.0");
	sim_run_until(r->s, 1000);

	/* E1 entr01: mu joins G_delta at 3·1·0·0 */
	l_dm = add_link(r, DELTA, MU);
	id[MU][1] = sim_add_identity(r->s, r->sy[MU]);
	a_dm0 = add_arc(r, l_dm, DELTA, id[DELTA][0], MU, id[MU][1]);
	sim_run_until(r->s, 1100);
	enter(r, id[MU][0], id[MU][1], 0, 1, "3.1.0.0", &a_dm0, 1);
	sim_run_until(r->s, 1200);
	sim_qspn_arc_add(r->s, a_dm0, id[DELTA][0]);
	sim_run_until(r->s, 3200);
	sim_dismiss(r->s, id[MU][0]);
	sim_run_until(r->s, 5000);
	check(known(r, id[DELTA][0], 0, 0) && known(r, id[MU][1], 0, 1),
	      "E1: delta0 and mu1 see each other");

	/* E2 entr02: beta joins G_gamma at 2·1·1·1 */
	l_bg = add_link(r, BETA, GAMMA);
	id[BETA][1] = sim_add_identity(r->s, r->sy[BETA]);
	a_bg = add_arc(r, l_bg, GAMMA, id[GAMMA][0], BETA, id[BETA][1]);
	sim_run_until(r->s, 5100);
	enter(r, id[BETA][0], id[BETA][1], 0, 1, "2.1.1.1", &a_bg, 1);
	sim_run_until(r->s, 5200);
	sim_qspn_arc_add(r->s, a_bg, id[GAMMA][0]);
	sim_run_until(r->s, 7200);
	sim_dismiss(r->s, id[BETA][0]);
	sim_run_until(r->s, 9000);
	check(known(r, id[GAMMA][0], 0, 1) && known(r, id[BETA][1], 0, 0),
	      "E2: gamma0 and beta1 see each other");

	/* E3 entr03: chi = {delta0, mu1} enters G_gamma as 2·1·0· */
	l_gd = add_link(r, GAMMA, DELTA);
	id[DELTA][1] = sim_add_identity(r->s, r->sy[DELTA]);
	id[MU][2] = sim_add_identity(r->s, r->sy[MU]);
	a_dm1 = add_arc(r, l_dm, DELTA, id[DELTA][1], MU, id[MU][2]);
	a_gd = add_arc(r, l_gd, GAMMA, id[GAMMA][0], DELTA, id[DELTA][1]);
	sim_run_until(r->s, 9100);
	enter(r, id[DELTA][0], id[DELTA][1], 1, 2, "2.1.0.1", &a_gd, 1);
	enter(r, id[MU][1], id[MU][2], 1, 2, "2.1.0.0", NULL, 0);
	sim_run_until(r->s, 9200);
	sim_qspn_arc_add(r->s, a_gd, id[GAMMA][0]);
	sim_run_until(r->s, 11200);
	/* Part 6: the old identities of chi are dismissed */
	sim_dismiss(r->s, id[DELTA][0]);
	sim_dismiss(r->s, id[MU][1]);
	sim_run_until(r->s, 20000);
	{
		uint32_t h[4];

		/* enter_net took delta1-mu2 as the internal arc (it rides the
		 * link of delta0-mu1) */
		check(qspn_current_arcs(sim_inst(r->s, id[MU][2]), h, 4) == 1 &&
			      h[0] == (uint32_t)a_dm1 + 1,
		      "E3: mu2's only arc is the internal one to delta1");
		check(qspn_current_arcs(sim_inst(r->s, id[DELTA][1]), h, 4) ==
			      2,
		      "E3: delta1 has its arcs to mu2 and gamma0");
	}

	r->main_id[ALPHA] = id[ALPHA][0];
	r->main_id[BETA] = id[BETA][1];
	r->main_id[GAMMA] = id[GAMMA][0];
	r->main_id[DELTA] = id[DELTA][1];
	r->main_id[MU] = id[MU][2];
	r->main_id[EPSILON] = id[EPSILON][0];
	check(sim_tx_invalid(r->s) == 0, "no invalid ETP");
}

/* ---- the planner's input from the simulation ------------------------- */

struct plan_in {
	struct qspn_plan_system sys;
	struct qspn_plan_nic nic;
	struct qspn_plan_neighbour nb[8];
	struct qspn_plan_identity me;
	struct qspn_plan_arc arcs[MAX_ARCS];
};

static uint32_t ip(const char *text)
{
	uint32_t v;

	if (qspn_ipv4_parse(text, &v))
		abort();
	return v;
}

static void mac(const char *text, uint8_t out[6])
{
	if (qspn_mac_parse(text, out))
		abort();
}

static int plan_input(const struct run *r, int sys, struct plan_in *p)
{
	struct qspn_instance *inst = sim_inst(r->s, r->main_id[sys]);
	uint32_t handles[MAX_ARCS];
	size_t n;

	memset(p, 0, sizeof(*p));
	p->sys.topo = r->topo;
	p->sys.started = true;
	p->sys.anonymizer = true;
	p->sys.serve_anonymous = true;
	snprintf(p->nic.dev, QSPN_NAMELEN, "eth1");
	mac(sysd[sys].mac, p->nic.mac);
	p->nic.linklocal = ip(sysd[sys].ll);
	p->sys.nics = &p->nic;
	p->sys.n_nics = 1;
	for (int i = 0; i < r->n_links; i++)
		for (int k = 0; k < 2; k++)
			if (r->links[i][k] == sys) {
				struct qspn_plan_neighbour *nb =
					&p->nb[p->sys.n_neighbours++];

				snprintf(nb->dev, QSPN_NAMELEN, "eth1");
				nb->linklocal = ip(sysd[r->links[i][1 - k]].ll);
			}
	p->sys.neighbours = p->nb;

	p->me.addr = *qspn_my_naddr(inst);
	n = qspn_current_arcs(inst, handles, MAX_ARCS);
	for (size_t i = 0; i < n; i++) {
		const struct arcrec *ar;
		struct qspn_plan_arc *a = &p->arcs[p->me.n_arcs++];
		int side, peer;

		if (handles[i] < 1 || handles[i] > (uint32_t)r->n_arcs)
			return -1;
		ar = &r->arcs[handles[i] - 1];
		side = ar->ident[0] == r->main_id[sys] ? 0 : 1;
		if (ar->ident[side] != r->main_id[sys])
			return -1;
		peer = ar->sys[1 - side];
		a->id = handles[i];
		snprintf(a->dev, QSPN_NAMELEN, "eth1");
		mac(sysd[peer].mac, a->peer_mac);
		a->peer_linklocal = ip(sysd[peer].ll);
		a->qspn = true;
		for (size_t t = 0; t < sizeof(tids) / sizeof(tids[0]); t++)
			if (tids[t].sys == sys && tids[t].peer == peer)
				a->table_id = tids[t].id;
		if (!a->table_id)
			return -1;
		a->peer_known =
			qspn_get_naddr_for_arc(inst, a->id, &a->peer_addr) == 0;
	}
	p->me.arcs = p->arcs;
	p->me.paths = qspn_path_source_of(inst);
	p->sys.ids = &p->me;
	p->sys.n_ids = 1;
	return 0;
}

/* the kernel model after the planner's full plan for p */
static struct kmodel *plan_model(const struct plan_in *p, const char *name)
{
	static const char *const nics[] = {"eth1"};
	struct kmodel *m = kmodel_new(nics, 1);
	struct qspn_kstate *empty = qspn_kstate_new(), *ks = NULL;
	struct qspn_ops ops;
	char err[512];
	int rc = 0;

	qspn_ops_init(&ops);
	if (!m || !empty ||
	    qspn_plan_build(&p->sys, &ks, err, sizeof(err)) < 0 ||
	    qspn_plan_diff(empty, ks, &ops) < 0) {
		printf("# %s: planner: %s\n", name, err);
		rc = -1;
	}
	for (size_t i = 0; rc == 0 && i < ops.n; i++) {
		char line[512], why[256];

		qspn_op_format(&ops.v[i], line, sizeof(line));
		if (kmodel_apply(m, line, why, sizeof(why)) < 0) {
			printf("# %s: the model refuses \"%s\": %s\n", name,
			       line, why);
			rc = -1;
		}
	}
	qspn_ops_free(&ops);
	qspn_kstate_free(ks);
	qspn_kstate_free(empty);
	if (rc < 0) {
		kmodel_free(m);
		return NULL;
	}
	return m;
}

/* routes through a gateway in the expected state (the comparison is not
 * between two empty tables) */
static size_t via_routes(const struct kmodel *m)
{
	char **d = kmodel_dump(m);
	size_t n = 0;

	for (size_t i = 0; d[i]; i++)
		n += strstr(d[i], " route table ") && strstr(d[i], " via ");
	kmodel_dump_free(d);
	return n;
}

int main(void)
{
	static const uint64_t seeds[] = {1, 7, 42};
	static const int compared[] = {BETA, GAMMA, DELTA, MU, ALPHA, EPSILON};
	struct kmodel *expected[N_SYS];
	int n = 0;

	if (cf_load_blocks(QSPN_CONFORMANCE_DIR) < 0)
		return 1;
	for (int k = 0; k < N_SYS; k++) {
		expected[k] = cf_seed_model(QSPN_CONFORMANCE_DIR, sysd[k].name,
					    SEED_PAGE, NULL, NULL);
		if (!expected[k]) {
			printf("not ok - %s: no expected state\n",
			       sysd[k].name);
			return 1;
		}
	}
	/* beta, gamma, delta and mu have gateways at the seed page */
	for (int k = BETA; k <= MU; k++)
		if (via_routes(expected[k]) == 0) {
			printf("not ok - %s: expected state has no route via "
			       "a gateway\n",
			       sysd[k].name);
			return 1;
		}

	for (size_t si = 0; si < sizeof(seeds) / sizeof(seeds[0]); si++) {
		struct run r;

		simulate(&r, seeds[si]);
		for (size_t c = 0; c < sizeof(compared) / sizeof(compared[0]);
		     c++) {
			int k = compared[c];
			struct plan_in p;
			struct kmodel *act = NULL;
			size_t lines = 0;
			char prefix[72];
			char name[64];

			snprintf(name, sizeof(name), "%s (seed %llu)",
				 sysd[k].name, (unsigned long long)seeds[si]);
			n++;
			if (plan_input(&r, k, &p) < 0) {
				fail("%s: %s", name,
				     "an arc of the engine has no table id");
				continue;
			}
			act = plan_model(&p, name);
			if (!act) {
				fail("%s: %s", name, "no plan");
				continue;
			}
			snprintf(prefix, sizeof(prefix), "%s: ", name);
			if (cf_same_model(expected[k], act, "the pages' state",
					  "the simulated state", prefix,
					  &lines))
				printf("ok %d - %s: the simulated state equals "
				       "pages 1-%d (%zu objects)\n",
				       n, name, SEED_PAGE, lines);
			else
				fail("%s: %s", name,
				     "the simulated state differs from the "
				     "pages'");
			kmodel_free(act);
		}
		sim_free(r.s);
	}
	for (int k = 0; k < N_SYS; k++)
		kmodel_free(expected[k]);
	cf_free_vectors();
	printf("# %d comparisons, %d failures\n", n, failures);
	return failures ? 1 : 0;
}
