// SPDX-License-Identifier: GPL-2.0
/*
 * Multicast from the module: the "events" group, which `lw4o6 monitor` and
 * lw4o6d listen to, and the "control" group, which carries B4s' PCP to
 * lw4o6d.  Both are per namespace and need CAP_NET_ADMIN to join.
 */
#include <linux/netdevice.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <uapi/linux/lw4o6.h>

#include "device.h"
#include "events.h"
#include "netlink.h"
#include "netlink_bind.h"

static bool have_listeners(struct lw4o6_dev *priv)
{
	return genl_has_listeners(&lw4o6_family, dev_net(priv->dev),
				  LW4O6_MCGRP_EVENTS_ID);
}

/*
 * A notification with its device named, or NULL when nobody listens.
 * portid goes in nlmsg_pid: the requester's, or 0 (events.h).
 */
static struct sk_buff *notify_start(struct lw4o6_dev *priv, u8 cmd, u32 portid,
				    void **hdr, size_t size, gfp_t gfp)
{
	struct sk_buff *skb;

	if (!have_listeners(priv))
		return NULL;
	skb = genlmsg_new(size, gfp);
	if (!skb)
		return NULL;
	*hdr = genlmsg_put(skb, portid, 0, &lw4o6_family, 0, cmd);
	if (!*hdr ||
	    nla_put_u32(skb, LW4O6_A_IFINDEX, priv->dev->ifindex) ||
	    nla_put_string(skb, LW4O6_A_IFNAME, priv->dev->name)) {
		nlmsg_free(skb);
		return NULL;
	}
	return skb;
}

/*
 * To every listener, the requester too if it listens: its port id is in
 * the message for it to recognise its own change, not to leave it out.
 */
static void notify_end(struct lw4o6_dev *priv, struct sk_buff *skb, void *hdr,
		       int err, gfp_t gfp)
{
	if (err) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&lw4o6_family, dev_net(priv->dev), skb, 0,
				LW4O6_MCGRP_EVENTS_ID, gfp);
}

void lw4o6_notify_binding(struct lw4o6_dev *priv, u8 cmd,
			  const struct lw4o6_binding_params *p, u32 portid)
{
	struct sk_buff *skb;
	void *hdr;

	skb = notify_start(priv, cmd, portid, &hdr, NLMSG_GOODSIZE, GFP_KERNEL);
	if (skb)
		notify_end(priv, skb, hdr, lw4o6_put_binding(skb, p),
			   GFP_KERNEL);
}

void lw4o6_notify_count(struct lw4o6_dev *priv, u8 cmd, u32 count,
			u32 portid)
{
	struct sk_buff *skb;
	void *hdr;

	skb = notify_start(priv, cmd, portid, &hdr, NLMSG_GOODSIZE, GFP_KERNEL);
	if (skb)
		notify_end(priv, skb, hdr,
			   nla_put_u32(skb, LW4O6_A_BINDING_COUNT, count),
			   GFP_KERNEL);
}

/*
 * From packet context (softirq): a B4 sent what its binding does not allow
 * (EVT_BINDING_MISS), or an AFTR told our B4 it has no binding for it
 * (EVT_ICMP_NO_BINDING), or a router on the way has no route to it
 * (EVT_ICMP_UNREACHABLE).  At most 10 a second per device, so a misbehaving
 * peer cannot flood the listeners; the counters count every one.  No
 * request caused them: port id 0.
 */
static void notify_miss(struct lw4o6_dev *priv, u8 cmd,
			const struct in6_addr *b4, __be32 ipv4, int port,
			bool held)
{
	struct sk_buff *skb;
	void *hdr;

	skb = notify_start(priv, cmd, 0, &hdr, NLMSG_GOODSIZE, GFP_ATOMIC);
	if (skb)
		notify_end(priv, skb, hdr,
			   nla_put_in6_addr(skb, LW4O6_A_MISS_B4, b4) ||
			   nla_put_be32(skb, LW4O6_A_MISS_IPV4, ipv4) ||
			   (port >= 0 &&
			    nla_put_u16(skb, LW4O6_A_MISS_PORT, port)) ||
			   (held && nla_put_u8(skb, LW4O6_A_MISS_HELD, 1)),
			   GFP_ATOMIC);
}

