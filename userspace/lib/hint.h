/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef LW4O6_HINT_H
#define LW4O6_HINT_H

#include <stddef.h>

/*
 * The word of words[0..n) closest to a mistyped one, if it is close enough
 * to be what was meant (one or two edits, fewer than half the word): for
 * "unknown object 'bindng'; did you mean 'binding'?".  NULL otherwise.
 * NULL entries in words are skipped.
 */
const char *hint_closest(const char *typed, const char *const *words, size_t n);

/* Optimal string alignment distance: insertions, deletions, substitutions
 * and swaps of two neighbours each cost 1.  Words longer than 63 bytes
 * are not compared (a large number comes back). */
unsigned int hint_distance(const char *a, const char *b);

#endif
