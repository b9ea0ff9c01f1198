/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef LW4O6D_LOG_H
#define LW4O6D_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <syslog.h>

void log_open(int level, bool to_syslog);
void log_set_level(int level);
int log_level_get(void);
void log_msg(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

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
