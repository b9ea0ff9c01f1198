/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LW4O6_BUCKET_H
#define LW4O6_BUCKET_H

#include <linux/minmax.h>
#include <linux/time64.h>
#include <linux/types.h>

/*
 * A token bucket: bursts of rate tokens, refilled at rate per second.
 * Tokens are scaled by NSEC_PER_SEC so that a refill is elapsed ns x rate,
 * with no division.  The ICMP error limits (icmp.c) and the control
 * path's (control.c) use it, each under a lock of its own.
 */
struct lw4o6_bucket {
	u64 tokens;			/* tokens x NSEC_PER_SEC */
	u64 last;			/* ns of the last refill, 0: never */
};

/*
 * Refill b for now and take a token if there is one.  A full second of
 * idling refills the whole burst: elapsed time past that adds nothing, and
 * capping it keeps elapsed * rate (at most 10^9 x 2^32, far from 2^64)
 * from wrapping after a long idle.  The fast clock may step back a little
 * between CPUs: that refills nothing.
 */
static inline bool lw4o6_bucket_take(struct lw4o6_bucket *b, u32 rate, u64 now)
{
	u64 cap = (u64)rate * NSEC_PER_SEC;
	u64 elapsed = now > b->last ? now - b->last : 0;

	if (!b->last || elapsed >= NSEC_PER_SEC)
		b->tokens = cap;
	else
		b->tokens = min(cap, b->tokens + elapsed * rate);
	if (now > b->last)
		b->last = now;
	if (b->tokens < NSEC_PER_SEC)
		return false;
	b->tokens -= NSEC_PER_SEC;
	return true;
}

#endif
