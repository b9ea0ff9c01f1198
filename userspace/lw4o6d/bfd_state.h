/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The BFD responder's state file: what `lw4o6d bfd` shows of a running
 * daemon's sessions.  The daemon writes it whole (a new file renamed over
 * the old) at start, on SIGUSR1 and at stop; `lw4o6d bfd` sends SIGUSR1
 * to the pid the file names, as nginx -s does with its pid file, waits
 * for the new file, and prints it.  A snapshot on demand rather than a
 * control socket: nothing listens, nothing more to sandbox, and a million
 * sessions cost the daemon one write (about 100 MB, 1.5 s) only when asked.
 *
 * Text, a line each: "pid N", "written UNIX_S", "draining 0|1", then per
 * session "session " and the fields of struct bfd_state_row in order.
 * This file formats and parses lines; no I/O.
 */
#ifndef LW4O6D_BFD_STATE_H
#define LW4O6D_BFD_STATE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "bfd_responder.h"
#include "config.h"

struct bfd_state_row {
	char b4[48];
	unsigned int state, diag, remote_state, remote_diag;
	uint32_t local_disc, remote_disc;
	long long since;		/* the last change of state, Unix s */
	uint32_t tx_us, rx_us;		/* ours in effect: Desired Min TX, Required Min RX */
	uint32_t remote_tx_us, remote_rx_us;
	unsigned int remote_mult;
	long long detect_ms;		/* 0: not watching */
	unsigned long long n_rx, n_tx;
};

/* The file's path: bfd-state-file, or /var/lib/lw4o6d/bfd-DEVICE.state. */
void bfd_state_path(const struct lw4o6d_config *c, char *buf, size_t len);
/* p's line (with "session " and "\n"), given now in loop ms and wall s. */
int bfd_state_line(const struct bfd_peer *p, int64_t now_ms, time_t wall,
		   char *buf, size_t len);
/* 0 and r filled, or -1 unless line is a whole "session" line. */
int bfd_state_parse(const char *line, struct bfd_state_row *r);

#endif
