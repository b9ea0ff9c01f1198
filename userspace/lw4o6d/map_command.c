// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * "lw4o6d map ...": one PCP MAP request to any PCP server, retransmitted
 * at 1, 2, 4 s up to "wait", and the answer printed.  It shares nothing
 * with the daemon but the PCP codec.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "map_command.h"
#include "pcp.h"
#include "strconv.h"
#include "wire.h"

static void usage(FILE *f)
{
	fputs("Usage: lw4o6d map SERVER PROTO PORT [ lifetime SECONDS ] [ suggest ADDR PORT ]\n"
	      "                  [ port-set SIZE ] [ nonce HEX24 ] [ prefer-failure ] [ wait SECONDS ]\n"
	      "SERVER := IPv4 or IPv6 address of a PCP server (port 5351)\n"
	      "PROTO  := udp | tcp | all   (all with PORT 0: every port)\n"
	      "One MAP request, retransmitted at 1, 2, 4 s up to wait (default 8 s);\n"
	      "prints the answer.  Exit 0: success, 1: refused or no answer, 2: bad usage.\n",
	      f);
}

static int bad(const char *fmt, const char *word)
{
	fprintf(stderr, "lw4o6d map: ");
	fprintf(stderr, fmt, word);
	fputc('\n', stderr);
	usage(stderr);
	return 2;
}

static int hexnonce(const char *s, uint8_t *n)
{
	int i;

	if (strlen(s) != 24)
		return -1;
	for (i = 0; i < 12; i++) {
		unsigned int v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		n[i] = (uint8_t)v;
	}
	return 0;
}

