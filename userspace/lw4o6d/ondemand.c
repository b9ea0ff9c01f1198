// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The data-packet trigger (ondemand.h): a held miss goes through the
 * negative cache, the prefix bucket, the global bucket and only then to
 * the store; the answer installs the lease through the core or rejects the
 * held packets.  Both tables are ONDEMAND_TABLE entries in sets of
 * ONDEMAND_WAYS found by SipHash under a key drawn at start.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <linux/lw4o6.h>
#include <lw4o6/psid.h>

#include "kernel.h"
#include "log.h"
#include "loop.h"
#include "ondemand.h"
#include "siphash.h"

#define SETS	(ONDEMAND_TABLE / ONDEMAND_WAYS)

/* A refusal remembered: (B4, IPv4, port) had no valid mapping. */
struct neg {
	struct in6_addr b4;
	uint32_t ipv4;
	int32_t port;
	int64_t until_ms;	/* 0: free */
};

/* A prefix's token bucket, in thousandths of a lookup. */
struct bucket {
	struct in6_addr prefix;
	int64_t milli;
	int64_t last_ms;
	bool used;
};

struct ondemand {
	struct alloc *a;
	struct ondemand_cfg c;
	struct ondemand_io io;
	struct siphash_key key;
	struct neg neg[ONDEMAND_TABLE];
	struct bucket pfx[ONDEMAND_TABLE];
	struct bucket global;
	struct ondemand_stats st;
};

struct ondemand *ondemand_new(struct alloc *a, const struct ondemand_cfg *c,
			      const struct ondemand_io *io)
{
	struct ondemand *od = calloc(1, sizeof(*od));
	ssize_t n;

	if (!od)
		return NULL;
	do
		n = getrandom(&od->key, sizeof(od->key), 0);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(od->key)) {
		free(od);
		return NULL;
	}
	od->a = a;
	od->c = *c;
	od->io = *io;
	return od;
}

void ondemand_free(struct ondemand *od)
{
	free(od);
}

void ondemand_set(struct ondemand *od, const struct ondemand_cfg *c)
{
	if (c->plen != od->c.plen)
		memset(od->pfx, 0, sizeof(od->pfx));
	od->c = *c;
}

void ondemand_stats(const struct ondemand *od, struct ondemand_stats *st)
{
	*st = od->st;
}

/* ---- the negative cache -------------------------------------------------- */

static struct neg *neg_set(struct ondemand *od, const struct in6_addr *b4,
			   uint32_t ipv4, int port)
{
	struct { struct in6_addr b4; uint32_t ipv4; int32_t port; } k;

	memset(&k, 0, sizeof(k));
	k.b4 = *b4;
	k.ipv4 = ipv4;
	k.port = port;
	return &od->neg[(siphash24(&od->key, &k, sizeof(k)) % SETS) *
			ONDEMAND_WAYS];
}

static bool neg_match(const struct neg *e, const struct in6_addr *b4,
		      uint32_t ipv4, int port)
{
	return e->ipv4 == ipv4 && e->port == port &&
	       !memcmp(&e->b4, b4, sizeof(*b4));
}

static bool neg_hit(struct ondemand *od, const struct in6_addr *b4,
		    uint32_t ipv4, int port, int64_t now)
{
	struct neg *w = neg_set(od, b4, ipv4, port);
	size_t i;

	for (i = 0; i < ONDEMAND_WAYS; i++)
		if (w[i].until_ms > now && neg_match(&w[i], b4, ipv4, port))
			return true;
	return false;
}

/* Into a free or expired way, else over the one that ends first. */
static void neg_add(struct ondemand *od, const struct in6_addr *b4,
		    uint32_t ipv4, int port, int64_t now)
{
	struct neg *w = neg_set(od, b4, ipv4, port), *v = w;
	size_t i;

	for (i = 0; i < ONDEMAND_WAYS; i++) {
		if (w[i].until_ms <= now || neg_match(&w[i], b4, ipv4, port)) {
			v = &w[i];
			break;
		}
		if (w[i].until_ms < v->until_ms)
			v = &w[i];
	}
	v->b4 = *b4;
	v->ipv4 = ipv4;
	v->port = port;
	v->until_ms = now + od->c.negative_ttl_ms;
}

/* ---- the buckets --------------------------------------------------------- */

