// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qspnd_neigh.c: the identities of this system at run time
 * (qspnd_neigh.h): their registry, ports, hellos, neighbours, arcs and
 * forwarding table ids, the ETP sessions (the stream itself is
 * qspnd_session.c's) and the engines' timers.  qspnd_ident.c operates on
 * identities (creation of their engines, ingress, dismissal) and handles
 * the engines' signals.
 *
 * Neighbour discovery.  On every port of every identity (the managed NICs
 * for the main identity, their macvlans for a connectivity identity) qspnd
 * picks a link-local 169.254.x.y and broadcasts a Hello (lib/qspn_hello.h)
 * on UDP port 60269 every hello interval (`qspn hello-interval`, 1 s by
 * default, +-10%): system id, identity id, network id, MAC, link-local, the
 * interval.  A Hello that asks for it (want_echo) is answered at once with
 * one that echoes its timestamp: the sender measures the round-trip time
 * from the echo and filters it (lib/qspn_rtt.h, doc/costs.md).  Echoes are
 * asked for while a neighbour's cost is new (QSPN_RTT_WINDOW samples), then
 * once every RTT_SAMPLE_MS.  A neighbour not heard for 1.2 of its intervals
 * is probed (a hello that asks for an echo, answered at once); one not heard
 * for 1.8 of its intervals is dead (1.8 s at the default); one that says it
 * is leaving is dead at once, and so are all the neighbours of a NIC that
 * stops being operative (zebra's interface down: administratively down, or
 * no carrier).  An older qspnd sends no interval: it hellos every second,
 * wants every hello echoed, and takes a neighbour dead after 4 s, so a link
 * with one has hellos at 1 s at most.  Two
 * systems that picked the same link-local on a link: the one with the
 * smaller system id picks again.  Hellos need no address (they go out from
 * 0.0.0.0), so discovery works before the kernel has any of our addresses.
 * A neighbour is one peer identity on one port, known by (peer system, peer
 * MAC): when a peer system moves an identity to a new pseudo-interface, the
 * new MAC is a new neighbour, and the identity that takes the NIC over
 * keeps the neighbour (and its session) of the old one.
 *
 * Transport.  ETPs travel on one TCP session per neighbour, between the two
 * link-locals on port 60269, in the identity's namespace: reliable and
 * ordered, which is what the engine's unicast needs, and what makes its
 * broadcast-with-ACK trivial (a message written to every session is
 * delivered or the session dies, and a dead session is a removed arc).  The
 * system with the smaller id connects.  A frame is a 4-byte big-endian
 * length and a qspn.Packet; a frame longer than the engine's limit, or a
 * session whose unsent output exceeds QSPND_MAX_BACKLOG, is dropped with
 * the session and counted.
 *
 * Arcs.  A neighbour whose session is up, whose cost is known (measured, or
 * the interface's configured cost) and whose identity is in the same
 * network is an arc of the identity's engine; a configured cost that
 * changes, or a measured one whose change is relevant (qspn_rtt_relevant():
 * more than 30% plus four times the jitter), is passed on; a session lost, a
 * neighbour dead or gone to another network removes the arc.  A frame that
 * arrives on a session before the arc exists on our side (the peer measured
 * its cost first) goes to the engine, which holds it until the arc appears
 * (doc/protocol/qspn.md §2.5).
 *
 * The engines (lib/qspn.h) get the time as an argument: one FRR timer per
 * instance follows qspn_next_deadline().  Their signals are synchronous
 * (qspnd_ident.c); route changes they announce are batched by qspnd_kernel.c
 * and applied after the engine call returns.
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
#include "qspnd_frr.h"
#include "lib/vrf.h"

#include "qspn.h"
#include "qspn_hello.h"

#include "qspnd.h"
#include "qspnd_auth.h"
#include "qspnd_debug.h"
#include "qspnd_kernel.h"
#include "qspnd_neigh.h"
#include "qspnd_netns.h"
#include "qspnd_session.h"

DEFINE_MTYPE_STATIC(QSPND, QSPND_NEIGH, "QSPN neighbour");
DEFINE_MTYPE_STATIC(QSPND, QSPND_IDENT, "QSPN identity");


#define HELLO_INTERVAL_MS 1000	/* the default */
#define LEGACY_INTERVAL_MS 1000 /* an older qspnd's, which sends none */
#define RTT_SAMPLE_MS 10000	/* an echo that often once the cost is known */
/* A measured cost is known after this many samples, asked for RTT_BURST_MS
 * apart when a neighbour appears: the first echo is often slow (the two
 * daemons are busy with the new neighbour), and a cost taken from it alone
 * was corrected a few seconds later, with a round of ETPs. */
#define RTT_FIRST_SAMPLES 3
#define RTT_BURST_MS 100
/* a neighbour not heard for so many tenths of its interval is probed, then
 * dead */
#define PROBE_AFTER_TENTHS 12
#define DEAD_AFTER_TENTHS 18
#define CONNECT_RETRY_MS 2000
#define QSPND_MAX_BACKLOG (16u << 20)

static const char *const neigh_state_str[] = {
	[NEIGH_HEARD] = "heard",
	[NEIGH_CONNECTING] = "connecting",
	[NEIGH_UP] = "up",
};

static struct {
	uint64_t system_id;
	uint32_t next_id;	    /* arc handles, unique in the system */
	uint32_t next_index;	    /* local_identity_index */
	struct qspnd_ident *idents; /* the main identity first */
	/* forwarding table ids by peer MAC (doc/protocol/routes.md §3.2):
	 * shared by the arcs with that MAC, in every identity (rt_tables is
	 * system-wide) */
	struct qspn_tid_table tables;
	/* peer identities that have a successor (hellos' prev_identity_id) */
	uint64_t *superseded;
	size_t n_superseded, cap_superseded;
	/* counters */
	struct qspnd_neigh_counters c;
} self;

/*
 * The table of a peer MAC: the one it already has, or the highest free id
 * (lib/qspn_plan.c holds the policy: the reference's allocator hands out
 * 250, 249, ... and reuses the most recently released first; the highest
 * free id is as good and stateless).  0 when all 51 are taken.
 */
static uint32_t table_get(const uint8_t mac[6])
{
	uint32_t tid = qspn_tid_get(&self.tables, mac);

	if (!tid)
		zlog_warn("no forwarding table id left (%d in use)",
			  QSPN_TID_MAX - QSPN_TID_MIN + 1);
	return tid;
}

static void table_put(uint32_t tid)
{
	qspn_tid_put(&self.tables, tid);
}

/* ---- link-locals ------------------------------------------------------ */

uint32_t qspnd_neigh_pick_linklocal(void)
{
	/* 169.254.1.1 .. 169.254.254.254 (RFC 3927 keeps .0.x and .255.x) */
	uint64_t r = qspnd_random64();

	return 0xa9fe0000u | ((uint32_t)(1 + r % 254) << 8) |
	       (uint32_t)(1 + (r >> 8) % 254);
}

/* ---- identities ------------------------------------------------------- */

struct qspnd_ident *qspnd_neigh_ident_first(void)
{
	return self.idents;
}

struct qspnd_ident *qspnd_neigh_ident_main(void)
{
	for (struct qspnd_ident *id = self.idents; id; id = id->next)
		if (id->main)
			return id;
	return NULL;
}

struct qspnd_ident *qspnd_neigh_ident_by_ns(const char *ns)
{
	for (struct qspnd_ident *id = self.idents; id; id = id->next)
		if (strcmp(id->netns, ns) == 0)
			return id;
	return NULL;
}

static struct qspnd_port *port_of_ifp(struct interface *ifp)
{
	struct qspnd_ident *m = qspnd_neigh_ident_main();

	if (!m)
		return NULL;
	for (size_t i = 0; i < m->n_ports; i++)
		if (strcmp(m->ports[i]->nic, ifp->name) == 0)
			return m->ports[i];
	return NULL;
}

/* ---- neighbours -------------------------------------------------------- */

static struct qspnd_neigh *neigh_by_id(uint32_t id)
{
	for (struct qspnd_ident *i = self.idents; i; i = i->next)
		for (struct qspnd_neigh *n = i->neighs; n; n = n->next)
			if (n->id == id)
				return n;
	return NULL;
}

static struct qspnd_neigh *neigh_find(struct qspnd_port *p, uint64_t system_id,
				      const uint8_t mac[6])
{
	for (struct qspnd_neigh *n = p->id->neighs; n; n = n->next)
		if (n->port == p && n->system_id == system_id &&
		    memcmp(n->mac, mac, 6) == 0)
			return n;
	return NULL;
}

struct qspnd_neigh *qspnd_neigh_by_ll(struct qspnd_ident *id, uint32_t ll)
{
	for (struct qspnd_neigh *n = id->neighs; n; n = n->next)
		if (n->linklocal == ll)
			return n;
	return NULL;
}

/* The interface's configured cost, or -1. */
static int64_t neigh_cost_configured(const struct qspnd_neigh *n)
{
	struct interface *ifp = if_lookup_by_name(n->port->nic, VRF_DEFAULT);
	struct qspnd_if *qif = ifp ? qspnd_if_get(ifp) : NULL;

	return qif && qif->has_cost ? (int64_t)qif->cost_usec : -1;
}

int64_t qspnd_neigh_cost(const struct qspnd_neigh *n)
{
	int64_t c = neigh_cost_configured(n);

	if (c >= 0)
		return c;
	if (n->rtt_samples < RTT_FIRST_SAMPLES)
		return -1;
	return qspn_rtt_estimate(&n->rtt, qspnd_now_ms());
}

/* Whether the arc's cost should change: a configured cost whenever it does,
 * a measured one when the change is larger than the link's jitter and 30%
 * (lib/qspn_rtt.h). */
static bool neigh_cost_relevant(const struct qspnd_neigh *n, int64_t cost,
				uint64_t now)
{
	if (neigh_cost_configured(n) >= 0)
		return cost != n->arc_cost;
	return qspn_rtt_relevant(&n->rtt, now, n->arc_cost);
}

static void engine_schedule(struct qspnd_ident *id);


/* ---- identity-arcs --------------------------------------------------------
 *
 * Which peers an identity has identity-arcs with (doc/protocol/routes.md §5.3):
 * the /32 routes to their link-locals, and the only neighbours that may become
 * QSPN arcs.  The reference creates them when a physical arc appears (between
 * the main identities) and copies them when an identity is duplicated: the
 * old identity follows its peers to their pseudo-interfaces, the new one
 * gets arcs to their new identities ("old with old, new with new" among
 * the members of one migration).  Hellos carry what it takes to do the same
 * without a migration id: whether the sender is a connectivity identity,
 * and which identity it succeeded.
 */
static bool id_in(const uint64_t *v, size_t n, uint64_t x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

static void id_add(uint64_t **v, size_t *n, size_t *cap, uint64_t x)
{
	if (!x || id_in(*v, *n, x))
		return;
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 8;
		*v = XREALLOC(MTYPE_QSPND_NEIGH, *v, *cap * sizeof(**v));
	}
	(*v)[(*n)++] = x;
}

static bool known(const struct qspnd_ident *id, uint64_t peer)
{
	return id_in(id->known, id->n_known, peer);
}

static bool superseded(uint64_t peer)
{
	return id_in(self.superseded, self.n_superseded, peer);
}

static bool iarc_wanted(const struct qspnd_ident *a,
			const struct qspnd_neigh *n)
{
	if (!n->identity_id || !n->linklocal)
		return false;
	/* the physical arc: main with main */
	if (a->main && !n->peer_connectivity)
		return true;
	/* otherwise only a peer we already had an arc with, followed to its
	 * pseudo-interface ... */
	if (!known(a, n->identity_id))
		return false;
	/* ... unless we are both successors: new with new */
	if (a->prev_identity_id && superseded(n->identity_id))
		return false;
	/* ... or we are an old identity and it is the successor of one of
	 * ours: old with old */
	if (!a->main && n->peer_prev_identity &&
	    known(a, n->peer_prev_identity))
		return false;
	return true;
}

static void arc_update(struct qspnd_neigh *n);

static void iarc_update(struct qspnd_neigh *n)
{
	struct qspnd_ident *a = n->port->id;
	bool want = iarc_wanted(a, n);

	if (want)
		id_add(&a->known, &a->n_known, &a->cap_known, n->identity_id);
	if (want != n->iarc) {
		n->iarc = want;
		QSPND_DEBUG(events,
			    "identity %u: identity-arc with %016" PRIx64
			    " on %s %s",
			    a->index, n->identity_id, n->port->dev,
			    want ? "added" : "removed");
		qspnd_kernel_sync_later();
		arc_update(n);
	}
}

static void iarc_update_all(void)
{
	for (struct qspnd_ident *i = self.idents; i; i = i->next)
		for (struct qspnd_neigh *n = i->neighs; n; n = n->next)
			iarc_update(n);
}

/* The arc is no more (the engine was told, or told us): its table id goes
 * back. */
static void arc_forget(struct qspnd_neigh *n)
{
	n->arc_added = false;
	table_put(n->table_id);
	n->table_id = 0;
}

static void arc_update(struct qspnd_neigh *n)
{
	struct qspnd_ident *id = n->port->id;
	int64_t cost = qspnd_neigh_cost(n);
	uint64_t now = qspnd_now_ms();

	if (!id->inst)
		return;
	if (n->state != NEIGH_UP || cost < 0 || !n->iarc ||
	    n->network_id != id->network_id || id->dismissing) {
		if (n->arc_added) {
			arc_forget(n);
			qspn_arc_remove(id->inst, now, n->id);
			QSPND_DEBUG(events, "arc %u (%s) removed", n->id,
				    n->ifname);
			qspnd_kernel_sync_later();
		}
	} else if (!n->arc_added) {
		n->table_id = table_get(n->mac);
		if (!n->table_id)
			return;
		if (qspn_arc_add(id->inst, now, n->id, cost) == 0) {
			n->arc_added = true;
			n->arc_cost = cost;
			QSPND_DEBUG(events, "arc %u (%s) added, cost %" PRId64,
				    n->id, n->ifname, cost);
			qspnd_kernel_sync_later();
		} else {
			table_put(n->table_id);
			n->table_id = 0;
		}
	} else if (neigh_cost_relevant(n, cost, now)) {
		qspn_arc_change(id->inst, now, n->id, cost);
		QSPND_DEBUG(events, "arc %u cost %" PRId64 " -> %" PRId64,
			    n->id, n->arc_cost, cost);
		n->arc_cost = cost;
	}
	engine_schedule(id);
}

/* End the arc with this neighbour (the session stays). */
static void arc_drop(struct qspnd_neigh *n)
{
	struct qspnd_ident *id = n->port->id;

	if (!n->arc_added)
		return;
	if (id->inst)
		qspn_arc_remove(id->inst, qspnd_now_ms(), n->id);
	arc_forget(n);
	qspnd_kernel_sync_later();
	engine_schedule(id);
}

/* The engine got this arc at its construction (qspn_enter_net). */
void qspnd_neigh_arc_adopted(struct qspnd_neigh *n, int64_t cost)
{
	n->table_id = table_get(n->mac);
	n->arc_added = true;
	n->arc_cost = cost;
	qspnd_kernel_sync_later();
}

void qspnd_neigh_arcs_update(struct qspnd_ident *id)
{
	for (struct qspnd_neigh *n = id->neighs; n; n = n->next)
		arc_update(n);
}

static void session_close(struct qspnd_neigh *n, const char *why)
{
	if (n->sess.fd >= 0)
		QSPND_DEBUG(packets,
			    "session with neighbour %016" PRIx64
			    " on %s closed: %s",
			    n->system_id, n->port->dev, why);
	qspnd_session_stop(&n->sess);
	if (n->state == NEIGH_UP)
		self.c.sessions_lost++;
	n->state = NEIGH_HEARD;
	arc_update(n);
}

static void neigh_free(struct qspnd_neigh *n)
{
	struct qspnd_neigh **pp;

	session_close(n, "neighbour gone");
	EVENT_OFF(n->t_retry);
	EVENT_OFF(n->t_echo);
	for (pp = &n->port->id->neighs; *pp; pp = &(*pp)->next)
		if (*pp == n) {
			*pp = n->next;
			break;
		}
	XFREE(MTYPE_QSPND_NEIGH, n);
	qspnd_kernel_sync_later();
}

/* ---- sessions (the stream itself: qspnd_session.c) ------------------- */

static void session_frame(void *arg, const uint8_t *body, size_t len)
{
	struct qspnd_neigh *n = arg;
	struct qspnd_ident *id = n->port->id;
	enum qspn_rx_result r;

	n->frames_in++;
	self.c.frames_in++;
	/* Before the arc exists on our side, a frame of a neighbour that is
	 * to be one (an identity-arc in our network: only its cost is not
	 * known yet) goes to the engine all the same: it holds the frame for
	 * arc_timeout and replays it when the arc is added (§2.5).  Dropping
	 * it lost the peer's first request, and the arc with it. */
	if (!id->inst || (!n->arc_added && (!n->iarc || id->dismissing ||
					    n->network_id != id->network_id))) {
		self.c.drop_no_arc++;
		return;
	}
	r = qspn_receive(id->inst, qspnd_now_ms(), n->id, body, len);
	if (r != QSPN_RX_OK && r != QSPN_RX_QUEUED && r != QSPN_RX_IGNORED)
		zlog_warn("message from neighbour %016" PRIx64
			  " on %s rejected: %s",
			  n->system_id, n->port->dev, qspn_rx_result_str(r));
	engine_schedule(id);
}

static void session_bad_frame(void *arg, size_t len)
{
	struct qspnd_neigh *n = arg;

	self.c.drop_frame_size++;
	zlog_warn("neighbour %016" PRIx64
		  " on %s: frame of %zu bytes; closing the session",
		  n->system_id, n->port->dev, len);
	session_close(n, "bad frame length");
}

static void session_failed(void *arg, const char *why)
{
	session_close(arg, why);
}

static void session_ready(void *arg);

static const struct qspnd_session_ops session_ops = {
	.frame = session_frame,
	.bad_frame = session_bad_frame,
	.failed = session_failed,
	.ready = session_ready,
};

static void session_ready(void *arg)
{
	struct qspnd_neigh *n = arg;

	n->state = NEIGH_UP;
	n->up_since_ms = qspnd_now_ms();
	self.c.sessions_up++;
	QSPND_DEBUG(events, "session with neighbour %016" PRIx64 " on %s up",
		    n->system_id, n->port->dev);
	arc_update(n);
}

/* A session is up when the peer has proven the key (an authenticated one,
 * qspnd_auth.c) or at once. */
static void session_up(struct qspnd_neigh *n, int fd)
{
	bool auth = qspnd_auth_session_wanted(n->port->nic, n->authenticated);

	if (auth)
		qspnd_session_auth(&n->sess, n->port->nic);
	qspnd_session_start(&n->sess, fd, &session_ops, n);
	if (auth)
		n->state = NEIGH_CONNECTING;
	else
		session_ready(n);
}

/* Queue one frame; false when the session can't take it. */
static bool session_send(struct qspnd_neigh *n, const uint8_t *buf, size_t len)
{
	if (n->state != NEIGH_UP)
		return false;
	if (!qspnd_session_send(&n->sess, buf, len, QSPND_MAX_BACKLOG)) {
		self.c.drop_backlog++;
		session_close(n, "output backlog over the limit");
		return false;
	}
	n->frames_out++;
	self.c.frames_out++;
	return true;
}

static void connect_done(qspnd_event_t *t)
{
	struct qspnd_neigh *n = EVENT_ARG(t);
	int err = 0;
	socklen_t len = sizeof(err);

	/* called by whichever of the two came first (neigh_connect) */
	EVENT_OFF(n->sess.t_read);
	EVENT_OFF(n->sess.t_write);
	if (getsockopt(n->sess.fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err) {
		QSPND_DEBUG(packets, "connect to neighbour on %s: %s",
			    n->port->dev, safe_strerror(err));
		close(n->sess.fd);
		n->sess.fd = -1;
		n->state = NEIGH_HEARD;
		return;
	}
	session_up(n, n->sess.fd);
}

/* A socket in the namespace of identity `id`. */
static int ident_socket(struct qspnd_ident *id, int type)
{
	int fd;

	if (!id->netns[0])
		return socket(AF_INET, type, 0);
	frr_with_privs (&qspnd_privs) {
		fd = qspnd_netns_socket(id->netns, AF_INET, type, 0);
	}
	return fd;
}

static void bind_to_device(int fd, const char *dev)
{
	frr_with_privs (&qspnd_privs) {
		if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev,
			       strlen(dev)) < 0)
			zlog_warn("%s: SO_BINDTODEVICE: %s", dev,
				  safe_strerror(errno));
	}
}

static void neigh_connect(struct qspnd_neigh *n)
{
	struct sockaddr_in local = {.sin_family = AF_INET};
	struct sockaddr_in peer = {.sin_family = AF_INET};
	int fd;

	fd = ident_socket(n->port->id, SOCK_STREAM);
	if (fd < 0)
		return;
	set_nonblocking(fd);
	local.sin_addr.s_addr = htonl(n->port->linklocal);
	peer.sin_addr.s_addr = htonl(n->linklocal);
	peer.sin_port = htons(QSPND_PORT);
	bind_to_device(fd, n->port->dev);
	if (bind(fd, (struct sockaddr *)&local, sizeof(local)) < 0 ||
	    (connect(fd, (struct sockaddr *)&peer, sizeof(peer)) < 0 &&
	     errno != EINPROGRESS)) {
		QSPND_DEBUG(packets, "connect to neighbour on %s: %s",
			    n->port->dev, safe_strerror(errno));
		close(fd);
		return;
	}
	n->sess.fd = fd;
	n->state = NEIGH_CONNECTING;
	/* Writable: connected or failed.  Also readable: an error the kernel
	 * reports before the connect ends (an unreachable link-local) polls
	 * as POLLERR alone, which libfrr hands to a read event; without one
	 * the event loop spins on it until the connect times out. */
	event_add_write(qspnd.master, connect_done, n, fd, &n->sess.t_write);
	event_add_read(qspnd.master, connect_done, n, fd, &n->sess.t_read);
}

/* Start a session when both sides have link-locals; the smaller id dials. */
static void neigh_try_session(qspnd_event_t *t)
{
	struct qspnd_neigh *n = EVENT_ARG(t);

	if (n->state == NEIGH_HEARD && n->linklocal && n->port->linklocal &&
	    n->port->running && self.system_id < n->system_id)
		neigh_connect(n);
	event_add_timer_msec(qspnd.master, neigh_try_session, n,
			      CONNECT_RETRY_MS, &n->t_retry);
}

/* The neighbour a session comes from: its link-local, on the port whose
 * link-local the session was accepted on (link-locals are unique per link,
 * not per system). */
static struct qspnd_neigh *neigh_by_session(struct qspnd_ident *id,
					    uint32_t peer_ll, uint32_t my_ll)
{
	for (struct qspnd_neigh *n = id->neighs; n; n = n->next)
		if (n->linklocal == peer_ll && n->port->linklocal == my_ll)
			return n;
	return NULL;
}

static void listen_accept(qspnd_event_t *t)
{
	struct qspnd_ident *id = EVENT_ARG(t);
	struct sockaddr_in peer, local;
	socklen_t len = sizeof(peer), llen = sizeof(local);
	struct qspnd_neigh *n;
	int fd;

	event_add_read(qspnd.master, listen_accept, id, id->listen_fd,
			&id->t_accept);
	fd = accept(id->listen_fd, (struct sockaddr *)&peer, &len);
	if (fd < 0)
		return;
	if (getsockname(fd, (struct sockaddr *)&local, &llen) < 0) {
		close(fd);
		return;
	}
	n = neigh_by_session(id, ntohl(peer.sin_addr.s_addr),
			     ntohl(local.sin_addr.s_addr));
	if (!n || self.system_id < n->system_id) {
		/* unknown peer, or one that should wait for us to dial */
		self.c.drop_unknown_session++;
		close(fd);
		return;
	}
	if (n->sess.fd >= 0)
		session_close(n, "replaced by a new session");
	session_up(n, fd);
}

static void listen_start(struct qspnd_ident *id)
{
	struct sockaddr_in sin = {.sin_family = AF_INET,
				  .sin_port = htons(QSPND_PORT)};
	int fd;

	if (id->listen_fd >= 0)
		return;
	fd = ident_socket(id, SOCK_STREAM);
	if (fd < 0)
		return;
	sockopt_reuseaddr(fd);
	set_nonblocking(fd);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    listen(fd, 16) < 0) {
		zlog_err("cannot listen on TCP port %d%s%s: %s", QSPND_PORT,
			 id->netns[0] ? " in " : "", id->netns,
			 safe_strerror(errno));
		close(fd);
		return;
	}
	id->listen_fd = fd;
	event_add_read(qspnd.master, listen_accept, id, fd, &id->t_accept);
}

