// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * BFD Control packets (bfd.h).  The layout, RFC 5880 4.1:
 *
 *   0: Vers(3) Diag(5)   1: Sta(2) P F C A D M   2: Detect Mult   3: Length
 *   4: My Discriminator  8: Your Discriminator
 *  12: Desired Min TX Interval  16: Required Min RX Interval
 *  20: Required Min Echo RX Interval                 (all big-endian, us)
 */
#include <string.h>

#include "bfd.h"

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

int bfd_parse(const uint8_t *buf, size_t len, struct bfd_pkt *p)
{
	struct bfd_pkt q;

	/* RFC 5880 6.8.6, in its order, up to what needs a session. */
	if (len < BFD_LEN)
		return BFD_BAD_LENGTH;
	memset(&q, 0, sizeof(q));
	q.version = buf[0] >> 5;
	q.diag = buf[0] & 0x1f;
	q.state = buf[1] >> 6;
	q.poll = buf[1] & 0x20;
	q.final = buf[1] & 0x10;
	q.cpi = buf[1] & 0x08;
	q.auth = buf[1] & 0x04;
	q.demand = buf[1] & 0x02;
	q.multipoint = buf[1] & 0x01;
	q.mult = buf[2];
	q.length = buf[3];
	q.my_disc = get32(buf + 4);
	q.your_disc = get32(buf + 8);
	q.desired_min_tx = get32(buf + 12);
	q.required_min_rx = get32(buf + 16);
	q.required_min_echo_rx = get32(buf + 20);
	if (q.version != BFD_VERSION)
		return BFD_BAD_VERSION;
	/*
	 * Length: at least 24 (26 with authentication, which is refused
	 * below anyway), and no more than the datagram holds.
	 */
	if (q.length < BFD_LEN || q.length > len)
		return BFD_BAD_LENGTH;
	if (!q.mult)
		return BFD_BAD_MULT;
	if (q.multipoint)
		return BFD_BAD_MULTIPOINT;
	if (!q.my_disc)
		return BFD_BAD_MY_DISC;
	if (!q.your_disc && q.state != BFD_DOWN && q.state != BFD_ADMIN_DOWN)
		return BFD_BAD_YOUR_DISC;
	if (q.auth)
		return BFD_BAD_AUTH;
	if (q.poll && q.final)
		return BFD_BAD_POLL_FINAL;
	*p = q;
	return BFD_BAD_NONE;
}

size_t bfd_build(const struct bfd_pkt *p, uint8_t *buf, size_t len)
{
	if (len < BFD_LEN)
		return 0;
	buf[0] = BFD_VERSION << 5 | (p->diag & 0x1f);
	buf[1] = (p->state & 3) << 6 | (p->poll ? 0x20 : 0) |
		 (p->final ? 0x10 : 0) | (p->cpi ? 0x08 : 0) |
		 (p->demand ? 0x02 : 0);	/* never A, never M */
	buf[2] = p->mult;
	buf[3] = BFD_LEN;
	put32(buf + 4, p->my_disc);
	put32(buf + 8, p->your_disc);
	put32(buf + 12, p->desired_min_tx);
	put32(buf + 16, p->required_min_rx);
	put32(buf + 20, p->required_min_echo_rx);
	return BFD_LEN;
}

const char *bfd_state_name(unsigned int state)
{
	static const char *const names[] = { "admin-down", "down", "init", "up" };

	return state < 4 ? names[state] : "?";
}

/* Short names, as FRR and the IANA registry word them. */
const char *bfd_diag_name(unsigned int diag)
{
	static const char *const names[] = {
		[BFD_DIAG_NONE]			= "none",
		[BFD_DIAG_DETECT_EXPIRED]	= "control-detection-time-expired",
		[BFD_DIAG_ECHO_FAILED]		= "echo-function-failed",
		[BFD_DIAG_NEIGHBOR_DOWN]	= "neighbor-signaled-down",
		[BFD_DIAG_FWD_RESET]		= "forwarding-plane-reset",
		[BFD_DIAG_PATH_DOWN]		= "path-down",
		[BFD_DIAG_CONCAT_DOWN]		= "concatenated-path-down",
		[BFD_DIAG_ADMIN_DOWN]		= "administratively-down",
		[BFD_DIAG_REV_CONCAT_DOWN]	= "reverse-concatenated-path-down",
	};

	return diag < sizeof(names) / sizeof(names[0]) ? names[diag] :
	       "reserved";
}

const char *bfd_bad_name(unsigned int why)
{
	static const char *const names[] = {
		[BFD_BAD_NONE]		= "none",
		[BFD_BAD_LENGTH]	= "length",
		[BFD_BAD_VERSION]	= "version",
		[BFD_BAD_MULT]		= "zero-multiplier",
		[BFD_BAD_MULTIPOINT]	= "multipoint",
		[BFD_BAD_MY_DISC]	= "zero-my-discriminator",
		[BFD_BAD_YOUR_DISC]	= "zero-your-discriminator",
		[BFD_BAD_AUTH]		= "authentication",
		[BFD_BAD_POLL_FINAL]	= "poll-and-final",
	};

	return why < __BFD_BAD_MAX ? names[why] : "?";
}
