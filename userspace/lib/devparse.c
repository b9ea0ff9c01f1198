// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The word grammar of `dev add` and `dev set`: keywords in any order, each
 * at most once, spelled out in full; and the attributes that carry the
 * options to the kernel, from the same table.  No socket here, so the unit
 * tests can drive both.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <libmnl/libmnl.h>

#include <linux/lw4o6.h>

#include "addrclass.h"
#include "bindparse.h"
#include "devparse.h"
#include "hint.h"
#include "names.h"
#include "strconv.h"

#define USE_ADD	(1U << DEV_USE_ADD)
#define USE_SET	(1U << DEV_USE_SET)
#define USE_ALL	(USE_ADD | USE_SET)

/* The modes an option means something on (kmod/devopt.c uses it there). */
#define M_AFTR	(1U << LW4O6_MODE_AFTR)
#define M_B4	(1U << LW4O6_MODE_B4)
#define M_DSLITE (1U << LW4O6_MODE_DSLITE)
#define M_TUNNEL (M_B4 | M_DSLITE)
#define M_ALL	(M_AFTR | M_TUNNEL)

/* Where dev_parse() leaves a value in struct dev_args, and its size. */
#define VAL(field)	offsetof(struct dev_args, field), \
			sizeof(((struct dev_args *)0)->field)

/*
 * The options, once: the word, its DEV_SEEN_* bit, the commands that take
 * it, where its value goes, and the attribute that carries that value over
 * each netlink interface (0: not in IFLA_INFO_DATA / DEV_SET).  The value
 * goes on the wire as it is stored: host order, ipv4 already in network
 * order, as the kernel's policies want.  A word with two values ("psid
 * PSID/LEN") has a second row without a word.  Rows are in the order the
 * attributes are sent.
 */
