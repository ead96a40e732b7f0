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
#include "qspnd_session.h"

DEFINE_MTYPE_STATIC(QSPND, QSPND_FRAME, "QSPN frame buffer");

static void session_read(qspnd_event_t *t);
static void session_write(qspnd_event_t *t);

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

bool qspnd_session_send(struct qspnd_session *s, const uint8_t *buf, size_t len,
			size_t backlog)
{
	size_t need;

	if (s->out_len - s->out_sent + len + QSPND_FRAME_HDR > backlog)
		return false;
	if (s->out_sent > 0) {
		memmove(s->out, s->out + s->out_sent, s->out_len - s->out_sent);
		s->out_len -= s->out_sent;
		s->out_sent = 0;
	}
	need = s->out_len + QSPND_FRAME_HDR + len;
	if (need > s->out_cap) {
		s->out_cap = MAX(need, 2 * s->out_cap);
		s->out = XREALLOC(MTYPE_QSPND_FRAME, s->out, s->out_cap);
	}
	s->out[s->out_len++] = (uint8_t)(len >> 24);
	s->out[s->out_len++] = (uint8_t)(len >> 16);
	s->out[s->out_len++] = (uint8_t)(len >> 8);
	s->out[s->out_len++] = (uint8_t)len;
	memcpy(s->out + s->out_len, buf, len);
	s->out_len += len;
	event_add_write(qspnd.master, session_write, s, s->fd, &s->t_write);
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
			if (s->body_len == 0 || s->body_len > QSPND_MAX_FRAME) {
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
			s->ops->frame(s->arg, s->body, s->body_len);
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
