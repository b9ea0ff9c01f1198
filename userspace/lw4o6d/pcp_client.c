// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The lwB4's PCP client: it asks the AFTR for a port set with a MAP
 * request carrying PORT_SET, installs what is granted as the b4 device's
 * binding, and keeps it: renewal at one half to five eighths of the
 * lifetime, RFC 6887 8.1.1 retransmission, the epoch check of 8.5 (a
 * server that lost its state gets our mapping re-created), unsolicited
 * ANNOUNCE, and the module's icmp-no-binding event (the AFTR may no longer
 * have our binding: ask it, with a MAP).  At start it reads back what the
 * AFTR still holds for it with GET (draft-boucadair-pcp-failure) before
 * asking for anything new, so a restarted B4 keeps its set and its nonce;
 * it does the same when a MAP is refused NOT_AUTHORIZED (someone else, from
 * our address, created our mapping first: we take it over).
 *
 * Only answers to the request in flight are acted on (opcode and nonce,
 * which an off-path sender cannot know), so a forged answer or 1/5 can at
 * most make us send a renewal.
 *
 * No I/O here: b4.c owns the socket and the device (pcp_client.h).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/random.h>

#include <lw4o6/psid.h>

#include "log.h"
#include "pcp_client.h"
#include "strconv.h"
#include "wire.h"

/* RFC 6887 8.1.1 */
#define IRT_MS	3000
#define MRT_MS	1024000

#define CLIENT_OF(t, member) \
	((struct pcp_client *)((char *)(t) - offsetof(struct pcp_client, member)))

/*
 * Random bytes for nonces and keys.  getrandom() of so few bytes fails only
 * when a signal interrupts its wait for the kernel's pool at boot: ask again.
 */
static void random_fill(void *buf, size_t len)
{
	while (getrandom(buf, len, 0) < 0 && errno == EINTR)
		;
}

static uint32_t rand32(void)
{
	uint32_t r = 0;

	random_fill(&r, sizeof(r));
	return r;
}

static double rand_pm10(void)
{
	return ((double)rand32() / 4294967295.0 - 0.5) * 0.2;	/* [-0.1, 0.1] */
}

int64_t pcp_client_renew_ms(uint32_t lifetime, uint32_t r)
{
	return (int64_t)lifetime * 500 +
	       (int64_t)((double)lifetime * 125.0 * ((double)r / 4294967295.0));
}

bool pcp_epoch_check(struct pcp_epoch *e, uint32_t server, int64_t client)
{
	int64_t cd, sd;
	bool ok = true;

	if (e->have) {
		cd = client - e->prev_client;
		sd = (int64_t)server - (int64_t)e->prev_server;
		if ((int64_t)server + 1 < (int64_t)e->prev_server ||
		    cd + 2 < sd - sd / 16 || sd + 2 < cd - cd / 16)
			ok = false;
	}
	e->have = true;
	e->prev_server = server;
	e->prev_client = client;
	return ok;
}

static void publish(struct pcp_client *c)
{
	size_t i;

	for (i = 0; i < c->n_listeners; i++)
		c->listeners[i].fn(c->bound ? &c->b : NULL,
				   c->listeners[i].arg);
}

int pcp_client_listen(struct pcp_client *c, b4_binding_fn fn, void *arg)
{
	if (c->n_listeners == PCP_CLIENT_MAX_LISTENERS)
		return -ENOSPC;
	c->listeners[c->n_listeners].fn = fn;
	c->listeners[c->n_listeners].arg = arg;
	c->n_listeners++;
	fn(c->bound ? &c->b : NULL, arg);
	return 0;
}

/* Starts a new exchange: first send now, then RFC 6887 8.1.1 backoff. */
static void start_exchange(struct pcp_client *c, const struct pcp_msg *m)
{
	c->req_opcode = m->opcode;
	memcpy(c->req_nonce, m->nonce, sizeof(c->req_nonce));
	c->revalidating = false;
	c->req_len = pcp_build(m, c->req, sizeof(c->req));
	c->probing = false;
	c->rt = (int64_t)((1 + rand_pm10()) * IRT_MS);
	c->unanswered++;
	c->ops.send(c->req, c->req_len, c->ops.arg);
	timer_arm(&c->retrans, c->rt);
}

static void send_get(struct pcp_client *c);

/*
 * At another AFTR: start over there by reading back what it holds for us
 * (a shared store has our mapping, nonce and all).  The binding stays in
 * the device meanwhile: an lwAFTR that mirrors the store forwards for it
 * already.
 */
