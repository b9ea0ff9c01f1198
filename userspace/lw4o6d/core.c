// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <string.h>

#include "core.h"
#include "log.h"
#include "loop.h"

static struct {
	struct lw4o6d_config cfg;
	struct store st;
	struct alloc *a;
	struct timer sweep;
} C;

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

/* Once a second: what expired goes, in one transaction. */
static void sweep(struct timer *t)
{
	if (alloc_due(C.a)) {
		alloc_begin(C.a);
		alloc_expire(C.a, "expired");
		alloc_commit(C.a);
	}
	alloc_evict_idle(C.a);
	timer_arm(t, 1000);
}

struct alloc *core_start(const struct lw4o6d_config *c, bool reset)
{
	const char *kind = c->storage_kind[0] ? c->storage_kind : "sqlite";
	const struct store_ops *ops = store_find(kind);
	struct alloc_limits lim;

	C.cfg = *c;
	if (!ops || store_open(&C.st, ops, c->storage_path)) {
		log_err("storage: %s", ops ? C.st.err : "unknown kind");
		return NULL;
	}
	limits_of(c, &lim);
	C.a = alloc_new(&C.st, &lim, c->pools, c->n_pools, NULL);
	if (!C.a) {
		log_err("pools: out of memory or invalid");
		return NULL;
	}
	if (alloc_load(C.a, reset))
		return NULL;
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
	    strcmp(c->storage_path, C.cfg.storage_path)) {
		log_warn("reload: device and storage changes need a restart; kept the old ones");
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
	}
	timer_cancel(&C.sweep);
	alloc_free(C.a);
	store_close(&C.st);
	memset(&C, 0, sizeof(C));
}
