// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qspn_plan.c: desired kernel state of a system and the ordered diff
 * between two of them (doc/protocol/routes.md §2-5,
 * doc/protocol/commands.md §L).
 *
 * The state has three parts:
 *  - "items": small kernel objects (sysctls, addresses, namespaces,
 *    macvlans, link-local routes, the ntk rule, SNAT, NETMAP), each with
 *    an add phase, a generation order and a delete phase;
 *  - the Netsukuku tables (ntk and ntk_from_<MAC>), each a dense array of
 *    route slots indexed by (destination, IP kind) of its owner identity;
 *  - the rt_tables lines of the forwarding tables.
 *
 * Route slots: destinations (i, j) are enumerated as in
 * doc/protocol/routes.md §4.4 (i from levels-1 down to subnet_level, j upwards,
 * own g-nodes included but empty); destination (i, j) owns 2 + (levels-1-i)
 * consecutive slots: global, anonymizing, internal levels-1 .. i+1
 * (qspn_ipv4.h).
 */
#include "qspn_plan.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct kroute {
	uint8_t type; /* enum qspn_rtype */
	char dev[QSPN_NAMELEN];
	uint32_t gw, src;
};

struct ktable {
	char ns[QSPN_NAMELEN];
	uint32_t tid;
	char name[QSPN_TABLE_NAMELEN];
	uint8_t mac[6];
	bool is_ntk;
	bool rule; /* fwmark rule present (forwarding tables) */
	int owner; /* index in ids, -1: no owner (ntk, no main identity) */
	int arc;   /* index in the owner's arcs, -1 for ntk */
	bool known;
	struct qspn_hcoord hv;
	struct kroute *r; /* n_slots entries, or NULL */
};

struct kident {
	struct qspn_naddr addr;
	char ns[QSPN_NAMELEN];
	struct qspn_local_ips local;
	struct qspn_plan_arc *arcs;
	size_t n_arcs;
	struct qspn_plan_pseudodev *pds;
	size_t n_pds;
	int *tables; /* indices in ks->tables */
	size_t n_tables;
	uint64_t id;	 /* 0: not said */
	int guest_level; /* internal levels <= G kept at replacement */
};

/* delete phases of the generic items */
enum {
	DEL_NONE = -1,	 /* never deleted on its own (sysctl, link up) */
	DEL_BEFORE = 0,	 /* before the tables (ntk rule) */
	DEL_OWNADDR = 1, /* own addresses, SNAT, NETMAP after the tables */
	DEL_LINKS = 2,	 /* link-local routes and addresses, macvlans */
	DEL_NETNS = 3,	 /* namespaces */
	DEL_LAST = 4,	 /* lo address, NIC link-locals, rt_tables ntk */
};

/* add phases of the generic items */
enum {
	ADD_START = 1,	 /* start-up items of the default namespace */
	ADD_NETNS = 2,	 /* namespaces, macvlans and what lives on them */
	ADD_LLROUTE = 3, /* link-local routes in the default namespace */
	ADD_OWNADDR = 4, /* own addresses, SNAT, NETMAP */
	ADD_HOSTS = 5,	 /* routes in ntk to subnet hosts, after the tables
			  * (a slot route of the same CIDR goes first) */
};

struct kitem {
	struct qspn_op o;
	int phase, seq, dphase, dseq;
};

struct rtline {
	uint32_t tid;
	char name[QSPN_TABLE_NAMELEN];
};

struct qspn_kstate {
	bool has_topo;
	struct qspn_topology topo;
	int subnet_level;
	int n_slots;
	int dest_base[QSPN_MAX_LEVELS];
	int slot_base[QSPN_MAX_LEVELS];
	struct kident *ids;
	size_t n_ids;
	struct ktable *tables;
	size_t n_tables;
	struct kitem *items; /* sorted by key */
	size_t n_items, items_cap;
	struct rtline *rtt;
	size_t n_rtt;
};

/* ---------------------------------------------------------------- */

static int width(const struct qspn_kstate *ks, int lvl)
{
	return 2 + (ks->topo.levels - 1 - lvl);
}

static void slot_info(const struct qspn_kstate *ks, int slot, int *lvl,
		      uint32_t *pos, int *s)
{
	for (int i = ks->topo.levels - 1; i >= ks->subnet_level; i--) {
		int w = width(ks, i);
		int n = (int)ks->topo.gsize[i] * w;

		if (slot < ks->slot_base[i] + n) {
			int off = slot - ks->slot_base[i];

			*lvl = i;
			*pos = (uint32_t)(off / w);
			*s = off % w;
			return;
		}
	}
	*lvl = -1;
	*pos = 0;
	*s = 0;
}

static int slot_of(const struct qspn_kstate *ks, struct qspn_hcoord h, int s)
{
	return ks->slot_base[h.lvl] + (int)h.pos * width(ks, h.lvl) + s;
}

static struct qspn_prefix slot_cidr(const struct qspn_kstate *ks,
				    const struct qspn_naddr *owner, int slot)
{
	struct qspn_dest_ips d;
	struct qspn_hcoord h;
	int s;

	slot_info(ks, slot, &h.lvl, &h.pos, &s);
	qspn_dest_ips(&ks->topo, owner, ks->subnet_level, h, &d);
	return d.ip[s];
}

static int ops_push(struct qspn_ops *ops, const struct qspn_op *op)
{
	if (ops->n == ops->cap) {
		size_t cap = ops->cap ? ops->cap * 2 : 64;
		struct qspn_op *v = realloc(ops->v, cap * sizeof(*v));

		if (!v)
			return -2;
		ops->v = v;
		ops->cap = cap;
	}
	ops->v[ops->n++] = *op;
	return 0;
}

struct qspn_kstate *qspn_kstate_new(void)
{
	return calloc(1, sizeof(struct qspn_kstate));
}

void qspn_kstate_free(struct qspn_kstate *ks)
{
	if (!ks)
		return;
	for (size_t i = 0; i < ks->n_ids; i++) {
		free(ks->ids[i].arcs);
		free(ks->ids[i].pds);
		free(ks->ids[i].tables);
	}
	free(ks->ids);
	for (size_t i = 0; i < ks->n_tables; i++)
		free(ks->tables[i].r);
	free(ks->tables);
	free(ks->items);
	free(ks->rtt);
	free(ks);
}

size_t qspn_kstate_route_count(const struct qspn_kstate *ks)
{
	size_t c = 0;

	for (size_t t = 0; t < ks->n_tables; t++)
		if (ks->tables[t].r)
			for (int s = 0; s < ks->n_slots; s++)
				c += ks->tables[t].r[s].type != QSPN_RT_NONE;
	return c;
}

int qspn_kstate_route(const struct qspn_kstate *ks, const char *ns,
		      uint32_t tid, struct qspn_prefix dst, struct qspn_op *out)
{
	for (size_t t = 0; t < ks->n_tables; t++) {
		const struct ktable *kt = &ks->tables[t];
		const struct qspn_naddr *owner;

		if (kt->tid != tid || strcmp(kt->ns, ns) || !kt->r)
			continue;
		owner = &ks->ids[kt->owner].addr;
		for (int s = 0; s < ks->n_slots; s++) {
			const struct kroute *r = &kt->r[s];

			if (r->type == QSPN_RT_NONE ||
			    !qspn_prefix_equal(slot_cidr(ks, owner, s), dst))
				continue;
			memset(out, 0, sizeof(*out));
			out->code = QSPN_OP_ROUTE_CHANGE;
			memcpy(out->ns, kt->ns, sizeof(out->ns));
			memcpy(out->table, kt->name, sizeof(out->table));
			out->dst = dst;
			out->rtype = r->type;
			out->gw = r->gw;
			out->src = r->src;
			memcpy(out->dev, r->dev, sizeof(out->dev));
			return 0;
		}
	}
	return -1;
}

/* The id of mac in tt: the one it has, or the highest free one; 0: none
 * free.  The one place of the policy. */
static uint32_t tid_pick(const struct qspn_tid_table *tt, const uint8_t mac[6],
			 size_t *slot)
{
	size_t n = sizeof(tt->slot) / sizeof(tt->slot[0]), free_i = n;

	for (size_t i = 0; i < n; i++) {
		if (tt->slot[i].refs && !memcmp(tt->slot[i].mac, mac, 6)) {
			*slot = i;
			return QSPN_TID_MAX - (uint32_t)i;
		}
		if (!tt->slot[i].refs && free_i == n)
			free_i = i;
	}
	if (free_i == n)
		return 0;
	*slot = free_i;
	return QSPN_TID_MAX - (uint32_t)free_i;
}

