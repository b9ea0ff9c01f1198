/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Kernel sync: keeps the module's binding table and the core's leases in
 * step.  A component of the AFTR role: it listens to the core (a granted
 * lease is installed, and refused if the kernel says no; a released,
 * expired or revoked one is removed), reconciles the two at start, and
 * follows what operators do to the table through the module's "events"
 * group (a binding deleted or given to another B4 by hand is forgotten).
 * The kernel's events carry the port id of the socket whose request caused
 * them; ours are recognised by that and ignored.
 */
#ifndef LW4O6D_KSYNC_H
#define LW4O6D_KSYNC_H

#include "alloc.h"
#include "config.h"

/* Opens c->device, reconciles it with a's leases.  0, or -1 after logging why. */
int ksync_start(const struct lw4o6d_config *c, struct alloc *a);
void ksync_stop(void);

#endif
