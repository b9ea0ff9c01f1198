// SPDX-License-Identifier: GPL-2.0
/*
 * The device options (devopt.h): defaults, checks, and their netlink
 * encoding, the same for rtnetlink and generic netlink.
 */
#include <net/ipv6.h>
#include <net/netlink.h>

#include "b4.h"
#include "device.h"
#include "devopt.h"

struct netlink_range_validation lw4o6_icmp_rate_range = {
	.min = 1,
	.max = 1000000,
};

struct netlink_range_validation lw4o6_control_rate_range = {
	.min = 1,
	.max = 1000000,
};

void lw4o6_cfg_defaults(struct lw4o6_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->hairpin = true;
	cfg->mss_clamp = true;
	cfg->icmp4_errors = true;
	cfg->icmp6_errors = true;
	cfg->icmp_rate = 1000;
	/*
	 * PCP to lw4o6d: a B4 sends a request every few seconds at most
	 * (RFC 6887 retransmits from 3 s), lw4o6d answers 10/s per B4 by
	 * default; 50/s per /56 leaves room for a subscriber with several.
	 * The device's rate is a ceiling on what a flood from many prefixes
	 * costs the daemon, not a share: every prefix competes for it, so a
	 * low one would let such a flood starve the quiet B4s (lw4o6d's own
	 * per-turn bounds keep it responsive below this).
	 */
	cfg->control_rate = 10000;
	cfg->control_prefix_rate = 50;
	cfg->control_prefix_len = 56;
	/* miss-hold is off: a miss is dropped and answered at once. */
	cfg->miss_queue = LW4O6_MISS_QUEUE_DEFAULT;
	/*
	 * One label for the device's life, not one per inner flow as
	 * ip6_tunnel's autoflowlabel makes: routers that hash the outer
	 * header (Linux's policy 0 takes the label) must keep a softwire on
	 * one lwAFTR of an anycast set.  Nonzero (RFC 6437: 0 is "no label",
	 * which some routers hash on the ports instead); random, so B4s
	 * spread over the set.
	 */
	cfg->flow_label = get_random_u32_below(0xfffff) + 1;
}

/* The set's prefix, checked; the cfg keeps it only if all else passes. */
static int accept_from_get(u8 mode, const struct lw4o6_cfg_attrs *a,
			   struct in6_addr *pfx, u8 *len,
			   struct netlink_ext_ack *extack)
{
	struct in6_addr masked;

	if (!a->accept_from && !a->accept_from_len)
		return 0;
	if (mode == LW4O6_MODE_AFTR) {
		NL_SET_ERR_MSG_MOD(extack,
				   "accept-from is for dslite and b4 devices (an lwAFTR takes its B4s from its binding table)");
		return -EINVAL;
	}
	if (!a->accept_from || !a->accept_from_len) {
		NL_SET_ERR_MSG_MOD(extack,
				   "accept-from needs both its prefix and its length");
		return -EINVAL;
	}
	nla_memcpy(pfx, a->accept_from, sizeof(*pfx));
	*len = nla_get_u8(a->accept_from_len);
	if (!*len) {
		if (!ipv6_addr_any(pfx)) {
			NL_SET_ERR_MSG_ATTR(extack, a->accept_from_len,
					    "accept-from /0 would take softwire traffic from anyone");
			return -EINVAL;
		}
		return 0;
	}
	ipv6_addr_prefix(&masked, pfx, *len);
	if (!ipv6_addr_equal(&masked, pfx)) {
		NL_SET_ERR_MSG_ATTR(extack, a->accept_from,
				    "accept-from has bits set past its prefix length");
		return -EINVAL;
	}
	if (ipv6_addr_is_multicast(pfx) || ipv6_addr_any(pfx)) {
		NL_SET_ERR_MSG_ATTR(extack, a->accept_from,
				    "accept-from must be a unicast IPv6 prefix");
		return -EINVAL;
	}
	return 0;
}

bool lw4o6_cfg_attrs_get(struct lw4o6_cfg_attrs *a, struct nlattr *const *tb,
			 const struct lw4o6_devopt_nums *n)
{
	bool any = false;

#define LW4O6_DEVOPT_GET_(P, field, NAME, policy, size)	\
	a->field = tb[n->field];			\
	any |= !!a->field;
	LW4O6_DEVOPTS(LW4O6_DEVOPT_GET_, _)
#undef LW4O6_DEVOPT_GET_
	return any;
}

size_t lw4o6_cfg_size(void)
{
	size_t n = 0;

#define LW4O6_DEVOPT_SIZE_(P, field, NAME, policy, size) n += nla_total_size(size);
	LW4O6_DEVOPTS(LW4O6_DEVOPT_SIZE_, _)
#undef LW4O6_DEVOPT_SIZE_
	return n;
}

/* Applies the given options to cfg (a private copy); all or nothing. */
int lw4o6_cfg_update(struct lw4o6_cfg *cfg, u8 mode,
		     const struct lw4o6_cfg_attrs *a,
		     struct netlink_ext_ack *extack)
{
	struct in6_addr local = cfg->local, src = cfg->icmp_source;
	struct in6_addr remote = cfg->remote, accept = cfg->accept_from;
	u8 accept_len = cfg->accept_from_len;
	bool encap_unicast = cfg->encap_unicast;
	int err;

