// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qspnd_netlink.c: what zebra has no ZAPI call for, done over rtnetlink:
 * own addresses (NIC, lo, link-local), policy rules, `link up`, and the
 * sysctls (procfs).
 *
 * Everything qspnd adds carries a mark so that a later run finds it:
 * addresses have the label "<dev>:qspn", rules the protocol
 * QSPND_RTPROTO.  Requests are synchronous (NLM_F_ACK) on one socket
 * opened with the daemon's privileges raised (the kernel checks
 * CAP_NET_ADMIN of the socket's opener and of the sender).
 */
#include <zebra.h>

#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include "lib/log.h"
#include "lib/memory.h"
#include "lib/privs.h"

#include "qspnd.h"
#include "qspnd_debug.h"
#include "qspnd_kernel.h"

DECLARE_MGROUP(QSPND);
DEFINE_MTYPE_STATIC(QSPND, QSPND_NL_DUMP, "QSPN netlink dump");

extern struct zebra_privs_t qspnd_privs;

static int nl_sock = -1;
static uint32_t nl_seq;
static char nl_err[128];

const char *qspnd_nl_strerror(void)
{
	return nl_err;
}

int qspnd_nl_init(void)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	int rcvbuf = 1 << 20;

	if (nl_sock >= 0)
		return 0;
	frr_with_privs (&qspnd_privs) {
		nl_sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
				 NETLINK_ROUTE);
	}
	if (nl_sock < 0) {
		zlog_err("qspnd: netlink socket: %s", safe_strerror(errno));
		return -1;
	}
	setsockopt(nl_sock, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(nl_sock, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		zlog_err("qspnd: netlink bind: %s", safe_strerror(errno));
		close(nl_sock);
		nl_sock = -1;
		return -1;
	}
	return 0;
}

void qspnd_nl_fini(void)
{
	if (nl_sock >= 0)
		close(nl_sock);
	nl_sock = -1;
}

/* ---- message building ---- */

struct nlreq {
	struct nlmsghdr n;
	char buf[512];
};

/* the whole request, so that attributes may go past the header */
#define NLH(req) ((struct nlmsghdr *)(void *)(req))

static void *nl_tail(struct nlmsghdr *n)
{
	return (char *)n + NLMSG_ALIGN(n->nlmsg_len);
}

static void nl_attr(struct nlmsghdr *n, unsigned short type, const void *data,
		    size_t len)
{
	struct rtattr *rta = nl_tail(n);

	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(rta), data, len);
	n->nlmsg_len = NLMSG_ALIGN(n->nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

static void nl_attr32(struct nlmsghdr *n, unsigned short type, uint32_t v)
{
	nl_attr(n, type, &v, sizeof(v));
}

/*
 * Send one request and wait for its acknowledgement.  Returns 0 or the
 * positive errno of the kernel's answer (-1: socket trouble).
 */
static int nl_talk(struct nlmsghdr *n)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	char buf[8192];
	ssize_t len;
	int ret = -1;

	if (nl_sock < 0 && qspnd_nl_init() < 0)
		return -1;
	n->nlmsg_seq = ++nl_seq;
	n->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;

	frr_with_privs (&qspnd_privs) {
		len = sendto(nl_sock, n, n->nlmsg_len, 0,
			     (struct sockaddr *)&sa, sizeof(sa));
	}
	if (len < 0) {
		snprintf(nl_err, sizeof(nl_err), "netlink send: %s",
			 safe_strerror(errno));
		return -1;
	}
	for (;;) {
		struct nlmsghdr *h;

		len = recv(nl_sock, buf, sizeof(buf), 0);
		if (len < 0) {
			if (errno == EINTR)
				continue;
			snprintf(nl_err, sizeof(nl_err), "netlink recv: %s",
				 safe_strerror(errno));
			return -1;
		}
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)len);
		     h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_seq != n->nlmsg_seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);

				ret = -e->error;
				if (ret)
					snprintf(nl_err, sizeof(nl_err), "%s",
						 safe_strerror(ret));
				return ret;
			}
		}
	}
	return ret;
}

