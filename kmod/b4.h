/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LW4O6_B4_H
#define LW4O6_B4_H

#include <linux/skbuff.h>
#include <net/netlink.h>

struct lw4o6_cfg;
struct lw4o6_cfg_attrs;
struct lw4o6_dev;
struct net;

int lw4o6_b4_init(void);
void lw4o6_b4_uninit(void);

/* Applies a b4 device's binding options to cfg; refuses them elsewhere. */
int lw4o6_b4_cfg_update(struct lw4o6_cfg *cfg, u8 mode,
			const struct lw4o6_cfg_attrs *a,
			struct netlink_ext_ack *extack);
/* A b4 device exists in net: NAT its traffic from now on (under RTNL). */
int lw4o6_b4_net_enable(struct net *net);
/*
 * After a DEV_SET from old to new: drop flows the new set does not hold.
 * Under priv->lock, held since new was installed.
 */
void lw4o6_b4_flush(struct lw4o6_dev *priv, const struct lw4o6_cfg *old,
		    const struct lw4o6_cfg *new);
/* Is the IPv4 packet at skb ours: our address, a port of our set? */
void lw4o6_mss_clamp(struct sk_buff *skb, unsigned int mtu);
bool lw4o6_b4_owns(const struct lw4o6_cfg *cfg, const struct sk_buff *skb,
		   bool out);

#endif /* LW4O6_B4_H */
