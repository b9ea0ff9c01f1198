// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The lwB4's DHCPv4-over-DHCPv6 client (dhcp4o6_client.h).
 *
 * Timing: step 1 is RFC 8415's Information-request (IRT 1 s, MRT 3600 s,
 * each timeout doubled with +-10 % jitter, no end; "provision auto" gives
 * up after DHCP4O6_AUTO_TRIES).  Step 2 is RFC 2131 4.1: 4 s doubling to
 * 64 s, each +-1 s; a DISCOVER goes on for ever, a REQUEST (SELECTING,
 * INIT-REBOOT) DHCP4O6_REQUEST_TRIES times before starting over; RENEW and
 * REBIND are resent after half the time left to T2 / expiry, at least
 * 60 s (RFC 2131 4.4.5).
 *
 * A re-validation (an ICMPv6 1/5 about the lease) is a REQUEST in the
 * REBINDING form, with the INIT timing (4 s doubling), at most
 * DHCP4O6_REVALIDATE_TRIES of them.  Why REBINDING: it names the lease by
 * ciaddr and no server, so any server may answer and each must judge the
 * lease itself.  Ours (dhcp4o6_serve.c) NAKs a lease it does not hold.
 * Kea 2.2, not authoritative, keeps silent about one outside its pools
 * (seen in selftests/daemon/dhcp4o6_b4_kea.sh): hence the fallback to
 * DISCOVER when no answer comes.  Not INIT-REBOOT: RFC 2131 4.3.2 has a
 * server with no record of the client stay silent (Kea unless
 * authoritative, ours always), which a backup that never saw us is.  Not
 * SELECTING: there is no offer, and every lw4o6d server has the id
 * 192.0.0.1.  Not RENEWING: it goes to the server of the lease, which may
 * be the one that failed.
 *
 * RFC 7341 6.2: the U flag of DHCPV4-QUERY is set when the DHCPv4 message
 * would have been unicast (RENEWING REQUEST, RELEASE), clear otherwise;
 * a response's flags are ignored.
 *
 * No I/O here: b4.c has the socket, the device and the lease file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/random.h>

#include <lw4o6/psid.h>

#include "dhcp4o6_client.h"
#include "log.h"
#include "strconv.h"

/* RFC 8415 7.6 */
#define INF_IRT_MS	1000
#define INF_MRT_MS	3600000
/* RFC 2131 4.1 */
#define D4_IRT_MS	4000
#define D4_MRT_MS	64000
#define D4_MIN_RENEW_MS	60000

#define DHCP6_OPT_INFO_REFRESH	32	/* RFC 8415 21.23 */

#define OF(t, member) \
	((struct dhcp4o6_client *)((char *)(t) - offsetof(struct dhcp4o6_client, member)))

static const struct in6_addr all_servers = {
	.s6_addr = { 0xff, 0x02, [13] = 0x01, [15] = 0x02 }
};

static uint32_t rand32(void)
{
	uint32_t r = 0;

	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		r = (uint32_t)rand();
	return r;
}

/* [-0.1, 0.1] */
static double rand_pm10(void)
{
	return ((double)rand32() / 4294967295.0 - 0.5) * 0.2;
}

/* [-1000, 1000] ms */
static int64_t rand_pm1s(void)
{
	return (int64_t)(rand32() % 2001) - 1000;
}

const char *dhcp4o6_state_name(enum dhcp4o6_state s)
{
	static const char *const names[D4_NSTATES] = {
		[D4_IDLE] = "idle", [D4_INFO] = "information-request",
		[D4_S46] = "s46-configured", [D4_INIT] = "selecting",
		[D4_REQUESTING] = "requesting", [D4_REBOOTING] = "init-reboot",
		[D4_BOUND] = "bound", [D4_RENEWING] = "renewing",
		[D4_REBINDING] = "rebinding",
		[D4_REVALIDATING] = "revalidating", [D4_MOVING] = "moving",
		[D4_PCP] = "pcp",
	};

	return (unsigned int)s < D4_NSTATES ? names[s] : "?";
}

static void set_state(struct dhcp4o6_client *c, enum dhcp4o6_state s)
{
	if (c->state == s)
		return;
	log_debug("DHCPv4-over-DHCPv6: %s -> %s", dhcp4o6_state_name(c->state),
		  dhcp4o6_state_name(s));
	c->state = s;
	c->n.state_changes++;
}

/* --- the binding and its listeners -------------------------------------- */

static void publish(struct dhcp4o6_client *c)
{
	size_t i;

	for (i = 0; i < c->n_listeners; i++)
		c->listeners[i].fn(c->configured ? &c->b : NULL,
				   c->listeners[i].arg);
}

int dhcp4o6_client_listen(struct dhcp4o6_client *c, b4_binding_fn fn,
			  void *arg)
{
	if (c->n_listeners == DHCP4O6_CLIENT_MAX_LISTENERS)
		return -ENOSPC;
	c->listeners[c->n_listeners].fn = fn;
	c->listeners[c->n_listeners].arg = arg;
	c->n_listeners++;
	fn(c->configured ? &c->b : NULL, arg);
	return 0;
}

static int configure(struct dhcp4o6_client *c, const struct b4_binding *b,
		     const char *how)
{
	char a4[FMT_IPV4_LEN];
	int err;

	if (c->configured && !memcmp(b, &c->b, sizeof(*b)))
		return 0;
	if ((err = c->ops.install(b, c->ops.arg)))
		return err;
	c->configured = true;
	c->b = *b;
	log_info("bound by %s: %s psid %u/%u offset %u (%u ports)", how,
		 fmt_ipv4(b->ipv4, a4), b->psid, b->psid_len, b->offset,
		 lw4o6_set_size(b->offset, b->psid_len));
	publish(c);
	return 0;
}

