// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qspnd_vty.c: CLI of qspnd: `router qspn` and its commands (through the
 * northbound), `interface X` / `qspn`, running-config, `show qspn …`,
 * `debug qspn …`.
 */
#include <zebra.h>

#include "lib/command.h"
#include "lib/if.h"
#include "lib/json.h"
#include "lib/northbound_cli.h"
#include "lib/vrf.h"
#include "lib/vty.h"

#include "qspn.h"

#include "qspnd.h"
#include "qspnd_debug.h"
#include "qspnd_frr.h"
#include "qspnd_nb.h"
#include "qspnd_neigh.h"
#include "qspnd_router.h"
#include "qspnd_show.h"
#include "qspnd_vty.h"

#ifndef VTYSH_EXTRACT_PL
#include "qspnd/qspnd_vty_clippy.c"
#endif

#define QSPN_ROUTER_STR "QSPN (Netsukuku) routing protocol\n"

/*
 * `router qspn`
 */
DEFPY_YANG_NOSH(router_qspn, router_qspn_cmd, "router qspn",
		ROUTER_STR QSPN_ROUTER_STR)
{
	int ret;

	nb_cli_enqueue_change(vty, QSPND_CPP_XPATH, NB_OP_CREATE, NULL);
	ret = nb_cli_apply_changes(vty, NULL);
	if (ret == CMD_SUCCESS)
		VTY_PUSH_XPATH(QSPN_NODE, QSPND_XPATH);
	return ret;
}

DEFPY_YANG(no_router_qspn, no_router_qspn_cmd, "no router qspn",
	   NO_STR ROUTER_STR QSPN_ROUTER_STR)
{
	nb_cli_enqueue_change(vty, QSPND_CPP_XPATH, NB_OP_DESTROY, NULL);
	return nb_cli_apply_changes_clear_pending(vty, NULL);
}

void qspnd_cli_show_router(struct vty *vty, const struct lyd_node *dnode,
			   bool show_defaults)
{
	vty_out(vty, "router qspn\n");
}

void qspnd_cli_show_router_end(struct vty *vty, const struct lyd_node *dnode)
{
	vty_out(vty, "exit\n");
}

