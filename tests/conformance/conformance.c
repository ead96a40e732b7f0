// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * conformance.c: the planner against the command vectors of the Eventi
 * pages 1-7 (tests/conformance/vectors, copied from the project's reference
 * data; blocks.tsv is their block manifest).
 *
 * Each story (stories/<system>.json) follows one system through the pages:
 * a sequence of system states in the JSON form of doc/qspn-plan.md, each
 * step naming the vector blocks that take the previous state to it.  For
 * every step:
 *
 *   expected = the kernel model after the page's commands of those blocks
 *   actual   = the same starting model after qspn-plan's commands
 *              (qspn_plan_diff(previous state, step state))
 *
 * and the two models must be equal (tables, routes with type/via/dev/src,
 * rules, marks, NAT, namespaces, links, addresses, sysctls, rt_tables).  The
 * interpreter is strict, so order matters where the kernel cares (a route is
 * added before it is changed, a table is declared before its rule, a src
 * address exists before a route uses it).  The next step starts from the
 * expected model.  Every command qspn-plan prints must also appear verbatim
 * among the step's page commands: the planner prints only real changes, but
 * each one exactly as the page writes it.
 *
 * Where a page contradicts the rules, the step carries a "fix" naming the
 * item of doc/protocol/differences.md; no other departures are allowed.  The
 * runner also checks that the steps cover every block of blocks.tsv exactly
 * once, and that each step's line ranges are exactly its blocks' ranges.
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

#define MAX_LINES 2048

static int failures, cases;
static const char *dir = QSPN_CONFORMANCE_DIR;

/*
 * "ip rule add fwmark N table T" goes in only once T is complete
 * (doc/protocol/routes.md §3.4-3.5): remember T's routes at that moment,
 * compare with the end.
 */
struct rulecheck {
	char ns[32], table[64];
	char **at_rule;
	char where[96];
};

static int rule_table(const char *line, struct rulecheck *rc)
{
	char ns[32] = "", table[64];
	unsigned int mark;

	if (sscanf(line, "ip netns exec %31s ip rule add fwmark %u table %63s",
		   ns, &mark, table) != 3 &&
	    sscanf(line, "ip rule add fwmark %u table %63s", &mark, table) != 2)
		return 0;
	snprintf(rc->ns, sizeof(rc->ns), "%s", ns);
	snprintf(rc->table, sizeof(rc->table), "%s", table);
	return 1;
}

static bool rules_after_tables(struct rulecheck *rc, int n,
			       const struct kmodel *end)
{
	bool ok = true;

	for (int i = 0; i < n; i++) {
		char **fin = kmodel_dump_table(end, rc[i].ns, rc[i].table);
		size_t a = 0;

		while (fin && rc[i].at_rule && fin[a] && rc[i].at_rule[a] &&
		       !strcmp(fin[a], rc[i].at_rule[a]))
			a++;
		if (!fin || !rc[i].at_rule || fin[a] || rc[i].at_rule[a]) {
			printf("# %s: rule for %s added before the table was complete\n",
			       rc[i].where, rc[i].table);
			ok = false;
		}
		kmodel_dump_free(fin);
		kmodel_dump_free(rc[i].at_rule);
	}
	return ok;
}

/* The page commands of a step, with the step's fixes applied. */
struct cmdlist {
	const char *cmd[MAX_LINES];
	char where[MAX_LINES][80];
	int n;
};

static int collect(const char *cmd, const char *file, int line, bool inserted,
		   void *arg)
{
	struct cmdlist *cl = arg;

	snprintf(cl->where[cl->n], 80, inserted ? "%s:%d (inserted)" : "%s:%d",
		 file, line);
	cl->cmd[cl->n++] = cmd;
	return 0;
}

static int page_commands(struct json_object *step, struct cmdlist *cl,
			 char *err, size_t errlen)
{
	cl->n = 0;
	return cf_step_commands(dir, step, collect, cl, err, errlen);
}

