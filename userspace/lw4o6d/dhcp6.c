// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * DHCPv6 codec (see dhcp6.h).  Every read is checked against the end of
 * the caller's buffer before it is made; nothing is allocated.
 */
#include <errno.h>
#include <string.h>

#include "dhcp6.h"

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/*
 * An option walker: *pos is the offset of the next option in opts.
 * 1 and the option's code, data and length when there is one; 0 at the
 * end; -EINVAL when what is left is not a whole option.
 */
static int next_opt(const uint8_t *opts, size_t len, size_t *pos,
		    uint16_t *code, const uint8_t **data, uint16_t *dlen)
{
	size_t p = *pos, l;

	if (p == len)
		return 0;
	if (len - p < 4)
		return -EINVAL;
	l = get16(opts + p + 2);
	if (len - p - 4 < l)
		return -EINVAL;
	*code = get16(opts + p);
	*dlen = (uint16_t)l;
	*data = opts + p + 4;
	*pos = p + 4 + l;
	return 1;
}

int dhcp6_parse(const uint8_t *buf, size_t len, struct dhcp6_msg *m)
{
	const uint8_t *d;
	uint16_t code, dl;
	size_t pos = 0, i;
	bool seen13 = false;
	int r;

	memset(m, 0, sizeof(*m));
	if (!buf || len < 4 || len > 0xffff)
		return -EINVAL;
	if (buf[0] == DHCP6_RELAY_FORW || buf[0] == DHCP6_RELAY_REPL)
		return -EINVAL;
	m->type = buf[0];
	m->xid = (uint32_t)buf[1] << 16 | (uint32_t)buf[2] << 8 | buf[3];
	m->opts = buf + 4;
	m->opts_len = len - 4;
	while ((r = next_opt(m->opts, m->opts_len, &pos, &code, &d, &dl)) > 0) {
		switch (code) {
		case DHCP6_OPT_CLIENTID:
			if (dl > DHCP6_DUID_MAX)
				goto bad;
			if (!m->client_id) {
				m->client_id = d;
				m->client_id_len = dl;
			}
			break;
		case DHCP6_OPT_SERVERID:
			if (dl > DHCP6_DUID_MAX)
				goto bad;
			if (!m->server_id) {
				m->server_id = d;
				m->server_id_len = dl;
			}
			break;
		case DHCP6_OPT_ORO:
			if (dl % 2)
				goto bad;
			if (!m->oro) {
				m->oro = d;
				m->oro_len = dl;
			}
			break;
		case DHCP6_OPT_STATUS_CODE:
			if (dl < 2)
				goto bad;
			if (!seen13) {
				seen13 = true;
				m->has_status = true;
				m->status = get16(d);
			}
			break;
		case DHCP6_OPT_DHCPV4_MSG:
			if (!m->dhcpv4) {
				m->dhcpv4 = d;
				m->dhcpv4_len = dl;
			}
			break;
		case DHCP6_OPT_4O6_SERVER:
			if (dl % 16)
				goto bad;
			if (m->has_4o6_servers)
				break;
			m->has_4o6_servers = true;
			for (i = 0; i < dl / 16 && i < DHCP6_MAX_4O6_SERVERS; i++)
				memcpy(&m->servers_4o6[i], d + 16 * i, 16);
			m->n_4o6_servers = i;
			break;
		case DHCP6_OPT_S46_CONT_LW:
			if (!m->cont_lw) {
				m->cont_lw = d;
				m->cont_lw_len = dl;
			}
			break;
		case DHCP6_OPT_AFTR_NAME:
			if (!m->aftr_name) {
				m->aftr_name = d;
				m->aftr_name_len = dl;
			}
			break;
		}
	}
	if (r < 0)
		goto bad;
	/* Empty options have a non-NULL pointer: the data's place. */
	return 0;
bad:
	memset(m, 0, sizeof(*m));
	return -EINVAL;
}

