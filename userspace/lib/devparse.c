// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The word grammar of `dev add` and `dev set`: keywords in any order, each
 * at most once, spelled out in full.  No netlink here, so the unit tests
 * can drive it.
 */
#include <stdio.h>
#include <string.h>

#include <linux/lw4o6.h>

#include "bindparse.h"
#include "devparse.h"
#include "names.h"
#include "strconv.h"

#define USE_ADD	(1U << DEV_USE_ADD)
#define USE_SET	(1U << DEV_USE_SET)
#define USE_ALL	(USE_ADD | USE_SET)

static const struct {
	const char *word;
	unsigned int bit;
	unsigned int uses;
} keywords[] = {
	{ "mode",		DEV_SEEN_MODE,		USE_ADD },
	{ "local",		DEV_SEEN_LOCAL,		USE_ALL },
	{ "remote",		DEV_SEEN_REMOTE,	USE_ALL },
	{ "ipv4",		DEV_SEEN_IPV4,		USE_ALL },
	{ "psid",		DEV_SEEN_PSID,		USE_ALL },
	{ "offset",		DEV_SEEN_OFFSET,	USE_ALL },
	{ "icmp-source",	DEV_SEEN_ICMP_SOURCE,	USE_ALL },
	{ "mtu",		DEV_SEEN_MTU,		USE_ALL },
	{ "hairpin",		DEV_SEEN_HAIRPIN,	USE_ALL },
	{ "mss-clamp",		DEV_SEEN_MSS_CLAMP,	USE_ALL },
	{ "icmp4-errors",	DEV_SEEN_ICMP4_ERRORS,	USE_ALL },
	{ "icmp6-errors",	DEV_SEEN_ICMP6_ERRORS,	USE_ALL },
	{ "icmp-rate",		DEV_SEEN_ICMP_RATE,	USE_ALL },
};

#define N_KEYWORDS (sizeof(keywords) / sizeof(keywords[0]))

/* Exactly "on" or "off", as iproute2's on/off options; 0 on success. */
int parse_on_off(const char *s, uint8_t *v)
{
	if (!strcmp(s, "on"))
		*v = 1;
	else if (!strcmp(s, "off"))
		*v = 0;
	else
		return -1;
	return 0;
}

static int parse_value(unsigned int bit, const char *word, const char *val,
		       enum dev_use use, struct dev_args *a,
		       char *err, size_t errlen)
{
	uint32_t u;
	int mode;

	switch (bit) {
	case DEV_SEEN_MODE:
		mode = mode_parse(val);
		if (mode < 0) {
			snprintf(err, errlen, "unknown mode \"%s\"", val);
			return -1;
		}
		a->mode = (uint8_t)mode;
		return 0;
	case DEV_SEEN_LOCAL:
		/* Multicast and :: are the kernel's to refuse, with extack. */
		if (parse_ipv6(val, &a->local)) {
			snprintf(err, errlen,
				 "invalid IPv6 address \"%s\" for \"local\"", val);
			return -1;
		}
		return 0;
	case DEV_SEEN_REMOTE:
		if (parse_ipv6(val, &a->remote) || !ipv6_is_unicast(&a->remote)) {
			snprintf(err, errlen,
				 "invalid remote \"%s\" (the AFTR's unicast IPv6 address)",
				 val);
			return -1;
		}
		return 0;
	case DEV_SEEN_IPV4:
		if (parse_ipv4(val, &a->ipv4)) {
			snprintf(err, errlen, "invalid IPv4 address \"%s\" for \"ipv4\"", val);
			return -1;
		}
		return 0;
	case DEV_SEEN_PSID:
		return parse_psid(val, &a->psid, &a->psid_len, err, errlen);
	case DEV_SEEN_OFFSET:
		if (parse_u32(val, 15, &u) ) {
			snprintf(err, errlen, "invalid offset \"%s\" (0..15)", val);
			return -1;
		}
		a->offset = (uint8_t)u;
		return 0;
	case DEV_SEEN_ICMP_SOURCE:
		if (!strcmp(val, "none")) {
			if (use != DEV_USE_SET) {
				snprintf(err, errlen,
					 "\"icmp-source none\" is only for dev set (without icmp-source, errors come from \"local\")");
				return -1;
			}
			memset(&a->icmp_source, 0, sizeof(a->icmp_source));
			return 0;
		}
		if (parse_ipv6(val, &a->icmp_source)) {
			snprintf(err, errlen,
				 "invalid IPv6 address \"%s\" for \"icmp-source\"%s",
				 val, use == DEV_USE_SET ? " (IPV6 or none)" : "");
			return -1;
		}
		if (!ipv6_is_unicast(&a->icmp_source)) {
			snprintf(err, errlen,
				 "icmp-source %s is not a unicast IPv6 address%s",
				 val, use == DEV_USE_SET ?
				 " (\"icmp-source none\" clears it)" : "");
			return -1;
		}
		return 0;
	case DEV_SEEN_MTU:
		if (parse_u32(val, UINT32_MAX, &a->mtu) || !a->mtu) {
			snprintf(err, errlen, "invalid mtu \"%s\"", val);
			return -1;
		}
		return 0;
	case DEV_SEEN_HAIRPIN:
	case DEV_SEEN_MSS_CLAMP:
	case DEV_SEEN_ICMP4_ERRORS:
	case DEV_SEEN_ICMP6_ERRORS:
		if (parse_on_off(val, bit == DEV_SEEN_HAIRPIN ? &a->hairpin :
				 bit == DEV_SEEN_MSS_CLAMP ? &a->mss_clamp :
				 bit == DEV_SEEN_ICMP4_ERRORS ? &a->icmp4_errors :
				 &a->icmp6_errors)) {
			snprintf(err, errlen,
				 "invalid value \"%s\" for \"%s\" (on or off)",
				 val, word);
			return -1;
		}
		return 0;
	case DEV_SEEN_ICMP_RATE:
		if (parse_u32(val, DEV_ICMP_RATE_MAX, &a->icmp_rate) ||
		    a->icmp_rate < DEV_ICMP_RATE_MIN) {
			snprintf(err, errlen,
				 "invalid icmp-rate \"%s\" (errors per second, %u..%u)",
				 val, DEV_ICMP_RATE_MIN, DEV_ICMP_RATE_MAX);
			return -1;
		}
		return 0;
	}
	snprintf(err, errlen, "internal error: keyword \"%s\"", word);
	return -1;
}

