// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Load generator for the lwAFTR's BFD responder (selftests/bench/
 * guest-bfd.sh, docs/performance.md).  Not a unit test (no pass or fail):
 * a benchmark.  It plays N B4s at once, each with its own softwire, built
 * with the daemon's own session code (bfd_session.c, bfd.c, wire.c), so
 * the AFTR sees what N of our B4s would send: RFC 5880 asynchronous
 * sessions with their slow start, Poll sequence and jitter.
 *
 *   bench_bfd bfd  -I IFNAME -M MAC -a AFTR -b PREFIX -n N -i MS
 *                  [-r RAMP] [-s SETTLE] [-w WINDOW] [-p PID]
 *	B4 k (1..N) is PREFIX::k (PREFIX a /96), inner 192.0.0.2:49152 to
 *	192.0.0.1:3784, TTL 255, in IPv6 to AFTR (the lwAFTR device's local
 *	address).  Frames go out and come in on IFNAME through one packet
 *	socket (next hop MAC), so the B4 addresses need not be local and the
 *	namespace's own IPv6 stack does nothing for them.  RAMP sessions
 *	start each second (2000); after SETTLE seconds more (an interval and
 *	a second) a WINDOW (3 intervals) is measured: packets each way, sessions Up,
 *	Up sessions lost, and CPU: PID's (the responder, lw4o6d), this
 *	process's own, and the whole guest's busy share (/proc/uptime).
 *   bench_bfd echo (the same options)
 *	The baseline: the same N B4s, each sending an ICMP echo request to
 *	192.0.0.1 once per MS (from the start, spread over the interval;
 *	no ramp), which the module answers itself
 *	(kmod/control.c) with no daemon behind it: the softwire's own cost
 *	of a packet in and a packet out.
 *
 * Prints one line of "key value" pairs.  Times are CLOCK_MONOTONIC (in an
 * icount guest: the instruction count).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/if_packet.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "bfd.h"
#include "bfd_session.h"
#include "wire.h"

#define BURST	64		/* frames per recvmmsg / sendmmsg */
#define IP6_HLEN 40
#define FRAME	(IP6_HLEN + 28 + BFD_LEN)
#define B4_ADDR	0xc0000002u	/* 192.0.0.2 */
#define AFTR_ADDR 0xc0000001u	/* 192.0.0.1 */

static const char *prog = "bench_bfd";

struct sim {
	struct bfd_session s;
	int64_t key;		/* when it next needs us (ms) */
	uint32_t hpos;		/* its place in the heap */
	bool started;
};

static struct {
	bool echo;
	uint32_t n, interval_ms;
	struct sim *sim;
	uint32_t *heap;		/* sim indexes, min-heap on key */
	int fd;
	struct sockaddr_ll to;
	struct in6_addr aftr, prefix;
	/* the outgoing batch */
	uint8_t out[BURST][FRAME];
	struct iovec oiov[BURST];
	struct mmsghdr omsg[BURST];
	unsigned int nout;
	/* counters */
	uint64_t tx, rx, rx_bad, tx_err, up, downs, ups;
} G;

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void die(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
	exit(1);
}

/* ---- the heap of sessions by due time ---- */

static void heap_set(uint32_t pos, uint32_t i)
{
	G.heap[pos] = i;
	G.sim[i].hpos = pos;
}

static void heap_down(uint32_t pos)
{
	uint32_t i = G.heap[pos];

	for (;;) {
		uint32_t c = 2 * pos + 1;

		if (c >= G.n)
			break;
		if (c + 1 < G.n && G.sim[G.heap[c + 1]].key < G.sim[G.heap[c]].key)
			c++;
		if (G.sim[G.heap[c]].key >= G.sim[i].key)
			break;
		heap_set(pos, G.heap[c]);
		pos = c;
	}
	heap_set(pos, i);
}

static void heap_up(uint32_t pos)
{
	uint32_t i = G.heap[pos];

	while (pos) {
		uint32_t p = (pos - 1) / 2;

		if (G.sim[G.heap[p]].key <= G.sim[i].key)
			break;
		heap_set(pos, G.heap[p]);
		pos = p;
	}
	heap_set(pos, i);
}

static void rekey(uint32_t i, int64_t key)
{
	int64_t old = G.sim[i].key;

	G.sim[i].key = key;
	if (key < old)
		heap_up(G.sim[i].hpos);
	else
		heap_down(G.sim[i].hpos);
}

/* ---- frames ---- */

static void b4_addr(uint32_t i, struct in6_addr *a)
{
	uint32_t k = htonl(i + 1);

	*a = G.prefix;
	memcpy(&a->s6_addr[12], &k, 4);
}

