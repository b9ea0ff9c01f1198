// SPDX-License-Identifier: GPL-2.0
/*
 * lwB4 (RFC 7596 section 5.1): everything that leaves through a b4 device
 * is NAPTed into the device's one IPv4 address and port set, by the
 * kernel's own conntrack and nf_nat, so timeouts, helpers, `conntrack -L`
 * and the operator's nftables rules keep working.
 *
 * Our source-NAT lookup runs in nf_nat's POST_ROUTING chain list at
 * NF_IP_PRI_NAT_SRC - 1, ahead of the operator's srcnat chains: for flows
 * leaving through a b4 device it picks the port, and nf_nat then runs no
 * other lookup for them.  nf_nat ranges are contiguous and a port set with
 * an offset is not, so we pick the port ourselves and give nf_nat a range
 * of one.  Whatever an earlier chain may have done, the device itself
 * drops a packet whose port is outside the set (drop-out-of-port-set-ipv4).
 */
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/random.h>
#include <linux/tcp.h>
#include <net/ip.h>
#include <net/tcp.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_nat.h>
#include <net/netns/generic.h>
#include <lw4o6/psid.h>

#include "b4.h"
#include "control.h"
#include "device.h"
#include "devopt.h"
#include "receive.h"

struct b4_net {
	bool nat;	/* our NAT lookup is registered here (RTNL) */
};

static unsigned int b4_net_id __read_mostly;

static bool has_ports(u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	       proto == IPPROTO_UDPLITE || proto == IPPROTO_SCTP ||
	       proto == IPPROTO_DCCP || proto == IPPROTO_ICMP;
}

/* The n-th port of the set, 0 <= n < lw4o6_set_size(). */
static u16 set_port(const struct lw4o6_cfg *c, u32 n)
{
	unsigned int m = 16 - c->offset - c->psid_len;

	return lw4o6_range_first(n >> m, c->offset, c->psid_len, c->psid) +
	       (n & ((1U << m) - 1));
}

static bool in_set(const struct lw4o6_cfg *c, u16 port)
{
	return lw4o6_port_in_set(port, c->offset, c->psid_len, c->psid);
}

static bool tuple_free(struct nf_conntrack_tuple *t, u16 port,
		       const struct nf_conn *ct)
{
	struct nf_conntrack_tuple reply;

	t->src.u.all = htons(port);	/* also the ICMP identifier */
	nf_ct_invert_tuple(&reply, t);
	return !nf_conntrack_tuple_taken(&reply, ct);
}

/*
 * Probes per new flow, as nf_nat_l4proto_unique_tuple() bounds its own:
 * 128 ports in a row from a random place, then half as many from another,
 * down to 16 (240 in all).  A full or nearly full set then refuses the
 * flow instead of walking up to 65536 ports per packet in softirq.
 */
#define LW4O6_PICK_ATTEMPTS	128
#define LW4O6_PICK_ATTEMPTS_MIN	16

/*
 * A free port of the set for ct: its own when that is in the set and free
 * (a LAN server keeps its port), else a free one from a random place in
 * the set.  Never port 0, which a set without offset holds (PSID 0) but
 * which no TCP or UDP peer accepts as a source.
 */
static int pick_port(const struct nf_conn *ct, const struct lw4o6_cfg *c,
		     u16 *port)
{
	struct nf_conntrack_tuple t = ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	u32 n = lw4o6_set_size(c->offset, c->psid_len), i, k;
	u32 attempts = min_t(u32, n, LW4O6_PICK_ATTEMPTS);
	u16 orig = ntohs(t.src.u.all), p;

	t.src.u3.ip = c->ipv4;
	if (orig && in_set(c, orig) && tuple_free(&t, orig, ct)) {
		*port = orig;
		return 0;
	}
	for (;;) {
		k = (u32)(((u64)get_random_u32() * n) >> 32);
		for (i = 0; i < attempts; i++, k = k + 1 == n ? 0 : k + 1) {
			p = set_port(c, k);
			if (p && tuple_free(&t, p, ct)) {
				*port = p;
				return 0;
			}
		}
		if (attempts >= n || attempts <= LW4O6_PICK_ATTEMPTS_MIN)
			return -ENOSPC;
		attempts /= 2;
	}
}