DEFPY_YANG(qspn_topology, qspn_topology_cmd, "topology WORD$topo",
	   "Hierarchical topology of the network\n"
	   "The gsize of each level, top level first (e.g. 4.16.256.256)\n")
{
	nb_cli_enqueue_change(vty, "./topology", NB_OP_MODIFY, topo);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(no_qspn_topology, no_qspn_topology_cmd, "no topology [WORD]",
	   NO_STR
	   "Hierarchical topology of the network\n"
	   "The gsize of each level, top level first\n")
{
	nb_cli_enqueue_change(vty, "./topology", NB_OP_DESTROY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

void qspnd_cli_show_topology(struct vty *vty, const struct lyd_node *dnode,
			     bool show_defaults)
{
	vty_out(vty, " topology %s\n", yang_dnode_get_string(dnode, NULL));
}

DEFPY_YANG(qspn_address, qspn_address_cmd, "address WORD$addr",
	   "This node's Netsukuku address\n"
	   "The position at each level, top level first (e.g. 3.0.1.0)\n")
{
	nb_cli_enqueue_change(vty, "./address", NB_OP_MODIFY, addr);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(no_qspn_address, no_qspn_address_cmd, "no address [WORD]",
	   NO_STR
	   "This node's Netsukuku address\n"
	   "The position at each level, top level first\n")
{
	nb_cli_enqueue_change(vty, "./address", NB_OP_DESTROY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

void qspnd_cli_show_address(struct vty *vty, const struct lyd_node *dnode,
			    bool show_defaults)
{
	vty_out(vty, " address %s\n", yang_dnode_get_string(dnode, NULL));
}

DEFPY_YANG(qspn_max_paths, qspn_max_paths_cmd, "max-paths (1-64)$n",
	   "Paths kept per destination beyond the required ones\n"
	   "Number of paths\n")
{
	nb_cli_enqueue_change(vty, "./max-paths", NB_OP_MODIFY, n_str);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(no_qspn_max_paths, no_qspn_max_paths_cmd, "no max-paths [(1-64)]",
	   NO_STR
	   "Paths kept per destination beyond the required ones\n"
	   "Number of paths\n")
{
	nb_cli_enqueue_change(vty, "./max-paths", NB_OP_DESTROY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

void qspnd_cli_show_max_paths(struct vty *vty, const struct lyd_node *dnode,
			      bool show_defaults)
{
	vty_out(vty, " max-paths %s\n", yang_dnode_get_string(dnode, NULL));
}

DEFPY_YANG(qspn_mch_ratio, qspn_mch_ratio_cmd,
	   "max-common-hops-ratio RATIO$ratio",
	   "Largest share of common hops between two kept paths\n"
	   "A ratio between 0.00 and 1.00\n")
{
	nb_cli_enqueue_change(vty, "./max-common-hops-ratio", NB_OP_MODIFY,
			      ratio);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(no_qspn_mch_ratio, no_qspn_mch_ratio_cmd,
	   "no max-common-hops-ratio [RATIO]",
	   NO_STR
	   "Largest share of common hops between two kept paths\n"
	   "A ratio between 0.00 and 1.00\n")
{
	nb_cli_enqueue_change(vty, "./max-common-hops-ratio", NB_OP_DESTROY,
			      NULL);
	return nb_cli_apply_changes(vty, NULL);
}

void qspnd_cli_show_mch_ratio(struct vty *vty, const struct lyd_node *dnode,
			      bool show_defaults)
{
	vty_out(vty, " max-common-hops-ratio %s\n",
		yang_dnode_get_string(dnode, NULL));
}

DEFPY_YANG(qspn_accept_anonymous, qspn_accept_anonymous_cmd,
	   "[no] accept-anonymous",
	   NO_STR
	   "Accept anonymous requests (own anonymizing address)\n")
{
	nb_cli_enqueue_change(vty, "./accept-anonymous", NB_OP_MODIFY,
			      no ? "false" : "true");
	return nb_cli_apply_changes(vty, NULL);
}

void qspnd_cli_show_accept_anonymous(struct vty *vty,
				     const struct lyd_node *dnode,
				     bool show_defaults)
{
	if (!yang_dnode_get_bool(dnode, NULL))
		vty_out(vty, " no");
	vty_out(vty, " accept-anonymous\n");
}

DEFPY_YANG(qspn_anonymize, qspn_anonymize_cmd, "[no] anonymize",
	   NO_STR
	   "Relay anonymously: source NAT towards the anonymizing range\n")
{
	nb_cli_enqueue_change(vty, "./anonymize", NB_OP_MODIFY,
			      no ? "false" : "true");
	return nb_cli_apply_changes(vty, NULL);
}

void qspnd_cli_show_anonymize(struct vty *vty, const struct lyd_node *dnode,
			      bool show_defaults)
{
	if (!yang_dnode_get_bool(dnode, NULL))
		vty_out(vty, " no");
	vty_out(vty, " anonymize\n");
}

DEFPY_YANG(qspn_network_id, qspn_network_id_cmd,
	   "network-id (1-4294967295)$id",
	   "The network this node starts in\n"
	   "Network id (neighbours form arcs on their own within one network)\n")
{
	nb_cli_enqueue_change(vty, "./network-id", NB_OP_MODIFY, id_str);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(no_qspn_network_id, no_qspn_network_id_cmd,
	   "no network-id [(1-4294967295)]",
	   NO_STR
	   "The network this node starts in\n"
	   "Network id\n")
{
	nb_cli_enqueue_change(vty, "./network-id", NB_OP_DESTROY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

void qspnd_cli_show_network_id(struct vty *vty, const struct lyd_node *dnode,
			       bool show_defaults)
{
	vty_out(vty, " network-id %s\n", yang_dnode_get_string(dnode, NULL));
}

DEFPY_YANG(qspn_subnet_level, qspn_subnet_level_cmd, "subnet-level (0-21)$lvl",
	   "Level of a g-node reserved for an autonomous subnet\n"
	   "Level (0: no subnet)\n")
{
	nb_cli_enqueue_change(vty, "./subnet-level", NB_OP_MODIFY, lvl_str);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(no_qspn_subnet_level, no_qspn_subnet_level_cmd,
	   "no subnet-level [(0-21)]",
	   NO_STR
	   "Level of a g-node reserved for an autonomous subnet\n"
	   "Level (0: no subnet)\n")
{
	nb_cli_enqueue_change(vty, "./subnet-level", NB_OP_DESTROY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

void qspnd_cli_show_subnet_level(struct vty *vty, const struct lyd_node *dnode,
				 bool show_defaults)
{
	vty_out(vty, " subnet-level %s\n", yang_dnode_get_string(dnode, NULL));
}

/*
 * `subnet-host A.B.C.D interface IFNAME position POS`: a host of the
 * autonomous subnet behind this gateway (doc/protocol/routes.md §4.8)
 */
DEFPY_YANG(qspn_subnet_host, qspn_subnet_host_cmd,
	   "subnet-host A.B.C.D$ll interface IFNAME$ifname position WORD$pos",
	   "A host of the autonomous subnet behind this gateway\n"
	   "The host's link-local address\n"
	   "Interface the host is reached on\n"
	   "Interface name\n"
	   "The host's positions inside the subnet\n"
	   "Positions of levels subnet-level - 1 .. 0, top first (e.g. 1)\n")
{
	char xpath[XPATH_MAXLEN];

	snprintf(xpath, sizeof(xpath), "./subnet-host[link-local='%s']",
		 ll_str);
	nb_cli_enqueue_change(vty, xpath, NB_OP_CREATE, NULL);
	snprintf(xpath, sizeof(xpath),
		 "./subnet-host[link-local='%s']/interface", ll_str);
	nb_cli_enqueue_change(vty, xpath, NB_OP_MODIFY, ifname);
	snprintf(xpath, sizeof(xpath),
		 "./subnet-host[link-local='%s']/position", ll_str);
	nb_cli_enqueue_change(vty, xpath, NB_OP_MODIFY, pos);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(no_qspn_subnet_host, no_qspn_subnet_host_cmd,
	   "no subnet-host A.B.C.D$ll [interface IFNAME position WORD]",
	   NO_STR
	   "A host of the autonomous subnet behind this gateway\n"
	   "The host's link-local address\n"
	   "Interface the host is reached on\n"
	   "Interface name\n"
	   "The host's positions inside the subnet\n"
	   "Positions of levels subnet-level - 1 .. 0, top first (e.g. 1)\n")
{
	char xpath[XPATH_MAXLEN];

	snprintf(xpath, sizeof(xpath), "./subnet-host[link-local='%s']",
		 ll_str);
	nb_cli_enqueue_change(vty, xpath, NB_OP_DESTROY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

void qspnd_cli_show_subnet_host(struct vty *vty, const struct lyd_node *dnode,
				bool show_defaults)
{
	vty_out(vty, " subnet-host %s interface %s position %s\n",
		yang_dnode_get_string(dnode, "./link-local"),
		yang_dnode_get_string(dnode, "./interface"),
		yang_dnode_get_string(dnode, "./position"));
}

/*
 * `interface IFNAME` / `qspn`
 */
DEFPY_YANG(qspn_if_enable, qspn_if_enable_cmd, "[no] qspn",
	   NO_STR "Run QSPN on this interface\n")
{
	nb_cli_enqueue_change(vty, "./frr-qspnd:qspn/enable", NB_OP_MODIFY,
			      no ? "false" : "true");
	return nb_cli_apply_changes(vty, NULL);
}

void qspnd_cli_show_if_enable(struct vty *vty, const struct lyd_node *dnode,
			      bool show_defaults)
{
	if (!yang_dnode_get_bool(dnode, NULL))
		vty_out(vty, " no");
	vty_out(vty, " qspn\n");
}

DEFPY_YANG(qspn_if_cost, qspn_if_cost_cmd, "qspn cost (1-4294967295)$cost",
	   "QSPN interface parameters\n"
	   "Fixed link cost instead of the measured round-trip time\n"
	   "Cost in microseconds\n")
{
	nb_cli_enqueue_change(vty, "./frr-qspnd:qspn/cost", NB_OP_MODIFY,
			      cost_str);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(no_qspn_if_cost, no_qspn_if_cost_cmd,
	   "no qspn cost [(1-4294967295)]",
	   NO_STR
	   "QSPN interface parameters\n"
	   "Fixed link cost instead of the measured round-trip time\n"
	   "Cost in microseconds\n")
{
	nb_cli_enqueue_change(vty, "./frr-qspnd:qspn/cost", NB_OP_DESTROY,
			      NULL);
	return nb_cli_apply_changes(vty, NULL);
}

void qspnd_cli_show_if_cost(struct vty *vty, const struct lyd_node *dnode,
			    bool show_defaults)
{
	vty_out(vty, " qspn cost %s\n", yang_dnode_get_string(dnode, NULL));
}

DEFPY_YANG(qspn_if_hello_interval, qspn_if_hello_interval_cmd,
	   "qspn hello-interval (100-60000)$ms",
	   "QSPN interface parameters\n"
	   "Interval between hellos (a neighbour is dead after 1.8 of them)\n"
	   "Milliseconds\n")
{
	nb_cli_enqueue_change(vty, "./frr-qspnd:qspn/hello-interval",
			      NB_OP_MODIFY, ms_str);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(no_qspn_if_hello_interval, no_qspn_if_hello_interval_cmd,
	   "no qspn hello-interval [(100-60000)]",
	   NO_STR
	   "QSPN interface parameters\n"
	   "Interval between hellos (a neighbour is dead after 1.8 of them)\n"
	   "Milliseconds\n")
{
	nb_cli_enqueue_change(vty, "./frr-qspnd:qspn/hello-interval",
			      NB_OP_DESTROY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

void qspnd_cli_show_if_hello_interval(struct vty *vty,
				      const struct lyd_node *dnode,
				      bool show_defaults)
{
	vty_out(vty, " qspn hello-interval %s\n",
		yang_dnode_get_string(dnode, NULL));
}

DEFPY_YANG(qspn_if_auth_keychain, qspn_if_auth_keychain_cmd,
	   "[no] qspn authentication key-chain ![WORD$name]",
	   NO_STR
	   "QSPN interface parameters\n"
	   "Authentication of hellos and ETP sessions\n"
	   "The key chain of the keys\n"
	   "Key chain name\n")
{
	if (no)
		nb_cli_enqueue_change(vty,
				      "./frr-qspnd:qspn/authentication/key-chain",
				      NB_OP_DESTROY, NULL);
	else if (name)
		nb_cli_enqueue_change(vty,
				      "./frr-qspnd:qspn/authentication/key-chain",
				      NB_OP_MODIFY, name);
	else
		return CMD_WARNING_CONFIG_FAILED;
	return nb_cli_apply_changes(vty, NULL);
}

void qspnd_cli_show_if_auth_keychain(struct vty *vty,
				     const struct lyd_node *dnode,
				     bool show_defaults)
{
	vty_out(vty, " qspn authentication key-chain %s\n",
		yang_dnode_get_string(dnode, NULL));
}

DEFPY_YANG(qspn_if_auth_mode, qspn_if_auth_mode_cmd,
	   "[no] qspn authentication mode ![<strict|permissive>$mode]",
	   NO_STR
	   "QSPN interface parameters\n"
	   "Authentication of hellos and ETP sessions\n"
	   "What is accepted\n"
	   "Only what verifies (the default)\n"
	   "Also unauthenticated hellos, counted (for a roll-out)\n")
{
	if (no)
		nb_cli_enqueue_change(vty, "./frr-qspnd:qspn/authentication/mode",
				      NB_OP_DESTROY, NULL);
	else if (mode)
		nb_cli_enqueue_change(vty, "./frr-qspnd:qspn/authentication/mode",
				      NB_OP_MODIFY, mode);
	else
		return CMD_WARNING_CONFIG_FAILED;
	return nb_cli_apply_changes(vty, NULL);
}

void qspnd_cli_show_if_auth_mode(struct vty *vty, const struct lyd_node *dnode,
				 bool show_defaults)
{
	if (!show_defaults && yang_dnode_is_default(dnode, NULL))
		return;
	vty_out(vty, " qspn authentication mode %s\n",
		yang_dnode_get_string(dnode, NULL));
}

/*
 * show qspn summary [json]
 */
/* "same-address" -> "sameAddress": FRR's JSON keys are camelCase. */
static void camel_case(const char *in, char *out, size_t len)
{
	size_t o = 0;
	bool up = false;

	for (; *in && o + 1 < len; in++) {
		if (*in == '-') {
			up = true;
			continue;
		}
		out[o++] = up ? (char)toupper((unsigned char)*in) : *in;
		up = false;
	}
	out[o] = '\0';
}

static void summary_counters(struct json_object *json)
{
	struct qspnd_neigh_counters c;
	const struct qspn_stats *st;
	struct json_object *jc = json_object_new_object();
	struct json_object *jd = json_object_new_object();
	bool bootstrap;

	qspnd_neigh_get_counters(&c, &bootstrap, &st);
	if (qspnd.router && qspnd.router->state == QSPND_ROUTER_ACTIVE)
		json_object_string_add(json, "bootstrap",
				       bootstrap ? "in progress" : "complete");
	json_object_int_add(jc, "hellosIn", c.hellos_in);
	json_object_int_add(jc, "hellosOut", c.hellos_out);
	json_object_int_add(jc, "neighboursNew", c.neighbours_new);
	json_object_int_add(jc, "neighboursDead", c.neighbours_dead);
	json_object_int_add(jc, "carrierLosses", c.carrier_losses);
	json_object_int_add(jc, "probes", c.probes);
	json_object_int_add(jc, "sessionsUp", c.sessions_up);
	json_object_int_add(jc, "sessionsLost", c.sessions_lost);
	json_object_int_add(jc, "framesIn", c.frames_in);
	json_object_int_add(jc, "framesOut", c.frames_out);
	if (st) {
		json_object_int_add(jc, "etpProcessed", st->etp_processed);
		json_object_int_add(jc, "mapUpdates", st->map_updates);
		json_object_int_add(jc, "msgsIn", st->rx_msgs);
		json_object_int_add(jc, "msgsOut", st->tx_msgs);
		for (int r = 0; r < QSPN_RX__MAX; r++) {
			char key[64];

			if (r == QSPN_RX_OK || r == QSPN_RX_QUEUED ||
			    r == QSPN_RX_IGNORED)
				continue;
			camel_case(qspn_rx_result_str(r), key, sizeof(key));
			json_object_int_add(jd, key, st->rx[r]);
		}
	}
	json_object_int_add(jd, "badHello", c.drop_hello);
	json_object_int_add(jd, "unknownSession", c.drop_unknown_session);
	json_object_int_add(jd, "frameSize", c.drop_frame_size);
	json_object_int_add(jd, "backlog", c.drop_backlog);
	json_object_int_add(jd, "sessionNoArc", c.drop_no_arc);
	json_object_object_add(jc, "drops", jd);
	json_object_object_add(json, "counters", jc);
}

static struct json_object *summary_json(void)
{
	struct qspnd_router *r = qspnd.router;
	struct json_object *json = json_object_new_object();
	struct json_object *jifs = json_object_new_object();
	struct vrf *vrf = vrf_lookup_by_id(VRF_DEFAULT);
	struct interface *ifp;
	int enabled = 0;
	char buf[128];

	json_object_boolean_add(json, "routerConfigured", r != NULL);
	json_object_boolean_add(json, "zebraConnected",
				qspnd_zclient_connected());
	json_object_int_add(json, "zebraConnects", qspnd.zebra_connects);
	if (r) {
		json_object_string_add(json, "state",
				       qspnd_router_state_str(r->state));
		if (r->cfg.has_topology) {
			qspn_topology_format(&r->cfg.topo, buf, sizeof(buf));
			json_object_string_add(json, "topology", buf);
			json_object_int_add(json, "levels", r->cfg.topo.levels);
			json_object_int_add(json, "addressBits",
					    r->cfg.topo.total_bits);
		}
		if (r->cfg.has_address) {
			qspn_naddr_format(&r->cfg.addr, buf, sizeof(buf));
			json_object_string_add(json, "address", buf);
		}
		json_object_int_add(json, "maxPaths", r->cfg.max_paths);
		/* a decimal64 with 2 digits: print it as configured */
		snprintf(buf, sizeof(buf), "%.2f",
			 r->cfg.max_common_hops_ratio);
		json_object_object_add(
			json, "maxCommonHopsRatio",
			json_object_new_double_s(r->cfg.max_common_hops_ratio,
						 buf));
		json_object_boolean_add(json, "acceptAnonymous",
					r->cfg.accept_anonymous);
		json_object_boolean_add(json, "anonymize", r->cfg.anonymize);
		json_object_int_add(json, "subnetLevel", r->cfg.subnet_level);
		json_object_int_add(json, "networkId", r->cfg.network_id);
	}
	if (vrf) {
		FOR_ALL_INTERFACES (vrf, ifp) {
			struct qspnd_if *qif = qspnd_if_get(ifp);
			struct json_object *jif;

			if (!qif || !qif->enabled)
				continue;
			enabled++;
			jif = json_object_new_object();
			json_object_boolean_add(jif, "up", if_is_up(ifp));
			json_object_boolean_add(jif, "operative",
						if_is_operative(ifp));
			json_object_boolean_add(jif, "running", qif->running);
			if (qif->linklocal) {
				qspn_ipv4_format(qif->linklocal, buf,
						 sizeof(buf));
				json_object_string_add(jif, "linkLocal", buf);
			}
			if (qif->has_cost)
				json_object_int_add(jif, "cost",
						    qif->cost_usec);
			json_object_int_add(jif, "helloIntervalMsecs",
					    qif->hello_ms ? qif->hello_ms
							  : 1000);
			if (qif->auth_keychain[0]) {
				struct json_object *ja =
					json_object_new_object();

				json_object_string_add(ja, "keyChain",
						       qif->auth_keychain);
				json_object_string_add(
					ja, "mode",
					qif->auth_mode ? "permissive"
						       : "strict");
				json_object_object_add(jif, "authentication",
						       ja);
			}
			json_object_object_add(jifs, ifp->name, jif);
		}
	}
	json_object_int_add(json, "interfacesEnabled", enabled);
	json_object_object_add(json, "interfaces", jifs);
	summary_counters(json);
	json_object_object_add(json, "authentication", qspnd_show_auth_json());
	return json;
}

static void summary_text(struct vty *vty, struct json_object *json)
{
	struct json_object *v, *jifs;

	vty_out(vty, "QSPN router: %s\n",
		json_object_object_get_ex(json, "state", &v)
			? json_object_get_string(v)
			: "not configured");
	if (json_object_object_get_ex(json, "topology", &v))
		vty_out(vty, "  Topology:   %s (%d levels, %d address bits)\n",
			json_object_get_string(v),
			json_object_get_int(
				json_object_object_get(json, "levels")),
			json_object_get_int(
				json_object_object_get(json, "addressBits")));
	if (json_object_object_get_ex(json, "address", &v))
		vty_out(vty, "  Address:    %s\n", json_object_get_string(v));
	if (json_object_object_get_ex(json, "maxPaths", &v))
		vty_out(vty, "  Max paths:  %d\n", json_object_get_int(v));
	vty_out(vty, "  Zebra:      %s (connections: %d)\n",
		json_object_get_boolean(
			json_object_object_get(json, "zebraConnected"))
			? "connected"
			: "not connected",
		json_object_get_int(
			json_object_object_get(json, "zebraConnects")));
	jifs = json_object_object_get(json, "interfaces");
	vty_out(vty, "  Interfaces: %d\n",
		json_object_get_int(
			json_object_object_get(json, "interfacesEnabled")));
	json_object_object_foreach(jifs, name, jif)
	{
		vty_out(vty, "    %-16s %s\n", name,
			json_object_get_boolean(
				json_object_object_get(jif, "up"))
				? "up"
				: "down");
	}
}

DEFPY(show_qspn_summary, show_qspn_summary_cmd, "show qspn summary [json$json]",
      SHOW_STR QSPN_STR "Summary of the router's state\n" JSON_STR)
{
	struct json_object *js = summary_json();

	if (json)
		return vty_json(vty, js);
	summary_text(vty, js);
	json_object_free(js);
	return CMD_SUCCESS;
}

/*
 * show qspn neighbors|arcs|destinations [json]
 */
static int show_table(struct vty *vty, struct json_object *j, bool json,
		      const char *const *cols, int ncols)
{
	if (json)
		return vty_json(vty, j);
	json_object_object_foreach(j, key, jv)
	{
		vty_out(vty, "%s\n", key);
		for (int i = 0; i < ncols; i++) {
			struct json_object *v;

			if (json_object_object_get_ex(jv, cols[i], &v))
				vty_out(vty, "  %-16s %s\n", cols[i],
					json_object_get_string(v));
		}
	}
	json_object_free(j);
	return CMD_SUCCESS;
}

DEFPY(show_qspn_neighbors, show_qspn_neighbors_cmd,
      "show qspn neighbors [json$json]",
      SHOW_STR QSPN_STR "Neighbours heard on the managed interfaces\n" JSON_STR)
{
	static const char *const cols[] = {
		"interface", "linkLocal", "mac",  "state",
		"rttUsec",   "arcId",	  "cost", "lastHeardMsecs",
	};

	return show_table(vty, qspnd_show_neighbours_json(), !!json, cols,
			  array_size(cols));
}

static void show_identities_text(struct vty *vty, struct json_object *j)
{
	struct json_object *jl = json_object_object_get(j, "identities");

	for (size_t i = 0; jl && i < json_object_array_length(jl); i++) {
		struct json_object *ji = json_object_array_get_idx(jl, i);
		struct json_object *ja = json_object_object_get(ji, "arcs");
		struct json_object *jp = json_object_object_get(ji, "interfaces");
		const char *ns = json_object_get_string(
			json_object_object_get(ji, "namespace"));

		vty_out(vty, "identity %s: %s, address %s, network %s%s%s%s\n",
			json_object_get_string(
				json_object_object_get(ji, "index")),
			json_object_get_string(
				json_object_object_get(ji, "kind")),
			json_object_get_string(
				json_object_object_get(ji, "address")),
			json_object_get_string(
				json_object_object_get(ji, "networkId")),
			ns && ns[0] ? ", namespace " : "", ns ? ns : "",
			json_object_get_boolean(
				json_object_object_get(ji, "dismissing"))
				? ", leaving"
				: "");
		for (size_t k = 0; jp && k < json_object_array_length(jp);
		     k++) {
			struct json_object *jo =
				json_object_array_get_idx(jp, k);

			vty_out(vty, "  interface %s on %s  %s  %s\n",
				json_object_get_string(
					json_object_object_get(jo, "dev")),
				json_object_get_string(
					json_object_object_get(jo, "nic")),
				json_object_get_string(
					json_object_object_get(jo, "mac")),
				json_object_get_string(json_object_object_get(
					jo, "linklocal")));
		}
		for (size_t k = 0; ja && k < json_object_array_length(ja);
		     k++) {
			struct json_object *jo =
				json_object_array_get_idx(ja, k);
			struct json_object *pa =
				json_object_object_get(jo, "peerAddress");
			const char *table = json_object_get_string(
				json_object_object_get(jo, "table"));

			vty_out(vty, "  arc %s %s %s%s%s  %s\n",
				json_object_get_string(
					json_object_object_get(jo, "nic")),
				json_object_get_string(json_object_object_get(
					jo, "peerLinklocal")),
				json_object_get_string(
					json_object_object_get(jo, "peerMac")),
				pa ? " " : "",
				pa ? json_object_get_string(pa) : "",
				table && table[0] ? table : "(no qspn arc)");
		}
	}
}

DEFPY(show_qspn_identities, show_qspn_identities_cmd,
      "show qspn identities [json$json]",
      SHOW_STR QSPN_STR
      "The identities of this system: main and connectivity\n" JSON_STR)
{
	struct json_object *j = qspnd_show_identities_json();

	if (json)
		return vty_json(vty, j);
	show_identities_text(vty, j);
	json_object_free(j);
	return CMD_SUCCESS;
}

/* The operations on identities: the RPCs of frr-qspnd.yang. */
static int rpc(struct vty *vty, const char *name, const char *const *kv)
{
	char xpath[XPATH_MAXLEN];

	snprintf(xpath, sizeof(xpath), "/frr-qspnd:%s", name);
	return qspnd_cli_rpc(vty, xpath, kv);
}

static int ingress(struct vty *vty, const char *name, const char *nbr,
		   const char *gl, const char *addr, const char *cp,
		   const char *rp, const char *ns)
{
	const char *const kv[] = {
		"neighbor", nbr, "guest-level", gl, "address", addr,
		"connectivity-position", cp, "real-position", rp,
		"namespace", ns, NULL, NULL,
	};

	return rpc(vty, name, kv);
}

DEFPY(qspn_cmd_enter_net, qspn_cmd_enter_net_cmd,
      "qspn enter-net neighbor A.B.C.D$nbr guest-level (0-15)$gl address WORD$addr [{connectivity-position (0-65535)$cp|real-position (0-65535)$rp|namespace WORD$ns}]",
      QSPN_STR
      "Enter the network of a neighbour (ingress, phase 1)\n"
      "The neighbour in the host network\n"
      "Its link-local address\n"
      "Level of the g-node that enters\n"
      "Level (0: this node alone)\n"
      "The new address\n"
      "Positions, top level first, virtual just below the host g-node\n"
      "Virtual position of the old identity at guest-level\n"
      "Position\n"
      "The real position: phase 2 at once\n"
      "Position\n"
      "Network namespace of the old identity\n"
      "Name (default ntkv<N>)\n")
{
	return ingress(vty, "enter-net", nbr_str, gl_str, addr, cp_str, rp_str,
		       ns);
}

DEFPY(qspn_cmd_migrate, qspn_cmd_migrate_cmd,
      "qspn migrate neighbor A.B.C.D$nbr guest-level (0-15)$gl address WORD$addr [{connectivity-position (0-65535)$cp|real-position (0-65535)$rp|namespace WORD$ns}]",
      QSPN_STR
      "Move to another g-node of the same network (migration, phase 1)\n"
      "A neighbour in the host g-node\n"
      "Its link-local address\n"
      "Level of the g-node that moves\n"
      "Level (0: this node alone)\n"
      "The new address\n"
      "Positions, top level first, virtual just below the host g-node\n"
      "Virtual position of the old identity at guest-level\n"
      "Position\n"
      "The real position: phase 2 at once\n"
      "Position\n"
      "Network namespace of the old identity\n"
      "Name (default ntkv<N>)\n")
{
	return ingress(vty, "migrate", nbr_str, gl_str, addr, cp_str, rp_str,
		       ns);
}

DEFPY(qspn_cmd_make_real, qspn_cmd_make_real_cmd,
      "qspn make-real position (0-65535)$pos [eldership (0-4294967295)$eld]",
      QSPN_STR
      "Phase 2: the virtual position becomes real\n"
      "The real position\n"
      "Position\n"
      "Its eldership in the g-node\n"
      "Eldership\n")
{
	const char *const kv[] = {
		"position", pos_str, "eldership", eld_str, NULL, NULL,
	};

	return rpc(vty, "make-real", kv);
}

DEFPY(qspn_cmd_dismiss, qspn_cmd_dismiss_cmd,
      "qspn identity WORD$ns dismiss",
      QSPN_STR
      "A connectivity identity\n"
      "Its network namespace\n"
      "Dismiss it, if QSPN no longer needs it\n")
{
	const char *const kv[] = {"namespace", ns, NULL, NULL};

	return rpc(vty, "dismiss-identity", kv);
}

DEFPY(show_qspn_arcs, show_qspn_arcs_cmd, "show qspn arcs [json$json]",
      SHOW_STR QSPN_STR "Arcs of the QSPN engine\n" JSON_STR)
{
	static const char *const cols[] = {"interface", "peerLinkLocal",
					   "peerMac", "peerAddress", "cost"};

	return show_table(vty, qspnd_show_arcs_json(), !!json, cols,
			  array_size(cols));
}

DEFPY(show_qspn_destinations, show_qspn_destinations_cmd,
      "show qspn destinations [json$json]",
      SHOW_STR QSPN_STR
      "Known destinations (g-nodes) and their best path\n" JSON_STR)
{
	static const char *const cols[] = {"level",    "position", "paths",
					   "bestCost", "bestArc",  "hops"};

	return show_table(vty, qspnd_show_destinations_json(), !!json, cols,
			  array_size(cols));
}

DEFPY(show_qspn_paths, show_qspn_paths_cmd,
      "show qspn paths [A.B.C.D/M$prefix] [json$json]",
      SHOW_STR QSPN_STR
      "Paths to the known destinations\n"
      "Only the destinations whose addresses overlap this prefix\n" JSON_STR)
{
	struct qspn_prefix filter;
	struct json_object *j;

	if (prefix_str) {
		filter.addr = ntohl(prefix->prefix.s_addr);
		filter.len = prefix->prefixlen;
		filter.addr &= qspn_prefix_mask(filter.len);
	}
	j = qspnd_show_paths_json(prefix_str ? &filter : NULL);
	if (json)
		return vty_json(vty, j);
	json_object_object_foreach(j, key, jd)
	{
		struct json_object *jps = json_object_object_get(jd, "paths");

		vty_out(vty, "%s  %s\n", key,
			json_object_to_json_string_ext(
				json_object_object_get(jd, "addresses"),
				JSON_C_TO_STRING_PLAIN));
		for (size_t i = 0; i < json_object_array_length(jps); i++) {
			struct json_object *jp =
				json_object_array_get_idx(jps, i);
			struct json_object *v;

			vty_out(vty, "    cost %-8s",
				json_object_get_string(
					json_object_object_get(jp, "cost")));
			if (json_object_object_get_ex(jp, "gateway", &v))
				vty_out(vty, " via %s %s",
					json_object_get_string(v),
					json_object_get_string(
						json_object_object_get(
							jp, "interface")));
			vty_out(vty, " hops %s\n",
				json_object_to_json_string_ext(
					json_object_object_get(jp, "hops"),
					JSON_C_TO_STRING_PLAIN));
		}
	}
	json_object_free(j);
	return CMD_SUCCESS;
}

/*
 * debug qspn [WHAT]
 */
DEFPY(debug_qspn, debug_qspn_cmd,
      "[no] debug qspn [<events|etp|zebra|kernel|packets|northbound>$what]",
      NO_STR DEBUG_STR QSPN_STR
      "Protocol events\n"
      "ETP processing\n"
      "Zebra communication\n"
      "Kernel state changes\n"
      "Packets sent and received\n"
      "Northbound (configuration) callbacks\n")
{
	qspnd_debug_set(vty->node, !no, what);
	return CMD_SUCCESS;
}

DEFUN_NOSH(show_debugging_qspn, show_debugging_qspn_cmd,
	   "show debugging [qspn]", SHOW_STR DEBUG_STR QSPN_STR)
{
	vty_out(vty, "QSPN debugging status:\n");
	qspnd_debug_status_write(vty);
	return CMD_SUCCESS;
}

/*
 * Nodes and running-config.
 */
static int qspnd_config_write(struct vty *vty)
{
	const struct lyd_node *dnode;

	dnode = yang_dnode_get(running_config->dnode, QSPND_XPATH);
	if (!dnode)
		return 0;
	nb_cli_show_dnode_cmds(vty, dnode, false);
	return 1;
}

static struct cmd_node qspn_node = {
	.name = "qspn",
	.node = QSPN_NODE,
	.parent_node = CONFIG_NODE,
	.prompt = "%s(config-router)# ",
	.config_write = qspnd_config_write,
};

static struct cmd_node debug_node = {
	.name = "debug",
	.node = DEBUG_NODE,
	.prompt = "",
	.config_write = qspnd_debug_config_write,
};

void qspnd_vty_init(void)
{
	install_node(&qspn_node);
	install_default(QSPN_NODE);
	install_node(&debug_node);

	install_element(CONFIG_NODE, &router_qspn_cmd);
	install_element(CONFIG_NODE, &no_router_qspn_cmd);
	install_element(QSPN_NODE, &qspn_topology_cmd);
	install_element(QSPN_NODE, &no_qspn_topology_cmd);
	install_element(QSPN_NODE, &qspn_address_cmd);
	install_element(QSPN_NODE, &no_qspn_address_cmd);
	install_element(QSPN_NODE, &qspn_max_paths_cmd);
	install_element(QSPN_NODE, &no_qspn_max_paths_cmd);
	install_element(QSPN_NODE, &qspn_mch_ratio_cmd);
	install_element(QSPN_NODE, &no_qspn_mch_ratio_cmd);
	install_element(QSPN_NODE, &qspn_accept_anonymous_cmd);
	install_element(QSPN_NODE, &qspn_anonymize_cmd);
	install_element(QSPN_NODE, &qspn_network_id_cmd);
	install_element(QSPN_NODE, &no_qspn_network_id_cmd);
	install_element(QSPN_NODE, &qspn_subnet_level_cmd);
	install_element(QSPN_NODE, &no_qspn_subnet_level_cmd);
	install_element(QSPN_NODE, &qspn_subnet_host_cmd);
	install_element(QSPN_NODE, &no_qspn_subnet_host_cmd);

	install_element(INTERFACE_NODE, &qspn_if_enable_cmd);
	install_element(INTERFACE_NODE, &qspn_if_cost_cmd);
	install_element(INTERFACE_NODE, &no_qspn_if_cost_cmd);
	install_element(INTERFACE_NODE, &qspn_if_hello_interval_cmd);
	install_element(INTERFACE_NODE, &no_qspn_if_hello_interval_cmd);
	install_element(INTERFACE_NODE, &qspn_if_auth_keychain_cmd);
	install_element(INTERFACE_NODE, &qspn_if_auth_mode_cmd);

	install_element(VIEW_NODE, &show_qspn_summary_cmd);
	install_element(VIEW_NODE, &show_qspn_neighbors_cmd);
	install_element(VIEW_NODE, &show_qspn_arcs_cmd);
	install_element(VIEW_NODE, &show_qspn_identities_cmd);
	install_element(ENABLE_NODE, &qspn_cmd_enter_net_cmd);
	install_element(ENABLE_NODE, &qspn_cmd_migrate_cmd);
	install_element(ENABLE_NODE, &qspn_cmd_make_real_cmd);
	install_element(ENABLE_NODE, &qspn_cmd_dismiss_cmd);
	install_element(VIEW_NODE, &show_qspn_destinations_cmd);
	install_element(VIEW_NODE, &show_qspn_paths_cmd);
	install_element(ENABLE_NODE, &show_debugging_qspn_cmd);
	install_element(ENABLE_NODE, &debug_qspn_cmd);
	install_element(CONFIG_NODE, &debug_qspn_cmd);
}
