/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * What both roles need beside PCP itself: IPv4/UDP datagrams for the
 * softwire's control path (built and checked by hand, because they travel
 * inside IPv4-in-IPv6 that a raw socket or the module carries), and the
 * translation between a granted port set and PCP's PORT_SET / PORT_PARAMS.
 */
#ifndef LW4O6D_WIRE_H
#define LW4O6D_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "pcp.h"

struct udp4 {
	uint32_t src, dst;	/* network order */
	uint16_t sport, dport;	/* host order */
	uint8_t ttl;		/* parsed; built as 64 when 0 */
	const uint8_t *data;
	size_t len;
};

/* -EINVAL unless pkt is one whole, well-formed IPv4 UDP datagram. */
int udp4_parse(const uint8_t *pkt, size_t len, struct udp4 *u);
/* Builds header + data into out (cap >= 28 + len); returns its length. */
size_t udp4_build(const struct udp4 *u, uint8_t *out, size_t cap);

/* RFC 1071's Internet checksum of len bytes, ready to store (big-endian). */
uint16_t inet_csum(const void *p, size_t len);

/* The set a mapping holds, as PORT_SET (and PORT_PARAMS when offset > 0). */
void portset_to_pcp(uint16_t psid, uint8_t psid_len, uint8_t offset,
		    struct pcp_msg *m);
/*
 * The set a MAP response grants: PORT_PARAMS when present, else a PORT_SET
 * that must be one aligned power-of-two range.  -EINVAL if neither says.
 */
int portset_from_pcp(const struct pcp_msg *m, uint16_t *psid,
		     uint8_t *psid_len, uint8_t *offset);

#endif
