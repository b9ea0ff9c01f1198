// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * log.c's lines as journald reads them: when $JOURNAL_STREAM names the
 * stderr we write to, each line starts with "<N>", its syslog priority
 * (what "journalctl -p" filters on); otherwise, and when the variable
 * names another stream or says nothing sensible, "lw4o6d: LEVEL: ".  Each
 * case runs in a child of its own: log.c looks at stderr once a process.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "log.h"
#include "tests/cmocka_wrap.h"

enum js { JS_UNSET, JS_STDERR, JS_OTHER, JS_GARBAGE };

/* What a child logging at notice level writes to stderr, with js. */
static char *lines(enum js js)
{
	static char out[4096];
	char path[] = "/tmp/test_log.XXXXXX", env[64];
	int fd = mkstemp(path), status;
	struct stat st;
	ssize_t n;
	pid_t pid;

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		dup2(fd, STDERR_FILENO);
		unsetenv("JOURNAL_STREAM");
		if (js == JS_STDERR || js == JS_OTHER) {
			snprintf(env, sizeof(env), "%ju:%ju",
				 (uintmax_t)st.st_dev,
				 (uintmax_t)st.st_ino + (js == JS_OTHER));
			setenv("JOURNAL_STREAM", env, 1);
		} else if (js == JS_GARBAGE) {
			snprintf(env, sizeof(env), "%ju:%jux",
				 (uintmax_t)st.st_dev, (uintmax_t)st.st_ino);
			setenv("JOURNAL_STREAM", env, 1);
		}
		log_open(LOG_NOTICE, false);
		log_err("store: %s", "disk full");
		log_warn("a warning");
		log_notice("a notice");
		log_info("not shown at notice");
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

static void test_journal_priorities(void **state)
{
	(void)state;
	assert_string_equal(lines(JS_STDERR),
			    "<3>store: disk full\n<4>a warning\n<5>a notice\n");
}

static void test_terminal(void **state)
{
	static const char *plain =
		"lw4o6d: error: store: disk full\n"
		"lw4o6d: warning: a warning\n"
		"lw4o6d: notice: a notice\n";

	(void)state;
	assert_string_equal(lines(JS_UNSET), plain);
	/* a stream that is not our stderr (a redirected child of a unit) */
	assert_string_equal(lines(JS_OTHER), plain);
	assert_string_equal(lines(JS_GARBAGE), plain);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_journal_priorities),
		cmocka_unit_test(test_terminal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
