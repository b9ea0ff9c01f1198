// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Load generator for lw4o6d's DHCPv4-over-DHCPv6 server (RFC 7341, 7618;
 * selftests/bench/guest-dhcp.sh, docs/performance.md).  Not a unit test
 * (no pass or fail): a benchmark.  Messages are built and read with the
 * daemon's own codec (dhcp6.c, dhcp4.c).
 *
 *   bench_dhcp dora [-n N] [-w W] [-f FIRST] [-p PORT] [-b PREFIX] [-t MS]
 *                   [-s FILE] SERVER
 *	N clients, client i (FIRST .. FIRST+N-1) sending from its own IPv6
 *	source PREFIX::i, port 546, to [SERVER]:PORT (547): DHCPV4-QUERY
 *	(DISCOVER: 55 with 159, 61 = type 1 and a MAC from i, 109 = its
 *	source), the DHCPV4-RESPONSE (OFFER) awaited, DHCPV4-QUERY (REQUEST
 *	with 50 and 54 from the offer), the ACK (or NAK) awaited.  W clients
 *	in flight; a message unanswered after MS (1000) ms goes again (the
 *	same xid), at most 10 times, then the client counts as lost.
 *	PREFIX (2001:db8:b::) must be local to this namespace (AnyIP:
 *	ip -6 route add local PREFIX/64 dev lo).  Answers are matched by the
 *	inner DHCPv4 xid (client number and stage).  -s FILE: the leases
 *	got, for renew.
 *   bench_dhcp renew [...] -s FILE SERVER
 *	The same clients renewing what FILE says they hold: REQUEST in the
 *	RENEWING state (ciaddr, no 50/54, the DHCPv6 unicast flag): one
 *	round trip each.
 *   bench_dhcp echo [...] SERVER
 *	The same generator, window and two round trips per client against
 *	an echo server (each query comes back as it went): the UDP round
 *	trip with nothing behind it.  Its rate is in DORA-equivalents (two
 *	round trips) per second; round trips per second are printed too.
 *   bench_dhcp echo-server ADDR PORT
 *	That server: one recvfrom() and one sendto() per datagram, as the
 *	daemon's loop does.  Runs until killed.
 *
 * Every mode prints one line of "key value" pairs: rate in clients per
 * second of CLOCK_MONOTONIC (in an icount guest: per instruction count),
 * and this process's own CPU time.
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
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "dhcp4.h"
#include "dhcp6.h"

#define BURST	64		/* datagrams per recvmmsg */
#define SENDMAX	(3 * BURST)	/* per sendmmsg round: seconds, retransmits, new */
#define TRIES	10

static const char *prog = "bench_dhcp";

enum mode { M_DORA, M_RENEW, M_ECHO };

/* A client's stage: what it sent last and waits for an answer to. */
enum stage {
	S_IDLE = 0,	/* nothing sent yet */
	S_DISCOVER = 1,	/* waits for the OFFER */
	S_REQUEST = 2,	/* SELECTING REQUEST: waits for ACK or NAK */
	S_RENEW = 3,	/* RENEWING REQUEST: waits for ACK or NAK */
	S_DONE = 4,
};

/* Inner xid: the client's number (low 30 bits) and the stage. */
#define XID(i, st)	((uint32_t)(((i) & 0x3fffffffu) << 2 | (st)))

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_self(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void die(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
	exit(1);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: %s dora|renew|echo [-n N] [-w W] [-f FIRST] [-p PORT] [-b PREFIX] [-t MS] [-s FILE] SERVER\n"
		"       %s echo-server ADDR PORT\n", prog, prog);
	exit(2);
}

static struct {
	unsigned long n, w, first, timeout_ms;
	unsigned int port;
	struct in6_addr prefix;
	const char *state;
	enum mode mode;
} O;

struct client {
	double sent;		/* the last send of the current stage */
	uint32_t yiaddr;	/* offered, then leased (network order) */
	uint32_t server_id;
	uint8_t stage;
	uint8_t tries;		/* sends of the current stage */
	uint8_t result;		/* DHCP4_ACK, DHCP4_NAK, 0: lost */
};

