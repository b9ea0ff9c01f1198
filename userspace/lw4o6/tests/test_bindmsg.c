// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * print_binding() as `binding show` frames it, text and JSON, byte for
 * byte: the JSON writer is tuned for speed, and these pin its output.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bindmsg.h"
#include "bindprint.h"
#include "print.h"

#include "cmocka_wrap.h"

static struct lw4o6_bind binds[3];
static struct bind_stats stats[3];

static void setup_binds(void)
{
	memset(binds, 0, sizeof(binds));
	memset(stats, 0, sizeof(stats));
	inet_pton(AF_INET, "192.0.2.1", &binds[0].ipv4);
	binds[0].psid = 52;
	binds[0].psid_len = 6;
	inet_pton(AF_INET6, "2001:db8::1", &binds[0].b4);

	inet_pton(AF_INET, "198.51.100.255", &binds[1].ipv4);
	binds[1].psid = 0;
	binds[1].psid_len = 0;
	binds[1].offset = 4;
	inet_pton(AF_INET6, "2001:db8:0:1:abcd:0:0:ffff", &binds[1].b4);
	inet_pton(AF_INET6, "2001:db8:ffff::", &binds[1].br);
	binds[1].has_br = 1;
	stats[1].present = true;
	stats[1].tx_packets = 1;
	stats[1].tx_bytes = 18446744073709551615ULL;
	stats[1].rx_packets = 0;
	stats[1].rx_bytes = 1234567890123ULL;

	inet_pton(AF_INET, "0.0.0.0", &binds[2].ipv4);
	binds[2].psid = 65535;
	binds[2].psid_len = 16;
	binds[2].offset = 15;
	inet_pton(AF_INET6, "::ffff:10.1.2.3", &binds[2].b4);
	inet_pton(AF_INET6, "fe80::1:0:0:0", &binds[2].br);
	binds[2].has_br = 1;
	stats[2].present = true;
	stats[2].seen = true;
	stats[2].last_seen = 42;
	stats[2].tx_packets = 10;
	stats[2].tx_bytes = 1000;
	stats[2].rx_packets = 20;
	stats[2].rx_bytes = 2000;
}

/* What binding.c's show_cb() does, around print_binding(). */
static char *show(bool json, bool pretty)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	int i;

	assert_non_null(f);
	setup_binds();
	print_set_file(f);
	new_json_obj(json, pretty);
	open_json_array(NULL);
	for (i = 0; i < 3; i++) {
		open_json_object(NULL);
		print_binding(&binds[i], &stats[i]);
		close_json_object();
		print_nl();
	}
	close_json_array();
	delete_json_obj();
	print_set_file(NULL);
	fclose(f);
	return out;
}

static void expect(char *got, const char *want)
{
	if (strcmp(got, want))
		fail_msg("got  [%s]\nwant [%s]", got, want);
	free(got);
}

static void test_text(void **state)
{
	(void)state;
	expect(show(false, false),
	       "ipv4 192.0.2.1 psid 52/6 b4 2001:db8::1\n"
	       "ipv4 198.51.100.255 psid 0/0 offset 4 b4 2001:db8:0:1:abcd::ffff"
	       " br 2001:db8:ffff::\n"
	       "    tx packets 1 bytes 18446744073709551615\n"
	       "    rx packets 0 bytes 1234567890123\n"
	       "    last seen never\n"
	       "ipv4 0.0.0.0 psid 65535/16 offset 15 b4 ::ffff:10.1.2.3"
	       " br fe80::1:0:0:0\n"
	       "    tx packets 10 bytes 1000\n"
	       "    rx packets 20 bytes 2000\n"
	       "    last seen 42s ago\n");
}

static void test_json(void **state)
{
	(void)state;
	expect(show(true, false),
	       "[{\"ipv4\":\"192.0.2.1\",\"psid\":52,\"psid_len\":6,\"offset\":0,"
	       "\"b4\":\"2001:db8::1\"},"
	       "{\"ipv4\":\"198.51.100.255\",\"psid\":0,\"psid_len\":0,\"offset\":4,"
	       "\"b4\":\"2001:db8:0:1:abcd::ffff\",\"br\":\"2001:db8:ffff::\","
	       "\"stats\":{\"tx_packets\":1,\"tx_bytes\":18446744073709551615,"
	       "\"rx_packets\":0,\"rx_bytes\":1234567890123,\"last_seen\":null}},"
	       "{\"ipv4\":\"0.0.0.0\",\"psid\":65535,\"psid_len\":16,\"offset\":15,"
	       "\"b4\":\"::ffff:10.1.2.3\",\"br\":\"fe80::1:0:0:0\","
	       "\"stats\":{\"tx_packets\":10,\"tx_bytes\":1000,"
	       "\"rx_packets\":20,\"rx_bytes\":2000,\"last_seen\":42}}]\n");
}

static void test_pretty(void **state)
{
	(void)state;
	expect(show(true, true),
	       "[\n"
	       "  {\n"
	       "    \"ipv4\": \"192.0.2.1\",\n"
	       "    \"psid\": 52,\n"
	       "    \"psid_len\": 6,\n"
	       "    \"offset\": 0,\n"
	       "    \"b4\": \"2001:db8::1\"\n"
	       "  },\n"
	       "  {\n"
	       "    \"ipv4\": \"198.51.100.255\",\n"
	       "    \"psid\": 0,\n"
	       "    \"psid_len\": 0,\n"
	       "    \"offset\": 4,\n"
	       "    \"b4\": \"2001:db8:0:1:abcd::ffff\",\n"
	       "    \"br\": \"2001:db8:ffff::\",\n"
	       "    \"stats\": {\n"
	       "      \"tx_packets\": 1,\n"
	       "      \"tx_bytes\": 18446744073709551615,\n"
	       "      \"rx_packets\": 0,\n"
	       "      \"rx_bytes\": 1234567890123,\n"
	       "      \"last_seen\": null\n"
	       "    }\n"
	       "  },\n"
	       "  {\n"
	       "    \"ipv4\": \"0.0.0.0\",\n"
	       "    \"psid\": 65535,\n"
	       "    \"psid_len\": 16,\n"
	       "    \"offset\": 15,\n"
	       "    \"b4\": \"::ffff:10.1.2.3\",\n"
	       "    \"br\": \"fe80::1:0:0:0\",\n"
	       "    \"stats\": {\n"
	       "      \"tx_packets\": 10,\n"
	       "      \"tx_bytes\": 1000,\n"
	       "      \"rx_packets\": 20,\n"
	       "      \"rx_bytes\": 2000,\n"
	       "      \"last_seen\": 42\n"
	       "    }\n"
	       "  }\n"
	       "]\n");
}

/* A binding is in the FILE once its object closes, before the dump ends. */
static void test_json_flushed_per_binding(void **state)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	(void)state;
	assert_non_null(f);
	setup_binds();
	print_set_file(f);
	new_json_obj(true, false);
	open_json_array(NULL);
	open_json_object(NULL);
	print_binding(&binds[0], NULL);
	close_json_object();
	fflush(f);
	assert_string_equal(out, "[{\"ipv4\":\"192.0.2.1\",\"psid\":52,"
			    "\"psid_len\":6,\"offset\":0,\"b4\":\"2001:db8::1\"}");
	close_json_array();
	delete_json_obj();
	print_set_file(NULL);
	fclose(f);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_pretty),
		cmocka_unit_test(test_json_flushed_per_binding),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
