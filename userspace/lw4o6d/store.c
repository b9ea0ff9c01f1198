/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Store back ends by the name the configuration uses ("storage sqlite"). */
#include <string.h>

#include "store.h"

const struct store_ops *store_find(const char *name)
{
	if (name && !strcmp(name, "sqlite"))
		return &store_sqlite_ops;
	return NULL;
}
