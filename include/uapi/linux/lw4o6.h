/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * lw4o6: Lightweight 4over6 (RFC 7596) and DS-Lite (RFC 6333) softwires.
 *
 * This header is the whole userspace ABI of lw4o6.ko.  It is shared verbatim
 * by the kernel module and by the lw4o6/lw4o6d programs; see docs/netlink.md.
 *
 * Two netlink interfaces:
 *
 *  - rtnetlink link type "lw4o6" (RTM_NEWLINK/RTM_DELLINK with IFLA_INFO_KIND
 *    "lw4o6"): creates and deletes devices; IFLA_LW4O6_* below go in
 *    IFLA_INFO_DATA.
 *
 *  - generic netlink family "lw4o6": device get/set, the binding table,
 *    transactional bulk load, statistics, and the "events" multicast group.
 *    Every command names its device by LW4O6_A_IFINDEX or LW4O6_A_IFNAME,
 *    resolved in the requesting socket's network namespace.
 */
#ifndef _UAPI_LINUX_LW4O6_H
#define _UAPI_LINUX_LW4O6_H

#include <linux/types.h>

#define LW4O6_GENL_NAME		"lw4o6"
#define LW4O6_GENL_VERSION	1
#define LW4O6_MCGRP_EVENTS	"events"
/*
 * Softwire control traffic for the provisioning daemon (lw4o6d): PCP
 * requests a B4 sends inside its softwire to LW4O6_CONTROL_ADDR.  Joining
 * needs CAP_NET_ADMIN, like every write.
 */
#define LW4O6_MCGRP_CONTROL	"control"
/* RFC 6333 5.7 / RFC 7596 5.1: the AFTR's and the B4's well-known addresses */
#define LW4O6_CONTROL_ADDR	0xc0000001	/* 192.0.0.1, host order */
#define LW4O6_B4_CONTROL_ADDR	0xc0000002	/* 192.0.0.2 */
#define LW4O6_CONTROL_PORT	5351		/* PCP server (RFC 6887) */
#define LW4O6_B4_CONTROL_PORT	5350		/* PCP client */
#define LW4O6_CONTROL_MAX	1500		/* largest LW4O6_A_CTRL_PACKET */
/*
 * BFD inside the softwire (RFC 5881): to port 3784 from 49152-65535; a B4
 * (lw4o6d) sends from 49152 only, so that no other local process can
 * speak for it.
 */
#define LW4O6_BFD_PORT		3784
#define LW4O6_BFD_SRC_MIN	49152
#define LW4O6_B4_BFD_PORT	49152
#define LW4O6_LINK_KIND		"lw4o6"

/* Largest PSID length and offset (RFC 7597 5.1: a + k <= 16). */
#define LW4O6_PSID_LEN_MAX	16
#define LW4O6_OFFSET_MAX	15

enum lw4o6_mode {
	LW4O6_MODE_UNSPEC,
	LW4O6_MODE_AFTR,	/* lwAFTR: binding table, checked decap */
	LW4O6_MODE_B4,		/* lwB4: one binding, NAPT44 in its port set */
	LW4O6_MODE_DSLITE,	/* plain DS-Lite B4 */
	__LW4O6_MODE_MAX
};
#define LW4O6_MODE_MAX (__LW4O6_MODE_MAX - 1)

