// SPDX-License-Identifier: GPL-2.0 OR MIT
/* binding load file formats (load.c) and the duplicate/shape checks (table.c). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tablefile.h"

#include "cmocka_wrap.h"

static struct load_err err;

static int load(const char *text, struct lw4o6_table *t)
{
	table_init(t);
	memset(&err, 0, sizeof(err));
	return table_parse(t, text, strlen(text), &err);
}

static void good(const char *text, size_t n)
{
	struct lw4o6_table t;

	if (load(text, &t))
		fail_msg("line %u: %s\n--\n%s", err.line, err.msg, text);
	assert_int_equal(t.n, n);
	table_free(&t);
}

/* Must fail on line `line` with a message containing `needle`. */
static void bad(const char *text, unsigned int line, const char *needle)
{
	struct lw4o6_table t;

	if (!load(text, &t))
		fail_msg("accepted:\n%s", text);
	if (err.line != line || !strstr(err.msg, needle))
		fail_msg("got line %u \"%s\", want line %u \"%s\"\n--\n%s",
			 err.line, err.msg, line, needle, text);
	table_free(&t);
}

static void test_lines_good(void **state)
{
	struct lw4o6_table t;
	struct in6_addr b4;

	(void)state;
	good("", 0);
	good("\n\n   \n", 0);
	good("# only a comment\n  # another\n", 0);
	assert_int_equal(load("# table\n"
			      "ipv4 192.0.2.1 psid 3/6 b4 2001:db8::2\n"
			      "\n"
			      "   ipv4 192.0.2.1\tpsid 4/6 b4 2001:db8::3 br 2001:db8::9  # trailing\n"
			      "ipv4 192.0.2.2 psid 0/0 offset 0 b4 2001:db8::4", &t), 0);
	assert_int_equal(t.n, 3);
	assert_int_equal(t.v[0].line, 2);
	assert_int_equal(t.v[1].line, 4);
	assert_int_equal(t.v[2].line, 5);
	assert_true(t.v[1].has_br);
	assert_int_equal(t.v[1].psid, 4);
	inet_pton(AF_INET6, "2001:db8::4", &b4);
	assert_memory_equal(&t.v[2].b4, &b4, 16);
	table_free(&t);
	/* CRLF and odd whitespace. */
	good("ipv4 192.0.2.1 psid 3/6 b4 ::2\r\n\r\nipv4 192.0.2.1 psid 5/6 b4 ::2\r\n", 2);
	good("\t ipv4  192.0.2.1 \v psid\t3/6  b4 ::2 \f\n", 1);
	/* Same B4 for several PSIDs is fine (Snabb's tables do this). */
	good("ipv4 192.0.2.1 psid 1/2 b4 ::2\nipv4 192.0.2.1 psid 2/2 b4 ::2\n", 2);
	/* Same PSID on different addresses is fine. */
	good("ipv4 192.0.2.1 psid 1/2 b4 ::2\nipv4 192.0.2.2 psid 1/2 b4 ::3\n", 2);
}

