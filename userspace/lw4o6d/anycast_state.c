// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The anycast announcement's hysteresis (anycast_state.h). */
#include "anycast_state.h"

void anycast_state_init(struct anycast_state *st, uint32_t hold_ms)
{
	st->announced = false;
	st->healthy = false;
	st->healthy_since = 0;
	st->hold_ms = hold_ms;
}

enum anycast_action anycast_state_step(struct anycast_state *st, bool healthy,
				       int64_t now)
{
	if (!healthy) {
		st->healthy = false;
		if (!st->announced)
			return ANYCAST_KEEP;
		st->announced = false;
		return ANYCAST_WITHDRAW;
	}
	if (!st->healthy) {
		st->healthy = true;
		st->healthy_since = now;
	}
	if (st->announced || now - st->healthy_since < (int64_t)st->hold_ms)
		return ANYCAST_KEEP;
	st->announced = true;
	return ANYCAST_ANNOUNCE;
}
