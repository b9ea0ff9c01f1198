// SPDX-License-Identifier: GPL-2.0
/*
 * Bulk load: replace a device's whole table atomically.
 *
 * LOAD_BEGIN opens a transaction owned by the requesting socket, LOAD_ADD
 * messages fill a private table (no RCU, no readers, rehashed in place),
 * LOAD_COMMIT swaps it in with one pointer store.  Any error aborts the
 * transaction: the live table never sees any of it.  A transaction also
 * dies with its socket and with its device.  Its table is charged to the
 * device's namespace like a live one (table.c).
 */
#include <linux/hashtable.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
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
	struct hlist_node node;		/* in loads, under loads_lock */
	const struct net *net;		/* owner's netns: compared, not held */
	u32 portid;			/* owner socket */
	struct lw4o6_dev *priv;		/* not held: detached at ndo_uninit */
	bool dead;			/* out of loads; under loads_lock */
	refcount_t refs;		/* loads' (until dead), + one per request */
	struct mutex lock;		/* serialises the requests on this load */
	struct lw4o6_table *t;		/* under lock; NULL once freed */
	struct work_struct free_work;
};

/*
 * The open transactions, one per device at most, found by device.
 * loads_lock guards only this index and each load's dead flag, and is held
 * for a lookup or an unlink, never across work: a LOAD_ADD fills its table
 * under the load's own mutex, and a load that dies with its device or its
 * socket is freed from the workqueue.  So neither ndo_uninit (under RTNL)
 * nor another device's load ever waits for a big table.
 * Order: l->lock -> loads_lock; priv->lock is taken with neither held.
 */
static DEFINE_SPINLOCK(loads_lock);
static DEFINE_HASHTABLE(loads, 8);

static void load_put(struct lw4o6_load *l)
{
	if (refcount_dec_and_test(&l->refs))
		kfree(l);
}

static struct lw4o6_load *load_find_dev(struct lw4o6_dev *priv)
{
	struct lw4o6_load *l;

	hash_for_each_possible(loads, l, node, (unsigned long)priv)
		if (l->priv == priv)
			return l;
	return NULL;
}

/*
 * Under loads_lock: take l out of the index.  Whoever succeeds owns its
 * table and the index's reference.
 */
static bool load_detach_locked(struct lw4o6_load *l)
{
	if (l->dead)
		return false;
	WRITE_ONCE(l->dead, true);
	hash_del(&l->node);
	return true;
}

static bool load_detach(struct lw4o6_load *l)
{
	bool own;

	spin_lock_bh(&loads_lock);
	own = load_detach_locked(l);
	spin_unlock_bh(&loads_lock);
	return own;
}

/* Under l->lock, after load_detach() succeeded: free the table. */
static void load_destroy_locked(struct lw4o6_load *l)
{
	lw4o6_table_free_now(l->t);
	l->t = NULL;
}

/* From the workqueue: after any request still running on l, free it. */
static void load_free_fn(struct work_struct *work)
{
	struct lw4o6_load *l = container_of(work, struct lw4o6_load, free_work);

	mutex_lock(&l->lock);
	load_destroy_locked(l);
	mutex_unlock(&l->lock);
	load_put(l);
}

/* Detach and free l later, whoever holds it now (teardown paths). */
static void load_kill_locked(struct lw4o6_load *l)
{
	if (load_detach_locked(l))
		queue_work(lw4o6_wq, &l->free_work);
}

/* The caller's own open transaction on priv, referenced, or an error. */
static struct lw4o6_load *load_get(struct lw4o6_dev *priv,
				   struct genl_info *info)
{
	struct lw4o6_load *l;

	spin_lock_bh(&loads_lock);
	l = load_find_dev(priv);
	if (l && l->portid == info->snd_portid &&
	    l->net == genl_info_net(info))
		refcount_inc(&l->refs);
	else
		l = NULL;
	spin_unlock_bh(&loads_lock);
	if (!l) {
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
	struct lw4o6_table *t;
	struct lw4o6_load *l;
	int err = 0;

	if (info->attrs[LW4O6_A_BINDING_COUNT])
		hint = min(nla_get_u32(info->attrs[LW4O6_A_BINDING_COUNT]), max);
	l = kzalloc(sizeof(*l), GFP_KERNEL_ACCOUNT);
	if (!l)
		return -ENOMEM;
	t = lw4o6_table_alloc(dev_net(priv->dev), hint, info->extack);
	if (IS_ERR(t)) {
		kfree(l);
		return PTR_ERR(t);
	}
	l->t = t;
	l->net = genl_info_net(info);
	l->portid = info->snd_portid;
	l->priv = priv;
	refcount_set(&l->refs, 1);
	mutex_init(&l->lock);
	INIT_WORK(&l->free_work, load_free_fn);

	/* ndo_uninit marks the device before it looks for our load. */
	spin_lock_bh(&loads_lock);
	if (priv->dev->reg_state != NETREG_REGISTERED) {
		err = -ENODEV;
	} else if (load_find_dev(priv)) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "a bulk load is already open on this device");
		err = -EBUSY;
	} else {
		hash_add(loads, &l->node, (unsigned long)priv);
	}
	spin_unlock_bh(&loads_lock);
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
	l = load_get(priv, info);
	if (IS_ERR(l))
		return PTR_ERR(l);
	mutex_lock(&l->lock);
	nla_for_each_nested(nla, info->attrs[LW4O6_A_BINDINGS], rem) {
		/* Torn down meanwhile (device or socket gone): stop early. */
		if (READ_ONCE(l->dead) || !l->t) {
			NL_SET_ERR_MSG_MOD(info->extack, "the bulk load was aborted");
			err = -ENOENT;
			break;
		}
		err = lw4o6_parse_binding(nla, &p, true, info->extack);
		if (!err)
			err = lw4o6_table_insert(&l->t, &p, false, max,
						 info->extack, NULL, NULL);
		if (err) {
			/* Point at the binding, unless a nested attr is named. */
			if (!info->extack->bad_attr)
				NL_SET_BAD_ATTR(info->extack, nla);
			/* Any error aborts the transaction. */
			if (load_detach(l)) {
				load_destroy_locked(l);
				load_put(l);	/* the index's */
			}
			break;
		}
		cond_resched();
	}
	mutex_unlock(&l->lock);
	load_put(l);
	return err;
}

