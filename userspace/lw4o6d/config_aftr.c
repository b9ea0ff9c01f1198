// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * lw4o6d.conf, the AFTR's statements: storage, listen, quota, rate-limit,
 * subscriber-prefix-len, max-mappings, max-subscribers, audit-retention, b4-prefix,
 * announce and pool, failover on a shared store (node, redundancy, the
 * miss-* words), and the AFTR's whole-file rules.  What a pool or a
 * store may be is decided by pool.c and the store back end; this file
 * reads the words and reports their verdict.
 */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "config_int.h"
#include "pool.h"
#include "store.h"
#include "strconv.h"

#define RATE_MAX	1000000U

static void kw_storage(struct parser *p, int argc, char **argv)
{
	const struct store_ops *ops;
	char t[TOK_LEN], why[REASON_LEN];

	if (argc < 2) {
		lerr(p, "storage: expected 'storage sqlite PATH' or 'storage postgresql \"CONNINFO\"'");
		return;
	}
	if (argc > 2) {
		lerr(p, "storage: unexpected '%s' after the target (quote a target that holds spaces)",
		    tok(t, argv[2]));
		return;
	}
	ops = store_find(argv[0]);
	if (!ops) {
		lerr(p, "storage: unknown kind '%s' (%s)", tok(t, argv[0]),
		    store_kinds(why, sizeof(why)));
		return;
	}
	if (ops->check && ops->check(argv[1], why, sizeof(why))) {
		lerr(p, "storage: %s", printable(why));
		return;
	}
	if (strlen(argv[1]) >= CONFIG_MAX_PATH) {
		lerr(p, "storage: the target is longer than %d bytes", CONFIG_MAX_PATH - 1);
		return;
	}
	strcpy(p->c->storage_kind, argv[0]);
	strcpy(p->c->storage_path, argv[1]);
}

