/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qspn_paths.h: the public path view, the contract between the QSPN engine
 * (producer) and the route planner / daemon (consumers).
 *
 * This is the "RetPath" of doc/protocol/qspn.md §4.2 as the planner consumes it
 * (doc/protocol/routes.md §4.1): for one destination HCoord, the list of known
 * paths sorted by increasing cost, each with the qspn-arc of its first hop, its
 * hops as (arc id, HCoord) pairs in the current node's frame, and its total
 * cost.
 *
 * Plain value structs, no allocation policy: every pointer in these structs
 * is BORROWED.  The producer (the engine, or a test) owns the memory; it stays
 * valid until the producer is next called to change its state (an event, a
 * tick, an arc change, ...).  Consumers never free these pointers and never
 * keep them past the call that handed them out: the planner copies what it
 * needs.
 */
#ifndef QSPN_PATHS_H
#define QSPN_PATHS_H

#include <stddef.h>
#include <stdint.h>

#include "qspn_addr.h"

/*
 * One hop of a path (doc/protocol/qspn.md §4.2): hops[j] = (path.arcs[j],
 * path.hops[j]).  arc_id is the id of the arc used to enter this hop, as named
 * by the node at the tail of that arc (the first one is the engine's own id of
 * the gateway arc).  The planner only reads `hc`.
 */
struct qspn_path_hop {
	uint32_t arc_id;
	struct qspn_hcoord hc;
};

/*
 * One path to a destination.
 *
 * arc:   the handle of the first-hop qspn-arc as the USER (daemon, planner,
 *        test) named it when it gave the arc to the engine (arc_add).  The
 *        planner looks it up in its own arc list (struct qspn_plan_arc.id)
 *        to get the gateway link-local and the device.  It is NOT the
 *        engine's internal random arc id (that one is hops[0].arc_id).
 * cost:  total cost, path cost + arc cost (doc/protocol/qspn.md §2.1), in
 *        microseconds.  Real costs only: the engine never exposes DEAD paths in
 *        the view.
 * nodes_inside: the estimate carried by the path (doc/protocol/qspn.md §1.7).
 * hops:  n_hops >= 1 entries, from the gateway's maximum distinct g-node
 *        (hops[0]) to the destination itself (hops[n_hops-1]) inclusive.
 */
struct qspn_path {
	uint32_t arc;
	int64_t cost;
	uint32_t nodes_inside;
	uint32_t n_hops;
	const struct qspn_path_hop *hops;
};

/*
 * All the paths the engine exposes for one destination (get_paths_to,
 * doc/protocol/qspn.md §6.2), in the engine's stored order: ascending cost,
 * ties in list order (doc/protocol/routes.md §4.1, §7 item 24).  n_paths == 0
 * means "no path" (also used while the engine is in bootstrap for that level).
 */
struct qspn_dest_paths {
	struct qspn_hcoord dest;
	uint32_t n_paths;
	const struct qspn_path *paths;
};

/*
 * How a consumer asks for the paths: get_paths(ctx, dest, &out) fills `out`
 * (borrowed pointers, see above) and returns 0; it returns 0 with
 * out->n_paths = 0 for an unknown destination or during bootstrap.  It must
 * not call back into the consumer.  The engine (or a test) provides it.
 */
struct qspn_path_source {
	int (*get_paths)(void *ctx, struct qspn_hcoord dest,
			 struct qspn_dest_paths *out);
	void *ctx;
};

/*
 * Convenience: true when the path passes through g-node `hc`
 * (doc/protocol/routes.md §4.2: "v.hv in p.hops").
 */
static inline int qspn_path_contains(const struct qspn_path *p,
				     struct qspn_hcoord hc)
{
	for (uint32_t i = 0; i < p->n_hops; i++)
		if (p->hops[i].hc.lvl == hc.lvl && p->hops[i].hc.pos == hc.pos)
			return 1;
	return 0;
}

#endif /* QSPN_PATHS_H */
