// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <stdarg.h>

#include "prom.h"

void prom_family(FILE *f, const char *name, const char *type,
		 const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void prom_label_value(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static void labels(FILE *f, va_list ap)
{
	const char *k, *sep = "{";

	while ((k = va_arg(ap, const char *))) {
		fprintf(f, "%s%s=\"", sep, k);
		prom_label_value(f, va_arg(ap, const char *));
		fputc('"', f);
		sep = ",";
	}
	if (*sep == ',')
		fputc('}', f);
}

void prom_u64(FILE *f, const char *name, uint64_t v, ...)
{
	va_list ap;

	fputs(name, f);
	va_start(ap, v);
	labels(f, ap);
	va_end(ap);
	fprintf(f, " %llu\n", (unsigned long long)v);
}

void prom_double(FILE *f, const char *name, double v, ...)
{
	va_list ap;

	fputs(name, f);
	va_start(ap, v);
	labels(f, ap);
	va_end(ap);
	fprintf(f, " %.9g\n", v);
}
