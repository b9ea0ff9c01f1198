// SPDX-License-Identifier: GPL-2.0
/*
 * The lw4o6 network device: created with rtnetlink (link kind "lw4o6"),
 * one binding table each, any number per network namespace.
 */
#include <linux/if_arp.h>
#include <linux/timekeeping.h>
#include <net/rtnetlink.h>
#include <net/netns/generic.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/addrconf.h>
#include <net/ip6_route.h>

#include "compat.h"
#include "b4.h"
#include "device.h"
#include "devopt.h"
#include "load.h"
#include "receive.h"
#include "table.h"

#define LW4O6_ENCAP_OVERHEAD	sizeof(struct ipv6hdr)

/* The devices of one namespace, for the receive hook to find by address. */
struct lw4o6_net {
	struct list_head devs;		/* RCU; written under RTNL */
};

static unsigned int lw4o6_net_id __read_mostly;

void lw4o6_stats_read(struct lw4o6_dev *priv, u64 *out)
{
	int cpu, i;

	memset(out, 0, sizeof(u64) * __LW4O6_STAT_MAX);
	for_each_possible_cpu(cpu) {
		const struct lw4o6_pcpu_stats *s = per_cpu_ptr(priv->stats, cpu);

		for (i = 0; i < __LW4O6_STAT_MAX; i++)
			out[i] += READ_ONCE(s->c[i]);
	}
}

static void lw4o6_get_stats64(struct net_device *dev,
			      struct rtnl_link_stats64 *st)
{
	struct lw4o6_dev *priv = netdev_priv(dev);
	u64 c[__LW4O6_STAT_MAX];

	lw4o6_stats_read(priv, c);
	/* rx: decapsulated into the device; tx: encapsulated out of it. */
	st->tx_packets = c[LW4O6_STAT_SENT_IPV6_PACKETS];
	st->tx_bytes = c[LW4O6_STAT_SENT_IPV6_BYTES];
	st->rx_packets = c[LW4O6_STAT_SENT_IPV4_PACKETS];
	st->rx_bytes = c[LW4O6_STAT_SENT_IPV4_BYTES];
	st->tx_dropped = c[LW4O6_STAT_DROPPED_IPV4_PACKETS];
	st->rx_dropped = c[LW4O6_STAT_DROPPED_IPV6_PACKETS];
}

static int lw4o6_dev_init(struct net_device *dev)
{
	struct lw4o6_dev *priv = netdev_priv(dev);

	/* Charged to the creator's memory cgroup, like the tables. */
	priv->stats = alloc_percpu_gfp(struct lw4o6_pcpu_stats, GFP_KERNEL_ACCOUNT);
	if (!priv->stats)
		return -ENOMEM;
	return 0;
}

/* Unregistration: packets and bulk loads stop finding us from here on. */
static void lw4o6_dev_uninit(struct net_device *dev)
{
	struct lw4o6_dev *priv = netdev_priv(dev);

	list_del_rcu(&priv->net_list);
	lw4o6_load_abort_dev(priv);
	lw4o6_hold_stop(priv);
}

/*
 * No IPv6 link-local address, hence no router solicitations or MLD reports
 * sent into the device, where they are not IPv4 and would only count as
 * drops.  As WireGuard does: addrconf reads this when the device goes up.
 */
static int lw4o6_dev_open(struct net_device *dev)
{
	struct inet6_dev *idev = __in6_dev_get(dev);

	if (idev)
		WRITE_ONCE(idev->cnf.addr_gen_mode, IN6_ADDR_GEN_MODE_NONE);
	return 0;
}

/* Down: held packets could not be delivered any more (hold.c). */
static int lw4o6_dev_stop(struct net_device *dev)
{
	lw4o6_hold_purge(netdev_priv(dev), false);
	return 0;
}

static const struct net_device_ops lw4o6_netdev_ops = {
	.ndo_init		= lw4o6_dev_init,
	.ndo_open		= lw4o6_dev_open,
	.ndo_stop		= lw4o6_dev_stop,
	.ndo_uninit		= lw4o6_dev_uninit,
	.ndo_start_xmit		= lw4o6_xmit,
	.ndo_get_stats64	= lw4o6_get_stats64,
};

/* Runs after the last reference is gone: nobody can see the table now. */
static void lw4o6_dev_destruct(struct net_device *dev)
{
	struct lw4o6_dev *priv = netdev_priv(dev);

	struct lw4o6_cfg *cfg = rcu_dereference_protected(priv->cfg, 1);

	lw4o6_table_put(rcu_dereference_protected(priv->table, 1));
	RCU_INIT_POINTER(priv->table, NULL);
	if (cfg)
		kfree_rcu(cfg, rcu);
	RCU_INIT_POINTER(priv->cfg, NULL);
	free_percpu(priv->stats);
	priv->stats = NULL;
}

