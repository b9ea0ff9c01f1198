/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF",
 * 2012): a keyed hash, so that whoever fills one of the daemon's tables
 * (a B4 choosing its source addresses) cannot pick keys that share a
 * bucket without knowing the key.  Written here because Debian ships no
 * libsiphash to link against (only copies inside other projects).
 */
#ifndef LW4O6D_SIPHASH_H
#define LW4O6D_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

struct siphash_key {
	uint64_t k0, k1;	/* the key's bytes 0-7 and 8-15, little-endian */
};

uint64_t siphash24(const struct siphash_key *key, const void *data, size_t len);

#endif
