/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef LW4O6_DEVPARSE_H
#define LW4O6_DEVPARSE_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

/* The kernel's range for IFLA_LW4O6_ICMP_RATE / LW4O6_A_ICMP_RATE. */
#define DEV_ICMP_RATE_MIN	1
#define DEV_ICMP_RATE_MAX	1000000
/* ... for the CONTROL_RATE and CONTROL_PREFIX_RATE options; CONTROL_PREFIX_LEN */
#define DEV_CONTROL_RATE_MIN	1
#define DEV_CONTROL_RATE_MAX	1000000
#define DEV_CONTROL_PLEN_MIN	1
#define DEV_CONTROL_PLEN_MAX	128
/* The kernel's defaults (kmod/devopt.c), which `dev show` leaves out of text. */
#define DEV_CONTROL_RATE_DEFAULT	10000
#define DEV_CONTROL_PREFIX_RATE_DEFAULT	50
#define DEV_CONTROL_PLEN_DEFAULT	56
/* miss-hold: ms (0 = off), and the queue's length (IFLA_LW4O6_MISS_*) */
#define DEV_MISS_HOLD_MAX	10000
#define DEV_MISS_QUEUE_MIN	1
#define DEV_MISS_QUEUE_MAX	4096

enum dev_use {
	DEV_USE_ADD,
	DEV_USE_SET,
};

#define DEV_SEEN_MODE		(1U << 0)
#define DEV_SEEN_LOCAL		(1U << 1)
#define DEV_SEEN_ICMP_SOURCE	(1U << 2)
#define DEV_SEEN_MTU		(1U << 3)
#define DEV_SEEN_HAIRPIN	(1U << 4)
#define DEV_SEEN_ICMP4_ERRORS	(1U << 5)
#define DEV_SEEN_ICMP6_ERRORS	(1U << 6)
#define DEV_SEEN_ICMP_RATE	(1U << 7)
#define DEV_SEEN_REMOTE		(1U << 8)
#define DEV_SEEN_IPV4		(1U << 9)
#define DEV_SEEN_PSID		(1U << 10)
#define DEV_SEEN_OFFSET		(1U << 11)
#define DEV_SEEN_MSS_CLAMP	(1U << 12)
#define DEV_SEEN_CONTROL_RATE	(1U << 13)
#define DEV_SEEN_CONTROL_PREFIX_RATE (1U << 14)
#define DEV_SEEN_CONTROL_PREFIX_LEN (1U << 15)
#define DEV_SEEN_MISS_HOLD	(1U << 16)
#define DEV_SEEN_MISS_QUEUE	(1U << 17)
#define DEV_SEEN_ENCAP_UNICAST	(1U << 18)
#define DEV_SEEN_ACCEPT_FROM	(1U << 19)
#define DEV_SEEN_ALL		((1U << 20) - 1)

/*
 * What `dev set` sends in LW4O6_CMD_DEV_SET: all but mode (fixed at
 * creation) and mtu (rtnetlink's IFLA_MTU).
 */
#define DEV_SEEN_GENL	(DEV_SEEN_ALL & ~(DEV_SEEN_MODE | DEV_SEEN_MTU))

/* `dev add NAME ...` / `dev set NAME ...`; a field is valid if its bit is seen. */
struct dev_args {
	const char *name;		/* points into argv */
	unsigned int seen;		/* DEV_SEEN_* */
	uint8_t mode;			/* enum lw4o6_mode */
	struct in6_addr local;
	struct in6_addr icmp_source;	/* :: = "none" (dev set only) */
	struct in6_addr remote;		/* dslite, b4: the AFTR */
	uint32_t ipv4;			/* b4: network byte order */
	uint16_t psid;
	uint8_t psid_len;
	uint8_t offset;
	uint32_t mtu;
	uint8_t hairpin;		/* 0/1 */
	uint8_t mss_clamp;		/* 0/1 */
	uint8_t icmp4_errors;
	uint8_t icmp6_errors;
	uint32_t icmp_rate;
	uint32_t control_rate;		/* aftr: PCP to lw4o6d, per second */
	uint32_t control_prefix_rate;	/* ... per B4 prefix */
	uint8_t control_prefix_len;
	uint32_t miss_hold;		/* aftr: ms a missed packet waits */
	uint32_t miss_queue;		/* ... packets at most */
	uint8_t encap_unicast;		/* aftr: 0/1, send from icmp-source */
	struct in6_addr accept_from;	/* dslite, b4: the AFTR set's prefix */
	uint8_t accept_from_len;	/* 0 with :: = "none" */
};

/* argv[0] is NAME; err gets a message without the "dev add: " prefix. */
int dev_parse(int argc, char **argv, enum dev_use use, struct dev_args *out,
	      char *err, size_t errlen);
int parse_on_off(const char *s, uint8_t *v);
/*
 * Refuses an option given in a that does not apply to mode (enum
 * lw4o6_mode); name, if not NULL, is the device's for the message.
 * dev_parse() calls it for dev add; dev set, once it knows the mode.
 */
int dev_check_mode(const struct dev_args *a, uint8_t mode, const char *name,
		   char *err, size_t errlen);

/* The two netlink interfaces that carry the options (include/uapi/linux/lw4o6.h). */
enum dev_nl {
	DEV_NL_LINK,	/* rtnetlink: IFLA_LW4O6_* inside IFLA_INFO_DATA (dev add) */
	DEV_NL_GENL,	/* generic netlink: LW4O6_A_* in DEV_SET (dev set) */
};

struct nlmsghdr;
/*
 * Every option seen that nl carries, from the same table dev_parse() reads
 * the words with.  Not the name, nor mtu (IFLA_MTU, outside IFLA_INFO_DATA
 * and not in DEV_SET): the caller's.
 */
void dev_put_opts(struct nlmsghdr *nlh, const struct dev_args *a,
		  enum dev_nl nl);

#endif
