// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qspnd_session.c: a framed byte stream over one TCP socket
 * (qspnd_session.h): header and body reassembly on the way in, a queue on
 * the way out, both driven by the event loop.
 */
#include <zebra.h>

#include <netinet/tcp.h>

#include "lib/log.h"
#include "lib/memory.h"
#include "lib/network.h"
#include "qspnd_frr.h"

#include "qspnd.h"
#include "qspnd_auth.h"
#include "qspnd_debug.h"
#include "qspnd_session.h"

/* an authenticated session whose peer has not proven the key by then */
#define AUTH_READY_TIMEOUT_MS 10000
/* how often an authenticated session looks for a new key to send with: when
 * the key changes (a rollover), an empty signed frame tells the peer at once
 * instead of with the next ETP */
#define AUTH_KEY_CHECK_MS 1000

DEFINE_MTYPE_STATIC(QSPND, QSPND_FRAME, "QSPN frame buffer");

static void session_read(qspnd_event_t *t);
static void session_write(qspnd_event_t *t);
static bool queue_frame(struct qspnd_session *s, const uint8_t *buf,
			size_t len, const uint8_t *trailer, size_t tlen,
			size_t backlog);

void qspnd_session_auth(struct qspnd_session *s, const char *nic)
{
	s->auth = true;
	s->auth_ready = false;
	strlcpy(s->auth_nic, nic, sizeof(s->auth_nic));
	memset(&s->as, 0, sizeof(s->as));
	for (size_t i = 0; i < QSPN_AUTH_NONCE; i += 8) {
		uint64_t r = qspnd_random64();

		memcpy(s->as.my_nonce + i, &r, 8);
	}
}

static void auth_timeout(qspnd_event_t *t)
{
	struct qspnd_session *s = EVENT_ARG(t);

	qspnd_auth_counters()->session_timeout++;
	s->ops->failed(s->arg, "the peer did not authenticate in time");
}

void qspnd_session_start(struct qspnd_session *s, int fd,
			 const struct qspnd_session_ops *ops, void *arg)
{
	int one = 1;

	s->fd = fd;
	s->ops = ops;
	s->arg = arg;
	set_nonblocking(fd);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	event_add_read(qspnd.master, session_read, s, fd, &s->t_read);
	if (s->auth) {
		uint8_t start[QSPN_AUTH_START_LEN];
		size_t n = qspn_auth_start_encode(&s->as, start, sizeof(start));

		qspnd_auth_counters()->sessions_auth++;
		queue_frame(s, start, n, NULL, 0, SIZE_MAX);
		event_add_timer_msec(qspnd.master, auth_timeout, s,
				      AUTH_READY_TIMEOUT_MS, &s->t_auth);
	}
	if (s->out_len > s->out_sent)
		event_add_write(qspnd.master, session_write, s, fd,
				 &s->t_write);
}

bool qspnd_session_stop(struct qspnd_session *s)
{
	bool was_open = s->fd >= 0;

	if (was_open) {
		close(s->fd);
		s->fd = -1;
	}
	EVENT_OFF(s->t_read);
	EVENT_OFF(s->t_write);
	EVENT_OFF(s->t_auth);
	s->auth = s->auth_ready = false;
	memset(&s->as, 0, sizeof(s->as));
	XFREE(MTYPE_QSPND_FRAME, s->body);
	XFREE(MTYPE_QSPND_FRAME, s->out);
	s->hdr_got = s->body_len = s->body_got = 0;
	s->out_len = s->out_sent = s->out_cap = 0;
	return was_open;
}

static void session_write(qspnd_event_t *t)
{
	struct qspnd_session *s = EVENT_ARG(t);
	ssize_t w;

	while (s->out_sent < s->out_len) {
		w = write(s->fd, s->out + s->out_sent,
			  s->out_len - s->out_sent);
		if (w < 0 && ERRNO_IO_RETRY(errno))
			break;
		if (w <= 0) {
			s->ops->failed(s->arg, safe_strerror(errno));
			return;
		}
		s->out_sent += (size_t)w;
	}
	if (s->out_sent == s->out_len) {
		s->out_sent = s->out_len = 0;
		return;
	}
	event_add_write(qspnd.master, session_write, s, s->fd, &s->t_write);
}

