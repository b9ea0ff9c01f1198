// SPDX-License-Identifier: GPL-2.0
/*
 * Control traffic inside the softwires, to and from the well-known
 * addresses 192.0.0.1 (the AFTR) and 192.0.0.2 (the B4) of RFC 6333 5.7.
 *
 * A B4 asks its AFTR for a binding over PCP from inside the softwire,
 * before it has one, so the AFTR cannot know it by its IPv4 source: the
 * outer IPv6 source is its identity.  The AFTR therefore answers pings to
 * 192.0.0.1 here and hands PCP requests (and BFD, RFC 5881, from port
 * 49152 and up to 3784), with that source, to lw4o6d on
 * the "control" netlink group.  Only these few packets leave the data path;
 * data packets are never copied.  lw4o6d sends its answers itself, as
 * IPv4-in-IPv6 through a raw socket.
 */
#include <linux/icmp.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <linux/random.h>
#include <linux/timekeeping.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "control.h"
#include "device.h"
#include "events.h"
#include "icmp.h"
#include "send.h"

static bool is_control(__be32 addr)
{
	return addr == htonl(LW4O6_CONTROL_ADDR);
}

static bool is_b4_control(__be32 addr)
{
	return addr == htonl(LW4O6_B4_CONTROL_ADDR);
}

/* The L4 checksum over the whole datagram at off; what the answer trusts. */
static bool l4_csum_ok(struct sk_buff *skb, unsigned int off, bool udp)
{
	const struct iphdr *iph = ip_hdr(skb);
	__wsum csum = skb_checksum(skb, off, skb->len - off, 0);

	if (!udp)
		return !csum_fold(csum);
	if (!udp_hdr(skb)->check)	/* UDP over IPv4 may leave it out */
		return true;
	return !csum_tcpudp_magic(iph->saddr, iph->daddr, skb->len - off,
				  IPPROTO_UDP, csum);
}

static void control_drop_why(struct lw4o6_dev *priv, struct sk_buff *skb,
			     u32 outer_len, enum lw4o6_stat why)
{
	lw4o6_stat_add(priv, LW4O6_STAT_DROPPED_IPV6_PACKETS, 1);
	lw4o6_stat_add(priv, LW4O6_STAT_DROPPED_IPV6_BYTES, outer_len);
	lw4o6_stat_add(priv, why, 1);
	kfree_skb(skb);
}

static void control_drop(struct lw4o6_dev *priv, struct sk_buff *skb,
			 u32 outer_len)
{
	control_drop_why(priv, skb, outer_len, LW4O6_STAT_DROP_CONTROL_IPV4);
}

void lw4o6_control_limit_init(struct lw4o6_control_limit *l)
{
	spin_lock_init(&l->lock);
	get_random_bytes(&l->key, sizeof(l->key));
}

/* May this B4 (its outer source) pass one more PCP message to lw4o6d? */
static bool control_allow(struct lw4o6_dev *priv, const struct lw4o6_cfg *cfg,
			  const struct in6_addr *b4)
{
	struct lw4o6_control_limit *l = &priv->control;
	struct lw4o6_bucket *slot;
	struct in6_addr prefix;
	bool ok;
	u64 now;

	ipv6_addr_prefix(&prefix, b4, cfg->control_prefix_len);
	slot = &l->prefix[siphash(&prefix, sizeof(prefix), &l->key) %
			  LW4O6_CONTROL_SLOTS];
	spin_lock_bh(&l->lock);
	now = ktime_get_mono_fast_ns();		/* never behind a bucket's last */
	/* The prefix's own share first: what it is refused costs the device nothing. */
	ok = lw4o6_bucket_take(slot, cfg->control_prefix_rate, now) &&
	     lw4o6_bucket_take(&l->dev, cfg->control_rate, now);
	spin_unlock_bh(&l->lock);
	return ok;
}

