// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The binding word grammar (bindparse.c), the dev add/set grammar
 * (devparse.c) and the word parsers (utils.c).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>

#include <linux/lw4o6.h>

#include "addrclass.h"
#include "bindparse.h"
#include "devparse.h"
#include "hint.h"
#include "names.h"
#include "strconv.h"

#include "cmocka_wrap.h"

#define MAXW 48

/* Splits a literal into argv words (the grammar never sees quoting). */
static int words(const char *s, char *buf, size_t n, char **argv)
{
	int argc = 0;
	char *p;

	snprintf(buf, n, "%s", s);
	for (p = strtok(buf, " "); p && argc < MAXW; p = strtok(NULL, " "))
		argv[argc++] = p;
	return argc;
}

static char errbuf[256];

static int parse(const char *s, enum bind_use use, struct bind_args *a)
{
	char buf[512], *argv[MAXW];
	int argc = words(s, buf, sizeof(buf), argv);
	int ret;

	errbuf[0] = '\0';
	ret = bind_parse(argc, argv, use, a, errbuf, sizeof(errbuf));
	/* dev points into buf: do not keep it past this call. */
	a->dev = NULL;
	return ret;
}

/* Fails with a message naming the offending word. */
static void bad(const char *s, enum bind_use use, const char *needle)
{
	struct bind_args a;

	if (!parse(s, use, &a))
		fail_msg("accepted: %s", s);
	if (!strstr(errbuf, needle))
		fail_msg("\"%s\": error \"%s\" lacks \"%s\"", s, errbuf, needle);
}

static void test_add_good(void **state)
{
	struct bind_args a;
	struct in6_addr b4, br;

	(void)state;
	assert_int_equal(parse("dev lw0 ipv4 192.0.2.1 psid 3/6 offset 4 b4 2001:db8::2 br 2001:db8::9 replace",
			       BIND_USE_ADD, &a), 0);
	assert_int_equal(a.b.ipv4, inet_addr("192.0.2.1"));
	assert_int_equal(a.b.psid, 3);
	assert_int_equal(a.b.psid_len, 6);
	assert_int_equal(a.b.offset, 4);
	inet_pton(AF_INET6, "2001:db8::2", &b4);
	inet_pton(AF_INET6, "2001:db8::9", &br);
	assert_memory_equal(&a.b.b4, &b4, 16);
	assert_memory_equal(&a.b.br, &br, 16);
	assert_true(a.b.has_br);
	assert_true(a.seen & BIND_SEEN_REPLACE);

	/* Any order; hex PSID; no br; offset defaults to 0 (not RFC 7597's 6). */
	assert_int_equal(parse("b4 2001:db8::2 psid 0x3f/6 ipv4 10.0.0.1 dev x",
			       BIND_USE_ADD, &a), 0);
	assert_int_equal(a.b.psid, 63);
	assert_int_equal(a.b.offset, 0);
	assert_false(a.b.has_br);
	assert_false(a.seen & BIND_SEEN_REPLACE);

	/* psid 0/0: the whole address. */
	assert_int_equal(parse("dev x ipv4 10.0.0.1 psid 0/0 b4 ::2", BIND_USE_ADD, &a), 0);
	assert_int_equal(a.b.psid_len, 0);
	/* The extremes of the shape. */
	assert_int_equal(parse("dev x ipv4 10.0.0.1 psid 65535/16 b4 ::2", BIND_USE_ADD, &a), 0);
	assert_int_equal(a.b.psid, 65535);
	assert_int_equal(parse("dev x ipv4 10.0.0.1 psid 1/1 offset 15 b4 ::2", BIND_USE_ADD, &a), 0);
	assert_int_equal(parse("dev x ipv4 10.0.0.1 psid 0/0 offset 15 b4 ::2", BIND_USE_ADD, &a), 0);
	assert_int_equal(parse("dev x ipv4 10.0.0.1 psid 0x0/0X0 b4 ::2", BIND_USE_ADD, &a), 0);
}

