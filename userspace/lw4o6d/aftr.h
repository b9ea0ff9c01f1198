/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef LW4O6D_AFTR_H
#define LW4O6D_AFTR_H

#include <stdbool.h>
#include "config.h"

/* The PCP server role.  0, or -1 after logging why it cannot start. */
int aftr_start(const struct lw4o6d_config *c, bool reset_epoch);
/* SIGHUP: pools, lifetimes and limits from c; the rest needs a restart. */
int aftr_reload(const struct lw4o6d_config *c);
void aftr_stop(void);

#endif
