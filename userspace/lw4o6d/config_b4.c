// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * lw4o6d.conf, the B4's statements: server, transport, port-set-size,
 * proxy, proxy-lifetime-max, proxy-rate-limit and forward-guard, and the
 * B4's whole-file rules.
 */
#include <ctype.h>
#include <string.h>
#include <arpa/inet.h>

#include "config_int.h"
#include "strconv.h"

#define PROXY_RATE_MAX	100000U
#define PROXY_MAX	(sizeof(((struct lw4o6d_config *)0)->proxy_addr) / \
			 sizeof(uint32_t))

static bool ipv4_unicast(uint32_t be)
{
	uint32_t a = ntohl(be);

	/* 0/8 "this network", 224/4 multicast, 240/4 reserved and broadcast */
	return (a >> 24) != 0 && (a >> 28) < 14;
}

static void kw_server(struct parser *p, int argc, char **argv)
{
	if (nargs(p, "server", argc, 1, argv) &&
	    get_ipv6(p, "server", argv[0], &p->c->server))
		p->c->has_server = true;
}

/* aftr ADDR [ADDR ...]: the AFTRs to fail over between, first the preferred */
/*
 * A host name as resolvers take it (RFC 1123 2.1 labels, dot-separated,
 * an optional final dot): letters, digits and inner hyphens, 1..63 per
 * label, 253 in all.
 */
static bool is_dns_name(const char *s)
{
	size_t len = strlen(s), label = 0, i;

	if (!len || len >= CONFIG_AFTR_NAME_LEN || s[0] == '.')
		return false;
	for (i = 0; i < len; i++) {
		char ch = s[i];

		if (ch == '.') {
			if (!label || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)ch) && (ch != '-' || !label))
			return false;
		if (++label > 63)
			return false;
	}
	if (label && s[len - 1] == '-')
		return false;
	/* "192.0.2.1": an IPv4 address, not a name (RFC 1123 2.1: the top
	 * label is never all digits) */
	for (i = len - (s[len - 1] == '.'); i > 0 && s[i - 1] != '.'; i--)
		if (!isdigit((unsigned char)s[i - 1]))
			return true;
	return false;
}

/*
 * aftr ADDR [ADDR ...] | aftr NAME: the AFTRs to fail over between; a
 * name is looked up at run time (b4_aftrs.c), a word with no ':' being
 * one.
 */
static void kw_aftr(struct parser *p, int argc, char **argv)
{
	struct lw4o6d_config *c = p->c;
	char t[TOK_LEN];
	int i, j;

	if (!argc || argc > CONFIG_MAX_AFTRS) {
		lerr(p, "aftr: expected 1..%d IPv6 addresses, or one DNS name",
		     CONFIG_MAX_AFTRS);
		return;
	}
	if (argc == 1 && !strchr(argv[0], ':')) {
		if (!is_dns_name(argv[0])) {
			lerr(p, "aftr: '%s' is neither an IPv6 address nor a DNS name",
			     tok(t, argv[0]));
			return;
		}
		strcpy(c->aftr_name, argv[0]);
		c->n_aftrs = 0;
		return;
	}
	c->aftr_name[0] = '\0';
	for (i = 0; i < argc; i++) {
		if (!get_ipv6(p, "aftr", argv[i], &c->aftrs[i]))
			return;
		for (j = 0; j < i; j++)
			if (!memcmp(&c->aftrs[i], &c->aftrs[j], sizeof(c->aftrs[i]))) {
				lerr(p, "aftr: %s is listed twice", tok(t, argv[i]));
				return;
			}
	}
	c->n_aftrs = (size_t)argc;
}

