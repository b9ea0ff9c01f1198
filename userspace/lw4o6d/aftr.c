// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The lwAFTR's PCP server (RFC 6887 MAP with RFC 7753 PORT_SET): it grants
 * port sets out of the configured pools, installs them as bindings in the
 * module, keeps them in stable storage, renews and expires them.
 *
 * A B4 is known only by the softwire's outer IPv6 source (the module
 * reports it with each request from inside the softwire) or, over plain
 * IPv6, by its source address: never by a field of the message, so a B4
 * can only ever touch its own mappings.
 *
 * Requests are handled in batches: everything waiting on a socket is
 * processed in one storage transaction, and the answers go out only after
 * it is committed.  A granted set is therefore on disk before the B4 hears
 * of it, and one fsync serves the whole batch (group commit).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <linux/lw4o6.h>
#include <lw4o6/psid.h>

#include "aftr.h"
#include "kernel.h"
#include "log.h"
#include "loop.h"
#include "pcp.h"
#include "pool.h"
#include "store.h"
#include "strconv.h"
#include "wire.h"

#define BATCH_MAX	256
#define ERR_LIFETIME_SHORT	30	/* RFC 6887 7.4: try again soon */
#define ERR_LIFETIME_LONG	600	/* ... or not soon */

struct b4_ent;

struct map_ent {
	struct lw4o6_mapping m;
	struct map_ent *next_key, *next_set, *next_owner;
	struct b4_ent *owner;
	bool in_kernel;		/* reconciliation only */
};

struct b4_ent {
	struct in6_addr b4;
	struct b4_ent *next;
	struct map_ent *maps;
	unsigned int n_maps;
	double tokens;
	int64_t last_ms;
};

/* Where a request came from, and so where its answer goes. */
struct origin {
	bool softwire;
	struct in6_addr b4;	/* identity: outer source, or IPv6 source */
	uint32_t src4;		/* softwire: the inner source (be) */
	uint16_t sport;
};

struct reply {
	struct origin o;
	size_t len;
	uint8_t buf[PCP_MAX_LEN];
};

static struct {
	struct lw4o6d_config cfg;
	struct kern *k;
	struct kern_dev dev;
	struct store st;
	struct pools *pools;
	int raw_fd, udp_fd;
	int64_t epoch_base;
	struct timer sweep;
	struct map_ent **by_key, **by_set;
	struct b4_ent **b4s;
	size_t n_buckets, n_maps, n_b4s;
	bool in_batch;
	struct reply *replies;
	size_t n_replies;
	struct map_ent *created[BATCH_MAX];
	size_t n_created;
	/*
	 * Our own deletes, oldest first: their events come back in the same
	 * order on the events socket, and only the others are an operator's.
	 */
	struct own_del {
		uint32_t ipv4;
		uint16_t psid;
		struct in6_addr b4;
	} *own;
	size_t own_head, own_n, own_cap;
	struct log_limit ll;
	uint64_t n_requests, n_granted, n_renewed, n_deleted, n_expired,
		 n_refused, n_limited, n_forgotten;
} S;

/* ---- tables ------------------------------------------------------------- */

static uint32_t fnv(const void *p, size_t len, uint32_t h)
{
	const uint8_t *b = p;

	while (len--)
		h = (h ^ *b++) * 16777619u;
	return h;
}

static size_t key_hash(const struct in6_addr *b4, uint8_t proto,
		       uint16_t port)
{
	uint32_t h = fnv(b4, sizeof(*b4), 2166136261u);

	h = fnv(&proto, 1, h);
	return fnv(&port, 2, h) & (S.n_buckets - 1);
}

static size_t set_hash(uint32_t ipv4, uint16_t psid)
{
	return fnv(&psid, 2, fnv(&ipv4, 4, 2166136261u)) & (S.n_buckets - 1);
}

static size_t b4_hash(const struct in6_addr *b4)
{
	return fnv(b4, sizeof(*b4), 2166136261u) & (S.n_buckets - 1);
}

static void link_map(struct map_ent *e)
{
	size_t h = key_hash(&e->m.b4, e->m.protocol, e->m.internal_port);

	e->next_key = S.by_key[h];
	S.by_key[h] = e;
	h = set_hash(e->m.ipv4, e->m.psid);
	e->next_set = S.by_set[h];
	S.by_set[h] = e;
}

static int grow(void)
{
	size_t old = S.n_buckets, n = old ? old * 2 : 1024, i;
	struct map_ent **ok = S.by_key, **os = S.by_set;
	struct b4_ent **ob = S.b4s;
	struct map_ent *e, *next;
	struct b4_ent *b, *bn;

	S.by_key = calloc(n, sizeof(*S.by_key));
	S.by_set = calloc(n, sizeof(*S.by_set));
	S.b4s = calloc(n, sizeof(*S.b4s));
	if (!S.by_key || !S.by_set || !S.b4s) {
		free(S.by_key);
		free(S.by_set);
		free(S.b4s);
		S.by_key = ok;
		S.by_set = os;
		S.b4s = ob;
		return -ENOMEM;
	}
	S.n_buckets = n;
	for (i = 0; i < old; i++) {
		for (e = ok[i]; e; e = next) {
			next = e->next_key;
			link_map(e);
		}
		for (b = ob[i]; b; b = bn) {
			size_t h = b4_hash(&b->b4);

			bn = b->next;
			b->next = S.b4s[h];
			S.b4s[h] = b;
		}
	}
	free(ok);
	free(os);
	free(ob);
	return 0;
}

