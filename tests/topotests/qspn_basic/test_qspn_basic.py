#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
qspn_basic: two routers, each with zebra and qspnd, configured through the
qspn-aware vtysh from a unified frr.conf.

    r1 (3.0.1.0) ---- s1 ---- r2 (3.0.1.1)      topology 4.2.2.2

Checks the router's summary, the zebra session, that running-config
re-applies identically, that bad configuration is refused (from vtysh and
from a configuration file) without harming the daemon, and that qspnd
reconnects by itself when zebra restarts.
"""

import functools
import json
import os
import re

import pytest

from lib import topotest
from lib.topogen import Topogen, TopoRouter, get_topogen

pytestmark = [pytest.mark.qspnd]

CWD = os.path.dirname(os.path.realpath(__file__))


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
        router.load_frr_config(os.path.join(CWD, rname, "frr.conf"))
    tgen.start_router()


def teardown_module(mod):
    get_topogen().stop_topology()


def expect_json(router, command, expected, count=30, wait=1):
    test_func = functools.partial(
        topotest.router_json_cmp, router, command, expected
    )
    _, result = topotest.run_and_expect(test_func, None, count=count, wait=wait)
    return result


def load_expected(rname, fname):
    with open(os.path.join(CWD, rname, fname)) as f:
        return json.load(f)


def qspnd_pid(router):
    out = router.run("cat /var/run/frr/qspnd.pid").strip()
    assert out.isdigit(), "qspnd has no pid file: {!r}".format(out)
    assert router.run("kill -0 {} && echo alive".format(out)).strip() == "alive"
    return int(out)


def qspn_block(router):
    """The `router qspn` block of running-config, as lines."""
    text = router.vtysh_cmd("show running-config")
    m = re.search(r"^router qspn\n(.*?)^exit\n", text, re.M | re.S)
    assert m, "no router qspn block in running-config:\n" + text
    return ["router qspn"] + m.group(1).rstrip("\n").split("\n") + ["exit"]


def vtysh_config(router, lines):
    """Configure through vtysh; return its combined output."""
    args = " ".join("-c '{}'".format(line) for line in ["configure terminal"] + lines)
    return router.run("vtysh {} 2>&1".format(args))


def test_summary():
    tgen = get_topogen()
    for rname in ("r1", "r2"):
        router = tgen.gears[rname]
        result = expect_json(
            router, "show qspn summary json", load_expected(rname, "summary.json")
        )
        assert result is None, "{}: unexpected summary: {}".format(rname, result)


def test_zebra_client():
    tgen = get_topogen()
    for rname in ("r1", "r2"):
        out = tgen.gears[rname].vtysh_cmd("show zebra client summary")
        # qspnd talks to zebra with the route type reserved for mesh daemons
        assert re.search(r"^olsr\s", out, re.M), "qspnd is not a zebra client:\n" + out


def test_stock_commands_still_work():
    "The qspn-aware vtysh still drives the stock daemons."
    tgen = get_topogen()
    r1 = tgen.gears["r1"]
    out = vtysh_config(r1, ["ip route 192.0.2.0/24 blackhole"])
    assert "%" not in out, out
    expected = {"192.0.2.0/24": [{"protocol": "static", "installed": True}]}
    assert expect_json(r1, "show ip route 192.0.2.0/24 json", expected) is None
    vtysh_config(r1, ["no ip route 192.0.2.0/24 blackhole"])


def test_garbage_hellos():
    "Bad datagrams on the hello port: counted and dropped, nothing else."
    tgen = get_topogen()
    r1, r2 = tgen.gears["r1"], tgen.gears["r2"]
    # r1 has heard r2 already
    heard = functools.partial(qspn_neighbour_names, r1)
    _, names = topotest.run_and_expect(heard, ["r1-eth0"], count=30, wait=1)
    assert names == ["r1-eth0"], names
    pid = qspnd_pid(r1)
    before = r1.vtysh_cmd("show qspn summary json", isjson=True)
    out = r2.run("python3 {} r2-eth0".format(os.path.join(CWD, "garbage.py")))
    certain, total = (int(x) for x in out.split())
    assert certain > 50 and total > certain, out

    def dropped():
        now = r1.vtysh_cmd("show qspn summary json", isjson=True)
        return (
            now["counters"]["drops"]["badHello"]
            - before["counters"]["drops"]["badHello"]
        )

    topotest.run_and_expect(lambda: dropped() >= certain, True, count=20, wait=0.5)
    assert dropped() >= certain, "{} bad hellos counted, {} sent".format(
        dropped(), certain
    )
    assert qspnd_pid(r1) == pid
    assert "r1-eth0" in qspn_neighbour_names(r1)


def qspn_neighbour_names(router):
    nbrs = router.vtysh_cmd("show qspn neighbors json", isjson=True)
    return sorted({n["interface"] for n in nbrs.values()})


def test_running_config_reapplies():
    tgen = get_topogen()
    r2 = tgen.gears["r2"]
    before = qspn_block(r2)
    assert before == [
        "router qspn",
        " topology 4.2.2.2",
        " address 3.0.1.1",
        " max-paths 3",
        " accept-anonymous",
        "exit",
    ], before
    out = vtysh_config(r2, ["no router qspn"])
    assert "%" not in out, out
    assert "router qspn" not in r2.vtysh_cmd("show running-config")
    assert expect_json(r2, "show qspn summary json", {"routerConfigured": False}) is None
    out = vtysh_config(r2, before)
    assert "%" not in out, out
    assert qspn_block(r2) == before
    result = expect_json(
        r2, "show qspn summary json", load_expected("r2", "summary.json")
    )
    assert result is None, result


def test_anonymize_knob():
    "`no anonymize` removes the SNAT relay rule; `anonymize` puts it back."
    tgen = get_topogen()
    r1 = tgen.gears["r1"]

    def has_snat():
        return "snat" in r1.run("nft list table ip qspnd 2>/dev/null")

    _, ok = topotest.run_and_expect(has_snat, True, count=30, wait=1)
    assert ok, r1.run("nft list ruleset")
    out = vtysh_config(r1, ["router qspn", "no anonymize"])
    assert "%" not in out, out
    assert " no anonymize" in qspn_block(r1)
    _, gone = topotest.run_and_expect(has_snat, False, count=30, wait=1)
    assert not gone, r1.run("nft list ruleset")
    out = vtysh_config(r1, ["router qspn", "anonymize"])
    assert "%" not in out, out
    assert " no anonymize" not in qspn_block(r1)
    _, back = topotest.run_and_expect(has_snat, True, count=30, wait=1)
    assert back, r1.run("nft list ruleset")


BAD_LINES = [
    ("topology 3.2", "not a power of two"),
    ("address 9.9.9.9", "out of range"),
    ("address 3.0.1", "positions but the topology has 4 levels"),
    ("topology 8.256.256.256", "22 address bits"),
    ("subnet-level 5", "must be below the number of levels"),
]


@pytest.mark.parametrize("line,message", BAD_LINES)
def test_bad_config_vtysh(line, message):
    tgen = get_topogen()
    r1 = tgen.gears["r1"]
    pid = qspnd_pid(r1)
    out = vtysh_config(r1, ["router qspn", line])
    assert "Configuration failed" in out and message in out, out
    assert qspnd_pid(r1) == pid
    result = expect_json(
        r1, "show qspn summary json", load_expected("r1", "summary.json")
    )
    assert result is None, result


def test_bad_config_file():
    """
    A configuration file with bad lines.  Through vtysh -f the file is one
    transaction: refused whole, with the reason, and nothing changes.  Read by
    the daemon at start-up, each bad line is refused (the reason is logged) and
    the good ones are applied.
    """
    tgen = get_topogen()
    r1 = tgen.gears["r1"]
    r1.run(
        "printf 'router qspn\\n topology 3.2\\n max-paths 7\\n address 9.9.9.9\\nexit\\n'"
        " > /etc/frr/qspn-bad.conf"
    )
    out = r1.run("vtysh -f /etc/frr/qspn-bad.conf 2>&1")
    assert "Configuration failed" in out and "not a power of two" in out, out
    pid = qspnd_pid(r1)
    assert expect_json(
        r1, "show qspn summary json", load_expected("r1", "summary.json")
    ) is None

    r1.killDaemons(["qspnd"])
    assert r1.run("test -e /proc/{} && echo running".format(pid)).strip() == ""
    r1.run(
        "printf 'router qspn\\n topology 3.2\\n topology 4.2.2.2\\n"
        " address 9.9.9.9\\n address 3.0.1.0\\nexit\\n' > /etc/frr/qspnd.conf;"
        " chown frr:frr /etc/frr/qspnd.conf"
    )
    r1.net.daemons_options["qspnd"] = "-f /etc/frr/qspnd.conf"
    r1.startDaemons(["qspnd"])
    qspnd_pid(r1)
    log = r1.run("cat {}/r1/qspnd.log".format(tgen.logdir))
    assert "configuration refused: invalid topology" in log, log
    assert "not a power of two" in log, log
    assert "out of range" in log, log
    assert "config line 2:  topology 3.2" in log, log
    assert "config line 4:  address 9.9.9.9" in log, log
    expected = {
        "routerConfigured": True,
        "state": "active",
        "topology": "4.2.2.2",
        "address": "3.0.1.0",
    }
    assert expect_json(r1, "show qspn summary json", expected) is None


def test_zebra_restart():
    "qspnd reconnects to a restarted zebra by itself."
    tgen = get_topogen()
    r2 = tgen.gears["r2"]
    before = r2.vtysh_cmd("show qspn summary json", isjson=True)
    assert before.get("zebraConnected") is True, before
    pid = qspnd_pid(r2)
    r2.killDaemons(["zebra"])
    assert expect_json(r2, "show qspn summary json", {"zebraConnected": False}) is None
    r2.startDaemons(["zebra"])
    expected = {
        "zebraConnected": True,
        "zebraConnects": before["zebraConnects"] + 1,
    }
    assert expect_json(r2, "show qspn summary json", expected, count=60) is None
    assert qspnd_pid(r2) == pid
    out = r2.vtysh_cmd("show zebra client summary")
    assert re.search(r"^olsr\s", out, re.M), out
