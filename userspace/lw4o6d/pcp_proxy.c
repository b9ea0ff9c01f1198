// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The B4 as a PCP server for its LAN (RFC 6887 MAP, TCP and UDP): a LAN
 * host asks for an explicit forward and gets a port of the B4's own set,
 * without a round trip to the AFTR, whose grant already covers every port
 * of the set.  This is the bookkeeping and the protocol; installing a
 * forward is the caller's (pcp_proxy.h).
 */
#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/random.h>

#include <lw4o6/psid.h>

#include "log.h"
#include "pcp_proxy.h"
#include "strconv.h"

/*
 * The per-LAN-host token bucket: rate tokens a second up to burst, one a
 * request.  Its entry is found by SipHash of the address among
 * PCP_PROXY_HOST_WAYS; a host not there takes a free way, or the one heard
 * from least recently, and starts with a full bucket (what it would have
 * after that long idle anyway, for a host of the same rate).
 */
static bool admit(struct pcp_proxy *p, uint32_t src, int64_t now)
{
	size_t nsets = PCP_PROXY_HOSTS / PCP_PROXY_HOST_WAYS;
	size_t set = (size_t)(siphash24(&p->key, &src, sizeof(src)) % nsets);
	struct pcp_proxy_host *w = &p->hosts[set * PCP_PROXY_HOST_WAYS];
	struct pcp_proxy_host *h = NULL, *victim = w;
	int64_t cap = (int64_t)p->burst * 1000, dt;
	size_t i;

	for (i = 0; i < PCP_PROXY_HOST_WAYS; i++) {
		if (w[i].used && w[i].addr == src) {
			h = &w[i];
			break;
		}
		if (victim->used &&
		    (!w[i].used || w[i].last_ms < victim->last_ms))
			victim = &w[i];
	}
	if (!h) {
		h = victim;
		h->used = true;
		h->addr = src;
		h->last_ms = now;
		h->milli = cap;
	}
	dt = now - h->last_ms;
	if (dt > 0) {
		/* a day refills any bucket; and no overflow past that */
		if (dt > 86400000)
			h->milli = cap;
		else
			h->milli += dt * (int64_t)p->rate;
		if (h->milli > cap)
			h->milli = cap;
		h->last_ms = now;
	}
	if (h->milli < 1000)
		return false;
	h->milli -= 1000;
	return true;
}

static const char *proto_name(uint8_t p)
{
	return p == IPPROTO_TCP ? "tcp" : "udp";
}

static void fwd_del(struct pcp_proxy *p, struct pcp_proxy_fwd *f,
		    const char *why)
{
	char a4[FMT_IPV4_LEN];

	if (!f->used)
		return;
	p->ops.del(f, p->ops.arg);
	log_info("forward %s %u -> %s:%u %s", proto_name(f->protocol),
		 f->external_port, fmt_ipv4(f->host, a4), f->internal_port, why);
	f->used = false;
}

static bool port_taken(const struct pcp_proxy *p, uint8_t proto,
		       uint16_t port)
{
	size_t i;

	for (i = 0; i < PCP_PROXY_MAX_FWDS; i++)
		if (p->fwd[i].used && p->fwd[i].protocol == proto &&
		    p->fwd[i].external_port == port)
			return true;
	return false;
}

/*
 * Random bytes for nonces and keys.  getrandom() of so few bytes fails only
 * when a signal interrupts its wait for the kernel's pool at boot: ask again.
 */
static void random_fill(void *buf, size_t len)
{
	while (getrandom(buf, len, 0) < 0 && errno == EINTR)
		;
}

