// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * pcp.c against wire bytes written by hand from RFC 6887 7.1 / 11.1 and
 * RFC 7753 4, and every refusal pcp_parse() knows.  With
 * LW4O6_PCP_CORPUS=dir set, also writes the fuzzer's seed corpus there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "pcp.h"
#include "wire.h"

#include "tests/cmocka_wrap.h"

/*
 * A MAP request: lifetime 3600 from 2001:db8:1::2, UDP, internal and
 * suggested external port 4096, suggested external 192.0.2.1, a PORT_SET
 * of 1024 ports from 4096 with parity, and PORT_PARAMS offset 6, PSID
 * length 6, PSID 1.
 */
static const uint8_t map_req_wire[] = {
	/* common header: version 2, R=0 opcode MAP, reserved */
	0x02, 0x01, 0x00, 0x00,
	0x00, 0x00, 0x0e, 0x10,				/* lifetime 3600 */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00,	/* 2001:db8:1::2 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
	/* MAP: nonce */
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
	0x09, 0x0a, 0x0b, 0x0c,
	0x11, 0x00, 0x00, 0x00,				/* UDP, reserved */
	0x10, 0x00, 0x10, 0x00,				/* ports 4096, 4096 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* ::ffff:192.0.2.1 */
	0x00, 0x00, 0xff, 0xff, 0xc0, 0x00, 0x02, 0x01,
	/* PORT_SET: code 130, reserved, length 5 */
	0x82, 0x00, 0x00, 0x05,
	0x04, 0x00, 0x10, 0x00,				/* size 1024, first 4096 */
	0x01, 0x00, 0x00, 0x00,				/* P=1, then padding */
	/* PORT_PARAMS: code 225, reserved, length 4 */
	0xe1, 0x00, 0x00, 0x04,
	0x06, 0x06, 0x00, 0x01,
};

static const uint8_t nonce[PCP_NONCE_LEN] = {
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
};

static void addr6(const char *s, struct in6_addr *a)
{
	assert_int_equal(inet_pton(AF_INET6, s, a), 1);
}

static void map_req_msg(struct pcp_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->version = PCP_VERSION;
	m->opcode = PCP_OP_MAP;
	m->lifetime = 3600;
	addr6("2001:db8:1::2", &m->client);
	memcpy(m->nonce, nonce, sizeof(nonce));
	m->protocol = 17;
	m->internal_port = 4096;
	m->external_port = 4096;
	pcp_v4mapped(htonl(0xc0000201), &m->external);
	m->port_set.present = true;
	m->port_set.size = 1024;
	m->port_set.first = 4096;
	m->port_set.parity = true;
	m->port_params.present = true;
	m->port_params.offset = 6;
	m->port_params.psid_len = 6;
	m->port_params.psid = 1;
}

static void assert_msg_equal(const struct pcp_msg *a, const struct pcp_msg *b)
{
	assert_int_equal(a->version, b->version);
	assert_int_equal(a->response, b->response);
	assert_int_equal(a->opcode, b->opcode);
	assert_int_equal(a->result, b->result);
	assert_int_equal(a->lifetime, b->lifetime);
	assert_int_equal(a->epoch, b->epoch);
	assert_memory_equal(&a->client, &b->client, 16);
	assert_memory_equal(a->nonce, b->nonce, PCP_NONCE_LEN);
	assert_int_equal(a->protocol, b->protocol);
	assert_int_equal(a->internal_port, b->internal_port);
	assert_int_equal(a->external_port, b->external_port);
	assert_memory_equal(&a->external, &b->external, 16);
	assert_memory_equal(&a->port_set, &b->port_set, sizeof(a->port_set));
	assert_memory_equal(&a->port_params, &b->port_params,
			    sizeof(a->port_params));
	assert_memory_equal(&a->next, &b->next, sizeof(a->next));
	assert_int_equal(a->prefer_failure, b->prefer_failure);
	assert_int_equal(a->third_party, b->third_party);
	assert_memory_equal(&a->third_party_addr, &b->third_party_addr, 16);
}