/* rtnetlink IFLA_INFO_DATA attributes. */
enum {
	IFLA_LW4O6_UNSPEC,
	IFLA_LW4O6_MODE,	/* u8, enum lw4o6_mode; required */
	IFLA_LW4O6_LOCAL,	/* binary, struct in6_addr; required */
	IFLA_LW4O6_ICMP_SOURCE,	/* binary, struct in6_addr; default: local */
	IFLA_LW4O6_HAIRPIN,	/* u8 0/1, default 1 */
	IFLA_LW4O6_ICMP4_ERRORS, /* u8 0/1, default 1 */
	IFLA_LW4O6_ICMP6_ERRORS, /* u8 0/1, default 1 */
	IFLA_LW4O6_ICMP_RATE,	/* u32, errors per second, 1..1000000, default 1000 */
	IFLA_LW4O6_REMOTE,	/* binary, struct in6_addr: the AFTR; dslite and b4 */
	/* b4 only: its binding (RFC 7597 port set) */
	IFLA_LW4O6_IPV4,	/* be32: the shared IPv4 address */
	IFLA_LW4O6_PSID,	/* u16, < 2^PSID_LEN */
	IFLA_LW4O6_PSID_LEN,	/* u8, 0..16 */
	IFLA_LW4O6_OFFSET,	/* u8, 0..15, offset + psid_len <= 16; default 0 */
	IFLA_LW4O6_MSS_CLAMP,	/* u8 0/1, default 1: TCP MSS fits the device MTU */
	/*
	 * aftr: PCP to 192.0.0.1 passed to lw4o6d, per second (bursts of as
	 * many): for the device, 1..1000000, default 10000; and for all B4s of
	 * one IPv6 prefix of CONTROL_PREFIX_LEN bits (default 56), 1..1000000,
	 * default 50.  Over either: drop-over-rate-limit-control.
	 */
	IFLA_LW4O6_CONTROL_RATE,	/* u32 */
	IFLA_LW4O6_CONTROL_PREFIX_RATE,	/* u32 */
	IFLA_LW4O6_CONTROL_PREFIX_LEN,	/* u8, 1..128 */
	/*
	 * aftr, failover on demand: a packet from a B4 that fails the source
	 * check is held for up to MISS_HOLD ms (0, the default: not held,
	 * dropped and answered with 1/5 at once; at most 10000) while lw4o6d
	 * asks the shared store for its binding.  A binding added meanwhile
	 * that the packet passes releases it into the data path; MISS_REJECT,
	 * the hold's end or a full queue drops it with the 1/5 it would have
	 * had.  MISS_QUEUE: packets held at once per device, 1..4096,
	 * default 256.
	 */
	IFLA_LW4O6_MISS_HOLD,		/* u32, ms */
	IFLA_LW4O6_MISS_QUEUE,		/* u32, packets */
	/*
	 * An anycast set of lwAFTRs (RFC 4443 2.2: an answer to a packet sent
	 * to an anycast address comes from a unicast one).  aftr: ENCAP_UNICAST
	 * u8 0/1, default 0: encapsulated traffic to B4s without a BR leaves
	 * from ICMP_SOURCE (which must be set) rather than from local, so that
	 * a router's Packet Too Big reaches the lwAFTR that sent.  dslite and
	 * b4: softwire traffic and ICMPv6 errors are taken from remote and
	 * from any address of ACCEPT_FROM/ACCEPT_FROM_LEN (the set's unicast
	 * addresses); length 0 (the default): from remote only.
	 */
	IFLA_LW4O6_ENCAP_UNICAST,	/* u8 0/1 */
	IFLA_LW4O6_ACCEPT_FROM,		/* binary, struct in6_addr */
	IFLA_LW4O6_ACCEPT_FROM_LEN,	/* u8, 0..128 */
	/*
	 * dslite and b4 (read only): the IPv6 flow label of every packet the
	 * device sends, chosen at random when it is made, so that ECMP on the
	 * outer header takes all of a softwire's traffic to one lwAFTR.
	 */
	IFLA_LW4O6_FLOW_LABEL,		/* u32, 1..0xfffff */
	__IFLA_LW4O6_MAX
};
#define IFLA_LW4O6_MAX (__IFLA_LW4O6_MAX - 1)