bool dhcp6_oro_has(const struct dhcp6_msg *m, uint16_t code)
{
	size_t i;

	if (!m->oro)
		return false;
	for (i = 0; i + 1 < m->oro_len; i += 2)
		if (get16(m->oro + i) == code)
			return true;
	return false;
}

int dhcp6_relay_parse(const uint8_t *buf, size_t len, struct dhcp6_relay *r)
{
	const uint8_t *d, *opts;
	uint16_t code, dl;
	size_t pos = 0, n_msg = 0, olen;
	int rc;

	memset(r, 0, sizeof(*r));
	if (!buf || len < 34 || len > 0xffff)
		return -EINVAL;
	if (buf[0] != DHCP6_RELAY_FORW && buf[0] != DHCP6_RELAY_REPL)
		return -EINVAL;
	r->type = buf[0];
	r->hop_count = buf[1];
	memcpy(&r->link, buf + 2, 16);
	memcpy(&r->peer, buf + 18, 16);
	opts = buf + 34;
	olen = len - 34;
	while ((rc = next_opt(opts, olen, &pos, &code, &d, &dl)) > 0) {
		if (code == DHCP6_OPT_RELAY_MSG) {
			n_msg++;
			r->relay_msg = d;
			r->relay_msg_len = dl;
		} else if (code == DHCP6_OPT_INTERFACE_ID && !r->interface_id) {
			r->interface_id = d;
			r->interface_id_len = dl;
		}
	}
	if (rc < 0 || n_msg != 1) {
		memset(r, 0, sizeof(*r));
		return -EINVAL;
	}
	return 0;
}

int dhcp6_unwrap(const uint8_t *buf, size_t len, struct dhcp6_relay *r,
		 size_t max, size_t *n_levels, const uint8_t **inner,
		 size_t *inner_len)
{
	size_t n = 0;

	*n_levels = 0;
	*inner = NULL;
	*inner_len = 0;
	if (max > DHCP6_HOP_LIMIT + 1)
		max = DHCP6_HOP_LIMIT + 1;
	if (!buf || len < 4)
		return -EINVAL;
	while (buf[0] == DHCP6_RELAY_FORW || buf[0] == DHCP6_RELAY_REPL) {
		/* A relay inside a relay goes the same way. */
		if (n == max || (n > 0 && buf[0] != r[0].type))
			return -EINVAL;
		if (dhcp6_relay_parse(buf, len, &r[n]) < 0)
			return -EINVAL;
		buf = r[n].relay_msg;
		len = r[n].relay_msg_len;
		n++;
		if (len < 4)
			return -EINVAL;
	}
	*n_levels = n;
	*inner = buf;
	*inner_len = len;
	return 0;
}

int s46_lw_parse(const uint8_t *data, size_t len, struct s46_lw *out)
{
	const uint8_t *d, *sd;
	uint16_t code, dl, scode, sdl;
	size_t pos = 0, spos, plen;
	unsigned int i;
	int r, sr;

	memset(out, 0, sizeof(*out));
	if (!data && len)
		return -EINVAL;
	if (len > 0xffff)
		return -EINVAL;
	while ((r = next_opt(data, len, &pos, &code, &d, &dl)) > 0) {
		if (code == DHCP6_OPT_S46_BR) {
			if (dl != 16)
				goto bad;
			if (out->n_br < DHCP6_MAX_BR)
				memcpy(&out->br[out->n_br++], d, 16);
			continue;
		}
		if (code != DHCP6_OPT_S46_V4V6BIND)
			continue;
		if (out->has_bind || dl < 5)
			goto bad;
		out->has_bind = true;
		memcpy(&out->ipv4, d, 4);
		out->prefix_len = d[4];
		if (out->prefix_len > 128)
			goto bad;
		plen = (out->prefix_len + 7u) / 8;
		if (dl - 5u < plen)
			goto bad;
		memcpy(&out->prefix, d + 5, plen);
		if (out->prefix_len % 8)
			out->prefix.s6_addr[plen - 1] &=
				(uint8_t)(0xff << (8 - out->prefix_len % 8));
		spos = 0;
		sd = d + 5 + plen;
		while ((sr = next_opt(sd, dl - 5 - plen, &spos, &scode, &d,
				      &sdl)) > 0) {
			uint16_t wire;

			if (scode != DHCP6_OPT_S46_PORTPARAMS)
				continue;
			if (sdl != 4)
				goto bad;
			if (out->has_portparams)
				continue;
			out->has_portparams = true;
			out->offset = d[0];
			out->psid_len = d[1];
			wire = get16(d + 2);
			if (out->offset + out->psid_len > 16)
				goto bad;
			i = 16 - out->psid_len;
			if (i == 16) {
				if (wire)
					goto bad;
				out->psid = 0;
			} else {
				if (wire & ((1u << i) - 1))
					goto bad;
				out->psid = wire >> i;
			}
		}
		if (sr < 0)
			goto bad;
	}
	if (r < 0)
		goto bad;
	return 0;
bad:
	memset(out, 0, sizeof(*out));
	return -EINVAL;
}