static void test_add_bad(void **state)
{
	(void)state;
	bad("dev x ipv4 10.0.0.1 psid 64/6 b4 ::2", BIND_USE_ADD, "64");
	bad("dev x ipv4 10.0.0.1 psid 1/0 b4 ::2", BIND_USE_ADD, "1/0");
	bad("dev x ipv4 10.0.0.1 psid 3/17 b4 ::2", BIND_USE_ADD, "17");
	bad("dev x ipv4 10.0.0.1 psid 70000/16 b4 ::2", BIND_USE_ADD, "70000");
	bad("dev x ipv4 10.0.0.1 psid 3 b4 ::2", BIND_USE_ADD, "\"3\"");
	bad("dev x ipv4 10.0.0.1 psid 3/ b4 ::2", BIND_USE_ADD, "\"3/\"");
	bad("dev x ipv4 10.0.0.1 psid /6 b4 ::2", BIND_USE_ADD, "\"/6\"");
	bad("dev x ipv4 10.0.0.1 psid -1/6 b4 ::2", BIND_USE_ADD, "-1/6");
	bad("dev x ipv4 10.0.0.1 psid +1/6 b4 ::2", BIND_USE_ADD, "+1/6");
	bad("dev x ipv4 10.0.0.1 psid 0x/6 b4 ::2", BIND_USE_ADD, "0x/6");
	bad("dev x ipv4 10.0.0.1 psid 3/6x b4 ::2", BIND_USE_ADD, "3/6x");
	bad("dev x ipv4 10.0.0.1 psid 99999999999/16 b4 ::2", BIND_USE_ADD, "99999999999");
	bad("dev x ipv4 10.0.0.1 psid 3/6 offset 16 b4 ::2", BIND_USE_ADD, "offset 16");
	bad("dev x ipv4 10.0.0.1 psid 3/6 offset x b4 ::2", BIND_USE_ADD, "\"x\"");
	bad("dev x ipv4 10.0.0.1 psid 3/8 offset 10 b4 ::2", BIND_USE_ADD, "offset 10");
	bad("dev x ipv4 10.0.0.1 psid 0/16 offset 1 b4 ::2", BIND_USE_ADD, "exceeds");
	bad("dev x ipv4 10.0.0.1 psid 3/6 b4 2001:db8::zz", BIND_USE_ADD, "2001:db8::zz");
	bad("dev x ipv4 10.0.0.1 psid 3/6 b4 10.0.0.2", BIND_USE_ADD, "10.0.0.2");
	bad("dev x ipv4 10.0.0.1 psid 3/6 b4 ::", BIND_USE_ADD, "unicast");
	bad("dev x ipv4 10.0.0.1 psid 3/6 b4 ff02::1", BIND_USE_ADD, "ff02::1");
	bad("dev x ipv4 10.0.0.1 psid 3/6 b4 ::2 br ff02::2", BIND_USE_ADD, "br");
	bad("dev x ipv4 10.0.0.1 psid 3/6 b4 ::2 br nope", BIND_USE_ADD, "nope");
	bad("dev x ipv4 10.0.0.1 psid 3/6", BIND_USE_ADD, "missing \"b4\"");
	bad("dev x psid 3/6 b4 ::2", BIND_USE_ADD, "missing \"ipv4\"");
	bad("dev x ipv4 10.0.0.1 b4 ::2", BIND_USE_ADD, "missing \"psid\"");
	bad("ipv4 10.0.0.1 psid 3/6 b4 ::2", BIND_USE_ADD, "missing \"dev\"");
	bad("dev x ipv4 10.0.0.1 ipv4 10.0.0.2 psid 3/6 b4 ::2", BIND_USE_ADD, "\"ipv4\" given twice");
	bad("dev x ipv4 10.0.0.1 psid 3/6 b4 ::2 replace replace", BIND_USE_ADD, "\"replace\" given twice");
	bad("dev x ipv4 10.0.0.1 psid 3/6 b4 ::2 bogus 1", BIND_USE_ADD, "\"bogus\"");
	/* No prefix abbreviations. */
	bad("dev x ipv 10.0.0.1 psid 3/6 b4 ::2", BIND_USE_ADD, "\"ipv\"");
	bad("dev x ipv4 10.0.0.1 psid 3/6 b4 ::2 rep", BIND_USE_ADD, "\"rep\"");
	bad("dev x ipv4 10.0.0.1 psid 3/6 b4 ::2 junk", BIND_USE_ADD, "\"junk\"");
	bad("dev x ipv4 10.0.0.1 psid 3/6 b4", BIND_USE_ADD, "\"b4\" needs a value");
	bad("dev x ipv4 10.0.0.1x psid 3/6 b4 ::2", BIND_USE_ADD, "10.0.0.1x");
	bad("dev x ipv4 10.0.0 psid 3/6 b4 ::2", BIND_USE_ADD, "10.0.0");
	bad("dev x ipv4 010.0.0.1 psid 3/6 b4 ::2", BIND_USE_ADD, "010.0.0.1");
	bad("dev 0123456789abcdef ipv4 10.0.0.1 psid 3/6 b4 ::2", BIND_USE_ADD, "0123456789abcdef");
}

static void test_del_show(void **state)
{
	struct bind_args a;

	(void)state;
	assert_int_equal(parse("dev x ipv4 10.0.0.1 psid 3/6", BIND_USE_DEL, &a), 0);
	bad("dev x ipv4 10.0.0.1", BIND_USE_DEL, "missing \"psid\"");
	bad("dev x ipv4 10.0.0.1 psid 3/6 b4 ::2", BIND_USE_DEL, "\"b4\"");
	bad("dev x ipv4 10.0.0.1 psid 3/6 replace", BIND_USE_DEL, "\"replace\"");

	assert_int_equal(parse("dev x", BIND_USE_SHOW, &a), 0);
	assert_int_equal(a.seen, BIND_SEEN_DEV);
	assert_int_equal(parse("dev x ipv4 10.0.0.1", BIND_USE_SHOW, &a), 0);
	assert_int_equal(parse("dev x ipv4 10.0.0.1 psid 3/6", BIND_USE_SHOW, &a), 0);
	bad("dev x psid 3/6", BIND_USE_SHOW, "\"psid\" needs \"ipv4\"");
	bad("ipv4 10.0.0.1", BIND_USE_SHOW, "missing \"dev\"");
	bad("dev x offset 3", BIND_USE_SHOW, "\"offset\"");
}

static void test_file_words(void **state)
{
	struct bind_args a;

	(void)state;
	assert_int_equal(parse("ipv4 10.0.0.1 psid 3/6 offset 2 b4 ::2 br ::3",
			       BIND_USE_FILE, &a), 0);
	bad("dev x ipv4 10.0.0.1 psid 3/6 b4 ::2", BIND_USE_FILE, "\"dev\" is not allowed");
	bad("ipv4 10.0.0.1 psid 3/6 b4 ::2 replace", BIND_USE_FILE, "\"replace\" is not allowed");
}

/* ---- dev add / dev set ------------------------------------------------- */

static int dparse(const char *s, enum dev_use use, struct dev_args *a)
{
	char buf[512], *argv[MAXW];
	int argc = words(s, buf, sizeof(buf), argv);
	int ret;

	errbuf[0] = '\0';
	ret = dev_parse(argc, argv, use, a, errbuf, sizeof(errbuf));
	a->name = NULL;		/* points into buf */
	return ret;
}

static void dbad(const char *s, enum dev_use use, const char *needle)
{
	struct dev_args a;

	if (!dparse(s, use, &a))
		fail_msg("accepted: %s", s);
	if (!strstr(errbuf, needle))
		fail_msg("\"%s\": error \"%s\" lacks \"%s\"", s, errbuf, needle);
}

static void assert_in6(const struct in6_addr *a, const char *text)
{
	struct in6_addr want;

	assert_int_equal(inet_pton(AF_INET6, text, &want), 1);
	assert_memory_equal(a, &want, sizeof(want));
}

