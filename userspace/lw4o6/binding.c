// SPDX-License-Identifier: GPL-2.0 OR MIT
/* lw4o6 binding: add, del, show, flush (load lives in bindload.c). */
#include <string.h>
#include <linux/genetlink.h>

#include <linux/lw4o6.h>

#include "bindmsg.h"
#include "bindprint.h"
#include "bindparse.h"
#include "cli.h"
#include "nlsock.h"
#include "print.h"
#include "strconv.h"

int binding_load(int argc, char **argv);

void usage_binding(FILE *f)
{
	fputs("Usage: lw4o6 binding add dev NAME BINDING [ replace ]\n"
	      "       lw4o6 binding replace dev NAME BINDING   (add ... replace)\n"
	      "       lw4o6 binding del dev NAME ipv4 ADDR psid PSID/LEN\n"
	      "       lw4o6 binding show dev NAME [ ipv4 ADDR [ psid PSID/LEN ] ]\n"
	      "       lw4o6 binding flush dev NAME\n"
	      "       lw4o6 binding load dev NAME FILE\n"
	      "       lw4o6 binding reject dev NAME b4 IPV6 [ ipv4 ADDR ]\n"
	      "       lw4o6 binding help\n"
	      "BINDING := ipv4 ADDR psid PSID/LEN [ offset OFFSET ] b4 IPV6 [ br IPV6 ]\n"
	      "PSID    := 0 .. 2^LEN - 1, decimal or 0x hex\n"
	      "LEN     := 0 .. 16 (0: the whole address)\n"
	      "OFFSET  := 0 .. 15, OFFSET + LEN <= 16 (default 0)\n"
	      "FILE    := PATH | - (one BINDING a line, or Snabb softwire blocks)\n"
	      "reject  : drop the packets miss-hold keeps for that B4 (and inner\n"
	      "          source ADDR) now, each answered with ICMPv6 1/5\n",
	      f);
}

static int parse(const char *cmd, int argc, char **argv, enum bind_use use,
		 struct bind_args *a)
{
	char err[256];

	if (bind_parse(argc, argv, use, a, err, sizeof(err)))
		return usage_error("binding", "binding %s: %s", cmd, err);
	return 0;
}

static int simple_request(const char *what, uint8_t cmd,
			  const struct bind_args *a, int put, uint32_t flags)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct nl *nl = get_genl();
	int err;

	if (!nl)
		return EXIT_ERR;
	nlh = genl_req(nl, buf, cmd, NLM_F_ACK);
	mnl_attr_put_strz(nlh, LW4O6_A_IFNAME, a->dev);
	if (put >= 0)
		bind_put(nlh, LW4O6_A_BINDING, &a->b, put);
	if (flags)
		mnl_attr_put_u32(nlh, LW4O6_A_FLAGS, flags);
	err = nl_talk(nl, nlh, NULL, NULL);
	if (err) {
		nl_perror(nl, nlh, err, what);
		return EXIT_ERR;
	}
	return EXIT_OK;
}

static int binding_add(int argc, char **argv)
{
	struct bind_args a;
	int ret = parse("add", argc, argv, BIND_USE_ADD, &a);

	if (ret)
		return ret;
	return simple_request("binding add", LW4O6_CMD_BIND_NEW, &a,
			      BIND_PUT_FULL,
			      (a.seen & BIND_SEEN_REPLACE) ? LW4O6_F_REPLACE : 0);
}

/*
 * binding replace: ip route replace's habit for binding add ... replace,
 * added or changed in place, so that a configuration applied again
 * converges.
 */
static int binding_replace(int argc, char **argv)
{
	struct bind_args a;
	int ret = parse("replace", argc, argv, BIND_USE_ADD, &a);

	if (ret)
		return ret;
	if (a.seen & BIND_SEEN_REPLACE)
		return usage_error("binding", "binding replace: unexpected \"replace\"");
	return simple_request("binding replace", LW4O6_CMD_BIND_NEW, &a,
			      BIND_PUT_FULL, LW4O6_F_REPLACE);
}

static int binding_del(int argc, char **argv)
{
	struct bind_args a;
	int ret = parse("del", argc, argv, BIND_USE_DEL, &a);

	if (ret)
		return ret;
	return simple_request("binding del", LW4O6_CMD_BIND_DEL, &a,
			      BIND_PUT_KEY, 0);
}

static int binding_flush(int argc, char **argv)
{
	struct bind_args a;
	char err[128];

	/* Only "dev NAME": reuse the parser's words and errors for it. */
	if (argc >= 1 && strcmp(argv[0], "dev"))
		return usage_error("binding", "binding flush: unexpected \"%s\"",
				   argv[0]);
	if (argc > 2)
		return usage_error("binding", "binding flush: unexpected \"%s\"",
				   argv[2]);
	if (bind_parse(argc, argv, BIND_USE_SHOW, &a, err, sizeof(err)))
		return usage_error("binding", "binding flush: %s", err);
	return simple_request("binding flush", LW4O6_CMD_BIND_FLUSH, &a, -1, 0);
}

/*
 * `binding reject dev NAME b4 IPV6 [ ipv4 ADDR ]`: MISS_REJECT, what lw4o6d
 * sends when the store has no binding for a held miss.
 */
