#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
qspn_kernel: the kernel state qspnd puts, keeps and removes
(doc/protocol/routes.md §2-§4).

    r1 (1.0.1.0, accept-anonymous) --- s1              alone: no neighbours
    r2 (2.1.1.0) --- s2 --- r3 (2.1.1.1)               neighbours at level 0

Every expected value is computed here from the formulas of
doc/protocol/routes.md §1 (addresses, destinations) and the rules of §2-§4, not
taken from qspnd.

r1: table ntk (251) holds `unreachable` for every destination IP, through
zebra; `ip rule` has `lookup ntk`; the global, anonymizing and internal
addresses are on the NIC, ntk localhost on lo, the link-local on the NIC;
the sysctls; SNAT of the anonymizing range to the global address; the table
name in rt_tables.d.  Then: `no router qspn` removes everything; SIGTERM
removes everything; SIGKILL and a restart converge to the same state without
duplicates; a restarted zebra gets every route back; an operation that fails
is counted and repaired.

r2/r3: the route to the neighbour's node goes via its link-local with the
`src` of doc/protocol/routes.md §4.2 (global address for global and anonymizing
CIDRs, internal level-k address for internal level-k CIDRs), and `main` has the
/32 route to the peer's link-local with our link-local as src; the
forwarding table of the arc has its name, MAC mark, fwmark rule and routes;
`no router qspn` removes all of it (and the src route-map from zebra); a
restarted zebra gets the route-map and the routes again; a cost change goes
through the incremental update.
"""

import ipaddress
import json
import os

import pytest

from lib import topotest
from lib.topogen import Topogen, TopoRouter, get_topogen

pytestmark = [pytest.mark.qspnd]

CWD = os.path.dirname(os.path.realpath(__file__))

RT_TABLES = "/etc/iproute2/rt_tables.d"
RT_TABLES_FILE = RT_TABLES + "/qspnd.conf"
NTK = 251

CONFIG = {
    "r1": {"topology": "4.2.2.2", "address": "1.0.1.0", "anon": True, "dev": "r1-eth0"},
    "r2": {
        "topology": "4.2.2.2",
        "address": "2.1.1.0",
        "anon": False,
        "dev": "r2-eth0",
    },
    "r3": {
        "topology": "4.2.2.2",
        "address": "2.1.1.1",
        "anon": False,
        "dev": "r3-eth0",
    },
}


# -- doc/protocol/routes.md §1: Netsukuku addresses in 10/8 -------------------
class Topo:
    def __init__(self, cli):
        self.gsize = [int(x) for x in reversed(cli.split("."))]  # level 0 first
        self.l = len(self.gsize)
        self.bits = [g.bit_length() - 1 for g in self.gsize]
        self.off = [sum(self.bits[:i]) for i in range(self.l + 1)]
        self.B = self.off[self.l]

    def pos(self, cli):
        return [int(x) for x in reversed(cli.split("."))]

    def mk(self, marker, top, n, a, b):
        v = marker << self.B
        if top >= 0:
            v |= top << self.off[self.l - 1]
        for t in range(a, b):
            v |= n[t] << self.off[t]
        return v

    @staticmethod
    def dotted(v):
        return "10.%d.%d.%d" % ((v >> 16) & 255, (v >> 8) & 255, v & 255)

    def cidr(self, v, lvl):
        return "%s/%d" % (self.dotted(v), 32 - self.off[lvl])

    def global_node(self, n):
        return self.dotted(self.mk(0, -1, n, 0, self.l))

    def anon_node(self, n):
        return self.dotted(self.mk(2, -1, n, 0, self.l))

    def internal_node(self, n, k):
        return self.dotted(self.mk(1, k, n, 0, k))

    def global_gnode(self, n, i):
        return self.cidr(self.mk(0, -1, n, i, self.l), i)

    def anon_gnode(self, n, i):
        return self.cidr(self.mk(2, -1, n, i, self.l), i)

    def internal_gnode(self, n, i, k):
        return self.cidr(self.mk(1, k, n, i, k), i)

    def destinations(self, n, subnet_level=0):
        """[(hcoord, [(cidr, src-class)])]: §1.7 with a fully real n; the
        src class is "global" or the internal level k (§4.2)."""
        out = []
        for i in range(self.l - 1, subnet_level - 1, -1):
            for j in range(self.gsize[i]):
                if j == n[i]:
                    continue
                h = list(n)
                h[i] = j
                ips = [
                    (self.global_gnode(h, i), "global"),
                    (self.anon_gnode(h, i), "global"),
                ]
                for k in range(self.l - 1, i, -1):
                    ips.append((self.internal_gnode(h, i, k), k))
                out.append(((i, j), ips))
        return out

    def local(self, n, anon):
        """own addresses on the NIC (§2) and on lo"""
        nic = [self.global_node(n)]
        if anon:
            nic.append(self.anon_node(n))
        nic += [self.internal_node(n, k) for k in range(1, self.l)]
        return nic, [self.internal_node(n, 0)]

    def src_of(self, n, cls):
        return self.global_node(n) if cls == "global" else self.internal_node(n, cls)


def expected(rname):
    c = CONFIG[rname]
    t = Topo(c["topology"])
    n = t.pos(c["address"])
    return t, n


# -- the harness -----------------------------------------------------------------
def build_topo(tgen):
    # rt_tables.d is per router, like the rest of /etc on a real machine
    dirs = TopoRouter.PRIVATE_DIRS + [RT_TABLES]
    for name in ("r1", "r2", "r3"):
        tgen.add_router(name, privateDirs=dirs)
    tgen.add_switch("s1").add_link(tgen.gears["r1"])
    s2 = tgen.add_switch("s2")
    s2.add_link(tgen.gears["r2"])
    s2.add_link(tgen.gears["r3"])


def setup_module(mod):
    tgen = Topogen(build_topo, mod.__name__)
    tgen.start_topology()
    for rname, router in tgen.routers().items():
        router.load_frr_config(os.path.join(CWD, rname, "frr.conf"))
    tgen.start_router()


def teardown_module(mod):
    get_topogen().stop_topology()


def run_json(router, cmd):
    out = router.run(cmd)
    try:
        return json.loads(out) if out.strip() else []
    except ValueError:
        return None


def eventually(check, what, count=60, wait=0.5):
    """check() returns None when satisfied, else a description."""
    _, result = topotest.run_and_expect(check, None, count=count, wait=wait)
    assert result is None, "{}: {}".format(what, result)


def qspnd_pid(router):
    out = router.run("cat /var/run/frr/qspnd.pid 2>/dev/null").strip()
    return int(out) if out.isdigit() else None


# -- reading the kernel -----------------------------------------------------------
def table_routes(router, table):
    routes = run_json(router, "ip -j route show table {}".format(table)) or []
    for r in routes:  # ip prints host routes without their /32
        if r.get("dst", "").count(".") == 3 and "/" not in r["dst"]:
            r["dst"] += "/32"
    return routes


def addrs(router, dev):
    """[(local, prefixlen, label)] of the IPv4 addresses of dev"""
    info = run_json(router, "ip -j -4 addr show dev {}".format(dev)) or []
    out = []
    for i in info:
        for a in i.get("addr_info", []):
            out.append((a["local"], a["prefixlen"], a.get("label", dev)))
    return out


def netsukuku_addrs(router, dev):
    return sorted(
        a
        for a in addrs(router, dev)
        if ipaddress.ip_address(a[0]) in ipaddress.ip_network("10.0.0.0/8")
    )


def linklocal_addrs(router, dev):
    return [
        a
        for a in addrs(router, dev)
        if ipaddress.ip_address(a[0]) in ipaddress.ip_network("169.254.0.0/16")
    ]


def ntk_rules(router):
    rules = run_json(router, "ip -j rule show") or []
    return [r for r in rules if str(r.get("table")) in ("ntk", str(NTK))]


def nft_rules(router):
    out = run_json(router, "nft -j list table ip qspnd 2>/dev/null")
    if not out:
        return None
    return [x["rule"] for x in out.get("nftables", []) if "rule" in x]


def sysctl(router, key):
    return router.run("cat /proc/sys/" + key.replace(".", "/")).strip()


# -- expectations ------------------------------------------------------------------
def check_r1_state(router):
    """None when the kernel holds exactly r1's state with no neighbours."""
    t, n = expected("r1")
    dev = CONFIG["r1"]["dev"]
    want_routes = sorted(ip for _, ips in t.destinations(n) for ip, _ in ips)
    assert len(want_routes) == 18  # doc/protocol/routes.md §1.4 for topology A

    routes = table_routes(router, NTK)
    got = sorted(r["dst"] for r in routes)
    if got != want_routes:
        return "table ntk: {} routes {}, want {}".format(len(got), got, want_routes)
    for r in routes:
        if r.get("type") != "unreachable":
            return "table ntk: not unreachable: {}".format(r)
        if "prefsrc" in r:
            return "table ntk: unreachable with a src: {}".format(r)
        if r.get("protocol") != "zebra":
            return "table ntk: not installed by zebra: {}".format(r)

    rules = ntk_rules(router)
    if len(rules) != 1 or rules[0].get("src", "all") != "all" or "fwmark" in rules[0]:
        return "ip rule: want exactly one `from all lookup ntk`: {}".format(rules)
    if rules[0].get("priority") != 32765:
        return "ip rule: ntk rule not at 32765: {}".format(rules)

    nic, lo = t.local(n, CONFIG["r1"]["anon"])
    got_nic = netsukuku_addrs(router, dev)
    want_nic = sorted((ip, 32, dev + ":qspn") for ip in nic)
    if got_nic != want_nic:
        return "{} addresses {}, want {}".format(dev, got_nic, want_nic)
    got_lo = netsukuku_addrs(router, "lo")
    want_lo = [(ip, 32, "lo:qspn") for ip in lo]
    if got_lo != want_lo:
        return "lo addresses {}, want {}".format(got_lo, want_lo)
    ll = linklocal_addrs(router, dev)
    if len(ll) != 1 or ll[0][1:] != (32, dev + ":qspn"):
        return "{}: want one link-local /32, got {}".format(dev, ll)

    for key, value in (
        ("net.ipv4.ip_forward", "1"),
        ("net.ipv4.conf.all.rp_filter", "0"),
        ("net.ipv4.conf.{}.rp_filter".format(dev), "0"),
        ("net.ipv4.conf.{}.arp_ignore".format(dev), "1"),
        ("net.ipv4.conf.{}.arp_announce".format(dev), "2"),
    ):
        if sysctl(router, key) != value:
            return "sysctl {} is {}, want {}".format(key, sysctl(router, key), value)

    # §4.7: SNAT of the anonymizing range to the global address
    rules = nft_rules(router)
    if rules is None:
        return "no nftables table ip qspnd"
    anon_range = t.anon_gnode(n, t.l)
    snat = [
        r
        for r in rules
        if r["chain"] == "nat_post" and any("snat" in e for e in r["expr"])
    ]
    if len(snat) != 1 or len(rules) != 1:
        return "nftables: want one SNAT rule, got {}".format(rules)
    expr = snat[0]["expr"]
    dst = [e["match"]["right"] for e in expr if "match" in e][0]
    to = [e["snat"]["addr"] for e in expr if "snat" in e][0]
    if "{}/{}".format(dst["prefix"]["addr"], dst["prefix"]["len"]) != anon_range:
        return "SNAT match {}, want {}".format(dst, anon_range)
    if to != t.global_node(n):
        return "SNAT to {}, want {}".format(to, t.global_node(n))

    names = router.run("cat {} 2>/dev/null".format(RT_TABLES_FILE))
    lines = [l.split() for l in names.splitlines() if l and not l.startswith("#")]
    if lines != [[str(NTK), "ntk"]]:
        return "rt_tables.d: {!r}".format(names)
    return None