static struct client *C;

/* Client number i: PREFIX with i in the low 32 bits. */
static void client_addr(unsigned long i, struct in6_addr *a)
{
	uint32_t be = htonl((uint32_t)i);

	*a = O.prefix;
	memcpy(&a->s6_addr[12], &be, 4);
}

static void client_mac(unsigned long i, uint8_t mac[6])
{
	mac[0] = 0x02;
	mac[1] = 0x4c;
	mac[2] = (uint8_t)(i >> 24);
	mac[3] = (uint8_t)(i >> 16);
	mac[4] = (uint8_t)(i >> 8);
	mac[5] = (uint8_t)i;
}

/*
 * The DHCPV4-QUERY of client i (number FIRST + idx) in its stage, into
 * out; its length (0 on a build failure).
 */
static size_t build(unsigned long idx, uint8_t *out, size_t cap)
{
	static const uint8_t params[] = { DHCP4_OPT_SUBNET_MASK,
					  DHCP4_OPT_LEASE_TIME,
					  DHCP4_OPT_V4_PORTPARAMS };
	const struct client *c = &C[idx];
	unsigned long i = O.first + idx;
	uint8_t v4[DHCP4_MAX_LEN], cid[7];
	struct dhcp4_msg m;
	struct dhcp6_buf b;
	size_t n4;

	memset(&m, 0, sizeof(m));
	m.op = 1;
	m.htype = 1;
	m.hlen = 6;
	m.xid = XID(i, c->stage);
	client_mac(i, m.chaddr);
	cid[0] = 1;
	client_mac(i, cid + 1);
	m.client_id = cid;
	m.client_id_len = sizeof(cid);
	m.params = params;
	m.params_len = sizeof(params);
	m.has_saddr = true;
	client_addr(i, &m.saddr);
	switch (c->stage) {
	case S_DISCOVER:
		m.type = DHCP4_DISCOVER;
		break;
	case S_REQUEST:
		m.type = DHCP4_REQUEST;
		m.has_requested_ip = true;
		m.requested_ip = c->yiaddr;
		m.has_server_id = true;
		m.server_id = c->server_id;
		break;
	case S_RENEW:
		m.type = DHCP4_REQUEST;
		m.ciaddr = c->yiaddr;
		break;
	default:
		return 0;
	}
	n4 = dhcp4_build(&m, NULL, 0, v4, sizeof(v4));
	if (!n4)
		return 0;
	dhcp6_begin(&b, out, cap, DHCP6_DHCPV4_QUERY,
		    c->stage == S_RENEW ? DHCP6_4O6_FLAG_UNICAST : 0);
	dhcp6_put(&b, DHCP6_OPT_DHCPV4_MSG, v4, n4);
	return dhcp6_end(&b);
}

/* ---- the leases, for renew --------------------------------------------- */

static void state_write(void)
{
	FILE *f = fopen(O.state, "w");
	unsigned long k;

	if (!f)
		die(O.state);
	for (k = 0; k < O.n; k++)
		if (C[k].result == DHCP4_ACK)
			fprintf(f, "%lu %08x %08x\n", O.first + k,
				ntohl(C[k].yiaddr), ntohl(C[k].server_id));
	if (fclose(f))
		die(O.state);
}

/* Clients of FILE outside FIRST .. FIRST+N-1 are left out; 0 read: exit. */
static void state_read(void)
{
	FILE *f = fopen(O.state, "r");
	unsigned long i, got = 0;
	unsigned int a, s;

	if (!f)
		die(O.state);
	while (fscanf(f, "%lu %x %x", &i, &a, &s) == 3) {
		if (i < O.first || i - O.first >= O.n)
			continue;
		C[i - O.first].yiaddr = htonl(a);
		C[i - O.first].server_id = htonl(s);
		C[i - O.first].stage = S_IDLE;
		got++;
	}
	fclose(f);
	if (got != O.n) {
		fprintf(stderr, "%s: %s holds %lu of the %lu clients' leases\n",
			prog, O.state, got, O.n);
		exit(1);
	}
}

