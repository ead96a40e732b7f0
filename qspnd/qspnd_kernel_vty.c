// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qspnd_kernel_vty.c: `show qspn routes [json]`, `show qspn tables [json]`:
 * the kernel state qspnd installed (what it sent to zebra and put in the
 * kernel itself), not the planner's wish.
 */
#include <zebra.h>

#include "lib/command.h"
#include "lib/json.h"
#include "lib/vty.h"

#include "qspnd.h"
#include "qspnd_kernel.h"

#define QSPN_STR "QSPN (Netsukuku) information\n"

static const char *rtype_str(uint8_t t)
{
	switch (t) {
	case QSPN_RT_UNREACHABLE:
		return "unreachable";
	case QSPN_RT_BLACKHOLE:
		return "blackhole";
	case QSPN_RT_VIA:
		return "via";
	}
	return "none";
}

static void ip_str(uint32_t ip, char *buf, size_t len)
{
	uint32_t be = htonl(ip);

	inet_ntop(AF_INET, &be, buf, len);
}

static void route_json(const struct qspnd_zroute *r, void *arg)
{
	struct json_object *jroutes = arg;
	struct json_object *jr = json_object_new_object();
	char buf[INET_ADDRSTRLEN], key[24];

	ip_str(r->dst.addr, buf, sizeof(buf));
	snprintf(key, sizeof(key), "%s/%u", buf, r->dst.len);
	json_object_string_add(jr, "type", rtype_str(r->rtype));
	if (r->rtype == QSPN_RT_VIA) {
		if (r->gw) {
			ip_str(r->gw, buf, sizeof(buf));
			json_object_string_add(jr, "gateway", buf);
		}
		json_object_string_add(jr, "interface", r->dev);
	}
	if (r->src) {
		ip_str(r->src, buf, sizeof(buf));
		json_object_string_add(jr, "src", buf);
	}
	json_object_object_add(jroutes, key, jr);
}

/* the tables qspnd writes to: `main` (link-local routes), then rt_tables */
static struct json_object *routes_json(void)
{
	struct json_object *json = json_object_new_object();
	const struct qspnd_rtt_line *rtt;
	const struct qspnd_llroute *ll;
	size_t n = qspnd_kernel_tables(&rtt);
	struct json_object *jt, *jroutes;

	for (size_t i = 0; i < n; i++) {
		jt = json_object_new_object();
		jroutes = json_object_new_object();
		json_object_int_add(jt, "tableId", rtt[i].tid);
		qspnd_zroute_walk(rtt[i].tid, route_json, jroutes);
		json_object_object_add(jt, "routes", jroutes);
		json_object_object_add(json, rtt[i].name, jt);
	}
	n = qspnd_kernel_llroutes(&ll);
	if (n) {
		jt = json_object_new_object();
		jroutes = json_object_new_object();
		json_object_int_add(jt, "tableId", RT_TABLE_MAIN);
		for (size_t i = 0; i < n; i++) {
			struct qspnd_zroute r = {
				.tid = RT_TABLE_MAIN,
				.dst = {.addr = ll[i].dst, .len = 32},
				.rtype = QSPN_RT_VIA,
				.src = ll[i].src,
			};

			snprintf(r.dev, sizeof(r.dev), "%s", ll[i].dev);
			route_json(&r, jroutes);
		}
		json_object_object_add(jt, "routes", jroutes);
		json_object_object_add(json, "main", jt);
	}
	return json;
}

DEFUN(show_qspn_routes, show_qspn_routes_cmd, "show qspn routes [json]",
      SHOW_STR QSPN_STR
      "Routes qspnd installed (through zebra, and its link-local routes)\n" JSON_STR)
{
	struct json_object *json = routes_json();

	if (argc > 3)
		return vty_json(vty, json);
	json_object_object_foreach(json, tname, jt)
	{
		struct json_object *jroutes =
			json_object_object_get(jt, "routes");

		vty_out(vty, "Table %s (%d), %d routes\n", tname,
			json_object_get_int(
				json_object_object_get(jt, "tableId")),
			json_object_object_length(jroutes));
		json_object_object_foreach(jroutes, pfx, jr)
		{
			struct json_object *v;

			vty_out(vty, "  %-18s %s", pfx,
				json_object_get_string(
					json_object_object_get(jr, "type")));
			if (json_object_object_get_ex(jr, "gateway", &v))
				vty_out(vty, " %s", json_object_get_string(v));
			if (json_object_object_get_ex(jr, "interface", &v))
				vty_out(vty, " dev %s",
					json_object_get_string(v));
			if (json_object_object_get_ex(jr, "src", &v))
				vty_out(vty, " src %s",
					json_object_get_string(v));
			vty_out(vty, "\n");
		}
	}
	json_object_free(json);
	return CMD_SUCCESS;
}

