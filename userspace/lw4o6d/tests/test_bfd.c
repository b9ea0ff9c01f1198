// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * BFD: the packet codec (bfd.c) and two sessions (bfd_session.c) wired
 * back to back on a simulated clock, a wire that can be cut, and a log of
 * every packet each sent, against RFC 5880's rules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../bfd.h"
#include "../bfd_session.h"

/* --- the codec -------------------------------------------------------------- */

static const uint8_t good[BFD_LEN] = {
	0x20, 0xc0, 3, 24,		/* v1 diag 0, Up, mult 3, len 24 */
	0, 0, 0, 1,  0, 0, 0, 2,	/* my 1, your 2 */
	0, 0x98, 0x96, 0x80,		/* 10 s */
	0, 0x98, 0x96, 0x80,
	0, 0, 0, 0,
};

static int parse_with(size_t at, uint8_t v, size_t len)
{
	uint8_t b[64];
	struct bfd_pkt p;

	memset(b, 0, sizeof(b));
	memcpy(b, good, sizeof(good));
	if (at < sizeof(b))
		b[at] = v;
	return bfd_parse(b, len, &p);
}

static void test_parse(void **state)
{
	struct bfd_pkt p, q;
	uint8_t b[BFD_LEN];

	(void)state;
	assert_int_equal(bfd_parse(good, sizeof(good), &p), 0);
	assert_int_equal(p.state, BFD_UP);
	assert_int_equal(p.mult, 3);
	assert_int_equal(p.my_disc, 1);
	assert_int_equal(p.your_disc, 2);
	assert_int_equal(p.desired_min_tx, 10000000);
	assert_int_equal(p.required_min_rx, 10000000);
	/* built back, the same bytes */
	assert_int_equal(bfd_build(&p, b, sizeof(b)), BFD_LEN);
	assert_memory_equal(b, good, BFD_LEN);
	assert_int_equal(bfd_build(&p, b, BFD_LEN - 1), 0);
	/* trailing bytes past Length are allowed (padding) */
	assert_int_equal(parse_with(99, 0, 30), 0);
	/* each of 6.8.6's reasons */
	assert_int_equal(parse_with(99, 0, 23), BFD_BAD_LENGTH);
	assert_int_equal(parse_with(3, 23, 24), BFD_BAD_LENGTH);
	assert_int_equal(parse_with(3, 30, 24), BFD_BAD_LENGTH);
	assert_int_equal(parse_with(0, 0x40, 24), BFD_BAD_VERSION);
	assert_int_equal(parse_with(0, 0x00, 24), BFD_BAD_VERSION);
	assert_int_equal(parse_with(2, 0, 24), BFD_BAD_MULT);
	assert_int_equal(parse_with(1, 0xc1, 24), BFD_BAD_MULTIPOINT);
	assert_int_equal(parse_with(7, 0, 24), BFD_BAD_MY_DISC);
	assert_int_equal(parse_with(11, 0, 24), BFD_BAD_YOUR_DISC);	/* Up */
	assert_int_equal(parse_with(1, 0xc4, 24), BFD_BAD_AUTH);
	assert_int_equal(parse_with(1, 0xf0, 24), BFD_BAD_POLL_FINAL);
	/* your 0 is fine while Down and AdminDown */
	{
		uint8_t d[BFD_LEN];

		memcpy(d, good, sizeof(d));
		d[11] = 0;
		d[1] = 0x40;		/* Down */
		assert_int_equal(bfd_parse(d, sizeof(d), &q), 0);
		d[1] = 0x00;		/* AdminDown */
		assert_int_equal(bfd_parse(d, sizeof(d), &q), 0);
		d[1] = 0x80;		/* Init */
		assert_int_equal(bfd_parse(d, sizeof(d), &q), BFD_BAD_YOUR_DISC);
	}
	assert_string_equal(bfd_diag_name(1), "control-detection-time-expired");
	assert_string_equal(bfd_diag_name(7), "administratively-down");
	assert_string_equal(bfd_diag_name(30), "reserved");
	assert_string_equal(bfd_state_name(BFD_INIT), "init");
}

/* --- two sessions on a simulated wire ------------------------------------------ */

#define MAXLOG 4096

struct end {
	struct bfd_session s;
	struct {
		int64_t at;
		struct bfd_pkt p;
	} log[MAXLOG];
	unsigned int n;
	unsigned int changes;
	uint8_t last_old;
};

static struct end E[2];
static int64_t now_ms;
static bool cut[2];	/* what end i sends is lost */

static int idx(const struct bfd_session *s)
{
	return s == &E[0].s ? 0 : 1;
}

/* Delivered at once (the wire's delay is not what is under test). */
static void wire_send(struct bfd_session *s, const uint8_t *pkt, size_t len)
{
	int i = idx(s);
	struct bfd_pkt p;

	assert_int_equal(bfd_parse(pkt, len, &p), 0);	/* we send only valid */
	assert_true(E[i].n < MAXLOG);
	E[i].log[E[i].n].at = now_ms;
	E[i].log[E[i].n].p = p;
	E[i].n++;
	if (!cut[i])
		bfd_session_rx(&E[!i].s, &p, now_ms);
}

