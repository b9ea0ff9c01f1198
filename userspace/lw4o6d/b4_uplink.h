/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The lwB4's uplink addresses, for WAN renumbering ("uplink IFNAME"): the
 * softwire's source follows IFNAME's global IPv6 addresses.
 *
 * On every IPv6 address event (RTNLGRP_IPV6_IFADDR) the uplink's addresses
 * are read back whole and judged: the softwire's source is fine while it
 * is on the uplink and preferred.  Once it is deprecated (its preferred
 * lifetime ran out: the ISP is renumbering, RFC 4192) or gone, the best
 * other address is picked: global, neither deprecated, tentative, failed
 * DAD nor temporary (privacy addresses come and go by the day), the one
 * with the longest preferred lifetime.  b4.c is told, and moves.
 */
#ifndef LW4O6D_B4_UPLINK_H
#define LW4O6D_B4_UPLINK_H

#include <stdbool.h>
#include <netinet/in.h>

struct b4_uplink_ops {
	/*
	 * Move from from to to.  from_usable: from is still on the uplink
	 * (deprecated, not yet gone), so something can still be sent from it.
	 */
	void (*move)(const struct in6_addr *from, const struct in6_addr *to,
		     bool from_usable, void *arg);
	void *arg;
};

/* Follows ifname; current: the softwire's source now.  0, or -1 logged. */
int b4_uplink_start(const char *ifname, const struct in6_addr *current,
		    const struct b4_uplink_ops *ops);
/* The softwire's source is now a (after a move). */
void b4_uplink_set(const struct in6_addr *a);
void b4_uplink_stop(void);

#endif
