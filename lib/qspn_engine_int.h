/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qspn_engine_int.h: internal types of the QSPN engine, shared by
 * qspn_engine.c (instance, arcs, bootstrap, requests, timers), qspn_ident.c
 * (identity commands), qspn_map.c (the map and update_map), qspn_etp.c
 * (revise/build ETPs), qspn_wire.c (the codec) and qspn_inst.c (instance
 * services).  The calls among them only go down: engine, ident -> map ->
 * etp -> wire -> inst -> mem (qspn_mem.h).  Layout follows
 * doc/protocol/qspn.md §11 with `struct qspn_*` names.  Not installed, not for
 * the daemon.
 */
#ifndef QSPN_ENGINE_INT_H
#define QSPN_ENGINE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qspn.h"
#include "qspn_mem.h"

/* Hard limits on peer input (validation, §3.4 + C additions). */
#define QSPN_MAX_HOPS 4096
#define QSPN_MAX_PATHS_PER_MSG 200000

/* --- ETP model (doc/protocol/qspn.md §3.2, §3.3) ------------------------ */

/* An EtpPath, in the frame of whoever holds it. */
struct qspn_epath {
	uint32_t n;		  /* hops, >= 1 */
	struct qspn_hcoord *hops; /* n */
	uint32_t *arcs;		  /* n */
	struct qspn_cost cost;
	struct qspn_fp fp; /* fp.level == hops[n-1].lvl */
	uint32_t nodes_inside;
	uint32_t ignore_outside; /* bit i, i = 0..L-1 */
};

struct qspn_etp {
	struct qspn_naddr addr;
	uint32_t gsize[QSPN_MAX_LEVELS];
	int n_fp; /* >= L (L+1 sent) */
	struct qspn_fp fps[QSPN_MAX_LEVELS + 1];
	uint32_t nn[QSPN_MAX_LEVELS + 1];
	uint32_t n_hops;
	struct qspn_hcoord *hops;
	uint32_t n_paths;
	struct qspn_epath *paths;
};

enum qspn_msg_type {
	QSPN_MSG_NONE = 0,
	QSPN_MSG_FULL_ETP_REQUEST,
	QSPN_MSG_FULL_ETP_REPLY,
	QSPN_MSG_SEND_ETP,
	QSPN_MSG_PREPARE_DESTROY,
	QSPN_MSG_DESTROY,
	QSPN_MSG_DAEMON, /* hello/ack: not for the engine */
};

enum qspn_reply_status {
	QSPN_REPLY_OK = 0,
	QSPN_REPLY_BOOTSTRAP_IN_PROGRESS = 1,
	QSPN_REPLY_NOT_ACCEPTED = 2,
};

/* A decoded, validated message (core form). */
struct qspn_msg {
	enum qspn_msg_type type;
	uint64_t req_id;
	int status; /* enum qspn_reply_status */
	bool is_full;
	bool has_etp;
	struct qspn_etp etp;
	struct qspn_naddr req_addr; /* FULL_ETP_REQUEST */
};

/* qspn_wire.c */
enum qspn_rx_result qspn_wire_decode(struct qspn_arena *arena,
				     const struct qspn_topology *topo,
				     const uint8_t *buf, size_t len,
				     struct qspn_msg *out);
/* Validation of a core ETP against the local topology (§3.4 1,3,4,5). */
enum qspn_rx_result qspn_etp_validate(const struct qspn_topology *topo,
				      const struct qspn_etp *m);
/* Encode; returns a malloc'd buffer (caller frees) or NULL. */
uint8_t *qspn_wire_encode(const struct qspn_msg *m, int levels, size_t *len);

/* --- the map (doc/protocol/qspn.md §4.1) -------------------------------- */

struct qspn_npath {
	uint32_t arc_id;
	bool exposed;
	struct qspn_epath p;
};

struct qspn_dest {
	struct qspn_hcoord hc;
	uint32_t n, cap;
	struct qspn_npath **paths; /* order of the last update */
};

struct qspn_level_map {
	uint32_t n, cap;
	struct qspn_dest **d; /* sorted by hc.pos */
};

struct qspn_arc {
	uint32_t handle;
	uint32_t id;
	int64_t cost;
	bool has_peer;
	bool queued; /* bootstrap queue */
	struct qspn_naddr peer;
};

/* A list of npaths (Q of §3.10). */
struct qspn_nplist {
	uint32_t n, cap;
	struct qspn_npath **v;
};

/* A list of epaths (P_out), deep copies. */
struct qspn_eplist {
	uint32_t n, cap;
	struct qspn_epath *v;
};

