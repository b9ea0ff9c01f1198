// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The anycast address's life cycle (anycast.h).  The checks read the
 * kernel and the core, nothing else: the device's flags (SIOCGIFFLAGS),
 * the IPv4 FIB's entry for the upstream prefix (RTM_GETROUTE with
 * RTM_F_FIB_MATCH, one lookup, not a dump of what may be a full table),
 * the store's connection (core_store_up()) and the drain file.  Polled,
 * not followed by events: a second is well inside what routing
 * convergence takes anyway, and a poll cannot miss an event.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/rtnetlink.h>

#include "anycast.h"
#include "anycast_state.h"
#include "command_line.h"
#include "core.h"
#include "log.h"
#include "loop.h"
#include "nlsock.h"
#include "strconv.h"

#define TICK_MS	1000

static struct {
	bool on;
	struct lw4o6d_config cfg;
	struct anycast_state st;
	struct nl *rt;
	int ioc;		/* an AF_INET datagram socket for ioctl() */
	struct timer tick;
	char why[CONFIG_MAX_PATH + 64];	/* the last failed check, for the log */
	char said[CONFIG_MAX_PATH + 64];	/* the last one logged while withdrawn */
	char addr[INET6_ADDRSTRLEN];
	bool upstream_ok;	/* the last check found the upstream route */
} A = { .ioc = -1, .upstream_ok = true };

/* Told each time the address goes on or off (kept across a reload's restart). */
static void (*announced_fn)(void);
static void (*withdrawn_fn)(void);
static void (*upstream_fn)(bool ok);

static bool dev_running(const char *name)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(A.ioc, SIOCGIFFLAGS, &ifr))
		return false;
	return (ifr.ifr_flags & (IFF_UP | IFF_RUNNING)) == (IFF_UP | IFF_RUNNING);
}

struct fib_match {
	uint32_t plen;
	bool found;
};

static int fib_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct fib_match *m = data;

	if (nlh->nlmsg_type == RTM_NEWROUTE && rtm->rtm_type == RTN_UNICAST &&
	    rtm->rtm_dst_len == m->plen)
		m->found = true;
	return 0;	/* nl_recv(): nonzero is the request's failure */
}

/*
 * The FIB entry that routes the prefix's first host address is a unicast
 * route for exactly the upstream prefix.  The default is probed with
 * 255.255.255.254 (class E, which nothing routes more specifically; 0.0.0.0
 * is "this host" to a lookup and 0.0.0.0/8 is refused as a destination).
 */
static bool upstream_routed(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct fib_match m = { .plen = A.cfg.upstream_plen };
	uint32_t probe = !A.cfg.upstream_plen ? htonl(0xfffffffe) :
			 A.cfg.upstream_plen < 32 ? A.cfg.upstream | htonl(1) :
			 A.cfg.upstream;
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;

	/* ACK: the answer is one message, and nl_talk() waits for the end */
	nlh = nl_req(A.rt, buf, RTM_GETROUTE, NLM_F_REQUEST | NLM_F_ACK);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	rtm->rtm_flags = RTM_F_FIB_MATCH;
	rtm->rtm_dst_len = 32;
	mnl_attr_put(nlh, RTA_DST, sizeof(probe), &probe);
	if (nl_talk(A.rt, nlh, fib_cb, &m))
		return false;
	return m.found;
}

