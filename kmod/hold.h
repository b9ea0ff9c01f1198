/* SPDX-License-Identifier: GPL-2.0 */
/*
 * miss-hold (hold.c): softwire packets that failed the source check, held
 * for a while in case their binding is about to be installed (failover on
 * demand).  One bounded queue per lwAFTR device.
 */
#ifndef LW4O6_HOLD_H
#define LW4O6_HOLD_H

#include <linux/in6.h>
#include <linux/list.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/timer.h>

struct lw4o6_dev;

struct lw4o6_hold {
	spinlock_t lock;		/* the fields below */
	struct list_head list;		/* struct lw4o6_held, oldest first */
	u32 len;
	bool dead;			/* the device is going: hold no more */
	struct timer_list timer;	/* at the earliest expiry, if any */
};

void lw4o6_hold_init(struct lw4o6_dev *priv);
/*
 * Packet context, under RCU: the packet (skb at its IPv6 header, the
 * IPv4-in-IPv6 payload at off, outer_len as it arrived) failed the source
 * check for inner (ipv4, port).  Returns true if the hold took it (or a
 * binding that appeared meanwhile let it through); false if the caller
 * must drop it as without miss-hold (hold off, or queue full: counted).
 */
bool lw4o6_hold_add(struct lw4o6_dev *priv, struct sk_buff *skb,
		    unsigned int off, u32 outer_len, __be32 ipv4, u16 port);
/* Process context, after a table change: held packets that now pass go. */
void lw4o6_hold_release(struct lw4o6_dev *priv);
/* Process context: MISS_REJECT (ipv4 0: every address of the B4). */
void lw4o6_hold_reject(struct lw4o6_dev *priv, const struct in6_addr *b4,
		       __be32 ipv4);
/* Drop everything held (drop-held-expired), with the 1/5s if icmp. */
void lw4o6_hold_purge(struct lw4o6_dev *priv, bool icmp);
/* ndo_uninit: purge, and hold nothing from now on. */
void lw4o6_hold_stop(struct lw4o6_dev *priv);

#endif /* LW4O6_HOLD_H */
