// SPDX-License-Identifier: GPL-2.0 OR MIT
/* One binding as `binding show` and `monitor` print it, text or JSON. */
#include <inttypes.h>
#include <string.h>

#include "bindmsg.h"
#include "bindprint.h"
#include "print.h"
#include "strconv.h"

/*
 * Prints the fields of one binding into the current JSON object, or as the
 * words `binding add` takes (offset left out when 0, its default), so that
 * text output can be fed back to `binding load`.
 */
void print_binding(const struct lw4o6_bind *b, const struct bind_stats *st)
{
	char a4[FMT_IPV4_LEN], a6[FMT_IPV6_LEN], psid[16], *p;

	print_string(PRINT_ANY, "ipv4", "ipv4 %s", fmt_ipv4(b->ipv4, a4));
	if (!is_json_context()) {
		p = fmt_u64(b->psid, psid);
		p += strlen(p);
		*p++ = '/';
		fmt_u64(b->psid_len, p);
		print_string(PRINT_FP, NULL, " psid %s", psid);
	}
	print_uint(PRINT_JSON, "psid", NULL, b->psid);
	print_uint(PRINT_JSON, "psid_len", NULL, b->psid_len);
	print_uint(b->offset ? PRINT_ANY : PRINT_JSON, "offset", " offset %u",
		   b->offset);
	print_string(PRINT_ANY, "b4", " b4 %s", fmt_ipv6(&b->b4, a6));
	if (b->has_br)
		print_string(PRINT_ANY, "br", " br %s", fmt_ipv6(&b->br, a6));
	if (!st || !st->present)
		return;
	open_json_object("stats");
	print_u64(PRINT_ANY, "tx_packets", "\n    tx packets %" PRIu64, st->tx_packets);
	print_u64(PRINT_ANY, "tx_bytes", " bytes %" PRIu64, st->tx_bytes);
	print_u64(PRINT_ANY, "rx_packets", "\n    rx packets %" PRIu64, st->rx_packets);
	print_u64(PRINT_ANY, "rx_bytes", " bytes %" PRIu64, st->rx_bytes);
	if (st->seen)
		print_uint(PRINT_ANY, "last_seen", "\n    last seen %us ago",
			   st->last_seen);
	else
		print_null(PRINT_ANY, "last_seen", "\n    last seen %s", "never");
	close_json_object();
}
