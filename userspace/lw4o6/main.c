// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * lw4o6: configure Lightweight 4over6 (RFC 7596) softwires.
 * Global options, object dispatch and batch mode.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/netlink.h>

#include <linux/lw4o6.h>

#include "cli.h"
#include "hint.h"
#include "nlsock.h"
#include "version.h"

struct opts opts;

/* "lw4o6: " normally, "FILE:LINE: " while running a batch file. */
static char err_prefix[512] = "lw4o6: ";
static struct nl *rtnl_sock, *genl_sock;

/*
 * -c: read and check the words, ask the kernel nothing.  Every command
 * parses its words before it opens a socket, so asking for one means the
 * line is good: get_rtnl() and get_genl() then say so in check_passed and
 * give no socket, which ends the command there.
 */
static bool check_only, check_passed;

void errmsg(const char *fmt, ...)
{
	va_list ap;

	/* Keep errors after the output that preceded them. */
	fflush(stdout);
	fputs(err_prefix, stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	putc('\n', stderr);
}

/* The shared netlink code prints nothing: the CLI shows its errors. */
void nl_perror(struct nl *nl, const struct nlmsghdr *req, int err,
	       const char *what)
{
	char buf[512];

	errmsg("%s", nl_strerror(nl, req, err, what, buf, sizeof(buf)));
}

static void show_warning(const char *msg)
{
	errmsg("warning: %s", msg);
}

int usage_error(const char *object, const char *fmt, ...)
{
	char msg[512];
	const char *dot;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* "...; did you mean "show"? Try ...", not "?." */
	dot = *msg && msg[strlen(msg) - 1] == '?' ? "" : ".";
	if (!strcmp(object, "help"))
		errmsg("%s%s Try 'lw4o6 help'", msg, dot);
	else
		errmsg("%s%s Try 'lw4o6 %s help'", msg, dot, object);
	return EXIT_USAGE;
}

bool is_help(const char *word)
{
	return !strcmp(word, "help");
}

const char *did_you_mean(const char *typed, const char *const *words,
			 size_t n)
{
	static char buf[96];
	const char *near = hint_closest(typed, words, n);

	if (!near)
		return "";
	snprintf(buf, sizeof(buf), "; did you mean \"%s\"?", near);
	return buf;
}

void module_missing(void)
{
	errmsg("the lw4o6 kernel module is not loaded");
}

struct nl *get_rtnl(void)
{
	if (check_only) {
		check_passed = true;
		return NULL;
	}
	if (!rtnl_sock) {
		rtnl_sock = nl_open(NETLINK_ROUTE);
		if (!rtnl_sock)
			errmsg("cannot open rtnetlink socket: %s", strerror(errno));
		else
			rtnl_sock->on_warning = show_warning;
	}
	return rtnl_sock;
}

struct nl *get_genl(void)
{
	struct nl *nl;
	int err;

	if (check_only) {
		check_passed = true;
		return NULL;
	}
	if (genl_sock)
		return genl_sock;
	nl = nl_open(NETLINK_GENERIC);
	if (!nl) {
		errmsg("cannot open generic netlink socket: %s", strerror(errno));
		return NULL;
	}
	nl->on_warning = show_warning;
	err = genl_resolve(nl, LW4O6_GENL_NAME, LW4O6_MCGRP_EVENTS);
	if (err) {
		if (err == -ENOENT)
			module_missing();
		else
			nl_perror(nl, NULL, err, "resolving the lw4o6 family");
		nl_close(nl);
		return NULL;
	}
	genl_sock = nl;
	return nl;
}

static void usage_main(FILE *f)
{
	fputs("Usage: lw4o6 [ OPTIONS ] OBJECT { COMMAND | help }\n"
	      "       lw4o6 [ OPTIONS ] [ -f ] [ -c | -D ] -b FILE\n"
	      "       lw4o6 { help [ OBJECT ] | --help | -V | --version }\n"
	      "OBJECT  := { dev | binding | stats | monitor }\n"
	      "OPTIONS := { -j | --json } { -p | --pretty } { -s | --stats }\n"
	      "           { -n | --netns } NAME { -b | --batch } FILE\n"
	      "           { -f | --force } (a batch goes on past a failed line)\n"
	      "           { -c | --check } (only check the words; no kernel)\n"
	      "           { -D | --down } (delete the devices FILE adds or replaces)\n"
	      "           { -ts | -timestamp | --timestamp } (monitor)\n"
	      "\"help\" anywhere after OBJECT shows that OBJECT's usage.\n"
	      "\n", f);
	usage_dev(f);
	fputc('\n', f);
	usage_binding(f);
	fputc('\n', f);
	usage_stats(f);
	fputc('\n', f);
	usage_monitor(f);
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	void (*usage)(FILE *f);
} objects[] = {
	{ "dev",	do_dev,		usage_dev },
	{ "binding",	do_binding,	usage_binding },
	{ "stats",	do_stats,	usage_stats },
	{ "monitor",	do_monitor,	usage_monitor },
};

#define N_OBJECTS (sizeof(objects) / sizeof(objects[0]))

/* "lw4o6 help" and "lw4o6 help OBJECT". */
static int do_help(int argc, char **argv)
{
	const char *names[N_OBJECTS];
	size_t i;

	if (argc == 1) {
		usage_main(stdout);
		return EXIT_OK;
	}
	for (i = 0; i < N_OBJECTS; i++) {
		if (strcmp(argv[1], objects[i].name))
			continue;
		if (argc > 2)
			break;
		objects[i].usage(stdout);
		return EXIT_OK;
	}
	/* Name the first word that is wrong: a non-object, or the extra one. */
	if (i < N_OBJECTS)
		return usage_error("help", "help: unexpected \"%s\"", argv[2]);
	for (i = 0; i < N_OBJECTS; i++)
		names[i] = objects[i].name;
	return usage_error("help", "help: unknown object \"%s\"%s", argv[1],
			   did_you_mean(argv[1], names, N_OBJECTS));
}

/* argv[0] is the object word. */
static int run(int argc, char **argv)
{
	const char *names[N_OBJECTS + 1];
	size_t i;
	int k;

	if (!strcmp(argv[0], "help"))
		return do_help(argc, argv);
	for (i = 0; i < N_OBJECTS; i++) {
		if (strcmp(argv[0], objects[i].name))
			continue;
		/*
		 * As ip(8): "help" anywhere after the object is a question,
		 * never a value, so `dev del help` shows usage and deletes
		 * nothing.
		 */
		for (k = 1; k < argc; k++) {
			if (is_help(argv[k])) {
				objects[i].usage(stdout);
				return EXIT_OK;
			}
		}
		return objects[i].fn(argc, argv);
	}
	for (i = 0; i < N_OBJECTS; i++)
		names[i] = objects[i].name;
	names[N_OBJECTS] = "help";
	return usage_error("help", "unknown object \"%s\"%s", argv[0],
			   did_you_mean(argv[0], names, N_OBJECTS + 1));
}

/* run(), or with -c, whether run() would get as far as the kernel. */
static int run_or_check(int argc, char **argv)
{
	int ret;

	check_passed = false;
	ret = run(argc, argv);
	return check_passed && ret == EXIT_ERR ? EXIT_OK : ret;
}

/* ip -batch style: whitespace-separated words, "#" comments, "..." quoting. */
static int split_words(char *line, char **argv, int max, char *err, size_t n)
{
	int argc = 0;
	char *p = line, *w;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (!*p || *p == '#')
			return argc;
		if (argc == max) {
			snprintf(err, n, "too many words");
			return -1;
		}
		if (*p == '"') {
			w = ++p;
			p = strchr(p, '"');
			if (!p) {
				snprintf(err, n, "unterminated quote");
				return -1;
			}
		} else {
			w = p;
			p += strcspn(p, " \t\r\n");
		}
		argv[argc++] = w;
		if (*p)
			*p++ = '\0';
	}
}

