// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qspn_plan_fmt.c: operations as the commands of doc/protocol/commands.md, MAC
 * addresses, and the operation array.
 */
#include "qspn_plan.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void qspn_ops_init(struct qspn_ops *ops)
{
	ops->v = NULL;
	ops->n = ops->cap = 0;
}

void qspn_ops_free(struct qspn_ops *ops)
{
	free(ops->v);
	qspn_ops_init(ops);
}

int qspn_mac_parse(const char *text, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++) {
		unsigned int v = 0;

		for (int d = 0; d < 2; d++) {
			char c = text[i * 3 + d];

			v <<= 4;
			if (c >= '0' && c <= '9')
				v |= (unsigned int)(c - '0');
			else if (c >= 'a' && c <= 'f')
				v |= (unsigned int)(c - 'a' + 10);
			else if (c >= 'A' && c <= 'F')
				v |= (unsigned int)(c - 'A' + 10);
			else
				return -1;
		}
		if (text[i * 3 + 2] != (i == 5 ? '\0' : ':'))
			return -1;
		mac[i] = (uint8_t)v;
	}
	return 0;
}

void qspn_mac_format(const uint8_t mac[6], char buf[18])
{
	snprintf(buf, 18, "%02X:%02X:%02X:%02X:%02X:%02X", mac[0], mac[1],
		 mac[2], mac[3], mac[4], mac[5]);
}

/* a bounded appender */
struct sbuf {
	char *p;
	size_t len, used;
};

static void put(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(b->p + (b->used < b->len ? b->used : b->len),
		      b->used < b->len ? b->len - b->used : 0, fmt, ap);
	va_end(ap);
	if (r > 0)
		b->used += (size_t)r;
}

static void put_ip(struct sbuf *b, uint32_t ip)
{
	put(b, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255,
	    ip & 255);
}

static void put_pfx(struct sbuf *b, struct qspn_prefix p)
{
	put_ip(b, p.addr);
	put(b, "/%u", p.len);
}

static void put_ns(struct sbuf *b, const struct qspn_op *op)
{
	if (op->ns[0])
		put(b, "ip netns exec %s ", op->ns);
}

static void put_route(struct sbuf *b, const struct qspn_op *op,
		      const char *verb)
{
	put_ns(b, op);
	put(b, "ip route %s ", verb);
	if (op->rtype == QSPN_RT_UNREACHABLE)
		put(b, "unreachable ");
	else if (op->rtype == QSPN_RT_BLACKHOLE)
		put(b, "blackhole ");
	put_pfx(b, op->dst);
	put(b, " table %s", op->table);
	if (op->rtype == QSPN_RT_VIA) {
		put(b, " via ");
		put_ip(b, op->gw);
		put(b, " dev %s", op->dev);
		if (op->src) {
			put(b, " src ");
			put_ip(b, op->src);
		}
	}
}

bool qspn_op_is_delete(enum qspn_op_code code)
{
	switch (code) {
	case QSPN_OP_NETNS_DEL:
	case QSPN_OP_LINK_DEL:
	case QSPN_OP_ADDR_DEL:
	case QSPN_OP_LLROUTE_DEL:
	case QSPN_OP_RTTABLE_DEL:
	case QSPN_OP_RULE_DEL:
	case QSPN_OP_MARK_DEL:
	case QSPN_OP_SNAT_DEL:
	case QSPN_OP_NETMAP_DEL:
	case QSPN_OP_ROUTE_DEL:
	case QSPN_OP_ROUTE_FLUSH:
		return true;
	case QSPN_OP_SYSCTL:
	case QSPN_OP_NETNS_ADD:
	case QSPN_OP_LINK_ADD:
	case QSPN_OP_LINK_SETNS:
	case QSPN_OP_LINK_UP:
	case QSPN_OP_ADDR_ADD:
	case QSPN_OP_LLROUTE_ADD:
	case QSPN_OP_RTTABLE_ADD:
	case QSPN_OP_RULE_ADD:
	case QSPN_OP_MARK_ADD:
	case QSPN_OP_SNAT_ADD:
	case QSPN_OP_NETMAP_ADD:
	case QSPN_OP_ROUTE_ADD:
	case QSPN_OP_ROUTE_CHANGE:
		break;
	}
	return false;
}