static void flush(void)
{
	unsigned int done = 0;

	while (done < G.nout) {
		int r = sendmmsg(G.fd, G.omsg + done, G.nout - done, 0);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			G.tx_err += G.nout - done;	/* ENOBUFS: the qdisc is full */
			break;
		}
		done += r;
		G.tx += r;
	}
	G.nout = 0;
}

/* IPv6 header + the inner packet (IPv4 at out + 40, of len bytes). */
static void frame_out(uint32_t i, size_t len)
{
	uint8_t *f = G.out[G.nout];
	struct in6_addr src;

	memset(f, 0, IP6_HLEN);
	f[0] = 0x60;
	f[4] = len >> 8;
	f[5] = len & 0xff;
	f[6] = IPPROTO_IPIP;
	f[7] = 64;
	b4_addr(i, &src);
	memcpy(f + 8, &src, 16);
	memcpy(f + 24, &G.aftr, 16);
	G.oiov[G.nout].iov_len = IP6_HLEN + len;
	if (++G.nout == BURST)
		flush();
}

static void bfd_send(struct bfd_session *s, const uint8_t *pkt, size_t len)
{
	struct sim *m = (struct sim *)s;
	struct udp4 u = {
		.src = htonl(B4_ADDR), .dst = htonl(AFTR_ADDR),
		.sport = BFD_SRC_PORT_MIN, .dport = BFD_PORT, .ttl = BFD_TTL,
		.data = pkt, .len = len,
	};

	frame_out(m - G.sim, udp4_build(&u, G.out[G.nout] + IP6_HLEN,
					 FRAME - IP6_HLEN));
}

static void bfd_changed(struct bfd_session *s, enum bfd_state old)
{
	if (s->state == BFD_UP) {
		G.up++;
		G.ups++;
	} else if (old == BFD_UP) {
		G.up--;
		G.downs++;
	}
}

static const struct bfd_session_ops ops = {
	.send = bfd_send, .changed = bfd_changed,
};

/* An ICMP echo request to 192.0.0.1, id i, sequence seq. */
static void echo_send(uint32_t i, uint16_t seq)
{
	uint8_t *p = G.out[G.nout] + IP6_HLEN;
	uint32_t v;
	uint16_t c;

	memset(p, 0, 28 + 4);
	p[0] = 0x45;
	p[3] = 32;		/* 20 + 8 + 4 bytes of data */
	p[8] = 64;
	p[9] = IPPROTO_ICMP;
	v = htonl(B4_ADDR);
	memcpy(p + 12, &v, 4);
	v = htonl(AFTR_ADDR);
	memcpy(p + 16, &v, 4);
	c = inet_csum(p, 20);
	p[10] = c >> 8;
	p[11] = c & 0xff;
	p[20] = 8;		/* echo request */
	p[24] = i >> 8;
	p[25] = i & 0xff;
	p[26] = seq >> 8;
	p[27] = seq & 0xff;
	v = htonl(i);
	memcpy(p + 28, &v, 4);
	c = inet_csum(p + 20, 12);
	p[22] = c >> 8;
	p[23] = c & 0xff;
	frame_out(i, 32);
}

/* Session i's time has come. */
static void run(uint32_t i, int64_t now)
{
	struct sim *m = &G.sim[i];

	if (G.echo) {
		echo_send(i, (uint16_t)(now / G.interval_ms));
		rekey(i, m->key + G.interval_ms);
		return;
	}
	if (!m->started) {
		struct bfd_session_cfg c = {
			.desired_min_tx = G.interval_ms * 1000u,
			.required_min_rx = G.interval_ms * 1000u,
			.mult = 3,
		};

		bfd_session_init(&m->s, &ops, &c, i + 1, now);
		m->started = true;
	}
	bfd_session_tick(&m->s, now);
	rekey(i, bfd_session_due(&m->s));
}

static void input(const uint8_t *f, size_t len, int64_t now)
{
	struct bfd_pkt p;
	struct udp4 u;
	uint32_t i;

	if (len < IP6_HLEN || f[6] != IPPROTO_IPIP ||
	    memcmp(f + 24, &G.prefix, 12)) {
		G.rx_bad++;
		return;
	}
	memcpy(&i, f + 36, 4);
	i = ntohl(i) - 1;
	if (i >= G.n) {
		G.rx_bad++;
		return;
	}
	if (G.echo) {
		/* the echo reply: protocol ICMP, type 0 */
		if (len >= IP6_HLEN + 28 && f[IP6_HLEN + 9] == IPPROTO_ICMP &&
		    f[IP6_HLEN + 20] == 0)
			G.rx++;
		else
			G.rx_bad++;
		return;
	}
	if (udp4_parse(f + IP6_HLEN, len - IP6_HLEN, &u) ||
	    u.dport != BFD_PORT || u.ttl != BFD_TTL ||
	    bfd_parse(u.data, u.len, &p) ||
	    (p.your_disc && p.your_disc != G.sim[i].s.local_disc) ||
	    !G.sim[i].started) {
		G.rx_bad++;
		return;
	}
	G.rx++;
	bfd_session_rx(&G.sim[i].s, &p, now);
	rekey(i, bfd_session_due(&G.sim[i].s));
}