static void kw_listen(struct parser *p, int argc, char **argv)
{
	if (nargs(p, "listen", argc, 1, argv) &&
	    get_ipv6(p, "listen", argv[0], &p->c->listen6))
		p->c->has_listen6 = true;
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

static void kw_subscriber_plen(struct parser *p, int argc, char **argv)
{
	if (nargs(p, "subscriber-prefix-len", argc, 1, argv))
		get_num(p, "subscriber-prefix-len", argv[0], 32, 128,
			&p->c->subscriber_plen);
}

static void kw_max_mappings(struct parser *p, int argc, char **argv)
{
	if (nargs(p, "max-mappings", argc, 1, argv))
		get_num(p, "max-mappings", argv[0], 1, U32_MAX,
			&p->c->max_mappings);
}

/*
 * audit-retention DAYS: how long the audit trail keeps a row after its
 * set was released (0: for ever); a hundred years at most
 */
static void kw_audit_retention(struct parser *p, int argc, char **argv)
{
	if (nargs(p, "audit-retention", argc, 1, argv))
		get_num(p, "audit-retention", argv[0], 0, 36500,
			&p->c->audit_retention);
}

/* bfd-max-sessions N: the responder's table, bounded (a session per B4) */
static void kw_bfd_max_sessions(struct parser *p, int argc, char **argv)
{
	if (nargs(p, "bfd-max-sessions", argc, 1, argv))
		get_num(p, "bfd-max-sessions", argv[0], 1, 16777216,
			&p->c->bfd_max_sessions);
}

/* bfd-state-file PATH: where SIGUSR1 writes the sessions (lw4o6d bfd) */
static void kw_bfd_state_file(struct parser *p, int argc, char **argv)
{
	char t[TOK_LEN];

	if (!nargs(p, "bfd-state-file", argc, 1, argv))
		return;
	if (argv[0][0] != '/' || strlen(argv[0]) >= CONFIG_MAX_PATH) {
		lerr(p, "bfd-state-file: '%s' is not an absolute path of at most %d bytes",
		     tok(t, argv[0]), CONFIG_MAX_PATH - 1);
		return;
	}
	strcpy(p->c->bfd_state_file, argv[0]);
}

static void kw_max_subscribers(struct parser *p, int argc, char **argv)
{
	if (nargs(p, "max-subscribers", argc, 1, argv))
		get_num(p, "max-subscribers", argv[0], 1, U32_MAX,
			&p->c->max_subscribers);
}

/* b4-prefix PREFIX/LEN: the B4 addresses served; host bits must be zero. */
static void kw_b4_prefix(struct parser *p, int argc, char **argv)
{
	struct lw4o6d_config *c = p->c;
	char t[TOK_LEN], *slash;
	struct in6_prefix pf;
	struct in6_addr m;
	uint32_t plen;

	if (!nargs(p, "b4-prefix", argc, 1, argv))
		return;
	tok(t, argv[0]);
	slash = strchr(argv[0], '/');
	if (!slash || parse_u32(slash + 1, 128, &plen)) {
		lerr(p, "b4-prefix %s: expected PREFIX/LEN (LEN 0..128)", t);
		return;
	}
	*slash = '\0';
	if (parse_ipv6(argv[0], &pf.addr)) {
		lerr(p, "b4-prefix %s: not an IPv6 prefix", t);
		return;
	}
	pf.plen = (uint8_t)plen;
	m = pf.addr;
	in6_mask(&m, pf.plen);
	if (memcmp(&m, &pf.addr, sizeof(m))) {
		lerr(p, "b4-prefix %s: bits set past the prefix length", t);
		return;
	}
	if (c->n_b4_allow == CONFIG_MAX_B4_ALLOW) {
		lerr(p, "b4-prefix %s: more than %d prefixes", t,
		     CONFIG_MAX_B4_ALLOW);
		return;
	}
	c->b4_allow[c->n_b4_allow++] = pf;
}

static void kw_announce(struct parser *p, int argc, char **argv)
{
	get_bool(p, "announce", "yes", "no", argc, argv, &p->c->announce);
}

static void kw_announce_rate(struct parser *p, int argc, char **argv)
{
	if (nargs(p, "announce-rate", argc, 1, argv))
		get_num(p, "announce-rate", argv[0], 1, RATE_MAX,
			&p->c->announce_rate);
}

/* Comma-separated addresses; whether they fit the pool is pool.c's call. */
static bool pool_exclude(struct parser *p, const char *name,
			 struct pool_cfg *pc, char *list)
{
	char *s, *save = NULL, t[TOK_LEN];

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
		if (pc->n_exclude == POOL_MAX_EXCLUDE) {
			lerr(p, "pool %s: more than %d excluded addresses", name,
			    POOL_MAX_EXCLUDE);
			return false;
		}
		pc->exclude[pc->n_exclude++] = v;
	}
	return true;
}

/* The words after PREFIX/LEN: psid-len K [offset A] [exclude ADDR,...]. */
static bool pool_words(struct parser *p, const char *name, struct pool_cfg *pc,
		       int argc, char **argv)
{
	bool has_k = false, has_a = false, has_x = false;
	char t[TOK_LEN];
	uint32_t v;
	int i;

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
			return false;
		}
		if (*given) {
			lerr(p, "pool %s: '%s' given twice", name, w);
			return false;
		}
		*given = true;
		if (i + 1 >= argc) {
			lerr(p, "pool %s: '%s' needs a value", name, w);
			return false;
		}
		if (given == &has_x) {
			if (!pool_exclude(p, name, pc, argv[i + 1]))
				return false;
			continue;
		}
		if (parse_u32(argv[i + 1], given == &has_k ? 16 : 15, &v)) {
			lerr(p, "pool %s: %s: expected a number 0..%d, got '%s'",
			    name, w, given == &has_k ? 16 : 15,
			    tok(t, argv[i + 1]));
			return false;
		}
		if (given == &has_k)
			pc->psid_len = (uint8_t)v;
		else
			pc->offset = (uint8_t)v;
	}
	if (!has_k) {
		lerr(p, "pool %s: psid-len is required", name);
		return false;
	}
	return true;
}

