/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qspnd_netlink.h: addresses, rules, links, sysctls, and the routes of
 * other namespaces, over rtnetlink and procfs (qspnd_netlink.c), in
 * namespace ns ("" = the default one).
 */
#ifndef QSPND_NETLINK_H
#define QSPND_NETLINK_H

#include <stdbool.h>
#include <stdint.h>

#include "qspnd_zroute.h"

/* Policy rules: our protocol number (FRA_PROTOCOL, `ip rule ... proto 252`)
 * and fixed priorities: `ntk` just before `main` (32766), the fwmark rules
 * of the forwarding tables in a band below it (doc/protocol/routes.md §3.4). */
#define QSPND_RTPROTO 252
#define QSPND_RULE_PRIO_NTK 32765
#define QSPND_RULE_PRIO_FWMARK(tid) (32000 + (tid))

/* Own addresses carry this label suffix ("eth1:qspn", "lo:qspn"). */
#define QSPND_ADDR_LABEL_SUFFIX ":qspn"

int qspnd_netlink_init(void);
int qspnd_netlink_addr(const char *ns, bool add, const char *dev, uint32_t ip);
int qspnd_netlink_rule(const char *ns, bool add, uint32_t fwmark,
		       uint32_t table);
int qspnd_netlink_link_up(const char *ns, const char *dev);
/* `ip route add <dst> dev <dev> src <src>` in main, protocol QSPND_RTPROTO */
int qspnd_netlink_llroute(const char *ns, bool add, uint32_t dst,
			  const char *dev, uint32_t src);
int qspnd_netlink_sysctl(const char *ns, const char *key, const char *value);
/* a route of a Netsukuku table in another namespace, protocol
 * QSPND_RTPROTO (replace; removal of an absent route succeeds) */
int qspnd_netlink_route(const char *ns, bool add, const struct qspnd_zroute *r);
/* every route of table tid in ns */
int qspnd_netlink_route_flush(const char *ns, uint32_t tid);
/* macvlan (mode bridge) on parent, in the default namespace; mac all zero:
 * the kernel chooses */
int qspnd_netlink_macvlan_add(const char *dev, const char *parent,
			      const uint8_t mac[6]);
int qspnd_netlink_link_set_mac(const char *ns, const char *dev,
			       const uint8_t mac[6]);
/* move dev from the default namespace into ns */
int qspnd_netlink_link_setns(const char *dev, const char *ns);
/* delete dev in ns (absent: 0) */
int qspnd_netlink_link_del(const char *ns, const char *dev);
/* remove every route, address and rule of ns that carries our marks;
 * returns the count */
int qspnd_netlink_remove_ours(const char *ns);
const char *qspnd_netlink_strerror(void);
/* a namespace was created or deleted: its cached socket goes */
void qspnd_netlink_ns_forget(const char *ns);
/* delete every link but lo inside ns; returns the count */
int qspnd_netlink_remove_links(const char *ns);

#endif /* QSPND_NETLINK_H */
