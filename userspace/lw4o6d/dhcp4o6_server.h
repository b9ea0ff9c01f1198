/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The DHCPv4-over-DHCPv6 port-set server (RFC 7341, 7618, 8539, and
 * RFC 7598 S46_CONT_LW for clients with an s46-binding): a front-end on
 * the core beside the PCP server, on an lwAFTR ("dhcp4o6 on") or alone
 * ("role server", no device, reached through relays).  It listens on UDP
 * 547 on each dhcp4o6-interface (ff02::1:2) and on the listen address;
 * the messages themselves are dhcp4o6_serve.c's.
 */
#ifndef LW4O6D_DHCP4O6_SERVER_H
#define LW4O6D_DHCP4O6_SERVER_H

#include "alloc.h"
#include "config.h"

/* 0, or -1 after logging why not. */
int dhcp4o6_server_start(const struct lw4o6d_config *c, struct alloc *a);
/* Logs the counters (SIGUSR1). */
void dhcp4o6_server_dump(void);
/* Logs the counters and closes everything (safe if never started). */
void dhcp4o6_server_stop(void);

#endif
