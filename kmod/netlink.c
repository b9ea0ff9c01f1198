// SPDX-License-Identifier: GPL-2.0
/*
 * The "lw4o6" generic netlink family: devices, bindings, statistics and the
 * "events" multicast group.  Bulk load transactions live in load.c.
 */
#include <linux/netdevice.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>
#include <net/ipv6.h>
#include <uapi/linux/lw4o6.h>

#include "compat.h"
#include "b4.h"
#include "device.h"
#include "devopt.h"
#include "load.h"
#include "netlink.h"
#include "table.h"
#include "main.h"

static struct genl_family lw4o6_family;

enum { LW4O6_MCGRP_EVENTS_ID, LW4O6_MCGRP_CONTROL_ID };

static const struct nla_policy binding_policy[LW4O6_BA_MAX + 1] = {
	[LW4O6_BA_IPV4]		= { .type = NLA_BE32 },
	[LW4O6_BA_PSID]		= { .type = NLA_U16 },
	[LW4O6_BA_PSID_LEN]	= NLA_POLICY_MAX(NLA_U8, LW4O6_PSID_LEN_MAX),
	[LW4O6_BA_OFFSET]	= NLA_POLICY_MAX(NLA_U8, LW4O6_OFFSET_MAX),
	[LW4O6_BA_B4]		= NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[LW4O6_BA_BR]		= NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	/* read-only attributes: refused if a request carries them */
	[LW4O6_BA_TX_PACKETS]	= { .type = NLA_REJECT },
	[LW4O6_BA_TX_BYTES]	= { .type = NLA_REJECT },
	[LW4O6_BA_RX_PACKETS]	= { .type = NLA_REJECT },
	[LW4O6_BA_RX_BYTES]	= { .type = NLA_REJECT },
	[LW4O6_BA_LAST_SEEN]	= { .type = NLA_REJECT },
};

static const struct nla_policy lw4o6_policy[LW4O6_A_MAX + 1] = {
	[LW4O6_A_IFINDEX]	= { .type = NLA_U32 },
	[LW4O6_A_IFNAME]	= { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[LW4O6_A_MODE]		= { .type = NLA_REJECT },
	[LW4O6_A_MTU]		= { .type = NLA_REJECT },
	[LW4O6_A_BINDING_COUNT]	= { .type = NLA_U32 },
	[LW4O6_A_FLAGS]		= NLA_POLICY_MASK(NLA_U32,
						  LW4O6_F_REPLACE | LW4O6_F_STATS),
	[LW4O6_A_BINDING]	= NLA_POLICY_NESTED(binding_policy),
	[LW4O6_A_BINDINGS]	= NLA_POLICY_NESTED_ARRAY(binding_policy),
	[LW4O6_A_STATS]		= { .type = NLA_REJECT },
	[LW4O6_A_TABLE_MEM]	= { .type = NLA_REJECT },
	[LW4O6_A_MISS_B4]	= { .type = NLA_REJECT },
	[LW4O6_A_MISS_IPV4]	= { .type = NLA_REJECT },
	[LW4O6_A_MISS_PORT]	= { .type = NLA_REJECT },
	LW4O6_DEVOPT_POLICY(LW4O6_A_)
};

static const struct lw4o6_devopt_nums genl_nums = LW4O6_DEVOPT_NUMS(LW4O6_A_);

/* ---- helpers ----------------------------------------------------------- */

int lw4o6_parse_binding(const struct nlattr *nest,
			struct lw4o6_binding_params *p, bool need_b4,
			struct netlink_ext_ack *extack)
{
	struct nlattr *tb[LW4O6_BA_MAX + 1];
	int err;

	err = nla_parse_nested(tb, LW4O6_BA_MAX, nest, binding_policy, extack);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(extack, nest, tb, LW4O6_BA_IPV4) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, LW4O6_BA_PSID) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, LW4O6_BA_PSID_LEN) ||
	    (need_b4 && NL_REQ_ATTR_CHECK(extack, nest, tb, LW4O6_BA_B4))) {
		NL_SET_ERR_MSG_MOD(extack,
				   "binding needs ipv4, psid and psid-len (and b4)");
		return -EINVAL;
	}
	memset(p, 0, sizeof(*p));
	p->ipv4 = nla_get_be32(tb[LW4O6_BA_IPV4]);
	p->psid = nla_get_u16(tb[LW4O6_BA_PSID]);
	p->psid_len = nla_get_u8(tb[LW4O6_BA_PSID_LEN]);
	if (tb[LW4O6_BA_OFFSET])
		p->offset = nla_get_u8(tb[LW4O6_BA_OFFSET]);
	if (tb[LW4O6_BA_B4])
		nla_memcpy(&p->b4, tb[LW4O6_BA_B4], sizeof(p->b4));
	if (tb[LW4O6_BA_BR]) {
		nla_memcpy(&p->br, tb[LW4O6_BA_BR], sizeof(p->br));
		p->has_br = true;
	}
	if (p->offset + p->psid_len > 16) {
		lw4o6_err_attr(extack, tb[LW4O6_BA_OFFSET] ?: nest, "offset + psid-len exceeds 16 bits",
					"offset %u + psid-len %u exceeds 16 bits",
					p->offset, p->psid_len);
		return -EINVAL;
	}
	if (p->psid >= (1U << p->psid_len)) {
		lw4o6_err_attr(extack, tb[LW4O6_BA_PSID], "psid does not fit in psid-len",
					"psid %u does not fit in psid-len %u",
					p->psid, p->psid_len);
		return -EINVAL;
	}
	return 0;
}