/*
 * -D: the devices the file's "dev add NAME" and "dev replace NAME" lines
 * make, deleted last first (what wg-quick down is to wg-quick up).  Their
 * bindings go with them; a device already gone is no error, so that
 * taking a configuration down twice is as good as once.
 */
struct down_list {
	char **names;
	size_t n;
};

static void down_note(struct down_list *d, int argc, char **argv)
{
	char **v;

	if (argc < 3 || strcmp(argv[0], "dev") ||
	    (strcmp(argv[1], "add") && strcmp(argv[1], "replace")))
		return;
	v = realloc(d->names, (d->n + 1) * sizeof(*v));
	if (!v || !(v[d->n] = strdup(argv[2]))) {
		d->names = v ? v : d->names;
		errmsg("out of memory");
		return;
	}
	d->names = v;
	d->n++;
}

static int down_run(struct down_list *d, bool force)
{
	int ret = EXIT_OK, r;

	while (d->n) {
		char *argv[] = { "dev", "del", d->names[--d->n] };

		if (!if_nametoindex(argv[2])) {
			free(argv[2]);
			continue;
		}
		r = run_or_check(3, argv);
		free(argv[2]);
		if (r > ret)
			ret = r;
		if (r && !force)
			break;
	}
	while (d->n)
		free(d->names[--d->n]);
	free(d->names);
	return ret;
}

