/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef LW4O6_NAMES_H
#define LW4O6_NAMES_H

#include <stddef.h>

const char *mode_name(unsigned int mode);
int mode_parse(const char *s);
const char *stat_name(unsigned int type, char *buf, size_t len);

#endif