static unsigned int b4_nat(void *unused, struct sk_buff *skb,
			   const struct nf_hook_state *state)
{
	struct net_device *out = state->out;
	struct nf_nat_range2 range = {};
	enum ip_conntrack_info ctinfo;
	const struct lw4o6_cfg *c;
	struct lw4o6_dev *priv;
	enum lw4o6_stat why;
	struct nf_conn *ct;
	u16 port;

	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || !out || out->rtnl_link_ops != &lw4o6_link_ops)
		return NF_ACCEPT;
	priv = netdev_priv(out);
	if (priv->mode != LW4O6_MODE_B4)
		return NF_ACCEPT;
	if (lw4o6_control_b4_pair(skb)) {
		/* PCP to the AFTR, before any binding; nothing else */
		if (lw4o6_control_b4_out(skb))
			return NF_ACCEPT;
		why = LW4O6_STAT_DROP_CONTROL_IPV4;
		goto drop;
	}
	c = rcu_dereference(priv->cfg);
	why = LW4O6_STAT_DROP_NOT_FORWARDING;		/* no binding yet */
	if (!c->ipv4)
		goto drop;
	why = LW4O6_STAT_DROP_OUT_OF_PORT_SET_IPV4;	/* no ports to share */
	if (!has_ports(nf_ct_protonum(ct)))
		goto drop;
	why = LW4O6_STAT_DROP_PORT_SET_EXHAUSTED;
	if (pick_port(ct, c, &port))
		goto drop;
	range.flags = NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED;
	range.min_addr.ip = c->ipv4;
	range.max_addr.ip = c->ipv4;
	range.min_proto.all = htons(port);
	range.max_proto.all = htons(port);
	return nf_nat_setup_info(ct, &range, NF_NAT_MANIP_SRC);

drop:
	/* Routed into the device: it counts as having entered it. */
	lw4o6_stat_add(priv, LW4O6_STAT_RCVD_IPV4_PACKETS, 1);
	lw4o6_stat_add(priv, LW4O6_STAT_RCVD_IPV4_BYTES, skb->len);
	lw4o6_stat_add(priv, LW4O6_STAT_DROPPED_IPV4_PACKETS, 1);
	lw4o6_stat_add(priv, LW4O6_STAT_DROPPED_IPV4_BYTES, skb->len);
	lw4o6_stat_add(priv, why, 1);
	return NF_DROP;
}

static const struct nf_hook_ops b4_nat_ops = {
	.hook		= b4_nat,
	.pf		= NFPROTO_IPV4,
	.hooknum	= NF_INET_POST_ROUTING,
	.priority	= NF_IP_PRI_NAT_SRC - 1,
};

int lw4o6_b4_net_enable(struct net *net)
{
	struct b4_net *bn = net_generic(net, b4_net_id);
	int err;

	ASSERT_RTNL();
	if (bn->nat)
		return 0;
	err = nf_ct_netns_get(net, NFPROTO_IPV4);
	if (err)
		return err;
	err = nf_nat_ipv4_register_fn(net, &b4_nat_ops);
	if (err) {
		nf_ct_netns_put(net, NFPROTO_IPV4);
		return err;
	}
	bn->nat = true;
	return 0;
}

/*
 * Kept until the namespace goes (or the module): a namespace that had a
 * lwB4 keeps conntrack on, rather than races between device removal and
 * new flows.  Our pernet exit runs before nf_nat's and conntrack's, whose
 * modules were loaded first.
 */
static void __net_exit b4_net_exit(struct net *net)
{
	struct b4_net *bn = net_generic(net, b4_net_id);

	if (!bn->nat)
		return;
	nf_nat_ipv4_unregister_fn(net, &b4_nat_ops);
	nf_ct_netns_put(net, NFPROTO_IPV4);
	bn->nat = false;
}

static struct pernet_operations b4_net_ops = {
	.exit	= b4_net_exit,
	.id	= &b4_net_id,
	.size	= sizeof(struct b4_net),
};

int lw4o6_b4_init(void)
{
	return register_pernet_subsys(&b4_net_ops);
}

void lw4o6_b4_uninit(void)
{
	unregister_pernet_subsys(&b4_net_ops);
}

int lw4o6_b4_cfg_update(struct lw4o6_cfg *cfg, u8 mode,
			const struct lw4o6_cfg_attrs *a,
			struct netlink_ext_ack *extack)
{
	__be32 ipv4 = cfg->ipv4;
	u16 psid = cfg->psid;
	u8 k = cfg->psid_len, off = cfg->offset;

	if (mode != LW4O6_MODE_B4) {
		const struct nlattr *bad = a->ipv4 ?: a->psid ?: a->psid_len ?:
					   a->offset;

		if (!bad)
			return 0;
		NL_SET_ERR_MSG_ATTR(extack, bad,
				    "ipv4, psid and offset are for b4 devices");
		return -EINVAL;
	}
	if (a->ipv4)
		ipv4 = nla_get_in_addr(a->ipv4);
	if (a->psid)
		psid = nla_get_u16(a->psid);
	if (a->psid_len)
		k = nla_get_u8(a->psid_len);
	if (a->offset)
		off = nla_get_u8(a->offset);
	/* 0.0.0.0: no binding yet (lw4o6d asks the AFTR for one) */
	if (ipv4 && (ipv4_is_multicast(ipv4) || ipv4_is_lbcast(ipv4) ||
		     ipv4_is_zeronet(ipv4))) {
		NL_SET_ERR_MSG_MOD(extack, "ipv4 must be a unicast IPv4 address, or 0.0.0.0 for none yet");
		return -EINVAL;
	}
	if (!lw4o6_psid_shape_valid(off, k)) {
		NL_SET_ERR_MSG_MOD(extack, "offset + psid length must not exceed 16");
		return -EINVAL;
	}
	if (!lw4o6_psid_valid(k, psid)) {
		NL_SET_ERR_MSG_MOD(extack, "psid does not fit in its length");
		return -EINVAL;
	}
	cfg->ipv4 = ipv4;
	cfg->psid = psid;
	cfg->psid_len = k;
	cfg->offset = off;
	return 0;
}