/* Build, compare the length, parse back, compare the message. */
static size_t round_trip(const struct pcp_msg *m, uint8_t *buf, size_t want)
{
	struct pcp_msg back;
	size_t n;

	n = pcp_build(m, buf, PCP_MAX_LEN);
	assert_int_equal(n, want);
	assert_int_equal(n % 4, 0);
	assert_int_equal(pcp_parse(buf, n, &back), 0);
	assert_msg_equal(m, &back);
	return n;
}

static void test_map_request_wire(void **state)
{
	uint8_t buf[PCP_MAX_LEN];
	struct pcp_msg m, parsed;
	size_t n;

	(void)state;
	map_req_msg(&m);
	n = pcp_build(&m, buf, sizeof(buf));
	assert_int_equal(n, sizeof(map_req_wire));
	assert_memory_equal(buf, map_req_wire, sizeof(map_req_wire));

	assert_int_equal(pcp_parse(map_req_wire, sizeof(map_req_wire),
				   &parsed), 0);
	assert_false(parsed.response);
	assert_msg_equal(&m, &parsed);
	assert_int_equal(pcp_parse_request(map_req_wire,
					   sizeof(map_req_wire), &parsed), 0);

	/* Parity is the last bit of the fifth byte, nothing else. */
	memcpy(buf, map_req_wire, sizeof(map_req_wire));
	buf[68] = 0xfe;
	assert_int_equal(pcp_parse(buf, sizeof(map_req_wire), &parsed), 0);
	assert_false(parsed.port_set.parity);
	assert_int_equal(parsed.port_set.size, 1024);
	assert_int_equal(parsed.port_set.first, 4096);
}

static void test_map_response(void **state)
{
	uint8_t buf[PCP_MAX_LEN];
	struct pcp_msg m;

	(void)state;
	map_req_msg(&m);
	m.response = true;
	m.result = PCP_SUCCESS;
	m.lifetime = 7200;
	m.epoch = 0x01020304;
	memset(&m.client, 0, sizeof(m.client));	/* not carried in a response */
	m.third_party = true;
	addr6("2001:db8:1::3", &m.third_party_addr);
	m.prefer_failure = true;
	round_trip(&m, buf, 24 + 36 + 20 + 4 + 12 + 8);

	/* Response header: R, result in byte 3, epoch, 12 reserved bytes. */
	assert_int_equal(buf[1], 0x81);
	assert_int_equal(buf[2], 0);
	assert_int_equal(buf[3], 0);
	assert_int_equal(buf[8], 1);
	assert_int_equal(buf[11], 4);
	for (int i = 12; i < 24; i++)
		assert_int_equal(buf[i], 0);

	m.result = PCP_NO_RESOURCES;
	round_trip(&m, buf, 24 + 36 + 20 + 4 + 12 + 8);
	assert_int_equal(buf[3], PCP_NO_RESOURCES);
}

static void test_announce(void **state)
{
	static const uint8_t wire[24] = { 0x02, 0x00 };
	uint8_t buf[PCP_MAX_LEN];
	struct pcp_msg m;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.version = PCP_VERSION;
	m.opcode = PCP_OP_ANNOUNCE;
	round_trip(&m, buf, 24);
	assert_memory_equal(buf, wire, sizeof(wire));

	m.response = true;
	m.epoch = 42;
	round_trip(&m, buf, 24);
	assert_int_equal(buf[1], 0x80);

	/* No option of ours belongs to ANNOUNCE. */
	m.response = false;
	m.port_set.present = true;
	m.port_set.size = 1;
	assert_int_equal(pcp_build(&m, buf, sizeof(buf)), 0);
}

