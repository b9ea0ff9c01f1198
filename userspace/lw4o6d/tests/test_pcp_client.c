// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * pcp_client.c without a socket or a device: the requests it would send
 * and the bindings it would install are recorded, the server's answers are
 * built here.  Covers the renewal point (1/2 to 5/8 of the lifetime), the
 * epoch check of RFC 6887 8.5, and the state machine: GET then MAP,
 * grants, renewals, refusals, a lost epoch, icmp-no-binding, expiry, and
 * what listeners are told.  And what a forger can do (#11 items 2, 9, 21):
 * answers not tied to the request in flight, a flood of 1/5s, and another
 * sender that took our mapping's nonce first.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include <lw4o6/psid.h>

#include "log.h"
#include "loop.h"
#include "pcp_client.h"
#include "wire.h"

#include "tests/cmocka_wrap.h"

#define LIFETIME 7200

/* --- the seams ------------------------------------------------------------- */

static struct {
	unsigned int sent;
	struct pcp_msg last;		/* the last request, parsed back */
	unsigned int installs;
	bool installed;			/* last install: a binding, or none */
	struct b4_binding inst;
	int install_err;
	unsigned int told;		/* listener calls */
	bool told_set;
	struct b4_binding told_b;
} F;

static void fake_send(const uint8_t *buf, size_t len, void *arg)
{
	(void)arg;
	F.sent++;
	assert_int_equal(pcp_parse_request(buf, len, &F.last), 0);
}

static int fake_install(const struct b4_binding *b, void *arg)
{
	(void)arg;
	F.installs++;
	if (F.install_err)
		return F.install_err;
	F.installed = b != NULL;
	if (b)
		F.inst = *b;
	return 0;
}

static void listener(const struct b4_binding *b, void *arg)
{
	(*(unsigned int *)arg)++;
	F.told++;
	F.told_set = b != NULL;
	if (b)
		F.told_b = *b;
}

static uint32_t ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

static struct pcp_client C;
static unsigned int listener_calls;

static int setup(void **state)
{
	const struct pcp_client_ops ops = { .send = fake_send,
					    .install = fake_install };
	struct in6_addr me;

	(void)state;
	memset(&F, 0, sizeof(F));
	listener_calls = 0;
	pcp_v4mapped(htonl(0xc0000002), &me);	/* 192.0.0.2 */
	pcp_client_init(&C, &ops, &me, LIFETIME, 65535);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	pcp_client_stop(&C);
	return 0;
}

/* ms until t fires */
static int64_t in_ms(const struct timer *t)
{
	assert_true(t->armed);
	return t->when - loop_now_ms();
}

/* --- answers from the server ------------------------------------------------- */

static uint32_t server_epoch = 1000;

static void answer(const struct pcp_msg *m)
{
	uint8_t buf[PCP_MAX_LEN];
	size_t n = pcp_build(m, buf, sizeof(buf));

	assert_true(n > 0);
	pcp_client_input(&C, buf, n);
}

static void response(struct pcp_msg *m, uint8_t opcode, uint8_t result,
		     uint32_t lifetime)
{
	memset(m, 0, sizeof(*m));
	m->version = PCP_VERSION;
	m->response = true;
	m->opcode = opcode;
	m->result = result;
	m->lifetime = lifetime;
	m->epoch = server_epoch;
}

/* A MAP answer granting ipv4 psid/k offset a, to nonce. */
static void grant(const uint8_t *nonce, const char *ipv4, uint16_t psid,
		  uint8_t k, uint8_t a, uint32_t lifetime)
{
	struct pcp_msg m;

	response(&m, PCP_OP_MAP, PCP_SUCCESS, lifetime);
	memcpy(m.nonce, nonce, PCP_NONCE_LEN);
	pcp_v4mapped(ip(ipv4), &m.external);
	portset_to_pcp(psid, k, a, &m);
	answer(&m);
}

static void get_nothing(void)
{
	struct pcp_msg m;

	response(&m, PCP_OP_GET, PCP_SUCCESS, 0);
	memcpy(m.nonce, F.last.nonce, PCP_NONCE_LEN);
	answer(&m);
}

/*
 * A GET answer to the GET in flight (header: its nonce) naming a mapping
 * of all protocols whose nonce (in NEXT) is theirs.
 */
static void get_mapping(const uint8_t *theirs, const char *ipv4,
			uint16_t psid, uint8_t k, uint32_t lifetime)
{
	struct pcp_msg m;

	assert_int_equal(F.last.opcode, PCP_OP_GET);
	response(&m, PCP_OP_GET, PCP_SUCCESS, lifetime);
	memcpy(m.nonce, F.last.nonce, PCP_NONCE_LEN);
	pcp_v4mapped(ip(ipv4), &m.external);
	portset_to_pcp(psid, k, 0, &m);
	m.next.present = true;
	memcpy(m.next.nonce, theirs, PCP_NONCE_LEN);
	answer(&m);
}

/* Started, asked with GET, told nothing, asked with MAP, granted. */
static void bound(const char *ipv4, uint16_t psid, uint8_t k, uint8_t a)
{
	pcp_client_start(&C);
	get_nothing();
	assert_int_equal(F.last.opcode, PCP_OP_MAP);
	grant(F.last.nonce, ipv4, psid, k, a, LIFETIME);
	assert_true(C.bound);
}

/* --- the pure parts ---------------------------------------------------------- */

static void test_renew_point(void **state)
{
	uint32_t r;

	(void)state;
	assert_int_equal(pcp_client_renew_ms(7200, 0), 3600000);
	assert_int_equal(pcp_client_renew_ms(7200, UINT32_MAX), 4500000);
	for (r = 1; r < UINT32_MAX / 2; r = r * 3 + 7) {
		int64_t ms = pcp_client_renew_ms(120, r);

		assert_true(ms >= 60000 && ms <= 75000);
	}
	/* No overflow at the largest lifetime a server can send. */
	assert_int_equal(pcp_client_renew_ms(UINT32_MAX, UINT32_MAX),
			 (int64_t)UINT32_MAX * 625);
	assert_int_equal(pcp_client_renew_ms(0, UINT32_MAX), 0);
}

static void test_epoch(void **state)
{
	struct pcp_epoch e = { 0 };

	(void)state;
	assert_true(pcp_epoch_check(&e, 5000, 100));	/* the first: fine */
	assert_true(pcp_epoch_check(&e, 5010, 110));	/* in step */
	assert_true(pcp_epoch_check(&e, 5009, 110));	/* 1 s back: slack */
	assert_false(pcp_epoch_check(&e, 5000, 111));	/* back: lost state */
	assert_true(pcp_epoch_check(&e, 5100, 211));	/* in step again */
	/* Our clock moved 100 s, the server's 10: it restarted. */
	assert_false(pcp_epoch_check(&e, 5110, 311));
	/* Within 2 s and 1/16 either way. */
	assert_true(pcp_epoch_check(&e, 5110 + 1600 + 2, 311 + 1600 - 100));
	e = (struct pcp_epoch){ 0 };
	assert_true(pcp_epoch_check(&e, 0, 1000));
	assert_false(pcp_epoch_check(&e, 1000, 1010));	/* server ran ahead */
}

/* --- the state machine ------------------------------------------------------- */

static void test_get_then_map(void **state)
{
	struct in6_addr me;

	(void)state;
	pcp_client_start(&C);
	assert_int_equal(F.sent, 1);
	assert_int_equal(F.last.opcode, PCP_OP_GET);
	pcp_v4mapped(htonl(0xc0000002), &me);
	assert_memory_equal(&F.last.client, &me, sizeof(me));
	assert_int_equal(C.state, PCP_CLIENT_GET);
	/* RFC 6887 8.1.1: the first retransmission after IRT 3 s +-10 % */
	assert_true(in_ms(&C.retrans) >= 2600 && in_ms(&C.retrans) <= 3300);

	get_nothing();
	assert_int_equal(F.sent, 2);
	assert_int_equal(F.last.opcode, PCP_OP_MAP);
	assert_int_equal(F.last.lifetime, LIFETIME);
	assert_int_equal(F.last.protocol, 0);
	assert_int_equal(F.last.internal_port, 0);
	assert_true(F.last.port_set.present);
	assert_int_equal(F.last.port_set.size, 65535);
	assert_false(F.last.port_params.present);
	assert_int_equal(C.state, PCP_CLIENT_MAP);
	assert_int_equal(F.installs, 0);
}

static void test_grant_installs_and_tells(void **state)
{
	int64_t renew;

	(void)state;
	assert_int_equal(pcp_client_listen(&C, listener, &listener_calls), 0);
	assert_int_equal(F.told, 1);		/* at once: no binding */
	assert_false(F.told_set);
	bound("192.0.2.7", 5, 6, 4);
	assert_int_equal(F.installs, 1);
	assert_true(F.installed);
	assert_int_equal(F.inst.ipv4, ip("192.0.2.7"));
	assert_int_equal(F.inst.psid, 5);
	assert_int_equal(F.inst.psid_len, 6);
	assert_int_equal(F.inst.offset, 4);
	assert_int_equal(F.told, 2);
	assert_true(F.told_set);
	assert_memory_equal(&F.told_b, &F.inst, sizeof(F.inst));
	assert_int_equal(C.state, PCP_CLIENT_BOUND);
	assert_false(C.retrans.armed);
	renew = in_ms(&C.renew);
	assert_true(renew >= LIFETIME * 500 - 100 && renew <= LIFETIME * 625);
	assert_true(in_ms(&C.expire) > LIFETIME * 1000 - 100);
}

static void test_renewal(void **state)
{
	unsigned int sent;

	(void)state;
	pcp_client_listen(&C, listener, &listener_calls);
	bound("192.0.2.7", 5, 6, 4);
	sent = F.sent;
	/* the renewal timer fires: the same MAP, suggesting our set */
	C.renew.fn(&C.renew);
	assert_int_equal(F.sent, sent + 1);
	assert_int_equal(F.last.opcode, PCP_OP_MAP);
	assert_int_equal(F.last.external_port,
			 lw4o6_range_first(0, 4, 6, 5));
	/* granted again, the same set: nothing to install, nobody told */
	grant(F.last.nonce, "192.0.2.7", 5, 6, 4, 600);
	assert_int_equal(F.installs, 1);
	assert_int_equal(F.told, 2);
	assert_true(in_ms(&C.renew) <= 600 * 625);
	assert_true(in_ms(&C.expire) <= 600 * 1000);
	/* the AFTR moved us: installed and told */
	C.renew.fn(&C.renew);
	grant(F.last.nonce, "192.0.2.8", 9, 6, 4, 600);
	assert_int_equal(F.installs, 2);
	assert_int_equal(F.inst.ipv4, ip("192.0.2.8"));
	assert_int_equal(F.told, 3);
	assert_int_equal(F.told_b.psid, 9);
}

static void test_not_ours(void **state)
{
	uint8_t other[PCP_NONCE_LEN];
	struct pcp_msg m;

	(void)state;
	pcp_client_start(&C);
	get_nothing();
	memcpy(other, F.last.nonce, sizeof(other));
	other[0] ^= 1;
	grant(other, "192.0.2.7", 5, 6, 4, LIFETIME);	/* another nonce */
	response(&m, PCP_OP_MAP, PCP_SUCCESS, LIFETIME);	/* a port mapping */
	memcpy(m.nonce, F.last.nonce, PCP_NONCE_LEN);
	m.protocol = IPPROTO_UDP;
	m.internal_port = 5000;
	pcp_v4mapped(ip("192.0.2.7"), &m.external);
	m.external_port = 5000;
	answer(&m);
	assert_false(C.bound);
	assert_int_equal(F.installs, 0);
	assert_true(C.retrans.armed);		/* still waiting */
}

static void test_refused(void **state)
{
	uint8_t nonce[PCP_NONCE_LEN];
	struct pcp_msg m;

	(void)state;
	pcp_client_start(&C);
	get_nothing();
	memcpy(nonce, F.last.nonce, sizeof(nonce));
	response(&m, PCP_OP_MAP, PCP_NO_RESOURCES, 30);
	memcpy(m.nonce, nonce, PCP_NONCE_LEN);
	answer(&m);
	assert_false(C.retrans.armed);
	assert_true(in_ms(&C.recreate) > 29000 && in_ms(&C.recreate) <= 30000);
	assert_memory_equal(C.nonce, nonce, PCP_NONCE_LEN);
	/* a longer error lifetime is honoured */
	C.recreate.fn(&C.recreate);
	response(&m, PCP_OP_MAP, PCP_NO_RESOURCES, 300);
	memcpy(m.nonce, nonce, PCP_NONCE_LEN);
	answer(&m);
	assert_true(in_ms(&C.recreate) > 299000);
	/* NOT_AUTHORIZED: another nonce holds our key; read it back */
	C.recreate.fn(&C.recreate);
	response(&m, PCP_OP_MAP, PCP_NOT_AUTHORIZED, 0);
	memcpy(m.nonce, nonce, PCP_NONCE_LEN);
	answer(&m);
	assert_int_equal(F.last.opcode, PCP_OP_GET);
	get_nothing();				/* gone meanwhile: MAP */
	assert_int_equal(F.last.opcode, PCP_OP_MAP);
	/* again at once: no GET loop, a fresh nonce and the error's wait */
	response(&m, PCP_OP_MAP, PCP_NOT_AUTHORIZED, 0);
	memcpy(m.nonce, nonce, PCP_NONCE_LEN);
	answer(&m);
	assert_false(C.retrans.armed);
	assert_true(in_ms(&C.recreate) > 29000);
	assert_memory_not_equal(C.nonce, nonce, PCP_NONCE_LEN);
	/* a success without a set we understand: again in 30 s */
	C.recreate.fn(&C.recreate);
	response(&m, PCP_OP_MAP, PCP_SUCCESS, LIFETIME);
	memcpy(m.nonce, C.nonce, PCP_NONCE_LEN);
	pcp_v4mapped(ip("192.0.2.7"), &m.external);
	answer(&m);				/* no PORT_SET */
	assert_false(C.bound);
	assert_true(in_ms(&C.recreate) > 29000);
}

static void test_install_fails(void **state)
{
	(void)state;
	pcp_client_listen(&C, listener, &listener_calls);
	F.install_err = -EINVAL;
	pcp_client_start(&C);
	get_nothing();
	grant(F.last.nonce, "192.0.2.7", 5, 6, 4, LIFETIME);
	assert_false(C.bound);
	assert_int_equal(F.told, 1);		/* only the first "none" */
	assert_false(C.renew.armed);
}

static void test_get_recovers(void **state)
{
	uint8_t theirs[PCP_NONCE_LEN] = { 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 9, 8 };
	struct pcp_msg m;

	(void)state;
	pcp_client_start(&C);
	/* the mapping's nonce as the header's: not an answer to our GET */
	response(&m, PCP_OP_GET, PCP_SUCCESS, 100);
	memcpy(m.nonce, theirs, PCP_NONCE_LEN);
	pcp_v4mapped(ip("192.0.2.3"), &m.external);
	portset_to_pcp(2, 4, 0, &m);
	m.next.present = true;
	memcpy(m.next.nonce, theirs, PCP_NONCE_LEN);
	answer(&m);
	assert_false(C.bound);
	assert_int_equal(C.n_ignored, 1);
	get_mapping(theirs, "192.0.2.3", 2, 4, 100);
	assert_true(C.bound);
	assert_int_equal(F.inst.ipv4, ip("192.0.2.3"));
	assert_int_equal(F.inst.psid, 2);
	/* renewed at once, with the mapping's nonce */
	assert_int_equal(F.last.opcode, PCP_OP_MAP);
	assert_memory_equal(F.last.nonce, theirs, PCP_NONCE_LEN);
	assert_memory_equal(C.nonce, theirs, PCP_NONCE_LEN);
}

static void test_get_refused_then_map(void **state)
{
	struct pcp_msg m;

	(void)state;
	pcp_client_start(&C);
	response(&m, PCP_OP_GET, PCP_UNSUPP_OPCODE, 0);
	memcpy(m.nonce, F.last.nonce, PCP_NONCE_LEN);
	answer(&m);
	assert_int_equal(F.last.opcode, PCP_OP_MAP);
	/* a late GET answer is not acted on any more */
	get_nothing();
	assert_int_equal(F.sent, 2);
}

static void test_lost_epoch(void **state)
{
	struct pcp_msg m;
	unsigned int sent;

	(void)state;
	bound("192.0.2.7", 5, 6, 4);
	sent = F.sent;
	/* an ANNOUNCE in step: nothing */
	response(&m, PCP_OP_ANNOUNCE, PCP_SUCCESS, 0);
	answer(&m);
	assert_false(C.recreate.armed);
	/* an ANNOUNCE whose epoch went back: re-create within 0-5 s */
	server_epoch = 3;
	response(&m, PCP_OP_ANNOUNCE, PCP_SUCCESS, 0);
	server_epoch = 1000;
	answer(&m);
	assert_true(in_ms(&C.recreate) <= 5000);
	assert_int_equal(F.sent, sent);
	C.recreate.fn(&C.recreate);
	assert_int_equal(F.sent, sent + 1);
	assert_int_equal(F.last.opcode, PCP_OP_MAP);
	/* the suggestion is the set we hold */
	assert_int_equal(F.last.external_port, lw4o6_range_first(0, 4, 6, 5));
	assert_true(C.bound);
}

/*
 * #11 item 2: a 1/5 is no proof.  It makes the B4 renew (once per
 * PCP_CLIENT_REVALIDATE_MS at most, never with an exchange in flight); the
 * binding goes only when the AFTR, answering that MAP, says so.
 */
static void test_no_binding(void **state)
{
	struct in6_addr aftr = IN6ADDR_LOOPBACK_INIT;
	unsigned int sent;
	int i;

	(void)state;
	pcp_client_listen(&C, listener, &listener_calls);
	bound("192.0.2.7", 5, 6, 4);
	sent = F.sent;
	/* about another address: not ours */
	pcp_client_no_binding(&C, &aftr, ip("192.0.2.9"));
	assert_true(C.bound);
	assert_int_equal(F.sent, sent);
	/* a flood (forged, say): one MAP, the binding untouched */
	for (i = 0; i < 100; i++)
		pcp_client_no_binding(&C, &aftr, ip("192.0.2.7"));
	assert_int_equal(F.sent, sent + 1);
	assert_int_equal(F.last.opcode, PCP_OP_MAP);
	assert_memory_equal(F.last.nonce, C.nonce, PCP_NONCE_LEN);
	assert_int_equal(F.last.external_port, lw4o6_range_first(0, 4, 6, 5));
	assert_true(C.bound);
	assert_true(F.installed);
	assert_int_equal(F.installs, 1);
	assert_int_equal(F.told, 2);
	assert_int_equal(C.n_no_binding, 100);
	assert_int_equal(C.n_revalidations, 1);
	/* the AFTR still holds it: renewed, nothing else */
	grant(F.last.nonce, "192.0.2.7", 5, 6, 4, LIFETIME);
	assert_int_equal(F.installs, 1);
	assert_int_equal(F.told, 2);
	/* more within the hold-down: nothing sent */
	pcp_client_no_binding(&C, &aftr, ip("192.0.2.7"));
	assert_int_equal(F.sent, sent + 1);
	/* after it, the AFTR lost ours and gives another set: installed */
	C.revalidated_ms -= PCP_CLIENT_REVALIDATE_MS;
	pcp_client_no_binding(&C, &aftr, ip("192.0.2.7"));
	assert_int_equal(F.sent, sent + 2);
	grant(F.last.nonce, "192.0.2.8", 9, 6, 4, LIFETIME);
	assert_true(C.bound);
	assert_int_equal(F.inst.ipv4, ip("192.0.2.8"));
	assert_int_equal(F.told, 3);
	/* and when it refuses to re-create it: it is gone, unbound */
	C.revalidated_ms -= PCP_CLIENT_REVALIDATE_MS;
	pcp_client_no_binding(&C, &aftr, ip("192.0.2.8"));
	assert_int_equal(F.sent, sent + 3);
	{
		struct pcp_msg m;

		response(&m, PCP_OP_MAP, PCP_NO_RESOURCES, 30);
		memcpy(m.nonce, F.last.nonce, PCP_NONCE_LEN);
		answer(&m);
	}
	assert_false(C.bound);
	assert_false(F.installed);		/* removed from the device */
	assert_false(F.told_set);		/* listeners: none */
	assert_false(C.renew.armed);
	assert_false(C.expire.armed);
	assert_true(C.recreate.armed);		/* and asks again later */
	/* unbound: later 1/5s change nothing */
	pcp_client_no_binding(&C, &aftr, ip("192.0.2.8"));
	assert_int_equal(F.sent, sent + 3);
}

/*
 * WAN renumbering: a release (one MAP, lifetime 0, same nonce) and then
 * quiet: no renewal, no 1/5 re-validation that would re-create it at the
 * address we leave, its answer changing nothing; renumbered, the MAP from
 * the new address names our set, and its answer binds.
 */
static void test_release_and_renumber(void **state)
{
	struct in6_addr aftr = IN6ADDR_LOOPBACK_INIT, me6;
	struct pcp_msg m;
	unsigned int sent;

	(void)state;
	bound("192.0.2.7", 5, 6, 4);
	sent = F.sent;
	pcp_client_release(&C);
	assert_int_equal(F.sent, sent + 1);
	assert_int_equal(F.last.opcode, PCP_OP_MAP);
	assert_int_equal(F.last.lifetime, 0);
	assert_memory_equal(F.last.nonce, C.nonce, PCP_NONCE_LEN);
	assert_false(C.renew.armed);
	assert_false(C.retrans.armed);
	pcp_client_no_binding(&C, &aftr, ip("192.0.2.7"));
	assert_int_equal(F.sent, sent + 1);
	/* the deletion's answer: nothing changes, nothing counted as forged */
	response(&m, PCP_OP_MAP, PCP_SUCCESS, 0);
	memcpy(m.nonce, C.nonce, PCP_NONCE_LEN);
	answer(&m);
	assert_true(C.bound);
	assert_int_equal(C.n_ignored, 0);
	assert_int_equal(F.installs, 1);
	/* renumbered (over IPv6: the client address changes too) */
	inet_pton(AF_INET6, "2001:db8:2::2", &me6);
	pcp_client_renumbered(&C, &me6);
	assert_int_equal(F.sent, sent + 2);
	assert_int_equal(F.last.opcode, PCP_OP_MAP);
	assert_int_equal(F.last.lifetime, LIFETIME);
	assert_memory_equal(&F.last.client, &me6, sizeof(me6));
	assert_int_equal(F.last.external_port, lw4o6_range_first(0, 4, 6, 5));
	grant(F.last.nonce, "192.0.2.7", 5, 6, 4, LIFETIME);
	assert_true(C.bound);
	assert_true(C.renew.armed);
	assert_int_equal(F.installs, 1);	/* the same set: nothing to install */
	assert_int_equal(C.n_released, 1);
	assert_int_equal(C.n_renumbered, 1);
	/* 1/5s are heeded again */
	C.revalidated_ms = 0;
	pcp_client_no_binding(&C, &aftr, ip("192.0.2.7"));
	assert_int_equal(F.sent, sent + 3);
}

/* A refusal of an ordinary renewal (not after a 1/5) keeps the binding. */
static void test_renewal_refused_keeps(void **state)
{
	struct pcp_msg m;

	(void)state;
	bound("192.0.2.7", 5, 6, 4);
	C.renew.fn(&C.renew);
	response(&m, PCP_OP_MAP, PCP_NO_RESOURCES, 30);
	memcpy(m.nonce, F.last.nonce, PCP_NONCE_LEN);
	answer(&m);
	assert_true(C.bound);
	assert_true(F.installed);
}

/*
 * #11 item 21: answers are tied to the request in flight: its opcode and
 * its nonce.  Spoofed ones (at start, before the GET is answered; or out
 * of the blue while bound) install nothing and are counted.
 */
static void test_spoofed_answers(void **state)
{
	uint8_t evil[PCP_NONCE_LEN] = { 0xee, 0xee, 0xee, 0xee, 1 };
	struct pcp_msg m;

	(void)state;
	pcp_client_start(&C);
	assert_int_equal(F.last.opcode, PCP_OP_GET);
	/* a GET answer with another nonce granting the attacker's set */
	response(&m, PCP_OP_GET, PCP_SUCCESS, 7200);
	memcpy(m.nonce, evil, PCP_NONCE_LEN);
	pcp_v4mapped(ip("203.0.113.1"), &m.external);
	portset_to_pcp(1, 4, 0, &m);
	m.next.present = true;
	memcpy(m.next.nonce, evil, PCP_NONCE_LEN);
	answer(&m);
	/* a MAP answer with our GET's nonce: the wrong opcode */
	m.opcode = PCP_OP_MAP;
	m.next.present = false;
	memcpy(m.nonce, F.last.nonce, PCP_NONCE_LEN);
	answer(&m);
	/* a MAP answer with the nonce our MAPs will use: none in flight */
	memcpy(m.nonce, C.nonce, PCP_NONCE_LEN);
	answer(&m);
	assert_false(C.bound);
	assert_int_equal(F.installs, 0);
	assert_int_equal(C.n_ignored, 3);
	assert_int_equal(F.sent, 1);
	assert_int_equal(C.state, PCP_CLIENT_GET);
	assert_true(C.retrans.armed);		/* still waiting for ours */
	/* the real answer still works */
	get_nothing();
	grant(F.last.nonce, "192.0.2.7", 5, 6, 4, LIFETIME);
	assert_true(C.bound);
	/* bound, nothing in flight: a MAP answer with our own nonce is ignored */
	response(&m, PCP_OP_MAP, PCP_SUCCESS, LIFETIME);
	memcpy(m.nonce, C.nonce, PCP_NONCE_LEN);
	pcp_v4mapped(ip("203.0.113.1"), &m.external);
	portset_to_pcp(1, 4, 0, &m);
	answer(&m);
	assert_int_equal(F.inst.ipv4, ip("192.0.2.7"));
	assert_int_equal(F.installs, 1);
	assert_int_equal(C.n_ignored, 4);
}

/*
 * #11 item 9: someone sent MAP from our address first and holds our key
 * with their nonce.  NOT_AUTHORIZED makes us read the mapping back (GET)
 * and adopt it, nonce and set, at once rather than after 600 s.
 */
static void test_not_authorized_adopts(void **state)
{
	uint8_t theirs[PCP_NONCE_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	uint8_t get_nonce[PCP_NONCE_LEN];
	struct pcp_msg m;

	(void)state;
	pcp_client_listen(&C, listener, &listener_calls);
	pcp_client_start(&C);
	get_nothing();				/* not yet taken */
	assert_int_equal(F.last.opcode, PCP_OP_MAP);
	response(&m, PCP_OP_MAP, PCP_NOT_AUTHORIZED, 600);
	memcpy(m.nonce, F.last.nonce, PCP_NONCE_LEN);
	answer(&m);
	assert_false(C.recreate.armed);		/* no 600 s wait */
	assert_int_equal(F.last.opcode, PCP_OP_GET);
	assert_true(C.retrans.armed);
	memcpy(get_nonce, F.last.nonce, sizeof(get_nonce));
	assert_memory_not_equal(get_nonce, theirs, PCP_NONCE_LEN);
	get_mapping(theirs, "192.0.2.3", 2, 4, 50);
	assert_true(C.bound);
	assert_int_equal(F.inst.ipv4, ip("192.0.2.3"));
	assert_int_equal(F.inst.psid, 2);
	assert_true(F.told_set);
	/* renewed at once with their nonce, which is ours now */
	assert_int_equal(F.last.opcode, PCP_OP_MAP);
	assert_memory_equal(F.last.nonce, theirs, PCP_NONCE_LEN);
	grant(theirs, "192.0.2.3", 2, 4, 0, LIFETIME);
	assert_true(C.bound);
	assert_int_equal(C.state, PCP_CLIENT_BOUND);
	assert_true(in_ms(&C.expire) > LIFETIME * 1000 - 100);
	assert_int_equal(F.installs, 1);
}

static void test_expiry(void **state)
{
	(void)state;
	pcp_client_listen(&C, listener, &listener_calls);
	bound("192.0.2.7", 5, 6, 4);
	C.expire.fn(&C.expire);
	assert_false(C.bound);
	assert_false(F.installed);
	assert_false(F.told_set);
	assert_int_equal(C.state, PCP_CLIENT_MAP);
	assert_int_equal(F.last.opcode, PCP_OP_MAP);
	assert_true(C.retrans.armed);
}

static void test_adopt_and_listen(void **state)
{
	struct b4_binding b = { .ipv4 = 0, .psid = 3, .psid_len = 4 };
	unsigned int other = 0;

	(void)state;
	b.ipv4 = ip("192.0.2.5");
	pcp_client_adopt(&C, &b);
	assert_true(in_ms(&C.expire) > LIFETIME * 1000 - 100);
	/* a listener that comes later is told what is held */
	assert_int_equal(pcp_client_listen(&C, listener, &listener_calls), 0);
	assert_true(F.told_set);
	assert_memory_equal(&F.told_b, &b, sizeof(b));
	assert_int_equal(pcp_client_listen(&C, listener, &other), 0);
	assert_int_equal(other, 1);
	assert_int_equal(pcp_client_listen(&C, listener, &other), 0);
	assert_int_equal(pcp_client_listen(&C, listener, &other), 0);
	assert_int_equal(pcp_client_listen(&C, listener, &other), -ENOSPC);
	/* the MAP after an empty GET suggests the adopted set */
	pcp_client_start(&C);
	get_nothing();
	assert_int_equal(F.last.external_port, lw4o6_range_first(0, 0, 4, 3));
	{
		uint32_t v4;

		assert_true(pcp_is_v4mapped(&F.last.external, &v4));
		assert_int_equal(v4, b.ipv4);
	}
	/* granted the same set: no install, nobody told again */
	grant(F.last.nonce, "192.0.2.5", 3, 4, 0, LIFETIME);
	assert_int_equal(F.installs, 0);
	assert_int_equal(listener_calls, 1);
}

static void test_retransmission(void **state)
{
	int64_t prev;
	int i;

	(void)state;
	pcp_client_start(&C);
	prev = C.rt;
	for (i = 0; i < 12; i++) {
		C.retrans.fn(&C.retrans);
		assert_int_equal(F.sent, (unsigned int)i + 2);
		/* doubled, +-10 %, at most MRT (1024 s) +10 % */
		assert_true(C.rt >= prev * 2 * 9 / 10 - 1 ||
			    C.rt >= 1024000 * 9 / 10);
		assert_true(C.rt <= 1024000 * 11 / 10 + 1);
		prev = C.rt;
	}
	assert_true(C.rt >= 1024000 * 9 / 10);
}

/* --- several AFTRs ("aftr A B") --------------------------------------------- */

static unsigned int failovers;
static bool failover_ok;
static char failover_why[128];

static bool fake_failover(const char *why, void *arg)
{
	(void)arg;
	failovers++;
	snprintf(failover_why, sizeof(failover_why), "%s", why);
	return failover_ok;
}

static int setup_failover(void **state)
{
	const struct pcp_client_ops ops = { .send = fake_send,
					    .install = fake_install,
					    .failover = fake_failover };
	struct in6_addr me;

	(void)state;
	memset(&F, 0, sizeof(F));
	failovers = 0;
	failover_ok = true;
	failover_why[0] = '\0';
	pcp_v4mapped(htonl(0xc0000002), &me);
	pcp_client_init(&C, &ops, &me, LIFETIME, 65535);
	return 0;
}

/* NETWORK_FAILURE moves us on: GET at the next AFTR, binding kept. */
static void test_failover_network_failure(void **state)
{
	struct pcp_msg m;
	uint8_t nonce[PCP_NONCE_LEN];

	(void)state;
	bound("192.0.2.7", 5, 6, 0);
	memcpy(nonce, C.nonce, sizeof(nonce));
	C.renew.fn(&C.renew);
	response(&m, PCP_OP_MAP, PCP_NETWORK_FAILURE, 30);
	memcpy(m.nonce, F.last.nonce, PCP_NONCE_LEN);
	answer(&m);
	assert_int_equal(failovers, 1);
	assert_string_equal(failover_why, "it answered NETWORK_FAILURE");
	assert_int_equal(C.n_failovers, 1);
	assert_int_equal(F.last.opcode, PCP_OP_GET);
	assert_true(C.retrans.armed);
	assert_false(C.recreate.armed);
	assert_true(C.bound);			/* still forwarding meanwhile */
	assert_true(F.installed);
	/* the next AFTR shares the store: our mapping, our nonce, kept */
	get_mapping(nonce, "192.0.2.7", 5, 6, LIFETIME);
	assert_int_equal(F.installs, 1);
	assert_int_equal(F.last.opcode, PCP_OP_MAP);
	assert_memory_equal(F.last.nonce, nonce, PCP_NONCE_LEN);
}

/* With nobody to move to, NETWORK_FAILURE waits as before. */
static void test_failover_none_left(void **state)
{
	struct pcp_msg m;
	unsigned int sent;

	(void)state;
	failover_ok = false;
	bound("192.0.2.7", 5, 6, 4);
	C.renew.fn(&C.renew);
	sent = F.sent;
	response(&m, PCP_OP_MAP, PCP_NETWORK_FAILURE, 30);
	memcpy(m.nonce, F.last.nonce, PCP_NONCE_LEN);
	answer(&m);
	assert_int_equal(failovers, 1);
	assert_int_equal(C.n_failovers, 0);
	assert_int_equal(F.sent, sent);
	assert_true(C.recreate.armed);
	assert_true(C.bound);
}

/* A request unanswered PCP_CLIENT_FAILOVER_TRIES times moves us on. */
static void test_failover_no_answer(void **state)
{
	unsigned int i;

	(void)state;
	pcp_client_start(&C);
	for (i = 1; i < PCP_CLIENT_FAILOVER_TRIES; i++) {
		C.retrans.fn(&C.retrans);
		assert_int_equal(failovers, 0);
	}
	assert_int_equal(F.sent, PCP_CLIENT_FAILOVER_TRIES);
	C.retrans.fn(&C.retrans);
	assert_int_equal(failovers, 1);
	assert_string_equal(failover_why, "no answer");
	/* a fresh exchange there: GET, sent once, IRT again */
	assert_int_equal(F.sent, PCP_CLIENT_FAILOVER_TRIES + 1);
	assert_int_equal(F.last.opcode, PCP_OP_GET);
	assert_int_equal(C.unanswered, 1);
	assert_true(in_ms(&C.retrans) >= 2600 && in_ms(&C.retrans) <= 3300);
}

/* A renewal due meanwhile does not start the count again; an answer does. */
static void test_failover_count_spans_exchanges(void **state)
{
	(void)state;
	bound("192.0.2.7", 5, 6, 0);
	assert_int_equal(C.unanswered, 0);
	C.renew.fn(&C.renew);			/* MAP, unanswered */
	C.retrans.fn(&C.retrans);
	C.renew.fn(&C.renew);			/* a new exchange: 3 in a row */
	assert_int_equal(C.unanswered, 3);
	assert_int_equal(failovers, 0);
	C.retrans.fn(&C.retrans);
	assert_int_equal(failovers, 1);
	/* there, an answer clears it */
	get_nothing();
	assert_int_equal(C.unanswered, 1);	/* the MAP that followed */
}

/* After a 1/5, the AFTR no longer holds our mapping: the next one. */
static void test_failover_after_no_binding(void **state)
{
	struct in6_addr aftr = IN6ADDR_LOOPBACK_INIT;
	struct pcp_msg m;

	(void)state;
	bound("192.0.2.7", 5, 6, 4);
	pcp_client_no_binding(&C, &aftr, ip("192.0.2.7"));
	response(&m, PCP_OP_MAP, PCP_NO_RESOURCES, 30);
	memcpy(m.nonce, F.last.nonce, PCP_NONCE_LEN);
	answer(&m);
	assert_false(C.bound);
	assert_int_equal(failovers, 1);
	assert_string_equal(failover_why,
			    "after an ICMPv6 1/5 it no longer held our mapping");
	assert_int_equal(F.last.opcode, PCP_OP_GET);
	assert_false(C.recreate.armed);
	/* the next one has nothing for us: a new set */
	get_nothing();
	assert_int_equal(F.last.opcode, PCP_OP_MAP);
	grant(F.last.nonce, "198.51.100.9", 1, 4, 0, LIFETIME);
	assert_true(C.bound);
	assert_int_equal(F.inst.ipv4, ip("198.51.100.9"));
}

/*
 * A router's "no route to the AFTR": a probe at once (the renewal), again
 * PCP_CLIENT_PROBE_MS later, and the next AFTR one more later; a flood
 * of them is one probe.
 */
static void test_failover_unreachable(void **state)
{
	struct in6_addr router = IN6ADDR_LOOPBACK_INIT;
	unsigned int sent;
	int i;

	(void)state;
	bound("192.0.2.7", 5, 6, 4);
	sent = F.sent;
	for (i = 0; i < 50; i++)
		pcp_client_unreachable(&C, &router);
	assert_int_equal(F.sent, sent + 1);
	assert_int_equal(F.last.opcode, PCP_OP_MAP);
	assert_int_equal(C.n_unreachable, 50);
	assert_int_equal(C.n_probes, 1);
	assert_int_equal(in_ms(&C.retrans), PCP_CLIENT_PROBE_MS);
	C.retrans.fn(&C.retrans);
	assert_int_equal(F.sent, sent + 2);
	assert_int_equal(failovers, 0);
	assert_int_equal(in_ms(&C.retrans), PCP_CLIENT_PROBE_MS);	/* no backoff */
	C.retrans.fn(&C.retrans);
	assert_int_equal(failovers, 1);
	assert_string_equal(failover_why,
			    "a router has no route to it, and it does not answer");
	assert_int_equal(F.last.opcode, PCP_OP_GET);	/* asking the next */
	assert_false(C.probing);
	assert_true(C.bound);			/* forwarding meanwhile */
}

/* Forged (or a transient), and the AFTR answers: we stay; held down. */
static void test_unreachable_but_answers(void **state)
{
	struct in6_addr router = IN6ADDR_LOOPBACK_INIT;
	unsigned int sent;

	(void)state;
	bound("192.0.2.7", 5, 6, 4);
	pcp_client_unreachable(&C, &router);
	grant(F.last.nonce, "192.0.2.7", 5, 6, 4, LIFETIME);
	assert_false(C.probing);
	assert_false(C.retrans.armed);
	assert_int_equal(failovers, 0);
	assert_int_equal(F.installs, 1);
	/* within the hold-down: nothing sent */
	sent = F.sent;
	pcp_client_unreachable(&C, &router);
	assert_int_equal(F.sent, sent);
	/* a request already in flight: sent again now, and the probe's pace */
	C.probed_ms -= PCP_CLIENT_REVALIDATE_MS;
	C.renew.fn(&C.renew);
	assert_int_equal(F.sent, sent + 1);
	pcp_client_unreachable(&C, &router);
	assert_int_equal(F.sent, sent + 2);
	assert_int_equal(C.unanswered, 2);
	assert_int_equal(in_ms(&C.retrans), PCP_CLIENT_PROBE_MS);
	C.retrans.fn(&C.retrans);		/* 2 unanswered: the next AFTR */
	assert_int_equal(failovers, 1);
}

/* With no other AFTR, the probe ends and the usual backoff goes on. */
static void test_unreachable_none_left(void **state)
{
	struct in6_addr router = IN6ADDR_LOOPBACK_INIT;

	(void)state;
	failover_ok = false;
	bound("192.0.2.7", 5, 6, 4);
	pcp_client_unreachable(&C, &router);
	C.retrans.fn(&C.retrans);
	C.retrans.fn(&C.retrans);
	assert_int_equal(failovers, 1);
	assert_false(C.probing);
	assert_true(in_ms(&C.retrans) > PCP_CLIENT_PROBE_MS);
	/* unbound or leaving: nothing */
	pcp_client_release(&C);
	pcp_client_unreachable(&C, &router);
	assert_int_equal(C.n_unreachable, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_renew_point),
		cmocka_unit_test(test_epoch),
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_get_then_map),
		T(test_grant_installs_and_tells),
		T(test_renewal),
		T(test_not_ours),
		T(test_refused),
		T(test_install_fails),
		T(test_get_recovers),
		T(test_get_refused_then_map),
		T(test_lost_epoch),
		T(test_no_binding),
		T(test_release_and_renumber),
		T(test_renewal_refused_keeps),
		T(test_spoofed_answers),
		T(test_not_authorized_adopts),
		T(test_expiry),
		T(test_adopt_and_listen),
		T(test_retransmission),
#undef T
#define T(f) cmocka_unit_test_setup_teardown(f, setup_failover, teardown)
		T(test_failover_network_failure),
		T(test_failover_none_left),
		T(test_failover_no_answer),
		T(test_failover_after_no_binding),
		T(test_failover_count_spans_exchanges),
		T(test_failover_unreachable),
		T(test_unreachable_but_answers),
		T(test_unreachable_none_left),
#undef T
	};

	log_open(LOG_ERR, false);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
