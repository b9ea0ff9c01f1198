// SPDX-License-Identifier: GPL-2.0
/*
 * The binding table over generic netlink: BIND_NEW, BIND_DEL, BIND_GET (and
 * its dump) and BIND_FLUSH, and the binding nest (LW4O6_A_BINDING) that
 * these, bulk load (load.c) and the events (events.c) share.
 */
#include <linux/netdevice.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>
#include <net/ipv6.h>
#include <uapi/linux/lw4o6.h>

#include "compat.h"
#include "device.h"
#include "events.h"
#include "main.h"
#include "netlink.h"
#include "netlink_bind.h"
#include "table.h"

const struct nla_policy lw4o6_binding_policy[LW4O6_BA_MAX + 1] = {
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

/* ---- the binding nest ---------------------------------------------------- */

int lw4o6_parse_binding(const struct nlattr *nest,
			struct lw4o6_binding_params *p, bool need_b4,
			struct netlink_ext_ack *extack)
{
	struct nlattr *tb[LW4O6_BA_MAX + 1];
	int err;

	err = nla_parse_nested(tb, LW4O6_BA_MAX, nest, lw4o6_binding_policy,
			       extack);
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

int lw4o6_put_binding(struct sk_buff *skb,
		      const struct lw4o6_binding_params *p)
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

/* ---- commands ------------------------------------------------------------ */

static u32 req_flags(struct genl_info *info)
{
	return info->attrs[LW4O6_A_FLAGS] ?
	       nla_get_u32(info->attrs[LW4O6_A_FLAGS]) : 0;
}

int lw4o6_nl_bind_new(struct sk_buff *skb, struct genl_info *info)
{
	struct lw4o6_dev *priv = lw4o6_nl_dev(info);
	struct lw4o6_binding_params p;
	struct lw4o6_binding *old = NULL;
	struct lw4o6_table *t, *nt;
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

	mutex_lock(&priv->lock);
	t = nt = lw4o6_dev_table(priv);
	err = lw4o6_table_insert(&nt, &p, replace, READ_ONCE(lw4o6_max_bindings),
				 info->extack, &old, NULL);
	if (!err && nt != t)
		lw4o6_dev_set_table(priv, nt);
	mutex_unlock(&priv->lock);
	/* After the table is published: hold.c's add looks again under its lock. */
	if (!err)
		lw4o6_hold_release(priv);
	if (!err)
		lw4o6_notify_binding(priv, old ? LW4O6_CMD_EVT_BIND_REPLACE :
						 LW4O6_CMD_EVT_BIND_ADD, &p,
				     info->snd_portid);
	return err;
}

int lw4o6_nl_bind_del(struct sk_buff *skb, struct genl_info *info)
{
	struct lw4o6_dev *priv = lw4o6_nl_dev(info);
	struct lw4o6_binding_params p;
	struct lw4o6_binding *b;
	struct lw4o6_table *t;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, LW4O6_A_BINDING))
		return -EINVAL;
	err = lw4o6_parse_binding(info->attrs[LW4O6_A_BINDING], &p, false,
				  info->extack);
	if (err)
		return err;
	mutex_lock(&priv->lock);
	t = lw4o6_dev_table(priv);
	b = lw4o6_table_lookup(t, p.ipv4, p.psid);
	if (b && b->psid_len == p.psid_len)
		binding_params(t, b, &p);	/* for the event */
	err = lw4o6_table_delete(t, p.ipv4, p.psid, p.psid_len, info->extack);
	mutex_unlock(&priv->lock);
	if (!err)
		lw4o6_notify_binding(priv, LW4O6_CMD_EVT_BIND_DEL, &p,
				     info->snd_portid);
	return err;
}

