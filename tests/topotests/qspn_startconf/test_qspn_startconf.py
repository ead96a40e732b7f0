#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
qspn_startconf: qspnd configured from a file it reads when it starts, on
interfaces that are already up.

    r1 (3.0.1.0) ---- s1 ---- r2 (3.0.1.1)      topology 4.2.2.2

FRR's split configuration: no frr.conf, every daemon reads its own file.  r1's
qspnd reads its default /etc/frr/qspnd.conf; r2's is started with `-f FILE`
on a file of another name.  Both files are read before zebra has answered, and
the links were up before any daemon started, so zebra announces the interfaces
only with an "add", never an "up": qspnd must start them from that.  Nothing
is pushed through vtysh.  Checks: every interface running with its
link-local, hellos sent and heard, both neighbours up with an arc, the
routes to each other's address installed by zebra, and a ping.
"""

import functools
import os

import pytest

from lib import topotest
from lib.topogen import Topogen, TopoRouter, get_topogen

pytestmark = [pytest.mark.qspnd]

CWD = os.path.dirname(os.path.realpath(__file__))
GLOBAL = {"r1": "10.0.0.26", "r2": "10.0.0.27"}  # 3.0.1.x in 4.2.2.2


def build_topo(tgen):
    for name in ("r1", "r2"):
        tgen.add_router(name)
    sw = tgen.add_switch("s1")
    sw.add_link(tgen.gears["r1"])
    sw.add_link(tgen.gears["r2"])


def setup_module(mod):
    tgen = Topogen(build_topo, mod.__name__)
    tgen.start_topology()
    for rname, router in tgen.routers().items():
        router.load_config(
            TopoRouter.RD_ZEBRA, os.path.join(CWD, rname, "zebra.conf")
        )
    r1, r2 = tgen.gears["r1"], tgen.gears["r2"]
    # r1: the default file of the split configuration, /etc/frr/qspnd.conf
    r1.load_config(TopoRouter.RD_QSPN, os.path.join(CWD, "r1", "qspnd.conf"))
    # r2: an explicit -f on a file of another name
    r2.load_config(TopoRouter.RD_QSPN, None, "-f /etc/frr/qspnd-start.conf")
    r2.run(
        "cp {} /etc/frr/qspnd-start.conf && chmod 644 /etc/frr/qspnd-start.conf".format(
            os.path.join(CWD, "r2", "qspnd.conf")
        )
    )
    for router in (r1, r2):
        assert router.run("ls /etc/frr/frr.conf 2>&1").find("No such") >= 0
        # the links are up before any daemon starts
        out = router.run("ip -br link show {}-eth0".format(router.name))
        assert " UP " in out, out
    tgen.start_router()


def teardown_module(mod):
    get_topogen().stop_topology()


def summary(router):
    return router.vtysh_cmd("show qspn summary json", isjson=True)


def test_interfaces_run_from_the_start_file():
    tgen = get_topogen()
    for rname in ("r1", "r2"):
        router = tgen.gears[rname]
        ifname = rname + "-eth0"

        def running():
            j = summary(router)
            i = j.get("interfaces", {}).get(ifname, {})
            return bool(
                i.get("running")
                and i.get("linkLocal", "").startswith("169.254.")
                and j["counters"]["hellosOut"] > 0
                and j["counters"]["hellosIn"] > 0
            )

        ok, _ = topotest.run_and_expect(running, True, count=30, wait=1)
        assert ok, "{}: {} not running from the start file: {}".format(
            rname, ifname, summary(router)
        )


def test_running_config_is_the_file():
    tgen = get_topogen()
    for rname in ("r1", "r2"):
        text = tgen.gears[rname].vtysh_cmd("show running-config")
        assert "router qspn\n topology 4.2.2.2\n" in text, text
        assert "interface {}-eth0\n qspn\n".format(rname) in text, text


def test_neighbours_up_with_arcs():
    tgen = get_topogen()
    for rname in ("r1", "r2"):
        router = tgen.gears[rname]

        def up():
            nbrs = router.vtysh_cmd("show qspn neighbors json", isjson=True)
            return sorted(
                (n["interface"], n["state"], n["arc"]) for n in nbrs.values()
            )

        want = [(rname + "-eth0", "up", True)]
        _, got = topotest.run_and_expect(up, want, count=60, wait=1)
        assert got == want, "{}: neighbours {}".format(rname, got)


def test_routes_and_ping():
    tgen = get_topogen()
    for rname, other in (("r1", "r2"), ("r2", "r1")):
        router = tgen.gears[rname]
        route = functools.partial(
            router.run, "ip -4 route show table all proto zebra {}".format(GLOBAL[other])
        )
        ok, _ = topotest.run_and_expect(
            lambda: GLOBAL[other] in route(), True, count=60, wait=1
        )
        assert ok, "{}: no route to {} from zebra:\n{}".format(
            rname, GLOBAL[other], router.run("ip -4 route show table all")
        )
    r1 = tgen.gears["r1"]
    ping = functools.partial(
        r1.run, "ping -c 1 -W 1 -I {} {}".format(GLOBAL["r1"], GLOBAL["r2"])
    )
    ok, out = topotest.run_and_expect(
        lambda: " 0% packet loss" in ping(), True, count=30, wait=1
    )
    assert ok, ping()


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main(["-s"] + sys.argv[1:]))
