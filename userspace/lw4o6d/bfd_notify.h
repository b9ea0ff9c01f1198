/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * BFD session changes, told to the module (LW4O6_CMD_BFD_NOTIFY) for
 * `lw4o6 monitor`, on both ends: the B4's one session, the lwAFTR's
 * responder's many.  Never at BFD's expense: a change is queued (a
 * bounded queue; what does not fit is dropped and counted), and the queue
 * goes at the next loop turn in as few datagrams as it fills, each many
 * netlink messages without NLM_F_ACK, so no change waits for an answer.
 * The kernel's refusals come back as errors on the socket, read from the
 * loop, counted and logged (rate limited).  A socket of its own: the
 * request/answer sockets of kernel.c must see no stray errors.
 */
#ifndef LW4O6D_BFD_NOTIFY_H
#define LW4O6D_BFD_NOTIFY_H

#include <stdint.h>
#include <netinet/in.h>

struct nl;

/* Changes held between two loop turns; more are dropped (counted). */
#define BFD_NOTIFY_QUEUE	4096
/* One datagram to the kernel at most (below any socket's send buffer). */
#define BFD_NOTIFY_BATCH	32768

struct bfd_notify_stats {
	uint64_t queued;	/* changes reported */
	uint64_t dropped;	/* the queue was full */
	uint64_t sent;		/* passed to the kernel */
	uint64_t datagrams;	/* in this many sendmsg()s */
	uint64_t send_failed;	/* lost with a failed sendmsg() */
	uint64_t refused;	/* the kernel answered with an error */
	uint64_t lost_errors;	/* error answers lost to a full socket */
};

/*
 * For the lw4o6 device: its own socket, on the loop.  Failure is logged
 * and leaves BFD running unreported; 0 or -1.
 */
int bfd_notify_start(const char *device);
/*
 * A session with peer (the B4's outer address on an lwAFTR, the AFTR's
 * on a B4) went from old to state (enum bfd_state) for diag (the local
 * diagnostic): queued for the next loop turn.  Nothing when not started.
 */
void bfd_notify(const struct in6_addr *peer, uint8_t state, uint8_t old,
		uint8_t diag);
/* What is queued, now: for callers outside the loop (the stop's drain). */
void bfd_notify_flush(void);
/* Flushes, then closes. */
void bfd_notify_stop(void);
const struct bfd_notify_stats *bfd_notify_stats(void);
/* The counters in the log (SIGUSR1, stop). */
void bfd_notify_log_counters(void);
/*
 * Tests: bfd_notify_start() on nl (which it now owns) for the generic
 * netlink family id family and ifindex, sending to port id to (0: the
 * kernel) and not on the loop: bfd_notify_read_errors() reads.
 */
int bfd_notify_on_socket(struct nl *nl, uint16_t family, int ifindex,
			 uint32_t to);
void bfd_notify_read_errors(void);

#endif
