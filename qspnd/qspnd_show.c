// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qspnd_show.c: the run-time state of the identities as JSON, for the
 * `show qspn ...` commands (qspnd_vty.c prints the text from the same
 * objects, so text and JSON never disagree): neighbours, arcs, identities,
 * destinations and paths of the main identity's engine.
 */
#include <zebra.h>

#include "lib/json.h"
#include "lib/memory.h"

#include "qspn.h"
#include "qspn_ipv4.h"

#include "qspnd.h"
#include "qspnd_auth.h"
#include "qspnd_neigh.h"
#include "qspnd_router.h"
#include "qspnd_show.h"

DEFINE_MTYPE_STATIC(QSPND, QSPND_SHOW, "QSPN show scratch");

/* a link-local (host order) as text, "-" for none */
static void ll_str(uint32_t ll, char *buf, size_t len)
{
	if (!ll)
		strlcpy(buf, "-", len);
	else
		qspn_ipv4_format(ll, buf, len);
}

struct json_object *qspnd_show_neighbours_json(void)
{
	struct json_object *j = json_object_new_object();
	struct qspnd_ident *m = qspnd_neigh_ident_main();
	char buf[INET_ADDRSTRLEN], mac[18];
	uint64_t now = qspnd_now_ms();

	for (struct qspnd_neigh *n = m ? m->neighs : NULL; n; n = n->next) {
		struct json_object *jn = json_object_new_object();
		char key[64];

		qspn_mac_format(n->mac, mac);
		snprintf(key, sizeof(key), "%s/%016" PRIx64 "/%s", n->ifname,
			 n->system_id, mac);
		json_object_string_add(jn, "interface", n->ifname);
		/* 16 hex digits: more than buf (an address) holds */
		snprintfrr(key, sizeof(key), "%016" PRIx64, n->system_id);
		json_object_string_add(jn, "systemId", key);
		snprintf(key, sizeof(key), "%s/%016" PRIx64 "/%s", n->ifname,
			 n->system_id, mac);
		ll_str(n->linklocal, buf, sizeof(buf));
		json_object_string_add(jn, "linkLocal", buf);
		json_object_string_add(jn, "mac", mac);
		json_object_int_add(jn, "networkId", n->network_id);
		json_object_string_add(jn, "state",
				       qspnd_neigh_state_str(n->state));
		if (n->rtt_samples)
			json_object_int_add(jn, "rttUsec", n->rtt_us);
		json_object_int_add(jn, "helloIntervalMsecs",
				    n->peer_interval_ms ? n->peer_interval_ms
							: 1000);
		json_object_int_add(jn, "lastHeardMsecs",
				    (int64_t)(now - n->last_heard_ms));
		json_object_boolean_add(jn, "arc", n->arc_added);
		if (n->arc_added) {
			json_object_int_add(jn, "arcId", n->id);
			json_object_int_add(jn, "cost", n->arc_cost);
		}
		json_object_int_add(jn, "framesIn", n->frames_in);
		json_object_int_add(jn, "framesOut", n->frames_out);
		json_object_boolean_add(jn, "authenticated", n->authenticated);
		if (n->authenticated)
			json_object_int_add(jn, "keyId", n->auth_key_id);
		json_object_boolean_add(jn, "sessionAuthenticated",
					n->sess.auth && n->sess.auth_ready);
		if (n->sess.auth && n->sess.auth_ready)
			json_object_int_add(jn, "sessionKeyId",
					    n->sess.auth_key_id);
		json_object_object_add(j, key, jn);
	}
	return j;
}

struct json_object *qspnd_show_auth_json(void)
{
	const struct qspnd_auth_counters *c = qspnd_auth_counters();
	struct json_object *j = json_object_new_object();
	struct json_object *d = json_object_new_object();
	struct json_object *sd = json_object_new_object();

