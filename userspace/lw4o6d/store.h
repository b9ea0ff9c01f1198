/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The AFTR's stable storage: mappings and the epoch's base time.  A small
 * interface so that a store shared by several lwAFTRs can sit beside the
 * embedded SQLite one (store_sqlite.c).  Writes may be grouped: between
 * store_begin() and store_commit() nothing is promised durable; after
 * store_commit() returns 0 everything before it is (see docs/lw4o6d.md for
 * WAL and fsync).  Functions return 0 or a negative errno; a message for the
 * log is in store->err.
 */
#ifndef LW4O6D_STORE_H
#define LW4O6D_STORE_H

#include <stdint.h>
#include "mapping.h"

struct store;

struct store_ops {
	const char *name;
	int (*open)(struct store *s, const char *path);
	void (*close)(struct store *s);
	int (*begin)(struct store *s);
	int (*commit)(struct store *s);
	/* insert, or replace the one with the same (b4, protocol, internal_port) */
	int (*put)(struct store *s, const struct lw4o6_mapping *m);
	/* -ENOENT if there was none */
	int (*del)(struct store *s, const struct lw4o6_mapping *m);
	/* every mapping, in key order; cb's nonzero return stops and is returned */
	int (*each)(struct store *s,
		    int (*cb)(const struct lw4o6_mapping *m, void *arg),
		    void *arg);
	int (*get_meta)(struct store *s, const char *key, int64_t *v); /* -ENOENT */
	int (*set_meta)(struct store *s, const char *key, int64_t v);
	int (*clear)(struct store *s);	/* every mapping (epoch reset) */
};

struct store {
	const struct store_ops *ops;
	void *priv;
	char err[256];
};

extern const struct store_ops store_sqlite_ops;

/* "sqlite" -> its ops; NULL if unknown */
const struct store_ops *store_find(const char *name);

static inline int store_open(struct store *s, const struct store_ops *ops,
			     const char *path)
{
	s->ops = ops;
	s->priv = 0;
	s->err[0] = 0;
	return ops->open(s, path);
}

#endif