static int binding_reject(int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], err[128];
	const char *dev = NULL;
	struct in6_addr b4;
	uint32_t ipv4 = 0;
	bool has_b4 = false, has_ipv4 = false;
	struct nlmsghdr *nlh;
	struct nl *nl;
	int i, ret;

	for (i = 0; i < argc; i += 2) {
		const char *w = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool *seen = !strcmp(w, "b4") ? &has_b4 :
			     !strcmp(w, "ipv4") ? &has_ipv4 : NULL;

		if (strcmp(w, "dev") && !seen)
			return usage_error("binding", "binding reject: unknown keyword \"%s\"", w);
		if ((seen && *seen) || (!seen && dev))
			return usage_error("binding", "binding reject: \"%s\" given twice", w);
		if (!v)
			return usage_error("binding", "binding reject: \"%s\" needs a value", w);
		if (!seen) {
			if (check_ifname(v, err, sizeof(err)))
				return usage_error("binding", "binding reject: %s", err);
			dev = v;
		} else if (seen == &has_b4) {
			if (parse_ipv6(v, &b4) || !ipv6_is_unicast(&b4))
				return usage_error("binding",
						   "binding reject: invalid b4 \"%s\" (a unicast IPv6 address)", v);
		} else if (parse_ipv4(v, &ipv4) || !ipv4) {
			return usage_error("binding",
					   "binding reject: invalid ipv4 \"%s\" (an IPv4 address)", v);
		}
		if (seen)
			*seen = true;
	}
	if (!dev)
		return usage_error("binding", "binding reject: missing \"dev\"");
	if (!has_b4)
		return usage_error("binding", "binding reject: missing \"b4\"");
	nl = get_genl();
	if (!nl)
		return EXIT_ERR;
	nlh = genl_req(nl, buf, LW4O6_CMD_MISS_REJECT, NLM_F_ACK);
	mnl_attr_put_strz(nlh, LW4O6_A_IFNAME, dev);
	mnl_attr_put(nlh, LW4O6_A_MISS_B4, sizeof(b4), &b4);
	if (has_ipv4)
		mnl_attr_put_u32(nlh, LW4O6_A_MISS_IPV4, ipv4);	/* network order */
	ret = nl_talk(nl, nlh, NULL, NULL);
	if (ret) {
		nl_perror(nl, nlh, ret, "binding reject");
		return EXIT_ERR;
	}
	return EXIT_OK;
}

static int show_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a;
	unsigned long *count = data;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		struct lw4o6_bind b;
		struct bind_stats st;

		if (mnl_attr_get_type(a) != LW4O6_A_BINDING ||
		    bind_get(a, &b, &st))
			continue;
		open_json_object(NULL);
		print_binding(&b, &st);
		close_json_object();
		print_nl();
		(*count)++;
	}
	return 0;
}

static int binding_show(int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct bind_args a;
	unsigned long count = 0;
	struct nl *nl;
	bool one;
	int err = parse("show", argc, argv, BIND_USE_SHOW, &a);

	if (err)
		return err;
	nl = get_genl();
	if (!nl)
		return EXIT_ERR;
	/* ipv4 + psid names one binding; anything less is a (filtered) dump. */
	one = a.seen & BIND_SEEN_PSID;
	nlh = genl_req(nl, buf, LW4O6_CMD_BIND_GET, one ? NLM_F_ACK : NLM_F_DUMP);
	mnl_attr_put_strz(nlh, LW4O6_A_IFNAME, a.dev);
	if (one) {
		bind_put(nlh, LW4O6_A_BINDING, &a.b, BIND_PUT_KEY);
	} else if (a.seen & BIND_SEEN_IPV4) {
		struct nlattr *nest = mnl_attr_nest_start(nlh, LW4O6_A_BINDING);

		mnl_attr_put_u32(nlh, LW4O6_BA_IPV4, a.b.ipv4);
		mnl_attr_nest_end(nlh, nest);
	}
	if (opts.stats)
		mnl_attr_put_u32(nlh, LW4O6_A_FLAGS, LW4O6_F_STATS);

	new_json_obj(opts.json, opts.pretty);
	open_json_array(NULL);
	err = nl_talk(nl, nlh, show_cb, &count);
	close_json_array();
	delete_json_obj();
	if (err) {
		nl_perror(nl, nlh, err, "binding show");
		return EXIT_ERR;
	}
	if (nl->dump_intr)
		errmsg("warning: the table changed during the dump; output may be inconsistent");
	return EXIT_OK;
}

int do_binding(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int argc, char **argv);
	} cmds[] = {
		{ "add",	binding_add },
		{ "replace",	binding_replace },
		{ "del",	binding_del },
		{ "show",	binding_show },
		{ "flush",	binding_flush },
		{ "load",	binding_load },
		{ "reject",	binding_reject },
	};
	size_t i;

	if (argc < 2)
		return usage_error("binding", "binding: missing command");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 2, argv + 2);
	if (is_help(argv[1])) {
		if (argc > 2)
			return usage_error("binding", "binding help: unexpected \"%s\"",
					   argv[2]);
		usage_binding(stdout);
		return EXIT_OK;
	}
	return usage_error("binding", "binding: unknown command \"%s\"", argv[1]);
}
