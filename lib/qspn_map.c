// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qspn_map.c: the map of an instance (doc/protocol/qspn.md §4): per-level
 * sorted arrays of destinations, the map-update algorithm with its
 * path-selection rules (§4.3-§4.5), exposure and signals (§4.6), split
 * bookkeeping (§4.7), own g-node information (§4.8), the Z sets (§4.9) and
 * ignore_outside (§3.7).
 *
 * Determinism: destinations are kept sorted by position and every sort is
 * stable with an explicit tie-break, so the same inputs give the same
 * signals in the same order (doc/style.md §3.3 item 3).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "qspn_engine_int.h"

/* --- lookup ------------------------------------------------------------- */

static uint32_t lower_bound(const struct qspn_level_map *lm, uint32_t pos)
{
	uint32_t lo = 0, hi = lm->n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (lm->d[mid]->hc.pos < pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct qspn_dest *qspn_map_find(const struct qspn_instance *inst,
				struct qspn_hcoord hc)
{
	const struct qspn_level_map *lm;
	uint32_t i;

	if (hc.lvl < 0 || hc.lvl >= inst->L)
		return NULL;
	lm = &inst->map[hc.lvl];
	i = lower_bound(lm, hc.pos);
	if (i < lm->n && lm->d[i]->hc.pos == hc.pos)
		return lm->d[i];
	return NULL;
}

static struct qspn_dest *map_insert(struct qspn_instance *inst,
				    struct qspn_hcoord hc)
{
	struct qspn_level_map *lm = &inst->map[hc.lvl];
	uint32_t i = lower_bound(lm, hc.pos);
	struct qspn_dest *d = qspn_xcalloc(1, sizeof(*d));

	d->hc = hc;
	if (lm->n == lm->cap) {
		lm->cap = lm->cap ? lm->cap * 2 : 4;
		lm->d = qspn_xrealloc(lm->d, lm->cap, sizeof(*lm->d));
	}
	memmove(lm->d + i + 1, lm->d + i, (lm->n - i) * sizeof(*lm->d));
	lm->d[i] = d;
	lm->n++;
	return d;
}

/* Unlink a destination from the map without freeing its paths. */
static struct qspn_dest *map_unlink(struct qspn_instance *inst,
				    struct qspn_hcoord hc)
{
	struct qspn_level_map *lm;
	struct qspn_dest *d;
	uint32_t i;

	if (hc.lvl < 0 || hc.lvl >= inst->L)
		return NULL;
	lm = &inst->map[hc.lvl];
	i = lower_bound(lm, hc.pos);
	if (i >= lm->n || lm->d[i]->hc.pos != hc.pos)
		return NULL;
	d = lm->d[i];
	memmove(lm->d + i, lm->d + i + 1, (lm->n - i - 1) * sizeof(*lm->d));
	lm->n--;
	return d;
}

void qspn_dest_free(struct qspn_dest *d)
{
	if (!d)
		return;
	for (uint32_t i = 0; i < d->n; i++)
		qspn_npath_free(d->paths[i]);
	free(d->paths);
	free(d);
}

void qspn_map_remove_dest(struct qspn_instance *inst, struct qspn_hcoord hc)
{
	qspn_dest_free(map_unlink(inst, hc));
}

/* §4.1 derived values */
const struct qspn_npath *qspn_dest_best(const struct qspn_dest *d,
					const struct qspn_instance *inst,
					const struct qspn_fp **fp, uint32_t *nn)
{
	const struct qspn_npath *best = NULL;
	struct qspn_cost bc = qspn_cost_dead();

	if (d->hc.lvl == 0) {
		for (uint32_t i = 0; i < d->n; i++) {
			struct qspn_cost c = qspn_npath_cost(inst, d->paths[i]);

			if (!best || qspn_cost_cmp(c, bc) < 0) {
				best = d->paths[i];
				bc = c;
			}
		}
	} else {
		for (uint32_t i = 0; i < d->n; i++) {
			const struct qspn_npath *p = d->paths[i];
			struct qspn_cost c = qspn_npath_cost(inst, p);

			if (!best) {
				best = p;
				bc = c;
			} else if (!qspn_fp_equal(&best->p.fp, &p->p.fp)) {
				if (!qspn_fp_elder_seed(&best->p.fp,
							&p->p.fp)) {
					best = p;
					bc = c;
				}
			} else if (qspn_cost_cmp(c, bc) < 0) {
				best = p;
				bc = c;
			}
		}
	}
	if (fp)
		*fp = best ? &best->p.fp : NULL;
	if (nn)
		*nn = best ? best->p.nodes_inside : 0;
	return best;
}

static uint32_t dest_nn(const struct qspn_instance *inst, struct qspn_hcoord hc)
{
	const struct qspn_dest *d = qspn_map_find(inst, hc);
	uint32_t nn = 0;

	if (d)
		qspn_dest_best(d, inst, NULL, &nn);
	return nn;
}

/* --- §4.9 Z sets --------------------------------------------------------- */

void qspn_gnode_neighbors(const struct qspn_instance *inst, int i,
			  struct qspn_hclist *out)
{
	for (int l = i; l < inst->L; l++) {
		const struct qspn_level_map *lm = &inst->map[l];

		for (uint32_t di = 0; di < lm->n; di++) {
			const struct qspn_dest *d = lm->d[di];

			for (uint32_t pi = 0; pi < d->n; pi++) {
				const struct qspn_epath *p = &d->paths[pi]->p;

				if (p->hops[0].lvl == i) {
					qspn_hclist_add_unique(out, p->hops[0]);
					continue;
				}
				for (uint32_t x = 1; x < p->n; x++)
					if (p->hops[x].lvl == i &&
					    p->hops[x - 1].lvl < i) {
						qspn_hclist_add_unique(
							out, p->hops[x]);
						break;
					}
			}
		}
	}
}

/*
 * Z[0 .. nlev-1] in one walk over the map: the same sets, in the same
 * order, as qspn_gnode_neighbors(i) for every i (a path's hop at level i
 * counts only for destinations of level >= i, and only its first entry
 * from below level i).
 */
static void gnode_neighbors_upto(const struct qspn_instance *inst, int nlev,
				 struct qspn_hclist *z)
{
	if (nlev <= 0)
		return;
	for (int l = 0; l < inst->L; l++) {
		const struct qspn_level_map *lm = &inst->map[l];

		for (uint32_t di = 0; di < lm->n; di++) {
			const struct qspn_dest *d = lm->d[di];

			for (uint32_t pi = 0; pi < d->n; pi++) {
				const struct qspn_epath *p = &d->paths[pi]->p;
				uint32_t found = 0;

				for (uint32_t x = 0; x < p->n; x++) {
					int i = p->hops[x].lvl;

					if (i < 0 || i >= nlev || i > l ||
					    (found & (1u << i)))
						continue;
					if (x == 0 || p->hops[x - 1].lvl < i) {
						qspn_hclist_add_unique(
							&z[i], p->hops[x]);
						found |= 1u << i;
					}
				}
			}
		}
	}
}

/* --- §4.5 disjointness --------------------------------------------------- */

double qspn_mch_ratio(double max_ratio, uint32_t num, uint32_t v)
{
	static const double lambda[] = {0.08, 0.45, 0.35, 0.27,
					0.20, 0.15, 0.12, 0.10};
	double l = v < 8 ? lambda[v] : 0.08;
	double eps = max_ratio * l, g;

	if (v == 0)
		l = 0.08, eps = max_ratio * l;
	if (num < 10)
		g = 1.0;
	else if (num < 25)
		g = 0.9;
	else if (num < 75)
		g = 0.8;
	else if (num < 250)
		g = 0.6;
	else if (num < 750)
		g = 0.3;
	else if (num < 3000)
		g = 0.1;
	else
		g = 0.0001;
	return (max_ratio - eps) * g + eps;
}

static bool has_arc(const struct qspn_epath *p, uint32_t arc)
{
	for (uint32_t i = 0; i < p->n; i++)
		if (p->arcs[i] == arc)
			return true;
	return false;
}

/* [CODE] 10.5: the entry/exit arc test is "appears anywhere in p1.arcs". */
static bool disjoint_enough(const struct qspn_instance *inst,
			    const struct qspn_npath *p1,
			    struct qspn_npath *const *r, uint32_t nr,
			    struct qspn_hcoord d, double ratio)
{
	const struct qspn_dest *dd = d.lvl > 0 ? qspn_map_find(inst, d) : NULL;

	for (uint32_t k = 0; k < nr; k++) {
		const struct qspn_epath *p2 = &r[k]->p;
		double total = 0, common = 0;

		for (uint32_t idx = 0; idx + 1 < p2->n; idx++) {
			struct qspn_hcoord g = p2->hops[idx];
			double x = floor(1.5 * sqrt((double)dest_nn(inst, g)));

			total += x;
			if (qspn_epath_has_hop(&p1->p, g)) {
				bool in_ok = has_arc(&p1->p, p2->arcs[idx]);
				bool out_ok =
					has_arc(&p1->p, p2->arcs[idx + 1]);

				if (in_ok && out_ok)
					common += x;
				else if (in_ok || out_ok)
					common += ceil(0.5 * x);
			}
		}
		if (dd) {
			uint32_t nn = 0;
			double y;

			qspn_dest_best(dd, inst, NULL, &nn);
			y = floor(0.75 * sqrt((double)nn));
			if (y > 0)
				y -= 1;
			if (y > 0) {
				total += y;
				if (has_arc(&p1->p, p2->arcs[p2->n - 1]))
					common += y;
			}
		}
		if (total > 0 && common / total > ratio)
			return false;
	}
	return true;
}

/* --- §4.4 update_map ---------------------------------------------------- */

struct qent {
	struct qspn_npath *np;
	uint32_t idx;
};

static int qent_cmp(const void *a, const void *b)
{
	const struct qent *x = a, *y = b;
	struct qspn_hcoord hx = x->np->p.hops[x->np->p.n - 1];
	struct qspn_hcoord hy = y->np->p.hops[y->np->p.n - 1];

	if (hx.lvl != hy.lvl)
		return hx.lvl < hy.lvl ? -1 : 1;
	if (hx.pos != hy.pos)
		return hx.pos < hy.pos ? -1 : 1;
	return x->idx < y->idx ? -1 : (x->idx > y->idx);
}

struct grp {
	struct qspn_hcoord hc;
	uint32_t start, count;
	uint32_t key;
};

static int grp_cmp(const void *a, const void *b)
{
	const struct grp *x = a, *y = b;

	if (x->hc.lvl != y->hc.lvl)
		return x->hc.lvl < y->hc.lvl ? -1 : 1;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->hc.pos != y->hc.pos)
		return x->hc.pos < y->hc.pos ? -1 : 1;
	return 0;
}

struct cand {
	struct qspn_npath *np;
	struct qspn_cost cost;
	uint32_t idx;
};

static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	int c = qspn_cost_cmp(x->cost, y->cost);

	if (c)
		return c;
	return x->idx < y->idx ? -1 : (x->idx > y->idx);
}

