// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The lwAFTR's PCP server (pcp_server.h).
 *
 * A B4 is known only by the softwire's outer IPv6 source (the module
 * reports it with each request from inside the softwire) or, over plain
 * IPv6, by its source address: never by a field of the message, so a B4
 * can only ever touch its own mappings.
 *
 * Requests are handled in batches: everything waiting on a socket is
 * processed in one core transaction, and the answers go out only after it
 * is committed.  A granted set is therefore on disk before the B4 hears
 * of it, and one fsync serves the whole batch (group commit).
 */
#define _GNU_SOURCE	/* sendmmsg */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <linux/lw4o6.h>

#include "bfd_server.h"
#include "kernel.h"
#include "log.h"
#include "loop.h"
#include "pcp.h"
#include "pcp_announce.h"
#include "pcp_server.h"
#include "strconv.h"
#include "wire.h"

#define BATCH_MAX	256
#define ERR_LIFETIME_SHORT	30	/* RFC 6887 7.4: try again soon */
#define ERR_LIFETIME_LONG	600	/* ... or not soon */

/* Where a request came from, and so where its answer goes. */
struct origin {
	bool softwire;
	struct in6_addr b4;	/* identity: outer source, or IPv6 source */
	uint32_t src4;		/* softwire: the inner source (be) */
	uint16_t sport;
};

struct reply {
	struct origin o;
	size_t len;
	uint8_t buf[PCP_MAX_LEN];
};

static struct {
	struct alloc *a;
	struct kern *k;		/* the control group: PCP from softwires */
	struct kern_dev dev;
	int raw_fd, udp_fd, ctl_fd;
	bool batch_open;	/* batch_begin() awaits its batch_end() */
	bool in_batch;		/* ... and the store's transaction is open */
	struct reply *replies;
	size_t n_replies;
	struct log_limit ll;
	uint64_t n_requests, n_refused, n_limited, n_bad_source;
	uint64_t n_not_allowed, n_full;
	/* the ANNOUNCE round in progress (pcp_announce.h) */
	struct pcp_announce an;
	struct timer an_t;
	bool an_on;
	bool an_start_pending;		/* the start's round waits for the anycast */
	uint64_t n_announced, n_announce_rounds;
	bool upstream_ok;		/* anycast.c's check: the IPv4 way out */
} P = { .raw_fd = -1, .udp_fd = -1, .ctl_fd = -1, .upstream_ok = true };

void pcp_server_upstream(bool ok)
{
	P.upstream_ok = ok;
	log_notice("%s: %s", ok ? "the upstream IPv4 route is back" :
		   "no upstream IPv4 route",
		   ok ? "PCP grants again" :
		   "PCP MAPs are answered NETWORK_FAILURE (B4s with another AFTR move)");
}

static uint32_t epoch(void)
{
	int64_t e = alloc_now(P.a) - alloc_since(P.a);

	return e < 0 ? 0 : (uint32_t)e;
}

/* ---- sending ------------------------------------------------------------- */

/*
 * BFD's packets are many and small (a million B4s every 10 or 30 s): they
 * wait here and leave with one sendmmsg() a loop turn (a zero timer, as
 * bfd_notify.c's changes do), not a sendto() each.
 */
#define SEND4_BATCH	64
#define SEND4_MAX	64	/* bytes: BFD's 52, IPv4 and UDP included */

static struct {
	struct mmsghdr m[SEND4_BATCH];
	struct iovec iov[SEND4_BATCH];
	struct sockaddr_in6 to[SEND4_BATCH];
	uint8_t buf[SEND4_BATCH][SEND4_MAX];
	unsigned int n;
	uint64_t failed;
	struct log_limit ll;
	struct timer t;
} Q = { .ll.burst = 20 };