static bool queue_frame(struct qspnd_session *s, const uint8_t *buf,
			size_t len, const uint8_t *trailer, size_t tlen,
			size_t backlog)
{
	size_t need, flen = len + tlen;

	if (s->out_len - s->out_sent + flen + QSPND_FRAME_HDR > backlog)
		return false;
	if (s->out_sent > 0) {
		memmove(s->out, s->out + s->out_sent, s->out_len - s->out_sent);
		s->out_len -= s->out_sent;
		s->out_sent = 0;
	}
	need = s->out_len + QSPND_FRAME_HDR + flen;
	if (need > s->out_cap) {
		s->out_cap = MAX(need, 2 * s->out_cap);
		s->out = XREALLOC(MTYPE_QSPND_FRAME, s->out, s->out_cap);
	}
	s->out[s->out_len++] = (uint8_t)(flen >> 24);
	s->out[s->out_len++] = (uint8_t)(flen >> 16);
	s->out[s->out_len++] = (uint8_t)(flen >> 8);
	s->out[s->out_len++] = (uint8_t)flen;
	if (len) { /* an empty signed frame has no body (buf NULL) */
		memcpy(s->out + s->out_len, buf, len);
		s->out_len += len;
	}
	if (tlen) {
		memcpy(s->out + s->out_len, trailer, tlen);
		s->out_len += tlen;
	}
	if (s->fd >= 0)
		event_add_write(qspnd.master, session_write, s, s->fd,
				 &s->t_write);
	return true;
}

/* the MAC trailer of the next frame, into tr; 0 when there is no key */
static size_t auth_seal(struct qspnd_session *s, const uint8_t *buf,
			size_t len, uint8_t *tr)
{
	enum qspn_mac_algo algo;
	const uint8_t *key;
	uint32_t key_id;
	size_t keylen, n = 0;

	if (qspnd_auth_hmac() && qspnd_auth_send_key(s->auth_nic, &algo,
						      &key_id, &key, &keylen))
		n = qspn_auth_frame_seal(qspnd_auth_hmac(), &s->as, algo,
					 key_id, key, keylen, buf, len, tr);
	if (!n) {
		qspnd_auth_counters()->no_send_key++;
	} else {
		qspnd_auth_counters()->frames_signed++;
		s->auth_sent_key_id = key_id;
	}
	return n;
}

static void auth_key_check(qspnd_event_t *t)
{
	struct qspnd_session *s = EVENT_ARG(t);
	enum qspn_mac_algo algo;
	const uint8_t *key;
	uint32_t key_id;
	size_t keylen;

	if (qspnd_auth_send_key(s->auth_nic, &algo, &key_id, &key, &keylen) &&
	    key_id != s->auth_sent_key_id) {
		uint8_t tr[QSPN_AUTH_FRAME_MAX];
		size_t tlen = auth_seal(s, NULL, 0, tr);

		QSPND_DEBUG(packets, "%s: session now signed with key %u",
			    s->auth_nic, key_id);
		if (tlen)
			queue_frame(s, NULL, 0, tr, tlen, SIZE_MAX);
	}
	event_add_timer_msec(qspnd.master, auth_key_check, s,
			      AUTH_KEY_CHECK_MS, &s->t_auth);
}

bool qspnd_session_send(struct qspnd_session *s, const uint8_t *buf, size_t len,
			size_t backlog)
{
	uint8_t tr[QSPN_AUTH_FRAME_MAX];
	size_t tlen = 0;

	if (s->auth) {
		if (!s->auth_ready)
			return false;
		tlen = auth_seal(s, buf, len, tr);
		if (!tlen) {
			/* no key to sign with: the frame is lost (counted) */
			QSPND_DEBUG(packets, "%s: no key to sign a frame with",
				    s->auth_nic);
			return true;
		}
	}
	return queue_frame(s, buf, len, tr, tlen, backlog);
}

/*
 * An authenticated session's frame: the peer's start, or a signed frame.
 * Returns the frame's own bytes' length in *len (0: nothing to hand up), or
 * false: the session failed (already told to the owner).
 */
