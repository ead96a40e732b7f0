#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
qspn_seed: the systems beta, gamma, delta and mu of doc/protocol/scenario.md as
the seed page (Eventi5) leaves them, once entr03's connectivity identities are
dismissed: only main identities, all in G_gamma.

    beta 2.1.1.1 -- gamma 2.1.1.0 -- delta 2.1.0.1 -- mu 2.1.0.0

Every system has one NIC, eth1, with its MAC of doc/protocol/scenario.md §2;
the four NICs share one switch, which acts like the scenario's radio: each
system drops, at the ingress of its eth1, the frames of the systems it does not
hear (doc/protocol/scenario.md §2: beta-gamma, gamma-delta, delta-mu), so each
one has exactly the neighbours of the seed page.  The chain has one path to
each destination, so the vectors' choices do not depend on link costs and the
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

The reading of the kernels and the comparison are lib_qspn/kstate.py's,
shared with qspn_ingress.

seed-state is found in the build tree of the qspnd under test (or set
QSPN_SEED_STATE); its absence is a failure, not a skip.
"""

import functools
import os
import sys

import pytest

from lib import topotest
from lib.topogen import Topogen, TopoRouter, get_topogen
from lib.topolog import logger
from lib_qspn import kstate

pytestmark = [pytest.mark.qspnd]

RT_TABLES = kstate.RT_TABLES_D
DEV = "eth1"
PAGE = 5

# doc/protocol/scenario.md §2 (MACs and the link-locals the pages use) and §3
# (the main identities at the seed page, their global addresses).
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


def expected_state(system):
    return kstate.seed_state(system, page=PAGE)


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
        # the MAC of doc/protocol/scenario.md, set before qspnd starts
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


# -- the kernel against the pages -----------------------------------------------------
def check_system(name):
    """None when `name`'s kernel holds the state pages 1-5 leave in it."""
    tgen = get_topogen()
    state = kstate.read_system(tgen.gears[name], [""])
    own = {}
    for other in SYSTEMS:
        lls = sorted(
            ip
            for ip, dev in kstate.read_addresses(tgen.gears[other])
            if dev == DEV and kstate.is_ll(ip)
        )
        if len(lls) != 1:
            return "{}: link-locals on {}: {}".format(other, DEV, lls)
        own[other] = lls[0]
    problem = kstate.neighbours_problem(
        get_topogen().gears[name], name, SYSTEMS, hears, own
    )
    if problem:
        return problem
    # the physical NICs have the pages' MACs; their link-locals are random
    maps = kstate.Maps()
    for other in SYSTEMS:
        maps.add(SYSTEMS[other]["mac"], SYSTEMS[other]["linklocal"],
                 SYSTEMS[other]["mac"], own[other])
    problems, summary = kstate.compare(name, EXPECTED[name], state, maps)
    if problems:
        return "\n".join(problems)
    logger.info("%s: as the pages: %s", name, summary)
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
                "%s: the pages depart from the rules, doc/protocol/differences.md items %s",
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