static void test_get_next(void **state)
{
	uint8_t buf[PCP_MAX_LEN];
	struct pcp_msg m;
	size_t n;

	(void)state;
	/* The first GET: nonce only. */
	memset(&m, 0, sizeof(m));
	m.version = PCP_VERSION;
	m.opcode = PCP_OP_GET;
	addr6("2001:db8:1::2", &m.client);
	memcpy(m.nonce, nonce, sizeof(nonce));
	n = round_trip(&m, buf, 24 + 12);
	assert_int_equal(buf[1], 96);
	assert_memory_equal(buf + 24, nonce, sizeof(nonce));

	/* A response: one mapping, MAP-shaped, with NEXT saying more. */
	m.response = true;
	memset(&m.client, 0, sizeof(m.client));
	m.lifetime = 300;
	m.epoch = 9;
	m.protocol = 6;
	m.internal_port = 0;
	m.external_port = 4096;
	pcp_v4mapped(htonl(0xc0000201), &m.external);
	m.port_set.present = true;
	m.port_set.size = 1008;
	m.port_set.first = 4096;
	m.port_params.present = true;
	m.port_params.offset = 6;
	m.port_params.psid_len = 6;
	m.port_params.psid = 1;
	m.next.present = true;
	memcpy(m.next.nonce, nonce, sizeof(nonce));
	m.next.protocol = 6;
	m.next.internal_port = 0x1234;
	addr6("2001:db8:1::2", &m.next.internal);
	m.next.more = true;
	n = round_trip(&m, buf, 24 + 36 + 12 + 8 + 40);

	/* NEXT on the wire: code 224, length 36, fields at fixed offsets. */
	{
		const uint8_t *o = buf + n - 40;
		static const uint8_t head[] = { 224, 0, 0, 36 };

		assert_memory_equal(o, head, sizeof(head));
		assert_memory_equal(o + 4, nonce, sizeof(nonce));
		assert_int_equal(o[4 + 12], 6);
		assert_int_equal(o[4 + 13], 0);
		assert_int_equal(o[4 + 14], 0);
		assert_int_equal(o[4 + 15], 1);
		assert_memory_equal(o + 4 + 16, &m.next.internal, 16);
		assert_int_equal(o[4 + 32], 0x12);
		assert_int_equal(o[4 + 33], 0x34);
		assert_int_equal(o[4 + 34], 0);
		assert_int_equal(o[4 + 35], 0);
	}

	/* The last one. */
	m.next.more = false;
	n = round_trip(&m, buf, 24 + 36 + 12 + 8 + 40);
	assert_int_equal(buf[n - 40 + 4 + 15], 0);

	/* The next GET carries the key back. */
	m.response = false;
	m.result = 0;
	m.epoch = 0;
	m.lifetime = 0;
	m.protocol = 0;
	m.external_port = 0;
	memset(&m.external, 0, sizeof(m.external));
	m.port_set.present = false;
	m.port_set.size = m.port_set.first = 0;
	m.port_params.present = false;
	m.port_params.offset = m.port_params.psid_len = 0;
	m.port_params.psid = 0;
	addr6("2001:db8:1::2", &m.client);
	round_trip(&m, buf, 24 + 12 + 40);
}

/* A request of the given length whose header is a valid MAP's. */
static int parse_len(uint8_t *buf, size_t len)
{
	struct pcp_msg m;

	return pcp_parse_request(buf, len, &m);
}

static void test_refuse_lengths(void **state)
{
	uint8_t buf[1200];

	(void)state;
	memset(buf, 0, sizeof(buf));
	memcpy(buf, map_req_wire, sizeof(map_req_wire));
	assert_int_equal(parse_len(buf, 0), PCP_SILENT);
	assert_int_equal(parse_len(buf, 1), PCP_SILENT);
	/* RFC 6887 8.3: from 2 bytes on, the version can be answered. */
	assert_int_equal(parse_len(buf, 2), PCP_MALFORMED_REQUEST);
	assert_int_equal(parse_len(buf, 3), PCP_MALFORMED_REQUEST);
	assert_int_equal(parse_len(buf, 20), PCP_MALFORMED_REQUEST);
	/* A MAP header without its payload. */
	assert_int_equal(parse_len(buf, 24), PCP_MALFORMED_REQUEST);
	assert_int_equal(parse_len(buf, 56), PCP_MALFORMED_REQUEST);
	assert_int_equal(parse_len(buf, 60), 0);
	assert_int_equal(parse_len(buf, 62), PCP_MALFORMED_REQUEST);
	assert_int_equal(parse_len(buf, sizeof(map_req_wire) + 1),
			 PCP_MALFORMED_REQUEST);
	/* Zero padding after MAP reads as options of code 0, length 0:
	 * mandatory and unknown. */
	assert_int_equal(parse_len(buf, 1100), PCP_UNSUPP_OPTION);
	assert_int_equal(parse_len(buf, 1104), PCP_MALFORMED_REQUEST);
	assert_int_equal(parse_len(buf, 1200), PCP_MALFORMED_REQUEST);
}

