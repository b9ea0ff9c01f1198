// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * lw4o6d.conf reader.  It never stops at the first mistake: an operator
 * running --check-config should see every problem of a file in one go, in
 * line order, so errors are collected and handed to the callback sorted.
 * Whole-file rules (required statements, keywords of the other role) are
 * checked after the last line.  docs/lw4o6d.conf.5 is the grammar.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <arpa/inet.h>

#include <lw4o6/psid.h>

#include "strconv.h"
#include "config.h"

#define MAX_WORDS	32
#define REASON_LEN	256
#define TOK_LEN		48	/* a quoted word in a message, at most */
#define U32_MAX		4294967295U
#define RATE_MAX	1000000U
#define PROXY_MAX	(sizeof(((struct lw4o6d_config *)0)->proxy_addr) / \
			 sizeof(uint32_t))

enum kw_role { KW_ANY, KW_AFTR, KW_B4 };

struct error {
	unsigned int line;
	char reason[REASON_LEN];
};

struct parser;

struct keyword {
	const char *name;
	enum kw_role role;
	bool repeat;
	void (*parse)(struct parser *p, int argc, char **argv);
};

enum lt_form { LT_NONE, LT_AFTR, LT_B4 };

struct parser {
	const char *file;
	struct lw4o6d_config *c;
	config_err_fn err_fn;
	void *arg;
	unsigned int line;
	unsigned int first_line;	/* of the first statement */
	int n_err;
	struct error *errs;
	size_t n_errs, cap;
	unsigned int *seen;		/* per keyword: line of the first use */
	unsigned int pool_line[CONFIG_MAX_POOLS];
	enum lt_form lt_form;
	bool lt_min, lt_max, lt_def;	/* given in "lifetime min/max/default" */
};

