// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The lwAFTR's DHCPv6 relay (dhcp4o6_relay.h): the sockets, the framing
 * of RELAY-FORW and the unwrapping of RELAY-REPL (RFC 8415 19), and the
 * bulk leasequery client (RFC 6926).  What the bindings become is
 * relay_track.c's business; here only what is read and sent.
 *
 * Trust: RELAY-REPL only from a configured server address; the binding's
 * IPv6 address is checked against the client's source (relay_track.c).
 * RELAY-FORW heard on a client link is dropped: the lwAFTR is the B4s'
 * first relay.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <ifaddrs.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <linux/lw4o6.h>

#include "dhcp4.h"
#include "dhcp4o6_relay.h"
#include "dhcp6.h"
#include "kernel.h"
#include "log.h"
#include "loop.h"
#include "lq_msg.h"
#include "relay_track.h"
#include "strconv.h"

#ifndef IPV6_MULTICAST_ALL
#define IPV6_MULTICAST_ALL 29
#endif

#define PENDING_MAX		65536
#define PENDING_TIMEOUT_MS	60000
#define LINK_REFRESH_MS		30000
#define LQ_CONNECT_MS		3000	/* a server that does not take the connection */
#define LQ_TOTAL_MS		20000	/* ... or does not finish its answer */
#define BATCH_MAX		64

struct iface {
	char name[IF_NAMESIZE];
	int ifindex;
	int fd;
	bool has_link;
	struct in6_addr link;		/* a global address of it: link-address */
};

enum drop {
	DROP_MALFORMED6,	/* DHCPv6 not well formed */
	DROP_MALFORMED4,	/* option 87 not a well-formed BOOTP request/reply */
	DROP_NOT_CLIENT,	/* a server's or relay's message on a client link */
	DROP_NOT_LINK,		/* a client message where we do not relay */
	DROP_NOT_SERVER,	/* RELAY-REPL from an address not configured */
	DROP_NO_IFACE,		/* RELAY-REPL without INTERFACE_ID, or naming none of ours */
	DROP_LIMITED,		/* over its subscriber's rate (relay_track) */
	DROP_SEND,		/* sending failed */
	N_DROPS
};

static const char *const drop_names[N_DROPS] = {
	"malformed-dhcpv6", "malformed-dhcpv4", "not-client", "not-relay-link",
	"not-server", "no-interface", "rate-limited", "send-failed",
};

static struct {
	struct lw4o6d_config cfg;
	struct kern *k;
	struct kern_dev dev;
	struct relay_track *rt;
	size_t n_ifs;
	struct iface ifs[CONFIG_MAX_DHCP_IFACES];
	int up_fd;			/* [listen or ::]:547, to and from servers */
	struct timer tick, links;
	struct log_limit ll;
	uint64_t forwarded, relayed_down, drops[N_DROPS];
	uint64_t lq_leases, lq_failed;
	bool started;
} R = { .up_fd = -1 };

/* ---- the kernel, as relay_track's ops -------------------------------- */

static int op_add(const struct lw4o6_mapping *m, void *arg)
{
	(void)arg;
	return kern_bind_add(R.k, m, true);
}

static int op_del(uint32_t ipv4, uint16_t psid, uint8_t psid_len, void *arg)
{
	(void)arg;
	return kern_bind_del(R.k, ipv4, psid, psid_len);
}

static int64_t op_now(void *arg)
{
	(void)arg;
	return loop_now_ms();
}

