/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* cmocka needs these before its own header. */
#ifndef LW4O6_CMOCKA_WRAP_H
#define LW4O6_CMOCKA_WRAP_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#endif
