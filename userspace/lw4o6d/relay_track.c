// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The relay's binding tracking (relay_track.h): three bounded tables and
 * a heap.  bindings by set (ipv4, psid) and by B4 address, pending
 * requests by (xid, client) in arrival order, rate-limit records by
 * subscriber prefix; the expiry heap orders the bindings that have a
 * timer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "log.h"
#include "relay_track.h"
#include "siphash.h"
#include "strconv.h"

#define SWEEP_MS	10000	/* idle rate-limit records forgotten this often */
#define IDLE_MS		60000	/* ... once not heard from for this long */

struct binding {
	struct relay_binding b;
	struct hnode by_set, by_b4;
	size_t heap_i;			/* SIZE_MAX: not in the heap */
};

struct pending {
	struct hnode node;
	struct pending *prev, *next;	/* oldest first */
	struct in6_addr client;
	uint32_t xid;
	bool has_saddr;
	struct in6_addr saddr;
	uint64_t cid;
	uint32_t req_ipv4;		/* 50, else ciaddr; 0 none */
	int64_t created_ms;
};

struct bucket {
	struct hnode node;
	struct in6_addr prefix;
	double tokens;
	int64_t last_ms;
};

struct relay_track {
	struct relay_track_cfg cfg;
	struct relay_track_ops ops;
	struct htab sets, b4s, pend, buckets;
	struct binding **heap;
	size_t heap_n, heap_cap;
	struct pending *oldest, *newest;
	int64_t next_sweep;
	struct relay_stats st;
	struct log_limit ll;
};

static int64_t now(struct relay_track *rt)
{
	return rt->ops.now_ms(rt->ops.arg);
}

uint64_t relay_client_hash(const struct dhcp4_msg *m4)
{
	static const struct siphash_key zero;
	uint64_t h;

	if (m4->client_id && m4->client_id_len)
		h = siphash24(&zero, m4->client_id, m4->client_id_len);
	else
		h = siphash24(&zero, m4->chaddr,
			      m4->hlen <= 16 ? m4->hlen : 16);
	return h ? h : 1;
}

/* ---- the expiry heap --------------------------------------------------- */

static void heap_set(struct relay_track *rt, size_t i, struct binding *b)
{
	rt->heap[i] = b;
	b->heap_i = i;
}

static void heap_up(struct relay_track *rt, size_t i)
{
	struct binding *b = rt->heap[i];

	while (i) {
		size_t p = (i - 1) / 2;

		if (rt->heap[p]->b.expires_ms <= b->b.expires_ms)
			break;
		heap_set(rt, i, rt->heap[p]);
		i = p;
	}
	heap_set(rt, i, b);
}

static void heap_down(struct relay_track *rt, size_t i)
{
	struct binding *b = rt->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= rt->heap_n)
			break;
		if (c + 1 < rt->heap_n &&
		    rt->heap[c + 1]->b.expires_ms < rt->heap[c]->b.expires_ms)
			c++;
		if (rt->heap[c]->b.expires_ms >= b->b.expires_ms)
			break;
		heap_set(rt, i, rt->heap[c]);
		i = c;
	}
	heap_set(rt, i, b);
}

static void heap_remove(struct relay_track *rt, struct binding *b)
{
	size_t i = b->heap_i;
	struct binding *last;

	if (i == SIZE_MAX)
		return;
	b->heap_i = SIZE_MAX;
	last = rt->heap[--rt->heap_n];
	if (last == b)
		return;
	heap_set(rt, i, last);
	heap_up(rt, i);
	heap_down(rt, last->heap_i);
}

static int heap_insert(struct relay_track *rt, struct binding *b)
{
	if (rt->heap_n == rt->heap_cap) {
		size_t cap = rt->heap_cap ? rt->heap_cap * 2 : 64;
		struct binding **h = realloc(rt->heap, cap * sizeof(*h));

		if (!h)
			return -ENOMEM;
		rt->heap = h;
		rt->heap_cap = cap;
	}
	heap_set(rt, rt->heap_n++, b);
	heap_up(rt, b->heap_i);
	return 0;
}

