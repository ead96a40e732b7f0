#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
An on-link attacker for qspn_auth, run on a test host: it captures hellos
and replays them, or floods forged ones.

  hello_tool.py capture IFNAME FILE SECONDS [SYSTEM_ID_HEX]
      write every hello heard in SECONDS (of SYSTEM_ID, if given) to FILE,
      one hex line each; print "captured N"
  hello_tool.py replay IFNAME FILE
      broadcast every hello of FILE again; print "replayed N"
  hello_tool.py flood IFNAME COUNT
      broadcast COUNT hellos from random senders, with a well-formed
      trailer (key id 1, HMAC-SHA-256) and a random MAC; print "flooded N"
"""
import os
import random
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from lib_qspn.pbwire import PORT, field, hello_socket, parse_fields  # noqa: E402


def sender_of(dgram):
    "The system id of a hello (field 20, then field 1), or None."
    try:
        return parse_fields(parse_fields(dgram)[20]).get(1)
    except (IndexError, KeyError, TypeError, ValueError):
        return None


def capture(ifname, path, seconds, want):
    s = hello_socket(ifname)
    s.settimeout(0.2)
    end = time.time() + seconds
    got = []
    while time.time() < end:
        try:
            d, _ = s.recvfrom(2048)
        except socket.timeout:
            continue
        if want is None or sender_of(d) == want:
            got.append(d.hex())
    with open(path, "w") as f:
        f.write("\n".join(got) + "\n")
    print("captured", len(got))


def replay(ifname, path):
    s = hello_socket(ifname, bind=False)
    n = 0
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                s.sendto(bytes.fromhex(line), ("255.255.255.255", PORT))
                n += 1
                time.sleep(0.01)
    print("replayed", n)


def forged(rng):
    sysid = rng.getrandbits(63) | 1
    mac = bytes([2]) + rng.getrandbits(40).to_bytes(5, "big")
    h = (
        field(1, 0, sysid)
        + field(2, 0, sysid)
        + field(3, 0, 0xA9FE0000 | rng.getrandbits(16))
        + field(4, 2, mac)
        + field(5, 0, int(time.time() * 1e6))
    )
    body = field(1, 0, 1) + field(2, 0, sysid) + field(20, 2, h)
    m = 32
    L = 46 + m + 1
    hdr = b"QA" + bytes([1, 1]) + struct.pack(
        ">IQIBBQQQ", 1, rng.getrandbits(64), rng.getrandbits(32), 0, 0, 0, 0, 0
    )
    return body + bytes([0x7A, L]) + hdr + os.urandom(m) + bytes([L])


def flood(ifname, count):
    s = hello_socket(ifname, bind=False)
    rng = random.Random(14)
    for i in range(count):
        s.sendto(forged(rng), ("255.255.255.255", PORT))
    print("flooded", count)


if __name__ == "__main__":
    cmd, ifname = sys.argv[1], sys.argv[2]
    if cmd == "capture":
        want = int(sys.argv[5], 16) if len(sys.argv) > 5 else None
        capture(ifname, sys.argv[3], float(sys.argv[4]), want)
    elif cmd == "replay":
        replay(ifname, sys.argv[3])
    elif cmd == "flood":
        flood(ifname, int(sys.argv[3]))
    else:
        sys.exit("unknown command " + cmd)