static struct map_ent *find_key(const struct in6_addr *b4, uint8_t proto,
				 uint16_t port)
{
	struct map_ent *e = S.by_key[key_hash(b4, proto, port)];

	for (; e; e = e->next_key)
		if (!memcmp(&e->m.b4, b4, sizeof(*b4)) &&
		    e->m.protocol == proto && e->m.internal_port == port)
			return e;
	return NULL;
}

static struct map_ent *find_set(uint32_t ipv4, uint16_t psid)
{
	struct map_ent *e = S.by_set[set_hash(ipv4, psid)];

	for (; e; e = e->next_set)
		if (e->m.ipv4 == ipv4 && e->m.psid == psid)
			return e;
	return NULL;
}

static struct b4_ent *b4_get(const struct in6_addr *a, bool create)
{
	struct b4_ent *b = S.b4s[b4_hash(a)];
	size_t h;

	for (; b; b = b->next)
		if (!memcmp(&b->b4, a, sizeof(*a)))
			return b;
	if (!create)
		return NULL;
	if (S.n_b4s >= S.n_buckets * 2 && grow())
		return NULL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->b4 = *a;
	b->tokens = S.cfg.burst;
	b->last_ms = loop_now_ms();
	h = b4_hash(a);
	b->next = S.b4s[h];
	S.b4s[h] = b;
	S.n_b4s++;
	return b;
}

/* Adds e, which owns nothing yet, to the tables. */
static int add_map(struct map_ent *e)
{
	if (S.n_maps >= S.n_buckets * 2 && grow())
		return -ENOMEM;
	e->owner = b4_get(&e->m.b4, true);
	if (!e->owner)
		return -ENOMEM;
	link_map(e);
	e->next_owner = e->owner->maps;
	e->owner->maps = e;
	e->owner->n_maps++;
	S.n_maps++;
	return 0;
}

static void unlink_map(struct map_ent *e)
{
	struct map_ent **p;

	for (p = &S.by_key[key_hash(&e->m.b4, e->m.protocol,
				    e->m.internal_port)];
	     *p; p = &(*p)->next_key)
		if (*p == e) {
			*p = e->next_key;
			break;
		}
	for (p = &S.by_set[set_hash(e->m.ipv4, e->m.psid)]; *p;
	     p = &(*p)->next_set)
		if (*p == e) {
			*p = e->next_set;
			break;
		}
	for (p = &e->owner->maps; *p; p = &(*p)->next_owner)
		if (*p == e) {
			*p = e->next_owner;
			break;
		}
	e->owner->n_maps--;
	S.n_maps--;
}

static void grant_of(const struct lw4o6_mapping *m, struct pool_grant *g)
{
	g->ipv4 = m->ipv4;
	g->psid = m->psid;
	g->psid_len = m->psid_len;
	g->offset = m->offset;
}

static const char *map_str(const struct lw4o6_mapping *m, char *buf,
			   size_t len)
{
	char a4[FMT_IPV4_LEN], a6[FMT_IPV6_LEN];

	snprintf(buf, len, "%s psid %u/%u offset %u b4 %s",
		 fmt_ipv4(m->ipv4, a4), m->psid, m->psid_len, m->offset,
		 fmt_ipv6(&m->b4, a6));
	return buf;
}

/* Takes e out everywhere: kernel, store, pool, tables. */
static void own_del_push(const struct lw4o6_mapping *m)
{
	struct own_del *d;

	if (S.own_n == S.own_cap) {
		size_t cap = S.own_cap ? S.own_cap * 2 : 64, i;
		struct own_del *n = malloc(cap * sizeof(*n));

		if (!n)
			return;	/* its event will look like an operator's: harmless, already gone */
		for (i = 0; i < S.own_n; i++)
			n[i] = S.own[(S.own_head + i) % S.own_cap];
		free(S.own);
		S.own = n;
		S.own_cap = cap;
		S.own_head = 0;
	}
	d = &S.own[(S.own_head + S.own_n++) % S.own_cap];
	d->ipv4 = m->ipv4;
	d->psid = m->psid;
	d->b4 = m->b4;
}

/* Is this delete event the oldest of ours?  Then it is consumed. */
static bool own_del_pop(const struct lw4o6_mapping *m)
{
	struct own_del *d;

	if (!S.own_n)
		return false;
	d = &S.own[S.own_head];
	if (d->ipv4 != m->ipv4 || d->psid != m->psid ||
	    memcmp(&d->b4, &m->b4, sizeof(m->b4)))
		return false;
	S.own_head = (S.own_head + 1) % S.own_cap;
	S.own_n--;
	return true;
}

static void remove_map(struct map_ent *e, bool kernel, const char *why)
{
	struct pool_grant g;
	char s[160];
	size_t i;
	int err;

	if (kernel) {
		err = kern_bind_del(S.k, e->m.ipv4, e->m.psid, e->m.psid_len);
		if (!err)
			own_del_push(&e->m);
		else if (err != -ENOENT)
			log_warn("removing binding %s: %s", map_str(&e->m, s, sizeof(s)),
				 strerror(-err));
	}
	for (i = 0; i < S.n_created; i++)
		if (S.created[i] == e)
			S.created[i] = S.created[--S.n_created];
	err = S.st.ops->del(&S.st, &e->m);
	if (err && err != -ENOENT)
		log_err("store: %s", S.st.err);
	grant_of(&e->m, &g);
	pools_release(S.pools, &g);
	unlink_map(e);
	log_info("mapping %s: %s", why, map_str(&e->m, s, sizeof(s)));
	free(e);
}

