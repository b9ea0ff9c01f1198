// SPDX-License-Identifier: GPL-2.0 OR MIT
#define _GNU_SOURCE	/* recvmmsg */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <linux/genetlink.h>

#include <linux/lw4o6.h>

#include "bindmsg.h"
#include "kernel.h"
#include "log.h"
#include "nlsock.h"

static void kernel_warning(const char *msg)
{
	log_warn("kernel: %s", msg);
}

struct kern {
	struct nl *req;
	struct nl *ev;
	int ifindex;
	char name[IF_NAMESIZE];
	uint32_t control_group;
	uint32_t events_group;
	bool events;		/* joined the events group: its losses matter */
	uint64_t overflows;
	struct kern_events cb;
	struct kern_batch *batch;	/* control group only: recvmmsg's */
};

/*
 * The control group carries one small datagram per B4 packet (PCP, and
 * BFD from every B4 every few seconds: tens of thousands a second on an
 * lwAFTR), so it is read KERN_BATCH at a time, one recvmmsg() for all.
 * Each datagram is one EVT_CONTROL of at most LW4O6_CONTROL_MAX bytes of
 * packet and its headers; the events group's (table events, whose
 * datagrams a resync may make large) keep the one big buffer.
 */
#define KERN_BATCH	32
#define KERN_BATCH_BUF	(LW4O6_CONTROL_MAX + 512)

struct kern_batch {
	struct mmsghdr m[KERN_BATCH];
	struct iovec iov[KERN_BATCH];
	uint8_t buf[KERN_BATCH][KERN_BATCH_BUF];
};

struct kern *kern_open(const char *dev, char *err, size_t errlen)
{
	struct kern *k = calloc(1, sizeof(*k));
	int e;

	if (!k) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(k->name, sizeof(k->name), "%s", dev);
	k->ifindex = if_nametoindex(dev);
	if (!k->ifindex) {
		snprintf(err, errlen, "no device %s: %s", dev, strerror(errno));
		goto fail;
	}
	k->req = nl_open(NETLINK_GENERIC);
	if (!k->req) {
		snprintf(err, errlen, "netlink: %s", strerror(errno));
		goto fail;
	}
	k->req->on_warning = kernel_warning;
	e = genl_resolve(k->req, LW4O6_GENL_NAME, LW4O6_MCGRP_CONTROL);
	if (e) {
		snprintf(err, errlen, "no lw4o6 netlink family (is lw4o6.ko loaded?): %s",
			 strerror(-e));
		goto fail;
	}
	k->control_group = k->req->events_group;
	e = genl_resolve(k->req, LW4O6_GENL_NAME, LW4O6_MCGRP_EVENTS);
	if (e) {
		snprintf(err, errlen, "lw4o6 family: %s", strerror(-e));
		goto fail;
	}
	k->events_group = k->req->events_group;
	return k;
fail:
	kern_close(k);
	return NULL;
}

struct kern *kern_open_mode(const char *dev, uint8_t mode, struct kern_dev *d)
{
	static const char *const what[] = {
		[LW4O6_MODE_AFTR] = "an lwAFTR (mode aftr)",
		[LW4O6_MODE_B4] = "an lwB4 (mode b4)",
		[LW4O6_MODE_DSLITE] = "a DS-Lite B4 (mode dslite)",
	};
	char err[256];
	struct kern *k = kern_open(dev, err, sizeof(err));
	int e;

	if (!k) {
		log_err("%s", err);
		return NULL;
	}
	e = kern_dev_get(k, d);
	if (e)
		log_err("device %s: %s", dev, strerror(-e));
	else if (d->mode != mode)
		log_err("device %s is not %s", dev,
			mode <= LW4O6_MODE_MAX && what[mode] ? what[mode] : "of the mode needed");
	if (e || d->mode != mode) {
		kern_close(k);
		return NULL;
	}
	return k;
}

void kern_close(struct kern *k)
{
	if (!k)
		return;
	nl_close(k->req);
	nl_close(k->ev);
	free(k->batch);
	free(k);
}

const char *kern_last_error(struct kern *k)
{
	return k->req->ext_msg;
}

