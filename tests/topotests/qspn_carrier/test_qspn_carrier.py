#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
qspn_carrier: carrier loss moves the routes at once; an idle network is
silent (doc/costs.md).

    r1 1.0.0.0 ---------- r2 1.0.0.1
         \\                  /
          ------ r3 1.0.0.2 -

Three routers in a triangle of point-to-point veth links (no switch: a link
set down on one end loses its carrier on the other), zebra + qspnd each,
with qspnd's default cost (the measured round-trip time).

* Idle: once converged, no router sends a QSPN message for 30 s (the cost
  filter of lib/qspn_rtt.c keeps the jitter of an idle link below the
  relevance threshold).
* Hello interval: `qspn hello-interval 5000` on every interface, through
  vtysh: the neighbours learn it from the hellos (none of them is lost on
  the way), it is in the running configuration.
* Carrier: r1 sets its end of the r1-r2 link down.  r1 sees its interface
  go down, r2 sees the carrier of its end go away (the interface stays
  administratively up); both drop the arc at once, and the routes between
  r1 and r2 move to the path through r3.  The hellos now run at 5 s, so a
  neighbour would be declared dead only after 9 s: routes that move within
  4 s moved on the carrier event.  When the link returns, the direct routes
  come back.
* The hello interval survives `write memory`: r3's qspnd restarted from the
  saved file hellos at 5 s again.  `no qspn hello-interval` goes back to 1 s.
* Silent loss: with hellos at 1 s again, the r1-r3 link drops everything on
  both ends (nftables, the carrier stays up).  The neighbours are probed
  after 1.2 s and dead after 1.8 s without a hello: the routes move before
  the 4 s an older qspnd waited.  When the link carries again, they return.
"""

import datetime
import functools
import json
import os
import time

import pytest

from lib import topotest
from lib.topogen import get_topogen
from lib.topolog import logger
from lib_qspn import topo

pytestmark = [pytest.mark.qspnd]

GSIZES = [4, 4, 4, 4]  # level 0 first
ADDR = {
    "r1": [0, 0, 0, 1],  # level 0 first: 1.0.0.0
    "r2": [1, 0, 0, 1],
    "r3": [2, 0, 0, 1],
}
ROUTERS = ["r1", "r2", "r3"]
LINKS = [("r1", "r2"), ("r2", "r3"), ("r1", "r3")]
# the hello interval of every interface: its dead interval (1.8 intervals)
# is far longer than the time the routes get to move after a carrier loss
HELLO_MS = 5000
MOVE_BUDGET_S = 4.0


def dotted(pos):
    return ".".join(str(p) for p in reversed(pos))


def global_address(pos):
    """doc/protocol/routes.md §1.3: the global address of a node (level 0
    g-node), as `ip -j route` prints it."""
    v, off = 0, 0
    for g, p in zip(GSIZES, pos):
        v |= p << off
        off += g.bit_length() - 1
    return "10.{}.{}.{}".format((v >> 16) & 255, (v >> 8) & 255, v & 255)


def ifname(a, b):
    return "{}-{}".format(a, b)


def build_topo(tgen):
    for name in ROUTERS:
        tgen.add_router(name)
    for a, b in LINKS:
        tgen.add_link(tgen.gears[a], tgen.gears[b], ifname(a, b), ifname(b, a))


def frr_conf(rname, router):
    # events: the arcs, their costs, the neighbours (what the idle test is
    # about, in the routers' logs)
    lines = ["hostname " + rname, "debug qspn events", "!"]
    for ifn in sorted(router.links.keys()):
        lines += [
            "interface " + ifn,
            " qspn",
            "exit",
            "!",
        ]
    lines += [
        "router qspn",
        " topology " + dotted(list(GSIZES)),
        " address " + dotted(ADDR[rname]),
        "exit",
    ]
    return "\n".join(lines) + "\n"


def setup_module(mod):
    topo.start(mod, build_topo, frr_conf)


def teardown_module(mod):
    get_topogen().stop_topology()


def link_local(router, ifn):
    """the link-local qspnd uses on one of its interfaces"""
    s = router.vtysh_cmd("show qspn summary json", isjson=True)
    return s.get("interfaces", {}).get(ifn, {}).get("linkLocal")


def route_gateway(router, dst):
    """the gateway of table ntk's route to dst, or its type"""
    routes = json.loads(router.run("ip -j route show table 251") or "[]")
    for r in routes:
        if r.get("dst") == dst:
            return r.get("gateway") or r.get("type")
    return None


def expected_gateway(rname, other, down=()):
    """the link-local through which rname reaches other: directly, or
    through the third router when their link is down"""
    tgen = get_topogen()
    if {rname, other} == set(down):
        (via,) = set(ROUTERS) - {rname, other}
    else:
        via = other
    return link_local(tgen.gears[via], ifname(via, rname))


def check_routes(down=()):
    tgen = get_topogen()
    for rname in ROUTERS:
        for other in ROUTERS:
            if other == rname:
                continue
            want = expected_gateway(rname, other, down)
            dst = global_address(ADDR[other])
            got = route_gateway(tgen.gears[rname], dst)
            if not want or got != want:
                return "{}: route to {} ({}) via {} instead of {}".format(
                    rname, other, dst, got, want
                )
    return None


