// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * recovery_bench.c: single link and node failures in converged networks
 * (issue 17 item 1; tests/sim/sim_recovery.h).  For every seed a network
 * of the bench's shape (bench/sim_bench.c) with that graph seed comes up
 * staged; then up to -l links fail one at a time (each comes back before
 * the next), and up to -k nodes fail one at a time (they stay down); only
 * failures that leave the graph connected.  Printed per shape: failures,
 * failures that left a destination missing or stale after the network
 * went quiet, the worst, and the cost of a failure (messages and bytes per
 * node, message rounds, virtual time to the last delivery).
 *
 * Usage: recovery_bench [-n N] [-f] [-s seeds] [-l links] [-t stage]
 * [-k nodes] [-R 0|1] [-v] (defaults: 100 nodes, hierarchical, 20 seeds,
 * 12 links and 2 nodes per seed, the rule as qspn_params_default() has it;
 * `make bench` runs that, a few CPU seconds): -t only links of that bring-up stage or
 * higher (1: between level-1 g-nodes), -R 0 without the regain rule
 * (qspn_params.regain, the reference's behaviour).  The link list is
 * sampled with a stride (every stage at first, then only stage >= -t).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "sim_recovery.h"

struct agg {
	int n, bad_missing, bad_stale, worst_missing, worst_short, worst_stale;
	double msgs, bytes, max_msgs;
	uint32_t max_rounds;
	double rounds;
	uint64_t max_conv;
};

static void agg_add(struct agg *a, const struct rec_result *r, int n)
{
	double m = (double)r->msgs / n;

	a->n++;
	if (r->missing)
		a->bad_missing++;
	if (r->stale)
		a->bad_stale++;
	if (r->missing > a->worst_missing)
		a->worst_missing = r->missing;
	if (r->nodes_short > a->worst_short)
		a->worst_short = r->nodes_short;
	if (r->stale > a->worst_stale)
		a->worst_stale = r->stale;
	a->msgs += m;
	a->bytes += (double)r->bytes / n;
	if (m > a->max_msgs)
		a->max_msgs = m;
	a->rounds += r->rounds;
	if (r->rounds > a->max_rounds)
		a->max_rounds = r->rounds;
	if (r->conv_ms > a->max_conv)
		a->max_conv = r->conv_ms;
}

static void agg_print(const char *what, const struct agg *a)
{
	if (!a->n)
		return;
	printf("  %-10s %5d  missing %4d (worst %4d pairs, %4d nodes)  stale "
	       "%4d (worst %3d)  msgs/node %6.2f (max %6.2f)  bytes/node "
	       "%7.0f  rounds %5.1f (max %3u)  conv_max %5.3f s\n",
	       what, a->n, a->bad_missing, a->worst_missing, a->worst_short,
	       a->bad_stale, a->worst_stale, a->msgs / a->n, a->max_msgs,
	       a->bytes / a->n, a->rounds / a->n, a->max_rounds,
	       (double)a->max_conv / 1000.0);
}

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	int n = 100, seeds = 20, links = 12, nodes = 2, opt;
	int regain = -1, min_stage = 0, delay = -1;
	bool flat = false, verbose = false;
	struct agg lf = {0}, nf = {0};
	struct qspn_params qp;
	double t0 = cpu_now(), bringup = 0;

	qspn_params_default(&qp);
	while ((opt = getopt(argc, argv, "n:fs:l:k:t:R:D:v")) != -1) {
		switch (opt) {
		case 'n':
			n = atoi(optarg);
			break;
		case 'f':
			flat = true;
			break;
		case 's':
			seeds = atoi(optarg);
			break;
		case 'l':
			links = atoi(optarg);
			break;
		case 'k':
			nodes = atoi(optarg);
			break;
		case 't':
			min_stage = atoi(optarg);
			break;
		case 'D':
			delay = atoi(optarg);
			break;
		case 'R':
			regain = atoi(optarg);
			break;
		case 'v':
			verbose = true;
			break;
		default:
			fprintf(stderr, "usage: recovery_bench [-n N] [-f] "
					"[-s seeds] [-l links] [-t stage] "
					"[-k nodes] [-R 0|1] [-D ms] [-v]\n");
			return 2;
		}
	}
	if (regain >= 0)
		qp.regain = regain != 0;
	if (delay >= 0)
		qp.regain_delay_ms = (uint32_t)delay;
	for (int sd = 1; sd <= seeds; sd++) {
		struct rec_cfg c = {.n = n, .flat = flat,
				    .graph_seed = 1000 + (uint64_t)sd,
				    .sim_seed = (uint64_t)sd, .qp = &qp};
		double b0 = cpu_now();
		struct rec_net *t = rec_net_new(&c);
		struct rec_result r;
		int done = 0, stride;

		bringup += cpu_now() - b0;
		rec_check(t, &r);
		if (r.missing || r.stale)
			printf("seed %d: after the bring-up %d missing, %d "
			       "stale\n", sd, r.missing, r.stale);
		/* links of stage >= min_stage, spread over the list */
		{
			int *cand = calloc((size_t)rec_n_links(t), sizeof(*cand));
			int nc = 0;

			for (int e = 0; e < rec_n_links(t); e++)
				if (rec_link_stage(t, e) >= min_stage)
					cand[nc++] = e;
			stride = links && links < nc ? nc / links : 1;
			for (int i = (sd * 7) % stride; i < nc && done < links;
			     i += stride) {
				int e = cand[i];

				if (rec_link_is_bridge(t, e))
					continue;
				rec_fail_link(t, e, &r);
				agg_add(&lf, &r, n);
				if (verbose && (r.missing || r.stale))
					printf("seed %d link %d: %d missing (%d "
					       "nodes), %d stale, %.1f msgs/node, "
					       "%u rounds\n",
					       sd, e, r.missing, r.nodes_short,
					       r.stale, (double)r.msgs / n,
					       r.rounds);
				rec_restore_link(t, e, &r);
				if (r.missing || r.stale)
					printf("seed %d link %d back: %d "
					       "missing, %d stale\n",
					       sd, e, r.missing, r.stale);
				done++;
			}
			free(cand);
		}
		done = 0;
		stride = nodes ? n / (nodes < n ? nodes : n) : 1;
		if (stride < 1)
			stride = 1;
		for (int v = (sd * 3) % stride; v < n && done < nodes; v += stride) {
			if (rec_node_is_cut(t, v))
				continue;
			rec_fail_node(t, v, &r);
			agg_add(&nf, &r, n);
			if (verbose && (r.missing || r.stale))
				printf("seed %d node %d: %d missing (%d nodes), "
				       "%d stale, %.1f msgs/node, %u rounds\n",
				       sd, v, r.missing, r.nodes_short, r.stale,
				       (double)r.msgs / n, r.rounds);
			done++;
		}
		rec_net_free(t);
	}
	printf("%s %d, %d seeds (bring-up %.1f CPU s, all %.1f CPU s)\n",
	       flat ? "flat" : "hier", n, seeds, bringup, cpu_now() - t0);
	agg_print("link fail", &lf);
	agg_print("node fail", &nf);
	return 0;
}
