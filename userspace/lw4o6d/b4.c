// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The lwB4 role's I/O around its provisioning clients: PCP (pcp_client.c)
 * or DHCPv4 over DHCPv6 (dhcp4o6_client.c), by "provision".  The b4 device
 * (its binding, set with DEV_SET, and the module's icmp-no-binding
 * events), 192.0.0.2/29 on it, and the UDP socket to the AFTR.
 *
 * Inside the softwire, requests go from 192.0.0.2:5350 to 192.0.0.1:5351
 * (RFC 6333 5.7); the module lets exactly that pair through unNATed.  With
 * "transport ipv6" they go from the device's local address to "server" or
 * its remote, port 5351.
 *
 * DHCPv4 over DHCPv6: one socket on [::]:546; Information-requests go to
 * ff02::1:2 out of the uplink ("dhcp4o6-interface") from its link-local
 * address, DHCPV4-QUERYs from the device's local address.  The lease is
 * kept in "lease-file", written to a temporary file and renamed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <linux/lw4o6.h>

#include "b4.h"
#include "b4_aftrs.h"
#include "b4_bfd.h"
#include "b4_uplink.h"
#include "dhcp4o6_client.h"
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
	bool aftrs;			/* "aftr": b4_aftrs.c chooses */
	bool bfd;			/* b4_bfd.c runs */
	bool waiting_aftr;		/* for "aftr NAME" to resolve */
	struct pcp_client pc;
	struct log_limit ll;
	struct nft_forwards *guard;
	/* DHCPv4 over DHCPv6 */
	bool dhcp;			/* provision dhcp4o6 or auto */
	bool pcp;			/* the PCP client runs */
	bool listening;			/* to the module's events */
	int dfd;
	int uplink;			/* ifindex */
	struct dhcp4o6_client dc;
	/* the listeners, told by whichever client runs */
	struct {
		b4_binding_fn fn;
		void *arg;
	} listeners[PCP_CLIENT_MAX_LISTENERS];
	size_t n_listeners;
	bool bound;
	struct b4_binding b;
	/* "uplink": a move waiting for the release sent from the old address */
	struct timer move_t;
	struct in6_addr move_to;
	bool following;
} S = { .fd = -1, .dfd = -1 };

/* The B4's state files (BFD's session) */
#define B4_RUN_DIR	"/run/lw4o6d"

/* A release from the address we leave gets this long to arrive first. */
#define RELEASE_WAIT_MS	1000

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

/* A 1/5 about our data: the client that provisions us re-validates. */
static void on_no_binding(const struct in6_addr *from, uint32_t ipv4,
			  void *arg)
{
	(void)arg;
	if (S.pcp)
		pcp_client_no_binding(&S.pc, from, ipv4);
	else if (S.dhcp && S.dfd >= 0)
		dhcp4o6_client_no_binding(&S.dc, from, ipv4);
}

/* A router's 1/0 or 1/3 about our data: the PCP client checks the AFTR. */
static void on_unreachable(const struct in6_addr *from, uint32_t ipv4,
			   void *arg)
{
	char a6[FMT_IPV6_LEN];

	(void)ipv4;
	(void)arg;
	if (S.pcp)
		pcp_client_unreachable(&S.pc, from);
	else if (log_limit_ok(&S.ll))
		log_info("ICMPv6 no route to the AFTR, from router %s (the DHCPv4-over-DHCPv6 client does not fail over)",
			 fmt_ipv6(from, a6));
}

static void on_kernel(int fd, void *arg)
{
	(void)fd;
	(void)arg;
	kern_events_read(S.k);
}

/*
 * The module's events (icmp-no-binding), once for the role: DHCP starts
 * first and "provision auto" may hand over to PCP, or a reload restart
 * DHCP; each asks.
 */