int s46_lw_source(const struct s46_lw *lw, struct in6_addr *out)
{
	uint16_t psid = lw->has_portparams ? lw->psid : 0;

	if (!lw->has_bind || lw->prefix_len > 128 ||
	    (lw->prefix_len > 64 && lw->prefix_len < 128))
		return -EINVAL;
	*out = lw->prefix;
	if (lw->prefix_len == 128)
		return 0;
	/* Bits past the prefix are zero in lw->prefix; clear them anyway. */
	if (lw->prefix_len < 64) {
		unsigned int b;

		for (b = lw->prefix_len; b < 64; b++)
			out->s6_addr[b / 8] &= (uint8_t)~(0x80 >> (b % 8));
	}
	out->s6_addr[8] = 0;
	out->s6_addr[9] = 0;
	memcpy(out->s6_addr + 10, &lw->ipv4, 4);
	put16(out->s6_addr + 14, psid);
	return 0;
}

/* Building. */

static uint8_t *room(struct dhcp6_buf *b, size_t n)
{
	uint8_t *p;

	if (b->overflow || b->cap - b->len < n) {
		b->overflow = true;
		return NULL;
	}
	p = b->p + b->len;
	b->len += n;
	return p;
}

void dhcp6_begin(struct dhcp6_buf *b, uint8_t *mem, size_t cap, uint8_t type,
		 uint32_t xid)
{
	uint8_t *p;

	b->p = mem;
	b->len = 0;
	b->cap = mem ? cap : 0;
	b->overflow = false;
	p = room(b, 4);
	if (!p)
		return;
	p[0] = type;
	p[1] = (xid >> 16) & 0xff;
	p[2] = (xid >> 8) & 0xff;
	p[3] = xid & 0xff;
}

void dhcp6_relay_begin(struct dhcp6_buf *b, uint8_t *mem, size_t cap,
		       uint8_t type, uint8_t hop_count,
		       const struct in6_addr *link, const struct in6_addr *peer)
{
	uint8_t *p;

	b->p = mem;
	b->len = 0;
	b->cap = mem ? cap : 0;
	b->overflow = false;
	p = room(b, 34);
	if (!p)
		return;
	p[0] = type;
	p[1] = hop_count;
	memcpy(p + 2, link, 16);
	memcpy(p + 18, peer, 16);
}

void dhcp6_put(struct dhcp6_buf *b, uint16_t code, const void *data,
	       size_t len)
{
	uint8_t *p;

	if (len > 0xffff || (len && !data)) {
		b->overflow = true;
		return;
	}
	p = room(b, 4 + len);
	if (!p)
		return;
	put16(p, code);
	put16(p + 2, (uint16_t)len);
	if (len)
		memcpy(p + 4, data, len);
}

void dhcp6_put_u16(struct dhcp6_buf *b, uint16_t code, uint16_t v)
{
	uint8_t d[2];

	put16(d, v);
	dhcp6_put(b, code, d, 2);
}

