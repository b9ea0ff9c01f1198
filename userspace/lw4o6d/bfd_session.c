// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * One BFD session (bfd_session.h): RFC 5880 section 6.8, asynchronous
 * mode.  The names follow 6.8.1's state variables; what the RFC leaves
 * open is said where it is chosen:
 *
 *  - A change of state is sent at once (not at the next, possibly 30 s
 *    away, interval), but while not Up still no faster than once a
 *    second: with long intervals a session comes Up in seconds, as FRR's
 *    does, without breaking 6.8.3's rate.
 *  - LocalDiag is cleared on Up: the reason for the last Down is kept
 *    until the session is back.
 */
#include <stdint.h>
#include <string.h>
#include <sys/random.h>

#include "bfd_session.h"

#define NEVER	INT64_MAX

static uint32_t rnd(struct bfd_session *s)
{
	/* xorshift32: jitter needs no more, and a million sessions no less */
	s->rnd ^= s->rnd << 13;
	s->rnd ^= s->rnd >> 17;
	s->rnd ^= s->rnd << 5;
	return s->rnd;
}

static uint32_t max32(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

/* What bfd.DesiredMinTxInterval is now: never under 1 s while not Up. */
static uint32_t desired_tx(const struct bfd_session *s, uint32_t v)
{
	return s->state == BFD_UP ? v : max32(v, BFD_SLOW_US);
}

/*
 * The periodic interval (ms), jittered (6.8.7): the larger of ours and the
 * peer's Required Min RX, less 0-25 % (10-25 % with a multiplier of 1);
 * 0 when the peer asks for nothing.
 */
static int64_t tx_interval_ms(struct bfd_session *s)
{
	uint64_t us = max32(desired_tx(s, s->desired_min_tx), s->remote_min_rx);
	unsigned int pct = s->cfg.mult == 1 ? 75 + rnd(s) % 16 :
			   75 + rnd(s) % 26;

	if (!s->remote_min_rx)
		return 0;
	us = us * pct / 100;
	return us < 1000 ? 1 : (int64_t)(us / 1000);
}

/* 6.8.4: the peer's multiplier times the larger of our RX and its TX. */
static int64_t detect_ms(const struct bfd_session *s)
{
	uint64_t us = (uint64_t)s->remote_mult *
		      max32(s->required_min_rx, s->remote_min_tx);

	return (int64_t)((us + 999) / 1000);
}

int64_t bfd_session_detect_ms(const struct bfd_session *s)
{
	return s->detect_at == NEVER ? 0 : detect_ms(s);
}

static void send_now(struct bfd_session *s, int64_t now)
{
	uint8_t buf[BFD_LEN];
	struct bfd_pkt p;
	size_t n;

	memset(&p, 0, sizeof(p));
	p.state = s->state;
	p.diag = s->local_diag;
	p.final = s->send_final;
	p.poll = s->polling && !s->send_final;	/* never both (6.5) */
	p.mult = s->cfg.mult;
	p.my_disc = s->local_disc;
	p.your_disc = s->remote_disc;
	/* a Poll carries the new values; until its Final the old are used */
	p.desired_min_tx = desired_tx(s, s->polling ? s->cfg.desired_min_tx :
					     s->desired_min_tx);
	p.required_min_rx = s->polling ? s->cfg.required_min_rx :
					 s->required_min_rx;
	n = bfd_build(&p, buf, sizeof(buf));
	s->send_final = false;
	s->last_tx = now;
	s->n_tx++;
	s->ops->send(s, buf, n);
}

/* The next periodic packet, from the one just sent. */
static void schedule(struct bfd_session *s)
{
	int64_t iv;

	if (s->cfg.passive && !s->heard) {
		s->next_tx = NEVER;
		return;
	}
	iv = tx_interval_ms(s);
	s->next_tx = iv ? s->last_tx + iv : NEVER;
}

/*
 * Something the peer should hear soon (a change of state, a Poll): now,
 * unless that would break the once-a-second rate while not Up.
 */
static void send_soon(struct bfd_session *s, int64_t now)
{
	if (s->cfg.passive && !s->heard)
		return;
	if (s->state != BFD_UP && s->n_tx && now - s->last_tx < 1000) {
		int64_t at = s->last_tx + 1000;

		if (at < s->next_tx)
			s->next_tx = at;
		return;
	}
	send_now(s, now);
	schedule(s);
}

static void set_state(struct bfd_session *s, uint8_t state, uint8_t diag,
		      int64_t now)
{
	uint8_t old = s->state;

	if (state == old)
		return;
	s->state = state;
	s->local_diag = state == BFD_UP ? BFD_DIAG_NONE : diag;
	s->last_change = now;
	if (state == BFD_DOWN || state == BFD_ADMIN_DOWN)
		s->n_down += old == BFD_UP;
	if (s->ops->changed)
		s->ops->changed(s, old);
}

void bfd_session_init(struct bfd_session *s, const struct bfd_session_ops *ops,
		      const struct bfd_session_cfg *cfg, uint32_t local_disc,
		      int64_t now)
{
	memset(s, 0, sizeof(*s));
	s->ops = ops;
	s->cfg = *cfg;
	s->state = BFD_DOWN;
	s->remote_state = BFD_DOWN;
	s->local_disc = local_disc;
	s->desired_min_tx = cfg->desired_min_tx;
	s->required_min_rx = cfg->required_min_rx;
	s->remote_min_rx = 1;		/* 6.8.1: 1 until the peer says */
	s->detect_at = NEVER;
	s->last_change = now;
	while (!s->rnd)
		if (getrandom(&s->rnd, sizeof(s->rnd), 0) != sizeof(s->rnd))
			s->rnd = local_disc | 1;
	/* an active session starts at once, then at the slow rate */
	s->next_tx = cfg->passive ? NEVER : now;
}

int64_t bfd_session_due(const struct bfd_session *s)
{
	return s->next_tx < s->detect_at ? s->next_tx : s->detect_at;
}

void bfd_session_tick(struct bfd_session *s, int64_t now)
{
	if (s->detect_at <= now) {
		/* 6.8.4: nothing heard for the detection time */
		s->detect_at = NEVER;
		s->remote_disc = 0;	/* 6.8.1 */
		s->remote_state = BFD_DOWN;
		s->remote_min_rx = 1;
		s->polling = false;	/* nobody to finish it */
		if (s->state == BFD_INIT || s->state == BFD_UP) {
			set_state(s, BFD_DOWN, BFD_DIAG_DETECT_EXPIRED, now);
			send_soon(s, now);
		}
	}
	if (s->next_tx <= now) {
		send_now(s, now);
		schedule(s);
	}
}

void bfd_session_rx(struct bfd_session *s, const struct bfd_pkt *p,
		    int64_t now)
{
	uint8_t old = s->state;

	/* 6.8.6, after the checks bfd_parse() and the caller made */
	s->n_rx++;
	s->heard = true;
	s->remote_disc = p->my_disc;
	s->remote_state = p->state;
	s->remote_diag = p->diag;
	s->remote_min_rx = p->required_min_rx;
	s->remote_min_tx = p->desired_min_tx;
	s->remote_mult = p->mult;
	if (p->final && s->polling) {
		/* the Poll sequence is over: its values are ours now */
		s->polling = false;
		s->desired_min_tx = s->cfg.desired_min_tx;
		s->required_min_rx = s->cfg.required_min_rx;
	}
	if (s->state == BFD_ADMIN_DOWN)
		return;
	/* RX 0: we asked for nothing, so silence means nothing (6.8.1) */
	s->detect_at = s->required_min_rx ? now + detect_ms(s) : NEVER;
	if (p->state == BFD_ADMIN_DOWN) {
		if (s->state != BFD_DOWN)
			set_state(s, BFD_DOWN, BFD_DIAG_NEIGHBOR_DOWN, now);
	} else if (s->state == BFD_DOWN) {
		if (p->state == BFD_DOWN)
			set_state(s, BFD_INIT, s->local_diag, now);
		else if (p->state == BFD_INIT)
			set_state(s, BFD_UP, BFD_DIAG_NONE, now);
	} else if (s->state == BFD_INIT) {
		if (p->state == BFD_INIT || p->state == BFD_UP)
			set_state(s, BFD_UP, BFD_DIAG_NONE, now);
	} else if (p->state == BFD_DOWN) {	/* Up */
		set_state(s, BFD_DOWN, BFD_DIAG_NEIGHBOR_DOWN, now);
	}
	if (p->poll)
		s->send_final = true;
	if (s->send_final) {
		/* "as soon as practicable", whatever the rate (6.8.6) */
		send_now(s, now);
		schedule(s);
	} else if (s->state != old) {
		send_soon(s, now);
	} else if (s->next_tx == NEVER || s->next_tx > now) {
		/* the peer's values may have changed the interval */
		schedule(s);
		if (s->next_tx < now)
			s->next_tx = now;
	}
}

void bfd_session_set(struct bfd_session *s, const struct bfd_session_cfg *cfg,
		     int64_t now)
{
	s->cfg.passive = cfg->passive;
	s->cfg.mult = cfg->mult;
	if (s->state != BFD_UP) {
		s->cfg = *cfg;
		s->desired_min_tx = cfg->desired_min_tx;
		s->required_min_rx = cfg->required_min_rx;
		schedule(s);
		return;
	}
	/*
	 * 6.8.3: a faster TX and a slower RX at once; a slower TX and a
	 * faster RX only when the peer has acknowledged them (Final).
	 */
	if (cfg->desired_min_tx < s->desired_min_tx)
		s->desired_min_tx = cfg->desired_min_tx;
	if (cfg->required_min_rx > s->required_min_rx)
		s->required_min_rx = cfg->required_min_rx;
	s->cfg = *cfg;
	s->polling = true;
	send_now(s, now);
	schedule(s);
}

void bfd_session_admin_down(struct bfd_session *s, uint8_t diag, int64_t now)
{
	set_state(s, BFD_ADMIN_DOWN, diag, now);
	s->detect_at = NEVER;
	s->polling = false;
	s->heard = true;	/* a passive session must say it too */
	send_now(s, now);
	schedule(s);
}

void bfd_session_enable(struct bfd_session *s, int64_t now)
{
	if (s->state != BFD_ADMIN_DOWN)
		return;
	set_state(s, BFD_DOWN, BFD_DIAG_NONE, now);
	s->heard = !s->cfg.passive;
	schedule(s);
	send_soon(s, now);
}