uint32_t kern_portid(const struct kern *k)
{
	return k->req->portid;
}

static struct nlmsghdr *req(struct kern *k, char *buf, uint8_t cmd,
			    uint16_t flags)
{
	struct nlmsghdr *nlh = genl_req(k->req, buf, cmd, flags);

	mnl_attr_put_u32(nlh, LW4O6_A_IFINDEX, k->ifindex);
	return nlh;
}

static int dev_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[LW4O6_A_MAX + 1];
	struct kern_dev *d = data;

	nl_parse_msg(nlh, GENL_HDRLEN, tb, LW4O6_A_MAX);
	nl_get_u8(tb[LW4O6_A_MODE], &d->mode);
	nl_get_in6(tb[LW4O6_A_LOCAL], &d->local);
	nl_get_in6(tb[LW4O6_A_REMOTE], &d->remote);
	nl_get_u32(tb[LW4O6_A_IPV4], &d->ipv4);
	nl_get_u16(tb[LW4O6_A_PSID], &d->psid);
	nl_get_u8(tb[LW4O6_A_PSID_LEN], &d->psid_len);
	nl_get_u8(tb[LW4O6_A_OFFSET], &d->offset);
	return 0;
}

int kern_dev_get(struct kern *k, struct kern_dev *d)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];

	memset(d, 0, sizeof(*d));
	d->ifindex = k->ifindex;
	return nl_talk(k->req, req(k, buf, LW4O6_CMD_DEV_GET, NLM_F_ACK),
		       dev_cb, d);
}

static void to_bind(const struct lw4o6_mapping *m, struct lw4o6_bind *b)
{
	memset(b, 0, sizeof(*b));
	b->b4 = m->b4;
	b->ipv4 = m->ipv4;
	b->psid = m->psid;
	b->psid_len = m->psid_len;
	b->offset = m->offset;
}

int kern_bind_add(struct kern *k, const struct lw4o6_mapping *m, bool replace)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = req(k, buf, LW4O6_CMD_BIND_NEW, NLM_F_ACK);
	struct lw4o6_bind b;

	to_bind(m, &b);
	bind_put(nlh, LW4O6_A_BINDING, &b, BIND_PUT_FULL);
	if (replace)
		mnl_attr_put_u32(nlh, LW4O6_A_FLAGS, LW4O6_F_REPLACE);
	return nl_talk(k->req, nlh, NULL, NULL);
}

int kern_bind_del(struct kern *k, uint32_t ipv4, uint16_t psid,
		  uint8_t psid_len)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = req(k, buf, LW4O6_CMD_BIND_DEL, NLM_F_ACK);
	struct lw4o6_bind b = { .ipv4 = ipv4, .psid = psid,
				.psid_len = psid_len };

	bind_put(nlh, LW4O6_A_BINDING, &b, BIND_PUT_KEY);
	return nl_talk(k->req, nlh, NULL, NULL);
}

/*
 * One LOAD_ADD message at most: LW4O6_A_BINDINGS is a nest and nla_len is
 * 16 bits (the CLI's binding load does the same).
 */
#define LOAD_MSG_MAX	65536

struct kern_load {
	struct kern *k;
	char *buf;
	struct nlmsghdr *nlh;	/* the LOAD_ADD being filled, or NULL */
	struct nlattr *nest;
	int err;
};

