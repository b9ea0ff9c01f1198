// SPDX-License-Identifier: GPL-2.0
/*
 * lwAFTR decapsulation: IPv4-in-IPv6 addressed to a device's local address,
 * or on an lwAFTR to the BR of one of its bindings, is taken at IPv6
 * PRE_ROUTING, checked against the binding table (the binding for the inner
 * source address and port must name the outer source as its B4, RFC 7596
 * section 5.2, and the outer destination as its BR, or local without one)
 * and handed to the IPv4 stack on the device.  A netfilter hook rather than an IPv6 protocol handler: local
 * need not be an address of this host (anycast lwAFTRs), and ip6_tunnel or
 * sit keep every packet that is not for one of our devices.
 */
#include <linux/icmp.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/timekeeping.h>
#include <net/ip.h>
#include <net/ip_tunnels.h>
#include <net/ipv6.h>
#include <net/ipv6_frag.h>
#include <net/l3mdev.h>
#include <net/route.h>
#include <net/netfilter/ipv6/nf_defrag_ipv6.h>
#include <net/netns/generic.h>

#include "b4.h"
#include "control.h"
#include "device.h"
#include "events.h"
#include "hold.h"
#include "icmp.h"
#include "receive.h"
#include "table.h"

static bool icmp_is_query(u8 type)
{
	return type == ICMP_ECHO || type == ICMP_ECHOREPLY ||
	       type == ICMP_TIMESTAMP || type == ICMP_TIMESTAMPREPLY;
}

static bool icmp_is_error(u8 type)
{
	return type == ICMP_DEST_UNREACH || type == ICMP_SOURCE_QUENCH ||
	       type == ICMP_REDIRECT || type == ICMP_TIME_EXCEEDED ||
	       type == ICMP_PARAMETERPROB;
}

/* Ports of a transport header at off, or of an ICMP query's identifier. */
static int l4_port(const struct sk_buff *skb, unsigned int off, u8 proto,
		   bool src, u16 *port)
{
	__be16 buf[2];
	const __be16 *p;
	struct icmphdr _ih;
	const struct icmphdr *ih;

	switch (proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
	case IPPROTO_DCCP:
		p = skb_header_pointer(skb, off, sizeof(buf), buf);
		if (!p)
			return -EINVAL;
		*port = ntohs(src ? p[0] : p[1]);
		return 0;
	case IPPROTO_ICMP:
		ih = skb_header_pointer(skb, off, sizeof(_ih), &_ih);
		if (!ih || !icmp_is_query(ih->type))
			return -EINVAL;
		*port = ntohs(ih->un.echo.id);
		return 0;
	}
	return -EPROTONOSUPPORT;
}

/*
 * The port that selects the binding of an IPv4 packet at the network
 * header: its source port when it comes from a B4, its destination port
 * when it goes to one; the ICMP identifier for ICMP queries.  An ICMP error
 * carries the packet it is about, which crossed the softwire the other way:
 * use that packet's port on the B4's side (RFC 5508).
 */
int lw4o6_ipv4_port(const struct sk_buff *skb, bool from_b4, u16 *port)
{
	const struct iphdr *iph = ip_hdr(skb);
	unsigned int off = iph->ihl * 4;
	struct icmphdr _ih;
	const struct icmphdr *ih;
	struct iphdr _inner;
	const struct iphdr *inner;

	if (iph->frag_off & htons(IP_OFFSET))
		return -EAGAIN;		/* no transport header here */
	if (iph->protocol != IPPROTO_ICMP)
		return l4_port(skb, off, iph->protocol, from_b4, port);
	ih = skb_header_pointer(skb, off, sizeof(_ih), &_ih);
	if (!ih)
		return -EINVAL;
	if (!icmp_is_error(ih->type))
		return l4_port(skb, off, IPPROTO_ICMP, from_b4, port);
	off += sizeof(_ih);
	inner = skb_header_pointer(skb, off, sizeof(_inner), &_inner);
	if (!inner || inner->ihl < 5 || (inner->frag_off & htons(IP_OFFSET)))
		return -EINVAL;
	return l4_port(skb, off + inner->ihl * 4, inner->protocol, !from_b4,
		       port);
}

static void drop6(struct lw4o6_dev *priv, struct sk_buff *skb, u32 len,
		  enum lw4o6_stat why)
{
	lw4o6_stat_add(priv, LW4O6_STAT_DROPPED_IPV6_PACKETS, 1);
	lw4o6_stat_add(priv, LW4O6_STAT_DROPPED_IPV6_BYTES, len);
	lw4o6_stat_add(priv, why, 1);
	kfree_skb(skb);
}

