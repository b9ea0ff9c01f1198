/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * PCP (RFC 6887) messages with PORT_SET (RFC 7753) and the GET / NEXT state
 * retrieval of draft-boucadair-pcp-failure: parsing and building, no I/O.
 * Everything a peer sends goes through pcp_parse() first; it is the part
 * the fuzzer (fuzz_pcp.c) drives.
 */
#ifndef LW4O6D_PCP_H
#define LW4O6D_PCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#define PCP_VERSION		2
#define PCP_SERVER_PORT		5351
#define PCP_CLIENT_PORT		5350
#define PCP_MAX_LEN		1100	/* RFC 6887 7: larger messages are invalid */
#define PCP_HDR_LEN		24
#define PCP_MAP_LEN		36	/* MAP opcode payload */
#define PCP_NONCE_LEN		12

enum pcp_opcode {
	PCP_OP_ANNOUNCE	= 0,
	PCP_OP_MAP	= 1,
	PCP_OP_PEER	= 2,
	/*
	 * draft-boucadair-pcp-failure leaves GET's value to IANA; we take the
	 * first of RFC 6887's Private Use opcodes (96-126).
	 */
	PCP_OP_GET	= 96,
};

enum pcp_option {
	PCP_OPT_THIRD_PARTY	= 1,
	PCP_OPT_PREFER_FAILURE	= 2,
	PCP_OPT_FILTER		= 3,
	PCP_OPT_PORT_SET	= 130,	/* RFC 7753 */
	/*
	 * Private Use, optional to process (RFC 6887 19.3: 224-254).  NEXT
	 * is the draft's (value left to IANA); PORT_PARAMS carries offset,
	 * PSID length and PSID as RFC 7618's OPTION_V4_PORTPARAMS does, for
	 * sets that one contiguous PORT_SET range cannot describe (offset > 0).
	 */
	PCP_OPT_NEXT		= 224,
	PCP_OPT_PORT_PARAMS	= 225,
};

enum pcp_result {
	PCP_SUCCESS			= 0,
	PCP_UNSUPP_VERSION		= 1,
	PCP_NOT_AUTHORIZED		= 2,
	PCP_MALFORMED_REQUEST		= 3,
	PCP_UNSUPP_OPCODE		= 4,
	PCP_UNSUPP_OPTION		= 5,
	PCP_MALFORMED_OPTION		= 6,
	PCP_NETWORK_FAILURE		= 7,
	PCP_NO_RESOURCES		= 8,
	PCP_UNSUPP_PROTOCOL		= 9,
	PCP_USER_EX_QUOTA		= 10,
	PCP_CANNOT_PROVIDE_EXTERNAL	= 11,
	PCP_ADDRESS_MISMATCH		= 12,
	PCP_EXCESSIVE_REMOTE_PEERS	= 13,
	/* Not on the wire: pcp_parse() says "send nothing". */
	PCP_SILENT			= 255,
};

struct pcp_port_set {
	bool present;
	uint16_t size;		/* Port Set Size; 0 is malformed */
	uint16_t first;		/* First Internal Port (request) / first external (response) */
	bool parity;
};

struct pcp_port_params {
	bool present;
	uint8_t offset;
	uint8_t psid_len;
	uint16_t psid;
};

/* The NEXT option: where a GET continues (the key of the last mapping). */
struct pcp_next {
	bool present;
	uint8_t nonce[PCP_NONCE_LEN];
	uint8_t protocol;
	uint16_t internal_port;
	struct in6_addr internal;	/* v4-mapped for IPv4 */
	bool more;			/* response: further mappings remain */
};

/*
 * One message, request or response, in host order.  IPv4 addresses are
 * carried v4-mapped (::ffff:a.b.c.d) as on the wire.
 */
struct pcp_msg {
	uint8_t version;
	bool response;
	uint8_t opcode;
	uint8_t result;			/* response */
	uint32_t lifetime;
	uint32_t epoch;			/* response */
	struct in6_addr client;		/* request: PCP client's IP address */

	/* MAP and GET (GET uses nonce only: see docs/lw4o6d.md) */
	uint8_t nonce[PCP_NONCE_LEN];
	uint8_t protocol;		/* 0 = all protocols */
	uint16_t internal_port;		/* 0 = all ports */
	uint16_t external_port;		/* suggested / assigned */
	struct in6_addr external;	/* suggested / assigned */

	struct pcp_port_set port_set;
	struct pcp_port_params port_params;
	struct pcp_next next;
	bool prefer_failure;
	bool third_party;
	struct in6_addr third_party_addr;
};

/*
 * Parses a whole UDP payload.  0 on success.  Otherwise the PCP result code
 * a server answers with (UNSUPP_VERSION, MALFORMED_REQUEST, UNSUPP_OPCODE,
 * UNSUPP_OPTION, MALFORMED_OPTION, ...), or PCP_SILENT when RFC 6887 says
 * to send nothing (too short, a response where a request was expected, ...).
 * *m holds what could be read either way.  Never reads past len.
 */
int pcp_parse(const uint8_t *buf, size_t len, struct pcp_msg *m);

/*
 * pcp_parse() takes requests and responses alike (m->response says which,
 * and a well-formed response returns 0).  This is the server's entry: the
 * same, but PCP_SILENT for any response (RFC 6887 8.3: R set, drop it).
 * An error response to a client (result != 0) returns 0 even when the
 * options it echoes from a refused request are bad: the result is what
 * counts there.
 */
int pcp_parse_request(const uint8_t *buf, size_t len, struct pcp_msg *m);

/* Builds m into buf (cap bytes, >= PCP_MAX_LEN); returns its length, 0 if it does not fit. */
size_t pcp_build(const struct pcp_msg *m, uint8_t *buf, size_t cap);

/*
 * RFC 6887 7.2: an error response to a request that could not be parsed
 * copies the request (up to PCP_MAX_LEN, zero-padded to a multiple of 4)
 * with R set and the result, lifetime and epoch filled in.  Returns the
 * length, 0 if the request is too short to answer at all.
 */
size_t pcp_error_response(const uint8_t *req, size_t len, uint8_t result,
			  uint32_t lifetime, uint32_t epoch, uint8_t *out,
			  size_t cap);

const char *pcp_result_name(uint8_t result);
const char *pcp_opcode_name(uint8_t opcode);

/* v4-mapped helpers */
void pcp_v4mapped(uint32_t be, struct in6_addr *a);
bool pcp_is_v4mapped(const struct in6_addr *a, uint32_t *be);

#endif
