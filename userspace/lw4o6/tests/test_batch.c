// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * lw4o6 -c (check only) and the batch options, through the built tool:
 * -c needs no kernel, so the host can run what lw4o6@.service's
 * ExecStartPre runs.  From userspace/lw4o6 (scripts/check.sh) or its
 * tests/ folder.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "cmocka_wrap.h"

static const char *tool, *top;
static char err[4096];
static char path[64];

/* Runs lw4o6 with args (a shell word list); its stderr in err. */
static int lw4o6(const char *args)
{
	char cmd[1024], errfile[64];
	FILE *f;
	size_t n;
	int st;

	snprintf(errfile, sizeof(errfile), "/tmp/test_batch.err.%d", (int)getpid());
	snprintf(cmd, sizeof(cmd), "%s %s > /dev/null 2> %s", tool, args, errfile);
	st = system(cmd);
	assert_true(st != -1 && WIFEXITED(st));
	f = fopen(errfile, "r");
	assert_non_null(f);
	n = fread(err, 1, sizeof(err) - 1, f);
	err[n] = '\0';
	fclose(f);
	unlink(errfile);
	return WEXITSTATUS(st);
}

static void write_file(const char *text)
{
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/test_batch.%d.conf", (int)getpid());
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* The example lw4o6@.service users start from is good. */
static void test_example_checks(void **state)
{
	char args[512];

	(void)state;
	snprintf(args, sizeof(args), "-c -b %s/docs/examples/lw4o6-aftr.conf", top);
	assert_int_equal(lw4o6(args), 0);
	assert_string_equal(err, "");
}

/* Every bad line is reported, with its line, and nothing stops at the first. */
static void test_every_error_with_its_line(void **state)
{
	char args[128], want[128];

	(void)state;
	write_file("# a comment\n"
		   "dev replace lw0 mode aftr local 2001:db8::1\n"
		   "dev replace lw0 mode aftr\n"
		   "binding replace dev lw0 ipv4 192.0.2.1 psid 1/4 b4 2001:db8::2\n"
		   "binding replace dev lw0 ipv4 192.0.2.1 psid 99/4 b4 2001:db8::2\n"
		   "dev frob lw0\n"
		   "dev del \"lw0\n");
	snprintf(args, sizeof(args), "-c -b %s", path);
	assert_int_equal(lw4o6(args), 2);
	snprintf(want, sizeof(want), "%s:3: dev replace: ", path);
	assert_non_null(strstr(err, want));
	snprintf(want, sizeof(want), "%s:5: binding replace: ", path);
	assert_non_null(strstr(err, want));
	snprintf(want, sizeof(want), "%s:6: dev: unknown command \"frob\"", path);
	assert_non_null(strstr(err, want));
	snprintf(want, sizeof(want), "%s:7: unterminated quote", path);
	assert_non_null(strstr(err, want));
	snprintf(want, sizeof(want), "%s:2:", path);
	assert_null(strstr(err, want));
	unlink(path);
}

static void test_single_command(void **state)
{
	(void)state;
	assert_int_equal(lw4o6("-c dev replace lw9 mode b4 local 2001:db8::1 remote 2001:db8::2"), 0);
	assert_int_equal(lw4o6("-c binding replace dev lw9 ipv4 192.0.2.1 psid 0/0 b4 2001:db8::3 replace"), 2);
	assert_non_null(strstr(err, "binding replace: unexpected \"replace\""));
}

static void test_down_needs_a_file(void **state)
{
	(void)state;
	assert_int_equal(lw4o6("-D dev show"), 2);
	assert_non_null(strstr(err, "\"-D\" needs \"-b FILE\""));
	write_file("dev replace lw0 mode aftr local 2001:db8::1\n");
	{
		char args[128];

		snprintf(args, sizeof(args), "-c -D -b %s", path);
		assert_int_equal(lw4o6(args), 2);
	}
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example_checks),
		cmocka_unit_test(test_every_error_with_its_line),
		cmocka_unit_test(test_single_command),
		cmocka_unit_test(test_down_needs_a_file),
	};

	/* run from userspace/lw4o6 or from its tests/ */
	if (!access("./lw4o6", X_OK)) {
		tool = "./lw4o6";
		top = "../..";
	} else {
		tool = "../lw4o6";
		top = "../../..";
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