static void listen_stop(struct qspnd_ident *id)
{
	EVENT_OFF(id->t_accept);
	if (id->listen_fd >= 0)
		close(id->listen_fd);
	id->listen_fd = -1;
}

/* ---- hellos ------------------------------------------------------------ */

/* A hello on port p; with an echo of echo_system_id's timestamp echo_us,
 * for a hello that arrived at echo_arrival_us (qspnd_now_us()'s clock): the
 * time it waited here goes with the echo. */
static void hello_send(struct qspnd_port *p, uint64_t echo_us,
		       uint64_t echo_system_id, bool want_echo,
		       uint64_t echo_arrival_us)
{
	struct qspn_hello h = {
		.system_id = self.system_id,
		.identity_id = p->id->identity_id,
		.network_id = p->id->network_id,
		.leaving = p->id->dismissing,
		.connectivity = !p->id->main,
		.prev_identity_id = p->id->prev_identity_id,
		.linklocal = p->linklocal,
		.ifindex = (uint32_t)p->ifindex,
		.timestamp_us = qspnd_now_us(),
		.echo_us = echo_us,
		.echo_system_id = echo_system_id,
		.want_echo = want_echo,
		.interval_ms = p->hello_ms ? p->hello_ms : HELLO_INTERVAL_MS,
	};
	struct sockaddr_in to = {.sin_family = AF_INET,
				 .sin_port = htons(QSPND_PORT),
				 .sin_addr.s_addr = INADDR_BROADCAST};
	uint8_t buf[QSPN_HELLO_MAX_BYTES];
	size_t len;

	memcpy(h.mac, p->mac, 6);
	if (echo_us && echo_arrival_us && h.timestamp_us > echo_arrival_us)
		h.echo_hold_us = (uint32_t)MIN(h.timestamp_us - echo_arrival_us,
					       UINT32_MAX);
	len = qspn_hello_encode(&h, buf, sizeof(buf));
	if (len)
		len = qspnd_auth_hello_out(&p->auth, p->nic, buf, len,
					   sizeof(buf));
	if (len == 0 || p->udp_fd < 0)
		return;
	if (sendto(p->udp_fd, buf, len, 0, (struct sockaddr *)&to, sizeof(to)) <
	    0)
		QSPND_DEBUG(packets, "hello on %s: %s", p->dev,
			    safe_strerror(errno));
	else
		self.c.hellos_out++;
}