static void test_refuse_header(void **state)
{
	uint8_t buf[sizeof(map_req_wire)];
	struct pcp_msg m;

	(void)state;
	memcpy(buf, map_req_wire, sizeof(buf));
	buf[0] = 1;
	assert_int_equal(pcp_parse(buf, sizeof(buf), &m), PCP_UNSUPP_VERSION);
	assert_int_equal(m.version, 1);
	buf[0] = 0;	/* NAT-PMP */
	assert_int_equal(pcp_parse(buf, 12, &m), PCP_UNSUPP_VERSION);
	assert_int_equal(pcp_parse(buf, 2, &m), PCP_UNSUPP_VERSION);
	buf[0] = 3;
	assert_int_equal(pcp_parse(buf, 3, &m), PCP_UNSUPP_VERSION);

	/* A response sent to the server: dropped, whatever else it is. */
	memcpy(buf, map_req_wire, sizeof(buf));
	buf[1] |= 0x80;
	assert_int_equal(pcp_parse_request(buf, sizeof(buf), &m), PCP_SILENT);
	assert_int_equal(pcp_parse_request(buf, 2, &m), PCP_SILENT);
	buf[0] = 1;
	assert_int_equal(pcp_parse_request(buf, sizeof(buf), &m), PCP_SILENT);
	/* ... but a client reads it. */
	buf[0] = 2;
	assert_int_equal(pcp_parse(buf, sizeof(buf), &m), 0);
	assert_true(m.response);
	assert_int_equal(m.opcode, PCP_OP_MAP);

	memcpy(buf, map_req_wire, sizeof(buf));
	buf[1] = PCP_OP_PEER;
	assert_int_equal(pcp_parse(buf, sizeof(buf), &m), PCP_UNSUPP_OPCODE);
	buf[1] = 5;
	assert_int_equal(pcp_parse(buf, sizeof(buf), &m), PCP_UNSUPP_OPCODE);
	buf[1] = 127;
	assert_int_equal(pcp_parse(buf, sizeof(buf), &m), PCP_UNSUPP_OPCODE);
	buf[1] = 97;
	assert_int_equal(pcp_parse(buf, sizeof(buf), &m), PCP_UNSUPP_OPCODE);

	/* RFC 6887 11.3: protocol 0 (all) with an internal port. */
	memcpy(buf, map_req_wire, sizeof(buf));
	buf[36] = 0;
	assert_int_equal(pcp_parse(buf, sizeof(buf), &m),
			 PCP_MALFORMED_REQUEST);
	buf[40] = buf[41] = 0;
	assert_int_equal(pcp_parse(buf, sizeof(buf), &m), 0);
}

/* A MAP or GET request with the given option bytes after its payload. */
static int with_options(uint8_t opcode, const uint8_t *opt, size_t olen)
{
	uint8_t buf[PCP_MAX_LEN + 16];
	struct pcp_msg m;
	size_t n;

	memset(&m, 0, sizeof(m));
	m.version = PCP_VERSION;
	m.opcode = opcode;
	m.protocol = 17;
	n = pcp_build(&m, buf, sizeof(buf));
	assert_true(n > 0);
	memcpy(buf + n, opt, olen);
	return pcp_parse_request(buf, n + olen, &m);
}

