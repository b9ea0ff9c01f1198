# SPDX-License-Identifier: GPL-2.0
"""The Internet checksum (RFC 1071), for the test helpers that build
packets by hand: IPv4 headers, UDP/ICMP with their pseudo-headers."""
import struct


def csum(b):
    """One's complement of the one's-complement sum of b's 16-bit words."""
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s >> 16) + (s & 0xffff)
    return ~s & 0xffff