int map_command_main(int argc, char **argv)
{
	struct sockaddr_storage ss = { 0 }, me;
	socklen_t sl, ml = sizeof(me);
	struct pcp_msg m, r;
	uint8_t buf[PCP_MAX_LEN + 4];
	uint32_t v, v4, wait_s = 8;
	char a4[FMT_IPV4_LEN], a6[FMT_IPV6_LEN];
	int fd, i, t, tries;
	size_t len;
	ssize_t n;

	if (argc >= 2 && !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (argc < 4) {
		usage(stderr);
		return 2;
	}
	memset(&m, 0, sizeof(m));
	m.version = PCP_VERSION;
	m.opcode = PCP_OP_MAP;
	m.lifetime = 120;
	if (getrandom(m.nonce, sizeof(m.nonce), 0) != sizeof(m.nonce)) {
		fprintf(stderr, "lw4o6d map: no random nonce: %s\n", strerror(errno));
		return 1;
	}
	if (!parse_ipv4(argv[1], &v4)) {
		struct sockaddr_in *s = (struct sockaddr_in *)&ss;

		s->sin_family = AF_INET;
		s->sin_addr.s_addr = v4;
		s->sin_port = htons(PCP_SERVER_PORT);
		sl = sizeof(*s);
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ss;

		if (parse_ipv6(argv[1], &s->sin6_addr))
			return bad("invalid server address \"%s\"", argv[1]);
		s->sin6_family = AF_INET6;
		s->sin6_port = htons(PCP_SERVER_PORT);
		sl = sizeof(*s);
	}
	if (!strcmp(argv[2], "udp"))
		m.protocol = IPPROTO_UDP;
	else if (!strcmp(argv[2], "tcp"))
		m.protocol = IPPROTO_TCP;
	else if (strcmp(argv[2], "all"))
		return bad("PROTO must be udp, tcp or all, not \"%s\"", argv[2]);
	if (parse_u32(argv[3], 65535, &v))
		return bad("invalid PORT \"%s\"", argv[3]);
	m.internal_port = (uint16_t)v;
	for (i = 4; i < argc; i++) {
		const char *k = argv[i];

		if (!strcmp(k, "prefer-failure")) {
			m.prefer_failure = true;
			continue;
		}
		if (i + 1 >= argc)
			return bad("\"%s\" needs a value", k);
		if (!strcmp(k, "lifetime")) {
			if (parse_u32(argv[++i], UINT32_MAX, &m.lifetime))
				return bad("invalid lifetime \"%s\"", argv[i]);
		} else if (!strcmp(k, "suggest")) {
			if (i + 2 >= argc)
				return bad("\"%s\" needs ADDR PORT", k);
			if (!parse_ipv4(argv[++i], &v4))
				pcp_v4mapped(v4, &m.external);
			else if (parse_ipv6(argv[i], &m.external))
				return bad("invalid suggested address \"%s\"", argv[i]);
			if (parse_u32(argv[++i], 65535, &v))
				return bad("invalid suggested port \"%s\"", argv[i]);
			m.external_port = (uint16_t)v;
		} else if (!strcmp(k, "port-set")) {
			if (parse_u32(argv[++i], 65535, &v) || !v)
				return bad("invalid port-set size \"%s\"", argv[i]);
			m.port_set.present = true;
			m.port_set.size = (uint16_t)v;
			m.port_set.first = m.internal_port;
		} else if (!strcmp(k, "nonce")) {
			if (hexnonce(argv[++i], m.nonce))
				return bad("nonce must be 24 hex digits, not \"%s\"", argv[i]);
		} else if (!strcmp(k, "wait")) {
			if (parse_u32(argv[++i], 3600, &wait_s) || !wait_s)
				return bad("invalid wait \"%s\"", argv[i]);
		} else {
			return bad("unknown keyword \"%s\"", k);
		}
	}
	fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, sl) ||
	    getsockname(fd, (struct sockaddr *)&me, &ml)) {
		fprintf(stderr, "lw4o6d map: %s\n", strerror(errno));
		return 1;
	}
	/* The client address field is the source the server will see. */
	if (me.ss_family == AF_INET)
		pcp_v4mapped(((struct sockaddr_in *)&me)->sin_addr.s_addr, &m.client);
	else
		m.client = ((struct sockaddr_in6 *)&me)->sin6_addr;
	/* RFC 6887 11.1: no suggestion is the all-zero address of the family */
	if (!m.external_port && ss.ss_family == AF_INET)
		pcp_v4mapped(0, &m.external);
	len = pcp_build(&m, buf, sizeof(buf));
	if (!len) {
		fprintf(stderr, "lw4o6d map: cannot build that request\n");
		return 2;
	}
	for (tries = 0, t = 1000; (uint32_t)(t - 1000) < wait_s * 1000; tries++, t *= 2) {
		struct pollfd p = { fd, POLLIN, 0 };
		/* t - 1000 ms have passed: wait no longer than "wait" in all */
		int left = (int)(wait_s * 1000 - (uint32_t)(t - 1000));

		if (send(fd, buf, len, 0) < 0 && errno != ECONNREFUSED) {
			fprintf(stderr, "lw4o6d map: %s\n", strerror(errno));
			return 1;
		}
		while (poll(&p, 1, t < left ? t : left) > 0) {
			uint8_t rb[PCP_MAX_LEN + 4];

			n = recv(fd, rb, sizeof(rb), 0);
			if (n < 0)
				break;
			if (pcp_parse(rb, (size_t)n, &r) || !r.response ||
			    r.opcode != PCP_OP_MAP ||
			    memcmp(r.nonce, m.nonce, sizeof(m.nonce)))
				continue;
			printf("result %s lifetime %u epoch %u",
			       pcp_result_name(r.result), r.lifetime, r.epoch);
			if (!r.result) {
				if (pcp_is_v4mapped(&r.external, &v4))
					printf(" external %s", fmt_ipv4(v4, a4));
				else
					printf(" external %s", fmt_ipv6(&r.external, a6));
				printf(" port %u", r.external_port);
				if (r.port_set.present)
					printf(" port-set %u first %u", r.port_set.size,
					       r.port_set.first);
				if (r.port_params.present)
					printf(" psid %u/%u offset %u", r.port_params.psid,
					       r.port_params.psid_len,
					       r.port_params.offset);
			}
			putchar('\n');
			close(fd);
			return r.result ? 1 : 0;
		}
	}
	fprintf(stderr, "lw4o6d map: no answer after %d tries\n", tries);
	close(fd);
	return 1;
}
