// SPDX-License-Identifier: GPL-2.0 OR MIT
/* lw4o6d's side of the service manager's notification protocol (notify.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "log.h"
#include "loop.h"
#include "notify.h"

static struct timer watchdog;
static long long watchdog_ms;

static void notify_send(const char *state)
{
	/* 0: keep $NOTIFY_SOCKET, we send for our whole life. */
	int r = sd_notify(0, state);

	if (r < 0)
		log_warn("sd_notify: %s", strerror(-r));
}

void notify_ready(const char *fmt, ...)
{
	char state[320];
	va_list ap;
	int n;

	n = snprintf(state, sizeof(state), "READY=1\nSTATUS=");
	va_start(ap, fmt);
	vsnprintf(state + n, sizeof(state) - n, fmt, ap);
	va_end(ap);
	notify_send(state);
}

void notify_reloading(void)
{
	notify_send("RELOADING=1\nSTATUS=reloading the configuration");
}

void notify_stopping(void)
{
	notify_send("STOPPING=1\nSTATUS=stopping");
}

static void ping(struct timer *t)
{
	notify_send("WATCHDOG=1");
	timer_arm(t, watchdog_ms / 2);
}

long long notify_watchdog_start(void)
{
	uint64_t usec = 0;
	int r = sd_watchdog_enabled(0, &usec);

	if (r < 0)
		log_warn("watchdog: %s", strerror(-r));
	if (r <= 0 || usec < 2000)
		return 0;
	watchdog_ms = (long long)(usec / 1000);
	log_info("watchdog: WATCHDOG=1 to systemd every %lld ms", watchdog_ms / 2);
	timer_init(&watchdog, ping);
	/* at once: the first interval runs from when we were started */
	ping(&watchdog);
	return watchdog_ms;
}

void notify_watchdog_stop(void)
{
	if (watchdog_ms)
		timer_cancel(&watchdog);
	watchdog_ms = 0;
}
