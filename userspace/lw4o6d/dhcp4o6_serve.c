// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The DHCPv4-over-DHCPv6 server's messages (dhcp4o6_serve.h): no I/O.
 *
 * DISCOVER grants the set at once with a short lifetime (lifetime min):
 * the offer.  The binding is installed already, which is harmless as it
 * is the B4's own address.  REQUEST renews it to the lease time (the
 * client's option 51 when within the lifetime bounds, else the default)
 * and ACKs, or NAKs (and removes the client's lease) when the address is
 * not the client's.  A renewal from a new address of the same subscriber
 * prefix moves the lease there (moved(): WAN renumbering, RFC 8539).
 * RELEASE removes; DECLINE removes and keeps the set out of the pool for
 * decline-hold seconds.  Lease expiry is the core's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "dhcp4o6_serve.h"
#include "log.h"
#include "loop.h"
#include "siphash.h"
#include "strconv.h"

/* The port a whole address is suggested by: in every set of every shape. */
#define WHOLE_PORT	65535
/* Addresses of psid-len 0 pools tried for one whole-address client, at most. */
#define WHOLE_TRIES	65536

struct held {
	uint32_t ipv4;
	uint16_t psid;
	uint8_t psid_len, offset;
	int64_t until;
};

struct held_list {
	struct held *v;
	size_t n, cap;
};

struct d4o6_serve {
	struct lw4o6d_config c;
	struct alloc *a;
	uint8_t duid[DHCP6_DUID_MAX];
	size_t duid_len;
	struct held_list held, pend;
	struct d4o6_counters cnt;
	struct log_limit ll;
	double info_tokens;		/* the Information-request bucket */
	int64_t info_last_ms;		/* 0: full */
};

/* One query being answered. */
struct ctx {
	struct d4o6_serve *s;
	const struct d4o6_from *f;
	size_t n_rl;			/* relay levels */
	struct in6_addr client;		/* its source: direct, or the innermost peer */
	struct dhcp6_msg m6;
};

/* ---- identity ------------------------------------------------------------ */

void dhcp4o6_nonce(const struct dhcp4_msg *m, uint8_t nonce[PCP_NONCE_LEN])
{
	static const struct siphash_key zero;
	uint8_t id[1 + 16];
	uint64_t h;
	int i;

	if (m->client_id && m->client_id_len) {
		h = siphash24(&zero, m->client_id, m->client_id_len);
	} else {
		/* What a client would send as 61: hardware type, then address. */
		id[0] = m->htype;
		memcpy(id + 1, m->chaddr, m->hlen <= 16 ? m->hlen : 16);
		h = siphash24(&zero, id, 1 + (m->hlen <= 16 ? m->hlen : 16));
	}
	memcpy(nonce, D4O6_NONCE_MARK, 4);
	for (i = 0; i < 8; i++)
		nonce[4 + i] = (uint8_t)(h >> (8 * i));
}

bool dhcp4o6_nonce_is(const uint8_t nonce[PCP_NONCE_LEN])
{
	return !memcmp(nonce, D4O6_NONCE_MARK, 4);
}

/* ---- counters ------------------------------------------------------------ */

static const char *const msg_name[D4O6_MSG_N] = {
	[D4O6_IN_SOLICIT] = "solicit", [D4O6_IN_INFOREQ] = "information-request",
	[D4O6_IN_QUERY] = "dhcpv4-query", [D4O6_IN_RELAYED] = "relay-forw",
	[D4O6_IN_DISCOVER] = "discover", [D4O6_IN_REQUEST] = "request",
	[D4O6_IN_DECLINE] = "decline", [D4O6_IN_RELEASE] = "release",
	[D4O6_IN_INFORM] = "inform",
	[D4O6_OUT_ADVERTISE] = "advertise", [D4O6_OUT_REPLY] = "reply",
	[D4O6_OUT_RESPONSE] = "dhcpv4-response",
	[D4O6_OUT_RELAY_REPL] = "relay-repl", [D4O6_OUT_OFFER] = "offer",
	[D4O6_OUT_ACK] = "ack", [D4O6_OUT_NAK] = "nak",
	[D4O6_LEASE_RELEASED] = "released", [D4O6_LEASE_DECLINED] = "declined",
	[D4O6_LEASE_MOVED] = "moved", [D4O6_NAK_NOT_MOVED] = "nak-not-moved",
};

static const char *const drop_name[D4O6_DROP_N] = {
	[D4O6_DROP_MALFORMED6] = "malformed-dhcpv6",
	[D4O6_DROP_MALFORMED4] = "malformed-dhcpv4",
	[D4O6_DROP_RELAY_UNTRUSTED] = "untrusted-relay",
	[D4O6_DROP_UNSUPPORTED] = "unsupported",
	[D4O6_DROP_NOT_FOR_US] = "other-server",
	[D4O6_DROP_IDENTITY] = "saddr-mismatch",
	[D4O6_DROP_BAD_SOURCE] = "bad-source",
	[D4O6_DROP_NOT_ALLOWED] = "not-allowed",
	[D4O6_DROP_FULL] = "subscribers-full",
	[D4O6_DROP_RATE] = "rate-limit",
	[D4O6_DROP_NOT_OWNER] = "not-owner",
	[D4O6_DROP_QUOTA] = "quota",
	[D4O6_DROP_NO_SET] = "no-set",
	[D4O6_DROP_NO_WHOLE] = "no-whole-address",
	[D4O6_DROP_NO_LEASE] = "no-lease",
	[D4O6_DROP_WITHHELD] = "withheld",
};

const struct d4o6_counters *d4o6_counters(const struct d4o6_serve *s)
{
	return &s->cnt;
}

void d4o6_count_drop(struct d4o6_serve *s, enum d4o6_drop why)
{
	s->cnt.drop[why]++;
}

void d4o6_counters_str(const struct d4o6_serve *s, char *buf, size_t len)
{
	size_t i, o = 0;
	int n;

	buf[0] = '\0';
#define ADD(...) do {							\
		n = snprintf(buf + o, len - o, __VA_ARGS__);		\
		if (n < 0 || (size_t)n >= len - o)			\
			return;						\
		o += (size_t)n;						\
	} while (0)
	for (i = 0; i < D4O6_MSG_N; i++)
		if (s->cnt.msg[i])
			ADD("%s%s %llu", o ? ", " : "", msg_name[i],
			    (unsigned long long)s->cnt.msg[i]);
	if (!o)
		ADD("no messages");
	ADD("; drops:");
	for (i = 0; i < D4O6_DROP_N; i++)
		if (s->cnt.drop[i])
			ADD(" %s %llu", drop_name[i],
			    (unsigned long long)s->cnt.drop[i]);
#undef ADD
}

