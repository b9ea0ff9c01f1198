/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * libFuzzer harness for the DHCPv6 codec.  ASan catches reads past the
 * input; the asserts catch a parser and a builder that disagree: every
 * pointer a parser returns lies inside the input, what parses builds, and
 * what is built parses back to the same.  The input goes to each of
 * dhcp6_parse(), dhcp6_relay_parse(), dhcp6_unwrap() and s46_lw_parse();
 * the S46_CONT_LW of a client message found by dhcp6_unwrap() too.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../dhcp6.h"

#define BIG 0x20000

static void check(int ok)
{
	if (!ok)
		abort();
}

static const uint8_t *lo, *hi;	/* the input */

/* p[0..n) inside the input (a NULL p only with n == 0). */
static void inside(const uint8_t *p, size_t n)
{
	if (!p) {
		check(n == 0);
		return;
	}
	check(p >= lo && p <= hi && (size_t)(hi - p) >= n);
}

/* memcmp() that takes NULL for no bytes */
static int eq(const void *a, const void *b, size_t n)
{
	return !n || !memcmp(a, b, n);
}

static int same_lw(const struct s46_lw *a, const struct s46_lw *b)
{
	return a->n_br == b->n_br &&
	       eq(a->br, b->br, a->n_br * sizeof(a->br[0])) &&
	       a->has_bind == b->has_bind && a->ipv4 == b->ipv4 &&
	       a->prefix_len == b->prefix_len &&
	       !memcmp(&a->prefix, &b->prefix, sizeof(a->prefix)) &&
	       a->has_portparams == b->has_portparams &&
	       a->offset == b->offset && a->psid_len == b->psid_len &&
	       a->psid == b->psid;
}

static void lw_round_trip(const uint8_t *data, size_t size)
{
	static uint8_t out[BIG];
	struct s46_lw lw, back;
	struct in6_addr src;
	struct dhcp6_buf b;
	struct dhcp6_msg m;
	size_t n;
	int r;

	if (s46_lw_parse(data, size, &lw) < 0)
		return;
	check(lw.n_br <= DHCP6_MAX_BR && lw.prefix_len <= 128);
	check(!lw.has_portparams || lw.has_bind);
	check(lw.offset + lw.psid_len <= 16);
	check(lw.psid_len == 16 || lw.psid >> lw.psid_len == 0);

	r = s46_lw_source(&lw, &src);
	check((r == 0) == (lw.has_bind && (lw.prefix_len <= 64 ||
					   lw.prefix_len == 128)));

	dhcp6_begin(&b, out, sizeof(out), DHCP6_REPLY, 1);
	dhcp6_put_s46_lw(&b, &lw);
	n = dhcp6_end(&b);
	check(n > 4);
	check(dhcp6_parse(out, n, &m) == 0 && m.cont_lw);
	check(s46_lw_parse(m.cont_lw, m.cont_lw_len, &back) == 0);
	check(same_lw(&lw, &back));
}

static void msg_round_trip(const uint8_t *data, size_t size)
{
	static uint8_t out[BIG], again[BIG];
	struct dhcp6_msg m, back;
	struct dhcp6_buf b;
	size_t n, n2, i;

	if (dhcp6_parse(data, size, &m) < 0)
		return;
	check(size >= 4 && m.type != DHCP6_RELAY_FORW &&
	      m.type != DHCP6_RELAY_REPL && m.xid < (1u << 24));
	inside(m.opts, m.opts_len);
	inside(m.client_id, m.client_id_len);
	inside(m.server_id, m.server_id_len);
	inside(m.oro, m.oro_len);
	inside(m.dhcpv4, m.dhcpv4_len);
	inside(m.cont_lw, m.cont_lw_len);
	inside(m.aftr_name, m.aftr_name_len);
	check(m.oro_len % 2 == 0 && m.client_id_len <= DHCP6_DUID_MAX &&
	      m.server_id_len <= DHCP6_DUID_MAX);
	check(m.n_4o6_servers <= DHCP6_MAX_4O6_SERVERS);
	check(m.has_4o6_servers || m.n_4o6_servers == 0);
	for (i = 0; i + 1 < m.oro_len; i += 2)
		check(dhcp6_oro_has(&m, (uint16_t)(m.oro[i] << 8 | m.oro[i + 1])));

	if (m.cont_lw)
		lw_round_trip(m.cont_lw, m.cont_lw_len);

	/* Build what was picked out, parse it back. */
	for (i = 0; i < 2; i++) {
		uint8_t *o = i ? again : out;
		const struct dhcp6_msg *s = i ? &back : &m;

		dhcp6_begin(&b, o, BIG, s->type, s->xid);
		if (s->client_id)
			dhcp6_put(&b, DHCP6_OPT_CLIENTID, s->client_id,
				  s->client_id_len);
		if (s->server_id)
			dhcp6_put(&b, DHCP6_OPT_SERVERID, s->server_id,
				  s->server_id_len);
		if (s->oro)
			dhcp6_put(&b, DHCP6_OPT_ORO, s->oro, s->oro_len);
		if (s->has_status)
			dhcp6_put_status(&b, s->status, "x");
		if (s->dhcpv4)
			dhcp6_put(&b, DHCP6_OPT_DHCPV4_MSG, s->dhcpv4,
				  s->dhcpv4_len);
		if (s->has_4o6_servers)
			dhcp6_put(&b, DHCP6_OPT_4O6_SERVER, s->servers_4o6,
				  s->n_4o6_servers * 16);
		if (s->cont_lw)
			dhcp6_put(&b, DHCP6_OPT_S46_CONT_LW, s->cont_lw,
				  s->cont_lw_len);
		if (s->aftr_name)
			dhcp6_put(&b, DHCP6_OPT_AFTR_NAME, s->aftr_name,
				  s->aftr_name_len);
		if (!i) {
			n = dhcp6_end(&b);
			check(n >= 4 && n <= size + 6);
			lo = out;
			hi = out + n;
			check(dhcp6_parse(out, n, &back) == 0);
		} else {
			n2 = dhcp6_end(&b);
			check(n2 == n && eq(out, again, n));
		}
	}
	check(back.type == m.type && back.xid == m.xid);
	check(back.client_id_len == m.client_id_len &&
	      eq(back.client_id, m.client_id, m.client_id_len));
	check(back.server_id_len == m.server_id_len &&
	      eq(back.server_id, m.server_id, m.server_id_len));
	check(back.oro_len == m.oro_len && eq(back.oro, m.oro, m.oro_len));
	check(back.has_status == m.has_status && back.status == m.status);
	check(back.dhcpv4_len == m.dhcpv4_len &&
	      eq(back.dhcpv4, m.dhcpv4, m.dhcpv4_len));
	check(back.has_4o6_servers == m.has_4o6_servers &&
	      back.n_4o6_servers == m.n_4o6_servers &&
	      eq(back.servers_4o6, m.servers_4o6, m.n_4o6_servers * 16));
	check(back.cont_lw_len == m.cont_lw_len &&
	      eq(back.cont_lw, m.cont_lw, m.cont_lw_len));
	check(back.aftr_name_len == m.aftr_name_len &&
	      eq(back.aftr_name, m.aftr_name, m.aftr_name_len));
	check((back.dhcpv4 == NULL) == (m.dhcpv4 == NULL));
	check((back.cont_lw == NULL) == (m.cont_lw == NULL));
}