/* Why this lwAFTR cannot serve now, or NULL. */
static const char *check(void)
{
	struct in_addr up = { .s_addr = A.cfg.upstream };
	char a4[INET_ADDRSTRLEN];
	bool ok;

	/* first, whatever else fails: the PCP server is told (NETWORK_FAILURE) */
	ok = upstream_routed();
	if (ok != A.upstream_ok) {
		A.upstream_ok = ok;
		if (upstream_fn)
			upstream_fn(ok);
	}

	if (!access(A.cfg.drain_file, F_OK)) {
		snprintf(A.why, sizeof(A.why), "draining (%s exists)",
			 A.cfg.drain_file);
		return A.why;
	}
	if (!if_nametoindex(A.cfg.anycast_dev)) {
		snprintf(A.why, sizeof(A.why), "no interface %s", A.cfg.anycast_dev);
		return A.why;
	}
	if (!dev_running(A.cfg.device)) {
		snprintf(A.why, sizeof(A.why), "device %s is down", A.cfg.device);
		return A.why;
	}
	if (!core_store_up()) {
		snprintf(A.why, sizeof(A.why), "the store is unreachable");
		return A.why;
	}
	if (!A.upstream_ok) {
		inet_ntop(AF_INET, &up, a4, sizeof(a4));
		snprintf(A.why, sizeof(A.why), "no route to upstream %s/%u", a4,
			 A.cfg.upstream_plen);
		return A.why;
	}
	return NULL;
}

/* RTM_NEWADDR or RTM_DELADDR of the /128 on the dummy. */
static int addr_change(uint16_t type)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], err[256];
	unsigned int ifindex = if_nametoindex(A.cfg.anycast_dev);
	struct ifaddrmsg *ifa;
	struct nlmsghdr *nlh;
	int rc;

	if (!ifindex)
		return -ENODEV;
	nlh = nl_req(A.rt, buf, type, NLM_F_REQUEST | NLM_F_ACK |
		     (type == RTM_NEWADDR ? NLM_F_CREATE | NLM_F_REPLACE : 0));
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET6;
	ifa->ifa_prefixlen = 128;
	ifa->ifa_flags = IFA_F_NODAD;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = ifindex;
	mnl_attr_put(nlh, IFA_LOCAL, sizeof(A.cfg.anycast), &A.cfg.anycast);
	mnl_attr_put(nlh, IFA_ADDRESS, sizeof(A.cfg.anycast), &A.cfg.anycast);
	rc = nl_talk(A.rt, nlh, NULL, NULL);
	if (rc && !(type == RTM_DELADDR && rc == -EADDRNOTAVAIL)) {
		log_err("anycast %s on %s: %s", A.addr, A.cfg.anycast_dev,
			nl_strerror(A.rt, nlh, rc, type == RTM_NEWADDR ?
				    "adding" : "deleting", err, sizeof(err)));
		return rc;
	}
	return 0;
}

static void on_tick(struct timer *t)
{
	const char *why = check();

	switch (anycast_state_step(&A.st, !why, loop_now_ms())) {
	case ANYCAST_ANNOUNCE:
		if (addr_change(RTM_NEWADDR))
			A.st.announced = false;	/* again at the next tick */
		else {
			log_notice("anycast %s announced on %s", A.addr,
				   A.cfg.anycast_dev);
			if (announced_fn)
				announced_fn();
		}
		break;
	case ANYCAST_WITHDRAW:
		addr_change(RTM_DELADDR);
		log_warn("anycast %s withdrawn from %s: %s", A.addr,
			 A.cfg.anycast_dev, why);
		snprintf(A.said, sizeof(A.said), "%s", why);
		if (withdrawn_fn)
			withdrawn_fn();
		break;
	case ANYCAST_KEEP:
		/* Withdrawn: say why once, not every second. */
		if (!A.st.announced && why && strcmp(why, A.said)) {
			log_notice("anycast %s not announced: %s", A.addr, why);
			snprintf(A.said, sizeof(A.said), "%s", why);
		}
		break;
	}
	if (A.st.announced || !why)
		A.said[0] = '\0';
	timer_arm(t, TICK_MS);
}