void qspnd_neigh_hello_now(struct qspnd_ident *id)
{
	for (size_t i = 0; i < id->n_ports; i++)
		if (id->ports[i]->running)
			hello_send(id->ports[i], 0, 0, false, 0);
}

/* The interval a port's hellos go out at: the NIC's `qspn hello-interval`,
 * but 1 s at most while an older qspnd (which takes a neighbour dead after
 * 4 s) is on the link. */
static uint32_t port_hello_ms(const struct qspnd_port *p)
{
	struct interface *ifp = if_lookup_by_name(p->nic, VRF_DEFAULT);
	struct qspnd_if *qif = ifp ? qspnd_if_get(ifp) : NULL;
	uint32_t ms = qif && qif->hello_ms ? qif->hello_ms : HELLO_INTERVAL_MS;

	for (struct qspnd_neigh *n = p->id->neighs; n; n = n->next)
		if (n->port == p && !n->peer_interval_ms &&
		    ms > LEGACY_INTERVAL_MS)
			ms = LEGACY_INTERVAL_MS;
	return ms;
}

/* The interval a neighbour hellos at. */
static uint32_t neigh_interval(const struct qspnd_neigh *n)
{
	return n->peer_interval_ms ? n->peer_interval_ms : LEGACY_INTERVAL_MS;
}

