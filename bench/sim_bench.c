// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sim_bench.c: cold start of simulated QSPN networks (issue 5 item 7).
 *
 * N = 100, 1000, 10000 nodes over one physical graph (rings + chords in
 * groups of 10, then among groups of groups), two shapes: hierarchical
 * (gsizes 16.16.16.16, 10 of 16 positions used per g-node) and flat (one
 * level, gsize 16384).  Every node starts alone (create_net); the arcs
 * come up either all at once ("simul") or staged ("stage", the
 * hierarchical cold start): the links inside every level-1 g-node, then,
 * once no message is in flight, the links among the level-1 g-nodes of
 * every level-2 g-node, and so on up.  Printed per run: virtual
 * convergence time, messages, bytes and processed ETPs per node, CPU time
 * per processed ETP, peak engine memory per node (mean, max), peak RSS.
 *
 * Usage: sim_bench [-H max_n] [-F max_n] [-S max_n] [-n n1,n2,...] [-v]:
 * staged hierarchical up to -H (default 1000), staged flat up to -F
 * (default 100), simultaneous (both shapes) up to -S (default 100), over
 * the sizes of -n (default 100,1000,10000); `make bench` runs the
 * defaults (seconds).  Large runs: `sim_bench -H 10000 -F 0 -S 0`
 * (~2.5 CPU minutes), `sim_bench -H 0 -F 0 -S 1000` (~4.5 CPU minutes for
 * the hierarchical simultaneous 1000; the flat one that follows does not
 * end).  Flat curve: `sim_bench -n 200,300 -H 0 -F 300 -S 0` (~15 CPU s).
 *
 * Measured on this machine (2 shared cores, loaded), see doc/bench.md:
 * shape  mode    N conv_s msgs/nd  bytes/nd etp/nd us/etp kB/nd  max dests
 * hier stage   100  0.085     86.9     18224    77.2  13.12   23.5  28.3 18-18
 * hier simul   100  0.098   1097.2    262693   854.4  16.43   28.5  33.6 18-18
 * hier stage   200  0.171     94.6     19899    83.8  11.19   24.6  30.6 19-19
 * hier simul   200  0.106   1582.5    389147  1228.7  13.09   33.3  41.8 19-19
 * hier stage   500  0.239    128.8     27760   115.0  23.34   29.9  37.7 22-22
 * hier stage  1000  0.289    159.7     35526   141.8  36.97   36.7  47.4 27-27
 * hier simul  1000  0.307  10040.3   2805518  7641.9  35.72   76.2 100.8 27-27
 * hier stage 10000  0.670    243.1     57184   217.4  67.02   53.3  81.1 36-36
 * flat stage   100  0.087     96.1     57883    91.9  23.77  108.7 135.7 99-99
 * flat simul   100  0.088    471.0     92013   460.8  17.84  109.0 136.6 99-99
 * flat stage   200  0.211    126.5    186772   119.3  59.80  245.5 331.7 199-199
 * flat stage   300  0.260    193.2    466242   181.0 233.17  576.4 678.1 299-299
 * flat simul 200: not finished after 10 CPU minutes (4.0 GB RSS, stopped);
 * flat stage 500: not finished after 19.5 CPU minutes (4.3 GB RSS, stopped).
 * Staged, hierarchical: messages per node grow with the number of levels
 * (a stage costs 33-82 per node), memory per node with the known
 * destinations (18-36: the sum of the filled gsizes), not with N: from
 * N = 100 to 10000, memory ~N^0.18, messages ~N^0.23, bytes ~N^0.25.
 * Simultaneous, messages per node grow linearly with N (every transient of
 * a forming g-node, fp, nodes_inside > 10 %, costs > 30 %, exits, is a
 * relevant change forwarded to all outside it, doc/protocol/qspn.md §4.4,
 * §5.7); 10000 would need ~10^9 messages.  Flat, staged, N = 100-300:
 * destinations = N-1, memory per node ~N^1.5 (N^2.1 from 200 to 300; 1.1 to
 * 1.9 kB per destination), bytes per node ~N^1.9-2.3, messages and ETPs per
 * node ~N^0.6-1.0, CPU per ETP ~N^2.1-3.4, CPU of the run ~N^3.7-5.4.
 * Extrapolated from these fits, not measured: flat 1000 ~3.6-7.3 MB per
 * node (3.6-7.3 GB in all), 420-680 messages and 4.6-7 MB sent per node;
 * flat 10000 ~0.12-0.94 GB per node (1.2-9.4 TB in all): not runnable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "sim.h"

