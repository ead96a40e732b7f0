/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qspn_rtt.h: the round-trip time of a link as an arc cost that holds still
 * on an idle link (doc/costs.md).
 *
 * The samples come from the hello echoes (qspnd_neigh.c); the filter is pure:
 * samples and the time they were taken are arguments, nothing is read from a
 * clock.
 *
 *  - estimate: the minimum of the last QSPN_RTT_WINDOW samples (younger than
 *    QSPN_RTT_MAX_AGE_MS, the newest always counts).  Queueing and scheduling
 *    only ever add delay, so the minimum is the link's own latency and a
 *    single late echo does not move it; a link that really got slower
 *    raises every sample and so the minimum, after QSPN_RTT_WINDOW samples.
 *  - floor: never below QSPN_RTT_FLOOR_US.  Below a millisecond the
 *    measurement is mostly the two hosts' scheduling, not the link.
 *  - relevance: a new estimate replaces the announced cost only when it
 *    differs from it by more than QSPN_RTT_REL_PCT percent of the announced
 *    cost plus QSPN_RTT_MAD_K times the jitter, the median absolute
 *    deviation (MAD) of the last QSPN_RTT_HISTORY samples.  The jitter an
 *    idle link shows is then never a change; a step larger than it is,
 *    once.
 */
#ifndef QSPN_RTT_H
#define QSPN_RTT_H

#include <stdbool.h>
#include <stdint.h>

#define QSPN_RTT_WINDOW 5
#define QSPN_RTT_HISTORY 16
#define QSPN_RTT_FLOOR_US 1000
#define QSPN_RTT_REL_PCT 30
#define QSPN_RTT_MAD_K 4
#define QSPN_RTT_MAX_AGE_MS 60000

struct qspn_rtt {
	int64_t us[QSPN_RTT_HISTORY];	  /* a ring of samples */
	uint64_t at_ms[QSPN_RTT_HISTORY]; /* when each was taken */
	uint32_t n;	/* samples held, <= QSPN_RTT_HISTORY */
	uint32_t head;	/* where the next one goes */
	uint64_t total; /* samples ever taken */
};

/* An empty filter (the same as zeroed memory). */
void qspn_rtt_init(struct qspn_rtt *r);

/* One sample: @rtt_us measured at @now_ms.  Negative samples are ignored. */
void qspn_rtt_sample(struct qspn_rtt *r, uint64_t now_ms, int64_t rtt_us);

/* The minimum of the recent samples, without the floor (for `show`); -1
 * without any sample. */
int64_t qspn_rtt_min(const struct qspn_rtt *r, uint64_t now_ms);

/* The cost the link is worth now: the minimum with the floor; -1 without
 * any sample. */
int64_t qspn_rtt_estimate(const struct qspn_rtt *r, uint64_t now_ms);

/* The jitter: the median absolute deviation of the history, in µs (0 with
 * fewer than three samples). */
int64_t qspn_rtt_mad(const struct qspn_rtt *r);

/*
 * Whether the estimate differs from @announced (the cost the arc has) by
 * more than the relevance threshold.  False without any sample; true when
 * @announced is negative (nothing announced yet) and there is a sample.
 */
bool qspn_rtt_relevant(const struct qspn_rtt *r, uint64_t now_ms,
		       int64_t announced);

#endif /* QSPN_RTT_H */