/*
 * The reassembly queues key on addresses, ID and protocol, not on who sent
 * a fragment: a user of its own would be cleaner, but the enum is closed.
 * AF_PACKET's is the one whose expiry sends no ICMP, which suits a router
 * (RFC 792: only the destination host reports a reassembly timeout).
 */
int lw4o6_ipv4_defrag(struct sk_buff *skb)
{
	struct net *net = dev_net(skb->dev ?: skb_dst(skb)->dev);

	memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
	return ip_defrag(net, skb, IP_DEFRAG_AF_PACKET);
}

/*
 * Consumes skb, whose IPv4-in-IPv6 payload starts at off.  again: a packet
 * miss-hold released (hold.c), counted as received already, not held twice.
 */
static void decap(struct lw4o6_dev *priv, struct sk_buff *skb,
		  unsigned int off, u32 outer_len, bool again)
{
	struct lw4o6_table *t = rcu_dereference(priv->table);
	struct in6_addr saddr = ipv6_hdr(skb)->saddr;
	struct in6_addr daddr = ipv6_hdr(skb)->daddr;
	bool whole = false;
	struct lw4o6_binding *b;
	const struct iphdr *iph;
	unsigned int len;
	__be32 src;
	u16 port;
	int err;

	if (!pskb_may_pull(skb, off + sizeof(struct iphdr)))
		goto malformed;
	skb_pull_rcsum(skb, off);
	skb_reset_network_header(skb);
	/*
	 * GRO merges IPv4-in-IPv6 into one skb marked as a tunnel's
	 * (encapsulation, SKB_GSO_IPXIP6): with the outer header gone that
	 * state is wrong, so drop it, as iptunnel_pull_header() does.
	 */
	if (iptunnel_pull_offloads(skb))
		goto malformed;
	iph = ip_hdr(skb);
	if (iph->version != 4 || iph->ihl < 5 ||
	    !pskb_may_pull(skb, iph->ihl * 4))
		goto malformed;
	iph = ip_hdr(skb);
	len = ntohs(iph->tot_len);
	if (len > skb->len || len < iph->ihl * 4 ||
	    ip_fast_csum((const u8 *)iph, iph->ihl))
		goto malformed;
	if (pskb_trim_rcsum(skb, len))
		goto malformed;
	iph = ip_hdr(skb);
	if (!iph->ttl) {	/* no router sends this; don't pass it on */
		drop6(priv, skb, outer_len, LW4O6_STAT_DROP_TTL_ZERO_IPV4);
		return;
	}
	/*
	 * A B4 takes only what its AFTR sends, fragments as they are (the
	 * stack reassembles them); an lwB4 only for its address and ports.
	 */
	if (priv->mode != LW4O6_MODE_AFTR) {
		const struct lw4o6_cfg *cfg = rcu_dereference(priv->cfg);

		if (!lw4o6_from_aftr(cfg, &saddr)) {
			drop6(priv, skb, outer_len,
			      LW4O6_STAT_DROP_NO_SOURCE_SOFTWIRE_IPV6);
			return;
		}
		if (priv->mode == LW4O6_MODE_B4 &&
		    !lw4o6_b4_owns(cfg, skb, false) &&
		    !lw4o6_control_b4_in(skb)) {
			drop6(priv, skb, outer_len,
			      LW4O6_STAT_DROP_OUT_OF_PORT_SET_IPV4);
			return;
		}
		/* Both ways: the LAN host's SYN-ACK must not offer more. */
		if (cfg->mss_clamp)
			lw4o6_mss_clamp(skb, READ_ONCE(priv->dev->mtu));
		goto deliver;
	}

	if (iph->daddr == htonl(LW4O6_CONTROL_ADDR)) {
		lw4o6_control_rcv(priv, skb, &saddr, outer_len);
		return;
	}

	/*
	 * A fragment carries no port past the first: reassemble, then check
	 * the datagram.  Only addresses that are bound at all may queue.
	 */
	if (ip_is_fragment(iph)) {
		if (!lw4o6_table_first_of(t, iph->saddr)) {
			err = -EAGAIN;	/* no port to report */
			goto no_binding;
		}
		err = lw4o6_ipv4_defrag(skb);
		if (err == -EINPROGRESS) {
			lw4o6_stat_add(priv, LW4O6_STAT_QUEUED_SOFTWIRE_FRAGMENTS, 1);
			return;
		}
		if (err) {
			lw4o6_stat_add(priv, LW4O6_STAT_DROPPED_IPV4_FRAGMENTS, 1);
			lw4o6_stat_add(priv, LW4O6_STAT_DROPPED_IPV4_FRAGMENT_BYTES,
				       len);
			lw4o6_stat_add(priv, LW4O6_STAT_DROPPED_IPV6_PACKETS, 1);
			lw4o6_stat_add(priv, LW4O6_STAT_DROPPED_IPV6_BYTES,
				       outer_len);
			lw4o6_stat_add(priv, LW4O6_STAT_DROP_MALFORMED, 1);
			return;
		}
		whole = true;
		iph = ip_hdr(skb);
		len = skb->len;
	}

	err = lw4o6_ipv4_port(skb, true, &port);
	b = err ? NULL : lw4o6_table_lookup_port(t, iph->saddr, port);
	if (!b || !ipv6_addr_equal(&b->b4, &saddr))
		goto no_binding;
	/*
	 * The softwire ends at the binding's BR, or at local when it has
	 * none: a B4 sending to another binding's BR (or to local past its
	 * own BR) is on no softwire of ours.
	 */
	if (!ipv6_addr_equal(&daddr, lw4o6_binding_br(t, b) ?:
			     &rcu_dereference(priv->cfg)->local)) {
		drop6(priv, skb, outer_len,
		      LW4O6_STAT_DROP_NO_SOURCE_SOFTWIRE_IPV6);
		return;
	}
	atomic64_inc(&b->rx_packets);
	atomic64_add(len, &b->rx_bytes);
	WRITE_ONCE(b->last_seen, (u32)ktime_get_boottime_seconds() ?: 1);

deliver:
	skb_scrub_packet(skb, false);
	skb->protocol = htons(ETH_P_IP);
	skb->dev = priv->dev;
	skb->pkt_type = PACKET_HOST;
	skb_reset_mac_header(skb);
	skb_reset_transport_header(skb);
	lw4o6_stat_add(priv, LW4O6_STAT_SENT_IPV4_PACKETS, 1);
	lw4o6_stat_add(priv, LW4O6_STAT_SENT_IPV4_BYTES, len);
	netif_rx(skb);
	return;

no_binding:
	src = ip_hdr(skb)->saddr;
	/*
	 * Quote the whole softwire packet back to the B4 (RFC 7596 5.2); a
	 * reassembled datagram has no single softwire packet to quote.
	 * miss-hold keeps the softwire packet as it came: only one with a
	 * port that a binding could let through, never a reassembled one.
	 */
	if (!whole) {
		skb_push_rcsum(skb, off);
		skb_reset_network_header(skb);
		if (!err && !again &&
		    lw4o6_hold_add(priv, skb, off, outer_len, src, port))
			return;
	}
	lw4o6_notify_miss(priv, LW4O6_CMD_EVT_BINDING_MISS, &saddr, src,
			  err ? -1 : port);
	if (!whole)
		lw4o6_icmp6_policy_fail(priv, skb);
	drop6(priv, skb, outer_len, LW4O6_STAT_DROP_NO_SOURCE_SOFTWIRE_IPV6);
	return;

malformed:
	drop6(priv, skb, outer_len, LW4O6_STAT_DROP_MALFORMED);
}

