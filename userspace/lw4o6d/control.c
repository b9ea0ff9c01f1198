// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The control socket (control.h).  Each client is a small state machine:
 * reading its line, then writing its answer from a buffer (a dump's next
 * piece made only once the last one is out), then closed.  A once-a-second
 * timer drops the idle ones.
 */
#define _GNU_SOURCE	/* accept4(), struct ucred */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "control.h"
#include "log.h"
#include "loop.h"

/* Mappings formatted per piece of a dump: some 20-40 KiB of text. */
#define DUMP_PIECE 256
/*
 * Pieces written per turn of the loop at most: a client that reads as
 * fast as we write must still not keep the loop from the others.
 */
#define PIECES_PER_TURN 4

struct client {
	int fd;			/* -1: a free slot */
	char req[CONTROL_MAX_REQUEST + 1];
	size_t req_len;
	bool answering;
	bool dumping;		/* counted in K.n_dumps */
	char *out;
	size_t out_len, out_off;
	struct control_mapping *maps;	/* a dump's snapshot */
	size_t n_maps, next;
	struct emit em;
	int64_t last_ms;	/* when it last asked or read */
};

static struct {
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	const struct control_ops *ops;
	struct client c[CONTROL_MAX_CLIENTS];
	size_t n_dumps;
	struct timer idle;
	uint64_t refused, dropped;
} K = { .fd = -1 };

enum control_req control_parse(const char *line, bool *json)
{
	static const struct {
		const char *s;
		enum control_req r;
		bool json;
	} reqs[] = {
		{ "status", CONTROL_STATUS, false },
		{ "status json", CONTROL_STATUS, true },
		{ "dump", CONTROL_DUMP, false },
		{ "dump json", CONTROL_DUMP, true },
		{ "metrics", CONTROL_METRICS, false },
	};
	size_t i;

	for (i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++)
		if (!strcmp(line, reqs[i].s)) {
			*json = reqs[i].json;
			return reqs[i].r;
		}
	return CONTROL_BAD;
}

bool control_peer_ok(unsigned int peer_uid, unsigned int own_uid)
{
	return peer_uid == 0 || peer_uid == own_uid;
}

/*
 * What the client sent and we did not read, read now: closing on unread
 * data would reset the connection and could lose our last line to it.
 */
