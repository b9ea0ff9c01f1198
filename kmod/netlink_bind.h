/* SPDX-License-Identifier: GPL-2.0 */
/* The binding table over generic netlink (netlink_bind.c). */
#ifndef LW4O6_NETLINK_BIND_H
#define LW4O6_NETLINK_BIND_H

#include <net/genetlink.h>
#include <uapi/linux/lw4o6.h>

struct lw4o6_binding_params;

/* LW4O6_A_BINDING's contents; the family's policy nests it. */
extern const struct nla_policy lw4o6_binding_policy[LW4O6_BA_MAX + 1];

/* A binding nest into p: key required, b4 too if need_b4, shape checked. */
int lw4o6_parse_binding(const struct nlattr *nest,
			struct lw4o6_binding_params *p, bool need_b4,
			struct netlink_ext_ack *extack);
/* p as an LW4O6_A_BINDING nest, without counters. */
int lw4o6_put_binding(struct sk_buff *skb,
		      const struct lw4o6_binding_params *p);

int lw4o6_nl_bind_new(struct sk_buff *skb, struct genl_info *info);
int lw4o6_nl_bind_del(struct sk_buff *skb, struct genl_info *info);
int lw4o6_nl_bind_get(struct sk_buff *skb, struct genl_info *info);
int lw4o6_nl_bind_dump_start(struct netlink_callback *cb);
int lw4o6_nl_bind_dump(struct sk_buff *skb, struct netlink_callback *cb);
int lw4o6_nl_bind_dump_done(struct netlink_callback *cb);
int lw4o6_nl_bind_flush(struct sk_buff *skb, struct genl_info *info);
/* MISS_REJECT: the held packets of a B4 (hold.c). */
int lw4o6_nl_miss_reject(struct sk_buff *skb, struct genl_info *info);

#endif /* LW4O6_NETLINK_BIND_H */