static void moved(struct pcp_client *c)
{
	c->n_failovers++;
	c->unanswered = 0;
	c->probing = false;
	timer_cancel(&c->recreate);
	c->epoch.have = false;		/* another server, another epoch */
	c->revalidated_ms = 0;
	send_get(c);
}

/* The AFTR failed us: true if there was another to move to. */
static bool fail_over(struct pcp_client *c, const char *why)
{
	if (!c->ops.failover || !c->ops.failover(why, c->ops.arg))
		return false;
	moved(c);
	return true;
}

void pcp_client_moved(struct pcp_client *c)
{
	if (c->leaving)
		return;		/* the move to the new address asks anew */
	timer_cancel(&c->retrans);
	moved(c);
}

static void on_retrans(struct timer *t)
{
	struct pcp_client *c = CLIENT_OF(t, retrans);
	int64_t max = (int64_t)((1 + rand_pm10()) * MRT_MS);

	if (c->probing && c->unanswered >= PCP_CLIENT_PROBE_TRIES) {
		c->probing = false;	/* over; with nowhere to go, on as before */
		if (fail_over(c, "a router has no route to it, and it does not answer"))
			return;
	}
	if (c->unanswered >= PCP_CLIENT_FAILOVER_TRIES &&
	    fail_over(c, "no answer"))
		return;
	c->unanswered++;
	if (c->probing) {
		/* quick, and no backoff: the probe is two requests long */
		c->ops.send(c->req, c->req_len, c->ops.arg);
		timer_arm(t, PCP_CLIENT_PROBE_MS);
		return;
	}

	c->rt = (int64_t)(2 * c->rt * (1 + rand_pm10()));
	if (c->rt > max)
		c->rt = max;
	log_debug("no answer: retransmitting in %lld ms", (long long)c->rt);
	c->ops.send(c->req, c->req_len, c->ops.arg);
	timer_arm(t, c->rt);
}

static void request_header(struct pcp_client *c, struct pcp_msg *m,
			   uint8_t opcode)
{
	memset(m, 0, sizeof(*m));
	m->version = PCP_VERSION;
	m->opcode = opcode;
	m->client = c->client;
}

static void send_get(struct pcp_client *c)
{
	struct pcp_msg m;

	request_header(c, &m, PCP_OP_GET);
	random_fill(c->get_nonce, sizeof(c->get_nonce));
	memcpy(m.nonce, c->get_nonce, sizeof(m.nonce));
	c->state = PCP_CLIENT_GET;
	log_info("asking the AFTR for the mappings it holds for us (GET)");
	start_exchange(c, &m);
}

static void send_map(struct pcp_client *c)
{
	struct pcp_msg m;

	request_header(c, &m, PCP_OP_MAP);
	m.lifetime = c->lifetime;
	memcpy(m.nonce, c->nonce, sizeof(m.nonce));
	m.protocol = 0;			/* all protocols ... */
	m.internal_port = 0;		/* ... all ports: a port set */
	/* The set we had, if any: the AFTR gives it back when it can. */
	pcp_v4mapped(c->b.ipv4, &m.external);
	if (c->b.ipv4)
		m.external_port = lw4o6_range_first(0, c->b.offset,
						    c->b.psid_len,
						    c->b.psid) ?: 1;
	m.port_set.present = true;
	m.port_set.size = c->port_set_size;
	/*
	 * No PORT_PARAMS of our own: the AFTR adds it to sets that need it
	 * (offset > 0), and Wireshark 4.0 reads an unknown option's data as
	 * the next option, calling every message that carries it malformed.
	 */
	if (c->state != PCP_CLIENT_BOUND)
		c->state = PCP_CLIENT_MAP;
	start_exchange(c, &m);
}

/*
 * Our mapping deleted (lifetime 0), sent once from where we are now, no
 * answer awaited: the B4 is leaving this address (b4_uplink.c), and an
 * answer, should it come, could only tell us what we do next anyway.
 */
void pcp_client_release(struct pcp_client *c)
{
	uint8_t buf[PCP_MAX_LEN];
	struct pcp_msg m;
	size_t len;

	if (!c->bound)
		return;
	request_header(c, &m, PCP_OP_MAP);
	m.lifetime = 0;
	memcpy(m.nonce, c->nonce, sizeof(m.nonce));
	pcp_v4mapped(c->b.ipv4, &m.external);
	m.port_set.present = true;
	m.port_set.size = c->port_set_size;
	len = pcp_build(&m, buf, sizeof(buf));
	c->ops.send(buf, len, c->ops.arg);
	c->n_released++;
	/*
	 * Nothing more from this address: a renewal, a retransmission or a
	 * 1/5's re-validation would re-create the mapping just deleted (and
	 * its late answer pass for the MAP from the new address).
	 */
	c->leaving = true;
	timer_cancel(&c->retrans);
	timer_cancel(&c->renew);
	timer_cancel(&c->recreate);
	log_info("released our mapping at the address we leave");
}

