// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qspnd_nft.c: MAC marks, SNAT and NETMAP (doc/protocol/routes.md §3.3, §4.7,
 * §4.8) in an nftables table of qspnd's own, `table ip qspnd`, through
 * libnftables (in-process: a child `nft` would not inherit the daemon's
 * capabilities).
 *
 *   chain marks     filter prerouting, priority mangle:
 *                   ether saddr <MAC> meta mark set <tid>
 *   chain nat_pre   nat prerouting, priority dstnat:
 *                   ip daddr <range2> dnat ip prefix to <range1>   (NETMAP)
 *   chain nat_post  nat postrouting, priority srcnat:
 *                   ip daddr <anon range> snat to <global>          (SNAT)
 *                   ip daddr <r3> ip saddr <r1> snat ip prefix to <r2>
 *
 * The operations only change a shadow copy of the rules; a commit replaces
 * the whole table in one nftables transaction (atomic, idempotent), and
 * removing everything is deleting the table: nothing of anybody else's
 * ruleset is touched, and a start after a crash just deletes the table.
 *
 * Each namespace has its own table `ip qspnd` (the MAC marks of a
 * connectivity identity's forwarding tables live in its namespace, §5.2):
 * one shadow per namespace, written inside it; the table of a namespace goes
 * with the namespace (§5.7), so its shadow is just forgotten then.
 */
#include <zebra.h>

#include <nftables/libnftables.h>

#include "lib/log.h"
#include "lib/memory.h"
#include "lib/privs.h"

#include "qspnd.h"
#include "qspnd_debug.h"
#include "qspnd_netns.h"
#include "qspnd_nft.h"

DEFINE_MTYPE_STATIC(QSPND, QSPND_NFT, "QSPN nftables rules");


#define NFT_TABLE "qspnd"

/* the rules of one namespace: MARK, SNAT or NETMAP ops as the planner gave
 * them */
struct nftset {
	char ns[QSPN_NAMELEN];
	struct qspn_op *rules;
	size_t n_rules, cap_rules;
	bool dirty;
};

#define NFT_SETS 64
static struct nftset sets[NFT_SETS]; /* [0]: the default namespace */
static size_t n_sets = 1;

static struct nftset *set_get(const char *ns, bool create)
{
	for (size_t i = 0; i < n_sets; i++)
		if (!strcmp(sets[i].ns, ns))
			return &sets[i];
	if (!create || n_sets == NFT_SETS)
		return NULL;
	memset(&sets[n_sets], 0, sizeof(sets[n_sets]));
	snprintf(sets[n_sets].ns, QSPN_NAMELEN, "%s", ns);
	return &sets[n_sets++];
}

static void set_drop(struct nftset *st)
{
	size_t i = st - sets;

	XFREE(MTYPE_QSPND_NFT, st->rules);
	if (i == 0) {
		memset(st, 0, sizeof(*st));
		return;
	}
	sets[i] = sets[--n_sets];
}

static bool same_rule(const struct qspn_op *a, const struct qspn_op *b)
{
	switch (a->code) {
	case QSPN_OP_MARK_ADD:
		return !memcmp(a->mac, b->mac, 6) && a->tid == b->tid;
	case QSPN_OP_SNAT_ADD:
		return a->dst.addr == b->dst.addr && a->dst.len == b->dst.len &&
		       a->src == b->src;
	case QSPN_OP_NETMAP_ADD:
		return a->chain == b->chain && a->dst.addr == b->dst.addr &&
		       a->dst.len == b->dst.len &&
		       a->srcp.addr == b->srcp.addr &&
		       a->srcp.len == b->srcp.len && a->to.addr == b->to.addr &&
		       a->to.len == b->to.len;
	default:
		return false;
	}
}

void qspnd_nft_stage(const struct qspn_op *op)
{
	struct qspn_op r = *op;
	bool add = true;
	struct nftset *st;
	size_t i;

	switch (op->code) {
	case QSPN_OP_MARK_DEL:
		r.code = QSPN_OP_MARK_ADD;
		add = false;
		break;
	case QSPN_OP_SNAT_DEL:
		r.code = QSPN_OP_SNAT_ADD;
		add = false;
		break;
	case QSPN_OP_NETMAP_DEL:
		r.code = QSPN_OP_NETMAP_ADD;
		add = false;
		break;
	case QSPN_OP_MARK_ADD:
	case QSPN_OP_SNAT_ADD:
	case QSPN_OP_NETMAP_ADD:
		break;
	default:
		return;
	}
	st = set_get(op->ns, add);
	if (!st)
		return;
	for (i = 0; i < st->n_rules; i++)
		if (st->rules[i].code == r.code && same_rule(&st->rules[i], &r))
			break;
	if (add && i == st->n_rules) {
		if (st->n_rules == st->cap_rules) {
			st->cap_rules = st->cap_rules ? 2 * st->cap_rules : 16;
			st->rules =
				XREALLOC(MTYPE_QSPND_NFT, st->rules,
					 st->cap_rules * sizeof(*st->rules));
		}
		st->rules[st->n_rules++] = r;
		st->dirty = true;
	} else if (!add && i < st->n_rules) {
		memmove(&st->rules[i], &st->rules[i + 1],
			(st->n_rules - i - 1) * sizeof(*st->rules));
		st->n_rules--;
		st->dirty = true;
	}
}

size_t qspnd_nft_rule_count(const char *ns)
{
	struct nftset *st = set_get(ns, false);

	return st ? st->n_rules : 0;
}

static void clear_shadow(void)
{
	for (size_t i = 0; i < n_sets; i++) {
		sets[i].n_rules = 0;
		sets[i].dirty = true;
	}
}

void qspnd_nft_forget_ns(const char *ns)
{
	struct nftset *st;

	if (!ns[0])
		return;
	st = set_get(ns, false);
	if (st)
		set_drop(st);
}

/* ---- the script ---- */

struct sbuf {
	char *p;
	size_t len, cap;
};

static void PRINTFRR(2, 3) sput(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintfrr(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && b->len + (size_t)n < b->cap)
			break;
		b->cap = b->cap * 2 + (size_t)n + 256;
		b->p = XREALLOC(MTYPE_QSPND_NFT, b->p, b->cap);
	}
	b->len += n;
}

