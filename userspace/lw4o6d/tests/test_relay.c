// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * relay_track.c without a kernel or a socket: the bindings it would
 * install and remove are recorded, the clock is the test's.  Covers what
 * an ACK installs (and from which option 109), the 109 check, RELEASE,
 * DECLINE, NAK, expiry, a set given to another B4, a client moved to
 * another set, a client renumbered (the same set at its new address), leases learned by leasequery and bindings adopted from the
 * kernel, the per-subscriber rate, and the bounds on pending requests.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "log.h"
#include "relay_track.h"

#include "tests/cmocka_wrap.h"

static struct {
	int64_t now;
	unsigned int adds, dels;
	struct lw4o6_mapping last_add;
	uint32_t last_del_ipv4;
	uint16_t last_del_psid;
	int add_err;
} F;

static int f_add(const struct lw4o6_mapping *m, void *arg)
{
	(void)arg;
	if (F.add_err)
		return F.add_err;
	F.adds++;
	F.last_add = *m;
	return 0;
}

static int f_del(uint32_t ipv4, uint16_t psid, uint8_t psid_len, void *arg)
{
	(void)arg;
	(void)psid_len;
	F.dels++;
	F.last_del_ipv4 = ipv4;
	F.last_del_psid = psid;
	return 0;
}

static int64_t f_now(void *arg)
{
	(void)arg;
	return F.now;
}

static const struct relay_track_ops ops = {
	.bind_add = f_add, .bind_del = f_del, .now_ms = f_now,
};

static struct relay_track_cfg cfg(void)
{
	struct relay_track_cfg c = {
		.rate = 10, .burst = 20, .sub_plen = 64, .max_bindings = 100,
		.max_pending = 8, .max_clients = 100,
		.pending_timeout_ms = 60000, .default_lease = 3600,
	};

	return c;
}

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

/* A client's DHCPv4 message: chaddr from mac_last, xid. */
static struct dhcp4_msg msg(uint8_t type, uint32_t xid, uint8_t mac_last)
{
	struct dhcp4_msg m;

	memset(&m, 0, sizeof(m));
	m.op = type == DHCP4_ACK || type == DHCP4_NAK ? 2 : 1;
	m.htype = 1;
	m.hlen = 6;
	m.xid = xid;
	m.type = type;
	m.chaddr[0] = 0x02;
	m.chaddr[5] = mac_last;
	return m;
}

static struct dhcp4_msg request(uint32_t xid, uint8_t mac, const char *saddr)
{
	struct dhcp4_msg m = msg(DHCP4_REQUEST, xid, mac);

	if (saddr) {
		m.has_saddr = true;
		m.saddr = a6(saddr);
	}
	return m;
}

static struct dhcp4_msg ackmsg(uint32_t xid, uint8_t mac, const char *ip,
			       int psid_len, uint16_t psid, uint32_t lease)
{
	struct dhcp4_msg m = msg(DHCP4_ACK, xid, mac);

	m.yiaddr = a4(ip);
	if (psid_len >= 0) {
		m.has_portparams = true;
		m.offset = 6;
		m.psid_len = (uint8_t)psid_len;
		m.psid = psid;
	}
	if (lease) {
		m.has_lease_time = true;
		m.lease_time = lease;
	}
	return m;
}

static int setup(void **state)
{
	struct relay_track_cfg c = cfg();

	memset(&F, 0, sizeof(F));
	F.now = 1000000;
	*state = relay_track_new(&c, &ops);
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	relay_track_free(*state);
	return 0;
}

#define B4A "2001:db8:1::a"
#define B4B "2001:db8:2::b"

