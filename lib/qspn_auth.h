/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qspn_auth.h: authenticated QSPN on the wire (doc/security.md): the MAC
 * trailer of a Hello, the replay window and the challenges of the hello
 * receiver, and the authenticated framing of an ETP session.
 *
 * Pure: keys, the time and the tables come in as arguments; nothing here
 * reads a clock, keeps a key or has a global.
 *
 * Hello trailer.  The trailer travels as field 15 (length-delimited) of the
 * qspn.Packet, after the Hello: a receiver that does no authentication
 * skips it as an unknown field, so a router in permissive mode still talks
 * to one without keys.  Layout (big-endian), right after the tag 0x7a and
 * the one-byte length L:
 *
 *    0  magic 'Q' 'A', version 1, algorithm (enum qspn_mac_algo)
 *    4  key id (4)
 *    8  index: the sender's boot nonce (8)        RFC 8967 §4.1 "index"
 *   16  packet counter, per index (4)             RFC 8967 §4.1 "pc"
 *   20  flags (1): 1 challenge request, 2 challenge reply; reserved (1)
 *   22  challenge target: the system id asked (8)
 *   30  challenge request nonce (8)
 *   38  challenge reply nonce (8)
 *   46  MAC (32, 48 or 64 bytes)
 *  46+m L again (1)
 *
 * The MAC is HMAC(key, every byte of the datagram before the MAC).  The
 * last byte repeats L, so the receiver finds the trailer from the end.
 */
#ifndef QSPN_AUTH_H
#define QSPN_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qspn_hmac.h"

#define QSPN_AUTH_TAG 0x7a /* protobuf field 15, wire type 2 */
#define QSPN_AUTH_HDR 46
#define QSPN_AUTH_FLAG_CHAL_REQ 0x01
#define QSPN_AUTH_FLAG_CHAL_REPLY 0x02
/* the most a trailer adds to a datagram */
#define QSPN_AUTH_TRAILER_MAX (2 + QSPN_AUTH_HDR + QSPN_MAC_MAX + 1)

struct qspn_auth_trailer {
	enum qspn_mac_algo algo;
	uint32_t key_id;
	uint64_t index;
	uint32_t pc;
	uint8_t flags;
	uint64_t chal_target;
	uint64_t chal_req;
	uint64_t chal_reply;
	const uint8_t *mac; /* parse: into the datagram */
};

/*
 * Append the trailer t to the datagram buf[0..len) (cap bytes of room) and
 * sign it.  Returns the new length, or 0 (no room, unknown algorithm).
 */
size_t qspn_auth_hello_seal(struct qspn_hmac *h, uint8_t *buf, size_t len,
			    size_t cap, const struct qspn_auth_trailer *t,
			    const uint8_t *key, size_t keylen);

/*
 * Find the trailer at the end of buf[0..len).  Returns 1 with *t and
 * *body_len (the bytes before the trailer: the Hello itself), 0 if there is
 * none (*body_len = len), -1 if one is there but malformed (*reason).
 */
int qspn_auth_hello_parse(const uint8_t *buf, size_t len,
			  struct qspn_auth_trailer *t, size_t *body_len,
			  const char **reason);

/* the trailer's MAC is right for this key (t from qspn_auth_hello_parse on
 * the same buf and len) */
bool qspn_auth_hello_verify(struct qspn_hmac *h, const uint8_t *buf,
			    size_t len, const struct qspn_auth_trailer *t,
			    const uint8_t *key, size_t keylen);

/* ---- replay window: the highest counter per (sender, key id) ----------- */

struct qspn_auth_peer {
	uint64_t sender; /* 0: free slot */
	uint32_t key_id;
	uint64_t index;
	uint32_t pc;
	uint64_t last_ms;
};

enum qspn_auth_replay {
	QSPN_AUTH_FRESH,     /* newer than anything seen: accept */
	QSPN_AUTH_REPLAYED,  /* not newer: drop */
	QSPN_AUTH_UNPROVEN,  /* unknown sender or new index: challenge it */
};

/*
 * Judge (index, pc) from (sender, key id) against the table (cap slots).
 * A key id not seen yet from a known sender is fresh when it continues the
 * sender's current index (a key rollover needs no challenge).
 */
enum qspn_auth_replay qspn_auth_replay_check(const struct qspn_auth_peer *tab,
					     size_t cap, uint64_t sender,
					     uint32_t key_id, uint64_t index,
					     uint32_t pc);
