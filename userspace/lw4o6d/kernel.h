/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * lw4o6d's only way to the module: the "lw4o6" generic netlink family.
 * One socket for requests, one for the multicast groups (control traffic
 * on the AFTR, icmp-no-binding on the B4).
 */
#ifndef LW4O6D_KERNEL_H
#define LW4O6D_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "mapping.h"

struct nl;

struct kern_dev {
	int ifindex;
	uint8_t mode;			/* enum lw4o6_mode */
	struct in6_addr local, remote;
	uint32_t ipv4;			/* b4: network order, 0 = none */
	uint16_t psid;
	uint8_t psid_len, offset;
};

struct kern_events {
	/* aftr: a datagram to 192.0.0.1:5351 from inside a softwire */
	void (*control)(const struct in6_addr *b4, const uint8_t *pkt,
			size_t len, void *arg);
	/* b4: the AFTR answered us with ICMPv6 1/5 */
	void (*no_binding)(const struct in6_addr *from, uint32_t ipv4,
			   void *arg);
	/* b4: a router on the way (from) has no route to the AFTR: 1/0, 1/3 */
	void (*unreachable)(const struct in6_addr *from, uint32_t ipv4,
			    void *arg);
	/*
	 * Changes to the table.  portid is the netlink port id of the socket
	 * whose request caused it (0: none, or events lost), so that a
	 * listener can tell its own changes (kern_portid()) from others'.
	 */
	/* aftr: a binding went away */
	void (*bind_del)(const struct lw4o6_mapping *m, uint32_t portid,
			 void *arg);
	/* aftr: one was replaced; the mapping gives the new owner */
	void (*bind_replace)(const struct lw4o6_mapping *m, uint32_t portid,
			     void *arg);
	/*
	 * aftr: the table changed wholesale (flush, load) or events were
	 * lost: what the kernel holds must be read again.
	 */
	void (*resync)(bool flushed, uint32_t portid, void *arg);
	/*
	 * aftr (events group): a packet from b4, inner source ipv4 (network
	 * order) and port (-1: none), failed the source check; held: the
	 * module holds it (miss-hold) until a binding that it passes is
	 * added, kern_miss_reject(), or the hold time ends.
	 */
	void (*miss)(const struct in6_addr *b4, uint32_t ipv4, int port,
		     bool held, void *arg);
	void *arg;
};

struct kern;

/* NULL with a reason in err when the module or the device is missing. */
struct kern *kern_open(const char *dev, char *err, size_t errlen);
/* kern_open() and kern_dev_get() of a device that must be of mode; logs why not. */
struct kern *kern_open_mode(const char *dev, uint8_t mode, struct kern_dev *d);
void kern_close(struct kern *k);
int kern_dev_get(struct kern *k, struct kern_dev *d);
/* ev's callbacks for the groups to join: control and/or events */
int kern_listen(struct kern *k, bool control, bool events,
		const struct kern_events *ev);
int kern_event_fd(struct kern *k);
/*
 * What is waiting, up to KERN_READ_MAX datagrams: the loop polls again
 * (level-triggered) for the rest, after its timers and signals.  A full
 * socket buffer means lost events: resync() (events group) or dropped
 * requests, counted (control group).
 */
#define KERN_READ_MAX	256
void kern_events_read(struct kern *k);
/* Times the socket overflowed: requests or events the kernel dropped. */
uint64_t kern_overflows(const struct kern *k);
/*
 * A kern reading ev (which it now owns) as kern_listen() would, for
 * messages of the generic netlink family id family about ifindex: lets
 * tests feed kern_events_read() from a socket of their own.
 */
struct kern *kern_on_socket(struct nl *ev, uint16_t family, int ifindex,
			    bool events, const struct kern_events *cb);

int kern_bind_add(struct kern *k, const struct lw4o6_mapping *m, bool replace);
int kern_bind_del(struct kern *k, uint32_t ipv4, uint16_t psid,
		  uint8_t psid_len);
/* every binding of the device; cb's nonzero return stops the walk */
int kern_bind_dump(struct kern *k,
		   int (*cb)(const struct lw4o6_mapping *m, void *arg),
		   void *arg);
/*
 * A whole table in one transaction (LOAD_BEGIN .. LOAD_COMMIT): what the
 * device holds is replaced by what was added, atomically at the commit,
 * at a fraction of one BIND_NEW per binding.  count is a hint for the
 * kernel's sizing.  A failed add or commit aborts the transaction (the
 * table stays as it was) and frees l; the first error is returned by
 * kern_load_commit() as well.
 */
struct kern_load;
int kern_load_begin(struct kern *k, uint32_t count, struct kern_load **l);
int kern_load_add(struct kern_load *l, const struct lw4o6_mapping *m);
int kern_load_commit(struct kern_load *l);
/* b4: install (or with ipv4 0, remove) the device's binding */
int kern_b4_set(struct kern *k, uint32_t ipv4, uint16_t psid,
		uint8_t psid_len, uint8_t offset);
/* b4: the softwire's ends (the device's local and remote); NULL keeps one */
int kern_dev_set_ends(struct kern *k, const struct in6_addr *local,
		      const struct in6_addr *remote);
/*
 * aftr: how long the module holds a packet that misses its binding (ms,
 * 0 = not at all) and how many it holds at once (1..4096).
 */
int kern_dev_set_miss_hold(struct kern *k, uint32_t ms, uint32_t queue);
/*
 * aftr: b4's held packets (of inner source ipv4 only, unless 0) have no
 * binding: dropped now, each with its ICMPv6 1/5.  0 also when none is held.
 */
int kern_miss_reject(struct kern *k, const struct in6_addr *b4, uint32_t ipv4);
/* The kernel's extack text for the last failure, or "". */
const char *kern_last_error(struct kern *k);
/* The port id of k's request socket: what the kernel's events name as theirs. */
uint32_t kern_portid(const struct kern *k);

#endif
