// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qspnd_kernel.c: the kernel state of every identity.
 *
 * qspnd_kernel_sync() gets the planner's input (struct qspn_plan_system)
 * from the provider registered at init (qspnd_sysview.c: the router
 * configuration, the managed interfaces, the identities), lets the planner
 * compute the desired state (qspn_plan_build), diffs it
 * with the state last installed (qspn_plan_diff) and executes the ordered
 * operations: routes through zebra (qspnd_zroute.c), addresses, rules,
 * links and sysctls over netlink (qspnd_netlink.c), marks and NAT in
 * nftables (qspnd_nft.c), table names in qspnd_rt_tables_file (here).
 * The identities come in that input: the main one in the default
 * namespace, connectivity identities each in a namespace of its own
 * (qspnd_netns.c), where every operation runs inside that namespace and the
 * routes go over rtnetlink (zebra does not see those namespaces).
 *
 * An operation that fails is logged with its command (qspn_op_format) and
 * counted; the batch goes on, and a repair pass follows (timer, with
 * back-off, and at the next sync): it re-executes the removals that failed,
 * then the diff, then the whole desired state (every executor is idempotent),
 * until everything succeeds.
 *
 * Changes are batched: the layers above call qspnd_kernel_sync_later() or
 * qspnd_kernel_dest_changed() while they handle an event (an engine call,
 * a hello), and the sync or the incremental updates run once it returns.
 *
 * At start (qspnd_kernel_init) what a previous run left is removed: the
 * addresses labelled "<dev>:qspn", the rules of protocol QSPND_RTPROTO,
 * the nftables table `ip qspnd`, the rt_tables.d file; zebra drops the routes
 * of a client that goes away, and the src route-map qspnd left in zebra is
 * reset when the zebra session comes up.
 */
#include <zebra.h>

#include <linux/rtnetlink.h>

#include "lib/if.h"
#include "lib/log.h"
#include "lib/memory.h"
#include "lib/privs.h"
#include "qspnd_frr.h"
#include "lib/typesafe.h"
#include "lib/vrf.h"

#include "qspnd.h"
#include "qspnd_debug.h"
#include "qspnd_kernel.h"
#include "qspnd_netlink.h"
#include "qspnd_netns.h"
#include "qspnd_nft.h"
#include "qspnd_zroute.h"

DEFINE_MTYPE_STATIC(QSPND, QSPND_KERNEL, "QSPN kernel state");


static struct qspn_kstate *installed; /* what the executed ops built */
static struct qspn_kstate *empty;
static bool inited;
static bool need_repair;
static unsigned int repair_delay; /* seconds, back-off */
static qspnd_event_t *t_repair;
static size_t batch_errors;

/* removals that failed: tried again by the repair pass */
static struct qspn_ops failed_dels;

/* ---- table names ---- */

/* the file of the table names (QSPND_RT_TABLES_DIR) */
static char qspnd_rt_tables_file[PATH_MAX];

#define RTT_MAX 64
static struct qspnd_rtt_line rtt[RTT_MAX];
static size_t n_rtt;
static bool rtt_dirty;

/* rules in the kernel (for `show qspn tables`), every namespace */
#define RULES_MAX 256
static struct {
	char ns[QSPN_NAMELEN];
	uint32_t table;
} rules[RULES_MAX];
static size_t n_rules;

static uint32_t qspnd_kernel_table_id(const char *name)
{
	if (!strcmp(name, "ntk"))
		return QSPN_TID_NTK;
	if (!strcmp(name, "main"))
		return RT_TABLE_MAIN;
	for (size_t i = 0; i < n_rtt; i++)
		if (!strcmp(rtt[i].name, name))
			return rtt[i].tid;
	return 0;
}

static void rtt_set(bool add, uint32_t tid, const char *name)
{
	size_t i;

	for (i = 0; i < n_rtt; i++)
		if (rtt[i].tid == tid && !strcmp(rtt[i].name, name))
			break;
	if (add && i == n_rtt && n_rtt < RTT_MAX) {
		rtt[n_rtt].tid = tid;
		snprintf(rtt[n_rtt].name, sizeof(rtt[n_rtt].name), "%s", name);
		n_rtt++;
		rtt_dirty = true;
	} else if (!add && i < n_rtt) {
		memmove(&rtt[i], &rtt[i + 1], (n_rtt - i - 1) * sizeof(rtt[0]));
		n_rtt--;
		rtt_dirty = true;
	}
}