/* Opens the binding nest and fills the key and value; the caller ends it. */
static struct nlattr *put_params_open(struct sk_buff *skb,
				      const struct lw4o6_binding_params *p)
{
	struct nlattr *nest = nla_nest_start(skb, LW4O6_A_BINDING);

	if (!nest ||
	    nla_put_be32(skb, LW4O6_BA_IPV4, p->ipv4) ||
	    nla_put_u16(skb, LW4O6_BA_PSID, p->psid) ||
	    nla_put_u8(skb, LW4O6_BA_PSID_LEN, p->psid_len) ||
	    nla_put_u8(skb, LW4O6_BA_OFFSET, p->offset) ||
	    nla_put_in6_addr(skb, LW4O6_BA_B4, &p->b4) ||
	    (p->has_br && nla_put_in6_addr(skb, LW4O6_BA_BR, &p->br)))
		return NULL;
	return nest;
}

static int put_params(struct sk_buff *skb, const struct lw4o6_binding_params *p)
{
	struct nlattr *nest = put_params_open(skb, p);

	if (!nest)
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static void binding_params(const struct lw4o6_table *t,
			   const struct lw4o6_binding *b,
			   struct lw4o6_binding_params *p)
{
	const struct in6_addr *br = lw4o6_binding_br(t, b);

	p->ipv4 = b->ipv4;
	p->psid = b->psid;
	p->psid_len = b->psid_len;
	p->offset = b->offset;
	p->b4 = b->b4;
	p->has_br = br;
	if (br)
		p->br = *br;
}

static int fill_binding_msg(struct sk_buff *skb, struct lw4o6_dev *priv,
			    const struct lw4o6_table *t,
			    const struct lw4o6_binding *b, bool stats,
			    u32 portid, u32 seq, int flags, u8 cmd,
			    struct netlink_callback *cb)
{
	struct lw4o6_binding_params p;
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &lw4o6_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	if (nla_put_u32(skb, LW4O6_A_IFINDEX, priv->dev->ifindex))
		goto cancel;
	binding_params(t, b, &p);
	nest = put_params_open(skb, &p);
	if (!nest)
		goto cancel;
	if (stats) {
		u32 seen = READ_ONCE(b->last_seen);

		if (nla_put_u64_64bit(skb, LW4O6_BA_TX_PACKETS,
				      atomic64_read(&b->tx_packets), LW4O6_BA_PAD) ||
		    nla_put_u64_64bit(skb, LW4O6_BA_TX_BYTES,
				      atomic64_read(&b->tx_bytes), LW4O6_BA_PAD) ||
		    nla_put_u64_64bit(skb, LW4O6_BA_RX_PACKETS,
				      atomic64_read(&b->rx_packets), LW4O6_BA_PAD) ||
		    nla_put_u64_64bit(skb, LW4O6_BA_RX_BYTES,
				      atomic64_read(&b->rx_bytes), LW4O6_BA_PAD))
			goto cancel;
		if (seen && nla_put_u32(skb, LW4O6_BA_LAST_SEEN,
					(u32)ktime_get_boottime_seconds() - seen))
			goto cancel;
	}
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/* ---- events ------------------------------------------------------------ */

static bool have_listeners(struct lw4o6_dev *priv)
{
	return genl_has_listeners(&lw4o6_family, dev_net(priv->dev),
				  LW4O6_MCGRP_EVENTS_ID);
}

/* A notification with its device named, or NULL when nobody listens. */
static struct sk_buff *notify_start(struct lw4o6_dev *priv, u8 cmd, void **hdr,
				    gfp_t gfp)
{
	struct sk_buff *skb;

	if (!have_listeners(priv))
		return NULL;
	skb = genlmsg_new(NLMSG_GOODSIZE, gfp);
	if (!skb)
		return NULL;
	*hdr = genlmsg_put(skb, 0, 0, &lw4o6_family, 0, cmd);
	if (!*hdr ||
	    nla_put_u32(skb, LW4O6_A_IFINDEX, priv->dev->ifindex) ||
	    nla_put_string(skb, LW4O6_A_IFNAME, priv->dev->name)) {
		nlmsg_free(skb);
		return NULL;
	}
	return skb;
}

static void notify_end(struct lw4o6_dev *priv, struct sk_buff *skb, void *hdr,
		       int err, gfp_t gfp)
{
	if (err) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&lw4o6_family, dev_net(priv->dev), skb, 0,
				LW4O6_MCGRP_EVENTS_ID, gfp);
}

static void notify_binding(struct lw4o6_dev *priv, u8 cmd,
			   const struct lw4o6_binding_params *p)
{
	struct sk_buff *skb;
	void *hdr;

	skb = notify_start(priv, cmd, &hdr, GFP_KERNEL);
	if (skb)
		notify_end(priv, skb, hdr, put_params(skb, p), GFP_KERNEL);
}

void lw4o6_notify_count(struct lw4o6_dev *priv, u8 cmd, u32 count)
{
	struct sk_buff *skb;
	void *hdr;

	skb = notify_start(priv, cmd, &hdr, GFP_KERNEL);
	if (skb)
		notify_end(priv, skb, hdr,
			   nla_put_u32(skb, LW4O6_A_BINDING_COUNT, count),
			   GFP_KERNEL);
}

/*
 * From packet context (softirq): a B4 sent what its binding does not allow
 * (EVT_BINDING_MISS), or an AFTR told our B4 it has no binding for it
 * (EVT_ICMP_NO_BINDING).  At most 10 a second per device, so a misbehaving
 * peer cannot flood the listeners; the counters count every one.
 */
void lw4o6_notify_miss(struct lw4o6_dev *priv, u8 cmd,
		       const struct in6_addr *b4, __be32 ipv4, int port)
{
	struct sk_buff *skb;
	void *hdr;

	/* Spend the rate only on events somebody will receive. */
	if (!have_listeners(priv) || !__ratelimit(&priv->miss_rs))
		return;
	skb = notify_start(priv, cmd, &hdr, GFP_ATOMIC);
	if (skb)
		notify_end(priv, skb, hdr,
			   nla_put_in6_addr(skb, LW4O6_A_MISS_B4, b4) ||
			   nla_put_be32(skb, LW4O6_A_MISS_IPV4, ipv4) ||
			   (port >= 0 &&
			    nla_put_u16(skb, LW4O6_A_MISS_PORT, port)),
			   GFP_ATOMIC);
}

/*
 * A PCP request from inside a softwire, for lw4o6d (control.c).  Not rate
 * limited here: lw4o6d limits per B4, and a full socket drops (counted).
 */
int lw4o6_notify_control(struct lw4o6_dev *priv, const struct in6_addr *b4,
			 const struct sk_buff *pkt)
{
	struct net *net = dev_net(priv->dev);
	struct sk_buff *skb;
	struct nlattr *a;
	void *hdr;

	if (!genl_has_listeners(&lw4o6_family, net, LW4O6_MCGRP_CONTROL_ID))
		return -ESRCH;
	skb = genlmsg_new(nla_total_size(sizeof(*b4)) +
			  nla_total_size(pkt->len) + 64, GFP_ATOMIC);
	if (!skb)
		return -ENOMEM;
	hdr = genlmsg_put(skb, 0, 0, &lw4o6_family, 0, LW4O6_CMD_EVT_CONTROL);
	if (!hdr || nla_put_u32(skb, LW4O6_A_IFINDEX, priv->dev->ifindex) ||
	    nla_put_in6_addr(skb, LW4O6_A_CTRL_B4, b4) ||
	    !(a = nla_reserve(skb, LW4O6_A_CTRL_PACKET, pkt->len)) ||
	    skb_copy_bits(pkt, 0, nla_data(a), pkt->len)) {
		nlmsg_free(skb);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return genlmsg_multicast_netns(&lw4o6_family, net, skb, 0,
				       LW4O6_MCGRP_CONTROL_ID, GFP_ATOMIC);
}

/* ---- devices ----------------------------------------------------------- */

static int fill_dev(struct sk_buff *skb, struct lw4o6_dev *priv, u32 portid,
		    u32 seq, int flags)
{
	struct lw4o6_table *t;
	struct lw4o6_cfg *cfg;
	void *hdr;
	int err;

	hdr = genlmsg_put(skb, portid, seq, &lw4o6_family, flags,
			  LW4O6_CMD_DEV_GET);
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

static int lw4o6_nl_dev_get(struct sk_buff *skb, struct genl_info *info)
{
	struct lw4o6_dev *priv;
	struct sk_buff *msg;
	int err;

	priv = lw4o6_dev_get(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(priv))
		return PTR_ERR(priv);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	err = -ENOMEM;
	if (msg) {
		err = fill_dev(msg, priv, info->snd_portid, info->snd_seq, 0);
		if (!err)
			err = genlmsg_reply(msg, info);
		else
			nlmsg_free(msg);
	}
	lw4o6_dev_put(priv);
	return err;
}

static int lw4o6_nl_dev_dump(struct sk_buff *skb, struct netlink_callback *cb)
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
			       cb->nlh->nlmsg_seq, NLM_F_MULTI);
		if (err) {
			idx--;
			break;
		}
	}
	rcu_read_unlock();
	cb->args[0] = idx;
	return err && idx == start ? err : skb->len;
}

