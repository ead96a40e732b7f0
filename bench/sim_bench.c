// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sim_bench.c: cold start of simulated QSPN networks (issue 5 item 7).
 *
 * For N = 100, 1000, 10000 nodes, two shapes over the same physical
 * graph: hierarchical (gsizes 16.16.16.16, each g-node filled with 10
 * children) and flat (one level, gsize 16384).  Every node starts alone
 * (create_net, consistent elderships) and all arcs come up at t = 100 ms.
 * Printed per run: virtual convergence time (last message delivered),
 * messages and bytes per node, CPU time per processed ETP, engine memory
 * per node (mean and max of qspn_memory_usage) and the process's peak RSS.
 *
 * Usage: sim_bench [max_hier_n [max_flat_n]]  (defaults 1000 and 100, a
 * few minutes of CPU; `sim_bench 10000 1000` for the large runs).
 *
 * Measured on this machine (2 shared cores), first session:
 *   shape      N  links  conv_s  msgs/node  bytes/node  cpu_us/etp  mem_kB/node
 *   hier     100    132   0.098     1097.2      262693       16.1        25.1
 *   hier    1000   1332   0.307    10040.3     2805518       27.2        45.3
 *   flat     100    132   0.088      471.0       92013       15.3       108.8
 * (a flat 1000-node run had not finished after 26 CPU minutes).  Memory
 * per node grows with the map (27 destinations at N = 1000 against 18 at
 * N = 100; flat: 99 already at N = 100), not with N; but the cold-start
 * message count per node
 * grows linearly with N: every change of a node's own g-node info
 * (nodes_inside at any level) is forwarded (§5.7), and in a simultaneous
 * cold start every join changes the top-level figure of every node.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "sim.h"

