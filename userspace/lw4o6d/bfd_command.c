// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * "lw4o6d bfd": the lwAFTR's BFD sessions, or a B4's one.  The daemon's memory is out of
 * reach, so this asks it for a snapshot (bfd_state.h): SIGUSR1 to the pid
 * its state file names, if that pid is an lw4o6d, then the file once it
 * is newer.  A daemon that is not running leaves the file as it stopped:
 * that is printed, said, and the exit status is 1.
 */
#include <errno.h>
#include <glob.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bfd.h"
#include "bfd_command.h"
#include "bfd_state.h"
#include "command_line.h"
#include "config.h"

#define WAIT_MS	5000

static void usage(FILE *f)
{
	fputs("Usage: lw4o6d bfd [ -c FILE ] [ -j ]\n"
	      "The BFD sessions of FILE's running aftr (default /etc/lw4o6d.conf), one per B4:\n"
	      "state, diagnostic, the B4's state and diagnostic, since when, intervals.\n"
	      "The daemon is asked for them with SIGUSR1 (which also logs its counters).\n"
	      "For a b4's FILE: its session with the AFTR, as last written.\n"
	      "  -j   JSON: an object with the sessions as an array\n", f);
}

/* The pid the file names, or 0. */
static long file_pid(const char *path)
{
	long pid = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return 0;
	if (fscanf(f, "pid %ld", &pid) != 1)
		pid = 0;
	fclose(f);
	return pid;
}

/* Whether pid is a running lw4o6d (not a pid reused since). */
static bool is_lw4o6d(long pid)
{
	char p[64], comm[32] = "";
	FILE *f;

	snprintf(p, sizeof(p), "/proc/%ld/comm", pid);
	f = fopen(p, "re");
	if (!f)
		return false;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = '\0';
	fclose(f);
	return !strcmp(comm, "lw4o6d\n");
}

static bool newer(const struct stat *a, const struct stat *b)
{
	return b->st_mtim.tv_sec != a->st_mtim.tv_sec ||
	       b->st_mtim.tv_nsec != a->st_mtim.tv_nsec ||
	       b->st_ino != a->st_ino;
}

/* SIGUSR1, and up to WAIT_MS for the file the daemon writes then. */
static int refresh(const char *path, long pid)
{
	struct timespec gap = { 0, 50 * 1000000L };
	struct stat before, now;
	int i;

	if (stat(path, &before))
		return -1;
	if (kill((pid_t)pid, SIGUSR1))
		return -1;
	for (i = 0; i < WAIT_MS / 50; i++) {
		nanosleep(&gap, NULL);
		if (!stat(path, &now) && newer(&before, &now))
			return 0;
	}
	errno = ETIMEDOUT;
	return -1;
}

static void print_row(const struct bfd_state_row *r, bool json, bool first,
		      time_t wall)
{
	if (json) {
		printf("%s\n  {\"b4\":\"%s\",\"state\":\"%s\",\"diagnostic\":\"%s\","
		       "\"remote_state\":\"%s\",\"remote_diagnostic\":\"%s\","
		       "\"local_discriminator\":%u,\"remote_discriminator\":%u,"
		       "\"since\":%lld,\"desired_min_tx_us\":%u,\"required_min_rx_us\":%u,"
		       "\"remote_min_tx_us\":%u,\"remote_min_rx_us\":%u,"
		       "\"remote_multiplier\":%u,\"detect_ms\":%lld,"
		       "\"received\":%llu,\"sent\":%llu}",
		       first ? "" : ",", r->b4, bfd_state_name(r->state),
		       bfd_diag_name(r->diag), bfd_state_name(r->remote_state),
		       bfd_diag_name(r->remote_diag), r->local_disc,
		       r->remote_disc, r->since, r->tx_us, r->rx_us,
		       r->remote_tx_us, r->remote_rx_us, r->remote_mult,
		       r->detect_ms, r->n_rx, r->n_tx);
		return;
	}
	printf("%-39s %-10s %-30s %-10s %-30s %8llds %7u %7u %8lld\n", r->b4,
	       bfd_state_name(r->state), bfd_diag_name(r->diag),
	       bfd_state_name(r->remote_state), bfd_diag_name(r->remote_diag),
	       (long long)wall - r->since, r->tx_us / 1000, r->rx_us / 1000,
	       r->detect_ms);
}

static int print_file(const char *path, bool json, bool stale)
{
	long long written = 0;
	char line[512] = "";
	int draining = 0, n = 0, bad = 0;
	time_t wall;
	FILE *f = fopen(path, "re");

	if (!f) {
		fprintf(stderr, "lw4o6d bfd: %s: %s\n", path, strerror(errno));
		return 1;
	}
	while (fgets(line, sizeof(line), f) && strncmp(line, "session ", 8)) {
		sscanf(line, "written %lld", &written);
		sscanf(line, "draining %d", &draining);
	}
	wall = stale ? (time_t)written : time(NULL);
	if (json)
		printf("{\"written\":%lld,\"running\":%s,\"draining\":%s,\"sessions\":[",
		       written, stale ? "false" : "true",
		       draining ? "true" : "false");
	else
		printf("%-39s %-10s %-30s %-10s %-30s %9s %7s %7s %8s\n", "B4",
		       "STATE", "DIAGNOSTIC", "REMOTE", "REMOTE DIAGNOSTIC",
		       "SINCE", "TX-MS", "RX-MS", "DETECT");
	do {
		struct bfd_state_row r;

		if (strncmp(line, "session ", 8))
			continue;
		if (bfd_state_parse(line, &r)) {
			bad++;
			continue;
		}
		print_row(&r, json, !n++, wall);
	} while (fgets(line, sizeof(line), f));
	fclose(f);
	if (json)
		printf("%s]}\n", n ? "\n" : "");
	else if (draining)
		printf("(draining: every session AdminDown)\n");
	if (bad)
		fprintf(stderr, "lw4o6d bfd: %s: %d lines not understood\n", path,
			bad);
	return bad ? 1 : 0;
}

