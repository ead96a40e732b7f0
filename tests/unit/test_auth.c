// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for lib/qspn_hmac.c and lib/qspn_auth.c: MACs against the
 * RFC 4231 vectors, hello trailers (good, one bit flipped, wrong key,
 * replayed counter, unproven sender, key rollover), challenges, and the
 * authenticated ETP framing (good, flipped bit, replayed, reordered, from an
 * old session, reflected).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "qspn_auth.h"
#include "qspn_hello.h"

static struct qspn_hmac *H;
static const uint8_t K1[] = "correct horse battery staple";
static const uint8_t K2[] = "another key";

static int setup(void **state)
{
	(void)state;
	H = qspn_hmac_new();
	return H ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	qspn_hmac_free(H);
	return 0;
}

/* RFC 4231 test case 2 ("Jefe") */
static void test_rfc4231(void **state)
{
	static const uint8_t sha256[] = {
		0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e, 0x6a, 0x04, 0x24,
		0x26, 0x08, 0x95, 0x75, 0xc7, 0x5a, 0x00, 0x3f, 0x08, 0x9d, 0x27,
		0x39, 0x83, 0x9d, 0xec, 0x58, 0xb9, 0x64, 0xec, 0x38, 0x43};
	static const uint8_t sha512_head[] = {0x16, 0x4b, 0x7a, 0x7b,
					      0xfc, 0xf8, 0x19, 0xe2};
	struct qspn_iov iov[] = {{"what do ya want ", 16},
				 {"for nothing?", 12}};
	uint8_t out[QSPN_MAC_MAX];

	(void)state;
	assert_int_equal(qspn_hmac(H, QSPN_MAC_HMAC_SHA256,
				   (const uint8_t *)"Jefe", 4, iov, 2, out),
			 32);
	assert_memory_equal(out, sha256, 32);
	assert_int_equal(qspn_hmac(H, QSPN_MAC_HMAC_SHA512,
				   (const uint8_t *)"Jefe", 4, iov, 2, out),
			 64);
	assert_memory_equal(out, sha512_head, 8);
	assert_int_equal(qspn_hmac(H, QSPN_MAC_NONE, K1, 4, iov, 2, out), 0);
	assert_true(qspn_mac_equal(sha256, sha256, 32));
	assert_false(qspn_mac_equal(sha256, sha512_head, 8));
}

static size_t make_hello(uint8_t *buf, size_t cap, enum qspn_mac_algo algo,
			 uint32_t key_id, const uint8_t *key, uint32_t pc)
{
	struct qspn_hello h = {.system_id = 7, .identity_id = 9,
			       .mac = {2, 0, 0, 0, 0, 1}, .timestamp_us = 5};
	struct qspn_auth_trailer t = {.algo = algo, .key_id = key_id,
				      .index = 0xabcdef, .pc = pc};
	size_t n = qspn_hello_encode(&h, buf, cap);

	assert_true(n > 0);
	return qspn_auth_hello_seal(H, buf, n, cap, &t, key,
				    strlen((const char *)key));
}

static void test_hello_trailer(void **state)
{
	uint8_t buf[QSPN_HELLO_MAX_BYTES];
	struct qspn_auth_trailer t;
	struct qspn_hello h;
	const char *why;
	size_t n, body;
	enum qspn_mac_algo algos[] = {QSPN_MAC_HMAC_SHA256,
				      QSPN_MAC_HMAC_SHA384,
				      QSPN_MAC_HMAC_SHA512};

	(void)state;
	for (size_t a = 0; a < 3; a++) {
		n = make_hello(buf, sizeof(buf), algos[a], 3, K1, 1);
		assert_true(n > 0);
		/* a receiver without authentication still decodes it */
		assert_int_equal(qspn_hello_decode(&h, buf, n, &why), 0);
		assert_int_equal(h.system_id, 7);
		/* good MAC accepted */
		assert_int_equal(qspn_auth_hello_parse(buf, n, &t, &body, &why),
				 1);
		assert_int_equal(t.key_id, 3);
		assert_int_equal(t.index, 0xabcdef);
		assert_int_equal(t.pc, 1);
		assert_int_equal(t.algo, algos[a]);
		assert_int_equal(qspn_hello_decode(&h, buf, body, &why), 0);
		assert_true(qspn_auth_hello_verify(H, buf, n, &t, K1,
						   strlen((char *)K1)));
		/* the wrong key */
		assert_false(qspn_auth_hello_verify(H, buf, n, &t, K2,
						    strlen((char *)K2)));
		/* every single flipped bit before the MAC's end is caught
		 * (by the parser or by the MAC) */
		for (size_t i = 0; i < (n - 1) * 8; i++) {
			int r;

			buf[i / 8] ^= (uint8_t)(1u << (i % 8));
			r = qspn_auth_hello_parse(buf, n, &t, &body, &why);
			assert_false(r == 1 && qspn_auth_hello_verify(
						       H, buf, n, &t, K1,
						       strlen((char *)K1)));
			buf[i / 8] ^= (uint8_t)(1u << (i % 8));
		}
	}
	/* no trailer: 0, the whole datagram is the hello */
	n = qspn_hello_encode(&(struct qspn_hello){.system_id = 1,
						   .identity_id = 1},
			      buf, sizeof(buf));
	assert_int_equal(qspn_auth_hello_parse(buf, n, &t, &body, &why), 0);
	assert_int_equal(body, n);
	/* no room */
	assert_int_equal(make_hello(buf, 80, QSPN_MAC_HMAC_SHA512, 1, K1, 1),
			 0);
}

