/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LW4O6_CONTROL_H
#define LW4O6_CONTROL_H

#include <linux/siphash.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>

#include "bucket.h"

struct lw4o6_dev;

/*
 * The AFTR's limit on PCP passed to lw4o6d: one token bucket for the
 * device, and one per B4 prefix in a small table indexed by a keyed hash
 * of the prefix.  Prefixes that collide share a bucket: memory stays
 * bounded whatever the senders, and with a random key nobody can aim at
 * another subscriber's bucket.  A packet spends its prefix's token first,
 * so one prefix cannot use up the device's rate.
 */
#define LW4O6_CONTROL_SLOTS	256

struct lw4o6_control_limit {
	spinlock_t lock;
	siphash_key_t key;
	struct lw4o6_bucket dev;
	struct lw4o6_bucket prefix[LW4O6_CONTROL_SLOTS];
};

void lw4o6_control_limit_init(struct lw4o6_control_limit *l);

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
bool lw4o6_control_b4_sendable(const struct sk_buff *skb);
bool lw4o6_control_b4_in(const struct sk_buff *skb);

#endif /* LW4O6_CONTROL_H */
