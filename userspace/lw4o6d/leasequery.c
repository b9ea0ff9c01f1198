// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The bulk leasequery server (leasequery.h).  A query takes a snapshot of
 * the DHCP leases' sets (ipv4, psid); the answers are built from it as
 * the connection's output buffer drains, each lease looked up again (one
 * gone since is skipped), so a slow reader holds at most the snapshot and
 * one buffer, never the core.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "dhcp4.h"
#include "leasequery.h"
#include "log.h"
#include "loop.h"
#include "lq_msg.h"
#include "strconv.h"

#define IN_MAX		(2 + DHCP4_MAX_LEN + LQ_FRAME_MAX)
#define OUT_MAX		16384
#define SWEEP_MS	5000

struct set { uint32_t ipv4; uint16_t psid; };

struct conn {
	int fd;
	struct in6_addr peer;
	int64_t last_ms;
	uint8_t in[IN_MAX];
	size_t in_len;
	uint8_t out[OUT_MAX];
	size_t out_off, out_len;
	/* a query being answered */
	bool streaming;
	uint32_t xid;
	struct set *sets;
	size_t n_sets, next;
};

static struct {
	struct lw4o6d_config cfg;
	struct alloc *a;
	int fd;
	struct conn *conns[LQ_MAX_CONNS];
	struct timer sweep;
	struct log_limit ll;
	uint64_t accepted, refused, full, queries, leases, unsupported;
	uint64_t malformed, timeouts, overflows;
} Q = { .fd = -1 };

static void conn_close(struct conn *c, const char *why)
{
	size_t i;
	char a6[FMT_IPV6_LEN];

	log_debug("leasequery: connection from %s closed: %s",
		  fmt_ipv6(&c->peer, a6), why);
	loop_del_fd(c->fd);
	close(c->fd);
	free(c->sets);
	for (i = 0; i < LQ_MAX_CONNS; i++)
		if (Q.conns[i] == c)
			Q.conns[i] = NULL;
	free(c);
}

static struct conn *conn_of(int fd)
{
	size_t i;

	for (i = 0; i < LQ_MAX_CONNS; i++)
		if (Q.conns[i] && Q.conns[i]->fd == fd)
			return Q.conns[i];
	return NULL;
}

/* Room for one more framed message. */
static bool room(const struct conn *c)
{
	return OUT_MAX - c->out_len >= LQ_FRAME_MAX;
}

static int collect(struct lease *l, void *arg)
{
	struct conn *c = arg;

	if (!lq_is_dhcp(&l->m))
		return 0;
	if (c->n_sets % 256 == 0) {
		struct set *s = realloc(c->sets,
					(c->n_sets + 256) * sizeof(*s));

		if (!s)
			return -ENOMEM;
		c->sets = s;
	}
	c->sets[c->n_sets].ipv4 = l->m.ipv4;
	c->sets[c->n_sets].psid = l->m.psid;
	c->n_sets++;
	return 0;
}

/* Builds what fits of the answer being streamed. */
static void fill(struct conn *c)
{
	int64_t now = alloc_now(Q.a);

	while (c->streaming && room(c)) {
		const struct lease *l;
		size_t n;

		if (c->next == c->n_sets) {
			c->out_len += lq_build_done(c->xid, c->out + c->out_len,
						    OUT_MAX - c->out_len);
			c->streaming = false;
			free(c->sets);
			c->sets = NULL;
			c->n_sets = c->next = 0;
			break;
		}
		l = alloc_find_set(Q.a, c->sets[c->next].ipv4,
				   c->sets[c->next].psid);
		c->next++;
		if (!l || !lq_is_dhcp(&l->m) || l->m.expires <= now)
			continue;
		n = lq_build_active(c->xid, &l->m,
				    (uint32_t)(l->m.expires - now), now,
				    c->out + c->out_len, OUT_MAX - c->out_len);
		if (n) {
			c->out_len += n;
			Q.leases++;
		}
	}
}

