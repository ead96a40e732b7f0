// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qspnd_nb.c: the xpath -> callbacks table of frr-qspnd.yang.
 *
 * The control-plane-protocol list entry belongs to frr-routing.yang; qspnd
 * registers its own create/destroy for it (they call libfrr's and then create
 * or destroy the router), so frr_routing_info must be loaded before this
 * module (qspnd_main.c).
 */
#include <zebra.h>

#include "lib/northbound.h"
#include "lib/libfrr.h"

#include "qspnd_nb.h"

#define CPP                                                                    \
	"/frr-routing:routing/control-plane-protocols/control-plane-protocol"
#define RTR CPP "/frr-qspnd:qspnd"
#define IFQ "/frr-interface:lib/interface/frr-qspnd:qspn"

/* clang-format off */
const struct frr_yang_module_info frr_qspnd_info = {
	.name = "frr-qspnd",
	.nodes = {
		{
			.xpath = CPP,
			.cbs = {
				.create = qspnd_cpp_create,
				.destroy = qspnd_cpp_destroy,
				.get_next = qspnd_cpp_get_next,
				.get_keys = qspnd_cpp_get_keys,
				.lookup_entry = qspnd_cpp_lookup_entry,
			},
		},
		{
			.xpath = RTR,
			.cbs = {
				.pre_validate = qspnd_router_pre_validate,
				.apply_finish = qspnd_router_apply_finish,
				.cli_show = qspnd_cli_show_router,
				.cli_show_end = qspnd_cli_show_router_end,
			},
		},
		{
			.xpath = RTR "/topology",
			.cbs = {
				.modify = qspnd_topology_modify,
				.destroy = qspnd_topology_destroy,
				.cli_show = qspnd_cli_show_topology,
			},
		},
		{
			.xpath = RTR "/address",
			.cbs = {
				.modify = qspnd_address_modify,
				.destroy = qspnd_address_destroy,
				.cli_show = qspnd_cli_show_address,
			},
		},
		{
			.xpath = RTR "/max-paths",
			.cbs = {
				.modify = qspnd_max_paths_modify,
				.cli_show = qspnd_cli_show_max_paths,
			},
		},
		{
			.xpath = RTR "/max-common-hops-ratio",
			.cbs = {
				.modify = qspnd_mch_ratio_modify,
				.cli_show = qspnd_cli_show_mch_ratio,
			},
		},
		{
			.xpath = RTR "/accept-anonymous",
			.cbs = {
				.modify = qspnd_accept_anonymous_modify,
				.cli_show = qspnd_cli_show_accept_anonymous,
			},
		},
		{
			.xpath = RTR "/anonymize",
			.cbs = {
				.modify = qspnd_anonymize_modify,
				.cli_show = qspnd_cli_show_anonymize,
			},
		},
		{
			.xpath = RTR "/network-id",
			.cbs = {
				.modify = qspnd_network_id_modify,
				.cli_show = qspnd_cli_show_network_id,
			},
		},
		{
			.xpath = RTR "/subnet-level",
			.cbs = {
				.modify = qspnd_subnet_level_modify,
				.cli_show = qspnd_cli_show_subnet_level,
			},
		},
		{
			.xpath = RTR "/subnet-host",
			.cbs = {
				.create = qspnd_subnet_host_create,
				.destroy = qspnd_subnet_host_destroy,
				.cli_show = qspnd_cli_show_subnet_host,
			},
		},
		{
			.xpath = RTR "/subnet-host/interface",
			.cbs = {
				.modify = qspnd_subnet_host_interface_modify,
			},
		},
		{
			.xpath = RTR "/subnet-host/position",
			.cbs = {
				.modify = qspnd_subnet_host_position_modify,
			},
		},
		{
			.xpath = RTR "/state/neighbor",
			.cbs = {
				.get_next = qspnd_state_neighbor_get_next,
				.get_keys = qspnd_state_neighbor_get_keys,
				.lookup_entry = qspnd_state_neighbor_lookup_entry,
			},
		},
		{
			.xpath = RTR "/state/neighbor/interface",
			.cbs = {
				.get_elem = qspnd_state_neighbor_interface_get_elem,
			},
		},
		{
			.xpath = RTR "/state/neighbor/system-id",
			.cbs = {
				.get_elem = qspnd_state_neighbor_system_id_get_elem,
			},
		},
		{
			.xpath = RTR "/state/neighbor/link-local",
			.cbs = {
				.get_elem = qspnd_state_neighbor_link_local_get_elem,
			},
		},
		{
			.xpath = RTR "/state/neighbor/mac",
			.cbs = {
				.get_elem = qspnd_state_neighbor_mac_get_elem,
			},
		},
		{
			.xpath = RTR "/state/neighbor/state",
			.cbs = {
				.get_elem = qspnd_state_neighbor_state_get_elem,
			},
		},
		{
			.xpath = RTR "/state/neighbor/rtt",
			.cbs = {
				.get_elem = qspnd_state_neighbor_rtt_get_elem,
			},
		},
		{
			.xpath = RTR "/state/neighbor/arc-cost",
			.cbs = {
				.get_elem = qspnd_state_neighbor_arc_cost_get_elem,
			},
		},
		{
			.xpath = IFQ "/enable",
			.cbs = {
				.modify = qspnd_if_enable_modify,
				.cli_show = qspnd_cli_show_if_enable,
			},
		},
		{
			.xpath = IFQ "/cost",
			.cbs = {
				.modify = qspnd_if_cost_modify,
				.destroy = qspnd_if_cost_destroy,
				.cli_show = qspnd_cli_show_if_cost,
			},
		},
		{
			.xpath = IFQ "/hello-interval",
			.cbs = {
				.modify = qspnd_if_hello_interval_modify,
				.destroy = qspnd_if_hello_interval_destroy,
				.cli_show = qspnd_cli_show_if_hello_interval,
			},
		},
		{
			.xpath = IFQ "/authentication/key-chain",
			.cbs = {
				.modify = qspnd_if_auth_keychain_modify,
				.destroy = qspnd_if_auth_keychain_destroy,
				.cli_show = qspnd_cli_show_if_auth_keychain,
			},
		},
		{
			.xpath = IFQ "/authentication/mode",
			.cbs = {
				.modify = qspnd_if_auth_mode_modify,
				.cli_show = qspnd_cli_show_if_auth_mode,
			},
		},
		{
			.xpath = "/frr-qspnd:enter-net",
			.cbs = {
				.rpc = qspnd_rpc_enter_net,
			},
		},
		{
			.xpath = "/frr-qspnd:migrate",
			.cbs = {
				.rpc = qspnd_rpc_migrate,
			},
		},
		{
			.xpath = "/frr-qspnd:make-real",
			.cbs = {
				.rpc = qspnd_rpc_make_real,
			},
		},
		{
			.xpath = "/frr-qspnd:dismiss-identity",
			.cbs = {
				.rpc = qspnd_rpc_dismiss_identity,
			},
		},
		{
			.xpath = NULL,
		},
	}
};
/* clang-format on */
