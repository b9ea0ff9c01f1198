// SPDX-License-Identifier: GPL-2.0
/*
 * Bulk load: replace a device's whole table atomically.
 *
 * LOAD_BEGIN opens a transaction owned by the requesting socket, LOAD_ADD
 * messages fill a private table (no RCU, no readers, rehashed in place),
 * LOAD_COMMIT swaps it in with one pointer store.  Any error aborts the
 * transaction: the live table never sees any of it.  A transaction also
 * dies with its socket and with its device.
 */
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/netlink.h>
#include <linux/notifier.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <uapi/linux/lw4o6.h>

#include "compat.h"
#include "device.h"
#include "events.h"
#include "load.h"
#include "main.h"
#include "netlink.h"
#include "netlink_bind.h"
#include "table.h"

struct lw4o6_load {
	struct list_head list;
	const struct net *net;		/* owner's netns: compared, not held */
	u32 portid;			/* owner socket */
	struct lw4o6_dev *priv;		/* not held: aborted at ndo_uninit */
	struct lw4o6_table *t;
};

/*
 * One lock for all transactions: they are rare and short-lived.  Order:
 * RTNL -> loads_lock -> priv->lock; nothing here takes RTNL.
 */
static DEFINE_MUTEX(loads_lock);
static LIST_HEAD(loads);

static void load_free(struct lw4o6_load *l)
{
	list_del(&l->list);
	lw4o6_table_free_now(l->t);
	kfree(l);
}

static struct lw4o6_load *load_find_dev(struct lw4o6_dev *priv)
{
	struct lw4o6_load *l;

	list_for_each_entry(l, &loads, list)
		if (l->priv == priv)
			return l;
	return NULL;
}

/* The caller's own open transaction on priv, or an error. */
static struct lw4o6_load *load_find(struct lw4o6_dev *priv,
				    struct genl_info *info)
{
	struct lw4o6_load *l = load_find_dev(priv);

	if (!l || l->portid != info->snd_portid ||
	    l->net != genl_info_net(info)) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "no bulk load open on this socket for the device");
		return ERR_PTR(-ENOENT);
	}
	return l;
}

int lw4o6_nl_load_begin(struct sk_buff *skb, struct genl_info *info)
{
	u32 hint = 0, max = READ_ONCE(lw4o6_max_bindings);
	struct lw4o6_dev *priv = lw4o6_nl_dev(info);
	struct lw4o6_load *l;
	int err = 0;

	if (info->attrs[LW4O6_A_BINDING_COUNT])
		hint = min(nla_get_u32(info->attrs[LW4O6_A_BINDING_COUNT]), max);
	l = kzalloc(sizeof(*l), GFP_KERNEL);
	if (l)
		l->t = lw4o6_table_alloc(hint);
	if (!l || !l->t) {
		kfree(l);
		return -ENOMEM;
	}
	l->net = genl_info_net(info);
	l->portid = info->snd_portid;
	l->priv = priv;

	mutex_lock(&loads_lock);
	if (priv->dev->reg_state != NETREG_REGISTERED) {
		err = -ENODEV;
	} else if (load_find_dev(priv)) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "a bulk load is already open on this device");
		err = -EBUSY;
	} else {
		list_add(&l->list, &loads);
	}
	mutex_unlock(&loads_lock);
	if (err) {
		lw4o6_table_free_now(l->t);
		kfree(l);
	}
	return err;
}

int lw4o6_nl_load_add(struct sk_buff *skb, struct genl_info *info)
{
	u32 max = READ_ONCE(lw4o6_max_bindings);
	struct lw4o6_dev *priv = lw4o6_nl_dev(info);
	struct lw4o6_binding_params p;
	struct lw4o6_load *l;
	struct nlattr *nla;
	int rem, err = 0;

	if (GENL_REQ_ATTR_CHECK(info, LW4O6_A_BINDINGS))
		return -EINVAL;
	mutex_lock(&loads_lock);
	l = load_find(priv, info);
	if (IS_ERR(l)) {
		err = PTR_ERR(l);
		goto out;
	}
	nla_for_each_nested(nla, info->attrs[LW4O6_A_BINDINGS], rem) {
		err = lw4o6_parse_binding(nla, &p, true, info->extack);
		if (!err)
			err = lw4o6_table_insert(&l->t, &p, false, max,
						 info->extack, NULL, NULL);
		if (err) {
			/* Point at the binding, unless a nested attr is named. */
			if (!info->extack->bad_attr)
				NL_SET_BAD_ATTR(info->extack, nla);
			load_free(l);
			goto out;
		}
		cond_resched();
	}
out:
	mutex_unlock(&loads_lock);
	return err;
}

int lw4o6_nl_load_commit(struct sk_buff *skb, struct genl_info *info)
{
	struct lw4o6_dev *priv = lw4o6_nl_dev(info);
	struct lw4o6_table *t = NULL;
	struct lw4o6_load *l;
	int err = 0;
	u32 n = 0;

	mutex_lock(&loads_lock);
	l = load_find(priv, info);
	if (IS_ERR(l)) {
		err = PTR_ERR(l);
	} else {
		t = l->t;
		l->t = NULL;
		load_free(l);
		mutex_lock(&priv->lock);
		n = t->count;
		lw4o6_dev_set_table(priv, t);
		mutex_unlock(&priv->lock);
	}
	mutex_unlock(&loads_lock);
	if (!err)
		lw4o6_notify_count(priv, LW4O6_CMD_EVT_TABLE_LOAD, n,
				   info->snd_portid);
	return err;
}

int lw4o6_nl_load_abort(struct sk_buff *skb, struct genl_info *info)
{
	struct lw4o6_load *l;
	int err = 0;

	mutex_lock(&loads_lock);
	l = load_find(lw4o6_nl_dev(info), info);
	if (IS_ERR(l))
		err = PTR_ERR(l);
	else
		load_free(l);
	mutex_unlock(&loads_lock);
	return err;
}

void lw4o6_load_abort_dev(struct lw4o6_dev *priv)
{
	struct lw4o6_load *l;

	mutex_lock(&loads_lock);
	l = load_find_dev(priv);
	if (l)
		load_free(l);
	mutex_unlock(&loads_lock);
}

/* A socket that goes away takes its open transactions with it. */
static int lw4o6_netlink_event(struct notifier_block *nb, unsigned long event,
			       void *ptr)
{
	struct netlink_notify *n = ptr;
	struct lw4o6_load *l, *tmp;

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC)
		return NOTIFY_DONE;
	mutex_lock(&loads_lock);
	list_for_each_entry_safe(l, tmp, &loads, list)
		if (l->portid == n->portid && l->net == n->net)
			load_free(l);
	mutex_unlock(&loads_lock);
	return NOTIFY_DONE;
}

static struct notifier_block lw4o6_netlink_nb = {
	.notifier_call = lw4o6_netlink_event,
};

int lw4o6_load_init(void)
{
	return netlink_register_notifier(&lw4o6_netlink_nb);
}

void lw4o6_load_uninit(void)
{
	struct lw4o6_load *l, *tmp;

	netlink_unregister_notifier(&lw4o6_netlink_nb);
	mutex_lock(&loads_lock);
	list_for_each_entry_safe(l, tmp, &loads, list)
		load_free(l);
	mutex_unlock(&loads_lock);
}
