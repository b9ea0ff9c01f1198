// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * How many grants per second the SQLite store takes when B of them share a
 * commit (one fsync): what the daemon's batching of PCP answers buys.  Not
 * a test (no pass or fail, and timing depends on the disk).
 *
 *   bench_store [-n N] [-b B] DIR
 *
 * Puts N mappings into DIR/bench.db (removed before and after) in
 * transactions of B puts; prints puts/s and commits/s.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "store.h"

static void rm_db(const char *path)
{
	static const char *const sfx[] = { "", "-wal", "-shm" };
	char p[4200];
	size_t i;

	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, sfx[i]);
		unlink(p);
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned long n = 2000, b = 1, i, commits = 0;
	struct lw4o6_mapping m;
	char path[4096];
	struct store s;
	double t0, t;
	int opt, r;

	while ((opt = getopt(argc, argv, "n:b:")) != -1) {
		switch (opt) {
		case 'n':
			n = strtoul(optarg, NULL, 0);
			break;
		case 'b':
			b = strtoul(optarg, NULL, 0);
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc - 1 || !n || !b)
		goto usage;
	snprintf(path, sizeof(path), "%s/bench.db", argv[optind]);
	rm_db(path);
	r = store_open(&s, store_find("sqlite"), path);
	if (r) {
		fprintf(stderr, "bench_store: %s\n", s.err);
		return 1;
	}

	memset(&m, 0, sizeof(m));
	m.b4.s6_addr[0] = 0x20;
	m.b4.s6_addr[1] = 0x01;
	m.psid_len = 6;
	t0 = now();
	for (i = 0; i < n; i++) {
		if (i % b == 0 && (r = s.ops->begin(&s)))
			goto fail;
		m.b4.s6_addr[12] = (uint8_t)(i >> 24);
		m.b4.s6_addr[13] = (uint8_t)(i >> 16);
		m.b4.s6_addr[14] = (uint8_t)(i >> 8);
		m.b4.s6_addr[15] = (uint8_t)i;
		m.ipv4 = htonl(0x0a000000 + (uint32_t)(i / 63));
		m.psid = (uint16_t)(1 + i % 63);
		m.expires = 1700000000 + (int64_t)i;
		m.created = 1700000000;
		r = s.ops->put(&s, &m);
		if (r)
			goto fail;
		if (i % b == b - 1 || i == n - 1) {
			r = s.ops->commit(&s);
			if (r)
				goto fail;
			commits++;
		}
	}
	t = now() - t0;
	printf("%s: %lu puts, %lu per commit: %.0f puts/s, %.0f commits/s"
	       " (%.3f ms per commit)\n", argv[optind], n, b, n / t,
	       commits / t, t * 1e3 / commits);
	s.ops->close(&s);
	rm_db(path);
	return 0;
fail:
	fprintf(stderr, "bench_store: %s (%s)\n", s.err, strerror(-r));
	s.ops->close(&s);
	rm_db(path);
	return 1;
usage:
	fprintf(stderr, "usage: bench_store [-n N] [-b B] DIR\n");
	return 2;
}
