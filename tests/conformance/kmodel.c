// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmodel.c: the kernel-state model and the interpreter of the command
 * shapes of doc/protocol/commands.md, for the conformance tests.
 *
 * Tables are modelled by number, as the kernel does: a name is resolved
 * through the modelled /etc/iproute2/rt_tables when the command runs.
 * Kernel side effects that the sources rely on are modelled too: deleting
 * the last copy of an address drops the routes using it as src
 * (doc/protocol/routes.md §2), deleting a link drops its addresses and the
 * routes through it, and deleting a namespace drops everything in it.
 */
#include "kmodel.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qspn_ipv4.h"

#define MAX_NS 8
#define MAX_LINKS 8
#define MAX_ADDRS 32
#define MAX_ROUTES 1024
#define MAX_RULES 32
#define MAX_IPT 32
#define MAX_SYSCTL 32
#define MAX_RTT 64
#define NAME 32
#define TID_MAIN 254

struct mroute {
	int tid;
	char dst[24];
	char type[16];
	char gw[16];
	char dev[NAME];
	char src[16];
};

struct mns {
	char name[NAME];
	char links[MAX_LINKS][NAME];
	bool up[MAX_LINKS];
	int n_links;
	char addr_ip[MAX_ADDRS][24];
	char addr_dev[MAX_ADDRS][NAME];
	int n_addrs;
	struct mroute routes[MAX_ROUTES];
	int n_routes;
	int rule_mark[MAX_RULES], rule_tid[MAX_RULES];
	int n_rules;
	char ipt[MAX_IPT][192];
	int n_ipt;
	char sysctl[MAX_SYSCTL][96];
	int n_sysctl;
};

struct kmodel {
	struct mns ns[MAX_NS];
	int n_ns;
	int rtt_tid[MAX_RTT];
	char rtt_name[MAX_RTT][48];
	int n_rtt;
};

struct kmodel *kmodel_new(const char *const *nics, size_t n_nics)
{
	struct kmodel *m = calloc(1, sizeof(*m));
	struct mns *d;

	if (!m)
		return NULL;
	m->n_ns = 1;
	d = &m->ns[0];
	snprintf(d->links[d->n_links], NAME, "lo");
	d->up[d->n_links++] = true;
	for (size_t i = 0; i < n_nics && d->n_links < MAX_LINKS; i++)
		snprintf(d->links[d->n_links++], NAME, "%s", nics[i]);
	return m;
}

struct kmodel *kmodel_clone(const struct kmodel *m)
{
	struct kmodel *c = malloc(sizeof(*c));

	if (c)
		memcpy(c, m, sizeof(*c));
	return c;
}

void kmodel_free(struct kmodel *m)
{
	free(m);
}

static struct mns *find_ns(struct kmodel *m, const char *name)
{
	for (int i = 0; i < m->n_ns; i++)
		if (!strcmp(m->ns[i].name, name))
			return &m->ns[i];
	return NULL;
}

static int find_link(const struct mns *ns, const char *dev)
{
	for (int i = 0; i < ns->n_links; i++)
		if (!strcmp(ns->links[i], dev))
			return i;
	return -1;
}

static bool has_addr(const struct mns *ns, const char *ip)
{
	for (int i = 0; i < ns->n_addrs; i++)
		if (!strcmp(ns->addr_ip[i], ip))
			return true;
	return false;
}

static int table_id(const struct kmodel *m, const char *name)
{
	if (!strcmp(name, "main"))
		return TID_MAIN;
	for (int i = 0; i < m->n_rtt; i++)
		if (!strcmp(m->rtt_name[i], name))
			return m->rtt_tid[i];
	return -1;
}

static int find_route(const struct mns *ns, int tid, const char *dst)
{
	for (int i = 0; i < ns->n_routes; i++)
		if (ns->routes[i].tid == tid && !strcmp(ns->routes[i].dst, dst))
			return i;
	return -1;
}

static void del_route(struct mns *ns, int i)
{
	ns->routes[i] = ns->routes[--ns->n_routes];
}

/* normalise "a.b.c.d[/n]" to "a.b.c.d/n" */
static int norm_prefix(const char *s, char *out, size_t len)
{
	struct qspn_prefix p;

	if (qspn_prefix_parse(s, &p) < 0)
		return -1;
	qspn_prefix_format(p, out, len);
	return 0;
}

static int norm_ip(const char *s, char *out, size_t len)
{
	uint32_t ip;

	if (qspn_ipv4_parse(s, &ip) < 0)
		return -1;
	qspn_ipv4_format(ip, out, len);
	return 0;
}