static int listen_kernel(void)
{
	struct kern_events ev = { .no_binding = on_no_binding,
				  .unreachable = on_unreachable };
	int e;

	if (S.listening)
		return 0;
	if ((e = kern_listen(S.k, false, true, &ev)) ||
	    (e = loop_add_fd(kern_event_fd(S.k), on_kernel, NULL))) {
		log_err("joining the module's events: %s", strerror(-e));
		return -1;
	}
	S.listening = true;
	return 0;
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

/* What the running client says, to every listener of the role. */
static void relay(const struct b4_binding *b, void *arg)
{
	size_t i;

	(void)arg;
	S.bound = b != NULL;
	if (b)
		S.b = *b;
	for (i = 0; i < S.n_listeners; i++)
		S.listeners[i].fn(b, S.listeners[i].arg);
}

/*
 * Before the first request (a LAN host forwarding packets from our address
 * could take our mapping first, #11 item 9), and after the last way to
 * fail (nothing is left behind then).
 */
static int open_guard(const struct lw4o6d_config *c)
{
	if (!c->forward_guard || S.guard)
		return 0;
	if (!(S.guard = nft_guard_open(c->device)))
		return -1;
	log_info("guard: forwarded packets from this host's addresses dropped (table inet %s)",
		 nft_forwards_table(S.guard));
	return 0;
}

static int d_set_ends(const struct in6_addr *local,
		      const struct in6_addr *remote, void *arg);

/* The device's remote (and, over IPv6, where PCP goes) is now a. */
static int set_aftr(const struct in6_addr *a)
{
	int err = d_set_ends(NULL, a, NULL);

	if (!err)
		S.server = *a;
	return err;
}

/*
 * BFD says the AFTR failed (its detection time expired, or it went
 * AdminDown: drained, stopped): the next AFTR, if there is one, and the
 * PCP client starts over there.
 */
static void bfd_failed(const char *why, void *arg)
{
	char a6[FMT_IPV6_LEN];

	(void)arg;
	if (S.aftrs && b4_aftrs_next(why)) {
		if (S.pcp && !S.waiting_aftr)
			pcp_client_moved(&S.pc);
		return;
	}
	log_warn("AFTR %s failed us (%s), and there is no other to move to",
		 fmt_ipv6(&S.server, a6), why);
}

/* "bfd on" (the default): a session with the AFTR in use. */
static int bfd_start(const struct lw4o6d_config *c)
{
	const struct b4_bfd_ops ops = { .failed = bfd_failed };
	char path[256];

	const char *dir = getenv("RUNTIME_DIRECTORY");

	if (!c->bfd || S.bfd)
		return 0;	/* off, or running (provision auto's PCP after DHCP) */
	/*
	 * Where operators read the session from: the unit's own
	 * (RuntimeDirectory=, which systemd names in $RUNTIME_DIRECTORY:
	 * nothing else of /run is writable under ProtectSystem=strict), or
	 * B4_RUN_DIR when started by hand.
	 */
	if (!dir || !*dir || strchr(dir, ':')) {
		dir = B4_RUN_DIR;
		if (mkdir(dir, 0755) && errno != EEXIST)
			log_warn("creating %s: %s", dir, strerror(errno));
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/bfd-%s.json", dir,
			     c->device) >= sizeof(path)) {
		log_warn("BFD state file: %s is too long a directory; none written",
			 dir);
		path[0] = '\0';
	}
	/* no AFTR yet (DHCP has not named its BR): the session waits for one */
	if (b4_bfd_start(c, path, &ops,
			 IN6_IS_ADDR_UNSPECIFIED(&S.dev.remote) ? NULL :
			 &S.dev.remote))
		return -1;
	S.bfd = true;
	return 0;
}

/*
 * "aftr A B ..." or "aftr NAME": the PCP client says the AFTR in use
 * failed us; the next (b4_aftrs.c) becomes the device's remote.
 */
static bool next_aftr(const char *why, void *arg)
{
	(void)arg;
	return b4_aftrs_next(why);
}

static int use_aftr(const struct in6_addr *a, void *arg)
{
	(void)arg;
	return set_aftr(a) ? -1 : 0;
}

/* A lookup of "aftr NAME" moved us: the PCP client starts over there. */
static void aftr_moved(void *arg)
{
	(void)arg;
	if (S.pcp && !S.waiting_aftr)
		pcp_client_moved(&S.pc);
}

/* "aftr NAME" resolved for the first time: the first request. */
static void aftr_ready(void *arg)
{
	(void)arg;
	if (S.pcp && S.waiting_aftr) {
		S.waiting_aftr = false;
		pcp_client_start(&S.pc);
	}
}

