// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The lwAFTR's BFD responder (bfd_responder.c) against simulated B4s:
 * each B4 is an active bfd_session of its own, its packets handed to the
 * responder with an outer source and inner TTL the test chooses, the
 * responder's answers handed back to the B4 its peer names, all on a
 * clock the test moves.  Packets travel through a queue, delivered after
 * each step, as a wire would: never from inside the sender's call.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "../bfd.h"
#include "../bfd_responder.h"
#include "../bfd_session.h"
#include "../bfd_state.h"

#define NEVER		INT64_MAX
#define MAX_B4		256
#define MAX_Q		4096
#define IV_US		1000000u	/* 1 s: the slowest rate is the same */

struct b4 {
	struct bfd_session s;
	struct in6_addr addr;
	bool cut;		/* its wire is down both ways */
	unsigned int n_rx;
};

struct pkt {
	int to;			/* the B4's index; -1: the responder */
	int from;
	uint8_t buf[BFD_LEN];
};

static struct {
	int64_t now;
	struct bfd_resp r;
	struct b4 b4[MAX_B4];
	int n_b4;
	struct pkt q[MAX_Q];
	int nq;
	/* the responder's changes, last first */
	unsigned int n_changed;
	uint8_t last_state, last_diag;
	uint32_t last_dst;	/* the inner address the last answer went to */
} T;

static int b4_of(const struct in6_addr *a)
{
	int i;

	for (i = 0; i < T.n_b4; i++)
		if (!memcmp(&T.b4[i].addr, a, sizeof(*a)))
			return i;
	return -1;
}

static void queue(int to, int from, const uint8_t *buf, size_t len)
{
	assert_int_equal(len, BFD_LEN);
	assert_true(T.nq < MAX_Q);
	T.q[T.nq].to = to;
	T.q[T.nq].from = from;
	memcpy(T.q[T.nq].buf, buf, BFD_LEN);
	T.nq++;
}

/* the responder's side */
static void r_send(struct bfd_resp *r, const struct bfd_peer *p,
		   const uint8_t *pkt, size_t len)
{
	(void)r;
	T.last_dst = p->src4;
	queue(b4_of(&p->b4), -1, pkt, len);
}

static void r_changed(struct bfd_resp *r, const struct bfd_peer *p,
		      enum bfd_state old)
{
	(void)r;
	(void)old;
	T.n_changed++;
	T.last_state = p->s.state;
	T.last_diag = p->s.local_diag;
}

static const struct bfd_resp_ops r_ops = { .send = r_send, .changed = r_changed };

/* a B4's side */
static void b_send(struct bfd_session *s, const uint8_t *pkt, size_t len)
{
	struct b4 *b = s->owner;

	queue(-1, (int)(b - T.b4), pkt, len);
}

static const struct bfd_session_ops b_ops = { .send = b_send };

static struct in6_addr addr_n(int n)
{
	struct in6_addr a;

	inet_pton(AF_INET6, "2001:db8:b4::", &a);
	a.s6_addr[14] = (uint8_t)(n >> 8);
	a.s6_addr[15] = (uint8_t)n;
	return a;
}

/* What the responder says when fed buf from B4 `from`'s address. */
static enum bfd_resp_drop feed(const struct in6_addr *b4, const uint8_t *buf,
			       size_t len, uint8_t ttl, uint16_t sport)
{
	struct bfd_resp_in in = {
		.b4 = *b4, .src4 = htonl(0xc0000002), .sport = sport,
		.ttl = ttl, .data = buf, .len = len,
	};

	return bfd_resp_rx(&T.r, &in, T.now);
}

static void deliver(void)
{
	int i;

	/* answers may queue more: a pass over what is there now, repeated */
	while (T.nq) {
		struct pkt q[MAX_Q];
		int n = T.nq;

		memcpy(q, T.q, sizeof(q[0]) * n);
		T.nq = 0;
		for (i = 0; i < n; i++) {
			struct bfd_pkt p;

			if (q[i].to < 0) {
				struct b4 *b = &T.b4[q[i].from];

				if (!b->cut)
					feed(&b->addr, q[i].buf, BFD_LEN,
					     BFD_TTL, BFD_SRC_PORT_MIN);
				continue;
			}
			assert_true(q[i].to < T.n_b4);
			/* everything the responder sends is well formed */
			assert_int_equal(bfd_parse(q[i].buf, BFD_LEN, &p), 0);
			if (T.b4[q[i].to].cut)
				continue;
			T.b4[q[i].to].n_rx++;
			bfd_session_rx(&T.b4[q[i].to].s, &p, T.now);
		}
	}
}

