/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qspnd_nb.h: northbound callbacks of frr-qspnd.yang.
 */
#ifndef QSPND_NB_H
#define QSPND_NB_H

#include "lib/northbound.h"

extern const struct frr_yang_module_info frr_qspnd_info;

/* qspnd_nb_config.c */
int qspnd_cpp_create(struct nb_cb_create_args *args);
int qspnd_cpp_destroy(struct nb_cb_destroy_args *args);
int qspnd_router_pre_validate(struct nb_cb_pre_validate_args *args);
void qspnd_router_apply_finish(struct nb_cb_apply_finish_args *args);
int qspnd_topology_modify(struct nb_cb_modify_args *args);
int qspnd_topology_destroy(struct nb_cb_destroy_args *args);
int qspnd_address_modify(struct nb_cb_modify_args *args);
int qspnd_address_destroy(struct nb_cb_destroy_args *args);
int qspnd_max_paths_modify(struct nb_cb_modify_args *args);
int qspnd_mch_ratio_modify(struct nb_cb_modify_args *args);
int qspnd_accept_anonymous_modify(struct nb_cb_modify_args *args);
int qspnd_anonymize_modify(struct nb_cb_modify_args *args);
int qspnd_subnet_level_modify(struct nb_cb_modify_args *args);
int qspnd_subnet_host_create(struct nb_cb_create_args *args);
int qspnd_subnet_host_destroy(struct nb_cb_destroy_args *args);
int qspnd_subnet_host_interface_modify(struct nb_cb_modify_args *args);
int qspnd_subnet_host_position_modify(struct nb_cb_modify_args *args);
int qspnd_network_id_modify(struct nb_cb_modify_args *args);
void qspnd_cli_show_network_id(struct vty *vty, const struct lyd_node *dnode,
			       bool show_defaults);
int qspnd_rpc_enter_net(struct nb_cb_rpc_args *args);
int qspnd_rpc_make_real(struct nb_cb_rpc_args *args);
int qspnd_rpc_migrate(struct nb_cb_rpc_args *args);
int qspnd_rpc_dismiss_identity(struct nb_cb_rpc_args *args);
int qspnd_if_enable_modify(struct nb_cb_modify_args *args);
int qspnd_if_cost_modify(struct nb_cb_modify_args *args);
int qspnd_if_cost_destroy(struct nb_cb_destroy_args *args);
int qspnd_if_hello_interval_modify(struct nb_cb_modify_args *args);
int qspnd_if_hello_interval_destroy(struct nb_cb_destroy_args *args);
int qspnd_if_auth_keychain_modify(struct nb_cb_modify_args *args);
int qspnd_if_auth_keychain_destroy(struct nb_cb_destroy_args *args);
int qspnd_if_auth_mode_modify(struct nb_cb_modify_args *args);

/* qspnd_nb_state.c */
const void *qspnd_cpp_get_next(struct nb_cb_get_next_args *args);
int qspnd_cpp_get_keys(struct nb_cb_get_keys_args *args);
const void *qspnd_cpp_lookup_entry(struct nb_cb_lookup_entry_args *args);
const void *qspnd_state_neighbor_get_next(struct nb_cb_get_next_args *args);
int qspnd_state_neighbor_get_keys(struct nb_cb_get_keys_args *args);
const void *
qspnd_state_neighbor_lookup_entry(struct nb_cb_lookup_entry_args *args);
struct yang_data *
qspnd_state_neighbor_interface_get_elem(struct nb_cb_get_elem_args *args);
struct yang_data *
qspnd_state_neighbor_system_id_get_elem(struct nb_cb_get_elem_args *args);
struct yang_data *
qspnd_state_neighbor_link_local_get_elem(struct nb_cb_get_elem_args *args);
struct yang_data *
qspnd_state_neighbor_mac_get_elem(struct nb_cb_get_elem_args *args);
struct yang_data *
qspnd_state_neighbor_state_get_elem(struct nb_cb_get_elem_args *args);
struct yang_data *
qspnd_state_neighbor_rtt_get_elem(struct nb_cb_get_elem_args *args);
struct yang_data *
qspnd_state_neighbor_arc_cost_get_elem(struct nb_cb_get_elem_args *args);

/* qspnd_vty.c: running-config */
void qspnd_cli_show_router(struct vty *vty, const struct lyd_node *dnode,
			   bool show_defaults);
void qspnd_cli_show_router_end(struct vty *vty, const struct lyd_node *dnode);
void qspnd_cli_show_topology(struct vty *vty, const struct lyd_node *dnode,
			     bool show_defaults);
void qspnd_cli_show_address(struct vty *vty, const struct lyd_node *dnode,
			    bool show_defaults);
void qspnd_cli_show_max_paths(struct vty *vty, const struct lyd_node *dnode,
			      bool show_defaults);
void qspnd_cli_show_mch_ratio(struct vty *vty, const struct lyd_node *dnode,
			      bool show_defaults);
void qspnd_cli_show_accept_anonymous(struct vty *vty,
				     const struct lyd_node *dnode,
				     bool show_defaults);
void qspnd_cli_show_anonymize(struct vty *vty, const struct lyd_node *dnode,
			      bool show_defaults);
void qspnd_cli_show_subnet_host(struct vty *vty, const struct lyd_node *dnode,
				bool show_defaults);
void qspnd_cli_show_subnet_level(struct vty *vty, const struct lyd_node *dnode,
				 bool show_defaults);
void qspnd_cli_show_if_enable(struct vty *vty, const struct lyd_node *dnode,
			      bool show_defaults);
void qspnd_cli_show_if_hello_interval(struct vty *vty,
				      const struct lyd_node *dnode,
				      bool show_defaults);
void qspnd_cli_show_if_auth_keychain(struct vty *vty,
				     const struct lyd_node *dnode,
				     bool show_defaults);
void qspnd_cli_show_if_auth_mode(struct vty *vty, const struct lyd_node *dnode,
				 bool show_defaults);
void qspnd_cli_show_if_cost(struct vty *vty, const struct lyd_node *dnode,
			    bool show_defaults);

#endif /* QSPND_NB_H */
