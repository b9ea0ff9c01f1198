/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef LW4O6D_B4_AFTRS_H
#define LW4O6D_B4_AFTRS_H

#include <stdbool.h>
#include <stddef.h>
#include <netinet/in.h>

#include "config.h"

/*
 * The AFTRs a B4 fails over between ("aftr"): the addresses its config
 * lists, or those a DNS name resolves to.  A name is looked up without
 * stopping the loop (getaddrinfo_a), at start, again every
 * B4_AFTRS_REFRESH_MS, and at once when the B4 must move and the list
 * holds nowhere else to go: an operator who renumbers the AFTR set
 * changes the name, and B4s follow.
 */

/* A name is looked up again this often (a DNS answer's TTL is not ours). */
#define B4_AFTRS_REFRESH_MS	300000
/* A failed lookup is retried after 1 s, doubling up to this. */
#define B4_AFTRS_RETRY_MAX_MS	60000

struct b4_aftrs_ops {
	/* a becomes the AFTR in use (the device's remote): 0, or -1 logged */
	int (*use)(const struct in6_addr *a, void *arg);
	/* the first AFTR is known (the name resolved): start asking it */
	void (*ready)(void *arg);
	/*
	 * A lookup's answer moved us (after use()): the AFTR that failed us
	 * had no other on the list until now, or the one in use is no longer
	 * an address of the name.  Start over there.
	 */
	void (*moved)(void *arg);
	void *arg;
};

/*
 * remote: the device's remote now (a previous run's choice is kept when
 * it is on the list).  1: an AFTR is in use (ops->use() was called, or the
 * remote stays while the name is looked up); 0: none yet, ops->ready()
 * follows the lookup; -1: logged.
 */
int b4_aftrs_start(const struct lw4o6d_config *c,
		   const struct in6_addr *remote,
		   const struct b4_aftrs_ops *ops);
/*
 * The AFTR in use failed us (why: for the log): the next one is used and
 * true returned; false when there is no other (with a name, a lookup then
 * starts, and moves us if it finds another).
 */
bool b4_aftrs_next(const char *why);
void b4_aftrs_stop(void);

/* The part with no state, for the tests: a's place in list, or n. */
size_t b4_aftrs_find(const struct in6_addr *list, size_t n,
		     const struct in6_addr *a);
/*
 * The IPv6 addresses of a getaddrinfo() answer into out (at most max),
 * in its order (RFC 6724's), each once: how many.
 */
struct addrinfo;
size_t b4_aftrs_collect(const struct addrinfo *ai, struct in6_addr *out,
			size_t max);

#endif
