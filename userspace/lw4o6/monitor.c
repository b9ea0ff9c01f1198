// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * lw4o6 monitor: print the "events" group as the kernel sends it: binding
 * table changes, misses, device changes, and lw4o6d's BFD changes.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <linux/genetlink.h>

#include <linux/lw4o6.h>

#include "bindmsg.h"
#include "bindprint.h"
#include "cli.h"
#include "nlsock.h"
#include "print.h"
#include "strconv.h"

static volatile sig_atomic_t stop;

/* The events by the names they are printed with; the index is the filter bit. */
static const struct {
	const char *name;
	uint8_t cmd;
} events[] = {
	{ "add",		LW4O6_CMD_EVT_BIND_ADD },
	{ "del",		LW4O6_CMD_EVT_BIND_DEL },
	{ "replace",		LW4O6_CMD_EVT_BIND_REPLACE },
	{ "flush",		LW4O6_CMD_EVT_TABLE_FLUSH },
	{ "load",		LW4O6_CMD_EVT_TABLE_LOAD },
	{ "binding-miss",	LW4O6_CMD_EVT_BINDING_MISS },
	{ "icmp-no-binding",	LW4O6_CMD_EVT_ICMP_NO_BINDING },
	{ "icmp-unreachable",	LW4O6_CMD_EVT_ICMP_UNREACHABLE },
	{ "dev-change",		LW4O6_CMD_EVT_DEV_CHANGE },
	{ "bfd-change",		LW4O6_CMD_EVT_BFD_CHANGE },
};

#define N_EVENTS (sizeof(events) / sizeof(events[0]))
/* "binding": the table's own events, the first five. */
#define EVENTS_BINDING	0x1fU

/* What to print: which events (bits by events[]; 0 = all), on which device. */
static struct {
	unsigned int events;
	const char *dev;
	bool timestamp;
} filter;

void usage_monitor(FILE *f)
{
	fputs("Usage: lw4o6 monitor [ -timestamp | -ts ] [ EVENT ... ] [ dev NAME ]\n"
	      "       lw4o6 monitor help\n"
	      "EVENT := { binding | add | del | replace | flush | load |\n"
	      "           binding-miss | icmp-no-binding | icmp-unreachable |\n"
	      "           dev-change | bfd-change }   (default: all;\n"
	      "           binding: add, del, replace, flush and load)\n"
	      "-ts     : each event after its local time, as ip -ts monitor\n", f);
}

/* -timestamp / -ts also work before "monitor", as for ip(8). */
void monitor_timestamps(void)
{
	filter.timestamp = true;
}

static int parse_args(int argc, char **argv)
{
	const char *words[N_EVENTS + 4];
	char err[128];
	size_t k;
	int i;

	for (i = 1; i < argc; i++) {
		const char *w = argv[i];

		if (!strcmp(w, "-timestamp") || !strcmp(w, "-ts")) {
			filter.timestamp = true;
			continue;
		}
		if (!strcmp(w, "dev")) {
			if (filter.dev)
				return usage_error("monitor", "monitor: \"dev\" given twice");
			if (++i == argc)
				return usage_error("monitor", "monitor: \"dev\" needs a value");
			if (check_ifname(argv[i], err, sizeof(err)))
				return usage_error("monitor", "monitor: %s", err);
			filter.dev = argv[i];
			continue;
		}
		if (!strcmp(w, "binding")) {
			filter.events |= EVENTS_BINDING;
			continue;
		}
		for (k = 0; k < N_EVENTS; k++)
			if (!strcmp(w, events[k].name))
				break;
		if (k < N_EVENTS) {
			filter.events |= 1U << k;
			continue;
		}
		for (k = 0; k < N_EVENTS; k++)
			words[k] = events[k].name;
		words[k++] = "binding";
		words[k++] = "dev";
		words[k++] = "-timestamp";
		words[k++] = "-ts";
		return usage_error("monitor", "monitor: unknown event \"%s\"%s", w,
				   did_you_mean(w, words, k));
	}
	return 0;
}

