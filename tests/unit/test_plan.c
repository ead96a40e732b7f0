// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for lib/qspn_plan.c: the per-destination rule of
 * doc/protocol/routes.md §4.2 on the worked example of §4.9, src rules, NETMAP
 * (§4.8) and SNAT (§4.7), diff ordering (doc/protocol/commands.md §L),
 * dismissal (§5.7), a neighbour's MAC change, validation, and the incremental
 * update against the full diff.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "qspn_plan.h"

/* ---- a small system builder ---- */

struct tpaths {
	struct qspn_dest_paths d[32];
	size_t n;
	struct qspn_path p[64];
	size_t np;
	struct qspn_path_hop h[128];
	size_t nh;
};

struct tsys {
	struct qspn_plan_system sys;
	struct qspn_plan_nic nic;
	struct qspn_plan_identity ids[3];
	struct qspn_plan_arc arcs[3][8];
	struct qspn_plan_pseudodev pds[3];
	struct tpaths paths[3];
};

static int tget(void *ctx, struct qspn_hcoord dest, struct qspn_dest_paths *out)
{
	struct tpaths *tp = ctx;

	out->dest = dest;
	out->n_paths = 0;
	out->paths = NULL;
	for (size_t i = 0; i < tp->n; i++)
		if (qspn_hcoord_equal(tp->d[i].dest, dest))
			*out = tp->d[i];
	return 0;
}

static uint32_t ip(const char *s)
{
	uint32_t v;

	assert_int_equal(qspn_ipv4_parse(s, &v), 0);
	return v;
}

static struct qspn_naddr na(const struct qspn_topology *t, const char *s)
{
	struct qspn_naddr n;
	char err[QSPN_ERRBUF_SIZE];

	assert_int_equal(qspn_naddr_parse(&n, t, s, true, err, sizeof(err)), 0);
	return n;
}

static void tsys_init(struct tsys *s, const char *topo, const char *mac,
		      const char *ll)
{
	char err[QSPN_ERRBUF_SIZE];

	memset(s, 0, sizeof(*s));
	assert_int_equal(
		qspn_topology_parse(&s->sys.topo, topo, err, sizeof(err)), 0);
	s->sys.started = true;
	s->sys.anonymizer = true;
	s->sys.serve_anonymous = true;
	snprintf(s->nic.dev, sizeof(s->nic.dev), "eth1");
	assert_int_equal(qspn_mac_parse(mac, s->nic.mac), 0);
	s->nic.linklocal = ip(ll);
	s->sys.nics = &s->nic;
	s->sys.n_nics = 1;
	s->sys.ids = s->ids;
}

static struct qspn_plan_identity *tsys_id(struct tsys *s, const char *addr,
					  const char *netns)
{
	size_t i = s->sys.n_ids++;
	struct qspn_plan_identity *id = &s->ids[i];

	id->addr = na(&s->sys.topo, addr);
	snprintf(id->netns, sizeof(id->netns), "%s", netns);
	id->arcs = s->arcs[i];
	id->paths.get_paths = tget;
	id->paths.ctx = &s->paths[i];
	if (netns[0]) {
		id->pseudodevs = &s->pds[i];
		id->n_pseudodevs = 1;
		snprintf(s->pds[i].dev, sizeof(s->pds[i].dev), "eth1");
		snprintf(s->pds[i].name, sizeof(s->pds[i].name), "%s_eth1",
			 netns);
		qspn_mac_parse("00:16:3E:00:00:01", s->pds[i].mac);
		s->pds[i].linklocal = ip("169.254.200.1");
	}
	return id;
}

static struct qspn_plan_arc *tsys_arc(struct tsys *s, size_t idn, uint32_t aid,
				      const char *mac, const char *ll,
				      uint32_t tid, const char *peer)
{
	struct qspn_plan_identity *id = &s->ids[idn];
	struct qspn_plan_arc *a = &s->arcs[idn][id->n_arcs++];

	memset(a, 0, sizeof(*a));
	a->id = aid;
	snprintf(a->dev, sizeof(a->dev), "eth1");
	assert_int_equal(qspn_mac_parse(mac, a->peer_mac), 0);
	a->peer_linklocal = ip(ll);
	a->qspn = tid != 0;
	a->table_id = tid;
	if (peer) {
		a->peer_known = true;
		a->peer_addr = na(&s->sys.topo, peer);
	}
	return a;
}

