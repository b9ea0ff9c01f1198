/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The PostgreSQL store's SQL (store_pg_sql.c): the schema, as steps from
 * one version to the next, and the statements store_postgresql.c
 * prepares on every connection.
 */
#ifndef LW4O6D_STORE_PG_SQL_H
#define LW4O6D_STORE_PG_SQL_H

#define PG_SCHEMA_VERSION 3
/* each() reads this many rows at a time */
#define PG_EACH_CHUNK "1000"

/*
 * pg_migration[v] takes the schema from version v to v + 1; the caller
 * runs them in one transaction with the version row (lw4o6_schema).
 */
extern const char *const pg_migration[PG_SCHEMA_VERSION];

#define MAPPING_COLS "host(b4), protocol, internal_port, encode(nonce, 'hex')," \
		     " host(ipv4), psid, psid_len, \"offset\", expires, created, via"
#define N_COLS 11
/* started and ended as milliseconds since the Unix epoch; ended -1: open */
#define AUDIT_COLS "host(b4), host(ipv4), psid, psid_len, \"offset\", protocol," \
		   " internal_port, via," \
		   " floor(extract(epoch FROM started) * 1000)::bigint," \
		   " coalesce(floor(extract(epoch FROM ended) * 1000)::bigint, -1)," \
		   " node"
#define N_AUDIT_COLS 11

enum {
	ST_PUT,
	ST_DEL,
	ST_EACH_FIRST,
	ST_EACH_NEXT,
	ST_LOOKUP,
	ST_GET_META,
	ST_SET_META,
	ST_CLEAR,
	ST_POOLS_DEL,
	ST_POOLS_CLASH,
	ST_POOLS_ADD,
	ST_AUDIT_IPV4,
	ST_AUDIT_B4,
	ST_AUDIT_PRUNE,
	ST_N,
};

struct pg_stmt {
	const char *sql;
	int nparams;
};

extern const struct pg_stmt pg_stmt[ST_N];

#endif
