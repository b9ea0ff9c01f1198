// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * "lw4o6d audit": the answer to an abuse or lawful-intercept request
 * ("who was 192.0.2.1 port 4242 at 13:20:46 UTC?") from the store's audit
 * trail (store.h, struct store_audit).  The store is opened by its own
 * code, as the daemon opens it, so that SQLite and PostgreSQL answer
 * alike; SQLite in WAL mode lets us in while the daemon writes.  Nothing
 * is written, except that opening a store of an older schema migrates it,
 * as the daemon's next start would.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "audit_command.h"
#include "command_line.h"
#include "config.h"
#include "store.h"
#include "strconv.h"

static void usage(FILE *f)
{
	fputs("Usage: lw4o6d audit IPV4 [ port PORT ] [ at TIME ] [ -c FILE ] [ -j ]\n"
	      "       lw4o6d audit b4 IPV6 [ at TIME ] [ -c FILE ] [ -j ]\n"
	      "Who held IPV4 (and PORT) at TIME, or what B4 IPV6 held, from the audit\n"
	      "trail in the store of FILE's aftr or server (default /etc/lw4o6d.conf).\n"
	      "TIME: RFC 3339 with a zone (2026-12-03T13:20:46Z, 2026-12-03 14:20:46+01:00),\n"
	      "@SECONDS since 1970, or now; times are printed in UTC.\n"
	      "Exit status: 0 when some holder was found, 1 when none, 2 on an error.\n"
	      "  -j   JSON: an array of objects\n", f);
}

static int bad(const char *fmt, const char *arg)
{
	fputs("lw4o6d audit: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs(" (lw4o6d audit -h)\n", stderr);
	return 2;
}

struct query {
	struct audit_filter f;
	struct audit_printer p;
};

static int print_cb(const struct store_audit *a, void *arg)
{
	struct query *q = arg;

	if (audit_match(a, &q->f))
		audit_print(&q->p, a);
	return 0;
}

int audit_command_main(int argc, char **argv, const char *default_config)
{
	static struct lw4o6d_config c;
	const char *path = default_config, *what = NULL;
	struct query q = { .f = { .at_ms = -1, .port = -1 } };
	struct timespec ts;
	struct in6_addr b4;
	bool by_b4 = false;
	uint32_t ipv4 = 0, port;
	const struct store_ops *ops;
	struct store s;
	char why[160];
	int i, r;

	q.p.f = stdout;
	clock_gettime(CLOCK_REALTIME, &ts);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "-h") || !strcmp(a, "--help") || !strcmp(a, "help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "-j")) {
			q.p.json = true;
		} else if (!strcmp(a, "-c")) {
			if (!v)
				return bad("-c needs a FILE%s", "");
			path = v;
			i++;
		} else if (!strcmp(a, "port") && !what) {
			return bad("'port' needs an IPv4 address before it%s", "");
		} else if (!strcmp(a, "port")) {
			if (by_b4)
				return bad("'port' is for an IPv4 address, not a B4%s", "");
			if (!v || parse_u32(v, 65535, &port))
				return bad("port: '%s' is not a port (0 to 65535)",
					   v ? v : "");
			q.f.port = (int)port;
			i++;
		} else if (!strcmp(a, "at")) {
			if (!v)
				return bad("'at' needs a TIME%s", "");
			if (audit_parse_time(v, (int64_t)ts.tv_sec * 1000 +
					     ts.tv_nsec / 1000000,
					     &q.f.at_ms, why, sizeof(why)))
				return bad("%s", why);
			i++;
		} else if (!strcmp(a, "b4") && !what) {
			if (!v || parse_ipv6(v, &b4))
				return bad("b4: '%s' is not an IPv6 address",
					   v ? v : "");
			by_b4 = true;
			what = v;
			i++;
		} else if (!what) {
			if (parse_ipv4(a, &ipv4))
				return bad("'%s' is not an IPv4 address (or 'b4 IPV6')",
					   a);
			what = a;
		} else {
			return bad("unexpected '%s'", a);
		}
	}
	if (!what)
		return bad("which address? an IPv4 address or 'b4 IPV6'%s", "");
	if (command_line_config(path, &c))
		return 2;
	if (c.role != ROLE_AFTR && c.role != ROLE_SERVER) {
		fprintf(stderr, "lw4o6d audit: %s is a %s's; only an aftr or a server keeps an audit trail\n",
			path, config_role_name(c.role));
		return 2;
	}
	if (!c.storage_path[0]) {
		fprintf(stderr, "lw4o6d audit: %s has no storage (a relaying aftr keeps no leases)\n",
			path);
		return 2;
	}
	memset(&s, 0, sizeof(s));
	snprintf(s.node, sizeof(s.node), "lw4o6d-audit");
	ops = store_find(c.storage_kind[0] ? c.storage_kind : "sqlite");
	/* the SQLite store creates a missing file: not for a question */
	if (ops == &store_sqlite_ops && access(c.storage_path, F_OK)) {
		fprintf(stderr, "lw4o6d audit: %s: %s (has the daemon run with this file?)\n",
			c.storage_path, strerror(errno));
		return 2;
	}
	if (!ops || store_open(&s, ops, c.storage_path)) {
		fprintf(stderr, "lw4o6d audit: %s\n", ops ? s.err : "unknown storage kind");
		return 2;
	}
	audit_print_begin(&q.p);
	r = s.ops->audit(&s, ipv4, by_b4 ? &b4 : NULL, print_cb, &q);
	audit_print_end(&q.p);
	if (r)
		fprintf(stderr, "lw4o6d audit: %s\n", *s.err ? s.err : strerror(-r));
	store_close(&s);
	if (r)
		return 2;
	if (!q.p.n && !q.p.json)
		fprintf(stderr, "lw4o6d audit: no holder of %s%s found\n", what,
			q.f.at_ms >= 0 || q.f.port >= 0 ? " as asked" : "");
	return q.p.n ? 0 : 1;
}
