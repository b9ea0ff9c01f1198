// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * config_load() on files written to a temporary directory: the parsed
 * struct of valid files (including docs/examples/), and for bad ones that
 * every error is reported, on its line, with a reason that names the fault.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "config.h"

/* the CLI tests' wrapper: one copy for the whole tree */
#include "tests/cmocka_wrap.h"

#define MAX_ERRS 32

struct errs {
	unsigned int n;
	unsigned int line[MAX_ERRS];
	char reason[MAX_ERRS][256];
	char file[256];
};

static char dir[] = "/tmp/test_config.XXXXXX";
static char path[300];

static void collect(const char *file, unsigned int line, const char *reason,
		    void *arg)
{
	struct errs *e = arg;

	snprintf(e->file, sizeof(e->file), "%s", file);
	if (e->n < MAX_ERRS) {
		e->line[e->n] = line;
		snprintf(e->reason[e->n], sizeof(e->reason[0]), "%s", reason);
	}
	e->n++;
}

static int load(const char *text, struct lw4o6d_config *c, struct errs *e)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	memset(e, 0, sizeof(*e));
	return config_load(path, c, collect, e);
}

/* On failure, what was reported instead. */
static void dump(const struct errs *e)
{
	unsigned int i;

	for (i = 0; i < e->n && i < MAX_ERRS; i++)
		print_error("  got %u: %s\n", e->line[i], e->reason[i]);
}

static void assert_reason(const struct errs *e, unsigned int i,
			  unsigned int line, const char *want)
{
	if (i >= e->n || e->line[i] != line || !strstr(e->reason[i], want)) {
		dump(e);
		fail_msg("error %u: expected line %u, \"%s\"", i, line, want);
	}
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/t.conf", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	rmdir(dir);
	return 0;
}

#define AFTR "role aftr\ndevice lw0\nstorage sqlite /s.db\npool 10.0.0.0/16 psid-len 4\n"

