// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qspnd_auth.c: key chains, hello trailers and session keys
 * (qspnd_auth.h, doc/security.md).
 *
 * Crypto: OpenSSL's libcrypto (lib/qspn_hmac.c).  libfrr has an HMAC-SHA-256
 * of its own (lib/sha256.c) but no SHA-512 and no constant-time compare,
 * and Debian's libfrr is built without OpenSSL; libcrypto is the library
 * every distribution keeps patched.
 */
#include <zebra.h>

#include "lib/if.h"
#include "lib/keychain.h"
#include "lib/log.h"
#include "lib/vrf.h"
#include "qspnd_frr.h"

#include "qspnd.h"
#include "qspnd_auth.h"
#include "qspnd_debug.h"

#define AUTH_PEER_MIN_AGE_MS 10000 /* a replay window given up: unheard */
#define CHALLENGE_RESEND_MS 500
#define CHALLENGE_EXPIRE_MS 3000

static struct {
	struct qspn_hmac *hmac;
	struct qspnd_auth_counters c;
} auth;

void qspnd_auth_init(void)
{
	qspnd_keychain_init();
	auth.hmac = qspn_hmac_new();
	if (!auth.hmac)
		zlog_err("libcrypto has no HMAC: authentication cannot work");
}

void qspnd_auth_terminate(void)
{
	qspn_hmac_free(auth.hmac);
	auth.hmac = NULL;
}

struct qspn_hmac *qspnd_auth_hmac(void)
{
	return auth.hmac;
}

struct qspnd_auth_counters *qspnd_auth_counters(void)
{
	return &auth.c;
}

const char *qspnd_auth_mode_str(enum qspnd_auth_mode m)
{
	return m == QSPND_AUTH_PERMISSIVE ? "permissive" : "strict";
}

void qspnd_auth_port_init(struct qspnd_auth_port *ap)
{
	memset(ap, 0, sizeof(*ap));
	ap->index = qspnd_random64();
}

void qspnd_auth_count_neighbours_full(void)
{
	auth.c.drop_neighbours_full++;
}

static const struct qspnd_if *auth_if(const char *nic)
{
	struct interface *ifp = if_lookup_by_name(nic, VRF_DEFAULT);
	const struct qspnd_if *qif = ifp ? qspnd_if_get(ifp) : NULL;

	return qif && qif->auth_keychain[0] ? qif : NULL;
}

bool qspnd_auth_enabled(const char *nic)
{
	return auth_if(nic) != NULL;
}

bool qspnd_auth_session_wanted(const char *nic, bool peer_authenticated)
{
	const struct qspnd_if *qif = auth_if(nic);

	return qif && (qif->auth_mode == QSPND_AUTH_STRICT ||
		       peer_authenticated);
}

/* FRR's algorithm of a key, as ours; a key without one is HMAC-SHA-256 */
static enum qspn_mac_algo key_algo(const struct key *k)
{
	switch (k->hash_algo) {
	case KEYCHAIN_ALGO_NULL:
	case KEYCHAIN_ALGO_HMAC_SHA256:
		return QSPN_MAC_HMAC_SHA256;
	case KEYCHAIN_ALGO_HMAC_SHA384:
		return QSPN_MAC_HMAC_SHA384;
	case KEYCHAIN_ALGO_HMAC_SHA512:
		return QSPN_MAC_HMAC_SHA512;
	default: /* MD5, SHA-1: not for QSPN */
		return QSPN_MAC_NONE;
	}
}

bool qspnd_auth_send_key(const char *nic, enum qspn_mac_algo *algo,
			 uint32_t *key_id, const uint8_t **key, size_t *keylen)
{
	const struct qspnd_if *qif = auth_if(nic);
	struct keychain *kc = qif ? keychain_lookup(qif->auth_keychain) : NULL;
	struct key *k = kc ? key_lookup_for_send(kc) : NULL;

	if (!k || !k->string || key_algo(k) == QSPN_MAC_NONE)
		return false;
	*algo = key_algo(k);
	*key_id = k->index;
	*key = (const uint8_t *)k->string;
	*keylen = strlen(k->string);
	return true;
}

bool qspnd_auth_accept_key(const char *nic, uint32_t key_id,
			   enum qspn_mac_algo algo, const uint8_t **key,
			   size_t *keylen)
{
	const struct qspnd_if *qif = auth_if(nic);
	struct keychain *kc = qif ? keychain_lookup(qif->auth_keychain) : NULL;
	struct key *k = kc ? key_lookup_for_accept(kc, key_id) : NULL;

	if (!k || !k->string || key_algo(k) != algo)
		return false;
	*key = (const uint8_t *)k->string;
	*keylen = strlen(k->string);
	return true;
}

size_t qspnd_auth_hello_out(struct qspnd_auth_port *ap, const char *nic,
			    uint8_t *buf, size_t len, size_t cap)
{
	const struct qspnd_if *qif = auth_if(nic);
	struct qspn_auth_trailer t = {};
	const uint8_t *key;
	size_t keylen, n;

	if (!qif)
		return len;
	if (!auth.hmac ||
	    !qspnd_auth_send_key(nic, &t.algo, &t.key_id, &key, &keylen)) {
		auth.c.no_send_key++;
		QSPND_DEBUG(packets, "hello on %s: no key to sign with%s", nic,
			    qif->auth_mode == QSPND_AUTH_STRICT
				    ? ", not sent"
				    : ", sent unsigned");
		return qif->auth_mode == QSPND_AUTH_STRICT ? 0 : len;
	}
	t.index = ap->index;
	t.pc = ++ap->pc;
	if (ap->req_target) {
		t.flags |= QSPN_AUTH_FLAG_CHAL_REQ;
		t.chal_target = ap->req_target;
		t.chal_req = ap->req_nonce;
	}
	if (ap->reply_nonce) {
		t.flags |= QSPN_AUTH_FLAG_CHAL_REPLY;
		t.chal_reply = ap->reply_nonce;
	}
	n = qspn_auth_hello_seal(auth.hmac, buf, len, cap, &t, key, keylen);
	if (!n)
		return qif->auth_mode == QSPND_AUTH_STRICT ? 0 : len;
	ap->req_target = ap->req_nonce = ap->reply_nonce = 0;
	auth.c.hellos_signed++;
	return n;
}

