/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The B4's PCP server for its LAN, without I/O: a request in, the answer
 * out, and the forwards it grants kept here and installed through a seam
 * (proxy.c puts them in nftables; the unit tests record them).  What it
 * knows of the B4's binding is what it was last told.
 */
#ifndef LW4O6D_PCP_PROXY_H
#define LW4O6D_PCP_PROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "b4_binding.h"
#include "pcp.h"
#include "siphash.h"

#define PCP_PROXY_MAX_FWDS	1024
#define PCP_PROXY_MAX_PER_HOST	64
/*
 * The request rate of LAN hosts is tracked in a table of this many
 * entries, PCP_PROXY_HOST_WAYS per bucket, the bucket chosen by SipHash
 * with a random key (so no LAN host picks addresses that share one);
 * a full bucket forgets the host heard from least recently.
 */
#define PCP_PROXY_HOSTS		1024
#define PCP_PROXY_HOST_WAYS	8
/* "proxy-rate-limit N burst M" defaults: requests/s per LAN host */
#define PCP_PROXY_RATE		10
#define PCP_PROXY_BURST		20

struct pcp_proxy_fwd {
	bool used;
	uint32_t host;		/* LAN host, network order */
	uint8_t protocol;	/* IPPROTO_TCP or IPPROTO_UDP */
	uint16_t internal_port, external_port;
	uint8_t nonce[PCP_NONCE_LEN];
	int64_t expires_ms;
};

/* One LAN host's token bucket. */
struct pcp_proxy_host {
	bool used;
	uint32_t addr;		/* network order */
	int64_t last_ms;	/* last refill */
	int64_t milli;		/* tokens, in thousandths */
};

struct pcp_proxy_ops {
	/* 0, or -errno after logging why: the request is refused. */
	int (*add)(const struct pcp_proxy_fwd *f, void *arg);
	/* Failures are logged by the callee; the forward is forgotten anyway. */
	void (*del)(const struct pcp_proxy_fwd *f, void *arg);
	void *arg;
};

struct pcp_proxy {
	struct pcp_proxy_ops ops;
	uint32_t lifetime_max;
	int64_t epoch_base;	/* ms: our epoch counts from here */
	bool have;		/* the B4's binding, as last told */
	struct b4_binding bound;
	struct pcp_proxy_fwd fwd[PCP_PROXY_MAX_FWDS];
	/* per-LAN-host rate limit: over it, a request gets no answer */
	uint32_t rate, burst;
	struct siphash_key key;
	struct pcp_proxy_host hosts[PCP_PROXY_HOSTS];
	uint64_t n_requests, n_limited;
};

/*
 * now: ms on the clock every later call uses (loop_now_ms() in the daemon).
 * The rate limit is PCP_PROXY_RATE / PCP_PROXY_BURST until
 * pcp_proxy_set_rate().
 */
void pcp_proxy_init(struct pcp_proxy *p, const struct pcp_proxy_ops *ops,
		    uint32_t lifetime_max, int64_t now);
/* Requests per second and burst, per LAN host (both >= 1). */
void pcp_proxy_set_rate(struct pcp_proxy *p, uint32_t rate, uint32_t burst);
/*
 * One datagram from LAN host src (network order): the answer is written
 * to out (cap >= PCP_MAX_LEN) and its length returned, 0 for none (also
 * when src is over its rate: such a request is dropped and counted in
 * n_limited, unparsed).
 */
size_t pcp_proxy_request(struct pcp_proxy *p, uint32_t src,
			 const uint8_t *req, size_t len, int64_t now,
			 uint8_t *out, size_t cap);
/* The B4's binding changed (NULL: none): forwards outside it go. */
void pcp_proxy_rebound(struct pcp_proxy *p, const struct b4_binding *b);
/* Forwards whose lifetime is over go. */
void pcp_proxy_expire(struct pcp_proxy *p, int64_t now);

#endif
