// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The lwB4's BFD with its AFTR (b4_bfd.h).  Two sockets, because RFC 5881
 * wants a session sent from one port of 49152-65535 and received on 3784:
 * one bound to 192.0.0.2:49152 that sends (the module lets only that port
 * out on the control pair, so no other local process speaks for us), one
 * bound to 192.0.0.2:3784 that hears, both tied to the device so that
 * what they carry goes through the softwire whatever the routing table
 * says.  A packet counts only with TTL 255 (RFC 5881 5: it cannot have
 * come from further than the AFTR), from 192.0.0.1, and naming our
 * discriminator or none.
 *
 * A session that never came Up moves nobody: an AFTR without BFD is a
 * fine AFTR.  One that was Up and then lost the AFTR (detection time
 * expired), or heard it go AdminDown (drained, stopped), is reported to
 * the owner, which moves to the next AFTR when it has one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/random.h>
#include <sys/socket.h>

#include <linux/lw4o6.h>

#include "b4_bfd.h"
#include "bfd.h"
#include "bfd_notify.h"
#include "bfd_session.h"
#include "log.h"
#include "loop.h"

enum drop { DROP_BAD, DROP_TTL, DROP_SOURCE, DROP_DISC, __DROP_MAX };

static const char *const drop_names[] = {
	[DROP_BAD] = "malformed", [DROP_TTL] = "ttl-not-255",
	[DROP_SOURCE] = "not-from-192.0.0.1", [DROP_DISC] = "unknown-discriminator",
};

static struct {
	bool on;
	char device[IF_NAMESIZE];
	char state_file[256];
	struct bfd_session_cfg cfg;
	struct b4_bfd_ops ops;
	struct bfd_session s;
	bool running;			/* a session with an AFTR (known) */
	struct in6_addr aftr;		/* its address: the device's remote */
	bool was_up;			/* since the session (re)started */
	int tx_fd, rx_fd;
	struct timer t;
	struct timer fail_t;		/* the owner hears of a failure from here */
	char why[160];
	uint64_t drops[__DROP_MAX];
	uint64_t bad[__BFD_BAD_MAX];
	struct log_limit ll;
} B = { .tx_fd = -1, .rx_fd = -1 };

static void arm(void)
{
	int64_t due = bfd_session_due(&B.s), now = loop_now_ms();

	if (due == INT64_MAX)
		timer_cancel(&B.t);
	else
		timer_arm(&B.t, due > now ? due - now : 0);
}

static void on_send(struct bfd_session *s, const uint8_t *pkt, size_t len)
{
	struct sockaddr_in to = { .sin_family = AF_INET,
				  .sin_port = htons(LW4O6_BFD_PORT),
				  .sin_addr.s_addr = htonl(LW4O6_CONTROL_ADDR) };

	(void)s;
	if (sendto(B.tx_fd, pkt, len, 0, (struct sockaddr *)&to,
		   sizeof(to)) < 0 && log_limit_ok(&B.ll))
		log_warn("BFD: sending to the AFTR: %s", strerror(errno));
}