/* add a path to dest (lvl,pos) through arc, hops as lvl,pos pairs */
static void tsys_path(struct tsys *s, size_t idn, int lvl, uint32_t pos,
		      uint32_t arc, int nhops, ...)
{
	struct tpaths *tp = &s->paths[idn];
	struct qspn_dest_paths *d = NULL;
	struct qspn_path *p;
	va_list ap;

	for (size_t i = 0; i < tp->n; i++)
		if (tp->d[i].dest.lvl == lvl && tp->d[i].dest.pos == pos)
			d = &tp->d[i];
	if (!d) {
		d = &tp->d[tp->n++];
		d->dest.lvl = lvl;
		d->dest.pos = pos;
		d->paths = &tp->p[tp->np];
		d->n_paths = 0;
	}
	/* keep each destination's paths contiguous: paths of one dest are
	 * added together in these tests */
	assert_ptr_equal(&d->paths[d->n_paths], &tp->p[tp->np]);
	p = &tp->p[tp->np++];
	d->n_paths++;
	p->arc = arc;
	p->cost = (int64_t)d->n_paths * 1000;
	p->hops = &tp->h[tp->nh];
	p->n_hops = (uint32_t)nhops;
	va_start(ap, nhops);
	for (int i = 0; i < nhops; i++) {
		tp->h[tp->nh].hc.lvl = va_arg(ap, int);
		tp->h[tp->nh].hc.pos = va_arg(ap, unsigned int);
		tp->nh++;
	}
	va_end(ap);
}

/* after a struct copy, point everything at the copy's own arrays */
static void tsys_copy(struct tsys *d, const struct tsys *s)
{
	*d = *s;
	d->sys.ids = d->ids;
	d->sys.nics = &d->nic;
	for (size_t i = 0; i < 3; i++) {
		struct tpaths *tp = &d->paths[i];

		d->ids[i].arcs = d->arcs[i];
		if (d->ids[i].n_pseudodevs)
			d->ids[i].pseudodevs = &d->pds[i];
		d->ids[i].paths.ctx = tp;
		for (size_t k = 0; k < tp->n; k++)
			tp->d[k].paths = tp->p + (s->paths[i].d[k].paths -
						  s->paths[i].p);
		for (size_t k = 0; k < tp->np; k++)
			tp->p[k].hops =
				tp->h + (s->paths[i].p[k].hops - s->paths[i].h);
	}
}

static struct qspn_kstate *build(const struct tsys *s)
{
	struct qspn_kstate *ks = NULL;
	char err[256];
	int r = qspn_plan_build(&s->sys, &ks, err, sizeof(err));

	if (r)
		print_error("build: %s\n", err);
	assert_int_equal(r, 0);
	return ks;
}

/* the commands from a to b, one string */
static char *plan_text(const struct qspn_kstate *a, const struct qspn_kstate *b,
		       size_t *n_ops)
{
	struct qspn_ops ops;
	size_t cap = 1, used = 0;
	char *out = calloc(1, 1);

	qspn_ops_init(&ops);
	assert_int_equal(qspn_plan_diff(a, b, &ops), 0);
	for (size_t i = 0; i < ops.n; i++) {
		char line[512];
		int n = qspn_op_format(&ops.v[i], line, sizeof(line));

		out = realloc(out, cap += (size_t)n + 1);
		memcpy(out + used, line, (size_t)n);
		used += (size_t)n;
		out[used++] = '\n';
		out[used] = '\0';
	}
	if (n_ops)
		*n_ops = ops.n;
	qspn_ops_free(&ops);
	return out;
}

static char *full_plan(const struct tsys *s, struct qspn_kstate **ks_out)
{
	struct qspn_kstate *empty = qspn_kstate_new(), *ks = build(s);
	char *t = plan_text(empty, ks, NULL);

	qspn_kstate_free(empty);
	if (ks_out)
		*ks_out = ks;
	else
		qspn_kstate_free(ks);
	return t;
}

/* position of a whole line in text, or -1 */
static long line_at(const char *text, const char *line)
{
	size_t l = strlen(line);

	for (const char *p = text; p && *p;) {
		const char *e = strchr(p, '\n');

		if ((size_t)(e - p) == l && !strncmp(p, line, l))
			return p - text;
		p = e ? e + 1 : NULL;
	}
	return -1;
}

#define HAS(text, line)                                                        \
	do {                                                                   \
		if (line_at(text, line) < 0)                                   \
			fail_msg("missing: %s\n--- in:\n%s", line, text);      \
	} while (0)
#define BEFORE(text, a, b)                                                     \
	do {                                                                   \
		HAS(text, a);                                                  \
		HAS(text, b);                                                  \
		if (line_at(text, a) > line_at(text, b))                       \
			fail_msg("%s\n  should come before\n%s", a, b);        \
	} while (0)

static const char *route_text(const struct qspn_kstate *ks, uint32_t tid,
			      const char *cidr, char *buf, size_t len)
{
	struct qspn_prefix p;
	struct qspn_op op;
	char *sp;

	assert_int_equal(qspn_prefix_parse(cidr, &p), 0);
	if (qspn_kstate_route(ks, "", tid, p, &op) < 0)
		return "none";
	qspn_op_format(&op, buf, len);
	/* keep what follows "table NAME": the route itself */
	if (op.rtype != QSPN_RT_VIA)
		return op.rtype == QSPN_RT_BLACKHOLE ? "blackhole"
						     : "unreachable";
	sp = strstr(buf, " via ");
	return sp ? sp + 1 : buf;
}

/* ---- §4.9 ---- */

