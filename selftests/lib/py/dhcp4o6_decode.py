# SPDX-License-Identifier: GPL-2.0
"""Check a capture of DHCPv6 with tshark 4.0, DHCPv4-over-DHCPv6 included.

  dhcp4o6_decode.py FILE [FILTER]

1. tshark reads FILE: every DHCPv6 packet (those FILTER, a display filter,
   selects, when given) must decode with no malformed field and no expert
   error.
2. tshark does not look inside DHCPV4-QUERY (20) and DHCPV4-RESPONSE (21):
   the DHCPv6 payload of each (under any number of RELAY-FORW/REPL) is
   walked here, option 87 taken out and put, as the payload of UDP 68 -> 67
   (query) or 67 -> 68 (response) over IPv4, in a second capture that
   tshark decodes as DHCP: none may be malformed or carry an expert error.
   A message 20/21 without exactly one option 87, or whose options overrun,
   fails too, and so does an option 87 that is no DHCPv4 message (shorter
   than 240 bytes, no magic cookie, an option cut, no end option): tshark
   reads those as BOOTP without complaint.
Prints one summary line ("dhcpv6 N, with-87 M (query Q, response R),
errors E") and a line per problem; exit 0 when clean and N > 0, else 1.
"""
import os
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from inetsum import csum  # noqa: E402

ERROR = 0x00800000  # PI_ERROR in _ws.expert.severity


def tshark(args):
    r = subprocess.run(["tshark", "-n"] + args, capture_output=True, text=True)
    if r.returncode:
        raise SystemExit("tshark %s failed: %s" % (" ".join(args), r.stderr.strip()))
    return r.stdout


def problems(pcap, flt):
    """Frames matching flt that are malformed or hold an expert error."""
    out = tshark(["-r", pcap, "-Y", "(%s) && (_ws.malformed || _ws.expert.severity >= %d)"
                  % (flt, ERROR), "-T", "fields", "-e", "frame.number",
                  "-e", "_ws.expert.message", "-e", "_ws.malformed"])
    return [ln for ln in out.splitlines() if ln.strip()]


def walk(b):
    """(type, [option 87 payloads]) of a DHCPv6 message under its relays."""
    while b and b[0] in (12, 13):
        if len(b) < 34:
            raise ValueError("relay header cut")
        inner = [d for c, d in opts6(b[34:]) if c == 9]
        if len(inner) != 1:
            raise ValueError("relay message with %d RELAY_MSG" % len(inner))
        b = inner[0]
    if len(b) < 4:
        raise ValueError("message of %d bytes" % len(b))
    return b[0], [d for c, d in opts6(b[4:]) if c == 87]


def opts6(b):
    out, i = [], 0
    while i < len(b):
        if i + 4 > len(b):
            raise ValueError("option header cut")
        c, n = struct.unpack_from("!HH", b, i)
        if i + 4 + n > len(b):
            raise ValueError("option %d overruns" % c)
        out.append((c, b[i + 4:i + 4 + n]))
        i += 4 + n
    return out


def bootp_check(b):
    """What tshark lets pass: a DHCPv4 message shorter than its header, without
    the magic cookie, an option past the end or no end option (RFC 2131)."""
    if len(b) < 240:
        raise ValueError("BOOTP message of %d bytes" % len(b))
    if b[236:240] != b"\x63\x82\x53\x63":
        raise ValueError("no magic cookie")
    i = 240
    while i < len(b) and b[i] != 255:
        if b[i] == 0:
            i += 1
            continue
        if i + 2 > len(b) or i + 2 + b[i + 1] > len(b):
            raise ValueError("DHCPv4 option %d cut" % b[i])
        i += 2 + b[i + 1]
    if i >= len(b):
        raise ValueError("no end option")


def ipv4_udp(payload, sport, dport):
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                     bytes([10, 0, 0, 2]), bytes([10, 0, 0, 1]))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return ip + udp


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    pcap = sys.argv[1]
    flt = "dhcpv6" + (" && (%s)" % sys.argv[2] if len(sys.argv) > 2 else "")
    bad = ["frame %s" % p for p in problems(pcap, flt)]
    rows = tshark(["-r", pcap, "-Y", flt, "-T", "fields", "-e", "frame.number",
                   "-e", "udp.payload"]).splitlines()
    n, q, r, recs = 0, 0, 0, []
    for row in rows:
        num, _, hexp = row.partition("\t")
        if not hexp:
            continue
        n += 1
        try:
            t, m = walk(bytes.fromhex(hexp.replace(":", "")))
        except ValueError as e:
            bad.append("frame %s: DHCPv6 %s" % (num, e))
            continue
        if t not in (20, 21):
            continue
        if len(m) != 1:
            bad.append("frame %s: message %d with %d option 87" % (num, t, len(m)))
            continue
        try:
            bootp_check(m[0])
        except ValueError as e:
            bad.append("frame %s: option 87: %s" % (num, e))
        q += t == 20
        r += t == 21
        recs.append((num, ipv4_udp(m[0], 68, 67) if t == 20 else ipv4_udp(m[0], 67, 68)))
    if recs:
        with tempfile.NamedTemporaryFile(suffix=".pcap", delete=False) as f:
            f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 228))
            for i, (_, pkt) in enumerate(recs):
                f.write(struct.pack("<IIII", i, 0, len(pkt), len(pkt)) + pkt)
            inner = f.name
        try:
            decoded = tshark(["-r", inner, "-Y", "dhcp", "-T", "fields", "-e", "frame.number"])
            nd = len([x for x in decoded.splitlines() if x.strip()])
            if nd != len(recs):
                bad.append("only %d of %d option 87 payloads decode as DHCP" % (nd, len(recs)))
            for p in problems(inner, "frame"):
                num = int(p.split("\t")[0]) - 1
                bad.append("frame %s: option 87: %s" % (recs[num][0], p.split("\t", 1)[1]))
        finally:
            os.unlink(inner)
    print("dhcpv6 %d, with-87 %d (query %d, response %d), errors %d" % (n, q + r, q, r, len(bad)))
    for b in bad:
        print("  " + b)
    return 0 if n and not bad else 1


if __name__ == "__main__":
    sys.exit(main())
