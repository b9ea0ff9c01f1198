/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef LW4O6_BINDPRINT_H
#define LW4O6_BINDPRINT_H

#include "bindmsg.h"

void print_binding(const struct lw4o6_bind *b, const struct bind_stats *st);

#endif
