// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The AFTR's allocation rules (alloc.h).  Every change goes the same way:
 * pool, store, index, then the listeners, and is undone in the reverse
 * order when a step refuses, so that nothing is ever half applied: a set
 * is taken in the pool exactly when a lease holds it, and a lease is in
 * the index exactly when the store was asked to keep it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include "alloc.h"
#include "strconv.h"
#include "lease_log.h"
#include "log.h"
#include "loop.h"

#define MAX_LISTENERS	4
#define MAX_SELF	4
#define IDLE_B4_MS	60000
/*
 * Sets found held by somebody else (an operator's binding in the kernel,
 * another node's grant in a shared store) before one is free.
 */
#define GRANT_TRIES	8

struct listener {
	lease_listener_fn fn;
	void *arg;
};

/*
 * A subscriber (alloc.h): its leases and its request rate.  Made for the
 * first request of a prefix only while fewer than max_subs are tracked;
 * freed a minute after it was last heard once it holds no lease.
 */
struct sub {
	struct hnode node;
	struct in6_addr prefix;
	unsigned int n;		/* leases */
	double tokens;
	int64_t last_ms;
};

/* A removal inside the open transaction, told at its commit. */
struct dropped {
	struct lw4o6_mapping m;
	enum lease_event ev;
	bool in_kernel;
	bool created;		/* granted in the same transaction */
};

/* A move inside the open transaction, undone if it fails. */
struct moved {
	struct lw4o6_mapping from;	/* the lease as it was */
	struct in6_addr to;		/* its B4 address now */
	bool mirrored, wanted;		/* ... and whose */
};

struct alloc {
	struct store *st;
	struct alloc_limits lim;
	struct pools *pools;
	struct lease_table *leases;
	struct alloc_clock clock;
	int64_t since;
	struct mapping_b4 *start_b4s;
	bool epoch_began;		/* at this start: state was lost */
	size_t n_start_b4s, cap_start_b4s;
	struct listener listeners[MAX_LISTENERS];
	size_t n_listeners;
	bool in_txn;
	/* granted inside the open transaction: revoked if it fails */
	struct lease **created;
	size_t n_created, cap_created;
	struct dropped *dropped;
	size_t n_dropped, cap_dropped;
	struct moved *moved;
	size_t n_moved_txn, cap_moved;
	struct htab subs;
	struct in6_addr self[MAX_SELF];
	size_t n_self;
	struct pool_grant *foreign;
	size_t n_foreign, cap_foreign;
	/*
	 * Sets a shared store gave another node while we picked them
	 * (-EEXIST): kept taken until that node's lease arrives by the feed
	 * (it takes them over) or a resync finds none.
	 */
	struct pool_grant *raced;
	size_t n_raced, cap_raced;
	uint64_t n_granted, n_renewed, n_released, n_expired, n_forgotten;
	uint64_t n_moved;
	uint64_t n_mirrored, n_withdrawn, n_resyncs, n_raced_total, n_stale_kept;
	uint64_t n_put_off;	/* expiries put off while the store was away */
	size_t n_put_off_now;	/* in this sweep (one log line a sweep) */
};

static int64_t wall_s(void)
{
	return (int64_t)time(NULL);
}

struct alloc *alloc_new(struct store *st, const struct alloc_limits *lim,
			const struct pool_cfg *pools, size_t n_pools,
			const struct alloc_clock *clock)
{
	struct alloc *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->st = st;
	a->lim = *lim;
	a->clock.wall_s = clock && clock->wall_s ? clock->wall_s : wall_s;
	a->clock.mono_ms = clock && clock->mono_ms ? clock->mono_ms : loop_now_ms;
	a->pools = pools_new(pools, n_pools);
	a->leases = lease_table_new();
	if (!a->pools || !a->leases || htab_init(&a->subs)) {
		alloc_free(a);
		return NULL;
	}
	return a;
}

void alloc_free(struct alloc *a)
{
	if (!a)
		return;
	lease_table_free(a->leases);
	pools_free(a->pools);
	free(a->start_b4s);
	free(a->moved);
	free(a->created);
	free(a->dropped);
	free(a->foreign);
	free(a->raced);
	if (a->subs.b) {
		struct hnode *n, *tmp;
		size_t i;

		htab_for_each(&a->subs, i, n, tmp)
			free(hnode_entry(n, struct sub, node));
	}
	htab_fini(&a->subs);
	free(a);
}

int64_t alloc_now(const struct alloc *a)
{
	return a->clock.wall_s();
}

int64_t alloc_since(const struct alloc *a)
{
	return a->since;
}

bool alloc_epoch_began(const struct alloc *a)
{
	return a->epoch_began;
}

const struct mapping_b4 *alloc_b4s_at_start(const struct alloc *a, size_t *n)
{
	*n = a->n_start_b4s;
	return a->start_b4s;
}

static void grant_of(const struct lw4o6_mapping *m, struct pool_grant *g)
{
	g->ipv4 = m->ipv4;
	g->psid = m->psid;
	g->psid_len = m->psid_len;
	g->offset = m->offset;
}

/* ---- subscribers --------------------------------------------------------- */

static struct sub *sub_find(struct alloc *a, const struct in6_addr *b4,
			    uint32_t *hash)
{
	struct in6_addr p = *b4;
	struct hnode *n;

	in6_mask(&p, a->lim.sub_plen);
	*hash = hash_bytes(&p, sizeof(p));
	for (n = htab_chain(&a->subs, *hash); n; n = n->next) {
		struct sub *s = hnode_entry(n, struct sub, node);

		if (n->hash == *hash && !memcmp(&s->prefix, &p, sizeof(p)))
			return s;
	}
	return NULL;
}

/* b4's subscriber; made if missing and (capped) there is room.  */
static struct sub *sub_get(struct alloc *a, const struct in6_addr *b4,
			   bool capped)
{
	uint32_t h;
	struct sub *s = sub_find(a, b4, &h);

	if (s)
		return s;
	if (capped && a->lim.max_subs && a->subs.n >= a->lim.max_subs)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->prefix = *b4;
	in6_mask(&s->prefix, a->lim.sub_plen);
	htab_add(&a->subs, &s->node, h);
	return s;
}

