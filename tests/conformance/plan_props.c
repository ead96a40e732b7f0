// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * plan_props.c: properties of the planner on random system states (fixed
 * seed, so every run is the same), checked with the strict kernel model of
 * kmodel.c:
 *
 *  1. the full plan of any state runs without a failing command;
 *  2. for any two states A and B, the full plan of A followed by
 *     diff(A, B) gives exactly the kernel state of the full plan of B
 *     (tables, routes, rules, marks, NAT, namespaces, addresses,
 *     rt_tables), and no command of the diff fails on the way;
 *  3. diff(A, A) is empty;
 *  4. after a change of one destination's paths, qspn_plan_update_dest()
 *     prints exactly the operations of diff(A, A') and leaves a state with
 *     an empty diff to A'.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmodel.h"
#include "qspn_plan.h"

#define N_MACS 8
#define MAX_IDS 3
#define MAX_ARCS 5
#define MAX_DESTS 12

static uint64_t seed = 0x5eed1234abcdULL;

static uint32_t rnd(uint32_t n)
{
	seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)((seed >> 33) % n);
}

/* the fields added for issue 15 (identity ids, guest levels, peer_outside,
 * subnet hosts) draw from their own sequence: the older ones stay as
 * they were */
static uint64_t seed2 = 0x15c0ffee15ULL;

static uint32_t rnd2(uint32_t n)
{
	seed2 = seed2 * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)((seed2 >> 33) % n);
}

struct rpaths {
	struct qspn_dest_paths d[MAX_DESTS];
	size_t n;
	struct qspn_path p[MAX_DESTS * 3];
	struct qspn_path_hop h[MAX_DESTS * 3 * 3];
};

struct rsys {
	struct qspn_plan_system sys;
	struct qspn_plan_nic nic[2];
	struct qspn_plan_neighbour nb[4];
	struct qspn_plan_identity ids[MAX_IDS];
	struct qspn_plan_arc arcs[MAX_IDS][MAX_ARCS];
	struct qspn_plan_pseudodev pd[MAX_IDS][2];
	struct rpaths paths[MAX_IDS];
	struct qspn_plan_subnet_host sh[2];
};

static int rget(void *ctx, struct qspn_hcoord dest, struct qspn_dest_paths *out)
{
	const struct rpaths *rp = ctx;

	out->dest = dest;
	out->n_paths = 0;
	out->paths = NULL;
	for (size_t i = 0; i < rp->n; i++)
		if (qspn_hcoord_equal(rp->d[i].dest, dest))
			*out = rp->d[i];
	return 0;
}

static void mac_of(int k, uint8_t mac[6])
{
	memset(mac, 0, 6);
	mac[0] = 0x02;
	mac[5] = (uint8_t)(k + 1);
}

static uint32_t peer_ll(int k)
{
	return (169u << 24) | (254u << 16) | (10u << 8) | (uint32_t)(k + 1);
}

static struct qspn_naddr raddr(const struct qspn_topology *t, bool virt)
{
	struct qspn_naddr n = {.levels = t->levels};

	for (int i = 0; i < t->levels; i++)
		n.pos[i] = rnd(t->gsize[i]);
	if (virt)
		n.pos[rnd((uint32_t)t->levels - 1)] += t->gsize[0] + 1;
	return n;
}

static void rpaths_for(struct rsys *s, size_t i)
{
	struct qspn_plan_identity *id = &s->ids[i];
	struct rpaths *rp = &s->paths[i];
	size_t np = 0, nh = 0;

	rp->n = 0;
	if (!id->n_arcs)
		return;
	for (size_t k = rnd(MAX_DESTS); k > 0; k--) {
		struct qspn_dest_paths *d = &rp->d[rp->n];
		struct qspn_hcoord h;
		bool dup = false;

		h.lvl = (int)rnd((uint32_t)s->sys.topo.levels);
		h.pos = rnd(s->sys.topo.gsize[h.lvl] + 1); /* may be virtual */
		for (size_t x = 0; x < rp->n; x++)
			dup |= qspn_hcoord_equal(rp->d[x].dest, h);
		if (dup)
			continue;
		d->dest = h;
		d->paths = &rp->p[np];
		d->n_paths = 1 + rnd(3);
		for (uint32_t p = 0; p < d->n_paths; p++) {
			struct qspn_path *path = &rp->p[np++];
			const struct qspn_plan_arc *a =
				&id->arcs[rnd((uint32_t)id->n_arcs)];
			struct qspn_hcoord first;

			path->arc = a->id;
			path->cost = 1000 * (p + 1);
			path->hops = &rp->h[nh];
			path->n_hops = 0;
			if (a->peer_known &&
			    qspn_coord_by_address(&id->addr, &a->peer_addr,
						  &first) &&
			    !qspn_hcoord_equal(first, h))
				rp->h[nh + path->n_hops++].hc = first;
			rp->h[nh + path->n_hops++].hc = h;
			nh += path->n_hops;
		}
		rp->n++;
	}
}

