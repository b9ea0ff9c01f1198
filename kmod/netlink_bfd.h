/* SPDX-License-Identifier: GPL-2.0 */
/* BFD_NOTIFY: lw4o6d's BFD session changes, passed on (netlink_bfd.c). */
#ifndef LW4O6_NETLINK_BFD_H
#define LW4O6_NETLINK_BFD_H

#include <net/genetlink.h>

int lw4o6_nl_bfd_notify(struct sk_buff *skb, struct genl_info *info);

#endif /* LW4O6_NETLINK_BFD_H */
