/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The AFTR's core as a component (alloc.h is the core itself): it opens
 * the configured store, loads the leases, runs the expiry sweep on the
 * loop, applies SIGHUP's pools and limits, and logs the totals at stop.
 * main.c starts it first and stops it last; the AFTR's other components
 * (kernel sync, the PCP server, any other front-end) get its struct alloc.
 */
#ifndef LW4O6D_CORE_H
#define LW4O6D_CORE_H

#include <stdbool.h>

#include "alloc.h"
#include "config.h"
#include "control.h"
#include "report.h"

/* NULL after logging why not; reset: --reset-epoch. */
struct alloc *core_start(const struct lw4o6d_config *c, bool reset);
/* Once every AFTR component runs: the line operators and tests wait for. */
void core_serving(void);
/* SIGHUP: pools, lifetimes, quota and rate; -1 (logged) changes nothing. */
int core_reload(const struct lw4o6d_config *c);
void core_stop(void);
/* Status: pools, leases by protocol, counters; nothing if not started. */
void core_report(struct report_status *s);
/* Every lease, copied (control.h); -ENOENT if not started. */
int core_mappings(struct control_mapping **v, size_t *n);
/* Whether the store can be used now: a shared one's connection is up. */
bool core_store_up(void);

#endif