static void drop(enum drop why, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void drop(enum drop why, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	R.drops[why]++;
	if (!log_limit_ok(&R.ll))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log_debug("relay: dropped (%s): %s", drop_names[why], line);
}

/* ---- addresses ---------------------------------------------------------- */

static bool is_server(const struct in6_addr *a)
{
	size_t i;

	for (i = 0; i < R.cfg.n_relay; i++)
		if (!memcmp(&R.cfg.relay[i], a, sizeof(*a)))
			return true;
	return false;
}

static struct iface *iface_by_index(int ifindex)
{
	size_t i;

	for (i = 0; i < R.n_ifs; i++)
		if (R.ifs[i].ifindex == ifindex)
			return &R.ifs[i];
	return NULL;
}

static struct iface *iface_by_name(const uint8_t *name, size_t len)
{
	size_t i;

	for (i = 0; i < R.n_ifs; i++)
		if (strlen(R.ifs[i].name) == len &&
		    !memcmp(R.ifs[i].name, name, len))
			return &R.ifs[i];
	return NULL;
}

/* Each interface's link-address: a global (else unique local) address of it. */
static void refresh_links(void)
{
	struct ifaddrs *ifa, *i;
	size_t n;

	if (getifaddrs(&ifa)) {
		log_warn("relay: getifaddrs: %s", strerror(errno));
		return;
	}
	for (n = 0; n < R.n_ifs; n++) {
		struct iface *f = &R.ifs[n];
		int rank = 0;

		f->has_link = false;
		for (i = ifa; i; i = i->ifa_next) {
			const struct in6_addr *a;
			int r;

			if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET6 ||
			    strcmp(i->ifa_name, f->name))
				continue;
			a = &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
			if (IN6_IS_ADDR_LINKLOCAL(a) || IN6_IS_ADDR_LOOPBACK(a) ||
			    IN6_IS_ADDR_MULTICAST(a))
				continue;
			r = (a->s6_addr[0] & 0xfe) == 0xfc ? 1 : 2;
			if (r > rank) {
				rank = r;
				f->link = *a;
				f->has_link = true;
			}
		}
		f->ifindex = (int)if_nametoindex(f->name);
	}
	freeifaddrs(ifa);
}

static void on_links(struct timer *t)
{
	refresh_links();
	timer_arm(t, LINK_REFRESH_MS);
}

/* ---- sending ------------------------------------------------------------- */

static int send_to(int fd, const struct in6_addr *to, uint16_t port,
		   int ifindex, const uint8_t *buf, size_t len)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6 };
	char cbuf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr mh = {
		.msg_name = &sa, .msg_namelen = sizeof(sa),
		.msg_iov = &iov, .msg_iovlen = 1,
	};

	sa.sin6_addr = *to;
	sa.sin6_port = htons(port);
	if (ifindex) {
		struct cmsghdr *cm;
		struct in6_pktinfo pi = { .ipi6_ifindex = (unsigned int)ifindex };

		if (IN6_IS_ADDR_LINKLOCAL(to))
			sa.sin6_scope_id = (uint32_t)ifindex;
		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = IPPROTO_IPV6;
		cm->cmsg_type = IPV6_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
	}
	return sendmsg(fd, &mh, 0) < 0 ? -errno : 0;
}

/* ---- up: a client's message ---------------------------------------------- */

static bool client_type(uint8_t t)
{
	switch (t) {
	case DHCP6_SOLICIT: case DHCP6_REQUEST: case 4: /* CONFIRM */
	case DHCP6_RENEW: case 6: /* REBIND */ case DHCP6_RELEASE:
	case 9: /* DECLINE */ case DHCP6_INFORMATION_REQUEST:
	case DHCP6_DHCPV4_QUERY:
		return true;
	}
	return false;
}

