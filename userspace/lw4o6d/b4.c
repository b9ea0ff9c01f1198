// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The lwB4's PCP client: it asks the AFTR for a port set with a MAP
 * request carrying PORT_SET, installs what is granted as the b4 device's
 * binding, and keeps it: renewal at one half to five eighths of the
 * lifetime, RFC 6887 8.1.1 retransmission, the epoch check of 8.5 (a
 * server that lost its state gets our mapping re-created), unsolicited
 * ANNOUNCE, and the module's icmp-no-binding event (the AFTR no longer has
 * our binding: drop it, ask again).  At start it reads back what the AFTR
 * still holds for it with GET (draft-boucadair-pcp-failure) before asking
 * for anything new, so a restarted B4 keeps its set and its nonce.
 *
 * Inside the softwire, requests go from 192.0.0.2:5350 to 192.0.0.1:5351
 * (RFC 6333 5.7); the module lets exactly that pair through unNATed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/random.h>
#include <sys/socket.h>

#include <linux/lw4o6.h>
#include <lw4o6/psid.h>

#include "b4.h"
#include "kernel.h"
#include "log.h"
#include "loop.h"
#include "nlsock.h"
#include "pcp.h"
#include "proxy.h"
#include "strconv.h"
#include "wire.h"

/* RFC 6887 8.1.1 */
#define IRT_MS	3000
#define MRT_MS	1024000

enum state { ST_GET, ST_MAP, ST_BOUND };

static struct {
	struct lw4o6d_config cfg;
	struct kern *k;
	struct kern_dev dev;
	int fd;
	bool v6;
	struct in6_addr server;
	enum state state;
	uint8_t nonce[PCP_NONCE_LEN];
	uint8_t get_nonce[PCP_NONCE_LEN];
	/* the request in flight, resent as it is */
	uint8_t req[PCP_MAX_LEN];
	size_t req_len;
	int64_t rt;		/* current retransmission timeout */
	struct timer retrans, renew, expire, recreate;
	/* the binding */
	bool bound;
	uint32_t ipv4;
	uint16_t psid;
	uint8_t psid_len, offset;
	uint32_t lifetime;
	int64_t expires_ms;
	/* RFC 6887 8.5 */
	bool have_epoch;
	uint32_t prev_server;
	int64_t prev_client;
	struct log_limit ll;
} S;

static double rand_pm10(void)
{
	uint32_t r = 0;

	getrandom(&r, sizeof(r), 0);
	return ((double)r / 4294967295.0 - 0.5) * 0.2;	/* [-0.1, 0.1] */
}

static void local_client(struct in6_addr *a)
{
	if (S.v6)
		*a = S.dev.local;
	else
		pcp_v4mapped(htonl(LW4O6_B4_CONTROL_ADDR), a);
}

static void send_req(void)
{
	ssize_t n;

	if (S.v6) {
		struct sockaddr_in6 to = { .sin6_family = AF_INET6,
					   .sin6_port = htons(PCP_SERVER_PORT),
					   .sin6_addr = S.server };

		n = sendto(S.fd, S.req, S.req_len, 0, (struct sockaddr *)&to,
			   sizeof(to));
	} else {
		struct sockaddr_in to = { .sin_family = AF_INET,
					  .sin_port = htons(PCP_SERVER_PORT),
					  .sin_addr.s_addr = htonl(LW4O6_CONTROL_ADDR) };

		n = sendto(S.fd, S.req, S.req_len, 0, (struct sockaddr *)&to,
			   sizeof(to));
	}
	if (n < 0 && log_limit_ok(&S.ll))
		log_warn("sending to the AFTR: %s", strerror(errno));
}

/* Starts a new exchange: first send now, then RFC 6887 8.1.1 backoff. */
static void start_exchange(const struct pcp_msg *m)
{
	S.req_len = pcp_build(m, S.req, sizeof(S.req));
	S.rt = (int64_t)((1 + rand_pm10()) * IRT_MS);
	send_req();
	timer_arm(&S.retrans, S.rt);
}