/* the union of the step's blocks must be exactly its vector ranges */
static int check_blocks(struct json_object *step, const char *sysname,
			char *desc, size_t desclen, char *err, size_t errlen)
{
	struct json_object *bl, *ranges;
	size_t used = 0;
	int want = 0, have = 0;

	desc[0] = '\0';
	if (!json_object_object_get_ex(step, "blocks", &bl) ||
	    !json_object_object_get_ex(step, "vector", &ranges)) {
		snprintf(err, errlen, "step without blocks");
		return -1;
	}
	for (size_t i = 0; i < json_object_array_length(bl); i++) {
		int seq = json_object_get_int(json_object_array_get_idx(bl, i));
		struct cf_block *b = cf_find_block(seq);
		bool inside = false;

		if (!b) {
			snprintf(err, errlen, "unknown block %d", seq);
			return -1;
		}
		if (b->covered++) {
			snprintf(err, errlen, "block %d covered twice", seq);
			return -1;
		}
		if (strncmp(b->file + 9, sysname, strlen(sysname))) {
			snprintf(err, errlen, "block %d is not %s's", seq,
				 sysname);
			return -1;
		}
		want += b->last - b->first + 1;
		for (size_t r = 0; r < json_object_array_length(ranges); r++) {
			struct json_object *rg = json_object_array_get_idx(
						   ranges, r),
					   *ln;
			const char *f = cf_getstr(rg, "file");
			int a, z;

			json_object_object_get_ex(rg, "lines", &ln);
			a = json_object_get_int(
				json_object_array_get_idx(ln, 0));
			z = json_object_get_int(
				json_object_array_get_idx(ln, 1));
			if (f && !strcmp(f, b->file) && b->first >= a &&
			    b->last <= z)
				inside = true;
		}
		if (!inside) {
			snprintf(
				err, errlen,
				"block %d (%s %d-%d) is outside the step's lines",
				seq, b->file, b->first, b->last);
			return -1;
		}
		used += (size_t)snprintf(
			desc + used, used < desclen ? desclen - used : 0,
			"%s#%d %s", i ? "; " : "", seq, b->desc);
	}
	for (size_t r = 0; r < json_object_array_length(ranges); r++) {
		struct json_object *rg = json_object_array_get_idx(ranges, r),
				   *ln;

		json_object_object_get_ex(rg, "lines", &ln);
		have += json_object_get_int(json_object_array_get_idx(ln, 1)) -
			json_object_get_int(json_object_array_get_idx(ln, 0)) +
			1;
	}
	if (want != have) {
		snprintf(
			err, errlen,
			"the step's lines (%d) are not exactly its blocks' (%d)",
			have, want);
		return -1;
	}
	return 0;
}

static bool fresh_matches(const struct kmodel *exp,
			  const struct qspn_kstate *ks, const char *const *nics,
			  size_t n_nics)
{
	struct qspn_kstate *empty = qspn_kstate_new();
	struct kmodel *m = kmodel_new(nics, n_nics);
	struct qspn_ops ops;
	char err[256];
	bool ok = true;

	qspn_ops_init(&ops);
	if (!empty || !m || qspn_plan_diff(empty, ks, &ops) < 0)
		ok = false;
	for (size_t i = 0; ok && i < ops.n; i++) {
		char line[512];

		qspn_op_format(&ops.v[i], line, sizeof(line));
		if (kmodel_apply(m, line, err, sizeof(err)) < 0) {
			printf("# full plan command fails: \"%s\": %s\n", line,
			       err);
			ok = false;
		}
	}
	if (ok && !cf_same_model(exp, m, "the page's state",
				 "qspn-plan's state", "", NULL)) {
		printf("# (above: the page's state against the full plan of the step's state)\n");
		ok = false;
	}
	qspn_ops_free(&ops);
	kmodel_free(m);
	qspn_kstate_free(empty);
	return ok;
}

/*
 * The second pass: the same stories with each identity's id (from its name)
 * and the guest level of the duplication that made it, so that the planner
 * knows when an identity replaced another in its namespace and follows
 * doc/protocol/routes.md §5.4 (delete the old destination set but the kept
 * internal routes, add the new one) instead of matching CIDRs.  The pages'
 * commands must still be matched verbatim, and their end states equalled.
 */
static bool with_ids;

static void tag_ids(struct json_object *state, struct qspn_json_state *st)
{
	/* the guest level of each duplication of pages 1-7 (scenario.md):
	 * the level-1 g-node {delta, mu} enters 2.1 in Eventi3; alpha, beta
	 * and epsilon enter alone (G = 0) */
	static const struct {
		const char *name;
		int g;
	} guest[] = {{"delta1", 1}, {"mu2", 1}};
	struct json_object *ids;

	if (!with_ids || !json_object_object_get_ex(state, "identities", &ids))
		return;
	for (size_t i = 0;
	     i < json_object_array_length(ids) && i < st->sys.n_ids; i++) {
		const char *name =
			cf_getstr(json_object_array_get_idx(ids, i), "name");
		uint64_t h = 1469598103934665603ULL;

		for (const char *c = name ? name : ""; *c; c++)
			h = (h ^ (uint8_t)*c) * 1099511628211ULL;
		st->ids[i].id = h | 1;
		for (size_t g = 0; name && g < sizeof(guest) / sizeof(guest[0]);
		     g++)
			if (!strcmp(name, guest[g].name))
				st->ids[i].guest_level = guest[g].g;
	}
}

