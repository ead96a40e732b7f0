# SPDX-License-Identifier: GPL-2.0-or-later
"""
Protobuf wire encoding and the hello socket, for the test tools that speak
QSPN by hand on a link (hostile neighbours, replayers, floods).  They run as
scripts inside a host namespace: they import this with
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
"""

import socket

PORT = 60269  # hellos (UDP) and ETP sessions (TCP): doc/transport.md
SO_BINDTODEVICE = 25


def varint(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field(num, wtype, payload):
    "One field: wire type 0 (payload an int) or 2 (payload bytes)."
    key = varint((num << 3) | wtype)
    if wtype == 0:
        return key + varint(payload)
    return key + varint(len(payload)) + payload


def parse_varint(b, i):
    v, shift = 0, 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7F) << shift
        shift += 7
        if not c & 0x80:
            return v, i


def parse_fields(b):
    "{field number: value} of one message (the last of repeated fields)."
    i, out = 0, {}
    while i < len(b):
        key, i = parse_varint(b, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, i = parse_varint(b, i)
        elif wt == 2:
            n, i = parse_varint(b, i)
            v, i = b[i : i + n], i + n
        else:
            raise ValueError("wire type %d" % wt)
        out[num] = v
    return out


def hello_socket(ifname, bind=True):
    "A broadcast UDP socket on the hello port, bound to one interface."
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE, ifname.encode())
    if bind:
        s.bind(("0.0.0.0", PORT))
    return s
