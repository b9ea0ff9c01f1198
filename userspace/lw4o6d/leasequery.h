/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * DHCPv4 bulk leasequery (RFC 6926) on the core: how a relay that
 * restarted learns every DHCP lease back.  TCP port 67 on the listen
 * address, over IPv6 (the relays reach their server only over IPv6: the
 * whole relay-server path is DHCPv6).  Connections are taken only from
 * the "relay-peer" addresses; with none configured every connection is
 * refused.  One DHCPBULKLEASEQUERY for all configured addresses is
 * answered with one DHCPLEASEACTIVE per DHCP lease (lq_msg.h), then
 * DHCPLEASEQUERYDONE.  Non-blocking, a bounded output buffer per
 * connection, a cap on connections, an idle timeout; a malformed frame
 * closes its connection.
 */
#ifndef LW4O6D_LEASEQUERY_H
#define LW4O6D_LEASEQUERY_H

#include "alloc.h"
#include "config.h"

#define LQ_MAX_CONNS	8
#define LQ_IDLE_MS	30000

/* 0 (nothing to do without a listen address), or -1 after logging why. */
int leasequery_start(const struct lw4o6d_config *c, struct alloc *a);
/* The counters in one line. */
void leasequery_log_stats(void);
void leasequery_stop(void);

#endif
