/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qspnd_debug.h: `debug qspn …` flags (lib/debug.h, like staticd).
 */
#ifndef QSPND_DEBUG_H
#define QSPND_DEBUG_H

#include "lib/debug.h"

extern struct debug qspnd_dbg_events;
extern struct debug qspnd_dbg_etp;
extern struct debug qspnd_dbg_zebra;
extern struct debug qspnd_dbg_kernel;
extern struct debug qspnd_dbg_packets;
extern struct debug qspnd_dbg_nb;

#define QSPND_DEBUG(flag, fmt, ...)                                            \
	do {                                                                   \
		if (DEBUG_MODE_CHECK(&qspnd_dbg_##flag, DEBUG_MODE_ALL))       \
			zlog_debug("qspnd " #flag ": " fmt, ##__VA_ARGS__);    \
	} while (0)

void qspnd_debug_init(void);
/* Set flags for `debug qspn [WHAT]`; what == NULL means all of them. */
void qspnd_debug_set(int vtynode, bool onoff, const char *what);
int qspnd_debug_config_write(struct vty *vty);
void qspnd_debug_status_write(struct vty *vty);

#endif /* QSPND_DEBUG_H */