/* Whether our next hello should ask this neighbour for an echo. */
static bool neigh_wants_sample(const struct qspnd_neigh *n, uint64_t now)
{
	return n->rtt_samples < QSPN_RTT_WINDOW ||
	       now - n->last_sample_ms >= RTT_SAMPLE_MS;
}

/* One more echo of the first burst. */
static void echo_ask(qspnd_event_t *t)
{
	struct qspnd_neigh *n = EVENT_ARG(t);

	hello_send(n->port, 0, 0, true, 0);
}

static void hello_timer(qspnd_event_t *t)
{
	struct qspnd_port *p = EVENT_ARG(t);
	uint64_t now = qspnd_now_ms();
	bool want = false;

	for (struct qspnd_neigh *n = p->id->neighs; n; n = n->next)
		if (n->port == p && neigh_wants_sample(n, now))
			want = true;
	p->hello_ms = port_hello_ms(p);
	hello_send(p, 0, 0, want, 0);
	/* +-10% jitter */
	event_add_timer_msec(qspnd.master, hello_timer, p,
			     p->hello_ms * 9 / 10 +
				     frr_weak_random() % (p->hello_ms / 5 + 1),
			     &p->t_hello);
}

static void live_timer(qspnd_event_t *t);

/* The timer of a port's neighbours: the next probe or death. */
static void live_schedule(struct qspnd_port *p)
{
	uint64_t next = UINT64_MAX, now = qspnd_now_ms();

	EVENT_OFF(p->t_live);
	for (struct qspnd_neigh *n = p->id->neighs; n; n = n->next) {
		uint64_t at;

		if (n->port != p)
			continue;
		at = n->last_heard_ms + (uint64_t)neigh_interval(n) *
						(n->probed
							 ? DEAD_AFTER_TENTHS
							 : PROBE_AFTER_TENTHS) /
						10;
		if (at < next)
			next = at;
	}
	if (next != UINT64_MAX)
		event_add_timer_msec(qspnd.master, live_timer, p,
				     next > now ? (long)(next - now) : 0,
				     &p->t_live);
}