/* Sends what is buffered; -1 if the connection is gone. */
static int flush(struct conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off,
				 c->out_len - c->out_off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			conn_close(c, strerror(errno));
			return -1;
		}
		c->out_off += (size_t)n;
		c->last_ms = loop_now_ms();
		if (c->out_off == c->out_len) {
			c->out_off = c->out_len = 0;
			fill(c);
		}
	}
	if (c->out_off && c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	loop_want_write(c->fd, c->out_len > c->out_off);
	return 0;
}

/* One query frame: -1 if the connection was closed. */
static int query(struct conn *c, const uint8_t *msg, size_t len)
{
	struct dhcp4_msg m4;
	char a6[FMT_IPV6_LEN];
	int r;

	if (dhcp4_parse(msg, len, &m4) ||
	    (r = lq_check_query(&m4)) == -EINVAL) {
		Q.malformed++;
		if (log_limit_ok(&Q.ll))
			log_info("leasequery: from %s: not a DHCPBULKLEASEQUERY; closing",
				 fmt_ipv6(&c->peer, a6));
		conn_close(c, "malformed");
		return -1;
	}
	if (r) {
		Q.unsupported++;
		c->out_len += lq_build_status(m4.xid, LQ_STATUS_UNSPEC_FAIL,
					      "only queries for all leases",
					      c->out + c->out_len,
					      OUT_MAX - c->out_len);
		return 0;
	}
	Q.queries++;
	c->xid = m4.xid;
	c->n_sets = c->next = 0;
	if (alloc_each(Q.a, collect, c)) {
		conn_close(c, "out of memory");
		return -1;
	}
	log_info("leasequery: bulk query from %s xid %#x: %zu leases",
		 fmt_ipv6(&c->peer, a6), m4.xid, c->n_sets);
	c->streaming = true;
	fill(c);
	return 0;
}

static void on_conn(int fd, void *arg)
{
	struct conn *c = conn_of(fd);
	ssize_t n;

	(void)arg;
	if (!c)
		return;
	if (c->out_len > c->out_off && flush(c))
		return;
	if (c->in_len == IN_MAX) {
		/* a peer that sends while its answer streams, past a query */
		Q.overflows++;
		conn_close(c, "queries faster than answers");
		return;
	}
	n = recv(fd, c->in + c->in_len, IN_MAX - c->in_len, MSG_DONTWAIT);
	if (n == 0) {
		conn_close(c, "closed by the peer");
		return;
	}
	if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
		conn_close(c, strerror(errno));
		return;
	}
	if (n > 0) {
		c->in_len += (size_t)n;
		c->last_ms = loop_now_ms();
	}
	for (;;) {
		/* one query at a time: the next waits until this one is done */
		while (!c->streaming && room(c)) {
			int fl = dhcp4_tcp_frame(c->in, c->in_len);

			if (fl < 0) {
				Q.malformed++;
				conn_close(c, "bad frame length");
				return;
			}
			if (!fl)
				break;
			if (query(c, c->in + 2, (size_t)fl))
				return;
			memmove(c->in, c->in + 2 + fl,
				c->in_len - 2 - (size_t)fl);
			c->in_len -= 2 + (size_t)fl;
		}
		if (flush(c))
			return;
		/* all sent, and a query waiting: no event will come for it */
		if (c->streaming || c->out_len || !c->in_len)
			break;
		if (dhcp4_tcp_frame(c->in, c->in_len) == 0)
			break;
	}
}

static bool is_peer(const struct in6_addr *a)
{
	size_t i;

	for (i = 0; i < Q.cfg.n_relay_peers; i++)
		if (!memcmp(&Q.cfg.relay_peers[i], a, sizeof(*a)))
			return true;
	return false;
}

