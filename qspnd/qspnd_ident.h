/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qspnd_ident.h: the operations on identities (qspnd_ident.c; spec
 * routes.md §5, qspn.md §8).
 */
#ifndef QSPND_IDENT_H
#define QSPND_IDENT_H

#include "qspnd_neigh.h"

/* a connectivity identity QSPN asked to remove */
void qspnd_ident_remove_requested(struct qspnd_ident *id);
/* it is being freed: forget it */
void qspnd_ident_forget(struct qspnd_ident *id);
/* its engine left bootstrap */
void qspnd_ident_bootstrap_complete(struct qspnd_ident *id);

#endif /* QSPND_IDENT_H */
