// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * BFD changes to the module (bfd_notify.h).  The cost on an lwAFTR is
 * what matters: a mass expiry or a drain changes thousands of sessions in
 * one timer run.  So a change is 20 bytes in a queue; the queue becomes
 * ~72-byte BFD_NOTIFY messages, hundreds to a datagram, at the next loop
 * turn (a zero timer: after whatever made the changes, before the next
 * poll); the kernel handles a datagram's messages in one sendmsg(), and
 * without NLM_F_ACK answers only those it refuses.  None of it blocks,
 * and none of it touches a session: whatever fails here is counted.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include <linux/lw4o6.h>

#include "bfd_notify.h"
#include "log.h"
#include "loop.h"
#include "nlsock.h"

struct change {
	struct in6_addr peer;
	uint8_t state, old, diag;
};

/* One BFD_NOTIFY: header, IFINDEX, BFD_PEER, three u8s (with room). */
#define MSG_MAX	128

static struct {
	bool on;
	bool on_loop;
	struct nl *nl;
	uint16_t family;
	int ifindex;
	uint32_t to;			/* port id: 0, the kernel */
	struct change *q;
	size_t n;
	struct timer t;
	struct log_limit ll;
	struct bfd_notify_stats st;
	char buf[BFD_NOTIFY_BATCH];
} N;

static void on_timer(struct timer *t)
{
	(void)t;
	bfd_notify_flush();
}

static void on_readable(int fd, void *arg)
{
	(void)fd;
	(void)arg;
	bfd_notify_read_errors();
}

static int setup(struct nl *nl, uint16_t family, int ifindex, uint32_t to)
{
	memset(&N.st, 0, sizeof(N.st));
	N.q = calloc(BFD_NOTIFY_QUEUE, sizeof(*N.q));
	if (!N.q)
		return -ENOMEM;
	N.nl = nl;
	N.family = family;
	N.ifindex = ifindex;
	N.to = to;
	N.n = 0;
	N.ll.burst = 5;
	timer_init(&N.t, on_timer);
	N.on = true;
	return 0;
}

int bfd_notify_on_socket(struct nl *nl, uint16_t family, int ifindex,
			 uint32_t to)
{
	int e = setup(nl, family, ifindex, to);

	if (e)
		nl_close(nl);
	return e;
}

int bfd_notify_start(const char *device)
{
	int ifindex = (int)if_nametoindex(device);
	struct nl *nl;
	int e;

	if (!ifindex) {
		log_warn("BFD changes for lw4o6 monitor: no device %s: %s",
			 device, strerror(errno));
		return -1;
	}
	nl = nl_open(NETLINK_GENERIC);
	if (!nl) {
		log_warn("BFD changes for lw4o6 monitor: netlink: %s",
			 strerror(errno));
		return -1;
	}
	e = genl_resolve(nl, LW4O6_GENL_NAME, LW4O6_MCGRP_EVENTS);
	if (!e)
		e = setup(nl, nl->family, ifindex, 0);
	if (e)
		nl_close(nl);
	else if ((e = loop_add_fd(mnl_socket_get_fd(nl->sk), on_readable,
				  NULL)))
		bfd_notify_stop();	/* closes nl */
	if (e) {
		log_warn("BFD changes for lw4o6 monitor: %s; not reported",
			 strerror(-e));
		return -1;
	}
	N.on_loop = true;
	return 0;
}

void bfd_notify(const struct in6_addr *peer, uint8_t state, uint8_t old,
		uint8_t diag)
{
	struct change *c;

	if (!N.on)
		return;
	N.st.queued++;
	if (N.n == BFD_NOTIFY_QUEUE) {
		/* the first of a burst is told; the rest by the counters */
		if (!N.st.dropped++ || log_limit_ok(&N.ll))
			log_warn("BFD changes for lw4o6 monitor: queue full (%d); %llu dropped so far",
				 BFD_NOTIFY_QUEUE,
				 (unsigned long long)N.st.dropped);
		return;
	}
	c = &N.q[N.n++];
	c->peer = *peer;
	c->state = state;
	c->old = old;
	c->diag = diag;
	if (N.n == 1)
		timer_arm(&N.t, 0);
}

