/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qspn.h: the public API of the QSPN engine (doc/protocol/qspn.md §5, §6, §8).
 *
 * One `struct qspn_instance` per identity.  The host creates it with
 * qspn_create_net() or qspn_enter_net(), gives it arcs (qspn_arc_add/
 * change/remove), feeds it every message that arrives on an arc
 * (qspn_receive) and the transport's failures (qspn_transport_error), and
 * calls qspn_tick() when qspn_next_deadline() is reached.  Everything the
 * engine wants done goes out through struct qspn_host_ops (qspn_host.h).
 * Every entry point takes the current time in milliseconds (monotonic,
 * any origin); nothing in the engine blocks: the reference's blocking RPCs
 * are pending requests with deadlines (doc/style.md §3.2 item 9).
 *
 * Arcs are named by the host with a 32-bit handle (unique per instance, any
 * value); the engine names them internally with random ids (§2.3) that
 * appear in paths.  Costs are microseconds.
 */
#ifndef QSPN_H
#define QSPN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qspn_addr.h"
#include "qspn_fp.h"
#include "qspn_host.h"
#include "qspn_paths.h"

/**
 * struct qspn_params - the module-wide parameters of doc/protocol/qspn.md §5.1,
 * §5.13.
 * Fill with qspn_params_default() and change what you need.
 */
struct qspn_params {
	uint32_t max_paths;	      /* 5 */
	double max_common_hops_ratio; /* 0.6 */
	uint32_t arc_timeout_ms; /* 10000: wait for an unknown arc, §2.5 */
	uint32_t rpc_timeout_ms; /* 20000: get_full_etp reply deadline */
	uint32_t bootstrap_timeout_ms;	/* 10000, §5.4 [DIFF] 10.6 */
	uint32_t presence_delay_ms;	/* 1000 */
	uint32_t periodic_ms;		/* 600000, §5.11 */
	uint32_t split_flood_ms;	/* 500, §4.7 */
	uint32_t connectivity_delay_ms; /* 50, §8.3 */
	uint32_t destroy_wait_ms;	/* 10000, §5.8 */
	uint32_t max_msg_bytes;	 /* 4 MiB: larger messages are rejected */
	uint32_t max_pending_rx; /* 64: messages held for an unknown arc */
	/* true: a destination lost to received reports is asked back from
	 * every arc (doc/protocol/recovery.md); false: the reference's
	 * behaviour (it comes back with the periodic full ETP) */
	bool regain;
	/* 20: hold-down before a regain gather starts, so that the wave of
	 * DEAD reports that caused the loss passes first (ms; 0: at once) */
	uint32_t regain_delay_ms;
	/* merged forwards (doc/protocol/merging.md): 0 forwards every
	 * change at once (the reference); W > 0: a forward within the
	 * window of the previous one is merged with the others into one
	 * broadcast; the window starts at W ms, doubles while changes keep
	 * coming (up to 8 W) and halves back to W when they stop */
	uint32_t fwd_window_ms;
};

void qspn_params_default(struct qspn_params *p);

/* Receive outcome; also the index of the rejection counters. */
enum qspn_rx_result {
	QSPN_RX_OK = 0,
	QSPN_RX_QUEUED,	 /* arc unknown yet: held until arc_timeout */
	QSPN_RX_IGNORED, /* valid but not for us now (bootstrap, acyclic, stale
			    reply) */
	QSPN_RX_ERR_TOO_BIG,
	QSPN_RX_ERR_DECODE, /* protobuf decode failure (or arena exhausted) */
	QSPN_RX_ERR_TYPE,   /* no or unknown message body */
	QSPN_RX_ERR_LEVELS, /* §3.4.1 */
	QSPN_RX_ERR_GSIZE,  /* §3.4.1 */
	QSPN_RX_ERR_SAME_ADDR, /* §3.4.2 */
	QSPN_RX_ERR_TPLIST,    /* §3.4.3 */
	QSPN_RX_ERR_PATH,      /* §3.4.4 */
	QSPN_RX_ERR_HEADER,    /* §3.4.5: fingerprints / nodes_inside */
	QSPN_RX_ERR_NO_ARC,    /* arc never appeared within arc_timeout */
	QSPN_RX__MAX
};

