// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Table file readers for `binding load`.  Both take the whole file in one
 * buffer (usually an mmap) and never write to it, and both stay O(n) with no
 * allocation per line: a million-binding file is the normal case, and it may
 * be read inside a slow emulated machine.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "tablefile.h"
#include "strconv.h"

#define LINE_MAX_LEN	1024
#define LINE_MAX_WORDS	16

static inline bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
	       c == '\v' || c == '\f';
}

/*
 * An error in e: counted, and handed to the caller's report if there is
 * one; true when reading should go on.
 */
static bool bad_one(struct load_err *e)
{
	e->count++;
	if (!e->report)
		return false;
	e->report(e, e->arg);
	return true;
}

static int parse_line(struct lw4o6_table *t, const char *p, size_t n,
		      unsigned int line, struct load_err *e)
{
	char buf[LINE_MAX_LEN + 1], *argv[LINE_MAX_WORDS];
	struct bind_args a;
	int argc = 0;
	size_t i;

	if (n > LINE_MAX_LEN) {
		snprintf(e->msg, sizeof(e->msg), "line longer than %d bytes",
			 LINE_MAX_LEN);
		return -1;
	}
	/* A private copy so the words can be NUL-terminated in place. */
	memcpy(buf, p, n);
	buf[n] = '\0';
	for (i = 0; i < n;) {
		while (i < n && is_space(buf[i]))
			buf[i++] = '\0';
		if (i == n)
			break;
		if (argc == LINE_MAX_WORDS) {
			snprintf(e->msg, sizeof(e->msg), "too many words");
			return -1;
		}
		argv[argc++] = &buf[i];
		while (i < n && !is_space(buf[i]))
			i++;
	}
	if (!argc)
		return 0;
	if (bind_parse(argc, argv, BIND_USE_FILE, &a, e->msg, sizeof(e->msg)))
		return -1;
	a.b.line = line;
	return table_add(t, &a.b, e->msg, sizeof(e->msg));
}

int table_parse_lines(struct lw4o6_table *t, const char *buf, size_t len,
		      struct load_err *e)
{
	const char *p = buf, *end = buf + len;
	unsigned int line = 1;

	for (; p < end; line++) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *hash;

		if (!eol)
			eol = end;
		hash = memchr(p, '#', (size_t)(eol - p));
		if (parse_line(t, p, (size_t)((hash ? hash : eol) - p), line, e)) {
			e->line = line;
			if (!bad_one(e))
				return -1;
		}
		p = eol + 1;
	}
	return e->count ? -1 : 0;
}

/* ---- Snabb lwAFTR configuration ---------------------------------------- */

enum tok { T_EOF, T_WORD, T_STRING, T_LBRACE, T_RBRACE, T_SEMI, T_ERR };

struct lex {
	const char *p, *end;
	unsigned int line;
	/* the token just read */
	const char *s;
	size_t n;
	unsigned int tline;
};

static bool skip_blank(struct lex *l, struct load_err *e)
{
	while (l->p < l->end) {
		char c = *l->p;

		if (c == '\n') {
			l->line++;
			l->p++;
		} else if (is_space(c)) {
			l->p++;
		} else if (c == '#' || (c == '/' && l->p + 1 < l->end &&
					l->p[1] == '/')) {
			const char *eol = memchr(l->p, '\n', (size_t)(l->end - l->p));

			l->p = eol ? eol : l->end;
		} else if (c == '/' && l->p + 1 < l->end && l->p[1] == '*') {
			unsigned int start = l->line;

			for (l->p += 2;; l->p++) {
				if (l->p + 1 >= l->end) {
					e->line = start;
					snprintf(e->msg, sizeof(e->msg),
						 "unterminated /* comment");
					return false;
				}
				if (*l->p == '\n')
					l->line++;
				else if (l->p[0] == '*' && l->p[1] == '/')
					break;
			}
			l->p += 2;
		} else {
			break;
		}
	}
	return true;
}

static enum tok next_tok(struct lex *l, struct load_err *e)
{
	char c;