static void setup_4_9(struct tsys *s)
{
	tsys_init(s, "4.2.2.2", "00:16:3E:00:00:AA", "169.254.0.1");
	tsys_id(s, "2.1.1.1", "");
	tsys_arc(s, 0, 1, "00:16:3E:00:00:01", "169.254.1.1", 250, "2.1.1.0");
	tsys_arc(s, 0, 2, "00:16:3E:00:00:02", "169.254.2.2", 249, "2.1.0.0");
	tsys_arc(s, 0, 3, "00:16:3E:00:00:03", "169.254.3.3", 248, "2.0.1.1");
	tsys_path(s, 0, 0, 0, 1, 1, 0, 0u);
	tsys_path(s, 0, 1, 0, 2, 1, 1, 0u);
	tsys_path(s, 0, 2, 0, 3, 1, 2, 0u);
	tsys_path(s, 0, 2, 0, 2, 2, 1, 0u, 2, 0u);
}

static void test_worked_4_9(void **state)
{
	static const struct {
		const char *cidr, *ntk, *u, *w, *z;
	} rows[] = {
		{"10.0.0.22/32", "via 169.254.1.1 dev eth1 src 10.0.0.23",
		 "unreachable", "via 169.254.1.1 dev eth1",
		 "via 169.254.1.1 dev eth1"},
		{"10.0.0.86/32", "via 169.254.1.1 dev eth1 src 10.0.0.23",
		 "unreachable", "via 169.254.1.1 dev eth1",
		 "via 169.254.1.1 dev eth1"},
		{"10.0.0.62/32", "via 169.254.1.1 dev eth1 src 10.0.0.63",
		 "unreachable", "via 169.254.1.1 dev eth1",
		 "via 169.254.1.1 dev eth1"},
		{"10.0.0.50/32", "via 169.254.1.1 dev eth1 src 10.0.0.51",
		 "unreachable", "via 169.254.1.1 dev eth1", "blackhole"},
		{"10.0.0.40/32", "via 169.254.1.1 dev eth1 src 10.0.0.41",
		 "unreachable", "blackhole", "blackhole"},
		{"10.0.0.20/31", "via 169.254.2.2 dev eth1 src 10.0.0.23",
		 "via 169.254.2.2 dev eth1", "unreachable",
		 "via 169.254.2.2 dev eth1"},
		{"10.0.0.84/31", "via 169.254.2.2 dev eth1 src 10.0.0.23",
		 "via 169.254.2.2 dev eth1", "unreachable",
		 "via 169.254.2.2 dev eth1"},
		{"10.0.0.60/31", "via 169.254.2.2 dev eth1 src 10.0.0.63",
		 "via 169.254.2.2 dev eth1", "unreachable",
		 "via 169.254.2.2 dev eth1"},
		{"10.0.0.48/31", "via 169.254.2.2 dev eth1 src 10.0.0.51",
		 "via 169.254.2.2 dev eth1", "unreachable", "blackhole"},
		{"10.0.0.16/30", "via 169.254.3.3 dev eth1 src 10.0.0.23",
		 "via 169.254.3.3 dev eth1", "via 169.254.3.3 dev eth1",
		 "unreachable"},
		{"10.0.0.80/30", "via 169.254.3.3 dev eth1 src 10.0.0.23",
		 "via 169.254.3.3 dev eth1", "via 169.254.3.3 dev eth1",
		 "unreachable"},
		{"10.0.0.56/30", "via 169.254.3.3 dev eth1 src 10.0.0.63",
		 "via 169.254.3.3 dev eth1", "via 169.254.3.3 dev eth1",
		 "unreachable"},
		{"10.0.0.0/29", "unreachable", "unreachable", "unreachable",
		 "unreachable"},
		{"10.0.0.88/29", "unreachable", "unreachable", "unreachable",
		 "unreachable"},
	};
	struct tsys s;
	struct qspn_kstate *ks;
	char b[512];

	(void)state;
	setup_4_9(&s);
	ks = build(&s);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		print_message("%s\n", rows[i].cidr);
		assert_string_equal(
			route_text(ks, 251, rows[i].cidr, b, sizeof(b)),
			rows[i].ntk);
		assert_string_equal(
			route_text(ks, 250, rows[i].cidr, b, sizeof(b)),
			rows[i].u);
		assert_string_equal(
			route_text(ks, 249, rows[i].cidr, b, sizeof(b)),
			rows[i].w);
		assert_string_equal(
			route_text(ks, 248, rows[i].cidr, b, sizeof(b)),
			rows[i].z);
	}
	/* 2.1.1.1 owns (0,1): no route to itself */
	assert_string_equal(route_text(ks, 251, "10.0.0.23/32", b, sizeof(b)),
			    "none");
	/* 18 routes per table (§1.4), 4 tables */
	assert_int_equal(qspn_kstate_route_count(ks), 4 * 18);
	qspn_kstate_free(ks);
}

/* A table whose neighbour has sent no ETP yet is all unreachable and has
 * no rule (§3.5, §7 item 23), even if paths go through it. */