int kern_load_begin(struct kern *k, uint32_t count, struct kern_load **out)
{
	char small[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = req(k, small, LW4O6_CMD_LOAD_BEGIN, NLM_F_ACK);
	struct kern_load *l = calloc(1, sizeof(*l));
	int err;

	if (l)
		l->buf = malloc(LOAD_MSG_MAX);
	if (!l || !l->buf) {
		free(l);
		return -ENOMEM;
	}
	l->k = k;
	mnl_attr_put_u32(nlh, LW4O6_A_BINDING_COUNT, count);
	err = nl_talk(k->req, nlh, NULL, NULL);
	if (err) {
		free(l->buf);
		free(l);
		return err;
	}
	*out = l;
	return 0;
}

static int load_flush(struct kern_load *l)
{
	int err;

	if (!l->nlh)
		return 0;
	mnl_attr_nest_end(l->nlh, l->nest);
	err = nl_talk(l->k->req, l->nlh, NULL, NULL);
	l->nlh = NULL;
	return err;
}

int kern_load_add(struct kern_load *l, const struct lw4o6_mapping *m)
{
	struct lw4o6_bind b;

	if (l->err)
		return l->err;
	to_bind(m, &b);
	if (l->nlh && l->nlh->nlmsg_len + bind_nest_size(&b) > LOAD_MSG_MAX)
		l->err = load_flush(l);
	if (l->err)
		return l->err;
	if (!l->nlh) {
		l->nlh = req(l->k, l->buf, LW4O6_CMD_LOAD_ADD, NLM_F_ACK);
		l->nest = mnl_attr_nest_start(l->nlh, LW4O6_A_BINDINGS);
	}
	bind_put(l->nlh, LW4O6_A_BINDING, &b, BIND_PUT_FULL);
	return 0;
}

int kern_load_commit(struct kern_load *l)
{
	char small[MNL_SOCKET_BUFFER_SIZE];
	int err = l->err ? l->err : load_flush(l);

	if (!err)
		err = nl_talk(l->k->req, req(l->k, small, LW4O6_CMD_LOAD_COMMIT,
					     NLM_F_ACK), NULL, NULL);
	if (err)	/* closing the socket would drop it as well */
		nl_talk(l->k->req, req(l->k, small, LW4O6_CMD_LOAD_ABORT,
				       NLM_F_ACK), NULL, NULL);
	free(l->buf);
	free(l);
	return err;
}

/* A binding nest as a mapping (key, B4 and shape only); -1 if incomplete. */
static int from_bind(const struct nlattr *nest, struct lw4o6_mapping *m)
{
	struct lw4o6_bind b;
	struct bind_stats st;

	if (bind_get(nest, &b, &st))
		return -1;
	memset(m, 0, sizeof(*m));
	m->b4 = b.b4;
	m->ipv4 = b.ipv4;
	m->psid = b.psid;
	m->psid_len = b.psid_len;
	m->offset = b.offset;
	return 0;
}

struct dump_ctx {
	int (*cb)(const struct lw4o6_mapping *m, void *arg);
	void *arg;
	int ret;
};

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *c = data;
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		struct lw4o6_mapping m;

		if (c->ret || mnl_attr_get_type(a) != LW4O6_A_BINDING ||
		    from_bind(a, &m))
			continue;
		c->ret = c->cb(&m, c->arg);
	}
	return 0;
}

int kern_bind_dump(struct kern *k,
		   int (*cb)(const struct lw4o6_mapping *m, void *arg),
		   void *arg)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct dump_ctx c = { cb, arg, 0 };
	int err;

	err = nl_talk(k->req, req(k, buf, LW4O6_CMD_BIND_GET, NLM_F_DUMP),
		      dump_cb, &c);
	return err ? err : c.ret;
}

int kern_b4_set(struct kern *k, uint32_t ipv4, uint16_t psid,
		uint8_t psid_len, uint8_t offset)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = req(k, buf, LW4O6_CMD_DEV_SET, NLM_F_ACK);

	mnl_attr_put_u32(nlh, LW4O6_A_IPV4, ipv4);
	mnl_attr_put_u16(nlh, LW4O6_A_PSID, psid);
	mnl_attr_put_u8(nlh, LW4O6_A_PSID_LEN, psid_len);
	mnl_attr_put_u8(nlh, LW4O6_A_OFFSET, offset);
	return nl_talk(k->req, nlh, NULL, NULL);
}

int kern_dev_set_ends(struct kern *k, const struct in6_addr *local,
		      const struct in6_addr *remote)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = req(k, buf, LW4O6_CMD_DEV_SET, NLM_F_ACK);

	if (local)
		mnl_attr_put(nlh, LW4O6_A_LOCAL, sizeof(*local), local);
	if (remote)
		mnl_attr_put(nlh, LW4O6_A_REMOTE, sizeof(*remote), remote);
	return nl_talk(k->req, nlh, NULL, NULL);
}

