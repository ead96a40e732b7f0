// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qspnd_zroute.c: the routes of table `ntk` (251) and of the forwarding
 * tables `ntk_from_<MAC>`, installed by zebra over ZAPI, and their `src`.
 * (The link-local /32 routes of `main` are qspnd's own, qspnd_netlink.c:
 * zebra 8.4 refuses `set src` with a 169.254/16 address.)
 *
 * Routes: ZEBRA_ROUTE_ADD / ZEBRA_ROUTE_DELETE with ZAPI_MESSAGE_TABLEID,
 * route type QSPND_ROUTE_TYPE and an explicit distance; `unreachable` and
 * `blackhole` are NEXTHOP_TYPE_BLACKHOLE (BLACKHOLE_REJECT, which zebra
 * installs as RTN_UNREACHABLE, / BLACKHOLE_NULL), `via` a
 * NEXTHOP_TYPE_IPV4_IFINDEX with the peer's link-local (onlink: the gateway is
 * a /32 neighbour, not in a connected subnet).  A shadow of every route zebra
 * must have is kept: it is re-sent when zebra comes back, and it is what
 * `show qspn routes` prints.
 *
 * src: ZAPI in FRR 8.4 carries no source address, and zebra sets a route's
 * source only from a route-map `set src`.  Each route that has a src is
 * sent with ZAPI_MESSAGE_TAG = that address (host order), and qspnd keeps in
 * zebra, through zebra's vty socket (what vtysh does), one route-map
 *
 *     route-map QSPND-SRC permit <n>       one entry per src address in use
 *      match tag <address as a number>
 *      set src <address>
 *     route-map QSPND-SRC permit 65535     everything else unchanged
 *     ip protocol any route-map QSPND-SRC
 *
 * (`ip protocol olsr` does not exist in 8.4: OLSR is not an IPv4 protocol in
 * its route_types.txt; a route-map of `any` applies to every protocol that has
 * none of its own, and the final permit leaves their routes as they are).
 * Entries are created before the routes that need them are sent, and removed
 * once no route uses them.  See doc/kernel-state.md.
 */
#include <zebra.h>

#include <sys/un.h>

#include "lib/libfrr.h"
#include "lib/log.h"
#include "lib/memory.h"
#include "lib/nexthop.h"
#include "qspnd_frr.h"
#include "lib/typesafe.h"
#include "lib/vrf.h"
#include "lib/zclient.h"

#include "qspnd.h"
#include "qspnd_debug.h"
#include "qspnd_zroute.h"

DEFINE_MTYPE_STATIC(QSPND, QSPND_ZROUTE, "QSPN zebra route");

/* ---- the shadow of zebra's routes ---- */

PREDECL_RBTREE_UNIQ(zroutes);

struct zr_item {
	struct zroutes_item link;
	struct qspnd_zroute r;
	/* what zebra last said about it (ZEBRA_ROUTE_NOTIFY_OWNER) */
	bool installed, failed;
	/* sent while zebra lacked its src entry (a refused configuration):
	 * sent again once the entry is there, under the other colour */
	bool src_unsure, color_flip;
};

int qspnd_zroute_key_cmp(const struct qspnd_zroute *a,
			 const struct qspnd_zroute *b)
{
	if (a->tid != b->tid)
		return a->tid < b->tid ? -1 : 1;
	if (a->dst.addr != b->dst.addr)
		return a->dst.addr < b->dst.addr ? -1 : 1;
	if (a->dst.len != b->dst.len)
		return a->dst.len < b->dst.len ? -1 : 1;
	return 0;
}

static int zr_cmp(const struct zr_item *a, const struct zr_item *b)
{
	return qspnd_zroute_key_cmp(&a->r, &b->r);
}

DECLARE_RBTREE_UNIQ(zroutes, struct zr_item, link, zr_cmp);

static struct zroutes_head zroutes;

/* re-sending the routes zebra could not install */
static qspnd_event_t *t_retry;
static unsigned int retry_delay;

/* re-sending the routes sent before zebra had their src entry */
#define SRC_RETRY_FIRST_MS 250
#define SRC_RETRY_MAX_MS 8000
static qspnd_event_t *t_src_retry;
static unsigned int src_retry_ms;
static bool src_in_zebra(uint32_t addr);
static void zr_src_retry_cb(qspnd_event_t *t);

static struct zr_item *zr_find(uint32_t tid, struct qspn_prefix dst)
{
	struct zr_item key = {.r = {.tid = tid, .dst = dst}};

	return zroutes_find(&zroutes, &key);
}

