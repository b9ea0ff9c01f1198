/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * libFuzzer harness for the configuration reader (config*.c): the
 * tokenizer (quoted words, comments, NUL bytes) and every statement's
 * parser.  The file is the operator's, but --check-config is run on files
 * of unknown origin and SIGHUP reads whatever is there: no input may crash
 * it.  The stores are stubs (no database, no file): only their names and
 * whether one is shared matter to the reader.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "../config.h"
#include "../store.h"

static int no_changes(struct store *s, store_change_fn cb, void *arg)
{
	(void)s;
	(void)cb;
	(void)arg;
	return 0;
}

static const struct store_ops stub_sqlite = { .name = "sqlite" };
static const struct store_ops stub_pg = { .name = "postgresql",
					  .changes = no_changes };

const struct store_ops *store_find(const char *kind)
{
	if (kind && !strcmp(kind, "sqlite"))
		return &stub_sqlite;
	if (kind && !strcmp(kind, "postgresql"))
		return &stub_pg;
	return NULL;
}

const char *store_kinds(char *buf, size_t len)
{
	snprintf(buf, len, "expected sqlite or postgresql");
	return buf;
}

static size_t n_errors;

static void on_err(const char *file, unsigned int line, const char *reason,
		   void *arg)
{
	(void)file;
	(void)line;
	(void)arg;
	/* every reason is a printable, terminated line */
	if (strlen(reason) >= 256)
		abort();
	n_errors++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	struct lw4o6d_config c;
	int n;

	if (fd < 0) {
		fd = memfd_create("fuzz-config", MFD_CLOEXEC);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	n_errors = 0;
	n = config_load(path, &c, on_err, NULL);
	/* the count returned is the count reported */
	if (n >= 0 && (size_t)n != n_errors)
		abort();
	return 0;
}
