// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Load generator for the AFTR's PCP server (selftests/bench/guest-pcp.sh,
 * docs/performance.md).  Not a unit test (no pass or fail): a benchmark.
 *
 *   bench_pcp map [-n N] [-w W] [-f FIRST] [-l LIFETIME] [-p PORT]
 *                 [-b PREFIX] [-e NETNS] [-t MS] SERVER
 *	N MAP requests with PORT_SET, from N B4s (PREFIX::FIRST ...
 *	PREFIX::FIRST+N-1, each its own source address), W outstanding at a
 *	time, to [SERVER]:PORT (5351).  Nonces follow from the B4's number,
 *	so running it again with the same -f is a renewal of every mapping.
 *	PREFIX (2001:db8:b::) must be local to this namespace (AnyIP:
 *	ip -6 route add local PREFIX/64 dev lo).  Answers are matched by
 *	nonce; a request unanswered after MS (1000) ms goes again.
 *	-e NETNS: the end-to-end install time: window 1, and for each
 *	request the time until the module's "binding added" event for that
 *	B4 arrives (a generic netlink socket opened in NETNS, e.g.
 *	/run/netns/aftr) and until the answer does; prints their median
 *	and 90th percentile.
 *   bench_pcp echo ... SERVER
 *	The same requests and window against an echo server: a UDP round
 *	trip with nothing behind it (answers are the requests themselves).
 *   bench_pcp echo-server ADDR PORT
 *	That server: one recvfrom() and one sendto() per datagram, as
 *	lw4o6d's loop does.  Runs until killed.
 *   bench_pcp bind [-n N] [-f FIRST] [-b PREFIX] DEV
 *	The kernel install alone: N bindings added to DEV one at a time,
 *	each one BIND_NEW with its ack, through lw4o6d's own kern_bind_add()
 *	(10.128.0.0/9 psid-len 6, B4s as above).
 *   bench_pcp store [-n N] [-w B] PATH
 *	The store alone: N puts through lw4o6d's SQLite store (PATH, removed
 *	before), B per transaction (256, the daemon's batch), as new_map()
 *	makes them.
 *
 * Every mode prints one line of "key value" pairs, rate in operations per
 * second of CLOCK_MONOTONIC (in an icount guest: per instruction count)
 * and this process's own CPU time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/lw4o6.h>

#include "bindmsg.h"
#include "nlsock.h"

#include "kernel.h"
#include "log.h"
#include "pcp.h"
#include "store.h"

#define MAGIC	0x6c773462u	/* "lw4b" */
#define BURST	64
#define LOST	254	/* result of a request given up on */

static const char *prog = "bench_pcp";

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
		"usage: %s map|echo [-n N] [-w W] [-f FIRST] [-l LIFETIME] [-p PORT] [-b PREFIX] [-e NETNS] [-t MS] SERVER\n"
		"       %s echo-server ADDR PORT\n"
		"       %s bind [-n N] [-f FIRST] [-b PREFIX] DEV\n"
		"       %s store [-n N] [-w B] PATH\n", prog, prog, prog, prog);
	exit(2);
}

struct opts {
	unsigned long n, w, first, lifetime, timeout_ms;
	unsigned int port;
	struct in6_addr prefix;
	const char *netns;
};

/* B4 number i: PREFIX with i in the low 32 bits. */
static void b4_addr(const struct opts *o, unsigned long i, struct in6_addr *a)
{
	uint32_t be = htonl((uint32_t)i);

	*a = o->prefix;
	memcpy(&a->s6_addr[12], &be, 4);
}

static void nonce_of(unsigned long i, uint8_t *nonce)
{
	uint32_t v[3] = { htonl(MAGIC), htonl(0x5eed), htonl((uint32_t)i) };

	memcpy(nonce, v, PCP_NONCE_LEN);
}

static long index_of(const uint8_t *nonce)
{
	uint32_t v[3];

	memcpy(v, nonce, PCP_NONCE_LEN);
	if (ntohl(v[0]) != MAGIC || ntohl(v[1]) != 0x5eed)
		return -1;
	return ntohl(v[2]);
}