	if (!skip_blank(l, e))
		return T_ERR;
	l->tline = l->line;
	l->s = l->p;
	l->n = 1;
	if (l->p == l->end)
		return T_EOF;
	c = *l->p++;
	switch (c) {
	case '{':
		return T_LBRACE;
	case '}':
		return T_RBRACE;
	case ';':
		return T_SEMI;
	case '"':
		for (; l->p < l->end && *l->p != '"'; l->p++) {
			if (*l->p == '\n')
				l->line++;
			else if (*l->p == '\\' && l->p + 1 < l->end)
				l->p++;
		}
		if (l->p == l->end) {
			e->line = l->tline;
			snprintf(e->msg, sizeof(e->msg), "unterminated string");
			return T_ERR;
		}
		l->p++;
		l->n = (size_t)(l->p - l->s);
		return T_STRING;
	}
	while (l->p < l->end && !is_space(*l->p) && *l->p != '{' &&
	       *l->p != '}' && *l->p != ';' && *l->p != '"')
		l->p++;
	l->n = (size_t)(l->p - l->s);
	return T_WORD;
}

static inline bool tok_is(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && !memcmp(s, word, n);
}

enum ctx { C_OTHER, C_SOFTWIRE, C_PORTSET };

#define SW_IPV4		(1U << 0)
#define SW_PSID		(1U << 1)
#define SW_B4		(1U << 2)
#define SW_BR		(1U << 3)
#define SW_PORTSET	(1U << 4)
#define SW_PSID_LEN	(1U << 5)
#define SW_RESERVED	(1U << 6)
#define SW_BAD		(1U << 7)	/* an error inside, already reported */

struct softwire {
	struct lw4o6_bind b;
	unsigned int seen;
	unsigned int line;		/* of the softwire keyword */
	unsigned int psid_line;
	unsigned int psid;		/* checked against psid-length at the end */
	unsigned int psid_len, reserved;
};

static const struct {
	const char *word;
	enum ctx ctx;
	unsigned int bit;
} leaves[] = {
	{ "ipv4",			C_SOFTWIRE,	SW_IPV4 },
	{ "psid",			C_SOFTWIRE,	SW_PSID },
	{ "b4-ipv6",			C_SOFTWIRE,	SW_B4 },
	{ "br-address",			C_SOFTWIRE,	SW_BR },
	{ "psid-length",		C_PORTSET,	SW_PSID_LEN },
	{ "reserved-ports-bit-count",	C_PORTSET,	SW_RESERVED },
};

static int snabb_leaf(struct softwire *sw, enum ctx ctx, const char *kw,
		      size_t kwlen, const char *val, size_t vlen, int nargs,
		      struct load_err *e)
{
	char v[64], *m = e->msg;
	size_t ml = sizeof(e->msg), i;
	uint32_t u;

	for (i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++)
		if (leaves[i].ctx == ctx && tok_is(kw, kwlen, leaves[i].word))
			break;
	if (i == sizeof(leaves) / sizeof(leaves[0]))
		return 0;	/* other leaves mean nothing to the data path */
	if (sw->seen & leaves[i].bit) {
		snprintf(m, ml, "\"%s\" given twice in one softwire",
			 leaves[i].word);
		return -1;
	}
	sw->seen |= leaves[i].bit;
	if (nargs != 1) {
		snprintf(m, ml, "\"%s\" needs exactly one value", leaves[i].word);
		return -1;
	}
	if (vlen >= sizeof(v)) {
		snprintf(m, ml, "value of \"%s\" is too long", leaves[i].word);
		return -1;
	}
	memcpy(v, val, vlen);
	v[vlen] = '\0';

