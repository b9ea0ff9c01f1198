// SPDX-License-Identifier: GPL-2.0
/*
 * BFD_NOTIFY: lw4o6d runs the BFD sessions (the B4's with its AFTR, the
 * lwAFTR's with every B4) and tells the module of each change, so that
 * one `lw4o6 monitor` shows them beside the device's other events.  The
 * module knows nothing of sessions and keeps nothing: it checks the
 * change and multicasts it (events.c), which costs nothing beyond the
 * checks when nobody listens, the common case on an lwAFTR whose million
 * sessions may all expire at once.  The family's policy has checked the
 * ranges, its pre_doit the device (an lw4o6 one, in the caller's
 * namespace), the core CAP_NET_ADMIN over that namespace.
 */
#include <net/genetlink.h>
#include <uapi/linux/lw4o6.h>

#include "device.h"
#include "events.h"
#include "netlink.h"
#include "netlink_bfd.h"

int lw4o6_nl_bfd_notify(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **a = info->attrs;
	struct in6_addr peer;
	u8 state, old;

	if (GENL_REQ_ATTR_CHECK(info, LW4O6_A_BFD_PEER) ||
	    GENL_REQ_ATTR_CHECK(info, LW4O6_A_BFD_STATE) ||
	    GENL_REQ_ATTR_CHECK(info, LW4O6_A_BFD_OLD_STATE) ||
	    GENL_REQ_ATTR_CHECK(info, LW4O6_A_BFD_DIAG)) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "a BFD change needs peer, state, old state and diagnostic");
		return -EINVAL;
	}
	state = nla_get_u8(a[LW4O6_A_BFD_STATE]);
	old = nla_get_u8(a[LW4O6_A_BFD_OLD_STATE]);
	if (state == old) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[LW4O6_A_BFD_STATE],
				    "lw4o6: a BFD change needs a state other than the old one");
		return -EINVAL;
	}
	nla_memcpy(&peer, a[LW4O6_A_BFD_PEER], sizeof(peer));
	lw4o6_notify_bfd(lw4o6_nl_dev(info), &peer, state, old,
			 nla_get_u8(a[LW4O6_A_BFD_DIAG]), info->snd_portid);
	return 0;
}
