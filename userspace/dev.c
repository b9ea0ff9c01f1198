// SPDX-License-Identifier: GPL-2.0 OR MIT
/* lw4o6 dev: create (rtnetlink), delete, show (generic netlink). */
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <linux/lw4o6.h>

#include "lw4o6.h"
#include "names.h"
#include "nl.h"
#include "print.h"
#include "utils.h"

void usage_dev(FILE *f)
{
	fputs("Usage: lw4o6 dev add NAME mode MODE local IPV6 [ mtu MTU ]\n"
	      "       lw4o6 dev del NAME\n"
	      "       lw4o6 dev show [ NAME ]\n"
	      "       lw4o6 dev help\n"
	      "MODE := aftr\n", f);
}

static int check_name(const char *cmd, const char *name)
{
	char err[128];

	if (check_ifname(name, err, sizeof(err)))
		return usage_error("dev", "dev %s: %s", cmd, err);
	return 0;
}

static int dev_add(int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	const char *name, *mode_word = NULL, *local_word = NULL, *mtu_word = NULL;
	struct in6_addr local;
	struct nlattr *linkinfo, *data;
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;
	uint32_t mtu = 0;
	struct nl *nl;
	int i, mode, err;

	if (argc < 1)
		return usage_error("dev", "dev add: missing NAME");
	name = argv[0];
	if ((err = check_name("add", name)))
		return err;
	for (i = 1; i < argc; i += 2) {
		const char **slot;

		if (!strcmp(argv[i], "mode"))
			slot = &mode_word;
		else if (!strcmp(argv[i], "local"))
			slot = &local_word;
		else if (!strcmp(argv[i], "mtu"))
			slot = &mtu_word;
		else
			return usage_error("dev", "dev add: unknown keyword \"%s\"",
					   argv[i]);
		if (*slot)
			return usage_error("dev", "dev add: \"%s\" given twice",
					   argv[i]);
		if (i + 1 == argc)
			return usage_error("dev", "dev add: \"%s\" needs a value",
					   argv[i]);
		*slot = argv[i + 1];
	}
	if (!mode_word)
		return usage_error("dev", "dev add: missing \"mode\"");
	mode = mode_parse(mode_word);
	if (mode < 0)
		return usage_error("dev", "dev add: unknown mode \"%s\"", mode_word);
	if (mode != LW4O6_MODE_AFTR)
		return usage_error("dev", "dev add: mode %s is not supported yet",
				   mode_word);
	if (!local_word)
		return usage_error("dev", "dev add: missing \"local\"");
	if (parse_ipv6(local_word, &local))
		return usage_error("dev", "dev add: invalid IPv6 address \"%s\" for \"local\"",
				   local_word);
	if (mtu_word && (parse_u32(mtu_word, UINT32_MAX, &mtu) || !mtu))
		return usage_error("dev", "dev add: invalid mtu \"%s\"", mtu_word);

	nl = get_rtnl();
	if (!nl)
		return EXIT_ERR;
	nlh = nl_req(nl, buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK);
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (mtu_word)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, LW4O6_LINK_KIND);
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u8(nlh, IFLA_LW4O6_MODE, (uint8_t)mode);
	mnl_attr_put(nlh, IFLA_LW4O6_LOCAL, sizeof(local), &local);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);

	err = nl_talk(nl, nlh, NULL, NULL);
	if (!err)
		return EXIT_OK;
	/* rtnetlink's answer when no "lw4o6" link kind is registered. */
	if (err == -EOPNOTSUPP &&
	    (!nl->ext_msg[0] || strstr(nl->ext_msg, "Unknown device type"))) {
		module_missing();
		return EXIT_ERR;
	}
	/* rtnetlink gives no message for this one. */
	if (err == -EEXIST && !nl->ext_msg[0]) {
		errmsg("dev add: device \"%s\" already exists", name);
		return EXIT_ERR;
	}
	nl_perror(nl, nlh, err, "dev add");
	return EXIT_ERR;
}

/* Why DEV_GET refused a name: no such device, or not one of ours. */
static void lookup_error(struct nl *nl, const struct nlmsghdr *req, int err,
			 const char *what, const char *name)
{
	if (err == -ENODEV || err == -ENOENT || err == -EINVAL ||
	    err == -EOPNOTSUPP) {
		if (!if_nametoindex(name))
			errmsg("%s: cannot find device \"%s\"", what, name);
		else
			errmsg("%s: %s is not an lw4o6 device", what, name);
		return;
	}
	nl_perror(nl, req, err, what);
}

struct dev_info {
	uint32_t ifindex;
	bool found;
};