/* Turns the echo request around, in place, and sends it back. */
static void control_echo(struct lw4o6_dev *priv, struct sk_buff *skb,
			 const struct in6_addr *b4, u32 outer_len)
{
	const struct lw4o6_cfg *cfg = rcu_dereference(priv->cfg);
	unsigned int ihl = ip_hdr(skb)->ihl * 4;
	struct icmphdr *icmph;
	struct iphdr *iph;
	__be32 addr;

	if (skb_ensure_writable(skb, ihl + sizeof(*icmph)) ||
	    !l4_csum_ok(skb, ihl, false) ||
	    !lw4o6_icmp4_allow(priv)) {
		control_drop(priv, skb, outer_len);
		return;
	}
	iph = ip_hdr(skb);
	icmph = (struct icmphdr *)(skb->data + ihl);
	addr = iph->saddr;
	iph->saddr = iph->daddr;
	iph->daddr = addr;
	iph->ttl = READ_ONCE(dev_net(priv->dev)->ipv4.sysctl_ip_default_ttl);
	ip_send_check(iph);
	icmph->type = ICMP_ECHOREPLY;
	csum_replace2(&icmph->checksum, htons(ICMP_ECHO << 8),
		      htons(ICMP_ECHOREPLY << 8));
	lw4o6_stat_add(priv, LW4O6_STAT_CONTROL_IPV4_PACKETS, 1);
	lw4o6_encap(priv, skb, &cfg->local, b4, NULL, false, skb->len);
}

void lw4o6_control_rcv(struct lw4o6_dev *priv, struct sk_buff *skb,
		       const struct in6_addr *b4, u32 outer_len)
{
	const struct iphdr *iph = ip_hdr(skb);
	unsigned int ihl = iph->ihl * 4;
	const struct udphdr *uh;

	/* Control messages are small: a fragment is not one. */
	if (ip_is_fragment(iph))
		goto drop;
	skb_set_transport_header(skb, ihl);
	if (iph->protocol == IPPROTO_ICMP) {
		if (!pskb_may_pull(skb, ihl + sizeof(struct icmphdr)))
			goto drop;
		if (icmp_hdr(skb)->type != ICMP_ECHO ||
		    icmp_hdr(skb)->code)
			goto drop;
		control_echo(priv, skb, b4, outer_len);
		return;
	}
	if (iph->protocol != IPPROTO_UDP ||
	    !pskb_may_pull(skb, ihl + sizeof(*uh)))
		goto drop;
	uh = udp_hdr(skb);
	/* PCP, or BFD from a source port RFC 5881 allows */
	if ((uh->dest != htons(LW4O6_CONTROL_PORT) &&
	     (uh->dest != htons(LW4O6_BFD_PORT) ||
	      ntohs(uh->source) < LW4O6_BFD_SRC_MIN)) ||
	    ntohs(uh->len) != skb->len - ihl || skb->len > LW4O6_CONTROL_MAX)
		goto drop;
	/* Before the checksum: a flood should cost as little as it can. */
	if (!control_allow(priv, rcu_dereference(priv->cfg), b4)) {
		control_drop_why(priv, skb, outer_len,
				 LW4O6_STAT_DROP_OVER_RATE_LIMIT_CONTROL);
		return;
	}
	/*
	 * A datagram from a socket on this host's other side of a veth (a
	 * stock B4's bfdd or PCP client in a namespace) still has its UDP
	 * checksum to be written (CHECKSUM_PARTIAL: ip6tnl and veth offload
	 * it): write it now, for our check and for lw4o6d's, which reads
	 * the datagram whole.
	 */
	if (skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb))
		goto drop;
	if (!l4_csum_ok(skb, ihl, true))
		goto drop;
	if (lw4o6_notify_control(priv, b4, skb))
		goto drop;
	lw4o6_stat_add(priv, LW4O6_STAT_CONTROL_IPV4_PACKETS, 1);
	consume_skb(skb);
	return;
drop:
	control_drop(priv, skb, outer_len);
}