static uint64_t rnd(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

struct edge {
	int a, b;
	int64_t cost;
};

/* the physical graph: a ring (+2 chords) inside every group of 10
 * consecutive nodes, then the same among groups at each level above */
static int make_graph(int n, struct edge **out, uint64_t seed)
{
	int cap = 8 * n + 16, ne = 0;
	struct edge *e = calloc((size_t)cap, sizeof(*e));
	uint64_t x = seed;

	for (int span = 1; span < n; span *= 10) {
		/* groups of 10 units of `span` nodes */
		for (int g0 = 0; g0 < n; g0 += span * 10) {
			int units = 0;

			for (int u = 0; u < 10 && g0 + u * span < n; u++)
				units++;
			for (int u = 0; u < units && units > 1; u++) {
				int v = (u + 1) % units;
				int ua = g0 + u * span, va = g0 + v * span;
				int usz = ua + span <= n ? span : n - ua;
				int vsz = va + span <= n ? span : n - va;

				if (units == 2 && u == 1)
					break;
				e[ne].a = ua + (int)(rnd(&x) % (uint64_t)usz);
				e[ne].b = va + (int)(rnd(&x) % (uint64_t)vsz);
				e[ne].cost = 1000 + (int64_t)(rnd(&x) % 9000);
				ne++;
			}
			for (int c = 0; c < 2 && units > 3; c++) {
				int u = (int)(rnd(&x) % (uint64_t)units);
				int v = (u + 2 +
					 (int)(rnd(&x) %
					       (uint64_t)(units - 3))) %
					units;
				int ua = g0 + u * span, va = g0 + v * span;
				int usz = ua + span <= n ? span : n - ua;
				int vsz = va + span <= n ? span : n - va;

				e[ne].a = ua + (int)(rnd(&x) % (uint64_t)usz);
				e[ne].b = va + (int)(rnd(&x) % (uint64_t)vsz);
				e[ne].cost = 1000 + (int64_t)(rnd(&x) % 9000);
				ne++;
			}
		}
	}
	*out = e;
	return ne;
}

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void run(int n, bool flat)
{
	static const uint32_t gh[] = {16, 16, 16, 16}, gf[] = {16384};
	struct qspn_topology topo;
	char err[QSPN_ERRBUF_SIZE];
	struct sim_params sp;
	struct qspn_params qp;
	struct sim *s;
	struct edge *e;
	int ne = make_graph(n, &e, 42);
	int *id = calloc((size_t)n, sizeof(*id));
	int *sys = calloc((size_t)n, sizeof(*sys));
	int *arc = calloc((size_t)ne, sizeof(*arc));
	double t0, t1;
	uint64_t etps = 0, mem_sum = 0, mem_max = 0, conv = 0;
	const struct sim_stats *st;
	struct rusage ru;
	int known_min = 1 << 30;

	if (qspn_topology_init(&topo, flat ? 1 : 4, flat ? gf : gh, err,
			       sizeof(err)) != 0)
		abort();
	sim_params_default(&sp);
	sp.seed = 7;
	qspn_params_default(&qp);
	s = sim_new(&topo, &qp, &sp);
	for (int i = 0; i < n; i++) {
		uint32_t pos[4];
		int32_t eld[4];

		if (flat) {
			pos[0] = (uint32_t)i;
			eld[0] = i;
		} else {
			pos[0] = (uint32_t)(i % 10);
			pos[1] = (uint32_t)((i / 10) % 10);
			pos[2] = (uint32_t)((i / 100) % 10);
			pos[3] = (uint32_t)(i / 1000);
			for (int k = 0; k < 4; k++)
				eld[k] = (int32_t)pos[k];
		}
		sys[i] = sim_system(s, i);
		id[i] = sim_create_net(s, sys[i], pos, eld);
	}
	for (int k = 0; k < ne; k++) {
		int l = sim_link(s, sys[e[k].a], "eth0", sys[e[k].b], "eth0",
				 e[k].cost);

		arc[k] = sim_arc(s, l, id[e[k].a], id[e[k].b]);
	}
	sim_run_until(s, 100);
	t0 = cpu_now();
	for (int k = 0; k < ne; k++) {
		sim_qspn_arc_add(s, arc[k], id[e[k].a]);
		sim_qspn_arc_add(s, arc[k], id[e[k].b]);
	}
	/* run until no message is in flight (the periodic update is 10 min) */
	sim_run_quiet(s, 590000);
	conv = sim_now(s) - 100;
	/* let the split checks and floods of the cold start expire */
	sim_run_until(s, sim_now(s) + 60000);
	sim_run_quiet(s, 590000);
	t1 = cpu_now();
	st = sim_stats(s);
	for (int i = 0; i < n; i++) {
		struct qspn_instance *inst = sim_inst(s, id[i]);
		size_t m = qspn_memory_usage(inst);
		int k = sim_known_dests(s, id[i]);

		etps += qspn_get_stats(inst)->etp_processed;
		mem_sum += m;
		if (m > mem_max)
			mem_max = m;
		if (k < known_min)
			known_min = k;
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("%-5s %6d %6d %9.3f %9.1f %10.0f %10.2f %9.1f %9.1f %9ld %6d\n",
	       flat ? "flat" : "hier", n, ne, (double)conv / 1000.0,
	       (double)st->msgs / n, (double)st->bytes / n,
	       etps ? (t1 - t0) * 1e6 / (double)etps : 0.0,
	       (double)mem_sum / n / 1024.0, (double)mem_max / 1024.0,
	       ru.ru_maxrss / 1024, known_min);
	fflush(stdout);
	sim_free(s);
	free(id);
	free(sys);
	free(arc);
	free(e);
}

int main(int argc, char **argv)
{
	int max_h = argc > 1 ? atoi(argv[1]) : 1000;
	int max_f = argc > 2 ? atoi(argv[2]) : 100;

	printf("shape      N  links  conv_s  msgs/node  bytes/node  "
	       "cpu_us/etp  mem_kB/node  max_kB  rss_MB  min_dests\n");
	for (int n = 100; n <= max_h; n *= 10)
		run(n, false);
	for (int n = 100; n <= max_f; n *= 10)
		run(n, true);
	return 0;
}
