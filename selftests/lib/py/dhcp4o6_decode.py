# SPDX-License-Identifier: GPL-2.0
"""Check a capture of DHCPv6 with tshark 4.0, DHCPv4-over-DHCPv6 included.

  dhcp4o6_decode.py FILE [FILTER]

1. tshark reads FILE: every DHCPv6 packet (those FILTER, a display filter,
   selects, when given) must decode with no malformed field and no expert
   error.
   tshark stops quietly at an option that overruns its message: the options
   (under relays, inside S46_CONT_LW too) are walked here as well.
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


def frames(pcap, flt):
    """[(frame number, problem or None, UDP payload)] of the frames flt
    selects, in one tshark run (it is slow in the VM): the problem is a
    malformed field or an expert error."""
    out = tshark(["-r", pcap, "-Y", flt, "-T", "fields", "-E", "occurrence=a",
                  "-e", "frame.number", "-e", "_ws.malformed", "-e", "_ws.expert.severity",
                  "-e", "_ws.expert.message", "-e", "udp.payload"])
    rows = []
    for ln in out.splitlines():
        f = ln.split("\t")
        if len(f) < 5 or not f[0]:
            continue
        sev = [int(x) for x in f[2].split(",") if x.strip().isdigit()]
        bad = f[1] or any(x >= ERROR for x in sev)
        rows.append((f[0], ("%s %s" % (f[1], f[3])).strip() if bad else None, f[4]))
    return rows


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
    opts = opts6(b[4:])
    for c, d in opts:
        if c == 96:  # S46_CONT_LW: its options, S46_V4V6BIND's too
            for sc, sd in opts6(d):
                if sc == 92:
                    if len(sd) < 5 or len(sd) < 5 + (sd[4] + 7) // 8:
                        raise ValueError("S46_V4V6BIND cut")
                    opts6(sd[5 + (sd[4] + 7) // 8:])
    return b[0], [d for c, d in opts if c == 87]


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


def read_pcap(path):
    """(linktype, [frame bytes]) of a pcap file (not pcapng)."""
    with open(path, "rb") as f:
        b = f.read()
    if len(b) < 24:
        raise SystemExit("%s: not a pcap file" % path)
    magic = struct.unpack_from("<I", b)[0]
    if magic in (0xa1b2c3d4, 0xa1b23c4d):
        e = "<"
    elif magic in (0xd4c3b2a1, 0x4d3cb2a1):
        e = ">"
    else:
        raise SystemExit("%s: not a pcap file (pcapng?)" % path)
    lt = struct.unpack_from(e + "I", b, 20)[0]
    out, i = [], 24
    while i + 16 <= len(b):
        incl = struct.unpack_from(e + "I", b, i + 8)[0]
        out.append(b[i + 16:i + 16 + incl])
        i += 16 + incl
    return lt, out


def as_ethernet(lt, fr):
    """A frame of link type lt as an Ethernet frame (for one output file)."""
    if lt == 1:
        return fr
    if lt in (101, 228, 229, 12, 14):  # raw IP
        et = 0x86dd if fr and fr[0] >> 4 == 6 else 0x0800
    elif lt == 113 and len(fr) >= 16:  # Linux cooked
        et, fr = struct.unpack_from("!H", fr, 14)[0], fr[16:]
    else:
        raise SystemExit("link type %d not handled" % lt)
    return bytes(6) + bytes([2, 0, 0, 0, 0, 1]) + struct.pack("!H", et) + fr


def udp6_payload(eth):
    """The UDP payload of an Ethernet frame holding IPv6/UDP (no extension
    headers), else None."""
    if len(eth) < 62 or eth[12:14] != b"\x86\xdd" or eth[20] != 17:
        return None
    return eth[62:]


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    pcap = sys.argv[1]
    flt = "dhcpv6" + (" && (%s)" % sys.argv[2] if len(sys.argv) > 2 else "")
    lt, raw = read_pcap(pcap)
    outer = [as_ethernet(lt, fr) for fr in raw]
    nout = len(outer)
    # Option 87 of each message 20/21, as DHCP over IPv4 appended after the
    # capture's own frames: tshark reads both in one run (seconds in the VM).
    inner, inner_of, early = [], {}, {}
    for num, fr in enumerate(outer, 1):
        pl = udp6_payload(fr)
        if pl is None:
            continue
        try:
            t, m = walk(pl)
        except ValueError as e:
            early[num] = "DHCPv6 %s" % e
            continue
        if t not in (20, 21):
            continue
        if len(m) != 1:
            early[num] = "message %d with %d option 87" % (t, len(m))
            continue
        try:
            bootp_check(m[0])
        except ValueError as e:
            early[num] = "option 87: %s" % e
        pkt = ipv4_udp(m[0], 68, 67) if t == 20 else ipv4_udp(m[0], 67, 68)
        inner.append(bytes(6) + bytes([2, 0, 0, 0, 0, 1]) + b"\x08\x00" + pkt)
        inner_of[nout + len(inner)] = (num, t)
    with tempfile.NamedTemporaryFile(suffix=".pcap", delete=False) as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
        for i, fr in enumerate(outer + inner):
            f.write(struct.pack("<IIII", i, 0, len(fr), len(fr)) + fr)
        both = f.name
    try:
        rows = frames(both, "(%s) || frame.number > %d" % (flt, nout))
    finally:
        os.unlink(both)
    bad, n, q, r, selected, decoded = [], 0, 0, 0, set(), {}
    for num, prob, hexp in rows:
        num = int(num)
        if num <= nout:
            n += 1
            selected.add(num)
            if prob:
                bad.append("frame %d: %s" % (num, prob))
            if not hexp:
                bad.append("frame %d: no UDP payload" % num)
            if num in early:
                bad.append("frame %d: %s" % (num, early[num]))
        else:
            decoded[num] = prob
    for num, (o, t) in inner_of.items():
        if o not in selected:
            continue
        q += t == 20
        r += t == 21
        if num not in decoded:
            bad.append("frame %d: option 87 does not decode as DHCP" % o)
        elif decoded[num]:
            bad.append("frame %d: option 87: %s" % (o, decoded[num]))
    print("dhcpv6 %d, with-87 %d (query %d, response %d), errors %d" % (n, q + r, q, r, len(bad)))
    for b in bad:
        print("  " + b)
    return 0 if n and not bad else 1


if __name__ == "__main__":
    sys.exit(main())
