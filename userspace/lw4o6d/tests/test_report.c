// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * report.c: status and dump in text and JSON from one print path, the
 * Prometheus format (each family's HELP and TYPE once, then all its
 * samples; cumulative histogram buckets), the module's counters as
 * metrics, and the pools' 90 %/85 % watch.
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "latency.h"
#include "report.h"
#include "tests/cmocka_wrap.h"

struct mem {
	char *p;
	size_t n;
	FILE *f;
};

static void mem_open(struct mem *m)
{
	m->p = NULL;
	m->n = 0;
	m->f = open_memstream(&m->p, &m->n);
	assert_non_null(m->f);
}

static char *mem_close(struct mem *m)
{
	assert_int_equal(fclose(m->f), 0);
	return m->p;
}

static void has(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("missing \"%s\" in:\n%s", needle, hay);
}

static void status_of(struct report_status *s)
{
	memset(s, 0, sizeof(*s));
	s->role = "aftr";
	s->device = "lw0";
	s->uptime_s = 42;
	s->has_core = true;
	s->n_pools = 2;
	s->pools[0] = (struct pool_usage){ htonl(0xc0000200), 24, 4, 6, 10, 9 };
	s->pools[1] = (struct pool_usage){ htonl(0xc6336400), 31, 0, 0, 2, 0 };
	s->st.sets = 12;
	s->st.sets_used = 9;
	s->st.leases = 9;
	s->leases_via[MAPPING_VIA_SOFTWIRE] = 7;
	s->leases_via[MAPPING_VIA_DHCP4O6] = 2;
	s->cnt.requests[MAPPING_VIA_SOFTWIRE] = 11;
	s->cnt.granted[MAPPING_VIA_SOFTWIRE] = 7;
	s->cnt.granted[MAPPING_VIA_DHCP4O6] = 2;
	s->cnt.results[ALLOC_QUOTA] = 3;
	s->cnt.admits[ADMIT_LIMITED] = 5;
	latency_observe(&s->cnt.commit, 1500);
	latency_observe(&s->cnt.commit, 500);
	s->has_bfd = true;
	s->bfd_sessions = 4;
	s->bfd_up = 3;
}

static void test_status(void **state)
{
	struct report_status s;
	struct mem m;
	char *out;

	(void)state;
	status_of(&s);
	mem_open(&m);
	report_status(m.f, true, &s);
	out = mem_close(&m);
	has(out, "{\"role\":\"aftr\",\"device\":\"lw0\",");
	has(out, "\"uptime\":42,");
	has(out, "\"pools\":[{\"prefix\":\"192.0.2.0/24\",\"psid_len\":4,\"offset\":6,\"used\":9,\"total\":10,\"percent\":90.000},{\"prefix\":\"198.51.100.0/31\"");
	has(out, "\"mappings_by_protocol\":{\"pcp_softwire\":7,\"pcp_ipv6\":0,\"dhcp4o6\":2}");
	has(out, "\"grants\":{\"pcp_softwire\":7,\"pcp_ipv6\":0,\"dhcp4o6\":2}");
	has(out, "\"quota\":3");
	has(out, "\"rate_limited\":5");
	has(out, "\"store_commits\":{\"count\":2,\"last_ms\":0.500,\"avg_ms\":1.000,\"max_ms\":1.500}");
	has(out, "\"bfd\":{\"sessions\":4,\"up\":3,");
	assert_string_equal(out + strlen(out) - 3, "}}\n");
	assert_null(strstr(out, ",,"));
	assert_null(strstr(out, "{,"));
	free(out);

	mem_open(&m);
	report_status(m.f, false, &s);
	out = mem_close(&m);
	has(out, "role: aftr\ndevice: lw0\n");
	has(out, "pools:\n  - prefix 192.0.2.0/24 psid_len 4 offset 6 used 9 total 10 percent 90 %\n");
	has(out, "grants:\n  pcp_softwire: 7\n  pcp_ipv6: 0\n  dhcp4o6: 2\n");
	has(out, "refused:\n");
	has(out, "  quota: 3\n");
	has(out, "store_commits:\n  count: 2\n  last_ms: 0.5 ms\n  avg_ms: 1 ms\n  max_ms: 1.5 ms\n");
	has(out, "bfd:\n  sessions: 4\n  up: 3\n");
	free(out);
}

static void mapping_of(struct lw4o6_mapping *m, uint8_t last)
{
	memset(m, 0, sizeof(*m));
	inet_pton(AF_INET6, "2001:db8:1::2", &m->b4);
	m->b4.s6_addr[15] = last;
	m->ipv4 = htonl(0xc0000201);
	m->psid = last;
	m->psid_len = 4;
	m->offset = 6;
	m->protocol = 17;
	m->created = 1000;
	m->expires = 8200;
}