def check_nothing_left(router, dev):
    """None when nothing of qspnd is in the kernel."""
    routes = table_routes(router, NTK)
    if routes:
        return "table ntk still has {} routes".format(len(routes))
    for r in run_json(router, "ip -j route show table all") or []:
        if str(r.get("table", "main")).startswith("ntk") or (
            str(r.get("table")).isdigit() and 200 <= int(r["table"]) <= 251
        ):
            return "route left in a qspnd table: {}".format(r)
        if str(r.get("protocol")) == "252":
            return "route of protocol 252 left: {}".format(r)
    if ntk_rules(router):
        return "rule left: {}".format(ntk_rules(router))
    rules = run_json(router, "ip -j rule show") or []
    ours = [r for r in rules if str(r.get("protocol")) == "252"]
    if ours:
        return "rules of protocol 252 left: {}".format(ours)
    for d in (dev, "lo"):
        left = [a for a in addrs(router, d) if a[2].endswith(":qspn")]
        left += netsukuku_addrs(router, d) + linklocal_addrs(router, d)
        if left:
            return "addresses left on {}: {}".format(d, left)
    if nft_rules(router) is not None:
        return "nftables table ip qspnd left"
    if router.run("test -e {} && echo yes".format(RT_TABLES_FILE)).strip():
        return "{} left".format(RT_TABLES_FILE)
    zconf = router.vtysh_cmd("show running-config", daemon="zebra")
    if "QSPND-SRC" in zconf:
        return "zebra still has the src route-map:\n" + zconf
    return None


