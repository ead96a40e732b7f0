// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qspn-plan: what would qspnd do?  Reads a JSON description of a system's
 * state before and after (doc/qspn-plan.md) and prints the kernel commands
 * that take it from one to the other, in the shapes of
 * doc/protocol/commands.md.
 *
 * Exit status: 0 success, 1 usage or I/O error, 2 invalid input (the
 * message names the offending field).  Nothing is printed on stdout unless
 * the whole input is valid.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qspn_plan.h"
#include "qspn_plan_json.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: qspn-plan [-h] FILE|-\n"
		"  FILE: JSON {\"topology\", [\"before\"], \"after\"}; see doc/qspn-plan.md\n"
		"  prints the commands from the before state to the after state\n");
}

static char *read_all(FILE *f, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap);

	while (buf) {
		size_t r = fread(buf + n, 1, cap - n, f);

		n += r;
		if (r == 0)
			break;
		if (n == cap) {
			char *nb = realloc(buf, cap * 2);

			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
	}
	if (buf && ferror(f)) {
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

int main(int argc, char **argv)
{
	static const char *const keys[] = {"topology", "before", "after",
					   "comment", NULL};
	char err[QSPN_JSON_ERRLEN], perr[QSPN_ERRBUF_SIZE * 2];
	struct qspn_json_state before, after;
	struct qspn_kstate *kb = NULL, *ka = NULL;
	struct qspn_topology topo;
	struct json_object *doc, *v;
	struct qspn_ops ops;
	const char *file;
	char *text, *out = NULL;
	size_t len, olen = 0;
	FILE *f;
	int rc = 2, r;

	if (argc != 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argc == 2 ? stdout : stderr);
		return argc == 2 ? 0 : 1;
	}
	file = argv[1];
	f = strcmp(file, "-") ? fopen(file, "r") : stdin;
	if (!f) {
		fprintf(stderr, "qspn-plan: %s: %s\n", file, strerror(errno));
		return 1;
	}
	text = read_all(f, &len);
	if (f != stdin)
		fclose(f);
	if (!text) {
		fprintf(stderr, "qspn-plan: %s: read error\n", file);
		return 1;
	}
	memset(&before, 0, sizeof(before));
	memset(&after, 0, sizeof(after));
	qspn_ops_init(&ops);
	doc = qspn_json_parse_text(text, len, err, sizeof(err));
	free(text);
	if (!doc) {
		fprintf(stderr, "qspn-plan: %s: invalid JSON: %s\n", file, err);
		return 2;
	}
	if (!json_object_is_type(doc, json_type_object)) {
		fprintf(stderr, "qspn-plan: %s: $: expected an object\n", file);
		goto out;
	}
	if (qspn_json_only_keys(doc, "$", keys, err, sizeof(err)) < 0 ||
	    qspn_json_topology(doc, "$", &topo, err, sizeof(err)) < 0)
		goto bad;
	if (json_object_object_get_ex(doc, "before", &v) &&
	    !json_object_is_type(v, json_type_null)) {
		if (qspn_json_state(v, "$.before", &topo, &before, err,
				    sizeof(err)) < 0)
			goto bad;
		r = qspn_plan_build(&before.sys, &kb, perr, sizeof(perr));
		if (r == -1) {
			snprintf(err, sizeof(err), "$.before.%s", perr);
			goto bad;
		}
	} else {
		kb = qspn_kstate_new();
	}
	if (!json_object_object_get_ex(doc, "after", &v)) {
		snprintf(err, sizeof(err), "$.after: missing");
		goto bad;
	}
	if (qspn_json_state(v, "$.after", &topo, &after, err, sizeof(err)) < 0)
		goto bad;
	r = qspn_plan_build(&after.sys, &ka, perr, sizeof(perr));
	if (r == -1) {
		snprintf(err, sizeof(err), "$.after.%s", perr);
		goto bad;
	}
	if (!kb || !ka || qspn_plan_diff(kb, ka, &ops) < 0) {
		fprintf(stderr, "qspn-plan: out of memory\n");
		rc = 1;
		goto out;
	}
	/* format everything before printing anything */
	for (size_t i = 0; i < ops.n; i++) {
		char line[512];
		int n = qspn_op_format(&ops.v[i], line, sizeof(line));
		char *nb = realloc(out, olen + (size_t)n + 2);

		if (!nb) {
			fprintf(stderr, "qspn-plan: out of memory\n");
			rc = 1;
			goto out;
		}
		out = nb;
		memcpy(out + olen, line, (size_t)n);
		olen += (size_t)n;
		out[olen++] = '\n';
	}
	if (olen && fwrite(out, 1, olen, stdout) != olen) {
		rc = 1;
		goto out;
	}
	rc = 0;
	goto out;
bad:
	fprintf(stderr, "qspn-plan: %s: %s\n", file, err);
	rc = 2;
out:
	free(out);
	qspn_ops_free(&ops);
	qspn_kstate_free(kb);
	qspn_kstate_free(ka);
	qspn_json_state_free(&before);
	qspn_json_state_free(&after);
	json_object_put(doc);
	return rc;
}