/* The suggested port if it is ours and free, else a free one of the set. */
static int pick(const struct pcp_proxy *p, uint8_t proto, uint16_t want,
		uint16_t *port)
{
	const struct b4_binding *b = &p->bound;
	uint32_t size = lw4o6_set_size(b->offset, b->psid_len), i, start = 0;
	uint32_t per = lw4o6_range_len(b->offset, b->psid_len);

	if (want && lw4o6_port_in_set(want, b->offset, b->psid_len, b->psid) &&
	    !port_taken(p, proto, want)) {
		*port = want;
		return 0;
	}
	random_fill(&start, sizeof(start));
	for (i = 0; i < size; i++) {
		uint32_t n = (start + i) % size;
		uint16_t port_n = lw4o6_range_first(n / per, b->offset,
						    b->psid_len, b->psid) +
				  n % per;

		if (port_n < 1024 || port_taken(p, proto, port_n))
			continue;
		*port = port_n;
		return 0;
	}
	return -ENOSPC;
}

static uint32_t epoch(const struct pcp_proxy *p, int64_t now)
{
	return (uint32_t)((now - p->epoch_base) / 1000);
}

static size_t error_answer(const struct pcp_proxy *p, const uint8_t *req,
			   size_t len, uint8_t result, int64_t now,
			   uint8_t *out, size_t cap)
{
	return pcp_error_response(req, len, result,
				  result == PCP_NETWORK_FAILURE ||
				  result == PCP_NO_RESOURCES ? 30 : 600,
				  epoch(p, now), out, cap);
}

/* A MAP from src, parsed and checked; 0 with the answer in *r, or a result. */
static int map(struct pcp_proxy *p, uint32_t src, const struct pcp_msg *m,
	       int64_t now, struct pcp_msg *r)
{
	struct pcp_proxy_fwd *f = NULL, *free_slot = NULL;
	size_t i, per_host = 0;
	uint32_t lt;

	if ((m->protocol != IPPROTO_TCP && m->protocol != IPPROTO_UDP) ||
	    !m->internal_port)
		return PCP_UNSUPP_PROTOCOL;
	for (i = 0; i < PCP_PROXY_MAX_FWDS; i++) {
		struct pcp_proxy_fwd *x = &p->fwd[i];

		if (!x->used) {
			free_slot = free_slot ? free_slot : x;
			continue;
		}
		if (x->host != src)
			continue;
		per_host++;
		if (x->protocol == m->protocol &&
		    x->internal_port == m->internal_port)
			f = x;
	}
	if (f && memcmp(f->nonce, m->nonce, PCP_NONCE_LEN))
		return PCP_NOT_AUTHORIZED;
	memset(r, 0, sizeof(*r));
	r->version = PCP_VERSION;
	r->response = true;
	r->opcode = PCP_OP_MAP;
	r->epoch = epoch(p, now);
	memcpy(r->nonce, m->nonce, sizeof(r->nonce));
	r->protocol = m->protocol;
	r->internal_port = m->internal_port;
	if (!m->lifetime) {
		r->external = m->external;
		r->external_port = m->external_port;
		if (f) {
			pcp_v4mapped(p->bound.ipv4, &r->external);
			r->external_port = f->external_port;
			fwd_del(p, f, "deleted by its host");
		}
		return 0;
	}
	if (!p->have)
		return PCP_NETWORK_FAILURE;
	lt = m->lifetime < p->lifetime_max ? m->lifetime : p->lifetime_max;
	if (!f) {
		struct pcp_proxy_fwd n;
		char a4[FMT_IPV4_LEN];
		uint16_t port;

		if (!free_slot || per_host >= PCP_PROXY_MAX_PER_HOST)
			return PCP_USER_EX_QUOTA;
		if (pick(p, m->protocol, m->external_port, &port))
			return PCP_NO_RESOURCES;
		if (m->prefer_failure && m->external_port != port)
			return PCP_CANNOT_PROVIDE_EXTERNAL;
		memset(&n, 0, sizeof(n));
		n.used = true;
		n.host = src;
		n.protocol = m->protocol;
		n.internal_port = m->internal_port;
		n.external_port = port;
		memcpy(n.nonce, m->nonce, PCP_NONCE_LEN);
		if (p->ops.add(&n, p->ops.arg))
			return PCP_NO_RESOURCES;
		f = free_slot;
		*f = n;
		log_info("forward %s %u -> %s:%u for %us", proto_name(m->protocol),
			 port, fmt_ipv4(src, a4), m->internal_port, lt);
	}
	f->expires_ms = now + (int64_t)lt * 1000;
	r->lifetime = lt;
	pcp_v4mapped(p->bound.ipv4, &r->external);
	r->external_port = f->external_port;
	return 0;
}