/* uplink IFNAME: WAN renumbering, the softwire's source follows it (b4_uplink.c) */
static void kw_uplink(struct parser *p, int argc, char **argv)
{
	char t[TOK_LEN];

	if (!nargs(p, "uplink", argc, 1, argv))
		return;
	if (!argv[0][0] || strlen(argv[0]) >= IF_NAMESIZE || strchr(argv[0], '/')) {
		lerr(p, "uplink: '%s' is not an interface name", tok(t, argv[0]));
		return;
	}
	strcpy(p->c->uplink, argv[0]);
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

/* "proxy-rate-limit N [burst M]": as the AFTR's rate-limit, per LAN host. */
static void kw_proxy_rate_limit(struct parser *p, int argc, char **argv)
{
	uint32_t rate, burst;
	char t[TOK_LEN];

	if (!argc) {
		lerr(p, "proxy-rate-limit: missing value");
		return;
	}
	if (!get_num(p, "proxy-rate-limit", argv[0], 1, PROXY_RATE_MAX, &rate))
		return;
	if (argc == 1) {
		burst = 2 * rate;
	} else if (strcmp(argv[1], "burst")) {
		lerr(p, "proxy-rate-limit: unexpected '%s' (expected burst)",
		     tok(t, argv[1]));
		return;
	} else if (argc == 2) {
		lerr(p, "proxy-rate-limit: 'burst' needs a value");
		return;
	} else if (argc > 3) {
		lerr(p, "proxy-rate-limit: unexpected '%s' after the burst",
		     tok(t, argv[3]));
		return;
	} else if (!get_num(p, "proxy-rate-limit burst", argv[2], 1,
			    PROXY_RATE_MAX, &burst)) {
		return;
	}
	p->c->proxy_rate = rate;
	p->c->proxy_burst = burst;
}

static void kw_forward_guard(struct parser *p, int argc, char **argv)
{
	get_bool(p, "forward-guard", "yes", "no", argc, argv,
		 &p->c->forward_guard);
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

const struct keyword config_b4_keywords[] = {
	{ "server",		KW_B4,   false, kw_server },
	{ "aftr",		KW_B4,   false, kw_aftr },
	{ "transport",		KW_B4,   false, kw_transport },
	{ "uplink",		KW_B4,   false, kw_uplink },
	{ "port-set-size",	KW_B4,   false, kw_port_set_size },
	{ "proxy",		KW_B4,   false, kw_proxy },
	{ "proxy-lifetime-max",	KW_B4,   false, kw_proxy_lifetime_max },
	{ "proxy-rate-limit",	KW_B4,   false, kw_proxy_rate_limit },
	{ "forward-guard",	KW_B4,   false, kw_forward_guard },
	{ NULL, KW_B4, false, NULL },
};

void config_b4_check(struct parser *p)
{
	const struct lw4o6d_config *c = p->c;

	if (p->lt_form == LT_AFTR)
		report(p, seen_line(p, "lifetime"),
		       "lifetime: a b4 file takes 'lifetime N' (the lifetime it asks for)");
	if (c->has_server && !c->transport_ipv6)
		report(p, seen_line(p, "server"),
		       "server: only used with 'transport ipv6' (over the softwire, requests go to the device's remote)");
	if (c->has_server && (c->n_aftrs || c->aftr_name[0]))
		report(p, seen_line(p, "server"),
		       "server: not with 'aftr' (PCP goes to the AFTR in use)");
	if ((c->n_aftrs || c->aftr_name[0]) && c->provision != PROVISION_PCP &&
	    c->provision != PROVISION_NONE)
		report(p, seen_line(p, "aftr"),
		       "aftr: failing over between AFTRs is for 'provision pcp' or 'none' (DHCPv4 over DHCPv6 names its own, option 90)");
	if (c->provision == PROVISION_NONE) {
		static const char *const pcp_only[] = {
			"uplink", "proxy", "transport", "server", "port-set-size",
			"lifetime",
		};
		unsigned int i, l;

		for (i = 0; i < sizeof(pcp_only) / sizeof(pcp_only[0]); i++)
			if ((l = seen_line(p, pcp_only[i])))
				report(p, l, "%s: not with 'provision none' (nothing is provisioned)",
				       pcp_only[i]);
	}
	/*
	 * DHCPv4 over DHCPv6 (and provision auto, until it hands over to
	 * PCP) asks the servers on its dhcp4o6-interface and puts the
	 * softwire's source there: following the addresses of another link
	 * would move the source away from where the DHCP servers see it.
	 */
	if (c->uplink[0] && c->provision != PROVISION_PCP &&
	    c->n_dhcp_ifaces == 1 && strcmp(c->uplink, c->dhcp_ifaces[0]))
		report(p, seen_line(p, "uplink"),
		       "uplink: with DHCPv4 over DHCPv6 it must be the dhcp4o6-interface (%s)",
		       c->dhcp_ifaces[0]);
}