static void test_refuse_options(void **state)
{
	static const uint8_t port_set[] = {
		130, 0, 0, 5, 0, 8, 0x10, 0x00, 0, 0, 0, 0 };
	static const uint8_t port_set0[] = {
		130, 0, 0, 5, 0, 0, 0x10, 0x00, 0, 0, 0, 0 };
	static const uint8_t port_set_short[] = {
		130, 0, 0, 4, 0, 8, 0x10, 0x00 };
	static const uint8_t port_set_wrap[] = {
		130, 0, 0, 5, 0, 2, 0xff, 0xff, 0, 0, 0, 0 };
	static const uint8_t port_params[] = { 225, 0, 0, 4, 6, 6, 0, 1 };
	static const uint8_t port_params_bad[] = { 225, 0, 0, 4, 6, 6, 0, 64 };
	static const uint8_t prefer_failure[] = { 2, 0, 0, 0 };
	static const uint8_t prefer_failure_long[] = { 2, 0, 0, 4, 0, 0, 0, 0 };
	static const uint8_t third_party[] = {
		1, 0, 0, 16, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 1 };
	static const uint8_t filter[] = {
		3, 0, 0, 20, 0, 128, 0, 80, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 1 };
	static const uint8_t filter_bad[] = {
		3, 0, 0, 20, 0, 129, 0, 80, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 1 };
	static const uint8_t next[40] = { 224, 0, 0, 36 };
	static const uint8_t mandatory[] = { 99, 0, 0, 4, 1, 2, 3, 4 };
	static const uint8_t optional[] = { 200, 0, 0, 3, 1, 2, 3, 0 };
	static const uint8_t overrun[] = { 130, 0, 0, 9, 0, 8, 0x10, 0x00,
					   0, 0, 0, 0 };
	static const uint8_t overrun_big[] = { 200, 0, 0xff, 0xff };
	uint8_t two[80];

	(void)state;
	assert_int_equal(with_options(PCP_OP_MAP, port_set, sizeof(port_set)),
			 0);
	assert_int_equal(with_options(PCP_OP_MAP, port_set0,
				      sizeof(port_set0)), PCP_MALFORMED_OPTION);
	assert_int_equal(with_options(PCP_OP_MAP, port_set_short,
				      sizeof(port_set_short)),
			 PCP_MALFORMED_OPTION);
	assert_int_equal(with_options(PCP_OP_MAP, port_set_wrap,
				      sizeof(port_set_wrap)),
			 PCP_MALFORMED_OPTION);
	assert_int_equal(with_options(PCP_OP_MAP, port_params,
				      sizeof(port_params)), 0);
	assert_int_equal(with_options(PCP_OP_MAP, port_params_bad,
				      sizeof(port_params_bad)),
			 PCP_MALFORMED_OPTION);
	assert_int_equal(with_options(PCP_OP_MAP, prefer_failure,
				      sizeof(prefer_failure)), 0);
	assert_int_equal(with_options(PCP_OP_MAP, prefer_failure_long,
				      sizeof(prefer_failure_long)),
			 PCP_MALFORMED_OPTION);
	assert_int_equal(with_options(PCP_OP_MAP, third_party,
				      sizeof(third_party)), 0);
	assert_int_equal(with_options(PCP_OP_MAP, filter, sizeof(filter)), 0);
	assert_int_equal(with_options(PCP_OP_MAP, filter_bad,
				      sizeof(filter_bad)),
			 PCP_MALFORMED_OPTION);
	assert_int_equal(with_options(PCP_OP_GET, next, sizeof(next)), 0);

	/* Unknown: mandatory refused, optional skipped. */
	assert_int_equal(with_options(PCP_OP_MAP, mandatory,
				      sizeof(mandatory)), PCP_UNSUPP_OPTION);
	assert_int_equal(with_options(PCP_OP_MAP, optional, sizeof(optional)),
			 0);
	assert_int_equal(with_options(PCP_OP_ANNOUNCE, mandatory,
				      sizeof(mandatory)), PCP_UNSUPP_OPTION);

	/* Running past the end. */
	assert_int_equal(with_options(PCP_OP_MAP, overrun, sizeof(overrun)),
			 PCP_MALFORMED_OPTION);
	assert_int_equal(with_options(PCP_OP_MAP, overrun_big,
				      sizeof(overrun_big)),
			 PCP_MALFORMED_OPTION);

	/* Known options outside their opcodes (RFC 6887 7.3). */
	assert_int_equal(with_options(PCP_OP_MAP, next, sizeof(next)),
			 PCP_MALFORMED_OPTION);
	assert_int_equal(with_options(PCP_OP_GET, prefer_failure,
				      sizeof(prefer_failure)),
			 PCP_MALFORMED_OPTION);
	assert_int_equal(with_options(PCP_OP_GET, filter, sizeof(filter)),
			 PCP_MALFORMED_OPTION);
	assert_int_equal(with_options(PCP_OP_ANNOUNCE, port_set,
				      sizeof(port_set)), PCP_MALFORMED_OPTION);
	assert_int_equal(with_options(PCP_OP_ANNOUNCE, third_party,
				      sizeof(third_party)),
			 PCP_MALFORMED_OPTION);

	/* Twice. */
#define TWICE(op, o, want) do {						\
		memcpy(two, o, sizeof(o));				\
		memcpy(two + sizeof(o), o, sizeof(o));			\
		assert_int_equal(with_options(op, two, 2 * sizeof(o)),	\
				 want);					\
	} while (0)
	TWICE(PCP_OP_MAP, port_set, PCP_MALFORMED_OPTION);
	TWICE(PCP_OP_MAP, port_params, PCP_MALFORMED_OPTION);
	TWICE(PCP_OP_MAP, prefer_failure, PCP_MALFORMED_OPTION);
	TWICE(PCP_OP_MAP, third_party, PCP_MALFORMED_OPTION);
	TWICE(PCP_OP_GET, next, PCP_MALFORMED_OPTION);
	TWICE(PCP_OP_MAP, filter, 0);
	TWICE(PCP_OP_MAP, optional, 0);