uint32_t qspn_tid_get(struct qspn_tid_table *tt, const uint8_t mac[6])
{
	size_t i;
	uint32_t tid = tid_pick(tt, mac, &i);

	if (!tid)
		return 0;
	if (!tt->slot[i].refs)
		memcpy(tt->slot[i].mac, mac, 6);
	tt->slot[i].refs++;
	return tid;
}

void qspn_tid_put(struct qspn_tid_table *tt, uint32_t tid)
{
	if (tid < QSPN_TID_MIN || tid > QSPN_TID_MAX)
		return;
	if (tt->slot[QSPN_TID_MAX - tid].refs)
		tt->slot[QSPN_TID_MAX - tid].refs--;
}

uint32_t qspn_plan_pick_table_id(const struct qspn_plan_system *sys,
				 const uint8_t mac[6])
{
	struct qspn_tid_table tt;
	size_t i;

	/* the ids the system's qspn-arcs use, with their MACs */
	memset(&tt, 0, sizeof(tt));
	for (size_t d = 0; d < sys->n_ids; d++)
		for (size_t a = 0; a < sys->ids[d].n_arcs; a++) {
			const struct qspn_plan_arc *arc = &sys->ids[d].arcs[a];

			if (!arc->qspn || arc->table_id < QSPN_TID_MIN ||
			    arc->table_id > QSPN_TID_MAX)
				continue;
			i = QSPN_TID_MAX - arc->table_id;
			if (!tt.slot[i].refs)
				memcpy(tt.slot[i].mac, arc->peer_mac, 6);
			tt.slot[i].refs++;
		}
	return tid_pick(&tt, mac, &i);
}

/* ---- validation -------------------------------------------------- */

static bool name_ok(const char *s)
{
	size_t n = strnlen(s, QSPN_NAMELEN);

	return n < QSPN_NAMELEN;
}

static const struct qspn_plan_nic *find_nic(const struct qspn_plan_system *sys,
					    const char *dev)
{
	for (size_t i = 0; i < sys->n_nics; i++)
		if (!strcmp(sys->nics[i].dev, dev))
			return &sys->nics[i];
	return NULL;
}

static int validate(const struct qspn_plan_system *sys, char *err,
		    size_t errlen)
{
	const struct qspn_topology *t = &sys->topo;
	int mains = 0;

	if (t->levels < 1 || t->levels > QSPN_MAX_LEVELS)
		return qspn_errf(err, errlen, "topology: not initialised");
	if (sys->subnet_level < 0 || sys->subnet_level >= t->levels)
		return qspn_errf(err, errlen,
				 "subnet_level: %d is not in 0..%d",
				 sys->subnet_level, t->levels - 1);
	for (size_t i = 0; i < sys->n_nics; i++) {
		if (!name_ok(sys->nics[i].dev) || !sys->nics[i].dev[0])
			return qspn_errf(
				err, errlen,
				"nics[%zu].dev: empty or longer than %d characters",
				i, QSPN_NAMELEN - 1);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(sys->nics[i].dev, sys->nics[j].dev))
				return qspn_errf(
					err, errlen,
					"nics[%zu].dev: \"%s\" listed twice", i,
					sys->nics[i].dev);
	}
	for (size_t i = 0; i < sys->n_neighbours; i++)
		if (!find_nic(sys, sys->neighbours[i].dev))
			return qspn_errf(
				err, errlen,
				"neighbours[%zu].dev: \"%s\" is not a managed NIC",
				i, sys->neighbours[i].dev);
	for (size_t i = 0; i < sys->n_ids; i++) {
		const struct qspn_plan_identity *id = &sys->ids[i];

		if (id->addr.levels != t->levels)
			return qspn_errf(
				err, errlen,
				"identities[%zu].address: %d levels, the topology has %d",
				i, id->addr.levels, t->levels);
		if (!name_ok(id->netns))
			return qspn_errf(
				err, errlen,
				"identities[%zu].netns: longer than %d characters",
				i, QSPN_NAMELEN - 1);
		if (!id->netns[0]) {
			if (++mains > 1)
				return qspn_errf(
					err, errlen,
					"identities[%zu].netns: a second identity in the default namespace",
					i);
		}
		for (size_t j = 0; j < i; j++)
			if (id->netns[0] &&
			    !strcmp(id->netns, sys->ids[j].netns))
				return qspn_errf(
					err, errlen,
					"identities[%zu].netns: \"%s\" already used by identities[%zu]",
					i, id->netns, j);
		for (size_t p = 0; p < id->n_pseudodevs; p++) {
			const struct qspn_plan_pseudodev *pd =
				&id->pseudodevs[p];

			if (!id->netns[0])
				return qspn_errf(
					err, errlen,
					"identities[%zu].pseudodevs: only identities in their own namespace have pseudo-interfaces",
					i);
			if (!find_nic(sys, pd->dev))
				return qspn_errf(
					err, errlen,
					"identities[%zu].pseudodevs[%zu].dev: \"%s\" is not a managed NIC",
					i, p, pd->dev);
			if (!name_ok(pd->name) || !pd->name[0])
				return qspn_errf(
					err, errlen,
					"identities[%zu].pseudodevs[%zu].name: empty or longer than %d characters",
					i, p, QSPN_NAMELEN - 1);
		}
		if (id->guest_level < 0 || id->guest_level >= t->levels)
			return qspn_errf(
				err, errlen,
				"identities[%zu].guest_level: %d is not in 0..%d",
				i, id->guest_level, t->levels - 1);
		for (size_t a = 0; a < id->n_arcs; a++) {
			const struct qspn_plan_arc *arc = &id->arcs[a];

			if (!find_nic(sys, arc->dev))
				return qspn_errf(
					err, errlen,
					"identities[%zu].arcs[%zu].dev: \"%s\" is not a managed NIC",
					i, a, arc->dev);
			if (id->netns[0]) {
				bool found = false;

				for (size_t p = 0; p < id->n_pseudodevs; p++)
					found |= !strcmp(id->pseudodevs[p].dev,
							 arc->dev);
				if (!found)
					return qspn_errf(
						err, errlen,
						"identities[%zu].arcs[%zu].dev: no pseudo-interface on \"%s\" in namespace %s",
						i, a, arc->dev, id->netns);
			}
			for (size_t b = 0; b < a; b++)
				if (id->arcs[b].id == arc->id)
					return qspn_errf(
						err, errlen,
						"identities[%zu].arcs[%zu].id: %u used twice",
						i, a, arc->id);
			if (arc->peer_known &&
			    arc->peer_addr.levels != t->levels)
				return qspn_errf(
					err, errlen,
					"identities[%zu].arcs[%zu].peer_address: %d levels, the topology has %d",
					i, a, arc->peer_addr.levels, t->levels);
			if (arc->peer_outside && !arc->qspn)
				return qspn_errf(
					err, errlen,
					"identities[%zu].arcs[%zu].peer_outside: only a qspn-arc has a table",
					i, a);
			if (!arc->qspn)
				continue;
			if (arc->table_id < QSPN_TID_MIN ||
			    arc->table_id > QSPN_TID_MAX)
				return qspn_errf(
					err, errlen,
					"identities[%zu].arcs[%zu].table_id: %u is not in %d..%d",
					i, a, arc->table_id, QSPN_TID_MIN,
					QSPN_TID_MAX);
			/* one tid <-> one MAC in the whole system
			 * (rt_tables is shared), one table per tid in a
			 * namespace */
			for (size_t j = 0; j <= i; j++) {
				const struct qspn_plan_identity *o =
					&sys->ids[j];
				size_t lim = j == i ? a : o->n_arcs;

				for (size_t b = 0; b < lim; b++) {
					const struct qspn_plan_arc *x =
						&o->arcs[b];
					bool same_mac = !memcmp(
						x->peer_mac, arc->peer_mac, 6);

					if (!x->qspn)
						continue;
					if ((x->table_id == arc->table_id) !=
					    same_mac)
						return qspn_errf(
							err, errlen,
							"identities[%zu].arcs[%zu].table_id: table %u and its MAC must match identities[%zu].arcs[%zu] (one rt_tables line per MAC)",
							i, a, arc->table_id, j,
							b);
					if (j == i && same_mac)
						return qspn_errf(
							err, errlen,
							"identities[%zu].arcs[%zu].peer_mac: two qspn-arcs of one identity towards the same MAC",
							i, a);
				}
			}
		}
	}
	if (sys->n_subnet_hosts && sys->subnet_level < 1)
		return qspn_errf(
			err, errlen,
			"subnet_hosts: only a gateway of an autonomous subnet (subnet_level > 0) has hosts");
	for (size_t h = 0; h < sys->n_subnet_hosts; h++) {
		const struct qspn_plan_subnet_host *sh = &sys->subnet_hosts[h];

		if (!find_nic(sys, sh->dev))
			return qspn_errf(
				err, errlen,
				"subnet_hosts[%zu].dev: \"%s\" is not a managed NIC",
				h, sh->dev);
		if (!sh->linklocal)
			return qspn_errf(err, errlen,
					 "subnet_hosts[%zu].linklocal: missing",
					 h);
		for (int k = 0; k < sys->subnet_level; k++)
			if (sh->pos[k] >= t->gsize[k])
				return qspn_errf(
					err, errlen,
					"subnet_hosts[%zu].position: %u at level %d is not in 0..%u",
					h, sh->pos[k], k, t->gsize[k] - 1);
		for (size_t i = 0; i < sys->n_ids; i++)
			if (!sys->ids[i].netns[0] &&
			    !memcmp(sys->ids[i].addr.pos, sh->pos,
				    (size_t)sys->subnet_level *
					    sizeof(sh->pos[0])))
				return qspn_errf(
					err, errlen,
					"subnet_hosts[%zu].position: the gateway's own position",
					h);
		for (size_t g = 0; g < h; g++)
			if (!memcmp(sys->subnet_hosts[g].pos, sh->pos,
				    (size_t)sys->subnet_level *
					    sizeof(sh->pos[0])))
				return qspn_errf(
					err, errlen,
					"subnet_hosts[%zu].position: the same as subnet_hosts[%zu]",
					h, g);
	}
	return 0;
}

