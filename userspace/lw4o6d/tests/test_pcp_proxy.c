// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * pcp_proxy.c without sockets or nftables: requests built here, answers
 * parsed back, forwards added and deleted recorded by a fake.  Covers the
 * answers a LAN host gets (success out of the B4's set, renewal, delete,
 * suggestions, PREFER_FAILURE, refusals and quotas), expiry, and the
 * bookkeeping when the B4's binding changes: forwards outside the new set
 * dropped, those inside kept.  Also nft_forwards.c's table naming and its
 * reading of nft's error text, which need no nftables either.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>

#include <lw4o6/psid.h>

#include "log.h"
#include "nft_forwards.h"
#include "pcp_proxy.h"

#include "tests/cmocka_wrap.h"

#define T0 1000000	/* ms: the proxy's clock at init */

static struct {
	unsigned int adds, dels;
	struct pcp_proxy_fwd added, deleted;
	int add_err;
} F;

static int fake_add(const struct pcp_proxy_fwd *f, void *arg)
{
	(void)arg;
	F.adds++;
	if (F.add_err)
		return F.add_err;
	F.added = *f;
	return 0;
}

static void fake_del(const struct pcp_proxy_fwd *f, void *arg)
{
	(void)arg;
	F.dels++;
	F.deleted = *f;
}

static uint32_t ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

static struct pcp_proxy P;

/* The B4's binding the proxy was told of; tests change it. */
static struct b4_binding B;

static int setup(void **state)
{
	const struct pcp_proxy_ops ops = { .add = fake_add, .del = fake_del };

	(void)state;
	memset(&F, 0, sizeof(F));
	/* 192.0.2.1, PSID 5 of 16 (ports 20480-24575) */
	B = (struct b4_binding){ .ipv4 = ip("192.0.2.1"), .psid = 5,
				 .psid_len = 4, .offset = 0 };
	pcp_proxy_init(&P, &ops, 7200, T0);
	pcp_proxy_rebound(&P, &B);
	return 0;
}

/* A MAP request from host, its answer parsed into *r; returns the result. */
struct req {
	const char *host;
	uint8_t protocol;
	uint16_t internal_port;
	uint32_t lifetime;
	uint16_t suggest;
	uint8_t nonce;
	bool prefer_failure, third_party;
	const char *client;	/* the client address field, if not host */
	int64_t at;		/* ms after T0 */
};

static int ask(const struct req *q, struct pcp_msg *r)
{
	uint8_t buf[PCP_MAX_LEN], out[PCP_MAX_LEN];
	struct pcp_msg m;
	size_t n;

	memset(&m, 0, sizeof(m));
	m.version = PCP_VERSION;
	m.opcode = PCP_OP_MAP;
	m.lifetime = q->lifetime;
	pcp_v4mapped(ip(q->client ? q->client : q->host), &m.client);
	memset(m.nonce, q->nonce ? q->nonce : 1, PCP_NONCE_LEN);
	m.protocol = q->protocol;
	m.internal_port = q->internal_port;
	m.external_port = q->suggest;
	pcp_v4mapped(q->suggest ? B.ipv4 : 0, &m.external);
	m.prefer_failure = q->prefer_failure;
	if (q->third_party) {
		m.third_party = true;
		pcp_v4mapped(ip("192.168.1.99"), &m.third_party_addr);
	}
	n = pcp_build(&m, buf, sizeof(buf));
	assert_true(n > 0);
	n = pcp_proxy_request(&P, ip(q->host), buf, n, T0 + q->at, out,
			      sizeof(out));
	assert_true(n > 0);
	assert_int_equal(pcp_parse(out, n, r), 0);
	assert_true(r->response);
	assert_int_equal(r->opcode, PCP_OP_MAP);
	assert_memory_equal(r->nonce, m.nonce, PCP_NONCE_LEN);
	return r->result;
}

static bool ours(uint16_t port)
{
	return lw4o6_port_in_set(port, B.offset, B.psid_len, B.psid);
}

