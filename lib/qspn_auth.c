// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qspn_auth.c: hello trailers, replay windows, challenges and the
 * authenticated ETP framing (see qspn_auth.h, doc/security.md).
 */
#include "qspn_auth.h"

#include <string.h>

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

static uint32_t get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | p[3];
}

static uint64_t get64(const uint8_t *p)
{
	return ((uint64_t)get32(p) << 32) | get32(p + 4);
}

/* ---- hello trailer ------------------------------------------------------ */

size_t qspn_auth_hello_seal(struct qspn_hmac *h, uint8_t *buf, size_t len,
			    size_t cap, const struct qspn_auth_trailer *t,
			    const uint8_t *key, size_t keylen)
{
	size_t m = qspn_mac_len(t->algo);
	size_t l = QSPN_AUTH_HDR + m + 1; /* the field's length */
	uint8_t *p = buf + len, mac[QSPN_MAC_MAX];
	struct qspn_iov iov;

	if (!m || len > cap || cap - len < 2 + l)
		return 0;
	p[0] = QSPN_AUTH_TAG;
	p[1] = (uint8_t)l;
	p += 2;
	p[0] = 'Q';
	p[1] = 'A';
	p[2] = 1;
	p[3] = (uint8_t)t->algo;
	put32(p + 4, t->key_id);
	put64(p + 8, t->index);
	put32(p + 16, t->pc);
	p[20] = t->flags;
	p[21] = 0;
	put64(p + 22, t->chal_target);
	put64(p + 30, t->chal_req);
	put64(p + 38, t->chal_reply);
	iov.base = buf;
	iov.len = len + 2 + QSPN_AUTH_HDR;
	if (qspn_hmac(h, t->algo, key, keylen, &iov, 1, mac) != m)
		return 0;
	memcpy(p + QSPN_AUTH_HDR, mac, m);
	p[QSPN_AUTH_HDR + m] = (uint8_t)l;
	return len + 2 + l;
}

int qspn_auth_hello_parse(const uint8_t *buf, size_t len,
			  struct qspn_auth_trailer *t, size_t *body_len,
			  const char **reason)
{
	const uint8_t *p;
	size_t l, m;

	*body_len = len;
	*reason = NULL;
	if (len < 2 + QSPN_AUTH_HDR + 1)
		return 0;
	l = buf[len - 1];
	/* a trailer: the tag and L before it, and its magic */
	if (l < QSPN_AUTH_HDR + 1 || l + 2 > len ||
	    buf[len - l - 2] != QSPN_AUTH_TAG || buf[len - l - 1] != l)
		return 0;
	p = buf + len - l;
	if (p[0] != 'Q' || p[1] != 'A')
		return 0;
	if (p[2] != 1) {
		*reason = "unknown trailer version";
		return -1;
	}
	memset(t, 0, sizeof(*t));
	t->algo = (enum qspn_mac_algo)p[3];
	m = qspn_mac_len(t->algo);
	if (!m) {
		*reason = "unknown MAC algorithm";
		return -1;
	}
	if (l != QSPN_AUTH_HDR + m + 1) {
		*reason = "trailer length does not match the algorithm";
		return -1;
	}
	t->key_id = get32(p + 4);
	t->index = get64(p + 8);
	t->pc = get32(p + 16);
	t->flags = p[20];
	if (t->flags & ~(QSPN_AUTH_FLAG_CHAL_REQ | QSPN_AUTH_FLAG_CHAL_REPLY)) {
		*reason = "unknown trailer flags";
		return -1;
	}
	t->chal_target = get64(p + 22);
	t->chal_req = get64(p + 30);
	t->chal_reply = get64(p + 38);
	if (((t->flags & QSPN_AUTH_FLAG_CHAL_REQ) != 0) !=
		    (t->chal_req != 0 && t->chal_target != 0) ||
	    ((t->flags & QSPN_AUTH_FLAG_CHAL_REPLY) != 0) !=
		    (t->chal_reply != 0)) {
		*reason = "challenge flags and nonces disagree";
		return -1;
	}
	t->mac = p + QSPN_AUTH_HDR;
	*body_len = len - l - 2;
	return 1;
}

bool qspn_auth_hello_verify(struct qspn_hmac *h, const uint8_t *buf,
			    size_t len, const struct qspn_auth_trailer *t,
			    const uint8_t *key, size_t keylen)
{
	size_t m = qspn_mac_len(t->algo);
	uint8_t mac[QSPN_MAC_MAX];
	struct qspn_iov iov;

	if (!m || !t->mac || t->mac < buf || t->mac + m + 1 != buf + len)
		return false;
	iov.base = buf;
	iov.len = (size_t)(t->mac - buf);
	if (qspn_hmac(h, t->algo, key, keylen, &iov, 1, mac) != m)
		return false;
	return qspn_mac_equal(mac, t->mac, m);
}