static uint32_t ip4(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

static void test_aftr_full(void **state)
{
	struct lw4o6d_config c;
	struct in6_addr a6;
	struct errs e;

	(void)state;
	assert_int_equal(load(
		"# an lwAFTR\n"
		"role aftr\n"
		"\n"
		"device lw0   # the lw4o6 device\n"
		"log-level debug\n"
		"\tstorage sqlite /var/lib/lw4o6d/a#1.db\r\n"
		"listen 2001:db8:ff::53\n"
		"lifetime default 600 min 300 max 3600\n"
		"quota 4\n"
		"rate-limit 5 burst 7\n"
		"announce no\n"
		"anycast 2001:db8:ff::1 dev any0 upstream 10.0.0.0/8 hold-down 0 drain-file /run/x/d\n"
		"subscriber-prefix-len 64\n"
		"max-mappings 5000\n"
		"max-subscribers 7000\n"
		"audit-retention 0\n"
		"b4-prefix 2001:db8::/32\n"
		"b4-prefix 2001:db8:ff::1/128\n"
		"pool 192.0.2.0/24 psid-len 6 offset 4 exclude 192.0.2.0,192.0.2.255\n"
		"pool 198.51.100.7/32 psid-len 16\n"
		"pool 203.0.113.0/28 exclude 203.0.113.1 offset 0 psid-len 8\n",
		&c, &e), 0);
	assert_int_equal(e.n, 0);
	assert_int_equal(c.role, ROLE_AFTR);
	assert_string_equal(config_role_name(c.role), "aftr");
	assert_string_equal(c.device, "lw0");
	assert_int_equal(c.log_level, LOG_DEBUG);
	assert_string_equal(c.storage_kind, "sqlite");
	/* '#' inside a word is not a comment. */
	assert_string_equal(c.storage_path, "/var/lib/lw4o6d/a#1.db");
	assert_true(c.has_listen6);
	inet_pton(AF_INET6, "2001:db8:ff::53", &a6);
	assert_memory_equal(&c.listen6, &a6, sizeof(a6));
	assert_int_equal(c.lifetime_min, 300);
	assert_int_equal(c.lifetime_max, 3600);
	assert_int_equal(c.lifetime_default, 600);
	assert_int_equal(c.quota, 4);
	assert_int_equal(c.rate, 5);
	assert_int_equal(c.burst, 7);
	assert_false(c.announce);
	assert_true(c.has_anycast);
	inet_pton(AF_INET6, "2001:db8:ff::1", &a6);
	assert_memory_equal(&c.anycast, &a6, sizeof(a6));
	assert_string_equal(c.anycast_dev, "any0");
	assert_int_equal(c.upstream, ip4("10.0.0.0"));
	assert_int_equal(c.upstream_plen, 8);
	assert_int_equal(c.hold_down, 0);
	assert_string_equal(c.drain_file, "/run/x/d");
	assert_int_equal(c.subscriber_plen, 64);
	assert_int_equal(c.max_mappings, 5000);
	assert_int_equal(c.max_subscribers, 7000);
	assert_int_equal(c.audit_retention, 0);
	assert_int_equal(c.n_b4_allow, 2);
	inet_pton(AF_INET6, "2001:db8::", &a6);
	assert_memory_equal(&c.b4_allow[0].addr, &a6, sizeof(a6));
	assert_int_equal(c.b4_allow[0].plen, 32);
	assert_int_equal(c.b4_allow[1].plen, 128);
	assert_int_equal(c.n_pools, 3);
	assert_int_equal(c.pools[0].prefix, ip4("192.0.2.0"));
	assert_int_equal(c.pools[0].plen, 24);
	assert_int_equal(c.pools[0].psid_len, 6);
	assert_int_equal(c.pools[0].offset, 4);
	assert_int_equal(c.pools[0].n_exclude, 2);
	assert_int_equal(c.pools[0].exclude[0], ip4("192.0.2.0"));
	assert_int_equal(c.pools[0].exclude[1], ip4("192.0.2.255"));
	assert_int_equal(c.pools[1].prefix, ip4("198.51.100.7"));
	assert_int_equal(c.pools[1].plen, 32);
	assert_int_equal(c.pools[1].psid_len, 16);
	assert_int_equal(c.pools[1].offset, 0);
	assert_int_equal(c.pools[1].n_exclude, 0);
	assert_int_equal(c.pools[2].psid_len, 8);
	assert_int_equal(c.pools[2].n_exclude, 1);
	assert_int_equal(c.pools[2].exclude[0], ip4("203.0.113.1"));
	assert_false(c.proxy);
}

static void test_aftr_defaults(void **state)
{
	struct lw4o6d_config c;
	struct errs e;

	(void)state;
	assert_int_equal(load("role aftr\ndevice lw0\nstorage sqlite /s.db\n"
			      "pool 10.0.0.0/16 psid-len 1\n", &c, &e), 0);
	assert_int_equal(c.log_level, LOG_INFO);
	assert_false(c.has_listen6);
	assert_int_equal(c.lifetime_min, 120);
	assert_int_equal(c.lifetime_max, 86400);
	assert_int_equal(c.lifetime_default, 7200);
	assert_int_equal(c.quota, 1);
	assert_int_equal(c.rate, 10);
	assert_int_equal(c.burst, 20);
	assert_int_equal(c.subscriber_plen, 56);
	assert_int_equal(c.max_mappings, 1048576);
	assert_int_equal(c.max_subscribers, 1048576);
	assert_int_equal(c.audit_retention, 400);
	assert_int_equal(c.n_b4_allow, 0);
	assert_int_equal(c.bfd_max_sessions, 1048576);
	assert_string_equal(c.bfd_state_file, "");	/* bfd_state_path()'s default */
	assert_int_equal(load("role aftr\ndevice lw0\nstorage sqlite /s.db\n"
			      "pool 10.0.0.0/16 psid-len 1\nbfd-max-sessions 5\n"
			      "bfd-state-file /run/b.state\n", &c, &e), 0);
	assert_int_equal(c.bfd_max_sessions, 5);
	assert_string_equal(c.bfd_state_file, "/run/b.state");
	assert_true(c.announce);
	assert_false(c.has_anycast);
	assert_int_equal(c.announce_rate, 10000);
	assert_int_equal(c.hold_down, 5);
	assert_int_equal(c.upstream, 0);
	assert_int_equal(c.upstream_plen, 0);
	assert_string_equal(c.drain_file, "/run/lw4o6d/drain");

	/* burst defaults to twice the rate */
	assert_int_equal(load("role aftr\ndevice lw0\nstorage sqlite /s.db\n"
			      "pool 10.0.0.0/16 psid-len 1\nrate-limit 50\n",
			      &c, &e), 0);
	assert_int_equal(c.rate, 50);
	assert_int_equal(c.burst, 100);
}

/*
 * Failover words that need no shared store: quoted words (a '#' inside
 * one is no comment), the node's name, and hot's defaults.
 */
static void test_failover_words(void **state)
{
	struct lw4o6d_config c;
	struct errs e;

	(void)state;
	assert_int_equal(load("role aftr\ndevice lw0\n"
			      "storage sqlite \"/var/lib/a b/#1.db\"   # quoted\n"
			      "node aftr-1.example_x\nredundancy hot\n"
			      "pool 10.0.0.0/16 psid-len 1\n", &c, &e), 0);
	assert_string_equal(c.storage_kind, "sqlite");
	assert_string_equal(c.storage_path, "/var/lib/a b/#1.db");
	assert_string_equal(c.node, "aftr-1.example_x");
	assert_int_equal(c.redundancy, REDUNDANCY_HOT);
	/* hot: nothing held, and the trigger's defaults */
	assert_int_equal(c.miss_hold, 0);
	assert_int_equal(c.miss_queue, 256);
	assert_int_equal(c.miss_rate, 10);
	assert_int_equal(c.miss_global_rate, 1000);
	assert_int_equal(c.miss_plen, 56);
	assert_int_equal(c.miss_negative_ttl, 10);

	/* no node: empty here, the host name at start (core.c) */
	assert_int_equal(load("role aftr\ndevice lw0\nstorage sqlite /s.db\n"
			      "pool 10.0.0.0/16 psid-len 1\n", &c, &e), 0);
	assert_string_equal(c.node, "");
}

#define ONDEMAND "role aftr\ndevice lw0\nstorage postgresql \"host=/run/pg dbname=lw4o6\"\n" \
	"pool 10.0.0.0/16 psid-len 4\nredundancy on-demand\n"

/* The miss-* values' own errors, on an on-demand aftr. */
static void test_miss_values(void **state)
{
	static const struct {
		const char *line, *reason;
	} bad_miss[] = {
	{ "miss-hold 10001\n", "miss-hold: expected a number 0..10000, got '10001'" },
	{ "miss-queue 0\n", "miss-queue: expected a number 1..4096, got '0'" },
	{ "miss-rate 5 globl 50\n", "miss-rate: unexpected 'globl' (expected global)" },
	{ "miss-rate 5 global\n", "miss-rate: 'global' needs a value" },
	{ "miss-prefix-len 129\n", "miss-prefix-len: expected a number 1..128, got '129'" },
	{ "miss-negative-ttl 0\n", "miss-negative-ttl: expected a number 1..3600, got '0'" },
	};
	char text[512];
	struct lw4o6d_config c;
	struct errs e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_miss) / sizeof(bad_miss[0]); i++) {
		snprintf(text, sizeof(text), ONDEMAND "%s", bad_miss[i].line);
		if (load(text, &c, &e) != 1)
			dump(&e);
		assert_int_equal(e.n, 1);
		assert_reason(&e, 0, 6, bad_miss[i].reason);
	}
}

/* On demand on a shared store: the trigger's words and defaults. */
static void test_on_demand(void **state)
{
	struct lw4o6d_config c;
	struct errs e;

	(void)state;
	assert_int_equal(load(ONDEMAND, &c, &e), 0);
	assert_string_equal(c.storage_kind, "postgresql");
	assert_string_equal(c.storage_path, "host=/run/pg dbname=lw4o6");
	assert_int_equal(c.redundancy, REDUNDANCY_ON_DEMAND);
	assert_int_equal(c.miss_hold, 300);	/* on by default on demand */
	assert_int_equal(load(ONDEMAND "miss-hold 0\nmiss-queue 4096\n"
			      "miss-rate 5 global 70\nmiss-prefix-len 64\n"
			      "miss-negative-ttl 30\nnode b\n", &c, &e), 0);
	assert_int_equal(c.miss_hold, 0);
	assert_int_equal(c.miss_queue, 4096);
	assert_int_equal(c.miss_rate, 5);
	assert_int_equal(c.miss_global_rate, 70);
	assert_int_equal(c.miss_plen, 64);
	assert_int_equal(c.miss_negative_ttl, 30);
	assert_string_equal(c.node, "b");
	/* hot on the same store: no hold */
	assert_int_equal(load("role aftr\ndevice lw0\nstorage postgresql \"dbname=x\"\n"
			      "pool 10.0.0.0/16 psid-len 4\n", &c, &e), 0);
	assert_int_equal(c.redundancy, REDUNDANCY_HOT);
	assert_int_equal(c.miss_hold, 0);
}

