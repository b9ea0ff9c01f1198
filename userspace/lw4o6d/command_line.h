/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef LW4O6D_COMMAND_LINE_H
#define LW4O6D_COMMAND_LINE_H

/*
 * What lw4o6d's command lines share: the reading commands' options
 * ("lw4o6d bfd", "lw4o6d leases": [ -c FILE ] [ -j ]), and the
 * configuration file loaded with its errors on stderr, where the one who
 * typed the line sees them (those two, "lw4o6d drain", --check-config and
 * the daemon's start, before its log is open).
 */
#include <stdbool.h>
#include <stdio.h>

#include "config.h"

/*
 * -c FILE into *config (left alone without -c), -j into *json, -h: usage
 * on stdout.  Returns -1 to go on, else the exit status: 0 after -h, 2 for
 * an unknown option or an argument (usage on stderr).
 */
int command_line_opts(int argc, char **argv, void (*usage)(FILE *f),
		      const char **config, bool *json);

/* config_load(), each error as "FILE:LINE: reason" on stderr. */
int command_line_config(const char *path, struct lw4o6d_config *c);

#endif
