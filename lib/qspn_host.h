/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qspn_host.h: what a QSPN engine instance needs from its host (the daemon,
 * the simulator, a test): a transport, a signal sink, randomness, a split
 * tolerance and a log.  doc/style.md §3.2 items 2 and 8: the core is an object
 * with hooks; it never reads a clock (every entry point of qspn.h takes
 * `now_ms`, and the host asks qspn_next_deadline() when to call qspn_tick()).
 *
 * All callbacks are invoked synchronously from inside an engine entry point
 * (doc/protocol/qspn.md §0.3: signals are synchronous).  A callback MUST NOT
 * re-enter the same instance, except through the read-only queries of qspn.h;
 * it may freely call other instances (the simulator queues deliveries instead).
 */
#ifndef QSPN_HOST_H
#define QSPN_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qspn_addr.h"
#include "qspn_fp.h"
#include "qspn_paths.h"

struct qspn_instance;

/* Signals of doc/protocol/qspn.md §6.1, delivered through
 * qspn_host_ops.signal. */
enum qspn_signal_type {
	QSPN_SIG_BOOTSTRAP_COMPLETE = 1,
	QSPN_SIG_PRESENCE_NOTIFIED,
	QSPN_SIG_ARC_REMOVED,	       /* .arc, .bad_link */
	QSPN_SIG_DEST_ADDED,	       /* .dest */
	QSPN_SIG_DEST_REMOVED,	       /* .dest */
	QSPN_SIG_PATH_ADDED,	       /* .dest, .path */
	QSPN_SIG_PATH_CHANGED,	       /* .dest, .path */
	QSPN_SIG_PATH_REMOVED,	       /* .dest, .path */
	QSPN_SIG_CHANGED_FP,	       /* .level (1..L) */
	QSPN_SIG_CHANGED_NODES_INSIDE, /* .level (1..L), .nodes_inside */
	QSPN_SIG_GNODE_SPLITTED,       /* .arc, .dest, .fp */
	QSPN_SIG_REMOVE_IDENTITY,
};

/**
 * struct qspn_signal - one signal; every pointer is borrowed for the
 * duration of the callback only.
 * @path: the path view (qspn_paths.h); hops[0].arc_id is the engine's id of
 *        the gateway arc, path->arc the user's handle.
 */
struct qspn_signal {
	enum qspn_signal_type type;
	uint32_t arc;
	bool bad_link;
	struct qspn_hcoord dest;
	int level;
	uint32_t nodes_inside;
	const struct qspn_path *path;
	const struct qspn_fp *fp;
};

/**
 * struct qspn_host_ops - the host side of an instance.
 * @send: reliable unicast of one encoded message on the arc the user named
 *        @arc.  Delivery failures are reported back with
 *        qspn_transport_error() (doc/protocol/qspn.md §5.10, §5.12).
 * @broadcast: one unreliable transmission to the peers of @arcs with a
 *        per-arc acknowledgement; for every arc that did not acknowledge,
 *        the transport re-sends the same bytes reliably (this is the
 *        missing-ACK handler of §5.10, moved into the transport).
 * @signal: the signals of §6.1.
 * @random: uniformly distributed 32-bit numbers, seeded by the host (arc ids,
 *        request ids).
 * @threshold_ms: split tolerance for two disagreeing paths (§4.7); NULL means
 *        10000 ms (ntkd).
 * @log:  optional; @level is one of QSPN_LOG_*.
 */
struct qspn_host_ops {
	void (*send)(void *ctx, struct qspn_instance *inst, uint32_t arc,
		     const uint8_t *buf, size_t len);
	void (*broadcast)(void *ctx, struct qspn_instance *inst,
			  const uint32_t *arcs, size_t n_arcs,
			  const uint8_t *buf, size_t len);
	void (*signal)(void *ctx, struct qspn_instance *inst,
		       const struct qspn_signal *sig);
	uint32_t (*random)(void *ctx);
	uint32_t (*threshold_ms)(void *ctx, const struct qspn_path *p1,
				 const struct qspn_path *p2);
	void (*log)(void *ctx, int level, const char *msg);
};

#define QSPN_LOG_DEBUG 0
#define QSPN_LOG_INFO 1
#define QSPN_LOG_WARN 2

#endif /* QSPN_HOST_H */