static void test_lines_bad(void **state)
{
	(void)state;
	bad("ipv4 192.0.2.1 psid 3/6 b4 ::2\nipv4 192.0.2.1 psid 64/6 b4 ::2\n",
	    2, "64");
	bad("\n\n\nipv4 192.0.2.1 psid 3/6\n", 4, "missing \"b4\"");
	bad("ipv4 192.0.2.1 psid 3/6 b4 ::2 replace\n", 1, "replace");
	bad("dev lw0 ipv4 192.0.2.1 psid 3/6 b4 ::2\n", 1, "dev");
	bad("ipv4 192.0.2.1 psid 3/6 b4 ::2 extra\n", 1, "\"extra\"");
	bad("ipv4 192.0.2.1 psid 3/6 b4 ::2\r\nipv4 192.0.2.x psid 3/6 b4 ::2\r\n",
	    2, "192.0.2.x");
	/* Missing final newline, error on that line. */
	bad("ipv4 192.0.2.1 psid 3/6 b4 ::2\nipv4 192.0.2.1 psid 3/6 b4", 2, "b4");
	/* Duplicate key: names both lines. */
	bad("ipv4 192.0.2.1 psid 3/6 b4 ::2\n# x\nipv4 192.0.2.1 psid 3/6 b4 ::3\n",
	    3, "line 1");
	bad("ipv4 192.0.2.1 psid 3/6 b4 ::2\n# x\nipv4 192.0.2.1 psid 0x3/6 b4 ::3\n",
	    3, "duplicate");
	/* One address, two shapes: names both lines. */
	bad("ipv4 192.0.2.1 psid 3/6 b4 ::2\nipv4 192.0.2.1 psid 3/8 b4 ::3\n",
	    2, "line 1");
	bad("ipv4 192.0.2.1 psid 3/6 b4 ::2\nipv4 192.0.2.2 psid 3/6 b4 ::2\n"
	    "ipv4 192.0.2.1 psid 4/6 offset 2 b4 ::3\n", 3, "offset 2");
	bad("ipv4 192.0.2.1 psid 0/0 b4 ::2\nipv4 192.0.2.1 psid 1/1 b4 ::3\n",
	    2, "psid length 1");
	{
		char longline[2048];

		memset(longline, ' ', sizeof(longline) - 1);
		longline[sizeof(longline) - 1] = '\0';
		bad(longline, 1, "longer");
	}
	bad("ipv4 1.1.1.1 ipv4 1.1.1.1 ipv4 1.1.1.1 ipv4 1.1.1.1 ipv4 1.1.1.1 "
	    "ipv4 1.1.1.1 ipv4 1.1.1.1 ipv4 1.1.1.1 ipv4\n", 1, "too many");
}

static const char snabb[] =
	"// Snabb lwAFTR configuration\n"			/* 1 */
	"softwire-config {\n"					/* 2 */
	"  external-interface { ip 10.10.10.10; mac 12:12:12:12:12:12; }\n"
	"  /* a block\n"					/* 4 */
	"     comment { softwire { } } */\n"			/* 5 */
	"  binding-table {\n"					/* 6 */
	"    softwire {\n"					/* 7 */
	"      ipv4 178.79.150.233;\n"
	"      psid 22788;\n"
	"      b4-ipv6 127:11:12:13:14:15:16:128;\n"
	"      br-address 8:9:a:b:c:d:e:f;\n"
	"      port-set { psid-length 16; }\n"
	"    }\n"
	"    softwire { port-set { reserved-ports-bit-count 6; psid-length 8; } # here\n" /* 14 */
	"      b4-ipv6 2001:db8::2; psid 52; ipv4 192.0.2.1;\n"
	"      padding 0; unknown-block { a b c; }\n"
	"    }\n"
	"    softwire { ipv4 192.0.2.9; psid 0; b4-ipv6 2001:db8::3; }\n" /* 18 */
	"  }\n"
	"}\n";

static void test_snabb_good(void **state)
{
	struct lw4o6_table t;
	struct in6_addr a;

	(void)state;
	assert_int_equal(table_detect(snabb, strlen(snabb)), TABLE_FMT_SNABB);
	if (load(snabb, &t))
		fail_msg("line %u: %s", err.line, err.msg);
	assert_int_equal(t.n, 3);
	assert_int_equal(t.v[0].ipv4, inet_addr("178.79.150.233"));
	assert_int_equal(t.v[0].psid, 22788);
	assert_int_equal(t.v[0].psid_len, 16);
	assert_int_equal(t.v[0].offset, 0);
	assert_true(t.v[0].has_br);
	inet_pton(AF_INET6, "8:9:a:b:c:d:e:f", &a);
	assert_memory_equal(&t.v[0].br, &a, 16);
	assert_int_equal(t.v[0].line, 7);
	assert_int_equal(t.v[1].psid, 52);
	assert_int_equal(t.v[1].psid_len, 8);
	assert_int_equal(t.v[1].offset, 6);
	assert_false(t.v[1].has_br);
	assert_int_equal(t.v[1].line, 14);
	assert_int_equal(t.v[2].psid_len, 0);
	assert_int_equal(t.v[2].line, 18);
	table_free(&t);

	/* A bare binding-table and CRLF, no trailing newline. */
	good("binding-table {\r\n softwire { ipv4 1.2.3.4; psid 1; b4-ipv6 ::2;\r\n"
	     " port-set { psid-length 4; } }\r\n}", 1);
	good("softwire { ipv4 1.2.3.4; psid 1; b4-ipv6 ::2; port-set { psid-length 4; } }"
	     "softwire { ipv4 1.2.3.4; psid 2; b4-ipv6 ::3; port-set { psid-length 4; } }", 2);
	good("# nothing but comments\nbinding-table { }\n", 0);
	good("x { name \"a } { ; string\"; }\n", 0);
}