static int lw4o6_nl_dev_set(struct sk_buff *skb, struct genl_info *info)
{
	struct lw4o6_cfg_attrs a;
	struct lw4o6_cfg *cfg, *old;
	struct lw4o6_dev *priv;
	int err;

	if (!lw4o6_cfg_attrs_get(&a, info->attrs, &genl_nums)) {
		NL_SET_ERR_MSG_MOD(info->extack, "nothing to change");
		return -EINVAL;
	}
	priv = lw4o6_dev_get(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(priv))
		return PTR_ERR(priv);
	cfg = kmalloc(sizeof(*cfg), GFP_KERNEL);
	if (!cfg) {
		lw4o6_dev_put(priv);
		return -ENOMEM;
	}
	mutex_lock(&priv->lock);
	old = rcu_dereference_protected(priv->cfg, lockdep_is_held(&priv->lock));
	*cfg = *old;
	err = lw4o6_cfg_update(cfg, priv->mode, &a, info->extack);
	if (!err)
		rcu_assign_pointer(priv->cfg, cfg);
	mutex_unlock(&priv->lock);
	if (err) {
		kfree(cfg);
	} else {
		/* Flows whose port the new set no longer holds must go. */
		if (priv->mode == LW4O6_MODE_B4)
			lw4o6_b4_flush(priv, old, cfg);
		kfree_rcu(old, rcu);
	}
	lw4o6_dev_put(priv);
	return err;
}

