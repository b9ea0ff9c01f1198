/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LW4O6_LOAD_H
#define LW4O6_LOAD_H

#include <net/genetlink.h>

struct lw4o6_dev;

int lw4o6_load_init(void);
void lw4o6_load_uninit(void);
void lw4o6_load_abort_dev(struct lw4o6_dev *priv);

int lw4o6_nl_load_begin(struct sk_buff *skb, struct genl_info *info);
int lw4o6_nl_load_add(struct sk_buff *skb, struct genl_info *info);
int lw4o6_nl_load_commit(struct sk_buff *skb, struct genl_info *info);
int lw4o6_nl_load_abort(struct sk_buff *skb, struct genl_info *info);

#endif /* LW4O6_LOAD_H */
