// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The binding argument grammar, shared by `binding add|del|show` and by the
 * line format of `binding load`, so that what `binding show` prints is
 * exactly what a table file accepts.
 */
#include <stdio.h>
#include <string.h>

#include <linux/lw4o6.h>
#include <lw4o6/psid.h>

#include "addrclass.h"
#include "bindparse.h"
#include "hint.h"
#include "strconv.h"

#define USE_CMD (BIND_USE_ADD | BIND_USE_DEL | BIND_USE_SHOW)
#define USE_ALL (USE_CMD | BIND_USE_FILE)
#define USE_ADD (BIND_USE_ADD | BIND_USE_FILE)

static const struct {
	const char *word;
	unsigned int bit;
	unsigned int uses;
	bool has_value;
} keywords[] = {
	{ "dev",	BIND_SEEN_DEV,		USE_CMD,	true },
	{ "ipv4",	BIND_SEEN_IPV4,		USE_ALL,	true },
	{ "psid",	BIND_SEEN_PSID,		USE_ALL,	true },
	{ "offset",	BIND_SEEN_OFFSET,	USE_ADD,	true },
	{ "b4",		BIND_SEEN_B4,		USE_ADD,	true },
	{ "br",		BIND_SEEN_BR,		USE_ADD,	true },
	{ "replace",	BIND_SEEN_REPLACE,	BIND_USE_ADD,	false },
};

int parse_psid(const char *s, uint16_t *psid, uint8_t *len,
	       char *err, size_t errlen)
{
	const char *slash = strchr(s, '/');
	char num[16];
	uint32_t p, l;

	if (!slash || (size_t)(slash - s) >= sizeof(num)) {
		snprintf(err, errlen,
			 "invalid psid \"%s\" (expected PSID/LEN, e.g. 3/6)", s);
		return -1;
	}
	memcpy(num, s, (size_t)(slash - s));
	num[slash - s] = '\0';
	if (parse_u32(num, UINT32_MAX, &p) || parse_u32(slash + 1, UINT32_MAX, &l)) {
		snprintf(err, errlen,
			 "invalid psid \"%s\" (expected PSID/LEN, e.g. 3/6)", s);
		return -1;
	}
	if (l > LW4O6_PSID_LEN_MAX) {
		snprintf(err, errlen, "psid length %u in \"%s\" is out of range 0..%u",
			 l, s, LW4O6_PSID_LEN_MAX);
		return -1;
	}
	if (p > 0xffff || !lw4o6_psid_valid(l, p)) {
		snprintf(err, errlen,
			 "psid %u in \"%s\" does not fit in psid length %u (0..%u)",
			 p, s, l, (1U << l) - 1);
		return -1;
	}
	*psid = (uint16_t)p;
	*len = (uint8_t)l;
	return 0;
}

int bind_check_shape(unsigned int offset, unsigned int psid_len,
		     char *err, size_t errlen)
{
	if (offset > LW4O6_OFFSET_MAX) {
		snprintf(err, errlen, "offset %u is out of range 0..%u",
			 offset, LW4O6_OFFSET_MAX);
		return -1;
	}
	if (psid_len > LW4O6_PSID_LEN_MAX) {
		snprintf(err, errlen, "psid length %u is out of range 0..%u",
			 psid_len, LW4O6_PSID_LEN_MAX);
		return -1;
	}
	if (!lw4o6_psid_shape_valid(offset, psid_len)) {
		snprintf(err, errlen, "offset %u + psid length %u exceeds 16 bits",
			 offset, psid_len);
		return -1;
	}
	return 0;
}

/* Everything the kernel would refuse about one binding on its own. */
int bind_check(const struct lw4o6_bind *b, char *err, size_t errlen)
{
	if (bind_check_shape(b->offset, b->psid_len, err, errlen))
		return -1;
	if (!lw4o6_psid_valid(b->psid_len, b->psid)) {
		snprintf(err, errlen, "psid %u does not fit in psid length %u",
			 b->psid, b->psid_len);
		return -1;
	}
	if (ipv4_not_subscriber(b->ipv4)) {
		snprintf(err, errlen, "ipv4 is %s, not a subscriber address",
			 ipv4_not_subscriber(b->ipv4));
		return -1;
	}
	if (ipv6_not_b4(&b->b4)) {
		snprintf(err, errlen, "b4 is %s, not a B4's address",
			 ipv6_not_b4(&b->b4));
		return -1;
	}
	if (b->has_br && !ipv6_is_unicast(&b->br)) {
		snprintf(err, errlen, "br must be a unicast IPv6 address");
		return -1;
	}
	return 0;
}