/* REQUEST with 109 = its source, ACK with 159 and 51: installed as told. */
static void test_ack_installs(void **state)
{
	struct relay_track *rt = *state;
	struct in6_addr c = a6(B4A);
	struct dhcp4_msg rq = request(7, 1, B4A);
	struct dhcp4_msg ak = ackmsg(7, 1, "192.0.2.1", 4, 3, 600);
	const struct relay_binding *b;
	struct relay_stats st;

	assert_true(relay_track_up(rt, &c, &rq));
	assert_int_equal(F.adds, 0);
	relay_track_down(rt, &c, &ak);
	assert_int_equal(F.adds, 1);
	assert_int_equal(F.last_add.ipv4, a4("192.0.2.1"));
	assert_int_equal(F.last_add.psid, 3);
	assert_int_equal(F.last_add.psid_len, 4);
	assert_int_equal(F.last_add.offset, 6);
	assert_memory_equal(&F.last_add.b4, &c, 16);
	b = relay_track_find(rt, a4("192.0.2.1"), 3);
	assert_non_null(b);
	assert_int_equal(b->expires_ms, F.now + 600000);
	relay_track_stats(rt, &st);
	assert_int_equal(st.installed, 1);
	assert_int_equal(st.up[DHCP4_REQUEST], 1);
	assert_int_equal(st.down[DHCP4_ACK], 1);
	assert_int_equal(st.pending, 0);
	assert_int_equal(st.bindings, 1);

	/* a renewal refreshes the timer, installs again, counts a renewal */
	F.now += 300000;
	rq = request(8, 1, B4A);
	ak = ackmsg(8, 1, "192.0.2.1", 4, 3, 600);
	relay_track_up(rt, &c, &rq);
	relay_track_down(rt, &c, &ak);
	assert_int_equal(F.adds, 2);
	assert_int_equal(relay_track_find(rt, a4("192.0.2.1"), 3)->expires_ms,
			 F.now + 600000);
	relay_track_stats(rt, &st);
	assert_int_equal(st.renewed, 1);
	assert_int_equal(st.bindings, 1);
}

/* No 159: the whole address; no 51: the default lease; no REQUEST seen: the source. */
static void test_whole_address_defaults(void **state)
{
	struct relay_track *rt = *state;
	struct in6_addr c = a6(B4A);
	struct dhcp4_msg ak = ackmsg(9, 1, "198.51.100.7", -1, 0, 0);

	relay_track_down(rt, &c, &ak);
	assert_int_equal(F.adds, 1);
	assert_int_equal(F.last_add.psid_len, 0);
	assert_int_equal(F.last_add.psid, 0);
	assert_memory_equal(&F.last_add.b4, &c, 16);
	assert_int_equal(relay_track_find(rt, a4("198.51.100.7"), 0)->expires_ms,
			 F.now + 3600000);
}

/* A 109 naming another address: forwarded, nothing installed, counted. */
static void test_saddr_mismatch(void **state)
{
	struct relay_track *rt = *state;
	struct in6_addr c = a6(B4A);
	struct dhcp4_msg rq = request(7, 1, B4B);
	struct dhcp4_msg ak = ackmsg(7, 1, "192.0.2.1", 4, 3, 600);
	struct relay_stats st;

	assert_true(relay_track_up(rt, &c, &rq));
	relay_track_down(rt, &c, &ak);
	assert_int_equal(F.adds, 0);
	assert_null(relay_track_find(rt, a4("192.0.2.1"), 3));
	relay_track_stats(rt, &st);
	assert_int_equal(st.saddr_mismatch, 1);
	assert_int_equal(st.installed, 0);
	assert_int_equal(st.pending, 0);
}

/* A link-local source without 109 is no B4 address. */
static void test_link_local_source(void **state)
{
	struct relay_track *rt = *state;
	struct in6_addr c = a6("fe80::1");
	struct dhcp4_msg ak = ackmsg(7, 1, "192.0.2.1", 4, 3, 600);
	struct relay_stats st;

	relay_track_down(rt, &c, &ak);
	assert_int_equal(F.adds, 0);
	relay_track_stats(rt, &st);
	assert_int_equal(st.bad_b4, 1);
}

static void grant(struct relay_track *rt, const char *b4, uint32_t xid,
		  uint8_t mac, const char *ip, uint16_t psid)
{
	struct in6_addr c = a6(b4);
	struct dhcp4_msg rq = request(xid, mac, b4);
	struct dhcp4_msg ak = ackmsg(xid, mac, ip, 4, psid, 600);

	assert_true(relay_track_up(rt, &c, &rq));
	relay_track_down(rt, &c, &ak);
}

/* RELEASE removes the sender's binding of ciaddr, and no one else's. */
static void test_release(void **state)
{
	struct relay_track *rt = *state;
	struct in6_addr ca = a6(B4A), cb = a6(B4B);
	struct dhcp4_msg rl = msg(DHCP4_RELEASE, 20, 1);
	struct relay_stats st;

	grant(rt, B4A, 7, 1, "192.0.2.1", 3);
	grant(rt, B4B, 8, 2, "192.0.2.1", 4);
	assert_int_equal(F.adds, 2);

	/* B4B releasing A's address (with A's chaddr): nothing */
	rl.ciaddr = a4("192.0.2.1");
	assert_true(relay_track_up(rt, &cb, &rl));
	assert_non_null(relay_track_find(rt, a4("192.0.2.1"), 3));
	assert_non_null(relay_track_find(rt, a4("192.0.2.1"), 4));
	assert_int_equal(F.dels, 0);

	assert_true(relay_track_up(rt, &ca, &rl));
	assert_int_equal(F.dels, 1);
	assert_int_equal(F.last_del_psid, 3);
	assert_null(relay_track_find(rt, a4("192.0.2.1"), 3));
	assert_non_null(relay_track_find(rt, a4("192.0.2.1"), 4));
	relay_track_stats(rt, &st);
	assert_int_equal(st.released, 1);
	assert_int_equal(st.bindings, 1);
}

