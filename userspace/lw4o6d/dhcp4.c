// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * DHCPv4 codec (see dhcp4.h).  Every read is checked against the end of
 * the caller's buffer before it is made; nothing is allocated.
 */
#include <errno.h>
#include <string.h>

#include "dhcp4.h"

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
	p[1] = v & 0xff;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

/*
 * Walks options from *pos (an offset in buf): 1 with code, data and
 * length; 0 at END or the end of buf; -EINVAL when an option runs past
 * the end.  PAD is skipped.
 */
static int next_opt(const uint8_t *buf, size_t len, size_t *pos,
		    uint8_t *code, const uint8_t **data, uint8_t *dlen)
{
	size_t p = *pos;

	while (p < len && buf[p] == DHCP4_OPT_PAD)
		p++;
	if (p == len || buf[p] == DHCP4_OPT_END) {
		*pos = p;
		return 0;
	}
	if (len - p < 2 || len - p - 2 < buf[p + 1])
		return -EINVAL;
	*code = buf[p];
	*dlen = buf[p + 1];
	*data = buf + p + 2;
	*pos = p + 2 + buf[p + 1];
	return 1;
}

static bool has_cookie(const uint8_t *buf, size_t len)
{
	return buf && len >= DHCP4_MIN_LEN &&
	       get32(buf + DHCP4_FIXED_LEN) == DHCP4_MAGIC;
}

/* PSID left-aligned on the wire to its value; -EINVAL if malformed. */
static int portparams(const uint8_t *d, struct dhcp4_msg *m)
{
	uint16_t wire = get16(d + 2);
	unsigned int low;

	m->offset = d[0];
	m->psid_len = d[1];
	if (m->offset + m->psid_len > 16)
		return -EINVAL;
	low = 16 - m->psid_len;
	if (low == 16) {
		if (wire)
			return -EINVAL;
		m->psid = 0;
		return 0;
	}
	if (wire & ((1u << low) - 1))
		return -EINVAL;
	m->psid = wire >> low;
	return 0;
}

static int option(struct dhcp4_msg *m, uint8_t code, const uint8_t *d,
		  uint8_t dl, uint32_t *seen)
{
	/* Bits for the options kept whose first occurrence counts. */
	enum { S_55 = 1, S_56 = 2, S_61 = 4, S_151 = 8, S_156 = 16,
	       S_159 = 32, S_109 = 64 };

	switch (code) {
	case DHCP4_OPT_MSG_TYPE:
		if (dl != 1 || d[0] < 1 || d[0] > 15)
			return -EINVAL;
		if (!m->type)
			m->type = d[0];
		break;
	case DHCP4_OPT_SUBNET_MASK:
	case DHCP4_OPT_LQ_BASE_TIME:
		if (dl != 4)
			return -EINVAL;
		break;
	case DHCP4_OPT_REQUESTED_IP:
		if (dl != 4)
			return -EINVAL;
		if (!m->has_requested_ip) {
			m->has_requested_ip = true;
			memcpy(&m->requested_ip, d, 4);
		}
		break;
	case DHCP4_OPT_SERVER_ID:
		if (dl != 4)
			return -EINVAL;
		if (!m->has_server_id) {
			m->has_server_id = true;
			memcpy(&m->server_id, d, 4);
		}
		break;
	case DHCP4_OPT_LEASE_TIME:
		if (dl != 4)
			return -EINVAL;
		if (!m->has_lease_time) {
			m->has_lease_time = true;
			m->lease_time = get32(d);
		}
		break;
	case DHCP4_OPT_T1:
		if (dl != 4)
			return -EINVAL;
		if (!m->has_t1) {
			m->has_t1 = true;
			m->t1 = get32(d);
		}
		break;
	case DHCP4_OPT_T2:
		if (dl != 4)
			return -EINVAL;
		if (!m->has_t2) {
			m->has_t2 = true;
			m->t2 = get32(d);
		}
		break;
	case DHCP4_OPT_OVERLOAD:
		return -EINVAL;
	case DHCP4_OPT_PARAMS:
		if (!(*seen & S_55)) {
			*seen |= S_55;
			m->params = d;
			m->params_len = dl;
		}
		break;
	case DHCP4_OPT_MESSAGE:
		if (!(*seen & S_56)) {
			*seen |= S_56;
			m->message = d;
			m->message_len = dl;
		}
		break;
	case DHCP4_OPT_CLIENT_ID:
		if (dl < 2 || dl > DHCP4_CLIENT_ID_MAX)
			return -EINVAL;
		if (!(*seen & S_61)) {
			*seen |= S_61;
			m->client_id = d;
			m->client_id_len = dl;
		}
		break;
	case DHCP4_OPT_S46_SADDR:
		if (dl != 16)
			return -EINVAL;
		if (!(*seen & S_109)) {
			*seen |= S_109;
			m->has_saddr = true;
			memcpy(&m->saddr, d, 16);
		}
		break;
	case DHCP4_OPT_V4_PORTPARAMS: {
		struct dhcp4_msg t;

		if (dl != 4 || portparams(d, &t) < 0)
			return -EINVAL;
		if (!(*seen & S_159)) {
			*seen |= S_159;
			m->has_portparams = true;
			m->offset = t.offset;
			m->psid_len = t.psid_len;
			m->psid = t.psid;
		}
		break;
	}
	case DHCP4_OPT_LQ_STATUS:
		if (dl < 1)
			return -EINVAL;
		if (!(*seen & S_151)) {
			*seen |= S_151;
			m->has_lq_status = true;
			m->lq_status = d[0];
		}
		break;
	case DHCP4_OPT_LQ_STATE:
		if (dl != 1)
			return -EINVAL;
		if (!(*seen & S_156)) {
			*seen |= S_156;
			m->has_lq_state = true;
			m->lq_state = d[0];
		}
		break;
	}
	return 0;
}

