// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * lw4o6d.conf, the DHCPv4-over-DHCPv6 statements of every role: dhcp4o6,
 * dhcp4o6-interface, relay, relay-peer, decline-hold, s46-br and
 * s46-binding (aftr and server), provision and lease-file (b4), and their
 * whole-file rules.
 */
#include <stdio.h>
#include <string.h>
#include <net/if.h>
#include <arpa/inet.h>

#include "config_int.h"
#include "strconv.h"

static void kw_dhcp4o6(struct parser *p, int argc, char **argv)
{
	get_bool(p, "dhcp4o6", "on", "off", argc, argv, &p->c->dhcp4o6);
}

static bool in6_listed(const struct in6_addr *list, size_t n,
		       const struct in6_addr *a)
{
	while (n--)
		if (!memcmp(&list[n], a, sizeof(*a)))
			return true;
	return false;
}

/* "KW ADDR ..." adding to list (of cap), each address once; all or none. */
static void addr_list(struct parser *p, const char *kw, int argc, char **argv,
		      struct in6_addr *list, size_t *n, size_t cap)
{
	struct in6_addr a[CONFIG_MAX_RELAY_PEERS];
	size_t k = *n;
	char t[TOK_LEN];
	int i;

	if (!argc) {
		lerr(p, "%s: missing address", kw);
		return;
	}
	memcpy(a, list, k * sizeof(a[0]));
	for (i = 0; i < argc; i++) {
		if (k == cap) {
			lerr(p, "%s: more than %zu addresses", kw, cap);
			return;
		}
		if (!get_ipv6(p, kw, argv[i], &a[k]))
			return;
		if (in6_listed(a, k, &a[k])) {
			lerr(p, "%s: %s given twice", kw, tok(t, argv[i]));
			return;
		}
		k++;
	}
	memcpy(list, a, k * sizeof(a[0]));
	*n = k;
}

static void kw_dhcp4o6_interface(struct parser *p, int argc, char **argv)
{
	struct lw4o6d_config *c = p->c;
	char t[TOK_LEN], msg[128];
	size_t j;
	int i;

	if (!argc) {
		lerr(p, "dhcp4o6-interface: missing interface name");
		return;
	}
	for (i = 0; i < argc; i++) {
		if (check_ifname(argv[i], msg, sizeof(msg))) {
			lerr(p, "dhcp4o6-interface: %s", printable(msg));
			return;
		}
		for (j = 0; j < c->n_dhcp_ifaces; j++) {
			if (!strcmp(c->dhcp_ifaces[j], argv[i])) {
				lerr(p, "dhcp4o6-interface: %s given twice",
				     tok(t, argv[i]));
				return;
			}
		}
		if (c->n_dhcp_ifaces == CONFIG_MAX_DHCP_IFACES) {
			lerr(p, "dhcp4o6-interface: more than %d interfaces",
			     CONFIG_MAX_DHCP_IFACES);
			return;
		}
		strcpy(c->dhcp_ifaces[c->n_dhcp_ifaces++], argv[i]);
	}
}

static void kw_relay(struct parser *p, int argc, char **argv)
{
	addr_list(p, "relay", argc, argv, p->c->relay, &p->c->n_relay,
		  CONFIG_MAX_RELAY);
}

static void kw_relay_peer(struct parser *p, int argc, char **argv)
{
	addr_list(p, "relay-peer", argc, argv, p->c->relay_peers,
		  &p->c->n_relay_peers, CONFIG_MAX_RELAY_PEERS);
}

static void kw_s46_br(struct parser *p, int argc, char **argv)
{
	addr_list(p, "s46-br", argc, argv, p->c->s46_br, &p->c->n_s46_br,
		  CONFIG_MAX_S46_BR);
}

static void kw_decline_hold(struct parser *p, int argc, char **argv)
{
	if (nargs(p, "decline-hold", argc, 1, argv))
		get_num(p, "decline-hold", argv[0], 0, 86400,
			&p->c->decline_hold);
}

/* A DUID in hex, bytes optionally separated by ':' (as Kea writes them). */
static bool parse_duid(const char *s, uint8_t *out, uint8_t *len)
{
	size_t n = 0;
	unsigned int v;

	while (*s) {
		if (*s == ':' && n)
			s++;
		if (sscanf(s, "%2x", &v) != 1 || !s[1] ||
		    !strchr("0123456789abcdefABCDEF", s[0]) ||
		    !strchr("0123456789abcdefABCDEF", s[1]) ||
		    n == CONFIG_DUID_MAX)
			return false;
		out[n++] = (uint8_t)v;
		s += 2;
	}
	*len = (uint8_t)n;
	return n >= 3;	/* RFC 8415 11.1: a type and at least one byte */
}

/* "IPV6/LEN" with no bits past LEN. */
static bool get_prefix6(struct parser *p, const char *kw, char *s,
			struct in6_addr *a, uint8_t *plen)
{
	char t[TOK_LEN], *slash = strchr(s, '/');
	struct in6_addr m;
	uint32_t v;