/* One token if there is one; rate a second, bursts of rate. */
static bool take(struct bucket *b, uint32_t rate, int64_t now)
{
	int64_t cap = (int64_t)rate * 1000, dt = now - b->last_ms;

	if (!b->used) {
		b->used = true;
		b->milli = cap;
	} else if (dt > 0) {
		/* a day refills any bucket, with no overflow past it */
		b->milli = dt > 86400000 ? cap : b->milli + dt * (int64_t)rate;
		if (b->milli > cap)
			b->milli = cap;
	}
	b->last_ms = now;
	if (b->milli < 1000)
		return false;
	b->milli -= 1000;
	return true;
}

/*
 * The bucket of b4's prefix: found in its set, else a free way or the one
 * heard from least recently, starting full (what it would hold after such
 * an idle time anyway).
 */
static struct bucket *prefix_bucket(struct ondemand *od,
				    const struct in6_addr *b4)
{
	struct in6_addr p = *b4;
	struct bucket *w, *v;
	size_t i;

	in6_mask(&p, od->c.plen);
	w = &od->pfx[(siphash24(&od->key, &p, sizeof(p)) % SETS) *
		     ONDEMAND_WAYS];
	v = w;
	for (i = 0; i < ONDEMAND_WAYS; i++) {
		if (w[i].used && !memcmp(&w[i].prefix, &p, sizeof(p)))
			return &w[i];
		if (v->used && (!w[i].used || w[i].last_ms < v->last_ms))
			v = &w[i];
	}
	memset(v, 0, sizeof(*v));
	v->prefix = p;
	return v;
}

/* ---- a miss -------------------------------------------------------------- */

struct found {
	const struct in6_addr *b4;
	int port;
	int64_t now;
	bool ok;
	struct lw4o6_mapping m;
};

/* A live mapping of the B4 whose set holds the port (none: every port). */
static int found_cb(const struct lw4o6_mapping *m, void *arg)
{
	struct found *f = arg;

	if (memcmp(&m->b4, f->b4, sizeof(m->b4)) || m->expires <= f->now)
		return 0;
	if (f->port < 0 ? m->psid_len != 0 :
	    !lw4o6_port_in_set((uint16_t)f->port, m->offset, m->psid_len,
			       m->psid))
		return 0;
	f->ok = true;
	f->m = *m;
	return 1;
}

static void reject(struct ondemand *od, const struct in6_addr *b4,
		   uint32_t ipv4, bool held)
{
	if (held)
		od->io.reject(b4, ipv4, od->io.arg);
}

void ondemand_miss(struct ondemand *od, const struct in6_addr *b4,
		   uint32_t ipv4, int port, bool held)
{
	struct found f = { .b4 = b4, .port = port, .now = alloc_now(od->a) };
	int64_t now = od->io.now_ms();
	char s[MAPPING_STR_LEN];
	int err;

	od->st.misses++;
	od->st.held += held;
	if (neg_hit(od, b4, ipv4, port, now)) {
		od->st.cached++;
		reject(od, b4, ipv4, held);
		return;
	}
	/* Refused unasked: the B4 gets its 1/5 and provisions again. */
	if (!take(prefix_bucket(od, b4), od->c.rate, now)) {
		od->st.over_prefix_rate++;
		reject(od, b4, ipv4, held);
		return;
	}
	if (!take(&od->global, od->c.global_rate, now)) {
		od->st.over_global_rate++;
		reject(od, b4, ipv4, held);
		return;
	}
	od->st.lookups++;
	err = alloc_lookup(od->a, ipv4, b4, found_cb, &f);
	if (err < 0) {
		/* No verdict: the hold ends by itself, nothing is remembered. */
		od->st.store_errors++;
		return;
	}
	if (!f.ok) {
		od->st.refused++;
		neg_add(od, b4, ipv4, port, now);
		reject(od, b4, ipv4, held);
		return;
	}
	err = alloc_want(od->a, &f.m);
	if (err) {
		od->st.install_errors++;
		log_warn("on-demand: installing %s: %s",
			 mapping_str(&f.m, s, sizeof(s)), strerror(-err));
		reject(od, b4, ipv4, held);
		return;
	}
	od->st.installed++;
	log_info("on-demand: installed %s from the store",
		 mapping_str(&f.m, s, sizeof(s)));
}

/* ---- the component ------------------------------------------------------- */

static struct {
	struct ondemand *od;
	struct kern *k;
	uint32_t hold, queue;
	bool listening;
} O;

static void cfg_of(const struct lw4o6d_config *c, struct ondemand_cfg *o)
{
	o->rate = c->miss_rate;
	o->global_rate = c->miss_global_rate;
	o->plen = (uint8_t)c->miss_plen;
	o->negative_ttl_ms = c->miss_negative_ttl * 1000;
}