static void from_client(const uint8_t *buf, size_t len,
			const struct sockaddr_in6 *src, int ifindex)
{
	char a6[FMT_IPV6_LEN], ifname[IF_NAMESIZE];
	uint8_t out[DHCP6_MAX_LEN];
	struct dhcp4_msg m4, *pm4 = NULL;
	struct in6_addr link = IN6ADDR_ANY_INIT;
	struct iface *f = iface_by_index(ifindex);
	struct dhcp6_buf b;
	struct dhcp6_msg m6;
	size_t i, n, sent = 0;

	fmt_ipv6(&src->sin6_addr, a6);
	if (!client_type(buf[0])) {
		drop(DROP_NOT_CLIENT, "%s (type %u) from %s",
		     dhcp6_type_name(buf[0]), buf[0], a6);
		return;
	}
	if (dhcp6_parse(buf, len, &m6)) {
		drop(DROP_MALFORMED6, "%zu bytes from %s", len, a6);
		return;
	}
	if (m6.type == DHCP6_DHCPV4_QUERY && m6.dhcpv4) {
		if (dhcp4_parse(m6.dhcpv4, m6.dhcpv4_len, &m4) || m4.op != 1) {
			drop(DROP_MALFORMED4, "DHCPV4-QUERY from %s", a6);
			return;
		}
		pm4 = &m4;
	}
	if (f && f->has_link)
		link = f->link;
	else if (R.cfg.has_listen6)
		link = R.cfg.listen6;
	if (!if_indextoname((unsigned int)ifindex, ifname)) {
		drop(DROP_NOT_LINK, "from %s: interface %d has no name", a6,
		     ifindex);
		return;
	}
	if (!relay_track_up(R.rt, &src->sin6_addr, pm4)) {
		R.drops[DROP_LIMITED]++;
		return;
	}
	dhcp6_relay_begin(&b, out, sizeof(out), DHCP6_RELAY_FORW, 0, &link,
			  &src->sin6_addr);
	dhcp6_put(&b, DHCP6_OPT_INTERFACE_ID, ifname, strlen(ifname));
	dhcp6_put(&b, DHCP6_OPT_RELAY_MSG, buf, len);
	n = dhcp6_end(&b);
	if (!n) {
		drop(DROP_MALFORMED6, "%zu bytes from %s: too long to relay",
		     len, a6);
		return;
	}
	for (i = 0; i < R.cfg.n_relay; i++) {
		int err = send_to(R.up_fd, &R.cfg.relay[i], DHCP6_SERVER_PORT,
				  0, out, n);

		if (err) {
			char s6[FMT_IPV6_LEN];

			drop(DROP_SEND, "RELAY-FORW to %s: %s",
			     fmt_ipv6(&R.cfg.relay[i], s6), strerror(-err));
		} else {
			sent++;
		}
	}
	if (sent)
		R.forwarded++;
	if (log_level_get() >= LOG_DEBUG) {
		if (pm4)
			log_debug("relay: DHCPV4-QUERY %s from %s on %s xid %#x: to %zu servers",
				  dhcp4_type_name(m4.type), a6, ifname, m4.xid,
				  sent);
		else
			log_debug("relay: %s from %s on %s: to %zu servers",
				  dhcp6_type_name(m6.type), a6, ifname, sent);
	}
}

/* ---- down: a server's RELAY-REPL ---------------------------------------- */

