// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Host-side benchmark of the output path of `lw4o6 [-j] binding show`:
 * N synthetic bindings through print_binding(), framed as show_cb() frames
 * them, into /dev/null with the stdout setup lw4o6 uses (one big buffer,
 * no stream locking).  Not a test: build with `make bench`, then e.g.
 *
 *	valgrind --tool=callgrind tests/bench_print json 1000000
 *	perf stat -e instructions tests/bench_print text 1000000
 *
 * Usage: bench_print text|json|pretty [count] [stats]
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>

#include "bindmsg.h"
#include "bindprint.h"
#include "print.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static void synth(struct lw4o6_bind *b, struct bind_stats *st, bool stats)
{
	uint32_t r = rnd();
	int i;

	memset(b, 0, sizeof(*b));
	b->ipv4 = rnd();
	b->psid_len = (uint8_t)(r % 17);
	b->psid = (uint16_t)(b->psid_len ? rnd() & ((1U << b->psid_len) - 1) : 0);
	b->offset = (r >> 8) % 8 == 0 ? 4 : 0;
	/* 2001:db8:XXXX:XXXX::YYYY-ish, with an occasional zero run. */
	b->b4.s6_addr[0] = 0x20;
	b->b4.s6_addr[1] = 0x01;
	b->b4.s6_addr[2] = 0x0d;
	b->b4.s6_addr[3] = 0xb8;
	for (i = 4; i < 16; i++)
		if ((r >> (i + 8)) & 1 || i >= 14)
			b->b4.s6_addr[i] = (uint8_t)rnd();
	if (r % 4 == 0) {
		b->has_br = 1;
		b->br.s6_addr[0] = 0x20;
		b->br.s6_addr[1] = 0x01;
		b->br.s6_addr[2] = 0x0d;
		b->br.s6_addr[3] = 0xb8;
		b->br.s6_addr[15] = 1;
	}
	memset(st, 0, sizeof(*st));
	if (stats) {
		st->present = true;
		st->tx_packets = rnd();
		st->tx_bytes = (uint64_t)rnd() * 1500;
		st->rx_packets = rnd() % 1000;
		st->rx_bytes = st->rx_packets * 80;
		st->seen = r & 1;
		st->last_seen = rnd() % 100000;
	}
}

int main(int argc, char **argv)
{
	static char outbuf[1 << 16];
	unsigned long i, n = 1000000;
	struct lw4o6_bind b;
	struct bind_stats st;
	bool stats = false, json, pretty;
	FILE *f;

	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: %s text|json|pretty [count] [stats]\n",
			argv[0]);
		return 2;
	}
	json = strcmp(argv[1], "text") != 0;
	pretty = !strcmp(argv[1], "pretty");
	if (argc > 2)
		n = strtoul(argv[2], NULL, 0);
	if (argc > 3)
		stats = !strcmp(argv[3], "stats");

	f = getenv("BENCH_STDOUT") ? stdout : fopen("/dev/null", "w");
	if (!f) {
		perror("/dev/null");
		return 1;
	}
	setvbuf(f, outbuf, _IOFBF, sizeof(outbuf));
	__fsetlocking(f, FSETLOCKING_BYCALLER);
	print_set_file(f);

	new_json_obj(json, pretty);
	open_json_array(NULL);
	for (i = 0; i < n; i++) {
		synth(&b, &st, stats);
		open_json_object(NULL);
		print_binding(&b, &st);
		close_json_object();
		print_nl();
	}
	close_json_array();
	delete_json_obj();
	if (fflush(f) || ferror(f)) {
		perror("writing");
		return 1;
	}
	return 0;
}
