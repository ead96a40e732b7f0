#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
qspn_migrate: a node moves to another g-node of its own network (migration,
doc/protocol/routes.md §5.6), keeps a connectivity identity in its own
namespace, and dismisses it.  Topology 4.4, one network, a chain:

    a 1.1 -- b 1.2 -- c 2.1

b migrates into c's g-node 2.: `qspn migrate neighbor <c> guest-level 0
address 2.4 real-position 2 connectivity-position 4 namespace migr`.  Then
b's main identity is 2.2, and its old identity stays as the connectivity
identity 1.4 (levels 1..1) in namespace migr, on macvlans of both NICs, with
QSPN arcs to a and c, which follow it to its pseudo-interfaces.  a and c
reach each other and b's new address; b's table ntk routes a's and c's
global addresses.  `qspn identity migr dismiss` asks QSPN, which agrees (a
is alone in 1.), and the namespace, its interfaces and a's and c's arcs to
it go.  Bad input: a migration inside the same g-node, a migration issued as
an ingress, a dismissal of the main identity or of an unknown one: refused,
nothing changed.
"""

import sys

import pytest

from lib import topotest
from lib.topogen import get_topogen
from lib_qspn import cli, topo

pytestmark = [pytest.mark.qspnd]

GSIZES = [4, 4]  # level 0 first
ADDR = {"a": [1, 1], "b": [2, 1], "c": [1, 2]}  # level 0 first
LINKS = [("a", "b"), ("b", "c")]
NS = "migr"


def dotted(pos):
    return ".".join(str(p) for p in reversed(pos))


def global_ip(pos):
    """doc/protocol/routes.md §1.3: the global address of a node (no marker
    bits at level 0 of the global range)."""
    v, off = 0, 0
    for lvl, g in enumerate(GSIZES):
        v |= pos[lvl] << off
        off += g.bit_length() - 1
    return "10.{}.{}.{}".format((v >> 16) & 255, (v >> 8) & 255, v & 255)


def build_topo(tgen):
    for name in ADDR:
        tgen.add_router(name)
    for i, (x, y) in enumerate(LINKS):
        sw = tgen.add_switch("s{}".format(i + 1))
        sw.add_link(tgen.gears[x])
        sw.add_link(tgen.gears[y])


def frr_conf(rname, router):
    lines = ["hostname " + rname, "!"]
    for ifname in router.links.keys():
        lines += ["interface " + ifname, " qspn", " qspn cost 1000", "exit", "!"]
    lines += [
        "router qspn",
        " topology " + dotted(GSIZES),
        " address " + dotted(ADDR[rname]),
        "exit",
    ]
    return "\n".join(lines) + "\n"


def setup_module(mod):
    topo.start(mod, build_topo, frr_conf)


def teardown_module(mod):
    get_topogen().stop_topology()


def vtysh(name, cmd):
    return cli.vtysh(get_topogen().gears[name], cmd)


def show(name, what):
    return get_topogen().gears[name].vtysh_cmd("show qspn {} json".format(what), isjson=True)


def identities(name):
    return show(name, "identities")["identities"]


def peer_addresses(name):
    """the Netsukuku addresses of the peers of the main identity's QSPN arcs"""
    return sorted(a.get("peerAddress", "") for a in show(name, "arcs").values())


def linklocal_towards(name, peer):
    """the link-local of peer's main identity, as name's arcs show it"""
    for a in show(name, "arcs").values():
        if a.get("peerAddress") == dotted(ADDR[peer]):
            return a["peerLinkLocal"]
    return None


def pings(src, dst_ip):
    router = get_topogen().gears[src]
    out = router.run("ping -c 2 -W 1 -I {} {} >/dev/null 2>&1; echo $?".format(
        global_ip(ADDR[src]), dst_ip))
    return out.strip().endswith("0")


def wait(check, what, count=60):
    ok, result = topotest.run_and_expect(check, None, count=count, wait=1)
    assert ok, "{}: {}".format(what, result)


def netns_list(name):
    return get_topogen().gears[name].run("ip netns list").split()


def test_converged():
    def check():
        want = {"a": ["1.2"], "b": ["1.1", "2.1"], "c": ["1.2"]}
        for name, peers in want.items():
            got = peer_addresses(name)
            if got != peers:
                return "{}: arcs to {}, want {}".format(name, got, peers)
        if not pings("a", global_ip(ADDR["c"])):
            return "a cannot reach c"
        return None

    wait(check, "converged")


def test_bad_input():
    c_ll = linklocal_towards("b", "c")
    assert c_ll, "b does not see c"
    before = identities("b")
    for cmd in [
        # inside b's own g-node of level 1: nothing to migrate
        "qspn migrate neighbor {} guest-level 0 address 1.4 real-position 3".format(c_ll),
        # c is in b's network: that is a migration, not an ingress
        "qspn enter-net neighbor {} guest-level 0 address 2.4".format(c_ll),
        # the connectivity position must be virtual
        "qspn migrate neighbor {} guest-level 0 address 2.4 connectivity-position 3".format(c_ll),
        # an unknown neighbour
        "qspn migrate neighbor 169.254.0.1 guest-level 0 address 2.4",
        # a level that does not fit the topology
        "qspn migrate neighbor {} guest-level 2 address 2.4".format(c_ll),
        # the main identity is not dismissed, an unknown one is not there
        "qspn identity nosuch dismiss",
        "qspn make-real position 1",
    ]:
        ok, out = vtysh("b", cmd)
        assert not ok, "b accepted: {}: {}".format(cmd, out)
    assert identities("b") == before
    assert NS not in netns_list("b")


def test_migrate():
    c_ll = linklocal_towards("b", "c")
    ok, out = vtysh(
        "b",
        "qspn migrate neighbor {} guest-level 0 address 2.4 real-position 2 "
        "connectivity-position 4 namespace {}".format(c_ll, NS),
    )
    assert ok, out

    def check():
        ids = identities("b")
        kinds = sorted((i["kind"], i["namespace"], i["address"]) for i in ids)
        if kinds != [("connectivity", NS, "1.4"), ("main", "", "2.2")]:
            return "b: identities {}".format(kinds)
        conn = [i for i in ids if i["kind"] == "connectivity"][0]
        if (conn["connectivityFrom"], conn["connectivityTo"]) != (1, 1):
            return "b: connectivity levels {}".format(conn)
        if sorted(p["dev"] for p in conn["interfaces"]) != sorted(
            "{}_{}".format(NS, d) for d in ("b-eth0", "b-eth1")
        ):
            return "b: pseudo-interfaces {}".format(conn["interfaces"])
        qspn_peers = sorted(a["peerAddress"] for a in conn["arcs"] if a["qspn"])
        if qspn_peers != ["1.1", "2.1"]:
            return "b: the connectivity identity's arcs {}".format(conn["arcs"])
        if NS not in netns_list("b"):
            return "b: no namespace " + NS
        for name in ("a", "c"):
            got = peer_addresses(name)
            if got != ["1.4", "2.2"]:
                return "{}: arcs to {}".format(name, got)
        for src, dst in (("a", "c"), ("c", "a")):
            if not pings(src, global_ip(ADDR[dst])):
                return "{} cannot reach {}".format(src, dst)
        for src in ("a", "c"):
            if not pings(src, global_ip([2, 2])):
                return "{} cannot reach b at 2.2".format(src)
        return None

    wait(check, "after the migration")
    # the /32 routes to the peers it follows are in its namespace
    conn = [i for i in identities("b") if i["kind"] == "connectivity"][0]
    routes = get_topogen().gears["b"].run(
        "ip netns exec {} ip -4 route show table main".format(NS))
    for arc in conn["arcs"]:
        assert arc["peerLinklocal"] in routes, "{}: {}".format(arc, routes)


def test_dismiss():
    ok, out = vtysh("b", "qspn identity {} dismiss".format(NS))
    assert ok, out
    ok, out = vtysh("b", "qspn identity {} dismiss".format(NS))
    assert not ok, "dismissed twice: {}".format(out)

    def check():
        ids = identities("b")
        if [(i["kind"], i["address"]) for i in ids] != [("main", "2.2")]:
            return "b: identities {}".format(ids)
        if NS in netns_list("b"):
            return "b: namespace {} still there".format(NS)
        links = get_topogen().gears["b"].run("ip -o link show")
        if NS + "_" in links:
            return "b: pseudo-interfaces left: " + links
        for name in ("a", "c"):
            if peer_addresses(name) != ["2.2"]:
                return "{}: arcs to {}".format(name, peer_addresses(name))
            ids = identities(name)
            lls = [a["peerLinklocal"] for a in ids[0]["arcs"]]
            if len(lls) != 1:
                return "{}: identity-arcs {}".format(name, lls)
        for src, dst in (("a", "c"), ("c", "a")):
            if not pings(src, global_ip(ADDR[dst])):
                return "{} cannot reach {}".format(src, dst)
        return None

    wait(check, "after the dismissal")


if __name__ == "__main__":
    args = ["-s"] + sys.argv[1:]
    sys.exit(pytest.main(args))
