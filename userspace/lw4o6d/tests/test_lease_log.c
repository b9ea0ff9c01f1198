// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The journal's fields of a grant, a move and an end (lease_log.c through
 * log_fields()): under journald (stderr is $JOURNAL_STREAM's) one entry
 * each, through a sender of the test's in place of sd_journal_sendv(3);
 * elsewhere, and when the sender fails, the text line as before.  Each
 * case runs in a child of its own (log.c looks at stderr once a process),
 * which writes what it sent, a field a line, to a file the test reads.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "lease_log.h"
#include "log.h"
#include "tests/cmocka_wrap.h"

static int sender_fails;

/* sd_journal_sendv's place: each field on stdout, "--" after an entry */
static int fake_sendv(const struct iovec *iov, int n)
{
	int i;

	if (sender_fails)
		return -ECONNREFUSED;
	for (i = 0; i < n; i++)
		printf("%.*s\n", (int)iov[i].iov_len, (const char *)iov[i].iov_base);
	puts("--");
	fflush(stdout);
	return 0;
}

static void mk(struct lw4o6_mapping *m)
{
	memset(m, 0, sizeof(*m));
	inet_pton(AF_INET6, "2001:db8::1", &m->b4);
	inet_pton(AF_INET, "192.0.2.1", &m->ipv4);
	m->protocol = 6;
	m->internal_port = 0;
	m->psid = 2;
	m->psid_len = 6;
	m->offset = 0;
	m->expires = 1796304046;	/* 2026-12-03T13:20:46Z */
	m->via = MAPPING_VIA_SOFTWIRE;
	memset(m->nonce, 0xab, sizeof(m->nonce));
}

enum how { TEXT, JOURNAL, JOURNAL_FAILS, JOURNAL_NO_SENDER };

/* What a child logging the three events writes (stdout and stderr). */
static char *run(enum how how)
{
	static char out[8192];
	char path[] = "/tmp/test_lease_log.XXXXXX", env[64];
	int fd = mkstemp(path), status;
	struct stat st;
	ssize_t n;
	pid_t pid;

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		struct lw4o6_mapping m;
		struct in6_addr from;

		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		unsetenv("JOURNAL_STREAM");
		if (how != TEXT) {
			snprintf(env, sizeof(env), "%ju:%ju",
				 (uintmax_t)st.st_dev, (uintmax_t)st.st_ino);
			setenv("JOURNAL_STREAM", env, 1);
		}
		sender_fails = how == JOURNAL_FAILS;
		log_open(LOG_INFO, false);
		if (how != JOURNAL_NO_SENDER)
			log_set_journal_sender(fake_sendv);
		mk(&m);
		lease_log_granted(&m, 7200);
		inet_pton(AF_INET6, "2001:db8::99", &from);
		m.offset = 6;
		m.psid_len = 6;
		m.psid = 5;
		m.via = MAPPING_VIA_DHCP4O6;
		lease_log_moved(&m, &from);
		lease_log_ended(&m, "expired");
		log_set_level(LOG_NOTICE);	/* below the level: nothing */
		lease_log_ended(&m, "hidden");
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && !WEXITSTATUS(status));
	n = pread(fd, out, sizeof(out) - 1, 0);
	assert_true(n >= 0);
	out[n] = 0;
	close(fd);
	unlink(path);
	return out;
}

static void test_journal(void **state)
{
	const char *o = run(JOURNAL), *moved, *ended;

	(void)state;
	assert_non_null(strstr(o,
		"MESSAGE=granted 192.0.2.1 psid 2/6 offset 0 b4 2001:db8::1 for 7200s\n"
		"PRIORITY=6\n"
		"MESSAGE_ID=" LEASE_LOG_GRANTED_ID "\n"
		"SYSLOG_IDENTIFIER=lw4o6d\n"
		"LW4O6_IPV4=192.0.2.1\n"
		"LW4O6_PSID=2\n"
		"LW4O6_PSID_LEN=6\n"
		"LW4O6_OFFSET=0\n"
		"LW4O6_PORTS=2048-3071\n"
		"LW4O6_B4=2001:db8::1\n"
		"LW4O6_PROTOCOL=pcp\n"
		"LW4O6_VIA=softwire\n"
		"LW4O6_LEASE=2001:db8::1/tcp/0\n"
		"LW4O6_EXPIRES=2026-12-03T13:20:46Z\n"
		"LW4O6_LIFETIME=7200\n"
		"--\n"));
	moved = strstr(o, "MESSAGE=mapping 192.0.2.1 psid 5/6 offset 6 b4 2001:db8::1:"
		       " moved from 2001:db8::99, its B4's old address\n");
	assert_non_null(moved);
	/* offset 6, psid 5 of 6 bits: 63 ranges of 16, the first 1104-1119 */
	assert_non_null(strstr(moved, "MESSAGE_ID=" LEASE_LOG_MOVED_ID "\n"));
	assert_non_null(strstr(moved, "LW4O6_PORTS=1104-1119+62\n"));
	assert_non_null(strstr(moved, "LW4O6_PROTOCOL=dhcp4o6\nLW4O6_VIA=dhcp4o6\n"));
	assert_non_null(strstr(moved, "LW4O6_FROM_B4=2001:db8::99\n--\n"));
	ended = strstr(o, "MESSAGE=mapping expired: 192.0.2.1 psid 5/6 offset 6 b4 2001:db8::1\n");
	assert_non_null(ended);
	assert_non_null(strstr(ended, "MESSAGE_ID=" LEASE_LOG_ENDED_ID "\n"));
	assert_non_null(strstr(ended, "LW4O6_REASON=expired\n--\n"));
	/* three entries, no text lines, nothing below the level, no nonce */
	assert_null(strstr(o, "hidden"));
	assert_null(strstr(o, "<6>"));
	assert_null(strstr(o, "abab"));
	assert_null(strstr(strstr(strstr(strstr(o, "--\n") + 1, "--\n") + 1, "--\n") + 1,
			   "--\n"));
}

/* Not under journald: the lines these events always had. */
static void test_text(void **state)
{
	(void)state;
	assert_string_equal(run(TEXT),
		"lw4o6d: info: granted 192.0.2.1 psid 2/6 offset 0 b4 2001:db8::1 for 7200s\n"
		"lw4o6d: info: mapping 192.0.2.1 psid 5/6 offset 6 b4 2001:db8::1:"
		" moved from 2001:db8::99, its B4's old address\n"
		"lw4o6d: info: mapping expired: 192.0.2.1 psid 5/6 offset 6 b4 2001:db8::1\n");
}

/* journald's socket away, or no sender: the text on the stream, "<6>" first */
static void test_fallback(void **state)
{
	static const char want[] =
		"<6>granted 192.0.2.1 psid 2/6 offset 0 b4 2001:db8::1 for 7200s\n"
		"<6>mapping 192.0.2.1 psid 5/6 offset 6 b4 2001:db8::1:"
		" moved from 2001:db8::99, its B4's old address\n"
		"<6>mapping expired: 192.0.2.1 psid 5/6 offset 6 b4 2001:db8::1\n";

	(void)state;
	assert_string_equal(run(JOURNAL_FAILS), want);
	assert_string_equal(run(JOURNAL_NO_SENDER), want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_journal),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_fallback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