def kill9(router, daemon):
    """SIGKILL a daemon and wait until it is gone.  (The harness's
    killDaemons() skips the last pid file of /var/run/frr, zebra.pid.)"""
    pid = router.run("cat /var/run/frr/{}.pid".format(daemon)).strip()
    assert pid.isdigit(), "no pid file for " + daemon
    router.run("kill -9 " + pid)
    eventually(
        lambda: None
        if not router.run("test -e /proc/{} && echo up".format(pid)).strip()
        else daemon + " still running",
        daemon + " killed",
    )
    router.run("rm -f /var/run/frr/{}.pid".format(daemon))


def configure(router):
    router.run("vtysh -f /etc/frr/frr.conf")


def start_qspnd(router):
    router.startDaemons(["qspnd"])
    configure(router)


# -- tests ---------------------------------------------------------------------------
def test_r1_state():
    r1 = get_topogen().gears["r1"]
    eventually(lambda: check_r1_state(r1), "r1 kernel state")


def test_r1_zebra_owns_routes():
    "zebra has the routes, with qspnd's route type and distance"
    r1 = get_topogen().gears["r1"]
    t, n = expected("r1")

    def check():
        out = r1.vtysh_cmd("show ip route table {} json".format(NTK), isjson=True)
        got = {}
        for pfx, entries in out.items():
            for e in entries:
                got[pfx] = (e.get("protocol"), e.get("distance"), e.get("installed"))
        want = {
            ip: ("olsr", 100, True) for _, ips in t.destinations(n) for ip, _ in ips
        }
        return None if got == want else "zebra table 251: {}".format(got)

    eventually(check, "zebra's table ntk")