int qspn_plan_subnet_pos_parse(const struct qspn_topology *t, int s,
			       const char *text, uint32_t pos[], char *err,
			       size_t errlen)
{
	const char *p = text;
	int k = s - 1;

	if (s < 1 || s >= t->levels)
		return qspn_errf(err, errlen,
				 "no autonomous subnet (subnet level %d)", s);
	for (;;) {
		unsigned long v = 0;
		const char *start = p;

		while (*p >= '0' && *p <= '9' && v <= UINT32_MAX)
			v = v * 10 + (unsigned long)(*p++ - '0');
		if (p == start || (*p && *p != '.'))
			return qspn_errf(err, errlen,
					 "position \"%s\": not dotted numbers",
					 text);
		if (k < 0)
			return qspn_errf(
				err, errlen,
				"position \"%s\": %d positions expected (levels %d..0, top level first)",
				text, s, s - 1);
		if (v >= t->gsize[k])
			return qspn_errf(
				err, errlen,
				"position \"%s\": %lu at level %d is not below %u",
				text, v, k, t->gsize[k]);
		pos[k--] = (uint32_t)v;
		if (!*p)
			break;
		p++;
	}
	if (k != -1)
		return qspn_errf(
			err, errlen,
			"position \"%s\": %d positions expected (levels %d..0, top level first)",
			text, s, s - 1);
	return 0;
}

/* ---- build ------------------------------------------------------- */

struct bctx {
	struct qspn_kstate *ks;
	int seq;
	int oom;
};

static struct qspn_op *item(struct bctx *c, enum qspn_op_code code,
			    const char *ns, int phase, int dphase, int dseq)
{
	struct qspn_kstate *ks = c->ks;
	struct kitem *it;

	if (c->oom)
		return NULL;
	if (ks->n_items == ks->items_cap) {
		size_t cap = ks->items_cap ? ks->items_cap * 2 : 32;
		struct kitem *v = realloc(ks->items, cap * sizeof(*v));

		if (!v) {
			c->oom = 1;
			return NULL;
		}
		ks->items = v;
		ks->items_cap = cap;
	}
	it = &ks->items[ks->n_items++];
	memset(it, 0, sizeof(*it));
	it->o.code = code;
	snprintf(it->o.ns, sizeof(it->o.ns), "%s", ns);
	it->phase = phase;
	it->seq = c->seq++;
	it->dphase = dphase;
	it->dseq = dseq;
	return &it->o;
}

static void it_sysctl(struct bctx *c, const char *ns, const char *key,
		      const char *value, int phase)
{
	struct qspn_op *o = item(c, QSPN_OP_SYSCTL, ns, phase, DEL_NONE, 0);

	if (!o)
		return;
	snprintf(o->key, sizeof(o->key), "%s", key);
	snprintf(o->value, sizeof(o->value), "%s", value);
}

static void it_dev_sysctls(struct bctx *c, const char *ns, const char *dev,
			   int phase)
{
	char key[48];

	snprintf(key, sizeof(key), "net.ipv4.conf.%s.rp_filter", dev);
	it_sysctl(c, ns, key, "0", phase);
	snprintf(key, sizeof(key), "net.ipv4.conf.%s.arp_ignore", dev);
	it_sysctl(c, ns, key, "1", phase);
	snprintf(key, sizeof(key), "net.ipv4.conf.%s.arp_announce", dev);
	it_sysctl(c, ns, key, "2", phase);
}

static void it_addr(struct bctx *c, const char *ns, const char *dev,
		    uint32_t ip, int phase, int dphase, int dseq)
{
	struct qspn_op *o = item(c, QSPN_OP_ADDR_ADD, ns, phase, dphase, dseq);

	if (!o)
		return;
	snprintf(o->dev, sizeof(o->dev), "%s", dev);
	o->dst.addr = ip;
	o->dst.len = 32;
}

static void it_llroute(struct bctx *c, const char *ns, uint32_t ip,
		       const char *dev, uint32_t src, int phase)
{
	struct qspn_op *o =
		item(c, QSPN_OP_LLROUTE_ADD, ns, phase, DEL_LINKS, 0);

	if (!o)
		return;
	o->dst.addr = ip;
	o->dst.len = 32;
	snprintf(o->dev, sizeof(o->dev), "%s", dev);
	o->src = src;
}

static void it_netmap(struct bctx *c, int chain, struct qspn_prefix d,
		      const struct qspn_prefix *s, struct qspn_prefix to,
		      int dseq)
{
	struct qspn_op *o =
		item(c, QSPN_OP_NETMAP_ADD, "", ADD_OWNADDR, DEL_OWNADDR, dseq);

	if (!o)
		return;
	o->chain = (uint8_t)chain;
	o->dst = d;
	if (s)
		o->srcp = *s;
	o->to = to;
}

/* Own addresses of the main identity, SNAT and NETMAP (§2, §4.7, §4.8),
 * in the make_real order: intern[1..l-1], global, SNAT, anonymizing. */
static void own_items(struct bctx *c, const struct qspn_plan_system *sys,
		      const struct kident *id)
{
	const struct qspn_topology *t = &sys->topo;
	const struct qspn_naddr *n = &id->addr;
	int l = t->levels, s = sys->subnet_level;
	struct qspn_prefix r1 = qspn_ip_internal_gnode(t, n, s, s);

	for (int k = 1; k < l; k++) {
		int i = k - 1;

		if (id->local.has_intern[k])
			for (size_t d = 0; d < sys->n_nics; d++)
				it_addr(c, "", sys->nics[d].dev,
					id->local.intern[k], ADD_OWNADDR,
					DEL_OWNADDR, 3 + (l - 1 - k));
		if (s > 0 && i >= s && i <= l - 2 &&
		    qspn_naddr_real_range(t, n, s, i)) {
			struct qspn_prefix r2 =
				qspn_ip_internal_gnode(t, n, s, i + 1);
			struct qspn_prefix r3 =
				qspn_ip_internal_gnode(t, n, i + 1, i + 1);

			it_netmap(c, QSPN_PREROUTING, r2, NULL, r1, 100 + k);
			it_netmap(c, QSPN_POSTROUTING, r3, &r1, r2, 100 + k);
		}
	}
	if (id->local.has_global)
		for (size_t d = 0; d < sys->n_nics; d++)
			it_addr(c, "", sys->nics[d].dev, id->local.global,
				ADD_OWNADDR, DEL_OWNADDR, 1);
	if (s > 0 && qspn_naddr_real_range(t, n, s, l - 1)) {
		struct qspn_prefix r2 = qspn_ip_global_gnode(t, n, s);
		struct qspn_prefix r3 = qspn_ip_global_gnode(t, n, l);

		it_netmap(c, QSPN_PREROUTING, r2, NULL, r1, 100 + l);
		it_netmap(c, QSPN_POSTROUTING, r3, &r1, r2, 100 + l);
	}
	if (sys->anonymizer && id->local.has_global) {
		struct qspn_op *o = item(c, QSPN_OP_SNAT_ADD, "", ADD_OWNADDR,
					 DEL_OWNADDR, 0);

		if (o) {
			o->dst = qspn_ip_anon_range(t);
			o->src = id->local.global;
		}
	}
	if (sys->serve_anonymous && id->local.has_global)
		for (size_t d = 0; d < sys->n_nics; d++)
			it_addr(c, "", sys->nics[d].dev, id->local.anon,
				ADD_OWNADDR, DEL_OWNADDR, 2);
	if (s > 0 && qspn_naddr_real_range(t, n, s, l - 1)) {
		struct qspn_prefix r2 = qspn_ip_global_gnode(t, n, s);
		struct qspn_prefix r4 = qspn_ip_anon_gnode(t, n, s);
		struct qspn_prefix r5 = qspn_ip_anon_gnode(t, n, l);

		if (sys->serve_anonymous)
			it_netmap(c, QSPN_PREROUTING, r4, NULL, r1, 200);
		it_netmap(c, QSPN_POSTROUTING, r5, &r1, r2, 201);
	}
}