static int drop(struct ctx *x, enum d4o6_drop why, const char *what)
{
	char a6[FMT_IPV6_LEN];

	x->s->cnt.drop[why]++;
	log_debug("dhcp4o6: dropped a message from %s: %s (%s)",
		  fmt_ipv6(&x->client, a6), what, drop_name[why]);
	return 0;
}

/* Bad input: a line at info, rate limited, beside the counter. */
static int bad(struct ctx *x, enum d4o6_drop why, const char *what)
{
	char a6[FMT_IPV6_LEN];

	x->s->cnt.drop[why]++;
	if (log_limit_ok(&x->s->ll))
		log_info("dhcp4o6: dropped a message from %s: %s",
			 fmt_ipv6(&x->f->src, a6), what);
	return 0;
}

int d4o6_oversize(struct d4o6_serve *s, const struct d4o6_from *f)
{
	struct ctx x = { .s = s, .f = f, .client = f->src };

	return bad(&x, D4O6_DROP_MALFORMED6, "longer than 1500 bytes (DHCP6_MAX_LEN)");
}

/* ---- the DECLINE hold ---------------------------------------------------- */

static struct held *held_find(struct held_list *h, uint32_t ipv4,
			      uint16_t psid)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (h->v[i].ipv4 == ipv4 && h->v[i].psid == psid)
			return &h->v[i];
	return NULL;
}

static int held_add(struct held_list *h, const struct held *e)
{
	struct held *v;

	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 16;

		v = realloc(h->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		h->v = v;
		h->cap = cap;
	}
	h->v[h->n++] = *e;
	return 0;
}

/*
 * A held set stays out of every grant, even after the kernel sync has
 * rebuilt the core's list of sets held by others (a resync): a grant that
 * picks it is refused as "somebody else's", so the core keeps it taken.
 */
static int on_lease(enum lease_event ev, const struct lease *l, void *arg)
{
	struct d4o6_serve *s = arg;

	if (ev == LEASE_GRANTED && held_find(&s->held, l->m.ipv4, l->m.psid))
		return -EEXIST;
	return 0;
}

static void held_as_mapping(const struct held *e, struct lw4o6_mapping *m)
{
	memset(m, 0, sizeof(*m));
	m->ipv4 = e->ipv4;
	m->psid = e->psid;
	m->psid_len = e->psid_len;
	m->offset = e->offset;
}

void d4o6_committed(struct d4o6_serve *s, bool ok)
{
	struct lw4o6_mapping m;
	struct held *e;
	size_t i;

	for (i = 0; ok && i < s->pend.n; i++) {
		e = &s->pend.v[i];
		e->until = alloc_now(s->a) + s->c.decline_hold;
		if (held_find(&s->held, e->ipv4, e->psid) ||
		    held_add(&s->held, e))
			continue;
		held_as_mapping(e, &m);
		alloc_foreign_add(s->a, &m);
	}
	s->pend.n = 0;
}

