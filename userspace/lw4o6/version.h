/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef LW4O6_CLI_VERSION_H
#define LW4O6_CLI_VERSION_H

#include <stdio.h>

/* Where the running kernel shows the loaded module. */
#define LW4O6_SYSFS_MODULE "/sys/module/lw4o6"

/*
 * lw4o6 -V: this program's version on out, then the module's as loaded
 * (MODULE_DIR/version; MODULE_DIR is LW4O6_SYSFS_MODULE but for tests),
 * and a warning on err when the two differ.  Returns 1 when they differ or
 * the loaded module has no version, else 0 (also when none is loaded).
 */
int print_version(FILE *out, FILE *err, const char *module_dir);

#endif