/* --- WAN renumbering ("uplink", b4_uplink.c) ------------------------------ */

/* The softwire (and PCP over IPv6) now leaves from to; PCP asks from there. */
static void do_move(const struct in6_addr *to)
{
	int e;

	if (d_set_ends(to, NULL, NULL)) {
		/* logged; on from here (the old address still works, or the
		 * next address event moves us) */
		pcp_client_renumbered(&S.pc, NULL);
		return;
	}
	b4_uplink_set(to);
	if (S.v6 && S.fd >= 0) {
		loop_del_fd(S.fd);
		close(S.fd);
		S.fd = -1;
		if ((e = open_socket())) {
			log_err("PCP client socket on the new address: %s",
				strerror(-e));
			if (S.fd >= 0)
				close(S.fd);
			S.fd = -1;
		}
	}
	pcp_client_renumbered(&S.pc, S.v6 ? to : NULL);
}

static void on_move_timer(struct timer *t)
{
	(void)t;
	do_move(&S.move_to);
}

/*
 * The old address still works (deprecated): the mapping there is deleted
 * from it first, so that it holds no port set (and no quota of a
 * subscriber whose prefix that may become) until it expires; then the
 * move.  Gone already: the move at once, and the AFTR moves the mapping
 * when the new address is in the same subscriber prefix.
 */
static void uplink_move(const struct in6_addr *from, const struct in6_addr *to,
			bool from_usable, void *arg)
{
	int e;

	(void)arg;
	/*
	 * DHCPv4 over DHCPv6 (until "provision auto" hands over to PCP): no
	 * release first, the lease is to be kept; the client sets the
	 * device's local and asks from there at once (RFC 8539), and
	 * releases from the old address only if the server will not move it.
	 */
	if (S.dhcp && !S.pcp) {
		if (S.dfd < 0)
			return;
		e = dhcp4o6_client_renumbered(&S.dc, from, to, from_usable);
		if (!e)
			b4_uplink_set(to);
		else if (e == -EPERM)
			log_notice("the softwire's source is S46_CONT_LW's to say: it stays");
		return;	/* else logged; the next address event tries again */
	}
	S.move_to = *to;
	if (S.move_t.armed)
		return;		/* a move waits already: it goes to the newest */
	if (from_usable && S.pc.bound) {
		pcp_client_release(&S.pc);
		timer_arm(&S.move_t, RELEASE_WAIT_MS);
		return;
	}
	do_move(to);
}

/*
 * "uplink": once for the role, whichever client runs (provision auto's
 * hand-over to PCP finds it following already; uplink_move() asks S.pcp).
 */
static int follow_uplink(const struct lw4o6d_config *c)
{
	const struct b4_uplink_ops uops = { .move = uplink_move };

	if (!c->uplink[0] || S.following)
		return 0;
	timer_init(&S.move_t, on_move_timer);
	if (b4_uplink_start(c->uplink, &S.dev.local, &uops))
		return -1;
	S.following = true;
	return 0;
}

