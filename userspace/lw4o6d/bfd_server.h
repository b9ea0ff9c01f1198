/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The lwAFTR's BFD front-end: what the module passes up of BFD (UDP to
 * 192.0.0.1:3784 from inside a softwire, on the control group that
 * pcp_server.c reads) goes to the responder (bfd_responder.c); its
 * answers go back into the B4's softwire as IPv4 (192.0.0.1:49152 to the
 * B4's inner source, port 3784, TTL 255, DF) in IPv6, through
 * pcp_server.c's raw socket.  Its timers are one loop timer.
 */
#ifndef LW4O6D_BFD_SERVER_H
#define LW4O6D_BFD_SERVER_H

#include <netinet/in.h>

#include "bfd_responder.h"
#include "config.h"
#include "wire.h"

/* After pcp_server_start().  With "bfd off", BFD is dropped and counted. */
int bfd_server_start(const struct lw4o6d_config *c);
/*
 * Before pcp_server_stop(): every session is told AdminDown
 * (administratively down), all of them, paced, before the daemon goes.
 */
void bfd_server_stop(void);
/* One BFD datagram from inside b4's softwire (pcp_server.c's dispatch). */
void bfd_server_input(const struct in6_addr *b4, const struct udp4 *u);
/*
 * The anycast address withdrawn (drain, or a failed check): every
 * session AdminDown, paced, and no new ones; announced again: undrain.
 */
void bfd_server_drain(void);
void bfd_server_undrain(void);
/* The responder's counters now; false if there is none (bfd off, not started). */
bool bfd_server_stats(struct bfd_resp_stats *st);
/* SIGUSR1: the counters in the log. */
void bfd_server_dump(void);

#endif