static void run_until(int64_t end)
{
	for (;;) {
		int64_t t = bfd_resp_due(&T.r);
		int i;

		for (i = 0; i < T.n_b4; i++) {
			int64_t d = bfd_session_due(&T.b4[i].s);

			if (d < t)
				t = d;
		}
		if (t > end)
			break;
		if (t > T.now)
			T.now = t;
		for (i = 0; i < T.n_b4; i++)
			if (bfd_session_due(&T.b4[i].s) <= T.now)
				bfd_session_tick(&T.b4[i].s, T.now);
		bfd_resp_run(&T.r, T.now);
		deliver();
	}
	T.now = end;
}

static int add_b4(void)
{
	static const struct bfd_session_cfg cfg = {
		.desired_min_tx = IV_US, .required_min_rx = IV_US, .mult = 3,
	};
	struct b4 *b = &T.b4[T.n_b4];

	memset(b, 0, sizeof(*b));
	b->addr = addr_n(T.n_b4);
	bfd_session_init(&b->s, &b_ops, &cfg, 0x1000u + (uint32_t)T.n_b4, T.now);
	b->s.owner = b;
	return T.n_b4++;
}

static struct bfd_peer *peer(int i)
{
	return bfd_resp_find_b4(&T.r, &T.b4[i].addr);
}

static void start(uint32_t max_sessions)
{
	struct bfd_resp_cfg c = { .interval_us = IV_US, .mult = 3,
				  .max_sessions = max_sessions };

	bfd_resp_fini(&T.r);
	memset(&T, 0, sizeof(T));
	T.now = 1000000;
	assert_int_equal(bfd_resp_init(&T.r, &r_ops, &c), 0);
}

static int setup(void **state)
{
	(void)state;
	start(16);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	bfd_resp_fini(&T.r);
	return 0;
}

/* A packet as a B4 would send it. */
static void build(uint8_t *buf, uint8_t state, uint32_t my, uint32_t your)
{
	struct bfd_pkt p = {
		.state = state, .mult = 3, .my_disc = my, .your_disc = your,
		.desired_min_tx = IV_US, .required_min_rx = IV_US,
	};

	assert_int_equal(bfd_build(&p, buf, BFD_LEN), BFD_LEN);
}

/* --- tests ------------------------------------------------------------------ */

static void test_created_and_up(void **state)
{
	int a;

	(void)state;
	assert_int_equal(bfd_resp_due(&T.r), NEVER);
	a = add_b4();
	run_until(T.now + 5000);
	assert_non_null(peer(a));
	assert_int_equal(peer(a)->s.state, BFD_UP);
	assert_int_equal(T.b4[a].s.state, BFD_UP);
	assert_int_equal(T.r.st.created, 1);
	assert_int_equal(T.r.st.sessions, 1);
	assert_int_equal(T.r.st.up, 1);
	assert_int_equal(T.r.st.ups, 1);
	/* the discriminators each side learned are the other's */
	assert_int_equal(T.b4[a].s.remote_disc, peer(a)->s.local_disc);
	assert_int_equal(peer(a)->s.remote_disc, T.b4[a].s.local_disc);
	assert_int_not_equal(peer(a)->s.local_disc, 0);
	/* answers go to the B4's inner source */
	assert_int_equal(T.last_dst, htonl(0xc0000002));
	/* and stay Up: the responder keeps the pace the B4 asked for */
	run_until(T.now + 60000);
	assert_int_equal(T.b4[a].s.state, BFD_UP);
	assert_int_equal(peer(a)->s.state, BFD_UP);
	assert_true(T.b4[a].n_rx >= 60);
	assert_true(T.b4[a].n_rx <= 90);
	assert_int_equal(T.r.st.created, 1);
	assert_int_equal(T.r.st.drop[BFD_DROP_NO_SESSION], 0);
}