static void test_replay_window(void **state)
{
	struct qspn_auth_peer tab[2];

	(void)state;
	memset(tab, 0, sizeof(tab));
	/* unknown sender: challenge it */
	assert_int_equal(qspn_auth_replay_check(tab, 2, 7, 1, 100, 5),
			 QSPN_AUTH_UNPROVEN);
	assert_true(qspn_auth_replay_commit(tab, 2, 7, 1, 100, 5, 0, 10));
	assert_int_equal(qspn_auth_replay_check(tab, 2, 7, 1, 100, 6),
			 QSPN_AUTH_FRESH);
	/* replayed counter rejected, and an older one */
	assert_int_equal(qspn_auth_replay_check(tab, 2, 7, 1, 100, 5),
			 QSPN_AUTH_REPLAYED);
	assert_int_equal(qspn_auth_replay_check(tab, 2, 7, 1, 100, 4),
			 QSPN_AUTH_REPLAYED);
	/* a new index (the sender restarted, or a replay of an old boot):
	 * proven only by a challenge */
	assert_int_equal(qspn_auth_replay_check(tab, 2, 7, 1, 101, 1000),
			 QSPN_AUTH_UNPROVEN);
	/* key rollover: key 2 continues the index */
	assert_int_equal(qspn_auth_replay_check(tab, 2, 7, 2, 100, 6),
			 QSPN_AUTH_FRESH);
	assert_int_equal(qspn_auth_replay_check(tab, 2, 7, 2, 100, 5),
			 QSPN_AUTH_REPLAYED);
	assert_true(qspn_auth_replay_commit(tab, 2, 7, 2, 100, 6, 1, 10));
	/* full: a third sender only displaces one older than min_age */
	assert_false(qspn_auth_replay_commit(tab, 2, 8, 1, 1, 1, 5, 10));
	assert_true(qspn_auth_replay_commit(tab, 2, 8, 1, 1, 1, 20, 10));
	/* a new index of sender 7 (after a challenge) drops its old one */
	assert_true(qspn_auth_replay_commit(tab, 2, 7, 1, 101, 1, 30, 10));
	assert_int_equal(qspn_auth_replay_check(tab, 2, 7, 2, 100, 7),
			 QSPN_AUTH_UNPROVEN);
}

static void test_challenges(void **state)
{
	struct qspn_auth_challenge tab[2];

	(void)state;
	memset(tab, 0, sizeof(tab));
	assert_int_equal(qspn_auth_challenge_add(tab, 2, 7, 111, 0, 500, 3000),
			 1);
	/* not again within resend_ms */
	assert_int_equal(
		qspn_auth_challenge_add(tab, 2, 7, 112, 100, 500, 3000), 0);
	assert_int_equal(
		qspn_auth_challenge_add(tab, 2, 8, 222, 100, 500, 3000), 1);
	/* full */
	assert_int_equal(
		qspn_auth_challenge_add(tab, 2, 9, 333, 200, 500, 3000), -1);
	assert_int_equal(qspn_auth_challenge_count(tab, 2), 2);
	/* a wrong nonce, or the nonce from another sender, does not match */
	assert_false(qspn_auth_challenge_match(tab, 2, 7, 222, 300, 3000));
	assert_false(qspn_auth_challenge_match(tab, 2, 7, 112, 300, 3000));
	assert_true(qspn_auth_challenge_match(tab, 2, 7, 111, 300, 3000));
	/* once only */
	assert_false(qspn_auth_challenge_match(tab, 2, 7, 111, 300, 3000));
	/* expired */
	assert_false(qspn_auth_challenge_match(tab, 2, 8, 222, 4000, 3000));
	assert_int_equal(qspn_auth_challenge_count(tab, 2), 0);
}

/* two ends of a session, started */
static void session_pair(struct qspn_auth_session *a,
			 struct qspn_auth_session *b, uint8_t seed)
{
	uint8_t buf[QSPN_AUTH_START_LEN];
	const char *why;