/* The PCP client: its socket, the module's events, the first request. */
static int pcp_start(const struct lw4o6d_config *c)
{
	const struct pcp_client_ops ops = { .send = send_req,
					    .install = install,
					    .failover = next_aftr };
	const struct b4_aftrs_ops aops = { .use = use_aftr,
					   .ready = aftr_ready,
					   .moved = aftr_moved };
	struct in6_addr client;
	int e;

	if (S.dhcp && (e = kern_dev_get(S.k, &S.dev))) {
		log_err("reading %s: %s", c->device, strerror(-e));
		return -1;
	}
	S.server = c->has_server ? c->server : S.dev.remote;
	if (c->n_aftrs || c->aftr_name[0]) {
		e = b4_aftrs_start(c, &S.dev.remote, &aops);
		if (e < 0)
			return -1;
		S.aftrs = true;
		S.waiting_aftr = !e;
	}
	if (S.v6)
		client = S.dev.local;
	else
		pcp_v4mapped(htonl(LW4O6_B4_CONTROL_ADDR), &client);
	pcp_client_init(&S.pc, &ops, &client, c->lifetime, c->port_set_size);
	/* PCP inside the softwire and BFD speak from it */
	if ((!S.v6 || c->bfd) && (e = add_b4_address())) {
		log_err("adding 192.0.0.2/29 to %s: %s", c->device, strerror(-e));
		return -1;
	}
	if ((e = open_socket())) {
		log_err("PCP client socket: %s", strerror(-e));
		return -1;
	}
	if (listen_kernel())
		return -1;
	/* What the device holds now is what a previous run left. */
	if (S.dev.ipv4) {
		struct b4_binding b = { .ipv4 = S.dev.ipv4, .psid = S.dev.psid,
					.psid_len = S.dev.psid_len,
					.offset = S.dev.offset };

		pcp_client_adopt(&S.pc, &b);
	}
	if (open_guard(c))
		return -1;
	if (bfd_start(c))
		return -1;
	S.pcp = true;
	pcp_client_listen(&S.pc, relay, NULL);
	log_notice("b4 on %s: PCP %s to %s", c->device,
		   S.v6 ? "over IPv6" : "inside the softwire",
		   S.v6 ? "the server" : "192.0.0.1");
	if (S.waiting_aftr)
		log_notice("waiting for AFTR name %s to resolve before the first request",
			   c->aftr_name);
	else
		pcp_client_start(&S.pc);
	return follow_uplink(c);
}

/* --- DHCPv4 over DHCPv6 ------------------------------------------------------ */

static void d_send(const uint8_t *buf, size_t len, const struct in6_addr *to,
		   const struct in6_addr *from, void *arg)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6,
				   .sin6_port = htons(DHCP6_SERVER_PORT),
				   .sin6_addr = *to };
	union {
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr mh = { .msg_name = &sa, .msg_namelen = sizeof(sa),
			     .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *cm;
	struct in6_pktinfo pi;
	bool scoped = IN6_IS_ADDR_MULTICAST(to) || IN6_IS_ADDR_LINKLOCAL(to);

	(void)arg;
	memset(&u, 0, sizeof(u));
	memset(&pi, 0, sizeof(pi));
	if (scoped)
		sa.sin6_scope_id = (uint32_t)S.uplink;
	pi.ipi6_ifindex = scoped ? (unsigned int)S.uplink : 0;
	if (from)
		pi.ipi6_addr = *from;
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = IPPROTO_IPV6;
	cm->cmsg_type = IPV6_PKTINFO;
	cm->cmsg_len = CMSG_LEN(sizeof(pi));
	memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
	if (sendmsg(S.dfd, &mh, 0) < 0 && log_limit_ok(&S.ll)) {
		char a6[FMT_IPV6_LEN];

		log_warn("sending DHCPv6 to %s: %s", fmt_ipv6(to, a6),
			 strerror(errno));
	}
}

/* Whether a is one of this host's addresses (binding to it works). */
static bool is_local(const struct in6_addr *a)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_addr = *a };
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool ok;

	if (fd < 0)
		return false;
	ok = !bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	return ok;
}

/* a/128 on the uplink, usable at once (no DAD): the softwire's source. */
static int add_uplink_address(const struct in6_addr *a)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	struct nl *nl;
	int err;

	if (is_local(a))
		return 0;
	if (!(nl = nl_open(NETLINK_ROUTE)))
		return -errno;
	nlh = nl_req(nl, buf, RTM_NEWADDR,
		     NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET6;
	ifa->ifa_prefixlen = 128;
	ifa->ifa_flags = IFA_F_NODAD;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (uint32_t)S.uplink;
	mnl_attr_put(nlh, IFA_LOCAL, sizeof(*a), a);
	mnl_attr_put(nlh, IFA_ADDRESS, sizeof(*a), a);
	mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
	err = nl_talk(nl, nlh, NULL, NULL);
	nl_close(nl);
	return err == -EEXIST ? 0 : err;
}

