// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * What the control socket shows (status.h): each component is asked for
 * its part at the moment of the request, so nothing here keeps a copy of
 * their state, except the b4's binding, which its client only tells.
 */
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "b4.h"
#include "bfd_server.h"
#include "control.h"
#include "core.h"
#include "log.h"
#include "loop.h"
#include "modstats.h"
#include "status.h"

static struct {
	struct lw4o6d_config cfg;
	int64_t start_ms;
	bool has_binding;
	struct b4_binding binding;
} S;

void status_socket_path(const struct lw4o6d_config *c, const char *cfg_path,
			char *buf, size_t len)
{
	const char *rt = getenv("RUNTIME_DIRECTORY");
	char name[CONFIG_MAX_PATH], *base, *dot;

	if (!strcmp(c->control_socket, "off")) {
		snprintf(buf, len, "%s", "");
		return;
	}
	if (c->control_socket[0]) {
		snprintf(buf, len, "%s", c->control_socket);
		return;
	}
	/* systemd may list several directories: the first is the unit's own */
	if (rt && *rt) {
		snprintf(buf, len, "%.*s/control.sock", (int)strcspn(rt, ":"), rt);
		return;
	}
	snprintf(name, sizeof(name), "%s", cfg_path);
	base = basename(name);
	dot = strrchr(base, '.');
	if (dot && dot != base && !strcmp(dot, ".conf"))
		*dot = '\0';
	snprintf(buf, len, "/run/lw4o6d/%s/control.sock", base);
}

static void on_binding(const struct b4_binding *b, void *arg)
{
	(void)arg;
	S.has_binding = b != NULL;
	if (b)
		S.binding = *b;
}

static void gather(struct report_status *s, bool metrics)
{
	struct bfd_resp_stats bs;
	struct nl *nl;
	int err;

	s->role = config_role_name(S.cfg.role);
	s->device = S.cfg.role == ROLE_SERVER ? "" : S.cfg.device;
	s->uptime_s = (loop_now_ms() - S.start_ms) / 1000;
	core_report(s);
	if (S.cfg.role == ROLE_AFTR && bfd_server_stats(&bs)) {
		s->has_bfd = true;
		s->bfd_sessions = bs.sessions;
		s->bfd_up = bs.up;
		s->bfd_ups = bs.ups;
		s->bfd_downs = bs.downs;
	}
	s->has_binding = S.has_binding;
	s->binding = S.binding;
	if (!metrics || S.cfg.role == ROLE_SERVER)
		return;
	/* The module's counters: one short request to the local kernel. */
	nl = modstats_open(&err);
	if (nl) {
		err = modstats_get(nl, S.cfg.device, &s->mod);
		nl_close(nl);
	}
	if (err)
		log_warn("metrics: the module's counters of %s: %s", S.cfg.device,
			 strerror(-err));
	s->has_module = !err;
}

static int mappings(struct control_mapping **v, size_t *n)
{
	return core_mappings(v, n);
}

static const struct control_ops ops = {
	.status = gather,
	.mappings = mappings,
};

void status_start(const struct lw4o6d_config *c, const char *cfg_path)
{
	char path[CONFIG_MAX_PATH], dir[CONFIG_MAX_PATH], *slash;

	S.cfg = *c;
	S.start_ms = loop_now_ms();
	if (c->role == ROLE_B4 && b4_listen(on_binding, NULL))
		log_warn("status: the b4's binding will not be shown");
	status_socket_path(c, cfg_path, path, sizeof(path));
	if (!path[0])
		return;
	/* by hand, not under the unit: the directory may need making */
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!c->control_socket[0] && slash && !getenv("RUNTIME_DIRECTORY")) {
		*slash = '\0';
		mkdir("/run/lw4o6d", 0755);
		if (mkdir(dir, 0755) && errno != EEXIST)
			log_warn("control socket: making %s: %s", dir, strerror(errno));
	}
	if (control_start(path, &ops))
		log_warn("no control socket: lw4o6d status, dump and metrics will not reach this daemon");
}

void status_stop(void)
{
	control_stop();
}