/* The dump in two pieces on two FILEs, as control.c writes it. */
static void test_dump(void **state)
{
	struct lw4o6_mapping a, b;
	struct emit e;
	struct mem m1, m2;
	char *p1, *p2, all[2048];

	(void)state;
	mapping_of(&a, 2);
	mapping_of(&b, 3);
	mem_open(&m1);
	report_dump_begin(&e, m1.f, true);
	report_dump_mapping(&e, &a, false, 1200);
	p1 = mem_close(&m1);
	mem_open(&m2);
	e.f = m2.f;
	report_dump_mapping(&e, &b, true, 1200);
	report_dump_end(&e);
	p2 = mem_close(&m2);
	snprintf(all, sizeof(all), "%s%s", p1, p2);
	has(all, "{\"mappings\":[{\"ipv4\":\"192.0.2.1\",\"psid\":2,\"psid_len\":4,\"offset\":6,\"b4\":\"2001:db8:1::2\",\"protocol\":\"pcp\",\"via\":\"softwire\",\"pcp_protocol\":\"udp\",\"internal_port\":0,\"created\":1000,\"expires\":8200,\"expires_in\":7000,\"mirrored\":false},{\"ipv4\":\"192.0.2.1\",\"psid\":3,");
	has(all, "\"mirrored\":true}]}\n");
	free(p1);
	free(p2);

	mem_open(&m1);
	report_dump_begin(&e, m1.f, true);
	report_dump_end(&e);
	p1 = mem_close(&m1);
	assert_string_equal(p1, "{\"mappings\":[]}\n");
	free(p1);

	mem_open(&m1);
	report_dump_begin(&e, m1.f, false);
	report_dump_mapping(&e, &a, false, 1200);
	report_dump_end(&e);
	p1 = mem_close(&m1);
	assert_string_equal(p1, "mappings:\n  - ipv4 192.0.2.1 psid 2 psid_len 4 offset 6 b4 2001:db8:1::2 protocol pcp via softwire pcp_protocol udp internal_port 0 created 1000 expires 8200 expires_in 7000 mirrored no\n");
	free(p1);
}

/*
 * The exposition format's rules that promtool checks: a family's HELP
 * then TYPE, once, before its samples; every sample's name is its
 * family's (histograms: _bucket, _sum, _count); no family twice.
 */
static void check_exposition(char *text)
{
	char fams[64][96], cur[96] = "", *line, *save;
	size_t n = 0, i;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[96];

		if (!strncmp(line, "# HELP ", 7)) {
			assert_int_equal(sscanf(line + 7, "%95s", cur), 1);
			for (i = 0; i < n; i++)
				if (!strcmp(fams[i], cur))
					fail_msg("family %s twice", cur);
			assert_true(n < 64);
			strcpy(fams[n++], cur);
			continue;
		}
		if (!strncmp(line, "# TYPE ", 7)) {
			assert_int_equal(sscanf(line + 7, "%95s", name), 1);
			assert_string_equal(name, cur);
			if (strstr(line, " counter"))
				assert_non_null(strstr(cur, "_total"));
			continue;
		}
		assert_int_equal(sscanf(line, "%95[^{ ]", name), 1);
		if (strcmp(name, cur) && strncmp(name, cur, strlen(cur)))
			fail_msg("sample %s outside its family %s", name, cur);
	}
	assert_true(n > 0);
}

static void test_metrics(void **state)
{
	struct report_status s;
	struct mem m;
	char *out;

	(void)state;
	status_of(&s);
	s.has_module = true;
	strcpy(s.mod.dev, "lw0");
	s.mod.has[LW4O6_STAT_SENT_IPV4_PACKETS] = true;
	s.mod.v[LW4O6_STAT_SENT_IPV4_PACKETS] = 17;
	s.mod.has[LW4O6_STAT_DROP_TTL_ZERO_IPV4] = true;
	s.mod.v[LW4O6_STAT_DROP_TTL_ZERO_IPV4] = 2;
	s.mod.has[LW4O6_STAT_DROP_MALFORMED] = true;
	s.mod.has[LW4O6_STAT_ACTIVE_SOFTWIRE_NUM] = true;
	s.mod.v[LW4O6_STAT_ACTIVE_SOFTWIRE_NUM] = 9;
	mem_open(&m);
	report_metrics(m.f, &s);
	out = mem_close(&m);
	has(out, "lw4o6d_info{role=\"aftr\",device=\"lw0\",version=\"");
	has(out, "lw4o6d_pool_sets{pool=\"192.0.2.0/24\"} 10\n");
	has(out, "lw4o6d_pool_sets_used{pool=\"192.0.2.0/24\"} 9\n");
	has(out, "lw4o6d_grants_total{protocol=\"pcp_softwire\"} 7\n");
	has(out, "lw4o6d_grants_total{protocol=\"dhcp4o6\"} 2\n");
	has(out, "lw4o6d_refusals_total{reason=\"quota\"} 3\n");
	has(out, "lw4o6d_refusals_total{reason=\"rate_limited\"} 5\n");
	/* 500 µs in le=0.0005, 1500 µs in le=0.0025: cumulative */
	has(out, "lw4o6d_store_commit_duration_seconds_bucket{le=\"0.00025\"} 0\n");
	has(out, "lw4o6d_store_commit_duration_seconds_bucket{le=\"0.0005\"} 1\n");
	has(out, "lw4o6d_store_commit_duration_seconds_bucket{le=\"0.001\"} 1\n");
	has(out, "lw4o6d_store_commit_duration_seconds_bucket{le=\"0.0025\"} 2\n");
	has(out, "lw4o6d_store_commit_duration_seconds_bucket{le=\"+Inf\"} 2\n");
	has(out, "lw4o6d_store_commit_duration_seconds_sum 0.002\n");
	has(out, "lw4o6d_store_commit_duration_seconds_count 2\n");
	has(out, "lw4o6d_bfd_sessions{state=\"up\"} 3\n");
	has(out, "# TYPE lw4o6_sent_ipv4_packets_total counter\nlw4o6_sent_ipv4_packets_total{device=\"lw0\"} 17\n");
	has(out, "lw4o6_drops_total{device=\"lw0\",reason=\"ttl-zero-ipv4\"} 2\n");
	has(out, "lw4o6_drops_total{device=\"lw0\",reason=\"malformed\"} 0\n");
	has(out, "# TYPE lw4o6_active_softwires gauge\nlw4o6_active_softwires{device=\"lw0\"} 9\n");
	check_exposition(out);
	free(out);
}

