/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LW4O6_NETLINK_H
#define LW4O6_NETLINK_H

#include <net/genetlink.h>

struct lw4o6_dev;
struct lw4o6_binding_params;

int lw4o6_genl_init(void);
void lw4o6_genl_uninit(void);

int lw4o6_parse_binding(const struct nlattr *nest,
			struct lw4o6_binding_params *p, bool need_b4,
			struct netlink_ext_ack *extack);
void lw4o6_notify_count(struct lw4o6_dev *priv, u8 cmd, u32 count);
void lw4o6_notify_miss(struct lw4o6_dev *priv, u8 cmd,
		       const struct in6_addr *b4,
		       __be32 ipv4, int port);

int lw4o6_notify_control(struct lw4o6_dev *priv, const struct in6_addr *b4,
			 const struct sk_buff *pkt);

#endif /* LW4O6_NETLINK_H */
