/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Prometheus's text exposition format (version 0.0.4), as
 * node_exporter's textfile collector and a scrape read it: each family's
 * "# HELP" and "# TYPE" once, then its samples, all together.  Names are
 * lw4o6_* (the module) and lw4o6d_* (the daemon), counters end in _total,
 * units are in the name (_seconds, _bytes).  Writes to a FILE (the CLI's
 * stdout, the daemon's open_memstream()); prints nothing else.
 */
#ifndef LW4O6_PROM_H
#define LW4O6_PROM_H

#include <stdint.h>
#include <stdio.h>

/* "# HELP name help" and "# TYPE name type" (counter, gauge, histogram) */
void prom_family(FILE *f, const char *name, const char *type,
		 const char *help);
/*
 * One sample "name{labels} value".  labels: NULL or pairs "key", "value",
 * ..., ending in NULL; the values are escaped as the format wants.
 */
void prom_u64(FILE *f, const char *name, uint64_t v, ...);
void prom_double(FILE *f, const char *name, double v, ...);
/* A label value with \, " and newline escaped. */
void prom_label_value(FILE *f, const char *s);

#endif
