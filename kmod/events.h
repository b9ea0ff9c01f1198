/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the module multicasts (events.c): the "events" group (binding and
 * table changes, binding misses, lw4o6d's BFD changes) and the "control"
 * group (PCP for lw4o6d).
 *
 * portid: an event a netlink request caused carries the requesting
 * socket's port id (info->snd_portid) in nlmsg_pid, as rtnetlink's
 * notifications do, so that a listener that also writes (lw4o6d) can tell
 * its own changes from others'.  An event no request caused (a packet)
 * carries 0.
 */
#ifndef LW4O6_EVENTS_H
#define LW4O6_EVENTS_H

#include <linux/in6.h>
#include <linux/skbuff.h>

struct lw4o6_dev;
struct lw4o6_binding_params;

/* EVT_BIND_ADD, _REPLACE, _DEL: one binding. */
void lw4o6_notify_binding(struct lw4o6_dev *priv, u8 cmd,
			  const struct lw4o6_binding_params *p, u32 portid);
/* EVT_TABLE_FLUSH, _LOAD: the whole table, with a count. */
void lw4o6_notify_count(struct lw4o6_dev *priv, u8 cmd, u32 count,
			u32 portid);
/* From packet context, rate limited, port id 0: EVT_BINDING_MISS,
 * EVT_ICMP_NO_BINDING, EVT_ICMP_UNREACHABLE. */
void lw4o6_notify_miss(struct lw4o6_dev *priv, u8 cmd,
		       const struct in6_addr *b4, __be32 ipv4, int port);
/* EVT_BINDING_MISS with MISS_HELD: not rate limited (hold.c bounds it). */
void lw4o6_notify_miss_held(struct lw4o6_dev *priv, const struct in6_addr *b4,
			    __be32 ipv4, u16 port);
/* EVT_BFD_CHANGE: what lw4o6d's BFD_NOTIFY said; nothing if none listens. */
void lw4o6_notify_bfd(struct lw4o6_dev *priv, const struct in6_addr *peer,
		      u8 state, u8 old_state, u8 diag, u32 portid);
/* A PCP request from inside a softwire, to the "control" group; port id 0. */
int lw4o6_notify_control(struct lw4o6_dev *priv, const struct in6_addr *b4,
			 const struct sk_buff *pkt);

#endif /* LW4O6_EVENTS_H */