static int rtt_write(void)
{
	char tmp[PATH_MAX + 8];
	int ret = 0, err = 0;
	FILE *f;

	if (!rtt_dirty)
		return 0;
	snprintf(tmp, sizeof(tmp), "%s.tmp", qspnd_rt_tables_file);
	frr_with_privs (&qspnd_privs) {
		if (!n_rtt) {
			if (unlink(qspnd_rt_tables_file) < 0 &&
			    errno != ENOENT) {
				err = errno;
				ret = -1;
			}
			break;
		}
		f = fopen(tmp, "w");
		if (!f) {
			err = errno;
			ret = -1;
			break;
		}
		fprintf(f,
			"# Routing table names of qspnd (QSPN routing daemon).\n"
			"# Written by qspnd, removed when it stops: do not edit.\n");
		for (size_t i = 0; i < n_rtt; i++)
			fprintf(f, "%u %s\n", rtt[i].tid, rtt[i].name);
		if (fclose(f) != 0 || rename(tmp, qspnd_rt_tables_file) < 0) {
			err = errno;
			unlink(tmp);
			ret = -1;
		}
	}
	if (ret) {
		static int warned;

		if (warned != err)
			zlog_warn("cannot write %s: %s%s", qspnd_rt_tables_file,
				  safe_strerror(err),
				  err == EACCES
					  ? " (qspnd needs CAP_DAC_OVERRIDE)"
					  : "");
		warned = err;
		qspnd_kstats_error("%s: %s", qspnd_rt_tables_file,
				   safe_strerror(err));
		batch_errors++;
	} else
		rtt_dirty = false;
	return ret;
}

static void rule_track(bool add, const char *ns, uint32_t table)
{
	size_t i;

	for (i = 0; i < n_rules; i++)
		if (rules[i].table == table && !strcmp(rules[i].ns, ns))
			break;
	if (add && i == n_rules && n_rules < RULES_MAX) {
		snprintf(rules[n_rules].ns, QSPN_NAMELEN, "%s", ns);
		rules[n_rules++].table = table;
	} else if (!add && i < n_rules)
		rules[i] = rules[--n_rules];
}

#define LLROUTES_MAX 256
static struct qspnd_llroute llroutes[LLROUTES_MAX];
static size_t n_llroutes;

static void llroute_track(bool add, const struct qspn_op *op)
{
	size_t i;

	for (i = 0; i < n_llroutes; i++)
		if (llroutes[i].dst == op->dst.addr &&
		    !strcmp(llroutes[i].dev, op->dev) &&
		    !strcmp(llroutes[i].ns, op->ns))
			break;
	if (add && i == n_llroutes && n_llroutes < LLROUTES_MAX) {
		snprintf(llroutes[n_llroutes].ns,
			 sizeof(llroutes[n_llroutes].ns), "%s", op->ns);
		llroutes[n_llroutes].dst = op->dst.addr;
		llroutes[n_llroutes].src = op->src;
		snprintf(llroutes[n_llroutes].dev,
			 sizeof(llroutes[n_llroutes].dev), "%s", op->dev);
		n_llroutes++;
	} else if (add && i < n_llroutes)
		llroutes[i].src = op->src;
	else if (!add && i < n_llroutes)
		llroutes[i] = llroutes[--n_llroutes];
}

static void llroutes_forget(const char *ns)
{
	for (size_t i = 0; i < n_llroutes;)
		if (!strcmp(llroutes[i].ns, ns))
			llroutes[i] = llroutes[--n_llroutes];
		else
			i++;
}

size_t qspnd_kernel_llroutes(const struct qspnd_llroute **out)
{
	*out = llroutes;
	return n_llroutes;
}

bool qspnd_kernel_rule_installed(const char *ns, uint32_t table)
{
	for (size_t i = 0; i < n_rules; i++)
		if (rules[i].table == table && !strcmp(rules[i].ns, ns))
			return true;
	return false;
}

/*
 * Routes of the tables of other namespaces (connectivity identities): zebra
 * does not see those namespaces, qspnd puts them in over rtnetlink.  The
 * shadow is what `show qspn routes` prints; it goes with the namespace.
 */
PREDECL_RBTREE_UNIQ(nsroutes);

struct nsr_item {
	struct nsroutes_item link;
	char ns[QSPN_NAMELEN];
	struct qspnd_zroute r;
};

static int nsr_cmp(const struct nsr_item *a, const struct nsr_item *b)
{
	int c = strcmp(a->ns, b->ns);

	return c ? c : qspnd_zroute_key_cmp(&a->r, &b->r);
}

DECLARE_RBTREE_UNIQ(nsroutes, struct nsr_item, link, nsr_cmp);

static struct nsroutes_head nsroutes;

static void nsr_set(const char *ns, const struct qspnd_zroute *r)
{
	struct nsr_item key = {.r = *r}, *it;

	snprintf(key.ns, sizeof(key.ns), "%s", ns);
	it = nsroutes_find(&nsroutes, &key);
	if (!it) {
		it = XCALLOC(MTYPE_QSPND_KERNEL, sizeof(*it));
		*it = key;
		nsroutes_add(&nsroutes, it);
	} else
		it->r = *r;
}

static void nsr_del(const char *ns, uint32_t tid, struct qspn_prefix dst)
{
	struct nsr_item key = {.r = {.tid = tid, .dst = dst}}, *it;

	snprintf(key.ns, sizeof(key.ns), "%s", ns);
	it = nsroutes_find(&nsroutes, &key);
	if (it) {
		nsroutes_del(&nsroutes, it);
		XFREE(MTYPE_QSPND_KERNEL, it);
	}
}

/* the routes of table tid of ns (tid 0: every table) */
static struct nsr_item *nsr_first(const char *ns, uint32_t tid)
{
	struct nsr_item key = {.r = {.tid = tid}}, *it;