size_t pcp_proxy_request(struct pcp_proxy *p, uint32_t src,
			 const uint8_t *req, size_t len, int64_t now,
			 uint8_t *out, size_t cap)
{
	struct pcp_msg m, r;
	struct in6_addr seen;
	int res;

	p->n_requests++;
	if (!admit(p, src, now)) {
		/*
		 * No answer: RFC 6887 has no result for "too many requests",
		 * an error answer costs us as much as a real one, and silence
		 * is what the client's retransmission backoff (8.1.1: from
		 * 3 s, doubling) already copes with.
		 */
		p->n_limited++;
		return 0;
	}
	res = pcp_parse_request(req, len, &m);
	if (res == PCP_SILENT)
		return 0;
	if (res)
		return error_answer(p, req, len, res, now, out, cap);
	pcp_v4mapped(src, &seen);
	if (memcmp(&seen, &m.client, sizeof(seen)))
		return error_answer(p, req, len, PCP_ADDRESS_MISMATCH, now,
				    out, cap);
	if (m.third_party)
		return error_answer(p, req, len, PCP_NOT_AUTHORIZED, now, out,
				    cap);
	if (m.opcode == PCP_OP_ANNOUNCE) {
		memset(&r, 0, sizeof(r));
		r.version = PCP_VERSION;
		r.response = true;
		r.epoch = epoch(p, now);
		return pcp_build(&r, out, cap);
	}
	if (m.opcode != PCP_OP_MAP)
		return error_answer(p, req, len, PCP_UNSUPP_OPCODE, now, out,
				    cap);
	res = map(p, src, &m, now, &r);
	if (res)
		return error_answer(p, req, len, res, now, out, cap);
	return pcp_build(&r, out, cap);
}

void pcp_proxy_expire(struct pcp_proxy *p, int64_t now)
{
	size_t i;

	for (i = 0; i < PCP_PROXY_MAX_FWDS; i++)
		if (p->fwd[i].used && p->fwd[i].expires_ms <= now)
			fwd_del(p, &p->fwd[i], "expired");
}

void pcp_proxy_rebound(struct pcp_proxy *p, const struct b4_binding *b)
{
	size_t i;

	for (i = 0; i < PCP_PROXY_MAX_FWDS; i++) {
		struct pcp_proxy_fwd *f = &p->fwd[i];

		if (f->used && (!b || b->ipv4 != p->bound.ipv4 ||
				!lw4o6_port_in_set(f->external_port, b->offset,
						   b->psid_len, b->psid)))
			fwd_del(p, f, "dropped: the B4's set changed");
	}
	p->have = b != NULL;
	if (b)
		p->bound = *b;
}

void pcp_proxy_init(struct pcp_proxy *p, const struct pcp_proxy_ops *ops,
		    uint32_t lifetime_max, int64_t now)
{
	memset(p, 0, sizeof(*p));
	p->ops = *ops;
	p->lifetime_max = lifetime_max;
	p->epoch_base = now;
	p->rate = PCP_PROXY_RATE;
	p->burst = PCP_PROXY_BURST;
	random_fill(&p->key, sizeof(p->key));
}

void pcp_proxy_set_rate(struct pcp_proxy *p, uint32_t rate, uint32_t burst)
{
	p->rate = rate ? rate : 1;
	p->burst = burst ? burst : 1;
}
