/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LW4O6_SEND_H
#define LW4O6_SEND_H

#include <linux/netdevice.h>

struct lw4o6_dev;
struct lw4o6_binding;

/*
 * Sends skb (at its IPv4 header, len bytes as it came in) as IPv4-in-IPv6
 * from src to dst; b, when given, is the binding to account it to.
 */
netdev_tx_t lw4o6_encap(struct lw4o6_dev *priv, struct sk_buff *skb,
			const struct in6_addr *src, const struct in6_addr *dst,
			struct lw4o6_binding *b, bool hairpin, u32 len);

struct lw4o6_cfg;
struct lw4o6_table;
/* Where an lwAFTR's packets to b's B4 come from: BR, icmp-source or local. */
const struct in6_addr *lw4o6_aftr_source(const struct lw4o6_cfg *cfg,
					 const struct lw4o6_table *t,
					 const struct lw4o6_binding *b);

#endif /* LW4O6_SEND_H */
