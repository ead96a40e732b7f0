/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qspnd_kernel.h: the executors of the planner's operations (internal to
 * qspnd_kernel*.c, qspnd_zroute.c, qspnd_netlink.c, qspnd_nft.c).
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
 * - table names: /etc/iproute2/rt_tables.d/qspnd.conf (qspnd_kernel.c).
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

struct vty;
struct json_object;

/* Policy rules: our protocol number (FRA_PROTOCOL, `ip rule ... proto 252`)
 * and fixed priorities: `ntk` just before `main` (32766), the fwmark rules
 * of the forwarding tables in a band below it (routes.md §3.4). */
#define QSPND_RTPROTO 252
#define QSPND_RULE_PRIO_NTK 32765
#define QSPND_RULE_PRIO_FWMARK(tid) (32000 + (tid))

/* Own addresses carry this label suffix ("eth1:qspn", "lo:qspn"). */
#define QSPND_ADDR_LABEL_SUFFIX ":qspn"

/* Table names: /etc/iproute2/rt_tables.d/qspnd.conf, or qspnd-<NAME>.conf
 * for a daemon started with `-N NAME` (several systems on one file system,
 * as in the lab, each keep their own). */
#define QSPND_RT_TABLES_DIR "/etc/iproute2/rt_tables.d"
extern char qspnd_rt_tables_file[];

/* The zebra route-map that gives routes their `src` (qspnd_zroute.c). */
#define QSPND_SRC_RMAP "QSPND-SRC"

/* Execution counters (show qspn tables). */
struct qspnd_kernel_stats {
	uint64_t ops;	    /* operations executed */
	uint64_t op_errors; /* of which failed */
	uint64_t syncs;	    /* full syncs */
	uint64_t updates;   /* incremental updates */
	uint64_t resyncs;   /* repair passes after a failure */
	uint64_t zebra_resends;
	uint64_t leftovers; /* items of an earlier run removed at start */
	uint64_t zebra_installed, zebra_failed; /* route notifications */
	char last_error[160];
};
extern struct qspnd_kernel_stats qspnd_kstats;

/* qspnd_kernel.c */
/* Every identity as the planner sees it, [0] the main identity (also in
 * qspnd.h; qspnd_kernel.c has a weak fallback: the main identity alone). */
size_t qspnd_ident_plan(const struct qspn_plan_identity **out);
void qspnd_kernel_op_failed(const struct qspn_op *op, const char *why);
uint32_t qspnd_kernel_table_id(const char *name);
/* the table names written to QSPND_RT_TABLES_FILE */
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

/* qspnd_zroute.c: routes through zebra (default namespace). */
struct qspnd_zroute {
	uint32_t tid;
	struct qspn_prefix dst;
	uint8_t rtype; /* enum qspn_rtype; QSPN_RT_VIA with gw 0: dev route */
	uint32_t gw;
	uint32_t src;
	char dev[QSPN_NAMELEN];
};
/* the order of routes: table, then destination */
int qspnd_zroute_key_cmp(const struct qspnd_zroute *a,
			 const struct qspnd_zroute *b);
void qspnd_zroute_init(void);
void qspnd_zroute_fini(void);
/* add or replace (the route is what zebra must have, sent or not) */
int qspnd_zroute_set(const struct qspnd_zroute *r);
int qspnd_zroute_del(uint32_t tid, struct qspn_prefix dst);
void qspnd_zroute_flush(uint32_t tid);
void qspnd_zroute_remove_all(void);
/* zebra (re)connected: route-map and every route again */
void qspnd_zroute_resend_all(void);
/* an interface came up / got its index: re-send the routes through it */
void qspnd_zroute_resend_dev(const char *dev);
/* before a batch: the src entries these routes need exist in zebra */
void qspnd_zroute_src_prepare(const struct qspn_ops *ops);
/* after a batch: src entries no route uses any more go */
void qspnd_zroute_src_cleanup(void);
/* at start: remove what a killed qspnd left in zebra's configuration */
void qspnd_zroute_src_reset(void);
size_t qspnd_zroute_count(uint32_t tid);
void qspnd_zroute_walk(uint32_t tid,
		       void (*fn)(const struct qspnd_zroute *r, void *arg),
		       void *arg);
bool qspnd_zroute_src_bound(void);
/* routes zebra said it installed, in table tid */
size_t qspnd_zroute_installed_count(uint32_t tid);
/* ZEBRA_ROUTE_NOTIFY_OWNER handler, for qspnd_zebra.c's handler table:
 * int qspnd_zroute_notify(ZAPI_CALLBACK_ARGS) (declared in lib/zclient.h's
 * terms there) */
struct zclient;
int qspnd_zroute_notify(int cmd, struct zclient *zclient, uint16_t length,
			uint32_t vrf_id);
/* mark-and-sweep for the repair pass */
void qspnd_zroute_mark_all(bool stale);
void qspnd_zroute_sweep_stale(void);

/* qspnd_kernel.c: the routes of the other namespaces' tables, which qspnd
 * puts in over rtnetlink (qspnd_nl_route); r->tid, r->dst as above */
size_t qspnd_kernel_nsroute_count(const char *ns, uint32_t tid);
void qspnd_kernel_nsroute_walk(const char *ns, uint32_t tid,
			       void (*fn)(const struct qspnd_zroute *r,
					  void *arg),
			       void *arg);