static void test_dev_add_good(void **state)
{
	struct dev_args a;

	(void)state;
	/* The minimum: nothing but mode and local, kernel defaults for the rest. */
	assert_int_equal(dparse("lw0 mode aftr local 2001:db8::1", DEV_USE_ADD, &a), 0);
	assert_int_equal(a.seen, DEV_SEEN_MODE | DEV_SEEN_LOCAL);
	assert_int_equal(a.mode, LW4O6_MODE_AFTR);
	assert_in6(&a.local, "2001:db8::1");

	/* Everything, in the documented order. */
	assert_int_equal(dparse("lw0 mode aftr local 2001:db8::1 icmp-source 2001:db8::a "
				"mtu 1400 hairpin off icmp4-errors off icmp6-errors on "
				"icmp-rate 1000000", DEV_USE_ADD, &a), 0);
	assert_int_equal(a.seen, DEV_SEEN_MODE | DEV_SEEN_LOCAL | DEV_SEEN_ICMP_SOURCE |
			 DEV_SEEN_MTU | DEV_SEEN_HAIRPIN | DEV_SEEN_ICMP4_ERRORS |
			 DEV_SEEN_ICMP6_ERRORS | DEV_SEEN_ICMP_RATE);
	assert_in6(&a.icmp_source, "2001:db8::a");
	assert_int_equal(a.mtu, 1400);
	assert_int_equal(a.hairpin, 0);
	assert_int_equal(a.icmp4_errors, 0);
	assert_int_equal(a.icmp6_errors, 1);
	assert_int_equal(a.icmp_rate, 1000000);

	/* Any order; the lowest rate; hex like every other number. */
	assert_int_equal(dparse("lw0 icmp-rate 1 hairpin on local ::1 icmp6-errors off mode aftr",
				DEV_USE_ADD, &a), 0);
	assert_int_equal(a.icmp_rate, 1);
	assert_int_equal(a.hairpin, 1);
	assert_int_equal(a.icmp6_errors, 0);
	assert_false(a.seen & (DEV_SEEN_ICMP4_ERRORS | DEV_SEEN_ICMP_SOURCE | DEV_SEEN_MTU));
	assert_int_equal(dparse("lw0 mode aftr local ::1 icmp-rate 0x3e8", DEV_USE_ADD, &a), 0);
	assert_int_equal(a.icmp_rate, 1000);
	/* local is the kernel's to judge (it says why, with extack). */
	assert_int_equal(dparse("lw0 mode aftr local ff02::1", DEV_USE_ADD, &a), 0);

	/* DS-Lite: remote is the AFTR. */
	assert_int_equal(dparse("ds0 mode dslite local 2001:db8::2 remote 2001:db8::1",
				DEV_USE_ADD, &a), 0);
	assert_int_equal(a.mode, LW4O6_MODE_DSLITE);
	assert_true(a.seen & DEV_SEEN_REMOTE);
	assert_int_equal(a.remote.s6_addr[15], 1);
	assert_int_equal(dparse("ds0 remote 2001:db8::9", DEV_USE_SET, &a), 0);
	assert_int_equal(a.seen, DEV_SEEN_REMOTE);

	/* lwB4: its binding. */
	assert_int_equal(dparse("b0 mode b4 local 2001:db8::2 remote 2001:db8::1 "
				"ipv4 192.0.2.1 psid 0x34/8 offset 6", DEV_USE_ADD, &a), 0);
	assert_int_equal(a.mode, LW4O6_MODE_B4);
	assert_int_equal(a.ipv4, htonl(0xc0000201));
	assert_int_equal(a.psid, 0x34);
	assert_int_equal(a.psid_len, 8);
	assert_int_equal(a.offset, 6);
}

static void test_dev_set_good(void **state)
{
	struct dev_args a;

	(void)state;
	assert_int_equal(dparse("lw0 hairpin off", DEV_USE_SET, &a), 0);
	assert_int_equal(a.seen, DEV_SEEN_HAIRPIN);
	assert_int_equal(a.hairpin, 0);
	assert_false(a.seen & ~DEV_SEEN_GENL);

	assert_int_equal(dparse("lw0 mtu 1280", DEV_USE_SET, &a), 0);
	assert_int_equal(a.seen, DEV_SEEN_MTU);
	assert_false(a.seen & DEV_SEEN_GENL);
	assert_int_equal(a.mtu, 1280);

	assert_int_equal(dparse("lw0 local 2001:db8::2", DEV_USE_SET, &a), 0);
	assert_int_equal(a.seen, DEV_SEEN_LOCAL);
	assert_in6(&a.local, "2001:db8::2");

	/* "none" is 16 zero bytes on the wire. */
	memset(&a.icmp_source, 0xff, sizeof(a.icmp_source));
	assert_int_equal(dparse("lw0 icmp-source none", DEV_USE_SET, &a), 0);
	assert_int_equal(a.seen, DEV_SEEN_ICMP_SOURCE);
	assert_in6(&a.icmp_source, "::");
	assert_int_equal(dparse("lw0 icmp-source 2001:db8::53", DEV_USE_SET, &a), 0);
	assert_in6(&a.icmp_source, "2001:db8::53");

	/* The anycast set: a prefix, and "none" (::/0) to clear it. */
	assert_int_equal(dparse("lw0 accept-from 2001:db8:a0::/44 encap-unicast on",
				DEV_USE_SET, &a), 0);
	assert_int_equal(a.seen, DEV_SEEN_ACCEPT_FROM | DEV_SEEN_ENCAP_UNICAST);
	assert_in6(&a.accept_from, "2001:db8:a0::");
	assert_int_equal(a.accept_from_len, 44);
	assert_int_equal(a.encap_unicast, 1);
	assert_int_equal(dparse("lw0 accept-from 2001:db8::1/128", DEV_USE_SET, &a), 0);
	assert_int_equal(a.accept_from_len, 128);
	assert_int_equal(dparse("lw0 accept-from none", DEV_USE_SET, &a), 0);
	assert_in6(&a.accept_from, "::");
	assert_int_equal(a.accept_from_len, 0);
	assert_int_equal(dparse("lw0 mode b4 local ::1 remote ::2 accept-from none",
				DEV_USE_ADD, &a), -1);

	/* All of them, both kinds, any order. */
	assert_int_equal(dparse("lw0 icmp-rate 50 mtu 9000 icmp4-errors on local ::2 "
				"icmp6-errors off icmp-source none hairpin on remote ::9 "
				"ipv4 192.0.2.1 psid 1/6 offset 6 mss-clamp off "
				"control-prefix-len 128 control-rate 1000000 "
				"control-prefix-rate 1 miss-queue 4096 miss-hold 10000ms "
				"encap-unicast off accept-from 2001:db8::/32",
				DEV_USE_SET, &a), 0);
	assert_int_equal(a.seen, DEV_SEEN_GENL | DEV_SEEN_MTU);
	assert_int_equal(a.miss_hold, 10000);
	assert_int_equal(a.miss_queue, 4096);
	assert_int_equal(a.control_rate, 1000000);
	assert_int_equal(a.control_prefix_rate, 1);
	assert_int_equal(a.control_prefix_len, 128);
	assert_int_equal(a.icmp_rate, 50);
	assert_int_equal(a.mtu, 9000);
	assert_int_equal(a.icmp4_errors, 1);
	assert_int_equal(a.icmp6_errors, 0);
	assert_int_equal(a.hairpin, 1);
}

