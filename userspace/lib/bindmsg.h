/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef LW4O6_BINDMSG_H
#define LW4O6_BINDMSG_H

#include <stdbool.h>
#include <stdint.h>
#include <libmnl/libmnl.h>

#include "bindparse.h"

struct bind_stats {
	bool present;
	bool seen;		/* last_seen is meaningful */
	uint64_t tx_packets, tx_bytes, rx_packets, rx_bytes;
	uint32_t last_seen;
};

/* Bytes bind_put() adds for b (with BIND_PUT_FULL). */
size_t bind_nest_size(const struct lw4o6_bind *b);

#define BIND_PUT_KEY	0	/* ipv4, psid, psid-len: names one binding */
#define BIND_PUT_FULL	1	/* everything the kernel stores */
void bind_put(struct nlmsghdr *nlh, uint16_t type, const struct lw4o6_bind *b,
	      int what);
int bind_get(const struct nlattr *nest, struct lw4o6_bind *b,
	     struct bind_stats *st);

#endif