	snprintf(key.ns, sizeof(key.ns), "%s", ns);
	it = nsroutes_find_gteq(&nsroutes, &key);
	if (it && (strcmp(it->ns, ns) || (tid && it->r.tid != tid)))
		return NULL;
	return it;
}

static struct nsr_item *nsr_next(struct nsr_item *it, uint32_t tid)
{
	struct nsr_item *n = nsroutes_next(&nsroutes, it);

	if (n && (strcmp(n->ns, it->ns) || (tid && n->r.tid != tid)))
		return NULL;
	return n;
}

static void nsr_flush(const char *ns, uint32_t tid)
{
	struct nsr_item *it = nsr_first(ns, tid), *next;

	while (it) {
		next = nsr_next(it, tid);
		nsroutes_del(&nsroutes, it);
		XFREE(MTYPE_QSPND_KERNEL, it);
		it = next;
	}
}

size_t qspnd_kernel_nsroute_count(const char *ns, uint32_t tid)
{
	size_t n = 0;

	for (struct nsr_item *it = nsr_first(ns, tid); it;
	     it = nsr_next(it, tid))
		n++;
	return n;
}

void qspnd_kernel_nsroute_walk(const char *ns, uint32_t tid,
			       void (*fn)(const struct qspnd_zroute *r,
					  void *arg),
			       void *arg)
{
	for (struct nsr_item *it = nsr_first(ns, tid); it;
	     it = nsr_next(it, tid))
		fn(&it->r, arg);
}

static void nsr_flush_all(void)
{
	struct nsr_item *it;

	while ((it = nsroutes_pop(&nsroutes)))
		XFREE(MTYPE_QSPND_KERNEL, it);
}

/* a namespace went away, and with it everything in it (§5.7) */
static void ns_forget(const char *ns)
{
	size_t i;

	if (!ns[0])
		return;
	nsr_flush(ns, 0);
	for (i = 0; i < n_rules;)
		if (!strcmp(rules[i].ns, ns))
			rules[i] = rules[--n_rules];
		else
			i++;
	llroutes_forget(ns);
	qspnd_nft_forget_ns(ns);
}

size_t qspnd_kernel_tables(const struct qspnd_rtt_line **out)
{
	*out = rtt;
	return n_rtt;
}

/* ---- executing operations ---- */

static void qspnd_kernel_op_failed(const struct qspn_op *op, const char *why)
{
	char cmd[256];

	qspn_op_format(op, cmd, sizeof(cmd));
	zlog_warn("kernel operation failed: %s: %s", cmd, why);
	qspnd_kstats_error("%s: %s", cmd, why);
	batch_errors++;
}

/*
 * A removal executed on its own that may fail and is tried again by the
 * repair pass.  The other deletes (qspn_op_is_delete: marks, SNAT, NETMAP,
 * table names) are staged and written as a whole after the batch
 * (exec_finish), which the repair pass rewrites anyway.
 */
static bool op_is_retryable_removal(const struct qspn_op *op)
{
	switch (op->code) {
	case QSPN_OP_ADDR_DEL:
	case QSPN_OP_LLROUTE_DEL:
	case QSPN_OP_RULE_DEL:
	case QSPN_OP_ROUTE_DEL:
	case QSPN_OP_ROUTE_FLUSH:
	case QSPN_OP_LINK_DEL:
	case QSPN_OP_NETNS_DEL:
		return true;
	default:
		return false;
	}
}

static void failed_del_add(const struct qspn_op *op)
{
	if (failed_dels.n == failed_dels.cap) {
		failed_dels.cap = failed_dels.cap ? 2 * failed_dels.cap : 16;
		failed_dels.v =
			XREALLOC(MTYPE_QSPND_KERNEL, failed_dels.v,
				 failed_dels.cap * sizeof(*failed_dels.v));
	}
	failed_dels.v[failed_dels.n++] = *op;
}

static uint32_t route_tid(const struct qspn_op *op)
{
	uint32_t tid = qspnd_kernel_table_id(op->table);

	return tid ? tid : op->tid;
}

static bool mac_zero(const uint8_t mac[6])
{
	static const uint8_t zero[6];

	return !memcmp(mac, zero, 6);
}

/* the MAC of dev in ns is mac (or mac is all zero: any) */
static int link_mac_check(const char *ns, const char *dev, const uint8_t mac[6])
{
	uint8_t cur[6];

	if (mac_zero(mac))
		return 0;
	if (qspnd_netns_hwaddr(ns, dev, cur) == 0 && !memcmp(cur, mac, 6))
		return 0;
	return qspnd_netlink_link_set_mac(ns, dev, mac);
}

/*
 * `ip link add dev <pd> link <dev> type macvlan` (mode bridge, with the
 * planner's MAC if it has one), in the default namespace; target_ns: where
 * the next operation moves it (NULL: unknown).  Idempotent: a link already
 * moved there, or created but not moved yet, is kept.
 */