	tok(t, s);
	if (!slash || parse_u32(slash + 1, 128, &v)) {
		lerr(p, "%s: '%s' is not PREFIX/LEN (LEN 0..128)", kw, t);
		return false;
	}
	*slash = '\0';
	if (parse_ipv6(s, a)) {
		lerr(p, "%s: '%s' is not an IPv6 prefix", kw, t);
		return false;
	}
	m = *a;
	in6_mask(&m, (uint8_t)v);
	if (memcmp(&m, a, sizeof(m))) {
		lerr(p, "%s: %s has bits set past the prefix length", kw, t);
		return false;
	}
	*plen = (uint8_t)v;
	return true;
}

/* "s46-binding DUID IPV4 psid P/K [offset A] prefix IPV6/LEN" */
static void kw_s46_binding(struct parser *p, int argc, char **argv)
{
	static const char form[] =
		"expected 's46-binding DUID IPV4 psid P/K [offset A] prefix IPV6/LEN'";
	struct lw4o6d_config *c = p->c;
	struct config_s46 b;
	uint32_t v, k;
	char t[TOK_LEN], *slash;
	bool has_psid = false, has_prefix = false;
	size_t j;
	int i;

	memset(&b, 0, sizeof(b));
	if (argc < 2) {
		lerr(p, "s46-binding: %s", form);
		return;
	}
	if (!parse_duid(argv[0], b.duid, &b.duid_len)) {
		lerr(p, "s46-binding: '%s' is not a DUID (hex bytes, at least 3)",
		     tok(t, argv[0]));
		return;
	}
	if (parse_ipv4(argv[1], &b.ipv4)) {
		lerr(p, "s46-binding: '%s' is not an IPv4 address", tok(t, argv[1]));
		return;
	}
	b.offset = 6;
	for (i = 2; i < argc; i += 2) {
		if (i + 1 == argc) {
			lerr(p, "s46-binding: '%s' needs a value", tok(t, argv[i]));
			return;
		}
		if (!strcmp(argv[i], "psid")) {
			slash = strchr(argv[i + 1], '/');
			if (!slash || parse_u32(slash + 1, 16, &k) ||
			    (*slash = '\0', parse_u32(argv[i + 1], 65535, &v)) ||
			    (k < 16 && v >> k)) {
				lerr(p, "s46-binding: psid: expected P/K with P < 2^K, K 0..16");
				return;
			}
			b.psid = (uint16_t)v;
			b.psid_len = (uint8_t)k;
			has_psid = true;
		} else if (!strcmp(argv[i], "offset")) {
			if (!get_num(p, "s46-binding offset", argv[i + 1], 0, 15, &v))
				return;
			b.offset = (uint8_t)v;
		} else if (!strcmp(argv[i], "prefix")) {
			if (!get_prefix6(p, "s46-binding prefix", argv[i + 1],
					 &b.prefix, &b.prefix_len))
				return;
			has_prefix = true;
		} else {
			lerr(p, "s46-binding: unexpected '%s'; %s", tok(t, argv[i]),
			     form);
			return;
		}
	}
	if (!has_psid || !has_prefix) {
		lerr(p, "s46-binding: %s", form);
		return;
	}
	if (b.psid_len + b.offset > 16) {
		lerr(p, "s46-binding: offset %u + psid length %u is above 16",
		     b.offset, b.psid_len);
		return;
	}
	if (b.prefix_len > 64 && b.prefix_len < 128) {
		lerr(p, "s46-binding: prefix length %u: the B4's address needs a /128 or at most a /64",
		     b.prefix_len);
		return;
	}
	for (j = 0; j < c->n_s46; j++) {
		if (c->s46[j].duid_len == b.duid_len &&
		    !memcmp(c->s46[j].duid, b.duid, b.duid_len)) {
			lerr(p, "s46-binding: DUID %s given twice", tok(t, argv[0]));
			return;
		}
		if (c->s46[j].ipv4 == b.ipv4 && c->s46[j].psid_len == b.psid_len &&
		    c->s46[j].psid == b.psid) {
			lerr(p, "s46-binding: %s psid %u/%u given twice",
			     argv[1], b.psid, b.psid_len);
			return;
		}
	}
	if (c->n_s46 == CONFIG_MAX_S46) {
		lerr(p, "s46-binding: more than %d", CONFIG_MAX_S46);
		return;
	}
	c->s46[c->n_s46++] = b;
}

static void kw_provision(struct parser *p, int argc, char **argv)
{
	char t[TOK_LEN];

	if (!nargs(p, "provision", argc, 1, argv))
		return;
	if (!strcmp(argv[0], "pcp"))
		p->c->provision = PROVISION_PCP;
	else if (!strcmp(argv[0], "dhcp4o6"))
		p->c->provision = PROVISION_DHCP4O6;
	else if (!strcmp(argv[0], "auto"))
		p->c->provision = PROVISION_AUTO;
	else if (!strcmp(argv[0], "none"))
		p->c->provision = PROVISION_NONE;
	else
		lerr(p, "provision: expected pcp, dhcp4o6, auto or none, got '%s'",
		     tok(t, argv[0]));
}

