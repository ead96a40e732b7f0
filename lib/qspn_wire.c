// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qspn_wire.c: the only file of the engine that includes qspn.pb-c.h
 * (qspn_hello.c has the hello).  Decodes a packet
 * into a per-message arena, converts it to the core form and validates
 * every rule of doc/protocol/qspn.md §3.4 (plus the C additions of §3.4.5 /
 * 10.17) before the engine may act on it (doc/style.md §3.2 item 4).  Encodes
 * core messages for sending.
 */
#include <stdlib.h>
#include <string.h>

#include "qspn.pb-c.h"
#include "qspn_engine_int.h"

#define QSPN_WIRE_VERSION 1

static void *pb_alloc(void *data, size_t size)
{
	return qspn_arena_alloc(data, size);
}

static void pb_free(void *data, void *p)
{
	(void)data;
	(void)p;
}

/* --- decode + validate ---------------------------------------------------- */

static enum qspn_rx_result conv_naddr(const struct qspn_topology *topo,
				      const Qspn__Naddr *pn,
				      struct qspn_naddr *out, uint32_t *gsize)
{
	if (!pn)
		return QSPN_RX_ERR_DECODE;
	if ((int)pn->n_pos != topo->levels || pn->n_gsize != pn->n_pos)
		return QSPN_RX_ERR_LEVELS;
	memset(out, 0, sizeof(*out));
	out->levels = topo->levels;
	for (int i = 0; i < topo->levels; i++) {
		if (pn->gsize[i] != topo->gsize[i])
			return QSPN_RX_ERR_GSIZE;
		out->pos[i] = pn->pos[i];
		if (gsize)
			gsize[i] = pn->gsize[i];
	}
	return QSPN_RX_OK;
}

static bool conv_fp(int levels, const Qspn__Fingerprint *pf,
		    struct qspn_fp *out)
{
	if (!pf || pf->level > (uint32_t)levels)
		return false;
	if (pf->n_elderships != (size_t)(levels - (int)pf->level) ||
	    pf->n_elderships_seed != pf->level)
		return false;
	memset(out, 0, sizeof(*out));
	out->id = pf->id;
	out->level = (uint8_t)pf->level;
	out->n_eld = (uint8_t)pf->n_elderships;
	out->n_seed = (uint8_t)pf->n_elderships_seed;
	for (size_t i = 0; i < pf->n_elderships; i++) {
		if (pf->elderships[i] < QSPN_ELD_NULL)
			return false;
		out->eld[i] = pf->elderships[i];
	}
	for (size_t i = 0; i < pf->n_elderships_seed; i++) {
		if (pf->elderships_seed[i] < QSPN_ELD_NULL)
			return false;
		out->seed[i] = pf->elderships_seed[i];
	}
	return true;
}

/* monotone, in range, no g-node twice (a loop) */
static bool hops_ok(int levels, const struct qspn_hcoord *h, uint32_t n)
{
	uint32_t run = 0;

	for (uint32_t i = 0; i < n; i++) {
		if (h[i].lvl < 0 || h[i].lvl >= levels)
			return false;
		if (i && h[i].lvl < h[i - 1].lvl)
			return false;
		if (i && h[i].lvl != h[i - 1].lvl)
			run = i;
		for (uint32_t j = run; j < i; j++)
			if (h[j].pos == h[i].pos)
				return false;
	}
	return true;
}

static struct qspn_hcoord *conv_hops(struct qspn_arena *a, const uint32_t *lv,
				     size_t nl, const uint32_t *ps, size_t np)
{
	struct qspn_hcoord *h;

	if (nl != np || nl > QSPN_MAX_HOPS)
		return NULL;
	h = qspn_arena_alloc(a, (nl ? nl : 1) * sizeof(*h));
	if (!h)
		return NULL;
	for (size_t i = 0; i < nl; i++) {
		if (lv[i] >= QSPN_MAX_LEVELS)
			return NULL;
		h[i].lvl = (int)lv[i];
		h[i].pos = ps[i];
	}
	return h;
}

