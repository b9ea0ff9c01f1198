/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Store back ends by the name the configuration uses ("storage sqlite"). */
#include <stdio.h>
#include <string.h>

#include "store.h"

static const struct store_ops *const backends[] = {
	&store_sqlite_ops,
	&store_postgresql_ops,
};

#define N_BACKENDS (sizeof(backends) / sizeof(backends[0]))

const struct store_ops *store_find(const char *kind)
{
	size_t i;

	for (i = 0; kind && i < N_BACKENDS; i++)
		if (!strcmp(kind, backends[i]->name))
			return backends[i];
	return NULL;
}

const char *store_kinds(char *buf, size_t len)
{
	size_t i, n;

	if (N_BACKENDS == 1) {
		snprintf(buf, len, "only %s is supported", backends[0]->name);
		return buf;
	}
	n = (size_t)snprintf(buf, len, "expected");
	for (i = 0; i < N_BACKENDS && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s %s",
				      i ? (i + 1 == N_BACKENDS ? " or" : ",") : "",
				      backends[i]->name);
	return buf;
}
