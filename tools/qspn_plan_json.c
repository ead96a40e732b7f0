// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qspn_plan_json.c: JSON system states for the planner (doc/qspn-plan.md).
 */
#include "qspn_plan_json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct qspn_json_ident {
	struct qspn_plan_arc *arcs;
	struct qspn_plan_pseudodev *pds;
	struct qspn_dest_paths *dests;
	size_t n_dests;
	struct qspn_path *paths;    /* pool */
	struct qspn_path_hop *hops; /* pool */
};

/* a field path, truncated if ever longer than the buffer */
static void sp(char *out, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out, n, fmt, ap);
	va_end(ap);
}

struct json_object *qspn_json_parse_text(const char *text, size_t len,
					 char *err, size_t errlen)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *obj;
	enum json_tokener_error e;
	size_t end;

	if (!tok) {
		qspn_errf(err, errlen, "out of memory");
		return NULL;
	}
	obj = json_tokener_parse_ex(tok, text, (int)len);
	e = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (!obj && e == json_tokener_continue)
		e = json_tokener_error_parse_eof;
	if (obj && e == json_tokener_success) {
		/* only white space may follow */
		for (size_t i = end; i < len; i++)
			if (!strchr(" \t\r\n", text[i])) {
				json_object_put(obj);
				obj = NULL;
				end = i;
				break;
			}
	}
	if (!obj) {
		size_t line = 1, col = 1;

		for (size_t i = 0; i < end && i < len; i++) {
			if (text[i] == '\n') {
				line++;
				col = 1;
			} else {
				col++;
			}
		}
		qspn_errf(err, errlen, "line %zu column %zu: %s", line, col,
			  e != json_tokener_success
				  ? json_tokener_error_desc(e)
				  : "unexpected data after the JSON value");
	}
	json_tokener_free(tok);
	return obj;
}

int qspn_json_only_keys(struct json_object *obj, const char *path,
			const char *const *keys, char *err, size_t errlen)
{
	json_object_object_foreach(obj, k, v)
	{
		bool ok = false;

		(void)v;
		for (size_t i = 0; keys[i]; i++)
			ok |= !strcmp(keys[i], k);
		if (!ok)
			return qspn_errf(err, errlen, "%s.%s: unknown field",
					 path, k);
	}
	return 0;
}

static const char *type_name(struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return "a boolean";
	case json_type_double:
		return "a number";
	case json_type_int:
		return "an integer";
	case json_type_object:
		return "an object";
	case json_type_array:
		return "an array";
	case json_type_string:
		return "a string";
	}
	return "?";
}

/* field access: returns 1 found, 0 absent, -1 error (wrong type) */
static int get(struct json_object *obj, const char *path, const char *key,
	       enum json_type type, bool required, struct json_object **out,
	       char *err, size_t errlen)
{
	struct json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) ||
	    (!required && json_object_is_type(v, json_type_null) &&
	     type != json_type_null)) {
		if (required)
			return qspn_errf(err, errlen, "%s.%s: missing", path,
					 key);
		return 0;
	}
	if (!json_object_is_type(v, type))
		return qspn_errf(err, errlen, "%s.%s: expected %s, got %s",
				 path, key,
				 type == json_type_string    ? "a string"
				 : type == json_type_int     ? "an integer"
				 : type == json_type_boolean ? "a boolean"
				 : type == json_type_array   ? "an array"
				 : type == json_type_object  ? "an object"
							     : "?",
				 type_name(v));
	*out = v;
	return 1;
}

static int get_bool(struct json_object *obj, const char *path, const char *key,
		    bool def, bool *out, char *err, size_t errlen)
{
	struct json_object *v;
	int r = get(obj, path, key, json_type_boolean, false, &v, err, errlen);

	if (r < 0)
		return -1;
	*out = r ? json_object_get_boolean(v) : def;
	return 0;
}

static int get_int(struct json_object *obj, const char *path, const char *key,
		   bool required, int64_t def, int64_t min, int64_t max,
		   int64_t *out, char *err, size_t errlen)
{
	struct json_object *v;
	int r = get(obj, path, key, json_type_int, required, &v, err, errlen);

	if (r < 0)
		return -1;
	*out = r ? json_object_get_int64(v) : def;
	if (*out < min || *out > max)
		return qspn_errf(
			err, errlen, "%s.%s: %lld is not in %lld..%lld", path,
			key, (long long)*out, (long long)min, (long long)max);
	return 0;
}

