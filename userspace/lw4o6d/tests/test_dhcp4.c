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

/* A minimal message: BOOTREQUEST, Ethernet, the cookie; then opts. */
static size_t raw(uint8_t *out, const uint8_t *opts, size_t n)
{
	memset(out, 0, DHCP4_MIN_LEN);
	out[0] = 1;
	out[1] = 1;
	out[2] = 6;
	out[236] = 0x63;
	out[237] = 0x82;
	out[238] = 0x53;
	out[239] = 0x63;
	memcpy(out + DHCP4_MIN_LEN, opts, n);
	return DHCP4_MIN_LEN + n;
}

static int parse_opts(const uint8_t *opts, size_t n)
{
	uint8_t buf[DHCP4_MAX_LEN];
	struct dhcp4_msg m;
	int r = dhcp4_parse(buf, raw(buf, opts, n), &m);

	if (r < 0) {
		assert_int_equal(m.op, 0);
		assert_null(m.client_id);
		assert_null(m.params);
		assert_int_equal(m.type, 0);
	}
	return r;
}

#define OPTS(...) parse_opts((const uint8_t[]){ __VA_ARGS__ }, \
			     sizeof((const uint8_t[]){ __VA_ARGS__ }))

/* A DISCOVER written by hand, field by field (RFC 2131 2, RFC 2132). */
static void test_wire_discover(void **state)
{
	uint8_t buf[DHCP4_BOOTP_MIN];
	struct dhcp4_msg m;

	(void)state;
	memset(buf, 0, sizeof(buf));
	memcpy(buf, (uint8_t[]){
		1, 1, 6, 2,			/* op htype hlen hops */
		0xca, 0xfe, 0xba, 0xbe,		/* xid */
		0, 9, 0x80, 0,			/* secs 9, broadcast */
		10, 0, 0, 1, 10, 0, 0, 2,	/* ciaddr yiaddr */
		10, 0, 0, 3, 10, 0, 0, 4,	/* siaddr giaddr */
		2, 0, 0, 0, 0, 9 }, 34);
	memcpy(buf + 236, (uint8_t[]){
		0x63, 0x82, 0x53, 0x63,
		53, 1, 1,
		0, 0,				/* PAD */
		50, 4, 192, 0, 2, 9,
		55, 4, 1, 3, 159, 109,
		61, 7, 1, 2, 0, 0, 0, 0, 9,
		109, 16, 0x20, 0x01, 0x0d, 0xb8, 0, 1, 2, 0,
			0, 0, 0xc0, 0, 2, 1, 0, 3,
		255,
		53, 1, 99,			/* past END: not read */
	}, 4 + 3 + 2 + 6 + 6 + 9 + 18 + 1 + 3);
	assert_int_equal(dhcp4_parse(buf, sizeof(buf), &m), 0);
	assert_int_equal(m.op, 1);
	assert_int_equal(m.hops, 2);
	assert_int_equal(m.xid, 0xcafebabe);
	assert_int_equal(m.secs, 9);
	assert_int_equal(m.flags, DHCP4_FLAG_BROADCAST);
	assert_int_equal(m.ciaddr, a4("10.0.0.1"));
	assert_int_equal(m.yiaddr, a4("10.0.0.2"));
	assert_int_equal(m.siaddr, a4("10.0.0.3"));
	assert_int_equal(m.giaddr, a4("10.0.0.4"));
	assert_int_equal(m.chaddr[5], 9);
	assert_int_equal(m.type, DHCP4_DISCOVER);
	assert_true(m.has_requested_ip);
	assert_int_equal(m.requested_ip, a4("192.0.2.9"));
	assert_int_equal(m.params_len, 4);
	assert_true(dhcp4_param_requested(&m, 159));
	assert_int_equal(m.client_id_len, 7);
	assert_true(m.has_saddr);
	assert_int_equal(m.saddr.s6_addr[15], 3);
	assert_false(m.has_server_id);
	assert_false(m.has_lease_time);
	assert_false(m.has_portparams);
	assert_null(m.message);
}

