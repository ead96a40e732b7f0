#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
qspn_ring: six routers in a ring, zebra + qspnd each, topology 4.4.4.4.

    r1 1.0.0.0 -- r2 1.0.0.1 -- r3 1.0.1.0 -- r4 1.0.1.1 -- r5 1.0.2.0 -- r6 1.0.2.1 -- r1

Level-1 g-nodes are the pairs {r1,r2}, {r3,r4}, {r5,r6}.  After convergence
every router knows its pair-mate and the two other pairs, each through the
neighbour on the shorter side of the ring, and table ntk routes each
destination's global address via that neighbour's link-local.  A link that
fails moves the routes to the other side; when it returns they come back.  A
router that crashes disappears from its neighbours' maps; when it restarts it
is found again.
"""

import functools
import json
import os

import pytest

from lib import topotest
from lib.topogen import get_topogen
from lib_qspn import topo

pytestmark = [pytest.mark.qspnd]

CWD = os.path.dirname(os.path.realpath(__file__))

GSIZES = [4, 4, 4, 4]  # level 0 first
ADDR = {
    "r1": [0, 0, 0, 1],  # level 0 first: 1.0.0.0
    "r2": [1, 0, 0, 1],
    "r3": [0, 1, 0, 1],
    "r4": [1, 1, 0, 1],
    "r5": [0, 2, 0, 1],
    "r6": [1, 2, 0, 1],
}
RING = ["r1", "r2", "r3", "r4", "r5", "r6"]


def dotted(pos):
    return ".".join(str(p) for p in reversed(pos))


def global_prefix(pos, lvl):
    """doc/protocol/routes.md §1.3: ip_global_gnode(n, lvl), the CIDR of n's
    g-node of level lvl, as `ip -j route` prints it (no /32 for a single
    node)."""
    v, off, offs = 0, 0, []
    for g in GSIZES:
        offs.append(off)
        off += g.bit_length() - 1
    for t in range(lvl, len(GSIZES)):
        v |= pos[t] << offs[t]
    ip = "10.{}.{}.{}".format((v >> 16) & 255, (v >> 8) & 255, v & 255)
    plen = 32 - offs[lvl]
    return ip if plen == 32 else "{}/{}".format(ip, plen)


def hcoord(me, dest):
    """doc/protocol/qspn.md §1.3: the maximum distinct g-node of dest
    for me."""
    for lvl in reversed(range(len(GSIZES))):
        if me[lvl] != dest[lvl]:
            return lvl, dest[lvl]
    return None


def build_topo(tgen):
    for name in RING:
        tgen.add_router(name)
    for i, name in enumerate(RING):
        peer = RING[(i + 1) % len(RING)]
        sw = tgen.add_switch("s{}".format(i + 1))
        sw.add_link(tgen.gears[name])
        sw.add_link(tgen.gears[peer])


def frr_conf(rname, router):
    lines = ["hostname " + rname, "!"]
    for ifname in router.links.keys():
        # a fixed cost: the expected paths are then the fewest hops
        lines += ["interface " + ifname, " qspn", " qspn cost 1000", "exit", "!"]
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


def neighbours_by_address(router):
    """peer Netsukuku address -> (arc id, peer link-local)."""
    arcs = router.vtysh_cmd("show qspn arcs json", isjson=True)
    return {
        a["peerAddress"]: (int(aid), a["peerLinkLocal"])
        for aid, a in arcs.items()
        if "peerAddress" in a
    }


def ring_distance(a, b):
    i, j = RING.index(a), RING.index(b)
    d = abs(i - j)
    return min(d, len(RING) - d)


def same_gnode(a, b, lvl):
    "a and b are in the same g-node of level lvl."
    return ADDR[a][lvl:] == ADDR[b][lvl:]


def expected_gateways(rname, down_link=None, dead=()):
    """For each destination HCoord (l, p) of rname, the set of neighbours
    through which a shortest path leaves (the links have equal cost).  A path
    to a destination of level l stays inside rname's g-node of level l+1
    (doc/protocol/qspn.md §3.7, ignore_outside): when that g-node is split
    inside, its members behind the split are unreachable."""
    links = set()
    for i, a in enumerate(RING):
        b = RING[(i + 1) % len(RING)]
        if {a, b} != set(down_link or ()) and a not in dead and b not in dead:
            links.add(frozenset((a, b)))

    def dist_from(src, inside):
        d = {src: 0}
        frontier = [src]
        while frontier:
            nxt = []
            for u in frontier:
                for l in links:
                    if u in l:
                        (v,) = l - {u}
                        if v not in d and inside(v):
                            d[v] = d[u] + 1
                            nxt.append(v)
            frontier = nxt
        return d

    me = ADDR[rname]
    dests = {}
    for other in RING:
        if other == rname or other in dead:
            continue
        dests.setdefault(hcoord(me, ADDR[other]), []).append(other)
    result = {}
    for h, members in dests.items():
        lvl = h[0]

        def inside(v):
            return same_gnode(rname, v, lvl + 1)

        nbrs = [v for l in links if rname in l for (v,) in [l - {rname}]]
        best, gws = None, set()
        for n in nbrs:
            if not inside(n):
                continue
            dn = dist_from(n, inside)
            reach = [dn[m] for m in members if m in dn]
            if not reach:
                continue
            cost = min(reach) + 1
            if best is None or cost < best:
                best, gws = cost, {n}
            elif cost == best:
                gws.add(n)
        if gws:
            result[h] = gws
    return result


def check_router(rname, down_link=None, dead=()):
    tgen = get_topogen()
    router = tgen.gears[rname]
    want = expected_gateways(rname, down_link, dead)
    dests = router.vtysh_cmd("show qspn destinations json", isjson=True)
    nb = neighbours_by_address(router)
    arc_to_name = {}
    for name, pos in ADDR.items():
        if dotted(pos) in nb:
            arc_to_name[nb[dotted(pos)][0]] = name
    got = {}
    for d in dests.values():
        if d.get("paths", 0) > 0:
            got[(d["level"], d["position"])] = arc_to_name.get(d["bestArc"])
    if set(got) != set(want):
        return "{}: destinations {} instead of {}".format(
            rname, sorted(got), sorted(want)
        )
    for h, gw in got.items():
        if gw not in want[h]:
            return "{}: destination {} via {} instead of {}".format(
                rname, h, gw, sorted(want[h])
            )
    # the kernel: table ntk (251) routes each destination's global CIDR via
    # the gateway's link-local, or is unreachable to it
    routes = router.run("ip -j route show table 251")
    table = {r["dst"]: r for r in json.loads(routes or "[]")}
    for other in RING:
        if other == rname:
            continue
        h = hcoord(ADDR[rname], ADDR[other])
        dst = global_prefix(ADDR[other], h[0])
        r = table.get(dst)
        if h in want:
            gw_ll = nb.get(dotted(ADDR[got[h]]), (None, None))[1]
            if not r or r.get("gateway") != gw_ll:
                return "{}: route to {} ({}) is {} instead of via {}".format(
                    rname, h, dst, r, gw_ll
                )
        elif not r or r.get("type") != "unreachable":
            return "{}: route to {} ({}) is {} instead of unreachable".format(
                rname, h, dst, r
            )
    return None


def converge(down_link=None, dead=(), count=60):
    for rname in RING:
        if rname in dead:
            continue
        test_func = functools.partial(check_router, rname, down_link, dead)
        _, result = topotest.run_and_expect(test_func, None, count=count, wait=1)
        assert result is None, result


def test_converged():
    converge()


def test_link_down_and_up():
    tgen = get_topogen()
    r1 = tgen.gears["r1"]
    # s1 is the switch between r1 and r2 (build_topo)
    ifname = [i for i, (peer, _) in r1.links.items() if peer.name == "s1"][0]
    r1.run("ip link set {} down".format(ifname))
    converge(down_link=("r1", "r2"))
    r1.run("ip link set {} up".format(ifname))
    converge()


def test_router_crash_and_restart():
    tgen = get_topogen()
    r4 = tgen.gears["r4"]
    r4.killDaemons(["qspnd"])
    converge(dead=("r4",))
    r4.startDaemons(["qspnd"])
    r4.run("vtysh -f {}".format(os.path.join(tgen.logdir, "r4-frr.conf")))
    converge()