static void deconfigure(struct dhcp4o6_client *c, const char *why)
{
	if (!c->configured)
		return;
	c->ops.install(NULL, c->ops.arg);
	c->configured = false;
	log_info("binding removed: %s", why);
	publish(c);
}

/* --- sending ------------------------------------------------------------- */

static void count_out6(struct dhcp4o6_client *c, uint8_t type)
{
	c->n.out6[type & 31]++;
}

static void send_info_request(struct dhcp4o6_client *c)
{
	static const uint8_t oro[] = { 0, DHCP6_OPT_4O6_SERVER,
				       0, DHCP6_OPT_S46_CONT_LW,
				       0, DHCP6_OPT_S46_BR,
				       0, DHCP6_OPT_AFTR_NAME,
				       0, DHCP6_OPT_INFO_REFRESH };
	int64_t cs = (loop_now_ms() - c->start_ms) / 10;
	struct dhcp6_buf b;
	size_t n;

	dhcp6_begin(&b, c->msg, sizeof(c->msg), DHCP6_INFORMATION_REQUEST,
		    c->xid6);
	dhcp6_put(&b, DHCP6_OPT_CLIENTID, c->duid, c->duid_len);
	dhcp6_put_u16(&b, DHCP6_OPT_ELAPSED_TIME,
		      c->info_tries ? (cs > 0xffff ? 0xffff : (uint16_t)cs) : 0);
	dhcp6_put(&b, DHCP6_OPT_ORO, oro, sizeof(oro));
	n = dhcp6_end(&b);
	if (!n)
		return;
	log_debug("INFORMATION-REQUEST xid %06x to ff02::1:2", c->xid6);
	count_out6(c, DHCP6_INFORMATION_REQUEST);
	c->ops.send(c->msg, n, &all_servers, NULL, c->ops.arg);
}

/*
 * The DHCPv4 message of the current state, in a DHCPV4-QUERY, to "to",
 * from "from" (the softwire source but for a RELEASE from one we left).
 */
static void send_query_from(struct dhcp4o6_client *c, uint8_t type,
			    const struct in6_addr *to, bool unicast_flag,
			    const struct in6_addr *from)
{
	static const uint8_t params[] = { DHCP4_OPT_SUBNET_MASK, DHCP4_OPT_LEASE_TIME,
					  DHCP4_OPT_T1, DHCP4_OPT_T2,
					  DHCP4_OPT_V4_PORTPARAMS };
	uint8_t v4[DHCP4_MAX_LEN];
	struct dhcp4_msg m;
	struct dhcp6_buf b;
	int64_t secs = (loop_now_ms() - c->start_ms) / 1000;
	size_t n4, n;

	memset(&m, 0, sizeof(m));
	m.op = 1;
	m.htype = 1;
	m.hlen = 6;
	m.xid = c->xid;
	m.secs = secs > 0xffff ? 0xffff : (uint16_t)secs;
	memcpy(m.chaddr, c->mac, 6);
	m.type = type;
	m.client_id = c->client_id;
	m.client_id_len = sizeof(c->client_id);
	if (type != DHCP4_RELEASE) {
		m.params = params;
		m.params_len = sizeof(params);
		m.has_saddr = true;
		m.saddr = c->source;
	}
	switch (c->state) {
	case D4_REQUESTING:
		m.has_requested_ip = true;
		m.requested_ip = c->offered;
		m.has_server_id = true;
		m.server_id = c->offer_server;
		break;
	case D4_REBOOTING:
		m.has_requested_ip = true;
		m.requested_ip = c->lease.ipv4;
		break;
	case D4_RENEWING:
	case D4_REBINDING:
	case D4_REVALIDATING:
	case D4_MOVING:
		m.ciaddr = c->lease.ipv4;
		break;
	default:
		break;
	}
	if (type == DHCP4_RELEASE) {
		/* RFC 2131 table 5 (also when a DISCOVER's exchange is on) */
		m.has_requested_ip = false;
		m.ciaddr = c->lease.ipv4;
		m.has_server_id = true;
		m.server_id = c->lease.server_id;
	}
	n4 = dhcp4_build(&m, NULL, 0, v4, sizeof(v4));
	if (!n4)
		return;
	dhcp6_begin(&b, c->msg, sizeof(c->msg), DHCP6_DHCPV4_QUERY,
		    unicast_flag ? DHCP6_4O6_FLAG_UNICAST : 0);
	dhcp6_put(&b, DHCP6_OPT_DHCPV4_MSG, v4, n4);
	n = dhcp6_end(&b);
	if (!n)
		return;
	if (log_level_get() >= LOG_DEBUG) {
		char a6[FMT_IPV6_LEN];

		log_debug("DHCPV4-QUERY %s xid %08x to %s%s",
			  dhcp4_type_name(type), c->xid, fmt_ipv6(to, a6),
			  unicast_flag ? " (U)" : "");
	}
	count_out6(c, DHCP6_DHCPV4_QUERY);
	c->n.out4[type % D4_NTYPES]++;
	c->ops.send(c->msg, n, to, from, c->ops.arg);
}

static void send_query(struct dhcp4o6_client *c, uint8_t type,
		       const struct in6_addr *to, bool unicast_flag)
{
	send_query_from(c, type, to, unicast_flag, &c->source);
}

/* A broadcast-class message: to every 4o6 server (ff02::1:2 when none). */
static void send_all(struct dhcp4o6_client *c, uint8_t type)
{
	size_t i;

	if (!c->n_servers) {
		send_query(c, type, &all_servers, false);
		return;
	}
	for (i = 0; i < c->n_servers; i++)
		send_query(c, type, &c->servers[i], false);
}