/* ---- time --------------------------------------------------------------- */

static int64_t now_s(void)
{
	return (int64_t)time(NULL);
}

static uint32_t epoch(void)
{
	int64_t e = now_s() - S.epoch_base;

	return e < 0 ? 0 : (uint32_t)e;
}

/* ---- sending ------------------------------------------------------------ */

static void batch_begin(void);
static void batch_end(void);

static void send_now(const struct origin *o, const uint8_t *buf, size_t len)
{
	uint8_t pkt[PCP_MAX_LEN + 28];
	struct sockaddr_in6 to = { .sin6_family = AF_INET6 };
	ssize_t n;

	to.sin6_addr = o->b4;
	if (o->softwire) {
		struct udp4 u = {
			.src = htonl(LW4O6_CONTROL_ADDR), .dst = o->src4,
			.sport = PCP_SERVER_PORT, .dport = o->sport,
			.data = buf, .len = len,
		};

		len = udp4_build(&u, pkt, sizeof(pkt));
		n = sendto(S.raw_fd, pkt, len, 0, (struct sockaddr *)&to,
			   sizeof(to));
	} else {
		to.sin6_port = htons(o->sport);
		n = sendto(S.udp_fd, buf, len, 0, (struct sockaddr *)&to,
			   sizeof(to));
	}
	if (n < 0 && log_limit_ok(&S.ll)) {
		char a6[FMT_IPV6_LEN];

		log_warn("sending to %s: %s", fmt_ipv6(&o->b4, a6),
			 strerror(errno));
	}
}

static void reply(const struct origin *o, const uint8_t *buf, size_t len)
{
	struct reply *r;

	if (!len)
		return;
	if (!S.in_batch) {
		send_now(o, buf, len);
		return;
	}
	if (S.n_replies == BATCH_MAX) {	/* commit what we have, go on */
		batch_end();
		batch_begin();
		if (!S.in_batch) {
			send_now(o, buf, len);
			return;
		}
	}
	r = &S.replies[S.n_replies++];
	r->o = *o;
	r->len = len;
	memcpy(r->buf, buf, len);
}

static void reply_msg(const struct origin *o, const struct pcp_msg *m)
{
	uint8_t buf[PCP_MAX_LEN];

	reply(o, buf, pcp_build(m, buf, sizeof(buf)));
}

static void refuse(const struct origin *o, const uint8_t *req, size_t len,
		   uint8_t result)
{
	uint8_t buf[PCP_MAX_LEN];
	uint32_t lt = (result == PCP_NO_RESOURCES ||
		       result == PCP_NETWORK_FAILURE ||
		       result == PCP_USER_EX_QUOTA ||
		       result == PCP_CANNOT_PROVIDE_EXTERNAL) ?
		      ERR_LIFETIME_SHORT : ERR_LIFETIME_LONG;

	S.n_refused++;
	if (log_limit_ok(&S.ll)) {
		char a6[FMT_IPV6_LEN];

		log_info("refused %s: %s", fmt_ipv6(&o->b4, a6),
			 pcp_result_name(result));
	}
	reply(o, buf, pcp_error_response(req, len, result, lt, epoch(), buf,
					 sizeof(buf)));
}

static void batch_begin(void)
{
	int err = S.st.ops->begin(&S.st);

	if (err)
		log_err("store: %s", S.st.err);
	S.in_batch = !err;
	S.n_replies = 0;
	S.n_created = 0;
}

static void batch_end(void)
{
	size_t i;

	if (!S.in_batch)
		return;
	S.in_batch = false;
	if (S.st.ops->commit(&S.st)) {
		/* Nothing the B4s were not told of may stay; they will ask again. */
		log_err("store: %s: %zu answers withheld", S.st.err,
			S.n_replies);
		while (S.n_created)	/* remove_map() takes it off the list */
			remove_map(S.created[0], true, "rolled back");
		return;
	}
	for (i = 0; i < S.n_replies; i++)
		send_now(&S.replies[i].o, S.replies[i].buf, S.replies[i].len);
}

/* ---- requests ----------------------------------------------------------- */

static bool rate_ok(struct b4_ent *b)
{
	int64_t now = loop_now_ms();

	b->tokens += (double)(now - b->last_ms) * S.cfg.rate / 1000.0;
	if (b->tokens > S.cfg.burst)
		b->tokens = S.cfg.burst;
	b->last_ms = now;
	if (b->tokens < 1)
		return false;
	b->tokens -= 1;
	return true;
}

/* What the B4 asked for when it is within bounds, else the default. */
static uint32_t clamp_lifetime(uint32_t lt)
{
	if (lt < S.cfg.lifetime_min || lt > S.cfg.lifetime_max)
		return S.cfg.lifetime_default;
	return lt;
}