/* ---- the run -------------------------------------------------------------- */

/* Sends waiting for their timeout, in send order. */
struct qent {
	uint32_t idx;
	double sent;
};

static int run(const char *server)
{
	struct sockaddr_in6 to = { .sin6_family = AF_INET6 }, me = {
		.sin6_family = AF_INET6 };
	unsigned long next = 0, done = 0, outstanding = 0, sent = 0,
		      retrans = 0, bad = 0, stray = 0, offers = 0, acks = 0,
		      naks = 0, lost = 0, noset = 0, roundtrips = 0;
	struct qent *queue;
	size_t qhead = 0, qtail = 0, qcap;
	unsigned long second[BURST];	/* answered DISCOVERs: their REQUESTs go next */
	int k2;
	double t0, t1, c0, c1;
	int fd, one = 1, buf = 4 << 20;

	if (inet_pton(AF_INET6, server, &to.sin6_addr) != 1)
		usage();
	to.sin6_port = htons(O.port);
	C = calloc(O.n, sizeof(*C));
	qcap = 2 * O.n + BURST + 2;
	queue = calloc(qcap, sizeof(*queue));
	if (!C || !queue)
		die("calloc");
	if (O.mode == M_RENEW)
		state_read();
	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket");
	/* Sources from a local route (AnyIP), not configured addresses. */
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one)))
		die("IPV6_FREEBIND");
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	me.sin6_port = htons(DHCP6_CLIENT_PORT);
	if (bind(fd, (struct sockaddr *)&me, sizeof(me)))
		die("bind");

	c0 = cpu_self();
	t0 = now();
	k2 = 0;
	while (done < O.n) {
		/* sends: the second messages, retransmissions, new clients */
		static struct mmsghdr mm[SENDMAX];
		static struct iovec iov[SENDMAX];
		static uint8_t bufs[SENDMAX][DHCP6_MAX_LEN];
		static char cbuf[SENDMAX][CMSG_SPACE(sizeof(struct in6_pktinfo))];
		static struct sockaddr_in6 from[BURST];
		unsigned long idx[SENDMAX];
		double t = now();
		int k = 0, r, j;

		for (j = 0; j < k2; j++)
			idx[k++] = second[j];
		k2 = 0;
		/* retransmit what waited too long (oldest first) */
		while (qhead != qtail && k < 2 * BURST) {
			struct qent *e = &queue[qhead];
			struct client *c = &C[e->idx];

			if (c->stage == S_DONE || c->sent != e->sent) {
				qhead = (qhead + 1) % qcap;	/* answered */
				continue;
			}
			if ((t - e->sent) * 1000 < (double)O.timeout_ms)
				break;
			qhead = (qhead + 1) % qcap;
			if (c->tries >= TRIES) {
				c->stage = S_DONE;	/* lost */
				lost++;
				done++;
				outstanding--;
				continue;
			}
			idx[k++] = e->idx;
			retrans++;
		}
		/* new clients into the window */
		while (outstanding < O.w && next < O.n && k < SENDMAX) {
			C[next].stage = O.mode == M_RENEW ? S_RENEW : S_DISCOVER;
			C[next].tries = 0;
			outstanding++;
			idx[k++] = next++;
		}
		for (j = 0; j < k; j++) {
			struct cmsghdr *cm;
			struct in6_pktinfo pi = { 0 };
			size_t len = build(idx[j], bufs[j], DHCP6_MAX_LEN);

			if (!len) {
				fprintf(stderr, "%s: building a message failed\n",
					prog);
				return 1;
			}
			iov[j].iov_base = bufs[j];
			iov[j].iov_len = len;
			memset(&mm[j], 0, sizeof(mm[j]));
			mm[j].msg_hdr.msg_name = &to;
			mm[j].msg_hdr.msg_namelen = sizeof(to);
			mm[j].msg_hdr.msg_iov = &iov[j];
			mm[j].msg_hdr.msg_iovlen = 1;
			mm[j].msg_hdr.msg_control = cbuf[j];
			mm[j].msg_hdr.msg_controllen = sizeof(cbuf[j]);
			cm = CMSG_FIRSTHDR(&mm[j].msg_hdr);
			cm->cmsg_level = IPPROTO_IPV6;
			cm->cmsg_type = IPV6_PKTINFO;
			cm->cmsg_len = CMSG_LEN(sizeof(pi));
			client_addr(O.first + idx[j], &pi.ipi6_addr);
			memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
		}
		for (j = 0; j < k; ) {
			r = sendmmsg(fd, mm + j, (unsigned int)(k - j), 0);
			if (r < 0) {
				if (errno == EINTR)
					continue;
				die("sendmmsg");
			}
			j += r;
		}
		t = now();
		for (j = 0; j < k; j++) {
			struct client *c = &C[idx[j]];

			c->sent = t;
			c->tries++;
			queue[qtail].idx = (uint32_t)idx[j];
			queue[qtail].sent = t;
			qtail = (qtail + 1) % qcap;
			if (qtail == qhead) {
				fprintf(stderr, "%s: queue overflow\n", prog);
				return 1;
			}
			sent++;
		}

		/* answers: wait only when the window is full or all are in */
		{
			struct pollfd p = { fd, POLLIN, 0 };
			int timeout = (outstanding >= O.w || next >= O.n) ?
				      (int)O.timeout_ms : 0;

			r = poll(&p, 1, timeout);
			if (r < 0 && errno != EINTR)
				die("poll");
		}
		for (j = 0; j < BURST; j++) {
			iov[j].iov_base = bufs[j];
			iov[j].iov_len = DHCP6_MAX_LEN;
			memset(&mm[j], 0, sizeof(mm[j]));
			mm[j].msg_hdr.msg_name = &from[j];
			mm[j].msg_hdr.msg_namelen = sizeof(from[j]);
			mm[j].msg_hdr.msg_iov = &iov[j];
			mm[j].msg_hdr.msg_iovlen = 1;
		}
		r = recvmmsg(fd, mm, BURST, MSG_DONTWAIT, NULL);
		for (j = 0; j < r; j++) {
			struct dhcp6_msg m6;
			struct dhcp4_msg m4;
			struct client *c;
			unsigned long ci;
			uint8_t st, want6 = O.mode == M_ECHO ?
				DHCP6_DHCPV4_QUERY : DHCP6_DHCPV4_RESPONSE;

			if (dhcp6_parse(bufs[j], mm[j].msg_len, &m6) ||
			    m6.type != want6 || !m6.dhcpv4 ||
			    dhcp4_parse(m6.dhcpv4, m6.dhcpv4_len, &m4) ||
			    m4.op != (O.mode == M_ECHO ? 1 : 2)) {
				bad++;
				continue;
			}
			ci = (m4.xid >> 2) - (O.first & 0x3fffffffu);
			st = (uint8_t)(m4.xid & 3);
			if (ci >= O.n) {
				bad++;
				continue;
			}
			c = &C[ci];
			if (c->stage != st) {
				stray++;	/* a late duplicate */
				continue;
			}
			roundtrips++;
			if (O.mode == M_ECHO) {
				/* the echoed DISCOVER stands for the OFFER */
				if (st == S_DISCOVER) {
					c->yiaddr = htonl(0x0a000000u + (uint32_t)ci);
					c->server_id = htonl(0xc0000001u);
					c->stage = S_REQUEST;
					c->tries = 0;
					second[k2++] = ci;
					continue;
				}
				c->result = DHCP4_ACK;
			} else if (st == S_DISCOVER) {
				if (m4.type != DHCP4_OFFER || !m4.yiaddr ||
				    !m4.has_server_id) {
					bad++;
					continue;
				}
				offers++;
				c->yiaddr = m4.yiaddr;
				c->server_id = m4.server_id;
				c->stage = S_REQUEST;
				c->tries = 0;
				second[k2++] = ci;
				continue;
			} else if (m4.type == DHCP4_ACK) {
				if (m4.yiaddr != c->yiaddr)
					bad++;
				if (!m4.has_portparams)
					noset++;
				c->result = DHCP4_ACK;
			} else if (m4.type == DHCP4_NAK) {
				c->result = DHCP4_NAK;
			} else {
				bad++;
				continue;
			}
			if (c->result == DHCP4_ACK)
				acks++;
			else
				naks++;
			c->stage = S_DONE;
			done++;
			outstanding--;
		}
	}
	t1 = now();
	c1 = cpu_self();

	if (O.mode == M_ECHO)
		printf("mode echo clients %lu sent %lu retransmits %lu roundtrips %lu echoed %lu lost %lu bad %lu stray %lu elapsed %.6f rate %.1f roundtrip_rate %.1f cpu %.3f\n",
		       O.n, sent, retrans, roundtrips, acks,
		       lost, bad, stray, t1 - t0, (double)O.n / (t1 - t0),
		       (double)roundtrips / (t1 - t0), c1 - c0);
	else
		printf("mode %s clients %lu sent %lu retransmits %lu offers %lu acks %lu naks %lu lost %lu noset %lu bad %lu stray %lu elapsed %.6f rate %.1f cpu %.3f\n",
		       O.mode == M_DORA ? "dora" : "renew", O.n, sent, retrans,
		       offers, acks, naks, lost, noset, bad, stray, t1 - t0,
		       (double)O.n / (t1 - t0), c1 - c0);
	if (O.state && O.mode == M_DORA)
		state_write();
	return 0;
}

