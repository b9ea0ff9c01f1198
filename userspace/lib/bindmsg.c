// SPDX-License-Identifier: GPL-2.0 OR MIT
/* One binding on the wire: the LW4O6_A_BINDING nest, encoded and decoded. */
#include <inttypes.h>
#include <string.h>

#include <linux/lw4o6.h>

#include "bindmsg.h"
#include "nlsock.h"
#include "strconv.h"

size_t bind_nest_size(const struct lw4o6_bind *b)
{
	return MNL_ATTR_HDRLEN +
	       MNL_ALIGN(MNL_ATTR_HDRLEN + 4) +		/* ipv4 */
	       MNL_ALIGN(MNL_ATTR_HDRLEN + 2) +		/* psid */
	       MNL_ALIGN(MNL_ATTR_HDRLEN + 1) * 2 +	/* psid-len, offset */
	       MNL_ALIGN(MNL_ATTR_HDRLEN + 16) * (b->has_br ? 2 : 1);
}

void bind_put(struct nlmsghdr *nlh, uint16_t type, const struct lw4o6_bind *b,
	      int what)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);

	/* Already in network byte order: the kernel wants a be32. */
	mnl_attr_put_u32(nlh, LW4O6_BA_IPV4, b->ipv4);
	mnl_attr_put_u16(nlh, LW4O6_BA_PSID, b->psid);
	mnl_attr_put_u8(nlh, LW4O6_BA_PSID_LEN, b->psid_len);
	if (what == BIND_PUT_FULL) {
		mnl_attr_put_u8(nlh, LW4O6_BA_OFFSET, b->offset);
		mnl_attr_put(nlh, LW4O6_BA_B4, sizeof(b->b4), &b->b4);
		if (b->has_br)
			mnl_attr_put(nlh, LW4O6_BA_BR, sizeof(b->br), &b->br);
	}
	mnl_attr_nest_end(nlh, nest);
}

/* 0, or -1 when the kernel left out part of the key. */
int bind_get(const struct nlattr *nest, struct lw4o6_bind *b,
	     struct bind_stats *st)
{
	const struct nlattr *tb[LW4O6_BA_MAX + 1];

	memset(b, 0, sizeof(*b));
	memset(st, 0, sizeof(*st));
	nl_parse_nested(nest, tb, LW4O6_BA_MAX);
	if (!nl_get_u32(tb[LW4O6_BA_IPV4], &b->ipv4) ||
	    !nl_get_u16(tb[LW4O6_BA_PSID], &b->psid) ||
	    !nl_get_u8(tb[LW4O6_BA_PSID_LEN], &b->psid_len))
		return -1;
	nl_get_u8(tb[LW4O6_BA_OFFSET], &b->offset);
	nl_get_in6(tb[LW4O6_BA_B4], &b->b4);
	b->has_br = nl_get_in6(tb[LW4O6_BA_BR], &b->br);
	st->present = nl_get_u64(tb[LW4O6_BA_TX_PACKETS], &st->tx_packets);
	st->present |= nl_get_u64(tb[LW4O6_BA_TX_BYTES], &st->tx_bytes);
	st->present |= nl_get_u64(tb[LW4O6_BA_RX_PACKETS], &st->rx_packets);
	st->present |= nl_get_u64(tb[LW4O6_BA_RX_BYTES], &st->rx_bytes);
	st->seen = nl_get_u32(tb[LW4O6_BA_LAST_SEEN], &st->last_seen);
	return 0;
}
