/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The lwB4's DHCPv4-over-DHCPv6 client (RFC 7341, 7598, 7618, 8539), as a
 * state machine without I/O, like pcp_client.h: it is handed the DHCPv6
 * datagrams that arrive on port 546 and acts through seams (send DHCPv6
 * bytes, install or remove the binding, set the softwire's ends, keep the
 * lease on disk, hand over to PCP); timers are the event loop's.
 *
 * Step 1: Information-request (ORO 88, 96, 90, 64) to ff02::1:2 on the
 * uplink.  A Reply with S46_CONT_LW holding an S46_V4V6BIND configures the
 * device from it and that is all (deterministic provisioning).  Otherwise
 * step 2: DHCPv4 inside DHCPV4-QUERY to the 4o6 servers of option 88
 * (ff02::1:2 when the list is empty or absent), sent from the softwire
 * source (the device's local address), which option 109 names.
 *
 * "provision auto": step 1 is tried DHCP4O6_AUTO_TRIES times; a Reply with
 * neither option 88 nor option 96 (with a binding), or no Reply at all,
 * hands over to PCP (ops.fallback) and the client stops for good.
 *
 * Only answers to the exchange in flight count: a Reply's transaction id
 * and client DUID, a DHCPV4-RESPONSE's inner xid, chaddr and client
 * identifier.  Everything else is ignored and counted.
 *
 * Control-message failover (#13): an ICMPv6 1/5 about the lease's address
 * (the lwAFTR in front of us has no binding for it, maybe a backup behind
 * the same anycast address) is no proof, so it never unbinds by itself; it
 * makes us re-validate, as the PCP client does (pcp_client_no_binding()):
 * a REQUEST in the REBINDING form (ciaddr, no server id, no option 50, U
 * clear, to every 4o6 server), rate-limited.  An ACK keeps (or moves) the
 * lease; a NAK, from a server that does not hold it, restarts DISCOVER and
 * the B4 carries on with whatever it is granted then.  No answer after
 * DHCP4O6_REVALIDATE_TRIES REQUESTs: DISCOVER too, the old binding kept
 * until its lease ends or another is granted.
 *
 * WAN renumbering ("uplink", b4.c): when the softwire's source changes,
 * the lease is asked for from the new one at once, a REQUEST in the
 * RENEWING form (ciaddr, U set, to the lease's server) naming the new
 * source in option 109, as RFC 8539 wants the server told.  An ACK keeps
 * the binding (our server moves the lease when the new address is in the
 * same subscriber prefix); a NAK starts over with DISCOVER from there,
 * after a RELEASE from the old source if it is still there (the server
 * keeps a lease it would not move: released, it holds no set and none of
 * the old prefix's quota until it would have expired); no
 * answer after DHCP4O6_REQUEST_TRIES REQUESTs (INIT timing, not RENEWING's
 * minute), DISCOVER too, the binding kept until its lease ends.
 */
#ifndef LW4O6D_DHCP4O6_CLIENT_H
#define LW4O6D_DHCP4O6_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <netinet/in.h>

#include "b4_binding.h"
#include "dhcp4.h"
#include "dhcp6.h"
#include "log.h"
#include "loop.h"

#define DHCP4O6_CLIENT_MAX_LISTENERS	4
/* provision auto: Information-requests sent before PCP takes over */
#define DHCP4O6_AUTO_TRIES		4
/* Information refresh when the Reply names none (RFC 8415 IRT_DEFAULT), s */
#define DHCP4O6_INFO_REFRESH		86400
/* REQUESTs (SELECTING, INIT-REBOOT) sent before starting over from DISCOVER */
#define DHCP4O6_REQUEST_TRIES		4
/*
 * An ICMPv6 1/5 about the lease's address starts at most one re-validation
 * per this many ms, however many arrive; it sends this many REQUESTs (at
 * 0, ~4 and ~12 s) before, unanswered, it gives up and DISCOVERs (~28 s).
 */
#define DHCP4O6_REVALIDATE_MS		5000
#define DHCP4O6_REVALIDATE_TRIES	3

/* option 61: type 255, IAID (4 bytes), the DUID (RFC 4361) */
#define DHCP4O6_CLIENT_ID_LEN		(1 + 4 + 10)

/* A DHCPv4 lease as kept in the lease file. */
struct dhcp4o6_lease {
	uint32_t ipv4;			/* network order */
	uint16_t psid;
	uint8_t psid_len, offset;
	uint32_t server_id;		/* option 54, network order */
	struct in6_addr server6;	/* whom RENEW goes to */
	struct in6_addr source;		/* option 109 we named */
	uint32_t lease_time, t1, t2;	/* s */
	int64_t obtained;		/* wall clock (time()), s */
};

struct dhcp4o6_client_ops {
	/*
	 * DHCPv6 bytes to "to", port 547, from "from" (step 2: the softwire
	 * source, or the one just left); NULL: from the uplink's link-local
	 * (step 1).  A multicast "to" goes out on the uplink.
	 */
	void (*send)(const uint8_t *buf, size_t len, const struct in6_addr *to,
		     const struct in6_addr *from, void *arg);
	/* The device's binding, or none (b NULL): 0 or -errno, logged. */
	int (*install)(const struct b4_binding *b, void *arg);
	/*
	 * The softwire's ends: local (the source, put on the uplink too) and
	 * remote (the BR); NULL keeps one.  0 or -errno, logged.
	 */
	int (*set_ends)(const struct in6_addr *local,
			const struct in6_addr *remote, void *arg);
	/* The lease on disk (NULL: remove it); 0 or -errno, logged. */
	int (*save)(const struct dhcp4o6_lease *l, void *arg);
	/* The lease a previous run kept: 0, or -ENOENT / -EINVAL. */
	int (*load)(struct dhcp4o6_lease *l, void *arg);
	/* provision auto found no DHCPv6 provisioning: PCP now (may be NULL). */
	void (*fallback)(void *arg);
	void *arg;
};

enum dhcp4o6_state {
	D4_IDLE,
	D4_INFO,		/* step 1: Information-request */
	D4_S46,			/* configured from S46_CONT_LW */
	D4_INIT,		/* DISCOVER sent, SELECTING */
	D4_REQUESTING,
	D4_REBOOTING,		/* INIT-REBOOT */
	D4_BOUND,
	D4_RENEWING,
	D4_REBINDING,
	D4_REVALIDATING,	/* a 1/5 made us ask: REBINDING's REQUEST */
	D4_MOVING,		/* our source changed: RENEWING's REQUEST from it */
	D4_PCP,			/* auto: handed over to PCP */
	D4_NSTATES
};

/* counters */
#define D4_NTYPES 16
struct dhcp4o6_counters {
	uint64_t out6[32], in6[32];	/* DHCPv6 by message type */
	uint64_t out4[D4_NTYPES], in4[D4_NTYPES];	/* inner DHCPv4 by type */
	uint64_t ignored;		/* answers to no exchange of ours */
	uint64_t malformed;		/* that did not parse */
	uint64_t state_changes;
	uint64_t no_binding;		/* ICMPv6 1/5 about the lease's address */
	uint64_t revalidations;		/* re-validations they started */
	uint64_t revalidate_unanswered;	/* of those, given up: DISCOVER */
	uint64_t moves;			/* the softwire's source changed */
	uint64_t moves_kept, moves_nak, moves_unanswered; /* how each ended */
	uint64_t moves_released;	/* NAKed: released from the old source */
};

struct dhcp4o6_client {
	struct dhcp4o6_client_ops ops;
	bool auto_mode;
	uint8_t mac[6];
	uint8_t duid[DHCP6_DUID_MAX];
	size_t duid_len;
	uint8_t client_id[DHCP4O6_CLIENT_ID_LEN];
	struct in6_addr source;		/* the softwire source (device local) */
	struct in6_addr left;		/* D4_MOVING: the source we left ... */
	bool left_usable;		/* ... still there to send from */
	enum dhcp4o6_state state;
	/* step 1 */
	uint32_t xid6;
	unsigned int info_tries;
	/* step 2: the 4o6 servers (none: ff02::1:2) */
	size_t n_servers;
	struct in6_addr servers[DHCP6_MAX_4O6_SERVERS];
	uint32_t xid;			/* the DHCPv4 exchange in flight */
	unsigned int tries;
	uint32_t offered, offer_server;	/* network order */
	bool have_lease;
	struct dhcp4o6_lease lease;
	int64_t bound_ms;		/* loop time the lease started */
	bool configured;		/* the binding is installed */
	struct b4_binding b;
	/* the message in flight, resent as it is */
	uint8_t msg[DHCP6_MAX_LEN];
	size_t msg_len;
	bool msg_unicast;		/* to lease.server6 */
	int64_t start_ms;		/* when the exchange began (elapsed time) */
	int64_t rt;			/* current retransmission timeout, ms */
	int64_t revalidated_ms;		/* last re-validation; 0: never */
	struct timer retrans, t1, t2, expire, refresh;
	struct dhcp4o6_counters n;
	struct log_limit ll;
	struct {
		b4_binding_fn fn;
		void *arg;
	} listeners[DHCP4O6_CLIENT_MAX_LISTENERS];
	size_t n_listeners;
};

/*
 * mac: the uplink's, for the DUID-LL, chaddr and option 61.  source: the
 * device's local address (option 109, step 2's source).  auto_mode:
 * "provision auto".
 */
void dhcp4o6_client_init(struct dhcp4o6_client *c,
			 const struct dhcp4o6_client_ops *ops,
			 const uint8_t mac[6], const struct in6_addr *source,
			 bool auto_mode);
/* Step 1 (a lease kept on disk: INIT-REBOOT instead, unless auto). */
void dhcp4o6_client_start(struct dhcp4o6_client *c);
/*
 * The daemon stops or the configuration changes: a lease is RELEASEd (to
 * its server, U flag set), the binding removed, the lease file removed;
 * timers cancelled.  An S46 binding is left as it is.
 */
void dhcp4o6_client_release(struct dhcp4o6_client *c);
/* Timers cancelled, nothing sent, the binding where it is. */
void dhcp4o6_client_stop(struct dhcp4o6_client *c);
/* A DHCPv6 datagram from port 547 of from. */
void dhcp4o6_client_input(struct dhcp4o6_client *c, const uint8_t *buf,
			  size_t len, const struct in6_addr *from);
/*
 * The module saw an ICMPv6 1/5 from "from" (the softwire's remote: the
 * module checks) about our data from ipv4 (network order).  Ignored unless
 * ipv4 is the installed lease's; then counted, and in BOUND or RENEWING
 * (any other state has a broadcast-class exchange in flight already), at
 * most every DHCP4O6_REVALIDATE_MS, it starts a re-validation.
 */
void dhcp4o6_client_no_binding(struct dhcp4o6_client *c,
			       const struct in6_addr *from, uint32_t ipv4);
/*
 * The softwire's source is now "to", from "from" (from_usable: still on
 * the uplink, deprecated, so a RELEASE can leave from it after a NAK):
 * the device's local set to it
 * (ops.set_ends; its error returned, nothing else done).  With a lease: the REQUEST above; in the middle of getting one
 * (DISCOVER, an offer's REQUEST): DISCOVER again from "to", since an
 * offer made to the old address is held there.  0, or -EPERM when the
 * source is not ours to change (a binding from S46_CONT_LW, whose prefix
 * makes the source; or handed over to PCP): nothing changed.
 */
int dhcp4o6_client_renumbered(struct dhcp4o6_client *c,
			      const struct in6_addr *from,
			      const struct in6_addr *to, bool from_usable);
/* fn hears the binding now (NULL: none), then at every change. */
int dhcp4o6_client_listen(struct dhcp4o6_client *c, b4_binding_fn fn,
			  void *arg);
/* The counters, one log line each group (stop, SIGUSR1). */
void dhcp4o6_client_log_counters(const struct dhcp4o6_client *c);
const char *dhcp4o6_state_name(enum dhcp4o6_state s);

/*
 * The lease file: text, "key value" lines, written to PATH.tmp then renamed
 * over PATH.  Reading checks every field; -EINVAL (logged) if one is
 * missing or wrong, -ENOENT if there is no file.
 */
int dhcp4o6_lease_write(const char *path, const struct dhcp4o6_lease *l);
int dhcp4o6_lease_read(const char *path, struct dhcp4o6_lease *l);

#endif
