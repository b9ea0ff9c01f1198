// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * kernel.h without a kernel: one device's binding table in memory, and
 * the events the module sends its "events" group, each with the port id
 * of the request that caused it (FAKE_KERN_PORTID for the daemon's own,
 * 0 for an operator's), delivered through an eventfd on the loop as the
 * real socket would be.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include <linux/lw4o6.h>

#include "log.h"
#include "loop.h"
#include "tests/cmocka_wrap.h"
#include "tests/fakes.h"

#define MAX_BINDINGS 256
#define MAX_EVENTS 256

struct event {
	uint8_t cmd;
	struct lw4o6_mapping m;
	uint32_t portid;
	int port;		/* a miss: the port, -1 none */
	bool held;
};

/* Each listener of the events group (kernel sync, the trigger) reads its own. */
struct kern {
	struct kern_events cb;
	int efd;
	struct event queue[MAX_EVENTS];
	size_t n_queue;
};

#define MAX_LISTENERS 2

static struct lw4o6_mapping table[MAX_BINDINGS];
static size_t n_table;
static struct kern *listeners[MAX_LISTENERS];
int fake_kern_fail_add;
bool fake_kern_no_device;
uint32_t fake_kern_hold_ms, fake_kern_queue;
int fake_kern_fail_hold;
size_t fake_kern_rejects;
extern size_t fake_kern_loads;
struct in6_addr fake_kern_reject_b4;
uint32_t fake_kern_reject_ipv4;

void fake_kern_reset(void)
{
	size_t i;

	n_table = 0;
	for (i = 0; i < MAX_LISTENERS; i++)
		if (listeners[i])
			listeners[i]->n_queue = 0;
	fake_kern_fail_add = 0;
	fake_kern_no_device = false;
	fake_kern_hold_ms = 0;
	fake_kern_queue = 0;
	fake_kern_fail_hold = 0;
	fake_kern_rejects = 0;
	fake_kern_loads = 0;
}

static struct lw4o6_mapping *find(uint32_t ipv4, uint16_t psid)
{
	size_t i;

	for (i = 0; i < n_table; i++)
		if (table[i].ipv4 == ipv4 && table[i].psid == psid)
			return &table[i];
	return NULL;
}

/* As the module: an event only when somebody listens, to each listener. */
static void emit_ev(const struct event *e)
{
	uint64_t one = 1;
	size_t i;

	for (i = 0; i < MAX_LISTENERS; i++) {
		struct kern *k = listeners[i];

		if (!k)
			continue;
		assert_true(k->n_queue < MAX_EVENTS);
		k->queue[k->n_queue++] = *e;
		assert_int_equal(write(k->efd, &one, sizeof(one)), sizeof(one));
	}
}

static void emit(uint8_t cmd, const struct lw4o6_mapping *m, uint32_t portid)
{
	struct event e = { .cmd = cmd, .portid = portid };

	if (m)
		e.m = *m;
	emit_ev(&e);
}

/* Only what a binding event carries: key, shape, B4. */
static struct lw4o6_mapping binding_of(const struct lw4o6_mapping *m)
{
	struct lw4o6_mapping b;

	memset(&b, 0, sizeof(b));
	b.b4 = m->b4;
	b.ipv4 = m->ipv4;
	b.psid = m->psid;
	b.psid_len = m->psid_len;
	b.offset = m->offset;
	return b;
}

static int add(const struct lw4o6_mapping *m, bool replace, uint32_t portid)
{
	struct lw4o6_mapping *b = find(m->ipv4, m->psid);

	if (b && !replace)
		return -EEXIST;
	if (!b) {
		assert_true(n_table < MAX_BINDINGS);
		table[n_table++] = binding_of(m);
		emit(LW4O6_CMD_EVT_BIND_ADD, m, portid);
		return 0;
	}
	*b = binding_of(m);
	emit(LW4O6_CMD_EVT_BIND_REPLACE, b, portid);
	return 0;
}

static int del(uint32_t ipv4, uint16_t psid, uint8_t psid_len,
	       uint32_t portid)
{
	struct lw4o6_mapping *b = find(ipv4, psid), gone;

	if (!b || b->psid_len != psid_len)
		return -ENOENT;
	gone = *b;
	*b = table[--n_table];
	emit(LW4O6_CMD_EVT_BIND_DEL, &gone, portid);
	return 0;
}

/* ---- kernel.h ------------------------------------------------------------ */

struct kern *kern_open_mode(const char *dev, uint8_t mode, struct kern_dev *d)
{
	struct kern *k;

	if (fake_kern_no_device) {
		log_err("no device %s", dev);
		return NULL;
	}
	k = calloc(1, sizeof(*k));
	assert_non_null(k);
	k->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	assert_true(k->efd >= 0);
	memset(d, 0, sizeof(*d));
	d->mode = mode;
	d->local.s6_addr[0] = 0x20;
	d->local.s6_addr[15] = 1;
	return k;
}

void kern_close(struct kern *k)
{
	size_t i;

	if (!k)
		return;
	for (i = 0; i < MAX_LISTENERS; i++)
		if (listeners[i] == k)
			listeners[i] = NULL;
	close(k->efd);
	free(k);
}

int kern_listen(struct kern *k, bool control, bool events,
		const struct kern_events *ev)
{
	size_t i;

	(void)control;
	k->cb = *ev;
	for (i = 0; events && i < MAX_LISTENERS; i++) {
		if (!listeners[i]) {
			listeners[i] = k;
			return 0;
		}
	}
	assert_false(events);
	return 0;
}

int kern_event_fd(struct kern *k)
{
	return k->efd;
}

uint64_t kern_overflows(const struct kern *k)
{
	(void)k;
	return 0;
}

void kern_events_read(struct kern *k)
{
	uint64_t n;
	size_t i;

	if (read(k->efd, &n, sizeof(n)) < 0)
		return;
	for (i = 0; i < k->n_queue; i++) {
		struct event *e = &k->queue[i];

		switch (e->cmd) {
		case LW4O6_CMD_EVT_BIND_DEL:
			if (k->cb.bind_del)
				k->cb.bind_del(&e->m, e->portid, k->cb.arg);
			break;
		case LW4O6_CMD_EVT_BIND_REPLACE:
			if (k->cb.bind_replace)
				k->cb.bind_replace(&e->m, e->portid, k->cb.arg);
			break;
		case LW4O6_CMD_EVT_TABLE_FLUSH:
			if (k->cb.resync)
				k->cb.resync(true, e->portid, k->cb.arg);
			break;
		case LW4O6_CMD_EVT_BINDING_MISS:
			if (k->cb.miss)
				k->cb.miss(&e->m.b4, e->m.ipv4, e->port, e->held,
					   k->cb.arg);
			break;
		}
	}
	k->n_queue = 0;
}

int kern_dev_set_miss_hold(struct kern *k, uint32_t ms, uint32_t queue)
{
	(void)k;
	if (fake_kern_fail_hold)
		return fake_kern_fail_hold;
	fake_kern_hold_ms = ms;
	fake_kern_queue = queue;
	return 0;
}

int kern_miss_reject(struct kern *k, const struct in6_addr *b4, uint32_t ipv4)
{
	(void)k;
	fake_kern_rejects++;
	fake_kern_reject_b4 = *b4;
	fake_kern_reject_ipv4 = ipv4;
	return 0;
}

int kern_bind_add(struct kern *k, const struct lw4o6_mapping *m, bool replace)
{
	(void)k;
	if (fake_kern_fail_add)
		return fake_kern_fail_add;
	return add(m, replace, FAKE_KERN_PORTID);
}

int kern_bind_del(struct kern *k, uint32_t ipv4, uint16_t psid,
		  uint8_t psid_len)
{
	(void)k;
	return del(ipv4, psid, psid_len, FAKE_KERN_PORTID);
}

int kern_bind_dump(struct kern *k,
		   int (*cb)(const struct lw4o6_mapping *m, void *arg),
		   void *arg)
{
	struct lw4o6_mapping copy[MAX_BINDINGS];
	size_t i, n = n_table;
	int r;

	(void)k;
	memcpy(copy, table, n * sizeof(copy[0]));
	for (i = 0; i < n; i++)
		if ((r = cb(&copy[i], arg)))
			return r;
	return 0;
}

const char *kern_last_error(struct kern *k)
{
	(void)k;
	return "";
}

uint32_t kern_portid(const struct kern *k)
{
	(void)k;
	return FAKE_KERN_PORTID;
}

/* ---- the operator -------------------------------------------------------- */

void fake_kern_op_add(const struct lw4o6_mapping *m)
{
	assert_int_equal(add(m, false, 0), 0);
}

void fake_kern_op_del(uint32_t ipv4, uint16_t psid)
{
	struct lw4o6_mapping *b = find(ipv4, psid);

	assert_non_null(b);
	assert_int_equal(del(ipv4, psid, b->psid_len, 0), 0);
}

void fake_kern_op_replace(const struct lw4o6_mapping *m)
{
	assert_int_equal(add(m, true, 0), 0);
}

void fake_kern_op_flush(void)
{
	n_table = 0;
	emit(LW4O6_CMD_EVT_TABLE_FLUSH, NULL, 0);
}

size_t fake_kern_count(void)
{
	return n_table;
}

bool fake_kern_get(uint32_t ipv4, uint16_t psid, struct lw4o6_mapping *m)
{
	struct lw4o6_mapping *b = find(ipv4, psid);

	if (b && m)
		*m = *b;
	return b != NULL;
}

size_t fake_kern_pending(void)
{
	size_t i, n = 0;

	for (i = 0; i < MAX_LISTENERS; i++)
		if (listeners[i])
			n += listeners[i]->n_queue;
	return n;
}

void fake_kern_miss(const struct in6_addr *b4, uint32_t ipv4, int port,
		    bool held)
{
	struct event e = { .cmd = LW4O6_CMD_EVT_BINDING_MISS, .port = port,
			   .held = held };

	e.m.b4 = *b4;
	e.m.ipv4 = ipv4;
	emit_ev(&e);
}

static volatile sig_atomic_t stop;

static void stop_fn(struct timer *t)
{
	(void)t;
	stop = 1;
}

/*
 * The loop, a few ms at a time, until the events are read: a slow host may
 * let the timer fire before the loop first polls.
 */
void run_loop(void)
{
	struct timer t;
	int i;

	for (i = 0; i < 1000; i++) {
		timer_init(&t, stop_fn);
		timer_arm(&t, 5);
		stop = 0;
		assert_int_equal(loop_run(&stop), 0);
		timer_cancel(&t);
		if (!fake_kern_pending())
			return;
	}
	fail_msg("the events were never read");
}

/* ---- bulk load ----------------------------------------------------------- */

struct kern_load {
	struct lw4o6_mapping v[MAX_BINDINGS];
	size_t n;
	int err;
};

size_t fake_kern_loads;

int kern_load_begin(struct kern *k, uint32_t count, struct kern_load **l)
{
	(void)k;
	(void)count;
	*l = calloc(1, sizeof(**l));
	assert_non_null(*l);
	return 0;
}

int kern_load_add(struct kern_load *l, const struct lw4o6_mapping *m)
{
	if (!l->err && fake_kern_fail_add)
		l->err = fake_kern_fail_add;
	if (l->err)
		return l->err;
	assert_true(l->n < MAX_BINDINGS);
	l->v[l->n++] = binding_of(m);
	return 0;
}

/* As the module: the staged table replaces the old one, one event. */
int kern_load_commit(struct kern_load *l)
{
	int err = l->err;

	if (!err) {
		memcpy(table, l->v, l->n * sizeof(l->v[0]));
		n_table = l->n;
		fake_kern_loads++;
		emit(LW4O6_CMD_EVT_TABLE_LOAD, NULL, FAKE_KERN_PORTID);
	}
	free(l);
	return err;
}
