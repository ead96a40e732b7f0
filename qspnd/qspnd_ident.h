/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qspnd_ident.h: the operations on identities (qspnd_ident.c; spec
 * routes.md §5, qspn.md §8).
 */
#ifndef QSPND_IDENT_H
#define QSPND_IDENT_H

#include "qspnd_neigh.h"

/* The engine's parameters from the configuration (the one place a new
 * engine knob is passed on), and whether two configurations build the
 * same engine (otherwise the router starts a new one). */
void qspnd_ident_engine_params(const struct qspnd_config *cfg,
			       struct qspn_params *p);
bool qspnd_ident_engine_cfg_equal(const struct qspnd_config *a,
				  const struct qspnd_config *b);
/* a fresh engine: a new network of this identity alone (create_net) */
void qspnd_ident_engine_create(struct qspnd_ident *id,
			       const struct qspnd_config *cfg, int64_t fp_id);
/* every identity goes (router stopped, or a new engine is due) */
void qspnd_ident_stop_all(void);

#endif /* QSPND_IDENT_H */
