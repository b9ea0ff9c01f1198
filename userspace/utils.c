// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Word parsers shared by the command line and the table file readers.
 * Hand-rolled rather than strtoul(): a 1,000,000-line table goes through
 * here, and strtoul() accepts signs, spaces and trailing junk that we must
 * refuse anyway.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "utils.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decimal or 0x hex, nothing else; 0 on success. */
int parse_u32(const char *s, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;
	unsigned int base = 10;
	int d;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return -1;
	for (; *s; s++) {
		d = hexval(*s);
		if (d < 0 || (unsigned int)d >= base)
			return -1;
		v = v * base + (unsigned int)d;
		if (v > max)
			return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

int parse_ipv4(const char *s, uint32_t *be)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return -1;
	*be = a.s_addr;
	return 0;
}

int parse_ipv6(const char *s, struct in6_addr *a)
{
	return inet_pton(AF_INET6, s, a) == 1 ? 0 : -1;
}

/* The kernel refuses :: and multicast B4/BR addresses; so do we, earlier. */
bool ipv6_is_unicast(const struct in6_addr *a)
{
	return !IN6_IS_ADDR_UNSPECIFIED(a) && !IN6_IS_ADDR_MULTICAST(a);
}

int check_ifname(const char *s, char *err, size_t errlen)
{
	if (!*s) {
		snprintf(err, errlen, "empty device name");
		return -1;
	}
	if (strlen(s) >= IFNAMSIZ) {
		snprintf(err, errlen, "device name \"%s\" is longer than %d bytes",
			 s, IFNAMSIZ - 1);
		return -1;
	}
	return 0;
}