static int d_set_ends(const struct in6_addr *local,
		      const struct in6_addr *remote, void *arg)
{
	char a6[FMT_IPV6_LEN], b6[FMT_IPV6_LEN];
	int err;

	(void)arg;
	if (local && (err = add_uplink_address(local))) {
		log_err("adding %s to %s: %s", fmt_ipv6(local, a6),
			S.cfg.dhcp_ifaces[0], strerror(-err));
		return err;
	}
	if ((local && !memcmp(local, &S.dev.local, sizeof(*local))))
		local = NULL;
	if ((remote && !memcmp(remote, &S.dev.remote, sizeof(*remote))))
		remote = NULL;
	if (!local && !remote)
		return 0;
	err = kern_dev_set_ends(S.k, local, remote);
	if (err) {
		log_err("setting %s's local %s remote %s: %s%s%s",
			S.cfg.device, local ? fmt_ipv6(local, a6) : "(kept)",
			remote ? fmt_ipv6(remote, b6) : "(kept)",
			strerror(-err), *kern_last_error(S.k) ? ": " : "",
			kern_last_error(S.k));
		return err;
	}
	if (local)
		S.dev.local = *local;
	if (remote) {
		S.dev.remote = *remote;
		if (S.bfd)
			b4_bfd_restart(remote);	/* another AFTR, another session */
	}
	log_info("%s: local %s, remote %s", S.cfg.device,
		 fmt_ipv6(&S.dev.local, a6), fmt_ipv6(&S.dev.remote, b6));
	return 0;
}

static int d_save(const struct dhcp4o6_lease *l, void *arg)
{
	int err = 0;

	(void)arg;
	if (l)
		err = dhcp4o6_lease_write(S.cfg.lease_file, l);
	else if (unlink(S.cfg.lease_file) && errno != ENOENT)
		err = -errno;
	if (err)
		log_err("%s the lease file %s: %s", l ? "writing" : "removing",
			S.cfg.lease_file, strerror(-err));
	return err;
}

static int d_load(struct dhcp4o6_lease *l, void *arg)
{
	(void)arg;
	return dhcp4o6_lease_read(S.cfg.lease_file, l);
}

static void d_fallback(void *arg)
{
	(void)arg;
	if (S.dfd >= 0) {
		loop_del_fd(S.dfd);
		close(S.dfd);
		S.dfd = -1;
	}
	if (pcp_start(&S.cfg))
		log_err("provision auto: PCP could not start; no provisioning");
}

static void on_dhcp(int fd, void *arg)
{
	uint8_t buf[DHCP6_MAX_LEN];
	ssize_t n;

	(void)arg;
	for (;;) {
		struct sockaddr_in6 from;
		socklen_t fl = sizeof(from);

		n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT,
			     (struct sockaddr *)&from, &fl);
		if (n < 0)
			return;
		if (from.sin6_family != AF_INET6 ||
		    from.sin6_port != htons(DHCP6_SERVER_PORT))
			continue;	/* only servers (and relays) answer */
		dhcp4o6_client_input(&S.dc, buf, (size_t)n, &from.sin6_addr);
		if (S.dfd < 0)
			return;		/* handed over to PCP */
	}
}

static int uplink_mac(const char *ifname, uint8_t mac[6])
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr))
		err = -errno;
	close(fd);
	if (!err)
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return err;
}

static int dhcp_start(const struct lw4o6d_config *c)
{
	const struct dhcp4o6_client_ops ops = {
		.send = d_send, .install = install, .set_ends = d_set_ends,
		.save = d_save, .load = d_load, .fallback = d_fallback,
	};
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6,
				   .sin6_port = htons(DHCP6_CLIENT_PORT) };
	const char *up = c->dhcp_ifaces[0];
	uint8_t mac[6];
	int one = 1, e;

	S.uplink = (int)if_nametoindex(up);
	if (!S.uplink) {
		log_err("dhcp4o6-interface %s: %s", up, strerror(errno));
		return -1;
	}
	if ((e = uplink_mac(up, mac))) {
		log_err("reading %s's MAC address: %s", up, strerror(-e));
		return -1;
	}
	S.dfd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (S.dfd < 0 ||
	    setsockopt(S.dfd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) ||
	    setsockopt(S.dfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(S.dfd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one)) ||
	    bind(S.dfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    (e = loop_add_fd(S.dfd, on_dhcp, NULL))) {
		log_err("DHCPv6 client socket on port 546: %s", strerror(errno));
		return -1;
	}
	/* The device's local address is the softwire's source, and ours. */
	if (!IN6_IS_ADDR_UNSPECIFIED(&S.dev.local) &&
	    (e = add_uplink_address(&S.dev.local))) {
		char a6[FMT_IPV6_LEN];

		log_err("adding %s to %s: %s", fmt_ipv6(&S.dev.local, a6), up,
			strerror(-e));
		return -1;
	}
	if (open_guard(c) || listen_kernel())
		return -1;
	if (c->bfd && (e = add_b4_address())) {
		log_err("adding 192.0.0.2/29 to %s: %s", c->device, strerror(-e));
		return -1;
	}
	if (bfd_start(c))
		return -1;
	dhcp4o6_client_init(&S.dc, &ops, mac, &S.dev.local,
			    c->provision == PROVISION_AUTO);
	dhcp4o6_client_listen(&S.dc, relay, NULL);
	log_notice("b4 on %s: DHCPv4 over DHCPv6 on %s%s, lease file %s",
		   c->device, up,
		   c->provision == PROVISION_AUTO ? " (auto: PCP if none)" : "",
		   c->lease_file);
	dhcp4o6_client_start(&S.dc);
	return follow_uplink(c);
}

