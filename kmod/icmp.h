/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LW4O6_ICMP_H
#define LW4O6_ICMP_H

#include <linux/skbuff.h>

struct lw4o6_dev;

/* ICMPv4 we originate (errors, echo replies): enabled and within the rate */
bool lw4o6_icmp4_allow(struct lw4o6_dev *priv);
/* ICMPv4 3/1 to the sender of IPv4 that has no binding (skb at IPv4). */
void lw4o6_icmp4_no_binding(struct lw4o6_dev *priv, struct sk_buff *skb);
/* ICMPv4 3/4 with mtu, for a DF packet too big for the softwire. */
void lw4o6_icmp4_frag_needed(struct lw4o6_dev *priv, struct sk_buff *skb,
			     u32 mtu);
/* ICMPv6 1/5 to a B4 that failed the source check (skb at IPv6). */
void lw4o6_icmp6_policy_fail(struct lw4o6_dev *priv, struct sk_buff *skb);
/* ICMPv6 error to local about a softwire packet: a netfilter verdict. */
unsigned int lw4o6_icmp6_error_in(struct lw4o6_dev *priv, struct sk_buff *skb,
				  unsigned int off);

#endif /* LW4O6_ICMP_H */