static void sput_pfx(struct sbuf *b, struct qspn_prefix p)
{
	uint32_t a = htonl(p.addr);

	sput(b, "%pI4/%u", (struct in_addr *)&a, p.len);
}

static void sput_ip(struct sbuf *b, uint32_t ip)
{
	uint32_t a = htonl(ip);

	sput(b, "%pI4", (struct in_addr *)&a);
}

static void build_script(struct sbuf *b, const struct nftset *st)
{
	const struct qspn_op *rules = st->rules;
	size_t n_rules = st->n_rules;

	/* exists before it is deleted: the delete never fails */
	sput(b, "add table ip " NFT_TABLE "\ndelete table ip " NFT_TABLE "\n");
	if (!n_rules)
		return;
	sput(b, "table ip " NFT_TABLE " {\n");
	sput(b,
	     "chain marks {\ntype filter hook prerouting priority mangle; policy accept;\n");
	for (size_t i = 0; i < n_rules; i++) {
		const struct qspn_op *r = &rules[i];

		if (r->code != QSPN_OP_MARK_ADD)
			continue;
		sput(b,
		     "ether saddr %02x:%02x:%02x:%02x:%02x:%02x meta mark set %u\n",
		     r->mac[0], r->mac[1], r->mac[2], r->mac[3], r->mac[4],
		     r->mac[5], r->tid);
	}
	sput(b,
	     "}\nchain nat_pre {\ntype nat hook prerouting priority dstnat; policy accept;\n");
	for (size_t i = 0; i < n_rules; i++) {
		const struct qspn_op *r = &rules[i];

		if (r->code != QSPN_OP_NETMAP_ADD ||
		    r->chain != QSPN_PREROUTING)
			continue;
		sput(b, "ip daddr ");
		sput_pfx(b, r->dst);
		if (r->srcp.len) {
			sput(b, " ip saddr ");
			sput_pfx(b, r->srcp);
		}
		sput(b, " dnat ip prefix to ");
		sput_pfx(b, r->to);
		sput(b, "\n");
	}
	sput(b,
	     "}\nchain nat_post {\ntype nat hook postrouting priority srcnat; policy accept;\n");
	for (size_t i = 0; i < n_rules; i++) {
		const struct qspn_op *r = &rules[i];

		if (r->code == QSPN_OP_SNAT_ADD) {
			sput(b, "ip daddr ");
			sput_pfx(b, r->dst);
			sput(b, " snat to ");
			sput_ip(b, r->src);
			sput(b, "\n");
		} else if (r->code == QSPN_OP_NETMAP_ADD &&
			   r->chain == QSPN_POSTROUTING) {
			sput(b, "ip daddr ");
			sput_pfx(b, r->dst);
			if (r->srcp.len) {
				sput(b, " ip saddr ");
				sput_pfx(b, r->srcp);
			}
			sput(b, " snat ip prefix to ");
			sput_pfx(b, r->to);
			sput(b, "\n");
		}
	}
	sput(b, "}\n}\n");
}

