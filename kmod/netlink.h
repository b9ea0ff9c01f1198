/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The generic netlink family "lw4o6" (netlink.c): its registration, and the
 * device each request names.  The commands live by concern: netlink_dev.c
 * (devices and counters), netlink_bind.c (the binding table), load.c (bulk
 * load), netlink_bfd.c (lw4o6d's BFD changes); what the module
 * multicasts, in events.c.
 */
#ifndef LW4O6_NETLINK_H
#define LW4O6_NETLINK_H

#include <net/genetlink.h>

#include "device.h"

extern struct genl_family lw4o6_family;

/* The family's multicast groups, by their index in the family. */
enum { LW4O6_MCGRP_EVENTS_ID, LW4O6_MCGRP_CONTROL_ID };

int lw4o6_genl_init(void);
void lw4o6_genl_uninit(void);

/*
 * The device a request names (LW4O6_A_IFINDEX or LW4O6_A_IFNAME, in the
 * requester's namespace), held: the family's pre_doit looks it up for
 * every doit and its post_doit puts it, so a handler only reads it here.
 */
static inline struct lw4o6_dev *lw4o6_nl_dev(struct genl_info *info)
{
	return info->user_ptr[0];
}

/* The same lookup for dumps, which have no pre_doit: a reference or error. */
struct lw4o6_dev *lw4o6_dev_get(struct net *net, struct nlattr **attrs,
				struct netlink_ext_ack *extack);
static inline void lw4o6_dev_put(struct lw4o6_dev *priv)
{
	dev_put(priv->dev);
}

#endif /* LW4O6_NETLINK_H */
