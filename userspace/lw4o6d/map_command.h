/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef LW4O6D_MAP_COMMAND_H
#define LW4O6D_MAP_COMMAND_H

/*
 * "lw4o6d map ...": one PCP MAP exchange with any PCP server (a B4's
 * proxy, the AFTR, miniupnpd), printed; for operators and tests.
 */
int map_command_main(int argc, char **argv);

#endif
