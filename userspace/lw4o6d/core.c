// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The core as a component (core.h).  With a shared store it also follows
 * the other nodes' changes: the store's watch fd is on the loop, each
 * change goes to alloc_apply(), and the sweep's tick() lets the store
 * reconnect; its fd may then be another, so it is looked at again after
 * every call that may have changed it.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "core.h"
#include "log.h"
#include "loop.h"

static struct {
	struct lw4o6d_config cfg;
	struct store st;
	struct alloc *a;
	struct timer sweep;
	int64_t prune_at;	/* the audit trail's next pruning (s) */
	int watch;		/* the store's fd on the loop, or -1 */
	uint64_t feed_errors;
} C;

static void on_feed(int fd, void *arg);

/* The store's fd now, on the loop in place of the old one. */
static void watch_again(void)
{
	int fd = store_shared(&C.st) && C.st.ops->watch_fd ?
		 C.st.ops->watch_fd(&C.st) : -1;

	if (fd == C.watch)
		return;
	if (C.watch >= 0)
		loop_del_fd(C.watch);
	C.watch = -1;
	if (fd >= 0 && !loop_add_fd(fd, on_feed, NULL))
		C.watch = fd;
}

static int feed_cb(enum store_change ch, const struct lw4o6_mapping *m,
		   void *arg)
{
	int err = alloc_apply(arg, ch, m);

	/* One change that cannot be applied must not stop the others. */
	if (err && err != -ENOMEM)
		log_warn("applying a change of the store: %s", strerror(-err));
	return err == -ENOMEM ? err : 0;
}

/* The other nodes' changes, as the store hands them. */
static void on_feed(int fd, void *arg)
{
	int err;

	(void)fd;
	(void)arg;
	err = C.st.ops->changes(&C.st, feed_cb, C.a);
	if (err && (!C.feed_errors++ || !(C.feed_errors & 1023)))
		log_warn("store change feed: %s (%llu times); reconnecting",
			 *C.st.err ? C.st.err : strerror(-err),
			 (unsigned long long)C.feed_errors);
	watch_again();
}

/*
 * The audit trail's retention: rows that ended more than audit-retention
 * days ago go, hourly, in batches a second apart while there are more
 * (store.h), so that a long-due pruning never stalls grants.  Every node
 * of a shared store does it; the second finds nothing.
 */
static void prune_audit(void)
{
	int64_t now = alloc_now(C.a);
	uint64_t n = 0;
	int err;

	if (!C.cfg.audit_retention || !C.st.ops->audit_prune ||
	    now < C.prune_at)
		return;
	err = C.st.ops->audit_prune(&C.st, (now - (int64_t)C.cfg.audit_retention *
					    86400) * 1000, &n);
	if (err)
		log_warn("audit trail: pruning: %s", *C.st.err ? C.st.err :
			 strerror(-err));
	else if (n)
		log_info("audit trail: pruned %llu %s that ended more than %u days ago",
			 (unsigned long long)n, n == 1 ? "row" : "rows",
			 C.cfg.audit_retention);
	C.prune_at = now + (!err && n ? 1 : 3600);
}

_Static_assert(CONFIG_MAX_B4_ALLOW == ALLOC_MAX_ALLOW, "b4-prefix lists");

static void limits_of(const struct lw4o6d_config *c, struct alloc_limits *l)
{
	l->lifetime_min = c->lifetime_min;
	l->lifetime_max = c->lifetime_max;
	l->lifetime_default = c->lifetime_default;
	l->quota = c->quota;
	l->rate = c->rate;
	l->burst = c->burst;
	l->sub_plen = c->subscriber_plen;
	l->max_leases = c->max_mappings;
	l->max_subs = c->max_subscribers;
	l->n_allow = c->n_b4_allow;
	memcpy(l->allow, c->b4_allow, sizeof(l->allow));
}

/* Once a second: the store's upkeep; what expired goes, in one transaction. */
static void sweep(struct timer *t)
{
	if (C.st.ops->tick) {
		C.st.ops->tick(&C.st);
		watch_again();
	}
	prune_audit();
	if (alloc_due(C.a)) {
		alloc_begin(C.a);
		alloc_expire(C.a, "expired");
		alloc_commit(C.a);
	}
	alloc_evict_idle(C.a);
	timer_arm(t, 1000);
}

/* This daemon's pools in a shared store; -1 (logged) if it refuses them. */
static int record_pools(const struct lw4o6d_config *c)
{
	int err;

	if (!C.st.ops->set_pools)
		return 0;
	err = C.st.ops->set_pools(&C.st, c->pools, c->n_pools);
	if (err)
		log_err("storage: recording node %s's pools: %s", C.st.node,
			*C.st.err ? C.st.err : strerror(-err));
	return err ? -1 : 0;
}