struct sig_rec {
	int type;
	struct qspn_npath *np;
};

struct sigs {
	uint32_t n, cap;
	struct sig_rec *v;
};

static void sig_push(struct sigs *s, int type, struct qspn_npath *np)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 8;
		s->v = qspn_xrealloc(s->v, s->cap, sizeof(*s->v));
	}
	s->v[s->n].type = type;
	s->v[s->n].np = np;
	s->n++;
}

void qspn_view_of(struct qspn_instance *inst, const struct qspn_npath *np,
		  struct qspn_path *out, struct qspn_path_hop *hops)
{
	const struct qspn_arc *a = qspn_arc_by_id(inst, np->arc_id);
	struct qspn_cost c = qspn_npath_cost(inst, np);

	out->arc = a ? a->handle : 0;
	out->cost = c.kind == QSPN_COST_REAL ? c.usec : 0;
	out->nodes_inside = np->p.nodes_inside;
	out->n_hops = np->p.n;
	for (uint32_t i = 0; i < np->p.n; i++) {
		hops[i].arc_id = np->p.arcs[i];
		hops[i].hc = np->p.hops[i];
	}
	out->hops = hops;
}

static void emit_path_sig(struct qspn_instance *inst, int type,
			  struct qspn_hcoord dest, const struct qspn_npath *np)
{
	struct qspn_signal s = {.type = type, .dest = dest};
	struct qspn_path view;
	struct qspn_path_hop *hops = NULL;