static void live_timer(qspnd_event_t *t)
{
	struct qspnd_port *p = EVENT_ARG(t);
	uint64_t now = qspnd_now_ms();
	struct qspnd_neigh *n, *next;
	bool probe = false;

	for (n = p->id->neighs; n; n = next) {
		uint64_t quiet = now - n->last_heard_ms;
		uint64_t iv = neigh_interval(n);

		next = n->next;
		if (n->port != p)
			continue;
		if (quiet * 10 >= iv * DEAD_AFTER_TENTHS) {
			zlog_info("neighbour %016" PRIx64
				  " on %s is dead (not heard for %" PRIu64
				  " ms)",
				  n->system_id, p->dev, quiet);
			self.c.neighbours_dead++;
			neigh_free(n);
		} else if (!n->probed &&
			   quiet * 10 >= iv * PROBE_AFTER_TENTHS) {
			n->probed = true;
			probe = true;
		}
	}
	if (probe) {
		/* one hello asking for an echo, answered at once */
		self.c.probes++;
		hello_send(p, 0, 0, true, 0);
	}
	live_schedule(p);
}

static void port_set_linklocal(struct qspnd_port *p, uint32_t ll)
{
	p->linklocal = ll;
	if (p->id->main) {
		struct interface *ifp = if_lookup_by_name(p->nic, VRF_DEFAULT);
		struct qspnd_if *qif = ifp ? qspnd_if_get(ifp) : NULL;

		if (qif)
			qif->linklocal = ll;
	}
}

static size_t port_neighbours(const struct qspnd_port *p)
{
	size_t k = 0;

	for (struct qspnd_neigh *n = p->id->neighs; n; n = n->next)
		k += n->port == p;
	return k;
}

/* A hello that arrived at arrival_us (qspnd_now_us()'s clock: the kernel's
 * arrival time, not when the event loop got to it); ai: what its
 * authentication trailer said (qspnd_auth.c). */
