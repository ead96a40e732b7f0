// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qspnd_sysview.c: the planner's input (struct qspn_plan_system,
 * lib/qspn_plan.h) in one place: the router's configuration, the managed
 * interfaces, the physical neighbours, and every identity with its
 * pseudo-interfaces, its identity-arcs and its engine's path view.  The
 * kernel orchestrator gets it through qspnd_sysview_input, registered at
 * init (qspnd_kernel_init): it never reaches up for it.  The arrays are
 * this file's and valid until the next fill.
 */
#include <zebra.h>

#include "lib/if.h"
#include "lib/memory.h"
#include "lib/vrf.h"

#include "qspn.h"

#include "qspnd.h"
#include "qspnd_kernel.h"
#include "qspnd_neigh.h"
#include "qspnd_sysview.h"

DEFINE_MTYPE_STATIC(QSPND, QSPND_SYSVIEW, "QSPN planner input");

/* the arrays of the last fill */
static struct {
	struct qspn_plan_neighbour *pn;
	struct qspn_plan_identity *pi;
	struct qspn_plan_arc *pa;
	struct qspn_plan_pseudodev *pd;
	struct qspn_plan_subnet_host *sh;
} view;

static size_t neigh_count(const struct qspnd_ident *id)
{
	size_t k = 0;

	for (struct qspnd_neigh *n = id->neighs; n; n = n->next)
		k++;
	return k;
}

/* The physical neighbours: the /32 routes of main (the main identity's
 * neighbours, whatever their network). */
static size_t plan_neighbours(const struct qspn_plan_neighbour **out)
{
	struct qspnd_ident *m = qspnd_neigh_ident_main();
	size_t k = 0;

	XFREE(MTYPE_QSPND_SYSVIEW, view.pn);
	view.pn = XCALLOC(MTYPE_QSPND_SYSVIEW,
			  ((m ? neigh_count(m) : 0) + 1) * sizeof(*view.pn));
	for (struct qspnd_neigh *n = m ? m->neighs : NULL; n; n = n->next) {
		if (!n->iarc)
			continue;
		strlcpy(view.pn[k].dev, n->ifname, sizeof(view.pn[k].dev));
		view.pn[k].linklocal = n->linklocal;
		k++;
	}
	*out = view.pn;
	return k;
}

/* The identity-arcs of an identity: its QSPN arcs; for a connectivity
 * identity also the other peers it hears (their /32 routes live in its
 * namespace, doc/protocol/routes.md §5.2). */
static size_t ident_plan_arcs(struct qspnd_ident *id, struct qspn_plan_arc *pa,
			      const struct qspn_plan_arc **out)
{
	size_t k = 0;

	for (struct qspnd_neigh *n = id->neighs; n; n = n->next) {
		struct qspn_plan_arc *a = &pa[k];

		if (!n->arc_added && (id->main || !n->iarc))
			continue;
		a->id = n->id;
		strlcpy(a->dev, n->ifname, sizeof(a->dev));
		memcpy(a->peer_mac, n->mac, 6);
		a->peer_linklocal = n->linklocal;
		a->qspn = n->arc_added;
		a->table_id = n->arc_added ? n->table_id : 0;
		a->peer_known = n->arc_added && id->inst &&
				qspn_get_naddr_for_arc(id->inst, n->id,
						       &a->peer_addr) == 0;
		k++;
	}
	*out = pa;
	return k;
}

static int no_paths(void *ctx, struct qspn_hcoord dest,
		    struct qspn_dest_paths *out)
{
	out->dest = dest;
	out->n_paths = 0;
	out->paths = NULL;
	return 0;
}

static struct qspn_path_source ident_paths(struct qspnd_ident *id)
{
	struct qspn_path_source none = {.get_paths = no_paths, .ctx = NULL};

	return id && id->inst ? qspn_path_source_of(id->inst) : none;
}

static size_t plan_identities(const struct qspn_plan_identity **out)
{
	size_t n = 0, k = 0, n_pa = 0, n_pd = 0;
	struct qspn_plan_arc *pa;
	struct qspn_plan_pseudodev *pd;

	for (struct qspnd_ident *id = qspnd_neigh_ident_first(); id;
	     id = id->next) {
		n++;
		n_pa += neigh_count(id) + 1;
		n_pd += id->n_ports + 1;
	}
	XFREE(MTYPE_QSPND_SYSVIEW, view.pi);
	XFREE(MTYPE_QSPND_SYSVIEW, view.pa);
	XFREE(MTYPE_QSPND_SYSVIEW, view.pd);
	view.pi = XCALLOC(MTYPE_QSPND_SYSVIEW, (n + 1) * sizeof(*view.pi));
	view.pa = XCALLOC(MTYPE_QSPND_SYSVIEW, (n_pa + 1) * sizeof(*view.pa));
	view.pd = XCALLOC(MTYPE_QSPND_SYSVIEW, (n_pd + 1) * sizeof(*view.pd));
	pa = view.pa;
	pd = view.pd;
	for (struct qspnd_ident *id = qspnd_neigh_ident_first(); id;
	     id = id->next) {
		struct qspn_plan_identity *pi = &view.pi[k++];

		pi->addr = id->addr;
		/* who it is: a new identity in a namespace replaces the old
		 * one's routes (doc/protocol/routes.md §5.4) */
		pi->id = id->identity_id;
		pi->guest_level = id->guest_level;
		strlcpy(pi->netns, id->netns, sizeof(pi->netns));
		if (!id->main) {
			for (size_t i = 0; i < id->n_ports; i++) {
				const struct qspnd_port *p = id->ports[i];

				strlcpy(pd[i].dev, p->nic, sizeof(pd[i].dev));
				strlcpy(pd[i].name, p->dev, sizeof(pd[i].name));
				memcpy(pd[i].mac, p->mac, 6);
				pd[i].linklocal = p->linklocal;
			}
			pi->pseudodevs = pd;
			pi->n_pseudodevs = id->n_ports;
		}
		pd += id->n_ports + 1;
		pi->n_arcs = ident_plan_arcs(id, pa, &pi->arcs);
		pa += neigh_count(id) + 1;
		pi->paths = ident_paths(id);
	}
	*out = view.pi;
	return k;
}

