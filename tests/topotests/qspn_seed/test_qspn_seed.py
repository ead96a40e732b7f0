#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
qspn_seed: the systems beta, gamma, delta and mu of spec/scenario.md as the
seed page (Eventi5) leaves them, once entr03's connectivity identities are
dismissed: only main identities, all in G_gamma.

    beta 2.1.1.1 -- gamma 2.1.1.0 -- delta 2.1.0.1 -- mu 2.1.0.0

Every system has one NIC, eth1, with its MAC of scenario.md §2; the four
NICs share one switch, which acts like the scenario's radio: each system
drops, at the ingress of its eth1, the frames of the systems it does not
hear (scenario.md §2: beta-gamma, gamma-delta, delta-mu), so each one has
exactly the neighbours of the seed page.  The chain has one path to each
destination, so the vectors' choices do not depend on link costs and the
costs are the measured ones.

Expected state: tests/conformance/seed-state prints, per system, the kernel
state that pages 1-5 of the vectors leave (the conformance test's kernel
model after the story's steps of pages 1-5, inconsistency fixes included).
After convergence every router must hold exactly that state: table ntk,
every forwarding table ntk_from_<MAC>, the policy rules, the MAC marks, and
also the table names (rt_tables.d), the SNAT rule, the own addresses and the
/32 routes to the neighbours' link-locals in main.  Link-local addresses are chosen at random and table ids
are allocated, so they are mapped, never copied: a peer's link-local through
the MAC in `show qspn neighbors json` (checked against the peer's own
kernel), a forwarding table's id through the MAC its mark matches.  Then
every router pings every other router's global address from its own.

seed-state is found in the build tree of the qspnd under test (or set
QSPN_SEED_STATE); its absence is a failure, not a skip.
"""

import functools
import ipaddress
import json
import os
import subprocess
import sys

import pytest

from lib import topotest
from lib.topogen import Topogen, TopoRouter, get_topogen
from lib.topolog import logger

pytestmark = [pytest.mark.qspnd]

CWD = os.path.dirname(os.path.realpath(__file__))
CONFORMANCE = os.path.join(CWD, "..", "..", "conformance")

RT_TABLES = "/etc/iproute2/rt_tables.d"
NTK = 251
DEV = "eth1"
PAGE = 5

# spec/scenario.md §2 (MACs and the link-locals the pages use) and §3 (the
# main identities at the seed page, their global addresses).
SYSTEMS = {
    "beta": {
        "mac": "00:16:3E:EC:A3:E1",
        "linklocal": "169.254.96.141",
        "address": "2.1.1.1",
        "global": "10.0.0.23",
    },
    "gamma": {
        "mac": "00:16:3E:5B:78:D5",
        "linklocal": "169.254.94.223",
        "address": "2.1.1.0",
        "global": "10.0.0.22",
    },
    "delta": {
        "mac": "00:16:3E:1A:C4:45",
        "linklocal": "169.254.253.216",
        "address": "2.1.0.1",
        "global": "10.0.0.21",
    },
    "mu": {
        "mac": "00:16:3E:2D:8D:DE",
        "linklocal": "169.254.119.176",
        "address": "2.1.0.0",
        "global": "10.0.0.20",
    },
}
LINKS = [("beta", "gamma"), ("gamma", "delta"), ("delta", "mu")]


def hears(a, b):
    return (a, b) in LINKS or (b, a) in LINKS


def seed_state_tool():
    """tests/conformance/seed-state of the build tree under test: the qspnd
    of the harness's daemon directory is <builddir>/qspnd/qspnd."""
    tool = os.environ.get("QSPN_SEED_STATE")
    if tool:
        return tool
    qspnd = os.path.realpath(os.path.join(os.environ["QSPN_FRRDIR"], "qspnd"))
    builddir = os.path.dirname(os.path.dirname(qspnd))
    return os.path.join(builddir, "tests", "conformance", "seed-state")


def expected_state(system):
    tool = seed_state_tool()
    assert os.access(
        tool, os.X_OK
    ), "{} is missing: build it (make tests/conformance/seed-state)".format(tool)
    proc = subprocess.run(
        [tool, "-d", CONFORMANCE, "-p", str(PAGE), system],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        universal_newlines=True,
    )
    assert proc.returncode == 0, "seed-state {}: {}".format(system, proc.stderr)
    return json.loads(proc.stdout)


EXPECTED = {}


# -- the harness -------------------------------------------------------------
def build_topo(tgen):
    # rt_tables.d is per system, like the rest of /etc on a real machine
    dirs = TopoRouter.PRIVATE_DIRS + [RT_TABLES]
    radio = tgen.add_switch("s1")
    for name in SYSTEMS:
        tgen.add_router(name, privateDirs=dirs)
        radio.add_link(tgen.gears[name], nodeif=DEV)


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
            " accept-anonymous",
            "exit",
            "",
        ]
    )