static void flush4(void)
{
	unsigned int done = 0;

	while (done < Q.n) {
		int r = sendmmsg(P.raw_fd, Q.m + done, Q.n - done, 0);

		if (r > 0) {
			done += r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		/* the first of the rest failed: count it, go on after it */
		Q.failed++;
		if (log_limit_ok(&Q.ll)) {
			char a6[FMT_IPV6_LEN];

			log_warn("sending to %s: %s",
				 fmt_ipv6(&Q.to[done].sin6_addr, a6),
				 strerror(r < 0 ? errno : EIO));
		}
		done++;
	}
	Q.n = 0;
}

void pcp_server_flush4(void)
{
	timer_cancel(&Q.t);
	if (Q.n)
		flush4();
}

static void flush4_timer(struct timer *t)
{
	(void)t;
	pcp_server_flush4();
}

uint64_t pcp_server_queue4_failed(void)
{
	return Q.failed;
}

int pcp_server_queue4(const struct in6_addr *b4, const uint8_t *pkt, size_t len)
{
	unsigned int i = Q.n;

	if (P.raw_fd < 0)
		return -EBADF;
	if (len > SEND4_MAX)
		return pcp_server_send4(b4, pkt, len);
	memcpy(Q.buf[i], pkt, len);
	Q.iov[i] = (struct iovec){ .iov_base = Q.buf[i], .iov_len = len };
	Q.to[i] = (struct sockaddr_in6){ .sin6_family = AF_INET6,
					 .sin6_addr = *b4 };
	Q.m[i].msg_hdr = (struct msghdr){
		.msg_name = &Q.to[i], .msg_namelen = sizeof(Q.to[i]),
		.msg_iov = &Q.iov[i], .msg_iovlen = 1,
	};
	if (++Q.n == SEND4_BATCH)
		flush4();
	else if (!Q.t.armed)
		timer_arm(&Q.t, 0);
	return 0;
}

int pcp_server_send4(const struct in6_addr *b4, const uint8_t *pkt, size_t len)
{
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_addr = *b4 };

	if (P.raw_fd < 0)
		return -EBADF;
	if (sendto(P.raw_fd, pkt, len, 0, (struct sockaddr *)&to,
		   sizeof(to)) < 0)
		return -errno;
	return 0;
}

static void send_now(const struct origin *o, const uint8_t *buf, size_t len)
{
	uint8_t pkt[PCP_MAX_LEN + 28];
	int err = 0;

	if (o->softwire) {
		struct udp4 u = {
			.src = htonl(LW4O6_CONTROL_ADDR), .dst = o->src4,
			.sport = PCP_SERVER_PORT, .dport = o->sport,
			.data = buf, .len = len,
		};

		len = udp4_build(&u, pkt, sizeof(pkt));
		err = pcp_server_send4(&o->b4, pkt, len);
	} else {
		struct sockaddr_in6 to = { .sin6_family = AF_INET6,
					   .sin6_addr = o->b4,
					   .sin6_port = htons(o->sport) };

		if (sendto(P.udp_fd, buf, len, 0, (struct sockaddr *)&to,
			   sizeof(to)) < 0)
			err = -errno;
	}
	if (err && log_limit_ok(&P.ll)) {
		char a6[FMT_IPV6_LEN];

		log_warn("sending to %s: %s", fmt_ipv6(&o->b4, a6),
			 strerror(-err));
	}
}

static void batch_begin(void)
{
	P.batch_open = true;
	P.in_batch = !alloc_begin(P.a);
	P.n_replies = 0;
}

/* The batch's answers leave only once the core has committed it. */
static void batch_end(void)
{
	size_t i;

	if (!P.batch_open)
		return;
	P.batch_open = false;
	if (!P.in_batch)
		return;
	P.in_batch = false;
	if (alloc_commit(P.a)) {
		log_err("%zu answers withheld", P.n_replies);
		return;
	}
	for (i = 0; i < P.n_replies; i++)
		send_now(&P.replies[i].o, P.replies[i].buf, P.replies[i].len);
}

static void reply(const struct origin *o, const uint8_t *buf, size_t len)
{
	struct reply *r;

	if (!len)
		return;
	if (!P.in_batch) {
		send_now(o, buf, len);
		return;
	}
	/* request() made room: one answer per request at most. */
	if (P.n_replies == BATCH_MAX)
		return;
	r = &P.replies[P.n_replies++];
	r->o = *o;
	r->len = len;
	memcpy(r->buf, buf, len);
}

