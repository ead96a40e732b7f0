// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qspn_ident.c: changes of an identity's own address that the reference
 * leaves to the user: make_real (doc/protocol/routes.md §5.5,
 * doc/protocol/qspn.md §8.9 step 5), the virtual position that a new identity
 * got at enter_net / migration time becomes the real one reserved for it.
 *
 * The mirror of make_connectivity (§8.3): there a real position becomes
 * virtual and one empty ETP tells the siblings "old id gone, virtual id
 * present"; here the virtual position becomes real, and one full ETP tells
 * every neighbour the same in reverse.
 */
#include <stdlib.h>
#include <string.h>

#include "qspn_engine_int.h"

/*
 * Drop from the map every path that reaches or crosses @hc (after the
 * change @hc names one of my own g-nodes: the acyclic rule of §3.5 no
 * longer holds for them).  Signals as update_map emits them for a
 * withdrawn path (§4.6: level 0, or exposed), then destination_removed;
 * the map is committed before the signals (§4.8: handlers see the new
 * state).
 */
static void drop_paths_through(struct qspn_instance *inst,
			       struct qspn_hcoord hc)
{
	for (int l = 0; l < inst->L; l++) {
		struct qspn_level_map *lm = &inst->map[l];

		for (uint32_t di = 0; di < lm->n;) {
			struct qspn_dest *d = lm->d[di];
			struct qspn_hcoord dh = d->hc;
			struct qspn_npath **gone;
			uint32_t ng = 0, w = 0;
			bool empty;

			gone = qspn_xcalloc(d->n + 1, sizeof(*gone));
			for (uint32_t pi = 0; pi < d->n; pi++) {
				struct qspn_npath *np = d->paths[pi];

				if (qspn_hcoord_equal(dh, hc) ||
				    qspn_epath_has_hop(&np->p, hc))
					gone[ng++] = np;
				else
					d->paths[w++] = np;
			}
			d->n = w;
			empty = w == 0;
			if (empty)
				qspn_map_remove_dest(inst, dh); /* frees d */
			else
				di++;
			for (uint32_t i = 0; i < ng; i++) {
				struct qspn_npath *np = gone[i];

				if (dh.lvl == 0 || np->exposed) {
					struct qspn_signal s = {
						.type = QSPN_SIG_PATH_REMOVED,
						.dest = dh};
					struct qspn_path view;
					struct qspn_path_hop *h = qspn_xcalloc(
						np->p.n, sizeof(*h));

					qspn_view_of(inst, np, &view, h);
					s.path = &view;
					s.arc = view.arc;
					qspn_emit(inst, &s);
					free(h);
				}
				qspn_npath_free(np);
			}
			free(gone);
			if (ng && empty) {
				struct qspn_signal s = {
					.type = QSPN_SIG_DEST_REMOVED,
					.dest = dh};

				qspn_emit(inst, &s);
			}
		}
	}
}

/*
 * The announcement: a full ETP (every stored path, so that a receiver
 * withdraws what it stored through us under the old address, §3.9) whose
 * TP-list holds our old virtual coordinate, so that it is dropped by the
 * members of our g-node that still own that coordinate (acyclic rule,
 * §3.5) and, once forwarded, never re-enters our g-node.  Sent to every
 * arc: a neighbour that sees us at level @level finds our address changed
 * at that level and revise_etp adds a DEAD path to the old virtual id and
 * a NULL-cost path to the real one (§5.5).
 */
static void publish_real(struct qspn_instance *inst, struct qspn_hcoord old)
{
	struct qspn_eplist p = {0};
	struct qspn_msg m;
	uint32_t *h;
	uint8_t *buf;
	size_t n = 0, len = 0;

	if (inst->n_arcs == 0)
		return;
	h = qspn_xcalloc(inst->n_arcs, sizeof(*h));
	for (uint32_t i = 0; i < inst->n_arcs; i++)
		h[n++] = inst->arcs[i].handle;
	qspn_collect_all(inst, NULL, &p);
	qspn_finalize(inst, &p);
	memset(&m, 0, sizeof(m));
	m.type = QSPN_MSG_SEND_ETP;
	m.is_full = true;
	m.has_etp = true;
	qspn_etp_header(inst, &m.etp);
	m.etp.hops = &old;
	m.etp.n_hops = 1;
	m.etp.paths = p.v;
	m.etp.n_paths = p.n;
	if (qspn_etp_validate(&inst->topo, &m.etp) != QSPN_RX_OK) {
		inst->stats.tx_invalid++;
		qspn_logf(inst, QSPN_LOG_WARN,
			  "make_real: sending an invalid ETP");
	}
	buf = qspn_wire_encode(&m, inst->L, &len);
	if (buf) {
		inst->stats.tx_msgs++;
		inst->stats.tx_bytes += len;
		if (inst->ops->broadcast)
			inst->ops->broadcast(inst->ctx, inst, h, n, buf, len);
		free(buf);
	}
	qspn_eplist_free(&p);
	free(h);
}

int qspn_make_real(struct qspn_instance *inst, uint64_t now_ms, int level,
		   uint32_t pos, int32_t eldership)
{
	struct qspn_hcoord old;
	struct qspn_naddr old_me;

	if (!inst || level < 0 || level >= inst->L || eldership < 0)
		return -1;
	if (inst->me.pos[level] < inst->topo.gsize[level] ||
	    pos >= inst->topo.gsize[level])
		return -1;
	inst->now = now_ms;
	old.lvl = level;
	old.pos = inst->me.pos[level];
	old_me = inst->me;

	/* the members of my level-`level` g-node change with me (§8.3 does
	 * the same with update_naddr); a member that already switched and
	 * told us is seen at (level, pos) and needs nothing */
	for (uint32_t i = 0; i < inst->n_arcs; i++) {
		struct qspn_arc *a = &inst->arcs[i];
		struct qspn_hcoord c;

		if (a->has_peer &&
		    qspn_coord_by_address(&old_me, &a->peer, &c) &&
		    c.lvl < level)
			a->peer.pos[level] = pos;
	}
	inst->me.pos[level] = pos;
	inst->my_fp[0].eld[level] = eldership;
	if (level == 0)
		inst->my_nn[0] = 1; /* forced to 0 while virtual (§1.7) */

	/* (level, pos) is now my own g-node */
	drop_paths_through(inst,
			   (struct qspn_hcoord){.lvl = level, .pos = pos});
	qspn_update_clusters(inst);

	/* in bootstrap nothing is sent (§5.4): the full ETP published when
	 * it ends carries the real address */
	if (inst->bootstrap_complete)
		publish_real(inst, old);
	return 0;
}
