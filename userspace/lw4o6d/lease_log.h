/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The log lines of a mapping's grant, move and end, with the journal's
 * fields (log_fields()): what "journalctl MESSAGE_ID=..." or
 * "journalctl LW4O6_IPV4=192.0.2.1" finds.  The text is the line these
 * events always had; the IDs and fields are in docs/lw4o6d.md ("Journal
 * fields") and systemd/lw4o6d.catalog.
 */
#ifndef LW4O6D_LEASE_LOG_H
#define LW4O6D_LEASE_LOG_H

#include <stdint.h>
#include "mapping.h"

#define LEASE_LOG_GRANTED_ID	"8a44e38408bf465c9f3ead896d935c18"
#define LEASE_LOG_MOVED_ID	"4683520a83444c1d94a73bc9ef525b71"
#define LEASE_LOG_ENDED_ID	"4ce499a5fd244264a599ead6b67fd2f8"

/* "granted M for LTs" */
void lease_log_granted(const struct lw4o6_mapping *m, uint32_t lifetime);
/* "mapping M: moved from FROM, its B4's old address" */
void lease_log_moved(const struct lw4o6_mapping *m, const struct in6_addr *from);
/* "mapping WHY: M" (WHY: "expired", "deleted by its B4", ...) */
void lease_log_ended(const struct lw4o6_mapping *m, const char *why);

#endif