static char nft_errbuf[256];

static int nft_run(const char *ns, const char *script)
{
	struct nft_ctx *ctx = NULL;
	int ret = -1, saved;

	nft_errbuf[0] = '\0';
	/* libnftables talks to the namespace it runs in */
	if (qspnd_netns_enter(ns, &saved) < 0) {
		snprintf(nft_errbuf, sizeof(nft_errbuf), "netns %s: %s", ns,
			 safe_strerror(errno));
		return -1;
	}
	frr_with_privs (&qspnd_privs) {
		ctx = nft_ctx_new(NFT_CTX_DEFAULT);
		if (ctx) {
			nft_ctx_buffer_output(ctx);
			nft_ctx_buffer_error(ctx);
			ret = nft_run_cmd_from_buffer(ctx, script);
			if (ret) {
				const char *e = nft_ctx_get_error_buffer(ctx);

				snprintf(nft_errbuf, sizeof(nft_errbuf), "%s",
					 e ? e : "nftables error");
				for (char *p = nft_errbuf; *p; p++)
					if (*p == '\n')
						*p = ' ';
			}
			nft_ctx_free(ctx);
		}
	}
	qspnd_netns_leave(saved);
	if (!ctx)
		snprintf(nft_errbuf, sizeof(nft_errbuf),
			 "cannot create an nftables context");
	return ret ? -1 : 0;
}

static int set_commit(struct nftset *st)
{
	struct sbuf b = {};
	int ret;

	if (!st->dirty)
		return 0;
	build_script(&b, st);
	QSPND_DEBUG(kernel, "nftables: %zu rules in table ip " NFT_TABLE "%s%s",
		    st->n_rules, st->ns[0] ? " in " : "", st->ns);
	ret = nft_run(st->ns, b.p);
	if (ret)
		zlog_warn("nftables table ip " NFT_TABLE "%s%s not written: %s",
			  st->ns[0] ? " in " : "", st->ns, nft_errbuf);
	else
		st->dirty = false;
	XFREE(MTYPE_QSPND_NFT, b.p);
	return ret;
}

int qspnd_nft_commit(void)
{
	int ret = 0;

	for (size_t i = 0; i < n_sets; i++) {
		if (sets[i].ns[0] && !qspnd_netns_exists(sets[i].ns)) {
			/* the table went with its namespace */
			if (!sets[i].n_rules) {
				set_drop(&sets[i--]);
				continue;
			}
		}
		if (set_commit(&sets[i]) < 0)
			ret = -1;
	}
	return ret;
}

int qspnd_nft_remove_all(void)
{
	int ret;

	clear_shadow();
	ret = qspnd_nft_commit();
	while (n_sets > 1)
		set_drop(&sets[n_sets - 1]);
	return ret;
}

/* A table of an earlier run: deleted (1), none (0), or -1. */
int qspnd_nft_init(void)
{
	if (nft_run("", "delete table ip " NFT_TABLE "\n") == 0) {
		zlog_info("removed nftables table ip " NFT_TABLE
			  " left by an earlier run");
		return 1;
	}
	return 0;
}

void qspnd_nft_fini(void)
{
	while (n_sets > 1)
		set_drop(&sets[n_sets - 1]);
	set_drop(&sets[0]);
}

const char *qspnd_nft_strerror(void)
{
	return nft_errbuf;
}

bool qspnd_nft_mark_of(const char *ns, uint32_t tid, uint8_t mac[6])
{
	struct nftset *st = set_get(ns, false);

	if (!st)
		return false;
	for (size_t i = 0; i < st->n_rules; i++)
		if (st->rules[i].code == QSPN_OP_MARK_ADD &&
		    st->rules[i].tid == tid) {
			memcpy(mac, st->rules[i].mac, 6);
			return true;
		}
	return false;
}