/* The configured hosts of our autonomous subnet (routes.md §4.8) that can
 * be routed now: on a managed NIC, with a position of the subnet that is
 * not the main identity's own. */
static size_t plan_subnet_hosts(const struct qspn_plan_system *sys,
				const struct qspn_plan_subnet_host **out)
{
	const struct qspnd_config *cfg = &qspnd.router->cfg;
	struct qspnd_ident *m = qspnd_neigh_ident_main();
	size_t k = 0;

	XFREE(MTYPE_QSPND_SYSVIEW, view.sh);
	view.sh = XCALLOC(MTYPE_QSPND_SYSVIEW,
			  (cfg->n_subnet_hosts + 1) * sizeof(*view.sh));
	for (size_t i = 0; i < cfg->n_subnet_hosts && sys->subnet_level > 0;
	     i++) {
		const struct qspnd_subnet_host *h = &cfg->subnet_hosts[i];
		struct qspn_plan_subnet_host *ph = &view.sh[k];
		bool managed = false;

		for (size_t d = 0; d < sys->n_nics; d++)
			managed |= !strcmp(sys->nics[d].dev, h->ifname);
		if (!managed ||
		    qspn_plan_subnet_pos_parse(&sys->topo, sys->subnet_level,
					       h->position, ph->pos, NULL,
					       0) < 0 ||
		    (m &&
		     !memcmp(ph->pos, m->addr.pos,
			     (size_t)sys->subnet_level * sizeof(ph->pos[0]))))
			continue;
		strlcpy(ph->dev, h->ifname, sizeof(ph->dev));
		ph->linklocal = h->linklocal;
		k++;
	}
	*out = view.sh;
	return k;
}

static void sysview_fill(struct qspn_plan_system *sys, bool *if_waiting)
{
	struct qspnd_router *r = qspnd.router;
	struct vrf *vrf = vrf_lookup_by_id(VRF_DEFAULT);
	struct interface *ifp;
	size_t n = 0, cap = 0;

	struct qspn_plan_nic *nics = NULL;

	sys->topo = r->cfg.topo;
	sys->started = true;
	/* SNAT of the anonymizing range: on, as qspnclient without -j
	 * (doc/protocol/routes.md §4.7); accept-anonymous is -k: own
	 * anonymizing address and the anonymous NETMAP into the subnet */
	sys->anonymizer = r->cfg.anonymize;
	sys->serve_anonymous = r->cfg.accept_anonymous;
	sys->subnet_level = r->cfg.subnet_level;
	if (vrf) {
		FOR_ALL_INTERFACES (vrf, ifp) {
			struct qspnd_if *qif = qspnd_if_get(ifp);
			struct qspn_plan_nic *nic;

			if (!qif || !qif->enabled)
				continue;
			if (ifp->ifindex == IFINDEX_INTERNAL ||
			    !if_is_up(ifp) || ifp->hw_addr_len != 6) {
				*if_waiting = true;
				continue;
			}
			if (n == cap) {
				cap = cap ? 2 * cap : 8;
				nics = XREALLOC(MTYPE_QSPND_SYSVIEW, nics,
						cap * sizeof(*nics));
			}
			nic = &nics[n++];
			memset(nic, 0, sizeof(*nic));
			snprintf(nic->dev, sizeof(nic->dev), "%s", ifp->name);
			memcpy(nic->mac, ifp->hw_addr, 6);
			nic->linklocal = qif->linklocal;
		}
	}
	sys->nics = nics;
	sys->n_nics = n;
	sys->n_subnet_hosts = plan_subnet_hosts(sys, &sys->subnet_hosts);
	sys->n_neighbours = plan_neighbours(&sys->neighbours);
	/* [0] the main identity (default namespace), then the connectivity
	 * identities, each in its namespace */
	sys->ids = NULL;
	sys->n_ids = plan_identities(&sys->ids);
}

static void sysview_release(struct qspn_plan_system *sys)
{
	void *nics = (void *)sys->nics;

	XFREE(MTYPE_QSPND_SYSVIEW, nics);
	sys->nics = NULL;
}

const struct qspnd_kernel_input qspnd_sysview_input = {
	.fill = sysview_fill,
	.release = sysview_release,
};

void qspnd_sysview_fini(void)
{
	XFREE(MTYPE_QSPND_SYSVIEW, view.pn);
	XFREE(MTYPE_QSPND_SYSVIEW, view.pi);
	XFREE(MTYPE_QSPND_SYSVIEW, view.pa);
	XFREE(MTYPE_QSPND_SYSVIEW, view.pd);
	XFREE(MTYPE_QSPND_SYSVIEW, view.sh);
}
