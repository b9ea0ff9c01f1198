// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>

#include <lw4o6/psid.h>

#include "wire.h"

static uint32_t sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t inet_csum(const void *p, size_t len)
{
	return fold(sum16(p, len, 0));
}

static uint32_t pseudo(uint32_t src, uint32_t dst, size_t len)
{
	uint8_t ph[12];

	memcpy(ph, &src, 4);
	memcpy(ph + 4, &dst, 4);
	ph[8] = 0;
	ph[9] = 17;
	ph[10] = len >> 8;
	ph[11] = len & 0xff;
	return sum16(ph, sizeof(ph), 0);
}

int udp4_parse(const uint8_t *p, size_t len, struct udp4 *u)
{
	size_t ihl, tot, ulen;

	if (len < 28 || p[0] >> 4 != 4)
		return -EINVAL;
	ihl = (size_t)(p[0] & 15) * 4;
	tot = (size_t)p[2] << 8 | p[3];
	if (ihl < 20 || tot > len || tot < ihl + 8 || p[9] != 17 ||
	    fold(sum16(p, ihl, 0)) ||
	    ((p[6] & 0x3f) | p[7]))	/* MF or a fragment offset */
		return -EINVAL;
	ulen = (size_t)p[ihl + 4] << 8 | p[ihl + 5];
	if (ulen < 8 || ulen != tot - ihl)
		return -EINVAL;
	memcpy(&u->src, p + 12, 4);
	memcpy(&u->dst, p + 16, 4);
	u->ttl = p[8];
	if ((p[ihl + 6] | p[ihl + 7]) &&
	    fold(sum16(p + ihl, ulen, pseudo(u->src, u->dst, ulen))))
		return -EINVAL;
	u->sport = (uint16_t)(p[ihl] << 8 | p[ihl + 1]);
	u->dport = (uint16_t)(p[ihl + 2] << 8 | p[ihl + 3]);
	u->data = p + ihl + 8;
	u->len = ulen - 8;
	return 0;
}

size_t udp4_build(const struct udp4 *u, uint8_t *o, size_t cap)
{
	size_t tot = 28 + u->len;
	uint16_t c;

	if (cap < tot || tot > 65535)
		return 0;
	memset(o, 0, 28);
	o[0] = 0x45;
	o[2] = tot >> 8;
	o[3] = tot & 0xff;
	o[6] = 0x40;		/* DF: PCP messages are small */
	/* BFD's single hop asks 255 (RFC 5881 5); PCP has no say */
	o[8] = u->ttl ? u->ttl : 64;
	o[9] = 17;
	memcpy(o + 12, &u->src, 4);
	memcpy(o + 16, &u->dst, 4);
	c = fold(sum16(o, 20, 0));
	o[10] = c >> 8;
	o[11] = c & 0xff;
	o[20] = u->sport >> 8;
	o[21] = u->sport & 0xff;
	o[22] = u->dport >> 8;
	o[23] = u->dport & 0xff;
	o[24] = (tot - 20) >> 8;
	o[25] = (tot - 20) & 0xff;
	memcpy(o + 28, u->data, u->len);
	c = fold(sum16(o + 20, tot - 20, pseudo(u->src, u->dst, tot - 20)));
	if (!c)
		c = 0xffff;
	o[26] = c >> 8;
	o[27] = c & 0xff;
	return tot;
}

void portset_to_pcp(uint16_t psid, uint8_t k, uint8_t a, struct pcp_msg *m)
{
	uint32_t size = lw4o6_set_size(a, k);
	uint16_t first = lw4o6_range_first(0, a, k, psid);

	/* The whole address: port 0 is no port, and 65536 does not fit. */
	if (size > 65535) {
		size = 65535;
		first = 1;
	}
	m->port_set.present = true;
	m->port_set.size = (uint16_t)size;
	m->port_set.first = first;
	m->port_set.parity = false;
	m->external_port = first;
	m->port_params.present = a > 0;
	m->port_params.offset = a;
	m->port_params.psid_len = k;
	m->port_params.psid = psid;
}

int portset_from_pcp(const struct pcp_msg *m, uint16_t *psid, uint8_t *k,
		     uint8_t *a)
{
	uint32_t size;
	unsigned int bits = 0;

	if (m->port_params.present) {
		if (!lw4o6_psid_shape_valid(m->port_params.offset,
					    m->port_params.psid_len) ||
		    !lw4o6_psid_valid(m->port_params.psid_len,
				      m->port_params.psid))
			return -EINVAL;
		*a = m->port_params.offset;
		*k = m->port_params.psid_len;
		*psid = m->port_params.psid;
		return 0;
	}
	if (!m->port_set.present)
		return -EINVAL;
	size = m->port_set.size;
	if (size == 65535 && m->port_set.first <= 1) {
		*a = 0;
		*k = 0;
		*psid = 0;
		return 0;
	}
	if (!size || (size & (size - 1)) || (m->port_set.first & (size - 1)))
		return -EINVAL;
	while ((1U << bits) < size)
		bits++;
	*a = 0;
	*k = (uint8_t)(16 - bits);
	*psid = (uint16_t)(m->port_set.first >> bits);
	return 0;
}