static int do_reject(const struct in6_addr *b4, uint32_t ipv4, void *arg)
{
	int err = kern_miss_reject(arg, b4, ipv4);

	if (err)
		log_warn("on-demand: rejecting held packets: %s", strerror(-err));
	return err;
}

static void on_miss(const struct in6_addr *b4, uint32_t ipv4, int port,
		    bool held, void *arg)
{
	ondemand_miss(arg, b4, ipv4, port, held);
}

static void on_events(int fd, void *arg)
{
	(void)fd;
	kern_events_read(arg);
}

static int set_hold(const struct lw4o6d_config *c, uint32_t hold)
{
	int err = kern_dev_set_miss_hold(O.k, hold, c->miss_queue);

	if (!err) {
		O.hold = hold;
		O.queue = c->miss_queue;
	}
	return err;
}

int ondemand_start(const struct lw4o6d_config *c, struct alloc *a)
{
	struct ondemand_io io = { .reject = do_reject, .now_ms = loop_now_ms };
	struct kern_events ev = { .miss = on_miss };
	struct ondemand_cfg oc;
	struct kern_dev d;
	int err;

	memset(&O, 0, sizeof(O));
	O.k = kern_open_mode(c->device, LW4O6_MODE_AFTR, &d);
	if (!O.k)
		return -1;
	if (c->redundancy == REDUNDANCY_HOT) {
		/* Nobody would answer a held miss: the module must not wait. */
		err = set_hold(c, 0);
		if (err)
			log_info("device %s: miss-hold not set to 0: %s", c->device,
				 strerror(-err));
		kern_close(O.k);
		O.k = NULL;
		return 0;
	}
	err = set_hold(c, c->miss_hold);
	if (err) {
		log_err("device %s: setting miss-hold %u miss-queue %u: %s%s%s", c->device,
			c->miss_hold, c->miss_queue, strerror(-err),
			*kern_last_error(O.k) ? ": " : "", kern_last_error(O.k));
		goto fail;
	}
	cfg_of(c, &oc);
	io.arg = O.k;
	O.od = ondemand_new(a, &oc, &io);
	if (!O.od) {
		log_err("on-demand: out of memory or no random key");
		goto fail;
	}
	ev.arg = O.od;
	if ((err = kern_listen(O.k, false, true, &ev)) ||
	    (err = loop_add_fd(kern_event_fd(O.k), on_events, O.k))) {
		log_err("on-demand: joining the module's events group: %s",
			strerror(-err));
		goto fail;
	}
	O.listening = true;
	log_notice("on-demand: misses held %ums (%u at most), looked up at %u/s per /%u and %u/s in all, refusals remembered %us",
		   c->miss_hold, c->miss_queue, c->miss_rate, c->miss_plen,
		   c->miss_global_rate, c->miss_negative_ttl);
	return 0;
fail:
	ondemand_stop();
	return -1;
}

void ondemand_reload(const struct lw4o6d_config *c)
{
	struct ondemand_cfg oc;
	int err;

	if (!O.od)
		return;
	cfg_of(c, &oc);
	ondemand_set(O.od, &oc);
	if (c->miss_hold == O.hold && c->miss_queue == O.queue)
		return;
	err = set_hold(c, c->miss_hold);
	if (err)
		log_err("reload: device %s: miss-hold %u miss-queue %u: %s; kept %u %u",
			c->device, c->miss_hold, c->miss_queue, strerror(-err),
			O.hold, O.queue);
}

void ondemand_dump(void)
{
	struct ondemand_stats s;

	if (!O.od)
		return;
	ondemand_stats(O.od, &s);
	log_notice("on-demand: %llu misses (%llu held), %llu installed from the store, %llu refused, %llu refused from the negative cache, %llu over the prefix rate, %llu over the global rate, %llu store errors, %llu install errors, %llu lookups",
		   (unsigned long long)s.misses, (unsigned long long)s.held,
		   (unsigned long long)s.installed, (unsigned long long)s.refused,
		   (unsigned long long)s.cached,
		   (unsigned long long)s.over_prefix_rate,
		   (unsigned long long)s.over_global_rate,
		   (unsigned long long)s.store_errors,
		   (unsigned long long)s.install_errors,
		   (unsigned long long)s.lookups);
}

void ondemand_stop(void)
{
	if (O.od)
		ondemand_dump();
	if (O.listening)
		loop_del_fd(kern_event_fd(O.k));
	kern_close(O.k);
	ondemand_free(O.od);
	memset(&O, 0, sizeof(O));
}