def check_ping(src, dst):
    tgen = get_topogen()
    out = tgen.gears[src].run(
        "ping -c 1 -W 1 {} >/dev/null 2>&1; echo $?".format(
            global_address(ADDR[dst])
        )
    )
    return None if out.strip() == "0" else "{} cannot reach {}".format(src, dst)


def converge(down=(), count=60, wait=1):
    _, result = topotest.run_and_expect(
        functools.partial(check_routes, down), None, count=count, wait=wait
    )
    assert result is None, result


def msgs_out():
    """QSPN messages sent by the three routers so far"""
    tgen = get_topogen()
    total = 0
    for rname in ROUTERS:
        s = tgen.gears[rname].vtysh_cmd("show qspn summary json", isjson=True)
        total += s["counters"]["msgsOut"]
    return total


def vtysh_conf(router, lines):
    cmd = " ".join("-c '{}'".format(l) for l in ["configure terminal"] + lines)
    out = router.run("vtysh {} 2>&1".format(cmd))
    assert "%" not in out, out


def set_hello_interval(ms):
    """`qspn hello-interval ms` (None: `no qspn hello-interval`) on every
    interface of every router"""
    tgen = get_topogen()
    for rname in ROUTERS:
        router = tgen.gears[rname]
        lines = []
        for ifn in sorted(router.links.keys()):
            lines += [
                "interface " + ifn,
                "qspn hello-interval {}".format(ms) if ms else "no qspn hello-interval",
                "exit",
            ]
        vtysh_conf(router, lines)


def check_peer_intervals(ms, only=None):
    """every router sees every neighbour (or the ones of router `only`)
    hello at ms"""
    tgen = get_topogen()
    for rname in ROUTERS:
        nb = tgen.gears[rname].vtysh_cmd("show qspn neighbors json", isjson=True)
        if len(nb) != 2:
            return "{}: {} neighbours".format(rname, len(nb))
        for key, n in nb.items():
            if only and not n["interface"].endswith("-" + only):
                continue
            if n.get("helloIntervalMsecs") != ms:
                return "{}: neighbour {} hellos at {}".format(
                    rname, key, n.get("helloIntervalMsecs")
                )
    return None


def neighbours_dead():
    tgen = get_topogen()
    return sum(
        tgen.gears[r].vtysh_cmd("show qspn summary json", isjson=True)["counters"][
            "neighboursDead"
        ]
        for r in ROUTERS
    )


def wire_bytes():
    """bytes sent on every link end so far"""
    tgen = get_topogen()
    total = 0
    for rname in ROUTERS:
        router = tgen.gears[rname]
        for ifn in router.links.keys():
            st = json.loads(router.run("ip -j -s link show dev " + ifn))
            total += st[0]["stats64"]["tx"]["bytes"]
    return total


def test_converged():
    converge()
    for a, b in LINKS:
        assert check_ping(a, b) is None
        assert check_ping(b, a) is None


def test_idle_network_is_silent():
    """30 s of an idle network: not one QSPN message"""
    # what convergence still had in flight ends first (bounded)
    prev, stable_since = msgs_out(), time.time()
    deadline = time.time() + 30
    while time.time() - stable_since < 5 and time.time() < deadline:
        time.sleep(1)
        cur = msgs_out()
        if cur != prev:
            prev, stable_since = cur, time.time()
    start, bytes0, t0 = msgs_out(), wire_bytes(), time.time()
    while time.time() - t0 < 30:
        time.sleep(1)
    sent, nbytes, secs = msgs_out() - start, wire_bytes() - bytes0, time.time() - t0
    logger.info(
        "idle network: %d QSPN messages in %.1f s (%.1f a minute); "
        "%.0f bytes a second per link (both ways, all control traffic)",
        sent,
        secs,
        sent * 60.0 / secs,
        nbytes / secs / len(LINKS),
    )
    assert sent == 0, "an idle network sent {} QSPN messages in 30 s".format(sent)


def test_hello_interval():
    """hellos at 5 s on every interface: the neighbours learn it, and it is
    in the running configuration"""
    tgen = get_topogen()
    dead = neighbours_dead()
    set_hello_interval(HELLO_MS)
    _, result = topotest.run_and_expect(
        functools.partial(check_peer_intervals, HELLO_MS), None, count=20, wait=0.5
    )
    assert result is None, result
    for rname in ROUTERS:
        conf = tgen.gears[rname].vtysh_cmd("show running-config")
        assert conf.count(" qspn hello-interval {}\n".format(HELLO_MS)) == 2, conf
    # the change lost nobody
    assert neighbours_dead() == dead
    converge()


def monitor_start(router, path):
    """`ip monitor route` with timestamps in router's namespace; its pid"""
    return router.run(
        "ip -ts monitor route >{} 2>&1 & echo $!".format(path)
    ).strip()


