// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qspnd_kernel.c: the kernel state (being written; no-ops for now).
 */
#include <zebra.h>

#include "qspnd.h"

void qspnd_kernel_init(void)
{
}

void qspnd_kernel_sync(void)
{
}

void qspnd_kernel_update_dest(struct qspn_hcoord dest)
{
}

void qspnd_kernel_stop(void)
{
}

void qspnd_kernel_zebra_connected(void)
{
}