/*
 * "provision none": a DS-Lite B4 (mode dslite), or an lwB4 whose binding
 * the operator set.  Nothing to ask for; the AFTR is kept: the "aftr"
 * list (or name) and BFD, which moves it on when the AFTR fails.
 */
static int none_start(const struct lw4o6d_config *c)
{
	const struct b4_aftrs_ops aops = { .use = use_aftr,
					   .ready = aftr_ready,
					   .moved = aftr_moved };
	int e;

	S.server = S.dev.remote;
	if (c->n_aftrs || c->aftr_name[0]) {
		if (b4_aftrs_start(c, &S.dev.remote, &aops) < 0)
			return -1;
		S.aftrs = true;
	}
	if (c->bfd && (e = add_b4_address())) {
		log_err("adding 192.0.0.2/29 to %s: %s", c->device, strerror(-e));
		return -1;
	}
	if (bfd_start(c))
		return -1;
	log_notice("b4 on %s (%s): nothing to provision; %s", c->device,
		   S.dev.mode == LW4O6_MODE_DSLITE ? "DS-Lite" : "lw4o6",
		   c->bfd ? "BFD keeps the AFTR" : "BFD off: nothing to do but stay");
	return 0;
}

int b4_start(const struct lw4o6d_config *c)
{
	S.cfg = *c;
	S.v6 = c->transport_ipv6;
	S.ll.burst = 5;
	S.dhcp = c->provision == PROVISION_DHCP4O6 ||
		 c->provision == PROVISION_AUTO;
	if (c->provision == PROVISION_NONE) {
		/* either kind of B4: the one the device is */
		char err[256];
		int e;

		S.k = kern_open(c->device, err, sizeof(err));
		if (!S.k) {
			log_err("%s", err);
			return -1;
		}
		if ((e = kern_dev_get(S.k, &S.dev))) {
			log_err("device %s: %s", c->device, strerror(-e));
			return -1;
		}
		if (S.dev.mode != LW4O6_MODE_DSLITE &&
		    S.dev.mode != LW4O6_MODE_B4) {
			log_err("device %s is not a B4 (mode b4 or dslite)",
				c->device);
			return -1;
		}
		return none_start(c);
	}
	S.k = kern_open_mode(c->device, LW4O6_MODE_B4, &S.dev);
	if (!S.k)
		return -1;
	return S.dhcp ? dhcp_start(c) : pcp_start(c);
}

int b4_listen(b4_binding_fn fn, void *arg)
{
	if (S.n_listeners == PCP_CLIENT_MAX_LISTENERS)
		return -ENOSPC;
	S.listeners[S.n_listeners].fn = fn;
	S.listeners[S.n_listeners].arg = arg;
	S.n_listeners++;
	fn(S.bound ? &S.b : NULL, arg);
	return 0;
}