static void test_snabb_bad(void **state)
{
	(void)state;
	bad("binding-table {\n softwire {\n  ipv4 1.2.3.4;\n  psid 1;\n }\n}\n",
	    2, "b4-ipv6");
	bad("binding-table {\n softwire {\n  ipv4 1.2.3.4;\n  b4-ipv6 ::2;\n }\n}\n",
	    2, "psid");
	bad("softwire {\n ipv4 1.2.3.4;\n psid 64;\n b4-ipv6 ::2;\n"
	    " port-set { psid-length 6; }\n}\n", 3, "64");
	bad("softwire {\n ipv4 1.2.3.4;\n psid 0;\n b4-ipv6 ::2;\n"
	    " port-set { psid-length 8; reserved-ports-bit-count 10; }\n}\n",
	    1, "exceeds");
	bad("softwire {\n ipv4 1.2.3.4.5;\n}\n", 2, "1.2.3.4.5");
	bad("softwire {\n ipv4 1.2.3.4;\n ipv4 1.2.3.4;\n}\n", 3, "twice");
	bad("softwire {\n b4-ipv6 ff02::1;\n}\n", 2, "unicast");
	bad("softwire {\n psid 70000;\n}\n", 2, "70000");
	bad("softwire {\n ipv4 1.2.3.4 5.6.7.8;\n}\n", 2, "exactly one");
	bad("softwire {\n ipv4 1.2.3.4\n}\n", 2, "expected ';'");
	bad("binding-table {\n softwire {\n ipv4 1.2.3.4; psid 0; b4-ipv6 ::2;\n", 2,
	    "never closed");
	bad("binding-table {\n}\n}\n", 3, "unbalanced");
	bad("binding-table {\n /* open\n\n", 2, "unterminated");
	bad("binding-table {\n name \"open\n\n", 2, "unterminated");
	bad("binding-table {\n { }\n}\n", 2, "expected a keyword");
	/* Duplicates and shape conflicts name the softwire lines. */
	bad("softwire { ipv4 1.2.3.4; psid 1; b4-ipv6 ::2; port-set { psid-length 4; } }\n"
	    "\n"
	    "softwire { ipv4 1.2.3.4; psid 1; b4-ipv6 ::3; port-set { psid-length 4; } }\n",
	    3, "line 1");
	bad("softwire { ipv4 1.2.3.4; psid 1; b4-ipv6 ::2; port-set { psid-length 4; } }\n"
	    "softwire { ipv4 1.2.3.4; psid 2; b4-ipv6 ::3; port-set { psid-length 5; } }\n",
	    2, "line 1");
}

static void test_detect(void **state)
{
	const char *lines = "# c\nipv4 1.2.3.4 psid 1/2 b4 ::2\n";
	const char *s1 = "/* c */ softwire-config {";
	const char *s2 = "# c\n\n  binding-table\n{";

	(void)state;
	assert_int_equal(table_detect(lines, strlen(lines)), TABLE_FMT_LINES);
	assert_int_equal(table_detect("", 0), TABLE_FMT_LINES);
	assert_int_equal(table_detect(s1, strlen(s1)), TABLE_FMT_SNABB);
	assert_int_equal(table_detect(s2, strlen(s2)), TABLE_FMT_SNABB);
	/* A broken line file still gets line-format errors. */
	bad("ipv5 1.2.3.4 psid 1/2 b4 ::2\n", 1, "\"ipv5\"");
}

/*
 * A big table must stay linear.  1,000,000 lines by default; set
 * LW4O6_TEST_BIG to scale it (the VM runs are 10-50x slower).
 */