/*
 * Dump: call fn for every message of the answer.  0, or -1.
 */
static int nl_dump(int type, unsigned char family,
		   void (*fn)(struct nlmsghdr *h, void *arg), void *arg)
{
	struct {
		struct nlmsghdr n;
		struct rtgenmsg g;
	} req = {};
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	char buf[16384];
	ssize_t len;

	if (nl_sock < 0 && qspnd_nl_init() < 0)
		return -1;
	req.n.nlmsg_len = NLMSG_LENGTH(sizeof(req.g));
	req.n.nlmsg_type = type;
	req.n.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.n.nlmsg_seq = ++nl_seq;
	req.g.rtgen_family = family;
	if (sendto(nl_sock, &req, req.n.nlmsg_len, 0, (struct sockaddr *)&sa,
		   sizeof(sa)) < 0)
		return -1;
	for (;;) {
		struct nlmsghdr *h;

		len = recv(nl_sock, buf, sizeof(buf), 0);
		if (len < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)len);
		     h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_seq != req.n.nlmsg_seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR)
				return -1;
			fn(h, arg);
		}
	}
}

static void parse_attrs(struct rtattr *tb[], int max, struct rtattr *rta,
			int len)
{
	memset(tb, 0, sizeof(struct rtattr *) * (max + 1));
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
		if (rta->rta_type <= max)
			tb[rta->rta_type] = rta;
}

/* ---- addresses ---- */

static void addr_label(const char *dev, char label[IFNAMSIZ])
{
	/* "<dev>:qspn", the device name cut so that it fits IFNAMSIZ */
	snprintf(label, IFNAMSIZ, "%.*s%s",
		 (int)(IFNAMSIZ - 1 - strlen(QSPND_ADDR_LABEL_SUFFIX)), dev,
		 QSPND_ADDR_LABEL_SUFFIX);
}

static int addr_msg(bool add, int ifindex, uint32_t ip, const char *label)
{
	struct nlreq req = {};
	struct ifaddrmsg *ifa;
	uint32_t a = htonl(ip);

	req.n.nlmsg_len = NLMSG_LENGTH(sizeof(*ifa));
	req.n.nlmsg_type = add ? RTM_NEWADDR : RTM_DELADDR;
	if (add)
		req.n.nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
	ifa = NLMSG_DATA(NLH(&req));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = 32;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = ifindex;
	nl_attr(NLH(&req), IFA_LOCAL, &a, 4);
	nl_attr(NLH(&req), IFA_ADDRESS, &a, 4);
	if (add && label)
		nl_attr(NLH(&req), IFA_LABEL, label, strlen(label) + 1);
	return nl_talk(NLH(&req));
}

int qspnd_nl_addr(bool add, const char *dev, uint32_t ip)
{
	char label[IFNAMSIZ];
	int ifindex = if_nametoindex(dev);
	int ret;

	if (!ifindex) {
		if (!add)
			return 0; /* the device is gone, so is the address */
		snprintf(nl_err, sizeof(nl_err), "no device %s", dev);
		return -1;
	}
	addr_label(dev, label);
	ret = addr_msg(add, ifindex, ip, label);
	if (!add && (ret == EADDRNOTAVAIL || ret == ENOENT || ret == ENODEV))
		ret = 0;
	return ret ? -1 : 0;
}

/* ---- rules ---- */

static int rule_msg(bool add, uint32_t fwmark, uint32_t table, uint32_t prio)
{
	struct nlreq req = {};
	struct fib_rule_hdr *frh;
	uint8_t proto = QSPND_RTPROTO;

	req.n.nlmsg_len = NLMSG_LENGTH(sizeof(*frh));
	req.n.nlmsg_type = add ? RTM_NEWRULE : RTM_DELRULE;
	if (add)
		req.n.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	frh = NLMSG_DATA(NLH(&req));
	frh->family = AF_INET;
	frh->action = FR_ACT_TO_TBL;
	frh->table = table < 256 ? table : RT_TABLE_UNSPEC;
	nl_attr32(NLH(&req), FRA_PRIORITY, prio);
	nl_attr32(NLH(&req), FRA_TABLE, table);
	if (fwmark)
		nl_attr32(NLH(&req), FRA_FWMARK, fwmark);
	nl_attr(NLH(&req), FRA_PROTOCOL, &proto, 1);
	return nl_talk(NLH(&req));
}