static int get_name(struct json_object *obj, const char *path, const char *key,
		    bool required, bool allow_empty, char *out, size_t outlen,
		    char *err, size_t errlen)
{
	struct json_object *v;
	int r = get(obj, path, key, json_type_string, required, &v, err,
		    errlen);
	const char *s;

	out[0] = '\0';
	if (r <= 0)
		return r;
	s = json_object_get_string(v);
	if ((!allow_empty && !*s) || strlen(s) >= outlen)
		return qspn_errf(err, errlen,
				 "%s.%s: \"%s\" must be 1 to %zu characters",
				 path, key, s, outlen - 1);
	if (strpbrk(s, " \t\n/"))
		return qspn_errf(err, errlen,
				 "%s.%s: \"%s\" is not a valid name", path, key,
				 s);
	snprintf(out, outlen, "%s", s);
	return 1;
}

static int get_ip(struct json_object *obj, const char *path, const char *key,
		  bool required, uint32_t *out, char *err, size_t errlen)
{
	struct json_object *v;
	int r = get(obj, path, key, json_type_string, required, &v, err,
		    errlen);

	*out = 0;
	if (r <= 0)
		return r;
	if (qspn_ipv4_parse(json_object_get_string(v), out) < 0)
		return qspn_errf(
			err, errlen,
			"%s.%s: \"%s\" is not an IPv4 address (a.b.c.d)", path,
			key, json_object_get_string(v));
	return 1;
}

static int get_mac(struct json_object *obj, const char *path, const char *key,
		   uint8_t mac[6], char *err, size_t errlen)
{
	struct json_object *v;
	int r = get(obj, path, key, json_type_string, true, &v, err, errlen);

	if (r < 0)
		return -1;
	if (qspn_mac_parse(json_object_get_string(v), mac) < 0)
		return qspn_errf(
			err, errlen,
			"%s.%s: \"%s\" is not a MAC address (00:16:3E:5B:78:D5)",
			path, key, json_object_get_string(v));
	return 0;
}

static int get_naddr(struct json_object *obj, const char *path, const char *key,
		     bool required, const struct qspn_topology *topo,
		     struct qspn_naddr *out, char *err, size_t errlen)
{
	struct json_object *v;
	char e[QSPN_ERRBUF_SIZE];
	int r = get(obj, path, key, json_type_string, required, &v, err,
		    errlen);

	if (r <= 0)
		return r;
	if (qspn_naddr_parse(out, topo, json_object_get_string(v), true, e,
			     sizeof(e)) < 0)
		return qspn_errf(err, errlen, "%s.%s: %s", path, key, e);
	return 1;
}

/* [lvl, pos] */
static int get_hcoord(struct json_object *v, const char *path,
		      const struct qspn_topology *topo, struct qspn_hcoord *h,
		      char *err, size_t errlen)
{
	struct json_object *a, *b;

	if (!json_object_is_type(v, json_type_array) ||
	    json_object_array_length(v) != 2)
		return qspn_errf(err, errlen,
				 "%s: expected [level, position], got %s", path,
				 type_name(v));
	a = json_object_array_get_idx(v, 0);
	b = json_object_array_get_idx(v, 1);
	if (!json_object_is_type(a, json_type_int) ||
	    !json_object_is_type(b, json_type_int))
		return qspn_errf(err, errlen,
				 "%s: level and position must be integers",
				 path);
	if (json_object_get_int64(a) < 0 ||
	    json_object_get_int64(a) >= topo->levels)
		return qspn_errf(err, errlen, "%s: level %lld is not in 0..%d",
				 path, (long long)json_object_get_int64(a),
				 topo->levels - 1);
	if (json_object_get_int64(b) < 0 ||
	    json_object_get_int64(b) > UINT32_MAX)
		return qspn_errf(err, errlen, "%s: bad position %lld", path,
				 (long long)json_object_get_int64(b));
	h->lvl = (int)json_object_get_int64(a);
	h->pos = (uint32_t)json_object_get_int64(b);
	return 0;
}