	if (a->local) {
		nla_memcpy(&local, a->local, sizeof(local));
		if (ipv6_addr_any(&local) || ipv6_addr_is_multicast(&local)) {
			NL_SET_ERR_MSG_ATTR(extack, a->local,
					    "local must be a unicast IPv6 address");
			return -EINVAL;
		}
	}
	if (a->icmp_source) {
		nla_memcpy(&src, a->icmp_source, sizeof(src));
		if (ipv6_addr_is_multicast(&src)) {
			NL_SET_ERR_MSG_ATTR(extack, a->icmp_source,
					    "icmp-source must be a unicast IPv6 address");
			return -EINVAL;
		}
	}
	if (a->remote) {
		if (mode == LW4O6_MODE_AFTR) {
			NL_SET_ERR_MSG_ATTR(extack, a->remote,
					    "remote is for dslite and b4 devices (an lwAFTR has a binding table)");
			return -EINVAL;
		}
		nla_memcpy(&remote, a->remote, sizeof(remote));
		if (ipv6_addr_any(&remote) || ipv6_addr_is_multicast(&remote)) {
			NL_SET_ERR_MSG_ATTR(extack, a->remote,
					    "remote must be a unicast IPv6 address");
			return -EINVAL;
		}
	}
	if (mode != LW4O6_MODE_AFTR && ipv6_addr_any(&remote)) {
		NL_SET_ERR_MSG_MOD(extack, "a dslite or b4 device needs remote (the AFTR's IPv6 address)");
		return -EINVAL;
	}
	if (a->miss_hold && nla_get_u32(a->miss_hold) &&
	    mode != LW4O6_MODE_AFTR) {
		NL_SET_ERR_MSG_ATTR(extack, a->miss_hold,
				    "miss-hold is for aftr devices (a dslite or b4 device has no binding table)");
		return -EINVAL;
	}
	err = accept_from_get(mode, a, &accept, &accept_len, extack);
	if (err)
		return err;
	if (a->encap_unicast) {
		if (mode != LW4O6_MODE_AFTR) {
			NL_SET_ERR_MSG_ATTR(extack, a->encap_unicast,
					    "encap-unicast is for aftr devices");
			return -EINVAL;
		}
		encap_unicast = nla_get_u8(a->encap_unicast);
	}
	if (encap_unicast && ipv6_addr_any(&src)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "encap-unicast needs icmp-source (this lwAFTR's unicast address)");
		return -EINVAL;
	}
	err = lw4o6_b4_cfg_update(cfg, mode, a, extack);
	if (err)
		return err;
	cfg->accept_from = accept;
	cfg->accept_from_len = accept_len;
	cfg->encap_unicast = encap_unicast;
	cfg->local = local;
	cfg->icmp_source = src;
	cfg->remote = remote;
	if (a->hairpin)
		cfg->hairpin = nla_get_u8(a->hairpin);
	if (a->mss_clamp)
		cfg->mss_clamp = nla_get_u8(a->mss_clamp);
	if (a->icmp4_errors)
		cfg->icmp4_errors = nla_get_u8(a->icmp4_errors);
	if (a->icmp6_errors)
		cfg->icmp6_errors = nla_get_u8(a->icmp6_errors);
	if (a->icmp_rate)
		cfg->icmp_rate = nla_get_u32(a->icmp_rate);
	if (a->control_rate)
		cfg->control_rate = nla_get_u32(a->control_rate);
	if (a->control_prefix_rate)
		cfg->control_prefix_rate = nla_get_u32(a->control_prefix_rate);
	if (a->control_prefix_len)
		cfg->control_prefix_len = nla_get_u8(a->control_prefix_len);
	if (a->miss_hold)
		cfg->miss_hold = nla_get_u32(a->miss_hold);
	if (a->miss_queue)
		cfg->miss_queue = nla_get_u32(a->miss_queue);
	return 0;
}

int lw4o6_cfg_put(struct sk_buff *skb, const struct lw4o6_cfg *cfg,
		  const struct lw4o6_devopt_nums *n)
{
	if (nla_put_in6_addr(skb, n->local, &cfg->local) ||
	    (!ipv6_addr_any(&cfg->icmp_source) &&
	     nla_put_in6_addr(skb, n->icmp_source, &cfg->icmp_source)) ||
	    (!ipv6_addr_any(&cfg->remote) &&
	     nla_put_in6_addr(skb, n->remote, &cfg->remote)) ||
	    (cfg->ipv4 &&
	     (nla_put_in_addr(skb, n->ipv4, cfg->ipv4) ||
	      nla_put_u16(skb, n->psid, cfg->psid) ||
	      nla_put_u8(skb, n->psid_len, cfg->psid_len) ||
	      nla_put_u8(skb, n->offset, cfg->offset))) ||
	    nla_put_u8(skb, n->hairpin, cfg->hairpin) ||
	    nla_put_u8(skb, n->mss_clamp, cfg->mss_clamp) ||
	    nla_put_u8(skb, n->icmp4_errors, cfg->icmp4_errors) ||
	    nla_put_u8(skb, n->icmp6_errors, cfg->icmp6_errors) ||
	    nla_put_u32(skb, n->icmp_rate, cfg->icmp_rate) ||
	    nla_put_u32(skb, n->control_rate, cfg->control_rate) ||
	    nla_put_u32(skb, n->control_prefix_rate, cfg->control_prefix_rate) ||
	    nla_put_u8(skb, n->control_prefix_len, cfg->control_prefix_len) ||
	    nla_put_u32(skb, n->miss_hold, cfg->miss_hold) ||
	    nla_put_u32(skb, n->miss_queue, cfg->miss_queue) ||
	    nla_put_u8(skb, n->encap_unicast, cfg->encap_unicast) ||
	    (cfg->accept_from_len &&
	     (nla_put_in6_addr(skb, n->accept_from, &cfg->accept_from) ||
	      nla_put_u8(skb, n->accept_from_len, cfg->accept_from_len))) ||
	    (!ipv6_addr_any(&cfg->remote) &&
	     nla_put_u32(skb, n->flow_label, cfg->flow_label)))
		return -EMSGSIZE;
	return 0;
}
