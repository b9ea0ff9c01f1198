// SPDX-License-Identifier: GPL-2.0 OR MIT
/* lw4o6 -V (version.c) against a module directory of the test's own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/lw4o6.h>

#include "version.h"

#include "cmocka_wrap.h"

static char dir[] = "/tmp/lw4o6-test-version.XXXXXX";
static char path[sizeof(dir) + 16];

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/version", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	return rmdir(dir);
}

static void module_version(const char *v)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(v, f);
	fclose(f);
}

/* Runs print_version on module_dir; its return, stdout and stderr. */
static int run(const char *module_dir, char **out, char **err)
{
	size_t ol, el;
	FILE *o = open_memstream(out, &ol), *e = open_memstream(err, &el);
	int ret;

	assert_non_null(o);
	assert_non_null(e);
	ret = print_version(o, e, module_dir);
	fclose(o);
	fclose(e);
	return ret;
}

static const char *cli_line(void)
{
	static char line[128];

	snprintf(line, sizeof(line), "lw4o6 %s (netlink family \"%s\" version %d)\n",
		 LW4O6_VERSION, LW4O6_GENL_NAME, LW4O6_GENL_VERSION);
	return line;
}

static void test_not_loaded(void **state)
{
	char *out, *err, want[256];

	(void)state;
	assert_int_equal(run("/nonexistent/lw4o6", &out, &err), 0);
	snprintf(want, sizeof(want), "%smodule lw4o6 not loaded\n", cli_line());
	assert_string_equal(out, want);
	assert_string_equal(err, "");
	free(out);
	free(err);
}

static void test_same_version(void **state)
{
	char *out, *err, want[256], v[64];

	(void)state;
	snprintf(v, sizeof(v), "%s\n", LW4O6_VERSION);
	module_version(v);
	assert_int_equal(run(dir, &out, &err), 0);
	snprintf(want, sizeof(want), "%smodule lw4o6 %s\n", cli_line(), LW4O6_VERSION);
	assert_string_equal(out, want);
	assert_string_equal(err, "");
	free(out);
	free(err);
}

static void test_other_version(void **state)
{
	char *out, *err, want[512];

	(void)state;
	module_version("0.0.9\n");
	assert_int_equal(run(dir, &out, &err), 1);
	snprintf(want, sizeof(want), "%smodule lw4o6 0.0.9\n", cli_line());
	assert_string_equal(out, want);
	snprintf(want, sizeof(want),
		 "lw4o6: warning: the loaded lw4o6 module is 0.0.9, this lw4o6 is %s; "
		 "reload the module (modprobe -r lw4o6 && modprobe lw4o6) "
		 "or install the matching lw4o6\n", LW4O6_VERSION);
	assert_string_equal(err, want);
	free(out);
	free(err);
}

/* A module built without MODULE_VERSION has no version file. */
static void test_no_version(void **state)
{
	char *out, *err, want[256];

	(void)state;
	unlink(path);
	assert_int_equal(run(dir, &out, &err), 1);
	snprintf(want, sizeof(want), "%smodule lw4o6 loaded, without a version\n",
		 cli_line());
	assert_string_equal(out, want);
	assert_non_null(strstr(err, "lw4o6: warning: the loaded lw4o6 module has no version"));
	free(out);
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_loaded),
		cmocka_unit_test(test_same_version),
		cmocka_unit_test(test_other_version),
		cmocka_unit_test(test_no_version),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
