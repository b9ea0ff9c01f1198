/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef LW4O6D_PROXY_H
#define LW4O6D_PROXY_H

#include "b4_binding.h"
#include "config.h"

/*
 * The B4's PCP proxy for its LAN ("proxy ADDR ..."): MAP requests from LAN
 * hosts are answered out of the B4's own port set, as explicit forwards
 * (DNAT in nftables table ip lw4o6d_DEVICE), without asking the AFTR each
 * time.  Nothing without "proxy".  0, or -1 after logging why not.
 */
int proxy_start(const struct lw4o6d_config *c);
/* SIGHUP: the lifetime bound (addresses need a restart).  0. */
int proxy_reload(const struct lw4o6d_config *c);
/* Sockets closed, the table and its forwards removed. */
void proxy_stop(void);

/*
 * A b4_binding_fn: the B4's binding is now b (NULL: none).  Forwards
 * outside it are dropped; the proxy keeps b as its own copy.
 */
void proxy_binding_changed(const struct b4_binding *b, void *arg);

#endif
