// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The lwAFTR's BFD front-end (bfd_server.h).  What a session is, and
 * which one a packet is for, is the responder's (bfd_responder.c); this
 * file only moves datagrams, runs the one timer, and paces the drain.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <linux/lw4o6.h>

#include "bfd_notify.h"
#include "bfd_responder.h"
#include "bfd_server.h"
#include "bfd_state.h"
#include "log.h"
#include "loop.h"
#include "pcp_server.h"
#include "strconv.h"

/*
 * Telling a million sessions AdminDown: DRAIN_CHUNK packets every
 * DRAIN_GAP_MS, 100,000 a second, so the drain itself is no burst that
 * the path to the B4s (or our own socket buffer) would drop.
 */
#define DRAIN_CHUNK	1000
#define DRAIN_GAP_MS	10

static struct {
	bool on;		/* "bfd on": a responder */
	bool draining;
	struct bfd_resp r;
	struct timer t;		/* the sessions' timers */
	struct timer drain_t;	/* the drain's pace */
	struct log_limit ll;
	uint64_t n_off;		/* BFD while "bfd off" */
	uint64_t n_send_err;
	char state_path[CONFIG_MAX_PATH];	/* for lw4o6d bfd (bfd_state.h) */
} B;

static void rearm(void)
{
	int64_t due = bfd_resp_due(&B.r), now = loop_now_ms();

	if (due == INT64_MAX) {
		timer_cancel(&B.t);
		return;
	}
	timer_arm(&B.t, due > now ? due - now : 0);
}

static void on_timer(struct timer *t)
{
	(void)t;
	bfd_resp_run(&B.r, loop_now_ms());
	rearm();
}

static void send_pkt(struct bfd_resp *r, const struct bfd_peer *p,
		     const uint8_t *pkt, size_t len)
{
	uint8_t buf[28 + BFD_LEN];
	struct udp4 u = {
		.src = htonl(LW4O6_CONTROL_ADDR), .dst = p->src4,
		.sport = BFD_SRC_PORT_MIN, .dport = BFD_PORT,
		.ttl = BFD_TTL, .data = pkt, .len = len,
	};
	int err;

	(void)r;
	len = udp4_build(&u, buf, sizeof(buf));
	err = pcp_server_queue4(&p->b4, buf, len);
	if (err) {
		B.n_send_err++;
		if (log_limit_ok(&B.ll)) {
			char a6[FMT_IPV6_LEN];

			log_warn("BFD to %s: %s", fmt_ipv6(&p->b4, a6),
				 strerror(-err));
		}
	}
}

static void changed(struct bfd_resp *r, const struct bfd_peer *p,
		    enum bfd_state old)
{
	char a6[FMT_IPV6_LEN];

	(void)r;
	/* for lw4o6 monitor: queued, sent at the next loop turn */
	bfd_notify(&p->b4, p->s.state, old, p->s.local_diag);
	/* one line a change, rate limited: a mass expiry is one story */
	if (log_limit_ok(&B.ll))
		log_info("BFD %s: %s -> %s (%s)", fmt_ipv6(&p->b4, a6),
			 bfd_state_name(old), bfd_state_name(p->s.state),
			 bfd_diag_name(p->s.state == BFD_UP ? p->s.remote_diag :
				       p->s.local_diag));
}

static const struct bfd_resp_ops ops = { .send = send_pkt, .changed = changed };

void bfd_server_input(const struct in6_addr *b4, const struct udp4 *u)
{
	struct bfd_resp_in in = {
		.b4 = *b4, .src4 = u->src, .sport = u->sport, .ttl = u->ttl,
		.data = u->data, .len = u->len,
	};
	enum bfd_resp_drop why;

	if (!B.on) {
		B.n_off++;
		return;
	}
	why = bfd_resp_rx(&B.r, &in, loop_now_ms());
	if (why && why != BFD_DROP_DRAINING && log_limit_ok(&B.ll)) {
		char a6[FMT_IPV6_LEN];
		struct bfd_pkt p;

		/* parsed again for the reason: only on this rare, limited path */
		log_info("BFD from %s dropped: %s%s%s", fmt_ipv6(b4, a6),
			 bfd_resp_drop_name(why), why == BFD_DROP_BAD ? ": " : "",
			 why == BFD_DROP_BAD ?
			 bfd_bad_name(bfd_parse(u->data, u->len, &p)) : "");
	}
	rearm();
}

static void drain_tick(struct timer *t)
{
	size_t left = bfd_resp_drain(&B.r, DRAIN_CHUNK, loop_now_ms());

	rearm();
	if (left)
		timer_arm(t, DRAIN_GAP_MS);
	else
		log_notice("BFD: every session told AdminDown (%zu sessions)",
			   B.r.st.sessions);
}

void bfd_server_drain(void)
{
	if (!B.on || B.draining)
		return;
	B.draining = true;
	log_notice("BFD: draining: AdminDown to %zu sessions, no new ones",
		   B.r.st.sessions);
	timer_arm(&B.drain_t, 0);
}

void bfd_server_undrain(void)
{
	if (!B.on || !B.draining)
		return;
	B.draining = false;
	timer_cancel(&B.drain_t);
	bfd_resp_undrain(&B.r, loop_now_ms());
	rearm();
	log_notice("BFD: drain over: %zu sessions Down until their B4s speak",
		   B.r.st.sessions);
}

/*
 * The sessions for `lw4o6d bfd`, written whole and renamed over the last
 * (so a reader never sees half of one).  A million sessions take about
 * 1.5 s (100 MB): only at start, on SIGUSR1 and at stop.
 */