static void on_retrans(struct timer *t)
{
	int64_t max = (int64_t)((1 + rand_pm10()) * MRT_MS);

	S.rt = (int64_t)(2 * S.rt * (1 + rand_pm10()));
	if (S.rt > max)
		S.rt = max;
	log_debug("no answer: retransmitting in %lld ms", (long long)S.rt);
	send_req();
	timer_arm(t, S.rt);
}

static void send_get(void)
{
	struct pcp_msg m;

	memset(&m, 0, sizeof(m));
	m.version = PCP_VERSION;
	m.opcode = PCP_OP_GET;
	local_client(&m.client);
	getrandom(S.get_nonce, sizeof(S.get_nonce), 0);
	memcpy(m.nonce, S.get_nonce, sizeof(m.nonce));
	S.state = ST_GET;
	log_info("asking the AFTR for the mappings it holds for us (GET)");
	start_exchange(&m);
}

static void send_map(uint32_t lifetime)
{
	struct pcp_msg m;

	memset(&m, 0, sizeof(m));
	m.version = PCP_VERSION;
	m.opcode = PCP_OP_MAP;
	m.lifetime = lifetime;
	local_client(&m.client);
	memcpy(m.nonce, S.nonce, sizeof(m.nonce));
	m.protocol = 0;			/* all protocols ... */
	m.internal_port = 0;		/* ... all ports: a port set */
	/* The set we had, if any: the AFTR gives it back when it can. */
	pcp_v4mapped(S.ipv4, &m.external);
	if (S.ipv4)
		m.external_port = lw4o6_range_first(0, S.offset, S.psid_len,
						    S.psid) ?: 1;
	m.port_set.present = true;
	m.port_set.size = S.cfg.port_set_size;
	/*
	 * No PORT_PARAMS of our own: the AFTR adds it to sets that need it
	 * (offset > 0), and Wireshark 4.0 reads an unknown option's data as
	 * the next option, calling every message that carries it malformed.
	 */
	if (S.state != ST_BOUND)
		S.state = ST_MAP;
	start_exchange(&m);
}

static void unbind(const char *why)
{
	int err;

	timer_cancel(&S.renew);
	timer_cancel(&S.expire);
	if (!S.bound)
		return;
	S.bound = false;
	err = kern_b4_set(S.k, 0, 0, 0, 0);
	if (err)
		log_err("removing the binding from %s: %s", S.cfg.device,
			strerror(-err));
	log_notice("binding dropped: %s", why);
	proxy_rebound();
}

static void on_expire(struct timer *t)
{
	(void)t;
	unbind("it expired without a renewal");
	S.state = ST_MAP;
	if (!S.retrans.armed)
		send_map(S.cfg.lifetime);
}

static void on_renew(struct timer *t)
{
	(void)t;
	log_debug("renewing");
	send_map(S.cfg.lifetime);
}

static void on_recreate(struct timer *t)
{
	(void)t;
	send_map(S.cfg.lifetime);
}

static void bind_set(uint32_t ipv4, uint16_t psid, uint8_t k, uint8_t a,
		     uint32_t lifetime)
{
	char a4[FMT_IPV4_LEN];
	bool changed = !S.bound || ipv4 != S.ipv4 || psid != S.psid ||
		       k != S.psid_len || a != S.offset;
	int64_t renew_ms;
	int err;

	if (changed) {
		err = kern_b4_set(S.k, ipv4, psid, k, a);
		if (err) {
			log_err("installing %s psid %u/%u on %s: %s%s%s",
				fmt_ipv4(ipv4, a4), psid, k, S.cfg.device,
				strerror(-err), *kern_last_error(S.k) ? ": " : "",
				kern_last_error(S.k));
			return;
		}
		log_notice("bound: %s psid %u/%u offset %u (%u ports) for %us",
			   fmt_ipv4(ipv4, a4), psid, k, a,
			   lw4o6_set_size(a, k), lifetime);
	} else {
		log_info("renewed for %us", lifetime);
	}
	S.bound = true;
	S.ipv4 = ipv4;
	S.psid = psid;
	S.psid_len = k;
	S.offset = a;
	S.lifetime = lifetime;
	S.state = ST_BOUND;
	S.expires_ms = loop_now_ms() + (int64_t)lifetime * 1000;
	/* RFC 6887 11.2.1: renew between 1/2 and 5/8 of the lifetime. */
	renew_ms = (int64_t)((0.5 + (rand_pm10() + 0.1) * 0.625) *
			     lifetime * 1000);
	timer_arm(&S.renew, renew_ms);
	timer_arm(&S.expire, (int64_t)lifetime * 1000);
	if (changed)
		proxy_rebound();
}

