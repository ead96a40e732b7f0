/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sim.h: a deterministic network simulator for the QSPN engine
 * (doc/protocol/qspn.md §9.1): N engine instances in one process, a virtual
 * clock in milliseconds, physical links with latency, jitter and loss carrying
 * identity-arcs, a broadcast-with-ACK and a reliable unicast transport, a
 * seeded RNG, and an event log of every signal.
 *
 * Model (as the reference harness, testsuites/system_peer): a *system*
 * (numbered like the harness's PIDs) has identities (index 0, 1, ...),
 * each with one engine instance; *links* join two systems' devices;
 * *arcs* are identity-arcs riding on a link, given to the engines with
 * sim_qspn_arc_add() (handles are the arc index + 1 on both sides).
 * Scenarios are straight-line code: sim_run_until(t), act, run again.
 */
#ifndef QSPN_SIM_H
#define QSPN_SIM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "qspn.h"

struct sim;

enum sim_ev_type {
	SIM_EV_SIGNAL = 1,
	SIM_EV_ENTER,
};

/* One logged signal (the harness's "Qspn:<id>:Signal:..." lines). */
struct sim_event {
	uint64_t t;
	int sys, id; /* system number, identity index */
	int sig;     /* enum qspn_signal_type */
	struct qspn_hcoord dest;
	char dev[16]; /* device of the gateway arc ("" if none) */
	int64_t cost;
	uint32_t nodes_inside;
	int level;
	uint32_t n_known; /* CHANGED_NODES_INSIDE: known dests at level-1 */
	bool bad_link;
	char hops[96]; /* "lvl+pos_lvl+pos..." */
};

struct sim_params {
	uint64_t seed;
	uint32_t jitter_ms;	  /* extra one-way delay, uniform [0, jitter] */
	double bcast_loss;	  /* probability a broadcast copy is lost */
	uint32_t ack_timeout_ms;  /* missing ACK -> reliable resend after it */
	uint32_t arc_jitter_usec; /* arc cost = link cost + [0, this) */
	bool log_to_stderr;
	bool no_event_log; /* keep no event log (benchmarks: memory) */
};

void sim_params_default(struct sim_params *p);

struct sim *sim_new(const struct qspn_topology *topo,
		    const struct qspn_params *qp, const struct sim_params *sp);
void sim_free(struct sim *s);
uint64_t sim_now(const struct sim *s);

/* Systems and links */
int sim_system(struct sim *s, int pid);
int sim_link(struct sim *s, int sys_a, const char *dev_a, int sys_b,
	     const char *dev_b, int64_t cost_usec);
void sim_link_set_up(struct sim *s, int link, bool up);

/* Identities; returns a global identity number. */
int sim_create_net(struct sim *s, int sys, const uint32_t *pos,
		   const int32_t *eld);
int sim_ident(const struct sim *s, int sys, int idx);
struct qspn_instance *sim_inst(const struct sim *s, int ident);
/* A new identity slot of `sys` (add_identity): no instance yet. */
int sim_add_identity(struct sim *s, int sys);

/* Identity-arcs */
int sim_arc(struct sim *s, int link, int ident_a, int ident_b);
int sim_qspn_arc_add(struct sim *s, int arc, int ident);
int sim_qspn_arc_remove(struct sim *s, int arc, int ident);
/* change the base cost of a link: arc_change on every identity using it */
void sim_link_cost(struct sim *s, int link, int64_t cost_usec);

/* changecost_arc of the harness: only `ident`'s side of `arc` sees the new
 * base cost (its own jitter kept); arc_change on that instance. */
void sim_arc_cost(struct sim *s, int arc, int ident, int64_t base_usec);

/*
 * enter_net as the harness does it (task_qspn.vala EnterNetTasklet):
 * positions of levels >= host-1 from in_g_pos (host-1 first), lower ones
 * from the old identity; elderships likewise (levels < guest copied,
 * guest..host-2 zero); internal arcs are the arcs of `new_ident` that ride
 * the same link as an arc of `old_ident` with a known peer address.
 */
int sim_enter_net(struct sim *s, int old_ident, int new_ident, int guest,
		  int host, const uint32_t *in_g_pos, const int32_t *in_g_eld,
		  const int *ext_arcs, int n_ext);

/* destroy() + stop_operations() on every identity of the system (SIGTERM). */
void sim_kill_system(struct sim *s, int sys);
void sim_dismiss(struct sim *s, int ident);

/* After calling an instance's entry point directly (qspn_exit_network,
 * qspn_make_connectivity, ...): re-read its next deadline. */
void sim_touch(struct sim *s, int ident);

void sim_run_until(struct sim *s, uint64_t t);
/* Run until no message is in flight and no deadline is due before `max`. */
void sim_run_quiet(struct sim *s, uint64_t max);

/* The event log */
size_t sim_n_events(const struct sim *s);
const struct sim_event *sim_events(const struct sim *s);
void sim_dump_events(const struct sim *s, FILE *f);
/* number of known destinations of all levels (check_destnum) */
int sim_known_dests(const struct sim *s, int ident);

/* own ETPs of the live instances that failed validation (must be 0) */
uint64_t sim_tx_invalid(const struct sim *s);

/* Traffic counters */
struct sim_stats {
	uint64_t msgs, bytes, lost, resent, transport_errors;
	uint64_t delivered;
	uint64_t last_delivery; /* virtual time of the last delivery */
	/* message rounds: a message sent while handling one of depth k (or
	 * by a timer of an identity whose last received message had depth
	 * k) has depth k + 1; the deepest delivered since the reset */
	uint32_t max_depth;
};
const struct sim_stats *sim_stats(const struct sim *s);
int sim_n_idents(const struct sim *s);
/* start counting message rounds from 0 (before an event under test) */
void sim_rounds_reset(struct sim *s);
/* some message is in flight */
bool sim_in_flight(const struct sim *s);

#endif /* QSPN_SIM_H */
