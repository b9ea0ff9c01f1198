// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * control.c on the real loop, with ops of the test's: the request lines,
 * status and a dump large enough to go out in many pieces to a client
 * that reads slowly, a bad and an over-long request, the client limit
 * ("busy"), idle clients dropped, a stale socket replaced and a live one left alone, and (as
 * root) another user refused by SO_PEERCRED.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "control.h"
#include "loop.h"
#include "tests/cmocka_wrap.h"

#define N_MAPS 5000

static char path[108];
static volatile sig_atomic_t stop;
static struct timer stopper;

static void status_fn(struct report_status *s, bool metrics)
{
	(void)metrics;
	s->role = "aftr";
	s->device = "lw0";
	s->has_core = true;
	s->n_pools = 1;
	s->pools[0] = (struct pool_usage){ htonl(0xc0000200), 24, 4, 6, 10, 9 };
}

static int maps_fn(struct control_mapping **v, size_t *n)
{
	size_t i;

	*v = calloc(N_MAPS, sizeof(**v));
	if (!*v)
		return -ENOMEM;
	for (i = 0; i < N_MAPS; i++) {
		(*v)[i].m.ipv4 = htonl(0xc0000000 + (uint32_t)i);
		(*v)[i].m.psid_len = 4;
	}
	*n = N_MAPS;
	return 0;
}

static const struct control_ops ops = { status_fn, maps_fn };

static void on_stop(struct timer *t)
{
	(void)t;
	stop = 1;
}

/* The loop for ms milliseconds. */
static void spin(int ms)
{
	stop = 0;
	timer_init(&stopper, on_stop);
	timer_arm(&stopper, ms);
	assert_int_equal(loop_run(&stop), 0);
}

