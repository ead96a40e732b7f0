/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qspn_plan.h: the kernel-state planner (doc/protocol/routes.md §2-5).
 *
 * Input: the state of a system (struct qspn_plan_system): topology and
 * options, the managed NICs, the physical neighbours, and every identity
 * with its address, namespace, pseudo-interfaces, identity-arcs and the
 * QSPN engine's path view (qspn_paths.h).
 *
 * qspn_plan_build() computes the complete DESIRED kernel state from it
 * (struct qspn_kstate, opaque): sysctls, addresses, namespaces and macvlans,
 * link-local routes in `main`, rt_tables lines, the `ntk` rule, the fwmark
 * rules, MAC marks, SNAT and NETMAP, and the routes of table `ntk` and of
 * every `ntk_from_<MAC>` table (via / unreachable / blackhole, §4.2).
 *
 * qspn_plan_diff() turns two desired states into the ordered list of
 * operations that takes the kernel from the first to the second (table
 * before its routes, routes before their rule, rule removed before the
 * table is flushed, addresses added before routes use them as src and
 * removed after, ...).  An empty old state gives the full plan.
 *
 * qspn_plan_update_dest() is the incremental path for the QSPN path signals
 * (path_added / path_changed / path_removed, §4.5): it recomputes the routes
 * of one destination in every table of one identity, appends the changes and
 * updates the state in place.  Its cost is proportional to what it touches
 * (tables x IPs of that destination), not to the table size.
 *
 * Everything is deterministic; nothing here touches the kernel: the caller
 * executes the operations (netlink / zebra in qspnd, text in qspn-plan,
 * a model in the conformance tests).
 */
#ifndef QSPN_PLAN_H
#define QSPN_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qspn_addr.h"
#include "qspn_ipv4.h"
#include "qspn_paths.h"

#define QSPN_NAMELEN 16	      /* IFNAMSIZ: devices and namespaces */
#define QSPN_TABLE_NAMELEN 32 /* "ntk_from_00:16:3E:5B:78:D5" */
#define QSPN_TID_NTK 251
#define QSPN_TID_MIN 200
#define QSPN_TID_MAX 250

/* ---- input --------------------------------------------------------- */

struct qspn_plan_nic {
	char dev[QSPN_NAMELEN];
	uint8_t mac[6];
	uint32_t linklocal; /* 0: not assigned yet */
};

/* A physical arc accepted by Neighborhood: a /32 route in `main` (§3.6). */
struct qspn_plan_neighbour {
	char dev[QSPN_NAMELEN];
	uint32_t linklocal;
};

/* The macvlan of a connectivity identity on one real NIC (§5.2). */
struct qspn_plan_pseudodev {
	char dev[QSPN_NAMELEN];	 /* the real NIC it sits on */
	char name[QSPN_NAMELEN]; /* e.g. ntkv0_eth1 */
	uint8_t mac[6];
	uint32_t linklocal;
};

/* An identity-arc (§4.1).  Only qspn-arcs get a forwarding table. */
struct qspn_plan_arc {
	uint32_t id;		/* matches struct qspn_path.arc */
	char dev[QSPN_NAMELEN]; /* real NIC */
	uint8_t peer_mac[6];
	uint32_t peer_linklocal;
	bool qspn;	   /* handed to the QSPN engine: table ntk_from_<MAC> */
	uint32_t table_id; /* QSPN_TID_MIN..QSPN_TID_MAX, qspn-arcs only */
	bool peer_known;   /* get_naddr_for_arc() != NULL: first ETP seen */
	struct qspn_naddr peer_addr; /* valid when peer_known */
	/*
	 * A qspn-arc inherited at a migration whose peer was known to the old
	 * identity (its rule was added) and is outside the migrating g-node:
	 * §5.6 drops its rule until the peer's first ETP to this identity,
	 * and §5.4 step 4 keeps the internal routes of levels <= the
	 * identity's guest_level, which were blackholes (the peer's maximum
	 * distinct g-node has level >= G >= k, §4.2).  While !peer_known,
	 * those routes stay blackhole instead of unreachable.
	 */
	bool peer_outside;
};

/*
 * A host of the autonomous subnet behind this gateway (subnet_level > 0,
 * doc/protocol/routes.md §4.8): a /32 route to its link-local in `main`
 * (src the NIC's link-local, as for a neighbour) and a route in `ntk` to its
 * internal address of level subnet_level, via that link-local, src our own
 * internal address of that level.
 */
struct qspn_plan_subnet_host {
	char dev[QSPN_NAMELEN]; /* a managed NIC */
	uint32_t linklocal;
	/* its positions inside the subnet, levels 0 .. subnet_level-1 */
	uint32_t pos[QSPN_MAX_LEVELS];
};

