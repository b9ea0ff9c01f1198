/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* For a store kept in one file (store_sqlite.c): its path and its creation. */
#ifndef LW4O6D_STORE_FILE_H
#define LW4O6D_STORE_FILE_H

#include <stddef.h>

struct store;

/* The configuration's check of "storage KIND PATH": the path is absolute. */
const char *store_file_check(const char *path, char *buf, size_t len);
/*
 * Before opening path: its directory must exist (creating it would hide a
 * typo'd path); a file that is not there is created mode 0600 and its
 * directory fsynced, so that the file survives a power cut.  0, or -errno
 * with "cannot open PATH: ..." in s->err.
 */
int store_file_prepare(struct store *s, const char *path);

#endif
