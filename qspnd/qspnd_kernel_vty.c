// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qspnd_kernel_vty.c: `show qspn routes [json]`, `show qspn tables [json]`:
 * the kernel state qspnd installed (what it sent to zebra and put in the
 * kernel itself), not the planner's wish.
 */
#include <zebra.h>

#include <linux/rtnetlink.h>

#include "lib/command.h"
#include "lib/json.h"
#include "lib/vty.h"

#include "qspnd.h"
#include "qspnd_kernel.h"
#include "qspnd_kernel_vty.h"
#include "qspnd_neigh.h"
#include "qspnd_netns.h"
#include "qspnd_nft.h"
#include "qspnd_vty.h"
#include "qspnd_zroute.h"

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

static void route_json(const struct qspnd_zroute *r, void *arg)
{
	struct json_object *jroutes = arg;
	struct json_object *jr = json_object_new_object();
	char buf[INET_ADDRSTRLEN], key[24];

	qspn_ipv4_format(r->dst.addr, buf, sizeof(buf));
	snprintf(key, sizeof(key), "%s/%u", buf, r->dst.len);
	json_object_string_add(jr, "type", rtype_str(r->rtype));
	if (r->rtype == QSPN_RT_VIA) {
		if (r->gw) {
			qspn_ipv4_format(r->gw, buf, sizeof(buf));
			json_object_string_add(jr, "gateway", buf);
		}
		json_object_string_add(jr, "interface", r->dev);
	}
	if (r->src) {
		qspn_ipv4_format(r->src, buf, sizeof(buf));
		json_object_string_add(jr, "src", buf);
	}
	json_object_object_add(jroutes, key, jr);
}

/* something of table tid is in a namespace of a connectivity identity */
static bool table_in_other_ns(uint32_t tid)
{
	const char(*nss)[QSPN_NAMELEN];
	size_t n = qspnd_netns_list(&nss);
	uint8_t mac[6];

	for (size_t i = 0; i < n; i++)
		if (qspnd_kernel_nsroute_count(nss[i], tid) ||
		    qspnd_kernel_rule_installed(nss[i], tid) ||
		    qspnd_nft_mark_of(nss[i], tid, mac))
			return true;
	return false;
}

static void llroutes_json(struct json_object *json, const char *ns)
{
	const struct qspnd_llroute *ll;
	size_t n = qspnd_kernel_llroutes(&ll);
	struct json_object *jt = NULL, *jroutes = NULL;

	for (size_t i = 0; i < n; i++) {
		struct qspnd_zroute r = {
			.tid = RT_TABLE_MAIN,
			.dst = {.addr = ll[i].dst, .len = 32},
			.rtype = QSPN_RT_VIA,
			.src = ll[i].src,
		};

		if (strcmp(ll[i].ns, ns))
			continue;
		if (!jt) {
			jt = json_object_new_object();
			jroutes = json_object_new_object();
			json_object_int_add(jt, "tableId", RT_TABLE_MAIN);
			json_object_object_add(jt, "routes", jroutes);
			json_object_object_add(json, "main", jt);
		}
		snprintf(r.dev, sizeof(r.dev), "%s", ll[i].dev);
		route_json(&r, jroutes);
	}
}

/* the tables qspnd writes to in ns: rt_tables, then `main` (link-local
 * routes); in the default namespace the routes are zebra's (what qspnd
 * sent), elsewhere qspnd's own */
static struct json_object *routes_json(const char *ns)
{
	struct json_object *json = json_object_new_object();
	const struct qspnd_rtt_line *rtt;
	size_t n = qspnd_kernel_tables(&rtt);
	struct json_object *jt, *jroutes;

	for (size_t i = 0; i < n; i++) {
		if (ns[0] ? !qspnd_kernel_nsroute_count(ns, rtt[i].tid)
			  : (rtt[i].tid != QSPN_TID_NTK &&
			     !qspnd_zroute_count(rtt[i].tid) &&
			     table_in_other_ns(rtt[i].tid)))
			continue;
		jt = json_object_new_object();
		jroutes = json_object_new_object();
		json_object_int_add(jt, "tableId", rtt[i].tid);
		if (ns[0])
			qspnd_kernel_nsroute_walk(ns, rtt[i].tid, route_json,
						  jroutes);
		else
			qspnd_zroute_walk(rtt[i].tid, route_json, jroutes);
		json_object_object_add(jt, "routes", jroutes);
		json_object_object_add(json, rtt[i].name, jt);
	}
	llroutes_json(json, ns);
	return json;
}

/*
 * Per namespace: the default one's tables at the top (as before identities
 * existed), the others' under "namespaces": {"<ns>": {...}}.
 */
static struct json_object *routes_json_all(void)
{
	struct json_object *json = routes_json("");
	const char(*nss)[QSPN_NAMELEN];
	size_t n = qspnd_netns_list(&nss);