static int link_add(const struct qspn_op *op, const char *target_ns,
		    const char **why)
{
	*why = qspnd_netlink_strerror();
	if (target_ns && target_ns[0] && !qspnd_netns_owned(target_ns)) {
		/* not for somebody else's namespace */
		*why = "the namespace is not qspnd's";
		return -1;
	}
	if (target_ns && target_ns[0] &&
	    qspnd_netns_ifindex(target_ns, op->dev) &&
	    !qspnd_netns_ifindex("", op->dev))
		return link_mac_check(target_ns, op->dev, op->mac);
	if (qspnd_netns_ifindex("", op->dev))
		return link_mac_check("", op->dev, op->mac);
	return qspnd_netlink_macvlan_add(op->dev, op->link, op->mac);
}

/* `ip link set dev <pd> netns <ns>`: done if it is there already */
static int link_setns(const struct qspn_op *op)
{
	if (!qspnd_netns_ifindex("", op->dev) &&
	    qspnd_netns_ifindex(op->ns, op->dev))
		return 0;
	return qspnd_netlink_link_setns(op->dev, op->ns);
}

/* routes of a Netsukuku table in another namespace: rtnetlink */
static int nsroute_exec(const struct qspn_op *op, const char **why)
{
	struct qspnd_zroute zr = {};
	int ret;

	zr.tid = route_tid(op);
	zr.dst = op->dst;
	if (!zr.tid) {
		*why = "unknown table";
		return -1;
	}
	*why = qspnd_netlink_strerror();
	switch (op->code) {
	case QSPN_OP_ROUTE_ADD:
	case QSPN_OP_ROUTE_CHANGE:
		zr.rtype = op->rtype;
		zr.gw = op->gw;
		zr.src = op->src;
		snprintf(zr.dev, sizeof(zr.dev), "%s", op->dev);
		ret = qspnd_netlink_route(op->ns, true, &zr);
		if (!ret)
			nsr_set(op->ns, &zr);
		return ret;
	case QSPN_OP_ROUTE_DEL:
		ret = qspnd_netlink_route(op->ns, false, &zr);
		if (!ret)
			nsr_del(op->ns, zr.tid, zr.dst);
		return ret;
	case QSPN_OP_ROUTE_FLUSH:
		ret = qspnd_netlink_route_flush(op->ns, zr.tid);
		if (!ret) {
			nsr_flush(op->ns, zr.tid);
			if (zr.tid == RT_TABLE_MAIN)
				llroutes_forget(op->ns);
		}
		return ret;
	default:
		return -1;
	}
}

/* next: the operation that follows in the batch (NULL: none) */
static void exec_op(const struct qspn_op *op, const struct qspn_op *next)
{
	struct qspnd_zroute zr = {};
	int ret = 0;
	const char *why = NULL;

	if (DEBUG_MODE_CHECK(&qspnd_dbg_kernel, DEBUG_MODE_ALL)) {
		char cmd[256];

		qspn_op_format(op, cmd, sizeof(cmd));
		zlog_debug("qspnd kernel: %s", cmd);
	}
	qspnd_kstats.ops++;
	if (op->ns[0] && op->code != QSPN_OP_NETNS_ADD &&
	    !qspnd_netns_owned(op->ns)) {
		/* never touch a namespace qspnd did not create: nothing of
		 * ours can be there to remove, and nothing is added */
		if (qspn_op_is_delete(op->code))
			return;
		qspnd_kernel_op_failed(op, "the namespace is not qspnd's");
		return;
	}
	switch (op->code) {
	case QSPN_OP_SYSCTL:
		ret = qspnd_netlink_sysctl(op->ns, op->key, op->value);
		why = qspnd_netlink_strerror();
		break;
	case QSPN_OP_NETNS_ADD:
		ret = qspnd_netns_add(op->ns);
		why = safe_strerror(errno);
		if (!ret)
			qspnd_netlink_ns_forget(op->ns);
		break;
	case QSPN_OP_NETNS_DEL:
		/* its tables, rules, nftables table and links go with it */
		ret = qspnd_netns_del(op->ns);
		why = safe_strerror(errno);
		if (!ret)
			ns_forget(op->ns);
		break;
	case QSPN_OP_LINK_ADD:
		ret = link_add(op,
			       next && next->code == QSPN_OP_LINK_SETNS &&
					       !strcmp(next->dev, op->dev)
				       ? next->ns
				       : NULL,
			       &why);
		break;
	case QSPN_OP_LINK_SETNS:
		ret = link_setns(op);
		why = qspnd_netlink_strerror();
		break;
	case QSPN_OP_LINK_DEL:
		ret = qspnd_netlink_link_del(op->ns, op->dev);
		why = qspnd_netlink_strerror();
		break;
	case QSPN_OP_LINK_UP:
		ret = qspnd_netlink_link_up(op->ns, op->dev);
		why = qspnd_netlink_strerror();
		break;
	case QSPN_OP_ADDR_ADD:
	case QSPN_OP_ADDR_DEL:
		ret = qspnd_netlink_addr(op->ns, op->code == QSPN_OP_ADDR_ADD,
					 op->dev, op->dst.addr);
		why = qspnd_netlink_strerror();
		break;
	case QSPN_OP_LLROUTE_ADD:
	case QSPN_OP_LLROUTE_DEL: {
		bool add = op->code == QSPN_OP_LLROUTE_ADD;

		ret = qspnd_netlink_llroute(op->ns, add, op->dst.addr, op->dev,
					    op->src);
		why = qspnd_netlink_strerror();
		if (!ret)
			llroute_track(add, op);
		break;
	}
	case QSPN_OP_RTTABLE_ADD:
	case QSPN_OP_RTTABLE_DEL:
		rtt_set(op->code == QSPN_OP_RTTABLE_ADD, op->tid, op->table);
		break;
	case QSPN_OP_RULE_ADD:
	case QSPN_OP_RULE_DEL: {
		uint32_t table =
			op->tid ? op->tid : qspnd_kernel_table_id(op->table);
		bool add = op->code == QSPN_OP_RULE_ADD;

		ret = qspnd_netlink_rule(op->ns, add, op->tid, table);
		why = qspnd_netlink_strerror();
		if (!ret)
			rule_track(add, op->ns, table);
		break;
	}
	case QSPN_OP_MARK_ADD:
	case QSPN_OP_MARK_DEL:
	case QSPN_OP_SNAT_ADD:
	case QSPN_OP_SNAT_DEL:
	case QSPN_OP_NETMAP_ADD:
	case QSPN_OP_NETMAP_DEL:
		qspnd_nft_stage(op);
		break;
	case QSPN_OP_ROUTE_ADD:
	case QSPN_OP_ROUTE_CHANGE:
		if (op->ns[0]) {
			ret = nsroute_exec(op, &why);
			break;
		}
		zr.tid = route_tid(op);
		zr.dst = op->dst;
		zr.rtype = op->rtype;
		zr.gw = op->gw;
		zr.src = op->src;
		snprintf(zr.dev, sizeof(zr.dev), "%s", op->dev);
		if (!zr.tid) {
			ret = -1;
			why = "unknown table";
			break;
		}
		ret = qspnd_zroute_set(&zr);
		why = "not sent to zebra";
		break;
	case QSPN_OP_ROUTE_DEL:
		if (op->ns[0]) {
			ret = nsroute_exec(op, &why);
			break;
		}
		ret = qspnd_zroute_del(route_tid(op), op->dst);
		why = "not sent to zebra";
		break;
	case QSPN_OP_ROUTE_FLUSH:
		if (op->ns[0]) {
			ret = nsroute_exec(op, &why);
			break;
		}
		qspnd_zroute_flush(route_tid(op));
		break;
	}
	if (ret) {
		qspnd_kernel_op_failed(op, why && why[0] ? why : "failed");
		if (op_is_retryable_removal(op))
			failed_del_add(op);
	}
}