int dev_parse(int argc, char **argv, enum dev_use use, struct dev_args *a,
	      char *err, size_t errlen)
{
	int i;

	memset(a, 0, sizeof(*a));
	if (argc < 1) {
		snprintf(err, errlen, "missing NAME");
		return -1;
	}
	if (check_ifname(argv[0], err, errlen))
		return -1;
	a->name = argv[0];
	for (i = 1; i < argc; i += 2) {
		size_t k;

		for (k = 0; k < N_KEYWORDS; k++)
			if (!strcmp(argv[i], keywords[k].word))
				break;
		if (k == N_KEYWORDS) {
			snprintf(err, errlen, "unknown keyword \"%s\"", argv[i]);
			return -1;
		}
		if (!(keywords[k].uses & (1U << use))) {
			snprintf(err, errlen, "\"%s\" cannot be changed", argv[i]);
			return -1;
		}
		if (a->seen & keywords[k].bit) {
			snprintf(err, errlen, "\"%s\" given twice", argv[i]);
			return -1;
		}
		if (i + 1 == argc) {
			snprintf(err, errlen, "\"%s\" needs a value", argv[i]);
			return -1;
		}
		if (parse_value(keywords[k].bit, argv[i], argv[i + 1], use, a,
				err, errlen))
			return -1;
		a->seen |= keywords[k].bit;
	}
	if (use == DEV_USE_ADD) {
		if (!(a->seen & DEV_SEEN_MODE)) {
			snprintf(err, errlen, "missing \"mode\"");
			return -1;
		}
		if (!(a->seen & DEV_SEEN_LOCAL)) {
			snprintf(err, errlen, "missing \"local\"");
			return -1;
		}
		if (a->mode != LW4O6_MODE_AFTR && !(a->seen & DEV_SEEN_REMOTE)) {
			snprintf(err, errlen,
				 "missing \"remote\" (a %s device sends everything to its AFTR)",
				 mode_name(a->mode));
			return -1;
		}
		/* Without a binding, lw4o6d provisions it over PCP. */
		if (a->mode == LW4O6_MODE_B4 &&
		    !(a->seen & DEV_SEEN_IPV4) != !(a->seen & DEV_SEEN_PSID)) {
			snprintf(err, errlen,
				 "missing \"%s\" (a b4 binding is ipv4 ADDR psid PSID/LEN)",
				 a->seen & DEV_SEEN_IPV4 ? "psid" : "ipv4");
			return -1;
		}
		if (a->mode != LW4O6_MODE_B4 &&
		    (a->seen & (DEV_SEEN_IPV4 | DEV_SEEN_PSID | DEV_SEEN_OFFSET))) {
			snprintf(err, errlen,
				 "\"ipv4\", \"psid\" and \"offset\" are for mode b4");
			return -1;
		}
		if (a->mode == LW4O6_MODE_AFTR && (a->seen & DEV_SEEN_REMOTE)) {
			snprintf(err, errlen,
				 "\"remote\" is for modes dslite and b4 (an lwAFTR has bindings)");
			return -1;
		}
	} else if (!a->seen) {
		snprintf(err, errlen, "nothing to change");
		return -1;
	}
	/* With psid given, offset is known (given or 0) and so is the shape. */
	if ((a->seen & DEV_SEEN_PSID) &&
	    bind_check_shape(a->offset, a->psid_len, err, errlen))
		return -1;
	return 0;
}