/*
 * The hosts of our autonomous subnet (§4.8; the reference leaves these to
 * "another mechanism", doc/protocol/routes.md §4.8 end): the /32 route to a
 * host's link-local in `main`, then, once our own addresses exist, its
 * internal address of level s in `ntk` via that link-local, src our own
 * internal address of level s when it is computable.
 */
static void subnet_host_items(struct bctx *c,
			      const struct qspn_plan_system *sys,
			      const struct kident *id)
{
	int s = sys->subnet_level;

	for (size_t h = 0; h < sys->n_subnet_hosts; h++) {
		const struct qspn_plan_subnet_host *sh = &sys->subnet_hosts[h];
		const struct qspn_plan_nic *nic = find_nic(sys, sh->dev);
		struct qspn_naddr host = id->addr;
		struct qspn_op *o;

		if (!nic->linklocal)
			continue;
		it_llroute(c, "", sh->linklocal, nic->dev, nic->linklocal,
			   ADD_LLROUTE);
		for (int k = 0; k < s; k++)
			host.pos[k] = sh->pos[k];
		o = item(c, QSPN_OP_ROUTE_ADD, "", ADD_HOSTS, DEL_BEFORE, 1);
		if (!o)
			return;
		snprintf(o->table, sizeof(o->table), "ntk");
		o->dst.addr = qspn_ip_internal_node(&c->ks->topo, &host, s);
		o->dst.len = 32;
		o->rtype = QSPN_RT_VIA;
		o->gw = sh->linklocal;
		snprintf(o->dev, sizeof(o->dev), "%s", nic->dev);
		if (id->local.has_intern[s])
			o->src = id->local.intern[s];
	}
}

static const char *arc_dev(const struct kident *id,
			   const struct qspn_plan_arc *arc)
{
	for (size_t p = 0; p < id->n_pds; p++)
		if (!strcmp(id->pds[p].dev, arc->dev))
			return id->pds[p].name;
	return arc->dev;
}

static const struct qspn_plan_pseudodev *arc_pd(const struct kident *id,
						const struct qspn_plan_arc *arc)
{
	for (size_t p = 0; p < id->n_pds; p++)
		if (!strcmp(id->pds[p].dev, arc->dev))
			return &id->pds[p];
	return NULL;
}

#define CMP_FIELD(a, b)                                                        \
	do {                                                                   \
		if ((a) != (b))                                                \
			return (a) < (b) ? -1 : 1;                             \
	} while (0)

/* a total order on operations, field by field (never on padding) */
static int op_key_cmp(const struct qspn_op *x, const struct qspn_op *y)
{
	int r;

	CMP_FIELD(x->code, y->code);
	if ((r = strcmp(x->ns, y->ns)) || (r = strcmp(x->dev, y->dev)) ||
	    (r = strcmp(x->link, y->link)) ||
	    (r = strcmp(x->table, y->table)) || (r = strcmp(x->key, y->key)) ||
	    (r = strcmp(x->value, y->value)) ||
	    (r = memcmp(x->mac, y->mac, sizeof(x->mac))))
		return r;
	CMP_FIELD(x->tid, y->tid);
	CMP_FIELD(x->rtype, y->rtype);
	CMP_FIELD(x->chain, y->chain);
	CMP_FIELD(x->dst.addr, y->dst.addr);
	CMP_FIELD(x->dst.len, y->dst.len);
	CMP_FIELD(x->srcp.addr, y->srcp.addr);
	CMP_FIELD(x->srcp.len, y->srcp.len);
	CMP_FIELD(x->to.addr, y->to.addr);
	CMP_FIELD(x->to.len, y->to.len);
	CMP_FIELD(x->gw, y->gw);
	CMP_FIELD(x->src, y->src);
	return 0;
}

static int op_cmp(const void *a, const void *b)
{
	const struct kitem *x = a, *y = b;
	int r = op_key_cmp(&x->o, &y->o);

	if (r)
		return r;
	return x->seq - y->seq;
}

