// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qspn_hmac.c: HMAC-SHA-2 through libcrypto's EVP_MAC (see qspn_hmac.h).
 */
#include "qspn_hmac.h"

#include <stdlib.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

struct qspn_hmac {
	EVP_MAC *mac;
	EVP_MAC_CTX *ctx;
};

size_t qspn_mac_len(enum qspn_mac_algo algo)
{
	switch (algo) {
	case QSPN_MAC_HMAC_SHA256:
		return 32;
	case QSPN_MAC_HMAC_SHA384:
		return 48;
	case QSPN_MAC_HMAC_SHA512:
		return 64;
	case QSPN_MAC_NONE:
		break;
	}
	return 0;
}

static const char *digest_name(enum qspn_mac_algo algo)
{
	switch (algo) {
	case QSPN_MAC_HMAC_SHA256:
		return "SHA2-256";
	case QSPN_MAC_HMAC_SHA384:
		return "SHA2-384";
	case QSPN_MAC_HMAC_SHA512:
		return "SHA2-512";
	case QSPN_MAC_NONE:
		break;
	}
	return NULL;
}

const char *qspn_mac_algo_str(enum qspn_mac_algo algo)
{
	switch (algo) {
	case QSPN_MAC_HMAC_SHA256:
		return "hmac-sha-256";
	case QSPN_MAC_HMAC_SHA384:
		return "hmac-sha-384";
	case QSPN_MAC_HMAC_SHA512:
		return "hmac-sha-512";
	case QSPN_MAC_NONE:
		break;
	}
	return "none";
}

struct qspn_hmac *qspn_hmac_new(void)
{
	struct qspn_hmac *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	h->ctx = h->mac ? EVP_MAC_CTX_new(h->mac) : NULL;
	if (!h->ctx) {
		qspn_hmac_free(h);
		return NULL;
	}
	return h;
}

void qspn_hmac_free(struct qspn_hmac *h)
{
	if (!h)
		return;
	EVP_MAC_CTX_free(h->ctx);
	EVP_MAC_free(h->mac);
	free(h);
}

size_t qspn_hmac(struct qspn_hmac *h, enum qspn_mac_algo algo,
		 const uint8_t *key, size_t keylen, const struct qspn_iov *iov,
		 size_t n, uint8_t *out)
{
	static const uint8_t zero; /* HMAC pads keys with zeros: "" == "\0" */
	const char *md = digest_name(algo);
	OSSL_PARAM params[2];
	size_t outl = 0;

	if (!md)
		return 0;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						     (char *)md, 0);
	params[1] = OSSL_PARAM_construct_end();
	/* a NULL or empty key would make EVP_MAC_init reuse the last one */
	if (keylen == 0) {
		key = &zero;
		keylen = 1;
	}
	if (!EVP_MAC_init(h->ctx, key, keylen, params))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (iov[i].len && !EVP_MAC_update(h->ctx, iov[i].base,
						  iov[i].len))
			return 0;
	if (!EVP_MAC_final(h->ctx, out, &outl, QSPN_MAC_MAX))
		return 0;
	return outl == qspn_mac_len(algo) ? outl : 0;
}

bool qspn_mac_equal(const uint8_t *a, const uint8_t *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}