static bool zr_same(const struct qspnd_zroute *a, const struct qspnd_zroute *b)
{
	return a->rtype == b->rtype && a->gw == b->gw && a->src == b->src &&
	       !strcmp(a->dev, b->dev);
}

/* ---- ZAPI ---- */

static void zr_prefix(const struct qspnd_zroute *r, struct prefix *p)
{
	memset(p, 0, sizeof(*p));
	p->family = AF_INET;
	p->prefixlen = r->dst.len;
	p->u.prefix4.s_addr = htonl(r->dst.addr);
}

/* 0: sent (or zebra is away: it gets everything when it comes back) */
static int zr_send(struct zr_item *it, bool add)
{
	const struct qspnd_zroute *r = &it->r;
	struct zclient *zc = qspnd.zclient;
	struct zapi_route api;
	struct zapi_nexthop *nh;
	enum zclient_send_status st;

	if (!qspnd_zclient_connected())
		return 0;
	memset(&api, 0, sizeof(api));
	api.vrf_id = VRF_DEFAULT;
	api.type = QSPND_ROUTE_TYPE;
	api.safi = SAFI_UNICAST;
	zr_prefix(r, &api.prefix);
	SET_FLAG(api.message, ZAPI_MESSAGE_TABLEID);
	api.tableid = r->tid;
	if (add) {
		SET_FLAG(api.message, ZAPI_MESSAGE_NEXTHOP);
		SET_FLAG(api.message, ZAPI_MESSAGE_DISTANCE);
		api.distance = QSPND_DISTANCE;
		api.nexthop_num = 1;
		nh = &api.nexthops[0];
		nh->vrf_id = VRF_DEFAULT;
		switch (r->rtype) {
		case QSPN_RT_UNREACHABLE:
			nh->type = NEXTHOP_TYPE_BLACKHOLE;
			nh->bh_type = BLACKHOLE_REJECT; /* RTN_UNREACHABLE */
			break;
		case QSPN_RT_BLACKHOLE:
			nh->type = NEXTHOP_TYPE_BLACKHOLE;
			nh->bh_type = BLACKHOLE_NULL;
			break;
		case QSPN_RT_VIA:
			nh->ifindex = if_nametoindex(r->dev);
			if (!nh->ifindex) {
				zlog_warn(
					"route %pFX table %u: no device %s (sent when it appears)",
					&api.prefix, r->tid, r->dev);
				return -1;
			}
			if (r->gw) {
				nh->type = NEXTHOP_TYPE_IPV4_IFINDEX;
				nh->gate.ipv4.s_addr = htonl(r->gw);
				SET_FLAG(nh->flags, ZAPI_NEXTHOP_FLAG_ONLINK);
			} else
				nh->type = NEXTHOP_TYPE_IFINDEX;
			break;
		default:
			return -1;
		}
		if (r->src) {
			SET_FLAG(api.message, ZAPI_MESSAGE_TAG);
			api.tag = r->src;
			if (QSPND_ZEBRA_SRC_AS_COLOR &&
			    r->rtype == QSPN_RT_VIA) {
				SET_FLAG(api.message, ZAPI_MESSAGE_SRTE);
				nh->srte_color =
					r->src ^
					(it->color_flip ? 0x80000000u : 0);
			}
			/* zebra would install it without its src: again
			 * once the entry is there (zr_src_retry_cb) */
			it->src_unsure = r->rtype == QSPN_RT_VIA &&
					 !src_in_zebra(r->src);
			if (it->src_unsure && !t_src_retry) {
				src_retry_ms = src_retry_ms
						       ? MIN(src_retry_ms * 2,
							     SRC_RETRY_MAX_MS)
						       : SRC_RETRY_FIRST_MS;
				event_add_timer_msec(
					qspnd.master, zr_src_retry_cb, NULL,
					src_retry_ms, &t_src_retry);
			}
		}
	}
	st = zclient_route_send(add ? ZEBRA_ROUTE_ADD : ZEBRA_ROUTE_DELETE, zc,
				&api);
	if (st == ZCLIENT_SEND_FAILURE) {
		zlog_warn("route %pFX table %u not sent to zebra", &api.prefix,
			  r->tid);
		return -1;
	}
	return 0;
}

void qspnd_zroute_init(void)
{
	zroutes_init(&zroutes);
}

int qspnd_zroute_set(const struct qspnd_zroute *r)
{
	struct zr_item *it = zr_find(r->tid, r->dst);

	if (!it) {
		it = XCALLOC(MTYPE_QSPND_ZROUTE, sizeof(*it));
		it->r = *r;
		zroutes_add(&zroutes, it);
	} else {
		if (zr_same(&it->r, r) && !it->failed)
			return 0; /* zebra has it */
		it->r = *r;
	}
	it->installed = it->failed = false;
	return zr_send(it, true);
}