void pcp_client_renumbered(struct pcp_client *c, const struct in6_addr *client)
{
	if (client)
		c->client = *client;
	c->leaving = false;
	c->n_renumbered++;
	c->unanswered = 0;
	timer_cancel(&c->retrans);
	timer_cancel(&c->recreate);
	/*
	 * The same nonce, naming our set: the AFTR moves the mapping when
	 * it can (same subscriber), else grants one here.  A GET in flight
	 * started over as a MAP is no loss: the MAP answers it.
	 */
	send_map(c);
}

static void unbind(struct pcp_client *c, const char *why)
{
	timer_cancel(&c->renew);
	timer_cancel(&c->expire);
	if (!c->bound)
		return;
	c->bound = false;
	c->ops.install(NULL, c->ops.arg);
	log_notice("binding dropped: %s", why);
	publish(c);
}

static void on_expire(struct timer *t)
{
	struct pcp_client *c = CLIENT_OF(t, expire);

	unbind(c, "it expired without a renewal");
	c->state = PCP_CLIENT_MAP;
	if (!c->retrans.armed)
		send_map(c);
}

static void on_renew(struct timer *t)
{
	log_debug("renewing");
	send_map(CLIENT_OF(t, renew));
}

static void on_recreate(struct timer *t)
{
	send_map(CLIENT_OF(t, recreate));
}

static void bind_set(struct pcp_client *c, const struct b4_binding *b,
		     uint32_t lifetime)
{
	char a4[FMT_IPV4_LEN];
	bool changed = !c->bound || memcmp(b, &c->b, sizeof(*b));

	if (changed) {
		if (c->ops.install(b, c->ops.arg))
			return;
		log_notice("bound: %s psid %u/%u offset %u (%u ports) for %us",
			   fmt_ipv4(b->ipv4, a4), b->psid, b->psid_len,
			   b->offset, lw4o6_set_size(b->offset, b->psid_len),
			   lifetime);
	} else {
		log_info("renewed for %us", lifetime);
	}
	c->bound = true;
	c->b = *b;
	c->state = PCP_CLIENT_BOUND;
	timer_arm(&c->renew, pcp_client_renew_ms(lifetime, rand32()));
	timer_arm(&c->expire, (int64_t)lifetime * 1000);
	if (changed)
		publish(c);
}

static void lost_state(struct pcp_client *c, const char *how)
{
	log_notice("the AFTR lost its state (%s): re-creating our mapping", how);
	/* RFC 6887 14.1.1: after a random 0-5 s, so B4s do not stampede */
	timer_arm(&c->recreate, rand32() % 5000);
}

/* The set a success answer grants; false if there is none we understand. */
static bool granted(const struct pcp_msg *m, struct b4_binding *b)
{
	memset(b, 0, sizeof(*b));
	return pcp_is_v4mapped(&m->external, &b->ipv4) &&
	       !portset_from_pcp(m, &b->psid, &b->psid_len, &b->offset);
}

static void on_map_answer(struct pcp_client *c, const struct pcp_msg *m)
{
	bool revalidating = c->revalidating;
	struct b4_binding b;

	if (m->protocol || m->internal_port)
		return;		/* not ours (RFC 6887 11.3) */
	timer_cancel(&c->retrans);
	c->revalidating = false;
	if (m->result != PCP_SUCCESS) {
		uint32_t wait = m->lifetime < 30 ? 30 : m->lifetime;
		int64_t now = loop_now_ms();

		if (m->result == PCP_NOT_AUTHORIZED &&
		    (!c->recovered_ms ||
		     now - c->recovered_ms >= PCP_CLIENT_RECOVER_MS)) {
			/*
			 * Somebody else's nonce holds our key: someone who
			 * sent from our address first.  It is our mapping
			 * (the key is our address): read it back and adopt
			 * it, nonce and all, rather than wait for it to go.
			 */
			c->recovered_ms = now;
			log_notice("the AFTR refused: %s; reading our mapping back",
				   pcp_result_name(m->result));
			send_get(c);
			return;
		}
		if (m->result == PCP_NETWORK_FAILURE &&
		    fail_over(c, "it answered NETWORK_FAILURE"))
			return;
		log_warn("the AFTR refused: %s; asking again in %us",
			 pcp_result_name(m->result), wait);
		if (m->result == PCP_NOT_AUTHORIZED) {
			/* GET did not give it to us just now: start afresh */
			random_fill(c->nonce, sizeof(c->nonce));
		} else if (revalidating && m->result != PCP_NETWORK_FAILURE) {
			/*
			 * Asked after a 1/5 whether it holds our mapping, the
			 * AFTR (with our nonce, so really the AFTR) neither
			 * renewed nor re-created it: it is gone.
			 */
			unbind(c, "the AFTR no longer holds our mapping");
			c->state = PCP_CLIENT_MAP;
			if (fail_over(c, "after an ICMPv6 1/5 it no longer held our mapping"))
				return;
		}
		timer_arm(&c->recreate, (int64_t)wait * 1000);
		return;
	}
	if (!granted(m, &b) || !b.ipv4 || !m->lifetime) {
		log_warn("the AFTR's answer grants no port set we understand; asking again in 30s");
		timer_arm(&c->recreate, 30000);
		return;
	}
	bind_set(c, &b, m->lifetime);
}

