// SPDX-License-Identifier: GPL-2.0
/*
 * miss-hold: failover on demand (docs/architecture.md).
 *
 * A backup lwAFTR that shares an anycast address receives packets of B4s it
 * has no binding for.  With miss-hold > 0 such a packet is not dropped with
 * ICMPv6 1/5 at once: it waits here, whole (at its IPv6 header, as it came
 * in), while lw4o6d learns of the miss (EVT_BINDING_MISS with MISS_HELD)
 * and asks the shared store.  Then one of:
 *
 *  - a binding is added or a table loaded that the packet passes: it goes
 *    through receive.c's decapsulation as if it had just arrived
 *    (held-released-packets, then counted as any packet);
 *  - MISS_REJECT for its B4 (drop-held-rejected), or miss-hold is over
 *    (drop-held-expired): dropped with the 1/5 it would have had;
 *  - the queue is full when it comes: dropped with its 1/5 at once, as
 *    without miss-hold (drop-held-overflow; also when no memory).
 *
 * A flushed table or miss-hold set to 0 drops what is held with its 1/5;
 * a device going down or away drops it without (the device no longer
 * answers for anything); both count as drop-held-expired.  Every drop also
 * counts in dropped-ipv6 and drop-no-source-softwire-ipv6, as the packet
 * would have without miss-hold.  The mode of a device never changes.
 *
 * Bounds: at most miss-queue packets per device, each for at most
 * miss-hold ms (<= 10 s), so a spoofer can fill the queue (the rest
 * overflow as before) and delay nothing by more than miss-hold.  Events:
 * one per held packet whose (B4, IPv4, PSID) has none held already, not
 * held to the 10/s limit of other misses (the queue bounds them).  The
 * PSID is the one the port carries under the shape the address has in the
 * table; an address not in the table at all counts as one set.
 *
 * While held, a packet's device is ours rather than the one it came in by
 * (it holds no reference on that one: a device being deleted never waits
 * for us), and its route and conntrack entry are let go.  Our device's
 * ndo_uninit drops whatever is left, so nothing outlives it (module unload,
 * namespace exit).
 */
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/netdevice.h>
#include <linux/slab.h>
#include <net/ipv6.h>
#include <lw4o6/psid.h>

#include "device.h"
#include "events.h"
#include "hold.h"
#include "icmp.h"
#include "receive.h"
#include "table.h"

#define NO_PSID	U32_MAX		/* key of an address the table lacks */

struct lw4o6_held {
	struct list_head node;
	struct sk_buff *skb;		/* at the IPv6 header */
	unsigned long expires;		/* jiffies */
	u32 outer_len;			/* as it arrived */
	u32 psid;			/* event key, or NO_PSID */
	u16 off;			/* the IPv4 header's offset */
	u16 port;
	__be32 ipv4;			/* inner source */
	struct in6_addr b4;		/* outer source */
};

static struct lw4o6_hold *hold_of(struct lw4o6_dev *priv)
{
	return &priv->hold;
}

/* Under RCU: would the packet pass the source check now? */
static bool passes(struct lw4o6_dev *priv, const struct lw4o6_held *h)
{
	struct lw4o6_table *t = rcu_dereference(priv->table);
	struct lw4o6_binding *b = lw4o6_table_lookup_port(t, h->ipv4, h->port);

	return b && ipv6_addr_equal(&b->b4, &h->b4);
}

/* Any context: the packet's drop, with the 1/5 it would have had. */
static void drop_held(struct lw4o6_dev *priv, struct lw4o6_held *h,
		      enum lw4o6_stat why, bool icmp)
{
	if (icmp) {
		local_bh_disable();
		rcu_read_lock();
		lw4o6_icmp6_policy_fail(priv, h->skb);
		rcu_read_unlock();
		local_bh_enable();
	}
	lw4o6_stat_add(priv, LW4O6_STAT_DROPPED_IPV6_PACKETS, 1);
	lw4o6_stat_add(priv, LW4O6_STAT_DROPPED_IPV6_BYTES, h->outer_len);
	lw4o6_stat_add(priv, LW4O6_STAT_DROP_NO_SOURCE_SOFTWIRE_IPV6, 1);
	lw4o6_stat_add(priv, why, 1);
	kfree_skb(h->skb);
	kfree(h);
}

static void drop_list(struct lw4o6_dev *priv, struct list_head *list,
		      enum lw4o6_stat why, bool icmp)
{
	struct lw4o6_held *h, *tmp;

	list_for_each_entry_safe(h, tmp, list, node) {
		list_del(&h->node);
		drop_held(priv, h, why, icmp);
	}
}