/* DECLINE names the address in option 50. */
static void test_decline(void **state)
{
	struct relay_track *rt = *state;
	struct in6_addr ca = a6(B4A);
	struct dhcp4_msg dc = msg(DHCP4_DECLINE, 21, 1);

	grant(rt, B4A, 7, 1, "192.0.2.1", 3);
	dc.has_requested_ip = true;
	dc.requested_ip = a4("192.0.2.1");
	relay_track_up(rt, &ca, &dc);
	assert_int_equal(F.dels, 1);
	assert_null(relay_track_find(rt, a4("192.0.2.1"), 3));
}

/* A NAK to a client's REQUEST removes its binding. */
static void test_nak(void **state)
{
	struct relay_track *rt = *state;
	struct in6_addr ca = a6(B4A);
	struct dhcp4_msg rq = request(30, 1, B4A);
	struct dhcp4_msg nk = msg(DHCP4_NAK, 30, 1);
	struct relay_stats st;

	grant(rt, B4A, 7, 1, "192.0.2.1", 3);
	rq.ciaddr = a4("192.0.2.1");
	relay_track_up(rt, &ca, &rq);
	relay_track_down(rt, &ca, &nk);
	assert_int_equal(F.dels, 1);
	assert_null(relay_track_find(rt, a4("192.0.2.1"), 3));
	relay_track_stats(rt, &st);
	assert_int_equal(st.naked, 1);
	assert_int_equal(st.pending, 0);
}

/* What is not renewed by the end of its lease goes, on time. */
static void test_expiry(void **state)
{
	struct relay_track *rt = *state;
	struct relay_stats st;
	int64_t next;

	grant(rt, B4A, 7, 1, "192.0.2.1", 3);
	F.now += 599000;
	next = relay_track_tick(rt);
	assert_true(next <= 1000);
	assert_int_equal(F.dels, 0);
	F.now += next;
	relay_track_tick(rt);
	assert_int_equal(F.dels, 1);
	assert_null(relay_track_find(rt, a4("192.0.2.1"), 3));
	relay_track_stats(rt, &st);
	assert_int_equal(st.expired, 1);
}

/* A set ACKed to another B4 moves: one binding, the new owner's. */
static void test_replace(void **state)
{
	struct relay_track *rt = *state;
	struct in6_addr cb = a6(B4B);
	const struct relay_binding *b;
	struct relay_stats st;

	grant(rt, B4A, 7, 1, "192.0.2.1", 3);
	grant(rt, B4B, 8, 2, "192.0.2.1", 3);
	assert_int_equal(F.adds, 2);
	assert_memory_equal(&F.last_add.b4, &cb, 16);
	b = relay_track_find(rt, a4("192.0.2.1"), 3);
	assert_memory_equal(&b->m.b4, &cb, 16);
	relay_track_stats(rt, &st);
	assert_int_equal(st.replaced, 1);
	assert_int_equal(st.bindings, 1);
	/* A's RELEASE no longer touches it */
	{
		struct in6_addr ca = a6(B4A);
		struct dhcp4_msg rl = msg(DHCP4_RELEASE, 9, 1);

		rl.ciaddr = a4("192.0.2.1");
		relay_track_up(rt, &ca, &rl);
		assert_int_equal(F.dels, 0);
	}
}

/*
 * A B4 renumbered (RFC 8539): the same client renews from a new address,
 * naming it in 109, and the server ACKs the same set there.  One binding,
 * at the new address (the kernel's replaced, nothing deleted), and the
 * old address's RELEASE or NAK no longer touch it.
 */