void d4o6_tick(struct d4o6_serve *s)
{
	int64_t now = alloc_now(s->a);
	char a4[FMT_IPV4_LEN];
	size_t i = 0;

	while (i < s->held.n) {
		struct held *e = &s->held.v[i];

		if (e->until > now) {
			i++;
			continue;
		}
		alloc_foreign_del(s->a, e->ipv4, e->psid);
		log_info("dhcp4o6: declined set %s psid %u/%u back in the pool",
			 fmt_ipv4(e->ipv4, a4), e->psid, e->psid_len);
		*e = s->held.v[--s->held.n];
	}
}

size_t d4o6_held(const struct d4o6_serve *s)
{
	return s->held.n;
}

/* ---- lifecycle ----------------------------------------------------------- */

struct d4o6_serve *d4o6_serve_new(const struct lw4o6d_config *c,
				  struct alloc *a, const uint8_t *duid,
				  size_t duid_len)
{
	struct d4o6_serve *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->c = *c;
	s->a = a;
	s->ll.burst = 20;
	if (duid_len > sizeof(s->duid))
		duid_len = sizeof(s->duid);
	memcpy(s->duid, duid, duid_len);
	s->duid_len = duid_len;
	if (alloc_listen(a, on_lease, s)) {
		free(s);
		return NULL;
	}
	return s;
}

void d4o6_serve_free(struct d4o6_serve *s)
{
	if (!s)
		return;
	alloc_unlisten(s->a, on_lease, s);
	free(s->held.v);
	free(s->pend.v);
	free(s);
}

/* ---- DHCPv6: Information-request, Solicit -------------------------------- */

static const struct config_s46 *s46_of(const struct d4o6_serve *s,
				       const struct dhcp6_msg *m)
{
	size_t i;

	if (!m->client_id)
		return NULL;
	for (i = 0; i < s->c.n_s46; i++)
		if (s->c.s46[i].duid_len == m->client_id_len &&
		    !memcmp(s->c.s46[i].duid, m->client_id, m->client_id_len))
			return &s->c.s46[i];
	return NULL;
}

/*
 * Information-request and Solicit come from link-local sources too, which
 * belong to no subscriber, so their answers share one server-wide token
 * bucket (D4O6_INFO_RATE a second, bursts of D4O6_INFO_BURST) instead of
 * the per-subscriber rate: a flood of them costs a bounded number of
 * answers.
 */
static bool info_admit(struct d4o6_serve *s)
{
	int64_t now = loop_now_ms();

	if (!s->info_last_ms)
		s->info_tokens = D4O6_INFO_BURST;
	else
		s->info_tokens += (double)(now - s->info_last_ms) *
				  D4O6_INFO_RATE / 1000.0;
	if (s->info_tokens > D4O6_INFO_BURST)
		s->info_tokens = D4O6_INFO_BURST;
	s->info_last_ms = now ? now : 1;
	if (s->info_tokens < 1)
		return false;
	s->info_tokens -= 1;
	return true;
}

static size_t info_answer(struct ctx *x, uint8_t type, uint8_t *mem,
			  size_t cap)
{
	struct d4o6_serve *s = x->s;
	const struct dhcp6_msg *m = &x->m6;
	struct dhcp6_buf b;

	if (!info_admit(s))
		return drop(x, D4O6_DROP_RATE, "Information-request rate limit");

	if (m->server_id && (m->server_id_len != s->duid_len ||
			     memcmp(m->server_id, s->duid, s->duid_len)))
		return drop(x, D4O6_DROP_NOT_FOR_US, "another server's DUID");
	if (m->type == DHCP6_SOLICIT && (!m->client_id || m->server_id))
		return bad(x, D4O6_DROP_MALFORMED6,
			   "Solicit without a client id or with a server id");
	dhcp6_begin(&b, mem, cap, type, m->xid);
	dhcp6_put(&b, DHCP6_OPT_SERVERID, s->duid, s->duid_len);
	if (m->client_id)
		dhcp6_put(&b, DHCP6_OPT_CLIENTID, m->client_id,
			  m->client_id_len);
	if (dhcp6_oro_has(m, DHCP6_OPT_4O6_SERVER)) {
		/*
		 * Our unicast address to a client that reached us directly;
		 * an empty list (ff02::1:2, so through its relay) otherwise.
		 */
		if (s->c.has_listen6 && !x->n_rl)
			dhcp6_put(&b, DHCP6_OPT_4O6_SERVER, &s->c.listen6, 16);
		else
			dhcp6_put(&b, DHCP6_OPT_4O6_SERVER, NULL, 0);
	}
	if (dhcp6_oro_has(m, DHCP6_OPT_S46_CONT_LW) && s->c.n_s46_br) {
		const struct config_s46 *e = s46_of(s, m);
		struct s46_lw lw;
		size_t i;

		memset(&lw, 0, sizeof(lw));
		for (i = 0; i < s->c.n_s46_br && i < DHCP6_MAX_BR; i++)
			lw.br[lw.n_br++] = s->c.s46_br[i];
		if (e) {
			lw.has_bind = true;
			lw.ipv4 = e->ipv4;
			lw.prefix_len = e->prefix_len;
			lw.prefix = e->prefix;
			lw.has_portparams = true;
			lw.offset = e->offset;
			lw.psid_len = e->psid_len;
			lw.psid = e->psid;
		}
		dhcp6_put_s46_lw(&b, &lw);
	}
	s->cnt.msg[type == DHCP6_REPLY ? D4O6_OUT_REPLY : D4O6_OUT_ADVERTISE]++;
	return dhcp6_end(&b);
}

