/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef LW4O6_PRINT_H
#define LW4O6_PRINT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/*
 * iproute2's print family: every field is printed once, naming both its
 * JSON key and its text format, so the two outputs cannot drift apart.
 */
enum output_type {
	PRINT_FP	= 1,	/* text only */
	PRINT_JSON	= 2,	/* JSON only */
	PRINT_ANY	= 3,
};

void print_set_file(FILE *f);
void new_json_obj(bool json, bool pretty);
void delete_json_obj(void);
bool is_json_context(void);

void open_json_object(const char *key);
void close_json_object(void);
void open_json_array(const char *key);
void close_json_array(void);

void print_string(enum output_type t, const char *key, const char *fmt,
		  const char *value);
void print_uint(enum output_type t, const char *key, const char *fmt,
		unsigned int value);
void print_u64(enum output_type t, const char *key, const char *fmt,
	       uint64_t value);
/* JSON true/false; text "on"/"off" through fmt (iproute2's print_on_off). */
void print_on_off(enum output_type t, const char *key, const char *fmt,
		  bool value);
void print_null(enum output_type t, const char *key, const char *fmt,
		const char *text);
void print_text(const char *s);
void print_nl(void);

#endif
