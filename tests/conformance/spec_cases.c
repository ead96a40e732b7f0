// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * spec_cases.c: the planner against cases written from
 * doc/protocol/routes.md where the Eventi pages 1-7 say nothing
 * (tests/conformance/spec/<case>.json).
 *
 * A case follows one system through steps, in the JSON form of
 * doc/qspn-plan.md:
 *
 *   {"topology": "4.2.2.2", "section": "routes.md §...", "comment": ...,
 *    "initial": STATE,                 planned from nothing, not checked
 *    "steps": [{"comment": ..., "state": STATE, "expect": [COMMAND, ...]}]}
 *
 * For every step, qspn_plan_diff(previous state, step state) must print
 * exactly the expected commands, in that order; they must run on the strict
 * kernel model (tests/conformance/kmodel.c) from the previous step's model,
 * and the model they leave must equal the step state planned from nothing.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmodel.h"
#include "vectors.h"
#include "qspn_plan.h"
#include "qspn_plan_json.h"

#ifndef QSPN_CONFORMANCE_DIR
#define QSPN_CONFORMANCE_DIR "tests/conformance"
#endif

static int failures, cases;
static const char *dir = QSPN_CONFORMANCE_DIR;

/* apply ops to m; false (printed) on a refused command */
static bool apply(struct kmodel *m, const struct qspn_ops *ops,
		  const char *what)
{
	char line[512], err[256];
	bool ok = true;

	for (size_t i = 0; i < ops->n; i++) {
		qspn_op_format(&ops->v[i], line, sizeof(line));
		if (kmodel_apply(m, line, err, sizeof(err)) < 0) {
			printf("# %s, command %zu refused: \"%s\": %s\n", what,
			       i + 1, line, err);
			ok = false;
		}
	}
	return ok;
}

static struct kmodel *fresh_model(const struct qspn_kstate *ks,
				  const char *const *nics, size_t n_nics)
{
	struct qspn_kstate *empty = qspn_kstate_new();
	struct kmodel *m = kmodel_new(nics, n_nics);
	struct qspn_ops ops;

	qspn_ops_init(&ops);
	if (!empty || !m || qspn_plan_diff(empty, ks, &ops) < 0 ||
	    !apply(m, &ops, "the state planned from nothing")) {
		kmodel_free(m);
		m = NULL;
	}
	qspn_ops_free(&ops);
	qspn_kstate_free(empty);
	return m;
}

static bool check_step(struct json_object *step, const struct qspn_kstate *kp,
		       const struct qspn_kstate *kc, struct kmodel *model,
		       const char *const *nics, size_t n_nics)
{
	struct json_object *expect;
	struct qspn_ops ops;
	struct kmodel *fresh;
	size_t n_exp;
	bool ok = true;

	qspn_ops_init(&ops);
	if (!json_object_object_get_ex(step, "expect", &expect) ||
	    !json_object_is_type(expect, json_type_array)) {
		printf("# the step has no \"expect\" list\n");
		return false;
	}
	n_exp = json_object_array_length(expect);
	if (qspn_plan_diff(kp, kc, &ops) < 0) {
		printf("# out of memory\n");
		return false;
	}
	for (size_t i = 0; i < ops.n || i < n_exp; i++) {
		char line[512] = "";
		const char *want =
			i < n_exp
				? json_object_get_string(
					  json_object_array_get_idx(expect, i))
				: NULL;

		if (i < ops.n)
			qspn_op_format(&ops.v[i], line, sizeof(line));
		if (i >= ops.n || !want || strcmp(line, want)) {
			printf("# command %zu: expected \"%s\", planned \"%s\"\n",
			       i + 1, want ? want : "(nothing)",
			       i < ops.n ? line : "(nothing)");
			ok = false;
		}
	}
	if (!apply(model, &ops, "planned"))
		ok = false;
	fresh = fresh_model(kc, nics, n_nics);
	if (!fresh ||
	    !cf_same_model(fresh, model, "the state planned from nothing",
			   "the model after the step", "", NULL))
		ok = false;
	kmodel_free(fresh);
	qspn_ops_free(&ops);
	return ok;
}

