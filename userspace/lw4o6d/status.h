/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The running daemon's side of "lw4o6d status|dump|metrics": gathers what
 * each started component says (the core's pools, leases and counters, the
 * BFD responder's sessions, a b4's binding, the module's counters of the
 * device) for the control socket (control.h).  main.c starts it once the
 * components run and stops it before they stop.
 *
 * The socket: "control-socket PATH", else status_socket_path()'s default,
 * which the client works out the same way from the same -c FILE.
 */
#ifndef LW4O6D_STATUS_H
#define LW4O6D_STATUS_H

#include <stddef.h>

#include "config.h"

/*
 * Where the socket of the daemon that runs with config file cfg_path is:
 * c->control_socket if set; else $RUNTIME_DIRECTORY/control.sock (the
 * unit's /run/lw4o6d/INSTANCE); else /run/lw4o6d/NAME/control.sock, NAME
 * the file's name without ".conf" (/etc/lw4o6d/aftr.conf: "aftr", as the
 * unit's instance is).  "" for "control-socket off".
 */
void status_socket_path(const struct lw4o6d_config *c, const char *cfg_path,
			char *buf, size_t len);

/* Failure to listen is logged and not fatal: the daemon serves without. */
void status_start(const struct lw4o6d_config *c, const char *cfg_path);
void status_stop(void);

#endif