	if (np) {
		hops = qspn_xcalloc(np->p.n, sizeof(*hops));
		qspn_view_of(inst, np, &view, hops);
		s.path = &view;
		s.arc = view.arc;
	}
	qspn_emit(inst, &s);
	free(hops);
}

static bool in_list(struct qspn_npath *const *v, uint32_t n,
		    const struct qspn_npath *p)
{
	for (uint32_t i = 0; i < n; i++)
		if (qspn_epath_same(&v[i]->p, &p->p))
			return true;
	return false;
}

static struct qspn_npath *find_same(struct qspn_npath *const *v, uint32_t n,
				    const struct qspn_npath *p)
{
	for (uint32_t i = 0; i < n; i++)
		if (qspn_epath_same(&v[i]->p, &p->p))
			return v[i];
	return NULL;
}

static bool obj_in(struct qspn_npath *const *v, uint32_t n,
		   const struct qspn_npath *p)
{
	for (uint32_t i = 0; i < n; i++)
		if (v[i] == p)
			return true;
	return false;
}

static void split_check_spawn(struct qspn_instance *inst,
			      const struct qspn_fp *fpe,
			      const struct qspn_fp *fp,
			      const struct qspn_npath *bpe,
			      const struct qspn_npath *bp, struct qspn_hcoord d)
{
	struct qspn_timer t;
	uint32_t ms = 10000;

	for (uint32_t i = 0; i < inst->n_split; i++)
		if (inst->split_pairs[i][0] == fpe->id &&
		    inst->split_pairs[i][1] == fp->id)
			return;
	if (inst->n_split == inst->cap_split) {
		inst->cap_split = inst->cap_split ? inst->cap_split * 2 : 4;
		inst->split_pairs =
			qspn_xrealloc(inst->split_pairs, inst->cap_split,
				      sizeof(*inst->split_pairs));
	}
	inst->split_pairs[inst->n_split][0] = fpe->id;
	inst->split_pairs[inst->n_split][1] = fp->id;
	inst->n_split++;
	if (inst->ops->threshold_ms) {
		struct qspn_path v1, v2;
		struct qspn_path_hop *h1 = qspn_xcalloc(bpe->p.n, sizeof(*h1));
		struct qspn_path_hop *h2 = qspn_xcalloc(bp->p.n, sizeof(*h2));

		qspn_view_of(inst, bpe, &v1, h1);
		qspn_view_of(inst, bp, &v2, h2);
		ms = inst->ops->threshold_ms(inst->ctx, &v1, &v2);
		free(h1);
		free(h2);
	}
	memset(&t, 0, sizeof(t));
	t.kind = QSPN_T_SPLIT_CHECK;
	t.at = inst->now + ms;
	t.hc = d;
	t.fp_eldest = fpe->id;
	t.fp = fp->id;
	qspn_timer_add(inst, &t);
}