enum lw4o6_cmd {
	LW4O6_CMD_UNSPEC,
	LW4O6_CMD_DEV_GET,	/* doit: one device; dumpit: all in netns */
	LW4O6_CMD_DEV_SET,	/* change device options; bindings are kept */
	LW4O6_CMD_BIND_NEW,	/* add (NLM_F_REPLACE or LW4O6_F_REPLACE: replace) */
	LW4O6_CMD_BIND_DEL,
	LW4O6_CMD_BIND_GET,	/* doit: exact key; dumpit: table, filterable */
	LW4O6_CMD_BIND_FLUSH,
	LW4O6_CMD_LOAD_BEGIN,	/* start a replace-the-table transaction */
	LW4O6_CMD_LOAD_ADD,	/* LW4O6_A_BINDINGS: many bindings */
	LW4O6_CMD_LOAD_COMMIT,	/* swap the staged table in, atomically */
	LW4O6_CMD_LOAD_ABORT,
	LW4O6_CMD_STATS_GET,
	/*
	 * notifications on the "events" group.  nlmsg_pid: the port id of
	 * the socket whose request caused the event, 0 if none did (a packet).
	 */
	LW4O6_CMD_EVT_BIND_ADD,
	LW4O6_CMD_EVT_BIND_DEL,
	LW4O6_CMD_EVT_BIND_REPLACE,
	LW4O6_CMD_EVT_TABLE_FLUSH,	/* LW4O6_A_BINDING_COUNT = removed */
	LW4O6_CMD_EVT_TABLE_LOAD,	/* LW4O6_A_BINDING_COUNT = new size */
	LW4O6_CMD_EVT_BINDING_MISS,	/* a B4 failed the source check: MISS_* */
	/*
	 * b4/dslite: an AFTR answered one of our packets with ICMPv6 1/5 ("no
	 * binding here"): MISS_B4 = the error's source, MISS_IPV4/PORT = our
	 * packet's inner source.
	 */
	LW4O6_CMD_EVT_ICMP_NO_BINDING,
	/*
	 * aftr, on the "control" group: a UDP datagram to 192.0.0.1 port 5351
	 * arrived inside a softwire.  CTRL_B4 = the outer IPv6 source (the
	 * B4's identity), CTRL_PACKET = the inner IPv4 datagram, checked to be
	 * whole, UDP, and its headers sane.  The answer goes back as plain
	 * IPv4-in-IPv6 from the device's local address (a raw socket does).
	 */
	LW4O6_CMD_EVT_CONTROL,
	/*
	 * aftr: the held packets of MISS_B4 (and, if given, inner source
	 * MISS_IPV4) have no binding anywhere: drop them now, each with its
	 * ICMPv6 1/5 (subject to icmp-rate).  CAP_NET_ADMIN.
	 */
	LW4O6_CMD_MISS_REJECT,
	/*
	 * b4/dslite, "events": a router on the way (not the AFTR) answered
	 * one of our packets with ICMPv6 1/0 or 1/3, no route to the AFTR:
	 * MISS_B4 = the error's source, MISS_IPV4/PORT = our packet's inner
	 * source.  Rate limited as ICMP_NO_BINDING.  Not proof (anyone can
	 * send one); the packet is still dropped (in-by-policy-icmpv6).
	 */
	LW4O6_CMD_EVT_ICMP_UNREACHABLE,
	/*
	 * "events": DEV_SET changed a device: the device as DEV_GET gives
	 * it, nlmsg_pid the requester's port id (lw4o6d moving to another
	 * AFTR, say).
	 */
	LW4O6_CMD_EVT_DEV_CHANGE,
	/*
	 * lw4o6d -> module: one of the device's BFD sessions (RFC 5880, with
	 * the peer BFD_PEER) changed state, BFD_OLD_STATE -> BFD_STATE, for
	 * the reason BFD_DIAG; all four required.  The module keeps nothing:
	 * it passes the change on to the "events" group as EVT_BFD_CHANGE,
	 * and does no more than check it when nobody listens.  CAP_NET_ADMIN.
	 * lw4o6d sends these without NLM_F_ACK, many to a datagram.
	 */
	LW4O6_CMD_BFD_NOTIFY,
	/*
	 * "events": a BFD_NOTIFY, as it came: nlmsg_pid is the port id of
	 * the daemon's socket.  Best effort: lw4o6d drops changes (counted,
	 * logged) rather than slow BFD down.
	 */
	LW4O6_CMD_EVT_BFD_CHANGE,
	__LW4O6_CMD_MAX
};
#define LW4O6_CMD_MAX (__LW4O6_CMD_MAX - 1)

/* LW4O6_A_FLAGS */
#define LW4O6_F_REPLACE		(1U << 0)	/* BIND_NEW may replace */
#define LW4O6_F_STATS		(1U << 1)	/* BIND_GET: include counters */