static void test_unknown_neighbour(void **state)
{
	struct tsys s;
	struct qspn_kstate *ks;
	char *t, b[512];

	(void)state;
	setup_4_9(&s);
	s.arcs[0][0].peer_known = false;
	ks = build(&s);
	assert_string_equal(route_text(ks, 250, "10.0.0.16/30", b, sizeof(b)),
			    "unreachable");
	assert_string_equal(route_text(ks, 250, "10.0.0.40/32", b, sizeof(b)),
			    "unreachable");
	/* the egress table still uses the path through it */
	assert_string_equal(route_text(ks, 251, "10.0.0.22/32", b, sizeof(b)),
			    "via 169.254.1.1 dev eth1 src 10.0.0.23");
	qspn_kstate_free(ks);
	t = full_plan(&s, NULL);
	assert_true(
		line_at(t,
			"ip rule add fwmark 250 table ntk_from_00:16:3E:00:00:01") <
		0);
	HAS(t, "ip rule add fwmark 249 table ntk_from_00:16:3E:00:00:02");
	free(t);
}

/* Before the address is fully real, ntk routes have no src for what is not
 * computable (§4.2, doc/protocol/commands.md S33). */
static void test_src_virtual(void **state)
{
	struct tsys s;
	char *t;

	(void)state;
	tsys_init(&s, "4.2.2.2", "00:16:3E:EC:A3:E1", "169.254.96.141");
	tsys_id(&s, "2.1.1.2", "");
	tsys_arc(&s, 0, 7, "00:16:3E:5B:78:D5", "169.254.94.223", 250,
		 "2.1.1.0");
	tsys_path(&s, 0, 0, 0, 7, 1, 0, 0u);
	t = full_plan(&s, NULL);
	HAS(t,
	    "ip route change 10.0.0.22/32 table ntk via 169.254.94.223 dev eth1");
	HAS(t,
	    "ip route change 10.0.0.40/32 table ntk via 169.254.94.223 dev eth1");
	/* nothing computable: no own address, no SNAT */
	assert_null(strstr(t, "SNAT"));
	assert_true(line_at(t, "ip address add 10.0.0.23 dev eth1") < 0);
	free(t);
}

/* λ of doc/protocol/routes.md §1.6/§4.8: subnetlevel 1, -k */
static void test_netmap_lambda(void **state)
{
	static const char *const rules[] = {
		"iptables -t nat -A PREROUTING -d 10.0.0.48/31 -j NETMAP --to 10.0.0.40/31",
		"iptables -t nat -A POSTROUTING -d 10.0.0.48/30 -s 10.0.0.40/31 -j NETMAP --to 10.0.0.48/31",
		"iptables -t nat -A PREROUTING -d 10.0.0.60/31 -j NETMAP --to 10.0.0.40/31",
		"iptables -t nat -A POSTROUTING -d 10.0.0.56/29 -s 10.0.0.40/31 -j NETMAP --to 10.0.0.60/31",
		"iptables -t nat -A PREROUTING -d 10.0.0.12/31 -j NETMAP --to 10.0.0.40/31",
		"iptables -t nat -A POSTROUTING -d 10.0.0.0/27 -s 10.0.0.40/31 -j NETMAP --to 10.0.0.12/31",
		"iptables -t nat -A PREROUTING -d 10.0.0.76/31 -j NETMAP --to 10.0.0.40/31",
		"iptables -t nat -A POSTROUTING -d 10.0.0.64/27 -s 10.0.0.40/31 -j NETMAP --to 10.0.0.12/31",
	};
	struct tsys s;
	struct qspn_kstate *ks;
	char *t;

	(void)state;
	tsys_init(&s, "4.2.2.2", "00:16:3E:06:3E:90", "169.254.109.22");
	s.sys.subnet_level = 1;
	tsys_id(&s, "1.1.0.0", "");
	t = full_plan(&s, &ks);
	for (size_t i = 0; i < 8; i++)
		HAS(t, rules[i]);
	HAS(t, "ip address add 10.0.0.32 dev lo");
	HAS(t, "ip address add 10.0.0.12 dev eth1");
	HAS(t, "ip address add 10.0.0.76 dev eth1");
	HAS(t, "ip address add 10.0.0.60 dev eth1");
	HAS(t, "ip address add 10.0.0.48 dev eth1");
	HAS(t, "ip address add 10.0.0.40 dev eth1");
	HAS(t,
	    "iptables -t nat -A POSTROUTING -d 10.0.0.64/27 -j SNAT --to 10.0.0.12");
	/* destinations only from level 1: 13 routes (scenario E8) */
	assert_int_equal(qspn_kstate_route_count(ks), 13);
	qspn_kstate_free(ks);
	free(t);
	/* without -k: no anonymous PREROUTING, no own anonymizing IP */
	s.sys.serve_anonymous = false;
	t = full_plan(&s, NULL);
	assert_true(line_at(t, rules[6]) < 0);
	HAS(t, rules[7]);
	assert_true(line_at(t, "ip address add 10.0.0.76 dev eth1") < 0);
	free(t);
	/* -j: no SNAT */
	s.sys.anonymizer = false;
	t = full_plan(&s, NULL);
	assert_null(strstr(t, "SNAT"));
	free(t);
}