static const struct kitem *find_item(const struct qspn_kstate *ks,
				     const struct qspn_op *o)
{
	size_t lo = 0, hi = ks->n_items;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int r = op_key_cmp(&ks->items[mid].o, o);

		if (r == 0)
			return &ks->items[mid];
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static const struct qspn_plan_arc *find_arc(const struct kident *id,
					    uint32_t arc_id)
{
	for (size_t a = 0; a < id->n_arcs; a++)
		if (id->arcs[a].id == arc_id)
			return &id->arcs[a];
	return NULL;
}

/*
 * §4.2 for destination h of identity `idx`, every table of it: best path
 * per table, then one route per IP slot.
 */
static void compute_dest(struct qspn_kstate *ks,
			 const struct qspn_plan_identity *in, int idx,
			 struct qspn_hcoord h)
{
	struct kident *id = &ks->ids[idx];
	struct qspn_dest_ips d;
	struct qspn_dest_paths dp = {h, 0, NULL};
	int w = width(ks, h.lvl);
	int base = slot_of(ks, h, 0);
	bool isdest;

	isdest = qspn_dest_ips(&ks->topo, &id->addr, ks->subnet_level, h, &d);
	if (isdest && in->paths.get_paths &&
	    in->paths.get_paths(in->paths.ctx, h, &dp) != 0)
		dp.n_paths = 0;
	for (size_t ti = 0; ti < id->n_tables; ti++) {
		struct ktable *t = &ks->tables[id->tables[ti]];
		const struct qspn_path *best = NULL;
		const struct qspn_plan_arc *barc = NULL;

		if (isdest && (t->is_ntk || t->known)) {
			for (uint32_t p = 0; p < dp.n_paths; p++) {
				const struct qspn_path *path = &dp.paths[p];
				const struct qspn_plan_arc *a =
					find_arc(id, path->arc);

				if (!a)
					continue;
				if (!t->is_ntk &&
				    qspn_path_contains(path, t->hv))
					continue;
				best = path;
				barc = a;
				break;
			}
		}
		for (int s = 0; s < w; s++) {
			struct kroute *r = &t->r[base + s];
			int k = s >= 2 ? qspn_internal_of_slot(&ks->topo, s)
				       : -1;

			memset(r, 0, sizeof(*r));
			if (!isdest || !d.present[s])
				continue;
			if (!t->is_ntk && t->known && k >= 0 &&
			    t->hv.lvl >= k) {
				r->type = QSPN_RT_BLACKHOLE;
				continue;
			}
			/* kept from the old identity (§5.4 step 4, §5.6) */
			if (!t->is_ntk && !t->known && k >= 1 &&
			    k <= id->guest_level &&
			    id->arcs[t->arc].peer_outside) {
				r->type = QSPN_RT_BLACKHOLE;
				continue;
			}
			if (!best) {
				r->type = QSPN_RT_UNREACHABLE;
				continue;
			}
			r->type = QSPN_RT_VIA;
			r->gw = barc->peer_linklocal;
			snprintf(r->dev, sizeof(r->dev), "%s",
				 arc_dev(id, barc));
			if (t->is_ntk) {
				if (k < 0 && id->local.has_global)
					r->src = id->local.global;
				else if (k >= 0 && id->local.has_intern[k])
					r->src = id->local.intern[k];
			}
		}
	}
}

static int add_table(struct qspn_kstate *ks, size_t *cap, const char *ns,
		     uint32_t tid, const char *name)
{
	struct ktable *t;

	if (ks->n_tables == *cap) {
		size_t nc = *cap ? *cap * 2 : 8;
		struct ktable *v = realloc(ks->tables, nc * sizeof(*v));

		if (!v)
			return -2;
		ks->tables = v;
		*cap = nc;
	}
	t = &ks->tables[ks->n_tables++];
	memset(t, 0, sizeof(*t));
	snprintf(t->ns, sizeof(t->ns), "%s", ns);
	t->tid = tid;
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->owner = -1;
	t->arc = -1;
	return 0;
}

int qspn_plan_build(const struct qspn_plan_system *sys,
		    struct qspn_kstate **out, char *errbuf, size_t errlen)
{
	struct qspn_kstate *ks;
	struct bctx c = {0};
	size_t tcap = 0;
	int l, r;

	*out = NULL;
	if (validate(sys, errbuf, errlen) < 0)
		return -1;
	ks = qspn_kstate_new();
	if (!ks)
		return -2;
	c.ks = ks;
	ks->has_topo = true;
	ks->topo = sys->topo;
	ks->subnet_level = sys->subnet_level;
	l = ks->topo.levels;
	{
		int db = 0, sb = 0;

		for (int i = l - 1; i >= ks->subnet_level; i--) {
			ks->dest_base[i] = db;
			ks->slot_base[i] = sb;
			db += (int)ks->topo.gsize[i];
			sb += (int)ks->topo.gsize[i] * width(ks, i);
		}
		ks->n_slots = sb;
	}
	if (!sys->started) {
		*out = ks;
		return 0;
	}

	/* identities */
	ks->ids = calloc(sys->n_ids ? sys->n_ids : 1, sizeof(*ks->ids));
	if (!ks->ids)
		goto oom;
	ks->n_ids = sys->n_ids;
	for (size_t i = 0; i < sys->n_ids; i++) {
		const struct qspn_plan_identity *in = &sys->ids[i];
		struct kident *id = &ks->ids[i];

		id->addr = in->addr;
		id->id = in->id;
		id->guest_level = in->guest_level;
		snprintf(id->ns, sizeof(id->ns), "%s", in->netns);
		qspn_local_ips(&ks->topo, &id->addr, &id->local);
		id->arcs = calloc(in->n_arcs + 1, sizeof(*id->arcs));
		id->pds = calloc(in->n_pseudodevs + 1, sizeof(*id->pds));
		id->tables = calloc(in->n_arcs + 1, sizeof(*id->tables));
		if (!id->arcs || !id->pds || !id->tables)
			goto oom;
		if (in->n_arcs)
			memcpy(id->arcs, in->arcs,
			       in->n_arcs * sizeof(*id->arcs));
		id->n_arcs = in->n_arcs;
		if (in->n_pseudodevs)
			memcpy(id->pds, in->pseudodevs,
			       in->n_pseudodevs * sizeof(*id->pds));
		id->n_pds = in->n_pseudodevs;
	}

	/* start-up items (§5.8 steps 1, 2, 4) */
	it_sysctl(&c, "", "net.ipv4.ip_forward", "1", ADD_START);
	it_sysctl(&c, "", "net.ipv4.conf.all.rp_filter", "0", ADD_START);
	it_addr(&c, "", "lo", qspn_ip_localhost(&ks->topo), ADD_START, DEL_LAST,
		0);
	for (size_t d = 0; d < sys->n_nics; d++) {
		struct qspn_op *o;

		it_dev_sysctls(&c, "", sys->nics[d].dev, ADD_START);
		o = item(&c, QSPN_OP_LINK_UP, "", ADD_START, DEL_NONE, 0);
		if (o)
			snprintf(o->dev, sizeof(o->dev), "%s",
				 sys->nics[d].dev);
	}
	for (size_t d = 0; d < sys->n_nics; d++)
		if (sys->nics[d].linklocal)
			it_addr(&c, "", sys->nics[d].dev,
				sys->nics[d].linklocal, ADD_START, DEL_LAST, 0);
	{
		struct qspn_op *o = item(&c, QSPN_OP_RTTABLE_ADD, "", ADD_START,
					 DEL_LAST, 1);

		if (o) {
			o->tid = QSPN_TID_NTK;
			snprintf(o->table, sizeof(o->table), "ntk");
		}
		o = item(&c, QSPN_OP_RULE_ADD, "", ADD_START, DEL_BEFORE, 0);
		if (o)
			snprintf(o->table, sizeof(o->table), "ntk");
	}

	/* namespaces of connectivity identities (§5.2) */
	for (size_t i = 0; i < ks->n_ids; i++) {
		struct kident *id = &ks->ids[i];
		struct qspn_op *o;

		if (!id->ns[0])
			continue;
		item(&c, QSPN_OP_NETNS_ADD, id->ns, ADD_NETNS, DEL_NETNS, 0);
		it_sysctl(&c, id->ns, "net.ipv4.ip_forward", "1", ADD_NETNS);
		it_sysctl(&c, id->ns, "net.ipv4.conf.all.rp_filter", "0",
			  ADD_NETNS);
		for (size_t p = 0; p < id->n_pds; p++) {
			/* a link goes last: it takes its addresses and
			 * routes with it */
			o = item(&c, QSPN_OP_LINK_ADD, id->ns, ADD_NETNS,
				 DEL_LINKS, 2);
			if (o) {
				snprintf(o->dev, sizeof(o->dev), "%s",
					 id->pds[p].name);
				snprintf(o->link, sizeof(o->link), "%s",
					 id->pds[p].dev);
			}
			it_dev_sysctls(&c, id->ns, id->pds[p].name, ADD_NETNS);
			o = item(&c, QSPN_OP_LINK_UP, id->ns, ADD_NETNS,
				 DEL_NONE, 0);
			if (o)
				snprintf(o->dev, sizeof(o->dev), "%s",
					 id->pds[p].name);
			/* after the link-local routes using it as src */
			if (id->pds[p].linklocal)
				it_addr(&c, id->ns, id->pds[p].name,
					id->pds[p].linklocal, ADD_NETNS,
					DEL_LINKS, 1);
		}
		for (size_t a = 0; a < id->n_arcs; a++) {
			const struct qspn_plan_pseudodev *pd =
				arc_pd(id, &id->arcs[a]);

			if (pd && pd->linklocal && id->arcs[a].peer_linklocal)
				it_llroute(&c, id->ns,
					   id->arcs[a].peer_linklocal, pd->name,
					   pd->linklocal, ADD_NETNS);
		}
	}

	/* link-local routes in the default namespace (§3.6) */
	for (size_t n = 0; n < sys->n_neighbours; n++) {
		const struct qspn_plan_nic *nic =
			find_nic(sys, sys->neighbours[n].dev);

		if (nic->linklocal && sys->neighbours[n].linklocal)
			it_llroute(&c, "", sys->neighbours[n].linklocal,
				   nic->dev, nic->linklocal, ADD_LLROUTE);
	}
	for (size_t i = 0; i < ks->n_ids; i++) {
		struct kident *id = &ks->ids[i];

		if (id->ns[0])
			continue;
		for (size_t a = 0; a < id->n_arcs; a++) {
			const struct qspn_plan_nic *nic =
				find_nic(sys, id->arcs[a].dev);

			if (nic->linklocal && id->arcs[a].peer_linklocal)
				it_llroute(&c, "", id->arcs[a].peer_linklocal,
					   nic->dev, nic->linklocal,
					   ADD_LLROUTE);
		}
		own_items(&c, sys, id);
		subnet_host_items(&c, sys, id);
	}
	if (c.oom)
		goto oom;

	/* tables: ntk (default namespace), then one per qspn-arc */
	if (add_table(ks, &tcap, "", QSPN_TID_NTK, "ntk") < 0)
		goto oom;
	ks->tables[0].is_ntk = true;
	for (size_t i = 0; i < ks->n_ids; i++) {
		struct kident *id = &ks->ids[i];

		if (!id->ns[0]) {
			ks->tables[0].owner = (int)i;
			id->tables[id->n_tables++] = 0;
		}
		for (size_t a = 0; a < id->n_arcs; a++) {
			const struct qspn_plan_arc *arc = &id->arcs[a];
			char mac[18], name[QSPN_TABLE_NAMELEN];
			struct ktable *t;

			if (!arc->qspn)
				continue;
			qspn_mac_format(arc->peer_mac, mac);
			snprintf(name, sizeof(name), "ntk_from_%s", mac);
			if (add_table(ks, &tcap, id->ns, arc->table_id, name) <
			    0)
				goto oom;
			t = &ks->tables[ks->n_tables - 1];
			memcpy(t->mac, arc->peer_mac, 6);
			t->owner = (int)i;
			t->arc = (int)a;
			t->rule = arc->peer_known;
			t->known = arc->peer_known &&
				   qspn_coord_by_address(
					   &id->addr, &arc->peer_addr, &t->hv);
			id->tables[id->n_tables++] = (int)(ks->n_tables - 1);
		}
	}
	/* each identity's tables in the diff's order: ntk, then table id */
	for (size_t i = 0; i < ks->n_ids; i++) {
		struct kident *id = &ks->ids[i];

		for (size_t x = 1; x < id->n_tables; x++)
			for (size_t y = x; y > 0; y--) {
				const struct ktable *p =
					&ks->tables[id->tables[y - 1]];
				const struct ktable *q =
					&ks->tables[id->tables[y]];
				int tmp;

				if (p->is_ntk ||
				    (!q->is_ntk && p->tid < q->tid))
					break;
				tmp = id->tables[y];
				id->tables[y] = id->tables[y - 1];
				id->tables[y - 1] = tmp;
			}
	}
	/* rt_tables lines of the forwarding tables, one per (tid, name) */
	ks->rtt = calloc(ks->n_tables, sizeof(*ks->rtt));
	if (!ks->rtt)
		goto oom;
	for (size_t t = 1; t < ks->n_tables; t++) {
		bool dup = false;

		for (size_t x = 0; x < ks->n_rtt; x++)
			dup |= ks->rtt[x].tid == ks->tables[t].tid;
		if (dup)
			continue;
		ks->rtt[ks->n_rtt].tid = ks->tables[t].tid;
		memcpy(ks->rtt[ks->n_rtt].name, ks->tables[t].name,
		       sizeof(ks->rtt[0].name));
		ks->n_rtt++;
	}

	/* routes */
	for (size_t t = 0; t < ks->n_tables; t++) {
		if (ks->tables[t].owner < 0)
			continue;
		ks->tables[t].r =
			calloc((size_t)ks->n_slots, sizeof(struct kroute));
		if (!ks->tables[t].r)
			goto oom;
	}
	for (size_t i = 0; i < ks->n_ids; i++) {
		if (!ks->ids[i].n_tables)
			continue;
		for (int x = 0;
		     x < qspn_dest_space(&ks->topo, ks->subnet_level); x++)
			compute_dest(
				ks, &sys->ids[i], (int)i,
				qspn_dest_at(&ks->topo, ks->subnet_level, x));
	}

	/* sort the items by key, drop duplicates (a neighbour's route can
	 * also be an arc's) */
	if (ks->n_items) {
		size_t w = 1;

		qsort(ks->items, ks->n_items, sizeof(*ks->items), op_cmp);
		for (size_t x = 1; x < ks->n_items; x++)
			if (op_key_cmp(&ks->items[x].o, &ks->items[w - 1].o))
				memmove(&ks->items[w++], &ks->items[x],
					sizeof(ks->items[0]));
		ks->n_items = w;
	}
	*out = ks;
	return 0;
oom:
	r = -2;
	qspn_kstate_free(ks);
	return r;
}

/* ---- diff -------------------------------------------------------- */

struct dctx {
	const struct qspn_kstate *from, *to;
	struct qspn_ops *ops;
	bool *rtt_deleted;  /* per from->rtt */
	bool *rtt_added;    /* per to->rtt */
	bool *item_deleted; /* per from->items, deleted ahead of its phase */
	int err;
};

static void emit(struct dctx *c, const struct qspn_op *o)
{
	if (!c->err && ops_push(c->ops, o) < 0)
		c->err = -2;
}

static bool ns_exists(const struct qspn_kstate *ks, const char *ns)
{
	struct qspn_op o;

	if (!ns[0])
		return true;
	memset(&o, 0, sizeof(o));
	o.code = QSPN_OP_NETNS_ADD;
	snprintf(o.ns, sizeof(o.ns), "%s", ns);
	return find_item(ks, &o) != NULL;
}

static int cmp_add(const void *a, const void *b)
{
	const struct kitem *x = *(const struct kitem *const *)a;
	const struct kitem *y = *(const struct kitem *const *)b;

	if (x->phase != y->phase)
		return x->phase - y->phase;
	return x->seq - y->seq;
}

static int cmp_del(const void *a, const void *b)
{
	const struct kitem *x = *(const struct kitem *const *)a;
	const struct kitem *y = *(const struct kitem *const *)b;

	if (x->dphase != y->dphase)
		return x->dphase - y->dphase;
	if (x->dseq != y->dseq)
		return x->dseq - y->dseq;
	return x->seq - y->seq;
}

/* the MAC of pseudo-interface `name` in namespace ns (zero: none given) */
static void pd_mac(const struct qspn_kstate *ks, const char *ns,
		   const char *name, uint8_t mac[6])
{
	for (size_t i = 0; i < ks->n_ids; i++) {
		if (strcmp(ks->ids[i].ns, ns))
			continue;
		for (size_t p = 0; p < ks->ids[i].n_pds; p++)
			if (!strcmp(ks->ids[i].pds[p].name, name))
				memcpy(mac, ks->ids[i].pds[p].mac, 6);
	}
}

static void emit_item_add(struct dctx *c, const struct kitem *it)
{
	struct qspn_op o = it->o;

	if (o.code == QSPN_OP_LINK_ADD) {
		/* created in the default namespace, then moved; with the
		 * pseudo-interface's MAC (not part of the item's key: a MAC
		 * the kernel chose and the caller read back does not make
		 * the link new) */
		pd_mac(c->to, it->o.ns, o.dev, o.mac);
		o.ns[0] = '\0';
		emit(c, &o);
		o = it->o;
		o.code = QSPN_OP_LINK_SETNS;
	}
	emit(c, &o);
}

static void emit_item_del(struct dctx *c, const struct kitem *it)
{
	struct qspn_op o = it->o;

	switch (o.code) {
	case QSPN_OP_NETNS_ADD: {
		/* §5.7: flush main, delete the macvlans, delete the netns */
		struct qspn_op f;

		memset(&f, 0, sizeof(f));
		f.code = QSPN_OP_ROUTE_FLUSH;
		memcpy(f.ns, o.ns, sizeof(f.ns));
		snprintf(f.table, sizeof(f.table), "main");
		emit(c, &f);
		for (size_t x = 0; x < c->from->n_items; x++) {
			const struct kitem *l = &c->from->items[x];

			if (l->o.code == QSPN_OP_LINK_ADD &&
			    !strcmp(l->o.ns, o.ns)) {
				f = l->o;
				f.code = QSPN_OP_LINK_DEL;
				emit(c, &f);
			}
		}
		o.code = QSPN_OP_NETNS_DEL;
		break;
	}
	case QSPN_OP_LINK_ADD:
		o.code = QSPN_OP_LINK_DEL;
		break;
	case QSPN_OP_ADDR_ADD:
		o.code = QSPN_OP_ADDR_DEL;
		break;
	case QSPN_OP_LLROUTE_ADD:
		o.code = QSPN_OP_LLROUTE_DEL;
		break;
	case QSPN_OP_RTTABLE_ADD:
		o.code = QSPN_OP_RTTABLE_DEL;
		break;
	case QSPN_OP_RULE_ADD:
		o.code = QSPN_OP_RULE_DEL;
		break;
	case QSPN_OP_SNAT_ADD:
		o.code = QSPN_OP_SNAT_DEL;
		break;
	case QSPN_OP_NETMAP_ADD:
		o.code = QSPN_OP_NETMAP_DEL;
		break;
	case QSPN_OP_ROUTE_ADD: /* a route to a host of our subnet */
		o.code = QSPN_OP_ROUTE_DEL;
		o.rtype = QSPN_RT_NONE;
		o.gw = 0;
		o.src = 0;
		o.dev[0] = '\0';
		break;
	default:
		return;
	}
	emit(c, &o);
}

/*
 * A link-local route is keyed by its destination in the kernel: when the
 * new one differs from an old one only in dev or src (a pseudo-interface
 * got a new link-local), the old one goes first.
 */
static void free_route_key(struct dctx *c, const struct kitem *it)
{
	if (it->o.code != QSPN_OP_LLROUTE_ADD &&
	    it->o.code != QSPN_OP_ROUTE_ADD)
		return;
	for (size_t x = 0; x < c->from->n_items; x++) {
		const struct kitem *old = &c->from->items[x];

		if (old->o.code != it->o.code || c->item_deleted[x] ||
		    strcmp(old->o.ns, it->o.ns) ||
		    strcmp(old->o.table, it->o.table) ||
		    old->o.dst.addr != it->o.dst.addr ||
		    find_item(c->to, &old->o))
			continue;
		emit_item_del(c, old);
		c->item_deleted[x] = true;
	}
}

/* generic items: adds of phase `phase` (0 = all), or deletes of dphase */
static void items_pass(struct dctx *c, bool add, int phase)
{
	const struct qspn_kstate *src = add ? c->to : c->from;
	const struct qspn_kstate *oth = add ? c->from : c->to;
	const struct kitem **v;
	size_t n = 0;

	if (!src->n_items)
		return;
	v = malloc(src->n_items * sizeof(*v));
	if (!v) {
		c->err = -2;
		return;
	}
	for (size_t x = 0; x < src->n_items; x++) {
		const struct kitem *it = &src->items[x];

		if (add ? it->phase != phase : it->dphase != phase)
			continue;
		if (find_item(oth, &it->o))
			continue;
		/* things inside a namespace that goes away go with it */
		if (!add && it->o.code != QSPN_OP_NETNS_ADD &&
		    !ns_exists(c->to, it->o.ns))
			continue;
		v[n++] = it;
	}
	qsort(v, n, sizeof(*v), add ? cmp_add : cmp_del);
	for (size_t x = 0; x < n; x++) {
		if (add) {
			free_route_key(c, v[x]);
			emit_item_add(c, v[x]);
		} else if (!c->item_deleted[v[x] - c->from->items]) {
			emit_item_del(c, v[x]);
			c->item_deleted[v[x] - c->from->items] = true;
		}
	}
	free(v);
}

static bool same_table(const struct ktable *a, const struct ktable *b)
{
	return a->tid == b->tid && !strcmp(a->ns, b->ns) &&
	       !strcmp(a->name, b->name);
}

static const struct ktable *find_table(const struct qspn_kstate *ks,
				       const struct ktable *t)
{
	for (size_t i = 0; i < ks->n_tables; i++)
		if (same_table(&ks->tables[i], t))
			return &ks->tables[i];
	return NULL;
}

static void table_op(struct qspn_op *o, enum qspn_op_code code,
		     const struct ktable *t)
{
	memset(o, 0, sizeof(*o));
	o->code = code;
	memcpy(o->ns, t->ns, sizeof(o->ns));
	memcpy(o->table, t->name, sizeof(o->table));
	o->tid = t->tid;
	memcpy(o->mac, t->mac, 6);
}

static void rtt_line(struct dctx *c, enum qspn_op_code code, uint32_t tid,
		     const char *name)
{
	struct qspn_op o;

	memset(&o, 0, sizeof(o));
	o.code = code;
	o.tid = tid;
	snprintf(o.table, sizeof(o.table), "%s", name);
	emit(c, &o);
}

/* make sure rt_tables has (tid, name) before a table of that name is used */
static void ensure_rtt(struct dctx *c, uint32_t tid, const char *name)
{
	size_t x;

	for (x = 0; x < c->from->n_rtt; x++)
		if (c->from->rtt[x].tid == tid &&
		    !strcmp(c->from->rtt[x].name, name) && !c->rtt_deleted[x])
			return;
	for (x = 0; x < c->to->n_rtt; x++)
		if (c->to->rtt[x].tid == tid &&
		    !strcmp(c->to->rtt[x].name, name))
			break;
	if (x < c->to->n_rtt && c->rtt_added[x])
		return;
	/* the id or the name is still taken by an old line: free it */
	for (size_t y = 0; y < c->from->n_rtt; y++) {
		const struct rtline *ol = &c->from->rtt[y];

		if (c->rtt_deleted[y] ||
		    (ol->tid != tid && strcmp(ol->name, name)))
			continue;
		rtt_line(c, QSPN_OP_RTTABLE_DEL, ol->tid, ol->name);
		c->rtt_deleted[y] = true;
	}
	rtt_line(c, QSPN_OP_RTTABLE_ADD, tid, name);
	if (x < c->to->n_rtt)
		c->rtt_added[x] = true;
}

static void route_op(struct dctx *c, enum qspn_op_code code,
		     const struct ktable *t, struct qspn_prefix dst,
		     const struct kroute *r)
{
	struct qspn_op o;

	table_op(&o, code, t);
	memset(o.mac, 0, sizeof(o.mac));
	o.tid = 0;
	o.dst = dst;
	if (r) {
		o.rtype = r->type;
		if (r->type == QSPN_RT_VIA) {
			o.gw = r->gw;
			o.src = r->src;
			memcpy(o.dev, r->dev, sizeof(o.dev));
		}
	}
	emit(c, &o);
}

static bool route_eq(const struct kroute *a, const struct kroute *b)
{
	if (a->type != b->type)
		return false;
	if (a->type != QSPN_RT_VIA)
		return true;
	return a->gw == b->gw && a->src == b->src && !strcmp(a->dev, b->dev);
}

static bool topo_equal(const struct qspn_topology *a,
		       const struct qspn_topology *b)
{
	if (a->levels != b->levels)
		return false;
	for (int i = 0; i < a->levels; i++)
		if (a->gsize[i] != b->gsize[i])
			return false;
	return true;
}

struct ckey {
	uint64_t key;
	int slot;
};

static int ckey_cmp(const void *a, const void *b)
{
	const struct ckey *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

static size_t present_keys(const struct qspn_kstate *ks, const struct ktable *t,
			   struct ckey *v)
{
	size_t n = 0;
	const struct qspn_naddr *owner;

	if (!t || !t->r)
		return 0;
	owner = &ks->ids[t->owner].addr;
	for (int s = 0; s < ks->n_slots; s++) {
		struct qspn_prefix p;

		if (t->r[s].type == QSPN_RT_NONE)
			continue;
		p = slot_cidr(ks, owner, s);
		v[n].key = ((uint64_t)p.addr << 8) | p.len;
		v[n].slot = s;
		n++;
	}
	qsort(v, n, sizeof(*v), ckey_cmp);
	return n;
}

/*
 * The identity that owns table n is not the one that owned o, and has
 * another address: it replaced it in its namespace at a duplication (§5.3
 * step 1).  Only when both identities say who they are.
 */
static bool replaced_owner(const struct dctx *c, const struct ktable *o,
			   const struct ktable *n)
{
	const struct kident *a = &c->from->ids[o->owner];
	const struct kident *b = &c->to->ids[n->owner];

	return a->id && b->id && a->id != b->id &&
	       !qspn_naddr_equal(&a->addr, &b->addr);
}

/* of the keys v[0..n), those of internal routes of levels <= g (§5.4 step
 * 4: the routes a replaced identity leaves in place, §7 item 9) */
static size_t keep_kept(const struct qspn_kstate *ks, struct ckey *v, size_t n,
			int g)
{
	size_t w = 0;

	for (size_t x = 0; x < n; x++) {
		int lvl, s;
		uint32_t pos;

		slot_info(ks, v[x].slot, &lvl, &pos, &s);
		if (s >= 2 && qspn_internal_of_slot(&ks->topo, s) <= g)
			v[w++] = v[x];
	}
	return w;
}

/*
 * Routes of one table: deletions, additions (unreachable), then changes.
 * When both sides have the same owner address the slots line up and the
 * comparison is slot by slot; otherwise the CIDRs are matched (an address
 * that became real, §5.5).  When the owner was replaced (§5.4), only its
 * kept internal routes are matched: every other route of the old set is
 * deleted and the new set is added, as the reference does (steps 4 and 7),
 * even where a CIDR is in both sets.
 */
static void routes_diff(struct dctx *c, const struct ktable *o,
			const struct ktable *n)
{
	const struct qspn_kstate *F = c->from, *T = c->to;
	bool replaced = o && o->r && n->r && replaced_owner(c, o, n);
	bool same = o && o->r && n->r && !replaced && F->has_topo &&
		    topo_equal(&F->topo, &T->topo) &&
		    F->subnet_level == T->subnet_level &&
		    qspn_naddr_equal(&F->ids[o->owner].addr,
				     &T->ids[n->owner].addr);
	struct kroute unr;

	memset(&unr, 0, sizeof(unr));
	unr.type = QSPN_RT_UNREACHABLE;
	if ((!o || !o->r) && n->r) {
		/* a table that had no routes: add them all, then set them
		 * (one destination's IPs computed once per pass) */
		const struct qspn_naddr *a = &T->ids[n->owner].addr;
		int nd = qspn_dest_space(&T->topo, T->subnet_level);

		for (int pass = 0; pass < 2; pass++)
			for (int x = 0; x < nd; x++) {
				struct qspn_hcoord h = qspn_dest_at(
					&T->topo, T->subnet_level, x);
				int base = slot_of(T, h, 0);
				struct qspn_dest_ips d;

				if (!qspn_dest_ips(&T->topo, a, T->subnet_level,
						   h, &d))
					continue;
				for (int k = 0; k < d.n_slots; k++) {
					const struct kroute *r =
						&n->r[base + k];

					if (!r->type)
						continue;
					if (pass == 0)
						route_op(c, QSPN_OP_ROUTE_ADD,
							 n, d.ip[k], &unr);
					else if (!route_eq(&unr, r))
						route_op(c,
							 QSPN_OP_ROUTE_CHANGE,
							 n, d.ip[k], r);
				}
			}
		return;
	}
	if (same) {
		const struct qspn_naddr *a = &T->ids[n->owner].addr;

		for (int s = 0; s < T->n_slots; s++)
			if (o->r[s].type && !n->r[s].type)
				route_op(c, QSPN_OP_ROUTE_DEL, n,
					 slot_cidr(T, a, s), NULL);
		for (int s = 0; s < T->n_slots; s++)
			if (!o->r[s].type && n->r[s].type)
				route_op(c, QSPN_OP_ROUTE_ADD, n,
					 slot_cidr(T, a, s), &unr);
		for (int s = 0; s < T->n_slots; s++) {
			const struct kroute *was =
				o->r[s].type ? &o->r[s] : &unr;

			if (n->r[s].type && !route_eq(was, &n->r[s]))
				route_op(c, QSPN_OP_ROUTE_CHANGE, n,
					 slot_cidr(T, a, s), &n->r[s]);
		}
		return;
	}
	{
		struct ckey *ov = NULL, *nv = NULL;
		int *o2n = NULL, *n2o = NULL;
		size_t on, nn, i = 0, j = 0;

		ov = malloc((size_t)(F->n_slots + 1) * sizeof(*ov));
		nv = malloc((size_t)(T->n_slots + 1) * sizeof(*nv));
		o2n = malloc((size_t)(F->n_slots + 1) * sizeof(*o2n));
		n2o = malloc((size_t)(T->n_slots + 1) * sizeof(*n2o));
		if (!ov || !nv || !o2n || !n2o) {
			c->err = -2;
			goto out;
		}
		on = present_keys(F, o, ov);
		nn = present_keys(T, n, nv);
		if (replaced) {
			int g = T->ids[n->owner].guest_level;

			on = keep_kept(F, ov, on, g);
			nn = keep_kept(T, nv, nn, g);
		}
		for (int s = 0; s < F->n_slots; s++)
			o2n[s] = -1;
		for (int s = 0; s < T->n_slots; s++)
			n2o[s] = -1;
		while (i < on && j < nn) {
			if (ov[i].key < nv[j].key) {
				i++;
			} else if (ov[i].key > nv[j].key) {
				j++;
			} else {
				o2n[ov[i].slot] = nv[j].slot;
				n2o[nv[j].slot] = ov[i].slot;
				i++;
				j++;
			}
		}
		if (o && o->r)
			for (int s = 0; s < F->n_slots; s++)
				if (o->r[s].type && o2n[s] < 0)
					route_op(c, QSPN_OP_ROUTE_DEL, n,
						 slot_cidr(
							 F,
							 &F->ids[o->owner].addr,
							 s),
						 NULL);
		if (n->r) {
			const struct qspn_naddr *a = &T->ids[n->owner].addr;

			for (int s = 0; s < T->n_slots; s++)
				if (n->r[s].type && n2o[s] < 0)
					route_op(c, QSPN_OP_ROUTE_ADD, n,
						 slot_cidr(T, a, s), &unr);
			for (int s = 0; s < T->n_slots; s++) {
				struct kroute was = unr;

				if (!n->r[s].type)
					continue;
				if (n2o[s] >= 0)
					was = o->r[n2o[s]];
				if (!route_eq(&was, &n->r[s]))
					route_op(c, QSPN_OP_ROUTE_CHANGE, n,
						 slot_cidr(T, a, s), &n->r[s]);
			}
		}
	out:
		free(ov);
		free(nv);
		free(o2n);
		free(n2o);
	}
}

/* default namespace first, ntk first, then ascending table id */
static int cmp_tables(const void *a, const void *b)
{
	const struct ktable *x = *(const struct ktable *const *)a;
	const struct ktable *y = *(const struct ktable *const *)b;
	int r;

	r = strcmp(x->ns, y->ns);
	if (r)
		return r;
	if (x->is_ntk != y->is_ntk)
		return x->is_ntk ? -1 : 1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

static void tables_pass(struct dctx *c)
{
	const struct qspn_kstate *F = c->from, *T = c->to;
	const struct ktable **v;
	struct qspn_op o;

	/* tables that go away from a namespace that stays */
	for (size_t i = 0; i < F->n_tables; i++) {
		const struct ktable *t = &F->tables[i];

		if (find_table(T, t) || !ns_exists(T, t->ns))
			continue;
		if (t->rule) {
			table_op(&o, QSPN_OP_RULE_DEL, t);
			emit(c, &o);
		}
		table_op(&o, QSPN_OP_ROUTE_FLUSH, t);
		emit(c, &o);
		if (!t->is_ntk) {
			table_op(&o, QSPN_OP_MARK_DEL, t);
			emit(c, &o);
		}
	}
	if (!T->n_tables)
		return;
	v = malloc(T->n_tables * sizeof(*v));
	if (!v) {
		c->err = -2;
		return;
	}
	for (size_t i = 0; i < T->n_tables; i++)
		v[i] = &T->tables[i];
	qsort(v, T->n_tables, sizeof(*v), cmp_tables);
	for (size_t i = 0; i < T->n_tables; i++) {
		const struct ktable *n = v[i];
		const struct ktable *old = find_table(F, n);

		if (!old) {
			if (!n->is_ntk) {
				ensure_rtt(c, n->tid, n->name);
				table_op(&o, QSPN_OP_MARK_ADD, n);
				emit(c, &o);
			}
		} else if (old->rule && !n->rule) {
			table_op(&o, QSPN_OP_RULE_DEL, n);
			emit(c, &o);
		}
		routes_diff(c, old, n);
		if (n->rule && !(old && old->rule)) {
			table_op(&o, QSPN_OP_RULE_ADD, n);
			emit(c, &o);
		}
	}
	free(v);
}

int qspn_plan_diff(const struct qspn_kstate *from, const struct qspn_kstate *to,
		   struct qspn_ops *ops)
{
	struct dctx c = {from, to, ops, NULL, NULL, NULL, 0};

	c.rtt_deleted = calloc(from->n_rtt + 1, sizeof(bool));
	c.rtt_added = calloc(to->n_rtt + 1, sizeof(bool));
	c.item_deleted = calloc(from->n_items + 1, sizeof(bool));
	if (!c.rtt_deleted || !c.rtt_added || !c.item_deleted) {
		c.err = -2;
		goto out;
	}
	items_pass(&c, false, DEL_BEFORE);
	items_pass(&c, true, ADD_START);
	items_pass(&c, true, ADD_NETNS);
	items_pass(&c, true, ADD_LLROUTE);
	items_pass(&c, true, ADD_OWNADDR);
	tables_pass(&c);
	items_pass(&c, true, ADD_HOSTS);
	items_pass(&c, false, DEL_OWNADDR);
	items_pass(&c, false, DEL_LINKS);
	items_pass(&c, false, DEL_NETNS);
	items_pass(&c, false, DEL_LAST);
	for (size_t x = 0; x < from->n_rtt; x++) {
		bool keep = false;

		for (size_t y = 0; y < to->n_rtt; y++)
			keep |= to->rtt[y].tid == from->rtt[x].tid &&
				!strcmp(to->rtt[y].name, from->rtt[x].name);
		if (!keep && !c.rtt_deleted[x])
			rtt_line(&c, QSPN_OP_RTTABLE_DEL, from->rtt[x].tid,
				 from->rtt[x].name);
	}
out:
	free(c.rtt_deleted);
	free(c.rtt_added);
	free(c.item_deleted);
	return c.err;
}

/* ---- incremental --------------------------------------------------- */

int qspn_plan_update_dest(struct qspn_kstate *ks,
			  const struct qspn_plan_system *sys, size_t identity,
			  struct qspn_hcoord h, struct qspn_ops *ops)
{
	struct kident *id;
	struct kroute *saved;
	struct dctx c = {ks, ks, ops, NULL, NULL, NULL, 0};
	int w, base;

	if (identity >= ks->n_ids || identity >= sys->n_ids)
		return -1;
	if (h.lvl < ks->subnet_level || h.lvl < 0 || h.lvl >= ks->topo.levels ||
	    h.pos >= ks->topo.gsize[h.lvl])
		return 0; /* not a routable destination (§1.7, §4.2) */
	id = &ks->ids[identity];
	if (!id->n_tables)
		return 0;
	w = width(ks, h.lvl);
	base = slot_of(ks, h, 0);
	saved = malloc(id->n_tables * (size_t)w * sizeof(*saved));
	if (!saved)
		return -2;
	for (size_t ti = 0; ti < id->n_tables; ti++)
		memcpy(&saved[ti * (size_t)w],
		       &ks->tables[id->tables[ti]].r[base],
		       (size_t)w * sizeof(*saved));
	compute_dest(ks, &sys->ids[identity], (int)identity, h);
	for (size_t ti = 0; ti < id->n_tables; ti++) {
		const struct ktable *t = &ks->tables[id->tables[ti]];

		for (int s = 0; s < w; s++)
			if (!route_eq(&saved[ti * (size_t)w + (size_t)s],
				      &t->r[base + s]))
				route_op(&c, QSPN_OP_ROUTE_CHANGE, t,
					 slot_cidr(ks, &id->addr, base + s),
					 &t->r[base + s]);
	}
	free(saved);
	return c.err;
}
