// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * kernel.c's reading of the module's groups.  The control group (#11 item
 * 8): however much is waiting, one call of kern_events_read() takes at
 * most KERN_READ_MAX datagrams, so the loop gets back to its timers and
 * signals under a flood, and what is left is read at the next turns.  A
 * binding-miss event reaches the miss callback with its port and held
 * flag.  The module's messages come from a second netlink socket of the
 * test (NETLINK_USERSOCK: unicast between user sockets needs no module).
 */
#include <errno.h>
#include <string.h>
#include <syslog.h>
#include <arpa/inet.h>
#include <linux/genetlink.h>

#include <linux/lw4o6.h>

#include "kernel.h"
#include "log.h"
#include "nlsock.h"
#include "tests/cmocka_wrap.h"

#define FAMILY	0x42
#define IFINDEX	7

static unsigned int heard;

static void on_control(const struct in6_addr *b4, const uint8_t *pkt,
		       size_t len, void *arg)
{
	(void)b4;
	(void)pkt;
	(void)len;
	(void)arg;
	heard++;
}

/* What the module sends the control group for one request of len bytes. */
static void send_control_len(struct mnl_socket *from, uint32_t to, size_t len)
{
	char buf[8192];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_pid = to };
	struct in6_addr b4 = { .s6_addr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 9 } };
	uint8_t pkt[4096] = { 0x45 };

	nlh->nlmsg_type = FAMILY;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = LW4O6_CMD_EVT_CONTROL;
	mnl_attr_put_u32(nlh, LW4O6_A_IFINDEX, IFINDEX);
	mnl_attr_put(nlh, LW4O6_A_CTRL_B4, sizeof(b4), &b4);
	mnl_attr_put(nlh, LW4O6_A_CTRL_PACKET, len, pkt);
	assert_int_equal(sendto(mnl_socket_get_fd(from), nlh, nlh->nlmsg_len, 0,
				(struct sockaddr *)&sa, sizeof(sa)),
			 nlh->nlmsg_len);
}

static void send_control(struct mnl_socket *from, uint32_t to)
{
	send_control_len(from, to, 32);
}

static void test_bounded_read(void **state)
{
	struct kern_events ev = { .control = on_control };
	struct nl *rx = nl_open(NETLINK_USERSOCK);
	struct mnl_socket *tx = mnl_socket_open(NETLINK_USERSOCK);
	struct kern *k;
	unsigned int i, n = 3 * KERN_READ_MAX + 10;

	(void)state;
	assert_non_null(rx);
	assert_non_null(tx);
	assert_int_equal(mnl_socket_bind(tx, 0, MNL_SOCKET_AUTOPID), 0);
	k = kern_on_socket(rx, FAMILY, IFINDEX, false, &ev);
	assert_non_null(k);
	for (i = 0; i < n; i++)
		send_control(tx, rx->portid);
	/* A flood waiting: one turn takes its share and returns. */
	kern_events_read(k);
	assert_int_equal(heard, KERN_READ_MAX);
	kern_events_read(k);
	assert_int_equal(heard, 2 * KERN_READ_MAX);
	kern_events_read(k);
	kern_events_read(k);
	assert_int_equal(heard, n);
	/* Nothing waiting: returns at once. */
	kern_events_read(k);
	assert_int_equal(heard, n);
	assert_int_equal(kern_overflows(k), 0);
	kern_close(k);
	mnl_socket_close(tx);
}

/*
 * The control group is read many datagrams a call (recvmmsg), each into a
 * buffer sized for the largest the module sends (LW4O6_CONTROL_MAX of
 * packet): one larger, which no module sends, is cut, and dropped whole,
 * and those around it are read.
 */