static void update_one(struct qspn_instance *inst, struct qspn_hcoord dh,
		       struct qspn_npath **qd, uint32_t nqd, uint32_t a_changed,
		       const struct qspn_hclist *vn_all,
		       const struct qspn_hclist *z, struct qspn_eplist *p_out,
		       struct qspn_hclist *b)
{
	struct qspn_dest *d = qspn_map_find(inst, dh);
	struct qspn_npath **md = d ? d->paths : NULL;
	uint32_t nmd = d ? d->n : 0;
	struct qspn_npath **od, **vd, **r;
	uint32_t nod = 0, nvd = 0, nr = 0, npool = 0;
	struct qspn_npath **pool;
	bool *used = qspn_xcalloc(nqd ? nqd : 1, sizeof(*used));
	struct cand *cands;
	const struct qspn_fp *valid_fp = NULL;
	struct sigs s = {0};
	struct qspn_hclist vn = {0}, z1 = {0};
	const struct qspn_fp **fd;
	uint32_t nfd = 0;
	double ratio = inst->prm.max_common_hops_ratio;
	bool md_empty = nmd == 0;
	/* F1: distinct fingerprints of Md (for the first split detection) */
	int64_t *f1 = qspn_xcalloc(nmd + 1, sizeof(*f1));
	uint32_t nf1 = 0;

	pool = qspn_xcalloc(nmd + nqd + 1, sizeof(*pool));
	od = qspn_xcalloc(nmd + nqd + 1, sizeof(*od));
	vd = qspn_xcalloc(nmd + nqd + 1, sizeof(*vd));
	r = qspn_xcalloc(nmd + nqd + 1, sizeof(*r));
	fd = qspn_xcalloc(nmd + nqd + 1, sizeof(*fd));
	for (uint32_t i = 0; i < nmd; i++) {
		bool seen = false;

		pool[npool++] = md[i];
		for (uint32_t j = 0; j < nf1; j++)
			if (f1[j] == md[i]->p.fp.id)
				seen = true;
		if (!seen)
			f1[nf1++] = md[i]->p.fp.id;
	}
	for (uint32_t i = 0; i < nqd; i++)
		pool[npool++] = qd[i];