static void test_big(void **state)
{
	const char *env = getenv("LW4O6_TEST_BIG");
	size_t n = env ? strtoul(env, NULL, 10) : 1000000, i, len = 0;
	struct lw4o6_table t;
	struct timespec t0, t1;
	char *buf = malloc(n * 80 + 1);

	(void)state;
	assert_non_null(buf);
	for (i = 0; i < n; i++) {
		/* 64 PSIDs (6 bits) per address, addresses from 10.0.0.0 up. */
		uint32_t addr = 0x0a000000 + (uint32_t)(i / 64);

		len += (size_t)sprintf(buf + len,
				       "ipv4 %u.%u.%u.%u psid %zu/6 b4 2001:db8::%zx:%zx\n",
				       addr >> 24, (addr >> 16) & 255,
				       (addr >> 8) & 255, addr & 255, i % 64,
				       i >> 16, i & 0xffff);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	table_init(&t);
	if (table_parse(&t, buf, len, &err))
		fail_msg("line %u: %s", err.line, err.msg);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(t.n, n);
	print_message("# parsed %zu lines in %.3f s\n", n,
		      (double)(t1.tv_sec - t0.tv_sec) +
		      (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);

	/* A duplicate at the very end is still found, with both lines. */
	table_free(&t);
	len += (size_t)sprintf(buf + len, "ipv4 10.0.0.0 psid 0/6 b4 ::3\n");
	bad(buf, (unsigned int)n + 1, "first on line 1)");
	free(buf);
}

/* table_parse_all(): every bad binding, with its line, and -1 at the end. */
struct seen_errs {
	unsigned int lines[8];
	char first[256];
	unsigned int n;
};

static void keep_err(const struct load_err *e, void *arg)
{
	struct seen_errs *s = arg;

	if (!s->n)
		snprintf(s->first, sizeof(s->first), "%s", e->msg);
	if (s->n < 8)
		s->lines[s->n] = e->line;
	s->n++;
}

static void test_all_errors(void **state)
{
	static const char lines[] =
		"ipv4 192.0.2.1 psid 3/6 b4 2001:db8::2\n"
		"ipv4 127.0.0.1 psid 3/6 b4 2001:db8::2\n"		/* 2 */
		"ipv4 192.0.2.1 psid 3/6 b4 2001:db8::3\n"		/* 3: dup */
		"ipv4 192.0.2.9 psid 3/6 b4 fe80::1\n"			/* 4 */
		"# fine\n"
		"ipv4 192.0.2.10 psid 1/4 b4 2001:db8::7\n"
		"ipv4 224.0.0.1 psid 0/0 b4 2001:db8::8\n";		/* 7 */
	static const char snabb[] =
		"softwire-config { binding-table {\n"
		"  softwire { ipv4 192.0.2.1; psid 1; b4-ipv6 ::1; port-set { psid-length 4; } }\n"
		"  softwire { ipv4 192.0.2.2; psid 1; b4-ipv6 2001:db8::1; port-set { psid-length 4; } }\n"
		"  softwire { ipv4 0.0.0.1; psid 1; b4-ipv6 2001:db8::1; port-set { psid-length 4; } }\n"
		"  softwire { ipv4 192.0.2.3; psid 99; b4-ipv6 2001:db8::2; port-set { psid-length 4; } }\n"
		"} }\n";
	struct seen_errs s;
	struct load_err e;
	struct lw4o6_table t;

	(void)state;
	memset(&s, 0, sizeof(s));
	table_init(&t);
	assert_int_equal(table_parse_all(&t, lines, strlen(lines), &e, keep_err, &s), -1);
	assert_int_equal(e.count, 4);
	assert_int_equal(s.n, 4);
	assert_int_equal(s.lines[0], 2);
	assert_int_equal(s.lines[1], 3);
	assert_int_equal(s.lines[2], 4);
	assert_int_equal(s.lines[3], 7);
	assert_non_null(strstr(s.first, "loopback 127.0.0.0/8"));
	table_free(&t);

	memset(&s, 0, sizeof(s));
	table_init(&t);
	assert_int_equal(table_parse_all(&t, snabb, strlen(snabb), &e, keep_err, &s), -1);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.lines[0], 2);
	assert_int_equal(s.lines[1], 4);
	assert_int_equal(s.lines[2], 5);
	assert_non_null(strstr(s.first, "loopback ::1"));
	table_free(&t);

	/* Good files: 0, nothing reported. */
	memset(&s, 0, sizeof(s));
	table_init(&t);
	assert_int_equal(table_parse_all(&t, lines, 39, &e, keep_err, &s), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(t.n, 1);
	table_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_good),
		cmocka_unit_test(test_lines_bad),
		cmocka_unit_test(test_snabb_good),
		cmocka_unit_test(test_snabb_bad),
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_big),
		cmocka_unit_test(test_all_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