def first_change(path, dst, after):
    """the time of the first route change to dst logged after `after`"""
    with open(path) as f:
        for line in f:
            if not line.startswith("[") or "]" not in line:
                continue
            stamp, _, rest = line[1:].partition("]")
            fields = rest.split()
            if dst not in fields and dst + "/32" not in fields:
                continue
            try:
                t = datetime.datetime.fromisoformat(stamp)
            except ValueError:
                continue
            if t >= after:
                return t
    return None


def router_clock(router):
    """the router's wall clock now, as the route monitor stamps it"""
    return datetime.datetime.fromisoformat(
        router.run("date +%Y-%m-%dT%H:%M:%S.%6N").strip()
    )


def test_carrier_loss_moves_routes():
    tgen = get_topogen()
    r1, r2 = tgen.gears["r1"], tgen.gears["r2"]
    mon = os.path.join(tgen.logdir, "r2-route-monitor.txt")
    pid = monitor_start(r2, mon)
    try:
        t0 = router_clock(r1)
        start = time.time()
        r1.run("ip link set {} down".format(ifname("r1", "r2")))
        # r2's end keeps IFF_UP and loses its carrier
        assert "NO-CARRIER" in r2.run("ip link show {}".format(ifname("r2", "r1")))
        converge(down=("r1", "r2"), count=int(MOVE_BUDGET_S / 0.1), wait=0.1)
        took = time.time() - start
        assert check_ping("r2", "r1") is None
        assert check_ping("r1", "r2") is None
    finally:
        r2.run("kill {}".format(pid))
    moved = first_change(mon, global_address(ADDR["r1"]), t0)
    logger.info(
        "carrier loss: routes checked moved after %.3f s; r2's kernel route to r1 "
        "changed %s ms after the link went down",
        took,
        "%.1f" % ((moved - t0).total_seconds() * 1000) if moved else "?",
    )
    assert took < MOVE_BUDGET_S


def test_carrier_back():
    tgen = get_topogen()
    tgen.gears["r1"].run("ip link set {} up".format(ifname("r1", "r2")))
    converge()
    assert check_ping("r2", "r1") is None


def test_hello_interval_survives_write_memory():
    """r3's configuration is saved, its qspnd restarted from the saved file:
    it hellos at 5 s again"""
    tgen = get_topogen()
    r3 = tgen.gears["r3"]
    r3.run("vtysh -c 'write memory'")
    saved = r3.run("cat /etc/frr/frr.conf")
    assert saved.count(" qspn hello-interval {}\n".format(HELLO_MS)) == 2, saved
    r3.killDaemons(["qspnd"])
    r3.startDaemons(["qspnd"])
    r3.run("vtysh -f /etc/frr/frr.conf")
    conf = r3.vtysh_cmd("show running-config")
    assert conf.count(" qspn hello-interval {}\n".format(HELLO_MS)) == 2, conf
    converge(count=90)
    _, result = topotest.run_and_expect(
        functools.partial(check_peer_intervals, HELLO_MS, "r3"),
        None,
        count=30,
        wait=1,
    )
    assert result is None, result


def test_hello_interval_default_again():
    tgen = get_topogen()
    set_hello_interval(None)
    _, result = topotest.run_and_expect(
        functools.partial(check_peer_intervals, 1000), None, count=20, wait=0.5
    )
    assert result is None, result
    for rname in ROUTERS:
        conf = tgen.gears[rname].vtysh_cmd("show running-config")
        assert "hello-interval" not in conf, conf
    converge()


def link_drop(rname, ifn, drop):
    """drop everything arriving on ifn (drop=True), or stop doing it"""
    router = get_topogen().gears[rname]
    if drop:
        router.run(
            "nft add table netdev qspntest && "
            "nft add chain netdev qspntest in "
            "'{{ type filter hook ingress device {} priority 0; }}' && "
            "nft add rule netdev qspntest in drop".format(ifn)
        )
        assert "drop" in router.run("nft list table netdev qspntest")
    else:
        router.run("nft delete table netdev qspntest")


def test_silent_loss():
    tgen = get_topogen()
    r1, r3 = tgen.gears["r1"], tgen.gears["r3"]
    mon = os.path.join(tgen.logdir, "r3-route-monitor-silent.txt")
    pid = monitor_start(r3, mon)
    try:
        t0 = router_clock(r1)
        start = time.time()
        link_drop("r1", ifname("r1", "r3"), True)
        link_drop("r3", ifname("r3", "r1"), True)
        converge(down=("r1", "r3"), count=int(MOVE_BUDGET_S / 0.1), wait=0.1)
        took = time.time() - start
    finally:
        r3.run("kill {}".format(pid))
    moved = first_change(mon, global_address(ADDR["r1"]), t0)
    logger.info(
        "silent loss: routes checked moved after %.3f s; r3's kernel route to r1 "
        "changed %s ms after the link stopped carrying",
        took,
        "%.1f" % ((moved - t0).total_seconds() * 1000) if moved else "?",
    )
    assert took < MOVE_BUDGET_S
    assert check_ping("r3", "r1") is None
    link_drop("r1", ifname("r1", "r3"), False)
    link_drop("r3", ifname("r3", "r1"), False)
    converge()
    assert check_ping("r3", "r1") is None
