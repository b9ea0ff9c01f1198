// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * "lw4o6d status", "dump" and "metrics": the running daemon's own view,
 * through its control socket (the store's file, which "lw4o6d leases"
 * reads, has no pools, counters or sessions).  The daemon writes the
 * whole answer; this copies it to stdout after its first line, which says
 * "ok" or why not.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "command_line.h"
#include "config.h"
#include "status.h"
#include "status_command.h"

static const char *cmd = "status";

static void usage(FILE *f)
{
	fprintf(f, "Usage: lw4o6d %s [ -c FILE ] [ -s SOCKET ]%s\n", cmd,
		strcmp(cmd, "metrics") ? " [ -j ]" : "");
	if (!strcmp(cmd, "status"))
		fputs("The running daemon of FILE (default /etc/lw4o6d.conf): role, device, uptime,\n"
		      "pools with their use, mappings and requests per protocol, grants,\n"
		      "refusals by reason, the store's commit latency, BFD sessions.\n", f);
	else if (!strcmp(cmd, "dump"))
		fputs("Every mapping (lease) the running daemon of FILE holds now.\n", f);
	else
		fputs("The running daemon's metrics and its device's counters in the module,\n"
		      "in Prometheus's text format.\n", f);
	fputs("  -c FILE     the daemon's configuration: where its control socket is\n"
	      "  -s SOCKET   that socket, named directly\n", f);
	if (strcmp(cmd, "metrics"))
		fputs("  -j          JSON\n", f);
}

int status_command_main(int argc, char **argv, const char *default_config)
{
	static struct lw4o6d_config c;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *cfg = default_config, *sock = NULL;
	char path[CONFIG_MAX_PATH], req[32], buf[65536], *nl;
	bool json = false, first = true;
	size_t have = 0;
	ssize_t n;
	int o, fd;

	cmd = argv[0];
	optind = 1;
	while ((o = getopt(argc, argv, "c:s:jh")) != -1) {
		switch (o) {
		case 'c': cfg = optarg; break;
		case 's': sock = optarg; break;
		case 'j':
			if (!strcmp(cmd, "metrics")) {
				fputs("lw4o6d metrics: -j: the metrics have one format, Prometheus's text\n",
				      stderr);
				usage(stderr);
				return 2;
			}
			json = true;
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "lw4o6d %s: unexpected argument \"%s\"\n", cmd,
			argv[optind]);
		usage(stderr);
		return 2;
	}
	if (!sock) {
		if (command_line_config(cfg, &c)) {
			fprintf(stderr, "lw4o6d %s: %s cannot be used\n", cmd, cfg);
			return 1;
		}
		status_socket_path(&c, cfg, path, sizeof(path));
		if (!path[0]) {
			fprintf(stderr, "lw4o6d %s: %s says 'control-socket off'\n",
				cmd, cfg);
			return 1;
		}
		sock = path;
	}
	if (strlen(sock) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "lw4o6d %s: %s: path too long\n", cmd, sock);
		return 2;
	}
	strcpy(sa.sun_path, sock);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		if (sock == path)
			fprintf(stderr, "lw4o6d %s: %s: %s (is lw4o6d running with %s?)\n",
				cmd, sock, strerror(errno), cfg);
		else
			fprintf(stderr, "lw4o6d %s: %s: %s\n", cmd, sock,
				strerror(errno));
		return 1;
	}
	n = snprintf(req, sizeof(req), "%s%s\n", cmd, json ? " json" : "");
	/*
	 * A daemon that refuses us may have answered and closed already:
	 * no SIGPIPE, and its answer is read all the same.
	 */
	if (send(fd, req, (size_t)n, MSG_NOSIGNAL) != n && errno != EPIPE &&
	    errno != ECONNRESET) {
		fprintf(stderr, "lw4o6d %s: %s: %s\n", cmd, sock, strerror(errno));
		close(fd);
		return 1;
	}
	/* The first line is the verdict; the rest goes out as it comes. */
	while ((n = read(fd, buf + have, sizeof(buf) - 1 - have)) > 0) {
		have += (size_t)n;
		if (first) {
			buf[have] = '\0';
			nl = strchr(buf, '\n');
			if (!nl) {
				if (have < sizeof(buf) - 1)
					continue;
				break;
			}
			*nl = '\0';
			if (strcmp(buf, "ok")) {
				fprintf(stderr, "lw4o6d %s: the daemon says: %s\n",
					cmd, buf);
				close(fd);
				return 1;
			}
			first = false;
			have -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, have);
		}
		if (fwrite(buf, 1, have, stdout) != have)
			break;
		have = 0;
	}
	close(fd);
	/* a reset after the whole answer: the daemon did not read all we sent */
	if (n < 0 && errno == ECONNRESET && !first)
		n = 0;
	if (n < 0 || first) {
		fprintf(stderr, "lw4o6d %s: %s: %s\n", cmd, sock,
			n < 0 ? strerror(errno) : "the daemon closed without an answer");
		return 1;
	}
	return fflush(stdout) ? 1 : 0;
}