/* The DHCPv4-over-DHCPv6 statements of each role (config_dhcp.c). */
static void test_dhcp_full(void **state)
{
	struct lw4o6d_config c;
	struct in6_addr a6;
	struct errs e;

	(void)state;
	assert_int_equal(load(
		"role b4\ndevice b0\nprovision auto\ndhcp4o6-interface eth0\n",
		&c, &e), 0);
	assert_int_equal(c.provision, PROVISION_AUTO);
	assert_int_equal(c.n_dhcp_ifaces, 1);
	assert_string_equal(c.dhcp_ifaces[0], "eth0");
	assert_string_equal(c.lease_file, "/var/lib/lw4o6d/b0.lease");
	assert_int_equal(load(
		"role b4\ndevice b0\nprovision dhcp4o6\ndhcp4o6-interface eth0\nlease-file /run/x.lease\n",
		&c, &e), 0);
	assert_int_equal(c.provision, PROVISION_DHCP4O6);
	assert_string_equal(c.lease_file, "/run/x.lease");
	assert_int_equal(load("role b4\ndevice b0\n", &c, &e), 0);
	assert_int_equal(c.provision, PROVISION_PCP);

	assert_int_equal(load(
		"role aftr\ndevice lw0\nstorage sqlite /s.db\npool 10.0.0.0/16 psid-len 4\n"
		"dhcp4o6 on\ndhcp4o6-interface eth0 eth1\ndhcp4o6-interface eth2\ndecline-hold 60\n",
		&c, &e), 0);
	assert_true(c.dhcp4o6);
	assert_int_equal(c.n_dhcp_ifaces, 3);
	assert_string_equal(c.dhcp_ifaces[2], "eth2");
	assert_int_equal(c.decline_hold, 60);

	/* a relaying aftr needs no store or pools */
	assert_int_equal(load(
		"role aftr\ndevice lw0\nrelay 2001:db8::9 2001:db8::a\ndhcp4o6-interface eth0\n",
		&c, &e), 0);
	assert_false(c.dhcp4o6);
	assert_int_equal(c.n_relay, 2);
	inet_pton(AF_INET6, "2001:db8::a", &a6);
	assert_memory_equal(&c.relay[1], &a6, sizeof(a6));
	assert_int_equal(c.decline_hold, 600);

	assert_int_equal(load(
		"role server\nlisten 2001:db8::9\nstorage sqlite /s.db\npool 10.0.0.0/16 psid-len 4\n"
		"relay-peer 2001:db8::1 2001:db8::2\n"
		"s46-br 2001:db8::1\n"
		"s46-binding 00:03:00:01:02:03:04:05:06:07 192.0.2.3 psid 3/4 prefix 2001:db8:1:cafe::/64\n"
		"s46-binding 0003000102030405060a 192.0.2.3 psid 5/4 offset 4 prefix 2001:db8:1:beef::1/128\n",
		&c, &e), 0);
	assert_int_equal(c.role, ROLE_SERVER);
	assert_string_equal(config_role_name(c.role), "server");
	assert_true(c.dhcp4o6);
	assert_string_equal(c.device, "");
	assert_int_equal(c.n_relay_peers, 2);
	assert_int_equal(c.n_s46_br, 1);
	assert_int_equal(c.n_s46, 2);
	assert_int_equal(c.s46[0].duid_len, 10);
	assert_int_equal(c.s46[0].duid[9], 7);
	assert_int_equal(c.s46[0].ipv4, ip4("192.0.2.3"));
	assert_int_equal(c.s46[0].psid, 3);
	assert_int_equal(c.s46[0].psid_len, 4);
	assert_int_equal(c.s46[0].offset, 6);
	assert_int_equal(c.s46[0].prefix_len, 64);
	assert_int_equal(c.s46[1].offset, 4);
	assert_int_equal(c.s46[1].prefix_len, 128);
	assert_int_equal(c.s46[1].duid[9], 10);
}

static void test_b4_full(void **state)
{
	struct lw4o6d_config c;
	struct in6_addr a6;
	struct errs e;

	(void)state;
	assert_int_equal(load(
		"role b4\n"
		"device b0\n"
		"log-level warning\n"
		"transport ipv6\n"
		"server 2001:db8:ff::53\n"
		"lifetime 3600\n"
		"port-set-size 1024\n"
		"proxy 192.168.1.1 10.1.1.1\n"
		"proxy-lifetime-max 600\n"
		"proxy-rate-limit 5 burst 8\n"
		"forward-guard no\n",
		&c, &e), 0);
	assert_int_equal(c.role, ROLE_B4);
	assert_string_equal(config_role_name(c.role), "b4");
	assert_string_equal(c.device, "b0");
	assert_int_equal(c.log_level, LOG_WARNING);
	assert_true(c.transport_ipv6);
	assert_true(c.has_server);
	inet_pton(AF_INET6, "2001:db8:ff::53", &a6);
	assert_memory_equal(&c.server, &a6, sizeof(a6));
	assert_int_equal(c.lifetime, 3600);
	assert_int_equal(c.port_set_size, 1024);
	assert_true(c.proxy);
	assert_int_equal(c.n_proxy, 2);
	assert_int_equal(c.proxy_addr[0], ip4("192.168.1.1"));
	assert_int_equal(c.proxy_addr[1], ip4("10.1.1.1"));
	assert_int_equal(c.proxy_lifetime_max, 600);
	assert_int_equal(c.proxy_rate, 5);
	assert_int_equal(c.proxy_burst, 8);
	assert_false(c.forward_guard);
	assert_int_equal(c.n_pools, 0);

	assert_int_equal(load("role b4\ndevice b0\n", &c, &e), 0);
	assert_false(c.transport_ipv6);
	assert_false(c.has_server);
	assert_int_equal(c.lifetime, 7200);
	assert_int_equal(c.port_set_size, 65535);
	assert_false(c.proxy);
	assert_int_equal(c.proxy_lifetime_max, 7200);
	assert_int_equal(c.proxy_rate, 10);
	assert_int_equal(c.proxy_burst, 20);
	assert_true(c.forward_guard);
	assert_int_equal(c.n_aftrs, 0);
	assert_string_equal(c.uplink, "");
	assert_int_equal(load("role b4\ndevice b0\nuplink wan0\n", &c, &e), 0);
	assert_string_equal(c.uplink, "wan0");
	/* DHCPv4 over DHCPv6 and auto follow their dhcp4o6-interface */
	assert_int_equal(load("role b4\ndevice b0\nuplink wan0\nprovision dhcp4o6\ndhcp4o6-interface wan0\n", &c, &e), 0);
	assert_string_equal(c.uplink, "wan0");
	assert_int_equal(load("role b4\ndevice b0\nuplink wan0\nprovision auto\ndhcp4o6-interface wan0\n", &c, &e), 0);
	assert_int_equal(load("role b4\ndevice b0\naftr 2001:db8:f1::1 2001:db8:f2::1\n",
			      &c, &e), 0);
	assert_int_equal(c.n_aftrs, 2);
	inet_pton(AF_INET6, "2001:db8:f2::1", &a6);
	assert_memory_equal(&c.aftrs[1], &a6, sizeof(a6));
	assert_string_equal(c.aftr_name, "");
	/* a DS-Lite B4: no provisioning, its AFTRs and BFD */
	assert_int_equal(load("role b4\ndevice ds0\nprovision none\naftr 2001:db8::a1 2001:db8::a2\n",
			      &c, &e), 0);
	assert_int_equal(c.provision, PROVISION_NONE);
	assert_int_equal(c.n_aftrs, 2);
	/* BFD: on, 10 s, 3 unless said */
	assert_true(c.bfd);
	assert_int_equal(c.bfd_interval, 10000);
	assert_int_equal(c.bfd_mult, 3);
	assert_int_equal(load("role b4\ndevice b0\nbfd off\nbfd-interval 30000\nbfd-multiplier 5\n",
			      &c, &e), 0);
	assert_false(c.bfd);
	assert_int_equal(c.bfd_interval, 30000);
	assert_int_equal(c.bfd_mult, 5);
	/* a name: looked up at run time (b4_aftrs.c) */
	assert_int_equal(load("role b4\ndevice b0\naftr aftr.lw4o6.test\n", &c, &e), 0);
	assert_string_equal(c.aftr_name, "aftr.lw4o6.test");
	assert_int_equal(c.n_aftrs, 0);
	assert_int_equal(load("role b4\ndevice b0\naftr AFTR-1.isp.example.\n", &c, &e), 0);
	assert_string_equal(c.aftr_name, "AFTR-1.isp.example.");
	assert_int_equal(load("role b4\ndevice b0\naftr 1aftr.isp9\n", &c, &e), 0);
	assert_int_equal(load("role b4\ndevice b0\nproxy-rate-limit 3\n", &c, &e), 0);
	assert_int_equal(c.proxy_rate, 3);
	assert_int_equal(c.proxy_burst, 6);
	assert_string_equal(config_role_name(ROLE_NONE), "none");
}

