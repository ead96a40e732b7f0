// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qspn_etp.c: ETP paths as values, the receiving-side normalisation
 * (revise_etp, doc/protocol/qspn.md §3.5-§3.9, §5.5) and the pieces of outgoing
 * ETPs (header, advertise, full-ETP content).
 */
#include <stdlib.h>
#include <string.h>

#include "qspn_engine_int.h"

void qspn_epath_copy(struct qspn_epath *dst, const struct qspn_epath *src)
{
	*dst = *src;
	dst->hops = qspn_xcalloc(src->n, sizeof(*dst->hops));
	dst->arcs = qspn_xcalloc(src->n, sizeof(*dst->arcs));
	memcpy(dst->hops, src->hops, src->n * sizeof(*dst->hops));
	memcpy(dst->arcs, src->arcs, src->n * sizeof(*dst->arcs));
}

void qspn_epath_free(struct qspn_epath *p)
{
	free(p->hops);
	free(p->arcs);
	p->hops = NULL;
	p->arcs = NULL;
	p->n = 0;
}

bool qspn_epath_same(const struct qspn_epath *a, const struct qspn_epath *b)
{
	if (a->n != b->n)
		return false;
	for (uint32_t i = 0; i < a->n; i++)
		if (a->arcs[i] != b->arcs[i] ||
		    !qspn_hcoord_equal(a->hops[i], b->hops[i]))
			return false;
	return true;
}

bool qspn_epath_has_hop(const struct qspn_epath *p, struct qspn_hcoord hc)
{
	for (uint32_t i = 0; i < p->n; i++)
		if (qspn_hcoord_equal(p->hops[i], hc))
			return true;
	return false;
}

struct qspn_npath *qspn_npath_new(uint32_t arc_id, const struct qspn_epath *p)
{
	struct qspn_npath *np = qspn_xcalloc(1, sizeof(*np));

	np->arc_id = arc_id;
	qspn_epath_copy(&np->p, p);
	return np;
}

void qspn_npath_free(struct qspn_npath *np)
{
	if (!np)
		return;
	qspn_epath_free(&np->p);
	free(np);
}

void qspn_nplist_push(struct qspn_nplist *l, struct qspn_npath *np)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = qspn_xrealloc(l->v, l->cap, sizeof(*l->v));
	}
	l->v[l->n++] = np;
}

void qspn_nplist_free(struct qspn_nplist *l)
{
	for (uint32_t i = 0; i < l->n; i++)
		qspn_npath_free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void qspn_eplist_push_copy(struct qspn_eplist *l, const struct qspn_epath *p)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = qspn_xrealloc(l->v, l->cap, sizeof(*l->v));
	}
	qspn_epath_copy(&l->v[l->n++], p);
}