static void run_case(const char *name)
{
	char path[512], err[512] = "", perr[512] = "";
	struct json_object *doc, *v, *steps = NULL;
	struct qspn_topology topo;
	struct qspn_json_state prev, cur;
	struct qspn_kstate *kprev = NULL, *kcur = NULL;
	struct kmodel *model = NULL;
	const char *nics[8];
	size_t n_nics = 0, len;
	const char *section;
	char *text;

	memset(&prev, 0, sizeof(prev));
	memset(&cur, 0, sizeof(cur));
	snprintf(path, sizeof(path), "%s/spec/%s.json", dir, name);
	text = cf_slurp(path, &len);
	if (!text) {
		printf("not ok %d - %s: cannot read %s\n", ++cases, name, path);
		failures++;
		return;
	}
	doc = qspn_json_parse_text(text, len, err, sizeof(err));
	free(text);
	if (!doc || qspn_json_topology(doc, "$", &topo, err, sizeof(err)) < 0) {
		printf("not ok %d - %s: %s\n", ++cases, path, err);
		failures++;
		json_object_put(doc);
		return;
	}
	section = cf_getstr(doc, "section");
	if (json_object_object_get_ex(doc, "nics", &v))
		for (size_t i = 0; i < json_object_array_length(v) && i < 8;
		     i++)
			nics[n_nics++] = json_object_get_string(
				json_object_array_get_idx(v, i));
	if (json_object_object_get_ex(doc, "initial", &v) &&
	    !json_object_is_type(v, json_type_null)) {
		if (qspn_json_state(v, "$.initial", &topo, &prev, err,
				    sizeof(err)) < 0 ||
		    qspn_plan_build(&prev.sys, &kprev, perr, sizeof(perr)) <
			    0) {
			printf("not ok %d - %s initial state: %s%s\n", ++cases,
			       name, err, perr);
			failures++;
			goto out;
		}
	} else {
		kprev = qspn_kstate_new();
	}
	model = fresh_model(kprev, nics, n_nics);
	if (!model) {
		printf("not ok %d - %s: the initial state does not run\n",
		       ++cases, name);
		failures++;
		goto out;
	}
	json_object_object_get_ex(doc, "steps", &steps);
	for (size_t s = 0; steps && s < json_object_array_length(steps); s++) {
		struct json_object *step = json_object_array_get_idx(steps, s);
		struct json_object *st;
		const char *what = cf_getstr(step, "comment");
		char spath[64];
		bool ok;

		cases++;
		snprintf(spath, sizeof(spath), "$.steps[%zu].state", s);
		if (!json_object_object_get_ex(step, "state", &st) ||
		    qspn_json_state(st, spath, &topo, &cur, err, sizeof(err)) <
			    0 ||
		    qspn_plan_build(&cur.sys, &kcur, perr, sizeof(perr)) < 0) {
			printf("not ok %d - %s step %zu: %s%s\n", cases, name,
			       s, err, perr);
			failures++;
			break;
		}
		ok = check_step(step, kprev, kcur, model, nics, n_nics);
		printf("%s %d - %s step %zu (%s): %s\n", ok ? "ok" : "not ok",
		       cases, name, s, section ? section : "routes.md",
		       what ? what : "");
		if (!ok)
			failures++;
		qspn_kstate_free(kprev);
		kprev = kcur;
		kcur = NULL;
		qspn_json_state_free(&prev);
		prev = cur;
		memset(&cur, 0, sizeof(cur));
	}
out:
	kmodel_free(model);
	qspn_kstate_free(kprev);
	qspn_kstate_free(kcur);
	qspn_json_state_free(&prev);
	qspn_json_state_free(&cur);
	json_object_put(doc);
}

int main(int argc, char **argv)
{
	static const char *const names[] = {
		"replaced-identity", "inherited-table", "subnet-hosts", NULL};

	if (argc > 1)
		dir = argv[1];
	for (int i = 0; names[i]; i++)
		run_case(names[i]);
	printf("1..%d\n# %d cases, %d failed\n", cases, cases, failures);
	return failures ? 1 : 0;
}