int qspnd_zroute_del(uint32_t tid, struct qspn_prefix dst)
{
	struct zr_item *it = zr_find(tid, dst);
	int ret;

	if (!it)
		return 0;
	ret = zr_send(it, false);
	zroutes_del(&zroutes, it);
	XFREE(MTYPE_QSPND_ZROUTE, it);
	return ret;
}

void qspnd_zroute_flush(uint32_t tid)
{
	struct zr_item *it;

	frr_each_safe (zroutes, &zroutes, it) {
		if (it->r.tid != tid)
			continue;
		zr_send(it, false);
		zroutes_del(&zroutes, it);
		XFREE(MTYPE_QSPND_ZROUTE, it);
	}
}

void qspnd_zroute_remove_all(void)
{
	struct zr_item *it;

	EVENT_OFF(t_retry);
	EVENT_OFF(t_src_retry);
	src_retry_ms = 0;

	while ((it = zroutes_pop(&zroutes))) {
		zr_send(it, false);
		XFREE(MTYPE_QSPND_ZROUTE, it);
	}
}

size_t qspnd_zroute_count(uint32_t tid)
{
	struct zr_item *it;
	size_t n = 0;

	frr_each (zroutes, &zroutes, it)
		if (it->r.tid == tid)
			n++;
	return n;
}

void qspnd_zroute_walk(uint32_t tid,
		       void (*fn)(const struct qspnd_zroute *r, void *arg),
		       void *arg)
{
	struct zr_item *it;

	frr_each (zroutes, &zroutes, it)
		if (it->r.tid == tid)
			fn(&it->r, arg);
}

/* ---- what zebra says about the routes ---- */

static void zr_retry_cb(qspnd_event_t *t)
{
	struct zr_item *it;
	size_t n = 0;

	frr_each (zroutes, &zroutes, it) {
		if (!it->failed)
			continue;
		it->failed = false;
		zr_send(it, true);
		n++;
	}
	if (n)
		zlog_info("%zu routes zebra could not install sent again", n);
}

/*
 * A route of ours lost to "a better distance" in a table of ours.  The only
 * other route there can be one a killed zebra installed for qspnd, which a
 * restarted zebra read back from the kernel and kept: FRR 10.3's startup
 * sweep runs before such routes reach its RIB (FRR issue 21824;
 * doc/frr-versions.md, row 21).  zebra holds it as a kernel route of metric
 * 0 (distance 0: it wins); qspnd asks zebra to drop that entry, and zebra
 * then selects qspnd's route and installs it over the stale one.
 */
static int stale_route_drop(const struct prefix *p, uint32_t table_id)
{
	struct zapi_route api;

	if (!qspnd_zclient_connected())
		return -1;
	memset(&api, 0, sizeof(api));
	api.vrf_id = VRF_DEFAULT;
	api.type = ZEBRA_ROUTE_KERNEL;
	api.safi = SAFI_UNICAST;
	api.prefix = *p;
	SET_FLAG(api.message, ZAPI_MESSAGE_TABLEID);
	api.tableid = table_id;
	if (zclient_route_send(ZEBRA_ROUTE_DELETE, qspnd.zclient, &api) ==
	    ZCLIENT_SEND_FAILURE)
		return -1;
	zlog_info(
		"asked zebra to drop the kernel route %pFX table %u that won over qspnd's (a stale one of a killed zebra)",
		p, table_id);
	qspnd_kstats.stale_dropped++;
	return 0;
}

/*
 * ZEBRA_ROUTE_NOTIFY_OWNER (the zclient asks for it: receive_notify).  A
 * route zebra could not install is logged, counted and sent again after a
 * delay (1 s, doubling up to 30 s).
 */