enum lw4o6_attr {
	LW4O6_A_UNSPEC,
	LW4O6_A_PAD,
	LW4O6_A_IFINDEX,	/* u32 */
	LW4O6_A_IFNAME,		/* string */
	LW4O6_A_MODE,		/* u8, enum lw4o6_mode (read only) */
	LW4O6_A_LOCAL,		/* binary, struct in6_addr */
	LW4O6_A_MTU,		/* u32 (read only; set with rtnetlink) */
	LW4O6_A_BINDING_COUNT,	/* u32; in LOAD_BEGIN: expected size, a hint */
	LW4O6_A_FLAGS,		/* u32, LW4O6_F_* */
	LW4O6_A_BINDING,	/* nest, enum lw4o6_binding_attr */
	LW4O6_A_BINDINGS,	/* nest of LW4O6_A_BINDING nests (bulk load) */
	LW4O6_A_STATS,		/* nest, enum lw4o6_stat: u64 each */
	LW4O6_A_TABLE_MEM,	/* u64, bytes used by the binding table */
	/* lwAFTR options, as IFLA_LW4O6_*; DEV_SET changes any of them */
	LW4O6_A_ICMP_SOURCE,	/* binary, struct in6_addr; :: = use local */
	LW4O6_A_HAIRPIN,	/* u8 0/1 */
	LW4O6_A_ICMP4_ERRORS,	/* u8 0/1 */
	LW4O6_A_ICMP6_ERRORS,	/* u8 0/1 */
	LW4O6_A_ICMP_RATE,	/* u32, 1..1000000 */
	/* in EVT_BINDING_MISS (read only) */
	LW4O6_A_MISS_B4,	/* binary, struct in6_addr: outer source */
	LW4O6_A_MISS_IPV4,	/* be32: inner source address */
	LW4O6_A_MISS_PORT,	/* u16: inner source port / ICMP id, if any */
	LW4O6_A_REMOTE,		/* binary, struct in6_addr; as IFLA_LW4O6_REMOTE */
	LW4O6_A_IPV4,		/* be32; b4 only, as IFLA_LW4O6_IPV4 ... */
	LW4O6_A_PSID,		/* u16 */
	LW4O6_A_PSID_LEN,	/* u8 */
	LW4O6_A_OFFSET,		/* u8 */
	LW4O6_A_MSS_CLAMP,	/* u8 0/1; as IFLA_LW4O6_MSS_CLAMP */
	LW4O6_A_CTRL_B4,	/* binary, struct in6_addr (EVT_CONTROL) */
	LW4O6_A_CTRL_PACKET,	/* binary, an IPv4 datagram (EVT_CONTROL) */
	LW4O6_A_CONTROL_RATE,	/* u32; as IFLA_LW4O6_CONTROL_RATE ... */
	LW4O6_A_CONTROL_PREFIX_RATE,	/* u32 */
	LW4O6_A_CONTROL_PREFIX_LEN,	/* u8 */
	LW4O6_A_MISS_HOLD,	/* u32 ms; as IFLA_LW4O6_MISS_HOLD */
	LW4O6_A_MISS_QUEUE,	/* u32; as IFLA_LW4O6_MISS_QUEUE */
	/*
	 * u8 1 in EVT_BINDING_MISS: the packet is held (miss-hold).  Such
	 * events are not held to the 10-a-second limit of the others: one is
	 * sent for each held packet whose (B4, IPv4, PSID) has none pending
	 * in the queue already, so at most MISS_QUEUE per hold time.
	 */
	LW4O6_A_MISS_HELD,
	LW4O6_A_ENCAP_UNICAST,	/* u8 0/1; as IFLA_LW4O6_ENCAP_UNICAST ... */
	LW4O6_A_ACCEPT_FROM,	/* binary, struct in6_addr */
	LW4O6_A_ACCEPT_FROM_LEN, /* u8, 0..128 */
	LW4O6_A_FLOW_LABEL,	/* u32 (read only) */
	/*
	 * BFD_NOTIFY and EVT_BFD_CHANGE: one session's change.  BFD_PEER is
	 * the other end's outer IPv6 address: a B4's (the session's key) on
	 * an aftr device, the AFTR's (the device's remote) on a b4 or dslite
	 * one.  BFD_DIAG: the local diagnostic after the change (RFC 5880
	 * 4.1; 0 when Up, 1 control detection time expired, 3 neighbor
	 * signaled session down, 7 administratively down, ...).
	 */
	LW4O6_A_BFD_PEER,	/* binary, struct in6_addr */
	LW4O6_A_BFD_STATE,	/* u8, enum lw4o6_bfd_state: the new one */
	LW4O6_A_BFD_OLD_STATE,	/* u8, enum lw4o6_bfd_state; != BFD_STATE */
	LW4O6_A_BFD_DIAG,	/* u8, 0..LW4O6_BFD_DIAG_MAX */
	__LW4O6_A_MAX
};
#define LW4O6_A_MAX (__LW4O6_A_MAX - 1)

