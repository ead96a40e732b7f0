// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * seed_state.c: the kernel state the Eventi pages leave in one system after
 * a given page, as JSON, for the topotest qspn_seed.
 *
 *   seed-state [-d DIR] [-p PAGE] [-s SEQ] SYSTEM
 *
 * DIR is tests/conformance (vectors/, stories/); PAGE defaults to 5, the
 * seed page, and 0 is the story's initial state.  The state is computed
 * (cf_seed_model_seq(), vectors.c) the way the conformance test computes
 * its expected states: the story's "initial" state (a gap the pages do not
 * show) is planned from nothing, then the page commands of every step whose
 * blocks all belong to pages 1..PAGE are applied, in order, to the strict
 * kernel model (kmodel.c), with the step's "fixes" (the items of
 * doc/protocol/differences.md the conformance test applies) applied to the
 * page commands.  A command the model refuses is an error (exit 1).
 *
 * -s SEQ also stops before the first step with a block whose seq (the
 * global, chronological order of blocks.tsv) is past SEQ: the state of the
 * system at that point of the scenario, e.g. -s 40 on delta is the state
 * after the ETPs of Eventi5 and before the dismissal of entr03.  Without
 * -p, -s has no page limit.  A step is applied whole: the steps of the
 * stories group blocks whose intermediate states the pages do not show.
 *
 * Output (stdout), the default namespace at the top level:
 *
 *   {"system": "delta", "page": 5, "blocks": [24, ...],
 *    "inconsistencies": [items applied],
 *    "rt_tables": {"251": "ntk", "250": "ntk_from_00:16:3E:2D:8D:DE"},
 *    "routes": [{"table": 251, "dst": "10.0.0.0/29", "type": "unreachable",
 *                "via": "169.254.94.223", "dev": "eth1", "src": "10.0.0.21"}],
 *    "rules": [{"fwmark": 0, "table": 251}, ...],
 *    "marks": [{"mac": "00:16:3E:5B:78:D5", "mark": 248}],
 *    "snat": [{"dst": "10.0.0.64/27", "to": "10.0.0.21"}],
 *    "iptables": ["nat POSTROUTING ...", ...],
 *    "addresses": [{"ip": "10.0.0.21", "dev": "eth1"}],
 *    "netns": ["entr03"],            (the other namespaces left, if any)
 *    "seq": 40,                      (only with -s)
 *    "namespaces": {"entr03": {"routes": [...], "rules": [...],
 *                              "marks": [...], "snat": [...],
 *                              "iptables": [...], "addresses": [...],
 *                              "links": [{"name": "entr03_eth1",
 *                                         "up": true}, ...]}}}
 *
 * "namespaces" is there only when "netns" is not empty (so the output of a
 * state without other namespaces, e.g. the seed page's, is unchanged); it
 * holds every other namespace, with the keys of the default one (rt_tables
 * is system-wide, so only at the top level) plus its links.
 *
 * Routes: "type" is "unicast", "unreachable" or "blackhole"; via, dev and
 * src only when present.  "iptables" holds every iptables rule verbatim
 * (table, chain, rest); "marks" and "snat" are the MARK and SNAT ones parsed.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kmodel.h"
#include "vectors.h"
#include "qspn_plan.h"
#include "qspn_plan_json.h"

#ifndef QSPN_CONFORMANCE_DIR
#define QSPN_CONFORMANCE_DIR "tests/conformance"
#endif


static const char *dir = QSPN_CONFORMANCE_DIR;

/* -- the model's canonical dump, as JSON ------------------------------------ */

#define DEFNS "netns (default) "

static int split(char *s, char **tok, int max)
{
	int n = 0;

	for (char *p = strtok(s, " "); p && n < max; p = strtok(NULL, " "))
		tok[n++] = p;
	return n;
}

static void add_route(struct json_object *routes, char *rest)
{
	struct json_object *r = json_object_new_object();
	char *t[16];
	int n = split(rest, t, 16);

	/* "table 251 10.0.0.0/29 unicast via X dev Y src Z" */
	if (n < 4)
		return;
	json_object_object_add(r, "table", json_object_new_int(atoi(t[1])));
	json_object_object_add(r, "dst", json_object_new_string(t[2]));
	json_object_object_add(r, "type", json_object_new_string(t[3]));
	for (int i = 4; i + 1 < n; i += 2)
		json_object_object_add(r, t[i],
				       json_object_new_string(t[i + 1]));
	json_object_array_add(routes, r);
}

static void add_iptables(struct json_object *out, const char *rule)
{
	char buf[256], *t[32];
	int n;

	json_object_array_add(json_object_object_get(out, "iptables"),
			      json_object_new_string(rule));
	snprintf(buf, sizeof(buf), "%s", rule);
	n = split(buf, t, 32);
	/* "mangle PREROUTING -m mac --mac-source M -j MARK --set-mark N" */
	if (n == 10 && !strcmp(t[0], "mangle") && !strcmp(t[3], "mac") &&
	    !strcmp(t[4], "--mac-source") && !strcmp(t[7], "MARK") &&
	    !strcmp(t[8], "--set-mark")) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "mac", json_object_new_string(t[5]));
		json_object_object_add(o, "mark",
				       json_object_new_int(atoi(t[9])));
		json_object_array_add(json_object_object_get(out, "marks"), o);
	}
	/* "nat POSTROUTING -d D -j SNAT --to S" */
	if (n == 8 && !strcmp(t[0], "nat") && !strcmp(t[2], "-d") &&
	    !strcmp(t[5], "SNAT") && !strcmp(t[6], "--to")) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "dst", json_object_new_string(t[3]));
		json_object_object_add(o, "to", json_object_new_string(t[7]));
		json_object_array_add(json_object_object_get(out, "snat"), o);
	}
}