def radio_filter(name):
    """nft commands: eth1 drops the frames of the systems `name` does not
    hear."""
    deaf = sorted(
        SYSTEMS[o]["mac"].lower() for o in SYSTEMS if o != name and not hears(name, o)
    )
    cmds = [
        "nft add table netdev seedradio",
        "nft add chain netdev seedradio ingress "
        "'{{ type filter hook ingress device {} priority -500; policy accept; }}'".format(
            DEV
        ),
    ]
    if deaf:
        cmds.append(
            "nft add rule netdev seedradio ingress ether saddr '{{ {} }}' drop".format(
                ", ".join(deaf)
            )
        )
    return cmds


def setup_module(mod):
    for name in SYSTEMS:
        EXPECTED[name] = expected_state(name)
    tgen = Topogen(build_topo, mod.__name__)
    tgen.start_topology()
    os.makedirs(tgen.logdir, exist_ok=True)
    for name, router in tgen.routers().items():
        # the MAC of scenario.md, set before qspnd starts
        out = router.run(
            "ip link set dev {} address {} 2>&1".format(DEV, SYSTEMS[name]["mac"])
        )
        assert not out.strip(), "{}: {}".format(name, out)
        for cmd in radio_filter(name):
            out = router.run(cmd + " 2>&1")
            assert not out.strip(), "{}: {}: {}".format(name, cmd, out)
        conf = os.path.join(tgen.logdir, name + "-frr.conf")
        with open(conf, "w") as f:
            f.write(frr_conf(name))
        router.load_frr_config(conf)
    tgen.start_router()


def teardown_module(mod):
    get_topogen().stop_topology()


# -- reading the kernel --------------------------------------------------------
def run_json(router, cmd):
    out = router.run(cmd)
    try:
        return json.loads(out) if out.strip() else []
    except ValueError:
        return None


def host(dst):
    "ip prints host routes without /32"
    return dst if "/" in dst else dst + "/32"


def in_net(ip, net):
    return ipaddress.ip_address(ip.split("/")[0]) in ipaddress.ip_network(net)


def kernel_routes(router, table):
    """{dst: (type, via, dev, src)} of a table, by id"""
    routes = run_json(router, "ip -j route show table {}".format(table)) or []
    out = {}
    for r in routes:
        kind = r.get("type", "unicast")
        if kind == "unicast":
            route = (kind, r.get("gateway"), r.get("dev"), r.get("prefsrc"))
        else:
            route = (kind, None, None, None)
        out[host(r["dst"])] = route
    return out


def kernel_table_ids(router):
    routes = run_json(router, "ip -N -j route show table all") or []
    return {int(r.get("table", 254)) for r in routes}


def kernel_rules(router):
    """{(fwmark, table)} of every rule but the kernel's own three"""
    out = set()
    for r in run_json(router, "ip -N -j rule show") or []:
        table = int(r.get("table", 0))
        if table in (253, 254, 255) and "fwmark" not in r:
            continue
        out.add((int(r.get("fwmark", "0"), 0), table))
    return out


def kernel_nft(router):
    """([(MAC, mark)], [(dst, to)]) of nftables table ip qspnd"""
    marks, snat = [], []
    out = run_json(router, "nft -j list table ip qspnd 2>/dev/null")
    items = out.get("nftables", []) if isinstance(out, dict) else []
    for item in items:
        rule = item.get("rule")
        if not rule:
            continue
        saddr = dst = mark = to = None
        for e in rule["expr"]:
            m = e.get("match")
            if m:
                left = m["left"].get("payload", {})
                if left.get("protocol") == "ether" and left.get("field") == "saddr":
                    saddr = m["right"].upper()
                if left.get("protocol") == "ip" and left.get("field") == "daddr":
                    right = m["right"]
                    if isinstance(right, dict) and "prefix" in right:
                        dst = "{}/{}".format(
                            right["prefix"]["addr"], right["prefix"]["len"]
                        )
                    else:
                        dst = host(str(right))
            if (
                "mangle" in e
                and e["mangle"]["key"].get("meta", {}).get("key") == "mark"
            ):
                mark = e["mangle"]["value"]
            if "snat" in e:
                to = e["snat"].get("addr")
        if saddr is not None and mark is not None:
            marks.append((saddr, mark))
        elif dst is not None and to is not None:
            snat.append((dst, to))
        else:
            marks.append(("unknown rule", json.dumps(rule["expr"])))
    return marks, snat