void dhcp6_put_status(struct dhcp6_buf *b, uint16_t code, const char *msg)
{
	size_t n = msg ? strlen(msg) : 0;
	uint8_t *p;

	if (n > 0xffff - 2) {
		b->overflow = true;
		return;
	}
	p = room(b, 4 + 2 + n);
	if (!p)
		return;
	put16(p, DHCP6_OPT_STATUS_CODE);
	put16(p + 2, (uint16_t)(2 + n));
	put16(p + 4, code);
	if (n)
		memcpy(p + 6, msg, n);
}

void dhcp6_put_s46_lw(struct dhcp6_buf *b, const struct s46_lw *lw)
{
	size_t i, n_br = lw->n_br < DHCP6_MAX_BR ? lw->n_br : DHCP6_MAX_BR;
	size_t start, plen;
	uint8_t *p;

	if (lw->has_bind && (lw->prefix_len > 128 ||
			     (lw->has_portparams &&
			      (lw->offset + lw->psid_len > 16 ||
			       (lw->psid_len < 16 &&
				lw->psid >> lw->psid_len))))) {
		b->overflow = true;	/* nothing sensible to send */
		return;
	}
	p = room(b, 4);
	if (!p)
		return;
	start = b->len;
	put16(p, DHCP6_OPT_S46_CONT_LW);
	for (i = 0; i < n_br; i++)
		dhcp6_put(b, DHCP6_OPT_S46_BR, &lw->br[i], 16);
	if (lw->has_bind) {
		size_t bstart;
		uint8_t *q;

		plen = (lw->prefix_len + 7u) / 8;
		q = room(b, 4 + 5 + plen);
		if (!q)
			return;
		bstart = b->len - 5 - plen;
		put16(q, DHCP6_OPT_S46_V4V6BIND);
		memcpy(q + 4, &lw->ipv4, 4);
		q[8] = lw->prefix_len;
		memcpy(q + 9, &lw->prefix, plen);
		if (lw->prefix_len % 8)
			q[9 + plen - 1] &= (uint8_t)(0xff << (8 - lw->prefix_len % 8));
		if (lw->has_portparams) {
			uint8_t pp[4];

			pp[0] = lw->offset;
			pp[1] = lw->psid_len;
			put16(pp + 2, lw->psid_len ?
			      (uint16_t)(lw->psid << (16 - lw->psid_len)) : 0);
			dhcp6_put(b, DHCP6_OPT_S46_PORTPARAMS, pp, 4);
		}
		if (b->overflow)
			return;
		put16(b->p + bstart - 2, (uint16_t)(b->len - bstart));
	}
	if (b->overflow)
		return;
	if (b->len - start > 0xffff) {
		b->overflow = true;
		return;
	}
	put16(b->p + start - 2, (uint16_t)(b->len - start));
}

size_t dhcp6_end(const struct dhcp6_buf *b)
{
	return b->overflow ? 0 : b->len;
}

size_t dhcp6_duid_ll(const uint8_t mac[6], uint8_t *out)
{
	out[0] = 0;
	out[1] = 3;	/* DUID-LL */
	out[2] = 0;
	out[3] = 1;	/* Ethernet */
	memcpy(out + 4, mac, 6);
	return 10;
}

const char *dhcp6_type_name(uint8_t type)
{
	static const char *const names[] = {
		[1] = "SOLICIT", [2] = "ADVERTISE", [3] = "REQUEST",
		[4] = "CONFIRM", [5] = "RENEW", [6] = "REBIND", [7] = "REPLY",
		[8] = "RELEASE", [9] = "DECLINE", [10] = "RECONFIGURE",
		[11] = "INFORMATION-REQUEST", [12] = "RELAY-FORW",
		[13] = "RELAY-REPL", [20] = "DHCPV4-QUERY",
		[21] = "DHCPV4-RESPONSE",
	};

	if (type < sizeof(names) / sizeof(names[0]) && names[type])
		return names[type];
	return "unknown";
}
