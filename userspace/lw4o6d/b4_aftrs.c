// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The lwB4's AFTRs (b4_aftrs.h): which one is in use, which is next, and,
 * for "aftr NAME", the lookup that fills the list.
 *
 * The lookup is glibc's getaddrinfo_a() with no notification: its own
 * thread does the blocking part, and a timer here asks every
 * LOOKUP_POLL_MS whether it is done.  A B4 resolves a name a few times an
 * hour, so polling costs nothing worth a pipe and a thread of our own; and
 * the loop never waits on a slow resolver (a B4 still forwards, renews and
 * answers its LAN meanwhile).  The resolver is whatever the host's
 * resolv.conf and nsswitch say, as for every other program on it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "b4_aftrs.h"
#include "log.h"
#include "loop.h"
#include "strconv.h"

#define LOOKUP_POLL_MS	100

static struct {
	struct b4_aftrs_ops ops;
	char name[CONFIG_AFTR_NAME_LEN];	/* "": a configured list */
	struct in6_addr list[CONFIG_MAX_AFTRS];
	size_t n;
	struct in6_addr in_use;
	bool have_use;
	bool started;
	/* the lookup */
	struct gaicb req;
	struct addrinfo hints;
	bool looking;
	bool move_after;		/* a move waits for its answer */
	char move_why[96];
	int64_t retry_ms;
	struct timer poll_t, refresh_t;
} A;

size_t b4_aftrs_find(const struct in6_addr *list, size_t n,
		     const struct in6_addr *a)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!memcmp(&list[i], a, sizeof(*a)))
			return i;
	return n;
}

size_t b4_aftrs_collect(const struct addrinfo *ai, struct in6_addr *out,
			size_t max)
{
	size_t n = 0;

	for (; ai && n < max; ai = ai->ai_next) {
		const struct sockaddr_in6 *s6 = (const void *)ai->ai_addr;

		if (ai->ai_family != AF_INET6 || !s6 ||
		    ai->ai_addrlen < sizeof(*s6))
			continue;
		if (b4_aftrs_find(out, n, &s6->sin6_addr) < n)
			continue;	/* one per socket type, or listed twice */
		out[n++] = s6->sin6_addr;
	}
	return n;
}

static int use(const struct in6_addr *a)
{
	if (A.ops.use(a, A.ops.arg))
		return -1;
	A.in_use = *a;
	A.have_use = true;
	return 0;
}

/* From the one in use to list[i], saying why. */
static bool move_to(size_t i, const char *why)
{
	char a6[FMT_IPV6_LEN], b6[FMT_IPV6_LEN];
	struct in6_addr from = A.in_use;

	if (use(&A.list[i]))
		return false;
	log_warn("AFTR %s failed us (%s): now using AFTR %s",
		 fmt_ipv6(&from, a6), why, fmt_ipv6(&A.list[i], b6));
	return true;
}

static void looked_up(int err)
{
	struct in6_addr got[CONFIG_MAX_AFTRS];
	char a6[FMT_IPV6_LEN];
	size_t n = 0, i;
	bool first = !A.have_use;

	if (!err)
		n = b4_aftrs_collect(A.req.ar_result, got, CONFIG_MAX_AFTRS);
	if (A.req.ar_result)
		freeaddrinfo(A.req.ar_result);
	A.req.ar_result = NULL;
	if (!n) {
		log_warn("AFTR name %s: %s; %s, looking it up again in %llds",
			 A.name, err ? gai_strerror(err) : "no IPv6 address",
			 first ? "no AFTR to ask yet" : "keeping the AFTRs we had",
			 (long long)(A.retry_ms / 1000));
		timer_arm(&A.refresh_t, A.retry_ms);
		A.retry_ms = A.retry_ms * 2 > B4_AFTRS_RETRY_MAX_MS ?
			     B4_AFTRS_RETRY_MAX_MS : A.retry_ms * 2;
		A.move_after = false;
		return;
	}
	A.retry_ms = 1000;
	timer_arm(&A.refresh_t, B4_AFTRS_REFRESH_MS);
	if (n != A.n || memcmp(got, A.list, n * sizeof(got[0]))) {
		char text[CONFIG_MAX_AFTRS * (FMT_IPV6_LEN + 1)] = "";

		for (i = 0; i < n; i++) {
			strcat(text, i ? " " : "");
			strcat(text, fmt_ipv6(&got[i], a6));
		}
		log_notice("AFTR name %s: %s", A.name, text);
		memcpy(A.list, got, n * sizeof(got[0]));
		A.n = n;
	}
	if (first) {
		if (use(&A.list[0]))
			return;		/* logged; the next lookup tries again */
		A.ops.ready(A.ops.arg);
		return;
	}
	if (A.move_after) {
		A.move_after = false;
		/* the first that is not the one that failed us */
		for (i = 0; i < A.n; i++)
			if (memcmp(&A.list[i], &A.in_use, sizeof(A.in_use)))
				break;
		if (i < A.n && move_to(i, A.move_why))
			A.ops.moved(A.ops.arg);
		return;
	}
	/*
	 * The name is the operator's word: an AFTR it no longer gives is
	 * left now, not at its failure (the set was renumbered, say).
	 */
	if (b4_aftrs_find(A.list, A.n, &A.in_use) == A.n) {
		char b6[FMT_IPV6_LEN];

		fmt_ipv6(&A.in_use, a6);
		if (use(&A.list[0]))
			return;
		log_warn("AFTR %s is not an address of %s: now using AFTR %s",
			 a6, A.name, fmt_ipv6(&A.list[0], b6));
		A.ops.moved(A.ops.arg);
	}
}