/* What the current state sends (again). */
static void transmit(struct dhcp4o6_client *c)
{
	switch (c->state) {
	case D4_INFO:
		send_info_request(c);
		break;
	case D4_INIT:
		send_all(c, DHCP4_DISCOVER);
		break;
	case D4_REQUESTING:
	case D4_REBOOTING:
	case D4_REBINDING:
	case D4_REVALIDATING:
		send_all(c, DHCP4_REQUEST);
		break;
	case D4_RENEWING:
	case D4_MOVING:
		/* RFC 7341 6.2: would have been unicast: U set, to its server */
		send_query(c, DHCP4_REQUEST, &c->lease.server6, true);
		break;
	default:
		break;
	}
}

/* --- timers ---------------------------------------------------------------- */

static void begin_info(struct dhcp4o6_client *c);
static void begin_discover(struct dhcp4o6_client *c);

/* A new exchange of the current state: sent now, then retransmitted. */
static void start_exchange(struct dhcp4o6_client *c)
{
	c->start_ms = loop_now_ms();
	c->tries = 0;
	if (c->state == D4_INFO) {
		c->rt = (int64_t)(INF_IRT_MS * (1 + rand_pm10()));
		c->info_tries = 0;
	} else {
		c->rt = D4_IRT_MS;	/* without its jitter */
	}
	transmit(c);
	if (c->state == D4_INFO)
		c->info_tries = 1;
	c->tries = 1;
	if (c->state == D4_RENEWING || c->state == D4_REBINDING) {
		int64_t left = c->state == D4_RENEWING ?
			       c->t2.when - loop_now_ms() :
			       c->expire.when - loop_now_ms();

		c->rt = left / 2 < D4_MIN_RENEW_MS ? D4_MIN_RENEW_MS : left / 2;
		timer_arm(&c->retrans, c->rt);
	} else if (c->state == D4_INFO) {
		timer_arm(&c->retrans, c->rt);
	} else {
		timer_arm(&c->retrans, c->rt + rand_pm1s());
	}
}

static void fall_back(struct dhcp4o6_client *c, const char *why)
{
	log_notice("provision auto: %s; provisioning by PCP", why);
	timer_cancel(&c->retrans);
	timer_cancel(&c->refresh);
	set_state(c, D4_PCP);
	if (c->ops.fallback)
		c->ops.fallback(c->ops.arg);
}

static void on_retrans(struct timer *t)
{
	struct dhcp4o6_client *c = OF(t, retrans);

	switch (c->state) {
	case D4_INFO:
		if (c->auto_mode && c->info_tries >= DHCP4O6_AUTO_TRIES) {
			fall_back(c, "no DHCPv6 Reply");
			return;
		}
		/* RFC 8415 15 */
		c->rt = (int64_t)(2 * c->rt * (1 + rand_pm10()));
		if (c->rt > INF_MRT_MS)
			c->rt = (int64_t)(INF_MRT_MS * (1 + rand_pm10()));
		c->info_tries++;
		break;
	case D4_REQUESTING:
	case D4_REBOOTING:
		if (c->tries >= DHCP4O6_REQUEST_TRIES) {
			log_info("no answer to %u REQUESTs: starting over with DISCOVER",
				 c->tries);
			begin_discover(c);
			return;
		}
		/* fall through */
	case D4_REVALIDATING:
		if (c->state == D4_REVALIDATING &&
		    c->tries >= DHCP4O6_REVALIDATE_TRIES) {
			char a4[FMT_IPV4_LEN];

			/*
			 * Nobody says ACK or NAK: a server that keeps silent
			 * about leases it does not know, or none reachable.
			 * The 1/5 says the data does not get through, so we
			 * ask for a lease anew; a server that still holds ours
			 * offers it again.  The binding stays until its lease
			 * ends (begin_discover()): were the 1/5 forged, the
			 * traffic goes on meanwhile.
			 */
			c->n.revalidate_unanswered++;
			log_notice("no answer to %u re-validation REQUESTs: DISCOVER (%s kept until its lease ends or another is granted)",
				   c->tries, fmt_ipv4(c->lease.ipv4, a4));
			begin_discover(c);
			return;
		}
		/* fall through */
	case D4_MOVING:
		if (c->state == D4_MOVING && c->tries >= DHCP4O6_REQUEST_TRIES) {
			/*
			 * The lease's server is away (renumbered too?): any
			 * server now.  The binding stays until its lease ends,
			 * as after a re-validation nobody answered.
			 */
			c->n.moves_unanswered++;
			log_notice("no answer to %u REQUESTs from our new address: DISCOVER",
				   c->tries);
			begin_discover(c);
			return;
		}
		/* fall through */
	case D4_INIT:
		/* RFC 2131 4.1: 4, 8, 16, 32, 64, 64 ... s, each +-1 s */
		c->rt = c->rt * 2 > D4_MRT_MS ? D4_MRT_MS : c->rt * 2;
		c->tries++;
		log_debug("no answer: retransmitting (%s), next in %lld s",
			  dhcp4o6_state_name(c->state),
			  (long long)c->rt / 1000);
		transmit(c);
		timer_arm(t, c->rt + rand_pm1s());
		return;
	case D4_RENEWING:
	case D4_REBINDING: {
		int64_t left = c->state == D4_RENEWING ?
			       c->t2.when - loop_now_ms() :
			       c->expire.when - loop_now_ms();

		c->rt = left / 2 < D4_MIN_RENEW_MS ? D4_MIN_RENEW_MS : left / 2;
		c->tries++;
		break;
	}
	default:
		return;
	}
	log_debug("no answer: retransmitting (%s), next in %lld ms",
		  dhcp4o6_state_name(c->state), (long long)c->rt);
	transmit(c);
	timer_arm(t, c->rt);
}

