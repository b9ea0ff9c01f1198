// SPDX-License-Identifier: GPL-2.0
/*
 * echo - UDP/TCP echo server and clients for the data-path tests ($ECHO in
 * selftests/lib/lib.sh; built on the host into build/selftests/echo by
 * `make testdata`).
 *
 *   echo serve PORT LOG          UDP and TCP echo on PORT; peers logged to LOG
 *                                as "PROTO ADDR PORT N", N the UDP length or
 *                                the TCP MSS this side settled on
 *   echo udp HOST PORT [SPORT]   send one datagram, print the reply, exit 0/1
 *   echo tcp HOST PORT           connect, send, print the reply, exit 0/1
 *   echo big HOST PORT SIZE df|nodf [TTL]
 *                                one UDP datagram of SIZE bytes (DF set or
 *                                not), exit 0 if the same SIZE comes back
 *   echo refused HOST PORT       exit 0 if a UDP send draws Port Unreachable
 *   echo sink PORT               TCP: read each connection to its end, answer
 *                                with the byte count and a digest
 *   echo bulk HOST PORT SIZE     send SIZE bytes to a sink, exit 0 if it got
 *                                them all, unchanged
 *
 * Why C: the tests call the clients hundreds of times per run, and under
 * TCG a Python interpreter that imports socket costs 0.7 s of CPU a start;
 * this costs a few ms.  The digest is FNV-1a over the bytes: both ends are
 * this program, and it only has to tell a changed or short stream.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char HELLO[] = "hello lw4o6";

static void die(const char *what)
{
	fprintf(stderr, "echo: %s: %s\n", what, strerror(errno));
	exit(2);
}

static int number(const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *s == '\0' || *end != '\0' || v < lo || v > hi) {
		fprintf(stderr, "echo: bad number '%s'\n", s);
		exit(2);
	}
	return (int)v;
}

/*
 * A socket of TYPE connected (or, for UDP, aimed) at HOST:PORT.  UDP ones
 * take ICMP errors (IP_RECVERR): one about our datagram ends the wait for
 * a reply at once, as a failure, instead of after the timeout, since no
 * reply is coming for a datagram that drew an error.
 */
static int open_to(const char *host, const char *port, int type, int timeout_s,
		   struct sockaddr_storage *sa, socklen_t *salen)
{
	struct addrinfo hints = { .ai_socktype = type }, *ai;
	struct timeval tv = { .tv_sec = timeout_s };
	int fd, rc;

	rc = getaddrinfo(host, port, &hints, &ai);
	if (rc) {
		fprintf(stderr, "echo: %s: %s\n", host, gai_strerror(rc));
		exit(2);
	}
	fd = socket(ai->ai_family, type, 0);
	if (fd < 0)
		die("socket");
	if (type == SOCK_DGRAM) {
		int on = 1;

		if (ai->ai_family == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof(on));
		else
			setsockopt(fd, IPPROTO_IP, IP_RECVERR, &on, sizeof(on));
	}
	/* SO_SNDTIMEO bounds connect() too */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	memcpy(sa, ai->ai_addr, ai->ai_addrlen);
	*salen = ai->ai_addrlen;
	freeaddrinfo(ai);
	return fd;
}

static void no_reply(void)
{
	printf("no reply: %s\n", errno == EAGAIN ? "timed out" : strerror(errno));
	exit(1);
}

static int send_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= n;
	}
	return 0;
}

/* ---- clients ----------------------------------------------------------- */

static int hello(int argc, char **argv, int type)
{
	struct sockaddr_storage sa;
	socklen_t salen;
	char buf[2048];
	ssize_t n;
	int fd;

	fd = open_to(argv[2], argv[3], type, type == SOCK_DGRAM ? 3 : 5, &sa, &salen);
	if (type == SOCK_DGRAM && argc > 4) {
		struct sockaddr_in me = {
			.sin_family = AF_INET,
			.sin_port = htons(number(argv[4], 0, 65535)),
		};

		if (bind(fd, (struct sockaddr *)&me, sizeof(me)))
			die("bind");
	}
	/*
	 * UDP is not connected: a reply is taken from whoever sends it; an
	 * ICMP error about the datagram ends the wait (open_to()).
	 */
	if (type == SOCK_STREAM) {
		if (connect(fd, (struct sockaddr *)&sa, salen) ||
		    send_all(fd, HELLO, strlen(HELLO)))
			no_reply();
	} else if (sendto(fd, HELLO, strlen(HELLO), 0, (struct sockaddr *)&sa, salen) < 0) {
		no_reply();
	}
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	if (n < 0)
		no_reply();
	buf[n] = '\0';
	printf("%s\n", buf);
	return (size_t)n == strlen(HELLO) && !memcmp(buf, HELLO, n) ? 0 : 1;
}

