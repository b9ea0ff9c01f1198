// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * bfd_notify.c: BFD changes to the module.  A queue's changes go as
 * BFD_NOTIFY messages without NLM_F_ACK, many to a datagram, each with
 * the device, peer, states and diagnostic; a full queue drops and counts;
 * more than a datagram holds goes in several; the kernel's error answers
 * are read and counted; a send that fails is counted, never retried.  The
 * "kernel" is a second netlink socket of the test (NETLINK_USERSOCK:
 * unicast between user sockets needs no module).
 */
#include <errno.h>
#include <string.h>
#include <syslog.h>
#include <linux/genetlink.h>

#include <linux/lw4o6.h>

#include "bfd_notify.h"
#include "log.h"
#include "nlsock.h"
#include "tests/cmocka_wrap.h"

#define FAMILY	0x42
#define IFINDEX	7

struct got {
	unsigned int msgs, datagrams;
	uint8_t state, old, diag;
	uint8_t last_peer;		/* the last message's peer, byte 15 */
	uint32_t last_seq;
	bool acked;			/* one asked for an ACK */
	bool bad;			/* one was not a whole BFD_NOTIFY */
	uint32_t from;			/* the sender's port id */
};

/* Everything waiting on the "kernel" socket. */
static void drain(struct nl *k, struct got *g)
{
	for (;;) {
		const struct nlmsghdr *nlh = (const void *)k->rbuf;
		struct sockaddr_nl sa;
		socklen_t salen = sizeof(sa);
		int n = (int)recvfrom(mnl_socket_get_fd(k->sk), k->rbuf,
				      k->rbuf_len, MSG_DONTWAIT,
				      (struct sockaddr *)&sa, &salen);

		if (n < 0)
			return;
		g->datagrams++;
		g->from = sa.nl_pid;
		for (; mnl_nlmsg_ok(nlh, n); nlh = mnl_nlmsg_next(nlh, &n)) {
			const struct genlmsghdr *gh = mnl_nlmsg_get_payload(nlh);
			const struct nlattr *tb[LW4O6_A_MAX + 1];
			uint8_t peer[16];
			uint32_t ifindex = 0;

			g->msgs++;
			g->last_seq = nlh->nlmsg_seq;
			g->acked |= !!(nlh->nlmsg_flags & NLM_F_ACK);
			if (nlh->nlmsg_type != FAMILY ||
			    gh->cmd != LW4O6_CMD_BFD_NOTIFY) {
				g->bad = true;
				continue;
			}
			nl_parse_msg(nlh, GENL_HDRLEN, tb, LW4O6_A_MAX);
			if (!nl_get_u32(tb[LW4O6_A_IFINDEX], &ifindex) ||
			    ifindex != IFINDEX ||
			    !nl_get_in6(tb[LW4O6_A_BFD_PEER], peer) ||
			    !nl_get_u8(tb[LW4O6_A_BFD_STATE], &g->state) ||
			    !nl_get_u8(tb[LW4O6_A_BFD_OLD_STATE], &g->old) ||
			    !nl_get_u8(tb[LW4O6_A_BFD_DIAG], &g->diag))
				g->bad = true;
			g->last_peer = peer[15];
		}
	}
}

static struct in6_addr peer(unsigned int i)
{
	struct in6_addr a = { .s6_addr = { 0x20, 0x01, 0x0d, 0xb8,
					   [14] = (uint8_t)(i >> 8),
					   [15] = (uint8_t)i } };

	return a;
}

static struct nl *kernel;