#undef TWICE
}

static void test_error_response(void **state)
{
	uint8_t req[1200], out[1200];
	struct pcp_msg m;
	size_t n;

	(void)state;
	n = pcp_error_response(map_req_wire, sizeof(map_req_wire),
			       PCP_MALFORMED_OPTION, 1800, 77, out,
			       sizeof(out));
	assert_int_equal(n, sizeof(map_req_wire));
	assert_int_equal(out[0], 2);
	assert_int_equal(out[1], 0x81);
	assert_int_equal(out[2], 0);
	assert_int_equal(out[3], PCP_MALFORMED_OPTION);
	assert_int_equal(out[4] << 24 | out[5] << 16 | out[6] << 8 | out[7],
			 1800);
	assert_int_equal(out[8] << 24 | out[9] << 16 | out[10] << 8 | out[11],
			 77);
	for (int i = 12; i < 24; i++)
		assert_int_equal(out[i], 0);
	assert_memory_equal(out + 24, map_req_wire + 24,
			    sizeof(map_req_wire) - 24);
	/* The client gets it back whole. */
	assert_int_equal(pcp_parse(out, n, &m), 0);
	assert_true(m.response);
	assert_int_equal(m.result, PCP_MALFORMED_OPTION);
	assert_int_equal(m.lifetime, 1800);
	assert_int_equal(m.epoch, 77);
	assert_memory_equal(m.nonce, nonce, sizeof(nonce));
	assert_true(m.port_set.present);

	/* Another version: answered as version 2 (RFC 6887 9). */
	memcpy(req, map_req_wire, sizeof(map_req_wire));
	req[0] = 1;
	n = pcp_error_response(req, sizeof(map_req_wire), PCP_UNSUPP_VERSION,
			       1800, 77, out, sizeof(out));
	assert_int_equal(n, sizeof(map_req_wire));
	assert_int_equal(out[0], 2);
	assert_int_equal(out[3], PCP_UNSUPP_VERSION);

	/* Short requests are answered with a whole header. */
	n = pcp_error_response(req, 2, PCP_UNSUPP_VERSION, 0, 1, out,
			       sizeof(out));
	assert_int_equal(n, 24);
	assert_int_equal(out[1], 0x81);
	assert_int_equal(out[3], PCP_UNSUPP_VERSION);
	assert_int_equal(pcp_error_response(req, 1, 1, 0, 1, out, sizeof(out)),
			 0);
	assert_int_equal(pcp_error_response(req, 0, 1, 0, 1, out, sizeof(out)),
			 0);

	/* Not a multiple of 4: zero-padded. */
	memset(req, 0xaa, sizeof(req));
	req[0] = 2;
	req[1] = 1;
	n = pcp_error_response(req, 62, PCP_MALFORMED_REQUEST, 0, 1, out,
			       sizeof(out));
	assert_int_equal(n, 64);
	assert_int_equal(out[61], 0xaa);
	assert_int_equal(out[62], 0);
	assert_int_equal(out[63], 0);

	/* Too long: the first 1100 bytes. */
	n = pcp_error_response(req, sizeof(req), PCP_MALFORMED_REQUEST, 0, 1,
			       out, sizeof(out));
	assert_int_equal(n, PCP_MAX_LEN);
	assert_int_equal(out[PCP_MAX_LEN - 1], 0xaa);
	assert_int_equal(pcp_error_response(req, sizeof(req), 3, 0, 1, out,
					    PCP_MAX_LEN - 1), 0);

	/* A refused GET: shorter than a GET response; the nonce survives. */
	memset(&m, 0, sizeof(m));
	m.opcode = PCP_OP_GET;
	memcpy(m.nonce, nonce, sizeof(nonce));
	n = pcp_build(&m, req, sizeof(req));
	assert_int_equal(n, 36);
	n = pcp_error_response(req, n, PCP_NOT_AUTHORIZED, 0, 5, out,
			       sizeof(out));
	assert_int_equal(n, 36);
	assert_int_equal(pcp_parse(out, n, &m), 0);
	assert_int_equal(m.result, PCP_NOT_AUTHORIZED);
	assert_memory_equal(m.nonce, nonce, sizeof(nonce));
	/* ... while a successful one that short is malformed. */
	out[3] = 0;
	assert_int_equal(pcp_parse(out, n, &m), PCP_MALFORMED_REQUEST);

	/* The echo of a refused option does not hide the result. */
	{
		static const uint8_t dup[] = {
			2, 0, 0, 0, 2, 0, 0, 0 };

		memset(&m, 0, sizeof(m));
		m.opcode = PCP_OP_MAP;
		n = pcp_build(&m, req, sizeof(req));
		memcpy(req + n, dup, sizeof(dup));
		n += sizeof(dup);
		assert_int_equal(pcp_parse(req, n, &m), PCP_MALFORMED_OPTION);
		n = pcp_error_response(req, n, PCP_MALFORMED_OPTION, 0, 5,
				       out, sizeof(out));
		assert_int_equal(pcp_parse(out, n, &m), 0);
		assert_int_equal(m.result, PCP_MALFORMED_OPTION);
	}
}