/* ---- echo server -------------------------------------------------------- */

static __attribute__((noreturn)) void run_echo_server(const char *addr, const char *port)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6 };
	uint8_t buf[DHCP6_MAX_LEN + 4];
	int fd, one = 1, rcv = 1 << 20;

	if (inet_pton(AF_INET6, addr, &sa.sin6_addr) != 1)
		usage();
	sa.sin6_port = htons((uint16_t)atoi(port));
	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket");
	setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		die("bind");
	for (;;) {
		struct sockaddr_in6 from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), 0,
				     (struct sockaddr *)&from, &fl);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("recvfrom");
		}
		sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, fl);
	}
}

int main(int argc, char **argv)
{
	const char *mode;
	int opt;

	if (argc < 2)
		usage();
	mode = argv[1];
	if (!strcmp(mode, "echo-server")) {
		if (argc != 4)
			usage();
		run_echo_server(argv[2], argv[3]);
	}
	if (!strcmp(mode, "dora"))
		O.mode = M_DORA;
	else if (!strcmp(mode, "renew"))
		O.mode = M_RENEW;
	else if (!strcmp(mode, "echo"))
		O.mode = M_ECHO;
	else
		usage();
	O.n = 10000;
	O.w = 256;
	O.first = 1;
	O.timeout_ms = 1000;
	O.port = DHCP6_SERVER_PORT;
	inet_pton(AF_INET6, "2001:db8:b::", &O.prefix);
	optind = 2;
	while ((opt = getopt(argc, argv, "n:w:f:p:b:t:s:")) != -1) {
		switch (opt) {
		case 'n': O.n = strtoul(optarg, NULL, 0); break;
		case 'w': O.w = strtoul(optarg, NULL, 0); break;
		case 'f': O.first = strtoul(optarg, NULL, 0); break;
		case 'p': O.port = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'b':
			if (inet_pton(AF_INET6, optarg, &O.prefix) != 1)
				usage();
			break;
		case 't': O.timeout_ms = strtoul(optarg, NULL, 0); break;
		case 's': O.state = optarg; break;
		default: usage();
		}
	}
	if (optind != argc - 1 || !O.n || !O.w || O.n > 0x3fffffffu ||
	    O.first + O.n > 0x3fffffffu || (O.mode == M_RENEW && !O.state))
		usage();
	return run(argv[optind]);
}
