/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sim_check.h: helpers shared by the scenario tests: building topologies
 * and counting logged signals the way the reference checks grep the
 * harness's event log.
 */
#ifndef QSPN_SIM_CHECK_H
#define QSPN_SIM_CHECK_H

#include <string.h>

#include "sim.h"

static inline void sim_topo(struct qspn_topology *t, int levels,
			    const uint32_t *gsize)
{
	char err[QSPN_ERRBUF_SIZE];

	if (qspn_topology_init(t, levels, gsize, err, sizeof(err)) != 0)
		abort();
}

/* Count events of system `sys`, identity `id`, signal `sig`; dev == NULL
 * matches any device; dest_lvl < 0 matches any destination. */
static inline int sim_count(const struct sim *s, int sys, int id, int sig,
			    const char *dev, int dest_lvl, uint32_t dest_pos)
{
	const struct sim_event *e = sim_events(s);
	int n = 0;

	for (size_t i = 0; i < sim_n_events(s); i++) {
		if (e[i].sys != sys || e[i].id != id || e[i].sig != sig)
			continue;
		if (dev && strcmp(e[i].dev, dev) != 0)
			continue;
		if (dest_lvl >= 0 &&
		    (e[i].dest.lvl != dest_lvl || e[i].dest.pos != dest_pos))
			continue;
		n++;
	}
	return n;
}

/* The last event matching, or NULL. */
static inline const struct sim_event *sim_last(const struct sim *s, int sys,
					       int id, int sig, int level)
{
	const struct sim_event *e = sim_events(s), *r = NULL;

	for (size_t i = 0; i < sim_n_events(s); i++)
		if (e[i].sys == sys && e[i].id == id && e[i].sig == sig &&
		    (level < 0 || e[i].level == level))
			r = &e[i];
	return r;
}

#endif /* QSPN_SIM_CHECK_H */