struct route_key {
	const char *ns;
	uint32_t tid, addr;
	uint8_t len;
	size_t idx;
};

static int route_key_cmp(const void *a, const void *b)
{
	const struct route_key *x = a, *y = b;
	int c = strcmp(x->ns, y->ns);

	if (c)
		return c;
	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->idx < y->idx ? -1 : (x->idx > y->idx);
}

/*
 * The full plan states each new route twice (`add unreachable`, then
 * `change` to its value): when it is re-executed over routes that are
 * already there, only the last statement of each route is wanted, or the
 * route would flap through `unreachable`.  Returns the ops to skip.
 */
static bool *route_overridden(const struct qspn_ops *ops)
{
	struct route_key *keys;
	bool *skip = XCALLOC(MTYPE_QSPND_KERNEL, ops->n ? ops->n : 1);
	size_t n = 0;

	keys = XCALLOC(MTYPE_QSPND_KERNEL,
		       (ops->n ? ops->n : 1) * sizeof(*keys));
	for (size_t i = 0; i < ops->n; i++) {
		const struct qspn_op *op = &ops->v[i];

		if (op->code != QSPN_OP_ROUTE_ADD &&
		    op->code != QSPN_OP_ROUTE_CHANGE)
			continue;
		keys[n].ns = op->ns;
		keys[n].tid = route_tid(op);
		keys[n].addr = op->dst.addr;
		keys[n].len = op->dst.len;
		keys[n].idx = i;
		n++;
	}
	qsort(keys, n, sizeof(*keys), route_key_cmp);
	for (size_t i = 0; i + 1 < n; i++)
		if (!strcmp(keys[i].ns, keys[i + 1].ns) &&
		    keys[i].tid == keys[i + 1].tid &&
		    keys[i].addr == keys[i + 1].addr &&
		    keys[i].len == keys[i + 1].len)
			skip[keys[i].idx] = true;
	XFREE(MTYPE_QSPND_KERNEL, keys);
	return skip;
}

/* Execute a batch in order (the zebra src entries it needs first).
 * adds_only: the repair pass re-stating the whole desired state. */
static void exec_ops(const struct qspn_ops *ops, bool adds_only)
{
	bool *skip = adds_only ? route_overridden(ops) : NULL;

	qspnd_zroute_src_prepare(ops);
	for (size_t i = 0; i < ops->n; i++) {
		if (skip && skip[i])
			continue;
		if (adds_only && qspn_op_is_delete(ops->v[i].code))
			continue;
		exec_op(&ops->v[i], i + 1 < ops->n ? &ops->v[i + 1] : NULL);
	}
	XFREE(MTYPE_QSPND_KERNEL, skip);
}