int qspnd_zroute_notify(ZAPI_CALLBACK_ARGS)
{
	struct prefix p;
	enum zapi_route_notify_owner note;
	uint32_t table_id;
	safi_t safi;
	struct qspn_prefix dst;
	struct zr_item *it;

	if (!zapi_route_notify_decode(zclient->ibuf, &p, &table_id, &note, NULL,
				      &safi))
		return -1;
	if (p.family != AF_INET)
		return 0;
	dst.addr = ntohl(p.u.prefix4.s_addr);
	dst.len = p.prefixlen;
	it = zr_find(table_id, dst);
	switch (note) {
	case ZAPI_ROUTE_INSTALLED:
		QSPND_DEBUG(kernel, "zebra installed %pFX table %u", &p,
			    table_id);
		if (it) {
			it->installed = true;
			it->failed = false;
		}
		qspnd_kstats.zebra_installed++;
		retry_delay = 0;
		break;
	case ZAPI_ROUTE_FAIL_INSTALL:
	case ZAPI_ROUTE_BETTER_ADMIN_WON:
		zlog_warn("zebra did not install %pFX table %u: %s", &p,
			  table_id,
			  note == ZAPI_ROUTE_FAIL_INSTALL
				  ? "the kernel refused it"
				  : "a route with a better distance won");
		qspnd_kstats_error("zebra did not install %pFX table %u", &p,
				   table_id);
		qspnd_kstats.zebra_failed++;
		/* a stale route dropped: send ours again, as after a refusal */
		if (it && (note == ZAPI_ROUTE_FAIL_INSTALL ||
			   stale_route_drop(&p, table_id) == 0)) {
			it->installed = false;
			it->failed = true;
			retry_delay =
				retry_delay ? MIN(retry_delay * 2, 30) : 1;
			if (!t_retry)
				event_add_timer(qspnd.master, zr_retry_cb, NULL,
						retry_delay, &t_retry);
		}
		break;
	case ZAPI_ROUTE_REMOVED:
		QSPND_DEBUG(kernel, "zebra removed %pFX table %u", &p,
			    table_id);
		if (it)
			it->installed = false;
		break;
	case ZAPI_ROUTE_REMOVE_FAIL:
		zlog_warn("zebra could not remove %pFX table %u", &p, table_id);
		qspnd_kstats.op_errors++;
		break;
	}
	return 0;
}

size_t qspnd_zroute_installed_count(uint32_t tid)
{
	struct zr_item *it;
	size_t n = 0;

	frr_each (zroutes, &zroutes, it)
		if (it->r.tid == tid && it->installed)
			n++;
	return n;
}

/* ---- the src route-map in zebra ---- */

#define SRC_SEQ_FINAL 65535
#define SRC_MAX 256

struct src_entry {
	uint32_t addr; /* host order; also the tag */
	uint16_t seq;
};

static struct src_entry srcs[SRC_MAX]; /* entries zebra has */
static size_t n_srcs;
static bool rmap_base; /* the final permit and the binding are in zebra */
static bool rmap_conflict_logged;

/* One vty session with zebra: "enable", then the commands in order. */
struct zvty {
	int fd;
	char out[4096]; /* output of the last command */
	size_t outlen;
};

/* the vty of DAEMON: zebra's for what zebra shows, QSPND_ZEBRA_CONFIG_VTY's
 * for zebra's configuration (mgmtd's on FRR 10) */
static int zvty_open(struct zvty *v, const char *daemon)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = 5};

	snprintfrr(sa.sun_path, sizeof(sa.sun_path), "%s/%s.vty",
		   QSPND_RUNSTATEDIR, daemon);
	v->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (v->fd < 0)
		return -1;
	setsockopt(v->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(v->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(v->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		QSPND_DEBUG(kernel, "zebra vty %s: %s", sa.sun_path,
			    safe_strerror(errno));
		close(v->fd);
		v->fd = -1;
		return -1;
	}
	return 0;
}

static void zvty_close(struct zvty *v)
{
	if (v->fd >= 0)
		close(v->fd);
	v->fd = -1;
}

/* Run one command: its status (CMD_SUCCESS = 0, ...), or -1. */
static int zvty_cmd(struct zvty *v, const char *cmd)
{
	size_t len = strlen(cmd) + 1;
	char buf[1024];

	v->outlen = 0;
	v->out[0] = '\0';
	if (write(v->fd, cmd, len) != (ssize_t)len)
		return -1;
	for (;;) {
		ssize_t n = read(v->fd, buf, sizeof(buf));

		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			return -1;
		}
		for (ssize_t i = 0; i < n; i++) {
			if (v->outlen < sizeof(v->out) - 1)
				v->out[v->outlen++] = buf[i];
			else {
				/* keep the tail, where the status is */
				memmove(v->out, v->out + 1, v->outlen - 1);
				v->out[v->outlen - 1] = buf[i];
			}
		}
		v->out[v->outlen] = '\0';
		if (v->outlen >= 4 && !v->out[v->outlen - 4] &&
		    !v->out[v->outlen - 3] && !v->out[v->outlen - 2]) {
			int st = (uint8_t)v->out[v->outlen - 1];

			v->outlen -= 4;
			v->out[v->outlen] = '\0';
			QSPND_DEBUG(kernel, "zebra vty: %s -> %d%s%s", cmd, st,
				    v->outlen ? ": " : "", v->out);
			return st;
		}
	}
}

