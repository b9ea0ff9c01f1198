/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The AFTR's stable storage: mappings and the time its state began (the
 * PCP epoch's base).  Only the core (alloc.c, core.c) uses it: front-ends
 * never see a store.  A back end is a struct store_ops, named by the
 * configuration ("storage KIND TARGET") and found by store_find(); adding
 * one (e.g. a PostgreSQL store shared by several lwAFTRs, TARGET its
 * connection string) means a store_KIND.c beside store_sqlite.c and a line
 * in store.c, nothing else.
 *
 * Writes may be grouped: between begin() and commit() nothing is promised
 * durable; after commit() returns 0 everything before it is, and a commit
 * that fails has applied none of it (see docs/lw4o6d.md for WAL and fsync).
 * Functions return 0 or a negative errno; a message for the log is in
 * store->err.
 */
#ifndef LW4O6D_STORE_H
#define LW4O6D_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "mapping.h"

struct store;
struct pool_cfg;

/*
 * What a shared store tells of changes other writers made (changes()).
 * STORE_PUT: a mapping was added or replaced (renewed, moved); the
 * mapping is as stored now.  STORE_DEL: it is gone.  STORE_RESYNC: changes
 * may have been missed (the connection was lost and is back): re-read
 * everything with each().  A writer never hears its own changes.
 */
enum store_change {
	STORE_PUT,
	STORE_DEL,
	STORE_RESYNC,
};

typedef int (*store_change_fn)(enum store_change ch,
			       const struct lw4o6_mapping *m, void *arg);

/*
 * One row of the audit trail: a B4 held (ipv4, psid) from start_ms until
 * end_ms (milliseconds since the Unix epoch, UTC, by the store's clock).
 * The store writes these itself (triggers on the mappings, so no writer
 * can change a mapping without them, in the same transaction): a row opens
 * when a mapping is inserted, and closes when it is deleted (released,
 * expired, withdrawn, an epoch reset) or moves to another set or B4; a
 * renewal of the same set changes nothing.  docs/lw4o6d.md, "Audit trail".
 */
struct store_audit {
	struct in6_addr b4;
	uint32_t ipv4;			/* network order */
	uint16_t psid;
	uint8_t psid_len, offset;
	uint8_t protocol;		/* the mapping's (0: all) */
	uint16_t internal_port;
	uint8_t via;			/* enum mapping_via */
	int64_t start_ms;
	int64_t end_ms;			/* -1: held now */
	char node[64];			/* who granted it ("": one daemon's store) */
};

typedef int (*store_audit_fn)(const struct store_audit *a, void *arg);

#define STORE_PRUNE_BATCH 10000

struct store_ops {
	const char *name;
	/*
	 * Whether TARGET names a store of this kind (a path, a connection
	 * string): NULL, or why not, in buf.  No I/O: --check-config uses it.
	 */
	const char *(*check)(const char *target, char *buf, size_t len);
	int (*open)(struct store *s, const char *target);
	void (*close)(struct store *s);
	int (*begin)(struct store *s);
	int (*commit)(struct store *s);
	/*
	 * Insert, or replace the one with the same (b4, protocol,
	 * internal_port); -EEXIST if another mapping holds (ipv4, psid).
	 */
	int (*put)(struct store *s, const struct lw4o6_mapping *m);
	/*
	 * Removes the mapping with m's key if it still holds m's set and
	 * expiry; -ENOENT if there was none, -ESTALE if another writer has
	 * renewed or moved it since (a shared store: the caller re-reads).
	 */
	int (*del)(struct store *s, const struct lw4o6_mapping *m);
	/*
	 * Every mapping, in key order; cb's nonzero return stops and is
	 * returned.  cb may del() the mapping it is given.
	 */
	int (*each)(struct store *s,
		    int (*cb)(const struct lw4o6_mapping *m, void *arg),
		    void *arg);
	int (*get_meta)(struct store *s, const char *key, int64_t *v); /* -ENOENT */
	int (*set_meta)(struct store *s, const char *key, int64_t v);
	int (*clear)(struct store *s);	/* every mapping (epoch reset) */

