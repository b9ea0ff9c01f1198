// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "loop.h"

#define LOOP_MAX_FDS 64

static struct pollfd pfds[LOOP_MAX_FDS];
static struct {
	loop_fd_fn fn;
	void *arg;
} handlers[LOOP_MAX_FDS];
static unsigned int nfds;
static struct timer *timers;

int64_t loop_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int loop_add_fd(int fd, loop_fd_fn fn, void *arg)
{
	if (nfds == LOOP_MAX_FDS)
		return -ENOSPC;
	pfds[nfds].fd = fd;
	pfds[nfds].events = POLLIN;
	handlers[nfds].fn = fn;
	handlers[nfds].arg = arg;
	nfds++;
	return 0;
}

void loop_del_fd(int fd)
{
	unsigned int i;

	for (i = 0; i < nfds; i++) {
		if (pfds[i].fd != fd)
			continue;
		nfds--;
		pfds[i] = pfds[nfds];
		handlers[i] = handlers[nfds];
		return;
	}
}

void loop_want_write(int fd, bool on)
{
	unsigned int i;

	for (i = 0; i < nfds; i++)
		if (pfds[i].fd == fd)
			pfds[i].events = on ? POLLIN | POLLOUT : POLLIN;
}

void loop_want(int fd, bool read, bool write)
{
	unsigned int i;

	for (i = 0; i < nfds; i++)
		if (pfds[i].fd == fd)
			pfds[i].events = (read ? POLLIN : 0) | (write ? POLLOUT : 0);
}

void timer_init(struct timer *t, void (*fn)(struct timer *t))
{
	memset(t, 0, sizeof(*t));
	t->fn = fn;
}

void timer_cancel(struct timer *t)
{
	struct timer **p;

	for (p = &timers; *p; p = &(*p)->next) {
		if (*p == t) {
			*p = t->next;
			break;
		}
	}
	t->armed = false;
	t->next = NULL;
}

void timer_arm(struct timer *t, int64_t after_ms)
{
	if (t->armed)
		timer_cancel(t);
	t->when = loop_now_ms() + (after_ms > 0 ? after_ms : 0);
	t->armed = true;
	t->next = timers;
	timers = t;
}

/* Fires every due timer; returns the ms until the next one, or -1. */
static int run_timers(void)
{
	int64_t now = loop_now_ms(), next = -1;
	struct timer *t;

again:
	for (t = timers; t; t = t->next) {
		if (t->when <= now) {
			timer_cancel(t);
			t->fn(t);	/* may arm or cancel any timer */
			now = loop_now_ms();
			goto again;
		}
		if (next < 0 || t->when - now < next)
			next = t->when - now;
	}
	return next > 60000 ? 60000 : (int)next;
}

int loop_run(volatile sig_atomic_t *stop)
{
	while (!*stop) {
		int timeout = run_timers();
		unsigned int i, n = nfds;
		int r;

		if (*stop)
			break;
		r = poll(pfds, n, timeout);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			log_err("poll: %s", strerror(errno));
			return -errno;
		}
		for (i = 0; i < n && i < nfds; i++) {
			if (pfds[i].revents & (POLLIN | POLLOUT | POLLERR | POLLHUP)) {
				pfds[i].revents = 0;
				handlers[i].fn(pfds[i].fd, handlers[i].arg);
			}
		}
	}
	return 0;
}