static bool auth_frame(struct qspnd_session *s, const uint8_t *body,
		       size_t *len)
{
	struct qspnd_auth_counters *c = qspnd_auth_counters();
	struct qspn_auth_frame f;
	const uint8_t *key;
	const char *why;
	size_t keylen;
	uint8_t tr[QSPN_AUTH_FRAME_MAX];
	size_t tlen;

	if (!s->as.have_peer_nonce) {
		if (qspn_auth_start_parse(&s->as, body, *len, &why) < 0) {
			c->session_bad_start++;
			s->ops->failed(s->arg, why);
			return false;
		}
		/* prove the key: an empty signed frame */
		tlen = auth_seal(s, NULL, 0, tr);
		if (tlen)
			queue_frame(s, NULL, 0, tr, tlen, SIZE_MAX);
		*len = 0;
		return true;
	}
	if (qspn_auth_frame_parse(body, *len, &f, &why) < 0) {
		c->session_bad_mac++;
		s->ops->failed(s->arg, why);
		return false;
	}
	if (!qspnd_auth_hmac() ||
	    !qspnd_auth_accept_key(s->auth_nic, f.key_id, f.algo, &key,
				   &keylen)) {
		c->session_key_unknown++;
		QSPND_DEBUG(packets, "%s: frame signed with key %u: not accepted",
			    s->auth_nic, f.key_id);
		s->ops->failed(s->arg, "frame key not accepted");
		return false;
	}
	if (qspn_auth_frame_verify(qspnd_auth_hmac(), &s->as, body, &f, key,
				   keylen, &why) < 0) {
		if (f.seq != s->as.seq_in + 1)
			c->session_replay++;
		else
			c->session_bad_mac++;
		s->ops->failed(s->arg, why);
		return false;
	}
	c->frames_verified++;
	s->auth_key_id = f.key_id;
	*len = f.body_len;
	if (!s->auth_ready) {
		s->auth_ready = true;
		EVENT_OFF(s->t_auth);
		event_add_timer_msec(qspnd.master, auth_key_check, s,
				      AUTH_KEY_CHECK_MS, &s->t_auth);
		s->ops->ready(s->arg);
	}
	return true;
}

static void session_read(qspnd_event_t *t)
{
	struct qspnd_session *s = EVENT_ARG(t);
	uint8_t buf[16384];
	ssize_t r = read(s->fd, buf, sizeof(buf));
	size_t off = 0;

	if (r < 0 && ERRNO_IO_RETRY(errno))
		goto again;
	if (r <= 0) {
		s->ops->failed(s->arg, r == 0 ? "closed by the peer"
					      : safe_strerror(errno));
		return;
	}
	while (off < (size_t)r) {
		size_t take;

		if (s->hdr_got < QSPND_FRAME_HDR) {
			s->hdr[s->hdr_got++] = buf[off++];
			if (s->hdr_got < QSPND_FRAME_HDR)
				continue;
			s->body_len = ((size_t)s->hdr[0] << 24) |
				      ((size_t)s->hdr[1] << 16) |
				      ((size_t)s->hdr[2] << 8) | s->hdr[3];
			if (s->body_len == 0 ||
			    s->body_len > QSPND_MAX_FRAME +
						  (s->auth ? QSPN_AUTH_FRAME_MAX
							   : 0)) {
				s->ops->bad_frame(s->arg, s->body_len);
				return;
			}
			s->body = XMALLOC(MTYPE_QSPND_FRAME, s->body_len);
			s->body_got = 0;
			continue;
		}
		take = MIN(s->body_len - s->body_got, (size_t)r - off);
		memcpy(s->body + s->body_got, buf + off, take);
		s->body_got += take;
		off += take;
		if (s->body_got == s->body_len) {
			size_t len = s->body_len;

			if (s->auth && !auth_frame(s, s->body, &len))
				return; /* the owner stopped the session */
			/* ready may have closed it */
			if (s->fd < 0)
				return;
			if (len)
				s->ops->frame(s->arg, s->body, len);
			/* the frame may have closed the session */
			if (s->fd < 0)
				return;
			XFREE(MTYPE_QSPND_FRAME, s->body);
			s->hdr_got = s->body_len = s->body_got = 0;
		}
	}
again:
	event_add_read(qspnd.master, session_read, s, s->fd, &s->t_read);
}
