/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qspnd_session.h: a framed byte stream over one TCP socket
 * (qspnd_session.c), the transport of the ETPs between two neighbours
 * (doc/transport.md).  A frame is a 4-byte big-endian length and that many
 * bytes (a qspn.Packet).  The owner (qspnd_neigh.c) opens the socket, hands
 * it over with qspnd_session_start(), and hears back through the ops: every
 * whole frame, and the end of the stream.  The stream never closes itself:
 * on an error it tells the owner, which calls qspnd_session_stop().
 */
#ifndef QSPND_SESSION_H
#define QSPND_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qspnd_frr.h"
#include "qspn_auth.h"

#define QSPND_FRAME_HDR 4



struct qspnd_session_ops {
	/* a whole frame; the owner may stop the session inside */
	void (*frame)(void *arg, const uint8_t *body, size_t len);
	/* a frame header announced len bytes: 0, or over QSPND_MAX_FRAME */
	void (*bad_frame)(void *arg, size_t len);
	/* the stream ended: closed by the peer, or a read or write error; or
	 * an authenticated session failed its checks (counted in
	 * qspnd_auth.c) */
	void (*failed)(void *arg, const char *why);
	/* an authenticated session is up: the peer proved the key (a plain
	 * session is up at qspnd_session_start) */
	void (*ready)(void *arg);
};

struct qspnd_session {
	int fd; /* the socket (also while it connects); -1: none */
	qspnd_event_t *t_read, *t_write;
	const struct qspnd_session_ops *ops;
	void *arg;
	/* receive: header then body */
	uint8_t hdr[QSPND_FRAME_HDR];
	size_t hdr_got;
	uint8_t *body;
	size_t body_len, body_got;
	/* send: queued frames */
	uint8_t *out;
	size_t out_len, out_sent, out_cap;
	/* authentication (doc/security.md): set by qspnd_session_auth()
	 * before the start; keys from the key chain of auth_nic */
	bool auth, auth_ready;
	char auth_nic[IFNAMSIZ];
	struct qspn_auth_session as;
	uint32_t auth_key_id;	   /* of the peer's last frame */
	uint32_t auth_sent_key_id; /* of our last frame */
	/* before ready: the deadline; after: the check for a new send key */
	qspnd_event_t *t_auth;
};

/* start the stream on the connected socket fd (non-blocking, no delay) */
void qspnd_session_start(struct qspnd_session *s, int fd,
			 const struct qspnd_session_ops *ops, void *arg);
/* sign this session with the keys of nic (before qspnd_session_start):
 * the start exchanges nonces, every frame then carries a MAC
 * (lib/qspn_auth.h), and ops->ready tells when the peer has proven the key */
void qspnd_session_auth(struct qspnd_session *s, const char *nic);
/* close the socket and drop what was queued or half read; true if there
 * was a socket */
bool qspnd_session_stop(struct qspnd_session *s);
/* queue one frame; false (nothing queued) when the unsent output would
 * exceed `backlog` bytes */
bool qspnd_session_send(struct qspnd_session *s, const uint8_t *buf, size_t len,
			size_t backlog);

#endif /* QSPND_SESSION_H */
