// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * "lw4o6d audit" and what it rests on (audit.c): times as operators write
 * them, in and out of range and without a zone; the printing; and the
 * command itself, run on a SQLite store this test fills through the
 * store's own code, so the triggers write the rows as in production.  Its
 * answers, its exit status (0 found, 1 none, 2 error) and its errors: a bad
 * address, port or time, no store, a configuration without one.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "audit.h"
#include "audit_command.h"
#include "mapping.h"
#include "store.h"
#include "tests/cmocka_wrap.h"

#define T0 1796304046000LL	/* 2026-12-03T13:20:46Z */

static int64_t parse(const char *s)
{
	char why[160];
	int64_t ms = -7;

	if (audit_parse_time(s, 42, &ms, why, sizeof(why)))
		fail_msg("%s: %s", s, why);
	return ms;
}

static const char *parse_err(const char *s)
{
	static char why[160];
	int64_t ms;

	why[0] = 0;
	assert_int_equal(audit_parse_time(s, 42, &ms, why, sizeof(why)), -1);
	return why;
}

static void test_time(void **state)
{
	char buf[AUDIT_TIME_LEN];

	(void)state;
	assert_int_equal(parse("2026-12-03T13:20:46Z"), T0);
	assert_int_equal(parse("2026-12-03t13:20:46z"), T0);
	assert_int_equal(parse("2026-12-03 13:20:46Z"), T0);
	/* the same instant in other zones */
	assert_int_equal(parse("2026-12-03T14:20:46+01:00"), T0);
	assert_int_equal(parse("2026-12-03T14:20:46+0100"), T0);
	assert_int_equal(parse("2026-12-03T14:20:46+01"), T0);
	assert_int_equal(parse("2026-12-03T08:50:46-04:30"), T0);
	assert_int_equal(parse("2026-12-04T00:20:46+11:00"), T0);
	/* fractions: milliseconds, further digits cut */
	assert_int_equal(parse("2026-12-03T13:20:46.5Z"), T0 + 500);
	assert_int_equal(parse("2026-12-03T13:20:46.123456Z"), T0 + 123);
	assert_int_equal(parse("2026-12-03T13:20Z"), T0 - 46000);
	assert_int_equal(parse("2024-02-29T00:00:00Z"), 1709164800000LL);
	assert_int_equal(parse("now"), 42);
	assert_int_equal(parse("@1700000000"), 1700000000000LL);

	assert_non_null(strstr(parse_err("2026-12-03T13:20:46"), "no zone"));
	assert_non_null(strstr(parse_err("2026-12-03"), "time of day"));
	assert_non_null(strstr(parse_err("2026-02-29T00:00:00Z"), "out of range"));
	assert_non_null(strstr(parse_err("2026-12-03T24:00:00Z"), "out of range"));
	assert_non_null(strstr(parse_err("2026-12-03T13:20:46+25:00"),
			       "zone offset"));
	assert_non_null(strstr(parse_err("2026-12-03T13:20:46Z junk"),
			       "after the zone"));
	assert_non_null(strstr(parse_err("2026-12-03T13:20:46 CET"),
			       "after the time"));
	assert_non_null(strstr(parse_err("yesterday"), "YYYY-MM-DD"));
	assert_non_null(strstr(parse_err("@-5"), "seconds since 1970"));
	assert_non_null(strstr(parse_err(""), "'' is not a time"));

	assert_string_equal(audit_fmt_time(T0 + 7, buf),
			    "2026-12-03T13:20:46.007Z");
	assert_string_equal(audit_fmt_time(1700000000123LL, buf),
			    "2023-11-14T22:13:20.123Z");
}

