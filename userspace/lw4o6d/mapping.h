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
};

#define MAPPING_STR_LEN 160

/* "IPV4 psid P/K offset A b4 B4", as log lines name a mapping. */
const char *mapping_str(const struct lw4o6_mapping *m, char *buf, size_t len);

#endif
