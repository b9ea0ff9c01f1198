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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query_round_trip),
		cmocka_unit_test(test_relay_round_trip),
		cmocka_unit_test(test_reply_cont_lw),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