	memset(a, 0, sizeof(*a));
	memset(b, 0, sizeof(*b));
	memset(a->my_nonce, seed, QSPN_AUTH_NONCE);
	memset(b->my_nonce, seed + 1, QSPN_AUTH_NONCE);
	assert_int_equal(qspn_auth_start_encode(a, buf, sizeof(buf)),
			 QSPN_AUTH_START_LEN);
	assert_int_equal(qspn_auth_start_parse(b, buf, sizeof(buf), &why), 0);
	assert_int_equal(qspn_auth_start_encode(b, buf, sizeof(buf)),
			 QSPN_AUTH_START_LEN);
	assert_int_equal(qspn_auth_start_parse(a, buf, sizeof(buf), &why), 0);
}

/* a frame "body" signed by s into out; returns its length */
static size_t frame(struct qspn_auth_session *s, const char *body,
		    uint8_t *out, const uint8_t *key)
{
	size_t n = strlen(body), t;

	memcpy(out, body, n);
	t = qspn_auth_frame_seal(H, s, QSPN_MAC_HMAC_SHA256, 4, key,
				 strlen((const char *)key),
				 (const uint8_t *)body, n, out + n);
	assert_true(t > 0);
	return n + t;
}

static int rx(struct qspn_auth_session *s, const uint8_t *buf, size_t len,
	      const uint8_t *key, const char **why)
{
	struct qspn_auth_frame f;

	if (qspn_auth_frame_parse(buf, len, &f, why) < 0)
		return -1;
	return qspn_auth_frame_verify(H, s, buf, &f, key,
				      strlen((const char *)key), why);
}

static void test_session(void **state)
{
	struct qspn_auth_session a, b, a2, b2;
	uint8_t f1[128], f2[128], f3[128], old[128], start[32];
	size_t n1, n2, n3, nold;
	const char *why;

	(void)state;
	session_pair(&a, &b, 1);
	n1 = frame(&a, "first", f1, K1);
	n2 = frame(&a, "second", f2, K1);
	n3 = frame(&a, "third", f3, K1);
	/* good frame accepted */
	assert_int_equal(rx(&b, f1, n1, K1, &why), 0);
	/* replayed frame rejected */
	assert_int_equal(rx(&b, f1, n1, K1, &why), -1);
	assert_string_equal(why, "replayed frame");
	/* reordered frame rejected */
	assert_int_equal(rx(&b, f3, n3, K1, &why), -1);
	assert_string_equal(why, "frame out of order");
	/* one flipped bit rejected, then the real one goes through */
	f2[1] ^= 0x10;
	assert_int_equal(rx(&b, f2, n2, K1, &why), -1);
	assert_string_equal(why, "bad frame MAC");
	f2[1] ^= 0x10;
	/* the wrong key */
	assert_int_equal(rx(&b, f2, n2, K2, &why), -1);
	assert_int_equal(rx(&b, f2, n2, K1, &why), 0);
	assert_int_equal(rx(&b, f3, n3, K1, &why), 0);
	/* b's own frames reflected back to b are not a's */
	n1 = frame(&b, "echo", f1, K1);
	assert_int_equal(rx(&b, f1, n1, K1, &why), -1);
	/* a frame from an old session, sequence number and all */
	session_pair(&a2, &b2, 1 + 16);
	nold = frame(&a, "stale", old, K1);
	(void)frame(&a2, "x", f1, K1);
	assert_int_equal(rx(&b2, old, nold, K1, &why), -1); /* seq 4 != 1 */
	session_pair(&a2, &b2, 1 + 32);
	memset(&a, 0, sizeof(a));
	memset(a.my_nonce, 1, QSPN_AUTH_NONCE);
	memcpy(a.peer_nonce, b.my_nonce, QSPN_AUTH_NONCE);
	a.have_peer_nonce = true;
	nold = frame(&a, "stale", old, K1); /* seq 1 of the old session */
	assert_int_equal(rx(&b2, old, nold, K1, &why), -1);
	assert_string_equal(why, "bad frame MAC");
	/* the start: reflected nonce, wrong size, unknown version */
	assert_int_equal(qspn_auth_start_encode(&b2, start, sizeof(start)),
			 QSPN_AUTH_START_LEN);
	assert_int_equal(
		qspn_auth_start_parse(&b2, start, QSPN_AUTH_START_LEN, &why),
		-1);
	assert_int_equal(qspn_auth_start_parse(&a2, start,
					       QSPN_AUTH_START_LEN - 1, &why),
			 -1);
	start[2] = 2;
	assert_int_equal(
		qspn_auth_start_parse(&a2, start, QSPN_AUTH_START_LEN, &why),
		-1);
	/* frames before the start */
	memset(&b, 0, sizeof(b));
	assert_int_equal(rx(&b, f3, n3, K1, &why), -1);
	/* short or unknown-algorithm frames */
	assert_int_equal(rx(&b2, f3, 10, K1, &why), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4231),
		cmocka_unit_test(test_hello_trailer),
		cmocka_unit_test(test_replay_window),
		cmocka_unit_test(test_challenges),
		cmocka_unit_test(test_session),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