static void on_get_answer(struct pcp_client *c, const struct pcp_msg *m)
{
	struct b4_binding b;

	timer_cancel(&c->retrans);
	c->state = PCP_CLIENT_MAP;
	if (c->bound)
		c->state = PCP_CLIENT_BOUND;
	if (m->result != PCP_SUCCESS || !m->next.present || !m->lifetime) {
		if (m->result != PCP_SUCCESS)
			log_info("GET: %s; asking for a new set",
				 pcp_result_name(m->result));
		else
			log_info("GET: the AFTR holds nothing for us; asking for a set");
		send_map(c);
		return;
	}
	if (m->protocol || m->internal_port || !granted(m, &b)) {
		if (m->next.more) {
			struct pcp_msg g;

			request_header(c, &g, PCP_OP_GET);
			memcpy(g.nonce, c->get_nonce, sizeof(g.nonce));
			c->state = PCP_CLIENT_GET;
			g.next = m->next;
			g.next.more = false;
			start_exchange(c, &g);
			return;
		}
		send_map(c);
		return;
	}
	/*
	 * Ours: take its nonce (NEXT carries it; the header's is our GET's),
	 * so that renewals are ours to make.
	 */
	memcpy(c->nonce, m->next.nonce, sizeof(c->nonce));
	log_notice("recovered our mapping from the AFTR by GET");
	bind_set(c, &b, m->lifetime);
	/* Renew now: the lifetime left may be short, and it confirms the nonce. */
	send_map(c);
}

/* An answer to the request in flight: its opcode, its nonce. */
static bool answers_ours(const struct pcp_client *c, const struct pcp_msg *m)
{
	return c->retrans.armed && m->opcode == c->req_opcode &&
	       !memcmp(m->nonce, c->req_nonce, sizeof(c->req_nonce));
}

void pcp_client_input(struct pcp_client *c, const uint8_t *buf, size_t len)
{
	struct pcp_msg m;

	if (pcp_parse(buf, len, &m) || !m.response)
		return;
	if (m.opcode == PCP_OP_ANNOUNCE) {
		/*
		 * Unsolicited by design (RFC 6887 14.1.3); the worst a forged
		 * one does is make us renew.
		 */
		if (!pcp_epoch_check(&c->epoch, m.epoch, loop_now_ms() / 1000))
			lost_state(c, "ANNOUNCE with a new epoch");
		else
			log_debug("ANNOUNCE, epoch %u: nothing lost", m.epoch);
		return;
	}
	/* A release's answer (lifetime 0): nothing to do, nothing forged. */
	if (m.opcode == PCP_OP_MAP && m.result == PCP_SUCCESS && !m.lifetime &&
	    !memcmp(m.nonce, c->nonce, sizeof(c->nonce))) {
		log_debug("the AFTR confirmed the release");
		return;
	}
	if (!answers_ours(c, &m)) {
		/* A late duplicate, or forged: it names no request of ours. */
		c->n_ignored++;
		if (log_limit_ok(&c->ll))
			log_info("ignored a %s answer that matches no request in flight (%llu so far)",
				 pcp_opcode_name(m.opcode),
				 (unsigned long long)c->n_ignored);
		return;
	}
	c->unanswered = 0;	/* the AFTR answers */
	c->probing = false;
	if (!pcp_epoch_check(&c->epoch, m.epoch, loop_now_ms() / 1000) &&
	    c->state == PCP_CLIENT_BOUND && m.opcode == PCP_OP_MAP &&
	    m.result == PCP_SUCCESS) {
		/* The answer itself re-created it. */
		log_notice("the AFTR's epoch went back: our mapping was re-created");
	}
	if (m.opcode == PCP_OP_MAP)
		on_map_answer(c, &m);
	else if (m.opcode == PCP_OP_GET)
		on_get_answer(c, &m);
}