static void on_t1(struct timer *t)
{
	struct dhcp4o6_client *c = OF(t, t1);

	if (c->state != D4_BOUND)
		return;
	log_info("T1: renewing with the server that granted the lease");
	c->xid = rand32();
	set_state(c, D4_RENEWING);
	start_exchange(c);
}

static void on_t2(struct timer *t)
{
	struct dhcp4o6_client *c = OF(t, t2);

	if (c->state != D4_BOUND && c->state != D4_RENEWING)
		return;
	log_info("T2: rebinding with any server");
	c->xid = rand32();
	set_state(c, D4_REBINDING);
	start_exchange(c);
}

static void on_expire(struct timer *t)
{
	struct dhcp4o6_client *c = OF(t, expire);

	log_notice("the DHCPv4 lease expired without a renewal");
	deconfigure(c, "the lease expired");
	c->have_lease = false;
	c->ops.save(NULL, c->ops.arg);
	begin_discover(c);
}

static void on_refresh(struct timer *t)
{
	struct dhcp4o6_client *c = OF(t, refresh);

	/* S46: information refresh; its Reply reconfigures what changed */
	log_info("information refresh");
	begin_info(c);
}

/* --- the steps ------------------------------------------------------------ */

static void cancel_lease_timers(struct dhcp4o6_client *c)
{
	timer_cancel(&c->t1);
	timer_cancel(&c->t2);
	timer_cancel(&c->expire);
}

static void begin_info(struct dhcp4o6_client *c)
{
	c->xid6 = rand32() & 0xffffff;
	set_state(c, D4_INFO);
	start_exchange(c);
}

static void begin_discover(struct dhcp4o6_client *c)
{
	/*
	 * A lease still installed (its re-validation went unanswered) keeps
	 * its expiry: the binding goes when it ends, or another replaces it.
	 * Every other caller has removed it (NAK, expiry) or never had one.
	 */
	if (c->configured && c->have_lease) {
		timer_cancel(&c->t1);
		timer_cancel(&c->t2);
	} else {
		cancel_lease_timers(c);
	}
	c->xid = rand32();
	c->offered = c->offer_server = 0;
	set_state(c, D4_INIT);
	start_exchange(c);
}

static void begin_reboot(struct dhcp4o6_client *c)
{
	c->xid = rand32();
	set_state(c, D4_REBOOTING);
	start_exchange(c);
}

/* Step 2, after the Reply: INIT-REBOOT with a kept lease, else DISCOVER. */
static void begin_dhcpv4(struct dhcp4o6_client *c)
{
	struct dhcp4o6_lease l;
	int64_t now = time(NULL);

	if (!c->have_lease && c->ops.load && !c->ops.load(&l, c->ops.arg)) {
		if (l.obtained + (int64_t)l.lease_time > now &&
		    l.obtained <= now + 60 &&
		    !memcmp(&l.source, &c->source, sizeof(l.source))) {
			c->lease = l;
			c->have_lease = true;
		} else {
			log_info("the kept lease has expired or names another softwire source: not used");
			c->ops.save(NULL, c->ops.arg);
		}
	}
	if (c->have_lease) {
		char a4[FMT_IPV4_LEN];

		log_info("INIT-REBOOT: asking to keep %s",
			 fmt_ipv4(c->lease.ipv4, a4));
		begin_reboot(c);
	} else {
		begin_discover(c);
	}
}

/* Option code's data at the top level of a DHCPv6 message's options. */
static const uint8_t *find6(const uint8_t *p, size_t len, uint16_t code,
			    uint16_t *olen)
{
	while (len >= 4) {
		uint16_t t = (uint16_t)(p[0] << 8 | p[1]);
		uint16_t l = (uint16_t)(p[2] << 8 | p[3]);

		if ((size_t)l + 4 > len)
			return NULL;
		if (t == code) {
			*olen = l;
			return p + 4;
		}
		p += 4 + l;
		len -= 4 + (size_t)l;
	}
	return NULL;
}

static void s46_configure(struct dhcp4o6_client *c, const struct s46_lw *lw,
			  uint32_t refresh)
{
	struct b4_binding b = { .ipv4 = lw->ipv4 };
	struct in6_addr src;
	char a6[FMT_IPV6_LEN];

	if (lw->has_portparams) {
		b.psid = lw->psid;
		b.psid_len = lw->psid_len;
		b.offset = lw->offset;
	}
	if (s46_lw_source(lw, &src)) {
		log_warn("S46_V4V6BIND with a /%u prefix: no softwire source fits; asking again later",
			 lw->prefix_len);
		timer_arm(&c->refresh, 60000);
		return;
	}
	if (c->ops.set_ends(&src, lw->n_br ? &lw->br[0] : NULL, c->ops.arg))
		return;
	c->source = src;
	log_info("S46_CONT_LW: softwire source %s", fmt_ipv6(&src, a6));
	if (configure(c, &b, "S46_CONT_LW"))
		return;
	set_state(c, D4_S46);
	timer_arm(&c->refresh, (int64_t)refresh * 1000);
}