def test_r1_show_commands():
    r1 = get_topogen().gears["r1"]
    t, n = expected("r1")
    want = {
        ip: {"type": "unreachable"} for _, ips in t.destinations(n) for ip, _ in ips
    }
    out = r1.vtysh_cmd("show qspn routes json", isjson=True)
    assert out["ntk"]["tableId"] == NTK
    assert out["ntk"]["routes"] == want, out
    tables = r1.vtysh_cmd("show qspn tables json", isjson=True)
    assert tables["tables"]["ntk"]["tableId"] == NTK, tables
    assert tables["tables"]["ntk"]["routes"] == 18, tables
    assert tables["tables"]["ntk"]["rule"] is True, tables
    assert tables["counters"]["operationErrors"] == 0, tables


def r1_config(router, *lines):
    cmd = "vtysh -c 'configure terminal' -c 'router qspn'"
    for line in lines:
        cmd += " -c '{}'".format(line)
    out = router.run(cmd + " 2>&1")
    assert "%" not in out, out


def test_r1_subnet_host():
    """A gateway of an autonomous subnet of level 1 (doc/protocol/routes.md
    §4.8) with the host rho (position 1 inside the subnet) behind r1-eth0:
    the /32 route to rho's link-local in main, src our link-local, and
    rho's internal address of level 1 in ntk via that link-local, src our
    internal address of level 1; `show qspn tables json` lists the host;
    the running-config has the command; removing it removes both routes."""
    r1 = get_topogen().gears["r1"]
    t, n = expected("r1")
    dev = CONFIG["r1"]["dev"]
    host_ll = "169.254.110.188"
    host = [1] + n[1:]  # rho: our positions, 1 at level 0
    host_ip = t.internal_node(host, 1)
    own_ip = t.internal_node(n, 1)
    assert (host_ip, own_ip) == ("10.0.0.41", "10.0.0.40")  # routes.md §4.8

    r1_config(
        r1,
        "subnet-level 1",
        "subnet-host {} interface {} position 1".format(host_ll, dev),
    )

    def routed():
        lls = linklocal_addrs(r1, dev)
        if len(lls) != 1:
            return "link-locals of {}: {}".format(dev, lls)
        main = [r for r in table_routes(r1, "main") if r["dst"] == host_ll + "/32"]
        want = {"dev": dev, "prefsrc": lls[0][0]}
        if len(main) != 1 or any(main[0].get(k) != v for k, v in want.items()):
            return "main, route to {}: {}".format(host_ll, main)
        ntk = [r for r in table_routes(r1, NTK) if r["dst"] == host_ip + "/32"]
        want = {"gateway": host_ll, "dev": dev, "prefsrc": own_ip}
        if len(ntk) != 1 or any(ntk[0].get(k) != v for k, v in want.items()):
            return "ntk, route to {}: {}".format(host_ip, ntk)
        tables = r1.vtysh_cmd("show qspn tables json", isjson=True)
        hosts = tables.get("subnetHosts")
        want = [
            {
                "linkLocal": host_ll,
                "interface": dev,
                "position": "1",
                "address": host_ip,
                "route": {
                    "type": "via",
                    "gateway": host_ll,
                    "interface": dev,
                    "src": own_ip,
                },
            }
        ]
        return None if hosts == want else "subnetHosts: {}".format(hosts)

    eventually(routed, "routes to the subnet host")
    conf = r1.vtysh_cmd("show running-config", daemon="qspnd")
    assert " subnet-host {} interface {} position 1\n".format(host_ll, dev) in conf, conf

    # a position that is ours, or one of the wrong length, is refused
    out = r1.run(
        "vtysh -c 'configure terminal' -c 'router qspn' "
        "-c 'subnet-host 169.254.1.1 interface {} position 0' 2>&1".format(dev)
    )
    assert "own" in out, out
    out = r1.run(
        "vtysh -c 'configure terminal' -c 'router qspn' "
        "-c 'subnet-host 169.254.1.1 interface {} position 1.1' 2>&1".format(dev)
    )
    assert "position" in out, out

    r1_config(r1, "no subnet-host {}".format(host_ll), "no subnet-level")

    def gone():
        if [r for r in table_routes(r1, "main") if r["dst"] == host_ll + "/32"]:
            return "route to {} still in main".format(host_ll)
        tables = r1.vtysh_cmd("show qspn tables json", isjson=True)
        if tables.get("subnetHosts") != []:
            return "subnetHosts: {}".format(tables.get("subnetHosts"))
        return check_r1_state(r1)

    eventually(gone, "subnet host removed")