static void from_server(const uint8_t *buf, size_t len,
			const struct sockaddr_in6 *src)
{
	char a6[FMT_IPV6_LEN], p6[FMT_IPV6_LEN];
	struct dhcp6_relay r;
	struct dhcp6_msg m6;
	struct dhcp4_msg m4;
	struct iface *f;
	uint16_t port = DHCP6_CLIENT_PORT;
	int err, ifindex, fd;

	fmt_ipv6(&src->sin6_addr, a6);
	if (!is_server(&src->sin6_addr)) {
		drop(DROP_NOT_SERVER, "RELAY-REPL from %s", a6);
		return;
	}
	if (dhcp6_relay_parse(buf, len, &r) || r.type != DHCP6_RELAY_REPL) {
		drop(DROP_MALFORMED6, "RELAY-REPL from %s", a6);
		return;
	}
	fmt_ipv6(&r.peer, p6);
	if (!r.interface_id) {
		drop(DROP_NO_IFACE, "RELAY-REPL from %s for %s: no INTERFACE_ID",
		     a6, p6);
		return;
	}
	f = iface_by_name(r.interface_id, r.interface_id_len);
	if (f) {
		ifindex = f->ifindex;
		fd = f->fd;
	} else {
		char name[IF_NAMESIZE];

		/* a client that came to the listen address, on another link */
		if (!R.cfg.has_listen6 || !r.interface_id_len ||
		    r.interface_id_len >= IF_NAMESIZE) {
			drop(DROP_NO_IFACE, "RELAY-REPL from %s for %s: not our interface",
			     a6, p6);
			return;
		}
		memcpy(name, r.interface_id, r.interface_id_len);
		name[r.interface_id_len] = 0;
		ifindex = (int)if_nametoindex(name);
		fd = R.up_fd;
		if (!ifindex) {
			drop(DROP_NO_IFACE, "RELAY-REPL from %s for %s: no interface %s",
			     a6, p6, name);
			return;
		}
	}
	if (r.relay_msg_len && r.relay_msg[0] == DHCP6_RELAY_REPL) {
		port = DHCP6_SERVER_PORT;
	} else if (dhcp6_parse(r.relay_msg, r.relay_msg_len, &m6)) {
		drop(DROP_MALFORMED6, "RELAY-REPL from %s: inner message", a6);
		return;
	} else if (m6.type == DHCP6_DHCPV4_RESPONSE && m6.dhcpv4) {
		if (dhcp4_parse(m6.dhcpv4, m6.dhcpv4_len, &m4) || m4.op != 2) {
			drop(DROP_MALFORMED4, "DHCPV4-RESPONSE from %s for %s",
			     a6, p6);
			return;
		}
		log_debug("relay: DHCPV4-RESPONSE %s for %s xid %#x from %s",
			  dhcp4_type_name(m4.type), p6, m4.xid, a6);
		/* the binding is in before the client hears of it */
		relay_track_down(R.rt, &r.peer, &m4);
	} else {
		log_debug("relay: %s for %s from %s", dhcp6_type_name(m6.type),
			  p6, a6);
	}
	err = send_to(fd, &r.peer, port, ifindex, r.relay_msg, r.relay_msg_len);
	if (err)
		drop(DROP_SEND, "to %s: %s", p6, strerror(-err));
	else
		R.relayed_down++;
}

/* ---- reading --------------------------------------------------------------- */

static void on_readable(int fd, void *arg)
{
	struct iface *f = arg;
	unsigned int n;

	for (n = 0; n < BATCH_MAX; n++) {
		uint8_t buf[DHCP6_MAX_LEN];
		char cbuf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct sockaddr_in6 src;
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr mh = {
			.msg_name = &src, .msg_namelen = sizeof(src),
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
		};
		struct cmsghdr *cm;
		int ifindex = f ? f->ifindex : 0;
		ssize_t len = recvmsg(fd, &mh, MSG_DONTWAIT);

		if (len < 0)
			return;
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			struct in6_pktinfo pi;

			if (cm->cmsg_level != IPPROTO_IPV6 ||
			    cm->cmsg_type != IPV6_PKTINFO)
				continue;
			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			ifindex = (int)pi.ipi6_ifindex;
		}
		if (len < 1 || (mh.msg_flags & MSG_TRUNC) ||
		    src.sin6_family != AF_INET6) {
			drop(DROP_MALFORMED6, "%zd bytes", len);
			continue;
		}
		if (buf[0] == DHCP6_RELAY_REPL) {
			from_server(buf, (size_t)len, &src);
			continue;
		}
		/* clients: on a relay interface, or to the listen address */
		if (!f && !R.cfg.has_listen6 && !iface_by_index(ifindex)) {
			char a6[FMT_IPV6_LEN];

			drop(DROP_NOT_LINK, "%s from %s",
			     dhcp6_type_name(buf[0]),
			     fmt_ipv6(&src.sin6_addr, a6));
			continue;
		}
		from_client(buf, (size_t)len, &src, ifindex);
	}
}

