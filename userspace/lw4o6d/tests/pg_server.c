// SPDX-License-Identifier: GPL-2.0 OR MIT
/* A throwaway PostgreSQL server for tests (see pg_server.h). */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <libpq-fe.h>

#include "pg_server.h"

/* Runs argv (as postgres when we are root), output to DIR/LOG; its status. */
static int run(struct pg_server *p, const char *log, char *const argv[])
{
	char path[128];
	char *full[24];
	int i = 0, n, status, fd;
	pid_t pid;

	if (!geteuid()) {
		full[i++] = "runuser";
		full[i++] = "-u";
		full[i++] = "postgres";
		full[i++] = "--";
	}
	for (n = 0; argv[n] && i < 23; n++)
		full[i++] = argv[n];
	full[i] = NULL;
	snprintf(path, sizeof(path), "%s/%s", p->dir, log);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		execvp(full[0], full);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static void tail(struct pg_server *p, const char *log)
{
	char path[128], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", p->dir, log);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		fprintf(stderr, "  %s: %s", log, line);
	fclose(f);
}

static int find_bindir(struct pg_server *p)
{
	const char *env = getenv("LW4O6_PG_BINDIR");
	char path[160];
	glob_t g;

	if (env && *env) {
		snprintf(p->bindir, sizeof(p->bindir), "%s", env);
	} else {
		if (glob("/usr/lib/postgresql/*/bin/initdb", 0, NULL, &g) ||
		    !g.gl_pathc) {
			fprintf(stderr, "pg_server: no PostgreSQL server found"
				" (/usr/lib/postgresql/*/bin/initdb); install"
				" postgresql (scripts/install-deps.sh) or set"
				" LW4O6_PG_BINDIR\n");
			return -1;
		}
		/* glob sorts: the last is the newest (15 after 14) */
		snprintf(p->bindir, sizeof(p->bindir), "%.*s",
			 (int)(strlen(g.gl_pathv[g.gl_pathc - 1]) - 7),
			 g.gl_pathv[g.gl_pathc - 1]);
		globfree(&g);
	}
	snprintf(path, sizeof(path), "%s/pg_ctl", p->bindir);
	if (access(path, X_OK)) {
		fprintf(stderr, "pg_server: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

int pg_server_start(struct pg_server *p)
{
	char initdb[160], data[96];
	struct passwd *pw;

	memset(p, 0, sizeof(*p));
	if (find_bindir(p))
		return -1;
	/* /tmp, not $TMPDIR: a socket path has 107 bytes at most */
	snprintf(p->dir, sizeof(p->dir), "/tmp/lw4o6-pg.XXXXXX");
	if (!mkdtemp(p->dir)) {
		fprintf(stderr, "pg_server: mkdtemp: %s\n", strerror(errno));
		return -1;
	}
	if (!geteuid()) {
		pw = getpwnam("postgres");
		if (!pw || chown(p->dir, pw->pw_uid, pw->pw_gid)) {
			fprintf(stderr, "pg_server: running as root needs the"
				" postgres user to run the server\n");
			return -1;
		}
	}
	snprintf(initdb, sizeof(initdb), "%s/initdb", p->bindir);
	snprintf(data, sizeof(data), "%s/data", p->dir);
	{
		char *argv[] = { initdb, "-D", data, "-A", "trust", "-U",
				 "lw4o6", "-N", "-E", "UTF8", "--no-locale",
				 NULL };

		if (run(p, "initdb.log", argv)) {
			fprintf(stderr, "pg_server: initdb failed:\n");
			tail(p, "initdb.log");
			return -1;
		}
	}
	snprintf(p->conninfo, sizeof(p->conninfo),
		 "host=%s dbname=postgres user=lw4o6", p->dir);
	return pg_server_ctl(p, "start");
}

int pg_server_ctl(struct pg_server *p, const char *action)
{
	char ctl[160], data[96], opts[192], log[96];
	char *argv[] = { ctl, "-D", data, "-l", log, "-w", "-s", "-m", "fast",
			 "-o", opts, (char *)action, NULL };

	snprintf(ctl, sizeof(ctl), "%s/pg_ctl", p->bindir);
	snprintf(data, sizeof(data), "%s/data", p->dir);
	snprintf(log, sizeof(log), "%s/server.log", p->dir);
	/* fsync off: a test's server need not survive the machine */
	snprintf(opts, sizeof(opts), "-k %s -c listen_addresses= -c fsync=off"
		 " -c full_page_writes=off -c max_connections=40", p->dir);
	if (run(p, "pg_ctl.log", argv)) {
		fprintf(stderr, "pg_server: pg_ctl %s failed:\n", action);
		tail(p, "pg_ctl.log");
		tail(p, "server.log");
		return -1;
	}
	return 0;
}

void pg_server_destroy(struct pg_server *p)
{
	char *argv[] = { "rm", "-rf", p->dir, NULL };
	pid_t pid;

	if (!p->dir[0])
		return;
	if (p->conninfo[0])
		pg_server_ctl(p, "stop");
	pid = fork();
	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
	p->dir[0] = 0;
}

static void quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;	/* "drop cascades to ...": expected */
}

static PGresult *exec(struct pg_server *p, const char *sql, PGconn **c)
{
	*c = PQconnectdb(p->conninfo);
	if (PQstatus(*c) != CONNECTION_OK) {
		fprintf(stderr, "pg_server: %s", PQerrorMessage(*c));
		PQfinish(*c);
		*c = NULL;
		return NULL;
	}
	PQsetNoticeProcessor(*c, quiet, NULL);
	return PQexec(*c, sql);
}

int pg_server_sql(struct pg_server *p, const char *sql)
{
	PGconn *c;
	PGresult *res = exec(p, sql, &c);
	int r = -1;

	if (res && (PQresultStatus(res) == PGRES_COMMAND_OK ||
		    PQresultStatus(res) == PGRES_TUPLES_OK))
		r = 0;
	else if (c)
		fprintf(stderr, "pg_server: %s: %s", sql, PQerrorMessage(c));
	PQclear(res);
	PQfinish(c);
	return r;
}

long long pg_server_num(struct pg_server *p, const char *sql)
{
	PGconn *c;
	PGresult *res = exec(p, sql, &c);
	long long v = -1;

	if (res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res))
		v = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	else if (c)
		fprintf(stderr, "pg_server: %s: %s", sql, PQerrorMessage(c));
	PQclear(res);
	PQfinish(c);
	return v;
}
