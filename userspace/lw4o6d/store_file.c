/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* A store's file: its directory, its mode, its directory entry on disk. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "store.h"
#include "store_file.h"

const char *store_file_check(const char *path, char *buf, size_t len)
{
	if (path[0] == '/')
		return NULL;
	snprintf(buf, len, "path '%.44s%s' is not absolute", path,
		 strlen(path) > 44 ? "..." : "");
	return buf;
}

static int check_dir(struct store *s, const char *path)
{
	char *copy = strdup(path), *dir;
	struct stat st;
	int r = 0;

	if (!copy)
		return -ENOMEM;
	dir = dirname(copy);
	if (stat(dir, &st)) {
		r = -errno;
		snprintf(s->err, sizeof(s->err), "cannot open %s: directory %s: %s",
			 path, dir, strerror(-r));
	} else if (!S_ISDIR(st.st_mode)) {
		snprintf(s->err, sizeof(s->err),
			 "cannot open %s: %s is not a directory", path, dir);
		r = -ENOTDIR;
	}
	free(copy);
	return r;
}

static int fsync_dir(struct store *s, const char *path)
{
	char *copy = strdup(path);
	int fd, r = 0;

	if (!copy)
		return -ENOMEM;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd)) {
		r = -errno;
		snprintf(s->err, sizeof(s->err),
			 "cannot open %s: syncing its directory: %s", path,
			 strerror(-r));
	}
	if (fd >= 0)
		close(fd);
	free(copy);
	return r;
}

/*
 * SQLite would create the file 0644 less the umask; mappings say which
 * customer had which address when, so 0600.  SQLite gives the -wal and
 * -shm files the database file's mode.
 */
int store_file_prepare(struct store *s, const char *path)
{
	int r = check_dir(s, path), fd;

	if (r)
		return r;
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			return 0;
		r = -errno;
		snprintf(s->err, sizeof(s->err), "cannot open %s: %s", path,
			 strerror(-r));
		return r;
	}
	close(fd);
	return fsync_dir(s, path);
}
