/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef LW4O6_MAIN_H
#define LW4O6_MAIN_H

#include <stdbool.h>
#include <stdio.h>

/* Exit statuses: 0 success, 1 kernel/system/file trouble, 2 bad usage. */
#define EXIT_OK		0
#define EXIT_ERR	1
#define EXIT_USAGE	2

struct opts {
	bool json;
	bool pretty;
	bool stats;
};
extern struct opts opts;

struct nl;
struct nlmsghdr;

void errmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int usage_error(const char *object, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
bool is_help(const char *word);
/*
 * "; did you mean \"WORD\"?" when typed is one slip from one of words
 * (hint.h), else "".  The text stays valid until the next call.
 */
const char *did_you_mean(const char *typed, const char *const *words,
			 size_t n);
void nl_perror(struct nl *nl, const struct nlmsghdr *req, int err,
	       const char *what);
struct nl *get_rtnl(void);
struct nl *get_genl(void);
void module_missing(void);

int do_dev(int argc, char **argv);
int do_binding(int argc, char **argv);
int do_stats(int argc, char **argv);
int do_monitor(int argc, char **argv);

void usage_dev(FILE *f);
void usage_binding(FILE *f);
void usage_stats(FILE *f);
void usage_monitor(FILE *f);
void monitor_timestamps(void);

#endif