/* After the batches of one sync: what is written as a whole. */
static void exec_finish(void)
{
	if (qspnd_nft_commit() < 0) {
		qspnd_kstats_error("nftables: %s", qspnd_nft_strerror());
		batch_errors++;
	}
	rtt_write();
	qspnd_zroute_src_cleanup();
}

/* ---- the planner's input ---- */

/* the provider of the planner's input (qspnd_kernel_init) */
static const struct qspnd_kernel_input *input;

struct sysbuf {
	struct qspn_plan_system sys;
	bool if_waiting; /* an enabled interface is not usable yet */
};

static void sysbuf_free(struct sysbuf *b)
{
	input->release(&b->sys);
}

static void sysbuf_fill(struct sysbuf *b)
{
	memset(b, 0, sizeof(*b));
	input->fill(&b->sys, &b->if_waiting);
}

/*
 * Everything of the planner's input but the path view, as bytes: the
 * incremental path (qspn_plan_update_dest) is only valid while this has not
 * changed since the installed state was built (e.g. an arc's first ETP
 * makes its neighbour known: table recomputed and its rule added, §4.5).
 */
struct ikey {
	uint8_t *p;
	size_t len, cap;
};

static struct ikey installed_key;

static void ikey_put(struct ikey *k, const void *data, size_t len)
{
	if (k->len + len > k->cap) {
		k->cap = (k->len + len) * 2 + 64;
		k->p = XREALLOC(MTYPE_QSPND_KERNEL, k->p, k->cap);
	}
	memcpy(k->p + k->len, data, len);
	k->len += len;
}

static void ikey_u32(struct ikey *k, uint32_t v)
{
	ikey_put(k, &v, sizeof(v));
}

static void ikey_str(struct ikey *k, const char *str)
{
	ikey_put(k, str, strnlen(str, QSPN_NAMELEN));
	ikey_u32(k, 0);
}

static void ikey_naddr(struct ikey *k, const struct qspn_naddr *a)
{
	ikey_u32(k, a->levels);
	for (int i = 0; i < a->levels && i < QSPN_MAX_LEVELS; i++)
		ikey_u32(k, a->pos[i]);
}

static void ikey_build(struct ikey *k, const struct qspn_plan_system *sys)
{
	k->len = 0;
	ikey_u32(k, sys->topo.levels);
	for (int i = 0; i < sys->topo.levels; i++)
		ikey_u32(k, sys->topo.gsize[i]);
	ikey_u32(k, sys->started | sys->anonymizer << 1 |
			    sys->serve_anonymous << 2);
	ikey_u32(k, sys->subnet_level);
	for (size_t i = 0; i < sys->n_nics; i++) {
		ikey_str(k, sys->nics[i].dev);
		ikey_put(k, sys->nics[i].mac, 6);
		ikey_u32(k, sys->nics[i].linklocal);
	}
	ikey_u32(k, sys->n_subnet_hosts);
	for (size_t i = 0; i < sys->n_subnet_hosts; i++) {
		ikey_str(k, sys->subnet_hosts[i].dev);
		ikey_u32(k, sys->subnet_hosts[i].linklocal);
		ikey_put(k, sys->subnet_hosts[i].pos,
			 sizeof(sys->subnet_hosts[i].pos));
	}
	ikey_u32(k, sys->n_neighbours);
	for (size_t i = 0; i < sys->n_neighbours; i++) {
		ikey_str(k, sys->neighbours[i].dev);
		ikey_u32(k, sys->neighbours[i].linklocal);
	}
	/* every identity: address, namespace, pseudo-interfaces, arcs */
	ikey_u32(k, sys->n_ids);
	for (size_t d = 0; d < sys->n_ids; d++) {
		const struct qspn_plan_identity *id = &sys->ids[d];

		ikey_naddr(k, &id->addr);
		ikey_put(k, &id->id, sizeof(id->id));
		ikey_u32(k, (uint32_t)id->guest_level);
		ikey_str(k, id->netns);
		ikey_u32(k, id->n_pseudodevs);
		for (size_t p = 0; p < id->n_pseudodevs; p++) {
			const struct qspn_plan_pseudodev *pd =
				&id->pseudodevs[p];

			ikey_str(k, pd->dev);
			ikey_str(k, pd->name);
			ikey_put(k, pd->mac, 6);
			ikey_u32(k, pd->linklocal);
		}
		ikey_u32(k, id->n_arcs);
		for (size_t i = 0; i < id->n_arcs; i++) {
			const struct qspn_plan_arc *a = &id->arcs[i];

			ikey_u32(k, a->id);
			ikey_str(k, a->dev);
			ikey_put(k, a->peer_mac, 6);
			ikey_u32(k, a->peer_linklocal);
			ikey_u32(k, a->qspn | a->peer_known << 1 |
					    a->peer_outside << 2);
			ikey_u32(k, a->table_id);
			if (a->peer_known)
				ikey_naddr(k, &a->peer_addr);
		}
	}
}