	/* step 1: match old paths with new reports of the same path */
	for (uint32_t i = 0; i < nmd; i++) {
		struct qspn_npath *p1 = md[i], *p2 = NULL;

		for (uint32_t j = 0; j < nqd; j++)
			if (!used[j] && qspn_epath_same(&qd[j]->p, &p1->p)) {
				p2 = qd[j];
				used[j] = true;
				break;
			}
		if (p2) {
			double o = p1->p.nodes_inside, n = p2->p.nodes_inside;
			bool relevant = !qspn_fp_equal(&p1->p.fp, &p2->p.fp) ||
					qspn_cost_important_variation(
						p1->p.cost, p2->p.cost) ||
					o * 1.1 < n || o * 0.9 > n;

			if (relevant) {
				od[nod++] = p2;
				vd[nvd++] = p2;
			} else {
				od[nod++] = p1;
				if (a_changed && p1->arc_id == a_changed)
					vd[nvd++] = p1;
			}
		} else {
			od[nod++] = p1;
			if (a_changed && p1->arc_id == a_changed)
				vd[nvd++] = p1;
		}
	}
	for (uint32_t j = 0; j < nqd; j++)
		if (!used[j])
			od[nod++] = qd[j];

	/* step 2: sort by cost (stable), drop paths through unknown hops */
	cands = qspn_xcalloc(nod + 1, sizeof(*cands));
	for (uint32_t i = 0; i < nod; i++) {
		cands[i].np = od[i];
		cands[i].cost = qspn_npath_cost(inst, od[i]);
		cands[i].idx = i;
	}
	qsort(cands, nod, sizeof(*cands), cand_cmp);
	{
		uint32_t w = 0;

		for (uint32_t i = 0; i < nod; i++) {
			const struct qspn_epath *p = &cands[i].np->p;
			bool ok = true;

			for (uint32_t h = 0; h + 1 < p->n; h++)
				if (!qspn_map_find(inst, p->hops[h])) {
					ok = false;
					break;
				}
			if (ok)
				cands[w++] = cands[i];
		}
		nod = w;
	}

	/* step 3: choose what to keep (§4.3, §4.5) */
	for (uint32_t i = 0; i < vn_all->n; i++)
		qspn_hclist_add_unique(&vn, vn_all->v[i]);
	for (int i = 0; i < dh.lvl; i++)
		for (uint32_t j = 0; j < z[i].n; j++)
			qspn_hclist_add_unique(&z1, z[i].v[j]);
	if (d && inst->bootstrap_complete) {
		const struct qspn_fp *vfp;
		uint32_t num, narcs = 0;
		uint32_t *seen = qspn_xcalloc(d->n + 1, sizeof(*seen));

		qspn_dest_best(d, inst, &vfp, &num);
		for (uint32_t i = 0; i < d->n; i++) {
			bool dup = false;

			if (!vfp || !qspn_fp_equal(&d->paths[i]->p.fp, vfp))
				continue;
			for (uint32_t j = 0; j < narcs; j++)
				if (seen[j] == d->paths[i]->arc_id)
					dup = true;
			if (!dup)
				seen[narcs++] = d->paths[i]->arc_id;
		}
		free(seen);
		ratio = qspn_mch_ratio(inst->prm.max_common_hops_ratio, num,
				       narcs);
	}
	for (uint32_t i = 0; i < nod; i++) {
		struct qspn_npath *p1 = cands[i].np;
		bool mandatory = false, seen = false;

		if (cands[i].cost.kind == QSPN_COST_DEAD)
			break;
		for (uint32_t j = 0; j < nfd; j++)
			if (qspn_fp_equal(fd[j], &p1->p.fp))
				seen = true;
		if (!seen) {
			fd[nfd++] = &p1->p.fp;
			mandatory = true;
		}
		for (uint32_t j = 0; j < vn.n;) {
			if (!qspn_epath_has_hop(&p1->p, vn.v[j])) {
				vn.v[j] = vn.v[--vn.n];
				mandatory = true;
			} else {
				j++;
			}
		}
		for (uint32_t j = 0; j < z1.n;) {
			if (qspn_epath_has_hop(&p1->p, z1.v[j])) {
				z1.v[j] = z1.v[--z1.n];
				mandatory = true;
			} else {
				j++;
			}
		}
		if (mandatory)
			r[nr++] = p1;
		else if (nr < inst->prm.max_paths &&
			 disjoint_enough(inst, p1, r, nr, dh, ratio))
			r[nr++] = p1;
	}
	qspn_hclist_free(&vn);
	qspn_hclist_free(&z1);

