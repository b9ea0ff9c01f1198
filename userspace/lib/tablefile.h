/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef LW4O6_LOAD_H
#define LW4O6_LOAD_H

#include <stddef.h>

#include "bindset.h"

enum table_format {
	TABLE_FMT_LINES,	/* `binding add` words, one binding a line */
	TABLE_FMT_SNABB,	/* Snabb lwAFTR configuration, softwire blocks */
};

struct load_err {
	unsigned int line;
	char msg[256];
};

enum table_format table_detect(const char *buf, size_t len);
int table_parse_lines(struct lw4o6_table *t, const char *buf, size_t len,
		      struct load_err *e);
int table_parse_snabb(struct lw4o6_table *t, const char *buf, size_t len,
		      struct load_err *e);
int table_parse(struct lw4o6_table *t, const char *buf, size_t len,
		struct load_err *e);

#endif
