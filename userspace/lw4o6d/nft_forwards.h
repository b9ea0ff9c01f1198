/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The proxy's forwards as nftables state, through libnftables (no shell,
 * no nft process): one table per daemon, "ip lw4o6d_DEVICE", holding the
 * map "forwards" (protocol . external port : LAN host . internal port)
 * and a prerouting chain that DNATs packets arriving on DEVICE by it.
 * nft's output and error text are captured and logged, never printed.
 */
#ifndef LW4O6D_NFT_FORWARDS_H
#define LW4O6D_NFT_FORWARDS_H

#include <stddef.h>
#include <stdint.h>

/* Room for "lw4o6d_" and a device name with every byte escaped. */
#define NFT_FORWARDS_TABLE_LEN	64

struct nft_forwards;

/*
 * The table for device dev, made afresh (one an earlier run left is
 * replaced in the same transaction).  NULL after logging why.
 */
struct nft_forwards *nft_forwards_open(const char *dev);
/*
 * The forward guard for device dev: table "inet lw4o6d_DEVICE", a chain
 * on the forward hook that drops (and counts) packets sourced from this
 * host's own addresses.  Made afresh; NULL after logging why.  Closed
 * with nft_forwards_close().
 */
struct nft_forwards *nft_guard_open(const char *dev);
/* Removes the table (if it is still there) and frees t; t may be NULL. */
void nft_forwards_close(struct nft_forwards *t);
/* protocol is IPPROTO_TCP or IPPROTO_UDP; host in network order. 0 or -EIO, logged. */
int nft_forwards_add(struct nft_forwards *t, uint8_t protocol,
		     uint16_t external_port, uint32_t host,
		     uint16_t internal_port);
int nft_forwards_del(struct nft_forwards *t, uint8_t protocol,
		     uint16_t external_port);
/* "lw4o6d_b0" */
const char *nft_forwards_table(const struct nft_forwards *t);

/*
 * The table's name for device dev: "lw4o6d_" and the name, each byte other
 * than a letter, digit, '_', '-' or '.' written as '_' and two hex digits
 * (nft takes nothing else in a name).  -EINVAL for a name that cannot be
 * written in the chain's iifname string (a '"', '\\' or control byte) or
 * does not fit in cap.
 */
int nft_forwards_table_name(const char *dev, char *out, size_t cap);

/*
 * Line n (from 0) of nft's text, without leading blanks or "Error: ", at most
 * cap - 1 bytes; "" past the end.  nft's error text is the reason, then
 * the line it refused, then carets under the culprit.
 */
void nft_text_line(const char *text, unsigned int n, char *out, size_t cap);

#endif