int lw4o6_nl_load_commit(struct sk_buff *skb, struct genl_info *info)
{
	struct lw4o6_dev *priv = lw4o6_nl_dev(info);
	struct lw4o6_table *t = NULL;
	struct lw4o6_load *l;
	u32 n;

	l = load_get(priv, info);
	if (IS_ERR(l))
		return PTR_ERR(l);
	/* After any LOAD_ADD still running on it: never half a batch. */
	mutex_lock(&l->lock);
	if (load_detach(l)) {
		t = l->t;
		l->t = NULL;
		load_put(l);	/* the index's; ours keeps l */
	}
	mutex_unlock(&l->lock);
	load_put(l);
	if (!t) {
		NL_SET_ERR_MSG_MOD(info->extack, "the bulk load was aborted");
		return -ENOENT;
	}
	mutex_lock(&priv->lock);
	/* The same device: dumps that span this swap go on naming it. */
	t->owner = lw4o6_dev_table(priv)->owner;
	n = t->count;
	lw4o6_dev_set_table(priv, t);
	mutex_unlock(&priv->lock);
	lw4o6_hold_release(priv);
	lw4o6_notify_count(priv, LW4O6_CMD_EVT_TABLE_LOAD, n, info->snd_portid);
	return 0;
}

int lw4o6_nl_load_abort(struct sk_buff *skb, struct genl_info *info)
{
	struct lw4o6_load *l;
	int err = 0;

	l = load_get(lw4o6_nl_dev(info), info);
	if (IS_ERR(l))
		return PTR_ERR(l);
	/* Detach first, so a LOAD_ADD running on another thread stops soon. */
	if (load_detach(l)) {
		mutex_lock(&l->lock);
		load_destroy_locked(l);
		mutex_unlock(&l->lock);
		load_put(l);	/* the index's */
	} else {
		NL_SET_ERR_MSG_MOD(info->extack, "the bulk load was aborted");
		err = -ENOENT;
	}
	load_put(l);
	return err;
}

/*
 * ndo_uninit, under RTNL: only unlink the device's load; its table (up to
 * max_bindings entries) is freed from the workqueue.
 */
void lw4o6_load_abort_dev(struct lw4o6_dev *priv)
{
	struct lw4o6_load *l;

	spin_lock_bh(&loads_lock);
	l = load_find_dev(priv);
	if (l)
		load_kill_locked(l);
	spin_unlock_bh(&loads_lock);
}

/* A socket that goes away takes its open transactions with it. */
static int lw4o6_netlink_event(struct notifier_block *nb, unsigned long event,
			       void *ptr)
{
	struct netlink_notify *n = ptr;
	struct lw4o6_load *l;
	struct hlist_node *tmp;
	int bkt;

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC)
		return NOTIFY_DONE;
	spin_lock_bh(&loads_lock);
	hash_for_each_safe(loads, bkt, tmp, l, node)
		if (l->portid == n->portid && l->net == n->net)
			load_kill_locked(l);
	spin_unlock_bh(&loads_lock);
	return NOTIFY_DONE;
}

static struct notifier_block lw4o6_netlink_nb = {
	.notifier_call = lw4o6_netlink_event,
};

int lw4o6_load_init(void)
{
	return netlink_register_notifier(&lw4o6_netlink_nb);
}

/* After the devices are gone: free what is left, then wait for the frees. */
void lw4o6_load_uninit(void)
{
	struct lw4o6_load *l;
	struct hlist_node *tmp;
	int bkt;

	netlink_unregister_notifier(&lw4o6_netlink_nb);
	spin_lock_bh(&loads_lock);
	hash_for_each_safe(loads, bkt, tmp, l, node)
		load_kill_locked(l);
	spin_unlock_bh(&loads_lock);
	flush_workqueue(lw4o6_wq);
}
