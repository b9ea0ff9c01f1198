/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Parsing the PostgreSQL store's NOTIFY payloads (format in
 * store_pg_change.h).  Strict on purpose: a payload we half understand
 * would put a wrong binding into the kernel, so whatever is not exactly
 * the format is refused and the caller re-reads the table instead.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "store_pg_change.h"

struct cursor {
	const char *p, *end;
};

/* The next field: up to the next space (which is consumed) or the end. */
static bool field(struct cursor *c, const char **f, size_t *n, bool last)
{
	const char *s = c->p;

	while (c->p < c->end && *c->p != ' ')
		c->p++;
	*f = s;
	*n = (size_t)(c->p - s);
	if (!*n)
		return false;
	if (last)
		return c->p == c->end;
	if (c->p == c->end)
		return false;
	c->p++;		/* the one space */
	return true;
}

/* A decimal in [min, max]: no sign unless negative, no leading zero. */
static bool num(struct cursor *c, int64_t min, int64_t max, int64_t *v)
{
	const char *f;
	size_t n, i = 0;
	bool neg = false;
	uint64_t x = 0, lim;

	if (!field(c, &f, &n, false))
		return false;
	if (f[0] == '-') {
		neg = true;
		i = 1;
	}
	if (i == n || n - i > 19 || (f[i] == '0' && n - i > 1) ||
	    (neg && f[i] == '0'))
		return false;
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; i < n; i++) {
		if (f[i] < '0' || f[i] > '9')
			return false;
		if (x > (lim - (uint64_t)(f[i] - '0')) / 10)
			return false;
		x = x * 10 + (uint64_t)(f[i] - '0');
	}
	if (neg)
		*v = x == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)x;
	else
		*v = (int64_t)x;
	return *v >= min && *v <= max;
}

static bool addr(struct cursor *c, int af, void *a)
{
	char buf[INET6_ADDRSTRLEN];
	const char *f;
	size_t n;

	if (!field(c, &f, &n, false) || n >= sizeof(buf))
		return false;
	memcpy(buf, f, n);
	buf[n] = 0;
	return inet_pton(af, buf, a) == 1;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

int pg_change_parse(const char *p, size_t len, struct pg_change *out)
{
	struct cursor c = { p, p + len };
	struct pg_change ch;
	const char *f;
	size_t n, i;
	int64_t v;
	int version;

	memset(&ch, 0, sizeof(ch));
	if (!field(&c, &f, &n, false) || n != 1 || (f[0] != '1' && f[0] != '2'))
		return -EINVAL;
	version = f[0] - '0';
	if (!num(&c, 1, INT64_MAX, &ch.id))
		return -EINVAL;
	if (!field(&c, &f, &n, false))
		return -EINVAL;
	if (n == 3 && !memcmp(f, "put", 3))
		ch.op = STORE_PUT;
	else if (n == 3 && !memcmp(f, "del", 3))
		ch.op = STORE_DEL;
	else
		return -EINVAL;
	if (!addr(&c, AF_INET6, &ch.m.b4))
		return -EINVAL;
	if (!num(&c, 0, 255, &v))
		return -EINVAL;
	ch.m.protocol = (uint8_t)v;
	if (!num(&c, 0, 65535, &v))
		return -EINVAL;
	ch.m.internal_port = (uint16_t)v;
	if (!field(&c, &f, &n, false) || n != 2 * sizeof(ch.m.nonce))
		return -EINVAL;
	for (i = 0; i < sizeof(ch.m.nonce); i++) {
		int hi = hexval(f[2 * i]), lo = hexval(f[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		ch.m.nonce[i] = (uint8_t)(hi << 4 | lo);
	}
	if (!addr(&c, AF_INET, &ch.m.ipv4))
		return -EINVAL;
	if (!num(&c, 0, 65535, &v))
		return -EINVAL;
	ch.m.psid = (uint16_t)v;
	if (!num(&c, 0, 16, &v))
		return -EINVAL;
	ch.m.psid_len = (uint8_t)v;
	if (!num(&c, 0, 16 - ch.m.psid_len, &v) || v > 15)
		return -EINVAL;
	ch.m.offset = (uint8_t)v;
	/* The set must exist in its shape, as the table's CHECKs say. */
	if (ch.m.psid >> ch.m.psid_len)
		return -EINVAL;
	if (!num(&c, INT64_MIN, INT64_MAX, &ch.m.expires) ||
	    !num(&c, INT64_MIN, INT64_MAX, &ch.m.created))
		return -EINVAL;
	/* version 1 (a schema-1 trigger, before an upgrade) has no VIA */
	if (version == 2) {
		if (!num(&c, 0, MAPPING_VIA_MAX, &v))
			return -EINVAL;
		ch.m.via = (uint8_t)v;
	}
	if (!num(&c, INT64_MIN, INT64_MAX, &ch.changed))
		return -EINVAL;
	/* the node: the rest, printable, spaces allowed inside */
	n = (size_t)(c.end - c.p);
	if (!n || n >= sizeof(ch.node))
		return -EINVAL;
	for (i = 0; i < n; i++)
		if ((unsigned char)c.p[i] < 0x20 || (unsigned char)c.p[i] > 0x7e)
			return -EINVAL;
	memcpy(ch.node, c.p, n);
	ch.node[n] = 0;
	*out = ch;
	return 0;
}

int pg_change_format(const struct pg_change *c, char *buf, size_t len)
{
	char b4[INET6_ADDRSTRLEN], v4[INET_ADDRSTRLEN], nonce[25];
	size_t i;
	int n;

	inet_ntop(AF_INET6, &c->m.b4, b4, sizeof(b4));
	inet_ntop(AF_INET, &c->m.ipv4, v4, sizeof(v4));
	for (i = 0; i < sizeof(c->m.nonce); i++)
		snprintf(nonce + 2 * i, 3, "%02x", c->m.nonce[i]);
	n = snprintf(buf, len, "2 %" PRId64 " %s %s %u %u %s %s %u %u %u %" PRId64
		     " %" PRId64 " %u %" PRId64 " %s", c->id,
		     c->op == STORE_DEL ? "del" : "put", b4, c->m.protocol,
		     c->m.internal_port, nonce, v4, c->m.psid, c->m.psid_len,
		     c->m.offset, c->m.expires, c->m.created, c->m.via,
		     c->changed, c->node);
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return n;
}