static int udp_socket(const struct in6_addr *addr, const char *dev)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6 };
	int fd, one = 1, zero = 0;

	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	sa.sin6_addr = *addr;
	sa.sin6_port = htons(DHCP6_SERVER_PORT);
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_ALL, &zero,
		       sizeof(zero)) ||
	    (dev && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev,
			       (socklen_t)strlen(dev) + 1)) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static int open_iface(struct iface *f)
{
	struct ipv6_mreq mr = { .ipv6mr_interface = (unsigned int)f->ifindex };
	int fd;

	inet_pton(AF_INET6, "ff02::1:2", &mr.ipv6mr_multiaddr);
	fd = udp_socket(&in6addr_any, f->name);
	if (fd < 0) {
		log_err("relay: UDP 547 on %s: %s", f->name, strerror(-fd));
		return -1;
	}
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &mr,
		       sizeof(mr))) {
		log_err("relay: joining ff02::1:2 on %s: %s", f->name,
			strerror(errno));
		close(fd);
		return -1;
	}
	f->fd = fd;
	return loop_add_fd(fd, on_readable, f);
}

/* ---- bulk leasequery: the client --------------------------------------- */

static int64_t lq_left(int64_t deadline)
{
	int64_t l = deadline - loop_now_ms();

	return l < 0 ? 0 : l;
}

/* Waits for events on fd until deadline; 0, or -ETIMEDOUT / -errno. */
static int lq_wait(int fd, short events, int64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	int r;

	do
		r = poll(&p, 1, (int)lq_left(deadline));
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	return r ? 0 : -ETIMEDOUT;
}

/* Every lease server holds, learned; how many, or -errno. */
static int leasequery(const struct in6_addr *server)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6 };
	uint8_t q[LQ_FRAME_MAX], in[4096];
	int64_t conn_dl = loop_now_ms() + LQ_CONNECT_MS;
	int64_t dl = loop_now_ms() + LQ_TOTAL_MS;
	uint32_t xid;
	size_t have = 0, qlen;
	int fd, err = 0, learned = 0;
	socklen_t el = sizeof(err);

	xid = (uint32_t)random() | 1;
	fd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (R.cfg.has_listen6) {
		struct sockaddr_in6 me = { .sin6_family = AF_INET6,
					   .sin6_addr = R.cfg.listen6 };

		if (bind(fd, (struct sockaddr *)&me, sizeof(me))) {
			err = -errno;
			goto out;
		}
	}
	sa.sin6_addr = *server;
	sa.sin6_port = htons(DHCP4_SERVER_PORT);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) &&
	    errno != EINPROGRESS) {
		err = -errno;
		goto out;
	}
	if ((err = lq_wait(fd, POLLOUT, conn_dl)))
		goto out;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) || err) {
		err = err ? -err : -errno;
		goto out;
	}
	qlen = lq_build_query(xid, q, sizeof(q));
	if (send(fd, q, qlen, MSG_NOSIGNAL) != (ssize_t)qlen) {
		err = -EIO;
		goto out;
	}
	for (;;) {
		struct lw4o6_mapping m;
		struct dhcp4_msg m4;
		uint32_t remaining;
		ssize_t n;
		int fl;

		while ((fl = dhcp4_tcp_frame(in, have)) > 0) {
			if (dhcp4_parse(in + 2, (size_t)fl, &m4) ||
			    m4.xid != xid) {
				err = -EBADMSG;
				goto out;
			}
			memmove(in, in + 2 + fl, have - 2 - (size_t)fl);
			have -= 2 + (size_t)fl;
			if (m4.type == DHCP4_LEASEQUERYDONE) {
				err = learned;
				goto out;
			}
			if (m4.type != DHCP4_LEASEACTIVE ||
			    lq_parse_active(&m4, &m, &remaining)) {
				err = -EBADMSG;
				goto out;
			}
			if (!relay_track_learn(R.rt, &m, remaining))
				learned++;
		}
		if (fl < 0) {
			err = -EBADMSG;
			goto out;
		}
		if (have == sizeof(in)) {
			err = -EBADMSG;
			goto out;
		}
		if ((err = lq_wait(fd, POLLIN, dl)))
			goto out;
		n = recv(fd, in + have, sizeof(in) - have, 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0) {
			err = n ? -errno : -ECONNRESET;
			goto out;
		}
		have += (size_t)n;
	}
