/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qspnd_neigh.h: the identities at run time (qspnd_neigh.c): their ports,
 * hellos, neighbours, ETP sessions, arcs and engine timers
 * (doc/protocol/routes.md §5, doc/protocol/qspn.md §8).
 *
 * A system has one main identity (default namespace, the managed NICs
 * themselves) and any number of connectivity identities, each in its own
 * network namespace with one macvlan pseudo-interface per managed NIC.
 * Every identity has its own QSPN engine instance, its own hellos on each
 * of its ports, its own neighbours and ETP sessions.  A neighbour is a
 * peer identity heard on one port (peer system, peer MAC); it becomes a
 * QSPN arc of the identity when the session is up, its cost is known and
 * it is in the same network (hellos carry the identity's network id).
 * The operations on identities (creation of an engine, ingress, dismissal)
 * are qspnd_ident.c's.
 */
#ifndef QSPND_NEIGH_H
#define QSPND_NEIGH_H

#include "lib/if.h"

#include "qspn.h"
#include "qspn_plan.h"
#include "qspn_rtt.h"

#include "qspnd.h"
#include "qspnd_auth.h"
#include "qspnd_session.h"


#define QSPND_MAX_PORTS 16
/* neighbours per port: a flood of forged senders stops here (counted) */
#define QSPND_MAX_NEIGH_PER_PORT 64

struct qspnd_ident;


/* One identity on one managed NIC: the NIC itself for the main identity,
 * its macvlan for a connectivity identity. */
struct qspnd_port {
	struct qspnd_ident *id;
	char nic[IFNAMSIZ]; /* the real NIC */
	char dev[IFNAMSIZ]; /* the device, in the identity's netns */
	ifindex_t ifindex;	    /* in that namespace; 0: not there yet */
	uint8_t mac[6];
	uint32_t linklocal; /* host order */
	int udp_fd;
	qspnd_event_t *t_udp, *t_hello;
	qspnd_event_t *t_live; /* the next probe or death of a neighbour */
	uint32_t hello_ms;     /* the interval the hellos go out at */
	bool running;
	/* stopped because the NIC lost its carrier (or went down): started
	 * again when it is operative */
	bool carrier_down;
	struct qspnd_auth_port auth; /* hello trailers (qspnd_auth.c) */
};

enum qspnd_neigh_state {
	NEIGH_HEARD,	  /* hellos only */
	NEIGH_CONNECTING, /* TCP connect in progress */
	NEIGH_UP,	  /* session up */
};

struct qspnd_neigh {
	struct qspnd_neigh *next;
	struct qspnd_port *port;
	uint32_t id;		       /* the arc handle given to the engine */
	char ifname[IFNAMSIZ]; /* port->nic */
	uint64_t system_id;
	uint64_t identity_id;
	uint32_t network_id;
	bool peer_connectivity;	     /* the peer is a connectivity identity */
	uint64_t peer_prev_identity; /* the identity the peer succeeded */
	bool iarc; /* an identity-arc of ours (doc/protocol/routes.md §5.3): its
		    * /32 route, and it may be a QSPN arc */
	uint8_t mac[6];
	uint32_t linklocal; /* host order */
	uint64_t last_heard_ms;
	uint32_t peer_interval_ms; /* its hello interval; 0: an older qspnd */
	bool probed;		   /* asked for an echo since last heard */
	uint64_t last_sample_ms;   /* the last RTT sample */
	uint64_t up_since_ms;
	struct qspn_rtt rtt; /* the echoes' round-trip times (doc/costs.md) */
	int64_t rtt_us;	     /* their recent minimum; -1: no sample yet */
	uint32_t rtt_samples;
	enum qspnd_neigh_state state;
	bool arc_added;
	int64_t arc_cost;
	uint32_t table_id;	   /* while the arc exists */
	struct qspnd_session sess; /* the ETP session (also while connecting) */
	qspnd_event_t *t_retry;
	qspnd_event_t *t_echo; /* the next echo of the first burst */
	uint64_t frames_in, frames_out;
	bool authenticated; /* its last hello verified (qspnd_auth.c) */
	uint32_t auth_key_id;
};

struct qspnd_ident {
	struct qspnd_ident *next;
	uint32_t index; /* local_identity_index: 0, 1, ... never reused */
	uint64_t identity_id;
	uint64_t prev_identity_id; /* the identity this one succeeded */
	int guest_level; /* of the duplication that made it (0: none) */
	bool main;
	char netns[QSPN_NAMELEN]; /* "" for the main identity */
	uint32_t network_id;
	struct qspn_naddr addr; /* may hold virtual positions */
	int conn_from, conn_to; /* connectivity levels (0: main) */
	struct qspnd_port *ports[QSPND_MAX_PORTS];
	size_t n_ports;
	struct qspnd_neigh *neighs;
	int listen_fd;
	qspnd_event_t *t_accept;
	struct qspn_instance *inst;
	qspnd_event_t *t_engine;
	bool dismissing;
	qspnd_event_t *t_dismiss;
	/* the peer identities we have had identity-arcs with */
	uint64_t *known;
	size_t n_known, cap_known;
};

struct qspnd_neigh_counters {
	uint64_t hellos_in, hellos_out, drop_hello;
	uint64_t neighbours_new, neighbours_dead, carrier_losses, probes;
	uint64_t sessions_up, sessions_lost, drop_unknown_session;
	uint64_t frames_in, frames_out, drop_frame_size, drop_backlog,
		drop_no_arc;
};

struct qspnd_ident *qspnd_neigh_ident_main(void);
struct qspnd_ident *qspnd_neigh_ident_first(void);
struct qspnd_ident *qspnd_neigh_ident_by_ns(const char *ns);
uint64_t qspnd_now_ms(void);
uint64_t qspnd_random64(void);
uint32_t qspnd_neigh_pick_linklocal(void);
struct qspnd_ident *qspnd_neigh_ident_new(bool main, const char *netns);
/* close sessions, stop hellos, free the engine and the identity */
void qspnd_neigh_ident_free(struct qspnd_ident *id);
struct qspnd_port *qspnd_neigh_port_new(struct qspnd_ident *id, const char *nic,
					const char *dev);
void qspnd_neigh_port_start(struct qspnd_port *p);
void qspnd_neigh_port_free(struct qspnd_port *p);
void qspnd_neigh_listen_stop(struct qspnd_ident *id);
/* make it the first of the list (the main identity is ids[0]) */
void qspnd_neigh_ident_make_first(struct qspnd_ident *id);
/* move every port and neighbour of `from` to `to` (ingress: the new
 * identity takes the NICs over, sessions and all) */
void qspnd_neigh_take_ports(struct qspnd_ident *to, struct qspnd_ident *from);
void qspnd_neigh_engine_schedule(struct qspnd_ident *id);
void qspnd_neigh_arcs_update(struct qspnd_ident *id);
/* the engine got this arc at its construction (qspn_enter_net) */
void qspnd_neigh_arc_adopted(struct qspnd_neigh *n, int64_t cost);
struct qspnd_neigh *qspnd_neigh_by_ll(struct qspnd_ident *id, uint32_t ll);
/* the cost of an arc with this neighbour: the interface's configured cost,
 * or the filtered RTT (lib/qspn_rtt.h); -1 while unknown */
int64_t qspnd_neigh_cost(const struct qspnd_neigh *n);
/* one hello on every port now (tells neighbours what changed) */
void qspnd_neigh_hello_now(struct qspnd_ident *id);

void qspnd_neigh_init(void);
/* at exit, after every identity is gone */
void qspnd_neigh_stop(void);
/* the engine's transport: a frame on the session of arc `arc` */
void qspnd_neigh_send(uint32_t arc, const uint8_t *buf, size_t len);
/* the engine removed arc `arc` */
void qspnd_neigh_arc_lost(uint32_t arc, bool bad_link);
/* the hello interval or the cost of an interface changed: its hellos and
 * arcs follow */
void qspnd_neigh_if_params(struct interface *ifp);
/* an interface was enabled/disabled, went up/down, lost or regained its
 * carrier, or is going away: a NIC that is not operative (if_is_operative())
 * has no neighbours, so its arcs go at once */
void qspnd_neigh_if_update(struct interface *ifp);
/* Iteration for the northbound's operational state (qspnd_nb_state.c). */
struct qspnd_neigh_info {
	const char *ifname;
	uint64_t system_id;
	uint32_t linklocal;
	uint8_t mac[6];
	int state;	  /* 0 heard, 1 connecting, 2 up (the YANG enum) */
	int64_t rtt_us;	  /* -1: none */
	int64_t arc_cost; /* -1: no arc */
};
const void *qspnd_neigh_next(const void *prev);
void qspnd_neigh_info(const void *neigh, struct qspnd_neigh_info *out);
struct qspn_stats;
void qspnd_neigh_get_counters(struct qspnd_neigh_counters *c, bool *bootstrap,
			      const struct qspn_stats **stats);
/* for the show commands */
const char *qspnd_neigh_state_str(enum qspnd_neigh_state s);
struct qspnd_neigh *qspnd_neigh_by_arc(uint32_t arc);

#endif /* QSPND_NEIGH_H */