/* doc/protocol/commands.md §L: rt_tables line, mark, routes, rule; addresses
 * before the routes using them; on the way out routes before addresses, SNAT
 * before the global address. */
static void test_ordering(void **state)
{
	struct tsys s, s2;
	struct qspn_kstate *a, *b;
	char *t;

	(void)state;
	setup_4_9(&s);
	t = full_plan(&s, &a);
	BEFORE(t,
	       "(echo; echo \"251 ntk # xxx_table_ntk_xxx\") | tee -a /etc/iproute2/rt_tables >/dev/null",
	       "ip rule add table ntk");
	BEFORE(t,
	       "(echo; echo \"250 ntk_from_00:16:3E:00:00:01 # xxx_table_ntk_from_00:16:3E:00:00:01_xxx\") | tee -a /etc/iproute2/rt_tables >/dev/null",
	       "iptables -t mangle -A PREROUTING -m mac --mac-source 00:16:3E:00:00:01 -j MARK --set-mark 250");
	BEFORE(t,
	       "iptables -t mangle -A PREROUTING -m mac --mac-source 00:16:3E:00:00:01 -j MARK --set-mark 250",
	       "ip route add unreachable 10.0.0.0/29 table ntk_from_00:16:3E:00:00:01");
	BEFORE(t,
	       "ip route add unreachable 10.0.0.22/32 table ntk_from_00:16:3E:00:00:02",
	       "ip route change 10.0.0.22/32 table ntk_from_00:16:3E:00:00:02 via 169.254.1.1 dev eth1");
	BEFORE(t,
	       "ip route change 10.0.0.22/32 table ntk_from_00:16:3E:00:00:02 via 169.254.1.1 dev eth1",
	       "ip rule add fwmark 249 table ntk_from_00:16:3E:00:00:02");
	BEFORE(t, "ip address add 10.0.0.23 dev eth1",
	       "ip route change 10.0.0.22/32 table ntk via 169.254.1.1 dev eth1 src 10.0.0.23");
	BEFORE(t, "ip address add 10.0.0.41 dev eth1",
	       "ip route change 10.0.0.40/32 table ntk via 169.254.1.1 dev eth1 src 10.0.0.41");
	/* make_real order of own addresses (doc/protocol/commands.md §L.8) */
	BEFORE(t, "ip address add 10.0.0.41 dev eth1",
	       "ip address add 10.0.0.51 dev eth1");
	BEFORE(t, "ip address add 10.0.0.63 dev eth1",
	       "ip address add 10.0.0.23 dev eth1");
	BEFORE(t, "ip address add 10.0.0.23 dev eth1",
	       "iptables -t nat -A POSTROUTING -d 10.0.0.64/27 -j SNAT --to 10.0.0.23");
	BEFORE(t,
	       "iptables -t nat -A POSTROUTING -d 10.0.0.64/27 -j SNAT --to 10.0.0.23",
	       "ip address add 10.0.0.87 dev eth1");
	free(t);
	/* the main identity leaves the default namespace */
	tsys_copy(&s2, &s);
	s2.sys.n_ids = 0;
	b = build(&s2);
	t = plan_text(a, b, NULL);
	BEFORE(t, "ip route del 10.0.0.22/32 table ntk",
	       "ip address del 10.0.0.23/32 dev eth1");
	BEFORE(t,
	       "iptables -t nat -D POSTROUTING -d 10.0.0.64/27 -j SNAT --to 10.0.0.23",
	       "ip address del 10.0.0.23/32 dev eth1");
	BEFORE(t, "ip rule del fwmark 250 table ntk_from_00:16:3E:00:00:01",
	       "ip route flush table ntk_from_00:16:3E:00:00:01");
	BEFORE(t, "ip route flush table ntk_from_00:16:3E:00:00:01",
	       "iptables -t mangle -D PREROUTING -m mac --mac-source 00:16:3E:00:00:01 -j MARK --set-mark 250");
	BEFORE(t,
	       "iptables -t mangle -D PREROUTING -m mac --mac-source 00:16:3E:00:00:01 -j MARK --set-mark 250",
	       "sed -i '/xxx_table_ntk_from_00:16:3E:00:00:01_xxx/d' /etc/iproute2/rt_tables");
	/* the start-up items stay */
	assert_true(line_at(t, "ip rule del table ntk") < 0);
	assert_true(line_at(t, "ip address del 10.0.0.32/32 dev lo") < 0);
	free(t);
	/* nothing changes: nothing printed */
	{
		size_t n;

		t = plan_text(a, a, &n);
		assert_int_equal(n, 0);
		free(t);
	}
	qspn_kstate_free(a);
	qspn_kstate_free(b);
}