static void reply_msg(const struct origin *o, const struct pcp_msg *m)
{
	uint8_t buf[PCP_MAX_LEN];

	reply(o, buf, pcp_build(m, buf, sizeof(buf)));
}

static void refuse(const struct origin *o, const uint8_t *req, size_t len,
		   uint8_t result)
{
	uint8_t buf[PCP_MAX_LEN];
	uint32_t lt = (result == PCP_NO_RESOURCES ||
		       result == PCP_NETWORK_FAILURE ||
		       result == PCP_USER_EX_QUOTA ||
		       result == PCP_CANNOT_PROVIDE_EXTERNAL) ?
		      ERR_LIFETIME_SHORT : ERR_LIFETIME_LONG;

	P.n_refused++;
	if (log_limit_ok(&P.ll)) {
		char a6[FMT_IPV6_LEN];

		log_info("refused %s: %s", fmt_ipv6(&o->b4, a6),
			 pcp_result_name(result));
	}
	reply(o, buf, pcp_error_response(req, len, result, lt, epoch(), buf,
					 sizeof(buf)));
}

static void announce_over(void);

/* ---- requests ------------------------------------------------------------ */

static uint8_t pcp_result_of(enum alloc_result r)
{
	switch (r) {
	case ALLOC_OK:
		return PCP_SUCCESS;
	case ALLOC_NOT_OWNER:
		return PCP_NOT_AUTHORIZED;
	case ALLOC_QUOTA:
		return PCP_USER_EX_QUOTA;
	case ALLOC_SUGGESTION_TAKEN:
		return PCP_CANNOT_PROVIDE_EXTERNAL;
	case ALLOC_NOT_STORED:
		return PCP_NETWORK_FAILURE;
	case ALLOC_NOT_ALLOWED:
		return PCP_NOT_AUTHORIZED;
	case ALLOC_SETS_ONLY:
	case ALLOC_NO_SET:
		break;
	}
	return PCP_NO_RESOURCES;
}

/* A successful response to req, with the request's nonce. */
static void success(const struct pcp_msg *req, struct pcp_msg *r)
{
	memset(r, 0, sizeof(*r));
	r->version = PCP_VERSION;
	r->response = true;
	r->opcode = req->opcode;
	r->result = PCP_SUCCESS;
	r->epoch = epoch();
	memcpy(r->nonce, req->nonce, sizeof(r->nonce));
}

static void answer_map(const struct origin *o, const struct pcp_msg *req,
		       const struct lw4o6_mapping *m, uint32_t lifetime)
{
	struct pcp_msg r;

	success(req, &r);
	r.lifetime = lifetime;
	r.protocol = req->protocol;
	r.internal_port = req->internal_port;
	if (m) {
		pcp_v4mapped(m->ipv4, &r.external);
		portset_to_pcp(m->psid, m->psid_len, m->offset, &r);
		/* RFC 7753: PORT_SET only in answer to one. */
		r.port_set.present = req->port_set.present;
		r.port_set.parity = req->port_set.parity;
		r.port_params.present |= req->port_params.present;
	} else {
		r.external = req->external;
		r.external_port = req->external_port;
	}
	reply_msg(o, &r);
}

static void do_map(const struct origin *o, const struct pcp_msg *req,
		   const uint8_t *buf, size_t len)
{
	struct alloc_req r = {
		.b4 = o->b4, .protocol = req->protocol,
		.internal_port = req->internal_port,
		.lifetime = req->lifetime,
		.takes_set = req->port_set.present,
		.prefer_failure = req->prefer_failure,
		.via = o->softwire ? MAPPING_VIA_SOFTWIRE : MAPPING_VIA_IPV6,
	};
	struct alloc_answer ans;
	enum alloc_result res;
	uint32_t v4;

	memcpy(r.nonce, req->nonce, sizeof(r.nonce));
	/* The suggested external address and port name a set. */
	if (pcp_is_v4mapped(&req->external, &v4)) {
		r.suggest_ipv4 = v4;
		r.suggest_port = req->external_port;
	}
	res = alloc_map(P.a, &r, &ans);
	if (res) {
		refuse(o, buf, len, pcp_result_of(res));
		return;
	}
	answer_map(o, req, ans.has_set ? &ans.m : NULL, ans.lifetime);
}

