/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * A throwaway PostgreSQL for host-side tests and benchmarks: initdb into a
 * temporary folder, the server on a unix socket in that folder (no TCP),
 * removed at the end.  As root the server runs as the postgres user
 * (postgres refuses root) through runuser.  The binaries are
 * $LW4O6_PG_BINDIR, else the newest /usr/lib/postgresql/N/bin.  A missing
 * installation is an error, never a skip: the store's tests must run.
 */
#ifndef LW4O6D_TESTS_PG_SERVER_H
#define LW4O6D_TESTS_PG_SERVER_H

struct pg_server {
	char dir[64];		/* the folder: data/, the socket, log */
	char bindir[128];
	char conninfo[160];	/* "host=DIR dbname=postgres user=lw4o6" */
};

/* 0, or -1 with the reason on stderr (and the server log's tail). */
int pg_server_start(struct pg_server *p);
/* pg_ctl ACTION ("stop", "start", "restart"), waiting; 0 or -1. */
int pg_server_ctl(struct pg_server *p, const char *action);
/* Stops the server and removes the folder. */
void pg_server_destroy(struct pg_server *p);
/* Runs sql (several statements allowed) as the superuser; 0 or -1. */
int pg_server_sql(struct pg_server *p, const char *sql);
/* The first column of the first row of sql as a number; -1 on error. */
long long pg_server_num(struct pg_server *p, const char *sql);

#endif
