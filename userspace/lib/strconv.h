/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef LW4O6_UTILS_H
#define LW4O6_UTILS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

int parse_u32(const char *s, uint32_t max, uint32_t *out);
int parse_ipv4(const char *s, uint32_t *be);
int parse_ipv6(const char *s, struct in6_addr *a);
bool ipv6_is_unicast(const struct in6_addr *a);
int check_ifname(const char *s, char *err, size_t errlen);

/* inet_ntop() replacements, byte for byte the same output, minus sprintf(). */
#define FMT_IPV4_LEN 16
#define FMT_IPV6_LEN 46
char *fmt_ipv4(uint32_t be, char *buf);
char *fmt_ipv6(const struct in6_addr *a, char *buf);
char *fmt_u64(uint64_t v, char *buf);

#endif