const char *qspn_rx_result_str(enum qspn_rx_result r);

/* Counters, for `show` commands, tests and benchmarks. */
struct qspn_stats {
	uint64_t rx[QSPN_RX__MAX];
	uint64_t tx_msgs, tx_bytes, rx_msgs, rx_bytes;
	uint64_t etp_processed; /* revised + merged ETPs */
	uint64_t map_updates;
	uint64_t tx_invalid; /* own ETPs failing §3.4: a bug */
	uint64_t regains;    /* gathers started to regain lost destinations */
	uint64_t fwd_merged; /* forwards merged into a pending one */
	uint64_t fwd_flushes; /* merged broadcasts sent */
};

/* Arcs given to qspn_enter_net() (doc/protocol/qspn.md §5.3). */
struct qspn_internal_arc {
	uint32_t arc; /* new handle */
	uint32_t
		prev_arc; /* handle of the same link in the previous instance */
	int64_t cost;
	struct qspn_naddr peer; /* the peer's new address */
};

struct qspn_external_arc {
	uint32_t arc;
	int64_t cost;
};

struct qspn_enter_args {
	int guest_level; /* k */
	int host_level;	 /* hl, k < hl <= L */
	const struct qspn_instance *prev;
	const struct qspn_internal_arc *internal;
	size_t n_internal;
	const struct qspn_external_arc *external;
	size_t n_external;
};

/**
 * qspn_create_net() - a new network made of this node only (§5.3).
 * @fp0: the level-0 fingerprint (all elderships 0 for a founder).
 * Emits QSPN_SIG_BOOTSTRAP_COMPLETE at now+1 ms (through qspn_tick()).
 * Returns NULL on invalid arguments.
 */
struct qspn_instance *qspn_create_net(const struct qspn_params *params,
				      const struct qspn_topology *topo,
				      const struct qspn_naddr *me,
				      const struct qspn_fp *fp0,
				      const struct qspn_host_ops *ops,
				      void *ctx, uint64_t now_ms);

/**
 * qspn_enter_net() - a new identity for a g-node of level guest_level that
 * enters (or migrates into) a host g-node of level host_level (§5.3, §5.4).
 * The map of levels < guest_level is copied from args->prev (fingerprints
 * rewritten as in §8.2); the instance is in bootstrap until it gets a full
 * ETP from inside the host g-node.  The previous instance is only read.
 */
struct qspn_instance *
qspn_enter_net(const struct qspn_params *params,
	       const struct qspn_topology *topo, const struct qspn_naddr *me,
	       const struct qspn_fp *fp0, const struct qspn_enter_args *args,
	       const struct qspn_host_ops *ops, void *ctx, uint64_t now_ms);

void qspn_instance_free(struct qspn_instance *inst);

/* Arc lifecycle (§5.9).  Return 0, or -1 (unknown/duplicate arc). */
int qspn_arc_add(struct qspn_instance *inst, uint64_t now_ms, uint32_t arc,
		 int64_t cost_usec);
int qspn_arc_change(struct qspn_instance *inst, uint64_t now_ms, uint32_t arc,
		    int64_t cost_usec);
int qspn_arc_remove(struct qspn_instance *inst, uint64_t now_ms, uint32_t arc);

/**
 * qspn_receive() - one message arrived from the peer of @arc.  Decoded into
 * a per-message arena, validated whole (§3.4), then acted upon.  A message
 * that fails validation is counted and rejected (and the arc removed with
 * QSPN_SIG_ARC_REMOVED, §5.12); nothing of it is applied.
 */
enum qspn_rx_result qspn_receive(struct qspn_instance *inst, uint64_t now_ms,
				 uint32_t arc, const uint8_t *buf, size_t len);

/**
 * qspn_transport_error() - a reliable send on @arc failed (@bad_link: the
 * transport gave up; false: the peer refused or sent garbage).  The arc is
 * removed and QSPN_SIG_ARC_REMOVED emitted (§5.12).
 */
void qspn_transport_error(struct qspn_instance *inst, uint64_t now_ms,
			  uint32_t arc, bool bad_link);