/* ---- map / echo --------------------------------------------------------- */

struct req {
	double sent;		/* 0: not sent yet */
	double first_sent, answered, installed;
	uint8_t len;
	uint8_t result;		/* 255 until answered */
	uint8_t tries;
};

/*
 * The module's "binding added" events, read from a socket opened in the
 * AFTR's namespace: returns the B4 of each through cb.
 */
static struct nl *events_open(const char *netns)
{
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int there = open(netns, O_RDONLY | O_CLOEXEC);
	struct nl *nl;
	int err;

	if (self < 0 || there < 0)
		die(netns);
	if (setns(there, CLONE_NEWNET))
		die("setns");
	nl = nl_open(NETLINK_GENERIC);
	if (!nl)
		die("netlink");
	err = genl_resolve(nl, LW4O6_GENL_NAME, LW4O6_MCGRP_EVENTS);
	if (err || !nl->events_group) {
		errno = err ? -err : ENOENT;
		die("the lw4o6 family's events group");
	}
	if ((err = nl_join_group(nl, nl->events_group))) {
		errno = -err;
		die("joining the events group");
	}
	if (setns(self, CLONE_NEWNET))
		die("setns back");
	close(self);
	close(there);
	return nl;
}

/* Calls got(b4) for every "binding added" event waiting on nl. */
static void events_read(struct nl *nl, void (*got)(const struct in6_addr *))
{
	int fd = mnl_socket_get_fd(nl->sk);

	for (;;) {
		const struct nlmsghdr *nlh;
		int n = recv(fd, nl->rbuf, nl->rbuf_len, MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR || errno == ENOBUFS)
				continue;
			return;
		}
		for (nlh = (const struct nlmsghdr *)nl->rbuf;
		     mnl_nlmsg_ok(nlh, n); nlh = mnl_nlmsg_next(nlh, &n)) {
			const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
			const struct nlattr *tb[LW4O6_A_MAX + 1];
			struct lw4o6_bind b;
			struct bind_stats st;

			if (nlh->nlmsg_type != nl->family ||
			    nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN ||
			    g->cmd != LW4O6_CMD_EVT_BIND_ADD)
				continue;
			nl_parse_msg(nlh, GENL_HDRLEN, tb, LW4O6_A_MAX);
			if (tb[LW4O6_A_BINDING] &&
			    !bind_get(tb[LW4O6_A_BINDING], &b, &st))
				got(&b.b4);
		}
	}
}

static struct req *R;
static struct opts O;
static double ev_now;

static void got_event(const struct in6_addr *b4)
{
	struct in6_addr p = *b4;
	uint32_t be;
	unsigned long i;

	memcpy(&be, &p.s6_addr[12], 4);
	memset(&p.s6_addr[12], 0, 4);
	if (memcmp(&p, &O.prefix, sizeof(p)))
		return;
	i = ntohl(be);
	if (i >= O.first && i < O.first + O.n && !R[i - O.first].installed)
		R[i - O.first].installed = ev_now;
}

static int dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(double *v, size_t n, double p)
{
	size_t i = (size_t)(p * (double)(n - 1) + 0.5);

	return n ? v[i] : 0;
}