	json_object_int_add(j, "hellosSigned", c->hellos_signed);
	json_object_int_add(j, "hellosVerified", c->hellos_verified);
	json_object_int_add(j, "hellosUnauthenticatedAccepted",
			    c->hellos_unauth_accepted);
	json_object_int_add(j, "challengesSent", c->challenges_sent);
	json_object_int_add(j, "challengesAnswered", c->challenges_answered);
	json_object_int_add(j, "challengeReplies", c->challenge_replies);
	json_object_int_add(j, "noSendKey", c->no_send_key);
	json_object_int_add(d, "unauthenticated", c->drop_unauth);
	json_object_int_add(d, "badTrailer", c->drop_bad_trailer);
	json_object_int_add(d, "keyUnknown", c->drop_key_unknown);
	json_object_int_add(d, "badMac", c->drop_bad_mac);
	json_object_int_add(d, "replayed", c->drop_replay);
	json_object_int_add(d, "unproven", c->drop_unproven);
	json_object_int_add(d, "challengesFull", c->drop_challenges_full);
	json_object_int_add(d, "replayWindowsFull", c->drop_peers_full);
	json_object_int_add(d, "neighboursFull", c->drop_neighbours_full);
	json_object_object_add(j, "helloDrops", d);
	json_object_int_add(j, "sessions", c->sessions_auth);
	json_object_int_add(j, "framesSigned", c->frames_signed);
	json_object_int_add(j, "framesVerified", c->frames_verified);
	json_object_int_add(sd, "badStart", c->session_bad_start);
	json_object_int_add(sd, "keyUnknown", c->session_key_unknown);
	json_object_int_add(sd, "badMac", c->session_bad_mac);
	json_object_int_add(sd, "replayedOrReordered", c->session_replay);
	json_object_int_add(sd, "timeout", c->session_timeout);
	json_object_object_add(j, "sessionDrops", sd);
	return j;
}

struct json_object *qspnd_show_arcs_json(void)
{
	struct json_object *j = json_object_new_object();
	struct qspnd_ident *m = qspnd_neigh_ident_main();
	char buf[INET_ADDRSTRLEN], mac[18], addr[96];

	for (struct qspnd_neigh *n = m ? m->neighs : NULL; n; n = n->next) {
		struct json_object *ja;
		struct qspn_naddr peer;
		char key[16];

		if (!n->arc_added)
			continue;
		ja = json_object_new_object();
		snprintf(key, sizeof(key), "%u", n->id);
		json_object_string_add(ja, "interface", n->ifname);
		ll_str(n->linklocal, buf, sizeof(buf));
		json_object_string_add(ja, "peerLinkLocal", buf);
		qspn_mac_format(n->mac, mac);
		json_object_string_add(ja, "peerMac", mac);
		json_object_int_add(ja, "cost", n->arc_cost);
		if (m->inst &&
		    qspn_get_naddr_for_arc(m->inst, n->id, &peer) == 0) {
			qspn_naddr_format(&peer, addr, sizeof(addr));
			json_object_string_add(ja, "peerAddress", addr);
		}
		json_object_object_add(j, key, ja);
	}
	return j;
}

/* The identities (show qspn identities). */
struct json_object *qspnd_show_identities_json(void)
{
	struct json_object *j = json_object_new_object();
	struct json_object *jl = json_object_new_array();
	char buf[96], mac[18];

