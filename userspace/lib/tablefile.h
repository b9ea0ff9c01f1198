/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef LW4O6_LOAD_H
#define LW4O6_LOAD_H

#include <stddef.h>

#include "bindset.h"

enum table_format {
	TABLE_FMT_LINES,	/* `binding add` words, one binding a line */
	TABLE_FMT_SNABB,	/* Snabb lwAFTR configuration, softwire blocks */
};

struct load_err;
/* One bad binding, e->line and e->msg; the reader then goes on. */
typedef void (*table_err_fn)(const struct load_err *e, void *arg);

struct load_err {
	unsigned int line;
	char msg[256];
	/* Set by table_parse*(): */
	table_err_fn report;	/* NULL: stop at the first error */
	void *arg;
	unsigned long count;	/* bad bindings found */
};

enum table_format table_detect(const char *buf, size_t len);
int table_parse_lines(struct lw4o6_table *t, const char *buf, size_t len,
		      struct load_err *e);
int table_parse_snabb(struct lw4o6_table *t, const char *buf, size_t len,
		      struct load_err *e);
/* 0, or -1 with the first error in *e. */
int table_parse(struct lw4o6_table *t, const char *buf, size_t len,
		struct load_err *e);
/*
 * Every bad line or softwire through fn (a file's syntax that cannot be
 * followed, such as an unclosed block, still ends the reading: that one
 * comes back in *e alone); 0 when the whole file is good, else -1 with
 * e->count the number of errors.  What is in t after -1 must not be used.
 */
int table_parse_all(struct lw4o6_table *t, const char *buf, size_t len,
		    struct load_err *e, table_err_fn fn, void *arg);

#endif
