/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qspnd_zebra.h: the ZAPI session with zebra (qspnd_zebra.c): interface
 * events to the neighbours, (re)connections to the kernel state, route
 * notifications to qspnd_zroute.c.  It sets qspnd.zclient.
 */
#ifndef QSPND_ZEBRA_H
#define QSPND_ZEBRA_H

void qspnd_zebra_init(void);
void qspnd_zebra_stop(void);

#endif /* QSPND_ZEBRA_H */