void qspn_eplist_free(struct qspn_eplist *l)
{
	for (uint32_t i = 0; i < l->n; i++)
		qspn_epath_free(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

bool qspn_hclist_has(const struct qspn_hclist *l, struct qspn_hcoord hc)
{
	for (uint32_t i = 0; i < l->n; i++)
		if (qspn_hcoord_equal(l->v[i], hc))
			return true;
	return false;
}

void qspn_hclist_add_unique(struct qspn_hclist *l, struct qspn_hcoord hc)
{
	if (qspn_hclist_has(l, hc))
		return;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = qspn_xrealloc(l->v, l->cap, sizeof(*l->v));
	}
	l->v[l->n++] = hc;
}

void qspn_hclist_free(struct qspn_hclist *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* The acyclic rule (§3.5): does the list pass through one of my g-nodes? */
static bool touches_me(const struct qspn_instance *inst,
		       const struct qspn_hcoord *hops, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (hops[i].lvl >= 0 && hops[i].lvl < inst->L &&
		    hops[i].pos == inst->me.pos[hops[i].lvl])
			return true;
	return false;
}

/*
 * Grouping rule on one path (§3.6 step 2): drop leading pairs internal to
 * the sender's level-k g-node, prepend (v, my arc id).  Returns a new
 * heap npath, or NULL if the acyclic rule drops it.
 */
static struct qspn_npath *revise_path(const struct qspn_instance *inst,
				      const struct qspn_epath *src,
				      struct qspn_hcoord v, uint32_t arc_id)
{
	uint32_t skip = 0;
	struct qspn_npath *np;

	while (skip < src->n && src->hops[skip].lvl < v.lvl)
		skip++;
	if (touches_me(inst, src->hops + skip, src->n - skip) ||
	    touches_me(inst, &v, 1))
		return NULL;
	if (skip == src->n)
		return NULL; /* internal to v: ignore_outside made sure of it */
	np = qspn_xcalloc(1, sizeof(*np));
	np->arc_id = arc_id;
	np->p = *src;
	np->p.n = src->n - skip + 1;
	np->p.hops = qspn_xcalloc(np->p.n, sizeof(*np->p.hops));
	np->p.arcs = qspn_xcalloc(np->p.n, sizeof(*np->p.arcs));
	np->p.hops[0] = v;
	np->p.arcs[0] = arc_id;
	memcpy(np->p.hops + 1, src->hops + skip,
	       (src->n - skip) * sizeof(*np->p.hops));
	memcpy(np->p.arcs + 1, src->arcs + skip,
	       (src->n - skip) * sizeof(*np->p.arcs));
	return np;
}

static struct qspn_npath *intrinsic(struct qspn_hcoord v, uint32_t arc_id,
				    struct qspn_cost cost,
				    const struct qspn_fp *fp, uint32_t nn,
				    int levels)
{
	struct qspn_npath *np = qspn_xcalloc(1, sizeof(*np));

	(void)levels;
	np->arc_id = arc_id;
	np->p.n = 1;
	np->p.hops = qspn_xcalloc(1, sizeof(*np->p.hops));
	np->p.arcs = qspn_xcalloc(1, sizeof(*np->p.arcs));
	np->p.hops[0] = v;
	np->p.arcs[0] = arc_id;
	np->p.cost = cost;
	np->p.fp = *fp;
	np->p.nodes_inside = nn;
	np->p.ignore_outside = 0;
	return np;
}

bool qspn_revise_etp(struct qspn_instance *inst, struct qspn_etp *m,
		     struct qspn_arc *arc, bool is_full,
		     struct qspn_arena *arena, struct qspn_nplist *q)
{
	struct qspn_hcoord v;
	struct qspn_naddr old = arc->peer;
	bool had = arc->has_peer, changed;
	uint32_t skip = 0, first = q->n;
	struct qspn_hcoord *nh;
	int k;

	if (!qspn_coord_by_address(&inst->me, &m->addr, &v))
		return false; /* validated before: cannot happen */
	k = v.lvl;
	arc->peer = m->addr;
	arc->has_peer = true;
	changed = had && old.pos[k] != m->addr.pos[k];

	/* TP-list: grouping rule, then acyclic rule (§3.5) */
	while (skip < m->n_hops && m->hops[skip].lvl < k)
		skip++;
	nh = qspn_arena_alloc(arena, (m->n_hops - skip + 1) * sizeof(*nh));
	if (!nh)
		return false;
	nh[0] = v;
	if (m->n_hops > skip) /* m->hops may be NULL when empty */
		memcpy(nh + 1, m->hops + skip,
		       (m->n_hops - skip) * sizeof(*nh));
	m->hops = nh;
	m->n_hops = m->n_hops - skip + 1;
	if (touches_me(inst, m->hops, m->n_hops))
		return false;

	/* paths (§3.6), intrinsic paths (§3.8) */
	for (uint32_t i = 0; i < m->n_paths; i++) {
		const struct qspn_epath *p = &m->paths[i];
		struct qspn_npath *np;

		if (p->ignore_outside & (1u << k))
			continue;
		np = revise_path(inst, p, v, arc->id);
		if (np)
			qspn_nplist_push(q, np);
	}
	qspn_nplist_push(q, intrinsic(v, arc->id, qspn_cost_null(), &m->fps[k],
				      m->nn[k], inst->L));
	if (changed) {
		struct qspn_hcoord ov = {.lvl = k, .pos = old.pos[k]};

		qspn_nplist_push(q, intrinsic(ov, arc->id, qspn_cost_dead(),
					      &m->fps[k], m->nn[k], inst->L));
	}

	/* full ETP: withdraw what this arc no longer reports (§3.9) */
	if (is_full) {
		uint32_t last = q->n;

		for (int l = 0; l < inst->L; l++) {
			const struct qspn_level_map *lm = &inst->map[l];

			for (uint32_t di = 0; di < lm->n; di++) {
				const struct qspn_dest *d = lm->d[di];

				for (uint32_t pi = 0; pi < d->n; pi++) {
					const struct qspn_npath *sp =
						d->paths[pi];
					bool found = false;

					if (sp->p.arcs[0] != arc->id)
						continue;
					for (uint32_t j = first; j < last; j++)
						if (qspn_epath_same(&q->v[j]->p,
								    &sp->p)) {
							found = true;
							break;
						}
					if (!found) {
						struct qspn_npath *dp =
							qspn_npath_new(arc->id,
								       &sp->p);
						dp->p.cost = qspn_cost_dead();
						dp->p.ignore_outside = 0;
						qspn_nplist_push(q, dp);
					}
				}
			}
		}
	}
	return true;
}

void qspn_etp_header(const struct qspn_instance *inst, struct qspn_etp *m)
{
	memset(m, 0, sizeof(*m));
	m->addr = inst->me;
	for (int i = 0; i < inst->L; i++)
		m->gsize[i] = inst->topo.gsize[i];
	m->n_fp = inst->L + 1;
	for (int i = 0; i <= inst->L; i++) {
		m->fps[i] = inst->my_fp[i];
		m->nn[i] = inst->my_nn[i];
	}
}

void qspn_advertise(const struct qspn_instance *inst,
		    const struct qspn_npath *np, bool dead,
		    struct qspn_epath *out)
{
	qspn_epath_copy(out, &np->p);
	out->cost = dead ? qspn_cost_dead() : qspn_npath_cost(inst, np);
	out->ignore_outside = 0;
}

void qspn_collect_all(const struct qspn_instance *inst,
		      const struct qspn_hcoord *exclude,
		      struct qspn_eplist *out)
{
	int l0 = exclude ? exclude->lvl : 0;

	for (int l = l0 < 0 ? 0 : l0; l < inst->L; l++) {
		const struct qspn_level_map *lm = &inst->map[l];

		for (uint32_t di = 0; di < lm->n; di++) {
			const struct qspn_dest *d = lm->d[di];

			for (uint32_t pi = 0; pi < d->n; pi++) {
				struct qspn_epath e;

				if (exclude &&
				    qspn_epath_has_hop(&d->paths[pi]->p,
						       *exclude))
					continue;
				qspn_advertise(inst, d->paths[pi], false, &e);
				if (out->n == out->cap) {
					out->cap = out->cap ? out->cap * 2 : 8;
					out->v = qspn_xrealloc(out->v, out->cap,
							       sizeof(*out->v));
				}
				out->v[out->n++] = e;
			}
		}
	}
}