	switch (leaves[i].bit) {
	case SW_IPV4:
		if (parse_ipv4(v, &sw->b.ipv4)) {
			snprintf(m, ml, "invalid IPv4 address \"%s\"", v);
			return -1;
		}
		return 0;
	case SW_PSID:
		if (parse_u32(v, 0xffff, &u)) {
			snprintf(m, ml, "invalid psid \"%s\" (0..65535)", v);
			return -1;
		}
		sw->psid = u;
		return 0;
	case SW_B4:
	case SW_BR: {
		struct in6_addr *a = leaves[i].bit == SW_B4 ? &sw->b.b4 : &sw->b.br;

		if (parse_ipv6(v, a)) {
			snprintf(m, ml, "invalid IPv6 address \"%s\" for \"%s\"",
				 v, leaves[i].word);
			return -1;
		}
		if (!ipv6_is_unicast(a)) {
			snprintf(m, ml, "%s %s is not a unicast IPv6 address",
				 leaves[i].word, v);
			return -1;
		}
		sw->b.has_br |= leaves[i].bit == SW_BR;
		return 0;
	}
	case SW_PSID_LEN:
	case SW_RESERVED:
		if (parse_u32(v, 16, &u)) {
			snprintf(m, ml, "invalid %s \"%s\" (0..16)",
				 leaves[i].word, v);
			return -1;
		}
		if (leaves[i].bit == SW_PSID_LEN)
			sw->psid_len = u;
		else
			sw->reserved = u;
		return 0;
	}
	return 0;
}

/* A softwire block closed: complete, check and add it. */
static int snabb_softwire(struct lw4o6_table *t, struct softwire *sw,
			  struct load_err *e)
{
	static const struct { unsigned int bit; const char *word; } need[] = {
		{ SW_IPV4, "ipv4" }, { SW_PSID, "psid" }, { SW_B4, "b4-ipv6" },
	};
	size_t i;

	if (sw->seen & SW_BAD)
		return 0;
	e->line = sw->line;
	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		if (!(sw->seen & need[i].bit)) {
			snprintf(e->msg, sizeof(e->msg),
				 "softwire without \"%s\"", need[i].word);
			return -1;
		}
	}
	/* reserved-ports-bit-count is RFC 7597's offset a, psid-length its k. */
	if (bind_check_shape(sw->reserved, sw->psid_len, e->msg, sizeof(e->msg)))
		return -1;
	if (sw->psid >= (1U << sw->psid_len)) {
		e->line = sw->psid_line;
		snprintf(e->msg, sizeof(e->msg),
			 "psid %u does not fit in psid-length %u (0..%u)",
			 sw->psid, sw->psid_len, (1U << sw->psid_len) - 1);
		return -1;
	}
	sw->b.psid = (uint16_t)sw->psid;
	sw->b.psid_len = (uint8_t)sw->psid_len;
	sw->b.offset = (uint8_t)sw->reserved;
	sw->b.line = sw->line;
	/* the addresses a line file's words are checked for (bindparse.c) */
	if (bind_check(&sw->b, e->msg, sizeof(e->msg)))
		return -1;
	return table_add(t, &sw->b, e->msg, sizeof(e->msg));
}

#define MAX_DEPTH 64

int table_parse_snabb(struct lw4o6_table *t, const char *buf, size_t len,
		      struct load_err *e)
{
	struct lex l = { .p = buf, .end = buf + len, .line = 1 };
	enum ctx stack[MAX_DEPTH];
	unsigned int open_line[MAX_DEPTH];
	struct softwire sw;
	int depth = 0;

