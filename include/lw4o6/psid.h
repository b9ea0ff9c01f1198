/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Port-set arithmetic of RFC 7597 section 5.1, shared by lw4o6.ko and the
 * userspace programs so both sides agree bit for bit.
 *
 * Offset a, PSID length k, m = 16 - a - k.  A port belongs to PSID p when
 *   port = (i << (16 - a)) | (p << m) | j,   0 <= j < 2^m,
 * with i >= 1 when a > 0: ports below 2^(16 - a) belong to nobody.
 * k = 0 means the whole address (one PSID, 0).
 */
#ifndef LW4O6_PSID_H
#define LW4O6_PSID_H

#include <linux/types.h>

/* Is (offset, psid_len) a legal port-set shape? */
static inline int lw4o6_psid_shape_valid(unsigned int a, unsigned int k)
{
	return a <= 15 && k <= 16 && a + k <= 16;
}

/* Is psid a legal PSID for a shape that lw4o6_psid_shape_valid() accepts? */
static inline int lw4o6_psid_valid(unsigned int k, unsigned int psid)
{
	return psid < (1U << k);
}

/* The PSID that a port carries (meaningful only if the port is usable). */
static inline __u16 lw4o6_port_psid(__u16 port, unsigned int a, unsigned int k)
{
	unsigned int m = 16 - a - k;

	if (!k)
		return 0;
	return (port >> m) & ((1U << k) - 1);
}

/* Ports with i = 0 are excluded from every set when a > 0. */
static inline int lw4o6_port_usable(__u16 port, unsigned int a)
{
	return !a || port >= (1U << (16 - a));
}

static inline int lw4o6_port_in_set(__u16 port, unsigned int a, unsigned int k,
				    unsigned int psid)
{
	return lw4o6_port_usable(port, a) && lw4o6_port_psid(port, a, k) == psid;
}

/* How many ports one PSID owns: (2^a - 1) * 2^m, or 2^m when a = 0. */
static inline __u32 lw4o6_set_size(unsigned int a, unsigned int k)
{
	unsigned int m = 16 - a - k;

	return (a ? (1U << a) - 1 : 1U) << m;
}

/* Number of contiguous ranges a set falls into: 2^a - 1, or 1 when a = 0. */
static inline __u32 lw4o6_set_ranges(unsigned int a)
{
	return a ? (1U << a) - 1 : 1U;
}

/* First port of range r (0-based) of PSID psid; the range has 2^m ports. */
static inline __u16 lw4o6_range_first(unsigned int r, unsigned int a,
				      unsigned int k, unsigned int psid)
{
	unsigned int m = 16 - a - k;
	unsigned int i = a ? r + 1 : 0;

	return (__u16)((a ? i << (16 - a) : 0) | (k ? psid << m : 0));
}

static inline __u32 lw4o6_range_len(unsigned int a, unsigned int k)
{
	return 1U << (16 - a - k);
}

#endif /* LW4O6_PSID_H */