static void on_reply(struct dhcp4o6_client *c, const struct dhcp6_msg *m)
{
	struct s46_lw lw;
	bool has_lw = false;
	uint32_t refresh = DHCP4O6_INFO_REFRESH;
	const uint8_t *o;
	uint16_t olen;

	if (c->state != D4_INFO || m->xid != c->xid6 || !m->client_id ||
	    m->client_id_len != c->duid_len ||
	    memcmp(m->client_id, c->duid, c->duid_len) || !m->server_id) {
		c->n.ignored++;
		if (log_limit_ok(&c->ll))
			log_info("ignored a Reply to no Information-request of ours (%llu so far)",
				 (unsigned long long)c->n.ignored);
		return;
	}
	timer_cancel(&c->retrans);
	if ((o = find6(m->opts, m->opts_len, DHCP6_OPT_INFO_REFRESH, &olen)) &&
	    olen == 4) {
		refresh = (uint32_t)o[0] << 24 | o[1] << 16 | o[2] << 8 | o[3];
		if (refresh < 600)
			refresh = 600;	/* RFC 8415 IRT_MINIMUM */
	}
	if (m->cont_lw) {
		if (s46_lw_parse(m->cont_lw, m->cont_lw_len, &lw)) {
			c->n.malformed++;
			log_warn("ignored a malformed S46_CONT_LW");
		} else {
			has_lw = lw.has_bind;
		}
	}
	if (has_lw) {
		log_debug("Reply: S46_CONT_LW with a binding");
		s46_configure(c, &lw, refresh);
		return;
	}
	if (c->auto_mode && !m->has_4o6_servers) {
		fall_back(c, "the DHCPv6 Reply has neither S46_CONT_LW nor 4o6 servers");
		return;
	}
	if (c->configured && !c->have_lease) {
		/* was S46, is no more */
		deconfigure(c, "the DHCPv6 Reply no longer holds S46_CONT_LW");
	}
	c->n_servers = m->n_4o6_servers;
	memcpy(c->servers, m->servers_4o6,
	       m->n_4o6_servers * sizeof(c->servers[0]));
	/* RFC 8539: an S46_BR outside the container names the BR */
	if (m->cont_lw && !s46_lw_parse(m->cont_lw, m->cont_lw_len, &lw) &&
	    lw.n_br)
		c->ops.set_ends(NULL, &lw.br[0], c->ops.arg);
	else if ((o = find6(m->opts, m->opts_len, DHCP6_OPT_S46_BR, &olen)) &&
		 olen == 16)
		c->ops.set_ends(NULL, (const struct in6_addr *)o, c->ops.arg);
	log_info("DHCPv6 Reply: DHCPv4 over DHCPv6 to %zu server(s)%s",
		 c->n_servers, c->n_servers ? "" : " (ff02::1:2)");
	if (c->state == D4_INFO)
		begin_dhcpv4(c);
}

/* An answer to our DHCPv4 exchange: its xid, our chaddr and client-id. */
static bool ours4(const struct dhcp4o6_client *c, const struct dhcp4_msg *m)
{
	return c->retrans.armed && m->op == 2 && m->xid == c->xid &&
	       m->hlen == 6 && !memcmp(m->chaddr, c->mac, 6) &&
	       (!m->client_id || (m->client_id_len == sizeof(c->client_id) &&
				  !memcmp(m->client_id, c->client_id,
					  sizeof(c->client_id))));
}

static void on_ack(struct dhcp4o6_client *c, const struct dhcp4_msg *m,
		   const struct in6_addr *from)
{
	struct dhcp4o6_lease l;
	struct b4_binding b;
	uint32_t t1, t2;
	char a4[FMT_IPV4_LEN];

	if (!m->yiaddr || !m->has_lease_time || !m->lease_time) {
		log_warn("an ACK without an address or a lease time: ignored");
		c->n.malformed++;
		return;
	}
	if ((c->state == D4_RENEWING || c->state == D4_REBINDING ||
	     c->state == D4_REVALIDATING || c->state == D4_MOVING) &&
	    m->yiaddr != c->lease.ipv4)
		log_notice("the server moved us from %s", fmt_ipv4(c->lease.ipv4, a4));
	else if (c->state == D4_MOVING)
		log_notice("the server kept %s for our new address",
			   fmt_ipv4(m->yiaddr, a4));
	if (c->state == D4_MOVING)
		c->n.moves_kept++;
	timer_cancel(&c->retrans);
	memset(&l, 0, sizeof(l));
	l.ipv4 = m->yiaddr;
	if (m->has_portparams) {
		l.psid = m->psid;
		l.psid_len = m->psid_len;
		l.offset = m->offset;
	}
	l.server_id = m->has_server_id ? m->server_id :
		      (c->have_lease ? c->lease.server_id : c->offer_server);
	l.server6 = *from;
	if (IN6_IS_ADDR_MULTICAST(from) && c->have_lease)
		l.server6 = c->lease.server6;
	l.source = c->source;
	l.lease_time = m->lease_time;
	if (m->lease_time == 0xffffffffu) {
		t1 = t2 = 0;	/* infinite: never renewed */
	} else {
		t1 = m->has_t1 ? m->t1 : m->lease_time / 2;
		t2 = m->has_t2 ? m->t2 : (uint32_t)((uint64_t)m->lease_time * 7 / 8);
		if (t2 > m->lease_time || !t2)
			t2 = (uint32_t)((uint64_t)m->lease_time * 7 / 8);
		if (t1 > t2 || !t1)
			t1 = t2 / 2 ?: 1;
	}
	l.t1 = t1;
	l.t2 = t2;
	l.obtained = time(NULL);
	b.ipv4 = l.ipv4;
	b.psid = l.psid;
	b.psid_len = l.psid_len;
	b.offset = l.offset;
	if (configure(c, &b, "DHCPv4 ACK")) {
		/* not installed: let the server know, then start over */
		log_warn("the granted binding could not be installed: starting over in 10 s");
		c->lease = l;
		c->have_lease = true;
		send_query(c, DHCP4_RELEASE, &l.server6, true);
		c->have_lease = false;
		cancel_lease_timers(c);
		set_state(c, D4_IDLE);
		timer_arm(&c->refresh, 10000);
		return;
	}
	c->lease = l;
	c->have_lease = true;
	c->bound_ms = loop_now_ms();
	c->ops.save(&l, c->ops.arg);
	log_info("DHCPv4 lease %s for %us (T1 %us, T2 %us)",
		 fmt_ipv4(l.ipv4, a4), l.lease_time, l.t1, l.t2);
	set_state(c, D4_BOUND);
	cancel_lease_timers(c);
	if (l.lease_time != 0xffffffffu) {
		timer_arm(&c->t1, (int64_t)t1 * 1000);
		timer_arm(&c->t2, (int64_t)t2 * 1000);
		timer_arm(&c->expire, (int64_t)l.lease_time * 1000);
	}
}

