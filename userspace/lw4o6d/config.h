/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * lw4o6d.conf: one statement per line, "keyword value ...", '#' comments.
 * The grammar is in docs/lw4o6d.conf.5 and docs/lw4o6d.md; examples in
 * docs/examples/.  config_load() reads every line and reports every error
 * as "FILE:LINE: reason" through the callback, so --check-config lists
 * them all at once.
 */
#ifndef LW4O6D_CONFIG_H
#define LW4O6D_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>
#include <netinet/in.h>
#include "pool.h"

/* b4: "aftr ADDR ..." */
#define CONFIG_MAX_AFTRS	8
/* "aftr NAME": a DNS name (RFC 1035: 253 characters) and its NUL */
#define CONFIG_AFTR_NAME_LEN	254

#define CONFIG_MAX_POOLS 64
#define CONFIG_MAX_PATH 256
#define CONFIG_MAX_B4_ALLOW 64

enum lw4o6d_role { ROLE_NONE, ROLE_AFTR, ROLE_B4, ROLE_SERVER };

/* "redundancy hot|on-demand": which leases of a shared store this aftr installs */
enum lw4o6d_redundancy { REDUNDANCY_HOT, REDUNDANCY_ON_DEMAND };

#define CONFIG_MAX_NODE 64	/* with its NUL, as struct store's node[] */

/* How a B4 gets its binding: "provision pcp|dhcp4o6|auto" */
/*
 * How a b4 gets its binding: PCP, DHCPv4 over DHCPv6, DHCPv6 first then
 * PCP, or not at all ("none": a DS-Lite B4, or an lwB4 bound by hand;
 * lw4o6d keeps its AFTR, by BFD and the "aftr" list).
 */
enum lw4o6d_provision { PROVISION_PCP, PROVISION_DHCP4O6, PROVISION_AUTO,
			PROVISION_NONE };

#define CONFIG_MAX_DHCP_IFACES	8
#define CONFIG_MAX_RELAY	4
#define CONFIG_MAX_RELAY_PEERS	16
#define CONFIG_MAX_S46_BR	4
#define CONFIG_MAX_S46		256
#define CONFIG_DUID_MAX		130

/*
 * "s46-binding DUID IPV4 psid P/K [offset A] prefix IPV6/LEN": a client
 * (by DUID, hex with or without ':') given this binding in S46_CONT_LW
 * (RFC 7598) by the server role, deterministic provisioning.
 */
struct config_s46 {
	uint8_t duid[CONFIG_DUID_MAX];
	uint8_t duid_len;
	uint32_t ipv4;			/* network order */
	uint16_t psid;
	uint8_t psid_len, offset;
	uint8_t prefix_len;
	struct in6_addr prefix;
};

struct lw4o6d_config {
	enum lw4o6d_role role;
	int log_level;			/* syslog LOG_*; "log-level" err|warning|notice|info|debug */
	char device[IF_NAMESIZE];	/* "device NAME": the lw4o6 device we drive (required) */

	/* role aftr */
	char storage_path[CONFIG_MAX_PATH];	/* "storage sqlite PATH" (required) */
	char storage_kind[16];			/* "sqlite" or "postgresql" ("storage postgresql \"CONNINFO\"") */
	char node[CONFIG_MAX_NODE];	/* "node NAME": who writes to a shared store (default: host name) */
	enum lw4o6d_redundancy redundancy;	/* (default hot; on-demand needs a shared store) */
	/* the data-packet trigger (on-demand): see docs/lw4o6d.md, "Failover" */
	uint32_t miss_hold;		/* "miss-hold MS" 0..10000: default 300 on-demand, else 0 */
	bool miss_hold_set;
	uint32_t miss_queue;		/* "miss-queue N" 1..4096 packets held at once (default 256) */
	uint32_t miss_rate;		/* "miss-rate N [global M]": store lookups/s per prefix (default 10) */
	uint32_t miss_global_rate;	/*  and in all (default 1000) */
	uint32_t miss_plen;		/* "miss-prefix-len PLEN" (default 56) */
	uint32_t miss_negative_ttl;	/* "miss-negative-ttl S": a refused miss is remembered (default 10) */
	bool has_listen6;
	struct in6_addr listen6;	/* "listen ADDR": PCP over plain IPv6 (optional) */
	uint32_t lifetime_min;		/* "lifetime min N max N default N" (s) */
	uint32_t lifetime_max;		/*  defaults 120 / 86400 / 7200 */
	uint32_t lifetime_default;
	uint32_t quota;			/* "quota N": port sets per subscriber (default 1) */
	uint32_t rate;			/* "rate-limit N burst M": requests/s per subscriber (default 10, 20) */
	uint32_t burst;
	uint32_t subscriber_plen;	/* "subscriber-prefix-len N" (default 56) */
	uint32_t max_mappings;		/* "max-mappings N" (default 1048576) */
	uint32_t max_subscribers;	/* "max-subscribers N" (default 1048576) */
	uint32_t audit_retention;	/* "audit-retention DAYS" (default 400; 0: for ever) */
	size_t n_b4_allow;		/* "b4-prefix PREFIX/LEN", repeated: only these (default any) */
	struct in6_prefix b4_allow[CONFIG_MAX_B4_ALLOW];
	bool announce;			/* "announce yes|no" (default yes) */
	uint32_t announce_rate;		/* "announce-rate N": B4s a second (default 10000) */
	/*
	 * "anycast ADDR dev IFNAME [upstream PREFIX/LEN] [hold-down S]
	 * [drain-file PATH]": ADDR/128 is kept on IFNAME (a dummy that the
	 * routing daemon redistributes) only while this lwAFTR can serve
	 * (anycast.c; docs/failover.md).
	 */
	bool has_anycast;
	struct in6_addr anycast;
	char anycast_dev[IF_NAMESIZE];
	uint32_t upstream;		/* network order; default 0.0.0.0/0 */
	uint32_t upstream_plen;
	uint32_t hold_down;		/* s healthy before announcing again (default 5) */
	char drain_file[CONFIG_MAX_PATH];	/* (default /run/lw4o6d/drain) */

