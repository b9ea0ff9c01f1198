/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The lwAFTR's BFD responder (RFC 5880, 5881), without I/O and without a
 * clock of its own: one passive session (bfd_session.h) per B4 that
 * speaks, for as many B4s as bfd-max-sessions allows.  bfd_server.c feeds
 * it the datagrams the module passes up and sends what it builds.
 *
 * A B4 is its softwire's outer IPv6 source, never a field of a packet: a
 * session is made for a B4 by that B4's own packets, and a packet that
 * names another B4's session (by its discriminator) from a different
 * source is dropped, so nobody can bring down or hold up another's
 * session.  Sessions a B4 has left (Down and silent for twice the
 * detection time) are freed, so the table holds only B4s alive lately.
 *
 * Timers: one binary min-heap of every session by the time it is next
 * due (bfd_session_due(), or when it is to be freed); the owner runs
 * bfd_resp_run() on one loop timer set to bfd_resp_due().  Each change
 * costs O(log n): 20 steps for a million sessions.
 */
#ifndef LW4O6D_BFD_RESPONDER_H
#define LW4O6D_BFD_RESPONDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "bfd.h"
#include "bfd_session.h"
#include "hash.h"

/* What bfd_resp_rx() dropped, beside bfd_parse()'s own reasons. */
enum bfd_resp_drop {
	BFD_DROP_NONE = 0,
	BFD_DROP_BAD,		/* bfd_parse() refused it: stats.bad[] says why */
	BFD_DROP_TTL,		/* inner TTL not 255 (RFC 5881 5) */
	BFD_DROP_PORT,		/* source port under 49152 (RFC 5881 4) */
	BFD_DROP_INNER_SOURCE,	/* not from 192.0.0.2: not the B4 itself */
	BFD_DROP_NO_SESSION,	/* Your Discriminator unknown, or AdminDown new */
	BFD_DROP_WRONG_SOURCE,	/* another B4's discriminator */
	BFD_DROP_FULL,		/* a new B4 at bfd-max-sessions */
	BFD_DROP_DRAINING,	/* a new B4 while draining */
	__BFD_DROP_MAX
};

struct bfd_resp_cfg {
	uint32_t interval_us;	/* Desired Min TX and Required Min RX */
	uint8_t mult;
	uint32_t max_sessions;
};

struct bfd_resp;

struct bfd_peer {
	struct bfd_session s;	/* s.owner is this peer */
	struct bfd_resp *r;
	struct in6_addr b4;	/* the outer source: identity and destination */
	uint32_t src4;		/* the B4's inner source (be): answers go there */
	struct hnode by_b4, by_disc;
	size_t heap_i;
	int64_t due;		/* in the heap by this (ms) */
	int64_t last_rx;	/* ms */
	int64_t quiet_ms;	/* the detection time when last heard */
	struct bfd_peer *prev, *next;	/* every session, oldest first */
};

struct bfd_resp_stats {
	uint64_t rx, tx;
	uint64_t drop[__BFD_DROP_MAX];
	uint64_t bad[__BFD_BAD_MAX];	/* BFD_DROP_BAD by bfd_parse()'s why */
	uint64_t created, freed;
	uint64_t ups, downs;		/* transitions to Up, and from Up */
	size_t sessions, up;		/* now */
};

struct bfd_resp_ops {
	/* a BFD Control packet for p's B4 (to p->src4 inside p->b4's softwire) */
	void (*send)(struct bfd_resp *r, const struct bfd_peer *p,
		     const uint8_t *pkt, size_t len);
	/* p's session changed state (optional: the log) */
	void (*changed)(struct bfd_resp *r, const struct bfd_peer *p,
			enum bfd_state old);
};

struct bfd_resp {
	const struct bfd_resp_ops *ops;
	void *owner;
	struct bfd_resp_cfg cfg;
	struct htab by_b4, by_disc;
	struct bfd_peer **heap;
	size_t heap_cap;
	struct bfd_peer *head, *tail;
	/* draining: every session AdminDown, no new ones (bfd_resp_drain()) */
	bool draining;
	struct bfd_peer *drain_at;	/* the next one to tell, or NULL */
	size_t drain_left;		/* not told yet */
	struct bfd_resp_stats st;
};

/* Sessions ticked per bfd_resp_run() at most: the loop goes on between. */
#define BFD_RESP_RUN_MAX	4096

/* 0, or -ENOMEM / getrandom()'s -errno. */
int bfd_resp_init(struct bfd_resp *r, const struct bfd_resp_ops *ops,
		  const struct bfd_resp_cfg *cfg);
/* Frees every session, silently (bfd_resp_drain() first to tell them). */
void bfd_resp_fini(struct bfd_resp *r);

/* One datagram to 192.0.0.1:3784 from inside b4's softwire. */
struct bfd_resp_in {
	struct in6_addr b4;	/* the outer source */
	uint32_t src4;		/* inner source (be) */
	uint16_t sport;
	uint8_t ttl;		/* inner TTL */
	const uint8_t *data;	/* the UDP payload */
	size_t len;
};

/* BFD_DROP_NONE, or why it was dropped (counted in r->st). */
enum bfd_resp_drop bfd_resp_rx(struct bfd_resp *r, const struct bfd_resp_in *in,
			       int64_t now);
/* When bfd_resp_run() is next needed (ms), or INT64_MAX. */
int64_t bfd_resp_due(const struct bfd_resp *r);
/* What is due by now: sends, detection times, frees (BFD_RESP_RUN_MAX). */
void bfd_resp_run(struct bfd_resp *r, int64_t now);

/*
 * Draining: no new sessions; each existing one goes AdminDown with diag
 * BFD_DIAG_ADMIN_DOWN and tells its B4 at once, max sessions a call
 * (the first call begins the drain).  Returns how many are left to tell.
 */
size_t bfd_resp_drain(struct bfd_resp *r, size_t max, int64_t now);
/* Draining over: every session Down again, silent until its B4 speaks. */
void bfd_resp_undrain(struct bfd_resp *r, int64_t now);

struct bfd_peer *bfd_resp_find_b4(const struct bfd_resp *r,
				  const struct in6_addr *b4);
struct bfd_peer *bfd_resp_find_disc(const struct bfd_resp *r, uint32_t disc);
const char *bfd_resp_drop_name(unsigned int why);

#endif
