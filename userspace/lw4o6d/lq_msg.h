/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * DHCPv4 bulk leasequery (RFC 6926) messages as lw4o6 uses them, no I/O:
 * the relay's query for all leases, the server's DHCPLEASEACTIVE per DHCP
 * lease (ciaddr = the IPv4 address, 51 = the time it has left, 159 = the
 * port set, 109 = the B4's IPv6 address, 152 = the server's clock, 156 =
 * active), DHCPLEASEQUERYDONE and DHCPLEASEQUERYSTATUS.  Each message
 * goes on the TCP connection after its 2-byte length (lq_frame()).
 * leasequery.c (the server) and dhcp4o6_relay.c (the client) use it.
 */
#ifndef LW4O6D_LQ_MSG_H
#define LW4O6D_LQ_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dhcp4.h"
#include "mapping.h"

#define DHCP4_LEASEQUERYSTATUS	16	/* RFC 6926 6.2.3 */
#define LQ_STATE_ACTIVE		2	/* option 156 */
#define LQ_STATUS_UNSPEC_FAIL	1	/* option 151 */
#define LQ_STATUS_MALFORMED	3
#define LQ_STATUS_NOT_ALLOWED	4
/* A framed message at most. */
#define LQ_FRAME_MAX		(2 + DHCP4_BOOTP_MIN + 200)

/* Whether a lease's nonce marks it as a DHCP lease ("D4o6" + 8 bytes). */
bool lq_is_dhcp(const struct lw4o6_mapping *m);

/*
 * Each builds one framed message (2-byte length, then the message) into
 * out; its total length, 0 if cap is too small.
 */
size_t lq_build_query(uint32_t xid, uint8_t *out, size_t cap);
/* m's lease with remaining s left, now_s the server's Unix time. */
size_t lq_build_active(uint32_t xid, const struct lw4o6_mapping *m,
		       uint32_t remaining, int64_t now_s, uint8_t *out,
		       size_t cap);
size_t lq_build_done(uint32_t xid, uint8_t *out, size_t cap);
size_t lq_build_status(uint32_t xid, uint8_t status, const char *text,
		       uint8_t *out, size_t cap);

/*
 * The query a server accepts: DHCPBULKLEASEQUERY for all configured
 * addresses (no ciaddr, chaddr or client identifier).  0; -EINVAL: not a
 * bulk leasequery; -EOPNOTSUPP: a query of another kind (by address, by
 * client...).
 */
int lq_check_query(const struct dhcp4_msg *m4);
/*
 * A DHCPLEASEACTIVE as a binding: *m (ipv4, set, b4) and *remaining.
 * -EINVAL unless it has ciaddr, 51 (not 0) and 109.
 */
int lq_parse_active(const struct dhcp4_msg *m4, struct lw4o6_mapping *m,
		    uint32_t *remaining);

#endif
