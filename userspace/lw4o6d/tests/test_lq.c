// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Bulk leasequery messages (lq_msg.c): each built message read back
 * through the codec (dhcp4_tcp_frame, dhcp4_parse), the query a server
 * accepts and the ones it does not, and a LEASEACTIVE as a binding.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "log.h"
#include "lq_msg.h"

#include "tests/cmocka_wrap.h"

/* Unframes buf (n bytes) into m; the message's length. */
static size_t unframe(const uint8_t *buf, size_t n, struct dhcp4_msg *m)
{
	int fl = dhcp4_tcp_frame(buf, n);

	assert_true(fl > 0);
	assert_int_equal((size_t)fl + 2, n);
	assert_int_equal(dhcp4_tcp_frame(buf, n - 1), 0);	/* one byte short */
	assert_int_equal(dhcp4_parse(buf + 2, (size_t)fl, m), 0);
	return (size_t)fl;
}

static void test_query(void **state)
{
	uint8_t buf[LQ_FRAME_MAX];
	struct dhcp4_msg m;
	size_t n;

	(void)state;
	n = lq_build_query(0x1234, buf, sizeof(buf));
	assert_true(n > 0);
	unframe(buf, n, &m);
	assert_int_equal(m.op, 1);
	assert_int_equal(m.type, DHCP4_BULKLEASEQUERY);
	assert_int_equal(m.xid, 0x1234);
	assert_int_equal(m.ciaddr, 0);
	assert_null(m.client_id);
	assert_true(dhcp4_param_requested(&m, DHCP4_OPT_V4_PORTPARAMS));
	assert_true(dhcp4_param_requested(&m, DHCP4_OPT_S46_SADDR));
	assert_true(dhcp4_param_requested(&m, DHCP4_OPT_LEASE_TIME));
	assert_int_equal(lq_check_query(&m), 0);
	assert_int_equal(lq_build_query(1, buf, 100), 0);	/* no room */
}

static void test_check_query(void **state)
{
	uint8_t buf[LQ_FRAME_MAX];
	struct dhcp4_msg m, q;

	(void)state;
	unframe(buf, lq_build_query(7, buf, sizeof(buf)), &q);
	m = q;
	m.ciaddr = htonl(0xc0000201);
	assert_int_equal(lq_check_query(&m), -EOPNOTSUPP);	/* by address */
	m = q;
	m.hlen = 6;
	m.chaddr[5] = 1;
	assert_int_equal(lq_check_query(&m), -EOPNOTSUPP);	/* by MAC */
	m = q;
	m.client_id = (const uint8_t *)"\x01\x02";
	m.client_id_len = 2;
	assert_int_equal(lq_check_query(&m), -EOPNOTSUPP);	/* by client id */
	m = q;
	m.op = 2;
	assert_int_equal(lq_check_query(&m), -EINVAL);
	m = q;
	m.type = DHCP4_DISCOVER;
	assert_int_equal(lq_check_query(&m), -EINVAL);
	m = q;
	m.type = DHCP4_LEASEQUERY;	/* RFC 4388's single query: UDP, not ours */
	assert_int_equal(lq_check_query(&m), -EINVAL);
}

static struct lw4o6_mapping lease(void)
{
	struct lw4o6_mapping m;

	memset(&m, 0, sizeof(m));
	inet_pton(AF_INET6, "2001:db8:1::2", &m.b4);
	m.ipv4 = htonl(0xc0000264);	/* 192.0.2.100 */
	m.offset = 6;
	m.psid_len = 4;
	m.psid = 3;
	memcpy(m.nonce, "D4o6\x01\x02\x03\x04\x05\x06\x07\x08", 12);
	return m;
}

static void test_active(void **state)
{
	struct lw4o6_mapping in = lease(), out;
	uint8_t buf[LQ_FRAME_MAX];
	const uint8_t *d;
	uint8_t dl;
	struct dhcp4_msg m;
	uint32_t remaining, base;
	size_t n, len;

	(void)state;
	n = lq_build_active(99, &in, 1234, 1700000000, buf, sizeof(buf));
	assert_true(n > 0);
	len = unframe(buf, n, &m);
	assert_int_equal(m.op, 2);
	assert_int_equal(m.type, DHCP4_LEASEACTIVE);
	assert_int_equal(m.xid, 99);
	assert_int_equal(m.ciaddr, in.ipv4);
	assert_true(m.has_lease_time);
	assert_int_equal(m.lease_time, 1234);
	assert_true(m.has_saddr);
	assert_memory_equal(&m.saddr, &in.b4, 16);
	assert_true(m.has_portparams);
	assert_int_equal(m.psid, 3);
	assert_int_equal(m.psid_len, 4);
	assert_int_equal(m.offset, 6);
	assert_true(m.has_lq_state);
	assert_int_equal(m.lq_state, LQ_STATE_ACTIVE);
	assert_int_equal(dhcp4_find_opt(buf + 2, len, DHCP4_OPT_LQ_BASE_TIME,
					&d, &dl), 0);
	assert_int_equal(dl, 4);
	memcpy(&base, d, 4);
	assert_int_equal(ntohl(base), 1700000000);
	/* on the wire, 159 is left-aligned: 06 04 30 00 */
	assert_int_equal(dhcp4_find_opt(buf + 2, len, DHCP4_OPT_V4_PORTPARAMS,
					&d, &dl), 0);
	assert_int_equal(dl, 4);
	assert_memory_equal(d, "\x06\x04\x30\x00", 4);

	assert_int_equal(lq_parse_active(&m, &out, &remaining), 0);
	assert_int_equal(remaining, 1234);
	assert_int_equal(out.ipv4, in.ipv4);
	assert_int_equal(out.psid, 3);
	assert_int_equal(out.psid_len, 4);
	assert_int_equal(out.offset, 6);
	assert_memory_equal(&out.b4, &in.b4, 16);
}