/*
 * Our move NAKed (another subscriber prefix): the server keeps the lease
 * where it was, as it must (anybody could NAK-release a lease by its
 * client id otherwise), until it expires.  From the old source, while it
 * is still there, the lease is ours to RELEASE (the server checks that it
 * comes from the lease's address): then it holds no set, and none of the
 * quota of whoever gets that prefix next, as PCP's release first does.
 */
static void release_left(struct dhcp4o6_client *c)
{
	char a4[FMT_IPV4_LEN], a6[FMT_IPV6_LEN];

	c->n.moves_nak++;
	if (!c->left_usable || !c->have_lease)
		return;
	log_info("RELEASE of %s from %s, the address we left",
		 fmt_ipv4(c->lease.ipv4, a4), fmt_ipv6(&c->left, a6));
	c->xid = rand32();
	send_query_from(c, DHCP4_RELEASE, &c->lease.server6, true, &c->left);
	c->n.moves_released++;
	c->left_usable = false;
}

static void on_response(struct dhcp4o6_client *c, const struct dhcp6_msg *m6,
			const struct in6_addr *from)
{
	struct dhcp4_msg m;
	char a4[FMT_IPV4_LEN];

	if (!m6->dhcpv4 || dhcp4_parse(m6->dhcpv4, m6->dhcpv4_len, &m)) {
		c->n.malformed++;
		if (log_limit_ok(&c->ll))
			log_info("a DHCPV4-RESPONSE without a well-formed DHCPv4 message: ignored");
		return;
	}
	c->n.in4[m.type % D4_NTYPES]++;
	if (!ours4(c, &m)) {
		c->n.ignored++;
		if (log_limit_ok(&c->ll))
			log_info("ignored a DHCPv4 %s that answers no exchange of ours (%llu so far)",
				 dhcp4_type_name(m.type),
				 (unsigned long long)c->n.ignored);
		return;
	}
	log_debug("DHCPV4-RESPONSE %s xid %08x yiaddr %s",
		  dhcp4_type_name(m.type), m.xid, fmt_ipv4(m.yiaddr, a4));
	switch (m.type) {
	case DHCP4_OFFER:
		if (c->state != D4_INIT || !m.yiaddr || !m.has_server_id)
			break;
		c->offered = m.yiaddr;
		c->offer_server = m.server_id;
		timer_cancel(&c->retrans);
		set_state(c, D4_REQUESTING);
		start_exchange(c);
		return;
	case DHCP4_ACK:
		if (c->state == D4_INIT)
			break;
		if (c->state == D4_REQUESTING && m.yiaddr != c->offered)
			break;
		on_ack(c, &m, from);
		return;
	case DHCP4_NAK:
		if (c->state == D4_INIT)
			break;
		if (c->state == D4_MOVING)
			release_left(c);
		log_notice("DHCPv4 NAK%s%.*s: starting over with DISCOVER",
			   m.message ? ": " : "", m.message ? m.message_len : 0,
			   m.message ? (const char *)m.message : "");
		timer_cancel(&c->retrans);
		deconfigure(c, "the server said NAK");
		c->have_lease = false;
		c->ops.save(NULL, c->ops.arg);
		begin_discover(c);
		return;
	default:
		break;
	}
	c->n.ignored++;
	if (log_limit_ok(&c->ll))
		log_info("ignored a DHCPv4 %s in state %s",
			 dhcp4_type_name(m.type), dhcp4o6_state_name(c->state));
}

void dhcp4o6_client_input(struct dhcp4o6_client *c, const uint8_t *buf,
			  size_t len, const struct in6_addr *from)
{
	struct dhcp6_msg m;

	if (dhcp6_parse(buf, len, &m)) {
		c->n.malformed++;
		if (log_limit_ok(&c->ll))
			log_info("a malformed DHCPv6 message on port 546: ignored");
		return;
	}
	c->n.in6[m.type & 31]++;
	if (c->state == D4_PCP || c->state == D4_IDLE) {
		c->n.ignored++;
		return;
	}
	if (m.type == DHCP6_REPLY)
		on_reply(c, &m);
	else if (m.type == DHCP6_DHCPV4_RESPONSE)
		on_response(c, &m, from);
	else
		c->n.ignored++;
}

void dhcp4o6_client_no_binding(struct dhcp4o6_client *c,
			       const struct in6_addr *from, uint32_t ipv4)
{
	char a6[FMT_IPV6_LEN], a4[FMT_IPV4_LEN];
	int64_t now = loop_now_ms();

	/*
	 * A 1/5 proves nothing (the module checks that it came from the
	 * softwire's remote, which a forger can claim too), so it never
	 * unbinds: it makes us ask, and only the answer to our REQUEST (its
	 * xid, chaddr, client id) changes the lease.  A flood costs the
	 * servers one REQUEST per DHCP4O6_REVALIDATE_MS.  In REBINDING or
	 * REVALIDATING a broadcast REQUEST is in flight already, in INIT and
	 * REQUESTING a DISCOVER's exchange: their answers tell us the same.
	 * RENEWING's REQUEST goes to the lease's server, maybe the failed
	 * one: replaced by the re-validation.
	 */
	if (!c->have_lease || !c->configured || ipv4 != c->lease.ipv4)
		return;
	c->n.no_binding++;
	if ((c->state != D4_BOUND && c->state != D4_RENEWING) ||
	    (c->revalidated_ms &&
	     now - c->revalidated_ms < DHCP4O6_REVALIDATE_MS))
		return;
	c->revalidated_ms = now;
	c->n.revalidations++;
	log_notice("ICMPv6 1/5 from %s about %s: asking the DHCPv4 servers whether the lease still holds",
		   fmt_ipv6(from, a6), fmt_ipv4(ipv4, a4));
	timer_cancel(&c->retrans);
	c->xid = rand32();
	set_state(c, D4_REVALIDATING);
	start_exchange(c);
}