static void test_parse_refusals(void **state)
{
	uint8_t buf[DHCP4_MAX_LEN], opts[80];
	struct dhcp4_msg m;
	size_t n, i;

	(void)state;
	n = raw(buf, NULL, 0);
	assert_int_equal(dhcp4_parse(buf, n, &m), 0);
	assert_int_equal(m.type, 0);	/* BOOTP */
	for (i = 0; i < DHCP4_MIN_LEN; i++)
		assert_int_equal(dhcp4_parse(buf, i, &m), -EINVAL);
	assert_int_equal(dhcp4_parse(NULL, n, &m), -EINVAL);
	/* The cookie, byte by byte. */
	for (i = 236; i < 240; i++) {
		buf[i] ^= 0x01;
		assert_int_equal(dhcp4_parse(buf, n, &m), -EINVAL);
		buf[i] ^= 0x01;
	}
	/* hlen */
	buf[2] = 16;
	assert_int_equal(dhcp4_parse(buf, n, &m), 0);
	buf[2] = 17;
	assert_int_equal(dhcp4_parse(buf, n, &m), -EINVAL);
	buf[2] = 255;
	assert_int_equal(dhcp4_parse(buf, n, &m), -EINVAL);

	/* Options cut short, running past the end. */
	assert_int_equal(OPTS(53), -EINVAL);
	assert_int_equal(OPTS(53, 1), -EINVAL);
	assert_int_equal(OPTS(12, 3, 'a', 'b'), -EINVAL);
	assert_int_equal(OPTS(12, 255, 'a'), -EINVAL);
	assert_int_equal(OPTS(12, 2, 'a', 'b'), 0);
	assert_int_equal(OPTS(0, 0, 0), 0);
	assert_int_equal(OPTS(255, 1), 0);	/* past END: not read */
	assert_int_equal(OPTS(0, 0, 200), -EINVAL);

	/* 53: length 1, value 1..15. */
	assert_int_equal(OPTS(53, 0), -EINVAL);
	assert_int_equal(OPTS(53, 2, 1, 0), -EINVAL);
	assert_int_equal(OPTS(53, 1, 0), -EINVAL);
	assert_int_equal(OPTS(53, 1, 16), -EINVAL);
	for (i = 1; i <= 15; i++)
		assert_int_equal(OPTS(53, 1, (uint8_t)i), 0);

	/* 1, 50, 51, 54, 58, 59, 152 of 4 bytes only. */
	{
		static const uint8_t four[] = { 1, 50, 51, 54, 58, 59, 152 };

		for (i = 0; i < sizeof(four); i++) {
			size_t l;

			for (l = 0; l <= 8; l++) {
				memset(opts, 0, sizeof(opts));
				opts[0] = four[i];
				opts[1] = (uint8_t)l;
				assert_int_equal(parse_opts(opts, 2 + l),
						 l == 4 ? 0 : -EINVAL);
			}
		}
	}
	/* 109 of 16 */
	for (i = 0; i <= 20; i++) {
		memset(opts, 0, sizeof(opts));
		opts[0] = 109;
		opts[1] = (uint8_t)i;
		assert_int_equal(parse_opts(opts, 2 + i), i == 16 ? 0 : -EINVAL);
	}
	/* 61 of 2..DHCP4_CLIENT_ID_MAX */
	for (i = 0; i <= DHCP4_CLIENT_ID_MAX + 2; i++) {
		memset(opts, 0, sizeof(opts));
		opts[0] = 61;
		opts[1] = (uint8_t)i;
		assert_int_equal(parse_opts(opts, 2 + i),
				 i >= 2 && i <= DHCP4_CLIENT_ID_MAX ? 0 : -EINVAL);
	}
	/* 156 of 1, 151 of at least 1 */
	assert_int_equal(OPTS(156, 0), -EINVAL);
	assert_int_equal(OPTS(156, 2, 1, 1), -EINVAL);
	assert_int_equal(OPTS(156, 1, 2), 0);
	assert_int_equal(OPTS(151, 0), -EINVAL);
	assert_int_equal(OPTS(151, 1, 0), 0);
	assert_int_equal(OPTS(151, 3, 1, 'n', 'o'), 0);

	/* 52: overload is not supported. */
	assert_int_equal(OPTS(52, 1, 1), -EINVAL);
	assert_int_equal(OPTS(52, 1, 3), -EINVAL);

	/* 159: length 4, offset + psid_len <= 16, PSID low bits zero. */
	assert_int_equal(OPTS(159, 3, 6, 4, 0x30), -EINVAL);
	assert_int_equal(OPTS(159, 5, 6, 4, 0x30, 0, 0), -EINVAL);
	assert_int_equal(OPTS(159, 4, 6, 4, 0x30, 0), 0);
	assert_int_equal(OPTS(159, 4, 6, 4, 0x30, 0x01), -EINVAL);
	assert_int_equal(OPTS(159, 4, 6, 4, 0x38, 0), -EINVAL);
	assert_int_equal(OPTS(159, 4, 6, 10, 0xff, 0xc0), 0);
	assert_int_equal(OPTS(159, 4, 6, 11, 0xff, 0xe0), -EINVAL);
	assert_int_equal(OPTS(159, 4, 17, 0, 0, 0), -EINVAL);
	assert_int_equal(OPTS(159, 4, 0, 16, 0xff, 0xff), 0);
	assert_int_equal(OPTS(159, 4, 0, 0, 0, 1), -EINVAL);
	assert_int_equal(OPTS(159, 4, 0, 0, 0, 0), 0);
	assert_int_equal(OPTS(159, 4, 255, 255, 0, 0), -EINVAL);

	/* A bad repeat is malformed too, a good one ignored. */
	assert_int_equal(OPTS(53, 1, 3, 53, 1, 0), -EINVAL);
	assert_int_equal(OPTS(159, 4, 6, 4, 0x30, 0, 159, 4, 6, 4, 0x30, 1),
			 -EINVAL);
}

