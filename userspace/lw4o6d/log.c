// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Levelled logging to stderr or syslog.  Under systemd, stderr is the
 * journal's stream ($JOURNAL_STREAM names it): each line then starts with
 * its priority as "<N>" (sd-daemon(3)), which journald takes off and keeps,
 * so that "journalctl -p err" finds our errors; elsewhere (a terminal, a
 * test's log file) a line says "lw4o6d: LEVEL: ".  Grants and releases
 * carry fields as well (log_fields()), which go to the journal through
 * its native protocol when there is one.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "log.h"
#include "loop.h"

static int max_level = LOG_INFO;
static bool use_syslog;
static int to_journal = -1;	/* stderr is the journal's stream; -1: not yet known */
static log_journal_fn journal_send;

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

static void log_line(int level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

void log_msg(int level, const char *fmt, ...)
{
	va_list ap;

	if (level > max_level)
		return;
	va_start(ap, fmt);
	log_line(level, fmt, ap);
	va_end(ap);
}

void log_set_journal_sender(log_journal_fn fn)
{
	journal_send = fn;
}

#define MAX_FIELDS 24

void log_fields(int level, const char *message_id, const char *const *fields,
		size_t n, const char *fmt, ...)
{
	char msg[1024], prio[16], id[48];
	struct iovec iov[MAX_FIELDS + 4];
	va_list ap;
	size_t i;

	if (level > max_level)
		return;
	if (to_journal < 0)
		to_journal = stderr_is_journal();
	va_start(ap, fmt);
	if (use_syslog || !to_journal || !journal_send || n > MAX_FIELDS) {
		log_line(level, fmt, ap);
		va_end(ap);
		return;
	}
	memcpy(msg, "MESSAGE=", 8);
	vsnprintf(msg + 8, sizeof(msg) - 8, fmt, ap);
	va_end(ap);
	snprintf(prio, sizeof(prio), "PRIORITY=%d", level & 7);
	snprintf(id, sizeof(id), "MESSAGE_ID=%s", message_id);
	iov[0] = (struct iovec){ msg, strlen(msg) };
	iov[1] = (struct iovec){ prio, strlen(prio) };
	iov[2] = (struct iovec){ id, strlen(id) };
	iov[3] = (struct iovec){ (void *)"SYSLOG_IDENTIFIER=lw4o6d", 24 };
	for (i = 0; i < n; i++)
		iov[4 + i] = (struct iovec){ (void *)fields[i], strlen(fields[i]) };
	if (journal_send(iov, (int)(n + 4)) >= 0)
		return;
	/* journald away (its socket gone): the text, on the stream */
	fprintf(stderr, "<%d>%s\n", level & 7, msg + 8);
}

static void log_line(int level, const char *fmt, va_list ap)
{
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