void lw4o6_notify_miss(struct lw4o6_dev *priv, u8 cmd,
		       const struct in6_addr *b4, __be32 ipv4, int port)
{
	/* Spend the rate only on events somebody will receive. */
	if (!have_listeners(priv) || !__ratelimit(&priv->miss_rs))
		return;
	notify_miss(priv, cmd, b4, ipv4, port, false);
}

/*
 * A miss whose packet miss-hold keeps: lw4o6d must hear of it to let the
 * packet go, so no rate limit here; hold.c sends one per (B4, IPv4, PSID)
 * held, which its queue bounds.
 */
void lw4o6_notify_miss_held(struct lw4o6_dev *priv, const struct in6_addr *b4,
			    __be32 ipv4, u16 port)
{
	notify_miss(priv, LW4O6_CMD_EVT_BINDING_MISS, b4, ipv4, port, true);
}

/*
 * One BFD session's change, as lw4o6d reported it (netlink_bfd.c).  A
 * mass expiry on an lwAFTR brings these by the thousand: each is sized to
 * what it holds rather than NLMSG_GOODSIZE, so a listener's receive
 * buffer (which counts what is allocated) holds as many as it can.
 */
void lw4o6_notify_bfd(struct lw4o6_dev *priv, const struct in6_addr *peer,
		      u8 state, u8 old_state, u8 diag, u32 portid)
{
	size_t size = nla_total_size(sizeof(u32)) +		/* IFINDEX */
		      nla_total_size(IFNAMSIZ) +		/* IFNAME */
		      nla_total_size(sizeof(*peer)) +
		      3 * nla_total_size(sizeof(u8));
	struct sk_buff *skb;
	void *hdr;

	skb = notify_start(priv, LW4O6_CMD_EVT_BFD_CHANGE, portid, &hdr, size,
			   GFP_KERNEL);
	if (skb)
		notify_end(priv, skb, hdr,
			   nla_put_in6_addr(skb, LW4O6_A_BFD_PEER, peer) ||
			   nla_put_u8(skb, LW4O6_A_BFD_STATE, state) ||
			   nla_put_u8(skb, LW4O6_A_BFD_OLD_STATE, old_state) ||
			   nla_put_u8(skb, LW4O6_A_BFD_DIAG, diag),
			   GFP_KERNEL);
}

/*
 * A PCP request from inside a softwire, for lw4o6d (control.c).  Not rate
 * limited here: lw4o6d limits per B4, and a full socket drops (counted).
 */
int lw4o6_notify_control(struct lw4o6_dev *priv, const struct in6_addr *b4,
			 const struct sk_buff *pkt)
{
	struct net *net = dev_net(priv->dev);
	struct sk_buff *skb;
	struct nlattr *a;
	void *hdr;

	if (!genl_has_listeners(&lw4o6_family, net, LW4O6_MCGRP_CONTROL_ID))
		return -ESRCH;
	skb = genlmsg_new(nla_total_size(sizeof(*b4)) +
			  nla_total_size(pkt->len) + 64, GFP_ATOMIC);
	if (!skb)
		return -ENOMEM;
	hdr = genlmsg_put(skb, 0, 0, &lw4o6_family, 0, LW4O6_CMD_EVT_CONTROL);
	if (!hdr || nla_put_u32(skb, LW4O6_A_IFINDEX, priv->dev->ifindex) ||
	    nla_put_in6_addr(skb, LW4O6_A_CTRL_B4, b4) ||
	    !(a = nla_reserve(skb, LW4O6_A_CTRL_PACKET, pkt->len)) ||
	    skb_copy_bits(pkt, 0, nla_data(a), pkt->len)) {
		nlmsg_free(skb);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return genlmsg_multicast_netns(&lw4o6_family, net, skb, 0,
				       LW4O6_MCGRP_CONTROL_ID, GFP_ATOMIC);
}
