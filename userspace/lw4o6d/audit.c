// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The audit trail's times, matching and printing (audit.h).  Times are
 * parsed by hand rather than with strptime(3), whose %z and field widths
 * differ between C libraries and which accepts a time without a zone.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include <lw4o6/psid.h>

#include "audit.h"
#include "mapping.h"
#include "json.h"
#include "strconv.h"

/* n digits at *p into *v; false if not digits. */
static bool digits(const char **p, int n, int *v)
{
	*v = 0;
	while (n--) {
		if (!isdigit((unsigned char)**p))
			return false;
		*v = *v * 10 + (*(*p)++ - '0');
	}
	return true;
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100) || y % 400 == 0;
}

static int fail(char *why, size_t len, const char *s, const char *what)
{
	snprintf(why, len, "'%s' is not a time: %s (e.g. 2026-12-03T13:20:00Z,"
		 " 2026-12-03T14:20:00+01:00, now)", s, what);
	return -1;
}

int audit_parse_time(const char *s, int64_t now_ms, int64_t *ms,
		     char *why, size_t len)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
				     30, 31 };
	const char *p = s;
	int y, mo, d, h, mi, sec = 0, frac = 0, zh = 0, zm = 0, sign = 0;
	struct tm tm;
	time_t t;

	if (!strcmp(s, "now")) {
		*ms = now_ms;
		return 0;
	}
	if (*s == '@') {
		uint32_t v;

		if (parse_u32(s + 1, UINT32_MAX, &v))
			return fail(why, len, s, "@ takes seconds since 1970");
		*ms = (int64_t)v * 1000;
		return 0;
	}
	if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) ||
	    *p++ != '-' || !digits(&p, 2, &d))
		return fail(why, len, s, "expected a date YYYY-MM-DD");
	if (*p != 'T' && *p != 't' && *p != ' ')
		return fail(why, len, s, "expected T and a time of day after the date");
	p++;
	if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi))
		return fail(why, len, s, "expected a time of day HH:MM[:SS]");
	if (*p == ':') {
		p++;
		if (!digits(&p, 2, &sec))
			return fail(why, len, s, "expected seconds after HH:MM:");
		if (*p == '.' || *p == ',') {
			int scale = 100;

			if (!isdigit((unsigned char)*++p))
				return fail(why, len, s, "expected digits after the decimal point");
			/* milliseconds: further digits are cut, not rounded */
			for (; isdigit((unsigned char)*p); p++, scale /= 10)
				frac += (*p - '0') * scale;
		}
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if (!digits(&p, 2, &zh))
			return fail(why, len, s, "expected a zone offset +HH:MM");
		if (*p == ':')
			p++;
		if (*p && !digits(&p, 2, &zm))
			return fail(why, len, s, "expected a zone offset +HH:MM");
		if (zh > 23 || zm > 59)
			return fail(why, len, s, "the zone offset is out of range");
	} else if (!*p) {
		return fail(why, len, s, "no zone: add Z for UTC or the offset, as +01:00");
	} else {
		return fail(why, len, s, "unexpected text after the time");
	}
	if (*p)
		return fail(why, len, s, "unexpected text after the zone");
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 ||
	    d > mdays[mo - 1] + (mo == 2 && leap(y)) || h > 23 || mi > 59 ||
	    sec > 60)
		return fail(why, len, s, "a field is out of range");
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;	/* 60, a leap second: the next minute's 0 */
	t = timegm(&tm);
	*ms = ((int64_t)t - sign * (zh * 3600 + zm * 60)) * 1000 + frac;
	if (*ms < 0)
		return fail(why, len, s, "before 1970");
	return 0;
}

char *audit_fmt_time(int64_t ms, char *buf)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	size_t n;

	gmtime_r(&t, &tm);
	n = strftime(buf, AUDIT_TIME_LEN, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, AUDIT_TIME_LEN - n, ".%03dZ", (int)(ms % 1000));
	return buf;
}

bool audit_match(const struct store_audit *a, const struct audit_filter *f)
{
	if (f->at_ms >= 0 &&
	    (f->at_ms < a->start_ms || (a->end_ms >= 0 && f->at_ms >= a->end_ms)))
		return false;
	if (f->port >= 0 &&
	    !lw4o6_port_in_set((uint16_t)f->port, a->offset, a->psid_len,
			       a->psid))
		return false;
	return true;
}

