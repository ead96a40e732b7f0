// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * plan_bench: cost of the planner on topology 4.16.256.256 (2346 routes per
 * table) with 50 qspn-arcs, i.e. 51 tables and ~120000 routes.
 *
 *   full plan:      qspn_plan_build() + qspn_plan_diff(empty, state)
 *   single change:  one destination's paths change; qspn_plan_update_dest()
 *   full re-diff:   the same change done the general way, for reference:
 *                   qspn_plan_build(new) + qspn_plan_diff(old, new)
 *
 * Prints the times (CPU time of the process, so that a loaded machine
 * disturbs the figures less) and the ratio single/full (target below
 * 1/100).  A measurement, never an assertion.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "qspn_plan.h"

#define N_ARCS 50
#define PATHS_PER_DEST 3

struct pathdb {
	struct qspn_topology topo;
	int ndest;
	struct qspn_dest_paths *d; /* indexed by qspn_dest_index */
	struct qspn_path *p;
	struct qspn_path_hop *h;
};

static int get_paths(void *ctx, struct qspn_hcoord dest,
		     struct qspn_dest_paths *out)
{
	const struct pathdb *db = ctx;
	int x = qspn_dest_index(&db->topo, 0, dest);

	out->dest = dest;
	out->n_paths = 0;
	out->paths = NULL;
	if (x >= 0)
		*out = db->d[x];
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* paths to dest x through arcs a, a+1, a+2 (mod 50), shifted by `shift` */
static void fill_dest(struct pathdb *db, const struct qspn_hcoord *hv, int x,
		      int shift)
{
	struct qspn_hcoord h = qspn_dest_at(&db->topo, 0, x);
	struct qspn_dest_paths *d = &db->d[x];

	d->dest = h;
	d->n_paths = PATHS_PER_DEST;
	d->paths = &db->p[x * PATHS_PER_DEST];
	for (int k = 0; k < PATHS_PER_DEST; k++) {
		struct qspn_path *p = &db->p[x * PATHS_PER_DEST + k];
		int a = (x * 7 + k + shift) % N_ARCS;

		p->arc = (uint32_t)(a + 1);
		p->cost = 1000 * (k + 1);
		struct qspn_path_hop *hop =
			&db->h[(x * PATHS_PER_DEST + k) * 2];

		hop[0].hc = hv[a];
		hop[1].hc = h;
		p->hops = hop;
		p->n_hops = qspn_hcoord_equal(hv[a], h) ? 1 : 2;
	}
}

int main(void)
{
	static struct qspn_plan_arc arcs[N_ARCS];
	struct qspn_plan_system sys;
	struct qspn_plan_identity id;
	struct qspn_plan_nic nic;
	struct qspn_hcoord hv[N_ARCS];
	struct pathdb db;
	char err[256];
	struct qspn_kstate *ks = NULL, *ks2 = NULL, *empty;
	struct qspn_ops ops;
	double t0, t1, full = 1e9, single, rediff = 1e9, build = 1e9;
	size_t full_ops = 0, single_ops = 0, rediff_ops = 0;
	const int reps = 5, singles = 2000;
	struct qspn_hcoord changed;

	memset(&sys, 0, sizeof(sys));
	memset(&id, 0, sizeof(id));
	memset(&nic, 0, sizeof(nic));
	if (qspn_topology_parse(&sys.topo, "4.16.256.256", err, sizeof(err)) <
	    0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	sys.started = sys.anonymizer = sys.serve_anonymous = true;
	snprintf(nic.dev, sizeof(nic.dev), "eth1");
	qspn_mac_parse("00:16:3E:00:00:01", nic.mac);
	qspn_ipv4_parse("169.254.0.1", &nic.linklocal);
	sys.nics = &nic;
	sys.n_nics = 1;
	qspn_naddr_parse(&id.addr, &sys.topo, "3.10.123.45", false, err,
			 sizeof(err));
	/* neighbours: 30 in my level-1 g-node, 15 in my level-2, 4 in my
	 * level-3, 1 outside */
	for (int a = 0; a < N_ARCS; a++) {
		struct qspn_plan_arc *arc = &arcs[a];
		struct qspn_naddr peer = id.addr;

		arc->id = (uint32_t)(a + 1);
		snprintf(arc->dev, sizeof(arc->dev), "eth1");
		arc->peer_mac[0] = 0x02;
		arc->peer_mac[5] = (uint8_t)(a + 1);
		arc->peer_linklocal =
			(169u << 24) | (254u << 16) | (uint32_t)(a + 2);
		arc->qspn = true;
		arc->table_id = (uint32_t)(250 - a);
		arc->peer_known = true;
		if (a < 30)
			peer.pos[0] = (uint32_t)(a < 20 ? a : a + 100);
		else if (a < 45)
			peer.pos[1] = (uint32_t)(a * 3);
		else if (a < 49)
			peer.pos[2] = (uint32_t)(a - 45);
		else
			peer.pos[3] = 1;
		arc->peer_addr = peer;
		qspn_coord_by_address(&id.addr, &peer, &hv[a]);
	}
	id.arcs = arcs;
	id.n_arcs = N_ARCS;
	db.topo = sys.topo;
	db.ndest = qspn_dest_space(&sys.topo, 0);
	db.d = calloc((size_t)db.ndest, sizeof(*db.d));
	db.p = calloc((size_t)db.ndest * PATHS_PER_DEST, sizeof(*db.p));
	db.h = calloc((size_t)db.ndest * PATHS_PER_DEST * 2, sizeof(*db.h));
	if (!db.d || !db.p || !db.h)
		return 1;
	for (int x = 0; x < db.ndest; x++)
		fill_dest(&db, hv, x, 0);
	id.paths.get_paths = get_paths;
	id.paths.ctx = &db;
	sys.ids = &id;
	sys.n_ids = 1;

	empty = qspn_kstate_new();
	for (int r = 0; r < reps; r++) {
		qspn_ops_init(&ops);
		qspn_kstate_free(ks);
		t0 = now_s();
		if (qspn_plan_build(&sys, &ks, err, sizeof(err))) {
			fprintf(stderr, "plan failed: %s\n", err);
			return 1;
		}
		t1 = now_s() - t0;
		if (t1 < build)
			build = t1;
		if (qspn_plan_diff(empty, ks, &ops)) {
			fprintf(stderr, "diff failed\n");
			return 1;
		}
		t0 = now_s() - t0;
		if (t0 < full)
			full = t0;
		full_ops = ops.n;
		qspn_ops_free(&ops);
	}

	/* a path change for destination (1,67) (a level-1 g-node: 4 IPs in
	 * each of the 51 tables), flipping between two path sets */
	changed.lvl = 1;
	changed.pos = 67;
	t0 = now_s();
	for (int r = 0; r < singles; r++) {
		fill_dest(&db, hv, qspn_dest_index(&sys.topo, 0, changed),
			  (r & 1) ? 0 : 1);
		qspn_ops_init(&ops);
		if (qspn_plan_update_dest(ks, &sys, 0, changed, &ops)) {
			fprintf(stderr, "update failed\n");
			return 1;
		}
		single_ops += ops.n;
		qspn_ops_free(&ops);
	}
	single = (now_s() - t0) / singles;
	single_ops /= singles;

	/* the same change through a full build and the general diff */
	for (int r = 0; r < reps; r++) {
		fill_dest(&db, hv, qspn_dest_index(&sys.topo, 0, changed),
			  (r & 1) ? 0 : 1);
		qspn_ops_init(&ops);
		t0 = now_s();
		if (qspn_plan_build(&sys, &ks2, err, sizeof(err)) ||
		    qspn_plan_diff(ks, ks2, &ops)) {
			fprintf(stderr, "re-diff failed\n");
			return 1;
		}
		t0 = now_s() - t0;
		if (t0 < rediff)
			rediff = t0;
		rediff_ops = ops.n;
		qspn_ops_free(&ops);
		qspn_kstate_free(ks);
		ks = ks2;
		ks2 = NULL;
	}

	printf("plan_bench: topology 4.16.256.256, %d qspn-arcs, %zu routes in %d tables\n",
	       N_ARCS, qspn_kstate_route_count(ks), N_ARCS + 1);
	printf("  full plan (build + diff from empty): %10.3f ms  %zu operations\n",
	       full * 1e3, full_ops);
	printf("    of which qspn_plan_build:          %10.3f ms\n",
	       build * 1e3);
	printf("  single change (update_dest):         %10.3f ms  %zu operations\n",
	       single * 1e3, single_ops);
	printf("  same change via build + full diff:   %10.3f ms  %zu operations\n",
	       rediff * 1e3, rediff_ops);
	printf("  ratio single/full: 1/%.0f (target: below 1/100)\n",
	       full / single);
	qspn_kstate_free(ks);
	qspn_kstate_free(empty);
	free(db.d);
	free(db.p);
	free(db.h);
	return 0;
}
