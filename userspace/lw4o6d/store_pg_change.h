/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The PostgreSQL store's change feed on the wire: the payload that the
 * trigger on lw4o6_mappings sends with NOTIFY lw4o6_mappings (see
 * store_postgresql.c), one line of text:
 *
 *   2 ID OP B4 PROTOCOL PORT NONCE IPV4 PSID PSID_LEN OFFSET EXPIRES CREATED VIA CHANGED NODE
 *
 * "2" the format's version (schema 2; version 1, from schema 1, has no VIA
 * and is still read: the feed of a store being upgraded); ID the change's row in lw4o6_history (which
 * also keeps PostgreSQL from folding two identical notifications of one
 * transaction into one: a put, a del and the same put again must all
 * arrive); OP "put" or "del"; B4 and IPV4 addresses as
 * PostgreSQL's host() writes them; NONCE 24 lowercase hex digits; the
 * numbers decimal without leading zeros (EXPIRES, CREATED and CHANGED,
 * seconds, may be negative; VIA enum mapping_via); NODE the writer's
 * name, the rest of the line (1..63 printable bytes).  Fields are separated by exactly one space.
 * Another writer's payload is untrusted input: anything else is refused.
 */
#ifndef LW4O6D_STORE_PG_CHANGE_H
#define LW4O6D_STORE_PG_CHANGE_H

#include <stddef.h>
#include "mapping.h"
#include "store.h"

#define PG_CHANGE_NODE_LEN 64

struct pg_change {
	int64_t id;			/* lw4o6_history.id, > 0 */
	enum store_change op;		/* STORE_PUT or STORE_DEL */
	struct lw4o6_mapping m;
	int64_t changed;		/* when the row was written, seconds */
	char node[PG_CHANGE_NODE_LEN];	/* who wrote it */
};

/* 0, or -EINVAL for anything that is not exactly one such payload. */
int pg_change_parse(const char *p, size_t len, struct pg_change *c);
/* The payload for c, as the trigger writes it; its length, or -ENOSPC. */
int pg_change_format(const struct pg_change *c, char *buf, size_t len);

#endif
