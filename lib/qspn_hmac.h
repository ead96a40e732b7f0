/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qspn_hmac.h: HMAC-SHA-2 over a list of byte ranges, through OpenSSL's
 * libcrypto (EVP_MAC, OpenSSL 3), and a constant-time comparison.
 *
 * Pure like the rest of lib/: no global state.  The caller owns a
 * `struct qspn_hmac` (the fetched algorithm and a reusable context) and
 * passes the key bytes in with every call; this file never keeps a key.
 */
#ifndef QSPN_HMAC_H
#define QSPN_HMAC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum qspn_mac_algo {
	QSPN_MAC_NONE = 0,
	QSPN_MAC_HMAC_SHA256 = 1,
	QSPN_MAC_HMAC_SHA384 = 2,
	QSPN_MAC_HMAC_SHA512 = 3,
};

#define QSPN_MAC_MAX 64 /* bytes, SHA-512 */

/* the MAC's length in bytes; 0 for an unknown algorithm */
size_t qspn_mac_len(enum qspn_mac_algo algo);
const char *qspn_mac_algo_str(enum qspn_mac_algo algo);

struct qspn_iov {
	const void *base;
	size_t len;
};

struct qspn_hmac;

/* NULL when libcrypto has no HMAC */
struct qspn_hmac *qspn_hmac_new(void);
void qspn_hmac_free(struct qspn_hmac *h);

/*
 * HMAC(key, iov[0] || ... || iov[n-1]) into out (QSPN_MAC_MAX bytes of
 * room).  Returns the MAC's length, or 0 on an error (unknown algorithm,
 * libcrypto failure).
 */
size_t qspn_hmac(struct qspn_hmac *h, enum qspn_mac_algo algo,
		 const uint8_t *key, size_t keylen, const struct qspn_iov *iov,
		 size_t n, uint8_t *out);

/* a == b over len bytes, in time independent of the contents */
bool qspn_mac_equal(const uint8_t *a, const uint8_t *b, size_t len);

#endif /* QSPN_HMAC_H */