	/* step 4: the valid fingerprint of d */
	if (dh.lvl > 0 && nr > 0) {
		valid_fp = &r[0]->p.fp;
		for (uint32_t i = 1; i < nr; i++)
			if (!qspn_fp_equal(&r[i]->p.fp, valid_fp) &&
			    qspn_fp_elder_seed(&r[i]->p.fp, valid_fp))
				valid_fp = &r[i]->p.fp;
	}

	/* step 5: P_out and signals */
	if (md_empty && nr > 0)
		sig_push(&s, QSPN_SIG_DEST_ADDED, NULL);
	for (uint32_t i = 0; i < nr; i++) {
		struct qspn_npath *p = r[i];
		struct qspn_epath e;

		if (in_list(md, nmd, p))
			continue;
		qspn_advertise(inst, p, false, &e);
		qspn_eplist_push_copy(p_out, &e);
		qspn_epath_free(&e);
		if (dh.lvl == 0) {
			sig_push(&s, QSPN_SIG_PATH_ADDED, p);
		} else if (qspn_fp_equal(&p->p.fp, valid_fp)) {
			sig_push(&s, QSPN_SIG_PATH_ADDED, p);
			p->exposed = true;
		}
	}
	for (uint32_t i = 0; i < nmd; i++) {
		struct qspn_npath *p = md[i], *p1 = find_same(r, nr, p);
		struct qspn_epath e;

		if (!p1) {
			qspn_advertise(inst, p, true, &e);
			qspn_eplist_push_copy(p_out, &e);
			qspn_epath_free(&e);
			if (dh.lvl == 0 || p->exposed)
				sig_push(&s, QSPN_SIG_PATH_REMOVED, p);
			continue;
		}
		if (!in_list(vd, nvd, p))
			continue;
		qspn_advertise(inst, p1, false, &e);
		qspn_eplist_push_copy(p_out, &e);
		qspn_epath_free(&e);
		if (dh.lvl == 0) {
			sig_push(&s, QSPN_SIG_PATH_CHANGED, p1);
		} else if (p->exposed) {
			/* [CODE] 10.8(a): decided on the old path's fp */
			if (valid_fp && qspn_fp_equal(&p->p.fp, valid_fp)) {
				sig_push(&s, QSPN_SIG_PATH_CHANGED, p1);
				p1->exposed = true;
			} else {
				sig_push(&s, QSPN_SIG_PATH_REMOVED, p);
				/* [DIFF] exposed means "announced and not
				 * removed since" (§4.1) */
				p1->exposed = false;
			}
		} else if (valid_fp && qspn_fp_equal(&p->p.fp, valid_fp)) {
			sig_push(&s, QSPN_SIG_PATH_ADDED, p1);
			p1->exposed = true;
		}
	}
	if (!md_empty && nr == 0) {
		sig_push(&s, QSPN_SIG_DEST_REMOVED, NULL);
		inst->lost++; /* recovery.md: ask the arcs for it */
	}

	/* step 6: commit, then signal */
	if (nr == 0) {
		struct qspn_dest *x = map_unlink(inst, dh);

		if (x) {
			free(x->paths);
			free(x);
		}
		d = NULL;
	} else {
		if (!d)
			d = map_insert(inst, dh);
		free(d->paths);
		d->paths = qspn_xcalloc(nr, sizeof(*d->paths));
		memcpy(d->paths, r, nr * sizeof(*r));
		d->n = d->cap = nr;
	}
	for (uint32_t i = 0; i < s.n; i++)
		emit_path_sig(inst, s.v[i].type, dh, s.v[i].np);

