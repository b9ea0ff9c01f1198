// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Names userspace keeps for kernel enums: the kernel sends numbers only, so
 * these tables are the one place the RFC 8676 vocabulary lives.
 */
#include <stdio.h>
#include <string.h>

#include <linux/lw4o6.h>

#include "names.h"

static const char *const modes[] = {
	[LW4O6_MODE_AFTR]	= "aftr",
	[LW4O6_MODE_B4]		= "b4",
	[LW4O6_MODE_DSLITE]	= "dslite",
};

const char *mode_name(unsigned int mode)
{
	if (mode < sizeof(modes) / sizeof(modes[0]) && modes[mode])
		return modes[mode];
	return "unknown";
}

int mode_parse(const char *s)
{
	unsigned int i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (modes[i] && !strcmp(s, modes[i]))
			return (int)i;
	return -1;
}

static const char *const stats[LW4O6_STAT_ATTR_MAX + 1] = {
	[LW4O6_STAT_SENT_IPV4_PACKETS]		= "sent-ipv4-packets",
	[LW4O6_STAT_SENT_IPV4_BYTES]		= "sent-ipv4-bytes",
	[LW4O6_STAT_SENT_IPV6_PACKETS]		= "sent-ipv6-packets",
	[LW4O6_STAT_SENT_IPV6_BYTES]		= "sent-ipv6-bytes",
	[LW4O6_STAT_RCVD_IPV4_PACKETS]		= "rcvd-ipv4-packets",
	[LW4O6_STAT_RCVD_IPV4_BYTES]		= "rcvd-ipv4-bytes",
	[LW4O6_STAT_RCVD_IPV6_PACKETS]		= "rcvd-ipv6-packets",
	[LW4O6_STAT_RCVD_IPV6_BYTES]		= "rcvd-ipv6-bytes",
	[LW4O6_STAT_DROPPED_IPV4_PACKETS]	= "dropped-ipv4-packets",
	[LW4O6_STAT_DROPPED_IPV4_BYTES]		= "dropped-ipv4-bytes",
	[LW4O6_STAT_DROPPED_IPV6_PACKETS]	= "dropped-ipv6-packets",
	[LW4O6_STAT_DROPPED_IPV6_BYTES]		= "dropped-ipv6-bytes",
	[LW4O6_STAT_DROPPED_IPV4_FRAGMENTS]	= "dropped-ipv4-fragments",
	[LW4O6_STAT_DROPPED_IPV4_FRAGMENT_BYTES] = "dropped-ipv4-fragment-bytes",
	[LW4O6_STAT_IPV6_FRAGMENTS_REASSEMBLED]	= "ipv6-fragments-reassembled",
	[LW4O6_STAT_IPV6_FRAGMENTS_BYTES_REASSEMBLED] = "ipv6-fragments-bytes-reassembled",
	[LW4O6_STAT_OUT_ICMPV4_ERROR_PACKETS]	= "out-icmpv4-error-packets",
	[LW4O6_STAT_OUT_ICMPV4_ERROR_BYTES]	= "out-icmpv4-error-bytes",
	[LW4O6_STAT_OUT_ICMPV6_ERROR_PACKETS]	= "out-icmpv6-error-packets",
	[LW4O6_STAT_OUT_ICMPV6_ERROR_BYTES]	= "out-icmpv6-error-bytes",
	[LW4O6_STAT_DROPPED_ICMPV4_PACKETS]	= "dropped-icmpv4-packets",
	[LW4O6_STAT_DROPPED_ICMPV4_BYTES]	= "dropped-icmpv4-bytes",
	[LW4O6_STAT_HAIRPIN_IPV4_PACKETS]	= "hairpin-ipv4-packets",
	[LW4O6_STAT_HAIRPIN_IPV4_BYTES]		= "hairpin-ipv4-bytes",
	[LW4O6_STAT_DROP_NO_SOURCE_SOFTWIRE_IPV6] = "drop-no-source-softwire-ipv6",
	[LW4O6_STAT_DROP_NO_DEST_SOFTWIRE_IPV4]	= "drop-no-dest-softwire-ipv4",
	[LW4O6_STAT_DROP_OVER_MTU_BUT_DONT_FRAGMENT_IPV4] = "drop-over-mtu-but-dont-fragment-ipv4",
	[LW4O6_STAT_DROP_TTL_ZERO_IPV4]		= "drop-ttl-zero-ipv4",
	[LW4O6_STAT_DROP_OVER_RATE_LIMIT_ICMPV6] = "drop-over-rate-limit-icmpv6",
	[LW4O6_STAT_DROP_MALFORMED]		= "drop-malformed",
	[LW4O6_STAT_DROP_NOT_FORWARDING]	= "drop-not-forwarding",
	[LW4O6_STAT_QUEUED_IPV4_FRAGMENTS]	= "queued-ipv4-fragments",
	[LW4O6_STAT_QUEUED_SOFTWIRE_FRAGMENTS]	= "queued-softwire-fragments",
	[LW4O6_STAT_DROP_HAIRPIN_DISABLED_IPV4]	= "drop-hairpin-disabled-ipv4",
	[LW4O6_STAT_DROP_IN_BY_POLICY_ICMPV6]	= "drop-in-by-policy-icmpv6",
	[LW4O6_STAT_DROP_OVER_RATE_LIMIT_ICMPV4] = "drop-over-rate-limit-icmpv4",
	[LW4O6_STAT_DROP_OUT_OF_PORT_SET_IPV4]	= "drop-out-of-port-set-ipv4",
	[LW4O6_STAT_DROP_PORT_SET_EXHAUSTED]	= "drop-port-set-exhausted",
	[LW4O6_STAT_CONTROL_IPV4_PACKETS]	= "control-ipv4-packets",
	[LW4O6_STAT_DROP_CONTROL_IPV4]	= "drop-control-ipv4",
	[LW4O6_STAT_DROP_BAD_CHECKSUM_ICMPV6]	= "drop-bad-checksum-icmpv6",
	[LW4O6_STAT_DROP_OVER_RATE_LIMIT_CONTROL] = "drop-over-rate-limit-control",
	[LW4O6_STAT_HELD_SOFTWIRE_PACKETS] = "held-softwire-packets",
	[LW4O6_STAT_HELD_RELEASED_PACKETS] = "held-released-packets",
	[LW4O6_STAT_DROP_HELD_EXPIRED] = "drop-held-expired",
	[LW4O6_STAT_DROP_HELD_REJECTED] = "drop-held-rejected",
	[LW4O6_STAT_DROP_HELD_OVERFLOW] = "drop-held-overflow",
	[LW4O6_STAT_ACTIVE_SOFTWIRE_NUM]	= "active-softwire-num",
	[LW4O6_STAT_DISCONTINUITY_TIME]		= "discontinuity-time",
};

/* A newer kernel may send counters we have no name for: "stat-N". */
const char *stat_name(unsigned int type, char *buf, size_t len)
{
	if (type < sizeof(stats) / sizeof(stats[0]) && stats[type])
		return stats[type];
	snprintf(buf, len, "stat-%u", type);
	return buf;
}