/* ---- DHCPv4 -------------------------------------------------------------- */

/* What alloc grants for an asked lifetime (alloc.c's rule). */
static uint32_t lt_bound(const struct d4o6_serve *s, uint32_t lt)
{
	if (lt < s->c.lifetime_min || lt > s->c.lifetime_max)
		return s->c.lifetime_default;
	return lt;
}

static uint32_t lt_asked(const struct d4o6_serve *s, const struct dhcp4_msg *m)
{
	return m->has_lease_time ? m->lease_time : s->c.lifetime_default;
}

/* The B4's DHCP key (protocol 0, port 0), whoever holds it. */
static const struct lease *key_lease(struct d4o6_serve *s,
				     const struct in6_addr *b4)
{
	const struct lease *l = alloc_b4_next(s->a, b4, false, 0, 0);

	return l && !l->m.protocol && !l->m.internal_port ? l : NULL;
}

static int refused(struct ctx *x, enum alloc_result r)
{
	switch (r) {
	case ALLOC_OK:
		return 0;
	case ALLOC_NOT_OWNER:
		return drop(x, D4O6_DROP_NOT_OWNER,
			    "the B4 address is held by another client");
	case ALLOC_QUOTA:
		return drop(x, D4O6_DROP_QUOTA, "subscriber quota");
	case ALLOC_NOT_ALLOWED:
		return drop(x, D4O6_DROP_NOT_ALLOWED, "not a B4 address");
	case ALLOC_SETS_ONLY:
	case ALLOC_SUGGESTION_TAKEN:
		return drop(x, D4O6_DROP_NO_WHOLE, "no free whole address");
	case ALLOC_NO_SET:
	case ALLOC_NOT_STORED:
		break;
	}
	return drop(x, D4O6_DROP_NO_SET, "no port set (pools full or store)");
}

/*
 * A new lease.  A client that cannot take a port set gets a whole address
 * of a psid-len 0 pool, or nothing: each is suggested in turn, taken only
 * if free.
 */
static enum alloc_result grant(struct ctx *x, const uint8_t *nonce,
			       uint32_t lt, bool whole_only,
			       struct alloc_answer *ans)
{
	struct d4o6_serve *s = x->s;
	struct alloc_req r = { .b4 = x->client, .lifetime = lt,
			       .takes_set = true,
			       .via = MAPPING_VIA_DHCP4O6 };
	enum alloc_result res;
	unsigned int tries = 0;
	size_t i;

	memcpy(r.nonce, nonce, sizeof(r.nonce));
	if (!whole_only)
		return alloc_map(s->a, &r, ans);
	r.prefer_failure = true;
	r.suggest_port = WHOLE_PORT;
	for (i = 0; i < s->c.n_pools; i++) {
		const struct pool_cfg *p = &s->c.pools[i];
		uint32_t base = ntohl(p->prefix) & ipv4_mask(p->plen);
		uint64_t k, n = 1ULL << (32 - p->plen);

		/* all 65536 ports: with an offset the binding leaves out the low ones */
		if (p->psid_len || p->offset)
			continue;
		for (k = 0; k < n && tries < WHOLE_TRIES; k++, tries++) {
			r.suggest_ipv4 = htonl(base + (uint32_t)k);
			res = alloc_map(s->a, &r, ans);
			if (res != ALLOC_SUGGESTION_TAKEN)
				return res;
		}
	}
	return ALLOC_SETS_ONLY;
}

