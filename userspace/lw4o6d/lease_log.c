// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * A mapping's grant, move and end, logged with fields (lease_log.h).  The
 * nonce is not among them: it authenticates the B4's requests, and the
 * journal is readable by more people than the store.
 */
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include <lw4o6/psid.h>

#include "lease_log.h"
#include "log.h"
#include "mapping.h"
#include "strconv.h"

enum {
	F_IPV4, F_PSID, F_PSID_LEN, F_OFFSET, F_PORTS, F_B4, F_PROTOCOL, F_VIA,
	F_LEASE, F_EXPIRES, F_EXTRA, F_N
};

struct fields {
	char f[F_N][96];
	const char *p[F_N];
};

/* The fields of m; n of them, F_EXTRA's left for the caller. */
static void fields_of(struct fields *f, const struct lw4o6_mapping *m)
{
	char a4[FMT_IPV4_LEN], a6[FMT_IPV6_LEN], when[32];
	unsigned int first = lw4o6_range_first(0, m->offset, m->psid_len,
					       m->psid);
	unsigned int last = first + lw4o6_range_len(m->offset, m->psid_len) - 1;
	unsigned int more = lw4o6_set_ranges(m->offset) - 1;
	time_t t = (time_t)m->expires;
	struct tm tm;
	size_t i;

	fmt_ipv4(m->ipv4, a4);
	fmt_ipv6(&m->b4, a6);
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(f->f[F_IPV4], 96, "LW4O6_IPV4=%s", a4);
	snprintf(f->f[F_PSID], 96, "LW4O6_PSID=%u", m->psid);
	snprintf(f->f[F_PSID_LEN], 96, "LW4O6_PSID_LEN=%u", m->psid_len);
	snprintf(f->f[F_OFFSET], 96, "LW4O6_OFFSET=%u", m->offset);
	if (more)
		snprintf(f->f[F_PORTS], 96, "LW4O6_PORTS=%u-%u+%u", first, last,
			 more);
	else
		snprintf(f->f[F_PORTS], 96, "LW4O6_PORTS=%u-%u", first, last);
	snprintf(f->f[F_B4], 96, "LW4O6_B4=%s", a6);
	snprintf(f->f[F_PROTOCOL], 96, "LW4O6_PROTOCOL=%s",
		 m->via == MAPPING_VIA_DHCP4O6 ? "dhcp4o6" : "pcp");
	snprintf(f->f[F_VIA], 96, "LW4O6_VIA=%s", mapping_via_str(m->via));
	/* the store's key: one PCP mapping, or the DHCPv4-over-DHCPv6 lease */
	snprintf(f->f[F_LEASE], 96, "LW4O6_LEASE=%s/%s/%u", a6,
		 mapping_proto_str(m->protocol), m->internal_port);
	snprintf(f->f[F_EXPIRES], 96, "LW4O6_EXPIRES=%s", when);
	for (i = 0; i < F_N; i++)
		f->p[i] = f->f[i];
}

void lease_log_granted(const struct lw4o6_mapping *m, uint32_t lifetime)
{
	char s[MAPPING_STR_LEN];
	struct fields f;

	fields_of(&f, m);
	snprintf(f.f[F_EXTRA], 96, "LW4O6_LIFETIME=%" PRIu32, lifetime);
	log_fields(LOG_INFO, LEASE_LOG_GRANTED_ID, f.p, F_N, "granted %s for %us",
		   mapping_str(m, s, sizeof(s)), lifetime);
}

void lease_log_moved(const struct lw4o6_mapping *m, const struct in6_addr *from)
{
	char s[MAPPING_STR_LEN], a6[FMT_IPV6_LEN];
	struct fields f;

	fields_of(&f, m);
	snprintf(f.f[F_EXTRA], 96, "LW4O6_FROM_B4=%s", fmt_ipv6(from, a6));
	log_fields(LOG_INFO, LEASE_LOG_MOVED_ID, f.p, F_N,
		   "mapping %s: moved from %s, its B4's old address",
		   mapping_str(m, s, sizeof(s)), a6);
}

void lease_log_ended(const struct lw4o6_mapping *m, const char *why)
{
	char s[MAPPING_STR_LEN];
	struct fields f;

	fields_of(&f, m);
	snprintf(f.f[F_EXTRA], 96, "LW4O6_REASON=%.80s", why);
	log_fields(LOG_INFO, LEASE_LOG_ENDED_ID, f.p, F_N, "mapping %s: %s",
		   why, mapping_str(m, s, sizeof(s)));
}
