// SPDX-License-Identifier: GPL-2.0 OR MIT
/* lw4o6 dev: create (rtnetlink), delete, show (generic netlink). */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <linux/lw4o6.h>

#include "cli.h"
#include "devparse.h"
#include "names.h"
#include "nlsock.h"
#include "print.h"
#include "strconv.h"

void usage_dev(FILE *f)
{
	fputs("Usage: lw4o6 dev add NAME mode aftr local IPV6 [ icmp-source IPV6 ]\n"
	      "                      [ mtu MTU ] [ AFTR_OPTS ]\n"
	      "       lw4o6 dev add NAME mode dslite local IPV6 remote IPV6 [ mtu MTU ]\n"
	      "                      [ B4_OPTS ]\n"
	      "       lw4o6 dev add NAME mode b4 local IPV6 remote IPV6 BINDING [ mtu MTU ]\n"
	      "                      [ B4_OPTS ]\n"
	      "       lw4o6 dev set NAME [ local IPV6 ] [ remote IPV6 ] [ BINDING ]\n"
	      "                      [ icmp-source { IPV6 | none } ] [ mtu MTU ]\n"
	      "                      [ AFTR_OPTS | B4_OPTS | accept-from none ]\n"
	      "       lw4o6 dev replace NAME mode MODE ...   (as dev add: creates it, or\n"
	      "                      sets what the line says, the rest to defaults)\n"
	      "       lw4o6 dev del NAME\n"
	      "       lw4o6 dev show [ NAME ]\n"
	      "       lw4o6 dev help\n"
	      "AFTR_OPTS := [ hairpin { on | off } ] [ icmp4-errors { on | off } ]\n"
	      "             [ icmp6-errors { on | off } ] [ icmp-rate PPS ]\n"
	      "             [ control-rate PPS ] [ control-prefix-rate PPS ]\n"
	      "             [ control-prefix-len LEN ]\n"
	      "             [ miss-hold MS ] [ miss-queue N ]\n"
	      "             [ encap-unicast { on | off } ]   (send from icmp-source)\n"
	      "B4_OPTS   := [ mss-clamp { on | off } ] [ accept-from PREFIX ]\n"
	      "PREFIX    := IPV6/1..128 (also take softwire traffic and errors\n"
	      "             from these addresses: the AFTR set's unicast ones)\n"
	      "PPS       := 1..1000000 (ICMP errors, PCP messages per second)\n"
	      "LEN       := 1..128 (the B4 prefix control-prefix-rate is per)\n"
	      "MS        := 0..10000 (hold a packet without a binding this long\n"
	      "             for lw4o6d to find one; 0 = off, the default)\n"
	      "N         := 1..4096 (packets held at once; default 256)\n"
	      "BINDING   := ipv4 ADDR psid PSID/LEN [ offset A ]   (b4 only)\n"
	      "mss-clamp : TCP MSS fits the device MTU (default on)\n", f);
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
	char buf[MNL_SOCKET_BUFFER_SIZE], err_msg[256];
	struct nlattr *linkinfo, *data;
	struct dev_args a;
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;
	struct nl *nl;
	int err;

	if (dev_parse(argc, argv, DEV_USE_ADD, &a, err_msg, sizeof(err_msg)))
		return usage_error("dev", "dev add: %s", err_msg);

	nl = get_rtnl();
	if (!nl)
		return EXIT_ERR;
	nlh = nl_req(nl, buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK);
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, a.name);
	if (a.seen & DEV_SEEN_MTU)
		mnl_attr_put_u32(nlh, IFLA_MTU, a.mtu);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, LW4O6_LINK_KIND);
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	/* mode, local and what else was given; the rest keeps its default */
	dev_put_opts(nlh, &a, DEV_NL_LINK);
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
		errmsg("dev add: device \"%s\" already exists", a.name);
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
	uint8_t mode;
	bool found;
};

/*
 * The anycast set's options: an lwAFTR's encap-unicast (text when on), a
 * B4's accept-from (when set) and its flow label.
 */