/*
 * dev_put_opts(): what dev add sends in IFLA_INFO_DATA and dev set in
 * DEV_SET, attribute by attribute: the number of the right interface, the
 * kernel's type (payload length), the value, the order; nothing unseen.
 */
struct want_attr {
	uint16_t type;
	uint16_t len;
	uint32_t val;		/* u8/u16/u32 payloads; last byte of an address */
};

static void check_put(const struct dev_args *a, enum dev_nl nl,
		      const struct want_attr *want, size_t n)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	const struct nlattr *attr;
	size_t i = 0;

	dev_put_opts(nlh, a, nl);
	mnl_attr_for_each(attr, nlh, 0) {
		const uint8_t *v = mnl_attr_get_payload(attr);
		uint16_t len = mnl_attr_get_payload_len(attr);
		uint32_t got = 0;

		if (i == n)
			fail_msg("attribute %zu (type %u) not wanted", i,
				 mnl_attr_get_type(attr));
		assert_int_equal(mnl_attr_get_type(attr), want[i].type);
		assert_int_equal(len, want[i].len);
		if (len == 1)
			got = v[0];
		else if (len == 2)
			got = mnl_attr_get_u16(attr);
		else if (len == 4)
			got = mnl_attr_get_u32(attr);
		else
			got = v[len - 1];
		assert_int_equal(got, want[i].val);
		i++;
	}
	assert_int_equal(i, n);
}

static void test_dev_put(void **state)
{
	static const struct want_attr link_b4[] = {
		{ IFLA_LW4O6_MODE, 1, LW4O6_MODE_B4 },
		{ IFLA_LW4O6_LOCAL, 16, 2 },
		{ IFLA_LW4O6_REMOTE, 16, 1 },
		{ IFLA_LW4O6_IPV4, 4, 0x010200c0 },	/* 192.0.2.1 as a LE u32 */
		{ IFLA_LW4O6_PSID, 2, 0x34 },
		{ IFLA_LW4O6_PSID_LEN, 1, 8 },
		{ IFLA_LW4O6_OFFSET, 1, 6 },
		{ IFLA_LW4O6_MSS_CLAMP, 1, 0 },
		{ IFLA_LW4O6_ICMP4_ERRORS, 1, 1 },
		{ IFLA_LW4O6_ICMP_RATE, 4, 77 },
	}, link_aftr[] = {
		{ IFLA_LW4O6_MODE, 1, LW4O6_MODE_AFTR },
		{ IFLA_LW4O6_LOCAL, 16, 1 },
		{ IFLA_LW4O6_ICMP_SOURCE, 16, 0xa },
		{ IFLA_LW4O6_HAIRPIN, 1, 0 },
		{ IFLA_LW4O6_ICMP6_ERRORS, 1, 0 },
	}, genl_all[] = {
		{ LW4O6_A_LOCAL, 16, 2 },
		{ LW4O6_A_REMOTE, 16, 9 },
		{ LW4O6_A_IPV4, 4, 0x010200c0 },
		{ LW4O6_A_PSID, 2, 1 },
		{ LW4O6_A_PSID_LEN, 1, 6 },
		{ LW4O6_A_OFFSET, 1, 6 },
		{ LW4O6_A_ICMP_SOURCE, 16, 0 },	/* none: :: */
		{ LW4O6_A_HAIRPIN, 1, 1 },
		{ LW4O6_A_MSS_CLAMP, 1, 0 },
		{ LW4O6_A_ICMP4_ERRORS, 1, 1 },
		{ LW4O6_A_ICMP6_ERRORS, 1, 0 },
		{ LW4O6_A_ICMP_RATE, 4, 50 },
		{ LW4O6_A_CONTROL_RATE, 4, 900 },
		{ LW4O6_A_CONTROL_PREFIX_RATE, 4, 7 },
		{ LW4O6_A_CONTROL_PREFIX_LEN, 1, 48 },
		{ LW4O6_A_MISS_HOLD, 4, 300 },
		{ LW4O6_A_MISS_QUEUE, 4, 1 },
	};
	struct dev_args a;

	(void)state;
	assert_int_equal(dparse("b0 mode b4 local 2001:db8::2 remote 2001:db8::1 "
				"ipv4 192.0.2.1 psid 0x34/8 offset 6 mtu 1400 "
				"icmp-rate 77 mss-clamp off icmp4-errors on",
				DEV_USE_ADD, &a), 0);
	check_put(&a, DEV_NL_LINK, link_b4, sizeof(link_b4) / sizeof(link_b4[0]));
	assert_int_equal(dparse("lw0 hairpin off local 2001:db8::1 mode aftr "
				"icmp6-errors off icmp-source 2001:db8::a",
				DEV_USE_ADD, &a), 0);
	check_put(&a, DEV_NL_LINK, link_aftr,
		  sizeof(link_aftr) / sizeof(link_aftr[0]));
	assert_int_equal(dparse("lw0 icmp-rate 50 mtu 9000 icmp4-errors on local ::2 "
				"icmp6-errors off icmp-source none hairpin on remote ::9 "
				"ipv4 192.0.2.1 psid 1/6 offset 6 mss-clamp off "
				"control-prefix-len 48 control-prefix-rate 7 control-rate 900 "
				"miss-hold 300 miss-queue 1",
				DEV_USE_SET, &a), 0);
	check_put(&a, DEV_NL_GENL, genl_all, sizeof(genl_all) / sizeof(genl_all[0]));
	/* mtu alone: nothing for DEV_SET (dev set sends none then). */
	assert_int_equal(dparse("lw0 mtu 1280", DEV_USE_SET, &a), 0);
	check_put(&a, DEV_NL_GENL, NULL, 0);
}

