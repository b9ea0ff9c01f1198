/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The daemon's control socket: a local stream socket (AF_UNIX, mode 0600)
 * where "lw4o6d status", "dump" and "metrics" ask the running daemon.  A
 * front-end like the PCP server: it owns no state, it asks its ops for a
 * snapshot and writes it out (report.h).
 *
 * One request a connection: a line "status", "status json", "dump",
 * "dump json" or "metrics"; the answer is "ok" or "error: WHY" on a line,
 * then the text, then the daemon closes.  Only root and the daemon's own
 * user are served (SO_PEERCRED).  Everything is non-blocking and bounded:
 * at most CONTROL_MAX_CLIENTS at once (the next is told "error: busy"), a
 * request of at most CONTROL_MAX_REQUEST bytes, and a client that neither
 * asks nor reads for CONTROL_IDLE_MS is dropped, so that no client can
 * stall the loop or hold memory.  A dump is a snapshot of the mappings
 * (about 70 bytes each), written out in pieces as the client reads.
 */
#ifndef LW4O6D_CONTROL_H
#define LW4O6D_CONTROL_H

#include <stdbool.h>
#include <stddef.h>

#include "mapping.h"
#include "report.h"

#define CONTROL_MAX_CLIENTS	8
#define CONTROL_MAX_DUMPS	2
#define CONTROL_MAX_REQUEST	64
#define CONTROL_IDLE_MS		5000

struct control_mapping {
	struct lw4o6_mapping m;
	bool mirrored;
};

struct control_ops {
	/* What status and metrics show now (metrics: with the module's counters). */
	void (*status)(struct report_status *s, bool metrics);
	/* Every mapping, malloc'd, in *v; -ENOMEM, or -ENOENT if none are kept (a b4). */
	int (*mappings)(struct control_mapping **v, size_t *n);
};

enum control_req {
	CONTROL_BAD,
	CONTROL_STATUS,
	CONTROL_DUMP,
	CONTROL_METRICS,
};

/* A request line (without its newline); *json for "status json", "dump json". */
enum control_req control_parse(const char *line, bool *json);
/* Who may ask: root, or the daemon's own user. */
bool control_peer_ok(unsigned int peer_uid, unsigned int own_uid);

/*
 * Listens on path (a stale socket there is replaced; one another lw4o6d
 * answers on is left alone: -EADDRINUSE).  -errno, logged.
 */
int control_start(const char *path, const struct control_ops *ops);
void control_stop(void);

#endif