static void receive(int64_t now)
{
	static uint8_t buf[BURST][256];
	static struct iovec iov[BURST];
	static struct mmsghdr msg[BURST];
	int r, k, rounds;

	for (k = 0; k < BURST; k++) {
		iov[k].iov_base = buf[k];
		iov[k].iov_len = sizeof(buf[k]);
		msg[k].msg_hdr.msg_iov = &iov[k];
		msg[k].msg_hdr.msg_iovlen = 1;
	}
	for (rounds = 0; rounds < 16; rounds++) {
		r = recvmmsg(G.fd, msg, BURST, MSG_DONTWAIT, NULL);
		if (r <= 0)
			break;
		for (k = 0; k < r; k++)
			input(buf[k], msg[k].msg_len, now);
		flush();
		if (r < BURST)
			break;
	}
}

/* ---- CPU accounting ---- */

struct cpu {
	double proc_s, self_s;	/* the responder's, ours */
	double proc_sys_s;	/* the responder's in the kernel */
	double idle_s;		/* the guest's, all CPUs (/proc/uptime) */
};

/* PID's CPU seconds: user + system, and system alone in *sys. */
static double proc_cpu(int pid, double *sys)
{
	char path[64], buf[1024], *p;
	unsigned long ut, st;
	FILE *f;
	size_t n;

	*sys = 0;
	if (!pid)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "re");
	if (!f)
		die(path);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')');
	/* after ") ": state(3) ... utime is the 14th field, stime the 15th */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
			 &ut, &st) != 2) {
		errno = EINVAL;
		die(path);
	}
	*sys = (double)st / sysconf(_SC_CLK_TCK);
	return (double)(ut + st) / sysconf(_SC_CLK_TCK);
}

/*
 * Idle time from /proc/uptime: the kernel measures it when a CPU goes idle
 * and wakes (NO_HZ), where /proc/stat's busy fields are samples at the
 * tick, which an icount guest's timer-driven load can dodge entirely.
 */
static void sample(struct cpu *c, int pid)
{
	struct rusage ru;
	double up;
	FILE *f;

	c->proc_s = proc_cpu(pid, &c->proc_sys_s);
	getrusage(RUSAGE_SELF, &ru);
	c->self_s = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
		    ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	f = fopen("/proc/uptime", "re");
	if (!f || fscanf(f, "%lf %lf", &up, &c->idle_s) != 2)
		die("/proc/uptime");
	fclose(f);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: %s bfd|echo -I IFNAME -M MAC -a AFTR -b PREFIX -n N -i MS\n"
		"       [-r RAMP] [-s SETTLE] [-w WINDOW] [-p PID]\n", prog);
	exit(2);
}

