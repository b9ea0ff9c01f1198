// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * lw4o6d: provisions Lightweight 4over6 softwires over PCP, as the lwAFTR's
 * server or the lwB4's client (see lw4o6d(8)).  Runs in the foreground;
 * SIGHUP reloads the configuration, SIGTERM and SIGINT stop it, leaving
 * every binding installed and stored.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/signalfd.h>

#include <systemd/sd-journal.h>

#include "anycast.h"
#include "audit_command.h"
#include "b4.h"
#include "bfd_command.h"
#include "bfd_server.h"
#include "command_line.h"
#include "config.h"
#include "core.h"
#include "dhcp4o6_relay.h"
#include "dhcp4o6_server.h"
#include "ksync.h"
#include "leasequery.h"
#include "leases_command.h"
#include "log.h"
#include "loop.h"
#include "map_command.h"
#include "notify.h"
#include "ondemand.h"
#include "pcp_server.h"
#include "proxy.h"

#define DEFAULT_CONFIG "/etc/lw4o6d.conf"

static volatile sig_atomic_t stop;
static const char *config_path = DEFAULT_CONFIG;
static struct lw4o6d_config cfg;
static bool verbose;

static void usage(FILE *f)
{
	fputs("Usage: lw4o6d [ -f ] [ -c FILE ] [ --syslog ] [ --reset-epoch ] [ -v ]\n"
	      "       lw4o6d --check-config FILE\n"
	      "       lw4o6d map SERVER PROTO PORT [ ... ]   (one PCP MAP; lw4o6d map help)\n"
	      "       lw4o6d leases [ -c FILE ] [ -j ]   (the stored leases: PCP and DHCPv4-over-DHCPv6)\n"
	      "       lw4o6d audit { IPV4 [ port PORT ] | b4 IPV6 } [ at TIME ] [ -c FILE ] [ -j ]   (who held it)\n"
	      "       lw4o6d drain [ -c FILE ] { on | off | status }   (withdraw the anycast address)\n"
	      "       lw4o6d bfd [ -c FILE ] [ -j ]   (the running aftr's BFD sessions)\n"
	      "       lw4o6d { -h | --help | -V | --version }\n"
	      "  -c FILE          configuration (default " DEFAULT_CONFIG ")\n"
	      "  -f               run in the foreground (always the case)\n"
	      "  --check-config   report every error in FILE as FILE:LINE: reason\n"
	      "  --reset-epoch    aftr: forget every mapping, start a new PCP epoch\n"
	      "  --syslog         log to syslog instead of standard error\n"
	      "  -v               log at debug level\n"
	      "See lw4o6d(8) and lw4o6d.conf(5).\n", f);
}

static void log_cfg_err(const char *file, unsigned int line,
			const char *reason, void *arg)
{
	(void)arg;
	log_err("%s:%u: %s", file, line, reason);
}

static int check_config(const char *path)
{
	struct lw4o6d_config c;
	int n = command_line_config(path, &c);

	if (n)
		return 1;
	printf("%s: ok\n", path);
	return 0;
}

/*
 * SIGUSR1: every running component that keeps counters logs them.  A
 * component-agnostic hook: main.c registers what it started.
 */
#define MAX_DUMPERS 8
static void (*dumpers[MAX_DUMPERS])(void);
static size_t n_dumpers;

static void on_dump(void (*fn)(void))
{
	if (n_dumpers < MAX_DUMPERS)
		dumpers[n_dumpers++] = fn;
}

/* An aftr that only relays DHCP (relay, no pool) runs no core and no PCP. */
static bool aftr_has_core(const struct lw4o6d_config *c)
{
	return c->role != ROLE_AFTR || c->n_pools || !c->n_relay;
}

/*
 * SIGHUP: the file read again and applied, or, if it has an error or asks
 * for what only a restart can do, nothing changed and the error logged.
 * Returns 0 if applied.
 */