static int run_map(bool echo, const char *server)
{
	struct sockaddr_in6 to = { .sin6_family = AF_INET6 }, me = {
		.sin6_family = AF_INET6 };
	unsigned long next = 0, done = 0, outstanding = 0, sent = 0,
		      retrans = 0, bad = 0, counts[256] = { 0 };
	unsigned long *queue;	/* outstanding requests, in send order */
	size_t qhead = 0, qtail = 0, qcap;
	struct nl *ev = NULL;
	double t0, t1, c0, c1;
	int fd, one = 1, rcv = 4 << 20;
	unsigned long i;

	if (inet_pton(AF_INET6, server, &to.sin6_addr) != 1)
		usage();
	to.sin6_port = htons(O.port);
	if (O.netns) {
		ev = events_open(O.netns);
		O.w = 1;
	}
	R = calloc(O.n, sizeof(*R));
	qcap = O.n + 1;
	queue = calloc(qcap, sizeof(*queue));
	if (!R || !queue)
		die("calloc");
	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket");
	/* Sources from a local route (AnyIP), not configured addresses. */
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one)))
		die("IPV6_FREEBIND");
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	me.sin6_port = htons(PCP_CLIENT_PORT);
	if (bind(fd, (struct sockaddr *)&me, sizeof(me)))
		die("bind");

	c0 = cpu_self();
	t0 = now();
	while (done < O.n) {
		struct mmsghdr mm[BURST];
		struct iovec iov[BURST];
		uint8_t bufs[BURST][PCP_MAX_LEN];
		char cbuf[BURST][CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct sockaddr_in6 from[BURST];
		unsigned long idx[BURST];
		double t = now();
		unsigned long ix;
		int k = 0, r, j;

		/* retransmit what waited too long (oldest first) */
		while (qhead != qtail && k < BURST) {
			struct req *q = &R[queue[qhead]];

			if (q->result != 255) {
				qhead = (qhead + 1) % qcap;
				continue;
			}
			if ((t - q->sent) * 1000 < (double)O.timeout_ms)
				break;
			ix = queue[qhead];
			qhead = (qhead + 1) % qcap;
			if (q->tries >= 10) {
				/* give up on it */
				q->result = LOST;
				counts[LOST]++;
				outstanding--;
				continue;
			}
			idx[k++] = ix;
			retrans++;
		}
		/* fill the window (-e: one request at a time, installed or not) */
		while (outstanding + k < O.w && next < O.n && k < BURST &&
		       (!ev || done == next))
			idx[k++] = next++;
		for (j = 0; j < k; j++) {
			struct pcp_msg m;
			struct cmsghdr *c;
			struct in6_pktinfo pi = { 0 };
			struct req *q = &R[idx[j]];

			memset(&m, 0, sizeof(m));
			m.version = PCP_VERSION;
			m.opcode = PCP_OP_MAP;
			m.lifetime = (uint32_t)O.lifetime;
			b4_addr(&O, O.first + idx[j], &m.client);
			nonce_of(O.first + idx[j], m.nonce);
			m.port_set.present = true;
			m.port_set.size = 1024;
			q->len = (uint8_t)pcp_build(&m, bufs[j], sizeof(bufs[j]));
			if (!q->len) {
				fprintf(stderr, "%s: pcp_build failed\n", prog);
				return 1;
			}
			iov[j].iov_base = bufs[j];
			iov[j].iov_len = q->len;
			memset(&mm[j], 0, sizeof(mm[j]));
			mm[j].msg_hdr.msg_name = &to;
			mm[j].msg_hdr.msg_namelen = sizeof(to);
			mm[j].msg_hdr.msg_iov = &iov[j];
			mm[j].msg_hdr.msg_iovlen = 1;
			mm[j].msg_hdr.msg_control = cbuf[j];
			mm[j].msg_hdr.msg_controllen = sizeof(cbuf[j]);
			c = CMSG_FIRSTHDR(&mm[j].msg_hdr);
			c->cmsg_level = IPPROTO_IPV6;
			c->cmsg_type = IPV6_PKTINFO;
			c->cmsg_len = CMSG_LEN(sizeof(pi));
			pi.ipi6_addr = m.client;
			memcpy(CMSG_DATA(c), &pi, sizeof(pi));
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
			struct req *q = &R[idx[j]];

			if (!q->sent) {
				q->first_sent = t;
				q->result = 255;
				outstanding++;
			}
			q->sent = t;
			q->tries++;
			queue[qtail] = idx[j];
			qtail = (qtail + 1) % qcap;
			sent++;
		}

		/* answers (and events) */
		{
			struct pollfd p[2] = { { fd, POLLIN, 0 }, { -1, POLLIN, 0 } };
			int timeout = (outstanding >= O.w || next >= O.n) ?
				      (int)O.timeout_ms : 0;

			if (ev)
				p[1].fd = mnl_socket_get_fd(ev->sk);
			if (ev && done < O.n && R[done].sent &&
			    !R[done].installed)
				timeout = (int)O.timeout_ms;
			r = poll(p, 2, timeout);
			if (r < 0 && errno != EINTR)
				die("poll");
			if (ev && (p[1].revents & POLLIN)) {
				ev_now = now();
				events_read(ev, got_event);
			}
		}
		for (;;) {
			for (j = 0; j < BURST; j++) {
				iov[j].iov_base = bufs[j];
				iov[j].iov_len = sizeof(bufs[j]);
				memset(&mm[j], 0, sizeof(mm[j]));
				mm[j].msg_hdr.msg_name = &from[j];
				mm[j].msg_hdr.msg_namelen = sizeof(from[j]);
				mm[j].msg_hdr.msg_iov = &iov[j];
				mm[j].msg_hdr.msg_iovlen = 1;
			}
			r = recvmmsg(fd, mm, BURST, MSG_DONTWAIT, NULL);
			if (r < 0)
				break;
			t = now();
			for (j = 0; j < r; j++) {
				struct pcp_msg a;
				long ai;
				struct req *q;
				int pr;

				pr = pcp_parse(bufs[j], mm[j].msg_len, &a);
				ai = index_of(a.nonce) - (long)O.first;
				if ((echo ? (pr || a.response) :
					    (pr || !a.response)) ||
				    ai < 0 || (unsigned long)ai >= O.n) {
					bad++;
					continue;
				}
				q = &R[ai];
				if (q->result != 255)
					continue;	/* a duplicate */
				q->result = echo ? 0 : a.result;
				q->answered = t;
				counts[q->result]++;
				outstanding--;
			}
			if (r < BURST)
				break;
		}
		/* in order: a request is done when answered (and installed) */
		while (done < O.n && R[done].result != 255 && R[done].sent &&
		       (!ev || R[done].installed || R[done].result != 0 ||
			(now() - R[done].answered) * 1000 > (double)O.timeout_ms))
			done++;
	}
	t1 = now();
	c1 = cpu_self();

	printf("mode %s requests %lu sent %lu retransmits %lu answers %lu",
	       echo ? "echo" : "map", O.n, sent, retrans, O.n - counts[LOST]);
	for (i = 0; i < 256; i++)
		if (counts[i])
			printf(" %s %lu", i == LOST ? "lost" : echo ? "echoed" :
			       pcp_result_name((uint8_t)i), counts[i]);
	printf(" bad %lu elapsed %.6f rate %.1f cpu %.3f\n", bad, t1 - t0,
	       (double)O.n / (t1 - t0), c1 - c0);
	if (ev) {
		double *inst = calloc(O.n, sizeof(double)),
		       *ans = calloc(O.n, sizeof(double));
		size_t ni = 0, na = 0;

		if (!inst || !ans)
			die("calloc");
		for (i = 0; i < O.n; i++) {
			if (R[i].tries != 1 || R[i].result == LOST)
				continue;	/* retransmitted: not a clean sample */
			if (R[i].installed)
				inst[ni++] = (R[i].installed - R[i].first_sent) * 1e6;
			ans[na++] = (R[i].answered - R[i].first_sent) * 1e6;
		}
		qsort(inst, ni, sizeof(double), dcmp);
		qsort(ans, na, sizeof(double), dcmp);
		printf("latency samples %zu installed_median_us %.0f installed_p90_us %.0f answer_median_us %.0f answer_p90_us %.0f\n",
		       ni, pct(inst, ni, 0.5), pct(inst, ni, 0.9),
		       pct(ans, na, 0.5), pct(ans, na, 0.9));
	}
	return 0;
}