/* Two devices: each family once, with both devices' samples. */
static void test_modstats_devices(void **state)
{
	struct modstats d[2];
	struct mem m;
	char *out;

	(void)state;
	memset(d, 0, sizeof(d));
	strcpy(d[0].dev, "lw0");
	strcpy(d[1].dev, "we\"ird");
	d[0].has[LW4O6_STAT_RCVD_IPV6_PACKETS] = d[1].has[LW4O6_STAT_RCVD_IPV6_PACKETS] = true;
	d[0].v[LW4O6_STAT_RCVD_IPV6_PACKETS] = 1;
	d[1].v[LW4O6_STAT_RCVD_IPV6_PACKETS] = 2;
	d[1].has[LW4O6_STAT_DROP_NO_SOURCE_SOFTWIRE_IPV6] = true;
	d[1].v[LW4O6_STAT_DROP_NO_SOURCE_SOFTWIRE_IPV6] = 5;
	mem_open(&m);
	modstats_prom(m.f, d, 2);
	out = mem_close(&m);
	has(out, "lw4o6_rcvd_ipv6_packets_total{device=\"lw0\"} 1\nlw4o6_rcvd_ipv6_packets_total{device=\"we\\\"ird\"} 2\n");
	has(out, "lw4o6_drops_total{device=\"we\\\"ird\",reason=\"no-source-softwire-ipv6\"} 5\n");
	check_exposition(out);
	free(out);
}

static void test_pool_watch(void **state)
{
	bool high = false;

	(void)state;
	assert_int_equal(report_pool_watch(&high, 8, 10), 0);
	assert_int_equal(report_pool_watch(&high, 9, 10), 1);	/* 90 %: warn */
	assert_true(high);
	assert_int_equal(report_pool_watch(&high, 10, 10), 0);	/* once */
	assert_int_equal(report_pool_watch(&high, 9, 10), 0);
	assert_int_equal(report_pool_watch(&high, 86, 100), 0);	/* hysteresis */
	assert_int_equal(report_pool_watch(&high, 85, 100), 0);
	assert_int_equal(report_pool_watch(&high, 84, 100), -1);	/* back */
	assert_false(high);
	assert_int_equal(report_pool_watch(&high, 84, 100), 0);
	assert_int_equal(report_pool_watch(&high, 89, 100), 0);
	assert_int_equal(report_pool_watch(&high, 90, 100), 1);	/* again */
	high = false;
	assert_int_equal(report_pool_watch(&high, 0, 0), 0);	/* no sets */
	/* the largest pools: no overflow */
	assert_int_equal(report_pool_watch(&high, (1ULL << 40) / 10 * 9 + 9,
					   1ULL << 40), 1);
}

static void test_latency(void **state)
{
	struct latency l;

	(void)state;
	memset(&l, 0, sizeof(l));
	latency_observe(&l, 100);	/* on a bound: that bucket */
	latency_observe(&l, 101);
	latency_observe(&l, 9000000);	/* past the last bound */
	assert_int_equal(l.bucket[0], 1);
	assert_int_equal(l.bucket[1], 1);
	assert_int_equal(l.bucket[LATENCY_BUCKETS], 1);
	assert_int_equal(l.count, 3);
	assert_int_equal(l.max_us, 9000000);
	assert_int_equal(l.last_us, 9000000);
	assert_int_equal(l.sum_us, 9000201);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_dump),
		cmocka_unit_test(test_metrics),
		cmocka_unit_test(test_modstats_devices),
		cmocka_unit_test(test_pool_watch),
		cmocka_unit_test(test_latency),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