int kern_dev_set_miss_hold(struct kern *k, uint32_t ms, uint32_t queue)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = req(k, buf, LW4O6_CMD_DEV_SET, NLM_F_ACK);

	mnl_attr_put_u32(nlh, LW4O6_A_MISS_HOLD, ms);
	mnl_attr_put_u32(nlh, LW4O6_A_MISS_QUEUE, queue);
	return nl_talk(k->req, nlh, NULL, NULL);
}

int kern_miss_reject(struct kern *k, const struct in6_addr *b4, uint32_t ipv4)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = req(k, buf, LW4O6_CMD_MISS_REJECT, NLM_F_ACK);

	mnl_attr_put(nlh, LW4O6_A_MISS_B4, sizeof(*b4), b4);
	if (ipv4)
		mnl_attr_put_u32(nlh, LW4O6_A_MISS_IPV4, ipv4);
	return nl_talk(k->req, nlh, NULL, NULL);
}

static int batch_alloc(struct kern *k)
{
	unsigned int i;

	k->batch = calloc(1, sizeof(*k->batch));
	if (!k->batch)
		return -ENOMEM;
	for (i = 0; i < KERN_BATCH; i++) {
		k->batch->iov[i].iov_base = k->batch->buf[i];
		k->batch->iov[i].iov_len = KERN_BATCH_BUF;
		k->batch->m[i].msg_hdr.msg_iov = &k->batch->iov[i];
		k->batch->m[i].msg_hdr.msg_iovlen = 1;
	}
	return 0;
}

int kern_listen(struct kern *k, bool control, bool events,
		const struct kern_events *ev)
{
	int e;

	k->cb = *ev;
	k->ev = nl_open(NETLINK_GENERIC);
	if (!k->ev)
		return -errno;
	k->ev->family = k->req->family;
	if (control && (e = nl_join_group(k->ev, k->control_group)))
		return e;
	if (events && (e = nl_join_group(k->ev, k->events_group)))
		return e;
	k->events = events;
	return events ? 0 : batch_alloc(k);
}

int kern_event_fd(struct kern *k)
{
	return mnl_socket_get_fd(k->ev->sk);
}