int qspnd_nl_rule(bool add, uint32_t fwmark, uint32_t table)
{
	uint32_t prio =
		fwmark ? QSPND_RULE_PRIO_FWMARK(fwmark) : QSPND_RULE_PRIO_NTK;
	int ret = rule_msg(add, fwmark, table, prio);

	if (add && ret == EEXIST)
		ret = 0;
	if (!add && ret == ENOENT)
		ret = 0;
	return ret ? -1 : 0;
}

/* ---- link-local routes in main ---- */

static int route_msg(bool add, uint32_t table, uint32_t dst, int ifindex,
		     uint32_t src)
{
	struct nlreq req = {};
	struct rtmsg *rtm;
	uint32_t a = htonl(dst), sa = htonl(src);

	req.n.nlmsg_len = NLMSG_LENGTH(sizeof(*rtm));
	req.n.nlmsg_type = add ? RTM_NEWROUTE : RTM_DELROUTE;
	if (add)
		req.n.nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
	rtm = NLMSG_DATA(NLH(&req));
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = 32;
	rtm->rtm_table = table < 256 ? table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = QSPND_RTPROTO;
	rtm->rtm_scope = add ? RT_SCOPE_LINK : RT_SCOPE_NOWHERE;
	rtm->rtm_type = RTN_UNICAST;
	nl_attr(NLH(&req), RTA_DST, &a, 4);
	nl_attr32(NLH(&req), RTA_TABLE, table);
	if (ifindex)
		nl_attr32(NLH(&req), RTA_OIF, ifindex);
	if (add && src)
		nl_attr(NLH(&req), RTA_PREFSRC, &sa, 4);
	return nl_talk(NLH(&req));
}

int qspnd_nl_llroute(bool add, uint32_t dst, const char *dev, uint32_t src)
{
	int ifindex = if_nametoindex(dev);
	int ret;

	if (!ifindex) {
		if (!add)
			return 0;
		snprintf(nl_err, sizeof(nl_err), "no device %s", dev);
		return -1;
	}
	ret = route_msg(add, RT_TABLE_MAIN, dst, ifindex, src);
	if (!add && (ret == ESRCH || ret == ENOENT))
		ret = 0;
	return ret ? -1 : 0;
}

/* ---- links and sysctls ---- */

int qspnd_nl_link_up(const char *dev)
{
	struct nlreq req = {};
	struct ifinfomsg *ifi;
	int ifindex = if_nametoindex(dev);

	if (!ifindex) {
		snprintf(nl_err, sizeof(nl_err), "no device %s", dev);
		return -1;
	}
	req.n.nlmsg_len = NLMSG_LENGTH(sizeof(*ifi));
	req.n.nlmsg_type = RTM_NEWLINK;
	ifi = NLMSG_DATA(NLH(&req));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	return nl_talk(NLH(&req)) ? -1 : 0;
}

int qspnd_nl_sysctl(const char *key, const char *value)
{
	char path[128];
	size_t n;
	int fd, err = 0;
	ssize_t w = -1;

	n = snprintf(path, sizeof(path), "/proc/sys/%s", key);
	if (n >= sizeof(path))
		return -1;
	{
		/* dots separate the components, except inside a device name
		 * (net.ipv4.conf.eth0.100.rp_filter: device eth0.100) */
		char *p = path + strlen("/proc/sys/");
		char *dev = NULL, *last = strrchr(p, '.');
		const char *conf = "net.ipv4.conf.";

		if (!strncmp(p, conf, strlen(conf)))
			dev = p + strlen(conf);
		for (; *p; p++)
			if (*p == '.' && (!dev || p < dev || p == last))
				*p = '/';
	}
	/* net sysctls: CAP_NET_ADMIN in the netns is enough */
	frr_with_privs (&qspnd_privs) {
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			w = write(fd, value, strlen(value));
			if (w < 0)
				err = errno;
			close(fd);
		} else
			err = errno;
	}
	if (w < 0) {
		snprintfrr(nl_err, sizeof(nl_err), "%s: %s", path,
			   safe_strerror(err));
		return -1;
	}
	return 0;
}