int dhcp4o6_client_renumbered(struct dhcp4o6_client *c,
			      const struct in6_addr *from,
			      const struct in6_addr *to, bool from_usable)
{
	char a6[FMT_IPV6_LEN], a4[FMT_IPV4_LEN];
	int err;

	if (c->state == D4_S46 || c->state == D4_PCP)
		return -EPERM;
	if ((err = c->ops.set_ends(to, NULL, c->ops.arg)))
		return err;
	c->source = *to;
	c->n.moves++;
	switch (c->state) {
	case D4_INIT:
	case D4_REQUESTING:
		log_notice("softwire source now %s: DISCOVER from there",
			   fmt_ipv6(to, a6));
		timer_cancel(&c->retrans);
		begin_discover(c);
		return 0;
	case D4_REBOOTING:
	case D4_BOUND:
	case D4_RENEWING:
	case D4_REBINDING:
	case D4_REVALIDATING:
	case D4_MOVING:
		if (!c->have_lease)
			break;
		/*
		 * RENEWING's form, the server that holds the lease being the
		 * one that can move it; INIT-REBOOT's lease is as good (the
		 * file's source was ours).  A new xid: a late answer to what
		 * the old address asked is no answer to this.
		 */
		log_notice("softwire source now %s: asking to keep %s there",
			   fmt_ipv6(to, a6), fmt_ipv4(c->lease.ipv4, a4));
		/* moving on from a move: the lease is still at the first */
		if (c->state != D4_MOVING) {
			c->left = *from;
			c->left_usable = from_usable;
		} else if (!memcmp(&c->left, to, sizeof(*to))) {
			c->left_usable = false;	/* back there: nothing to release */
		}
		timer_cancel(&c->retrans);
		c->xid = rand32();
		set_state(c, D4_MOVING);
		start_exchange(c);
		return 0;
	default:
		break;
	}
	/* Information-request (its Reply leads on from c->source), idle */
	log_notice("softwire source now %s", fmt_ipv6(to, a6));
	return 0;
}

/* --- life ------------------------------------------------------------------ */

void dhcp4o6_client_init(struct dhcp4o6_client *c,
			 const struct dhcp4o6_client_ops *ops,
			 const uint8_t mac[6], const struct in6_addr *source,
			 bool auto_mode)
{
	memset(c, 0, sizeof(*c));
	c->ops = *ops;
	c->auto_mode = auto_mode;
	memcpy(c->mac, mac, 6);
	c->source = *source;
	c->duid_len = dhcp6_duid_ll(mac, c->duid);
	/* RFC 4361: 255, IAID, DUID */
	c->client_id[0] = 255;
	c->client_id[4] = 1;
	memcpy(c->client_id + 5, c->duid, 10);
	c->ll.burst = 5;
	timer_init(&c->retrans, on_retrans);
	timer_init(&c->t1, on_t1);
	timer_init(&c->t2, on_t2);
	timer_init(&c->expire, on_expire);
	timer_init(&c->refresh, on_refresh);
}

void dhcp4o6_client_start(struct dhcp4o6_client *c)
{
	begin_info(c);
}

void dhcp4o6_client_stop(struct dhcp4o6_client *c)
{
	timer_cancel(&c->retrans);
	timer_cancel(&c->refresh);
	cancel_lease_timers(c);
}

void dhcp4o6_client_release(struct dhcp4o6_client *c)
{
	char a4[FMT_IPV4_LEN];

	dhcp4o6_client_stop(c);
	/* an installed lease, also one a re-validation left in doubt */
	if (c->have_lease && c->configured) {
		log_info("RELEASE of %s", fmt_ipv4(c->lease.ipv4, a4));
		c->xid = rand32();
		send_query(c, DHCP4_RELEASE, &c->lease.server6, true);
		deconfigure(c, "released");
		c->have_lease = false;
		c->ops.save(NULL, c->ops.arg);
	}
	set_state(c, D4_IDLE);
}

void dhcp4o6_client_log_counters(const struct dhcp4o6_client *c)
{
	const struct dhcp4o6_counters *n = &c->n;

	log_notice("DHCPv4-over-DHCPv6 client: state %s; sent %llu INFORMATION-REQUEST, %llu DHCPV4-QUERY (%llu DISCOVER, %llu REQUEST, %llu RELEASE); received %llu REPLY, %llu DHCPV4-RESPONSE (%llu OFFER, %llu ACK, %llu NAK); %llu ignored, %llu malformed, %llu state changes",
		   dhcp4o6_state_name(c->state),
		   (unsigned long long)n->out6[DHCP6_INFORMATION_REQUEST],
		   (unsigned long long)n->out6[DHCP6_DHCPV4_QUERY],
		   (unsigned long long)n->out4[DHCP4_DISCOVER],
		   (unsigned long long)n->out4[DHCP4_REQUEST],
		   (unsigned long long)n->out4[DHCP4_RELEASE],
		   (unsigned long long)n->in6[DHCP6_REPLY],
		   (unsigned long long)n->in6[DHCP6_DHCPV4_RESPONSE],
		   (unsigned long long)n->in4[DHCP4_OFFER],
		   (unsigned long long)n->in4[DHCP4_ACK],
		   (unsigned long long)n->in4[DHCP4_NAK],
		   (unsigned long long)n->ignored,
		   (unsigned long long)n->malformed,
		   (unsigned long long)n->state_changes);
	log_notice("DHCPv4-over-DHCPv6 client: %llu ICMPv6 1/5 about our address, %llu re-validations, %llu of them unanswered",
		   (unsigned long long)n->no_binding,
		   (unsigned long long)n->revalidations,
		   (unsigned long long)n->revalidate_unanswered);
	log_notice("DHCPv4-over-DHCPv6 client: %llu moves to a new softwire source: %llu leases kept, %llu NAKed (%llu released from the old source), %llu unanswered",
		   (unsigned long long)n->moves,
		   (unsigned long long)n->moves_kept,
		   (unsigned long long)n->moves_nak,
		   (unsigned long long)n->moves_released,
		   (unsigned long long)n->moves_unanswered);
}

