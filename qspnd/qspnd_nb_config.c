// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qspnd_nb_config.c: configuration callbacks of frr-qspnd.yang.
 *
 * Validation happens before anything changes: the router container's
 * pre_validate checks the candidate as a whole (topology, address and
 * subnet-level together) with the same pure validators that libqspn's unit
 * tests cover (qspn_topology_parse, qspn_naddr_parse).  The apply callbacks
 * then only copy values that are known to be good.
 */
#include <zebra.h>

#include "lib/if.h"
#include "lib/log.h"
#include "lib/northbound.h"
#include "lib/routing_nb.h"
#include "lib/vrf.h"
#include "lib/yang.h"

#include "qspnd.h"
#include "qspnd_auth.h"
#include "qspnd_debug.h"
#include "qspnd_nb.h"
#include "qspnd_neigh.h"
#include "qspnd_router.h"
#include "qspn_plan.h"

/*
 * XPath: /frr-routing:routing/control-plane-protocols/control-plane-protocol
 */
static bool is_qspnd_entry(const struct lyd_node *dnode)
{
	return strmatch(yang_dnode_get_string(dnode, "./type"),
			"frr-qspnd:qspnd");
}

int qspnd_cpp_create(struct nb_cb_create_args *args)
{
	int ret;

	ret = routing_control_plane_protocols_control_plane_protocol_create(
		args);
	if (ret != NB_OK || !is_qspnd_entry(args->dnode))
		return ret;

	switch (args->event) {
	case NB_EV_VALIDATE:
		if (!strmatch(yang_dnode_get_string(args->dnode, "./name"),
			      "qspnd")) {
			snprintf(
				args->errmsg, args->errmsg_len,
				"qspnd runs a single instance, named \"qspnd\"");
			return NB_ERR_VALIDATION;
		}
		if (!strmatch(yang_dnode_get_string(args->dnode, "./vrf"),
			      VRF_DEFAULT_NAME)) {
			snprintf(args->errmsg, args->errmsg_len,
				 "qspnd runs in the default VRF only");
			return NB_ERR_VALIDATION;
		}
		break;
	case NB_EV_PREPARE:
	case NB_EV_ABORT:
		break;
	case NB_EV_APPLY:
		nb_running_set_entry(args->dnode, qspnd_router_create());
		break;
	}
	return NB_OK;
}

int qspnd_cpp_destroy(struct nb_cb_destroy_args *args)
{
	int ret;

	ret = routing_control_plane_protocols_control_plane_protocol_destroy(
		args);
	if (ret != NB_OK || args->event != NB_EV_APPLY ||
	    !is_qspnd_entry(args->dnode))
		return ret;
	nb_running_unset_entry(args->dnode);
	qspnd_router_destroy();
	return NB_OK;
}

/*
 * XPath: …/frr-qspnd:qspnd
 */
static int router_check(struct nb_cb_pre_validate_args *args);

/* The reason of a refusal goes to the log as well: a configuration file read
 * at start-up has no terminal to show it on. */
/* every subnet-host against the candidate's topology and subnet-level
 * (routes.md §4.8): a position of the subnet, not ours */
static int subnet_hosts_validate(const struct lyd_node *rtr,
				 const struct qspn_topology *topo, char *errmsg,
				 size_t errlen)
{
	const struct lyd_node *h;
	uint8_t sl = yang_dnode_get_uint8(rtr, "./subnet-level");
	struct qspn_naddr addr;
	bool has_addr = false;

	if (topo && yang_dnode_exists(rtr, "./address"))
		has_addr = qspn_naddr_parse(
				   &addr, topo,
				   yang_dnode_get_string(rtr, "./address"),
				   false, NULL, 0) == 0;
	LY_LIST_FOR (lyd_child(rtr), h) {
		uint32_t pos[QSPN_MAX_LEVELS];
		char err[QSPN_ERRBUF_SIZE];
		const char *ll;

		if (strcmp(h->schema->name, "subnet-host"))
			continue;
		ll = yang_dnode_get_string(h, "./link-local");
		if (!topo || sl == 0) {
			snprintf(
				errmsg, errlen,
				"subnet-host %s: only a gateway of an autonomous subnet (a topology and subnet-level > 0) has hosts",
				ll);
			return -1;
		}
		if (qspn_plan_subnet_pos_parse(
			    topo, sl, yang_dnode_get_string(h, "./position"),
			    pos, err, sizeof(err)) < 0) {
			snprintf(errmsg, errlen, "subnet-host %s: %s", ll, err);
			return -1;
		}
		if (has_addr &&
		    !memcmp(pos, addr.pos, (size_t)sl * sizeof(pos[0]))) {
			snprintf(
				errmsg, errlen,
				"subnet-host %s: position %s is this node's own",
				ll, yang_dnode_get_string(h, "./position"));
			return -1;
		}
	}
	return 0;
}

