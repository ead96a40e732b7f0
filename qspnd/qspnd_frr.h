/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qspnd_frr.h: the one place where qspnd bridges the FRR releases it builds
 * against, FRR 8.4 (Debian 12) and FRR 10.3 (Debian 13).  Every other file
 * is written once, with the 10.3 names of the event loop, and calls the
 * helpers below where the two releases differ; no other file tests the
 * version.  doc/frr-versions.md lists each difference and the release that
 * made it.
 *
 * QSPND_FRR_VERSION_NUM comes from configure (the installed zebra's
 * version): major * 10000 + minor * 100 + patch, e.g. 80404 or 100300.
 * Include after <zebra.h>, like any FRR header.
 */
#ifndef QSPND_FRR_H
#define QSPND_FRR_H

#ifndef QSPND_FRR_VERSION_NUM
#error "QSPND_FRR_VERSION_NUM is not set (configure passes it)"
#endif
#define QSPND_FRR_AT_LEAST(maj, min)                                           \
	(QSPND_FRR_VERSION_NUM >= (maj) * 10000 + (min) * 100)

#include "lib/debug.h"
#include "lib/if.h"
#include "lib/libfrr.h"
#include "lib/northbound.h"
#include "lib/northbound_cli.h"
#include "lib/vty.h"
#include "lib/yang.h"

/* ---- the event loop: FRR 9.0 renamed thread_* to event_* -------------- */
#if QSPND_FRR_AT_LEAST(9, 0)
#include "lib/frrevent.h"
typedef struct event qspnd_event_t;
typedef struct event_loop qspnd_loop_t;
#else
#include "lib/thread.h"
typedef struct thread qspnd_event_t;
typedef struct thread_master qspnd_loop_t;
#define event_add_read thread_add_read
#define event_add_write thread_add_write
#define event_add_timer thread_add_timer
#define event_add_timer_msec thread_add_timer_msec
#define event_add_event thread_add_event
#define event_cancel thread_cancel
#define EVENT_ARG THREAD_ARG
#define EVENT_VAL THREAD_VAL
#define EVENT_FD THREAD_FD
#define EVENT_OFF THREAD_OFF
#endif

/* ---- the run-state directory (zserv.api, vty sockets): 10.0 ----------- */
#if QSPND_FRR_AT_LEAST(10, 0)
#define QSPND_RUNSTATEDIR frr_runstatedir
#else
#define QSPND_RUNSTATEDIR frr_vtydir
#endif

/* ---- whose vty configures zebra (route-maps, `ip protocol`): FRR 10.0
 * moved zebra's configuration behind mgmtd ----------------------------- */
/* On mgmtd, every line of a `configure terminal` session is a commit of
 * its own, sent to zebra as a backend transaction; a session is made one
 * transaction, as `vtysh -f` does, with a locked candidate and the
 * XFRR_start/end_configuration markers (the end marker returns the
 * commit's status). */
#if QSPND_FRR_AT_LEAST(10, 0)
#define QSPND_ZEBRA_CONFIG_VTY "mgmtd"
#define QSPND_ZEBRA_CONFIG_ASYNC 1 /* zebra gets it a moment later */
#define QSPND_ZEBRA_CONFIG_ENTER "configure terminal file-lock"
#define QSPND_ZEBRA_CONFIG_TXN_BEGIN "XFRR_start_configuration"
#define QSPND_ZEBRA_CONFIG_TXN_END "XFRR_end_configuration"
#else
#define QSPND_ZEBRA_CONFIG_VTY "zebra"
#define QSPND_ZEBRA_CONFIG_ASYNC 0
#define QSPND_ZEBRA_CONFIG_ENTER "configure terminal"
#define QSPND_ZEBRA_CONFIG_TXN_BEGIN NULL /* every line applies at once */
#define QSPND_ZEBRA_CONFIG_TXN_END NULL
#endif

/* ---- a route whose src changes over the same nexthop: zebra 10.x, when
 * it replaces a route, keeps the old route's nexthop group if the new
 * nexthops are the "same" (nexthop_same() ignores a route-map's src), and
 * the kernel route keeps the old src.  The nexthop's SR-TE colour is
 * compared: qspnd colours a nexthop with the route's src (ZAPI_MESSAGE_SRTE).
 * Zebra resolves a colour only through an SR policy (pathd), and only for
 * nexthops that are not onlink: qspnd's are; it is not sent to the kernel.
 * -------------------------------------------------------------------- */
#if QSPND_FRR_AT_LEAST(10, 0)
#define QSPND_ZEBRA_SRC_AS_COLOR 1
#else
#define QSPND_ZEBRA_SRC_AS_COLOR 0
#endif

/* ---- interface events from zebra: 10.0 made the callbacks hooks ------- */
static inline void qspnd_if_zapi_register(int (*create)(struct interface *),
					  int (*up)(struct interface *),
					  int (*down)(struct interface *),
					  int (*destroy)(struct interface *))
{
#if QSPND_FRR_AT_LEAST(10, 0)
	hook_register_prio(if_real, 0, create);
	hook_register_prio(if_up, 0, up);
	hook_register_prio(if_down, 0, down);
	hook_register_prio(if_unreal, 0, destroy);
#else
	if_zapi_callbacks(create, up, down, destroy);
#endif
}

/* ---- debug flags: 10.2 added .conf and a list of flags kept by lib ----- */
#if QSPND_FRR_AT_LEAST(10, 2)
#define QSPND_DEBUG_DEFINE(var, conf_line, description)                       \
	struct debug var = {.conf = conf_line, .desc = description}