/* what a permissive interface accepts unauthenticated; else a drop */
static enum qspnd_auth_verdict unverified(const struct qspnd_if *qif,
					  uint64_t *counter, const char *nic,
					  const struct qspn_hello *h,
					  const char *what)
{
	if (qif->auth_mode == QSPND_AUTH_PERMISSIVE) {
		auth.c.hellos_unauth_accepted++;
		return QSPND_AUTH_ACCEPT;
	}
	(*counter)++;
	QSPND_DEBUG(packets, "hello from %016" PRIx64 " on %s dropped: %s",
		    h->system_id, nic, what);
	return QSPND_AUTH_DROP;
}

enum qspnd_auth_verdict
qspnd_auth_hello_in(struct qspnd_auth_port *ap, const char *nic,
		    const uint8_t *buf, size_t len, uint64_t self_id,
		    uint64_t now_ms, struct qspn_hello *h,
		    struct qspnd_auth_rx *rx, const char **why)
{
	const struct qspnd_if *qif = auth_if(nic);
	struct qspn_auth_trailer t;
	enum qspn_auth_replay rp;
	const uint8_t *key;
	size_t body, keylen;
	bool proven = false;
	int tr;

	memset(rx, 0, sizeof(rx[0]));
	tr = qspn_auth_hello_parse(buf, len, &t, &body, why);
	/* the Hello itself, without the trailer (or whole, where it is not
	 * understood: protobuf skips it) */
	if (qspn_hello_decode(h, buf, tr == 1 ? body : len, why) < 0)
		return QSPND_AUTH_BAD_HELLO;
	if (!qif || h->system_id == self_id)
		return QSPND_AUTH_ACCEPT;
	if (tr < 0)
		return unverified(qif, &auth.c.drop_bad_trailer, nic, h, *why);
	if (tr == 0)
		return unverified(qif, &auth.c.drop_unauth, nic, h,
				  "not authenticated");
	if (!auth.hmac ||
	    !qspnd_auth_accept_key(nic, t.key_id, t.algo, &key, &keylen))
		return unverified(qif, &auth.c.drop_key_unknown, nic, h,
				  "key id not accepted");
	if (!qspn_auth_hello_verify(auth.hmac, buf, len, &t, key, keylen))
		return unverified(qif, &auth.c.drop_bad_mac, nic, h,
				  "bad MAC");
	auth.c.hellos_verified++;
	/* it is the holder of a key: answer its challenge to us, check its
	 * answer to ours */
	if ((t.flags & QSPN_AUTH_FLAG_CHAL_REQ) && t.chal_target == self_id) {
		ap->reply_nonce = t.chal_req;
		rx->send_now = true;
		auth.c.challenge_replies++;
	}
	if ((t.flags & QSPN_AUTH_FLAG_CHAL_REPLY) &&
	    qspn_auth_challenge_match(ap->chals, QSPND_AUTH_CHALLENGES,
				      h->system_id, t.chal_reply, now_ms,
				      CHALLENGE_EXPIRE_MS)) {
		proven = true;
		auth.c.challenges_answered++;
	}
	rp = qspn_auth_replay_check(ap->peers, QSPND_AUTH_PEERS, h->system_id,
				    t.key_id, t.index, t.pc);
	if (rp == QSPN_AUTH_REPLAYED) {
		auth.c.drop_replay++;
		QSPND_DEBUG(packets,
			    "hello from %016" PRIx64
			    " on %s dropped: replayed (key %u, counter %u)",
			    h->system_id, nic, t.key_id, t.pc);
		return QSPND_AUTH_DROP;
	}
	if (rp == QSPN_AUTH_UNPROVEN && !proven) {
		int r = qspn_auth_challenge_add(
			ap->chals, QSPND_AUTH_CHALLENGES, h->system_id,
			qspnd_random64(), now_ms, CHALLENGE_RESEND_MS,
			CHALLENGE_EXPIRE_MS);

		if (r > 0) {
			/* the newest pending one for this sender */
			for (size_t i = 0; i < QSPND_AUTH_CHALLENGES; i++)
				if (ap->chals[i].target == h->system_id)
					ap->req_nonce = ap->chals[i].nonce;
			ap->req_target = h->system_id;
			rx->send_now = true;
			auth.c.challenges_sent++;
		} else if (r < 0)
			auth.c.drop_challenges_full++;
		auth.c.drop_unproven++;
		QSPND_DEBUG(packets,
			    "hello from %016" PRIx64
			    " on %s: unproven (key %u), challenged",
			    h->system_id, nic, t.key_id);
		return QSPND_AUTH_DROP;
	}
	if (!qspn_auth_replay_commit(ap->peers, QSPND_AUTH_PEERS, h->system_id,
				     t.key_id, t.index, t.pc, now_ms,
				     AUTH_PEER_MIN_AGE_MS)) {
		auth.c.drop_peers_full++;
		return QSPND_AUTH_DROP;
	}
	rx->authenticated = true;
	rx->key_id = t.key_id;
	return QSPND_AUTH_ACCEPT;
}
