// SPDX-License-Identifier: GPL-2.0
/*
 * Errors the lwAFTR generates, each switchable per device and all under one
 * per-device token bucket (icmp-rate per second, bursts of as many), on top
 * of the kernel's own ICMP rate limits.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ktime.h>
#include <net/icmp.h>

#include "device.h"
#include "icmp.h"

/* Token bucket, tokens scaled by NSEC_PER_SEC so the refill is exact. */
static bool icmp_allow(struct lw4o6_dev *priv, u32 rate)
{
	u64 now = ktime_get_mono_fast_ns(), cap = (u64)rate * NSEC_PER_SEC;
	bool ok;

	spin_lock_bh(&priv->icmp_lock);
	if (!priv->icmp_last)
		priv->icmp_tokens = cap;
	else
		priv->icmp_tokens = min(cap, priv->icmp_tokens +
					(now - priv->icmp_last) * rate);
	priv->icmp_last = now;
	ok = priv->icmp_tokens >= NSEC_PER_SEC;
	if (ok)
		priv->icmp_tokens -= NSEC_PER_SEC;
	spin_unlock_bh(&priv->icmp_lock);
	return ok;
}

void lw4o6_icmp4_no_binding(struct lw4o6_dev *priv, struct sk_buff *skb)
{
	const struct lw4o6_cfg *cfg = rcu_dereference(priv->cfg);

	if (!cfg->icmp4_errors || !icmp_allow(priv, cfg->icmp_rate))
		return;
	icmp_ndo_send(skb, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 0);
	lw4o6_stat_add(priv, LW4O6_STAT_OUT_ICMPV4_ERROR_PACKETS, 1);
	/* What icmp_send() quotes: the header and at most 576 bytes in all. */
	lw4o6_stat_add(priv, LW4O6_STAT_OUT_ICMPV4_ERROR_BYTES,
		       min_t(u32, skb->len + sizeof(struct iphdr) +
			     sizeof(struct icmphdr), 576));
}

void lw4o6_icmp6_policy_fail(struct lw4o6_dev *priv, struct sk_buff *skb)
{
	const struct lw4o6_cfg *cfg = rcu_dereference(priv->cfg);

	if (!cfg->icmp6_errors)
		return;
	if (!icmp_allow(priv, cfg->icmp_rate)) {
		lw4o6_stat_add(priv, LW4O6_STAT_DROP_OVER_RATE_LIMIT_ICMPV6, 1);
		return;
	}
	icmpv6_send(skb, ICMPV6_DEST_UNREACH, ICMPV6_POLICY_FAIL, 0);
	lw4o6_stat_add(priv, LW4O6_STAT_OUT_ICMPV6_ERROR_PACKETS, 1);
	lw4o6_stat_add(priv, LW4O6_STAT_OUT_ICMPV6_ERROR_BYTES,
		       min_t(u32, skb->len + sizeof(struct ipv6hdr) +
			     sizeof(struct icmp6hdr), IPV6_MIN_MTU));
}