static void hello_receive(struct qspnd_port *p, const struct qspn_hello *h,
			  uint64_t arrival_us, const struct qspnd_auth_rx *ai)
{
	struct qspnd_neigh *n;
	uint64_t now = qspnd_now_ms();

	if (h->system_id == self.system_id)
		return; /* ours, looped back or from another identity */
	self.c.hellos_in++;
	if (h->linklocal && h->linklocal == p->linklocal &&
	    self.system_id < h->system_id) {
		zlog_info("%s: link-local conflict with %016" PRIx64
			  ", picking another one",
			  p->dev, h->system_id);
		port_set_linklocal(p, qspnd_neigh_pick_linklocal());
		qspnd_kernel_sync_later();
	}
	n = neigh_find(p, h->system_id, h->mac);
	if (h->leaving) {
		if (n) {
			zlog_info("neighbour %016" PRIx64 " on %s is leaving",
				  n->system_id, p->dev);
			self.c.neighbours_dead++;
			neigh_free(n);
		}
		return;
	}
	if (!n && port_neighbours(p) >= QSPND_MAX_NEIGH_PER_PORT) {
		qspnd_auth_count_neighbours_full();
		return;
	}
	if (!n) {
		n = XCALLOC(MTYPE_QSPND_NEIGH, sizeof(*n));
		n->id = ++self.next_id;
		n->port = p;
		strlcpy(n->ifname, p->nic, sizeof(n->ifname));
		n->system_id = h->system_id;
		memcpy(n->mac, h->mac, 6);
		n->rtt_us = -1;
		qspn_rtt_init(&n->rtt);
		n->sess.fd = -1;
		n->next = p->id->neighs;
		p->id->neighs = n;
		self.c.neighbours_new++;
		zlog_info("new neighbour %016" PRIx64 " on %s", h->system_id,
			  p->dev);
		event_add_timer_msec(qspnd.master, neigh_try_session, n, 0,
				      &n->t_retry);
		/* its cost, as soon as it can be known */
		hello_send(p, 0, 0, true, 0);
	}
	if (n->peer_interval_ms != h->interval_ms) {
		n->peer_interval_ms = h->interval_ms;
		if (port_hello_ms(p) != p->hello_ms) {
			/* an older qspnd came: hellos at 1 s from now */
			p->hello_ms = port_hello_ms(p);
			EVENT_OFF(p->t_hello);
			event_add_timer_msec(qspnd.master, hello_timer, p, 0,
					     &p->t_hello);
		}
	}
	if (n->authenticated != ai->authenticated && n->sess.fd >= 0 &&
	    n->sess.auth != qspnd_auth_session_wanted(p->nic,
						      ai->authenticated))
		session_close(n, "authentication changed");
	n->authenticated = ai->authenticated;
	n->auth_key_id = ai->key_id;
	if (n->linklocal != h->linklocal) {
		if (n->state != NEIGH_HEARD)
			session_close(n, "peer link-local changed");
		n->linklocal = h->linklocal;
		qspnd_kernel_sync_later();
	}
	if (h->prev_identity_id && !superseded(h->prev_identity_id)) {
		id_add(&self.superseded, &self.n_superseded,
		       &self.cap_superseded, h->prev_identity_id);
		iarc_update_all();
	}
	n->peer_connectivity = h->connectivity;
	n->peer_prev_identity = h->prev_identity_id;
	if (n->identity_id != h->identity_id ||
	    n->network_id != h->network_id) {
		bool was_arc = n->arc_added;

		if (n->identity_id && n->identity_id != h->identity_id)
			/* another identity of the peer took this NIC over: the
			 * arc was with the old one */
			arc_drop(n);
		n->identity_id = h->identity_id;
		n->network_id = h->network_id;
		n->iarc = false;
		iarc_update(n);
		arc_update(n);
		if (was_arc != n->arc_added)
			qspnd_kernel_sync_later();
	}
	iarc_update(n);
	n->last_heard_ms = now;
	n->probed = false;
	live_schedule(p);
	if (h->echo_system_id == self.system_id) {
		uint64_t t = arrival_us;

		/* the round trip without the time the hello waited at the
		 * peer (and, with t the arrival, without our own wait) */
		if (h->echo_us + h->echo_hold_us <= t)
			t -= h->echo_hold_us;
		if (h->echo_us <= t) {
			qspn_rtt_sample(&n->rtt, now,
					(int64_t)(t - h->echo_us));
			n->rtt_us = qspn_rtt_min(&n->rtt, now);
			n->rtt_samples++;
			n->last_sample_ms = now;
			if (n->rtt_samples < RTT_FIRST_SAMPLES)
				event_add_timer_msec(qspnd.master, echo_ask, n,
						     RTT_BURST_MS, &n->t_echo);
			arc_update(n);
		}
	} else if (h->echo_us == 0 && (h->want_echo || !h->interval_ms)) {
		/* asked for (an older qspnd asks with every hello) */
		hello_send(p, h->timestamp_us, h->system_id, false, arrival_us);
	}
}

static void udp_read(qspnd_event_t *t)
{
	struct qspnd_port *p = EVENT_ARG(t);
	uint8_t buf[QSPN_HELLO_MAX_BYTES + 1];
	union {
		struct cmsghdr align;
		uint8_t buf[CMSG_SPACE(sizeof(struct timespec))];
	} ctl;
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = &ctl,
			     .msg_controllen = sizeof(ctl)};
	uint64_t arrival = qspnd_now_us();
	struct qspnd_auth_rx ai;
	struct qspn_hello h;
	const char *why;
	enum qspnd_auth_verdict v;
	ssize_t r;

	event_add_read(qspnd.master, udp_read, p, p->udp_fd, &p->t_udp);
	r = recvmsg(p->udp_fd, &msg, 0);
	if (r < 0)
		return;
	/* the kernel's arrival time (SO_TIMESTAMPNS, the realtime clock):
	 * how long the datagram waited for us, taken off the monotonic now */
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c;
	     c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET &&
		    c->cmsg_type == SCM_TIMESTAMPNS) {
			struct timespec at, rt;
			int64_t waited;

			memcpy(&at, CMSG_DATA(c), sizeof(at));
			clock_gettime(CLOCK_REALTIME, &rt);
			waited = (int64_t)(rt.tv_sec - at.tv_sec) * 1000000 +
				 (rt.tv_nsec - at.tv_nsec) / 1000;
			if (waited > 0 && (uint64_t)waited < arrival &&
			    waited < 10 * 1000000)
				arrival -= (uint64_t)waited;
		}
	v = qspnd_auth_hello_in(&p->auth, p->nic, buf, (size_t)r,
				self.system_id, qspnd_now_ms(), &h, &ai, &why);
	if (ai.send_now) /* a challenge, or the answer to one */
		hello_send(p, 0, 0, false, 0);
	if (v == QSPND_AUTH_BAD_HELLO) {
		self.c.drop_hello++;
		QSPND_DEBUG(packets, "bad hello on %s: %s", p->dev, why);
		return;
	}
	if (v == QSPND_AUTH_DROP)
		return;
	hello_receive(p, &h, arrival, &ai);
}

/* ---- ports ------------------------------------------------------------- */

struct qspnd_port *qspnd_neigh_port_new(struct qspnd_ident *id, const char *nic,
					const char *dev)
{
	struct qspnd_port *p;

	if (id->n_ports == QSPND_MAX_PORTS)
		return NULL;
	p = XCALLOC(MTYPE_QSPND_IDENT, sizeof(*p));
	p->id = id;
	strlcpy(p->nic, nic, sizeof(p->nic));
	strlcpy(p->dev, dev, sizeof(p->dev));
	p->udp_fd = -1;
	qspnd_auth_port_init(&p->auth);
	id->ports[id->n_ports++] = p;
	return p;
}