/* A whole address: 159 says PSID length 0. */
static void test_active_whole(void **state)
{
	struct lw4o6_mapping in = lease(), out;
	uint8_t buf[LQ_FRAME_MAX];
	struct dhcp4_msg m;
	uint32_t remaining;

	(void)state;
	in.offset = 0;
	in.psid_len = 0;
	in.psid = 0;
	unframe(buf, lq_build_active(1, &in, 60, 0, buf, sizeof(buf)), &m);
	assert_int_equal(lq_parse_active(&m, &out, &remaining), 0);
	assert_int_equal(out.psid_len, 0);
	assert_int_equal(out.psid, 0);
}

static void test_parse_active_refuses(void **state)
{
	struct lw4o6_mapping in = lease(), out;
	uint8_t buf[LQ_FRAME_MAX];
	struct dhcp4_msg m, a;
	uint32_t remaining;

	(void)state;
	unframe(buf, lq_build_active(1, &in, 60, 0, buf, sizeof(buf)), &a);
	m = a;
	m.has_saddr = false;
	assert_int_equal(lq_parse_active(&m, &out, &remaining), -EINVAL);
	m = a;
	m.lease_time = 0;
	assert_int_equal(lq_parse_active(&m, &out, &remaining), -EINVAL);
	m = a;
	m.has_lease_time = false;
	assert_int_equal(lq_parse_active(&m, &out, &remaining), -EINVAL);
	m = a;
	m.ciaddr = 0;
	assert_int_equal(lq_parse_active(&m, &out, &remaining), -EINVAL);
	m = a;
	m.type = DHCP4_LEASEQUERYDONE;
	assert_int_equal(lq_parse_active(&m, &out, &remaining), -EINVAL);
}

static void test_done_status(void **state)
{
	uint8_t buf[LQ_FRAME_MAX];
	const uint8_t *d;
	uint8_t dl;
	struct dhcp4_msg m;
	size_t n;
	int fl;

	(void)state;
	unframe(buf, lq_build_done(42, buf, sizeof(buf)), &m);
	assert_int_equal(m.type, DHCP4_LEASEQUERYDONE);
	assert_int_equal(m.xid, 42);
	assert_int_equal(m.op, 2);

	n = lq_build_status(43, LQ_STATUS_UNSPEC_FAIL, "only all", buf,
			    sizeof(buf));
	fl = dhcp4_tcp_frame(buf, n);
	assert_int_equal((size_t)fl + 2, n);
	assert_int_equal(dhcp4_find_opt(buf + 2, (size_t)fl, DHCP4_OPT_MSG_TYPE,
					&d, &dl), 0);
	assert_int_equal(d[0], DHCP4_LEASEQUERYSTATUS);
	assert_int_equal(dhcp4_find_opt(buf + 2, (size_t)fl, DHCP4_OPT_LQ_STATUS,
					&d, &dl), 0);
	assert_int_equal(dl, 9);
	assert_int_equal(d[0], LQ_STATUS_UNSPEC_FAIL);
	assert_memory_equal(d + 1, "only all", 8);
}

static void test_is_dhcp(void **state)
{
	struct lw4o6_mapping m = lease();

	(void)state;
	assert_true(lq_is_dhcp(&m));
	memset(m.nonce, 0x44, sizeof(m.nonce));	/* a PCP nonce */
	assert_false(lq_is_dhcp(&m));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query),
		cmocka_unit_test(test_check_query),
		cmocka_unit_test(test_active),
		cmocka_unit_test(test_active_whole),
		cmocka_unit_test(test_parse_active_refuses),
		cmocka_unit_test(test_done_status),
		cmocka_unit_test(test_is_dhcp),
	};

	log_open(LOG_ERR, false);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