static void lw4o6_decap(struct lw4o6_dev *priv, struct sk_buff *skb,
			unsigned int off)
{
	lw4o6_stat_add(priv, LW4O6_STAT_RCVD_IPV6_PACKETS, 1);
	lw4o6_stat_add(priv, LW4O6_STAT_RCVD_IPV6_BYTES, skb->len);
	decap(priv, skb, off, skb->len, false);
}

void lw4o6_decap_again(struct lw4o6_dev *priv, struct sk_buff *skb,
		       unsigned int off, u32 outer_len)
{
	decap(priv, skb, off, outer_len, true);
}

/*
 * Outer fragments are reassembled by netfilter's IPv6 defrag, in its own
 * queues, and only when they are softwire packets for one of our devices:
 * the rest of the host's IPv6 is left as it was.
 */
static unsigned int lw4o6_gather(struct lw4o6_dev *priv, struct net *net,
				 struct sk_buff *skb)
{
	u32 len = skb->len;
	int err;

	err = nf_ct_frag6_gather(net, skb, IP6_DEFRAG_CONNTRACK_IN);
	if (err == -EINPROGRESS) {
		lw4o6_stat_add(priv, LW4O6_STAT_IPV6_FRAGMENTS_REASSEMBLED, 1);
		lw4o6_stat_add(priv, LW4O6_STAT_IPV6_FRAGMENTS_BYTES_REASSEMBLED,
			       len);
		return NF_STOLEN;
	}
	if (err) {
		lw4o6_stat_add(priv, LW4O6_STAT_RCVD_IPV6_PACKETS, 1);
		lw4o6_stat_add(priv, LW4O6_STAT_RCVD_IPV6_BYTES, len);
		drop6(priv, skb, len, LW4O6_STAT_DROP_MALFORMED);
		return NF_STOLEN;
	}
	lw4o6_stat_add(priv, LW4O6_STAT_IPV6_FRAGMENTS_REASSEMBLED, 1);
	lw4o6_stat_add(priv, LW4O6_STAT_IPV6_FRAGMENTS_BYTES_REASSEMBLED, len);
	return NF_ACCEPT;	/* skb is the whole packet now */
}