static void report(struct parser *p, unsigned int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void report(struct parser *p, unsigned int line, const char *fmt, ...)
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

#define lerr(p, ...) report(p, (p)->line, __VA_ARGS__)

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

/* A word fit for a message: a file may hold anything, a terminal may not. */
static const char *tok(char *buf, const char *s)
{
	size_t i;

	for (i = 0; s[i] && i < TOK_LEN - 4; i++) {
		unsigned char ch = (unsigned char)s[i];

		buf[i] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
	}
	if (s[i]) {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

static bool get_num(struct parser *p, const char *what, const char *s,
		    uint32_t min, uint32_t max, uint32_t *out)
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

/* Statements of a fixed number of words. */
static bool nargs(struct parser *p, const char *kw, int argc, int n,
		  char **argv)
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

static bool ipv4_unicast(uint32_t be)
{
	uint32_t a = ntohl(be);

	/* 0/8 "this network", 224/4 multicast, 240/4 reserved and broadcast */
	return (a >> 24) != 0 && (a >> 28) < 14;
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
	else
		lerr(p, "role: expected aftr or b4, got '%s'", tok(t, argv[0]));
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

static void kw_storage(struct parser *p, int argc, char **argv)
{
	char t[TOK_LEN];

	if (argc < 2) {
		lerr(p, "storage: expected 'storage sqlite PATH'");
		return;
	}
	if (argc > 2) {
		lerr(p, "storage: unexpected '%s' after the path (paths cannot contain spaces)",
		    tok(t, argv[2]));
		return;
	}
	if (strcmp(argv[0], "sqlite")) {
		lerr(p, "storage: unknown kind '%s' (only sqlite is supported)",
		    tok(t, argv[0]));
		return;
	}
	if (argv[1][0] != '/') {
		lerr(p, "storage: path '%s' is not absolute", tok(t, argv[1]));
		return;
	}
	if (strlen(argv[1]) >= CONFIG_MAX_PATH) {
		lerr(p, "storage: path is longer than %d bytes", CONFIG_MAX_PATH - 1);
		return;
	}
	strcpy(p->c->storage_kind, argv[0]);
	strcpy(p->c->storage_path, argv[1]);
}

static bool get_ipv6(struct parser *p, const char *kw, const char *s,
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

static void kw_listen(struct parser *p, int argc, char **argv)
{
	if (nargs(p, "listen", argc, 1, argv) &&
	    get_ipv6(p, "listen", argv[0], &p->c->listen6))
		p->c->has_listen6 = true;
}

static void kw_server(struct parser *p, int argc, char **argv)
{
	if (nargs(p, "server", argc, 1, argv) &&
	    get_ipv6(p, "server", argv[0], &p->c->server))
		p->c->has_server = true;
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

static void kw_quota(struct parser *p, int argc, char **argv)
{
	if (nargs(p, "quota", argc, 1, argv))
		get_num(p, "quota", argv[0], 1, 65535, &p->c->quota);
}

static void kw_rate_limit(struct parser *p, int argc, char **argv)
{
	uint32_t rate, burst;
	char t[TOK_LEN];

	if (!argc) {
		lerr(p, "rate-limit: missing value");
		return;
	}
	if (!get_num(p, "rate-limit", argv[0], 1, RATE_MAX, &rate))
		return;
	if (argc == 1) {
		burst = rate > RATE_MAX / 2 ? RATE_MAX : 2 * rate;
	} else if (strcmp(argv[1], "burst")) {
		lerr(p, "rate-limit: unexpected '%s' (expected burst)", tok(t, argv[1]));
		return;
	} else if (argc == 2) {
		lerr(p, "rate-limit: 'burst' needs a value");
		return;
	} else if (argc > 3) {
		lerr(p, "rate-limit: unexpected '%s' after the burst", tok(t, argv[3]));
		return;
	} else if (!get_num(p, "rate-limit burst", argv[2], 1, RATE_MAX, &burst)) {
		return;
	}
	p->c->rate = rate;
	p->c->burst = burst;
}

static bool get_bool(struct parser *p, const char *kw, const char *yes,
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

static void kw_announce(struct parser *p, int argc, char **argv)
{
	get_bool(p, "announce", "yes", "no", argc, argv, &p->c->announce);
}

static void kw_transport(struct parser *p, int argc, char **argv)
{
	get_bool(p, "transport", "ipv6", "softwire", argc, argv,
		 &p->c->transport_ipv6);
}

static void kw_port_set_size(struct parser *p, int argc, char **argv)
{
	uint32_t v;

	if (nargs(p, "port-set-size", argc, 1, argv) &&
	    get_num(p, "port-set-size", argv[0], 1, 65535, &v))
		p->c->port_set_size = (uint16_t)v;
}

static void kw_proxy_lifetime_max(struct parser *p, int argc, char **argv)
{
	if (nargs(p, "proxy-lifetime-max", argc, 1, argv))
		get_num(p, "proxy-lifetime-max", argv[0], 1, U32_MAX,
			&p->c->proxy_lifetime_max);
}

static void kw_proxy(struct parser *p, int argc, char **argv)
{
	struct lw4o6d_config *c = p->c;
	uint32_t a[PROXY_MAX];
	char t[TOK_LEN];
	int i, j;

	if (!argc) {
		lerr(p, "proxy: missing address");
		return;
	}
	if ((size_t)argc > PROXY_MAX) {
		lerr(p, "proxy: at most %zu addresses, got %d", PROXY_MAX, argc);
		return;
	}
	for (i = 0; i < argc; i++) {
		if (parse_ipv4(argv[i], &a[i])) {
			lerr(p, "proxy: '%s' is not an IPv4 address", tok(t, argv[i]));
			return;
		}
		if (!ipv4_unicast(a[i])) {
			lerr(p, "proxy: %s is not a unicast address", argv[i]);
			return;
		}
		for (j = 0; j < i; j++) {
			if (a[j] == a[i]) {
				lerr(p, "proxy: %s given twice", argv[i]);
				return;
			}
		}
	}
	memcpy(c->proxy_addr, a, (size_t)argc * sizeof(a[0]));
	c->n_proxy = (size_t)argc;
	c->proxy = true;
}

static uint32_t prefix_mask(unsigned int plen)
{
	return plen ? htonl(~0U << (32 - plen)) : 0;
}

/* Up to 64 addresses, comma-separated, each inside the pool, none twice. */
static bool pool_exclude(struct parser *p, const char *name,
			 struct pool_cfg *pc, char *list)
{
	uint32_t mask = prefix_mask(pc->plen);
	char *s, *save = NULL, t[TOK_LEN], a4[FMT_IPV4_LEN];
	size_t i;

	if (!*list || *list == ',' || list[strlen(list) - 1] == ',' ||
	    strstr(list, ",,")) {
		lerr(p, "pool %s: empty address in the exclude list", name);
		return false;
	}
	for (s = strtok_r(list, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
		uint32_t v;

		if (parse_ipv4(s, &v)) {
			lerr(p, "pool %s: exclude '%s' is not an IPv4 address",
			    name, tok(t, s));
			return false;
		}
		if ((v & mask) != pc->prefix) {
			lerr(p, "pool %s: exclude %s is outside the pool", name,
			    fmt_ipv4(v, a4));
			return false;
		}
		for (i = 0; i < pc->n_exclude; i++) {
			if (pc->exclude[i] == v) {
				lerr(p, "pool %s: exclude %s given twice", name,
				    fmt_ipv4(v, a4));
				return false;
			}
		}
		if (pc->n_exclude == POOL_MAX_EXCLUDE) {
			lerr(p, "pool %s: more than %d excluded addresses", name,
			    POOL_MAX_EXCLUDE);
			return false;
		}
		pc->exclude[pc->n_exclude++] = v;
	}
	return true;
}

static bool overlap(const struct pool_cfg *a, const struct pool_cfg *b)
{
	uint32_t m = prefix_mask(a->plen < b->plen ? a->plen : b->plen);

	return (a->prefix & m) == (b->prefix & m);
}

static void kw_pool(struct parser *p, int argc, char **argv)
{
	struct lw4o6d_config *c = p->c;
	char name[TOK_LEN], t[TOK_LEN], a4[FMT_IPV4_LEN], *slash;
	bool has_k = false, has_a = false, has_x = false;
	struct pool_cfg pc;
	uint32_t v, plen;
	size_t n;
	int i;

	memset(&pc, 0, sizeof(pc));
	if (!argc) {
		lerr(p, "pool: expected 'pool PREFIX/LEN psid-len K [offset A] [exclude ADDR,...]'");
		return;
	}
	tok(name, argv[0]);
	slash = strchr(argv[0], '/');
	if (!slash) {
		lerr(p, "pool %s: expected PREFIX/LEN", name);
		return;
	}
	*slash = '\0';
	if (parse_ipv4(argv[0], &pc.prefix)) {
		lerr(p, "pool %s: '%s' is not an IPv4 address", name, tok(t, argv[0]));
		return;
	}
	if (parse_u32(slash + 1, 32, &plen) || plen < 16) {
		lerr(p, "pool %s: prefix length must be 16..32", name);
		return;
	}
	pc.plen = (uint8_t)plen;
	if (pc.prefix & ~prefix_mask(plen)) {
		lerr(p, "pool %s: host bits are set (the prefix is %s/%u)", name,
		    fmt_ipv4(pc.prefix & prefix_mask(plen), a4), plen);
		return;
	}

	for (i = 1; i < argc; i += 2) {
		const char *w = argv[i];
		bool *given;

		if (!strcmp(w, "psid-len")) {
			given = &has_k;
		} else if (!strcmp(w, "offset")) {
			given = &has_a;
		} else if (!strcmp(w, "exclude")) {
			given = &has_x;
		} else {
			lerr(p, "pool %s: unknown word '%s' (expected psid-len, offset or exclude)",
			    name, tok(t, w));
			return;
		}
		if (*given) {
			lerr(p, "pool %s: '%s' given twice", name, w);
			return;
		}
		*given = true;
		if (i + 1 >= argc) {
			lerr(p, "pool %s: '%s' needs a value", name, w);
			return;
		}
		if (given == &has_x) {
			if (!pool_exclude(p, name, &pc, argv[i + 1]))
				return;
			continue;
		}
		if (parse_u32(argv[i + 1], given == &has_k ? 16 : 15, &v)) {
			lerr(p, "pool %s: %s: expected a number 0..%d, got '%s'",
			    name, w, given == &has_k ? 16 : 15,
			    tok(t, argv[i + 1]));
			return;
		}
		if (given == &has_k)
			pc.psid_len = (uint8_t)v;
		else
			pc.offset = (uint8_t)v;
	}
	if (!has_k) {
		lerr(p, "pool %s: psid-len is required", name);
		return;
	}
	if (!lw4o6_psid_shape_valid(pc.offset, pc.psid_len)) {
		lerr(p, "pool %s: offset %u + psid-len %u is above 16", name,
		    pc.offset, pc.psid_len);
		return;
	}
	/* pool.c never grants PSID 0 of offset 0: it holds ports 0-1023. */
	if (!pc.offset && !pc.psid_len) {
		lerr(p, "pool %s: psid-len 0 with offset 0 leaves no port set to hand out (PSID 0 holds ports 0-1023)",
		    name);
		return;
	}
	/* pool.c's bitmap: at most 2^28 sets (32 MiB) per pool */
	if ((32 - plen) + pc.psid_len > 28) {
		lerr(p, "pool %s: %u addresses x 2^%u sets is above 2^28 sets; split it or use a shorter psid-len",
		    name, 1U << (32 - plen), pc.psid_len);
		return;
	}
	if (pc.n_exclude == (size_t)1 << (32 - plen)) {
		lerr(p, "pool %s: every address is excluded", name);
		return;
	}
	for (n = 0; n < c->n_pools; n++) {
		if (overlap(&c->pools[n], &pc)) {
			lerr(p, "pool %s overlaps pool %s/%u (line %u)", name,
			    fmt_ipv4(c->pools[n].prefix, a4), c->pools[n].plen,
			    p->pool_line[n]);
			return;
		}
	}
	if (c->n_pools == CONFIG_MAX_POOLS) {
		lerr(p, "pool %s: more than %d pools", name, CONFIG_MAX_POOLS);
		return;
	}
	p->pool_line[c->n_pools] = p->line;
	c->pools[c->n_pools++] = pc;
}

static const struct keyword keywords[] = {
	{ "role",		KW_ANY,  false, kw_role },
	{ "log-level",		KW_ANY,  false, kw_log_level },
	{ "device",		KW_ANY,  false, kw_device },
	{ "lifetime",		KW_ANY,  false, kw_lifetime },
	{ "storage",		KW_AFTR, false, kw_storage },
	{ "listen",		KW_AFTR, false, kw_listen },
	{ "quota",		KW_AFTR, false, kw_quota },
	{ "rate-limit",		KW_AFTR, false, kw_rate_limit },
	{ "announce",		KW_AFTR, false, kw_announce },
	{ "pool",		KW_AFTR, true,  kw_pool },
	{ "server",		KW_B4,   false, kw_server },
	{ "transport",		KW_B4,   false, kw_transport },
	{ "port-set-size",	KW_B4,   false, kw_port_set_size },
	{ "proxy",		KW_B4,   false, kw_proxy },
	{ "proxy-lifetime-max",	KW_B4,   false, kw_proxy_lifetime_max },
};

#define N_KEYWORDS (sizeof(keywords) / sizeof(keywords[0]))

static int kw_index(const char *name)
{
	size_t i;

	for (i = 0; i < N_KEYWORDS; i++)
		if (!strcmp(keywords[i].name, name))
			return (int)i;
	return -1;
}

static void parse_line(struct parser *p, char *s)
{
	char *argv[MAX_WORDS + 1], *save = NULL, *w, t[TOK_LEN];
	int argc = 0, k;

	/* '#' opens a comment only at the start of a word: paths may hold one. */
	for (w = s; *w; w++) {
		if (*w == '#' && (w == s || strchr(" \t\r\v\f", w[-1]))) {
			*w = '\0';
			break;
		}
	}
	for (w = strtok_r(s, " \t\r\n\v\f", &save); w;
	     w = strtok_r(NULL, " \t\r\n\v\f", &save)) {
		if (argc == MAX_WORDS + 1) {
			lerr(p, "more than %d words on one line", MAX_WORDS);
			return;
		}
		argv[argc++] = w;
	}
	if (!argc)
		return;
	if (!p->first_line)
		p->first_line = p->line;
	k = kw_index(argv[0]);
	if (k < 0) {
		lerr(p, "unknown keyword '%s'", tok(t, argv[0]));
		return;
	}
	if (p->seen[k] && !keywords[k].repeat) {
		lerr(p, "'%s' given twice (first on line %u)", keywords[k].name,
		    p->seen[k]);
		return;
	}
	if (!p->seen[k])
		p->seen[k] = p->line;
	keywords[k].parse(p, argc - 1, argv + 1);
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
	unsigned int lt_line = p->seen[kw_index("lifetime")];
	size_t i;

	if (p->lt_form == LT_AFTR)
		check_lifetime_bounds(p, lt_line);
	if (!c->device[0] && !p->seen[kw_index("device")])
		report(p, 0, "no 'device' statement");
	if (c->role == ROLE_NONE) {
		if (!p->seen[kw_index("role")])
			report(p, 0, "no 'role' statement: the file must start with 'role aftr' or 'role b4'");
		return;
	}
	for (i = 0; i < N_KEYWORDS; i++) {
		enum kw_role r = keywords[i].role;

		if (!p->seen[i] || r == KW_ANY ||
		    (r == KW_AFTR) == (c->role == ROLE_AFTR))
			continue;
		report(p, p->seen[i], "'%s' is %s keyword; this is %s file",
		       keywords[i].name, role_kw(r),
		       role_kw(c->role == ROLE_AFTR ? KW_AFTR : KW_B4));
	}
	if (c->role == ROLE_AFTR) {
		if (p->lt_form == LT_B4)
			report(p, lt_line, "lifetime: an aftr file takes 'lifetime [min N] [max N] [default N]'");
		if (!c->storage_kind[0] && !p->seen[kw_index("storage")])
			report(p, 0, "role aftr needs 'storage sqlite PATH'");
		if (!c->n_pools && !p->seen[kw_index("pool")])
			report(p, 0, "role aftr needs at least one 'pool'");
	} else {
		if (p->lt_form == LT_AFTR)
			report(p, lt_line, "lifetime: a b4 file takes 'lifetime N' (the lifetime it asks for)");
		if (c->has_server && !c->transport_ipv6)
			report(p, p->seen[kw_index("server")],
			       "server: only used with 'transport ipv6' (over the softwire, requests go to the device's remote)");
	}
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
	c->announce = true;
	c->port_set_size = 65535;
	c->lifetime = 7200;
	c->proxy_lifetime_max = 7200;
}

int config_load(const char *path, struct lw4o6d_config *c, config_err_fn err,
		void *arg)
{
	unsigned int seen[N_KEYWORDS] = { 0 };
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
	default:
		return "none";
	}
}