#define MAXTOK 32

static int tokenize(char *line, char **tok)
{
	int n = 0;

	for (char *p = strtok(line, " \t"); p && n < MAXTOK;
	     p = strtok(NULL, " \t"))
		tok[n++] = p;
	return n;
}

static int rtt_cmd(struct kmodel *m, const char *line, char *err, size_t errlen)
{
	int tid;
	char name[48], tag[80];

	if (sscanf(line,
		   "(echo; echo \"%d %47s # xxx_table_%79[^\"]\") | tee -a /etc/iproute2/rt_tables >/dev/null",
		   &tid, name, tag) == 3) {
		char want[80];

		snprintf(want, sizeof(want), "%s_xxx", name);
		if (strcmp(tag, want))
			return qspn_errf(err, errlen, "rt_tables tag mismatch");
		for (int i = 0; i < m->n_rtt; i++)
			if (m->rtt_tid[i] == tid ||
			    !strcmp(m->rtt_name[i], name))
				return qspn_errf(
					err, errlen,
					"rt_tables: id %d or name %s already declared",
					tid, name);
		if (m->n_rtt == MAX_RTT)
			return qspn_errf(err, errlen, "model: too many tables");
		m->rtt_tid[m->n_rtt] = tid;
		snprintf(m->rtt_name[m->n_rtt++], 48, "%s", name);
		return 0;
	}
	if (sscanf(line, "sed -i '/xxx_table_%79[^']' /etc/iproute2/rt_tables",
		   tag) == 1) {
		size_t l = strlen(tag);
		int removed = 0;

		if (l < 6 || strcmp(tag + l - 6, "_xxx/d"))
			return qspn_errf(err, errlen, "bad sed expression");
		tag[l - 6] = '\0';
		for (int i = 0; i < m->n_rtt;) {
			if (!strcmp(m->rtt_name[i], tag)) {
				m->rtt_tid[i] = m->rtt_tid[m->n_rtt - 1];
				memcpy(m->rtt_name[i],
				       m->rtt_name[m->n_rtt - 1], 48);
				m->n_rtt--;
				removed++;
			} else {
				i++;
			}
		}
		if (!removed)
			return qspn_errf(err, errlen,
					 "rt_tables: no line tagged %s", tag);
		return 0;
	}
	return qspn_errf(err, errlen, "unknown rt_tables command");
}

static int sysctl_cmd(struct mns *ns, const char *kv, char *err, size_t errlen)
{
	const char *eq = strchr(kv, '=');

	if (!eq || eq == kv)
		return qspn_errf(err, errlen, "bad sysctl");
	for (int i = 0; i < ns->n_sysctl; i++)
		if (!strncmp(ns->sysctl[i], kv, (size_t)(eq - kv + 1))) {
			snprintf(ns->sysctl[i], 96, "%s", kv);
			return 0;
		}
	if (ns->n_sysctl == MAX_SYSCTL)
		return qspn_errf(err, errlen, "model: too many sysctls");
	snprintf(ns->sysctl[ns->n_sysctl++], 96, "%s", kv);
	return 0;
}

static void drop_src_routes(struct mns *ns, const char *ip)
{
	for (int i = 0; i < ns->n_routes;)
		if (!strcmp(ns->routes[i].src, ip))
			del_route(ns, i);
		else
			i++;
}

static int addr_cmd(struct mns *ns, char **t, int n, char *err, size_t errlen)
{
	char ip[24];
	bool add = !strcmp(t[0], "add");

	if (n != 4 || strcmp(t[2], "dev") ||
	    (strcmp(t[0], "add") && strcmp(t[0], "del")))
		return qspn_errf(err, errlen, "bad ip address command");
	if (add) {
		if (norm_ip(t[1], ip, sizeof(ip)) < 0)
			return qspn_errf(err, errlen, "bad address %s", t[1]);
	} else {
		size_t l = strlen(t[1]);

		if (l < 4 || strcmp(t[1] + l - 3, "/32"))
			return qspn_errf(err, errlen,
					 "address del without /32");
		t[1][l - 3] = '\0';
		if (norm_ip(t[1], ip, sizeof(ip)) < 0)
			return qspn_errf(err, errlen, "bad address %s", t[1]);
	}
	if (find_link(ns, t[3]) < 0)
		return qspn_errf(err, errlen, "no device %s in namespace '%s'",
				 t[3], ns->name);
	for (int i = 0; i < ns->n_addrs; i++) {
		if (strcmp(ns->addr_ip[i], ip) || strcmp(ns->addr_dev[i], t[3]))
			continue;
		if (add)
			return qspn_errf(err, errlen,
					 "address %s already on %s", ip, t[3]);
		ns->n_addrs--;
		memcpy(ns->addr_ip[i], ns->addr_ip[ns->n_addrs], 24);
		memcpy(ns->addr_dev[i], ns->addr_dev[ns->n_addrs], NAME);
		if (!has_addr(ns, ip))
			drop_src_routes(ns, ip);
		return 0;
	}
	if (!add)
		return qspn_errf(err, errlen, "address %s not on %s", ip, t[3]);
	if (ns->n_addrs == MAX_ADDRS)
		return qspn_errf(err, errlen, "model: too many addresses");
	snprintf(ns->addr_ip[ns->n_addrs], 24, "%s", ip);
	snprintf(ns->addr_dev[ns->n_addrs++], NAME, "%s", t[3]);
	return 0;
}