static void on_poll(struct timer *t)
{
	int err = gai_error(&A.req);

	if (err == EAI_INPROGRESS) {
		timer_arm(t, LOOKUP_POLL_MS);
		return;
	}
	A.looking = false;
	looked_up(err);
}

static void lookup(void)
{
	struct gaicb *list[1] = { &A.req };
	int err;

	if (A.looking || !A.name[0])
		return;
	memset(&A.req, 0, sizeof(A.req));
	memset(&A.hints, 0, sizeof(A.hints));
	A.hints.ai_family = AF_INET6;
	A.hints.ai_socktype = SOCK_DGRAM;
	A.req.ar_name = A.name;
	A.req.ar_request = &A.hints;
	err = getaddrinfo_a(GAI_NOWAIT, list, 1, NULL);
	if (err) {
		looked_up(err);
		return;
	}
	A.looking = true;
	log_debug("looking up AFTR name %s", A.name);
	timer_arm(&A.poll_t, LOOKUP_POLL_MS);
}

static void on_refresh(struct timer *t)
{
	(void)t;
	lookup();
}

int b4_aftrs_start(const struct lw4o6d_config *c,
		   const struct in6_addr *remote,
		   const struct b4_aftrs_ops *ops)
{
	size_t i;

	memset(&A, 0, sizeof(A));
	A.ops = *ops;
	timer_init(&A.poll_t, on_poll);
	timer_init(&A.refresh_t, on_refresh);
	A.retry_ms = 1000;
	A.started = true;
	if (c->aftr_name[0]) {
		strcpy(A.name, c->aftr_name);
		lookup();
		if (IN6_IS_ADDR_UNSPECIFIED(remote))
			return 0;
		/* what a previous run (or the operator) chose, meanwhile */
		A.in_use = *remote;
		A.have_use = true;
		return 1;
	}
	memcpy(A.list, c->aftrs, c->n_aftrs * sizeof(A.list[0]));
	A.n = c->n_aftrs;
	/* the one a previous run left in use, else the first */
	i = b4_aftrs_find(A.list, A.n, remote);
	return use(&A.list[i < A.n ? i : 0]) ? -1 : 1;
}

bool b4_aftrs_next(const char *why)
{
	size_t i;

	if (!A.started)
		return false;
	if (A.n) {
		i = b4_aftrs_find(A.list, A.n, &A.in_use);
		/* off the list (a lookup dropped it): the first; else the next */
		i = i < A.n ? (i + 1) % A.n : 0;
		if (memcmp(&A.list[i], &A.in_use, sizeof(A.in_use)) &&
		    move_to(i, why)) {
			if (A.name[0])
				lookup();	/* the name may have changed too */
			return true;
		}
	}
	if (A.name[0]) {
		/* nowhere else on the list: perhaps the name says otherwise now */
		A.move_after = true;
		snprintf(A.move_why, sizeof(A.move_why), "%s", why);
		timer_cancel(&A.refresh_t);
		lookup();
	}
	return false;
}

void b4_aftrs_stop(void)
{
	if (!A.started)
		return;
	timer_cancel(&A.poll_t);
	timer_cancel(&A.refresh_t);
	if (A.looking) {
		/* Running already, it cannot be cancelled: wait (bounded by the
		 * resolver's own timeouts) rather than leave it our memory. */
		const struct gaicb *list[1] = { &A.req };

		if (gai_cancel(&A.req) != EAI_CANCELED)
			while (gai_suspend(list, 1, NULL) == EAI_INTR)
				;
		if (A.req.ar_result)
			freeaddrinfo(A.req.ar_result);
		A.looking = false;
	}
	A.started = false;
}