static void test_parse_values(void **state)
{
	static const uint8_t o[] = {
		53, 1, 13, 53, 1, 5,
		54, 4, 192, 0, 2, 254, 54, 4, 1, 1, 1, 1,
		51, 4, 0, 0, 0x0e, 0x10,
		58, 4, 0, 0, 0x07, 0x08,
		59, 4, 0, 0, 0x0c, 0x4e,
		159, 4, 2, 6, 0x04, 0x00,
		159, 4, 0, 0, 0, 0,
		151, 2, 0, 'x', 151, 1, 3,
		156, 1, 2,
		56, 2, 'h', 'i', 56, 0,
		55, 0, 55, 1, 3,
		61, 2, 0, 9, 61, 3, 0, 9, 9,
	};
	uint8_t buf[DHCP4_MAX_LEN];
	struct dhcp4_msg m;
	size_t n;

	(void)state;
	n = raw(buf, o, sizeof(o));
	assert_int_equal(dhcp4_parse(buf, n, &m), 0);
	assert_int_equal(m.type, DHCP4_LEASEACTIVE);
	assert_int_equal(m.server_id, a4("192.0.2.254"));
	assert_int_equal(m.lease_time, 3600);
	assert_int_equal(m.t1, 1800);
	assert_int_equal(m.t2, 3150);
	assert_true(m.has_t1 && m.has_t2 && m.has_lease_time);
	assert_true(m.has_portparams);
	assert_int_equal(m.offset, 2);
	assert_int_equal(m.psid_len, 6);
	assert_int_equal(m.psid, 1);
	assert_true(m.has_lq_status);
	assert_int_equal(m.lq_status, 0);
	assert_true(m.has_lq_state);
	assert_int_equal(m.lq_state, 2);
	assert_int_equal(m.message_len, 2);
	assert_memory_equal(m.message, "hi", 2);
	assert_non_null(m.params);
	assert_int_equal(m.params_len, 0);
	assert_false(dhcp4_param_requested(&m, 3));
	assert_int_equal(m.client_id_len, 2);
	assert_false(m.has_requested_ip);
}