static void on_changed(struct bfd_session *s, enum bfd_state old)
{
	E[idx(s)].changes++;
	E[idx(s)].last_old = old;
}

static const struct bfd_session_ops ops = { .send = wire_send,
					    .changed = on_changed };

static const struct bfd_session_cfg slow = { .desired_min_tx = 10000000,
					     .required_min_rx = 10000000,
					     .mult = 3 };

static int setup(void **state)
{
	(void)state;
	memset(E, 0, sizeof(E));
	now_ms = 1000000;
	cut[0] = cut[1] = false;
	return 0;
}

/* Runs both sessions' timers until "until", in order. */
static void run_until(int64_t until)
{
	for (;;) {
		int64_t d0 = bfd_session_due(&E[0].s), d1 = bfd_session_due(&E[1].s);
		int64_t d = d0 < d1 ? d0 : d1;

		if (d > until)
			break;
		if (d > now_ms)
			now_ms = d;
		if (d0 <= now_ms)
			bfd_session_tick(&E[0].s, now_ms);
		if (d1 <= now_ms)
			bfd_session_tick(&E[1].s, now_ms);
	}
	now_ms = until;
}

static void both(const struct bfd_session_cfg *a, const struct bfd_session_cfg *b)
{
	bfd_session_init(&E[0].s, &ops, a, 0x1111, now_ms);
	bfd_session_init(&E[1].s, &ops, b, 0x2222, now_ms);
}

/* RFC 5880 6.8.3: no two packets under 1 s apart while not Up. */
static void assert_slow_while_not_up(const struct end *e)
{
	unsigned int i;

	for (i = 1; i < e->n; i++)
		if (e->log[i].p.state != BFD_UP && !e->log[i].p.final)
			assert_true(e->log[i].at - e->log[i - 1].at >= 1000);
}

static void test_up_and_intervals(void **state)
{
	int64_t t0 = now_ms;
	unsigned int i, from;

	(void)state;
	both(&slow, &slow);
	run_until(t0 + 5000);
	/* up in seconds, not intervals: changes are sent at once (1 s rate) */
	assert_int_equal(E[0].s.state, BFD_UP);
	assert_int_equal(E[1].s.state, BFD_UP);
	assert_int_equal(E[0].s.remote_disc, 0x2222);
	assert_int_equal(E[1].s.remote_disc, 0x1111);
	assert_int_equal(bfd_session_detect_ms(&E[0].s), 30000);
	from = E[0].n;
	run_until(t0 + 600000);
	assert_slow_while_not_up(&E[0]);
	assert_slow_while_not_up(&E[1]);
	/* Up: every 7.5-10 s (jitter 0-25 % below 10 s), and it varies */
	{
		int64_t lo = INT64_MAX, hi = 0;

		for (i = from + 1; i < E[0].n; i++) {
			int64_t gap = E[0].log[i].at - E[0].log[i - 1].at;

			assert_true(gap >= 7500 && gap <= 10000);
			lo = gap < lo ? gap : lo;
			hi = gap > hi ? gap : hi;
		}
		assert_true(hi - lo > 500);
		assert_true(E[0].n - from >= 59 && E[0].n - from <= 80);
	}
	assert_int_equal(E[0].s.state, BFD_UP);
	/* one went Down -> Init -> Up, the other Down -> Up */
	assert_int_equal(E[0].changes + E[1].changes, 3);
}

/* The peer falls silent: Down, diagnostic 1, after the detection time. */
static void test_detect_expired(void **state)
{
	int64_t t0 = now_ms, last;

	(void)state;
	both(&slow, &slow);
	run_until(t0 + 60000);
	assert_int_equal(E[0].s.state, BFD_UP);
	cut[1] = true;
	last = E[1].log[E[1].n - 1].at;		/* the last that arrived */
	run_until(last + 29999);
	assert_int_equal(E[0].s.state, BFD_UP);
	run_until(last + 30000);
	assert_int_equal(E[0].s.state, BFD_DOWN);
	assert_int_equal(E[0].s.local_diag, BFD_DIAG_DETECT_EXPIRED);
	assert_int_equal(E[0].s.remote_disc, 0);
	assert_int_equal(E[0].s.n_down, 1);
	/* what it sends now says so, and the peer (still hearing) follows */
	run_until(now_ms + 1500);
	assert_int_equal(E[0].log[E[0].n - 1].p.state, BFD_DOWN);
	assert_int_equal(E[0].log[E[0].n - 1].p.diag, BFD_DIAG_DETECT_EXPIRED);
	assert_int_equal(E[0].log[E[0].n - 1].p.your_disc, 0);
	assert_int_equal(E[1].s.state, BFD_DOWN);
	assert_int_equal(E[1].s.local_diag, BFD_DIAG_NEIGHBOR_DOWN);
	/* the wire back: up again, diagnostics cleared */
	cut[1] = false;
	run_until(now_ms + 12000);	/* the next packet, <= 10 s, and so on */
	assert_int_equal(E[0].s.state, BFD_UP);
	assert_int_equal(E[0].s.local_diag, BFD_DIAG_NONE);
}