/*
 * One command a line.  A failed line ends the batch, unless -f (ip
 * -force): then every line runs and the exit status is the worst one's.
 * -c checks every line whatever the errors, as a compiler does; -D reads
 * them all before it deletes.
 */
static int batch(const char *name, bool force, bool down)
{
	FILE *f = strcmp(name, "-") ? fopen(name, "r") : stdin;
	const char *shown = f == stdin ? "stdin" : name;
	unsigned long lineno = 0;
	char *line = NULL, *argv[64], err[64];
	struct down_list dl = { NULL, 0 };
	size_t cap = 0;
	int ret = EXIT_OK, r;

	if (!f) {
		errmsg("cannot open %s: %s", name, strerror(errno));
		return EXIT_ERR;
	}
	if (check_only || down)
		force = true;
	while (getline(&line, &cap, f) > 0) {
		int argc;

		lineno++;
		snprintf(err_prefix, sizeof(err_prefix), "%s:%lu: ", shown, lineno);
		argc = split_words(line, argv, 64, err, sizeof(err));
		if (argc < 0) {
			errmsg("%s", err);
			r = EXIT_USAGE;
		} else if (!argc) {
			continue;
		} else if (down) {
			down_note(&dl, argc, argv);
			continue;
		} else {
			r = run_or_check(argc, argv);
		}
		if (r > ret)
			ret = r;
		if (r && !force)
			break;
	}
	if (!ret && ferror(f)) {
		errmsg("reading %s: %s", name, strerror(errno));
		ret = EXIT_ERR;
	}
	snprintf(err_prefix, sizeof(err_prefix), "lw4o6: ");
	/* even past a bad line: what can be taken down is */
	if (down && (r = down_run(&dl, force)) > ret)
		ret = r;
	free(line);
	if (f != stdin)
		fclose(f);
	return ret;
}