/* §5.7 and doc/protocol/commands.md §J: dismissal of a connectivity identity */
static void test_dismissal(void **state)
{
	struct tsys s, s2;
	struct qspn_kstate *a, *b;
	char *t;
	size_t n;

	(void)state;
	tsys_init(&s, "4.2.2.2", "00:16:3E:1A:C4:45", "169.254.253.216");
	tsys_id(&s, "2.1.0.1", "");
	tsys_arc(&s, 0, 1, "00:16:3E:2D:8D:DE", "169.254.119.176", 250,
		 "2.1.0.0");
	tsys_id(&s, "3.1.2.1", "ntkv0");
	tsys_arc(&s, 1, 2, "00:16:3E:DF:23:F5", "169.254.242.91", 249,
		 "3.1.2.0");
	tsys_arc(&s, 1, 3, "00:16:3E:00:01:19", "169.254.119.1", 0, NULL);
	/* (3,0) through arc 3, which is not a qspn-arc */
	tsys_path(&s, 1, 3, 0, 3, 1, 3, 0u);
	t = full_plan(&s, &a);
	BEFORE(t, "ip netns add ntkv0",
	       "ip link add dev ntkv0_eth1 link eth1 type macvlan");
	BEFORE(t, "ip link add dev ntkv0_eth1 link eth1 type macvlan",
	       "ip link set dev ntkv0_eth1 netns ntkv0");
	BEFORE(t,
	       "ip netns exec ntkv0 ip address add 169.254.200.1 dev ntkv0_eth1",
	       "ip netns exec ntkv0 ip route add 169.254.242.91 dev ntkv0_eth1 src 169.254.200.1");
	HAS(t,
	    "ip netns exec ntkv0 iptables -t mangle -A PREROUTING -m mac --mac-source 00:16:3E:DF:23:F5 -j MARK --set-mark 249");
	HAS(t,
	    "ip netns exec ntkv0 ip rule add fwmark 249 table ntk_from_00:16:3E:DF:23:F5");
	/* its forwarding routes go out of its pseudo-interface */
	HAS(t,
	    "ip netns exec ntkv0 ip route change 10.0.0.0/29 table ntk_from_00:16:3E:DF:23:F5 via 169.254.119.1 dev ntkv0_eth1");
	/* a connectivity identity never gets 10/8 addresses nor ntk */
	assert_null(strstr(t, "ip netns exec ntkv0 ip address add 10."));
	assert_null(strstr(
		t,
		"ip netns exec ntkv0 ip route add unreachable 10.0.0.40/32 table ntk\n"));
	free(t);
	tsys_copy(&s2, &s);
	s2.sys.n_ids = 1;
	b = build(&s2);
	t = plan_text(a, b, &n);
	assert_string_equal(
		t,
		"ip netns exec ntkv0 ip route flush table main\n"
		"ip netns exec ntkv0 ip link delete ntkv0_eth1 type macvlan\n"
		"ip netns del ntkv0\n"
		"sed -i '/xxx_table_ntk_from_00:16:3E:DF:23:F5_xxx/d' /etc/iproute2/rt_tables\n");
	free(t);
	qspn_kstate_free(b);
	/* the same table name still used by the main identity: no sed */
	tsys_copy(&s2, &s);
	s2.arcs[1][0].table_id = 250;
	qspn_mac_parse("00:16:3E:2D:8D:DE", s2.arcs[1][0].peer_mac);
	qspn_kstate_free(a);
	a = build(&s2);
	s2.sys.n_ids = 1;
	b = build(&s2);
	t = plan_text(a, b, &n);
	assert_int_equal(n, 3);
	assert_null(strstr(t, "sed"));
	free(t);
	qspn_kstate_free(a);
	qspn_kstate_free(b);
}

/* doc/protocol/commands.md §L.9: the neighbour's gateway moved to another
 * namespace: same table id, new MAC */
static void test_peer_mac_change(void **state)
{
	struct tsys s, s2;
	struct qspn_kstate *a, *b;
	char *t;

	(void)state;
	setup_4_9(&s);
	a = build(&s);
	tsys_copy(&s2, &s);
	qspn_mac_parse("00:16:3E:EE:AF:D1", s2.arcs[0][0].peer_mac);
	s2.arcs[0][0].peer_linklocal = ip("169.254.27.218");
	b = build(&s2);
	t = plan_text(a, b, NULL);
	BEFORE(t, "ip rule del fwmark 250 table ntk_from_00:16:3E:00:00:01",
	       "ip route flush table ntk_from_00:16:3E:00:00:01");
	BEFORE(t,
	       "iptables -t mangle -D PREROUTING -m mac --mac-source 00:16:3E:00:00:01 -j MARK --set-mark 250",
	       "sed -i '/xxx_table_ntk_from_00:16:3E:00:00:01_xxx/d' /etc/iproute2/rt_tables");
	BEFORE(t,
	       "sed -i '/xxx_table_ntk_from_00:16:3E:00:00:01_xxx/d' /etc/iproute2/rt_tables",
	       "(echo; echo \"250 ntk_from_00:16:3E:EE:AF:D1 # xxx_table_ntk_from_00:16:3E:EE:AF:D1_xxx\") | tee -a /etc/iproute2/rt_tables >/dev/null");
	BEFORE(t,
	       "iptables -t mangle -A PREROUTING -m mac --mac-source 00:16:3E:EE:AF:D1 -j MARK --set-mark 250",
	       "ip route add unreachable 10.0.0.0/29 table ntk_from_00:16:3E:EE:AF:D1");
	BEFORE(t,
	       "ip route add unreachable 10.0.0.0/29 table ntk_from_00:16:3E:EE:AF:D1",
	       "ip rule add fwmark 250 table ntk_from_00:16:3E:EE:AF:D1");
	/* the gateway changed in ntk and in the other tables */
	HAS(t,
	    "ip route change 10.0.0.22/32 table ntk via 169.254.27.218 dev eth1 src 10.0.0.23");
	HAS(t,
	    "ip route change 10.0.0.22/32 table ntk_from_00:16:3E:00:00:02 via 169.254.27.218 dev eth1");
	HAS(t, "ip route del 169.254.1.1 dev eth1 src 169.254.0.1");
	HAS(t, "ip route add 169.254.27.218 dev eth1 src 169.254.0.1");
	free(t);
	qspn_kstate_free(a);
	qspn_kstate_free(b);
}

