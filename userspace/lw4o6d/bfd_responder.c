// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The lwAFTR's BFD responder (bfd_responder.h): RFC 5880 6.8.6's choice
 * of a session for a packet, the table of sessions by B4 and by our
 * discriminator, their timers on one heap, and the drain.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <arpa/inet.h>

#include <linux/lw4o6.h>

#include "bfd_responder.h"

#define NEVER	INT64_MAX

static const char *const drop_names[__BFD_DROP_MAX] = {
	[BFD_DROP_NONE] = "none",
	[BFD_DROP_BAD] = "bad packet",
	[BFD_DROP_TTL] = "TTL not 255",
	[BFD_DROP_PORT] = "source port under 49152",
	[BFD_DROP_INNER_SOURCE] = "not from 192.0.0.2",
	[BFD_DROP_NO_SESSION] = "no session",
	[BFD_DROP_WRONG_SOURCE] = "another B4's discriminator",
	[BFD_DROP_FULL] = "table full",
	[BFD_DROP_DRAINING] = "draining",
};

const char *bfd_resp_drop_name(unsigned int why)
{
	return why < __BFD_DROP_MAX ? drop_names[why] : "?";
}

static struct bfd_peer *peer_of(const struct bfd_session *s)
{
	return s->owner;
}

/* ---- the heap ------------------------------------------------------------ */

static void heap_set(struct bfd_resp *r, size_t i, struct bfd_peer *p)
{
	r->heap[i] = p;
	p->heap_i = i;
}

static void heap_up(struct bfd_resp *r, size_t i)
{
	struct bfd_peer *p = r->heap[i];

	while (i) {
		size_t up = (i - 1) / 2;

		if (r->heap[up]->due <= p->due)
			break;
		heap_set(r, i, r->heap[up]);
		i = up;
	}
	heap_set(r, i, p);
}

static void heap_down(struct bfd_resp *r, size_t i)
{
	struct bfd_peer *p = r->heap[i];
	size_t n = r->st.sessions;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && r->heap[c + 1]->due < r->heap[c]->due)
			c++;
		if (p->due <= r->heap[c]->due)
			break;
		heap_set(r, i, r->heap[c]);
		i = c;
	}
	heap_set(r, i, p);
}

/*
 * When the peer next needs the responder: its session's due time, or, for
 * a session that is no longer watching its B4 (Down or AdminDown after
 * the detection time), when it is to be freed.
 */
static int64_t gone_at(const struct bfd_peer *p)
{
	if (p->s.state == BFD_UP || p->s.state == BFD_INIT ||
	    p->s.detect_at != NEVER)
		return NEVER;
	/* Down (or AdminDown) and silent for the detection time, twice */
	return p->last_rx + 2 * p->quiet_ms;
}

static int64_t peer_due(const struct bfd_peer *p)
{
	int64_t due = bfd_session_due(&p->s), gone = gone_at(p);

	return gone < due ? gone : due;
}

static void refile(struct bfd_resp *r, struct bfd_peer *p)
{
	int64_t old = p->due;

	p->due = peer_due(p);
	if (p->due < old)
		heap_up(r, p->heap_i);
	else if (p->due > old)
		heap_down(r, p->heap_i);
}

/* ---- sessions ------------------------------------------------------------ */

static uint32_t hash_b4(const struct in6_addr *b4)
{
	return hash_bytes(b4, sizeof(*b4));
}

static uint32_t hash_disc(uint32_t disc)
{
	return hash_bytes(&disc, sizeof(disc));
}

struct bfd_peer *bfd_resp_find_b4(const struct bfd_resp *r,
				  const struct in6_addr *b4)
{
	uint32_t h = hash_b4(b4);
	struct hnode *n;

	for (n = htab_chain(&r->by_b4, h); n; n = n->next) {
		struct bfd_peer *p = hnode_entry(n, struct bfd_peer, by_b4);

		if (n->hash == h && !memcmp(&p->b4, b4, sizeof(*b4)))
			return p;
	}
	return NULL;
}

struct bfd_peer *bfd_resp_find_disc(const struct bfd_resp *r, uint32_t disc)
{
	uint32_t h = hash_disc(disc);
	struct hnode *n;

	for (n = htab_chain(&r->by_disc, h); n; n = n->next) {
		struct bfd_peer *p = hnode_entry(n, struct bfd_peer, by_disc);

		if (n->hash == h && p->s.local_disc == disc)
			return p;
	}
	return NULL;
}

