// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qspn_ipv4.c: the IPv4 mapping of Netsukuku addresses (doc/protocol/routes.md
 * §1.2-1.3) and the destination / local IP sets (§1.7).
 *
 * Every address is built as a 24-bit value v and printed as
 * 10.(v>>16).((v>>8)&255).(v&255); here we keep the whole IPv4 value
 * 0x0A000000 | v.
 */
#include "qspn_ipv4.h"

#include <stdio.h>
#include <string.h>

#define TEN (10u << 24)

/* F(n, a, b): the fields a..b-1 (doc/protocol/routes.md §1.3) */
static uint32_t field_sum(const struct qspn_topology *t,
			  const struct qspn_naddr *n, int from, int to)
{
	uint32_t v = 0;

	for (int i = from; i < to; i++)
		v |= n->pos[i] << t->offset[i];
	return v;
}

static uint32_t mk(const struct qspn_topology *t, uint32_t marker, int top,
		   const struct qspn_naddr *n, int from, int to)
{
	uint32_t v = marker << t->total_bits;

	if (top >= 0)
		v |= (uint32_t)top << t->offset[t->levels - 1];
	return TEN | v | field_sum(t, n, from, to);
}

static uint8_t plen_of_level(const struct qspn_topology *t, int i)
{
	unsigned int off = i >= t->levels ? t->total_bits : t->offset[i];

	return (uint8_t)(32 - off);
}

uint32_t qspn_ip_global_node(const struct qspn_topology *t,
			     const struct qspn_naddr *n)
{
	return mk(t, QSPN_MARK_GLOBAL, -1, n, 0, t->levels);
}

uint32_t qspn_ip_anon_node(const struct qspn_topology *t,
			   const struct qspn_naddr *n)
{
	return mk(t, QSPN_MARK_ANON, -1, n, 0, t->levels);
}

uint32_t qspn_ip_internal_node(const struct qspn_topology *t,
			       const struct qspn_naddr *n, int k)
{
	return mk(t, QSPN_MARK_INTERNAL, k, n, 0, k);
}

struct qspn_prefix qspn_ip_global_gnode(const struct qspn_topology *t,
					const struct qspn_naddr *n, int i)
{
	struct qspn_prefix p = {mk(t, QSPN_MARK_GLOBAL, -1, n, i, t->levels),
				plen_of_level(t, i)};
	return p;
}

struct qspn_prefix qspn_ip_anon_gnode(const struct qspn_topology *t,
				      const struct qspn_naddr *n, int i)
{
	struct qspn_prefix p = {mk(t, QSPN_MARK_ANON, -1, n, i, t->levels),
				plen_of_level(t, i)};
	return p;
}

struct qspn_prefix qspn_ip_internal_gnode(const struct qspn_topology *t,
					  const struct qspn_naddr *n, int i,
					  int k)
{
	struct qspn_prefix p = {mk(t, QSPN_MARK_INTERNAL, k, n, i, k),
				plen_of_level(t, i)};
	return p;
}

struct qspn_prefix qspn_ip_anon_range(const struct qspn_topology *t)
{
	struct qspn_prefix p = {TEN | (QSPN_MARK_ANON << t->total_bits),
				plen_of_level(t, t->levels)};
	return p;
}

struct qspn_prefix qspn_ip_global_range(const struct qspn_topology *t)
{
	struct qspn_prefix p = {TEN, plen_of_level(t, t->levels)};
	return p;
}

struct qspn_prefix qspn_ip_netsukuku_range(const struct qspn_topology *t)
{
	struct qspn_prefix p = {TEN, (uint8_t)(30 - t->total_bits)};
	return p;
}

uint32_t qspn_ip_localhost(const struct qspn_topology *t)
{
	return TEN | ((uint32_t)QSPN_MARK_INTERNAL << t->total_bits);
}

int qspn_ipv4_format(uint32_t ip, char *buf, size_t len)
{
	return snprintf(buf, len, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255,
			(ip >> 8) & 255, ip & 255);
}

uint32_t qspn_prefix_mask(unsigned int len)
{
	return len ? ~0u << (32 - len) : 0;
}

bool qspn_prefix_covers(struct qspn_prefix outer, struct qspn_prefix inner)
{
	return outer.len <= inner.len &&
	       (inner.addr & qspn_prefix_mask(outer.len)) == outer.addr;
}

int qspn_prefix_format(struct qspn_prefix p, char *buf, size_t len)
{
	return snprintf(buf, len, "%u.%u.%u.%u/%u", p.addr >> 24,
			(p.addr >> 16) & 255, (p.addr >> 8) & 255, p.addr & 255,
			p.len);
}

