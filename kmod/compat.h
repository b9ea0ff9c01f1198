/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels we support (6.1 .. 6.12), in one place.
 * The LW4O6_HAVE_* symbols come from header probes in kmod/Kbuild, so this
 * file follows what the headers really contain (distribution backports
 * included) rather than version numbers.
 */
#ifndef LW4O6_COMPAT_H
#define LW4O6_COMPAT_H

#include <linux/netdevice.h>
#include <net/genetlink.h>

static inline struct nlattr **lw4o6_dump_attrs(struct netlink_callback *cb)
{
#ifdef LW4O6_HAVE_DUMPIT_INFO_INFO
	return genl_dumpit_info(cb)->info.attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

/*
 * The operation a family's pre_doit/post_doit are given: a split op (one of
 * do or dump) since 6.2, the whole genl_ops before.
 */
#ifdef LW4O6_HAVE_GENL_SPLIT_OPS
#define lw4o6_genl_op genl_split_ops
#else
#define lw4o6_genl_op genl_ops
#endif

static inline void lw4o6_dev_set_lltx(struct net_device *dev)
{
#ifdef LW4O6_HAVE_DEV_LLTX
	dev->lltx = true;
#else
	dev->features |= NETIF_F_LLTX;
#endif
}

static inline void lw4o6_dev_set_netns_local(struct net_device *dev)
{
#ifdef LW4O6_HAVE_DEV_NETNS_LOCAL
	dev->netns_local = true;
#else
	dev->features |= NETIF_F_NETNS_LOCAL;
#endif
}

/*
 * Formatted extack messages (6.2+) name the offending values; older kernels
 * get the plain text.
 */
#ifdef NL_SET_ERR_MSG_FMT_MOD
#define lw4o6_err(extack, plain, fmt, ...) \
	NL_SET_ERR_MSG_FMT_MOD(extack, fmt, ##__VA_ARGS__)
#define lw4o6_err_attr(extack, attr, plain, fmt, ...) \
	NL_SET_ERR_MSG_ATTR_FMT(extack, attr, "lw4o6: " fmt, ##__VA_ARGS__)
#else
#define lw4o6_err(extack, plain, fmt, ...) NL_SET_ERR_MSG_MOD(extack, plain)
#define lw4o6_err_attr(extack, attr, plain, fmt, ...) \
	NL_SET_ERR_MSG_ATTR(extack, attr, "lw4o6: " plain)
#endif

#endif /* LW4O6_COMPAT_H */
