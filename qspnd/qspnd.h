/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qspnd.h: the daemon's view of its configuration and run-time state.
 *
 * The daemon is the thin FRR shell around libqspn (lib/): it owns the event
 * loop, the zebra connection, the CLI and the northbound callbacks.  The
 * protocol state proper lives in libqspn objects hanging off
 * struct qspnd_router.
 */
#ifndef QSPND_H
#define QSPND_H

#include <stdbool.h>
#include <stdint.h>

#include "qspn_addr.h"
#include "qspn_paths.h"
#include "qspn_plan.h"

struct thread_master;
struct interface;
struct vty;
struct zclient;
struct json_object;

/* Not in FRR's fixed list of node types: installed past NODE_TYPE_MAX.
 * vtysh/extract.pl must see the name, not its value (the qspn-aware vtysh
 * defines it too, in its vtysh.h). */
#ifndef VTYSH_EXTRACT_PL
#define QSPN_NODE (NODE_TYPE_MAX + 1)
#endif

/* TCP port of qspnd's vty (2601-2623 are taken by FRR's daemons). */
#define QSPND_VTY_PORT 2630

/* Hellos (UDP) and ETP sessions (TCP), as the reference's ntkd (60269). */
#define QSPND_PORT 60269
/* Largest frame on an ETP session: the engine's message limit. */
#define QSPND_MAX_FRAME (4u << 20)

/* Route type used towards zebra: FRR 8.4 has a fixed list of route types;
 * OLSR is the one reserved for an out-of-tree mesh protocol daemon.  Routes
 * carry an explicit distance. */
#define QSPND_ROUTE_TYPE ZEBRA_ROUTE_OLSR
#define QSPND_DISTANCE 100

/* XPath of the router instance, the one instance qspnd runs. */
#define QSPND_CPP_XPATH                                                        \
	"/frr-routing:routing/control-plane-protocols/"                        \
	"control-plane-protocol[type='frr-qspnd:qspnd'][name='qspnd']"         \
	"[vrf='default']"
#define QSPND_XPATH QSPND_CPP_XPATH "/frr-qspnd:qspnd"

/* The router configuration, as the northbound applied it. */
struct qspnd_config {
	bool has_topology;
	struct qspn_topology topo;
	bool has_address;
	struct qspn_naddr addr;
	uint8_t max_paths;
	double max_common_hops_ratio;
	bool accept_anonymous; /* own anonymizing address (-k) */
	bool anonymize;	       /* SNAT relay for the anonymizing range */
	uint8_t subnet_level;
	uint32_t network_id; /* the network the router starts in */
};

/* Why the router is not running its protocol instance. */
enum qspnd_router_state {
	QSPND_ROUTER_NO_TOPOLOGY,
	QSPND_ROUTER_NO_ADDRESS,
	QSPND_ROUTER_ACTIVE,
};

struct qspnd_router {
	struct qspnd_config cfg;
	enum qspnd_router_state state;
	uint32_t config_changes; /* applied northbound transactions */
};

/* Per-interface data (ifp->info). */
struct qspnd_if {
	bool enabled;
	bool has_cost;
	uint32_t cost_usec;
	/* Link-local 169.254.x.y chosen for this NIC (host order, 0: none yet;
	 * qspnd_neigh.c); put in the kernel by the planner's ADDR_ADD. */
	uint32_t linklocal;
	/* the main identity's hellos run on it (qspnd_neigh.c) */
	bool running;
};

struct qspnd_neigh_counters {
	uint64_t hellos_in, hellos_out, drop_hello;
	uint64_t neighbours_new, neighbours_dead;
	uint64_t sessions_up, sessions_lost, drop_unknown_session;
	uint64_t frames_in, frames_out, drop_frame_size, drop_backlog,
		drop_no_arc;
};

/* Process-wide state of the daemon (the glue may have globals; the core
 * may not). */
struct qspnd_globals {
	struct thread_master *master;
	struct qspnd_router *router; /* NULL without `router qspn` */
	uint32_t zebra_connects;     /* successful (re)connections */
};

extern struct qspnd_globals qspnd;

/* qspnd.c */
struct qspnd_router *qspnd_router_create(void);
void qspnd_router_destroy(void);
void qspnd_router_update(struct qspnd_router *r);
const char *qspnd_router_state_str(enum qspnd_router_state s);
void qspnd_if_init(void);
struct qspnd_if *qspnd_if_get(struct interface *ifp);
void qspnd_terminate(void);

/* qspnd_zebra.c */
void qspnd_zebra_init(void);
void qspnd_zebra_stop(void);
bool qspnd_zebra_is_connected(void);
struct zclient *qspnd_zclient(void);

/* qspnd_vty.c */
void qspnd_vty_init(void);

/* qspnd_main.c: the -N pathspace, or NULL */
const char *qspnd_pathspace(void);

/*
 * qspnd_neigh.c: the identities at run time (qspnd_ident.h): their ports,
 * neighbours (hellos), arcs and QSPN engine instances.  What the planner
 * needs from them, in its own terms (qspn_plan.h): the physical neighbours
 * and every identity with its identity-arcs and its engine's path view.
 * The arrays are owned by qspnd_neigh.c and valid until the next event.
 * The show commands and the operational data are the main identity's.
 */
void qspnd_neigh_init(void);
void qspnd_neigh_stop(void);
/* the router's state or configuration changed */
void qspnd_neigh_router_update(void);
/* an interface was enabled/disabled, went up/down, or is going away */
void qspnd_neigh_if_update(struct interface *ifp);
struct json_object *qspnd_neigh_json(void);
struct json_object *qspnd_arcs_json(void);
struct json_object *qspnd_destinations_json(void);
/* every known destination with its paths; filter: only those whose
 * addresses overlap the prefix */
struct json_object *qspnd_paths_json(const struct qspn_prefix *filter);
/* Iteration for the northbound's operational state (qspnd_nb_state.c). */
struct qspnd_neigh_info {
	const char *ifname;
	uint64_t system_id;
	uint32_t linklocal;
	uint8_t mac[6];
	int state;	  /* 0 heard, 1 connecting, 2 up (the YANG enum) */
	int64_t rtt_us;	  /* -1: none */
	int64_t arc_cost; /* -1: no arc */
};
const void *qspnd_neigh_next(const void *prev);
void qspnd_neigh_info(const void *neigh, struct qspnd_neigh_info *out);
struct qspn_stats;
void qspnd_neigh_counters(struct qspnd_neigh_counters *c, bool *bootstrap,
			  const struct qspn_stats **stats);
size_t qspnd_neigh_plan_neighbours(const struct qspn_plan_neighbour **out);
/* Every identity as the planner sees it; [0] is the main identity. */
size_t qspnd_ident_plan(const struct qspn_plan_identity **out);
/* show qspn identities */
struct json_object *qspnd_identities_json(void);

/*
 * qspnd_kernel.c: the kernel state.  qspnd_kernel_sync() rebuilds the
 * desired state from the router, the managed interfaces and qspnd_neigh_*,
 * diffs it with what is installed and applies the difference (routes through
 * zebra, the rest with qspnd's own helpers).  qspnd_kernel_update_dest() is
 * the incremental path for the engine's path signals.  Both are no-ops while
 * the router is not active; qspnd_kernel_stop() removes everything.
 */
void qspnd_kernel_init(void);
void qspnd_kernel_sync(void);
void qspnd_kernel_update_dest(struct qspn_hcoord dest);
void qspnd_kernel_stop(void);
/* zebra (re)connected: re-send every route (qspnd_zebra.c calls it). */
void qspnd_kernel_zebra_connected(void);

#endif /* QSPND_H */
