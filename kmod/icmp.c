// SPDX-License-Identifier: GPL-2.0
/*
 * Errors the lwAFTR generates or translates, each switchable per device and
 * under per-device token buckets (icmp-rate per second, bursts of as many):
 * one for Frag Needed and translated Packet Too Big, one for the rest, so
 * that errors anyone can draw (3/1 for an unbound address) cannot starve
 * path MTU discovery.  On top of the kernel's own ICMP rate limits.  The kernel's senders
 * also apply the size caps: 576 bytes for ICMPv4, 1280 for ICMPv6.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/ktime.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv6.h>
#include <net/checksum.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/route.h>

#include "b4.h"
#include "device.h"
#include "events.h"
#include "icmp.h"
#include "receive.h"
#include "send.h"
#include "table.h"

#define ICMP4_MAX	576
#define ENCAP		sizeof(struct ipv6hdr)

static bool icmp_allow(struct lw4o6_dev *priv, struct lw4o6_bucket *b,
		       u32 rate)
{
	bool ok;

	spin_lock_bh(&priv->icmp_lock);
	ok = lw4o6_bucket_take(b, rate, ktime_get_mono_fast_ns());
	spin_unlock_bh(&priv->icmp_lock);
	return ok;
}

static bool icmp4_allow(struct lw4o6_dev *priv, struct lw4o6_bucket *b)
{
	const struct lw4o6_cfg *cfg = rcu_dereference(priv->cfg);

	if (!cfg->icmp4_errors)
		return false;
	if (!icmp_allow(priv, b, cfg->icmp_rate)) {
		lw4o6_stat_add(priv, LW4O6_STAT_DROP_OVER_RATE_LIMIT_ICMPV4, 1);
		return false;
	}
	return true;
}

bool lw4o6_icmp4_allow(struct lw4o6_dev *priv)
{
	return icmp4_allow(priv, &priv->icmp);
}

/* What icmp_send() quotes: the header and at most 576 bytes in all. */
static void icmp4_count(struct lw4o6_dev *priv, const struct sk_buff *skb)
{
	lw4o6_stat_add(priv, LW4O6_STAT_OUT_ICMPV4_ERROR_PACKETS, 1);
	lw4o6_stat_add(priv, LW4O6_STAT_OUT_ICMPV4_ERROR_BYTES,
		       min_t(u32, skb->len + sizeof(struct iphdr) +
			     sizeof(struct icmphdr), ICMP4_MAX));
}

void lw4o6_icmp4_no_binding(struct lw4o6_dev *priv, struct sk_buff *skb)
{
	if (!lw4o6_icmp4_allow(priv))
		return;
	icmp_ndo_send(skb, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 0);
	icmp4_count(priv, skb);
}

void lw4o6_icmp4_frag_needed(struct lw4o6_dev *priv, struct sk_buff *skb,
			     u32 mtu)
{
	if (!icmp4_allow(priv, &priv->icmp_ptb))
		return;
	icmp_ndo_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, htonl(mtu));
	icmp4_count(priv, skb);
}

void lw4o6_icmp6_policy_fail(struct lw4o6_dev *priv, struct sk_buff *skb)
{
	const struct lw4o6_cfg *cfg = rcu_dereference(priv->cfg);
	const struct in6_addr *src;

	if (!cfg->icmp6_errors)
		return;
	if (!icmp_allow(priv, &priv->icmp, cfg->icmp_rate)) {
		lw4o6_stat_add(priv, LW4O6_STAT_DROP_OVER_RATE_LIMIT_ICMPV6, 1);
		return;
	}
	/* local may be anycast: PMTU and tracing need a unicast source. */
	src = ipv6_addr_any(&cfg->icmp_source) ? &cfg->local : &cfg->icmp_source;
	icmp6_send(skb, ICMPV6_DEST_UNREACH, ICMPV6_POLICY_FAIL, 0, src,
		   IP6CB(skb));
	lw4o6_stat_add(priv, LW4O6_STAT_OUT_ICMPV6_ERROR_PACKETS, 1);
	lw4o6_stat_add(priv, LW4O6_STAT_OUT_ICMPV6_ERROR_BYTES,
		       min_t(u32, skb->len + sizeof(struct ipv6hdr) +
			     sizeof(struct icmp6hdr), IPV6_MIN_MTU));
}

/*
 * Give the quoted IPv4 packet the route it took into the device, as
 * ip4ip6_err() in ip6_tunnel does: icmp_send() needs one to find its
 * namespace and source, and a route that does not lead into this device
 * means the packet was not ours to begin with.
 */