static void drop_link(struct mns *ns, int li)
{
	const char *dev = ns->links[li];

	for (int i = 0; i < ns->n_addrs;) {
		if (!strcmp(ns->addr_dev[i], dev)) {
			ns->n_addrs--;
			memcpy(ns->addr_ip[i], ns->addr_ip[ns->n_addrs], 24);
			memcpy(ns->addr_dev[i], ns->addr_dev[ns->n_addrs],
			       NAME);
		} else {
			i++;
		}
	}
	for (int i = 0; i < ns->n_routes;)
		if (!strcmp(ns->routes[i].dev, dev))
			del_route(ns, i);
		else
			i++;
	/* net.ipv4.conf.<dev>.* go with the device */
	for (int i = 0; i < ns->n_sysctl;) {
		char pfx[64];

		snprintf(pfx, sizeof(pfx), "net.ipv4.conf.%s.", dev);
		if (!strncmp(ns->sysctl[i], pfx, strlen(pfx)))
			memcpy(ns->sysctl[i], ns->sysctl[--ns->n_sysctl], 96);
		else
			i++;
	}
	ns->n_links--;
	memcpy(ns->links[li], ns->links[ns->n_links], NAME);
	ns->up[li] = ns->up[ns->n_links];
}

static int link_cmd(struct kmodel *m, struct mns *ns, char **t, int n,
		    char *err, size_t errlen)
{
	int li;

	if (n == 7 && !strcmp(t[0], "add") && !strcmp(t[1], "dev") &&
	    !strcmp(t[3], "link") && !strcmp(t[5], "type") &&
	    !strcmp(t[6], "macvlan")) {
		if (find_link(ns, t[4]) < 0)
			return qspn_errf(err, errlen, "no parent device %s",
					 t[4]);
		if (find_link(ns, t[2]) >= 0)
			return qspn_errf(err, errlen, "device %s exists", t[2]);
		if (ns->n_links == MAX_LINKS)
			return qspn_errf(err, errlen, "model: too many links");
		snprintf(ns->links[ns->n_links], NAME, "%s", t[2]);
		ns->up[ns->n_links++] = false;
		return 0;
	}
	if (n == 5 && !strcmp(t[0], "set") && !strcmp(t[1], "dev") &&
	    !strcmp(t[3], "netns")) {
		struct mns *to = find_ns(m, t[4]);

		li = find_link(ns, t[2]);
		if (li < 0 || !to)
			return qspn_errf(err, errlen,
					 "no device %s or netns %s", t[2],
					 t[4]);
		if (to->n_links == MAX_LINKS)
			return qspn_errf(err, errlen, "model: too many links");
		snprintf(to->links[to->n_links], NAME, "%s", t[2]);
		to->up[to->n_links++] = false;
		drop_link(ns, li);
		return 0;
	}
	if (n == 4 && !strcmp(t[0], "set") && !strcmp(t[1], "dev") &&
	    !strcmp(t[3], "up")) {
		li = find_link(ns, t[2]);
		if (li < 0)
			return qspn_errf(err, errlen, "no device %s in '%s'",
					 t[2], ns->name);
		ns->up[li] = true;
		return 0;
	}
	if (n == 4 && !strcmp(t[0], "delete") && !strcmp(t[2], "type") &&
	    !strcmp(t[3], "macvlan")) {
		li = find_link(ns, t[1]);
		if (li < 0)
			return qspn_errf(err, errlen, "no device %s in '%s'",
					 t[1], ns->name);
		drop_link(ns, li);
		return 0;
	}
	return qspn_errf(err, errlen, "bad ip link command");
}