/* RFC 6887 8.5: false when the server has obviously lost its state. */
static bool epoch_ok(uint32_t server)
{
	int64_t client = loop_now_ms() / 1000, cd, sd;
	bool ok = true;

	if (S.have_epoch) {
		cd = client - S.prev_client;
		sd = (int64_t)server - (int64_t)S.prev_server;
		if ((int64_t)server + 1 < (int64_t)S.prev_server ||
		    cd + 2 < sd - sd / 16 || sd + 2 < cd - cd / 16)
			ok = false;
	}
	S.have_epoch = true;
	S.prev_server = server;
	S.prev_client = client;
	return ok;
}

static void lost_state(const char *how)
{
	uint32_t r = 0;

	log_notice("the AFTR lost its state (%s): re-creating our mapping", how);
	/* RFC 6887 14.1.1: after a random 0-5 s, so B4s do not stampede */
	getrandom(&r, sizeof(r), 0);
	timer_arm(&S.recreate, r % 5000);
}

static void on_map_answer(const struct pcp_msg *m)
{
	uint16_t psid;
	uint8_t k, a;
	uint32_t v4;

	if (memcmp(m->nonce, S.nonce, sizeof(S.nonce)) || m->protocol ||
	    m->internal_port)
		return;		/* not ours (RFC 6887 11.3) */
	timer_cancel(&S.retrans);
	if (m->result != PCP_SUCCESS) {
		uint32_t wait = m->lifetime < 30 ? 30 : m->lifetime;

		log_warn("the AFTR refused: %s; asking again in %us",
			 pcp_result_name(m->result), wait);
		if (m->result == PCP_NOT_AUTHORIZED) {
			/* Somebody else's nonce holds our key: start afresh */
			getrandom(S.nonce, sizeof(S.nonce), 0);
		}
		timer_arm(&S.recreate, (int64_t)wait * 1000);
		return;
	}
	if (!pcp_is_v4mapped(&m->external, &v4) || !v4 ||
	    portset_from_pcp(m, &psid, &k, &a) || !m->lifetime) {
		log_warn("the AFTR's answer grants no port set we understand; asking again in 30s");
		timer_arm(&S.recreate, 30000);
		return;
	}
	bind_set(v4, psid, k, a, m->lifetime);
}

static void on_get_answer(const struct pcp_msg *m)
{
	uint16_t psid;
	uint8_t k, a;
	uint32_t v4;

	timer_cancel(&S.retrans);
	if (m->result != PCP_SUCCESS || !m->next.present || !m->lifetime) {
		if (m->result != PCP_SUCCESS)
			log_info("GET: %s; asking for a new set",
				 pcp_result_name(m->result));
		else
			log_info("GET: the AFTR holds nothing for us; asking for a set");
		send_map(S.cfg.lifetime);
		return;
	}
	if (m->protocol || m->internal_port ||
	    !pcp_is_v4mapped(&m->external, &v4) ||
	    portset_from_pcp(m, &psid, &k, &a)) {
		if (m->next.more) {
			struct pcp_msg g;

			memset(&g, 0, sizeof(g));
			g.version = PCP_VERSION;
			g.opcode = PCP_OP_GET;
			local_client(&g.client);
			memcpy(g.nonce, S.get_nonce, sizeof(g.nonce));
			g.next = m->next;
			g.next.more = false;
			start_exchange(&g);
			return;
		}
		send_map(S.cfg.lifetime);
		return;
	}
	/* Ours: take its nonce, so that renewals are ours to make. */
	memcpy(S.nonce, m->nonce, sizeof(S.nonce));
	log_notice("recovered our mapping from the AFTR by GET");
	bind_set(v4, psid, k, a, m->lifetime);
	/* Renew now: the lifetime left may be short, and it confirms the nonce. */
	send_map(S.cfg.lifetime);
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
	struct pcp_msg m;
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
		if (pcp_parse(buf, (size_t)n, &m) || !m.response)
			continue;
		if (!epoch_ok(m.epoch)) {
			if (m.opcode == PCP_OP_ANNOUNCE) {
				lost_state("ANNOUNCE with a new epoch");
				continue;
			}
			if (S.state == ST_BOUND && m.opcode == PCP_OP_MAP &&
			    m.result == PCP_SUCCESS) {
				/* The answer itself re-created it. */
				log_notice("the AFTR's epoch went back: our mapping was re-created");
			}
		}
		switch (m.opcode) {
		case PCP_OP_MAP:
			on_map_answer(&m);
			break;
		case PCP_OP_GET:
			/* A GET answer carries the mapping's nonce, not ours. */
			if (S.state == ST_GET)
				on_get_answer(&m);
			break;
		case PCP_OP_ANNOUNCE:
			log_debug("ANNOUNCE, epoch %u: nothing lost", m.epoch);
			break;
		}
	}
}

