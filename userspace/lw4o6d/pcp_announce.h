/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The PCP server's unsolicited ANNOUNCE rounds (RFC 6887 14.1.3), without
 * I/O: whom to tell, when, and when to stop.  pcp_server.c sends.
 *
 * A round goes to every B4 that asked over PCP, each once a pass.  After
 * a loss of state, ten passes: the second 250 ms after the first began,
 * each gap twice the one before (0, 0.25, 0.75, 1.75 ... 127.75 s), as the
 * RFC asks of a server that lost its clients' state, so that one lost
 * datagram does not leave a B4 with a dead mapping until its next renewal.
 * Otherwise (a restart that kept its epoch, a takeover on a shared store)
 * one pass: the B4s lost nothing and will not answer, so repeats would
 * only be sent to all of them again.  A pass
 * skips the B4s heard from since the round began (any request: its
 * answer carries the new epoch), and the round ends early once all were.
 * Sending is paced at "rate" a second in 100 ms slices, each due at a
 * fixed point (so the time spent sending does not slow the rate down),
 * and a slice goes out PCP_ANNOUNCE_CHUNK at a time, one turn of the
 * event loop each: a million B4s re-validating in one second would be a
 * flood of our own making, and a round must not stop the daemon answering.  A pass
 * that is due while the one before is still being paced out starts when
 * it ends.
 */
#ifndef LW4O6D_PCP_ANNOUNCE_H
#define LW4O6D_PCP_ANNOUNCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "mapping.h"

#define PCP_ANNOUNCE_PASSES	10
#define PCP_ANNOUNCE_GAP_MS	250	/* before the second pass; doubles */
#define PCP_ANNOUNCE_SLICE_MS	100
/* Sent per turn of the event loop at most: PCP and timers go on meanwhile. */
#define PCP_ANNOUNCE_CHUNK	512

struct pcp_announce_to {
	struct in6_addr b4;
	uint8_t via;			/* MAPPING_VIA_SOFTWIRE or _IPV6 */
	bool heard;
};

struct pcp_announce {
	struct pcp_announce_to *to;	/* sorted by b4, each once */
	size_t n, next, left;		/* left: not heard from yet */
	unsigned int pass, passes;	/* this one; how many in all */
	uint32_t rate;			/* a second */
	int64_t began, first_ms;	/* ms; first_ms: the first pass took */
	int64_t slice_at;		/* when the slice being sent was due */
	size_t slice_left;		/* what it may still send; 0: not begun */
	uint64_t sent;			/* this round */
	bool active;
};

/* What pcp_announce_run() did; the caller logs it. */
struct pcp_announce_step {
	int64_t wait_ms;		/* call again after; -1: the round is over */
	bool first_pass_done;		/* just now: first_ms is set */
	bool over;			/* just now */
};

typedef void pcp_announce_send_fn(const struct pcp_announce_to *to,
				  void *arg);

void pcp_announce_init(struct pcp_announce *a, uint32_t rate);
/*
 * A round of passes (1 .. PCP_ANNOUNCE_PASSES) to the B4s of b4s (copied;
 * DHCPv4-over-DHCPv6 ones, which have no PCP client, left out), replacing
 * one going: the newer epoch is the one that counts.  How many it goes
 * to, or -1 out of memory (nothing changed).
 */
long pcp_announce_begin(struct pcp_announce *a, const struct mapping_b4 *b4s,
			size_t n, unsigned int passes, int64_t now_ms);
/*
 * b4 was heard from: no more repeats to it.  True when that made the
 * round's last B4 heard: the round is over now (the caller cancels its
 * timer).
 */
bool pcp_announce_heard(struct pcp_announce *a, const struct in6_addr *b4);
/* Sends what is due at now_ms through send. */
struct pcp_announce_step pcp_announce_run(struct pcp_announce *a,
					  int64_t now_ms,
					  pcp_announce_send_fn *send,
					  void *arg);
void pcp_announce_free(struct pcp_announce *a);

#endif