/* BFD session states, as on the wire (RFC 5880 4.1, 6.8.1). */
enum lw4o6_bfd_state {
	LW4O6_BFD_ADMIN_DOWN,
	LW4O6_BFD_DOWN,
	LW4O6_BFD_INIT,
	LW4O6_BFD_UP,
	__LW4O6_BFD_STATE_MAX
};
#define LW4O6_BFD_STATE_MAX	(__LW4O6_BFD_STATE_MAX - 1)
#define LW4O6_BFD_DIAG_MAX	31	/* a 5-bit field; 9..31 reserved */

enum lw4o6_binding_attr {
	LW4O6_BA_UNSPEC,
	LW4O6_BA_PAD,
	LW4O6_BA_IPV4,		/* be32, network byte order */
	LW4O6_BA_PSID,		/* u16, < 2^PSID_LEN */
	LW4O6_BA_PSID_LEN,	/* u8, 0..16 */
	LW4O6_BA_OFFSET,	/* u8, 0..15, offset + psid_len <= 16 */
	LW4O6_BA_B4,		/* binary, struct in6_addr */
	LW4O6_BA_BR,		/* binary, struct in6_addr; optional */
	LW4O6_BA_TX_PACKETS,	/* u64, toward the B4 (encapsulated) */
	LW4O6_BA_TX_BYTES,	/* u64 */
	LW4O6_BA_RX_PACKETS,	/* u64, from the B4 (decapsulated) */
	LW4O6_BA_RX_BYTES,	/* u64 */
	LW4O6_BA_LAST_SEEN,	/* u32, seconds since the last packet; absent: never */
	__LW4O6_BA_MAX
};
#define LW4O6_BA_MAX (__LW4O6_BA_MAX - 1)

/*
 * Device counters (LW4O6_A_STATS), named after RFC 8676 (softwire-ce / lwaftr state) and,
 * for the finer drop reasons, Snabb's lwAFTR.  Userspace keeps the name
 * table; attribute type = enum value inside LW4O6_A_STATS.  Type 0
 * (LW4O6_STAT_UNSPEC) is only ever alignment padding: skip it.
 */
