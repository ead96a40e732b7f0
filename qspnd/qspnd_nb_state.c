// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qspnd_nb_state.c: operational state of frr-qspnd.yang (cf.
 * ripd/rip_nb_state.c): `show yang operational-data
 * /frr-routing:routing/control-plane-protocols/control-plane-protocol/frr-qspnd:qspnd/state
 * qspnd`.
 */
#include <zebra.h>

#include "lib/northbound.h"
#include "lib/vrf.h"
#include "lib/yang.h"

#include "qspnd.h"
#include "qspnd_nb.h"
#include "qspnd_neigh.h"

/*
 * XPath: /frr-routing:routing/control-plane-protocols/control-plane-protocol
 * (the one entry qspnd owns)
 */
const void *qspnd_cpp_get_next(struct nb_cb_get_next_args *args)
{
	return args->list_entry ? NULL : qspnd.router;
}

int qspnd_cpp_get_keys(struct nb_cb_get_keys_args *args)
{
	args->keys->num = 3;
	strlcpy(args->keys->key[0], "frr-qspnd:qspnd",
		sizeof(args->keys->key[0]));
	strlcpy(args->keys->key[1], "qspnd", sizeof(args->keys->key[1]));
	strlcpy(args->keys->key[2], VRF_DEFAULT_NAME,
		sizeof(args->keys->key[2]));
	return NB_OK;
}

const void *qspnd_cpp_lookup_entry(struct nb_cb_lookup_entry_args *args)
{
	if (args->keys->num == 3 &&
	    strmatch(args->keys->key[0], "frr-qspnd:qspnd") &&
	    strmatch(args->keys->key[1], "qspnd") &&
	    strmatch(args->keys->key[2], VRF_DEFAULT_NAME))
		return qspnd.router;
	return NULL;
}

/*
 * XPath: …/frr-qspnd:qspnd/state/neighbor
 */
const void *qspnd_state_neighbor_get_next(struct nb_cb_get_next_args *args)
{
	return qspnd_neigh_next(args->list_entry);
}

int qspnd_state_neighbor_get_keys(struct nb_cb_get_keys_args *args)
{
	struct qspnd_neigh_info ni;

	qspnd_neigh_info(args->list_entry, &ni);
	args->keys->num = 3;
	strlcpy(args->keys->key[0], ni.ifname, sizeof(args->keys->key[0]));
	snprintf(args->keys->key[1], sizeof(args->keys->key[1]), "%016" PRIx64,
		 ni.system_id);
	qspn_mac_format(ni.mac, args->keys->key[2]);
	return NB_OK;
}

const void *
qspnd_state_neighbor_lookup_entry(struct nb_cb_lookup_entry_args *args)
{
	const void *n = NULL;
	struct qspnd_neigh_info ni;
	char sid[32], mac[18];

	while ((n = qspnd_neigh_next(n))) {
		qspnd_neigh_info(n, &ni);
		snprintf(sid, sizeof(sid), "%016" PRIx64, ni.system_id);
		qspn_mac_format(ni.mac, mac);
		if (strmatch(ni.ifname, args->keys->key[0]) &&
		    strmatch(sid, args->keys->key[1]) &&
		    strcasecmp(mac, args->keys->key[2]) == 0)
			return n;
	}
	return NULL;
}

struct yang_data *
qspnd_state_neighbor_interface_get_elem(struct nb_cb_get_elem_args *args)
{
	struct qspnd_neigh_info ni;

	qspnd_neigh_info(args->list_entry, &ni);
	return yang_data_new_string(args->xpath, ni.ifname);
}

struct yang_data *
qspnd_state_neighbor_system_id_get_elem(struct nb_cb_get_elem_args *args)
{
	struct qspnd_neigh_info ni;
	char sid[32];

	qspnd_neigh_info(args->list_entry, &ni);
	snprintf(sid, sizeof(sid), "%016" PRIx64, ni.system_id);
	return yang_data_new_string(args->xpath, sid);
}

struct yang_data *
qspnd_state_neighbor_link_local_get_elem(struct nb_cb_get_elem_args *args)
{
	struct qspnd_neigh_info ni;
	struct in_addr a;

	qspnd_neigh_info(args->list_entry, &ni);
	if (!ni.linklocal)
		return NULL;
	a.s_addr = htonl(ni.linklocal);
	return yang_data_new_ipv4(args->xpath, &a);
}

struct yang_data *
qspnd_state_neighbor_mac_get_elem(struct nb_cb_get_elem_args *args)
{
	struct qspnd_neigh_info ni;
	char mac[18];

	qspnd_neigh_info(args->list_entry, &ni);
	qspn_mac_format(ni.mac, mac);
	return yang_data_new_string(args->xpath, mac);
}

struct yang_data *
qspnd_state_neighbor_state_get_elem(struct nb_cb_get_elem_args *args)
{
	struct qspnd_neigh_info ni;

	qspnd_neigh_info(args->list_entry, &ni);
	return yang_data_new_enum(args->xpath, ni.state);
}

struct yang_data *
qspnd_state_neighbor_rtt_get_elem(struct nb_cb_get_elem_args *args)
{
	struct qspnd_neigh_info ni;

	qspnd_neigh_info(args->list_entry, &ni);
	if (ni.rtt_us < 0)
		return NULL;
	return yang_data_new_uint32(args->xpath, (uint32_t)ni.rtt_us);
}

struct yang_data *
qspnd_state_neighbor_arc_cost_get_elem(struct nb_cb_get_elem_args *args)
{
	struct qspnd_neigh_info ni;

	qspnd_neigh_info(args->list_entry, &ni);
	if (ni.arc_cost < 0)
		return NULL;
	return yang_data_new_uint32(args->xpath, (uint32_t)ni.arc_cost);
}