enum qspn_rx_result qspn_etp_validate(const struct qspn_topology *topo,
				      const struct qspn_etp *m)
{
	int L = topo->levels;

	if (m->addr.levels != L)
		return QSPN_RX_ERR_LEVELS;
	for (int i = 0; i < L; i++)
		if (m->gsize[i] != topo->gsize[i])
			return QSPN_RX_ERR_GSIZE;
	if (m->n_fp < L)
		return QSPN_RX_ERR_HEADER;
	for (int k = 0; k < m->n_fp; k++)
		if (m->fps[k].level != k)
			return QSPN_RX_ERR_HEADER;
	if (!hops_ok(L, m->hops, m->n_hops))
		return QSPN_RX_ERR_TPLIST;
	for (uint32_t i = 0; i < m->n_paths; i++) {
		const struct qspn_epath *p = &m->paths[i];
		int last;

		if (p->n == 0 || p->n > QSPN_MAX_HOPS)
			return QSPN_RX_ERR_PATH;
		if (!hops_ok(L, p->hops, p->n))
			return QSPN_RX_ERR_PATH;
		last = p->hops[p->n - 1].lvl;
		if (p->fp.level != last)
			return QSPN_RX_ERR_PATH;
		if (p->ignore_outside & 1u)
			return QSPN_RX_ERR_PATH;
		for (int k = last + 1; k < L; k++)
			if (!(p->ignore_outside & (1u << k)))
				return QSPN_RX_ERR_PATH;
		if (p->cost.kind == QSPN_COST_REAL && p->cost.usec < 0)
			return QSPN_RX_ERR_PATH;
	}
	return QSPN_RX_OK;
}

static enum qspn_rx_result conv_etp(struct qspn_arena *a,
				    const struct qspn_topology *topo,
				    const Qspn__Etp *pe, struct qspn_etp *m)
{
	int L = topo->levels;
	enum qspn_rx_result r;

	if (!pe)
		return QSPN_RX_ERR_DECODE;
	memset(m, 0, sizeof(*m));
	r = conv_naddr(topo, pe->node_address, &m->addr, m->gsize);
	if (r != QSPN_RX_OK)
		return r;
	if (pe->n_fingerprints < (size_t)L || pe->n_nodes_inside < (size_t)L)
		return QSPN_RX_ERR_HEADER;
	m->n_fp = pe->n_fingerprints > (size_t)L ? L + 1 : L;
	if (pe->n_nodes_inside < (size_t)m->n_fp)
		m->n_fp = L;
	for (int k = 0; k < m->n_fp; k++) {
		if (!conv_fp(L, pe->fingerprints[k], &m->fps[k]))
			return QSPN_RX_ERR_HEADER;
		m->nn[k] = pe->nodes_inside[k];
	}
	m->hops = conv_hops(a, pe->hop_lvl, pe->n_hop_lvl, pe->hop_pos,
			    pe->n_hop_pos);
	if (!m->hops)
		return QSPN_RX_ERR_TPLIST;
	m->n_hops = (uint32_t)pe->n_hop_lvl;
	if (pe->n_paths > QSPN_MAX_PATHS_PER_MSG)
		return QSPN_RX_ERR_PATH;
	m->n_paths = (uint32_t)pe->n_paths;
	m->paths = qspn_arena_alloc(a, (m->n_paths ? m->n_paths : 1) *
					       sizeof(*m->paths));
	if (!m->paths)
		return QSPN_RX_ERR_DECODE;
	for (uint32_t i = 0; i < m->n_paths; i++) {
		const Qspn__EtpPath *pp = pe->paths[i];
		struct qspn_epath *p = &m->paths[i];

		memset(p, 0, sizeof(*p));
		if (!pp || !pp->cost || !pp->fingerprint)
			return QSPN_RX_ERR_PATH;
		if (pp->n_hop_lvl == 0 || pp->n_arcs != pp->n_hop_lvl)
			return QSPN_RX_ERR_PATH;
		p->hops = conv_hops(a, pp->hop_lvl, pp->n_hop_lvl, pp->hop_pos,
				    pp->n_hop_pos);
		if (!p->hops)
			return QSPN_RX_ERR_PATH;
		p->n = (uint32_t)pp->n_hop_lvl;
		p->arcs = pp->arcs;
		switch (pp->cost->kind) {
		case QSPN__COST__KIND__NULL_COST:
			p->cost = qspn_cost_null();
			break;
		case QSPN__COST__KIND__REAL:
			p->cost = qspn_cost_real(pp->cost->usec_rtt);
			break;
		case QSPN__COST__KIND__DEAD:
			p->cost = qspn_cost_dead();
			break;
		default:
			return QSPN_RX_ERR_PATH;
		}
		if (!conv_fp(L, pp->fingerprint, &p->fp))
			return QSPN_RX_ERR_PATH;
		p->nodes_inside = pp->nodes_inside;
		if (pp->n_ignore_outside != (size_t)L)
			return QSPN_RX_ERR_PATH;
		for (int k = 0; k < L; k++)
			if (pp->ignore_outside[k])
				p->ignore_outside |= 1u << k;
	}
	return qspn_etp_validate(topo, m);
}

enum qspn_rx_result qspn_wire_decode(struct qspn_arena *arena,
				     const struct qspn_topology *topo,
				     const uint8_t *buf, size_t len,
				     struct qspn_msg *out)
{
	ProtobufCAllocator alloc = {
		.alloc = pb_alloc, .free = pb_free, .allocator_data = arena};
	Qspn__Packet *pk;
	enum qspn_rx_result r = QSPN_RX_OK;

