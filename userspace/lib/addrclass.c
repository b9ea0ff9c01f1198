// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Addresses that cannot name a subscriber (addrclass.h).  An lwAFTR routes
 * a binding's IPv4 address to the Internet and its B4 address over the
 * access network: none of these can be either, and the kernel would take
 * them silently, so userspace refuses them before they reach it.
 */
#include <stddef.h>
#include <arpa/inet.h>

#include "addrclass.h"

const char *ipv4_not_subscriber(uint32_t be)
{
	uint32_t a = ntohl(be);

	if (a >> 24 == 0)
		return "\"this network\" 0.0.0.0/8";
	if (a >> 24 == 127)
		return "loopback 127.0.0.0/8";
	if (a >> 28 == 0xe)
		return "multicast 224.0.0.0/4";
	if (a == 0xffffffff)
		return "the broadcast address 255.255.255.255";
	if (a >> 28 == 0xf)
		return "reserved 240.0.0.0/4";
	return NULL;
}

const char *ipv6_not_b4(const struct in6_addr *a)
{
	if (IN6_IS_ADDR_UNSPECIFIED(a))
		return "the unspecified address ::";
	if (IN6_IS_ADDR_LOOPBACK(a))
		return "loopback ::1";
	if (IN6_IS_ADDR_V4MAPPED(a))
		return "IPv4-mapped ::ffff:0:0/96";
	if (IN6_IS_ADDR_LINKLOCAL(a))
		return "link-local fe80::/10";
	if (IN6_IS_ADDR_MULTICAST(a))
		return "multicast ff00::/8";
	return NULL;
}