static void kw_lease_file(struct parser *p, int argc, char **argv)
{
	if (!nargs(p, "lease-file", argc, 1, argv))
		return;
	if (argv[0][0] != '/') {
		lerr(p, "lease-file: the path must be absolute");
		return;
	}
	if (strlen(argv[0]) >= CONFIG_MAX_PATH) {
		lerr(p, "lease-file: path is longer than %d bytes",
		     CONFIG_MAX_PATH - 1);
		return;
	}
	strcpy(p->c->lease_file, argv[0]);
}

const struct keyword config_dhcp_keywords[] = {
	{ "dhcp4o6",		KW_AFTR, false, kw_dhcp4o6 },
	{ "dhcp4o6-interface",	KW_ANY,  true,  kw_dhcp4o6_interface },
	{ "relay",		KW_AFTR, false, kw_relay },
	{ "relay-peer",		KW_AFTR, true,  kw_relay_peer },
	{ "decline-hold",	KW_AFTR, false, kw_decline_hold },
	{ "s46-br",		KW_AFTR, true,  kw_s46_br },
	{ "s46-binding",	KW_AFTR, true,  kw_s46_binding },
	{ "provision",		KW_B4,   false, kw_provision },
	{ "lease-file",		KW_B4,   false, kw_lease_file },
	{ NULL, KW_ANY, false, NULL },
};

void config_dhcp_check(struct parser *p)
{
	struct lw4o6d_config *c = p->c;
	unsigned int l;

	switch (c->role) {
	case ROLE_B4:
		if (c->provision == PROVISION_PCP ||
		    c->provision == PROVISION_NONE) {
			if ((l = seen_line(p, "dhcp4o6-interface")))
				report(p, l, "dhcp4o6-interface: only used with 'provision dhcp4o6' or 'provision auto'");
			break;
		}
		if (c->n_dhcp_ifaces != 1)
			report(p, seen_line(p, "dhcp4o6-interface") ?: seen_line(p, "provision"),
			       "provision %s needs one 'dhcp4o6-interface IFACE' (the uplink DHCPv6 is sent on)",
			       c->provision == PROVISION_AUTO ? "auto" : "dhcp4o6");
		if (!c->lease_file[0])
			snprintf(c->lease_file, sizeof(c->lease_file),
				 "/var/lib/lw4o6d/%s.lease", c->device);
		break;
	case ROLE_AFTR:
		if (c->dhcp4o6 && c->n_relay)
			report(p, seen_line(p, "relay"),
			       "relay: an aftr either serves DHCPv4-over-DHCPv6 ('dhcp4o6 on') or relays it, not both");
		if ((c->dhcp4o6 || c->n_relay) && !c->n_dhcp_ifaces && !c->has_listen6)
			report(p, seen_line(p, "dhcp4o6") ?: seen_line(p, "relay"),
			       "%s: needs 'dhcp4o6-interface IFACE' or 'listen ADDR' to hear clients on",
			       c->n_relay ? "relay" : "dhcp4o6");
		if (!c->dhcp4o6 && !c->n_relay &&
		    (l = seen_line(p, "dhcp4o6-interface")))
			report(p, l, "dhcp4o6-interface: only used with 'dhcp4o6 on' or 'relay'");
		if (!c->dhcp4o6 && c->n_s46 && (l = seen_line(p, "s46-binding")))
			report(p, l, "s46-binding: only used with 'dhcp4o6 on' (or role server)");
		break;
	case ROLE_SERVER:
		c->dhcp4o6 = true;
		if ((l = seen_line(p, "dhcp4o6")))
			report(p, l, "dhcp4o6: a server always serves; leave it out");
		if ((l = seen_line(p, "relay")))
			report(p, l, "relay: a server does not relay (that is an aftr's 'relay')");
		if ((l = seen_line(p, "device")))
			report(p, l, "device: role server drives no device (its relays' aftrs do)");
		if ((l = seen_line(p, "announce")))
			report(p, l, "announce: PCP is an aftr's; role server speaks DHCPv4-over-DHCPv6 only");
		if ((l = seen_line(p, "bfd") ?: seen_line(p, "bfd-interval") ?:
			  seen_line(p, "bfd-multiplier") ?:
			  seen_line(p, "bfd-max-sessions") ?:
			  seen_line(p, "bfd-state-file")))
			report(p, l, "bfd: BFD runs inside softwires, between b4s and aftrs; role server has none");
		if (!c->has_listen6)
			report(p, 0, "role server needs 'listen ADDR' (the address its relays send to)");
		break;
	default:
		break;
	}
	if (c->n_s46 && !c->n_s46_br && (l = seen_line(p, "s46-binding")))
		report(p, l, "s46-binding: needs at least one 's46-br ADDR' (the BR in S46_CONT_LW)");
}