static void event(struct kern *k, const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[LW4O6_A_MAX + 1], *b;
	struct in6_addr a6;
	uint32_t ifindex = 0, v4 = 0;

	if (nlh->nlmsg_type != k->req->family ||
	    nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
		return;
	nl_parse_msg(nlh, GENL_HDRLEN, tb, LW4O6_A_MAX);
	if (!nl_get_u32(tb[LW4O6_A_IFINDEX], &ifindex) ||
	    (int)ifindex != k->ifindex)
		return;
	switch (g->cmd) {
	case LW4O6_CMD_EVT_CONTROL:
		if (k->cb.control && nl_get_in6(tb[LW4O6_A_CTRL_B4], &a6) &&
		    tb[LW4O6_A_CTRL_PACKET])
			k->cb.control(&a6, mnl_attr_get_payload(tb[LW4O6_A_CTRL_PACKET]),
				      mnl_attr_get_payload_len(tb[LW4O6_A_CTRL_PACKET]),
				      k->cb.arg);
		break;
	case LW4O6_CMD_EVT_ICMP_NO_BINDING:
		if (k->cb.no_binding && nl_get_in6(tb[LW4O6_A_MISS_B4], &a6)) {
			nl_get_u32(tb[LW4O6_A_MISS_IPV4], &v4);
			k->cb.no_binding(&a6, v4, k->cb.arg);
		}
		break;
	case LW4O6_CMD_EVT_ICMP_UNREACHABLE:
		if (k->cb.unreachable && nl_get_in6(tb[LW4O6_A_MISS_B4], &a6)) {
			nl_get_u32(tb[LW4O6_A_MISS_IPV4], &v4);
			k->cb.unreachable(&a6, v4, k->cb.arg);
		}
		break;
	case LW4O6_CMD_EVT_BINDING_MISS:
		if (k->cb.miss && nl_get_in6(tb[LW4O6_A_MISS_B4], &a6)) {
			uint16_t port;
			uint8_t held = 0;
			int p = -1;

			nl_get_u32(tb[LW4O6_A_MISS_IPV4], &v4);
			if (nl_get_u16(tb[LW4O6_A_MISS_PORT], &port))
				p = port;
			nl_get_u8(tb[LW4O6_A_MISS_HELD], &held);
			k->cb.miss(&a6, v4, p, held, k->cb.arg);
		}
		break;
	case LW4O6_CMD_EVT_BIND_DEL:
	case LW4O6_CMD_EVT_BIND_REPLACE:
		b = tb[LW4O6_A_BINDING];
		if (b) {
			struct lw4o6_mapping m;

			if (from_bind(b, &m))
				break;
			if (g->cmd == LW4O6_CMD_EVT_BIND_DEL && k->cb.bind_del)
				k->cb.bind_del(&m, nlh->nlmsg_pid, k->cb.arg);
			else if (g->cmd == LW4O6_CMD_EVT_BIND_REPLACE &&
				 k->cb.bind_replace)
				k->cb.bind_replace(&m, nlh->nlmsg_pid,
						   k->cb.arg);
		}
		break;
	case LW4O6_CMD_EVT_TABLE_FLUSH:
	case LW4O6_CMD_EVT_TABLE_LOAD:
		if (k->cb.resync)
			k->cb.resync(g->cmd == LW4O6_CMD_EVT_TABLE_FLUSH,
				     nlh->nlmsg_pid, k->cb.arg);
		break;
	}
}

struct kern *kern_on_socket(struct nl *ev, uint16_t family, int ifindex,
			    bool events, const struct kern_events *cb)
{
	struct kern *k = calloc(1, sizeof(*k));

	if (k)
		k->req = calloc(1, sizeof(*k->req));
	if (!k || !k->req) {
		free(k);
		return NULL;
	}
	k->req->family = family;
	k->ev = ev;
	k->ifindex = ifindex;
	k->events = events;
	k->cb = *cb;
	if (!events && batch_alloc(k)) {
		free(k->req);
		free(k);
		return NULL;
	}
	return k;
}

uint64_t kern_overflows(const struct kern *k)
{
	return k->overflows;
}

/* A datagram of events (one or more messages) as read. */
static void datagram(struct kern *k, const void *buf, int n)
{
	const struct nlmsghdr *nlh;

	for (nlh = buf; mnl_nlmsg_ok(nlh, n); nlh = mnl_nlmsg_next(nlh, &n))
		event(k, nlh);
}

/* A read failed with err: whether to read on. */
static bool read_failed(struct kern *k, int err)
{
	if (err == ENOBUFS) {
		/*
		 * Only lost table events call for reading the table again;
		 * lost control requests are asked again by their B4s.
		 */
		if (!k->overflows++ || !(k->overflows & 1023))
			log_warn("netlink %s lost: socket buffer full (%llu times)%s",
				 k->events ? "events" : "control requests",
				 (unsigned long long)k->overflows,
				 k->events ? "; reading the table again" : "");
		if (k->events && k->cb.resync)
			k->cb.resync(false, 0, k->cb.arg);
	}
	return err == EINTR || err == ENOBUFS;
}

void kern_events_read(struct kern *k)
{
	int fd = mnl_socket_get_fd(k->ev->sk), n, i;
	unsigned int budget = KERN_READ_MAX;

	/* Never block the loop, nor keep it here under a flood. */
	while (budget && k->batch) {
		unsigned int want = budget < KERN_BATCH ? budget : KERN_BATCH;

		n = recvmmsg(fd, k->batch->m, want, MSG_DONTWAIT, NULL);
		if (n < 0) {
			if (read_failed(k, errno)) {
				budget--;
				continue;
			}
			return;
		}
		for (i = 0; i < n; i++)
			if (!(k->batch->m[i].msg_hdr.msg_flags & MSG_TRUNC))
				datagram(k, k->batch->buf[i], k->batch->m[i].msg_len);
		budget -= n;
		if ((unsigned int)n < want)
			return;
	}
	while (!k->batch && budget--) {
		n = recv(fd, k->ev->rbuf, k->ev->rbuf_len, MSG_DONTWAIT);
		if (n < 0) {
			if (read_failed(k, errno))
				continue;
			return;
		}
		datagram(k, k->ev->rbuf, n);
	}
}