enum lw4o6_stat {
	LW4O6_STAT_UNSPEC,
	LW4O6_STAT_SENT_IPV4_PACKETS,
	LW4O6_STAT_SENT_IPV4_BYTES,
	LW4O6_STAT_SENT_IPV6_PACKETS,
	LW4O6_STAT_SENT_IPV6_BYTES,
	LW4O6_STAT_RCVD_IPV4_PACKETS,
	LW4O6_STAT_RCVD_IPV4_BYTES,
	LW4O6_STAT_RCVD_IPV6_PACKETS,
	LW4O6_STAT_RCVD_IPV6_BYTES,
	LW4O6_STAT_DROPPED_IPV4_PACKETS,
	LW4O6_STAT_DROPPED_IPV4_BYTES,
	LW4O6_STAT_DROPPED_IPV6_PACKETS,
	LW4O6_STAT_DROPPED_IPV6_BYTES,
	LW4O6_STAT_DROPPED_IPV4_FRAGMENTS,
	LW4O6_STAT_DROPPED_IPV4_FRAGMENT_BYTES,
	LW4O6_STAT_IPV6_FRAGMENTS_REASSEMBLED,
	LW4O6_STAT_IPV6_FRAGMENTS_BYTES_REASSEMBLED,
	LW4O6_STAT_OUT_ICMPV4_ERROR_PACKETS,
	LW4O6_STAT_OUT_ICMPV4_ERROR_BYTES,
	LW4O6_STAT_OUT_ICMPV6_ERROR_PACKETS,
	LW4O6_STAT_OUT_ICMPV6_ERROR_BYTES,
	LW4O6_STAT_DROPPED_ICMPV4_PACKETS,
	LW4O6_STAT_DROPPED_ICMPV4_BYTES,
	LW4O6_STAT_HAIRPIN_IPV4_PACKETS,
	LW4O6_STAT_HAIRPIN_IPV4_BYTES,
	/* finer drop reasons, each also counted in a total above */
	LW4O6_STAT_DROP_NO_SOURCE_SOFTWIRE_IPV6,
	LW4O6_STAT_DROP_NO_DEST_SOFTWIRE_IPV4,
	LW4O6_STAT_DROP_OVER_MTU_BUT_DONT_FRAGMENT_IPV4,
	LW4O6_STAT_DROP_TTL_ZERO_IPV4,
	LW4O6_STAT_DROP_OVER_RATE_LIMIT_ICMPV6,
	LW4O6_STAT_DROP_MALFORMED,
	LW4O6_STAT_DROP_NOT_FORWARDING,	/* no data path for this mode yet */
	/*
	 * IPv4 fragments held for reassembly before the lookup, from the
	 * IPv4 side and from B4s.  A held fragment counts here instead of as
	 * sent or dropped; the fragment that completes a datagram counts as
	 * the datagram does.
	 */
	LW4O6_STAT_QUEUED_IPV4_FRAGMENTS,
	LW4O6_STAT_QUEUED_SOFTWIRE_FRAGMENTS,
	LW4O6_STAT_DROP_HAIRPIN_DISABLED_IPV4,
	LW4O6_STAT_DROP_IN_BY_POLICY_ICMPV6,	/* ICMPv6 errors not translated */
	LW4O6_STAT_DROP_OVER_RATE_LIMIT_ICMPV4,
	/* b4: a port (or ICMP id) outside the set, either way; none left */
	LW4O6_STAT_DROP_OUT_OF_PORT_SET_IPV4,
	LW4O6_STAT_DROP_PORT_SET_EXHAUSTED,
	/*
	 * Softwire packets to 192.0.0.1 taken by the control plane (ping
	 * answered, PCP passed to lw4o6d), which count here instead of as
	 * sent; and those dropped: another protocol or port, no daemon
	 * listening, or its socket full.  On a b4 device, drop-control-ipv4
	 * counts local 192.0.0.2 -> 192.0.0.1 packets other than PCP
	 * requests (UDP 5350 -> 5351) and echo requests.
	 */
	LW4O6_STAT_CONTROL_IPV4_PACKETS,
	LW4O6_STAT_DROP_CONTROL_IPV4,
	/* ICMPv6 errors to local (or a br) that failed their checksum */
	LW4O6_STAT_DROP_BAD_CHECKSUM_ICMPV6,
	/* PCP to 192.0.0.1 over control-rate or control-prefix-rate */
	LW4O6_STAT_DROP_OVER_RATE_LIMIT_CONTROL,
	/*
	 * miss-hold: softwire packets taken into the hold queue, released
	 * from it into the data path (then counted as any packet), and
	 * dropped from it: hold time over, MISS_REJECT, queue full (the
	 * newcomer), device down or table flushed.  A held packet counts in
	 * dropped-ipv6 and drop-no-source-softwire-ipv6 only if it is dropped.
	 */
	LW4O6_STAT_HELD_SOFTWIRE_PACKETS,
	LW4O6_STAT_HELD_RELEASED_PACKETS,
	LW4O6_STAT_DROP_HELD_EXPIRED,
	LW4O6_STAT_DROP_HELD_REJECTED,
	LW4O6_STAT_DROP_HELD_OVERFLOW,
	__LW4O6_STAT_MAX
};
#define LW4O6_STAT_MAX (__LW4O6_STAT_MAX - 1)

/*
 * Table-level state reported alongside the counters (LW4O6_A_STATS too).
 * Fixed numbers well above the counters, so counters can be appended
 * without renumbering these.
 */
#define LW4O6_STAT_ACTIVE_SOFTWIRE_NUM	0x200	/* u64 */
#define LW4O6_STAT_DISCONTINUITY_TIME	0x201	/* u64, unix seconds */
#define LW4O6_STAT_ATTR_MAX		LW4O6_STAT_DISCONTINUITY_TIME

#endif /* _UAPI_LINUX_LW4O6_H */