/* ---- echo server -------------------------------------------------------- */

static __attribute__((noreturn)) void run_echo_server(const char *addr, const char *port)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6 };
	uint8_t buf[PCP_MAX_LEN + 4];
	int fd, one = 1;

	if (inet_pton(AF_INET6, addr, &sa.sin6_addr) != 1)
		usage();
	sa.sin6_port = htons((uint16_t)atoi(port));
	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket");
	setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one));
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

/* ---- the kernel install alone ------------------------------------------- */

static int run_bind(const char *dev)
{
	char err[256];
	struct kern *k = kern_open(dev, err, sizeof(err));
	struct lw4o6_mapping m;
	unsigned long i, fails = 0;
	double t0, t1, c0, c1;

	if (!k) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return 1;
	}
	memset(&m, 0, sizeof(m));
	m.psid_len = 6;
	c0 = cpu_self();
	t0 = now();
	for (i = 0; i < O.n; i++) {
		b4_addr(&O, O.first + i, &m.b4);
		m.ipv4 = htonl(0x0a800000u + (uint32_t)(i / 63));
		m.psid = (uint16_t)(1 + i % 63);
		if (kern_bind_add(k, &m, false))
			fails++;
	}
	t1 = now();
	c1 = cpu_self();
	printf("mode bind requests %lu failed %lu elapsed %.6f rate %.1f cpu %.3f\n",
	       O.n, fails, t1 - t0, (double)O.n / (t1 - t0), c1 - c0);
	kern_close(k);
	return fails != 0;
}

