/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef LW4O6_NL_H
#define LW4O6_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <libmnl/libmnl.h>

struct nl {
	struct mnl_socket *sk;
	unsigned int portid;
	unsigned int seq;
	uint16_t family;	/* generic netlink family id; 0 on rtnetlink */
	uint32_t events_group;	/* 0: the family has no "events" group */
	char *rbuf;
	size_t rbuf_len;
	/* What the kernel said about the last failed request. */
	char ext_msg[256];
	bool has_off;
	uint32_t off;
	bool has_miss;
	uint32_t miss_type;
	bool dump_intr;
	/* Called with the kernel's text when it warns about a request that
	 * succeeded; NULL ignores warnings.  The library prints nothing. */
	void (*on_warning)(const char *msg);
};

/* A reply message; return < 0 to fail the request (the reply is drained). */
typedef int (*nl_msg_cb)(const struct nlmsghdr *nlh, void *data);

struct nl *nl_open(int bus);
void nl_close(struct nl *nl);
int nl_join_group(struct nl *nl, uint32_t group);
int genl_resolve(struct nl *nl, const char *name, const char *group);

struct nlmsghdr *nl_req(struct nl *nl, void *buf, uint16_t type,
			uint16_t flags);
struct nlmsghdr *genl_req(struct nl *nl, void *buf, uint8_t cmd,
			  uint16_t flags);
int nl_send(struct nl *nl, const struct nlmsghdr *nlh);
int nl_recv(struct nl *nl, uint32_t seq, nl_msg_cb cb, void *data);
int nl_talk(struct nl *nl, const struct nlmsghdr *nlh, nl_msg_cb cb,
	    void *data);

size_t nl_attr_path(const struct nlmsghdr *req, uint32_t off, char *buf,
		    size_t len, long *index);
/* The error of a failed request as one line: "WHAT: extack text (strerror)
 * [attribute PATH]"; req (may be NULL) resolves the attribute offset. */
const char *nl_strerror(const struct nl *nl, const struct nlmsghdr *req,
			int err, const char *what, char *buf, size_t len);

/* Attribute table parsing with length checks, for kernel replies. */
void nl_parse_nested(const struct nlattr *nest, const struct nlattr **tb,
		     unsigned int max);
void nl_parse_msg(const struct nlmsghdr *nlh, size_t hdrlen,
		  const struct nlattr **tb, unsigned int max);
bool nl_get_u8(const struct nlattr *a, uint8_t *v);
bool nl_get_u16(const struct nlattr *a, uint16_t *v);
bool nl_get_u32(const struct nlattr *a, uint32_t *v);
bool nl_get_u64(const struct nlattr *a, uint64_t *v);
bool nl_get_in6(const struct nlattr *a, void *v);
const char *nl_get_str(const struct nlattr *a);

#endif
