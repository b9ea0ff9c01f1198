// SPDX-License-Identifier: GPL-2.0
/*
 * The "lw4o6" generic netlink family: its attributes, its commands and who
 * may run them, its multicast groups, and the device lookup every command
 * begins with.  The commands themselves: netlink_dev.c (devices, counters),
 * netlink_bind.c (bindings), load.c (bulk load), netlink_bfd.c (lw4o6d's
 * BFD changes); the multicasts: events.c.
 */
#include <linux/netdevice.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <uapi/linux/lw4o6.h>

#include "compat.h"
#include "device.h"
#include "devopt.h"
#include "load.h"
#include "netlink.h"
#include "netlink_bfd.h"
#include "netlink_bind.h"
#include "netlink_dev.h"

static const struct nla_policy lw4o6_policy[LW4O6_A_MAX + 1] = {
	[LW4O6_A_IFINDEX]	= { .type = NLA_U32 },
	[LW4O6_A_IFNAME]	= { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[LW4O6_A_MODE]		= { .type = NLA_REJECT },
	[LW4O6_A_MTU]		= { .type = NLA_REJECT },
	[LW4O6_A_BINDING_COUNT]	= { .type = NLA_U32 },
	[LW4O6_A_FLAGS]		= NLA_POLICY_MASK(NLA_U32,
						  LW4O6_F_REPLACE | LW4O6_F_STATS),
	[LW4O6_A_BINDING]	= NLA_POLICY_NESTED(lw4o6_binding_policy),
	[LW4O6_A_BINDINGS]	= NLA_POLICY_NESTED_ARRAY(lw4o6_binding_policy),
	[LW4O6_A_STATS]		= { .type = NLA_REJECT },
	[LW4O6_A_TABLE_MEM]	= { .type = NLA_REJECT },
	/* MISS_REJECT's; MISS_PORT and MISS_HELD are only in events */
	[LW4O6_A_MISS_B4]	= LW4O6_POLICY_IN6,
	[LW4O6_A_MISS_IPV4]	= { .type = NLA_BE32 },
	[LW4O6_A_MISS_PORT]	= { .type = NLA_REJECT },
	[LW4O6_A_MISS_HELD]	= { .type = NLA_REJECT },
	/* BFD_NOTIFY's: RFC 5880's states and 5-bit diagnostics only */
	[LW4O6_A_BFD_PEER]	= LW4O6_POLICY_IN6,
	[LW4O6_A_BFD_STATE]	= NLA_POLICY_MAX(NLA_U8, LW4O6_BFD_STATE_MAX),
	[LW4O6_A_BFD_OLD_STATE]	= NLA_POLICY_MAX(NLA_U8, LW4O6_BFD_STATE_MAX),
	[LW4O6_A_BFD_DIAG]	= NLA_POLICY_MAX(NLA_U8, LW4O6_BFD_DIAG_MAX),
	LW4O6_DEVOPT_POLICY(LW4O6_A_)
};

struct lw4o6_dev *lw4o6_dev_get(struct net *net, struct nlattr **attrs,
				struct netlink_ext_ack *extack)
{
	struct net_device *dev;

	if (attrs[LW4O6_A_IFINDEX]) {
		dev = dev_get_by_index(net, nla_get_u32(attrs[LW4O6_A_IFINDEX]));
		if (!dev) {
			NL_SET_ERR_MSG_ATTR(extack, attrs[LW4O6_A_IFINDEX],
					    "no such device");
			return ERR_PTR(-ENODEV);
		}
	} else if (attrs[LW4O6_A_IFNAME]) {
		char name[IFNAMSIZ];

		nla_strscpy(name, attrs[LW4O6_A_IFNAME], sizeof(name));
		dev = dev_get_by_name(net, name);
		if (!dev) {
			NL_SET_ERR_MSG_ATTR(extack, attrs[LW4O6_A_IFNAME],
					    "no such device");
			return ERR_PTR(-ENODEV);
		}
	} else {
		NL_SET_ERR_MSG_MOD(extack, "missing device (ifindex or ifname)");
		return ERR_PTR(-EINVAL);
	}
	if (dev->rtnl_link_ops != &lw4o6_link_ops) {
		lw4o6_err(extack, "not an lw4o6 device", "%s is not an lw4o6 device",
			  dev->name);
		dev_put(dev);
		return ERR_PTR(-EOPNOTSUPP);
	}
	return netdev_priv(dev);
}

/* genl_ops.internal_flags: what pre_doit checks besides the device's kind */
#define LW4O6_NL_AFTR	BIT(0)	/* bindings: the device must be an lwAFTR */

/*
 * Every command names one device: look it up (in the requester's
 * namespace) and hold it for the handler, once for all of them.  The core
 * has checked the op's permission flags and the attribute policy already.
 * The reference lasts only this request: dumps and bulk loads keep none,
 * so nobody can hold `ip link del` up.
 */
static int lw4o6_nl_pre_doit(const struct lw4o6_genl_op *op,
			     struct sk_buff *skb, struct genl_info *info)
{
	struct lw4o6_dev *priv;

	priv = lw4o6_dev_get(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(priv))
		return PTR_ERR(priv);
	if ((op->internal_flags & LW4O6_NL_AFTR) &&
	    priv->mode != LW4O6_MODE_AFTR) {
		lw4o6_err(info->extack, "bindings are for mode aftr devices",
			  "%s is not an lwAFTR: bindings are for mode aftr devices",
			  priv->dev->name);
		lw4o6_dev_put(priv);
		return -EOPNOTSUPP;
	}
	info->user_ptr[0] = priv;
	return 0;
}

/* Runs after every doit whose pre_doit succeeded, whatever it returned. */
static void lw4o6_nl_post_doit(const struct lw4o6_genl_op *op,
			       struct sk_buff *skb, struct genl_info *info)
{
	lw4o6_dev_put(lw4o6_nl_dev(info));
}

#define LW4O6_WRITE (GENL_UNS_ADMIN_PERM)

static const struct genl_ops lw4o6_ops[] = {
	{
		.cmd	= LW4O6_CMD_DEV_GET,
		.doit	= lw4o6_nl_dev_get,
		.dumpit	= lw4o6_nl_dev_dump,
	},
	{
		.cmd	= LW4O6_CMD_DEV_SET,
		.doit	= lw4o6_nl_dev_set,
		.flags	= LW4O6_WRITE,
	},
	{
		.cmd	= LW4O6_CMD_BIND_NEW,
		.doit	= lw4o6_nl_bind_new,
		.flags	= LW4O6_WRITE,
		.internal_flags = LW4O6_NL_AFTR,
	},
	{
		.cmd	= LW4O6_CMD_BIND_DEL,
		.doit	= lw4o6_nl_bind_del,
		.flags	= LW4O6_WRITE,
	},
	{
		.cmd	= LW4O6_CMD_BIND_GET,
		.doit	= lw4o6_nl_bind_get,
		.start	= lw4o6_nl_bind_dump_start,
		.dumpit	= lw4o6_nl_bind_dump,
		.done	= lw4o6_nl_bind_dump_done,
		/* B4 addresses are subscriber data */
		.flags	= LW4O6_WRITE,
	},
	{
		.cmd	= LW4O6_CMD_BIND_FLUSH,
		.doit	= lw4o6_nl_bind_flush,
		.flags	= LW4O6_WRITE,
	},
	{
		.cmd	= LW4O6_CMD_LOAD_BEGIN,
		.doit	= lw4o6_nl_load_begin,
		.flags	= LW4O6_WRITE,
		.internal_flags = LW4O6_NL_AFTR,
	},
	{
		.cmd	= LW4O6_CMD_LOAD_ADD,
		.doit	= lw4o6_nl_load_add,
		.flags	= LW4O6_WRITE,
	},
	{
		.cmd	= LW4O6_CMD_LOAD_COMMIT,
		.doit	= lw4o6_nl_load_commit,
		.flags	= LW4O6_WRITE,
	},
	{
		.cmd	= LW4O6_CMD_LOAD_ABORT,
		.doit	= lw4o6_nl_load_abort,
		.flags	= LW4O6_WRITE,
	},
	{
		.cmd	= LW4O6_CMD_STATS_GET,
		.doit	= lw4o6_nl_stats_get,
	},
	{
		.cmd	= LW4O6_CMD_MISS_REJECT,
		.doit	= lw4o6_nl_miss_reject,
		.flags	= LW4O6_WRITE,
		.internal_flags = LW4O6_NL_AFTR,
	},
	{
		/* any mode: both ends run BFD */
		.cmd	= LW4O6_CMD_BFD_NOTIFY,
		.doit	= lw4o6_nl_bfd_notify,
		.flags	= LW4O6_WRITE,
	},
};

static const struct genl_multicast_group lw4o6_mcgrps[] = {
	[LW4O6_MCGRP_EVENTS_ID] = {
		.name	= LW4O6_MCGRP_EVENTS,
		.flags	= GENL_MCAST_CAP_NET_ADMIN,
	},
	[LW4O6_MCGRP_CONTROL_ID] = {
		.name	= LW4O6_MCGRP_CONTROL,
		.flags	= GENL_MCAST_CAP_NET_ADMIN,
	},
};

struct genl_family lw4o6_family __ro_after_init = {
	.name		= LW4O6_GENL_NAME,
	.version	= LW4O6_GENL_VERSION,
	.maxattr	= LW4O6_A_MAX,
	.policy		= lw4o6_policy,
	.netnsok	= true,
	.parallel_ops	= true,
	.pre_doit	= lw4o6_nl_pre_doit,
	.post_doit	= lw4o6_nl_post_doit,
	.module		= THIS_MODULE,
	.ops		= lw4o6_ops,
	.n_ops		= ARRAY_SIZE(lw4o6_ops),
	.resv_start_op	= LW4O6_CMD_MAX + 1,
	.mcgrps		= lw4o6_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(lw4o6_mcgrps),
};

int lw4o6_genl_init(void)
{
	return genl_register_family(&lw4o6_family);
}

void lw4o6_genl_uninit(void)
{
	genl_unregister_family(&lw4o6_family);
}

