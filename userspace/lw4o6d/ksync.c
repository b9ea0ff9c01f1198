// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Kernel sync (ksync.h).  The one question asked of every binding the
 * kernel reports, by a dump or an event, is as_installed(): is it the
 * lease on its set exactly as we installed it?
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/lw4o6.h>

#include "kernel.h"
#include "ksync.h"
#include "log.h"
#include "loop.h"

static struct {
	struct alloc *a;
	struct kern *k;
	struct kern_dev dev;
	int ev_fd;		/* on the loop once listening, else -1 */
	/* At start, what expired is removed only from a kernel that has it. */
	bool reconciling;
	/* redundancy hot: every lease of a shared store, not only ours */
	bool hot;
} K;

/*
 * Whether l's binding belongs in the kernel: this node's leases always;
 * another node's (a shared store) with redundancy hot, or once the
 * data-packet trigger wanted it (or it was installed here before).
 */
static bool wants(const struct lease *l)
{
	return !l->mirrored || l->wanted || K.hot;
}

static void install(const struct lease *l, const char *what)
{
	char s[MAPPING_STR_LEN];
	int err = kern_bind_add(K.k, &l->m, false);

	/* -EEXIST: installed already, or an operator's binding holds the set */
	if (err && err != -EEXIST)
		log_err("installing %s binding %s: %s%s%s", what,
			mapping_str(&l->m, s, sizeof(s)), strerror(-err),
			*kern_last_error(K.k) ? ": " : "", kern_last_error(K.k));
}

/* The kernel's binding k is lease l as we installed it: set, shape, B4. */
static bool as_installed(const struct lease *l, const struct lw4o6_mapping *k)
{
	return l->m.ipv4 == k->ipv4 && l->m.psid == k->psid &&
	       l->m.psid_len == k->psid_len && l->m.offset == k->offset &&
	       !memcmp(&l->m.b4, &k->b4, sizeof(k->b4));
}

/* An event our own request caused: we know already. */
static bool own(uint32_t portid)
{
	return portid && portid == kern_portid(K.k);
}

/* ---- the core's news ----------------------------------------------------- */

static int on_lease(enum lease_event ev, const struct lease *l, void *arg)
{
	char s[MAPPING_STR_LEN];
	int err;

	(void)arg;
	switch (ev) {
	case LEASE_GRANTED:
		err = kern_bind_add(K.k, &l->m, false);
		/* -EEXIST: another binding holds the set; the core passes it by. */
		if (err && err != -EEXIST)
			log_err("installing binding %s: %s%s%s",
				mapping_str(&l->m, s, sizeof(s)), strerror(-err),
				*kern_last_error(K.k) ? ": " : "",
				kern_last_error(K.k));
		return err;
	case LEASE_MOVED:	/* same set, the B4's new address */
		if (!wants(l))
			return 0;
		err = kern_bind_add(K.k, &l->m, true);
		if (err)
			log_err("pointing binding %s at the B4's new address: %s",
				mapping_str(&l->m, s, sizeof(s)), strerror(-err));
		return 0;
	case LEASE_MIRRORED:	/* another node's; or the trigger wants it */
		if (wants(l))
			install(l, "another node's");
		return 0;
	case LEASE_ADOPTED:	/* ours now: on demand it may not be in yet */
		if (!K.hot)
			install(l, "an adopted");
		return 0;
	case LEASE_RELEASED:
	case LEASE_EXPIRED:
	case LEASE_REVOKED:
	case LEASE_WITHDRAWN:
		if ((K.reconciling && !l->in_kernel) || !wants(l))
			return 0;
		err = kern_bind_del(K.k, l->m.ipv4, l->m.psid, l->m.psid_len);
		if (err && err != -ENOENT)
			log_warn("removing binding %s: %s",
				 mapping_str(&l->m, s, sizeof(s)), strerror(-err));
		return 0;
	case LEASE_RENEWED:	/* the binding stays as it is */
	case LEASE_FORGOTTEN:	/* the kernel has lost it already */
		break;
	}
	return 0;
}

/* ---- what the kernel holds ----------------------------------------------- */

/* Bindings in our pools that no lease accounts for (as_installed). */
struct stale {
	struct lw4o6_mapping *v;
	size_t n, cap;
	bool replaced;		/* also those on a lease's set for another B4 */
	size_t others;		/* outside our pools: an operator's own */
};

/*
 * Leases to install at start from which a bulk load (one transaction of
 * large messages) replaces one BIND_NEW each: a backup with a large shared
 * store starts in about the time of `lw4o6 binding load`.
 */
