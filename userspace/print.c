// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <inttypes.h>

#include "json.h"
#include "print.h"

static FILE *out;
static struct json_writer jw;
static bool json;

void print_set_file(FILE *f)
{
	out = f;
}

static FILE *outf(void)
{
	return out ? out : stdout;
}

/* Starts one JSON document (or does nothing in text mode). */
void new_json_obj(bool on, bool pretty)
{
	json = on;
	if (json)
		jw_init(&jw, outf(), pretty);
}

/* Ends the document: a JSON document is always one line or block + "\n". */
void delete_json_obj(void)
{
	if (json)
		putc('\n', outf());
	json = false;
}

bool is_json_context(void)
{
	return json;
}

static bool want(enum output_type t)
{
	return json ? (t & PRINT_JSON) : (t & PRINT_FP);
}

static void key(const char *k)
{
	if (k)
		jw_key(&jw, k);
}

void open_json_object(const char *k)
{
	if (!json)
		return;
	key(k);
	jw_obj_open(&jw);
}

void close_json_object(void)
{
	if (json)
		jw_obj_close(&jw);
}

void open_json_array(const char *k)
{
	if (!json)
		return;
	key(k);
	jw_arr_open(&jw);
}

void close_json_array(void)
{
	if (json)
		jw_arr_close(&jw);
}

void print_string(enum output_type t, const char *k, const char *fmt,
		  const char *value)
{
	if (!want(t))
		return;
	if (json) {
		key(k);
		jw_string(&jw, value);
	} else {
		fprintf(outf(), fmt, value);
	}
}

void print_uint(enum output_type t, const char *k, const char *fmt,
		unsigned int value)
{
	if (!want(t))
		return;
	if (json) {
		key(k);
		jw_u64(&jw, value);
	} else {
		fprintf(outf(), fmt, value);
	}
}

void print_u64(enum output_type t, const char *k, const char *fmt,
	       uint64_t value)
{
	if (!want(t))
		return;
	if (json) {
		key(k);
		jw_u64(&jw, value);
	} else {
		fprintf(outf(), fmt, value);
	}
}

/* JSON null; text gets a word such as "never" instead. */
void print_null(enum output_type t, const char *k, const char *fmt,
		const char *text)
{
	if (!want(t))
		return;
	if (json) {
		key(k);
		jw_null(&jw);
	} else {
		fprintf(outf(), fmt, text);
	}
}

void print_text(const char *s)
{
	if (!json)
		fputs(s, outf());
}

void print_nl(void)
{
	if (!json)
		putc('\n', outf());
}