/*
 * GET (draft-boucadair-pcp-failure): the B4's mappings one per answer, in
 * (protocol, internal port) order, each with a NEXT that names it; the B4
 * asks again with that NEXT until an answer says there are no more.
 */
static void do_get(const struct origin *o, const struct pcp_msg *req)
{
	const struct lease *l = alloc_b4_next(P.a, &o->b4, req->next.present,
					      req->next.protocol,
					      req->next.internal_port);
	const struct lw4o6_mapping *m = l ? &l->m : NULL;
	struct pcp_msg r;
	int64_t left;

	success(req, &r);
	if (m) {
		left = m->expires - alloc_now(P.a);
		r.lifetime = left > 0 ? (uint32_t)left : 0;
		/*
		 * The header keeps the request's nonce (success()), so that
		 * the B4 can tie the answer to its GET; the mapping's nonce
		 * is in NEXT.
		 */
		r.protocol = m->protocol;
		r.internal_port = m->internal_port;
		pcp_v4mapped(m->ipv4, &r.external);
		portset_to_pcp(m->psid, m->psid_len, m->offset, &r);
		r.next.present = true;
		memcpy(r.next.nonce, m->nonce, sizeof(r.next.nonce));
		r.next.protocol = m->protocol;
		r.next.internal_port = m->internal_port;
		r.next.internal = m->b4;
		r.next.more = l->next_of_b4 != NULL;
	}
	reply_msg(o, &r);
}

/* Why alloc_admit() turned a request away, counted and logged. */
static void not_admitted(const struct origin *o, enum alloc_admit why)
{
	static const char *const what[] = {
		[ADMIT_BAD_SOURCE] = "not a B4 address",
		[ADMIT_NOT_ALLOWED] = "outside the allowed B4 prefixes",
		[ADMIT_FULL] = "too many subscribers tracked",
		[ADMIT_LIMITED] = "rate limit",
	};
	char a6[FMT_IPV6_LEN];

	switch (why) {
	case ADMIT_BAD_SOURCE: P.n_bad_source++; break;
	case ADMIT_NOT_ALLOWED: P.n_not_allowed++; break;
	case ADMIT_FULL: P.n_full++; break;
	case ADMIT_LIMITED: P.n_limited++; break;
	case ADMIT_OK: return;
	}
	if (log_limit_ok(&P.ll))
		log_info("%s: dropped a request from %s", what[why],
			 fmt_ipv6(&o->b4, a6));
}

static void request(const struct origin *o, const uint8_t *buf, size_t len)
{
	enum alloc_admit adm;
	struct in6_addr seen;
	struct pcp_msg m;
	int r;

	P.n_requests++;
	/*
	 * A full batch is committed before this request touches the core:
	 * its answer must never leave with a later batch's commit when the
	 * batch its grant was made in rolled back.
	 */
	if (P.in_batch && P.n_replies == BATCH_MAX) {
		batch_end();
		batch_begin();
	}
	adm = alloc_admit(P.a, &o->b4);
	if (adm) {
		not_admitted(o, adm);
		return;
	}
	r = pcp_parse_request(buf, len, &m);
	if (r == PCP_SILENT)
		return;
	if (r) {
		refuse(o, buf, len, (uint8_t)r);
		return;
	}
	if (o->softwire)
		pcp_v4mapped(o->src4, &seen);
	else
		seen = o->b4;
	if (memcmp(&seen, &m.client, sizeof(seen))) {
		refuse(o, buf, len, PCP_ADDRESS_MISMATCH);
		return;
	}
	/* Only ever one's own mappings: nobody asks on another's behalf. */
	if (m.third_party) {
		refuse(o, buf, len, PCP_NOT_AUTHORIZED);
		return;
	}
	/*
	 * No route to the upstream IPv4 prefix (anycast's check): a set here
	 * would carry nothing.  NETWORK_FAILURE, RFC 6887's temporary
	 * failure, tells a B4 with several AFTRs to move on (#15 item 4).
	 */
	if (m.opcode == PCP_OP_MAP && m.lifetime && !P.upstream_ok) {
		refuse(o, buf, len, PCP_NETWORK_FAILURE);
		return;
	}
	/* Its answer carries the epoch: no more ANNOUNCE repeats for it. */
	if (pcp_announce_heard(&P.an, &o->b4)) {
		timer_cancel(&P.an_t);
		announce_over();
	}
	switch (m.opcode) {
	case PCP_OP_ANNOUNCE: {
		struct pcp_msg a = { .version = PCP_VERSION, .response = true,
				     .opcode = PCP_OP_ANNOUNCE,
				     .epoch = epoch() };

		reply_msg(o, &a);
		break;
	}
	case PCP_OP_MAP:
		do_map(o, &m, buf, len);
		break;
	case PCP_OP_GET:
		do_get(o, &m);
		break;
	default:
		refuse(o, buf, len, PCP_UNSUPP_OPCODE);
	}
}