static const char *parse_octet(const char *s, uint32_t *out)
{
	uint32_t v = 0;
	int digits = 0;

	while (*s >= '0' && *s <= '9') {
		v = v * 10 + (uint32_t)(*s - '0');
		if (++digits > 3 || v > 255)
			return NULL;
		s++;
	}
	if (!digits)
		return NULL;
	*out = v;
	return s;
}

static const char *parse_quad(const char *s, uint32_t *ip)
{
	uint32_t v = 0, o;

	for (int i = 0; i < 4; i++) {
		s = parse_octet(s, &o);
		if (!s)
			return NULL;
		v = (v << 8) | o;
		if (i < 3) {
			if (*s != '.')
				return NULL;
			s++;
		}
	}
	*ip = v;
	return s;
}

int qspn_ipv4_parse(const char *text, uint32_t *ip)
{
	const char *e = text ? parse_quad(text, ip) : NULL;

	return e && *e == '\0' ? 0 : -1;
}

int qspn_prefix_parse(const char *text, struct qspn_prefix *p)
{
	uint32_t ip, len = 32;
	const char *e = text ? parse_quad(text, &ip) : NULL;

	if (!e)
		return -1;
	if (*e == '/') {
		e = parse_octet(e + 1, &len);
		if (!e || len > 32)
			return -1;
	}
	if (*e != '\0')
		return -1;
	if (len < 32 && (ip & (0xffffffffu >> len)) != 0)
		return -1;
	p->addr = ip;
	p->len = (uint8_t)len;
	return 0;
}

bool qspn_naddr_real_range(const struct qspn_topology *t,
			   const struct qspn_naddr *n, int a, int b)
{
	for (int i = a; i <= b; i++)
		if (n->pos[i] >= t->gsize[i])
			return false;
	return true;
}

bool qspn_dest_ips(const struct qspn_topology *t, const struct qspn_naddr *n,
		   int subnet_level, struct qspn_hcoord h,
		   struct qspn_dest_ips *out)
{
	int l = t->levels, i = h.lvl;
	struct qspn_naddr d;

	memset(out, 0, sizeof(*out));
	out->h = h;
	if (i < subnet_level || i < 0 || i >= l || h.pos >= t->gsize[i] ||
	    h.pos == n->pos[i])
		return false;
	d = *n;
	d.pos[i] = h.pos;
	out->n_slots = 2 + (l - 1 - i);
	if (qspn_naddr_real_range(t, n, i + 1, l - 1)) {
		out->present[0] = out->present[1] = true;
		out->ip[0] = qspn_ip_global_gnode(t, &d, i);
		out->ip[1] = qspn_ip_anon_gnode(t, &d, i);
	}
	for (int k = l - 1; k > i; k--) {
		int s = qspn_slot_of_internal(t, k);

		if (qspn_naddr_real_range(t, n, i + 1, k - 1)) {
			out->present[s] = true;
			out->ip[s] = qspn_ip_internal_gnode(t, &d, i, k);
		}
	}
	return true;
}

int qspn_dest_space(const struct qspn_topology *t, int subnet_level)
{
	int c = 0;

	for (int i = subnet_level < 0 ? 0 : subnet_level; i < t->levels; i++)
		c += (int)t->gsize[i];
	return c;
}

struct qspn_hcoord qspn_dest_at(const struct qspn_topology *t, int subnet_level,
				int index)
{
	struct qspn_hcoord h = {-1, 0};

	for (int i = t->levels - 1; i >= subnet_level && i >= 0; i--) {
		if (index < (int)t->gsize[i]) {
			h.lvl = i;
			h.pos = (uint32_t)index;
			return h;
		}
		index -= (int)t->gsize[i];
	}
	return h;
}

int qspn_dest_index(const struct qspn_topology *t, int subnet_level,
		    struct qspn_hcoord h)
{
	int base = 0;

	if (h.lvl < subnet_level || h.lvl < 0 || h.lvl >= t->levels ||
	    h.pos >= t->gsize[h.lvl])
		return -1;
	for (int i = t->levels - 1; i > h.lvl; i--)
		base += (int)t->gsize[i];
	return base + (int)h.pos;
}

void qspn_local_ips(const struct qspn_topology *t, const struct qspn_naddr *n,
		    struct qspn_local_ips *out)
{
	int l = t->levels;

	memset(out, 0, sizeof(*out));
	if (qspn_naddr_real_range(t, n, 0, l - 1)) {
		out->has_global = true;
		out->global = qspn_ip_global_node(t, n);
		out->anon = qspn_ip_anon_node(t, n);
	}
	for (int k = l - 1; k >= 1; k--) {
		if (qspn_naddr_real_range(t, n, 0, k - 1)) {
			out->has_intern[k] = true;
			out->intern[k] = qspn_ip_internal_node(t, n, k);
		}
	}
}
