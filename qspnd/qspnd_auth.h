/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qspnd_auth.h: authenticated QSPN in the daemon (doc/security.md): the
 * keys come from FRR's key chains (`key chain`, lib/keychain.h), named per
 * interface with `qspn authentication key-chain NAME`; the wire format and
 * the tables are libqspn's (lib/qspn_auth.h).  qspnd_neigh.c calls in on
 * every hello it sends and receives, qspnd_session.c on every ETP frame.
 *
 * Modes (per interface, with a key chain): strict: hellos and sessions are
 * signed, and only what verifies is accepted; permissive (for roll-out):
 * signed the same, but a hello that does not verify (none, unknown key, bad
 * MAC) is accepted as unauthenticated and counted, and the session with an
 * unauthenticated neighbour is a plain one.  Without a key chain the
 * interface does no authentication (and ignores trailers).
 *
 * Keys are never logged: debug output names key ids only.
 */
#ifndef QSPND_AUTH_H
#define QSPND_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qspn_auth.h"
#include "qspn_hello.h"

#define QSPND_AUTH_PEERS 64	 /* replay windows per port */
#define QSPND_AUTH_CHALLENGES 16 /* pending challenges per port */

enum qspnd_auth_mode {
	QSPND_AUTH_STRICT = 0,
	QSPND_AUTH_PERMISSIVE = 1,
};

/* Counters, by what happened (show qspn summary json "authentication"). */
struct qspnd_auth_counters {
	uint64_t hellos_signed, hellos_verified;
	uint64_t hellos_unauth_accepted; /* permissive */
	/* hellos dropped, by reason */
	uint64_t drop_unauth, drop_bad_trailer, drop_key_unknown,
		drop_bad_mac, drop_replay, drop_unproven,
		drop_challenges_full, drop_peers_full, drop_neighbours_full;
	uint64_t challenges_sent, challenges_answered, challenge_replies;
	uint64_t no_send_key;
	/* sessions */
	uint64_t sessions_auth, frames_signed, frames_verified;
	uint64_t session_bad_start, session_key_unknown, session_bad_mac,
		session_replay, session_timeout;
};

/* Per port (one identity on one NIC): what its hellos carry and what it
 * knows of its neighbours'. */
struct qspnd_auth_port {
	uint64_t index; /* boot nonce: new every start */
	uint32_t pc;
	struct qspn_auth_peer peers[QSPND_AUTH_PEERS];
	struct qspn_auth_challenge chals[QSPND_AUTH_CHALLENGES];
	/* for the next hello */
	uint64_t req_target, req_nonce, reply_nonce;
};

/* what a received hello told */
struct qspnd_auth_rx {
	bool authenticated;
	uint32_t key_id;
	bool send_now; /* a challenge or reply to send: a hello now */
};

enum qspnd_auth_verdict {
	QSPND_AUTH_ACCEPT,
	QSPND_AUTH_DROP,    /* counted here */
	QSPND_AUTH_BAD_HELLO, /* not a hello (*why) */
};

void qspnd_auth_init(void);
void qspnd_auth_terminate(void);
void qspnd_auth_port_init(struct qspnd_auth_port *ap);

/* the interface (NIC) name has a key chain configured */
bool qspnd_auth_enabled(const char *nic);
/*
 * Sign hello buf[0..len) (cap bytes of room) as port ap's next one on nic.
 * Returns the length to send (len itself without authentication), or 0:
 * send nothing (strict, and no key to send with).
 */
size_t qspnd_auth_hello_out(struct qspnd_auth_port *ap, const char *nic,
			    uint8_t *buf, size_t len, size_t cap);
/*
 * A datagram received on port ap (on nic): decode it into *h and judge it.
 * self_id: our system id (our own hellos are not judged).
 */
enum qspnd_auth_verdict
qspnd_auth_hello_in(struct qspnd_auth_port *ap, const char *nic,
		    const uint8_t *buf, size_t len, uint64_t self_id,
		    uint64_t now_ms, struct qspn_hello *h,
		    struct qspnd_auth_rx *rx, const char **why);
/* a new neighbour was refused: the port's table is full */
void qspnd_auth_count_neighbours_full(void);

/* a session with a neighbour heard (un)authenticated on nic is signed */
bool qspnd_auth_session_wanted(const char *nic, bool peer_authenticated);
/* the key to sign with on nic: false if none */
bool qspnd_auth_send_key(const char *nic, enum qspn_mac_algo *algo,
			 uint32_t *key_id, const uint8_t **key, size_t *keylen);
/* the key of id key_id, if nic's key chain accepts it now with algo */
bool qspnd_auth_accept_key(const char *nic, uint32_t key_id,
			   enum qspn_mac_algo algo, const uint8_t **key,
			   size_t *keylen);
struct qspn_hmac *qspnd_auth_hmac(void);
struct qspnd_auth_counters *qspnd_auth_counters(void);
const char *qspnd_auth_mode_str(enum qspnd_auth_mode m);

#endif /* QSPND_AUTH_H */
