// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qspnd_neigh.c: neighbours, arcs and the QSPN engine instance of the main
 * identity.
 *
 * Neighbour discovery.  On every managed interface (qspn enabled, up, router
 * active) qspnd picks a link-local 169.254.x.y and broadcasts a Hello
 * (lib/qspn_hello.h) on UDP port 60269 every second.  A Hello that carries no
 * echo is answered at once with one that echoes its timestamp: the sender
 * measures the round-trip time from the echo and smooths it (EWMA, 1/8).  A
 * neighbour not heard for four intervals is dead.  Two systems that picked
 * the same link-local on a link: the one with the smaller system id picks
 * again.  Hellos need no address (they go out from 0.0.0.0), so discovery
 * works before the kernel has any of our addresses.
 *
 * Transport.  ETPs travel on one TCP session per neighbour, between the two
 * link-locals on port 60269: reliable and ordered, which is what the engine's
 * unicast needs, and what makes its broadcast-with-ACK trivial (a message
 * written to every session is delivered or the session dies, and a dead
 * session is a removed arc).  The system with the smaller id connects.  A
 * frame is a 4-byte big-endian length and a qspn.Packet; a frame longer than
 * the engine's limit, or a session whose unsent output exceeds
 * QSPND_MAX_BACKLOG, is dropped with the session and counted.
 *
 * Arcs.  A neighbour whose session is up and whose cost is known (measured,
 * or the interface's configured cost) is an arc of the engine; cost changes
 * of more than 30% are passed on; a session lost or a neighbour dead removes
 * the arc.
 *
 * The engine (lib/qspn.h) gets the time as an argument: one FRR timer per
 * instance follows qspn_next_deadline().  Its signals are synchronous; route
 * changes they announce are collected and handed to qspnd_kernel after the
 * engine call returns.
 */
#include <zebra.h>

#include <sys/random.h>
#include <netinet/tcp.h>

#include "lib/if.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/memory.h"
#include "lib/monotime.h"
#include "lib/network.h"
#include "lib/privs.h"
#include "lib/sockopt.h"
#include "lib/thread.h"
#include "lib/vrf.h"

#include "qspn.h"
#include "qspn_hello.h"

#include "qspnd.h"
#include "qspnd_debug.h"

DECLARE_MGROUP(QSPND);
DEFINE_MTYPE_STATIC(QSPND, QSPND_NEIGH, "QSPN neighbour");
DEFINE_MTYPE_STATIC(QSPND, QSPND_FRAME, "QSPN frame buffer");

extern struct zebra_privs_t qspnd_privs;

#define HELLO_INTERVAL_MS 1000
#define DEAD_INTERVAL_MS (4 * HELLO_INTERVAL_MS)
#define CONNECT_RETRY_MS 2000
#define COST_CHANGE_PCT 30
#define QSPND_MAX_BACKLOG (16u << 20)
#define FRAME_HDR 4

enum neigh_state {
	NEIGH_HEARD,	  /* hellos only */
	NEIGH_CONNECTING, /* TCP connect in progress */
	NEIGH_UP,	  /* session up */
};

static const char *const neigh_state_str[] = {
	[NEIGH_HEARD] = "heard",
	[NEIGH_CONNECTING] = "connecting",
	[NEIGH_UP] = "up",
};

struct qspnd_neigh {
	struct qspnd_neigh *next;
	uint32_t id; /* the arc handle given to the engine */
	ifindex_t ifindex;
	char ifname[INTERFACE_NAMSIZ];
	uint64_t system_id;
	uint64_t identity_id;
	uint8_t mac[6];
	uint32_t linklocal; /* host order */
	uint64_t last_heard_ms;
	uint64_t up_since_ms;
	int64_t rtt_us; /* smoothed; -1: no sample yet */
	uint32_t rtt_samples;
	enum neigh_state state;
	bool arc_added;
	int64_t arc_cost;
	uint32_t table_id; /* while the arc exists */
	int fd;
	struct thread *t_read, *t_write, *t_retry;
	/* receive: header then body */
	uint8_t hdr[FRAME_HDR];
	size_t hdr_got;
	uint8_t *body;
	size_t body_len, body_got;
	/* send: queued frames */
	uint8_t *out;
	size_t out_len, out_sent, out_cap;
	uint64_t frames_in, frames_out;
};

static struct {
	uint64_t system_id;
	uint64_t identity_id;
	uint32_t next_id;
	struct qspnd_neigh *neighs;
	int listen_fd;
	struct thread *t_accept;
	/* the engine instance of the main identity */
	struct qspn_instance *inst;
	struct thread *t_engine;
	struct thread *t_flush;
	bool sync_pending;
	struct qspn_hcoord *dirty;
	size_t n_dirty, cap_dirty;
	/* plan views */
	struct qspn_plan_neighbour *pn;
	struct qspn_plan_arc *pa;
	/* what the instance was created with */
	struct qspn_topology engine_topo;
	struct qspn_naddr engine_addr;
	uint8_t engine_max_paths;
	double engine_ratio;
	/* forwarding table ids by peer MAC (routes.md §3.2): tid
	 * QSPN_TID_MAX - i is tables[i]; shared by the arcs with that MAC */
	struct {
		uint8_t mac[6];
		uint32_t refs;
	} tables[QSPN_TID_MAX - QSPN_TID_MIN + 1];
	/* counters */
	struct qspnd_neigh_counters c;
} N = {.listen_fd = -1};

/*
 * The table of a peer MAC: the one it already has, or the highest free id
 * (the reference's allocator hands out 250, 249, ... and reuses the most
 * recently released first; the highest free id is as good and stateless).
 * 0 when all 51 are taken.
 */
static uint32_t table_get(const uint8_t mac[6])
{
	size_t n = array_size(N.tables), free_i = n;

	for (size_t i = 0; i < n; i++) {
		if (N.tables[i].refs && !memcmp(N.tables[i].mac, mac, 6)) {
			N.tables[i].refs++;
			return QSPN_TID_MAX - (uint32_t)i;
		}
		if (!N.tables[i].refs && free_i == n)
			free_i = i;
	}
	if (free_i == n) {
		zlog_warn("no forwarding table id left (%d in use)",
			  QSPN_TID_MAX - QSPN_TID_MIN + 1);
		return 0;
	}
	memcpy(N.tables[free_i].mac, mac, 6);
	N.tables[free_i].refs = 1;
	return QSPN_TID_MAX - (uint32_t)free_i;
}

static void table_put(uint32_t tid)
{
	if (tid < QSPN_TID_MIN || tid > QSPN_TID_MAX)
		return;
	if (N.tables[QSPN_TID_MAX - tid].refs)
		N.tables[QSPN_TID_MAX - tid].refs--;
}

/* ---- time and randomness ---------------------------------------------- */

static uint64_t now_us(void)
{
	struct timeval tv;

	monotime(&tv);
	return (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
}

static uint64_t now_ms(void)
{
	return now_us() / 1000u;
}

static uint64_t random64(void)
{
	uint64_t v = 0;

	while (v == 0)
		if (getrandom(&v, sizeof(v), 0) != sizeof(v))
			v = ((uint64_t)frr_weak_random() << 32) ^
			    (uint64_t)frr_weak_random();
	return v;
}

static uint32_t pick_linklocal(void)
{
	/* 169.254.1.1 .. 169.254.254.254 (RFC 3927 keeps .0.x and .255.x) */
	uint64_t r = random64();

	return 0xa9fe0000u | ((uint32_t)(1 + r % 254) << 8) |
	       (uint32_t)(1 + (r >> 8) % 254);
}

/* ---- neighbours -------------------------------------------------------- */

static struct qspnd_neigh *neigh_by_id(uint32_t id)
{
	for (struct qspnd_neigh *n = N.neighs; n; n = n->next)
		if (n->id == id)
			return n;
	return NULL;
}

static struct qspnd_neigh *neigh_find(ifindex_t ifindex, uint64_t system_id)
{
	for (struct qspnd_neigh *n = N.neighs; n; n = n->next)
		if (n->ifindex == ifindex && n->system_id == system_id)
			return n;
	return NULL;
}


static int64_t neigh_cost(const struct qspnd_neigh *n)
{
	struct interface *ifp = if_lookup_by_index(n->ifindex, VRF_DEFAULT);
	struct qspnd_if *qif = ifp ? qspnd_if_get(ifp) : NULL;

	if (qif && qif->has_cost)
		return qif->cost_usec;
	if (n->rtt_samples == 0)
		return -1;
	return n->rtt_us > 0 ? n->rtt_us : 1;
}

static void engine_schedule(void);
static void kernel_sync_later(void);

static void arc_update(struct qspnd_neigh *n)
{
	int64_t cost = neigh_cost(n);
	uint64_t now = now_ms();

	if (!N.inst)
		return;
	if (n->state != NEIGH_UP || cost < 0) {
		if (n->arc_added) {
			n->arc_added = false;
			table_put(n->table_id);
			n->table_id = 0;
			qspn_arc_remove(N.inst, now, n->id);
			QSPND_DEBUG(events, "arc %u (%s) removed", n->id,
				    n->ifname);
			kernel_sync_later();
		}
	} else if (!n->arc_added) {
		n->table_id = table_get(n->mac);
		if (!n->table_id)
			return;
		if (qspn_arc_add(N.inst, now, n->id, cost) == 0) {
			n->arc_added = true;
			n->arc_cost = cost;
			QSPND_DEBUG(events, "arc %u (%s) added, cost %" PRId64,
				    n->id, n->ifname, cost);
			kernel_sync_later();
		} else {
			table_put(n->table_id);
			n->table_id = 0;
		}
	} else if (llabs(cost - n->arc_cost) * 100 >
		   n->arc_cost * COST_CHANGE_PCT) {
		qspn_arc_change(N.inst, now, n->id, cost);
		QSPND_DEBUG(events, "arc %u cost %" PRId64 " -> %" PRId64,
			    n->id, n->arc_cost, cost);
		n->arc_cost = cost;
	}
	engine_schedule();
}

static void session_close(struct qspnd_neigh *n, const char *why)
{
	if (n->fd >= 0) {
		QSPND_DEBUG(packets,
			    "session with neighbour %016" PRIx64
			    " on %s closed: %s",
			    n->system_id, n->ifname, why);
		close(n->fd);
		n->fd = -1;
	}
	THREAD_OFF(n->t_read);
	THREAD_OFF(n->t_write);
	XFREE(MTYPE_QSPND_FRAME, n->body);
	XFREE(MTYPE_QSPND_FRAME, n->out);
	n->hdr_got = n->body_len = n->body_got = 0;
	n->out_len = n->out_sent = n->out_cap = 0;
	if (n->state == NEIGH_UP)
		N.c.sessions_lost++;
	n->state = NEIGH_HEARD;
	arc_update(n);
}

static void neigh_free(struct qspnd_neigh *n)
{
	struct qspnd_neigh **pp;

	session_close(n, "neighbour gone");
	THREAD_OFF(n->t_retry);
	for (pp = &N.neighs; *pp; pp = &(*pp)->next)
		if (*pp == n) {
			*pp = n->next;
			break;
		}
	XFREE(MTYPE_QSPND_NEIGH, n);
	kernel_sync_later();
}

/* ---- sessions ---------------------------------------------------------- */

static void session_read(struct thread *t);
static void session_write(struct thread *t);

static void session_up(struct qspnd_neigh *n, int fd)
{
	int one = 1;

	n->fd = fd;
	set_nonblocking(fd);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	n->state = NEIGH_UP;
	n->up_since_ms = now_ms();
	N.c.sessions_up++;
	thread_add_read(qspnd.master, session_read, n, fd, &n->t_read);
	if (n->out_len > n->out_sent)
		thread_add_write(qspnd.master, session_write, n, fd,
				 &n->t_write);
	QSPND_DEBUG(events, "session with neighbour %016" PRIx64 " on %s up",
		    n->system_id, n->ifname);
	arc_update(n);
}

static void session_write(struct thread *t)
{
	struct qspnd_neigh *n = THREAD_ARG(t);
	ssize_t w;

	while (n->out_sent < n->out_len) {
		w = write(n->fd, n->out + n->out_sent,
			  n->out_len - n->out_sent);
		if (w < 0 && ERRNO_IO_RETRY(errno))
			break;
		if (w <= 0) {
			session_close(n, safe_strerror(errno));
			return;
		}
		n->out_sent += (size_t)w;
	}
	if (n->out_sent == n->out_len) {
		n->out_sent = n->out_len = 0;
		return;
	}
	thread_add_write(qspnd.master, session_write, n, n->fd, &n->t_write);
}

/* Queue one frame; false when the session can't take it. */
static bool session_send(struct qspnd_neigh *n, const uint8_t *buf, size_t len)
{
	size_t need;

	if (n->state != NEIGH_UP)
		return false;
	if (n->out_len - n->out_sent + len + FRAME_HDR > QSPND_MAX_BACKLOG) {
		N.c.drop_backlog++;
		session_close(n, "output backlog over the limit");
		return false;
	}
	if (n->out_sent > 0) {
		memmove(n->out, n->out + n->out_sent, n->out_len - n->out_sent);
		n->out_len -= n->out_sent;
		n->out_sent = 0;
	}
	need = n->out_len + FRAME_HDR + len;
	if (need > n->out_cap) {
		n->out_cap = MAX(need, 2 * n->out_cap);
		n->out = XREALLOC(MTYPE_QSPND_FRAME, n->out, n->out_cap);
	}
	n->out[n->out_len++] = (uint8_t)(len >> 24);
	n->out[n->out_len++] = (uint8_t)(len >> 16);
	n->out[n->out_len++] = (uint8_t)(len >> 8);
	n->out[n->out_len++] = (uint8_t)len;
	memcpy(n->out + n->out_len, buf, len);
	n->out_len += len;
	n->frames_out++;
	N.c.frames_out++;
	thread_add_write(qspnd.master, session_write, n, n->fd, &n->t_write);
	return true;
}

static void session_frame(struct qspnd_neigh *n)
{
	enum qspn_rx_result r;

	n->frames_in++;
	N.c.frames_in++;
	if (!N.inst || !n->arc_added) {
		N.c.drop_no_arc++;
		return;
	}
	r = qspn_receive(N.inst, now_ms(), n->id, n->body, n->body_len);
	if (r != QSPN_RX_OK && r != QSPN_RX_QUEUED && r != QSPN_RX_IGNORED)
		zlog_warn("message from neighbour %016" PRIx64
			  " on %s rejected: %s",
			  n->system_id, n->ifname, qspn_rx_result_str(r));
	engine_schedule();
}

static void session_read(struct thread *t)
{
	struct qspnd_neigh *n = THREAD_ARG(t);
	uint8_t buf[16384];
	ssize_t r = read(n->fd, buf, sizeof(buf));
	size_t off = 0;

	if (r < 0 && ERRNO_IO_RETRY(errno))
		goto again;
	if (r <= 0) {
		session_close(n, r == 0 ? "closed by the peer"
					: safe_strerror(errno));
		return;
	}
	while (off < (size_t)r) {
		size_t take;

		if (n->hdr_got < FRAME_HDR) {
			n->hdr[n->hdr_got++] = buf[off++];
			if (n->hdr_got < FRAME_HDR)
				continue;
			n->body_len = ((size_t)n->hdr[0] << 24) |
				      ((size_t)n->hdr[1] << 16) |
				      ((size_t)n->hdr[2] << 8) | n->hdr[3];
			if (n->body_len == 0 || n->body_len > QSPND_MAX_FRAME) {
				N.c.drop_frame_size++;
				zlog_warn(
					"neighbour %016" PRIx64
					" on %s: frame of %zu bytes; closing the session",
					n->system_id, n->ifname, n->body_len);
				session_close(n, "bad frame length");
				return;
			}
			n->body = XMALLOC(MTYPE_QSPND_FRAME, n->body_len);
			n->body_got = 0;
			continue;
		}
		take = MIN(n->body_len - n->body_got, (size_t)r - off);
		memcpy(n->body + n->body_got, buf + off, take);
		n->body_got += take;
		off += take;
		if (n->body_got == n->body_len) {
			session_frame(n);
			/* the frame may have closed the session */
			if (n->fd < 0)
				return;
			XFREE(MTYPE_QSPND_FRAME, n->body);
			n->hdr_got = n->body_len = n->body_got = 0;
		}
	}
again:
	thread_add_read(qspnd.master, session_read, n, n->fd, &n->t_read);
}

static void connect_done(struct thread *t)
{
	struct qspnd_neigh *n = THREAD_ARG(t);
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(n->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err) {
		QSPND_DEBUG(packets, "connect to neighbour on %s: %s",
			    n->ifname, safe_strerror(err));
		close(n->fd);
		n->fd = -1;
		n->state = NEIGH_HEARD;
		return;
	}
	session_up(n, n->fd);
}

static uint32_t if_linklocal(ifindex_t ifindex)
{
	struct interface *ifp = if_lookup_by_index(ifindex, VRF_DEFAULT);
	struct qspnd_if *qif = ifp ? qspnd_if_get(ifp) : NULL;

	return qif ? qif->linklocal : 0;
}

static void neigh_connect(struct qspnd_neigh *n)
{
	struct sockaddr_in local = {.sin_family = AF_INET};
	struct sockaddr_in peer = {.sin_family = AF_INET};
	int fd;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return;
	set_nonblocking(fd);
	local.sin_addr.s_addr = htonl(if_linklocal(n->ifindex));
	peer.sin_addr.s_addr = htonl(n->linklocal);
	peer.sin_port = htons(QSPND_PORT);
	frr_with_privs (&qspnd_privs) {
		setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, n->ifname,
			   strlen(n->ifname));
	}
	if (bind(fd, (struct sockaddr *)&local, sizeof(local)) < 0 ||
	    (connect(fd, (struct sockaddr *)&peer, sizeof(peer)) < 0 &&
	     errno != EINPROGRESS)) {
		QSPND_DEBUG(packets, "connect to neighbour on %s: %s",
			    n->ifname, safe_strerror(errno));
		close(fd);
		return;
	}
	n->fd = fd;
	n->state = NEIGH_CONNECTING;
	thread_add_write(qspnd.master, connect_done, n, fd, &n->t_write);
}

/* Start a session when both sides have link-locals; the smaller id dials. */
static void neigh_try_session(struct thread *t)
{
	struct qspnd_neigh *n = THREAD_ARG(t);

	if (n->state == NEIGH_HEARD && n->linklocal &&
	    if_linklocal(n->ifindex) && N.system_id < n->system_id)
		neigh_connect(n);
	thread_add_timer_msec(qspnd.master, neigh_try_session, n,
			      CONNECT_RETRY_MS, &n->t_retry);
}

/* The neighbour a session comes from: its link-local, on the link whose
 * link-local the session was accepted on (link-locals are unique per link,
 * not per system). */
static struct qspnd_neigh *neigh_by_session(uint32_t peer_ll, uint32_t my_ll)
{
	for (struct qspnd_neigh *n = N.neighs; n; n = n->next)
		if (n->linklocal == peer_ll &&
		    if_linklocal(n->ifindex) == my_ll)
			return n;
	return NULL;
}

static void listen_accept(struct thread *t)
{
	struct sockaddr_in peer, local;
	socklen_t len = sizeof(peer), llen = sizeof(local);
	struct qspnd_neigh *n;
	int fd;

	thread_add_read(qspnd.master, listen_accept, NULL, N.listen_fd,
			&N.t_accept);
	fd = accept(N.listen_fd, (struct sockaddr *)&peer, &len);
	if (fd < 0)
		return;
	if (getsockname(fd, (struct sockaddr *)&local, &llen) < 0) {
		close(fd);
		return;
	}
	n = neigh_by_session(ntohl(peer.sin_addr.s_addr),
			     ntohl(local.sin_addr.s_addr));
	if (!n || N.system_id < n->system_id) {
		/* unknown peer, or one that should wait for us to dial */
		N.c.drop_unknown_session++;
		close(fd);
		return;
	}
	if (n->fd >= 0)
		session_close(n, "replaced by a new session");
	session_up(n, fd);
}

static void listen_start(void)
{
	struct sockaddr_in sin = {.sin_family = AF_INET,
				  .sin_port = htons(QSPND_PORT)};
	int fd;

	if (N.listen_fd >= 0)
		return;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return;
	sockopt_reuseaddr(fd);
	set_nonblocking(fd);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    listen(fd, 16) < 0) {
		zlog_err("cannot listen on TCP port %d: %s", QSPND_PORT,
			 safe_strerror(errno));
		close(fd);
		return;
	}
	N.listen_fd = fd;
	thread_add_read(qspnd.master, listen_accept, NULL, fd, &N.t_accept);
}