void pcp_client_no_binding(struct pcp_client *c, const struct in6_addr *from,
			   uint32_t ipv4)
{
	char a6[FMT_IPV6_LEN];
	int64_t now = loop_now_ms();

	/*
	 * A 1/5 proves nothing: anyone can send one (the module checks what
	 * it can, not that it came from the AFTR).  So it never unbinds; it
	 * makes us renew, and the AFTR's answer to that MAP, tied to our
	 * nonce, re-creates the mapping if the AFTR lost it, moves us if it
	 * must, or refuses (on_map_answer()).  Once unbound we are asking
	 * already; an exchange in flight will tell us the same; and a flood
	 * of them costs the AFTR one request per PCP_CLIENT_REVALIDATE_MS.
	 */
	if (!c->bound || ipv4 != c->b.ipv4 || c->leaving)
		return;
	c->n_no_binding++;
	if (c->retrans.armed || (c->revalidated_ms &&
	    now - c->revalidated_ms < PCP_CLIENT_REVALIDATE_MS))
		return;
	c->revalidated_ms = now;
	c->n_revalidations++;
	log_notice("ICMPv6 1/5 from %s about our data: asking the AFTR whether it still holds our mapping",
		   fmt_ipv6(from, a6));
	send_map(c);
	c->revalidating = true;
}

void pcp_client_unreachable(struct pcp_client *c, const struct in6_addr *from)
{
	char a6[FMT_IPV6_LEN];
	int64_t now = loop_now_ms();

	/*
	 * As a 1/5 (above): anyone can send a 1/0, so it only makes us ask
	 * the AFTR, now and with a short timeout; the AFTR's answer keeps
	 * us where we are, its silence moves us.  A flood costs the AFTR a
	 * request per PCP_CLIENT_REVALIDATE_MS.  Unbound, we are asking
	 * already (and fail over on the usual count); leaving, we are quiet.
	 */
	if (!c->bound || c->leaving)
		return;
	c->n_unreachable++;
	if (c->probing || (c->probed_ms &&
	    now - c->probed_ms < PCP_CLIENT_REVALIDATE_MS))
		return;
	c->probed_ms = now;
	c->n_probes++;
	log_notice("ICMPv6 no route to the AFTR, from router %s: asking the AFTR whether it still answers",
		   fmt_ipv6(from, a6));
	if (!c->retrans.armed) {
		send_map(c);		/* a renewal */
	} else {
		/* the request in flight, again now (its answer will do) */
		c->ops.send(c->req, c->req_len, c->ops.arg);
		c->unanswered++;
	}
	c->probing = true;
	timer_arm(&c->retrans, PCP_CLIENT_PROBE_MS);
}

void pcp_client_init(struct pcp_client *c, const struct pcp_client_ops *ops,
		     const struct in6_addr *client, uint32_t lifetime,
		     uint16_t port_set_size)
{
	memset(c, 0, sizeof(*c));
	c->ops = *ops;
	c->client = *client;
	c->lifetime = lifetime;
	c->port_set_size = port_set_size;
	timer_init(&c->retrans, on_retrans);
	timer_init(&c->renew, on_renew);
	timer_init(&c->expire, on_expire);
	timer_init(&c->recreate, on_recreate);
	c->ll.burst = 5;
}

void pcp_client_adopt(struct pcp_client *c, const struct b4_binding *b)
{
	c->b = *b;
	c->bound = true;
	/* kept only as long as a grant would last, unless renewed */
	timer_arm(&c->expire, (int64_t)c->lifetime * 1000);
}

void pcp_client_start(struct pcp_client *c)
{
	random_fill(c->nonce, sizeof(c->nonce));
	send_get(c);
}

void pcp_client_stop(struct pcp_client *c)
{
	timer_cancel(&c->retrans);
	timer_cancel(&c->renew);
	timer_cancel(&c->expire);
	timer_cancel(&c->recreate);
}

void pcp_client_set_request(struct pcp_client *c, uint32_t lifetime,
			    uint16_t port_set_size)
{
	c->lifetime = lifetime;
	c->port_set_size = port_set_size;
}
