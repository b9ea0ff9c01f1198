/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef LW4O6D_NOTIFY_H
#define LW4O6D_NOTIFY_H

/*
 * What systemd hears from lw4o6d (Type=notify, sd_notify(3)): READY=1 once
 * it serves, RELOADING=1 and READY=1 around a SIGHUP's reload, STOPPING=1,
 * a STATUS= line with each, and WATCHDOG=1 from the event loop while
 * WatchdogSec= asks for it.  Without $NOTIFY_SOCKET (started by hand, in
 * a test) every call does nothing.
 */

/* The service serves: READY=1 with STATUS= the printf-style text. */
void notify_ready(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A reload begins (RELOADING=1); notify_ready() says it ended, either way. */
void notify_reloading(void);
void notify_stopping(void);
/*
 * If systemd watches this process ($WATCHDOG_USEC, and $WATCHDOG_PID is
 * ours or unset), a loop timer sends WATCHDOG=1 every half interval, so
 * that a loop stuck in a handler stops the pings and systemd restarts us.
 * Returns the interval in ms, 0 when not watched.
 */
long long notify_watchdog_start(void);
void notify_watchdog_stop(void);

#endif