void qspnd_neigh_port_start(struct qspnd_port *p)
{
	struct sockaddr_in sin = {.sin_family = AF_INET,
				  .sin_port = htons(QSPND_PORT)};
	int fd, one = 1;

	if (p->running)
		return;
	fd = ident_socket(p->id, SOCK_DGRAM);
	if (fd < 0) {
		zlog_err("%s: no UDP socket%s%s: %s", p->dev,
			 p->id->netns[0] ? " in " : "", p->id->netns,
			 safe_strerror(errno));
		return;
	}
	sockopt_reuseaddr(fd);
	setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one));
	/* arrival times for the round trips (udp_read) */
	setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	set_nonblocking(fd);
	bind_to_device(fd, p->dev);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		zlog_err("%s: cannot bind UDP port %d: %s", p->dev, QSPND_PORT,
			 safe_strerror(errno));
		close(fd);
		return;
	}
	p->udp_fd = fd;
	p->running = true;
	p->hello_ms = port_hello_ms(p);
	if (!p->linklocal)
		port_set_linklocal(p, qspnd_neigh_pick_linklocal());
	event_add_read(qspnd.master, udp_read, p, fd, &p->t_udp);
	event_add_timer_msec(qspnd.master, hello_timer, p, 0, &p->t_hello);
	listen_start(p->id);
	QSPND_DEBUG(events, "%s: running", p->dev);
}

static void qspnd_neigh_port_stop(struct qspnd_port *p)
{
	struct qspnd_neigh *n, *next;

	for (n = p->id->neighs; n; n = next) {
		next = n->next;
		if (n->port == p)
			neigh_free(n);
	}
	if (!p->running)
		return;
	EVENT_OFF(p->t_udp);
	EVENT_OFF(p->t_hello);
	EVENT_OFF(p->t_live);
	close(p->udp_fd);
	p->udp_fd = -1;
	p->running = false;
	QSPND_DEBUG(events, "%s: stopped", p->dev);
}

/*
 * The NIC of port p is operative (up, with a carrier) or not.  When it stops
 * being operative its neighbours are gone at once: their arcs are removed,
 * the engine sends its ETPs and the routes move now, not at the dead
 * interval.  When it is operative again the port starts afresh.
 */
static void port_set_carrier(struct qspnd_port *p, bool operative)
{
	if (operative) {
		p->carrier_down = false;
		qspnd_neigh_port_start(p);
		return;
	}
	if (p->carrier_down)
		return;
	if (p->running) {
		unsigned int lost = 0;

		for (struct qspnd_neigh *n = p->id->neighs; n; n = n->next)
			if (n->port == p)
				lost++;
		self.c.carrier_losses++;
		self.c.neighbours_dead += lost;
		zlog_info(
			"%s: not operative (down or no carrier): %u neighbour%s gone",
			p->dev, lost, lost == 1 ? "" : "s");
	}
	p->carrier_down = true;
	qspnd_neigh_port_stop(p);
}

void qspnd_neigh_port_free(struct qspnd_port *p)
{
	struct qspnd_ident *id = p->id;

	qspnd_neigh_port_stop(p);
	for (size_t i = 0; i < id->n_ports; i++)
		if (id->ports[i] == p) {
			id->ports[i] = id->ports[--id->n_ports];
			break;
		}
	XFREE(MTYPE_QSPND_IDENT, p);
}

void qspnd_neigh_take_ports(struct qspnd_ident *to, struct qspnd_ident *from)
{
	struct qspnd_neigh *n;

	/* the arcs of the old identity's engine end here */
	for (n = from->neighs; n; n = n->next)
		arc_drop(n);
	/* the neighbours go with the ports, sessions and all */
	for (size_t i = 0; i < from->n_ports && to->n_ports < QSPND_MAX_PORTS;
	     i++) {
		from->ports[i]->id = to;
		to->ports[to->n_ports++] = from->ports[i];
	}
	from->n_ports = 0;
	while ((n = from->neighs)) {
		from->neighs = n->next;
		n->next = to->neighs;
		to->neighs = n;
	}
	/* whose identity-arcs they are now */
	for (n = to->neighs; n; n = n->next)
		iarc_update(n);
	if (from->listen_fd >= 0 && to->listen_fd < 0 &&
	    strcmp(from->netns, to->netns) == 0) {
		to->listen_fd = from->listen_fd;
		from->listen_fd = -1;
		EVENT_OFF(from->t_accept);
		event_add_read(qspnd.master, listen_accept, to, to->listen_fd,
				&to->t_accept);
	}
	listen_stop(from);
}

void qspnd_neigh_listen_stop(struct qspnd_ident *id)
{
	listen_stop(id);
}

/* ---- the engines --------------------------------------------------------- */

static void engine_timer(qspnd_event_t *t)
{
	struct qspnd_ident *id = EVENT_ARG(t);

	if (!id->inst)
		return;
	qspn_tick(id->inst, qspnd_now_ms());
	engine_schedule(id);
}

static void engine_schedule(struct qspnd_ident *id)
{
	uint64_t dl, now;

	EVENT_OFF(id->t_engine);
	if (!id->inst)
		return;
	dl = qspn_next_deadline(id->inst);
	if (dl == UINT64_MAX)
		return;
	now = qspnd_now_ms();
	event_add_timer_msec(qspnd.master, engine_timer, id,
			      dl > now ? (long)(dl - now) : 0, &id->t_engine);
}

void qspnd_neigh_engine_schedule(struct qspnd_ident *id)
{
	engine_schedule(id);
}

/* A send that can't happen is reported after the engine call returns. */
static void report_transport_error(qspnd_event_t *t)
{
	uint32_t arc = (uint32_t)EVENT_VAL(t);
	struct qspnd_neigh *n = neigh_by_id(arc);

	if (n && n->port->id->inst && n->arc_added) {
		qspn_transport_error(n->port->id->inst, qspnd_now_ms(), arc,
				     true);
		engine_schedule(n->port->id);
	}
}

/* Queue a frame of the engine on the session of arc `arc`; a send that
 * can't happen is reported to the engine after its call returns. */
void qspnd_neigh_send(uint32_t arc, const uint8_t *buf, size_t len)
{
	struct qspnd_neigh *n = neigh_by_id(arc);

	if (!n || !session_send(n, buf, len))
		event_add_event(qspnd.master, report_transport_error, NULL,
				 (int)arc, NULL);
}

/* The engine removed arc `arc` (QSPN_SIG_ARC_REMOVED): its session goes,
 * and the neighbour starts afresh. */