/* Under q->lock: move the entries that match to out. */
static void take_locked(struct lw4o6_hold *q, struct list_head *out,
			bool (*match)(struct lw4o6_dev *,
				      const struct lw4o6_held *, const void *),
			struct lw4o6_dev *priv, const void *arg)
{
	struct lw4o6_held *h, *tmp;

	list_for_each_entry_safe(h, tmp, &q->list, node) {
		if (!match(priv, h, arg))
			continue;
		list_move_tail(&h->node, out);
		q->len--;
	}
}

static bool match_expired(struct lw4o6_dev *priv, const struct lw4o6_held *h,
			  const void *now)
{
	return time_after_eq(*(const unsigned long *)now, h->expires);
}

static void hold_timer(struct timer_list *tm)
{
	struct lw4o6_dev *priv = container_of(tm, struct lw4o6_dev, hold.timer);
	struct lw4o6_hold *q = hold_of(priv);
	unsigned long now = jiffies;
	struct lw4o6_held *h;
	LIST_HEAD(expired);

	spin_lock_bh(&q->lock);
	take_locked(q, &expired, match_expired, priv, &now);
	/* Hold times may differ (miss-hold changed): the earliest is next. */
	list_for_each_entry(h, &q->list, node)
		timer_reduce(&q->timer, h->expires);
	spin_unlock_bh(&q->lock);
	drop_list(priv, &expired, LW4O6_STAT_DROP_HELD_EXPIRED, true);
}

void lw4o6_hold_init(struct lw4o6_dev *priv)
{
	struct lw4o6_hold *q = hold_of(priv);

	spin_lock_init(&q->lock);
	INIT_LIST_HEAD(&q->list);
	timer_setup(&q->timer, hold_timer, 0);
}

/* The event key's PSID: under the shape the address has here, if any. */
static u32 key_psid(struct lw4o6_dev *priv, __be32 ipv4, u16 port)
{
	struct lw4o6_table *t = rcu_dereference(priv->table);
	struct lw4o6_binding *rep = lw4o6_table_first_of(t, ipv4);

	if (!rep || !lw4o6_port_usable(port, rep->offset))
		return NO_PSID;
	return lw4o6_port_psid(port, rep->offset, rep->psid_len);
}

bool lw4o6_hold_add(struct lw4o6_dev *priv, struct sk_buff *skb,
		    unsigned int off, u32 outer_len, __be32 ipv4, u16 port)
{
	const struct lw4o6_cfg *cfg = rcu_dereference(priv->cfg);
	struct lw4o6_hold *q = hold_of(priv);
	struct lw4o6_held *h, *o;
	struct in6_addr b4;
	bool first = true;

	if (!cfg->miss_hold || !netif_running(priv->dev))
		return false;
	h = kmalloc(sizeof(*h), GFP_ATOMIC);
	if (!h) {
		lw4o6_stat_add(priv, LW4O6_STAT_DROP_HELD_OVERFLOW, 1);
		return false;
	}
	h->skb = skb;
	h->expires = jiffies + msecs_to_jiffies(cfg->miss_hold);
	h->outer_len = outer_len;
	h->off = off;
	h->port = port;
	h->ipv4 = ipv4;
	h->b4 = b4 = ipv6_hdr(skb)->saddr;
	h->psid = key_psid(priv, ipv4, port);

	spin_lock_bh(&q->lock);
	/*
	 * A binding published after the caller's lookup but before a release
	 * took this lock would leave the packet waiting for nothing: look
	 * again under the lock (the release's table change precedes its lock).
	 */
	if (passes(priv, h)) {
		spin_unlock_bh(&q->lock);
		kfree(h);
		lw4o6_decap_again(priv, skb, off, outer_len);
		return true;
	}
	if (q->dead || q->len >= cfg->miss_queue) {
		spin_unlock_bh(&q->lock);
		kfree(h);
		lw4o6_stat_add(priv, LW4O6_STAT_DROP_HELD_OVERFLOW, 1);
		return false;
	}
	list_for_each_entry(o, &q->list, node) {
		if (o->ipv4 == h->ipv4 && o->psid == h->psid &&
		    ipv6_addr_equal(&o->b4, &h->b4)) {
			first = false;
			break;
		}
	}
	/* Nothing ties it to the way it came in any more (see the top). */
	skb_dst_drop(skb);
	nf_reset_ct(skb);
	skb->dev = priv->dev;
	/* Counted before anyone can release it. */
	lw4o6_stat_add(priv, LW4O6_STAT_HELD_SOFTWIRE_PACKETS, 1);
	list_add_tail(&h->node, &q->list);
	q->len++;
	timer_reduce(&q->timer, h->expires);
	spin_unlock_bh(&q->lock);

	/* h is the queue's now: a release may free it at once. */
	if (first)
		lw4o6_notify_miss_held(priv, &b4, ipv4, port);
	return true;
}