static bool route_quoted(struct lw4o6_dev *priv, struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);
	struct net *net = dev_net(priv->dev);
	struct net_device *in;
	struct flowi4 fl4;
	struct rtable *rt;
	u8 tos = iph->tos & IPTOS_TOS_MASK;

	rt = ip_route_output_ports(net, &fl4, NULL, iph->saddr, 0, 0, 0,
				   IPPROTO_IPIP, tos, 0);
	if (IS_ERR(rt))
		return false;
	in = rt->dst.dev;
	if (rt->rt_flags & RTCF_LOCAL) {
		/* Sent by this host: its output route is the one to check. */
		ip_rt_put(rt);
		rt = ip_route_output_ports(net, &fl4, NULL, iph->daddr,
					   iph->saddr, 0, 0, IPPROTO_IPIP, tos,
					   0);
		if (IS_ERR(rt))
			return false;
		skb_dst_set(skb, &rt->dst);
	} else {
		ip_rt_put(rt);
		/*
		 * Routed as the IPv4 it is: for anything else the route
		 * lookup refuses in == out, which is how a packet this device
		 * hairpinned between two B4s went.
		 */
		skb->protocol = htons(ETH_P_IP);
		if (ip_route_input_noref(skb, iph->daddr, iph->saddr, tos, in))
			return false;
	}
	return skb_dst(skb) && skb_dst(skb)->dev == priv->dev;
}

/*
 * On an lwB4 the quoted packet left through our NAT: its source is the
 * shared address, not the LAN host.  So the error is handed to the device
 * as if it had come from the packet's destination through the softwire:
 * conntrack relates it to the flow and undoes the NAT on its way to the
 * LAN, as for any ICMPv4 error from outside.  skb is at the quoted IPv4.
 */
static int icmp4_inject(struct lw4o6_dev *priv, const struct sk_buff *quote,
			int type, int code, u32 info)
{
	const struct iphdr *q = ip_hdr(quote);
	unsigned int qlen = min_t(unsigned int, quote->len,
				  ICMP4_MAX - sizeof(struct iphdr) -
				  sizeof(struct icmphdr));
	struct icmphdr *ih;
	struct sk_buff *skb;
	struct iphdr *iph;

	skb = alloc_skb(LL_MAX_HEADER + sizeof(*iph) + sizeof(*ih) + qlen,
			GFP_ATOMIC);
	if (!skb)
		return -ENOMEM;
	skb_reserve(skb, LL_MAX_HEADER);
	skb_reset_network_header(skb);
	iph = skb_put(skb, sizeof(*iph));
	ih = skb_put(skb, sizeof(*ih));
	if (skb_copy_bits(quote, 0, skb_put(skb, qlen), qlen)) {
		kfree_skb(skb);
		return -EINVAL;
	}
	ih->type = type;
	ih->code = code;
	ih->un.gateway = htonl(info);	/* 3/4: unused 0, then the MTU */
	ih->checksum = 0;
	ih->checksum = ip_compute_csum(ih, sizeof(*ih) + qlen);
	*iph = (struct iphdr){
		.version = 4, .ihl = 5, .ttl = 64, .protocol = IPPROTO_ICMP,
		.tot_len = htons(skb->len), .saddr = q->daddr, .daddr = q->saddr,
	};
	ip_send_check(iph);
	skb->protocol = htons(ETH_P_IP);
	skb->dev = priv->dev;
	skb->pkt_type = PACKET_HOST;
	skb_reset_mac_header(skb);
	skb_set_transport_header(skb, sizeof(*iph));
	netif_rx(skb);
	return 0;
}

/*
 * A B4 takes errors only about what it sent: local -> remote outside; on
 * an lwB4, from its address and a port of its set, or what lw4o6d may
 * send on the control pair (lw4o6_control_b4_sendable()).
 * A DS-Lite B4 sends its LAN's addresses as they are: the outer pair is
 * all it can check.
 */
static bool quoted_is_ours_b4(struct lw4o6_dev *priv,
			      const struct lw4o6_cfg *cfg,
			      const struct sk_buff *skb,
			      const struct ipv6hdr *e6)
{
	if (!ipv6_addr_equal(&e6->saddr, &cfg->local) ||
	    !ipv6_addr_equal(&e6->daddr, &cfg->remote))
		return false;
	if (priv->mode != LW4O6_MODE_B4)
		return true;
	return lw4o6_control_b4_sendable(skb) || lw4o6_b4_owns(cfg, skb, true);
}