static int setup(void **state)
{
	struct nl *me = nl_open(NETLINK_USERSOCK);

	(void)state;
	kernel = nl_open(NETLINK_USERSOCK);
	assert_non_null(kernel);
	assert_non_null(me);
	assert_int_equal(bfd_notify_on_socket(me, FAMILY, IFINDEX,
					      kernel->portid), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	bfd_notify_stop();
	nl_close(kernel);
	return 0;
}

/* Three changes, one datagram, no ACK asked; nothing before the flush. */
static void test_batch(void **state)
{
	struct got g = { 0 };
	struct in6_addr a;
	unsigned int i;

	(void)state;
	for (i = 1; i <= 3; i++) {
		a = peer(i);
		bfd_notify(&a, 3, 2, 0);
	}
	drain(kernel, &g);
	assert_int_equal(g.msgs, 0);	/* queued, not sent */
	bfd_notify_flush();
	drain(kernel, &g);
	assert_int_equal(g.datagrams, 1);
	assert_int_equal(g.msgs, 3);
	assert_false(g.bad);
	assert_false(g.acked);
	assert_int_equal(g.last_peer, 3);
	assert_int_equal(g.state, 3);
	assert_int_equal(g.old, 2);
	assert_int_equal(g.diag, 0);
	assert_int_equal(bfd_notify_stats()->sent, 3);
	assert_int_equal(bfd_notify_stats()->datagrams, 1);
	/* nothing queued: nothing sent */
	bfd_notify_flush();
	drain(kernel, &g);
	assert_int_equal(g.datagrams, 1);
}

/*
 * A mass expiry: what the queue holds goes, in several datagrams of at
 * most BFD_NOTIFY_BATCH bytes, in order; the rest is dropped and counted.
 */
static void test_full_queue(void **state)
{
	const struct bfd_notify_stats *st = bfd_notify_stats();
	struct got g = { 0 };
	struct in6_addr a;
	unsigned int i;

	(void)state;
	for (i = 0; i < BFD_NOTIFY_QUEUE + 10; i++) {
		a = peer(i);
		bfd_notify(&a, 1, 3, 1);
	}
	assert_int_equal(st->queued, BFD_NOTIFY_QUEUE + 10);
	assert_int_equal(st->dropped, 10);
	bfd_notify_flush();
	drain(kernel, &g);
	assert_int_equal(g.msgs, BFD_NOTIFY_QUEUE);
	assert_false(g.bad);
	assert_int_equal(g.last_peer, (uint8_t)(BFD_NOTIFY_QUEUE - 1));
	assert_int_equal(g.diag, 1);
	assert_true(g.datagrams > 1);
	/* ~72 bytes a message: as few datagrams as they fit in */
	assert_true(g.datagrams <= BFD_NOTIFY_QUEUE * 128 / BFD_NOTIFY_BATCH + 1);
	assert_int_equal(st->datagrams, g.datagrams);
	assert_int_equal(st->sent, BFD_NOTIFY_QUEUE);
	/* room again */
	a = peer(1);
	bfd_notify(&a, 3, 1, 0);
	bfd_notify_flush();
	assert_int_equal(st->dropped, 10);
	assert_int_equal(st->sent, BFD_NOTIFY_QUEUE + 1);
}

/* The kernel's refusal, as it answers a message without NLM_F_ACK. */
static void answer_error(uint32_t to, uint32_t seq, int err, const char *msg)
{
	char buf[512];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlmsgerr *e;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_pid = to };

	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_CAPPED | NLM_F_ACK_TLVS;
	nlh->nlmsg_seq = seq;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = -err;
	e->msg.nlmsg_len = sizeof(struct nlmsghdr);
	e->msg.nlmsg_seq = seq;
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, msg);
	assert_int_equal(sendto(mnl_socket_get_fd(kernel->sk), nlh,
				nlh->nlmsg_len, 0, (struct sockaddr *)&sa,
				sizeof(sa)), nlh->nlmsg_len);
}

static void test_refused(void **state)
{
	const struct bfd_notify_stats *st = bfd_notify_stats();
	struct got g = { 0 };
	struct in6_addr a = peer(9);
	uint32_t me;

	(void)state;
	bfd_notify(&a, 3, 1, 0);
	bfd_notify_flush();
	drain(kernel, &g);
	assert_int_equal(g.msgs, 1);
	me = g.from;	/* the notifier's socket */
	answer_error(me, g.last_seq, EOPNOTSUPP, "lw4o6: lw9 is not an lw4o6 device");
	answer_error(me, g.last_seq, ENODEV, "no such device");
	bfd_notify_read_errors();
	assert_int_equal(st->refused, 2);
	assert_int_equal(st->sent, 1);
}

/* Nobody at the other end: the send fails, counted; nothing stays queued. */
static void test_send_fails(void **state)
{
	const struct bfd_notify_stats *st = bfd_notify_stats();
	struct in6_addr a = peer(5);

	(void)state;
	nl_close(kernel);
	kernel = NULL;
	bfd_notify(&a, 0, 3, 7);
	bfd_notify(&a, 1, 0, 0);
	bfd_notify_flush();
	assert_int_equal(st->send_failed, 2);
	assert_int_equal(st->sent, 0);
	kernel = nl_open(NETLINK_USERSOCK);	/* for the teardown */
	assert_non_null(kernel);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_send_fails, setup, teardown),
	};

	log_open(LOG_ERR, false);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