/* Our answer around the client's message: OFFER, ACK or NAK. */
static size_t answer4(struct ctx *x, const struct dhcp4_msg *q, uint8_t type,
		      const struct lw4o6_mapping *m, uint32_t lt,
		      bool with_159, uint8_t *out, size_t cap)
{
	struct dhcp4_msg r;
	uint8_t v4[DHCP4_MAX_LEN];
	struct dhcp6_buf b;
	size_t n;

	memset(&r, 0, sizeof(r));
	r.op = 2;
	r.htype = q->htype;
	r.hlen = q->hlen;
	r.xid = q->xid;
	r.flags = q->flags;
	r.giaddr = q->giaddr;
	memcpy(r.chaddr, q->chaddr, sizeof(r.chaddr));
	r.type = type;
	r.has_server_id = true;
	r.server_id = D4O6_SERVER_ID;
	r.client_id = q->client_id;	/* RFC 6842 */
	r.client_id_len = q->client_id_len;
	if (type == DHCP4_NAK) {
		static const char why[] = "requested address is not yours";

		r.message = (const uint8_t *)why;
		r.message_len = sizeof(why) - 1;
		x->s->cnt.msg[D4O6_OUT_NAK]++;
	} else {
		if (type == DHCP4_ACK)
			r.ciaddr = q->ciaddr;
		r.yiaddr = m->ipv4;
		r.has_lease_time = r.has_t1 = r.has_t2 = true;
		r.lease_time = lt;
		r.t1 = lt / 2;
		r.t2 = (uint32_t)((uint64_t)lt * 7 / 8);
		/* anything short of every port is said (k = 0 with an offset too) */
		if (with_159 && (m->psid_len || m->offset)) {
			r.has_portparams = true;
			r.offset = m->offset;
			r.psid_len = m->psid_len;
			r.psid = m->psid;
		}
		x->s->cnt.msg[type == DHCP4_ACK ? D4O6_OUT_ACK :
			      D4O6_OUT_OFFER]++;
	}
	n = dhcp4_build(&r, NULL, 0, v4, sizeof(v4));
	if (!n)
		return 0;
	/* RFC 7341 6.2: the flags copied from the query, as Kea does. */
	dhcp6_begin(&b, out, cap, DHCP6_DHCPV4_RESPONSE, x->m6.xid);
	dhcp6_put(&b, DHCP6_OPT_DHCPV4_MSG, v4, n);
	x->s->cnt.msg[D4O6_OUT_RESPONSE]++;
	return dhcp6_end(&b);
}

static enum alloc_result remove_lease(struct ctx *x, const uint8_t *nonce)
{
	struct alloc_req r = { .b4 = x->client };
	struct alloc_answer ans;

	memcpy(r.nonce, nonce, sizeof(r.nonce));
	return alloc_map(x->s->a, &r, &ans);
}

static size_t do_discover(struct ctx *x, const struct dhcp4_msg *q,
			  const uint8_t *nonce, uint8_t *out, size_t cap)
{
	struct d4o6_serve *s = x->s;
	bool takes_set = dhcp4_param_requested(q, DHCP4_OPT_V4_PORTPARAMS);
	const struct lease *l = key_lease(s, &x->client);
	uint32_t offer = s->c.lifetime_min;
	struct alloc_answer ans;
	enum alloc_result res;

	if (l && memcmp(l->m.nonce, nonce, PCP_NONCE_LEN))
		return refused(x, ALLOC_NOT_OWNER);
	if (l && (l->m.psid_len || l->m.offset) && !takes_set)
		return drop(x, D4O6_DROP_NO_WHOLE,
			    "holds a port set, now asks for no 159");
	if (l && l->m.expires - alloc_now(s->a) >= (int64_t)offer) {
		ans.m = l->m;		/* its lease, offered again as it is */
	} else if (l) {
		struct alloc_req r = { .b4 = x->client, .lifetime = offer,
				       .takes_set = true,
			       .via = MAPPING_VIA_DHCP4O6 };

		memcpy(r.nonce, nonce, sizeof(r.nonce));
		res = alloc_map(s->a, &r, &ans);
		if (res)
			return refused(x, res);
	} else {
		res = grant(x, nonce, offer, !takes_set, &ans);
		if (res)
			return refused(x, res);
	}
	return answer4(x, q, DHCP4_OFFER, &ans.m, lt_bound(s, lt_asked(s, q)),
		       takes_set, out, cap);
}

/*
 * A renewal (RENEWING or REBINDING: ciaddr) from an address where the
 * client holds nothing: a B4 whose softwire source changed (RFC 8539: it
 * names the new one in option 109).  Its lease moves here when it is held
 * at another address of the same subscriber prefix (alloc_move(): same
 * set, the row moved in this batch's transaction, the binding replaced);
 * anything else is NAKed, and the client starts over with DISCOVER.
 *
 * Why this is safe although the nonce is only a hash of the client id,
 * which others on the access link can read: the request must carry option
 * 109, which query() has checked is its source (a trusted relay's
 * peer-address when relayed), so a lease only ever moves to the address
 * that asked, and only inside one subscriber prefix, whose addresses the
 * operator says are one customer's (subscriber-prefix-len: quota and rate
 * are that customer's already).  A client in another prefix gets a NAK
 * and the lease is left alone: removing it would let anyone who knows a
 * client id cancel that client's lease.  It expires where it is, counted
 * against its own subscriber, not the new one.
 */