static void test_success(void **state)
{
	struct req q = { .host = "192.168.1.2", .protocol = IPPROTO_UDP,
			 .internal_port = 8080, .lifetime = 600, .at = 5000 };
	struct pcp_msg r;
	uint32_t v4;

	(void)state;
	assert_int_equal(ask(&q, &r), PCP_SUCCESS);
	assert_int_equal(r.lifetime, 600);
	assert_int_equal(r.epoch, 5);
	assert_true(pcp_is_v4mapped(&r.external, &v4));
	assert_int_equal(v4, B.ipv4);
	assert_true(ours(r.external_port));
	assert_true(r.external_port >= 1024);
	assert_int_equal(F.adds, 1);
	assert_int_equal(F.added.host, ip("192.168.1.2"));
	assert_int_equal(F.added.protocol, IPPROTO_UDP);
	assert_int_equal(F.added.internal_port, 8080);
	assert_int_equal(F.added.external_port, r.external_port);
}

static void test_renew_other_nonce_delete(void **state)
{
	struct req q = { .host = "192.168.1.2", .protocol = IPPROTO_TCP,
			 .internal_port = 22, .lifetime = 600, .nonce = 7 };
	struct pcp_msg r;
	uint16_t port;

	(void)state;
	assert_int_equal(ask(&q, &r), PCP_SUCCESS);
	port = r.external_port;
	q.lifetime = 100;
	assert_int_equal(ask(&q, &r), PCP_SUCCESS);	/* renewed */
	assert_int_equal(r.external_port, port);
	assert_int_equal(r.lifetime, 100);
	assert_int_equal(F.adds, 1);
	q.nonce = 8;					/* somebody else */
	assert_int_equal(ask(&q, &r), PCP_NOT_AUTHORIZED);
	q.lifetime = 0;
	assert_int_equal(ask(&q, &r), PCP_NOT_AUTHORIZED);
	assert_int_equal(F.dels, 0);
	q.nonce = 7;					/* delete */
	assert_int_equal(ask(&q, &r), PCP_SUCCESS);
	assert_int_equal(r.lifetime, 0);
	assert_int_equal(r.external_port, port);
	assert_int_equal(F.dels, 1);
	assert_int_equal(F.deleted.external_port, port);
	assert_int_equal(F.deleted.protocol, IPPROTO_TCP);
	/* deleting what is not there: success, nothing to do */
	assert_int_equal(ask(&q, &r), PCP_SUCCESS);
	assert_int_equal(F.dels, 1);
}

static void test_lifetime_bound(void **state)
{
	struct req q = { .host = "192.168.1.2", .protocol = IPPROTO_UDP,
			 .internal_port = 53, .lifetime = 100000 };
	struct pcp_msg r;

	(void)state;
	assert_int_equal(ask(&q, &r), PCP_SUCCESS);
	assert_int_equal(r.lifetime, 7200);
	P.lifetime_max = 60;			/* SIGHUP */
	assert_int_equal(ask(&q, &r), PCP_SUCCESS);
	assert_int_equal(r.lifetime, 60);
}

static void test_suggestions(void **state)
{
	struct req q = { .host = "192.168.1.2", .protocol = IPPROTO_UDP,
			 .internal_port = 9000, .lifetime = 600 };
	uint16_t in = (5 << 12) | 77, out = (6 << 12) | 77;
	struct pcp_msg r;

	(void)state;
	q.suggest = in;
	assert_int_equal(ask(&q, &r), PCP_SUCCESS);
	assert_int_equal(r.external_port, in);
	/* taken now: another port of the set */
	q.internal_port = 9001;
	assert_int_equal(ask(&q, &r), PCP_SUCCESS);
	assert_int_not_equal(r.external_port, in);
	assert_true(ours(r.external_port));
	/* the same port for the other protocol is free */
	q.protocol = IPPROTO_TCP;
	assert_int_equal(ask(&q, &r), PCP_SUCCESS);
	assert_int_equal(r.external_port, in);
	/* outside the set: another port; with PREFER_FAILURE refused */
	q.protocol = IPPROTO_UDP;
	q.internal_port = 9002;
	q.suggest = out;
	assert_int_equal(ask(&q, &r), PCP_SUCCESS);
	assert_true(ours(r.external_port));
	q.internal_port = 9003;
	q.prefer_failure = true;
	assert_int_equal(ask(&q, &r), PCP_CANNOT_PROVIDE_EXTERNAL);
	assert_int_equal(F.adds, 4);
}