struct alloc *core_start(const struct lw4o6d_config *c, bool reset)
{
	const char *kind = c->storage_kind[0] ? c->storage_kind : "sqlite";
	const struct store_ops *ops = store_find(kind);
	struct alloc_limits lim;

	C.cfg = *c;
	C.watch = -1;
	/* Who writes: the config's node, else the host name (store.h). */
	if (c->node[0])
		strcpy(C.st.node, c->node);
	else if (gethostname(C.st.node, sizeof(C.st.node) - 1))
		strcpy(C.st.node, "lw4o6d");
	if (!ops || store_open(&C.st, ops, c->storage_path)) {
		log_err("storage: %s", ops ? C.st.err : "unknown kind");
		return NULL;
	}
	if (store_shared(&C.st) && reset) {
		log_err("--reset-epoch would forget every node's mappings in the shared store: clear it there if that is meant");
		return NULL;
	}
	if (record_pools(c))
		return NULL;
	limits_of(c, &lim);
	C.a = alloc_new(&C.st, &lim, c->pools, c->n_pools, NULL);
	if (!C.a) {
		log_err("pools: out of memory or invalid");
		return NULL;
	}
	if (alloc_load(C.a, reset))
		return NULL;
	watch_again();
	if (store_shared(&C.st))
		log_notice("storage %s shared as node %s: following the other nodes' changes%s",
			   kind, C.st.node, C.watch < 0 ? " (once connected)" : "");
	timer_init(&C.sweep, sweep);
	timer_arm(&C.sweep, 1000);
	return C.a;
}

void core_serving(void)
{
	struct alloc_stats s;
	int64_t epoch = alloc_now(C.a) - alloc_since(C.a);

	alloc_stats(C.a, &s);
	if (C.cfg.role == ROLE_SERVER)
		log_notice("server (no device): %llu port sets in %zu pools, %zu leases, epoch %lld",
			   (unsigned long long)s.sets, C.cfg.n_pools, s.leases,
			   (long long)(epoch < 0 ? 0 : epoch));
	else
		log_notice("aftr on %s: %llu port sets in %zu pools, %zu mappings, epoch %lld",
			   C.cfg.device, (unsigned long long)s.sets, C.cfg.n_pools,
			   s.leases, (long long)(epoch < 0 ? 0 : epoch));
}

int core_reload(const struct lw4o6d_config *c)
{
	struct alloc_limits lim;
	struct alloc_stats s;

	if (strcmp(c->device, C.cfg.device) ||
	    strcmp(c->storage_kind, C.cfg.storage_kind) ||
	    strcmp(c->storage_path, C.cfg.storage_path) ||
	    strcmp(c->node, C.cfg.node) || c->redundancy != C.cfg.redundancy) {
		log_warn("reload: device, storage, node and redundancy changes need a restart; kept the old ones");
		return -1;
	}
	/* Another node's pools may forbid these (store.h, set_pools). */
	if (record_pools(c)) {
		log_err("reload: nothing changed");
		return -1;
	}
	limits_of(c, &lim);
	if (alloc_reload(C.a, &lim, c->pools, c->n_pools)) {
		log_err("reload: pools: out of memory or invalid; nothing changed");
		return -1;
	}
	C.cfg = *c;
	alloc_stats(C.a, &s);
	log_notice("reloaded: %zu pools (%llu port sets, %llu in use)",
		   c->n_pools, (unsigned long long)s.sets,
		   (unsigned long long)s.sets_used);
	return 0;
}

bool core_store_up(void)
{
	if (!C.a)
		return false;
	return !C.st.ops->up || C.st.ops->up(&C.st);
}

void core_stop(void)
{
	struct alloc_stats s;

	if (C.a) {
		alloc_stats(C.a, &s);
		log_notice("stopping: %zu mappings stay %s (%llu granted, %llu renewed, %llu deleted, %llu expired, %llu forgotten after operator changes)",
			   s.leases, C.cfg.role == ROLE_SERVER ? "stored" :
			   "installed and stored", (unsigned long long)s.granted,
			   (unsigned long long)s.renewed,
			   (unsigned long long)s.released,
			   (unsigned long long)s.expired,
			   (unsigned long long)s.forgotten);
		if (store_shared(&C.st))
			log_notice("stopping: shared store: %llu changes of other nodes applied, %llu withdrawn, %llu resyncs, %llu sets lost to another node, %llu expiries kept (renewed elsewhere), %llu put off (store away)",
				   (unsigned long long)s.mirrored,
				   (unsigned long long)s.withdrawn,
				   (unsigned long long)s.resyncs,
				   (unsigned long long)s.raced,
				   (unsigned long long)s.stale_kept,
				   (unsigned long long)s.expiry_put_off);
	}
	if (C.watch >= 0)
		loop_del_fd(C.watch);
	timer_cancel(&C.sweep);
	alloc_free(C.a);
	store_close(&C.st);
	memset(&C, 0, sizeof(C));
}
