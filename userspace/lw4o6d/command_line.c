// SPDX-License-Identifier: GPL-2.0 OR MIT
/* What lw4o6d's command lines share (command_line.h). */
#include <getopt.h>

#include "command_line.h"

int command_line_opts(int argc, char **argv, void (*usage)(FILE *f),
		      const char **config, bool *json)
{
	int o;

	optind = 1;
	while ((o = getopt(argc, argv, "c:jh")) != -1) {
		switch (o) {
		case 'c': *config = optarg; break;
		case 'j': *json = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	return -1;
}

static void print_err(const char *file, unsigned int line, const char *reason,
		      void *arg)
{
	(void)arg;
	/* "FILE: rule" for the file as a whole, never "FILE:0:". */
	if (line == CONFIG_LINE_IO)
		fprintf(stderr, "lw4o6d: %s\n", reason);
	else if (!line)
		fprintf(stderr, "%s: %s\n", file, reason);
	else
		fprintf(stderr, "%s:%u: %s\n", file, line, reason);
}

int command_line_config(const char *path, struct lw4o6d_config *c)
{
	return config_load(path, c, print_err, NULL);
}