static void drain(int fd)
{
	char buf[256];

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

static void client_close(struct client *c)
{
	drain(c->fd);
	loop_del_fd(c->fd);
	close(c->fd);
	free(c->out);
	if (c->dumping)
		K.n_dumps--;
	free(c->maps);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

/* The answer's next piece into c->out; false when there is none. */
static bool produce(struct client *c)
{
	size_t end;
	FILE *f;

	free(c->out);
	c->out = NULL;
	c->out_len = c->out_off = 0;
	if (!c->dumping || c->next > c->n_maps)
		return false;
	f = open_memstream(&c->out, &c->out_len);
	if (!f)
		return false;
	c->em.f = f;
	end = c->next + DUMP_PIECE < c->n_maps ? c->next + DUMP_PIECE : c->n_maps;
	for (; c->next < end; c->next++)
		report_dump_mapping(&c->em, &c->maps[c->next].m,
				    c->maps[c->next].mirrored, (int64_t)time(NULL));
	if (c->next == c->n_maps) {
		report_dump_end(&c->em);
		c->next++;	/* all written */
	}
	return !fclose(f) && c->out_len;
}

static void answer(struct client *c)
{
	struct report_status *s = NULL;
	enum control_req r;
	bool json = false;
	size_t n = 0;
	FILE *f;
	int err;

	c->answering = true;
	/* from now on only its reading matters: no POLLIN to spin on after its EOF */
	loop_want(c->fd, false, true);
	r = control_parse(c->req, &json);
	f = open_memstream(&c->out, &c->out_len);
	if (!f) {
		client_close(c);
		return;
	}
	switch (r) {
	case CONTROL_BAD:
		fputs("error: unknown request (status, status json, dump, dump json, metrics)\n", f);
		break;
	case CONTROL_STATUS:
	case CONTROL_METRICS:
		s = calloc(1, sizeof(*s));
		if (!s) {
			fputs("error: out of memory\n", f);
			break;
		}
		K.ops->status(s, r == CONTROL_METRICS);
		fputs("ok\n", f);
		if (r == CONTROL_STATUS)
			report_status(f, json, s);
		else
			report_metrics(f, s);
		free(s);
		break;
	case CONTROL_DUMP:
		if (K.n_dumps >= CONTROL_MAX_DUMPS) {
			fputs("error: busy (another dump is being written)\n", f);
			break;
		}
		err = K.ops->mappings(&c->maps, &n);
		if (err) {
			fprintf(f, "error: %s\n", err == -ENOENT ?
				"this role keeps no mappings" : strerror(-err));
			break;
		}
		K.n_dumps++;
		c->dumping = true;
		c->n_maps = n;
		fputs("ok\n", f);
		report_dump_begin(&c->em, f, json);
		break;
	}
	if (fclose(f))
		client_close(c);
}

static void on_client(int fd, void *arg)
{
	struct client *c = arg;
	unsigned int pieces;
	ssize_t n;

	if (!c->answering) {
		n = read(fd, c->req + c->req_len, CONTROL_MAX_REQUEST - c->req_len);
		if (n <= 0) {
			if (n == 0 || (errno != EAGAIN && errno != EINTR))
				client_close(c);
			return;
		}
		c->last_ms = loop_now_ms();
		c->req_len += (size_t)n;
		c->req[c->req_len] = '\0';
		if (!strchr(c->req, '\n')) {
			if (c->req_len == CONTROL_MAX_REQUEST) {
				/* no line that long is a request */
				c->req[0] = '\0';
				answer(c);
			}
			return;
		}
		*strchr(c->req, '\n') = '\0';
		answer(c);
		return;
	}
	for (pieces = 0;; pieces++) {
		if (c->out_off == c->out_len) {
			if (pieces >= PIECES_PER_TURN)
				return;	/* POLLOUT calls us again */
			if (!produce(c)) {
				client_close(c);
				return;
			}
		}
		n = send(fd, c->out + c->out_off, c->out_len - c->out_off,
			 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				client_close(c);
			return;
		}
		c->last_ms = loop_now_ms();
		c->out_off += (size_t)n;
	}
}

static void on_idle(struct timer *t)
{
	int64_t now = loop_now_ms();
	bool any = false;
	size_t i;

	for (i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		struct client *c = &K.c[i];

		if (c->fd < 0)
			continue;
		if (now - c->last_ms >= CONTROL_IDLE_MS) {
			K.dropped++;
			log_info("control: a client idle for %d s dropped", CONTROL_IDLE_MS / 1000);
			client_close(c);
			continue;
		}
		any = true;
	}
	if (any)
		timer_arm(t, 1000);
}

/* A connection that is not served gets one line, if it can take it now. */
static void turn_away(int fd, const char *why)
{
	if (send(fd, why, strlen(why), MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		log_debug("control: telling a client off: %s", strerror(errno));
	drain(fd);
	close(fd);
}

static void on_accept(int fd, void *arg)
{
	struct ucred cr;
	socklen_t len;
	struct client *c = NULL;
	size_t i;
	int cfd;

	(void)arg;
	while ((cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		cr.uid = (uid_t)-1;
		len = sizeof(cr);
		if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cr, &len) ||
		    !control_peer_ok(cr.uid, geteuid())) {
			K.refused++;
			log_warn("control: uid %d refused: only root and the daemon's user (uid %u) may ask",
				 (int)cr.uid, (unsigned int)geteuid());
			turn_away(cfd, "error: permission denied (root or the daemon's user only)\n");
			continue;
		}
		for (i = 0, c = NULL; i < CONTROL_MAX_CLIENTS && !c; i++)
			if (K.c[i].fd < 0)
				c = &K.c[i];
		if (!c || loop_add_fd(cfd, on_client, c)) {
			turn_away(cfd, "error: busy (too many clients)\n");
			continue;
		}
		c->fd = cfd;
		c->last_ms = loop_now_ms();
		if (!K.idle.armed)
			timer_arm(&K.idle, 1000);
	}
}

/* Whether a daemon answers at path: then it is not ours to replace. */
static bool in_use(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool used;

	if (fd < 0)
		return false;
	used = !connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	close(fd);
	return used;
}

int control_start(const char *path, const struct control_ops *ops)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	mode_t old;
	size_t i;
	int err;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		log_err("control socket %s: the path is too long", path);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	if (in_use(&sa)) {
		log_err("control socket %s: another lw4o6d answers there", path);
		return -EADDRINUSE;
	}
	unlink(path);
	K.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (K.fd < 0)
		goto fail;
	/* 0600 from the start: no moment where another user may connect */
	old = umask(0177);
	err = bind(K.fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (err || listen(K.fd, CONTROL_MAX_CLIENTS) ||
	    loop_add_fd(K.fd, on_accept, NULL))
		goto fail;
	strcpy(K.path, path);
	K.ops = ops;
	for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
		K.c[i].fd = -1;
	timer_init(&K.idle, on_idle);
	log_info("control socket %s", path);
	return 0;
fail:
	err = -errno;
	log_err("control socket %s: %s", path, strerror(errno));
	if (K.fd >= 0)
		close(K.fd);
	K.fd = -1;
	return err;
}

void control_stop(void)
{
	size_t i;

	if (K.fd < 0)
		return;
	for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (K.c[i].fd >= 0)
			client_close(&K.c[i]);
	timer_cancel(&K.idle);
	loop_del_fd(K.fd);
	close(K.fd);
	unlink(K.path);
	K.fd = -1;
}