static void test_examples(void **state)
{
	struct lw4o6d_config c;
	struct errs e;

	(void)state;
	memset(&e, 0, sizeof(e));
	assert_int_equal(config_load("../../docs/examples/lw4o6d-aftr.conf",
				     &c, collect, &e), 0);
	assert_int_equal(c.role, ROLE_AFTR);
	assert_int_equal(c.n_pools, 2);
	memset(&e, 0, sizeof(e));
	assert_int_equal(config_load("../../docs/examples/lw4o6d-b4.conf",
				     &c, collect, &e), 0);
	assert_int_equal(c.role, ROLE_B4);
	assert_true(c.proxy);
}

#define B4 "role b4\ndevice b0\n"

/* One bad statement on line 5 (after AFTR) or 3 (after B4). */
static const struct {
	const char *text;
	unsigned int line;
	const char *reason;
} bad[] = {
	{ AFTR "pools 10.1.0.0/16\n", 5, "unknown keyword 'pools'" },
	{ AFTR "bfd-state-file run/x\n", 5, "bfd-state-file: 'run/x' is not an absolute path" },
	{ B4 "bfd-state-file /run/x\n", 3, "'bfd-state-file' is an aftr keyword" },
	{ AFTR "devic lw1\n", 5, "unknown keyword 'devic'" },
	{ AFTR "device lw1\n", 5, "'device' given twice (first on line 2)" },
	{ AFTR "quota x\n", 5, "quota: expected a number 1..65535, got 'x'" },
	{ AFTR "quota 0\n", 5, "quota: expected a number 1..65535, got '0'" },
	{ AFTR "quota 65536\n", 5, "quota: expected a number 1..65535, got '65536'" },
	{ AFTR "quota -1\n", 5, "got '-1'" },
	{ AFTR "quota\n", 5, "quota: missing value" },
	{ AFTR "quota 1 2\n", 5, "quota: unexpected '2' after the value" },
	{ AFTR "log-level loud\n", 5, "log-level: expected err, warning, notice, info or debug, got 'loud'" },
	{ AFTR "log-level warn\n", 5, "got 'warn'" },
	{ AFTR "lifetime min 300 max 120\n", 5, "lifetime: min 300 is above max 120" },
	{ AFTR "lifetime min 90000\n", 5, "lifetime: min 90000 is above max 86400 (the default)" },
	{ AFTR "lifetime default 60\n", 5, "lifetime: default 60 is below min 120 (the default)" },
	{ AFTR "lifetime max 600\n", 5, "lifetime: default 7200 (the default) is above max 600" },
	{ AFTR "lifetime min 0\n", 5, "lifetime min: expected a number 1..4294967295, got '0'" },
	{ AFTR "lifetime min 1 min 2\n", 5, "lifetime: 'min' given twice" },
	{ AFTR "lifetime min\n", 5, "lifetime: 'min' needs a value" },
	{ AFTR "lifetime often 5\n", 5, "lifetime: unknown word 'often'" },
	{ AFTR "lifetime 3600\n", 5, "an aftr file takes 'lifetime [min N] [max N] [default N]'" },
	{ AFTR "rate-limit 0\n", 5, "rate-limit: expected a number 1..1000000, got '0'" },
	{ AFTR "rate-limit 5 burst 0\n", 5, "rate-limit burst: expected a number 1..1000000, got '0'" },
	{ AFTR "rate-limit 5 bursts 9\n", 5, "rate-limit: unexpected 'bursts' (expected burst)" },
	{ AFTR "rate-limit 5 burst\n", 5, "rate-limit: 'burst' needs a value" },
	{ AFTR "subscriber-prefix-len 31\n", 5, "subscriber-prefix-len: expected a number 32..128, got '31'" },
	{ AFTR "subscriber-prefix-len 129\n", 5, "got '129'" },
	{ AFTR "max-mappings 0\n", 5, "max-mappings: expected a number 1..4294967295, got '0'" },
	{ AFTR "max-subscribers 0\n", 5, "max-subscribers: expected a number 1..4294967295, got '0'" },
	{ AFTR "audit-retention 36501\n", 5, "audit-retention: expected a number 0..36500, got '36501'" },
	{ AFTR "audit-retention forever\n", 5, "audit-retention: expected a number 0..36500, got 'forever'" },
	{ AFTR "b4-prefix 2001:db8::1/32\n", 5, "b4-prefix 2001:db8::1/32: bits set past the prefix length" },
	{ AFTR "b4-prefix 2001:db8::/129\n", 5, "b4-prefix 2001:db8::/129: expected PREFIX/LEN (LEN 0..128)" },
	{ AFTR "b4-prefix 2001:db8::\n", 5, "b4-prefix 2001:db8::: expected PREFIX/LEN" },
	{ AFTR "b4-prefix 10.0.0.0/8\n", 5, "b4-prefix 10.0.0.0/8: not an IPv6 prefix" },
	{ B4 "b4-prefix 2001:db8::/32\n", 3, "'b4-prefix' is an aftr keyword" },
	{ AFTR "announce maybe\n", 5, "announce: expected yes or no, got 'maybe'" },
	{ AFTR "announce-rate 0\n", 5, "announce-rate: expected a number 1..1000000, got '0'" },
	{ AFTR "announce-rate\n", 5, "announce-rate" },
	{ AFTR "anycast 2001:db8::1\n", 5, "anycast: expected 'anycast ADDR dev IFNAME" },
	{ AFTR "anycast 2001:db8::1 via any0\n", 5, "anycast: expected 'anycast ADDR dev IFNAME" },
	{ AFTR "anycast 10.0.0.1 dev any0\n", 5, "anycast: '10.0.0.1' is not an IPv6 address" },
	{ AFTR "anycast 2001:db8::1 dev any0 upstream 10.0.0.1/8\n", 5, "anycast upstream: 10.0.0.1/8 has bits set past the prefix length" },
	{ AFTR "anycast 2001:db8::1 dev any0 upstream 2001:db8::/32\n", 5, "anycast upstream: '2001:db8::/32' is not an IPv4 prefix" },
	{ AFTR "anycast 2001:db8::1 dev any0 hold-down 3601\n", 5, "anycast hold-down: expected a number 0..3600" },
	{ AFTR "anycast 2001:db8::1 dev any0 hold-down\n", 5, "anycast: 'hold-down' needs a value" },
	{ AFTR "anycast 2001:db8::1 dev any0 drain-file run/x\n", 5, "anycast drain-file: 'run/x' is not an absolute path" },
	{ AFTR "anycast 2001:db8::1 dev any0 withdraw now\n", 5, "anycast: unknown word 'withdraw'" },
	{ AFTR "anycast 2001:db8::1 dev lw0\n", 5, "anycast: dev lw0 is the lw4o6 device" },
	{ B4 "anycast 2001:db8::1 dev any0\n", 3, "'anycast' is an aftr keyword" },
	{ AFTR "listen 10.0.0.1\n", 5, "listen: '10.0.0.1' is not an IPv6 address" },
	{ AFTR "listen ff02::1\n", 5, "listen: ff02::1 is not a unicast address" },
	{ AFTR "listen ::\n", 5, "listen: :: is not a unicast address" },
	{ AFTR "storage sqlite /t.db\n", 5, "'storage' given twice" },
	{ "role aftr\ndevice lw0\npool 10.0.0.0/16 psid-len 4\nstorage mysql /s.db\n", 4,
	  "storage: unknown kind 'mysql' (expected sqlite or postgresql)" },
	{ "role aftr\ndevice lw0\npool 10.0.0.0/16 psid-len 4\nstorage sqlite s.db\n", 4,
	  "storage: path 's.db' is not absolute" },
	{ "role aftr\ndevice lw0\npool 10.0.0.0/16 psid-len 4\nstorage sqlite\n", 4,
	  "storage: expected 'storage sqlite PATH'" },
	{ "role aftr\ndevice lw0\npool 10.0.0.0/16 psid-len 4\nstorage sqlite /a b\n", 4,
	  "storage: unexpected 'b' after the target (quote a target that holds spaces)" },
	{ AFTR "storage sqlite \"/a b\n", 5, "unterminated quote: a '\"' at column 16 has no closing '\"'" },
	{ AFTR "node \"a\"b\n", 5, "a closing quote must end its word (column 9)" },
	{ AFTR "node a\"b\"\n", 5, "a quote inside a word (column 7): quote the whole word" },
	{ AFTR "node a/b\n", 5, "node: 'a/b' is not a name (letters, digits, '.', '-', '_')" },
	{ AFTR "node \"\"\n", 5, "node: '' is not a name" },
	{ AFTR "node aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", 5, "node: the name is longer than 63 bytes" },
	{ AFTR "redundancy cold\n", 5, "redundancy: expected hot or on-demand, got 'cold'" },
	{ AFTR "redundancy on-demand\n", 5, "redundancy on-demand needs a store shared with the other lwAFTRs ('storage postgresql \"CONNINFO\"'), not sqlite" },
	{ AFTR "miss-hold 300\n", 5, "'miss-hold' needs 'redundancy on-demand'" },
	{ AFTR "miss-rate 5 global 50\n", 5, "'miss-rate' needs 'redundancy on-demand'" },
	{ AFTR "pool 10.0.0.0/8 psid-len 4\n", 5, "pool 10.0.0.0/8: prefix length must be 16..32" },
	{ AFTR "pool 10.1.0.0/33 psid-len 4\n", 5, "pool 10.1.0.0/33: prefix length must be 16..32" },
	{ AFTR "pool 10.1.0.0 psid-len 4\n", 5, "pool 10.1.0.0: expected PREFIX/LEN" },
	{ AFTR "pool 10.1.0.x/16 psid-len 4\n", 5, "pool 10.1.0.x/16: '10.1.0.x' is not an IPv4 address" },
	{ AFTR "pool 10.1.0.1/24 psid-len 4\n", 5, "pool 10.1.0.1/24: host bits are set (the prefix is 10.1.0.0/24)" },
	{ AFTR "pool 10.1.0.0/16\n", 5, "pool 10.1.0.0/16: psid-len is required" },
	{ AFTR "pool 10.1.0.0/16 psid-len 17\n", 5, "pool 10.1.0.0/16: psid-len: expected a number 0..16, got '17'" },
	{ AFTR "pool 10.1.0.0/16 psid-len 4 offset 16\n", 5, "offset: expected a number 0..15, got '16'" },
	{ AFTR "pool 10.1.0.0/16 psid-len 12 offset 6\n", 5, "pool 10.1.0.0/16: offset 6 + psid-len 12 is above 16" },
	{ AFTR "pool 10.1.0.0/16 psid-len 4 psid-len 5\n", 5, "pool 10.1.0.0/16: 'psid-len' given twice" },
	{ AFTR "pool 10.1.0.0/16 psid-len\n", 5, "pool 10.1.0.0/16: 'psid-len' needs a value" },
	{ AFTR "pool 10.1.0.0/16 psid 4\n", 5, "pool 10.1.0.0/16: unknown word 'psid'" },
	{ AFTR "pool 10.1.0.0/16 psid-len 4 exclude 10.2.0.1\n", 5, "pool 10.1.0.0/16: exclude 10.2.0.1 is outside the pool" },
	{ AFTR "pool 10.1.0.0/16 psid-len 4 exclude 10.1.0.1,10.1.0.1\n", 5, "exclude 10.1.0.1 given twice" },
	{ AFTR "pool 10.1.0.0/16 psid-len 4 exclude 10.1.0.1,\n", 5, "empty address in the exclude list" },
	{ AFTR "pool 10.1.0.0/16 psid-len 4 exclude 10.1.0.1 10.1.0.2\n", 5, "unknown word '10.1.0.2'" },
	{ AFTR "pool 10.1.0.0/16 psid-len 4 exclude x\n", 5, "exclude 'x' is not an IPv4 address" },
	{ AFTR "pool 10.1.0.0/31 psid-len 4 exclude 10.1.0.0,10.1.0.1\n", 5, "pool 10.1.0.0/31: every address is excluded" },
	{ AFTR "pool 10.0.128.0/24 psid-len 4\n", 5, "pool 10.0.128.0/24 overlaps pool 10.0.0.0/16 (line 4)" },
	{ AFTR "pool 10.0.0.0/16 psid-len 2\n", 5, "pool 10.0.0.0/16 overlaps pool 10.0.0.0/16 (line 4)" },
	{ AFTR "server 2001:db8::1\n", 5, "'server' is a b4 keyword; this is an aftr file" },
	{ AFTR "proxy 192.168.1.1\n", 5, "'proxy' is a b4 keyword; this is an aftr file" },
	{ AFTR "port-set-size 10\n", 5, "'port-set-size' is a b4 keyword" },
	{ AFTR "role b4\n", 5, "'role' given twice (first on line 1)" },
	{ "role b4\ndevice\n", 2, "device: missing value" },
	{ B4 "pool 10.0.0.0/16 psid-len 4\n", 3, "'pool' is an aftr keyword; this is a b4 file" },
	{ B4 "storage sqlite /s.db\n", 3, "'storage' is an aftr keyword; this is a b4 file" },
	{ B4 "quota 2\n", 3, "'quota' is an aftr keyword" },
	{ B4 "lifetime min 1\n", 3, "lifetime: a b4 file takes 'lifetime N'" },
	{ B4 "lifetime 60 120\n", 3, "lifetime: unexpected '120' after the value" },
	{ B4 "lifetime 0\n", 3, "lifetime: expected a number 1..4294967295, got '0'" },
	{ B4 "port-set-size 0\n", 3, "port-set-size: expected a number 1..65535, got '0'" },
	{ B4 "port-set-size 65536\n", 3, "port-set-size: expected a number 1..65535, got '65536'" },
	{ B4 "transport udp\n", 3, "transport: expected ipv6 or softwire, got 'udp'" },
	{ B4 "server 2001:db8::1\n", 3, "server: only used with 'transport ipv6'" },
	{ B4 "aftr\n", 3, "aftr: expected 1..8 IPv6 addresses" },
	{ B4 "aftr 2001:db8::1 2001:db8::2 2001:db8::3 2001:db8::4 2001:db8::5 2001:db8::6 2001:db8::7 2001:db8::8 2001:db8::9\n", 3, "aftr: expected 1..8 IPv6 addresses" },
	{ B4 "aftr 2001:db8::1 192.0.2.1\n", 3, "aftr: '192.0.2.1' is not an IPv6 address" },
	{ B4 "aftr 2001:db8::1 2001:db8::1\n", 3, "aftr: 2001:db8::1 is listed twice" },
	{ B4 "aftr 192.0.2.1\n", 3, "aftr: '192.0.2.1' is neither an IPv6 address nor a DNS name" },
	{ B4 "bfd yes\n", 3, "bfd: expected on or off, got 'yes'" },
	{ B4 "bfd-interval 9\n", 3, "bfd-interval" },
	{ B4 "bfd-interval 3600001\n", 3, "bfd-interval" },
	{ B4 "bfd-multiplier 0\n", 3, "bfd-multiplier" },
	{ B4 "bfd-multiplier 256\n", 3, "bfd-multiplier" },
	{ B4 "bfd-max-sessions 10\n", 3, "'bfd-max-sessions' is an aftr keyword" },
	{ B4 "aftr -aftr.example.net\n", 3, "aftr: '-aftr.example.net' is neither" },
	{ B4 "aftr aftr..example.net\n", 3, "aftr: 'aftr..example.net' is neither" },
	{ B4 "aftr aftr-.example.net\n", 3, "aftr: 'aftr-.example.net' is neither" },
	{ B4 "aftr aftr_1.example.net\n", 3, "aftr: 'aftr_1.example.net' is neither" },
	{ B4 "aftr aftr.example.net 2001:db8::1\n", 3, "aftr: 'aftr.example.net' is not an IPv6 address" },
	{ B4 "aftr aftr.example.net\ntransport ipv6\nserver 2001:db8::9\n", 5, "server: not with 'aftr'" },
	{ B4 "aftr 2001:db8::1\ntransport ipv6\nserver 2001:db8::9\n", 5, "server: not with 'aftr'" },
	{ B4 "aftr 2001:db8::1\nprovision dhcp4o6\ndhcp4o6-interface u0\n", 3, "aftr: failing over between AFTRs is for 'provision pcp'" },
	{ B4 "uplink\n", 3, "uplink: missing value" },
	{ B4 "uplink a/b\n", 3, "uplink: 'a/b' is not an interface name" },
	{ B4 "uplink wan0\nprovision dhcp4o6\ndhcp4o6-interface u0\n", 3, "uplink: with DHCPv4 over DHCPv6 it must be the dhcp4o6-interface (u0)" },
	{ B4 "uplink wan0\nprovision auto\ndhcp4o6-interface u0\n", 3, "uplink: with DHCPv4 over DHCPv6 it must be the dhcp4o6-interface (u0)" },
	{ AFTR "aftr 2001:db8::1\n", 5, "'aftr' is a b4 keyword" },
	{ B4 "transport ipv6\nserver 192.0.2.1\n", 4, "server: '192.0.2.1' is not an IPv6 address" },
	{ B4 "proxy\n", 3, "proxy: missing address" },
	{ B4 "proxy 224.0.0.1\n", 3, "proxy: 224.0.0.1 is not a unicast address" },
	{ B4 "proxy 255.255.255.255\n", 3, "proxy: 255.255.255.255 is not a unicast address" },
	{ B4 "proxy 0.0.0.0\n", 3, "proxy: 0.0.0.0 is not a unicast address" },
	{ B4 "proxy fe80::1\n", 3, "proxy: 'fe80::1' is not an IPv4 address" },
	{ B4 "proxy 10.0.0.1 10.0.0.1\n", 3, "proxy: 10.0.0.1 given twice" },
	{ B4 "proxy 10.0.0.1 10.0.0.2 10.0.0.3 10.0.0.4 10.0.0.5 10.0.0.6 10.0.0.7 10.0.0.8 10.0.0.9\n",
	  3, "proxy: at most 8 addresses, got 9" },
	{ B4 "proxy-lifetime-max 0\n", 3, "proxy-lifetime-max: expected a number 1..4294967295, got '0'" },
	{ B4 "proxy-rate-limit 0\n", 3, "proxy-rate-limit: expected a number 1..100000, got '0'" },
	{ B4 "proxy-rate-limit 5 burst\n", 3, "proxy-rate-limit: 'burst' needs a value" },
	{ B4 "proxy-rate-limit 5 bust 9\n", 3, "proxy-rate-limit: unexpected 'bust' (expected burst)" },
	{ B4 "proxy-rate-limit 5 burst 100001\n", 3, "proxy-rate-limit burst: expected a number 1..100000, got '100001'" },
	{ B4 "forward-guard maybe\n", 3, "forward-guard: expected yes or no, got 'maybe'" },
	{ AFTR "proxy-rate-limit 5\n", 5, "'proxy-rate-limit' is a b4 keyword; this is an aftr file" },
	{ "device lw0\nrole aftr\nstorage sqlite /s.db\npool 10.0.0.0/16 psid-len 4\n", 2,
	  "'role' must be the first statement (line 1 comes before it)" },
	{ "role router\ndevice lw0\n", 1, "role: expected aftr, b4 or server, got 'router'" },
	{ "role b4\ndevice abcdefghijklmnopq\n", 2, "device: device name \"abcdefghijklmnopq\" is longer than 15 bytes" },
	{ "role b4\ndevice a/b\n", 2, "device: 'a/b' is not a valid interface name" },
	{ "role b4\ndevice b0\nfoo\x01\n", 3, "unknown keyword 'foo?'" },
	{ "role b4\ndevice b0\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n", 3,
	  "unknown keyword 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...'" },
	/* whole-file rules: line 0 */
	{ "device b0\n", 0, "no 'role' statement" },
	{ "role b4\n", 0, "no 'device' statement" },
	{ "role aftr\ndevice lw0\npool 10.0.0.0/16 psid-len 4\n", 0, "role aftr needs 'storage sqlite PATH'" },
	{ "role aftr\ndevice lw0\nstorage sqlite /s.db\n", 0, "role aftr needs at least one 'pool'" },
	/* DHCPv4-over-DHCPv6 (config_dhcp.c) */
#define SRV "role server\nlisten 2001:db8::9\nstorage sqlite /s.db\npool 10.0.0.0/16 psid-len 4\n"
	{ AFTR "dhcp4o6 yes\n", 5, "dhcp4o6: expected on or off, got 'yes'" },
	{ AFTR "dhcp4o6 on\n", 5, "dhcp4o6: needs 'dhcp4o6-interface IFACE' or 'listen ADDR' to hear clients on" },
	{ AFTR "dhcp4o6 on\nrelay 2001:db8::9\ndhcp4o6-interface eth0\n", 6, "relay: an aftr either serves DHCPv4-over-DHCPv6 ('dhcp4o6 on') or relays it, not both" },
	{ AFTR "dhcp4o6-interface eth0\n", 5, "dhcp4o6-interface: only used with 'dhcp4o6 on' or 'relay'" },
	{ AFTR "dhcp4o6 on\ndhcp4o6-interface eth0 eth0\n", 6, "dhcp4o6-interface: eth0 given twice" },
	{ AFTR "dhcp4o6 on\nlisten 2001:db8::1\ndhcp4o6-interface a/b\n", 7, "dhcp4o6-interface: 'a/b' is not a valid interface name" },
	{ AFTR "relay ff02::1:2\n", 5, "relay: ff02::1:2 is not a unicast address" },
	{ AFTR "relay 2001:db8::1 2001:db8::1\n", 5, "relay: 2001:db8::1 given twice" },
	{ AFTR "relay 2001:db8::1 2001:db8::2 2001:db8::3 2001:db8::4 2001:db8::5\n", 5, "relay: more than 4 addresses" },
	{ AFTR "decline-hold 90000\n", 5, "decline-hold: expected a number 0..86400, got '90000'" },
	{ AFTR "provision dhcp4o6\n", 5, "'provision' is a b4 keyword; this is an aftr file" },
	{ "role aftr\ndevice lw0\nrelay 2001:db8::9\n", 3, "relay: needs 'dhcp4o6-interface IFACE' or 'listen ADDR' to hear clients on" },
	{ SRV "dhcp4o6 on\n", 5, "dhcp4o6: a server always serves; leave it out" },
	{ SRV "device lw0\n", 5, "device: role server drives no device (its relays' aftrs do)" },
	{ SRV "relay 2001:db8::1\n", 5, "relay: a server does not relay (that is an aftr's 'relay')" },
	{ SRV "server 2001:db8::1\n", 5, "'server' is a b4 keyword; this is a server file" },
	{ "role server\nstorage sqlite /s.db\npool 10.0.0.0/16 psid-len 4\n", 0, "role server needs 'listen ADDR' (the address its relays send to)" },
	{ "role server\nlisten 2001:db8::9\npool 10.0.0.0/16 psid-len 4\n", 0, "role server needs 'storage sqlite PATH'" },
	{ SRV "s46-binding 00:03:00:01:02:03:04:05:06:07 192.0.2.1 psid 3/4 prefix 2001:db8:1::/64\n", 5, "s46-binding: needs at least one 's46-br ADDR' (the BR in S46_CONT_LW)" },
	{ SRV "s46-binding 0003 192.0.2.1 psid 3/4 prefix 2001:db8::/64\n", 5, "s46-binding: '0003' is not a DUID (hex bytes, at least 3)" },
	{ SRV "s46-binding 000301 192.0.2.1 psid 16/4 prefix 2001:db8::/64\n", 5, "s46-binding: psid: expected P/K with P < 2^K, K 0..16" },
	{ SRV "s46-binding 000301 192.0.2.1 psid 3/4 offset 14 prefix 2001:db8::/64\n", 5, "s46-binding: offset 14 + psid length 4 is above 16" },
	{ SRV "s46-binding 000301 192.0.2.1 psid 3/4 prefix 2001:db8::/96\n", 5, "s46-binding: prefix length 96: the B4's address needs a /128 or at most a /64" },
	{ SRV "s46-binding 000301 192.0.2.1 psid 3/4 prefix 2001:db8::1/64\n", 5, "s46-binding prefix: 2001:db8::1/64 has bits set past the prefix length" },
	{ SRV "s46-binding 000301 192.0.2.1 psid 3/4\n", 5, "s46-binding: expected 's46-binding DUID IPV4 psid P/K [offset A] prefix IPV6/LEN'" },
	{ SRV "s46-br 2001:db8::1\ns46-binding 000301 192.0.2.1 psid 3/4 prefix 2001:db8::/64\ns46-binding 00:03:01 192.0.2.2 psid 3/4 prefix 2001:db8::/64\n", 7, "s46-binding: DUID 00:03:01 given twice" },
	{ SRV "s46-br 2001:db8::1\ns46-binding 000301 192.0.2.1 psid 3/4 prefix 2001:db8::/64\ns46-binding 000302 192.0.2.1 psid 3/4 prefix 2001:db8::/64\n", 7, "s46-binding: 192.0.2.1 psid 3/4 given twice" },
	{ B4 "provision dhcp\n", 3, "provision: expected pcp, dhcp4o6, auto or none, got 'dhcp'" },
	{ B4 "provision none\nproxy 192.168.1.1\n", 4, "proxy: not with 'provision none'" },
	{ B4 "provision none\nuplink u0\n", 4, "uplink: not with 'provision none'" },
	{ B4 "provision none\ndhcp4o6-interface u0\n", 4, "dhcp4o6-interface: only used with" },
	{ B4 "provision dhcp4o6\n", 3, "provision dhcp4o6 needs one 'dhcp4o6-interface IFACE' (the uplink DHCPv6 is sent on)" },
	{ B4 "provision auto\ndhcp4o6-interface a b\n", 4, "provision auto needs one 'dhcp4o6-interface IFACE' (the uplink DHCPv6 is sent on)" },
	{ B4 "dhcp4o6-interface eth0\n", 3, "dhcp4o6-interface: only used with 'provision dhcp4o6' or 'provision auto'" },
	{ B4 "provision dhcp4o6\ndhcp4o6-interface eth0\nlease-file rel\n", 5, "lease-file: the path must be absolute" },
	{ B4 "relay 2001:db8::1\n", 3, "'relay' is an aftr keyword; this is a b4 file" },
	{ SRV "redundancy hot\n", 5, "'redundancy' is for an aftr: a server has no device" },
	{ SRV "bfd-interval 1000\n", 5, "bfd: BFD runs inside softwires" },
	{ SRV "bfd-max-sessions 10\n", 5, "bfd: BFD runs inside softwires" },
	{ SRV "bfd-state-file /run/x\n", 5, "bfd: BFD runs inside softwires" },
	{ SRV "miss-queue 10\n", 5, "'miss-queue' is for an aftr: a server has no device" },
};