static void listen_stop(void)
{
	THREAD_OFF(N.t_accept);
	if (N.listen_fd >= 0)
		close(N.listen_fd);
	N.listen_fd = -1;
}

/* ---- hellos ------------------------------------------------------------ */

static void hello_send(struct interface *ifp, uint64_t echo_us,
		       uint64_t echo_system_id)
{
	struct qspnd_if *qif = qspnd_if_get(ifp);
	struct qspn_hello h = {
		.system_id = N.system_id,
		.identity_id = N.identity_id,
		.linklocal = qif->linklocal,
		.ifindex = (uint32_t)ifp->ifindex,
		.timestamp_us = now_us(),
		.echo_us = echo_us,
		.echo_system_id = echo_system_id,
	};
	struct sockaddr_in to = {.sin_family = AF_INET,
				 .sin_port = htons(QSPND_PORT),
				 .sin_addr.s_addr = INADDR_BROADCAST};
	uint8_t buf[QSPN_HELLO_MAX_BYTES];
	size_t len;

	if (ifp->hw_addr_len == 6)
		memcpy(h.mac, ifp->hw_addr, 6);
	len = qspn_hello_encode(&h, buf, sizeof(buf));
	if (len == 0 || qif->udp_fd < 0)
		return;
	if (sendto(qif->udp_fd, buf, len, 0, (struct sockaddr *)&to,
		   sizeof(to)) < 0)
		QSPND_DEBUG(packets, "hello on %s: %s", ifp->name,
			    safe_strerror(errno));
	else
		N.c.hellos_out++;
}