	memset(out, 0, sizeof(*out));
	pk = qspn__packet__unpack(&alloc, len, buf);
	if (!pk)
		return QSPN_RX_ERR_DECODE;
	if (pk->version != QSPN_WIRE_VERSION)
		return QSPN_RX_ERR_TYPE;
	switch (pk->body_case) {
	case QSPN__PACKET__BODY_FULL_ETP_REQUEST:
		out->type = QSPN_MSG_FULL_ETP_REQUEST;
		out->req_id = pk->full_etp_request->req_id;
		return conv_naddr(topo,
				  pk->full_etp_request->requesting_address,
				  &out->req_addr, NULL);
	case QSPN__PACKET__BODY_FULL_ETP_REPLY:
		out->type = QSPN_MSG_FULL_ETP_REPLY;
		out->req_id = pk->full_etp_reply->req_id;
		out->status = pk->full_etp_reply->status;
		if (out->status == QSPN_REPLY_OK) {
			out->has_etp = true;
			r = conv_etp(arena, topo, pk->full_etp_reply->etp,
				     &out->etp);
		} else if (out->status != QSPN_REPLY_BOOTSTRAP_IN_PROGRESS &&
			   out->status != QSPN_REPLY_NOT_ACCEPTED) {
			r = QSPN_RX_ERR_TYPE;
		}
		return r;
	case QSPN__PACKET__BODY_SEND_ETP:
		out->type = QSPN_MSG_SEND_ETP;
		out->is_full = pk->send_etp->is_full;
		out->has_etp = true;
		return conv_etp(arena, topo, pk->send_etp->etp, &out->etp);
	case QSPN__PACKET__BODY_PREPARE_DESTROY:
		out->type = QSPN_MSG_PREPARE_DESTROY;
		return QSPN_RX_OK;
	case QSPN__PACKET__BODY_DESTROY:
		out->type = QSPN_MSG_DESTROY;
		return QSPN_RX_OK;
	case QSPN__PACKET__BODY_HELLO:
	case QSPN__PACKET__BODY_ACK:
		out->type = QSPN_MSG_DAEMON;
		return QSPN_RX_OK;
	default:
		return QSPN_RX_ERR_TYPE;
	}
}

/* --- encode -------------------------------------------------------------- */

#define AALLOC(a, n, T)                                                        \
	((T *)qspn_arena_alloc((a), ((n) ? (n) : 1) * sizeof(T)))

static Qspn__Naddr *enc_naddr(struct qspn_arena *a, const struct qspn_naddr *n,
			      const uint32_t *gsize)
{
	Qspn__Naddr *pn = AALLOC(a, 1, Qspn__Naddr);

	qspn__naddr__init(pn);
	pn->n_pos = pn->n_gsize = (size_t)n->levels;
	pn->pos = AALLOC(a, n->levels, uint32_t);
	pn->gsize = AALLOC(a, n->levels, uint32_t);
	for (int i = 0; i < n->levels; i++) {
		pn->pos[i] = n->pos[i];
		pn->gsize[i] = gsize[i];
	}
	return pn;
}

static Qspn__Fingerprint *enc_fp(struct qspn_arena *a, const struct qspn_fp *f)
{
	Qspn__Fingerprint *pf = AALLOC(a, 1, Qspn__Fingerprint);

	qspn__fingerprint__init(pf);
	pf->id = f->id;
	pf->level = f->level;
	pf->n_elderships = f->n_eld;
	pf->elderships = AALLOC(a, f->n_eld, int32_t);
	memcpy(pf->elderships, f->eld, f->n_eld * sizeof(int32_t));
	pf->n_elderships_seed = f->n_seed;
	pf->elderships_seed = AALLOC(a, f->n_seed, int32_t);
	memcpy(pf->elderships_seed, f->seed, f->n_seed * sizeof(int32_t));
	return pf;
}

static void enc_hops(struct qspn_arena *a, const struct qspn_hcoord *h,
		     uint32_t n, size_t *nl, uint32_t **lv, size_t *np,
		     uint32_t **ps)
{
	*nl = *np = n;
	*lv = AALLOC(a, n, uint32_t);
	*ps = AALLOC(a, n, uint32_t);
	for (uint32_t i = 0; i < n; i++) {
		(*lv)[i] = (uint32_t)h[i].lvl;
		(*ps)[i] = h[i].pos;
	}
}