static void test_build_refusals(void **state)
{
	uint8_t buf[PCP_MAX_LEN];
	struct pcp_msg m;

	(void)state;
	map_req_msg(&m);
	assert_int_equal(pcp_build(&m, buf, sizeof(map_req_wire) - 1), 0);
	assert_int_equal(pcp_build(&m, buf, sizeof(map_req_wire)),
			 sizeof(map_req_wire));
	m.port_set.size = 0;
	assert_int_equal(pcp_build(&m, buf, sizeof(buf)), 0);
	map_req_msg(&m);
	m.port_params.psid = 64;
	assert_int_equal(pcp_build(&m, buf, sizeof(buf)), 0);
	map_req_msg(&m);
	m.next.present = true;
	assert_int_equal(pcp_build(&m, buf, sizeof(buf)), 0);
	map_req_msg(&m);
	m.opcode = PCP_OP_PEER;
	assert_int_equal(pcp_build(&m, buf, sizeof(buf)), 0);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(pcp_result_name(PCP_SUCCESS), "success");
	assert_string_equal(pcp_result_name(PCP_NOT_AUTHORIZED),
			    "not-authorized");
	assert_string_equal(pcp_result_name(PCP_MALFORMED_REQUEST),
			    "malformed-request");
	assert_string_equal(pcp_result_name(PCP_EXCESSIVE_REMOTE_PEERS),
			    "excessive-remote-peers");
	assert_string_equal(pcp_result_name(14), "unknown");
	assert_string_equal(pcp_result_name(PCP_SILENT), "silent");
	assert_string_equal(pcp_opcode_name(PCP_OP_MAP), "map");
	assert_string_equal(pcp_opcode_name(PCP_OP_ANNOUNCE), "announce");
	assert_string_equal(pcp_opcode_name(PCP_OP_GET), "get");
	assert_string_equal(pcp_opcode_name(PCP_OP_PEER), "peer");
	assert_string_equal(pcp_opcode_name(0x81), "map");
	assert_string_equal(pcp_opcode_name(3), "unknown");
}

static void test_v4mapped(void **state)
{
	struct in6_addr a;
	uint32_t be = 0;

	(void)state;
	pcp_v4mapped(htonl(0xc0000201), &a);
	assert_true(pcp_is_v4mapped(&a, &be));
	assert_int_equal(ntohl(be), 0xc0000201);
	assert_true(pcp_is_v4mapped(&a, NULL));
	addr6("2001:db8::1", &a);
	assert_false(pcp_is_v4mapped(&a, &be));
}

