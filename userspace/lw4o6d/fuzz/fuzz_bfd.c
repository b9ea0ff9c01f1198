/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * libFuzzer harness for BFD: the codec and a session fed what parses.
 * ASan catches reads past the input; the asserts catch a parser and a
 * builder that disagree (what parses builds to the same first 24 bytes,
 * save the bits the builder never sets), and a session that sends what
 * does not parse back or breaks RFC 5880's invariants, whatever it hears.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../bfd.h"
#include "../bfd_session.h"

static void check(int ok)
{
	if (!ok)
		abort();
}

static void on_send(struct bfd_session *s, const uint8_t *pkt, size_t len)
{
	struct bfd_pkt p;

	check(bfd_parse(pkt, len, &p) == 0);
	check(p.my_disc == s->local_disc);
	check(!(p.poll && p.final));
	check(p.state == BFD_UP || p.desired_min_tx >= BFD_SLOW_US);
}

static const struct bfd_session_ops ops = { .send = on_send };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct bfd_session_cfg cfg = { .desired_min_tx = 10000000,
						    .required_min_rx = 10000000,
						    .mult = 3, .passive = true };
	struct bfd_session s;
	struct bfd_pkt p, q;
	uint8_t out[BFD_LEN];
	int64_t now = 1000;
	size_t off;

	if (bfd_parse(data, size, &p) == 0) {
		check(bfd_build(&p, out, sizeof(out)) == BFD_LEN);
		check(bfd_parse(out, sizeof(out), &q) == 0);
		check(!memcmp(&p.my_disc, &q.my_disc, sizeof(p.my_disc)) &&
		      p.your_disc == q.your_disc && p.state == q.state &&
		      p.diag == q.diag && p.mult == q.mult &&
		      p.poll == q.poll && p.final == q.final &&
		      p.desired_min_tx == q.desired_min_tx &&
		      p.required_min_rx == q.required_min_rx);
		check(!memcmp(out + 4, data + 4, BFD_LEN - 4));
	}
	/* The input as a stream of packets 24 bytes apart, 1 s between them. */
	bfd_session_init(&s, &ops, &cfg, 0x5eed, now);
	for (off = 0; off + BFD_LEN <= size; off += BFD_LEN, now += 1000) {
		bfd_session_tick(&s, now);
		if (bfd_parse(data + off, BFD_LEN, &p) == 0 &&
		    (!p.your_disc || p.your_disc == s.local_disc))
			bfd_session_rx(&s, &p, now);
		check(s.state <= BFD_UP);
		check(bfd_session_due(&s) >= now ||
		      bfd_session_due(&s) == INT64_MAX ||
		      s.next_tx <= now);
	}
	bfd_session_tick(&s, now + 3600000);
	return 0;
}
