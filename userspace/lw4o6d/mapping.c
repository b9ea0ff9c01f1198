// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <stdio.h>

#include "mapping.h"
#include "strconv.h"

const char *mapping_str(const struct lw4o6_mapping *m, char *buf, size_t len)
{
	char a4[FMT_IPV4_LEN], a6[FMT_IPV6_LEN];

	snprintf(buf, len, "%s psid %u/%u offset %u b4 %s",
		 fmt_ipv4(m->ipv4, a4), m->psid, m->psid_len, m->offset,
		 fmt_ipv6(&m->b4, a6));
	return buf;
}

const char *mapping_proto_str(int protocol)
{
	switch (protocol) {
	case 0: return "all";
	case 6: return "tcp";
	case 17: return "udp";
	}
	return "other";
}

const char *mapping_via_str(uint8_t via)
{
	static const char *const name[] = {
		[MAPPING_VIA_SOFTWIRE] = "softwire",
		[MAPPING_VIA_IPV6] = "ipv6",
		[MAPPING_VIA_DHCP4O6] = "dhcp4o6",
	};

	return via <= MAPPING_VIA_MAX ? name[via] : "?";
}
