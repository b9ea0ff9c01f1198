// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The B4's PCP proxy for its LAN, its I/O: UDP sockets on the "proxy"
 * addresses, port 5351, answered by pcp_proxy.c; the forwards it grants
 * installed as DNAT in this daemon's nftables table (nft_forwards.c); a
 * sweep for expired ones.  It learns the B4's binding only by being told
 * (proxy_binding_changed(), which main.c has the B4 call).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "log.h"
#include "loop.h"
#include "nft_forwards.h"
#include "pcp.h"
#include "pcp_proxy.h"
#include "proxy.h"
#include "strconv.h"

#define PROXY_MAX_ADDRS 8

static struct {
	bool running;
	int fds[PROXY_MAX_ADDRS];
	size_t n_fds;
	struct nft_forwards *nft;
	struct pcp_proxy pp;
	struct timer sweep;
	struct log_limit ll;
	/* what the B4 told us, also while not running */
	bool have;
	struct b4_binding bound;
} P;

static int nft_add(const struct pcp_proxy_fwd *f, void *arg)
{
	(void)arg;
	return nft_forwards_add(P.nft, f->protocol, f->external_port, f->host,
				f->internal_port);
}

static void nft_del(const struct pcp_proxy_fwd *f, void *arg)
{
	(void)arg;
	nft_forwards_del(P.nft, f->protocol, f->external_port);
}

static void on_request(int fd, void *arg)
{
	uint8_t buf[PCP_MAX_LEN + 4], out[PCP_MAX_LEN];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	char a4[FMT_IPV4_LEN];
	uint64_t limited;
	ssize_t n;
	size_t len;

	(void)arg;
	n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT,
		     (struct sockaddr *)&from, &fl);
	if (n < 0 || from.sin_family != AF_INET)
		return;
	limited = P.pp.n_limited;
	len = pcp_proxy_request(&P.pp, from.sin_addr.s_addr, buf, (size_t)n,
				loop_now_ms(), out, sizeof(out));
	if (P.pp.n_limited != limited && log_limit_ok(&P.ll))
		log_info("proxy: %s over its rate limit: request dropped (%llu so far)",
			 fmt_ipv4(from.sin_addr.s_addr, a4),
			 (unsigned long long)P.pp.n_limited);
	if (len)
		sendto(fd, out, len, 0, (const struct sockaddr *)&from,
		       sizeof(from));
}

static void on_sweep(struct timer *t)
{
	pcp_proxy_expire(&P.pp, loop_now_ms());
	timer_arm(t, 1000);
}

void proxy_binding_changed(const struct b4_binding *b, void *arg)
{
	(void)arg;
	P.have = b != NULL;
	if (b)
		P.bound = *b;
	if (P.running)
		pcp_proxy_rebound(&P.pp, b);
}

static int listen_on(uint32_t addr)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(PCP_SERVER_PORT),
				  .sin_addr.s_addr = addr };
	char a4[FMT_IPV4_LEN];
	int one = 1, fd, e;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_err("proxy: socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		log_err("proxy: listening on %s:%u: %s", fmt_ipv4(addr, a4),
			PCP_SERVER_PORT, strerror(errno));
		close(fd);
		return -1;
	}
	if ((e = loop_add_fd(fd, on_request, NULL))) {
		log_err("proxy: %s", strerror(-e));
		close(fd);
		return -1;
	}
	P.fds[P.n_fds++] = fd;
	log_notice("proxy: PCP for the LAN on %s:%u", fmt_ipv4(addr, a4),
		   PCP_SERVER_PORT);
	return 0;
}

int proxy_start(const struct lw4o6d_config *c)
{
	const struct pcp_proxy_ops ops = { .add = nft_add, .del = nft_del };
	size_t i;

	if (!c->proxy)
		return 0;
	pcp_proxy_init(&P.pp, &ops, c->proxy_lifetime_max, loop_now_ms());
	pcp_proxy_set_rate(&P.pp, c->proxy_rate, c->proxy_burst);
	pcp_proxy_rebound(&P.pp, P.have ? &P.bound : NULL);
	P.ll.burst = 5;
	P.nft = nft_forwards_open(c->device);
	if (!P.nft)
		return -1;
	P.running = true;
	for (i = 0; i < c->n_proxy && i < PROXY_MAX_ADDRS; i++) {
		if (listen_on(c->proxy_addr[i])) {
			proxy_stop();
			return -1;
		}
	}
	timer_init(&P.sweep, on_sweep);
	timer_arm(&P.sweep, 1000);
	return 0;
}

int proxy_reload(const struct lw4o6d_config *c)
{
	/* The lifetime bound and the rate limit; addresses need a restart. */
	P.pp.lifetime_max = c->proxy_lifetime_max;
	pcp_proxy_set_rate(&P.pp, c->proxy_rate, c->proxy_burst);
	return 0;
}

void proxy_stop(void)
{
	size_t i;

	if (!P.running)
		return;
	log_notice("proxy: served %llu requests (%llu over a LAN host's rate, unanswered)",
		   (unsigned long long)P.pp.n_requests,
		   (unsigned long long)P.pp.n_limited);
	timer_cancel(&P.sweep);
	for (i = 0; i < P.n_fds; i++) {
		loop_del_fd(P.fds[i]);
		close(P.fds[i]);
	}
	P.n_fds = 0;
	/* The table goes, and every forward with it. */
	nft_forwards_close(P.nft);
	P.nft = NULL;
	P.running = false;
}
