/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qspnd_kernel.h: the kernel state of every identity (qspnd_kernel.c): the
 * planner's operations, executed by the executors below it.
 *
 * Who does what (doc/kernel-state.md):
 * - routes of `ntk` and `ntk_from_<MAC>` of the main identity: zebra, over
 *   ZAPI (qspnd_zroute.c), their `src` through a route-map qspnd keeps in
 *   zebra;
 * - connectivity identities: their network namespaces (qspnd_netns.c), and
 *   in them everything below, their routes included, over rtnetlink from
 *   inside the namespace (zebra does not see those namespaces);
 * - own addresses, policy rules, the link-local /32 routes of `main` (zebra
 *   refuses a link-local `set src`), links, sysctls: rtnetlink and procfs
 *   (qspnd_netlink.c);
 * - MAC marks, SNAT, NETMAP: the nftables table `ip qspnd` of each
 *   namespace (qspnd_nft.c);
 * - table names: /etc/iproute2/rt_tables.d/qspnd.conf (qspnd_kernel.c);
 * - namespaces: qspnd_netns.c.
 *
 * Every executor keeps a shadow of what it put in the kernel (or in zebra),
 * is idempotent (adding what is there, removing what is not, succeed), and
 * marks what it creates so that a start after a crash finds it again.
 */
#ifndef QSPND_KERNEL_H
#define QSPND_KERNEL_H

#include <stdbool.h>
#include <stdint.h>

#include "qspn_plan.h"
#include "qspnd_zroute.h"

/* Table names: /etc/iproute2/rt_tables.d/qspnd.conf, or qspnd-<NAME>.conf
 * for a daemon started with `-N NAME` (several systems on one file system,
 * as in the lab, each keep their own). */
#define QSPND_RT_TABLES_DIR "/etc/iproute2/rt_tables.d"

/*
 * qspnd_kernel_sync() rebuilds the desired state from the router, the
 * managed interfaces and the identities, diffs it with what is installed
 * and applies the difference (routes through zebra, the rest with qspnd's
 * own helpers).  The engine's path signals take the incremental path
 * (qspnd_kernel_dest_changed).  Both are no-ops while the router is not
 * active; qspnd_kernel_stop() removes everything.
 */
/*
 * The planner's input comes from the layer above through this provider,
 * registered once (qspnd_sysview.c): the kernel never reaches up for it.
 * fill() describes the system now (*if_waiting: an enabled interface is not
 * usable yet); what sys points to stays valid until release(sys).  Only
 * called while the router is active.
 */
struct qspnd_kernel_input {
	void (*fill)(struct qspn_plan_system *sys, bool *if_waiting);
	void (*release)(struct qspn_plan_system *sys);
};
void qspnd_kernel_init(const struct qspnd_kernel_input *in);
void qspnd_kernel_sync(void);
void qspnd_kernel_stop(void);
/* at exit: drop the pending batch */
void qspnd_kernel_fini(void);
/* Batching: something of the planner's input changed: a full sync after
 * the current event (the engine call, the hello, ...) returns */
void qspnd_kernel_sync_later(void);
/* the main identity's paths to dest changed: the incremental update after
 * the current event, unless a full sync is due anyway */
void qspnd_kernel_dest_changed(struct qspn_hcoord dest);
/* zebra (re)connected: re-send every route (qspnd_zebra.c calls it). */
void qspnd_kernel_zebra_connected(void);

/* For the show commands (qspnd_kernel_vty.c).  The table names qspnd
 * writes to its file in QSPND_RT_TABLES_DIR. */
struct qspnd_rtt_line {
	uint32_t tid;
	char name[QSPN_TABLE_NAMELEN];
};
size_t qspnd_kernel_tables(const struct qspnd_rtt_line **out);
/* the rule of table `table` is in namespace ns */
bool qspnd_kernel_rule_installed(const char *ns, uint32_t table);
/* the link-local routes of main in the kernel, every namespace */
struct qspnd_llroute {
	char ns[QSPN_NAMELEN];
	uint32_t dst, src;
	char dev[QSPN_NAMELEN];
};
size_t qspnd_kernel_llroutes(const struct qspnd_llroute **out);

/* the routes of the other namespaces' tables, which qspnd puts in over
 * rtnetlink (qspnd_netlink_route); only r->tid and r->dst are keys */
size_t qspnd_kernel_nsroute_count(const char *ns, uint32_t tid);
void qspnd_kernel_nsroute_walk(const char *ns, uint32_t tid,
			       void (*fn)(const struct qspnd_zroute *r,
					  void *arg),
			       void *arg);

#endif /* QSPND_KERNEL_H */
