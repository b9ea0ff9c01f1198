// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/random.h>

#include "hash.h"
#include "siphash.h"

#define MIN_BUCKETS 1024

static struct siphash_key key;
static bool keyed;

/* Once per process; blocks only until the kernel's pool is initialised. */
static int hash_key_init(void)
{
	ssize_t n;

	if (keyed)
		return 0;
	do
		n = getrandom(&key, sizeof(key), 0);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(key))
		return n < 0 ? -errno : -EIO;
	keyed = true;
	return 0;
}

uint32_t hash_bytes(const void *p, size_t len)
{
	uint64_t h = siphash24(&key, p, len);

	return (uint32_t)(h ^ (h >> 32));
}

int htab_init(struct htab *t)
{
	int err = hash_key_init();

	if (err)
		return err;
	t->b = calloc(MIN_BUCKETS, sizeof(*t->b));
	t->n_buckets = t->b ? MIN_BUCKETS : 0;
	t->n = 0;
	return t->b ? 0 : -ENOMEM;
}

void htab_fini(struct htab *t)
{
	free(t->b);
	t->b = NULL;
	t->n_buckets = t->n = 0;
}

/* Twice the buckets; on out of memory the chains just get longer. */
static void grow(struct htab *t)
{
	size_t n = t->n_buckets * 2, i;
	struct hnode **b = calloc(n, sizeof(*b)), *e, *next;

	if (!b)
		return;
	for (i = 0; i < t->n_buckets; i++) {
		for (e = t->b[i]; e; e = next) {
			next = e->next;
			e->next = b[e->hash & (n - 1)];
			b[e->hash & (n - 1)] = e;
		}
	}
	free(t->b);
	t->b = b;
	t->n_buckets = n;
}

void htab_add(struct htab *t, struct hnode *n, uint32_t hash)
{
	struct hnode **head;

	if (t->n >= t->n_buckets * 2)
		grow(t);
	n->hash = hash;
	head = &t->b[hash & (t->n_buckets - 1)];
	n->next = *head;
	*head = n;
	t->n++;
}

void htab_del(struct htab *t, struct hnode *n)
{
	struct hnode **p;

	for (p = &t->b[n->hash & (t->n_buckets - 1)]; *p; p = &(*p)->next) {
		if (*p == n) {
			*p = n->next;
			t->n--;
			return;
		}
	}
}