static void on_no_binding(const struct in6_addr *from, uint32_t ipv4,
			  void *arg)
{
	char a6[FMT_IPV6_LEN];

	(void)arg;
	/*
	 * Once unbound we are asking already, and later 1/5s are about the
	 * same loss.  A renewal in flight does not help: the AFTR lost the
	 * binding, and the answer to the MAP sent now re-creates it.
	 */
	if (!S.bound || ipv4 != S.ipv4)
		return;
	log_notice("the AFTR (%s) has no binding for us any more: asking again",
		   fmt_ipv6(from, a6));
	unbind("the AFTR answered with ICMPv6 1/5");
	S.state = ST_MAP;
	send_map(S.cfg.lifetime);
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
	int e;

	S.cfg = *c;
	S.v6 = c->transport_ipv6;
	S.ll.burst = 5;
	timer_init(&S.retrans, on_retrans);
	timer_init(&S.renew, on_renew);
	timer_init(&S.expire, on_expire);
	timer_init(&S.recreate, on_recreate);
	S.k = kern_open_mode(c->device, LW4O6_MODE_B4, &S.dev);
	if (!S.k)
		return -1;
	S.server = c->has_server ? c->server : S.dev.remote;
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
		S.ipv4 = S.dev.ipv4;
		S.psid = S.dev.psid;
		S.psid_len = S.dev.psid_len;
		S.offset = S.dev.offset;
		S.bound = true;
		/* kept only as long as a grant would last, unless renewed */
		timer_arm(&S.expire, (int64_t)c->lifetime * 1000);
	}
	getrandom(S.nonce, sizeof(S.nonce), 0);
	log_notice("b4 on %s: PCP %s to %s", c->device,
		   S.v6 ? "over IPv6" : "inside the softwire",
		   S.v6 ? "the server" : "192.0.0.1");
	send_get();
	return 0;
}

int b4_reload(const struct lw4o6d_config *c)
{
	if (strcmp(c->device, S.cfg.device) ||
	    c->transport_ipv6 != S.cfg.transport_ipv6) {
		log_warn("reload: device and transport changes need a restart; kept the old ones");
		return -1;
	}
	S.cfg.lifetime = c->lifetime;
	S.cfg.port_set_size = c->port_set_size;
	S.cfg.proxy_lifetime_max = c->proxy_lifetime_max;
	proxy_reload(c);
	log_notice("reloaded: lifetime %u, port-set-size %u", c->lifetime,
		   c->port_set_size);
	return 0;
}

void b4_stop(void)
{
	log_notice("stopping: the binding stays installed until it expires at the AFTR");
	kern_close(S.k);
}

bool b4_binding(struct b4_binding *b)
{
	if (!S.bound)
		return false;
	b->ipv4 = S.ipv4;
	b->psid = S.psid;
	b->psid_len = S.psid_len;
	b->offset = S.offset;
	b->expires = S.expires_ms;
	return true;
}