static void sub_lease_gone(struct alloc *a, const struct in6_addr *b4)
{
	uint32_t h;
	struct sub *s = sub_find(a, b4, &h);

	if (s && s->n)
		s->n--;
}

static int count_lease(struct lease *l, void *arg)
{
	struct alloc *a = arg;
	struct sub *s = sub_get(a, &l->m.b4, false);

	if (!s)
		return -ENOMEM;
	s->n++;
	return 0;
}

/* After a new prefix length: the records again, from the leases. */
static int subs_rebuild(struct alloc *a)
{
	struct hnode *n, *tmp;
	size_t i;

	htab_for_each(&a->subs, i, n, tmp) {
		htab_del(&a->subs, n);
		free(hnode_entry(n, struct sub, node));
	}
	return lease_each(a->leases, count_lease, a);
}

/* ---- listeners ----------------------------------------------------------- */

int alloc_listen(struct alloc *a, lease_listener_fn fn, void *arg)
{
	if (a->n_listeners == MAX_LISTENERS)
		return -ENOSPC;
	a->listeners[a->n_listeners].fn = fn;
	a->listeners[a->n_listeners++].arg = arg;
	return 0;
}

void alloc_unlisten(struct alloc *a, lease_listener_fn fn, void *arg)
{
	size_t i;

	for (i = 0; i < a->n_listeners; i++) {
		if (a->listeners[i].fn != fn || a->listeners[i].arg != arg)
			continue;
		memmove(&a->listeners[i], &a->listeners[i + 1],
			(a->n_listeners - i - 1) * sizeof(a->listeners[0]));
		a->n_listeners--;
		return;
	}
}

/* Tells every listener; a refused grant is revoked from those told. */
static int notify(struct alloc *a, enum lease_event ev, const struct lease *l)
{
	size_t i;
	int err;

	for (i = 0; i < a->n_listeners; i++) {
		err = a->listeners[i].fn(ev, l, a->listeners[i].arg);
		if (err && ev == LEASE_GRANTED) {
			while (i--)
				a->listeners[i].fn(LEASE_REVOKED, l,
						   a->listeners[i].arg);
			return err;
		}
	}
	return 0;
}

/* ---- removal ------------------------------------------------------------- */

/* Room to remember one more removal of the open transaction. */
static int drop_room(struct alloc *a)
{
	size_t cap = a->cap_dropped ? a->cap_dropped * 2 : 64;
	struct dropped *d;

	if (a->n_dropped < a->cap_dropped)
		return 0;
	d = realloc(a->dropped, cap * sizeof(*d));
	if (!d)
		return -ENOMEM;
	a->dropped = d;
	a->cap_dropped = cap;
	return 0;
}

/* A removal the store has made durable: the kernel and the pool follow. */
static void drop_done(struct alloc *a, const struct lw4o6_mapping *m,
		      enum lease_event ev, bool in_kernel)
{
	struct lease copy = { .m = *m, .in_kernel = in_kernel };
	struct pool_grant g;

	notify(a, ev, &copy);
	grant_of(m, &g);
	pools_release(a->pools, &g);
}

/*
 * l leaves the store and the index; the listeners (the kernel binding)
 * and the pool follow at once, or inside a transaction once it is
 * committed: until then the set stays taken, so that nobody else is
 * granted it, and a failed commit can put l back as the store still has
 * it.  Removing the binding first would leave a stored row without one
 * (it blocks the set, and wins it back at the next start).
 */
static void drop_as(struct alloc *a, struct lease *l, enum lease_event ev,
		    const char *why, bool store_done)
{
	struct pool_grant g;
	bool created = false;
	size_t i;
	int err;

	for (i = 0; i < a->n_created; i++) {
		if (a->created[i] == l) {
			a->created[i] = a->created[--a->n_created];
			created = true;
		}
	}
	if (a->in_txn && !drop_room(a)) {
		struct dropped *d = &a->dropped[a->n_dropped++];

		d->m = l->m;
		d->ev = ev;
		d->in_kernel = l->in_kernel;
		d->created = created;
	} else {
		notify(a, ev, l);
		grant_of(&l->m, &g);
		pools_release(a->pools, &g);
	}
	err = store_done ? 0 : store_del(a->st, &l->m);
	if (err && err != -ENOENT)
		log_err("store: %s", a->st->err);
	lease_log_ended(&l->m, why);
	sub_lease_gone(a, &l->m.b4);
	lease_del(a->leases, l);
}

static void drop(struct alloc *a, struct lease *l, enum lease_event ev,
		 const char *why)
{
	drop_as(a, l, ev, why, false);
}

/* Whether x and y are the same port set, shaped alike. */
static bool same_set(const struct lw4o6_mapping *x,
		     const struct lw4o6_mapping *y)
{
	return x->ipv4 == y->ipv4 && x->psid == y->psid &&
	       x->psid_len == y->psid_len && x->offset == y->offset;
}

struct reread {
	const struct lw4o6_mapping *key;
	bool found;
	struct lw4o6_mapping m;
};

static int reread_cb(const struct lw4o6_mapping *m, void *arg)
{
	struct reread *r = arg;

	if (m->protocol == r->key->protocol &&
	    m->internal_port == r->key->internal_port) {
		r->found = true;
		r->m = *m;
	}
	return 0;
}

/*
 * The shared store refused to remove l (-ESTALE): another node renewed it
 * after the feed last told us, or our expiry was put off while the store
 * was away.  0 if l is kept with the stored expiry (or put off again); -1
 * if it is gone, moved after all (the feed will tell of the new set), or
 * due as stored too (then the stored row is removed).
 */
static int reread(struct alloc *a, struct lease *l)
{
	struct reread r = { .key = &l->m };
	int err;

	if (!a->st->ops->lookup)
		return -1;
	err = a->st->ops->lookup(a->st, l->m.ipv4, &l->m.b4, reread_cb, &r);
	if (err) {
		/* Try again at the next sweep rather than lose a live lease. */
		log_warn("store: %s: expiry put off", a->st->err);
		lease_set_expiry(a->leases, l, alloc_now(a) + 1);
		return 0;
	}
	if (!r.found || !same_set(&r.m, &l->m))
		return -1;
	if (r.m.expires <= alloc_now(a)) {
		/*
		 * Due as stored too: only our expiry differed (put off while
		 * the store was away).  Remove the row as it is stored.
		 */
		err = store_del(a->st, &r.m);
		if (err == -EAGAIN) {
			lease_set_expiry(a->leases, l, alloc_now(a) + 1);
			a->n_put_off++;
			return 0;
		}
		return -1;
	}
	lease_set_expiry(a->leases, l, r.m.expires);
	memcpy(l->m.nonce, r.m.nonce, sizeof(l->m.nonce));
	l->m.via = r.m.via;
	l->wanted |= !l->mirrored;
	l->mirrored = true;
	notify(a, LEASE_RENEWED, l);
	return 0;
}