/*
 * Record (index, pc) as the newest from (sender, key id); a full table
 * gives up its least recently heard slot if it was last heard before
 * now_ms - min_age_ms.  False when nothing could be given up (counted by
 * the caller).
 */
bool qspn_auth_replay_commit(struct qspn_auth_peer *tab, size_t cap,
			     uint64_t sender, uint32_t key_id, uint64_t index,
			     uint32_t pc, uint64_t now_ms, uint64_t min_age_ms);

/* ---- challenges: nonces sent to unproven senders ------------------------ */

struct qspn_auth_challenge {
	uint64_t target; /* 0: free slot */
	uint64_t nonce;
	uint64_t sent_ms;
};

/*
 * A challenge for target with nonce (!= 0).  Returns 1 (added), 0 (one is
 * pending for target, sent less than resend_ms ago: nothing to send), -1
 * (the table is full of pending ones: dropped).  Challenges older than
 * expire_ms are forgotten first.
 */
int qspn_auth_challenge_add(struct qspn_auth_challenge *tab, size_t cap,
			    uint64_t target, uint64_t nonce, uint64_t now_ms,
			    uint64_t resend_ms, uint64_t expire_ms);
/* target answered nonce, and it is pending (and not expired): removes it */
bool qspn_auth_challenge_match(struct qspn_auth_challenge *tab, size_t cap,
			       uint64_t target, uint64_t nonce,
			       uint64_t now_ms, uint64_t expire_ms);
size_t qspn_auth_challenge_count(const struct qspn_auth_challenge *tab,
				 size_t cap);

/* ---- ETP sessions ------------------------------------------------------- *
 *
 * Session start: the first frame each side sends is
 *    'Q' 'S' version 1, 0, nonce (16)
 * (QSPN_AUTH_START_LEN bytes).  Every later frame is the frame's bytes and
 * a trailer
 *    key id (4), sequence number (8), MAC, algorithm (1)
 * (the algorithm last, so the receiver finds the trailer from the end) with
 * MAC = HMAC(key, "QSPN-ETP" || sender's nonce || receiver's nonce ||
 * key id || algorithm || sequence number || frame).  Sequence numbers
 * start at 1 in each direction and go up by one per frame: a frame out of
 * turn (replayed, reordered, dropped) or signed for another session fails.
 */
#define QSPN_AUTH_NONCE 16
#define QSPN_AUTH_START_LEN (4 + QSPN_AUTH_NONCE)
#define QSPN_AUTH_FRAME_HDR 13
#define QSPN_AUTH_FRAME_MAX (QSPN_AUTH_FRAME_HDR + QSPN_MAC_MAX)

struct qspn_auth_session {
	uint8_t my_nonce[QSPN_AUTH_NONCE];
	uint8_t peer_nonce[QSPN_AUTH_NONCE];
	bool have_peer_nonce;
	uint64_t seq_out; /* last sent */
	uint64_t seq_in;  /* last accepted */
};

size_t qspn_auth_start_encode(const struct qspn_auth_session *s, uint8_t *buf,
			      size_t cap);
/* 0: s->peer_nonce set; -1 (*reason) */
int qspn_auth_start_parse(struct qspn_auth_session *s, const uint8_t *buf,
			  size_t len, const char **reason);

/*
 * Sign frame body[0..len) as the next frame: writes the trailer to out
 * (QSPN_AUTH_FRAME_MAX bytes of room) and returns its length (0: error).
 */
size_t qspn_auth_frame_seal(struct qspn_hmac *h, struct qspn_auth_session *s,
			    enum qspn_mac_algo algo, uint32_t key_id,
			    const uint8_t *key, size_t keylen,
			    const uint8_t *body, size_t len, uint8_t *out);

struct qspn_auth_frame {
	uint32_t key_id;
	enum qspn_mac_algo algo;
	uint64_t seq;
	size_t body_len; /* the frame without the trailer */
	const uint8_t *mac;
};

/* Split a received frame; 0, or -1 (*reason). */
int qspn_auth_frame_parse(const uint8_t *buf, size_t len,
			  struct qspn_auth_frame *f, const char **reason);
/*
 * Check a parsed frame with the key of f->key_id: its sequence number must
 * be the next one, its MAC right.  0 (s->seq_in advanced), or -1 (*reason).
 */
int qspn_auth_frame_verify(struct qspn_hmac *h, struct qspn_auth_session *s,
			   const uint8_t *buf, const struct qspn_auth_frame *f,
			   const uint8_t *key, size_t keylen,
			   const char **reason);

#endif /* QSPN_AUTH_H */