def kernel_addresses(router):
    out = set()
    for i in run_json(router, "ip -j -4 addr show") or []:
        for a in i.get("addr_info", []):
            ip = a["local"]
            if in_net(ip, "10.0.0.0/8") or in_net(ip, "169.254.0.0/16"):
                out.add((ip, i["ifname"]))
    return out


def kernel_table_names(router):
    """{id: name} of qspnd's rt_tables.d file"""
    text = router.run("cat {}/qspnd.conf 2>/dev/null".format(RT_TABLES))
    out = {}
    for line in text.splitlines():
        words = line.split("#")[0].split()
        if len(words) == 2 and words[0].isdigit():
            out[int(words[0])] = words[1]
    return out


def own_linklocal(router):
    lls = [ip for ip, dev in kernel_addresses(router) if in_net(ip, "169.254.0.0/16")]
    return lls[0] if len(lls) == 1 else None


# -- the expected state, mapped onto this run ------------------------------------
def linklocal_map(name):
    """{link-local of the pages: link-local in this run} for name and the
    systems it hears; or a string saying what is missing."""
    tgen = get_topogen()
    router = tgen.gears[name]
    mine = own_linklocal(router)
    if not mine:
        return "{}: no single link-local on {}".format(name, DEV)
    llmap = {SYSTEMS[name]["linklocal"]: mine}
    neighbours = router.vtysh_cmd("show qspn neighbors json", isjson=True)
    by_mac = {n["mac"].upper(): n for n in neighbours.values()}
    heard = sorted(o for o in SYSTEMS if SYSTEMS[o]["mac"] in by_mac)
    want = sorted(o for o in SYSTEMS if o != name and hears(name, o))
    if heard != want:
        return "{}: hears {}, should hear {}".format(name, heard, want)
    for other in want:
        ll = by_mac[SYSTEMS[other]["mac"]]["linkLocal"]
        peer_own = own_linklocal(tgen.gears[other])
        if ll != peer_own:
            return "{}: neighbour {} at {}, but {} has {}".format(
                name, other, ll, other, peer_own
            )
        llmap[SYSTEMS[other]["linklocal"]] = ll
    return llmap


def mapped_expectation(name, llmap, marks):
    """The page state of `name` with link-locals and table ids of this run:
    (tables {id: {dst: route}}, rules, marks, snat, addresses, names)."""
    exp = EXPECTED[name]
    actual_mark = dict(marks)
    tid = {NTK: NTK, 254: 254}
    for m in exp["marks"]:
        if m["mac"] not in actual_mark:
            return "{}: no MAC mark for {} (table {} of the pages)".format(
                name, m["mac"], m["mark"]
            )
        tid[m["mark"]] = actual_mark[m["mac"]]
    mac_of_mark = {m["mark"]: m["mac"] for m in exp["marks"]}
    for t, tname in exp["rt_tables"].items():
        t = int(t)
        if t != NTK and tname != "ntk_from_" + mac_of_mark.get(t, "?"):
            return "{}: page table {} {} has no mark of its MAC".format(name, t, tname)

    def ll(ip):
        return llmap.get(ip, "unmapped " + ip) if ip else None

    tables = {}
    for r in exp["routes"]:
        table = tid.get(r["table"])
        if table is None:
            return "{}: page route in unnamed table {}".format(name, r)
        dst = r["dst"]
        if table == 254:
            dst = ll(dst.split("/")[0]) + "/32"
        route = (r["type"], ll(r.get("via")), r.get("dev"), r.get("src"))
        if table == 254 and route[3]:
            route = route[:3] + (ll(route[3]),)
        tables.setdefault(table, {})[dst] = route
    # the mark of a forwarding table is its id (routes.md §3)
    rules = {
        (tid.get(r["fwmark"], -1) if r["fwmark"] else 0, tid.get(r["table"], -1))
        for r in exp["rules"]
    }
    want_marks = sorted((m["mac"], tid[m["mark"]]) for m in exp["marks"])
    snat = sorted((s["dst"], s["to"]) for s in exp["snat"])
    addrs = {
        (ll(a["ip"]) if in_net(a["ip"], "169.254.0.0/16") else a["ip"], a["dev"])
        for a in exp["addresses"]
    }
    names = {tid[int(t)]: n for t, n in exp["rt_tables"].items()}
    return tables, rules, want_marks, snat, addrs, names