/*
 * 192.0.0.2 -> 192.0.0.1 from this host: only the B4's own (a LAN host
 * claiming 192.0.0.2 is routed, not local).
 */
bool lw4o6_control_b4_pair(const struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);

	return !skb->skb_iif && is_b4_control(iph->saddr) &&
	       is_control(iph->daddr);
}

/*
 * What of the control pair may pass, one way or the other: UDP between
 * the given ports (PCP), UDP to BFD's port from bfd_lo..bfd_hi, or one
 * ICMP type.  Whole datagrams only: control messages are small, and a
 * later fragment has no ports to check.
 */
static bool control_allowed(const struct sk_buff *skb, __be16 sport,
			    __be16 dport, u16 bfd_lo, u16 bfd_hi, u8 icmp_type)
{
	const struct iphdr *iph = ip_hdr(skb);
	unsigned int ihl = iph->ihl * 4;

	if (ip_is_fragment(iph))
		return false;
	if (iph->protocol == IPPROTO_UDP) {
		struct udphdr _uh;
		const struct udphdr *uh;

		uh = skb_header_pointer(skb, skb_network_offset(skb) + ihl,
					sizeof(_uh), &_uh);
		if (!uh)
			return false;
		if (uh->dest == htons(LW4O6_BFD_PORT))
			return ntohs(uh->source) >= bfd_lo &&
			       ntohs(uh->source) <= bfd_hi;
		return uh->source == sport && uh->dest == dport;
	}
	if (iph->protocol == IPPROTO_ICMP) {
		struct icmphdr _ih;
		const struct icmphdr *ih;

		ih = skb_header_pointer(skb, skb_network_offset(skb) + ihl,
					sizeof(_ih), &_ih);
		return ih && ih->type == icmp_type && !ih->code;
	}
	return false;
}

/*
 * Out: only what lw4o6d and the operator's checks send, so that no local
 * process can speak to the AFTR for the B4 (and take its PCP mapping):
 *  - PCP requests, UDP 5350 -> 5351 (RFC 6887 client to server);
 *  - BFD, UDP 49152 -> 3784 (lw4o6d's one source port, RFC 5881);
 *  - ICMP echo requests (ping 192.0.0.1, liveness of the softwire).
 * A protocol added later on this path names its ports here.
 */
bool lw4o6_control_b4_out(const struct sk_buff *skb)
{
	return lw4o6_control_b4_pair(skb) && lw4o6_control_b4_sendable(skb);
}

/*
 * Whether skb (at an IPv4 header) is control traffic a B4 may send, as
 * above, wherever it was seen: an ICMPv6 error's quote is checked with it,
 * so that an error about anything else on the pair, which the B4 never
 * sends, is known for a forgery.
 */
bool lw4o6_control_b4_sendable(const struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);

	return is_b4_control(iph->saddr) && is_control(iph->daddr) &&
	       control_allowed(skb, htons(LW4O6_B4_CONTROL_PORT),
			       htons(LW4O6_CONTROL_PORT), LW4O6_B4_BFD_PORT,
			       LW4O6_B4_BFD_PORT, ICMP_ECHO);
}

/*
 * In: the answers to the above and nothing else, since a spoofed outer
 * source would otherwise reach any service of the CPE past the port-set
 * check:
 *  - PCP answers and ANNOUNCEs, UDP 5351 -> 5350;
 *  - the AFTR's BFD, UDP 49152-65535 -> 3784 (whatever port its BFD
 *    chose: lw4o6d's responder, or FRR's bfdd on a stock AFTR);
 *  - ICMP echo replies.
 */
bool lw4o6_control_b4_in(const struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);

	return is_control(iph->saddr) && is_b4_control(iph->daddr) &&
	       control_allowed(skb, htons(LW4O6_CONTROL_PORT),
			       htons(LW4O6_B4_CONTROL_PORT), LW4O6_BFD_SRC_MIN,
			       65535, ICMP_ECHOREPLY);
}
