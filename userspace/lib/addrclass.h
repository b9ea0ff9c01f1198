/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef LW4O6_ADDRCLASS_H
#define LW4O6_ADDRCLASS_H

#include <stdint.h>
#include <netinet/in.h>

/*
 * Why an address cannot be a subscriber's: the reason in words ("loopback
 * 127.0.0.0/8"), or NULL when it can.  One place, so that `lw4o6 binding`,
 * table files, `dev add ... mode b4` and lw4o6d's pools refuse the same.
 */

/* 0.0.0.0/8, 127/8, 224/4 (multicast), 240/4 and 255.255.255.255. */
const char *ipv4_not_subscriber(uint32_t be);

/* ::, ::1, ::ffff:0:0/96 (IPv4-mapped), fe80::/10 and ff00::/8. */
const char *ipv6_not_b4(const struct in6_addr *a);

#endif