static void test_lookup_by_disc(void **state)
{
	uint8_t buf[BFD_LEN];
	uint64_t rx_a, rx_b;
	int a, b;

	(void)state;
	a = add_b4();
	b = add_b4();
	run_until(T.now + 5000);
	assert_int_equal(T.r.st.up, 2);
	assert_int_not_equal(peer(a)->s.local_disc, peer(b)->s.local_disc);
	assert_ptr_equal(bfd_resp_find_disc(&T.r, peer(a)->s.local_disc),
			 peer(a));
	/* Up from A, naming A's session: A's, and only A's, hears it */
	rx_a = peer(a)->s.n_rx;
	rx_b = peer(b)->s.n_rx;
	build(buf, BFD_UP, T.b4[a].s.local_disc, peer(a)->s.local_disc);
	assert_int_equal(feed(&T.b4[a].addr, buf, BFD_LEN, 255, 49152), 0);
	assert_int_equal(peer(a)->s.n_rx, rx_a + 1);
	assert_int_equal(peer(b)->s.n_rx, rx_b);
	/* an unknown discriminator: no session, none made */
	build(buf, BFD_UP, 7, peer(a)->s.local_disc ^ peer(b)->s.local_disc);
	assert_int_equal(feed(&T.b4[a].addr, buf, BFD_LEN, 255, 49152),
			 BFD_DROP_NO_SESSION);
	/* AdminDown from a B4 with no session makes none */
	build(buf, BFD_ADMIN_DOWN, 7, 0);
	{
		struct in6_addr c = addr_n(99);

		assert_int_equal(feed(&c, buf, BFD_LEN, 255, 49152),
				 BFD_DROP_NO_SESSION);
	}
	assert_int_equal(T.r.st.drop[BFD_DROP_NO_SESSION], 2);
	assert_int_equal(T.r.st.sessions, 2);
}

/* B talks for A's session from its own address: dropped, A untouched. */
static void test_wrong_source(void **state)
{
	uint8_t buf[BFD_LEN];
	uint32_t da;
	int a, b;

	(void)state;
	a = add_b4();
	b = add_b4();
	run_until(T.now + 5000);
	da = peer(a)->s.local_disc;
	build(buf, BFD_ADMIN_DOWN, T.b4[a].s.local_disc, da);
	assert_int_equal(feed(&T.b4[b].addr, buf, BFD_LEN, 255, 49152),
			 BFD_DROP_WRONG_SOURCE);
	build(buf, BFD_DOWN, T.b4[a].s.local_disc, da);
	assert_int_equal(feed(&T.b4[b].addr, buf, BFD_LEN, 255, 49152),
			 BFD_DROP_WRONG_SOURCE);
	assert_int_equal(T.r.st.drop[BFD_DROP_WRONG_SOURCE], 2);
	assert_int_equal(peer(a)->s.state, BFD_UP);
	assert_int_equal(peer(b)->s.state, BFD_UP);
	assert_int_equal(T.r.st.downs, 0);
	run_until(T.now + 10000);
	assert_int_equal(T.b4[a].s.state, BFD_UP);
	assert_int_equal(T.r.st.up, 2);
}

