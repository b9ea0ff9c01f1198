/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef LW4O6D_LEASES_COMMAND_H
#define LW4O6D_LEASES_COMMAND_H

/*
 * "lw4o6d leases [-c FILE] [-j]": the leases an aftr or server keeps in
 * its store (PCP mappings and DHCPv4-over-DHCPv6 leases alike, told apart
 * by the nonce), read-only, while the daemon runs or not.
 */
int leases_command_main(int argc, char **argv, const char *default_config);

#endif
