/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Inside the configuration reader: what config.c (lines, keywords, errors,
 * the statements of both roles) shares with config_aftr.c and config_b4.c
 * (each role's statements and whole-file rules).  Not for other files.
 */
#ifndef LW4O6D_CONFIG_INT_H
#define LW4O6D_CONFIG_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

#include "config.h"

#define REASON_LEN	256
#define TOK_LEN		48	/* a quoted word in a message, at most */
#define U32_MAX		4294967295U

enum kw_role { KW_ANY, KW_AFTR, KW_B4 };

struct error {
	unsigned int line;
	char reason[REASON_LEN];
};

struct parser;

struct keyword {
	const char *name;
	enum kw_role role;
	bool repeat;
	void (*parse)(struct parser *p, int argc, char **argv);
};

enum lt_form { LT_NONE, LT_AFTR, LT_B4 };

struct parser {
	const char *file;
	struct lw4o6d_config *c;
	config_err_fn err_fn;
	void *arg;
	unsigned int line;
	unsigned int first_line;	/* of the first statement */
	int n_err;
	struct error *errs;
	size_t n_errs, cap;
	unsigned int *seen;		/* per keyword: line of the first use */
	unsigned int pool_line[CONFIG_MAX_POOLS];
	enum lt_form lt_form;
	bool lt_min, lt_max, lt_def;	/* given in "lifetime min/max/default" */
};

/* Each role's statements, ended by an entry without a name. */
extern const struct keyword config_aftr_keywords[];
extern const struct keyword config_b4_keywords[];
extern const struct keyword config_dhcp_keywords[];

/* The role's whole-file rules, after the last line. */
void config_aftr_check(struct parser *p);
void config_b4_check(struct parser *p);
void config_dhcp_check(struct parser *p);

void report(struct parser *p, unsigned int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define lerr(p, ...) report(p, (p)->line, __VA_ARGS__)

/* The line of the first use of a keyword, 0 if it is not used. */
unsigned int seen_line(const struct parser *p, const char *keyword);
/* A word fit for a message: a file may hold anything, a terminal may not. */
const char *tok(char *buf, const char *s);
/* The same for a whole message, in place, not shortened. */
const char *printable(char *s);
bool get_num(struct parser *p, const char *what, const char *s, uint32_t min,
	     uint32_t max, uint32_t *out);
/* Statements of a fixed number of words. */
bool nargs(struct parser *p, const char *kw, int argc, int n, char **argv);
bool get_bool(struct parser *p, const char *kw, const char *yes,
	      const char *no, int argc, char **argv, bool *out);
/* A unicast IPv6 address */
bool get_ipv6(struct parser *p, const char *kw, const char *s,
	      struct in6_addr *a);

#endif
