// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * lw4o6d.conf reader.  It never stops at the first mistake: an operator
 * running --check-config should see every problem of a file in one go, in
 * line order, so errors are collected and handed to the callback sorted.
 * Whole-file rules (required statements, keywords of the other role) are
 * checked after the last line.  docs/lw4o6d.conf.5 is the grammar.  This
 * file reads lines and the statements of both roles; config_aftr.c and
 * config_b4.c hold each role's own.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "strconv.h"
#include "config_int.h"

#define MAX_WORDS	32
#define MAX_KEYWORDS	48

void report(struct parser *p, unsigned int line, const char *fmt, ...)
{
	char reason[REASON_LEN];
	struct error *e;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	p->n_err++;
	if (p->n_errs == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 16;

		e = realloc(p->errs, cap * sizeof(*e));
		if (!e) {
			/* Out of order beats lost. */
			p->err_fn(p->file, line, reason, p->arg);
			return;
		}
		p->errs = e;
		p->cap = cap;
	}
	e = &p->errs[p->n_errs++];
	e->line = line;
	memcpy(e->reason, reason, sizeof(reason));
}

/*
 * Stable by line; whole-file errors (line 0) last, after the lines that
 * may explain them.
 */
static void flush_errors(struct parser *p)
{
	size_t i, j;

	for (i = 1; i < p->n_errs; i++) {
		struct error tmp = p->errs[i];
		unsigned int k = tmp.line ? tmp.line : ~0U;

		for (j = i; j > 0; j--) {
			unsigned int l = p->errs[j - 1].line;

			if ((l ? l : ~0U) <= k)
				break;
			p->errs[j] = p->errs[j - 1];
		}
		p->errs[j] = tmp;
	}
	for (i = 0; i < p->n_errs; i++)
		p->err_fn(p->file, p->errs[i].line, p->errs[i].reason, p->arg);
	free(p->errs);
}

static char printable_char(char c)
{
	unsigned char ch = (unsigned char)c;

	return ch >= 0x20 && ch < 0x7f ? c : '?';
}

const char *printable(char *s)
{
	char *c;

	for (c = s; *c; c++)
		*c = printable_char(*c);
	return s;
}