static int route_cmd(struct kmodel *m, struct mns *ns, char **t, int n,
		     char *err, size_t errlen)
{
	struct mroute r;
	const char *verb = t[0];
	int i = 1, idx;

	memset(&r, 0, sizeof(r));
	r.tid = TID_MAIN;
	snprintf(r.type, sizeof(r.type), "unicast");
	if (!strcmp(verb, "flush")) {
		if (n != 3 || strcmp(t[1], "table"))
			return qspn_errf(err, errlen, "bad ip route flush");
		r.tid = table_id(m, t[2]);
		if (r.tid < 0)
			return qspn_errf(err, errlen, "unknown table %s", t[2]);
		for (int x = 0; x < ns->n_routes;)
			if (ns->routes[x].tid == r.tid)
				del_route(ns, x);
			else
				x++;
		return 0;
	}
	if (strcmp(verb, "add") && strcmp(verb, "change") &&
	    strcmp(verb, "del"))
		return qspn_errf(err, errlen, "bad ip route verb %s", verb);
	if (i < n &&
	    (!strcmp(t[i], "unreachable") || !strcmp(t[i], "blackhole")))
		snprintf(r.type, sizeof(r.type), "%s", t[i++]);
	if (i >= n || norm_prefix(t[i], r.dst, sizeof(r.dst)) < 0)
		return qspn_errf(err, errlen, "bad destination");
	i++;
	for (; i + 1 < n; i += 2) {
		if (!strcmp(t[i], "table")) {
			r.tid = table_id(m, t[i + 1]);
			if (r.tid < 0)
				return qspn_errf(err, errlen,
						 "unknown table %s", t[i + 1]);
		} else if (!strcmp(t[i], "via")) {
			if (norm_ip(t[i + 1], r.gw, sizeof(r.gw)) < 0)
				return qspn_errf(err, errlen, "bad gateway");
		} else if (!strcmp(t[i], "dev")) {
			snprintf(r.dev, sizeof(r.dev), "%s", t[i + 1]);
		} else if (!strcmp(t[i], "src")) {
			if (norm_ip(t[i + 1], r.src, sizeof(r.src)) < 0)
				return qspn_errf(err, errlen, "bad src");
		} else {
			return qspn_errf(err, errlen, "unknown route option %s",
					 t[i]);
		}
	}
	if (i != n)
		return qspn_errf(err, errlen, "dangling route option");
	idx = find_route(ns, r.tid, r.dst);
	if (!strcmp(verb, "del")) {
		if (idx < 0)
			return qspn_errf(err, errlen,
					 "route %s table %d does not exist",
					 r.dst, r.tid);
		del_route(ns, idx);
		return 0;
	}
	if (strcmp(r.type, "unicast") && (r.gw[0] || r.dev[0] || r.src[0]))
		return qspn_errf(err, errlen, "%s route with via/dev/src",
				 r.type);
	if (!strcmp(r.type, "unicast") && !r.dev[0])
		return qspn_errf(err, errlen, "unicast route without dev");
	if (r.dev[0] && find_link(ns, r.dev) < 0)
		return qspn_errf(err, errlen, "no device %s in namespace '%s'",
				 r.dev, ns->name);
	if (r.src[0] && !has_addr(ns, r.src))
		return qspn_errf(err, errlen, "src %s is not a local address",
				 r.src);
	if (!strcmp(verb, "add")) {
		if (idx >= 0)
			return qspn_errf(err, errlen,
					 "route %s table %d exists", r.dst,
					 r.tid);
		if (ns->n_routes == MAX_ROUTES)
			return qspn_errf(err, errlen, "model: too many routes");
		ns->routes[ns->n_routes++] = r;
		return 0;
	}
	if (idx < 0)
		return qspn_errf(err, errlen,
				 "route %s table %d does not exist (change)",
				 r.dst, r.tid);
	ns->routes[idx] = r;
	return 0;
}