int dhcp4_parse(const uint8_t *buf, size_t len, struct dhcp4_msg *m)
{
	const uint8_t *d;
	uint8_t code, dl;
	size_t pos = DHCP4_MIN_LEN;
	uint32_t seen = 0;
	int r;

	memset(m, 0, sizeof(*m));
	if (!has_cookie(buf, len) || buf[2] > 16)
		return -EINVAL;
	m->op = buf[0];
	m->htype = buf[1];
	m->hlen = buf[2];
	m->hops = buf[3];
	m->xid = get32(buf + 4);
	m->secs = get16(buf + 8);
	m->flags = get16(buf + 10);
	memcpy(&m->ciaddr, buf + 12, 4);
	memcpy(&m->yiaddr, buf + 16, 4);
	memcpy(&m->siaddr, buf + 20, 4);
	memcpy(&m->giaddr, buf + 24, 4);
	memcpy(m->chaddr, buf + 28, 16);
	while ((r = next_opt(buf, len, &pos, &code, &d, &dl)) > 0)
		if (option(m, code, d, dl, &seen) < 0) {
			r = -EINVAL;
			break;
		}
	if (r < 0) {
		memset(m, 0, sizeof(*m));
		return -EINVAL;
	}
	return 0;
}

bool dhcp4_param_requested(const struct dhcp4_msg *m, uint8_t code)
{
	return m->params && m->params_len &&
	       memchr(m->params, code, m->params_len) != NULL;
}

struct out {
	uint8_t *p;
	size_t len, cap;
	bool full;
};

static void put_opt(struct out *o, uint8_t code, const void *data, size_t n)
{
	if (o->full || n > 255 || o->cap - o->len < 2 + n) {
		o->full = true;
		return;
	}
	o->p[o->len] = code;
	o->p[o->len + 1] = (uint8_t)n;
	if (n)
		memcpy(o->p + o->len + 2, data, n);
	o->len += 2 + n;
}

static void put_opt32(struct out *o, uint8_t code, uint32_t v)
{
	uint8_t d[4];

	put32(d, v);
	put_opt(o, code, d, 4);
}

