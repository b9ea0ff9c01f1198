// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The B4 as a PCP server for its LAN (RFC 6887 MAP, TCP and UDP): a LAN
 * host asks for an explicit forward and gets a port of the B4's own set,
 * without a round trip to the AFTR, whose grant already covers every port
 * of the set.  Forwards are DNAT entries in an nftables map of our own
 * table ("ip lw4o6d"), keyed by protocol and external port.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/random.h>
#include <sys/socket.h>

#include <lw4o6/psid.h>

#include "b4.h"
#include "log.h"
#include "loop.h"
#include "pcp.h"
#include "proxy.h"
#include "strconv.h"

#define PROXY_MAX_MAPS		1024
#define PROXY_MAX_PER_HOST	64

struct fwd {
	bool used;
	uint32_t host;		/* LAN host, network order */
	uint8_t protocol;
	uint16_t internal_port, external_port;
	uint8_t nonce[PCP_NONCE_LEN];
	int64_t expires_ms;
};

static struct {
	struct lw4o6d_config cfg;
	int fds[8];
	size_t n_fds;
	struct fwd fwd[PROXY_MAX_MAPS];
	struct timer sweep;
	struct b4_binding bound;
	bool have;
	struct log_limit ll;
	int64_t epoch_base;
} P;

static int nft(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int nft(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	FILE *f;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	f = popen("nft -f - 2>&1", "w");
	if (!f)
		return -errno;
	fputs(cmd, f);
	return pclose(f) ? -EIO : 0;
}

static const char *proto_name(uint8_t p)
{
	return p == IPPROTO_TCP ? "tcp" : "udp";
}

static void fwd_del(struct fwd *f, const char *why)
{
	char a4[FMT_IPV4_LEN];

	if (!f->used)
		return;
	nft("delete element ip lw4o6d forwards { %s . %u }\n",
	    proto_name(f->protocol), f->external_port);
	log_info("forward %s %u -> %s:%u %s", proto_name(f->protocol),
		 f->external_port, fmt_ipv4(f->host, a4), f->internal_port, why);
	f->used = false;
}

static bool port_taken(uint8_t proto, uint16_t port)
{
	size_t i;

	for (i = 0; i < PROXY_MAX_MAPS; i++)
		if (P.fwd[i].used && P.fwd[i].protocol == proto &&
		    P.fwd[i].external_port == port)
			return true;
	return false;
}

/* The suggested port if it is ours and free, else a free one of the set. */
static int pick(uint8_t proto, uint16_t want, uint16_t *port)
{
	const struct b4_binding *b = &P.bound;
	uint32_t size = lw4o6_set_size(b->offset, b->psid_len), i, start = 0;
	uint32_t per = lw4o6_range_len(b->offset, b->psid_len);

	if (want && lw4o6_port_in_set(want, b->offset, b->psid_len, b->psid) &&
	    !port_taken(proto, want)) {
		*port = want;
		return 0;
	}
	getrandom(&start, sizeof(start), 0);
	for (i = 0; i < size; i++) {
		uint32_t n = (start + i) % size;
		uint16_t p = lw4o6_range_first(n / per, b->offset, b->psid_len,
					       b->psid) + n % per;

		if (p < 1024 || port_taken(proto, p))
			continue;
		*port = p;
		return 0;
	}
	return -ENOSPC;
}

static uint32_t epoch(void)
{
	return (uint32_t)((loop_now_ms() - P.epoch_base) / 1000);
}

static void answer(int fd, const struct sockaddr_in *to, const uint8_t *req,
		   size_t len, const struct pcp_msg *ok, uint8_t result)
{
	uint8_t buf[PCP_MAX_LEN];
	size_t n;

	if (ok)
		n = pcp_build(ok, buf, sizeof(buf));
	else
		n = pcp_error_response(req, len, result,
				       result == PCP_NETWORK_FAILURE ||
				       result == PCP_NO_RESOURCES ? 30 : 600,
				       epoch(), buf, sizeof(buf));
	if (n)
		sendto(fd, buf, n, 0, (const struct sockaddr *)to, sizeof(*to));
}

static void on_request(int fd, void *arg)
{
	uint8_t buf[PCP_MAX_LEN + 4];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	struct pcp_msg m, r;
	struct in6_addr seen;
	struct fwd *f = NULL, *free_slot = NULL;
	char a4[FMT_IPV4_LEN];
	size_t i, per_host = 0;
	uint32_t lt;
	ssize_t n;
	int res;

	(void)arg;
	n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT,
		     (struct sockaddr *)&from, &fl);
	if (n < 0)
		return;
	res = pcp_parse_request(buf, (size_t)n, &m);
	if (res == PCP_SILENT)
		return;
	if (res) {
		answer(fd, &from, buf, n, NULL, res);
		return;
	}
	pcp_v4mapped(from.sin_addr.s_addr, &seen);
	if (memcmp(&seen, &m.client, sizeof(seen))) {
		answer(fd, &from, buf, n, NULL, PCP_ADDRESS_MISMATCH);
		return;
	}
	if (m.third_party) {
		answer(fd, &from, buf, n, NULL, PCP_NOT_AUTHORIZED);
		return;
	}
	if (m.opcode == PCP_OP_ANNOUNCE) {
		memset(&r, 0, sizeof(r));
		r.version = PCP_VERSION;
		r.response = true;
		r.epoch = epoch();
		answer(fd, &from, NULL, 0, &r, 0);
		return;
	}
	if (m.opcode != PCP_OP_MAP) {
		answer(fd, &from, buf, n, NULL, PCP_UNSUPP_OPCODE);
		return;
	}
	if ((m.protocol != IPPROTO_TCP && m.protocol != IPPROTO_UDP) ||
	    !m.internal_port) {
		answer(fd, &from, buf, n, NULL, PCP_UNSUPP_PROTOCOL);
		return;
	}
	P.have = b4_binding(&P.bound);
	for (i = 0; i < PROXY_MAX_MAPS; i++) {
		struct fwd *x = &P.fwd[i];

		if (!x->used) {
			free_slot = free_slot ? free_slot : x;
			continue;
		}
		if (x->host != from.sin_addr.s_addr)
			continue;
		per_host++;
		if (x->protocol == m.protocol &&
		    x->internal_port == m.internal_port)
			f = x;
	}
	if (f && memcmp(f->nonce, m.nonce, PCP_NONCE_LEN)) {
		answer(fd, &from, buf, n, NULL, PCP_NOT_AUTHORIZED);
		return;
	}
	memset(&r, 0, sizeof(r));
	r.version = PCP_VERSION;
	r.response = true;
	r.opcode = PCP_OP_MAP;
	r.epoch = epoch();
	memcpy(r.nonce, m.nonce, sizeof(r.nonce));
	r.protocol = m.protocol;
	r.internal_port = m.internal_port;
	if (!m.lifetime) {
		r.external = m.external;
		r.external_port = m.external_port;
		if (f) {
			pcp_v4mapped(P.bound.ipv4, &r.external);
			r.external_port = f->external_port;
			fwd_del(f, "deleted by its host");
		}
		answer(fd, &from, NULL, 0, &r, 0);
		return;
	}
	if (!P.have) {
		answer(fd, &from, buf, n, NULL, PCP_NETWORK_FAILURE);
		return;
	}
	lt = m.lifetime < P.cfg.proxy_lifetime_max ? m.lifetime :
						      P.cfg.proxy_lifetime_max;
	if (!f) {
		uint16_t port;

		if (!free_slot || per_host >= PROXY_MAX_PER_HOST) {
			answer(fd, &from, buf, n, NULL, PCP_USER_EX_QUOTA);
			return;
		}
		if (pick(m.protocol, m.external_port, &port)) {
			answer(fd, &from, buf, n, NULL, PCP_NO_RESOURCES);
			return;
		}
		if (m.prefer_failure && m.external_port != port) {
			answer(fd, &from, buf, n, NULL,
			       PCP_CANNOT_PROVIDE_EXTERNAL);
			return;
		}
		if (nft("add element ip lw4o6d forwards { %s . %u : %s . %u }\n",
			proto_name(m.protocol), port,
			fmt_ipv4(from.sin_addr.s_addr, a4), m.internal_port)) {
			answer(fd, &from, buf, n, NULL, PCP_NO_RESOURCES);
			return;
		}
		f = free_slot;
		f->used = true;
		f->host = from.sin_addr.s_addr;
		f->protocol = m.protocol;
		f->internal_port = m.internal_port;
		f->external_port = port;
		memcpy(f->nonce, m.nonce, PCP_NONCE_LEN);
		log_info("forward %s %u -> %s:%u for %us", proto_name(m.protocol),
			 port, a4, m.internal_port, lt);
	}
	f->expires_ms = loop_now_ms() + (int64_t)lt * 1000;
	r.lifetime = lt;
	pcp_v4mapped(P.bound.ipv4, &r.external);
	r.external_port = f->external_port;
	answer(fd, &from, NULL, 0, &r, 0);
}

