/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef LW4O6_TABLE_H
#define LW4O6_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "bindparse.h"

/*
 * A whole binding table read from a file, validated before anything goes
 * to the kernel.  Two open-addressing indexes catch duplicate (IPv4, PSID)
 * keys and an IPv4 address given two shapes.  Their 8-byte slots hold the
 * keys themselves, never positions in v[]: a million random probes into v[]
 * would each be a cache miss, and the rare error message can afford a scan.
 */
struct lw4o6_table {
	struct lw4o6_bind *v;
	size_t n, cap;
	uint64_t *keys;		/* SLOT_USED | ipv4 << 16 | psid */
	unsigned int key_bits;
	uint64_t *addrs;	/* SLOT_USED | psid_len << 40 | offset << 32 | ipv4 */
	unsigned int addr_bits;
	size_t naddrs;
};

void table_init(struct lw4o6_table *t);
void table_free(struct lw4o6_table *t);
int table_reserve(struct lw4o6_table *t, size_t n);
int table_add(struct lw4o6_table *t, const struct lw4o6_bind *b,
	      char *err, size_t errlen);

#endif
