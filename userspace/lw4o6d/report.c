// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The status, dump and metrics formats (report.h).  Every field is
 * written once through struct emit, which knows both outputs; JSON keys
 * are snake_case, as "lw4o6d leases -j" has them.
 */
#include <inttypes.h>
#include <string.h>
#include <arpa/inet.h>

#include "dhcp4o6_serve.h"
#include "latency.h"
#include "mapping.h"
#include "prom.h"
#include "report.h"
#include "json.h"
#include "strconv.h"

#define EMIT_MAX_DEPTH 8

static void indent(struct emit *e)
{
	unsigned int i;

	for (i = 0; i < e->depth; i++)
		fputs("  ", e->f);
}

/* JSON: the comma before a member and its key; text: the key's start. */
static void key(struct emit *e, const char *k)
{
	if (e->json) {
		if (!e->first[e->depth])
			fputc(',', e->f);
		e->first[e->depth] = false;
		if (k)
			fprintf(e->f, "\"%s\":", k);
		return;
	}
	if (e->in_item) {
		fprintf(e->f, " %s ", k);
		return;
	}
	indent(e);
	fprintf(e->f, "%s: ", k);
}

static void value_end(struct emit *e)
{
	if (!e->json && !e->in_item)
		fputc('\n', e->f);
}

static void push(struct emit *e, char open)
{
	if (e->json)
		fputc(open, e->f);
	if (e->depth < EMIT_MAX_DEPTH - 1)
		e->depth++;
	e->first[e->depth] = true;
}

void emit_begin(struct emit *e, FILE *f, bool json)
{
	memset(e, 0, sizeof(*e));
	e->f = f;
	e->json = json;
	e->first[0] = true;
	if (json)
		push(e, '{');
}

void emit_end(struct emit *e)
{
	if (e->json)
		fputs("}\n", e->f);
	e->depth = 0;
}

static void open_(struct emit *e, const char *k, char open)
{
	if (e->json) {
		key(e, k);
	} else {
		indent(e);
		fprintf(e->f, "%s:\n", k);
	}
	push(e, open);
}

void emit_obj(struct emit *e, const char *k)
{
	open_(e, k, '{');
}

void emit_obj_end(struct emit *e)
{
	if (e->json)
		fputc('}', e->f);
	e->depth--;
}

void emit_arr(struct emit *e, const char *k)
{
	open_(e, k, '[');
}

void emit_arr_end(struct emit *e)
{
	if (e->json)
		fputc(']', e->f);
	e->depth--;
}

void emit_item(struct emit *e)
{
	if (e->json) {
		key(e, NULL);
		push(e, '{');
		return;
	}
	indent(e);
	fputc('-', e->f);
	e->in_item = true;
}

void emit_item_end(struct emit *e)
{
	if (e->json) {
		fputc('}', e->f);
		e->depth--;
		return;
	}
	fputc('\n', e->f);
	e->in_item = false;
}

void emit_str(struct emit *e, const char *k, const char *v)
{
	key(e, k);
	if (e->json)
		json_escape(e->f, v);
	else
		fputs(*v ? v : "-", e->f);
	value_end(e);
}

void emit_u64(struct emit *e, const char *k, uint64_t v)
{
	key(e, k);
	fprintf(e->f, "%" PRIu64, v);
	value_end(e);
}

void emit_i64(struct emit *e, const char *k, int64_t v)
{
	key(e, k);
	fprintf(e->f, "%" PRId64, v);
	value_end(e);
}

void emit_dbl(struct emit *e, const char *k, double v, const char *unit)
{
	key(e, k);
	if (e->json)
		fprintf(e->f, "%.3f", v);
	else
		fprintf(e->f, "%.4g%s%s", v, unit ? " " : "", unit ? unit : "");
	value_end(e);
}

void emit_bool(struct emit *e, const char *k, bool v)
{
	key(e, k);
	fputs(e->json ? (v ? "true" : "false") : (v ? "yes" : "no"), e->f);
	value_end(e);
}

void report_pool_name(const struct pool_usage *u, char *buf, size_t len)
{
	char a4[FMT_IPV4_LEN];

	fmt_ipv4(u->prefix, a4);
	snprintf(buf, len, "%s/%u", a4, u->plen);
}

double report_pool_percent(const struct pool_usage *u)
{
	return u->sets ? 100.0 * (double)u->used / (double)u->sets : 0;
}

int report_pool_watch(bool *high, uint64_t used, uint64_t sets)
{
	/* in integers: 90 % of 10 sets is 9 sets, not 8.99999 */
	if (!*high && sets && used * 100 >= sets * REPORT_POOL_HIGH) {
		*high = true;
		return 1;
	}
	if (*high && used * 100 < sets * REPORT_POOL_LOW) {
		*high = false;
		return -1;
	}
	return 0;
}

static const char *const via_key[MAPPING_VIA_MAX + 1] = {
	[MAPPING_VIA_SOFTWIRE] = "pcp_softwire",
	[MAPPING_VIA_IPV6] = "pcp_ipv6",
	[MAPPING_VIA_DHCP4O6] = "dhcp4o6",
};