static void rsys_random(struct rsys *s, const char *topo)
{
	char err[QSPN_ERRBUF_SIZE];
	int tid_of_mac[N_MACS];
	size_t nid;

	memset(s, 0, sizeof(*s));
	qspn_topology_parse(&s->sys.topo, topo, err, sizeof(err));
	s->sys.started = rnd(10) != 0;
	s->sys.anonymizer = rnd(2);
	s->sys.serve_anonymous = rnd(2);
	s->sys.subnet_level = (int)rnd(3);
	s->sys.n_nics = 1 + rnd(2);
	for (size_t k = 0; k < s->sys.n_nics; k++) {
		snprintf(s->nic[k].dev, sizeof(s->nic[k].dev), "eth%u",
			 (unsigned int)((k + 1) % 100));
		s->nic[k].mac[5] = (uint8_t)(0xa0 + k);
		/* a NIC link-local may change between two states */
		s->nic[k].linklocal = (169u << 24) | (254u << 16) |
				      (uint32_t)(1 + 2 * k + rnd(2));
	}
	s->sys.nics = s->nic;
	for (size_t k = rnd(3); k > 0; k--) {
		int m = (int)rnd(N_MACS);

		/* a peer is on one link: its MAC decides the NIC */
		snprintf(s->nb[s->sys.n_neighbours].dev, QSPN_NAMELEN, "eth%u",
			 1 + (unsigned)m % (unsigned)s->sys.n_nics);
		s->nb[s->sys.n_neighbours++].linklocal = peer_ll(m);
	}
	s->sys.neighbours = s->nb;
	/* one table id per MAC in the whole system, two possible
	 * assignments so that ids and names get swapped between states */
	for (int k = 0; k < N_MACS; k++)
		tid_of_mac[k] = rnd(2) ? 250 - k : 200 + k;
	nid = rnd(MAX_IDS + 1);
	for (size_t i = 0; i < nid; i++) {
		struct qspn_plan_identity *id = &s->ids[s->sys.n_ids];
		bool main_id = i == 0 && rnd(4) != 0;
		bool used[N_MACS] = {false};

		if (main_id) {
			id->addr = raddr(&s->sys.topo, rnd(3) == 0);
		} else {
			snprintf(id->netns, sizeof(id->netns), "ntkv%u",
				 (unsigned)rnd(4));
			for (size_t j = 0; j < s->sys.n_ids; j++)
				if (!strcmp(s->ids[j].netns, id->netns))
					goto skip;
			id->addr = raddr(&s->sys.topo, true);
			for (size_t k = 0; k < s->sys.n_nics; k++) {
				struct qspn_plan_pseudodev *pd =
					&s->pd[s->sys.n_ids][k];

				snprintf(pd->dev, QSPN_NAMELEN, "eth%u",
					 (unsigned int)((k + 1) % 100));
				snprintf(pd->name, QSPN_NAMELEN, "ntkv%c_eth%u",
					 id->netns[4],
					 (unsigned int)((k + 1) % 100));
				pd->mac[5] = (uint8_t)(0xb0 + i * 2 + k);
				pd->linklocal = (169u << 24) | (254u << 16) |
						(uint32_t)((20 + k) << 8) |
						(uint32_t)rnd(4);
			}
			id->pseudodevs = s->pd[s->sys.n_ids];
			id->n_pseudodevs = s->sys.n_nics;
		}
		id->arcs = s->arcs[s->sys.n_ids];
		for (size_t k = rnd(MAX_ARCS + 1); k > 0; k--) {
			struct qspn_plan_arc *a =
				&s->arcs[s->sys.n_ids][id->n_arcs];
			int m = (int)rnd(N_MACS);

			if (used[m])
				continue;
			used[m] = true;
			a->id = (uint32_t)(m + 1);
			snprintf(a->dev, sizeof(a->dev), "eth%u",
				 1 + (unsigned)m % (unsigned)s->sys.n_nics);
			mac_of(m, a->peer_mac);
			a->peer_linklocal = peer_ll(m);
			a->qspn = rnd(3) != 0;
			a->table_id = (uint32_t)tid_of_mac[m];
			a->peer_known = rnd(2);
			if (a->peer_known) {
				a->peer_addr = raddr(&s->sys.topo, rnd(4) == 0);
				if (qspn_naddr_equal(&a->peer_addr, &id->addr))
					a->peer_addr.pos[0] ^= 1;
			}
			a->peer_outside = a->qspn && rnd2(2);
			id->n_arcs++;
		}
		/* the same identity or another one (a replacement) */
		id->id = 1 + rnd2(3);
		id->guest_level = (int)rnd2((uint32_t)s->sys.topo.levels);
		id->paths.get_paths = rget;
		id->paths.ctx = &s->paths[s->sys.n_ids];
		s->sys.n_ids++;
		rpaths_for(s, s->sys.n_ids - 1);
	skip:;
	}
	s->sys.ids = s->ids;
	/* the main identity, if any, must be the only one without netns:
	 * already so by construction */

	/* hosts of the autonomous subnet: positions below subnet_level, not
	 * the main identity's own, not each other's */
	for (uint32_t k = s->sys.subnet_level > 0 ? rnd2(3) : 0; k > 0; k--) {
		struct qspn_plan_subnet_host *h = &s->sh[s->sys.n_subnet_hosts];
		bool clash = false;

		snprintf(h->dev, sizeof(h->dev), "eth1");
		h->linklocal = (169u << 24) | (254u << 16) | (200u << 8) |
			       (uint32_t)(1 + rnd2(4));
		for (int l = 0; l < s->sys.subnet_level; l++)
			h->pos[l] = rnd2(s->sys.topo.gsize[l]);
		for (size_t i = 0; i < s->sys.n_ids; i++)
			clash |= !s->ids[i].netns[0] &&
				 !memcmp(s->ids[i].addr.pos, h->pos,
					 (size_t)s->sys.subnet_level *
						 sizeof(h->pos[0]));
		for (size_t j = 0; j < s->sys.n_subnet_hosts; j++)
			clash |= !memcmp(s->sh[j].pos, h->pos,
					 (size_t)s->sys.subnet_level *
						 sizeof(h->pos[0])) ||
				 s->sh[j].linklocal == h->linklocal;
		if (!clash)
			s->sys.n_subnet_hosts++;
	}
	s->sys.subnet_hosts = s->sh;
}