	if (n) {
		struct json_object *jns = json_object_new_object();

		for (size_t i = 0; i < n; i++)
			json_object_object_add(jns, nss[i],
					       routes_json(nss[i]));
		json_object_object_add(json, "namespaces", jns);
	}
	return json;
}

static void routes_vty(struct vty *vty, struct json_object *json,
		       const char *indent)
{
	json_object_object_foreach(json, tname, jt)
	{
		struct json_object *jroutes;

		if (!strcmp(tname, "namespaces"))
			continue;
		jroutes = json_object_object_get(jt, "routes");
		vty_out(vty, "%sTable %s (%d), %d routes\n", indent, tname,
			json_object_get_int(
				json_object_object_get(jt, "tableId")),
			json_object_object_length(jroutes));
		json_object_object_foreach(jroutes, pfx, jr)
		{
			struct json_object *v;

			vty_out(vty, "%s  %-18s %s", indent, pfx,
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
}

DEFUN(show_qspn_routes, show_qspn_routes_cmd, "show qspn routes [json]",
      SHOW_STR QSPN_STR
      "Routes qspnd installed (through zebra, its link-local routes, and those of the identities' namespaces)\n" JSON_STR)
{
	struct json_object *json = routes_json_all();
	struct json_object *jns;

	if (argc > 3)
		return vty_json(vty, json);
	routes_vty(vty, json, "");
	if (json_object_object_get_ex(json, "namespaces", &jns)) {
		json_object_object_foreach(jns, ns, jt)
		{
			vty_out(vty, "Namespace %s\n", ns);
			routes_vty(vty, jt, "  ");
		}
	}
	json_object_free(json);
	return CMD_SUCCESS;
}

/* the tables of ns: rt_tables lines with something of ours in ns (in the
 * default namespace: every line but those only other namespaces use) */
static struct json_object *ns_tables_json(const char *ns)
{
	struct json_object *jtables = json_object_new_object();
	const struct qspnd_rtt_line *rtt;
	size_t n = qspnd_kernel_tables(&rtt);

	for (size_t i = 0; i < n; i++) {
		struct json_object *jt;
		uint8_t mac[6];
		bool rule = qspnd_kernel_rule_installed(ns, rtt[i].tid);
		bool mark = rtt[i].tid != QSPN_TID_NTK &&
			    qspnd_nft_mark_of(ns, rtt[i].tid, mac);
		size_t routes;

		routes = ns[0] ? qspnd_kernel_nsroute_count(ns, rtt[i].tid)
			       : qspnd_zroute_count(rtt[i].tid);
		if (!rule && !mark && !routes &&
		    (ns[0] || (rtt[i].tid != QSPN_TID_NTK &&
			       table_in_other_ns(rtt[i].tid))))
			continue;
		jt = json_object_new_object();
		json_object_int_add(jt, "tableId", rtt[i].tid);
		json_object_int_add(jt, "routes", routes);
		/* zebra reports what it installed; qspnd's own routes are
		 * in once the kernel acknowledged them */
		json_object_int_add(
			jt, "routesInstalled",
			ns[0] ? routes
			      : qspnd_zroute_installed_count(rtt[i].tid));
		json_object_boolean_add(jt, "rule", rule);
		if (rtt[i].tid != QSPN_TID_NTK) {
			json_object_int_add(jt, "fwmark", rtt[i].tid);
			if (mark) {
				char buf[18];

				qspn_mac_format(mac, buf);
				json_object_string_add(jt, "markMac", buf);
			}
		}
		json_object_object_add(jtables, rtt[i].name, jt);
	}
	return jtables;
}

struct host_find {
	uint32_t dst;
	const struct qspnd_zroute *r;
	struct qspnd_zroute copy;
};

static void host_route_find(const struct qspnd_zroute *r, void *arg)
{
	struct host_find *f = arg;

	if (r->dst.addr == f->dst && r->dst.len == 32) {
		f->copy = *r;
		f->r = &f->copy;
	}
}

/*
 * The configured hosts of the autonomous subnet (doc/protocol/routes.md
 * §4.8): their internal address of level subnet-level and the route qspnd
 * installed to it in ntk (none while the host cannot be routed: its
 * interface not managed, no main identity, a bad position).
 */
static struct json_object *subnet_hosts_json(void)
{
	struct json_object *jarr = json_object_new_array();
	const struct qspnd_router *r = qspnd.router;
	struct qspnd_ident *m = qspnd_neigh_ident_main();

	for (size_t i = 0; r && i < r->cfg.n_subnet_hosts; i++) {
		const struct qspnd_subnet_host *h = &r->cfg.subnet_hosts[i];
		struct json_object *jh = json_object_new_object();
		char buf[INET_ADDRSTRLEN];
		struct host_find f = {};
		struct qspn_naddr host;

		qspn_ipv4_format(h->linklocal, buf, sizeof(buf));
		json_object_string_add(jh, "linkLocal", buf);
		json_object_string_add(jh, "interface", h->ifname);
		json_object_string_add(jh, "position", h->position);
		if (m && r->cfg.has_topology && r->cfg.subnet_level > 0) {
			host = m->addr;
			if (qspn_plan_subnet_pos_parse(
				    &r->cfg.topo, r->cfg.subnet_level,
				    h->position, host.pos, NULL, 0) == 0) {
				f.dst = qspn_ip_internal_node(
					&r->cfg.topo, &host,
					r->cfg.subnet_level);
				qspn_ipv4_format(f.dst, buf, sizeof(buf));
				json_object_string_add(jh, "address", buf);
				qspnd_zroute_walk(QSPN_TID_NTK, host_route_find,
						  &f);
			}
		}
		if (f.r) {
			struct json_object *jroutes = json_object_new_object();

			route_json(f.r, jroutes);
			json_object_object_foreach(jroutes, key, jr)
			{
				json_object_object_add(jh, "route",
						       json_object_get(jr));
				(void)key;
			}
			json_object_free(jroutes);
		}
		json_object_array_add(jarr, jh);
	}
	return jarr;
}

static struct json_object *tables_json(void)
{
	struct json_object *json = json_object_new_object();
	struct json_object *jc = json_object_new_object();
	const char(*nss)[QSPN_NAMELEN];
	size_t n_ns = qspnd_netns_list(&nss);

	json_object_object_add(json, "tables", ns_tables_json(""));
	json_object_int_add(json, "nftRules", qspnd_nft_rule_count(""));
	json_object_object_add(json, "subnetHosts", subnet_hosts_json());
	if (n_ns) {
		struct json_object *jns = json_object_new_object();

		for (size_t i = 0; i < n_ns; i++) {
			struct json_object *j = json_object_new_object();

			json_object_object_add(j, "tables",
					       ns_tables_json(nss[i]));
			json_object_int_add(j, "nftRules",
					    qspnd_nft_rule_count(nss[i]));
			json_object_object_add(jns, nss[i], j);
		}
		json_object_object_add(json, "namespaces", jns);
	}
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
	json_object_int_add(jc, "staleRoutesDropped",
			    qspnd_kstats.stale_dropped);
	json_object_int_add(jc, "srcRoutesResent", qspnd_kstats.src_resent);
	json_object_int_add(jc, "leftoversRemoved", qspnd_kstats.leftovers);
	json_object_object_add(json, "counters", jc);
	if (qspnd_kstats.last_error[0])
		json_object_string_add(json, "lastError",
				       qspnd_kstats.last_error);
	return json;
}

static void tables_vty(struct vty *vty, struct json_object *jtables)
{
	struct json_object *v;

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
}

DEFUN(show_qspn_tables, show_qspn_tables_cmd, "show qspn tables [json]",
      SHOW_STR QSPN_STR "Routing tables, rules and marks of qspnd\n" JSON_STR)
{
	struct json_object *json = tables_json();
	struct json_object *v, *jns;

	if (argc > 3)
		return vty_json(vty, json);
	tables_vty(vty, json_object_object_get(json, "tables"));
	vty_out(vty, "nftables rules: %d; src route-map in zebra: %s\n",
		json_object_get_int(json_object_object_get(json, "nftRules")),
		json_object_get_boolean(
			json_object_object_get(json, "zebraSrcRouteMap"))
			? "yes"
			: "no");
	if (json_object_object_get_ex(json, "subnetHosts", &v) &&
	    json_object_array_length(v)) {
		vty_out(vty, "Subnet hosts:\n");
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			struct json_object *jh =
				json_object_array_get_idx(v, i);
			struct json_object *a, *rt;

			vty_out(vty, "  %s on %s, position %s: %s, %s\n",
				json_object_get_string(json_object_object_get(
					jh, "linkLocal")),
				json_object_get_string(json_object_object_get(
					jh, "interface")),
				json_object_get_string(
					json_object_object_get(jh, "position")),
				json_object_object_get_ex(jh, "address", &a)
					? json_object_get_string(a)
					: "no address",
				json_object_object_get_ex(jh, "route", &rt)
					? "routed in ntk"
					: "no route");
		}
	}
	if (json_object_object_get_ex(json, "namespaces", &jns)) {
		json_object_object_foreach(jns, ns, jn)
		{
			vty_out(vty, "\nNamespace %s\n", ns);
			tables_vty(vty, json_object_object_get(jn, "tables"));
			vty_out(vty, "nftables rules: %d\n",
				json_object_get_int(json_object_object_get(
					jn, "nftRules")));
		}
	}
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