static bool quoted_is_ours(struct lw4o6_dev *priv, const struct lw4o6_cfg *cfg,
			   struct lw4o6_table *t, const struct sk_buff *skb,
			   const struct ipv6hdr *e6)
{
	struct lw4o6_binding *b;
	u16 port;

	if (priv->mode != LW4O6_MODE_AFTR)
		return quoted_is_ours_b4(priv, cfg, skb, e6);
	b = lw4o6_ipv4_port(skb, false, &port) ? NULL :
	    lw4o6_table_lookup_port(t, ip_hdr(skb)->daddr, port);
	return b && ipv6_addr_equal(&b->b4, &e6->daddr) &&
	       ipv6_addr_equal(&e6->saddr, lw4o6_aftr_source(cfg, t, b));
}

/*
 * No ICMPv4 error is made about an ICMPv4 error or a fragment past the
 * first (RFC 1122 3.2.2), as icmp_send() itself refuses to.
 */
static bool quote_may_draw_error(const struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);
	const struct icmphdr *ih;
	struct icmphdr _ih;

	if (iph->frag_off & htons(IP_OFFSET))
		return false;
	if (iph->protocol != IPPROTO_ICMP)
		return true;
	ih = skb_header_pointer(skb, iph->ihl * 4, sizeof(_ih), &_ih);
	return ih && (ih->type == ICMP_ECHO || ih->type == ICMP_ECHOREPLY ||
		      ih->type == ICMP_TIMESTAMP ||
		      ih->type == ICMP_TIMESTAMPREPLY);
}

/*
 * An ICMPv6 error from the IPv6 side about a packet we tunnelled to a B4
 * becomes an ICMPv4 error for that packet's IPv4 sender: Packet Too Big
 * 3/4 with the MTU less our header, Destination Unreachable, Time Exceeded
 * 0 and Parameter Problem 3/1; others are dropped and counted.  Only errors
 * that quote an IPv4-in-IPv6 packet are taken; anything else to local is
 * the stack's.  skb is at IPv6, its ICMPv6 header at off.
 */
