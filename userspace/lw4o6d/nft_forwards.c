// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The proxy's nftables table, through libnftables in this process: every
 * change is one nft_run_cmd_from_buffer() in nft's own syntax, with the
 * output and error streams buffered in the context, so nothing reaches
 * stdout or stderr except through log.h.  Only what Debian 12's nft 1.0.6
 * knows is used (no "destroy"): an existing table is removed by "add
 * table" + "delete table", which works whether it was there or not.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include <nftables/libnftables.h>

#include "log.h"
#include "nft_forwards.h"
#include "strconv.h"

struct nft_forwards {
	struct nft_ctx *ctx;
	const char *family;		/* "ip": the proxy's; "inet": the guard */
	const char *who;		/* "proxy", "guard": for the log */
	char table[NFT_FORWARDS_TABLE_LEN];
	struct log_limit ll;
};

int nft_forwards_table_name(const char *dev, char *out, size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	const char *prefix = "lw4o6d_";
	size_t n = strlen(prefix);
	const unsigned char *p;

	if (!*dev || cap <= n)
		return -EINVAL;
	memcpy(out, prefix, n);
	for (p = (const unsigned char *)dev; *p; p++) {
		bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			     (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' ||
			     *p == '.';

		if (*p < 0x20 || *p == 0x7f || *p == '"' || *p == '\\')
			return -EINVAL;
		if (n + (plain ? 1 : 3) >= cap)
			return -EINVAL;
		if (plain) {
			out[n++] = (char)*p;
		} else {
			out[n++] = '_';
			out[n++] = hex[*p >> 4];
			out[n++] = hex[*p & 15];
		}
	}
	out[n] = '\0';
	return 0;
}

void nft_text_line(const char *text, unsigned int line, char *out,
		   size_t cap)
{
	size_t n;

	if (!cap)
		return;
	for (; line && *text; line--) {
		text += strcspn(text, "\n");
		if (*text)
			text++;
	}
	text += strspn(text, " \t");
	if (!strncmp(text, "Error: ", 7))
		text += 7;
	n = strcspn(text, "\n");
	if (n >= cap)
		n = cap - 1;
	memcpy(out, text, n);
	out[n] = '\0';
}

/*
 * One command.  On failure nft's reason and the line it refused (else the
 * command's first) are logged at level, when ll lets it (NULL: always);
 * -EIO.
 */
static int run(struct nft_forwards *t, int level, struct log_limit *ll,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int run(struct nft_forwards *t, int level, struct log_limit *ll,
	       const char *fmt, ...)
{
	char cmd[1024], what[128], why[256];
	const char *out, *err;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = nft_run_cmd_from_buffer(t->ctx, cmd);
	/* Reading a buffer also empties it for the next command. */
	out = nft_ctx_get_output_buffer(t->ctx);
	err = nft_ctx_get_error_buffer(t->ctx);
	if (out && *out) {
		nft_text_line(out, 0, why, sizeof(why));
		log_debug("%s: nftables said: %s", t->who, why);
	}
	if (!rc)
		return 0;
	if (!err)
		err = "";
	nft_text_line(*err ? err : "failed", 0, why, sizeof(why));
	nft_text_line(err, 1, what, sizeof(what));
	if (!*what)
		nft_text_line(cmd, 0, what, sizeof(what));
	if (!ll || log_limit_ok(ll))
		log_msg(level, "%s: nftables: \"%s\": %s", t->who, what, why);
	return -EIO;
}

static const char *proto_name(uint8_t p)
{
	return p == IPPROTO_TCP ? "tcp" : "udp";
}

static struct nft_forwards *ctx_open(const char *dev, const char *family,
				     const char *who)
{
	struct nft_forwards *t = calloc(1, sizeof(*t));

	if (!t) {
		log_err("%s: nftables: %s", who, strerror(errno));
		return NULL;
	}
	t->family = family;
	t->who = who;
	t->ll.burst = 10;
	if (nft_forwards_table_name(dev, t->table, sizeof(t->table))) {
		log_err("%s: the device name \"%s\" cannot be used in an nftables rule",
			who, dev);
		free(t);
		return NULL;
	}
	t->ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!t->ctx || nft_ctx_buffer_output(t->ctx) ||
	    nft_ctx_buffer_error(t->ctx)) {
		log_err("%s: cannot set up libnftables", who);
		nft_forwards_close(t);
		return NULL;
	}
	return t;
}

struct nft_forwards *nft_guard_open(const char *dev)
{
	struct nft_forwards *t = ctx_open(dev, "inet", "guard");

	if (!t)
		return NULL;
	/*
	 * A packet this host forwards with one of its own addresses as source
	 * is spoofed: nothing else sends from them.  In particular one from
	 * the softwire's local IPv6 address speaks for this B4 at the AFTR
	 * (it could take our mapping's nonce, #11 item 9).  IPv4 martians
	 * are dropped by the kernel already (accept_local 0); IPv6 has no
	 * such check.  inet: both, whatever the sysctls say.
	 */
	if (run(t, LOG_ERR, NULL,
		"add table inet %s\n"
		"delete table inet %s\n"
		"table inet %s {\n"
		"  chain guard {\n"
		"    type filter hook forward priority filter - 10; policy accept;\n"
		"    fib saddr type local counter drop\n"
		"  }\n"
		"}\n", t->table, t->table, t->table)) {
		log_err("guard: cannot create nftables table inet %s", t->table);
		nft_ctx_free(t->ctx);
		free(t);
		return NULL;
	}
	return t;
}

struct nft_forwards *nft_forwards_open(const char *dev)
{
	struct nft_forwards *t = ctx_open(dev, "ip", "proxy");

	if (!t)
		return NULL;
	/* Our own table, made afresh: forwards do not outlive the daemon. */
	if (run(t, LOG_ERR, NULL,
		"add table ip %s\n"
		"delete table ip %s\n"
		"table ip %s {\n"
		"  map forwards { type inet_proto . inet_service : ipv4_addr . inet_service; }\n"
		"  chain pre {\n"
		"    type nat hook prerouting priority dstnat; policy accept;\n"
		"    iifname \"%s\" dnat ip to meta l4proto . th dport map @forwards\n"
		"  }\n"
		"}\n", t->table, t->table, t->table, dev)) {
		log_err("proxy: cannot create nftables table ip %s", t->table);
		nft_ctx_free(t->ctx);
		free(t);
		return NULL;
	}
	return t;
}

void nft_forwards_close(struct nft_forwards *t)
{
	if (!t)
		return;
	if (t->ctx) {
		run(t, LOG_WARNING, NULL, "add table %s %s\ndelete table %s %s\n",
		    t->family, t->table, t->family, t->table);
		nft_ctx_free(t->ctx);
	}
	free(t);
}

int nft_forwards_add(struct nft_forwards *t, uint8_t protocol,
		     uint16_t external_port, uint32_t host,
		     uint16_t internal_port)
{
	char a4[FMT_IPV4_LEN];

	return run(t, LOG_WARNING, &t->ll,
		   "add element ip %s forwards { %s . %u : %s . %u }\n",
		   t->table, proto_name(protocol), external_port,
		   fmt_ipv4(host, a4), internal_port);
}

int nft_forwards_del(struct nft_forwards *t, uint8_t protocol,
		     uint16_t external_port)
{
	return run(t, LOG_WARNING, &t->ll,
		   "delete element ip %s forwards { %s . %u }\n",
		   t->table, proto_name(protocol), external_port);
}

const char *nft_forwards_table(const struct nft_forwards *t)
{
	return t->table;
}
