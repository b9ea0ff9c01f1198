/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * When to announce the anycast address and when to withdraw it, without
 * I/O (anycast.c does the checks and the netlink): withdrawn at once when
 * any check fails, announced again only after hold_ms of passing checks
 * in a row, so that a flapping store or link does not flap the route
 * through the whole routing domain.
 */
#ifndef LW4O6D_ANYCAST_STATE_H
#define LW4O6D_ANYCAST_STATE_H

#include <stdbool.h>
#include <stdint.h>

struct anycast_state {
	bool announced;
	bool healthy;		/* the last check passed */
	int64_t healthy_since;	/* ms, when checks began to pass */
	uint32_t hold_ms;
};

enum anycast_action {
	ANYCAST_KEEP,
	ANYCAST_ANNOUNCE,
	ANYCAST_WITHDRAW,
};

/* Starts withdrawn: a daemon that has just started has proven nothing. */
void anycast_state_init(struct anycast_state *st, uint32_t hold_ms);
/* One check's verdict at now (ms): what to do.  The caller applies it. */
enum anycast_action anycast_state_step(struct anycast_state *st, bool healthy,
				       int64_t now);

#endif
