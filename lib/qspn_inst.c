// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qspn_inst.c: the services of an instance that every part of the engine
 * uses: signals and log lines out through the host ops, timers in, arcs by
 * id or handle, and the cost of a path through an arc.  Below the map, the
 * ETP code and the codec; above qspn_mem.c only.
 */
#include <stdarg.h>
#include <stdio.h>

#include "qspn_engine_int.h"

void qspn_emit(struct qspn_instance *inst, const struct qspn_signal *sig)
{
	if (inst->ops->signal)
		inst->ops->signal(inst->ctx, inst, sig);
}

void qspn_logf(struct qspn_instance *inst, int level, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	if (!inst->ops->log)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	inst->ops->log(inst->ctx, level, buf);
}

void qspn_timer_add(struct qspn_instance *inst, const struct qspn_timer *t)
{
	if (inst->n_timers == inst->cap_timers) {
		inst->cap_timers = inst->cap_timers ? inst->cap_timers * 2 : 8;
		inst->timers = qspn_xrealloc(inst->timers, inst->cap_timers,
					     sizeof(*inst->timers));
	}
	inst->timers[inst->n_timers] = *t;
	inst->timers[inst->n_timers].seq = inst->timer_seq++;
	inst->n_timers++;
}

struct qspn_arc *qspn_arc_by_id(const struct qspn_instance *inst, uint32_t id)
{
	for (uint32_t i = 0; i < inst->n_arcs; i++)
		if (inst->arcs[i].id == id)
			return &inst->arcs[i];
	return NULL;
}

struct qspn_arc *qspn_arc_by_handle(const struct qspn_instance *inst,
				    uint32_t handle)
{
	for (uint32_t i = 0; i < inst->n_arcs; i++)
		if (inst->arcs[i].handle == handle)
			return &inst->arcs[i];
	return NULL;
}

int64_t qspn_arc_cost_of(const struct qspn_instance *inst, uint32_t arc_id)
{
	const struct qspn_arc *a = qspn_arc_by_id(inst, arc_id);

	return a ? a->cost : -1;
}

struct qspn_cost qspn_npath_cost(const struct qspn_instance *inst,
				 const struct qspn_npath *np)
{
	int64_t c = qspn_arc_cost_of(inst, np->arc_id);

	if (c < 0)
		return qspn_cost_dead();
	return qspn_cost_add(qspn_cost_real(c), np->p.cost);
}
