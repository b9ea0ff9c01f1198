/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef LW4O6D_B4_H
#define LW4O6D_B4_H

#include <stdbool.h>
#include <stdint.h>
#include "config.h"

/* The PCP client role.  0, or -1 after logging why it cannot start. */
int b4_start(const struct lw4o6d_config *c);
int b4_reload(const struct lw4o6d_config *c);
void b4_stop(void);

/* What the proxy needs of the B4's own binding; false while it has none. */
struct b4_binding {
	uint32_t ipv4;		/* network order */
	uint16_t psid;
	uint8_t psid_len, offset;
	int64_t expires;	/* loop_now_ms() */
};
bool b4_binding(struct b4_binding *b);

#endif