	/*
	 * For stores several lwAFTRs share (NULL where a store is one
	 * daemon's alone, as SQLite's is).
	 *
	 * Every error that a retry may cure (connection lost, the database
	 * restarting, a serialisation failure) is -EAGAIN; the store then
	 * reconnects by itself on a later call or tick(), and what was not
	 * committed was not applied.
	 *
	 * lookup: the stored mappings of IPv4 address ipv4 (network order)
	 * held by B4 b4, fresh from the store (not a cache): the data-packet
	 * trigger's question.  cb as for each().
	 */
	int (*lookup)(struct store *s, uint32_t ipv4, const struct in6_addr *b4,
		      int (*cb)(const struct lw4o6_mapping *m, void *arg),
		      void *arg);
	/* An fd that is readable when changes() has something; -1: none now. */
	int (*watch_fd)(struct store *s);
	/* Hands every change waiting to cb, in order; 0 or a negative errno. */
	int (*changes)(struct store *s, store_change_fn cb, void *arg);
	/*
	 * Once a second: reconnect if the connection is down (the fd from
	 * watch_fd() may change; STORE_RESYNC follows a reconnection).
	 */
	void (*tick)(struct store *s);
	/*
	 * Whether the connection is up now (the anycast announcement's health,
	 * anycast.c); no I/O: a lost connection shows once a call or the
	 * change feed has met it.
	 */
	bool (*up)(struct store *s);
	/*
	 * This daemon's pools, recorded under its node name; -EINVAL (why in
	 * err) if another node's pools give one IPv4 address another PSID
	 * length or offset, since then two nodes could grant overlapping sets.
	 */
	int (*set_pools)(struct store *s, const struct pool_cfg *pools,
			 size_t n);

	/*
	 * The audit trail (struct store_audit), every store.  audit: the
	 * rows of IPv4 address ipv4 (network order) if b4 is NULL, else of
	 * B4 b4, oldest start first; cb as for each().  audit_prune: removes
	 * the rows that ended before before_ms (open rows stay), and in a
	 * shared store the change history as old; at most STORE_PRUNE_BATCH
	 * rows of each at a time, so that a long-due pruning does not hold
	 * the store for seconds (call again while *n, the rows removed, is
	 * not 0).
	 */
	int (*audit)(struct store *s, uint32_t ipv4, const struct in6_addr *b4,
		     store_audit_fn cb, void *arg);
	int (*audit_prune)(struct store *s, int64_t before_ms, uint64_t *n);
};

struct store {
	const struct store_ops *ops;
	void *priv;
	char err[256];
	/*
	 * Who writes, for a shared store (its pools, audit rows, PostgreSQL's
	 * application_name): the config's "node", else the host name.  Set
	 * before store_open().
	 */
	char node[64];
};

extern const struct store_ops store_sqlite_ops;
extern const struct store_ops store_postgresql_ops;

/* "sqlite" -> its ops; NULL if unknown */
const struct store_ops *store_find(const char *kind);
/* The kinds there are, for a message: "only sqlite is supported". */
const char *store_kinds(char *buf, size_t len);

static inline int store_open(struct store *s, const struct store_ops *ops,
			     const char *target)
{
	s->ops = ops;
	s->priv = 0;
	s->err[0] = 0;
	return ops->open(s, target);
}

static inline void store_close(struct store *s)
{
	if (s->ops)
		s->ops->close(s);
	s->ops = NULL;
}

static inline int store_begin(struct store *s)
{
	return s->ops->begin(s);
}

static inline int store_commit(struct store *s)
{
	return s->ops->commit(s);
}

static inline int store_put(struct store *s, const struct lw4o6_mapping *m)
{
	return s->ops->put(s, m);
}

static inline int store_del(struct store *s, const struct lw4o6_mapping *m)
{
	return s->ops->del(s, m);
}

static inline int store_each(struct store *s,
			     int (*cb)(const struct lw4o6_mapping *m, void *arg),
			     void *arg)
{
	return s->ops->each(s, cb, arg);
}

static inline int store_get_meta(struct store *s, const char *key, int64_t *v)
{
	return s->ops->get_meta(s, key, v);
}

static inline int store_set_meta(struct store *s, const char *key, int64_t v)
{
	return s->ops->set_meta(s, key, v);
}

static inline int store_clear(struct store *s)
{
	return s->ops->clear(s);
}

/* Whether the store is shared by several daemons (it has a change feed). */
static inline int store_shared(const struct store *s)
{
	return s->ops && s->ops->changes;
}

#endif
