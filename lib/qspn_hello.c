// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qspn_hello.c: encode/decode the Hello packet (see qspn_hello.h).
 */
#include "qspn_hello.h"

#include <string.h>

#include "qspn.pb-c.h"

size_t qspn_hello_encode(const struct qspn_hello *h, uint8_t *buf, size_t len)
{
	Qspn__Packet pk = QSPN__PACKET__INIT;
	Qspn__Hello hello = QSPN__HELLO__INIT;
	size_t need;

	hello.system_id = h->system_id;
	hello.identity_id = h->identity_id;
	hello.link_local = h->linklocal;
	hello.mac.data = (uint8_t *)h->mac;
	hello.mac.len = sizeof(h->mac);
	hello.timestamp_us = h->timestamp_us;
	hello.echo_us = h->echo_us;
	hello.echo_system_id = h->echo_system_id;
	hello.ifindex = h->ifindex;
	hello.network_id = h->network_id;
	hello.leaving = h->leaving;
	hello.connectivity = h->connectivity;
	hello.prev_identity_id = h->prev_identity_id;
	hello.want_echo = h->want_echo;
	hello.interval_ms = h->interval_ms;
	hello.echo_hold_us = h->echo_hold_us;
	/* no src_identity: the hello's identity_id says it, and no decoder
	 * (this one, or an older qspnd's) reads it: 11 bytes less a hello */
	pk.version = 1;
	pk.body_case = QSPN__PACKET__BODY_HELLO;
	pk.hello = &hello;
	need = qspn__packet__get_packed_size(&pk);
	if (need > len)
		return 0;
	return qspn__packet__pack(&pk, buf);
}

/* A tiny bump allocator: a Hello never needs more than this. */
struct hello_arena {
	uint8_t mem[2048] __attribute__((aligned(16)));
	size_t used;
};

static void *arena_alloc(void *data, size_t size)
{
	struct hello_arena *a = data;
	size_t off = (a->used + 15) & ~(size_t)15;

	if (size > sizeof(a->mem) || off > sizeof(a->mem) - size)
		return NULL;
	a->used = off + size;
	return a->mem + off;
}

static void arena_free(void *data, void *ptr)
{
	(void)data;
	(void)ptr;
}

int qspn_hello_decode(struct qspn_hello *h, const uint8_t *buf, size_t len,
		      const char **reason)
{
	struct hello_arena arena;
	ProtobufCAllocator alloc = {
		.alloc = arena_alloc,
		.free = arena_free,
		.allocator_data = &arena,
	};
	Qspn__Packet *pk;
	const Qspn__Hello *m;

	arena.used = 0;
	if (len > QSPN_HELLO_MAX_BYTES) {
		*reason = "too big";
		return -1;
	}
	pk = qspn__packet__unpack(&alloc, len, buf);
	if (!pk) {
		*reason = "undecodable";
		return -1;
	}
	if (pk->version != 1) {
		*reason = "unknown version";
		return -1;
	}
	if (pk->body_case != QSPN__PACKET__BODY_HELLO || !pk->hello) {
		*reason = "not a hello";
		return -1;
	}
	m = pk->hello;
	if (m->system_id == 0 || m->identity_id == 0) {
		*reason = "null identifier";
		return -1;
	}
	if (m->mac.len != 6) {
		*reason = "bad MAC length";
		return -1;
	}
	if (m->link_local != 0 && (m->link_local >> 16) != 0xa9fe) {
		*reason = "link-local outside 169.254.0.0/16";
		return -1;
	}
	if ((m->echo_us == 0) != (m->echo_system_id == 0)) {
		*reason = "half an echo";
		return -1;
	}
	if (m->echo_hold_us != 0 && m->echo_us == 0) {
		*reason = "hold time without an echo";
		return -1;
	}
	if (m->interval_ms != 0 &&
	    (m->interval_ms < QSPN_HELLO_INTERVAL_MIN_MS ||
	     m->interval_ms > QSPN_HELLO_INTERVAL_MAX_MS)) {
		*reason = "hello interval out of range";
		return -1;
	}
	memset(h, 0, sizeof(*h));
	h->system_id = m->system_id;
	h->identity_id = m->identity_id;
	h->linklocal = m->link_local;
	memcpy(h->mac, m->mac.data, 6);
	h->ifindex = m->ifindex;
	h->timestamp_us = m->timestamp_us;
	h->echo_us = m->echo_us;
	h->echo_system_id = m->echo_system_id;
	h->network_id = m->network_id;
	h->leaving = m->leaving;
	h->connectivity = m->connectivity;
	h->prev_identity_id = m->prev_identity_id;
	h->want_echo = m->want_echo;
	h->interval_ms = m->interval_ms;
	h->echo_hold_us = m->echo_hold_us;
	*reason = NULL;
	return 0;
}