/* ---- bindings ---------------------------------------------------------- */

static u32 req_flags(struct genl_info *info)
{
	return info->attrs[LW4O6_A_FLAGS] ?
	       nla_get_u32(info->attrs[LW4O6_A_FLAGS]) : 0;
}

static int lw4o6_nl_bind_new(struct sk_buff *skb, struct genl_info *info)
{
	struct lw4o6_binding_params p;
	struct lw4o6_binding *old = NULL;
	struct lw4o6_table *t, *nt;
	struct lw4o6_dev *priv;
	bool replace;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, LW4O6_A_BINDING))
		return -EINVAL;
	err = lw4o6_parse_binding(info->attrs[LW4O6_A_BINDING], &p, true,
				  info->extack);
	if (err)
		return err;
	replace = (req_flags(info) & LW4O6_F_REPLACE) ||
		  (info->nlhdr->nlmsg_flags & NLM_F_REPLACE);

	priv = lw4o6_dev_get_aftr(genl_info_net(info), info->attrs,
				  info->extack);
	if (IS_ERR(priv))
		return PTR_ERR(priv);
	mutex_lock(&priv->lock);
	t = nt = lw4o6_dev_table(priv);
	err = lw4o6_table_insert(&nt, &p, replace, READ_ONCE(lw4o6_max_bindings),
				 info->extack, &old, NULL);
	if (!err && nt != t)
		lw4o6_dev_set_table(priv, nt);
	mutex_unlock(&priv->lock);
	if (!err)
		notify_binding(priv, old ? LW4O6_CMD_EVT_BIND_REPLACE :
					   LW4O6_CMD_EVT_BIND_ADD, &p);
	lw4o6_dev_put(priv);
	return err;
}