static void write_state(void)
{
	char tmp[CONFIG_MAX_PATH + 8], line[256];
	int64_t now = loop_now_ms();
	time_t wall = time(NULL);
	struct bfd_peer *p;
	FILE *f;
	int bad;

	snprintf(tmp, sizeof(tmp), "%s.new", B.state_path);
	f = fopen(tmp, "we");
	if (!f) {
		log_warn("BFD: state for 'lw4o6d bfd': %s: %s", tmp,
			 strerror(errno));
		return;
	}
	errno = 0;
	fprintf(f, "pid %ld\nwritten %lld\ndraining %d\n", (long)getpid(),
		(long long)wall, B.draining);
	for (p = B.r.head; p; p = p->next) {
		bfd_state_line(p, now, wall, line, sizeof(line));
		fputs(line, f);
	}
	bad = ferror(f);
	if (fclose(f) || bad || rename(tmp, B.state_path)) {
		log_warn("BFD: state for 'lw4o6d bfd': %s: %s", B.state_path,
			 strerror(errno ? errno : EIO));
		unlink(tmp);
	}
}

bool bfd_server_stats(struct bfd_resp_stats *st)
{
	if (!B.on)
		return false;
	*st = B.r.st;
	return true;
}

void bfd_server_dump(void)
{
	const struct bfd_resp_stats *s = &B.r.st;

	if (!B.on) {
		log_notice("BFD responder: off (bfd off); %llu packets dropped",
			   (unsigned long long)B.n_off);
		return;
	}
	log_notice("BFD responder: %zu sessions (%zu up), %llu made, %llu freed, %llu up, %llu down; %llu received, %llu sent (%llu failed); dropped: %llu bad (length %llu, version %llu, multiplier %llu, multipoint %llu, my discriminator %llu, your discriminator %llu, authentication %llu, poll and final %llu), %llu TTL not 255, %llu source port, %llu not from 192.0.0.2, %llu no session, %llu another B4's discriminator, %llu table full, %llu draining",
		   s->sessions, s->up, (unsigned long long)s->created,
		   (unsigned long long)s->freed, (unsigned long long)s->ups,
		   (unsigned long long)s->downs, (unsigned long long)s->rx,
		   (unsigned long long)s->tx, (unsigned long long)(B.n_send_err + pcp_server_queue4_failed()),
		   (unsigned long long)s->drop[BFD_DROP_BAD],
		   (unsigned long long)s->bad[BFD_BAD_LENGTH],
		   (unsigned long long)s->bad[BFD_BAD_VERSION],
		   (unsigned long long)s->bad[BFD_BAD_MULT],
		   (unsigned long long)s->bad[BFD_BAD_MULTIPOINT],
		   (unsigned long long)s->bad[BFD_BAD_MY_DISC],
		   (unsigned long long)s->bad[BFD_BAD_YOUR_DISC],
		   (unsigned long long)s->bad[BFD_BAD_AUTH],
		   (unsigned long long)s->bad[BFD_BAD_POLL_FINAL],
		   (unsigned long long)s->drop[BFD_DROP_TTL],
		   (unsigned long long)s->drop[BFD_DROP_PORT],
		   (unsigned long long)s->drop[BFD_DROP_INNER_SOURCE],
		   (unsigned long long)s->drop[BFD_DROP_NO_SESSION],
		   (unsigned long long)s->drop[BFD_DROP_WRONG_SOURCE],
		   (unsigned long long)s->drop[BFD_DROP_FULL],
		   (unsigned long long)s->drop[BFD_DROP_DRAINING]);
	bfd_notify_log_counters();
	write_state();
}

int bfd_server_start(const struct lw4o6d_config *c)
{
	struct bfd_resp_cfg rc = {
		.interval_us = c->bfd_interval * 1000u, .mult = c->bfd_mult,
		.max_sessions = c->bfd_max_sessions,
	};
	int err;

	memset(&B, 0, sizeof(B));
	B.ll.burst = 20;
	timer_init(&B.t, on_timer);
	timer_init(&B.drain_t, drain_tick);
	if (!c->bfd) {
		log_notice("BFD responder off: BFD from B4s is dropped");
		return 0;
	}
	err = bfd_resp_init(&B.r, &ops, &rc);
	if (err) {
		log_err("BFD responder: %s", strerror(-err));
		return -1;
	}
	B.on = true;
	/* failing, it has logged why: the responder runs unreported */
	bfd_notify_start(c->device);
	bfd_state_path(c, B.state_path, sizeof(B.state_path));
	/* at once: lw4o6d bfd finds the daemon's pid there */
	write_state();
	log_notice("BFD responder: %u ms intervals, multiplier %u, up to %u sessions",
		   c->bfd_interval, c->bfd_mult, c->bfd_max_sessions);
	return 0;
}

void bfd_server_stop(void)
{
	struct timespec gap = { 0, DRAIN_GAP_MS * 1000000L };
	size_t left, n = 0;

	if (B.on) {
		/*
		 * The loop is over: the drain (or what a drain under way has
		 * left) here, at its pace, so that every B4 hears AdminDown
		 * before we go.
		 */
		n = left = bfd_resp_drain(&B.r, 0, loop_now_ms());
		while (left) {
			left = bfd_resp_drain(&B.r, DRAIN_CHUNK, loop_now_ms());
			/* no loop turn flushes now: the chunk and its changes */
			pcp_server_flush4();
			bfd_notify_flush();
			if (left)
				nanosleep(&gap, NULL);
		}
		if (n)
			log_notice("BFD: stopping: told %zu sessions AdminDown", n);
	}
	bfd_server_dump();
	bfd_notify_stop();
	timer_cancel(&B.t);
	timer_cancel(&B.drain_t);
	if (B.on)
		bfd_resp_fini(&B.r);
	memset(&B, 0, sizeof(B));
}
