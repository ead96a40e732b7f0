// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * auth_bench: the CPU cost of authenticated QSPN (issue 14), per hello and
 * per ETP frame, with and without the MAC.
 *
 *   hello:  encode + seal (sender) and parse + verify + decode (receiver),
 *           against encode + decode without a trailer;
 *   frame:  seal + parse + verify of a 1000-byte frame, against a copy of
 *           it (what the plain framing costs per frame: one memcpy).
 *
 * CPU time of the process, nanoseconds per operation; a measurement, never
 * an assertion.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "qspn_auth.h"
#include "qspn_hello.h"

#define HELLOS 200000
#define FRAMES 100000
#define FRAME_BYTES 1000

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static const struct qspn_hello H = {
	.system_id = 0x1122334455667788ULL,
	.identity_id = 0x99,
	.linklocal = 0xa9fe0102,
	.mac = {2, 0, 0, 0, 0, 1},
	.ifindex = 3,
	.timestamp_us = 1234567890123ULL,
	.network_id = 77,
};

static volatile uint64_t sink;

static double hello_plain(void)
{
	uint8_t buf[QSPN_HELLO_MAX_BYTES];
	struct qspn_hello h;
	const char *why;
	double t0 = now_ns();

	for (int i = 0; i < HELLOS; i++) {
		size_t n = qspn_hello_encode(&H, buf, sizeof(buf));

		qspn_hello_decode(&h, buf, n, &why);
		sink += h.system_id;
	}
	return (now_ns() - t0) / HELLOS;
}

static double hello_mac(struct qspn_hmac *hm, enum qspn_mac_algo algo)
{
	static const uint8_t key[] = "a key of some thirty-two bytes..";
	uint8_t buf[QSPN_HELLO_MAX_BYTES];
	struct qspn_auth_trailer t = {.algo = algo, .key_id = 1, .index = 5};
	struct qspn_auth_trailer r;
	struct qspn_hello h;
	const char *why;
	size_t body;
	double t0 = now_ns();

	for (int i = 0; i < HELLOS; i++) {
		size_t n = qspn_hello_encode(&H, buf, sizeof(buf));

		t.pc = (uint32_t)i;
		n = qspn_auth_hello_seal(hm, buf, n, sizeof(buf), &t, key,
					 sizeof(key) - 1);
		if (qspn_auth_hello_parse(buf, n, &r, &body, &why) != 1 ||
		    !qspn_auth_hello_verify(hm, buf, n, &r, key,
					    sizeof(key) - 1))
			return -1;
		qspn_hello_decode(&h, buf, body, &why);
		sink += h.system_id;
	}
	return (now_ns() - t0) / HELLOS;
}

/* what the plain framing does per frame: the 4-byte header and a copy
 * of the body into the output queue (through a volatile pointer, so the
 * compiler keeps it) */
static void *(*volatile copy)(void *, const void *, size_t) = memcpy;

static double frame_plain(void)
{
	static uint8_t in[FRAME_BYTES], out[FRAME_BYTES + 4];
	double t0 = now_ns();

	for (int i = 0; i < FRAMES * 10; i++) {
		in[0] = (uint8_t)i;
		out[0] = out[1] = 0;
		out[2] = FRAME_BYTES >> 8;
		out[3] = FRAME_BYTES & 0xff;
		copy(out + 4, in, sizeof(in));
		sink += out[4];
	}
	return (now_ns() - t0) / (FRAMES * 10);
}

static double frame_mac(struct qspn_hmac *hm, enum qspn_mac_algo algo)
{
	static const uint8_t key[] = "a key of some thirty-two bytes..";
	static uint8_t buf[FRAME_BYTES + QSPN_AUTH_FRAME_MAX];
	struct qspn_auth_session a, b;
	struct qspn_auth_frame f;
	const char *why;
	double t0;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(a.my_nonce, 1, QSPN_AUTH_NONCE);
	memset(b.my_nonce, 2, QSPN_AUTH_NONCE);
	memcpy(a.peer_nonce, b.my_nonce, QSPN_AUTH_NONCE);
	memcpy(b.peer_nonce, a.my_nonce, QSPN_AUTH_NONCE);
	a.have_peer_nonce = b.have_peer_nonce = true;
	t0 = now_ns();
	for (int i = 0; i < FRAMES; i++) {
		size_t n;

		buf[0] = (uint8_t)i;
		n = FRAME_BYTES +
		    qspn_auth_frame_seal(hm, &a, algo, 1, key, sizeof(key) - 1,
					 buf, FRAME_BYTES, buf + FRAME_BYTES);
		if (qspn_auth_frame_parse(buf, n, &f, &why) < 0 ||
		    qspn_auth_frame_verify(hm, &b, buf, &f, key,
					   sizeof(key) - 1, &why) < 0)
			return -1;
	}
	return (now_ns() - t0) / FRAMES;
}

int main(void)
{
	struct qspn_hmac *hm = qspn_hmac_new();
	double hp, fp;

	if (!hm)
		return 1;
	hp = hello_plain();
	fp = frame_plain();
	printf("hello, no MAC:          %8.0f ns (encode + decode)\n", hp);
	for (enum qspn_mac_algo a = QSPN_MAC_HMAC_SHA256;
	     a <= QSPN_MAC_HMAC_SHA512; a++) {
		double h = hello_mac(hm, a);

		printf("hello, %-13s:  %8.0f ns (+ seal, parse, verify), "
		       "ratio %.1f\n",
		       qspn_mac_algo_str(a), h, h / hp);
	}
	printf("frame %d B, no MAC:   %8.0f ns (copy)\n", FRAME_BYTES, fp);
	for (enum qspn_mac_algo a = QSPN_MAC_HMAC_SHA256;
	     a <= QSPN_MAC_HMAC_SHA512; a++) {
		double f = frame_mac(hm, a);

		printf("frame %d B, %-13s: %8.0f ns (seal, parse, verify), "
		       "ratio %.1f\n",
		       FRAME_BYTES, qspn_mac_algo_str(a), f, f / fp);
	}
	qspn_hmac_free(hm);
	return 0;
}
