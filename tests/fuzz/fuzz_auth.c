// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_auth.c: libFuzzer target for the parsers of authenticated QSPN
 * (lib/qspn_auth.h, issue 14): the hello trailer, the ETP session start and
 * the authenticated frame trailer.
 *
 * Input: one mode byte, then the bytes.
 *   mode % 4 == 0: a datagram on the hello port: the trailer parser, the
 *                  hello decoder on what is before it, the MAC check and
 *                  the replay window and challenge tables (kept across
 *                  inputs, so their bounds are exercised too);
 *   mode % 4 == 1: a session start, then (the rest of a session) frames;
 *   mode % 4 == 2: one frame on a started session;
 *   mode % 4 == 3: the bytes as a hello body, sealed then parsed back: it
 *                  must verify (a round-trip invariant; abort otherwise).
 * QSPN_FUZZ_AUTH_MODE=N (0-3) in the environment holds every input to mode
 * N, to spend a whole run on one parser (the mode byte is still consumed).
 * Built with clang by `make fuzz-auth`; without -DQSPN_LIBFUZZER a main()
 * replays files (the regression run of `make check` over
 * tests/fuzz/corpus-auth).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qspn_auth.h"
#include "qspn_hello.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t key[] = "fuzz key";
static struct qspn_hmac *hm;
static struct qspn_auth_peer peers[8];
static struct qspn_auth_challenge chals[4];
static uint64_t now;

static void hello_input(const uint8_t *d, size_t n)
{
	struct qspn_auth_trailer t;
	struct qspn_hello h;
	const char *why;
	size_t body;
	int r = qspn_auth_hello_parse(d, n, &t, &body, &why);

	if (r < 0) {
		if (!why)
			abort();
		return;
	}
	if (body > n)
		abort();
	if (qspn_hello_decode(&h, d, body, &why) < 0 || r == 0)
		return;
	if (qspn_auth_hello_verify(hm, d, n, &t, key, sizeof(key) - 1) ||
	    t.pc & 1) {
		/* as if verified: drive the tables */
		now += t.pc & 0xfff;
		if (qspn_auth_replay_check(peers, 8, h.system_id, t.key_id,
					   t.index, t.pc) != QSPN_AUTH_FRESH)
			qspn_auth_challenge_add(chals, 4, h.system_id,
						t.index | 1, now, 500, 3000);
		if (t.chal_reply)
			qspn_auth_challenge_match(chals, 4, h.system_id,
						  t.chal_reply, now, 3000);
		qspn_auth_replay_commit(peers, 8, h.system_id, t.key_id,
					t.index, t.pc, now, 100);
		if (qspn_auth_challenge_count(chals, 4) > 4)
			abort();
	}
}

static void frame_input(struct qspn_auth_session *s, const uint8_t *d,
			size_t n)
{
	struct qspn_auth_frame f;
	const char *why;

	if (qspn_auth_frame_parse(d, n, &f, &why) < 0)
		return;
	if (f.body_len > n || f.mac < d || f.mac + qspn_mac_len(f.algo) > d + n)
		abort();
	(void)qspn_auth_frame_verify(hm, s, d, &f, key, sizeof(key) - 1,
				     &why);
}

static void seal_input(const uint8_t *d, size_t n)
{
	uint8_t buf[512];
	struct qspn_auth_trailer t = {.algo = (enum qspn_mac_algo)(1 + n % 3),
				      .key_id = (uint32_t)n,
				      .index = 42,
				      .pc = 7};
	struct qspn_auth_trailer back;
	const char *why;
	size_t len, body;

	if (n > 300)
		return;
	memcpy(buf, d, n);
	len = qspn_auth_hello_seal(hm, buf, n, sizeof(buf), &t, key,
				   sizeof(key) - 1);
	if (!len)
		abort();
	if (qspn_auth_hello_parse(buf, len, &back, &body, &why) != 1 ||
	    body != n || back.key_id != t.key_id || back.pc != 7 ||
	    !qspn_auth_hello_verify(hm, buf, len, &back, key, sizeof(key) - 1))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int forced = -2;
	struct qspn_auth_session s;
	const char *why;
	int mode;

	if (!hm && !(hm = qspn_hmac_new()))
		abort();
	if (forced == -2) {
		const char *e = getenv("QSPN_FUZZ_AUTH_MODE");

		forced = e && *e >= '0' && *e <= '3' ? *e - '0' : -1;
	}
	if (size < 1)
		return 0;
	mode = forced >= 0 ? forced : data[0] % 4;
	memset(&s, 0, sizeof(s));
	memset(s.my_nonce, 0x5a, sizeof(s.my_nonce));
	switch (mode) {
	case 0:
		hello_input(data + 1, size - 1);
		break;
	case 1:
		if (qspn_auth_start_parse(&s, data + 1,
					  (size - 1 < QSPN_AUTH_START_LEN ? size - 1 : QSPN_AUTH_START_LEN), &why) == 0 &&
		    size - 1 > QSPN_AUTH_START_LEN)
			frame_input(&s, data + 1 + QSPN_AUTH_START_LEN,
				    size - 1 - QSPN_AUTH_START_LEN);
		break;
	case 2:
		memset(s.peer_nonce, 0xa5, sizeof(s.peer_nonce));
		s.have_peer_nonce = true;
		frame_input(&s, data + 1, size - 1);
		break;
	default:
		seal_input(data + 1, size - 1);
		break;
	}
	return 0;
}

#ifndef QSPN_LIBFUZZER
/* Replay files (a corpus regression run). */
int main(int argc, char **argv)
{
	int n = 0;

	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		uint8_t *buf;
		long len;

		if (!f) {
			perror(argv[i]);
			return 1;
		}
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		fseek(f, 0, SEEK_SET);
		buf = malloc(len > 0 ? (size_t)len : 1);
		if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
			fclose(f);
			free(buf);
			return 1;
		}
		fclose(f);
		LLVMFuzzerTestOneInput(buf, (size_t)len);
		free(buf);
		n++;
	}
	qspn_hmac_free(hm);
	printf("replayed %d inputs\n", n);
	return 0;
}
#endif
