/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The anycast address's life cycle on an lwAFTR ("anycast" in
 * lw4o6d.conf): the /128 is on a dummy interface that the routing daemon
 * (FRR's "redistribute connected", say) announces, and this component
 * keeps it there only while this lwAFTR can serve: its lw4o6 device up,
 * its store reachable, a route to the upstream prefix, and no drain file.
 * It checks once a second, withdraws (deletes the address) at the first
 * failed check, puts it back after hold-down seconds of passing checks
 * (anycast_state.c), and withdraws at stop.
 */
#ifndef LW4O6D_ANYCAST_H
#define LW4O6D_ANYCAST_H

#include <stdbool.h>

#include "config.h"

/*
 * Nothing to do without "anycast"; -1 (logged) if rtnetlink fails.
 * announced and withdrawn (either may be NULL) are told each time the
 * address goes on, and each time a failed check or the drain file takes
 * it off (not at stop: the components stop on their own then); upstream
 * (may be NULL) each time the route to the upstream prefix comes or goes.
 */
int anycast_start(const struct lw4o6d_config *c, void (*announced)(void),
		  void (*withdrawn)(void), void (*upstream)(bool ok));
/* SIGHUP: a changed "anycast" line withdraws the old address first. */
int anycast_reload(const struct lw4o6d_config *c);
void anycast_stop(void);
/* lw4o6d drain [-c FILE] {on|off|status}: the drain file, by hand. */
int anycast_drain_main(int argc, char **argv, const char *default_config);

#endif
