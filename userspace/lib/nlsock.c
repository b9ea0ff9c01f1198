// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Netlink plumbing: sockets, requests, the receive loop, and error reports
 * that carry the kernel's extended ACK (message and offending attribute).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <linux/lw4o6.h>

#include "nlsock.h"

/*
 * The kernel sizes dump skbs by the largest recvmsg() buffer it has seen,
 * capped near 32 KiB; 64 KiB leaves room and never truncates.
 */
#define RBUF_LEN	65536
#define RCVBUF_BYTES	(4 << 20)

struct nl *nl_open(int bus)
{
	struct nl *nl = calloc(1, sizeof(*nl));
	int one = 1, rcv = RCVBUF_BYTES, fd;

	if (!nl)
		return NULL;
	nl->rbuf_len = RBUF_LEN;
	nl->rbuf = malloc(nl->rbuf_len);
	nl->sk = mnl_socket_open(bus);
	if (!nl->rbuf || !nl->sk)
		goto fail;
	if (mnl_socket_bind(nl->sk, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	fd = mnl_socket_get_fd(nl->sk);
	/* Both are best effort: old kernels just give plainer errors. */
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	/* Monitors and long dumps must not lose messages to a small buffer;
	 * FORCE works for root, the plain one is capped by rmem_max. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	nl->portid = mnl_socket_get_portid(nl->sk);
	nl->seq = (unsigned int)time(NULL);
	return nl;
fail:
	{
		int e = errno;

		nl_close(nl);
		errno = e;
	}
	return NULL;
}

void nl_close(struct nl *nl)
{
	if (!nl)
		return;
	if (nl->sk)
		mnl_socket_close(nl->sk);
	free(nl->rbuf);
	free(nl);
}

int nl_join_group(struct nl *nl, uint32_t group)
{
	int g = (int)group;

	if (mnl_socket_setsockopt(nl->sk, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g)))
		return -errno;
	return 0;
}

struct nlmsghdr *nl_req(struct nl *nl, void *buf, uint16_t type,
			uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++nl->seq;
	return nlh;
}

struct nlmsghdr *genl_req(struct nl *nl, void *buf, uint8_t cmd,
			  uint16_t flags)
{
	struct nlmsghdr *nlh = nl_req(nl, buf, nl->family, flags);
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));

	g->cmd = cmd;
	g->version = LW4O6_GENL_VERSION;
	return nlh;
}

int nl_send(struct nl *nl, const struct nlmsghdr *nlh)
{
	if (mnl_socket_sendto(nl->sk, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	return 0;
}

static void clear_ext(struct nl *nl)
{
	nl->ext_msg[0] = '\0';
	nl->has_off = false;
	nl->has_miss = false;
}

/* Extended ACK attributes follow the error code (and the echoed request). */
static void parse_ext(struct nl *nl, const struct nlmsghdr *nlh, size_t off)
{
	const struct nlattr *a;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) ||
	    nlh->nlmsg_len < mnl_nlmsg_size(off))
		return;
	mnl_attr_for_each(a, nlh, off) {
		switch (mnl_attr_get_type(a)) {
		case NLMSGERR_ATTR_MSG:
			if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
				snprintf(nl->ext_msg, sizeof(nl->ext_msg), "%s",
					 mnl_attr_get_str(a));
			break;
		case NLMSGERR_ATTR_OFFS:
			nl->has_off = nl_get_u32(a, &nl->off);
			break;
		case NLMSGERR_ATTR_MISS_TYPE:
			nl->has_miss = nl_get_u32(a, &nl->miss_type);
			break;
		}
	}
}

static int parse_error(struct nl *nl, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t off = sizeof(*e);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(int)))
		return -EBADMSG;
	if (nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(*e)) &&
	    !(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	parse_ext(nl, nlh, off);
	/* The kernel may warn about a request it carried out. */
	if (!e->error && nl->ext_msg[0] && nl->on_warning)
		nl->on_warning(nl->ext_msg);
	return e->error > 0 ? -e->error : e->error;
}

/* A dump that fails after it started reports the error in NLMSG_DONE. */
static int parse_done(struct nl *nl, const struct nlmsghdr *nlh)
{
	int err;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(int)))
		return 0;
	memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	parse_ext(nl, nlh, sizeof(int));
	return err > 0 ? -err : err;
}

