// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qspn_fp.c: reference fingerprints (doc/protocol/qspn.md §1.6.3) and costs
 * (§2.1).
 */
#include <string.h>

#include "qspn_fp.h"

void qspn_fp_init_node(struct qspn_fp *fp, int64_t id, int levels,
		       const int32_t *eld)
{
	memset(fp, 0, sizeof(*fp));
	fp->id = id;
	fp->level = 0;
	fp->n_eld = (uint8_t)levels;
	fp->n_seed = 0;
	for (int i = 0; i < levels; i++)
		fp->eld[i] = eld ? eld[i] : 0;
}

bool qspn_fp_equal(const struct qspn_fp *a, const struct qspn_fp *b)
{
	return a->id == b->id;
}

/* Null eldership sorts as the youngest of all (10.14). */
static int64_t eld_key(int32_t e)
{
	return e < 0 ? INT64_MAX : (int64_t)e;
}

void qspn_fp_construct(struct qspn_fp *out, const struct qspn_fp *self,
		       const struct qspn_fp *const *others, int n,
		       bool null_eldership)
{
	struct qspn_fp r;
	const struct qspn_fp *eldest = self;
	int32_t eldest_e0 = null_eldership ? QSPN_ELD_NULL : self->eld[0];

	memset(&r, 0, sizeof(r));
	r.level = (uint8_t)(self->level + 1);
	r.n_eld = self->n_eld ? (uint8_t)(self->n_eld - 1) : 0;
	for (int i = 0; i < r.n_eld; i++)
		r.eld[i] = self->eld[i + 1];
	for (int i = 0; i < n; i++) {
		const struct qspn_fp *f = others[i];
		int32_t e0 = f->n_eld ? f->eld[0] : QSPN_ELD_NULL;

		if (eld_key(e0) < eld_key(eldest_e0)) {
			eldest = f;
			eldest_e0 = e0;
		}
	}
	r.id = eldest->id;
	r.seed[0] = eldest_e0;
	r.n_seed = 1;
	for (int i = 0; i < eldest->n_seed && r.n_seed < QSPN_MAX_LEVELS; i++)
		r.seed[r.n_seed++] = eldest->seed[i];
	*out = r;
}

bool qspn_fp_elder_seed(const struct qspn_fp *a, const struct qspn_fp *b)
{
	int n = a->n_seed < b->n_seed ? a->n_seed : b->n_seed;

	for (int i = 0; i < n; i++) {
		int64_t ka = eld_key(a->seed[i]), kb = eld_key(b->seed[i]);

		if (ka != kb)
			return ka < kb;
	}
	return false;
}

int qspn_cost_cmp(struct qspn_cost a, struct qspn_cost b)
{
	if (a.kind != b.kind)
		return a.kind < b.kind ? -1 : 1;
	if (a.kind != QSPN_COST_REAL || a.usec == b.usec)
		return 0;
	return a.usec < b.usec ? -1 : 1;
}

struct qspn_cost qspn_cost_add(struct qspn_cost a, struct qspn_cost b)
{
	if (a.kind == QSPN_COST_DEAD || b.kind == QSPN_COST_DEAD)
		return qspn_cost_dead();
	if (a.kind == QSPN_COST_NULL)
		return b;
	if (b.kind == QSPN_COST_NULL)
		return a;
	return qspn_cost_real(a.usec + b.usec);
}

bool qspn_cost_important_variation(struct qspn_cost old_c,
				   struct qspn_cost new_c)
{
	if (old_c.kind == QSPN_COST_NULL)
		return new_c.kind != QSPN_COST_NULL;
	if (old_c.kind == QSPN_COST_DEAD)
		return new_c.kind != QSPN_COST_DEAD;
	if (new_c.kind != QSPN_COST_REAL)
		return true;
	/* integer truncation of the 30 % thresholds, as the reference Cost */
	if (new_c.usec > old_c.usec + (int64_t)((double)new_c.usec * 0.3))
		return true;
	if (new_c.usec < old_c.usec - (int64_t)((double)old_c.usec * 0.3))
		return true;
	return false;
}
