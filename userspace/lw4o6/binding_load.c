// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * lw4o6 binding load: replace a device's whole table from a file.  The file
 * is parsed and checked completely first, so a bad line costs nothing; then
 * the table goes to the kernel in one LOAD_BEGIN .. LOAD_COMMIT transaction,
 * which the kernel swaps in atomically (or drops if we die half way).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <linux/genetlink.h>

#include <linux/lw4o6.h>

#include "bindmsg.h"
#include "tablefile.h"
#include "cli.h"
#include "nlsock.h"
#include "print.h"
#include "strconv.h"

int binding_load(int argc, char **argv);

/*
 * One LOAD_ADD message.  LW4O6_A_BINDINGS is a nest and nla_len is 16 bits,
 * so a message must stay under 64 KiB anyway: ~1100 bindings without br.
 */
#define LOAD_MSG_MAX	65536

struct file {
	char *data;
	size_t len;
	bool mapped;
};

static int read_all(int fd, struct file *f)
{
	size_t cap = 1 << 20;

	f->data = malloc(cap);
	f->len = 0;
	if (!f->data)
		return -1;
	for (;;) {
		ssize_t n;

		if (f->len == cap) {
			char *p = realloc(f->data, cap * 2);

			if (!p)
				return -1;
			f->data = p;
			cap *= 2;
		}
		n = read(fd, f->data + f->len, cap - f->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (!n)
			return 0;
		f->len += (size_t)n;
	}
}

static int open_file(const char *name, struct file *f)
{
	struct stat st;
	int fd, ret;

	memset(f, 0, sizeof(*f));
	if (!strcmp(name, "-"))
		return read_all(STDIN_FILENO, f);
	fd = open(name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		f->len = (size_t)st.st_size;
		ret = 0;
		if (f->len) {
			f->data = mmap(NULL, f->len, PROT_READ, MAP_PRIVATE, fd, 0);
			if (f->data == MAP_FAILED) {
				f->data = NULL;
				ret = -1;
			} else {
				f->mapped = true;
				madvise(f->data, f->len, MADV_SEQUENTIAL);
			}
		}
	} else {
		ret = read_all(fd, f);
	}
	{
		int e = errno;

		close(fd);
		errno = e;
	}
	return ret;
}

static void close_file(struct file *f)
{
	if (f->mapped)
		munmap(f->data, f->len);
	else
		free(f->data);
}

static int request(struct nl *nl, void *buf, uint8_t cmd, const char *dev,
		   struct nlmsghdr **out)
{
	struct nlmsghdr *nlh = genl_req(nl, buf, cmd, NLM_F_ACK);

	mnl_attr_put_strz(nlh, LW4O6_A_IFNAME, dev);
	if (out) {
		*out = nlh;
		return 0;
	}
	return nl_talk(nl, nlh, NULL, NULL);
}

/* Names the file line of the binding the kernel refused, if it said which. */
static void add_error(struct nl *nl, const struct nlmsghdr *nlh, int err,
		      const char *file, const struct lw4o6_table *t,
		      size_t first)
{
	const char *msg = nl->ext_msg;
	char path[128];
	long idx = -1;

	if (nl->has_off)
		nl_attr_path(nlh, nl->off, path, sizeof(path), &idx);
	if (idx < 0 || first + (size_t)idx >= t->n) {
		nl_perror(nl, nlh, err, "binding load");
		return;
	}
	if (!strncmp(msg, "lw4o6: ", 7))
		msg += 7;
	errmsg("%s:%u: %s%s(%s)", file, t->v[first + (size_t)idx].line, msg,
	       *msg ? " " : "", strerror(-err));
}

static int send_table(struct nl *nl, const char *dev, const char *file,
		      const struct lw4o6_table *t)
{
	char small[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	char *buf;
	size_t i = 0;
	int err;

	buf = malloc(LOAD_MSG_MAX);
	if (!buf) {
		errmsg("binding load: out of memory");
		return EXIT_ERR;
	}
	/* The count lets the kernel size the new table once, not by doubling. */
	request(nl, small, LW4O6_CMD_LOAD_BEGIN, dev, &nlh);
	mnl_attr_put_u32(nlh, LW4O6_A_BINDING_COUNT, (uint32_t)t->n);
	err = nl_talk(nl, nlh, NULL, NULL);
	if (err) {
		nl_perror(nl, NULL, err, "binding load");
		free(buf);
		return EXIT_ERR;
	}
	while (i < t->n) {
		size_t first = i;
		struct nlattr *nest;

		request(nl, buf, LW4O6_CMD_LOAD_ADD, dev, &nlh);
		nest = mnl_attr_nest_start(nlh, LW4O6_A_BINDINGS);
		while (i < t->n &&
		       nlh->nlmsg_len + bind_nest_size(&t->v[i]) <= LOAD_MSG_MAX) {
			bind_put(nlh, LW4O6_A_BINDING, &t->v[i], BIND_PUT_FULL);
			i++;
		}
		mnl_attr_nest_end(nlh, nest);
		err = nl_talk(nl, nlh, NULL, NULL);
		if (err) {
			add_error(nl, nlh, err, file, t, first);
			goto abort;
		}
	}
	err = request(nl, small, LW4O6_CMD_LOAD_COMMIT, dev, NULL);
	if (err) {
		nl_perror(nl, NULL, err, "binding load");
		goto abort;
	}
	free(buf);
	return EXIT_OK;
abort:
	/* Best effort: closing the socket drops the transaction as well. */
	request(nl, small, LW4O6_CMD_LOAD_ABORT, dev, NULL);
	free(buf);
	return EXIT_ERR;
}

/* More than this many bad lines: the rest are counted, not shown. */
#define LOAD_ERRORS_SHOWN	100

static void show_bad(const struct load_err *e, void *arg)
{
	if (e->count <= LOAD_ERRORS_SHOWN)
		errmsg("%s:%u: %s", (const char *)arg, e->line, e->msg);
}

int binding_load(int argc, char **argv)
{
	struct lw4o6_table t;
	struct load_err e;
	struct file f;
	const char *dev, *file, *shown;
	char err[128];
	bool allow_empty;
	struct nl *nl;
	int ret;

	if (argc < 1 || strcmp(argv[0], "dev"))
		return usage_error("binding", "binding load: %s",
				   argc ? "expected \"dev\"" : "missing \"dev\"");
	if (argc < 2)
		return usage_error("binding", "binding load: \"dev\" needs a value");
	if (argc < 3)
		return usage_error("binding", "binding load: missing FILE");
	if (argc > 3 && strcmp(argv[3], "allow-empty"))
		return usage_error("binding", "binding load: unexpected \"%s\"%s",
				   argv[3], did_you_mean(argv[3], (const char *const[]){ "allow-empty" }, 1));
	if (argc > 4)
		return usage_error("binding", "binding load: unexpected \"%s\"",
				   argv[4]);
	allow_empty = argc == 4;
	dev = argv[1];
	file = argv[2];
	shown = strcmp(file, "-") ? file : "stdin";
	if (check_ifname(dev, err, sizeof(err)))
		return usage_error("binding", "binding load: %s", err);

	if (open_file(file, &f)) {
		errmsg("binding load: cannot read %s: %s", file, strerror(errno));
		close_file(&f);
		return EXIT_ERR;
	}
	table_init(&t);
	/* Every bad line, then nothing sent: never half a table. */
	if (table_parse_all(&t, f.data, f.len, &e, show_bad, (void *)shown)) {
		if (!e.count)		/* the file's structure: one error */
			errmsg("%s:%u: %s", shown, e.line, e.msg);
		else if (e.count > LOAD_ERRORS_SHOWN)
			errmsg("binding load: %lu bad bindings in %s (the first %d shown); nothing loaded",
			       e.count, shown, LOAD_ERRORS_SHOWN);
		else
			errmsg("binding load: %lu bad binding%s in %s; nothing loaded",
			       e.count, e.count == 1 ? "" : "s", shown);
		ret = EXIT_ERR;
		goto out;
	}
	/* A truncated or wrong file must not silently empty the table. */
	if (!t.n && !allow_empty) {
		errmsg("binding load: %s has no bindings; that would empty %s's table (add \"allow-empty\", or use 'binding flush dev %s')",
		       shown, dev, dev);
		ret = EXIT_ERR;
		goto out;
	}
	close_file(&f);
	memset(&f, 0, sizeof(f));

	nl = get_genl();
	ret = nl ? send_table(nl, dev, shown, &t) : EXIT_ERR;
	if (!ret && opts.json) {
		new_json_obj(true, opts.pretty);
		open_json_object(NULL);
		print_u64(PRINT_JSON, "loaded", NULL, t.n);
		close_json_object();
		delete_json_obj();
	}
out:
	close_file(&f);
	table_free(&t);
	return ret;
}
