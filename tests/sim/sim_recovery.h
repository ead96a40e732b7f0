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
	int missing;	      /* (node, destination) pairs missing at the end */
	int stale;	      /* (node, destination) pairs known but gone */
	int nodes_short;      /* nodes with a missing destination */
	uint64_t msgs, bytes; /* sent from the failure to quiet */
	uint32_t rounds;      /* deepest causal chain of messages */
	uint64_t conv_ms;     /* failure to the last delivery */
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
/* the same in two steps: the failure alone (arc_remove at both ends of
 * the link, or at every neighbour of the node; nothing delivered yet),
 * then the run to quiet with its counts */
void rec_cut_link(struct rec_net *t, int e);
void rec_cut_node(struct rec_net *t, int v);
void rec_settle(struct rec_net *t, struct rec_result *r);
/* count missing and stale destinations now */
void rec_check(struct rec_net *t, struct rec_result *r);
/* messages sent since the start, per node */
double rec_msgs_per_node(struct rec_net *t);

/*
 * Forwarding as qspnd installs it (doc/protocol/routes.md §4.2): a packet
 * from every live node to every other live node, addressed to the
 * destination's maximum distinct g-node at each hop; its origin uses the
 * best path (`ntk`), a node it reaches over a link uses the first path
 * that avoids the previous node's maximum distinct g-node
 * (`ntk_from_<MAC>`).  The naive walk uses the best path at every hop.
 * A walk that takes a directed link twice loops.
 */
struct rec_fwd {
	int pairs;
	int delivered, dropped, loops;
	/* loops where no node on the cycle chose a path that may cross
	 * what is down (a link between live nodes, or a dead node) */
	int loops_unexplained;
	int down; /* a chosen path on a link that is down: a bug */
	int max_hops;
	int naive_loops, naive_dropped;
	int (*looping)[2]; /* the pairs that loop (source, destination) */
	int n_looping;
};
/* f zeroed the first time (its looping list is reused) */
void rec_forwarding(struct rec_net *t, struct rec_fwd *f);
/* walk again the pairs that looped, keep those that still do; their
 * number */
int rec_still_looping(struct rec_net *t, struct rec_fwd *f);
void rec_fwd_free(struct rec_fwd *f);

/*
 * Local repair (doc/protocol/recovery.md §7): a copy of the path view of
 * some nodes (`nodes` NULL: every live node) before a failure, compared
 * after it, before any message is delivered.  Every list must be the old
 * one without the paths on the arcs that went down, in the same order
 * (lists_wrong counts those that are not).  Per table (ntk; t_: the
 * ntk_from of every neighbour still linked) whose chosen path was on a
 * lost arc: switched to the first remaining path it may use, lost (there
 * was none: only the messages can bring one), or wrong.
 */
struct rec_snap;
struct rec_repair {
	int lists_wrong;
	int affected, switched, lost, wrong;
	int t_affected, t_switched, t_lost, t_wrong;
};
struct rec_snap *rec_snap_take(struct rec_net *t, const int *nodes, int n);
void rec_snap_check(struct rec_net *t, const struct rec_snap *sn,
		    struct rec_repair *rr);
void rec_snap_free(struct rec_snap *sn);

#endif /* QSPN_SIM_RECOVERY_H */