static void test_oversized_dropped(void **state)
{
	struct kern_events ev = { .control = on_control };
	struct nl *rx = nl_open(NETLINK_USERSOCK);
	struct mnl_socket *tx = mnl_socket_open(NETLINK_USERSOCK);
	struct kern *k;

	(void)state;
	heard = 0;
	assert_non_null(rx);
	assert_non_null(tx);
	assert_int_equal(mnl_socket_bind(tx, 0, MNL_SOCKET_AUTOPID), 0);
	k = kern_on_socket(rx, FAMILY, IFINDEX, false, &ev);
	assert_non_null(k);
	send_control(tx, rx->portid);
	send_control_len(tx, rx->portid, LW4O6_CONTROL_MAX);
	send_control_len(tx, rx->portid, 4096);
	send_control(tx, rx->portid);
	kern_events_read(k);
	assert_int_equal(heard, 3);
	kern_close(k);
	mnl_socket_close(tx);
}

struct miss {
	unsigned int n;
	struct in6_addr b4;
	uint32_t ipv4;
	int port;
	bool held;
};

static void on_miss(const struct in6_addr *b4, uint32_t ipv4, int port,
		    bool held, void *arg)
{
	struct miss *m = arg;

	m->n++;
	m->b4 = *b4;
	m->ipv4 = ipv4;
	m->port = port;
	m->held = held;
}

/* EVT_BINDING_MISS as the module sends it: port and held optional. */
static void send_miss(struct mnl_socket *from, uint32_t to, int ifindex,
		      int port, bool held)
{
	char buf[256];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_pid = to };
	struct in6_addr b4 = { .s6_addr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 9 } };

	nlh->nlmsg_type = FAMILY;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = LW4O6_CMD_EVT_BINDING_MISS;
	mnl_attr_put_u32(nlh, LW4O6_A_IFINDEX, (uint32_t)ifindex);
	mnl_attr_put(nlh, LW4O6_A_MISS_B4, sizeof(b4), &b4);
	mnl_attr_put_u32(nlh, LW4O6_A_MISS_IPV4, htonl(0xc0000201));
	if (port >= 0)
		mnl_attr_put_u16(nlh, LW4O6_A_MISS_PORT, (uint16_t)port);
	if (held)
		mnl_attr_put_u8(nlh, LW4O6_A_MISS_HELD, 1);
	assert_int_equal(sendto(mnl_socket_get_fd(from), nlh, nlh->nlmsg_len, 0,
				(struct sockaddr *)&sa, sizeof(sa)),
			 nlh->nlmsg_len);
}

/* The miss callback: B4, IPv4 (network order), port or -1, held. */
static void test_miss_event(void **state)
{
	struct miss m = { 0 };
	struct kern_events ev = { .miss = on_miss, .arg = &m };
	struct nl *rx = nl_open(NETLINK_USERSOCK);
	struct mnl_socket *tx = mnl_socket_open(NETLINK_USERSOCK);
	struct kern *k;

	(void)state;
	assert_non_null(rx);
	assert_non_null(tx);
	assert_int_equal(mnl_socket_bind(tx, 0, MNL_SOCKET_AUTOPID), 0);
	k = kern_on_socket(rx, FAMILY, IFINDEX, true, &ev);
	assert_non_null(k);
	send_miss(tx, rx->portid, IFINDEX, 1216, true);
	kern_events_read(k);
	assert_int_equal(m.n, 1);
	assert_int_equal(m.b4.s6_addr[15], 9);
	assert_int_equal(m.ipv4, htonl(0xc0000201));
	assert_int_equal(m.port, 1216);
	assert_true(m.held);
	/* no port, not held (the rate-limited kind) */
	send_miss(tx, rx->portid, IFINDEX, -1, false);
	kern_events_read(k);
	assert_int_equal(m.n, 2);
	assert_int_equal(m.port, -1);
	assert_false(m.held);
	/* another device's: not ours */
	send_miss(tx, rx->portid, IFINDEX + 1, 80, true);
	kern_events_read(k);
	assert_int_equal(m.n, 2);
	kern_close(k);
	mnl_socket_close(tx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bounded_read),
		cmocka_unit_test(test_oversized_dropped),
		cmocka_unit_test(test_miss_event),
	};

	log_open(LOG_WARNING, false);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