static void test_dev_bad(void **state)
{
	static const enum dev_use uses[] = { DEV_USE_ADD, DEV_USE_SET };
	char line[256];
	size_t u;

	(void)state;
	/* Each bad option, for both commands (add gets its required words). */
	for (u = 0; u < 2; u++) {
		enum dev_use use = uses[u];
		const char *pre = use == DEV_USE_ADD ? "lw0 mode aftr local ::1" : "lw0";
		static const struct {
			const char *words, *needle;
		} cases[] = {
			/* on|off only: no yes/no/1/0, no prefixes, no capitals */
			{ "hairpin yes", "invalid value \"yes\" for \"hairpin\"" },
			{ "encap-unicast 1", "invalid value \"1\" for \"encap-unicast\"" },
			{ "accept-from 2001:db8::", "invalid accept-from \"2001:db8::\" (the AFTR set's unicast IPv6 prefix" },
			{ "accept-from 2001:db8::/0", "invalid accept-from" },
			{ "accept-from 2001:db8::/129", "invalid accept-from" },
			{ "accept-from ff02::/16", "invalid accept-from" },
			{ "accept-from 10.0.0.0/8", "invalid accept-from" },
			{ "accept-from 2001:db8::1/64", "accept-from 2001:db8::1/64 has bits set past /64" },
			{ "accept-from 2001:db8::/64x", "invalid accept-from" },
			{ "control-rate 0", "invalid control-rate \"0\" (PCP messages per second, 1..1000000)" },
			{ "control-rate 1000001", "invalid control-rate \"1000001\"" },
			{ "control-prefix-rate 0", "invalid control-prefix-rate \"0\"" },
			{ "control-prefix-len 0", "invalid control-prefix-len \"0\" (IPv6 prefix length, 1..128)" },
			{ "control-prefix-len 129", "invalid control-prefix-len \"129\"" },
			{ "miss-hold 10001", "invalid miss-hold \"10001\" (milliseconds, 0..10000; 0 = off)" },
			{ "miss-hold ms", "invalid miss-hold \"ms\"" },
			{ "miss-hold 3s", "invalid miss-hold \"3s\"" },
			{ "miss-hold -1", "invalid miss-hold \"-1\"" },
			{ "miss-queue 0", "invalid miss-queue \"0\" (packets held at once, 1..4096)" },
			{ "miss-queue 4097", "invalid miss-queue \"4097\"" },
			{ "hairpin no", "\"no\"" },
			{ "hairpin 1", "\"1\"" },
			{ "hairpin 0", "\"0\"" },
			{ "hairpin true", "\"true\"" },
			{ "hairpin ON", "\"ON\"" },
			{ "hairpin o", "\"o\"" },
			{ "icmp4-errors enable", "for \"icmp4-errors\"" },
			{ "icmp6-errors of", "for \"icmp6-errors\"" },
			/* the rate's range and shape */
			{ "icmp-rate 0", "invalid icmp-rate \"0\"" },
			{ "icmp-rate 1000001", "\"1000001\"" },
			{ "icmp-rate 4294967296", "\"4294967296\"" },
			{ "icmp-rate -1", "\"-1\"" },
			{ "icmp-rate 10x", "\"10x\"" },
			{ "icmp-rate fast", "\"fast\"" },
			{ "icmp-rate 0x", "\"0x\"" },
			/* icmp-source: a unicast IPv6 address */
			{ "icmp-source ff02::1", "icmp-source ff02::1 is not a unicast" },
			{ "icmp-source ff0e::53", "not a unicast" },
			{ "icmp-source ::", "not a unicast" },
			{ "icmp-source 192.0.2.1", "invalid IPv6 address \"192.0.2.1\" for \"icmp-source\"" },
			{ "icmp-source 2001:db8::/64", "\"2001:db8::/64\"" },
			{ "icmp-source nowhere", "\"nowhere\"" },
			{ "icmp-source None", "\"None\"" },
			{ "icmp-source 2001:db8::g", "\"2001:db8::g\"" },
			/* the rest */
			{ "mtu 0", "invalid mtu \"0\"" },
			{ "mtu big", "invalid mtu \"big\"" },
			/* duplicates, even with equal values */
			{ "hairpin on hairpin on", "\"hairpin\" given twice" },
			{ "icmp-rate 5 icmp-rate 6", "\"icmp-rate\" given twice" },
			{ "icmp4-errors off icmp4-errors on", "\"icmp4-errors\" given twice" },
			{ "icmp6-errors off mtu 1400 icmp6-errors off", "\"icmp6-errors\" given twice" },
			{ "icmp-source ::2 icmp-source ::3", "\"icmp-source\" given twice" },
			{ "mtu 1400 mtu 1400", "\"mtu\" given twice" },
			/* a keyword without its value */
			{ "hairpin", "\"hairpin\" needs a value" },
			{ "icmp4-errors", "\"icmp4-errors\" needs a value" },
			{ "icmp6-errors", "\"icmp6-errors\" needs a value" },
			{ "icmp-rate", "\"icmp-rate\" needs a value" },
			{ "icmp-source", "\"icmp-source\" needs a value" },
			{ "hairpin on mtu", "\"mtu\" needs a value" },
			/* exact keywords only */
			{ "hair on", "unknown keyword \"hair\"" },
			{ "icmp-errors on", "unknown keyword \"icmp-errors\"" },
			{ "icmp_rate 10", "unknown keyword \"icmp_rate\"" },
			{ "icmp-src ::2", "unknown keyword \"icmp-src\"" },
			{ "Hairpin on", "unknown keyword \"Hairpin\"" },
			{ "on hairpin", "unknown keyword \"on\"" },
		};
		size_t i;

		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			snprintf(line, sizeof(line), "%s %s", pre, cases[i].words);
			dbad(line, use, cases[i].needle);
		}
	}

	/* dev add only */
	dbad("lw0 mode aftr local ::1 icmp-source none", DEV_USE_ADD, "only for dev set");
	dbad("lw0 local ::1", DEV_USE_ADD, "missing \"mode\"");
	dbad("lw0 mode aftr hairpin off", DEV_USE_ADD, "missing \"local\"");
	dbad("lw0 mode b4 local ::1", DEV_USE_ADD, "missing \"remote\"");
	dbad("lw0 mode b4 local ::1 remote ::2 psid 1/6", DEV_USE_ADD,
	     "missing \"ipv4\"");
	dbad("lw0 mode b4 local ::1 remote ::2 ipv4 192.0.2.1", DEV_USE_ADD,
	     "missing \"psid\"");
	dbad("lw0 mode b4 local ::1 remote ::2 ipv4 192.0.2.1", DEV_USE_ADD,
	     "missing \"psid\"");
	dbad("lw0 mode b4 local ::1 remote ::2 ipv4 192.0.2.1 psid 1/6 offset 11",
	     DEV_USE_ADD, "");
	dbad("lw0 mode b4 local ::1 remote ::2 ipv4 192.0.2.x psid 1/6", DEV_USE_ADD,
	     "invalid IPv4 address");
	dbad("lw0 mode b4 local ::1 remote ::2 ipv4 192.0.2.1 psid 64/6", DEV_USE_ADD, "");
	dbad("lw0 mode aftr local ::1 ipv4 192.0.2.1", DEV_USE_ADD,
	     "ipv4 is for b4 devices, not mode aftr");
	dbad("lw0 mode dslite local ::1", DEV_USE_ADD, "missing \"remote\"");
	dbad("lw0 mode dslite local ::1 remote ::2 miss-hold 300", DEV_USE_ADD,
	     "miss-hold is for aftr devices, not mode dslite");
	dbad("lw0 mode aftr local ::1 remote ::2", DEV_USE_ADD,
	     "remote is for dslite and b4 devices, not mode aftr");
	dbad("lw0 mode dslite local ::1 remote ff02::2", DEV_USE_ADD, "invalid remote");
	dbad("lw0 mode dslite local ::1 remote nowhere", DEV_USE_ADD, "invalid remote");
	dbad("lw0 mode lwaftr local ::1", DEV_USE_ADD, "unknown mode \"lwaftr\"");
	dbad("lw0 mode aftr mode aftr local ::1", DEV_USE_ADD, "\"mode\" given twice");
	dbad("lw0 mode aftr local nowhere", DEV_USE_ADD, "\"nowhere\" for \"local\"");
	dbad("lw0 mode aftr local ::1 local ::1", DEV_USE_ADD, "\"local\" given twice");
	dbad("lw0 mode aftr local", DEV_USE_ADD, "\"local\" needs a value");
	dbad("", DEV_USE_ADD, "missing NAME");

	/* dev set only */
	dbad("lw0", DEV_USE_SET, "nothing to change");
	dbad("", DEV_USE_SET, "missing NAME");
	dbad("lw0 mode aftr", DEV_USE_SET, "\"mode\" cannot be changed");
	dbad("lw0 icmp-source ::", DEV_USE_SET, "icmp-source none");
	dbad("lw0 local ::1 local ::2", DEV_USE_SET, "\"local\" given twice");
	dbad("lw0 local nowhere", DEV_USE_SET, "\"nowhere\" for \"local\"");
	dbad("lw0 local", DEV_USE_SET, "\"local\" needs a value");
	dbad("lw0 bogus 1", DEV_USE_SET, "unknown keyword \"bogus\"");
	dbad("lw0 icmp-source none icmp-source none", DEV_USE_SET, "given twice");
	dbad("0123456789abcdef hairpin on", DEV_USE_SET, "longer than");
}