/* ---- sockets ------------------------------------------------------------- */

static void on_control(const struct in6_addr *b4, const uint8_t *pkt,
		       size_t len, void *arg)
{
	struct origin o = { .softwire = true, .b4 = *b4 };
	struct udp4 u;

	(void)arg;
	if (udp4_parse(pkt, len, &u))
		return;
	/* BFD (the module passes 3784 from 49152 and up) is bfd_server.c's */
	if (u.dport == LW4O6_BFD_PORT) {
		bfd_server_input(b4, &u);
		return;
	}
	if (u.dport != PCP_SERVER_PORT)
		return;
	/*
	 * The store's transaction only for PCP: a wake-up of nothing but
	 * BFD costs no BEGIN and COMMIT (a round trip each on PostgreSQL).
	 */
	if (!P.batch_open)
		batch_begin();
	/*
	 * Only the B4 itself speaks for its softwire (RFC 6333 5.7): a LAN
	 * host NATed to the shared address must not, though it shares the
	 * outer source.
	 */
	if (u.src != htonl(LW4O6_B4_CONTROL_ADDR)) {
		if (log_limit_ok(&P.ll)) {
			char a6[FMT_IPV6_LEN];

			log_info("ignored PCP from inside %s's softwire not from 192.0.0.2",
				 fmt_ipv6(b4, a6));
		}
		return;
	}
	o.src4 = u.src;
	o.sport = u.sport;
	request(&o, u.data, u.len);
}

/*
 * kern_events_read() takes a bounded number of requests a turn of the
 * loop, as on_udp(): under a flood the rest waits in the socket (or the
 * kernel drops it) while timers and signals run.
 */
static void on_control_fd(int fd, void *arg)
{
	(void)fd;
	(void)arg;
	kern_events_read(P.k);	/* on_control() opens the batch for PCP */
	batch_end();
}

static void on_udp(int fd, void *arg)
{
	uint8_t buf[PCP_MAX_LEN + 4];
	struct sockaddr_in6 from;
	socklen_t fl;
	ssize_t n;
	int i;

	(void)arg;
	batch_begin();
	for (i = 0; i < BATCH_MAX; i++) {
		struct origin o = { .softwire = false };

		fl = sizeof(from);
		n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT,
			     (struct sockaddr *)&from, &fl);
		if (n < 0)
			break;
		o.b4 = from.sin6_addr;
		o.sport = ntohs(from.sin6_port);
		request(&o, buf, (size_t)n);
	}
	batch_end();
}

