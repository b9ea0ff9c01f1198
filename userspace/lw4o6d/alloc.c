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

#include "alloc.h"
#include "log.h"
#include "loop.h"

#define MAX_LISTENERS	4
#define IDLE_B4_MS	60000

struct listener {
	lease_listener_fn fn;
	void *arg;
};

struct alloc {
	struct store *st;
	struct alloc_limits lim;
	struct pools *pools;
	struct lease_table *leases;
	struct alloc_clock clock;
	int64_t since;
	struct in6_addr *start_b4s;
	size_t n_start_b4s, cap_start_b4s;
	struct listener listeners[MAX_LISTENERS];
	size_t n_listeners;
	bool in_txn;
	/* granted inside the open transaction: revoked if it fails */
	struct lease **created;
	size_t n_created, cap_created;
	uint64_t n_granted, n_renewed, n_released, n_expired, n_forgotten;
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
	if (!a->pools || !a->leases) {
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
	free(a->created);
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

const struct in6_addr *alloc_b4s_at_start(const struct alloc *a, size_t *n)
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

/* l leaves everywhere: listeners, store, pool, index. */
static void drop(struct alloc *a, struct lease *l, enum lease_event ev,
		 const char *why)
{
	char s[MAPPING_STR_LEN];
	struct pool_grant g;
	size_t i;
	int err;

	notify(a, ev, l);
	for (i = 0; i < a->n_created; i++)
		if (a->created[i] == l)
			a->created[i] = a->created[--a->n_created];
	err = store_del(a->st, &l->m);
	if (err && err != -ENOENT)
		log_err("store: %s", a->st->err);
	grant_of(&l->m, &g);
	pools_release(a->pools, &g);
	log_info("mapping %s: %s", why, mapping_str(&l->m, s, sizeof(s)));
	lease_del(a->leases, l);
}

bool alloc_due(const struct alloc *a)
{
	const struct lease *l = lease_first_expiring(a->leases);

	return l && l->m.expires <= alloc_now(a);
}

size_t alloc_expire(struct alloc *a, const char *why)
{
	size_t n = 0;

	while (alloc_due(a)) {
		drop(a, lease_first_expiring(a->leases), LEASE_EXPIRED, why);
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
	lease_b4_evict(a->leases, a->clock.mono_ms() - IDLE_B4_MS);
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
	return err;
}

int alloc_commit(struct alloc *a)
{
	int err;

	if (!a->in_txn)
		return 0;
	a->in_txn = false;
	err = store_commit(a->st);
	if (err) {
		/* Nothing the B4s were not told of may stay; they ask again. */
		log_err("store: %s: %zu grants revoked", a->st->err,
			a->n_created);
		while (a->n_created)	/* drop() takes it off the list */
			drop(a, a->created[0], LEASE_REVOKED, "rolled back");
	}
	a->n_created = 0;
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

bool alloc_admit(struct alloc *a, const struct in6_addr *b4)
{
	struct lease_b4 *b = lease_b4(a->leases, b4, true);
	int64_t now = a->clock.mono_ms();

	if (!b)
		return false;
	if (!b->last_ms) {
		b->tokens = a->lim.burst;
		b->last_ms = now;
	}
	b->tokens += (double)(now - b->last_ms) * a->lim.rate / 1000.0;
	if (b->tokens > a->lim.burst)
		b->tokens = a->lim.burst;
	b->last_ms = now;
	if (b->tokens < 1)
		return false;
	b->tokens -= 1;
	return true;
}

/* What the B4 asked for when it is within bounds, else the default. */
static uint32_t clamp_lifetime(const struct alloc *a, uint32_t lt)
{
	if (lt < a->lim.lifetime_min || lt > a->lim.lifetime_max)
		return a->lim.lifetime_default;
	return lt;
}

static enum alloc_result renew(struct alloc *a, struct lease *l, uint32_t lt,
			       struct alloc_answer *ans)
{
	int64_t old = l->m.expires;

	lease_set_expiry(a->leases, l, alloc_now(a) + lt);
	if (store_put(a->st, &l->m)) {
		log_err("store: %s", a->st->err);
		lease_set_expiry(a->leases, l, old);
		return ALLOC_NOT_STORED;
	}
	a->n_renewed++;
	notify(a, LEASE_RENEWED, l);
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

static enum alloc_result grant(struct alloc *a, const struct alloc_req *r,
			       uint32_t lt, struct alloc_answer *ans)
{
	char s[MAPPING_STR_LEN];
	struct lw4o6_mapping m;
	enum alloc_result res;
	struct pool_grant g;
	struct lease *l;

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
	if (track_room(a))
		goto undo_pool;
	if (store_put(a->st, &m)) {
		log_err("store: %s", a->st->err);
		goto undo_pool;
	}
	if (lease_add(a->leases, &m, &l))
		goto undo_store;
	if (notify(a, LEASE_GRANTED, l)) {
		lease_del(a->leases, l);
		goto undo_store;
	}
	if (a->in_txn)
		a->created[a->n_created++] = l;
	a->n_granted++;
	log_info("granted %s for %us", mapping_str(&m, s, sizeof(s)), lt);
	ans->has_set = true;
	ans->m = m;
	ans->lifetime = lt;
	return ALLOC_OK;
undo_store:
	store_del(a->st, &m);
undo_pool:
	pools_release(a->pools, &g);
	return ALLOC_NO_SET;
}

enum alloc_result alloc_map(struct alloc *a, const struct alloc_req *r,
			    struct alloc_answer *ans)
{
	struct lease *l = lease_find(a->leases, &r->b4, r->protocol,
				     r->internal_port);
	struct lease_b4 *b;

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
		return renew(a, l, clamp_lifetime(a, r->lifetime), ans);
	b = lease_b4(a->leases, &r->b4, false);
	if (b && b->n >= a->lim.quota)
		return ALLOC_QUOTA;
	return grant(a, r, clamp_lifetime(a, r->lifetime), ans);
}

const struct lease *alloc_b4_next(struct alloc *a, const struct in6_addr *b4,
				  bool after, uint8_t protocol,
				  uint16_t internal_port)
{
	return lease_b4_next(lease_b4(a->leases, b4, false), after, protocol,
			     internal_port);
}

/* ---- start and reload ---------------------------------------------------- */

/* Distinct B4s of the store, which gives mappings in key order (B4 first). */
static int collect_b4(const struct lw4o6_mapping *m, void *arg)
{
	struct alloc *a = arg;
	struct in6_addr *v;

	if (a->n_start_b4s &&
	    !memcmp(&a->start_b4s[a->n_start_b4s - 1], &m->b4, sizeof(m->b4)))
		return 0;
	if (a->n_start_b4s == a->cap_start_b4s) {
		size_t cap = a->cap_start_b4s ? a->cap_start_b4s * 2 : 64;

		v = realloc(a->start_b4s, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		a->start_b4s = v;
		a->cap_start_b4s = cap;
	}
	a->start_b4s[a->n_start_b4s++] = m->b4;
	return 0;
}

static int load_cb(const struct lw4o6_mapping *m, void *arg)
{
	char s[MAPPING_STR_LEN];
	struct alloc *a = arg;
	struct pool_grant g;
	int err;

	err = lease_add(a->leases, m, NULL);
	if (err == -EEXIST) {	/* not from a store with our schema */
		log_warn("stored mapping %s clashes with another: ignored",
			 mapping_str(m, s, sizeof(s)));
		return 0;
	}
	if (err)
		return err;
	grant_of(m, &g);
	if (pools_reserve(a->pools, &g))
		log_warn("stored mapping %s is outside every pool now: kept until it expires",
			 mapping_str(m, s, sizeof(s)));
	return 0;
}

int alloc_load(struct alloc *a, bool reset)
{
	int err;

	if (store_each(a->st, collect_b4, a))
		log_warn("storage: %s", a->st->err);
	if (reset || store_get_meta(a->st, "epoch_base", &a->since)) {
		if (reset)
			log_notice("epoch reset: forgetting %zu B4s' mappings",
				   a->n_start_b4s);
		a->since = alloc_now(a);
		if (store_clear(a->st) ||
		    store_set_meta(a->st, "epoch_base", a->since)) {
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

	if (!p)
		return -1;
	lease_each(a->leases, reserve_cb, p);
	pools_free(a->pools);
	a->pools = p;
	a->lim = *lim;
	return 0;
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
	st->b4s = lease_b4_count(a->leases);
	st->sets = pools_size(a->pools);
	st->sets_used = pools_used(a->pools);
	st->granted = a->n_granted;
	st->renewed = a->n_renewed;
	st->released = a->n_released;
	st->expired = a->n_expired;
	st->forgotten = a->n_forgotten;
}