static unsigned int lw4o6_nf_in6(void *hook_priv, struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	struct lw4o6_dev *priv;
	__be16 frag_off;
	u8 nexthdr = ip6h->nexthdr;
	int off;

	/* Linux ip6tnl puts a Tunnel Encapsulation Limit option first. */
	if (nexthdr != IPPROTO_IPIP && nexthdr != NEXTHDR_DEST &&
	    nexthdr != NEXTHDR_FRAGMENT && nexthdr != IPPROTO_ICMPV6)
		return NF_ACCEPT;
	priv = lw4o6_dev_by_dst(state->net, &ip6h->daddr);
	/*
	 * An error about what an anycast lwAFTR sent from its unicast
	 * address (encap-unicast) comes back to that address.
	 */
	if (!priv && nexthdr == IPPROTO_ICMPV6)
		priv = lw4o6_dev_by_encap_source(state->net, &ip6h->daddr);
	if (!priv)
		return NF_ACCEPT;
	off = ipv6_skip_exthdr(skb, sizeof(*ip6h), &nexthdr, &frag_off);
	if (off < 0)
		return NF_ACCEPT;
	if (frag_off) {
		/*
		 * A fragment is ours only if it is of a softwire packet.  Past
		 * the first, ipv6_skip_exthdr() stops at the fragment header.
		 */
		if (nexthdr == NEXTHDR_FRAGMENT) {
			const struct frag_hdr *fh;
			struct frag_hdr _fh;

			fh = skb_header_pointer(skb, off, sizeof(_fh), &_fh);
			if (!fh)
				return NF_ACCEPT;
			nexthdr = fh->nexthdr;
		}
		if (nexthdr != IPPROTO_IPIP)
			return NF_ACCEPT;
		if (lw4o6_gather(priv, state->net, skb) == NF_STOLEN)
			return NF_STOLEN;
		nexthdr = ipv6_hdr(skb)->nexthdr;
		off = ipv6_skip_exthdr(skb, sizeof(*ip6h), &nexthdr, &frag_off);
		if (off < 0 || frag_off || nexthdr != IPPROTO_IPIP)
			return NF_ACCEPT;
	}
	if (nexthdr == IPPROTO_ICMPV6)
		return lw4o6_icmp6_error_in(priv, skb, off);
	if (nexthdr != IPPROTO_IPIP)
		return NF_ACCEPT;
	lw4o6_decap(priv, skb, off);
	return NF_STOLEN;
}

/*
 * IPv4 that came out of a softwire is routed here, last in PRE_ROUTING
 * (after DNAT and marks), rather than by ip_rcv_finish(): a hairpinned
 * packet goes back into the device it came from, and the stack would then
 * flag it for an ICMPv4 redirect to the sending B4 whenever the
 * namespace's send_redirects and shared_media allow it (RFC 1812
 * 5.2.7.2).  A B4 behind a softwire never shares a subnet with its next
 * hop, and RFC 7596 6.2 wants the packet simply re-encapsulated: so the
 * flag is cleared whatever the sysctls say, and ip_rcv_finish() keeps
 * the route it finds on the packet.  A failed lookup is left to the stack
 * to redo, count and report.
 */
static unsigned int lw4o6_nf_in4(void *hook_priv, struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	struct net_device *dev = state->in;
	const struct iphdr *iph;

	if (!dev || dev->rtnl_link_ops != &lw4o6_link_ops ||
	    skb_dst(skb) || netif_is_l3_slave(dev))
		return NF_ACCEPT;
	iph = ip_hdr(skb);
	if (ip_route_input_noref(skb, iph->daddr, iph->saddr, iph->tos, dev))
		return NF_ACCEPT;
	IPCB(skb)->flags &= ~IPSKB_DOREDIRECT;
	return NF_ACCEPT;
}

static const struct nf_hook_ops lw4o6_nf_ops[] = {
	{
		.hook		= lw4o6_nf_in6,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_PRE_ROUTING,
		/* After defragmentation and conntrack's own, before NAT. */
		.priority	= NF_IP6_PRI_CONNTRACK_DEFRAG + 1,
	},
	{
		.hook		= lw4o6_nf_in4,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP_PRI_LAST,
	},
};

int lw4o6_receive_net_init(struct net *net)
{
	return nf_register_net_hooks(net, lw4o6_nf_ops,
				     ARRAY_SIZE(lw4o6_nf_ops));
}

void lw4o6_receive_net_exit(struct net *net)
{
	nf_unregister_net_hooks(net, lw4o6_nf_ops, ARRAY_SIZE(lw4o6_nf_ops));
}
