// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vectors.c: see vectors.h.
 */
#include "vectors.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmodel.h"
#include "qspn_plan.h"
#include "qspn_plan_json.h"

#define CF_MAX_FILES 32

struct cf_block cf_blocks[CF_MAX_BLOCKS];
int cf_n_blocks;

static struct cf_vfile vfiles[CF_MAX_FILES];
static int n_vfiles;

char *cf_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long sz;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (sz = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)sz + 1);
		if (buf && fread(buf, 1, (size_t)sz, f) != (size_t)sz) {
			free(buf);
			buf = NULL;
		}
		if (buf) {
			buf[sz] = '\0';
			if (len)
				*len = (size_t)sz;
		}
	}
	fclose(f);
	return buf;
}

/*
 * The reference's pages, as blocks.tsv names them (paths in the public
 * repository lukisi/documentation, not in this one): "ita/Proof/Eventi.md"
 * is page 1, "ita/Proof/Eventi5.md" page 5.
 */
static int page_of(const char *md)
{
	const char *p = strstr(md, "Eventi");

	if (!p)
		return -1;
	p += strlen("Eventi");
	if (!strcmp(p, ".md"))
		return 1;
	return atoi(p);
}

int cf_load_blocks(const char *dir)
{
	char path[512], line[2048];
	FILE *f;

	snprintf(path, sizeof(path), "%s/vectors/blocks.tsv", dir);
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		return -1;
	}
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return -1;
	}
	while (fgets(line, sizeof(line), f) && cf_n_blocks < CF_MAX_BLOCKS) {
		struct cf_block *b = &cf_blocks[cf_n_blocks];
		char *fld[16];
		int n = 0;

		for (char *p = line, *q; n < 16 && p; p = q) {
			q = strchr(p, '\t');
			if (q)
				*q++ = '\0';
			fld[n++] = p;
		}
		if (n < 15)
			continue;
		memset(b, 0, sizeof(*b));
		b->seq = atoi(fld[0]);
		snprintf(b->file, sizeof(b->file), "%s", fld[1]);
		b->first = atoi(fld[2]);
		b->last = atoi(fld[3]);
		b->page = page_of(fld[5]);
		snprintf(b->desc, sizeof(b->desc), "%s: %s", fld[8], fld[10]);
		cf_n_blocks++;
	}
	fclose(f);
	return 0;
}

struct cf_block *cf_find_block(int seq)
{
	for (int i = 0; i < cf_n_blocks; i++)
		if (cf_blocks[i].seq == seq)
			return &cf_blocks[i];
	return NULL;
}

struct cf_vfile *cf_vector(const char *dir, const char *name)
{
	char path[512];
	struct cf_vfile *v;

	for (int i = 0; i < n_vfiles; i++)
		if (!strcmp(vfiles[i].name, name))
			return &vfiles[i];
	if (n_vfiles == CF_MAX_FILES)
		return NULL;
	v = &vfiles[n_vfiles];
	snprintf(path, sizeof(path), "%s/vectors/%s", dir, name);
	v->text = cf_slurp(path, NULL);
	if (!v->text)
		return NULL;
	snprintf(v->name, sizeof(v->name), "%s", name);
	v->n = 0;
	for (char *p = v->text; *p && v->n < CF_MAX_LINES - 1;) {
		char *e = strchr(p, '\n');

		v->line[++v->n] = p;
		if (!e)
			break;
		*e = '\0';
		p = e + 1;
	}
	n_vfiles++;
	return v;
}

void cf_free_vectors(void)
{
	for (int i = 0; i < n_vfiles; i++)
		free(vfiles[i].text);
	n_vfiles = 0;
}

const char *cf_getstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

int cf_getint(struct json_object *o, const char *key, int def)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return def;
	return json_object_get_int(v);
}

/* -- replaying the pages (seed-state, the seed end-to-end test) ----------- */

static int apply(struct kmodel *m, const char *cmd, const char *where)
{
	char err[256];

	if (kmodel_apply(m, cmd, err, sizeof(err)) < 0) {
		fprintf(stderr, "replay: %s: \"%s\": %s\n", where, cmd, err);
		return -1;
	}
	return 0;
}

/* the largest page and the largest seq of a step's blocks; -1 on error */
static int step_page(struct json_object *step, int *seq)
{
	struct json_object *bl;
	int page = 0;

	*seq = 0;
	if (!json_object_object_get_ex(step, "blocks", &bl) ||
	    !json_object_is_type(bl, json_type_array))
		return -1;
	for (size_t i = 0; i < json_object_array_length(bl); i++) {
		const struct cf_block *b = cf_find_block(
			json_object_get_int(json_object_array_get_idx(bl, i)));

		if (!b)
			return -1;
		if (b->page > page)
			page = b->page;
		if (b->seq > *seq)
			*seq = b->seq;
	}
	return page;
}

