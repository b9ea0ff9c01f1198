// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The JSON writer (json.c), the print family on top of it (print.c), names. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/lw4o6.h>

#include "json.h"
#include "names.h"
#include "print.h"

#include "cmocka_wrap.h"

static char *out;
static size_t outlen;
static FILE *f;

static void start(void)
{
	f = open_memstream(&out, &outlen);
	assert_non_null(f);
}

/* Ends the capture and compares it. */
static void expect(const char *want)
{
	fclose(f);
	f = NULL;
	if (strcmp(out, want))
		fail_msg("got  [%s]\nwant [%s]", out, want);
	free(out);
	out = NULL;
}

static void esc(const char *in, const char *want)
{
	start();
	json_escape(f, in);
	expect(want);
}

static void test_escape(void **state)
{
	(void)state;
	esc("", "\"\"");
	esc("lw0", "\"lw0\"");
	esc("a\"b", "\"a\\\"b\"");
	esc("a\\b", "\"a\\\\b\"");
	esc("/", "\"/\"");
	esc("\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"");
	esc("\x01\x1f", "\"\\u0001\\u001f\"");
	esc("\x7f", "\"\x7f\"");
	/* Valid UTF-8 passes through untouched. */
	esc("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
	/* Anything else becomes U+FFFD, one per bad byte, never raw bytes. */
	esc("a\xff" "b", "\"a\\ufffdb\"");
	esc("\xc3", "\"\\ufffd\"");			/* truncated */
	esc("\xc0\x80", "\"\\ufffd\\ufffd\"");		/* overlong NUL */
	esc("\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"");	/* overlong */
	esc("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");	/* surrogate */
	esc("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");	/* > U+10FFFF */
	esc("\xe2\x82", "\"\\ufffd\\ufffd\"");
}

/*
 * Strings far longer than the writer's buffer, with escapes and multibyte
 * characters landing at every offset within its chunks and at its end.
 */
static void test_escape_long(void **state)
{
	static const char unit[] = "abc\"\xc3\xa9\x01/\xff";
	static const char unit_esc[] = "abc\\\"\xc3\xa9\\u0001/\\ufffd";
	size_t k, i, reps = 1500;

	(void)state;
	for (k = 0; k < 40; k++) {
		char *in = malloc(k + reps * (sizeof(unit) - 1) + 1);
		char *want = malloc(k + reps * (sizeof(unit_esc) - 1) + 3);
		char *p = in, *q = want;

		assert_non_null(in);
		assert_non_null(want);
		*q++ = '"';
		for (i = 0; i < k; i++)
			*p++ = *q++ = 'x';
		for (i = 0; i < reps; i++) {
			memcpy(p, unit, sizeof(unit) - 1);
			p += sizeof(unit) - 1;
			memcpy(q, unit_esc, sizeof(unit_esc) - 1);
			q += sizeof(unit_esc) - 1;
		}
		*p = '\0';
		*q++ = '"';
		*q = '\0';
		esc(in, want);
		/* And plain ASCII only, which goes by the copying fast path. */
		memset(in, 'y', k + 5000);
		in[k + 5000] = '\0';
		want[0] = '"';
		memset(want + 1, 'y', k + 5000);
		strcpy(want + 1 + k + 5000, "\"");
		esc(in, want);
		free(in);
		free(want);
	}
}

/* One object bigger than the writer's buffer. */
static void test_writer_big(void **state)
{
	struct json_writer w;
	char *want = malloc(20000), *q = want, key[16];
	unsigned int i;

	(void)state;
	assert_non_null(want);
	start();
	jw_init(&w, f, false);
	jw_obj_open(&w);
	*q++ = '{';
	for (i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "key%u", i);
		jw_member_u64(&w, key, i * 1000003ULL);
		q += sprintf(q, "%s\"%s\":%llu", i ? "," : "", key,
			     i * 1000003ULL);
	}
	jw_member_string(&w, "s", "v");
	strcpy(q, ",\"s\":\"v\"}");
	jw_obj_close(&w);
	expect(want);
	free(want);
}

static void test_writer(void **state)
{
	struct json_writer w;

	(void)state;
	start();
	jw_init(&w, f, false);
	jw_arr_open(&w);
	jw_obj_open(&w);
	jw_key(&w, "a");
	jw_u64(&w, UINT64_MAX);
	jw_key(&w, "b\"");
	jw_string(&w, "x");
	jw_key(&w, "c");
	jw_arr_open(&w);
	jw_arr_close(&w);
	jw_key(&w, "d");
	jw_obj_open(&w);
	jw_obj_close(&w);
	jw_key(&w, "e");
	jw_null(&w);
	jw_key(&w, "f");
	jw_bool(&w, true);
	jw_key(&w, "g");
	jw_i64(&w, -5);
	jw_obj_close(&w);
	jw_u64(&w, 1);
	jw_arr_close(&w);
	expect("[{\"a\":18446744073709551615,\"b\\\"\":\"x\",\"c\":[],\"d\":{},"
	       "\"e\":null,\"f\":true,\"g\":-5},1]");

	start();
	jw_init(&w, f, true);
	jw_obj_open(&w);
	jw_key(&w, "a");
	jw_arr_open(&w);
	jw_u64(&w, 1);
	jw_u64(&w, 2);
	jw_arr_close(&w);
	jw_key(&w, "b");
	jw_obj_open(&w);
	jw_obj_close(&w);
	jw_obj_close(&w);
	expect("{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {}\n}");
}

/* One call per field serves both outputs. */
static void fields(void)
{
	open_json_array(NULL);
	open_json_object(NULL);
	print_string(PRINT_ANY, "ifname", "%s:", "lw\"0");
	print_uint(PRINT_ANY, "mtu", " mtu %u", 1460);
	print_u64(PRINT_JSON, "mem", " mem %" PRIu64, 5);
	print_string(PRINT_FP, NULL, " %s", "textonly");
	/* Formats the fast path must leave to fprintf(). */
	print_string(PRINT_FP, NULL, " [%-4s]", "ab");
	print_uint(PRINT_FP, NULL, " 100%% %u", 3);
	print_u64(PRINT_FP, NULL, " %" PRIu64 "/%%", UINT64_MAX);
	print_uint(PRINT_FP, NULL, " %u", 0);
	print_null(PRINT_ANY, "seen", " seen %s", "never");
	print_on_off(PRINT_ANY, "hairpin", " hairpin %s", true);
	print_on_off(PRINT_ANY, "errors", " errors %s", false);
	print_on_off(PRINT_FP, NULL, " [%3s]", true);
	open_json_object("stats");
	print_u64(PRINT_ANY, "tx", " tx %" PRIu64, 7);
	close_json_object();
	close_json_object();
	print_nl();
	close_json_array();
}

static void test_print(void **state)
{
	(void)state;
	start();
	print_set_file(f);
	new_json_obj(false, false);
	fields();
	delete_json_obj();
	expect("lw\"0: mtu 1460 textonly [ab  ] 100% 3 18446744073709551615/% 0"
	       " seen never hairpin on errors off [ on] tx 7\n");

	start();
	print_set_file(f);
	new_json_obj(true, false);
	fields();
	delete_json_obj();
	expect("[{\"ifname\":\"lw\\\"0\",\"mtu\":1460,\"mem\":5,\"seen\":null,"
	       "\"hairpin\":true,\"errors\":false,\"stats\":{\"tx\":7}}]\n");
	print_set_file(NULL);
}

static void test_names(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(stat_name(LW4O6_STAT_SENT_IPV4_PACKETS, buf, sizeof(buf)),
			    "sent-ipv4-packets");
	assert_string_equal(stat_name(LW4O6_STAT_DROP_NOT_FORWARDING, buf, sizeof(buf)),
			    "drop-not-forwarding");
	assert_string_equal(stat_name(LW4O6_STAT_DISCONTINUITY_TIME, buf, sizeof(buf)),
			    "discontinuity-time");
	assert_string_equal(stat_name(200, buf, sizeof(buf)), "stat-200");
	assert_string_equal(stat_name(0, buf, sizeof(buf)), "stat-0");
	assert_string_equal(mode_name(LW4O6_MODE_AFTR), "aftr");
	assert_int_equal(mode_parse("aftr"), LW4O6_MODE_AFTR);
	assert_int_equal(mode_parse("b4"), LW4O6_MODE_B4);
	assert_int_equal(mode_parse("aft"), -1);
	/* Every counter the header defines has a name. */
	{
		unsigned int i;

		for (i = 1; i < __LW4O6_STAT_MAX; i++)
			assert_true(strncmp(stat_name(i, buf, sizeof(buf)), "stat-", 5));
		assert_true(strncmp(stat_name(LW4O6_STAT_ACTIVE_SOFTWIRE_NUM, buf,
					      sizeof(buf)), "stat-", 5));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_escape_long),
		cmocka_unit_test(test_writer),
		cmocka_unit_test(test_writer_big),
		cmocka_unit_test(test_print),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