size_t dhcp4_build(const struct dhcp4_msg *m, const uint8_t *extra,
		   size_t extra_len, uint8_t *out, size_t cap)
{
	struct out o = { .p = out, .cap = out ? cap : 0 };

	if (o.cap < DHCP4_BOOTP_MIN || m->hlen > 16 || (extra_len && !extra))
		return 0;
	memset(out, 0, DHCP4_BOOTP_MIN);
	out[0] = m->op;
	out[1] = m->htype;
	out[2] = m->hlen;
	out[3] = m->hops;
	put32(out + 4, m->xid);
	put16(out + 8, m->secs);
	put16(out + 10, m->flags);
	memcpy(out + 12, &m->ciaddr, 4);
	memcpy(out + 16, &m->yiaddr, 4);
	memcpy(out + 20, &m->siaddr, 4);
	memcpy(out + 24, &m->giaddr, 4);
	memcpy(out + 28, m->chaddr, 16);
	put32(out + DHCP4_FIXED_LEN, DHCP4_MAGIC);
	o.len = DHCP4_MIN_LEN;

	if (m->type)
		put_opt(&o, DHCP4_OPT_MSG_TYPE, &m->type, 1);
	if (m->has_server_id)
		put_opt(&o, DHCP4_OPT_SERVER_ID, &m->server_id, 4);
	if (m->has_requested_ip)
		put_opt(&o, DHCP4_OPT_REQUESTED_IP, &m->requested_ip, 4);
	if (m->has_lease_time)
		put_opt32(&o, DHCP4_OPT_LEASE_TIME, m->lease_time);
	if (m->has_t1)
		put_opt32(&o, DHCP4_OPT_T1, m->t1);
	if (m->has_t2)
		put_opt32(&o, DHCP4_OPT_T2, m->t2);
	if (m->client_id)
		put_opt(&o, DHCP4_OPT_CLIENT_ID, m->client_id, m->client_id_len);
	if (m->params)
		put_opt(&o, DHCP4_OPT_PARAMS, m->params, m->params_len);
	if (m->has_saddr)
		put_opt(&o, DHCP4_OPT_S46_SADDR, &m->saddr, 16);
	if (m->has_portparams) {
		uint8_t pp[4];

		if (m->offset + m->psid_len > 16 ||
		    (m->psid_len < 16 && m->psid >> m->psid_len))
			return 0;
		pp[0] = m->offset;
		pp[1] = m->psid_len;
		put16(pp + 2, m->psid_len ?
		      (uint16_t)(m->psid << (16 - m->psid_len)) : 0);
		put_opt(&o, DHCP4_OPT_V4_PORTPARAMS, pp, 4);
	}
	if (m->has_lq_status)
		put_opt(&o, DHCP4_OPT_LQ_STATUS, &m->lq_status, 1);
	if (m->has_lq_state)
		put_opt(&o, DHCP4_OPT_LQ_STATE, &m->lq_state, 1);
	if (m->message)
		put_opt(&o, DHCP4_OPT_MESSAGE, m->message, m->message_len);
	if (extra_len) {
		if (o.full || o.cap - o.len < extra_len)
			return 0;
		memcpy(out + o.len, extra, extra_len);
		o.len += extra_len;
	}
	if (o.full || o.cap - o.len < 1)
		return 0;
	out[o.len++] = DHCP4_OPT_END;
	if (o.len < DHCP4_BOOTP_MIN) {
		memset(out + o.len, 0, DHCP4_BOOTP_MIN - o.len);
		o.len = DHCP4_BOOTP_MIN;
	}
	return o.len;
}

int dhcp4_find_opt(const uint8_t *buf, size_t len, uint8_t code,
		   const uint8_t **data, uint8_t *dlen)
{
	const uint8_t *d;
	uint8_t c, dl;
	size_t pos = DHCP4_MIN_LEN;

	if (!has_cookie(buf, len) || code == DHCP4_OPT_PAD ||
	    code == DHCP4_OPT_END)
		return -ENOENT;
	while (next_opt(buf, len, &pos, &c, &d, &dl) > 0)
		if (c == code) {
			*data = d;
			*dlen = dl;
			return 0;
		}
	return -ENOENT;
}

const char *dhcp4_type_name(uint8_t type)
{
	static const char *const names[] = {
		[0] = "BOOTP", [1] = "DISCOVER", [2] = "OFFER",
		[3] = "REQUEST", [4] = "DECLINE", [5] = "ACK", [6] = "NAK",
		[7] = "RELEASE", [8] = "INFORM", [9] = "FORCERENEW",
		[10] = "LEASEQUERY", [11] = "LEASEUNASSIGNED",
		[12] = "LEASEUNKNOWN", [13] = "LEASEACTIVE",
		[14] = "BULKLEASEQUERY", [15] = "LEASEQUERYDONE",
	};

	if (type < sizeof(names) / sizeof(names[0]) && names[type])
		return names[type];
	return "unknown";
}

int dhcp4_tcp_frame(const uint8_t *buf, size_t len)
{
	size_t n;

	if (!buf || len < 2)
		return 0;
	n = get16(buf);
	if (n < DHCP4_MIN_LEN || n > DHCP4_MAX_LEN)
		return -EINVAL;
	return len >= 2 + n ? (int)n : 0;
}
