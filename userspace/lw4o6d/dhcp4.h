/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * DHCPv4 (RFC 2131/2132) as far as lw4o6 speaks it: the BOOTP message that
 * travels in DHCPv6 option 87 (RFC 7341), with OPTION_V4_PORTPARAMS
 * (RFC 7618) and OPTION_DHCP4O6_S46_SADDR (RFC 8539), and the leasequery
 * messages (RFC 4388, bulk over TCP RFC 6926).  Parsing and building, no
 * I/O.  Everything a peer sends goes through dhcp4_parse() first; it is
 * what fuzz/fuzz_dhcp4.c drives.  A parsed message points into the
 * caller's buffer.
 */
#ifndef LW4O6D_DHCP4_H
#define LW4O6D_DHCP4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#define DHCP4_SERVER_PORT	67	/* also bulk leasequery over TCP */
#define DHCP4_FIXED_LEN		236	/* op .. file */
#define DHCP4_MIN_LEN		240	/* with the magic cookie */
#define DHCP4_BOOTP_MIN		300	/* what we build is padded to this */
#define DHCP4_MAX_LEN		1400
#define DHCP4_CLIENT_ID_MAX	64	/* option 61 we keep, at most */

enum dhcp4_type {
	DHCP4_DISCOVER		= 1,
	DHCP4_OFFER		= 2,
	DHCP4_REQUEST		= 3,
	DHCP4_DECLINE		= 4,
	DHCP4_ACK		= 5,
	DHCP4_NAK		= 6,
	DHCP4_RELEASE		= 7,
	DHCP4_INFORM		= 8,
	DHCP4_LEASEQUERY	= 10,	/* RFC 4388 */
	DHCP4_LEASEUNASSIGNED	= 11,
	DHCP4_LEASEUNKNOWN	= 12,
	DHCP4_LEASEACTIVE	= 13,
	DHCP4_BULKLEASEQUERY	= 14,	/* RFC 6926 */
	DHCP4_LEASEQUERYDONE	= 15,
};

enum dhcp4_option {
	DHCP4_OPT_PAD		= 0,
	DHCP4_OPT_SUBNET_MASK	= 1,
	DHCP4_OPT_REQUESTED_IP	= 50,
	DHCP4_OPT_LEASE_TIME	= 51,
	DHCP4_OPT_OVERLOAD	= 52,
	DHCP4_OPT_MSG_TYPE	= 53,
	DHCP4_OPT_SERVER_ID	= 54,
	DHCP4_OPT_PARAMS	= 55,
	DHCP4_OPT_MESSAGE	= 56,
	DHCP4_OPT_T1		= 58,
	DHCP4_OPT_T2		= 59,
	DHCP4_OPT_CLIENT_ID	= 61,
	DHCP4_OPT_S46_SADDR	= 109,	/* RFC 8539, 16 bytes */
	DHCP4_OPT_LQ_STATUS	= 151,	/* RFC 6926: code (1), message */
	DHCP4_OPT_LQ_BASE_TIME	= 152,
	DHCP4_OPT_LQ_STATE	= 156,	/* dhcp-state (1 byte) */
	DHCP4_OPT_V4_PORTPARAMS	= 159,	/* RFC 7618 */
	DHCP4_OPT_END		= 255,
};

#define DHCP4_MAGIC		0x63825363u
#define DHCP4_FLAG_BROADCAST	0x8000u

/*
 * A message, fixed fields in host order except addresses (network order),
 * and the options lw4o6 uses (the first of each).  psid is the PSID's
 * value, right-aligned (< 2^psid_len); option 159 carries it left-aligned.
 */
struct dhcp4_msg {
	uint8_t op, htype, hlen, hops;
	uint32_t xid;
	uint16_t secs, flags;
	uint32_t ciaddr, yiaddr, siaddr, giaddr;	/* network order */
	uint8_t chaddr[16];
	uint8_t type;			/* option 53; 0 = absent (BOOTP) */
	bool has_requested_ip, has_server_id, has_lease_time, has_t1, has_t2;
	uint32_t requested_ip, server_id;	/* network order */
	uint32_t lease_time, t1, t2;		/* s */
	const uint8_t *client_id;	/* option 61's data, NULL if absent */
	uint8_t client_id_len;
	const uint8_t *params;		/* option 55's data */
	uint8_t params_len;
	bool has_saddr;
	struct in6_addr saddr;		/* option 109 */
	bool has_portparams;
	uint8_t offset, psid_len;
	uint16_t psid;
	bool has_lq_status;
	uint8_t lq_status;		/* option 151's code */
	bool has_lq_state;
	uint8_t lq_state;		/* option 156 */
	const uint8_t *message;		/* option 56's text, not NUL-ended */
	uint8_t message_len;
};

/*
 * -EINVAL unless buf is a well-formed message: at least DHCP4_MIN_LEN
 * bytes, the magic cookie, hlen <= 16, every option whole before END or
 * the end of buf, option 53 of length 1 and value 1..15, 50/54 of 4, 51/
 * 58/59 of 4, 109 of 16, 159 of 4 with offset + psid_len <= 16 and the
 * PSID's low bits zero, 61 of 2..DHCP4_CLIENT_ID_MAX.  Option overload
 * (52) is not supported: -EINVAL.  A known option with a wrong length is
 * malformed, not skipped.
 */
int dhcp4_parse(const uint8_t *buf, size_t len, struct dhcp4_msg *m);

/* Whether code is in option 55. */
bool dhcp4_param_requested(const struct dhcp4_msg *m, uint8_t code);

/*
 * Builds m: the fixed fields, the cookie, option 53 (if type), then each
 * has_* option and client_id / params when set (159 from offset,
 * psid_len, psid; 56 from message), then extra (raw, already-coded
 * options, may be NULL), END, and pads to DHCP4_BOOTP_MIN.  Its length,
 * or 0 if cap is too small.
 */
size_t dhcp4_build(const struct dhcp4_msg *m, const uint8_t *extra,
		   size_t extra_len, uint8_t *out, size_t cap);

/* The first option code in buf's options, its data and length; -ENOENT. */
int dhcp4_find_opt(const uint8_t *buf, size_t len, uint8_t code,
		   const uint8_t **data, uint8_t *dlen);

const char *dhcp4_type_name(uint8_t type);

/*
 * RFC 6926 framing on the TCP connection: each message preceded by its
 * length in 2 bytes, network order.  dhcp4_tcp_frame() returns the length
 * of the first whole message in buf (its data starts at buf + 2) once
 * len >= 2 + that; 0 if more is needed; -EINVAL if the stated length is
 * below DHCP4_MIN_LEN or above DHCP4_MAX_LEN.
 */
int dhcp4_tcp_frame(const uint8_t *buf, size_t len);

#endif