out:
	close(fd);
	if (err < 0 && learned)
		log_warn("relay: leasequery: %d leases learned before the error", learned);
	return err;
}

static int adopt_one(const struct lw4o6_mapping *m, void *arg)
{
	size_t *n = arg;

	if (!relay_track_adopt(R.rt, m))
		(*n)++;
	return 0;
}

/* ---- timers and stats ------------------------------------------------------ */

static void on_tick(struct timer *t)
{
	timer_arm(t, relay_track_tick(R.rt));
}

void dhcp4o6_relay_log_stats(void)
{
	struct relay_stats st;
	char line[512];
	size_t off = 0, i;

	if (!R.rt)
		return;
	relay_track_stats(R.rt, &st);
	log_notice("relay: %zu bindings; forwarded %llu, relayed down %llu; up: discover %llu request %llu decline %llu release %llu inform %llu other %llu; down: offer %llu ack %llu nak %llu other %llu",
		   st.bindings, (unsigned long long)R.forwarded,
		   (unsigned long long)R.relayed_down,
		   (unsigned long long)st.up[DHCP4_DISCOVER],
		   (unsigned long long)st.up[DHCP4_REQUEST],
		   (unsigned long long)st.up[DHCP4_DECLINE],
		   (unsigned long long)st.up[DHCP4_RELEASE],
		   (unsigned long long)st.up[DHCP4_INFORM],
		   (unsigned long long)st.up[0],
		   (unsigned long long)st.down[DHCP4_OFFER],
		   (unsigned long long)st.down[DHCP4_ACK],
		   (unsigned long long)st.down[DHCP4_NAK],
		   (unsigned long long)st.down[0]);
	log_notice("relay: bindings installed %llu renewed %llu replaced %llu moved %llu released %llu declined %llu nak %llu expired %llu learned %llu adopted %llu",
		   (unsigned long long)st.installed,
		   (unsigned long long)st.renewed,
		   (unsigned long long)st.replaced,
		   (unsigned long long)st.moved,
		   (unsigned long long)st.released,
		   (unsigned long long)st.declined,
		   (unsigned long long)st.naked,
		   (unsigned long long)st.expired,
		   (unsigned long long)st.learned,
		   (unsigned long long)st.adopted);
	for (i = 0; i < N_DROPS; i++)
		off += (size_t)snprintf(line + off, sizeof(line) - off,
					"%s %llu, ", drop_names[i],
					(unsigned long long)R.drops[i]);
	log_notice("relay: drops: %sclients-full %llu, pending-full %llu, saddr-mismatch %llu, bad-b4 %llu, bad-ack %llu, install-failed %llu, bindings-full %llu",
		   line, (unsigned long long)st.clients_full,
		   (unsigned long long)st.pending_full,
		   (unsigned long long)st.saddr_mismatch,
		   (unsigned long long)st.bad_b4,
		   (unsigned long long)st.bad_ack,
		   (unsigned long long)st.install_failed,
		   (unsigned long long)st.bindings_full);
}

/* ---- start and stop ----------------------------------------------------- */