struct qspn_hclist {
	uint32_t n, cap;
	struct qspn_hcoord *v;
};

/* pending get_full_etp requests (continuations, doc/style.md §3.2 item 9) */
enum qspn_req_purpose {
	QSPN_REQ_BOOTSTRAP = 1, /* bootstrap_phase, §5.4 */
	QSPN_REQ_EXIT_POLL,	/* exit_bootstrap_phase, §5.4 */
	QSPN_REQ_ARC_ADD,	/* §5.9 */
	QSPN_REQ_GATHER,	/* arc_is_changed / arc_remove, §5.9 */
};

struct qspn_req {
	uint64_t id;
	uint32_t arc_id;
	int purpose;
	uint32_t gather; /* gather id for QSPN_REQ_GATHER */
	uint64_t deadline;
};

struct qspn_gather {
	uint32_t id;
	uint32_t outstanding;
	uint32_t a_changed; /* arc id or 0 */
	struct qspn_nplist q;
	struct qspn_eplist dead;
	bool to_all_arcs;
	bool regain; /* started by regain_check() (recovery.md) */
};

enum qspn_timer_kind {
	QSPN_T_BOOTSTRAP_SIGNAL = 1,
	QSPN_T_BOOTSTRAP_GIVEUP,
	QSPN_T_PRESENCE,
	QSPN_T_PERIODIC,
	QSPN_T_SPLIT_FLOOD,
	QSPN_T_SPLIT_CHECK,
	QSPN_T_PUBLISH_CONN,
	QSPN_T_REMOVE_IDENTITY,
	QSPN_T_FWD_FLUSH, /* merged forwards (merging.md) */
	QSPN_T_REGAIN,	  /* a regain gather after its hold-down */
};

struct qspn_timer {
	uint64_t at;
	int kind;
	uint64_t seq;	       /* creation order: ties fire in order */
	struct qspn_hcoord hc; /* SPLIT_CHECK dest, PUBLISH_CONN old coord */
	int64_t fp_eldest, fp; /* SPLIT_CHECK: fingerprint ids */
	struct qspn_hclist b;  /* SPLIT_FLOOD */
};

/* an incoming message held until its arc is added (§2.5) */
struct qspn_pending_rx {
	uint32_t arc;
	uint64_t deadline;
	uint8_t *buf;
	size_t len;
};

struct qspn_instance {
	struct qspn_params prm;
	struct qspn_topology topo;
	int L;
	const struct qspn_host_ops *ops;
	void *ctx;

	struct qspn_naddr me;
	struct qspn_fp my_fp[QSPN_MAX_LEVELS + 1];
	uint32_t my_nn[QSPN_MAX_LEVELS + 1];

	struct qspn_arc *arcs;
	uint32_t n_arcs, cap_arcs;

	struct qspn_level_map map[QSPN_MAX_LEVELS];

	int conn_from, conn_to; /* 0/0: main identity */
	bool bootstrap_complete;
	int guest_level, host_level;
	bool stopped;
	bool destroy_pending; /* fix of 10.10 */

	/* bootstrap / exit-poll state machine (§5.4) */
	bool boot_waiting; /* a QSPN_REQ_BOOTSTRAP is outstanding */
	bool exit_polling;
	uint32_t *poll_arcs; /* arc ids snapshot */
	uint32_t n_poll, i_poll;

	struct qspn_req *reqs;
	uint32_t n_reqs, cap_reqs;
	uint64_t next_req;

	struct qspn_gather *gathers;
	uint32_t n_gathers, cap_gathers;
	uint32_t next_gather;
	/* destinations update_map lost since the last regain gather began,
	 * and that gather's id while it runs (doc/protocol/recovery.md) */
	uint32_t lost;
	uint32_t regain_id;
	bool regain_due; /* the hold-down ended (QSPN_T_REGAIN) */

	/* merged forwards (doc/protocol/merging.md) */
	struct qspn_eplist fwd;	 /* pending paths (hops and arcs count) */
	bool fwd_pending;	 /* a flush is due (paths or own info) */
	uint64_t fwd_last;	 /* when the last forward left */
	bool fwd_sent;		 /* fwd_last is meaningful */
	uint32_t fwd_w;		 /* the current window, ms */
	uint32_t fwd_n_merged;	 /* forwards merged in this window */

	struct qspn_timer *timers;
	uint32_t n_timers, cap_timers;
	uint64_t timer_seq;

	struct qspn_pending_rx *prx;
	uint32_t n_prx;

	/* pending split pairs (fp_eldest id, fp id) */
	int64_t (*split_pairs)[2];
	uint32_t n_split, cap_split;