/* The port a conntrack entry's NATed side uses (the ICMP id for ICMP). */
static u16 ct_b4_port(const struct nf_conn *ct)
{
	const struct nf_conntrack_tuple *r = &ct->tuplehash[IP_CT_DIR_REPLY].tuple;

	return ntohs(nf_ct_protonum(ct) == IPPROTO_ICMP ? r->src.u.all :
		     r->dst.u.all);
}

static int out_of_set(struct nf_conn *ct, void *data)
{
	const struct lw4o6_cfg **c = data;	/* old, new */
	const struct nf_conntrack_tuple *r;

	if (nf_ct_l3num(ct) != NFPROTO_IPV4 || !(ct->status & IPS_SRC_NAT))
		return 0;
	r = &ct->tuplehash[IP_CT_DIR_REPLY].tuple;
	if (r->dst.u3.ip != c[0]->ipv4)
		return 0;	/* not one of ours */
	return r->dst.u3.ip != c[1]->ipv4 || !in_set(c[1], ct_b4_port(ct));
}

void lw4o6_b4_flush(struct lw4o6_dev *priv, const struct lw4o6_cfg *old,
		    const struct lw4o6_cfg *new)
{
	const struct lw4o6_cfg *c[2] = { old, new };
	struct nf_ct_iter_data d = { .net = dev_net(priv->dev), .data = c };

	/* new stays priv's cfg, and flushes run in order, only under it */
	lockdep_assert_held(&priv->lock);
	if (old->ipv4 == new->ipv4 && old->psid == new->psid &&
	    old->psid_len == new->psid_len && old->offset == new->offset)
		return;
	/* New flows see the new set from here on. */
	synchronize_net();
	nf_ct_iterate_cleanup_net(out_of_set, &d);
}

/*
 * out: leaving through the device (our address and port as the source);
 * else arriving from the AFTR (as the destination).  Past the first
 * fragment only the address can be checked.
 */
bool lw4o6_b4_owns(const struct lw4o6_cfg *cfg, const struct sk_buff *skb,
		   bool out)
{
	const struct iphdr *iph = ip_hdr(skb);
	int err;
	u16 port;

	if ((out ? iph->saddr : iph->daddr) != cfg->ipv4)
		return false;
	err = lw4o6_ipv4_port(skb, out, &port);
	if (err == -EAGAIN)
		return true;
	return !err && in_set(cfg, port);
}

/*
 * TCP MSS clamping (on B4s by default): a SYN's MSS option is lowered to
 * what fits the device MTU, so hosts behind a 1500-byte LAN never send
 * segments the softwire would have to fragment.  skb is at IPv4.
 */
void lw4o6_mss_clamp(struct sk_buff *skb, unsigned int mtu)
{
	const struct iphdr *iph = ip_hdr(skb);
	unsigned int thoff = iph->ihl * 4, optlen, i;
	u16 mss = mtu - sizeof(struct iphdr) - sizeof(struct tcphdr);
	struct tcphdr *th;
	u8 *opt;

	if (iph->protocol != IPPROTO_TCP || ip_is_fragment(iph) ||
	    !pskb_may_pull(skb, thoff + sizeof(*th)))
		return;
	th = (struct tcphdr *)(skb->data + thoff);
	if (!th->syn || th->doff * 4 < sizeof(*th))
		return;
	optlen = th->doff * 4 - sizeof(*th);
	if (!optlen || skb_ensure_writable(skb, thoff + th->doff * 4))
		return;
	th = (struct tcphdr *)(skb->data + thoff);
	opt = (u8 *)(th + 1);
	for (i = 0; i < optlen; ) {
		if (opt[i] == TCPOPT_EOL)
			return;
		if (opt[i] == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= optlen || opt[i + 1] < 2 || i + opt[i + 1] > optlen)
			return;
		if (opt[i] == TCPOPT_MSS && opt[i + 1] == TCPOLEN_MSS) {
			__be16 old, new = htons(mss);

			memcpy(&old, &opt[i + 2], sizeof(old));	/* unaligned */
			if (ntohs(old) <= mss)
				return;
			memcpy(&opt[i + 2], &new, sizeof(new));
			inet_proto_csum_replace2(&th->check, skb, old, new, false);
			return;
		}
		i += opt[i + 1];
	}
}
