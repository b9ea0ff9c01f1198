// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Grants per second through the core (alloc.c), SQLite next to
 * PostgreSQL: what the shared store costs a lwAFTR.  Not a test (no pass
 * or fail beyond every grant being granted and stored; timing depends on
 * the disk and the machine).
 *
 *   bench_grants [-n N]
 *
 * For each store and batch size (1: a commit per grant; 256: the daemon's
 * full batch), N grants to N distinct B4s on an empty store, each as the
 * PCP server makes them (alloc_admit, alloc_map; alloc_begin/commit around
 * a batch).  SQLite: a file under /tmp (WAL, synchronous=FULL, as the
 * daemon runs it).  PostgreSQL: a server of its own (tests/pg_server.c)
 * with fsync on, over a unix socket.  Prints a Markdown table.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "alloc.h"
#include "log.h"
#include "store.h"
#include "tests/pg_server.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int count_cb(const struct lw4o6_mapping *m, void *arg)
{
	(void)m;
	++*(unsigned long *)arg;
	return 0;
}

/* N grants in batches of b; grants per second, or a negative number. */
static double run(const char *kind, const char *target, unsigned long n,
		  unsigned long b)
{
	struct alloc_limits lim = {
		.lifetime_min = 120, .lifetime_max = 86400,
		.lifetime_default = 7200, .quota = 1, .rate = 10, .burst = 20,
		.sub_plen = 128,
	};
	struct pool_cfg pool = { .prefix = htonl(0x0a000000), .plen = 16,
				 .psid_len = 6 };
	struct alloc_answer ans;
	struct alloc_req r;
	struct store s;
	struct alloc *a;
	unsigned long i, stored = 0;
	double t0, t;
	int err;

	memset(&s, 0, sizeof(s));
	snprintf(s.node, sizeof(s.node), "bench");
	err = store_open(&s, store_find(kind), target);
	if (err) {
		fprintf(stderr, "bench_grants: %s: %s\n", kind, s.err);
		return -1;
	}
	if (s.ops->clear(&s)) {
		fprintf(stderr, "bench_grants: %s: %s\n", kind, s.err);
		s.ops->close(&s);
		return -1;
	}
	a = alloc_new(&s, &lim, &pool, 1, NULL);
	if (!a || alloc_load(a, true)) {
		fprintf(stderr, "bench_grants: %s: cannot start the core\n",
			kind);
		s.ops->close(&s);
		return -1;
	}
	memset(&r, 0, sizeof(r));
	r.b4.s6_addr[0] = 0x20;
	r.b4.s6_addr[1] = 0x01;
	r.b4.s6_addr[2] = 0x0d;
	r.b4.s6_addr[3] = 0xb8;
	r.lifetime = 7200;
	r.takes_set = true;
	t0 = now();
	for (i = 0; i < n; i++) {
		if (i % b == 0 && alloc_begin(a))
			goto fail;
		r.b4.s6_addr[12] = (uint8_t)(i >> 24);
		r.b4.s6_addr[13] = (uint8_t)(i >> 16);
		r.b4.s6_addr[14] = (uint8_t)(i >> 8);
		r.b4.s6_addr[15] = (uint8_t)i;
		memcpy(r.nonce, &r.b4.s6_addr[4], sizeof(r.nonce));
		if (alloc_admit(a, &r.b4) != ADMIT_OK ||
		    alloc_map(a, &r, &ans) != ALLOC_OK || !ans.has_set)
			goto fail;
		if ((i % b == b - 1 || i == n - 1) && alloc_commit(a))
			goto fail;
	}
	t = now() - t0;
	if (s.ops->each(&s, count_cb, &stored) || stored != n) {
		fprintf(stderr, "bench_grants: %s: %lu stored of %lu\n", kind,
			stored, n);
		goto fail_quiet;
	}
	alloc_free(a);
	s.ops->close(&s);
	return n / t;
fail:
	fprintf(stderr, "bench_grants: %s: grant %lu failed: %s\n", kind, i,
		s.err);
fail_quiet:
	alloc_free(a);
	s.ops->close(&s);
	return -1;
}

int main(int argc, char **argv)
{
	static const unsigned long batch[] = { 1, 256 };
	char dir[] = "/tmp/lw4o6-bench.XXXXXX", path[64];
	struct pg_server pg;
	unsigned long n = 5000;
	double g[2][2];
	int opt, i, bad = 0;

	while ((opt = getopt(argc, argv, "n:")) != -1) {
		if (opt != 'n')
			goto usage;
		n = strtoul(optarg, NULL, 0);
	}
	if (optind != argc || !n)
		goto usage;
	log_open(LOG_WARNING, false);
	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/bench.db", dir);
	if (pg_server_start(&pg, true)) {
		pg_server_destroy(&pg);
		rmdir(dir);
		return 1;
	}
	for (i = 0; i < 2; i++) {
		g[0][i] = run("sqlite", path, n, batch[i]);
		g[1][i] = run("postgresql", pg.conninfo, n, batch[i]);
		bad |= g[0][i] < 0 || g[1][i] < 0;
	}
	pg_server_destroy(&pg);
	{
		char p[80];

		snprintf(p, sizeof(p), "%s-wal", path);
		unlink(p);
		snprintf(p, sizeof(p), "%s-shm", path);
		unlink(p);
		unlink(path);
		rmdir(dir);
	}
	if (bad)
		return 1;
	printf("| store (%lu grants, distinct B4s) | 1 per commit | 256 per"
	       " commit |\n|---|---|---|\n", n);
	printf("| SQLite (WAL, synchronous=FULL, ext4 /tmp) | %.0f/s | %.0f/s |\n",
	       g[0][0], g[0][1]);
	printf("| PostgreSQL 15 (fsync on, unix socket) | %.0f/s | %.0f/s |\n",
	       g[1][0], g[1][1]);
	return 0;
usage:
	fprintf(stderr, "usage: bench_grants [-n N]\n");
	return 2;
}