static void expect_invalid(struct tsys *s, const char *needle)
{
	struct qspn_kstate *ks = NULL;
	char err[256] = "";

	assert_int_equal(qspn_plan_build(&s->sys, &ks, err, sizeof(err)), -1);
	assert_null(ks);
	if (!strstr(err, needle))
		fail_msg("error \"%s\" does not name \"%s\"", err, needle);
}

static void test_validation(void **state)
{
	struct tsys s;

	(void)state;
	setup_4_9(&s);
	s.arcs[0][1].table_id = 251;
	expect_invalid(&s, "identities[0].arcs[1].table_id");
	setup_4_9(&s);
	s.arcs[0][1].table_id = 250; /* same id as arc 0, other MAC */
	expect_invalid(&s, "identities[0].arcs[1].table_id");
	setup_4_9(&s);
	snprintf(s.arcs[0][2].dev, sizeof(s.arcs[0][2].dev), "eth9");
	expect_invalid(&s, "identities[0].arcs[2].dev");
	setup_4_9(&s);
	s.arcs[0][2].id = 1;
	expect_invalid(&s, "identities[0].arcs[2].id");
	setup_4_9(&s);
	tsys_id(&s, "2.1.1.0", "");
	expect_invalid(&s, "identities[1].netns");
	setup_4_9(&s);
	s.sys.subnet_level = 4;
	expect_invalid(&s, "subnet_level");
	setup_4_9(&s);
	tsys_id(&s, "2.1.2.1", "ntkv1");
	tsys_arc(&s, 1, 9, "00:16:3E:00:00:09", "169.254.9.9", 247, NULL);
	s.ids[1].n_pseudodevs = 0;
	expect_invalid(&s, "identities[1].arcs[0].dev");
}

/* the incremental path gives the same operations as the full diff and
 * leaves the same state */
static void test_incremental(void **state)
{
	struct tsys s, s2;
	struct qspn_kstate *a, *b;
	struct qspn_ops inc;
	char *full, *t;
	size_t n, used = 0;

	(void)state;
	setup_4_9(&s);
	a = build(&s);
	/* (2,0): the path via z disappears, only the one via w is left */
	tsys_copy(&s2, &s);
	s2.paths[0].d[2].paths++;
	s2.paths[0].d[2].n_paths = 1;
	b = build(&s2);
	full = plan_text(a, b, &n);
	assert_true(n > 0);
	qspn_ops_init(&inc);
	assert_int_equal(qspn_plan_update_dest(a, &s2.sys, 0,
					       (struct qspn_hcoord){2, 0},
					       &inc),
			 0);
	assert_int_equal(inc.n, n);
	for (size_t i = 0; i < inc.n; i++) {
		char line[512];
		int l = qspn_op_format(&inc.v[i], line, sizeof(line));

		assert_int_equal(strncmp(full + used, line, (size_t)l), 0);
		used += (size_t)l + 1;
	}
	HAS(full,
	    "ip route change 10.0.0.16/30 table ntk via 169.254.2.2 dev eth1 src 10.0.0.23");
	/* from u: the path via w avoids u's g-node; from w: none does */
	HAS(full,
	    "ip route change 10.0.0.16/30 table ntk_from_00:16:3E:00:00:01 via 169.254.2.2 dev eth1");
	HAS(full,
	    "ip route change unreachable 10.0.0.16/30 table ntk_from_00:16:3E:00:00:02");
	/* from z: still unreachable, nothing printed */
	assert_null(
		strstr(full, "10.0.0.16/30 table ntk_from_00:16:3E:00:00:03"));
	/* the updated state is the new state */
	t = plan_text(a, b, &n);
	assert_int_equal(n, 0);
	free(t);
	/* a virtual or out-of-range destination is ignored */
	inc.n = 0;
	assert_int_equal(qspn_plan_update_dest(a, &s2.sys, 0,
					       (struct qspn_hcoord){0, 2},
					       &inc),
			 0);
	assert_int_equal(inc.n, 0);
	assert_int_equal(qspn_plan_update_dest(a, &s2.sys, 5,
					       (struct qspn_hcoord){0, 0},
					       &inc),
			 -1);
	qspn_ops_free(&inc);
	free(full);
	qspn_kstate_free(a);
	qspn_kstate_free(b);
}