/* qspnd_netlink.c: addresses, rules, links, sysctls, and the routes of
 * other namespaces, in namespace ns ("" = the default one). */
int qspnd_nl_init(void);
void qspnd_nl_fini(void);
int qspnd_nl_addr(const char *ns, bool add, const char *dev, uint32_t ip);
int qspnd_nl_rule(const char *ns, bool add, uint32_t fwmark, uint32_t table);
int qspnd_nl_link_up(const char *ns, const char *dev);
/* `ip route add <dst> dev <dev> src <src>` in main, protocol QSPND_RTPROTO */
int qspnd_nl_llroute(const char *ns, bool add, uint32_t dst, const char *dev,
		     uint32_t src);
int qspnd_nl_sysctl(const char *ns, const char *key, const char *value);
/* a route of a Netsukuku table in another namespace, protocol
 * QSPND_RTPROTO (replace; removal of an absent route succeeds) */
int qspnd_nl_route(const char *ns, bool add, const struct qspnd_zroute *r);
/* every route of table tid in ns */
int qspnd_nl_route_flush(const char *ns, uint32_t tid);
/* macvlan (mode bridge) on parent, in the default namespace; mac all zero:
 * the kernel chooses */
int qspnd_nl_macvlan_add(const char *dev, const char *parent,
			 const uint8_t mac[6]);
int qspnd_nl_link_set_mac(const char *ns, const char *dev,
			  const uint8_t mac[6]);
/* move dev from the default namespace into ns */
int qspnd_nl_link_setns(const char *dev, const char *ns);
/* delete dev in ns (absent: 0) */
int qspnd_nl_link_del(const char *ns, const char *dev);
/* remove every route, address and rule of ns that carries our marks;
 * returns the count */
int qspnd_nl_remove_ours(const char *ns);
const char *qspnd_nl_strerror(void);
/* a namespace was created or deleted: its cached socket goes */
void qspnd_nl_ns_forget(const char *ns);
/* delete every link but lo inside ns; returns the count */
int qspnd_nl_remove_links(const char *ns);

/* qspnd_nft.c: the nftables table `ip qspnd`. */
int qspnd_nft_init(void);
void qspnd_nft_fini(void);
/* apply one MARK/SNAT/NETMAP op to the shadow of its namespace (no kernel
 * call) */
void qspnd_nft_stage(const struct qspn_op *op);
/* write each shadow that changed to its namespace (one transaction each) */
int qspnd_nft_commit(void);
/* drop the tables (and the shadows) */
int qspnd_nft_remove_all(void);
size_t qspnd_nft_rule_count(const char *ns);
void qspnd_nft_clear_shadow(void);
/* the namespace is gone, and its table with it: forget the shadow */
void qspnd_nft_forget_ns(const char *ns);
const char *qspnd_nft_strerror(void);
/* the MAC marked for table tid in ns (false: no mark) */
bool qspnd_nft_mark_of(const char *ns, uint32_t tid, uint8_t mac[6]);

/*
 * qspnd_netns.c: network namespaces of connectivity identities, as
 * `ip netns` makes them (a bind mount on QSPND_NETNS_RUN_DIR/NS).  ""
 * is the default namespace (qspnd's own) everywhere.  Those qspnd creates
 * are recorded in a state file (<FRR state dir>[/<pathspace>]/qspnd-netns)
 * and removed
 * at stop, or at the next start after a crash; qspnd never deletes nor
 * uses a namespace it did not create.  Functions that enter a namespace
 * come back before they return (setns is per thread; qspnd has one).
 */
#define QSPND_NETNS_RUN_DIR "/run/netns"
/* `ip netns add NS` and `ip link set lo up` inside; 0 if it is already
 * there and qspnd's; -1 with errno (EEXIST: somebody else's) */
int qspnd_netns_add(const char *ns);
/* `ip netns del NS`; 0 if absent; -1 with errno (EPERM: not qspnd's) */
int qspnd_netns_del(const char *ns);
/* a namespace is mounted at QSPND_NETNS_RUN_DIR/NS ("": true) */
bool qspnd_netns_exists(const char *ns);
/* setns into ns, keeping the current one in *saved_fd ("": stays, -1);
 * 0 or -1 with errno.  Always followed by qspnd_netns_leave(*saved_fd). */
int qspnd_netns_enter(const char *ns, int *saved_fd);
void qspnd_netns_leave(int saved_fd);
/* a socket created inside ns (capabilities raised); -1 with errno */
int qspnd_netns_socket(const char *ns, int domain, int type, int protocol);
/* ifindex of dev inside ns, 0 if absent */
int qspnd_netns_ifindex(const char *ns, const char *dev);
/* MAC of dev inside ns: 0, or -1 with errno */
int qspnd_netns_hwaddr(const char *ns, const char *dev, uint8_t mac[6]);
/* created by this qspnd (and not deleted since) */
bool qspnd_netns_owned(const char *ns);
size_t qspnd_netns_list(const char (**out)[QSPN_NAMELEN]);
const char *qspnd_netns_state_file(void);
/* at start: the namespaces of the state file (an earlier run); count */
int qspnd_netns_remove_leftovers(void);
/* at stop: every namespace of ours, links first; count */
int qspnd_netns_remove_all(void);

/* qspnd_kernel_vty.c */
void qspnd_kernel_vty_init(void);

#endif /* QSPND_KERNEL_H */
