/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The module's device counters (LW4O6_CMD_STATS_GET), read into a table,
 * and written as Prometheus metrics: what "lw4o6 stats prometheus" and
 * "lw4o6d metrics" share.  Every counter keeps its RFC 8676 name
 * (names.c): "sent-ipv4-packets" is lw4o6_sent_ipv4_packets_total, and
 * the finer drop reasons ("drop-ttl-zero-ipv4") are one family,
 * lw4o6_drops_total{device,reason="ttl-zero-ipv4"}.
 */
#ifndef LW4O6_MODSTATS_H
#define LW4O6_MODSTATS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <net/if.h>

#include <linux/lw4o6.h>

#include "nlsock.h"

#define MODSTATS_N	(LW4O6_STAT_ATTR_MAX + 1)

struct modstats {
	char dev[IF_NAMESIZE];
	bool has[MODSTATS_N];
	uint64_t v[MODSTATS_N];
};

/* A generic netlink socket on the lw4o6 family, or NULL (errno; -ENOENT: no module). */
struct nl *modstats_open(int *err);
/* dev's counters into *s; 0 or a negative errno (nl_strerror() says more). */
int modstats_get(struct nl *nl, const char *dev, struct modstats *s);
/* The names of every lw4o6 device (of this netns), at most max; how many, or a negative errno. */
int modstats_devices(struct nl *nl, char (*names)[IF_NAMESIZE], int max);
/* The n devices' counters as Prometheus families, each with its samples. */
void modstats_prom(FILE *f, const struct modstats *s, int n);

#endif
