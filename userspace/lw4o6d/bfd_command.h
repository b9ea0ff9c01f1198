/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef LW4O6D_BFD_COMMAND_H
#define LW4O6D_BFD_COMMAND_H

/*
 * "lw4o6d bfd [-c FILE] [-j]": the running aftr's BFD sessions, one per
 * B4, asked of the daemon through its state file (bfd_state.h).
 */
int bfd_command_main(int argc, char **argv, const char *default_config);

#endif
