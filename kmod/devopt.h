/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device options, listed once.
 *
 * A device is configured over two netlink interfaces: rtnetlink
 * (IFLA_LW4O6_* in IFLA_INFO_DATA, `ip link add ... type lw4o6`) and the
 * generic netlink family (LW4O6_A_*, DEV_GET and DEV_SET).  Their attribute
 * numbers differ and are ABI, but every option has the same name suffix,
 * type and checks in both.  So the options are one list, and each
 * interface instantiates from it its policy entries and its number map
 * (struct lw4o6_devopt_nums), through which one gatherer and one encoder
 * serve both.  A new option is one row here plus its meaning in
 * lw4o6_cfg_update() and lw4o6_cfg_put().
 *
 * A row is X(P, field, NAME, policy, size):
 *   P       the interface's attribute prefix (IFLA_LW4O6_ or LW4O6_A_),
 *           passed through so that P##NAME is the attribute
 *   field   the member of struct lw4o6_cfg_attrs and of struct
 *           lw4o6_devopt_nums
 *   NAME    the attribute's name after the prefix, the same in both enums
 *   policy  its nla_policy, the same in both families
 *   size    its payload in a reply (for rtnetlink's get_size)
 *
 * Mode is not here: it is given once, at creation, over rtnetlink only, and
 * reported read-only.  Neither is the MTU, which is rtnetlink's own IFLA_MTU.
 */
#ifndef LW4O6_DEVOPT_H
#define LW4O6_DEVOPT_H

#include <linux/in6.h>
#include <net/netlink.h>
#include <uapi/linux/lw4o6.h>

struct lw4o6_cfg;

/* Not const: 6.1's nla_policy points at a mutable range. */
extern struct netlink_range_validation lw4o6_icmp_rate_range;
extern struct netlink_range_validation lw4o6_control_rate_range;

/* miss-hold (hold.c): ms, and packets per device */
#define LW4O6_MISS_HOLD_MAX	10000
#define LW4O6_MISS_QUEUE_MAX	4096
#define LW4O6_MISS_QUEUE_DEFAULT 256

#define LW4O6_POLICY_IN6	NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr))
#define LW4O6_POLICY_BOOL	NLA_POLICY_MAX(NLA_U8, 1)
/* Reported, never set: the request fails with this message. */
#define LW4O6_POLICY_READ_ONLY	{ .type = NLA_REJECT,			\
				  .reject_message = "the flow label is read only" }