bool alloc_due(const struct alloc *a)
{
	const struct lease *l = lease_first_expiring(a->leases);

	return l && l->m.expires <= alloc_now(a);
}

size_t alloc_expire(struct alloc *a, const char *why)
{
	size_t n = 0;

	a->n_put_off_now = 0;

	while (alloc_due(a)) {
		struct lease *l = lease_first_expiring(a->leases);
		int err;

		if (!store_shared(a->st)) {
			drop(a, l, LEASE_EXPIRED, why);
		} else {
			/* Only what nobody renewed meanwhile (store.h, del). */
			err = store_del(a->st, &l->m);
			if (err == -ESTALE && !reread(a, l)) {
				a->n_stale_kept++;
				continue;
			}
			/*
			 * The store is away: whether another node renewed it
			 * is unknown, and the B4's own renewals are being
			 * answered "retry" meanwhile.  Dropping it would cut
			 * a subscriber off for our outage, and the store
			 * would still hold the row; keep it, ask again at
			 * the next sweep.
			 */
			if (err == -EAGAIN) {
				if (!a->n_put_off_now++)
					log_warn("store: %s: expiries put off until it is back",
						 a->st->err);
				lease_set_expiry(a->leases, l, alloc_now(a) + 1);
				a->n_put_off++;
				continue;
			}
			if (err && err != -ENOENT && err != -ESTALE)
				log_err("store: %s", a->st->err);
			drop_as(a, l, LEASE_EXPIRED, why, true);
		}
		a->n_expired++;
		n++;
	}
	return n;
}

void alloc_forget(struct alloc *a, struct lease *l, const char *why)
{
	drop(a, l, LEASE_FORGOTTEN, why);
	a->n_forgotten++;
}

void alloc_evict_idle(struct alloc *a)
{
	int64_t before = a->clock.mono_ms() - IDLE_B4_MS;
	struct hnode *n, *tmp;
	size_t i;

	htab_for_each(&a->subs, i, n, tmp) {
		struct sub *s = hnode_entry(n, struct sub, node);

		if (s->n || s->last_ms >= before)
			continue;
		htab_del(&a->subs, n);
		free(s);
	}
	lease_b4_evict(a->leases, before);
}

/* ---- sets held by others ------------------------------------------------- */

static struct pool_grant *foreign_find(struct alloc *a, uint32_t ipv4,
				       uint16_t psid)
{
	size_t i;

	for (i = 0; i < a->n_foreign; i++)
		if (a->foreign[i].ipv4 == ipv4 && a->foreign[i].psid == psid)
			return &a->foreign[i];
	return NULL;
}

/* The set of g is held in the kernel by no lease of ours: keep it taken. */
static void foreign_take(struct alloc *a, const struct pool_grant *g)
{
	char a4[INET_ADDRSTRLEN];
	struct pool_grant *v;

	if (foreign_find(a, g->ipv4, g->psid) ||
	    lease_find_set(a->leases, g->ipv4, g->psid))
		return;
	if (a->n_foreign == a->cap_foreign) {
		size_t cap = a->cap_foreign ? a->cap_foreign * 2 : 16;

		v = realloc(a->foreign, cap * sizeof(*v));
		if (!v)
			return;	/* the next grant of it fails, and says so */
		a->foreign = v;
		a->cap_foreign = cap;
	}
	pools_reserve(a->pools, g);
	a->foreign[a->n_foreign++] = *g;
	log_notice("port set %s psid %u is held by another binding in the kernel: not granted until it goes",
		   inet_ntop(AF_INET, &g->ipv4, a4, sizeof(a4)), g->psid);
}

void alloc_foreign_add(struct alloc *a, const struct lw4o6_mapping *k)
{
	struct pool_grant g;

	grant_of(k, &g);
	if (pools_hold(a->pools, k->ipv4))
		foreign_take(a, &g);
}

void alloc_foreign_del(struct alloc *a, uint32_t ipv4, uint16_t psid)
{
	struct pool_grant *g = foreign_find(a, ipv4, psid);

	if (!g)
		return;
	pools_release(a->pools, g);
	*g = a->foreign[--a->n_foreign];
}

void alloc_foreign_clear(struct alloc *a)
{
	while (a->n_foreign)
		alloc_foreign_del(a, a->foreign[0].ipv4, a->foreign[0].psid);
}

size_t alloc_foreign_count(const struct alloc *a)
{
	return a->n_foreign;
}

/* ---- sets another node won ----------------------------------------------- */

static struct pool_grant *raced_find(struct alloc *a, uint32_t ipv4,
				     uint16_t psid)
{
	size_t i;

	for (i = 0; i < a->n_raced; i++)
		if (a->raced[i].ipv4 == ipv4 && a->raced[i].psid == psid)
			return &a->raced[i];
	return NULL;
}

/* g, reserved in the pool by pick(), stays taken: another node holds it. */
static void raced_take(struct alloc *a, const struct pool_grant *g)
{
	char a4[INET_ADDRSTRLEN];
	struct pool_grant *v;

	a->n_raced_total++;
	log_info("port set %s psid %u was granted by another node first: trying another",
		 inet_ntop(AF_INET, &g->ipv4, a4, sizeof(a4)), g->psid);
	if (a->n_raced == a->cap_raced) {
		size_t cap = a->cap_raced ? a->cap_raced * 2 : 16;

		v = realloc(a->raced, cap * sizeof(*v));
		if (!v) {
			/* Free again; the store refuses it again if asked. */
			pools_release(a->pools, g);
			return;
		}
		a->raced = v;
		a->cap_raced = cap;
	}
	a->raced[a->n_raced++] = *g;
}

