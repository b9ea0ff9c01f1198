/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef LW4O6D_AUDIT_COMMAND_H
#define LW4O6D_AUDIT_COMMAND_H

/*
 * "lw4o6d audit IPV4 [port PORT] [at TIME] [-c FILE] [-j]" and
 * "lw4o6d audit b4 IPV6 [at TIME] ...": who held an address, a port, at a
 * time, from the store's audit trail, while the daemon runs or not.
 * Exit status 0 when some row answers, 1 when none does, 2 for an error.
 */
int audit_command_main(int argc, char **argv, const char *default_config);

#endif
