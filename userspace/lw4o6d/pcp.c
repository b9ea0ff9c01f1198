/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * PCP codec: RFC 6887 messages, RFC 7753 PORT_SET, our PORT_PARAMS and the
 * GET / NEXT state retrieval after draft-boucadair-pcp-failure.
 *
 * Wire layouts (all integers big-endian, offsets in bytes):
 *
 *   Common header, RFC 6887 7.1 / 7.2 (24 bytes)
 *     request:  0 version=2 | 1 R=0,opcode(7) | 2-3 reserved |
 *               4-7 requested lifetime | 8-23 client IP (v4-mapped)
 *     response: 0 version=2 | 1 R=1,opcode(7) | 2 reserved | 3 result |
 *               4-7 lifetime | 8-11 epoch | 12-23 reserved
 *
 *   MAP payload, RFC 6887 11.1 (36 bytes, request and response)
 *     0-11 nonce | 12 protocol | 13-15 reserved | 16-17 internal port |
 *     18-19 suggested/assigned external port | 20-35 external IP
 *
 *   ANNOUNCE: no payload.  PEER: refused with UNSUPP_OPCODE.
 *
 *   Options, RFC 6887 7.3: 0 code | 1 reserved | 2-3 length | data, zero
 *   padded to a multiple of 4 (the length does not count the padding).
 *     THIRD_PARTY (1)      16: internal IP                 MAP, GET
 *     PREFER_FAILURE (2)    0                               MAP
 *     FILTER (3)           20: reserved, prefix length, remote port,
 *                              remote IP; checked, then dropped   MAP
 *     PORT_SET (130)        5: 0-1 Port Set Size | 2-3 First Internal Port |
 *                              4 seven reserved bits, then P (parity, the
 *                              least significant bit)  RFC 7753 4   MAP, GET
 *     NEXT (224)           36: see GET below                GET
 *     PORT_PARAMS (225)     4: 0 offset | 1 PSID length | 2-3 PSID
 *                              (RFC 7618 OPTION_V4_PORTPARAMS' fields)  MAP, GET
 *
 *   GET (opcode 96) and NEXT (option 224), ours:
 *     request payload   12 bytes: the nonce (the server ignores it, and
 *                       copies it into error responses as for any request)
 *     response payload  36 bytes, MAP-shaped: one mapping, with its nonce,
 *                       protocol, internal port, first external port and
 *                       external IP; the header's lifetime is the time it
 *                       has left; PORT_SET / PORT_PARAMS describe its set.
 *     NEXT data         36 bytes: 0-11 nonce | 12 protocol | 13-14 reserved |
 *                       15 more (1: more mappings follow, 0: that was the
 *                       last; read as "more" when non-zero) | 16-31 internal
 *                       IP | 32-33 internal port | 34-35 reserved
 *     The client sends GET without NEXT to start; each response carries one
 *     mapping and a NEXT holding that mapping's key; the client continues
 *     by sending GET with that NEXT (more ignored), until a NEXT says 0.  A
 *     response without NEXT carries no mapping (nothing to retrieve).
 *
 *   Where this departs from the draft: the draft's GET request carries a
 *   filter (protocol, internal and external IP and port) where ours has a
 *   nonce only; the draft's GET response carries the mapping inside NEXT
 *   (nonce, protocol, More/End, internal and external IP, remaining
 *   lifetime, internal and external port, then the mapping's options),
 *   where ours carries it in the MAP-shaped payload, the header lifetime
 *   and ordinary options, so NEXT keeps the nonce, protocol, More/End and
 *   internal IP at the draft's offsets and only adds the internal port
 *   after them.  Opcode 96 and option 224 are Private Use values: the draft
 *   left both to IANA.  The draft-side layout was read from an
 *   implementation of a later revision (pypcpc, "NEXT v2"), not from -02.
 */
#include <string.h>

#include <lw4o6/psid.h>

#include "pcp.h"

#define PCP_OPT_HDR_LEN		4
#define PCP_GET_REQ_LEN		PCP_NONCE_LEN
#define PCP_GET_RESP_LEN	PCP_MAP_LEN
#define PCP_THIRD_PARTY_LEN	16
#define PCP_FILTER_LEN		20
#define PCP_PORT_SET_LEN	5
#define PCP_PORT_PARAMS_LEN	4
#define PCP_NEXT_LEN		36

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* Payload length for an opcode; -1 for opcodes we do not speak. */
static int payload_len(uint8_t opcode, bool response)
{
	switch (opcode) {
	case PCP_OP_ANNOUNCE:
		return 0;
	case PCP_OP_MAP:
		return PCP_MAP_LEN;
	case PCP_OP_GET:
		return response ? PCP_GET_RESP_LEN : PCP_GET_REQ_LEN;
	default:
		return -1;
	}
}

/* RFC 6887 7.3: a known option outside its opcodes is MALFORMED_OPTION. */
static bool option_valid(uint8_t code, uint8_t opcode)
{
	switch (code) {
	case PCP_OPT_THIRD_PARTY:
	case PCP_OPT_PORT_SET:
	case PCP_OPT_PORT_PARAMS:
		return opcode == PCP_OP_MAP || opcode == PCP_OP_GET;
	case PCP_OPT_PREFER_FAILURE:
	case PCP_OPT_FILTER:
		return opcode == PCP_OP_MAP;
	case PCP_OPT_NEXT:
		return opcode == PCP_OP_GET;
	default:
		return false;
	}
}

static bool option_known(uint8_t code)
{
	switch (code) {
	case PCP_OPT_THIRD_PARTY:
	case PCP_OPT_PREFER_FAILURE:
	case PCP_OPT_FILTER:
	case PCP_OPT_PORT_SET:
	case PCP_OPT_NEXT:
	case PCP_OPT_PORT_PARAMS:
		return true;
	default:
		return false;
	}
}

static int parse_option(uint8_t code, const uint8_t *d, size_t dlen,
			struct pcp_msg *m)
{
	if (!option_known(code)) {
		/*
		 * RFC 6887 7.3: 0-127 are mandatory to process, 128-255 may be
		 * skipped.  A client has nobody to refuse to, so it skips all.
		 */
		if (code < 128 && !m->response)
			return PCP_UNSUPP_OPTION;
		return 0;
	}
	if (!option_valid(code, m->opcode))
		return PCP_MALFORMED_OPTION;

	switch (code) {
	case PCP_OPT_THIRD_PARTY:
		if (dlen != PCP_THIRD_PARTY_LEN || m->third_party)
			return PCP_MALFORMED_OPTION;
		m->third_party = true;
		memcpy(&m->third_party_addr, d, 16);
		break;
	case PCP_OPT_PREFER_FAILURE:
		if (dlen != 0 || m->prefer_failure)
			return PCP_MALFORMED_OPTION;
		m->prefer_failure = true;
		break;
	case PCP_OPT_FILTER:
		/* We install no filters; a FILTER only has to be well formed. */
		if (dlen != PCP_FILTER_LEN || d[1] > 128)
			return PCP_MALFORMED_OPTION;
		break;
	case PCP_OPT_PORT_SET:
		if (dlen != PCP_PORT_SET_LEN || m->port_set.present)
			return PCP_MALFORMED_OPTION;
		/* RFC 7753 4: a zero size is malformed; so is a set past 65535. */
		if (!get16(d) || (uint32_t)get16(d + 2) + get16(d) > 65536)
			return PCP_MALFORMED_OPTION;
		m->port_set.size = get16(d);
		m->port_set.first = get16(d + 2);
		m->port_set.parity = d[4] & 1;
		m->port_set.present = true;
		break;
	case PCP_OPT_PORT_PARAMS:
		if (dlen != PCP_PORT_PARAMS_LEN || m->port_params.present)
			return PCP_MALFORMED_OPTION;
		/* The same rules as the kernel's binding table. */
		if (!lw4o6_psid_shape_valid(d[0], d[1]) ||
		    !lw4o6_psid_valid(d[1], get16(d + 2)))
			return PCP_MALFORMED_OPTION;
		m->port_params.offset = d[0];
		m->port_params.psid_len = d[1];
		m->port_params.psid = get16(d + 2);
		m->port_params.present = true;
		break;
	case PCP_OPT_NEXT:
		if (dlen != PCP_NEXT_LEN || m->next.present)
			return PCP_MALFORMED_OPTION;
		memcpy(m->next.nonce, d, PCP_NONCE_LEN);
		m->next.protocol = d[12];
		m->next.more = d[15] != 0;
		memcpy(&m->next.internal, d + 16, 16);
		m->next.internal_port = get16(d + 32);
		m->next.present = true;
		break;
	}
	return 0;
}

int pcp_parse(const uint8_t *buf, size_t len, struct pcp_msg *m)
{
	size_t off;
	int plen, r;

	memset(m, 0, sizeof(*m));
	/* RFC 6887 8.3: too short to carry even a version and an opcode. */
	if (len < 2)
		return PCP_SILENT;
	m->version = buf[0];
	m->response = buf[1] & 0x80;
	m->opcode = buf[1] & 0x7f;
	if (m->version != PCP_VERSION)
		return PCP_UNSUPP_VERSION;
	if (len < PCP_HDR_LEN || len > PCP_MAX_LEN || len % 4)
		return PCP_MALFORMED_REQUEST;

	m->lifetime = get32(buf + 4);
	if (m->response) {
		m->result = buf[3];
		m->epoch = get32(buf + 8);
	} else {
		memcpy(&m->client, buf + 8, 16);
	}

	plen = payload_len(m->opcode, m->response);
	if (plen < 0)
		return PCP_UNSUPP_OPCODE;
	off = PCP_HDR_LEN;
	if (len - off < (size_t)plen) {
		/*
		 * An error response copies the request (RFC 6887 7.2), which
		 * for GET is shorter than a GET response: keep its nonce so
		 * the client can match it, and nothing after.
		 */
		if (!m->response || m->result == PCP_SUCCESS)
			return PCP_MALFORMED_REQUEST;
		if (len - off >= PCP_NONCE_LEN)
			memcpy(m->nonce, buf + off, PCP_NONCE_LEN);
		return 0;
	}

	if (m->opcode == PCP_OP_MAP ||
	    (m->opcode == PCP_OP_GET && m->response)) {
		const uint8_t *p = buf + off;

		memcpy(m->nonce, p, PCP_NONCE_LEN);
		m->protocol = p[12];
		m->internal_port = get16(p + 16);
		m->external_port = get16(p + 18);
		memcpy(&m->external, p + 20, 16);
		/* RFC 6887 11.3: "all protocols" has no port to speak of. */
		if (m->opcode == PCP_OP_MAP && !m->response &&
		    !m->protocol && m->internal_port)
			return PCP_MALFORMED_REQUEST;
	} else if (m->opcode == PCP_OP_GET) {
		memcpy(m->nonce, buf + off, PCP_NONCE_LEN);
	}
	off += plen;

	while (off < len) {
		size_t olen, padded;

		/* off and len are multiples of 4, so a header always fits. */
		r = PCP_MALFORMED_OPTION;
		if (len - off < PCP_OPT_HDR_LEN)
			goto bad_option;
		olen = get16(buf + off + 2);
		padded = (olen + 3) & ~(size_t)3;
		if (padded > len - off - PCP_OPT_HDR_LEN)
			goto bad_option;
		r = parse_option(buf[off], buf + off + PCP_OPT_HDR_LEN, olen,
				 m);
		if (r)
			goto bad_option;
		off += PCP_OPT_HDR_LEN + padded;
	}
	return 0;

bad_option:
	/*
	 * An error response may echo the very options that the server
	 * refused (RFC 6887 7.2 copies the request): its result code is what
	 * the client needs, so keep the options read so far and stop there.
	 */
	if (m->response && m->result != PCP_SUCCESS)
		return 0;
	return r;
}

int pcp_parse_request(const uint8_t *buf, size_t len, struct pcp_msg *m)
{
	int r = pcp_parse(buf, len, m);

	/* RFC 6887 8.3: a response sent to a server is dropped unanswered. */
	if (len >= 2 && (buf[1] & 0x80))
		return PCP_SILENT;
	return r;
}

static size_t option_space(const struct pcp_msg *m)
{
	size_t n = 0;

	if (m->third_party)
		n += PCP_OPT_HDR_LEN + PCP_THIRD_PARTY_LEN;
	if (m->prefer_failure)
		n += PCP_OPT_HDR_LEN;
	if (m->port_set.present)
		n += PCP_OPT_HDR_LEN + 8;
	if (m->port_params.present)
		n += PCP_OPT_HDR_LEN + PCP_PORT_PARAMS_LEN;
	if (m->next.present)
		n += PCP_OPT_HDR_LEN + PCP_NEXT_LEN;
	return n;
}

/* Writes an option header and returns where its (zeroed) data goes. */
static uint8_t *put_option(uint8_t *p, uint8_t code, uint16_t dlen)
{
	p[0] = code;
	p[1] = 0;
	put16(p + 2, dlen);
	memset(p + PCP_OPT_HDR_LEN, 0, (dlen + 3u) & ~3u);
	return p + PCP_OPT_HDR_LEN;
}

/* Would pcp_parse() take these options for this opcode?  Refuse otherwise. */
static bool options_buildable(const struct pcp_msg *m)
{
	if (m->third_party && !option_valid(PCP_OPT_THIRD_PARTY, m->opcode))
		return false;
	if (m->prefer_failure &&
	    !option_valid(PCP_OPT_PREFER_FAILURE, m->opcode))
		return false;
	if (m->port_set.present &&
	    (!option_valid(PCP_OPT_PORT_SET, m->opcode) || !m->port_set.size ||
	     (uint32_t)m->port_set.first + m->port_set.size > 65536))
		return false;
	if (m->port_params.present &&
	    (!option_valid(PCP_OPT_PORT_PARAMS, m->opcode) ||
	     !lw4o6_psid_shape_valid(m->port_params.offset,
				     m->port_params.psid_len) ||
	     !lw4o6_psid_valid(m->port_params.psid_len, m->port_params.psid)))
		return false;
	if (m->next.present && !option_valid(PCP_OPT_NEXT, m->opcode))
		return false;
	return true;
}

size_t pcp_build(const struct pcp_msg *m, uint8_t *buf, size_t cap)
{
	int plen = payload_len(m->opcode, m->response);
	size_t len;
	uint8_t *p;

	if (plen < 0 || !options_buildable(m))
		return 0;
	len = PCP_HDR_LEN + plen + option_space(m);
	if (len > cap || len > PCP_MAX_LEN)
		return 0;

	memset(buf, 0, PCP_HDR_LEN + plen);
	buf[0] = m->version ? m->version : PCP_VERSION;
	buf[1] = (m->response ? 0x80 : 0) | (m->opcode & 0x7f);
	put32(buf + 4, m->lifetime);
	if (m->response) {
		buf[3] = m->result;
		put32(buf + 8, m->epoch);
	} else {
		memcpy(buf + 8, &m->client, 16);
	}

	p = buf + PCP_HDR_LEN;
	if (plen == PCP_MAP_LEN) {
		memcpy(p, m->nonce, PCP_NONCE_LEN);
		p[12] = m->protocol;
		put16(p + 16, m->internal_port);
		put16(p + 18, m->external_port);
		memcpy(p + 20, &m->external, 16);
	} else if (plen == PCP_GET_REQ_LEN) {
		memcpy(p, m->nonce, PCP_NONCE_LEN);
	}
	p += plen;

	if (m->third_party) {
		memcpy(put_option(p, PCP_OPT_THIRD_PARTY, PCP_THIRD_PARTY_LEN),
		       &m->third_party_addr, 16);
		p += PCP_OPT_HDR_LEN + PCP_THIRD_PARTY_LEN;
	}
	if (m->prefer_failure) {
		put_option(p, PCP_OPT_PREFER_FAILURE, 0);
		p += PCP_OPT_HDR_LEN;
	}
	if (m->port_set.present) {
		uint8_t *d = put_option(p, PCP_OPT_PORT_SET, PCP_PORT_SET_LEN);

		put16(d, m->port_set.size);
		put16(d + 2, m->port_set.first);
		d[4] = m->port_set.parity ? 1 : 0;
		p += PCP_OPT_HDR_LEN + 8;
	}
	if (m->port_params.present) {
		uint8_t *d = put_option(p, PCP_OPT_PORT_PARAMS,
					PCP_PORT_PARAMS_LEN);

		d[0] = m->port_params.offset;
		d[1] = m->port_params.psid_len;
		put16(d + 2, m->port_params.psid);
		p += PCP_OPT_HDR_LEN + PCP_PORT_PARAMS_LEN;
	}
	if (m->next.present) {
		uint8_t *d = put_option(p, PCP_OPT_NEXT, PCP_NEXT_LEN);

		memcpy(d, m->next.nonce, PCP_NONCE_LEN);
		d[12] = m->next.protocol;
		d[15] = m->next.more ? 1 : 0;
		memcpy(d + 16, &m->next.internal, 16);
		put16(d + 32, m->next.internal_port);
		p += PCP_OPT_HDR_LEN + PCP_NEXT_LEN;
	}
	return len;
}

size_t pcp_error_response(const uint8_t *req, size_t len, uint8_t result,
			  uint32_t lifetime, uint32_t epoch, uint8_t *out,
			  size_t cap)
{
	size_t copy, n;

	if (len < 2)
		return 0;
	copy = len < PCP_MAX_LEN ? len : PCP_MAX_LEN;
	n = (copy + 3) & ~(size_t)3;
	/* The header is rewritten whole, however little of it arrived. */
	if (n < PCP_HDR_LEN)
		n = PCP_HDR_LEN;
	if (n > cap)
		return 0;
	memmove(out, req, copy);
	memset(out + copy, 0, n - copy);

	/* RFC 6887 9: we speak version 2 only, and say so in the answer. */
	out[0] = PCP_VERSION;
	out[1] = 0x80 | (req[1] & 0x7f);
	out[2] = 0;
	out[3] = result;
	put32(out + 4, lifetime);
	put32(out + 8, epoch);
	/* The client's address is not echoed: this is reserved in a response. */
	memset(out + 12, 0, PCP_HDR_LEN - 12);
	return n;
}

const char *pcp_result_name(uint8_t result)
{
	static const char *const names[] = {
		[PCP_SUCCESS]			= "success",
		[PCP_UNSUPP_VERSION]		= "unsupp-version",
		[PCP_NOT_AUTHORIZED]		= "not-authorized",
		[PCP_MALFORMED_REQUEST]		= "malformed-request",
		[PCP_UNSUPP_OPCODE]		= "unsupp-opcode",
		[PCP_UNSUPP_OPTION]		= "unsupp-option",
		[PCP_MALFORMED_OPTION]		= "malformed-option",
		[PCP_NETWORK_FAILURE]		= "network-failure",
		[PCP_NO_RESOURCES]		= "no-resources",
		[PCP_UNSUPP_PROTOCOL]		= "unsupp-protocol",
		[PCP_USER_EX_QUOTA]		= "user-ex-quota",
		[PCP_CANNOT_PROVIDE_EXTERNAL]	= "cannot-provide-external",
		[PCP_ADDRESS_MISMATCH]		= "address-mismatch",
		[PCP_EXCESSIVE_REMOTE_PEERS]	= "excessive-remote-peers",
	};

	if (result == PCP_SILENT)
		return "silent";
	if (result < sizeof(names) / sizeof(names[0]))
		return names[result];
	return "unknown";
}

const char *pcp_opcode_name(uint8_t opcode)
{
	switch (opcode & 0x7f) {
	case PCP_OP_ANNOUNCE:
		return "announce";
	case PCP_OP_MAP:
		return "map";
	case PCP_OP_PEER:
		return "peer";
	case PCP_OP_GET:
		return "get";
	default:
		return "unknown";
	}
}

void pcp_v4mapped(uint32_t be, struct in6_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->s6_addr[10] = 0xff;
	a->s6_addr[11] = 0xff;
	memcpy(&a->s6_addr[12], &be, 4);
}

bool pcp_is_v4mapped(const struct in6_addr *a, uint32_t *be)
{
	static const uint8_t prefix[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	};

	if (memcmp(a->s6_addr, prefix, sizeof(prefix)))
		return false;
	if (be)
		memcpy(be, &a->s6_addr[12], 4);
	return true;
}