/* The set's lease has arrived: the reservation is the lease's now. */
static bool raced_claim(struct alloc *a, uint32_t ipv4, uint16_t psid)
{
	struct pool_grant *g = raced_find(a, ipv4, psid);

	if (!g)
		return false;
	*g = a->raced[--a->n_raced];
	return true;
}

/* After a resync: what no lease holds is free again. */
static void raced_clear(struct alloc *a)
{
	size_t i;

	for (i = 0; i < a->n_raced; i++)
		if (!lease_find_set(a->leases, a->raced[i].ipv4,
				    a->raced[i].psid))
			pools_release(a->pools, &a->raced[i]);
	a->n_raced = 0;
}

/* ---- transactions -------------------------------------------------------- */

int alloc_begin(struct alloc *a)
{
	int err;

	if (a->in_txn)
		return -EBUSY;
	err = store_begin(a->st);
	if (err)
		log_err("store: %s", a->st->err);
	a->in_txn = !err;
	a->n_created = 0;
	a->n_dropped = 0;
	a->n_moved_txn = 0;
	return err;
}

/* The store rolled back a removal: l is back in the index, as stored. */
static void undrop(struct alloc *a, const struct dropped *d)
{
	char s[MAPPING_STR_LEN];
	struct sub *sub;

	if (d->created) {	/* a grant of the batch: it never was */
		drop_done(a, &d->m, LEASE_REVOKED, d->in_kernel);
		return;
	}
	if (lease_add(a->leases, &d->m, NULL)) {
		log_err("mapping %s: out of memory putting it back: removed",
			mapping_str(&d->m, s, sizeof(s)));
		drop_done(a, &d->m, d->ev, d->in_kernel);
		store_del(a->st, &d->m);
		return;
	}
	sub = sub_get(a, &d->m.b4, false);
	if (sub)
		sub->n++;
}

/*
 * l's B4 address is now b4 (same key, nonce and set): re-indexed, the
 * kernel's binding pointed there.  The new lease, or NULL (out of memory:
 * l is gone from the index, the caller's store still has a row).
 */
static struct lease *rekey(struct alloc *a, struct lease *l,
			   const struct lw4o6_mapping *m, bool mirrored,
			   bool wanted)
{
	struct lw4o6_mapping was = l->m;
	bool in_kernel = l->in_kernel;
	struct lease *n;

	/* Same set: the old one must leave the index first. */
	lease_del(a->leases, l);
	if (lease_add(a->leases, m, &n)) {
		if (!lease_add(a->leases, &was, &n))
			n->in_kernel = in_kernel;
		return NULL;
	}
	n->in_kernel = in_kernel;
	n->mirrored = mirrored;
	n->wanted = wanted;
	notify(a, LEASE_MOVED, n);
	return n;
}

/* A move of a failed transaction: the lease goes back where it was. */
static void unmove(struct alloc *a, const struct moved *mv)
{
	char s[MAPPING_STR_LEN];
	struct lease *l = lease_find(a->leases, &mv->to, mv->from.protocol,
				     mv->from.internal_port);

	if (l && !rekey(a, l, &mv->from, mv->mirrored, mv->wanted))
		log_err("mapping %s: out of memory moving it back: the store has it",
			mapping_str(&mv->from, s, sizeof(s)));
}

int alloc_commit(struct alloc *a)
{
	size_t i;
	int err;

	if (!a->in_txn)
		return 0;
	a->in_txn = false;
	err = store_commit(a->st);
	if (err) {
		/* Nothing the B4s were not told of may stay; they ask again. */
		log_err("store: %s: %zu grants revoked, %zu removals undone",
			a->st->err, a->n_created, a->n_dropped);
		while (a->n_created)	/* drop() takes it off the list */
			drop(a, a->created[0], LEASE_REVOKED, "rolled back");
		for (i = 0; i < a->n_dropped; i++)
			undrop(a, &a->dropped[i]);
		for (i = a->n_moved_txn; i-- > 0;)
			unmove(a, &a->moved[i]);
	} else {
		for (i = 0; i < a->n_dropped; i++)
			drop_done(a, &a->dropped[i].m, a->dropped[i].ev,
				  a->dropped[i].in_kernel);
	}
	a->n_created = 0;
	a->n_dropped = 0;
	a->n_moved_txn = 0;
	return err;
}

/* Room to remember one more grant of the open transaction. */
static int track_room(struct alloc *a)
{
	size_t cap = a->cap_created ? a->cap_created * 2 : 256;
	struct lease **c;

	if (!a->in_txn || a->n_created < a->cap_created)
		return 0;
	c = realloc(a->created, cap * sizeof(*c));
	if (!c)
		return -ENOMEM;
	a->created = c;
	a->cap_created = cap;
	return 0;
}

/* ---- requests ------------------------------------------------------------ */

void alloc_add_self(struct alloc *a, const struct in6_addr *addr)
{
	if (a->n_self < MAX_SELF)
		a->self[a->n_self++] = *addr;
}

static bool in_prefix(const struct in6_addr *x, const struct in6_prefix *p)
{
	struct in6_addr m = *x;

	in6_mask(&m, p->plen);
	return !memcmp(&m, &p->addr, sizeof(m));
}

/* No softwire ends at these: a B4 needs a global unicast address. */
static bool bad_source(const struct alloc *a, const struct in6_addr *b4)
{
	size_t i;

	if (IN6_IS_ADDR_UNSPECIFIED(b4) || IN6_IS_ADDR_LOOPBACK(b4) ||
	    IN6_IS_ADDR_LINKLOCAL(b4) || IN6_IS_ADDR_MULTICAST(b4) ||
	    IN6_IS_ADDR_V4MAPPED(b4) || IN6_IS_ADDR_V4COMPAT(b4))
		return true;
	for (i = 0; i < a->n_self; i++)
		if (!memcmp(&a->self[i], b4, sizeof(*b4)))
			return true;
	return false;
}

static enum alloc_admit source_ok(const struct alloc *a,
				  const struct in6_addr *b4)
{
	size_t i;

	if (bad_source(a, b4))
		return ADMIT_BAD_SOURCE;
	if (!a->lim.n_allow)
		return ADMIT_OK;
	for (i = 0; i < a->lim.n_allow; i++)
		if (in_prefix(b4, &a->lim.allow[i]))
			return ADMIT_OK;
	return ADMIT_NOT_ALLOWED;
}