/* ---- the store alone ---------------------------------------------------- */

static int run_store(const char *path)
{
	static const char *const sfx[] = { "", "-wal", "-shm" };
	struct lw4o6_mapping m;
	struct store s;
	unsigned long i, commits = 0;
	double t0, t1, c0, c1;
	char p[4200];

	for (i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", path, sfx[i]);
		unlink(p);
	}
	if (store_open(&s, store_find("sqlite"), path)) {
		fprintf(stderr, "%s: %s\n", prog, s.err);
		return 1;
	}
	memset(&m, 0, sizeof(m));
	m.psid_len = 6;
	c0 = cpu_self();
	t0 = now();
	for (i = 0; i < O.n; i++) {
		if (i % O.w == 0 && s.ops->begin(&s))
			goto fail;
		b4_addr(&O, O.first + i, &m.b4);
		nonce_of(O.first + i, m.nonce);
		m.ipv4 = htonl(0x0a000000u + (uint32_t)(i / 63));
		m.psid = (uint16_t)(1 + i % 63);
		m.created = time(NULL);
		m.expires = m.created + 7200;
		if (s.ops->put(&s, &m))
			goto fail;
		if ((i + 1) % O.w == 0 || i + 1 == O.n) {
			if (s.ops->commit(&s))
				goto fail;
			commits++;
		}
	}
	t1 = now();
	c1 = cpu_self();
	printf("mode store requests %lu commits %lu elapsed %.6f rate %.1f cpu %.3f\n",
	       O.n, commits, t1 - t0, (double)O.n / (t1 - t0), c1 - c0);
	s.ops->close(&s);
	return 0;
fail:
	fprintf(stderr, "%s: store: %s\n", prog, s.err);
	return 1;
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
	O.n = 20000;
	O.w = 256;
	O.first = 1;
	O.lifetime = 7200;
	O.timeout_ms = 1000;
	O.port = PCP_SERVER_PORT;
	inet_pton(AF_INET6, "2001:db8:b::", &O.prefix);
	optind = 2;
	while ((opt = getopt(argc, argv, "n:w:f:l:p:b:e:t:")) != -1) {
		switch (opt) {
		case 'n': O.n = strtoul(optarg, NULL, 0); break;
		case 'w': O.w = strtoul(optarg, NULL, 0); break;
		case 'f': O.first = strtoul(optarg, NULL, 0); break;
		case 'l': O.lifetime = strtoul(optarg, NULL, 0); break;
		case 'p': O.port = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'b':
			if (inet_pton(AF_INET6, optarg, &O.prefix) != 1)
				usage();
			break;
		case 'e': O.netns = optarg; break;
		case 't': O.timeout_ms = strtoul(optarg, NULL, 0); break;
		default: usage();
		}
	}
	if (optind != argc - 1 || !O.n || !O.w)
		usage();
	log_open(LOG_WARNING, false);
	if (!strcmp(mode, "map") || !strcmp(mode, "echo"))
		return run_map(!strcmp(mode, "echo"), argv[optind]);
	if (!strcmp(mode, "bind"))
		return run_bind(argv[optind]);
	if (!strcmp(mode, "store"))
		return run_store(argv[optind]);
	usage();
	return 2;
}
