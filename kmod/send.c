// SPDX-License-Identifier: GPL-2.0
/*
 * Encapsulation.  On an lwAFTR, IPv4 routed into the device is looked up by
 * its destination address and port (RFC 7596 section 5.1) and sent as
 * IPv4-in-IPv6 from the binding's BR, or the device's local address, to
 * the binding's B4.  A DS-Lite B4 (RFC 6333) sends all of it to its AFTR.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/dsfield.h>
#include <net/ip.h>
#include <net/ip_tunnels.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>

#include "b4.h"
#include "control.h"
#include "device.h"
#include "icmp.h"
#include "receive.h"
#include "send.h"
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

netdev_tx_t lw4o6_encap(struct lw4o6_dev *priv, struct sk_buff *skb,
			const struct in6_addr *src, const struct in6_addr *dst,
			struct lw4o6_binding *b, bool hairpin, u32 len)
{
	const struct lw4o6_cfg *cfg = rcu_dereference(priv->cfg);
	struct net *net = dev_net(priv->dev);
	const struct iphdr *iph = ip_hdr(skb);
	__be32 label = 0;
	struct dst_entry *rt;
	struct ipv6hdr *ip6h;
	struct flowi6 fl6;
	u8 dsfield;
	u32 mtu;

	/* A B4's one label (lw4o6_cfg_defaults()); the route hashes it too. */
	if (priv->mode != LW4O6_MODE_AFTR)
		label = htonl(cfg->flow_label) & IPV6_FLOWLABEL_MASK;
	memset(&fl6, 0, sizeof(fl6));
	fl6.flowlabel = label;
	fl6.flowi6_proto = IPPROTO_IPIP;
	fl6.flowi6_mark = skb->mark;
	fl6.daddr = *dst;
	fl6.saddr = *src;
	rt = ip6_route_output(net, NULL, &fl6);
	if (rt->error || rt->dev == priv->dev) {
		dst_release(rt);
		return drop4(priv, skb, LW4O6_STAT_DROP_NO_DEST_SOFTWIRE_IPV4);
	}
	/* RFC 2473: DF packets learn the tunnel's path MTU, others fragment. */
	mtu = dst_mtu(rt) - sizeof(*ip6h);
	if (skb->len > mtu && (iph->frag_off & htons(IP_DF))) {
		dst_release(rt);
		lw4o6_icmp4_frag_needed(priv, skb, mtu);
		return drop4(priv, skb,
			     LW4O6_STAT_DROP_OVER_MTU_BUT_DONT_FRAGMENT_IPV4);
	}
	dsfield = ipv4_get_dsfield(iph);
	skb_scrub_packet(skb, false);
	if (skb_cow_head(skb, LL_RESERVED_SPACE(rt->dev) + sizeof(*ip6h))) {
		dst_release(rt);
		return drop4(priv, skb, LW4O6_STAT_DROP_MALFORMED);
	}
	/*
	 * As ip6_tunnel does: a GSO skb becomes an IPXIP6 one, segmented
	 * (and checksummed) below us; any other loses a receive-side
	 * CHECKSUM_COMPLETE, which would not cover the header we add.
	 */
	if (iptunnel_handle_offloads(skb, SKB_GSO_IPXIP6)) {
		dst_release(rt);
		return drop4(priv, skb, LW4O6_STAT_DROP_MALFORMED);
	}
	skb_set_inner_ipproto(skb, IPPROTO_IPIP);
	skb_dst_set(skb, rt);

	skb_push(skb, sizeof(*ip6h));
	skb_reset_network_header(skb);
	ip6h = ipv6_hdr(skb);
	ip6_flow_hdr(ip6h, dsfield, label);
	ip6h->payload_len = htons(skb->len - sizeof(*ip6h));
	ip6h->nexthdr = IPPROTO_IPIP;
	ip6h->hop_limit = ip6_dst_hoplimit(rt);
	ip6h->saddr = *src;
	ip6h->daddr = *dst;
	skb->protocol = htons(ETH_P_IPV6);
	memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
	skb->ignore_df = 1;

	if (b) {
		atomic64_inc(&b->tx_packets);
		atomic64_add(len, &b->tx_bytes);
	}
	if (hairpin) {
		lw4o6_stat_add(priv, LW4O6_STAT_HAIRPIN_IPV4_PACKETS, 1);
		lw4o6_stat_add(priv, LW4O6_STAT_HAIRPIN_IPV4_BYTES, len);
	}
	lw4o6_stat_add(priv, LW4O6_STAT_SENT_IPV6_PACKETS, 1);
	lw4o6_stat_add(priv, LW4O6_STAT_SENT_IPV6_BYTES, skb->len);
	ip6_local_out(net, NULL, skb);
	return NETDEV_TX_OK;
}