/* One BFD_NOTIFY for c at p (MSG_MAX bytes free); its length. */
static size_t put(char *p, const struct change *c)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(p);
	struct genlmsghdr *g;

	nlh->nlmsg_type = N.family;
	nlh->nlmsg_flags = NLM_F_REQUEST;	/* no ACK: errors only */
	nlh->nlmsg_seq = ++N.nl->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = LW4O6_CMD_BFD_NOTIFY;
	g->version = LW4O6_GENL_VERSION;
	mnl_attr_put_u32(nlh, LW4O6_A_IFINDEX, (uint32_t)N.ifindex);
	mnl_attr_put(nlh, LW4O6_A_BFD_PEER, sizeof(c->peer), &c->peer);
	mnl_attr_put_u8(nlh, LW4O6_A_BFD_STATE, c->state);
	mnl_attr_put_u8(nlh, LW4O6_A_BFD_OLD_STATE, c->old);
	mnl_attr_put_u8(nlh, LW4O6_A_BFD_DIAG, c->diag);
	return NLMSG_ALIGN(nlh->nlmsg_len);
}

static void send_batch(size_t len, size_t count)
{
	struct sockaddr_nl to = { .nl_family = AF_NETLINK, .nl_pid = N.to };
	ssize_t n;

	do
		n = sendto(mnl_socket_get_fd(N.nl->sk), N.buf, len, MSG_DONTWAIT,
			   (struct sockaddr *)&to, sizeof(to));
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		N.st.send_failed += count;
		if (log_limit_ok(&N.ll))
			log_warn("BFD changes for lw4o6 monitor: %zu lost: %s",
				 count, strerror(errno));
		return;
	}
	N.st.sent += count;
	N.st.datagrams++;
}

void bfd_notify_flush(void)
{
	size_t i, len = 0, count = 0;

	if (!N.on || !N.n)
		return;
	timer_cancel(&N.t);
	for (i = 0; i < N.n; i++) {
		if (len + MSG_MAX > sizeof(N.buf)) {
			send_batch(len, count);
			len = count = 0;
		}
		len += put(N.buf + len, &N.q[i]);
		count++;
	}
	send_batch(len, count);
	N.n = 0;
}

/* An error answer: counted, its text (the kernel's extack) logged. */
static void refused(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	const char *why = "";
	const struct nlattr *a;
	size_t off = sizeof(*e);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)) || !e->error)
		return;
	N.st.refused++;
	if (!log_limit_ok(&N.ll))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) &&
	    nlh->nlmsg_len >= mnl_nlmsg_size(off))
		mnl_attr_for_each(a, nlh, off)
			if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
			    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
				why = mnl_attr_get_str(a);
	log_warn("BFD changes for lw4o6 monitor: the kernel refused one: %s%s%s",
		 strerror(-e->error), *why ? ": " : "", why);
}

void bfd_notify_read_errors(void)
{
	unsigned int budget = 64;

	while (N.on && budget--) {
		const struct nlmsghdr *nlh = (const void *)N.nl->rbuf;
		int n = (int)recv(mnl_socket_get_fd(N.nl->sk), N.nl->rbuf,
				  N.nl->rbuf_len, MSG_DONTWAIT);

		if (n < 0) {
			if (errno == ENOBUFS) {
				/* errors the kernel could not queue for us */
				N.st.lost_errors++;
				continue;
			}
			if (errno == EINTR)
				continue;
			return;
		}
		for (; mnl_nlmsg_ok(nlh, n); nlh = mnl_nlmsg_next(nlh, &n))
			if (nlh->nlmsg_type == NLMSG_ERROR)
				refused(nlh);
	}
}

void bfd_notify_stop(void)
{
	if (!N.on)
		return;
	bfd_notify_flush();
	bfd_notify_read_errors();
	timer_cancel(&N.t);
	if (N.on_loop)
		loop_del_fd(mnl_socket_get_fd(N.nl->sk));
	nl_close(N.nl);
	free(N.q);
	memset(&N, 0, sizeof(N));
}

const struct bfd_notify_stats *bfd_notify_stats(void)
{
	return &N.st;
}

void bfd_notify_log_counters(void)
{
	const struct bfd_notify_stats *s = &N.st;

	if (!N.on)
		return;
	bfd_notify_read_errors();	/* refusals waiting count too */
	log_notice("BFD changes for lw4o6 monitor: %llu reported, %llu sent in %llu datagrams; %llu dropped (queue full), %llu lost (send failed), %llu refused by the kernel, %llu refusals unread (socket full)",
		   (unsigned long long)s->queued, (unsigned long long)s->sent,
		   (unsigned long long)s->datagrams,
		   (unsigned long long)s->dropped,
		   (unsigned long long)s->send_failed,
		   (unsigned long long)s->refused,
		   (unsigned long long)s->lost_errors);
}