static void test_renumbered(void **state)
{
	struct relay_track *rt = *state;
	struct in6_addr ca = a6(B4A), cc = a6("2001:db8:1::c");
	struct dhcp4_msg rq = request(40, 1, "2001:db8:1::c");
	struct dhcp4_msg ak = ackmsg(40, 1, "192.0.2.1", 4, 3, 600);
	struct dhcp4_msg rl = msg(DHCP4_RELEASE, 41, 1);
	const struct relay_binding *b;
	struct relay_stats st;

	grant(rt, B4A, 7, 1, "192.0.2.1", 3);
	rq.ciaddr = a4("192.0.2.1");
	assert_true(relay_track_up(rt, &cc, &rq));
	relay_track_down(rt, &cc, &ak);
	assert_int_equal(F.adds, 2);
	assert_int_equal(F.dels, 0);
	assert_memory_equal(&F.last_add.b4, &cc, 16);
	b = relay_track_find(rt, a4("192.0.2.1"), 3);
	assert_non_null(b);
	assert_memory_equal(&b->m.b4, &cc, 16);
	relay_track_stats(rt, &st);
	assert_int_equal(st.bindings, 1);
	assert_int_equal(st.replaced, 1);
	assert_int_equal(st.moved, 0);
	rl.ciaddr = a4("192.0.2.1");
	relay_track_up(rt, &ca, &rl);
	assert_int_equal(F.dels, 0);
	assert_non_null(relay_track_find(rt, a4("192.0.2.1"), 3));
}

/* The same client ACKed another set loses its old one. */
static void test_moved(void **state)
{
	struct relay_track *rt = *state;
	struct relay_stats st;

	grant(rt, B4A, 7, 1, "192.0.2.1", 3);
	grant(rt, B4A, 8, 1, "192.0.2.2", 5);
	assert_int_equal(F.dels, 1);
	assert_null(relay_track_find(rt, a4("192.0.2.1"), 3));
	assert_non_null(relay_track_find(rt, a4("192.0.2.2"), 5));
	relay_track_stats(rt, &st);
	assert_int_equal(st.moved, 1);
	/* another client (other chaddr) at the same address keeps its own */
	grant(rt, B4A, 9, 2, "192.0.2.3", 1);
	assert_int_equal(F.dels, 1);
	assert_non_null(relay_track_find(rt, a4("192.0.2.2"), 5));
}

/* The kernel refuses: nothing tracked. */
static void test_install_fails(void **state)
{
	struct relay_track *rt = *state;
	struct relay_stats st;

	F.add_err = -EINVAL;
	grant(rt, B4A, 7, 1, "192.0.2.1", 3);
	assert_null(relay_track_find(rt, a4("192.0.2.1"), 3));
	relay_track_stats(rt, &st);
	assert_int_equal(st.install_failed, 1);
	assert_int_equal(st.installed, 0);
}

/* Learned leases carry their remaining time; adopted ones have no timer. */
static void test_learn_adopt(void **state)
{
	struct relay_track *rt = *state;
	struct lw4o6_mapping m = { 0 };
	struct in6_addr ca = a6(B4A);
	struct dhcp4_msg rl = msg(DHCP4_RELEASE, 9, 1);

	m.b4 = a6(B4A);
	m.ipv4 = a4("192.0.2.1");
	m.psid = 3;
	m.psid_len = 4;
	m.offset = 6;
	assert_int_equal(relay_track_learn(rt, &m, 20), 0);
	assert_int_equal(F.adds, 1);
	assert_int_equal(relay_track_find(rt, m.ipv4, 3)->expires_ms,
			 F.now + 20000);
	m.b4 = a6("fe80::1");
	assert_int_equal(relay_track_learn(rt, &m, 20), -EINVAL);

	m.b4 = a6(B4B);
	m.psid = 4;
	assert_int_equal(relay_track_adopt(rt, &m), 0);
	assert_int_equal(relay_track_adopt(rt, &m), -EEXIST);
	assert_int_equal(F.adds, 1);	/* already in the kernel */
	F.now += 20000;
	relay_track_tick(rt);
	assert_int_equal(F.dels, 1);
	assert_null(relay_track_find(rt, m.ipv4, 3));
	F.now += 100000000;
	relay_track_tick(rt);
	assert_non_null(relay_track_find(rt, m.ipv4, 4));

	/* a learned lease (identifier unknown) is still released by its B4 */
	m.b4 = a6(B4A);
	m.psid = 3;
	assert_int_equal(relay_track_learn(rt, &m, 20), 0);
	rl.ciaddr = m.ipv4;
	relay_track_up(rt, &ca, &rl);
	assert_null(relay_track_find(rt, m.ipv4, 3));
}