static int rule_cmd(struct kmodel *m, struct mns *ns, char **t, int n,
		    char *err, size_t errlen)
{
	int mark = 0, tid, i = 1;
	bool add = !strcmp(t[0], "add");

	if (!add && strcmp(t[0], "del"))
		return qspn_errf(err, errlen, "bad ip rule verb");
	if (i + 1 < n && !strcmp(t[i], "fwmark")) {
		mark = atoi(t[i + 1]);
		i += 2;
	}
	if (i + 2 != n || strcmp(t[i], "table"))
		return qspn_errf(err, errlen, "bad ip rule");
	tid = table_id(m, t[i + 1]);
	if (tid < 0)
		return qspn_errf(err, errlen, "unknown table %s", t[i + 1]);
	for (int x = 0; x < ns->n_rules; x++) {
		if (ns->rule_mark[x] != mark || ns->rule_tid[x] != tid)
			continue;
		if (add)
			return qspn_errf(err, errlen, "rule exists");
		ns->n_rules--;
		ns->rule_mark[x] = ns->rule_mark[ns->n_rules];
		ns->rule_tid[x] = ns->rule_tid[ns->n_rules];
		return 0;
	}
	if (!add)
		return qspn_errf(err, errlen, "no such rule");
	if (ns->n_rules == MAX_RULES)
		return qspn_errf(err, errlen, "model: too many rules");
	ns->rule_mark[ns->n_rules] = mark;
	ns->rule_tid[ns->n_rules++] = tid;
	return 0;
}

static int ipt_cmd(struct mns *ns, char **t, int n, char *err, size_t errlen)
{
	char rule[192];
	size_t used = 0;
	bool add;

	if (n < 4 || strcmp(t[0], "-t") ||
	    (strcmp(t[2], "-A") && strcmp(t[2], "-D")))
		return qspn_errf(err, errlen, "bad iptables command");
	add = !strcmp(t[2], "-A");
	used = (size_t)snprintf(rule, sizeof(rule), "%s", t[1]);
	for (int i = 3; i < n && used < sizeof(rule); i++)
		used += (size_t)snprintf(rule + used, sizeof(rule) - used,
					 " %s", t[i]);
	for (int i = 0; i < ns->n_ipt; i++) {
		if (strcmp(ns->ipt[i], rule))
			continue;
		if (add)
			return qspn_errf(err, errlen, "iptables rule exists");
		memcpy(ns->ipt[i], ns->ipt[--ns->n_ipt], 192);
		return 0;
	}
	if (!add)
		return qspn_errf(err, errlen, "iptables rule not found");
	if (ns->n_ipt == MAX_IPT)
		return qspn_errf(err, errlen, "model: too many iptables rules");
	memcpy(ns->ipt[ns->n_ipt++], rule, 192);
	return 0;
}