/* lib/debug.c writes the `debug …` lines of every installed flag */
#define QSPND_DEBUG_WRITES_CONFIG 0
#else
#define QSPND_DEBUG_DEFINE(var, conf_line, description)                       \
	struct debug var = {.desc = description}
#define QSPND_DEBUG_WRITES_CONFIG 1
#endif

/*
 * Hand the daemon's flags to lib, so that `[no] debug all` reaches them.  On
 * 10.2+ lib keeps a list (debug_install) and walks it itself; before, lib
 * calls one set_all callback (debug_init), which set_all implements.
 */
static inline void qspnd_debug_register(struct debug *const *dbgs, size_t n,
					void (*set_all)(uint32_t flags,
							bool set))
{
#if QSPND_FRR_AT_LEAST(10, 2)
	(void)set_all;
	for (size_t i = 0; i < n; i++)
		debug_install(dbgs[i]);
#else
	static struct debug_callbacks cbs;

	(void)dbgs;
	(void)n;
	cbs.debug_set_all = set_all;
	debug_init(&cbs);
#endif
}

/* ---- YANG RPCs from the CLI: 10.1 moved the input to a libyang tree ---- */

/*
 * Call the RPC at `xpath` (/frr-qspnd:NAME) with the input leaves
 * kv = {leaf, value, leaf, value, ..., NULL, NULL}; a NULL value is an
 * absent leaf.  On 10.1+ nb_cli_rpc() asserts that libyang accepts the
 * input, so a value that fails its YANG type would abort the daemon: the
 * input is built and validated here first, and refused with its error.
 */
static inline int qspnd_cli_rpc(struct vty *vty, const char *xpath,
				const char *const *kv)
{
#if QSPND_FRR_AT_LEAST(10, 1)
	struct lyd_node *in = NULL;
	LY_ERR err;

	err = lyd_new_path2(NULL, ly_native_ctx, xpath, NULL, 0, 0, 0, NULL,
			    &in);
	if (err != LY_SUCCESS) {
		vty_out(vty, "%% %s: %s\n", xpath, ly_errmsg(ly_native_ctx));
		return CMD_WARNING;
	}
	for (const char *const *p = kv; p[0]; p += 2) {
		if (!p[1])
			continue;
		err = lyd_new_path(in, ly_native_ctx, p[0], p[1], 0, NULL);
		if (err != LY_SUCCESS) {
			vty_out(vty, "%% invalid %s \"%s\": %s\n", p[0], p[1],
				ly_errmsg(ly_native_ctx));
			lyd_free_all(in);
			return CMD_WARNING_CONFIG_FAILED;
		}
	}
	err = lyd_validate_op(in, NULL, LYD_TYPE_RPC_YANG, NULL);
	lyd_free_all(in);
	if (err != LY_SUCCESS) {
		vty_out(vty, "%% %s: %s\n", xpath, ly_errmsg(ly_native_ctx));
		return CMD_WARNING_CONFIG_FAILED;
	}
	for (const char *const *p = kv; p[0]; p += 2)
		if (p[1] && nb_cli_rpc_enqueue(vty, p[0], p[1]) != CMD_SUCCESS)
			return CMD_WARNING;
	return nb_cli_rpc(vty, xpath, NULL);
#else
	struct list *input = yang_data_list_new();
	char leaf[XPATH_MAXLEN];
	int ret;

	for (const char *const *p = kv; p[0]; p += 2) {
		if (!p[1])
			continue;
		if (snprintf(leaf, sizeof(leaf), "%s/%s", xpath, p[0]) >=
		    (int)sizeof(leaf)) {
			list_delete(&input);
			return CMD_WARNING;
		}
		listnode_add(input, yang_data_new(leaf, p[1]));
	}
	ret = nb_cli_rpc(vty, xpath, input, NULL);
	list_delete(&input);
	return ret;
#endif
}

/* The value of an input leaf of an RPC, or NULL when it is absent. */
static inline const char *qspnd_rpc_input(const struct nb_cb_rpc_args *args,
					  const char *leaf)
{
#if QSPND_FRR_AT_LEAST(10, 1)
	if (!args->input || !yang_dnode_exists(args->input, leaf))
		return NULL;
	return yang_dnode_get_string(args->input, "%s", leaf);
#else
	struct listnode *node;
	struct yang_data *d;
	size_t ll = strlen(leaf);

	for (ALL_LIST_ELEMENTS_RO(args->input, node, d)) {
		size_t xl = strlen(d->xpath);

		if (xl > ll && d->xpath[xl - ll - 1] == '/' &&
		    strcmp(d->xpath + xl - ll, leaf) == 0)
			return d->value;
	}
	return NULL;
#endif
}

/* ---- key chains (qspnd_auth.c): FRR 9.2 moved `key chain` to the
 * northbound (the ietf-key-chain YANG module, which the daemon loads) ---- */
#include "lib/keychain.h"
#if QSPND_FRR_AT_LEAST(9, 2)
/* as ospf6d, a daemon that is not a mgmtd backend: lib's CLI commands, and
 * the IETF key-chain module with FRR's deviations */
#define QSPND_KEYCHAIN_YANG_MODULE                                             \
	&ietf_key_chain_info, &ietf_key_chain_deviation_info,
static inline void qspnd_keychain_init(void)
{
	keychain_init();
}
#else
#define QSPND_KEYCHAIN_YANG_MODULE
static inline void qspnd_keychain_init(void)
{
	keychain_init();
}
#endif

#endif /* QSPND_FRR_H */
