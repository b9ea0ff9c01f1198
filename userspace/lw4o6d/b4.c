// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The lwB4 role's I/O around its PCP client (pcp_client.c): the b4 device
 * (its binding, set with DEV_SET, and the module's icmp-no-binding
 * events), 192.0.0.2/29 on it, and the UDP socket to the AFTR.
 *
 * Inside the softwire, requests go from 192.0.0.2:5350 to 192.0.0.1:5351
 * (RFC 6333 5.7); the module lets exactly that pair through unNATed.  With
 * "transport ipv6" they go from the device's local address to "server" or
 * its remote, port 5351.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <linux/lw4o6.h>

#include "b4.h"
#include "kernel.h"
#include "log.h"
#include "loop.h"
#include "nft_forwards.h"
#include "nlsock.h"
#include "pcp.h"
#include "pcp_client.h"
#include "strconv.h"

static struct {
	struct lw4o6d_config cfg;
	struct kern *k;
	struct kern_dev dev;
	int fd;
	bool v6;
	struct in6_addr server;
	struct pcp_client pc;
	struct log_limit ll;
	struct nft_forwards *guard;
} S = { .fd = -1 };

static void send_req(const uint8_t *buf, size_t len, void *arg)
{
	ssize_t n;

	(void)arg;
	if (S.v6) {
		struct sockaddr_in6 to = { .sin6_family = AF_INET6,
					   .sin6_port = htons(PCP_SERVER_PORT),
					   .sin6_addr = S.server };

		n = sendto(S.fd, buf, len, 0, (struct sockaddr *)&to,
			   sizeof(to));
	} else {
		struct sockaddr_in to = { .sin_family = AF_INET,
					  .sin_port = htons(PCP_SERVER_PORT),
					  .sin_addr.s_addr = htonl(LW4O6_CONTROL_ADDR) };

		n = sendto(S.fd, buf, len, 0, (struct sockaddr *)&to,
			   sizeof(to));
	}
	if (n < 0 && log_limit_ok(&S.ll))
		log_warn("sending to the AFTR: %s", strerror(errno));
}

static int install(const struct b4_binding *b, void *arg)
{
	char a4[FMT_IPV4_LEN];
	int err;

	(void)arg;
	if (!b) {
		err = kern_b4_set(S.k, 0, 0, 0, 0);
		if (err)
			log_err("removing the binding from %s: %s",
				S.cfg.device, strerror(-err));
		return err;
	}
	err = kern_b4_set(S.k, b->ipv4, b->psid, b->psid_len, b->offset);
	if (err)
		log_err("installing %s psid %u/%u on %s: %s%s%s",
			fmt_ipv4(b->ipv4, a4), b->psid, b->psid_len,
			S.cfg.device, strerror(-err),
			*kern_last_error(S.k) ? ": " : "", kern_last_error(S.k));
	return err;
}

static bool from_server(const struct sockaddr_storage *ss)
{
	if (S.v6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;

		return a->sin6_family == AF_INET6 &&
		       a->sin6_port == htons(PCP_SERVER_PORT) &&
		       !memcmp(&a->sin6_addr, &S.server, sizeof(S.server));
	} else {
		const struct sockaddr_in *a = (const struct sockaddr_in *)ss;

		return a->sin_family == AF_INET &&
		       a->sin_port == htons(PCP_SERVER_PORT) &&
		       a->sin_addr.s_addr == htonl(LW4O6_CONTROL_ADDR);
	}
}

static void on_packet(int fd, void *arg)
{
	uint8_t buf[PCP_MAX_LEN + 4];
	ssize_t n;

	(void)arg;
	for (;;) {
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);

		n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT,
			     (struct sockaddr *)&from, &fl);
		if (n < 0)
			return;
		if (!from_server(&from))
			continue;	/* only the AFTR's port 5351 answers */
		pcp_client_input(&S.pc, buf, (size_t)n);
	}
}

static void on_no_binding(const struct in6_addr *from, uint32_t ipv4,
			  void *arg)
{
	(void)arg;
	pcp_client_no_binding(&S.pc, from, ipv4);
}

static void on_kernel(int fd, void *arg)
{
	(void)fd;
	(void)arg;
	kern_events_read(S.k);
}