static Qspn__Etp *enc_etp(struct qspn_arena *a, const struct qspn_etp *m,
			  int levels)
{
	Qspn__Etp *pe = AALLOC(a, 1, Qspn__Etp);

	qspn__etp__init(pe);
	pe->node_address = enc_naddr(a, &m->addr, m->gsize);
	pe->n_fingerprints = (size_t)m->n_fp;
	pe->fingerprints = AALLOC(a, m->n_fp, Qspn__Fingerprint *);
	pe->n_nodes_inside = (size_t)m->n_fp;
	pe->nodes_inside = AALLOC(a, m->n_fp, uint32_t);
	for (int k = 0; k < m->n_fp; k++) {
		pe->fingerprints[k] = enc_fp(a, &m->fps[k]);
		pe->nodes_inside[k] = m->nn[k];
	}
	enc_hops(a, m->hops, m->n_hops, &pe->n_hop_lvl, &pe->hop_lvl,
		 &pe->n_hop_pos, &pe->hop_pos);
	pe->n_paths = m->n_paths;
	pe->paths = AALLOC(a, m->n_paths, Qspn__EtpPath *);
	for (uint32_t i = 0; i < m->n_paths; i++) {
		const struct qspn_epath *p = &m->paths[i];
		Qspn__EtpPath *pp = AALLOC(a, 1, Qspn__EtpPath);
		Qspn__Cost *pc = AALLOC(a, 1, Qspn__Cost);

		qspn__etp_path__init(pp);
		qspn__cost__init(pc);
		enc_hops(a, p->hops, p->n, &pp->n_hop_lvl, &pp->hop_lvl,
			 &pp->n_hop_pos, &pp->hop_pos);
		pp->n_arcs = p->n;
		pp->arcs = p->arcs;
		pc->kind = p->cost.kind == QSPN_COST_REAL
				   ? QSPN__COST__KIND__REAL
			   : p->cost.kind == QSPN_COST_DEAD
				   ? QSPN__COST__KIND__DEAD
				   : QSPN__COST__KIND__NULL_COST;
		pc->usec_rtt =
			p->cost.kind == QSPN_COST_REAL ? p->cost.usec : 0;
		pp->cost = pc;
		pp->fingerprint = enc_fp(a, &p->fp);
		pp->nodes_inside = p->nodes_inside;
		pp->n_ignore_outside = (size_t)levels;
		pp->ignore_outside = AALLOC(a, levels, protobuf_c_boolean);
		for (int k = 0; k < levels; k++)
			pp->ignore_outside[k] =
				!!(p->ignore_outside & (1u << k));
		pe->paths[i] = pp;
	}
	return pe;
}

uint8_t *qspn_wire_encode(const struct qspn_msg *m, int levels, size_t *len)
{
	struct qspn_arena a;
	Qspn__Packet pk = QSPN__PACKET__INIT;
	Qspn__FullEtpRequest rq = QSPN__FULL_ETP_REQUEST__INIT;
	Qspn__FullEtpReply rp = QSPN__FULL_ETP_REPLY__INIT;
	Qspn__SendEtp se = QSPN__SEND_ETP__INIT;
	Qspn__PrepareDestroy pd = QSPN__PREPARE_DESTROY__INIT;
	Qspn__Destroy ds = QSPN__DESTROY__INIT;
	uint8_t *buf;
	uint32_t gsize[QSPN_MAX_LEVELS];

	qspn_arena_init(&a, SIZE_MAX);
	pk.version = QSPN_WIRE_VERSION;
	switch (m->type) {
	case QSPN_MSG_FULL_ETP_REQUEST:
		pk.body_case = QSPN__PACKET__BODY_FULL_ETP_REQUEST;
		rq.req_id = m->req_id;
		for (int i = 0; i < levels; i++)
			gsize[i] = m->etp.gsize[i];
		rq.requesting_address = enc_naddr(&a, &m->req_addr, gsize);
		pk.full_etp_request = &rq;
		break;
	case QSPN_MSG_FULL_ETP_REPLY:
		pk.body_case = QSPN__PACKET__BODY_FULL_ETP_REPLY;
		rp.req_id = m->req_id;
		rp.status = m->status;
		if (m->has_etp)
			rp.etp = enc_etp(&a, &m->etp, levels);
		pk.full_etp_reply = &rp;
		break;
	case QSPN_MSG_SEND_ETP:
		pk.body_case = QSPN__PACKET__BODY_SEND_ETP;
		se.is_full = m->is_full;
		se.etp = enc_etp(&a, &m->etp, levels);
		pk.send_etp = &se;
		break;
	case QSPN_MSG_PREPARE_DESTROY:
		pk.body_case = QSPN__PACKET__BODY_PREPARE_DESTROY;
		pk.prepare_destroy = &pd;
		break;
	case QSPN_MSG_DESTROY:
		pk.body_case = QSPN__PACKET__BODY_DESTROY;
		pk.destroy = &ds;
		break;
	default:
		qspn_arena_fini(&a);
		return NULL;
	}
	*len = qspn__packet__get_packed_size(&pk);
	buf = qspn_xcalloc(*len ? *len : 1, 1);
	qspn__packet__pack(&pk, buf);
	qspn_arena_fini(&a);
	return buf;
}
