/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The lwB4's PCP client, as a state machine without I/O: it is handed the
 * server's datagrams and the module's icmp-no-binding events, and acts
 * through two seams, "send this request" and "install this binding in the
 * device" (b4.c does both for real; the unit tests record them).  Timers
 * are the event loop's.  Whoever wants to know the B4's binding listens.
 *
 * Nothing that arrives unasked changes the binding: an answer counts only
 * if it carries the opcode and nonce of the request in flight (anyone who
 * can send to our port can forge the rest), and an ICMPv6 1/5 only makes
 * us ask the AFTR, with such a request, whether it still holds our mapping.
 */
#ifndef LW4O6D_PCP_CLIENT_H
#define LW4O6D_PCP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "b4_binding.h"
#include "log.h"
#include "loop.h"
#include "pcp.h"

#define PCP_CLIENT_MAX_LISTENERS 4
/* At most one re-validation (a MAP) per this many ms, however many 1/5s. */
#define PCP_CLIENT_REVALIDATE_MS	5000
/*
 * This many requests unanswered in a row (a new exchange, such as a
 * renewal, does not start the count again) fail the AFTR over: ~21 s
 * after the first, by the 3, 6, 12 s retransmission timeouts.
 */
#define PCP_CLIENT_FAILOVER_TRIES	3
/*
 * A router's "no route to the AFTR" (pcp_client_unreachable()) makes us
 * ask the AFTR at once and fail over after this many requests, this far
 * apart, go unanswered: ~2 s rather than ~21.
 */
#define PCP_CLIENT_PROBE_TRIES		2
#define PCP_CLIENT_PROBE_MS		1000
/* NOT_AUTHORIZED leads to a GET at most once per this many ms. */
#define PCP_CLIENT_RECOVER_MS		30000

struct pcp_client_ops {
	/* One request to the server (failures are the callee's to log). */
	void (*send)(const uint8_t *buf, size_t len, void *arg);
	/*
	 * Installs b as the device's binding, or removes it (b NULL): 0, or
	 * -errno after logging why.
	 */
	int (*install)(const struct b4_binding *b, void *arg);
	/*
	 * The AFTR in use failed us (why: for the log): move to the next one
	 * and return true, after which requests go there; false (or NULL):
	 * there is no other, carry on with this one.
	 */
	bool (*failover)(const char *why, void *arg);
	void *arg;
};

/* RFC 6887 8.5: what the last response said, to judge the next one. */
struct pcp_epoch {
	bool have;
	uint32_t prev_server;
	int64_t prev_client;	/* s */
};

enum pcp_client_state {
	PCP_CLIENT_GET,		/* reading back what the server holds */
	PCP_CLIENT_MAP,		/* asking for a set */
	PCP_CLIENT_BOUND,	/* holding one (a renewal may be in flight) */
};

struct pcp_client {
	struct pcp_client_ops ops;
	struct in6_addr client;		/* the header's PCP client address */
	uint32_t lifetime;		/* asked for */
	uint16_t port_set_size;		/* asked for */
	enum pcp_client_state state;
	uint8_t nonce[PCP_NONCE_LEN];
	uint8_t get_nonce[PCP_NONCE_LEN];
	/* the request in flight, resent as it is; its answer must match */
	uint8_t req[PCP_MAX_LEN];
	size_t req_len;
	uint8_t req_opcode;
	uint8_t req_nonce[PCP_NONCE_LEN];
	/* the MAP in flight asks whether the AFTR still holds our mapping */
	bool revalidating;
	int64_t revalidated_ms;		/* last re-validation; 0: never */
	int64_t recovered_ms;		/* last NOT_AUTHORIZED -> GET; 0: never */
	uint64_t n_ignored;		/* answers that match no request of ours */
	uint64_t n_no_binding;		/* 1/5 events about our address */
	uint64_t n_revalidations;	/* MAPs they led to */
	uint64_t n_unreachable;		/* routers' 1/0 and 1/3 about us */
	uint64_t n_probes;		/* the quick checks they led to */
	bool probing;			/* the request in flight is one */
	int64_t probed_ms;		/* the last; 0: never */
	struct log_limit ll;
	int64_t rt;			/* current retransmission timeout, ms */
	unsigned int unanswered;	/* requests sent since the last answer */
	uint64_t n_failovers;		/* moves to another AFTR */
	uint64_t n_renumbered, n_released;	/* the B4's address changed */
	bool leaving;			/* released: quiet until renumbered */
	struct timer retrans, renew, expire, recreate;
	bool bound;
	struct b4_binding b;
	struct pcp_epoch epoch;
	struct {
		b4_binding_fn fn;
		void *arg;
	} listeners[PCP_CLIENT_MAX_LISTENERS];
	size_t n_listeners;
};