static void hello_timer(struct thread *t)
{
	struct interface *ifp = THREAD_ARG(t);
	struct qspnd_if *qif = qspnd_if_get(ifp);
	uint64_t now = now_ms();
	struct qspnd_neigh *n, *next;

	hello_send(ifp, 0, 0);
	for (n = N.neighs; n; n = next) {
		next = n->next;
		if (n->ifindex == ifp->ifindex &&
		    now - n->last_heard_ms > DEAD_INTERVAL_MS) {
			zlog_info("neighbour %016" PRIx64
				  " on %s is dead (not heard for %" PRIu64
				  " ms)",
				  n->system_id, n->ifname,
				  now - n->last_heard_ms);
			N.c.neighbours_dead++;
			neigh_free(n);
		}
	}
	/* +-10% jitter */
	thread_add_timer_msec(qspnd.master, hello_timer, ifp,
			      HELLO_INTERVAL_MS * 9 / 10 +
				      frr_weak_random() %
					      (HELLO_INTERVAL_MS / 5),
			      &qif->t_hello);
}

static void hello_receive(struct interface *ifp, const struct qspn_hello *h)
{
	struct qspnd_if *qif = qspnd_if_get(ifp);
	struct qspnd_neigh *n;
	uint64_t now = now_ms();

	if (h->system_id == N.system_id) {
		if (h->identity_id != N.identity_id)
			N.c.drop_hello++;
		return; /* our own broadcast looped back */
	}
	N.c.hellos_in++;
	if (h->linklocal && h->linklocal == qif->linklocal &&
	    N.system_id < h->system_id) {
		zlog_info("%s: link-local conflict with %016" PRIx64
			  ", picking another one",
			  ifp->name, h->system_id);
		qif->linklocal = pick_linklocal();
		kernel_sync_later();
	}
	n = neigh_find(ifp->ifindex, h->system_id);
	if (!n) {
		n = XCALLOC(MTYPE_QSPND_NEIGH, sizeof(*n));
		n->id = ++N.next_id;
		n->ifindex = ifp->ifindex;
		strlcpy(n->ifname, ifp->name, sizeof(n->ifname));
		n->system_id = h->system_id;
		n->rtt_us = -1;
		n->fd = -1;
		n->next = N.neighs;
		N.neighs = n;
		N.c.neighbours_new++;
		zlog_info("new neighbour %016" PRIx64 " on %s", h->system_id,
			  ifp->name);
		thread_add_timer_msec(qspnd.master, neigh_try_session, n, 0,
				      &n->t_retry);
	}
	if ((n->linklocal != h->linklocal || memcmp(n->mac, h->mac, 6) != 0) &&
	    n->state != NEIGH_HEARD)
		session_close(n, "peer link-local or MAC changed");
	if (n->linklocal != h->linklocal || memcmp(n->mac, h->mac, 6) != 0) {
		n->linklocal = h->linklocal;
		memcpy(n->mac, h->mac, 6);
		kernel_sync_later();
	}
	n->identity_id = h->identity_id;
	n->last_heard_ms = now;
	if (h->echo_system_id == N.system_id) {
		uint64_t t = now_us();

		if (h->echo_us <= t) {
			int64_t rtt = (int64_t)(t - h->echo_us);

			n->rtt_us = n->rtt_samples == 0
					    ? rtt
					    : n->rtt_us + (rtt - n->rtt_us) / 8;
			n->rtt_samples++;
			arc_update(n);
		}
	} else if (h->echo_us == 0) {
		hello_send(ifp, h->timestamp_us, h->system_id);
	}
}