static void show_anycast(const struct nlattr *const *tb, uint8_t mode)
{
	char text[FMT_IPV6_LEN];
	struct in6_addr pfx;
	uint32_t label;
	uint8_t on, len;

	if (mode == LW4O6_MODE_AFTR) {
		if (nl_get_u8(tb[LW4O6_A_ENCAP_UNICAST], &on))
			print_on_off(on ? PRINT_ANY : PRINT_JSON,
				     "encap_unicast", " encap-unicast %s", on);
		return;
	}
	if (nl_get_in6(tb[LW4O6_A_ACCEPT_FROM], &pfx) &&
	    nl_get_u8(tb[LW4O6_A_ACCEPT_FROM_LEN], &len)) {
		print_string(PRINT_ANY, "accept_from", " accept-from %s",
			     fmt_ipv6(&pfx, text));
		print_uint(PRINT_FP, NULL, "/%u", len);
		print_uint(PRINT_JSON, "accept_from_len", NULL, len);
	}
	if (nl_get_u32(tb[LW4O6_A_FLOW_LABEL], &label)) {
		print_uint(PRINT_JSON, "flow_label", NULL, label);
		print_uint(PRINT_FP, NULL, " flow-label 0x%05x", label);
	}
}

static int show_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[LW4O6_A_MAX + 1];
	struct dev_info *info = data;
	char local[FMT_IPV6_LEN] = "::", remote[FMT_IPV6_LEN] = "";
	uint32_t v4 = 0;
	uint16_t psid = 0;
	uint8_t psid_len = 0, offset = 0;
	bool has_b4;
	enum output_type aftr_only;
	const char *name;
	struct in6_addr a;
	uint32_t ifindex = 0, mtu = 0, count = 0;
	uint64_t mem = 0;
	uint8_t mode = 0;
	struct in6_addr src;
	char src_text[FMT_IPV6_LEN];
	uint8_t hairpin = 0, icmp4 = 0, icmp6 = 0;
	uint32_t rate = 0;
	bool has_hairpin, has_icmp4, has_icmp6, has_rate, has_source, has_mss;
	uint8_t mss = 0;
	uint32_t crate = 0, cprate = 0;
	uint8_t cplen = 0;
	bool has_control, has_miss;
	uint32_t miss_hold = 0, miss_queue = 0;

	nl_parse_msg(nlh, GENL_HDRLEN, tb, LW4O6_A_MAX);
	name = nl_get_str(tb[LW4O6_A_IFNAME]);
	nl_get_u32(tb[LW4O6_A_IFINDEX], &ifindex);
	nl_get_u8(tb[LW4O6_A_MODE], &mode);
	if (nl_get_in6(tb[LW4O6_A_LOCAL], &a))
		fmt_ipv6(&a, local);
	if (nl_get_in6(tb[LW4O6_A_REMOTE], &a))
		fmt_ipv6(&a, remote);
	has_b4 = nl_get_u32(tb[LW4O6_A_IPV4], &v4) &&
		 nl_get_u16(tb[LW4O6_A_PSID], &psid) &&
		 nl_get_u8(tb[LW4O6_A_PSID_LEN], &psid_len) &&
		 nl_get_u8(tb[LW4O6_A_OFFSET], &offset);
	nl_get_u32(tb[LW4O6_A_MTU], &mtu);
	nl_get_u32(tb[LW4O6_A_BINDING_COUNT], &count);
	nl_get_u64(tb[LW4O6_A_TABLE_MEM], &mem);
	/* lwAFTR options: an older module sends none of them. */
	has_hairpin = nl_get_u8(tb[LW4O6_A_HAIRPIN], &hairpin);
	has_mss = nl_get_u8(tb[LW4O6_A_MSS_CLAMP], &mss);
	has_icmp4 = nl_get_u8(tb[LW4O6_A_ICMP4_ERRORS], &icmp4);
	has_icmp6 = nl_get_u8(tb[LW4O6_A_ICMP6_ERRORS], &icmp6);
	has_rate = nl_get_u32(tb[LW4O6_A_ICMP_RATE], &rate);
	has_control = nl_get_u32(tb[LW4O6_A_CONTROL_RATE], &crate) &&
		      nl_get_u32(tb[LW4O6_A_CONTROL_PREFIX_RATE], &cprate) &&
		      nl_get_u8(tb[LW4O6_A_CONTROL_PREFIX_LEN], &cplen);
	has_miss = nl_get_u32(tb[LW4O6_A_MISS_HOLD], &miss_hold) &&
		   nl_get_u32(tb[LW4O6_A_MISS_QUEUE], &miss_queue);
	/* Absent when unset (errors come from local); :: means the same. */
	has_source = nl_get_in6(tb[LW4O6_A_ICMP_SOURCE], &src) &&
		     !IN6_IS_ADDR_UNSPECIFIED(&src);
	if (info) {
		info->ifindex = ifindex;
		info->mode = mode;
		info->found = true;
		return 0;
	}

	/* Options a B4 stores but does not use: in JSON only. */
	aftr_only = mode == LW4O6_MODE_AFTR ? PRINT_ANY : PRINT_JSON;
	open_json_object(NULL);
	print_uint(PRINT_JSON, "ifindex", NULL, ifindex);
	print_string(PRINT_ANY, "ifname", "%s:", name ? name : "?");
	print_string(PRINT_ANY, "mode", " mode %s", mode_name(mode));
	print_string(PRINT_ANY, "local", " local %s", local);
	if (remote[0])
		print_string(PRINT_ANY, "remote", " remote %s", remote);
	if (has_b4) {
		struct in_addr in = { .s_addr = v4 };
		char v4text[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &in, v4text, sizeof(v4text));
		print_string(PRINT_ANY, "ipv4", " ipv4 %s", v4text);
		print_uint(PRINT_JSON, "psid", NULL, psid);
		print_uint(PRINT_JSON, "psid_len", NULL, psid_len);
		print_uint(PRINT_FP, NULL, " psid %u", psid);
		print_uint(PRINT_FP, NULL, "/%u", psid_len);
		print_uint(PRINT_ANY, "offset", " offset %u", offset);
	}
	print_uint(PRINT_ANY, "mtu", " mtu %u", mtu);
	print_uint(aftr_only, "bindings", " bindings %u", count);
	print_u64(opts.stats ? PRINT_ANY : PRINT_JSON, "table_mem",
		  " table-mem %" PRIu64, mem);
	/* Like `ip -d link`: the options on an indented second line. */
	if (has_hairpin || has_icmp4 || has_icmp6 || has_rate || has_source ||
	    tb[LW4O6_A_FLOW_LABEL])
		print_text("\n   ");
	if (has_hairpin)
		print_on_off(aftr_only, "hairpin", " hairpin %s", hairpin);
	/* Only B4s clamp: on an lwAFTR the option would only confuse. */
	if (has_mss && mode != LW4O6_MODE_AFTR)
		print_on_off(PRINT_ANY, "mss_clamp", " mss-clamp %s", mss);
	if (has_icmp4)
		print_on_off(PRINT_ANY, "icmp4_errors", " icmp4-errors %s", icmp4);
	if (has_icmp6)
		print_on_off(aftr_only, "icmp6_errors", " icmp6-errors %s", icmp6);
	if (has_rate)
		print_uint(PRINT_ANY, "icmp_rate", " icmp-rate %u", rate);
	if (has_source)
		print_string(aftr_only, "icmp_source", " icmp-source %s",
			     fmt_ipv6(&src, src_text));
	show_anycast(tb, mode);
	/* The lwAFTR's PCP limits: in text only when not the defaults. */
	if (has_control) {
		bool dflt = crate == DEV_CONTROL_RATE_DEFAULT &&
			    cprate == DEV_CONTROL_PREFIX_RATE_DEFAULT &&
			    cplen == DEV_CONTROL_PLEN_DEFAULT;
		enum output_type t = dflt ? PRINT_JSON : aftr_only;

		print_uint(t, "control_rate", " control-rate %u", crate);
		print_uint(t, "control_prefix_rate", " control-prefix-rate %u",
			   cprate);
		print_uint(t, "control_prefix_len", " control-prefix-len %u",
			   cplen);
	}
	/* miss-hold: in text only when on (0 = off, as before it existed). */
	if (has_miss) {
		enum output_type t = miss_hold ? aftr_only : PRINT_JSON;

		print_uint(t, "miss_hold", " miss-hold %ums", miss_hold);
		print_uint(t, "miss_queue", " miss-queue %u", miss_queue);
	}
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
	struct dev_info info = { 0, 0, false };
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