const struct in6_addr *lw4o6_aftr_source(const struct lw4o6_cfg *cfg,
					 const struct lw4o6_table *t,
					 const struct lw4o6_binding *b)
{
	const struct in6_addr *br = lw4o6_binding_br(t, b);

	if (br)
		return br;
	return cfg->encap_unicast ? &cfg->icmp_source : &cfg->local;
}

/*
 * An lwAFTR looks the binding up.  The IPv4 stack in front of us has
 * already done what a router does: TTL (11/0, which for a B4's packet comes
 * back through here to that B4) and the device MTU (3/4 for DF, IPv4
 * fragments without).  What is left is the part that needs the binding:
 * the lookup, hairpinning, and the IPv6 path MTU to that B4.
 */
static netdev_tx_t xmit_aftr(struct lw4o6_dev *priv, struct sk_buff *skb,
			     const struct lw4o6_cfg *cfg, u32 len)
{
	const struct in6_addr *src;
	const struct iphdr *iph;
	struct lw4o6_binding *b;
	struct lw4o6_table *t;
	bool hairpin;
	u16 port;
	int err;

	/* Past the first fragment there is no port to look up. */
	if (ip_is_fragment(ip_hdr(skb))) {
		err = lw4o6_ipv4_defrag(skb);
		if (err)
			return defrag_fail(priv, err, len);
		len = skb->len;
	}
	iph = ip_hdr(skb);
	/* Decapsulated here and routed back in: from one B4 to another. */
	hairpin = skb->skb_iif == priv->dev->ifindex;
	if (hairpin && !cfg->hairpin)
		return drop4(priv, skb, LW4O6_STAT_DROP_HAIRPIN_DISABLED_IPV4);
	t = rcu_dereference(priv->table);
	b = lw4o6_ipv4_port(skb, false, &port) ? NULL :
	    lw4o6_table_lookup_port(t, iph->daddr, port);
	if (!b) {
		lw4o6_icmp4_no_binding(priv, skb);
		return drop4(priv, skb, LW4O6_STAT_DROP_NO_DEST_SOFTWIRE_IPV4);
	}
	src = lw4o6_aftr_source(cfg, t, b);
	return lw4o6_encap(priv, skb, src, &b->b4, b, hairpin, len);
}

netdev_tx_t lw4o6_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct lw4o6_dev *priv = netdev_priv(dev);
	const struct lw4o6_cfg *cfg;
	const struct iphdr *iph;
	u32 len = skb->len;
	netdev_tx_t ret;

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
	cfg = rcu_dereference(priv->cfg);
	/*
	 * A DS-Lite B4 sends everything to its AFTR, fragments as they are;
	 * an lwB4 only what its NAT put into its address and port set.
	 */
	if (priv->mode == LW4O6_MODE_AFTR) {
		ret = xmit_aftr(priv, skb, cfg, len);
	} else if (skb->skb_iif == dev->ifindex) {
		/*
		 * Came from the AFTR and is routed straight back (to a B4
		 * address not assigned here, with no flow to de-NAT it): the
		 * AFTR would hairpin it to us again until the TTL runs out.
		 */
		ret = drop4(priv, skb, LW4O6_STAT_DROP_HAIRPIN_DISABLED_IPV4);
	} else if (priv->mode == LW4O6_MODE_B4 &&
		   !lw4o6_b4_owns(cfg, skb, true) &&
		   !lw4o6_control_b4_out(skb)) {
		ret = drop4(priv, skb, LW4O6_STAT_DROP_OUT_OF_PORT_SET_IPV4);
	} else {
		if (cfg->mss_clamp)
			lw4o6_mss_clamp(skb, READ_ONCE(dev->mtu));
		ret = lw4o6_encap(priv, skb, &cfg->local, &cfg->remote, NULL,
				  false, len);
	}
out:
	rcu_read_unlock();
	return ret;
}