int main(int argc, char **argv)
{
	const char *ifname = NULL, *mac = NULL;
	uint32_t ramp = 2000, settle = 0, window = 0;
	int64_t t0, t_win, t_end, now;
	struct cpu c0, c1;
	uint64_t tx0 = 0, rx0 = 0, downs0 = 0;
	unsigned int m[6];
	int opt, pid = 0, rbuf = 64 << 20, one = 1;
	uint32_t i;

	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "echo"))
		G.echo = true;
	else if (strcmp(argv[1], "bfd"))
		usage();
	optind = 2;
	while ((opt = getopt(argc, argv, "I:M:a:b:n:i:r:s:w:p:")) != -1) {
		switch (opt) {
		case 'I': ifname = optarg; break;
		case 'M': mac = optarg; break;
		case 'a':
			if (inet_pton(AF_INET6, optarg, &G.aftr) != 1)
				usage();
			break;
		case 'b':
			if (inet_pton(AF_INET6, optarg, &G.prefix) != 1)
				usage();
			break;
		case 'n': G.n = strtoul(optarg, NULL, 0); break;
		case 'i': G.interval_ms = strtoul(optarg, NULL, 0); break;
		case 'r': ramp = strtoul(optarg, NULL, 0); break;
		case 's': settle = strtoul(optarg, NULL, 0); break;
		case 'w': window = strtoul(optarg, NULL, 0); break;
		case 'p': pid = atoi(optarg); break;
		default: usage();
		}
	}
	if (!ifname || !mac || !G.n || !G.interval_ms || !ramp ||
	    sscanf(mac, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3],
		   &m[4], &m[5]) != 6)
		usage();
	if (!settle)
		settle = G.interval_ms / 1000 + 1;
	if (!window)
		window = 3 * G.interval_ms / 1000;

	G.fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_IPV6));
	if (G.fd < 0)
		die("packet socket");
	G.to.sll_family = AF_PACKET;
	G.to.sll_protocol = htons(ETH_P_IPV6);
	G.to.sll_ifindex = if_nametoindex(ifname);
	G.to.sll_halen = 6;
	for (i = 0; i < 6; i++)
		G.to.sll_addr[i] = m[i];
	if (!G.to.sll_ifindex)
		die(ifname);
	if (bind(G.fd, (struct sockaddr *)&G.to, sizeof(G.to)))
		die("bind");
	/* our own frames are not input; a burst of answers fits */
	if (setsockopt(G.fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)) ||
	    setsockopt(G.fd, SOL_SOCKET, SO_RCVBUFFORCE, &rbuf, sizeof(rbuf)) ||
	    setsockopt(G.fd, SOL_SOCKET, SO_SNDBUFFORCE, &rbuf, sizeof(rbuf)))
		die("setsockopt");
	for (i = 0; i < BURST; i++) {
		G.oiov[i].iov_base = G.out[i];
		G.omsg[i].msg_hdr.msg_iov = &G.oiov[i];
		G.omsg[i].msg_hdr.msg_iovlen = 1;
		G.omsg[i].msg_hdr.msg_name = &G.to;
		G.omsg[i].msg_hdr.msg_namelen = sizeof(G.to);
	}

	G.sim = calloc(G.n, sizeof(*G.sim));
	G.heap = calloc(G.n, sizeof(*G.heap));
	if (!G.sim || !G.heap)
		die("calloc");
	t0 = now_ms();
	for (i = 0; i < G.n; i++) {
		/* the ramp: RAMP a second; echoes spread over one interval */
		G.sim[i].key = t0 + (G.echo ? (int64_t)i * G.interval_ms / G.n :
					     (int64_t)i * 1000 / ramp);
		heap_set(i, i);		/* keys ascend: already a heap */
	}
	t_win = t0 + (G.echo ? 0 : (int64_t)G.n * 1000 / ramp) + settle * 1000;
	t_end = t_win + window * 1000;
	sample(&c0, pid);	/* replaced at the window's start */

	for (bool in_win = false;;) {
		now = now_ms();
		if (!in_win && now >= t_win) {
			in_win = true;
			sample(&c0, pid);
			tx0 = G.tx;
			rx0 = G.rx;
			downs0 = G.downs;
		}
		if (now >= t_end)
			break;
		while (G.sim[G.heap[0]].key <= now)
			run(G.heap[0], now);
		flush();
		{
			struct pollfd pfd = { .fd = G.fd, .events = POLLIN };
			int64_t wait = G.sim[G.heap[0]].key - now;

			if (wait > 100)
				wait = 100;
			if (wait < 0)
				wait = 0;
			if (poll(&pfd, 1, (int)wait) > 0)
				receive(now_ms());
		}
	}
	sample(&c1, pid);
	{
		double w = (now - t_win) / 1000.0;
		double busy = 1 - (c1.idle_s - c0.idle_s) /
				  (w * sysconf(_SC_NPROCESSORS_ONLN));
		uint64_t tx = G.tx - tx0, rx = G.rx - rx0;

		printf("mode %s sessions %u interval_ms %u window_s %.1f up %llu "
		       "downs %llu tx %llu rx %llu tx_pps %.0f rx_pps %.0f "
		       "rx_bad %llu tx_err %llu responder_cpu_s %.3f "
		       "responder_sys_s %.3f "
		       "responder_share %.4f gen_cpu_s %.3f gen_share %.4f "
		       "busy_share %.4f\n",
		       G.echo ? "echo" : "bfd", G.n, G.interval_ms, w,
		       (unsigned long long)(G.echo ? G.n : G.up),
		       (unsigned long long)(G.downs - downs0),
		       (unsigned long long)tx, (unsigned long long)rx,
		       tx / w, rx / w, (unsigned long long)G.rx_bad,
		       (unsigned long long)G.tx_err, c1.proc_s - c0.proc_s,
		       c1.proc_sys_s - c0.proc_sys_s,
		       (c1.proc_s - c0.proc_s) / w, c1.self_s - c0.self_s,
		       (c1.self_s - c0.self_s) / w, busy);
	}
	return 0;
}
