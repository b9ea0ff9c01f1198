/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef LW4O6D_B4_H
#define LW4O6D_B4_H

#include "b4_binding.h"
#include "config.h"

/*
 * The lwB4 role: a client that gets the device's binding and keeps it, by
 * "provision": PCP from the AFTR (pcp_client.c), DHCPv4 over DHCPv6 or
 * the DHCPv6 softwire options (dhcp4o6_client.c), or "auto" (DHCPv6
 * first, PCP when it provisions nothing).  0, or -1 after logging why not.
 */
int b4_start(const struct lw4o6d_config *c);
/* SIGHUP: lifetime and port-set-size; -1 (logged) if it needs a restart. */
int b4_reload(const struct lw4o6d_config *c);
/* A DHCP lease is RELEASEd; a PCP binding stays installed. */
void b4_stop(void);
/* The client's counters in the log (stop, SIGUSR1). */
void b4_log_counters(void);

/*
 * fn hears the B4's binding now (NULL: none), then at every change; after
 * b4_start().
 */
int b4_listen(b4_binding_fn fn, void *arg);

#endif
