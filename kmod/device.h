/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LW4O6_DEVICE_H
#define LW4O6_DEVICE_H

#include <linux/netdevice.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/in6.h>
#include <linux/ratelimit.h>
#include <net/ipv6.h>
#include <uapi/linux/lw4o6.h>

#include "control.h"
#include "hold.h"

struct lw4o6_table;

/*
 * Parameters the data path reads; replaced as a whole under RCU.  How they
 * are set and reported over netlink: devopt.h.
 */
struct lw4o6_cfg {
	struct in6_addr local;
	struct in6_addr icmp_source;	/* :: = errors come from local */
	struct in6_addr remote;		/* dslite, b4: the AFTR; else :: */
	__be32 ipv4;			/* b4: the binding; else 0 */
	u16 psid;
	u8 psid_len;
	u8 offset;
	u32 icmp_rate;			/* generated errors per second */
	u32 control_rate;		/* aftr: PCP to lw4o6d per second */
	u32 control_prefix_rate;	/* ... per B4 prefix */
	u8 control_prefix_len;		/* ... of this many bits */
	u32 miss_hold;			/* aftr: ms a missed packet waits */
	u32 miss_queue;			/* ... packets at most (hold.c) */
	/* dslite, b4: the set's unicast addresses, also taken as the AFTR */
	struct in6_addr accept_from;
	u8 accept_from_len;		/* 0: remote only */
	u32 flow_label;			/* dslite, b4: of every packet sent */
	bool encap_unicast;		/* aftr: encapsulate from icmp_source */
	bool hairpin;
	bool mss_clamp;			/* dslite, b4 */
	bool icmp4_errors;
	bool icmp6_errors;
	struct rcu_head rcu;
};

struct lw4o6_pcpu_stats {
	u64 c[__LW4O6_STAT_MAX];
};

struct lw4o6_dev {
	struct net_device *dev;
	u8 mode;
	struct lw4o6_cfg __rcu *cfg;
	struct lw4o6_table __rcu *table;
	struct mutex lock;		/* serialises writers of cfg and table */
	struct lw4o6_pcpu_stats __percpu *stats;
	time64_t discontinuity;		/* when the counters started */
	struct list_head net_list;	/* in the namespace's list, RCU */
	spinlock_t icmp_lock;		/* the error rate limiters below */
	struct lw4o6_bucket icmp;	/* every error but Too Big */
	/*
	 * Frag Needed and translated Packet Too Big have their own: a flood
	 * that draws other errors must not silence path MTU discovery.
	 */
	struct lw4o6_bucket icmp_ptb;
	struct ratelimit_state miss_rs;	/* binding-miss events */
	struct lw4o6_control_limit control;	/* PCP to lw4o6d (aftr) */
	struct lw4o6_hold hold;		/* miss-hold (aftr) */
};

struct lw4o6_dev *lw4o6_dev_by_local(struct net *net,
				     const struct in6_addr *addr);
struct lw4o6_dev *lw4o6_dev_by_dst(struct net *net,
				   const struct in6_addr *addr);
/* The lwAFTR that encapsulates from addr (encap-unicast), for its errors. */
struct lw4o6_dev *lw4o6_dev_by_encap_source(struct net *net,
					    const struct in6_addr *addr);

/*
 * A B4's AFTR: remote, or one of the set's unicast addresses (accept-from)
 * that errors and, with encap-unicast, softwire traffic come from.
 */
static inline bool lw4o6_from_aftr(const struct lw4o6_cfg *cfg,
				   const struct in6_addr *addr)
{
	return ipv6_addr_equal(addr, &cfg->remote) ||
	       (cfg->accept_from_len &&
		ipv6_prefix_equal(addr, &cfg->accept_from,
				  cfg->accept_from_len));
}
/*
 * Under RTNL: refuses local if another device of priv's namespace has it
 * (priv itself may keep its own); attr names it in the error.
 */
int lw4o6_dev_local_check(struct lw4o6_dev *priv, const struct in6_addr *local,
			  const struct nlattr *attr,
			  struct netlink_ext_ack *extack);
netdev_tx_t lw4o6_xmit(struct sk_buff *skb, struct net_device *dev);

extern struct rtnl_link_ops lw4o6_link_ops;

int lw4o6_device_init(void);
void lw4o6_device_uninit(void);

static inline struct lw4o6_table *lw4o6_dev_table(struct lw4o6_dev *priv)
{
	return rcu_dereference_protected(priv->table,
					 lockdep_is_held(&priv->lock));
}

/* Swap in a new table under priv->lock; the old one is released. */
void lw4o6_dev_set_table(struct lw4o6_dev *priv, struct lw4o6_table *t);

static inline void lw4o6_stat_add(struct lw4o6_dev *priv, enum lw4o6_stat s,
				  u64 v)
{
	this_cpu_add(priv->stats->c[s], v);
}

void lw4o6_stats_read(struct lw4o6_dev *priv, u64 *out);

#endif /* LW4O6_DEVICE_H */