static int reload(void)
{
	struct lw4o6d_config c;

	log_notice("SIGHUP: reloading %s", config_path);
	if (config_load(config_path, &c, log_cfg_err, NULL)) {
		log_err("reload: %s has errors; nothing changed", config_path);
		return -1;
	}
	if (c.role != cfg.role) {
		log_err("reload: the role cannot change without a restart; nothing changed");
		return -1;
	}
	if (c.role == ROLE_AFTR && (c.n_relay != cfg.n_relay ||
				     aftr_has_core(&c) != aftr_has_core(&cfg))) {
		log_err("reload: relaying cannot be turned on or off without a restart; nothing changed");
		return -1;
	}
	if (c.role != ROLE_B4 ? aftr_has_core(&c) && core_reload(&c) :
	    b4_reload(&c) || proxy_reload(&c))
		return -1;
	if (c.role == ROLE_AFTR) {
		ondemand_reload(&c);
		anycast_reload(&c);
	}
	if (!verbose)
		log_set_level(c.log_level);
	cfg = c;
	return 0;
}

/* What systemctl status shows next to the service while it runs. */
static void ready(const char *what)
{
	if (cfg.role == ROLE_SERVER)
		notify_ready("%s: role server, no device", what);
	else
		notify_ready("%s: role %s on %s", what, config_role_name(cfg.role),
			     cfg.device);
}

static void on_signal(int fd, void *arg)
{
	struct signalfd_siginfo si;

	(void)arg;
	while (read(fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGUSR1) {
			size_t i;

			for (i = 0; i < n_dumpers; i++)
				dumpers[i]();
			continue;
		}
		if (si.ssi_signo != SIGHUP) {
			log_notice("signal %u: stopping", si.ssi_signo);
			notify_stopping();
			stop = 1;
			continue;
		}
		/*
		 * systemd waits for READY=1 after RELOADING=1 either way; a
		 * bad file is mostly refused before the signal (ExecReload=
		 * runs --check-config first); what fails here (a change only
		 * a restart can make, a file edited since) is in the log.
		 */
		notify_reloading();
		ready(reload() ? "serving, reload refused (see the log)" : "serving");
	}
}

/*
 * The anycast address went on or off: this lwAFTR draws B4s' traffic, or
 * no longer does.  The PCP server ANNOUNCEs; the BFD responder tells its
 * B4s AdminDown while withdrawn, so that they move now, not after their
 * detection time.
 */
static void aftr_announced(void)
{
	pcp_server_took_over();
	bfd_server_undrain();
}

static void aftr_withdrawn(void)
{
	bfd_server_drain();
}

/*
 * The AFTR role: the core, then the components that use it (kernel sync,
 * the PCP front-end); stopped the other way round.  Only the core has
 * anything to reload.
 */
static int aftr_start(const struct lw4o6d_config *c, bool reset)
{
	struct alloc *a = NULL;

	if (aftr_has_core(c)) {
		a = core_start(c, reset);
		if (!a || ksync_start(c, a) || pcp_server_start(c, a) ||
		    bfd_server_start(c) || ondemand_start(c, a))
			return -1;
		on_dump(ondemand_dump);
		on_dump(bfd_server_dump);
		if (c->dhcp4o6) {
			/* the co-located 4o6 server, and its relays' bulk leasequery */
			if (dhcp4o6_server_start(c, a) || leasequery_start(c, a))
				return -1;
			on_dump(dhcp4o6_server_dump);
			on_dump(leasequery_log_stats);
		}
	}
	if (c->n_relay) {
		if (dhcp4o6_relay_start(c))
			return -1;
		on_dump(dhcp4o6_relay_log_stats);
	}
	if (a) {
		core_serving();
		/* last: announce only what is all there */
		if (anycast_start(c, aftr_announced, aftr_withdrawn,
				  pcp_server_upstream))
			return -1;
	}
	return 0;
}

static void aftr_stop(void)
{
	/* first: stop drawing traffic before anything stops serving it */
	anycast_stop();
	if (cfg.n_relay)
		dhcp4o6_relay_stop();
	if (aftr_has_core(&cfg)) {
		dhcp4o6_server_stop();
		leasequery_stop();
		ondemand_stop();
		/* its AdminDowns go out through the PCP server's socket */
		bfd_server_stop();
		pcp_server_stop();
		ksync_stop();
		core_stop();
	}
}

