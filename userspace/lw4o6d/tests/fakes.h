/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Fakes for the core's unit tests: a store that fails on demand (SQLite
 * in a scratch directory underneath), a clock the test moves, requests
 * (fakes.c), and a kernel (fake_kernel.c, in place of kernel.c: the
 * functions of kernel.h over a table in memory, with the events the
 * module would send).
 */
#ifndef LW4O6D_TESTS_FAKES_H
#define LW4O6D_TESTS_FAKES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alloc.h"
#include "kernel.h"
#include "store.h"

/* ---- store --------------------------------------------------------------- */

/* What the next calls of each op return instead of working (0: they work). */
struct fake_store_faults {
	int put, del, begin, commit;
};
extern struct fake_store_faults fake_store_fail;

/* A fresh store in a new scratch directory: SQLite, with the faults. */
void fake_store_open(struct store *s);
/* The same file again, as after a restart. */
void fake_store_reopen(struct store *s);
/* Closes it and removes the directory. */
void fake_store_destroy(struct store *s);
size_t fake_store_count(struct store *s);
/* The stored mapping of (ipv4, psid), false if none. */
bool fake_store_get(struct store *s, uint32_t ipv4, uint16_t psid,
		    struct lw4o6_mapping *m);

/*
 * A store several nodes share, as store.h says one behaves (its ops other
 * than SQLite's are the fake's): lookup(), a change feed the test fills
 * (fake_feed_*, read through an eventfd as watch_fd()), tick(), set_pools()
 * and del() that refuses (-ESTALE) a mapping stored with another set or
 * expiry.  "Another node" writes the same SQLite file (fake_other_*): its
 * change is stored and fed, as PostgreSQL's NOTIFY would.
 */
struct fake_shared {
	int put_eexist;		/* the next puts refused with -EEXIST */
	int put_err;		/* the next puts (of this node) fail with this */
	int del_err;		/* dels (of this node) fail with this while nonzero */
	int lookup_err;		/* lookup() fails with this while nonzero */
	int set_pools_err;
	size_t lookups, ticks, set_pools;
};
extern struct fake_shared fake_shared;

void fake_store_open_shared(struct store *s);
void fake_other_put(struct store *s, const struct lw4o6_mapping *m);
void fake_other_del(struct store *s, const struct lw4o6_mapping *m);
/* A stored change no feed told of: the store's, but not fed. */
void fake_store_quiet_put(struct store *s, const struct lw4o6_mapping *m);
void fake_store_quiet_del(struct store *s, const struct lw4o6_mapping *m);
/* The feed says: changes were lost, read everything again. */
void fake_feed_resync(void);
size_t fake_feed_pending(void);

/* ---- clocks -------------------------------------------------------------- */

extern int64_t fake_wall, fake_mono;
extern const struct alloc_clock fake_clock;

/* ---- requests ------------------------------------------------------------ */

/* a.b.c.d, network order */
uint32_t ip(const char *s);
/* B4 number n: 2001:db8::n */
void b4_addr(struct in6_addr *a, unsigned int n);
/* B4 n's MAP for its whole address (protocol 0, port 0), nonce all n. */
struct alloc_req req(unsigned int n, uint32_t lifetime);
/* req(n, lifetime), which must succeed. */
void map_ok(struct alloc *a, unsigned int n, uint32_t lifetime,
	    struct alloc_answer *ans);

/* ---- kernel -------------------------------------------------------------- */

#define FAKE_KERN_PORTID 4242	/* the daemon's request socket */

void fake_kern_reset(void);
/* kern_bind_add() fails with this errno while it is nonzero. */
extern int fake_kern_fail_add;
/* kern_open_mode() finds no device while set. */
extern bool fake_kern_no_device;
/* An operator's doing: no port id in its events. */
void fake_kern_op_add(const struct lw4o6_mapping *m);
void fake_kern_op_del(uint32_t ipv4, uint16_t psid);
void fake_kern_op_replace(const struct lw4o6_mapping *m);
void fake_kern_op_flush(void);
size_t fake_kern_count(void);
/* The binding on (ipv4, psid), false if none. */
bool fake_kern_get(uint32_t ipv4, uint16_t psid, struct lw4o6_mapping *m);
/* Events waiting to be read */
size_t fake_kern_pending(void);
/* The module's miss-hold as last set; kern_dev_set_miss_hold() fails while fail_hold. */
extern uint32_t fake_kern_hold_ms, fake_kern_queue;
extern int fake_kern_fail_hold;
/* MISS_REJECTs asked for, and the last one's B4 and IPv4. */
extern size_t fake_kern_rejects;
extern struct in6_addr fake_kern_reject_b4;
extern uint32_t fake_kern_reject_ipv4;
/* Bulk loads committed (kern_load_*; a failing kern_bind_add fails them too). */
extern size_t fake_kern_loads;
/* A packet of b4 from ipv4:port missed its binding (held: miss-hold). */
void fake_kern_miss(const struct in6_addr *b4, uint32_t ipv4, int port,
		    bool held);

/* Runs the loop until every waiting event has reached its reader. */
void run_loop(void);

#endif
