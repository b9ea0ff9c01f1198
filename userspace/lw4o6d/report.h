/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * What "lw4o6d status", "dump" and "metrics" print, from a snapshot the
 * running daemon's components filled in (control.c gathers it): no I/O
 * but the FILE it is given, so the unit tests read exactly what a client
 * gets.  Text and JSON come out of one print path (struct emit), as the
 * CLI's do through iproute2's print family; metrics are Prometheus's text
 * format (prom.h).
 *
 * Also the pools' watch: the line in the log when a pool passes 90 %
 * (once, until it falls below 85 % again).
 */
#ifndef LW4O6D_REPORT_H
#define LW4O6D_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "alloc.h"
#include "b4_binding.h"
#include "config.h"
#include "modstats.h"

struct report_status {
	const char *role;		/* "aftr", "b4", "server" */
	const char *device;		/* "" for a server */
	int64_t uptime_s;
	bool has_core;			/* an aftr's or a server's pools and leases */
	size_t n_pools;
	struct pool_usage pools[CONFIG_MAX_POOLS];
	struct alloc_stats st;
	struct alloc_counters cnt;
	uint64_t leases_via[MAPPING_VIA_MAX + 1];	/* now, by enum mapping_via */
	bool has_bfd;			/* an aftr's responder */
	uint64_t bfd_sessions, bfd_up, bfd_ups, bfd_downs;
	bool has_binding;		/* a b4 that holds one */
	struct b4_binding binding;
	/* metrics only: the module's counters of the device */
	bool has_module;
	struct modstats mod;
};

/*
 * One writer of text or JSON.  Text: "key: value" lines, a nested object
 * indented under "key:", an array's objects one a line ("key value ...").
 */
struct emit {
	FILE *f;
	bool json;
	unsigned int depth;
	bool in_item;			/* text: inside an array's object (one line) */
	bool first[8];			/* JSON: nothing yet at this depth */
};

void emit_begin(struct emit *e, FILE *f, bool json);
void emit_end(struct emit *e);
void emit_obj(struct emit *e, const char *key);
void emit_obj_end(struct emit *e);
void emit_arr(struct emit *e, const char *key);
void emit_arr_end(struct emit *e);
void emit_item(struct emit *e);
void emit_item_end(struct emit *e);
void emit_str(struct emit *e, const char *key, const char *v);
void emit_u64(struct emit *e, const char *key, uint64_t v);
void emit_i64(struct emit *e, const char *key, int64_t v);
/* JSON: the number; text: with the unit after it ("1.25 ms", "91.2 %") */
void emit_dbl(struct emit *e, const char *key, double v, const char *unit);
void emit_bool(struct emit *e, const char *key, bool v);

/* "192.0.2.0/24" */
void report_pool_name(const struct pool_usage *u, char *buf, size_t len);
/* used in percent of sets, 0 for an empty pool */
double report_pool_percent(const struct pool_usage *u);

void report_status(FILE *f, bool json, const struct report_status *s);
/*
 * A dump, in pieces: the beginning, any number of mappings (mirrored: a
 * shared store's other node holds it), the end, on one struct emit.
 */
void report_dump_begin(struct emit *e, FILE *f, bool json);
void report_dump_mapping(struct emit *e, const struct lw4o6_mapping *m,
			 bool mirrored, int64_t now);
void report_dump_end(struct emit *e);
/* The daemon's metrics, then the module's (s->has_module). */
void report_metrics(FILE *f, const struct report_status *s);

/*
 * A pool's warning state: returns 1 when used passes REPORT_POOL_HIGH %
 * (warn), -1 when it is back under REPORT_POOL_LOW % after that (info),
 * else 0; *high is the state, false at the start.
 */
#define REPORT_POOL_HIGH 90
#define REPORT_POOL_LOW	85
int report_pool_watch(bool *high, uint64_t used, uint64_t sets);

#endif