static int lw4o6_nl_bind_del(struct sk_buff *skb, struct genl_info *info)
{
	struct lw4o6_binding_params p;
	struct lw4o6_binding *b;
	struct lw4o6_dev *priv;
	struct lw4o6_table *t;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, LW4O6_A_BINDING))
		return -EINVAL;
	err = lw4o6_parse_binding(info->attrs[LW4O6_A_BINDING], &p, false,
				  info->extack);
	if (err)
		return err;
	priv = lw4o6_dev_get(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(priv))
		return PTR_ERR(priv);
	mutex_lock(&priv->lock);
	t = lw4o6_dev_table(priv);
	b = lw4o6_table_lookup(t, p.ipv4, p.psid);
	if (b && b->psid_len == p.psid_len)
		binding_params(t, b, &p);	/* for the event */
	err = lw4o6_table_delete(t, p.ipv4, p.psid, p.psid_len, info->extack);
	mutex_unlock(&priv->lock);
	if (!err)
		notify_binding(priv, LW4O6_CMD_EVT_BIND_DEL, &p);
	lw4o6_dev_put(priv);
	return err;
}

static int lw4o6_nl_bind_get(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[LW4O6_BA_MAX + 1];
	struct lw4o6_binding *b;
	struct lw4o6_dev *priv;
	struct lw4o6_table *t;
	struct sk_buff *msg;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, LW4O6_A_BINDING))
		return -EINVAL;
	err = nla_parse_nested(tb, LW4O6_BA_MAX, info->attrs[LW4O6_A_BINDING],
			       binding_policy, info->extack);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(info->extack, info->attrs[LW4O6_A_BINDING], tb,
			      LW4O6_BA_IPV4) ||
	    NL_REQ_ATTR_CHECK(info->extack, info->attrs[LW4O6_A_BINDING], tb,
			      LW4O6_BA_PSID)) {
		NL_SET_ERR_MSG_MOD(info->extack, "get needs ipv4 and psid");
		return -EINVAL;
	}
	priv = lw4o6_dev_get(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(priv))
		return PTR_ERR(priv);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg) {
		lw4o6_dev_put(priv);
		return -ENOMEM;
	}
	rcu_read_lock();
	t = rcu_dereference(priv->table);
	b = lw4o6_table_lookup(t, nla_get_be32(tb[LW4O6_BA_IPV4]),
			       nla_get_u16(tb[LW4O6_BA_PSID]));
	if (b && tb[LW4O6_BA_PSID_LEN] &&
	    nla_get_u8(tb[LW4O6_BA_PSID_LEN]) != b->psid_len)
		b = NULL;
	if (!b) {
		NL_SET_ERR_MSG_MOD(info->extack, "no such binding");
		err = -ENOENT;
	} else {
		err = fill_binding_msg(msg, priv, t, b,
				       req_flags(info) & LW4O6_F_STATS,
				       info->snd_portid, info->snd_seq, 0,
				       LW4O6_CMD_BIND_GET, NULL);
	}
	rcu_read_unlock();
	lw4o6_dev_put(priv);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/*
 * Dump state.  The dump pins the table it started on, so a bulk load or a
 * flush committed meanwhile never mixes two tables in one listing; single
 * writes to the pinned table bump its generation and flag NLM_F_DUMP_INTR.
 */