/* A draining AFTR: AdminDown, 7; the B4 goes Down, 3, and hears the 7. */
static void test_admin_down(void **state)
{
	int64_t t0 = now_ms;
	unsigned int n;

	(void)state;
	both(&slow, &slow);
	run_until(t0 + 20000);
	n = E[1].n;
	bfd_session_admin_down(&E[1].s, BFD_DIAG_ADMIN_DOWN, now_ms);
	assert_int_equal(E[1].n, n + 1);		/* at once */
	assert_int_equal(E[1].log[n].p.state, BFD_ADMIN_DOWN);
	assert_int_equal(E[0].s.state, BFD_DOWN);
	assert_int_equal(E[0].s.local_diag, BFD_DIAG_NEIGHBOR_DOWN);
	assert_int_equal(E[0].s.remote_diag, BFD_DIAG_ADMIN_DOWN);
	assert_int_equal(E[0].s.remote_state, BFD_ADMIN_DOWN);
	/* it stays down while the peer is AdminDown, and does not expire */
	run_until(now_ms + 120000);
	assert_int_equal(E[0].s.state, BFD_DOWN);
	assert_int_equal(E[1].s.state, BFD_ADMIN_DOWN);
	assert_slow_while_not_up(&E[0]);
	bfd_session_enable(&E[1].s, now_ms);
	run_until(now_ms + 5000);
	assert_int_equal(E[0].s.state, BFD_UP);
	assert_int_equal(E[1].s.state, BFD_UP);
}

/* The responder: silent until spoken to, then a full session. */
static void test_passive(void **state)
{
	struct bfd_session_cfg p = slow;
	int64_t t0 = now_ms;

	(void)state;
	p.passive = true;	/* the AFTR's responder */
	bfd_session_init(&E[1].s, &ops, &p, 0x2222, now_ms);
	assert_int_equal(bfd_session_due(&E[1].s), INT64_MAX);
	bfd_session_tick(&E[1].s, t0 + 60000);
	assert_int_equal(E[1].n, 0);
	bfd_session_init(&E[0].s, &ops, &slow, 0x1111, now_ms);
	run_until(now_ms + 5000);
	assert_int_equal(E[0].s.state, BFD_UP);
	assert_int_equal(E[1].s.state, BFD_UP);
	assert_true(E[1].n >= 1);
}

/* A slower TX while Up: a Poll, its Final at once, then the new pace. */
static void test_poll_final(void **state)
{
	struct bfd_session_cfg v = slow;
	int64_t t0 = now_ms;
	unsigned int n0, n1, i;

	(void)state;
	both(&slow, &slow);
	run_until(t0 + 20000);
	n0 = E[0].n;
	n1 = E[1].n;
	cut[1] = true;			/* the Final is lost the first time */
	v.desired_min_tx = 30000000;
	v.required_min_rx = 30000000;
	bfd_session_set(&E[0].s, &v, now_ms);
	assert_int_equal(E[0].n, n0 + 1);
	assert_true(E[0].log[n0].p.poll);
	assert_int_equal(E[0].log[n0].p.desired_min_tx, 30000000);
	assert_true(E[1].log[n1].p.final);		/* at once ... */
	assert_false(E[1].log[n1].p.poll);
	assert_true(E[0].s.polling);			/* ... but lost */
	assert_int_equal(E[0].s.desired_min_tx, 10000000);	/* not yet */
	assert_int_equal(E[0].s.required_min_rx, 30000000);	/* slower RX: now */
	cut[1] = false;
	run_until(now_ms + 10000);	/* the next Poll, answered */
	assert_false(E[0].s.polling);
	assert_int_equal(E[0].s.desired_min_tx, 30000000);
	n0 = E[0].n;
	run_until(now_ms + 300000);
	for (i = n0 + 1; i < E[0].n; i++) {
		int64_t gap = E[0].log[i].at - E[0].log[i - 1].at;

		assert_true(gap >= 22500 && gap <= 30000);
		assert_false(E[0].log[i].p.poll);
	}
	/* the peer sends at our new RX: 30 s less jitter */
	for (i = E[1].n - 5; i < E[1].n; i++)
		assert_true(E[1].log[i].at - E[1].log[i - 1].at >= 22500);
	assert_int_equal(E[0].s.state, BFD_UP);
	assert_int_equal(E[1].s.state, BFD_UP);
	assert_int_equal(bfd_session_detect_ms(&E[1].s), 90000);
}

/* Required Min RX 0 from the peer: nothing periodic to it. */
static void test_rx_zero(void **state)
{
	struct bfd_session_cfg z = slow;
	int64_t t0 = now_ms;
	unsigned int n;

	(void)state;
	z.required_min_rx = 0;
	both(&slow, &z);
	run_until(t0 + 10000);
	n = E[0].n;
	run_until(t0 + 100000);
	assert_int_equal(E[0].n, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
#define T(f) cmocka_unit_test_setup(f, setup)
		T(test_up_and_intervals),
		T(test_detect_expired),
		T(test_admin_down),
		T(test_passive),
		T(test_poll_final),
		T(test_rx_zero),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