/* The binding's timer becomes expires_ms; INT64_MAX: none. */
static int set_expiry(struct relay_track *rt, struct binding *b,
		      int64_t expires_ms)
{
	heap_remove(rt, b);
	b->b.expires_ms = expires_ms;
	return expires_ms == INT64_MAX ? 0 : heap_insert(rt, b);
}

/* ---- bindings ------------------------------------------------------------ */

static uint32_t set_hash(uint32_t ipv4, uint16_t psid)
{
	uint8_t k[6];

	memcpy(k, &ipv4, 4);
	memcpy(k + 4, &psid, 2);
	return hash_bytes(k, sizeof(k));
}

static struct binding *find_set(const struct relay_track *rt, uint32_t ipv4,
				uint16_t psid)
{
	uint32_t h = set_hash(ipv4, psid);
	struct hnode *n;

	for (n = htab_chain(&rt->sets, h); n; n = n->next) {
		struct binding *b = hnode_entry(n, struct binding, by_set);

		if (n->hash == h && b->b.m.ipv4 == ipv4 && b->b.m.psid == psid)
			return b;
	}
	return NULL;
}

const struct relay_binding *relay_track_find(const struct relay_track *rt,
					     uint32_t ipv4, uint16_t psid)
{
	struct binding *b = find_set(rt, ipv4, psid);

	return b ? &b->b : NULL;
}

/* Forget b (the kernel's binding is the caller's business). */
static void forget(struct relay_track *rt, struct binding *b)
{
	heap_remove(rt, b);
	htab_del(&rt->sets, &b->by_set);
	htab_del(&rt->b4s, &b->by_b4);
	free(b);
}

static void remove_binding(struct relay_track *rt, struct binding *b,
			   const char *why)
{
	char s[MAPPING_STR_LEN];
	int err = rt->ops.bind_del(b->b.m.ipv4, b->b.m.psid, b->b.m.psid_len,
				   rt->ops.arg);

	if (err && err != -ENOENT)
		log_warn("relay: removing binding %s (%s): %s",
			 mapping_str(&b->b.m, s, sizeof(s)), why, strerror(-err));
	else
		log_info("relay: binding %s removed (%s)",
			 mapping_str(&b->b.m, s, sizeof(s)), why);
	forget(rt, b);
}

/*
 * Installs m (replacing whatever had its set), tracked until expires_ms,
 * under cid.  0, or -errno with what was tracked unchanged.
 */
