// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * notify.c against a socket of the test's named by $NOTIFY_SOCKET, as
 * systemd's would be: what each call sends, and the watchdog's pings from
 * the real loop at half the interval $WATCHDOG_USEC gives, only when
 * $WATCHDOG_PID is ours.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <cmocka.h>

#include "../loop.h"
#include "../notify.h"

static int sock = -1;
static char path[108];

static int setup(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	(void)state;
	snprintf(path, sizeof(path), "/tmp/test_notify.%d", (int)getpid());
	unlink(path);
	sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	assert_true(sock >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	assert_int_equal(bind(sock, (struct sockaddr *)&sa, sizeof(sa)), 0);
	setenv("NOTIFY_SOCKET", path, 1);
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	close(sock);
	unlink(path);
	unsetenv("NOTIFY_SOCKET");
	return 0;
}

/* The next datagram, "" when none waits. */
static const char *next_msg(void)
{
	static char buf[512];
	ssize_t n = recv(sock, buf, sizeof(buf) - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void test_ready_reloading_stopping(void **state)
{
	(void)state;
	notify_ready("serving: role %s on %s", "aftr", "lw0");
	assert_string_equal(next_msg(), "READY=1\nSTATUS=serving: role aftr on lw0");
	notify_reloading();
	assert_string_equal(next_msg(), "RELOADING=1\nSTATUS=reloading the configuration");
	notify_stopping();
	assert_string_equal(next_msg(), "STOPPING=1\nSTATUS=stopping");
	assert_string_equal(next_msg(), "");
}

/* Started by hand: no socket, nothing sent, nothing fails. */
static void test_no_socket(void **state)
{
	(void)state;
	unsetenv("NOTIFY_SOCKET");
	notify_ready("serving");
	assert_int_equal(notify_watchdog_start(), 0);
	assert_string_equal(next_msg(), "");
}

static volatile sig_atomic_t stop;
static struct timer end;

static void on_end(struct timer *t)
{
	(void)t;
	stop = 1;
}

/* Runs the loop for ms; returns how many WATCHDOG=1 arrived. */
static unsigned int pings_in(int ms)
{
	unsigned int n = 0;
	const char *m;

	stop = 0;
	timer_init(&end, on_end);
	timer_arm(&end, ms);
	assert_int_equal(loop_run(&stop), 0);
	while (*(m = next_msg())) {
		assert_string_equal(m, "WATCHDOG=1");
		n++;
	}
	return n;
}

static void test_watchdog(void **state)
{
	char pid[16];

	(void)state;
	setenv("WATCHDOG_USEC", "200000", 1);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("WATCHDOG_PID", pid, 1);
	assert_int_equal(notify_watchdog_start(), 200);
	/*
	 * One at once, then every 100 ms: 0, 100, 200, 300, 400, so five;
	 * fewer on a loaded machine (a late timer is re-armed from when it
	 * ran), never more than one per half interval.
	 */
	assert_in_range(pings_in(450), 2, 6);
	notify_watchdog_stop();
	assert_int_equal(pings_in(250), 0);
}

/* $WATCHDOG_PID names another process (our parent's): not ours to ping. */
static void test_watchdog_other_pid(void **state)
{
	char pid[16];

	(void)state;
	setenv("WATCHDOG_USEC", "200000", 1);
	snprintf(pid, sizeof(pid), "%d", (int)getppid());
	setenv("WATCHDOG_PID", pid, 1);
	assert_int_equal(notify_watchdog_start(), 0);
	assert_int_equal(pings_in(150), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ready_reloading_stopping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_socket, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watchdog, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watchdog_other_pid, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