/* The fuzzer's seeds: what the tests above build. */
static void write_seed(const char *dir, const char *name, const uint8_t *b,
		       size_t n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

/*
 * The fuzzer's seeds, each of which must parse: written to a scratch
 * directory, or to $LW4O6_PCP_CORPUS to refresh fuzz/corpus/.
 */
static void test_seed_corpus(void **state)
{
	static const char *const names[] = {
		"map-port-set", "map-response", "announce", "get", "get-next",
		"get-response", "map-error-response",
	};
	char tmpl[] = "/tmp/lw4o6-pcp-corpus.XXXXXX", path[512];
	const char *dir = getenv("LW4O6_PCP_CORPUS");
	uint8_t buf[PCP_MAX_LEN + 4];
	struct pcp_msg m;
	size_t n, i;
	FILE *f;

	(void)state;
	if (!dir)
		dir = mkdtemp(tmpl);
	assert_non_null(dir);
	write_seed(dir, "map-port-set", map_req_wire, sizeof(map_req_wire));

	map_req_msg(&m);
	m.response = true;
	m.epoch = 1000;
	memset(&m.client, 0, sizeof(m.client));
	n = pcp_build(&m, buf, sizeof(buf));
	write_seed(dir, "map-response", buf, n);

	memset(&m, 0, sizeof(m));
	m.opcode = PCP_OP_ANNOUNCE;
	n = pcp_build(&m, buf, sizeof(buf));
	write_seed(dir, "announce", buf, n);

	memset(&m, 0, sizeof(m));
	m.opcode = PCP_OP_GET;
	memcpy(m.nonce, nonce, sizeof(nonce));
	n = pcp_build(&m, buf, sizeof(buf));
	write_seed(dir, "get", buf, n);

	m.next.present = true;
	memcpy(m.next.nonce, nonce, sizeof(nonce));
	m.next.protocol = 17;
	addr6("2001:db8:1::2", &m.next.internal);
	n = pcp_build(&m, buf, sizeof(buf));
	write_seed(dir, "get-next", buf, n);

	m.response = true;
	m.protocol = 17;
	m.lifetime = 300;
	pcp_v4mapped(htonl(0xc0000201), &m.external);
	m.external_port = 4096;
	m.port_params.present = true;
	m.port_params.offset = 6;
	m.port_params.psid_len = 6;
	m.port_params.psid = 1;
	m.next.more = true;
	n = pcp_build(&m, buf, sizeof(buf));
	write_seed(dir, "get-response", buf, n);

	n = pcp_error_response(map_req_wire, sizeof(map_req_wire),
			       PCP_NO_RESOURCES, 30, 1000, buf, sizeof(buf));
	write_seed(dir, "map-error-response", buf, n);

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		f = fopen(path, "rb");
		assert_non_null(f);
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		assert_int_equal(pcp_parse(buf, n, &m), 0);
		if (dir == tmpl)
			unlink(path);
	}
	if (dir == tmpl)
		rmdir(tmpl);
}

/*
 * inet_csum: RFC 1071 section 3's worked example, an odd length, and a
 * header built by udp4_build summing to zero with its checksum in place.
 */
static void test_inet_csum(void **state)
{
	static const uint8_t rfc[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	static const uint8_t odd[] = { 0x01 };
	uint8_t out[64], data[3] = { 1, 2, 3 };
	struct udp4 u = { .src = htonl(0xc0000002), .dst = htonl(0xc0000001),
			  .sport = 5350, .dport = 5351, .data = data, .len = 3 };
	size_t n;

	(void)state;
	assert_int_equal(inet_csum(rfc, sizeof(rfc)), 0x220d);	/* ~0xddf2 */
	assert_int_equal(inet_csum(odd, 1), 0xfeff);
	n = udp4_build(&u, out, sizeof(out));
	assert_int_equal(n, 31);
	assert_int_equal(inet_csum(out, 20), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map_request_wire),
		cmocka_unit_test(test_map_response),
		cmocka_unit_test(test_announce),
		cmocka_unit_test(test_get_next),
		cmocka_unit_test(test_refuse_lengths),
		cmocka_unit_test(test_refuse_header),
		cmocka_unit_test(test_refuse_options),
		cmocka_unit_test(test_error_response),
		cmocka_unit_test(test_build_refusals),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_v4mapped),
		cmocka_unit_test(test_seed_corpus),
		cmocka_unit_test(test_inet_csum),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
