// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dhcp4o6_client.c without a socket, a device or a disk: what it sends is
 * parsed back and recorded, what it installs and saves is recorded, the
 * servers' answers are built here with the codec.  Timers are fired by
 * hand (the loop's clock keeps running, so only their order matters).
 * Covers: the deterministic S46 path, DORA, RENEW at T1 (U set, to the
 * server), REBIND at T2 (U clear, to all), expiry, NAK, forged answers,
 * INIT-REBOOT from a kept lease, RELEASE on stop, provision auto's
 * fallback, the retransmission timing, the lease file, and re-validation
 * on an ICMPv6 1/5 (control-message failover, #13), and WAN renumbering
 * (RFC 8539: the lease asked for from the new source; ACK, NAK, silence).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "dhcp4.h"
#include "dhcp6.h"
#include "dhcp4o6_client.h"
#include "log.h"
#include "loop.h"

#include "tests/cmocka_wrap.h"

static const uint8_t MAC[6] = { 0x02, 0, 0, 0, 0xb4, 0x01 };

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

/* --- the seams ------------------------------------------------------------- */

static struct {
	unsigned int sent, queries, info_reqs;
	uint8_t last[DHCP6_MAX_LEN];	/* the last datagram, kept to parse */
	size_t last_len;
	struct dhcp6_msg m6;		/* parsed back */
	uint8_t v4[DHCP4_MAX_LEN];
	struct dhcp4_msg m4;		/* its DHCPv4 message, if any */
	struct in6_addr to;
	bool from_local;
	struct in6_addr from;		/* when from_local */
	unsigned int releases;
	struct in6_addr release_from;	/* the last RELEASE's source */
	unsigned int installs;
	bool installed;
	struct b4_binding inst;
	unsigned int ends;
	bool has_local, has_remote;
	struct in6_addr local, remote;
	unsigned int saves;
	bool saved;
	struct dhcp4o6_lease lease;	/* the "disk" */
	bool disk;
	unsigned int fallbacks;
	unsigned int told;
	bool told_set;
} F;

static void fake_send(const uint8_t *buf, size_t len, const struct in6_addr *to,
		      const struct in6_addr *from, void *arg)
{
	(void)arg;
	F.sent++;
	memcpy(F.last, buf, len);
	F.last_len = len;
	F.to = *to;
	F.from_local = from != NULL;
	if (from)
		F.from = *from;
	assert_int_equal(dhcp6_parse(F.last, len, &F.m6), 0);
	if (F.m6.type == DHCP6_DHCPV4_QUERY) {
		F.queries++;
		assert_non_null(F.m6.dhcpv4);
		memcpy(F.v4, F.m6.dhcpv4, F.m6.dhcpv4_len);
		assert_int_equal(dhcp4_parse(F.v4, F.m6.dhcpv4_len, &F.m4), 0);
		if (F.m4.type == DHCP4_RELEASE) {
			F.releases++;
			F.release_from = *from;
		}
	} else {
		assert_int_equal(F.m6.type, DHCP6_INFORMATION_REQUEST);
		F.info_reqs++;
	}
}

static int fake_install(const struct b4_binding *b, void *arg)
{
	(void)arg;
	F.installs++;
	F.installed = b != NULL;
	if (b)
		F.inst = *b;
	return 0;
}

static int fake_ends(const struct in6_addr *local, const struct in6_addr *remote,
		     void *arg)
{
	(void)arg;
	F.ends++;
	if (local) {
		F.has_local = true;
		F.local = *local;
	}
	if (remote) {
		F.has_remote = true;
		F.remote = *remote;
	}
	return 0;
}

static int fake_save(const struct dhcp4o6_lease *l, void *arg)
{
	(void)arg;
	F.saves++;
	F.saved = l != NULL;
	F.disk = l != NULL;
	if (l)
		F.lease = *l;
	return 0;
}

static int fake_load(struct dhcp4o6_lease *l, void *arg)
{
	(void)arg;
	if (!F.disk)
		return -ENOENT;
	*l = F.lease;
	return 0;
}

static void fake_fallback(void *arg)
{
	(void)arg;
	F.fallbacks++;
}

static void listener(const struct b4_binding *b, void *arg)
{
	(void)arg;
	F.told++;
	F.told_set = b != NULL;
}

static struct dhcp4o6_client C;
static struct in6_addr SRC;		/* the device's local address */
static struct in6_addr SERVER;		/* the 4o6 server of option 88 */

static void init(bool auto_mode)
{
	const struct dhcp4o6_client_ops ops = {
		.send = fake_send, .install = fake_install,
		.set_ends = fake_ends, .save = fake_save, .load = fake_load,
		.fallback = fake_fallback,
	};

	dhcp4o6_client_init(&C, &ops, MAC, &SRC, auto_mode);
	dhcp4o6_client_listen(&C, listener, NULL);
}

static int setup(void **state)
{
	(void)state;
	memset(&F, 0, sizeof(F));
	SRC = a6("2001:db8:b4::1");
	SERVER = a6("2001:db8:547::1");
	init(false);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	dhcp4o6_client_stop(&C);
	return 0;
}

static void fire(struct timer *t)
{
	assert_true(t->armed);
	timer_cancel(t);
	t->fn(t);
}

static int64_t in_ms(const struct timer *t)
{
	assert_true(t->armed);
	return t->when - loop_now_ms();
}

/* --- the servers -------------------------------------------------------------- */

/* A Reply to the Information-request in flight (xid, DUID), with options. */
static void reply(uint32_t xid, const uint8_t *duid, size_t duid_len,
		  const struct in6_addr *servers, size_t n_servers, bool has88,
		  const struct s46_lw *lw)
{
	static const uint8_t sid[] = { 0, 3, 0, 1, 2, 0, 0, 0, 0x54, 7 };
	uint8_t mem[DHCP6_MAX_LEN];
	struct dhcp6_buf b;
	size_t n;

	dhcp6_begin(&b, mem, sizeof(mem), DHCP6_REPLY, xid);
	dhcp6_put(&b, DHCP6_OPT_CLIENTID, duid, duid_len);
	dhcp6_put(&b, DHCP6_OPT_SERVERID, sid, sizeof(sid));
	if (has88)
		dhcp6_put(&b, DHCP6_OPT_4O6_SERVER, servers,
			  n_servers * sizeof(*servers));
	if (lw)
		dhcp6_put_s46_lw(&b, lw);
	n = dhcp6_end(&b);
	assert_true(n > 0);
	dhcp4o6_client_input(&C, mem, n, &SERVER);
}

/* The Reply the Information-request in flight expects. */
static void reply_ok(const struct in6_addr *servers, size_t n, bool has88,
		     const struct s46_lw *lw)
{
	assert_int_equal(F.m6.type, DHCP6_INFORMATION_REQUEST);
	reply(F.m6.xid, F.m6.client_id, F.m6.client_id_len, servers, n, has88, lw);
}

struct answer {
	uint8_t type;
	uint32_t xid;
	const uint8_t *chaddr;
	const char *yiaddr;
	uint32_t lease, t1, t2;
	bool portparams;
	uint8_t offset, psid_len;
	uint16_t psid;
	struct in6_addr from;
};

static void respond(const struct answer *a)
{
	uint8_t v4[DHCP4_MAX_LEN], mem[DHCP6_MAX_LEN];
	struct dhcp4_msg m;
	struct dhcp6_buf b;
	size_t n4, n;

	memset(&m, 0, sizeof(m));
	m.op = 2;
	m.htype = 1;
	m.hlen = 6;
	m.xid = a->xid;
	memcpy(m.chaddr, a->chaddr, 6);
	m.type = a->type;
	m.yiaddr = a->yiaddr ? a4(a->yiaddr) : 0;
	m.has_server_id = true;
	m.server_id = a4("192.0.2.254");
	if (a->lease) {
		m.has_lease_time = true;
		m.lease_time = a->lease;
	}
	if (a->t1) {
		m.has_t1 = m.has_t2 = true;
		m.t1 = a->t1;
		m.t2 = a->t2;
	}
	if (a->portparams) {
		m.has_portparams = true;
		m.offset = a->offset;
		m.psid_len = a->psid_len;
		m.psid = a->psid;
	}
	n4 = dhcp4_build(&m, NULL, 0, v4, sizeof(v4));
	assert_true(n4 > 0);
	/* response flags are whatever: the client ignores them */
	dhcp6_begin(&b, mem, sizeof(mem), DHCP6_DHCPV4_RESPONSE, 0x123456);
	dhcp6_put(&b, DHCP6_OPT_DHCPV4_MSG, v4, n4);
	n = dhcp6_end(&b);
	assert_true(n > 0);
	dhcp4o6_client_input(&C, mem, n, &a->from);
}

/* An answer of type to the DHCPv4 message in flight. */
static void answer(uint8_t type, const char *yiaddr, uint32_t lease)
{
	struct answer a = { .type = type, .xid = F.m4.xid, .chaddr = MAC,
			    .yiaddr = yiaddr, .lease = lease, .from = SERVER,
			    .portparams = true, .offset = 6, .psid_len = 4,
			    .psid = 3 };

	respond(&a);
}

/* Started, Reply naming SERVER, DISCOVER, OFFER, REQUEST, ACK. */
static void dora(uint32_t lease)
{
	dhcp4o6_client_start(&C);
	reply_ok(&SERVER, 1, true, NULL);
	assert_int_equal(F.m4.type, DHCP4_DISCOVER);
	answer(DHCP4_OFFER, "192.0.2.9", lease);
	assert_int_equal(F.m4.type, DHCP4_REQUEST);
	answer(DHCP4_ACK, "192.0.2.9", lease);
	assert_int_equal(C.state, D4_BOUND);
}

/* --- tests -------------------------------------------------------------------- */

static void test_information_request(void **state)
{
	uint8_t duid[DHCP6_DUID_MAX];

	(void)state;
	dhcp4o6_client_start(&C);
	assert_int_equal(F.info_reqs, 1);
	assert_int_equal(F.to.s6_addr[0], 0xff);
	assert_int_equal(F.to.s6_addr[1], 2);
	assert_int_equal(F.to.s6_addr[13], 1);
	assert_int_equal(F.to.s6_addr[15], 2);
	assert_false(F.from_local);
	/* DUID-LL from the uplink's MAC, elapsed time, ORO 88 96 90 64 */
	assert_int_equal(F.m6.client_id_len, dhcp6_duid_ll(MAC, duid));
	assert_memory_equal(F.m6.client_id, duid, F.m6.client_id_len);
	assert_true(dhcp6_oro_has(&F.m6, DHCP6_OPT_4O6_SERVER));
	assert_true(dhcp6_oro_has(&F.m6, DHCP6_OPT_S46_CONT_LW));
	assert_true(dhcp6_oro_has(&F.m6, DHCP6_OPT_S46_BR));
	assert_true(dhcp6_oro_has(&F.m6, DHCP6_OPT_AFTR_NAME));
	assert_int_equal(F.m6.xid, C.xid6);
	assert_true(F.m6.xid <= 0xffffff);
}

static void test_s46_deterministic(void **state)
{
	struct s46_lw lw = { .n_br = 1, .has_bind = true, .prefix_len = 64,
			     .has_portparams = true, .offset = 6,
			     .psid_len = 4, .psid = 3 };
	struct in6_addr want;

	(void)state;
	lw.br[0] = a6("2001:db8:af::1");
	lw.ipv4 = a4("192.0.2.3");
	lw.prefix = a6("2001:db8:1:cafe::");
	dhcp4o6_client_start(&C);
	reply_ok(NULL, 0, false, &lw);
	/* configured from the container, and nothing more sent */
	assert_int_equal(C.state, D4_S46);
	assert_int_equal(F.installs, 1);
	assert_true(F.installed);
	assert_int_equal(F.inst.ipv4, a4("192.0.2.3"));
	assert_int_equal(F.inst.psid, 3);
	assert_int_equal(F.inst.psid_len, 4);
	assert_int_equal(F.inst.offset, 6);
	assert_int_equal(s46_lw_source(&lw, &want), 0);
	assert_true(F.has_local && F.has_remote);
	assert_memory_equal(&F.local, &want, 16);
	assert_memory_equal(&F.remote, &lw.br[0], 16);
	assert_int_equal(F.queries, 0);
	assert_int_equal(F.sent, 1);
	assert_false(C.retrans.armed);
	assert_true(F.told_set);
	/* refreshed later (RFC 8415 IRT_DEFAULT) */
	assert_true(in_ms(&C.refresh) > (DHCP4O6_INFO_REFRESH - 5) * 1000LL);
	/* no whole-address mistake: without PORTPARAMS the whole address */
	fire(&C.refresh);
	lw.has_portparams = false;
	reply_ok(NULL, 0, false, &lw);
	assert_int_equal(F.inst.psid_len, 0);
	assert_int_equal(F.installs, 2);
	assert_int_equal(F.queries, 0);
}

static void test_dora(void **state)
{
	uint32_t xid;
	const uint8_t *d;
	uint8_t dl;

	(void)state;
	dhcp4o6_client_start(&C);
	reply_ok(&SERVER, 1, true, NULL);
	/* DISCOVER in DHCPV4-QUERY, U clear, to option 88's server, from local */
	assert_int_equal(F.m6.type, DHCP6_DHCPV4_QUERY);
	assert_int_equal(F.m6.xid, 0);
	assert_memory_equal(&F.to, &SERVER, 16);
	assert_true(F.from_local);
	assert_int_equal(F.m4.type, DHCP4_DISCOVER);
	assert_int_equal(F.m4.op, 1);
	assert_memory_equal(F.m4.chaddr, MAC, 6);
	assert_true(dhcp4_param_requested(&F.m4, DHCP4_OPT_V4_PORTPARAMS));
	assert_true(F.m4.has_saddr);
	assert_memory_equal(&F.m4.saddr, &SRC, 16);
	assert_non_null(F.m4.client_id);
	assert_int_equal(F.m4.client_id[0], 255);
	assert_int_equal(dhcp4_find_opt(F.v4, F.m6.dhcpv4_len,
					DHCP4_OPT_CLIENT_ID, &d, &dl), 0);
	xid = F.m4.xid;
	answer(DHCP4_OFFER, "192.0.2.9", 3600);
	/* REQUEST (SELECTING): same xid, 50 and 54, U clear */
	assert_int_equal(F.m4.type, DHCP4_REQUEST);
	assert_int_equal(F.m4.xid, xid);
	assert_true(F.m4.has_requested_ip && F.m4.has_server_id);
	assert_int_equal(F.m4.requested_ip, a4("192.0.2.9"));
	assert_int_equal(F.m4.server_id, a4("192.0.2.254"));
	assert_int_equal(F.m4.ciaddr, 0);
	assert_int_equal(F.m6.xid, 0);
	assert_int_equal(F.installs, 0);
	answer(DHCP4_ACK, "192.0.2.9", 3600);
	assert_int_equal(C.state, D4_BOUND);
	assert_int_equal(F.installs, 1);
	assert_int_equal(F.inst.ipv4, a4("192.0.2.9"));
	assert_int_equal(F.inst.psid, 3);
	assert_int_equal(F.inst.psid_len, 4);
	assert_int_equal(F.inst.offset, 6);
	assert_true(F.told_set);
	assert_true(F.saved);
	assert_int_equal(F.lease.ipv4, a4("192.0.2.9"));
	assert_memory_equal(&F.lease.server6, &SERVER, 16);
	/* T1 1/2, T2 7/8, expiry */
	assert_true(in_ms(&C.t1) > 1790000 && in_ms(&C.t1) <= 1800000);
	assert_true(in_ms(&C.t2) > 3140000 && in_ms(&C.t2) <= 3150000);
	assert_true(in_ms(&C.expire) > 3590000 && in_ms(&C.expire) <= 3600000);
	assert_false(C.retrans.armed);
}

static void test_whole_address_and_multicast(void **state)
{
	struct answer a = { .chaddr = MAC, .yiaddr = "192.0.2.10",
			    .lease = 600 };

	(void)state;
	/* option 88 empty: ff02::1:2 */
	dhcp4o6_client_start(&C);
	reply_ok(NULL, 0, true, NULL);
	assert_int_equal(F.to.s6_addr[0], 0xff);
	assert_int_equal(F.m4.type, DHCP4_DISCOVER);
	a.type = DHCP4_OFFER;
	a.xid = F.m4.xid;
	a.from = SERVER;
	respond(&a);
	a.type = DHCP4_ACK;
	respond(&a);
	/* no 159: the whole address */
	assert_int_equal(C.state, D4_BOUND);
	assert_int_equal(F.inst.ipv4, a4("192.0.2.10"));
	assert_int_equal(F.inst.psid_len, 0);
	assert_int_equal(F.inst.psid, 0);
}

static void test_renew_at_t1(void **state)
{
	uint32_t xid;

	(void)state;
	dora(3600);
	xid = F.m4.xid;
	F.to = a6("::");
	fire(&C.t1);
	assert_int_equal(C.state, D4_RENEWING);
	/* REQUEST, ciaddr, no 50/54, U set, to the server of the lease */
	assert_int_equal(F.m4.type, DHCP4_REQUEST);
	assert_int_equal(F.m4.ciaddr, a4("192.0.2.9"));
	assert_false(F.m4.has_requested_ip);
	assert_false(F.m4.has_server_id);
	assert_int_equal(F.m6.xid, DHCP6_4O6_FLAG_UNICAST);
	assert_memory_equal(&F.to, &SERVER, 16);
	assert_int_not_equal(F.m4.xid, xid);
	/* RFC 2131 4.4.5: resent after half the time to T2, at least 60 s */
	assert_true(in_ms(&C.retrans) >= 60000);
	answer(DHCP4_ACK, "192.0.2.9", 7200);
	assert_int_equal(C.state, D4_BOUND);
	/* the same set: nothing installed again */
	assert_int_equal(F.installs, 1);
	assert_true(in_ms(&C.t1) > 3590000);
	assert_int_equal(F.saves, 2);
	assert_int_equal(F.lease.lease_time, 7200);
}

static void test_rebind_at_t2(void **state)
{
	struct in6_addr two[2];

	(void)state;
	two[0] = SERVER;
	two[1] = a6("2001:db8:547::2");
	dhcp4o6_client_start(&C);
	reply_ok(two, 2, true, NULL);
	/* DISCOVER to both */
	assert_int_equal(F.queries, 2);
	answer(DHCP4_OFFER, "192.0.2.9", 3600);
	answer(DHCP4_ACK, "192.0.2.9", 3600);
	fire(&C.t1);
	assert_int_equal(C.state, D4_RENEWING);
	F.queries = 0;
	fire(&C.t2);
	assert_int_equal(C.state, D4_REBINDING);
	/* REQUEST with ciaddr, U clear, to every server */
	assert_int_equal(F.queries, 2);
	assert_int_equal(F.m4.type, DHCP4_REQUEST);
	assert_int_equal(F.m4.ciaddr, a4("192.0.2.9"));
	assert_int_equal(F.m6.xid, 0);
	assert_false(F.m4.has_server_id);
	assert_memory_equal(&F.to, &two[1], 16);
	answer(DHCP4_ACK, "192.0.2.9", 3600);
	assert_int_equal(C.state, D4_BOUND);
	assert_true(F.installed);
}

static void test_expiry_deconfigures(void **state)
{
	(void)state;
	dora(3600);
	fire(&C.t1);
	fire(&C.t2);
	fire(&C.expire);
	assert_false(F.installed);
	assert_false(F.told_set);
	assert_false(F.disk);
	assert_int_equal(C.state, D4_INIT);
	assert_int_equal(F.m4.type, DHCP4_DISCOVER);
	assert_false(C.t1.armed || C.t2.armed || C.expire.armed);
}

static void test_nak_restarts(void **state)
{
	(void)state;
	dora(3600);
	fire(&C.t1);
	answer(DHCP4_NAK, NULL, 0);
	assert_false(F.installed);
	assert_false(F.disk);
	assert_int_equal(C.state, D4_INIT);
	assert_int_equal(F.m4.type, DHCP4_DISCOVER);
	assert_false(C.t1.armed || C.t2.armed || C.expire.armed);
	/* and it gets one again */
	answer(DHCP4_OFFER, "192.0.2.11", 3600);
	answer(DHCP4_ACK, "192.0.2.11", 3600);
	assert_int_equal(F.inst.ipv4, a4("192.0.2.11"));
}

static void test_forged_answers_ignored(void **state)
{
	static const uint8_t other[6] = { 0x02, 0, 0, 0, 0xee, 0xee };
	uint8_t duid[DHCP6_DUID_MAX];
	struct answer a = { .chaddr = MAC, .yiaddr = "198.51.100.1",
			    .lease = 3600, .from = SERVER };
	size_t dl;

	(void)state;
	dhcp4o6_client_start(&C);
	/* a Reply with another xid, or another DUID */
	reply(F.m6.xid ^ 1, F.m6.client_id, F.m6.client_id_len, &SERVER, 1,
	      true, NULL);
	dl = dhcp6_duid_ll(other, duid);
	reply(F.m6.xid, duid, dl, &SERVER, 1, true, NULL);
	assert_int_equal(C.state, D4_INFO);
	assert_int_equal(C.n.ignored, 2);
	reply_ok(&SERVER, 1, true, NULL);
	assert_int_equal(C.state, D4_INIT);
	/* OFFER with a wrong xid; ACK with a wrong chaddr */
	a.type = DHCP4_OFFER;
	a.xid = F.m4.xid + 1;
	respond(&a);
	assert_int_equal(C.state, D4_INIT);
	a.type = DHCP4_ACK;
	a.xid = F.m4.xid;
	a.chaddr = other;
	respond(&a);
	assert_int_equal(C.state, D4_INIT);
	/* an ACK (unasked) with the right xid in SELECTING: ignored too */
	a.chaddr = MAC;
	respond(&a);
	assert_int_equal(C.state, D4_INIT);
	assert_int_equal(F.installs, 0);
	assert_int_equal(C.n.ignored, 5);
	/* garbage */
	dhcp4o6_client_input(&C, (const uint8_t *)"\x15\x00", 2, &SERVER);
	assert_int_equal(C.n.malformed, 1);
	/* bound: a forged NAK (old xid) changes nothing */
	answer(DHCP4_OFFER, "192.0.2.9", 3600);
	answer(DHCP4_ACK, "192.0.2.9", 3600);
	a.type = DHCP4_NAK;
	a.xid = F.m4.xid;
	respond(&a);
	assert_int_equal(C.state, D4_BOUND);
	assert_true(F.installed);
}

static void test_init_reboot(void **state)
{
	(void)state;
	/* a lease kept by the previous run */
	memset(&F.lease, 0, sizeof(F.lease));
	F.lease.ipv4 = a4("192.0.2.9");
	F.lease.psid = 3;
	F.lease.psid_len = 4;
	F.lease.offset = 6;
	F.lease.server_id = a4("192.0.2.254");
	F.lease.server6 = SERVER;
	F.lease.source = SRC;
	F.lease.lease_time = 3600;
	F.lease.t1 = 1800;
	F.lease.t2 = 3150;
	F.lease.obtained = time(NULL) - 100;
	F.disk = true;
	dhcp4o6_client_start(&C);
	reply_ok(&SERVER, 1, true, NULL);
	assert_int_equal(C.state, D4_REBOOTING);
	/* REQUEST with 50, no 54, ciaddr 0, U clear */
	assert_int_equal(F.m4.type, DHCP4_REQUEST);
	assert_true(F.m4.has_requested_ip);
	assert_int_equal(F.m4.requested_ip, a4("192.0.2.9"));
	assert_false(F.m4.has_server_id);
	assert_int_equal(F.m4.ciaddr, 0);
	assert_int_equal(F.m6.xid, 0);
	answer(DHCP4_ACK, "192.0.2.9", 3600);
	assert_int_equal(C.state, D4_BOUND);
	assert_int_equal(F.inst.ipv4, a4("192.0.2.9"));
	assert_int_equal(F.queries, 1);		/* no DISCOVER */
}

static void test_init_reboot_expired_lease(void **state)
{
	(void)state;
	memset(&F.lease, 0, sizeof(F.lease));
	F.lease.ipv4 = a4("192.0.2.9");
	F.lease.server6 = SERVER;
	F.lease.source = SRC;
	F.lease.lease_time = 60;
	F.lease.obtained = time(NULL) - 100;
	F.disk = true;
	dhcp4o6_client_start(&C);
	reply_ok(&SERVER, 1, true, NULL);
	assert_int_equal(C.state, D4_INIT);
	assert_int_equal(F.m4.type, DHCP4_DISCOVER);
	assert_false(F.disk);
}

static void test_init_reboot_no_answer(void **state)
{
	unsigned int i;

	(void)state;
	memset(&F.lease, 0, sizeof(F.lease));
	F.lease.ipv4 = a4("192.0.2.9");
	F.lease.server6 = SERVER;
	F.lease.source = SRC;
	F.lease.lease_time = 3600;
	F.lease.obtained = time(NULL);
	F.disk = true;
	dhcp4o6_client_start(&C);
	reply_ok(&SERVER, 1, true, NULL);
	for (i = 1; i < DHCP4O6_REQUEST_TRIES; i++) {
		fire(&C.retrans);
		assert_int_equal(F.m4.type, DHCP4_REQUEST);
	}
	fire(&C.retrans);
	assert_int_equal(C.state, D4_INIT);
	assert_int_equal(F.m4.type, DHCP4_DISCOVER);
}

static void test_release_on_stop(void **state)
{
	(void)state;
	dora(3600);
	dhcp4o6_client_release(&C);
	/* RELEASE: ciaddr, 54, U set, to the lease's server */
	assert_int_equal(F.m4.type, DHCP4_RELEASE);
	assert_int_equal(F.m4.ciaddr, a4("192.0.2.9"));
	assert_true(F.m4.has_server_id);
	assert_int_equal(F.m4.server_id, a4("192.0.2.254"));
	assert_int_equal(F.m6.xid, DHCP6_4O6_FLAG_UNICAST);
	assert_memory_equal(&F.to, &SERVER, 16);
	assert_false(F.installed);
	assert_false(F.told_set);
	assert_false(F.disk);
	assert_int_equal(C.state, D4_IDLE);
	assert_false(C.retrans.armed || C.t1.armed || C.expire.armed);
	assert_int_equal(C.n.out4[DHCP4_RELEASE], 1);
	/* nothing held: nothing released */
	dhcp4o6_client_release(&C);
	assert_int_equal(C.n.out4[DHCP4_RELEASE], 1);
}

static void test_retransmission(void **state)
{
	int64_t rt, prev;
	unsigned int i;

	(void)state;
	dhcp4o6_client_start(&C);
	/* RFC 8415: IRT 1 s +-10 %, then doubling, capped at 3600 s */
	rt = in_ms(&C.retrans);
	assert_true(rt >= 890 && rt <= 1100);
	for (i = 0; i < 20; i++) {
		prev = C.rt;
		fire(&C.retrans);
		assert_true(C.rt <= 3600000 * 1.1 + 1);
		if (prev * 2.2 < 3600000 * 0.9)
			assert_true(C.rt >= prev * 1.8 - 1 && C.rt <= prev * 2.2 + 1);
	}
	assert_true(C.rt >= 3600000 * 0.9 - 1);
	assert_int_equal(F.info_reqs, 21);
	/* elapsed time grows: retransmissions carry a nonzero one eventually */
	reply_ok(&SERVER, 1, true, NULL);
	/* RFC 2131: 4 s +-1, 8, 16, 32, 64, 64 */
	rt = in_ms(&C.retrans);
	assert_true(rt >= 2990 && rt <= 5000);
	{
		static const int64_t want[] = { 8000, 16000, 32000, 64000, 64000 };

		for (i = 0; i < 5; i++) {
			fire(&C.retrans);
			assert_int_equal(F.m4.type, DHCP4_DISCOVER);
			rt = in_ms(&C.retrans);
			assert_true(rt >= want[i] - 1010 && rt <= want[i] + 1000);
		}
	}
}

static void test_auto_no_reply_falls_back(void **state)
{
	unsigned int i;

	(void)state;
	init(true);
	dhcp4o6_client_start(&C);
	for (i = 1; i < DHCP4O6_AUTO_TRIES; i++)
		fire(&C.retrans);
	assert_int_equal(F.info_reqs, DHCP4O6_AUTO_TRIES);
	assert_int_equal(F.fallbacks, 0);
	fire(&C.retrans);
	assert_int_equal(F.fallbacks, 1);
	assert_int_equal(C.state, D4_PCP);
	assert_false(C.retrans.armed);
	assert_int_equal(F.info_reqs, DHCP4O6_AUTO_TRIES);
}

static void test_auto_reply_without_options(void **state)
{
	(void)state;
	init(true);
	dhcp4o6_client_start(&C);
	reply_ok(NULL, 0, false, NULL);
	assert_int_equal(F.fallbacks, 1);
	assert_int_equal(C.state, D4_PCP);
	assert_int_equal(F.queries, 0);
	/* with 88 it is DHCPv4 */
	setup(NULL);
	init(true);
	dhcp4o6_client_start(&C);
	reply_ok(NULL, 0, true, NULL);
	assert_int_equal(F.fallbacks, 0);
	assert_int_equal(C.state, D4_INIT);
}

static void test_dhcp4o6_mode_reply_without_88(void **state)
{
	(void)state;
	/* provision dhcp4o6: no 88 is ff02::1:2, never PCP */
	dhcp4o6_client_start(&C);
	reply_ok(NULL, 0, false, NULL);
	assert_int_equal(F.fallbacks, 0);
	assert_int_equal(C.state, D4_INIT);
	assert_int_equal(F.to.s6_addr[0], 0xff);
}

static void test_lease_file(void **state)
{
	char path[] = "/tmp/test_dhcp4o6_leaseXXXXXX";
	struct dhcp4o6_lease l = { 0 }, r;
	int fd = mkstemp(path);
	FILE *f;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	l.ipv4 = a4("192.0.2.9");
	l.psid = 3;
	l.psid_len = 4;
	l.offset = 6;
	l.server_id = a4("192.0.2.254");
	l.server6 = SERVER;
	l.source = SRC;
	l.lease_time = 3600;
	l.t1 = 1800;
	l.t2 = 3150;
	l.obtained = 1700000000;
	assert_int_equal(dhcp4o6_lease_write(path, &l), 0);
	assert_int_equal(dhcp4o6_lease_read(path, &r), 0);
	assert_memory_equal(&l, &r, sizeof(l));
	/* a field missing, a bad value, an unknown line: refused */
	f = fopen(path, "w");
	fputs("version 1\naddress 192.0.2.9\n", f);
	fclose(f);
	assert_int_equal(dhcp4o6_lease_read(path, &r), -EINVAL);
	assert_int_equal(dhcp4o6_lease_write(path, &l), 0);
	f = fopen(path, "a");
	fputs("psid 99/4\n", f);
	fclose(f);
	assert_int_equal(dhcp4o6_lease_read(path, &r), -EINVAL);
	assert_int_equal(dhcp4o6_lease_write(path, &l), 0);
	f = fopen(path, "a");
	fputs("bogus 1\n", f);
	fclose(f);
	assert_int_equal(dhcp4o6_lease_read(path, &r), -EINVAL);
	unlink(path);
	assert_int_equal(dhcp4o6_lease_read(path, &r), -ENOENT);
}

/* --- control-message failover: ICMPv6 1/5 about the lease ----------------- */

static const struct in6_addr AFTR = { .s6_addr = { 0x20, 0x01, 0x0d, 0xb8,
						   [14] = 0xaf, [15] = 1 } };

/* The re-validation REQUEST: REBINDING's form, to every server, U clear. */
static void assert_revalidation(const char *ipv4)
{
	assert_int_equal(C.state, D4_REVALIDATING);
	assert_int_equal(F.m6.type, DHCP6_DHCPV4_QUERY);
	assert_int_equal(F.m6.xid, 0);
	assert_true(F.from_local);
	assert_int_equal(F.m4.type, DHCP4_REQUEST);
	assert_int_equal(F.m4.ciaddr, a4(ipv4));
	assert_false(F.m4.has_requested_ip);
	assert_false(F.m4.has_server_id);
	assert_true(dhcp4_param_requested(&F.m4, DHCP4_OPT_V4_PORTPARAMS));
}

/*
 * 1/5 -> one REQUEST; a flood -> still one per DHCP4O6_REVALIDATE_MS;
 * ACK -> the same lease kept (nothing reinstalled, the lease file and its
 * timers renewed); 1/5 about another IPv4 -> ignored.
 */
static void test_no_binding_revalidates(void **state)
{
	struct in6_addr two[2];
	uint32_t xid;
	unsigned int i, q;

	(void)state;
	two[0] = SERVER;
	two[1] = a6("2001:db8:547::2");
	dhcp4o6_client_start(&C);
	reply_ok(two, 2, true, NULL);
	answer(DHCP4_OFFER, "192.0.2.9", 3600);
	answer(DHCP4_ACK, "192.0.2.9", 3600);
	assert_int_equal(C.state, D4_BOUND);
	xid = F.m4.xid;
	q = F.queries;
	/* about another address: not ours, nothing sent, not counted */
	dhcp4o6_client_no_binding(&C, &AFTR, a4("192.0.2.10"));
	assert_int_equal(F.queries, q);
	assert_int_equal(C.state, D4_BOUND);
	assert_int_equal(C.n.no_binding, 0);
	/* ours: a REQUEST to each server, the binding untouched */
	dhcp4o6_client_no_binding(&C, &AFTR, a4("192.0.2.9"));
	assert_int_equal(F.queries, q + 2);
	assert_revalidation("192.0.2.9");
	assert_memory_equal(&F.to, &two[1], 16);
	assert_int_not_equal(F.m4.xid, xid);
	/* RFC 2131 4.1 timing: 4 s +-1 */
	assert_true(in_ms(&C.retrans) >= 2990 && in_ms(&C.retrans) <= 5000);
	assert_true(F.installed);
	assert_int_equal(F.installs, 1);
	/* a flood: nothing more */
	for (i = 0; i < 1000; i++)
		dhcp4o6_client_no_binding(&C, &AFTR, a4("192.0.2.9"));
	assert_int_equal(F.queries, q + 2);
	assert_int_equal(C.n.no_binding, 1001);
	assert_int_equal(C.n.revalidations, 1);
	/* ACK: the same lease, kept and renewed */
	answer(DHCP4_ACK, "192.0.2.9", 7200);
	assert_int_equal(C.state, D4_BOUND);
	assert_int_equal(F.installs, 1);
	assert_true(F.installed);
	assert_int_equal(F.saves, 2);
	assert_int_equal(F.lease.lease_time, 7200);
	assert_true(in_ms(&C.t1) > 3590000);
	assert_false(C.retrans.armed);
	/* more within the interval: nothing */
	dhcp4o6_client_no_binding(&C, &AFTR, a4("192.0.2.9"));
	assert_int_equal(F.queries, q + 2);
	/* after it: one more re-validation */
	C.revalidated_ms -= DHCP4O6_REVALIDATE_MS;
	for (i = 0; i < 10; i++)
		dhcp4o6_client_no_binding(&C, &AFTR, a4("192.0.2.9"));
	assert_int_equal(F.queries, q + 4);
	assert_int_equal(C.n.revalidations, 2);
	assert_revalidation("192.0.2.9");
	/* an ACK that moves us: the new set installed */
	{
		struct answer a = { .type = DHCP4_ACK, .xid = F.m4.xid,
				    .chaddr = MAC, .yiaddr = "192.0.2.77",
				    .lease = 3600, .from = two[1],
				    .portparams = true, .offset = 6,
				    .psid_len = 4, .psid = 5 };

		respond(&a);
	}
	assert_int_equal(C.state, D4_BOUND);
	assert_int_equal(F.inst.ipv4, a4("192.0.2.77"));
	assert_int_equal(F.inst.psid, 5);
	assert_int_equal(F.lease.ipv4, a4("192.0.2.77"));
	assert_memory_equal(&F.lease.server6, &two[1], 16);
	/* the old address is not ours any more */
	C.revalidated_ms -= DHCP4O6_REVALIDATE_MS;
	q = F.queries;
	dhcp4o6_client_no_binding(&C, &AFTR, a4("192.0.2.9"));
	assert_int_equal(F.queries, q);
}

/*
 * A backup that never saw the lease NAKs: DISCOVER, and the B4 carries on
 * with the new address and port set (device, listeners and lease file).
 */
static void test_no_binding_nak_rediscover(void **state)
{
	struct answer a = { .chaddr = MAC, .yiaddr = "198.51.100.20",
			    .lease = 1800, .portparams = true, .offset = 4,
			    .psid_len = 6, .psid = 33 };
	unsigned int told;

	(void)state;
	dora(3600);
	dhcp4o6_client_no_binding(&C, &AFTR, a4("192.0.2.9"));
	assert_revalidation("192.0.2.9");
	told = F.told;
	answer(DHCP4_NAK, NULL, 0);
	/* the lease is gone: device, listeners, disk; DISCOVER to all */
	assert_false(F.installed);
	assert_false(F.told_set);
	assert_false(F.disk);
	assert_int_equal(C.state, D4_INIT);
	assert_int_equal(F.m4.type, DHCP4_DISCOVER);
	assert_memory_equal(&F.to, &SERVER, 16);
	assert_false(C.t1.armed || C.t2.armed || C.expire.armed);
	/* the backup's pool */
	a.type = DHCP4_OFFER;
	a.xid = F.m4.xid;
	a.from = SERVER;
	respond(&a);
	assert_int_equal(F.m4.type, DHCP4_REQUEST);
	assert_int_equal(F.m4.requested_ip, a4("198.51.100.20"));
	a.type = DHCP4_ACK;
	respond(&a);
	assert_int_equal(C.state, D4_BOUND);
	assert_true(F.installed);
	assert_int_equal(F.inst.ipv4, a4("198.51.100.20"));
	assert_int_equal(F.inst.psid, 33);
	assert_int_equal(F.inst.psid_len, 6);
	assert_int_equal(F.inst.offset, 4);
	assert_true(F.told_set);
	assert_int_equal(F.told, told + 2);	/* none, then the new one */
	assert_true(F.disk);
	assert_int_equal(F.lease.ipv4, a4("198.51.100.20"));
	assert_int_equal(F.lease.psid, 33);
	assert_int_equal(F.lease.lease_time, 1800);
	/* a late 1/5 about the old address: ignored; about the new: asks */
	C.revalidated_ms -= DHCP4O6_REVALIDATE_MS;
	dhcp4o6_client_no_binding(&C, &AFTR, a4("192.0.2.9"));
	assert_int_equal(C.state, D4_BOUND);
	dhcp4o6_client_no_binding(&C, &AFTR, a4("198.51.100.20"));
	assert_revalidation("198.51.100.20");
}

/*
 * Nobody answers (a server that keeps silent about leases it does not
 * know): after DHCP4O6_REVALIDATE_TRIES REQUESTs, DISCOVER; the binding
 * stays until its lease ends or another is granted.
 */
static void test_no_binding_unanswered(void **state)
{
	static const int64_t want[] = { 8000, 16000 };
	unsigned int i, q;

	(void)state;
	dora(3600);
	q = F.queries;
	dhcp4o6_client_no_binding(&C, &AFTR, a4("192.0.2.9"));
	for (i = 1; i < DHCP4O6_REVALIDATE_TRIES; i++) {
		fire(&C.retrans);
		assert_revalidation("192.0.2.9");
		assert_true(in_ms(&C.retrans) >= want[i - 1] - 1010 &&
			    in_ms(&C.retrans) <= want[i - 1] + 1000);
	}
	assert_int_equal(F.queries, q + DHCP4O6_REVALIDATE_TRIES);
	assert_int_equal(C.n.revalidate_unanswered, 0);
	fire(&C.retrans);
	assert_int_equal(C.state, D4_INIT);
	assert_int_equal(F.m4.type, DHCP4_DISCOVER);
	assert_int_equal(C.n.revalidate_unanswered, 1);
	/* still installed, still on disk, still expiring */
	assert_true(F.installed);
	assert_true(F.told_set);
	assert_true(F.disk);
	assert_true(C.expire.armed);
	assert_true(in_ms(&C.expire) > 3500000);
	assert_false(C.t1.armed || C.t2.armed);
	/* a DISCOVER is in flight: 1/5s counted, nothing sent */
	C.revalidated_ms -= DHCP4O6_REVALIDATE_MS;
	q = F.queries;
	dhcp4o6_client_no_binding(&C, &AFTR, a4("192.0.2.9"));
	assert_int_equal(F.queries, q);
	assert_int_equal(C.n.no_binding, 2);
	/* stopping now gives the old lease back, without option 50 */
	answer(DHCP4_OFFER, "192.0.2.9", 3600);
	assert_int_equal(C.state, D4_REQUESTING);
	dhcp4o6_client_release(&C);
	assert_int_equal(F.m4.type, DHCP4_RELEASE);
	assert_int_equal(F.m4.ciaddr, a4("192.0.2.9"));
	assert_false(F.m4.has_requested_ip);
	assert_false(F.installed);
	assert_false(F.disk);
}

/* ... and when the lease ends meanwhile, the binding goes with it. */
static void test_no_binding_unanswered_expires(void **state)
{
	unsigned int i;

	(void)state;
	dora(3600);
	dhcp4o6_client_no_binding(&C, &AFTR, a4("192.0.2.9"));
	for (i = 0; i < DHCP4O6_REVALIDATE_TRIES; i++)
		fire(&C.retrans);
	assert_int_equal(C.state, D4_INIT);
	assert_true(F.installed);
	fire(&C.expire);
	assert_false(F.installed);
	assert_false(F.disk);
	assert_int_equal(C.state, D4_INIT);
	assert_int_equal(F.m4.type, DHCP4_DISCOVER);
	/* a new lease: the binding back */
	answer(DHCP4_OFFER, "192.0.2.12", 3600);
	answer(DHCP4_ACK, "192.0.2.12", 3600);
	assert_true(F.installed);
	assert_int_equal(F.inst.ipv4, a4("192.0.2.12"));
}

/*
 * No lease: ignored (before any, while DISCOVERing, with an S46 binding
 * that is configured, not leased).  RENEWING (unicast to the lease's
 * server, maybe the failed one): replaced by a re-validation.  REBINDING:
 * its own broadcast REQUEST is in flight, counted only.
 */
static void test_no_binding_states(void **state)
{
	struct s46_lw lw = { .has_bind = true, .prefix_len = 64 };
	unsigned int sent;

	(void)state;
	dhcp4o6_client_no_binding(&C, &AFTR, a4("192.0.2.9"));
	assert_int_equal(F.sent, 0);
	dhcp4o6_client_start(&C);
	reply_ok(&SERVER, 1, true, NULL);
	sent = F.sent;
	dhcp4o6_client_no_binding(&C, &AFTR, a4("192.0.2.9"));
	dhcp4o6_client_no_binding(&C, &AFTR, 0);
	assert_int_equal(F.sent, sent);
	assert_int_equal(C.state, D4_INIT);
	assert_int_equal(C.n.no_binding, 0);
	answer(DHCP4_OFFER, "192.0.2.9", 3600);
	answer(DHCP4_ACK, "192.0.2.9", 3600);
	/* RENEWING: U set to the lease's server; the 1/5 turns it around */
	fire(&C.t1);
	assert_int_equal(F.m6.xid, DHCP6_4O6_FLAG_UNICAST);
	dhcp4o6_client_no_binding(&C, &AFTR, a4("192.0.2.9"));
	assert_revalidation("192.0.2.9");
	assert_int_equal(C.n.revalidations, 1);
	answer(DHCP4_ACK, "192.0.2.9", 3600);
	assert_int_equal(C.state, D4_BOUND);
	/* REBINDING: counted, nothing sent */
	fire(&C.t1);
	fire(&C.t2);
	assert_int_equal(C.state, D4_REBINDING);
	C.revalidated_ms -= DHCP4O6_REVALIDATE_MS;
	sent = F.sent;
	dhcp4o6_client_no_binding(&C, &AFTR, a4("192.0.2.9"));
	assert_int_equal(F.sent, sent);
	assert_int_equal(C.state, D4_REBINDING);
	assert_int_equal(C.n.no_binding, 2);
	assert_int_equal(C.n.revalidations, 1);

	/* S46: configured without a lease */
	dhcp4o6_client_stop(&C);	/* its timers out of the loop's list */
	setup(NULL);
	lw.ipv4 = a4("192.0.2.3");
	lw.prefix = a6("2001:db8:1:cafe::");
	dhcp4o6_client_start(&C);
	reply_ok(NULL, 0, false, &lw);
	assert_int_equal(C.state, D4_S46);
	sent = F.sent;
	dhcp4o6_client_no_binding(&C, &AFTR, a4("192.0.2.3"));
	assert_int_equal(F.sent, sent);
	assert_int_equal(C.state, D4_S46);
	assert_int_equal(C.n.no_binding, 0);
}

/*
 * WAN renumbering (RFC 8539): the softwire's source changes under a lease.
 * The device's local is set, then a REQUEST in RENEWING's form (ciaddr,
 * U, to the lease's server) from the new source, naming it in 109, with
 * a new xid and the INIT timing.  ACK: the binding kept, the lease file
 * names the new source; counted.
 */
static void test_renumbered_ack(void **state)
{
	struct in6_addr to = a6("2001:db8:b4:2::1");
	uint32_t xid;
	unsigned int q, installs;

	(void)state;
	dora(3600);
	xid = F.m4.xid;
	q = F.queries;
	installs = F.installs;
	assert_int_equal(dhcp4o6_client_renumbered(&C, &SRC, &to, true), 0);
	assert_true(F.has_local);
	assert_memory_equal(&F.local, &to, 16);
	assert_memory_equal(&F.from, &to, 16);
	assert_int_equal(C.state, D4_MOVING);
	assert_int_equal(F.queries, q + 1);
	assert_int_equal(F.m4.type, DHCP4_REQUEST);
	assert_int_equal(F.m4.ciaddr, a4("192.0.2.9"));
	assert_false(F.m4.has_requested_ip);
	assert_false(F.m4.has_server_id);
	assert_true(F.m4.has_saddr);
	assert_memory_equal(&F.m4.saddr, &to, 16);
	assert_true(F.from_local);
	assert_memory_equal(&F.to, &SERVER, 16);
	assert_true(F.m6.xid & DHCP6_4O6_FLAG_UNICAST);
	assert_int_not_equal(F.m4.xid, xid);
	assert_true(in_ms(&C.retrans) >= 2990 && in_ms(&C.retrans) <= 5000);
	/* a late answer to the old exchange is no answer to this one */
	{
		struct answer a = { .type = DHCP4_NAK, .xid = xid,
				    .chaddr = MAC, .from = SERVER };

		respond(&a);
		assert_int_equal(C.state, D4_MOVING);
	}
	/* a 1/5 meanwhile (the AFTR's binding is still the old address) */
	dhcp4o6_client_no_binding(&C, &AFTR, a4("192.0.2.9"));
	assert_int_equal(F.queries, q + 1);
	/* retransmitted as it was */
	fire(&C.retrans);
	assert_int_equal(F.queries, q + 2);
	assert_int_equal(F.m4.ciaddr, a4("192.0.2.9"));
	assert_memory_equal(&F.m4.saddr, &to, 16);
	answer(DHCP4_ACK, "192.0.2.9", 3600);
	assert_int_equal(C.state, D4_BOUND);
	assert_true(F.installed);
	assert_int_equal(F.installs, installs);	/* the same binding */
	assert_true(F.disk);
	assert_memory_equal(&F.lease.source, &to, 16);
	assert_int_equal(C.n.moves, 1);
	assert_int_equal(C.n.moves_kept, 1);
	assert_int_equal(C.n.moves_nak, 0);
	assert_int_equal(F.releases, 0);	/* kept: nothing to release */
	/* the next renewal at T1 comes from there too */
	fire(&C.t1);
	assert_int_equal(C.state, D4_RENEWING);
	assert_memory_equal(&F.m4.saddr, &to, 16);
}

/*
 * NAK (another subscriber prefix): the old source still there, the lease
 * is RELEASEd from it (the server keeps what it will not move); the
 * binding goes, DISCOVER from the new source.  The old source gone:
 * nothing released.
 */
static void test_renumbered_nak(void **state)
{
	struct in6_addr to = a6("2001:db8:b5::1"), to2 = a6("2001:db8:b6::1");

	(void)state;
	dora(3600);
	assert_int_equal(dhcp4o6_client_renumbered(&C, &SRC, &to, true), 0);
	answer(DHCP4_NAK, NULL, 0);
	assert_int_equal(F.releases, 1);
	assert_memory_equal(&F.release_from, &SRC, 16);
	assert_false(F.installed);
	assert_false(F.disk);
	assert_int_equal(C.state, D4_INIT);
	assert_int_equal(F.m4.type, DHCP4_DISCOVER);
	assert_memory_equal(&F.m4.saddr, &to, 16);
	assert_memory_equal(&F.from, &to, 16);
	assert_int_equal(C.n.moves_nak, 1);
	assert_int_equal(C.n.moves_released, 1);
	answer(DHCP4_OFFER, "192.0.2.10", 3600);
	assert_memory_equal(&F.m4.saddr, &to, 16);
	answer(DHCP4_ACK, "192.0.2.10", 3600);
	assert_int_equal(C.state, D4_BOUND);
	assert_int_equal(F.inst.ipv4, a4("192.0.2.10"));
	assert_memory_equal(&F.lease.source, &to, 16);

	/* gone at once: NAK, no RELEASE (it could not leave from there) */
	assert_int_equal(dhcp4o6_client_renumbered(&C, &to, &to2, false), 0);
	answer(DHCP4_NAK, NULL, 0);
	assert_int_equal(F.releases, 1);
	assert_int_equal(C.n.moves_nak, 2);
	assert_int_equal(C.n.moves_released, 1);
	assert_int_equal(F.m4.type, DHCP4_DISCOVER);
	assert_memory_equal(&F.m4.saddr, &to2, 16);
}

/*
 * No answer: DISCOVER after DHCP4O6_REQUEST_TRIES, the binding kept until
 * its lease ends.  In the middle of DISCOVER: DISCOVER again from the new
 * source.  S46_CONT_LW's source is not ours to move: -EPERM, nothing done.
 */
static void test_renumbered_other_states(void **state)
{
	struct in6_addr to = a6("2001:db8:b4:2::1");
	struct s46_lw lw;
	unsigned int i, q;

	(void)state;
	dora(3600);
	assert_int_equal(dhcp4o6_client_renumbered(&C, &SRC, &to, true), 0);
	for (i = 1; i < DHCP4O6_REQUEST_TRIES; i++)
		fire(&C.retrans);
	assert_int_equal(C.state, D4_MOVING);
	fire(&C.retrans);
	assert_int_equal(C.state, D4_INIT);
	assert_int_equal(F.m4.type, DHCP4_DISCOVER);
	assert_int_equal(C.n.moves_unanswered, 1);
	assert_true(F.installed);
	assert_true(C.expire.armed);
	/* moved again while DISCOVERing: a new DISCOVER from the newest */
	q = F.queries;
	assert_int_equal(dhcp4o6_client_renumbered(&C, &to, &SRC, true), 0);
	to = SRC;
	assert_int_equal(C.state, D4_INIT);
	assert_int_equal(F.queries, q + 1);
	assert_int_equal(F.m4.type, DHCP4_DISCOVER);
	assert_memory_equal(&F.m4.saddr, &to, 16);
	assert_int_equal(C.n.moves, 2);
	dhcp4o6_client_stop(&C);

	/* S46 */
	memset(&F, 0, sizeof(F));
	init(false);
	memset(&lw, 0, sizeof(lw));
	lw.has_bind = true;
	lw.ipv4 = a4("192.0.2.50");
	lw.prefix_len = 128;
	lw.prefix = a6("2001:db8:b4::50");
	dhcp4o6_client_start(&C);
	reply_ok(NULL, 0, false, &lw);
	assert_int_equal(C.state, D4_S46);
	i = F.ends;
	assert_int_equal(dhcp4o6_client_renumbered(&C, &SRC, &to, true), -EPERM);
	assert_int_equal(F.ends, i);
	assert_int_equal(C.state, D4_S46);
	assert_int_equal(C.n.moves, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_information_request),
		T(test_s46_deterministic),
		T(test_dora),
		T(test_whole_address_and_multicast),
		T(test_renew_at_t1),
		T(test_rebind_at_t2),
		T(test_expiry_deconfigures),
		T(test_nak_restarts),
		T(test_forged_answers_ignored),
		T(test_init_reboot),
		T(test_init_reboot_expired_lease),
		T(test_init_reboot_no_answer),
		T(test_release_on_stop),
		T(test_retransmission),
		T(test_auto_no_reply_falls_back),
		T(test_auto_reply_without_options),
		T(test_dhcp4o6_mode_reply_without_88),
		T(test_lease_file),
		T(test_no_binding_revalidates),
		T(test_no_binding_nak_rediscover),
		T(test_no_binding_unanswered),
		T(test_no_binding_unanswered_expires),
		T(test_no_binding_states),
		T(test_renumbered_ack),
		T(test_renumbered_nak),
		T(test_renumbered_other_states),
#undef T
	};

	log_open(LOG_ERR, false);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