/* The suggested external address and port, as a set, if a pool holds it. */
static bool suggested(const struct pcp_msg *m, struct pool_grant *g)
{
	uint32_t v4, host;
	size_t i;

	if (!pcp_is_v4mapped(&m->external, &v4) || !v4 || !m->external_port)
		return false;
	host = ntohl(v4);
	for (i = 0; i < S.cfg.n_pools; i++) {
		const struct pool_cfg *p = &S.cfg.pools[i];
		uint32_t mask = p->plen ? ~0u << (32 - p->plen) : 0;

		if ((host & mask) != (ntohl(p->prefix) & mask))
			continue;
		if (!lw4o6_port_usable(m->external_port, p->offset))
			return false;
		g->ipv4 = v4;
		g->psid_len = p->psid_len;
		g->offset = p->offset;
		g->psid = lw4o6_port_psid(m->external_port, p->offset,
					  p->psid_len);
		return true;
	}
	return false;
}

static void answer_map(const struct origin *o, const struct pcp_msg *req,
		       const struct lw4o6_mapping *m, uint32_t lifetime)
{
	struct pcp_msg r;

	memset(&r, 0, sizeof(r));
	r.version = PCP_VERSION;
	r.response = true;
	r.opcode = PCP_OP_MAP;
	r.result = PCP_SUCCESS;
	r.lifetime = lifetime;
	r.epoch = epoch();
	memcpy(r.nonce, req->nonce, sizeof(r.nonce));
	r.protocol = req->protocol;
	r.internal_port = req->internal_port;
	if (m) {
		pcp_v4mapped(m->ipv4, &r.external);
		portset_to_pcp(m->psid, m->psid_len, m->offset, &r);
		/* RFC 7753: PORT_SET only in answer to one. */
		r.port_set.present = req->port_set.present;
		r.port_set.parity = req->port_set.parity;
		r.port_params.present |= req->port_params.present;
	} else {
		r.external = req->external;
		r.external_port = req->external_port;
	}
	reply_msg(o, &r);
}

static int new_map(const struct origin *o, const struct pcp_msg *req,
		   uint32_t lifetime, struct map_ent **out)
{
	struct pool_grant g;
	struct map_ent *e;
	char s[160];
	int err;

	if (suggested(req, &g) && !pools_reserve(S.pools, &g)) {
		/* the B4's old set, asked for again, is still free */
	} else if (req->prefer_failure && suggested(req, &g)) {
		return PCP_CANNOT_PROVIDE_EXTERNAL;
	} else if (pools_alloc(S.pools, &o->b4, &g)) {
		return PCP_NO_RESOURCES;
	}
	e = calloc(1, sizeof(*e));
	if (!e) {
		pools_release(S.pools, &g);
		return PCP_NO_RESOURCES;
	}
	e->m.b4 = o->b4;
	e->m.protocol = req->protocol;
	e->m.internal_port = req->internal_port;
	memcpy(e->m.nonce, req->nonce, sizeof(e->m.nonce));
	e->m.ipv4 = g.ipv4;
	e->m.psid = g.psid;
	e->m.psid_len = g.psid_len;
	e->m.offset = g.offset;
	e->m.created = now_s();
	e->m.expires = e->m.created + lifetime;
	if (S.st.ops->put(&S.st, &e->m)) {
		log_err("store: %s", S.st.err);
		goto undo;
	}
	err = kern_bind_add(S.k, &e->m, false);
	if (err) {
		log_err("installing binding %s: %s%s%s", map_str(&e->m, s, sizeof(s)),
			strerror(-err), *kern_last_error(S.k) ? ": " : "",
			kern_last_error(S.k));
		S.st.ops->del(&S.st, &e->m);
		goto undo;
	}
	if (add_map(e)) {
		kern_bind_del(S.k, e->m.ipv4, e->m.psid, e->m.psid_len);
		S.st.ops->del(&S.st, &e->m);
		goto undo;
	}
	if (S.in_batch && S.n_created < BATCH_MAX)
		S.created[S.n_created++] = e;
	S.n_granted++;
	log_info("granted %s for %us", map_str(&e->m, s, sizeof(s)), lifetime);
	*out = e;
	return 0;
undo:
	pools_release(S.pools, &g);
	free(e);
	return PCP_NO_RESOURCES;
}

static void do_map(const struct origin *o, struct b4_ent *b,
		   const struct pcp_msg *req, const uint8_t *buf, size_t len)
{
	struct map_ent *e = find_key(&o->b4, req->protocol,
				     req->internal_port);
	uint32_t lt;
	int r;

	if (e && memcmp(e->m.nonce, req->nonce, PCP_NONCE_LEN)) {
		refuse(o, buf, len, PCP_NOT_AUTHORIZED);
		return;
	}
	if (!req->lifetime) {
		struct lw4o6_mapping m;

		if (e) {
			m = e->m;
			remove_map(e, true, "deleted by its B4");
			S.n_deleted++;
		}
		answer_map(o, req, e ? &m : NULL, 0);
		return;
	}
	/* An lwAFTR hands out port sets, not single ports. */
	if (!req->port_set.present) {
		refuse(o, buf, len, PCP_NO_RESOURCES);
		return;
	}
	lt = clamp_lifetime(req->lifetime);
	if (e) {
		e->m.expires = now_s() + lt;
		if (S.st.ops->put(&S.st, &e->m)) {
			log_err("store: %s", S.st.err);
			refuse(o, buf, len, PCP_NETWORK_FAILURE);
			return;
		}
		S.n_renewed++;
		answer_map(o, req, &e->m, lt);
		return;
	}
	if (b->n_maps >= S.cfg.quota) {
		refuse(o, buf, len, PCP_USER_EX_QUOTA);
		return;
	}
	r = new_map(o, req, lt, &e);
	if (r) {
		refuse(o, buf, len, r);
		return;
	}
	answer_map(o, req, &e->m, lt);
}