static int open_sockets(const struct lw4o6d_config *c)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6 };
	/* Send only: a filter that takes nothing keeps copies away. */
	struct sock_filter none[] = { { BPF_RET | BPF_K, 0, 0, 0 } };
	struct sock_fprog prog = { 1, none };
	int one = 1, rcvbuf = 1 << 20;

	P.raw_fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_IPIP);
	if (P.raw_fd < 0) {
		log_err("raw IPv6 socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(P.raw_fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog));
	sa.sin6_addr = P.dev.local;
	setsockopt(P.raw_fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one));
	if (bind(P.raw_fd, (struct sockaddr *)&sa, sizeof(sa))) {
		log_err("binding the raw socket to the device's local address: %s",
			strerror(errno));
		return -1;
	}
	if (!c->has_listen6)
		return 0;
	P.udp_fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (P.udp_fd < 0)
		return -1;
	sa.sin6_addr = c->listen6;
	sa.sin6_port = htons(PCP_SERVER_PORT);
	/* A whole batch of requests must fit while the last one is handled. */
	setsockopt(P.udp_fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	setsockopt(P.udp_fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	setsockopt(P.udp_fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one));
	if (bind(P.udp_fd, (struct sockaddr *)&sa, sizeof(sa))) {
		log_err("listening on [%s]:%u: %s", "listen", PCP_SERVER_PORT,
			strerror(errno));
		return -1;
	}
	return loop_add_fd(P.udp_fd, on_udp, NULL);
}

/*
 * ANNOUNCE rounds (pcp_announce.h says when and to whom): inside the
 * softwires there is no multicast, so each B4 gets its own, at 192.0.0.2
 * through its softwire or at its IPv6 address, whichever way it asked.
 */
static void announce_send(const struct pcp_announce_to *to, void *arg)
{
	const struct { const uint8_t *buf; size_t len; } *msg = arg;
	struct origin o = { .softwire = to->via == MAPPING_VIA_SOFTWIRE,
			    .b4 = to->b4, .sport = PCP_CLIENT_PORT,
			    .src4 = htonl(LW4O6_B4_CONTROL_ADDR) };

	/* No "listen" socket any more (a reload): the softwire it is. */
	if (!o.softwire && P.udp_fd < 0)
		o.softwire = true;
	send_now(&o, msg->buf, msg->len);
	P.n_announced++;
}

static void announce_over(void)
{
	log_info("ANNOUNCE round over after %u passes: %zu of %zu B4s heard from, %llu sent",
		 P.an.pass, P.an.n - P.an.left, P.an.n,
		 (unsigned long long)P.an.sent);
}

static void announce_tick(struct timer *t)
{
	struct pcp_msg a = { .version = PCP_VERSION, .response = true,
			     .opcode = PCP_OP_ANNOUNCE, .epoch = epoch() };
	uint8_t buf[PCP_MAX_LEN];
	struct { const uint8_t *buf; size_t len; } msg = {
		buf, pcp_build(&a, buf, sizeof(buf))
	};
	struct pcp_announce_step st;

	st = pcp_announce_run(&P.an, loop_now_ms(), announce_send, &msg);
	if (st.first_pass_done) {
		/* after the last of it went: run() was given the time before */
		P.an.first_ms = loop_now_ms() - P.an.began;
		log_notice("sent ANNOUNCE (epoch %u) to %zu B4s in %lld ms",
			   a.epoch, P.an.n, (long long)P.an.first_ms);
	}
	if (st.over)
		announce_over();
	if (st.wait_ms >= 0)
		timer_arm(t, st.wait_ms);
}

static void announce_round(const struct mapping_b4 *b4s, size_t n,
			   unsigned int passes, const char *why)
{
	long k;

	timer_cancel(&P.an_t);
	k = pcp_announce_begin(&P.an, b4s, n, passes, loop_now_ms());
	if (k < 0) {
		log_err("ANNOUNCE: out of memory for %zu B4s", n);
		return;
	}
	P.n_announce_rounds++;
	log_info("ANNOUNCE (%s) to %ld B4s, %u a second, %u passes", why, k,
		 P.an.rate, P.an.passes);
	if (k)
		timer_arm(&P.an_t, 0);
}

struct b4_list {
	struct mapping_b4 *v;
	size_t n, cap;
};

static int collect_b4(struct lease *l, void *arg)
{
	struct b4_list *b = arg;

	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		struct mapping_b4 *v = realloc(b->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		b->v = v;
		b->cap = cap;
	}
	b->v[b->n].b4 = l->m.b4;
	b->v[b->n++].via = l->m.via;
	return 0;
}

/*
 * The B4s of the start (before --reset-epoch cleared them); repeated only
 * when they lost their mappings (pcp_announce.h).
 */
static void announce_start(const char *why)
{
	const struct mapping_b4 *start;
	size_t n;

	start = alloc_b4s_at_start(P.a, &n);
	announce_round(start, n, alloc_epoch_began(P.a) ?
		       PCP_ANNOUNCE_PASSES : 1, why);
}

void pcp_server_took_over(void)
{
	struct b4_list b = { 0 };

	if (!P.a || !P.an_on)
		return;
	if (P.an_start_pending) {
		P.an_start_pending = false;
		announce_start("restart, now serving the anycast");
		return;
	}
	if (alloc_each(P.a, collect_b4, &b)) {
		log_err("ANNOUNCE: out of memory listing the B4s");
		free(b.v);
		return;
	}
	/* a shared store's epoch: the B4s lost nothing, once is enough */
	announce_round(b.v, b.n, 1, "taking over the anycast");
	free(b.v);
}

int pcp_server_start(const struct lw4o6d_config *c, struct alloc *a)
{
	struct kern_events ev = { .control = on_control };
	int e;

	P.a = a;
	P.ll.burst = 20;
	P.k = kern_open_mode(c->device, LW4O6_MODE_AFTR, &P.dev);
	if (!P.k)
		return -1;
	P.replies = calloc(BATCH_MAX, sizeof(*P.replies));
	if (!P.replies) {
		log_err("PCP server: out of memory");
		return -1;
	}
	/* The device's own address is no B4's, nor where we listen. */
	alloc_add_self(a, &P.dev.local);
	if (c->has_listen6)
		alloc_add_self(a, &c->listen6);
	timer_init(&Q.t, flush4_timer);
	if (open_sockets(c))
		return -1;
	if ((e = kern_listen(P.k, true, false, &ev)) ||
	    (e = loop_add_fd(kern_event_fd(P.k), on_control_fd, NULL))) {
		log_err("joining the module's control group: %s", strerror(-e));
		return -1;
	}
	P.ctl_fd = kern_event_fd(P.k);
	timer_init(&P.an_t, announce_tick);
	pcp_announce_init(&P.an, c->announce_rate);
	P.an_on = c->announce;
	/*
	 * With "anycast", B4s could not answer this lwAFTR before it announces
	 * the address: the round waits for that (pcp_server_took_over()).
	 */
	if (c->announce && c->has_anycast) {
		P.an_start_pending = true;
	} else if (c->announce) {
		announce_start("restart");
	}
	return 0;
}

void pcp_server_stop(void)
{
	log_notice("PCP server: served %llu requests (%llu refused, %llu over the rate, %llu from non-B4 addresses, %llu outside the allowed prefixes, %llu over the subscriber cap); sent %llu ANNOUNCEs in %llu rounds",
		   (unsigned long long)P.n_requests,
		   (unsigned long long)P.n_refused,
		   (unsigned long long)P.n_limited,
		   (unsigned long long)P.n_bad_source,
		   (unsigned long long)P.n_not_allowed,
		   (unsigned long long)P.n_full,
		   (unsigned long long)P.n_announced,
		   (unsigned long long)P.n_announce_rounds);
	timer_cancel(&P.an_t);
	pcp_announce_free(&P.an);
	pcp_server_flush4();
	Q.n = 0;
	Q.failed = 0;
	if (P.ctl_fd >= 0)
		loop_del_fd(P.ctl_fd);
	if (P.udp_fd >= 0) {
		loop_del_fd(P.udp_fd);
		close(P.udp_fd);
	}
	if (P.raw_fd >= 0)
		close(P.raw_fd);
	kern_close(P.k);
	free(P.replies);
	memset(&P, 0, sizeof(P));
	P.upstream_ok = true;	/* until anycast.c's check says otherwise */
	P.raw_fd = P.udp_fd = P.ctl_fd = -1;
}
