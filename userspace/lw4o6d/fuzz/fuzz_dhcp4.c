/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * libFuzzer harness for the DHCPv4 codec.  ASan catches reads past the
 * input; the asserts catch a parser and a builder that disagree: every
 * pointer dhcp4_parse() or dhcp4_find_opt() returns lies inside the input,
 * what parses builds (padded to 300, END last), what is built parses back
 * to the same and builds to the same bytes.  The input is also read as an
 * RFC 6926 TCP stream: each whole frame is parsed.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../dhcp4.h"

static void check(int ok)
{
	if (!ok)
		abort();
}

static void inside(const uint8_t *p, size_t n, const uint8_t *lo, size_t len)
{
	if (!p) {
		check(n == 0);
		return;
	}
	check(p >= lo && p <= lo + len && (size_t)(lo + len - p) >= n);
}

static int same(const struct dhcp4_msg *a, const struct dhcp4_msg *b)
{
	return a->op == b->op && a->htype == b->htype && a->hlen == b->hlen &&
	       a->hops == b->hops && a->xid == b->xid && a->secs == b->secs &&
	       a->flags == b->flags && a->ciaddr == b->ciaddr &&
	       a->yiaddr == b->yiaddr && a->siaddr == b->siaddr &&
	       a->giaddr == b->giaddr &&
	       !memcmp(a->chaddr, b->chaddr, sizeof(a->chaddr)) &&
	       a->type == b->type &&
	       a->has_requested_ip == b->has_requested_ip &&
	       a->requested_ip == b->requested_ip &&
	       a->has_server_id == b->has_server_id &&
	       a->server_id == b->server_id &&
	       a->has_lease_time == b->has_lease_time &&
	       a->lease_time == b->lease_time &&
	       a->has_t1 == b->has_t1 && a->t1 == b->t1 &&
	       a->has_t2 == b->has_t2 && a->t2 == b->t2 &&
	       (a->client_id == NULL) == (b->client_id == NULL) &&
	       a->client_id_len == b->client_id_len &&
	       (!a->client_id_len ||
		!memcmp(a->client_id, b->client_id, a->client_id_len)) &&
	       (a->params == NULL) == (b->params == NULL) &&
	       a->params_len == b->params_len &&
	       (!a->params_len || !memcmp(a->params, b->params, a->params_len)) &&
	       a->has_saddr == b->has_saddr &&
	       !memcmp(&a->saddr, &b->saddr, sizeof(a->saddr)) &&
	       a->has_portparams == b->has_portparams &&
	       a->offset == b->offset && a->psid_len == b->psid_len &&
	       a->psid == b->psid &&
	       a->has_lq_status == b->has_lq_status &&
	       a->lq_status == b->lq_status &&
	       a->has_lq_state == b->has_lq_state &&
	       a->lq_state == b->lq_state &&
	       (a->message == NULL) == (b->message == NULL) &&
	       a->message_len == b->message_len &&
	       (!a->message_len ||
		!memcmp(a->message, b->message, a->message_len));
}

static void one(const uint8_t *data, size_t size)
{
	static uint8_t out[4096], again[4096];
	struct dhcp4_msg m, back;
	const uint8_t *d;
	uint8_t dl;
	size_t n, n2, i;
	int r;

	/* dhcp4_find_opt() on anything, for the code the first byte names. */
	if (size && dhcp4_find_opt(data, size, data[0], &d, &dl) == 0)
		inside(d, dl, data, size);

	r = dhcp4_parse(data, size, &m);
	if (r < 0) {
		check(r == -EINVAL && !m.op && !m.client_id && !m.type);
		return;
	}
	check(size >= DHCP4_MIN_LEN && m.hlen <= 16);
	check(m.type <= 15);
	inside(m.client_id, m.client_id_len, data, size);
	inside(m.params, m.params_len, data, size);
	inside(m.message, m.message_len, data, size);
	check(!m.client_id ||
	      (m.client_id_len >= 2 && m.client_id_len <= DHCP4_CLIENT_ID_MAX));
	check(!m.has_portparams || (m.offset + m.psid_len <= 16 &&
				    (m.psid_len == 16 || !(m.psid >> m.psid_len))));
	if (m.type) {
		check(dhcp4_find_opt(data, size, DHCP4_OPT_MSG_TYPE, &d, &dl) == 0);
		check(dl == 1 && d[0] == m.type);
	} else {
		check(dhcp4_find_opt(data, size, DHCP4_OPT_MSG_TYPE, &d, &dl) ==
		      -ENOENT);
	}
	for (i = 0; i < m.params_len; i++)
		check(dhcp4_param_requested(&m, m.params[i]));
	(void)dhcp4_type_name(m.type);

	n = dhcp4_build(&m, NULL, 0, out, sizeof(out));
	check(n >= DHCP4_BOOTP_MIN && n <= sizeof(out));
	check(dhcp4_build(&m, NULL, 0, out, n - 1) == 0);
	check(dhcp4_build(&m, NULL, 0, out, n) == n);
	check(dhcp4_parse(out, n, &back) == 0);
	check(same(&m, &back));
	n2 = dhcp4_build(&back, NULL, 0, again, sizeof(again));
	check(n2 == n && !memcmp(out, again, n));
	/* END, then only padding */
	for (i = n; i > DHCP4_MIN_LEN && out[i - 1] == 0; i--)
		;
	check(out[i - 1] == DHCP4_OPT_END);

	/* The input's options as extra: same message, and END after them. */
	n2 = dhcp4_build(&m, data + DHCP4_MIN_LEN,
			 size - DHCP4_MIN_LEN > 1024 ? 0 : size - DHCP4_MIN_LEN,
			 again, sizeof(again));
	check(n2 >= n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 0;
	int r;

	one(data, size);
	/* as a TCP stream of framed messages */
	while ((r = dhcp4_tcp_frame(data + off, size - off)) > 0) {
		check(r >= DHCP4_MIN_LEN && r <= DHCP4_MAX_LEN);
		check(size - off >= 2 + (size_t)r);
		one(data + off + 2, r);
		off += 2 + r;
	}
	check(r == 0 || r == -EINVAL);
	if (r == -EINVAL)
		check(size - off >= 2);
	return 0;
}
