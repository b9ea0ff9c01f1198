// SPDX-License-Identifier: GPL-2.0
/*
 * Devices and their counters over generic netlink: DEV_GET (and its dump),
 * DEV_SET and STATS_GET.  Devices are created and deleted over rtnetlink
 * (device.c); the options both carry are listed in devopt.h.
 */
#include <linux/netdevice.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/rtnetlink.h>
#include <net/sock.h>
#include <uapi/linux/lw4o6.h>

#include "b4.h"
#include "device.h"
#include "devopt.h"
#include "netlink.h"
#include "netlink_dev.h"
#include "table.h"

static const struct lw4o6_devopt_nums genl_nums = LW4O6_DEVOPT_NUMS(LW4O6_A_);

static int fill_dev(struct sk_buff *skb, struct lw4o6_dev *priv, u32 portid,
		    u32 seq, int flags, u8 cmd)
{
	struct lw4o6_table *t;
	struct lw4o6_cfg *cfg;
	void *hdr;
	int err;

	hdr = genlmsg_put(skb, portid, seq, &lw4o6_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	rcu_read_lock();
	cfg = rcu_dereference(priv->cfg);
	t = rcu_dereference(priv->table);
	err = nla_put_u32(skb, LW4O6_A_IFINDEX, priv->dev->ifindex) ||
	      nla_put_string(skb, LW4O6_A_IFNAME, priv->dev->name) ||
	      nla_put_u8(skb, LW4O6_A_MODE, priv->mode) ||
	      lw4o6_cfg_put(skb, cfg, &genl_nums) ||
	      nla_put_u32(skb, LW4O6_A_MTU, READ_ONCE(priv->dev->mtu)) ||
	      nla_put_u32(skb, LW4O6_A_BINDING_COUNT, READ_ONCE(t->count)) ||
	      nla_put_u64_64bit(skb, LW4O6_A_TABLE_MEM, lw4o6_table_mem(t),
				LW4O6_A_PAD);
	rcu_read_unlock();
	if (err) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

int lw4o6_nl_dev_get(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	err = fill_dev(msg, lw4o6_nl_dev(info), info->snd_portid, info->snd_seq,
		       0, LW4O6_CMD_DEV_GET);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

int lw4o6_nl_dev_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct net *net = sock_net(skb->sk);
	struct net_device *dev;
	long idx = 0, start = cb->args[0];
	int err = 0;

	rcu_read_lock();
	for_each_netdev_rcu(net, dev) {
		if (dev->rtnl_link_ops != &lw4o6_link_ops)
			continue;
		if (idx++ < start)
			continue;
		err = fill_dev(skb, netdev_priv(dev), NETLINK_CB(cb->skb).portid,
			       cb->nlh->nlmsg_seq, NLM_F_MULTI, LW4O6_CMD_DEV_GET);
		if (err) {
			idx--;
			break;
		}
	}
	rcu_read_unlock();
	cb->args[0] = idx;
	return err && idx == start ? err : skb->len;
}

/*
 * The device after a DEV_SET, to the "events" group, as rtnetlink tells of
 * a changed link: whoever watches (`lw4o6 monitor`, a management system)
 * sees lw4o6d move a B4 to another AFTR.  Best effort, like every event.
 */
static void notify_dev(struct lw4o6_dev *priv, u32 portid)
{
	struct net *net = dev_net(priv->dev);
	struct sk_buff *msg;

	if (!genl_has_listeners(&lw4o6_family, net, LW4O6_MCGRP_EVENTS_ID))
		return;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	if (fill_dev(msg, priv, portid, 0, 0, LW4O6_CMD_EVT_DEV_CHANGE)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_multicast_netns(&lw4o6_family, net, msg, 0,
				LW4O6_MCGRP_EVENTS_ID, GFP_KERNEL);
}

/*
 * The whole change happens under priv->lock, the b4 flush included: the
 * flush reads the new cfg across synchronize_net(), and a concurrent
 * DEV_SET would otherwise replace and free it meanwhile; serialised, each
 * change also flushes against the set it really replaced.  A new local is
 * checked against the namespace's other devices under RTNL, as newlink
 * does (lock order: RTNL, then priv->lock; RTNL is let go before the
 * flush, which may take long).
 */
int lw4o6_nl_dev_set(struct sk_buff *skb, struct genl_info *info)
{
	struct lw4o6_dev *priv = lw4o6_nl_dev(info);
	struct lw4o6_cfg *cfg, *old;
	struct lw4o6_cfg_attrs a;
	bool rtnl = false;
	int err;

	if (!lw4o6_cfg_attrs_get(&a, info->attrs, &genl_nums)) {
		NL_SET_ERR_MSG_MOD(info->extack, "nothing to change");
		return -EINVAL;
	}
	cfg = kmalloc(sizeof(*cfg), GFP_KERNEL_ACCOUNT);
	if (!cfg)
		return -ENOMEM;
	if (a.local) {
		rtnl_lock();
		rtnl = true;
	}
	mutex_lock(&priv->lock);
	old = rcu_dereference_protected(priv->cfg, lockdep_is_held(&priv->lock));
	*cfg = *old;
	err = lw4o6_cfg_update(cfg, priv->mode, &a, info->extack);
	if (!err && rtnl)
		err = lw4o6_dev_local_check(priv, &cfg->local, a.local,
					    info->extack);
	if (err)
		goto out;
	rcu_assign_pointer(priv->cfg, cfg);
	if (rtnl) {
		rtnl_unlock();
		rtnl = false;
	}
	/* Flows whose port the new set no longer holds must go. */
	if (priv->mode == LW4O6_MODE_B4)
		lw4o6_b4_flush(priv, old, cfg);
	/* miss-hold off: what waits gets the answer it would have had. */
	if (old->miss_hold && !cfg->miss_hold)
		lw4o6_hold_purge(priv, true);
	kfree_rcu(old, rcu);
	cfg = NULL;
out:
	mutex_unlock(&priv->lock);
	if (rtnl)
		rtnl_unlock();
	kfree(cfg);
	if (!err)
		notify_dev(priv, info->snd_portid);
	return err;
}

int lw4o6_nl_stats_get(struct sk_buff *skb, struct genl_info *info)
{
	struct lw4o6_dev *priv = lw4o6_nl_dev(info);
	u64 c[__LW4O6_STAT_MAX];
	struct sk_buff *msg;
	struct nlattr *nest;
	void *hdr;
	u32 count;
	int i;

	lw4o6_stats_read(priv, c);
	rcu_read_lock();
	count = READ_ONCE(rcu_dereference(priv->table)->count);
	rcu_read_unlock();

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put(msg, info->snd_portid, info->snd_seq, &lw4o6_family,
			  0, LW4O6_CMD_STATS_GET);
	if (!hdr ||
	    nla_put_u32(msg, LW4O6_A_IFINDEX, priv->dev->ifindex) ||
	    nla_put_string(msg, LW4O6_A_IFNAME, priv->dev->name))
		goto nospace;
	nest = nla_nest_start(msg, LW4O6_A_STATS);
	if (!nest)
		goto nospace;
	for (i = 1; i < __LW4O6_STAT_MAX; i++)
		if (nla_put_u64_64bit(msg, i, c[i], LW4O6_STAT_UNSPEC))
			goto nospace;
	if (nla_put_u64_64bit(msg, LW4O6_STAT_ACTIVE_SOFTWIRE_NUM, count,
			      LW4O6_STAT_UNSPEC) ||
	    nla_put_u64_64bit(msg, LW4O6_STAT_DISCONTINUITY_TIME,
			      priv->discontinuity, LW4O6_STAT_UNSPEC))
		goto nospace;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}