static int parse_value(unsigned int bit, const char *word, const char *val,
		       enum bind_use use, struct bind_args *a, char *err,
		       size_t errlen)
{
	/* What makes a binding: del and show may still name an old one. */
	bool making = use & (BIND_USE_ADD | BIND_USE_FILE);
	const char *why;
	uint32_t v;

	switch (bit) {
	case BIND_SEEN_DEV:
		a->dev = val;
		return check_ifname(val, err, errlen);
	case BIND_SEEN_IPV4:
		if (parse_ipv4(val, &a->b.ipv4)) {
			snprintf(err, errlen, "invalid IPv4 address \"%s\"", val);
			return -1;
		}
		if (making && (why = ipv4_not_subscriber(a->b.ipv4))) {
			snprintf(err, errlen,
				 "ipv4 %s is %s, not a subscriber address", val, why);
			return -1;
		}
		return 0;
	case BIND_SEEN_PSID:
		return parse_psid(val, &a->b.psid, &a->b.psid_len, err, errlen);
	case BIND_SEEN_OFFSET:
		if (parse_u32(val, UINT32_MAX, &v)) {
			snprintf(err, errlen, "invalid offset \"%s\"", val);
			return -1;
		}
		if (v > LW4O6_OFFSET_MAX) {
			snprintf(err, errlen, "offset %s is out of range 0..%u",
				 val, LW4O6_OFFSET_MAX);
			return -1;
		}
		a->b.offset = (uint8_t)v;
		return 0;
	case BIND_SEEN_B4:
	case BIND_SEEN_BR: {
		struct in6_addr *dst = bit == BIND_SEEN_B4 ? &a->b.b4 : &a->b.br;

		if (parse_ipv6(val, dst)) {
			snprintf(err, errlen, "invalid IPv6 address \"%s\" for \"%s\"",
				 val, word);
			return -1;
		}
		if (!ipv6_is_unicast(dst)) {
			snprintf(err, errlen, "%s %s is not a unicast IPv6 address",
				 word, val);
			return -1;
		}
		if (bit == BIND_SEEN_B4 && making && (why = ipv6_not_b4(dst))) {
			snprintf(err, errlen, "b4 %s is %s, not a B4's address",
				 val, why);
			return -1;
		}
		if (bit == BIND_SEEN_BR)
			a->b.has_br = 1;
		return 0;
	}
	}
	return 0;
}

static const char *first_missing(unsigned int need, unsigned int seen)
{
	size_t i;

	for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if ((need & keywords[i].bit) && !(seen & keywords[i].bit))
			return keywords[i].word;
	return NULL;
}

int bind_parse(int argc, char **argv, enum bind_use use,
	       struct bind_args *a, char *err, size_t errlen)
{
	unsigned int need;
	const char *miss;
	int i;

	memset(a, 0, sizeof(*a));
	for (i = 0; i < argc; i++) {
		const char *w = argv[i];
		size_t k;

		for (k = 0; k < sizeof(keywords) / sizeof(keywords[0]); k++)
			if (!strcmp(w, keywords[k].word))
				break;
		if (k == sizeof(keywords) / sizeof(keywords[0])) {
			const char *words[sizeof(keywords) / sizeof(keywords[0])];
			const char *near;

			for (k = 0; k < sizeof(words) / sizeof(words[0]); k++)
				words[k] = keywords[k].uses & use ?
					   keywords[k].word : NULL;
			near = hint_closest(w, words, k);
			snprintf(err, errlen, "unknown keyword \"%s\"%s%s%s", w,
				 near ? "; did you mean \"" : "", near ? near : "",
				 near ? "\"?" : "");
			return -1;
		}
		if (!(keywords[k].uses & use)) {
			if (use == BIND_USE_FILE)
				snprintf(err, errlen,
					 "\"%s\" is not allowed in a table file", w);
			else
				snprintf(err, errlen, "unexpected keyword \"%s\"", w);
			return -1;
		}
		if (a->seen & keywords[k].bit) {
			snprintf(err, errlen, "\"%s\" given twice", w);
			return -1;
		}
		a->seen |= keywords[k].bit;
		if (!keywords[k].has_value)
			continue;
		if (++i == argc) {
			snprintf(err, errlen, "\"%s\" needs a value", w);
			return -1;
		}
		if (parse_value(keywords[k].bit, w, argv[i], use, a, err, errlen))
			return -1;
	}

	switch (use) {
	case BIND_USE_ADD:
		need = BIND_SEEN_DEV | BIND_SEEN_IPV4 | BIND_SEEN_PSID | BIND_SEEN_B4;
		break;
	case BIND_USE_FILE:
		need = BIND_SEEN_IPV4 | BIND_SEEN_PSID | BIND_SEEN_B4;
		break;
	case BIND_USE_DEL:
		need = BIND_SEEN_DEV | BIND_SEEN_IPV4 | BIND_SEEN_PSID;
		break;
	default:
		need = BIND_SEEN_DEV;
		if ((a->seen & BIND_SEEN_PSID) && !(a->seen & BIND_SEEN_IPV4)) {
			snprintf(err, errlen, "\"psid\" needs \"ipv4\"");
			return -1;
		}
		break;
	}
	miss = first_missing(need, a->seen);
	if (miss) {
		snprintf(err, errlen, "missing \"%s\"", miss);
		return -1;
	}
	return bind_check_shape(a->b.offset, a->b.psid_len, err, errlen);
}