static bool wanted(uint8_t cmd, const char *dev)
{
	size_t k;

	if (filter.dev && strcmp(filter.dev, dev))
		return false;
	if (!filter.events)
		return true;
	for (k = 0; k < N_EVENTS; k++)
		if (events[k].cmd == cmd)
			return filter.events & (1U << k);
	return false;	/* an event this version has no name for */
}

/* "[2026-12-03T13:25:41.123456]", local time, as `ip -ts monitor`. */
static void print_timestamp(void)
{
	char text[96], iso[16];
	struct timeval tv;
	struct tm tm;

	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(iso, sizeof(iso), "%z", &tm);
	print_string(PRINT_FP, NULL, "[%s", text);
	print_uint(PRINT_FP, NULL, ".%06u] ", (unsigned int)tv.tv_usec);
	/* JSON: the same instant, with its offset (ISO 8601). */
	snprintf(text + strlen(text), sizeof(text) - strlen(text), ".%06u%.3s:%.2s",
		 (unsigned int)tv.tv_usec, iso, iso + 3);
	print_string(PRINT_JSON, "timestamp", NULL, text);
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* A B4 failed the source check: who (outer source) sent what (inner). */
/* who: what MISS_B4 is in this event ("b4" or "from"). */
static void print_miss(const struct nlattr **tb, const char *who)
{
	char fmt[16];

	char a6[INET6_ADDRSTRLEN], a4[INET_ADDRSTRLEN];

	if (tb[LW4O6_A_MISS_B4] &&
	    mnl_attr_get_payload_len(tb[LW4O6_A_MISS_B4]) == 16) {
		inet_ntop(AF_INET6, mnl_attr_get_payload(tb[LW4O6_A_MISS_B4]),
			  a6, sizeof(a6));
		snprintf(fmt, sizeof(fmt), " %s %%s", who);
		print_string(PRINT_ANY, who, fmt, a6);
	}
	if (tb[LW4O6_A_MISS_IPV4] &&
	    mnl_attr_get_payload_len(tb[LW4O6_A_MISS_IPV4]) == 4) {
		inet_ntop(AF_INET, mnl_attr_get_payload(tb[LW4O6_A_MISS_IPV4]),
			  a4, sizeof(a4));
		print_string(PRINT_ANY, "ipv4", " ipv4 %s", a4);
	}
	if (tb[LW4O6_A_MISS_PORT] &&
	    mnl_attr_get_payload_len(tb[LW4O6_A_MISS_PORT]) == 2)
		print_uint(PRINT_ANY, "port", " port %u",
			   mnl_attr_get_u16(tb[LW4O6_A_MISS_PORT]));
	/* miss-hold keeps the packet: the answer decides its fate. */
	if (tb[LW4O6_A_MISS_HELD] &&
	    mnl_attr_get_payload_len(tb[LW4O6_A_MISS_HELD]) == 1 &&
	    mnl_attr_get_u8(tb[LW4O6_A_MISS_HELD])) {
		print_on_off(PRINT_JSON, "held", NULL, true);
		print_text(" held");
	}
}

/*
 * What a DEV_SET leaves: the ends and a B4's binding, the parts that move
 * on their own (lw4o6d switching AFTR, renumbering, provisioning); the
 * rest is `lw4o6 dev show`'s.
 */
static void print_dev_change(const struct nlattr *const *tb)
{
	char text[FMT_IPV6_LEN];
	struct in6_addr a;
	uint32_t v4;
	uint16_t psid;
	uint8_t psid_len;

	if (nl_get_in6(tb[LW4O6_A_LOCAL], &a))
		print_string(PRINT_ANY, "local", " local %s", fmt_ipv6(&a, text));
	if (nl_get_in6(tb[LW4O6_A_REMOTE], &a))
		print_string(PRINT_ANY, "remote", " remote %s", fmt_ipv6(&a, text));
	if (nl_get_u32(tb[LW4O6_A_IPV4], &v4) &&
	    nl_get_u16(tb[LW4O6_A_PSID], &psid) &&
	    nl_get_u8(tb[LW4O6_A_PSID_LEN], &psid_len)) {
		struct in_addr in = { .s_addr = v4 };
		char v4text[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &in, v4text, sizeof(v4text));
		print_string(PRINT_ANY, "ipv4", " ipv4 %s", v4text);
		print_uint(PRINT_JSON, "psid", NULL, psid);
		print_uint(PRINT_JSON, "psid_len", NULL, psid_len);
		print_uint(PRINT_FP, NULL, " psid %u", psid);
		print_uint(PRINT_FP, NULL, "/%u", psid_len);
	}
}

/*
 * BFD's words, as lw4o6d's log, state files and `lw4o6d bfd` have them
 * (lw4o6d/bfd.c), so that one grep finds a session in all of them.
 */
static const char *bfd_state_word(uint8_t state)
{
	static const char *const names[] = {
		[LW4O6_BFD_ADMIN_DOWN] = "admin-down", [LW4O6_BFD_DOWN] = "down",
		[LW4O6_BFD_INIT] = "init", [LW4O6_BFD_UP] = "up",
	};

	return state <= LW4O6_BFD_STATE_MAX ? names[state] : "unknown";
}

/* RFC 5880 4.1's diagnostics; the rest of the 5 bits are reserved. */
static const char *bfd_diag_word(uint8_t diag)
{
	static const char *const names[] = {
		"none", "control-detection-time-expired", "echo-function-failed",
		"neighbor-signaled-down", "forwarding-plane-reset", "path-down",
		"concatenated-path-down", "administratively-down",
		"reverse-concatenated-path-down",
	};

	return diag < sizeof(names) / sizeof(names[0]) ? names[diag] : "reserved";
}

/*
 * A session of lw4o6d's changed state: with whom (the B4 on an lwAFTR,
 * the AFTR on a B4), from what to what, and why (the local diagnostic).
 */
static void print_bfd_change(const struct nlattr *const *tb)
{
	char text[FMT_IPV6_LEN];
	struct in6_addr a;
	uint8_t state, old, diag;

	if (nl_get_in6(tb[LW4O6_A_BFD_PEER], &a))
		print_string(PRINT_ANY, "peer", " peer %s", fmt_ipv6(&a, text));
	if (nl_get_u8(tb[LW4O6_A_BFD_OLD_STATE], &old))
		print_string(PRINT_ANY, "old_state", " %s ->",
			     bfd_state_word(old));
	if (nl_get_u8(tb[LW4O6_A_BFD_STATE], &state))
		print_string(PRINT_ANY, "state", " %s", bfd_state_word(state));
	if (nl_get_u8(tb[LW4O6_A_BFD_DIAG], &diag)) {
		print_string(PRINT_ANY, "diag", " diag %s", bfd_diag_word(diag));
		print_uint(PRINT_JSON, "diag_code", NULL, diag);
	}
}

static void print_event(const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[LW4O6_A_MAX + 1];
	char namebuf[IF_NAMESIZE + 8];
	const char *ev = NULL, *dev;
	struct lw4o6_bind b;
	struct bind_stats st;
	uint32_t ifindex = 0, count = 0;

	nl_parse_msg(nlh, GENL_HDRLEN, tb, LW4O6_A_MAX);
	nl_get_u32(tb[LW4O6_A_IFINDEX], &ifindex);
	dev = nl_get_str(tb[LW4O6_A_IFNAME]);
	if (!dev)
		dev = if_indextoname(ifindex, namebuf);
	if (!dev) {
		snprintf(namebuf, sizeof(namebuf), "if%u", ifindex);
		dev = namebuf;
	}

	switch (g->cmd) {
	case LW4O6_CMD_EVT_BIND_ADD:	 ev = "add"; break;
	case LW4O6_CMD_EVT_BIND_DEL:	 ev = "del"; break;
	case LW4O6_CMD_EVT_BIND_REPLACE: ev = "replace"; break;
	case LW4O6_CMD_EVT_TABLE_FLUSH:	 ev = "flush"; break;
	case LW4O6_CMD_EVT_TABLE_LOAD:	 ev = "load"; break;
	case LW4O6_CMD_EVT_BINDING_MISS: ev = "binding-miss"; break;
	case LW4O6_CMD_EVT_ICMP_NO_BINDING: ev = "icmp-no-binding"; break;
	case LW4O6_CMD_EVT_ICMP_UNREACHABLE: ev = "icmp-unreachable"; break;
	case LW4O6_CMD_EVT_DEV_CHANGE:	 ev = "dev-change"; break;
	case LW4O6_CMD_EVT_BFD_CHANGE:	 ev = "bfd-change"; break;
	}
	if (!wanted(g->cmd, dev))
		return;

	/* One compact JSON object per line, whatever -p says: a log stream. */
	new_json_obj(opts.json, false);
	open_json_object(NULL);
	if (filter.timestamp)
		print_timestamp();
	if (ev) {
		print_string(PRINT_ANY, "event", "%s", ev);
	} else {
		print_string(PRINT_JSON, "event", NULL, "unknown");
		print_uint(PRINT_ANY, "cmd", "event %u", g->cmd);
	}
	print_string(PRINT_ANY, "dev", " dev %s", dev);
	if (ifindex)
		print_uint(PRINT_JSON, "ifindex", NULL, ifindex);

	switch (g->cmd) {
	case LW4O6_CMD_EVT_BIND_ADD:
	case LW4O6_CMD_EVT_BIND_DEL:
	case LW4O6_CMD_EVT_BIND_REPLACE:
		if (!bind_get(tb[LW4O6_A_BINDING], &b, &st)) {
			print_string(PRINT_FP, NULL, "%s", " ");
			print_binding(&b, NULL);
		}
		break;
	case LW4O6_CMD_EVT_TABLE_FLUSH:
		nl_get_u32(tb[LW4O6_A_BINDING_COUNT], &count);
		print_uint(PRINT_ANY, "removed", " removed %u", count);
		break;
	case LW4O6_CMD_EVT_TABLE_LOAD:
		nl_get_u32(tb[LW4O6_A_BINDING_COUNT], &count);
		print_uint(PRINT_ANY, "bindings", " bindings %u", count);
		break;
	case LW4O6_CMD_EVT_BINDING_MISS:
		print_miss(tb, "b4");
		break;
	case LW4O6_CMD_EVT_ICMP_NO_BINDING:
	case LW4O6_CMD_EVT_ICMP_UNREACHABLE:
		print_miss(tb, "from");
		break;
	case LW4O6_CMD_EVT_DEV_CHANGE:
		print_dev_change(tb);
		break;
	case LW4O6_CMD_EVT_BFD_CHANGE:
		print_bfd_change(tb);
		break;
	}
	close_json_object();
	print_nl();
	delete_json_obj();
	fflush(stdout);
}

int do_monitor(int argc, char **argv)
{
	struct sigaction sa;
	sigset_t block, orig;
	struct nl *nl;
	int err;

	err = parse_args(argc, argv);
	if (err)
		return err;
	nl = get_genl();
	if (!nl)
		return EXIT_ERR;
	if (!nl->events_group) {
		errmsg("monitor: the lw4o6 module has no \"%s\" group",
		       LW4O6_MCGRP_EVENTS);
		return EXIT_ERR;
	}
	err = nl_join_group(nl, nl->events_group);
	if (err) {
		errmsg("monitor: cannot join the events group: %s", strerror(-err));
		return EXIT_ERR;
	}

	/*
	 * The signals stay blocked except inside ppoll(), so one that arrives
	 * between the check of stop and the wait cannot be missed.
	 */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &orig);

	while (!stop) {
		const struct nlmsghdr *nlh = (const void *)nl->rbuf;
		struct pollfd pfd = { mnl_socket_get_fd(nl->sk), POLLIN, 0 };
		ssize_t n;
		int len;

		if (ppoll(&pfd, 1, NULL, &orig) < 0) {
			if (errno == EINTR)
				continue;
			errmsg("monitor: %s", strerror(errno));
			return EXIT_ERR;
		}
		n = mnl_socket_recvfrom(nl->sk, nl->rbuf, nl->rbuf_len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				errmsg("monitor: events were lost (receive buffer full)");
				continue;
			}
			errmsg("monitor: %s", strerror(errno));
			return EXIT_ERR;
		}
		for (len = (int)n; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_type != nl->family ||
			    nlh->nlmsg_len < MNL_NLMSG_HDRLEN + GENL_HDRLEN)
				continue;
			print_event(nlh);
		}
	}
	sigprocmask(SIG_SETMASK, &orig, NULL);
	return EXIT_OK;
}
