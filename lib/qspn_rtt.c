// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qspn_rtt.c: the RTT filter of an arc's cost (see qspn_rtt.h).
 */
#include "qspn_rtt.h"

#include <string.h>

void qspn_rtt_init(struct qspn_rtt *r)
{
	memset(r, 0, sizeof(*r));
}

void qspn_rtt_sample(struct qspn_rtt *r, uint64_t now_ms, int64_t rtt_us)
{
	if (rtt_us < 0)
		return;
	r->us[r->head] = rtt_us;
	r->at_ms[r->head] = now_ms;
	r->head = (r->head + 1) % QSPN_RTT_HISTORY;
	if (r->n < QSPN_RTT_HISTORY)
		r->n++;
	r->total++;
}

/* The index of the k-th newest sample (k = 0: the newest). */
static uint32_t nth_newest(const struct qspn_rtt *r, uint32_t k)
{
	return (r->head + QSPN_RTT_HISTORY - 1 - k) % QSPN_RTT_HISTORY;
}

int64_t qspn_rtt_min(const struct qspn_rtt *r, uint64_t now_ms)
{
	int64_t m;

	if (r->n == 0)
		return -1;
	m = r->us[nth_newest(r, 0)];
	for (uint32_t k = 1; k < r->n && k < QSPN_RTT_WINDOW; k++) {
		uint32_t i = nth_newest(r, k);

		/* a sample from before a long silence says little of now */
		if (now_ms > r->at_ms[i] &&
		    now_ms - r->at_ms[i] > QSPN_RTT_MAX_AGE_MS)
			break;
		if (r->us[i] < m)
			m = r->us[i];
	}
	return m;
}

int64_t qspn_rtt_estimate(const struct qspn_rtt *r, uint64_t now_ms)
{
	int64_t m = qspn_rtt_min(r, now_ms);

	if (m < 0)
		return -1;
	return m < QSPN_RTT_FLOOR_US ? QSPN_RTT_FLOOR_US : m;
}

/* The median of v[0..n-1] (n >= 1), which it sorts. */
static int64_t median(int64_t *v, uint32_t n)
{
	for (uint32_t i = 1; i < n; i++) {
		int64_t x = v[i];
		uint32_t j = i;

		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int64_t qspn_rtt_mad(const struct qspn_rtt *r)
{
	int64_t v[QSPN_RTT_HISTORY], med;

	if (r->n < 3)
		return 0;
	for (uint32_t k = 0; k < r->n; k++)
		v[k] = r->us[nth_newest(r, k)];
	med = median(v, r->n);
	for (uint32_t k = 0; k < r->n; k++)
		v[k] = v[k] > med ? v[k] - med : med - v[k];
	return median(v, r->n);
}

bool qspn_rtt_relevant(const struct qspn_rtt *r, uint64_t now_ms,
		       int64_t announced)
{
	int64_t est = qspn_rtt_estimate(r, now_ms);
	int64_t diff, threshold;

	if (est < 0)
		return false;
	if (announced < 0)
		return true;
	diff = est > announced ? est - announced : announced - est;
	threshold = announced * QSPN_RTT_REL_PCT / 100 +
		    QSPN_RTT_MAD_K * qspn_rtt_mad(r);
	return diff > threshold;
}
