// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The lwB4's uplink addresses, for WAN renumbering (b4_uplink.h). */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include "b4_uplink.h"
#include "log.h"
#include "loop.h"
#include "nlsock.h"
#include "strconv.h"

/* Events come in bursts (a new prefix, then the old one deprecated). */
#define SETTLE_MS	200

static struct {
	struct b4_uplink_ops ops;
	char ifname[IF_NAMESIZE];
	unsigned int ifindex;
	struct nl *ev, *rt;
	struct in6_addr cur;
	struct timer t;
	bool said_none;		/* "no usable address" logged once a time */
} U;

struct scan {
	bool cur_seen, cur_preferred;
	bool have;
	struct in6_addr best;
	uint32_t best_pref;
};

static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFA_MAX + 1] = { 0 };
	struct scan *s = data;
	struct in6_addr a;
	uint32_t flags, pref = UINT32_MAX;

	if (nlh->nlmsg_type != RTM_NEWADDR || ifa->ifa_family != AF_INET6 ||
	    ifa->ifa_index != U.ifindex || ifa->ifa_scope != RT_SCOPE_UNIVERSE)
		return 0;
	nl_parse_msg(nlh, sizeof(*ifa), tb, IFA_MAX);
	if (!nl_get_in6(tb[IFA_ADDRESS], &a) && !nl_get_in6(tb[IFA_LOCAL], &a))
		return 0;
	flags = ifa->ifa_flags;
	nl_get_u32(tb[IFA_FLAGS], &flags);
	if (tb[IFA_CACHEINFO] &&
	    mnl_attr_get_payload_len(tb[IFA_CACHEINFO]) >=
	    sizeof(struct ifa_cacheinfo)) {
		const struct ifa_cacheinfo *ci =
			mnl_attr_get_payload(tb[IFA_CACHEINFO]);

		pref = ci->ifa_prefered;
	}
	if (!memcmp(&a, &U.cur, sizeof(a))) {
		s->cur_seen = true;
		s->cur_preferred = !(flags & IFA_F_DEPRECATED) && pref;
		return 0;
	}
	if (flags & (IFA_F_DEPRECATED | IFA_F_TENTATIVE | IFA_F_DADFAILED |
		     IFA_F_TEMPORARY) || !pref)
		return 0;
	/* the longest preferred lifetime, then the lowest address */
	if (!s->have || pref > s->best_pref ||
	    (pref == s->best_pref && memcmp(&a, &s->best, sizeof(a)) < 0)) {
		s->have = true;
		s->best = a;
		s->best_pref = pref;
	}
	return 0;
}

static void judge(struct timer *t)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], a6[FMT_IPV6_LEN], b6[FMT_IPV6_LEN];
	struct ifaddrmsg *ifa;
	struct nlmsghdr *nlh;
	struct scan s = { 0 };
	int err;

	(void)t;
	nlh = nl_req(U.rt, buf, RTM_GETADDR, NLM_F_DUMP);
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET6;
	err = nl_talk(U.rt, nlh, addr_cb, &s);
	if (err) {
		log_warn("uplink %s: reading its addresses: %s", U.ifname,
			 strerror(-err));
		timer_arm(&U.t, 1000);
		return;
	}
	if (s.cur_seen && s.cur_preferred) {
		U.said_none = false;
		return;
	}
	if (!s.have) {
		if (!U.said_none)
			log_warn("uplink %s: %s is %s and there is no other usable global address; the softwire stays",
				 U.ifname, fmt_ipv6(&U.cur, a6),
				 s.cur_seen ? "deprecated" : "gone");
		U.said_none = true;
		return;
	}
	U.said_none = false;
	log_notice("uplink %s renumbered: %s is %s; moving the softwire to %s",
		   U.ifname, fmt_ipv6(&U.cur, a6),
		   s.cur_seen ? "deprecated" : "gone", fmt_ipv6(&s.best, b6));
	U.ops.move(&U.cur, &s.best, s.cur_seen, U.ops.arg);
}

/* Whatever changed, the addresses are read back once things settle. */
static void on_event(int fd, void *arg)
{
	char buf[8192];

	(void)arg;
	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
	if (!U.t.armed)
		timer_arm(&U.t, SETTLE_MS);
}

int b4_uplink_start(const char *ifname, const struct in6_addr *current,
		    const struct b4_uplink_ops *ops)
{
	char a6[FMT_IPV6_LEN];
	int err;

	snprintf(U.ifname, sizeof(U.ifname), "%s", ifname);
	U.ops = *ops;
	U.cur = *current;
	U.ifindex = if_nametoindex(ifname);
	if (!U.ifindex) {
		log_err("uplink %s: %s", ifname, strerror(errno));
		return -1;
	}
	U.ev = nl_open(NETLINK_ROUTE);
	U.rt = nl_open(NETLINK_ROUTE);
	if (!U.ev || !U.rt) {
		log_err("uplink %s: netlink: %s", ifname, strerror(errno));
		return -1;
	}
	if ((err = nl_join_group(U.ev, RTNLGRP_IPV6_IFADDR)) ||
	    (err = loop_add_fd(mnl_socket_get_fd(U.ev->sk), on_event, NULL))) {
		log_err("uplink %s: address events: %s", ifname, strerror(-err));
		return -1;
	}
	timer_init(&U.t, judge);
	log_info("uplink %s: the softwire's source %s follows its addresses",
		 ifname, fmt_ipv6(current, a6));
	/* A source that is not (or no longer) on the uplink moves at once. */
	timer_arm(&U.t, 0);
	return 0;
}

void b4_uplink_set(const struct in6_addr *a)
{
	U.cur = *a;
}

void b4_uplink_stop(void)
{
	if (U.ev) {
		loop_del_fd(mnl_socket_get_fd(U.ev->sk));
		nl_close(U.ev);
	}
	if (U.rt)
		nl_close(U.rt);
	timer_cancel(&U.t);
	memset(&U, 0, sizeof(U));
}
