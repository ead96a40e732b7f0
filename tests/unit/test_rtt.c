// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for lib/qspn_rtt.c: the jitter of an idle link is never a
 * relevant change of the arc's cost; a real step is, once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "qspn_rtt.h"

/* a fixed-seed generator: every run sees the same samples */
static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(uint32_t below)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)((rng >> 33) % below);
}

/* How qspnd_neigh.c uses the filter: the arc's cost follows the estimate
 * when it is relevant.  Counts the changes announced. */
struct link {
	struct qspn_rtt f;
	int64_t announced;
	uint64_t now_ms;
	unsigned int changes;
};

static void link_init(struct link *l)
{
	qspn_rtt_init(&l->f);
	l->announced = -1;
	l->now_ms = 1000;
	l->changes = 0;
}

/* one hello echo a second */
static void link_sample(struct link *l, int64_t rtt_us)
{
	l->now_ms += 1000;
	qspn_rtt_sample(&l->f, l->now_ms, rtt_us);
	if (qspn_rtt_relevant(&l->f, l->now_ms, l->announced)) {
		l->announced = qspn_rtt_estimate(&l->f, l->now_ms);
		l->changes++;
	}
}

static void test_empty(void **state)
{
	struct qspn_rtt f;

	(void)state;
	qspn_rtt_init(&f);
	assert_int_equal(qspn_rtt_min(&f, 0), -1);
	assert_int_equal(qspn_rtt_estimate(&f, 0), -1);
	assert_int_equal(qspn_rtt_mad(&f), 0);
	assert_false(qspn_rtt_relevant(&f, 0, -1));
	assert_false(qspn_rtt_relevant(&f, 0, 5000));
	qspn_rtt_sample(&f, 0, -3); /* ignored */
	assert_int_equal(qspn_rtt_estimate(&f, 0), -1);
	qspn_rtt_sample(&f, 0, 7000);
	assert_int_equal(qspn_rtt_estimate(&f, 0), 7000);
	assert_true(qspn_rtt_relevant(&f, 0, -1));
	assert_false(qspn_rtt_relevant(&f, 0, 7000));
}

static void test_min_floor_and_age(void **state)
{
	struct qspn_rtt f;
	const int64_t s[] = {9000, 4000, 8000, 6000, 7000, 5000};

	(void)state;
	qspn_rtt_init(&f);
	for (size_t i = 0; i < 6; i++)
		qspn_rtt_sample(&f, 1000 * i, s[i]);
	/* the last five: 4000 is among them, 9000 is not */
	assert_int_equal(qspn_rtt_min(&f, 5000), 4000);
	qspn_rtt_sample(&f, 6000, 10000);
	/* 4000 left the window */
	assert_int_equal(qspn_rtt_min(&f, 6000), 5000);
	/* a minute later the old samples are stale: only the newest counts */
	assert_int_equal(qspn_rtt_min(&f, 6000 + QSPN_RTT_MAX_AGE_MS + 1),
			 10000);
	/* the floor */
	qspn_rtt_init(&f);
	qspn_rtt_sample(&f, 0, 80);
	assert_int_equal(qspn_rtt_min(&f, 0), 80);
	assert_int_equal(qspn_rtt_estimate(&f, 0), QSPN_RTT_FLOOR_US);
}

static void test_mad(void **state)
{
	struct qspn_rtt f;
	const int64_t s[] = {10, 11, 9, 10, 50, 10, 12};

	(void)state;
	qspn_rtt_init(&f);
	for (size_t i = 0; i < 7; i++)
		qspn_rtt_sample(&f, i, s[i]);
	/* median 10, deviations 0 1 1 0 40 0 2: median 1 (one outlier does
	 * not make jitter) */
	assert_int_equal(qspn_rtt_mad(&f), 1);
}

