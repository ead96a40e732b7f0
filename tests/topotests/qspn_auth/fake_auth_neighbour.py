#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
A neighbour for qspn_auth that holds the key (so that it gets in: signed
hellos, the router's challenge answered) and then misbehaves on the ETP
session (doc/security.md, "ETP session"):

  badmac    session up, then a well-formed frame signed with the wrong key
  replay    session up, then its last signed frame sent again
  oldframe  a second session: the first frames of the first one replayed
            into it (other nonces)

prints one line per attack: "<name> <closed|open>", closed when the router
ended the session.

usage: fake_auth_neighbour.py IFNAME ROUTER_LINK_LOCAL KEY
"""
import hashlib
import hmac
import os
import socket
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from lib_qspn.pbwire import PORT, SO_BINDTODEVICE, field, hello_socket, parse_fields  # noqa: E402

MY_LL = "169.254.250.251"
SYSTEM_ID = 2
ALGO = 1  # HMAC-SHA-256

ifname, router_ll, key = sys.argv[1], sys.argv[2], sys.argv[3].encode()
index = int.from_bytes(os.urandom(8), "big")
pc = 0
reply_nonce = 0


def seal(body, flags=0, reply=0):
    "The hello trailer (lib/qspn_auth.h)."
    global pc
    pc += 1
    L = 46 + 32 + 1
    hdr = b"QA" + bytes([1, ALGO]) + struct.pack(
        ">IQIBBQQQ", 1, index, pc, flags, 0, 0, 0, reply)
    pre = body + bytes([0x7A, L]) + hdr
    return pre + hmac.new(key, pre, hashlib.sha256).digest() + bytes([L])


def hello(mac, ts, echo_us=0, echo_sys=0):
    global reply_nonce
    h = field(1, 0, SYSTEM_ID) + field(2, 0, SYSTEM_ID)
    h += field(3, 0, struct.unpack("!I", socket.inet_aton(MY_LL))[0])
    h += field(4, 2, mac) + field(5, 0, ts)
    if echo_us:
        h += field(6, 0, echo_us) + field(7, 0, echo_sys)
    body = field(1, 0, 1) + field(2, 0, SYSTEM_ID) + field(20, 2, h)
    r, reply_nonce = reply_nonce, 0
    return seal(body, 2 if r else 0, r)


def trailer(data):
    "A router hello's challenge request to us: its nonce, or 0."
    L = data[-1]
    t = data[len(data) - L :]
    if len(data) < L + 2 or t[:2] != b"QA":
        return 0
    flags = t[20]
    target, req = struct.unpack(">QQ", t[22:38])
    return req if flags & 1 and target == SYSTEM_ID else 0


mac = bytes.fromhex(open("/sys/class/net/%s/address" % ifname).read().strip().replace(":", ""))
sock = hello_socket(ifname)
subprocess.run(["ip", "address", "replace", MY_LL + "/32", "dev", ifname], check=True)
subprocess.run(["ip", "route", "replace", router_ll + "/32", "dev", ifname, "src", MY_LL],
               check=True)
stop = False


def hellos():
    global reply_nonce
    sock.settimeout(0.1)
    last = 0
    while not stop:
        now = time.monotonic()
        if now - last > 0.3:
            sock.sendto(hello(mac, int(now * 1e6)), ("255.255.255.255", PORT))
            last = now
        try:
            data, _ = sock.recvfrom(4096)
            h = parse_fields(parse_fields(data)[20])
            if h.get(1) == SYSTEM_ID:
                continue
            n = trailer(data)
            if n:
                reply_nonce = n
                sock.sendto(hello(mac, int(time.monotonic() * 1e6)),
                            ("255.255.255.255", PORT))
            elif 6 not in h:
                sock.sendto(hello(mac, int(time.monotonic() * 1e6), h[5], h[1]),
                            ("255.255.255.255", PORT))
        except (socket.timeout, KeyError, ValueError, IndexError):
            pass


threading.Thread(target=hellos, daemon=True).start()


class Session:
    def __init__(self):
        deadline = time.monotonic() + 20
        while True:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE, ifname.encode())
            s.bind((MY_LL, 0))
            s.settimeout(3)
            try:
                s.connect((router_ll, PORT))
                break
            except OSError:
                s.close()
                if time.monotonic() > deadline:
                    raise SystemExit("no session with the router")
                time.sleep(0.5)
        self.s, self.seq, self.sent = s, 0, []
        self.nonce = os.urandom(16)
        self.send_raw(b"QS\x01\x00" + self.nonce)
        start = self.recv_frame()
        assert start[:4] == b"QS\x01\x00", start
        self.peer = start[4:20]
        self.recv_frame()  # the router's proof (an empty signed frame)

    def recv_frame(self):
        hdr = self.recv_n(4)
        return self.recv_n(struct.unpack("!I", hdr)[0])

    def recv_n(self, n):
        b = b""
        while len(b) < n:
            c = self.s.recv(n - len(b))
            if not c:
                raise ConnectionError("closed")
            b += c
        return b

    def send_raw(self, frame):
        self.s.sendall(struct.pack("!I", len(frame)) + frame)

    def signed(self, body, k=None):
        self.seq += 1
        hdr = struct.pack(">IQ", 1, self.seq)
        m = hmac.new(k or key, b"QSPN-ETP" + self.nonce + self.peer + hdr +
                     bytes([ALGO]) + body, hashlib.sha256).digest()
        f = body + hdr + m + bytes([ALGO])
        self.sent.append(f)
        return f

    def closed_by_router(self):
        self.s.settimeout(5)
        try:
            while self.s.recv(4096):
                pass
            return True
        except ConnectionError:
            return True
        except OSError:
            return False


nobody = field(1, 0, 1)  # a Packet with no body: the engine ignores it
s = Session()
s.send_raw(s.signed(b""))  # our proof
time.sleep(0.5)
s.send_raw(s.signed(nobody, b"not-the-key"))
print("badmac", "closed" if s.closed_by_router() else "open", flush=True)

s = Session()
s.send_raw(s.signed(b""))
s.send_raw(s.signed(nobody))
time.sleep(0.5)
old = list(s.sent)
s.send_raw(old[-1])
print("replay", "closed" if s.closed_by_router() else "open", flush=True)

s = Session()
for f in old:
    s.send_raw(f)
print("oldframe", "closed" if s.closed_by_router() else "open", flush=True)
stop = True