static void test_refusals(void **state)
{
	struct req q = { .host = "192.168.1.2", .protocol = IPPROTO_UDP,
			 .internal_port = 8080, .lifetime = 600 };
	struct pcp_msg r;

	(void)state;
	q.client = "192.168.1.3";		/* a NAT on the way */
	assert_int_equal(ask(&q, &r), PCP_ADDRESS_MISMATCH);
	q.client = NULL;
	q.third_party = true;
	assert_int_equal(ask(&q, &r), PCP_NOT_AUTHORIZED);
	q.third_party = false;
	q.protocol = IPPROTO_ICMP;
	assert_int_equal(ask(&q, &r), PCP_UNSUPP_PROTOCOL);
	q.protocol = IPPROTO_UDP;
	q.internal_port = 0;
	assert_int_equal(ask(&q, &r), PCP_UNSUPP_PROTOCOL);
	q.internal_port = 8080;
	F.add_err = -EIO;			/* nftables said no */
	assert_int_equal(ask(&q, &r), PCP_NO_RESOURCES);
	assert_int_equal(r.lifetime, 30);
	F.add_err = 0;				/* nothing kept: asked again */
	assert_int_equal(ask(&q, &r), PCP_SUCCESS);
	assert_int_equal(F.adds, 2);
	assert_int_equal(F.dels, 0);
}

static void test_announce(void **state)
{
	uint8_t buf[PCP_MAX_LEN], out[PCP_MAX_LEN];
	struct pcp_msg m, r;
	size_t n;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.version = PCP_VERSION;
	m.opcode = PCP_OP_ANNOUNCE;
	pcp_v4mapped(ip("192.168.1.2"), &m.client);
	n = pcp_build(&m, buf, sizeof(buf));
	n = pcp_proxy_request(&P, ip("192.168.1.2"), buf, n, T0 + 42000, out,
			      sizeof(out));
	assert_int_equal(pcp_parse(out, n, &r), 0);
	assert_true(r.response);
	assert_int_equal(r.opcode, PCP_OP_ANNOUNCE);
	assert_int_equal(r.result, PCP_SUCCESS);
	assert_int_equal(r.epoch, 42);
	/* a response is never answered (RFC 6887 8.3) */
	assert_int_equal(pcp_proxy_request(&P, ip("192.168.1.2"), out, n, T0,
					   buf, sizeof(buf)), 0);
}

static void test_no_binding(void **state)
{
	struct req q = { .host = "192.168.1.2", .protocol = IPPROTO_UDP,
			 .internal_port = 8080, .lifetime = 600 };
	struct pcp_msg r;

	(void)state;
	pcp_proxy_rebound(&P, NULL);
	assert_false(P.have);
	assert_int_equal(ask(&q, &r), PCP_NETWORK_FAILURE);
	assert_int_equal(r.lifetime, 30);
	assert_int_equal(F.adds, 0);
	pcp_proxy_rebound(&P, &B);
	assert_int_equal(ask(&q, &r), PCP_SUCCESS);
}

static void test_quota(void **state)
{
	struct req q = { .host = "192.168.1.2", .protocol = IPPROTO_UDP,
			 .internal_port = 1, .lifetime = 600 };
	struct pcp_msg r;
	int i;

	(void)state;
	pcp_proxy_set_rate(&P, 100000, 100000);	/* not what this is about */
	for (i = 0; i < PCP_PROXY_MAX_PER_HOST; i++) {
		q.internal_port = (uint16_t)(1000 + i);
		assert_int_equal(ask(&q, &r), PCP_SUCCESS);
	}
	q.internal_port = 999;
	assert_int_equal(ask(&q, &r), PCP_USER_EX_QUOTA);
	/* another host has its own */
	q.host = "192.168.1.3";
	assert_int_equal(ask(&q, &r), PCP_SUCCESS);
}

