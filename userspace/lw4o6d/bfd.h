/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * BFD Control packets (RFC 5880 section 4.1), single hop (RFC 5881):
 * parsing with the packet-level checks of 6.8.6, and building; no I/O.
 * Every packet a peer sends goes through bfd_parse() first; it is what the
 * fuzzer (fuzz/fuzz_bfd.c) drives.  Authentication (the A bit) is not
 * supported: such packets are dropped, as 6.8.6 asks of a system that has
 * none configured.
 */
#ifndef LW4O6D_BFD_H
#define LW4O6D_BFD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BFD_PORT		3784	/* RFC 5881 4: single-hop control */
#define BFD_SRC_PORT_MIN	49152	/* ... from 49152-65535 */
#define BFD_TTL			255	/* sent, and required (RFC 5881 5) */
#define BFD_VERSION		1
#define BFD_LEN			24	/* without authentication */

enum bfd_state {
	BFD_ADMIN_DOWN	= 0,
	BFD_DOWN	= 1,
	BFD_INIT	= 2,
	BFD_UP		= 3,
};

enum bfd_diag {
	BFD_DIAG_NONE			= 0,
	BFD_DIAG_DETECT_EXPIRED		= 1,	/* control detection time expired */
	BFD_DIAG_ECHO_FAILED		= 2,
	BFD_DIAG_NEIGHBOR_DOWN		= 3,	/* neighbor signaled session down */
	BFD_DIAG_FWD_RESET		= 4,
	BFD_DIAG_PATH_DOWN		= 5,
	BFD_DIAG_CONCAT_DOWN		= 6,
	BFD_DIAG_ADMIN_DOWN		= 7,	/* administratively down */
	BFD_DIAG_REV_CONCAT_DOWN	= 8,
	BFD_DIAG_MAX			= 31,	/* 5 bits */
};

/* Why bfd_parse() refused a packet (counted by the callers). */
enum bfd_bad {
	BFD_BAD_NONE = 0,
	BFD_BAD_LENGTH,		/* shorter than 24, or than its Length says */
	BFD_BAD_VERSION,
	BFD_BAD_MULT,		/* Detect Mult 0 */
	BFD_BAD_MULTIPOINT,	/* M bit */
	BFD_BAD_MY_DISC,	/* My Discriminator 0 */
	BFD_BAD_YOUR_DISC,	/* Your Discriminator 0 while Init or Up */
	BFD_BAD_AUTH,		/* A bit: none configured */
	BFD_BAD_POLL_FINAL,	/* P and F together (6.5: never both) */
	__BFD_BAD_MAX
};

struct bfd_pkt {
	uint8_t version;
	uint8_t diag;		/* enum bfd_diag */
	uint8_t state;		/* enum bfd_state */
	bool poll, final, cpi, auth, demand, multipoint;
	uint8_t mult;
	uint8_t length;
	uint32_t my_disc, your_disc;
	/* microseconds, as on the wire */
	uint32_t desired_min_tx, required_min_rx, required_min_echo_rx;
};

/* 0, or why not (enum bfd_bad): p is filled only when 0. */
int bfd_parse(const uint8_t *buf, size_t len, struct bfd_pkt *p);
/* BFD_LEN bytes of p at buf (version and length set here), or 0 if short. */
size_t bfd_build(const struct bfd_pkt *p, uint8_t *buf, size_t len);

const char *bfd_state_name(unsigned int state);
const char *bfd_diag_name(unsigned int diag);
const char *bfd_bad_name(unsigned int why);

#endif