/* the main identity: the one in the default namespace ([0] by contract) */
static size_t main_index(const struct qspn_plan_system *sys)
{
	for (size_t i = 0; i < sys->n_ids; i++)
		if (!sys->ids[i].netns[0])
			return i;
	return 0;
}

static bool router_active(void)
{
	return qspnd.router && qspnd.router->state == QSPND_ROUTER_ACTIVE;
}

/* The desired state: NULL on error (logged). */
static struct qspn_kstate *desired_state(struct sysbuf *b)
{
	struct qspn_kstate *ks = NULL;
	char err[256] = "";
	int ret;

	if (!router_active())
		return qspn_kstate_new();
	sysbuf_fill(b);
	ret = qspn_plan_build(&b->sys, &ks, err, sizeof(err));
	if (ret) {
		zlog_warn("kernel state not computed: %s",
			  ret == -2 ? "out of memory" : err);
		return NULL;
	}
	if (b->if_waiting)
		/* qspnd_neigh_if_update() syncs again when it comes up */
		QSPND_DEBUG(kernel, "an enabled interface is not up yet");
	return ks;
}

/* ---- sync, repair ---- */

static void repair_cb(qspnd_event_t *t);

static void after_batch(void)
{
	if (batch_errors) {
		need_repair = true;
		repair_delay = repair_delay ? MIN(repair_delay * 2, 30) : 1;
		event_cancel(&t_repair);
		event_add_timer(qspnd.master, repair_cb, NULL, repair_delay,
				 &t_repair);
		zlog_warn("%zu kernel operations failed; trying again in %us",
			  batch_errors, repair_delay);
	} else {
		if (need_repair)
			zlog_info("kernel state repaired");
		need_repair = false;
		repair_delay = 0;
		event_cancel(&t_repair);
	}
}

static void apply(struct qspn_kstate *want)
{
	struct qspn_ops ops;

	qspn_ops_init(&ops);
	batch_errors = 0;
	if (need_repair) {
		/* failed_dels is qspnd's (MTYPE), not the planner's */
		struct qspn_ops dels = failed_dels;

		qspnd_kstats.resyncs++;
		memset(&failed_dels, 0, sizeof(failed_dels));
		exec_ops(&dels, false);
		XFREE(MTYPE_QSPND_KERNEL, dels.v);
	}
	if (qspn_plan_diff(installed ? installed : empty, want, &ops) < 0) {
		zlog_warn("kernel state diff: out of memory");
		batch_errors++;
	} else
		exec_ops(&ops, false);
	qspn_ops_free(&ops);
	if (need_repair) {
		/* everything wanted, again: the adds are idempotent */
		qspn_ops_init(&ops);
		if (qspn_plan_diff(empty, want, &ops) == 0)
			exec_ops(&ops, true);
		qspn_ops_free(&ops);
	}
	exec_finish();
	if (installed)
		qspn_kstate_free(installed);
	installed = want;
	after_batch();
}

void qspnd_kernel_sync(void)
{
	struct sysbuf b = {};
	struct qspn_kstate *want;

	if (!inited)
		return;
	want = desired_state(&b);
	if (want) {
		qspnd_kstats.syncs++;
		apply(want);
		if (router_active())
			ikey_build(&installed_key, &b.sys);
		else
			installed_key.len = 0;
	}
	sysbuf_free(&b);
}

static void repair_cb(qspnd_event_t *t)
{
	qspnd_kernel_sync();
}

static void qspnd_kernel_update_dest(struct qspn_hcoord dest)
{
	struct sysbuf b;
	struct qspn_ops ops;
	int ret;

	if (!inited || !router_active())
		return;
	if (!installed || need_repair) {
		qspnd_kernel_sync();
		return;
	}
	sysbuf_fill(&b);
	{
		struct ikey k = {};
		bool same;

		ikey_build(&k, &b.sys);
		same = k.len == installed_key.len &&
		       !memcmp(k.p, installed_key.p, k.len);
		XFREE(MTYPE_QSPND_KERNEL, k.p);
		if (!same) {
			/* more than the paths changed: the whole plan */
			sysbuf_free(&b);
			qspnd_kernel_sync();
			return;
		}
	}
	qspn_ops_init(&ops);
	batch_errors = 0;
	ret = qspn_plan_update_dest(installed, &b.sys, main_index(&b.sys), dest,
				    &ops);
	if (ret == 0) {
		qspnd_kstats.updates++;
		exec_ops(&ops, false);
		exec_finish();
		after_batch();
	} else {
		zlog_warn("route update for (%d,%d) failed (%d): full sync",
			  dest.lvl, dest.pos, ret);
		qspn_ops_free(&ops);
		sysbuf_free(&b);
		qspnd_kernel_sync();
		return;
	}
	qspn_ops_free(&ops);
	sysbuf_free(&b);
}

/* ---- batching: the changes of one engine call, applied after it ---- */

static struct {
	qspnd_event_t *t_flush;
	bool sync_pending;
	/* path changes of the main identity, for the incremental update */
	struct qspn_hcoord *dirty;
	size_t n_dirty, cap_dirty;
} batch;

