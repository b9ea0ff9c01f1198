/* SPDX-License-Identifier: GPL-2.0 */
/* Devices and counters over generic netlink (netlink_dev.c). */
#ifndef LW4O6_NETLINK_DEV_H
#define LW4O6_NETLINK_DEV_H

#include <net/genetlink.h>

int lw4o6_nl_dev_get(struct sk_buff *skb, struct genl_info *info);
int lw4o6_nl_dev_dump(struct sk_buff *skb, struct netlink_callback *cb);
int lw4o6_nl_dev_set(struct sk_buff *skb, struct genl_info *info);
int lw4o6_nl_stats_get(struct sk_buff *skb, struct genl_info *info);

#endif /* LW4O6_NETLINK_DEV_H */