static int client(const char *req)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	strcpy(sa.sun_path, path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	if (req)
		assert_int_equal(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	fcntl(fd, F_SETFL, O_NONBLOCK);
	return fd;
}

/* Everything the daemon writes until it closes, read between loop turns. */
static char *answer(int fd, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	int turns = 0;
	ssize_t r;

	assert_non_null(buf);
	for (;;) {
		spin(5);
		while ((r = read(fd, buf + n, cap - n - 1)) > 0) {
			n += (size_t)r;
			if (cap - n < 4096) {
				cap *= 2;
				buf = realloc(buf, cap);
				assert_non_null(buf);
			}
		}
		/* a reset after our data: what the client sent was not all read */
		if (r == 0 || (r < 0 && errno == ECONNRESET))
			break;
		assert_true(errno == EAGAIN);
		assert_true(++turns < 2000);
	}
	buf[n] = '\0';
	close(fd);
	if (len)
		*len = n;
	return buf;
}

static int setup(void **state)
{
	(void)state;
	snprintf(path, sizeof(path), "/tmp/lw4o6d-test-control-%d.sock", (int)getpid());
	return control_start(path, &ops);
}

static int teardown(void **state)
{
	(void)state;
	control_stop();
	return 0;
}

static void test_parse(void **state)
{
	bool json = false;

	(void)state;
	assert_int_equal(control_parse("status", &json), CONTROL_STATUS);
	assert_false(json);
	assert_int_equal(control_parse("status json", &json), CONTROL_STATUS);
	assert_true(json);
	assert_int_equal(control_parse("dump json", &json), CONTROL_DUMP);
	assert_int_equal(control_parse("metrics", &json), CONTROL_METRICS);
	assert_int_equal(control_parse("metrics json", &json), CONTROL_BAD);
	assert_int_equal(control_parse("status ", &json), CONTROL_BAD);
	assert_int_equal(control_parse("", &json), CONTROL_BAD);
	assert_true(control_peer_ok(0, 1000));
	assert_true(control_peer_ok(1000, 1000));
	assert_false(control_peer_ok(1001, 1000));
}

static void test_status(void **state)
{
	struct stat st;
	char *a;

	(void)state;
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	a = answer(client("status json\n"), NULL);
	assert_int_equal(strncmp(a, "ok\n{\"role\":\"aftr\",\"device\":\"lw0\"", 32), 0);
	assert_non_null(strstr(a, "\"percent\":90.000"));
	free(a);
	/* the request may come in pieces */
	{
		int fd = client("sta");

		spin(5);
		assert_int_equal(write(fd, "tus\n", 4), 4);
		a = answer(fd, NULL);
		assert_int_equal(strncmp(a, "ok\nrole: aftr\n", 14), 0);
		free(a);
	}
}

static void test_dump_pieces(void **state)
{
	size_t len, lines = 0;
	char *a, *p;

	(void)state;
	a = answer(client("dump\n"), &len);
	assert_true(len > 100000);	/* more than a piece, more than a socket buffer */
	assert_int_equal(strncmp(a, "ok\nmappings:\n", 13), 0);
	for (p = a; (p = strchr(p, '\n')); p++)
		lines++;
	assert_int_equal(lines, 2 + N_MAPS);
	assert_non_null(strstr(a, "ipv4 192.0.19.135 psid 0"));	/* the last: 4999 */
	free(a);
	a = answer(client("dump json\n"), &len);
	assert_int_equal(strncmp(a, "ok\n{\"mappings\":[{", 17), 0);
	assert_string_equal(a + len - 4, "}]}\n");
	free(a);
}

static void test_bad(void **state)
{
	char req[200], *a;

	(void)state;
	a = answer(client("reboot\n"), NULL);
	assert_int_equal(strncmp(a, "error: unknown request", 22), 0);
	free(a);
	memset(req, 's', sizeof(req) - 1);
	req[sizeof(req) - 1] = '\0';
	a = answer(client(req), NULL);
	assert_int_equal(strncmp(a, "error: unknown request", 22), 0);
	free(a);
}

static void test_busy(void **state)
{
	int fds[CONTROL_MAX_CLIENTS], i;
	char *a;

	(void)state;
	for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
		fds[i] = client(NULL);
	spin(10);
	a = answer(client("status\n"), NULL);
	assert_string_equal(a, "error: busy (too many clients)\n");
	free(a);
	for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
		close(fds[i]);
	spin(10);
	a = answer(client("status\n"), NULL);
	assert_int_equal(strncmp(a, "ok\n", 3), 0);
	free(a);
}

/*
 * A client that asks nothing, and one that asks for a dump and reads
 * none of it, are dropped after CONTROL_IDLE_MS; the others are served.
 */
static void test_idle(void **state)
{
	int quiet = client(NULL), stuck = client("dump\n");
	char buf[64];
	char *a;

	(void)state;
	spin(CONTROL_IDLE_MS / 2);
	a = answer(client("status\n"), NULL);
	assert_int_equal(strncmp(a, "ok\n", 3), 0);
	free(a);
	spin(CONTROL_IDLE_MS / 2 + 1500);
	assert_int_equal(read(quiet, buf, sizeof(buf)), 0);
	close(quiet);
	/* what was in its socket, then the end: not the whole dump */
	while (read(stuck, buf, sizeof(buf)) > 0)
		;
	assert_int_equal(read(stuck, buf, sizeof(buf)), 0);
	close(stuck);
}

/* A socket a daemon answers on stays; a stale one is replaced. */
static void test_in_use(void **state)
{
	char other[100];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	(void)state;
	assert_int_equal(control_start(path, &ops), -EADDRINUSE);
	snprintf(other, sizeof(other), "%.80s.stale", path);
	strcpy(sa.sun_path, other);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);	/* the file stays, nobody listens */
	control_stop();
	snprintf(path, sizeof(path), "%s", other);
	assert_int_equal(control_start(path, &ops), 0);
	free(answer(client("status\n"), NULL));
	unlink(path);
}

/* Another user, even with the file's mode opened, is refused. */
static void test_other_uid(void **state)
{
	pid_t pid;
	int status;

	(void)state;
	if (geteuid())
		skip();
	chmod(path, 0666);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		char buf[128] = "";
		ssize_t n;
		int fd;

		if (setgid(65534) || setuid(65534))
			_exit(3);
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		strcpy(sa.sun_path, path);
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
			_exit(4);
		/* the daemon may have answered and closed already */
		send(fd, "status\n", 7, MSG_NOSIGNAL);
		n = read(fd, buf, sizeof(buf) - 1);
		_exit(n > 0 && !strncmp(buf, "error: permission denied", 24) ? 0 : 6);
	}
	spin(200);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test_setup_teardown(test_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dump_pieces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad, setup, teardown),
		cmocka_unit_test_setup_teardown(test_busy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_in_use, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_uid, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
