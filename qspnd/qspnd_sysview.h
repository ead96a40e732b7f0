/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qspnd_sysview.h: the planner's input, for the kernel orchestrator
 * (qspnd_sysview.c).
 */
#ifndef QSPND_SYSVIEW_H
#define QSPND_SYSVIEW_H

#include "qspnd_kernel.h"

/* registered by main: qspnd_kernel_init(&qspnd_sysview_input) */
extern const struct qspnd_kernel_input qspnd_sysview_input;
/* at exit */
void qspnd_sysview_fini(void);

#endif /* QSPND_SYSVIEW_H */
