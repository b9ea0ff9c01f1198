/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * libFuzzer harness for the lwAFTR's BFD responder (bfd_responder.c): the
 * input is a stream of 26-byte records, each a packet from one of eight
 * B4s, sent at a time the record chooses:
 *
 *   byte 0: bits 0-2 the B4 (its outer source), bit 3 a TTL of 254,
 *           bit 4 Your Discriminator taken from the table's session
 *           (byte 1 % sessions; any B4's, so the wrong-source path is
 *           reached), bits 5-7 the time step (2^n * 37 ms)
 *   byte 1: the session, for bit 4
 *   bytes 2-25: the BFD packet
 *
 * With at most four sessions.  ASan catches a use after free (a session
 * freed while the heap or the drain still points to it); the checks
 * catch a heap out of order, a table over its bound, counters that do
 * not add up, and an answer that does not parse or goes to a B4 other
 * than its session's.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "../bfd.h"
#include "../bfd_responder.h"

#define N_B4	8
#define MAX_SESSIONS	4
#define REC	26

static void check(int ok)
{
	if (!ok)
		abort();
}

static void on_send(struct bfd_resp *r, const struct bfd_peer *p,
		    const uint8_t *pkt, size_t len)
{
	struct bfd_pkt q;

	check(bfd_parse(pkt, len, &q) == 0);
	check(q.my_disc == p->s.local_disc);
	check(bfd_resp_find_b4(r, &p->b4) == p);
	check(bfd_resp_find_disc(r, p->s.local_disc) == p);
	check(p->src4 == htonl(0xc0000002));
}

static const struct bfd_resp_ops ops = { .send = on_send };

static void invariants(const struct bfd_resp *r)
{
	const struct bfd_resp_stats *s = &r->st;
	uint64_t drops = 0;
	size_t i, up = 0;

	check(s->sessions <= MAX_SESSIONS);
	check(s->created - s->freed == s->sessions);
	for (i = 0; i < s->sessions; i++) {
		check(r->heap[i]->heap_i == i);
		check(!i || r->heap[(i - 1) / 2]->due <= r->heap[i]->due);
		up += r->heap[i]->s.state == BFD_UP;
	}
	check(up == s->up);
	for (i = 0; i < __BFD_DROP_MAX; i++)
		drops += s->drop[i];
	check(drops <= s->rx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bfd_resp_cfg cfg = { .interval_us = 300000, .mult = 3,
				    .max_sessions = MAX_SESSIONS };
	struct bfd_resp r;
	int64_t now = 1000;
	size_t off;

	if (bfd_resp_init(&r, &ops, &cfg))
		return 0;
	for (off = 0; off + REC <= size; off += REC) {
		const uint8_t *rec = data + off;
		uint8_t pkt[BFD_LEN];
		struct bfd_resp_in in = {
			.src4 = htonl(0xc0000002), .sport = 49152,
			.ttl = rec[0] & 8 ? 254 : 255, .data = pkt,
			.len = BFD_LEN,
		};

		memcpy(pkt, rec + 2, BFD_LEN);
		memset(&in.b4, 0, sizeof(in.b4));
		in.b4.s6_addr[0] = 0x20;
		in.b4.s6_addr[15] = rec[0] & 7;
		if ((rec[0] & 16) && r.st.sessions) {
			uint32_t d = htonl(r.heap[rec[1] % r.st.sessions]->s.local_disc);

			memcpy(pkt + 8, &d, 4);
		}
		now += (int64_t)37 << (rec[0] >> 5);
		bfd_resp_run(&r, now);
		invariants(&r);
		bfd_resp_rx(&r, &in, now);
		invariants(&r);
		/* a drain now and then, begun on a B4 index of 7 at TTL 254 */
		if ((rec[0] & 15) == 15)
			bfd_resp_drain(&r, 2, now);
		else if ((rec[0] & 15) == 14)
			bfd_resp_undrain(&r, now);
		invariants(&r);
	}
	/*
	 * Silence from now on: past twice the longest detection time a B4
	 * can ask for (255 x 4295 s), every session has gone.
	 */
	now += 2 * 255 * 4295 * 1000LL + 1000;
	for (off = 0; r.st.sessions && off < 16; off++) {
		check(bfd_resp_due(&r) <= now);
		bfd_resp_run(&r, now);
		invariants(&r);
	}
	check(r.st.sessions == 0);
	bfd_resp_fini(&r);
	return 0;
}
