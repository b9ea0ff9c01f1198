/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef LW4O6_JSON_H
#define LW4O6_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/*
 * A streaming JSON writer: nothing is kept but the nesting depth and the
 * output of the innermost unfinished element, so a dump of a million
 * bindings costs no memory.  Bytes reach the FILE when a container closes
 * or a top-level value ends (jw_flush() forces it).
 */
struct json_writer {
	FILE *f;
	bool pretty;
	bool first;		/* nothing written yet in the open container */
	bool after_key;		/* a key was written, its value comes next */
	unsigned int depth;
	size_t n;		/* bytes waiting in buf */
	char buf[4096];
};

void jw_init(struct json_writer *w, FILE *f, bool pretty);
void jw_key(struct json_writer *w, const char *key);
void jw_obj_open(struct json_writer *w);
void jw_obj_close(struct json_writer *w);
void jw_arr_open(struct json_writer *w);
void jw_arr_close(struct json_writer *w);
void jw_string(struct json_writer *w, const char *s);
void jw_u64(struct json_writer *w, uint64_t v);
void jw_i64(struct json_writer *w, int64_t v);
void jw_bool(struct json_writer *w, bool v);
void jw_null(struct json_writer *w);
void jw_flush(struct json_writer *w);

/* Key and value in one call; key NULL writes just the value (an element). */
void jw_member_obj_open(struct json_writer *w, const char *key);
void jw_member_arr_open(struct json_writer *w, const char *key);
void jw_member_string(struct json_writer *w, const char *key, const char *s);
void jw_member_u64(struct json_writer *w, const char *key, uint64_t v);
void jw_member_bool(struct json_writer *w, const char *key, bool v);
void jw_member_null(struct json_writer *w, const char *key);
void json_escape(FILE *f, const char *s);

#endif