static int big(int argc, char **argv)
{
	int size = number(argv[4], 0, 65507), df = !strcmp(argv[5], "df");
	int pmtu = df ? IP_PMTUDISC_DO : IP_PMTUDISC_DONT, fd, i;
	struct sockaddr_storage sa;
	unsigned char *out, *in;
	socklen_t salen;
	ssize_t n;

	fd = open_to(argv[2], argv[3], SOCK_DGRAM, 4, &sa, &salen);
	setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof(pmtu));
	if (argc > 6) {
		int ttl = number(argv[6], 1, 255);

		setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl));
	}
	out = malloc(size + 1);
	in = malloc(65536);
	if (!out || !in)
		die("malloc");
	for (i = 0; i < size; i++)
		out[i] = i & 0xff;
	if (sendto(fd, out, size, 0, (struct sockaddr *)&sa, salen) < 0)
		no_reply();
	n = recv(fd, in, 65536, 0);
	if (n < 0)
		no_reply();
	printf("%zd bytes back\n", n);
	return n == size && !memcmp(in, out, size) ? 0 : 1;
}

static int refused(char **argv)
{
	static const char msg[] = "anyone there?";
	struct sockaddr_storage sa;
	socklen_t salen;
	char buf[2048];
	int fd;

	fd = open_to(argv[2], argv[3], SOCK_DGRAM, 4, &sa, &salen);
	if (connect(fd, (struct sockaddr *)&sa, salen))
		die("connect");
	if (send(fd, msg, strlen(msg), 0) < 0 && errno == ECONNREFUSED)
		return 0;
	if (recv(fd, buf, sizeof(buf), 0) >= 0)
		printf("no refusal: an answer came\n");
	else if (errno == ECONNREFUSED)
		return 0;
	else
		printf("no refusal: %s\n", errno == EAGAIN ? "timed out" : strerror(errno));
	return 1;
}

/* FNV-1a, 64 bits */
static uint64_t fnv(uint64_t h, const unsigned char *p, size_t n)
{
	while (n--)
		h = (h ^ *p++) * 0x100000001b3ULL;
	return h;
}
#define FNV_INIT 0xcbf29ce484222325ULL

static int bulk(char **argv)
{
	long long size = atoll(argv[4]), left = size;
	static unsigned char data[1 << 16];
	struct sockaddr_storage sa;
	uint64_t h = FNV_INIT;
	char reply[256], want[64];
	socklen_t salen;
	size_t got = 0;
	ssize_t n;
	int fd, i;

	if (size < 0) {
		fprintf(stderr, "echo: bad size '%s'\n", argv[4]);
		return 2;
	}
	for (i = 0; i < (int)sizeof(data); i++)
		data[i] = (i * 7 + (i >> 8)) & 0xff;
	fd = open_to(argv[2], argv[3], SOCK_STREAM, 60, &sa, &salen);
	if (connect(fd, (struct sockaddr *)&sa, salen))
		no_reply();
	while (left) {
		size_t chunk = left < (long long)sizeof(data) ? (size_t)left : sizeof(data);

		if (send_all(fd, data, chunk))
			no_reply();
		h = fnv(h, data, chunk);
		left -= chunk;
	}
	shutdown(fd, SHUT_WR);
	while (got < sizeof(reply) - 1 && (!got || reply[got - 1] != '\n')) {
		n = recv(fd, reply + got, sizeof(reply) - 1 - got, 0);
		if (n <= 0)
			break;
		got += n;
	}
	reply[got] = '\0';
	reply[strcspn(reply, "\n")] = '\0';
	snprintf(want, sizeof(want), "%lld %016llx", size, (unsigned long long)h);
	printf("%s\n", reply);
	return strcmp(reply, want) ? 1 : 0;
}

/* ---- servers ----------------------------------------------------------- */

static int listener(int port, int type, int backlog)
{
	struct sockaddr_in me = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
	};
	int fd = socket(AF_INET, type, 0), one = 1;

	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&me, sizeof(me)))
		die("bind");
	if (type == SOCK_STREAM && listen(fd, backlog))
		die("listen");
	return fd;
}

