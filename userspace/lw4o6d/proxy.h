/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef LW4O6D_PROXY_H
#define LW4O6D_PROXY_H

#include "config.h"

/*
 * The B4's PCP proxy for its LAN: MAP requests from LAN hosts are answered
 * out of the B4's own port set, as explicit forwards (DNAT), without asking
 * the AFTR each time.
 */
int proxy_start(const struct lw4o6d_config *c);
/* The B4's binding changed: forwards outside the new set are dropped. */
void proxy_rebound(void);
/* SIGHUP: the lifetime bound; addresses need a restart. */
void proxy_reload(const struct lw4o6d_config *c);
void proxy_stop(void);

#endif