static size_t moved(struct ctx *x, const struct dhcp4_msg *q,
		    const uint8_t *nonce, const char *state, uint8_t *out,
		    size_t cap)
{
	struct d4o6_serve *s = x->s;
	struct alloc_req r = { .b4 = x->client, .takes_set = true,
			       .via = MAPPING_VIA_DHCP4O6,
			       .suggest_ipv4 = q->ciaddr };
	char a6[FMT_IPV6_LEN], a4[FMT_IPV4_LEN], ms[MAPPING_STR_LEN];
	struct alloc_answer ans;
	enum alloc_result res = ALLOC_NO_SET;

	r.lifetime = lt_asked(s, q);
	memcpy(r.nonce, nonce, sizeof(r.nonce));
	/* no 109, nothing to hold the move to the asking address */
	if (q->has_saddr)
		res = alloc_move(s->a, &r, &ans);
	switch (res) {
	case ALLOC_OK:
		break;
	case ALLOC_NO_SET:
		s->cnt.msg[D4O6_NAK_NOT_MOVED]++;
		log_info("dhcp4o6: NAK to %s (%s of %s): %s",
			 fmt_ipv6(&x->client, a6), state,
			 fmt_ipv4(q->ciaddr, a4),
			 q->has_saddr ? "no lease of the client's in its subscriber prefix to move here" :
					"a renewal from a new address without option 109");
		return answer4(x, q, DHCP4_NAK, NULL, 0, false, out, cap);
	default:
		return refused(x, res);
	}
	/* as do_request(): a set to a client that no longer lists 159 */
	if ((ans.m.psid_len || ans.m.offset) && q->params &&
	    !dhcp4_param_requested(q, DHCP4_OPT_V4_PORTPARAMS)) {
		log_info("dhcp4o6: NAK to %s: lease %s removed (asks for no 159)",
			 fmt_ipv6(&x->client, a6),
			 mapping_str(&ans.m, ms, sizeof(ms)));
		remove_lease(x, nonce);
		return answer4(x, q, DHCP4_NAK, NULL, 0, false, out, cap);
	}
	s->cnt.msg[D4O6_LEASE_MOVED]++;
	log_info("dhcp4o6: ACK %s for %us (%s, moved to %s)",
		 mapping_str(&ans.m, ms, sizeof(ms)), ans.lifetime, state,
		 fmt_ipv6(&x->client, a6));
	return answer4(x, q, DHCP4_ACK, &ans.m, ans.lifetime, true, out, cap);
}

static size_t do_request(struct ctx *x, const struct dhcp4_msg *q,
			 const uint8_t *nonce, uint8_t *out, size_t cap)
{
	struct d4o6_serve *s = x->s;
	const struct lease *l = key_lease(s, &x->client);
	bool owned = l && !memcmp(l->m.nonce, nonce, PCP_NONCE_LEN);
	struct alloc_req r = { .b4 = x->client, .takes_set = true,
			       .via = MAPPING_VIA_DHCP4O6 };
	char a6[FMT_IPV6_LEN], ms[MAPPING_STR_LEN];
	struct alloc_answer ans;
	enum alloc_result res;
	const char *state;
	uint32_t want;

	if (l && !owned)
		return refused(x, ALLOC_NOT_OWNER);
	if (q->has_server_id) {
		state = "SELECTING";
		if (q->server_id != D4O6_SERVER_ID) {
			/* It took another server's offer: ours goes. */
			if (owned && !remove_lease(x, nonce))
				s->cnt.msg[D4O6_LEASE_RELEASED]++;
			return drop(x, D4O6_DROP_NOT_FOR_US,
				    "SELECTING another server");
		}
		if (!q->has_requested_ip)
			return bad(x, D4O6_DROP_MALFORMED4,
				   "SELECTING REQUEST without a requested address");
		want = q->requested_ip;
	} else if (q->has_requested_ip) {
		state = "INIT-REBOOT";
		/* RFC 2131 4.3.2: no record of the client, no answer. */
		if (!l)
			return drop(x, D4O6_DROP_NO_LEASE,
				    "INIT-REBOOT of an unknown client");
		want = q->requested_ip;
	} else if (q->ciaddr) {
		state = x->m6.xid & DHCP6_4O6_FLAG_UNICAST ? "RENEWING" :
							     "REBINDING";
		want = q->ciaddr;
	} else {
		return bad(x, D4O6_DROP_MALFORMED4,
			   "REQUEST with neither server id, requested address nor ciaddr");
	}
	log_debug("dhcp4o6: REQUEST (%s) from %s", state,
		  fmt_ipv6(&x->client, a6));
	if (!l && q->ciaddr && !q->has_requested_ip && !q->has_server_id)
		return moved(x, q, nonce, state, out, cap);
	/*
	 * A set to a client that no longer lists 159 would be used as a
	 * whole address: it is refused.  No 55 at all keeps what it had.
	 */
	if (!owned || l->m.ipv4 != want ||
	    ((l->m.psid_len || l->m.offset) && q->params &&
	     !dhcp4_param_requested(q, DHCP4_OPT_V4_PORTPARAMS))) {
		/* RFC 7596 6.1: a NAK ends the client's lease. */
		if (owned) {
			log_info("dhcp4o6: NAK to %s: lease %s removed",
				 fmt_ipv6(&x->client, a6),
				 mapping_str(&l->m, ms, sizeof(ms)));
			remove_lease(x, nonce);
		}
		return answer4(x, q, DHCP4_NAK, NULL, 0, false, out, cap);
	}
	r.lifetime = lt_asked(s, q);
	memcpy(r.nonce, nonce, sizeof(r.nonce));
	res = alloc_map(s->a, &r, &ans);
	if (res)
		return refused(x, res);
	log_info("dhcp4o6: ACK %s for %us (%s)",
		 mapping_str(&ans.m, ms, sizeof(ms)), ans.lifetime, state);
	return answer4(x, q, DHCP4_ACK, &ans.m, ans.lifetime, true, out, cap);
}