static void udp_read(struct thread *t)
{
	struct interface *ifp = THREAD_ARG(t);
	struct qspnd_if *qif = qspnd_if_get(ifp);
	uint8_t buf[QSPN_HELLO_MAX_BYTES + 1];
	struct qspn_hello h;
	const char *why;
	ssize_t r;

	thread_add_read(qspnd.master, udp_read, ifp, qif->udp_fd, &qif->t_udp);
	r = recv(qif->udp_fd, buf, sizeof(buf), 0);
	if (r < 0)
		return;
	if (qspn_hello_decode(&h, buf, (size_t)r, &why) < 0) {
		N.c.drop_hello++;
		QSPND_DEBUG(packets, "bad hello on %s: %s", ifp->name, why);
		return;
	}
	hello_receive(ifp, &h);
}

static void if_start(struct interface *ifp)
{
	struct qspnd_if *qif = qspnd_if_get(ifp);
	struct sockaddr_in sin = {.sin_family = AF_INET,
				  .sin_port = htons(QSPND_PORT)};
	int fd, one = 1;

	if (qif->running)
		return;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return;
	sockopt_reuseaddr(fd);
	setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one));
	set_nonblocking(fd);
	frr_with_privs (&qspnd_privs) {
		if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifp->name,
			       strlen(ifp->name)) < 0)
			zlog_warn("%s: SO_BINDTODEVICE: %s", ifp->name,
				  safe_strerror(errno));
	}
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		zlog_err("%s: cannot bind UDP port %d: %s", ifp->name,
			 QSPND_PORT, safe_strerror(errno));
		close(fd);
		return;
	}
	qif->udp_fd = fd;
	qif->running = true;
	if (!qif->linklocal)
		qif->linklocal = pick_linklocal();
	thread_add_read(qspnd.master, udp_read, ifp, fd, &qif->t_udp);
	thread_add_timer_msec(qspnd.master, hello_timer, ifp, 0, &qif->t_hello);
	listen_start();
	QSPND_DEBUG(events, "%s: running", ifp->name);
}

