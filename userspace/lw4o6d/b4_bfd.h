/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef LW4O6D_B4_BFD_H
#define LW4O6D_B4_BFD_H

#include <stdbool.h>
#include <netinet/in.h>

#include "config.h"

/*
 * The lwB4's BFD session with its AFTR, inside the softwire (RFC 5881):
 * from 192.0.0.2:49152 to 192.0.0.1:3784, heard on 192.0.0.2:3784, TTL
 * 255 both ways.  The session itself is bfd_session.c's; this is its I/O,
 * its timer, its log and its state file.
 */

struct b4_bfd_ops {
	/*
	 * The AFTR failed the session (why: for the log): the detection
	 * time expired, or it said AdminDown (it drains or stops).
	 */
	void (*failed)(const char *why, void *arg);
	void *arg;
};

/*
 * 192.0.0.2 must be on the device already.  The session's state is
 * written to state_file (JSON) at every change; "" for none, and told to
 * the module for `lw4o6 monitor` (bfd_notify.h), with the AFTR's address
 * as the peer.  Without an AFTR yet (aftr NULL), the session waits for
 * b4_bfd_restart().  0, or -1 after logging why.
 */
int b4_bfd_start(const struct lw4o6d_config *c, const char *state_file,
		 const struct b4_bfd_ops *ops, const struct in6_addr *aftr);
/* The device's remote changed to aftr (or is known): a new session with it. */
void b4_bfd_restart(const struct in6_addr *aftr);
/* AdminDown (diagnostic 7) to the AFTR, once, then quiet. */
void b4_bfd_stop(void);
void b4_bfd_log_counters(void);

#endif
