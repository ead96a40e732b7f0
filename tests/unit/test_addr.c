// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for lib/qspn_addr.c: topology and address parsing, HCoord. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "qspn_addr.h"

static void test_topology_parse_ok(void **state)
{
	struct qspn_topology t;
	char err[QSPN_ERRBUF_SIZE], buf[64];

	(void)state;
	assert_int_equal(
		qspn_topology_parse(&t, "4.16.256.256", err, sizeof(err)), 0);
	assert_int_equal(t.levels, 4);
	assert_int_equal(t.gsize[0], 256);
	assert_int_equal(t.gsize[3], 4);
	assert_int_equal(t.offset[2], 16);
	assert_int_equal(t.total_bits, 22);
	qspn_topology_format(&t, buf, sizeof(buf));
	assert_string_equal(buf, "4.16.256.256");
}

static void test_topology_parse_errors(void **state)
{
	struct qspn_topology t;
	char err[QSPN_ERRBUF_SIZE];

	(void)state;
	assert_int_equal(qspn_topology_parse(&t, "3.2", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a power of two"));
	assert_int_equal(
		qspn_topology_parse(&t, "8.256.256.256", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "address bits"));
	/* top gsize must hold every level number */
	assert_int_equal(qspn_topology_parse(&t, "2.2.2", err, sizeof(err)),
			 -1);
	assert_int_equal(qspn_topology_parse(&t, "", err, sizeof(err)), -1);
	assert_int_equal(qspn_topology_parse(&t, "4..2", err, sizeof(err)), -1);
	assert_int_equal(qspn_topology_parse(&t, "4.2 ", err, sizeof(err)), -1);
	assert_int_equal(qspn_topology_parse(&t, "1.2", err, sizeof(err)), -1);
}

static void test_naddr(void **state)
{
	struct qspn_topology t;
	struct qspn_naddr a, b;
	struct qspn_hcoord h;
	char err[QSPN_ERRBUF_SIZE], buf[64];

	(void)state;
	assert_int_equal(qspn_topology_parse(&t, "4.2.2.2", err, sizeof(err)),
			 0);
	assert_int_equal(
		qspn_naddr_parse(&a, &t, "3.0.1.0", false, err, sizeof(err)),
		0);
	assert_int_equal(a.pos[3], 3);
	assert_int_equal(a.pos[1], 1);
	qspn_naddr_format(&a, buf, sizeof(buf));
	assert_string_equal(buf, "3.0.1.0");
	assert_int_equal(
		qspn_naddr_parse(&b, &t, "9.9.9.9", false, err, sizeof(err)),
		-1);
	assert_non_null(strstr(err, "out of range"));
	assert_int_equal(
		qspn_naddr_parse(&b, &t, "3.0.1", false, err, sizeof(err)), -1);
	assert_int_equal(
		qspn_naddr_parse(&b, &t, "3.0.2.0", true, err, sizeof(err)), 0);
	assert_false(qspn_naddr_is_real(&b, &t));
	assert_true(qspn_coord_by_address(&a, &b, &h));
	assert_int_equal(h.lvl, 1);
	assert_int_equal(h.pos, 2);
	assert_false(qspn_coord_by_address(&a, &a, &h));
	assert_int_equal(h.lvl, -1);
}

static void test_min_common(void **state)
{
	struct qspn_topology t;
	struct qspn_naddr a, b, c;
	struct qspn_hcoord h;
	char err[QSPN_ERRBUF_SIZE], buf[64];

	(void)state;
	assert_int_equal(qspn_topology_parse(&t, "4.2.2.2", err, sizeof(err)),
			 0);
	/* delta1 2.1.0.1 and gamma0 2.1.1.0: max distinct (1,1), min
	 * common g-node of level 2 */
	assert_int_equal(
		qspn_naddr_parse(&a, &t, "2.1.0.1", false, err, sizeof(err)),
		0);
	assert_int_equal(
		qspn_naddr_parse(&b, &t, "2.1.1.0", false, err, sizeof(err)),
		0);
	assert_true(qspn_coord_by_address(&a, &b, &h));
	assert_int_equal(h.lvl, 1);
	assert_int_equal(h.pos, 1);
	assert_int_equal(qspn_min_common_level(&a, &b), 2);
	/* different top-level g-nodes: the whole network */
	assert_int_equal(
		qspn_naddr_parse(&c, &t, "3.1.0.1", false, err, sizeof(err)),
		0);
	assert_int_equal(qspn_min_common_level(&a, &c), 4);
	assert_int_equal(qspn_min_common_level(&a, &a), 0);
	/* the address of an HCoord */
	c = qspn_hcoord_naddr(&a, h);
	qspn_naddr_format(&c, buf, sizeof(buf));
	assert_string_equal(buf, "2.1.1.1");
	assert_true(qspn_coord_by_address(&a, &c, &h));
	assert_int_equal(h.lvl, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_topology_parse_ok),
		cmocka_unit_test(test_topology_parse_errors),
		cmocka_unit_test(test_naddr),
		cmocka_unit_test(test_min_common),
	};

	return cmocka_run_group_tests_name("addr", tests, NULL, NULL);
}