static void if_stop(struct interface *ifp)
{
	struct qspnd_if *qif = qspnd_if_get(ifp);
	struct qspnd_neigh *n, *next;

	if (!qif || !qif->running)
		return;
	for (n = N.neighs; n; n = next) {
		next = n->next;
		if (n->ifindex == ifp->ifindex)
			neigh_free(n);
	}
	THREAD_OFF(qif->t_udp);
	THREAD_OFF(qif->t_hello);
	close(qif->udp_fd);
	qif->udp_fd = -1;
	qif->running = false;
	/* The link-local of a NIC does not change while the daemon runs
	 * (routes.md §2); it goes from the kernel with the interface's
	 * management. */
	qif->linklocal = 0;
	QSPND_DEBUG(events, "%s: stopped", ifp->name);
}

/* ---- the engine ---------------------------------------------------------- */

static void engine_timer(struct thread *t)
{
	if (!N.inst)
		return;
	qspn_tick(N.inst, now_ms());
	engine_schedule();
}

static void engine_schedule(void)
{
	uint64_t dl, now;

	THREAD_OFF(N.t_engine);
	if (!N.inst)
		return;
	dl = qspn_next_deadline(N.inst);
	if (dl == UINT64_MAX)
		return;
	now = now_ms();
	thread_add_timer_msec(qspnd.master, engine_timer, NULL,
			      dl > now ? (long)(dl - now) : 0, &N.t_engine);
}