struct bind_dump {
	struct lw4o6_table *t;
	u32 ifindex;
	u32 bucket;
	u32 skip;		/* entries of that bucket already sent */
	u32 psid;		/* next PSID, when filtering by address */
	__be32 ipv4;
	bool filter;
	bool stats;
	bool done;
};

static int lw4o6_nl_bind_dump_start(struct netlink_callback *cb)
{
	struct bind_dump *d = (struct bind_dump *)cb->ctx;
	struct nlattr **attrs = lw4o6_dump_attrs(cb);
	struct lw4o6_dev *priv;

	BUILD_BUG_ON(sizeof(*d) > sizeof(cb->ctx));
	memset(d, 0, sizeof(*d));
	priv = lw4o6_dev_get(sock_net(cb->skb->sk), attrs, cb->extack);
	if (IS_ERR(priv))
		return PTR_ERR(priv);
	if (attrs[LW4O6_A_BINDING]) {
		struct nlattr *tb[LW4O6_BA_MAX + 1];
		int err = nla_parse_nested(tb, LW4O6_BA_MAX,
					   attrs[LW4O6_A_BINDING],
					   binding_policy, cb->extack);

		if (err) {
			lw4o6_dev_put(priv);
			return err;
		}
		if (tb[LW4O6_BA_IPV4]) {
			d->filter = true;
			d->ipv4 = nla_get_be32(tb[LW4O6_BA_IPV4]);
		}
	}
	d->stats = attrs[LW4O6_A_FLAGS] &&
		   (nla_get_u32(attrs[LW4O6_A_FLAGS]) & LW4O6_F_STATS);
	d->ifindex = priv->dev->ifindex;
	mutex_lock(&priv->lock);
	d->t = lw4o6_dev_table(priv);
	refcount_inc(&d->t->refs);
	mutex_unlock(&priv->lock);
	lw4o6_dev_put(priv);
	return 0;
}

static int lw4o6_nl_bind_dump_done(struct netlink_callback *cb)
{
	struct bind_dump *d = (struct bind_dump *)cb->ctx;

	lw4o6_table_put(d->t);
	d->t = NULL;
	return 0;
}

static int dump_one(struct sk_buff *skb, struct netlink_callback *cb,
		    struct lw4o6_dev *priv, const struct lw4o6_binding *b)
{
	struct bind_dump *d = (struct bind_dump *)cb->ctx;

