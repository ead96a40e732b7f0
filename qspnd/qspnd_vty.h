/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qspnd_vty.h: the CLI (qspnd_vty.c): config commands, `show qspn ...`
 * text and JSON, the identity exec commands.  Its cli_show callbacks are
 * declared with the other northbound callbacks in qspnd_nb.h.
 */
#ifndef QSPND_VTY_H
#define QSPND_VTY_H

/* the help string of `show qspn ...` (also qspnd_kernel_vty.c's) */
#define QSPN_STR "QSPN (Netsukuku) information\n"

void qspnd_vty_init(void);

#endif /* QSPND_VTY_H */