/*
 * The lw4o6 options go in one DEV_SET, which the kernel applies whole or
 * not at all; then the MTU, over rtnetlink.  A failure says which of the
 * two it was, and whether the options had already been changed.
 */
static int dev_set(int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], err_msg[256], what[96];
	struct dev_info info = { 0, 0, false };
	struct nl *gnl, *rnl = NULL;
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;
	struct dev_args a;
	bool set_mtu;
	int err;

	if (dev_parse(argc, argv, DEV_USE_SET, &a, err_msg, sizeof(err_msg)))
		return usage_error("dev", "dev set: %s", err_msg);
	set_mtu = a.seen & DEV_SEEN_MTU;
	gnl = get_genl();
	if (!gnl)
		return EXIT_ERR;
	if (set_mtu) {
		rnl = get_rtnl();
		if (!rnl)
			return EXIT_ERR;
		/* Ask lw4o6 first, so that `dev set eth0 mtu N` cannot touch eth0. */
		nlh = dev_get_req(gnl, buf, a.name);
		err = nl_talk(gnl, nlh, show_cb, &info);
		if (!err && !info.found)
			err = -ENODEV;
		if (err) {
			lookup_error(gnl, nlh, err, "dev set", a.name);
			return EXIT_ERR;
		}
	}
	if (a.seen & DEV_SEEN_GENL) {
		nlh = genl_req(gnl, buf, LW4O6_CMD_DEV_SET, NLM_F_ACK);
		mnl_attr_put_strz(nlh, LW4O6_A_IFNAME, a.name);
		/* all but mtu, which is rtnetlink's */
		dev_put_opts(nlh, &a, DEV_NL_GENL);
		err = nl_talk(gnl, nlh, NULL, NULL);
		if (err == -ENODEV || err == -EOPNOTSUPP) {
			lookup_error(gnl, nlh, err, "dev set", a.name);
			return EXIT_ERR;
		}
		if (err) {
			nl_perror(gnl, nlh, err, set_mtu ?
				  "dev set (mtu not changed either)" :
				  "dev set");
			return EXIT_ERR;
		}
	}
	if (!set_mtu)
		return EXIT_OK;
	nlh = nl_req(rnl, buf, RTM_NEWLINK, NLM_F_ACK);
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = (int)info.ifindex;
	mnl_attr_put_u32(nlh, IFLA_MTU, a.mtu);
	err = nl_talk(rnl, nlh, NULL, NULL);
	if (err) {
		snprintf(what, sizeof(what), "dev set: %smtu %u",
			 a.seen & DEV_SEEN_GENL ?
			 "the other options were changed, but " : "", a.mtu);
		nl_perror(rnl, nlh, err, what);
		return EXIT_ERR;
	}
	return EXIT_OK;
}

