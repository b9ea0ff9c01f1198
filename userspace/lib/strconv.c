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

#include "strconv.h"

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
	/*
	 * What the kernel's dev_valid_name() refuses, so that lw4o6, lw4o6d's
	 * "device" and the kernel agree on every name ("help" is a name).
	 */
	if (!strcmp(s, ".") || !strcmp(s, "..") || strpbrk(s, "/: \t\n\v\f\r")) {
		snprintf(err, errlen,
			 "invalid device name \"%s\" (no '/', ':' or space; not \".\" or \"..\")",
			 s);
		return -1;
	}
	return 0;
}

/* Writes v in decimal at p, returns the end; buf needs 21 bytes. */
static char *put_dec(char *p, uint64_t v)
{
	char tmp[20];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

char *fmt_u64(uint64_t v, char *buf)
{
	*put_dec(buf, v) = '\0';
	return buf;
}

/*
 * Dumping a million bindings calls these twice each; glibc's inet_ntop()
 * runs sprintf() once per IPv4 address and once per IPv6 group.
 */
char *fmt_ipv4(uint32_t be, char *buf)
{
	const unsigned char *b = (const unsigned char *)&be;
	char *p = buf;
	int i;

	for (i = 0; i < 4; i++) {
		if (i)
			*p++ = '.';
		p = put_dec(p, b[i]);
	}
	*p = '\0';
	return buf;
}

/* RFC 5952 text, and glibc's choices where it allows some (see tests). */
char *fmt_ipv6(const struct in6_addr *a, char *buf)
{
	static const char hex[] = "0123456789abcdef";
	int best = -1, best_len = 0, cur = -1, cur_len = 0, i;
	unsigned int w[8];
	char *p = buf;

	for (i = 0; i < 8; i++) {
		w[i] = (unsigned int)a->s6_addr[2 * i] << 8 | a->s6_addr[2 * i + 1];
		if (!w[i]) {
			if (cur < 0) {
				cur = i;
				cur_len = 0;
			}
			if (++cur_len > best_len) {
				best = cur;
				best_len = cur_len;
			}
		} else {
			cur = -1;
		}
	}
	/* A single zero group is written out, not compressed. */
	if (best_len < 2)
		best = -1;
	for (i = 0; i < 8; i++) {
		if (best >= 0 && i >= best && i < best + best_len) {
			if (i == best)
				*p++ = ':';
			continue;
		}
		if (i)
			*p++ = ':';
		/* IPv4-compatible and -mapped addresses end in dotted quad. */
		if (i == 6 && best == 0 &&
		    (best_len == 6 || (best_len == 5 && w[5] == 0xffff))) {
			uint32_t v4;

			memcpy(&v4, &a->s6_addr[12], 4);
			fmt_ipv4(v4, p);
			return buf;
		}
		if (w[i] >> 12)
			*p++ = hex[w[i] >> 12];
		if (w[i] >> 8)
			*p++ = hex[(w[i] >> 8) & 15];
		if (w[i] >> 4)
			*p++ = hex[(w[i] >> 4) & 15];
		*p++ = hex[w[i] & 15];
	}
	if (best >= 0 && best + best_len == 8)
		*p++ = ':';
	*p = '\0';
	return buf;
}
