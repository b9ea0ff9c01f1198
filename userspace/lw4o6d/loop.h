/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * A small poll() loop: file descriptors with a callback, and timers on
 * CLOCK_MONOTONIC in milliseconds.  A handful of each: the AFTR keeps its
 * per-mapping expiry in one sweep timer, not a timer per mapping.
 */
#ifndef LW4O6D_LOOP_H
#define LW4O6D_LOOP_H

#include <stdbool.h>
#include <stdint.h>
#include <signal.h>

typedef void (*loop_fd_fn)(int fd, void *arg);

struct timer {
	void (*fn)(struct timer *t);
	int64_t when;		/* loop_now_ms() at which it fires */
	bool armed;
	struct timer *next;	/* the loop's list */
};

int64_t loop_now_ms(void);
int loop_add_fd(int fd, loop_fd_fn fn, void *arg);
void loop_del_fd(int fd);
/* Whether fd's callback is also called when fd can be written (POLLOUT). */
void loop_want_write(int fd, bool on);
/* Which of POLLIN and POLLOUT fd's callback is called for. */
void loop_want(int fd, bool read, bool write);
void timer_init(struct timer *t, void (*fn)(struct timer *t));
void timer_arm(struct timer *t, int64_t after_ms);
void timer_cancel(struct timer *t);
/* Runs until *stop is set; returns -errno if poll fails. */
int loop_run(volatile sig_atomic_t *stop);

#endif
