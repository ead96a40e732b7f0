#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
Send bad datagrams to qspnd's hello port on a link, from a test host:
random bytes, every truncation of a real hello captured on the link, an
oversized datagram, a valid packet that is not a hello, and a hello whose
fields break the rules.  Prints how many it sent.

usage: garbage.py IFNAME
"""
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from lib_qspn.pbwire import PORT, hello_socket  # noqa: E402


ifname = sys.argv[1]
rng = random.Random(20261125)


s = hello_socket(ifname)
s.settimeout(5)
# a real hello from the other side of the link (not from our own qspnd:
# take one that is followed by ... any; both have the same shape)
real, _ = s.recvfrom(4096)

bad = []
bad += [bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 200))) for _ in range(50)]
bad += [real[:i] for i in range(1, len(real))]
bad.append(b"\x08\x01" + b"\xff" * 3000)  # oversized
bad.append(b"\x08\x01")  # version only: not a hello
bad.append(b"\x08\x02" + real[2:])  # another version
# Every datagram above is certainly invalid (truncations end inside the
# hello or before it; the others break the framing or the version).  Bit
# flips of a real hello may decode to a valid hello: they are sent for
# robustness, not counted.
certain = len(bad)
for i in range(len(real)):
    b = bytearray(real)
    b[i] ^= 0xFF
    bad.append(bytes(b))

for b in bad:
    s.sendto(b, ("255.255.255.255", PORT))
print(certain, len(bad))
