// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * seed_state.c: the kernel state the Eventi pages leave in one system after
 * a given page, as JSON, for the topotest qspn_seed.
 *
 *   seed-state [-d DIR] [-p PAGE] SYSTEM
 *
 * DIR is tests/conformance (vectors/, stories/); PAGE defaults to 5, the
 * seed page.  The state is computed (cf_seed_model(), vectors.c) the way
 * the conformance test computes its expected states: the story's "initial"
 * state (a gap the pages do not show) is planned from nothing, then the page
 * commands of every step whose blocks all belong to pages 1..PAGE are
 * applied, in order, to the strict kernel model (kmodel.c), with the step's
 * "fixes" (the items of spec/inconsistencies.md the conformance test
 * applies) applied to the page commands.  A command the model refuses is an
 * error (exit 1).
 *
 * Output (stdout), everything of the default namespace:
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
 *    "netns": ["entr03"]}            (the other namespaces left, if any)
 *
 * Routes: "type" is "unicast", "unreachable" or "blackhole"; via, dev and
 * src only when present.  "iptables" holds every iptables rule verbatim
 * (table, chain, rest); "marks" and "snat" are the MARK and SNAT ones parsed.
 */
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

static struct json_object *state_json(const struct kmodel *m)
{
	struct json_object *out = json_object_new_object();
	struct json_object *rtt = json_object_new_object();
	struct json_object *routes = json_object_new_array();
	struct json_object *rules = json_object_new_array();
	struct json_object *addrs = json_object_new_array();
	struct json_object *netns = json_object_new_array();
	char **d = kmodel_dump(m);

	json_object_object_add(out, "rt_tables", rtt);
	json_object_object_add(out, "routes", routes);
	json_object_object_add(out, "rules", rules);
	json_object_object_add(out, "marks", json_object_new_array());
	json_object_object_add(out, "snat", json_object_new_array());
	json_object_object_add(out, "iptables", json_object_new_array());
	json_object_object_add(out, "addresses", addrs);
	json_object_object_add(out, "netns", netns);
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
		} else if (!strncmp(l, DEFNS "route ", strlen(DEFNS "route "))) {
			add_route(routes, buf + strlen(DEFNS "route "));
		} else if (!strncmp(l, DEFNS "rule ", strlen(DEFNS "rule "))) {
			struct json_object *o = json_object_new_object();

			/* "rule fwmark N table T" */
			if (split(buf + strlen(DEFNS), t, 8) == 5) {
				json_object_object_add(
					o, "fwmark", json_object_new_int(atoi(t[2])));
				json_object_object_add(
					o, "table", json_object_new_int(atoi(t[4])));
			}
			json_object_array_add(rules, o);
		} else if (!strncmp(l, DEFNS "iptables ",
				    strlen(DEFNS "iptables "))) {
			add_iptables(out, l + strlen(DEFNS "iptables "));
		} else if (!strncmp(l, DEFNS "address ",
				    strlen(DEFNS "address "))) {
			struct json_object *o = json_object_new_object();

			/* "address IP dev D" */
			if (split(buf + strlen(DEFNS), t, 8) == 4) {
				json_object_object_add(
					o, "ip", json_object_new_string(t[1]));
				json_object_object_add(
					o, "dev", json_object_new_string(t[3]));
			}
			json_object_array_add(addrs, o);
		}
	}
	kmodel_dump_free(d);
	return out;
}

static void usage(void)
{
	fprintf(stderr, "usage: seed-state [-d DIR] [-p PAGE] SYSTEM\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct json_object *out, *applied, *items;
	struct kmodel *m;
	int opt, last_page = 5, rc = 1;

	while ((opt = getopt(argc, argv, "d:p:")) != -1) {
		switch (opt) {
		case 'd':
			dir = optarg;
			break;
		case 'p':
			last_page = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (optind + 1 != argc || last_page < 1)
		usage();
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
	m = cf_seed_model(dir, argv[optind], last_page, applied, items);
	if (m) {
		rc = 0;
		out = state_json(m);
		json_object_object_add(out, "system",
				       json_object_new_string(argv[optind]));
		json_object_object_add(out, "page",
				       json_object_new_int(last_page));
		json_object_object_add(out, "blocks", json_object_get(applied));
		json_object_object_add(out, "inconsistencies",
				       json_object_get(items));
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