#define BULK_MIN	64

static int unmark(struct lease *l, void *arg)
{
	(void)arg;
	l->in_kernel = false;
	return 0;
}

/*
 * One binding of a dump: marks the lease it installs; with st, also
 * collects bindings in our pools that no lease accounts for.
 */
static int mark(const struct lw4o6_mapping *k, void *arg)
{
	struct lease *l = alloc_find_set(K.a, k->ipv4, k->psid);
	struct stale *st = arg;

	if (l && as_installed(l, k)) {
		l->in_kernel = true;
		return 0;
	}
	if (st && !l && !alloc_in_pools(K.a, k->ipv4))
		st->others++;
	if (!st || (l && !st->replaced) || !alloc_in_pools(K.a, k->ipv4))
		return 0;	/* ours, to be replaced; or an operator's own */
	if (st->n == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 64;
		struct lw4o6_mapping *v = realloc(st->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		st->v = v;
		st->cap = cap;
	}
	st->v[st->n++] = *k;
	return 0;
}

/* Marks what the kernel holds of ours; 0, or -1 after logging why not. */
static int read_kernel(struct stale *st)
{
	int err;

	alloc_each(K.a, unmark, NULL);
	err = kern_bind_dump(K.k, mark, st);
	if (err)
		log_err("reading the kernel's bindings: %s", strerror(-err));
	return err ? -1 : 0;
}

static int reinstall(struct lease *l, void *arg)
{
	char s[MAPPING_STR_LEN];
	size_t *n = arg;
	int err;

	if (l->in_kernel || !wants(l))
		return 0;
	/* Missing, or somebody else's binding on our set. */
	err = kern_bind_add(K.k, &l->m, true);
	if (err)
		log_err("reinstalling %s: %s", mapping_str(&l->m, s, sizeof(s)),
			strerror(-err));
	else
		(*n)++;
	return 0;
}

static int count_missing(struct lease *l, void *arg)
{
	size_t *n = arg;

	/* on demand: another node's lease that the kernel has stays wanted */
	if (l->mirrored && l->in_kernel)
		l->wanted = true;
	*n += !l->in_kernel && wants(l);
	return 0;
}

static int load_one(struct lease *l, void *arg)
{
	return wants(l) ? kern_load_add(arg, &l->m) : 0;
}

/*
 * Every lease that belongs in the kernel, as the whole table in one
 * transaction; only when the kernel holds nothing but ours (the load
 * replaces everything, and an operator's binding must stay).  0 when
 * loaded; else the bindings go one by one.
 */
static int bulk_install(size_t n)
{
	struct alloc_stats as;
	struct kern_load *l;
	int err;

	alloc_stats(K.a, &as);
	err = kern_load_begin(K.k, (uint32_t)as.leases, &l);
	if (!err) {
		alloc_each(K.a, load_one, l);	/* stops at an error it keeps */
		err = kern_load_commit(l);
	}
	if (err) {
		log_warn("bulk load of %zu bindings: %s%s%s; installing them one by one",
			 n, strerror(-err), *kern_last_error(K.k) ? ": " : "",
			 kern_last_error(K.k));
		return -1;
	}
	return 0;
}

/* At start, before anything is answered: see docs/lw4o6d.md. */
static int reconcile(void)
{
	char s[MAPPING_STR_LEN];
	struct stale st = { 0 };
	struct alloc_stats as;
	size_t i, installed = 0, expired, missing = 0;

	if (read_kernel(&st)) {
		free(st.v);
		return -1;
	}
	/* In our pools but in no lease: left by a store we no longer have. */
	for (i = 0; i < st.n; i++) {
		log_notice("binding %s has no mapping: removed",
			   mapping_str(&st.v[i], s, sizeof(s)));
		kern_bind_del(K.k, st.v[i].ipv4, st.v[i].psid,
			      st.v[i].psid_len);
	}
	free(st.v);
	alloc_begin(K.a);
	K.reconciling = true;	/* until the commit tells of the expired */
	expired = alloc_expire(K.a, "expired while down");
	alloc_each(K.a, count_missing, &missing);
	if (missing >= BULK_MIN && !st.others && !bulk_install(missing))
		installed = missing;
	else
		alloc_each(K.a, reinstall, &installed);
	alloc_commit(K.a);
	K.reconciling = false;
	alloc_stats(K.a, &as);
	log_notice("reconciled: %zu mappings stored, %zu bindings reinstalled, %zu stale removed, %zu expired",
		   as.leases, installed, st.n, expired);
	return 0;
}

/* ---- operators' changes -------------------------------------------------- */

/*
 * An operator removed another node's lease from this kernel: not ours to
 * remove from the shared store; it is just not installed here any more.
 */
static void unwant(struct lease *l, const char *why)
{
	char s[MAPPING_STR_LEN];

	l->wanted = false;
	log_notice("binding %s %s: another node's, kept in the store",
		   mapping_str(&l->m, s, sizeof(s)), why);
}

/* Ours goes: forgotten; an operator's on a set of our pools: free again. */
static void on_bind_del(const struct lw4o6_mapping *k, uint32_t portid,
			void *arg)
{
	struct lease *l = alloc_find_set(K.a, k->ipv4, k->psid);

	(void)arg;
	if (own(portid))
		return;
	if (!l)
		alloc_foreign_del(K.a, k->ipv4, k->psid);
	else if (as_installed(l, k) && l->mirrored)
		unwant(l, "removed from the kernel by hand");
	else if (as_installed(l, k))
		alloc_forget(K.a, l, "removed from the kernel by hand, forgotten");
}

/*
 * An operator gave one of our sets to another B4: it is theirs now, and
 * the set stays taken in the pool until they remove it.
 */
static void on_bind_replace(const struct lw4o6_mapping *k, uint32_t portid,
			    void *arg)
{
	struct lease *l = alloc_find_set(K.a, k->ipv4, k->psid);

	(void)arg;
	if (own(portid) || (l && as_installed(l, k)))
		return;
	if (l && l->mirrored)
		unwant(l, "replaced in the kernel by hand");
	else if (l)
		alloc_forget(K.a, l, "replaced in the kernel by hand, forgotten");
	alloc_foreign_add(K.a, k);
}

static int forget_unmarked(struct lease *l, void *arg)
{
	size_t *n = arg;

	if (l->in_kernel || !wants(l))
		return 0;
	if (l->mirrored)
		unwant(l, "gone from the kernel");
	else
		alloc_forget(K.a, l, "gone from the kernel, forgotten");
	(*n)++;
	return 0;
}

/*
 * The kernel's table changed behind our back as a whole, or we lost its
 * events: whatever of ours it no longer holds was removed by an operator.
 */
static void on_resync(bool flushed, uint32_t portid, void *arg)
{
	struct stale others = { .replaced = true };
	struct alloc_stats as;
	size_t n = 0, i;

	(void)arg;
	if (own(portid))
		return;
	if (flushed)
		alloc_each(K.a, unmark, NULL);
	else if (read_kernel(&others))
		goto out;
	alloc_each(K.a, forget_unmarked, &n);
	/* What operators hold in our pools now, and only that, stays taken. */
	alloc_foreign_clear(K.a);
	for (i = 0; i < others.n; i++)
		alloc_foreign_add(K.a, &others.v[i]);
	alloc_stats(K.a, &as);
	log_notice("the kernel's table changed as a whole: %zu mappings forgotten, %zu kept",
		   n, as.leases);
out:
	free(others.v);
}

static void on_events(int fd, void *arg)
{
	(void)fd;
	(void)arg;
	alloc_begin(K.a);
	kern_events_read(K.k);
	alloc_commit(K.a);
}

int ksync_start(const struct lw4o6d_config *c, struct alloc *a)
{
	struct kern_events ev = { .bind_del = on_bind_del,
				  .bind_replace = on_bind_replace,
				  .resync = on_resync };
	int e;

	memset(&K, 0, sizeof(K));
	K.a = a;
	K.ev_fd = -1;
	K.hot = c->redundancy == REDUNDANCY_HOT;
	K.k = kern_open_mode(c->device, LW4O6_MODE_AFTR, &K.dev);
	if (!K.k)
		return -1;
	if ((e = alloc_listen(a, on_lease, NULL))) {
		log_err("kernel sync: %s", strerror(-e));
		return -1;
	}
	if (reconcile())
		return -1;
	if ((e = kern_listen(K.k, false, true, &ev)) ||
	    (e = loop_add_fd(kern_event_fd(K.k), on_events, NULL))) {
		log_err("joining the module's events group: %s", strerror(-e));
		return -1;
	}
	K.ev_fd = kern_event_fd(K.k);
	return 0;
}

void ksync_stop(void)
{
	if (!K.k)
		return;
	if (K.ev_fd >= 0)
		loop_del_fd(K.ev_fd);
	alloc_unlisten(K.a, on_lease, NULL);
	kern_close(K.k);
	memset(&K, 0, sizeof(K));
}
