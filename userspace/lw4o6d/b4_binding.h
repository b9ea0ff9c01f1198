/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The B4's own binding, as its PCP client publishes it: to each listener
 * when it starts listening, then at every change (a new set, or none).
 * The LAN proxy is one listener; neither knows the other, main.c connects
 * them.
 */
#ifndef LW4O6D_B4_BINDING_H
#define LW4O6D_B4_BINDING_H

#include <stdint.h>

struct b4_binding {
	uint32_t ipv4;		/* network order */
	uint16_t psid;
	uint8_t psid_len, offset;
};

/* b is NULL when the B4 has no binding (any more). */
typedef void (*b4_binding_fn)(const struct b4_binding *b, void *arg);

#endif
