// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <string.h>

#include "json.h"

/*
 * Output is assembled in w->buf and handed to stdio in one fwrite() when
 * a container closes, when a top-level value is complete, or when the
 * buffer fills: a million-binding dump costs one library call per binding,
 * not one per key, value and punctuation mark.  Nothing is held back past
 * the close of an object, so a binding never goes out half-written, and
 * errmsg()'s fflush(stdout) still finds every finished line in the FILE.
 */
void jw_flush(struct json_writer *w)
{
	if (w->n)
		fwrite(w->buf, 1, w->n, w->f);
	w->n = 0;
}

/* Makes room for n more bytes; n must be at most sizeof(w->buf). */
static inline char *room(struct json_writer *w, size_t n)
{
	if (sizeof(w->buf) - w->n < n)
		jw_flush(w);
	return w->buf + w->n;
}

static inline void put_c(struct json_writer *w, char c)
{
	*room(w, 1) = c;
	w->n++;
}

static inline void put_mem(struct json_writer *w, const void *s, size_t n)
{
	if (n > sizeof(w->buf)) {
		jw_flush(w);
		fwrite(s, 1, n, w->f);
		return;
	}
	memcpy(room(w, n), s, n);
	w->n += n;
}

/* String literals: the compiler knows their length. */
#define put_lit(w, s) put_mem(w, s, sizeof(s) - 1)

void jw_init(struct json_writer *w, FILE *f, bool pretty)
{
	w->f = f;
	w->pretty = pretty;
	w->first = true;
	w->after_key = false;
	w->depth = 0;
	w->n = 0;
}

static void indent(struct json_writer *w)
{
	unsigned int i;

	put_c(w, '\n');
	for (i = 0; i < w->depth; i++)
		put_lit(w, "  ");
}

/* The comma/newline that goes before any member or element. */
static inline void separate(struct json_writer *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (!w->first)
		put_c(w, ',');
	if (w->depth && w->pretty)
		indent(w);
	w->first = false;
}

/* A value is complete: at the top level, that is the whole document. */
static inline void done(struct json_writer *w)
{
	if (!w->depth)
		jw_flush(w);
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

/* Bytes that cannot be copied as they are: the end, escapes, non-ASCII. */
static const unsigned char special[256] = {
	[0x00 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1, [0x80 ... 0xff] = 1,
};

#define CHUNK 16

/*
 * Device names are arbitrary bytes to the kernel, but JSON must be UTF-8:
 * bytes that are not valid UTF-8 become U+FFFD so the output always parses.
 * Keys and addresses are plain ASCII: those bytes are checked and copied in
 * one pass, CHUNK at a time, with no call per byte or per run.
 */
static void escape(struct json_writer *w, const char *str)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	unsigned char c;
	char *p;
	size_t i;
	int n;

	put_c(w, '"');
	for (;;) {
		do {
			p = room(w, CHUNK);
			for (i = 0; i < CHUNK; i++) {
				c = s[i];
				if (special[c])
					break;
				p[i] = (char)c;
			}
			s += i;
			w->n += i;
		} while (i == CHUNK);
		c = *s;
		if (!c)
			break;
		if (c >= 0x80) {
			n = utf8_len(s);
			if (n) {
				put_mem(w, s, (size_t)n);
				s += n;
				continue;
			}
			put_lit(w, "\\ufffd");
			s++;
			continue;
		}
		switch (c) {
		case '"':  put_lit(w, "\\\""); break;
		case '\\': put_lit(w, "\\\\"); break;
		case '\b': put_lit(w, "\\b"); break;
		case '\f': put_lit(w, "\\f"); break;
		case '\n': put_lit(w, "\\n"); break;
		case '\r': put_lit(w, "\\r"); break;
		case '\t': put_lit(w, "\\t"); break;
		default: {
			char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

			put_mem(w, u, sizeof(u));
		}
		}
		s++;
	}
	put_c(w, '"');
}

void json_escape(FILE *f, const char *str)
{
	struct json_writer w;

	jw_init(&w, f, false);
	escape(&w, str);
	jw_flush(&w);
}

static void put_key(struct json_writer *w, const char *key)
{
	separate(w);
	escape(w, key);
	if (w->pretty)
		put_lit(w, ": ");
	else
		put_c(w, ':');
	w->after_key = true;
}

/* Before a value: its key, or nothing for an array element (key NULL). */
static inline void lead(struct json_writer *w, const char *key)
{
	if (key)
		put_key(w, key);
	separate(w);
}

void jw_key(struct json_writer *w, const char *key)
{
	put_key(w, key);
}

static void open_container(struct json_writer *w, const char *key, char c)
{
	lead(w, key);
	put_c(w, c);
	w->depth++;
	w->first = true;
}

static void close_container(struct json_writer *w, char c)
{
	w->depth--;
	if (!w->first && w->pretty)
		indent(w);
	put_c(w, c);
	jw_flush(w);
	/* We are back in the parent, which now holds at least this member. */
	w->first = false;
}

void jw_obj_open(struct json_writer *w)
{
	open_container(w, NULL, '{');
}

void jw_member_obj_open(struct json_writer *w, const char *key)
{
	open_container(w, key, '{');
}

void jw_obj_close(struct json_writer *w)
{
	close_container(w, '}');
}

void jw_arr_open(struct json_writer *w)
{
	open_container(w, NULL, '[');
}

void jw_member_arr_open(struct json_writer *w, const char *key)
{
	open_container(w, key, '[');
}

void jw_arr_close(struct json_writer *w)
{
	close_container(w, ']');
}

void jw_member_string(struct json_writer *w, const char *key, const char *s)
{
	lead(w, key);
	escape(w, s);
	done(w);
}

void jw_string(struct json_writer *w, const char *s)
{
	jw_member_string(w, NULL, s);
}

/* By hand: printf's format parsing shows up when dumping a big table. */
static void put_u64(struct json_writer *w, uint64_t v)
{
	char buf[20], *p = buf + sizeof(buf), *q;

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	q = room(w, sizeof(buf));
	w->n += (size_t)(buf + sizeof(buf) - p);
	while (p < buf + sizeof(buf))
		*q++ = *p++;
}

void jw_member_u64(struct json_writer *w, const char *key, uint64_t v)
{
	lead(w, key);
	put_u64(w, v);
	done(w);
}

void jw_u64(struct json_writer *w, uint64_t v)
{
	jw_member_u64(w, NULL, v);
}

void jw_i64(struct json_writer *w, int64_t v)
{
	lead(w, NULL);
	if (v < 0) {
		put_c(w, '-');
		put_u64(w, -(uint64_t)v);
	} else {
		put_u64(w, (uint64_t)v);
	}
	done(w);
}

void jw_member_bool(struct json_writer *w, const char *key, bool v)
{
	lead(w, key);
	if (v)
		put_lit(w, "true");
	else
		put_lit(w, "false");
	done(w);
}

void jw_bool(struct json_writer *w, bool v)
{
	jw_member_bool(w, NULL, v);
}

void jw_member_null(struct json_writer *w, const char *key)
{
	lead(w, key);
	put_lit(w, "null");
	done(w);
}

void jw_null(struct json_writer *w)
{
	jw_member_null(w, NULL);
}
