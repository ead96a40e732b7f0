// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qspn_addr.c: topology and address parsing/validation, HCoord arithmetic.
 * doc/protocol/qspn.md §1.1-1.3, doc/protocol/routes.md §1.1.
 */
#include "qspn_addr.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int qspn_errf(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (err && len) {
		va_start(ap, fmt);
		vsnprintf(err, len, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/*
 * Split "a.b.c" (top level first) into values[] level 0 first.  Each field is
 * a decimal number without sign or spaces.
 */
static int parse_dotted(const char *text, uint32_t *values, int *count,
			const char *what, char *errbuf, size_t errlen)
{
	uint32_t tmp[QSPN_MAX_LEVELS];
	const char *p = text;
	int n = 0;

	if (!text || !*text)
		return qspn_errf(errbuf, errlen, "empty %s", what);
	for (;;) {
		char *end;
		unsigned long v;

		if (*p < '0' || *p > '9')
			return qspn_errf(
				errbuf, errlen,
				"%s \"%s\": expected a number at \"%s\"", what,
				text, p);
		if (n == QSPN_MAX_LEVELS)
			return qspn_errf(errbuf, errlen,
					 "%s \"%s\": more than %d levels", what,
					 text, QSPN_MAX_LEVELS);
		errno = 0;
		v = strtoul(p, &end, 10);
		if (errno || v > UINT32_MAX)
			return qspn_errf(errbuf, errlen,
					 "%s \"%s\": number too large", what,
					 text);
		tmp[n++] = (uint32_t)v;
		p = end;
		if (*p == '\0')
			break;
		if (*p != '.')
			return qspn_errf(errbuf, errlen,
					 "%s \"%s\": unexpected character '%c'",
					 what, text, *p);
		p++;
	}
	for (int i = 0; i < n; i++)
		values[i] = tmp[n - 1 - i];
	*count = n;
	return 0;
}

int qspn_topology_init(struct qspn_topology *topo, int levels,
		       const uint32_t *gsize, char *errbuf, size_t errlen)
{
	struct qspn_topology t;
	unsigned int off = 0;

	memset(&t, 0, sizeof(t));
	if (levels < 1 || levels > QSPN_MAX_LEVELS)
		return qspn_errf(errbuf, errlen,
				 "a topology has 1 to %d levels, not %d",
				 QSPN_MAX_LEVELS, levels);
	t.levels = levels;
	for (int i = 0; i < levels; i++) {
		uint32_t g = gsize[i];
		int b = 0;

		if (g < 2 || (g & (g - 1)) != 0)
			return qspn_errf(
				errbuf, errlen,
				"gsize %u of level %d is not a power of two >= 2",
				g, i);
		while ((1u << b) < g)
			b++;
		if (b > QSPN_MAX_GSIZE_BITS)
			return qspn_errf(
				errbuf, errlen,
				"gsize %u of level %d is larger than 2^%d", g,
				i, QSPN_MAX_GSIZE_BITS);
		t.gsize[i] = g;
		t.bits[i] = (uint8_t)b;
		t.offset[i] = (uint8_t)off;
		off += (unsigned int)b;
		if (off > QSPN_MAX_ADDR_BITS)
			return qspn_errf(
				errbuf, errlen,
				"the topology needs more than %d address bits",
				QSPN_MAX_ADDR_BITS);
	}
	t.total_bits = (uint8_t)off;
	/* The top field must hold any level number 0..L-1 (internal
	 * addresses, doc/protocol/routes.md §1.1). */
	if (t.gsize[levels - 1] < (uint32_t)levels)
		return qspn_errf(
			errbuf, errlen,
			"the top-level gsize (%u) must be at least the number of levels (%d)",
			t.gsize[levels - 1], levels);
	*topo = t;
	return 0;
}

int qspn_topology_parse(struct qspn_topology *topo, const char *text,
			char *errbuf, size_t errlen)
{
	uint32_t g[QSPN_MAX_LEVELS];
	int n;

	if (parse_dotted(text, g, &n, "topology", errbuf, errlen) < 0)
		return -1;
	return qspn_topology_init(topo, n, g, errbuf, errlen);
}

static int format_dotted(const uint32_t *v, int n, char *buf, size_t len)
{
	size_t used = 0;
	int r = 0;

	if (len)
		buf[0] = '\0';
	for (int i = n - 1; i >= 0; i--) {
		r = snprintf(buf + used, used < len ? len - used : 0, "%s%u",
			     i == n - 1 ? "" : ".", v[i]);
		if (r < 0)
			return r;
		used += (size_t)r;
	}
	return (int)used;
}

int qspn_topology_format(const struct qspn_topology *topo, char *buf,
			 size_t len)
{
	return format_dotted(topo->gsize, topo->levels, buf, len);
}

int qspn_naddr_parse(struct qspn_naddr *addr, const struct qspn_topology *topo,
		     const char *text, bool allow_virtual, char *errbuf,
		     size_t errlen)
{
	struct qspn_naddr a;
	int n;

	memset(&a, 0, sizeof(a));
	if (parse_dotted(text, a.pos, &n, "address", errbuf, errlen) < 0)
		return -1;
	if (n != topo->levels)
		return qspn_errf(
			errbuf, errlen,
			"address \"%s\" has %d positions but the topology has %d levels",
			text, n, topo->levels);
	for (int i = 0; i < n; i++)
		if (!allow_virtual && a.pos[i] >= topo->gsize[i])
			return qspn_errf(
				errbuf, errlen,
				"address \"%s\": position %u of level %d is out of range 0..%u",
				text, a.pos[i], i, topo->gsize[i] - 1);
	a.levels = n;
	*addr = a;
	return 0;
}

int qspn_naddr_format(const struct qspn_naddr *addr, char *buf, size_t len)
{
	return format_dotted(addr->pos, addr->levels, buf, len);
}

bool qspn_naddr_is_real(const struct qspn_naddr *addr,
			const struct qspn_topology *topo)
{
	for (int i = 0; i < addr->levels; i++)
		if (addr->pos[i] >= topo->gsize[i])
			return false;
	return true;
}

bool qspn_naddr_equal(const struct qspn_naddr *a, const struct qspn_naddr *b)
{
	if (a->levels != b->levels)
		return false;
	for (int i = 0; i < a->levels; i++)
		if (a->pos[i] != b->pos[i])
			return false;
	return true;
}

bool qspn_coord_by_address(const struct qspn_naddr *me,
			   const struct qspn_naddr *dest,
			   struct qspn_hcoord *out)
{
	for (int l = me->levels - 1; l >= 0; l--) {
		if (me->pos[l] != dest->pos[l]) {
			out->lvl = l;
			out->pos = dest->pos[l];
			return true;
		}
	}
	out->lvl = -1;
	out->pos = 0;
	return false;
}

int qspn_min_common_level(const struct qspn_naddr *me,
			  const struct qspn_naddr *dest)
{
	struct qspn_hcoord h;

	if (!qspn_coord_by_address(me, dest, &h))
		return 0;
	return h.lvl + 1;
}

struct qspn_naddr qspn_hcoord_naddr(const struct qspn_naddr *me,
				    struct qspn_hcoord h)
{
	struct qspn_naddr n = *me;

	if (h.lvl >= 0 && h.lvl < n.levels)
		n.pos[h.lvl] = h.pos;
	return n;
}
