// SPDX-License-Identifier: GPL-2.0 OR MIT
/* lw4o6 stats: the device counters, under RFC 8676's names. */
#include <inttypes.h>
#include <string.h>
#include <time.h>
#include <linux/genetlink.h>

#include <linux/lw4o6.h>

#include "cli.h"
#include "modstats.h"
#include "names.h"
#include "nlsock.h"
#include "print.h"
#include "strconv.h"

void usage_stats(FILE *f)
{
	fputs("Usage: lw4o6 stats show dev NAME\n"
	      "       lw4o6 stats prometheus [ dev NAME ]\n"
	      "       lw4o6 stats help\n"
	      "prometheus: every lw4o6 device's counters (or NAME's) in Prometheus's\n"
	      "text format, for node_exporter's textfile collector.\n", f);
}

/*
 * Text keeps RFC 8676's names ("sent-ipv4-packets"); JSON keys are
 * snake_case like every other key lw4o6 prints, and iproute2's
 * ("sent_ipv4_packets"), so `jq .sent_ipv4_packets` works unquoted.
 */
static void json_key(const char *name, char *key, size_t len)
{
	size_t i;

	for (i = 0; name[i] && i + 1 < len; i++)
		key[i] = name[i] == '-' ? '_' : name[i];
	key[i] = '\0';
}

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[LW4O6_A_MAX + 1], *a;
	int *got = data;

	nl_parse_msg(nlh, GENL_HDRLEN, tb, LW4O6_A_MAX);
	if (!tb[LW4O6_A_STATS])
		return 0;
	*got = 1;
	mnl_attr_for_each_nested(a, tb[LW4O6_A_STATS]) {
		unsigned int type = mnl_attr_get_type(a);
		char buf[32], fmt[64], when[32], key[64];
		const char *name = stat_name(type, buf, sizeof(buf));
		uint64_t v;

		if (!nl_get_u64(a, &v))
			continue;
		json_key(name, key, sizeof(key));
		/* Names are ours or "stat-N": safe inside a format. */
		if (type == LW4O6_STAT_DISCONTINUITY_TIME) {
			/* Seconds since the epoch: people read dates better. */
			time_t tt = (time_t)v;
			struct tm tm;

			if (gmtime_r(&tt, &tm) &&
			    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm)) {
				snprintf(fmt, sizeof(fmt), "%-36s %%s\n", name);
				print_u64(PRINT_JSON, key, NULL, v);
				print_string(PRINT_FP, NULL, fmt, when);
				continue;
			}
		}
		snprintf(fmt, sizeof(fmt), "%-36s %%" PRIu64 "\n", name);
		print_u64(PRINT_JSON, key, NULL, v);
		print_u64(PRINT_FP, NULL, fmt, v);
	}
	return 0;
}

static int stats_show(int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], err[128];
	struct nlmsghdr *nlh;
	struct nl *nl;
	int got = 0, ret;

	if (argc < 1 || strcmp(argv[0], "dev"))
		return usage_error("stats", "stats show: %s",
				   argc ? "expected \"dev\"" : "missing \"dev\"");
	if (argc < 2)
		return usage_error("stats", "stats show: \"dev\" needs a value");
	if (argc > 2)
		return usage_error("stats", "stats show: unexpected \"%s\"", argv[2]);
	if (check_ifname(argv[1], err, sizeof(err)))
		return usage_error("stats", "stats show: %s", err);
	nl = get_genl();
	if (!nl)
		return EXIT_ERR;
	nlh = genl_req(nl, buf, LW4O6_CMD_STATS_GET, NLM_F_ACK);
	mnl_attr_put_strz(nlh, LW4O6_A_IFNAME, argv[1]);

	new_json_obj(opts.json, opts.pretty);
	open_json_object(NULL);
	ret = nl_talk(nl, nlh, stats_cb, &got);
	close_json_object();
	delete_json_obj();
	if (ret) {
		nl_perror(nl, nlh, ret, "stats show");
		return EXIT_ERR;
	}
	if (!got) {
		errmsg("stats show: the kernel sent no counters");
		return EXIT_ERR;
	}
	return EXIT_OK;
}

/* All devices, or one; each family once with every device's samples. */
static int stats_prometheus(int argc, char **argv)
{
	static char names[256][IF_NAMESIZE];
	static struct modstats s[256];
	char err[128];
	struct nl *nl;
	int n, i, ret;

	if (argc && strcmp(argv[0], "dev"))
		return usage_error("stats", "stats prometheus: unexpected \"%s\"", argv[0]);
	if (argc == 1)
		return usage_error("stats", "stats prometheus: \"dev\" needs a value");
	if (argc > 2)
		return usage_error("stats", "stats prometheus: unexpected \"%s\"", argv[2]);
	if (argc && check_ifname(argv[1], err, sizeof(err)))
		return usage_error("stats", "stats prometheus: %s", err);
	nl = get_genl();
	if (!nl)
		return EXIT_ERR;
	if (argc) {
		snprintf(names[0], IF_NAMESIZE, "%s", argv[1]);
		n = 1;
	} else {
		n = modstats_devices(nl, names, 256);
		if (n < 0) {
			nl_perror(nl, NULL, n, "stats prometheus: listing devices");
			return EXIT_ERR;
		}
	}
	for (i = 0; i < n; i++) {
		ret = modstats_get(nl, names[i], &s[i]);
		if (ret) {
			nl_perror(nl, NULL, ret, "stats prometheus");
			return EXIT_ERR;
		}
	}
	modstats_prom(stdout, s, n);
	return EXIT_OK;
}

int do_stats(int argc, char **argv)
{
	if (argc < 2)
		return usage_error("stats", "stats: missing command");
	if (!strcmp(argv[1], "show"))
		return stats_show(argc - 2, argv + 2);
	if (!strcmp(argv[1], "prometheus"))
		return stats_prometheus(argc - 2, argv + 2);
	if (is_help(argv[1])) {
		if (argc > 2)
			return usage_error("stats", "stats help: unexpected \"%s\"",
					   argv[2]);
		usage_stats(stdout);
		return EXIT_OK;
	}
	return usage_error("stats", "stats: unknown command \"%s\"%s", argv[1],
			   did_you_mean(argv[1], (const char *const[]){ "show", "help" }, 2));
}