/* --- the lease file --------------------------------------------------------- */

int dhcp4o6_lease_write(const char *path, const struct dhcp4o6_lease *l)
{
	char tmp[4096], a4[FMT_IPV4_LEN], s4[FMT_IPV4_LEN];
	char a6[FMT_IPV6_LEN], b6[FMT_IPV6_LEN];
	FILE *f;
	int err = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	fprintf(f, "# lw4o6d DHCPv4-over-DHCPv6 lease; rewritten at every ACK\n"
		"version 1\naddress %s\npsid %u/%u\noffset %u\nserver-id %s\n"
		"server6 %s\nsource %s\nlease-time %u\nt1 %u\nt2 %u\n"
		"obtained %lld\n",
		fmt_ipv4(l->ipv4, a4), l->psid, l->psid_len, l->offset,
		fmt_ipv4(l->server_id, s4), fmt_ipv6(&l->server6, a6),
		fmt_ipv6(&l->source, b6), l->lease_time, l->t1, l->t2,
		(long long)l->obtained);
	if (fflush(f) || fsync(fileno(f)))
		err = -errno;
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

static bool u32_of(const char *s, uint32_t *v)
{
	char *end;
	unsigned long long x;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno || *end || x > UINT32_MAX)
		return false;
	*v = (uint32_t)x;
	return true;
}

int dhcp4o6_lease_read(const char *path, struct dhcp4o6_lease *l)
{
	enum { F_VER = 1, F_ADDR = 2, F_PSID = 4, F_OFF = 8, F_SID = 16,
	       F_S6 = 32, F_SRC = 64, F_LT = 128, F_T1 = 256, F_T2 = 512,
	       F_OBT = 1024, F_ALL = 2047 };
	char line[256], key[32], val[128];
	unsigned int seen = 0, lineno = 0;
	FILE *f = fopen(path, "re");
	struct in_addr a;
	uint32_t v, k;
	int bad = 0;

	if (!f)
		return errno == ENOENT ? -ENOENT : -errno;
	memset(l, 0, sizeof(*l));
	while (fgets(line, sizeof(line), f)) {
		char extra;

		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (!strchr(line, '\n') ||
		    sscanf(line, "%31s %127s %c", key, val, &extra) != 2) {
			bad = (int)lineno;
			break;
		}
		if (!strcmp(key, "version") && !strcmp(val, "1")) {
			seen |= F_VER;
		} else if (!strcmp(key, "address") &&
			   inet_pton(AF_INET, val, &a) == 1 && a.s_addr) {
			l->ipv4 = a.s_addr;
			seen |= F_ADDR;
		} else if (!strcmp(key, "psid") &&
			   sscanf(val, "%u/%u%c", &v, &k, &extra) == 2 &&
			   k <= 16 && v < (1u << k)) {
			l->psid = (uint16_t)v;
			l->psid_len = (uint8_t)k;
			seen |= F_PSID;
		} else if (!strcmp(key, "offset") && u32_of(val, &v) && v < 16) {
			l->offset = (uint8_t)v;
			seen |= F_OFF;
		} else if (!strcmp(key, "server-id") &&
			   inet_pton(AF_INET, val, &a) == 1) {
			l->server_id = a.s_addr;
			seen |= F_SID;
		} else if (!strcmp(key, "server6") &&
			   inet_pton(AF_INET6, val, &l->server6) == 1) {
			seen |= F_S6;
		} else if (!strcmp(key, "source") &&
			   inet_pton(AF_INET6, val, &l->source) == 1) {
			seen |= F_SRC;
		} else if (!strcmp(key, "lease-time") && u32_of(val, &l->lease_time) &&
			   l->lease_time) {
			seen |= F_LT;
		} else if (!strcmp(key, "t1") && u32_of(val, &l->t1)) {
			seen |= F_T1;
		} else if (!strcmp(key, "t2") && u32_of(val, &l->t2)) {
			seen |= F_T2;
		} else if (!strcmp(key, "obtained") && u32_of(val, &v)) {
			l->obtained = v;
			seen |= F_OBT;
		} else {
			bad = (int)lineno;
			break;
		}
	}
	fclose(f);
	if (!bad && seen != F_ALL)
		bad = -1;
	if (!bad && (l->offset + l->psid_len > 16 || l->t1 > l->t2 ||
		     l->t2 > l->lease_time))
		bad = -1;
	if (bad) {
		if (bad > 0)
			log_warn("%s:%d: not a lease line; the lease file is ignored",
				 path, bad);
		else
			log_warn("%s: incomplete or inconsistent lease; ignored", path);
		memset(l, 0, sizeof(*l));
		return -EINVAL;
	}
	return 0;
}
