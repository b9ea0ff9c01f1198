/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef LW4O6D_STATUS_COMMAND_H
#define LW4O6D_STATUS_COMMAND_H

/*
 * "lw4o6d status|dump|metrics [-c FILE] [-s SOCKET] [-j]": asks the
 * running daemon of FILE over its control socket (control.h) and prints
 * the answer; argv[0] is the subcommand.
 */
int status_command_main(int argc, char **argv, const char *default_config);

#endif
