// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Four hash tables (key, set, owner, B4) over the same leases, and a
 * binary min-heap on expiry, so that the expiry sweep looks only at what
 * is due.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lease.h"

struct lease_table {
	struct htab by_key, by_set, by_owner, b4s;
	struct lease **heap;
	size_t n, cap;
};

/* Keys packed without padding, each hashed in one call (hash.h). */
static uint32_t key_hash(const struct in6_addr *b4, uint8_t proto,
			 uint16_t port)
{
	uint8_t k[sizeof(*b4) + 3];

	memcpy(k, b4, sizeof(*b4));
	k[16] = proto;
	memcpy(&k[17], &port, 2);
	return hash_bytes(k, sizeof(k));
}

static uint32_t set_hash(uint32_t ipv4, uint16_t psid)
{
	uint8_t k[6];

	memcpy(k, &ipv4, 4);
	memcpy(&k[4], &psid, 2);
	return hash_bytes(k, sizeof(k));
}

/* The owner: (nonce, IPv4), as a moving DHCPv4 client names its lease. */
static uint32_t owner_hash(const uint8_t nonce[PCP_NONCE_LEN], uint32_t ipv4)
{
	uint8_t k[PCP_NONCE_LEN + 4];

	memcpy(k, nonce, PCP_NONCE_LEN);
	memcpy(&k[PCP_NONCE_LEN], &ipv4, 4);
	return hash_bytes(k, sizeof(k));
}

static uint32_t b4_hash(const struct in6_addr *b4)
{
	return hash_bytes(b4, sizeof(*b4));
}

struct lease_table *lease_table_new(void)
{
	struct lease_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	if (htab_init(&t->by_key) || htab_init(&t->by_set) ||
	    htab_init(&t->by_owner) || htab_init(&t->b4s)) {
		lease_table_free(t);
		return NULL;
	}
	return t;
}

void lease_table_free(struct lease_table *t)
{
	struct hnode *n, *tmp;
	size_t i;

	if (!t)
		return;
	while (t->n)
		lease_del(t, t->heap[t->n - 1]);
	if (t->b4s.b)
		htab_for_each(&t->b4s, i, n, tmp)
			free(hnode_entry(n, struct lease_b4, node));
	htab_fini(&t->by_key);
	htab_fini(&t->by_set);
	htab_fini(&t->by_owner);
	htab_fini(&t->b4s);
	free(t->heap);
	free(t);
}

/* ---- the expiry heap ----------------------------------------------------- */

static bool earlier(const struct lease_table *t, size_t i, size_t j)
{
	return t->heap[i]->m.expires < t->heap[j]->m.expires;
}

static void heap_swap(struct lease_table *t, size_t i, size_t j)
{
	struct lease *x = t->heap[i];

	t->heap[i] = t->heap[j];
	t->heap[j] = x;
	t->heap[i]->heap_i = i;
	t->heap[j]->heap_i = j;
}

