/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qspn_ipv4.h: Netsukuku addresses mapped into 10.0.0.0/8
 * (doc/protocol/routes.md §1), and the destination / local IP sets of an
 * identity (§1.7).
 *
 * Addresses are IPv4 in host byte order (10.x.y.z = 0x0Axxyyzz).  The
 * functions are pure: positions that enter a formula must be real (the
 * callers check with the real() rule of §1.7; qspn_dest_ips() and
 * qspn_local_ips() do that themselves).
 */
#ifndef QSPN_IPV4_H
#define QSPN_IPV4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qspn_addr.h"

/* "255.255.255.255/32" plus NUL */
#define QSPN_IPV4_STRLEN 20

struct qspn_prefix {
	uint32_t addr; /* host order, host bits zero */
	uint8_t len;   /* 0..32 */
};

/* Marker values (doc/protocol/routes.md §1.2). */
enum qspn_marker {
	QSPN_MARK_GLOBAL = 0,
	QSPN_MARK_INTERNAL = 1,
	QSPN_MARK_ANON = 2,
	QSPN_MARK_RESERVED = 3,
};

/* §1.3 formulas.  n must be real at the levels used by each formula. */
uint32_t qspn_ip_global_node(const struct qspn_topology *t,
			     const struct qspn_naddr *n);
uint32_t qspn_ip_anon_node(const struct qspn_topology *t,
			   const struct qspn_naddr *n);
/* 0 <= k < levels */
uint32_t qspn_ip_internal_node(const struct qspn_topology *t,
			       const struct qspn_naddr *n, int k);
/* 0 <= i <= levels (i == levels: the whole global range) */
struct qspn_prefix qspn_ip_global_gnode(const struct qspn_topology *t,
					const struct qspn_naddr *n, int i);
struct qspn_prefix qspn_ip_anon_gnode(const struct qspn_topology *t,
				      const struct qspn_naddr *n, int i);
/* 0 <= i <= k < levels */
struct qspn_prefix qspn_ip_internal_gnode(const struct qspn_topology *t,
					  const struct qspn_naddr *n, int i,
					  int k);

/* Special ranges. */
struct qspn_prefix qspn_ip_anon_range(const struct qspn_topology *t);
struct qspn_prefix qspn_ip_global_range(const struct qspn_topology *t);
/* The 4 markers together: 10.0.0.0/(30-B). */
struct qspn_prefix qspn_ip_netsukuku_range(const struct qspn_topology *t);
/* ntk localhost, internal_node(n, 0): constant per topology. */
uint32_t qspn_ip_localhost(const struct qspn_topology *t);

/* Text forms.  Return snprintf's result. */
int qspn_ipv4_format(uint32_t ip, char *buf, size_t len);
int qspn_prefix_format(struct qspn_prefix p, char *buf, size_t len);
/* Strict dotted quad ("a.b.c.d", each 0..255, no leading '+'/spaces). */
int qspn_ipv4_parse(const char *text, uint32_t *ip);
/* "a.b.c.d/len", or a bare address (len 32).  Host bits must be zero. */
int qspn_prefix_parse(const char *text, struct qspn_prefix *p);

/* The netmask of a prefix length (host order): 0 for /0. */
uint32_t qspn_prefix_mask(unsigned int len);
/* outer contains inner (every address of inner is in outer). */
bool qspn_prefix_covers(struct qspn_prefix outer, struct qspn_prefix inner);

static inline bool qspn_prefix_equal(struct qspn_prefix a, struct qspn_prefix b)
{
	return a.addr == b.addr && a.len == b.len;
}

/* real(n, a, b) of doc/protocol/routes.md §0: every position n[a..b] real;
 * a > b: true */
bool qspn_naddr_real_range(const struct qspn_topology *t,
			   const struct qspn_naddr *n, int a, int b);

/*
 * The IPs of one destination (§1.7).  Slot 0 is the global CIDR, slot 1 the
 * anonymizing CIDR, slot 2 + (levels-1-k) the internal-level-k CIDR for
 * k = levels-1 down to lvl+1.  n_slots = 2 + (levels-1-lvl).  A slot with
 * present[s] false is "not computable" (empty string in the code): no route.
 */
#define QSPN_DEST_MAX_SLOTS (QSPN_MAX_LEVELS + 1)

enum qspn_ip_kind {
	QSPN_IPK_GLOBAL,
	QSPN_IPK_ANON,
	QSPN_IPK_INTERNAL,
};

struct qspn_dest_ips {
	struct qspn_hcoord h;
	int n_slots;
	bool present[QSPN_DEST_MAX_SLOTS];
	struct qspn_prefix ip[QSPN_DEST_MAX_SLOTS];
};

static inline int qspn_slot_of_internal(const struct qspn_topology *t, int k)
{
	return 2 + (t->levels - 1 - k);
}
static inline int qspn_internal_of_slot(const struct qspn_topology *t, int slot)
{
	return t->levels - 1 - (slot - 2);
}

/*
 * Fill *out for destination h seen from n.  Returns false (and n_slots 0)
 * when h is not a destination: h.lvl < subnet_level, h.pos >= gsize (a
 * virtual destination), or h is n's own g-node.
 */
bool qspn_dest_ips(const struct qspn_topology *t, const struct qspn_naddr *n,
		   int subnet_level, struct qspn_hcoord h,
		   struct qspn_dest_ips *out);

/*
 * Destination enumeration order of §1.7 / §4.4: i from levels-1 down to
 * subnet_level, j upwards.  Dense index over all (i, j), own g-nodes
 * included (they simply have no IPs): qspn_dest_space() is the count,
 * qspn_dest_at() the HCoord of an index, qspn_dest_index() the inverse
 * (-1 when out of the space).
 */
int qspn_dest_space(const struct qspn_topology *t, int subnet_level);
struct qspn_hcoord qspn_dest_at(const struct qspn_topology *t, int subnet_level,
				int index);
int qspn_dest_index(const struct qspn_topology *t, int subnet_level,
		    struct qspn_hcoord h);

/*
 * Local IP set (§1.7, compute_local_ip_set).  intern[k] for k = 1..levels-1
 * (intern[0] unused: the ntk localhost is qspn_ip_localhost()).
 */
struct qspn_local_ips {
	bool has_global;
	uint32_t global;
	uint32_t anon;
	bool has_intern[QSPN_MAX_LEVELS];
	uint32_t intern[QSPN_MAX_LEVELS];
};

void qspn_local_ips(const struct qspn_topology *t, const struct qspn_naddr *n,
		    struct qspn_local_ips *out);

#endif /* QSPN_IPV4_H */
