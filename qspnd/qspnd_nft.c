// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qspnd_nft.c: MAC marks, SNAT and NETMAP (routes.md §3.3, §4.7, §4.8) in
 * an nftables table of qspnd's own, `table ip qspnd`, through libnftables
 * (in-process: a child `nft` would not inherit the daemon's capabilities).
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
 */
#include <zebra.h>

#include <nftables/libnftables.h>

#include "lib/log.h"
#include "lib/memory.h"
#include "lib/privs.h"

#include "qspnd.h"
#include "qspnd_debug.h"
#include "qspnd_kernel.h"

DECLARE_MGROUP(QSPND);
DEFINE_MTYPE_STATIC(QSPND, QSPND_NFT, "QSPN nftables rules");

extern struct zebra_privs_t qspnd_privs;

#define NFT_TABLE "qspnd"

/* one rule: a MARK, SNAT or NETMAP op as the planner gave it */
static struct qspn_op *rules;
static size_t n_rules, cap_rules;
static bool dirty;

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
	for (i = 0; i < n_rules; i++)
		if (rules[i].code == r.code && same_rule(&rules[i], &r))
			break;
	if (add && i == n_rules) {
		if (n_rules == cap_rules) {
			cap_rules = cap_rules ? 2 * cap_rules : 16;
			rules = XREALLOC(MTYPE_QSPND_NFT, rules,
					 cap_rules * sizeof(*rules));
		}
		rules[n_rules++] = r;
		dirty = true;
	} else if (!add && i < n_rules) {
		memmove(&rules[i], &rules[i + 1],
			(n_rules - i - 1) * sizeof(*rules));
		n_rules--;
		dirty = true;
	}
}

size_t qspnd_nft_rule_count(void)
{
	return n_rules;
}

void qspnd_nft_clear_shadow(void)
{
	n_rules = 0;
	dirty = true;
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

static void build_script(struct sbuf *b)
{
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

static int nft_run(const char *script)
{
	struct nft_ctx *ctx;
	int ret = -1;

	nft_errbuf[0] = '\0';
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
	if (!ctx)
		snprintf(nft_errbuf, sizeof(nft_errbuf),
			 "cannot create an nftables context");
	return ret ? -1 : 0;
}

int qspnd_nft_commit(void)
{
	struct sbuf b = {};
	int ret;

	if (!dirty)
		return 0;
	build_script(&b);
	QSPND_DEBUG(kernel, "nftables: %zu rules in table ip " NFT_TABLE,
		    n_rules);
	ret = nft_run(b.p);
	if (ret)
		zlog_warn("qspnd: nftables table ip " NFT_TABLE
			  " not written: %s",
			  nft_errbuf);
	else
		dirty = false;
	XFREE(MTYPE_QSPND_NFT, b.p);
	return ret;
}

int qspnd_nft_remove_all(void)
{
	n_rules = 0;
	dirty = true;
	return qspnd_nft_commit();
}

/* A table of an earlier run: deleted (1), none (0), or -1. */
int qspnd_nft_init(void)
{
	if (nft_run("delete table ip " NFT_TABLE "\n") == 0) {
		zlog_info("qspnd: removed nftables table ip " NFT_TABLE
			  " left by an earlier run");
		return 1;
	}
	return 0;
}

void qspnd_nft_fini(void)
{
	XFREE(MTYPE_QSPND_NFT, rules);
	n_rules = cap_rules = 0;
}

const char *qspnd_nft_strerror(void)
{
	return nft_errbuf;
}

bool qspnd_nft_mark_of(uint32_t tid, uint8_t mac[6])
{
	for (size_t i = 0; i < n_rules; i++)
		if (rules[i].code == QSPN_OP_MARK_ADD && rules[i].tid == tid) {
			memcpy(mac, rules[i].mac, 6);
			return true;
		}
	return false;
}
