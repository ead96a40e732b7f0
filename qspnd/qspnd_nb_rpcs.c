// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qspnd_nb_rpcs.c: the YANG RPCs of frr-qspnd.yang (enter-net, migrate,
 * make-real, dismiss-identity; the vtysh exec commands in qspnd_vty.c call
 * them): their input read and handed to the identity operations
 * (qspnd_ident.c).
 */
#include <zebra.h>

#include "lib/log.h"
#include "lib/northbound.h"
#include "lib/yang.h"

#include "qspnd.h"
#include "qspnd_frr.h"
#include "qspnd_ident.h"
#include "qspnd_nb.h"


static int rpc_ingress(struct nb_cb_rpc_args *args, bool migrate)
{
	struct qspnd_router *r = qspnd.router;
	struct qspnd_ident_enter_args a = {.migrate = migrate};
	const char *s;
	char perr[QSPN_ERRBUF_SIZE];
	struct in_addr in;

	if (!r || r->state != QSPND_ROUTER_ACTIVE) {
		snprintf(args->errmsg, args->errmsg_len,
			 "router qspn is not running");
		return NB_ERR;
	}
	s = qspnd_rpc_input(args, "neighbor");
	if (!s || inet_pton(AF_INET, s, &in) != 1) {
		snprintf(args->errmsg, args->errmsg_len, "bad neighbor");
		return NB_ERR;
	}
	a.neighbor_ll = ntohl(in.s_addr);
	s = qspnd_rpc_input(args, "guest-level");
	a.guest_level = s ? atoi(s) : -1;
	s = qspnd_rpc_input(args, "address");
	if (!s || qspn_naddr_parse(&a.addr, &r->cfg.topo, s, true, perr,
				   sizeof(perr)) < 0) {
		snprintf(args->errmsg, args->errmsg_len, "bad address: %s",
			 s ? perr : "missing");
		return NB_ERR;
	}
	if ((s = qspnd_rpc_input(args, "connectivity-position"))) {
		a.has_conn_pos = true;
		a.conn_pos = (uint32_t)strtoul(s, NULL, 10);
	}
	if ((s = qspnd_rpc_input(args, "real-position"))) {
		a.has_real_pos = true;
		a.real_pos = (uint32_t)strtoul(s, NULL, 10);
	}
	if ((s = qspnd_rpc_input(args, "namespace")))
		strlcpy(a.ns, s, sizeof(a.ns));
	if (qspnd_ident_enter_net(&a, args->errmsg, args->errmsg_len) < 0) {
		zlog_warn("%s refused: %s", migrate ? "migrate" : "enter-net",
			  args->errmsg);
		return NB_ERR;
	}
	return NB_OK;
}

int qspnd_rpc_enter_net(struct nb_cb_rpc_args *args)
{
	return rpc_ingress(args, false);
}

int qspnd_rpc_migrate(struct nb_cb_rpc_args *args)
{
	return rpc_ingress(args, true);
}

int qspnd_rpc_make_real(struct nb_cb_rpc_args *args)
{
	const char *s = qspnd_rpc_input(args, "position");
	const char *e = qspnd_rpc_input(args, "eldership");

	if (!s) {
		snprintf(args->errmsg, args->errmsg_len, "position missing");
		return NB_ERR;
	}
	if (qspnd_ident_make_real((uint32_t)strtoul(s, NULL, 10),
				  e ? (int32_t)strtol(e, NULL, 10) : 0,
				  args->errmsg, args->errmsg_len) < 0) {
		zlog_warn("make-real refused: %s", args->errmsg);
		return NB_ERR;
	}
	return NB_OK;
}

int qspnd_rpc_dismiss_identity(struct nb_cb_rpc_args *args)
{
	const char *s = qspnd_rpc_input(args, "namespace");

	if (qspnd_ident_dismiss(s ? s : "", args->errmsg, args->errmsg_len) <
	    0) {
		zlog_warn("dismiss-identity refused: %s", args->errmsg);
		return NB_ERR;
	}
	return NB_OK;
}
