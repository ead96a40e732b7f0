// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for lib/qspn_ipv4.c: every row of doc/protocol/routes.md §1.6,
 * every worked example of §1.5, the special ranges of §1.2-1.3 and the
 * destination / local sets of §1.7.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "qspn_ipv4.h"

static void topo(struct qspn_topology *t, const char *text)
{
	char err[QSPN_ERRBUF_SIZE];

	assert_int_equal(qspn_topology_parse(t, text, err, sizeof(err)), 0);
}

/* position vector level 0 first, as in tester.vala */
static struct qspn_naddr vec(int levels, const unsigned *p)
{
	struct qspn_naddr n = {.levels = levels};

	for (int i = 0; i < levels; i++)
		n.pos[i] = p[i];
	return n;
}

static void expect_ip(uint32_t ip, const char *want)
{
	char buf[QSPN_IPV4_STRLEN];

	qspn_ipv4_format(ip, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void expect_pfx(struct qspn_prefix p, const char *want)
{
	char buf[QSPN_IPV4_STRLEN];

	qspn_prefix_format(p, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

enum fn { GN, AN, IN, GG, AG, IG };

struct row {
	int num;
	enum fn fn;
	char topo; /* 'A' or 'B' */
	unsigned pos[4];
	int lvl, k;
	const char *want;
};

/* doc/protocol/routes.md §1.6, rows 1-23 */
static const struct row rows[] = {
	{1, GN, 'A', {1, 0, 1, 3}, 0, 0, "10.0.0.29"},
	{2, GN, 'A', {1, 0, 0, 1}, 0, 0, "10.0.0.9"},
	{3, GN, 'B', {234, 123, 15, 3}, 0, 0, "10.63.123.234"},
	{4, AN, 'A', {1, 0, 1, 3}, 0, 0, "10.0.0.93"},
	{5, AN, 'A', {1, 0, 0, 1}, 0, 0, "10.0.0.73"},
	{6, AN, 'B', {234, 123, 15, 3}, 0, 0, "10.191.123.234"},
	{7, IN, 'A', {1, 0, 1, 3}, 0, 3, "10.0.0.61"},
	{8, IN, 'A', {1, 0, 0, 1}, 0, 3, "10.0.0.57"},
	{9, IN, 'A', {1, 1, 1, 2}, 0, 1, "10.0.0.41"},
	{10, IN, 'B', {234, 123, 15, 3}, 0, 3, "10.127.123.234"},
	{11, IN, 'B', {234, 123, 15, 3}, 0, 0, "10.64.0.0"},
	{12, GG, 'A', {1, 0, 1, 3}, 1, 0, "10.0.0.28/31"},
	{13, GG, 'A', {1, 0, 0, 1}, 1, 0, "10.0.0.8/31"},
	{14, GG, 'B', {234, 123, 15, 3}, 1, 0, "10.63.123.0/24"},
	{15, AG, 'A', {1, 0, 1, 3}, 1, 0, "10.0.0.92/31"},
	{16, AG, 'A', {1, 0, 0, 1}, 1, 0, "10.0.0.72/31"},
	{17, AG, 'A', {1, 0, 0, 1}, 4, 0, "10.0.0.64/27"},
	{18, AG, 'B', {234, 123, 15, 3}, 1, 0, "10.191.123.0/24"},
	{19, IG, 'A', {1, 0, 1, 3}, 1, 3, "10.0.0.60/31"},
	{20, IG, 'A', {1, 0, 0, 1}, 1, 3, "10.0.0.56/31"},
	{21, IG, 'A', {1, 1, 1, 2}, 1, 2, "10.0.0.50/31"},
	{22, IG, 'B', {234, 123, 15, 3}, 1, 3, "10.127.123.0/24"},
	{23, IG, 'B', {234, 123, 15, 3}, 1, 2, "10.96.123.0/24"},
	/* autonomous-subnet vectors, lambda = [0,0,1,1] (1.1.0.0) */
	{24, IG, 'A', {0, 0, 1, 1}, 1, 1, "10.0.0.40/31"},
	{25, IG, 'A', {0, 0, 1, 1}, 1, 2, "10.0.0.48/31"},
	{26, IG, 'A', {0, 0, 1, 1}, 2, 2, "10.0.0.48/30"},
	{27, IG, 'A', {0, 0, 1, 1}, 1, 3, "10.0.0.60/31"},
	{28, IG, 'A', {0, 0, 1, 1}, 3, 3, "10.0.0.56/29"},
	{29, GG, 'A', {0, 0, 1, 1}, 1, 0, "10.0.0.12/31"},
	{30, GG, 'A', {0, 0, 1, 1}, 4, 0, "10.0.0.0/27"},
	{31, AG, 'A', {0, 0, 1, 1}, 1, 0, "10.0.0.76/31"},
	{32, AG, 'A', {0, 0, 1, 1}, 4, 0, "10.0.0.64/27"},
};

static void run_row(const struct row *r)
{
	struct qspn_topology t;
	struct qspn_naddr n;

	topo(&t, r->topo == 'A' ? "4.2.2.2" : "4.16.256.256");
	n = vec(4, r->pos);
	print_message("vector %d\n", r->num);
	switch (r->fn) {
	case GN:
		expect_ip(qspn_ip_global_node(&t, &n), r->want);
		break;
	case AN:
		expect_ip(qspn_ip_anon_node(&t, &n), r->want);
		break;
	case IN:
		expect_ip(qspn_ip_internal_node(&t, &n, r->k), r->want);
		break;
	case GG:
		expect_pfx(qspn_ip_global_gnode(&t, &n, r->lvl), r->want);
		break;
	case AG:
		expect_pfx(qspn_ip_anon_gnode(&t, &n, r->lvl), r->want);
		break;
	case IG:
		expect_pfx(qspn_ip_internal_gnode(&t, &n, r->lvl, r->k),
			   r->want);
		break;
	}
}

#define ROW_TEST(N)                                                            \
	static void test_vector_##N(void **state)                              \
	{                                                                      \
		(void)state;                                                   \
		assert_int_equal(rows[N - 1].num, N);                          \
		run_row(&rows[N - 1]);                                         \
	}
ROW_TEST(1)
ROW_TEST(2)
ROW_TEST(3)
ROW_TEST(4)
ROW_TEST(5)
ROW_TEST(6)
ROW_TEST(7)
ROW_TEST(8)
ROW_TEST(9)
ROW_TEST(10)
ROW_TEST(11)
ROW_TEST(12)
ROW_TEST(13)
ROW_TEST(14)
ROW_TEST(15)
ROW_TEST(16)
ROW_TEST(17)
ROW_TEST(18)
ROW_TEST(19)
ROW_TEST(20)
ROW_TEST(21)
ROW_TEST(22)
ROW_TEST(23)
ROW_TEST(24)
ROW_TEST(25)
ROW_TEST(26)
ROW_TEST(27)
ROW_TEST(28)
ROW_TEST(29)
ROW_TEST(30)
ROW_TEST(31)
ROW_TEST(32)

/* doc/protocol/routes.md §1.5: n = 3.10.123.45, m = 3.10.67.89,
 * o = 2.10.237.242 */
static void test_worked_n(void **state)
{
	struct qspn_topology t;
	struct qspn_naddr n = {.levels = 4, .pos = {45, 123, 10, 3}}, g;

	(void)state;
	topo(&t, "4.16.256.256");
	expect_ip(qspn_ip_global_node(&t, &n), "10.58.123.45");
	expect_ip(qspn_ip_anon_node(&t, &n), "10.186.123.45");
	expect_ip(qspn_ip_internal_node(&t, &n, 3), "10.122.123.45");
	expect_ip(qspn_ip_internal_node(&t, &n, 2), "10.96.123.45");
	expect_ip(qspn_ip_internal_node(&t, &n, 1), "10.80.0.45");
	expect_ip(qspn_ip_internal_node(&t, &n, 0), "10.64.0.0");
	expect_ip(qspn_ip_localhost(&t), "10.64.0.0");
	g = n; /* g-node (2,1) = 3.1 */
	g.pos[2] = 1;
	expect_pfx(qspn_ip_global_gnode(&t, &g, 2), "10.49.0.0/16");
	/* SNAT example */
	expect_pfx(qspn_ip_anon_range(&t), "10.128.0.0/10");
	expect_pfx(qspn_ip_global_range(&t), "10.0.0.0/10");
	expect_pfx(qspn_ip_netsukuku_range(&t), "10.0.0.0/8");
}

static void test_worked_m_o(void **state)
{
	struct qspn_topology t;
	struct qspn_naddr n = {.levels = 4, .pos = {45, 123, 10, 3}};
	struct qspn_naddr m = {.levels = 4, .pos = {89, 67, 10, 3}};
	struct qspn_naddr o = {.levels = 4, .pos = {242, 237, 10, 2}};
	struct qspn_hcoord h;
	struct qspn_dest_ips d;
	struct qspn_local_ips loc;

	(void)state;
	topo(&t, "4.16.256.256");
	expect_ip(qspn_ip_global_node(&t, &m), "10.58.67.89");
	expect_ip(qspn_ip_internal_node(&t, &m, 2), "10.96.67.89");
	assert_true(qspn_coord_by_address(&n, &m, &h));
	assert_int_equal(h.lvl, 1);
	assert_int_equal(h.pos, 67);
	assert_true(qspn_dest_ips(&t, &n, 0, h, &d));
	assert_int_equal(d.n_slots, 4);
	expect_pfx(d.ip[0], "10.58.67.0/24");
	expect_pfx(d.ip[1], "10.186.67.0/24");
	expect_pfx(d.ip[qspn_slot_of_internal(&t, 3)], "10.122.67.0/24");
	expect_pfx(d.ip[qspn_slot_of_internal(&t, 2)], "10.96.67.0/24");
	/* the srcs of those routes */
	qspn_local_ips(&t, &n, &loc);
	assert_true(loc.has_global);
	expect_ip(loc.global, "10.58.123.45");
	expect_ip(loc.intern[2], "10.96.123.45");
	expect_ip(loc.intern[3], "10.122.123.45");

	expect_ip(qspn_ip_global_node(&t, &o), "10.42.237.242");
	assert_true(qspn_coord_by_address(&n, &o, &h));
	assert_int_equal(h.lvl, 3);
	assert_int_equal(h.pos, 2);
	assert_true(qspn_dest_ips(&t, &n, 0, h, &d));
	assert_int_equal(d.n_slots, 2); /* no internal variants */
	expect_pfx(d.ip[0], "10.32.0.0/12");
	expect_pfx(d.ip[1], "10.160.0.0/12");
}

static void test_special_ranges_a(void **state)
{
	struct qspn_topology t;
	struct qspn_naddr n = {.levels = 4, .pos = {0, 0, 1, 1}};

	(void)state;
	topo(&t, "4.2.2.2");
	expect_pfx(qspn_ip_netsukuku_range(&t), "10.0.0.0/25");
	expect_pfx(qspn_ip_global_range(&t), "10.0.0.0/27");
	expect_pfx(qspn_ip_anon_range(&t), "10.0.0.64/27");
	expect_ip(qspn_ip_localhost(&t), "10.0.0.32");
	/* internal range of my level-k g-node seen inside itself */
	expect_pfx(qspn_ip_internal_gnode(&t, &n, 1, 1), "10.0.0.40/31");
	/* internal level k -> level number in the top field */
	n = (struct qspn_naddr){.levels = 4, .pos = {0, 0, 0, 0}};
	expect_pfx(qspn_ip_internal_gnode(&t, &n, 3, 3), "10.0.0.56/29");
	expect_pfx(qspn_ip_internal_gnode(&t, &n, 2, 2), "10.0.0.48/30");
	expect_pfx(qspn_ip_internal_gnode(&t, &n, 1, 1), "10.0.0.40/31");
	expect_pfx(qspn_ip_internal_gnode(&t, &n, 0, 0), "10.0.0.32/32");
}

static void test_parse_format(void **state)
{
	uint32_t ip;
	struct qspn_prefix p;

	(void)state;
	assert_int_equal(qspn_ipv4_parse("169.254.94.223", &ip), 0);
	expect_ip(ip, "169.254.94.223");
	assert_int_equal(qspn_ipv4_parse("169.254.94", &ip), -1);
	assert_int_equal(qspn_ipv4_parse("169.254.94.256", &ip), -1);
	assert_int_equal(qspn_ipv4_parse("1.2.3.4 ", &ip), -1);
	assert_int_equal(qspn_ipv4_parse("1.2.3.4/32", &ip), -1);
	assert_int_equal(qspn_prefix_parse("10.0.0.64/27", &p), 0);
	assert_int_equal(p.len, 27);
	expect_pfx(p, "10.0.0.64/27");
	assert_int_equal(qspn_prefix_parse("10.0.0.23", &p), 0);
	assert_int_equal(p.len, 32);
	assert_int_equal(qspn_prefix_parse("10.0.0.65/27", &p), -1);
	assert_int_equal(qspn_prefix_parse("10.0.0.64/33", &p), -1);
}

/* Collect every computable IP of every destination, in §4.4 order. */
static void dests_text(const struct qspn_topology *t,
		       const struct qspn_naddr *n, int s, char *out, size_t len)
{
	size_t used = 0;

	out[0] = '\0';
	for (int x = 0; x < qspn_dest_space(t, s); x++) {
		struct qspn_dest_ips d;
		struct qspn_hcoord h = qspn_dest_at(t, s, x);

		assert_int_equal(qspn_dest_index(t, s, h), x);
		if (!qspn_dest_ips(t, n, s, h, &d))
			continue;
		for (int k = 0; k < d.n_slots; k++) {
			char b[QSPN_IPV4_STRLEN];

			if (!d.present[k])
				continue;
			qspn_prefix_format(d.ip[k], b, sizeof(b));
			/* only the last octet and the length (10.0.0.x) */
			used += (size_t)snprintf(out + used, len - used, "%s%s",
						 used ? " " : "", b + 7);
		}
	}
}

static struct qspn_naddr addr(const struct qspn_topology *t, const char *s)
{
	struct qspn_naddr n;
	char err[QSPN_ERRBUF_SIZE];

	assert_int_equal(qspn_naddr_parse(&n, t, s, true, err, sizeof(err)), 0);
	return n;
}

static void test_dest_sets(void **state)
{
	struct qspn_topology t;
	struct qspn_naddr n;
	char buf[1024];

	(void)state;
	topo(&t, "4.2.2.2");
	/* §1.7, 1.0.1.0 */
	n = addr(&t, "1.0.1.0");
	dests_text(&t, &n, 0, buf, sizeof(buf));
	assert_string_equal(buf,
			    "0/29 64/29 16/29 80/29 24/29 88/29 "
			    "12/30 76/30 60/30 "
			    "8/31 72/31 56/31 48/31 "
			    "11/32 75/32 59/32 51/32 41/32");
	/* §1.7, 2.1.1.2 (virtual at level 0) */
	n = addr(&t, "2.1.1.2");
	dests_text(&t, &n, 0, buf, sizeof(buf));
	assert_string_equal(buf,
			    "0/29 64/29 8/29 72/29 24/29 88/29 "
			    "16/30 80/30 56/30 "
			    "20/31 84/31 60/31 48/31 "
			    "22/32 86/32 62/32 50/32 40/32 "
			    "23/32 87/32 63/32 51/32 41/32");
	/* after make_real to 2.1.1.1, (0,1) disappears */
	n = addr(&t, "2.1.1.1");
	dests_text(&t, &n, 0, buf, sizeof(buf));
	assert_null(strstr(buf, "23/32"));
	assert_non_null(strstr(buf, "22/32 86/32 62/32 50/32 40/32"));
	/* §1.7, 3.1.2.1 (connectivity, virtual at level 1) */
	n = addr(&t, "3.1.2.1");
	dests_text(&t, &n, 0, buf, sizeof(buf));
	assert_string_equal(buf,
			    "0/29 64/29 8/29 72/29 16/29 80/29 "
			    "24/30 88/30 56/30 "
			    "28/31 92/31 60/31 48/31 "
			    "30/31 94/31 62/31 50/31 "
			    "40/32");
	/* §1.7, 1.1.0.0 with subnetlevel 1 */
	n = addr(&t, "1.1.0.0");
	dests_text(&t, &n, 1, buf, sizeof(buf));
	assert_string_equal(buf,
			    "0/29 64/29 16/29 80/29 24/29 88/29 "
			    "8/30 72/30 56/30 "
			    "14/31 78/31 62/31 50/31");
	/* doc/protocol/scenario.md §1: alpha0 = 3.0.1.0, 18 routes */
	n = addr(&t, "3.0.1.0");
	dests_text(&t, &n, 0, buf, sizeof(buf));
	assert_string_equal(buf,
			    "0/29 64/29 8/29 72/29 16/29 80/29 "
			    "28/30 92/30 60/30 "
			    "24/31 88/31 56/31 48/31 "
			    "27/32 91/32 59/32 51/32 41/32");
}

static void test_dest_not_destinations(void **state)
{
	struct qspn_topology t;
	struct qspn_naddr n;
	struct qspn_dest_ips d;

	(void)state;
	topo(&t, "4.2.2.2");
	n = addr(&t, "1.0.1.0");
	/* own g-node */
	assert_false(qspn_dest_ips(&t, &n, 0, (struct qspn_hcoord){1, 1}, &d));
	/* virtual destination reported by QSPN */
	assert_false(qspn_dest_ips(&t, &n, 0, (struct qspn_hcoord){0, 2}, &d));
	/* below the subnet level */
	assert_false(qspn_dest_ips(&t, &n, 1, (struct qspn_hcoord){0, 1}, &d));
	assert_int_equal(qspn_dest_index(&t, 1, (struct qspn_hcoord){0, 1}),
			 -1);
	assert_int_equal(qspn_dest_space(&t, 0), 4 + 2 + 2 + 2);
	assert_int_equal(qspn_dest_space(&t, 1), 4 + 2 + 2);
}

static void test_route_count(void **state)
{
	struct qspn_topology t;
	struct qspn_naddr n;
	int count;

	(void)state;
	/* §1.4: 18 routes per table in A, 2346 in B */
	topo(&t, "4.16.256.256");
	n = addr(&t, "3.10.123.45");
	count = 0;
	for (int x = 0; x < qspn_dest_space(&t, 0); x++) {
		struct qspn_dest_ips d;

		if (qspn_dest_ips(&t, &n, 0, qspn_dest_at(&t, 0, x), &d))
			for (int k = 0; k < d.n_slots; k++)
				count += d.present[k];
	}
	assert_int_equal(count, 2346);
}

static void test_local_sets(void **state)
{
	struct qspn_topology t;
	struct qspn_naddr n;
	struct qspn_local_ips l;

	(void)state;
	topo(&t, "4.2.2.2");
	n = addr(&t, "1.0.1.0");
	qspn_local_ips(&t, &n, &l);
	assert_true(l.has_global);
	expect_ip(l.global, "10.0.0.10");
	expect_ip(l.anon, "10.0.0.74");
	expect_ip(l.intern[3], "10.0.0.58");
	expect_ip(l.intern[2], "10.0.0.50");
	expect_ip(l.intern[1], "10.0.0.40");
	expect_ip(qspn_ip_localhost(&t), "10.0.0.32");
	/* 2.1.1.2: nothing computable */
	n = addr(&t, "2.1.1.2");
	qspn_local_ips(&t, &n, &l);
	assert_false(l.has_global);
	for (int k = 1; k < 4; k++)
		assert_false(l.has_intern[k]);
	/* 2.1.1.1 after make_real */
	n = addr(&t, "2.1.1.1");
	qspn_local_ips(&t, &n, &l);
	expect_ip(l.global, "10.0.0.23");
	expect_ip(l.anon, "10.0.0.87");
	expect_ip(l.intern[3], "10.0.0.63");
	expect_ip(l.intern[2], "10.0.0.51");
	expect_ip(l.intern[1], "10.0.0.41");
	/* 2.1.2.1 (delta1, virtual level 1): only intern[1] */
	n = addr(&t, "2.1.2.1");
	qspn_local_ips(&t, &n, &l);
	assert_false(l.has_global);
	assert_false(l.has_intern[3]);
	assert_false(l.has_intern[2]);
	assert_true(l.has_intern[1]);
	expect_ip(l.intern[1], "10.0.0.41");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vector_1),
		cmocka_unit_test(test_vector_2),
		cmocka_unit_test(test_vector_3),
		cmocka_unit_test(test_vector_4),
		cmocka_unit_test(test_vector_5),
		cmocka_unit_test(test_vector_6),
		cmocka_unit_test(test_vector_7),
		cmocka_unit_test(test_vector_8),
		cmocka_unit_test(test_vector_9),
		cmocka_unit_test(test_vector_10),
		cmocka_unit_test(test_vector_11),
		cmocka_unit_test(test_vector_12),
		cmocka_unit_test(test_vector_13),
		cmocka_unit_test(test_vector_14),
		cmocka_unit_test(test_vector_15),
		cmocka_unit_test(test_vector_16),
		cmocka_unit_test(test_vector_17),
		cmocka_unit_test(test_vector_18),
		cmocka_unit_test(test_vector_19),
		cmocka_unit_test(test_vector_20),
		cmocka_unit_test(test_vector_21),
		cmocka_unit_test(test_vector_22),
		cmocka_unit_test(test_vector_23),
		cmocka_unit_test(test_vector_24),
		cmocka_unit_test(test_vector_25),
		cmocka_unit_test(test_vector_26),
		cmocka_unit_test(test_vector_27),
		cmocka_unit_test(test_vector_28),
		cmocka_unit_test(test_vector_29),
		cmocka_unit_test(test_vector_30),
		cmocka_unit_test(test_vector_31),
		cmocka_unit_test(test_vector_32),
		cmocka_unit_test(test_worked_n),
		cmocka_unit_test(test_worked_m_o),
		cmocka_unit_test(test_special_ranges_a),
		cmocka_unit_test(test_parse_format),
		cmocka_unit_test(test_dest_sets),
		cmocka_unit_test(test_dest_not_destinations),
		cmocka_unit_test(test_route_count),
		cmocka_unit_test(test_local_sets),
	};

	return cmocka_run_group_tests_name("ipv4", tests, NULL, NULL);
}