unsigned int lw4o6_icmp6_error_in(struct lw4o6_dev *priv, struct sk_buff *skb,
				  unsigned int off)
{
	const struct lw4o6_cfg *cfg = rcu_dereference(priv->cfg);
	struct lw4o6_table *t = rcu_dereference(priv->table);
	struct in6_addr from = ipv6_hdr(skb)->saddr;
	u32 outer_len = skb->len, mtu = 0;
	struct icmp6hdr _ih, ih;
	struct ipv6hdr _e6, e6;
	enum lw4o6_stat why;
	const struct iphdr *iph;
	const void *p;
	bool on_path = false;
	int type, code;

	p = skb_header_pointer(skb, off, sizeof(_ih), &_ih);
	if (!p)
		return NF_ACCEPT;
	ih = *(const struct icmp6hdr *)p;
	if (ih.icmp6_type & ICMPV6_INFOMSG_MASK)
		return NF_ACCEPT;
	p = skb_header_pointer(skb, off + sizeof(ih), sizeof(_e6), &_e6);
	if (!p || ((const struct ipv6hdr *)p)->nexthdr != IPPROTO_IPIP)
		return NF_ACCEPT;
	e6 = *(const struct ipv6hdr *)p;

	lw4o6_stat_add(priv, LW4O6_STAT_RCVD_IPV6_PACKETS, 1);
	lw4o6_stat_add(priv, LW4O6_STAT_RCVD_IPV6_BYTES, outer_len);
	/*
	 * Nothing in a corrupt (or forged without care) error is acted on:
	 * not the path MTU, not the daemon's event, not a translation.
	 */
	why = LW4O6_STAT_DROP_BAD_CHECKSUM_ICMPV6;
	if (nf_ip6_checksum(skb, NF_INET_PRE_ROUTING, off, IPPROTO_ICMPV6))
		goto drop;
	why = LW4O6_STAT_DROP_IN_BY_POLICY_ICMPV6;
	/*
	 * A B4 has one peer: errors come from its AFTR.  Packet Too Big
	 * comes from whichever router on the way has the smaller link
	 * (RFC 8201), so it is taken from anyone, as the IPv6 stack would,
	 * on the strength of its quote; it can only lower the path MTU, to
	 * no less than 1280.
	 */
	if (priv->mode != LW4O6_MODE_AFTR &&
	    ih.icmp6_type != ICMPV6_PKT_TOOBIG &&
	    !lw4o6_from_aftr(cfg, &from)) {
		/*
		 * Except that a router on the way with no route to the AFTR
		 * (an anycast address withdrawn) is worth telling lw4o6d
		 * of: it checks with the AFTR before it believes it.  The
		 * error itself is still not passed on.
		 */
		if (ih.icmp6_type != ICMPV6_DEST_UNREACH ||
		    (ih.icmp6_code != ICMPV6_NOROUTE &&
		     ih.icmp6_code != ICMPV6_ADDR_UNREACH))
			goto drop;
		on_path = true;
	}
	type = ICMP_DEST_UNREACH;
	code = ICMP_HOST_UNREACH;
	switch (ih.icmp6_type) {
	case ICMPV6_PKT_TOOBIG:
		if (ih.icmp6_code)
			goto drop;
		/*
		 * RFC 8201: never below the IPv6 minimum; and no more than an
		 * IPv4 packet can be, which is all the 3/4's 16 bits can say.
		 */
		mtu = clamp_t(u32, ntohl(ih.icmp6_mtu), IPV6_MIN_MTU, IP_MAX_MTU);
		code = ICMP_FRAG_NEEDED;
		break;
	case ICMPV6_TIME_EXCEED:
		if (ih.icmp6_code != ICMPV6_EXC_HOPLIMIT)
			goto drop;
		break;
	case ICMPV6_DEST_UNREACH:
	case ICMPV6_PARAMPROB:
		break;
	default:
		goto drop;
	}

	why = LW4O6_STAT_DROP_MALFORMED;
	off += sizeof(ih);
	if (!pskb_may_pull(skb, off + sizeof(e6) + sizeof(struct iphdr)))
		goto drop;
	skb_pull(skb, off + sizeof(e6));
	skb_reset_network_header(skb);
	iph = ip_hdr(skb);
	if (iph->version != 4 || iph->ihl < 5 ||
	    !pskb_may_pull(skb, iph->ihl * 4))
		goto drop;

	/* Only about a packet we sent: right B4 (or AFTR), right source. */
	why = LW4O6_STAT_DROP_IN_BY_POLICY_ICMPV6;
	if (!quoted_is_ours(priv, cfg, t, skb, &e6))
		goto drop;
	if (on_path) {
		u16 sport;

		iph = ip_hdr(skb);
		lw4o6_notify_miss(priv, LW4O6_CMD_EVT_ICMP_UNREACHABLE, &from,
				  iph->saddr,
				  lw4o6_ipv4_port(skb, true, &sport) ? -1 : sport);
		goto drop;
	}
	/* A B4's AFTR has no binding for it: the daemon will reprovision. */
	if (priv->mode != LW4O6_MODE_AFTR &&
	    ih.icmp6_type == ICMPV6_DEST_UNREACH &&
	    ih.icmp6_code == ICMPV6_POLICY_FAIL) {
		u16 sport;

		iph = ip_hdr(skb);
		lw4o6_notify_miss(priv, LW4O6_CMD_EVT_ICMP_NO_BINDING, &from,
				  iph->saddr,
				  lw4o6_ipv4_port(skb, true, &sport) ? -1 : sport);
	}
	if (mtu) {
		/* The route to the B4 learns the path MTU (from the quote). */
		skb_push(skb, sizeof(e6));
		ip6_update_pmtu(skb, dev_net(priv->dev), htonl(mtu), 0,
				skb->mark, sock_net_uid(dev_net(priv->dev), NULL));
		skb_pull(skb, sizeof(e6));
	}
	if (!icmp4_allow(priv, mtu ? &priv->icmp_ptb : &priv->icmp))
		goto drop;
	if (priv->mode == LW4O6_MODE_B4) {
		if (!quote_may_draw_error(skb)) {
			why = LW4O6_STAT_DROP_IN_BY_POLICY_ICMPV6;
			goto drop;
		}
		if (icmp4_inject(priv, skb, type, code, mtu ? mtu - ENCAP : 0))
			goto drop;
	} else {
		memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
		skb_dst_drop(skb);
		if (!route_quoted(priv, skb))
			goto drop;
		icmp_ndo_send(skb, type, code, htonl(mtu ? mtu - ENCAP : 0));
	}
	icmp4_count(priv, skb);
	lw4o6_stat_add(priv, LW4O6_STAT_SENT_IPV4_PACKETS, 1);
	lw4o6_stat_add(priv, LW4O6_STAT_SENT_IPV4_BYTES,
		       min_t(u32, skb->len + sizeof(struct iphdr) +
			     sizeof(struct icmphdr), ICMP4_MAX));
	consume_skb(skb);
	return NF_STOLEN;

drop:
	lw4o6_stat_add(priv, LW4O6_STAT_DROPPED_IPV6_PACKETS, 1);
	lw4o6_stat_add(priv, LW4O6_STAT_DROPPED_IPV6_BYTES, outer_len);
	lw4o6_stat_add(priv, why, 1);
	kfree_skb(skb);
	return NF_STOLEN;
}
