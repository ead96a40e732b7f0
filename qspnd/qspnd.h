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

struct thread_master;
struct interface;
struct vty;

/* Not in FRR's fixed list of node types: installed past NODE_TYPE_MAX.
 * vtysh/extract.pl must see the name, not its value (the qspn-aware vtysh
 * defines it too, in its vtysh.h). */
#ifndef VTYSH_EXTRACT_PL
#define QSPN_NODE (NODE_TYPE_MAX + 1)
#endif

/* TCP port of qspnd's vty (2601-2623 are taken by FRR's daemons). */
#define QSPND_VTY_PORT 2630

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
	bool accept_anonymous;
	uint8_t subnet_level;
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
};

/* Process-wide state of the daemon (the glue may have globals; the core
 * may not). */
struct qspnd_globals {
	struct thread_master *master;
	struct qspnd_router *router; /* NULL without `router qspn` */
	uint32_t zebra_connects; /* successful (re)connections */
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

/* qspnd_vty.c */
void qspnd_vty_init(void);

#endif /* QSPND_H */