static int get_array(struct json_object *obj, const char *path, const char *key,
		     struct json_object **out, size_t *n, char *err,
		     size_t errlen)
{
	int r = get(obj, path, key, json_type_array, false, out, err, errlen);

	if (r < 0)
		return -1;
	*n = r ? json_object_array_length(*out) : 0;
	return 0;
}

static int want_object(struct json_object *v, const char *path, char *err,
		       size_t errlen)
{
	if (!json_object_is_type(v, json_type_object))
		return qspn_errf(err, errlen, "%s: expected an object, got %s",
				 path, type_name(v));
	return 0;
}

static int json_get_paths(void *ctx, struct qspn_hcoord dest,
			  struct qspn_dest_paths *out)
{
	const struct qspn_json_ident *ji = ctx;

	out->dest = dest;
	out->n_paths = 0;
	out->paths = NULL;
	for (size_t i = 0; i < ji->n_dests; i++)
		if (qspn_hcoord_equal(ji->dests[i].dest, dest)) {
			*out = ji->dests[i];
			break;
		}
	return 0;
}

static int load_paths(struct json_object *id, const char *ipath,
		      const struct qspn_topology *topo,
		      struct qspn_json_ident *ji, char *err, size_t errlen)
{
	static const char *const dkeys[] = {"dest", "paths", NULL};
	static const char *const pkeys[] = {"arc", "cost", "hops", NULL};
	struct json_object *arr;
	size_t n, np = 0, nh = 0, ip = 0, ih = 0;
	char path[256];

	if (get_array(id, ipath, "paths", &arr, &n, err, errlen) < 0)
		return -1;
	/* count first, so that the pools never move */
	for (size_t i = 0; i < n; i++) {
		struct json_object *d = json_object_array_get_idx(arr, i), *ps;
		size_t m;

		sp(path, sizeof(path), "%s.paths[%zu]", ipath, i);
		if (want_object(d, path, err, errlen) < 0 ||
		    qspn_json_only_keys(d, path, dkeys, err, errlen) < 0 ||
		    get_array(d, path, "paths", &ps, &m, err, errlen) < 0)
			return -1;
		np += m;
		for (size_t j = 0; j < m; j++) {
			struct json_object *p = json_object_array_get_idx(ps,
									  j),
					   *hops;
			size_t k;
			char pp[300];

			sp(pp, sizeof(pp), "%s.paths[%zu]", path, j);
			if (want_object(p, pp, err, errlen) < 0 ||
			    get_array(p, pp, "hops", &hops, &k, err, errlen) <
				    0)
				return -1;
			nh += k;
		}
	}
	ji->dests = calloc(n + 1, sizeof(*ji->dests));
	ji->paths = calloc(np + 1, sizeof(*ji->paths));
	ji->hops = calloc(nh + 1, sizeof(*ji->hops));
	if (!ji->dests || !ji->paths || !ji->hops)
		return qspn_errf(err, errlen, "out of memory");
	for (size_t i = 0; i < n; i++) {
		struct json_object *d = json_object_array_get_idx(arr, i), *ps,
				   *dv;
		struct qspn_dest_paths *dp = &ji->dests[i];
		size_t m = 0;
		char dpath[300];

		sp(path, sizeof(path), "%s.paths[%zu]", ipath, i);
		if (get(d, path, "dest", json_type_array, true, &dv, err,
			errlen) < 0)
			return -1;
		sp(dpath, sizeof(dpath), "%s.dest", path);
		if (get_hcoord(dv, dpath, topo, &dp->dest, err, errlen) < 0)
			return -1;
		for (size_t x = 0; x < i; x++)
			if (qspn_hcoord_equal(ji->dests[x].dest, dp->dest))
				return qspn_errf(
					err, errlen,
					"%s.dest: destination listed twice",
					path);
		get_array(d, path, "paths", &ps, &m, err, errlen);
		dp->paths = &ji->paths[ip];
		dp->n_paths = (uint32_t)m;
		for (size_t j = 0; j < m; j++) {
			struct json_object *p = json_object_array_get_idx(ps,
									  j),
					   *hops;
			struct qspn_path *qp = &ji->paths[ip++];
			char pp[300], hp[340];
			int64_t v;
			size_t k = 0;

			sp(pp, sizeof(pp), "%s.paths[%zu]", path, j);
			if (qspn_json_only_keys(p, pp, pkeys, err, errlen) < 0)
				return -1;
			if (get_int(p, pp, "arc", true, 0, 0, UINT32_MAX, &v,
				    err, errlen) < 0)
				return -1;
			qp->arc = (uint32_t)v;
			if (get_int(p, pp, "cost", false, 0, 0, INT64_MAX, &v,
				    err, errlen) < 0)
				return -1;
			qp->cost = v;
			get_array(p, pp, "hops", &hops, &k, err, errlen);
			if (!k)
				return qspn_errf(
					err, errlen,
					"%s.hops: a path has at least one hop",
					pp);
			qp->hops = &ji->hops[ih];
			qp->n_hops = (uint32_t)k;
			for (size_t h = 0; h < k; h++) {
				struct qspn_path_hop *hop = &ji->hops[ih++];

				sp(hp, sizeof(hp), "%s.hops[%zu]", pp, h);
				if (get_hcoord(
					    json_object_array_get_idx(hops, h),
					    hp, topo, &hop->hc, err,
					    errlen) < 0)
					return -1;
			}
			if (!qspn_hcoord_equal(qp->hops[k - 1].hc, dp->dest))
				return qspn_errf(
					err, errlen,
					"%s.hops: the last hop must be the destination",
					pp);
		}
	}
	ji->n_dests = n;
	return 0;
}