static struct json_object *tables_json(void)
{
	struct json_object *json = json_object_new_object();
	struct json_object *jtables = json_object_new_object();
	struct json_object *jc = json_object_new_object();
	const struct qspnd_rtt_line *rtt;
	size_t n = qspnd_kernel_tables(&rtt);

	for (size_t i = 0; i < n; i++) {
		struct json_object *jt = json_object_new_object();
		uint8_t mac[6];

		json_object_int_add(jt, "tableId", rtt[i].tid);
		json_object_int_add(jt, "routes",
				    qspnd_zroute_count(rtt[i].tid));
		json_object_int_add(jt, "routesInstalled",
				    qspnd_zroute_installed_count(rtt[i].tid));
		json_object_boolean_add(
			jt, "rule", qspnd_kernel_rule_installed(rtt[i].tid));
		if (rtt[i].tid != QSPN_TID_NTK) {
			json_object_int_add(jt, "fwmark", rtt[i].tid);
			if (qspnd_nft_mark_of(rtt[i].tid, mac)) {
				char buf[18];

				qspn_mac_format(mac, buf);
				json_object_string_add(jt, "markMac", buf);
			}
		}
		json_object_object_add(jtables, rtt[i].name, jt);
	}
	json_object_object_add(json, "tables", jtables);
	json_object_int_add(json, "nftRules", qspnd_nft_rule_count());
	json_object_boolean_add(json, "zebraSrcRouteMap",
				qspnd_zroute_src_bound());
	json_object_int_add(jc, "operations", qspnd_kstats.ops);
	json_object_int_add(jc, "operationErrors", qspnd_kstats.op_errors);
	json_object_int_add(jc, "syncs", qspnd_kstats.syncs);
	json_object_int_add(jc, "updates", qspnd_kstats.updates);
	json_object_int_add(jc, "repairs", qspnd_kstats.resyncs);
	json_object_int_add(jc, "zebraResends", qspnd_kstats.zebra_resends);
	json_object_int_add(jc, "zebraInstalled", qspnd_kstats.zebra_installed);
	json_object_int_add(jc, "zebraFailed", qspnd_kstats.zebra_failed);
	json_object_int_add(jc, "leftoversRemoved", qspnd_kstats.leftovers);
	json_object_object_add(json, "counters", jc);
	if (qspnd_kstats.last_error[0])
		json_object_string_add(json, "lastError",
				       qspnd_kstats.last_error);
	return json;
}

DEFUN(show_qspn_tables, show_qspn_tables_cmd, "show qspn tables [json]",
      SHOW_STR QSPN_STR "Routing tables, rules and marks of qspnd\n" JSON_STR)
{
	struct json_object *json = tables_json();
	struct json_object *jtables, *v;

	if (argc > 3)
		return vty_json(vty, json);
	jtables = json_object_object_get(json, "tables");
	vty_out(vty, "%-32s %5s %7s %5s %s\n", "Table", "Id", "Routes", "Rule",
		"Mark (source MAC)");
	json_object_object_foreach(jtables, name, jt)
	{
		vty_out(vty, "%-32s %5d %7d %5s %s\n", name,
			json_object_get_int(
				json_object_object_get(jt, "tableId")),
			json_object_get_int(
				json_object_object_get(jt, "routes")),
			json_object_get_boolean(
				json_object_object_get(jt, "rule"))
				? "yes"
				: "no",
			json_object_object_get_ex(jt, "markMac", &v)
				? json_object_get_string(v)
				: "-");
	}
	vty_out(vty, "nftables rules: %d; src route-map in zebra: %s\n",
		json_object_get_int(json_object_object_get(json, "nftRules")),
		json_object_get_boolean(
			json_object_object_get(json, "zebraSrcRouteMap"))
			? "yes"
			: "no");
	json_object_object_foreach(json_object_object_get(json, "counters"), k,
				   cv)
		vty_out(vty, "  %-18s %s\n", k, json_object_get_string(cv));
	if (json_object_object_get_ex(json, "lastError", &v))
		vty_out(vty, "Last error: %s\n", json_object_get_string(v));
	json_object_free(json);
	return CMD_SUCCESS;
}

void qspnd_kernel_vty_init(void)
{
	install_element(VIEW_NODE, &show_qspn_routes_cmd);
	install_element(VIEW_NODE, &show_qspn_tables_cmd);
}