const char *audit_protocol(const struct store_audit *a)
{
	return a->via == MAPPING_VIA_DHCP4O6 ? "dhcp4o6" : "pcp";
}

void audit_print_begin(struct audit_printer *p)
{
	p->n = 0;
	if (p->json)
		fputs("[", p->f);
	else
		fprintf(p->f, "%-39s %-15s %-9s %-6s %-13s %-8s %-8s %-24s %-24s %s\n",
			"B4", "IPV4", "PSID/LEN", "OFFSET", "PORTS",
			"PROTOCOL", "VIA", "FROM", "UNTIL", "NODE");
}

/*
 * The ports: the set's first range, and how many more there are (an
 * offset splits a set into 2^offset - 1 ranges); psid, psid_len and
 * offset give them all.
 */
static void fmt_ports(const struct store_audit *a, char *buf, size_t len)
{
	unsigned int first = lw4o6_range_first(0, a->offset, a->psid_len,
					       a->psid);
	unsigned int last = first + lw4o6_range_len(a->offset, a->psid_len) - 1;
	unsigned int more = lw4o6_set_ranges(a->offset) - 1;

	if (more)
		snprintf(buf, len, "%u-%u+%u", first, last, more);
	else
		snprintf(buf, len, "%u-%u", first, last);
}

void audit_print(struct audit_printer *p, const struct store_audit *a)
{
	char a6[FMT_IPV6_LEN], a4[FMT_IPV4_LEN], from[AUDIT_TIME_LEN];
	char until[AUDIT_TIME_LEN], ports[24], psid[16];

	fmt_ipv6(&a->b4, a6);
	fmt_ipv4(a->ipv4, a4);
	audit_fmt_time(a->start_ms, from);
	if (a->end_ms >= 0)
		audit_fmt_time(a->end_ms, until);
	fmt_ports(a, ports, sizeof(ports));
	if (p->json) {
		fprintf(p->f, "%s\n {\"b4\":\"%s\",\"ipv4\":\"%s\",\"psid\":%u,"
			"\"psid_len\":%u,\"offset\":%u,\"ports\":\"%s\","
			"\"port_ranges\":%u,\"protocol\":\"%s\",\"via\":\"%s\","
			"\"pcp_protocol\":\"%s\",\"internal_port\":%u,"
			"\"from\":\"%s\",\"from_ms\":%" PRId64 ",",
			p->n ? "," : "", a6, a4, a->psid, a->psid_len,
			a->offset, ports,
			(unsigned int)lw4o6_set_ranges(a->offset),
			audit_protocol(a), mapping_via_str(a->via),
			mapping_proto_str(a->protocol), a->internal_port, from,
			a->start_ms);
		if (a->end_ms >= 0)
			fprintf(p->f, "\"until\":\"%s\",\"until_ms\":%" PRId64,
				until, a->end_ms);
		else
			fputs("\"until\":null,\"until_ms\":null", p->f);
		/* whatever its writer set (an operator's psql may set anything) */
		fputs(",\"node\":", p->f);
		json_escape(p->f, a->node);
		fputc('}', p->f);
	} else {
		char node[sizeof(a->node)];
		size_t i;

		/* no terminal control from a writer's node name */
		for (i = 0; i + 1 < sizeof(node) && a->node[i]; i++)
			node[i] = a->node[i] < 0x20 || a->node[i] == 0x7f ?
				  '?' : a->node[i];
		node[i] = 0;
		snprintf(psid, sizeof(psid), "%u/%u", a->psid, a->psid_len);
		fprintf(p->f, "%-39s %-15s %-9s %-6u %-13s %-8s %-8s %-24s %-24s %s\n",
			a6, a4, psid, a->offset, ports, audit_protocol(a),
			mapping_via_str(a->via), from,
			a->end_ms >= 0 ? until : "now (held)",
			node[0] ? node : "-");
	}
	p->n++;
}

void audit_print_end(struct audit_printer *p)
{
	if (p->json)
		fputs(p->n ? "\n]\n" : "]\n", p->f);
}
