/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * DHCPv6 as far as lw4o6 speaks it (RFC 8415 framing, RFC 7341
 * DHCPv4-over-DHCPv6, RFC 7598 softwire container for lw4o6, RFC 6334 AFTR
 * name): parsing and building, no I/O.  Every DHCPv6 datagram a peer sends
 * goes through dhcp6_parse() or dhcp6_relay_parse() first; they are what
 * fuzz/fuzz_dhcp6.c drives.  A parsed message points into the caller's
 * buffer: it lives as long as that buffer.
 */
#ifndef LW4O6D_DHCP6_H
#define LW4O6D_DHCP6_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#define DHCP6_CLIENT_PORT	546
#define DHCP6_SERVER_PORT	547
#define DHCP6_MAX_LEN		1500	/* what we read or build, at most */
#define DHCP6_HOP_LIMIT		8	/* RFC 8415 7.6 HOP_COUNT_LIMIT */
#define DHCP6_DUID_MAX		130	/* RFC 8415 11.1: 128 + type */
#define DHCP6_IFID_MAX		64	/* INTERFACE_ID we keep or send, at most */
#define DHCP6_MAX_4O6_SERVERS	8	/* option 88 entries we keep */
#define DHCP6_MAX_BR		4	/* S46_BR entries we keep */

enum dhcp6_type {
	DHCP6_SOLICIT		= 1,
	DHCP6_ADVERTISE		= 2,
	DHCP6_REQUEST		= 3,
	DHCP6_RENEW		= 5,
	DHCP6_REPLY		= 7,
	DHCP6_RELEASE		= 8,
	DHCP6_INFORMATION_REQUEST = 11,
	DHCP6_RELAY_FORW	= 12,
	DHCP6_RELAY_REPL	= 13,
	DHCP6_DHCPV4_QUERY	= 20,	/* RFC 7341 */
	DHCP6_DHCPV4_RESPONSE	= 21,
};

enum dhcp6_option {
	DHCP6_OPT_CLIENTID		= 1,
	DHCP6_OPT_SERVERID		= 2,
	DHCP6_OPT_ORO			= 6,
	DHCP6_OPT_ELAPSED_TIME		= 8,
	DHCP6_OPT_RELAY_MSG		= 9,
	DHCP6_OPT_STATUS_CODE		= 13,
	DHCP6_OPT_INTERFACE_ID		= 18,
	DHCP6_OPT_AFTR_NAME		= 64,	/* RFC 6334 */
	DHCP6_OPT_DHCPV4_MSG		= 87,	/* RFC 7341 */
	DHCP6_OPT_4O6_SERVER		= 88,
	DHCP6_OPT_S46_BR		= 90,	/* RFC 7598 */
	DHCP6_OPT_S46_V4V6BIND		= 92,
	DHCP6_OPT_S46_PORTPARAMS	= 93,
	DHCP6_OPT_S46_CONT_LW		= 96,
};

/* DHCPV4-QUERY flags (RFC 7341 6.2): the message would have been unicast. */
#define DHCP6_4O6_FLAG_UNICAST	0x800000u

/*
 * A client/server message (not a relay message).  Options are checked to
 * lie wholly inside the message; the ones lw4o6 uses are picked out (the
 * first of each; repeats are ignored).  xid is the 24-bit transaction id,
 * or for DHCPV4-QUERY / -RESPONSE the 24 flag bits.
 */
struct dhcp6_msg {
	uint8_t type;
	uint32_t xid;
	const uint8_t *opts;		/* the whole options area */
	size_t opts_len;
	const uint8_t *client_id;	/* option 1's data, NULL if absent */
	uint16_t client_id_len;
	const uint8_t *server_id;	/* option 2's */
	uint16_t server_id_len;
	const uint8_t *oro;		/* option 6's data (pairs of bytes) */
	uint16_t oro_len;
	bool has_status;
	uint16_t status;		/* option 13's code */
	const uint8_t *dhcpv4;		/* option 87: a whole BOOTP message */
	uint16_t dhcpv4_len;
	bool has_4o6_servers;		/* option 88 present (may be empty) */
	size_t n_4o6_servers;		/* the first DHCP6_MAX_4O6_SERVERS */
	struct in6_addr servers_4o6[DHCP6_MAX_4O6_SERVERS];
	const uint8_t *cont_lw;		/* option 96's data, for s46_lw_parse() */
	uint16_t cont_lw_len;
	const uint8_t *aftr_name;	/* option 64's data (DNS wire format) */
	uint16_t aftr_name_len;
};

/*
 * -EINVAL unless buf is one well-formed client/server message: at least
 * the 4-byte header, every option whole (a length that runs past the end
 * is malformed), option 88 a multiple of 16 bytes, option 6 of even
 * length.  Relay messages (12, 13) are -EINVAL here: use
 * dhcp6_relay_parse().
 */