/* Ports in a set with an offset: the low ports are no one's. */
static void test_match_offset(void **state)
{
	struct store_audit a = { .psid = 5, .psid_len = 6, .offset = 6,
				 .start_ms = 1000, .end_ms = 2000 };
	struct audit_filter f = { .at_ms = 1000, .port = -1 };

	(void)state;
	/* a = 6, k = 6, m = 4: psid 5 is ports i << 10 | 5 << 4 | j, i >= 1 */
	f.port = 1 << 10 | 5 << 4 | 3;
	assert_true(audit_match(&a, &f));
	f.port = 63 << 10 | 5 << 4 | 15;
	assert_true(audit_match(&a, &f));
	f.port = 5 << 4 | 3;		/* i = 0: excluded */
	assert_false(audit_match(&a, &f));
	f.port = 1 << 10 | 6 << 4;	/* psid 6 */
	assert_false(audit_match(&a, &f));
	f.port = 1 << 10 | 5 << 4;
	f.at_ms = 1999;
	assert_true(audit_match(&a, &f));
	f.at_ms = 2000;
	assert_false(audit_match(&a, &f));
	f.at_ms = 999;
	assert_false(audit_match(&a, &f));
	a.end_ms = -1;			/* held now: from its start on */
	f.at_ms = 99999999;
	assert_true(audit_match(&a, &f));
}

/* A node name is a writer's text: escaped in JSON, tamed in text. */
static void test_print_node(void **state)
{
	struct store_audit a = { .psid = 1, .psid_len = 6, .start_ms = T0,
				 .end_ms = -1 };
	struct audit_printer p = { .json = true };
	char *buf = NULL;
	size_t len = 0;

	(void)state;
	snprintf(a.node, sizeof(a.node), "n\"1\\\x1b[2J");
	p.f = open_memstream(&buf, &len);
	assert_non_null(p.f);
	audit_print_begin(&p);
	audit_print(&p, &a);
	audit_print_end(&p);
	p.json = false;
	audit_print(&p, &a);
	fclose(p.f);
	assert_non_null(strstr(buf, "\"until\":null,\"until_ms\":null,"
			       "\"node\":\"n\\\"1\\\\\\u001b[2J\"}\n]\n"));
	assert_non_null(strstr(buf, "now (held)               n\"1\\?[2J\n"));
	assert_null(strchr(buf, 0x1b));
	free(buf);
}

/* ---- the command ------------------------------------------------------------ */

static char dir[64], conf[128], db[128], out[65536], err[4096];

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void slurp(int fd, char *buf, size_t len)
{
	ssize_t n = pread(fd, buf, len - 1, 0);

	buf[n > 0 ? n : 0] = 0;
}

