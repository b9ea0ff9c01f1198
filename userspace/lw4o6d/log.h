/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef LW4O6D_LOG_H
#define LW4O6D_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <syslog.h>
#include <sys/uio.h>

void log_open(int level, bool to_syslog);
void log_set_level(int level);
int log_level_get(void);
void log_msg(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * A line with fields for the journal (docs/lw4o6d.md, "Journal fields"):
 * under journald (stderr is $JOURNAL_STREAM's, and a sender is set) one
 * entry with MESSAGE (the formatted text), PRIORITY, SYSLOG_IDENTIFIER,
 * MESSAGE_ID (32 hex digits, one per kind of event) and each of fields
 * ("NAME=value", NAME in capitals); elsewhere, or if the sender fails,
 * the text line alone, exactly as log_msg() writes it.
 */
void log_fields(int level, const char *message_id, const char *const *fields,
		size_t n, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/*
 * What sends an entry to the journal: sd_journal_sendv(3), set by main.c
 * (so that only the daemon links libsystemd); a test's own to see the
 * fields.  NULL: none, every line is text.
 */
typedef int (*log_journal_fn)(const struct iovec *iov, int n);
void log_set_journal_sender(log_journal_fn fn);

#define log_err(...)	log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARNING, __VA_ARGS__)
#define log_notice(...)	log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)

/*
 * Log lines caused by peers (refusals, bad messages) are rate limited:
 * burst lines, then one a second; the suppressed count is told next time.
 */
struct log_limit {
	int64_t window;
	unsigned int burst, used, suppressed;
};
bool log_limit_ok(struct log_limit *l);

#endif