int nl_recv(struct nl *nl, uint32_t seq, nl_msg_cb cb, void *data)
{
	int cb_err = 0;

	clear_ext(nl);
	nl->dump_intr = false;
	for (;;) {
		const struct nlmsghdr *nlh = (const void *)nl->rbuf;
		ssize_t ret = mnl_socket_recvfrom(nl->sk, nl->rbuf, nl->rbuf_len);
		int n;

		if (ret < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (n = (int)ret; mnl_nlmsg_ok(nlh, n); nlh = mnl_nlmsg_next(nlh, &n)) {
			/* Late answers to an earlier request on this socket. */
			if (nlh->nlmsg_seq != seq || nlh->nlmsg_pid != nl->portid)
				continue;
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				nl->dump_intr = true;
			switch (nlh->nlmsg_type) {
			case NLMSG_NOOP:
				continue;
			case NLMSG_ERROR: {
				int err = parse_error(nl, nlh);

				return err ? err : cb_err;
			}
			case NLMSG_DONE: {
				int err = parse_done(nl, nlh);

				return err ? err : cb_err;
			}
			case NLMSG_OVERRUN:
				return -EOVERFLOW;
			}
			/* Keep reading after a callback failure: a dump left
			 * half-read would block the next request on this socket. */
			if (cb && !cb_err)
				cb_err = cb(nlh, data);
		}
	}
}

int nl_talk(struct nl *nl, const struct nlmsghdr *nlh, nl_msg_cb cb,
	    void *data)
{
	int err = nl_send(nl, nlh);

	if (err)
		return err;
	return nl_recv(nl, nlh->nlmsg_seq, cb, data);
}

/* ---- naming the attribute an extended ACK points at ------------------- */

struct attr_schema;
struct attr_desc {
	const char *name;
	const struct attr_schema *nest;
};
struct attr_schema {
	const struct attr_desc *d;
	unsigned int n;
	bool array;		/* every member is d[0], named by position */
};
#define SCHEMA(arr, is_array) { arr, sizeof(arr) / sizeof(arr[0]), is_array }

static const struct attr_desc binding_attrs[] = {
	[LW4O6_BA_IPV4]		= { "ipv4", NULL },
	[LW4O6_BA_PSID]		= { "psid", NULL },
	[LW4O6_BA_PSID_LEN]	= { "psid-len", NULL },
	[LW4O6_BA_OFFSET]	= { "offset", NULL },
	[LW4O6_BA_B4]		= { "b4", NULL },
	[LW4O6_BA_BR]		= { "br", NULL },
};
static const struct attr_schema binding_schema = SCHEMA(binding_attrs, false);
static const struct attr_desc bindings_attrs[] = {
	{ "binding", &binding_schema },
};
static const struct attr_schema bindings_schema = SCHEMA(bindings_attrs, true);
static const struct attr_desc genl_attrs[] = {
	[LW4O6_A_IFINDEX]	= { "ifindex", NULL },
	[LW4O6_A_IFNAME]	= { "ifname", NULL },
	[LW4O6_A_LOCAL]		= { "local", NULL },
	[LW4O6_A_FLAGS]		= { "flags", NULL },
	[LW4O6_A_BINDING]	= { "binding", &binding_schema },
	[LW4O6_A_BINDINGS]	= { "bindings", &bindings_schema },
	[LW4O6_A_ICMP_SOURCE]	= { "icmp-source", NULL },
	[LW4O6_A_HAIRPIN]	= { "hairpin", NULL },
	[LW4O6_A_ICMP4_ERRORS]	= { "icmp4-errors", NULL },
	[LW4O6_A_ICMP6_ERRORS]	= { "icmp6-errors", NULL },
	[LW4O6_A_ICMP_RATE]	= { "icmp-rate", NULL },
};
static const struct attr_schema genl_schema = SCHEMA(genl_attrs, false);

static const struct attr_desc lw4o6_link_attrs[] = {
	[IFLA_LW4O6_MODE]	= { "mode", NULL },
	[IFLA_LW4O6_LOCAL]	= { "local", NULL },
	[IFLA_LW4O6_ICMP_SOURCE] = { "icmp-source", NULL },
	[IFLA_LW4O6_HAIRPIN]	= { "hairpin", NULL },
	[IFLA_LW4O6_ICMP4_ERRORS] = { "icmp4-errors", NULL },
	[IFLA_LW4O6_ICMP6_ERRORS] = { "icmp6-errors", NULL },
	[IFLA_LW4O6_ICMP_RATE]	= { "icmp-rate", NULL },
};
static const struct attr_schema lw4o6_link_schema = SCHEMA(lw4o6_link_attrs, false);
static const struct attr_desc linkinfo_attrs[] = {
	[IFLA_INFO_KIND]	= { "kind", NULL },
	[IFLA_INFO_DATA]	= { "data", &lw4o6_link_schema },
};
static const struct attr_schema linkinfo_schema = SCHEMA(linkinfo_attrs, false);
static const struct attr_desc link_attrs[] = {
	[IFLA_IFNAME]		= { "ifname", NULL },
	[IFLA_MTU]		= { "mtu", NULL },
	[IFLA_LINKINFO]		= { "linkinfo", &linkinfo_schema },
};
static const struct attr_schema link_schema = SCHEMA(link_attrs, false);

static size_t walk(const char *base, size_t pos, size_t end, uint32_t off,
		   const struct attr_schema *s, char *buf, size_t len,
		   size_t used, long *index)
{
	long i;

	for (i = 0; pos + sizeof(struct nlattr) <= end; i++) {
		const struct nlattr *a = (const void *)(base + pos);
		const struct attr_desc *d = NULL;
		unsigned int type = a->nla_type & NLA_TYPE_MASK;
		size_t alen = a->nla_len;
		int w;

		if (alen < sizeof(*a) || pos + alen > end)
			break;
		if (off < pos || off >= pos + alen) {
			pos += MNL_ALIGN(alen);
			continue;
		}
		if (s && s->array)
			d = &s->d[0];
		else if (s && type < s->n && s->d[type].name)
			d = &s->d[type];
		if (s && s->array) {
			w = snprintf(buf + used, len - used, "%s%s[%ld]",
				     used ? "." : "", d->name, i);
			if (index && *index < 0)
				*index = i;
		} else if (d) {
			w = snprintf(buf + used, len - used, "%s%s",
				     used ? "." : "", d->name);
		} else {
			w = snprintf(buf + used, len - used, "%sattr%u",
				     used ? "." : "", type);
		}
		if (w > 0)
			used = used + (size_t)w < len ? used + (size_t)w : len - 1;
		if (off > pos && d && d->nest)
			used = walk(base, pos + sizeof(*a), pos + alen, off,
				    d->nest, buf, len, used, index);
		break;
	}
	return used;
}

/*
 * Names the attribute at byte offset off of req, e.g. "binding.psid" or
 * "bindings[12].b4"; *index (if set, start it at -1) gets the array position.
 */
size_t nl_attr_path(const struct nlmsghdr *req, uint32_t off, char *buf,
		    size_t len, long *index)
{
	const struct attr_schema *s;
	size_t hdr;

	buf[0] = '\0';
	if (req->nlmsg_type == RTM_NEWLINK || req->nlmsg_type == RTM_DELLINK) {
		s = &link_schema;
		hdr = MNL_ALIGN(sizeof(struct ifinfomsg));
	} else if (req->nlmsg_type >= NLMSG_MIN_TYPE &&
		   req->nlmsg_type != GENL_ID_CTRL) {
		s = &genl_schema;
		hdr = GENL_HDRLEN;
	} else {
		return 0;
	}
	if (off >= req->nlmsg_len)
		return 0;
	return walk((const char *)req, MNL_NLMSG_HDRLEN + hdr, req->nlmsg_len,
		    off, s, buf, len, 0, index);
}

/* "WHAT: kernel message (strerror) [attribute PATH]", into buf. */
const char *nl_strerror(const struct nl *nl, const struct nlmsghdr *req,
			int err, const char *what, char *buf, size_t len)
{
	const char *msg = nl->ext_msg;
	char path[128] = "";

	/* Drop the module's own "lw4o6: " tag: ours is already there. */
	if (!strncmp(msg, "lw4o6: ", 7))
		msg += 7;
	if (req && nl->has_off)
		nl_attr_path(req, nl->off, path, sizeof(path), NULL);
	if (*msg)
		snprintf(buf, len, "%s: %s (%s)%s%s%s", what, msg,
			 strerror(-err), *path ? " [attribute " : "", path,
			 *path ? "]" : "");
	else if (nl->has_miss)
		snprintf(buf, len, "%s: %s (missing attribute %u)", what,
			 strerror(-err), nl->miss_type);
	else
		snprintf(buf, len, "%s: %s%s%s%s", what, strerror(-err),
			 *path ? " [attribute " : "", path, *path ? "]" : "");
	return buf;
}

/* ---- reply parsing ------------------------------------------------------ */

struct parse_ctx {
	const struct nlattr **tb;
	unsigned int max;
};

static int parse_cb(const struct nlattr *a, void *data)
{
	struct parse_ctx *c = data;
	unsigned int type = mnl_attr_get_type(a);

	/* Newer kernels may send attributes we do not know: skip them. */
	if (type <= c->max)
		c->tb[type] = a;
	return MNL_CB_OK;
}

void nl_parse_nested(const struct nlattr *nest, const struct nlattr **tb,
		     unsigned int max)
{
	struct parse_ctx c = { tb, max };

	memset(tb, 0, (max + 1) * sizeof(*tb));
	if (nest)
		mnl_attr_parse_nested(nest, parse_cb, &c);
}

void nl_parse_msg(const struct nlmsghdr *nlh, size_t hdrlen,
		  const struct nlattr **tb, unsigned int max)
{
	struct parse_ctx c = { tb, max };

	memset(tb, 0, (max + 1) * sizeof(*tb));
	mnl_attr_parse(nlh, (unsigned int)hdrlen, parse_cb, &c);
}

static bool get_fixed(const struct nlattr *a, void *v, size_t len)
{
	if (!a || mnl_attr_get_payload_len(a) < len)
		return false;
	memcpy(v, mnl_attr_get_payload(a), len);
	return true;
}

bool nl_get_u8(const struct nlattr *a, uint8_t *v)
{
	return get_fixed(a, v, sizeof(*v));
}

bool nl_get_u16(const struct nlattr *a, uint16_t *v)
{
	return get_fixed(a, v, sizeof(*v));
}

bool nl_get_u32(const struct nlattr *a, uint32_t *v)
{
	return get_fixed(a, v, sizeof(*v));
}

/* u64 attributes are only 4-byte aligned on the wire. */
bool nl_get_u64(const struct nlattr *a, uint64_t *v)
{
	return get_fixed(a, v, sizeof(*v));
}

bool nl_get_in6(const struct nlattr *a, void *v)
{
	return get_fixed(a, v, 16);
}

const char *nl_get_str(const struct nlattr *a)
{
	if (!a || mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
		return NULL;
	return mnl_attr_get_str(a);
}

/* ---- generic netlink family resolution --------------------------------- */

struct family_ctx {
	const char *group;
	uint16_t id;
	uint32_t group_id;
};

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1], *g;
	struct family_ctx *c = data;

	nl_parse_msg(nlh, GENL_HDRLEN, tb, CTRL_ATTR_MAX);
	nl_get_u16(tb[CTRL_ATTR_FAMILY_ID], &c->id);
	if (!c->group || !tb[CTRL_ATTR_MCAST_GROUPS])
		return 0;
	mnl_attr_for_each_nested(g, tb[CTRL_ATTR_MCAST_GROUPS]) {
		const struct nlattr *gt[CTRL_ATTR_MCAST_GRP_MAX + 1];
		const char *name;

		nl_parse_nested(g, gt, CTRL_ATTR_MCAST_GRP_MAX);
		name = nl_get_str(gt[CTRL_ATTR_MCAST_GRP_NAME]);
		if (name && !strcmp(name, c->group))
			nl_get_u32(gt[CTRL_ATTR_MCAST_GRP_ID], &c->group_id);
	}
	return 0;
}

/* 0, or -ENOENT when no such family is registered (module not loaded). */
int genl_resolve(struct nl *nl, const char *name, const char *group)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct family_ctx c = { group, 0, 0 };
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	int err;

	nlh = nl_req(nl, buf, GENL_ID_CTRL, NLM_F_ACK);
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, name);
	err = nl_talk(nl, nlh, family_cb, &c);
	if (err)
		return err;
	if (!c.id)
		return -ENOENT;
	nl->family = c.id;
	nl->events_group = c.group_id;
	return 0;
}