static int run_story(const char *name)
{
	char path[512], err[QSPN_JSON_ERRLEN], perr[512];
	struct json_object *doc, *steps, *v, *nics_j;
	struct qspn_topology topo;
	struct qspn_json_state prev, cur;
	struct qspn_kstate *kprev = NULL, *kcur = NULL;
	struct kmodel *model = NULL;
	const char *nics[8];
	size_t n_nics = 0, len;
	char *text;
	int status = -1;

	memset(&prev, 0, sizeof(prev));
	memset(&cur, 0, sizeof(cur));
	snprintf(path, sizeof(path), "%s/stories/%s.json", dir, name);
	text = cf_slurp(path, &len);
	if (!text) {
		printf("not ok - %s: cannot read %s\n", name, path);
		failures++;
		return -1;
	}
	doc = qspn_json_parse_text(text, len, err, sizeof(err));
	free(text);
	if (!doc || qspn_json_topology(doc, "$", &topo, err, sizeof(err)) < 0) {
		printf("not ok - %s: %s\n", path, err);
		failures++;
		json_object_put(doc);
		return -1;
	}
	if (json_object_object_get_ex(doc, "nics", &nics_j))
		for (size_t i = 0;
		     i < json_object_array_length(nics_j) && i < 8; i++)
			nics[n_nics++] = json_object_get_string(
				json_object_array_get_idx(nics_j, i));
	model = kmodel_new(nics, n_nics);

	/* the state before the first block: a gap the pages do not show,
	 * built by the planner itself */
	if (json_object_object_get_ex(doc, "initial", &v) &&
	    !json_object_is_type(v, json_type_null)) {
		struct qspn_kstate *empty = qspn_kstate_new();
		struct qspn_ops ops;

		qspn_ops_init(&ops);
		if (qspn_json_state(v, "$.initial", &topo, &prev, err,
				    sizeof(err)) < 0 ||
		    (tag_ids(v, &prev), qspn_plan_build(&prev.sys, &kprev, perr,
							sizeof(perr)) < 0)) {
			printf("not ok - %s initial state: %s%s\n", name, err,
			       perr);
			failures++;
			qspn_kstate_free(empty);
			goto out;
		}
		qspn_plan_diff(empty, kprev, &ops);
		for (size_t i = 0; i < ops.n; i++) {
			char line[512];

			qspn_op_format(&ops.v[i], line, sizeof(line));
			if (kmodel_apply(model, line, err, sizeof(err)) < 0) {
				printf("not ok - %s initial state: \"%s\": %s\n",
				       name, line, err);
				failures++;
			}
		}
		qspn_ops_free(&ops);
		qspn_kstate_free(empty);
	} else {
		kprev = qspn_kstate_new();
	}

	json_object_object_get_ex(doc, "steps", &steps);
	for (size_t s = 0; steps && s < json_object_array_length(steps); s++) {
		struct json_object *step = json_object_array_get_idx(steps, s);
		struct json_object *st, *fixes;
		struct kmodel *exp = kmodel_clone(model);
		struct kmodel *act = kmodel_clone(model);
		struct cmdlist *cl = calloc(1, sizeof(*cl));
		struct qspn_ops ops;
		char desc[1024], spath[64];
		struct rulecheck rc[8];
		int nrc = 0;
		bool ok = true;

		cases++;
		qspn_ops_init(&ops);
		snprintf(spath, sizeof(spath), "$.steps[%zu].state", s);
		if (check_blocks(step, name, desc, sizeof(desc), err,
				 sizeof(err)) < 0 ||
		    page_commands(step, cl, err, sizeof(err)) < 0 ||
		    !json_object_object_get_ex(step, "state", &st) ||
		    qspn_json_state(st, spath, &topo, &cur, err, sizeof(err)) <
			    0) {
			printf("not ok %d - %s step %zu: %s\n", cases, name, s,
			       err);
			failures++;
			goto next;
		}
		tag_ids(st, &cur);
		if (qspn_plan_build(&cur.sys, &kcur, perr, sizeof(perr)) < 0) {
			printf("not ok %d - %s step %zu: %s.%s\n", cases, name,
			       s, spath, perr);
			failures++;
			goto next;
		}
		/* the page */
		for (int i = 0; i < cl->n; i++) {
			if (kmodel_apply(exp, cl->cmd[i], err, sizeof(err)) <
			    0) {
				printf("# page command fails at %s: \"%s\": %s\n",
				       cl->where[i], cl->cmd[i], err);
				ok = false;
			}
			if (nrc < 8 && rule_table(cl->cmd[i], &rc[nrc])) {
				snprintf(rc[nrc].where, sizeof(rc[nrc].where),
					 "page %s", cl->where[i]);
				rc[nrc].at_rule = kmodel_dump_table(
					exp, rc[nrc].ns, rc[nrc].table);
				nrc++;
			}
		}
		if (!rules_after_tables(rc, nrc, exp))
			ok = false;
		nrc = 0;
		/* qspn-plan */
		if (qspn_plan_diff(kprev, kcur, &ops) < 0) {
			printf("# out of memory\n");
			ok = false;
		}
		for (size_t i = 0; i < ops.n; i++) {
			char line[512];
			bool on_page = false;

			qspn_op_format(&ops.v[i], line, sizeof(line));
			for (int k = 0; k < cl->n && !on_page; k++)
				on_page = !strcmp(cl->cmd[k], line);
			/* only real changes are printed, but each one in
			 * the page's own words */
			if (!on_page) {
				printf("# not verbatim on the page: %s\n",
				       line);
				ok = false;
			}
			if (kmodel_apply(act, line, err, sizeof(err)) < 0) {
				printf("# qspn-plan command %zu fails: \"%s\": %s\n",
				       i + 1, line, err);
				ok = false;
			}
			if (nrc < 8 && rule_table(line, &rc[nrc])) {
				snprintf(rc[nrc].where, sizeof(rc[nrc].where),
					 "qspn-plan command %zu", i + 1);
				rc[nrc].at_rule = kmodel_dump_table(
					act, rc[nrc].ns, rc[nrc].table);
				nrc++;
			}
		}
		if (!rules_after_tables(rc, nrc, act))
			ok = false;
		if (!cf_same_model(exp, act, "the page's state",
				   "qspn-plan's state", "", NULL))
			ok = false;
		/* and the page's state is the whole desired state of the
		 * step's system state, planned from nothing */
		else if (!fresh_matches(exp, kcur, nics, n_nics))
			ok = false;
		printf("%s %d - %s%s: %s (%d page commands, %zu planned)",
		       ok ? "ok" : "not ok", cases, name,
		       with_ids ? " (identity ids, routes.md §5.4)" : "", desc,
		       cl->n, ops.n);
		if (json_object_object_get_ex(step, "fixes", &fixes)) {
			printf(" [departs from the page: inconsistencies.md");
			for (size_t f = 0; f < json_object_array_length(fixes);
			     f++) {
				int item = cf_getint(
					json_object_array_get_idx(fixes, f),
					"item", 0);
				bool dup = false;

				for (size_t g = 0; g < f; g++)
					dup |= cf_getint(
						       json_object_array_get_idx(
							       fixes, g),
						       "item", 0) == item;
				if (!dup)
					printf(" item %d", item);
			}
			printf("]");
		}
		printf("\n");
		if (!ok)
			failures++;
	next:
		qspn_ops_free(&ops);
		free(cl);
		kmodel_free(model);
		kmodel_free(act);
		model = exp;
		qspn_kstate_free(kprev);
		kprev = kcur;
		kcur = NULL;
		qspn_json_state_free(&prev);
		prev = cur;
		memset(&cur, 0, sizeof(cur));
	}
	status = 0;
out:
	kmodel_free(model);
	qspn_kstate_free(kprev);
	qspn_kstate_free(kcur);
	qspn_json_state_free(&prev);
	qspn_json_state_free(&cur);
	json_object_put(doc);
	return status;
}

