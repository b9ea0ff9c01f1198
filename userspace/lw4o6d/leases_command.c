// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * "lw4o6d leases": the store's mappings, printed.  The store is opened
 * read-only (SQLite in WAL mode lets a reader in while the daemon writes),
 * so this never changes or blocks what the daemon does.  Each lease is a
 * kernel binding on an aftr: (IPv4, PSID) -> B4.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include <sqlite3.h>

#include "command_line.h"
#include "config.h"
#include "dhcp4o6_serve.h"
#include "leases_command.h"
#include "mapping.h"
#include "strconv.h"

static void usage(FILE *f)
{
	fputs("Usage: lw4o6d leases [ -c FILE ] [ -j ]\n"
	      "The leases in the store of FILE's aftr or server (default /etc/lw4o6d.conf):\n"
	      "protocol (pcp or dhcp4o6), B4 address, IPv4, PSID/length, offset, expiry.\n"
	      "  -j   JSON: an array of objects\n", f);
}

int leases_command_main(int argc, char **argv, const char *default_config)
{
	static const char q[] =
		"SELECT b4, protocol, internal_port, nonce, ipv4, psid, psid_len,"
		" \"offset\", expires, created, via FROM mappings"
		" ORDER BY ipv4, psid";
	/* a schema-1 file the daemon has not opened (migrated) yet */
	static const char q1[] =
		"SELECT b4, protocol, internal_port, nonce, ipv4, psid, psid_len,"
		" \"offset\", expires, created, 0 FROM mappings"
		" ORDER BY ipv4, psid";
	static struct lw4o6d_config c;
	const char *path = default_config;
	bool json = false;
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int rc, n = 0;
	int64_t now = (int64_t)time(NULL);

	rc = command_line_opts(argc, argv, usage, &path, &json);
	if (rc >= 0)
		return rc;
	if (command_line_config(path, &c))
		return 2;
	if (c.role != ROLE_AFTR && c.role != ROLE_SERVER) {
		fprintf(stderr, "lw4o6d leases: %s is a %s's; only an aftr or a server keeps leases\n",
			path, config_role_name(c.role));
		return 2;
	}
	rc = sqlite3_open_v2(c.storage_path, &db, SQLITE_OPEN_READONLY, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(db, 5000);
		rc = sqlite3_prepare_v2(db, q, -1, &st, NULL);
		if (rc != SQLITE_OK)
			rc = sqlite3_prepare_v2(db, q1, -1, &st, NULL);
	}
	if (rc != SQLITE_OK) {
		fprintf(stderr, "lw4o6d leases: %s: %s\n", c.storage_path,
			db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		sqlite3_close(db);
		return 1;
	}
	if (json)
		fputs("[", stdout);
	else
		printf("%-8s %-8s %-39s %-15s %-9s %-6s %-20s %s\n", "PROTOCOL",
		       "VIA", "B4", "IPV4", "PSID/LEN", "OFFSET", "EXPIRES",
		       "LEFT");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const void *b4 = sqlite3_column_blob(st, 0);
		const uint8_t *nonce = sqlite3_column_blob(st, 3);
		uint32_t v4 = htonl((uint32_t)sqlite3_column_int64(st, 4));
		int64_t exp = sqlite3_column_int64(st, 8);
		int64_t created = sqlite3_column_int64(st, 9);
		int psid = sqlite3_column_int(st, 5), k = sqlite3_column_int(st, 6);
		int off = sqlite3_column_int(st, 7);
		char a6[FMT_IPV6_LEN], a4[FMT_IPV4_LEN], when[32], psid_s[16];
		const char *proto, *via;
		struct in6_addr addr;
		struct tm tm;
		time_t t = (time_t)exp;

		if (sqlite3_column_bytes(st, 0) != 16 ||
		    sqlite3_column_bytes(st, 3) != PCP_NONCE_LEN)
			continue;
		memcpy(&addr, b4, 16);
		proto = dhcp4o6_nonce_is(nonce) ? "dhcp4o6" : "pcp";
		via = mapping_via_str((uint8_t)sqlite3_column_int(st, 10));
		fmt_ipv6(&addr, a6);
		fmt_ipv4(v4, a4);
		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		if (json) {
			printf("%s\n {\"protocol\":\"%s\",\"b4\":\"%s\",\"ipv4\":\"%s\",\"psid\":%d,\"psid_len\":%d,\"offset\":%d,\"expires\":%lld,\"expires_in\":%lld,\"created\":%lld,\"pcp_protocol\":\"%s\",\"internal_port\":%d,\"via\":\"%s\"}",
			       n ? "," : "", proto, a6, a4, psid, k, off,
			       (long long)exp, (long long)(exp - now),
			       (long long)created,
			       mapping_proto_str(sqlite3_column_int(st, 1)),
			       sqlite3_column_int(st, 2), via);
		} else {
			snprintf(psid_s, sizeof(psid_s), "%d/%d", psid, k);
			printf("%-8s %-8s %-39s %-15s %-9s %-6d %-20s %llds\n",
			       proto, via, a6, a4, psid_s, off, when,
			       (long long)(exp - now));
		}
		n++;
	}
	if (json)
		fputs(n ? "\n]\n" : "]\n", stdout);
	if (rc != SQLITE_DONE)
		fprintf(stderr, "lw4o6d leases: %s: %s\n", c.storage_path,
			sqlite3_errmsg(db));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc == SQLITE_DONE ? 0 : 1;
}
