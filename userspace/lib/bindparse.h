/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef LW4O6_BINDPARSE_H
#define LW4O6_BINDPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

/* One softwire as userspace holds it; 48 bytes, a million fit easily. */
struct lw4o6_bind {
	struct in6_addr b4;
	struct in6_addr br;
	uint32_t ipv4;		/* network byte order, as on the wire */
	uint32_t line;		/* where a table file gave it, for errors */
	uint16_t psid;
	uint8_t psid_len;
	uint8_t offset;
	uint8_t has_br;
};

/* Which command the words belong to: each accepts a different subset. */
enum bind_use {
	BIND_USE_ADD	= 1 << 0,
	BIND_USE_DEL	= 1 << 1,
	BIND_USE_SHOW	= 1 << 2,
	BIND_USE_FILE	= 1 << 3,	/* a table file line: no dev, no replace */
};

#define BIND_SEEN_DEV		(1U << 0)
#define BIND_SEEN_IPV4		(1U << 1)
#define BIND_SEEN_PSID		(1U << 2)
#define BIND_SEEN_OFFSET	(1U << 3)
#define BIND_SEEN_B4		(1U << 4)
#define BIND_SEEN_BR		(1U << 5)
#define BIND_SEEN_REPLACE	(1U << 6)

struct bind_args {
	struct lw4o6_bind b;
	const char *dev;	/* points into argv */
	unsigned int seen;	/* BIND_SEEN_* */
};

int bind_parse(int argc, char **argv, enum bind_use use,
	       struct bind_args *out, char *err, size_t errlen);
int parse_psid(const char *s, uint16_t *psid, uint8_t *len,
	       char *err, size_t errlen);
int bind_check_shape(unsigned int offset, unsigned int psid_len,
		     char *err, size_t errlen);
int bind_check(const struct lw4o6_bind *b, char *err, size_t errlen);

#endif