int main(int argc, char **argv)
{
	static const char *const stories[] = {
		"alpha", "beta", "gamma", "delta", "mu", "epsilon", NULL};
	int missing = 0;

	if (argc > 1)
		dir = argv[1];
	if (cf_load_blocks(dir) < 0)
		return 99;
	for (int i = 0; stories[i]; i++)
		run_story(stories[i]);
	for (int i = 0; i < cf_n_blocks; i++)
		if (!cf_blocks[i].covered) {
			printf("not ok - block %d (%s %d-%d) is not covered by any case\n",
			       cf_blocks[i].seq, cf_blocks[i].file,
			       cf_blocks[i].first, cf_blocks[i].last);
			missing++;
		}
	/* again, each identity saying who it is */
	with_ids = true;
	for (int i = 0; i < cf_n_blocks; i++)
		cf_blocks[i].covered = 0;
	for (int i = 0; stories[i]; i++)
		run_story(stories[i]);
	for (int i = 0; i < cf_n_blocks; i++)
		if (!cf_blocks[i].covered) {
			printf("not ok - block %d (%s %d-%d) is not covered by any case\n",
			       cf_blocks[i].seq, cf_blocks[i].file,
			       cf_blocks[i].first, cf_blocks[i].last);
			missing++;
		}
	printf("1..%d\n# %d cases, %d blocks, %d failed, %d blocks not covered\n",
	       cases, cases, cf_n_blocks, failures, missing);
	cf_free_vectors();
	return failures || missing ? 1 : 0;
}