	for (struct qspnd_ident *id = qspnd_neigh_ident_first(); id;
	     id = id->next) {
		struct json_object *ji = json_object_new_object();
		struct json_object *jp = json_object_new_array();
		struct json_object *ja = json_object_new_array();

		json_object_int_add(ji, "index", id->index);
		snprintfrr(buf, sizeof(buf), "%016" PRIx64, id->identity_id);
		json_object_string_add(ji, "identityId", buf);
		if (id->prev_identity_id) {
			snprintfrr(buf, sizeof(buf), "%016" PRIx64,
				   id->prev_identity_id);
			json_object_string_add(ji, "previousIdentityId", buf);
		}
		json_object_string_add(ji, "kind",
				       id->main ? "main" : "connectivity");
		json_object_string_add(ji, "namespace", id->netns);
		qspn_naddr_format(&id->addr, buf, sizeof(buf));
		json_object_string_add(ji, "address", buf);
		json_object_int_add(ji, "networkId", id->network_id);
		if (!id->main) {
			json_object_int_add(ji, "connectivityFrom",
					    id->conn_from);
			json_object_int_add(ji, "connectivityTo", id->conn_to);
		}
		json_object_boolean_add(
			ji, "bootstrap",
			id->inst && !qspn_is_bootstrap_complete(id->inst));
		json_object_boolean_add(ji, "dismissing", id->dismissing);
		for (size_t i = 0; i < id->n_ports; i++) {
			const struct qspnd_port *p = id->ports[i];
			struct json_object *jo = json_object_new_object();

			json_object_string_add(jo, "nic", p->nic);
			json_object_string_add(jo, "dev", p->dev);
			qspn_mac_format(p->mac, mac);
			json_object_string_add(jo, "mac", mac);
			ll_str(p->linklocal, buf, sizeof(buf));
			json_object_string_add(jo, "linklocal", buf);
			json_object_boolean_add(jo, "running", p->running);
			json_object_array_add(jp, jo);
		}
		json_object_object_add(ji, "interfaces", jp);
		for (struct qspnd_neigh *n = id->neighs; n; n = n->next) {
			struct json_object *jo;
			struct qspn_naddr peer;

			if (!n->iarc)
				continue;
			jo = json_object_new_object();

			json_object_string_add(jo, "nic", n->ifname);
			qspn_mac_format(n->mac, mac);
			json_object_string_add(jo, "peerMac", mac);
			ll_str(n->linklocal, buf, sizeof(buf));
			json_object_string_add(jo, "peerLinklocal", buf);
			snprintfrr(buf, sizeof(buf), "%016" PRIx64,
				   n->identity_id);
			json_object_string_add(jo, "peerIdentityId", buf);
			json_object_int_add(jo, "peerNetworkId", n->network_id);
			if (n->arc_added && id->inst &&
			    qspn_get_naddr_for_arc(id->inst, n->id, &peer) ==
				    0) {
				qspn_naddr_format(&peer, buf, sizeof(buf));
				json_object_string_add(jo, "peerAddress", buf);
			} else {
				json_object_object_add(jo, "peerAddress", NULL);
			}
			json_object_string_add(jo, "state",
					       qspnd_neigh_state_str(n->state));
			json_object_boolean_add(jo, "qspn", n->arc_added);
			json_object_int_add(jo, "tableId",
					    n->arc_added ? n->table_id : 0);
			if (n->arc_added && n->table_id)
				snprintf(buf, sizeof(buf), "ntk_from_%s", mac);
			else
				buf[0] = 0;
			json_object_string_add(jo, "table", buf);
			json_object_array_add(ja, jo);
		}
		json_object_object_add(ji, "arcs", ja);
		json_object_array_add(jl, ji);
	}
	json_object_object_add(j, "identities", jl);
	return j;
}

/* Every destination the engine knows, all levels (the caller frees *out). */
static size_t known_dests(struct qspn_instance *inst, struct qspn_hcoord **out)
{
	size_t cap = 0, n = 0;

	const struct qspn_topology *topo = &qspnd_router_engine_cfg()->topo;

	for (int l = 0; l < topo->levels; l++)
		cap += topo->gsize[l];
	*out = XCALLOC(MTYPE_QSPND_SHOW, (cap + 1) * sizeof(**out));
	for (int l = 0; l < topo->levels; l++) {
		int k = qspn_get_known_destinations(inst, l, *out + n, cap - n);

		if (k > 0)
			n += MIN((size_t)k, cap - n);
	}
	return n;
}

struct json_object *qspnd_show_destinations_json(void)
{
	struct json_object *j = json_object_new_object();
	struct qspnd_ident *m = qspnd_neigh_ident_main();
	struct qspn_hcoord *hs;
	size_t n;

