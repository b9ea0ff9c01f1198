// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The DHCPv4-over-DHCPv6 server's sockets and batches (dhcp4o6_server.h).
 *
 * As the PCP server: everything waiting on a socket is handled in one
 * core transaction, and the answers leave only once it is committed, so
 * that a granted set is on disk (and its binding in the kernel) before
 * the client hears of it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "dhcp4o6_serve.h"
#include "dhcp4o6_server.h"
#include "log.h"
#include "loop.h"
#include "siphash.h"
#include "strconv.h"

#define BATCH_MAX	256
#define MAX_SOCKS	(CONFIG_MAX_DHCP_IFACES + 1)

struct sock {
	int fd;
	unsigned int ifindex;	/* 0: the listen socket */
};

struct pending {
	int fd;
	struct d4o6_out o;
};

static struct {
	struct d4o6_serve *sv;
	struct alloc *a;
	struct sock socks[MAX_SOCKS];
	size_t n_socks;
	struct timer tick;
	bool in_batch;
	struct pending *q;
	size_t n_q;
	struct log_limit ll;
} D;

/* ---- the server's DUID --------------------------------------------------- */

/*
 * DUID-LL of the first dhcp4o6-interface; without one (role server, or a
 * device with no hardware address), a DUID-UUID hashed from the machine
 * id and the listen address.  Either stays the same across restarts.
 */
static size_t server_duid(const struct lw4o6d_config *c, uint8_t *out)
{
	static const struct siphash_key k1 = { 1, 0 }, k2 = { 2, 0 };
	uint8_t seed[64 + 16];
	struct ifreq ifr;
	size_t n = 0;
	uint64_t h1, h2;
	int fd, i;

	if (c->n_dhcp_ifaces) {
		fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		memset(&ifr, 0, sizeof(ifr));
		memcpy(ifr.ifr_name, c->dhcp_ifaces[0], strnlen(c->dhcp_ifaces[0], IFNAMSIZ - 1));
		if (fd >= 0 && !ioctl(fd, SIOCGIFHWADDR, &ifr)) {
			static const uint8_t zero[6];
			const uint8_t *mac = (const uint8_t *)ifr.ifr_hwaddr.sa_data;

			if (memcmp(mac, zero, 6)) {
				close(fd);
				return dhcp6_duid_ll(mac, out);
			}
		}
		if (fd >= 0)
			close(fd);
	}
	memset(seed, 0, sizeof(seed));
	fd = open("/etc/machine-id", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t r = read(fd, seed, 64);

		n = r > 0 ? (size_t)r : 0;
		close(fd);
	}
	if (c->has_listen6)
		memcpy(seed + 64, &c->listen6, 16);
	h1 = siphash24(&k1, seed, sizeof(seed));
	h2 = siphash24(&k2, seed, sizeof(seed));
	(void)n;
	out[0] = 0;
	out[1] = 4;		/* DUID-UUID, RFC 6355 */
	for (i = 0; i < 8; i++) {
		out[2 + i] = (uint8_t)(h1 >> (8 * i));
		out[10 + i] = (uint8_t)(h2 >> (8 * i));
	}
	out[2 + 6] = (uint8_t)((out[2 + 6] & 0x0f) | 0x40);	/* version 4 */
	out[2 + 8] = (uint8_t)((out[2 + 8] & 0x3f) | 0x80);	/* variant */
	return 18;
}

/* ---- batches ------------------------------------------------------------- */

static void send_now(int fd, const struct d4o6_out *o)
{
	struct sockaddr_in6 to = { .sin6_family = AF_INET6 };

	to.sin6_addr = o->to;
	to.sin6_port = htons(o->port);
	if (IN6_IS_ADDR_LINKLOCAL(&o->to))
		to.sin6_scope_id = o->ifindex;
	if (sendto(fd, o->buf, o->len, 0, (struct sockaddr *)&to,
		   sizeof(to)) < 0 && log_limit_ok(&D.ll)) {
		char a6[FMT_IPV6_LEN];

		log_warn("dhcp4o6: sending to %s: %s", fmt_ipv6(&o->to, a6),
			 strerror(errno));
	}
}

static void batch_begin(void)
{
	D.in_batch = !alloc_begin(D.a);
	D.n_q = 0;
}

static void batch_end(void)
{
	size_t i;
	bool ok;

	if (!D.in_batch) {
		d4o6_committed(D.sv, true);
		return;
	}
	D.in_batch = false;
	ok = !alloc_commit(D.a);
	d4o6_committed(D.sv, ok);
	if (!ok) {
		log_err("dhcp4o6: %zu answers withheld", D.n_q);
		for (i = 0; i < D.n_q; i++)
			d4o6_count_drop(D.sv, D4O6_DROP_WITHHELD);
		return;
	}
	for (i = 0; i < D.n_q; i++)
		send_now(D.q[i].fd, &D.q[i].o);
}