/* A configuration session: one transaction where the configuring daemon
 * has them (mgmtd), otherwise line by line. */
static int zvty_begin(struct zvty *v)
{
	if (zvty_open(v, QSPND_ZEBRA_CONFIG_VTY) < 0)
		return -1;
	if (zvty_cmd(v, "enable") != 0 ||
	    zvty_cmd(v, QSPND_ZEBRA_CONFIG_ENTER) != 0 ||
	    (QSPND_ZEBRA_CONFIG_TXN_BEGIN &&
	     zvty_cmd(v, QSPND_ZEBRA_CONFIG_TXN_BEGIN) != 0)) {
		zlog_warn("%s refused configuration mode: %s",
			  QSPND_ZEBRA_CONFIG_VTY, v->out);
		zvty_close(v);
		return -1;
	}
	return 0;
}

/* End the session: 0 if its transaction was committed. */
static int zvty_end(struct zvty *v)
{
	int ret = 0;

	if (QSPND_ZEBRA_CONFIG_TXN_END &&
	    zvty_cmd(v, QSPND_ZEBRA_CONFIG_TXN_END) != 0) {
		zlog_warn("%s refused the configuration of route-map %s: %s",
			  QSPND_ZEBRA_CONFIG_VTY, QSPND_SRC_RMAP, v->out);
		ret = -1;
	}
	zvty_cmd(v, "end");
	zvty_close(v);
	return ret;
}

/* Is `ip protocol any` free, or ours?  Asked in the configuration session
 * V when it is zebra's; on FRR 10 it is mgmtd's, which has no `show ip
 * protocol`, and zebra itself is asked. */
static bool rmap_any_free(struct zvty *v)
{
	struct zvty q = {.fd = -1};
	const char *out;
	const char *line;

	if (!QSPND_ZEBRA_CONFIG_ASYNC) {
		if (zvty_cmd(v, "do show ip protocol") != 0)
			return true;
		out = v->out;
	} else {
		if (zvty_open(&q, "zebra") < 0)
			return true;
		if (zvty_cmd(&q, "enable") != 0 ||
		    zvty_cmd(&q, "show ip protocol") != 0) {
			zvty_close(&q);
			return true;
		}
		zvty_close(&q);
		out = q.out;
	}
	line = strstr(out, "\nany ");
	if (!line)
		return true;
	line = strchr(line, ':');
	if (!line)
		return true;
	line++;
	while (*line == ' ')
		line++;
	if (!strncmp(line, "none", 4) ||
	    !strncmp(line, QSPND_SRC_RMAP, strlen(QSPND_SRC_RMAP)))
		return true;
	if (!rmap_conflict_logged)
		zlog_warn(
			"zebra has `ip protocol any route-map` set to another route-map; routes are installed without their src");
	rmap_conflict_logged = true;
	return false;
}

static int rmap_base_add(struct zvty *v)
{
	char cmd[128];

	if (rmap_base)
		return 0;
	if (!rmap_any_free(v))
		return -1;
	snprintf(cmd, sizeof(cmd), "route-map %s permit %u", QSPND_SRC_RMAP,
		 SRC_SEQ_FINAL);
	if (zvty_cmd(v, cmd) != 0 || zvty_cmd(v, "exit") != 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "ip protocol any route-map %s",
		 QSPND_SRC_RMAP);
	if (zvty_cmd(v, cmd) != 0)
		return -1;
	rmap_base = true;
	return 0;
}

static int src_find(uint32_t addr)
{
	for (size_t i = 0; i < n_srcs; i++)
		if (srcs[i].addr == addr)
			return i;
	return -1;
}

static bool src_in_zebra(uint32_t addr)
{
	return rmap_base && src_find(addr) >= 0;
}

/*
 * An address's entry has a number of its own: a hash of the address picks
 * the first of the numbers tried (10, 20, ... 65520), the next free one is
 * taken on a collision.  So an entry removed and re-created, or created again
 * by a restarted qspnd, has the number it had: zebra's running-config, what
 * `write memory` saved of it and what frr-reload compares stay the same while
 * the routes do.  A retry after a refused commit takes the next free number
 * (FRR 10.3's mgmtd now and then refuses an entry: doc/frr-versions.md).
 */
#define SRC_SEQ_SLOTS ((SRC_SEQ_FINAL - 1) / 10 - 1)