/* ---- what an earlier run left ---- */

struct found_addr {
	int ifindex;
	uint32_t ip; /* network order */
};

struct found_rule {
	uint32_t prio, table, fwmark;
};

struct found_route {
	uint32_t table, dst;
	int ifindex;
};

struct found {
	struct found_route *routes;
	size_t n_routes, cap_routes;
	struct found_addr *addrs;
	size_t n_addrs, cap_addrs;
	struct found_rule *rules;
	size_t n_rules, cap_rules;
};

static void found_addr_cb(struct nlmsghdr *h, void *arg)
{
	struct found *f = arg;
	struct ifaddrmsg *ifa = NLMSG_DATA(h);
	struct rtattr *tb[IFA_MAX + 1];
	const char *label;
	size_t ll, sl = strlen(QSPND_ADDR_LABEL_SUFFIX);

	if (h->nlmsg_type != RTM_NEWADDR || ifa->ifa_family != AF_INET)
		return;
	parse_attrs(tb, IFA_MAX, IFA_RTA(ifa), IFA_PAYLOAD(h));
	if (!tb[IFA_LABEL] || !tb[IFA_LOCAL])
		return;
	label = RTA_DATA(tb[IFA_LABEL]);
	ll = strnlen(label, RTA_PAYLOAD(tb[IFA_LABEL]));
	if (ll < sl || strncmp(label + ll - sl, QSPND_ADDR_LABEL_SUFFIX, sl))
		return;
	if (f->n_addrs == f->cap_addrs) {
		f->cap_addrs = f->cap_addrs ? 2 * f->cap_addrs : 16;
		f->addrs = XREALLOC(MTYPE_QSPND_NL_DUMP, f->addrs,
				    f->cap_addrs * sizeof(*f->addrs));
	}
	f->addrs[f->n_addrs].ifindex = ifa->ifa_index;
	memcpy(&f->addrs[f->n_addrs].ip, RTA_DATA(tb[IFA_LOCAL]), 4);
	f->n_addrs++;
}

static void found_rule_cb(struct nlmsghdr *h, void *arg)
{
	struct found *f = arg;
	struct fib_rule_hdr *frh = NLMSG_DATA(h);
	struct rtattr *tb[FRA_MAX + 1];
	struct found_rule r = {};

	if (h->nlmsg_type != RTM_NEWRULE || frh->family != AF_INET)
		return;
	parse_attrs(tb, FRA_MAX,
		    (struct rtattr *)((char *)frh + NLMSG_ALIGN(sizeof(*frh))),
		    h->nlmsg_len - NLMSG_LENGTH(sizeof(*frh)));
	if (!tb[FRA_PROTOCOL] ||
	    *(uint8_t *)RTA_DATA(tb[FRA_PROTOCOL]) != QSPND_RTPROTO)
		return;
	r.table = frh->table;
	if (tb[FRA_TABLE])
		r.table = *(uint32_t *)RTA_DATA(tb[FRA_TABLE]);
	if (tb[FRA_PRIORITY])
		r.prio = *(uint32_t *)RTA_DATA(tb[FRA_PRIORITY]);
	if (tb[FRA_FWMARK])
		r.fwmark = *(uint32_t *)RTA_DATA(tb[FRA_FWMARK]);
	if (f->n_rules == f->cap_rules) {
		f->cap_rules = f->cap_rules ? 2 * f->cap_rules : 16;
		f->rules = XREALLOC(MTYPE_QSPND_NL_DUMP, f->rules,
				    f->cap_rules * sizeof(*f->rules));
	}
	f->rules[f->n_rules++] = r;
}