/* After the engine call: the route changes its signals announced. */
static void flush_changes(qspnd_event_t *t)
{
	size_t n = batch.n_dirty;

	batch.n_dirty = 0;
	if (batch.sync_pending) {
		batch.sync_pending = false;
		qspnd_kernel_sync();
		return;
	}
	for (size_t i = 0; i < n; i++)
		qspnd_kernel_update_dest(batch.dirty[i]);
}

void qspnd_kernel_sync_later(void)
{
	batch.sync_pending = true;
	event_add_event(qspnd.master, flush_changes, NULL, 0, &batch.t_flush);
}

void qspnd_kernel_dest_changed(struct qspn_hcoord h)
{
	for (size_t i = 0; i < batch.n_dirty; i++)
		if (qspn_hcoord_equal(batch.dirty[i], h))
			return;
	if (batch.n_dirty == batch.cap_dirty) {
		batch.cap_dirty = batch.cap_dirty ? 2 * batch.cap_dirty : 16;
		batch.dirty = XREALLOC(MTYPE_QSPND_KERNEL, batch.dirty,
				       batch.cap_dirty * sizeof(*batch.dirty));
	}
	batch.dirty[batch.n_dirty++] = h;
	event_add_event(qspnd.master, flush_changes, NULL, 0, &batch.t_flush);
}

void qspnd_kernel_fini(void)
{
	EVENT_OFF(batch.t_flush);
	XFREE(MTYPE_QSPND_KERNEL, batch.dirty);
	batch.cap_dirty = 0;
}

void qspnd_kernel_stop(void)
{
	int n;

	if (!inited)
		return;
	event_cancel(&t_repair);
	need_repair = false;
	batch_errors = 0;
	if (installed) {
		struct qspn_ops ops;

		qspn_ops_init(&ops);
		if (qspn_plan_diff(installed, empty, &ops) == 0)
			exec_ops(&ops, false);
		exec_finish();
		qspn_ops_free(&ops);
		qspn_kstate_free(installed);
		installed = NULL;
	}
	/* whatever is still marked as ours goes too */
	qspnd_zroute_remove_all();
	qspnd_zroute_src_cleanup();
	qspnd_nft_remove_all();
	n_rtt = 0;
	rtt_dirty = true;
	rtt_write();
	/* namespaces of ours still there: their macvlans, then themselves
	 * (everything in them goes along) */
	n = qspnd_netns_remove_all();
	if (n > 0)
		zlog_warn(
			"%d network namespaces were still there at stop; removed",
			n);
	nsr_flush_all();
	n_rules = 0;
	n_llroutes = 0;
	n = qspnd_netlink_remove_ours("");
	if (n > 0)
		zlog_warn(
			"%d addresses or rules were still in the kernel at stop; removed",
			n);
	XFREE(MTYPE_QSPND_KERNEL, failed_dels.v);
	memset(&failed_dels, 0, sizeof(failed_dels));
	XFREE(MTYPE_QSPND_KERNEL, installed_key.p);
	memset(&installed_key, 0, sizeof(installed_key));
	qspnd_nft_fini();
	QSPND_DEBUG(kernel, "kernel state removed");
}

void qspnd_kernel_zebra_connected(void)
{
	if (!inited)
		return;
	QSPND_DEBUG(kernel, "zebra connected: sending every route again");
	qspnd_zroute_resend_all();
}

static void remove_leftovers(void)
{
	int n = 0;
	int err = 0;

	/* the namespaces it created (its state file), with everything in
	 * them */
	n += qspnd_netns_remove_leftovers();
	n += qspnd_netlink_remove_ours("");
	if (qspnd_nft_init() > 0)
		n++;
	frr_with_privs (&qspnd_privs) {
		if (unlink(qspnd_rt_tables_file) == 0)
			n++;
		else if (errno != ENOENT)
			err = errno;
	}
	if (err)
		zlog_warn("cannot remove %s: %s", qspnd_rt_tables_file,
			  safe_strerror(err));
	if (n > 0) {
		zlog_notice(
			"removed %d items of kernel state left by an earlier run",
			n);
		qspnd_kstats.leftovers += n;
	}
}

/* the namespaces' cached state is netlink's sockets */
static const struct qspnd_netns_ops netns_ops = {
	.forget = qspnd_netlink_ns_forget,
	.remove_links = qspnd_netlink_remove_links,
};

void qspnd_kernel_init(const struct qspnd_kernel_input *in)
{
	const char *ns = qspnd.pathspace;

	if (ns && *ns)
		snprintf(qspnd_rt_tables_file, PATH_MAX, "%s/qspnd-%s.conf",
			 QSPND_RT_TABLES_DIR, ns);
	else
		snprintf(qspnd_rt_tables_file, PATH_MAX, "%s/qspnd.conf",
			 QSPND_RT_TABLES_DIR);
	input = in;
	qspnd_netns_set_ops(&netns_ops);
	empty = qspn_kstate_new();
	memset(&failed_dels, 0, sizeof(failed_dels));
	qspnd_zroute_init();
	nsroutes_init(&nsroutes);
	qspnd_netlink_init();
	remove_leftovers();
	inited = true;
}