int dhcp4o6_relay_start(const struct lw4o6d_config *c)
{
	struct relay_track_cfg tc = {
		.rate = c->rate, .burst = c->burst,
		.sub_plen = (uint8_t)c->subscriber_plen,
		.max_bindings = c->max_mappings,
		.max_pending = PENDING_MAX,
		.max_clients = c->max_subscribers,
		.pending_timeout_ms = PENDING_TIMEOUT_MS,
		.default_lease = c->lifetime_default,
	};
	struct relay_track_ops ops = {
		.bind_add = op_add, .bind_del = op_del, .now_ms = op_now,
	};
	size_t i, adopted = 0;
	int fd;

	R.cfg = *c;
	R.ll.burst = 10;
	srandom((unsigned int)loop_now_ms() ^ (unsigned int)getpid());
	R.k = kern_open_mode(c->device, LW4O6_MODE_AFTR, &R.dev);
	if (!R.k)
		return -1;
	R.rt = relay_track_new(&tc, &ops);
	if (!R.rt) {
		log_err("relay: out of memory");
		return -1;
	}
	for (i = 0; i < c->n_dhcp_ifaces; i++) {
		struct iface *f = &R.ifs[R.n_ifs];

		snprintf(f->name, sizeof(f->name), "%s", c->dhcp_ifaces[i]);
		f->fd = -1;
		f->ifindex = (int)if_nametoindex(f->name);
		if (!f->ifindex) {
			log_err("relay: dhcp4o6-interface %s: %s", f->name,
				strerror(errno));
			return -1;
		}
		R.n_ifs++;
	}
	refresh_links();

	/* before serving: what the servers hold, then what the kernel holds */
	for (i = 0; i < c->n_relay; i++) {
		char s6[FMT_IPV6_LEN];
		int n = leasequery(&c->relay[i]);

		fmt_ipv6(&c->relay[i], s6);
		if (n >= 0) {
			log_notice("relay: bulk leasequery to [%s]:67: %d leases installed",
				   s6, n);
			R.lq_leases += (uint64_t)n;
		} else {
			log_warn("relay: bulk leasequery to [%s]:67: %s; going on with what the kernel holds (their timers unknown until renewed)",
				 s6, strerror(-n));
			R.lq_failed++;
		}
	}
	if (kern_bind_dump(R.k, adopt_one, &adopted) < 0)
		log_warn("relay: reading the kernel's bindings: %s",
			 kern_last_error(R.k));
	if (adopted)
		log_notice("relay: %zu bindings of the kernel kept with no timer (until renewed, released or declined)",
			   adopted);

	fd = udp_socket(c->has_listen6 ? &c->listen6 : &in6addr_any, NULL);
	if (fd < 0) {
		log_err("relay: UDP 547: %s", strerror(-fd));
		return -1;
	}
	R.up_fd = fd;
	if (loop_add_fd(fd, on_readable, NULL))
		return -1;
	for (i = 0; i < R.n_ifs; i++)
		if (open_iface(&R.ifs[i]))
			return -1;
	timer_init(&R.tick, on_tick);
	timer_init(&R.links, on_links);
	timer_arm(&R.tick, relay_track_tick(R.rt));
	timer_arm(&R.links, LINK_REFRESH_MS);
	R.started = true;
	{
		char s6[FMT_IPV6_LEN];

		log_notice("relay on %s: %zu interfaces, %zu servers (first [%s]:547), %zu bindings",
			   c->device, R.n_ifs, c->n_relay,
			   fmt_ipv6(&c->relay[0], s6), relay_track_count(R.rt));
	}
	return 0;
}

void dhcp4o6_relay_stop(void)
{
	size_t i;

	if (R.rt)
		dhcp4o6_relay_log_stats();
	if (R.started) {
		timer_cancel(&R.tick);
		timer_cancel(&R.links);
	}
	for (i = 0; i < R.n_ifs; i++) {
		if (R.ifs[i].fd >= 0) {
			loop_del_fd(R.ifs[i].fd);
			close(R.ifs[i].fd);
		}
	}
	R.n_ifs = 0;
	if (R.up_fd >= 0) {
		loop_del_fd(R.up_fd);
		close(R.up_fd);
		R.up_fd = -1;
	}
	relay_track_free(R.rt);
	R.rt = NULL;
	if (R.k)
		kern_close(R.k);
	R.k = NULL;
	R.started = false;
}