/* a veth: a few dozen to a few hundred µs, all of it scheduling */
static void test_idle_veth(void **state)
{
	struct link l;

	(void)state;
	link_init(&l);
	for (int i = 0; i < 3600; i++)
		link_sample(&l, 40 + rnd(600));
	assert_int_equal(l.changes, 1);
	assert_int_equal(l.announced, QSPN_RTT_FLOOR_US);
}

/* a link of 20 ms with 0-4 ms of jitter and a late echo now and then */
static void test_idle_jitter_and_spikes(void **state)
{
	struct link l;

	(void)state;
	link_init(&l);
	for (int i = 0; i < 3600; i++)
		link_sample(&l, 20000 + rnd(4000) + (i % 37 == 36 ? 50000 : 0));
	assert_int_equal(l.changes, 1);
	assert_in_range(l.announced, 20000, 24000);
}

/* a busy radio: 5 ms, up to 15 ms */
static void test_idle_heavy_jitter(void **state)
{
	struct link l;

	(void)state;
	link_init(&l);
	for (int i = 0; i < 3600; i++)
		link_sample(&l, 5000 + rnd(10000));
	assert_int_equal(l.changes, 1);
}

/* The old rule (an EWMA of 1/8, relevant beyond 30 %) on the same sub-ms
 * samples: what the filter replaces. */
static void test_old_rule_was_noisy(void **state)
{
	int64_t ewma = -1, announced = -1;
	unsigned int changes = 0;

	(void)state;
	for (int i = 0; i < 3600; i++) {
		int64_t s = 40 + rnd(600);

		ewma = ewma < 0 ? s : ewma + (s - ewma) / 8;
		if (announced < 0 ||
		    (ewma > announced ? ewma - announced : announced - ewma) *
				    100 >
			    announced * 30) {
			announced = ewma;
			changes++;
		}
	}
	assert_true(changes > 10);
}

static void test_step_up_once(void **state)
{
	struct link l;
	unsigned int before;

	(void)state;
	link_init(&l);
	for (int i = 0; i < 100; i++)
		link_sample(&l, 10000 + rnd(1000));
	assert_int_equal(l.changes, 1);
	before = l.changes;
	for (int i = 0; i < 100; i++) {
		link_sample(&l, 40000 + rnd(1000));
		if (i < QSPN_RTT_WINDOW - 1) /* not before the window is full */
			assert_int_equal(l.changes, before);
	}
	assert_int_equal(l.changes, before + 1);
	assert_in_range(l.announced, 40000, 41000);
}

static void test_step_down_once(void **state)
{
	struct link l;

	(void)state;
	link_init(&l);
	for (int i = 0; i < 100; i++)
		link_sample(&l, 40000 + rnd(1000));
	link_sample(&l, 10000 + rnd(1000));
	/* a shorter round trip is the link's own: at once */
	assert_int_equal(l.changes, 2);
	for (int i = 0; i < 100; i++)
		link_sample(&l, 10000 + rnd(1000));
	assert_int_equal(l.changes, 2);
	assert_in_range(l.announced, 10000, 11000);
}

/* 10 ms to 12 ms: under the 30 % threshold, never relevant */
static void test_small_step_not_relevant(void **state)
{
	struct link l;

	(void)state;
	link_init(&l);
	for (int i = 0; i < 50; i++)
		link_sample(&l, 10000);
	for (int i = 0; i < 50; i++)
		link_sample(&l, 12000);
	assert_int_equal(l.changes, 1);
	assert_int_equal(l.announced, 10000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_min_floor_and_age),
		cmocka_unit_test(test_mad),
		cmocka_unit_test(test_idle_veth),
		cmocka_unit_test(test_idle_jitter_and_spikes),
		cmocka_unit_test(test_idle_heavy_jitter),
		cmocka_unit_test(test_old_rule_was_noisy),
		cmocka_unit_test(test_step_up_once),
		cmocka_unit_test(test_step_down_once),
		cmocka_unit_test(test_small_step_not_relevant),
	};

	return cmocka_run_group_tests_name("rtt", tests, NULL, NULL);
}
