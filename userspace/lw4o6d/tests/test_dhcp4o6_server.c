// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dhcp4o6_serve.c, the DHCPv4-over-DHCPv6 server's messages, over the
 * core (alloc.c) with the core's fakes (a real store in a scratch
 * directory, a clock the test moves): DORA, two B4s sharing an address,
 * renewal, NAK, RELEASE, DECLINE and its hold (also across a resync of
 * the core's foreign sets), the identity rule (109, relays, trust),
 * whole-address clients, PCP and DHCP on one pool, relayed answers,
 * Information-request with 88 and S46_CONT_LW, bad input, rate, and
 * the re-validation a B4 sends on an ICMPv6 1/5 (control-message
 * failover, #13) to a server that never saw its lease, and a renewal from
 * a renumbered B4 (RFC 8539: the lease moves, or NAK).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <arpa/inet.h>

#include "alloc.h"
#include "dhcp4o6_serve.h"
#include "log.h"
#include "tests/cmocka_wrap.h"
#include "tests/fakes.h"

#define POOL	"192.0.2.1"	/* /32, psid-len 2, offset 6: 4 sets */
#define WHOLE	"198.51.100.0"	/* /30, psid-len 0 */

struct fx {
	struct store st;
	struct alloc *a;
	struct alloc_limits lim;
	struct lw4o6d_config c;
	struct d4o6_serve *s;
	struct d4o6_out out;
};

static const uint8_t duid[] = { 0, 3, 0, 1, 2, 0, 0, 0, 0, 0x53 };

static void start(struct fx *f)
{
	f->a = alloc_new(&f->st, &f->lim, f->c.pools, f->c.n_pools,
			 &fake_clock);
	assert_non_null(f->a);
	assert_int_equal(alloc_load(f->a, false), 0);
	f->s = d4o6_serve_new(&f->c, f->a, duid, sizeof(duid));
	assert_non_null(f->s);
}

static void stop(struct fx *f)
{
	d4o6_serve_free(f->s);
	alloc_free(f->a);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	fake_store_open(&f->st);
	f->lim = (struct alloc_limits){ .lifetime_min = 120,
					.lifetime_max = 86400,
					.lifetime_default = 7200,
					.quota = 1, .rate = 10, .burst = 20,
					.sub_plen = 128 };
	f->c.role = ROLE_AFTR;
	f->c.lifetime_min = 120;
	f->c.lifetime_max = 86400;
	f->c.lifetime_default = 7200;
	f->c.decline_hold = 600;
	f->c.dhcp4o6 = true;
	f->c.has_listen6 = true;
	inet_pton(AF_INET6, "2001:db8:ffff::1", &f->c.listen6);
	f->c.n_relay_peers = 1;
	inet_pton(AF_INET6, "2001:db8:aaaa::1", &f->c.relay_peers[0]);
	f->c.n_pools = 1;
	f->c.pools[0] = (struct pool_cfg){ .prefix = ip(POOL), .plen = 32,
					   .psid_len = 2, .offset = 6 };
	start(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	stop(f);
	fake_store_destroy(&f->st);
	free(f);
	return 0;
}

/* ---- clients ------------------------------------------------------------- */

struct q {
	uint8_t type;
	unsigned int b4;	/* 2001:db8::b4, the source */
	uint8_t mac;		/* chaddr 02:00:00:00:00:mac */
	bool no_159, no_109;
	unsigned int saddr;	/* 109 names 2001:db8::saddr (0: the source) */
	uint32_t requested, server_id, ciaddr, lease;
	uint32_t flags6;
};

static size_t mk_query(const struct q *q, uint8_t *out, size_t cap)
{
	static const uint8_t p159[] = { 1, 3, 159 }, p[] = { 1, 3 };
	struct dhcp4_msg m;
	uint8_t v4[DHCP4_MAX_LEN];
	struct dhcp6_buf b;
	size_t n;

	memset(&m, 0, sizeof(m));
	m.op = 1;
	m.htype = 1;
	m.hlen = 6;
	m.xid = 0x11223344;
	m.chaddr[0] = 2;
	m.chaddr[5] = q->mac;
	m.type = q->type;
	m.params = q->no_159 ? p : p159;
	m.params_len = q->no_159 ? sizeof(p) : sizeof(p159);
	m.ciaddr = q->ciaddr;
	if (!q->no_109) {
		m.has_saddr = true;
		b4_addr(&m.saddr, q->saddr ? q->saddr : q->b4);
	}
	if (q->requested) {
		m.has_requested_ip = true;
		m.requested_ip = q->requested;
	}
	if (q->server_id) {
		m.has_server_id = true;
		m.server_id = q->server_id;
	}
	if (q->lease) {
		m.has_lease_time = true;
		m.lease_time = q->lease;
	}
	n = dhcp4_build(&m, NULL, 0, v4, sizeof(v4));
	assert_true(n > 0);
	dhcp6_begin(&b, out, cap, DHCP6_DHCPV4_QUERY, q->flags6);
	dhcp6_put(&b, DHCP6_OPT_DHCPV4_MSG, v4, n);
	n = dhcp6_end(&b);
	assert_true(n > 0);
	return n;
}

/* Sends q directly from its B4; the answer's DHCPv4 message in *r (type 0: none). */
static int ask(struct fx *f, const struct q *q, struct dhcp4_msg *r)
{
	uint8_t buf[DHCP6_MAX_LEN];
	struct d4o6_from from = { .sport = 546, .multicast = true,
				  .ifindex = 7 };
	struct dhcp6_msg m6;
	size_t n = mk_query(q, buf, sizeof(buf));
	int got;

	b4_addr(&from.src, q->b4);
	memset(r, 0, sizeof(*r));
	got = d4o6_handle(f->s, buf, n, &from, &f->out);
	d4o6_committed(f->s, true);
	if (!got)
		return 0;
	assert_memory_equal(&f->out.to, &from.src, 16);
	assert_int_equal(f->out.port, 546);
	assert_int_equal(f->out.ifindex, 7);
	assert_int_equal(dhcp6_parse(f->out.buf, f->out.len, &m6), 0);
	assert_int_equal(m6.type, DHCP6_DHCPV4_RESPONSE);
	assert_int_equal(m6.xid, q->flags6);	/* flags copied */
	assert_non_null(m6.dhcpv4);
	assert_int_equal(dhcp4_parse(m6.dhcpv4, m6.dhcpv4_len, r), 0);
	assert_int_equal(r->op, 2);
	assert_int_equal(r->xid, 0x11223344);
	assert_int_equal(r->chaddr[5], q->mac);
	assert_true(r->has_server_id);
	assert_int_equal(r->server_id, htonl(0xc0000001));
	return 1;
}

/* DISCOVER then SELECTING REQUEST; the ACK in *ack. */
static void dora(struct fx *f, unsigned int b4, uint8_t mac,
		 struct dhcp4_msg *ack)
{
	struct q d = { .type = DHCP4_DISCOVER, .b4 = b4, .mac = mac };
	struct q r = { .type = DHCP4_REQUEST, .b4 = b4, .mac = mac,
		       .server_id = htonl(0xc0000001) };
	struct dhcp4_msg off;

	assert_int_equal(ask(f, &d, &off), 1);
	assert_int_equal(off.type, DHCP4_OFFER);
	r.requested = off.yiaddr;
	assert_int_equal(ask(f, &r, ack), 1);
	assert_int_equal(ack->type, DHCP4_ACK);
	assert_int_equal(ack->yiaddr, off.yiaddr);
}

static const struct lease *lease_of(struct fx *f, unsigned int b4)
{
	struct in6_addr a;

	b4_addr(&a, b4);
	return alloc_b4_next(f->a, &a, false, 0, 0);
}

static uint64_t dropped(struct fx *f, enum d4o6_drop why)
{
	return d4o6_counters(f->s)->drop[why];
}

/* ---- tests --------------------------------------------------------------- */

/* DISCOVER: a short grant (the offer), installed; REQUEST: the lease time. */
static void test_dora(void **state)
{
	struct fx *f = *state;
	struct q d = { .type = DHCP4_DISCOVER, .b4 = 1, .mac = 1,
		       .lease = 3600 };
	struct q r = { .type = DHCP4_REQUEST, .b4 = 1, .mac = 1,
		       .server_id = htonl(0xc0000001), .lease = 3600 };
	struct dhcp4_msg off, ack;
	struct lw4o6_mapping st;
	const struct lease *l;

	assert_int_equal(ask(f, &d, &off), 1);
	assert_int_equal(off.type, DHCP4_OFFER);
	assert_int_equal(off.yiaddr, ip(POOL));
	assert_true(off.has_portparams);
	assert_int_equal(off.psid_len, 2);
	assert_int_equal(off.offset, 6);
	assert_true(off.has_lease_time);
	assert_int_equal(off.lease_time, 3600);
	assert_int_equal(off.t1, 1800);
	assert_int_equal(off.t2, 3150);
	l = lease_of(f, 1);
	assert_non_null(l);
	assert_int_equal(l->m.expires, fake_wall + 120);	/* the offer */
	assert_memory_equal(l->m.nonce, "D4o6", 4);
	assert_int_equal(l->m.protocol, 0);
	assert_int_equal(l->m.internal_port, 0);
	assert_int_equal(l->m.psid, off.psid);

	r.requested = off.yiaddr;
	fake_wall += 10;
	assert_int_equal(ask(f, &r, &ack), 1);
	assert_int_equal(ack.type, DHCP4_ACK);
	assert_int_equal(ack.yiaddr, off.yiaddr);
	assert_int_equal(ack.psid, off.psid);
	assert_int_equal(ack.lease_time, 3600);
	l = lease_of(f, 1);
	assert_int_equal(l->m.expires, fake_wall + 3600);
	assert_true(fake_store_get(&f->st, ack.yiaddr, ack.psid, &st));
	assert_int_equal(st.expires, fake_wall + 3600);

	/* A lease time out of bounds: the default. */
	r.lease = 10;
	r.server_id = 0;
	r.requested = 0;
	r.ciaddr = ack.yiaddr;
	r.flags6 = DHCP6_4O6_FLAG_UNICAST;
	assert_int_equal(ask(f, &r, &ack), 1);
	assert_int_equal(ack.lease_time, 7200);
	assert_int_equal(d4o6_counters(f->s)->msg[D4O6_OUT_OFFER], 1);
	assert_int_equal(d4o6_counters(f->s)->msg[D4O6_OUT_ACK], 2);
}

/*
 * The store away (a shared store's -EAGAIN): no answer at all, so the
 * client retransmits; no NAK, nothing granted half; back, it works.
 */
static void test_store_away(void **state)
{
	struct fx *f = *state;
	struct q d = { .type = DHCP4_DISCOVER, .b4 = 2, .mac = 2 };
	struct q r = { .type = DHCP4_REQUEST, .b4 = 1, .mac = 1,
		       .flags6 = DHCP6_4O6_FLAG_UNICAST };
	struct dhcp4_msg ack, got;
	int64_t exp;

	dora(f, 1, 1, &ack);
	exp = lease_of(f, 1)->m.expires;
	fake_store_fail.put = -EAGAIN;
	fake_wall += 100;
	r.ciaddr = ack.yiaddr;
	assert_int_equal(ask(f, &r, &got), 0);		/* a renewal */
	assert_int_equal(lease_of(f, 1)->m.expires, exp);
	assert_int_equal(ask(f, &d, &got), 0);		/* a new client */
	assert_null(lease_of(f, 2));
	assert_int_equal(fake_store_count(&f->st), 1);
	assert_int_equal(d4o6_counters(f->s)->msg[D4O6_OUT_NAK], 0);
	fake_store_fail.put = 0;
	assert_int_equal(ask(f, &r, &got), 1);
	assert_int_equal(got.type, DHCP4_ACK);
	assert_int_equal(ask(f, &d, &got), 1);
	assert_int_equal(got.type, DHCP4_OFFER);
}

/* Two B4s: the same IPv4 with different PSIDs; a DISCOVER again re-offers. */
static void test_two_b4s_share(void **state)
{
	struct fx *f = *state;
	struct q d = { .type = DHCP4_DISCOVER, .b4 = 1, .mac = 1 };
	struct dhcp4_msg a1, a2, off;
	int64_t exp;

	dora(f, 1, 1, &a1);
	dora(f, 2, 2, &a2);
	assert_int_equal(a1.yiaddr, a2.yiaddr);
	assert_int_not_equal(a1.psid, a2.psid);
	exp = lease_of(f, 1)->m.expires;
	assert_int_equal(ask(f, &d, &off), 1);
	assert_int_equal(off.psid, a1.psid);
	assert_int_equal(lease_of(f, 1)->m.expires, exp);	/* not shortened */
}

/* RENEWING and REBINDING ACK; a wrong address NAKs and ends the lease. */
static void test_renew_and_nak(void **state)
{
	struct fx *f = *state;
	struct q r = { .type = DHCP4_REQUEST, .b4 = 1, .mac = 1,
		       .flags6 = DHCP6_4O6_FLAG_UNICAST };
	struct dhcp4_msg ack, res;

	dora(f, 1, 1, &ack);
	fake_wall += 3000;
	r.ciaddr = ack.yiaddr;
	assert_int_equal(ask(f, &r, &res), 1);
	assert_int_equal(res.type, DHCP4_ACK);
	assert_int_equal(res.ciaddr, ack.yiaddr);
	assert_int_equal(lease_of(f, 1)->m.expires, fake_wall + 7200);
	r.flags6 = 0;		/* REBINDING */
	assert_int_equal(ask(f, &r, &res), 1);
	assert_int_equal(res.type, DHCP4_ACK);
	/* INIT-REBOOT with its address: ACK. */
	r.ciaddr = 0;
	r.requested = ack.yiaddr;
	assert_int_equal(ask(f, &r, &res), 1);
	assert_int_equal(res.type, DHCP4_ACK);
	/* ... with another: NAK, and the lease is gone. */
	r.requested = ip("192.0.2.99");
	assert_int_equal(ask(f, &r, &res), 1);
	assert_int_equal(res.type, DHCP4_NAK);
	assert_int_equal(res.yiaddr, 0);
	assert_false(res.has_lease_time);
	assert_null(lease_of(f, 1));
	assert_int_equal(fake_store_count(&f->st), 0);
	/* INIT-REBOOT of an unknown client: silence (RFC 2131 4.3.2). */
	r.requested = ack.yiaddr;
	assert_int_equal(ask(f, &r, &res), 0);
	assert_int_equal(dropped(f, D4O6_DROP_NO_LEASE), 1);
	/* RENEWING with no lease: NAK. */
	r.requested = 0;
	r.ciaddr = ack.yiaddr;
	assert_int_equal(ask(f, &r, &res), 1);
	assert_int_equal(res.type, DHCP4_NAK);
	/* SELECTING our id with no offer: NAK. */
	r.ciaddr = 0;
	r.requested = ack.yiaddr;
	r.server_id = htonl(0xc0000001);
	assert_int_equal(ask(f, &r, &res), 1);
	assert_int_equal(res.type, DHCP4_NAK);
}

/*
 * Control-message failover: a B4 provisioned by another lwAFTR (another
 * store, another pool) re-validates with a REBINDING REQUEST (ciaddr, no
 * server id, U clear) after our 1/5.  We hold no lease of its: NAK (not
 * silence, which would cost it a timeout), whatever the address, even a
 * free one of our pools (a REQUEST names no port set: we cannot adopt a
 * set we never granted); nothing is granted or removed.  Its DISCOVER then
 * gets one of ours.
 */
static void test_rebind_unknown_lease(void **state)
{
	struct fx *f = *state;
	struct q r = { .type = DHCP4_REQUEST, .b4 = 1, .mac = 1 };
	struct dhcp4_msg res, ack, other;
	uint64_t naks;

	dora(f, 2, 2, &other);		/* another B4's lease here */
	naks = d4o6_counters(f->s)->msg[D4O6_OUT_NAK];
	/* the other lwAFTR's pool */
	r.ciaddr = ip("203.0.113.9");
	assert_int_equal(ask(f, &r, &res), 1);
	assert_int_equal(res.type, DHCP4_NAK);
	assert_int_equal(res.yiaddr, 0);
	assert_false(res.has_lease_time);
	assert_false(res.has_portparams);
	/* ours, with a set free */
	r.ciaddr = ip(POOL);
	assert_int_equal(ask(f, &r, &res), 1);
	assert_int_equal(res.type, DHCP4_NAK);
	/* ours, the set another B4 holds: NAK, its lease untouched */
	r.ciaddr = other.yiaddr;
	assert_int_equal(ask(f, &r, &res), 1);
	assert_int_equal(res.type, DHCP4_NAK);
	assert_int_equal(d4o6_counters(f->s)->msg[D4O6_OUT_NAK], naks + 3);
	assert_null(lease_of(f, 1));
	assert_non_null(lease_of(f, 2));
	assert_int_equal(lease_of(f, 2)->m.psid, other.psid);
	assert_int_equal(fake_store_count(&f->st), 1);
	/* it starts over: a set of ours */
	dora(f, 1, 1, &ack);
	assert_int_equal(ack.yiaddr, ip(POOL));
	assert_int_not_equal(ack.psid, other.psid);
	assert_int_equal(fake_store_count(&f->st), 2);
	/* and its next re-validation is ACKed */
	r.ciaddr = ack.yiaddr;
	assert_int_equal(ask(f, &r, &res), 1);
	assert_int_equal(res.type, DHCP4_ACK);
	assert_int_equal(res.psid, ack.psid);
}

/* SELECTING another server: our offer goes. */
static void test_other_server(void **state)
{
	struct fx *f = *state;
	struct q d = { .type = DHCP4_DISCOVER, .b4 = 1, .mac = 1 };
	struct q r = { .type = DHCP4_REQUEST, .b4 = 1, .mac = 1,
		       .server_id = ip("10.0.0.1") };
	struct dhcp4_msg off, res;

	assert_int_equal(ask(f, &d, &off), 1);
	r.requested = off.yiaddr;
	assert_int_equal(ask(f, &r, &res), 0);
	assert_null(lease_of(f, 1));
	assert_int_equal(dropped(f, D4O6_DROP_NOT_FOR_US), 1);
}

/* RELEASE removes; another client's RELEASE or a wrong ciaddr does not. */
static void test_release(void **state)
{
	struct fx *f = *state;
	struct q r = { .type = DHCP4_RELEASE, .b4 = 1, .mac = 9 };
	struct dhcp4_msg ack, res;

	dora(f, 1, 1, &ack);
	r.ciaddr = ack.yiaddr;
	assert_int_equal(ask(f, &r, &res), 0);	/* another client id */
	assert_non_null(lease_of(f, 1));
	r.mac = 1;
	r.ciaddr = ip("192.0.2.77");
	assert_int_equal(ask(f, &r, &res), 0);
	assert_non_null(lease_of(f, 1));
	assert_int_equal(dropped(f, D4O6_DROP_NO_LEASE), 1);
	assert_int_equal(dropped(f, D4O6_DROP_NOT_OWNER), 1);
	r.ciaddr = ack.yiaddr;
	assert_int_equal(ask(f, &r, &res), 0);
	assert_null(lease_of(f, 1));
	assert_int_equal(fake_store_count(&f->st), 0);
	assert_int_equal(d4o6_counters(f->s)->msg[D4O6_LEASE_RELEASED], 1);
}

/*
 * DECLINE: the set rests for decline-hold, even when the core's list of
 * sets held by others is rebuilt (a kernel resync); then it is back.
 */
static void test_decline_hold(void **state)
{
	struct fx *f = *state;
	struct q dq = { .type = DHCP4_DECLINE, .b4 = 1, .mac = 1 };
	struct q d = { .type = DHCP4_DISCOVER, .mac = 5 };
	struct dhcp4_msg ack, res;
	unsigned int seen = 0, i;

	dora(f, 1, 1, &ack);
	dq.requested = ack.yiaddr;
	assert_int_equal(ask(f, &dq, &res), 0);
	assert_null(lease_of(f, 1));
	assert_int_equal(d4o6_held(f->s), 1);
	alloc_foreign_clear(f->a);	/* as ksync's resync does */
	/* 4 sets, one held: three B4s get the others, the fourth none. */
	for (i = 2; i <= 5; i++) {
		d.b4 = i;
		d.mac = (uint8_t)i;
		if (ask(f, &d, &res)) {
			assert_int_not_equal(res.psid, ack.psid);
			seen |= 1u << res.psid;
		}
	}
	assert_int_equal(__builtin_popcount(seen), 3);
	assert_null(lease_of(f, 5));
	assert_int_equal(dropped(f, D4O6_DROP_NO_SET), 1);
	fake_wall += 601;
	d4o6_tick(f->s);
	assert_int_equal(d4o6_held(f->s), 0);
	d.b4 = 5;
	assert_int_equal(ask(f, &d, &res), 1);
	assert_int_equal(res.psid, ack.psid);
	assert_int_equal(d4o6_counters(f->s)->msg[D4O6_LEASE_DECLINED], 1);
}

/* A rolled-back batch holds nothing. */
static void test_decline_rolled_back(void **state)
{
	struct fx *f = *state;
	struct q dq = { .type = DHCP4_DECLINE, .b4 = 1, .mac = 1 };
	uint8_t buf[DHCP6_MAX_LEN];
	struct d4o6_from from = { .sport = 546 };
	struct dhcp4_msg ack;
	size_t n;

	dora(f, 1, 1, &ack);
	dq.requested = ack.yiaddr;
	n = mk_query(&dq, buf, sizeof(buf));
	b4_addr(&from.src, 1);
	assert_int_equal(alloc_begin(f->a), 0);
	assert_int_equal(d4o6_handle(f->s, buf, n, &from, &f->out), 0);
	fake_store_fail.commit = -EIO;
	assert_int_not_equal(alloc_commit(f->a), 0);
	fake_store_fail.commit = 0;
	d4o6_committed(f->s, false);
	assert_int_equal(d4o6_held(f->s), 0);
	assert_non_null(lease_of(f, 1));	/* the removal was undone */
}

/* 109 must be the source; without it the source itself. */
static void test_identity(void **state)
{
	struct fx *f = *state;
	struct q d = { .type = DHCP4_DISCOVER, .b4 = 1, .mac = 1,
		       .saddr = 2 };
	struct dhcp4_msg res;

	assert_int_equal(ask(f, &d, &res), 0);
	assert_null(lease_of(f, 1));
	assert_null(lease_of(f, 2));
	assert_int_equal(dropped(f, D4O6_DROP_IDENTITY), 1);
	assert_int_equal(fake_store_count(&f->st), 0);
	d.saddr = 0;
	d.no_109 = true;
	assert_int_equal(ask(f, &d, &res), 1);
	assert_non_null(lease_of(f, 1));
}

/* Whole-address clients (no 159): a psid-len 0 pool, or nothing. */
static void test_whole_address(void **state)
{
	struct fx *f = *state;
	struct q d = { .type = DHCP4_DISCOVER, .b4 = 1, .mac = 1,
		       .no_159 = true };
	struct dhcp4_msg res;
	unsigned int i;

	assert_int_equal(ask(f, &d, &res), 0);
	assert_int_equal(dropped(f, D4O6_DROP_NO_WHOLE), 1);
	assert_null(lease_of(f, 1));

	stop(f);
	f->c.n_pools = 2;
	f->c.pools[1] = (struct pool_cfg){ .prefix = ip(WHOLE), .plen = 30 };
	start(f);
	for (i = 1; i <= 4; i++) {
		d.b4 = i;
		d.mac = (uint8_t)i;
		assert_int_equal(ask(f, &d, &res), 1);
		assert_false(res.has_portparams);
		assert_int_equal(ntohl(res.yiaddr) & ~3u, ntohl(ip(WHOLE)));
		assert_int_equal(lease_of(f, i)->m.psid_len, 0);
	}
	d.b4 = 5;
	assert_int_equal(ask(f, &d, &res), 0);
	assert_int_equal(dropped(f, D4O6_DROP_NO_WHOLE), 1);
	/* With 159 a client may get either. */
	d.no_159 = false;
	assert_int_equal(ask(f, &d, &res), 1);
	assert_int_equal(res.yiaddr, ip(POOL));

	/*
	 * psid-len 0 with an offset is not a whole address (the binding
	 * leaves out ports below 2^(16-offset)): not for a client without
	 * 159, and said in 159 to one that asks.
	 */
	stop(f);
	f->c.n_pools = 1;
	f->c.pools[0] = (struct pool_cfg){ .prefix = ip("203.0.113.0"),
					   .plen = 30, .offset = 6 };
	start(f);
	d.b4 = 6;
	d.mac = 6;
	d.no_159 = true;
	assert_int_equal(ask(f, &d, &res), 0);
	assert_int_equal(dropped(f, D4O6_DROP_NO_WHOLE), 1);
	d.no_159 = false;
	assert_int_equal(ask(f, &d, &res), 1);
	assert_true(res.has_portparams);
	assert_int_equal(res.offset, 6);
	assert_int_equal(res.psid_len, 0);
	assert_int_equal(lease_of(f, 6)->m.offset, 6);
}

/* PCP and DHCP on one pool never share a set; one B4 key, one owner. */
static void test_pcp_and_dhcp(void **state)
{
	struct fx *f = *state;
	struct alloc_answer ans;
	struct alloc_req r = req(7, 3600);
	struct q d = { .type = DHCP4_DISCOVER, .b4 = 7, .mac = 7 };
	struct dhcp4_msg ack, res;

	r.takes_set = true;
	assert_int_equal(alloc_map(f->a, &r, &ans), ALLOC_OK);
	dora(f, 1, 1, &ack);
	assert_true(ack.yiaddr != ans.m.ipv4 || ack.psid != ans.m.psid);
	/* B4 7's key is PCP's: DHCP from it is not the owner. */
	assert_int_equal(ask(f, &d, &res), 0);
	assert_int_equal(dropped(f, D4O6_DROP_NOT_OWNER), 1);
	assert_memory_equal(lease_of(f, 7)->m.nonce, r.nonce, PCP_NONCE_LEN);
}

/* The nonce: option 61, else hardware type + chaddr (the same as 61 of those). */
static void test_nonce(void **state)
{
	struct dhcp4_msg a, b;
	uint8_t n1[PCP_NONCE_LEN], n2[PCP_NONCE_LEN];
	static const uint8_t cid[] = { 1, 2, 0, 0, 0, 0, 9 };

	(void)state;
	memset(&a, 0, sizeof(a));
	a.htype = 1;
	a.hlen = 6;
	a.chaddr[0] = 2;
	a.chaddr[5] = 9;
	b = a;
	b.client_id = cid;
	b.client_id_len = sizeof(cid);
	dhcp4o6_nonce(&a, n1);
	dhcp4o6_nonce(&b, n2);
	assert_memory_equal(n1, "D4o6", 4);
	assert_memory_equal(n1, n2, PCP_NONCE_LEN);
	assert_true(dhcp4o6_nonce_is(n1));
	b.chaddr[5] = 8;	/* 61 wins over chaddr */
	dhcp4o6_nonce(&b, n2);
	assert_memory_equal(n1, n2, PCP_NONCE_LEN);
	a.chaddr[5] = 8;
	dhcp4o6_nonce(&a, n2);
	assert_memory_not_equal(n1, n2, PCP_NONCE_LEN);
}

/* Wraps msg in levels RELAY-FORWs; the innermost peer is 2001:db8::peer. */
static size_t relay_wrap(const uint8_t *msg, size_t len, unsigned int levels,
			 unsigned int peer, uint8_t *out)
{
	uint8_t tmp[DHCP6_MAX_LEN];
	struct in6_addr link, pa;
	struct dhcp6_buf b;
	unsigned int i;
	char ifid[8];

	memcpy(tmp, msg, len);
	for (i = 0; i < levels; i++) {
		b4_addr(&pa, i ? 0x100 + i : peer);
		b4_addr(&link, 0x200 + i);
		dhcp6_relay_begin(&b, out, DHCP6_MAX_LEN, DHCP6_RELAY_FORW,
				  (uint8_t)i, &link, &pa);
		snprintf(ifid, sizeof(ifid), "if%u", i);
		dhcp6_put(&b, DHCP6_OPT_INTERFACE_ID, ifid, strlen(ifid));
		dhcp6_put(&b, DHCP6_OPT_RELAY_MSG, tmp, len);
		len = dhcp6_end(&b);
		assert_true(len > 0);
		memcpy(tmp, out, len);
	}
	return len;
}

/* Relayed twice: RELAY-REPL to the relay, each level echoed; identity = peer. */
static void test_relayed(void **state)
{
	struct fx *f = *state;
	struct q d = { .type = DHCP4_DISCOVER, .b4 = 3, .mac = 3 };
	uint8_t q[DHCP6_MAX_LEN], buf[DHCP6_MAX_LEN];
	struct d4o6_from from = { .sport = 547 };
	struct dhcp6_relay rl[3];
	const uint8_t *inner;
	size_t n, il, levels, i;
	struct dhcp6_msg m6;
	struct dhcp4_msg r;

	n = mk_query(&d, q, sizeof(q));
	n = relay_wrap(q, n, 2, 3, buf);
	inet_pton(AF_INET6, "2001:db8:aaaa::1", &from.src);
	assert_int_equal(d4o6_handle(f->s, buf, n, &from, &f->out), 1);
	assert_memory_equal(&f->out.to, &from.src, 16);
	assert_int_equal(f->out.port, 547);
	assert_int_equal(dhcp6_unwrap(f->out.buf, f->out.len, rl, 3, &levels,
				      &inner, &il), 0);
	assert_int_equal(levels, 2);
	for (i = 0; i < 2; i++) {
		struct in6_addr link, pa;
		char ifid[8];

		assert_int_equal(rl[i].type, DHCP6_RELAY_REPL);
		/* outermost first: the last level wrapped */
		b4_addr(&pa, i ? 3 : 0x101);
		b4_addr(&link, 0x200 + (1 - i));
		snprintf(ifid, sizeof(ifid), "if%zu", 1 - i);
		assert_int_equal(rl[i].hop_count, 1 - i);
		assert_memory_equal(&rl[i].peer, &pa, 16);
		assert_memory_equal(&rl[i].link, &link, 16);
		assert_int_equal(rl[i].interface_id_len, strlen(ifid));
		assert_memory_equal(rl[i].interface_id, ifid, strlen(ifid));
	}
	assert_int_equal(dhcp6_parse(inner, il, &m6), 0);
	assert_int_equal(m6.type, DHCP6_DHCPV4_RESPONSE);
	assert_int_equal(dhcp4_parse(m6.dhcpv4, m6.dhcpv4_len, &r), 0);
	assert_int_equal(r.type, DHCP4_OFFER);
	assert_non_null(lease_of(f, 3));
	assert_int_equal(d4o6_counters(f->s)->msg[D4O6_OUT_RELAY_REPL], 1);

	/* 109 naming the relay's or anybody else's address: nothing. */
	d.b4 = 4;
	d.mac = 4;
	n = mk_query(&d, q, sizeof(q));
	n = relay_wrap(q, n, 1, 5, buf);
	assert_int_equal(d4o6_handle(f->s, buf, n, &from, &f->out), 0);
	assert_null(lease_of(f, 4));
	assert_null(lease_of(f, 5));
	assert_int_equal(dropped(f, D4O6_DROP_IDENTITY), 1);

	/* Deeper than the hop limit: malformed. */
	d.b4 = 6;
	n = mk_query(&d, q, sizeof(q));
	n = relay_wrap(q, n, DHCP6_HOP_LIMIT + 2, 6, buf);
	assert_int_equal(d4o6_handle(f->s, buf, n, &from, &f->out), 0);
	assert_null(lease_of(f, 6));
	assert_int_equal(dropped(f, D4O6_DROP_MALFORMED6), 1);
}

/*
 * Relays named by relay-peer only, in every role; none named, none
 * trusted: a B4 on the AFTR's link that sends a RELAY-FORW naming another
 * B4 as peer (and in 109) gets nothing for it.
 */
static void test_relay_trust(void **state)
{
	struct fx *f = *state;
	struct q d = { .type = DHCP4_DISCOVER, .b4 = 3, .mac = 3 };
	uint8_t q[DHCP6_MAX_LEN], buf[DHCP6_MAX_LEN];
	struct d4o6_from from = { .sport = 547 };
	size_t n;

	stop(f);
	f->c.n_relay_peers = 0;
	start(f);
	n = relay_wrap(q, mk_query(&d, q, sizeof(q)), 1, 3, buf);
	b4_addr(&from.src, 4);	/* a B4, not a relay */
	assert_int_equal(d4o6_handle(f->s, buf, n, &from, &f->out), 0);
	assert_int_equal(dropped(f, D4O6_DROP_RELAY_UNTRUSTED), 1);
	assert_null(lease_of(f, 3));
	stop(f);
	f->c.role = ROLE_SERVER;
	start(f);
	inet_pton(AF_INET6, "2001:db8:aaaa::1", &from.src);
	assert_int_equal(d4o6_handle(f->s, buf, n, &from, &f->out), 0);
	assert_int_equal(dropped(f, D4O6_DROP_RELAY_UNTRUSTED), 1);
	stop(f);
	f->c.n_relay_peers = 1;
	inet_pton(AF_INET6, "2001:db8:aaaa::2", &f->c.relay_peers[0]);
	start(f);
	assert_int_equal(d4o6_handle(f->s, buf, n, &from, &f->out), 0);
	assert_int_equal(dropped(f, D4O6_DROP_RELAY_UNTRUSTED), 1);
	assert_null(lease_of(f, 3));
	from.src = f->c.relay_peers[0];
	assert_int_equal(d4o6_handle(f->s, buf, n, &from, &f->out), 1);
	assert_non_null(lease_of(f, 3));
}

static size_t mk_inforeq(uint8_t type, const uint8_t *cid, size_t cid_len,
			 const uint16_t *oro, size_t n_oro, uint8_t *out)
{
	uint8_t o[16];
	struct dhcp6_buf b;
	size_t i;

	for (i = 0; i < n_oro; i++) {
		o[2 * i] = (uint8_t)(oro[i] >> 8);
		o[2 * i + 1] = (uint8_t)oro[i];
	}
	dhcp6_begin(&b, out, DHCP6_MAX_LEN, type, 0xabcdef);
	dhcp6_put(&b, DHCP6_OPT_CLIENTID, cid, cid_len);
	dhcp6_put(&b, DHCP6_OPT_ORO, o, 2 * n_oro);
	return dhcp6_end(&b);
}

/* Information-requests share one server-wide bucket: a flood is cut short. */
static void test_inforeq_rate(void **state)
{
	struct fx *f = *state;
	static const uint8_t cid[] = { 0, 3, 0, 1, 2, 0, 0, 0, 0, 1 };
	static const uint16_t oro[] = { 88 };
	uint8_t buf[DHCP6_MAX_LEN];
	struct d4o6_from from = { .sport = 546 };
	unsigned int i, answered = 0;
	size_t n;

	inet_pton(AF_INET6, "fe80::1", &from.src);	/* no subscriber */
	n = mk_inforeq(DHCP6_INFORMATION_REQUEST, cid, sizeof(cid), oro, 1, buf);
	for (i = 0; i < D4O6_INFO_BURST + 500; i++)
		answered += (unsigned int)d4o6_handle(f->s, buf, n, &from, &f->out);
	/* the burst, and what refilled meanwhile (well under 500) */
	assert_true(answered >= D4O6_INFO_BURST);
	assert_true(answered < D4O6_INFO_BURST + 500);
	assert_int_equal(dropped(f, D4O6_DROP_RATE), D4O6_INFO_BURST + 500 - answered);
}

/* Information-request: 88 (our address, or empty when relayed), 96 by DUID. */
static void test_inforeq(void **state)
{
	struct fx *f = *state;
	static const uint8_t cid[] = { 0, 3, 0, 1, 2, 0, 0, 0, 0, 1 };
	static const uint16_t oro[] = { 88, 96 };
	uint8_t buf[DHCP6_MAX_LEN], rbuf[DHCP6_MAX_LEN];
	struct d4o6_from from = { .sport = 546 };
	struct config_s46 *e;
	struct dhcp6_msg m6;
	struct s46_lw lw;
	size_t n;

	stop(f);
	f->c.n_s46_br = 1;
	inet_pton(AF_INET6, "2001:db8:ffff::1", &f->c.s46_br[0]);
	f->c.n_s46 = 1;
	e = &f->c.s46[0];
	memcpy(e->duid, cid, sizeof(cid));
	e->duid_len = sizeof(cid);
	e->ipv4 = ip("203.0.113.5");
	e->psid = 5;
	e->psid_len = 4;
	e->offset = 6;
	e->prefix_len = 64;
	inet_pton(AF_INET6, "2001:db8:1:2::", &e->prefix);
	start(f);

	b4_addr(&from.src, 1);
	n = mk_inforeq(DHCP6_INFORMATION_REQUEST, cid, sizeof(cid), oro, 2, buf);
	assert_int_equal(d4o6_handle(f->s, buf, n, &from, &f->out), 1);
	assert_int_equal(f->out.port, 546);
	assert_int_equal(dhcp6_parse(f->out.buf, f->out.len, &m6), 0);
	assert_int_equal(m6.type, DHCP6_REPLY);
	assert_int_equal(m6.xid, 0xabcdef);
	assert_int_equal(m6.server_id_len, sizeof(duid));
	assert_memory_equal(m6.server_id, duid, sizeof(duid));
	assert_int_equal(m6.client_id_len, sizeof(cid));
	assert_true(m6.has_4o6_servers);
	assert_int_equal(m6.n_4o6_servers, 1);
	assert_memory_equal(&m6.servers_4o6[0], &f->c.listen6, 16);
	assert_non_null(m6.cont_lw);
	assert_int_equal(s46_lw_parse(m6.cont_lw, m6.cont_lw_len, &lw), 0);
	assert_int_equal(lw.n_br, 1);
	assert_true(lw.has_bind);
	assert_int_equal(lw.ipv4, e->ipv4);
	assert_int_equal(lw.psid, 5);
	assert_int_equal(lw.psid_len, 4);
	assert_int_equal(lw.prefix_len, 64);
	/* Another DUID: the BRs only; no ORO 96: no container. */
	{
		static const uint8_t other[] = { 0, 3, 0, 1, 2, 0, 0, 0, 0, 2 };

		n = mk_inforeq(DHCP6_INFORMATION_REQUEST, other, sizeof(other),
			       oro, 2, buf);
		assert_int_equal(d4o6_handle(f->s, buf, n, &from, &f->out), 1);
		assert_int_equal(dhcp6_parse(f->out.buf, f->out.len, &m6), 0);
		assert_int_equal(s46_lw_parse(m6.cont_lw, m6.cont_lw_len, &lw), 0);
		assert_false(lw.has_bind);
		assert_int_equal(lw.n_br, 1);
		n = mk_inforeq(DHCP6_INFORMATION_REQUEST, other, sizeof(other),
			       oro, 1, buf);
		assert_int_equal(d4o6_handle(f->s, buf, n, &from, &f->out), 1);
		assert_int_equal(dhcp6_parse(f->out.buf, f->out.len, &m6), 0);
		assert_null(m6.cont_lw);
	}
	/* Relayed: 88 is empty (ff02::1:2, through the relay). */
	n = mk_inforeq(DHCP6_INFORMATION_REQUEST, cid, sizeof(cid), oro, 1, rbuf);
	n = relay_wrap(rbuf, n, 1, 1, buf);
	from.src = f->c.relay_peers[0];
	assert_int_equal(d4o6_handle(f->s, buf, n, &from, &f->out), 1);
	{
		struct dhcp6_relay rl[2];
		const uint8_t *inner;
		size_t il, lv;

		assert_int_equal(dhcp6_unwrap(f->out.buf, f->out.len, rl, 2, &lv,
					      &inner, &il), 0);
		assert_int_equal(dhcp6_parse(inner, il, &m6), 0);
		assert_true(m6.has_4o6_servers);
		assert_int_equal(m6.n_4o6_servers, 0);
	}
	/* Solicit: Advertise; with another server's id: silence. */
	n = mk_inforeq(DHCP6_SOLICIT, cid, sizeof(cid), oro, 2, buf);
	assert_int_equal(d4o6_handle(f->s, buf, n, &from, &f->out), 1);
	assert_int_equal(dhcp6_parse(f->out.buf, f->out.len, &m6), 0);
	assert_int_equal(m6.type, DHCP6_ADVERTISE);
	{
		struct dhcp6_buf b;
		static const uint8_t sid[] = { 0, 3, 0, 1, 9, 9, 9, 9, 9, 9 };

		dhcp6_begin(&b, buf, sizeof(buf), DHCP6_INFORMATION_REQUEST, 1);
		dhcp6_put(&b, DHCP6_OPT_SERVERID, sid, sizeof(sid));
		n = dhcp6_end(&b);
		assert_int_equal(d4o6_handle(f->s, buf, n, &from, &f->out), 0);
		assert_int_equal(dropped(f, D4O6_DROP_NOT_FOR_US), 1);
	}
}

/* Garbage, cut messages, BOOTREPLY in 87, no 87: silence and counters. */
static void test_bad_input(void **state)
{
	struct fx *f = *state;
	struct q d = { .type = DHCP4_DISCOVER, .b4 = 1, .mac = 1 };
	uint8_t buf[DHCP6_MAX_LEN], v4[DHCP4_MAX_LEN];
	struct d4o6_from from = { .sport = 546 };
	struct dhcp6_buf b;
	size_t n, cut;

	b4_addr(&from.src, 1);
	assert_int_equal(d4o6_handle(f->s, buf, 0, &from, &f->out), 0);
	memset(buf, 0xff, 64);
	assert_int_equal(d4o6_handle(f->s, buf, 64, &from, &f->out), 0);
	buf[0] = DHCP6_RELAY_FORW;
	assert_int_equal(d4o6_handle(f->s, buf, 64, &from, &f->out), 0);
	n = mk_query(&d, buf, sizeof(buf));
	for (cut = 1; cut < n; cut += 7)
		assert_int_equal(d4o6_handle(f->s, buf, cut, &from, &f->out), 0);
	/* 87 holding a BOOTP header cut short */
	dhcp6_begin(&b, buf, sizeof(buf), DHCP6_DHCPV4_QUERY, 0);
	memset(v4, 0, sizeof(v4));
	v4[0] = 1;
	dhcp6_put(&b, DHCP6_OPT_DHCPV4_MSG, v4, 100);
	n = dhcp6_end(&b);
	assert_int_equal(d4o6_handle(f->s, buf, n, &from, &f->out), 0);
	/* no 87 */
	dhcp6_begin(&b, buf, sizeof(buf), DHCP6_DHCPV4_QUERY, 0);
	n = dhcp6_end(&b);
	assert_int_equal(d4o6_handle(f->s, buf, n, &from, &f->out), 0);
	/* unanswered types */
	dhcp6_begin(&b, buf, sizeof(buf), DHCP6_RENEW, 0);
	n = dhcp6_end(&b);
	assert_int_equal(d4o6_handle(f->s, buf, n, &from, &f->out), 0);
	assert_true(dropped(f, D4O6_DROP_MALFORMED6) >= 3);
	assert_true(dropped(f, D4O6_DROP_MALFORMED4) >= 1);
	assert_int_equal(dropped(f, D4O6_DROP_UNSUPPORTED), 1);
	assert_int_equal(fake_store_count(&f->st), 0);
	/* From a link-local source without 109: not a B4 address. */
	d.no_109 = true;
	n = mk_query(&d, buf, sizeof(buf));
	inet_pton(AF_INET6, "fe80::1", &from.src);
	assert_int_equal(d4o6_handle(f->s, buf, n, &from, &f->out), 0);
	assert_int_equal(dropped(f, D4O6_DROP_BAD_SOURCE), 1);
}

/*
 * Valid queries (direct and relayed) with random bytes changed, cut or
 * grown: never a crash, a read past the end (valgrind, ASan) or a lease
 * for an address other than the source's.
 */
static int only_own(struct lease *l, void *arg)
{
	struct in6_addr a;

	(void)arg;
	b4_addr(&a, 1);
	assert_memory_equal(&l->m.b4, &a, 16);
	return 0;
}

static void test_mutations(void **state)
{
	struct fx *f = *state;
	static const uint8_t types[] = { DHCP4_DISCOVER, DHCP4_REQUEST,
					 DHCP4_DECLINE, DHCP4_RELEASE };
	uint8_t q[DHCP6_MAX_LEN], buf[DHCP6_MAX_LEN];
	struct d4o6_from from = { .sport = 546 };
	unsigned int seed = 12, i, k;
	size_t n;

	/* B4 1 also relays (a relay-peer), so relayed mutations are parsed */
	stop(f);
	f->c.n_relay_peers = 2;
	b4_addr(&f->c.relay_peers[1], 1);
	start(f);
	b4_addr(&from.src, 1);
	memset(buf, 0, sizeof(buf));	/* a grown message reads defined bytes */
	for (i = 0; i < 4000; i++) {
		struct q d = { .type = types[i % 4], .b4 = 1, .mac = 1,
			       .requested = ip(POOL), .ciaddr = ip(POOL),
			       .server_id = i & 4 ? htonl(0xc0000001) : 0 };

		n = mk_query(&d, q, sizeof(q));
		if (i & 8)
			n = relay_wrap(q, n, 1 + (i >> 4) % 3, 1, buf);
		else
			memcpy(buf, q, n);
		for (k = 0; k < 1 + (unsigned int)rand_r(&seed) % 8; k++)
			buf[(size_t)rand_r(&seed) % n] = (uint8_t)rand_r(&seed);
		if (i % 5 == 0)
			n = (size_t)rand_r(&seed) % n;
		else if (i % 7 == 0 && n + 16 < sizeof(buf))
			n += 16;
		fake_mono += 100;	/* under the rate */
		d4o6_handle(f->s, buf, n, &from, &f->out);
		d4o6_committed(f->s, true);
		assert_true(f->out.len <= sizeof(f->out.buf));
	}
	alloc_each(f->a, only_own, NULL);
}

/* The subscriber's rate: a burst, then drops, before the DHCPv4 is read. */
static void test_rate(void **state)
{
	struct fx *f = *state;
	struct q d = { .type = DHCP4_DISCOVER, .b4 = 1, .mac = 1 };
	struct dhcp4_msg res;
	unsigned int i, answered = 0;

	for (i = 0; i < 30; i++)
		answered += (unsigned int)ask(f, &d, &res);
	assert_int_equal(answered, 20);
	assert_int_equal(dropped(f, D4O6_DROP_RATE), 10);
	fake_mono += 1000;
	assert_int_equal(ask(f, &d, &res), 1);
}

/* The quota is the subscriber's, PCP and DHCP alike. */
static void test_quota(void **state)
{
	struct fx *f = *state;
	struct q d = { .type = DHCP4_DISCOVER, .b4 = 1, .mac = 1 };
	struct dhcp4_msg res;

	stop(f);
	f->lim.sub_plen = 64;	/* B4 1 and 2 are one subscriber */
	start(f);
	assert_int_equal(ask(f, &d, &res), 1);
	d.b4 = 2;
	d.mac = 2;
	assert_int_equal(ask(f, &d, &res), 0);
	assert_int_equal(dropped(f, D4O6_DROP_QUOTA), 1);
}

/* The core's listener: what the kernel sync would hear. */
static int heard_moved(enum lease_event ev, const struct lease *l, void *arg)
{
	struct in6_addr *to = arg;

	if (ev == LEASE_MOVED)
		*to = l->m.b4;
	return 0;
}

/*
 * RFC 8539 renumbering: a B4 whose softwire source changed renews from the
 * new address, naming it in 109.  Inside its subscriber prefix (a /120
 * here) the lease moves: ACK, same address and PSID, the store's row and
 * the kernel's binding at the new address, the quota of one not spent
 * twice.  Without 109, or from another prefix: NAK, the lease left where
 * it is (nobody may cancel it by knowing the client id), and it does not
 * count against the new prefix's subscriber: DISCOVER there gets a fresh
 * lease under that quota of one.
 */
static void test_renumbered(void **state)
{
	struct fx *f = *state;
	struct q r = { .type = DHCP4_REQUEST, .b4 = 1, .mac = 1,
		       .flags6 = DHCP6_4O6_FLAG_UNICAST };
	struct dhcp4_msg ack, res, fresh;
	struct lw4o6_mapping st;
	struct in6_addr to, a2;
	struct alloc_stats as;
	const struct lease *l;

	stop(f);
	f->lim.sub_plen = 120;	/* ::1 .. ::ff are one subscriber */
	start(f);
	assert_int_equal(alloc_listen(f->a, heard_moved, &to), 0);
	dora(f, 1, 1, &ack);

	/* RENEWING from ::2: moved */
	r.b4 = 2;
	r.ciaddr = ack.yiaddr;
	memset(&to, 0, sizeof(to));
	assert_int_equal(ask(f, &r, &res), 1);
	assert_int_equal(res.type, DHCP4_ACK);
	assert_int_equal(res.yiaddr, ack.yiaddr);
	assert_int_equal(res.psid, ack.psid);
	assert_null(lease_of(f, 1));
	l = lease_of(f, 2);
	assert_non_null(l);
	assert_int_equal(l->m.psid, ack.psid);
	assert_int_equal(l->m.expires, fake_wall + 7200);
	b4_addr(&a2, 2);
	assert_memory_equal(&to, &a2, 16);
	assert_true(fake_store_get(&f->st, ack.yiaddr, ack.psid, &st));
	assert_memory_equal(&st.b4, &a2, 16);
	assert_int_equal(d4o6_counters(f->s)->msg[D4O6_LEASE_MOVED], 1);
	alloc_stats(f->a, &as);
	assert_int_equal(as.moved, 1);
	assert_int_equal(as.leases, 1);
	/* and renews there as usual (REBINDING too) */
	r.flags6 = 0;
	assert_int_equal(ask(f, &r, &res), 1);
	assert_int_equal(res.type, DHCP4_ACK);
	assert_int_equal(d4o6_counters(f->s)->msg[D4O6_LEASE_MOVED], 1);

	/* from ::3 without 109: NAK, the lease stays at ::2 */
	r.b4 = 3;
	r.no_109 = true;
	assert_int_equal(ask(f, &r, &res), 1);
	assert_int_equal(res.type, DHCP4_NAK);
	assert_non_null(lease_of(f, 2));
	assert_int_equal(d4o6_counters(f->s)->msg[D4O6_NAK_NOT_MOVED], 1);
	/* 109 naming another address than the source: dropped */
	r.no_109 = false;
	r.saddr = 4;
	assert_int_equal(ask(f, &r, &res), 0);
	assert_int_equal(dropped(f, D4O6_DROP_IDENTITY), 1);
	assert_non_null(lease_of(f, 2));
	r.saddr = 0;
	/* another client naming that address: no lease of its own to move */
	r.mac = 2;
	assert_int_equal(ask(f, &r, &res), 1);
	assert_int_equal(res.type, DHCP4_NAK);
	assert_non_null(lease_of(f, 2));
	r.mac = 1;

	/* ::101, another subscriber: NAK, the old lease left alone */
	r.b4 = 0x101;
	assert_int_equal(ask(f, &r, &res), 1);
	assert_int_equal(res.type, DHCP4_NAK);
	assert_int_equal(d4o6_counters(f->s)->msg[D4O6_NAK_NOT_MOVED], 3);
	l = lease_of(f, 2);
	assert_non_null(l);
	assert_int_equal(l->m.psid, ack.psid);
	assert_true(fake_store_get(&f->st, ack.yiaddr, ack.psid, &st));
	assert_memory_equal(&st.b4, &a2, 16);
	/* ... and a fresh lease there, the old one not on that quota of one */
	dora(f, 0x101, 1, &fresh);
	assert_false(fresh.yiaddr == ack.yiaddr && fresh.psid == ack.psid);
	alloc_stats(f->a, &as);
	assert_int_equal(as.leases, 2);
	assert_int_equal(as.moved, 1);
	/* both subscribers are at their quota now */
	{
		struct q d = { .type = DHCP4_DISCOVER, .b4 = 0x102, .mac = 3 };

		assert_int_equal(ask(f, &d, &res), 0);
		d.b4 = 5;
		assert_int_equal(ask(f, &d, &res), 0);
		assert_int_equal(dropped(f, D4O6_DROP_QUOTA), 2);
	}
	/* the client moving on inside ::1xx moves the fresh lease, not the old */
	r.b4 = 0x110;
	r.ciaddr = fresh.yiaddr;
	assert_int_equal(ask(f, &r, &res), 1);
	assert_int_equal(res.type, DHCP4_ACK);
	assert_int_equal(res.psid, fresh.psid);
	assert_non_null(lease_of(f, 0x110));
	assert_non_null(lease_of(f, 2));
	alloc_unlisten(f->a, heard_moved, &to);
}

/* Leases survive a restart: the ACK after it renews. */
static void test_restart(void **state)
{
	struct fx *f = *state;
	struct q r = { .type = DHCP4_REQUEST, .b4 = 1, .mac = 1,
		       .flags6 = DHCP6_4O6_FLAG_UNICAST };
	struct dhcp4_msg ack, res;

	dora(f, 1, 1, &ack);
	stop(f);
	store_close(&f->st);
	fake_store_reopen(&f->st);
	start(f);
	r.ciaddr = ack.yiaddr;
	assert_int_equal(ask(f, &r, &res), 1);
	assert_int_equal(res.type, DHCP4_ACK);
	assert_int_equal(res.psid, ack.psid);
}

int main(void)
{
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_dora),
		T(test_store_away),
		T(test_two_b4s_share),
		T(test_renew_and_nak),
		T(test_rebind_unknown_lease),
		T(test_other_server),
		T(test_release),
		T(test_decline_hold),
		T(test_decline_rolled_back),
		T(test_identity),
		T(test_whole_address),
		T(test_pcp_and_dhcp),
		T(test_nonce),
		T(test_relayed),
		T(test_relay_trust),
		T(test_inforeq),
		T(test_inforeq_rate),
		T(test_bad_input),
		T(test_mutations),
		T(test_rate),
		T(test_quota),
		T(test_restart),
		T(test_renumbered),
	};

	log_open(LOG_WARNING, false);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