static void by_via(struct emit *e, const char *k, const uint64_t *v)
{
	unsigned int i;

	emit_obj(e, k);
	for (i = 0; i <= MAPPING_VIA_MAX; i++)
		emit_u64(e, via_key[i], v[i]);
	emit_obj_end(e);
}

static void core_status(struct emit *e, const struct report_status *s)
{
	const struct alloc_counters *c = &s->cnt;
	const struct latency *l = &c->commit;
	char name[32];
	unsigned int i;
	size_t p;

	emit_arr(e, "pools");
	for (p = 0; p < s->n_pools; p++) {
		const struct pool_usage *u = &s->pools[p];

		emit_item(e);
		report_pool_name(u, name, sizeof(name));
		emit_str(e, "prefix", name);
		emit_u64(e, "psid_len", u->psid_len);
		emit_u64(e, "offset", u->offset);
		emit_u64(e, "used", u->used);
		emit_u64(e, "total", u->sets);
		emit_dbl(e, "percent", report_pool_percent(u), "%");
		emit_item_end(e);
	}
	emit_arr_end(e);
	emit_u64(e, "sets", s->st.sets);
	emit_u64(e, "sets_used", s->st.sets_used);
	emit_u64(e, "mappings", s->st.leases);
	by_via(e, "mappings_by_protocol", s->leases_via);
	emit_u64(e, "subscribers", s->st.b4s);
	by_via(e, "requests", c->requests);
	by_via(e, "grants", c->granted);
	emit_u64(e, "renewed", s->st.renewed);
	emit_u64(e, "released", s->st.released);
	emit_u64(e, "expired", s->st.expired);
	emit_u64(e, "forgotten", s->st.forgotten);
	emit_obj(e, "refused");
	for (i = 1; i < ALLOC_RESULTS; i++)
		emit_u64(e, alloc_result_name(i), c->results[i]);
	for (i = 1; i < ALLOC_ADMITS; i++)
		emit_u64(e, alloc_admit_name(i), c->admits[i]);
	emit_obj_end(e);
	emit_obj(e, "store_commits");
	emit_u64(e, "count", l->count);
	emit_dbl(e, "last_ms", l->last_us / 1000.0, "ms");
	emit_dbl(e, "avg_ms", l->count ? l->sum_us / 1000.0 / l->count : 0, "ms");
	emit_dbl(e, "max_ms", l->max_us / 1000.0, "ms");
	emit_obj_end(e);
}

void report_status(FILE *f, bool json, const struct report_status *s)
{
	char a4[FMT_IPV4_LEN];
	struct emit e;

	emit_begin(&e, f, json);
	emit_str(&e, "role", s->role);
	emit_str(&e, "device", s->device);
	emit_str(&e, "version", LW4O6_VERSION);
	emit_i64(&e, "uptime", s->uptime_s);
	if (s->has_core)
		core_status(&e, s);
	if (s->has_binding) {
		emit_obj(&e, "binding");
		fmt_ipv4(s->binding.ipv4, a4);
		emit_str(&e, "ipv4", a4);
		emit_u64(&e, "psid", s->binding.psid);
		emit_u64(&e, "psid_len", s->binding.psid_len);
		emit_u64(&e, "offset", s->binding.offset);
		emit_obj_end(&e);
	}
	if (s->has_bfd) {
		emit_obj(&e, "bfd");
		emit_u64(&e, "sessions", s->bfd_sessions);
		emit_u64(&e, "up", s->bfd_up);
		emit_u64(&e, "went_up", s->bfd_ups);
		emit_u64(&e, "went_down", s->bfd_downs);
		emit_obj_end(&e);
	}
	emit_end(&e);
}

void report_dump_begin(struct emit *e, FILE *f, bool json)
{
	emit_begin(e, f, json);
	emit_arr(e, "mappings");
}

void report_dump_mapping(struct emit *e, const struct lw4o6_mapping *m,
			 bool mirrored, int64_t now)
{
	char a4[FMT_IPV4_LEN], a6[FMT_IPV6_LEN];

	fmt_ipv4(m->ipv4, a4);
	fmt_ipv6(&m->b4, a6);
	emit_item(e);
	emit_str(e, "ipv4", a4);
	emit_u64(e, "psid", m->psid);
	emit_u64(e, "psid_len", m->psid_len);
	emit_u64(e, "offset", m->offset);
	emit_str(e, "b4", a6);
	emit_str(e, "protocol", dhcp4o6_nonce_is(m->nonce) ? "dhcp4o6" : "pcp");
	emit_str(e, "via", mapping_via_str(m->via));
	emit_str(e, "pcp_protocol", mapping_proto_str(m->protocol));
	emit_u64(e, "internal_port", m->internal_port);
	emit_i64(e, "created", m->created);
	emit_i64(e, "expires", m->expires);
	emit_i64(e, "expires_in", m->expires - now);
	emit_bool(e, "mirrored", mirrored);
	emit_item_end(e);
}

void report_dump_end(struct emit *e)
{
	emit_arr_end(e);
	emit_end(e);
}

