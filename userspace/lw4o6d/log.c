// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Levelled logging to stderr or syslog.  Under systemd, stderr is the
 * journal's stream ($JOURNAL_STREAM names it): each line then starts with
 * its priority as "<N>" (sd-daemon(3)), which journald takes off and keeps,
 * so that "journalctl -p err" finds our errors; elsewhere (a terminal, a
 * test's log file) a line says "lw4o6d: LEVEL: ".
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "log.h"
#include "loop.h"

static int max_level = LOG_INFO;
static bool use_syslog;
static int to_journal = -1;	/* stderr is the journal's stream; -1: not yet known */

static const char *const names[] = {
	[LOG_EMERG] = "emerg", [LOG_ALERT] = "alert", [LOG_CRIT] = "crit",
	[LOG_ERR] = "error", [LOG_WARNING] = "warning",
	[LOG_NOTICE] = "notice", [LOG_INFO] = "info", [LOG_DEBUG] = "debug",
};

void log_open(int level, bool to_syslog)
{
	max_level = level;
	use_syslog = to_syslog;
	if (to_syslog)
		openlog("lw4o6d", LOG_PID, LOG_DAEMON);
}

void log_set_level(int level)
{
	max_level = level;
}

int log_level_get(void)
{
	return max_level;
}

/* Whether stderr is the stream $JOURNAL_STREAM ("DEVICE:INODE") names. */
static bool stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	uintmax_t dev, ino;
	struct stat st;
	int end = 0;

	return js && sscanf(js, "%ju:%ju%n", &dev, &ino, &end) == 2 &&
	       !js[end] && !fstat(STDERR_FILENO, &st) &&
	       (uintmax_t)st.st_dev == dev && (uintmax_t)st.st_ino == ino;
}

void log_msg(int level, const char *fmt, ...)
{
	va_list ap;

	if (level > max_level)
		return;
	va_start(ap, fmt);
	if (use_syslog) {
		vsyslog(level, fmt, ap);
	} else {
		/* One write a line: stderr is unbuffered, and lines stay whole. */
		char line[1024];
		int n;

		if (to_journal < 0)
			to_journal = stderr_is_journal();
		if (to_journal)
			n = snprintf(line, sizeof(line), "<%d>", level & 7);
		else
			n = snprintf(line, sizeof(line), "lw4o6d: %s: ",
				     names[level & 7]);

		n += vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
		if (n > (int)sizeof(line) - 2)
			n = sizeof(line) - 2;
		line[n++] = '\n';
		fwrite(line, 1, n, stderr);
	}
	va_end(ap);
}

bool log_limit_ok(struct log_limit *l)
{
	int64_t sec = loop_now_ms() / 1000;

	if (sec != l->window) {
		if (l->suppressed)
			log_msg(LOG_NOTICE, "%u similar messages suppressed",
				l->suppressed);
		l->window = sec;
		l->used = 0;
		l->suppressed = 0;
	}
	if (l->used < (l->burst ? l->burst : 10)) {
		l->used++;
		return true;
	}
	l->suppressed++;
	return false;
}
