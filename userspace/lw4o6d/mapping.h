/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef LW4O6D_MAPPING_H
#define LW4O6D_MAPPING_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include "pcp.h"

/*
 * One granted port set: a PCP MAP mapping on the AFTR and the binding it
 * installs in the kernel.  Key: (b4, protocol, internal_port); the kernel's
 * key is (ipv4, psid), unique across mappings.
 */
struct lw4o6_mapping {
	struct in6_addr b4;		/* the softwire's outer IPv6 source */
	uint8_t protocol;		/* as requested; 0 = all */
	uint16_t internal_port;		/* as requested; 0 = all */
	uint8_t nonce[PCP_NONCE_LEN];
	uint32_t ipv4;			/* network order */
	uint16_t psid;
	uint8_t psid_len;
	uint8_t offset;
	int64_t expires;		/* CLOCK_REALTIME seconds */
	int64_t created;
	uint8_t via;			/* enum mapping_via */
};

/*
 * How the B4 asked, and so how to reach it unasked (an ANNOUNCE after a
 * restart or a takeover): stored with the mapping, as the store's "via".
 */
enum mapping_via {
	MAPPING_VIA_SOFTWIRE,	/* PCP inside the softwire, at 192.0.0.1 */
	MAPPING_VIA_IPV6,	/* PCP over plain IPv6 ("listen") */
	MAPPING_VIA_DHCP4O6,	/* DHCPv4 over DHCPv6: no PCP to announce to */
	MAPPING_VIA_MAX = MAPPING_VIA_DHCP4O6,
};

/* A B4 and how it asked: whom a restart's ANNOUNCE goes to, and how. */
struct mapping_b4 {
	struct in6_addr b4;
	uint8_t via;			/* enum mapping_via */
};

/* "softwire", "ipv6", "dhcp4o6" */
const char *mapping_via_str(uint8_t via);

/* A mapping's PCP protocol by name: "all" (0), "tcp", "udp", else "other". */
const char *mapping_proto_str(int protocol);

#define MAPPING_STR_LEN 160

/* "IPV4 psid P/K offset A b4 B4", as log lines name a mapping. */
const char *mapping_str(const struct lw4o6_mapping *m, char *buf, size_t len);

#endif