/*
 * A random discriminator (6.8.1: unique, nonzero; random, so that a B4
 * cannot guess another's from its own) that no session has.
 */
static uint32_t new_disc(const struct bfd_resp *r)
{
	static uint32_t fallback;
	uint32_t d;

	do {
		if (getrandom(&d, sizeof(d), 0) != sizeof(d))
			d = ++fallback;
	} while (!d || bfd_resp_find_disc(r, d));
	return d;
}

static void s_send(struct bfd_session *s, const uint8_t *pkt, size_t len)
{
	struct bfd_peer *p = peer_of(s);

	p->r->st.tx++;
	p->r->ops->send(p->r, p, pkt, len);
}

static void s_changed(struct bfd_session *s, enum bfd_state old)
{
	struct bfd_peer *p = peer_of(s);
	struct bfd_resp *r = p->r;

	if (s->state == BFD_UP) {
		r->st.ups++;
		r->st.up++;
	} else if (old == BFD_UP) {
		r->st.downs++;
		r->st.up--;
	}
	if (r->ops->changed)
		r->ops->changed(r, p, old);
}

static const struct bfd_session_ops session_ops = {
	.send = s_send,
	.changed = s_changed,
};

static struct bfd_peer *peer_new(struct bfd_resp *r, const struct in6_addr *b4,
				 int64_t now)
{
	struct bfd_session_cfg sc = {
		.desired_min_tx = r->cfg.interval_us,
		.required_min_rx = r->cfg.interval_us,
		.mult = r->cfg.mult,
		.passive = true,	/* we answer; B4s begin (6.1) */
	};
	struct bfd_peer *p;

	if (r->st.sessions == r->heap_cap) {
		size_t cap = r->heap_cap ? r->heap_cap * 2 : 64;
		struct bfd_peer **h;

		if (cap > r->cfg.max_sessions)
			cap = r->cfg.max_sessions;
		h = realloc(r->heap, cap * sizeof(*h));
		if (!h)
			return NULL;
		r->heap = h;
		r->heap_cap = cap;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->r = r;
	p->b4 = *b4;
	p->last_rx = now;
	p->quiet_ms = (int64_t)r->cfg.mult * r->cfg.interval_us / 1000;
	bfd_session_init(&p->s, &session_ops, &sc, new_disc(r), now);
	p->s.owner = p;
	htab_add(&r->by_b4, &p->by_b4, hash_b4(b4));
	htab_add(&r->by_disc, &p->by_disc, hash_disc(p->s.local_disc));
	p->prev = r->tail;
	if (r->tail)
		r->tail->next = p;
	else
		r->head = p;
	r->tail = p;
	p->due = NEVER;
	heap_set(r, r->st.sessions++, p);
	r->st.created++;
	return p;
}

static void peer_free(struct bfd_resp *r, struct bfd_peer *p)
{
	struct bfd_peer *last;

	/* never Up here: only a session gone quiet (gone_at()) is freed */
	htab_del(&r->by_b4, &p->by_b4);
	htab_del(&r->by_disc, &p->by_disc);
	if (r->drain_at == p)
		r->drain_at = p->next;
	/* while draining, the sessions not yet AdminDown are the untold */
	if (r->draining && p->s.state != BFD_ADMIN_DOWN)
		r->drain_left--;
	if (p->prev)
		p->prev->next = p->next;
	else
		r->head = p->next;
	if (p->next)
		p->next->prev = p->prev;
	else
		r->tail = p->prev;
	/* the heap's last takes p's place, and finds its own */
	last = r->heap[--r->st.sessions];
	if (last != p) {
		size_t i = p->heap_i;

		heap_set(r, i, last);
		heap_down(r, i);
		heap_up(r, last->heap_i);
	}
	r->st.freed++;
	free(p);
}

/* ---- the responder ------------------------------------------------------- */

int bfd_resp_init(struct bfd_resp *r, const struct bfd_resp_ops *ops,
		  const struct bfd_resp_cfg *cfg)
{
	int err;

	memset(r, 0, sizeof(*r));
	r->ops = ops;
	r->cfg = *cfg;
	if (!r->cfg.max_sessions)
		r->cfg.max_sessions = 1;
	err = htab_init(&r->by_b4);
	if (!err)
		err = htab_init(&r->by_disc);
	if (err)
		bfd_resp_fini(r);
	return err;
}

void bfd_resp_fini(struct bfd_resp *r)
{
	struct bfd_peer *p, *next;

	for (p = r->head; p; p = next) {
		next = p->next;
		free(p);
	}
	if (r->by_b4.b)
		htab_fini(&r->by_b4);
	if (r->by_disc.b)
		htab_fini(&r->by_disc);
	free(r->heap);
	memset(r, 0, sizeof(*r));
}

/* RFC 5880 6.8.6, and RFC 5881's TTL and ports: which session, if any. */
enum bfd_resp_drop bfd_resp_rx(struct bfd_resp *r, const struct bfd_resp_in *in,
			       int64_t now)
{
	enum bfd_resp_drop why = BFD_DROP_NONE;
	struct bfd_peer *p;
	struct bfd_pkt pkt;
	int bad;

	r->st.rx++;
	if (in->ttl != BFD_TTL) {
		why = BFD_DROP_TTL;
		goto drop;
	}
	if (in->sport < BFD_SRC_PORT_MIN) {
		why = BFD_DROP_PORT;
		goto drop;
	}
	/*
	 * Only the B4 itself speaks for its softwire (RFC 6333 5.7), as for
	 * PCP: a LAN host NATed to the shared address, which has the same
	 * outer source, must not hold or end the B4's session.
	 */
	if (in->src4 != htonl(LW4O6_B4_CONTROL_ADDR)) {
		why = BFD_DROP_INNER_SOURCE;
		goto drop;
	}
	bad = bfd_parse(in->data, in->len, &pkt);
	if (bad) {
		r->st.bad[bad < __BFD_BAD_MAX ? bad : 0]++;
		why = BFD_DROP_BAD;
		goto drop;
	}
	if (pkt.your_disc) {
		/* once known, by our discriminator only ... */
		p = bfd_resp_find_disc(r, pkt.your_disc);
		if (!p) {
			why = BFD_DROP_NO_SESSION;
			goto drop;
		}
		/* ... and only from the B4 whose session it is */
		if (memcmp(&p->b4, &in->b4, sizeof(in->b4))) {
			why = BFD_DROP_WRONG_SOURCE;
			goto drop;
		}
	} else {
		/* bfd_parse(): Your Discriminator 0 only while (Admin)Down */
		p = bfd_resp_find_b4(r, &in->b4);
		if (!p) {
			/* AdminDown asks for nothing: no session for it */
			if (pkt.state == BFD_ADMIN_DOWN)
				why = BFD_DROP_NO_SESSION;
			else if (r->draining)
				why = BFD_DROP_DRAINING;
			else if (r->st.sessions >= r->cfg.max_sessions)
				why = BFD_DROP_FULL;
			else if (!(p = peer_new(r, &in->b4, now)))
				why = BFD_DROP_FULL;	/* out of memory */
			if (why)
				goto drop;
		}
	}
	p->src4 = in->src4;
	p->last_rx = now;
	bfd_session_rx(&p->s, &pkt, now);
	if (p->s.detect_at != NEVER)
		p->quiet_ms = bfd_session_detect_ms(&p->s);
	refile(r, p);
	return BFD_DROP_NONE;
drop:
	r->st.drop[why]++;
	return why;
}

int64_t bfd_resp_due(const struct bfd_resp *r)
{
	return r->st.sessions ? r->heap[0]->due : NEVER;
}

void bfd_resp_run(struct bfd_resp *r, int64_t now)
{
	unsigned int n;

	for (n = 0; n < BFD_RESP_RUN_MAX && r->st.sessions; n++) {
		struct bfd_peer *p = r->heap[0];

		if (p->due > now)
			break;
		bfd_session_tick(&p->s, now);
		if (gone_at(p) <= now) {
			/* the B4 has left: forget it */
			peer_free(r, p);
			continue;
		}
		refile(r, p);
	}
}

size_t bfd_resp_drain(struct bfd_resp *r, size_t max, int64_t now)
{
	struct bfd_peer *p;

	if (!r->draining) {
		r->draining = true;
		r->drain_at = r->head;
		r->drain_left = r->st.sessions;
	}
	/* no new sessions meanwhile: the untold are drain_at to the tail */
	while (r->drain_at && max--) {
		p = r->drain_at;
		r->drain_at = p->next;
		r->drain_left--;
		bfd_session_admin_down(&p->s, BFD_DIAG_ADMIN_DOWN, now);
		refile(r, p);
	}
	return r->drain_left;
}

void bfd_resp_undrain(struct bfd_resp *r, int64_t now)
{
	struct bfd_peer *p;

	r->draining = false;
	r->drain_at = NULL;
	r->drain_left = 0;
	for (p = r->head; p; p = p->next) {
		bfd_session_enable(&p->s, now);
		refile(r, p);
	}
}