static void lw4o6_setup(struct net_device *dev)
{
	struct lw4o6_dev *priv = netdev_priv(dev);

	dev->netdev_ops = &lw4o6_netdev_ops;
	dev->priv_destructor = lw4o6_dev_destruct;
	dev->needs_free_netdev = true;
	dev->type = ARPHRD_NONE;
	dev->flags = IFF_POINTOPOINT | IFF_NOARP;
	dev->hard_header_len = 0;
	dev->addr_len = 0;
	dev->mtu = ETH_DATA_LEN - LW4O6_ENCAP_OVERHEAD;
	dev->min_mtu = IPV4_MIN_MTU;
	dev->max_mtu = IP6_MAX_MTU - LW4O6_ENCAP_OVERHEAD;
	dev->tx_queue_len = 0;
	lw4o6_dev_set_lltx(dev);
	/* ICMP errors about a packet need the route it came in by. */
	netif_keep_dst(dev);
	/* A table names IPv6 peers of this namespace: it does not move. */
	lw4o6_dev_set_netns_local(dev);

	priv->dev = dev;
	mutex_init(&priv->lock);
	INIT_LIST_HEAD(&priv->net_list);
	spin_lock_init(&priv->icmp_lock);
	ratelimit_state_init(&priv->miss_rs, HZ, 10);
	/* Say nothing in the kernel log about suppressed events. */
	ratelimit_set_flags(&priv->miss_rs, RATELIMIT_MSG_ON_RELEASE);
	lw4o6_control_limit_init(&priv->control);
	lw4o6_hold_init(priv);
}

static const struct nla_policy lw4o6_link_policy[IFLA_LW4O6_MAX + 1] = {
	[IFLA_LW4O6_MODE]	 = NLA_POLICY_RANGE(NLA_U8, LW4O6_MODE_AFTR,
						    LW4O6_MODE_MAX),
	LW4O6_DEVOPT_POLICY(IFLA_LW4O6_)
};

static const struct lw4o6_devopt_nums link_nums = LW4O6_DEVOPT_NUMS(IFLA_LW4O6_);

static int lw4o6_validate(struct nlattr *tb[], struct nlattr *data[],
			  struct netlink_ext_ack *extack)
{
	if (!data || !data[IFLA_LW4O6_MODE]) {
		NL_SET_ERR_MSG_MOD(extack, "missing mode");
		return -EINVAL;
	}
	if (!data[IFLA_LW4O6_LOCAL]) {
		NL_SET_ERR_MSG_MOD(extack, "missing local IPv6 address");
		return -EINVAL;
	}
	return 0;
}

static int lw4o6_newlink(struct net *src_net, struct net_device *dev,
			 struct nlattr *tb[], struct nlattr *data[],
			 struct netlink_ext_ack *extack)
{
	struct lw4o6_dev *priv = netdev_priv(dev);
	struct lw4o6_cfg_attrs a;
	struct lw4o6_table *t;
	struct lw4o6_cfg *cfg;
	int err;

	cfg = kzalloc(sizeof(*cfg), GFP_KERNEL_ACCOUNT);
	t = lw4o6_table_alloc(dev_net(dev), 0, extack);
	if (IS_ERR(t)) {
		err = PTR_ERR(t);
		t = NULL;
		goto err_free;
	}
	if (!cfg) {
		err = -ENOMEM;
		goto err_free;
	}
	lw4o6_cfg_defaults(cfg);
	lw4o6_cfg_attrs_get(&a, data, &link_nums);
	priv->mode = nla_get_u8(data[IFLA_LW4O6_MODE]);
	err = lw4o6_cfg_update(cfg, priv->mode, &a, extack);
	if (err)
		goto err_free;
	err = lw4o6_dev_local_check(priv, &cfg->local, a.local, extack);
	if (err)
		goto err_free;
	if (priv->mode == LW4O6_MODE_B4) {
		err = lw4o6_b4_net_enable(dev_net(dev));
		if (err) {
			NL_SET_ERR_MSG_MOD(extack, "cannot enable conntrack and NAT for the b4 device");
			goto err_free;
		}
	}
	t->live = true;
	RCU_INIT_POINTER(priv->cfg, cfg);
	RCU_INIT_POINTER(priv->table, t);
	priv->discontinuity = ktime_get_real_seconds();

	err = register_netdevice(dev);
	if (err)
		goto err_unset;
	list_add_tail_rcu(&priv->net_list,
			  &((struct lw4o6_net *)net_generic(dev_net(dev),
							    lw4o6_net_id))->devs);
	return 0;

err_unset:
	/*
	 * Past ndo_init, a failing register_netdevice() has run our destructor
	 * already; before it, nothing of ours was freed.
	 */
	if (!rcu_access_pointer(priv->table))
		return err;
	RCU_INIT_POINTER(priv->cfg, NULL);
	RCU_INIT_POINTER(priv->table, NULL);
err_free:
	kfree(cfg);
	lw4o6_table_free_now(t);
	return err;
}

static size_t lw4o6_get_size(const struct net_device *dev)
{
	return nla_total_size(sizeof(u8)) + lw4o6_cfg_size();	/* mode + */
}

static int lw4o6_fill_info(struct sk_buff *skb, const struct net_device *dev)
{
	struct lw4o6_dev *priv = netdev_priv(dev);
	struct lw4o6_cfg *cfg;
	int err;

	rcu_read_lock();
	cfg = rcu_dereference(priv->cfg);
	err = nla_put_u8(skb, IFLA_LW4O6_MODE, priv->mode) ||
	      lw4o6_cfg_put(skb, cfg, &link_nums);
	rcu_read_unlock();
	return err ? -EMSGSIZE : 0;
}