int lw4o6_nl_bind_get(struct sk_buff *skb, struct genl_info *info)
{
	struct lw4o6_dev *priv = lw4o6_nl_dev(info);
	struct nlattr *tb[LW4O6_BA_MAX + 1];
	struct lw4o6_binding *b;
	struct lw4o6_table *t;
	struct sk_buff *msg;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, LW4O6_A_BINDING))
		return -EINVAL;
	err = nla_parse_nested(tb, LW4O6_BA_MAX, info->attrs[LW4O6_A_BINDING],
			       lw4o6_binding_policy, info->extack);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(info->extack, info->attrs[LW4O6_A_BINDING], tb,
			      LW4O6_BA_IPV4) ||
	    NL_REQ_ATTR_CHECK(info->extack, info->attrs[LW4O6_A_BINDING], tb,
			      LW4O6_BA_PSID)) {
		NL_SET_ERR_MSG_MOD(info->extack, "get needs ipv4 and psid");
		return -EINVAL;
	}
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
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
 * It holds no device (userspace decides when a dump ends, and must not
 * hold `ip link del` up), so each round finds the device again by index
 * and checks, by the table's owner id, that it is still the same one.
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

int lw4o6_nl_bind_dump_start(struct netlink_callback *cb)
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
					   lw4o6_binding_policy, cb->extack);

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

int lw4o6_nl_bind_dump_done(struct netlink_callback *cb)
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

int lw4o6_nl_bind_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct bind_dump *d = (struct bind_dump *)cb->ctx;
	struct lw4o6_table *t = d->t;
	struct lw4o6_binding *b;
	struct net_device *dev;
	int sent = 0, err = 0;
	u32 i;

	if (d->done)
		return 0;
	/*
	 * Only for the ifindex in the messages; the table is pinned.  An index
	 * freed and reused by another lw4o6 device meanwhile would otherwise
	 * label this table's bindings with that device.
	 */
	dev = dev_get_by_index(sock_net(skb->sk), d->ifindex);
	if (!dev || dev->rtnl_link_ops != &lw4o6_link_ops) {
		dev_put(dev);
		return -ENODEV;
	}
	rcu_read_lock();
	{
		struct lw4o6_table *cur =
			rcu_dereference(((struct lw4o6_dev *)netdev_priv(dev))->table);

		if (!cur || cur->owner != t->owner) {
			rcu_read_unlock();
			dev_put(dev);
			return -ENODEV;
		}
	}
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

/*
 * lw4o6d found no binding for the B4 whose held packets these are: drop
 * them now with their 1/5 (hold.c).  None held is no error: the hold may
 * have ended meanwhile.
 */
int lw4o6_nl_miss_reject(struct sk_buff *skb, struct genl_info *info)
{
	struct in6_addr b4;
	__be32 ipv4 = 0;

	if (GENL_REQ_ATTR_CHECK(info, LW4O6_A_MISS_B4)) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "reject needs b4 (the B4 whose held packets to drop)");
		return -EINVAL;
	}
	nla_memcpy(&b4, info->attrs[LW4O6_A_MISS_B4], sizeof(b4));
	if (info->attrs[LW4O6_A_MISS_IPV4])
		ipv4 = nla_get_be32(info->attrs[LW4O6_A_MISS_IPV4]);
	lw4o6_hold_reject(lw4o6_nl_dev(info), &b4, ipv4);
	return 0;
}

int lw4o6_nl_bind_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct lw4o6_dev *priv = lw4o6_nl_dev(info);
	struct lw4o6_table *t;
	u32 n;

	t = lw4o6_table_alloc(dev_net(priv->dev), 0, info->extack);
	if (IS_ERR(t))
		return PTR_ERR(t);
	mutex_lock(&priv->lock);
	n = lw4o6_dev_table(priv)->count;
	t->owner = lw4o6_dev_table(priv)->owner;	/* same device */
	lw4o6_dev_set_table(priv, t);
	mutex_unlock(&priv->lock);
	/* Bindings are going, not coming: held packets get their 1/5. */
	lw4o6_hold_purge(priv, true);
	lw4o6_notify_count(priv, LW4O6_CMD_EVT_TABLE_FLUSH, n, info->snd_portid);
	return 0;
}
