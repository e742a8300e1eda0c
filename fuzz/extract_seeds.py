#!/usr/bin/env python3
"""Extracts OSPFv2 payloads (and the LSAs of LS Updates) from the capture vectors in
ospf-core/tests/data into fuzz/seeds/<target>/, keeping a few dozen small, varied files."""
import hashlib, os, struct, sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
DATA = os.path.join(ROOT, "ospf-core", "tests", "data")
OUT = os.path.join(ROOT, "fuzz", "seeds")

def frames(path):
    b = open(path, "rb").read()
    if b[:4] == b"\x0a\x0d\x0d\x0a":
        at, be, links = 0, False, []
        while at + 12 <= len(b):
            if b[at:at + 4] == b"\x0a\x0d\x0d\x0a":
                be = b[at + 8:at + 12] == b"\x1a\x2b\x3c\x4d"
                links = []
            e = ">" if be else "<"
            btype, blen = struct.unpack(e + "II", b[at:at + 8])
            body = b[at + 8:at + blen - 4]
            if btype == 1:
                links.append(struct.unpack(e + "H", body[:2])[0])
            elif btype == 6:
                ifc, _, _, cap, _ = struct.unpack(e + "IIIII", body[:20])
                yield links[ifc], body[20:20 + cap]
            at += blen
    else:
        e = ">" if b[:4] in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d") else "<"
        link = struct.unpack(e + "I", b[20:24])[0] & 0x0FFFFFFF
        at = 24
        while at + 16 <= len(b):
            cap = struct.unpack(e + "I", b[at + 8:at + 12])[0]
            yield link, b[at + 16:at + 16 + cap]
            at += 16 + cap

def ospf(link, f):
    if link == 1:
        at = 12
        while f[at:at + 2] in (b"\x81\x00", b"\x88\xa8"):
            at += 4
        if f[at:at + 2] != b"\x08\x00":
            return None
        ip = f[at + 2:]
    elif link in (0, 108):
        ip = f[4:]
    else:
        return None
    if len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != 89:
        return None
    total = struct.unpack(">H", ip[2:4])[0]
    return ip[(ip[0] & 15) * 4:total]

def lsas(pkt):
    if len(pkt) < 28 or pkt[1] != 4:
        return
    plen = struct.unpack(">H", pkt[2:4])[0]
    at, end = 28, plen
    count = struct.unpack(">I", pkt[24:28])[0]
    for _ in range(count):
        if at + 20 > end:
            return
        n = struct.unpack(">H", pkt[at + 18:at + 20])[0]
        if n < 20 or at + n > end:
            return
        yield pkt[at:at + n]
        at += n

def main():
    pkts, lsa_list = [], []
    for d in ("frr-bird", "tcpdump"):
        for name in sorted(os.listdir(os.path.join(DATA, d))):
            if name.endswith((".pcap", ".pcapng")):
                for link, f in frames(os.path.join(DATA, d, name)):
                    p = ospf(link, f)
                    if p:
                        pkts.append(p)
                        lsa_list.extend(lsas(p))
    def pick(items, key, per_key, limit):
        seen, out = {}, []
        for it in sorted(set(items), key=lambda x: (len(x), x)):
            k = key(it)
            if seen.get(k, 0) < per_key:
                seen[k] = seen.get(k, 0) + 1
                out.append(it)
        return out[:limit]
    # packets: by (type, AuType, has trailer)
    pk = pick(pkts, lambda p: (p[1], p[14:16], len(p) > struct.unpack(">H", p[2:4])[0]), 4, 48)
    ls = pick(lsa_list, lambda l: l[3], 5, 48)
    for target, items in (("decode_packet", pk), ("roundtrip", pk), ("decode_lsa", ls)):
        d = os.path.join(OUT, target)
        os.makedirs(d, exist_ok=True)
        for it in items:
            open(os.path.join(d, hashlib.sha1(it).hexdigest()[:16]), "wb").write(it)
        print(target, len(items), file=sys.stderr)

main()