static bool match_passes(struct lw4o6_dev *priv, const struct lw4o6_held *h,
			 const void *unused)
{
	return passes(priv, h);
}

/*
 * Released packets go to netif_rx()'s backlog, which holds
 * netdev_max_backlog (1000 by default) per CPU: BH is let on every so
 * many, so that NET_RX drains it before a whole queue's worth arrives.
 * On a slow CPU NET_RX runs out of its time budget first and leaves the
 * rest to ksoftirqd (seen under emulation: 979 of a 2,000-packet release
 * dropped), so between batches the release also waits, briefly and
 * boundedly, while the backlog is over RELEASE_BACKLOG: a packet in
 * each direction of a forwarded flow can take two entries.
 */
#define RELEASE_BATCH	64
#define RELEASE_BACKLOG	256
/*
 * The waits of one release, in all: a backlog that others keep full (a
 * flood on another device) must not stall the binding add behind it by
 * more than this, however many packets are held.
 */
#define RELEASE_WAITS	100

static void release_pace(unsigned int *waits)
{
	while (*waits < RELEASE_WAITS) {
		/* raw_: a migration between reading and sleeping is harmless */
		struct softnet_data *sd = raw_cpu_ptr(&softnet_data);

		if (skb_queue_len_lockless(&sd->input_pkt_queue) < RELEASE_BACKLOG)
			return;
		usleep_range(500, 1000);
		(*waits)++;
	}
}

void lw4o6_hold_release(struct lw4o6_dev *priv)
{
	struct lw4o6_hold *q = hold_of(priv);
	struct lw4o6_held *h, *tmp;
	unsigned int n = 0, waits = 0;
	LIST_HEAD(go);

	if (!READ_ONCE(q->len))
		return;
	/* BH off: the data path below runs as it does in softirq. */
	local_bh_disable();
	rcu_read_lock();
	spin_lock(&q->lock);
	take_locked(q, &go, match_passes, priv, NULL);
	spin_unlock(&q->lock);
	list_for_each_entry_safe(h, tmp, &go, node) {
		list_del(&h->node);
		lw4o6_stat_add(priv, LW4O6_STAT_HELD_RELEASED_PACKETS, 1);
		lw4o6_decap_again(priv, h->skb, h->off, h->outer_len);
		kfree(h);
		if (++n % RELEASE_BATCH)
			continue;
		/* The rest are on our own list: nobody else sees them. */
		rcu_read_unlock();
		local_bh_enable();
		cond_resched();
		release_pace(&waits);
		local_bh_disable();
		rcu_read_lock();
	}
	rcu_read_unlock();
	local_bh_enable();
}

struct reject_key {
	const struct in6_addr *b4;
	__be32 ipv4;
};

static bool match_reject(struct lw4o6_dev *priv, const struct lw4o6_held *h,
			 const void *arg)
{
	const struct reject_key *k = arg;

	return ipv6_addr_equal(&h->b4, k->b4) && (!k->ipv4 || h->ipv4 == k->ipv4);
}

void lw4o6_hold_reject(struct lw4o6_dev *priv, const struct in6_addr *b4,
		       __be32 ipv4)
{
	struct reject_key k = { .b4 = b4, .ipv4 = ipv4 };
	struct lw4o6_hold *q = hold_of(priv);
	LIST_HEAD(out);

	spin_lock_bh(&q->lock);
	take_locked(q, &out, match_reject, priv, &k);
	spin_unlock_bh(&q->lock);
	drop_list(priv, &out, LW4O6_STAT_DROP_HELD_REJECTED, true);
}

static bool match_all(struct lw4o6_dev *priv, const struct lw4o6_held *h,
		      const void *unused)
{
	return true;
}

void lw4o6_hold_purge(struct lw4o6_dev *priv, bool icmp)
{
	struct lw4o6_hold *q = hold_of(priv);
	LIST_HEAD(out);

	spin_lock_bh(&q->lock);
	take_locked(q, &out, match_all, priv, NULL);
	spin_unlock_bh(&q->lock);
	drop_list(priv, &out, LW4O6_STAT_DROP_HELD_EXPIRED, icmp);
}

void lw4o6_hold_stop(struct lw4o6_dev *priv)
{
	struct lw4o6_hold *q = hold_of(priv);

	spin_lock_bh(&q->lock);
	q->dead = true;
	spin_unlock_bh(&q->lock);
	/* No add arms it again once dead; a running expiry finishes first. */
	timer_shutdown_sync(&q->timer);
	lw4o6_hold_purge(priv, false);
}