def diff_routes(name, table, want, got):
    out = []
    for dst in sorted(set(want) | set(got)):
        if want.get(dst) != got.get(dst):
            out.append(
                "{} table {} {}: pages {} kernel {}".format(
                    name, table, dst, want.get(dst), got.get(dst)
                )
            )
    return out


def check_system(name):
    """None when `name`'s kernel holds the state pages 1-5 leave in it."""
    router = get_topogen().gears[name]
    llmap = linklocal_map(name)
    if isinstance(llmap, str):
        return llmap
    marks, snat = kernel_nft(router)
    mapped = mapped_expectation(name, llmap, marks)
    if isinstance(mapped, str):
        return mapped
    tables, rules, want_marks, want_snat, addrs, names = mapped
    problems = []
    if sorted(marks) != want_marks:
        problems.append(
            "{} MAC marks: pages {} kernel {}".format(name, want_marks, sorted(marks))
        )
    if sorted(snat) != want_snat:
        problems.append(
            "{} SNAT: pages {} kernel {}".format(name, want_snat, sorted(snat))
        )
    got_rules = kernel_rules(router)
    if got_rules != rules:
        problems.append(
            "{} ip rule: pages {} kernel {}".format(
                name, sorted(rules), sorted(got_rules)
            )
        )
    for table, want in sorted(tables.items()):
        got = kernel_routes(router, table)
        if table == 254:
            got = {d: r for d, r in got.items() if in_net(d, "169.254.0.0/16")}
        problems += diff_routes(name, table, want, got)
    extra = kernel_table_ids(router) - set(tables) - {253, 254, 255}
    if extra:
        problems.append(
            "{}: tables the pages do not have: {}".format(name, sorted(extra))
        )
    got_names = kernel_table_names(router)
    if got_names != names:
        problems.append(
            "{} table names: pages {} rt_tables.d {}".format(name, names, got_names)
        )
    got_addrs = kernel_addresses(router)
    if got_addrs != addrs:
        problems.append(
            "{} addresses: pages {} kernel {}".format(
                name, sorted(addrs), sorted(got_addrs)
            )
        )
    if problems:
        return "\n".join(problems)
    logger.info(
        "%s: as the pages: routes %s, rules %s, marks %s, SNAT %s, %d addresses",
        name,
        {t: len(r) for t, r in sorted(tables.items())},
        sorted(rules),
        want_marks,
        want_snat,
        len(addrs),
    )
    return None


# -- tests ---------------------------------------------------------------------------
def test_expected_state_from_the_pages():
    "the pages leave one default namespace holding only main identities"
    for name, exp in EXPECTED.items():
        assert exp["netns"] == [], "{}: namespaces left: {}".format(name, exp["netns"])
        assert exp["page"] == PAGE
        # the kernel model of the pages names every forwarding table after
        # the MAC of a system this one hears
        peers = {SYSTEMS[o]["mac"] for o in SYSTEMS if hears(name, o)}
        assert {m["mac"] for m in exp["marks"]} == peers, (name, exp["marks"])
        if exp["inconsistencies"]:
            logger.info(
                "%s: the pages depart from the rules, inconsistencies.md items %s",
                name,
                exp["inconsistencies"],
            )


def test_kernel_state_as_the_pages():
    for name in SYSTEMS:
        test_func = functools.partial(check_system, name)
        _, result = topotest.run_and_expect(test_func, None, count=90, wait=1)
        assert result is None, result


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
                out = router.run(cmd + " >/dev/null 2>&1; echo $?").strip()
                return out == "0"

            ok, _ = topotest.run_and_expect(ping, True, count=10, wait=1)
            assert ok, "{}: {} fails".format(name, cmd)
    # and the state is still the pages' one
    for name in SYSTEMS:
        result = check_system(name)
        assert result is None, result


if __name__ == "__main__":
    args = ["-s"] + sys.argv[1:]
    sys.exit(pytest.main(args))