/* Done before any socket is opened: sockets belong to their creator's netns. */
static int enter_netns(const char *name)
{
	char path[512];
	int fd;

	if (strchr(name, '/'))
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		errmsg("cannot open network namespace \"%s\": %s", name,
		       strerror(errno));
		return -1;
	}
	if (setns(fd, CLONE_NEWNET)) {
		errmsg("cannot enter network namespace \"%s\": %s", name,
		       strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/*
 * ip's single-dash "-timestamp" and "-ts" before the object (`lw4o6 -ts
 * monitor`): taken out of argv here, since getopt would read "-ts" as -t -s.
 */
static void take_ip_timestamp(int *argc, char **argv)
{
	int i;

	for (i = 1; i < *argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-ts") || !strcmp(a, "-timestamp")) {
			monitor_timestamps();
			/* argv[*argc] is NULL: it moves down too */
			memmove(&argv[i], &argv[i + 1],
				(size_t)(*argc - i) * sizeof(*argv));
			(*argc)--;
			i--;
			continue;
		}
		if (a[0] != '-' || !strcmp(a, "--"))
			return;		/* the object word */
		if (!strcmp(a, "-n") || !strcmp(a, "-b") ||
		    !strcmp(a, "--netns") || !strcmp(a, "--batch"))
			i++;		/* its value */
	}
}

/* "--jsn": "; did you mean "--json"?", else "." */
static const char *long_hint(const char *typed, const struct option *lo)
{
	static char names[12][16];
	const char *words[12], *h;
	size_t n;

	for (n = 0; n < 12 && lo[n].name; n++) {
		snprintf(names[n], sizeof(names[n]), "--%s", lo[n].name);
		words[n] = names[n];
	}
	h = did_you_mean(typed, words, n);
	return *h ? h : ".";
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json",	no_argument,		NULL, 'j' },
		{ "pretty",	no_argument,		NULL, 'p' },
		{ "stats",	no_argument,		NULL, 's' },
		{ "netns",	required_argument,	NULL, 'n' },
		{ "batch",	required_argument,	NULL, 'b' },
		{ "force",	no_argument,		NULL, 'f' },
		{ "check",	no_argument,		NULL, 'c' },
		{ "down",	no_argument,		NULL, 'D' },
		{ "help",	no_argument,		NULL, 'h' },
		{ "version",	no_argument,		NULL, 'V' },
		{ "timestamp",	no_argument,		NULL, 'T' },
		{ NULL, 0, NULL, 0 }
	};
	const char *netns = NULL, *batch_file = NULL;
	bool force = false, down = false;
	static char outbuf[1 << 16];
	int c, ret;

	take_ip_timestamp(&argc, argv);
	opterr = 0;
	/* "+": stop at the object word, never permute the command's words. */
	while ((c = getopt_long(argc, argv, "+:jpsn:b:fcDhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			opts.json = true;
			break;
		case 'p':
			/* Pretty printing only means something for JSON. */
			opts.json = opts.pretty = true;
			break;
		case 's':
			opts.stats = true;
			break;
		case 'n':
			netns = optarg;
			break;
		case 'b':
			batch_file = optarg;
			break;
		case 'f':
			force = true;
			break;
		case 'c':
			check_only = true;
			break;
		case 'D':
			down = true;
			break;
		case 'h':
			usage_main(stdout);
			return EXIT_OK;
		case 'T':
			monitor_timestamps();
			break;
		case 'V':
			/* A version mismatch is a warning, not a failure. */
			print_version(stdout, stderr, LW4O6_SYSFS_MODULE);
			return EXIT_OK;
		case ':':
			errmsg("option \"%s\" needs a value. Try 'lw4o6 help'",
			       argv[optind - 1]);
			return EXIT_USAGE;
		default:
			if (optopt)
				errmsg("unknown option \"-%c\". Try 'lw4o6 help'",
				       optopt);
			else
				errmsg("unknown option \"%s\"%s Try 'lw4o6 help'",
				       argv[optind - 1], long_hint(argv[optind - 1], longopts));
			return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;

	if (batch_file && argc) {
		errmsg("\"-b\" takes no command words, found \"%s\". Try 'lw4o6 help'",
		       argv[0]);
		return EXIT_USAGE;
	}
	if (down && (!batch_file || check_only)) {
		errmsg("\"-D\" %s. Try 'lw4o6 help'", check_only ?
		       "and \"-c\" do not go together" : "needs \"-b FILE\"");
		return EXIT_USAGE;
	}
	if (!batch_file && !argc) {
		usage_main(stderr);
		return EXIT_USAGE;
	}
	if (netns && !check_only && enter_netns(netns))
		return EXIT_ERR;
	/*
	 * A million bindings go out through here: no flush per line, and no
	 * stream lock per call (we have one thread; locks cost dearly in TCG).
	 */
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	__fsetlocking(stdout, FSETLOCKING_BYCALLER);

	ret = batch_file ? batch(batch_file, force, down) : run_or_check(argc, argv);

	if (fflush(stdout) || ferror(stdout)) {
		errmsg("writing output: %s", strerror(errno));
		ret = EXIT_ERR;
	}
	nl_close(rtnl_sock);
	nl_close(genl_sock);
	return ret;
}