	/* step 7: split bookkeeping (§4.7) */
	if (dh.lvl > 0 && d) {
		const struct qspn_fp *f2[64];
		uint32_t nf2 = 0;
		bool newfp = false;

		for (uint32_t i = 0; i < d->n && nf2 < 64; i++) {
			bool seen = false;

			for (uint32_t j = 0; j < nf2; j++)
				if (qspn_fp_equal(f2[j], &d->paths[i]->p.fp))
					seen = true;
			if (!seen)
				f2[nf2++] = &d->paths[i]->p.fp;
		}
		if (nf2 > 1) {
			const struct qspn_fp *fpe = f2[0];
			const struct qspn_npath *bpe = NULL;

			for (uint32_t j = 0; j < nf2; j++) {
				bool in1 = false;

				for (uint32_t x = 0; x < nf1; x++)
					if (f1[x] == f2[j]->id)
						in1 = true;
				if (!in1)
					newfp = true;
				if (j && qspn_fp_elder_seed(f2[j], fpe))
					fpe = f2[j];
			}
			if (newfp)
				qspn_hclist_add_unique(b, dh);
			for (uint32_t i = 0; i < d->n; i++)
				if (qspn_fp_equal(&d->paths[i]->p.fp, fpe)) {
					bpe = d->paths[i];
					break;
				}
			for (uint32_t j = 0; j < nf2; j++) {
				const struct qspn_npath *bp = NULL;

				if (qspn_fp_equal(f2[j], fpe))
					continue;
				for (uint32_t i = 0; i < d->n; i++)
					if (qspn_fp_equal(&d->paths[i]->p.fp,
							  f2[j])) {
						bp = d->paths[i];
						break;
					}
				if (bp && bpe)
					split_check_spawn(inst, fpe, f2[j], bpe,
							  bp, dh);
			}
		}
	}

	/* free what was not kept */
	for (uint32_t i = 0; i < npool; i++)
		if (!obj_in(r, nr, pool[i]))
			qspn_npath_free(pool[i]);
	free(s.v);
	free(cands);
	free(used);
	free(pool);
	free(od);
	free(vd);
	free(r);
	free(fd);
	free(f1);
}

void qspn_update_map(struct qspn_instance *inst, struct qspn_nplist *q,
		     uint32_t a_changed, struct qspn_eplist *p_out,
		     struct qspn_hclist *b)
{
	struct qent *e;
	struct grp *g;
	struct qspn_npath **sorted;
	uint32_t n = 0, ng = 0;
	int maxlvl = 0;
	struct qspn_hclist z[QSPN_MAX_LEVELS];
	struct qspn_hclist vn = {0};

	inst->stats.map_updates++;
	memset(z, 0, sizeof(z));
	e = qspn_xcalloc(q->n + 1, sizeof(*e));
	/* paths through arcs removed meanwhile are dropped */
	for (uint32_t i = 0; i < q->n; i++) {
		if (!qspn_arc_by_id(inst, q->v[i]->arc_id)) {
			qspn_npath_free(q->v[i]);
			continue;
		}
		e[n].np = q->v[i];
		e[n].idx = n;
		n++;
	}
	q->n = 0;
	qsort(e, n, sizeof(*e), qent_cmp);
	sorted = qspn_xcalloc(n + 1, sizeof(*sorted));
	g = qspn_xcalloc(n + 1, sizeof(*g));
	for (uint32_t i = 0; i < n; i++) {
		struct qspn_hcoord hc = e[i].np->p.hops[e[i].np->p.n - 1];

		sorted[i] = e[i].np;
		if (ng == 0 || !qspn_hcoord_equal(g[ng - 1].hc, hc)) {
			g[ng].hc = hc;
			g[ng].start = i;
			g[ng].count = 0;
			ng++;
		}
		g[ng - 1].count++;
	}
	for (uint32_t k = 0; k < ng; k++) {
		const struct qspn_npath *best = NULL;
		struct qspn_cost bc = qspn_cost_dead();
		uint32_t cnt = 0;

		for (uint32_t i = g[k].start; i < g[k].start + g[k].count;
		     i++) {
			struct qspn_cost c = qspn_npath_cost(inst, sorted[i]);

			if (!best || qspn_cost_cmp(c, bc) < 0) {
				best = sorted[i];
				bc = c;
			}
		}
		for (uint32_t h = 0; h < best->p.n; h++)
			if (best->p.hops[h].lvl == g[k].hc.lvl)
				cnt++;
		g[k].key = cnt;
		if (g[k].hc.lvl > maxlvl)
			maxlvl = g[k].hc.lvl;
	}
	qsort(g, ng, sizeof(*g), grp_cmp);