int qspn_op_format(const struct qspn_op *op, char *buf, size_t len)
{
	struct sbuf b = {buf, len, 0};
	char mac[18];
	bool add;

	if (len)
		buf[0] = '\0';
	switch (op->code) {
	case QSPN_OP_SYSCTL:
		put_ns(&b, op);
		put(&b, "sysctl %s=%s", op->key, op->value);
		break;
	case QSPN_OP_NETNS_ADD:
		put(&b, "ip netns add %s", op->ns);
		break;
	case QSPN_OP_NETNS_DEL:
		put(&b, "ip netns del %s", op->ns);
		break;
	case QSPN_OP_LINK_ADD:
		put(&b, "ip link add dev %s link %s type macvlan", op->dev,
		    op->link);
		break;
	case QSPN_OP_LINK_SETNS:
		put(&b, "ip link set dev %s netns %s", op->dev, op->ns);
		break;
	case QSPN_OP_LINK_UP:
		put_ns(&b, op);
		put(&b, "ip link set dev %s up", op->dev);
		break;
	case QSPN_OP_LINK_DEL:
		put_ns(&b, op);
		put(&b, "ip link delete %s type macvlan", op->dev);
		break;
	case QSPN_OP_ADDR_ADD:
		put_ns(&b, op);
		put(&b, "ip address add ");
		put_ip(&b, op->dst.addr);
		put(&b, " dev %s", op->dev);
		break;
	case QSPN_OP_ADDR_DEL:
		put_ns(&b, op);
		put(&b, "ip address del ");
		put_ip(&b, op->dst.addr);
		put(&b, "/32 dev %s", op->dev);
		break;
	case QSPN_OP_LLROUTE_ADD:
	case QSPN_OP_LLROUTE_DEL:
		put_ns(&b, op);
		put(&b, "ip route %s ",
		    op->code == QSPN_OP_LLROUTE_ADD ? "add" : "del");
		put_ip(&b, op->dst.addr);
		put(&b, " dev %s src ", op->dev);
		put_ip(&b, op->src);
		break;
	case QSPN_OP_RTTABLE_ADD:
		put(&b,
		    "(echo; echo \"%u %s # xxx_table_%s_xxx\") | tee -a /etc/iproute2/rt_tables >/dev/null",
		    op->tid, op->table, op->table);
		break;
	case QSPN_OP_RTTABLE_DEL:
		put(&b, "sed -i '/xxx_table_%s_xxx/d' /etc/iproute2/rt_tables",
		    op->table);
		break;
	case QSPN_OP_RULE_ADD:
	case QSPN_OP_RULE_DEL:
		put_ns(&b, op);
		put(&b, "ip rule %s ",
		    op->code == QSPN_OP_RULE_ADD ? "add" : "del");
		if (op->tid)
			put(&b, "fwmark %u ", op->tid);
		put(&b, "table %s", op->table);
		break;
	case QSPN_OP_MARK_ADD:
	case QSPN_OP_MARK_DEL:
		qspn_mac_format(op->mac, mac);
		put_ns(&b, op);
		put(&b,
		    "iptables -t mangle -%c PREROUTING -m mac --mac-source %s -j MARK --set-mark %u",
		    op->code == QSPN_OP_MARK_ADD ? 'A' : 'D', mac, op->tid);
		break;
	case QSPN_OP_SNAT_ADD:
	case QSPN_OP_SNAT_DEL:
		put(&b, "iptables -t nat -%c POSTROUTING -d ",
		    op->code == QSPN_OP_SNAT_ADD ? 'A' : 'D');
		put_pfx(&b, op->dst);
		put(&b, " -j SNAT --to ");
		put_ip(&b, op->src);
		break;
	case QSPN_OP_NETMAP_ADD:
	case QSPN_OP_NETMAP_DEL:
		add = op->code == QSPN_OP_NETMAP_ADD;
		put(&b, "iptables -t nat -%c %s -d ", add ? 'A' : 'D',
		    op->chain == QSPN_PREROUTING ? "PREROUTING"
						 : "POSTROUTING");
		put_pfx(&b, op->dst);
		if (op->srcp.len) {
			put(&b, " -s ");
			put_pfx(&b, op->srcp);
		}
		put(&b, " -j NETMAP --to ");
		put_pfx(&b, op->to);
		break;
	case QSPN_OP_ROUTE_ADD:
		put_route(&b, op, "add");
		break;
	case QSPN_OP_ROUTE_CHANGE:
		put_route(&b, op, "change");
		break;
	case QSPN_OP_ROUTE_DEL:
		put_ns(&b, op);
		put(&b, "ip route del ");
		put_pfx(&b, op->dst);
		put(&b, " table %s", op->table);
		break;
	case QSPN_OP_ROUTE_FLUSH:
		put_ns(&b, op);
		put(&b, "ip route flush table %s", op->table);
		break;
	}
	return (int)b.used;
}
