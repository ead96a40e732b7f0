/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qspnd_ident.h: the operations on identities (qspnd_ident.c; spec
 * doc/protocol/routes.md §5, doc/protocol/qspn.md §8).
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

/* The operations of the RPCs (qspnd_nb_rpcs.c).  Each returns 0, or -1
 * with the reason in err. */
struct qspnd_ident_enter_args {
	bool migrate; /* inside the same network */
	uint32_t neighbor_ll;
	int guest_level;
	struct qspn_naddr addr;
	bool has_conn_pos, has_real_pos;
	uint32_t conn_pos, real_pos;
	char ns[QSPN_NAMELEN];
};

/* enter-net (migrate: inside the same network), phase 1 and, with a real
 * position, phase 2 */
int qspnd_ident_enter_net(struct qspnd_ident_enter_args *a, char *err,
			  size_t len);
/* make-real: phase 2 of the main identity's ingress */
int qspnd_ident_make_real(uint32_t pos, int32_t eldership, char *err,
			  size_t len);
/* dismiss-identity: the connectivity identity in namespace ns */
int qspnd_ident_dismiss(const char *ns, char *err, size_t len);

#endif /* QSPND_IDENT_H */