/*
 * Role server: the core with no device (no kernel sync, no PCP) and the
 * DHCPv4-over-DHCPv6 front-end, reached through the lwAFTRs' relays.
 */
static int server_start(const struct lw4o6d_config *c, bool reset)
{
	struct alloc *a = core_start(c, reset);

	if (!a || dhcp4o6_server_start(c, a) || leasequery_start(c, a))
		return -1;
	on_dump(dhcp4o6_server_dump);
	on_dump(leasequery_log_stats);
	core_serving();
	return 0;
}

static void server_stop(void)
{
	leasequery_stop();
	dhcp4o6_server_stop();
	core_stop();
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "check-config", required_argument, NULL, 'C' },
		{ "reset-epoch", no_argument, NULL, 'R' },
		{ "syslog", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	bool reset = false, use_syslog = false;
	sigset_t set;
	int o, sfd, err;

	if (argc > 1 && !strcmp(argv[1], "audit"))
		return audit_command_main(argc - 1, argv + 1, DEFAULT_CONFIG);
	if (argc > 1 && !strcmp(argv[1], "map"))
		return map_command_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "drain"))
		return anycast_drain_main(argc - 1, argv + 1, DEFAULT_CONFIG);
	if (argc > 1 && !strcmp(argv[1], "leases"))
		return leases_command_main(argc - 1, argv + 1, DEFAULT_CONFIG);
	if (argc > 1 && !strcmp(argv[1], "bfd"))
		return bfd_command_main(argc - 1, argv + 1, DEFAULT_CONFIG);
	while ((o = getopt_long(argc, argv, "c:fvhV", lo, NULL)) != -1) {
		switch (o) {
		case 'c': config_path = optarg; break;
		case 'f': break;
		case 'v': verbose = true; break;
		case 'C': return check_config(optarg);
		case 'R': reset = true; break;
		case 'S': use_syslog = true; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("lw4o6d %s\n", LW4O6_VERSION); return 0;
		default: usage(stderr); return 1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "lw4o6d: unexpected argument \"%s\"\n", argv[optind]);
		usage(stderr);
		return 1;
	}
	if (command_line_config(config_path, &cfg))
		return 1;
	log_open(verbose ? LOG_DEBUG : cfg.log_level, use_syslog);
	log_set_journal_sender(sd_journal_sendv);	/* grants' fields */

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sfd < 0 || loop_add_fd(sfd, on_signal, NULL)) {
		log_err("signalfd: %s", strerror(errno));
		return 2;
	}
	if (cfg.role == ROLE_SERVER)
		log_notice("lw4o6d %s starting: role server, no device", LW4O6_VERSION);
	else
		log_notice("lw4o6d %s starting: role %s, device %s", LW4O6_VERSION,
			   config_role_name(cfg.role), cfg.device);
	if (cfg.role == ROLE_AFTR)
		err = aftr_start(&cfg, reset);
	else if (cfg.role == ROLE_SERVER)
		err = server_start(&cfg, reset);
	else
		/* the proxy hears of the B4's binding from the B4's client */
		err = b4_start(&cfg) || proxy_start(&cfg) ||
		      b4_listen(proxy_binding_changed, NULL);
	if (!err && cfg.role == ROLE_B4)
		on_dump(b4_log_counters);
	if (err)
		return 2;
	/*
	 * Every socket is bound and the kernel's table in step (ksync_start
	 * reads it before it returns): now systemd may start what comes after.
	 */
	ready("serving");
	notify_watchdog_start();
	err = loop_run(&stop);
	notify_watchdog_stop();
	if (cfg.role == ROLE_AFTR) {
		aftr_stop();
	} else if (cfg.role == ROLE_SERVER) {
		server_stop();
	} else {
		proxy_stop();
		b4_stop();
	}
	log_notice("stopped");
	return err ? 2 : 0;
}