int qspnd_router_pre_validate(struct nb_cb_pre_validate_args *args)
{
	int ret = router_check(args);

	if (ret != NB_OK)
		zlog_warn("router qspn: configuration refused: %s",
			  args->errmsg);
	return ret;
}

static int router_check(struct nb_cb_pre_validate_args *args)
{
	struct qspn_topology topo;
	struct qspn_naddr addr;
	char err[QSPN_ERRBUF_SIZE];
	const char *text;
	bool has_topo = false;

	if (yang_dnode_exists(args->dnode, "./topology")) {
		text = yang_dnode_get_string(args->dnode, "./topology");
		if (qspn_topology_parse(&topo, text, err, sizeof(err)) < 0) {
			snprintf(args->errmsg, args->errmsg_len,
				 "invalid topology: %s", err);
			return NB_ERR_VALIDATION;
		}
		has_topo = true;
	}
	if (yang_dnode_exists(args->dnode, "./address")) {
		text = yang_dnode_get_string(args->dnode, "./address");
		if (!has_topo) {
			snprintf(
				args->errmsg, args->errmsg_len,
				"address %s needs a topology: configure `topology` first",
				text);
			return NB_ERR_VALIDATION;
		}
		if (qspn_naddr_parse(&addr, &topo, text, false, err,
				     sizeof(err)) < 0) {
			snprintf(args->errmsg, args->errmsg_len,
				 "invalid address for topology %s: %s",
				 yang_dnode_get_string(args->dnode,
						       "./topology"),
				 err);
			return NB_ERR_VALIDATION;
		}
	}
	if (has_topo) {
		uint8_t sl =
			yang_dnode_get_uint8(args->dnode, "./subnet-level");

		if (sl >= topo.levels) {
			snprintf(
				args->errmsg, args->errmsg_len,
				"subnet-level %u must be below the number of levels (%d)",
				sl, topo.levels);
			return NB_ERR_VALIDATION;
		}
	}
	if (subnet_hosts_validate(args->dnode, has_topo ? &topo : NULL,
				  args->errmsg, args->errmsg_len) < 0)
		return NB_ERR_VALIDATION;
	return NB_OK;
}

void qspnd_router_apply_finish(struct nb_cb_apply_finish_args *args)
{
	struct qspnd_router *r = nb_running_get_entry(args->dnode, NULL, true);

	qspnd_router_update(r);
}

static struct qspnd_router *router_of(const struct lyd_node *dnode)
{
	return nb_running_get_entry(dnode, NULL, true);
}

int qspnd_topology_modify(struct nb_cb_modify_args *args)
{
	struct qspnd_router *r;
	char err[QSPN_ERRBUF_SIZE];

	if (args->event != NB_EV_APPLY)
		return NB_OK;
	r = router_of(args->dnode);
	/* pre_validate has checked it */
	if (qspn_topology_parse(&r->cfg.topo,
				yang_dnode_get_string(args->dnode, NULL), err,
				sizeof(err)) < 0) {
		zlog_err("%s: validated topology rejected: %s", __func__, err);
		return NB_ERR_INCONSISTENCY;
	}
	r->cfg.has_topology = true;
	return NB_OK;
}

int qspnd_topology_destroy(struct nb_cb_destroy_args *args)
{
	if (args->event != NB_EV_APPLY)
		return NB_OK;
	router_of(args->dnode)->cfg.has_topology = false;
	return NB_OK;
}

int qspnd_address_modify(struct nb_cb_modify_args *args)
{
	struct qspnd_router *r;
	struct qspn_topology topo;
	char err[QSPN_ERRBUF_SIZE];

	if (args->event != NB_EV_APPLY)
		return NB_OK;
	r = router_of(args->dnode);
	/* The topology may change in the same transaction: read it from the
	 * tree, not from r->cfg. */
	if (qspn_topology_parse(
		    &topo, yang_dnode_get_string(args->dnode, "../topology"),
		    err, sizeof(err)) < 0 ||
	    qspn_naddr_parse(&r->cfg.addr, &topo,
			     yang_dnode_get_string(args->dnode, NULL), false,
			     err, sizeof(err)) < 0) {
		zlog_err("%s: validated address rejected: %s", __func__, err);
		return NB_ERR_INCONSISTENCY;
	}
	r->cfg.has_address = true;
	return NB_OK;
}

