// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qspnd_debug.c: debug flags, persisted in the configuration like staticd's
 * (`debug qspn events` in config mode survives in running-config; in enable
 * mode it is terminal-only).
 */
#include <zebra.h>

#include "lib/command.h"
#include "lib/debug.h"

#include "qspnd_debug.h"
#include "qspnd_frr.h"

QSPND_DEBUG_DEFINE(qspnd_dbg_events, "debug qspn events", "QSPN events");
QSPND_DEBUG_DEFINE(qspnd_dbg_etp, "debug qspn etp", "QSPN ETP processing");
QSPND_DEBUG_DEFINE(qspnd_dbg_zebra, "debug qspn zebra", "QSPN zebra");
QSPND_DEBUG_DEFINE(qspnd_dbg_kernel, "debug qspn kernel", "QSPN kernel state");
QSPND_DEBUG_DEFINE(qspnd_dbg_packets, "debug qspn packets", "QSPN packets");
QSPND_DEBUG_DEFINE(qspnd_dbg_nb, "debug qspn northbound", "QSPN northbound");

static const struct {
	struct debug *dbg;
	const char *word;
} qspnd_debugs[] = {
	{&qspnd_dbg_events, "events"},	 {&qspnd_dbg_etp, "etp"},
	{&qspnd_dbg_zebra, "zebra"},	 {&qspnd_dbg_kernel, "kernel"},
	{&qspnd_dbg_packets, "packets"}, {&qspnd_dbg_nb, "northbound"},
};

static void qspnd_debug_set_all(uint32_t flags, bool set)
{
	for (size_t i = 0; i < array_size(qspnd_debugs); i++) {
		DEBUG_FLAGS_SET(qspnd_debugs[i].dbg, flags, set);
		if (!DEBUG_MODE_CHECK(qspnd_debugs[i].dbg, DEBUG_MODE_ALL))
			DEBUG_CLEAR(qspnd_debugs[i].dbg);
	}
}

void qspnd_debug_set(int vtynode, bool onoff, const char *what)
{
	uint32_t mode = DEBUG_NODE2MODE(vtynode);

	for (size_t i = 0; i < array_size(qspnd_debugs); i++)
		if (!what || strmatch(what, qspnd_debugs[i].word))
			DEBUG_MODE_SET(qspnd_debugs[i].dbg, mode, onoff);
}

int qspnd_debug_config_write(struct vty *vty)
{
	int written = 0;

	if (!QSPND_DEBUG_WRITES_CONFIG)
		return 0; /* lib writes each flag's .conf line */
	for (size_t i = 0; i < array_size(qspnd_debugs); i++)
		if (DEBUG_MODE_CHECK(qspnd_debugs[i].dbg, DEBUG_MODE_CONF)) {
			vty_out(vty, "debug qspn %s\n", qspnd_debugs[i].word);
			written++;
		}
	return written;
}

void qspnd_debug_status_write(struct vty *vty)
{
	for (size_t i = 0; i < array_size(qspnd_debugs); i++)
		if (DEBUG_MODE_CHECK(qspnd_debugs[i].dbg, DEBUG_MODE_ALL))
			vty_out(vty, "  %s debugging is on\n",
				qspnd_debugs[i].dbg->desc);
}

void qspnd_debug_init(void)
{
	struct debug *dbgs[array_size(qspnd_debugs)];

	for (size_t i = 0; i < array_size(qspnd_debugs); i++)
		dbgs[i] = qspnd_debugs[i].dbg;
	qspnd_debug_register(dbgs, array_size(dbgs), qspnd_debug_set_all);
}
