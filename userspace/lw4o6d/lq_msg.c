// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Bulk leasequery messages (lq_msg.h). */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>

#include "lq_msg.h"
#include "pcp.h"

bool lq_is_dhcp(const struct lw4o6_mapping *m)
{
	return PCP_NONCE_LEN >= 4 && !memcmp(m->nonce, "D4o6", 4);
}

/* m built behind a 2-byte length. */
static size_t framed(const struct dhcp4_msg *m, const uint8_t *extra,
		     size_t extra_len, uint8_t *out, size_t cap)
{
	size_t n;

	if (cap < 2)
		return 0;
	n = dhcp4_build(m, extra, extra_len, out + 2, cap - 2);
	if (!n || n > 0xffff)
		return 0;
	out[0] = (uint8_t)(n >> 8);
	out[1] = (uint8_t)n;
	return n + 2;
}

static void header(struct dhcp4_msg *m, uint8_t op, uint8_t type,
		   uint32_t xid)
{
	memset(m, 0, sizeof(*m));
	m->op = op;
	m->htype = 1;	/* Ethernet, hlen 0: no chaddr (RFC 6926 6.2.1) */
	m->xid = xid;
	m->type = type;
}

size_t lq_build_query(uint32_t xid, uint8_t *out, size_t cap)
{
	static const uint8_t params[] = {
		DHCP4_OPT_LEASE_TIME, DHCP4_OPT_S46_SADDR,
		DHCP4_OPT_V4_PORTPARAMS, DHCP4_OPT_LQ_BASE_TIME,
		DHCP4_OPT_LQ_STATE,
	};
	struct dhcp4_msg m;

	header(&m, 1, DHCP4_BULKLEASEQUERY, xid);
	m.params = params;
	m.params_len = sizeof(params);
	return framed(&m, NULL, 0, out, cap);
}

size_t lq_build_active(uint32_t xid, const struct lw4o6_mapping *lm,
		       uint32_t remaining, int64_t now_s, uint8_t *out,
		       size_t cap)
{
	uint8_t extra[6];
	uint32_t base = htonl((uint32_t)now_s);
	struct dhcp4_msg m;

	header(&m, 2, DHCP4_LEASEACTIVE, xid);
	m.ciaddr = lm->ipv4;
	m.has_lease_time = true;
	m.lease_time = remaining;
	m.has_saddr = true;
	m.saddr = lm->b4;
	m.has_portparams = true;
	m.offset = lm->offset;
	m.psid_len = lm->psid_len;
	m.psid = lm->psid;
	m.has_lq_state = true;
	m.lq_state = LQ_STATE_ACTIVE;
	extra[0] = DHCP4_OPT_LQ_BASE_TIME;
	extra[1] = 4;
	memcpy(extra + 2, &base, 4);
	return framed(&m, extra, sizeof(extra), out, cap);
}

size_t lq_build_done(uint32_t xid, uint8_t *out, size_t cap)
{
	struct dhcp4_msg m;

	header(&m, 2, DHCP4_LEASEQUERYDONE, xid);
	return framed(&m, NULL, 0, out, cap);
}

size_t lq_build_status(uint32_t xid, uint8_t status, const char *text,
		       uint8_t *out, size_t cap)
{
	uint8_t extra[2 + 255];
	size_t tl = text ? strlen(text) : 0;
	struct dhcp4_msg m;

	/* option 151: the code, then the text (RFC 6926 6.2.2) */
	if (tl > 254)
		tl = 254;
	header(&m, 2, DHCP4_LEASEQUERYSTATUS, xid);
	extra[0] = DHCP4_OPT_LQ_STATUS;
	extra[1] = (uint8_t)(1 + tl);
	extra[2] = status;
	if (tl)
		memcpy(extra + 3, text, tl);
	return framed(&m, extra, 3 + tl, out, cap);
}

int lq_check_query(const struct dhcp4_msg *m4)
{
	static const uint8_t zero[16];

	if (m4->op != 1 || m4->type != DHCP4_BULKLEASEQUERY)
		return -EINVAL;
	if (m4->ciaddr || m4->client_id ||
	    (m4->hlen && memcmp(m4->chaddr, zero, m4->hlen <= 16 ? m4->hlen : 16)))
		return -EOPNOTSUPP;
	return 0;
}

int lq_parse_active(const struct dhcp4_msg *m4, struct lw4o6_mapping *m,
		    uint32_t *remaining)
{
	if (m4->type != DHCP4_LEASEACTIVE || !m4->ciaddr ||
	    !m4->has_lease_time || !m4->lease_time || !m4->has_saddr)
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	m->ipv4 = m4->ciaddr;
	m->b4 = m4->saddr;
	if (m4->has_portparams) {
		m->offset = m4->offset;
		m->psid_len = m4->psid_len;
		m->psid = m4->psid;
	}
	*remaining = m4->lease_time;
	return 0;
}
