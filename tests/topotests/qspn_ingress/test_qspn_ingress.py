#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
qspn_ingress: events E2 and E3 of the reference scenario
(doc/protocol/scenario.md) driven live with qspnd's operations, the kernel
state of every router (every network namespace) compared with the state the
vectors of pages 2-5 leave.

    beta 1.0.1.0 (G_beta, network-id 2)       gamma 2.1.1.0 (G_gamma, 1)
    delta 3.1.0.1 -- mu 3.1.0.0 (G_delta, network-id 3)

Every system has one NIC, eth1, with its MAC of doc/protocol/scenario.md §2;
the four NICs are on one switch, which plays the scenario's radio PER PORT (the
pseudo-interfaces of the connectivity identities are macvlans with MACs of
their own, so a filter by MAC would not do): an nftables `bridge` table in
the switch's namespace drops the frames between two systems' ports until
their physical arc appears (delta-mu from the start, beta-gamma at E2,
gamma-delta at E3).  Neighbours become QSPN arcs by themselves only within
one network-id, so the three networks stay apart until the operations.

Every router has its own /run/netns: the harness mounts a tmpfs there in
every host it creates (micronet's add_host), so the namespace `entr03` of
delta and the one of mu (the vectors use the name on both) do not collide;
test_harness checks it.

The steps, and the state each one is compared with (seed-state, the
conformance test's kernel model after the story's steps; "-s N": the steps
whose blocks are all at or before block N of blocks.tsv):

0.  converged, alone: every router as its story's initial state (-p 0).
E2  beta-gamma opened: the /32 routes between their link-locals (-s 10).
    Bad input on beta and delta: refused, nothing changes.
    A failed operation halfway (the kernel refuses the pseudo-interface
    after the namespace exists): refused, nothing changes.
    beta: `qspn enter-net neighbor <gamma> guest-level 0 address 2.1.1.2
    real-position 1 connectivity-position 2 namespace entr02` (and the
    same command again, refused): beta0 becomes the connectivity identity
    1.0.1.2 in entr02, the new main identity 2.1.1.2 then 2.1.1.1 at once,
    and beta0, without qspn-arcs, is dismissed right after.  Page 2 for all
    four (delta and mu unchanged).
E3  gamma-delta opened (-s 25).  delta, then mu: `qspn enter-net neighbor
    ... guest-level 1 address 2.1.2.x connectivity-position 2 namespace
    entr03`.  The default namespaces of pages 3-4 are points inside one
    operation that the live system passes through without stopping (the
    ETPs of gamma and of the new identities flow as soon as the arcs are
    there, while the pages apply them on page 5), so only what is stable is
    compared: the namespaces entr03 of delta and mu (-s 36: their content
    is page 3's, pages 4-5 do not touch them until the dismissal), gamma's
    link-local routes, beta (page 2 still: a virtual g-node is not among
    its destinations), and the identities.  Then `qspn make-real position
    0` on delta and mu (2.1.2.x -> 2.1.0.x); converged, all four are as
    just before the dismissal of Eventi5 (-s 40: every ETP of page 5
    processed, entr03 still there).  Then `qspn identity entr03 dismiss`
    on delta (the order reaches mu's as on the seed page; on mu too if
    its identity is still there): page 5 for all four, no namespace, no pseudo-interface,
    no table name of the connectivity identities, and gamma without its
    route to delta0's pseudo-interface.  Then every router pings every
    other one's global address.
Last, beta's qspnd is restarted (beta0 alone again, hearing gamma) and the
peer disappears as enter-net starts: beta must end in its previous
consistent state (its initial one, gamma gone).

`show qspn identities json` is checked at every step.  MACs and
link-locals of the pages are mapped onto the run's (lib_qspn/kstate.py):
the NICs' link-locals and the pseudo-interfaces' MACs and link-locals are
random in qspnd.
"""

import functools
import os
import sys
import time

import pytest

from lib import topotest
from lib.topogen import Topogen, get_topogen
from lib.topolog import logger
from lib_qspn import cli, kstate

pytestmark = [pytest.mark.qspnd]

DEV = "eth1"
TIMEOUT = 60  # seconds, for every convergence

# doc/protocol/scenario.md §2 and §3: MACs, the pages' link-locals, the
# addresses at start and the global addresses at the end.
SYSTEMS = {
    "beta": {
        "mac": "00:16:3E:EC:A3:E1",
        "linklocal": "169.254.96.141",
        "address": "1.0.1.0",
        "network": 2,
        "global": "10.0.0.23",
    },
    "gamma": {
        "mac": "00:16:3E:5B:78:D5",
        "linklocal": "169.254.94.223",
        "address": "2.1.1.0",
        "network": 1,
        "global": "10.0.0.22",
    },
    "delta": {
        "mac": "00:16:3E:1A:C4:45",
        "linklocal": "169.254.253.216",
        "address": "3.1.0.1",
        "network": 3,
        "global": "10.0.0.21",
    },
    "mu": {
        "mac": "00:16:3E:2D:8D:DE",
        "linklocal": "169.254.119.176",
        "address": "3.1.0.0",
        "network": 3,
        "global": "10.0.0.20",
    },
}
# the pseudo-interfaces of the pages: (namespace, device): (MAC, link-local)
PSEUDO = {
    "beta": {("entr02", "entr02_eth1"): ("00:16:3E:8E:91:B9", "169.254.215.29")},
    "delta": {("entr03", "entr03_eth1"): ("00:16:3E:B9:77:80", "169.254.83.167")},
    "mu": {("entr03", "entr03_eth1"): ("00:16:3E:DF:23:F5", "169.254.242.91")},
}
REFERENCE = {name: {("", DEV): (s["mac"], s["linklocal"])} for name, s in SYSTEMS.items()}
for _name, _pseudo in PSEUDO.items():
    REFERENCE[_name].update(_pseudo)

# the radio: pairs of systems that hear each other now
OPEN = {frozenset(("delta", "mu"))}
# what the run had, for the checks after the dismissal
SEEN = {}


def hears(a, b):
    return frozenset((a, b)) in OPEN


def port(name):
    "the switch's port of a system"
    return "p-" + name


# -- the harness -------------------------------------------------------------------
def build_topo(tgen):
    radio = tgen.add_switch("s1")
    for name in SYSTEMS:
        # rt_tables.d is private (conftest.py), /run/netns too (micronet)
        tgen.add_router(name)
        radio.add_link(tgen.gears[name], myif=port(name), nodeif=DEV)


def frr_conf(name):
    return "\n".join(
        [
            "hostname " + name,
            "!",
            "interface " + DEV,
            " qspn",
            "exit",
            "!",
            "router qspn",
            " topology 4.2.2.2",
            " address " + SYSTEMS[name]["address"],
            " network-id {}".format(SYSTEMS[name]["network"]),
            " accept-anonymous",
            "exit",
            "",
        ]
    )


def switch_run(cmd):
    out = get_topogen().gears["s1"].run(cmd + " 2>&1")
    assert not out.strip(), "switch: {}: {}".format(cmd, out)


def pair_elements(a, b):
    return '{{ "{0}" . "{1}", "{1}" . "{0}" }}'.format(port(a), port(b))


def radio_init():
    """nft table bridge qspnradio in the switch: frames from one port to
    another are dropped while the pair is in the set `deaf`."""
    switch_run("nft add table bridge qspnradio")
    switch_run("nft add set bridge qspnradio deaf '{ type ifname . ifname; }'")
    switch_run(
        "nft add chain bridge qspnradio hear "
        "'{ type filter hook forward priority 0; policy accept; }'"
    )
    switch_run("nft add rule bridge qspnradio hear iifname . oifname @deaf drop")
    names = sorted(SYSTEMS)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            if not hears(a, b):
                switch_run(
                    "nft add element bridge qspnradio deaf '{}'".format(pair_elements(a, b))
                )


def radio_open(a, b):
    switch_run("nft delete element bridge qspnradio deaf '{}'".format(pair_elements(a, b)))
    OPEN.add(frozenset((a, b)))


def radio_close(a, b):
    switch_run("nft add element bridge qspnradio deaf '{}'".format(pair_elements(a, b)))
    OPEN.discard(frozenset((a, b)))


def setup_module(mod):
    tgen = Topogen(build_topo, mod.__name__)
    tgen.start_topology()
    os.makedirs(tgen.logdir, exist_ok=True)
    radio_init()
    for name, router in tgen.routers().items():
        # the MAC of doc/protocol/scenario.md, set before qspnd starts
        out = router.run("ip link set dev {} address {} 2>&1".format(DEV, SYSTEMS[name]["mac"]))
        assert not out.strip(), "{}: {}".format(name, out)
        conf = os.path.join(tgen.logdir, name + "-frr.conf")
        with open(conf, "w") as f:
            f.write(frr_conf(name))
        router.load_frr_config(conf)
    tgen.start_router()


def teardown_module(mod):
    get_topogen().stop_topology()


# -- commands -----------------------------------------------------------------------
def vtysh(name, cmd):
    return cli.vtysh(get_topogen().gears[name], cmd)


def enter_net(neighbor, guest_level, address, connectivity, namespace, real=None):
    cmd = "qspn enter-net neighbor {} guest-level {} address {}".format(
        neighbor, guest_level, address
    )
    if real is not None:
        cmd += " real-position {}".format(real)
    return cmd + " connectivity-position {} namespace {}".format(connectivity, namespace)


def identities(name):
    return get_topogen().gears[name].vtysh_cmd("show qspn identities json", isjson=True)


def nic_linklocal(name):
    """the link-local of a system's NIC, from its kernel"""
    st = kstate.read_system(get_topogen().gears[name], [""])
    lls = kstate.own_linklocals(st, "", DEV)
    assert len(lls) == 1, "{}: link-locals on {}: {}".format(name, DEV, lls)
    return lls[0]


# -- what is expected ---------------------------------------------------------------------
@functools.lru_cache(maxsize=None)
def _expected(name, page, seq):
    return kstate.seed_state(name, page=page, seq=seq)


def expected(name, page=None, seq=None):
    return _expected(name, page, seq)


def ident(kind, ns, address, network, arcs, index=None, bootstrap=False):
    """An identity of `show qspn identities json` in the pages' terms.
    arcs: [(peer system, peer namespace, qspn, peer address)]; the peer's
    interface is its NIC (namespace "") or the pseudo-interface of the
    namespace.  index: a number, a predicate or None (not compared);
    bootstrap None: not compared.  An arc that is not a qspn-arc has no
    peer address (null)."""
    return {
        "kind": kind,
        "namespace": ns,
        "address": address,
        "networkId": network,
        "index": index,
        "bootstrap": bootstrap,
        "arcs": arcs,
    }


def new_index(i):
    "the index of a new identity: never one used before"
    return i > 0


def _dev(ns):
    return DEV if not ns else "{}_{}".format(ns, DEV)


def identities_problem(name, got, want, states, maps):
    """None when `show qspn identities json` of `name` shows the identities
    `want` (ident()), with the MACs and link-locals of the kernel and the
    tables of its marks."""
    ids = got.get("identities") if isinstance(got, dict) else None
    if not isinstance(ids, list):
        return "{}: show qspn identities json: {}".format(name, got)
    by_ns = {}
    for i in ids:
        by_ns.setdefault(i.get("namespace"), []).append(i)
    want_ns = sorted(w["namespace"] for w in want)
    if sorted(by_ns, key=str) != want_ns or any(len(v) != 1 for v in by_ns.values()):
        return "{}: identities in namespaces {}, should be {}".format(
            name, [i.get("namespace") for i in ids], want_ns
        )
    indices = [i.get("index") for i in ids]
    if len(set(indices)) != len(indices):
        return "{}: identity indices {}".format(name, indices)
    st = states[name]
    problems = []
    for w in want:
        ns = w["namespace"]
        g = by_ns[ns][0]
        where = "{} identity '{}'".format(name, ns)
        for key in ("kind", "address", "networkId"):
            if g.get(key) != w[key]:
                problems.append("{} {}: {} should be {}".format(where, key, g.get(key), w[key]))
        if w["bootstrap"] is not None and g.get("bootstrap") != w["bootstrap"]:
            problems.append("{} bootstrap: {}".format(where, g.get("bootstrap")))
        idx = w["index"]
        if (callable(idx) and not idx(g.get("index"))) or (
            isinstance(idx, int) and g.get("index") != idx
        ):
            problems.append("{} index {}".format(where, g.get("index")))
        ref_mac, ref_ll = REFERENCE[name][(ns, _dev(ns))]
        want_if = [(DEV, _dev(ns), maps.map_mac(ref_mac), maps.map_ll(ref_ll))]
        got_if = sorted(
            (i.get("nic"), i.get("dev"), (i.get("mac") or "").upper(), i.get("linklocal"))
            for i in g.get("interfaces", [])
        )
        if got_if != want_if:
            problems.append("{} interfaces: {} should be {}".format(where, got_if, want_if))
        want_arcs = []
        for peer, pns, qspn, paddr in w["arcs"]:
            mac, ll = REFERENCE[peer][(pns, _dev(pns))]
            want_arcs.append((DEV, maps.map_mac(mac), maps.map_ll(ll), qspn, paddr))
        got_arcs = []
        marks = dict(st["ns"].get(ns, {}).get("marks", []))
        for a in g.get("arcs", []):
            mac = (a.get("peerMac") or "").upper()
            qspn = a.get("qspn")
            got_arcs.append((a.get("nic"), mac, a.get("peerLinklocal"), qspn, a.get("peerAddress")))
            # the arc's table is the one its peer's MAC is marked with
            tid, table = a.get("tableId"), a.get("table")
            if qspn and (
                tid != marks.get(mac)
                or table != "ntk_from_" + mac
                or st["names"].get(tid) != table
            ):
                problems.append(
                    "{} arc to {}: table {} {}, mark {}, rt_tables {}".format(
                        where, mac, tid, table, marks.get(mac), st["names"].get(tid)
                    )
                )
            if not qspn and (tid, table) != (0, ""):
                problems.append("{} arc to {}: not a qspn-arc, table {} {}".format(where, mac, tid, table))
        if sorted(got_arcs, key=str) != sorted(want_arcs, key=str):
            problems.append(
                "{} arcs: {} should be {}".format(where, sorted(got_arcs, key=str), sorted(want_arcs, key=str))
            )
    return "\n".join(problems) if problems else None


# the identities at each point (the pages' terms)
def ids_alone():
    return {
        "beta": [ident("main", "", "1.0.1.0", 2, [], index=0)],
        "gamma": [ident("main", "", "2.1.1.0", 1, [], index=0)],
        "delta": [ident("main", "", "3.1.0.1", 3, [("mu", "", True, "3.1.0.0")], index=0)],
        "mu": [ident("main", "", "3.1.0.0", 3, [("delta", "", True, "3.1.0.1")], index=0)],
    }


def ids_e2_arc():
    ids = ids_alone()
    ids["beta"][0]["arcs"] = [("gamma", "", False, None)]
    ids["gamma"][0]["arcs"] = [("beta", "", False, None)]
    return ids


def ids_e2():
    ids = ids_alone()
    ids["beta"] = [ident("main", "", "2.1.1.1", 1, [("gamma", "", True, "2.1.1.0")], index=new_index)]
    ids["gamma"][0]["arcs"] = [("beta", "", True, "2.1.1.1")]
    return ids


def ids_e3_arc():
    ids = ids_e2()
    ids["gamma"][0]["arcs"].append(("delta", "", False, None))
    ids["delta"][0]["arcs"].append(("gamma", "", False, None))
    return ids


def ids_e3(virtual):
    """after enter-net on delta and mu (virtual: 2.1.2.x, before
    make-real), entr03 still there"""
    g = "2" if virtual else "0"
    boot = None if virtual else False
    ids = ids_e2()
    ids["gamma"][0]["arcs"] += [
        ("delta", "", True, "2.1.{}.1".format(g)),
        ("delta", "entr03", False, None),
    ]
    ids["delta"] = [
        ident("main", "", "2.1.{}.1".format(g), 1,
              [("gamma", "", True, "2.1.1.0"), ("mu", "", True, "2.1.{}.0".format(g))],
              index=new_index, bootstrap=boot),
        ident("connectivity", "entr03", "3.1.2.1", 3,
              [("mu", "entr03", True, "3.1.2.0"), ("gamma", "", False, None)],
              index=0, bootstrap=boot),
    ]
    ids["mu"] = [
        ident("main", "", "2.1.{}.0".format(g), 1, [("delta", "", True, "2.1.{}.1".format(g))],
              index=new_index, bootstrap=boot),
        ident("connectivity", "entr03", "3.1.2.0", 3, [("delta", "entr03", True, "3.1.2.1")],
              index=0, bootstrap=boot),
    ]
    return ids


def ids_e3_done():
    ids = ids_e2()
    ids["gamma"][0]["arcs"].append(("delta", "", True, "2.1.0.1"))
    ids["delta"] = [
        ident("main", "", "2.1.0.1", 1,
              [("gamma", "", True, "2.1.1.0"), ("mu", "", True, "2.1.0.0")], index=new_index)
    ]
    ids["mu"] = [ident("main", "", "2.1.0.0", 1, [("delta", "", True, "2.1.0.1")], index=new_index)]
    return ids


# -- the check of a point of the scenario -------------------------------------------------
def read_all():
    tgen = get_topogen()
    return {name: kstate.read_system(tgen.gears[name]) for name in SYSTEMS}


def state_problem(point, ids, only=None, extra=None):
    """None when every router is at `point` (seed-state's page/seq) and
    shows the identities `ids`.  only: {system: [namespaces]} compares
    just those namespaces of those systems (the others not at all).
    extra(states, maps) -> [problems] adds checks."""
    tgen = get_topogen()
    states = read_all()
    # what the run had, for the checks after the dismissal
    for name, st in states.items():
        for ns in st["netns"]:
            link = st["ns"][ns]["links"].get(_dev(ns))
            if link and kstate.own_linklocals(st, ns, _dev(ns)):
                SEEN[(name, ns)] = (link["mac"], kstate.own_linklocals(st, ns, _dev(ns)))
    maps, problems = kstate.interface_maps(states, REFERENCE)
    if problems:
        return "\n".join(problems)
    own = {n: maps.map_ll(SYSTEMS[n]["linklocal"]) for n in SYSTEMS}
    for name in SYSTEMS:
        p = kstate.neighbours_problem(tgen.gears[name], name, SYSTEMS, hears, own)
        if p:
            problems.append(p)
    if problems:
        return "\n".join(problems)
    for name in SYSTEMS:
        if only is not None and name not in only:
            continue
        exp = expected(name, **point)
        got, summary = kstate.compare(
            name, exp, states[name], maps, None if only is None else only[name]
        )
        problems += got
        if not got:
            logger.info("%s at %s: %s", name, point, summary)
    for name in ids:
        p = identities_problem(name, identities(name), ids[name], states, maps)
        if p:
            problems.append(p)
    if extra:
        problems += extra(states, maps)
    return "\n".join(problems) if problems else None


def wait_for(func, timeout=TIMEOUT):
    """poll func() (None: done) once a second for `timeout` seconds of
    wall clock (a check reads four routers: a count of tries would not
    say how long); its last answer"""
    deadline = time.monotonic() + timeout
    while True:
        result = func()
        if result is None or time.monotonic() > deadline:
            return result
        time.sleep(1)


def wait_state(point, ids, only=None, extra=None):
    result = wait_for(functools.partial(state_problem, point, ids, only, extra))
    assert result is None, "at {}:\n{}".format(point, result)


def snapshot(names, ignore_links=()):
    """everything a refused command must leave as it is"""
    tgen = get_topogen()
    out = {}
    for name in names:
        st = kstate.read_system(tgen.gears[name])
        for link in ignore_links:
            st["ns"][""]["links"].pop(link, None)
        out[name] = (st, identities(name))
    return out


def refused(name, cmd, watch, ignore_links=()):
    """`cmd` on `name` must fail and change nothing on the routers `watch`
    (but the links `ignore_links` of their default namespaces)"""
    before = snapshot(watch, ignore_links)
    ok, out = vtysh(name, cmd)
    assert not ok, "{}: accepted: {}\n{}".format(name, cmd, out)
    after = snapshot(watch, ignore_links)
    for other in watch:
        assert after[other][1] == before[other][1], "{}: `{}` changed {}'s identities:\n{}\n{}".format(
            name, cmd, other, before[other][1], after[other][1]
        )
        assert after[other][0] == before[other][0], "{}: `{}` changed {}'s kernel state".format(
            name, cmd, other
        )


# -- tests -------------------------------------------------------------------------------------
def test_harness():
    "every router has a /run/netns of its own; the switch drops by port"
    tgen = get_topogen()
    devs = {}
    for name in SYSTEMS:
        devs[name] = tgen.gears[name].run("stat -c %d /run/netns").strip()
    devs["(test)"] = str(os.stat("/run/netns").st_dev) if os.path.isdir("/run/netns") else "-"
    assert len(set(devs.values())) == len(devs), "/run/netns is shared: {}".format(devs)
    beta, gamma = tgen.gears["beta"], tgen.gears["gamma"]
    out = beta.run("ip netns add qspnprobe 2>&1")
    assert not out.strip(), out
    try:
        assert "qspnprobe" not in gamma.run("ip netns list"), "gamma sees beta's namespaces"
    finally:
        beta.run("ip netns del qspnprobe")
    out = tgen.gears["s1"].run("nft list set bridge qspnradio deaf")
    assert '"{}" . "{}"'.format(port("beta"), port("gamma")) in out, out


def test_step0_alone():
    "three networks, apart: every router as its story's initial state"
    wait_state({"page": 0}, ids_alone())


def test_e2_arc():
    "beta hears gamma: the link-local routes, no qspn-arc (other network)"
    radio_open("beta", "gamma")
    wait_state({"seq": 10}, ids_e2_arc())


def test_e2_bad_input():
    """a refused operation changes nothing: positions out of range, an
    unknown neighbour, a guest level that does not fit, a neighbour of the
    same network"""
    g = nic_linklocal("gamma")
    bad = [
        # level 0 has gsize 2: no real position 7
        enter_net(g, 0, "2.1.1.2", 2, "entr02", real=7),
        # the host g-node's positions are real: 9 is out of range at level 1
        enter_net(g, 0, "2.1.9.2", 2, "entr02", real=1),
        # an address of 3 levels in a 4-level topology
        enter_net(g, 0, "2.1.2", 2, "entr02", real=1),
        # the connectivity position is virtual (>= gsize)
        enter_net(g, 0, "2.1.1.2", 1, "entr02", real=1),
        # no such neighbour
        enter_net("169.254.1.1", 0, "2.1.1.2", 2, "entr02", real=1),
        # levels are 0..3
        enter_net(g, 4, "2.1.1.2", 2, "entr02", real=1),
        enter_net(g, 9, "2.1.1.2", 2, "entr02", real=1),
    ]
    for cmd in bad:
        refused("beta", cmd, ["beta", "gamma"])
    # mu is in delta's own network
    refused("delta", enter_net(nic_linklocal("mu"), 1, "3.1.2.1", 2, "entr03"), ["delta", "mu"])
    # and everything is still as before
    assert state_problem({"seq": 10}, ids_e2_arc()) is None


def test_e2_failed_halfway():
    """an operation that fails halfway leaves the system as it was: the
    kernel refuses to move the pseudo-interface into the namespace, after
    the namespace exists (a bridge holds the name entr02_eth1 in the
    default namespace, and a bridge cannot change namespace); the command
    fails, the namespace is gone, and beta, gamma and their identities are
    exactly as before (the bridge itself is not looked at)"""
    beta = get_topogen().gears["beta"]
    blocker = "entr02_" + DEV
    out = beta.run("ip link add {} type bridge 2>&1".format(blocker))
    assert not out.strip(), out
    try:
        refused(
            "beta",
            enter_net(nic_linklocal("gamma"), 0, "2.1.1.2", 2, "entr02", real=1),
            ["beta", "gamma"],
            ignore_links=[blocker],
        )
    finally:
        beta.run("ip link del {}".format(blocker))
    wait_state({"seq": 10}, ids_e2_arc())


def test_e2_enter_net():
    """beta enters G_gamma as a single node; the same command again is
    refused; page 2 on beta and gamma, delta and mu as they were"""
    cmd = enter_net(nic_linklocal("gamma"), 0, "2.1.1.2", 2, "entr02", real=1)
    ok, out = vtysh("beta", cmd)
    assert ok, "beta: {}: {}".format(cmd, out)
    ok, out = vtysh("beta", cmd)
    assert not ok, "beta: issued twice, accepted twice: {}".format(out)
    wait_state({"page": 2}, ids_e2())


def test_e3_arc():
    "gamma hears delta: the link-local routes, no qspn-arc yet"
    radio_open("gamma", "delta")
    wait_state({"seq": 25}, ids_e3_arc())


def test_e3_enter_net():
    """the level-1 g-node of delta and mu enters G_gamma at the virtual
    2.1.2.; entr03 of delta and mu as page 3 leaves it (-s 36), gamma's
    link-local routes (to delta0 in entr03 too), and beta whole (a virtual
    g-node is no destination of beta's: nothing reaches it until 2.1.0.)"""
    g = nic_linklocal("gamma")
    d = nic_linklocal("delta")
    ok, out = vtysh("delta", enter_net(g, 1, "2.1.2.1", 2, "entr03"))
    assert ok, "delta: {}".format(out)
    ok, out = vtysh("mu", enter_net(d, 1, "2.1.2.0", 2, "entr03"))
    assert ok, "mu: {}".format(out)

    def gamma_linklocal_routes(states, maps):
        exp = expected("gamma", seq=36)
        want = {
            maps.map_ll(r["dst"].split("/")[0]) + "/32": (
                r["type"], maps.map_ll(r.get("via")), r.get("dev"), maps.map_ll(r.get("src"))
            )
            for r in exp["routes"]
            if r["table"] == kstate.MAIN
        }
        got = states["gamma"]["ns"][""]["routes"].get(kstate.MAIN, {})
        if got != want:
            return ["gamma link-local routes: pages {} kernel {}".format(want, got)]
        return []

    wait_state(
        {"seq": 36},
        ids_e3(virtual=True),
        only={"beta": None, "delta": ["entr03"], "mu": ["entr03"]},
        extra=gamma_linklocal_routes,
    )


def test_e3_make_real():
    """2.1.2. becomes 2.1.0.: converged, all four as just before the
    dismissal of entr03 (-s 40)"""
    for name in ("delta", "mu"):
        ok, out = vtysh(name, "qspn make-real position 0")
        assert ok, "{}: {}".format(name, out)
    wait_state({"seq": 40}, ids_e3(virtual=False))


def test_e3_dismiss():
    """the dismissal of entr03 as the seed page shows it: page 5 for all
    four, and no trace of the connectivity identities"""
    assert ("delta", "entr03") in SEEN and ("mu", "entr03") in SEEN, SEEN
    ok, out = vtysh("delta", "qspn identity entr03 dismiss")
    assert ok, "delta: {}".format(out)
    # Eventi5: one member of chi verifies and propagates the order, so mu's
    # may be gone already; if not, mu's own command dismisses it
    if any(i.get("namespace") == "entr03" for i in identities("mu").get("identities", [])):
        ok, out = vtysh("mu", "qspn identity entr03 dismiss")
        assert ok or "no connectivity identity" in out, "mu: {}".format(out)

    def no_traces(states, maps):
        problems = []
        for name in ("delta", "mu"):
            st = states[name]
            mac, lls = SEEN[(name, "entr03")]
            if st["netns"]:
                problems.append("{}: namespaces {}".format(name, st["netns"]))
            pseudo = [n for n, l in st["ns"][""]["links"].items() if l["kind"] == "macvlan"]
            if pseudo:
                problems.append("{}: pseudo-interfaces left: {}".format(name, pseudo))
            names = [n for n in st["names"].values() if mac in n]
            if names:
                problems.append("{}: rt_tables.d still names {}".format(name, names))
            for other, ost in states.items():
                for ns, nst in ost["ns"].items():
                    for table, routes in nst["routes"].items():
                        for dst, r in routes.items():
                            if dst.split("/")[0] in lls or r[1] in lls:
                                problems.append(
                                    "{} '{}' table {}: route {} {} to {}'s old pseudo-interface".format(
                                        other, ns, table, dst, r, name
                                    )
                                )
        return problems

    wait_state({"page": 5}, ids_e3_done(), extra=no_traces)


def test_ping_between_global_addresses():
    tgen = get_topogen()
    for name in SYSTEMS:
        router = tgen.gears[name]
        for other in SYSTEMS:
            if other == name:
                continue
            cmd = "ping -c 1 -W 1 -I {} {}".format(
                SYSTEMS[name]["global"], SYSTEMS[other]["global"]
            )

            def ping():
                return router.run(cmd + " >/dev/null 2>&1; echo $?").strip() == "0"

            ok, _ = topotest.run_and_expect(ping, True, count=10, wait=1)
            assert ok, "{}: {} fails".format(name, cmd)
    assert state_problem({"page": 5}, ids_e3_done()) is None


def test_peer_gone_during_phase1():
    """the peer disappears as the operation starts: beta must end in its
    previous consistent state.  beta's qspnd is restarted (it starts over
    from its configuration: beta0 1.0.1.0 in G_beta, hearing gamma); then
    the switch drops beta-gamma and the command follows at once, while
    beta still counts gamma as a neighbour with a session.  Whether the
    command is refused or fails later, beta must end as it was before it,
    without gamma: its initial state, no namespace, beta0 its only
    identity.  (Last in the module: the others are not compared.)"""
    beta = get_topogen().gears["beta"]
    beta.killDaemons(["qspnd"])
    beta.startDaemons(["qspnd"])
    beta.run("vtysh -f /etc/frr/frr.conf")
    wait_state({"seq": 10}, {"beta": ids_e2_arc()["beta"]}, only={"beta": None})
    g = nic_linklocal("gamma")
    radio_close("beta", "gamma")
    ok, out = vtysh("beta", enter_net(g, 0, "2.1.1.2", 2, "entr02", real=1))
    logger.info("enter-net with the peer gone: %s", "accepted" if ok else "refused")
    wait_state({"page": 0}, {"beta": ids_alone()["beta"]}, only={"beta": None})


if __name__ == "__main__":
    args = ["-s"] + sys.argv[1:]
    sys.exit(pytest.main(args))