static void test_set_exhausted(void **state)
{
	struct req q = { .host = "192.168.1.2", .protocol = IPPROTO_UDP,
			 .internal_port = 1, .lifetime = 600 };
	struct b4_binding tiny = B;
	struct pcp_msg r;
	int i;

	(void)state;
	/* PSID 4095 of 4096: 16 ports, 65520-65535 */
	tiny.psid_len = 12;
	tiny.psid = 4095;
	pcp_proxy_rebound(&P, &tiny);
	B = tiny;
	for (i = 0; i < 16; i++) {
		q.host = i < 8 ? "192.168.1.2" : "192.168.1.3";
		q.internal_port = (uint16_t)(1000 + i);
		assert_int_equal(ask(&q, &r), PCP_SUCCESS);
		assert_true(r.external_port >= 65520);
	}
	q.internal_port = 2000;
	assert_int_equal(ask(&q, &r), PCP_NO_RESOURCES);
}

static void test_expiry(void **state)
{
	struct req q = { .host = "192.168.1.2", .protocol = IPPROTO_UDP,
			 .internal_port = 8080, .lifetime = 3, .nonce = 3 };
	struct pcp_msg r;
	uint16_t port;

	(void)state;
	assert_int_equal(ask(&q, &r), PCP_SUCCESS);
	port = r.external_port;
	q.internal_port = 8081;
	q.lifetime = 60;
	assert_int_equal(ask(&q, &r), PCP_SUCCESS);
	pcp_proxy_expire(&P, T0 + 2999);
	assert_int_equal(F.dels, 0);
	pcp_proxy_expire(&P, T0 + 3000);
	assert_int_equal(F.dels, 1);
	assert_int_equal(F.deleted.external_port, port);
	assert_int_equal(F.deleted.internal_port, 8080);
	/* a renewal pushes it out: renewed at 50 s for 60 s more */
	q.at = 50000;
	assert_int_equal(ask(&q, &r), PCP_SUCCESS);
	pcp_proxy_expire(&P, T0 + 60000);
	assert_int_equal(F.dels, 1);
	pcp_proxy_expire(&P, T0 + 110000);
	assert_int_equal(F.dels, 2);
	/* gone: the same request is a new forward */
	assert_int_equal(ask(&q, &r), PCP_SUCCESS);
	assert_int_equal(F.adds, 3);
}

/* A UDP forward at (PSID << 12) | (100 + i) for the i-th PSID given. */
static void forwards_at(const uint16_t *psids, size_t n)
{
	struct req q = { .host = "192.168.1.2", .protocol = IPPROTO_UDP,
			 .internal_port = 0, .lifetime = 600,
			 .prefer_failure = true };
	struct pcp_msg r;
	size_t i;

	for (i = 0; i < n; i++) {
		q.internal_port = (uint16_t)(100 + i);
		q.suggest = (uint16_t)((psids[i] << 12) | (100 + i));
		assert_int_equal(ask(&q, &r), PCP_SUCCESS);
	}
}

static size_t forwards(void)
{
	size_t i, n = 0;

	for (i = 0; i < PCP_PROXY_MAX_FWDS; i++)
		n += P.fwd[i].used;
	return n;
}

static void test_rebound(void **state)
{
	/* The B4 held PSID 1 of 4 (ports 16384-32767): PSIDs 4-7 of 16 */
	const uint16_t at[] = { 4, 5, 5, 6, 7 };
	struct b4_binding wide = B, narrow = B, moved = B;

	(void)state;
	wide.psid_len = 2;
	wide.psid = 1;
	pcp_proxy_rebound(&P, &wide);
	B = wide;
	forwards_at(at, 5);
	assert_int_equal(forwards(), 5);
	/* the same set again: nothing changes */
	pcp_proxy_rebound(&P, &wide);
	assert_int_equal(F.dels, 0);
	/* narrowed to PSID 5 of 16: the two forwards in it stay */
	narrow.psid = 5;
	pcp_proxy_rebound(&P, &narrow);
	B = narrow;
	assert_int_equal(F.dels, 3);
	assert_int_equal(forwards(), 2);
	assert_true(P.have);
	assert_memory_equal(&P.bound, &narrow, sizeof(narrow));
	/* the same ports on another address: every forward goes */
	moved = narrow;
	moved.ipv4 = ip("192.0.2.2");
	pcp_proxy_rebound(&P, &moved);
	assert_int_equal(F.dels, 5);
	assert_int_equal(forwards(), 0);
	B = moved;
	forwards_at(at + 1, 2);
	/* no binding: every forward goes, and new ones are refused */
	pcp_proxy_rebound(&P, NULL);
	assert_int_equal(F.dels, 7);
	assert_int_equal(forwards(), 0);
	assert_false(P.have);
}