/* RFC 5881's TTL and port, and bfd_parse()'s reasons: no state changes. */
static void test_bad(void **state)
{
	uint8_t buf[BFD_LEN];
	unsigned int changed;
	struct in6_addr c = addr_n(200);
	uint64_t rx;
	int a;

	(void)state;
	a = add_b4();
	run_until(T.now + 5000);
	changed = T.n_changed;
	rx = peer(a)->s.n_rx;
	/* a new B4's first packet, and A's own, each spoiled one way */
	build(buf, BFD_DOWN, 5, 0);
	assert_int_equal(feed(&c, buf, BFD_LEN, 254, 49152), BFD_DROP_TTL);
	assert_int_equal(feed(&c, buf, BFD_LEN, 1, 49152), BFD_DROP_TTL);
	assert_int_equal(feed(&c, buf, BFD_LEN, 255, 3784), BFD_DROP_PORT);
	{
		struct bfd_resp_in in = {
			.b4 = c, .src4 = htonl(0xc0a80102), .sport = 49152,
			.ttl = 255, .data = buf, .len = BFD_LEN,
		};

		/* a LAN host behind the B4, NATed: not the B4 */
		assert_int_equal(bfd_resp_rx(&T.r, &in, T.now),
				 BFD_DROP_INNER_SOURCE);
		assert_int_equal(T.r.st.drop[BFD_DROP_INNER_SOURCE], 1);
	}
	assert_int_equal(feed(&c, buf, BFD_LEN - 1, 255, 49152), BFD_DROP_BAD);
	buf[0] = 0x40;		/* version 2 */
	assert_int_equal(feed(&c, buf, BFD_LEN, 255, 49152), BFD_DROP_BAD);
	build(buf, BFD_DOWN, 5, 0);
	buf[2] = 0;		/* Detect Mult 0 */
	assert_int_equal(feed(&c, buf, BFD_LEN, 255, 49152), BFD_DROP_BAD);
	build(buf, BFD_DOWN, 5, 0);
	buf[3] = 25;		/* Length past the datagram */
	assert_int_equal(feed(&c, buf, BFD_LEN, 255, 49152), BFD_DROP_BAD);
	build(buf, BFD_DOWN, T.b4[a].s.local_disc, peer(a)->s.local_disc);
	assert_int_equal(feed(&T.b4[a].addr, buf, BFD_LEN, 64, 49152),
			 BFD_DROP_TTL);
	assert_int_equal(T.r.st.drop[BFD_DROP_TTL], 3);
	assert_int_equal(T.r.st.drop[BFD_DROP_PORT], 1);
	assert_int_equal(T.r.st.drop[BFD_DROP_BAD], 4);
	assert_int_equal(T.r.st.bad[BFD_BAD_LENGTH], 2);
	assert_int_equal(T.r.st.bad[BFD_BAD_VERSION], 1);
	assert_int_equal(T.r.st.bad[BFD_BAD_MULT], 1);
	assert_int_equal(T.r.st.sessions, 1);
	assert_null(bfd_resp_find_b4(&T.r, &c));
	assert_int_equal(T.n_changed, changed);
	assert_int_equal(peer(a)->s.n_rx, rx);
	assert_int_equal(peer(a)->s.state, BFD_UP);
	assert_string_equal(bfd_resp_drop_name(BFD_DROP_TTL), "TTL not 255");
}

static void test_table_bound(void **state)
{
	int a, b, c;

	(void)state;
	start(2);
	a = add_b4();
	b = add_b4();
	c = add_b4();
	run_until(T.now + 5000);
	assert_int_equal(T.r.st.sessions, 2);
	assert_non_null(peer(a));
	assert_non_null(peer(b));
	assert_null(peer(c));
	/* refused each second it tried (Down, once a second) */
	assert_true(T.r.st.drop[BFD_DROP_FULL] >= 4);
	assert_int_equal(T.b4[c].s.state, BFD_DOWN);
	/* A leaves: its session is freed, and C gets in */
	T.b4[a].cut = true;
	run_until(T.now + 10000);
	assert_null(peer(a));
	assert_non_null(peer(c));
	assert_int_equal(T.b4[c].s.state, BFD_UP);
	assert_int_equal(T.r.st.sessions, 2);
}

/*
 * A B4 that goes silent: Down with diagnostic 1 at the detection time,
 * freed after as long again; the others carry on.
 */
static void test_expiry_frees(void **state)
{
	int64_t cut_at;
	int a, b;

	(void)state;
	a = add_b4();
	b = add_b4();
	run_until(T.now + 5000);
	T.b4[a].cut = true;
	cut_at = T.now;
	run_until(cut_at + 2000);
	assert_int_equal(peer(a)->s.state, BFD_UP);
	run_until(cut_at + 3100);	/* 3 x 1 s, from the last packet heard */
	assert_non_null(peer(a));
	assert_int_equal(peer(a)->s.state, BFD_DOWN);
	assert_int_equal(peer(a)->s.local_diag, BFD_DIAG_DETECT_EXPIRED);
	assert_int_equal(T.last_state, BFD_DOWN);
	assert_int_equal(T.last_diag, BFD_DIAG_DETECT_EXPIRED);
	assert_int_equal(T.r.st.downs, 1);
	assert_int_equal(T.r.st.up, 1);
	run_until(cut_at + 6100);
	assert_null(peer(a));
	assert_int_equal(T.r.st.freed, 1);
	assert_int_equal(T.r.st.sessions, 1);
	assert_int_equal(peer(b)->s.state, BFD_UP);
	/* A back: a new session, a new discriminator */
	T.b4[a].cut = false;
	run_until(T.now + 5000);
	assert_non_null(peer(a));
	assert_int_equal(peer(a)->s.state, BFD_UP);
	assert_int_equal(T.r.st.created, 3);
}