static void kw_pool(struct parser *p, int argc, char **argv)
{
	struct lw4o6d_config *c = p->c;
	char name[TOK_LEN], t[TOK_LEN], a4[FMT_IPV4_LEN], why[REASON_LEN];
	const char *bad;
	struct pool_cfg pc;
	uint32_t plen;
	char *slash;
	size_t n;

	memset(&pc, 0, sizeof(pc));
	if (!argc) {
		lerr(p, "pool: expected 'pool PREFIX/LEN psid-len K [offset A] [exclude ADDR,...]'");
		return;
	}
	tok(name, argv[0]);
	slash = strchr(argv[0], '/');
	if (!slash || parse_u32(slash + 1, 255, &plen)) {
		lerr(p, "pool %s: expected PREFIX/LEN", name);
		return;
	}
	*slash = '\0';
	if (parse_ipv4(argv[0], &pc.prefix)) {
		lerr(p, "pool %s: '%s' is not an IPv4 address", name, tok(t, argv[0]));
		return;
	}
	pc.plen = (uint8_t)plen;
	if (!pool_words(p, name, &pc, argc, argv))
		return;
	bad = pool_cfg_check(&pc, why, sizeof(why));
	if (bad) {
		lerr(p, "pool %s: %s", name, bad);
		return;
	}
	for (n = 0; n < c->n_pools; n++) {
		if (pool_cfg_overlap(&c->pools[n], &pc)) {
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

/* node NAME: letters, digits, '.', '-', '_'; it names rows other nodes read. */
static void kw_node(struct parser *p, int argc, char **argv)
{
	char t[TOK_LEN];
	size_t n;

	if (!nargs(p, "node", argc, 1, argv))
		return;
	n = strspn(argv[0], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_");
	if (!n || argv[0][n]) {
		lerr(p, "node: '%s' is not a name (letters, digits, '.', '-', '_')",
		     tok(t, argv[0]));
		return;
	}
	if (n >= CONFIG_MAX_NODE) {
		lerr(p, "node: the name is longer than %d bytes", CONFIG_MAX_NODE - 1);
		return;
	}
	strcpy(p->c->node, argv[0]);
}

static void kw_redundancy(struct parser *p, int argc, char **argv)
{
	bool hot;

	if (get_bool(p, "redundancy", "hot", "on-demand", argc, argv, &hot))
		p->c->redundancy = hot ? REDUNDANCY_HOT : REDUNDANCY_ON_DEMAND;
}

static void kw_miss_hold(struct parser *p, int argc, char **argv)
{
	if (nargs(p, "miss-hold", argc, 1, argv) &&
	    get_num(p, "miss-hold", argv[0], 0, 10000, &p->c->miss_hold))
		p->c->miss_hold_set = true;
}

static void kw_miss_queue(struct parser *p, int argc, char **argv)
{
	if (nargs(p, "miss-queue", argc, 1, argv))
		get_num(p, "miss-queue", argv[0], 1, 4096, &p->c->miss_queue);
}

/* miss-rate N [global M]: lookups a second per prefix, and in all. */
static void kw_miss_rate(struct parser *p, int argc, char **argv)
{
	uint32_t rate, global = p->c->miss_global_rate;
	char t[TOK_LEN];

	if (!argc) {
		lerr(p, "miss-rate: missing value");
		return;
	}
	if (!get_num(p, "miss-rate", argv[0], 1, RATE_MAX, &rate))
		return;
	if (argc > 1 && strcmp(argv[1], "global")) {
		lerr(p, "miss-rate: unexpected '%s' (expected global)", tok(t, argv[1]));
		return;
	}
	if (argc == 2) {
		lerr(p, "miss-rate: 'global' needs a value");
		return;
	}
	if (argc > 3) {
		lerr(p, "miss-rate: unexpected '%s' after the global rate", tok(t, argv[3]));
		return;
	}
	if (argc == 3 && !get_num(p, "miss-rate global", argv[2], 1, RATE_MAX, &global))
		return;
	p->c->miss_rate = rate;
	p->c->miss_global_rate = global;
}

static void kw_miss_plen(struct parser *p, int argc, char **argv)
{
	if (nargs(p, "miss-prefix-len", argc, 1, argv))
		get_num(p, "miss-prefix-len", argv[0], 1, 128, &p->c->miss_plen);
}

static void kw_miss_negative_ttl(struct parser *p, int argc, char **argv)
{
	if (nargs(p, "miss-negative-ttl", argc, 1, argv))
		get_num(p, "miss-negative-ttl", argv[0], 1, 3600,
			&p->c->miss_negative_ttl);
}

/* "A.B.C.D/LEN", no bits past LEN. */
static bool get_prefix4(struct parser *p, const char *kw, const char *s,
			uint32_t *addr, uint32_t *plen)
{
	char buf[INET_ADDRSTRLEN], t[TOK_LEN];
	const char *slash = strchr(s, '/');
	uint32_t mask;

	if (!slash || (size_t)(slash - s) >= sizeof(buf) ||
	    parse_u32(slash + 1, 32, plen))
		goto bad;
	memcpy(buf, s, slash - s);
	buf[slash - s] = '\0';
	if (parse_ipv4(buf, addr))
		goto bad;
	mask = *plen ? htonl(~0u << (32 - *plen)) : 0;
	if (*addr & ~mask) {
		lerr(p, "%s: %s has bits set past the prefix length", kw, tok(t, s));
		return false;
	}
	return true;
bad:
	lerr(p, "%s: '%s' is not an IPv4 prefix (A.B.C.D/LEN)", kw, tok(t, s));
	return false;
}

/* anycast ADDR dev IFNAME [upstream PREFIX] [hold-down S] [drain-file PATH] */
static void kw_anycast(struct parser *p, int argc, char **argv)
{
	struct lw4o6d_config *c = p->c;
	char t[TOK_LEN];
	int i;

	if (argc < 3 || strcmp(argv[1], "dev")) {
		lerr(p, "anycast: expected 'anycast ADDR dev IFNAME [upstream PREFIX] [hold-down S] [drain-file PATH]'");
		return;
	}
	if (!get_ipv6(p, "anycast", argv[0], &c->anycast))
		return;
	if (!argv[2][0] || strlen(argv[2]) >= IF_NAMESIZE || strchr(argv[2], '/')) {
		lerr(p, "anycast: '%s' is not an interface name", tok(t, argv[2]));
		return;
	}
	strcpy(c->anycast_dev, argv[2]);
	for (i = 3; i < argc; i += 2) {
		if (i + 1 == argc) {
			lerr(p, "anycast: '%s' needs a value", tok(t, argv[i]));
			return;
		}
		if (!strcmp(argv[i], "upstream")) {
			if (!get_prefix4(p, "anycast upstream", argv[i + 1],
					 &c->upstream, &c->upstream_plen))
				return;
		} else if (!strcmp(argv[i], "hold-down")) {
			if (!get_num(p, "anycast hold-down", argv[i + 1], 0, 3600,
				     &c->hold_down))
				return;
		} else if (!strcmp(argv[i], "drain-file")) {
			if (argv[i + 1][0] != '/' ||
			    strlen(argv[i + 1]) >= CONFIG_MAX_PATH) {
				lerr(p, "anycast drain-file: '%s' is not an absolute path",
				     tok(t, argv[i + 1]));
				return;
			}
			strcpy(c->drain_file, argv[i + 1]);
		} else {
			lerr(p, "anycast: unknown word '%s' (upstream, hold-down, drain-file)",
			     tok(t, argv[i]));
			return;
		}
	}
	c->has_anycast = true;
}

const struct keyword config_aftr_keywords[] = {
	{ "anycast",		KW_AFTR, false, kw_anycast },
	{ "storage",		KW_AFTR, false, kw_storage },
	{ "node",		KW_AFTR, false, kw_node },
	{ "redundancy",		KW_AFTR, false, kw_redundancy },
	{ "miss-hold",		KW_AFTR, false, kw_miss_hold },
	{ "miss-queue",		KW_AFTR, false, kw_miss_queue },
	{ "miss-rate",		KW_AFTR, false, kw_miss_rate },
	{ "miss-prefix-len",	KW_AFTR, false, kw_miss_plen },
	{ "miss-negative-ttl",	KW_AFTR, false, kw_miss_negative_ttl },
	{ "listen",		KW_AFTR, false, kw_listen },
	{ "quota",		KW_AFTR, false, kw_quota },
	{ "rate-limit",		KW_AFTR, false, kw_rate_limit },
	{ "announce",		KW_AFTR, false, kw_announce },
	{ "announce-rate",	KW_AFTR, false, kw_announce_rate },
	{ "subscriber-prefix-len", KW_AFTR, false, kw_subscriber_plen },
	{ "max-mappings",	KW_AFTR, false, kw_max_mappings },
	{ "max-subscribers",	KW_AFTR, false, kw_max_subscribers },
	{ "audit-retention",	KW_AFTR, false, kw_audit_retention },
	{ "bfd-max-sessions",	KW_AFTR, false, kw_bfd_max_sessions },
	{ "bfd-state-file",	KW_AFTR, false, kw_bfd_state_file },
	{ "b4-prefix",		KW_AFTR, true,  kw_b4_prefix },
	{ "pool",		KW_AFTR, true,  kw_pool },
	{ NULL, KW_AFTR, false, NULL },
};

/* The failover words: what each needs of the others, and the defaults. */
static void check_failover(struct parser *p)
{
	static const char *const miss_kw[] = {
		"miss-hold", "miss-queue", "miss-rate", "miss-prefix-len",
		"miss-negative-ttl",
	};
	struct lw4o6d_config *c = p->c;
	const struct store_ops *ops = store_find(c->storage_kind);
	unsigned int l;
	size_t i;

	if (c->role == ROLE_SERVER) {
		/* no device: nothing to install, nothing missed */
		if ((l = seen_line(p, "redundancy")))
			report(p, l, "'redundancy' is for an aftr: a server has no device");
		for (i = 0; i < sizeof(miss_kw) / sizeof(miss_kw[0]); i++)
			if ((l = seen_line(p, miss_kw[i])))
				report(p, l, "'%s' is for an aftr: a server has no device",
				       miss_kw[i]);
		return;
	}
	if (c->redundancy == REDUNDANCY_ON_DEMAND) {
		/* a store of its own holds no other lwAFTR's bindings to find */
		if (c->storage_kind[0] && (!ops || !ops->changes))
			report(p, seen_line(p, "redundancy"),
			       "redundancy on-demand needs a store shared with the other lwAFTRs ('storage postgresql \"CONNINFO\"'), not %s",
			       c->storage_kind);
		if (!c->miss_hold_set)
			c->miss_hold = 300;
		return;
	}
	/* hot: every binding is installed already; no miss to look up */
	for (i = 0; i < sizeof(miss_kw) / sizeof(miss_kw[0]); i++)
		if ((l = seen_line(p, miss_kw[i])))
			report(p, l, "'%s' needs 'redundancy on-demand'", miss_kw[i]);
}

void config_aftr_check(struct parser *p)
{
	const struct lw4o6d_config *c = p->c;

	if (p->lt_form == LT_B4)
		report(p, seen_line(p, "lifetime"),
		       "lifetime: an aftr file takes 'lifetime [min N] [max N] [default N]'");
	/* an aftr that only relays DHCP and serves no PCP keeps nothing */
	if (!c->storage_kind[0] && !seen_line(p, "storage") &&
	    !(c->n_relay && !c->n_pools && !seen_line(p, "pool")))
		report(p, 0, "role %s needs 'storage sqlite PATH'",
		       config_role_name(c->role));
	if (!c->n_pools && !seen_line(p, "pool") && !c->n_relay)
		report(p, 0, "role %s needs at least one 'pool'",
		       config_role_name(c->role));
	check_failover(p);
	if (c->has_anycast && !strcmp(c->anycast_dev, c->device))
		report(p, seen_line(p, "anycast"),
		       "anycast: dev %s is the lw4o6 device; the address goes on a dummy the routing daemon redistributes",
		       c->anycast_dev);
}