static void found_route_cb(struct nlmsghdr *h, void *arg)
{
	struct found *f = arg;
	struct rtmsg *rtm = NLMSG_DATA(h);
	struct rtattr *tb[RTA_MAX + 1];
	struct found_route r = {};

	if (h->nlmsg_type != RTM_NEWROUTE || rtm->rtm_family != AF_INET ||
	    rtm->rtm_protocol != QSPND_RTPROTO || rtm->rtm_dst_len != 32)
		return;
	parse_attrs(tb, RTA_MAX, RTM_RTA(rtm), RTM_PAYLOAD(h));
	if (!tb[RTA_DST])
		return;
	r.table = tb[RTA_TABLE] ? *(uint32_t *)RTA_DATA(tb[RTA_TABLE])
				: rtm->rtm_table;
	memcpy(&r.dst, RTA_DATA(tb[RTA_DST]), 4);
	r.dst = ntohl(r.dst);
	if (tb[RTA_OIF])
		r.ifindex = *(int *)RTA_DATA(tb[RTA_OIF]);
	if (f->n_routes == f->cap_routes) {
		f->cap_routes = f->cap_routes ? 2 * f->cap_routes : 16;
		f->routes = XREALLOC(MTYPE_QSPND_NL_DUMP, f->routes,
				     f->cap_routes * sizeof(*f->routes));
	}
	f->routes[f->n_routes++] = r;
}

int qspnd_nl_remove_ours(void)
{
	struct found f = {};
	int removed = 0;

	if (nl_dump(RTM_GETROUTE, AF_INET, found_route_cb, &f) < 0)
		zlog_warn("qspnd: cannot list routes: %s",
			  safe_strerror(errno));
	for (size_t i = 0; i < f.n_routes; i++) {
		uint32_t d = htonl(f.routes[i].dst);
		int ret = route_msg(false, f.routes[i].table, f.routes[i].dst,
				    f.routes[i].ifindex, 0);

		zlog_info(
			"qspnd: removed a route left by an earlier run: %pI4 table %u%s%s",
			(struct in_addr *)&d, f.routes[i].table,
			ret ? ": " : "", ret ? nl_err : "");
		if (!ret)
			removed++;
	}

	if (nl_dump(RTM_GETRULE, AF_INET, found_rule_cb, &f) < 0)
		zlog_warn("qspnd: cannot list policy rules: %s",
			  safe_strerror(errno));
	if (nl_dump(RTM_GETADDR, AF_INET, found_addr_cb, &f) < 0)
		zlog_warn("qspnd: cannot list addresses: %s",
			  safe_strerror(errno));
	for (size_t i = 0; i < f.n_rules; i++) {
		int ret = rule_msg(false, f.rules[i].fwmark, f.rules[i].table,
				   f.rules[i].prio);

		zlog_info(
			"qspnd: removed a rule left by an earlier run: pref %u fwmark %u table %u%s%s",
			f.rules[i].prio, f.rules[i].fwmark, f.rules[i].table,
			ret ? ": " : "", ret ? nl_err : "");
		if (!ret)
			removed++;
	}
	for (size_t i = 0; i < f.n_addrs; i++) {
		char name[IFNAMSIZ] = "?";
		int ret;

		if_indextoname(f.addrs[i].ifindex, name);
		ret = addr_msg(false, f.addrs[i].ifindex, ntohl(f.addrs[i].ip),
			       NULL);
		zlog_info(
			"qspnd: removed an address left by an earlier run: %pI4 dev %s%s%s",
			&f.addrs[i].ip, name, ret ? ": " : "",
			ret ? nl_err : "");
		if (!ret)
			removed++;
	}
	XFREE(MTYPE_QSPND_NL_DUMP, f.routes);
	XFREE(MTYPE_QSPND_NL_DUMP, f.addrs);
	XFREE(MTYPE_QSPND_NL_DUMP, f.rules);
	return removed;
}