/* lw4o6d audit ARGS...: its exit status; stdout in out, stderr in err. */
static int run(const char *first, ...)
{
	char *argv[16], of[] = "/tmp/test_audit.out.XXXXXX";
	char ef[] = "/tmp/test_audit.err.XXXXXX";
	int ofd = mkstemp(of), efd = mkstemp(ef), so, se, argc = 0, r;
	const char *a;
	va_list ap;

	assert_true(ofd >= 0 && efd >= 0);
	argv[argc++] = (char *)"audit";
	va_start(ap, first);
	for (a = first; a; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;
	fflush(stdout);
	fflush(stderr);
	so = dup(1);
	se = dup(2);
	dup2(ofd, 1);
	dup2(efd, 2);
	r = audit_command_main(argc, argv, conf);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(so);
	close(se);
	slurp(ofd, out, sizeof(out));
	slurp(efd, err, sizeof(err));
	close(ofd);
	close(efd);
	unlink(of);
	unlink(ef);
	return r;
}

static void mk(struct lw4o6_mapping *m, const char *b4, uint16_t psid)
{
	memset(m, 0, sizeof(*m));
	inet_pton(AF_INET6, b4, &m->b4);
	m->protocol = 6;
	inet_pton(AF_INET, "198.18.0.1", &m->ipv4);
	m->psid = psid;
	m->psid_len = 6;
	m->created = 1;
	m->expires = 4000000000LL;
	m->nonce[0] = (uint8_t)psid;
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_audit.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(conf, sizeof(conf), "%s/lw4o6d.conf", dir);
	snprintf(db, sizeof(db), "%s/lw4o6d.db", dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[160];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void aftr_conf(void)
{
	char text[512];

	snprintf(text, sizeof(text),
		 "role aftr\ndevice lw0\nstorage sqlite %s\n"
		 "pool 198.18.0.0/24 psid-len 6\n", db);
	write_file(conf, text);
}

struct rows {
	struct store_audit a[2];
	int n;
};

static int rows_cb(const struct store_audit *x, void *arg)
{
	struct rows *r = arg;

	if (r->n < 2)
		r->a[r->n] = *x;
	r->n++;
	return 0;
}

/*
 * 2001:db8::1 holds psid 2 (ports 2048-3071) from a, released at b;
 * 2001:db8::2 holds psid 2 from c on.
 */
static void fill(int64_t *a, int64_t *b, int64_t *c)
{
	struct lw4o6_mapping m, n;
	struct store s;
	struct rows r = { 0 };

	memset(&s, 0, sizeof(s));
	assert_int_equal(store_open(&s, &store_sqlite_ops, db), 0);
	mk(&m, "2001:db8::1", 2);
	assert_int_equal(s.ops->put(&s, &m), 0);
	usleep(30000);
	assert_int_equal(s.ops->del(&s, &m), 0);
	usleep(30000);
	mk(&n, "2001:db8::2", 2);
	n.via = MAPPING_VIA_DHCP4O6;
	assert_int_equal(s.ops->put(&s, &n), 0);
	assert_int_equal(s.ops->audit(&s, m.ipv4, NULL, rows_cb, &r), 0);
	assert_int_equal(r.n, 2);
	*a = r.a[0].start_ms;
	*b = r.a[0].end_ms;
	*c = r.a[1].start_ms;
	s.ops->close(&s);
}

static void test_command(void **state)
{
	char t[AUDIT_TIME_LEN], t2[AUDIT_TIME_LEN];
	int64_t a, b, c;

	(void)state;
	aftr_conf();
	fill(&a, &b, &c);
	audit_fmt_time(a + 10, t);

	/* who held 198.18.0.1 port 2100 shortly after the first grant? */
	assert_int_equal(run("198.18.0.1", "port", "2100", "at", t, "-c", conf,
			     NULL), 0);
	assert_non_null(strstr(out, "2001:db8::1 "));
	assert_null(strstr(out, "2001:db8::2 "));
	assert_non_null(strstr(out, "2048-3071"));
	assert_non_null(strstr(out, audit_fmt_time(a, t2)));	/* FROM */
	assert_non_null(strstr(out, audit_fmt_time(b, t2)));	/* UNTIL */
	/* and now: the second B4, by DHCPv4 over DHCPv6 */
	assert_int_equal(run("198.18.0.1", "port", "3071", "at", "now", NULL), 0);
	assert_non_null(strstr(out, "2001:db8::2 "));
	assert_non_null(strstr(out, "dhcp4o6"));
	assert_non_null(strstr(out, "now (held)"));
	assert_null(strstr(out, "2001:db8::1 "));
	/* between the two: no one */
	audit_fmt_time(b + (c - b) / 2, t);
	assert_int_equal(run("198.18.0.1", "port", "2100", "at", t, NULL), 1);
	assert_non_null(strstr(err, "no holder of 198.18.0.1"));
	/* a port outside the set, a time before any grant */
	assert_int_equal(run("198.18.0.1", "port", "3072", "at", "now", NULL), 1);
	assert_int_equal(run("198.18.0.1", "at", "2000-01-01T00:00:00Z", NULL), 1);
	/* every holder of the address, oldest first, in JSON */
	assert_int_equal(run("-j", "198.18.0.1", NULL), 0);
	assert_non_null(strstr(out, "[\n {\"b4\":\"2001:db8::1\",\"ipv4\":\"198.18.0.1\","
			       "\"psid\":2,\"psid_len\":6,\"offset\":0,"
			       "\"ports\":\"2048-3071\",\"port_ranges\":1,"
			       "\"protocol\":\"pcp\",\"via\":\"softwire\","));
	assert_non_null(strstr(out, "},\n {\"b4\":\"2001:db8::2\""));
	assert_non_null(strstr(out, "\"until\":null,\"until_ms\":null"));
	assert_non_null(strstr(out, "\n]\n"));
	/* by B4 */
	assert_int_equal(run("b4", "2001:db8::1", NULL), 0);
	assert_non_null(strstr(out, "2001:db8::1 "));
	assert_null(strstr(out, "2001:db8::2 "));
	assert_int_equal(run("b4", "2001:db8::1", "at", "now", NULL), 1);
	assert_int_equal(run("-j", "b4", "2001:db8::9", NULL), 1);
	assert_string_equal(out, "[]\n");
	/* a zone offset names the same instant as Z */
	{
		time_t sec = (time_t)(c / 1000 + 1);
		struct tm tm;
		char z[48];

		sec -= 5 * 3600;
		gmtime_r(&sec, &tm);
		strftime(z, sizeof(z), "%Y-%m-%dT%H:%M:%S-05:00", &tm);
		assert_int_equal(run("198.18.0.1", "at", z, NULL), 0);
		assert_non_null(strstr(out, "2001:db8::2 "));
	}
}

static void test_command_errors(void **state)
{
	(void)state;
	aftr_conf();
	assert_int_equal(run("198.18.0.256", NULL), 2);
	assert_non_null(strstr(err, "'198.18.0.256' is not an IPv4 address"));
	assert_int_equal(run("b4", "198.18.0.1", NULL), 2);
	assert_non_null(strstr(err, "is not an IPv6 address"));
	assert_int_equal(run("198.18.0.1", "port", "65536", NULL), 2);
	assert_non_null(strstr(err, "not a port"));
	assert_int_equal(run("198.18.0.1", "port", NULL), 2);
	assert_int_equal(run("b4", "2001:db8::1", "port", "1", NULL), 2);
	assert_non_null(strstr(err, "'port' is for an IPv4 address"));
	assert_int_equal(run("198.18.0.1", "at", "2026-12-03T13:20:46", NULL), 2);
	assert_non_null(strstr(err, "no zone"));
	assert_int_equal(run("198.18.0.1", "at", NULL), 2);
	assert_non_null(strstr(err, "'at' needs a TIME"));
	assert_int_equal(run("198.18.0.1", "198.18.0.2", NULL), 2);
	assert_non_null(strstr(err, "unexpected '198.18.0.2'"));
	assert_int_equal(run(NULL), 2);
	assert_non_null(strstr(err, "which address?"));
	assert_int_equal(run("-h", NULL), 0);
	assert_non_null(strstr(out, "Usage: lw4o6d audit"));

	/* no store yet: said, and not created by the question */
	assert_int_equal(run("198.18.0.1", NULL), 2);
	assert_non_null(strstr(err, db));
	assert_non_null(strstr(err, "No such file"));
	assert_int_equal(access(db, F_OK), -1);
	/* a configuration that keeps no store, or is not there */
	write_file(conf, "role aftr\ndevice lw0\n"
		   "relay 2001:db8::9 2001:db8::a\ndhcp4o6-interface eth0\n");
	assert_int_equal(run("198.18.0.1", NULL), 2);
	assert_non_null(strstr(err, "has no storage"));
	write_file(conf, "role b4\ndevice b0\n");
	assert_int_equal(run("198.18.0.1", NULL), 2);
	assert_non_null(strstr(err, "only an aftr or a server"));
	assert_int_equal(run("198.18.0.1", "-c", "/nonexistent/lw4o6d.conf",
			     NULL), 2);
	assert_non_null(strstr(err, "/nonexistent/lw4o6d.conf"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_match_offset),
		cmocka_unit_test(test_print_node),
		cmocka_unit_test_setup_teardown(test_command, setup, teardown),
		cmocka_unit_test_setup_teardown(test_command_errors, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