	return fill_binding_msg(skb, priv, d->t, b, d->stats,
				NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				NLM_F_MULTI, LW4O6_CMD_BIND_GET, cb);
}

static int lw4o6_nl_bind_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct bind_dump *d = (struct bind_dump *)cb->ctx;
	struct lw4o6_table *t = d->t;
	struct lw4o6_binding *b;
	struct net_device *dev;
	int sent = 0, err = 0;
	u32 i;

	if (d->done)
		return 0;
	/* Only for ifindex/name in the messages; the table is pinned. */
	dev = dev_get_by_index(sock_net(skb->sk), d->ifindex);
	if (!dev || dev->rtnl_link_ops != &lw4o6_link_ops) {
		dev_put(dev);
		return -ENODEV;
	}
	rcu_read_lock();
	cb->seq = READ_ONCE(t->gen) + 1;
	if (d->filter) {
		struct lw4o6_binding *rep = lw4o6_table_first_of(t, d->ipv4);
		u32 n = rep ? 1U << rep->psid_len : 0;

		for (; d->psid < n; d->psid++) {
			b = lw4o6_table_lookup(t, d->ipv4, d->psid);
			if (!b)
				continue;
			err = dump_one(skb, cb, netdev_priv(dev), b);
			if (err)
				break;
			sent++;
		}
	} else {
		for (; d->bucket < t->nbuckets; d->bucket++, d->skip = 0) {
			i = 0;
			for (b = lw4o6_bucket_first(t, d->bucket); b;
			     b = lw4o6_next(b), i++) {
				if (i < d->skip)
					continue;
				err = dump_one(skb, cb, netdev_priv(dev), b);
				if (err)
					goto out;
				d->skip = i + 1;
				sent++;
			}
		}
	}
out:
	rcu_read_unlock();
	dev_put(dev);
	if (err && !sent)
		return err;	/* one entry larger than a whole message */
	if (!err)
		d->done = true;
	return skb->len;
}

static int lw4o6_nl_bind_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct lw4o6_dev *priv;
	struct lw4o6_table *t;
	u32 n;

	priv = lw4o6_dev_get(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(priv))
		return PTR_ERR(priv);
	t = lw4o6_table_alloc(0);
	if (!t) {
		lw4o6_dev_put(priv);
		return -ENOMEM;
	}
	mutex_lock(&priv->lock);
	n = lw4o6_dev_table(priv)->count;
	lw4o6_dev_set_table(priv, t);
	mutex_unlock(&priv->lock);
	lw4o6_notify_count(priv, LW4O6_CMD_EVT_TABLE_FLUSH, n);
	lw4o6_dev_put(priv);
	return 0;
}

/* ---- statistics -------------------------------------------------------- */

static int lw4o6_nl_stats_get(struct sk_buff *skb, struct genl_info *info)
{
	u64 c[__LW4O6_STAT_MAX];
	struct lw4o6_dev *priv;
	struct sk_buff *msg;
	struct nlattr *nest;
	void *hdr;
	u32 count;
	int i;

	priv = lw4o6_dev_get(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(priv))
		return PTR_ERR(priv);
	lw4o6_stats_read(priv, c);
	rcu_read_lock();
	count = READ_ONCE(rcu_dereference(priv->table)->count);
	rcu_read_unlock();

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		goto nomem;
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
	lw4o6_dev_put(priv);
	return genlmsg_reply(msg, info);

nospace:
	nlmsg_free(msg);
	lw4o6_dev_put(priv);
	return -EMSGSIZE;
nomem:
	lw4o6_dev_put(priv);
	return -ENOMEM;
}

/* ---- family ------------------------------------------------------------ */

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

static struct genl_family lw4o6_family __ro_after_init = {
	.name		= LW4O6_GENL_NAME,
	.version	= LW4O6_GENL_VERSION,
	.maxattr	= LW4O6_A_MAX,
	.policy		= lw4o6_policy,
	.netnsok	= true,
	.parallel_ops	= true,
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
