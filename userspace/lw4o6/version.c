// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * lw4o6 -V.  The tool and the module come in separate packages (lw4o6 and
 * lw4o6-dkms) and are upgraded separately; and after an upgrade the old
 * module keeps running until it is reloaded.  So -V shows both versions,
 * and says so when they differ: the first thing to check when a command
 * the manual describes is refused.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <linux/lw4o6.h>

#include "version.h"

#ifndef LW4O6_VERSION
#error "LW4O6_VERSION must come from the build (debian/changelog)"
#endif

/* MODULE_DIR/version without its newline into buf; 0 if unreadable or empty. */
static int read_module_version(const char *module_dir, char *buf, size_t len)
{
	char path[512];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/version", module_dir);
	f = fopen(path, "re");
	if (!f)
		return 0;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return buf[0] != '\0';
}

int print_version(FILE *out, FILE *err, const char *module_dir)
{
	char mod[128];
	struct stat st;

	fprintf(out, "lw4o6 %s (netlink family \"%s\" version %d)\n",
		LW4O6_VERSION, LW4O6_GENL_NAME, LW4O6_GENL_VERSION);
	if (stat(module_dir, &st) || !S_ISDIR(st.st_mode)) {
		fprintf(out, "module lw4o6 not loaded\n");
		return 0;
	}
	if (!read_module_version(module_dir, mod, sizeof(mod))) {
		/* Loaded, but built without MODULE_VERSION: not one of ours. */
		fprintf(out, "module lw4o6 loaded, without a version\n");
		fflush(out);
		fprintf(err, "lw4o6: warning: the loaded lw4o6 module has no version; "
			"this lw4o6 is %s\n", LW4O6_VERSION);
		return 1;
	}
	fprintf(out, "module lw4o6 %s\n", mod);
	if (strcmp(mod, LW4O6_VERSION)) {
		fflush(out);
		fprintf(err, "lw4o6: warning: the loaded lw4o6 module is %s, this lw4o6 is %s; "
			"reload the module (modprobe -r lw4o6 && modprobe lw4o6) "
			"or install the matching lw4o6\n", mod, LW4O6_VERSION);
		return 1;
	}
	return 0;
}