static void sweep(struct timer *t)
{
	int64_t now = loop_now_ms();
	size_t i;

	for (i = 0; i < PROXY_MAX_MAPS; i++)
		if (P.fwd[i].used && P.fwd[i].expires_ms <= now)
			fwd_del(&P.fwd[i], "expired");
	timer_arm(t, 1000);
}

void proxy_rebound(void)
{
	struct b4_binding b;
	bool have = b4_binding(&b);
	size_t i;

	if (!P.n_fds)
		return;
	for (i = 0; i < PROXY_MAX_MAPS; i++) {
		struct fwd *f = &P.fwd[i];

		if (f->used && (!have || b.ipv4 != P.bound.ipv4 ||
				!lw4o6_port_in_set(f->external_port, b.offset,
						   b.psid_len, b.psid)))
			fwd_del(f, "dropped: the B4's set changed");
	}
	P.have = have;
	if (have)
		P.bound = b;
}

int proxy_start(const struct lw4o6d_config *c)
{
	size_t i;
	int one = 1;

	P.cfg = *c;
	P.ll.burst = 10;
	P.epoch_base = loop_now_ms();
	if (!c->proxy)
		return 0;
	/* Our own table, made afresh: forwards do not outlive the daemon. */
	nft("destroy table ip lw4o6d\n");
	nft("delete table ip lw4o6d\n");
	if (nft("table ip lw4o6d {\n"
		"  map forwards { type inet_proto . inet_service : ipv4_addr . inet_service; }\n"
		"  chain pre {\n"
		"    type nat hook prerouting priority dstnat; policy accept;\n"
		"    iifname \"%s\" dnat ip to meta l4proto . th dport map @forwards\n"
		"  }\n"
		"}\n", c->device)) {
		log_err("proxy: cannot create nftables table ip lw4o6d (is nft installed?)");
		return -1;
	}
	for (i = 0; i < c->n_proxy; i++) {
		struct sockaddr_in sa = { .sin_family = AF_INET,
					  .sin_port = htons(PCP_SERVER_PORT),
					  .sin_addr.s_addr = c->proxy_addr[i] };
		int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		char a4[FMT_IPV4_LEN];

		if (fd < 0)
			return -1;
		setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
			log_err("proxy: listening on %s:%u: %s",
				fmt_ipv4(c->proxy_addr[i], a4), PCP_SERVER_PORT,
				strerror(errno));
			close(fd);
			return -1;
		}
		P.fds[P.n_fds++] = fd;
		loop_add_fd(fd, on_request, NULL);
		log_notice("proxy: PCP for the LAN on %s:%u",
			   fmt_ipv4(c->proxy_addr[i], a4), PCP_SERVER_PORT);
	}
	timer_init(&P.sweep, sweep);
	timer_arm(&P.sweep, 1000);
	return 0;
}

void proxy_reload(const struct lw4o6d_config *c)
{
	P.cfg.proxy_lifetime_max = c->proxy_lifetime_max;
}

void proxy_stop(void)
{
	if (P.n_fds)
		nft("delete table ip lw4o6d\n");
}