def test_r1_no_router_qspn():
    tgen = get_topogen()
    r1 = tgen.gears["r1"]
    out = r1.run("vtysh -c 'configure terminal' -c 'no router qspn' 2>&1")
    assert "%" not in out, out
    eventually(lambda: check_nothing_left(r1, "r1-eth0"), "after no router qspn")
    configure(r1)
    eventually(lambda: check_r1_state(r1), "configured again")


def test_r1_sigterm():
    r1 = get_topogen().gears["r1"]
    pid = qspnd_pid(r1)
    assert pid
    r1.run("kill -TERM {}".format(pid))
    eventually(
        lambda: None
        if not r1.run("test -e /proc/{} && echo up".format(pid)).strip()
        else "qspnd still running",
        "qspnd exits on SIGTERM",
    )
    # no waiting for anything else: the daemon cleaned up before it exited
    result = check_nothing_left(r1, "r1-eth0")
    assert result is None, "after SIGTERM: " + result
    r1.run("rm -f /var/run/frr/qspnd.pid")
    start_qspnd(r1)
    eventually(lambda: check_r1_state(r1), "restarted after SIGTERM")


def test_r1_sigkill_restart():
    r1 = get_topogen().gears["r1"]
    eventually(lambda: check_r1_state(r1), "before SIGKILL")
    kill9(r1, "qspnd")
    # zebra drops the routes of a client that went away; the rest stays
    eventually(
        lambda: None if not table_routes(r1, NTK) else "routes still in table ntk",
        "zebra removes the routes of a killed qspnd",
    )
    assert netsukuku_addrs(r1, "r1-eth0"), "the addresses should survive SIGKILL"
    start_qspnd(r1)
    eventually(lambda: check_r1_state(r1), "restarted after SIGKILL")
    tables = r1.vtysh_cmd("show qspn tables json", isjson=True)
    assert tables["counters"]["leftoversRemoved"] > 0, tables