static void on_read(int fd, void *arg)
{
	struct sock *sk = arg;
	uint8_t buf[DHCP6_MAX_LEN];
	union {
		char c[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} cbuf;
	struct sockaddr_in6 from;
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh = {
		.msg_name = &from, .msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf.c,
	};
	int i;

	batch_begin();
	for (i = 0; i < BATCH_MAX; i++) {
		struct d4o6_from f = { .ifindex = sk->ifindex };
		struct cmsghdr *cm;
		struct pending *p;
		ssize_t n;

		mh.msg_namelen = sizeof(from);
		mh.msg_controllen = sizeof(cbuf.c);
		n = recvmsg(fd, &mh, MSG_DONTWAIT);
		if (n < 0)
			break;
		if (mh.msg_flags & MSG_TRUNC) {
			/* longer than any message we take: counted, not parsed */
			f.src = from.sin6_addr;
			d4o6_oversize(D.sv, &f);
			continue;
		}
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			struct in6_pktinfo pi;

			if (cm->cmsg_level != IPPROTO_IPV6 ||
			    cm->cmsg_type != IPV6_PKTINFO)
				continue;
			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			f.multicast = IN6_IS_ADDR_MULTICAST(&pi.ipi6_addr);
			if (!f.ifindex)
				f.ifindex = (unsigned int)pi.ipi6_ifindex;
		}
		f.src = from.sin6_addr;
		f.sport = ntohs(from.sin6_port);
		p = &D.q[D.n_q];
		if (d4o6_handle(D.sv, buf, (size_t)n, &f, &p->o) == 1) {
			p->fd = fd;
			if (D.in_batch)
				D.n_q++;
			else
				send_now(fd, &p->o);
		}
	}
	batch_end();
}

static void on_tick(struct timer *t)
{
	d4o6_tick(D.sv);
	timer_arm(t, 1000);
}

/* ---- sockets ------------------------------------------------------------- */

static int open_sock(const char *ifname, const struct in6_addr *addr)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6,
				   .sin6_port = htons(DHCP6_SERVER_PORT) };
	struct sock *sk = &D.socks[D.n_socks];
	int one = 1, rcvbuf = 1 << 20;
	char a6[FMT_IPV6_LEN];
	int fd;

	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_err("dhcp4o6: socket: %s", strerror(errno));
		return -1;
	}
	sk->fd = fd;
	sk->ifindex = 0;
	D.n_socks++;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one));
	if (ifname) {
		struct ipv6_mreq mr;

		sk->ifindex = if_nametoindex(ifname);
		if (!sk->ifindex) {
			log_err("dhcp4o6-interface %s: %s", ifname,
				strerror(errno));
			return -1;
		}
		if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname,
			       (socklen_t)strlen(ifname))) {
			log_err("dhcp4o6-interface %s: binding to it: %s",
				ifname, strerror(errno));
			return -1;
		}
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
			log_err("dhcp4o6-interface %s: [::]:%u: %s", ifname,
				DHCP6_SERVER_PORT, strerror(errno));
			return -1;
		}
		memset(&mr, 0, sizeof(mr));
		inet_pton(AF_INET6, "ff02::1:2", &mr.ipv6mr_multiaddr);
		mr.ipv6mr_interface = sk->ifindex;
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr,
			       sizeof(mr))) {
			log_err("dhcp4o6-interface %s: joining ff02::1:2: %s",
				ifname, strerror(errno));
			return -1;
		}
	} else {
		sa.sin6_addr = *addr;
		setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
			log_err("dhcp4o6: listening on [%s]:%u: %s",
				fmt_ipv6(addr, a6), DHCP6_SERVER_PORT,
				strerror(errno));
			return -1;
		}
	}
	if (loop_add_fd(fd, on_read, sk)) {
		log_err("dhcp4o6: out of loop slots");
		return -1;
	}
	return 0;
}

int dhcp4o6_server_start(const struct lw4o6d_config *c, struct alloc *a)
{
	uint8_t duid[DHCP6_DUID_MAX];
	char a6[FMT_IPV6_LEN], hex[2 * DHCP6_DUID_MAX + 1];
	size_t i, n = server_duid(c, duid);

	D.a = a;
	D.ll.burst = 20;
	for (i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", duid[i]);
	D.q = calloc(BATCH_MAX, sizeof(*D.q));
	D.sv = d4o6_serve_new(c, a, duid, n);
	if (!D.q || !D.sv) {
		log_err("dhcp4o6: out of memory or of core listeners");
		return -1;
	}
	/* On a server with no device, where we listen is no B4's. */
	if (c->role == ROLE_SERVER && c->has_listen6)
		alloc_add_self(a, &c->listen6);
	for (i = 0; i < c->n_dhcp_ifaces; i++)
		if (open_sock(c->dhcp_ifaces[i], NULL))
			return -1;
	if (c->has_listen6 && open_sock(NULL, &c->listen6))
		return -1;
	timer_init(&D.tick, on_tick);
	timer_arm(&D.tick, 1000);
	if (c->role == ROLE_SERVER && !c->n_relay_peers)
		log_warn("dhcp4o6: no relay-peer: relayed queries are refused (name the relays that may reach us)");
	log_notice("DHCPv4-over-DHCPv6 server on %zu interfaces%s%s, DUID %s, %zu s46-bindings",
		   c->n_dhcp_ifaces, c->has_listen6 ? " and " : "",
		   c->has_listen6 ? fmt_ipv6(&c->listen6, a6) : "", hex,
		   c->n_s46);
	return 0;
}

void dhcp4o6_server_dump(void)
{
	char buf[1024];

	if (!D.sv)
		return;
	d4o6_counters_str(D.sv, buf, sizeof(buf));
	log_notice("DHCPv4-over-DHCPv6 server: %s; %zu sets held after DECLINE",
		   buf, d4o6_held(D.sv));
}

void dhcp4o6_server_stop(void)
{
	size_t i;

	dhcp4o6_server_dump();
	for (i = 0; i < D.n_socks; i++) {
		loop_del_fd(D.socks[i].fd);
		close(D.socks[i].fd);
	}
	timer_cancel(&D.tick);
	d4o6_serve_free(D.sv);
	free(D.q);
	memset(&D, 0, sizeof(D));
}