/* ---- replay window ------------------------------------------------------ */

static const struct qspn_auth_peer *
peer_find(const struct qspn_auth_peer *tab, size_t cap, uint64_t sender,
	  uint32_t key_id)
{
	for (size_t i = 0; i < cap; i++)
		if (tab[i].sender == sender && tab[i].key_id == key_id)
			return &tab[i];
	return NULL;
}

enum qspn_auth_replay qspn_auth_replay_check(const struct qspn_auth_peer *tab,
					     size_t cap, uint64_t sender,
					     uint32_t key_id, uint64_t index,
					     uint32_t pc)
{
	const struct qspn_auth_peer *e;

	if (!sender)
		return QSPN_AUTH_UNPROVEN;
	e = peer_find(tab, cap, sender, key_id);
	if (e) {
		if (e->index != index)
			return QSPN_AUTH_UNPROVEN;
		return pc > e->pc ? QSPN_AUTH_FRESH : QSPN_AUTH_REPLAYED;
	}
	/* another key of the same sender, same boot: its counter goes on */
	for (size_t i = 0; i < cap; i++)
		if (tab[i].sender == sender && tab[i].index == index)
			return pc > tab[i].pc ? QSPN_AUTH_FRESH
					      : QSPN_AUTH_REPLAYED;
	return QSPN_AUTH_UNPROVEN;
}

bool qspn_auth_replay_commit(struct qspn_auth_peer *tab, size_t cap,
			     uint64_t sender, uint32_t key_id, uint64_t index,
			     uint32_t pc, uint64_t now_ms, uint64_t min_age_ms)
{
	struct qspn_auth_peer *e = NULL, *oldest = NULL;

	if (!sender)
		return false;
	for (size_t i = 0; i < cap; i++) {
		struct qspn_auth_peer *x = &tab[i];

		if (x->sender == sender && x->key_id == key_id) {
			e = x;
			break;
		}
		if (!x->sender) {
			if (!e)
				e = x;
		} else if (!oldest || x->last_ms < oldest->last_ms)
			oldest = x;
	}
	if (!e) {
		if (!oldest || now_ms - oldest->last_ms < min_age_ms)
			return false;
		e = oldest;
	}
	e->sender = sender;
	e->key_id = key_id;
	e->index = index;
	e->pc = pc;
	e->last_ms = now_ms;
	/* a new index of the sender ends the old one under every key */
	for (size_t i = 0; i < cap; i++)
		if (&tab[i] != e && tab[i].sender == sender &&
		    tab[i].index != index)
			memset(&tab[i], 0, sizeof(tab[i]));
	return true;
}

/* ---- challenges --------------------------------------------------------- */

static void challenges_expire(struct qspn_auth_challenge *tab, size_t cap,
			      uint64_t now_ms, uint64_t expire_ms)
{
	for (size_t i = 0; i < cap; i++)
		if (tab[i].target && now_ms - tab[i].sent_ms > expire_ms)
			memset(&tab[i], 0, sizeof(tab[i]));
}

int qspn_auth_challenge_add(struct qspn_auth_challenge *tab, size_t cap,
			    uint64_t target, uint64_t nonce, uint64_t now_ms,
			    uint64_t resend_ms, uint64_t expire_ms)
{
	struct qspn_auth_challenge *free_slot = NULL;

	if (!target || !nonce)
		return -1;
	challenges_expire(tab, cap, now_ms, expire_ms);
	for (size_t i = 0; i < cap; i++) {
		if (tab[i].target == target) {
			if (now_ms - tab[i].sent_ms < resend_ms)
				return 0;
			/* unanswered: a new nonce replaces the old one */
			free_slot = &tab[i];
			break;
		}
		if (!tab[i].target && !free_slot)
			free_slot = &tab[i];
	}
	if (!free_slot)
		return -1;
	free_slot->target = target;
	free_slot->nonce = nonce;
	free_slot->sent_ms = now_ms;
	return 1;
}

bool qspn_auth_challenge_match(struct qspn_auth_challenge *tab, size_t cap,
			       uint64_t target, uint64_t nonce,
			       uint64_t now_ms, uint64_t expire_ms)
{
	challenges_expire(tab, cap, now_ms, expire_ms);
	if (!target || !nonce)
		return false;
	for (size_t i = 0; i < cap; i++)
		if (tab[i].target == target && tab[i].nonce == nonce) {
			memset(&tab[i], 0, sizeof(tab[i]));
			return true;
		}
	return false;
}

size_t qspn_auth_challenge_count(const struct qspn_auth_challenge *tab,
				 size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; i < cap; i++)
		n += tab[i].target != 0;
	return n;
}

/* ---- ETP sessions ------------------------------------------------------- */