/* ids as the scenario allocates them (doc/protocol/scenario.md §4) */
static void test_pick_table_id(void **state)
{
	struct tsys s;
	uint8_t mac[6];

	(void)state;
	/* delta: 250 towards mu, 249 in entr03, then gamma gets 248 */
	tsys_init(&s, "4.2.2.2", "00:16:3E:1A:C4:45", "169.254.253.216");
	tsys_id(&s, "2.1.2.1", "");
	tsys_arc(&s, 0, 3, "00:16:3E:2D:8D:DE", "169.254.119.176", 250,
		 "2.1.2.0");
	tsys_id(&s, "3.1.2.1", "entr03");
	tsys_arc(&s, 1, 1, "00:16:3E:DF:23:F5", "169.254.242.91", 249,
		 "3.1.2.0");
	qspn_mac_parse("00:16:3E:5B:78:D5", mac);
	assert_int_equal(qspn_plan_pick_table_id(&s.sys, mac), 248);
	/* a MAC already in use keeps its id (same rt_tables line) */
	qspn_mac_parse("00:16:3E:DF:23:F5", mac);
	assert_int_equal(qspn_plan_pick_table_id(&s.sys, mac), 249);
	/* entr03 dismissed: 249 is free again, reused before 248 */
	s.sys.n_ids = 1;
	qspn_mac_parse("00:16:3E:5B:78:D5", mac);
	assert_int_equal(qspn_plan_pick_table_id(&s.sys, mac), 249);
	/* all 51 taken */
	{
		static struct qspn_plan_arc many[51];

		for (uint32_t t = 200; t <= 250; t++) {
			struct qspn_plan_arc *x = &many[t - 200];

			x->id = t;
			snprintf(x->dev, sizeof(x->dev), "eth1");
			x->peer_mac[0] = 2;
			x->peer_mac[5] = (uint8_t)t;
			x->qspn = true;
			x->table_id = t;
		}
		s.ids[0].arcs = many;
		s.ids[0].n_arcs = 51;
	}
	qspn_mac_parse("00:16:3E:00:00:99", mac);
	assert_int_equal(qspn_plan_pick_table_id(&s.sys, mac), 0);
}

static void test_format_shapes(void **state)
{
	struct qspn_op op;
	char b[512];

	(void)state;
	memset(&op, 0, sizeof(op));
	op.code = QSPN_OP_ROUTE_CHANGE;
	snprintf(op.ns, sizeof(op.ns), "migr01");
	snprintf(op.table, sizeof(op.table), "ntk_from_00:16:3E:5B:78:D5");
	qspn_prefix_parse("10.0.0.60/31", &op.dst);
	op.rtype = QSPN_RT_VIA;
	op.gw = ip("169.254.94.223");
	snprintf(op.dev, sizeof(op.dev), "migr01_eth1");
	qspn_op_format(&op, b, sizeof(b));
	assert_string_equal(
		b,
		"ip netns exec migr01 ip route change 10.0.0.60/31 table ntk_from_00:16:3E:5B:78:D5 via 169.254.94.223 dev migr01_eth1");
	op.code = QSPN_OP_ROUTE_DEL;
	qspn_op_format(&op, b, sizeof(b));
	assert_string_equal(
		b,
		"ip netns exec migr01 ip route del 10.0.0.60/31 table ntk_from_00:16:3E:5B:78:D5");
	memset(&op, 0, sizeof(op));
	op.code = QSPN_OP_ADDR_DEL;
	snprintf(op.dev, sizeof(op.dev), "eth1");
	op.dst.addr = ip("10.0.0.29");
	op.dst.len = 32;
	qspn_op_format(&op, b, sizeof(b));
	assert_string_equal(b, "ip address del 10.0.0.29/32 dev eth1");
	/* truncation is safe and reports the full length */
	assert_int_equal(qspn_op_format(&op, b, 5),
			 (int)strlen("ip address del 10.0.0.29/32 dev eth1"));
	assert_string_equal(b, "ip a");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_worked_4_9),
		cmocka_unit_test(test_unknown_neighbour),
		cmocka_unit_test(test_src_virtual),
		cmocka_unit_test(test_netmap_lambda),
		cmocka_unit_test(test_ordering),
		cmocka_unit_test(test_dismissal),
		cmocka_unit_test(test_peer_mac_change),
		cmocka_unit_test(test_validation),
		cmocka_unit_test(test_incremental),
		cmocka_unit_test(test_pick_table_id),
		cmocka_unit_test(test_format_shapes),
	};

	return cmocka_run_group_tests_name("plan", tests, NULL, NULL);
}