	struct qspn_arena arena;
	struct qspn_stats stats;

	/* scratch for the borrowed views of qspn_get_paths_to and signals */
	struct qspn_path *view_paths;
	uint32_t cap_view_paths;
	struct qspn_path_hop *view_hops;
	uint32_t cap_view_hops;

	uint64_t now; /* time of the entry point being served */
};

/* --- instance services (qspn_inst.c) --------------------------------- */
struct qspn_arc *qspn_arc_by_id(const struct qspn_instance *inst, uint32_t id);
struct qspn_arc *qspn_arc_by_handle(const struct qspn_instance *inst,
				    uint32_t handle);
void qspn_emit(struct qspn_instance *inst, const struct qspn_signal *sig);
void qspn_logf(struct qspn_instance *inst, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void qspn_timer_add(struct qspn_instance *inst, const struct qspn_timer *t);
int64_t qspn_arc_cost_of(const struct qspn_instance *inst, uint32_t arc_id);
struct qspn_cost qspn_npath_cost(const struct qspn_instance *inst,
				 const struct qspn_npath *np);

/* epath helpers (qspn_etp.c) */
void qspn_epath_copy(struct qspn_epath *dst, const struct qspn_epath *src);
void qspn_epath_free(struct qspn_epath *p);
bool qspn_epath_same(const struct qspn_epath *a, const struct qspn_epath *b);
bool qspn_epath_has_hop(const struct qspn_epath *p, struct qspn_hcoord hc);
struct qspn_npath *qspn_npath_new(uint32_t arc_id, const struct qspn_epath *p);
void qspn_npath_free(struct qspn_npath *np);
void qspn_nplist_push(struct qspn_nplist *l, struct qspn_npath *np);
void qspn_nplist_free(struct qspn_nplist *l);
void qspn_eplist_push_copy(struct qspn_eplist *l, const struct qspn_epath *p);
void qspn_eplist_free(struct qspn_eplist *l);
void qspn_hclist_add_unique(struct qspn_hclist *l, struct qspn_hcoord hc);
bool qspn_hclist_has(const struct qspn_hclist *l, struct qspn_hcoord hc);
void qspn_hclist_free(struct qspn_hclist *l);

/* §5.5: revise a received (validated) ETP.  Returns false on the acyclic
 * rule (message dropped); otherwise appends to q and rewrites m->hops. */
bool qspn_revise_etp(struct qspn_instance *inst, struct qspn_etp *m,
		     struct qspn_arc *arc, bool is_full,
		     struct qspn_arena *arena, struct qspn_nplist *q);
/* Fill a struct qspn_etp header (addr, fps, nn) for sending. */
void qspn_etp_header(const struct qspn_instance *inst, struct qspn_etp *m);
/* advertise(np): copy with cost = arc cost + path cost (or DEAD). */
void qspn_advertise(const struct qspn_instance *inst,
		    const struct qspn_npath *np, bool dead,
		    struct qspn_epath *out);
/* Every stored path (for full ETPs); if `exclude` is non-NULL, only levels
 * >= exclude->lvl and paths not containing *exclude (§5.6). */
void qspn_collect_all(const struct qspn_instance *inst,
		      const struct qspn_hcoord *exclude,
		      struct qspn_eplist *out);

/* qspn_map.c */
struct qspn_dest *qspn_map_find(const struct qspn_instance *inst,
				struct qspn_hcoord hc);
/* derived values of a destination (§4.1) */
const struct qspn_npath *qspn_dest_best(const struct qspn_dest *d,
					const struct qspn_instance *inst,
					const struct qspn_fp **fp,
					uint32_t *nn);
void qspn_update_map(struct qspn_instance *inst, struct qspn_nplist *q,
		     uint32_t a_changed, struct qspn_eplist *p_out,
		     struct qspn_hclist *b);
void qspn_finalize(struct qspn_instance *inst, struct qspn_eplist *p_out);
bool qspn_update_clusters(struct qspn_instance *inst);
void qspn_gnode_neighbors(const struct qspn_instance *inst, int i,
			  struct qspn_hclist *out);
void qspn_map_remove_dest(struct qspn_instance *inst, struct qspn_hcoord hc);
void qspn_dest_free(struct qspn_dest *d);
double qspn_mch_ratio(double max_ratio, uint32_t num, uint32_t v);
/* Build a borrowed path view of np into inst scratch (index slot). */
void qspn_view_of(struct qspn_instance *inst, const struct qspn_npath *np,
		  struct qspn_path *out, struct qspn_path_hop *hops);

#endif /* QSPN_ENGINE_INT_H */