size_t qspn_auth_start_encode(const struct qspn_auth_session *s, uint8_t *buf,
			      size_t cap)
{
	if (cap < QSPN_AUTH_START_LEN)
		return 0;
	buf[0] = 'Q';
	buf[1] = 'S';
	buf[2] = 1;
	buf[3] = 0;
	memcpy(buf + 4, s->my_nonce, QSPN_AUTH_NONCE);
	return QSPN_AUTH_START_LEN;
}

int qspn_auth_start_parse(struct qspn_auth_session *s, const uint8_t *buf,
			  size_t len, const char **reason)
{
	static const uint8_t zero[QSPN_AUTH_NONCE];

	if (len != QSPN_AUTH_START_LEN || buf[0] != 'Q' || buf[1] != 'S') {
		*reason = "no session start";
		return -1;
	}
	if (buf[2] != 1 || buf[3] != 0) {
		*reason = "unknown session start version";
		return -1;
	}
	if (memcmp(buf + 4, zero, QSPN_AUTH_NONCE) == 0 ||
	    memcmp(buf + 4, s->my_nonce, QSPN_AUTH_NONCE) == 0) {
		/* ours reflected, or none */
		*reason = "bad session nonce";
		return -1;
	}
	memcpy(s->peer_nonce, buf + 4, QSPN_AUTH_NONCE);
	s->have_peer_nonce = true;
	return 0;
}

static size_t frame_mac(struct qspn_hmac *h, const uint8_t *from_nonce,
			const uint8_t *to_nonce, enum qspn_mac_algo algo,
			const uint8_t hdr[12], const uint8_t *key,
			size_t keylen, const uint8_t *body, size_t len,
			uint8_t *mac)
{
	uint8_t a = (uint8_t)algo;
	struct qspn_iov iov[] = {
		{"QSPN-ETP", 8},
		{from_nonce, QSPN_AUTH_NONCE},
		{to_nonce, QSPN_AUTH_NONCE},
		{hdr, 12},
		{&a, 1},
		{body, len},
	};

	return qspn_hmac(h, algo, key, keylen, iov, 6, mac);
}

size_t qspn_auth_frame_seal(struct qspn_hmac *h, struct qspn_auth_session *s,
			    enum qspn_mac_algo algo, uint32_t key_id,
			    const uint8_t *key, size_t keylen,
			    const uint8_t *body, size_t len, uint8_t *out)
{
	size_t m = qspn_mac_len(algo);

	if (!m || !s->have_peer_nonce)
		return 0;
	put32(out, key_id);
	put64(out + 4, s->seq_out + 1);
	if (frame_mac(h, s->my_nonce, s->peer_nonce, algo, out, key, keylen,
		      body, len, out + 12) != m)
		return 0;
	out[12 + m] = (uint8_t)algo;
	s->seq_out++;
	return QSPN_AUTH_FRAME_HDR + m;
}

int qspn_auth_frame_parse(const uint8_t *buf, size_t len,
			  struct qspn_auth_frame *f, const char **reason)
{
	size_t m;

	if (len < QSPN_AUTH_FRAME_HDR + 32) {
		*reason = "frame too short for its MAC";
		return -1;
	}
	f->algo = (enum qspn_mac_algo)buf[len - 1];
	m = qspn_mac_len(f->algo);
	if (!m) {
		*reason = "unknown MAC algorithm";
		return -1;
	}
	if (len < QSPN_AUTH_FRAME_HDR + m) {
		*reason = "frame too short for its MAC";
		return -1;
	}
	f->body_len = len - QSPN_AUTH_FRAME_HDR - m;
	f->key_id = get32(buf + f->body_len);
	f->seq = get64(buf + f->body_len + 4);
	f->mac = buf + f->body_len + 12;
	return 0;
}

int qspn_auth_frame_verify(struct qspn_hmac *h, struct qspn_auth_session *s,
			   const uint8_t *buf, const struct qspn_auth_frame *f,
			   const uint8_t *key, size_t keylen,
			   const char **reason)
{
	size_t m = qspn_mac_len(f->algo);
	uint8_t mac[QSPN_MAC_MAX];

	if (!s->have_peer_nonce) {
		*reason = "frame before the session start";
		return -1;
	}
	if (f->seq != s->seq_in + 1) {
		*reason = f->seq <= s->seq_in ? "replayed frame"
					      : "frame out of order";
		return -1;
	}
	if (frame_mac(h, s->peer_nonce, s->my_nonce, f->algo,
		      buf + f->body_len, key, keylen, buf, f->body_len,
		      mac) != m ||
	    !qspn_mac_equal(mac, f->mac, m)) {
		*reason = "bad frame MAC";
		return -1;
	}
	s->seq_in++;
	return 0;
}
