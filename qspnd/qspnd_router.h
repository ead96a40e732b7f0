/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qspnd_router.h: the router instance and the managed interfaces
 * (qspnd_router.c): the configuration the northbound applied, passed on to
 * the identities (qspnd_neigh.c, qspnd_ident.c) and the kernel
 * (qspnd_kernel.c).
 */
#ifndef QSPND_ROUTER_H
#define QSPND_ROUTER_H

#include "qspnd.h"

struct qspnd_router *qspnd_router_create(void);
void qspnd_router_destroy(void);
/* after a northbound transaction: the state, the engine, the kernel */
void qspnd_router_update(struct qspnd_router *r);
const char *qspnd_router_state_str(enum qspnd_router_state s);
/* what the main identity's engine was started with */
const struct qspnd_config *qspnd_router_engine_cfg(void);
/* at exit, before the zebra session goes */
void qspnd_router_terminate(void);
/* the interface hooks (ifp->info) */
void qspnd_router_if_init(void);

#endif /* QSPND_ROUTER_H */