/*
 * The options dev replace returns to the kernel's defaults (kmod/devopt.c)
 * when its line does not name them, so that a line taken out of a
 * configuration is undone by the next run, as ip route replace replaces
 * the whole route.  Which modes take each: the kernel refuses
 * encap-unicast but on an lwAFTR, accept-from on one.  mtu and a B4's
 * binding are not reset: they have no mode-free default.
 */
static const struct {
	const char *key, *value;
	bool aftr, other;	/* for mode aftr; for dslite and b4 */
} replace_defaults[] = {
	{ "hairpin",		 "on",		true,	true },
	{ "mss-clamp",		 "on",		false,	true },
	{ "icmp4-errors",	 "on",		true,	true },
	{ "icmp6-errors",	 "on",		true,	true },
	{ "icmp-rate",		 "1000",	true,	true },
	{ "icmp-source",	 "none",	true,	true },
	{ "control-rate",	 "10000",	true,	false },
	{ "control-prefix-rate", "50",		true,	false },
	{ "control-prefix-len",	 "56",		true,	false },
	{ "miss-hold",		 "0",		true,	false },
	{ "miss-queue",		 "256",		true,	false },
	{ "encap-unicast",	 "off",		true,	false },
	{ "accept-from",	 "none",	false,	true },
};

#define N_REPLACE_DEFAULTS (sizeof(replace_defaults) / sizeof(replace_defaults[0]))

