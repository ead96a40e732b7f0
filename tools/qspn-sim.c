// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qspn-sim: command-line driver of the QSPN network simulator
 * (tests/sim).  Builds a network of N nodes on a topology, every g-node
 * internally connected (its children chained, plus random chords), brings
 * all arcs up at once, optionally fails one link, and prints what every
 * node knows, the traffic, and (with -e) the event log of every signal.
 *
 *   qspn-sim [-n NODES] [-t TOPOLOGY] [-s SEED] [-j JITTER_MS] [-l LOSS]
 *            [-f] [-u UNTIL_MS] [-e] [-v]
 *
 * TOPOLOGY is written top level first, as in the configuration
 * ("4.4.4", default); addresses are given in order, filling g-nodes.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "sim.h"

static uint64_t rnd(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: qspn-sim [-n NODES] [-t TOPOLOGY] [-s SEED] "
		"[-j JITTER_MS] [-l LOSS] [-f] [-u UNTIL_MS] [-e] "
		"[-v]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *topo_text = "4.4.4";
	int n = 20, opt;
	uint64_t seed = 1, until = 30000, x;
	bool fail = false, events = false;
	struct qspn_topology topo;
	char err[QSPN_ERRBUF_SIZE];
	struct sim_params sp;
	struct sim *s;
	int *id, *sys, nl = 0, *la, *lb, *lk, *arc;
	uint64_t cap = 1;

	sim_params_default(&sp);
	while ((opt = getopt(argc, argv, "n:t:s:j:l:fu:ev")) != -1) {
		switch (opt) {
		case 'n':
			n = atoi(optarg);
			break;
		case 't':
			topo_text = optarg;
			break;
		case 's':
			seed = strtoull(optarg, NULL, 10);
			break;
		case 'j':
			sp.jitter_ms = (uint32_t)atoi(optarg);
			break;
		case 'l':
			sp.bcast_loss = atof(optarg);
			break;
		case 'f':
			fail = true;
			break;
		case 'u':
			until = strtoull(optarg, NULL, 10);
			break;
		case 'e':
			events = true;
			break;
		case 'v':
			sp.log_to_stderr = true;
			break;
		default:
			usage();
		}
	}
	if (qspn_topology_parse(&topo, topo_text, err, sizeof(err)) != 0) {
		fprintf(stderr, "qspn-sim: %s\n", err);
		return 2;
	}
	for (int l = 0; l < topo.levels; l++)
		cap *= topo.gsize[l];
	if (n < 1 || (uint64_t)n > cap || n > 100000) {
		fprintf(stderr, "qspn-sim: 1 <= nodes <= %llu\n",
			(unsigned long long)(cap < 100000 ? cap : 100000));
		return 2;
	}
	sp.seed = seed;
	x = seed;
	s = sim_new(&topo, NULL, &sp);
	id = calloc((size_t)n, sizeof(*id));
	sys = calloc((size_t)n, sizeof(*sys));
	la = calloc((size_t)n * 4, sizeof(*la));
	lb = calloc((size_t)n * 4, sizeof(*lb));
	lk = calloc((size_t)n * 4, sizeof(*lk));
	arc = calloc((size_t)n * 4, sizeof(*arc));
	for (int i = 0; i < n; i++) {
		uint32_t pos[QSPN_MAX_LEVELS];
		int32_t eld[QSPN_MAX_LEVELS];
		uint64_t a = (uint64_t)i;

		for (int l = 0; l < topo.levels; l++) {
			pos[l] = (uint32_t)(a % topo.gsize[l]);
			eld[l] = (int32_t)pos[l];
			a /= topo.gsize[l];
		}
		sys[i] = sim_system(s, i + 1);
		id[i] = sim_create_net(s, sys[i], pos, eld);
	}
	/* chain the children of every g-node, level by level */
	{
		uint64_t span = 1;

		for (int l = 0; l < topo.levels; l++) {
			uint64_t group = span * topo.gsize[l];

			for (uint64_t g0 = 0; g0 < (uint64_t)n; g0 += group)
				for (uint64_t u = g0 + span;
				     u < g0 + group && u < (uint64_t)n;
				     u += span) {
					uint64_t pa = u - span, pb = u;
					uint64_t sa = span, sb = span;

					if (pb + sb > (uint64_t)n)
						sb = (uint64_t)n - pb;
					if (nl >= n * 4)
						break;
					la[nl] = (int)(pa + rnd(&x) % sa);
					lb[nl] = (int)(pb + rnd(&x) % sb);
					nl++;
				}
			span = group;
		}
		for (int c = 0; c < n / 3 && nl < n * 4; c++) {
			la[nl] = (int)(rnd(&x) % (uint64_t)n);
			lb[nl] = (int)(rnd(&x) % (uint64_t)n);
			if (la[nl] != lb[nl])
				nl++;
		}
	}
	for (int k = 0; k < nl; k++) {
		lk[k] = sim_link(s, sys[la[k]], "eth0", sys[lb[k]], "eth0",
				 1000 + (int64_t)(rnd(&x) % 9000));
		arc[k] = sim_arc(s, lk[k], id[la[k]], id[lb[k]]);
	}
	sim_run_until(s, 100);
	for (int k = 0; k < nl; k++) {
		sim_qspn_arc_add(s, arc[k], id[la[k]]);
		sim_qspn_arc_add(s, arc[k], id[lb[k]]);
	}
	if (fail && nl > 0) {
		int k = (int)(rnd(&x) % (uint64_t)nl);

		sim_run_until(s, until / 2);
		printf("link %d (nodes %d-%d) fails at %llu ms\n", k, la[k],
		       lb[k], (unsigned long long)sim_now(s));
		sim_link_set_up(s, lk[k], false);
		sim_qspn_arc_remove(s, arc[k], id[la[k]]);
		sim_qspn_arc_remove(s, arc[k], id[lb[k]]);
	}
	sim_run_until(s, until);
	for (int i = 0; i < n; i++) {
		struct qspn_instance *inst = sim_inst(s, id[i]);
		char addr[64];
		uint32_t nn = 0;

		qspn_naddr_format(qspn_my_naddr(inst), addr, sizeof(addr));
		qspn_get_nodes_inside(inst, topo.levels, &nn);
		printf("node %-4d %-16s dests", i, addr);
		for (int l = 0; l < topo.levels; l++)
			printf(" %d",
			       qspn_get_known_destinations(inst, l, NULL, 0));
		printf("  network size %u\n", nn);
	}
	{
		const struct sim_stats *st = sim_stats(s);

		printf("links %d, messages %llu (%llu bytes), lost %llu, "
		       "transport errors %llu, events %zu\n",
		       nl, (unsigned long long)st->msgs,
		       (unsigned long long)st->bytes,
		       (unsigned long long)st->lost,
		       (unsigned long long)st->transport_errors,
		       sim_n_events(s));
	}
	if (events)
		sim_dump_events(s, stdout);
	sim_free(s);
	free(id);
	free(sys);
	free(la);
	free(lb);
	free(lk);
	free(arc);
	return 0;
}
