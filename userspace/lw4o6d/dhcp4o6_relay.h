/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The lwAFTR as a DHCPv6 relay agent for its B4s ("relay SERVER-IPV6..."):
 * client messages heard on UDP 547 of each dhcp4o6-interface (ff02::1:2
 * and unicast) and of the listen address go to every relay server as
 * RELAY-FORW; RELAY-REPL from those servers is unwrapped and sent down.
 * What passes keeps the kernel's binding table in step (relay_track.h).
 * At start, before serving, the bindings are rebuilt from each server by
 * bulk leasequery (RFC 6926, TCP port 67 over IPv6).
 */
#ifndef LW4O6D_DHCP4O6_RELAY_H
#define LW4O6D_DHCP4O6_RELAY_H

#include "config.h"

/* -1 after logging why not. */
int dhcp4o6_relay_start(const struct lw4o6d_config *c);
/* The counters, in one log line each for messages and for drops. */
void dhcp4o6_relay_log_stats(void);
/* Logs the counters; the kernel keeps every binding. */
void dhcp4o6_relay_stop(void);

#endif