static struct kmodel *model_of(const struct qspn_kstate *from, struct kmodel *m,
			       const struct qspn_kstate *to, const char *what,
			       bool *ok)
{
	struct qspn_ops ops;
	char err[256];

	qspn_ops_init(&ops);
	if (qspn_plan_diff(from, to, &ops) < 0) {
		printf("# %s: out of memory\n", what);
		*ok = false;
	}
	for (size_t i = 0; i < ops.n; i++) {
		char line[512];

		qspn_op_format(&ops.v[i], line, sizeof(line));
		if (kmodel_apply(m, line, err, sizeof(err)) < 0) {
			printf("# %s: command %zu \"%s\" fails: %s\n", what,
			       i + 1, line, err);
			*ok = false;
			break;
		}
	}
	qspn_ops_free(&ops);
	return m;
}

/* sysctls and "link up" of the default namespace are never undone (nor
 * are they by the reference program): leave them out of the comparison */
static void drop_undone(char **v)
{
	size_t w = 0;

	for (size_t i = 0; v[i]; i++) {
		if (!strncmp(v[i], "netns (default) sysctl ", 23) ||
		    !strncmp(v[i], "netns (default) link ", 21)) {
			free(v[i]);
			continue;
		}
		v[w++] = v[i];
	}
	v[w] = NULL;
}

static bool same(struct kmodel *a, struct kmodel *b)
{
	char **x = kmodel_dump(a), **y = kmodel_dump(b);
	size_t i = 0;
	bool eq = true;

	drop_undone(x);
	drop_undone(y);
	for (; x[i] && y[i]; i++)
		if (strcmp(x[i], y[i])) {
			printf("#   %s\n#   %s\n", x[i], y[i]);
			eq = false;
			break;
		}
	if (eq && (x[i] || y[i])) {
		printf("#   extra: %s\n", x[i] ? x[i] : y[i]);
		eq = false;
	}
	kmodel_dump_free(x);
	kmodel_dump_free(y);
	return eq;
}

