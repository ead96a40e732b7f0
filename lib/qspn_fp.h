/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qspn_fp.h: the two opaque value types QSPN needs from its user, hard-wired
 * to the reference implementations (doc/protocol/qspn.md §0.2 allows it):
 * fingerprints (§1.6.3) and costs (§2.1).  Pure functions on values, no
 * allocation.
 */
#ifndef QSPN_FP_H
#define QSPN_FP_H

#include <stdbool.h>
#include <stdint.h>

#include "qspn_addr.h"

/* A null eldership: "my g-node is a connectivity g-node"
 * (doc/protocol/qspn.md §1.6.2). */
#define QSPN_ELD_NULL (-1)

/**
 * struct qspn_fp - reference fingerprint of a g-node
 * (doc/protocol/qspn.md §1.6.3).
 * @id:     the id of the eldest member (at level L: the network id).
 * @level:  level of the g-node it describes, 0..L.
 * @n_eld:  L - level entries in @eld.
 * @n_seed: level entries in @seed.
 * @eld:    eld[i] is the eldership of this g-node's ancestor of level
 *          level+i inside its parent (0 = eldest; QSPN_ELD_NULL = null).
 * @seed:   elderships of the eldest member's g-nodes from level-1 down to 0.
 */
struct qspn_fp {
	int64_t id;
	uint8_t level;
	uint8_t n_eld;
	uint8_t n_seed;
	int32_t eld[QSPN_MAX_LEVELS];
	int32_t seed[QSPN_MAX_LEVELS];
};

/**
 * qspn_fp_init_node() - level-0 fingerprint of a node.
 * @fp:    out.
 * @id:    the random id.
 * @levels: L.
 * @eld:   L elderships, eld[k] of my level-k g-node in its parent.
 */
void qspn_fp_init_node(struct qspn_fp *fp, int64_t id, int levels,
		       const int32_t *eld);

bool qspn_fp_equal(const struct qspn_fp *a, const struct qspn_fp *b);

/**
 * qspn_fp_construct() - my level-(k) fingerprint from my level-(k-1) one and
 * those of the other level-(k-1) g-nodes of my level-k g-node (§1.6.3).
 * @self:  my fingerprint of level k-1 (not modified).
 * @others: array of pointers, @n entries.
 * @null_eldership: my level-(k-1) g-node is virtual.
 *
 * [DIFF] 10.14: a null eldership is the youngest on both sides of the
 * comparison (the reference treats it as elder on the "current" side).
 */
void qspn_fp_construct(struct qspn_fp *out, const struct qspn_fp *self,
		       const struct qspn_fp *const *others, int n,
		       bool null_eldership);

/**
 * qspn_fp_elder_seed() - true iff @a (not equal to @b, same destination of
 * level >= 1) was assigned by the elder sub-g-node (§1.6.3).
 */
bool qspn_fp_elder_seed(const struct qspn_fp *a, const struct qspn_fp *b);

/* Costs (doc/protocol/qspn.md §2.1): NULL < any real < DEAD. */
enum qspn_cost_kind {
	QSPN_COST_NULL = 0,
	QSPN_COST_REAL = 1,
	QSPN_COST_DEAD = 2,
};

struct qspn_cost {
	uint8_t kind; /* enum qspn_cost_kind */
	int64_t usec; /* meaningful for QSPN_COST_REAL only */
};

static inline struct qspn_cost qspn_cost_real(int64_t usec)
{
	struct qspn_cost c = {.kind = QSPN_COST_REAL, .usec = usec};
	return c;
}

static inline struct qspn_cost qspn_cost_dead(void)
{
	struct qspn_cost c = {.kind = QSPN_COST_DEAD, .usec = 0};
	return c;
}

static inline struct qspn_cost qspn_cost_null(void)
{
	struct qspn_cost c = {.kind = QSPN_COST_NULL, .usec = 0};
	return c;
}

int qspn_cost_cmp(struct qspn_cost a, struct qspn_cost b);
struct qspn_cost qspn_cost_add(struct qspn_cost a, struct qspn_cost b);
/* Is @new_c different enough from @old_c to be propagated (30 %)? */
bool qspn_cost_important_variation(struct qspn_cost old_c,
				   struct qspn_cost new_c);

#endif /* QSPN_FP_H */
