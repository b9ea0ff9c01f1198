/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The AFTR's PCP front-end (RFC 6887 MAP with RFC 7753 PORT_SET, GET and
 * ANNOUNCE): its sockets, the messages, the answers.  What a B4 may have
 * is the core's to decide (alloc.h); this file only speaks PCP.
 */
#ifndef LW4O6D_PCP_SERVER_H
#define LW4O6D_PCP_SERVER_H

#include "alloc.h"
#include "config.h"

/* Serves PCP for a's leases on c->device (and c->listen6).  0, or -1 after logging why. */
int pcp_server_start(const struct lw4o6d_config *c, struct alloc *a);
void pcp_server_stop(void);
/*
 * This lwAFTR now draws the anycast's traffic (anycast.c announced it):
 * an ANNOUNCE round to every B4 it holds a mapping for (after a restart
 * with "anycast", the round the start put off), paced at announce-rate.
 */
void pcp_server_took_over(void);
/*
 * The route to the upstream IPv4 prefix came or went (anycast.c's check):
 * while it is gone, MAPs are refused NETWORK_FAILURE (#15 item 4).
 */
void pcp_server_upstream(bool ok);
/*
 * An IPv4 datagram (pkt, built whole) into b4's softwire, IPv4-in-IPv6
 * from the device's address: how the other control-path front-ends
 * (bfd_server.c) answer.  0, or -errno.
 */
int pcp_server_send4(const struct in6_addr *b4, const uint8_t *pkt, size_t len);
/*
 * The same, queued: many small datagrams (BFD) leave together, once a loop
 * turn or with pcp_server_flush4() (where no loop runs: at stop).  0, or
 * -EBADF; a failure to send is counted (pcp_server_queue4_failed()) and
 * logged when the queue is flushed.
 */
int pcp_server_queue4(const struct in6_addr *b4, const uint8_t *pkt, size_t len);
void pcp_server_flush4(void);
uint64_t pcp_server_queue4_failed(void);

#endif