/* 192.0.0.2/29 on the device (RFC 6333 5.7), so the AFTR's answers arrive. */
static int add_b4_address(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	struct nl *nl = nl_open(NETLINK_ROUTE);
	int err;

	if (!nl)
		return -errno;
	nlh = nl_req(nl, buf, RTM_NEWADDR,
		     NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = 29;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = S.dev.ifindex;
	mnl_attr_put_u32(nlh, IFA_LOCAL, htonl(LW4O6_B4_CONTROL_ADDR));
	mnl_attr_put_u32(nlh, IFA_ADDRESS, htonl(LW4O6_B4_CONTROL_ADDR));
	err = nl_talk(nl, nlh, NULL, NULL);
	nl_close(nl);
	return err == -EEXIST ? 0 : err;
}

static int open_socket(void)
{
	int one = 1;

	if (S.v6) {
		struct sockaddr_in6 sa = { .sin6_family = AF_INET6,
					   .sin6_port = htons(PCP_CLIENT_PORT),
					   .sin6_addr = S.dev.local };

		S.fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (S.fd < 0)
			return -errno;
		setsockopt(S.fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one));
		if (bind(S.fd, (struct sockaddr *)&sa, sizeof(sa)))
			return -errno;
	} else {
		struct sockaddr_in sa = { .sin_family = AF_INET,
					  .sin_port = htons(PCP_CLIENT_PORT),
					  .sin_addr.s_addr = htonl(LW4O6_B4_CONTROL_ADDR) };

		S.fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (S.fd < 0)
			return -errno;
		setsockopt(S.fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
		/* Out through the softwire, whatever the routing table says. */
		if (setsockopt(S.fd, SOL_SOCKET, SO_BINDTODEVICE, S.cfg.device,
			       strlen(S.cfg.device)))
			return -errno;
		if (bind(S.fd, (struct sockaddr *)&sa, sizeof(sa)))
			return -errno;
	}
	return loop_add_fd(S.fd, on_packet, NULL);
}

int b4_start(const struct lw4o6d_config *c)
{
	struct kern_events ev = { .no_binding = on_no_binding };
	const struct pcp_client_ops ops = { .send = send_req,
					    .install = install };
	struct in6_addr client;
	int e;

	S.cfg = *c;
	S.v6 = c->transport_ipv6;
	S.ll.burst = 5;
	S.k = kern_open_mode(c->device, LW4O6_MODE_B4, &S.dev);
	if (!S.k)
		return -1;
	S.server = c->has_server ? c->server : S.dev.remote;
	if (S.v6)
		client = S.dev.local;
	else
		pcp_v4mapped(htonl(LW4O6_B4_CONTROL_ADDR), &client);
	pcp_client_init(&S.pc, &ops, &client, c->lifetime, c->port_set_size);
	if (!S.v6 && (e = add_b4_address())) {
		log_err("adding 192.0.0.2/29 to %s: %s", c->device, strerror(-e));
		return -1;
	}
	if ((e = open_socket())) {
		log_err("PCP client socket: %s", strerror(-e));
		return -1;
	}
	if ((e = kern_listen(S.k, false, true, &ev)) ||
	    (e = loop_add_fd(kern_event_fd(S.k), on_kernel, NULL))) {
		log_err("joining the module's events: %s", strerror(-e));
		return -1;
	}
	/* What the device holds now is what a previous run left. */
	if (S.dev.ipv4) {
		struct b4_binding b = { .ipv4 = S.dev.ipv4, .psid = S.dev.psid,
					.psid_len = S.dev.psid_len,
					.offset = S.dev.offset };

		pcp_client_adopt(&S.pc, &b);
	}
	/*
	 * Before the first request (a LAN host forwarding packets from our
	 * address could take our mapping first, #11 item 9), and after the
	 * last way to fail (nothing is left behind then).
	 */
	if (c->forward_guard && !(S.guard = nft_guard_open(c->device)))
		return -1;
	if (S.guard)
		log_info("guard: forwarded packets from this host's addresses dropped (table inet %s)",
			 nft_forwards_table(S.guard));
	log_notice("b4 on %s: PCP %s to %s", c->device,
		   S.v6 ? "over IPv6" : "inside the softwire",
		   S.v6 ? "the server" : "192.0.0.1");
	pcp_client_start(&S.pc);
	return 0;
}

int b4_listen(b4_binding_fn fn, void *arg)
{
	return pcp_client_listen(&S.pc, fn, arg);
}

int b4_reload(const struct lw4o6d_config *c)
{
	if (strcmp(c->device, S.cfg.device) ||
	    c->transport_ipv6 != S.cfg.transport_ipv6) {
		log_warn("reload: device and transport changes need a restart; kept the old ones");
		return -1;
	}
	if (c->forward_guard != S.cfg.forward_guard)
		log_warn("reload: forward-guard changes need a restart; kept the old one");
	S.cfg.lifetime = c->lifetime;
	S.cfg.port_set_size = c->port_set_size;
	pcp_client_set_request(&S.pc, c->lifetime, c->port_set_size);
	log_notice("reloaded: lifetime %u, port-set-size %u", c->lifetime,
		   c->port_set_size);
	return 0;
}

void b4_stop(void)
{
	if (!S.k)
		return;		/* never started */
	log_notice("stopping: the binding stays installed until it expires at the AFTR");
	log_notice("PCP client: %llu answers ignored (no request of ours), %llu ICMPv6 1/5 about our address, %llu re-validations",
		   (unsigned long long)S.pc.n_ignored,
		   (unsigned long long)S.pc.n_no_binding,
		   (unsigned long long)S.pc.n_revalidations);
	pcp_client_stop(&S.pc);
	if (S.fd >= 0) {
		loop_del_fd(S.fd);
		close(S.fd);
		S.fd = -1;
	}
	kern_close(S.k);
	S.k = NULL;
	nft_forwards_close(S.guard);
	S.guard = NULL;
}
