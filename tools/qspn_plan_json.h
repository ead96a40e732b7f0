/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qspn_plan_json.h: the JSON form of a system state for the planner
 * (doc/qspn-plan.md), shared by tools/qspn-plan and the conformance tests.
 * Every error names the path of the offending field ("$.after.identities[0]
 * .arcs[1].table_id: ...").
 */
#ifndef QSPN_PLAN_JSON_H
#define QSPN_PLAN_JSON_H

#include <json.h>

#include "qspn_plan.h"

#define QSPN_JSON_ERRLEN 512

/* One system state with the memory behind it. */
struct qspn_json_state {
	struct qspn_plan_system sys;
	struct qspn_plan_nic *nics;
	struct qspn_plan_neighbour *neighbours;
	struct qspn_plan_identity *ids;
	struct qspn_json_ident *jids; /* per identity: arcs, paths */
	struct qspn_plan_subnet_host *hosts;
};

/*
 * Parse a JSON text (a whole document); on error *err gets "line L column C:
 * reason".  Returns the object (caller puts it) or NULL.
 */
struct json_object *qspn_json_parse_text(const char *text, size_t len,
					 char *err, size_t errlen);

/* Parse "topology" (a dotted string) at `path`. */
int qspn_json_topology(struct json_object *obj, const char *path,
		       struct qspn_topology *topo, char *err, size_t errlen);

/*
 * Fill *st from the state object `obj` (path e.g. "$.after").  topo is
 * copied into st->sys.topo.  Returns 0, or -1 with the message in err.
 * qspn_json_state_free() must be called in both cases.
 */
int qspn_json_state(struct json_object *obj, const char *path,
		    const struct qspn_topology *topo,
		    struct qspn_json_state *st, char *err, size_t errlen);
void qspn_json_state_free(struct qspn_json_state *st);

/* Check that obj has only the listed keys (NULL-terminated list). */
int qspn_json_only_keys(struct json_object *obj, const char *path,
			const char *const *keys, char *err, size_t errlen);

#endif /* QSPN_PLAN_JSON_H */