int kmodel_apply(struct kmodel *m, const char *line, char *err, size_t errlen)
{
	char buf[512], *t[MAXTOK], **tok = t;
	struct mns *ns = &m->ns[0];
	int n;

	if (!strncmp(line, "(echo;", 6) || !strncmp(line, "sed ", 4))
		return rtt_cmd(m, line, err, errlen);
	snprintf(buf, sizeof(buf), "%s", line);
	n = tokenize(buf, t);
	if (n >= 4 && !strcmp(t[0], "ip") && !strcmp(t[1], "netns") &&
	    !strcmp(t[2], "exec")) {
		ns = find_ns(m, t[3]);
		if (!ns)
			return qspn_errf(err, errlen, "no namespace %s", t[3]);
		tok += 4;
		n -= 4;
	}
	if (n < 1)
		return qspn_errf(err, errlen, "empty command");
	if (!strcmp(tok[0], "sysctl") && n == 2)
		return sysctl_cmd(ns, tok[1], err, errlen);
	if (!strcmp(tok[0], "iptables"))
		return ipt_cmd(ns, tok + 1, n - 1, err, errlen);
	if (strcmp(tok[0], "ip") || n < 3)
		return qspn_errf(err, errlen, "unknown command");
	if (!strcmp(tok[1], "netns") && ns == &m->ns[0] && n == 4) {
		struct mns *x = find_ns(m, tok[3]);

		if (!strcmp(tok[2], "add")) {
			if (x)
				return qspn_errf(err, errlen, "netns %s exists",
						 tok[3]);
			if (m->n_ns == MAX_NS)
				return qspn_errf(err, errlen,
						 "model: too many ns");
			x = &m->ns[m->n_ns++];
			memset(x, 0, sizeof(*x));
			snprintf(x->name, NAME, "%s", tok[3]);
			snprintf(x->links[0], NAME, "lo");
			x->up[0] = true;
			x->n_links = 1;
			return 0;
		}
		if (!strcmp(tok[2], "del")) {
			if (!x || x == &m->ns[0])
				return qspn_errf(err, errlen, "no netns %s",
						 tok[3]);
			*x = m->ns[--m->n_ns];
			return 0;
		}
		return qspn_errf(err, errlen, "bad ip netns command");
	}
	if (!strcmp(tok[1], "address"))
		return addr_cmd(ns, tok + 2, n - 2, err, errlen);
	if (!strcmp(tok[1], "link"))
		return link_cmd(m, ns, tok + 2, n - 2, err, errlen);
	if (!strcmp(tok[1], "route"))
		return route_cmd(m, ns, tok + 2, n - 2, err, errlen);
	if (!strcmp(tok[1], "rule"))
		return rule_cmd(m, ns, tok + 2, n - 2, err, errlen);
	return qspn_errf(err, errlen, "unknown ip command");
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **dump(const struct kmodel *m, int only_ns, int only_tid);

char **kmodel_dump(const struct kmodel *m)
{
	return dump(m, -1, -1);
}

char **kmodel_dump_table(const struct kmodel *m, const char *ns,
			 const char *table)
{
	int tid = table_id(m, table);

	for (int x = 0; x < m->n_ns; x++)
		if (!strcmp(m->ns[x].name, ns) && tid >= 0)
			return dump(m, x, tid);
	return NULL;
}

static char **dump(const struct kmodel *m, int only_ns, int only_tid)
{
	size_t cap = 64, n = 0;
	char **v = malloc(cap * sizeof(*v));
	char line[512];

#define ADD()                                                                  \
	do {                                                                   \
		if (n + 1 >= cap) {                                            \
			char **nv = realloc(v, (cap *= 2) * sizeof(*v));       \
			if (!nv)                                               \
				abort();                                       \
			v = nv;                                                \
		}                                                              \
		v[n++] = strdup(line);                                         \
	} while (0)
	if (!v)
		abort();
	for (int i = 0; i < m->n_rtt && only_ns < 0; i++) {
		snprintf(line, sizeof(line), "rt_tables %d %s", m->rtt_tid[i],
			 m->rtt_name[i]);
		ADD();
	}
	for (int x = 0; x < m->n_ns; x++) {
		const struct mns *ns = &m->ns[x];
		const char *nm = ns->name[0] ? ns->name : "(default)";

		if (only_ns >= 0) {
			if (x != only_ns)
				continue;
			for (int i = 0; i < ns->n_routes; i++) {
				const struct mroute *r = &ns->routes[i];

				if (r->tid != only_tid)
					continue;
				snprintf(line, sizeof(line), "%s %s %s %s %s",
					 r->dst, r->type, r->gw, r->dev,
					 r->src);
				ADD();
			}
			continue;
		}

		snprintf(line, sizeof(line), "netns %s", nm);
		ADD();
		for (int i = 0; i < ns->n_links; i++) {
			snprintf(line, sizeof(line), "netns %s link %s %s", nm,
				 ns->links[i], ns->up[i] ? "up" : "down");
			ADD();
		}
		for (int i = 0; i < ns->n_addrs; i++) {
			snprintf(line, sizeof(line),
				 "netns %s address %s dev %s", nm,
				 ns->addr_ip[i], ns->addr_dev[i]);
			ADD();
		}
		for (int i = 0; i < ns->n_routes; i++) {
			const struct mroute *r = &ns->routes[i];

			snprintf(line, sizeof(line),
				 "netns %s route table %d %s %s%s%s%s%s%s%s",
				 nm, r->tid, r->dst, r->type,
				 r->gw[0] ? " via " : "", r->gw,
				 r->dev[0] ? " dev " : "", r->dev,
				 r->src[0] ? " src " : "", r->src);
			ADD();
		}
		for (int i = 0; i < ns->n_rules; i++) {
			snprintf(line, sizeof(line),
				 "netns %s rule fwmark %d table %d", nm,
				 ns->rule_mark[i], ns->rule_tid[i]);
			ADD();
		}
		for (int i = 0; i < ns->n_ipt; i++) {
			snprintf(line, sizeof(line), "netns %s iptables %s", nm,
				 ns->ipt[i]);
			ADD();
		}
		for (int i = 0; i < ns->n_sysctl; i++) {
			snprintf(line, sizeof(line), "netns %s sysctl %s", nm,
				 ns->sysctl[i]);
			ADD();
		}
	}
#undef ADD
	qsort(v, n, sizeof(*v), cmpstr);
	v[n] = NULL;
	return v;
}

void kmodel_dump_free(char **lines)
{
	for (size_t i = 0; lines && lines[i]; i++)
		free(lines[i]);
	free(lines);
}