void b4_log_counters(void)
{
	if (S.dhcp)
		dhcp4o6_client_log_counters(&S.dc);
	b4_bfd_log_counters();
	if (S.pcp)
		log_notice("PCP client: %llu answers ignored (no request of ours), %llu ICMPv6 1/5 about our address, %llu re-validations, %llu ICMPv6 no-route from routers on the way, %llu probes, %llu moves to another AFTR, %llu moves to a new address (%llu mappings released there first)",
			   (unsigned long long)S.pc.n_ignored,
			   (unsigned long long)S.pc.n_no_binding,
			   (unsigned long long)S.pc.n_revalidations,
			   (unsigned long long)S.pc.n_unreachable,
			   (unsigned long long)S.pc.n_probes,
			   (unsigned long long)S.pc.n_failovers,
			   (unsigned long long)S.pc.n_renumbered,
			   (unsigned long long)S.pc.n_released);
}

int b4_reload(const struct lw4o6d_config *c)
{
	if (strcmp(c->device, S.cfg.device) ||
	    c->transport_ipv6 != S.cfg.transport_ipv6 ||
	    c->provision != S.cfg.provision) {
		log_warn("reload: device, transport and provision changes need a restart; kept the old ones");
		return -1;
	}
	if (c->forward_guard != S.cfg.forward_guard)
		log_warn("reload: forward-guard changes need a restart; kept the old one");
	if (c->bfd != S.cfg.bfd || c->bfd_interval != S.cfg.bfd_interval ||
	    c->bfd_mult != S.cfg.bfd_mult)
		log_warn("reload: bfd changes need a restart; kept the old ones");
	if (strcmp(c->uplink, S.cfg.uplink))
		log_warn("reload: uplink changes need a restart; kept the old one");
	if (c->n_aftrs != S.cfg.n_aftrs ||
	    memcmp(c->aftrs, S.cfg.aftrs, sizeof(c->aftrs[0]) * c->n_aftrs) ||
	    strcmp(c->aftr_name, S.cfg.aftr_name))
		log_warn("reload: aftr changes need a restart; kept the old list");
	if (S.dhcp && S.dfd >= 0 &&
	    (strcmp(c->dhcp_ifaces[0], S.cfg.dhcp_ifaces[0]) ||
	     strcmp(c->lease_file, S.cfg.lease_file))) {
		/* The lease belongs to the old settings: give it back, start over. */
		log_notice("reload: dhcp4o6-interface or lease-file changed: releasing and starting over");
		dhcp4o6_client_release(&S.dc);
		loop_del_fd(S.dfd);
		close(S.dfd);
		S.dfd = -1;
		strcpy(S.cfg.dhcp_ifaces[0], c->dhcp_ifaces[0]);
		strcpy(S.cfg.lease_file, c->lease_file);
		if (dhcp_start(&S.cfg))
			return -1;
	}
	S.cfg.lifetime = c->lifetime;
	S.cfg.port_set_size = c->port_set_size;
	if (S.pcp)
		pcp_client_set_request(&S.pc, c->lifetime, c->port_set_size);
	log_notice("reloaded: lifetime %u, port-set-size %u", c->lifetime,
		   c->port_set_size);
	return 0;
}

void b4_stop(void)
{
	if (!S.k)
		return;		/* never started */
	/* the listeners may be stopped already: they hear no more */
	S.n_listeners = 0;
	if (S.dhcp && S.dfd >= 0) {
		/* RELEASE while the socket is still there */
		dhcp4o6_client_release(&S.dc);
		log_notice("stopping: the DHCPv4 lease released (an S46 binding stays)");
	}
	if (S.dhcp)
		dhcp4o6_client_stop(&S.dc);
	if (S.following) {
		b4_uplink_stop();
		timer_cancel(&S.move_t);
		S.following = false;
	}
	if (S.pcp) {
		log_notice("stopping: the binding stays installed until it expires at the AFTR");
		pcp_client_stop(&S.pc);
	}
	if (S.aftrs) {
		b4_aftrs_stop();
		S.aftrs = false;
	}
	if (S.bfd) {
		b4_bfd_stop();
		S.bfd = false;
	}
	b4_log_counters();
	if (S.dfd >= 0) {
		loop_del_fd(S.dfd);
		close(S.dfd);
		S.dfd = -1;
	}
	if (S.fd >= 0) {
		loop_del_fd(S.fd);
		close(S.fd);
		S.fd = -1;
	}
	kern_close(S.k);
	S.k = NULL;
	S.listening = false;
	nft_forwards_close(S.guard);
	S.guard = NULL;
}