struct rtnl_link_ops lw4o6_link_ops __read_mostly = {
	.kind		= LW4O6_LINK_KIND,
	.priv_size	= sizeof(struct lw4o6_dev),
	.maxtype	= IFLA_LW4O6_MAX,
	.policy		= lw4o6_link_policy,
	.setup		= lw4o6_setup,
	.validate	= lw4o6_validate,
	.newlink	= lw4o6_newlink,
	.get_size	= lw4o6_get_size,
	.fill_info	= lw4o6_fill_info,
};

void lw4o6_dev_set_table(struct lw4o6_dev *priv, struct lw4o6_table *t)
{
	struct lw4o6_table *old = lw4o6_dev_table(priv);

	t->live = true;
	rcu_assign_pointer(priv->table, t);
	lw4o6_table_put(old);
}

/*
 * Packets find a device by its local (lw4o6_dev_by_local), so two devices
 * of a namespace sharing one would leave the second silently deaf.  The
 * list and every local change are under RTNL; a cfg may still be swapped
 * by a DEV_SET of other options, hence RCU to read it.
 */
int lw4o6_dev_local_check(struct lw4o6_dev *priv, const struct in6_addr *local,
			  const struct nlattr *attr,
			  struct netlink_ext_ack *extack)
{
	struct lw4o6_net *ln = net_generic(dev_net(priv->dev), lw4o6_net_id);
	struct lw4o6_dev *other;
	int err = 0;

	ASSERT_RTNL();
	rcu_read_lock();
	list_for_each_entry(other, &ln->devs, net_list) {
		if (other == priv ||
		    !ipv6_addr_equal(&rcu_dereference(other->cfg)->local, local))
			continue;
		lw4o6_err(extack, "local is already another device's local address",
			  "local %pI6c is already the local address of %s",
			  local, other->dev->name);
		NL_SET_BAD_ATTR(extack, attr);
		err = -EADDRINUSE;
		break;
	}
	rcu_read_unlock();
	return err;
}

struct lw4o6_dev *lw4o6_dev_by_local(struct net *net,
				     const struct in6_addr *addr)
{
	struct lw4o6_net *ln = net_generic(net, lw4o6_net_id);
	struct lw4o6_dev *priv;

	list_for_each_entry_rcu(priv, &ln->devs, net_list)
		if (ipv6_addr_equal(&rcu_dereference(priv->cfg)->local, addr))
			return priv;
	return NULL;
}

/*
 * The device whose softwires end at addr: its local, or on an lwAFTR the BR
 * of one of its bindings.  Locals first, so a BR that is also some
 * device's local belongs to that device.
 */
struct lw4o6_dev *lw4o6_dev_by_dst(struct net *net, const struct in6_addr *addr)
{
	struct lw4o6_net *ln = net_generic(net, lw4o6_net_id);
	struct lw4o6_dev *priv;

	priv = lw4o6_dev_by_local(net, addr);
	if (priv)
		return priv;
	list_for_each_entry_rcu(priv, &ln->devs, net_list)
		if (priv->mode == LW4O6_MODE_AFTR &&
		    lw4o6_table_has_br(rcu_dereference(priv->table), addr))
			return priv;
	return NULL;
}

struct lw4o6_dev *lw4o6_dev_by_encap_source(struct net *net,
					    const struct in6_addr *addr)
{
	struct lw4o6_net *ln = net_generic(net, lw4o6_net_id);
	const struct lw4o6_cfg *cfg;
	struct lw4o6_dev *priv;

	list_for_each_entry_rcu(priv, &ln->devs, net_list) {
		cfg = rcu_dereference(priv->cfg);
		if (cfg->encap_unicast &&
		    ipv6_addr_equal(&cfg->icmp_source, addr))
			return priv;
	}
	return NULL;
}

static int __net_init lw4o6_net_init(struct net *net)
{
	struct lw4o6_net *ln = net_generic(net, lw4o6_net_id);

	INIT_LIST_HEAD(&ln->devs);
	return lw4o6_receive_net_init(net);
}

static void __net_exit lw4o6_net_exit(struct net *net)
{
	lw4o6_receive_net_exit(net);
}

static struct pernet_operations lw4o6_net_ops = {
	.init	= lw4o6_net_init,
	.exit	= lw4o6_net_exit,
	.id	= &lw4o6_net_id,
	.size	= sizeof(struct lw4o6_net),
};

int lw4o6_device_init(void)
{
	int err;

	err = register_pernet_subsys(&lw4o6_net_ops);
	if (err)
		return err;
	err = rtnl_link_register(&lw4o6_link_ops);
	if (err)
		goto err_link;
	return 0;

err_link:
	unregister_pernet_subsys(&lw4o6_net_ops);
	return err;
}

void lw4o6_device_uninit(void)
{
	rtnl_link_unregister(&lw4o6_link_ops);
	unregister_pernet_subsys(&lw4o6_net_ops);
}