/* client: the address the server sees us by (v4-mapped inside the softwire). */
void pcp_client_init(struct pcp_client *c, const struct pcp_client_ops *ops,
		     const struct in6_addr *client, uint32_t lifetime,
		     uint16_t port_set_size);
/*
 * The device already holds b (a previous run's): it stays in use, for as
 * long as a grant would last unless renewed.  Before pcp_client_start().
 */
void pcp_client_adopt(struct pcp_client *c, const struct b4_binding *b);
/* A fresh nonce, then GET: what does the server still hold for us? */
void pcp_client_start(struct pcp_client *c);
/* Timers cancelled; the binding stays where it is. */
void pcp_client_stop(struct pcp_client *c);
/* Our mapping deleted, by one MAP sent now from the address we leave. */
void pcp_client_release(struct pcp_client *c);
/*
 * The B4's address changed (client: the new PCP client address over plain
 * IPv6, NULL inside the softwire, where it stays 192.0.0.2): our MAP, now,
 * from there, same nonce, naming our set.
 */
void pcp_client_renumbered(struct pcp_client *c, const struct in6_addr *client);
/*
 * Requests go to another AFTR now, moved by someone other than us (the
 * answer to a lookup of the AFTR's name): start over there as after a
 * failover of our own.
 */
void pcp_client_moved(struct pcp_client *c);
/* SIGHUP: what the next request asks for. */
void pcp_client_set_request(struct pcp_client *c, uint32_t lifetime,
			    uint16_t port_set_size);

/* A datagram from the server's address and port. */
void pcp_client_input(struct pcp_client *c, const uint8_t *buf, size_t len);
/*
 * The module saw an ICMPv6 1/5 from "from" about our data for ipv4.  Not
 * proof (it may be forged): at most every PCP_CLIENT_REVALIDATE_MS, and
 * when no exchange is in flight, it makes us renew, and the answer to that
 * MAP says whether our set still holds.
 */
void pcp_client_no_binding(struct pcp_client *c, const struct in6_addr *from,
			   uint32_t ipv4);

/*
 * The module saw a router on the way (from) answer our packet with ICMPv6
 * 1/0 or 1/3: it has no route to the AFTR, whose anycast route may have
 * been withdrawn.  Not proof either: at most every
 * PCP_CLIENT_REVALIDATE_MS it makes the request in flight, or a renewal,
 * a probe that fails over after PCP_CLIENT_PROBE_TRIES unanswered
 * PCP_CLIENT_PROBE_MS apart.  An AFTR that answers keeps us.
 */
void pcp_client_unreachable(struct pcp_client *c, const struct in6_addr *from);

/*
 * fn is told the binding at once (NULL: none), then every change.  -ENOSPC
 * past PCP_CLIENT_MAX_LISTENERS.
 */
int pcp_client_listen(struct pcp_client *c, b4_binding_fn fn, void *arg);

/* The parts with no state of their own, for the tests. */

/*
 * RFC 6887 11.2.1: renew between 1/2 and 5/8 of the lifetime; r is a
 * random number, 0 giving 1/2 and UINT32_MAX 5/8.  In ms.
 */
int64_t pcp_client_renew_ms(uint32_t lifetime, uint32_t r);
/*
 * RFC 6887 8.5 with its slack (2 s and 1/16): false when the server has
 * obviously lost its state since the last response.  client_s is our
 * clock, in seconds.  The first response is always fine.
 */
bool pcp_epoch_check(struct pcp_epoch *e, uint32_t server, int64_t client_s);

#endif
