/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * libFuzzer harness for the PCP codec.  ASan catches reads past the input;
 * the asserts catch a parser and a builder that disagree: whatever parses
 * must build, and what is built must parse back to the same message and
 * build to the same bytes.  Error responses to anything must be
 * well-formed responses.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../pcp.h"

static void check(int ok)
{
	if (!ok)
		abort();
}

static int same(const struct pcp_msg *a, const struct pcp_msg *b)
{
	return a->version == b->version && a->response == b->response &&
	       a->opcode == b->opcode && a->result == b->result &&
	       a->lifetime == b->lifetime && a->epoch == b->epoch &&
	       !memcmp(&a->client, &b->client, sizeof(a->client)) &&
	       !memcmp(a->nonce, b->nonce, sizeof(a->nonce)) &&
	       a->protocol == b->protocol &&
	       a->internal_port == b->internal_port &&
	       a->external_port == b->external_port &&
	       !memcmp(&a->external, &b->external, sizeof(a->external)) &&
	       a->port_set.present == b->port_set.present &&
	       a->port_set.size == b->port_set.size &&
	       a->port_set.first == b->port_set.first &&
	       a->port_set.parity == b->port_set.parity &&
	       a->port_params.present == b->port_params.present &&
	       a->port_params.offset == b->port_params.offset &&
	       a->port_params.psid_len == b->port_params.psid_len &&
	       a->port_params.psid == b->port_params.psid &&
	       a->next.present == b->next.present &&
	       !memcmp(a->next.nonce, b->next.nonce, sizeof(a->next.nonce)) &&
	       a->next.protocol == b->next.protocol &&
	       a->next.internal_port == b->next.internal_port &&
	       !memcmp(&a->next.internal, &b->next.internal,
		       sizeof(a->next.internal)) &&
	       a->next.more == b->next.more &&
	       a->prefer_failure == b->prefer_failure &&
	       a->third_party == b->third_party &&
	       !memcmp(&a->third_party_addr, &b->third_party_addr,
		       sizeof(a->third_party_addr));
}

/* Parses, and when that succeeds, checks the build / parse round trip. */
static int round_trip(const uint8_t *data, size_t size)
{
	uint8_t out[PCP_MAX_LEN], again[PCP_MAX_LEN];
	struct pcp_msg m, back;
	size_t n, n2;
	int r;

	r = pcp_parse(data, size, &m);
	check(r == 0 || (r >= 1 && r <= 6) || r == PCP_SILENT);
	if (r)
		return r;
	n = pcp_build(&m, out, sizeof(out));
	check(n >= PCP_HDR_LEN && n <= PCP_MAX_LEN && n % 4 == 0);
	check(pcp_parse(out, n, &back) == 0);
	check(same(&m, &back));
	n2 = pcp_build(&back, again, sizeof(again));
	check(n2 == n && !memcmp(out, again, n));
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t err[PCP_MAX_LEN];
	struct pcp_msg m;
	size_t n;
	int r;

	r = round_trip(data, size);
	check((pcp_parse_request(data, size, &m) == PCP_SILENT) ==
	      (size < 2 || (data[1] & 0x80)));
	if (r == PCP_SILENT && size >= 2 && !(data[1] & 0x80))
		abort();	/* only "too short" is silent for a request */

	/* The server answers whatever it refuses. */
	n = pcp_error_response(data, size, r ? r : PCP_NOT_AUTHORIZED, 30, 7,
			       err, sizeof(err));
	if (size < 2) {
		check(n == 0);
		return 0;
	}
	check(n >= PCP_HDR_LEN && n <= PCP_MAX_LEN && n % 4 == 0);
	r = round_trip(err, n);
	if (pcp_parse(err, n, &m) == 0) {
		check(m.response && m.result != PCP_SUCCESS);
		check(m.lifetime == 30 && m.epoch == 7);
	} else {
		check(r == PCP_UNSUPP_OPCODE);
	}
	return 0;
}