int anycast_start(const struct lw4o6d_config *c, void (*announced)(void),
		  void (*withdrawn)(void), void (*upstream)(bool ok))
{
	announced_fn = announced;
	withdrawn_fn = withdrawn;
	upstream_fn = upstream;
	if (!c->has_anycast)
		return 0;
	A.cfg = *c;
	inet_ntop(AF_INET6, &c->anycast, A.addr, sizeof(A.addr));
	A.rt = nl_open(NETLINK_ROUTE);
	A.ioc = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (!A.rt || A.ioc < 0) {
		log_err("anycast: rtnetlink: %s", strerror(errno));
		anycast_stop();
		return -1;
	}
	A.on = true;
	anycast_state_init(&A.st, c->hold_down * 1000);
	/* What a previous run left says nothing of this one: start withdrawn. */
	addr_change(RTM_DELADDR);
	log_notice("anycast %s on %s: announced after %u s of passing checks",
		   A.addr, c->anycast_dev, c->hold_down);
	timer_init(&A.tick, on_tick);
	timer_arm(&A.tick, 0);
	return 0;
}

void anycast_stop(void)
{
	if (A.on) {
		timer_cancel(&A.tick);
		if (A.st.announced && !addr_change(RTM_DELADDR))
			log_notice("anycast %s withdrawn from %s: stopping",
				   A.addr, A.cfg.anycast_dev);
	}
	if (A.rt)
		nl_close(A.rt);
	if (A.ioc >= 0)
		close(A.ioc);
	memset(&A, 0, sizeof(A));
	A.ioc = -1;
}

int anycast_reload(const struct lw4o6d_config *c)
{
	if (A.on == c->has_anycast &&
	    (!A.on || (!memcmp(&A.cfg.anycast, &c->anycast, sizeof(c->anycast)) &&
		       !strcmp(A.cfg.anycast_dev, c->anycast_dev)))) {
		/* the same address: only the checks' parameters change */
		if (A.on) {
			A.cfg = *c;
			A.st.hold_ms = c->hold_down * 1000;
		}
		return 0;
	}
	anycast_stop();
	return anycast_start(c, announced_fn, withdrawn_fn, upstream_fn);
}

/* ---- lw4o6d drain ------------------------------------------------------ */

static void drain_usage(FILE *f)
{
	fputs("Usage: lw4o6d drain [ -c FILE ] { on | off | status }\n"
	      "  on      withdraw the anycast address (within a second) and keep it\n"
	      "          withdrawn, across restarts, until 'drain off'\n"
	      "  off     announce it again once the checks have passed for hold-down\n"
	      "  status  say which, and the drain file\n", f);
}

static int mkdir_parent(const char *path)
{
	char dir[CONFIG_MAX_PATH];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -1;
	return 0;
}

int anycast_drain_main(int argc, char **argv, const char *default_config)
{
	const char *path = default_config;
	struct lw4o6d_config c;
	int o, fd;

	optind = 1;
	while ((o = getopt(argc, argv, "c:h")) != -1) {
		switch (o) {
		case 'c': path = optarg; break;
		case 'h': drain_usage(stdout); return 0;
		default: drain_usage(stderr); return 1;
		}
	}
	if (optind + 1 != argc) {
		drain_usage(stderr);
		return 1;
	}
	if (command_line_config(path, &c)) {
		fprintf(stderr, "lw4o6d drain: %s cannot be used\n", path);
		return 1;
	}
	if (!c.has_anycast) {
		fprintf(stderr, "lw4o6d drain: %s has no 'anycast' line: nothing to withdraw\n",
			path);
		return 1;
	}
	if (!strcmp(argv[optind], "status")) {
		printf("%s (%s)\n", access(c.drain_file, F_OK) ? "not draining" :
		       "draining", c.drain_file);
		return 0;
	}
	if (!strcmp(argv[optind], "on")) {
		fd = mkdir_parent(c.drain_file) ? -1 :
		     open(c.drain_file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0) {
			fprintf(stderr, "lw4o6d drain: %s: %s\n", c.drain_file,
				strerror(errno));
			return 1;
		}
		close(fd);
		return 0;
	}
	if (!strcmp(argv[optind], "off")) {
		if (unlink(c.drain_file) && errno != ENOENT) {
			fprintf(stderr, "lw4o6d drain: %s: %s\n", c.drain_file,
				strerror(errno));
			return 1;
		}
		return 0;
	}
	fprintf(stderr, "lw4o6d drain: unknown '%s'\n", argv[optind]);
	drain_usage(stderr);
	return 1;
}