enum alloc_admit alloc_admit(struct alloc *a, const struct in6_addr *b4)
{
	enum alloc_admit res = source_ok(a, b4);
	int64_t now = a->clock.mono_ms();
	struct sub *s;

	if (res)
		return res;
	/* The cap before anything is kept for a subscriber not seen yet. */
	s = sub_get(a, b4, true);
	if (!s)
		return ADMIT_FULL;
	if (!s->last_ms) {
		s->tokens = a->lim.burst;
		s->last_ms = now;
	}
	s->tokens += (double)(now - s->last_ms) * a->lim.rate / 1000.0;
	if (s->tokens > a->lim.burst)
		s->tokens = a->lim.burst;
	s->last_ms = now;
	if (s->tokens < 1)
		return ADMIT_LIMITED;
	s->tokens -= 1;
	return ADMIT_OK;
}

/* What the B4 asked for when it is within bounds, else the default. */
static uint32_t clamp_lifetime(const struct alloc *a, uint32_t lt)
{
	if (lt < a->lim.lifetime_min || lt > a->lim.lifetime_max)
		return a->lim.lifetime_default;
	return lt;
}

static enum alloc_result renew(struct alloc *a, struct lease *l, uint32_t lt,
			       uint8_t via, struct alloc_answer *ans)
{
	int64_t old = l->m.expires;
	uint8_t old_via = l->m.via;

	lease_set_expiry(a->leases, l, alloc_now(a) + lt);
	l->m.via = via;		/* a B4 may change how it asks */
	if (store_put(a->st, &l->m)) {
		log_err("store: %s", a->st->err);
		lease_set_expiry(a->leases, l, old);
		l->m.via = old_via;
		return ALLOC_NOT_STORED;
	}
	a->n_renewed++;
	if (l->mirrored) {
		/* The B4 came here (a failover): its lease is ours now. */
		l->mirrored = false;
		notify(a, LEASE_ADOPTED, l);
	} else {
		notify(a, LEASE_RENEWED, l);
	}
	ans->has_set = true;
	ans->m = l->m;
	ans->lifetime = lt;
	return ALLOC_OK;
}

/*
 * WAN renumbering (docs/lw4o6d.md, "A B4 that moves"): a B4 whose address
 * changed asks from the new one under its old nonce, naming its old set.
 * The lease it names moves with it, same set, if it is this node's, has
 * the same key and nonce, was not granted in this very batch, and the old
 * address is in the same subscriber prefix: so the B4 keeps its set, and
 * the lease left behind does not hold the subscriber's quota until it
 * expires.  A neighbour (another prefix) cannot take it, nor can anyone
 * who does not know the 96-bit nonce.  Another node's lease (a shared
 * store: loaded at start, or mirrored) moves too and becomes this node's,
 * as a renewal here would make it; the store's del of the row as we know
 * it fails (-ESTALE) if that node renewed it meanwhile.
 */
static bool may_move(const struct alloc *a, const struct lease *o,
		     const struct alloc_req *r)
{
	struct in6_addr x = r->b4, y = o->m.b4;
	size_t i;

	if (o->m.protocol != r->protocol ||
	    o->m.internal_port != r->internal_port ||
	    memcmp(o->m.nonce, r->nonce, sizeof(r->nonce)) ||
	    !memcmp(&o->m.b4, &r->b4, sizeof(r->b4)))
		return false;
	in6_mask(&x, a->lim.sub_plen);
	in6_mask(&y, a->lim.sub_plen);
	if (memcmp(&x, &y, sizeof(x)))
		return false;
	for (i = 0; i < a->n_created; i++)
		if (a->created[i] == o)
			return false;
	return true;
}

/* A PCP MAP's move: the lease of the set it suggests. */
static struct lease *moved_from(struct alloc *a, const struct alloc_req *r)
{
	struct pool_grant g;
	struct lease *o;

	if (!r->suggest_ipv4 || !r->suggest_port ||
	    !pools_set_of(a->pools, r->suggest_ipv4, r->suggest_port, &g))
		return NULL;
	o = lease_find_set(a->leases, g.ipv4, g.psid);
	/*
	 * Not a DHCPv4-over-DHCPv6 lease, nor for a DHCP request: their
	 * "nonce" is made from the client's DUID, which its neighbours see,
	 * so a PCP MAP could name it.  DHCP moves go by alloc_move() only,
	 * on a front-end's further checks.
	 */
	if (!o || o->m.via == MAPPING_VIA_DHCP4O6 ||
	    r->via == MAPPING_VIA_DHCP4O6)
		return NULL;
	return may_move(a, o, r) ? o : NULL;
}