static uint16_t src_free_seq(uint32_t addr, unsigned int skip)
{
	unsigned int slot = (uint32_t)(addr * 2654435761u) % SRC_SEQ_SLOTS;

	for (unsigned int tried = 0; tried < SRC_SEQ_SLOTS; tried++) {
		uint16_t seq = 10 * (1 + (slot + tried) % SRC_SEQ_SLOTS);
		bool used = false;

		for (size_t i = 0; i < n_srcs; i++)
			if (srcs[i].seq == seq)
				used = true;
		if (!used && skip-- == 0)
			return seq;
	}
	return 0; /* not reached: SRC_MAX is far below SRC_SEQ_SLOTS */
}

static int src_add_once(struct zvty *v, uint32_t addr, unsigned int skip);

/* one retry under another number: see src_free_seq() */
static int src_add(struct zvty *v, uint32_t addr)
{
	if (src_add_once(v, addr, 0) == 0)
		return 0;
	return src_add_once(v, addr, 1);
}

static int src_add_once(struct zvty *v, uint32_t addr, unsigned int skip)
{
	char cmd[128];
	uint32_t a = htonl(addr);
	uint16_t seq;

	if (src_find(addr) >= 0)
		return 0;
	if (n_srcs == SRC_MAX)
		return -1;
	seq = src_free_seq(addr, skip);
	if (seq == 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "route-map %s permit %u", QSPND_SRC_RMAP,
		 seq);
	if (zvty_cmd(v, cmd) != 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "match tag %u", addr);
	if (zvty_cmd(v, cmd) != 0)
		goto fail;
	snprintfrr(cmd, sizeof(cmd), "set src %pI4", (struct in_addr *)&a);
	if (zvty_cmd(v, cmd) != 0)
		goto fail;
	zvty_cmd(v, "exit");
	srcs[n_srcs].addr = addr;
	srcs[n_srcs].seq = seq;
	n_srcs++;
	return 0;
fail:
	zlog_warn("zebra refused %s: %s", cmd, v->out);
	zvty_cmd(v, "exit");
	snprintf(cmd, sizeof(cmd), "no route-map %s permit %u", QSPND_SRC_RMAP,
		 seq);
	zvty_cmd(v, cmd);
	return -1;
}

static void src_del(struct zvty *v, size_t i)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "no route-map %s permit %u", QSPND_SRC_RMAP,
		 srcs[i].seq);
	if (zvty_cmd(v, cmd) != 0)
		zlog_warn("zebra refused %s: %s", cmd, v->out);
	srcs[i] = srcs[--n_srcs];
}

static bool src_wanted(uint32_t addr)
{
	struct zr_item *it;

	frr_each (zroutes, &zroutes, it)
		if (it->r.src == addr)
			return true;
	return false;
}

/*
 * Through mgmtd (FRR 10), zebra gets a configuration change a moment after
 * the session that made it returns, and it does not apply a route-map
 * change to the routes it already has: a route sent before zebra has its
 * `set src` entry would be installed without its src, and stay so.  Wait
 * (boundedly: mgmtd commits in milliseconds) until zebra shows every entry
 * and the binding.
 */
#define SRC_WAIT_MS 2000
static void src_wait_in_zebra(const uint32_t *want, size_t n)
{
	for (int waited = 0;; waited += 20) {
		struct zvty q = {.fd = -1};
		bool all = false;

		if (zvty_open(&q, "zebra") == 0) {
			char cmd[64];

			snprintf(cmd, sizeof(cmd), "show route-map %s",
				 QSPND_SRC_RMAP);
			all = zvty_cmd(&q, "enable") == 0 &&
			      zvty_cmd(&q, cmd) == 0;
			for (size_t i = 0; all && i < n; i++) {
				char line[32];
				uint32_t a = htonl(want[i]);

				snprintfrr(line, sizeof(line), "src %pI4\n",
					   (struct in_addr *)&a);
				all = strstr(q.out, line) != NULL;
			}
			all = all && zvty_cmd(&q, "show ip protocol") == 0 &&
			      strstr(q.out, ": " QSPND_SRC_RMAP);
			zvty_close(&q);
		}
		if (all)
			return;
		if (waited >= SRC_WAIT_MS) {
			qspnd_kstats_error(
				"zebra does not have route-map %s's entries %d ms after mgmtd took them: routes may lack their src",
				QSPND_SRC_RMAP, waited);
			return;
		}
		usleep(20 * 1000);
	}
}

