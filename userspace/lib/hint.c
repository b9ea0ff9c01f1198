// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * "Did you mean ...?" for the CLI's words (hint.h).  The lists are a
 * handful of keywords, so a plain dynamic programme is plenty.
 */
#include <string.h>

#include "hint.h"

#define HINT_MAX_LEN	64

static unsigned int min3(unsigned int a, unsigned int b, unsigned int c)
{
	unsigned int m = a < b ? a : b;

	return m < c ? m : c;
}

unsigned int hint_distance(const char *a, const char *b)
{
	unsigned int d[HINT_MAX_LEN + 1][HINT_MAX_LEN + 1];
	size_t la = strlen(a), lb = strlen(b), i, j;

	if (la > HINT_MAX_LEN - 1 || lb > HINT_MAX_LEN - 1)
		return ~0U;
	for (i = 0; i <= la; i++)
		d[i][0] = (unsigned int)i;
	for (j = 0; j <= lb; j++)
		d[0][j] = (unsigned int)j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			unsigned int cost = a[i - 1] != b[j - 1];

			d[i][j] = min3(d[i - 1][j] + 1, d[i][j - 1] + 1,
				       d[i - 1][j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < d[i][j])
				d[i][j] = d[i - 2][j - 2] + 1;
		}
	}
	return d[la][lb];
}

const char *hint_closest(const char *typed, const char *const *words, size_t n)
{
	const char *best = NULL;
	unsigned int best_d = ~0U, limit;
	size_t i, len = strlen(typed);

	/* Short words: one slip ("dve", "bindng"); long ones may take two. */
	limit = len >= 6 ? 2 : 1;
	if (len < 2)
		return NULL;
	for (i = 0; i < n; i++) {
		unsigned int d;

		if (!words[i] || !strcmp(words[i], typed))
			continue;
		d = hint_distance(typed, words[i]);
		if (d <= limit && d < best_d) {
			best = words[i];
			best_d = d;
		}
	}
	return best;
}