static void test_offset_set(void **state)
{
	/* offset 6, PSID 3 of 64: ranges of 16 ports in each of 63 blocks */
	struct b4_binding b = B;
	struct req q = { .host = "192.168.1.2", .protocol = IPPROTO_TCP,
			 .internal_port = 1, .lifetime = 600 };
	struct pcp_msg r;
	int i;

	(void)state;
	b.offset = 6;
	b.psid_len = 6;
	b.psid = 3;
	pcp_proxy_rebound(&P, &b);
	B = b;
	pcp_proxy_set_rate(&P, 100000, 100000);	/* not what this is about */
	for (i = 0; i < 50; i++) {
		q.internal_port = (uint16_t)(2000 + i);
		q.host = i < 25 ? "192.168.1.2" : "192.168.1.3";
		assert_int_equal(ask(&q, &r), PCP_SUCCESS);
		assert_true(ours(r.external_port));
		assert_true(r.external_port >= 1024);
	}
}

/*
 * #11 item 20: a token bucket per LAN host (rate/s, burst).  Over it a
 * request gets no answer at all, and is counted; other hosts are served
 * meanwhile; the table of hosts stays bounded however many addresses ask.
 */
static size_t raw_map(uint32_t host, uint16_t iport, int64_t at)
{
	uint8_t buf[PCP_MAX_LEN], out[PCP_MAX_LEN];
	struct pcp_msg m;
	size_t n;

	memset(&m, 0, sizeof(m));
	m.version = PCP_VERSION;
	m.opcode = PCP_OP_MAP;
	m.lifetime = 60;
	pcp_v4mapped(host, &m.client);
	memset(m.nonce, 7, PCP_NONCE_LEN);
	m.protocol = IPPROTO_UDP;
	m.internal_port = iport;
	n = pcp_build(&m, buf, sizeof(buf));
	assert_true(n > 0);
	return pcp_proxy_request(&P, host, buf, n, T0 + at, out, sizeof(out));
}

static void test_rate_limit(void **state)
{
	uint32_t a = ip("192.168.1.2"), b = ip("192.168.1.3");
	size_t i, used;

	(void)state;
	/* the defaults: 10/s, burst 20 */
	for (i = 0; i < PCP_PROXY_BURST; i++)
		assert_true(raw_map(a, 8080, 0) > 0);	/* a renewal, 20 times */
	assert_int_equal(raw_map(a, 8080, 0), 0);	/* over: silence */
	assert_int_equal(raw_map(a, 8080, 50), 0);	/* half a token back */
	assert_int_equal(P.n_limited, 2);
	assert_int_equal(F.adds, 1);
	/* another host is not held back by the first */
	assert_true(raw_map(b, 8080, 50) > 0);
	/* 100 ms at 10/s: one more */
	assert_true(raw_map(a, 8080, 100) > 0);
	assert_int_equal(raw_map(a, 8080, 100), 0);
	assert_int_equal(P.n_limited, 3);
	/* after a long idle, a full burst and no more (no overflow either) */
	for (i = 0; i < PCP_PROXY_BURST; i++)
		assert_true(raw_map(a, 8080, 400LL * 86400000) > 0);
	assert_int_equal(raw_map(a, 8080, 400LL * 86400000), 0);
	assert_int_equal(P.n_requests, 2 * PCP_PROXY_BURST + 6);

	/* configured: 1/s, burst 2 */
	pcp_proxy_set_rate(&P, 1, 2);
	assert_true(raw_map(b, 8080, 500LL * 86400000) > 0);
	assert_true(raw_map(b, 8080, 500LL * 86400000) > 0);
	assert_int_equal(raw_map(b, 8080, 500LL * 86400000 + 999), 0);
	assert_true(raw_map(b, 8080, 500LL * 86400000 + 1500) > 0);

	/* 8 times as many addresses as entries: bounded, each one answered */
	pcp_proxy_set_rate(&P, 10, 20);
	for (i = 0; i < 8 * PCP_PROXY_HOSTS; i++)
		assert_true(raw_map(htonl(0x0a000000 + (uint32_t)i), 0,
				    600LL * 86400000) > 0);
	for (used = 0, i = 0; i < PCP_PROXY_HOSTS; i++)
		used += P.hosts[i].used;
	assert_int_equal(used, PCP_PROXY_HOSTS);
}