/* A B4 that leaves by AdminDown and goes silent is freed too. */
static void test_admin_down_leaver(void **state)
{
	int a;

	(void)state;
	a = add_b4();
	run_until(T.now + 5000);
	bfd_session_admin_down(&T.b4[a].s, BFD_DIAG_ADMIN_DOWN, T.now);
	deliver();
	assert_int_equal(peer(a)->s.state, BFD_DOWN);
	assert_int_equal(peer(a)->s.local_diag, BFD_DIAG_NEIGHBOR_DOWN);
	T.b4[a].cut = true;
	run_until(T.now + 7000);
	assert_null(peer(a));
	assert_int_equal(T.r.st.sessions, 0);
	assert_int_equal(bfd_resp_due(&T.r), NEVER);
}

/*
 * Drain: AdminDown with diagnostic 7 to every session, max at a call;
 * new B4s refused meanwhile; undrained, each comes back when its B4 asks.
 */
static void test_drain(void **state)
{
	unsigned int rx[5];
	int i, late;

	(void)state;
	for (i = 0; i < 5; i++)
		add_b4();
	run_until(T.now + 5000);
	assert_int_equal(T.r.st.up, 5);
	for (i = 0; i < 5; i++)
		rx[i] = T.b4[i].n_rx;
	assert_int_equal(bfd_resp_drain(&T.r, 2, T.now), 3);
	deliver();
	/* the two told at once, the others not yet */
	for (i = 0; i < 5; i++)
		assert_int_equal(T.b4[i].n_rx, rx[i] + (i < 2));
	assert_int_equal(bfd_resp_drain(&T.r, 2, T.now), 1);
	assert_int_equal(bfd_resp_drain(&T.r, 2, T.now), 0);
	deliver();
	for (i = 0; i < 5; i++) {
		assert_int_equal(peer(i)->s.state, BFD_ADMIN_DOWN);
		assert_int_equal(peer(i)->s.local_diag, BFD_DIAG_ADMIN_DOWN);
		/* what bfdd shows: Down, the remote's diagnostic 7 */
		assert_int_equal(T.b4[i].s.state, BFD_DOWN);
		assert_int_equal(T.b4[i].s.remote_diag, BFD_DIAG_ADMIN_DOWN);
		assert_int_equal(T.b4[i].s.remote_state, BFD_ADMIN_DOWN);
	}
	assert_int_equal(T.r.st.up, 0);
	assert_int_equal(T.r.st.downs, 5);
	/* a new B4 meanwhile gets no session; the old stay AdminDown */
	late = add_b4();
	run_until(T.now + 5000);
	assert_null(peer(late));
	assert_true(T.r.st.drop[BFD_DROP_DRAINING] >= 4);
	for (i = 0; i < 5; i++)
		assert_int_equal(peer(i)->s.state, BFD_ADMIN_DOWN);
	assert_int_equal(T.b4[0].s.state, BFD_DOWN);
	/* over: everybody back, the late one too */
	bfd_resp_undrain(&T.r, T.now);
	run_until(T.now + 10000);
	for (i = 0; i <= late; i++) {
		assert_non_null(peer(i));
		assert_int_equal(T.b4[i].s.state, BFD_UP);
	}
	assert_int_equal(T.r.st.up, 6);
}

/* A session freed while a drain is under way is not waited for. */
static void test_drain_with_frees(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < 4; i++)
		add_b4();
	run_until(T.now + 5000);
	T.b4[3].cut = true;
	run_until(T.now + 3500);
	assert_int_equal(peer(3)->s.state, BFD_DOWN);
	assert_int_equal(bfd_resp_drain(&T.r, 1, T.now), 3);
	run_until(T.now + 4000);	/* 3's session freed meanwhile */
	assert_null(peer(3));
	assert_int_equal(bfd_resp_drain(&T.r, 1, T.now), 1);
	assert_int_equal(bfd_resp_drain(&T.r, 1, T.now), 0);
	assert_int_equal(bfd_resp_drain(&T.r, 1, T.now), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(peer(i)->s.state, BFD_ADMIN_DOWN);
}