/* Compare two models' canonical dumps; print every difference. */
bool cf_same_model(const struct kmodel *exp, const struct kmodel *act,
		   const char *exp_name, const char *act_name,
		   const char *prefix, size_t *n_lines)
{
	char **a = kmodel_dump(exp), **b = kmodel_dump(act);
	size_t i = 0, j = 0;
	bool same = true;

	while (a[i] || b[j]) {
		int c = !a[i] ? 1 : !b[j] ? -1 : strcmp(a[i], b[j]);

		if (c == 0) {
			i++;
			j++;
			continue;
		}
		same = false;
		if (c < 0)
			printf("#   %sonly in %s: %s\n", prefix, exp_name,
			       a[i++]);
		else
			printf("#   %sonly in %s: %s\n", prefix, act_name,
			       b[j++]);
	}
	if (n_lines)
		*n_lines = i;
	kmodel_dump_free(a);
	kmodel_dump_free(b);
	return same;
}

/*
 * Every page command of a step (its "vector" ranges), the step's "fixes"
 * applied (skip, replace, insert_after), in order.
 */
int cf_step_commands(const char *dir, struct json_object *step,
		     int (*fn)(const char *cmd, const char *file, int line,
			       bool inserted, void *arg),
		     void *arg, char *err, size_t errlen)
{
	struct json_object *ranges, *fixes = NULL;

	if (!json_object_object_get_ex(step, "vector", &ranges) ||
	    !json_object_is_type(ranges, json_type_array)) {
		snprintf(err, errlen, "step without vector ranges");
		return -1;
	}
	json_object_object_get_ex(step, "fixes", &fixes);
	for (size_t r = 0; r < json_object_array_length(ranges); r++) {
		struct json_object *rg = json_object_array_get_idx(ranges, r);
		struct json_object *lines;
		const char *file = cf_getstr(rg, "file");
		struct cf_vfile *v = file ? cf_vector(dir, file) : NULL;
		int first, last, rc;

		if (!v || !json_object_object_get_ex(rg, "lines", &lines)) {
			snprintf(err, errlen, "bad vector range %zu", r);
			return -1;
		}
		first = json_object_get_int(
			json_object_array_get_idx(lines, 0));
		last = json_object_get_int(json_object_array_get_idx(lines, 1));
		if (first < 1 || last > v->n || first > last) {
			snprintf(err, errlen, "%s: lines %d-%d out of range",
				 file, first, last);
			return -1;
		}
		for (int l = first; l <= last; l++) {
			const char *cmd = v->line[l];
			const char *insert = NULL;
			bool skip = false;

			for (size_t f = 0;
			     fixes && f < json_object_array_length(fixes);
			     f++) {
				struct json_object *fx =
					json_object_array_get_idx(fixes, f);
				const char *act = cf_getstr(fx, "action");
				const char *ff = cf_getstr(fx, "file");

				if (!ff || strcmp(ff, file) ||
				    cf_getint(fx, "line", 0) != l || !act)
					continue;
				if (!strcmp(act, "skip"))
					skip = true;
				else if (!strcmp(act, "replace"))
					cmd = cf_getstr(fx, "command");
				else if (!strcmp(act, "insert_after"))
					insert = cf_getstr(fx, "command");
			}
			if (!skip && cmd &&
			    (rc = fn(cmd, file, l, false, arg)) != 0)
				return rc;
			if (insert &&
			    (rc = fn(insert, file, l, true, arg)) != 0)
				return rc;
		}
	}
	return 0;
}

static int apply_one(const char *cmd, const char *file, int line, bool inserted,
		     void *arg)
{
	char where[96];

	(void)inserted; /* the replay names both by their line */
	snprintf(where, sizeof(where), "%s:%d", file, line);
	return apply(arg, cmd, where) < 0 ? -1 : 0;
}

/* The page commands of a step, the step's fixes applied, into the model. */
static int apply_step(const char *dir, struct kmodel *m,
		      struct json_object *step, struct json_object *items)
{
	struct json_object *ranges, *fixes = NULL;
	char err[160] = "";

	if (!json_object_object_get_ex(step, "vector", &ranges) ||
	    !json_object_is_type(ranges, json_type_array)) {
		fprintf(stderr, "replay: step without vector ranges\n");
		return -1;
	}
	json_object_object_get_ex(step, "fixes", &fixes);
	for (size_t f = 0; fixes && f < json_object_array_length(fixes); f++) {
		int item = cf_getint(json_object_array_get_idx(fixes, f),
				     "item", 0);
		bool dup = false;

		for (size_t g = 0; g < json_object_array_length(items); g++)
			dup |= json_object_get_int(json_object_array_get_idx(
				       items, g)) == item;
		if (!dup)
			json_object_array_add(items, json_object_new_int(item));
	}
	if (cf_step_commands(dir, step, apply_one, m, err, sizeof(err)) == 0)
		return 0;
	if (err[0])
		fprintf(stderr, "replay: %s\n", err);
	return -1;
}