/*
 * A b4's one session: the JSON file b4_bfd.c rewrites at every change, in
 * its runtime directory: $RUNTIME_DIRECTORY here if set, else the
 * unit's (/run/lw4o6d/INSTANCE, the newest of them), else /run/lw4o6d.
 */
static int b4_session(const struct lw4o6d_config *c, bool json)
{
	const char *dir = getenv("RUNTIME_DIRECTORY");
	char path[512], best[512] = "", line[1024];
	struct timespec newest = { 0, 0 };
	struct stat st;
	glob_t g;
	size_t i;
	FILE *f;

	if (!c->bfd) {
		fprintf(stderr, "lw4o6d bfd: 'bfd off': no session\n");
		return 1;
	}
	if (dir && *dir) {
		snprintf(best, sizeof(best), "%s/bfd-%s.json", dir, c->device);
	} else {
		snprintf(path, sizeof(path), "/run/lw4o6d/*/bfd-%s.json", c->device);
		if (!glob(path, 0, NULL, &g)) {
			for (i = 0; i < g.gl_pathc; i++)
				if (!stat(g.gl_pathv[i], &st) &&
				    (st.st_mtim.tv_sec > newest.tv_sec ||
				     (st.st_mtim.tv_sec == newest.tv_sec &&
				      st.st_mtim.tv_nsec > newest.tv_nsec))) {
					newest = st.st_mtim;
					snprintf(best, sizeof(best), "%s",
						 g.gl_pathv[i]);
				}
			globfree(&g);
		}
		if (!best[0])
			snprintf(best, sizeof(best), "/run/lw4o6d/bfd-%s.json",
				 c->device);
	}
	f = fopen(best, "r");
	if (!f || !fgets(line, sizeof(line), f)) {
		fprintf(stderr, "lw4o6d bfd: %s: %s (is lw4o6d running?)\n", best,
			f ? "empty" : strerror(errno));
		if (f)
			fclose(f);
		return 1;
	}
	fclose(f);
	if (json) {
		fputs(line, stdout);
		return 0;
	}
	/*
	 * The text: "key value" a line, in the file's order.  b4_bfd.c's
	 * object is flat, its strings hold no comma, colon or quote.
	 */
	for (char *tok = strtok(line, "{},\n"); tok; tok = strtok(NULL, "{},\n")) {
		char *colon = strchr(tok, ':'), *k = tok, *v;

		if (!colon)
			continue;
		*colon = '\0';
		v = colon + 1;
		k += *k == '"';
		k[strcspn(k, "\"")] = '\0';
		v += *v == '"';
		v[strcspn(v, "\"")] = '\0';
		printf("%-24s %s\n", k, v);
	}
	return 0;
}

int bfd_command_main(int argc, char **argv, const char *default_config)
{
	static struct lw4o6d_config c;
	const char *cfg = default_config;
	char path[CONFIG_MAX_PATH];
	bool json = false;
	long pid;
	int rc;

	rc = command_line_opts(argc, argv, usage, &cfg, &json);
	if (rc >= 0)
		return rc;
	if (command_line_config(cfg, &c)) {
		fprintf(stderr, "lw4o6d bfd: %s cannot be used\n", cfg);
		return 1;
	}
	if (c.role == ROLE_B4)
		return b4_session(&c, json);
	if (c.role != ROLE_AFTR) {
		fprintf(stderr, "lw4o6d bfd: %s is a %s's; BFD is a b4's and an aftr's\n",
			cfg, config_role_name(c.role));
		return 1;
	}
	if (!c.bfd) {
		fprintf(stderr, "lw4o6d bfd: %s says 'bfd off': no responder\n", cfg);
		return 1;
	}
	bfd_state_path(&c, path, sizeof(path));
	pid = file_pid(path);
	if (!pid) {
		fprintf(stderr, "lw4o6d bfd: %s: %s (is lw4o6d running with %s?)\n",
			path, errno ? strerror(errno) : "no pid", cfg);
		return 1;
	}
	if (!is_lw4o6d(pid)) {
		fprintf(stderr, "lw4o6d bfd: lw4o6d (pid %ld) is not running: the sessions as it stopped\n",
			pid);
		print_file(path, json, true);
		return 1;
	}
	if (refresh(path, pid)) {
		fprintf(stderr, "lw4o6d bfd: asking pid %ld: %s; the last sessions written\n",
			pid, strerror(errno));
		print_file(path, json, false);
		return 1;
	}
	rc = print_file(path, json, false);
	return rc;
}