int qspn_json_topology(struct json_object *obj, const char *path,
		       struct qspn_topology *topo, char *err, size_t errlen)
{
	struct json_object *v;
	char e[QSPN_ERRBUF_SIZE];

	if (get(obj, path, "topology", json_type_string, true, &v, err,
		errlen) < 0)
		return -1;
	if (qspn_topology_parse(topo, json_object_get_string(v), e, sizeof(e)) <
	    0)
		return qspn_errf(err, errlen, "%s.topology: %s", path, e);
	return 0;
}

int qspn_json_state(struct json_object *obj, const char *path,
		    const struct qspn_topology *topo,
		    struct qspn_json_state *st, char *err, size_t errlen)
{
	static const char *const skeys[] = {
		"started",	"anonymizer",	"serve_anonymous",
		"subnet_level", "nics",		"neighbours",
		"identities",	"subnet_hosts", NULL};
	static const char *const hkeys[] = {"dev", "linklocal", "position",
					    NULL};
	static const char *const nkeys[] = {"dev", "mac", "linklocal", NULL};
	static const char *const bkeys[] = {"dev", "linklocal", NULL};
	static const char *const ikeys[] = {
		"name",	 "address", "netns",	   "pseudodevs", "arcs",
		"paths", "id",	    "guest_level", NULL};
	static const char *const pdkeys[] = {"dev", "name", "mac", "linklocal",
					     NULL};
	static const char *const akeys[] = {
		"id",	"dev",	    "peer_mac",	    "peer_linklocal",
		"qspn", "table_id", "peer_address", "peer_outside",
		NULL};
	struct qspn_plan_system *sys = &st->sys;
	struct json_object *arr;
	size_t n;
	int64_t v;
	char p[256];

	memset(st, 0, sizeof(*st));
	sys->topo = *topo;
	if (want_object(obj, path, err, errlen) < 0 ||
	    qspn_json_only_keys(obj, path, skeys, err, errlen) < 0)
		return -1;
	if (get_bool(obj, path, "started", true, &sys->started, err, errlen) <
		    0 ||
	    get_bool(obj, path, "anonymizer", true, &sys->anonymizer, err,
		     errlen) < 0 ||
	    get_bool(obj, path, "serve_anonymous", false, &sys->serve_anonymous,
		     err, errlen) < 0 ||
	    get_int(obj, path, "subnet_level", false, 0, 0, topo->levels - 1,
		    &v, err, errlen) < 0)
		return -1;
	sys->subnet_level = (int)v;

	if (get_array(obj, path, "nics", &arr, &n, err, errlen) < 0)
		return -1;
	st->nics = calloc(n + 1, sizeof(*st->nics));
	if (!st->nics)
		return qspn_errf(err, errlen, "out of memory");
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(arr, i);
		struct qspn_plan_nic *nic = &st->nics[i];