static void test_find_opt(void **state)
{
	uint8_t buf[DHCP4_MAX_LEN];
	const uint8_t *d = NULL;
	uint8_t dl = 0;
	size_t n;

	(void)state;
	n = raw(buf, (const uint8_t[]){ 0, 82, 3, 1, 1, 7, 53, 1, 1, 82, 1, 5,
					 255, 99, 1, 1 }, 16);
	assert_int_equal(dhcp4_find_opt(buf, n, 82, &d, &dl), 0);
	assert_int_equal(dl, 3);
	assert_ptr_equal(d, buf + 243);
	assert_int_equal(dhcp4_find_opt(buf, n, 53, &d, &dl), 0);
	assert_int_equal(d[0], 1);
	assert_int_equal(dhcp4_find_opt(buf, n, 99, &d, &dl), -ENOENT);
	assert_int_equal(dhcp4_find_opt(buf, n, 0, &d, &dl), -ENOENT);
	assert_int_equal(dhcp4_find_opt(buf, n, 255, &d, &dl), -ENOENT);
	assert_int_equal(dhcp4_find_opt(buf, 239, 82, &d, &dl), -ENOENT);
	assert_int_equal(dhcp4_find_opt(buf, 245, 82, &d, &dl), -ENOENT);
	assert_int_equal(dhcp4_find_opt(buf, 246, 82, &d, &dl), 0);
	buf[236] = 0;
	assert_int_equal(dhcp4_find_opt(buf, n, 82, &d, &dl), -ENOENT);
	/* A message built with extra options: they are found. */
	{
		struct dhcp4_msg m;
		uint8_t out[DHCP4_MAX_LEN];

		discover(&m);
		n = dhcp4_build(&m, (const uint8_t[]){ 82, 2, 1, 0 }, 4, out,
				sizeof(out));
		assert_int_equal(dhcp4_find_opt(out, n, 82, &d, &dl), 0);
		assert_int_equal(dl, 2);
	}
}

static void test_build_layout(void **state)
{
	static const uint8_t extra[] = { 82, 3, 1, 1, 0x42 };
	uint8_t out[DHCP4_MAX_LEN], big[DHCP4_MAX_LEN], msgtext[200];
	struct dhcp4_msg m, back;
	size_t n, i, end, full;

	(void)state;
	/* A bare BOOTP message: cookie, END, zeros up to 300. */
	memset(&m, 0, sizeof(m));
	m.op = 2;
	memset(out, 0xaa, sizeof(out));
	n = dhcp4_build(&m, NULL, 0, out, sizeof(out));
	assert_int_equal(n, DHCP4_BOOTP_MIN);
	assert_int_equal(out[240], 255);
	for (i = 241; i < DHCP4_BOOTP_MIN; i++)
		assert_int_equal(out[i], 0);
	for (i = 4; i < 236; i++)
		assert_int_equal(out[i], 0);
	assert_int_equal(out[DHCP4_BOOTP_MIN], 0xaa);

	/* Options before END in order, extra last, END, padding. */
	discover(&m);
	m.has_portparams = true;
	m.offset = 6;
	m.psid_len = 4;
	m.psid = 3;
	m.has_lq_state = true;
	m.lq_state = 4;
	m.has_lq_status = true;
	m.lq_status = 1;
	m.message = (const uint8_t *)"no";
	m.message_len = 2;
	n = dhcp4_build(&m, extra, sizeof(extra), out, sizeof(out));
	assert_int_equal(n, DHCP4_BOOTP_MIN);
	end = 240 + 3 + 9 + 6 + 18 + 6 + 3 + 3 + 4 + sizeof(extra);
	assert_memory_equal(out + end - sizeof(extra), extra, sizeof(extra));
	assert_int_equal(out[end], 255);
	for (i = end + 1; i < n; i++)
		assert_int_equal(out[i], 0);
	assert_int_equal(dhcp4_parse(out, n, &back), 0);
	assert_int_equal(back.lq_state, 4);
	assert_int_equal(back.lq_status, 1);
	assert_int_equal(back.message_len, 2);
	assert_int_equal(back.psid, 3);

	/* Too small a buffer: 0, whatever the cut. */
	for (i = 0; i < DHCP4_BOOTP_MIN; i++)
		assert_int_equal(dhcp4_build(&m, extra, sizeof(extra), out, i), 0);
	assert_int_equal(dhcp4_build(&m, NULL, 0, NULL, sizeof(out)), 0);

	/* Past 300: no padding, exactly END + 1. */
	memset(msgtext, 'm', sizeof(msgtext));
	m.message = msgtext;
	m.message_len = 200;
	full = dhcp4_build(&m, extra, sizeof(extra), big, sizeof(big));
	assert_int_equal(full, end + 200 - 2 + 1);
	assert_int_equal(big[full - 1], 255);
	for (i = 0; i < full; i++)
		assert_int_equal(dhcp4_build(&m, extra, sizeof(extra), out, i), 0);
	assert_int_equal(dhcp4_build(&m, extra, sizeof(extra), out, full), full);
	assert_memory_equal(out, big, full);

	/* What cannot be built: a PSID too wide, offset + psid_len > 16,
	 * hlen > 16, extra bytes not given. */
	discover(&m);
	m.has_portparams = true;
	m.psid_len = 4;
	m.psid = 16;
	assert_int_equal(dhcp4_build(&m, NULL, 0, out, sizeof(out)), 0);
	m.psid = 15;
	assert_int_not_equal(dhcp4_build(&m, NULL, 0, out, sizeof(out)), 0);
	m.offset = 13;
	assert_int_equal(dhcp4_build(&m, NULL, 0, out, sizeof(out)), 0);
	m.offset = 0;
	m.psid_len = 16;
	m.psid = 0xffff;
	n = dhcp4_build(&m, NULL, 0, out, sizeof(out));
	assert_int_equal(dhcp4_parse(out, n, &back), 0);
	assert_int_equal(back.psid, 0xffff);
	m.psid_len = 0;
	m.psid = 0;
	n = dhcp4_build(&m, NULL, 0, out, sizeof(out));
	assert_int_equal(dhcp4_parse(out, n, &back), 0);
	assert_true(back.has_portparams);
	assert_int_equal(back.psid_len, 0);
	m.hlen = 17;
	assert_int_equal(dhcp4_build(&m, NULL, 0, out, sizeof(out)), 0);
	m.hlen = 6;
	assert_int_equal(dhcp4_build(&m, NULL, 3, out, sizeof(out)), 0);
}