/* After the engine call: the route changes its signals announced. */
static void flush_changes(struct thread *t)
{
	size_t n = N.n_dirty;

	N.n_dirty = 0;
	if (N.sync_pending) {
		N.sync_pending = false;
		qspnd_kernel_sync();
		return;
	}
	for (size_t i = 0; i < n; i++)
		qspnd_kernel_update_dest(N.dirty[i]);
}

static void kernel_sync_later(void)
{
	N.sync_pending = true;
	thread_add_event(qspnd.master, flush_changes, NULL, 0, &N.t_flush);
}

static void dest_changed(struct qspn_hcoord h)
{
	for (size_t i = 0; i < N.n_dirty; i++)
		if (qspn_hcoord_equal(N.dirty[i], h))
			return;
	if (N.n_dirty == N.cap_dirty) {
		N.cap_dirty = N.cap_dirty ? 2 * N.cap_dirty : 16;
		N.dirty = XREALLOC(MTYPE_QSPND_NEIGH, N.dirty,
				   N.cap_dirty * sizeof(*N.dirty));
	}
	N.dirty[N.n_dirty++] = h;
	thread_add_event(qspnd.master, flush_changes, NULL, 0, &N.t_flush);
}

/* A send that can't happen is reported after the engine call returns. */
static void report_transport_error(struct thread *t)
{
	uint32_t arc = (uint32_t)THREAD_VAL(t);

	if (N.inst) {
		qspn_transport_error(N.inst, now_ms(), arc, true);
		engine_schedule();
	}
}

static void host_send(void *ctx, struct qspn_instance *inst, uint32_t arc,
		      const uint8_t *buf, size_t len)
{
	struct qspnd_neigh *n = neigh_by_id(arc);

	if (!n || !session_send(n, buf, len))
		thread_add_event(qspnd.master, report_transport_error, NULL,
				 (int)arc, NULL);
}

static void host_broadcast(void *ctx, struct qspn_instance *inst,
			   const uint32_t *arcs, size_t n_arcs,
			   const uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < n_arcs; i++)
		host_send(ctx, inst, arcs[i], buf, len);
}

static void host_signal(void *ctx, struct qspn_instance *inst,
			const struct qspn_signal *sig)
{
	struct qspnd_neigh *n;

	switch (sig->type) {
	case QSPN_SIG_BOOTSTRAP_COMPLETE:
		zlog_info("QSPN bootstrap complete");
		kernel_sync_later();
		break;
	case QSPN_SIG_DEST_ADDED:
	case QSPN_SIG_DEST_REMOVED:
	case QSPN_SIG_PATH_ADDED:
	case QSPN_SIG_PATH_CHANGED:
	case QSPN_SIG_PATH_REMOVED:
		QSPND_DEBUG(etp, "signal %d for (%d, %u)", sig->type,
			    sig->dest.lvl, sig->dest.pos);
		dest_changed(sig->dest);
		break;
	case QSPN_SIG_ARC_REMOVED:
		n = neigh_by_id(sig->arc);
		if (n) {
			/* the engine dropped it: start afresh */
			n->arc_added = false;
			table_put(n->table_id);
			n->table_id = 0;
			zlog_info("arc %u on %s removed by QSPN%s", n->id,
				  n->ifname,
				  sig->bad_link ? " (bad link)" : "");
			session_close(n, "arc removed by QSPN");
		}
		kernel_sync_later();
		break;
	case QSPN_SIG_GNODE_SPLITTED:
		zlog_warn("QSPN: g-node (%d, %u) is split", sig->dest.lvl,
			  sig->dest.pos);
		break;
	default:
		QSPND_DEBUG(events, "signal %d", sig->type);
		break;
	}
}

static uint32_t host_random(void *ctx)
{
	return (uint32_t)random64();
}

static void host_log(void *ctx, int level, const char *msg)
{
	if (level >= QSPN_LOG_WARN)
		zlog_warn("QSPN: %s", msg);
	else if (level == QSPN_LOG_INFO)
		zlog_info("QSPN: %s", msg);
	else
		QSPND_DEBUG(etp, "%s", msg);
}

static const struct qspn_host_ops host_ops = {
	.send = host_send,
	.broadcast = host_broadcast,
	.signal = host_signal,
	.random = host_random,
	.log = host_log,
};

static void engine_stop(void)
{
	for (struct qspnd_neigh *n = N.neighs; n; n = n->next) {
		if (n->arc_added)
			table_put(n->table_id);
		n->arc_added = false;
		n->table_id = 0;
	}
	THREAD_OFF(N.t_engine);
	if (N.inst)
		qspn_instance_free(N.inst);
	N.inst = NULL;
	N.n_dirty = 0;
}

static void engine_start(struct qspnd_router *r)
{
	struct qspn_params p;
	struct qspn_fp fp0;
	int32_t eld[QSPN_MAX_LEVELS] = {0};

	qspn_params_default(&p);
	p.max_paths = r->cfg.max_paths;
	p.max_common_hops_ratio = r->cfg.max_common_hops_ratio;
	qspn_fp_init_node(&fp0, (int64_t)(random64() >> 1), r->cfg.topo.levels,
			  eld);
	N.inst = qspn_create_net(&p, &r->cfg.topo, &r->cfg.addr, &fp0,
				 &host_ops, NULL, now_ms());
	if (!N.inst) {
		zlog_err("cannot start the QSPN engine");
		return;
	}
	N.engine_topo = r->cfg.topo;
	N.engine_addr = r->cfg.addr;
	N.engine_max_paths = r->cfg.max_paths;
	N.engine_ratio = r->cfg.max_common_hops_ratio;
	for (struct qspnd_neigh *n = N.neighs; n; n = n->next)
		arc_update(n);
	engine_schedule();
}

