/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The audit trail's questions and answers, without I/O of its own: times
 * as an operator types them (RFC 3339, with an explicit zone) and as we
 * print them (UTC), which row answers "who held IPV4 port P at T", and
 * one print path for text and JSON.  audit_command.c ("lw4o6d audit")
 * reads the store and uses these; the unit tests use them directly.
 */
#ifndef LW4O6D_AUDIT_H
#define LW4O6D_AUDIT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "store.h"

/* "2026-12-03T13:20:46.123Z": milliseconds always, UTC always */
#define AUDIT_TIME_LEN 32

/*
 * s as milliseconds since the Unix epoch: "now" (now_ms), "@SECONDS", or
 * RFC 3339 "YYYY-MM-DDTHH:MM[:SS[.fff]]ZONE" ('T' or a space) with ZONE
 * "Z" or "+HH:MM"/"-HH:MM" (or +HHMM, +HH).  No zone is an error: a time
 * meant as local and read as UTC would name the wrong subscriber.  0, or
 * -1 with the reason in why.
 */
int audit_parse_time(const char *s, int64_t now_ms, int64_t *ms,
		     char *why, size_t len);
char *audit_fmt_time(int64_t ms, char *buf);

/* What a row must match: -1 for "any". */
struct audit_filter {
	int64_t at_ms;
	int port;
};

/*
 * Whether a held (ipv4, psid) at at_ms (start <= at < end; an open row
 * from its start on) and port is in its set (RFC 7597's arithmetic,
 * lw4o6/psid.h: with an offset the ports below 2^(16 - offset) are no
 * one's).
 */
bool audit_match(const struct store_audit *a, const struct audit_filter *f);

/* "pcp" or "dhcp4o6": how the B4 got the set */
const char *audit_protocol(const struct store_audit *a);

struct audit_printer {
	FILE *f;
	bool json;
	unsigned int n;
};

void audit_print_begin(struct audit_printer *p);
void audit_print(struct audit_printer *p, const struct store_audit *a);
void audit_print_end(struct audit_printer *p);

#endif
