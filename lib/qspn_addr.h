/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qspn_addr.h: Netsukuku topologies, addresses and hierarchical coordinates.
 *
 * Pure value types shared by the whole core (engine, planner, wire codec) and
 * by the daemon's configuration validation.  Levels are indexed from 0 (the
 * single node) to levels-1 (the top level); the dotted text form used in
 * configuration and in the documents is written top level first, e.g.
 * topology "4.16.256.256" has gsize[3] = 4 and gsize[0] = 256
 * (doc/protocol/qspn.md §1.1-1.3, doc/protocol/routes.md §1.1).
 */
#ifndef QSPN_ADDR_H
#define QSPN_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The error return of every parser and validator: the message into err
 * (when err and len), and -1. */
int qspn_errf(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* 22 address bits at most (doc/protocol/routes.md §1.1), and every level
 * takes >= 1 bit. */
#define QSPN_MAX_LEVELS 22
#define QSPN_MAX_ADDR_BITS 22
#define QSPN_MAX_GSIZE_BITS 16

/* Room for an error message from the parsers/validators below. */
#define QSPN_ERRBUF_SIZE 160

struct qspn_topology {
	int levels;			 /* L, 1..QSPN_MAX_LEVELS */
	uint32_t gsize[QSPN_MAX_LEVELS]; /* gsize[i], a power of two */
	uint8_t bits[QSPN_MAX_LEVELS];	 /* log2(gsize[i]) */
	uint8_t offset[QSPN_MAX_LEVELS]; /* bit offset of field i */
	uint8_t total_bits;		 /* B = sum of bits */
};

/* A node's address: pos[i] for i = 0..levels-1.  pos[i] >= gsize[i] is a
 * virtual position (doc/protocol/qspn.md §1.5). */
struct qspn_naddr {
	int levels;
	uint32_t pos[QSPN_MAX_LEVELS];
};

/* A g-node relative to the current node (doc/protocol/qspn.md §1.3). */
struct qspn_hcoord {
	int lvl;
	uint32_t pos;
};

/*
 * Parse "g(L-1).….g(0)" and check every constraint of
 * doc/protocol/routes.md §1.1.  Returns 0, or -1 with a message in errbuf
 * (QSPN_ERRBUF_SIZE bytes).
 */
int qspn_topology_parse(struct qspn_topology *topo, const char *text,
			char *errbuf, size_t errlen);

/* Same checks on gsizes given level 0 first. */
int qspn_topology_init(struct qspn_topology *topo, int levels,
		       const uint32_t *gsize, char *errbuf, size_t errlen);

/* Print a topology top level first; returns snprintf's result. */
int qspn_topology_format(const struct qspn_topology *topo, char *buf,
			 size_t len);

/*
 * Parse "p(L-1).….p(0)" for `topo`.  With allow_virtual false every position
 * must be real (< gsize).  Returns 0, or -1 with a message in errbuf.
 */
int qspn_naddr_parse(struct qspn_naddr *addr, const struct qspn_topology *topo,
		     const char *text, bool allow_virtual, char *errbuf,
		     size_t errlen);

int qspn_naddr_format(const struct qspn_naddr *addr, char *buf, size_t len);

bool qspn_naddr_is_real(const struct qspn_naddr *addr,
			const struct qspn_topology *topo);

bool qspn_naddr_equal(const struct qspn_naddr *a, const struct qspn_naddr *b);

/*
 * Maximum distinct g-node of `dest` for `me` (doc/protocol/qspn.md §1.3).
 * Returns false (and lvl -1) when the two addresses are equal.
 */
bool qspn_coord_by_address(const struct qspn_naddr *me,
			   const struct qspn_naddr *dest,
			   struct qspn_hcoord *out);

/*
 * Level of the minimum common g-node of `me` and `dest`
 * (doc/protocol/qspn.md §1.3): one above the level of the maximum distinct
 * g-node; levels means the whole network.  0 when the addresses are equal.
 */
int qspn_min_common_level(const struct qspn_naddr *me,
			  const struct qspn_naddr *dest);

/* The Netsukuku address of g-node h seen from me: me with pos[h.lvl] =
 * h.pos (the positions below h.lvl are irrelevant and kept from me). */
struct qspn_naddr qspn_hcoord_naddr(const struct qspn_naddr *me,
				    struct qspn_hcoord h);

static inline bool qspn_hcoord_equal(struct qspn_hcoord a, struct qspn_hcoord b)
{
	return a.lvl == b.lvl && a.pos == b.pos;
}

#endif /* QSPN_ADDR_H */