#define LW4O6_DEVOPTS(X, P)						\
	X(P, local,	   LOCAL,	 LW4O6_POLICY_IN6,			\
	  sizeof(struct in6_addr))					\
	X(P, icmp_source,  ICMP_SOURCE,	 LW4O6_POLICY_IN6,			\
	  sizeof(struct in6_addr))					\
	X(P, hairpin,	   HAIRPIN,	 LW4O6_POLICY_BOOL, sizeof(u8))	\
	X(P, icmp4_errors, ICMP4_ERRORS, LW4O6_POLICY_BOOL, sizeof(u8))	\
	X(P, icmp6_errors, ICMP6_ERRORS, LW4O6_POLICY_BOOL, sizeof(u8))	\
	X(P, icmp_rate,	   ICMP_RATE,						\
	  NLA_POLICY_FULL_RANGE(NLA_U32, &lw4o6_icmp_rate_range),		\
	  sizeof(u32))							\
	X(P, remote,	   REMOTE,	 LW4O6_POLICY_IN6,			\
	  sizeof(struct in6_addr))					\
	X(P, ipv4,	   IPV4,	 { .type = NLA_U32 }, sizeof(u32))	\
	X(P, psid,	   PSID,	 { .type = NLA_U16 }, sizeof(u16))	\
	X(P, psid_len,	   PSID_LEN,						\
	  NLA_POLICY_MAX(NLA_U8, LW4O6_PSID_LEN_MAX), sizeof(u8))		\
	X(P, offset,	   OFFSET,						\
	  NLA_POLICY_MAX(NLA_U8, LW4O6_OFFSET_MAX), sizeof(u8))		\
	X(P, mss_clamp,	   MSS_CLAMP,	 LW4O6_POLICY_BOOL, sizeof(u8))	\
	X(P, control_rate, CONTROL_RATE,					\
	  NLA_POLICY_FULL_RANGE(NLA_U32, &lw4o6_control_rate_range),		\
	  sizeof(u32))							\
	X(P, control_prefix_rate, CONTROL_PREFIX_RATE,				\
	  NLA_POLICY_FULL_RANGE(NLA_U32, &lw4o6_control_rate_range),		\
	  sizeof(u32))							\
	X(P, control_prefix_len, CONTROL_PREFIX_LEN,				\
	  NLA_POLICY_RANGE(NLA_U8, 1, 128), sizeof(u8))			\
	X(P, miss_hold,	   MISS_HOLD,						\
	  NLA_POLICY_MAX(NLA_U32, LW4O6_MISS_HOLD_MAX), sizeof(u32))		\
	X(P, miss_queue,   MISS_QUEUE,						\
	  NLA_POLICY_RANGE(NLA_U32, 1, LW4O6_MISS_QUEUE_MAX), sizeof(u32))	\
	X(P, encap_unicast, ENCAP_UNICAST, LW4O6_POLICY_BOOL, sizeof(u8))	\
	X(P, accept_from,  ACCEPT_FROM,	 LW4O6_POLICY_IN6,			\
	  sizeof(struct in6_addr))					\
	X(P, accept_from_len, ACCEPT_FROM_LEN,					\
	  NLA_POLICY_MAX(NLA_U8, 128), sizeof(u8))				\
	X(P, flow_label,   FLOW_LABEL,	 LW4O6_POLICY_READ_ONLY, sizeof(u32))

/*
 * The options as they arrive, from either interface, already checked
 * against its policy; NULL where not given.
 */
#define LW4O6_DEVOPT_ATTR_(P, field, NAME, policy, size)	\
	const struct nlattr *field;
struct lw4o6_cfg_attrs {
	LW4O6_DEVOPTS(LW4O6_DEVOPT_ATTR_, _)
};

/* Where one interface carries each option: its attribute numbers. */
#define LW4O6_DEVOPT_NUM_(P, field, NAME, policy, size)	u16 field;
struct lw4o6_devopt_nums {
	LW4O6_DEVOPTS(LW4O6_DEVOPT_NUM_, _)
};

/* An interface's number map: LW4O6_DEVOPT_NUMS(IFLA_LW4O6_). */
#define LW4O6_DEVOPT_NUMS_(P, field, NAME, policy, size) .field = P##NAME,
#define LW4O6_DEVOPT_NUMS(P)	{ LW4O6_DEVOPTS(LW4O6_DEVOPT_NUMS_, P) }

/* An interface's policy entries, inside its policy array. */
#define LW4O6_DEVOPT_POLICY_(P, field, NAME, policy, size) [P##NAME] = policy,
#define LW4O6_DEVOPT_POLICY(P)	LW4O6_DEVOPTS(LW4O6_DEVOPT_POLICY_, P)

void lw4o6_cfg_defaults(struct lw4o6_cfg *cfg);
/* Gathers the options from a parsed request; false if none was given. */
bool lw4o6_cfg_attrs_get(struct lw4o6_cfg_attrs *a, struct nlattr *const *tb,
			 const struct lw4o6_devopt_nums *n);
int lw4o6_cfg_update(struct lw4o6_cfg *cfg, u8 mode,
		     const struct lw4o6_cfg_attrs *a,
		     struct netlink_ext_ack *extack);
/* The options out, under one interface's numbers. */
int lw4o6_cfg_put(struct sk_buff *skb, const struct lw4o6_cfg *cfg,
		  const struct lw4o6_devopt_nums *n);
/* The most lw4o6_cfg_put() adds. */
size_t lw4o6_cfg_size(void);

#endif /* LW4O6_DEVOPT_H */