/* The session as JSON, for `lw4o6d bfd` and whoever reads the file. */
static void write_state(void)
{
	char tmp[sizeof(B.state_file) + 8];
	struct timespec ts;
	int64_t ago;
	FILE *f;

	if (!B.state_file[0] || !B.running)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", B.state_file);
	f = fopen(tmp, "w");
	if (!f) {
		if (log_limit_ok(&B.ll))
			log_warn("BFD: writing %s: %s", tmp, strerror(errno));
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	ago = loop_now_ms() - B.s.last_change;
	fprintf(f, "{\"device\":\"%s\",\"state\":\"%s\",\"diagnostic\":\"%s\","
		"\"remote_state\":\"%s\",\"remote_diagnostic\":\"%s\","
		"\"since\":%lld,\"local_discriminator\":%u,"
		"\"remote_discriminator\":%u,\"tx_interval_ms\":%u,"
		"\"rx_interval_ms\":%u,\"multiplier\":%u,"
		"\"remote_tx_interval_ms\":%u,\"remote_rx_interval_ms\":%u,"
		"\"remote_multiplier\":%u,\"detect_ms\":%lld,"
		"\"packets_in\":%llu,\"packets_out\":%llu,\"downs\":%llu}\n",
		B.device, bfd_state_name(B.s.state),
		bfd_diag_name(B.s.local_diag), bfd_state_name(B.s.remote_state),
		bfd_diag_name(B.s.remote_diag),
		(long long)ts.tv_sec - (long long)(ago / 1000),
		B.s.local_disc, B.s.remote_disc, B.s.desired_min_tx / 1000,
		B.s.required_min_rx / 1000, B.s.cfg.mult,
		B.s.remote_min_tx / 1000, B.s.remote_min_rx / 1000,
		B.s.remote_mult, (long long)bfd_session_detect_ms(&B.s),
		(unsigned long long)B.s.n_rx, (unsigned long long)B.s.n_tx,
		(unsigned long long)B.s.n_down);
	if (fclose(f) || rename(tmp, B.state_file)) {
		if (log_limit_ok(&B.ll))
			log_warn("BFD: writing %s: %s", B.state_file,
				 strerror(errno));
		unlink(tmp);
	}
}

/*
 * Not from inside the session's own call: the owner's answer (another
 * AFTR) starts a new session in the same memory.
 */
static void on_fail_timer(struct timer *t)
{
	(void)t;
	if (B.ops.failed)
		B.ops.failed(B.why, B.ops.arg);
}

static void on_changed(struct bfd_session *s, enum bfd_state old)
{
	char *why = B.why;

	write_state();
	bfd_notify(&B.aftr, s->state, old, s->local_diag);
	if (s->state == BFD_UP) {
		B.was_up = true;
		log_notice("BFD with the AFTR: up");
		return;
	}
	if (s->state != BFD_DOWN || old == BFD_DOWN) {
		log_info("BFD with the AFTR: %s", bfd_state_name(s->state));
		return;
	}
	if (s->local_diag == BFD_DIAG_DETECT_EXPIRED)
		snprintf(why, sizeof(B.why), "BFD: %s",
			 bfd_diag_name(s->local_diag));
	else
		snprintf(why, sizeof(B.why), "BFD: the AFTR says %s (%s)",
			 bfd_state_name(s->remote_state),
			 bfd_diag_name(s->remote_diag));
	log_warn("BFD with the AFTR: down, %s; the AFTR said %s (%s)",
		 bfd_diag_name(s->local_diag), bfd_state_name(s->remote_state),
		 bfd_diag_name(s->remote_diag));
	/* lost, or told it is going: not a peer that merely restarted */
	if (B.was_up && (s->local_diag == BFD_DIAG_DETECT_EXPIRED ||
			 s->remote_state == BFD_ADMIN_DOWN))
		timer_arm(&B.fail_t, 0);
}

static const struct bfd_session_ops session_ops = {
	.send = on_send, .changed = on_changed,
};

static void on_timer(struct timer *t)
{
	(void)t;
	bfd_session_tick(&B.s, loop_now_ms());
	arm();
}

static void drop(enum drop why)
{
	B.drops[why]++;
	if (log_limit_ok(&B.ll))
		log_info("BFD: dropped a packet (%s)", drop_names[why]);
}

static void on_packet(int fd, void *arg)
{
	uint8_t buf[256];
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;

	(void)arg;
	for (;;) {
		struct sockaddr_in from;
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr mh = { .msg_name = &from,
				     .msg_namelen = sizeof(from),
				     .msg_iov = &iov, .msg_iovlen = 1,
				     .msg_control = u.buf,
				     .msg_controllen = sizeof(u.buf) };
		struct cmsghdr *cm;
		struct bfd_pkt p;
		int ttl = -1, bad;
		bool changed;
		ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT);

		if (n < 0)
			return;
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
			if (cm->cmsg_level == IPPROTO_IP &&
			    cm->cmsg_type == IP_TTL)
				memcpy(&ttl, CMSG_DATA(cm), sizeof(ttl));
		if (ttl != BFD_TTL) {
			drop(DROP_TTL);
			continue;
		}
		if (from.sin_addr.s_addr != htonl(LW4O6_CONTROL_ADDR) ||
		    ntohs(from.sin_port) < BFD_SRC_PORT_MIN) {
			drop(DROP_SOURCE);
			continue;
		}
		if ((bad = bfd_parse(buf, (size_t)n, &p))) {
			B.bad[bad]++;
			drop(DROP_BAD);
			continue;
		}
		if (!B.running ||
		    (p.your_disc && p.your_disc != B.s.local_disc)) {
			drop(DROP_DISC);
			continue;
		}
		changed = p.desired_min_tx != B.s.remote_min_tx ||
			  p.required_min_rx != B.s.remote_min_rx ||
			  p.mult != B.s.remote_mult ||
			  p.state != B.s.remote_state ||
			  p.diag != B.s.remote_diag;
		bfd_session_rx(&B.s, &p, loop_now_ms());
		/* the peer's state and pace (1 s while not Up): the file follows */
		if (changed)
			write_state();
		arm();
	}
}

