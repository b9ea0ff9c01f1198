// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The BFD responder's state file's lines (bfd_state.h). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "bfd_state.h"

void bfd_state_path(const struct lw4o6d_config *c, char *buf, size_t len)
{
	if (c->bfd_state_file[0])
		snprintf(buf, len, "%s", c->bfd_state_file);
	else
		snprintf(buf, len, "/var/lib/lw4o6d/bfd-%s.state", c->device);
}

#define FMT	"session %s %u %u %u %u %" PRIu32 " %" PRIu32 " %lld %" PRIu32 \
		" %" PRIu32 " %" PRIu32 " %" PRIu32 " %u %lld %llu %llu\n"

int bfd_state_line(const struct bfd_peer *p, int64_t now_ms, time_t wall,
		   char *buf, size_t len)
{
	const struct bfd_session *s = &p->s;
	char b4[INET6_ADDRSTRLEN];
	/* the session's clock is the loop's: its change, in wall seconds */
	long long since = (long long)wall - (now_ms - s->last_change) / 1000;

	inet_ntop(AF_INET6, &p->b4, b4, sizeof(b4));
	return snprintf(buf, len, FMT, b4, s->state, s->local_diag,
			s->remote_state, s->remote_diag, s->local_disc,
			s->remote_disc, since, s->desired_min_tx,
			s->required_min_rx, s->remote_min_tx, s->remote_min_rx,
			s->remote_mult, (long long)bfd_session_detect_ms(s),
			(unsigned long long)s->n_rx, (unsigned long long)s->n_tx);
}

int bfd_state_parse(const char *line, struct bfd_state_row *r)
{
	struct in6_addr a;
	int end = 0;

	memset(r, 0, sizeof(*r));
	if (sscanf(line, "session %47s %u %u %u %u %" SCNu32 " %" SCNu32
		   " %lld %" SCNu32 " %" SCNu32 " %" SCNu32 " %" SCNu32
		   " %u %lld %llu %llu%n",
		   r->b4, &r->state, &r->diag, &r->remote_state,
		   &r->remote_diag, &r->local_disc, &r->remote_disc, &r->since,
		   &r->tx_us, &r->rx_us, &r->remote_tx_us, &r->remote_rx_us,
		   &r->remote_mult, &r->detect_ms, &r->n_rx, &r->n_tx,
		   &end) != 16 || (line[end] && line[end] != '\n'))
		return -1;
	if (inet_pton(AF_INET6, r->b4, &a) != 1 || r->state > BFD_UP ||
	    r->remote_state > BFD_UP || r->diag > BFD_DIAG_MAX ||
	    r->remote_diag > BFD_DIAG_MAX)
		return -1;
	return 0;
}
