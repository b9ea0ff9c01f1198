/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LW4O6_CONTROL_H
#define LW4O6_CONTROL_H

#include <linux/skbuff.h>

struct lw4o6_dev;

/* An AFTR's softwire packet (skb at its inner IPv4 header) to 192.0.0.1. */
void lw4o6_control_rcv(struct lw4o6_dev *priv, struct sk_buff *skb,
		       const struct in6_addr *b4, u32 outer_len);
/*
 * A B4's own control traffic, which neither NAT nor the port set apply to:
 * the local 192.0.0.2 -> 192.0.0.1 pair, and of it what may go out, and
 * from 192.0.0.1 to 192.0.0.2 what may come in.
 */
bool lw4o6_control_b4_pair(const struct sk_buff *skb);
bool lw4o6_control_b4_out(const struct sk_buff *skb);
bool lw4o6_control_b4_in(const struct sk_buff *skb);

#endif /* LW4O6_CONTROL_H */