static void on_accept(int fd, void *arg)
{
	struct sockaddr_in6 sa;
	socklen_t sl = sizeof(sa);
	char a6[FMT_IPV6_LEN];
	struct conn *c;
	size_t i;
	int cfd;

	(void)arg;
	cfd = accept4(fd, (struct sockaddr *)&sa, &sl,
		      SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd < 0)
		return;
	fmt_ipv6(&sa.sin6_addr, a6);
	if (!is_peer(&sa.sin6_addr)) {
		Q.refused++;
		if (log_limit_ok(&Q.ll))
			log_info("leasequery: connection from %s refused: not a relay-peer",
				 a6);
		close(cfd);
		return;
	}
	for (i = 0; i < LQ_MAX_CONNS && Q.conns[i]; i++)
		;
	c = i < LQ_MAX_CONNS ? calloc(1, sizeof(*c)) : NULL;
	if (!c || loop_add_fd(cfd, on_conn, NULL)) {
		Q.full++;
		if (log_limit_ok(&Q.ll))
			log_warn("leasequery: connection from %s refused: %d connections",
				 a6, LQ_MAX_CONNS);
		free(c);
		close(cfd);
		return;
	}
	c->fd = cfd;
	c->peer = sa.sin6_addr;
	c->last_ms = loop_now_ms();
	Q.conns[i] = c;
	Q.accepted++;
	log_debug("leasequery: connection from %s", a6);
}

static void on_sweep(struct timer *t)
{
	int64_t now = loop_now_ms();
	size_t i;

	for (i = 0; i < LQ_MAX_CONNS; i++) {
		if (Q.conns[i] && now - Q.conns[i]->last_ms >= LQ_IDLE_MS) {
			Q.timeouts++;
			conn_close(Q.conns[i], "idle");
		}
	}
	timer_arm(t, SWEEP_MS);
}

int leasequery_start(const struct lw4o6d_config *c, struct alloc *a)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6 };
	char a6[FMT_IPV6_LEN];
	int one = 1;

	Q.cfg = *c;
	Q.a = a;
	Q.ll.burst = 10;
	if (!c->has_listen6) {
		log_notice("leasequery: no listen address: no bulk leasequery");
		return 0;
	}
	fmt_ipv6(&c->listen6, a6);
	Q.fd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	sa.sin6_addr = c->listen6;
	sa.sin6_port = htons(DHCP4_SERVER_PORT);
	if (Q.fd < 0 ||
	    setsockopt(Q.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(Q.fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) ||
	    bind(Q.fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(Q.fd, 16) || loop_add_fd(Q.fd, on_accept, NULL)) {
		log_err("leasequery: TCP [%s]:67: %s", a6, strerror(errno));
		if (Q.fd >= 0)
			close(Q.fd);
		Q.fd = -1;
		return -1;
	}
	timer_init(&Q.sweep, on_sweep);
	timer_arm(&Q.sweep, SWEEP_MS);
	log_notice("leasequery: bulk leasequery on TCP [%s]:67 for %zu relay-peers%s",
		   a6, c->n_relay_peers,
		   c->n_relay_peers ? "" : " (none: every connection refused)");
	return 0;
}

void leasequery_log_stats(void)
{
	if (Q.fd < 0)
		return;
	log_notice("leasequery: %llu connections (%llu refused: not a relay-peer, %llu: full), %llu queries, %llu leases sent, %llu unsupported, %llu malformed, %llu idle, %llu overflows",
		   (unsigned long long)Q.accepted, (unsigned long long)Q.refused,
		   (unsigned long long)Q.full, (unsigned long long)Q.queries,
		   (unsigned long long)Q.leases,
		   (unsigned long long)Q.unsupported,
		   (unsigned long long)Q.malformed,
		   (unsigned long long)Q.timeouts,
		   (unsigned long long)Q.overflows);
}

void leasequery_stop(void)
{
	size_t i;

	if (Q.fd < 0)
		return;
	leasequery_log_stats();
	for (i = 0; i < LQ_MAX_CONNS; i++)
		if (Q.conns[i])
			conn_close(Q.conns[i], "stopping");
	timer_cancel(&Q.sweep);
	loop_del_fd(Q.fd);
	close(Q.fd);
	Q.fd = -1;
}