static const struct dev_opt {
	const char *word;
	unsigned int bit;
	unsigned int uses;
	unsigned int modes;	/* M_*: where it applies; refused elsewhere */
	size_t off, len;
	uint16_t attr[2];	/* by enum dev_nl */
} opts[] = {
	{ "mode",	  DEV_SEEN_MODE,	 USE_ADD, M_ALL, VAL(mode),
	  { IFLA_LW4O6_MODE, 0 } },
	{ "local",	  DEV_SEEN_LOCAL,	 USE_ALL, M_ALL, VAL(local),
	  { IFLA_LW4O6_LOCAL, LW4O6_A_LOCAL } },
	{ "remote",	  DEV_SEEN_REMOTE,	 USE_ALL, M_TUNNEL, VAL(remote),
	  { IFLA_LW4O6_REMOTE, LW4O6_A_REMOTE } },
	{ "ipv4",	  DEV_SEEN_IPV4,	 USE_ALL, M_B4, VAL(ipv4),
	  { IFLA_LW4O6_IPV4, LW4O6_A_IPV4 } },
	{ "psid",	  DEV_SEEN_PSID,	 USE_ALL, M_B4, VAL(psid),
	  { IFLA_LW4O6_PSID, LW4O6_A_PSID } },
	{ NULL,		  DEV_SEEN_PSID,	 USE_ALL, M_B4, VAL(psid_len),
	  { IFLA_LW4O6_PSID_LEN, LW4O6_A_PSID_LEN } },
	{ "offset",	  DEV_SEEN_OFFSET,	 USE_ALL, M_B4, VAL(offset),
	  { IFLA_LW4O6_OFFSET, LW4O6_A_OFFSET } },
	/* "icmp-source none" is :: here, which the kernel takes as "unset". */
	{ "icmp-source",  DEV_SEEN_ICMP_SOURCE,	 USE_ALL, M_AFTR, VAL(icmp_source),
	  { IFLA_LW4O6_ICMP_SOURCE, LW4O6_A_ICMP_SOURCE } },
	{ "mtu",	  DEV_SEEN_MTU,		 USE_ALL, M_ALL, VAL(mtu), { 0, 0 } },
	{ "hairpin",	  DEV_SEEN_HAIRPIN,	 USE_ALL, M_AFTR, VAL(hairpin),
	  { IFLA_LW4O6_HAIRPIN, LW4O6_A_HAIRPIN } },
	{ "mss-clamp",	  DEV_SEEN_MSS_CLAMP,	 USE_ALL, M_TUNNEL, VAL(mss_clamp),
	  { IFLA_LW4O6_MSS_CLAMP, LW4O6_A_MSS_CLAMP } },
	{ "icmp4-errors", DEV_SEEN_ICMP4_ERRORS, USE_ALL, M_ALL, VAL(icmp4_errors),
	  { IFLA_LW4O6_ICMP4_ERRORS, LW4O6_A_ICMP4_ERRORS } },
	{ "icmp6-errors", DEV_SEEN_ICMP6_ERRORS, USE_ALL, M_AFTR, VAL(icmp6_errors),
	  { IFLA_LW4O6_ICMP6_ERRORS, LW4O6_A_ICMP6_ERRORS } },
	{ "icmp-rate",	  DEV_SEEN_ICMP_RATE,	 USE_ALL, M_ALL, VAL(icmp_rate),
	  { IFLA_LW4O6_ICMP_RATE, LW4O6_A_ICMP_RATE } },
	{ "control-rate", DEV_SEEN_CONTROL_RATE, USE_ALL, M_AFTR, VAL(control_rate),
	  { IFLA_LW4O6_CONTROL_RATE, LW4O6_A_CONTROL_RATE } },
	{ "control-prefix-rate", DEV_SEEN_CONTROL_PREFIX_RATE, USE_ALL, M_AFTR,
	  VAL(control_prefix_rate),
	  { IFLA_LW4O6_CONTROL_PREFIX_RATE, LW4O6_A_CONTROL_PREFIX_RATE } },
	{ "control-prefix-len", DEV_SEEN_CONTROL_PREFIX_LEN, USE_ALL, M_AFTR,
	  VAL(control_prefix_len),
	  { IFLA_LW4O6_CONTROL_PREFIX_LEN, LW4O6_A_CONTROL_PREFIX_LEN } },
	{ "miss-hold",	  DEV_SEEN_MISS_HOLD,	 USE_ALL, M_AFTR, VAL(miss_hold),
	  { IFLA_LW4O6_MISS_HOLD, LW4O6_A_MISS_HOLD } },
	{ "miss-queue",	  DEV_SEEN_MISS_QUEUE,	 USE_ALL, M_AFTR, VAL(miss_queue),
	  { IFLA_LW4O6_MISS_QUEUE, LW4O6_A_MISS_QUEUE } },
	{ "encap-unicast", DEV_SEEN_ENCAP_UNICAST, USE_ALL, M_AFTR, VAL(encap_unicast),
	  { IFLA_LW4O6_ENCAP_UNICAST, LW4O6_A_ENCAP_UNICAST } },
	/* "accept-from none" is ::/0, which the kernel takes as "unset". */
	{ "accept-from",  DEV_SEEN_ACCEPT_FROM,	 USE_ALL, M_TUNNEL, VAL(accept_from),
	  { IFLA_LW4O6_ACCEPT_FROM, LW4O6_A_ACCEPT_FROM } },
	{ NULL,		  DEV_SEEN_ACCEPT_FROM,	 USE_ALL, M_TUNNEL, VAL(accept_from_len),
	  { IFLA_LW4O6_ACCEPT_FROM_LEN, LW4O6_A_ACCEPT_FROM_LEN } },
};

#define N_OPTS (sizeof(opts) / sizeof(opts[0]))

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

/*
 * "PREFIX/LEN", LEN 1..128 and no bits past it (as `ip route` wants), or
 * "none" for dev set.
 */
static int parse_accept_from(const char *val, enum dev_use use,
			     struct dev_args *a, char *err, size_t errlen)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(val, '/');
	uint32_t len;
	unsigned int i;

	if (!strcmp(val, "none") && use == DEV_USE_SET) {
		memset(&a->accept_from, 0, sizeof(a->accept_from));
		a->accept_from_len = 0;
		return 0;
	}
	if (!slash || (size_t)(slash - val) >= sizeof(addr) ||
	    parse_u32(slash + 1, 128, &len) || !len)
		goto bad;
	memcpy(addr, val, slash - val);
	addr[slash - val] = 0;
	if (parse_ipv6(addr, &a->accept_from) ||
	    !ipv6_is_unicast(&a->accept_from))
		goto bad;
	for (i = len; i < 128; i++)
		if (a->accept_from.s6_addr[i / 8] & (0x80 >> (i % 8))) {
			snprintf(err, errlen,
				 "accept-from %s has bits set past /%u", val, len);
			return -1;
		}
	a->accept_from_len = (uint8_t)len;
	return 0;