static char *ops_text(struct qspn_ops *ops)
{
	size_t cap = 1, used = 0;
	char *t = calloc(1, 1);

	for (size_t i = 0; i < ops->n; i++) {
		char line[512];
		int n = qspn_op_format(&ops->v[i], line, sizeof(line));

		t = realloc(t, cap += (size_t)n + 1);
		memcpy(t + used, line, (size_t)n);
		used += (size_t)n;
		t[used++] = '\n';
		t[used] = '\0';
	}
	return t;
}

int main(void)
{
	static const char *const topos[] = {"4.2.2.2", "4.4.4", "8.4.4.2"};
	static const char *const nics[] = {"eth1", "eth2"};
	const int rounds = 400;
	int failures = 0, built = 0;

	for (int r = 0; r < rounds; r++) {
		static struct rsys a, b;
		const char *topo = topos[rnd(3)];
		struct qspn_kstate *ka = NULL, *kb = NULL,
				   *empty = qspn_kstate_new();
		struct kmodel *ma, *mb;
		char err[256];
		bool ok = true;
		struct qspn_ops ops;

		rsys_random(&a, topo);
		rsys_random(&b, topo);
		if (qspn_plan_build(&a.sys, &ka, err, sizeof(err)) ||
		    qspn_plan_build(&b.sys, &kb, err, sizeof(err))) {
			printf("not ok %d - random state rejected: %s\n", r + 1,
			       err);
			failures++;
			goto next;
		}
		built++;
		ma = model_of(empty, kmodel_new(nics, 2), ka, "full plan of A",
			      &ok);
		mb = model_of(empty, kmodel_new(nics, 2), kb, "full plan of B",
			      &ok);
		model_of(ka, ma, kb, "diff A->B", &ok);
		if (ok && !same(ma, mb))
			ok = false;
		kmodel_free(ma);
		kmodel_free(mb);
		/* diff(A, A) is empty */
		qspn_ops_init(&ops);
		qspn_plan_diff(ka, ka, &ops);
		if (ops.n) {
			printf("# diff(A, A) has %zu operations\n", ops.n);
			ok = false;
		}
		qspn_ops_free(&ops);
		/* incremental: change one destination of one identity */
		if (a.sys.started && a.sys.n_ids && a.paths[0].n) {
			struct qspn_kstate *k2 = NULL;
			struct qspn_hcoord h = a.paths[0].d[0].dest;
			struct qspn_ops inc, full;
			char *ti, *tf;

			qspn_ops_init(&inc);
			qspn_ops_init(&full);
			/* drop the destination's best path, or all of them */
			if (a.paths[0].d[0].n_paths > 1) {
				a.paths[0].d[0].paths++;
				a.paths[0].d[0].n_paths--;
			} else {
				a.paths[0].d[0].n_paths = 0;
			}
			qspn_plan_build(&a.sys, &k2, err, sizeof(err));
			qspn_plan_diff(ka, k2, &full);
			qspn_plan_update_dest(ka, &a.sys, 0, h, &inc);
			ti = ops_text(&inc);
			tf = ops_text(&full);
			if (strcmp(ti, tf)) {
				printf("# update_dest:\n%s# full diff:\n%s", ti,
				       tf);
				ok = false;
			}
			qspn_ops_free(&full);
			qspn_ops_init(&full);
			qspn_plan_diff(ka, k2, &full);
			if (full.n) {
				printf("# state after update_dest differs (%zu ops)\n",
				       full.n);
				ok = false;
			}
			free(ti);
			free(tf);
			qspn_ops_free(&inc);
			qspn_ops_free(&full);
			qspn_kstate_free(k2);
		}
		if (!ok) {
			printf("not ok %d - random states (round %d, topology %s)\n",
			       r + 1, r, topo);
			failures++;
		}
	next:
		qspn_kstate_free(ka);
		qspn_kstate_free(kb);
		qspn_kstate_free(empty);
	}
	printf("1..%d\n# %d rounds, %d state pairs planned, %d failed\n",
	       rounds, rounds, built, failures);
	return failures ? 1 : 0;
}