/* RELEASE (ciaddr) and DECLINE (requested address): no answer. */
static size_t do_remove(struct ctx *x, const struct dhcp4_msg *q,
			const uint8_t *nonce)
{
	struct d4o6_serve *s = x->s;
	bool decline = q->type == DHCP4_DECLINE;
	const struct lease *l = key_lease(s, &x->client);
	uint32_t addr = decline ? q->requested_ip : q->ciaddr;
	char ms[MAPPING_STR_LEN];
	struct held e;

	if (q->has_server_id && q->server_id != D4O6_SERVER_ID)
		return drop(x, D4O6_DROP_NOT_FOR_US, "another server's id");
	if (decline && !q->has_requested_ip)
		return bad(x, D4O6_DROP_MALFORMED4,
			   "DECLINE without a requested address");
	if (l && memcmp(l->m.nonce, nonce, PCP_NONCE_LEN))
		return refused(x, ALLOC_NOT_OWNER);
	if (!l || l->m.ipv4 != addr)
		return drop(x, D4O6_DROP_NO_LEASE,
			    decline ? "DECLINE of no lease of the client's" :
				      "RELEASE of no lease of the client's");
	e = (struct held){ .ipv4 = l->m.ipv4, .psid = l->m.psid,
			   .psid_len = l->m.psid_len, .offset = l->m.offset };
	log_info("dhcp4o6: %s %s%s", decline ? "DECLINE" : "RELEASE",
		 mapping_str(&l->m, ms, sizeof(ms)),
		 decline && s->c.decline_hold ? ": the set rests" : "");
	if (remove_lease(x, nonce))
		return drop(x, D4O6_DROP_NO_SET, "the store refused");
	s->cnt.msg[decline ? D4O6_LEASE_DECLINED : D4O6_LEASE_RELEASED]++;
	if (decline && s->c.decline_hold)
		held_add(&s->pend, &e);
	return 0;
}

static size_t query(struct ctx *x, uint8_t *out, size_t cap)
{
	static const enum d4o6_msg in_of[] = {
		[DHCP4_DISCOVER] = D4O6_IN_DISCOVER,
		[DHCP4_REQUEST] = D4O6_IN_REQUEST,
		[DHCP4_DECLINE] = D4O6_IN_DECLINE,
		[DHCP4_RELEASE] = D4O6_IN_RELEASE,
		[DHCP4_INFORM] = D4O6_IN_INFORM,
	};
	struct d4o6_serve *s = x->s;
	uint8_t nonce[PCP_NONCE_LEN];
	char a6[FMT_IPV6_LEN], b6[FMT_IPV6_LEN];
	struct dhcp4_msg q;

	if (!x->m6.dhcpv4)
		return bad(x, D4O6_DROP_MALFORMED6,
			   "DHCPV4-QUERY without a DHCPv4 message");
	/* Who asks, and at what rate, before the DHCPv4 message is read. */
	switch (alloc_admit(s->a, &x->client)) {
	case ADMIT_OK:
		break;
	case ADMIT_BAD_SOURCE:
		return drop(x, D4O6_DROP_BAD_SOURCE, "not a B4 address");
	case ADMIT_NOT_ALLOWED:
		return drop(x, D4O6_DROP_NOT_ALLOWED,
			    "outside the allowed B4 prefixes");
	case ADMIT_FULL:
		return drop(x, D4O6_DROP_FULL, "too many subscribers tracked");
	case ADMIT_LIMITED:
		return drop(x, D4O6_DROP_RATE, "rate limit");
	}
	if (dhcp4_parse(x->m6.dhcpv4, x->m6.dhcpv4_len, &q) || q.op != 1 ||
	    !q.type)
		return bad(x, D4O6_DROP_MALFORMED4,
			   "option 87 is not a DHCPv4 request");
	log_debug("DHCPV4-QUERY %s from %s%s xid %08x flags %06x",
		  dhcp4_type_name(q.type), fmt_ipv6(&x->client, a6),
		  x->n_rl ? " (relayed)" : "", q.xid, x->m6.xid);
	if (q.type < sizeof(in_of) / sizeof(in_of[0]) && in_of[q.type])
		s->cnt.msg[in_of[q.type]]++;
	if (q.has_saddr && memcmp(&q.saddr, &x->client, sizeof(q.saddr))) {
		log_debug("dhcp4o6: option 109 names %s, not the source %s",
			  fmt_ipv6(&q.saddr, b6), a6);
		return drop(x, D4O6_DROP_IDENTITY,
			    "option 109 is not the client's source");
	}
	dhcp4o6_nonce(&q, nonce);
	switch (q.type) {
	case DHCP4_DISCOVER:
		return do_discover(x, &q, nonce, out, cap);
	case DHCP4_REQUEST:
		return do_request(x, &q, nonce, out, cap);
	case DHCP4_DECLINE:
	case DHCP4_RELEASE:
		return do_remove(x, &q, nonce);
	default:
		return drop(x, D4O6_DROP_UNSUPPORTED, dhcp4_type_name(q.type));
	}
}