def test_r1_zebra_restart():
    r1 = get_topogen().gears["r1"]
    before = r1.vtysh_cmd("show qspn tables json", isjson=True)["counters"]
    kill9(r1, "zebra")
    r1.startDaemons(["zebra"])
    configure(r1)

    def resent():
        s = r1.vtysh_cmd("show qspn summary json", isjson=True)
        if not s.get("zebraConnected"):
            return "qspnd not connected to zebra: {}".format(s)
        c = r1.vtysh_cmd("show qspn tables json", isjson=True)["counters"]
        if c["zebraResends"] <= before["zebraResends"]:
            return "qspnd has not re-sent its routes yet"
        out = r1.vtysh_cmd("show ip route table {} json".format(NTK), isjson=True)
        if len(out) != 18:
            return "zebra has {} routes in table ntk".format(len(out))
        return check_r1_state(r1)

    eventually(resent, "routes back after a zebra restart", count=120)


def test_r1_failure_repair():
    """An operation that fails is logged and counted, the rest is applied,
    and qspnd tries again until everything is there."""
    tgen = get_topogen()
    r1 = tgen.gears["r1"]
    out = r1.run("vtysh -c 'configure terminal' -c 'no router qspn' 2>&1")
    assert "%" not in out, out
    eventually(lambda: check_nothing_left(r1, "r1-eth0"), "after no router qspn")
    before = r1.vtysh_cmd("show qspn tables json", isjson=True)["counters"]
    # the router's private rt_tables.d (a tmpfs) read-only: no privilege
    # lets qspnd write its table names there
    r1.run("mount -o remount,ro " + RT_TABLES)
    configure(r1)

    def failed():
        t = r1.vtysh_cmd("show qspn tables json", isjson=True)
        if t["counters"]["operationErrors"] <= before["operationErrors"]:
            return "no failure counted yet: {}".format(t)
        if RT_TABLES_FILE not in t.get("lastError", ""):
            return "lastError: {}".format(t.get("lastError"))
        return None

    try:
        eventually(failed, "the failure is counted")
        log = r1.run("cat {}/r1/qspnd.log".format(tgen.logdir))
        assert "cannot write " + RT_TABLES_FILE in log, log[-2000:]
        assert "Read-only file system" in log, log[-2000:]
        # everything else went in
        assert len(table_routes(r1, NTK)) == 18
        assert len(ntk_rules(r1)) == 1
    finally:
        r1.run("mount -o remount,rw " + RT_TABLES)
    eventually(lambda: check_r1_state(r1), "repaired", count=120)
    after = r1.vtysh_cmd("show qspn tables json", isjson=True)["counters"]
    assert after["repairs"] > before["repairs"], after