static bool has_word(int argc, char **argv, const char *w)
{
	int i;

	for (i = 0; i < argc; i++)
		if (!strcmp(argv[i], w))
			return true;
	return false;
}

/*
 * dev replace NAME mode MODE ...: the words of dev add, made true whether
 * or not NAME exists, so that a configuration applied twice (lw4o6@.service
 * at every boot, and on reload) converges: created when absent, otherwise
 * one dev set with the line's options and the defaults of those it leaves
 * out.  A device's mode is fixed at creation: another mode is an error,
 * not a silent delete of its bindings.
 */
static int dev_replace(int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], err_msg[256];
	struct dev_info info = { 0, 0, false };
	char *set_argv[2 * N_REPLACE_DEFAULTS + 64];
	struct nlmsghdr *nlh;
	struct dev_args a;
	struct nl *gnl;
	int err, i, n = 0;
	size_t d;

	if (dev_parse(argc, argv, DEV_USE_ADD, &a, err_msg, sizeof(err_msg)))
		return usage_error("dev", "dev replace: %s", err_msg);
	gnl = get_genl();
	if (!gnl)
		return EXIT_ERR;
	nlh = dev_get_req(gnl, buf, a.name);
	err = nl_talk(gnl, nlh, show_cb, &info);
	if (!err && !info.found)
		err = -ENODEV;
	if (err && !if_nametoindex(a.name) &&
	    (err == -ENODEV || err == -ENOENT || err == -EINVAL))
		return dev_add(argc, argv);
	if (err) {
		lookup_error(gnl, nlh, err, "dev replace", a.name);
		return EXIT_ERR;
	}
	if (info.mode != a.mode) {
		errmsg("dev replace: %s is mode %s, not %s (the mode is fixed at creation: 'lw4o6 dev del %s' first)",
		       a.name, mode_name(info.mode), mode_name(a.mode), a.name);
		return EXIT_ERR;
	}
	/* NAME, the defaults the line leaves out, the line but "mode MODE" */
	set_argv[n++] = argv[0];
	for (d = 0; d < N_REPLACE_DEFAULTS; d++) {
		if (!(a.mode == LW4O6_MODE_AFTR ? replace_defaults[d].aftr :
		      replace_defaults[d].other) ||
		    has_word(argc, argv, replace_defaults[d].key))
			continue;
		set_argv[n++] = (char *)replace_defaults[d].key;
		set_argv[n++] = (char *)replace_defaults[d].value;
	}
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "mode") && i + 1 < argc) {
			i++;
			continue;
		}
		if (n == (int)(sizeof(set_argv) / sizeof(set_argv[0])))
			return usage_error("dev", "dev replace: too many words");
		set_argv[n++] = argv[i];
	}
	return dev_set(n, set_argv);
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
	if (!strcmp(argv[1], "set"))
		return dev_set(argc - 2, argv + 2);
	if (!strcmp(argv[1], "replace"))
		return dev_replace(argc - 2, argv + 2);
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
