/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LW4O6_RECEIVE_H
#define LW4O6_RECEIVE_H

#include <linux/skbuff.h>

struct net;

int lw4o6_receive_net_init(struct net *net);
void lw4o6_receive_net_exit(struct net *net);

/* The port (or ICMP identifier) that selects a binding; see receive.c. */
int lw4o6_ipv4_port(const struct sk_buff *skb, bool from_b4, u16 *port);
/*
 * Hand an IPv4 fragment (skb at its header) to the kernel's reassembly:
 * 0 with skb now the whole datagram, -EINPROGRESS when it was queued, any
 * other error when it was dropped.  Only 0 leaves skb to the caller.
 */
int lw4o6_ipv4_defrag(struct sk_buff *skb);

struct lw4o6_dev;
/*
 * A softwire packet miss-hold kept (skb at its IPv6 header, IPv4 at off),
 * through the decapsulation again as if it had just arrived (outer_len as
 * it did), except that it is not counted as received twice or held again.
 * Under RCU, BH off.
 */
void lw4o6_decap_again(struct lw4o6_dev *priv, struct sk_buff *skb,
		       unsigned int off, u32 outer_len);

#endif /* LW4O6_RECEIVE_H */
