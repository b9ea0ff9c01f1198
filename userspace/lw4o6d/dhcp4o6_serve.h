/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The DHCPv4-over-DHCPv6 port-set server's message logic (RFC 7341, 7618,
 * 8539; RFC 7598 S46_CONT_LW for deterministic clients), without I/O:
 * one datagram in (its bytes and where it came from), at most one
 * datagram out, and the changes on the core (alloc.h) made in the
 * caller's transaction.  dhcp4o6_server.c owns the sockets and the
 * batches; tests/test_dhcp4o6_server.c drives this part alone.
 *
 * A DHCPv4 lease IS an alloc lease: key (B4 address, protocol 0, port 0),
 * nonce "D4o6" + SipHash-2-4 (all-zero key) of the client identifier
 * (option 61, else the hardware type and chaddr, which is what a client
 * would put in 61).  So PCP and DHCP share pools, store, quotas, rates and
 * the kernel sync, and a set is never granted twice.
 *
 * Identity: the lease's B4 address is option 109's, accepted only when it
 * equals the client's source (the query's IPv6 source when direct, the
 * innermost RELAY-FORW's peer-address when relayed through a trusted
 * relay); without 109 the source itself.  Anything else is dropped.
 */
#ifndef LW4O6D_DHCP4O6_SERVE_H
#define LW4O6D_DHCP4O6_SERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "alloc.h"
#include "config.h"
#include "dhcp4.h"
#include "dhcp6.h"

/* 192.0.0.1 (RFC 6333): our DHCPv4 server identifier, network order. */
#define D4O6_SERVER_ID	htonl(0xc0000001u)
#define D4O6_NONCE_MARK	"D4o6"

/* The lease nonce of the client m names. */
void dhcp4o6_nonce(const struct dhcp4_msg *m, uint8_t nonce[PCP_NONCE_LEN]);
/* Whether a stored nonce is a DHCPv4-over-DHCPv6 lease's. */
bool dhcp4o6_nonce_is(const uint8_t nonce[PCP_NONCE_LEN]);

/* Where a datagram came from. */
struct d4o6_from {
	struct in6_addr src;
	uint16_t sport;
	unsigned int ifindex;	/* the arrival interface (for link-local answers) */
	bool multicast;		/* sent to ff02::1:2 (else to a unicast address) */
};

/* The answer: bytes and where they go (the socket it came in on). */
struct d4o6_out {
	struct in6_addr to;
	uint16_t port;
	unsigned int ifindex;
	size_t len;
	uint8_t buf[DHCP6_MAX_LEN];
};

/* Counters: messages in and out by type, drops by reason. */
enum d4o6_drop {
	D4O6_DROP_MALFORMED6,	/* DHCPv6 framing, relay nesting, options */
	D4O6_DROP_MALFORMED4,	/* option 87 missing or not a DHCPv4 request */
	D4O6_DROP_RELAY_UNTRUSTED, /* RELAY-FORW from no relay-peer */
	D4O6_DROP_UNSUPPORTED,	/* a message type we do not answer */
	D4O6_DROP_NOT_FOR_US,	/* another server's id (DHCPv6 or v4) */
	D4O6_DROP_IDENTITY,	/* 109 is not the client's source */
	D4O6_DROP_BAD_SOURCE,	/* alloc_admit: not a B4 address */
	D4O6_DROP_NOT_ALLOWED,	/* alloc_admit: outside b4-prefix */
	D4O6_DROP_FULL,		/* alloc_admit: subscriber cap */
	D4O6_DROP_RATE,		/* alloc_admit: over the subscriber's rate */
	D4O6_DROP_NOT_OWNER,	/* the B4's key is held by another client (or PCP) */
	D4O6_DROP_QUOTA,	/* the subscriber holds its quota */
	D4O6_DROP_NO_SET,	/* pools full, or the store refused */
	D4O6_DROP_NO_WHOLE,	/* no 159 in 55 and no free whole address */
	D4O6_DROP_NO_LEASE,	/* RELEASE/DECLINE/INIT-REBOOT of no lease of ours */
	D4O6_DROP_WITHHELD,	/* the batch's commit failed: answer withheld */
	D4O6_DROP_N,
};

enum d4o6_msg {
	/* in */
	D4O6_IN_SOLICIT, D4O6_IN_INFOREQ, D4O6_IN_QUERY, D4O6_IN_RELAYED,
	D4O6_IN_DISCOVER, D4O6_IN_REQUEST, D4O6_IN_DECLINE, D4O6_IN_RELEASE,
	D4O6_IN_INFORM,
	/* out */
	D4O6_OUT_ADVERTISE, D4O6_OUT_REPLY, D4O6_OUT_RESPONSE, D4O6_OUT_RELAY_REPL,
	D4O6_OUT_OFFER, D4O6_OUT_ACK, D4O6_OUT_NAK,
	/* lease changes */
	D4O6_LEASE_RELEASED, D4O6_LEASE_DECLINED,
	/* a renewal from a new B4 address (RFC 8539): moved, or NAKed */
	D4O6_LEASE_MOVED, D4O6_NAK_NOT_MOVED,
	D4O6_MSG_N,
};

struct d4o6_counters {
	uint64_t msg[D4O6_MSG_N];
	uint64_t drop[D4O6_DROP_N];
};

struct d4o6_serve;

/*
 * c: the configuration (copied): listen, relay-peer, decline-hold,
 * lifetimes, pools (for whole-address clients), s46-br, s46-binding, and
 * the role (in every role only relay-peer relays are trusted; none
 * listed, none).  duid: our server DUID.  Listens to
 * a (a DECLINEd set held by another grant is refused).  NULL on no memory.
 */
/* Information-request / Solicit answers a second, server-wide, and bursts. */
#define D4O6_INFO_RATE	1000
#define D4O6_INFO_BURST	2000

struct d4o6_serve *d4o6_serve_new(const struct lw4o6d_config *c,
				  struct alloc *a, const uint8_t *duid,
				  size_t duid_len);
void d4o6_serve_free(struct d4o6_serve *s);

/*
 * One datagram.  1: *out holds the answer; 0: silence (counted).  Lease
 * changes are made on the core, inside the caller's transaction if one is
 * open: the answer must leave only once it is committed, and the caller
 * then calls d4o6_committed().
 */
int d4o6_handle(struct d4o6_serve *s, const uint8_t *buf, size_t len,
		const struct d4o6_from *f, struct d4o6_out *out);
/*
 * After the caller's alloc_commit() (or after a d4o6_handle() outside a
 * transaction): ok, the DECLINEd sets of the batch are held for
 * decline-hold; !ok, the batch was rolled back and they are not.
 */
void d4o6_committed(struct d4o6_serve *s, bool ok);
/* Sets whose hold is over go back to the pool; call once a second. */
void d4o6_tick(struct d4o6_serve *s);
/* How many sets are held after a DECLINE. */
size_t d4o6_held(const struct d4o6_serve *s);

const struct d4o6_counters *d4o6_counters(const struct d4o6_serve *s);
/* A datagram longer than DHCP6_MAX_LEN (the socket cut it): counted, logged. */
int d4o6_oversize(struct d4o6_serve *s, const struct d4o6_from *f);
void d4o6_count_drop(struct d4o6_serve *s, enum d4o6_drop why);
/* "discover 3, request 2, ..., drops: identity 1" (zeros left out) */
void d4o6_counters_str(const struct d4o6_serve *s, char *buf, size_t len);

#endif