	/* DHCPv4-over-DHCPv6 (config_dhcp.c; role aftr and role server) */
	bool dhcp4o6;			/* "dhcp4o6 on|off": co-located 4o6 server (aftr; server: always) */
	size_t n_dhcp_ifaces;		/* "dhcp4o6-interface IFACE ...": ff02::1:2 on these */
	char dhcp_ifaces[CONFIG_MAX_DHCP_IFACES][IF_NAMESIZE];	/* (b4: its uplink, one) */
	size_t n_relay;			/* "relay SERVER-IPV6 ...": aftr relays to these instead */
	struct in6_addr relay[CONFIG_MAX_RELAY];
	size_t n_relay_peers;		/* "relay-peer IPV6 ...": relays a server trusts */
	struct in6_addr relay_peers[CONFIG_MAX_RELAY_PEERS];	/* (RELAY-FORW, bulk leasequery) */
	uint32_t decline_hold;		/* "decline-hold N" (s, default 600): a DECLINEd set rests */
	size_t n_s46_br;		/* "s46-br IPV6", repeated: the BRs of S46_CONT_LW */
	struct in6_addr s46_br[CONFIG_MAX_S46_BR];
	size_t n_s46;			/* "s46-binding ...", repeated */
	struct config_s46 s46[CONFIG_MAX_S46];
	size_t n_pools;
	struct pool_cfg pools[CONFIG_MAX_POOLS];
	/* "pool PREFIX/LEN psid-len K [offset A] [exclude ADDR ...]" */

	/* role b4 */
	bool has_server;
	struct in6_addr server;		/* "server ADDR": the AFTR (default: the device's remote) */
	bool transport_ipv6;		/* "transport softwire|ipv6" (default softwire) */
	char uplink[IF_NAMESIZE];	/* "uplink IFNAME": the softwire's source follows its addresses */
	size_t n_aftrs;			/* "aftr ADDR [ADDR ...]": AFTRs to fail over */
	struct in6_addr aftrs[CONFIG_MAX_AFTRS];	/*  between, in order (default: remote) */
	char aftr_name[CONFIG_AFTR_NAME_LEN];	/* "aftr NAME": its IPv6 addresses (b4_aftrs.c) */
	uint16_t port_set_size;		/* "port-set-size N" (default 65535: take what is granted) */
	uint32_t lifetime;		/* "lifetime N" asked for (default 7200) */
	bool proxy;			/* "proxy ADDR [ADDR ...]": answer LAN PCP MAP on these */
	size_t n_proxy;
	uint32_t proxy_addr[8];		/* network order */
	uint32_t proxy_lifetime_max;	/* "proxy-lifetime-max N" (default 7200) */
	uint32_t proxy_rate;		/* "proxy-rate-limit N burst M": requests/s per LAN host */
	uint32_t proxy_burst;		/*  (default 10, 20) */
	bool forward_guard;		/* "forward-guard yes|no" (default yes) */

	/* BFD inside the softwire (RFC 5881; bfd_session.c), b4 and aftr */
	bool bfd;			/* "bfd on|off" (default on) */
	uint32_t bfd_interval;		/* "bfd-interval MS": TX and RX (default 10000) */
	uint8_t bfd_mult;		/* "bfd-multiplier N" (default 3) */
	uint32_t bfd_max_sessions;	/* aftr: "bfd-max-sessions N" (default 1048576) */
	/* aftr: "bfd-state-file PATH" (default /var/lib/lw4o6d/bfd-DEVICE.state) */
	char bfd_state_file[CONFIG_MAX_PATH];
	enum lw4o6d_provision provision;	/* "provision pcp|dhcp4o6|auto" (default pcp) */
	char lease_file[CONFIG_MAX_PATH];	/* "lease-file PATH" (default /var/lib/lw4o6d/DEVICE.lease) */
};

/* One error: file, line (0: the file as a whole), reason. */
typedef void (*config_err_fn)(const char *file, unsigned int line,
			      const char *reason, void *arg);

/*
 * Fills *c with defaults, then the file.  Returns the number of errors
 * (each reported through err), or -errno if the file cannot be read (also
 * reported, line 0).  A file with errors leaves *c unusable.
 */
int config_load(const char *path, struct lw4o6d_config *c, config_err_fn err,
		void *arg);

const char *config_role_name(enum lw4o6d_role r);

#endif