int qspnd_address_destroy(struct nb_cb_destroy_args *args)
{
	if (args->event != NB_EV_APPLY)
		return NB_OK;
	router_of(args->dnode)->cfg.has_address = false;
	return NB_OK;
}

int qspnd_max_paths_modify(struct nb_cb_modify_args *args)
{
	if (args->event == NB_EV_APPLY)
		router_of(args->dnode)->cfg.max_paths =
			yang_dnode_get_uint8(args->dnode, NULL);
	return NB_OK;
}

int qspnd_mch_ratio_modify(struct nb_cb_modify_args *args)
{
	if (args->event == NB_EV_APPLY)
		router_of(args->dnode)->cfg.max_common_hops_ratio =
			yang_dnode_get_dec64(args->dnode, NULL);
	return NB_OK;
}

int qspnd_accept_anonymous_modify(struct nb_cb_modify_args *args)
{
	if (args->event == NB_EV_APPLY)
		router_of(args->dnode)->cfg.accept_anonymous =
			yang_dnode_get_bool(args->dnode, NULL);
	return NB_OK;
}

int qspnd_anonymize_modify(struct nb_cb_modify_args *args)
{
	if (args->event == NB_EV_APPLY)
		router_of(args->dnode)->cfg.anonymize =
			yang_dnode_get_bool(args->dnode, NULL);
	return NB_OK;
}

int qspnd_network_id_modify(struct nb_cb_modify_args *args)
{
	if (args->event == NB_EV_APPLY)
		router_of(args->dnode)->cfg.network_id =
			yang_dnode_get_uint32(args->dnode, NULL);
	return NB_OK;
}

int qspnd_subnet_level_modify(struct nb_cb_modify_args *args)
{
	if (args->event == NB_EV_APPLY)
		router_of(args->dnode)->cfg.subnet_level =
			yang_dnode_get_uint8(args->dnode, NULL);
	return NB_OK;
}

/*
 * XPath: .../frr-qspnd:qspnd/subnet-host
 */
static struct qspnd_subnet_host *subnet_host_of(const struct lyd_node *dnode)
{
	struct qspnd_router *r = router_of(dnode);
	struct ipaddr ip;

	yang_dnode_get_ip(&ip, dnode, "../link-local");
	for (size_t i = 0; i < r->cfg.n_subnet_hosts; i++)
		if (r->cfg.subnet_hosts[i].linklocal ==
		    ntohl(ip.ipaddr_v4.s_addr))
			return &r->cfg.subnet_hosts[i];
	return NULL;
}

int qspnd_subnet_host_create(struct nb_cb_create_args *args)
{
	struct qspnd_router *r;
	struct qspnd_subnet_host *h;
	struct ipaddr ip;

	if (args->event != NB_EV_APPLY)
		return NB_OK;
	r = router_of(args->dnode);
	/* max-elements in the YANG model */
	if (r->cfg.n_subnet_hosts >= QSPND_MAX_SUBNET_HOSTS)
		return NB_ERR_INCONSISTENCY;
	yang_dnode_get_ip(&ip, args->dnode, "./link-local");
	h = &r->cfg.subnet_hosts[r->cfg.n_subnet_hosts++];
	memset(h, 0, sizeof(*h));
	h->linklocal = ntohl(ip.ipaddr_v4.s_addr);
	return NB_OK;
}

int qspnd_subnet_host_destroy(struct nb_cb_destroy_args *args)
{
	struct qspnd_router *r;
	struct qspnd_subnet_host *h;
	struct ipaddr ip;

	if (args->event != NB_EV_APPLY)
		return NB_OK;
	r = router_of(args->dnode);
	yang_dnode_get_ip(&ip, args->dnode, "./link-local");
	for (size_t i = 0; i < r->cfg.n_subnet_hosts; i++) {
		h = &r->cfg.subnet_hosts[i];
		if (h->linklocal != ntohl(ip.ipaddr_v4.s_addr))
			continue;
		memmove(h, h + 1, (r->cfg.n_subnet_hosts - i - 1) * sizeof(*h));
		r->cfg.n_subnet_hosts--;
		break;
	}
	return NB_OK;
}

int qspnd_subnet_host_interface_modify(struct nb_cb_modify_args *args)
{
	struct qspnd_subnet_host *h;

	if (args->event != NB_EV_APPLY)
		return NB_OK;
	h = subnet_host_of(args->dnode);
	if (h)
		strlcpy(h->ifname, yang_dnode_get_string(args->dnode, NULL),
			sizeof(h->ifname));
	return NB_OK;
}