/* What qspnd believes zebra has, to restore when a transaction failed. */
struct src_state {
	struct src_entry srcs[SRC_MAX];
	size_t n_srcs;
	bool rmap_base;
};

static void src_save(struct src_state *st)
{
	memcpy(st->srcs, srcs, sizeof(srcs[0]) * n_srcs);
	st->n_srcs = n_srcs;
	st->rmap_base = rmap_base;
}

static void src_restore(const struct src_state *st)
{
	memcpy(srcs, st->srcs, sizeof(srcs[0]) * st->n_srcs);
	n_srcs = st->n_srcs;
	rmap_base = st->rmap_base;
}

/* One session adding the entries for these addresses (and the base):
 * 0, or -1 with nothing changed in zebra or in what qspnd believes. */
static int src_ensure_once(const uint32_t *want, size_t n)
{
	static struct src_state before;
	struct zvty v = {.fd = -1};
	bool ok = true;

	if (zvty_begin(&v) < 0) {
		zlog_warn(
			"cannot reach the vty that configures zebra to set route sources (%s/%s.vty)",
			QSPND_RUNSTATEDIR, QSPND_ZEBRA_CONFIG_VTY);
		return -1;
	}
	src_save(&before);
	/* entries before the binding: a bound route-map must never lack
	 * the final permit */
	if (rmap_base || rmap_any_free(&v)) {
		for (size_t i = 0; i < n; i++)
			if (src_add(&v, want[i]) < 0)
				ok = false;
		if (rmap_base_add(&v) < 0)
			ok = false;
		if (!ok)
			zlog_warn("zebra route-map %s: %s", QSPND_SRC_RMAP,
				  v.out);
	}
	if (zvty_end(&v) < 0) {
		src_restore(&before);
		return -1;
	}
	return ok ? 0 : -1;
}

/* The entries for these addresses (and the base) exist in zebra. */
static void src_ensure(const uint32_t *want, size_t n)
{
	bool missing = !rmap_base;

	for (size_t i = 0; i < n && !missing; i++)
		if (src_find(want[i]) < 0)
			missing = true;
	if (!missing || !qspnd_zclient_connected())
		return;
	/* once more if refused: FRR 10.3's mgmtd refuses a commit now and
	 * then (see doc/frr-versions.md) */
	if (src_ensure_once(want, n) < 0 && src_ensure_once(want, n) < 0) {
		qspnd_kstats_error(
			"zebra route-map %s: entries for route sources not configured: routes may lack their src",
			QSPND_SRC_RMAP);
		return;
	}
	if (QSPND_ZEBRA_CONFIG_ASYNC && rmap_base)
		src_wait_in_zebra(want, n);
}

/* The distinct srcs of qspnd's routes (only of those zebra got before
 * their entry, when unsure_only), into want[SRC_MAX]: how many. */
static size_t routes_srcs(uint32_t *want, bool unsure_only)
{
	struct zr_item *it;
	size_t n = 0;

	frr_each (zroutes, &zroutes, it) {
		bool dup = false;

		if (!it->r.src || (unsure_only && !it->src_unsure))
			continue;
		for (size_t j = 0; j < n; j++)
			if (want[j] == it->r.src)
				dup = true;
		if (!dup && n < SRC_MAX)
			want[n++] = it->r.src;
	}
	return n;
}

/*
 * Routes zebra got before their src entry (both tries of src_ensure()
 * refused: FRR 10.3's mgmtd while another configuration session holds its
 * candidate datastore, doc/frr-versions.md): the entries are asked for
 * again after 250 ms, doubling up to 8 s, and once zebra has them the
 * routes go again.  zebra 10.3 would keep the nexthop group it made without
 * the src (the colour is the src: the same nexthops, the same group), so
 * they go under the other colour (bit 31 flipped).  When zebra's route-map
 * binding is another's (src_ensure_once() adds nothing), it stops.
 */
static void zr_src_retry_cb(qspnd_event_t *t)
{
	uint32_t want[SRC_MAX];
	size_t n = routes_srcs(want, true), sent = 0;
	struct zr_item *it;

	if (!n || !qspnd_zclient_connected()) {
		/* nothing left, or zebra away: it gets all when back */
		src_retry_ms = 0;
		return;
	}
	if (src_ensure_once(want, n) < 0) {
		src_retry_ms = MIN(src_retry_ms * 2, SRC_RETRY_MAX_MS);
		QSPND_DEBUG(kernel,
			    "src entries refused again, next try in %u ms",
			    src_retry_ms);
		event_add_timer_msec(qspnd.master, zr_src_retry_cb, NULL,
				     src_retry_ms, &t_src_retry);
		return;
	}
	if (!rmap_base) {
		frr_each (zroutes, &zroutes, it)
			it->src_unsure = false;
		src_retry_ms = 0;
		return;
	}
	if (QSPND_ZEBRA_CONFIG_ASYNC)
		src_wait_in_zebra(want, n);
	frr_each (zroutes, &zroutes, it) {
		if (!it->src_unsure || !src_in_zebra(it->r.src))
			continue;
		it->color_flip = !it->color_flip;
		it->installed = false;
		zr_send(it, true);
		sent++;
	}
	qspnd_kstats.src_resent += sent;
	zlog_info("%zu routes sent again now that zebra has their src", sent);
	if (!t_src_retry)
		src_retry_ms = 0;
}