static FILE *serve_log;

static void *udp_echo(void *arg)
{
	static unsigned char buf[65536];
	int fd = *(int *)arg;

	for (;;) {
		struct sockaddr_in peer;
		socklen_t len = sizeof(peer);
		char addr[INET_ADDRSTRLEN];
		ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&peer, &len);

		if (n < 0)
			continue;
		fprintf(serve_log, "udp %s %d %zd\n",
			inet_ntop(AF_INET, &peer.sin_addr, addr, sizeof(addr)),
			ntohs(peer.sin_port), n);
		sendto(fd, buf, n, 0, (struct sockaddr *)&peer, len);
	}
	return NULL;
}

static void __attribute__((noreturn)) serve(char **argv)
{
	int port = number(argv[2], 1, 65535), u, t, bufsz = 16 << 20;
	pthread_t th;

	serve_log = fopen(argv[3], "a");
	if (!serve_log)
		die(argv[3]);
	setvbuf(serve_log, NULL, _IOLBF, 0);
	u = listener(port, SOCK_DGRAM, 0);
	/* Tests send bursts of thousands of flows: hold them all. */
	setsockopt(u, SOL_SOCKET, SO_RCVBUFFORCE, &bufsz, sizeof(bufsz));
	t = listener(port, SOCK_STREAM, 4096);
	if (pthread_create(&th, NULL, udp_echo, &u))
		die("pthread_create");
	for (;;) {
		struct timeval tv = { .tv_sec = 5 };
		struct sockaddr_in peer;
		socklen_t len = sizeof(peer), mlen;
		char addr[INET_ADDRSTRLEN], buf[2048];
		int c = accept(t, (struct sockaddr *)&peer, &len), mss = 0;
		ssize_t n;

		if (c < 0)
			continue;
		/* The MSS this side settled on: it shows what the SYN offered. */
		mlen = sizeof(mss);
		getsockopt(c, IPPROTO_TCP, TCP_MAXSEG, &mss, &mlen);
		fprintf(serve_log, "tcp %s %d %d\n",
			inet_ntop(AF_INET, &peer.sin_addr, addr, sizeof(addr)),
			ntohs(peer.sin_port), mss);
		setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		n = recv(c, buf, sizeof(buf), 0);
		if (n > 0)
			send_all(c, buf, n);
		close(c);
	}
}

static void *sink_one(void *arg)
{
	static __thread unsigned char buf[1 << 16];
	int c = (int)(intptr_t)arg;
	uint64_t h = FNV_INIT;
	long long total = 0;
	char line[64];
	ssize_t n;

	while ((n = recv(c, buf, sizeof(buf), 0)) > 0) {
		total += n;
		h = fnv(h, buf, n);
	}
	snprintf(line, sizeof(line), "%lld %016llx\n", total, (unsigned long long)h);
	send_all(c, line, strlen(line));
	close(c);
	return NULL;
}

static void __attribute__((noreturn)) sink(char **argv)
{
	int t = listener(number(argv[2], 1, 65535), SOCK_STREAM, 64);
	pthread_attr_t attr;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (;;) {
		int c = accept(t, NULL, NULL);
		pthread_t th;

		if (c < 0)
			continue;
		if (pthread_create(&th, &attr, sink_one, (void *)(intptr_t)c))
			close(c);
	}
}

static int usage(void)
{
	fprintf(stderr,
		"usage: echo serve PORT LOG | sink PORT\n"
		"       echo udp HOST PORT [SPORT] | tcp HOST PORT | refused HOST PORT\n"
		"       echo big HOST PORT SIZE df|nodf [TTL] | bulk HOST PORT SIZE\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(mode, "serve") && argc == 4)
		serve(argv);
	if (!strcmp(mode, "sink") && argc == 3)
		sink(argv);
	if (!strcmp(mode, "udp") && (argc == 4 || argc == 5))
		return hello(argc, argv, SOCK_DGRAM);
	if (!strcmp(mode, "tcp") && argc == 4)
		return hello(argc, argv, SOCK_STREAM);
	if (!strcmp(mode, "big") && (argc == 6 || argc == 7))
		return big(argc, argv);
	if (!strcmp(mode, "refused") && argc == 4)
		return refused(argv);
	if (!strcmp(mode, "bulk") && argc == 5)
		return bulk(argv);
	return usage();
}
