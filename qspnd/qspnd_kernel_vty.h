/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qspnd_kernel_vty.h: `show qspn routes|tables` (qspnd_kernel_vty.c).
 */
#ifndef QSPND_KERNEL_VTY_H
#define QSPND_KERNEL_VTY_H


void qspnd_kernel_vty_init(void);

#endif /* QSPND_KERNEL_VTY_H */