int dhcp6_parse(const uint8_t *buf, size_t len, struct dhcp6_msg *m);

/* Whether option code is in m's ORO. */
bool dhcp6_oro_has(const struct dhcp6_msg *m, uint16_t code);

/* One level of relay message (RFC 8415 9). */
struct dhcp6_relay {
	uint8_t type;			/* RELAY_FORW or RELAY_REPL */
	uint8_t hop_count;
	struct in6_addr link, peer;
	const uint8_t *relay_msg;	/* option 9's data: the next level */
	uint16_t relay_msg_len;
	const uint8_t *interface_id;	/* option 18's data, NULL if absent */
	uint16_t interface_id_len;
};

/*
 * -EINVAL unless buf is a well-formed RELAY-FORW or RELAY-REPL (34-byte
 * header, whole options) holding exactly one RELAY_MSG.  The inner message
 * may itself be a relay message: callers walk at most DHCP6_HOP_LIMIT + 1
 * levels (dhcp6_unwrap()).
 */
int dhcp6_relay_parse(const uint8_t *buf, size_t len, struct dhcp6_relay *r);

/*
 * Walks relay levels down to the client's message: r[0] the outermost.
 * *n_levels is how many relay levels there were (0: buf is the client's
 * message itself); *inner and *inner_len the client message.  -EINVAL if
 * a level is malformed, or more than max levels (<= DHCP6_HOP_LIMIT + 1).
 */
int dhcp6_unwrap(const uint8_t *buf, size_t len, struct dhcp6_relay *r,
		 size_t max, size_t *n_levels, const uint8_t **inner,
		 size_t *inner_len);

/*
 * RFC 7598 S46_CONT_LW for lw4o6.  psid is the PSID's value (right-
 * aligned, < 2^psid_len); on the wire it is left-aligned in 16 bits.
 */
struct s46_lw {
	size_t n_br;
	struct in6_addr br[DHCP6_MAX_BR];
	bool has_bind;
	uint32_t ipv4;			/* network order */
	uint8_t prefix_len;		/* bind-ipv6-prefix length, 0..128 */
	struct in6_addr prefix;		/* bits past prefix_len are zero */
	bool has_portparams;
	uint8_t offset, psid_len;
	uint16_t psid;
};

/*
 * data/len: option 96's data.  -EINVAL if a sub-option is cut short, a BR
 * is not 16 bytes, a V4V6BIND's prefix runs past it, a second V4V6BIND
 * comes, offset + psid_len > 16, or the PSID's low 16 - psid_len bits are
 * not zero.  Unknown sub-options are skipped.
 */
int s46_lw_parse(const uint8_t *data, size_t len, struct s46_lw *out);

/*
 * The softwire's source address for a binding: the bind prefix itself
 * when it is a /128, else the prefix with the RFC 7597 section 6
 * interface identifier (16 bits 0, the IPv4 address, the PSID) in its
 * last 64 bits.  -EINVAL if there is no binding or prefix_len > 64 and
 * < 128 (the interface id would not fit).
 */
int s46_lw_source(const struct s46_lw *lw, struct in6_addr *out);

/*
 * Building: begin a message into mem, add options, end.  A builder that
 * ran out of room remembers it, and dhcp6_end() returns 0.
 */
struct dhcp6_buf {
	uint8_t *p;
	size_t len, cap;
	bool overflow;
};

void dhcp6_begin(struct dhcp6_buf *b, uint8_t *mem, size_t cap, uint8_t type,
		 uint32_t xid);
void dhcp6_relay_begin(struct dhcp6_buf *b, uint8_t *mem, size_t cap,
		       uint8_t type, uint8_t hop_count,
		       const struct in6_addr *link, const struct in6_addr *peer);
void dhcp6_put(struct dhcp6_buf *b, uint16_t code, const void *data,
	       size_t len);
void dhcp6_put_u16(struct dhcp6_buf *b, uint16_t code, uint16_t v);
/* Option 13: code and a UTF-8 message (may be NULL). */
void dhcp6_put_status(struct dhcp6_buf *b, uint16_t code, const char *msg);
/* Option 96 holding lw's BRs and binding. */
void dhcp6_put_s46_lw(struct dhcp6_buf *b, const struct s46_lw *lw);
/* The message's length, or 0 if it did not fit. */
size_t dhcp6_end(const struct dhcp6_buf *b);

/* A DUID-LL for a client: type 3, hardware type 1, the 6-byte MAC.  Its length (10). */
size_t dhcp6_duid_ll(const uint8_t mac[6], uint8_t *out);

const char *dhcp6_type_name(uint8_t type);

#endif