#define MAX_STAGES 5

static uint64_t rnd(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

struct edge {
	int a, b;
	int stage; /* k: joins two level-k g-nodes of one level-(k+1) g-node */
	int64_t cost;
};

static void edge_add(struct edge *e, int *ne, int a, int b, int stage,
		     uint64_t *x)
{
	e[*ne].a = a;
	e[*ne].b = b;
	e[*ne].stage = stage;
	e[*ne].cost = 1000 + (int64_t)(rnd(x) % 9000);
	(*ne)++;
}

/*
 * The physical graph: a ring (+2 chords) among the 10 nodes of every
 * group of 10 consecutive nodes (stage 0), then the same among the 10
 * groups of every group of 100 (stage 1: each ring edge joins a random
 * node of one group to a random node of the next), and so on up.
 */
static int make_graph(int n, struct edge **out, uint64_t seed)
{
	int cap = 8 * n + 16, ne = 0, stage = 0;
	struct edge *e = calloc((size_t)cap, sizeof(*e));
	uint64_t x = seed;

	for (int span = 1; span < n; span *= 10, stage++) {
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
				int a, b;

				if (units == 2 && u == 1)
					break;
				a = ua + (int)(rnd(&x) % (uint64_t)usz);
				b = va + (int)(rnd(&x) % (uint64_t)vsz);
				edge_add(e, &ne, a, b, stage, &x);
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
				int a, b;

				a = ua + (int)(rnd(&x) % (uint64_t)usz);
				b = va + (int)(rnd(&x) % (uint64_t)vsz);
				edge_add(e, &ne, a, b, stage, &x);
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

struct run_cfg {
	int n;
	bool flat;
	bool staged;
	bool verbose;
	uint32_t window; /* qspn_params.fwd_window_ms */
};

struct bench {
	struct sim *s;
	int n;
	int *id;
	size_t *mem_peak; /* per node, sampled */
};

static void sample_mem(struct bench *b)
{
	for (int i = 0; i < b->n; i++) {
		size_t m = qspn_memory_usage(sim_inst(b->s, b->id[i]));

		if (m > b->mem_peak[i])
			b->mem_peak[i] = m;
	}
}

/*
 * Run until `limit` (or, if `quiet`, until no message is in flight),
 * sampling the engines' memory after every `slice` ms of virtual time
 * that delivered something.
 */
static void converge(struct bench *b, uint64_t limit, bool quiet)
{
	const uint64_t slice = 25;

	for (;;) {
		uint64_t before = sim_stats(b->s)->delivered;
		uint64_t t = sim_now(b->s) + slice;

		if (t > limit)
			t = limit;
		sim_run_until(b->s, t);
		if (sim_stats(b->s)->delivered != before)
			sample_mem(b);
		if (t >= limit)
			break;
		if (quiet && !sim_in_flight(b->s)) {
			/* merged forwards wait for their window (at most 8 W):
			 * quiet means nothing sent for 200 ms more */
			uint64_t m0 = sim_stats(b->s)->msgs;
			uint64_t t2 = sim_now(b->s) + 200;

			sim_run_until(b->s, t2 < limit ? t2 : limit);
			if (sim_stats(b->s)->msgs == m0)
				break;
		}
	}
}

static void run(const struct run_cfg *c)
{
	static const uint32_t gh[] = {16, 16, 16, 16}, gf[] = {16384};
	struct qspn_topology topo;
	char err[QSPN_ERRBUF_SIZE];
	struct sim_params sp;
	struct qspn_params qp;
	struct bench b = {0};
	struct edge *e;
	int n = c->n, ne = make_graph(n, &e, 42), n_stages = 1;
	int *sys = calloc((size_t)n, sizeof(*sys));
	int *arc = calloc((size_t)ne, sizeof(*arc));
	double t0, t1;
	uint64_t etps = 0, mem_sum = 0, mem_max = 0, conv = 0;
	uint64_t stage_conv[MAX_STAGES] = {0}, stage_msgs[MAX_STAGES] = {0};
	const struct sim_stats *st;
	struct rusage ru;
	int known_min = 1 << 30, known_max = 0;

	b.n = n;
	b.id = calloc((size_t)n, sizeof(*b.id));
	b.mem_peak = calloc((size_t)n, sizeof(*b.mem_peak));
	if (qspn_topology_init(&topo, c->flat ? 1 : 4, c->flat ? gf : gh, err,
			       sizeof(err)) != 0)
		abort();
	sim_params_default(&sp);
	sp.seed = 7;
	sp.no_event_log = true;
	qspn_params_default(&qp);
	qp.fwd_window_ms = c->window;
	b.s = sim_new(&topo, &qp, &sp);
	for (int i = 0; i < n; i++) {
		uint32_t pos[4];
		int32_t eld[4];

		if (c->flat) {
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
		sys[i] = sim_system(b.s, i);
		b.id[i] = sim_create_net(b.s, sys[i], pos, eld);
	}
	for (int k = 0; k < ne; k++) {
		int l = sim_link(b.s, sys[e[k].a], "eth0", sys[e[k].b], "eth0",
				 e[k].cost);

		arc[k] = sim_arc(b.s, l, b.id[e[k].a], b.id[e[k].b]);
		if (c->staged && e[k].stage + 1 > n_stages)
			n_stages = e[k].stage + 1;
	}
	sim_run_until(b.s, 100);
	t0 = cpu_now();
	for (int stg = 0; stg < n_stages; stg++) {
		uint64_t start = sim_now(b.s), m0 = sim_stats(b.s)->msgs, last;

		for (int k = 0; k < ne; k++) {
			if (c->staged && e[k].stage != stg)
				continue;
			sim_qspn_arc_add(b.s, arc[k], b.id[e[k].a]);
			sim_qspn_arc_add(b.s, arc[k], b.id[e[k].b]);
		}
		/*
		 * until no message is in flight (the periodic full update is
		 * 10 min after the start; the stages end well before it)
		 */
		converge(&b, 100 + 500000, true);
		last = sim_stats(b.s)->last_delivery;
		stage_conv[stg] = last - start;
		conv += last - start;
		/* let the split checks and floods of the stage expire */
		converge(&b, sim_now(b.s) + 60000, false);
		stage_msgs[stg] = sim_stats(b.s)->msgs - m0;
	}
	t1 = cpu_now();
	st = sim_stats(b.s);
	for (int i = 0; i < n; i++) {
		struct qspn_instance *inst = sim_inst(b.s, b.id[i]);
		int k = sim_known_dests(b.s, b.id[i]);

		etps += qspn_get_stats(inst)->etp_processed;
		mem_sum += b.mem_peak[i];
		if (b.mem_peak[i] > mem_max)
			mem_max = b.mem_peak[i];
		if (k < known_min)
			known_min = k;
		if (k > known_max)
			known_max = k;
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("%-4s %-5s %3u %6d %6d %7.3f %9.1f %10.0f %7.1f %8.2f %7.1f "
	       "%7.1f %6ld %4d-%d\n",
	       c->flat ? "flat" : "hier", c->staged ? "stage" : "simul",
	       c->window, n, ne,
	       (double)conv / 1000.0, (double)st->msgs / n,
	       (double)st->bytes / n, (double)etps / n,
	       etps ? (t1 - t0) * 1e6 / (double)etps : 0.0,
	       (double)mem_sum / n / 1024.0, (double)mem_max / 1024.0,
	       ru.ru_maxrss / 1024, known_min, known_max);
	if (c->verbose && c->staged)
		for (int stg = 0; stg < n_stages; stg++)
			printf("    stage %d: conv %.3f s, %.1f msgs/node\n",
			       stg, (double)stage_conv[stg] / 1000.0,
			       (double)stage_msgs[stg] / n);
	printf("     cpu %.1f s\n", t1 - t0);
	fflush(stdout);
	sim_free(b.s);
	free(b.id);
	free(b.mem_peak);
	free(sys);
	free(arc);
	free(e);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: sim_bench [-H max_n] [-F max_n] [-S max_n] "
		"[-n n1,n2,...] [-W ms [-M]] [-v]\n"
		"  -H  largest hierarchical N, staged bring-up (default 1000)\n"
		"  -F  largest flat N, staged bring-up (default 100)\n"
		"  -S  largest N of the simultaneous cold start, both shapes "
		"(default 100)\n"
		"  -n  the sizes to run (default 100,1000,10000), each up to "
		"the maxima\n"
		"  -W  also every run with merged forwards, window W ms "
		"(qspn_params.fwd_window_ms), after the unmerged one\n"
		"  -M  with -W, the merged runs only\n"
		"  -v  per-stage figures\n");
	exit(2);
}

#define MAX_SIZES 16

/* "200,500" -> sizes[]; returns the count, or -1 if malformed */
static int parse_sizes(const char *arg, int *sizes)
{
	int k = 0;

	while (*arg) {
		char *end;
		long v = strtol(arg, &end, 10);

		if (end == arg || v < 2 || v > 16000 || k == MAX_SIZES ||
		    (*end && *end != ','))
			return -1;
		sizes[k++] = (int)v;
		arg = *end ? end + 1 : end;
	}
	return k;
}

int main(int argc, char **argv)
{
	int max_h = 1000, max_f = 100, max_s = 100, opt;
	uint32_t window = 0;
	bool merged_only = false;
	int sizes[MAX_SIZES] = {100, 1000, 10000}, n_sizes = 3;
	struct run_cfg c = {0};

	while ((opt = getopt(argc, argv, "H:F:S:n:W:Mv")) != -1) {
		switch (opt) {
		case 'W':
			window = (uint32_t)atoi(optarg);
			break;
		case 'M':
			merged_only = true;
			break;
		case 'H':
			max_h = atoi(optarg);
			break;
		case 'F':
			max_f = atoi(optarg);
			break;
		case 'S':
			max_s = atoi(optarg);
			break;
		case 'n':
			n_sizes = parse_sizes(optarg, sizes);
			if (n_sizes <= 0)
				usage();
			break;
		case 'v':
			c.verbose = true;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	printf("shape mode    W      N  links  conv_s msgs/node bytes/node "
	       "etp/node us/etp  kB/node  kB_max rss_MB dests\n");
	for (int flat = 0; flat < 2; flat++) {
		int max = flat ? max_f : max_h;

		for (int i = 0; i < n_sizes; i++) {
			c.n = sizes[i];
			c.flat = flat;
			/* unmerged, then (-W) merged, side by side */
			for (int w = merged_only && window; w < (window ? 2 : 1);
			     w++) {
				c.window = w ? window : 0;
				c.staged = true;
				if (c.n <= max)
					run(&c);
			}
			for (int w = merged_only && window; w < (window ? 2 : 1);
			     w++) {
				c.window = w ? window : 0;
				c.staged = false;
				if (c.n <= max_s)
					run(&c);
			}
		}
	}
	return 0;
}