static int open_sockets(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(LW4O6_B4_CONTROL_ADDR) };
	int one = 1, ttl = BFD_TTL, *fds[2] = { &B.tx_fd, &B.rx_fd };
	uint16_t ports[2] = { LW4O6_B4_BFD_PORT, LW4O6_BFD_PORT };
	int i;

	for (i = 0; i < 2; i++) {
		int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

		if (fd < 0)
			return -errno;
		*fds[i] = fd;
		sa.sin_port = htons(ports[i]);
		if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, B.device,
			       strlen(B.device)) ||
		    setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)) ||
		    setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &one, sizeof(one)) ||
		    bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
			return -errno;
	}
	return loop_add_fd(B.rx_fd, on_packet, NULL);
}

static uint32_t new_disc(void)
{
	uint32_t d = 0;

	while (!d)
		if (getrandom(&d, sizeof(d), 0) != sizeof(d))
			d = (uint32_t)loop_now_ms() | 1;
	return d;
}

static void start_session(const struct in6_addr *aftr)
{
	B.aftr = *aftr;
	timer_cancel(&B.fail_t);
	bfd_session_init(&B.s, &session_ops, &B.cfg, new_disc(), loop_now_ms());
	B.running = true;
	B.was_up = false;
	write_state();
	arm();
}

int b4_bfd_start(const struct lw4o6d_config *c, const char *state_file,
		 const struct b4_bfd_ops *ops, const struct in6_addr *aftr)
{
	int e;

	memset(B.drops, 0, sizeof(B.drops));
	memset(B.bad, 0, sizeof(B.bad));
	B.ll.burst = 5;
	strcpy(B.device, c->device);
	snprintf(B.state_file, sizeof(B.state_file), "%s", state_file);
	B.ops = *ops;
	B.cfg = (struct bfd_session_cfg){
		.desired_min_tx = c->bfd_interval * 1000,
		.required_min_rx = c->bfd_interval * 1000,
		.mult = c->bfd_mult,
	};
	timer_init(&B.t, on_timer);
	timer_init(&B.fail_t, on_fail_timer);
	if ((e = open_sockets())) {
		log_err("BFD sockets on %s (192.0.0.2 ports %u and %u): %s",
			c->device, LW4O6_B4_BFD_PORT, LW4O6_BFD_PORT,
			strerror(-e));
		b4_bfd_stop();
		return -1;
	}
	B.on = true;
	/* failing, it has logged why: BFD runs unreported */
	bfd_notify_start(c->device);
	log_notice("BFD with the AFTR on %s: every %ums, multiplier %u%s",
		   c->device, c->bfd_interval, c->bfd_mult,
		   aftr ? "" : " (once the AFTR is known)");
	if (aftr)
		start_session(aftr);
	return 0;
}

void b4_bfd_restart(const struct in6_addr *aftr)
{
	if (!B.on)
		return;
	log_info("BFD: a new session with the new AFTR");
	start_session(aftr);
}

void b4_bfd_stop(void)
{
	if (B.on && B.running) {
		/* the AFTR hears we are going, rather than guess it in 30 s */
		timer_cancel(&B.fail_t);
		bfd_session_admin_down(&B.s, BFD_DIAG_ADMIN_DOWN, loop_now_ms());
		write_state();
		timer_cancel(&B.t);
	}
	bfd_notify_stop();	/* the AdminDown too: the loop is over */
	if (B.rx_fd >= 0) {
		loop_del_fd(B.rx_fd);
		close(B.rx_fd);
	}
	if (B.tx_fd >= 0)
		close(B.tx_fd);
	B.rx_fd = B.tx_fd = -1;
	B.on = B.running = false;
}

void b4_bfd_log_counters(void)
{
	if (!B.on)
		return;
	if (!B.running) {
		log_notice("BFD: waiting for the AFTR to be known");
		return;
	}
	log_notice("BFD: %s (%s), %llu packets in, %llu out, %llu downs; dropped: %llu malformed, %llu TTL not 255, %llu not from 192.0.0.1, %llu unknown discriminator",
		   bfd_state_name(B.s.state), bfd_diag_name(B.s.local_diag),
		   (unsigned long long)B.s.n_rx, (unsigned long long)B.s.n_tx,
		   (unsigned long long)B.s.n_down,
		   (unsigned long long)B.drops[DROP_BAD],
		   (unsigned long long)B.drops[DROP_TTL],
		   (unsigned long long)B.drops[DROP_SOURCE],
		   (unsigned long long)B.drops[DROP_DISC]);
	bfd_notify_log_counters();
}