void qspnd_zroute_src_prepare(const struct qspn_ops *ops)
{
	uint32_t want[SRC_MAX];
	size_t n = 0;

	for (size_t i = 0; i < ops->n && n < SRC_MAX; i++) {
		const struct qspn_op *op = &ops->v[i];
		bool dup = false;

		if (op->ns[0] || !op->src)
			continue;
		if (!((op->code == QSPN_OP_ROUTE_ADD ||
		       op->code == QSPN_OP_ROUTE_CHANGE) &&
		      op->rtype == QSPN_RT_VIA))
			continue;
		for (size_t j = 0; j < n; j++)
			if (want[j] == op->src)
				dup = true;
		if (!dup)
			want[n++] = op->src;
	}
	if (n)
		src_ensure(want, n);
}

void qspnd_zroute_src_cleanup(void)
{
	static struct src_state before;
	struct zvty v = {.fd = -1};
	bool any = false;
	bool none = zroutes_count(&zroutes) == 0;

	/* While qspnd has routes, an entry no route uses stays (until the
	 * entries fill three quarters of what qspnd keeps): a source that comes
	 * back finds its entry, and an entry is never removed and created again
	 * under its number, which FRR 10.3's mgmtd can refuse ("Current
	 * configuration object was deleted by another process").  With no
	 * route left, everything goes. */
	if (!none && n_srcs <= SRC_MAX * 3 / 4)
		return;
	for (size_t i = 0; i < n_srcs; i++)
		if (!src_wanted(srcs[i].addr))
			any = true;
	if (!any && !(rmap_base && none))
		return;
	if (!qspnd_zclient_connected() || zvty_begin(&v) < 0)
		return;
	src_save(&before);
	for (size_t i = 0; i < n_srcs;) {
		if (!src_wanted(srcs[i].addr))
			src_del(&v, i);
		else
			i++;
	}
	if (!n_srcs && none && rmap_base) {
		/* nothing of ours: unbind first, then the route-map */
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "no ip protocol any route-map %s",
			 QSPND_SRC_RMAP);
		zvty_cmd(&v, cmd);
		snprintf(cmd, sizeof(cmd), "no route-map %s", QSPND_SRC_RMAP);
		zvty_cmd(&v, cmd);
		rmap_base = false;
	}
	/* refused: zebra keeps them, and so does qspnd's account (the next
	 * cleanup tries again) */
	if (zvty_end(&v) < 0)
		src_restore(&before);
}

/* at start: remove what a killed qspnd left in zebra's configuration */
static void qspnd_zroute_src_reset(void)
{
	struct zvty v = {.fd = -1};
	char cmd[128];

	n_srcs = 0;
	rmap_base = false;
	if (zvty_begin(&v) < 0)
		return;
	snprintf(cmd, sizeof(cmd), "no ip protocol any route-map %s",
		 QSPND_SRC_RMAP);
	zvty_cmd(&v, cmd);
	snprintf(cmd, sizeof(cmd), "no route-map %s", QSPND_SRC_RMAP);
	if (zvty_cmd(&v, cmd) == 0)
		QSPND_DEBUG(kernel,
			    "zebra: route-map %s of an earlier run removed",
			    QSPND_SRC_RMAP);
	zvty_end(&v);
}

bool qspnd_zroute_src_bound(void)
{
	return rmap_base;
}

void qspnd_zroute_resend_all(void)
{
	struct zr_item *it;
	uint32_t want[SRC_MAX];
	size_t n;

	/* a restarted zebra: whatever it has of ours is from its config */
	qspnd_zroute_src_reset();
	n = routes_srcs(want, false);
	if (n)
		src_ensure(want, n);
	frr_each (zroutes, &zroutes, it) {
		it->installed = it->failed = false;
		zr_send(it, true);
	}
	qspnd_kstats.zebra_resends++;
}