struct qspn_plan_identity {
	struct qspn_naddr addr;	  /* may hold virtual positions */
	char netns[QSPN_NAMELEN]; /* "" = default namespace = main identity */
	const struct qspn_plan_pseudodev *pseudodevs; /* connectivity only */
	size_t n_pseudodevs;
	const struct qspn_plan_arc *arcs;
	size_t n_arcs;
	struct qspn_path_source paths; /* get_paths may be NULL: no paths */
	/*
	 * Which identity this is (0: not said).  When a namespace's identity
	 * in the new state has another nonzero id than in the old state, and
	 * another address, the new identity replaced the old one there (a
	 * duplication, §5.3): the
	 * routes of the old destination set are deleted and the new set is
	 * added (§5.4 steps 4 and 7), except the internal routes of levels
	 * <= guest_level, which are kept (§7 item 9).
	 */
	uint64_t id;
	int guest_level; /* G of the duplication that made it (0: none) */
};

struct qspn_plan_system {
	struct qspn_topology topo;
	bool started;	      /* program running (§5.8 start-up items) */
	bool anonymizer;      /* SNAT for the anonymizing range (no -j) */
	bool serve_anonymous; /* -k: own anonymizing IP */
	int subnet_level;     /* -s */
	const struct qspn_plan_nic *nics;
	size_t n_nics;
	const struct qspn_plan_neighbour *neighbours;
	size_t n_neighbours;
	const struct qspn_plan_identity *ids;
	size_t n_ids;
	const struct qspn_plan_subnet_host *subnet_hosts; /* subnet_level > 0 */
	size_t n_subnet_hosts;
};

/*
 * The position of a subnet host inside the subnet: `s` positions, top level
 * first, dotted ("1", "0.3"), each below its level's gsize; into pos[0..s).
 * 0, or -1 with a message in err.
 */
int qspn_plan_subnet_pos_parse(const struct qspn_topology *t, int s,
			       const char *text, uint32_t pos[], char *err,
			       size_t errlen);

/*
 * Table id for a new qspn-arc towards `mac` (doc/protocol/routes.md §3.2,
 * doc/protocol/commands.md TID): the id some qspn-arc of the system already
 * uses for that MAC (the rt_tables line is shared by every namespace),
 * otherwise the first id not used by any qspn-arc of the system, counting down
 * from 250.  0 when all 51 ids are taken.
 */
uint32_t qspn_plan_pick_table_id(const struct qspn_plan_system *sys,
				 const uint8_t mac[6]);

/*
 * The same policy as a counted table, for a program that hands the ids out
 * as arcs come and go (qspnd): slot i is id QSPN_TID_MAX - i, in use while
 * refs > 0.  qspn_tid_get() gives mac its id (0: all 51 are taken) and
 * counts one more user; qspn_tid_put() counts one less.
 */
struct qspn_tid_table {
	struct {
		uint8_t mac[6];
		uint32_t refs;
	} slot[QSPN_TID_MAX - QSPN_TID_MIN + 1];
};
uint32_t qspn_tid_get(struct qspn_tid_table *tt, const uint8_t mac[6]);
void qspn_tid_put(struct qspn_tid_table *tt, uint32_t tid);

/* ---- operations ------------------------------------------------------ */

enum qspn_op_code {
	QSPN_OP_SYSCTL,	     /* ns key value */
	QSPN_OP_NETNS_ADD,   /* ns */
	QSPN_OP_NETNS_DEL,   /* ns */
	QSPN_OP_LINK_ADD,    /* dev (macvlan) link (parent), default ns */
	QSPN_OP_LINK_SETNS,  /* dev -> ns */
	QSPN_OP_LINK_UP,     /* ns dev */
	QSPN_OP_LINK_DEL,    /* ns dev (macvlan) */
	QSPN_OP_ADDR_ADD,    /* ns dev ip */
	QSPN_OP_ADDR_DEL,    /* ns dev ip */
	QSPN_OP_LLROUTE_ADD, /* ns: ip dev dev src src (table main) */
	QSPN_OP_LLROUTE_DEL,
	QSPN_OP_RTTABLE_ADD, /* tid table (rt_tables line) */
	QSPN_OP_RTTABLE_DEL,
	QSPN_OP_RULE_ADD, /* ns [fwmark tid] table */
	QSPN_OP_RULE_DEL,
	QSPN_OP_MARK_ADD, /* ns mac -> tid (mangle PREROUTING) */
	QSPN_OP_MARK_DEL,
	QSPN_OP_SNAT_ADD, /* dst (anonymizing range) -> ip */
	QSPN_OP_SNAT_DEL,
	QSPN_OP_NETMAP_ADD, /* chain dst [srcp] -> to */
	QSPN_OP_NETMAP_DEL,
	QSPN_OP_ROUTE_ADD,    /* ns table dst rtype [gw dev src] */
	QSPN_OP_ROUTE_CHANGE, /* same */
	QSPN_OP_ROUTE_DEL,    /* ns table dst */
	QSPN_OP_ROUTE_FLUSH,  /* ns table (also "main") */
};