/* the state the story starts from, planned from nothing */
static int apply_initial(struct kmodel *m, struct json_object *doc,
			 const struct qspn_topology *topo)
{
	char err[QSPN_JSON_ERRLEN], perr[512];
	struct json_object *v;
	struct qspn_json_state st;
	struct qspn_kstate *empty, *ks = NULL;
	struct qspn_ops ops;
	int rc = 0;

	if (!json_object_object_get_ex(doc, "initial", &v) ||
	    json_object_is_type(v, json_type_null))
		return 0;
	memset(&st, 0, sizeof(st));
	err[0] = perr[0] = '\0';
	empty = qspn_kstate_new();
	qspn_ops_init(&ops);
	if (!empty ||
	    qspn_json_state(v, "$.initial", topo, &st, err, sizeof(err)) < 0 ||
	    qspn_plan_build(&st.sys, &ks, perr, sizeof(perr)) < 0 ||
	    qspn_plan_diff(empty, ks, &ops) < 0) {
		fprintf(stderr, "replay: initial state: %s%s\n", err, perr);
		rc = -1;
	}
	for (size_t i = 0; rc == 0 && i < ops.n; i++) {
		char line[512];

		qspn_op_format(&ops.v[i], line, sizeof(line));
		rc = apply(m, line, "initial state");
	}
	qspn_ops_free(&ops);
	qspn_kstate_free(ks);
	qspn_kstate_free(empty);
	qspn_json_state_free(&st);
	return rc;
}

struct kmodel *cf_seed_model(const char *dir, const char *system, int last_page,
			     struct json_object *blocks,
			     struct json_object *items)
{
	return cf_seed_model_seq(dir, system, last_page, INT_MAX, blocks,
				 items);
}

struct kmodel *cf_seed_model_seq(const char *dir, const char *system,
				 int last_page, int last_seq,
				 struct json_object *blocks,
				 struct json_object *items)
{
	char path[512], err[QSPN_JSON_ERRLEN];
	struct json_object *doc, *steps, *nics_j, *its;
	struct qspn_topology topo;
	struct kmodel *m;
	const char *nics[8];
	size_t n_nics = 0, len;
	char *text;
	int rc = 0;

	if (!cf_n_blocks && cf_load_blocks(dir) < 0)
		return NULL;
	snprintf(path, sizeof(path), "%s/stories/%s.json", dir, system);
	text = cf_slurp(path, &len);
	if (!text) {
		fprintf(stderr, "replay: cannot read %s\n", path);
		return NULL;
	}
	doc = qspn_json_parse_text(text, len, err, sizeof(err));
	free(text);
	if (!doc || qspn_json_topology(doc, "$", &topo, err, sizeof(err)) < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, err);
		json_object_put(doc);
		return NULL;
	}
	if (json_object_object_get_ex(doc, "nics", &nics_j))
		for (size_t i = 0;
		     i < json_object_array_length(nics_j) && i < 8; i++)
			nics[n_nics++] = json_object_get_string(
				json_object_array_get_idx(nics_j, i));
	m = kmodel_new(nics, n_nics);
	its = items ? json_object_get(items) : json_object_new_array();
	if (!m || apply_initial(m, doc, &topo) < 0)
		rc = -1;
	json_object_object_get_ex(doc, "steps", &steps);
	for (size_t s = 0;
	     rc == 0 && steps && s < json_object_array_length(steps); s++) {
		struct json_object *step = json_object_array_get_idx(steps, s);
		struct json_object *bl;
		int seq, page = step_page(step, &seq);

		if (page < 0) {
			fprintf(stderr, "replay: step %zu: bad blocks\n", s);
			rc = -1;
			break;
		}
		/* the steps are chronological: stop at the first one past
		 * the page or the seq */
		if (page > last_page || seq > last_seq)
			break;
		if (apply_step(dir, m, step, its) < 0) {
			fprintf(stderr, "replay: %s step %zu\n", path, s);
			rc = -1;
			break;
		}
		json_object_object_get_ex(step, "blocks", &bl);
		for (size_t i = 0; blocks && i < json_object_array_length(bl);
		     i++)
			json_object_array_add(
				blocks,
				json_object_get(
					json_object_array_get_idx(bl, i)));
	}
	json_object_put(its);
	json_object_put(doc);
	if (rc < 0) {
		kmodel_free(m);
		return NULL;
	}
	return m;
}