static int moved_room(struct alloc *a)
{
	size_t cap = a->cap_moved ? a->cap_moved * 2 : 16;
	struct moved *v;

	if (!a->in_txn || a->n_moved_txn < a->cap_moved)
		return 0;
	v = realloc(a->moved, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	a->moved = v;
	a->cap_moved = cap;
	return 0;
}

static enum alloc_result move(struct alloc *a, struct lease *o,
			      const struct alloc_req *r, uint32_t lt,
			      struct alloc_answer *ans)
{
	char s[MAPPING_STR_LEN];
	struct lw4o6_mapping from = o->m, m = o->m;
	struct lease *l;

	m.b4 = r->b4;
	m.via = r->via;
	m.expires = alloc_now(a) + lt;
	if (moved_room(a))
		return ALLOC_NO_SET;
	/* the old row first: (ipv4, psid) is unique */
	if (store_del(a->st, &from) || store_put(a->st, &m)) {
		log_err("store: %s", a->st->err);
		if (!a->in_txn)
			store_put(a->st, &from);
		return ALLOC_NOT_STORED;
	}
	if (a->in_txn) {
		a->moved[a->n_moved_txn].from = from;
		a->moved[a->n_moved_txn].to = m.b4;
		a->moved[a->n_moved_txn].mirrored = o->mirrored;
		a->moved[a->n_moved_txn].wanted = o->wanted;
	}
	/* this node's now, as after a renewal here */
	l = rekey(a, o, &m, false, false);
	if (!l) {
		log_err("mapping %s: out of memory moving it", mapping_str(&m, s, sizeof(s)));
		if (!a->in_txn) {	/* the store has it at the new address */
			store_del(a->st, &m);
			store_put(a->st, &from);
		}
		return ALLOC_NO_SET;
	}
	if (a->in_txn)
		a->n_moved_txn++;
	a->n_moved++;
	lease_log_moved(&m, &from.b4);
	ans->has_set = true;
	ans->m = l->m;
	ans->lifetime = lt;
	return ALLOC_OK;
}

/* The set: the suggested one when it is free, else the B4's preferred. */
static enum alloc_result pick(struct alloc *a, const struct alloc_req *r,
			      struct pool_grant *g)
{
	bool sug = r->suggest_ipv4 && r->suggest_port &&
		   pools_set_of(a->pools, r->suggest_ipv4, r->suggest_port, g);

	if (sug && !pools_reserve(a->pools, g))
		return ALLOC_OK;	/* the B4's old set, asked for again */
	if (sug && r->prefer_failure)
		return ALLOC_SUGGESTION_TAKEN;
	return pools_alloc(a->pools, &r->b4, g) ? ALLOC_NO_SET : ALLOC_OK;
}

static enum alloc_result grant_one(struct alloc *a,
				   const struct alloc_req *r, struct sub *sub,
				   uint32_t lt, struct alloc_answer *ans,
				   int *err)
{
	struct lw4o6_mapping m;
	enum alloc_result res;
	struct pool_grant g;
	struct lease *l;

	*err = 0;
	res = pick(a, r, &g);
	if (res)
		return res;
	memset(&m, 0, sizeof(m));
	m.b4 = r->b4;
	m.protocol = r->protocol;
	m.internal_port = r->internal_port;
	memcpy(m.nonce, r->nonce, sizeof(m.nonce));
	m.ipv4 = g.ipv4;
	m.psid = g.psid;
	m.psid_len = g.psid_len;
	m.offset = g.offset;
	m.created = alloc_now(a);
	m.expires = m.created + lt;
	m.via = r->via;
	if (track_room(a))
		goto undo_pool;
	*err = store_put(a->st, &m);
	if (*err == -EEXIST && store_shared(a->st)) {
		/* Another node took the set first: pass it by, try another. */
		raced_take(a, &g);
		return ALLOC_NO_SET;
	}
	if (*err) {
		/* The database is away: the B4 asks again and may get it then. */
		res = *err == -EAGAIN ? ALLOC_NOT_STORED : ALLOC_NO_SET;
		log_err("store: %s", a->st->err);
		pools_release(a->pools, &g);
		*err = 0;
		return res;
	}
	if (lease_add(a->leases, &m, &l))
		goto undo_store;
	*err = notify(a, LEASE_GRANTED, l);
	if (*err) {
		lease_del(a->leases, l);
		goto undo_store;
	}
	if (a->in_txn)
		a->created[a->n_created++] = l;
	sub->n++;
	a->n_granted++;
	lease_log_granted(&m, lt);
	ans->has_set = true;
	ans->m = m;
	ans->lifetime = lt;
	return ALLOC_OK;
undo_store:
	store_del(a->st, &m);
	if (*err == -EEXIST) {
		foreign_take(a, &g);	/* the pool keeps it taken */
		return ALLOC_NO_SET;
	}
undo_pool:
	pools_release(a->pools, &g);
	return ALLOC_NO_SET;
}

static enum alloc_result grant(struct alloc *a, const struct alloc_req *r,
			       struct sub *sub, uint32_t lt,
			       struct alloc_answer *ans)
{
	enum alloc_result res;
	int tries = 0, err;

	/* A set an operator's binding holds is kept taken; try another. */
	do {
		res = grant_one(a, r, sub, lt, ans, &err);
	} while (res && err == -EEXIST && ++tries < GRANT_TRIES);
	return res;
}

enum alloc_result alloc_map(struct alloc *a, const struct alloc_req *r,
			    struct alloc_answer *ans)
{
	struct lease *l = lease_find(a->leases, &r->b4, r->protocol,
				     r->internal_port), *o;
	struct sub *sub;

	memset(ans, 0, sizeof(*ans));
	if (l && memcmp(l->m.nonce, r->nonce, sizeof(l->m.nonce)))
		return ALLOC_NOT_OWNER;
	if (!r->lifetime) {
		if (l) {
			ans->has_set = true;
			ans->m = l->m;
			drop(a, l, LEASE_RELEASED, "deleted by its B4");
			a->n_released++;
		}
		return ALLOC_OK;
	}
	/* An lwAFTR hands out port sets, not single ports. */
	if (!r->takes_set)
		return ALLOC_SETS_ONLY;
	if (l)
		return renew(a, l, clamp_lifetime(a, r->lifetime), r->via, ans);
	if (source_ok(a, &r->b4))
		return ALLOC_NOT_ALLOWED;
	/* The quota is the subscriber's: every address of its prefix. */
	sub = sub_get(a, &r->b4, true);
	if (!sub)
		return ALLOC_NO_SET;
	if ((o = moved_from(a, r)))
		return move(a, o, r, clamp_lifetime(a, r->lifetime), ans);
	if (sub->n >= a->lim.quota)
		return ALLOC_QUOTA;
	if (a->lim.max_leases && lease_count(a->leases) >= a->lim.max_leases)
		return ALLOC_NO_SET;
	return grant(a, r, sub, clamp_lifetime(a, r->lifetime), ans);
}

/*
 * A DHCPv4-over-DHCPv6 client's move (dhcp4o6_serve.c, RFC 8539): its
 * lease of address r->suggest_ipv4 under its nonce, held at another B4
 * address, comes to r->b4 by move() if may_move() allows it, the same
 * subscriber prefix above all.  Its nonce is no secret (a hash of the
 * client id, which the access link sees), so the front-end must also have
 * checked that r->b4 is where the request came from and what the client
 * names as its softwire source (option 109): a request moves a lease only
 * to its own address, and only within one subscriber, who could have
 * spent the same quota anyway.  Nothing else is done here: no grant, no
 * renewal, and a lease that may not move is left as it is.
 */
enum alloc_result alloc_move(struct alloc *a, const struct alloc_req *r,
			     struct alloc_answer *ans)
{
	struct lease *o = NULL;

	memset(ans, 0, sizeof(*ans));
	if (r->via != MAPPING_VIA_DHCP4O6 || !r->lifetime || !r->suggest_ipv4 ||
	    !r->takes_set)
		return ALLOC_NO_SET;
	if (lease_find(a->leases, &r->b4, r->protocol, r->internal_port))
		return ALLOC_NOT_OWNER;	/* held here: a renewal, not a move */
	if (source_ok(a, &r->b4))
		return ALLOC_NOT_ALLOWED;
	/* the same client may hold leases elsewhere too (a NAKed move's old one) */
	while ((o = lease_next_of_owner(a->leases, r->nonce, r->suggest_ipv4, o)))
		if (o->m.via == MAPPING_VIA_DHCP4O6 && may_move(a, o, r))
			return move(a, o, r, clamp_lifetime(a, r->lifetime), ans);
	return ALLOC_NO_SET;
}

const struct lease *alloc_b4_next(struct alloc *a, const struct in6_addr *b4,
				  bool after, uint8_t protocol,
				  uint16_t internal_port)
{
	return lease_b4_next(lease_b4(a->leases, b4, false), after, protocol,
			     internal_port);
}

/* ---- start and reload ---------------------------------------------------- */

/*
 * Distinct B4s of the store, which gives mappings in key order (B4 first);
 * of a B4's ways of asking, a PCP one (something to ANNOUNCE to) wins.
 */
static int collect_b4(const struct lw4o6_mapping *m, void *arg)
{
	struct alloc *a = arg;
	struct mapping_b4 *v, *last = a->n_start_b4s ?
		&a->start_b4s[a->n_start_b4s - 1] : NULL;

	if (last && !memcmp(&last->b4, &m->b4, sizeof(m->b4))) {
		if (last->via == MAPPING_VIA_DHCP4O6)
			last->via = m->via;
		return 0;
	}
	if (a->n_start_b4s == a->cap_start_b4s) {
		size_t cap = a->cap_start_b4s ? a->cap_start_b4s * 2 : 64;

		v = realloc(a->start_b4s, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		a->start_b4s = v;
		a->cap_start_b4s = cap;
	}
	a->start_b4s[a->n_start_b4s].b4 = m->b4;
	a->start_b4s[a->n_start_b4s++].via = m->via;
	return 0;
}

static int load_cb(const struct lw4o6_mapping *m, void *arg)
{
	char s[MAPPING_STR_LEN];
	struct alloc *a = arg;
	struct pool_grant g;
	struct lease *l;
	struct sub *sub;
	int err;

	err = lease_add(a->leases, m, &l);
	if (err == -EEXIST) {	/* not from a store with our schema */
		log_warn("stored mapping %s clashes with another: ignored",
			 mapping_str(m, s, sizeof(s)));
		return 0;
	}
	if (err)
		return err;
	/* Whose it is a shared store does not say: ours once renewed here. */
	l->mirrored = store_shared(a->st);
	sub = sub_get(a, &m->b4, false);
	if (!sub)
		return -ENOMEM;
	sub->n++;
	grant_of(m, &g);
	if (pools_reserve(a->pools, &g) && !l->mirrored)
		log_warn("stored mapping %s is outside every pool now: kept until it expires",
			 mapping_str(m, s, sizeof(s)));
	return 0;
}

/*
 * SQLite: as ever, the B4s for the start's ANNOUNCE first, then the epoch.
 * A shared store is read once (a million mappings, not twice) and lost
 * nothing when this node stopped: nobody is collected for the ANNOUNCE,
 * which would send every B4 of every node renewing at once; it is never
 * cleared for a missing base (another node may be granting), and a base
 * it cannot read stops the start rather than reset every node's state.
 */
int alloc_load(struct alloc *a, bool reset)
{
	bool shared = store_shared(a->st);
	int err;

	if (!shared && store_each(a->st, collect_b4, a))
		log_warn("storage: %s", a->st->err);
	err = reset ? -ENOENT : store_get_meta(a->st, "epoch_base", &a->since);
	if (err && err != -ENOENT && shared) {
		log_err("storage: reading the epoch: %s", a->st->err);
		return -1;
	}
	if (err && !shared) {
		if (reset)
			log_notice("epoch reset: forgetting %zu B4s' mappings",
				   a->n_start_b4s);
		if (store_clear(a->st)) {
			log_err("storage: %s", a->st->err);
			return -1;
		}
	}
	if (err) {
		a->since = alloc_now(a);
		a->epoch_began = true;
		if (store_set_meta(a->st, "epoch_base", a->since)) {
			log_err("storage: %s", a->st->err);
			return -1;
		}
	}
	err = store_each(a->st, load_cb, a);
	if (err) {
		log_err("loading the store: %s",
			err == -ENOMEM ? "out of memory" : a->st->err);
		return -1;
	}
	return 0;
}

static int reserve_cb(struct lease *l, void *arg)
{
	struct pool_grant g;

	grant_of(&l->m, &g);
	pools_reserve(arg, &g);
	return 0;
}

int alloc_reload(struct alloc *a, const struct alloc_limits *lim,
		 const struct pool_cfg *pools, size_t n_pools)
{
	struct pools *p = pools_new(pools, n_pools);
	bool replen = lim->sub_plen != a->lim.sub_plen;
	size_t i;

	if (!p)
		return -1;
	lease_each(a->leases, reserve_cb, p);
	for (i = 0; i < a->n_foreign; i++)
		if (pools_reserve(p, &a->foreign[i]) == -ENOENT)
			a->foreign[i--] = a->foreign[--a->n_foreign];
	for (i = 0; i < a->n_raced; i++)
		if (pools_reserve(p, &a->raced[i]) == -ENOENT)
			a->raced[i--] = a->raced[--a->n_raced];
	pools_free(a->pools);
	a->pools = p;
	a->lim = *lim;
	if (replen && subs_rebuild(a))
		log_err("reload: out of memory counting the subscribers' mappings");
	return 0;
}

/* ---- a shared store's feed ----------------------------------------------- */

/* Another node's removal (or move) of l: index, pool and listeners. */
static void withdraw(struct alloc *a, struct lease *l)
{
	char s[MAPPING_STR_LEN];
	struct pool_grant g;

	notify(a, LEASE_WITHDRAWN, l);
	grant_of(&l->m, &g);
	/* an operator's binding may hold it here: then it stays taken */
	if (!foreign_find(a, g.ipv4, g.psid))
		pools_release(a->pools, &g);
	log_info("mapping withdrawn by another node: %s",
		 mapping_str(&l->m, s, sizeof(s)));
	sub_lease_gone(a, &l->m.b4);
	lease_del(a->leases, l);
	a->n_withdrawn++;
}

static int apply_put(struct alloc *a, const struct lw4o6_mapping *m,
		     bool want)
{
	struct lease *l = lease_find(a->leases, &m->b4, m->protocol,
				     m->internal_port), *o;
	bool was_wanted = false;
	struct pool_grant g;
	struct sub *sub;
	int err;

	if (l && same_set(&l->m, m)) {
		bool changed = l->m.expires != m->expires;

		if (changed) {		/* renewed by another node */
			lease_set_expiry(a->leases, l, m->expires);
			memcpy(l->m.nonce, m->nonce, sizeof(l->m.nonce));
			l->m.via = m->via;
			/* ours was installed here: it stays wanted */
			l->wanted |= !l->mirrored;
			l->mirrored = true;
			a->n_mirrored++;
		}
		if (want && !l->wanted) {
			l->wanted = true;
			notify(a, LEASE_MIRRORED, l);
		} else if (changed) {
			notify(a, LEASE_RENEWED, l);
		}
		l->seen = true;
		return 0;
	}
	/* Moved, or its set given to another key: the store is the truth. */
	if (l) {
		was_wanted = l->wanted;
		withdraw(a, l);
	}
	o = lease_find_set(a->leases, m->ipv4, m->psid);
	if (o) {
		was_wanted |= !memcmp(&o->m.b4, &m->b4, sizeof(m->b4)) && o->wanted;
		withdraw(a, o);
	}
	err = lease_add(a->leases, m, &l);
	if (err)
		return err;
	l->mirrored = true;
	l->wanted = want || was_wanted;
	l->seen = true;
	sub = sub_get(a, &m->b4, false);
	if (sub)
		sub->n++;
	grant_of(m, &g);
	if (!raced_claim(a, g.ipv4, g.psid))
		pools_reserve(a->pools, &g);	/* outside our pools: fine */
	a->n_mirrored++;
	notify(a, LEASE_MIRRORED, l);
	return 0;
}

static int apply_del(struct alloc *a, const struct lw4o6_mapping *m)
{
	struct lease *l = lease_find(a->leases, &m->b4, m->protocol,
				     m->internal_port);

	if (l && same_set(&l->m, m))
		withdraw(a, l);
	return 0;
}

static int unsee(struct lease *l, void *arg)
{
	(void)arg;
	l->seen = false;
	return 0;
}

static int resync_cb(const struct lw4o6_mapping *m, void *arg)
{
	return apply_put(arg, m, false);
}

static int withdraw_unseen(struct lease *l, void *arg)
{
	if (!l->seen)
		withdraw(arg, l);	/* lease_each() allows deleting l */
	return 0;
}

/* Changes may have been missed: the store again, as a whole. */
static int resync(struct alloc *a)
{
	struct alloc_stats st;
	uint64_t before = a->n_mirrored + a->n_withdrawn;
	int err;

	a->n_resyncs++;
	lease_each(a->leases, unsee, NULL);
	err = store_each(a->st, resync_cb, a);
	if (err) {
		/* Not all read: remove nothing on a half view. */
		log_err("resync with the store: %s",
			err == -ENOMEM ? "out of memory" : a->st->err);
		return err;
	}
	lease_each(a->leases, withdraw_unseen, a);
	raced_clear(a);
	alloc_stats(a, &st);
	log_notice("resynced with the store: %zu mappings, %llu changes applied",
		   st.leases, (unsigned long long)(a->n_mirrored + a->n_withdrawn - before));
	return 0;
}

int alloc_apply(struct alloc *a, enum store_change ch,
		const struct lw4o6_mapping *m)
{
	if (a->in_txn)
		return -EBUSY;
	switch (ch) {
	case STORE_PUT:
		return apply_put(a, m, false);
	case STORE_DEL:
		return apply_del(a, m);
	case STORE_RESYNC:
		return resync(a);
	}
	return -EINVAL;
}

int alloc_want(struct alloc *a, const struct lw4o6_mapping *m)
{
	if (a->in_txn)
		return -EBUSY;
	return apply_put(a, m, true);
}

int alloc_lookup(struct alloc *a, uint32_t ipv4, const struct in6_addr *b4,
		 int (*cb)(const struct lw4o6_mapping *m, void *arg),
		 void *arg)
{
	if (!a->st->ops->lookup)
		return -EOPNOTSUPP;
	return a->st->ops->lookup(a->st, ipv4, b4, cb, arg);
}

/* ---- what the others read ------------------------------------------------ */

struct lease *alloc_find_set(struct alloc *a, uint32_t ipv4, uint16_t psid)
{
	return lease_find_set(a->leases, ipv4, psid);
}

int alloc_each(struct alloc *a, int (*cb)(struct lease *l, void *arg),
	       void *arg)
{
	return lease_each(a->leases, cb, arg);
}

bool alloc_in_pools(const struct alloc *a, uint32_t ipv4)
{
	return pools_hold(a->pools, ipv4);
}

void alloc_stats(const struct alloc *a, struct alloc_stats *st)
{
	st->leases = lease_count(a->leases);
	st->b4s = a->subs.n;
	st->sets = pools_size(a->pools);
	st->sets_used = pools_used(a->pools);
	st->granted = a->n_granted;
	st->renewed = a->n_renewed;
	st->released = a->n_released;
	st->moved = a->n_moved;
	st->expired = a->n_expired;
	st->forgotten = a->n_forgotten;
	st->mirrored = a->n_mirrored;
	st->withdrawn = a->n_withdrawn;
	st->resyncs = a->n_resyncs;
	st->raced = a->n_raced_total;
	st->stale_kept = a->n_stale_kept;
	st->expiry_put_off = a->n_put_off;
}
