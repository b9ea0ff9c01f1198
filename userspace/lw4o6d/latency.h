/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * How long something took, kept as Prometheus keeps a histogram: a count
 * per bucket (each bucket's own, not cumulative), the sum, and the last
 * and the longest for "lw4o6d status".  In microseconds; no clock here:
 * the caller measures.
 */
#ifndef LW4O6D_LATENCY_H
#define LW4O6D_LATENCY_H

#include <stdint.h>

#define LATENCY_BUCKETS 14

/* The buckets' upper bounds, µs: 100 µs to 2.5 s, then +Inf. */
static const uint32_t latency_bounds_us[LATENCY_BUCKETS] = {
	100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000,
	250000, 500000, 1000000, 2500000,
};

struct latency {
	uint64_t count, sum_us, last_us, max_us;
	uint64_t bucket[LATENCY_BUCKETS + 1];	/* the last: over 2.5 s */
};

static inline void latency_observe(struct latency *l, uint64_t us)
{
	unsigned int i = 0;

	while (i < LATENCY_BUCKETS && us > latency_bounds_us[i])
		i++;
	l->bucket[i]++;
	l->count++;
	l->sum_us += us;
	l->last_us = us;
	if (us > l->max_us)
		l->max_us = us;
}

#endif