const char *tok(char *buf, const char *s)
{
	size_t i;

	for (i = 0; s[i] && i < TOK_LEN - 4; i++)
		buf[i] = printable_char(s[i]);
	if (s[i]) {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

bool get_num(struct parser *p, const char *what, const char *s, uint32_t min,
	     uint32_t max, uint32_t *out)
{
	char t[TOK_LEN];
	uint32_t v;

	if (parse_u32(s, max, &v) || v < min) {
		lerr(p, "%s: expected a number %u..%u, got '%s'", what, min, max,
		    tok(t, s));
		return false;
	}
	*out = v;
	return true;
}

bool nargs(struct parser *p, const char *kw, int argc, int n, char **argv)
{
	char t[TOK_LEN];

	if (argc < n) {
		lerr(p, "%s: missing value", kw);
		return false;
	}
	if (argc > n) {
		lerr(p, "%s: unexpected '%s' after the value", kw,
		    tok(t, argv[n]));
		return false;
	}
	return true;
}

static void kw_role(struct parser *p, int argc, char **argv)
{
	char t[TOK_LEN];

	if (!nargs(p, "role", argc, 1, argv))
		return;
	if (p->first_line != p->line)
		lerr(p, "'role' must be the first statement (line %u comes before it)",
		    p->first_line);
	if (!strcmp(argv[0], "aftr"))
		p->c->role = ROLE_AFTR;
	else if (!strcmp(argv[0], "b4"))
		p->c->role = ROLE_B4;
	else if (!strcmp(argv[0], "server"))
		p->c->role = ROLE_SERVER;
	else
		lerr(p, "role: expected aftr, b4 or server, got '%s'", tok(t, argv[0]));
}

static void kw_log_level(struct parser *p, int argc, char **argv)
{
	static const struct { const char *name; int level; } levels[] = {
		{ "err", LOG_ERR }, { "warning", LOG_WARNING },
		{ "notice", LOG_NOTICE }, { "info", LOG_INFO },
		{ "debug", LOG_DEBUG },
	};
	char t[TOK_LEN];
	size_t i;

	if (!nargs(p, "log-level", argc, 1, argv))
		return;
	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		if (!strcmp(argv[0], levels[i].name)) {
			p->c->log_level = levels[i].level;
			return;
		}
	}
	lerr(p, "log-level: expected err, warning, notice, info or debug, got '%s'",
	    tok(t, argv[0]));
}

static void kw_device(struct parser *p, int argc, char **argv)
{
	char msg[128], t[TOK_LEN];

	if (!nargs(p, "device", argc, 1, argv))
		return;
	if (check_ifname(argv[0], msg, sizeof(msg))) {
		lerr(p, "device: %s", msg);
		return;
	}
	/* What the kernel's dev_valid_name() refuses; whitespace cannot occur. */
	if (strchr(argv[0], '/') || strchr(argv[0], ':') ||
	    !strcmp(argv[0], ".") || !strcmp(argv[0], "..")) {
		lerr(p, "device: '%s' is not a valid interface name", tok(t, argv[0]));
		return;
	}
	strcpy(p->c->device, argv[0]);
}

bool get_ipv6(struct parser *p, const char *kw, const char *s,
	      struct in6_addr *a)
{
	char t[TOK_LEN];

	if (parse_ipv6(s, a)) {
		lerr(p, "%s: '%s' is not an IPv6 address", kw, tok(t, s));
		return false;
	}
	if (!ipv6_is_unicast(a)) {
		lerr(p, "%s: %s is not a unicast address", kw, tok(t, s));
		return false;
	}
	return true;
}

/*
 * One keyword, two forms: the AFTR's bounds and the B4's request.  The form
 * is told by its words, so a file without a (first) role still gets its
 * lifetime checked; which form the role wants is checked at the end.
 */
static void kw_lifetime(struct parser *p, int argc, char **argv)
{
	struct lw4o6d_config *c = p->c;
	char what[32], t[TOK_LEN];
	int i;

	if (argc == 1 && strcmp(argv[0], "min") && strcmp(argv[0], "max") &&
	    strcmp(argv[0], "default")) {
		p->lt_form = LT_B4;
		get_num(p, "lifetime", argv[0], 1, U32_MAX, &c->lifetime);
		return;
	}
	if (!argc) {
		lerr(p, "lifetime: missing value");
		return;
	}
	if (argv[0][0] >= '0' && argv[0][0] <= '9') {
		p->lt_form = LT_B4;
		lerr(p, "lifetime: unexpected '%s' after the value", tok(t, argv[1]));
		return;
	}
	p->lt_form = LT_AFTR;
	for (i = 0; i < argc; i += 2) {
		uint32_t *v;
		bool *given;

		if (!strcmp(argv[i], "min")) {
			v = &c->lifetime_min;
			given = &p->lt_min;
		} else if (!strcmp(argv[i], "max")) {
			v = &c->lifetime_max;
			given = &p->lt_max;
		} else if (!strcmp(argv[i], "default")) {
			v = &c->lifetime_default;
			given = &p->lt_def;
		} else {
			lerr(p, "lifetime: unknown word '%s' (expected min, max or default)",
			    tok(t, argv[i]));
			return;
		}
		if (*given) {
			lerr(p, "lifetime: '%s' given twice", argv[i]);
			return;
		}
		if (i + 1 >= argc) {
			lerr(p, "lifetime: '%s' needs a value", argv[i]);
			return;
		}
		snprintf(what, sizeof(what), "lifetime %s", argv[i]);
		if (!get_num(p, what, argv[i + 1], 1, U32_MAX, v))
			return;
		*given = true;
	}
}

bool get_bool(struct parser *p, const char *kw, const char *yes,
	      const char *no, int argc, char **argv, bool *out)
{
	char t[TOK_LEN];

	if (!nargs(p, kw, argc, 1, argv))
		return false;
	if (!strcmp(argv[0], yes)) {
		*out = true;
	} else if (!strcmp(argv[0], no)) {
		*out = false;
	} else {
		lerr(p, "%s: expected %s or %s, got '%s'", kw, yes, no,
		    tok(t, argv[0]));
		return false;
	}
	return true;
}

/* bfd on|off: liveness inside the softwire (b4: the AFTR's; aftr: answer B4s) */
static void kw_bfd(struct parser *p, int argc, char **argv)
{
	get_bool(p, "bfd", "on", "off", argc, argv, &p->c->bfd);
}

/*
 * bfd-interval MS: Desired Min TX and Required Min RX alike.  10 ms and up
 * (a VM's test); softwires want 10 s or 30 s, which is the point of
 * running BFD for millions of them.  At most an hour: RFC 5880's fields
 * hold 71 minutes of microseconds.
 */
static void kw_bfd_interval(struct parser *p, int argc, char **argv)
{
	if (nargs(p, "bfd-interval", argc, 1, argv))
		get_num(p, "bfd-interval", argv[0], 10, 3600000,
			&p->c->bfd_interval);
}

static void kw_bfd_multiplier(struct parser *p, int argc, char **argv)
{
	uint32_t v;

	if (nargs(p, "bfd-multiplier", argc, 1, argv) &&
	    get_num(p, "bfd-multiplier", argv[0], 1, 255, &v))
		p->c->bfd_mult = (uint8_t)v;
}

static const struct keyword common_keywords[] = {
	{ "role",		KW_ANY,  false, kw_role },
	{ "log-level",		KW_ANY,  false, kw_log_level },
	{ "device",		KW_ANY,  false, kw_device },
	{ "lifetime",		KW_ANY,  false, kw_lifetime },
	{ "bfd",		KW_ANY,  false, kw_bfd },
	{ "bfd-interval",	KW_ANY,  false, kw_bfd_interval },
	{ "bfd-multiplier",	KW_ANY,  false, kw_bfd_multiplier },
	{ NULL, KW_ANY, false, NULL },
};

static const struct keyword *const tables[] = {
	common_keywords, config_aftr_keywords, config_b4_keywords,
	config_dhcp_keywords,
};

/* Keyword i of all tables in turn; NULL after the last. */
static const struct keyword *kw_at(size_t i)
{
	size_t t, j;

	for (t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
		for (j = 0; tables[t][j].name; j++)
			if (!i--)
				return &tables[t][j];
	}
	return NULL;
}

static int kw_index(const char *name)
{
	const struct keyword *k;
	size_t i;

	for (i = 0; (k = kw_at(i)) && i < MAX_KEYWORDS; i++)
		if (!strcmp(k->name, name))
			return (int)i;
	return -1;
}

unsigned int seen_line(const struct parser *p, const char *keyword)
{
	int k = kw_index(keyword);

	return k < 0 ? 0 : p->seen[k];
}

/*
 * Splits a line into words, in place.  A word is a run of non-blank
 * characters, or a double-quoted string that may hold blanks and '#' (a
 * PostgreSQL connection string: "host=db1 dbname=lw4o6"); there are no
 * escapes, since nothing the daemon reads needs a double quote.  A '#'
 * opens a comment only at the start of a word outside quotes: paths may
 * hold one.  -1 after reporting what is wrong.
 */
static int split_words(struct parser *p, char *s, char **argv, int *argcp)
{
	static const char blanks[] = " \t\r\n\v\f";
	char *r = s, *w;
	int argc = 0;

	for (;;) {
		while (*r && strchr(blanks, *r))
			r++;
		if (!*r || *r == '#')
			break;
		if (argc == MAX_WORDS + 1) {
			lerr(p, "more than %d words on one line", MAX_WORDS);
			return -1;
		}
		if (*r == '"') {
			w = ++r;
			r = strchr(r, '"');
			if (!r) {
				lerr(p, "unterminated quote: a '\"' at column %u has no closing '\"'",
				     (unsigned int)(w - s));
				return -1;
			}
			*r++ = '\0';
			if (*r && !strchr(blanks, *r)) {
				lerr(p, "a closing quote must end its word (column %u)",
				     (unsigned int)(r - s + 1));
				return -1;
			}
		} else {
			w = r;
			while (*r && !strchr(blanks, *r)) {
				if (*r == '"') {
					lerr(p, "a quote inside a word (column %u): quote the whole word",
					     (unsigned int)(r - s + 1));
					return -1;
				}
				r++;
			}
			if (*r)
				*r++ = '\0';
		}
		argv[argc++] = w;
	}
	*argcp = argc;
	return 0;
}

static void parse_line(struct parser *p, char *s)
{
	char *argv[MAX_WORDS + 1], t[TOK_LEN];
	int argc = 0, k;

	if (split_words(p, s, argv, &argc))
		return;
	if (!argc)
		return;
	if (!p->first_line)
		p->first_line = p->line;
	k = kw_index(argv[0]);
	if (k < 0) {
		lerr(p, "unknown keyword '%s'", tok(t, argv[0]));
		return;
	}
	if (p->seen[k] && !kw_at(k)->repeat) {
		lerr(p, "'%s' given twice (first on line %u)", kw_at(k)->name,
		    p->seen[k]);
		return;
	}
	if (!p->seen[k])
		p->seen[k] = p->line;
	kw_at(k)->parse(p, argc - 1, argv + 1);
}

static const char *role_kw(enum kw_role r)
{
	return r == KW_AFTR ? "an aftr" : "a b4";
}

static void check_lifetime_bounds(struct parser *p, unsigned int line)
{
	const struct lw4o6d_config *c = p->c;
	const char *dmin = p->lt_min ? "" : " (the default)";
	const char *dmax = p->lt_max ? "" : " (the default)";

	if (c->lifetime_min > c->lifetime_max)
		report(p, line, "lifetime: min %u%s is above max %u%s",
		       c->lifetime_min, dmin, c->lifetime_max, dmax);
	else if (c->lifetime_default < c->lifetime_min)
		report(p, line, "lifetime: default %u%s is below min %u%s",
		       c->lifetime_default, p->lt_def ? "" : " (the default)",
		       c->lifetime_min, dmin);
	else if (c->lifetime_default > c->lifetime_max)
		report(p, line, "lifetime: default %u%s is above max %u%s",
		       c->lifetime_default, p->lt_def ? "" : " (the default)",
		       c->lifetime_max, dmax);
}

static void check_file(struct parser *p)
{
	struct lw4o6d_config *c = p->c;
	const struct keyword *k;
	size_t i;

	if (p->lt_form == LT_AFTR)
		check_lifetime_bounds(p, seen_line(p, "lifetime"));
	if (!c->device[0] && !seen_line(p, "device") && c->role != ROLE_SERVER)
		report(p, 0, "no 'device' statement");
	if (c->role == ROLE_NONE) {
		if (!seen_line(p, "role"))
			report(p, 0, "no 'role' statement: the file must start with 'role aftr', 'role b4' or 'role server'");
		return;
	}
	/* role server takes the aftr's statements (config_dhcp_check() says which not) */
	for (i = 0; (k = kw_at(i)); i++) {
		if (!p->seen[i] || k->role == KW_ANY ||
		    (k->role == KW_AFTR) == (c->role != ROLE_B4))
			continue;
		report(p, p->seen[i], "'%s' is %s keyword; this is %s file",
		       k->name, role_kw(k->role),
		       c->role == ROLE_SERVER ? "a server" :
		       role_kw(c->role == ROLE_AFTR ? KW_AFTR : KW_B4));
	}
	if (c->role == ROLE_B4)
		config_b4_check(p);
	else
		config_aftr_check(p);
	config_dhcp_check(p);
}

static void defaults(struct lw4o6d_config *c)
{
	memset(c, 0, sizeof(*c));
	c->log_level = LOG_INFO;
	c->lifetime_min = 120;
	c->lifetime_max = 86400;
	c->lifetime_default = 7200;
	c->quota = 1;
	c->rate = 10;
	c->burst = 20;
	c->subscriber_plen = 56;
	c->max_mappings = 1048576;
	c->max_subscribers = 1048576;
	c->audit_retention = 400;
	c->announce = true;
	c->announce_rate = 10000;
	c->hold_down = 5;
	strcpy(c->drain_file, "/run/lw4o6d/drain");
	c->port_set_size = 65535;
	c->lifetime = 7200;
	c->proxy_lifetime_max = 7200;
	c->proxy_rate = 10;		/* PCP_PROXY_RATE, PCP_PROXY_BURST */
	c->proxy_burst = 20;
	c->forward_guard = true;
	c->bfd = true;
	c->bfd_interval = 10000;
	c->bfd_mult = 3;
	c->bfd_max_sessions = 1048576;
	c->decline_hold = 600;
	c->redundancy = REDUNDANCY_HOT;
	c->miss_queue = 256;
	c->miss_rate = 10;
	c->miss_global_rate = 1000;
	c->miss_plen = 56;
	c->miss_negative_ttl = 10;
	c->provision = PROVISION_PCP;
}

int config_load(const char *path, struct lw4o6d_config *c, config_err_fn err,
		void *arg)
{
	unsigned int seen[MAX_KEYWORDS] = { 0 };
	struct parser p = {
		.file = path, .c = c, .err_fn = err, .arg = arg, .seen = seen,
	};
	char *line = NULL, reason[REASON_LEN];
	size_t cap = 0;
	ssize_t n;
	FILE *f;
	int e;

	defaults(c);
	f = fopen(path, "re");
	if (!f) {
		e = errno;
		snprintf(reason, sizeof(reason), "cannot open: %s", strerror(e));
		err(path, 0, reason, arg);
		return -e;
	}
	while ((n = getline(&line, &cap, f)) >= 0) {
		p.line++;
		if (strlen(line) != (size_t)n) {
			report(&p, p.line, "line contains a NUL byte");
			continue;
		}
		parse_line(&p, line);
	}
	e = ferror(f) ? errno : 0;
	free(line);
	fclose(f);
	if (e) {
		/* Whatever was collected may be a misleading half; drop it. */
		free(p.errs);
		snprintf(reason, sizeof(reason), "cannot read: %s", strerror(e));
		err(path, 0, reason, arg);
		return -e;
	}
	check_file(&p);
	flush_errors(&p);
	return p.n_err;
}

const char *config_role_name(enum lw4o6d_role r)
{
	switch (r) {
	case ROLE_AFTR:
		return "aftr";
	case ROLE_B4:
		return "b4";
	case ROLE_SERVER:
		return "server";
	default:
		return "none";
	}
}
