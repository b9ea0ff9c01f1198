/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The lwAFTR relay's binding tracking (issue #12 item 3), without I/O:
 * dhcp4o6_relay.c tells it what passes (a client's message going up, a
 * server's DHCPv4 answer coming down, the time), and it keeps the kernel's
 * binding table in step through its ops (install, remove).  It decides
 * too whether a client's message is forwarded at all (a token bucket per
 * subscriber prefix).
 *
 * Rules (docs/lw4o6d.md, "The relay deployment"):
 * - An ACK coming down installs (yiaddr, the set of option 159 or the
 *   whole address, the binding's IPv6 address, the lease time of option
 *   51) before the caller relays it.  The IPv6 address is option 109 of
 *   the client's REQUEST (or DISCOVER, for a rapid commit) seen going up
 *   with the same xid from the same client, or else the client's source;
 *   it must equal the client's source (a client cannot bind another's
 *   address): a mismatch installs nothing, counted and logged.
 * - A set ACKed to another B4 replaces the old binding; a client that was
 *   ACKed another set loses its old one.
 * - RELEASE and DECLINE going up remove the client's binding of that
 *   address; a NAK coming down removes the client's bindings; a binding
 *   not renewed by the end of its lease expires.
 * Everything is bounded: bindings, pending requests (keyed by (xid,
 * client), with a timeout) and rate-limit records each have a cap; the
 * tables are keyed-hashed (hash.h).
 */
#ifndef LW4O6D_RELAY_TRACK_H
#define LW4O6D_RELAY_TRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "dhcp4.h"
#include "mapping.h"

struct relay_track_cfg {
	uint32_t rate, burst;		/* messages a second per subscriber, and bursts */
	uint8_t sub_plen;		/* a subscriber: this many bits of the source */
	size_t max_bindings;		/* bindings tracked (and installed) at most */
	size_t max_pending;		/* requests waiting for their answer */
	size_t max_clients;		/* rate-limit records */
	uint32_t pending_timeout_ms;	/* a request's answer expected within */
	uint32_t default_lease;		/* s: an ACK without option 51 */
};

struct relay_track_ops {
	/* install m (replacing whatever holds its set); 0 or -errno */
	int (*bind_add)(const struct lw4o6_mapping *m, void *arg);
	int (*bind_del)(uint32_t ipv4, uint16_t psid, uint8_t psid_len,
			void *arg);
	int64_t (*now_ms)(void *arg);	/* monotonic */
	void *arg;
};

/* Counters: messages by DHCPv4 type (0: a DHCPv6 message without DHCPv4). */
#define RELAY_TYPES 16
struct relay_stats {
	uint64_t up[RELAY_TYPES], down[RELAY_TYPES];
	uint64_t installed, renewed, replaced, moved, released, declined;
	uint64_t naked, expired, learned, adopted;
	/* drops and refusals */
	uint64_t rate_limited, clients_full, pending_full, saddr_mismatch;
	uint64_t bad_b4, bad_ack, install_failed, bindings_full;
	size_t bindings, pending, clients;
};

/* One binding the relay keeps. */
struct relay_binding {
	struct lw4o6_mapping m;		/* m.expires unused: see expires_ms */
	uint64_t cid;			/* the client's identifier hashed; 0 unknown */
	int64_t expires_ms;		/* monotonic; INT64_MAX: no timer */
};

struct relay_track;

/* NULL on out of memory (or no hash key). */
struct relay_track *relay_track_new(const struct relay_track_cfg *cfg,
				    const struct relay_track_ops *ops);
/* Forgets everything; the kernel keeps what is installed. */
void relay_track_free(struct relay_track *rt);

/*
 * A client's message going up from client (its IPv6 source); m4 the
 * DHCPv4 inside it (a DHCPV4-QUERY), or NULL.  false: drop it (over its
 * subscriber's rate, or too many subscribers tracked).  RELEASE and
 * DECLINE act here (they get no answer).
 */
bool relay_track_up(struct relay_track *rt, const struct in6_addr *client,
		    const struct dhcp4_msg *m4);
/* A DHCPV4-RESPONSE's DHCPv4 coming down to client: ACK installs, NAK removes. */
void relay_track_down(struct relay_track *rt, const struct in6_addr *client,
		      const struct dhcp4_msg *m4);
/* A lease the server reported (bulk leasequery): installed, remaining s to live. */
int relay_track_learn(struct relay_track *rt, const struct lw4o6_mapping *m,
		      uint32_t remaining);
/* A binding the kernel holds that nobody reported: tracked with no timer. */
int relay_track_adopt(struct relay_track *rt, const struct lw4o6_mapping *m);
/*
 * Expires bindings and pending requests whose time has come, forgets idle
 * rate-limit records; the ms until it should run again.
 */
int64_t relay_track_tick(struct relay_track *rt);

const struct relay_binding *relay_track_find(const struct relay_track *rt,
					     uint32_t ipv4, uint16_t psid);
void relay_track_stats(const struct relay_track *rt, struct relay_stats *st);
size_t relay_track_count(const struct relay_track *rt);

/* The client's identifier as leases are keyed: SipHash (all-zero key) of 61, else chaddr. */
uint64_t relay_client_hash(const struct dhcp4_msg *m4);

#endif