enum qspn_rtype {
	QSPN_RT_NONE = 0, /* no route */
	QSPN_RT_UNREACHABLE,
	QSPN_RT_BLACKHOLE,
	QSPN_RT_VIA, /* gw, dev, optional src */
};

enum qspn_nat_chain {
	QSPN_PREROUTING,
	QSPN_POSTROUTING,
};

struct qspn_op {
	enum qspn_op_code code;
	char ns[QSPN_NAMELEN]; /* "" = default namespace */
	char dev[QSPN_NAMELEN];
	char link[QSPN_NAMELEN];	/* LINK_ADD: parent device */
	char table[QSPN_TABLE_NAMELEN]; /* table name */
	char key[48];			/* SYSCTL */
	char value[8];			/* SYSCTL */
	uint32_t tid;			/* table id / fwmark / mark */
	uint8_t mac[6];
	uint8_t rtype;		 /* enum qspn_rtype */
	uint8_t chain;		 /* enum qspn_nat_chain */
	struct qspn_prefix dst;	 /* route dst, NAT -d, ADDR/LLROUTE ip (/32) */
	struct qspn_prefix srcp; /* NETMAP -s (len 0: none) */
	struct qspn_prefix to;	 /* NETMAP --to */
	uint32_t gw;
	uint32_t src; /* route src (0: none); SNAT --to */
};

/* A growable array of operations, owned by the caller. */
struct qspn_ops {
	struct qspn_op *v;
	size_t n, cap;
};

void qspn_ops_init(struct qspn_ops *ops);
void qspn_ops_free(struct qspn_ops *ops);

/*
 * The command of doc/protocol/commands.md for one operation (exactly those
 * shapes, `ip netns exec NS ` prefix included).  Returns snprintf's result.
 */
int qspn_op_format(const struct qspn_op *op, char *buf, size_t len);

/* The operation removes something: every *_DEL and ROUTE_FLUSH. */
bool qspn_op_is_delete(enum qspn_op_code code);

/* "00:16:3E:5B:78:D5" (upper case) <-> bytes */
int qspn_mac_parse(const char *text, uint8_t mac[6]);
void qspn_mac_format(const uint8_t mac[6], char buf[18]);

/* ---- desired state ---------------------------------------------------- */

struct qspn_kstate;

/* The empty state: nothing of ours in the kernel. */
struct qspn_kstate *qspn_kstate_new(void);
void qspn_kstate_free(struct qspn_kstate *ks);

/*
 * Validate sys and compute its desired kernel state.  Returns 0 and *out, or
 * -1 with a message in errbuf (bad input) or -2 (out of memory).  The state
 * copies what it needs; sys may be freed afterwards.
 */
int qspn_plan_build(const struct qspn_plan_system *sys,
		    struct qspn_kstate **out, char *errbuf, size_t errlen);

/* Append the operations from `from` to `to` to ops.  0, or -2 (memory). */
int qspn_plan_diff(const struct qspn_kstate *from, const struct qspn_kstate *to,
		   struct qspn_ops *ops);

/*
 * Path signals: recompute destination h of identity sys->ids[identity] in
 * all its tables (ntk and the forwarding tables), append the route changes
 * to ops and update ks.  ks must have been built from a system that differs
 * from sys only in the path view.  0, -1 (bad identity), or -2 (memory).
 */
int qspn_plan_update_dest(struct qspn_kstate *ks,
			  const struct qspn_plan_system *sys, size_t identity,
			  struct qspn_hcoord h, struct qspn_ops *ops);

/*
 * The desired route for dst in table tid of namespace ns ("" = default):
 * fills out (code QSPN_OP_ROUTE_CHANGE, rtype, gw, dev, src, table) and
 * returns 0, or -1 when the state has no such route.  For `show` commands
 * and tests; linear in the table size.
 */
int qspn_kstate_route(const struct qspn_kstate *ks, const char *ns,
		      uint32_t tid, struct qspn_prefix dst,
		      struct qspn_op *out);

/* Number of routes in Netsukuku tables (for tests and benchmarks). */
size_t qspn_kstate_route_count(const struct qspn_kstate *ks);

#endif /* QSPN_PLAN_H */
