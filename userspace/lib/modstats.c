// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <errno.h>
#include <string.h>
#include <linux/genetlink.h>

#include "modstats.h"
#include "names.h"
#include "prom.h"

struct nl *modstats_open(int *err)
{
	struct nl *nl = nl_open(NETLINK_GENERIC);

	if (!nl) {
		*err = -errno;
		return NULL;
	}
	*err = genl_resolve(nl, LW4O6_GENL_NAME, LW4O6_MCGRP_EVENTS);
	if (*err) {
		nl_close(nl);
		return NULL;
	}
	return nl;
}

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[LW4O6_A_MAX + 1], *a;
	struct modstats *s = data;

	nl_parse_msg(nlh, GENL_HDRLEN, tb, LW4O6_A_MAX);
	if (!tb[LW4O6_A_STATS])
		return 0;
	mnl_attr_for_each_nested(a, tb[LW4O6_A_STATS]) {
		unsigned int type = mnl_attr_get_type(a);
		uint64_t v;

		/* type 0 is padding; a newer module's extra ones fit or are skipped */
		if (!type || type >= MODSTATS_N || !nl_get_u64(a, &v))
			continue;
		s->has[type] = true;
		s->v[type] = v;
	}
	return 0;
}

int modstats_get(struct nl *nl, const char *dev, struct modstats *s)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	memset(s, 0, sizeof(*s));
	snprintf(s->dev, sizeof(s->dev), "%s", dev);
	nlh = genl_req(nl, buf, LW4O6_CMD_STATS_GET, NLM_F_ACK);
	mnl_attr_put_strz(nlh, LW4O6_A_IFNAME, dev);
	return nl_talk(nl, nlh, stats_cb, s);
}

struct dev_list {
	char (*names)[IF_NAMESIZE];
	int n, max;
};

static int dev_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[LW4O6_A_MAX + 1];
	struct dev_list *l = data;
	const char *name;

	nl_parse_msg(nlh, GENL_HDRLEN, tb, LW4O6_A_MAX);
	name = tb[LW4O6_A_IFNAME] ? nl_get_str(tb[LW4O6_A_IFNAME]) : NULL;
	if (name && l->n < l->max)
		snprintf(l->names[l->n++], IF_NAMESIZE, "%s", name);
	return 0;
}

int modstats_devices(struct nl *nl, char (*names)[IF_NAMESIZE], int max)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct dev_list l = { names, 0, max };
	struct nlmsghdr *nlh;
	int err;

	nlh = genl_req(nl, buf, LW4O6_CMD_DEV_GET, NLM_F_DUMP);
	err = nl_talk(nl, nlh, dev_cb, &l);
	return err ? err : l.n;
}

/* "sent-ipv4-packets" -> "lw4o6_sent_ipv4_packets_total" */
static void metric_name(const char *stat, const char *suffix, char *buf,
			size_t len)
{
	size_t i;

	snprintf(buf, len, "lw4o6_%s%s", stat, suffix);
	for (i = 0; buf[i]; i++)
		if (buf[i] == '-')
			buf[i] = '_';
}

static bool any_has(const struct modstats *s, int n, unsigned int t)
{
	int i;

	for (i = 0; i < n; i++)
		if (s[i].has[t])
			return true;
	return false;
}

void modstats_prom(FILE *f, const struct modstats *s, int n)
{
	char nbuf[32], metric[96], help[160];
	unsigned int t;
	bool drops = false;
	int i;

	for (t = 1; t < MODSTATS_N; t++) {
		const char *name;

		if (!any_has(s, n, t))
			continue;
		name = stat_name(t, nbuf, sizeof(nbuf));
		if (!strncmp(name, "drop-", 5)) {
			drops = true;	/* one family, below */
			continue;
		}
		if (t == LW4O6_STAT_ACTIVE_SOFTWIRE_NUM) {
			snprintf(metric, sizeof(metric), "lw4o6_active_softwires");
			prom_family(f, metric, "gauge",
				    "Bindings in the device's table (RFC 8676 active-softwire-num).");
		} else if (t == LW4O6_STAT_DISCONTINUITY_TIME) {
			snprintf(metric, sizeof(metric), "lw4o6_discontinuity_time_seconds");
			prom_family(f, metric, "gauge",
				    "When the device's counters began, Unix time (RFC 8676 discontinuity-time).");
		} else {
			metric_name(name, "_total", metric, sizeof(metric));
			snprintf(help, sizeof(help),
				 "The module's %s counter, per device (RFC 8676 names).",
				 name);
			prom_family(f, metric, "counter", help);
		}
		for (i = 0; i < n; i++)
			if (s[i].has[t])
				prom_u64(f, metric, s[i].v[t], "device",
					 s[i].dev, NULL);
	}
	if (!drops)
		return;
	prom_family(f, "lw4o6_drops_total", "counter",
		    "Packets the module dropped, per device and reason (each also in an lw4o6_dropped_* total).");
	for (i = 0; i < n; i++)
		for (t = 1; t < MODSTATS_N; t++) {
			const char *name = stat_name(t, nbuf, sizeof(nbuf));

			if (s[i].has[t] && !strncmp(name, "drop-", 5))
				prom_u64(f, "lw4o6_drops_total", s[i].v[t],
					 "device", s[i].dev, "reason", name + 5,
					 NULL);
		}
}