/* Timers: UINT64_MAX means "nothing scheduled". */
uint64_t qspn_next_deadline(const struct qspn_instance *inst);
void qspn_tick(struct qspn_instance *inst, uint64_t now_ms);

/* Queries (§6.2).  Those that the reference guards with BootstrapInProgress
 * return -1 (or false / empty) in that case. */
bool qspn_is_bootstrap_complete(const struct qspn_instance *inst);
int qspn_get_known_destinations(const struct qspn_instance *inst, int lvl,
				struct qspn_hcoord *out, size_t max);
bool qspn_is_known_destination(const struct qspn_instance *inst,
			       struct qspn_hcoord hc);
int qspn_get_fingerprint_of_known_destination(const struct qspn_instance *inst,
					      struct qspn_hcoord hc,
					      struct qspn_fp *out);
/**
 * qspn_get_paths_to() - the path view of §4.2 for @dest (level > 0: only
 * the paths carrying the valid fingerprint).  Pointers in @out are borrowed
 * from the instance and valid until its next entry point or next call.
 */
int qspn_get_paths_to(struct qspn_instance *inst, struct qspn_hcoord dest,
		      struct qspn_dest_paths *out);
/* A struct qspn_path_source (qspn_paths.h) reading this instance. */
struct qspn_path_source qspn_path_source_of(struct qspn_instance *inst);
int qspn_get_nodes_inside(const struct qspn_instance *inst, int level,
			  uint32_t *out);
int qspn_get_fingerprint(const struct qspn_instance *inst, int level,
			 struct qspn_fp *out);
/* Peer address learned on @arc: 0, or -1 if unknown arc / not learned yet. */
int qspn_get_naddr_for_arc(const struct qspn_instance *inst, uint32_t arc,
			   struct qspn_naddr *out);
size_t qspn_current_arcs(const struct qspn_instance *inst, uint32_t *out,
			 size_t max);
const struct qspn_naddr *qspn_my_naddr(const struct qspn_instance *inst);
const struct qspn_stats *qspn_get_stats(const struct qspn_instance *inst);
/* The engine's own id of @arc (for tests and `show`), 0 if unknown. */
uint32_t qspn_arc_id(const struct qspn_instance *inst, uint32_t arc);
/* Approximate heap bytes held by the instance (benchmarks). */
size_t qspn_memory_usage(const struct qspn_instance *inst);

/* Commands (§6.3, §8). */
/* @new_naddr: my address with the new virtual position at level from-1;
 * @update_peer: the same rewrite for the peers that migrated with me. */
int qspn_make_connectivity(
	struct qspn_instance *inst, uint64_t now_ms, int from, int to,
	void (*update_naddr)(void *uctx, struct qspn_naddr *addr), void *uctx);
/**
 * qspn_make_real() - my virtual position at @level becomes the real @pos,
 * with @eldership at that level in my level-0 fingerprint
 * (doc/protocol/routes.md §5.5, enter_net_phase_2 / migrate_phase_2;
 * doc/protocol/qspn.md §8.9 step 5).  Own g-node info is recomputed
 * (changed_fp / changed_nodes_inside), every path to or through (@level, @pos),
 * now my own g-node, is dropped (path_removed / destination_removed), the peers
 * of my level-@level g-node are rewritten as make_connectivity does, and,
 * unless in bootstrap, one full ETP goes to every arc with my old virtual
 * coordinate in its TP-list: a neighbour that sees me at @level withdraws the
 * virtual id and learns the real one.  Returns 0, or -1 with nothing changed
 * (@level out of range, my position there not virtual, @pos not real,
 * @eldership negative).
 */
int qspn_make_real(struct qspn_instance *inst, uint64_t now_ms, int level,
		   uint32_t pos, int32_t eldership);
void qspn_remove_outer_arcs(struct qspn_instance *inst, uint64_t now_ms);
bool qspn_check_connectivity(const struct qspn_instance *inst);
void qspn_prepare_destroy(struct qspn_instance *inst, uint64_t now_ms);
void qspn_destroy(struct qspn_instance *inst, uint64_t now_ms);
void qspn_exit_network(struct qspn_instance *inst, uint64_t now_ms, int lvl);
void qspn_stop_operations(struct qspn_instance *inst);

#endif /* QSPN_H */