/* --- nft_forwards.c: what needs no nftables ---------------------------------- */

static void test_table_name(void **state)
{
	char n[NFT_FORWARDS_TABLE_LEN];

	(void)state;
	assert_int_equal(nft_forwards_table_name("b0", n, sizeof(n)), 0);
	assert_string_equal(n, "lw4o6d_b0");
	assert_int_equal(nft_forwards_table_name("wan_b4-1.7", n, sizeof(n)), 0);
	assert_string_equal(n, "lw4o6d_wan_b4-1.7");
	assert_int_equal(nft_forwards_table_name("b@0+", n, sizeof(n)), 0);
	assert_string_equal(n, "lw4o6d_b_400_2b");
	/* the longest device name, every byte escaped, fits */
	assert_int_equal(nft_forwards_table_name("@@@@@@@@@@@@@@@", n,
						 sizeof(n)), 0);
	assert_int_equal(strlen(n), 7 + 15 * 3);
	/* what cannot go into the rule's iifname "..." */
	assert_int_equal(nft_forwards_table_name("b\"0", n, sizeof(n)), -EINVAL);
	assert_int_equal(nft_forwards_table_name("b\\0", n, sizeof(n)), -EINVAL);
	assert_int_equal(nft_forwards_table_name("b\n0", n, sizeof(n)), -EINVAL);
	assert_int_equal(nft_forwards_table_name("", n, sizeof(n)), -EINVAL);
	assert_int_equal(nft_forwards_table_name("b0", n, 9), -EINVAL);
	assert_int_equal(nft_forwards_table_name("b0", n, 10), 0);
}

static void test_nft_error_text(void **state)
{
	const char *err =
		"Error: Could not process rule: No such file or directory\n"
		"delete element ip lw4o6d_b0 forwards { udp . 5001 }\n"
		"                                       ^^^^^^^^^^\n";
	char l[64];

	(void)state;
	nft_text_line(err, 0, l, sizeof(l));
	assert_string_equal(l, "Could not process rule: No such file or directory");
	nft_text_line(err, 1, l, sizeof(l));
	assert_string_equal(l, "delete element ip lw4o6d_b0 forwards { udp . 5001 }");
	nft_text_line(err, 3, l, sizeof(l));
	assert_string_equal(l, "");
	nft_text_line(err, 9, l, sizeof(l));
	assert_string_equal(l, "");
	nft_text_line("    iifname \"b0\" dnat\n", 0, l, sizeof(l));
	assert_string_equal(l, "iifname \"b0\" dnat");
	nft_text_line(err, 0, l, 6);
	assert_string_equal(l, "Could");
	nft_text_line("", 0, l, sizeof(l));
	assert_string_equal(l, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup(f, setup)
		T(test_success),
		T(test_renew_other_nonce_delete),
		T(test_lifetime_bound),
		T(test_suggestions),
		T(test_refusals),
		T(test_announce),
		T(test_no_binding),
		T(test_quota),
		T(test_set_exhausted),
		T(test_expiry),
		T(test_rebound),
		T(test_offset_set),
		T(test_rate_limit),
#undef T
		cmocka_unit_test(test_table_name),
		cmocka_unit_test(test_nft_error_text),
	};

	log_open(LOG_ERR, false);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
