// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for lib/qspn_hello.c: round trip and strict rejection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "qspn_hello.h"

static const struct qspn_hello sample = {
	.system_id = 0x1122334455667788ULL,
	.identity_id = 42,
	.linklocal = 0xa9fe0102, /* 169.254.1.2 */
	.mac = {0x00, 0x16, 0x3e, 0x5b, 0x78, 0xd5},
	.ifindex = 7,
	.timestamp_us = 123456789,
	.echo_us = 987654321,
	.echo_system_id = 99,
	.network_id = 3,
	.leaving = true,
	.connectivity = true,
	.prev_identity_id = 0x55,
	.want_echo = true,
	.interval_ms = 2500,
	.echo_hold_us = 1234,
};

static void test_round_trip(void **state)
{
	uint8_t buf[QSPN_HELLO_MAX_BYTES];
	struct qspn_hello h;
	const char *why;
	size_t n;

	(void)state;
	n = qspn_hello_encode(&sample, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(qspn_hello_decode(&h, buf, n, &why), 0);
	assert_null(why);
	assert_memory_equal(&h, &sample, sizeof(h));
	/* too small a buffer */
	assert_int_equal(qspn_hello_encode(&sample, buf, 4), 0);
}

static void expect_reject(const struct qspn_hello *in, const char *reason)
{
	uint8_t buf[QSPN_HELLO_MAX_BYTES];
	struct qspn_hello h;
	const char *why = NULL;
	size_t n = qspn_hello_encode(in, buf, sizeof(buf));

	assert_true(n > 0);
	assert_int_equal(qspn_hello_decode(&h, buf, n, &why), -1);
	assert_string_equal(why, reason);
}

static void test_semantic_rejections(void **state)
{
	struct qspn_hello h;

	(void)state;
	h = sample;
	h.system_id = 0;
	expect_reject(&h, "null identifier");
	h = sample;
	h.linklocal = 0x0a000001;
	expect_reject(&h, "link-local outside 169.254.0.0/16");
	h = sample;
	h.echo_system_id = 0;
	expect_reject(&h, "half an echo");
	h = sample;
	h.echo_us = 0;
	h.echo_system_id = 0;
	expect_reject(&h, "hold time without an echo");
	h = sample;
	h.interval_ms = QSPN_HELLO_INTERVAL_MIN_MS - 1;
	expect_reject(&h, "hello interval out of range");
	h = sample;
	h.interval_ms = QSPN_HELLO_INTERVAL_MAX_MS + 1;
	expect_reject(&h, "hello interval out of range");
}

/* An older qspnd's hello has neither field: it decodes as "1 s, echo
 * every hello" (interval 0, no request), and it is shorter by both. */
static void test_older_sender(void **state)
{
	uint8_t buf[QSPN_HELLO_MAX_BYTES], obuf[QSPN_HELLO_MAX_BYTES];
	struct qspn_hello h, old = sample;
	const char *why;
	size_t n, on;

	(void)state;
	old.want_echo = false;
	old.interval_ms = 0;
	old.echo_hold_us = 0;
	on = qspn_hello_encode(&old, obuf, sizeof(obuf));
	n = qspn_hello_encode(&sample, buf, sizeof(buf));
	assert_true(on > 0 && n > on);
	assert_int_equal(qspn_hello_decode(&h, obuf, on, &why), 0);
	assert_false(h.want_echo);
	assert_int_equal(h.interval_ms, 0);
	/* and the fields of an older hello are where they were */
	assert_int_equal(h.system_id, sample.system_id);
	assert_int_equal(h.timestamp_us, sample.timestamp_us);
}

static void test_garbage(void **state)
{
	uint8_t buf[QSPN_HELLO_MAX_BYTES], big[QSPN_HELLO_MAX_BYTES + 1];
	struct qspn_hello h;
	const char *why;
	size_t n;

	(void)state;
	n = qspn_hello_encode(&sample, buf, sizeof(buf));
	/* every truncation is rejected or decodes to a valid hello */
	for (size_t i = 0; i < n; i++) {
		int r = qspn_hello_decode(&h, buf, i, &why);

		assert_true(r == -1 || (r == 0 && why == NULL));
		if (r == -1)
			assert_non_null(why);
	}
	memset(big, 0xff, sizeof(big));
	assert_int_equal(qspn_hello_decode(&h, big, sizeof(big), &why), -1);
	assert_string_equal(why, "too big");
	assert_int_equal(qspn_hello_decode(&h, big, 40, &why), -1);
	assert_string_equal(why, "undecodable");
	/* a valid packet that is not a hello: just the version field */
	buf[0] = 0x08;
	buf[1] = 0x01;
	assert_int_equal(qspn_hello_decode(&h, buf, 2, &why), -1);
	assert_string_equal(why, "not a hello");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_semantic_rejections),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_older_sender),
	};

	return cmocka_run_group_tests_name("hello", tests, NULL, NULL);
}
