// SPDX-License-Identifier: GPL-2.0
/*
 * lwAFTR encapsulation: IPv4 routed into the device is looked up by its
 * destination address and port (RFC 7596 section 5.1) and sent as
 * IPv4-in-IPv6 from the binding's BR, or the device's local address, to
 * the binding's B4.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/dsfield.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>

#include "device.h"
#include "icmp.h"
#include "receive.h"
#include "table.h"

static netdev_tx_t drop4(struct lw4o6_dev *priv, struct sk_buff *skb,
			 enum lw4o6_stat why)
{
	lw4o6_stat_add(priv, LW4O6_STAT_DROPPED_IPV4_PACKETS, 1);
	lw4o6_stat_add(priv, LW4O6_STAT_DROPPED_IPV4_BYTES, skb->len);
	lw4o6_stat_add(priv, why, 1);
	kfree_skb(skb);
	return NETDEV_TX_OK;
}

/* A fragment that went into reassembly: queued, or dropped by it. */
static netdev_tx_t defrag_fail(struct lw4o6_dev *priv, int err, u32 len)
{
	if (err == -EINPROGRESS) {
		lw4o6_stat_add(priv, LW4O6_STAT_QUEUED_IPV4_FRAGMENTS, 1);
		return NETDEV_TX_OK;
	}
	lw4o6_stat_add(priv, LW4O6_STAT_DROPPED_IPV4_PACKETS, 1);
	lw4o6_stat_add(priv, LW4O6_STAT_DROPPED_IPV4_BYTES, len);
	lw4o6_stat_add(priv, LW4O6_STAT_DROPPED_IPV4_FRAGMENTS, 1);
	lw4o6_stat_add(priv, LW4O6_STAT_DROPPED_IPV4_FRAGMENT_BYTES, len);
	lw4o6_stat_add(priv, LW4O6_STAT_DROP_MALFORMED, 1);
	return NETDEV_TX_OK;
}

/*
 * The IPv4 stack in front of us has already done what a router does: TTL
 * (11/0, which for a B4's packet comes back through here to that B4) and
 * the device MTU (3/4 for DF, IPv4 fragments without).  What is left is
 * the part that needs the binding: the lookup, hairpinning, and the IPv6
 * path MTU to that B4.
 */
netdev_tx_t lw4o6_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct lw4o6_dev *priv = netdev_priv(dev);
	struct net *net = dev_net(dev);
	const struct lw4o6_cfg *cfg;
	const struct in6_addr *src;
	const struct iphdr *iph;
	struct lw4o6_binding *b;
	struct lw4o6_table *t;
	struct dst_entry *dst;
	struct ipv6hdr *ip6h;
	struct flowi6 fl6;
	netdev_tx_t ret;
	u32 len = skb->len, mtu;
	bool hairpin;
	u16 port;
	u8 dsfield;
	int err;

	rcu_read_lock();
	lw4o6_stat_add(priv, LW4O6_STAT_RCVD_IPV4_PACKETS, 1);
	lw4o6_stat_add(priv, LW4O6_STAT_RCVD_IPV4_BYTES, len);
	if (skb->protocol != htons(ETH_P_IP) ||
	    !pskb_may_pull(skb, sizeof(struct iphdr))) {
		ret = drop4(priv, skb, LW4O6_STAT_DROP_MALFORMED);
		goto out;
	}
	skb_reset_network_header(skb);
	iph = ip_hdr(skb);
	if (iph->ihl < 5 || !pskb_may_pull(skb, iph->ihl * 4)) {
		ret = drop4(priv, skb, LW4O6_STAT_DROP_MALFORMED);
		goto out;
	}
	/* Past the first fragment there is no port to look up. */
	if (ip_is_fragment(ip_hdr(skb))) {
		err = lw4o6_ipv4_defrag(skb);
		if (err) {
			ret = defrag_fail(priv, err, len);
			goto out;
		}
		len = skb->len;
	}
	iph = ip_hdr(skb);
	cfg = rcu_dereference(priv->cfg);
	/* Decapsulated here and routed back in: from one B4 to another. */
	hairpin = skb->skb_iif == dev->ifindex;
	if (hairpin && !cfg->hairpin) {
		ret = drop4(priv, skb, LW4O6_STAT_DROP_HAIRPIN_DISABLED_IPV4);
		goto out;
	}
	t = rcu_dereference(priv->table);
	b = lw4o6_ipv4_port(skb, false, &port) ? NULL :
	    lw4o6_table_lookup_port(t, iph->daddr, port);
	if (!b) {
		lw4o6_icmp4_no_binding(priv, skb);
		ret = drop4(priv, skb, LW4O6_STAT_DROP_NO_DEST_SOFTWIRE_IPV4);
		goto out;
	}
	src = lw4o6_binding_br(t, b) ?: &cfg->local;

	memset(&fl6, 0, sizeof(fl6));
	fl6.flowi6_proto = IPPROTO_IPIP;
	fl6.flowi6_mark = skb->mark;
	fl6.daddr = b->b4;
	fl6.saddr = *src;
	dst = ip6_route_output(net, NULL, &fl6);
	if (dst->error || dst->dev == dev) {
		dst_release(dst);
		ret = drop4(priv, skb, LW4O6_STAT_DROP_NO_DEST_SOFTWIRE_IPV4);
		goto out;
	}
	/* RFC 2473: DF packets learn the tunnel's path MTU, others fragment. */
	mtu = dst_mtu(dst) - sizeof(*ip6h);
	if (skb->len > mtu && (iph->frag_off & htons(IP_DF))) {
		dst_release(dst);
		lw4o6_icmp4_frag_needed(priv, skb, mtu);
		ret = drop4(priv, skb,
			    LW4O6_STAT_DROP_OVER_MTU_BUT_DONT_FRAGMENT_IPV4);
		goto out;
	}
	dsfield = ipv4_get_dsfield(iph);
	skb_scrub_packet(skb, false);
	if (skb_cow_head(skb, LL_RESERVED_SPACE(dst->dev) + sizeof(*ip6h))) {
		dst_release(dst);
		ret = drop4(priv, skb, LW4O6_STAT_DROP_MALFORMED);
		goto out;
	}
	skb_dst_set(skb, dst);

	skb_push(skb, sizeof(*ip6h));
	skb_reset_network_header(skb);
	ip6h = ipv6_hdr(skb);
	ip6_flow_hdr(ip6h, dsfield, 0);
	ip6h->payload_len = htons(skb->len - sizeof(*ip6h));
	ip6h->nexthdr = IPPROTO_IPIP;
	ip6h->hop_limit = ip6_dst_hoplimit(dst);
	ip6h->saddr = *src;
	ip6h->daddr = b->b4;
	skb->protocol = htons(ETH_P_IPV6);
	memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
	skb->ignore_df = 1;

	atomic64_inc(&b->tx_packets);
	atomic64_add(len, &b->tx_bytes);
	if (hairpin) {
		lw4o6_stat_add(priv, LW4O6_STAT_HAIRPIN_IPV4_PACKETS, 1);
		lw4o6_stat_add(priv, LW4O6_STAT_HAIRPIN_IPV4_BYTES, len);
	}
	lw4o6_stat_add(priv, LW4O6_STAT_SENT_IPV6_PACKETS, 1);
	lw4o6_stat_add(priv, LW4O6_STAT_SENT_IPV6_BYTES, skb->len);
	ip6_local_out(net, NULL, skb);
	ret = NETDEV_TX_OK;
out:
	rcu_read_unlock();
	return ret;
}