		sp(p, sizeof(p), "%s.nics[%zu]", path, i);
		if (want_object(o, p, err, errlen) < 0 ||
		    qspn_json_only_keys(o, p, nkeys, err, errlen) < 0 ||
		    get_name(o, p, "dev", true, false, nic->dev,
			     sizeof(nic->dev), err, errlen) < 0 ||
		    get_mac(o, p, "mac", nic->mac, err, errlen) < 0 ||
		    get_ip(o, p, "linklocal", false, &nic->linklocal, err,
			   errlen) < 0)
			return -1;
	}
	sys->nics = st->nics;
	sys->n_nics = n;

	if (get_array(obj, path, "neighbours", &arr, &n, err, errlen) < 0)
		return -1;
	st->neighbours = calloc(n + 1, sizeof(*st->neighbours));
	if (!st->neighbours)
		return qspn_errf(err, errlen, "out of memory");
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(arr, i);
		struct qspn_plan_neighbour *nb = &st->neighbours[i];

		sp(p, sizeof(p), "%s.neighbours[%zu]", path, i);
		if (want_object(o, p, err, errlen) < 0 ||
		    qspn_json_only_keys(o, p, bkeys, err, errlen) < 0 ||
		    get_name(o, p, "dev", true, false, nb->dev, sizeof(nb->dev),
			     err, errlen) < 0 ||
		    get_ip(o, p, "linklocal", true, &nb->linklocal, err,
			   errlen) < 0)
			return -1;
	}
	sys->neighbours = st->neighbours;
	sys->n_neighbours = n;

	if (get_array(obj, path, "subnet_hosts", &arr, &n, err, errlen) < 0)
		return -1;
	st->hosts = calloc(n + 1, sizeof(*st->hosts));
	if (!st->hosts)
		return qspn_errf(err, errlen, "out of memory");
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(arr, i), *jv;
		struct qspn_plan_subnet_host *h = &st->hosts[i];
		char e[QSPN_ERRBUF_SIZE];

		sp(p, sizeof(p), "%s.subnet_hosts[%zu]", path, i);
		if (want_object(o, p, err, errlen) < 0 ||
		    qspn_json_only_keys(o, p, hkeys, err, errlen) < 0 ||
		    get_name(o, p, "dev", true, false, h->dev, sizeof(h->dev),
			     err, errlen) < 0 ||
		    get_ip(o, p, "linklocal", true, &h->linklocal, err,
			   errlen) < 0 ||
		    get(o, p, "position", json_type_string, true, &jv, err,
			errlen) < 0)
			return -1;
		if (qspn_plan_subnet_pos_parse(topo, sys->subnet_level,
					       json_object_get_string(jv),
					       h->pos, e, sizeof(e)) < 0)
			return qspn_errf(err, errlen, "%s.position: %s", p, e);
	}
	sys->subnet_hosts = st->hosts;
	sys->n_subnet_hosts = n;

	if (get_array(obj, path, "identities", &arr, &n, err, errlen) < 0)
		return -1;
	st->ids = calloc(n + 1, sizeof(*st->ids));
	st->jids = calloc(n + 1, sizeof(*st->jids));
	if (!st->ids || !st->jids)
		return qspn_errf(err, errlen, "out of memory");
	sys->ids = st->ids;
	sys->n_ids = n;
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(arr, i), *sub;
		struct qspn_plan_identity *id = &st->ids[i];
		struct qspn_json_ident *ji = &st->jids[i];
		char name[64];
		size_t m;

		sp(p, sizeof(p), "%s.identities[%zu]", path, i);
		if (want_object(o, p, err, errlen) < 0 ||
		    qspn_json_only_keys(o, p, ikeys, err, errlen) < 0 ||
		    get_name(o, p, "name", false, true, name, sizeof(name), err,
			     errlen) < 0 ||
		    get_naddr(o, p, "address", true, topo, &id->addr, err,
			      errlen) < 0 ||
		    get_name(o, p, "netns", false, true, id->netns,
			     sizeof(id->netns), err, errlen) < 0 ||
		    get_int(o, p, "id", false, 0, 0, INT64_MAX, &v, err,
			    errlen) < 0)
			return -1;
		id->id = (uint64_t)v;
		if (get_int(o, p, "guest_level", false, 0, 0, topo->levels - 1,
			    &v, err, errlen) < 0)
			return -1;
		id->guest_level = (int)v;
		if (get_array(o, p, "pseudodevs", &sub, &m, err, errlen) < 0)
			return -1;
		ji->pds = calloc(m + 1, sizeof(*ji->pds));
		if (!ji->pds)
			return qspn_errf(err, errlen, "out of memory");
		for (size_t j = 0; j < m; j++) {
			struct json_object *d =
				json_object_array_get_idx(sub, j);
			struct qspn_plan_pseudodev *pd = &ji->pds[j];
			char pp[300];

			sp(pp, sizeof(pp), "%s.pseudodevs[%zu]", p, j);
			if (want_object(d, pp, err, errlen) < 0 ||
			    qspn_json_only_keys(d, pp, pdkeys, err, errlen) <
				    0 ||
			    get_name(d, pp, "dev", true, false, pd->dev,
				     sizeof(pd->dev), err, errlen) < 0 ||
			    get_name(d, pp, "name", true, false, pd->name,
				     sizeof(pd->name), err, errlen) < 0 ||
			    get_mac(d, pp, "mac", pd->mac, err, errlen) < 0 ||
			    get_ip(d, pp, "linklocal", true, &pd->linklocal,
				   err, errlen) < 0)
				return -1;
		}
		id->pseudodevs = ji->pds;
		id->n_pseudodevs = m;
		if (get_array(o, p, "arcs", &sub, &m, err, errlen) < 0)
			return -1;
		ji->arcs = calloc(m + 1, sizeof(*ji->arcs));
		if (!ji->arcs)
			return qspn_errf(err, errlen, "out of memory");
		for (size_t j = 0; j < m; j++) {
			struct json_object *d =
				json_object_array_get_idx(sub, j);
			struct qspn_plan_arc *a = &ji->arcs[j];
			char pp[300];
			int r;

			sp(pp, sizeof(pp), "%s.arcs[%zu]", p, j);
			if (want_object(d, pp, err, errlen) < 0 ||
			    qspn_json_only_keys(d, pp, akeys, err, errlen) <
				    0 ||
			    get_int(d, pp, "id", true, 0, 0, UINT32_MAX, &v,
				    err, errlen) < 0)
				return -1;
			a->id = (uint32_t)v;
			if (get_name(d, pp, "dev", true, false, a->dev,
				     sizeof(a->dev), err, errlen) < 0 ||
			    get_mac(d, pp, "peer_mac", a->peer_mac, err,
				    errlen) < 0 ||
			    get_ip(d, pp, "peer_linklocal", true,
				   &a->peer_linklocal, err, errlen) < 0 ||
			    get_bool(d, pp, "qspn", false, &a->qspn, err,
				     errlen) < 0 ||
			    get_int(d, pp, "table_id", a->qspn, 0, 0,
				    QSPN_TID_MAX, &v, err, errlen) < 0)
				return -1;
			a->table_id = (uint32_t)v;
			r = get_naddr(d, pp, "peer_address", false, topo,
				      &a->peer_addr, err, errlen);
			if (r < 0)
				return -1;
			a->peer_known = r == 1;
			if (get_bool(d, pp, "peer_outside", false,
				     &a->peer_outside, err, errlen) < 0)
				return -1;
		}
		id->arcs = ji->arcs;
		id->n_arcs = m;
		if (load_paths(o, p, topo, ji, err, errlen) < 0)
			return -1;
		id->paths.get_paths = json_get_paths;
		id->paths.ctx = ji;
		/* a path through an arc this identity does not have */
		for (size_t d = 0; d < ji->n_dests; d++)
			for (uint32_t q = 0; q < ji->dests[d].n_paths; q++) {
				bool ok = false;

				for (size_t a = 0; a < m; a++)
					ok |= ji->arcs[a].id ==
					      ji->dests[d].paths[q].arc;
				if (!ok)
					return qspn_errf(
						err, errlen,
						"%s.paths[%zu].paths[%u].arc: no arc with id %u",
						p, d, q,
						ji->dests[d].paths[q].arc);
			}
	}
	return 0;
}

void qspn_json_state_free(struct qspn_json_state *st)
{
	for (size_t i = 0; st->jids && i < st->sys.n_ids; i++) {
		free(st->jids[i].arcs);
		free(st->jids[i].pds);
		free(st->jids[i].dests);
		free(st->jids[i].paths);
		free(st->jids[i].hops);
	}
	free(st->jids);
	free(st->ids);
	free(st->nics);
	free(st->neighbours);
	free(st->hosts);
	memset(st, 0, sizeof(*st));
}