	/* Z[i] on the map before the update (§4.9); VN (§4.3) */
	gnode_neighbors_upto(inst, maxlvl, z);
	for (uint32_t i = 0; i < inst->n_arcs; i++) {
		struct qspn_hcoord c;

		if (inst->arcs[i].has_peer &&
		    qspn_coord_by_address(&inst->me, &inst->arcs[i].peer, &c))
			qspn_hclist_add_unique(&vn, c);
	}

	for (uint32_t k = 0; k < ng; k++)
		update_one(inst, g[k].hc, sorted + g[k].start, g[k].count,
			   a_changed, &vn, z, p_out, b);

	for (int i = 0; i < maxlvl; i++)
		qspn_hclist_free(&z[i]);
	qspn_hclist_free(&vn);
	free(e);
	free(g);
	free(sorted);
}

/* --- §3.7 ignore_outside ------------------------------------------------ */

static void set_ignore_outside(const struct qspn_instance *inst,
			       struct qspn_epath *p)
{
	int last = p->hops[p->n - 1].lvl;

	p->ignore_outside = 0;
	for (int i = 1; i < inst->L; i++) {
		uint32_t j = 0;
		const struct qspn_dest *d;
		const struct qspn_npath *best = NULL;
		struct qspn_cost bc = qspn_cost_dead();
		bool same;

		if (last < i) {
			p->ignore_outside |= 1u << i;
			continue;
		}
		while (j < p->n && p->hops[j].lvl < i)
			j++;
		d = qspn_map_find(inst, p->hops[j]);
		if (!d)
			continue;
		for (uint32_t x = 0; x < d->n; x++) {
			const struct qspn_npath *q = d->paths[x];
			struct qspn_cost c;

			if (q->p.arcs[q->p.n - 1] != p->arcs[j])
				continue;
			c = qspn_npath_cost(inst, q);
			if (!best || qspn_cost_cmp(c, bc) < 0) {
				best = q;
				bc = c;
			}
		}
		if (!best)
			continue;
		/* [DIFF] 10.2: the prefix length is j + 1 (the code's fix) */
		same = best->p.n == j + 1;
		for (uint32_t k = 0; same && k < j; k++)
			if (!qspn_hcoord_equal(best->p.hops[k], p->hops[k]) ||
			    best->p.arcs[k] != p->arcs[k])
				same = false;
		if (!same)
			p->ignore_outside |= 1u << i;
	}
}

void qspn_finalize(struct qspn_instance *inst, struct qspn_eplist *p_out)
{
	for (uint32_t i = 0; i < p_out->n; i++)
		set_ignore_outside(inst, &p_out->v[i]);
}

/* --- §4.8 own g-node information ---------------------------------------- */

bool qspn_update_clusters(struct qspn_instance *inst)
{
	bool changed = false;

	for (int i = 1; i <= inst->L; i++) {
		bool null = inst->me.pos[i - 1] >= inst->topo.gsize[i - 1];
		const struct qspn_level_map *lm = &inst->map[i - 1];
		const struct qspn_fp **fps;
		uint32_t nn = 0, nf = 0, new_nn, old_nn;
		struct qspn_fp nfp;

		if (null)
			inst->my_nn[i - 1] = 0;
		fps = qspn_xcalloc(lm->n + 1, sizeof(*fps));
		for (uint32_t di = 0; di < lm->n; di++) {
			const struct qspn_fp *f = NULL;
			uint32_t x = 0;

			if (qspn_dest_best(lm->d[di], inst, &f, &x) && f) {
				fps[nf++] = f;
				nn += x;
			}
		}
		qspn_fp_construct(&nfp, &inst->my_fp[i - 1],
				  (const struct qspn_fp *const *)fps, (int)nf,
				  null);
		free(fps);
		if (!qspn_fp_equal(&nfp, &inst->my_fp[i])) {
			inst->my_fp[i] = nfp;
			changed = true;
			{
				struct qspn_signal s = {
					.type = QSPN_SIG_CHANGED_FP,
					.level = i,
					.fp = &inst->my_fp[i]};
				qspn_emit(inst, &s);
			}
		} else {
			inst->my_fp[i] = nfp;
		}
		new_nn = inst->my_nn[i - 1] + nn;
		old_nn = inst->my_nn[i];
		inst->my_nn[i] = new_nn;
		if (new_nn != old_nn) {
			struct qspn_signal s = {
				.type = QSPN_SIG_CHANGED_NODES_INSIDE,
				.level = i,
				.nodes_inside = new_nn};

			changed = true;
			qspn_emit(inst, &s);
		}
	}
	return changed;
}
