// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <inttypes.h>
#include <string.h>

#include "json.h"
#include "print.h"
#include "strconv.h"

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
	if (json) {
		jw_flush(&jw);
		putc('\n', outf());
	}
	json = false;
}

bool is_json_context(void)
{
	return json;
}

/*
 * Text fields are mostly "word %s": write those with fputs() instead of
 * fprintf(), whose format parsing dominated dumping a big table.  Anything
 * fancier (widths, two conversions, %%) still goes to fprintf().
 */
static bool text_fast(const char *fmt, const char *s, uint64_t u, char conv)
{
	const char *pc = strchr(fmt, '%'), *rest;
	char num[24];

	if (!pc)
		return false;
	if (conv == 's' && pc[1] == 's')
		rest = pc + 2;
	else if (conv == 'u' && pc[1] == 'u')
		rest = pc + 2;
	else if (conv == 'u' && pc[1] == 'l' && pc[2] == 'u')
		rest = pc + 3;
	else if (conv == 'u' && pc[1] == 'l' && pc[2] == 'l' && pc[3] == 'u')
		rest = pc + 4;
	else
		return false;
	if (strchr(rest, '%'))
		return false;
	fwrite(fmt, 1, (size_t)(pc - fmt), outf());
	fputs(conv == 's' ? s : fmt_u64(u, num), outf());
	fputs(rest, outf());
	return true;
}

static bool want(enum output_type t)
{
	return json ? (t & PRINT_JSON) : (t & PRINT_FP);
}

void open_json_object(const char *k)
{
	if (!json)
		return;
	jw_member_obj_open(&jw, k);
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
	jw_member_arr_open(&jw, k);
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
		jw_member_string(&jw, k, value);
	} else if (!text_fast(fmt, value, 0, 's')) {
		fprintf(outf(), fmt, value);
	}
}

void print_uint(enum output_type t, const char *k, const char *fmt,
		unsigned int value)
{
	if (!want(t))
		return;
	if (json) {
		jw_member_u64(&jw, k, value);
	} else if (!text_fast(fmt, NULL, value, 'u')) {
		fprintf(outf(), fmt, value);
	}
}

void print_u64(enum output_type t, const char *k, const char *fmt,
	       uint64_t value)
{
	if (!want(t))
		return;
	if (json) {
		jw_member_u64(&jw, k, value);
	} else if (!text_fast(fmt, NULL, value, 'u')) {
		fprintf(outf(), fmt, value);
	}
}

void print_on_off(enum output_type t, const char *k, const char *fmt,
		  bool value)
{
	if (!want(t))
		return;
	if (json)
		jw_member_bool(&jw, k, value);
	else if (!text_fast(fmt, value ? "on" : "off", 0, 's'))
		fprintf(outf(), fmt, value ? "on" : "off");
}

/* JSON null; text gets a word such as "never" instead. */
void print_null(enum output_type t, const char *k, const char *fmt,
		const char *text)
{
	if (!want(t))
		return;
	if (json) {
		jw_member_null(&jw, k);
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