static void sift_up(struct lease_table *t, size_t i)
{
	while (i && earlier(t, i, (i - 1) / 2)) {
		heap_swap(t, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void sift_down(struct lease_table *t, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;

		if (l < t->n && earlier(t, l, m))
			m = l;
		if (l + 1 < t->n && earlier(t, l + 1, m))
			m = l + 1;
		if (m == i)
			return;
		heap_swap(t, i, m);
		i = m;
	}
}

/* The lease at i has a new expiry, or is new at i: up or down it goes. */
static void heap_fix(struct lease_table *t, size_t i)
{
	struct lease *l = t->heap[i];

	sift_up(t, i);
	sift_down(t, l->heap_i);
}

struct lease *lease_first_expiring(const struct lease_table *t)
{
	return t->n ? t->heap[0] : NULL;
}

void lease_set_expiry(struct lease_table *t, struct lease *l, int64_t expires)
{
	l->m.expires = expires;
	heap_fix(t, l->heap_i);
}

/* ---- B4 records ---------------------------------------------------------- */

struct lease_b4 *lease_b4(struct lease_table *t, const struct in6_addr *b4,
			  bool create)
{
	uint32_t h = b4_hash(b4);
	struct lease_b4 *b;
	struct hnode *n;

	for (n = htab_chain(&t->b4s, h); n; n = n->next) {
		b = hnode_entry(n, struct lease_b4, node);
		if (n->hash == h && !memcmp(&b->addr, b4, sizeof(*b4)))
			return b;
	}
	if (!create)
		return NULL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->addr = *b4;
	htab_add(&t->b4s, &b->node, h);
	return b;
}

static int key_cmp(const struct lw4o6_mapping *m, uint8_t proto,
		   uint16_t port)
{
	if (m->protocol != proto)
		return m->protocol < proto ? -1 : 1;
	if (m->internal_port != port)
		return m->internal_port < port ? -1 : 1;
	return 0;
}

struct lease *lease_b4_next(const struct lease_b4 *b, bool after,
			    uint8_t protocol, uint16_t internal_port)
{
	struct lease *l;

	for (l = b ? b->leases : NULL; l; l = l->next_of_b4)
		if (!after || key_cmp(&l->m, protocol, internal_port) > 0)
			return l;
	return NULL;
}

size_t lease_b4_evict(struct lease_table *t, int64_t before_ms)
{
	struct hnode *n, *tmp;
	size_t i, gone = 0;

	htab_for_each(&t->b4s, i, n, tmp) {
		struct lease_b4 *b = hnode_entry(n, struct lease_b4, node);

		if (b->n || b->last_ms >= before_ms)
			continue;
		htab_del(&t->b4s, n);
		free(b);
		gone++;
	}
	return gone;
}

size_t lease_b4_count(const struct lease_table *t)
{
	return t->b4s.n;
}

/* ---- leases -------------------------------------------------------------- */

struct lease *lease_find(const struct lease_table *t, const struct in6_addr *b4,
			 uint8_t protocol, uint16_t internal_port)
{
	uint32_t h = key_hash(b4, protocol, internal_port);
	struct hnode *n;

	for (n = htab_chain(&t->by_key, h); n; n = n->next) {
		struct lease *l = hnode_entry(n, struct lease, by_key);

		if (n->hash == h && !memcmp(&l->m.b4, b4, sizeof(*b4)) &&
		    !key_cmp(&l->m, protocol, internal_port))
			return l;
	}
	return NULL;
}

struct lease *lease_find_set(const struct lease_table *t, uint32_t ipv4,
			     uint16_t psid)
{
	uint32_t h = set_hash(ipv4, psid);
	struct hnode *n;

	for (n = htab_chain(&t->by_set, h); n; n = n->next) {
		struct lease *l = hnode_entry(n, struct lease, by_set);

		if (n->hash == h && l->m.ipv4 == ipv4 && l->m.psid == psid)
			return l;
	}
	return NULL;
}

struct lease *lease_next_of_owner(const struct lease_table *t,
				  const uint8_t nonce[PCP_NONCE_LEN],
				  uint32_t ipv4, const struct lease *prev)
{
	uint32_t h = owner_hash(nonce, ipv4);
	struct hnode *n = prev ? prev->by_owner.next : htab_chain(&t->by_owner, h);

	for (; n; n = n->next) {
		struct lease *l = hnode_entry(n, struct lease, by_owner);

		if (n->hash == h && l->m.ipv4 == ipv4 &&
		    !memcmp(l->m.nonce, nonce, PCP_NONCE_LEN))
			return l;
	}
	return NULL;
}

int lease_add(struct lease_table *t, const struct lw4o6_mapping *m,
	      struct lease **out)
{
	struct lease *l, **p;
	struct lease_b4 *b;

	if (lease_find(t, &m->b4, m->protocol, m->internal_port) ||
	    lease_find_set(t, m->ipv4, m->psid))
		return -EEXIST;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1024;
		struct lease **h = realloc(t->heap, cap * sizeof(*h));

		if (!h)
			return -ENOMEM;
		t->heap = h;
		t->cap = cap;
	}
	b = lease_b4(t, &m->b4, true);
	l = b ? calloc(1, sizeof(*l)) : NULL;
	if (!l)
		return -ENOMEM;
	l->m = *m;
	l->owner = b;
	for (p = &b->leases; *p; p = &(*p)->next_of_b4)
		if (key_cmp(&(*p)->m, m->protocol, m->internal_port) > 0)
			break;
	l->next_of_b4 = *p;
	*p = l;
	b->n++;
	htab_add(&t->by_key, &l->by_key,
		 key_hash(&m->b4, m->protocol, m->internal_port));
	htab_add(&t->by_set, &l->by_set, set_hash(m->ipv4, m->psid));
	htab_add(&t->by_owner, &l->by_owner, owner_hash(m->nonce, m->ipv4));
	l->heap_i = t->n;
	t->heap[t->n++] = l;
	sift_up(t, l->heap_i);
	if (out)
		*out = l;
	return 0;
}

void lease_del(struct lease_table *t, struct lease *l)
{
	struct lease **p;
	size_t i = l->heap_i;

	for (p = &l->owner->leases; *p; p = &(*p)->next_of_b4) {
		if (*p == l) {
			*p = l->next_of_b4;
			break;
		}
	}
	l->owner->n--;
	htab_del(&t->by_key, &l->by_key);
	htab_del(&t->by_set, &l->by_set);
	htab_del(&t->by_owner, &l->by_owner);
	if (i != --t->n) {
		t->heap[i] = t->heap[t->n];
		t->heap[i]->heap_i = i;
		heap_fix(t, i);
	}
	free(l);
}

int lease_each(struct lease_table *t, int (*cb)(struct lease *l, void *arg),
	       void *arg)
{
	struct hnode *n, *tmp;
	size_t i;
	int r;

	htab_for_each(&t->by_key, i, n, tmp) {
		r = cb(hnode_entry(n, struct lease, by_key), arg);
		if (r)
			return r;
	}
	return 0;
}

size_t lease_count(const struct lease_table *t)
{
	return t->n;
}
