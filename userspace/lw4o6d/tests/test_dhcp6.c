// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dhcp6.c: messages built and parsed back, wire bytes written by hand from
 * RFC 8415 (framing, relays), RFC 7341 (DHCPV4-QUERY, options 87/88) and
 * RFC 7598 (S46_CONT_LW), and every refusal dhcp6.h lists.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "dhcp6.h"

#include "tests/cmocka_wrap.h"

static struct in6_addr a6(const char *s)
{
	struct in6_addr a;

	assert_int_equal(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

static uint32_t a4(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

static const uint8_t bootp[300] = { 1, 1, 6, 0, 0xde, 0xad, 0xbe, 0xef };

/* A DHCPV4-QUERY with a client id, an ORO and a BOOTP message. */
static void test_query_round_trip(void **state)
{
	static const uint8_t duid[] = { 0, 3, 0, 1, 2, 0, 0, 0, 0, 1 };
	uint8_t mem[DHCP6_MAX_LEN], oro[4] = { 0, 88, 0, 96 };
	struct dhcp6_buf b;
	struct dhcp6_msg m;
	size_t n;

	(void)state;
	dhcp6_begin(&b, mem, sizeof(mem), DHCP6_DHCPV4_QUERY,
		    DHCP6_4O6_FLAG_UNICAST);
	dhcp6_put(&b, DHCP6_OPT_CLIENTID, duid, sizeof(duid));
	dhcp6_put(&b, DHCP6_OPT_ORO, oro, sizeof(oro));
	dhcp6_put(&b, DHCP6_OPT_DHCPV4_MSG, bootp, sizeof(bootp));
	n = dhcp6_end(&b);
	assert_int_equal(n, 4 + 4 + 10 + 4 + 4 + 4 + 300);
	/* header: type 20, flags U=1 */
	assert_int_equal(mem[0], 20);
	assert_int_equal(mem[1], 0x80);
	assert_int_equal(mem[2], 0);
	assert_int_equal(mem[3], 0);

	assert_int_equal(dhcp6_parse(mem, n, &m), 0);
	assert_int_equal(m.type, DHCP6_DHCPV4_QUERY);
	assert_int_equal(m.xid, DHCP6_4O6_FLAG_UNICAST);
	assert_int_equal(m.client_id_len, sizeof(duid));
	assert_memory_equal(m.client_id, duid, sizeof(duid));
	assert_null(m.server_id);
	assert_true(dhcp6_oro_has(&m, 88));
	assert_true(dhcp6_oro_has(&m, 96));
	assert_false(dhcp6_oro_has(&m, 64));
	assert_int_equal(m.dhcpv4_len, 300);
	assert_ptr_equal(m.dhcpv4, mem + n - 300);
	assert_false(m.has_4o6_servers);
	assert_false(m.has_status);
	assert_null(m.cont_lw);
	assert_ptr_equal(m.opts, mem + 4);
	assert_int_equal(m.opts_len, n - 4);
}

/* Two relays around a query, then dhcp6_unwrap(). */
static void test_relay_round_trip(void **state)
{
	uint8_t q[DHCP6_MAX_LEN], r1[DHCP6_MAX_LEN], r2[DHCP6_MAX_LEN];
	struct in6_addr link = a6("2001:db8:1::1"), peer = a6("fe80::2");
	struct dhcp6_relay rl[DHCP6_HOP_LIMIT + 1];
	const uint8_t *inner;
	struct dhcp6_buf b;
	size_t nq, n1, n2, levels, ilen;

	(void)state;
	dhcp6_begin(&b, q, sizeof(q), DHCP6_DHCPV4_QUERY, 0);
	dhcp6_put(&b, DHCP6_OPT_DHCPV4_MSG, bootp, sizeof(bootp));
	nq = dhcp6_end(&b);
	assert_int_equal(nq, 308);

	dhcp6_relay_begin(&b, r1, sizeof(r1), DHCP6_RELAY_FORW, 0, &link, &peer);
	dhcp6_put(&b, DHCP6_OPT_INTERFACE_ID, "eth1", 4);
	dhcp6_put(&b, DHCP6_OPT_RELAY_MSG, q, nq);
	n1 = dhcp6_end(&b);
	assert_int_equal(n1, 34 + 8 + 4 + nq);

	dhcp6_relay_begin(&b, r2, sizeof(r2), DHCP6_RELAY_FORW, 1, &peer, &link);
	dhcp6_put(&b, DHCP6_OPT_RELAY_MSG, r1, n1);
	n2 = dhcp6_end(&b);

	assert_int_equal(dhcp6_unwrap(r2, n2, rl, DHCP6_HOP_LIMIT + 1, &levels,
				      &inner, &ilen), 0);
	assert_int_equal(levels, 2);
	assert_int_equal(rl[0].type, DHCP6_RELAY_FORW);
	assert_int_equal(rl[0].hop_count, 1);
	assert_memory_equal(&rl[0].link, &peer, 16);
	assert_null(rl[0].interface_id);
	assert_int_equal(rl[1].hop_count, 0);
	assert_memory_equal(&rl[1].link, &link, 16);
	assert_memory_equal(&rl[1].peer, &peer, 16);
	assert_int_equal(rl[1].interface_id_len, 4);
	assert_memory_equal(rl[1].interface_id, "eth1", 4);
	assert_int_equal(ilen, nq);
	assert_memory_equal(inner, q, nq);
	assert_ptr_equal(inner, r2 + n2 - nq);

	/* A client message unwraps to itself. */
	assert_int_equal(dhcp6_unwrap(q, nq, rl, 1, &levels, &inner, &ilen), 0);
	assert_int_equal(levels, 0);
	assert_ptr_equal(inner, q);
	assert_int_equal(ilen, nq);
}

/* A Reply with option 88 and an S46_CONT_LW, Kea's "6, 3/4" on the wire. */
static void test_reply_cont_lw(void **state)
{
	static const uint8_t want_lw[] = {
		0, 96, 0, 44,
		0, 90, 0, 16,					/* S46_BR */
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		0, 92, 0, 20,					/* V4V6BIND */
		192, 0, 2, 1, 56,				/* /56 */
		0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x02,
		0, 93, 0, 4, 6, 4, 0x30, 0x00,			/* 6, 3/4 */
	};
	uint8_t mem[DHCP6_MAX_LEN];
	struct in6_addr srv[2] = { a6("2001:db8::10"), a6("2001:db8::11") };
	struct s46_lw lw = { 0 }, back;
	struct in6_addr src, want;
	struct dhcp6_buf b;
	struct dhcp6_msg m;
	size_t n;

	(void)state;
	lw.n_br = 1;
	lw.br[0] = a6("2001:db8::1");
	lw.has_bind = true;
	lw.ipv4 = a4("192.0.2.1");
	lw.prefix_len = 56;
	lw.prefix = a6("2001:db8:1:200::");
	lw.has_portparams = true;
	lw.offset = 6;
	lw.psid_len = 4;
	lw.psid = 3;

	dhcp6_begin(&b, mem, sizeof(mem), DHCP6_REPLY, 0x123456);
	dhcp6_put(&b, DHCP6_OPT_4O6_SERVER, srv, sizeof(srv));
	dhcp6_put_s46_lw(&b, &lw);
	dhcp6_put_status(&b, 0, "ok");
	n = dhcp6_end(&b);
	assert_int_equal(n, 4 + 4 + 32 + sizeof(want_lw) + 8);
	assert_memory_equal(mem + 4 + 4 + 32, want_lw, sizeof(want_lw));

	assert_int_equal(dhcp6_parse(mem, n, &m), 0);
	assert_int_equal(m.type, DHCP6_REPLY);
	assert_int_equal(m.xid, 0x123456);
	assert_true(m.has_4o6_servers);
	assert_int_equal(m.n_4o6_servers, 2);
	assert_memory_equal(m.servers_4o6, srv, sizeof(srv));
	assert_true(m.has_status);
	assert_int_equal(m.status, 0);
	assert_int_equal(m.cont_lw_len, sizeof(want_lw) - 4);
	assert_int_equal(s46_lw_parse(m.cont_lw, m.cont_lw_len, &back), 0);
	assert_int_equal(back.n_br, 1);
	assert_memory_equal(&back.br[0], &lw.br[0], 16);
	assert_true(back.has_bind);
	assert_int_equal(back.ipv4, lw.ipv4);
	assert_int_equal(back.prefix_len, 56);
	assert_memory_equal(&back.prefix, &lw.prefix, 16);
	assert_true(back.has_portparams);
	assert_int_equal(back.offset, 6);
	assert_int_equal(back.psid_len, 4);
	assert_int_equal(back.psid, 3);

	assert_int_equal(s46_lw_source(&back, &src), 0);
	want = a6("2001:db8:1:200:0:c000:201:3");
	assert_memory_equal(&src, &want, 16);
}

/* Builds a client message: header type 7 xid 1, then raw options. */
static size_t msg(uint8_t *out, const uint8_t *opts, size_t n)
{
	out[0] = DHCP6_REPLY;
	out[1] = 0;
	out[2] = 0;
	out[3] = 1;
	memcpy(out + 4, opts, n);
	return 4 + n;
}

static int parse_opts(const uint8_t *opts, size_t n)
{
	uint8_t buf[DHCP6_MAX_LEN];
	struct dhcp6_msg m;
	size_t len = msg(buf, opts, n);
	int r = dhcp6_parse(buf, len, &m);

	if (r < 0) {
		/* A refusal leaves nothing pointing anywhere. */
		assert_null(m.opts);
		assert_null(m.client_id);
		assert_int_equal(m.type, 0);
	}
	return r;
}

static void test_parse_refusals(void **state)
{
	uint8_t buf[DHCP6_MAX_LEN], o[600];
	struct dhcp6_msg m;
	size_t i;

	(void)state;
	/* Header: at least 4 bytes; not a relay message. */
	for (i = 0; i < 4; i++)
		assert_int_equal(dhcp6_parse((uint8_t[4]){ 7, 0, 0, 1 }, i, &m),
				 -EINVAL);
	assert_int_equal(dhcp6_parse((uint8_t[4]){ 7, 0, 0, 1 }, 4, &m), 0);
	assert_int_equal(m.opts_len, 0);
	assert_int_equal(m.xid, 1);
	assert_int_equal(dhcp6_parse((uint8_t[4]){ 12, 0, 0, 1 }, 4, &m), -EINVAL);
	assert_int_equal(dhcp6_parse((uint8_t[4]){ 13, 0, 0, 1 }, 4, &m), -EINVAL);
	assert_int_equal(dhcp6_parse(NULL, 4, &m), -EINVAL);

	/* An option header cut short, an option running past the end. */
	assert_int_equal(parse_opts((uint8_t[]){ 0 }, 1), -EINVAL);
	assert_int_equal(parse_opts((uint8_t[]){ 0, 1 }, 2), -EINVAL);
	assert_int_equal(parse_opts((uint8_t[]){ 0, 1, 0 }, 3), -EINVAL);
	assert_int_equal(parse_opts((uint8_t[]){ 0, 1, 0, 2, 0 }, 5), -EINVAL);
	assert_int_equal(parse_opts((uint8_t[]){ 0, 99, 0xff, 0xff, 0 }, 5),
			 -EINVAL);
	/* ... also when a good option comes first. */
	assert_int_equal(parse_opts((uint8_t[]){ 0, 8, 0, 2, 0, 0, 0, 8, 0, 2,
						  0 }, 11), -EINVAL);
	assert_int_equal(parse_opts((uint8_t[]){ 0, 8, 0, 2, 0, 0 }, 6), 0);

	/* Option 6 of odd length. */
	assert_int_equal(parse_opts((uint8_t[]){ 0, 6, 0, 1, 0 }, 5), -EINVAL);
	assert_int_equal(parse_opts((uint8_t[]){ 0, 6, 0, 3, 0, 88, 0 }, 7),
			 -EINVAL);
	assert_int_equal(parse_opts((uint8_t[]){ 0, 6, 0, 0 }, 4), 0);

	/* Option 88 not a multiple of 16, also in a repeat. */
	memset(o, 0, sizeof(o));
	o[1] = 88;
	for (i = 1; i < 48; i++) {
		o[3] = (uint8_t)i;
		assert_int_equal(parse_opts(o, 4 + i), i % 16 ? -EINVAL : 0);
	}
	o[3] = 16;
	o[21] = 88;
	o[23] = 17;
	assert_int_equal(parse_opts(o, 20 + 4 + 17), -EINVAL);

	/* Option 13 without its code. */
	assert_int_equal(parse_opts((uint8_t[]){ 0, 13, 0, 1, 0 }, 5), -EINVAL);
	assert_int_equal(parse_opts((uint8_t[]){ 0, 13, 0, 0 }, 4), -EINVAL);

	/* A DUID longer than RFC 8415 allows. */
	memset(o, 0, sizeof(o));
	o[1] = 1;
	o[3] = DHCP6_DUID_MAX + 1;
	assert_int_equal(parse_opts(o, 4 + DHCP6_DUID_MAX + 1), -EINVAL);
	o[3] = DHCP6_DUID_MAX;
	assert_int_equal(parse_opts(o, 4 + DHCP6_DUID_MAX), 0);
	o[1] = 2;
	o[3] = DHCP6_DUID_MAX + 1;
	assert_int_equal(parse_opts(o, 4 + DHCP6_DUID_MAX + 1), -EINVAL);

	(void)buf;
}

/* Empty and long option 88, first of each, unknown options, empty 87. */
static void test_parse_options(void **state)
{
	uint8_t o[400], buf[DHCP6_MAX_LEN];
	struct dhcp6_msg m;
	size_t n = 0, i, len;

	(void)state;
	memset(o, 0, sizeof(o));
	/* an unknown option 0x1234 of 3 bytes */
	memcpy(o + n, (uint8_t[]){ 0x12, 0x34, 0, 3, 9, 9, 9 }, 7);
	n += 7;
	/* empty 88 */
	memcpy(o + n, (uint8_t[]){ 0, 88, 0, 0 }, 4);
	n += 4;
	/* a second 88 with 10 addresses: ignored */
	memcpy(o + n, (uint8_t[]){ 0, 88, 0, 160 }, 4);
	n += 164;
	/* two client ids: the first counts */
	memcpy(o + n, (uint8_t[]){ 0, 1, 0, 2, 0xaa, 0xbb }, 6);
	n += 6;
	memcpy(o + n, (uint8_t[]){ 0, 1, 0, 3, 1, 2, 3 }, 7);
	n += 7;
	/* an empty 87, an AFTR name, status 2 twice */
	memcpy(o + n, (uint8_t[]){ 0, 87, 0, 0, 0, 64, 0, 3, 1, 'a', 0,
				   0, 13, 0, 3, 0, 2, 'x', 0, 13, 0, 2, 0, 5 }, 24);
	n += 24;
	len = msg(buf, o, n);
	assert_int_equal(dhcp6_parse(buf, len, &m), 0);
	assert_true(m.has_4o6_servers);
	assert_int_equal(m.n_4o6_servers, 0);
	assert_int_equal(m.client_id_len, 2);
	assert_int_equal(m.client_id[0], 0xaa);
	assert_non_null(m.dhcpv4);
	assert_int_equal(m.dhcpv4_len, 0);
	assert_int_equal(m.aftr_name_len, 3);
	assert_memory_equal(m.aftr_name, "\1a\0", 3);
	assert_true(m.has_status);
	assert_int_equal(m.status, 2);
	assert_null(m.oro);
	assert_false(dhcp6_oro_has(&m, 88));

	/* 10 addresses: the first DHCP6_MAX_4O6_SERVERS are kept */
	n = 0;
	memcpy(o, (uint8_t[]){ 0, 88, 0, 160 }, 4);
	for (i = 0; i < 10; i++)
		o[4 + 16 * i + 15] = (uint8_t)(i + 1);
	len = msg(buf, o, 164);
	assert_int_equal(dhcp6_parse(buf, len, &m), 0);
	assert_int_equal(m.n_4o6_servers, DHCP6_MAX_4O6_SERVERS);
	for (i = 0; i < DHCP6_MAX_4O6_SERVERS; i++)
		assert_int_equal(m.servers_4o6[i].s6_addr[15], i + 1);
}

/* A relay message of its own; bytes by hand from RFC 8415 9.1. */
static void test_relay_parse(void **state)
{
	uint8_t r[] = {
		12, 3,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
		0, 18, 0, 0,			/* empty INTERFACE_ID */
		0, 9, 0, 4, 1, 0, 0, 7,		/* RELAY_MSG: a SOLICIT */
		0, 18, 0, 3, 'x', 'y', 'z',	/* a second 18: ignored */
		0, 99, 0, 4, 1, 2, 3, 4,	/* unknown */
	};
	struct dhcp6_relay rl;
	size_t i;

	(void)state;
	assert_int_equal(dhcp6_relay_parse(r, sizeof(r), &rl), 0);
	assert_int_equal(rl.type, 12);
	assert_int_equal(rl.hop_count, 3);
	assert_int_equal(rl.link.s6_addr[15], 1);
	assert_int_equal(rl.peer.s6_addr[0], 0xfe);
	assert_non_null(rl.interface_id);
	assert_int_equal(rl.interface_id_len, 0);
	assert_int_equal(rl.relay_msg_len, 4);
	assert_ptr_equal(rl.relay_msg, r + 34 + 4 + 4);
	r[0] = 13;
	assert_int_equal(dhcp6_relay_parse(r, sizeof(r), &rl), 0);
	assert_int_equal(rl.type, 13);

	/* Not a relay type. */
	for (i = 0; i < 256; i++) {
		r[0] = (uint8_t)i;
		assert_int_equal(dhcp6_relay_parse(r, sizeof(r), &rl),
				 i == 12 || i == 13 ? 0 : -EINVAL);
	}
	r[0] = 12;
	/* Shorter than the header; cut anywhere in the options. */
	for (i = 0; i < sizeof(r); i++) {
		int want = i == 34 + 4 + 8 || i == 34 + 4 + 8 + 7 ? 0 : -EINVAL;

		assert_int_equal(dhcp6_relay_parse(r, i, &rl), want);
		if (want)
			assert_null(rl.relay_msg);
	}
	/* No RELAY_MSG. */
	assert_int_equal(dhcp6_relay_parse(r, 34 + 4, &rl), -EINVAL);
	/* Two RELAY_MSG. */
	r[34 + 4 + 8 + 1] = 9;
	assert_int_equal(dhcp6_relay_parse(r, sizeof(r), &rl), -EINVAL);
}

/* Builds depth relay levels around a SOLICIT into out; types alternate
 * from level mixed on (0: never). */
static size_t nest(uint8_t *out, size_t cap, size_t depth, size_t mixed)
{
	uint8_t tmp[DHCP6_MAX_LEN];
	struct in6_addr z = IN6ADDR_ANY_INIT;
	struct dhcp6_buf b;
	size_t n, i;

	dhcp6_begin(&b, out, cap, DHCP6_SOLICIT, 5);
	n = dhcp6_end(&b);
	for (i = 0; i < depth; i++) {
		memcpy(tmp, out, n);
		dhcp6_relay_begin(&b, out, cap,
				  mixed && i + 1 == mixed ? DHCP6_RELAY_REPL :
				  DHCP6_RELAY_FORW, (uint8_t)(depth - 1 - i),
				  &z, &z);
		dhcp6_put(&b, DHCP6_OPT_RELAY_MSG, tmp, n);
		n = dhcp6_end(&b);
		assert_int_not_equal(n, 0);
	}
	return n;
}

static void test_unwrap_limits(void **state)
{
	uint8_t buf[DHCP6_MAX_LEN];
	struct dhcp6_relay rl[DHCP6_HOP_LIMIT + 2];
	const uint8_t *inner;
	size_t n, levels, ilen, d;

	(void)state;
	for (d = 0; d <= DHCP6_HOP_LIMIT + 2; d++) {
		n = nest(buf, sizeof(buf), d, 0);
		levels = 99;
		assert_int_equal(dhcp6_unwrap(buf, n, rl, DHCP6_HOP_LIMIT + 1,
					      &levels, &inner, &ilen),
				 d <= DHCP6_HOP_LIMIT + 1 ? 0 : -EINVAL);
		if (d <= DHCP6_HOP_LIMIT + 1) {
			assert_int_equal(levels, d);
			assert_int_equal(ilen, 4);
			assert_int_equal(inner[0], DHCP6_SOLICIT);
			assert_ptr_equal(inner, buf + n - 4);
		} else {
			assert_null(inner);
			assert_int_equal(levels, 0);
		}
		/* A smaller max is honoured. */
		assert_int_equal(dhcp6_unwrap(buf, n, rl, 2, &levels, &inner,
					      &ilen), d <= 2 ? 0 : -EINVAL);
		/* A larger one is DHCP6_HOP_LIMIT + 1. */
		assert_int_equal(dhcp6_unwrap(buf, n, rl, DHCP6_HOP_LIMIT + 2,
					      &levels, &inner, &ilen),
				 d <= DHCP6_HOP_LIMIT + 1 ? 0 : -EINVAL);
	}
	/* A RELAY-REPL inside a RELAY-FORW, or the other way round. */
	n = nest(buf, sizeof(buf), 3, 2);
	assert_int_equal(dhcp6_unwrap(buf, n, rl, DHCP6_HOP_LIMIT + 1, &levels,
				      &inner, &ilen), -EINVAL);
	n = nest(buf, sizeof(buf), 1, 1);
	assert_int_equal(dhcp6_unwrap(buf, n, rl, DHCP6_HOP_LIMIT + 1, &levels,
				      &inner, &ilen), 0);
	assert_int_equal(rl[0].type, DHCP6_RELAY_REPL);

	/* Too short a message at the bottom, or at the top. */
	n = nest(buf, sizeof(buf), 1, 0);
	buf[34 + 3] = 3;	/* RELAY_MSG of 3 bytes, a spare byte after */
	buf[n - 1] = 0;
	assert_int_equal(dhcp6_unwrap(buf, n - 1, rl, 2, &levels, &inner,
				      &ilen), -EINVAL);
	assert_int_equal(dhcp6_unwrap(buf, 3, rl, 2, &levels, &inner, &ilen),
			 -EINVAL);
	assert_int_equal(dhcp6_unwrap(buf, 0, rl, 2, &levels, &inner, &ilen),
			 -EINVAL);
	/* A malformed level. */
	n = nest(buf, sizeof(buf), 2, 0);
	assert_int_equal(dhcp6_unwrap(buf, n - 1, rl, 3, &levels, &inner,
				      &ilen), -EINVAL);
	/* The inner relay cut below its header. */
	memset(buf, 0, sizeof(buf));
	buf[0] = DHCP6_RELAY_FORW;
	buf[35] = DHCP6_OPT_RELAY_MSG;
	buf[37] = 33;
	buf[38] = DHCP6_RELAY_FORW;
	assert_int_equal(dhcp6_unwrap(buf, 38 + 33, rl, 3, &levels, &inner,
				      &ilen), -EINVAL);
	buf[37] = 34;
	buf[38 + 34 + 1] = DHCP6_OPT_RELAY_MSG;
	buf[38 + 34 + 3] = 4;
	buf[38 + 34 + 4] = DHCP6_SOLICIT;
	buf[37] = 34 + 8;
	assert_int_equal(dhcp6_unwrap(buf, 38 + 34 + 8, rl, 3, &levels, &inner,
				      &ilen), 0);
	assert_int_equal(levels, 2);
}

/* S46_CONT_LW by hand: one bind, sub-options skipped, refusals. */
static void test_s46_lw_parse(void **state)
{
	uint8_t c[] = {
		0, 90, 0, 16, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 2,
		0, 77, 0, 1, 0xee,			/* unknown */
		0, 92, 0, 5 + 5 + 8 + 5,
		198, 51, 100, 7, 36,			/* /36 */
		0x20, 0x01, 0x0d, 0xb8, 0x1f,		/* low nibble set */
		0, 93, 0, 4, 0, 16, 0xff, 0xff,		/* 0, 65535/16 */
		0, 77, 0, 1, 0xee,			/* unknown */
	};
	const size_t bind = 20 + 5, pp = bind + 4 + 10;
	struct s46_lw lw;
	struct in6_addr want = a6("2001:db8:1000::");
	size_t i;

	(void)state;
	assert_int_equal(s46_lw_parse(c, sizeof(c), &lw), 0);
	assert_int_equal(lw.n_br, 1);
	assert_int_equal(lw.br[0].s6_addr[15], 2);
	assert_true(lw.has_bind);
	assert_int_equal(lw.ipv4, a4("198.51.100.7"));
	assert_int_equal(lw.prefix_len, 36);
	assert_memory_equal(&lw.prefix, &want, 16);
	assert_true(lw.has_portparams);
	assert_int_equal(lw.offset, 0);
	assert_int_equal(lw.psid_len, 16);
	assert_int_equal(lw.psid, 0xffff);

	/* Empty: nothing, fine. */
	assert_int_equal(s46_lw_parse(c, 0, &lw), 0);
	assert_int_equal(lw.n_br, 0);
	assert_false(lw.has_bind);

	/* Cut anywhere but between sub-options. */
	for (i = 0; i < sizeof(c); i++) {
		int want_r = i == 0 || i == 20 || i == 25 ? 0 : -EINVAL;

		assert_int_equal(s46_lw_parse(c, i, &lw), want_r);
		if (want_r)
			assert_false(lw.has_bind);
	}

	/* A BR that is not 16 bytes. */
	c[3] = 15;
	assert_int_equal(s46_lw_parse(c, sizeof(c), &lw), -EINVAL);
	c[3] = 16;

	/* offset + psid_len > 16 */
	c[pp + 4] = 1;
	assert_int_equal(s46_lw_parse(c, sizeof(c), &lw), -EINVAL);
	c[pp + 4] = 0;
	/* PSID's low bits */
	c[pp + 5] = 15;
	assert_int_equal(s46_lw_parse(c, sizeof(c), &lw), -EINVAL);
	c[pp + 6] = 0xff;
	c[pp + 7] = 0xfe;
	assert_int_equal(s46_lw_parse(c, sizeof(c), &lw), 0);
	assert_int_equal(lw.psid, 0x7fff);
	c[pp + 5] = 0;
	assert_int_equal(s46_lw_parse(c, sizeof(c), &lw), -EINVAL);
	c[pp + 6] = 0;
	c[pp + 7] = 0;
	assert_int_equal(s46_lw_parse(c, sizeof(c), &lw), 0);
	assert_int_equal(lw.psid_len, 0);
	assert_int_equal(lw.psid, 0);
	/* PORTPARAMS not 4 bytes */
	c[pp + 3] = 3;
	assert_int_equal(s46_lw_parse(c, sizeof(c), &lw), -EINVAL);
	c[pp + 3] = 4;

	/* Prefix length past 128; its bytes past the option. */
	c[bind + 8] = 129;
	assert_int_equal(s46_lw_parse(c, sizeof(c), &lw), -EINVAL);
	c[bind + 8] = 128;	/* 16 bytes: 2 of the sub-options' are left */
	assert_int_equal(s46_lw_parse(c, sizeof(c), &lw), -EINVAL);
	c[bind + 3] = 5 + 4;	/* the option is cut: 4 prefix bytes */
	c[bind + 8] = 33;	/* 5 bytes past 4 */
	assert_int_equal(s46_lw_parse(c, bind + 4 + 9, &lw), -EINVAL);
	c[bind + 8] = 32;
	assert_int_equal(s46_lw_parse(c, bind + 4 + 9, &lw), 0);
	assert_int_equal(lw.prefix_len, 32);
	assert_false(lw.has_portparams);
	/* A V4V6BIND shorter than 5 */
	c[bind + 3] = 4;
	assert_int_equal(s46_lw_parse(c, bind + 8, &lw), -EINVAL);
}

static void test_s46_lw_more(void **state)
{
	uint8_t mem[DHCP6_MAX_LEN];
	struct s46_lw lw = { 0 }, back;
	struct dhcp6_buf b;
	struct dhcp6_msg m;
	size_t n, i;

	(void)state;
	/* Five BRs: four are kept and sent. */
	lw.n_br = DHCP6_MAX_BR;
	for (i = 0; i < DHCP6_MAX_BR; i++)
		lw.br[i].s6_addr[15] = (uint8_t)(i + 1);
	dhcp6_begin(&b, mem, sizeof(mem), DHCP6_REPLY, 1);
	dhcp6_put_s46_lw(&b, &lw);
	n = dhcp6_end(&b);
	assert_int_equal(n, 4 + 4 + DHCP6_MAX_BR * 20);
	assert_int_equal(dhcp6_parse(mem, n, &m), 0);
	assert_int_equal(s46_lw_parse(m.cont_lw, m.cont_lw_len, &back), 0);
	assert_int_equal(back.n_br, DHCP6_MAX_BR);
	assert_false(back.has_bind);

	/* Two binds. */
	{
		uint8_t c[] = { 0, 92, 0, 5, 1, 2, 3, 4, 0,
				0, 92, 0, 5, 1, 2, 3, 4, 0 };

		assert_int_equal(s46_lw_parse(c, 9, &back), 0);
		assert_true(back.has_bind);
		assert_int_equal(back.prefix_len, 0);
		assert_int_equal(s46_lw_parse(c, sizeof(c), &back), -EINVAL);
	}
	/* Five BRs on the wire. */
	{
		uint8_t c[5 * 20] = { 0 };

		for (i = 0; i < 5; i++) {
			c[20 * i + 1] = 90;
			c[20 * i + 3] = 16;
			c[20 * i + 19] = (uint8_t)i;
		}
		assert_int_equal(s46_lw_parse(c, sizeof(c), &back), 0);
		assert_int_equal(back.n_br, DHCP6_MAX_BR);
		assert_int_equal(back.br[3].s6_addr[15], 3);
	}
}

static void test_s46_lw_source(void **state)
{
	struct s46_lw lw = { 0 };
	struct in6_addr out, want;

	(void)state;
	assert_int_equal(s46_lw_source(&lw, &out), -EINVAL);	/* no bind */
	lw.has_bind = true;
	lw.ipv4 = a4("192.0.2.1");
	lw.has_portparams = true;
	lw.offset = 6;
	lw.psid_len = 8;
	lw.psid = 0x34;

	lw.prefix_len = 64;
	lw.prefix = a6("2001:db8:1:2::");
	assert_int_equal(s46_lw_source(&lw, &out), 0);
	want = a6("2001:db8:1:2:0:c000:201:34");
	assert_memory_equal(&out, &want, 16);

	lw.prefix_len = 56;
	lw.prefix = a6("2001:db8:1:200::");
	assert_int_equal(s46_lw_source(&lw, &out), 0);
	want = a6("2001:db8:1:200:0:c000:201:34");
	assert_memory_equal(&out, &want, 16);

	/* Without port parameters: PSID 0 (a full address). */
	lw.has_portparams = false;
	assert_int_equal(s46_lw_source(&lw, &out), 0);
	want = a6("2001:db8:1:200:0:c000:201:0");
	assert_memory_equal(&out, &want, 16);
	lw.has_portparams = true;

	lw.prefix_len = 128;
	lw.prefix = a6("2001:db8::42");
	assert_int_equal(s46_lw_source(&lw, &out), 0);
	assert_memory_equal(&out, &lw.prefix, 16);

	lw.prefix_len = 0;
	lw.prefix = a6("::");
	assert_int_equal(s46_lw_source(&lw, &out), 0);
	want = a6("::c000:201:34");
	assert_memory_equal(&out, &want, 16);

	lw.prefix = a6("2001:db8::42");
	lw.prefix_len = 65;
	assert_int_equal(s46_lw_source(&lw, &out), -EINVAL);
	lw.prefix_len = 127;
	assert_int_equal(s46_lw_source(&lw, &out), -EINVAL);
	lw.prefix_len = 129;
	assert_int_equal(s46_lw_source(&lw, &out), -EINVAL);
}

static void test_build_overflow(void **state)
{
	uint8_t mem[64], big[DHCP6_MAX_LEN];
	struct in6_addr z = IN6ADDR_ANY_INIT;
	struct s46_lw lw = { 0 };
	struct dhcp6_buf b;
	size_t cap;

	(void)state;
	for (cap = 0; cap < 4; cap++) {
		dhcp6_begin(&b, mem, cap, DHCP6_SOLICIT, 1);
		assert_int_equal(dhcp6_end(&b), 0);
	}
	dhcp6_begin(&b, mem, 4, DHCP6_SOLICIT, 1);
	assert_int_equal(dhcp6_end(&b), 4);
	dhcp6_relay_begin(&b, mem, 33, DHCP6_RELAY_FORW, 0, &z, &z);
	assert_int_equal(dhcp6_end(&b), 0);
	dhcp6_relay_begin(&b, mem, 34, DHCP6_RELAY_FORW, 0, &z, &z);
	assert_int_equal(dhcp6_end(&b), 34);

	/* An option that just fits, one byte more does not. */
	dhcp6_begin(&b, mem, 16, DHCP6_SOLICIT, 1);
	dhcp6_put(&b, 99, big, 8);
	assert_int_equal(dhcp6_end(&b), 16);
	dhcp6_begin(&b, mem, 16, DHCP6_SOLICIT, 1);
	dhcp6_put(&b, 99, big, 9);
	assert_int_equal(dhcp6_end(&b), 0);
	/* and it stays failed after an option that would fit */
	dhcp6_put(&b, 99, NULL, 0);
	assert_int_equal(dhcp6_end(&b), 0);

	dhcp6_begin(&b, mem, 9, DHCP6_SOLICIT, 1);
	dhcp6_put_u16(&b, DHCP6_OPT_ELAPSED_TIME, 1);
	assert_int_equal(dhcp6_end(&b), 0);
	dhcp6_begin(&b, mem, 10, DHCP6_SOLICIT, 1);
	dhcp6_put_u16(&b, DHCP6_OPT_ELAPSED_TIME, 0x1234);
	assert_int_equal(dhcp6_end(&b), 10);
	assert_memory_equal(mem + 4, ((uint8_t[]){ 0, 8, 0, 2, 0x12, 0x34 }), 6);

	dhcp6_begin(&b, mem, 11, DHCP6_REPLY, 1);
	dhcp6_put_status(&b, 3, "ab");
	assert_int_equal(dhcp6_end(&b), 0);
	dhcp6_begin(&b, mem, 12, DHCP6_REPLY, 1);
	dhcp6_put_status(&b, 3, "a");
	assert_int_equal(dhcp6_end(&b), 11);
	assert_memory_equal(mem + 4, ((uint8_t[]){ 0, 13, 0, 3, 0, 3, 'a' }), 7);
	dhcp6_begin(&b, mem, 12, DHCP6_REPLY, 1);
	dhcp6_put_status(&b, 0, NULL);
	assert_int_equal(dhcp6_end(&b), 10);

	/* An option larger than 65535 bytes cannot be. */
	dhcp6_begin(&b, big, sizeof(big), DHCP6_REPLY, 1);
	dhcp6_put(&b, 99, big, 0x10000);
	assert_int_equal(dhcp6_end(&b), 0);

	/* S46_CONT_LW: cut at each point; a PSID that does not fit. */
	lw.n_br = 1;
	lw.has_bind = true;
	lw.prefix_len = 64;
	lw.has_portparams = true;
	lw.psid_len = 4;
	lw.psid = 15;
	/* 4 + 4 + 20 + 4 + 5 + 8 + 8 = 53 */
	for (cap = 0; cap < 53; cap++) {
		dhcp6_begin(&b, big, cap, DHCP6_REPLY, 1);
		dhcp6_put_s46_lw(&b, &lw);
		assert_int_equal(dhcp6_end(&b), 0);
	}
	dhcp6_begin(&b, big, 53, DHCP6_REPLY, 1);
	dhcp6_put_s46_lw(&b, &lw);
	assert_int_equal(dhcp6_end(&b), 53);
	lw.psid = 16;
	dhcp6_begin(&b, big, sizeof(big), DHCP6_REPLY, 1);
	dhcp6_put_s46_lw(&b, &lw);
	assert_int_equal(dhcp6_end(&b), 0);
	lw.psid = 1;
	lw.offset = 13;
	dhcp6_begin(&b, big, sizeof(big), DHCP6_REPLY, 1);
	dhcp6_put_s46_lw(&b, &lw);
	assert_int_equal(dhcp6_end(&b), 0);
	lw.offset = 0;
	lw.prefix_len = 129;
	dhcp6_begin(&b, big, sizeof(big), DHCP6_REPLY, 1);
	dhcp6_put_s46_lw(&b, &lw);
	assert_int_equal(dhcp6_end(&b), 0);
}

static void test_duid_names(void **state)
{
	static const uint8_t mac[6] = { 2, 0x11, 0x22, 0x33, 0x44, 0x55 };
	uint8_t out[DHCP6_DUID_MAX];

	(void)state;
	assert_int_equal(dhcp6_duid_ll(mac, out), 10);
	assert_memory_equal(out, ((uint8_t[]){ 0, 3, 0, 1, 2, 0x11, 0x22, 0x33,
					       0x44, 0x55 }), 10);
	assert_string_equal(dhcp6_type_name(DHCP6_DHCPV4_QUERY), "DHCPV4-QUERY");
	assert_string_equal(dhcp6_type_name(DHCP6_DHCPV4_RESPONSE),
			    "DHCPV4-RESPONSE");
	assert_string_equal(dhcp6_type_name(DHCP6_RELAY_FORW), "RELAY-FORW");
	assert_string_equal(dhcp6_type_name(DHCP6_SOLICIT), "SOLICIT");
	assert_string_equal(dhcp6_type_name(0), "unknown");
	assert_string_equal(dhcp6_type_name(19), "unknown");
	assert_string_equal(dhcp6_type_name(255), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query_round_trip),
		cmocka_unit_test(test_relay_round_trip),
		cmocka_unit_test(test_reply_cont_lw),
		cmocka_unit_test(test_parse_refusals),
		cmocka_unit_test(test_parse_options),
		cmocka_unit_test(test_relay_parse),
		cmocka_unit_test(test_unwrap_limits),
		cmocka_unit_test(test_s46_lw_parse),
		cmocka_unit_test(test_s46_lw_more),
		cmocka_unit_test(test_s46_lw_source),
		cmocka_unit_test(test_build_overflow),
		cmocka_unit_test(test_duid_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