	if (!m || !m->inst)
		return j;
	n = known_dests(m->inst, &hs);
	for (size_t i = 0; i < n; i++) {
		struct qspn_dest_paths dp;
		struct json_object *jd = json_object_new_object();
		char key[32];

		snprintf(key, sizeof(key), "%d:%u", hs[i].lvl, hs[i].pos);
		json_object_int_add(jd, "level", hs[i].lvl);
		json_object_int_add(jd, "position", hs[i].pos);
		if (qspn_get_paths_to(m->inst, hs[i], &dp) == 0) {
			json_object_int_add(jd, "paths", dp.n_paths);
			if (dp.n_paths) {
				json_object_int_add(jd, "bestCost",
						    dp.paths[0].cost);
				json_object_int_add(jd, "bestArc",
						    dp.paths[0].arc);
				json_object_int_add(jd, "hops",
						    dp.paths[0].n_hops);
			}
		}
		json_object_object_add(j, key, jd);
	}
	XFREE(MTYPE_QSPND_SHOW, hs);
	return j;
}

struct json_object *qspnd_show_paths_json(const struct qspn_prefix *filter)
{
	struct json_object *j = json_object_new_object();
	const struct qspnd_router *r = qspnd.router;
	struct qspnd_ident *m = qspnd_neigh_ident_main();
	struct qspn_hcoord *hs;
	size_t n;

	if (!m || !m->inst || !r)
		return j;
	n = known_dests(m->inst, &hs);
	for (size_t i = 0; i < n; i++) {
		struct qspn_dest_ips ips;
		struct qspn_dest_paths dp;
		struct json_object *jd, *jips, *jps;
		bool match = !filter;
		char key[32], buf[32];

		if (!qspn_dest_ips(&r->cfg.topo, &m->addr, r->cfg.subnet_level,
				   hs[i], &ips))
			memset(&ips, 0, sizeof(ips));
		jips = json_object_new_array();
		for (int s = 0; s < ips.n_slots; s++) {
			if (!ips.present[s])
				continue;
			if (filter && (qspn_prefix_covers(*filter, ips.ip[s]) ||
				       qspn_prefix_covers(ips.ip[s], *filter)))
				match = true;
			qspn_prefix_format(ips.ip[s], buf, sizeof(buf));
			json_object_array_add(jips,
					      json_object_new_string(buf));
		}
		if (!match) {
			json_object_put(jips);
			continue;
		}
		jd = json_object_new_object();
		json_object_int_add(jd, "level", hs[i].lvl);
		json_object_int_add(jd, "position", hs[i].pos);
		json_object_object_add(jd, "addresses", jips);
		jps = json_object_new_array();
		if (qspn_get_paths_to(m->inst, hs[i], &dp) == 0) {
			for (uint32_t p = 0; p < dp.n_paths; p++) {
				const struct qspn_path *pa = &dp.paths[p];
				struct json_object *jp, *jh;
				struct qspnd_neigh *nb =
					qspnd_neigh_by_arc(pa->arc);

				jp = json_object_new_object();
				json_object_int_add(jp, "arc", pa->arc);
				if (nb) {
					json_object_string_add(jp, "interface",
							       nb->ifname);
					ll_str(nb->linklocal, buf, sizeof(buf));
					json_object_string_add(jp, "gateway",
							       buf);
				}
				json_object_int_add(jp, "cost", pa->cost);
				json_object_int_add(jp, "nodesInside",
						    pa->nodes_inside);
				jh = json_object_new_array();
				for (uint32_t h = 0; h < pa->n_hops; h++) {
					snprintf(buf, sizeof(buf), "%d:%u",
						 pa->hops[h].hc.lvl,
						 pa->hops[h].hc.pos);
					json_object_array_add(
						jh,
						json_object_new_string(buf));
				}
				json_object_object_add(jp, "hops", jh);
				json_object_array_add(jps, jp);
			}
		}
		json_object_object_add(jd, "paths", jps);
		snprintf(key, sizeof(key), "%d:%u", hs[i].lvl, hs[i].pos);
		json_object_object_add(j, key, jd);
	}
	XFREE(MTYPE_QSPND_SHOW, hs);
	return j;
}