static int key_cmp(const struct lw4o6_mapping *a, uint8_t proto,
		   uint16_t port)
{
	if (a->protocol != proto)
		return a->protocol < proto ? -1 : 1;
	if (a->internal_port != port)
		return a->internal_port < port ? -1 : 1;
	return 0;
}

/*
 * GET (draft-boucadair-pcp-failure): the B4's mappings one per answer, in
 * (protocol, internal port) order, each with a NEXT that names it; the B4
 * asks again with that NEXT until an answer says there are no more.
 */
static void do_get(const struct origin *o, struct b4_ent *b,
		   const struct pcp_msg *req)
{
	struct map_ent *e, *best = NULL, *after = NULL;
	struct pcp_msg r;
	int64_t left;

	for (e = b ? b->maps : NULL; e; e = e->next_owner) {
		if (req->next.present &&
		    key_cmp(&e->m, req->next.protocol,
			    req->next.internal_port) <= 0)
			continue;
		if (!best || key_cmp(&e->m, best->m.protocol,
				     best->m.internal_port) < 0)
			best = e;
	}
	for (e = b ? b->maps : NULL; best && e; e = e->next_owner)
		if (key_cmp(&e->m, best->m.protocol,
			    best->m.internal_port) > 0)
			after = e;
	memset(&r, 0, sizeof(r));
	r.version = PCP_VERSION;
	r.response = true;
	r.opcode = PCP_OP_GET;
	r.result = PCP_SUCCESS;
	r.epoch = epoch();
	memcpy(r.nonce, req->nonce, sizeof(r.nonce));
	if (best) {
		left = best->m.expires - now_s();
		r.lifetime = left > 0 ? (uint32_t)left : 0;
		memcpy(r.nonce, best->m.nonce, sizeof(r.nonce));
		r.protocol = best->m.protocol;
		r.internal_port = best->m.internal_port;
		pcp_v4mapped(best->m.ipv4, &r.external);
		portset_to_pcp(best->m.psid, best->m.psid_len, best->m.offset,
			       &r);
		r.next.present = true;
		memcpy(r.next.nonce, best->m.nonce, sizeof(r.next.nonce));
		r.next.protocol = best->m.protocol;
		r.next.internal_port = best->m.internal_port;
		r.next.internal = best->m.b4;
		r.next.more = after != NULL;
	}
	reply_msg(o, &r);
}

static void request(const struct origin *o, const uint8_t *buf, size_t len)
{
	struct in6_addr seen;
	struct b4_ent *b;
	struct pcp_msg m;
	int r;

	S.n_requests++;
	b = b4_get(&o->b4, true);
	if (!b)
		return;
	if (!rate_ok(b)) {
		S.n_limited++;
		if (log_limit_ok(&S.ll)) {
			char a6[FMT_IPV6_LEN];

			log_info("rate limit: dropped a request from %s",
				 fmt_ipv6(&o->b4, a6));
		}
		return;
	}
	r = pcp_parse_request(buf, len, &m);
	if (r == PCP_SILENT)
		return;
	if (r) {
		refuse(o, buf, len, (uint8_t)r);
		return;
	}
	if (o->softwire)
		pcp_v4mapped(o->src4, &seen);
	else
		seen = o->b4;
	if (memcmp(&seen, &m.client, sizeof(seen))) {
		refuse(o, buf, len, PCP_ADDRESS_MISMATCH);
		return;
	}
	/* Only ever one's own mappings: nobody asks on another's behalf. */
	if (m.third_party) {
		refuse(o, buf, len, PCP_NOT_AUTHORIZED);
		return;
	}
	switch (m.opcode) {
	case PCP_OP_ANNOUNCE: {
		struct pcp_msg a = { .version = PCP_VERSION, .response = true,
				     .opcode = PCP_OP_ANNOUNCE,
				     .epoch = epoch() };

		reply_msg(o, &a);
		break;
	}
	case PCP_OP_MAP:
		do_map(o, b, &m, buf, len);
		break;
	case PCP_OP_GET:
		do_get(o, b4_get(&o->b4, false), &m);
		break;
	default:
		refuse(o, buf, len, PCP_UNSUPP_OPCODE);
	}
}

/* ---- sockets and events ------------------------------------------------- */

static void on_control(const struct in6_addr *b4, const uint8_t *pkt,
		       size_t len, void *arg)
{
	struct origin o = { .softwire = true, .b4 = *b4 };
	struct udp4 u;

	(void)arg;
	if (udp4_parse(pkt, len, &u) || u.dport != PCP_SERVER_PORT)
		return;
	/*
	 * Only the B4 itself speaks for its softwire (RFC 6333 5.7): a LAN
	 * host NATed to the shared address must not, though it shares the
	 * outer source.
	 */
	if (u.src != htonl(LW4O6_B4_CONTROL_ADDR)) {
		if (log_limit_ok(&S.ll)) {
			char a6[FMT_IPV6_LEN];

			log_info("ignored PCP from inside %s's softwire not from 192.0.0.2",
				 fmt_ipv6(b4, a6));
		}
		return;
	}
	o.src4 = u.src;
	o.sport = u.sport;
	request(&o, u.data, u.len);
}

