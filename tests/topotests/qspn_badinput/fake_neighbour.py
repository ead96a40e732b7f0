#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
A hostile neighbour for qspnd, run on a test host that shares a link with a
qspnd router.  It speaks just enough of the protocol to be let in (valid
Hellos, so that qspnd knows it and expects it to dial; system id 1, the
smallest, so it is the side that connects), then sends bad frames on the ETP
session, reconnecting after each:

  oversize   a frame header announcing 4 GiB
  zero       a frame header announcing 0 bytes
  garbage    a frame of random bytes (not a protobuf Packet)
  nobody     a valid Packet with no body
  truncated  a header announcing 100 bytes, 10 bytes, then the close

and prints one line per attack: "<name> <sent|refused>".

usage: fake_neighbour.py IFNAME ROUTER_LINK_LOCAL
"""
import os
import random
import socket
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from lib_qspn.pbwire import PORT, SO_BINDTODEVICE, field, hello_socket, parse_fields  # noqa: E402

MY_LL = "169.254.250.250"
SYSTEM_ID = 1
IDENTITY_ID = 1

ifname = sys.argv[1]
router_ll = sys.argv[2]
rng = random.Random(20261125)


def hello(mac, ts, echo_us=0, echo_sys=0):
    h = field(1, 0, SYSTEM_ID) + field(2, 0, IDENTITY_ID)
    h += field(3, 0, struct.unpack("!I", socket.inet_aton(MY_LL))[0])
    h += field(4, 2, mac) + field(5, 0, ts)
    if echo_us:
        h += field(6, 0, echo_us) + field(7, 0, echo_sys)
    return field(1, 0, 1) + field(2, 0, IDENTITY_ID) + field(20, 2, h)


mac = bytes.fromhex(open("/sys/class/net/%s/address" % ifname).read().strip().replace(":", ""))
sock = hello_socket(ifname)
sock.settimeout(10)

# learn the qspnd router on the link from its hello
target = None
while target is None:
    data, _ = sock.recvfrom(4096)
    pk = parse_fields(data)
    if 20 not in pk:
        continue
    h = parse_fields(pk[20])
    if h.get(1, 0) in (0, SYSTEM_ID) or not h.get(3):
        continue
    if socket.inet_ntoa(struct.pack("!I", h[3])) != router_ll:
        continue
    target = (h[1], socket.inet_ntoa(struct.pack("!I", h[3])))

subprocess.run(["ip", "address", "replace", MY_LL + "/32", "dev", ifname], check=True)
subprocess.run(
    ["ip", "route", "replace", target[1] + "/32", "dev", ifname, "src", MY_LL],
    check=True,
)

stop = False


def hellos():
    "Announce ourselves, and echo the router's hellos (so it measures RTT)."
    sock.settimeout(0.2)
    last = 0
    while not stop:
        now = time.monotonic()
        if now - last > 0.3:
            sock.sendto(hello(mac, int(now * 1e6)), ("255.255.255.255", PORT))
            last = now
        try:
            data, _ = sock.recvfrom(4096)
            h = parse_fields(parse_fields(data)[20])
            if h.get(1) == target[0] and 6 not in h:
                sock.sendto(
                    hello(mac, int(time.monotonic() * 1e6), h[5], h[1]),
                    ("255.255.255.255", PORT),
                )
        except (socket.timeout, KeyError, ValueError, IndexError):
            pass


t = threading.Thread(target=hellos, daemon=True)
t.start()


def session():
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE, ifname.encode())
        s.bind((MY_LL, 0))
        s.settimeout(2)
        try:
            s.connect((target[1], PORT))
            return s
        except OSError:
            s.close()
            time.sleep(0.5)
    raise SystemExit("could not open a session with the router")


attacks = [
    ("oversize", struct.pack("!I", 0xFFFFFFFF)),
    ("zero", struct.pack("!I", 0)),
    ("garbage", (lambda b: struct.pack("!I", len(b)) + b)(
        bytes(rng.getrandbits(8) for _ in range(300)))),
    ("nobody", (lambda b: struct.pack("!I", len(b)) + b)(field(1, 0, 1))),
    ("truncated", struct.pack("!I", 100) + b"\x00" * 10),
]
for name, payload in attacks:
    s = session()
    time.sleep(1.5)  # let the router measure the RTT and add the arc
    try:
        s.sendall(payload)
        # wait for the router to close the session (or give up)
        s.settimeout(5)
        try:
            while s.recv(4096):
                pass
        except OSError:
            pass
        print(name, "sent", flush=True)
    except OSError:
        print(name, "refused", flush=True)
    finally:
        s.close()
stop = True
t.join()
