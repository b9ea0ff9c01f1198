// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <stdio.h>
#include <string.h>

#include "mapping.h"
#include "strconv.h"

static char *put_str(char *p, const char *s)
{
	while (*s)
		*p++ = *s++;
	return p;
}

static char *put_uint(char *p, unsigned int v)
{
	char d[10];
	int n = 0;

	do
		d[n++] = (char)('0' + v % 10);
	while (v /= 10);
	while (n)
		*p++ = d[--n];
	return p;
}

/*
 * "IPV4 psid P/L offset O b4 IPV6", as snprintf() would write it, without
 * snprintf(): it is in every grant's and removal's log line.
 */
const char *mapping_str(const struct lw4o6_mapping *m, char *buf, size_t len)
{
	char tmp[MAPPING_STR_LEN + 64], *p = tmp;

	fmt_ipv4(m->ipv4, p);
	while (*p)
		p++;
	p = put_str(p, " psid ");
	p = put_uint(p, m->psid);
	*p++ = '/';
	p = put_uint(p, m->psid_len);
	p = put_str(p, " offset ");
	p = put_uint(p, m->offset);
	p = put_str(p, " b4 ");
	fmt_ipv6(&m->b4, p);
	if (len) {
		size_t n = strlen(tmp);

		if (n >= len)
			n = len - 1;
		memcpy(buf, tmp, n);
		buf[n] = 0;
	}
	return buf;
}