static int show_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[LW4O6_A_MAX + 1];
	struct dev_info *info = data;
	char local[FMT_IPV6_LEN] = "::";
	const char *name;
	struct in6_addr a;
	uint32_t ifindex = 0, mtu = 0, count = 0;
	uint64_t mem = 0;
	uint8_t mode = 0;

	nl_parse_msg(nlh, GENL_HDRLEN, tb, LW4O6_A_MAX);
	name = nl_get_str(tb[LW4O6_A_IFNAME]);
	nl_get_u32(tb[LW4O6_A_IFINDEX], &ifindex);
	nl_get_u8(tb[LW4O6_A_MODE], &mode);
	if (nl_get_in6(tb[LW4O6_A_LOCAL], &a))
		fmt_ipv6(&a, local);
	nl_get_u32(tb[LW4O6_A_MTU], &mtu);
	nl_get_u32(tb[LW4O6_A_BINDING_COUNT], &count);
	nl_get_u64(tb[LW4O6_A_TABLE_MEM], &mem);
	if (info) {
		info->ifindex = ifindex;
		info->found = true;
		return 0;
	}

	open_json_object(NULL);
	print_uint(PRINT_JSON, "ifindex", NULL, ifindex);
	print_string(PRINT_ANY, "ifname", "%s:", name ? name : "?");
	print_string(PRINT_ANY, "mode", " mode %s", mode_name(mode));
	print_string(PRINT_ANY, "local", " local %s", local);
	print_uint(PRINT_ANY, "mtu", " mtu %u", mtu);
	print_uint(PRINT_ANY, "bindings", " bindings %u", count);
	print_u64(opts.stats ? PRINT_ANY : PRINT_JSON, "table_mem",
		  " table-mem %" PRIu64, mem);
	close_json_object();
	print_nl();
	return 0;
}

static struct nlmsghdr *dev_get_req(struct nl *nl, void *buf, const char *name)
{
	struct nlmsghdr *nlh;

	nlh = genl_req(nl, buf, LW4O6_CMD_DEV_GET,
		       name ? NLM_F_ACK : NLM_F_DUMP);
	if (name)
		mnl_attr_put_strz(nlh, LW4O6_A_IFNAME, name);
	return nlh;
}

static int dev_del(int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct dev_info info = { 0, false };
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;
	struct nl *gnl, *rnl;
	int err;

	if (argc < 1)
		return usage_error("dev", "dev del: missing NAME");
	if (argc > 1)
		return usage_error("dev", "dev del: unexpected \"%s\"", argv[1]);
	if ((err = check_name("del", argv[0])))
		return err;
	gnl = get_genl();
	if (!gnl)
		return EXIT_ERR;
	/* Ask lw4o6 first, so that `dev del eth0` cannot delete eth0. */
	nlh = dev_get_req(gnl, buf, argv[0]);
	err = nl_talk(gnl, nlh, show_cb, &info);
	if (!err && !info.found)
		err = -ENODEV;
	if (err) {
		lookup_error(gnl, nlh, err, "dev del", argv[0]);
		return EXIT_ERR;
	}
	rnl = get_rtnl();
	if (!rnl)
		return EXIT_ERR;
	nlh = nl_req(rnl, buf, RTM_DELLINK, NLM_F_ACK);
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = (int)info.ifindex;
	err = nl_talk(rnl, nlh, NULL, NULL);
	if (err) {
		nl_perror(rnl, nlh, err, "dev del");
		return EXIT_ERR;
	}
	return EXIT_OK;
}

static int dev_show(int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	const char *name = argc ? argv[0] : NULL;
	struct nlmsghdr *nlh;
	struct nl *nl;
	int err;

	if (argc > 1)
		return usage_error("dev", "dev show: unexpected \"%s\"", argv[1]);
	if (name && (err = check_name("show", name)))
		return err;
	nl = get_genl();
	if (!nl)
		return EXIT_ERR;
	nlh = dev_get_req(nl, buf, name);
	new_json_obj(opts.json, opts.pretty);
	open_json_array(NULL);
	err = nl_talk(nl, nlh, show_cb, NULL);
	close_json_array();
	delete_json_obj();
	if (err) {
		if (name)
			lookup_error(nl, nlh, err, "dev show", name);
		else
			nl_perror(nl, nlh, err, "dev show");
		return EXIT_ERR;
	}
	return EXIT_OK;
}

int do_dev(int argc, char **argv)
{
	if (argc < 2)
		return usage_error("dev", "dev: missing command");
	if (!strcmp(argv[1], "add"))
		return dev_add(argc - 2, argv + 2);
	if (!strcmp(argv[1], "del"))
		return dev_del(argc - 2, argv + 2);
	if (!strcmp(argv[1], "show"))
		return dev_show(argc - 2, argv + 2);
	if (is_help(argv[1])) {
		if (argc > 2)
			return usage_error("dev", "dev help: unexpected \"%s\"",
					   argv[2]);
		usage_dev(stdout);
		return EXIT_OK;
	}
	return usage_error("dev", "dev: unknown command \"%s\"", argv[1]);
}