/* Unwraps, then wraps the client message again in the same relays. */
static void relay_round_trip(const uint8_t *data, size_t size)
{
	static uint8_t a[BIG], c[BIG];
	struct dhcp6_relay r[DHCP6_HOP_LIMIT + 1], r2[DHCP6_HOP_LIMIT + 1], one;
	const uint8_t *inner, *inner2;
	size_t levels, levels2, ilen, ilen2, n, i;
	struct dhcp6_buf b;
	uint8_t *cur = a, *oth = c;

	if (dhcp6_relay_parse(data, size, &one) == 0) {
		check(one.type == DHCP6_RELAY_FORW || one.type == DHCP6_RELAY_REPL);
		inside(one.relay_msg, one.relay_msg_len);
		check(one.relay_msg != NULL);
		inside(one.interface_id, one.interface_id_len);
	}
	if (dhcp6_unwrap(data, size, r, DHCP6_HOP_LIMIT + 1, &levels, &inner,
			 &ilen) < 0) {
		check(!inner && !ilen && !levels);
		return;
	}
	check(levels <= DHCP6_HOP_LIMIT + 1 && ilen >= 4);
	check(inner[0] != DHCP6_RELAY_FORW && inner[0] != DHCP6_RELAY_REPL);
	inside(inner, ilen);
	check(levels || (inner == data && ilen == size));
	for (i = 0; i < levels; i++) {
		check(r[i].type == r[0].type);
		inside(r[i].relay_msg, r[i].relay_msg_len);
		inside(r[i].interface_id, r[i].interface_id_len);
	}
	/* the first level is what dhcp6_relay_parse() saw */
	if (levels)
		check(one.type == r[0].type && one.hop_count == r[0].hop_count &&
		      one.relay_msg == r[0].relay_msg &&
		      one.relay_msg_len == r[0].relay_msg_len &&
		      one.interface_id == r[0].interface_id &&
		      one.interface_id_len == r[0].interface_id_len);
	msg_round_trip(inner, ilen);
	lo = data;
	hi = data + size;

	memcpy(cur, inner, ilen);
	n = ilen;
	for (i = levels; i-- > 0;) {
		dhcp6_relay_begin(&b, oth, BIG, r[i].type, r[i].hop_count,
				  &r[i].link, &r[i].peer);
		if (r[i].interface_id)
			dhcp6_put(&b, DHCP6_OPT_INTERFACE_ID, r[i].interface_id,
				  r[i].interface_id_len);
		dhcp6_put(&b, DHCP6_OPT_RELAY_MSG, cur, n);
		n = dhcp6_end(&b);
		if (!n)
			return;	/* a level past 65535 bytes: cannot be */
		cur = oth;
		oth = cur == a ? c : a;
	}
	check(dhcp6_unwrap(cur, n, r2, DHCP6_HOP_LIMIT + 1, &levels2, &inner2,
			   &ilen2) == 0);
	check(levels2 == levels && ilen2 == ilen && eq(inner2, inner, ilen));
	for (i = 0; i < levels; i++) {
		check(r2[i].type == r[i].type && r2[i].hop_count == r[i].hop_count);
		check(!memcmp(&r2[i].link, &r[i].link, 16) &&
		      !memcmp(&r2[i].peer, &r[i].peer, 16));
		check(r2[i].interface_id_len == r[i].interface_id_len &&
		      (r2[i].interface_id == NULL) == (r[i].interface_id == NULL));
		check(!r[i].interface_id_len ||
		      !memcmp(r2[i].interface_id, r[i].interface_id,
			      r[i].interface_id_len));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dhcp6_msg m;

	lo = data;
	hi = data + size;
	msg_round_trip(data, size);
	lo = data;
	hi = data + size;
	relay_round_trip(data, size);
	lo = data;
	hi = data + size;
	lw_round_trip(data, size);
	if (dhcp6_parse(data, size, &m) < 0)
		check(!m.opts && !m.client_id && !m.type);
	(void)dhcp6_type_name(size ? data[0] : 0);
	return 0;
}
