/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * One BFD session (RFC 5880, asynchronous mode, no echo, no demand, no
 * authentication) as a state machine without I/O and without a clock of
 * its own: it is handed parsed packets and the time, sends through a
 * callback, and says when it next needs the time (bfd_session_due()).
 * Its owner decides how to wake it: the B4 with one loop timer, the
 * AFTR's responder with one wheel for all its sessions (bfd_responder.c).
 *
 * Intervals are microseconds, as on the wire; times are milliseconds of
 * the owner's monotonic clock.
 */
#ifndef LW4O6D_BFD_SESSION_H
#define LW4O6D_BFD_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "bfd.h"

/* While not Up, no faster than one packet a second (RFC 5880 6.8.3). */
#define BFD_SLOW_US	1000000u

struct bfd_session_cfg {
	uint32_t desired_min_tx;	/* us */
	uint32_t required_min_rx;	/* us; 0: send me nothing */
	uint8_t mult;			/* detect multiplier */
	bool passive;			/* speak only once spoken to (6.1) */
};

struct bfd_session;

struct bfd_session_ops {
	void (*send)(struct bfd_session *s, const uint8_t *pkt, size_t len);
	/* the state changed (s->state is the new one, old the previous) */
	void (*changed)(struct bfd_session *s, enum bfd_state old);
};

struct bfd_session {
	const struct bfd_session_ops *ops;
	void *owner;			/* the owner's, untouched here */
	struct bfd_session_cfg cfg;	/* what we want */
	/* RFC 5880 6.8.1's state variables */
	uint8_t state, remote_state;
	uint8_t local_diag, remote_diag;
	uint32_t local_disc, remote_disc;
	uint32_t desired_min_tx;	/* in effect now (us) */
	uint32_t required_min_rx;	/* in effect now (us) */
	uint32_t remote_min_rx;		/* the peer's Required Min RX */
	uint32_t remote_min_tx;		/* the peer's Desired Min TX, last seen */
	uint8_t remote_mult;
	bool polling;			/* a Poll sequence is ours to finish */
	bool send_final;		/* answer a Poll now */
	bool heard;			/* a passive session has been spoken to */
	/* timing (ms) */
	int64_t next_tx;		/* INT64_MAX: nothing to send */
	int64_t detect_at;		/* INT64_MAX: not watching */
	int64_t last_tx;
	int64_t last_change;
	uint32_t rnd;			/* jitter's generator */
	/* counters */
	uint64_t n_rx, n_tx, n_down;
};

void bfd_session_init(struct bfd_session *s, const struct bfd_session_ops *ops,
		      const struct bfd_session_cfg *cfg, uint32_t local_disc,
		      int64_t now);
/* When the session next needs bfd_session_tick() (ms), or INT64_MAX. */
int64_t bfd_session_due(const struct bfd_session *s);
/* Time passed: what is due is sent, an expired detection time acted on. */
void bfd_session_tick(struct bfd_session *s, int64_t now);
/*
 * A packet for this session (bfd_parse()d; found by Your Discriminator,
 * or a new one with Your Discriminator 0: the caller's part of 6.8.6).
 */
void bfd_session_rx(struct bfd_session *s, const struct bfd_pkt *p,
		    int64_t now);
/*
 * New intervals: at once while not Up; while Up, by a Poll sequence
 * (6.8.3), a slower TX or faster RX taking effect at its Final.
 */
void bfd_session_set(struct bfd_session *s, const struct bfd_session_cfg *cfg,
		     int64_t now);
/*
 * AdminDown with diag (BFD_DIAG_ADMIN_DOWN on drain): one packet now, so
 * the peer hears it before we go; the session stays AdminDown, sending at
 * the slow rate, until bfd_session_enable().
 */
void bfd_session_admin_down(struct bfd_session *s, uint8_t diag, int64_t now);
void bfd_session_enable(struct bfd_session *s, int64_t now);
/* The detection time the session uses now (ms): 0 when not watching. */
int64_t bfd_session_detect_ms(const struct bfd_session *s);

#endif