/* Burst, then the rate; a subscriber is its /64; the bucket refills. */
static void test_rate(void **state)
{
	struct relay_track *rt = *state;
	struct in6_addr c = a6(B4A), c2 = a6("2001:db8:1::77"),
			other = a6(B4B);
	struct dhcp4_msg d = msg(DHCP4_DISCOVER, 1, 1);
	struct relay_stats st;
	int i;

	for (i = 0; i < 10; i++)
		assert_true(relay_track_up(rt, &c, &d));
	for (i = 0; i < 10; i++)
		assert_true(relay_track_up(rt, &c2, &d));
	assert_false(relay_track_up(rt, &c, &d));
	assert_false(relay_track_up(rt, &c2, NULL));
	assert_true(relay_track_up(rt, &other, &d));
	F.now += 200;	/* 10/s: two more */
	assert_true(relay_track_up(rt, &c, &d));
	assert_true(relay_track_up(rt, &c, &d));
	assert_false(relay_track_up(rt, &c, &d));
	relay_track_stats(rt, &st);
	assert_int_equal(st.rate_limited, 3);
	assert_int_equal(st.clients, 2);
	/* idle records are forgotten */
	F.now += 120000;
	relay_track_tick(rt);
	relay_track_stats(rt, &st);
	assert_int_equal(st.clients, 0);
}

/* max_clients subscribers at once; more are dropped. */
static void test_clients_cap(void **state)
{
	struct relay_track_cfg c = cfg();
	struct relay_track *rt;
	struct relay_stats st;
	char buf[64];
	int i;

	(void)state;
	c.max_clients = 3;
	rt = relay_track_new(&c, &ops);
	for (i = 0; i < 4; i++) {
		struct in6_addr a;

		snprintf(buf, sizeof(buf), "2001:db8:%x::1", i + 1);
		a = a6(buf);
		assert_int_equal(relay_track_up(rt, &a, NULL), i < 3);
	}
	relay_track_stats(rt, &st);
	assert_int_equal(st.clients_full, 1);
	relay_track_free(rt);
}

/* Pending requests: capped (the oldest gives way), and timed out. */
static void test_pending_bounds(void **state)
{
	struct relay_track *rt = *state;
	struct in6_addr c = a6(B4A);
	struct relay_stats st;
	uint32_t x;

	/* 8 at most: xid 1's 109 (another address) is forgotten */
	for (x = 1; x <= 9; x++) {
		struct dhcp4_msg rq = request(x, 1, x == 1 ? B4B : B4A);

		F.now += 50;	/* within the rate */
		assert_true(relay_track_up(rt, &c, &rq));
	}
	relay_track_stats(rt, &st);
	assert_int_equal(st.pending, 8);
	assert_int_equal(st.pending_full, 1);
	{
		/* falls back to the source: installed for the client itself */
		struct dhcp4_msg ak = ackmsg(1, 1, "192.0.2.1", 4, 3, 600);

		relay_track_down(rt, &c, &ak);
		assert_int_equal(F.adds, 1);
		assert_memory_equal(&F.last_add.b4, &c, 16);
	}
	F.now += 60000;
	relay_track_tick(rt);
	relay_track_stats(rt, &st);
	assert_int_equal(st.pending, 0);
}

/* max_bindings: the next one is not installed. */
static void test_bindings_cap(void **state)
{
	struct relay_track_cfg c = cfg();
	struct relay_track *rt;
	struct relay_stats st;

	(void)state;
	c.max_bindings = 1;
	rt = relay_track_new(&c, &ops);
	grant(rt, B4A, 7, 1, "192.0.2.1", 3);
	grant(rt, B4B, 8, 2, "192.0.2.1", 4);
	assert_int_equal(F.adds, 1);
	relay_track_stats(rt, &st);
	assert_int_equal(st.bindings_full, 1);
	relay_track_free(rt);
}

/* The identifier: option 61 when present, else chaddr; never 0. */
static void test_client_hash(void **state)
{
	struct dhcp4_msg a = msg(DHCP4_REQUEST, 1, 1), b = a;
	static const uint8_t cid[] = { 1, 2, 0, 0, 0, 0, 1 };

	(void)state;
	assert_int_equal(relay_client_hash(&a), relay_client_hash(&b));
	b.chaddr[5] = 2;
	assert_int_not_equal(relay_client_hash(&a), relay_client_hash(&b));
	a.client_id = cid;
	a.client_id_len = sizeof(cid);
	b.client_id = cid;
	b.client_id_len = sizeof(cid);
	assert_int_equal(relay_client_hash(&a), relay_client_hash(&b));
	assert_int_not_equal(relay_client_hash(&a), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_ack_installs),
		T(test_whole_address_defaults),
		T(test_saddr_mismatch),
		T(test_link_local_source),
		T(test_release),
		T(test_decline),
		T(test_nak),
		T(test_expiry),
		T(test_replace),
		T(test_moved),
		T(test_renumbered),
		T(test_install_fails),
		T(test_learn_adopt),
		T(test_rate),
		T(test_clients_cap),
		T(test_pending_bounds),
		T(test_bindings_cap),
		T(test_client_hash),
#undef T
	};

	log_open(LOG_ERR, false);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