static void test_on_off(void **state)
{
	uint8_t v = 7;

	(void)state;
	assert_int_equal(parse_on_off("on", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(parse_on_off("off", &v), 0);
	assert_int_equal(v, 0);
	v = 7;
	assert_int_not_equal(parse_on_off("", &v), 0);
	assert_int_not_equal(parse_on_off("onn", &v), 0);
	assert_int_not_equal(parse_on_off("of", &v), 0);
	assert_int_not_equal(parse_on_off("yes", &v), 0);
	assert_int_equal(v, 7);
}

static void test_utils(void **state)
{
	uint32_t v;
	struct in6_addr a6;

	(void)state;
	assert_int_equal(parse_u32("0", 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse_u32("0x1F", 100, &v), 0);
	assert_int_equal(v, 31);
	assert_int_equal(parse_u32("4294967295", UINT32_MAX, &v), 0);
	assert_int_equal(v, UINT32_MAX);
	assert_int_not_equal(parse_u32("4294967296", UINT32_MAX, &v), 0);
	assert_int_not_equal(parse_u32("11", 10, &v), 0);
	assert_int_not_equal(parse_u32("", 10, &v), 0);
	assert_int_not_equal(parse_u32(" 1", 10, &v), 0);
	assert_int_not_equal(parse_u32("1 ", 10, &v), 0);
	assert_int_not_equal(parse_u32("0x", 10, &v), 0);
	assert_int_not_equal(parse_u32("0xg", 10, &v), 0);
	assert_int_not_equal(parse_u32("1a", 100, &v), 0);
	assert_int_equal(parse_ipv6("2001:db8::1", &a6), 0);
	assert_int_not_equal(parse_ipv6("2001:db8::1/64", &a6), 0);
	assert_true(ipv6_is_unicast(&a6));
	parse_ipv6("::", &a6);
	assert_false(ipv6_is_unicast(&a6));
}

/* Addresses no binding may take, with the reason each is refused. */
static void test_addr_classes(void **state)
{
	static const struct { const char *addr, *why; } v4[] = {
		{ "0.0.0.0", "0.0.0.0/8" }, { "0.255.1.2", "0.0.0.0/8" },
		{ "127.0.0.1", "loopback" }, { "127.255.255.255", "loopback" },
		{ "224.0.0.1", "multicast" }, { "239.255.255.255", "multicast" },
		{ "240.0.0.1", "reserved 240.0.0.0/4" },
		{ "255.255.255.254", "reserved" },
		{ "255.255.255.255", "broadcast" },
	};
	static const char *const v4_good[] = {
		"1.0.0.0", "126.255.255.255", "128.0.0.0", "192.0.2.1",
		"223.255.255.255", "10.0.0.1",
	};
	static const struct { const char *addr, *why; } v6[] = {
		{ "::", "unspecified" }, { "::1", "loopback" },
		{ "::ffff:192.0.2.1", "IPv4-mapped" }, { "fe80::1", "link-local" },
		{ "febf:ffff::1", "link-local" }, { "ff02::1", "multicast" },
		{ "ff0e::1", "multicast" },
	};
	static const char *const v6_good[] = {
		"2001:db8::1", "fec0::1", "::2", "fc00::1", "64:ff9b::1",
	};
	struct in6_addr a6;
	uint32_t a4;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v4) / sizeof(v4[0]); i++) {
		const char *why;

		assert_int_equal(parse_ipv4(v4[i].addr, &a4), 0);
		why = ipv4_not_subscriber(a4);
		if (!why || !strstr(why, v4[i].why))
			fail_msg("%s: \"%s\", want \"%s\"", v4[i].addr,
				 why ? why : "(accepted)", v4[i].why);
	}
	for (i = 0; i < sizeof(v4_good) / sizeof(v4_good[0]); i++) {
		assert_int_equal(parse_ipv4(v4_good[i], &a4), 0);
		if (ipv4_not_subscriber(a4))
			fail_msg("%s refused", v4_good[i]);
	}
	for (i = 0; i < sizeof(v6) / sizeof(v6[0]); i++) {
		const char *why;

		assert_int_equal(parse_ipv6(v6[i].addr, &a6), 0);
		why = ipv6_not_b4(&a6);
		if (!why || !strstr(why, v6[i].why))
			fail_msg("%s: \"%s\", want \"%s\"", v6[i].addr,
				 why ? why : "(accepted)", v6[i].why);
	}
	for (i = 0; i < sizeof(v6_good) / sizeof(v6_good[0]); i++) {
		assert_int_equal(parse_ipv6(v6_good[i], &a6), 0);
		if (ipv6_not_b4(&a6))
			fail_msg("%s refused", v6_good[i]);
	}
	/* Through the grammar: adds and table lines refuse, del/show may name. */
	bad("dev x ipv4 127.0.0.1 psid 3/6 b4 2001:db8::2", BIND_USE_ADD,
	    "ipv4 127.0.0.1 is loopback 127.0.0.0/8, not a subscriber address");
	bad("dev x ipv4 255.255.255.255 psid 0/0 b4 2001:db8::2", BIND_USE_ADD,
	    "broadcast");
	bad("ipv4 0.0.0.0 psid 0/0 b4 2001:db8::2", BIND_USE_FILE, "0.0.0.0/8");
	bad("ipv4 240.1.2.3 psid 0/0 b4 2001:db8::2", BIND_USE_FILE, "240.0.0.0/4");
	bad("dev x ipv4 192.0.2.1 psid 3/6 b4 ::1", BIND_USE_ADD,
	    "b4 ::1 is loopback ::1, not a B4's address");
	bad("dev x ipv4 192.0.2.1 psid 3/6 b4 ::ffff:10.0.0.1", BIND_USE_ADD,
	    "IPv4-mapped");
	bad("ipv4 192.0.2.1 psid 3/6 b4 fe80::2", BIND_USE_FILE, "link-local");
	bad("ipv4 192.0.2.1 psid 3/6 b4 ff05::2", BIND_USE_FILE,
	    "not a unicast IPv6 address");
	{
		struct bind_args a;

		assert_int_equal(parse("dev x ipv4 127.0.0.1 psid 3/6", BIND_USE_DEL, &a), 0);
		assert_int_equal(parse("dev x ipv4 127.0.0.1", BIND_USE_SHOW, &a), 0);
	}
	/* A B4 device's own binding: the same, but 0.0.0.0 clears it (dev set). */
	dbad("b0 mode b4 local ::1 remote ::2 ipv4 127.0.0.1 psid 0/0", DEV_USE_ADD,
	     "ipv4 127.0.0.1 is loopback");
	dbad("b0 mode b4 local ::1 remote ::2 ipv4 0.0.0.0 psid 0/0", DEV_USE_ADD,
	     "0.0.0.0/8");
	dbad("b0 ipv4 224.1.1.1 psid 0/0", DEV_USE_SET, "multicast");
	{
		struct dev_args a;

		assert_int_equal(dparse("b0 ipv4 0.0.0.0 psid 0/0", DEV_USE_SET, &a), 0);
	}
}

/* The names the kernel's dev_valid_name() refuses, refused here first. */
static void test_ifname(void **state)
{
	static const char *const bad_names[] = {
		"", ".", "..", "a/b", "a:b", "a b", "a\tb", "0123456789abcdef",
	};
	static const char *const good_names[] = {
		"lw0", "help", "a.b", "...", "a-b_c", "0123456789abcde",
	};
	char err[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++)
		if (!check_ifname(bad_names[i], err, sizeof(err)))
			fail_msg("\"%s\" accepted", bad_names[i]);
	for (i = 0; i < sizeof(good_names) / sizeof(good_names[0]); i++)
		if (check_ifname(good_names[i], err, sizeof(err)))
			fail_msg("\"%s\" refused: %s", good_names[i], err);
	assert_int_equal(check_ifname("a:1", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "invalid device name \"a:1\""));
	dbad("a/b mode aftr local ::1", DEV_USE_ADD, "invalid device name \"a/b\"");
	bad("dev a:b ipv4 192.0.2.1", BIND_USE_SHOW, "invalid device name \"a:b\"");
}

/* Every option that a mode ignores is refused on that mode, add and set. */
static void test_dev_modes(void **state)
{
	static const struct {
		const char *opt;
		const char *modes;	/* where it applies */
		const char *text;	/* how it is refused elsewhere */
	} o[] = {
		{ "hairpin on", "aftr", "hairpin is for aftr devices" },
		{ "icmp6-errors off", "aftr", "icmp6-errors is for aftr devices" },
		{ "icmp-source 2001:db8::5", "aftr", "icmp-source is for aftr devices" },
		{ "control-rate 5", "aftr", "control-rate is for aftr devices" },
		{ "control-prefix-rate 5", "aftr", "control-prefix-rate is for aftr devices" },
		{ "control-prefix-len 48", "aftr", "control-prefix-len is for aftr devices" },
		{ "miss-hold 0", "aftr", "miss-hold is for aftr devices" },
		{ "miss-queue 5", "aftr", "miss-queue is for aftr devices" },
		{ "encap-unicast off", "aftr", "encap-unicast is for aftr devices" },
		{ "mss-clamp off", "dslite b4", "mss-clamp is for dslite and b4 devices" },
		{ "accept-from 2001:db8::/32", "dslite b4", "accept-from is for dslite and b4 devices" },
		{ "ipv4 192.0.2.1 psid 1/4", "b4", "ipv4 is for b4 devices" },
		{ "icmp4-errors off", "aftr dslite b4", NULL },
		{ "icmp-rate 5", "aftr dslite b4", NULL },
		{ "mtu 1400", "aftr dslite b4", NULL },
	};
	static const char *const modes[] = { "aftr", "dslite", "b4" };
	char line[256], want[128];
	struct dev_args a;
	size_t i, m;

	(void)state;
	for (i = 0; i < sizeof(o) / sizeof(o[0]); i++) {
		for (m = 0; m < 3; m++) {
			bool applies = strstr(o[i].modes, modes[m]) != NULL;
			int mode = mode_parse(modes[m]);

			snprintf(line, sizeof(line), "x0 mode %s local ::1%s %s",
				 modes[m], m ? " remote 2001:db8::1" : "", o[i].opt);
			if (applies) {
				if (dparse(line, DEV_USE_ADD, &a))
					fail_msg("%s: %s", line, errbuf);
			} else {
				snprintf(want, sizeof(want), "%s, not mode %s",
					 o[i].text, modes[m]);
				dbad(line, DEV_USE_ADD, want);
			}
			/* dev set: parsed without the mode, checked with it */
			snprintf(line, sizeof(line), "x0 %s", o[i].opt);
			assert_int_equal(dparse(line, DEV_USE_SET, &a), 0);
			if (applies) {
				assert_int_equal(dev_check_mode(&a, (uint8_t)mode, "x0",
								errbuf, sizeof(errbuf)), 0);
				continue;
			}
			assert_int_equal(dev_check_mode(&a, (uint8_t)mode, "x0",
							errbuf, sizeof(errbuf)), -1);
			snprintf(want, sizeof(want), "%s (x0 is %s %s device)",
				 o[i].text, m ? "a" : "an", modes[m]);
			if (!strstr(errbuf, want))
				fail_msg("%s on %s: \"%s\" lacks \"%s\"", o[i].opt,
					 modes[m], errbuf, want);
		}
	}
}

/* Near misses get a hint; far ones and exact ones none. */
static void test_hints(void **state)
{
	static const char *const objs[] = { "dev", "binding", "stats", "monitor", "help" };

	(void)state;
	assert_int_equal(hint_distance("bindng", "binding"), 1);
	assert_int_equal(hint_distance("dve", "dev"), 1);	/* a swap */
	assert_int_equal(hint_distance("", "abc"), 3);
	assert_string_equal(hint_closest("bindng", objs, 5), "binding");
	assert_string_equal(hint_closest("bindnig", objs, 5), "binding");
	assert_string_equal(hint_closest("dve", objs, 5), "dev");
	assert_string_equal(hint_closest("monitr", objs, 5), "monitor");
	assert_string_equal(hint_closest("stat", objs, 5), "stats");
	assert_null(hint_closest("route", objs, 5));
	assert_null(hint_closest("d", objs, 5));
	assert_null(hint_closest("xyz", objs, 5));
	assert_string_equal(hint_closest("bnidnig", objs, 5), "binding");	/* two swaps */
	assert_null(hint_closest("bixxixg", objs, 5));
	assert_null(hint_closest("dxx", objs, 5));
	/* the grammars' unknown keywords */
	bad("dev x ipv4 192.0.2.1 psid 3/6 b4 2001:db8::2 repalce", BIND_USE_ADD,
	    "unknown keyword \"repalce\"; did you mean \"replace\"?");
	bad("dev x ipv4 192.0.2.1 psdi 3/6", BIND_USE_DEL,
	    "unknown keyword \"psdi\"; did you mean \"psid\"?");
	dbad("x0 mode aftr local ::1 hairpn on", DEV_USE_ADD,
	     "unknown keyword \"hairpn\"; did you mean \"hairpin\"?");
	dbad("x0 icmp-rat 5", DEV_USE_SET,
	     "unknown keyword \"icmp-rat\"; did you mean \"icmp-rate\"?");
	dbad("x0 frobnicate 5", DEV_USE_SET, "unknown keyword \"frobnicate\"");
	if (strstr(errbuf, "did you mean"))
		fail_msg("a hint for frobnicate: %s", errbuf);
}

/* The hand-written formatters must print exactly what inet_ntop() prints. */
static void test_formatters(void **state)
{
	char mine[FMT_IPV6_LEN], libc[INET6_ADDRSTRLEN], u[24];
	struct in6_addr a;
	unsigned long i;
	uint32_t v4;
	int k;

	(void)state;
	srandom(7);
	for (i = 0; i < 2000000; i++) {
		/* Groups zero half the time, so every compression case occurs. */
		for (k = 0; k < 8; k++) {
			unsigned int g;

			switch (random() % 8) {
			case 0: case 1: case 2: case 3: g = 0; break;
			case 4: g = 0xffff; break;
			case 5: g = (unsigned int)(random() % 16); break;
			default: g = (unsigned int)(random() & 0xffff); break;
			}
			a.s6_addr[2 * k] = (unsigned char)(g >> 8);
			a.s6_addr[2 * k + 1] = (unsigned char)g;
		}
		inet_ntop(AF_INET6, &a, libc, sizeof(libc));
		fmt_ipv6(&a, mine);
		if (strcmp(mine, libc))
			fail_msg("fmt_ipv6 \"%s\", inet_ntop \"%s\"", mine, libc);
		v4 = (uint32_t)random() ^ ((uint32_t)random() << 16);
		if (i & 1)
			v4 &= 0x00ff00ff;
		inet_ntop(AF_INET, &v4, libc, sizeof(libc));
		fmt_ipv4(v4, mine);
		if (strcmp(mine, libc))
			fail_msg("fmt_ipv4 \"%s\", inet_ntop \"%s\"", mine, libc);
	}
	inet_pton(AF_INET6, "::", &a);
	assert_string_equal(fmt_ipv6(&a, mine), "::");
	inet_pton(AF_INET6, "::ffff:1.2.3.4", &a);
	assert_string_equal(fmt_ipv6(&a, mine), "::ffff:1.2.3.4");
	inet_pton(AF_INET6, "2001:db8:0:1:0:0:0:1", &a);
	assert_string_equal(fmt_ipv6(&a, mine), "2001:db8:0:1::1");
	assert_string_equal(fmt_u64(0, u), "0");
	assert_string_equal(fmt_u64(UINT64_MAX, u), "18446744073709551615");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_good),
		cmocka_unit_test(test_add_bad),
		cmocka_unit_test(test_del_show),
		cmocka_unit_test(test_file_words),
		cmocka_unit_test(test_dev_add_good),
		cmocka_unit_test(test_dev_set_good),
		cmocka_unit_test(test_dev_put),
		cmocka_unit_test(test_dev_bad),
		cmocka_unit_test(test_on_off),
		cmocka_unit_test(test_utils),
		cmocka_unit_test(test_formatters),
		cmocka_unit_test(test_addr_classes),
		cmocka_unit_test(test_ifname),
		cmocka_unit_test(test_dev_modes),
		cmocka_unit_test(test_hints),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