/*
 * Many B4s on the one heap: all Up, the heap ordered at every step, and
 * the responder's work a few ticks a session a second, not more.
 */
static void test_many(void **state)
{
	int i, n = MAX_B4;
	size_t k;

	(void)state;
	start(MAX_B4);
	for (i = 0; i < n; i++)
		add_b4();
	run_until(T.now + 5000);
	assert_int_equal(T.r.st.up, (size_t)n);
	for (k = 1; k < T.r.st.sessions; k++)
		assert_true(T.r.heap[(k - 1) / 2]->due <= T.r.heap[k]->due);
	T.r.st.tx = 0;
	run_until(T.now + 20000);
	for (k = 1; k < T.r.st.sessions; k++)
		assert_true(T.r.heap[(k - 1) / 2]->due <= T.r.heap[k]->due);
	/* 0.75-1 s jittered intervals: 20-27 packets each in 20 s */
	assert_true(T.r.st.tx >= (uint64_t)n * 20);
	assert_true(T.r.st.tx <= (uint64_t)n * 27 + n);
	assert_int_equal(T.r.st.up, (size_t)n);
	assert_int_equal(T.r.st.downs, 0);
	/* half of them leave: exactly those are freed */
	for (i = 0; i < n; i += 2)
		T.b4[i].cut = true;
	run_until(T.now + 8000);
	assert_int_equal(T.r.st.sessions, (size_t)n / 2);
	for (i = 0; i < n; i++)
		assert_true(!peer(i) == !(i & 1));
	for (k = 1; k < T.r.st.sessions; k++)
		assert_true(T.r.heap[(k - 1) / 2]->due <= T.r.heap[k]->due);
}

/* What `lw4o6d bfd` reads back of a session, and what it refuses. */
static void test_state_line(void **state)
{
	struct bfd_state_row r;
	char line[256];
	int a;

	(void)state;
	a = add_b4();
	run_until(T.now + 5000);
	T.now += 7000;		/* the change was 7 s ago: "since" says so */
	assert_true(bfd_state_line(peer(a), T.now, 1700000000, line,
				   sizeof(line)) > 0);
	assert_int_equal(bfd_state_parse(line, &r), 0);
	assert_string_equal(r.b4, "2001:db8:b4::");
	assert_int_equal(r.state, BFD_UP);
	assert_int_equal(r.remote_state, BFD_UP);
	assert_int_equal(r.local_disc, peer(a)->s.local_disc);
	assert_int_equal(r.remote_disc, T.b4[a].s.local_disc);
	assert_true(r.since <= 1700000000 - 7 && r.since >= 1700000000 - 12);
	assert_int_equal(r.tx_us, IV_US);
	assert_int_equal(r.rx_us, IV_US);
	assert_int_equal(r.remote_mult, 3);
	assert_int_equal(r.detect_ms, 3000);
	assert_int_equal(r.n_rx, peer(a)->s.n_rx);
	/* torn, padded or foreign lines are refused */
	line[strlen(line) / 2] = '\0';
	assert_int_equal(bfd_state_parse(line, &r), -1);
	assert_int_equal(bfd_state_parse("session x 3 0 3 0 1 2 3 4 5 6 7 3 9 1 2\n", &r), -1);
	assert_int_equal(bfd_state_parse("session :: 4 0 3 0 1 2 3 4 5 6 7 3 9 1 2\n", &r), -1);
	assert_int_equal(bfd_state_parse("session :: 3 0 3 0 1 2 3 4 5 6 7 3 9 1 2 junk\n", &r), -1);
	assert_int_equal(bfd_state_parse("session :: 3 0 3 0 1 2 3 4 5 6 7 3 9 1 2\n", &r), 0);
	assert_int_equal(bfd_state_parse("pid 1\n", &r), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_created_and_up),
		T(test_lookup_by_disc),
		T(test_wrong_source),
		T(test_bad),
		T(test_table_bound),
		T(test_expiry_frees),
		T(test_admin_down_leaver),
		T(test_drain),
		T(test_drain_with_frees),
		T(test_many),
		T(test_state_line),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