static void on_bind_del(const struct lw4o6_mapping *k, void *arg)
{
	struct map_ent *e;

	(void)arg;
	if (own_del_pop(k))
		return;
	e = find_set(k->ipv4, k->psid);
	if (!e || e->m.psid_len != k->psid_len ||
	    memcmp(&e->m.b4, &k->b4, sizeof(k->b4)))
		return;
	S.n_forgotten++;
	remove_map(e, false, "removed from the kernel by hand, forgotten");
}

/* An operator gave one of our sets to another B4: it is theirs now. */
static void on_bind_replace(const struct lw4o6_mapping *k, void *arg)
{
	struct map_ent *e = find_set(k->ipv4, k->psid);

	(void)arg;
	if (!e || !memcmp(&e->m.b4, &k->b4, sizeof(k->b4)))
		return;
	S.n_forgotten++;
	remove_map(e, false, "replaced in the kernel by hand, forgotten");
}

static int mark_cb(const struct lw4o6_mapping *k, void *arg)
{
	struct map_ent *e = find_set(k->ipv4, k->psid);

	(void)arg;
	if (e && e->m.psid_len == k->psid_len &&
	    !memcmp(&e->m.b4, &k->b4, sizeof(k->b4)))
		e->in_kernel = true;
	return 0;
}

/*
 * The kernel's table changed behind our back as a whole, or we lost its
 * events: whatever of ours it no longer holds was removed by an operator.
 */
static void resync(bool flushed, void *arg)
{
	struct map_ent *e, *next;
	size_t i, n = 0;
	int err;

	(void)arg;
	S.own_n = 0;
	for (i = 0; i < S.n_buckets; i++)
		for (e = S.by_key[i]; e; e = e->next_key)
			e->in_kernel = false;
	if (!flushed) {
		err = kern_bind_dump(S.k, mark_cb, NULL);
		if (err) {
			log_err("reading the kernel's bindings: %s", strerror(-err));
			return;
		}
	}
	for (i = 0; i < S.n_buckets; i++)
		for (e = S.by_key[i]; e; e = next) {
			next = e->next_key;
			if (e->in_kernel)
				continue;
			remove_map(e, false, "gone from the kernel, forgotten");
			n++;
		}
	S.n_forgotten += n;
	log_notice("the kernel's table changed as a whole: %zu mappings forgotten, %zu kept",
		   n, S.n_maps);
}

static void on_kernel(int fd, void *arg)
{
	(void)fd;
	(void)arg;
	batch_begin();
	kern_events_read(S.k);
	batch_end();
}

static void on_udp(int fd, void *arg)
{
	uint8_t buf[PCP_MAX_LEN + 4];
	struct sockaddr_in6 from;
	socklen_t fl;
	ssize_t n;
	int i;

	(void)arg;
	batch_begin();
	for (i = 0; i < BATCH_MAX; i++) {
		struct origin o = { .softwire = false };

		fl = sizeof(from);
		n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT,
			     (struct sockaddr *)&from, &fl);
		if (n < 0)
			break;
		o.b4 = from.sin6_addr;
		o.sport = ntohs(from.sin6_port);
		request(&o, buf, (size_t)n);
	}
	batch_end();
}

/*
 * Anybody can send a request, so B4s without a mapping are forgotten once
 * their rate bucket has been full for a minute: memory follows mappings.
 */
static void evict_idle_b4s(void)
{
	int64_t now = loop_now_ms();
	struct b4_ent **p, *b;
	size_t i;

	for (i = 0; i < S.n_buckets; i++) {
		for (p = &S.b4s[i]; (b = *p);) {
			if (b->n_maps || now - b->last_ms < 60000) {
				p = &b->next;
				continue;
			}
			*p = b->next;
			free(b);
			S.n_b4s--;
		}
	}
}

static void sweep(struct timer *t)
{
	int64_t now = now_s();
	size_t i;
	struct map_ent *e, *next;
	bool any = false;

	for (i = 0; i < S.n_buckets; i++) {
		for (e = S.by_key[i]; e; e = next) {
			next = e->next_key;
			if (e->m.expires > now)
				continue;
			if (!any)
				batch_begin();
			any = true;
			remove_map(e, true, "expired");
			S.n_expired++;
		}
	}
	if (any)
		batch_end();
	evict_idle_b4s();
	timer_arm(t, 1000);
}