/* The objects of namespace nm ("(default)" for the default one) into out. */
static void ns_json(char **d, const char *nm, struct json_object *out)
{
	struct json_object *routes = json_object_object_get(out, "routes");
	struct json_object *rules = json_object_object_get(out, "rules");
	struct json_object *addrs = json_object_object_get(out, "addresses");
	struct json_object *links = json_object_object_get(out, "links");
	char pfx[96];
	size_t pl;

	snprintf(pfx, sizeof(pfx), "netns %s ", nm);
	pl = strlen(pfx);
	for (size_t i = 0; d[i]; i++) {
		char buf[512], *t[8];
		const char *l = d[i];

		if (strncmp(l, pfx, pl))
			continue;
		l += pl;
		snprintf(buf, sizeof(buf), "%s", l);
		if (!strncmp(l, "route ", 6)) {
			add_route(routes, buf + 6);
		} else if (!strncmp(l, "rule ", 5)) {
			struct json_object *o = json_object_new_object();

			/* "rule fwmark N table T" */
			if (split(buf, t, 8) == 5) {
				json_object_object_add(
					o, "fwmark", json_object_new_int(atoi(t[2])));
				json_object_object_add(
					o, "table", json_object_new_int(atoi(t[4])));
			}
			json_object_array_add(rules, o);
		} else if (!strncmp(l, "iptables ", 9)) {
			add_iptables(out, l + 9);
		} else if (!strncmp(l, "address ", 8)) {
			struct json_object *o = json_object_new_object();

			/* "address IP dev D" */
			if (split(buf, t, 8) == 4) {
				json_object_object_add(
					o, "ip", json_object_new_string(t[1]));
				json_object_object_add(
					o, "dev", json_object_new_string(t[3]));
			}
			json_object_array_add(addrs, o);
		} else if (links && !strncmp(l, "link ", 5)) {
			struct json_object *o = json_object_new_object();

			/* "link NAME up|down" */
			if (split(buf, t, 8) == 3) {
				json_object_object_add(
					o, "name", json_object_new_string(t[1]));
				json_object_object_add(
					o, "up",
					json_object_new_boolean(!strcmp(t[2], "up")));
			}
			json_object_array_add(links, o);
		}
	}
}

static struct json_object *new_ns_object(bool links)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "routes", json_object_new_array());
	json_object_object_add(o, "rules", json_object_new_array());
	json_object_object_add(o, "marks", json_object_new_array());
	json_object_object_add(o, "snat", json_object_new_array());
	json_object_object_add(o, "iptables", json_object_new_array());
	json_object_object_add(o, "addresses", json_object_new_array());
	if (links)
		json_object_object_add(o, "links", json_object_new_array());
	return o;
}

static struct json_object *state_json(const struct kmodel *m)
{
	struct json_object *out = json_object_new_object();
	struct json_object *rtt = json_object_new_object();
	struct json_object *netns = json_object_new_array();
	struct json_object *spaces, *dflt;
	char **d = kmodel_dump(m);

