/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qspnd.h: the ground of the daemon (qspnd.c): the configuration and
 * interface types, the process-wide globals, the memory group, the
 * privileges, the kernel counters, and time and randomness.  Every file of
 * qspnd/ may include it; it includes nothing of qspnd/ but its neighbours
 * on the ground (qspnd_frr.h, the FRR release bridge, and qspnd_debug.h),
 * and qspnd.c calls nothing above it (doc/architecture.md).
 *
 * The daemon is the thin FRR shell around libqspn (lib/): it owns the event
 * loop, the zebra connection, the CLI and the northbound callbacks.  The
 * protocol state proper lives in libqspn objects hanging off the
 * identities (qspnd_neigh.h).
 */
#ifndef QSPND_H
#define QSPND_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/memory.h"

#include "qspn_addr.h"

#include "qspnd_frr.h"


struct interface;
struct zclient;
struct zebra_privs_t;

DECLARE_MGROUP(QSPND);

/* qspnd's privileges (FRR_DAEMON_INFO in qspnd_main.c uses them). */
extern struct zebra_privs_t qspnd_privs;

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
#define QSPND_KEYCHAIN_NAMELEN 64

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

/* A host of the autonomous subnet behind this gateway (subnet-host, §4.8
 * of doc/protocol/routes.md): kept as configured, read by the planner's
 * input (qspnd_sysview.c) against the current topology and subnet-level. */
#define QSPND_MAX_SUBNET_HOSTS 64
struct qspnd_subnet_host {
	uint32_t linklocal; /* the key (host order) */
	char ifname[16];    /* IFNAMSIZ */
	char position[64];  /* dotted, levels subnet-level-1 .. 0 */
};

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
	struct qspnd_subnet_host subnet_hosts[QSPND_MAX_SUBNET_HOSTS];
	size_t n_subnet_hosts;
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
	/* `qspn hello-interval`, in ms; 0: the default (1 s) */
	uint32_t hello_ms;
	/* authentication (qspnd_auth.c): the key chain's name ("" for none)
	 * and the mode (enum qspnd_auth_mode: strict 0, permissive 1) */
	char auth_keychain[QSPND_KEYCHAIN_NAMELEN];
	uint8_t auth_mode;
};

/* Process-wide state of the daemon (the glue may have globals; the core
 * may not). */
struct qspnd_globals {
	qspnd_loop_t *master;
	struct qspnd_router *router; /* NULL without `router qspn` */
	uint32_t zebra_connects;     /* successful (re)connections */
	struct zclient *zclient;     /* set by qspnd_zebra_init() */
	const char *pathspace;	     /* the -N pathspace, or NULL */
};

extern struct qspnd_globals qspnd;

/* Kernel execution counters (show qspn tables), written by qspnd_kernel.c
 * and the executors. */
struct qspnd_kernel_stats {
	uint64_t ops;	    /* operations executed */
	uint64_t op_errors; /* of which failed */
	uint64_t syncs;	    /* full syncs */
	uint64_t updates;   /* incremental updates */
	uint64_t resyncs;   /* repair passes after a failure */
	uint64_t zebra_resends;
	uint64_t leftovers; /* items of an earlier run removed at start */
	uint64_t zebra_installed, zebra_failed; /* route notifications */
	uint64_t stale_dropped; /* kernel routes that won over ours, dropped */
	uint64_t src_resent;	/* routes sent again once zebra had their src */
	char last_error[160];
};
extern struct qspnd_kernel_stats qspnd_kstats;
/* one failed operation: counted, and its text kept as the last error */
void qspnd_kstats_error(const char *fmt, ...) PRINTFRR(1, 2);

struct qspnd_if *qspnd_if_get(struct interface *ifp);
/* the zebra session is up (qspnd.zclient connected) */
bool qspnd_zclient_connected(void);
/* monotonic milliseconds */
uint64_t qspnd_now_ms(void);
uint64_t qspnd_now_us(void);
/* a random non-zero 64-bit value */
uint64_t qspnd_random64(void);

#endif /* QSPND_H */