/* ---- what the rest of the daemon calls ------------------------------------
 */

static bool if_should_run(struct interface *ifp)
{
	struct qspnd_if *qif = qspnd_if_get(ifp);

	return qif && qif->enabled && if_is_up(ifp) && qspnd.router &&
	       qspnd.router->state == QSPND_ROUTER_ACTIVE;
}

void qspnd_neigh_if_update(struct interface *ifp)
{
	if (if_should_run(ifp))
		if_start(ifp);
	else
		if_stop(ifp);
	kernel_sync_later();
}

void qspnd_neigh_router_update(void)
{
	struct qspnd_router *r = qspnd.router;
	struct vrf *vrf = vrf_lookup_by_id(VRF_DEFAULT);
	struct interface *ifp;
	bool active = r && r->state == QSPND_ROUTER_ACTIVE;

	if (N.inst &&
	    (!active || !qspn_naddr_equal(&N.engine_addr, &r->cfg.addr) ||
	     N.engine_topo.levels != r->cfg.topo.levels ||
	     memcmp(N.engine_topo.gsize, r->cfg.topo.gsize,
		    sizeof(N.engine_topo.gsize)) != 0 ||
	     N.engine_max_paths != r->cfg.max_paths ||
	     N.engine_ratio != r->cfg.max_common_hops_ratio))
		engine_stop();
	if (vrf)
		FOR_ALL_INTERFACES (vrf, ifp)
			qspnd_neigh_if_update(ifp);
	if (active && !N.inst)
		engine_start(r);
	if (!active)
		listen_stop();
}

void qspnd_neigh_init(void)
{
	N.system_id = random64();
	N.identity_id = random64();
}

void qspnd_neigh_stop(void)
{
	struct vrf *vrf = vrf_lookup_by_id(VRF_DEFAULT);
	struct interface *ifp;

	engine_stop();
	if (vrf)
		FOR_ALL_INTERFACES (vrf, ifp)
			if_stop(ifp);
	listen_stop();
	THREAD_OFF(N.t_flush);
	XFREE(MTYPE_QSPND_NEIGH, N.dirty);
	N.cap_dirty = 0;
	XFREE(MTYPE_QSPND_NEIGH, N.pn);
	XFREE(MTYPE_QSPND_NEIGH, N.pa);
}

/* ---- planner views
 * ----------------------------------------------------------- */

static size_t neigh_count(void)
{
	size_t k = 0;

	for (struct qspnd_neigh *n = N.neighs; n; n = n->next)
		k++;
	return k;
}

size_t qspnd_neigh_plan_neighbours(const struct qspn_plan_neighbour **out)
{
	size_t k = 0;

	XFREE(MTYPE_QSPND_NEIGH, N.pn);
	N.pn = XCALLOC(MTYPE_QSPND_NEIGH, (neigh_count() + 1) * sizeof(*N.pn));
	for (struct qspnd_neigh *n = N.neighs; n; n = n->next) {
		if (!n->linklocal)
			continue;
		strlcpy(N.pn[k].dev, n->ifname, sizeof(N.pn[k].dev));
		N.pn[k].linklocal = n->linklocal;
		k++;
	}
	*out = N.pn;
	return k;
}

size_t qspnd_neigh_plan_arcs(const struct qspn_plan_arc **out)
{
	size_t k = 0;

	XFREE(MTYPE_QSPND_NEIGH, N.pa);
	N.pa = XCALLOC(MTYPE_QSPND_NEIGH, (neigh_count() + 1) * sizeof(*N.pa));
	for (struct qspnd_neigh *n = N.neighs; n; n = n->next) {
		struct qspn_plan_arc *a = &N.pa[k];

		if (!n->arc_added)
			continue;
		a->id = n->id;
		strlcpy(a->dev, n->ifname, sizeof(a->dev));
		memcpy(a->peer_mac, n->mac, 6);
		a->peer_linklocal = n->linklocal;
		a->qspn = true;
		a->table_id = n->table_id;
		a->peer_known =
			N.inst && qspn_get_naddr_for_arc(N.inst, n->id,
							 &a->peer_addr) == 0;
		k++;
	}
	*out = N.pa;
	return k;
}

static int no_paths(void *ctx, struct qspn_hcoord dest,
		    struct qspn_dest_paths *out)
{
	out->dest = dest;
	out->n_paths = 0;
	out->paths = NULL;
	return 0;
}

struct qspn_path_source qspnd_neigh_paths(void)
{
	struct qspn_path_source none = {.get_paths = no_paths, .ctx = NULL};

	return N.inst ? qspn_path_source_of(N.inst) : none;
}

/* ---- show
 * ----------------------------------------------------------------------- */

static void ll_str(uint32_t ll, char *buf, size_t len)
{
	uint32_t be = htonl(ll);

	if (!ll)
		strlcpy(buf, "-", len);
	else
		inet_ntop(AF_INET, &be, buf, len);
}

struct json_object *qspnd_neigh_json(void)
{
	struct json_object *j = json_object_new_object();
	char buf[INET_ADDRSTRLEN], mac[18];
	uint64_t now = now_ms();