# -- src: two neighbours ------------------------------------------------------------
def linklocal(router, dev):
    ll = linklocal_addrs(router, dev)
    return ll[0][0] if len(ll) == 1 else None


def check_src(rname, pname):
    """None when rname's table ntk routes the peer's node via the peer's
    link-local with the right src, and main has the /32 to it."""
    tgen = get_topogen()
    router, peer = tgen.gears[rname], tgen.gears[pname]
    dev = CONFIG[rname]["dev"]
    t, n = expected(rname)
    _, p = expected(pname)
    my_ll, peer_ll = linklocal(router, dev), linklocal(peer, CONFIG[pname]["dev"])
    if not my_ll or not peer_ll:
        return "link-locals not assigned yet"
    # the peer's g-node as seen from us: (lvl, pos) of the highest differing level
    lvl = max(i for i in range(t.l) if n[i] != p[i])
    got = {r["dst"]: r for r in table_routes(router, NTK)}
    for hc, ips in t.destinations(n):
        for ip, cls in ips:
            r = got.get(ip)
            if r is None:
                return "{}: no route to {}".format(rname, ip)
            if hc == (lvl, p[lvl]):
                want = (None, peer_ll, dev, t.src_of(n, cls))
                have = (r.get("type"), r.get("gateway"), r.get("dev"), r.get("prefsrc"))
                if have != want:
                    return "{}: route {}: {} want {}".format(rname, ip, have, want)
            elif r.get("type") != "unreachable":
                return "{}: route {} should be unreachable: {}".format(rname, ip, r)
    main = [r for r in table_routes(router, "main") if r["dst"] == peer_ll + "/32"]
    if len(main) != 1 or main[0].get("dev") != dev or main[0].get("prefsrc") != my_ll:
        return "{}: main route to {}: {}".format(rname, peer_ll, main)
    return None


def mac_of(router, dev):
    link = run_json(router, "ip -j link show dev {}".format(dev)) or [{}]
    return link[0].get("address", "").upper()


def check_forwarding_table(rname, pname):
    """None when rname has the forwarding table of its arc to pname
    (doc/protocol/routes.md §3): a name in rt_tables.d, the MAC mark, the
    fwmark rule, and every destination IP in it, unreachable (the only path to
    the peer's node goes through the peer, §4.2; no internal level k <= the
    level of the peer's g-node, so no blackhole)."""
    tgen = get_topogen()
    router, peer = tgen.gears[rname], tgen.gears[pname]
    t, n = expected(rname)
    name = "ntk_from_" + mac_of(peer, CONFIG[pname]["dev"])
    names = router.run("cat {} 2>/dev/null".format(RT_TABLES_FILE))
    tid = [l.split()[0] for l in names.splitlines() if l.endswith(" " + name)]
    if len(tid) != 1:
        return "{}: no table {} in rt_tables.d: {!r}".format(rname, name, names)
    tid = int(tid[0])
    if not 200 <= tid <= 250:
        return "{}: table id {}".format(rname, tid)
    want = sorted(ip for _, ips in t.destinations(n) for ip, _ in ips)
    routes = table_routes(router, tid)
    if sorted(r["dst"] for r in routes) != want:
        return "{}: table {}: {}".format(rname, name, routes)
    if any(r.get("type") != "unreachable" or "prefsrc" in r for r in routes):
        return "{}: table {} not all unreachable: {}".format(rname, name, routes)
    rules = [
        r
        for r in (run_json(router, "ip -j rule show") or [])
        if str(r.get("table")) in (name, str(tid))
    ]
    if len(rules) != 1 or int(str(rules[0].get("fwmark", "0")), 0) != tid:
        return "{}: fwmark rule of {}: {}".format(rname, name, rules)
    marks = [r for r in (nft_rules(router) or []) if r["chain"] == "marks"]
    peer_mac = mac_of(peer, CONFIG[pname]["dev"]).lower()
    ok = [
        r
        for r in marks
        if any("match" in e and e["match"]["right"] == peer_mac for e in r["expr"])
        and any("mangle" in e and e["mangle"]["value"] == tid for e in r["expr"])
    ]
    if len(marks) != 1 or len(ok) != 1:
        return "{}: MAC mark for {}: {}".format(rname, peer_mac, marks)
    return None