	json_object_object_add(out, "rt_tables", rtt);
	/* the default namespace's keys, in the order they always had */
	dflt = new_ns_object(false);
	json_object_object_foreach(dflt, key, val)
		json_object_object_add(out, key, json_object_get(val));
	json_object_put(dflt);
	json_object_object_add(out, "netns", netns);
	ns_json(d, "(default)", out);
	for (size_t i = 0; d[i]; i++) {
		char buf[512], *t[8];
		const char *l = d[i];

		snprintf(buf, sizeof(buf), "%s", l);
		if (!strncmp(l, "rt_tables ", 10)) {
			if (split(buf, t, 8) == 3)
				json_object_object_add(
					rtt, t[1], json_object_new_string(t[2]));
		} else if (!strncmp(l, "netns ", 6) &&
			   strncmp(l, DEFNS, strlen(DEFNS))) {
			/* "netns NAME" (the default one is "(default)") */
			if (split(buf, t, 8) == 2 && strcmp(t[1], "(default)"))
				json_object_array_add(
					netns, json_object_new_string(t[1]));
		}
	}
	if (json_object_array_length(netns)) {
		spaces = json_object_new_object();
		for (size_t i = 0; i < json_object_array_length(netns); i++) {
			const char *nm = json_object_get_string(
				json_object_array_get_idx(netns, i));
			struct json_object *o = new_ns_object(true);

			ns_json(d, nm, o);
			json_object_object_add(spaces, nm, o);
		}
		json_object_object_add(out, "namespaces", spaces);
	}
	kmodel_dump_free(d);
	return out;
}

/* the largest page of the blocks applied (0: none) */
static int applied_page(struct json_object *applied)
{
	int page = 0;

	for (size_t i = 0; i < json_object_array_length(applied); i++) {
		const struct cf_block *b = cf_find_block(json_object_get_int(
			json_object_array_get_idx(applied, i)));

		if (b && b->page > page)
			page = b->page;
	}
	return page;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: seed-state [-d DIR] [-p PAGE] [-s SEQ] SYSTEM\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct json_object *out, *applied, *items;
	struct kmodel *m;
	int opt, last_page = -1, last_seq = -1, rc = 1;

	while ((opt = getopt(argc, argv, "d:p:s:")) != -1) {
		switch (opt) {
		case 'd':
			dir = optarg;
			break;
		case 'p':
			last_page = atoi(optarg);
			if (last_page < 0)
				usage();
			break;
		case 's':
			last_seq = atoi(optarg);
			if (last_seq < 0)
				usage();
			break;
		default:
			usage();
		}
	}
	if (optind + 1 != argc)
		usage();
	if (last_page < 0)
		last_page = last_seq < 0 ? 5 : INT_MAX;
	if (cf_load_blocks(dir) < 0)
		return 1;
	for (int i = 0; i < cf_n_blocks; i++)
		if (cf_blocks[i].page < 1) {
			fprintf(stderr,
				"seed-state: block %d: no Eventi page\n",
				cf_blocks[i].seq);
			return 1;
		}
	applied = json_object_new_array();
	items = json_object_new_array();
	m = cf_seed_model_seq(dir, argv[optind], last_page,
			      last_seq < 0 ? INT_MAX : last_seq, applied, items);
	if (m) {
		rc = 0;
		out = state_json(m);
		json_object_object_add(out, "system",
				       json_object_new_string(argv[optind]));
		/* the page of the last block applied when only -s limits */
		json_object_object_add(
			out, "page",
			json_object_new_int(last_page == INT_MAX
						    ? applied_page(applied)
						    : last_page));
		json_object_object_add(out, "blocks", json_object_get(applied));
		json_object_object_add(out, "inconsistencies",
				       json_object_get(items));
		if (last_seq >= 0)
			json_object_object_add(out, "seq",
					       json_object_new_int(last_seq));
		printf("%s\n", json_object_to_json_string_ext(
				       out, JSON_C_TO_STRING_PRETTY |
						    JSON_C_TO_STRING_SPACED));
		json_object_put(out);
	}
	json_object_put(applied);
	json_object_put(items);
	kmodel_free(m);
	cf_free_vectors();
	return rc;
}