bad:
	snprintf(err, errlen,
		 "invalid accept-from \"%s\" (the AFTR set's unicast IPv6 prefix, PREFIX/1..128%s)",
		 val, use == DEV_USE_SET ? ", or none" : "");
	return -1;
}

/* Milliseconds, with or without "ms": 0..max. */
static int parse_ms(const char *s, uint32_t max, uint32_t *v)
{
	char num[16];
	size_t n = strlen(s);

	if (n > 2 && !strcmp(s + n - 2, "ms"))
		n -= 2;
	if (!n || n >= sizeof(num))
		return -1;
	memcpy(num, s, n);
	num[n] = 0;
	return parse_u32(num, max, v);
}

static int parse_value(const struct dev_opt *o, const char *val,
		       enum dev_use use, struct dev_args *a,
		       char *err, size_t errlen)
{
	uint32_t u;
	int mode;

	switch (o->bit) {
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
	case DEV_SEEN_ACCEPT_FROM:
		return parse_accept_from(val, use, a, err, errlen);
	case DEV_SEEN_HAIRPIN:
	case DEV_SEEN_ENCAP_UNICAST:
	case DEV_SEEN_MSS_CLAMP:
	case DEV_SEEN_ICMP4_ERRORS:
	case DEV_SEEN_ICMP6_ERRORS:
		if (parse_on_off(val, (uint8_t *)a + o->off)) {
			snprintf(err, errlen,
				 "invalid value \"%s\" for \"%s\" (on or off)",
				 val, o->word);
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
	case DEV_SEEN_CONTROL_RATE:
	case DEV_SEEN_CONTROL_PREFIX_RATE:
		if (parse_u32(val, DEV_CONTROL_RATE_MAX, &u) ||
		    u < DEV_CONTROL_RATE_MIN) {
			snprintf(err, errlen,
				 "invalid %s \"%s\" (PCP messages per second, %u..%u)",
				 o->word, val, DEV_CONTROL_RATE_MIN,
				 DEV_CONTROL_RATE_MAX);
			return -1;
		}
		memcpy((char *)a + o->off, &u, sizeof(u));
		return 0;
	case DEV_SEEN_CONTROL_PREFIX_LEN:
		if (parse_u32(val, DEV_CONTROL_PLEN_MAX, &u) ||
		    u < DEV_CONTROL_PLEN_MIN) {
			snprintf(err, errlen,
				 "invalid control-prefix-len \"%s\" (IPv6 prefix length, %u..%u)",
				 val, DEV_CONTROL_PLEN_MIN, DEV_CONTROL_PLEN_MAX);
			return -1;
		}
		a->control_prefix_len = (uint8_t)u;
		return 0;
	case DEV_SEEN_MISS_HOLD:
		/* "300" or "300ms", as `dev show` prints it */
		if (parse_ms(val, DEV_MISS_HOLD_MAX, &a->miss_hold)) {
			snprintf(err, errlen,
				 "invalid miss-hold \"%s\" (milliseconds, 0..%u; 0 = off)",
				 val, DEV_MISS_HOLD_MAX);
			return -1;
		}
		return 0;
	case DEV_SEEN_MISS_QUEUE:
		if (parse_u32(val, DEV_MISS_QUEUE_MAX, &a->miss_queue) ||
		    a->miss_queue < DEV_MISS_QUEUE_MIN) {
			snprintf(err, errlen,
				 "invalid miss-queue \"%s\" (packets held at once, %u..%u)",
				 val, DEV_MISS_QUEUE_MIN, DEV_MISS_QUEUE_MAX);
			return -1;
		}
		return 0;
	}
	snprintf(err, errlen, "internal error: keyword \"%s\"", o->word);
	return -1;
}

static const char *modes_text(unsigned int modes)
{
	switch (modes) {
	case M_AFTR:	return "aftr devices";
	case M_B4:	return "b4 devices";
	case M_TUNNEL:	return "dslite and b4 devices";
	}
	return "no devices";
}

/*
 * Every option given that does not apply to mode, refused the same way on
 * each mode and by dev add and dev set, in the kernel's words ("X is for
 * aftr devices"): an option a mode ignores would otherwise be taken and
 * shown as set, and do nothing.
 */
int dev_check_mode(const struct dev_args *a, uint8_t mode, const char *name,
		   char *err, size_t errlen)
{
	size_t k;

	for (k = 0; k < N_OPTS; k++) {
		const struct dev_opt *o = &opts[k];

		if (!o->word || !(a->seen & o->bit) ||
		    (o->modes & (1U << mode)))
			continue;
		if (name)
			snprintf(err, errlen, "%s is for %s (%s is %s %s device)",
				 o->word, modes_text(o->modes), name,
				 mode == LW4O6_MODE_AFTR ? "an" : "a",
				 mode_name(mode));
		else
			snprintf(err, errlen, "%s is for %s, not mode %s",
				 o->word, modes_text(o->modes), mode_name(mode));
		return -1;
	}
	return 0;
}

/* A B4's own address: 0.0.0.0 is "none yet" (dev set only, below). */
static int check_b4_ipv4(uint32_t be, char *err, size_t errlen)
{
	const char *why = ipv4_not_subscriber(be);
	char text[FMT_IPV4_LEN];

	if (!why)
		return 0;
	snprintf(err, errlen, "ipv4 %s is %s, not a subscriber address",
		 fmt_ipv4(be, text), why);
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
		const struct dev_opt *o = NULL;
		size_t k;

		for (k = 0; k < N_OPTS && !o; k++)
			if (opts[k].word && !strcmp(argv[i], opts[k].word))
				o = &opts[k];
		if (!o) {
			const char *words[N_OPTS], *near;

			for (k = 0; k < N_OPTS; k++)
				words[k] = opts[k].uses & (1U << use) ?
					   opts[k].word : NULL;
			near = hint_closest(argv[i], words, N_OPTS);
			snprintf(err, errlen, "unknown keyword \"%s\"%s%s%s", argv[i],
				 near ? "; did you mean \"" : "", near ? near : "",
				 near ? "\"?" : "");
			return -1;
		}
		if (!(o->uses & (1U << use))) {
			snprintf(err, errlen, "\"%s\" cannot be changed", argv[i]);
			return -1;
		}
		if (a->seen & o->bit) {
			snprintf(err, errlen, "\"%s\" given twice", argv[i]);
			return -1;
		}
		if (i + 1 == argc) {
			snprintf(err, errlen, "\"%s\" needs a value", argv[i]);
			return -1;
		}
		if (parse_value(o, argv[i + 1], use, a, err, errlen))
			return -1;
		a->seen |= o->bit;
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
		if (dev_check_mode(a, a->mode, NULL, err, errlen))
			return -1;
		if (a->mode == LW4O6_MODE_B4 && (a->seen & DEV_SEEN_IPV4) &&
		    check_b4_ipv4(a->ipv4, err, errlen))
			return -1;
	} else if (!a->seen) {
		snprintf(err, errlen, "nothing to change");
		return -1;
	} else if ((a->seen & DEV_SEEN_IPV4) && a->ipv4 &&
		   check_b4_ipv4(a->ipv4, err, errlen)) {
		/* dev set NAME ipv4 0.0.0.0 psid 0/0: the B4 has none now. */
		return -1;
	}
	/* With psid given, offset is known (given or 0) and so is the shape. */
	if ((a->seen & DEV_SEEN_PSID) &&
	    bind_check_shape(a->offset, a->psid_len, err, errlen))
		return -1;
	return 0;
}

void dev_put_opts(struct nlmsghdr *nlh, const struct dev_args *a,
		  enum dev_nl nl)
{
	size_t k;

	for (k = 0; k < N_OPTS; k++)
		if ((a->seen & opts[k].bit) && opts[k].attr[nl])
			mnl_attr_put(nlh, opts[k].attr[nl], opts[k].len,
				     (const char *)a + opts[k].off);
}