static int open_sockets(void)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6 };
	/* Send only: a filter that takes nothing keeps copies away. */
	struct sock_filter none[] = { { BPF_RET | BPF_K, 0, 0, 0 } };
	struct sock_fprog prog = { 1, none };
	int one = 1, rcvbuf = 1 << 20;

	S.raw_fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_IPIP);
	if (S.raw_fd < 0) {
		log_err("raw IPv6 socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(S.raw_fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog));
	sa.sin6_addr = S.dev.local;
	setsockopt(S.raw_fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one));
	if (bind(S.raw_fd, (struct sockaddr *)&sa, sizeof(sa))) {
		log_err("binding the raw socket to the device's local address: %s",
			strerror(errno));
		return -1;
	}
	S.udp_fd = -1;
	if (!S.cfg.has_listen6)
		return 0;
	S.udp_fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (S.udp_fd < 0)
		return -1;
	sa.sin6_addr = S.cfg.listen6;
	sa.sin6_port = htons(PCP_SERVER_PORT);
	/* A whole batch of requests must fit while the last one is handled. */
	setsockopt(S.udp_fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	setsockopt(S.udp_fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	setsockopt(S.udp_fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one));
	if (bind(S.udp_fd, (struct sockaddr *)&sa, sizeof(sa))) {
		log_err("listening on [%s]:%u: %s", "listen", PCP_SERVER_PORT,
			strerror(errno));
		return -1;
	}
	return loop_add_fd(S.udp_fd, on_udp, NULL);
}

/* ---- start: storage, the kernel's table, reconciliation ------------------ */

static int load_cb(const struct lw4o6_mapping *m, void *arg)
{
	struct map_ent *e = calloc(1, sizeof(*e));
	struct pool_grant g;
	char s[160];
	int err;

	(void)arg;
	if (!e)
		return -ENOMEM;
	e->m = *m;
	grant_of(m, &g);
	err = pools_reserve(S.pools, &g);
	if (err == -ENOENT)
		log_warn("stored mapping %s is outside every pool now: kept until it expires",
			 map_str(m, s, sizeof(s)));
	else if (err)
		log_warn("stored mapping %s clashes with another: kept", map_str(m, s, sizeof(s)));
	if (add_map(e)) {
		free(e);
		return -ENOMEM;
	}
	return 0;
}

static bool in_pools(uint32_t ipv4)
{
	uint32_t host = ntohl(ipv4);
	size_t i;

	for (i = 0; i < S.cfg.n_pools; i++) {
		const struct pool_cfg *p = &S.cfg.pools[i];
		uint32_t mask = p->plen ? ~0u << (32 - p->plen) : 0;

		if ((host & mask) == (ntohl(p->prefix) & mask))
			return true;
	}
	return false;
}

struct stale {
	struct lw4o6_mapping *v;
	size_t n, cap;
};

static int kernel_cb(const struct lw4o6_mapping *k, void *arg)
{
	struct map_ent *e = find_set(k->ipv4, k->psid);
	struct stale *st = arg;

	if (e && e->m.psid_len == k->psid_len && e->m.offset == k->offset &&
	    !memcmp(&e->m.b4, &k->b4, sizeof(k->b4))) {
		e->in_kernel = true;
		return 0;
	}
	if (e || !in_pools(k->ipv4))
		return 0;	/* ours, to be replaced; or an operator's own */
	if (st->n == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 64;
		struct lw4o6_mapping *v = realloc(st->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		st->v = v;
		st->cap = cap;
	}
	st->v[st->n++] = *k;
	return 0;
}

static int reconcile(void)
{
	struct stale st = { 0 };
	size_t i, installed = 0, removed = 0, expired = 0;
	struct map_ent *e, *next;
	int64_t now = now_s();
	char s[160];
	int err;

	err = S.st.ops->each(&S.st, load_cb, NULL);
	if (err) {
		log_err("loading %s: %s", S.cfg.storage_path,
			err == -ENOMEM ? "out of memory" : S.st.err);
		return -1;
	}
	err = kern_bind_dump(S.k, kernel_cb, &st);
	if (err) {
		log_err("reading the kernel's bindings: %s", strerror(-err));
		free(st.v);
		return -1;
	}
	/* In our pools but in no mapping: left by a store we no longer have. */
	for (i = 0; i < st.n; i++) {
		log_notice("binding %s has no mapping: removed",
			   map_str(&st.v[i], s, sizeof(s)));
		kern_bind_del(S.k, st.v[i].ipv4, st.v[i].psid,
			      st.v[i].psid_len);
		removed++;
	}
	free(st.v);
	batch_begin();
	for (i = 0; i < S.n_buckets; i++) {
		for (e = S.by_key[i]; e; e = next) {
			next = e->next_key;
			if (e->m.expires <= now) {
				remove_map(e, e->in_kernel, "expired while down");
				expired++;
				continue;
			}
			if (e->in_kernel)
				continue;
			/* Missing, or somebody else's binding on our set. */
			err = kern_bind_add(S.k, &e->m, true);
			if (err)
				log_err("reinstalling %s: %s", map_str(&e->m, s, sizeof(s)),
					strerror(-err));
			else
				installed++;
		}
	}
	batch_end();
	log_notice("reconciled: %zu mappings stored, %zu bindings reinstalled, %zu stale removed, %zu expired",
		   S.n_maps, installed, removed, expired);
	return 0;
}

static int collect_b4(const struct lw4o6_mapping *m, void *arg)
{
	struct stale *v = arg;

	if (v->n && !memcmp(&v->v[v->n - 1].b4, &m->b4, sizeof(m->b4)))
		return 0;
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 64;
		struct lw4o6_mapping *n = realloc(v->v, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		v->v = n;
		v->cap = cap;
	}
	v->v[v->n++] = *m;
	return 0;
}

/*
 * RFC 6887 14.1.1: a restarted server tells its clients.  Inside the
 * softwires there is no multicast, so each B4 that holds a mapping gets
 * its own unsolicited ANNOUNCE at 192.0.0.2.
 */
static void announce(const struct stale *to)
{
	struct pcp_msg a = { .version = PCP_VERSION, .response = true,
			     .opcode = PCP_OP_ANNOUNCE };
	uint8_t buf[PCP_MAX_LEN];
	size_t i, len;

	a.epoch = epoch();
	len = pcp_build(&a, buf, sizeof(buf));
	for (i = 0; i < to->n; i++) {
		struct origin o = { .softwire = true, .b4 = to->v[i].b4,
				    .src4 = htonl(LW4O6_B4_CONTROL_ADDR),
				    .sport = PCP_CLIENT_PORT };

		send_now(&o, buf, len);
	}
	log_notice("sent ANNOUNCE (epoch %u) to %zu B4s", a.epoch, to->n);
}

int aftr_start(const struct lw4o6d_config *c, bool reset_epoch)
{
	const struct store_ops *ops;
	struct kern_events ev = { .control = on_control,
				  .bind_del = on_bind_del,
				  .bind_replace = on_bind_replace,
				  .resync = resync };
	struct stale b4s = { 0 };
	int e;

	S.cfg = *c;
	S.ll.burst = 20;
	if (grow())
		return -1;
	S.k = kern_open_mode(c->device, LW4O6_MODE_AFTR, &S.dev);
	if (!S.k)
		return -1;
	S.replies = calloc(BATCH_MAX, sizeof(*S.replies));
	S.pools = pools_new(c->pools, c->n_pools);
	if (!S.replies || !S.pools) {
		log_err("pools: out of memory or invalid");
		return -1;
	}
	ops = store_find(c->storage_kind[0] ? c->storage_kind : "sqlite");
	if (!ops || store_open(&S.st, ops, c->storage_path)) {
		log_err("storage: %s", ops ? S.st.err : "unknown kind");
		return -1;
	}
	if (S.st.ops->each(&S.st, collect_b4, &b4s))
		log_warn("storage: %s", S.st.err);
	if (reset_epoch || S.st.ops->get_meta(&S.st, "epoch_base", &S.epoch_base)) {
		if (reset_epoch)
			log_notice("epoch reset: forgetting %zu B4s' mappings", b4s.n);
		S.epoch_base = now_s();
		if (S.st.ops->clear(&S.st) ||
		    S.st.ops->set_meta(&S.st, "epoch_base", S.epoch_base)) {
			log_err("storage: %s", S.st.err);
			return -1;
		}
	}
	if (reconcile())
		return -1;
	if (open_sockets())
		return -1;
	if ((e = kern_listen(S.k, true, true, &ev)) ||
	    (e = loop_add_fd(kern_event_fd(S.k), on_kernel, NULL))) {
		log_err("joining the module's control group: %s", strerror(-e));
		return -1;
	}
	timer_init(&S.sweep, sweep);
	timer_arm(&S.sweep, 1000);
	log_notice("aftr on %s: %llu port sets in %zu pools, %zu mappings, epoch %u",
		   c->device, (unsigned long long)pools_size(S.pools), c->n_pools,
		   S.n_maps, epoch());
	if (c->announce)
		announce(&b4s);
	free(b4s.v);
	return 0;
}

int aftr_reload(const struct lw4o6d_config *c)
{
	struct pools *p, *old = S.pools;
	size_t i;
	struct map_ent *e;

	if (strcmp(c->device, S.cfg.device) ||
	    strcmp(c->storage_path, S.cfg.storage_path)) {
		log_warn("reload: device and storage changes need a restart; kept the old ones");
		return -1;
	}
	p = pools_new(c->pools, c->n_pools);
	if (!p) {
		log_err("reload: pools: out of memory or invalid; nothing changed");
		return -1;
	}
	S.pools = p;
	for (i = 0; i < S.n_buckets; i++)
		for (e = S.by_key[i]; e; e = e->next_key) {
			struct pool_grant g;

			grant_of(&e->m, &g);
			pools_reserve(S.pools, &g);
		}
	pools_free(old);
	S.cfg.n_pools = c->n_pools;
	memcpy(S.cfg.pools, c->pools, sizeof(c->pools));
	S.cfg.lifetime_min = c->lifetime_min;
	S.cfg.lifetime_max = c->lifetime_max;
	S.cfg.lifetime_default = c->lifetime_default;
	S.cfg.quota = c->quota;
	S.cfg.rate = c->rate;
	S.cfg.burst = c->burst;
	log_notice("reloaded: %zu pools (%llu port sets, %llu in use)",
		   c->n_pools, (unsigned long long)pools_size(S.pools),
		   (unsigned long long)pools_used(S.pools));
	return 0;
}

void aftr_stop(void)
{
	log_notice("stopping: %zu mappings stay installed and stored; served %llu requests (%llu granted, %llu renewed, %llu deleted, %llu expired, %llu refused, %llu over the rate, %llu forgotten after operator changes)",
		   S.n_maps, (unsigned long long)S.n_requests,
		   (unsigned long long)S.n_granted,
		   (unsigned long long)S.n_renewed,
		   (unsigned long long)S.n_deleted,
		   (unsigned long long)S.n_expired,
		   (unsigned long long)S.n_refused,
		   (unsigned long long)S.n_limited,
		   (unsigned long long)S.n_forgotten);
	if (S.st.ops)
		S.st.ops->close(&S.st);
	kern_close(S.k);
}