def test_src_through_zebra():
    for rname, pname in (("r2", "r3"), ("r3", "r2")):
        eventually(lambda: check_src(rname, pname), "src on " + rname, count=120)
        eventually(
            lambda: check_forwarding_table(rname, pname),
            "forwarding table on " + rname,
        )
    # the whole running-config: on FRR 10.3 zebra's route-maps are mgmtd's
    # to show, on 8.4 zebra's
    zconf = get_topogen().gears["r2"].vtysh_cmd("show running-config")
    assert "ip protocol any route-map QSPND-SRC" in zconf, zconf


def test_src_cleanup_on_stop():
    r2 = get_topogen().gears["r2"]
    out = r2.run("vtysh -c 'configure terminal' -c 'no router qspn' 2>&1")
    assert "%" not in out, out
    eventually(lambda: check_nothing_left(r2, "r2-eth0"), "r2 after no router qspn")
    main = table_routes(r2, "main")
    assert not [r for r in main if r["dst"].startswith("169.254.")], main
    configure(r2)
    eventually(lambda: check_src("r2", "r3"), "r2 configured again", count=120)


def test_src_zebra_restart():
    "a restarted zebra gets the src route-map and the routes again"
    r2 = get_topogen().gears["r2"]
    before = r2.vtysh_cmd("show qspn tables json", isjson=True)["counters"]
    kill9(r2, "zebra")
    r2.startDaemons(["zebra"])
    configure(r2)

    def back():
        c = r2.vtysh_cmd("show qspn tables json", isjson=True)["counters"]
        if c["zebraResends"] <= before["zebraResends"]:
            return "qspnd has not re-sent its routes yet"
        zconf = r2.vtysh_cmd("show running-config")
        if "ip protocol any route-map QSPND-SRC" not in zconf:
            return "no src route-map in zebra:\n" + zconf
        out = r2.vtysh_cmd("show ip route table {} json".format(NTK), isjson=True)
        if len(out) != 18:
            return "zebra has {} routes in table ntk".format(len(out))
        return check_src("r2", "r3")

    eventually(back, "r2 after a zebra restart", count=120)


def test_incremental_update():
    """A path that changes only in cost goes through the incremental path
    (qspn_plan_update_dest), and the routes stay right."""
    r2 = get_topogen().gears["r2"]
    eventually(lambda: check_src("r2", "r3"), "r2 converged", count=120)
    before = r2.vtysh_cmd("show qspn tables json", isjson=True)["counters"]
    out = r2.run(
        "vtysh -c 'configure terminal' -c 'interface r2-eth0' -c 'qspn cost 5000' 2>&1"
    )
    assert "%" not in out, out

    def updated():
        c = r2.vtysh_cmd("show qspn tables json", isjson=True)["counters"]
        if c["updates"] <= before["updates"]:
            return "no incremental update yet: {}".format(c)
        return check_src("r2", "r3")

    eventually(updated, "incremental update on r2")
    after = r2.vtysh_cmd("show qspn tables json", isjson=True)["counters"]
    assert after["operationErrors"] == before["operationErrors"], after
