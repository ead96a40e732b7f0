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

#include <fcntl.h>
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include "lib/log.h"
#include "lib/memory.h"
#include "lib/privs.h"

#include "qspnd.h"
#include "qspnd_debug.h"
#include "qspnd_netlink.h"
#include "qspnd_netns.h"

DEFINE_MTYPE_STATIC(QSPND, QSPND_NL_DUMP, "QSPN netlink dump");


static int nl_sock = -1;
static uint32_t nl_seq;
static char nl_err[128];

const char *qspnd_netlink_strerror(void)
{
	return nl_err;
}

static int nl_open(const char *ns)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	int rcvbuf = 1 << 20;
	int fd;

	fd = qspnd_netns_socket(ns, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
				NETLINK_ROUTE);
	if (fd < 0) {
		snprintf(nl_err, sizeof(nl_err), "netlink socket%s%s: %s",
			 ns[0] ? " in " : "", ns, safe_strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		snprintf(nl_err, sizeof(nl_err), "netlink bind: %s",
			 safe_strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int qspnd_netlink_init(void)
{
	if (nl_sock >= 0)
		return 0;
	nl_sock = nl_open("");
	if (nl_sock < 0) {
		zlog_err("%s", nl_err);
		return -1;
	}
	return 0;
}

/*
 * One socket per namespace of a connectivity identity, opened inside it (a
 * netlink socket talks to the namespace it was created in).  Dropped when
 * the namespace is created or deleted: the name may then mean another one.
 */
#define NS_SOCKS 64
static struct {
	char ns[QSPN_NAMELEN];
	int fd;
} ns_socks[NS_SOCKS];
static size_t n_ns_socks;

void qspnd_netlink_ns_forget(const char *ns)
{
	for (size_t i = 0; i < n_ns_socks; i++)
		if (!strcmp(ns_socks[i].ns, ns)) {
			close(ns_socks[i].fd);
			ns_socks[i] = ns_socks[--n_ns_socks];
			return;
		}
}

/* the socket for ns ("" = the default one), -1 with nl_err */
static int nl_fd(const char *ns)
{
	int fd;

	if (!ns[0]) {
		if (nl_sock < 0 && qspnd_netlink_init() < 0)
			return -1;
		return nl_sock;
	}
	for (size_t i = 0; i < n_ns_socks; i++)
		if (!strcmp(ns_socks[i].ns, ns))
			return ns_socks[i].fd;
	if (!qspnd_netns_exists(ns)) {
		snprintf(nl_err, sizeof(nl_err), "no network namespace %s", ns);
		return -1;
	}
	fd = nl_open(ns);
	if (fd < 0)
		return -1;
	if (n_ns_socks == NS_SOCKS) {
		close(ns_socks[0].fd);
		ns_socks[0] = ns_socks[--n_ns_socks];
	}
	snprintf(ns_socks[n_ns_socks].ns, QSPN_NAMELEN, "%s", ns);
	ns_socks[n_ns_socks++].fd = fd;
	return fd;
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
static int nl_talk(const char *ns, struct nlmsghdr *n)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	char buf[8192];
	ssize_t len;
	int ret = -1;
	int fd = nl_fd(ns);

	if (fd < 0)
		return -1;
	n->nlmsg_seq = ++nl_seq;
	n->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;

	frr_with_privs (&qspnd_privs) {
		len = sendto(fd, n, n->nlmsg_len, 0, (struct sockaddr *)&sa,
			     sizeof(sa));
	}
	if (len < 0) {
		snprintf(nl_err, sizeof(nl_err), "netlink send: %s",
			 safe_strerror(errno));
		return -1;
	}
	for (;;) {
		struct nlmsghdr *h;

		len = recv(fd, buf, sizeof(buf), 0);
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
static int nl_dump(const char *ns, int type, unsigned char family,
		   void (*fn)(struct nlmsghdr *h, void *arg), void *arg)
{
	struct {
		struct nlmsghdr n;
		struct rtgenmsg g;
	} req = {};
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	char buf[16384];
	ssize_t len;
	int fd = nl_fd(ns);

	if (fd < 0)
		return -1;
	req.n.nlmsg_len = NLMSG_LENGTH(sizeof(req.g));
	req.n.nlmsg_type = type;
	req.n.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.n.nlmsg_seq = ++nl_seq;
	req.g.rtgen_family = family;
	if (sendto(fd, &req, req.n.nlmsg_len, 0, (struct sockaddr *)&sa,
		   sizeof(sa)) < 0)
		return -1;
	for (;;) {
		struct nlmsghdr *h;

		len = recv(fd, buf, sizeof(buf), 0);
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

static int addr_msg(const char *ns, bool add, int ifindex, uint32_t ip,
		    const char *label)
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
	return nl_talk(ns, NLH(&req));
}

/* ifindex of dev in ns; 0 with nl_err */
static int dev_index(const char *ns, const char *dev)
{
	int ifindex = qspnd_netns_ifindex(ns, dev);

	if (!ifindex)
		snprintf(nl_err, sizeof(nl_err), "no device %s%s%s", dev,
			 ns[0] ? " in " : "", ns);
	return ifindex;
}

/* a namespace that is gone took everything in it along */
static bool ns_gone(const char *ns)
{
	return ns[0] && !qspnd_netns_exists(ns);
}

int qspnd_netlink_addr(const char *ns, bool add, const char *dev, uint32_t ip)
{
	char label[IFNAMSIZ];
	int ifindex;
	int ret;

	if (!add && ns_gone(ns))
		return 0;
	ifindex = dev_index(ns, dev);
	if (!ifindex)
		/* the device is gone, so is the address */
		return add ? -1 : 0;
	addr_label(dev, label);
	ret = addr_msg(ns, add, ifindex, ip, label);
	if (!add && (ret == EADDRNOTAVAIL || ret == ENOENT || ret == ENODEV))
		ret = 0;
	return ret ? -1 : 0;
}

/* ---- rules ---- */

static int rule_msg(const char *ns, bool add, uint32_t fwmark, uint32_t table,
		    uint32_t prio)
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
	return nl_talk(ns, NLH(&req));
}

int qspnd_netlink_rule(const char *ns, bool add, uint32_t fwmark,
		       uint32_t table)
{
	uint32_t prio =
		fwmark ? QSPND_RULE_PRIO_FWMARK(fwmark) : QSPND_RULE_PRIO_NTK;
	int ret;

	if (!add && ns_gone(ns))
		return 0;
	ret = rule_msg(ns, add, fwmark, table, prio);
	if (add && ret == EEXIST)
		ret = 0;
	if (!add && ret == ENOENT)
		ret = 0;
	return ret ? -1 : 0;
}

/* ---- routes: link-local routes of main, other namespaces' tables ---- */

struct nlroute {
	uint32_t table;
	uint32_t dst; /* host order */
	uint8_t len;
	uint8_t type; /* RTN_*; 0 on delete */
	uint8_t scope;
	uint8_t proto; /* 0 on delete: any */
	uint32_t gw;   /* host order, 0: none */
	int ifindex;   /* 0: none */
	uint32_t src;  /* host order, 0: none */
	bool onlink;
};

static int route_msg(const char *ns, bool add, const struct nlroute *r)
{
	struct nlreq req = {};
	struct rtmsg *rtm;
	uint32_t a = htonl(r->dst), sa = htonl(r->src), gw = htonl(r->gw);

	req.n.nlmsg_len = NLMSG_LENGTH(sizeof(*rtm));
	req.n.nlmsg_type = add ? RTM_NEWROUTE : RTM_DELROUTE;
	if (add)
		req.n.nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
	rtm = NLMSG_DATA(NLH(&req));
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = r->len;
	rtm->rtm_table = r->table < 256 ? r->table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = r->proto;
	rtm->rtm_scope = add ? r->scope : RT_SCOPE_NOWHERE;
	rtm->rtm_type = add ? r->type : RTN_UNSPEC;
	if (add && r->onlink)
		rtm->rtm_flags |= RTNH_F_ONLINK;
	if (r->len)
		nl_attr(NLH(&req), RTA_DST, &a, 4);
	nl_attr32(NLH(&req), RTA_TABLE, r->table);
	if (r->ifindex)
		nl_attr32(NLH(&req), RTA_OIF, r->ifindex);
	if (add && r->gw)
		nl_attr(NLH(&req), RTA_GATEWAY, &gw, 4);
	if (add && r->src)
		nl_attr(NLH(&req), RTA_PREFSRC, &sa, 4);
	return nl_talk(ns, NLH(&req));
}

int qspnd_netlink_llroute(const char *ns, bool add, uint32_t dst,
			  const char *dev, uint32_t src)
{
	struct nlroute r = {
		.table = RT_TABLE_MAIN,
		.dst = dst,
		.len = 32,
		.type = RTN_UNICAST,
		.scope = RT_SCOPE_LINK,
		.proto = QSPND_RTPROTO,
		.src = src,
	};
	int ret;

	if (!add && ns_gone(ns))
		return 0;
	r.ifindex = dev_index(ns, dev);
	if (!r.ifindex)
		return add ? -1 : 0;
	ret = route_msg(ns, add, &r);
	if (!add && (ret == ESRCH || ret == ENOENT))
		ret = 0;
	return ret ? -1 : 0;
}

/*
 * A route of a Netsukuku table in another namespace (zebra does not manage
 * those): `ip route replace <dst> table <tid> (unreachable | blackhole |
 * via <gw> dev <dev> onlink [src <src>]) proto 252`, or its removal.
 */
int qspnd_netlink_route(const char *ns, bool add, const struct qspnd_zroute *zr)
{
	struct nlroute r = {
		.table = zr->tid,
		.dst = zr->dst.addr,
		.len = zr->dst.len,
		.proto = QSPND_RTPROTO,
	};
	int ret;

	if (!add && ns_gone(ns))
		return 0;
	if (add) {
		switch (zr->rtype) {
		case QSPN_RT_UNREACHABLE:
			r.type = RTN_UNREACHABLE;
			r.scope = RT_SCOPE_UNIVERSE;
			break;
		case QSPN_RT_BLACKHOLE:
			r.type = RTN_BLACKHOLE;
			r.scope = RT_SCOPE_UNIVERSE;
			break;
		case QSPN_RT_VIA:
			r.type = RTN_UNICAST;
			r.ifindex = dev_index(ns, zr->dev);
			if (!r.ifindex)
				return -1;
			r.gw = zr->gw;
			r.onlink = zr->gw != 0;
			r.scope = zr->gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
			r.src = zr->src;
			break;
		default:
			snprintf(nl_err, sizeof(nl_err), "no route type");
			return -1;
		}
	}
	ret = route_msg(ns, add, &r);
	if (!add && (ret == ESRCH || ret == ENOENT))
		ret = 0;
	return ret ? -1 : 0;
}

/* ---- links and sysctls ---- */

static int link_msg(const char *ns, int ifindex, uint32_t flags,
		    uint32_t change, const uint8_t *mac, int netns_fd)
{
	struct nlreq req = {};
	struct ifinfomsg *ifi;

	req.n.nlmsg_len = NLMSG_LENGTH(sizeof(*ifi));
	req.n.nlmsg_type = RTM_NEWLINK;
	ifi = NLMSG_DATA(NLH(&req));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = flags;
	ifi->ifi_change = change;
	if (mac)
		nl_attr(NLH(&req), IFLA_ADDRESS, mac, 6);
	if (netns_fd >= 0)
		nl_attr32(NLH(&req), IFLA_NET_NS_FD, netns_fd);
	return nl_talk(ns, NLH(&req));
}

int qspnd_netlink_link_up(const char *ns, const char *dev)
{
	int ifindex = dev_index(ns, dev);

	if (!ifindex)
		return -1;
	return link_msg(ns, ifindex, IFF_UP, IFF_UP, NULL, -1) ? -1 : 0;
}

static bool mac_zero(const uint8_t mac[6])
{
	static const uint8_t zero[6];

	return !memcmp(mac, zero, 6);
}

/* `ip link add dev <dev> link <parent> type macvlan mode bridge
 * [address <mac>]` in the default namespace */
int qspnd_netlink_macvlan_add(const char *dev, const char *parent,
			      const uint8_t mac[6])
{
	struct nlreq req = {};
	struct ifinfomsg *ifi;
	struct rtattr *linkinfo, *data;
	int pidx = dev_index("", parent);
	uint32_t mode = MACVLAN_MODE_BRIDGE;
	int ret;

	if (!pidx)
		return -1;
	req.n.nlmsg_len = NLMSG_LENGTH(sizeof(*ifi));
	req.n.nlmsg_type = RTM_NEWLINK;
	req.n.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ifi = NLMSG_DATA(NLH(&req));
	ifi->ifi_family = AF_UNSPEC;
	nl_attr(NLH(&req), IFLA_IFNAME, dev, strlen(dev) + 1);
	nl_attr32(NLH(&req), IFLA_LINK, pidx);
	if (mac && !mac_zero(mac))
		nl_attr(NLH(&req), IFLA_ADDRESS, mac, 6);
	linkinfo = nl_tail(NLH(&req));
	nl_attr(NLH(&req), IFLA_LINKINFO, NULL, 0);
	nl_attr(NLH(&req), IFLA_INFO_KIND, "macvlan", strlen("macvlan"));
	data = nl_tail(NLH(&req));
	nl_attr(NLH(&req), IFLA_INFO_DATA, NULL, 0);
	nl_attr32(NLH(&req), IFLA_MACVLAN_MODE, mode);
	data->rta_len = (char *)nl_tail(NLH(&req)) - (char *)data;
	linkinfo->rta_len = (char *)nl_tail(NLH(&req)) - (char *)linkinfo;
	ret = nl_talk("", NLH(&req));
	return ret ? -1 : 0;
}

int qspnd_netlink_link_set_mac(const char *ns, const char *dev,
			       const uint8_t mac[6])
{
	int ifindex = dev_index(ns, dev);

	if (!ifindex)
		return -1;
	return link_msg(ns, ifindex, 0, 0, mac, -1) ? -1 : 0;
}

/* `ip link set dev <dev> netns <ns>`, from the default namespace */
int qspnd_netlink_link_setns(const char *dev, const char *ns)
{
	char path[64];
	int ifindex = dev_index("", dev);
	int fd, ret, err = 0;

	if (!ifindex)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", QSPND_NETNS_RUN_DIR, ns);
	frr_with_privs (&qspnd_privs) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			err = errno;
	}
	if (fd < 0) {
		snprintfrr(nl_err, sizeof(nl_err), "netns %s: %s", ns,
			   safe_strerror(err));
		return -1;
	}
	ret = link_msg("", ifindex, 0, 0, NULL, fd);
	close(fd);
	return ret ? -1 : 0;
}

static int link_del_msg(const char *ns, int ifindex)
{
	struct nlreq req = {};
	struct ifinfomsg *ifi;

	req.n.nlmsg_len = NLMSG_LENGTH(sizeof(*ifi));
	req.n.nlmsg_type = RTM_DELLINK;
	ifi = NLMSG_DATA(NLH(&req));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return nl_talk(ns, NLH(&req));
}

/* `ip link delete <dev>` inside ns; a link already gone is fine */
int qspnd_netlink_link_del(const char *ns, const char *dev)
{
	int ifindex;
	int ret;

	if (ns_gone(ns))
		return 0;
	ifindex = qspnd_netns_ifindex(ns, dev);
	if (!ifindex)
		return 0;
	ret = link_del_msg(ns, ifindex);
	if (ret == ENODEV)
		ret = 0;
	return ret ? -1 : 0;
}

int qspnd_netlink_sysctl(const char *ns, const char *key, const char *value)
{
	char path[128];
	size_t n;
	int fd, err = 0, saved;
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
	/* /proc/sys/net is the namespace of whoever opens it */
	if (qspnd_netns_enter(ns, &saved) < 0) {
		snprintfrr(nl_err, sizeof(nl_err), "netns %s: %s", ns,
			   safe_strerror(errno));
		return -1;
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
	qspnd_netns_leave(saved);
	if (w < 0) {
		snprintfrr(nl_err, sizeof(nl_err), "%s%s%s: %s",
			   ns[0] ? ns : "", ns[0] ? ":" : "", path,
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
	uint8_t len, proto;
	int ifindex;
};

struct found {
	/* routes: of this protocol (0: any), of this table (0: any) */
	uint8_t want_proto;
	uint32_t want_table;
	struct found_route *routes;
	size_t n_routes, cap_routes;
	struct found_addr *addrs;
	size_t n_addrs, cap_addrs;
	struct found_rule *rules;
	size_t n_rules, cap_rules;
	int *links;
	size_t n_links, cap_links;
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
	    (f->want_proto && rtm->rtm_protocol != f->want_proto))
		return;
	parse_attrs(tb, RTA_MAX, RTM_RTA(rtm), RTM_PAYLOAD(h));
	r.table = tb[RTA_TABLE] ? *(uint32_t *)RTA_DATA(tb[RTA_TABLE])
				: rtm->rtm_table;
	if (f->want_table && r.table != f->want_table)
		return;
	if (r.table == RT_TABLE_LOCAL)
		return; /* the kernel's own */
	r.len = rtm->rtm_dst_len;
	r.proto = rtm->rtm_protocol;
	if (tb[RTA_DST]) {
		memcpy(&r.dst, RTA_DATA(tb[RTA_DST]), 4);
		r.dst = ntohl(r.dst);
	}
	if (tb[RTA_OIF])
		r.ifindex = *(int *)RTA_DATA(tb[RTA_OIF]);
	if (f->n_routes == f->cap_routes) {
		f->cap_routes = f->cap_routes ? 2 * f->cap_routes : 16;
		f->routes = XREALLOC(MTYPE_QSPND_NL_DUMP, f->routes,
				     f->cap_routes * sizeof(*f->routes));
	}
	f->routes[f->n_routes++] = r;
}

static void found_link_cb(struct nlmsghdr *h, void *arg)
{
	struct found *f = arg;
	struct ifinfomsg *ifi = NLMSG_DATA(h);

	if (h->nlmsg_type != RTM_NEWLINK || (ifi->ifi_flags & IFF_LOOPBACK))
		return;
	if (f->n_links == f->cap_links) {
		f->cap_links = f->cap_links ? 2 * f->cap_links : 16;
		f->links = XREALLOC(MTYPE_QSPND_NL_DUMP, f->links,
				    f->cap_links * sizeof(*f->links));
	}
	f->links[f->n_links++] = ifi->ifi_index;
}

static void found_free(struct found *f)
{
	XFREE(MTYPE_QSPND_NL_DUMP, f->routes);
	XFREE(MTYPE_QSPND_NL_DUMP, f->addrs);
	XFREE(MTYPE_QSPND_NL_DUMP, f->rules);
	XFREE(MTYPE_QSPND_NL_DUMP, f->links);
}

static int found_route_del(const char *ns, const struct found_route *fr)
{
	struct nlroute r = {
		.table = fr->table,
		.dst = fr->dst,
		.len = fr->len,
		.proto = fr->proto,
		.ifindex = fr->ifindex,
	};
	int ret = route_msg(ns, false, &r);

	return (ret == ESRCH || ret == ENOENT) ? 0 : ret;
}

/* `ip route flush table <tid>` inside a namespace of ours: every route of
 * the table, whoever added it */
int qspnd_netlink_route_flush(const char *ns, uint32_t tid)
{
	struct found f = {.want_table = tid};
	int ret = 0;

	if (ns_gone(ns))
		return 0;
	if (nl_dump(ns, RTM_GETROUTE, AF_INET, found_route_cb, &f) < 0) {
		snprintf(nl_err, sizeof(nl_err), "cannot list routes");
		return -1;
	}
	for (size_t i = 0; i < f.n_routes; i++)
		if (found_route_del(ns, &f.routes[i]))
			ret = -1;
	found_free(&f);
	return ret;
}

int qspnd_netlink_remove_links(const char *ns)
{
	struct found f = {};
	int removed = 0;

	if (nl_dump(ns, RTM_GETLINK, AF_UNSPEC, found_link_cb, &f) < 0)
		zlog_warn("cannot list the links of %s: %s",
			  ns[0] ? ns : "the default namespace", nl_err);
	for (size_t i = 0; i < f.n_links; i++)
		if (link_del_msg(ns, f.links[i]) == 0)
			removed++;
	found_free(&f);
	return removed;
}

int qspnd_netlink_remove_ours(const char *ns)
{
	struct found f = {.want_proto = QSPND_RTPROTO};
	const char *in = ns[0] ? " in " : "";
	int removed = 0;

	if (ns_gone(ns))
		return 0;
	if (nl_dump(ns, RTM_GETROUTE, AF_INET, found_route_cb, &f) < 0)
		zlog_warn("cannot list routes: %s", safe_strerror(errno));
	for (size_t i = 0; i < f.n_routes; i++) {
		uint32_t d = htonl(f.routes[i].dst);
		int ret = found_route_del(ns, &f.routes[i]);

		zlog_info("removed a route of qspnd: %pI4/%u table %u%s%s%s%s",
			  (struct in_addr *)&d, f.routes[i].len,
			  f.routes[i].table, in, ns, ret ? ": " : "",
			  ret ? nl_err : "");
		if (!ret)
			removed++;
	}

	if (nl_dump(ns, RTM_GETRULE, AF_INET, found_rule_cb, &f) < 0)
		zlog_warn("cannot list policy rules: %s", safe_strerror(errno));
	if (nl_dump(ns, RTM_GETADDR, AF_INET, found_addr_cb, &f) < 0)
		zlog_warn("cannot list addresses: %s", safe_strerror(errno));
	for (size_t i = 0; i < f.n_rules; i++) {
		int ret = rule_msg(ns, false, f.rules[i].fwmark,
				   f.rules[i].table, f.rules[i].prio);

		zlog_info(
			"removed a rule of qspnd: pref %u fwmark %u table %u%s%s%s%s",
			f.rules[i].prio, f.rules[i].fwmark, f.rules[i].table,
			in, ns, ret ? ": " : "", ret ? nl_err : "");
		if (!ret)
			removed++;
	}
	for (size_t i = 0; i < f.n_addrs; i++) {
		int ret;

		ret = addr_msg(ns, false, f.addrs[i].ifindex,
			       ntohl(f.addrs[i].ip), NULL);
		zlog_info(
			"removed an address of qspnd: %pI4 ifindex %d%s%s%s%s",
			&f.addrs[i].ip, f.addrs[i].ifindex, in, ns,
			ret ? ": " : "", ret ? nl_err : "");
		if (!ret)
			removed++;
	}
	found_free(&f);
	return removed;
}
