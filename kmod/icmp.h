/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LW4O6_ICMP_H
#define LW4O6_ICMP_H

#include <linux/skbuff.h>

struct lw4o6_dev;

/* ICMPv4 3/1 to the sender of IPv4 that has no binding (skb at IPv4). */
void lw4o6_icmp4_no_binding(struct lw4o6_dev *priv, struct sk_buff *skb);
/* ICMPv6 1/5 to a B4 that failed the source check (skb at IPv6). */
void lw4o6_icmp6_policy_fail(struct lw4o6_dev *priv, struct sk_buff *skb);

#endif /* LW4O6_ICMP_H */