static void test_tcp_frame_limits(void **state)
{
	uint8_t buf[2 + DHCP4_MAX_LEN + 10] = { 0 };

	(void)state;
	buf[0] = DHCP4_MIN_LEN >> 8;
	buf[1] = DHCP4_MIN_LEN & 0xff;
	assert_int_equal(dhcp4_tcp_frame(buf, 2 + DHCP4_MIN_LEN - 1), 0);
	assert_int_equal(dhcp4_tcp_frame(buf, 2 + DHCP4_MIN_LEN), DHCP4_MIN_LEN);
	assert_int_equal(dhcp4_tcp_frame(buf, sizeof(buf)), DHCP4_MIN_LEN);
	buf[1]--;
	assert_int_equal(dhcp4_tcp_frame(buf, 2), -EINVAL);
	assert_int_equal(dhcp4_tcp_frame(buf, sizeof(buf)), -EINVAL);
	buf[0] = 0;
	buf[1] = 0;
	assert_int_equal(dhcp4_tcp_frame(buf, sizeof(buf)), -EINVAL);
	buf[0] = DHCP4_MAX_LEN >> 8;
	buf[1] = DHCP4_MAX_LEN & 0xff;
	assert_int_equal(dhcp4_tcp_frame(buf, 2 + DHCP4_MAX_LEN - 1), 0);
	assert_int_equal(dhcp4_tcp_frame(buf, 2 + DHCP4_MAX_LEN), DHCP4_MAX_LEN);
	buf[1]++;
	assert_int_equal(dhcp4_tcp_frame(buf, sizeof(buf)), -EINVAL);
	buf[0] = 0xff;
	buf[1] = 0xff;
	assert_int_equal(dhcp4_tcp_frame(buf, 2), -EINVAL);
	assert_int_equal(dhcp4_tcp_frame(NULL, 0), 0);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(dhcp4_type_name(DHCP4_DISCOVER), "DISCOVER");
	assert_string_equal(dhcp4_type_name(DHCP4_REQUEST), "REQUEST");
	assert_string_equal(dhcp4_type_name(DHCP4_ACK), "ACK");
	assert_string_equal(dhcp4_type_name(DHCP4_BULKLEASEQUERY),
			    "BULKLEASEQUERY");
	assert_string_equal(dhcp4_type_name(DHCP4_LEASEQUERYDONE),
			    "LEASEQUERYDONE");
	assert_string_equal(dhcp4_type_name(0), "BOOTP");
	assert_string_equal(dhcp4_type_name(16), "unknown");
	assert_string_equal(dhcp4_type_name(255), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_discover_round_trip),
		cmocka_unit_test(test_ack_portparams),
		cmocka_unit_test(test_tcp_frame),
		cmocka_unit_test(test_wire_discover),
		cmocka_unit_test(test_parse_refusals),
		cmocka_unit_test(test_parse_values),
		cmocka_unit_test(test_find_opt),
		cmocka_unit_test(test_build_layout),
		cmocka_unit_test(test_tcp_frame_limits),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
