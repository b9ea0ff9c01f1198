// SPDX-License-Identifier: GPL-2.0
/*
 * The baseline of the ANNOUNCE benchmark (selftests/bench/guest-anycast.sh,
 * docs/performance.md "Anycast through FRR; ANNOUNCE to stored B4s"):
 * the same packets lw4o6d sends in an ANNOUNCE round, sent by the
 * simplest loop that can send them.
 *
 *   announce_send SRC PREFIX COUNT [RATE]
 *
 * One raw IPv6 socket of protocol 4 (IPv4 in IPv6) bound to SRC (with
 * IPV6_FREEBIND), as lw4o6d's PCP server opens it; one 52-byte IPv4/UDP
 * datagram 192.0.0.1:5351 -> 192.0.0.2:5350 carrying a PCP ANNOUNCE
 * response (24 bytes, epoch 0), built once; then one sendto() to each of
 * PREFIX + 1 .. PREFIX + COUNT (added to the low 64 bits), in that order
 * (the daemon's list is sorted the same way).  Without RATE, back to back;
 * with RATE, RATE / 10 sendto()s and then a 100 ms sleep, again and again,
 * as lw4o6d paces a round (its timer is armed for 100 ms after each slice
 * is sent).
 *
 * Prints "sent N errors E ms M cpu_ticks T clk_tck H cpu_ns C": M the
 * monotonic milliseconds from the first sendto() to the last, T the
 * utime + stime from /proc/self/stat (what the script reads of lw4o6d's
 * /proc/PID/stat) across the same span, C the same from getrusage() at
 * nanosecond precision.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>

#ifndef IPV6_FREEBIND
#define IPV6_FREEBIND 78
#endif

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* utime + stime of this process, in clock ticks (fields 14 and 15). */
static long long stat_ticks(void)
{
	char buf[1024], *p;
	unsigned long long ut = 0, st = 0;
	FILE *f = fopen("/proc/self/stat", "r");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');	/* the command name may hold spaces */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
			 &ut, &st) != 2)
		return -1;
	return (long long)(ut + st);
}

static long long rusage_ns(void)
{
	struct rusage r;

	getrusage(RUSAGE_SELF, &r);
	return (r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1000000000LL +
	       (r.ru_utime.tv_usec + r.ru_stime.tv_usec) * 1000LL;
}

static long long mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6 }, to = sa;
	uint8_t pkt[52] = { 0 }, *pcp = pkt + 28;
	long long t0, t1, c0, c1, r0, r1;
	unsigned long n, rate = 0, per, i, errors = 0;
	uint64_t low;
	int fd, one = 1;
	uint16_t c;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: %s SRC PREFIX COUNT [RATE]\n", argv[0]);
		return 2;
	}
	if (inet_pton(AF_INET6, argv[1], &sa.sin6_addr) != 1 ||
	    inet_pton(AF_INET6, argv[2], &to.sin6_addr) != 1) {
		fprintf(stderr, "announce_send: bad address\n");
		return 2;
	}
	n = strtoul(argv[3], NULL, 10);
	if (argc == 5)
		rate = strtoul(argv[4], NULL, 10);
	per = rate ? (rate / 10 ? rate / 10 : 1) : n;

	fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_IPIP);
	if (fd < 0) {
		perror("announce_send: socket");
		return 1;
	}
	setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("announce_send: bind");
		return 1;
	}

	/* PCP ANNOUNCE response: version 2, R + opcode 0, result 0, epoch 0 */
	pcp[0] = 2;
	pcp[1] = 0x80;
	/* IPv4 + UDP as lw4o6d's udp4_build() makes them */
	pkt[0] = 0x45;
	pkt[3] = sizeof(pkt);
	pkt[6] = 0x40;
	pkt[8] = 64;
	pkt[9] = 17;
	memcpy(pkt + 12, "\xc0\x00\x00\x01\xc0\x00\x00\x02", 8);
	c = fold(sum16(pkt, 20, 0));
	pkt[10] = c >> 8;
	pkt[11] = c & 0xff;
	pkt[20] = 5351 >> 8;
	pkt[21] = 5351 & 0xff;
	pkt[22] = 5350 >> 8;
	pkt[23] = 5350 & 0xff;
	pkt[25] = sizeof(pkt) - 20;
	/* pseudo header: addresses, protocol, UDP length */
	c = fold(sum16(pkt + 20, sizeof(pkt) - 20,
		       sum16(pkt + 12, 8, 17 + sizeof(pkt) - 20)));
	if (!c)
		c = 0xffff;
	pkt[26] = c >> 8;
	pkt[27] = c & 0xff;

	memcpy(&low, to.sin6_addr.s6_addr + 8, 8);
	low = be64toh(low);
	c0 = stat_ticks();
	r0 = rusage_ns();
	t0 = mono_ns();
	for (i = 0; i < n; i++) {
		uint64_t a = htobe64(low + i + 1);

		if (rate && i && i % per == 0) {
			struct timespec d = { 0, 100 * 1000000L };

			while (nanosleep(&d, &d) && errno == EINTR)
				;
		}
		memcpy(to.sin6_addr.s6_addr + 8, &a, 8);
		if (sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&to,
			   sizeof(to)) < 0)
			errors++;
	}
	t1 = mono_ns();
	r1 = rusage_ns();
	c1 = stat_ticks();
	printf("sent %lu errors %lu ms %.1f cpu_ticks %lld clk_tck %ld cpu_ns %lld\n",
	       n, errors, (t1 - t0) / 1e6, c1 - c0, sysconf(_SC_CLK_TCK),
	       r1 - r0);
	return errors ? 1 : 0;
}