void qspnd_neigh_arc_lost(uint32_t arc, bool bad_link)
{
	struct qspnd_neigh *n = neigh_by_id(arc);

	if (n && n->arc_added) {
		/* the engine dropped it: start afresh */
		arc_forget(n);
		zlog_info("arc %u on %s removed by QSPN%s", n->id, n->port->dev,
			  bad_link ? " (bad link)" : "");
		session_close(n, "arc removed by QSPN");
	}
}

struct qspnd_ident *qspnd_neigh_ident_new(bool main, const char *netns)
{
	struct qspnd_ident *id = XCALLOC(MTYPE_QSPND_IDENT, sizeof(*id));
	struct qspnd_ident **pp;

	id->index = self.next_index++;
	id->identity_id = qspnd_random64();
	id->main = main;
	strlcpy(id->netns, netns, sizeof(id->netns));
	id->listen_fd = -1;
	/* the main identity first: the planner's ids[0] */
	if (main) {
		id->next = self.idents;
		self.idents = id;
	} else {
		for (pp = &self.idents; *pp; pp = &(*pp)->next)
			;
		*pp = id;
	}
	return id;
}

void qspnd_neigh_ident_free(struct qspnd_ident *id)
{
	struct qspnd_ident **pp;

	while (id->n_ports)
		qspnd_neigh_port_free(id->ports[id->n_ports - 1]);
	while (id->neighs)
		neigh_free(id->neighs);
	listen_stop(id);
	EVENT_OFF(id->t_engine);
	EVENT_OFF(id->t_dismiss);
	if (id->inst)
		qspn_instance_free(id->inst);
	for (pp = &self.idents; *pp; pp = &(*pp)->next)
		if (*pp == id) {
			*pp = id->next;
			break;
		}
	XFREE(MTYPE_QSPND_NEIGH, id->known);
	XFREE(MTYPE_QSPND_IDENT, id);
	qspnd_kernel_sync_later();
}

void qspnd_neigh_ident_make_first(struct qspnd_ident *id)
{
	struct qspnd_ident **pp;

	for (pp = &self.idents; *pp; pp = &(*pp)->next)
		if (*pp == id) {
			*pp = id->next;
			break;
		}
	id->next = self.idents;
	self.idents = id;
}

/* ---- what the rest of the daemon calls ---------------------------------- */

static bool if_should_run(struct interface *ifp)
{
	struct qspnd_if *qif = qspnd_if_get(ifp);

	return qif && qif->enabled && if_is_up(ifp) && qspnd.router &&
	       qspnd.router->state == QSPND_ROUTER_ACTIVE &&
	       ifp->ifindex != IFINDEX_INTERNAL;
}

void qspnd_neigh_if_update(struct interface *ifp)
{
	struct qspnd_ident *m = qspnd_neigh_ident_main();
	struct qspnd_port *p = port_of_ifp(ifp);
	struct qspnd_if *qif = qspnd_if_get(ifp);

	if (m && if_should_run(ifp)) {
		if (!p)
			p = qspnd_neigh_port_new(m, ifp->name, ifp->name);
		if (p) {
			p->ifindex = ifp->ifindex;
			if (ifp->hw_addr_len == 6)
				memcpy(p->mac, ifp->hw_addr, 6);
			if (!p->linklocal && qif && qif->linklocal)
				p->linklocal = qif->linklocal;
			/* no carrier: the port stays, with its link-local
			 * (the kernel keeps the address), without neighbours */
			port_set_carrier(p, if_is_operative(ifp));
			if (qif)
				qif->running = p->running;
		}
	} else if (p) {
		qspnd_neigh_port_free(p);
		if (qif) {
			qif->running = false;
			/* The link-local of a NIC does not change while the
			 * daemon manages it (doc/protocol/routes.md §2); it
			 * goes from the kernel with the interface's
			 * management. */
			qif->linklocal = 0;
		}
	}
	/* the connectivity identities' pseudo-interfaces on this NIC (macvlans
	 * follow its carrier) */
	for (struct qspnd_ident *id = self.idents; id; id = id->next) {
		if (id == m)
			continue;
		for (size_t i = 0; i < id->n_ports; i++)
			if (strcmp(id->ports[i]->nic, ifp->name) == 0 &&
			    (id->ports[i]->running ||
			     id->ports[i]->carrier_down))
				port_set_carrier(id->ports[i],
						 if_is_operative(ifp));
	}
	qspnd_kernel_sync_later();
}

void qspnd_neigh_if_params(struct interface *ifp)
{
	for (struct qspnd_ident *id = self.idents; id; id = id->next)
		for (size_t i = 0; i < id->n_ports; i++) {
			struct qspnd_port *p = id->ports[i];

			if (strcmp(p->nic, ifp->name) != 0 || !p->running)
				continue;
			if (port_hello_ms(p) != p->hello_ms) {
				/* a hello now: the neighbours learn the new
				 * interval before they expect the next one */
				p->hello_ms = port_hello_ms(p);
				EVENT_OFF(p->t_hello);
				event_add_timer_msec(qspnd.master, hello_timer,
						     p, 0, &p->t_hello);
			}
		}
	for (struct qspnd_ident *id = self.idents; id; id = id->next)
		for (struct qspnd_neigh *n = id->neighs; n; n = n->next)
			if (strcmp(n->port->nic, ifp->name) == 0)
				arc_update(n);
}

void qspnd_neigh_init(void)
{
	self.system_id = qspnd_random64();
}

void qspnd_neigh_stop(void)
{
	struct vrf *vrf = vrf_lookup_by_id(VRF_DEFAULT);
	struct interface *ifp;

	if (vrf)
		FOR_ALL_INTERFACES (vrf, ifp) {
			struct qspnd_if *qif = qspnd_if_get(ifp);

			if (qif) {
				qif->running = false;
				qif->linklocal = 0;
			}
		}
	XFREE(MTYPE_QSPND_NEIGH, self.superseded);
	self.n_superseded = self.cap_superseded = 0;
}

/* ---- state for the show commands and the northbound ------------------ */

const char *qspnd_neigh_state_str(enum qspnd_neigh_state s)
{
	return neigh_state_str[s];
}

struct qspnd_neigh *qspnd_neigh_by_arc(uint32_t arc)
{
	return neigh_by_id(arc);
}

const void *qspnd_neigh_next(const void *prev)
{
	struct qspnd_ident *m = qspnd_neigh_ident_main();

	if (prev)
		return ((const struct qspnd_neigh *)prev)->next;
	return m ? m->neighs : NULL;
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

void qspnd_neigh_get_counters(struct qspnd_neigh_counters *c, bool *bootstrap,
			      const struct qspn_stats **stats)
{
	struct qspnd_ident *m = qspnd_neigh_ident_main();

	*c = self.c;
	*bootstrap = m && m->inst && !qspn_is_bootstrap_complete(m->inst);
	*stats = m && m->inst ? qspn_get_stats(m->inst) : NULL;
}