static int install(struct relay_track *rt, const struct lw4o6_mapping *m,
		   uint64_t cid, int64_t expires_ms, const char *why)
{
	struct binding *b = find_set(rt, m->ipv4, m->psid);
	char s[MAPPING_STR_LEN];
	bool same = false;
	int err;

	if (b)
		same = !memcmp(&b->b.m.b4, &m->b4, sizeof(m->b4)) &&
		       b->b.m.psid_len == m->psid_len &&
		       b->b.m.offset == m->offset;
	if (!b && rt->sets.n >= rt->cfg.max_bindings) {
		rt->st.bindings_full++;
		if (log_limit_ok(&rt->ll))
			log_warn("relay: %zu bindings tracked: %s not installed",
				 rt->sets.n, mapping_str(m, s, sizeof(s)));
		return -ENOSPC;
	}
	err = rt->ops.bind_add(m, rt->ops.arg);
	if (err) {
		rt->st.install_failed++;
		if (log_limit_ok(&rt->ll))
			log_warn("relay: installing %s: %s",
				 mapping_str(m, s, sizeof(s)), strerror(-err));
		return err;
	}
	if (b && !same) {
		/*
		 * The same client at another address is a B4 renumbered
		 * (RFC 8539; the server moved its lease): one binding still,
		 * at the new address, as for any other new owner of the set.
		 */
		if (cid && b->b.cid == cid)
			log_info("relay: set of %s: its client moved to another address: replaced",
				 mapping_str(&b->b.m, s, sizeof(s)));
		else
			log_info("relay: set of %s given to another B4: replaced",
				 mapping_str(&b->b.m, s, sizeof(s)));
		rt->st.replaced++;
		forget(rt, b);
		b = NULL;
	}
	if (!b) {
		b = calloc(1, sizeof(*b));
		if (!b) {
			/* installed but untracked: take it out again */
			rt->ops.bind_del(m->ipv4, m->psid, m->psid_len,
					 rt->ops.arg);
			return -ENOMEM;
		}
		b->heap_i = SIZE_MAX;
		b->b.m = *m;
		htab_add(&rt->sets, &b->by_set, set_hash(m->ipv4, m->psid));
		htab_add(&rt->b4s, &b->by_b4, hash_bytes(&m->b4, sizeof(m->b4)));
		log_info("relay: binding %s installed (%s)",
			 mapping_str(m, s, sizeof(s)), why);
	} else {
		rt->st.renewed++;
		log_debug("relay: binding %s renewed (%s)",
			  mapping_str(m, s, sizeof(s)), why);
	}
	if (cid)
		b->b.cid = cid;
	if (set_expiry(rt, b, expires_ms)) {
		/* no room for its timer: let it go rather than keep it forever */
		remove_binding(rt, b, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

/*
 * Whether b is the binding of the client at b4 with identifier cid (0:
 * unknown) for ipv4 (0: any).  An identifier known on both sides must
 * match; the address must then too unless the identifiers matched.
 */
static bool client_owns(const struct binding *b, const struct in6_addr *b4,
			uint64_t cid, uint32_t ipv4)
{
	if (memcmp(&b->b.m.b4, b4, sizeof(*b4)))
		return false;
	if (b->b.cid && cid)
		return b->b.cid == cid && (!ipv4 || b->b.m.ipv4 == ipv4);
	return !ipv4 || b->b.m.ipv4 == ipv4;
}

/* Removes every binding client_owns(); how many.  except: kept. */
static unsigned int remove_client(struct relay_track *rt,
				  const struct in6_addr *b4, uint64_t cid,
				  uint32_t ipv4, const struct binding *except,
				  const char *why)
{
	uint32_t h = hash_bytes(b4, sizeof(*b4));
	unsigned int n = 0;
	struct hnode *i, *next;

again:
	for (i = htab_chain(&rt->b4s, h); i; i = next) {
		struct binding *b = hnode_entry(i, struct binding, by_b4);

		next = i->next;
		if (i->hash != h || b == except || !client_owns(b, b4, cid, ipv4))
			continue;
		remove_binding(rt, b, why);
		n++;
		goto again;	/* the chain changed under us */
	}
	return n;
}

/* ---- pending requests -------------------------------------------------- */

static uint32_t pend_hash(uint32_t xid, const struct in6_addr *client)
{
	uint8_t k[20];

	memcpy(k, &xid, 4);
	memcpy(k + 4, client, 16);
	return hash_bytes(k, sizeof(k));
}

static struct pending *find_pending(struct relay_track *rt, uint32_t xid,
				    const struct in6_addr *client)
{
	uint32_t h = pend_hash(xid, client);
	struct hnode *n;

	for (n = htab_chain(&rt->pend, h); n; n = n->next) {
		struct pending *p = hnode_entry(n, struct pending, node);

		if (n->hash == h && p->xid == xid &&
		    !memcmp(&p->client, client, sizeof(*client)))
			return p;
	}
	return NULL;
}

static void pending_del(struct relay_track *rt, struct pending *p)
{
	htab_del(&rt->pend, &p->node);
	if (p->prev)
		p->prev->next = p->next;
	else
		rt->oldest = p->next;
	if (p->next)
		p->next->prev = p->prev;
	else
		rt->newest = p->prev;
	rt->st.pending--;
	free(p);
}

static void remember(struct relay_track *rt, const struct in6_addr *client,
		     const struct dhcp4_msg *m4)
{
	struct pending *p = find_pending(rt, m4->xid, client);

	if (p) {
		pending_del(rt, p);	/* a retransmission: its data anew */
	} else if (rt->st.pending >= rt->cfg.max_pending) {
		/* the oldest gives way: its ACK falls back to the source */
		rt->st.pending_full++;
		pending_del(rt, rt->oldest);
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return;
	p->client = *client;
	p->xid = m4->xid;
	p->has_saddr = m4->has_saddr;
	p->saddr = m4->saddr;
	p->cid = relay_client_hash(m4);
	p->req_ipv4 = m4->has_requested_ip ? m4->requested_ip : m4->ciaddr;
	p->created_ms = now(rt);
	htab_add(&rt->pend, &p->node, pend_hash(p->xid, client));
	p->prev = rt->newest;
	if (rt->newest)
		rt->newest->next = p;
	else
		rt->oldest = p;
	rt->newest = p;
	rt->st.pending++;
}

/* ---- rate limit ---------------------------------------------------------- */

static struct in6_addr subscriber(const struct relay_track *rt,
				  const struct in6_addr *a)
{
	struct in6_addr p = *a;
	unsigned int i, bits = rt->cfg.sub_plen;

	for (i = 0; i < 16; i++) {
		if (bits >= 8) {
			bits -= 8;
			continue;
		}
		p.s6_addr[i] &= (uint8_t)(0xff00 >> bits);
		bits = 0;
	}
	return p;
}

/* 0: go; 1: over the rate; 2: no room for a new subscriber. */
static int admit(struct relay_track *rt, const struct in6_addr *client)
{
	struct in6_addr pre = subscriber(rt, client);
	uint32_t h = hash_bytes(&pre, sizeof(pre));
	int64_t t = now(rt);
	struct bucket *b = NULL;
	struct hnode *n;

	for (n = htab_chain(&rt->buckets, h); n; n = n->next) {
		b = hnode_entry(n, struct bucket, node);
		if (n->hash == h && !memcmp(&b->prefix, &pre, sizeof(pre)))
			break;
		b = NULL;
	}
	if (!b) {
		if (rt->st.clients >= rt->cfg.max_clients)
			return 2;
		b = calloc(1, sizeof(*b));
		if (!b)
			return 2;
		b->prefix = pre;
		b->tokens = rt->cfg.burst;
		b->last_ms = t;
		htab_add(&rt->buckets, &b->node, h);
		rt->st.clients++;
	}
	b->tokens += (double)(t - b->last_ms) * rt->cfg.rate / 1000.0;
	if (b->tokens > rt->cfg.burst)
		b->tokens = rt->cfg.burst;
	b->last_ms = t;
	if (b->tokens < 1.0)
		return 1;
	b->tokens -= 1.0;
	return 0;
}

/* ---- what passes ------------------------------------------------------- */

bool relay_track_up(struct relay_track *rt, const struct in6_addr *client,
		    const struct dhcp4_msg *m4)
{
	char a6[FMT_IPV6_LEN], a4[FMT_IPV4_LEN];
	uint32_t ipv4;
	int r = admit(rt, client);

	if (r) {
		if (r == 1)
			rt->st.rate_limited++;
		else
			rt->st.clients_full++;
		if (log_limit_ok(&rt->ll))
			log_debug("relay: from %s dropped: %s",
				  fmt_ipv6(client, a6),
				  r == 1 ? "over its rate" : "too many clients");
		return false;
	}
	rt->st.up[m4 && m4->type < RELAY_TYPES ? m4->type : 0]++;
	if (!m4)
		return true;
	switch (m4->type) {
	case DHCP4_DISCOVER:
	case DHCP4_REQUEST:
		remember(rt, client, m4);
		break;
	case DHCP4_RELEASE:
	case DHCP4_DECLINE:
		ipv4 = m4->type == DHCP4_RELEASE || !m4->has_requested_ip ?
		       m4->ciaddr : m4->requested_ip;
		if (!ipv4)
			break;
		if (remove_client(rt, client, relay_client_hash(m4), ipv4, NULL,
				  m4->type == DHCP4_RELEASE ? "RELEASE" :
							      "DECLINE")) {
			if (m4->type == DHCP4_RELEASE)
				rt->st.released++;
			else
				rt->st.declined++;
		} else {
			log_debug("relay: %s of %s from %s: no binding of its",
				  m4->type == DHCP4_RELEASE ? "RELEASE" : "DECLINE",
				  fmt_ipv4(ipv4, a4), fmt_ipv6(client, a6));
		}
		break;
	}
	return true;
}

/* A B4's address: global unicast (not ::, loopback, link-local, multicast, v4-mapped). */
static bool b4_usable(const struct in6_addr *a)
{
	return !IN6_IS_ADDR_UNSPECIFIED(a) && !IN6_IS_ADDR_LOOPBACK(a) &&
	       !IN6_IS_ADDR_LINKLOCAL(a) && !IN6_IS_ADDR_MULTICAST(a) &&
	       !IN6_IS_ADDR_V4MAPPED(a) && !IN6_IS_ADDR_SITELOCAL(a);
}

static void ack(struct relay_track *rt, const struct in6_addr *client,
		const struct dhcp4_msg *m4, struct pending *p)
{
	char a6[FMT_IPV6_LEN], c6[FMT_IPV6_LEN];
	struct lw4o6_mapping m;
	uint64_t cid;
	int64_t expires;
	uint32_t lease;

	memset(&m, 0, sizeof(m));
	m.b4 = p && p->has_saddr ? p->saddr : *client;
	if (memcmp(&m.b4, client, sizeof(*client))) {
		rt->st.saddr_mismatch++;
		if (log_limit_ok(&rt->ll))
			log_notice("relay: ACK xid %#x for %s, whose option 109 names %s: no binding",
				   m4->xid, fmt_ipv6(client, c6),
				   fmt_ipv6(&m.b4, a6));
		return;
	}
	if (!b4_usable(&m.b4)) {
		rt->st.bad_b4++;
		if (log_limit_ok(&rt->ll))
			log_notice("relay: ACK xid %#x for %s: not a B4 address (no 109, not global): no binding",
				   m4->xid, fmt_ipv6(client, c6));
		return;
	}
	if (!m4->yiaddr) {
		rt->st.bad_ack++;
		return;
	}
	m.ipv4 = m4->yiaddr;
	if (m4->has_portparams) {
		m.psid = m4->psid;
		m.psid_len = m4->psid_len;
		m.offset = m4->offset;
	}
	lease = m4->has_lease_time ? m4->lease_time : rt->cfg.default_lease;
	if (!lease) {
		rt->st.bad_ack++;
		return;
	}
	expires = lease == UINT32_MAX ? INT64_MAX :
		  now(rt) + (int64_t)lease * 1000;
	cid = p ? p->cid : relay_client_hash(m4);
	if (install(rt, &m, cid, expires, "ACK"))
		return;
	rt->st.installed++;
	/* the client's other sets are gone: the server moved it */
	rt->st.moved += remove_client(rt, &m.b4, cid, 0,
				      find_set(rt, m.ipv4, m.psid),
				      "client ACKed another set");
}

void relay_track_down(struct relay_track *rt, const struct in6_addr *client,
		      const struct dhcp4_msg *m4)
{
	struct pending *p;

	rt->st.down[m4->type < RELAY_TYPES ? m4->type : 0]++;
	if (m4->type != DHCP4_ACK && m4->type != DHCP4_NAK)
		return;
	p = find_pending(rt, m4->xid, client);
	if (m4->type == DHCP4_ACK) {
		/* an ACK to INFORM has no yiaddr and grants nothing */
		if (m4->yiaddr)
			ack(rt, client, m4, p);
	} else if (remove_client(rt, client,
				 p ? p->cid : relay_client_hash(m4),
				 p ? p->req_ipv4 : 0, NULL, "NAK")) {
		rt->st.naked++;
	}
	if (p)
		pending_del(rt, p);
}

int relay_track_learn(struct relay_track *rt, const struct lw4o6_mapping *m,
		      uint32_t remaining)
{
	char why[48];
	int err;

	if (!remaining || !m->ipv4 || !b4_usable(&m->b4))
		return -EINVAL;
	snprintf(why, sizeof(why), "leasequery, %u s left", remaining);
	err = install(rt, m, 0, remaining == UINT32_MAX ? INT64_MAX :
				now(rt) + (int64_t)remaining * 1000, why);
	if (!err)
		rt->st.learned++;
	return err;
}

int relay_track_adopt(struct relay_track *rt, const struct lw4o6_mapping *m)
{
	struct binding *b;

	if (find_set(rt, m->ipv4, m->psid))
		return -EEXIST;
	if (rt->sets.n >= rt->cfg.max_bindings)
		return -ENOSPC;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->heap_i = SIZE_MAX;
	b->b.m = *m;
	b->b.expires_ms = INT64_MAX;
	htab_add(&rt->sets, &b->by_set, set_hash(m->ipv4, m->psid));
	htab_add(&rt->b4s, &b->by_b4, hash_bytes(&m->b4, sizeof(m->b4)));
	rt->st.adopted++;
	return 0;
}

int64_t relay_track_tick(struct relay_track *rt)
{
	int64_t t = now(rt), next = SWEEP_MS;

	while (rt->heap_n && rt->heap[0]->b.expires_ms <= t) {
		rt->st.expired++;
		remove_binding(rt, rt->heap[0], "lease expired");
	}
	while (rt->oldest &&
	       rt->oldest->created_ms + rt->cfg.pending_timeout_ms <= t)
		pending_del(rt, rt->oldest);
	if (t >= rt->next_sweep) {
		struct hnode *n, *tmp;
		size_t i;

		htab_for_each(&rt->buckets, i, n, tmp) {
			struct bucket *b = hnode_entry(n, struct bucket, node);

			if (t - b->last_ms >= IDLE_MS) {
				htab_del(&rt->buckets, n);
				free(b);
				rt->st.clients--;
			}
		}
		rt->next_sweep = t + SWEEP_MS;
	}
	if (rt->heap_n && rt->heap[0]->b.expires_ms - t < next)
		next = rt->heap[0]->b.expires_ms - t;
	if (rt->oldest &&
	    rt->oldest->created_ms + rt->cfg.pending_timeout_ms - t < next)
		next = rt->oldest->created_ms + rt->cfg.pending_timeout_ms - t;
	if (rt->next_sweep - t < next)
		next = rt->next_sweep - t;
	return next < 1 ? 1 : next;
}

void relay_track_stats(const struct relay_track *rt, struct relay_stats *st)
{
	*st = rt->st;
	st->bindings = rt->sets.n;
}

size_t relay_track_count(const struct relay_track *rt)
{
	return rt->sets.n;
}

struct relay_track *relay_track_new(const struct relay_track_cfg *cfg,
				    const struct relay_track_ops *ops)
{
	struct relay_track *rt = calloc(1, sizeof(*rt));

	if (!rt)
		return NULL;
	rt->cfg = *cfg;
	rt->ops = *ops;
	rt->ll.burst = 10;
	if (!rt->cfg.max_pending)
		rt->cfg.max_pending = 1;
	if (htab_init(&rt->sets) || htab_init(&rt->b4s) ||
	    htab_init(&rt->pend) || htab_init(&rt->buckets)) {
		relay_track_free(rt);
		return NULL;
	}
	rt->next_sweep = now(rt) + SWEEP_MS;
	return rt;
}

void relay_track_free(struct relay_track *rt)
{
	struct hnode *n, *tmp;
	size_t i;

	if (!rt)
		return;
	while (rt->oldest)
		pending_del(rt, rt->oldest);
	if (rt->sets.b)
		htab_for_each(&rt->sets, i, n, tmp)
			forget(rt, hnode_entry(n, struct binding, by_set));
	if (rt->buckets.b)
		htab_for_each(&rt->buckets, i, n, tmp) {
			htab_del(&rt->buckets, n);
			free(hnode_entry(n, struct bucket, node));
		}
	htab_fini(&rt->sets);
	htab_fini(&rt->b4s);
	htab_fini(&rt->pend);
	htab_fini(&rt->buckets);
	free(rt->heap);
	free(rt);
}