int qspnd_subnet_host_position_modify(struct nb_cb_modify_args *args)
{
	struct qspnd_subnet_host *h;

	if (args->event != NB_EV_APPLY)
		return NB_OK;
	h = subnet_host_of(args->dnode);
	if (h)
		strlcpy(h->position, yang_dnode_get_string(args->dnode, NULL),
			sizeof(h->position));
	return NB_OK;
}

/*
 * XPath: /frr-interface:lib/interface/frr-qspnd:qspn
 */
int qspnd_if_enable_modify(struct nb_cb_modify_args *args)
{
	struct interface *ifp;
	struct qspnd_if *qif;

	if (args->event != NB_EV_APPLY)
		return NB_OK;
	ifp = nb_running_get_entry(args->dnode, NULL, true);
	qif = qspnd_if_get(ifp);
	qif->enabled = yang_dnode_get_bool(args->dnode, NULL);
	QSPND_DEBUG(nb, "interface %s: qspn %s", ifp->name,
		    qif->enabled ? "enabled" : "disabled");
	qspnd_neigh_if_update(ifp);
	return NB_OK;
}

int qspnd_if_cost_modify(struct nb_cb_modify_args *args)
{
	struct interface *ifp;
	struct qspnd_if *qif;

	if (args->event != NB_EV_APPLY)
		return NB_OK;
	ifp = nb_running_get_entry(args->dnode, NULL, true);
	qif = qspnd_if_get(ifp);
	qif->has_cost = true;
	qif->cost_usec = yang_dnode_get_uint32(args->dnode, NULL);
	qspnd_neigh_if_params(ifp);
	return NB_OK;
}

int qspnd_if_cost_destroy(struct nb_cb_destroy_args *args)
{
	struct interface *ifp;
	struct qspnd_if *qif;

	if (args->event != NB_EV_APPLY)
		return NB_OK;
	ifp = nb_running_get_entry(args->dnode, NULL, true);
	qif = qspnd_if_get(ifp);
	qif->has_cost = false;
	qif->cost_usec = 0;
	qspnd_neigh_if_params(ifp);
	return NB_OK;
}

/*
 * XPath: /frr-interface:lib/interface/frr-qspnd:qspn/hello-interval
 */
int qspnd_if_hello_interval_modify(struct nb_cb_modify_args *args)
{
	struct interface *ifp;

	if (args->event != NB_EV_APPLY)
		return NB_OK;
	ifp = nb_running_get_entry(args->dnode, NULL, true);
	qspnd_if_get(ifp)->hello_ms = yang_dnode_get_uint32(args->dnode, NULL);
	qspnd_neigh_if_params(ifp);
	return NB_OK;
}

int qspnd_if_hello_interval_destroy(struct nb_cb_destroy_args *args)
{
	struct interface *ifp;

	if (args->event != NB_EV_APPLY)
		return NB_OK;
	ifp = nb_running_get_entry(args->dnode, NULL, true);
	qspnd_if_get(ifp)->hello_ms = 0;
	qspnd_neigh_if_params(ifp);
	return NB_OK;
}

/*
 * XPath: /frr-interface:lib/interface/frr-qspnd:qspn/authentication
 * (qspnd_auth.c reads them on every hello and frame)
 */
int qspnd_if_auth_keychain_modify(struct nb_cb_modify_args *args)
{
	struct qspnd_if *qif;

	if (args->event != NB_EV_APPLY)
		return NB_OK;
	qif = qspnd_if_get(nb_running_get_entry(args->dnode, NULL, true));
	strlcpy(qif->auth_keychain, yang_dnode_get_string(args->dnode, NULL),
		sizeof(qif->auth_keychain));
	return NB_OK;
}

int qspnd_if_auth_keychain_destroy(struct nb_cb_destroy_args *args)
{
	struct qspnd_if *qif;

	if (args->event != NB_EV_APPLY)
		return NB_OK;
	qif = qspnd_if_get(nb_running_get_entry(args->dnode, NULL, true));
	qif->auth_keychain[0] = '\0';
	return NB_OK;
}

int qspnd_if_auth_mode_modify(struct nb_cb_modify_args *args)
{
	struct qspnd_if *qif;

	if (args->event != NB_EV_APPLY)
		return NB_OK;
	qif = qspnd_if_get(nb_running_get_entry(args->dnode, NULL, true));
	qif->auth_mode = strcmp(yang_dnode_get_string(args->dnode, NULL),
				"permissive") == 0
				 ? QSPND_AUTH_PERMISSIVE
				 : QSPND_AUTH_STRICT;
	return NB_OK;
}
