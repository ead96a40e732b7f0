/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sim_recovery.h: single failures in converged simulated networks (issue
 * 17 item 1).  The network is the benchmark's shape (bench/sim_bench.c:
 * rings with two chords in groups of 10, then among groups of groups),
 * hierarchical (gsizes 16.16.16.16, 10 positions used) or flat, from a
 * graph seed; the arcs come up staged.  Then, one at a time: a link fails
 * (and comes back), or a node fails (destroy(), and it stays down), and
 * the network runs until no message is in flight.  After each failure
 * every live node must know exactly the g-nodes that still have a live
 * member in the same part of the graph: none missing (a lost destination)
 * and none left over (a stale one).
 */
#ifndef QSPN_SIM_RECOVERY_H
#define QSPN_SIM_RECOVERY_H

#include <stdbool.h>
#include <stdint.h>

#include "sim.h"

struct rec_net;

struct rec_cfg {
	int n;		     /* nodes */
	bool flat;	     /* one level of 16384 instead of 16.16.16.16 */
	uint64_t graph_seed; /* the random endpoints and costs */
	uint64_t sim_seed;   /* the simulator's jitter */
	const struct qspn_params *qp; /* NULL: the defaults */
};

/* What one failure cost and left behind. */
struct rec_result {
	int missing;	/* (node, destination) pairs missing at the end */
	int stale;	/* (node, destination) pairs known but gone */
	int nodes_short; /* nodes with a missing destination */
	uint64_t msgs, bytes;  /* sent from the failure to quiet */
	uint32_t rounds;       /* deepest causal chain of messages */
	uint64_t conv_ms;      /* failure to the last delivery */
};

struct rec_net *rec_net_new(const struct rec_cfg *c);
void rec_net_free(struct rec_net *t);
struct sim *rec_sim(struct rec_net *t);
int rec_n_links(const struct rec_net *t);
int rec_n_nodes(const struct rec_net *t);
/* the bring-up stage of link e (0: inside level-1 g-nodes) */
int rec_link_stage(const struct rec_net *t, int e);
/* would the live graph stay connected without link e (or node v)? */
bool rec_link_is_bridge(const struct rec_net *t, int e);
bool rec_node_is_cut(const struct rec_net *t, int v);
/* run until quiet (at most `max_ms` of virtual time); false if messages
 * were still in flight then */
bool rec_quiet(struct rec_net *t, uint64_t max_ms);
/* the link goes down (arc_remove at both ends), the net runs to quiet */
void rec_fail_link(struct rec_net *t, int e, struct rec_result *r);
/* and comes back (arc_add at both ends), the net runs to quiet */
void rec_restore_link(struct rec_net *t, int e, struct rec_result *r);
/* node v is destroyed and stays down */
void rec_fail_node(struct rec_net *t, int v, struct rec_result *r);
/* count missing and stale destinations now */
void rec_check(struct rec_net *t, struct rec_result *r);
/* messages sent since the start, per node */
double rec_msgs_per_node(struct rec_net *t);

#endif /* QSPN_SIM_RECOVERY_H */