/* ---- one datagram -------------------------------------------------------- */

static bool relay_trusted(const struct d4o6_serve *s, const struct in6_addr *a)
{
	size_t i;

	/*
	 * Only the relays named by relay-peer, in every role: a RELAY-FORW
	 * names the client (peer-address) the binding goes to, so trusting
	 * any sender would let a B4 on a dhcp4o6-interface link relay a
	 * DISCOVER "for" another B4's address and take it over.
	 */
	for (i = 0; i < s->c.n_relay_peers; i++)
		if (!memcmp(&s->c.relay_peers[i], a, sizeof(*a)))
			return true;
	return false;
}

int d4o6_handle(struct d4o6_serve *s, const uint8_t *buf, size_t len,
		const struct d4o6_from *f, struct d4o6_out *out)
{
	static uint8_t tmp[2][DHCP6_MAX_LEN];
	struct dhcp6_relay rl[DHCP6_HOP_LIMIT + 1];
	struct ctx x = { .s = s, .f = f, .client = f->src };
	const uint8_t *inner = buf;
	size_t ilen = len, n, i;
	uint8_t *cur;

	out->len = 0;
	if (len && buf[0] == DHCP6_RELAY_FORW) {
		s->cnt.msg[D4O6_IN_RELAYED]++;
		if (!relay_trusted(s, &f->src))
			return drop(&x, D4O6_DROP_RELAY_UNTRUSTED,
				    "RELAY-FORW from no relay-peer");
		if (dhcp6_unwrap(buf, len, rl, DHCP6_HOP_LIMIT + 1, &x.n_rl,
				 &inner, &ilen))
			return bad(&x, D4O6_DROP_MALFORMED6,
				   "malformed or too deeply nested RELAY-FORW");
		for (i = 0; i < x.n_rl; i++)
			if (rl[i].type != DHCP6_RELAY_FORW)
				return bad(&x, D4O6_DROP_MALFORMED6,
					   "RELAY-REPL inside RELAY-FORW");
		if (x.n_rl)
			x.client = rl[x.n_rl - 1].peer;
	}
	if (dhcp6_parse(inner, ilen, &x.m6))
		return bad(&x, D4O6_DROP_MALFORMED6, "malformed DHCPv6 message");
	cur = x.n_rl ? tmp[0] : out->buf;
	switch (x.m6.type) {
	case DHCP6_SOLICIT:
		s->cnt.msg[D4O6_IN_SOLICIT]++;
		n = info_answer(&x, DHCP6_ADVERTISE, cur, DHCP6_MAX_LEN);
		break;
	case DHCP6_INFORMATION_REQUEST:
		s->cnt.msg[D4O6_IN_INFOREQ]++;
		n = info_answer(&x, DHCP6_REPLY, cur, DHCP6_MAX_LEN);
		break;
	case DHCP6_DHCPV4_QUERY:
		s->cnt.msg[D4O6_IN_QUERY]++;
		n = query(&x, cur, DHCP6_MAX_LEN);
		break;
	default:
		return drop(&x, D4O6_DROP_UNSUPPORTED, dhcp6_type_name(x.m6.type));
	}
	if (!n)
		return 0;
	/* Each relay level wrapped back, innermost first (RFC 8415 19.3). */
	for (i = x.n_rl; i-- > 0;) {
		uint8_t *next = i ? tmp[(x.n_rl - i) & 1] : out->buf;
		struct dhcp6_buf b;

		dhcp6_relay_begin(&b, next, DHCP6_MAX_LEN, DHCP6_RELAY_REPL,
				  rl[i].hop_count, &rl[i].link, &rl[i].peer);
		if (rl[i].interface_id)
			dhcp6_put(&b, DHCP6_OPT_INTERFACE_ID, rl[i].interface_id,
				  rl[i].interface_id_len);
		dhcp6_put(&b, DHCP6_OPT_RELAY_MSG, cur, n);
		n = dhcp6_end(&b);
		if (!n)
			return 0;
		cur = next;
	}
	if (x.n_rl)
		s->cnt.msg[D4O6_OUT_RELAY_REPL]++;
	out->len = n;
	out->to = f->src;
	out->port = x.n_rl ? DHCP6_SERVER_PORT : DHCP6_CLIENT_PORT;
	out->ifindex = f->ifindex;
	return 1;
}
