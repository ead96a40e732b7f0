/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qspnd_zroute.h: routes of the default namespace through zebra
 * (qspnd_zroute.c), and struct qspnd_zroute, the route as qspnd's executors
 * take it (also qspnd_netlink.c's routes of other namespaces).
 */
#ifndef QSPND_ZROUTE_H
#define QSPND_ZROUTE_H

#include <stdbool.h>
#include <stdint.h>

#include "qspn_plan.h"

/* The zebra route-map that gives routes their `src`. */
#define QSPND_SRC_RMAP "QSPND-SRC"

struct qspnd_zroute {
	uint32_t tid;
	struct qspn_prefix dst;
	uint8_t rtype; /* enum qspn_rtype; QSPN_RT_VIA with gw 0: dev route */
	uint32_t gw;
	uint32_t src;
	char dev[QSPN_NAMELEN];
};
/* the order of routes: table, then destination */
int qspnd_zroute_key_cmp(const struct qspnd_zroute *a,
			 const struct qspnd_zroute *b);
void qspnd_zroute_init(void);
/* add or replace (the route is what zebra must have, sent or not) */
int qspnd_zroute_set(const struct qspnd_zroute *r);
int qspnd_zroute_del(uint32_t tid, struct qspn_prefix dst);
void qspnd_zroute_flush(uint32_t tid);
void qspnd_zroute_remove_all(void);
/* zebra (re)connected: route-map and every route again */
void qspnd_zroute_resend_all(void);
/* before a batch: the src entries these routes need exist in zebra */
void qspnd_zroute_src_prepare(const struct qspn_ops *ops);
/* after a batch: src entries no route uses any more go */
void qspnd_zroute_src_cleanup(void);
size_t qspnd_zroute_count(uint32_t tid);
void qspnd_zroute_walk(uint32_t tid,
		       void (*fn)(const struct qspnd_zroute *r, void *arg),
		       void *arg);
bool qspnd_zroute_src_bound(void);
/* routes zebra said it installed, in table tid */
size_t qspnd_zroute_installed_count(uint32_t tid);
/* ZEBRA_ROUTE_NOTIFY_OWNER handler, for qspnd_zebra.c's handler table:
 * int qspnd_zroute_notify(ZAPI_CALLBACK_ARGS) (declared in lib/zclient.h's
 * terms there) */
struct zclient;
int qspnd_zroute_notify(int cmd, struct zclient *zclient, uint16_t length,
			uint32_t vrf_id);

#endif /* QSPND_ZROUTE_H */