/* ---- metrics -------------------------------------------------------------- */

static void via_samples(FILE *f, const char *name, const uint64_t *v)
{
	unsigned int i;

	for (i = 0; i <= MAPPING_VIA_MAX; i++)
		prom_u64(f, name, v[i], "protocol", via_key[i], NULL);
}

static void histogram(FILE *f, const char *name, const char *help,
		      const struct latency *l)
{
	char metric[96], le[32];
	uint64_t cum = 0;
	unsigned int i;

	prom_family(f, name, "histogram", help);
	snprintf(metric, sizeof(metric), "%s_bucket", name);
	for (i = 0; i < LATENCY_BUCKETS; i++) {
		cum += l->bucket[i];
		snprintf(le, sizeof(le), "%g", latency_bounds_us[i] / 1e6);
		prom_u64(f, metric, cum, "le", le, NULL);
	}
	prom_u64(f, metric, l->count, "le", "+Inf", NULL);
	snprintf(metric, sizeof(metric), "%s_sum", name);
	prom_double(f, metric, l->sum_us / 1e6, NULL);
	snprintf(metric, sizeof(metric), "%s_count", name);
	prom_u64(f, metric, l->count, NULL);
}

static void core_metrics(FILE *f, const struct report_status *s)
{
	const struct alloc_counters *c = &s->cnt;
	char name[32];
	unsigned int i;
	size_t p;

	prom_family(f, "lw4o6d_pool_sets", "gauge",
		    "Port sets a pool may hand out.");
	for (p = 0; p < s->n_pools; p++) {
		report_pool_name(&s->pools[p], name, sizeof(name));
		prom_u64(f, "lw4o6d_pool_sets", s->pools[p].sets, "pool", name, NULL);
	}
	prom_family(f, "lw4o6d_pool_sets_used", "gauge",
		    "Port sets of a pool held by a mapping (or an operator's binding).");
	for (p = 0; p < s->n_pools; p++) {
		report_pool_name(&s->pools[p], name, sizeof(name));
		prom_u64(f, "lw4o6d_pool_sets_used", s->pools[p].used, "pool", name, NULL);
	}
	prom_family(f, "lw4o6d_mappings", "gauge",
		    "Mappings (leases) held now, by how the B4 asked.");
	via_samples(f, "lw4o6d_mappings", s->leases_via);
	prom_family(f, "lw4o6d_requests_total", "counter",
		    "Requests the core decided, by how the B4 asked.");
	via_samples(f, "lw4o6d_requests_total", c->requests);
	prom_family(f, "lw4o6d_grants_total", "counter",
		    "New mappings granted, by how the B4 asked.");
	via_samples(f, "lw4o6d_grants_total", c->granted);
	prom_family(f, "lw4o6d_renewals_total", "counter", "Mappings renewed.");
	prom_u64(f, "lw4o6d_renewals_total", s->st.renewed, NULL);
	prom_family(f, "lw4o6d_releases_total", "counter",
		    "Mappings deleted by their B4.");
	prom_u64(f, "lw4o6d_releases_total", s->st.released, NULL);
	prom_family(f, "lw4o6d_expiries_total", "counter", "Mappings expired.");
	prom_u64(f, "lw4o6d_expiries_total", s->st.expired, NULL);
	prom_family(f, "lw4o6d_refusals_total", "counter",
		    "Requests refused, by reason: the core's outcome, or why it was not admitted.");
	for (i = 1; i < ALLOC_RESULTS; i++)
		prom_u64(f, "lw4o6d_refusals_total", c->results[i], "reason",
			 alloc_result_name(i), NULL);
	for (i = 1; i < ALLOC_ADMITS; i++)
		prom_u64(f, "lw4o6d_refusals_total", c->admits[i], "reason",
			 alloc_admit_name(i), NULL);
	histogram(f, "lw4o6d_store_commit_duration_seconds",
		  "How long the store took to commit a batch of changes.",
		  &c->commit);
}

void report_metrics(FILE *f, const struct report_status *s)
{
	prom_family(f, "lw4o6d_info", "gauge",
		    "The running daemon: always 1, its role, device and version as labels.");
	prom_u64(f, "lw4o6d_info", 1, "role", s->role, "device", s->device,
		 "version", LW4O6_VERSION, NULL);
	prom_family(f, "lw4o6d_uptime_seconds", "gauge",
		    "Seconds since the daemon started.");
	prom_u64(f, "lw4o6d_uptime_seconds", (uint64_t)s->uptime_s, NULL);
	if (s->has_core)
		core_metrics(f, s);
	if (s->has_bfd) {
		prom_family(f, "lw4o6d_bfd_sessions", "gauge",
			    "BFD sessions with B4s, and those Up.");
		prom_u64(f, "lw4o6d_bfd_sessions", s->bfd_sessions, "state", "any", NULL);
		prom_u64(f, "lw4o6d_bfd_sessions", s->bfd_up, "state", "up", NULL);
	}
	if (s->has_module)
		modstats_prom(f, &s->mod, 1);
}
