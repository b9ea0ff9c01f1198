// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <inttypes.h>

#include "json.h"

void jw_init(struct json_writer *w, FILE *f, bool pretty)
{
	w->f = f;
	w->pretty = pretty;
	w->first = true;
	w->after_key = false;
	w->depth = 0;
}

static void indent(struct json_writer *w)
{
	unsigned int i;

	if (!w->pretty)
		return;
	putc('\n', w->f);
	for (i = 0; i < w->depth; i++)
		fputs("  ", w->f);
}

/* The comma/newline that goes before any member or element. */
static void separate(struct json_writer *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (!w->first)
		putc(',', w->f);
	if (w->depth)
		indent(w);
	w->first = false;
}

/* Length of the valid UTF-8 sequence at s, or 0 if s starts a bad one. */
static int utf8_len(const unsigned char *s)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		unsigned char lo = c == 0xe0 ? 0xa0 : 0x80;
		unsigned char hi = c == 0xed ? 0x9f : 0xbf;

		if (s[1] < lo || s[1] > hi || (s[2] & 0xc0) != 0x80)
			return 0;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		unsigned char lo = c == 0xf0 ? 0x90 : 0x80;
		unsigned char hi = c == 0xf4 ? 0x8f : 0xbf;

		if (s[1] < lo || s[1] > hi || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		return 4;
	}
	return 0;
}

/*
 * Device names are arbitrary bytes to the kernel, but JSON must be UTF-8:
 * bytes that are not valid UTF-8 become U+FFFD so the output always parses.
 * Runs of bytes that need nothing go out in one fwrite(): a million-binding
 * dump must not cost a library call per character.
 */
void json_escape(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str, *run;

	putc('"', f);
	for (;;) {
		int n = 1;

		for (run = s; *s; s += n) {
			if (*s < 0x80) {
				if (*s < 0x20 || *s == '"' || *s == '\\')
					break;
				n = 1;
				continue;
			}
			n = utf8_len(s);
			if (!n)
				break;
		}
		if (s > run)
			fwrite(run, 1, (size_t)(s - run), f);
		if (!*s)
			break;
		switch (*s) {
		case '"':  fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\b': fputs("\\b", f); break;
		case '\f': fputs("\\f", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (*s < 0x20)
				fprintf(f, "\\u%04x", *s);
			else
				fputs("\\ufffd", f);
		}
		s++;
	}
	putc('"', f);
}

void jw_key(struct json_writer *w, const char *key)
{
	separate(w);
	json_escape(w->f, key);
	fputs(w->pretty ? ": " : ":", w->f);
	w->after_key = true;
}

static void open_container(struct json_writer *w, char c)
{
	separate(w);
	putc(c, w->f);
	w->depth++;
	w->first = true;
}

static void close_container(struct json_writer *w, char c)
{
	w->depth--;
	if (!w->first)
		indent(w);
	putc(c, w->f);
	/* We are back in the parent, which now holds at least this member. */
	w->first = false;
}

void jw_obj_open(struct json_writer *w)
{
	open_container(w, '{');
}

void jw_obj_close(struct json_writer *w)
{
	close_container(w, '}');
}

void jw_arr_open(struct json_writer *w)
{
	open_container(w, '[');
}

void jw_arr_close(struct json_writer *w)
{
	close_container(w, ']');
}

void jw_string(struct json_writer *w, const char *s)
{
	separate(w);
	json_escape(w->f, s);
}

/* By hand: printf's format parsing shows up when dumping a big table. */
static void put_u64(FILE *f, uint64_t v)
{
	char buf[24], *p = buf + sizeof(buf);

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	fwrite(p, 1, (size_t)(buf + sizeof(buf) - p), f);
}

void jw_u64(struct json_writer *w, uint64_t v)
{
	separate(w);
	put_u64(w->f, v);
}

void jw_i64(struct json_writer *w, int64_t v)
{
	separate(w);
	fprintf(w->f, "%" PRId64, v);
}

void jw_bool(struct json_writer *w, bool v)
{
	separate(w);
	fputs(v ? "true" : "false", w->f);
}

void jw_null(struct json_writer *w)
{
	separate(w);
	fputs("null", w->f);
}