	for (struct qspnd_neigh *n = N.neighs; n; n = n->next) {
		struct json_object *jn = json_object_new_object();
		char key[40];

		snprintf(key, sizeof(key), "%s/%016" PRIx64, n->ifname,
			 n->system_id);
		json_object_string_add(jn, "interface", n->ifname);
		snprintfrr(buf, sizeof(buf), "%016" PRIx64, n->system_id);
		json_object_string_add(jn, "systemId", buf);
		ll_str(n->linklocal, buf, sizeof(buf));
		json_object_string_add(jn, "linkLocal", buf);
		qspn_mac_format(n->mac, mac);
		json_object_string_add(jn, "mac", mac);
		json_object_string_add(jn, "state", neigh_state_str[n->state]);
		if (n->rtt_samples)
			json_object_int_add(jn, "rttUsec", n->rtt_us);
		json_object_int_add(jn, "lastHeardMsecs",
				    (int64_t)(now - n->last_heard_ms));
		json_object_boolean_add(jn, "arc", n->arc_added);
		if (n->arc_added) {
			json_object_int_add(jn, "arcId", n->id);
			json_object_int_add(jn, "cost", n->arc_cost);
		}
		json_object_int_add(jn, "framesIn", n->frames_in);
		json_object_int_add(jn, "framesOut", n->frames_out);
		json_object_object_add(j, key, jn);
	}
	return j;
}

struct json_object *qspnd_arcs_json(void)
{
	struct json_object *j = json_object_new_object();
	char buf[INET_ADDRSTRLEN], mac[18], addr[96];

	for (struct qspnd_neigh *n = N.neighs; n; n = n->next) {
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
		if (N.inst &&
		    qspn_get_naddr_for_arc(N.inst, n->id, &peer) == 0) {
			qspn_naddr_format(&peer, addr, sizeof(addr));
			json_object_string_add(ja, "peerAddress", addr);
		}
		json_object_object_add(j, key, ja);
	}
	return j;
}

/* Every destination the engine knows, all levels (the caller frees *out). */
static size_t known_dests(struct qspn_hcoord **out)
{
	size_t cap = 0, n = 0;

	for (int l = 0; l < N.engine_topo.levels; l++)
		cap += N.engine_topo.gsize[l];
	*out = XCALLOC(MTYPE_QSPND_NEIGH, (cap + 1) * sizeof(**out));
	for (int l = 0; l < N.engine_topo.levels; l++) {
		int k = qspn_get_known_destinations(N.inst, l, *out + n,
						    cap - n);

		if (k > 0)
			n += MIN((size_t)k, cap - n);
	}
	return n;
}

struct json_object *qspnd_destinations_json(void)
{
	struct json_object *j = json_object_new_object();
	struct qspn_hcoord *hs;
	size_t n;

	if (!N.inst)
		return j;
	n = known_dests(&hs);
	for (size_t i = 0; i < n; i++) {
		struct qspn_dest_paths dp;
		struct json_object *jd = json_object_new_object();
		char key[32];

		snprintf(key, sizeof(key), "%d:%u", hs[i].lvl, hs[i].pos);
		json_object_int_add(jd, "level", hs[i].lvl);
		json_object_int_add(jd, "position", hs[i].pos);
		if (qspn_get_paths_to(N.inst, hs[i], &dp) == 0) {
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
	XFREE(MTYPE_QSPND_NEIGH, hs);
	return j;
}

const void *qspnd_neigh_next(const void *prev)
{
	return prev ? ((const struct qspnd_neigh *)prev)->next : N.neighs;
}

void qspnd_neigh_info(const void *neigh, struct qspnd_neigh_info *out)
{
	const struct qspnd_neigh *n = neigh;

	out->ifname = n->ifname;
	out->system_id = n->system_id;
	out->linklocal = n->linklocal;
	memcpy(out->mac, n->mac, 6);
	out->state = (int)n->state;
	out->rtt_us = n->rtt_samples ? n->rtt_us : -1;
	out->arc_cost = n->arc_added ? n->arc_cost : -1;
}

static bool prefix_covers(struct qspn_prefix outer, struct qspn_prefix inner)
{
	uint32_t mask = outer.len ? ~0u << (32 - outer.len) : 0;

	return outer.len <= inner.len && (inner.addr & mask) == outer.addr;
}

struct json_object *qspnd_paths_json(const struct qspn_prefix *filter)
{
	struct json_object *j = json_object_new_object();
	const struct qspnd_router *r = qspnd.router;
	struct qspn_hcoord *hs;
	size_t n;

	if (!N.inst || !r)
		return j;
	n = known_dests(&hs);
	for (size_t i = 0; i < n; i++) {
		struct qspn_dest_ips ips;
		struct qspn_dest_paths dp;
		struct json_object *jd, *jips, *jps;
		bool match = !filter;
		char key[32], buf[32];

		if (!qspn_dest_ips(&r->cfg.topo, &r->cfg.addr,
				   r->cfg.subnet_level, hs[i], &ips))
			memset(&ips, 0, sizeof(ips));
		jips = json_object_new_array();
		for (int s = 0; s < ips.n_slots; s++) {
			if (!ips.present[s])
				continue;
			if (filter && (prefix_covers(*filter, ips.ip[s]) ||
				       prefix_covers(ips.ip[s], *filter)))
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
		if (qspn_get_paths_to(N.inst, hs[i], &dp) == 0) {
			for (uint32_t p = 0; p < dp.n_paths; p++) {
				const struct qspn_path *pa = &dp.paths[p];
				struct json_object *jp, *jh;
				struct qspnd_neigh *n = neigh_by_id(pa->arc);

				jp = json_object_new_object();
				json_object_int_add(jp, "arc", pa->arc);
				if (n) {
					json_object_string_add(jp, "interface",
							       n->ifname);
					ll_str(n->linklocal, buf, sizeof(buf));
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
	XFREE(MTYPE_QSPND_NEIGH, hs);
	return j;
}

void qspnd_neigh_counters(struct qspnd_neigh_counters *c, bool *bootstrap,
			  const struct qspn_stats **stats)
{
	*c = N.c;
	*bootstrap = N.inst && !qspn_is_bootstrap_complete(N.inst);
	*stats = N.inst ? qspn_get_stats(N.inst) : NULL;
}
