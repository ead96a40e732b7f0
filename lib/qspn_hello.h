/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qspn_hello.h: the daemon-level neighbour discovery message (a qspn.Packet
 * with a Hello body, lib/qspn.proto), as a plain struct, with a strict
 * decoder: a datagram is accepted whole or rejected with a reason.
 */
#ifndef QSPN_HELLO_H
#define QSPN_HELLO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define QSPN_HELLO_MAX_BYTES 256
/* the range of a hello interval a sender may announce */
#define QSPN_HELLO_INTERVAL_MIN_MS 100
#define QSPN_HELLO_INTERVAL_MAX_MS 60000

struct qspn_hello {
	uint64_t system_id;   /* != 0 */
	uint64_t identity_id; /* != 0 */
	uint32_t linklocal;   /* 169.254.0.0/16, host order; 0: none yet */
	uint8_t mac[6];
	uint32_t ifindex;	 /* the sender's interface */
	uint64_t timestamp_us;	 /* sender's clock */
	uint64_t echo_us;	 /* a timestamp of echo_system_id's, or 0 */
	uint64_t echo_system_id; /* 0 with echo_us == 0 */
	uint32_t network_id;	 /* the sender identity's network; 0: unknown */
	bool leaving;		 /* the identity is being dismissed */
	bool connectivity;	 /* not the system's main identity */
	uint64_t prev_identity_id; /* the identity it succeeded, or 0 */
	bool want_echo;		   /* answer with an echo now */
	/* the sender's hello interval (QSPN_HELLO_INTERVAL_MIN_MS..MAX_MS);
	 * 0: an older sender (1 s, and it wants every hello echoed) */
	uint32_t interval_ms;
	/* with an echo: how long the echoed hello waited at its receiver */
	uint32_t echo_hold_us;
};

/* Encode into buf; returns the length, or 0 if buf is too small. */
size_t qspn_hello_encode(const struct qspn_hello *h, uint8_t *buf, size_t len);

/*
 * Decode and validate.  Returns 0, or -1 with *reason set to a static
 * string (for counters and rate-limited logs).
 */
int qspn_hello_decode(struct qspn_hello *h, const uint8_t *buf, size_t len,
		      const char **reason);

#endif /* QSPN_HELLO_H */