	memset(&sw, 0, sizeof(sw));
	e->msg[0] = '\0';
	for (;;) {
		enum ctx cur = depth ? stack[depth - 1] : C_OTHER;
		const char *kw, *val = NULL;
		size_t kwlen, vlen = 0;
		unsigned int kwline;
		int nargs = 0;
		enum tok k = next_tok(&l, e);

		switch (k) {
		case T_ERR:
			return -1;
		case T_EOF:
			if (!depth)
				return e->count ? -1 : 0;
			e->line = open_line[depth - 1];
			snprintf(e->msg, sizeof(e->msg),
				 "block opened here is never closed");
			return -1;
		case T_SEMI:
			continue;
		case T_RBRACE:
			if (!depth) {
				e->line = l.tline;
				snprintf(e->msg, sizeof(e->msg), "unbalanced '}'");
				return -1;
			}
			depth--;
			if (cur == C_SOFTWIRE && snabb_softwire(t, &sw, e) &&
			    !bad_one(e))
				return -1;
			continue;
		case T_LBRACE:
		case T_STRING:
			e->line = l.tline;
			snprintf(e->msg, sizeof(e->msg),
				 "expected a keyword, found '%.*s'",
				 (int)(l.n > 32 ? 32 : l.n), l.s);
			return -1;
		case T_WORD:
			break;
		}

		kw = l.s;
		kwlen = l.n;
		kwline = l.tline;
		for (;;) {
			k = next_tok(&l, e);
			if (k == T_WORD || k == T_STRING) {
				if (!nargs++) {
					val = l.s;
					vlen = l.n;
				}
				continue;
			}
			break;
		}
		if (k == T_ERR)
			return -1;
		if (k == T_SEMI) {
			if (cur == C_OTHER)
				continue;
			if (snabb_leaf(&sw, cur, kw, kwlen, val, vlen, nargs, e)) {
				e->line = kwline;
				if (!bad_one(e))
					return -1;
				/* one error a softwire: its block is not added */
				sw.seen |= SW_BAD;
			}
			if (tok_is(kw, kwlen, "psid") && cur == C_SOFTWIRE)
				sw.psid_line = kwline;
			continue;
		}
		if (k != T_LBRACE) {
			e->line = kwline;
			snprintf(e->msg, sizeof(e->msg),
				 "expected ';' or '{' after \"%.*s\"",
				 (int)(kwlen > 32 ? 32 : kwlen), kw);
			return -1;
		}
		if (depth == MAX_DEPTH) {
			e->line = kwline;
			snprintf(e->msg, sizeof(e->msg), "blocks nested too deeply");
			return -1;
		}
		open_line[depth] = kwline;
		if (cur != C_SOFTWIRE && cur != C_PORTSET &&
		    tok_is(kw, kwlen, "softwire")) {
			memset(&sw, 0, sizeof(sw));
			sw.line = kwline;
			stack[depth++] = C_SOFTWIRE;
		} else if (cur == C_SOFTWIRE && tok_is(kw, kwlen, "port-set")) {
			if (sw.seen & SW_PORTSET) {
				e->line = kwline;
				snprintf(e->msg, sizeof(e->msg),
					 "\"port-set\" given twice in one softwire");
				return -1;
			}
			sw.seen |= SW_PORTSET;
			stack[depth++] = C_PORTSET;
		} else {
			stack[depth++] = C_OTHER;
		}
	}
}

/*
 * Lines start with "ipv4"; a Snabb file starts with "WORD {".  Only the first
 * statement is looked at, so a broken line file still gets line-format errors.
 */
enum table_format table_detect(const char *buf, size_t len)
{
	struct lex l = { .p = buf, .end = buf + len, .line = 1 };
	struct load_err e;
	enum tok k = next_tok(&l, &e);

	if (k != T_WORD)
		return TABLE_FMT_LINES;
	return next_tok(&l, &e) == T_LBRACE ? TABLE_FMT_SNABB : TABLE_FMT_LINES;
}

/* Newlines bound the number of bindings in a line file from above. */
static size_t count_lines(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	size_t n = 1;

	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		n++;
		p++;
	}
	return n;
}

int table_parse(struct lw4o6_table *t, const char *buf, size_t len,
		struct load_err *e)
{
	return table_parse_all(t, buf, len, e, NULL, NULL);
}

int table_parse_all(struct lw4o6_table *t, const char *buf, size_t len,
		    struct load_err *e, table_err_fn fn, void *arg)
{
	bool snabb = table_detect(buf, len) == TABLE_FMT_SNABB;

	e->line = 0;
	e->msg[0] = '\0';
	e->report = fn;
	e->arg = arg;
	e->count = 0;
	/* A Snabb softwire takes about 150 bytes; a bad guess only costs a
	 * rehash, so failing to reserve is not an error either. */
	table_reserve(t, snabb ? len / 128 : count_lines(buf, len));
	if (snabb)
		return table_parse_snabb(t, buf, len, e);
	return table_parse_lines(t, buf, len, e);
}