static void test_errors(void **state)
{
	struct lw4o6d_config c;
	struct errs e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (load(bad[i].text, &c, &e) != 1 || e.n != 1) {
			dump(&e);
			fail_msg("case %zu: expected one error, line %u: %s", i,
				 bad[i].line, bad[i].reason);
		}
		assert_string_equal(e.file, path);
		assert_reason(&e, 0, bad[i].line, bad[i].reason);
	}
}

/* Every mistake is reported, in line order, the whole-file ones last. */
static void test_many_errors(void **state)
{
	struct lw4o6d_config c;
	struct errs e;
	int n;

	(void)state;
	n = load(
		"device lw0\n"				/* 1 */
		"quota x\n"				/* 2 */
		"role aftr\n"				/* 3 */
		"pool 10.0.0.0/8 psid-len 4\n"		/* 4 */
		"lifetime min 300 max 120\n"		/* 5 */
		"server 2001:db8::1\n"			/* 6 */
		"device lw1\n"				/* 7 */
		"pools 10.0.0.0/16\n"			/* 8 */
		"proxy 10.0.0.1\n"			/* 9 */
		"pool 10.0.0.0/16 psid-len 4 offset 13\n",	/* 10 */
		&c, &e);
	if (e.n != 10)
		dump(&e);
	assert_int_equal(e.n, 10);
	assert_int_equal(n, 10);
	assert_reason(&e, 0, 2, "quota: expected a number 1..65535, got 'x'");
	assert_reason(&e, 1, 3, "'role' must be the first statement");
	assert_reason(&e, 2, 4, "prefix length must be 16..32");
	assert_reason(&e, 3, 5, "lifetime: min 300 is above max 120");
	assert_reason(&e, 4, 6, "'server' is a b4 keyword; this is an aftr file");
	assert_reason(&e, 5, 7, "'device' given twice (first on line 1)");
	assert_reason(&e, 6, 8, "unknown keyword 'pools'");
	assert_reason(&e, 7, 9, "'proxy' is a b4 keyword; this is an aftr file");
	assert_reason(&e, 8, 10, "offset 13 + psid-len 4 is above 16");
	assert_reason(&e, 9, 0, "role aftr needs 'storage sqlite PATH'");
	/* Not "needs at least one pool": the bad pool lines say enough. */

	/* An empty file misses everything. */
	assert_int_equal(load("# nothing\n\n", &c, &e), 2);
	assert_reason(&e, 0, 0, "no 'device' statement");
	assert_reason(&e, 1, 0, "no 'role' statement");
}

static void test_missing_file(void **state)
{
	struct lw4o6d_config c;
	struct errs e;

	(void)state;
	memset(&e, 0, sizeof(e));
	assert_int_equal(config_load("/nonexistent/lw4o6d.conf", &c, collect, &e),
			 -ENOENT);
	assert_int_equal(e.n, 1);
	assert_string_equal(e.file, "/nonexistent/lw4o6d.conf");
	assert_reason(&e, 0, 0, "cannot open: No such file or directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aftr_full),
		cmocka_unit_test(test_aftr_defaults),
		cmocka_unit_test(test_failover_words),
		cmocka_unit_test(test_miss_values),
		cmocka_unit_test(test_on_demand),
		cmocka_unit_test(test_b4_full),
		cmocka_unit_test(test_dhcp_full),
		cmocka_unit_test(test_examples),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_many_errors),
		cmocka_unit_test(test_missing_file),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
