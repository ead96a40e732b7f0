#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
bench-mesh: babeld and qspnd on the same meshes of network namespaces.

Run by `make bench-mesh` (as root), never by `make check`; it measures, it
asserts nothing.  Topologies: an 8-router ring and a 4x4 grid, every link a
veth pair (plain `ip netns`, not FRR's topotest harness).  Every router runs
the installed zebra and, in turn, the installed babeld (default timers) or the
qspnd of the build tree (default costs and timers), configured through the
build's qspn-vtysh.  Per case, over BENCH_RUNS runs (each on a new topology):

  conv      configuration pushed -> every router reaches the address of the
            router farthest from it (hops)
  ctl       control traffic per link at steady state, counted by nftables on
            every veth as it leaves (babel: UDP 6696; qspnd: UDP and TCP 60269)
  gap       the longest reply gap of a 10 ms ping stream between two routers
            when a link of their path fails silently (nftables drops all on
            both ends, carrier up) and when its carrier drops (`ip link set
            down` on one end)
  back      once the link is back, the time until the source's route to the
            destination leaves by the link again (the shorter path)

See doc/bench.md.  Results: <outdir>/bench-mesh.json and bench-mesh.txt.
"""

import argparse
import fcntl
import json
import os
import select
import signal
import socket
import statistics
import struct
import subprocess
import sys
import time

PREFIX = "bm-"  # namespaces, FRR pathspaces
LOCK = "/run/lock/qspnd-topotests.lock"
BABEL_PORT = 6696
QSPND_PORT = 60269  # qspnd/qspnd.h: QSPND_PORT (UDP hellos, TCP ETPs)
# qspnd's topology: one level-1 g-node holds every router, so that qspnd
# routes to every node (as babeld does) and no single link failure splits a
# g-node (doc/protocol/qspn.md §3.7).
QSPN_TOPOLOGY = "4.16"


def log(*a):
    print("[{:8.1f}]".format(time.monotonic() - T_START), *a, flush=True)


T_START = time.monotonic()


# ---------------------------------------------------------------- topologies


def ring(n):
    names = ["r{}".format(i + 1) for i in range(n)]
    links = [(names[i], names[(i + 1) % n]) for i in range(n)]
    return names, links


def grid(rows, cols):
    names = ["r{}".format(i + 1) for i in range(rows * cols)]
    links = []
    for r in range(rows):
        for c in range(cols):
            i = r * cols + c
            if c + 1 < cols:
                links.append((names[i], names[i + 1]))
            if r + 1 < rows:
                links.append((names[i], names[i + cols]))
    return names, links


TOPOLOGIES = {"ring": lambda: ring(8), "grid": lambda: grid(4, 4)}


def adjacency(names, links):
    adj = {n: [] for n in names}
    for a, b in links:
        adj[a].append(b)
        adj[b].append(a)
    return adj


def bfs(adj, src):
    """hop distance and number of shortest paths from src"""
    dist, count = {src: 0}, {src: 1}
    frontier = [src]
    while frontier:
        nxt = []
        for u in frontier:
            for v in adj[u]:
                if v not in dist:
                    dist[v] = dist[u] + 1
                    count[v] = 0
                    nxt.append(v)
                if dist[v] == dist[u] + 1:
                    count[v] += count[u]
        frontier = nxt
    return dist, count


def farthest(names, adj):
    """each router's farthest router (first in order on ties)"""
    out = {}
    for n in names:
        dist, _ = bfs(adj, n)
        out[n] = max(names, key=lambda m: (dist[m], -names.index(m)))
    return out


def fail_pair(names, adj):
    """The pair (a, b) farthest apart whose shortest path is unique (so that
    a failed link makes it strictly longer and its return makes it shorter
    again), and the first link of that path (a, next hop)."""
    best = None
    for a in names:
        dist, count = bfs(adj, a)
        for b in names:
            if count[b] == 1 and (best is None or dist[b] > best[2]):
                best = (a, b, dist[b])
    a, b, d = best
    dist_a, _ = bfs(adj, a)
    dist_b, _ = bfs(adj, b)
    nh = [v for v in adj[a] if dist_b.get(v) == d - 1][0]
    nb = [v for v in adj[b] if dist_a.get(v) == d - 1][0]
    return a, b, nh, nb, d


def ifname(a, b):
    return "{}-{}".format(a, b)


# ---------------------------------------------------------------- helpers


def sh(cmd, check=True, ns=None, timeout=60):
    if ns:
        cmd = ["ip", "netns", "exec", PREFIX + ns] + cmd
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if check and p.returncode != 0:
        raise RuntimeError(
            "{} failed ({}): {}".format(" ".join(cmd), p.returncode, p.stderr.strip())
        )
    return p.stdout


def median_range(vals):
    """median, min, max over the runs; a run that measured nothing (a
    timeout: no reply, no route back) counts as +infinity and is printed as
    "timeout" (None in the JSON)"""
    if not vals:
        return None
    v = sorted(float("inf") if x is None else x for x in vals)
    fin = lambda x: None if x == float("inf") else x
    return {"median": fin(statistics.median(v)), "min": fin(v[0]), "max": fin(v[-1]),
            "n": len(v), "timeouts": sum(1 for x in vals if x is None)}


# ---------------------------------------------------------------- pinger


def icmp_checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def pinger(src, dst, interval, outfile):
    """ICMP echo to dst every interval seconds until SIGTERM; one line
    "seq t_send t_recv" (time.monotonic(), the same clock in every
    namespace) per reply into outfile.  From src: both directions are then
    routes between the two routers' own addresses.  Send errors (no route yet) are
    ignored: the stream keeps its pace."""
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    # from the router's own address (its loopback, or qspnd's global address
    # that qspnd may not have assigned yet: IP_FREEBIND)
    s.setsockopt(socket.SOL_IP, 15, 1)
    s.bind((src, 0))
    s.setblocking(False)
    ident = os.getpid() & 0xFFFF
    out = open(outfile, "w", buffering=1)
    seq, nxt = 0, time.monotonic()
    while not stop:
        now = time.monotonic()
        if now >= nxt:
            payload = struct.pack("!d", now)
            hdr = struct.pack("!BBHHH", 8, 0, 0, ident, seq & 0xFFFF)
            ck = icmp_checksum(hdr + payload)
            pkt = struct.pack("!BBHHH", 8, 0, ck, ident, seq & 0xFFFF) + payload
            try:
                s.sendto(pkt, (dst, 0))
            except OSError:
                pass
            seq += 1
            nxt += interval
            if nxt < now:
                nxt = now + interval
        try:
            r, _, _ = select.select([s], [], [], max(0.0, nxt - time.monotonic()))
        except InterruptedError:
            continue
        if not r:
            continue
        while True:
            try:
                data = s.recv(2048)
            except (BlockingIOError, InterruptedError):
                break
            t = time.monotonic()
            ihl = (data[0] & 15) * 4
            icmp = data[ihl:]
            if len(icmp) < 16:
                continue
            typ, _, _, rid, rseq = struct.unpack("!BBHHH", icmp[:8])
            if typ != 0 or rid != ident:
                continue
            (ts,) = struct.unpack("!d", icmp[8:16])
            out.write("{} {:.6f} {:.6f}\n".format(rseq, ts, t))
    out.close()


def read_replies(path):
    out = []
    try:
        with open(path) as f:
            for line in f:
                p = line.split()
                if len(p) == 3:
                    out.append((int(p[0]), float(p[1]), float(p[2])))
    except FileNotFoundError:
        pass
    return out


# ---------------------------------------------------------------- the bench


class Mesh:
    """One topology with one routing daemon on every router."""

    def __init__(self, bench, topo, case):
        self.b = bench
        self.topo = topo
        self.case = case
        self.proto = case["proto"]  # the daemon: "babeld" or "qspnd"
        self.names, self.links = TOPOLOGIES[topo]()
        self.adj = adjacency(self.names, self.links)
        self.rundir = os.path.join(bench.outdir, "run",
                                   "{}-{}".format(topo, case["name"]))
        self.pingers = []
        self.ns_made = []

    # ---- addresses
    def index(self, n):
        return self.names.index(n)

    def address(self, n):
        """the address other routers ping"""
        i = self.index(n)
        if self.proto == "babeld":
            return "10.255.0.{}".format(i + 1)
        # qspnd's global address of "1.i" in topology 4.16
        # (doc/protocol/routes.md §1.2: v = i | 1 << 4, marker 00)
        v = i | (1 << 4)
        return "10.{}.{}.{}".format((v >> 16) & 255, (v >> 8) & 255, v & 255)

    # ---- setup / teardown
    def setup(self):
        sh(["rm", "-rf", self.rundir])
        os.makedirs(self.rundir)
        sh(["chown", "frr:frr", self.rundir])
        for n in self.names:
            ns = PREFIX + n
            if os.path.exists("/run/netns/" + ns):
                raise RuntimeError("namespace {} exists: another run?".format(ns))
            sh(["ip", "netns", "add", ns])
            self.ns_made.append(n)
            self.b.cleanup_ns.add(ns)
            sh(["ip", "link", "set", "lo", "up"], ns=n)
            # a new namespace does not forward; qspnd would set it itself
            # (doc/kernel-state.md), babeld and zebra do not
            sh(["sysctl", "-qw", "net.ipv4.ip_forward=1"], ns=n)
            d = "/var/run/frr/" + ns
            sh(["install", "-d", "-o", "frr", "-g", "frr", "-m", "755", d])
            self.b.cleanup_dirs.add(d)
        for k, (a, b) in enumerate(self.links):
            sh(["ip", "link", "add", ifname(a, b), "netns", PREFIX + a, "type",
                "veth", "peer", "name", ifname(b, a), "netns", PREFIX + b])
            for x, y in ((a, b), (b, a)):
                sh(["ip", "link", "set", ifname(x, y), "up"], ns=x)
            if self.proto == "babeld":
                sh(["ip", "addr", "add", "172.16.{}.0/31".format(k), "dev",
                    ifname(a, b)], ns=a)
                sh(["ip", "addr", "add", "172.16.{}.1/31".format(k), "dev",
                    ifname(b, a)], ns=b)
        for n in self.names:
            if self.proto == "babeld":
                sh(["ip", "addr", "add", self.address(n) + "/32", "dev", "lo"], ns=n)
            self.nft_counters(n)
        for n in self.names:
            self.start_daemon(n, "zebra")
        for n in self.names:
            self.wait_vty(n, "zebra")
        for n in self.names:
            self.start_daemon(n, self.proto)
        for n in self.names:
            self.wait_vty(n, self.proto)

    def nft_counters(self, n):
        rules = []
        for peer in self.adj[n]:
            i = ifname(n, peer)
            rules += [
                'oifname "{}" udp dport {} counter comment "{}|babel"'.format(i, BABEL_PORT, i),
                'oifname "{}" udp dport {} counter comment "{}|qhello"'.format(i, QSPND_PORT, i),
                'oifname "{}" tcp dport {} counter comment "{}|qetp"'.format(i, QSPND_PORT, i),
                'oifname "{}" tcp sport {} counter comment "{}|qetp"'.format(i, QSPND_PORT, i),
                'oifname "{}" counter comment "{}|all"'.format(i, i),
            ]
        text = "table inet bm {\n chain out {\n  type filter hook output priority 0; policy accept;\n"
        text += "".join("  " + r + "\n" for r in rules)
        text += " }\n}\n"
        p = subprocess.run(["ip", "netns", "exec", PREFIX + n, "nft", "-f", "-"],
                           input=text, capture_output=True, text=True)
        if p.returncode:
            raise RuntimeError("nft: " + p.stderr)

    def read_counters(self):
        """{(iface, kind): (packets, bytes)} over every router"""
        tot = {}
        for n in self.names:
            j = json.loads(sh(["nft", "-j", "list", "table", "inet", "bm"], ns=n))
            for item in j.get("nftables", []):
                r = item.get("rule")
                if not r or "comment" not in r:
                    continue
                for e in r["expr"]:
                    if "counter" in e:
                        key = tuple(r["comment"].split("|"))
                        p0, b0 = tot.get(key, (0, 0))
                        tot[key] = (p0 + e["counter"]["packets"],
                                    b0 + e["counter"]["bytes"])
        return tot

    def daemon_args(self, n, d):
        ns = PREFIX + n
        conf = os.path.join(self.rundir, "{}-{}.conf".format(n, d))
        open(conf, "w").close()
        os.chmod(conf, 0o644)
        binary = self.b.qspnd if d == "qspnd" else os.path.join(self.b.frr_sbindir, d)
        return [binary, "-d", "-N", ns, "-f", conf, "-P", "0",
                "-i", "/var/run/frr/{}/{}.pid".format(ns, d),
                "--log", "file:" + os.path.join(self.rundir, "{}-{}.log".format(n, d)),
                "--log-level", "info"]

    def start_daemon(self, n, d):
        args = self.daemon_args(n, d)
        self.b.cleanup_pidfiles.append("/var/run/frr/{}{}/{}.pid".format(PREFIX, n, d))
        sh(args, ns=n)

    def wait_vty(self, n, d, timeout=30):
        path = "/var/run/frr/{}{}/{}.vty".format(PREFIX, n, d)
        end = time.monotonic() + timeout
        while not os.path.exists(path):
            if time.monotonic() > end:
                raise RuntimeError("{}: {} did not start".format(n, d))
            time.sleep(0.05)

    def vtysh_conf(self, n, lines):
        cmd = [self.b.vtysh, "-N", PREFIX + n, "-c", "configure terminal"]
        for l in lines:
            cmd += ["-c", l]
        return subprocess.Popen(["ip", "netns", "exec", PREFIX + n] + cmd,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True)

    def config_lines(self, n):
        ifs = [ifname(n, p) for p in self.adj[n]]
        if self.proto == "babeld":
            # timers: FRR's defaults (hello 4 s, update 16 s); the interface
            # type: wired (the veths are), unless the case keeps FRR's
            # default, wireless
            lines = []
            if not self.case.get("wireless"):
                for i in ifs:
                    lines += ["interface " + i, "babel wired", "exit"]
            return (lines + ["router babel"] + ["network " + i for i in ifs]
                    + ["redistribute ipv4 connected", "exit"])
        lines = []
        for i in ifs:
            lines += ["interface " + i, "qspn", "exit"]
        return lines + ["router qspn", "topology " + QSPN_TOPOLOGY,
                        "address 1.{}".format(self.index(n)), "exit"]

    def push_config(self):
        procs = [(n, self.vtysh_conf(n, self.config_lines(n))) for n in self.names]
        for n, p in procs:
            out, _ = p.communicate(timeout=60)
            errs = [l for l in out.splitlines()
                    if l.startswith("%") and "Can't open configuration file" not in l]
            if p.returncode or errs:
                raise RuntimeError("{}: configuration refused: {}".format(n, out))

    def start_pinger(self, src, dst, interval, tag):
        out = os.path.join(self.rundir, "ping-{}-{}-{}.txt".format(tag, src, dst))
        p = subprocess.Popen(["ip", "netns", "exec", PREFIX + src, sys.executable,
                              os.path.abspath(__file__), "--pinger", self.address(src),
                              self.address(dst), str(interval), out])
        self.b.cleanup_procs.append(p)
        return p, out

    def stop_pinger(self, p):
        p.terminate()
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()

    def route_oif(self, src, dst):
        try:
            j = json.loads(sh(["ip", "-j", "route", "get", self.address(dst)],
                              ns=src, check=False) or "[]")
        except ValueError:
            return None
        return j[0].get("dev") if j else None

    def teardown(self):
        for p in list(self.b.cleanup_procs):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    p.kill()
        self.b.cleanup_procs.clear()
        self.b.kill_daemons()
        for n in self.ns_made:
            subprocess.run(["ip", "netns", "del", PREFIX + n], capture_output=True)
            self.b.cleanup_ns.discard(PREFIX + n)
        self.ns_made = []
        self.b.remove_dirs()

    # ---- measurements
    def measure_conv(self, timeout):
        far = farthest(self.names, self.adj)
        t0 = time.monotonic()
        self.push_config()
        t_pushed = time.monotonic()
        pingers = [(n, self.start_pinger(n, far[n], 0.02, "conv")) for n in self.names]
        first = {}
        while len(first) < len(self.names) and time.monotonic() - t0 < timeout:
            time.sleep(0.2)
            for n, (p, out) in pingers:
                if n not in first:
                    r = read_replies(out)
                    if r:
                        first[n] = min(x[2] for x in r)
        for _, (p, _) in pingers:
            self.stop_pinger(p)
        if len(first) < len(self.names):
            log("  conv: not every router reached its farthest in {} s: {}".format(
                timeout, sorted(set(self.names) - set(first))))
            return None, t_pushed - t0
        return max(first.values()) - t0, t_pushed - t0

    def measure_ctl(self, duration):
        c0 = self.read_counters()
        t0 = time.monotonic()
        time.sleep(duration)
        c1 = self.read_counters()
        dt = time.monotonic() - t0
        kinds = ["babel", "qhello", "qetp", "all"]
        per = {k: [0, 0] for k in kinds}
        for key, (p1, b1) in c1.items():
            p0, b0 = c0.get(key, (0, 0))
            per[key[1]][0] += p1 - p0
            per[key[1]][1] += b1 - b0
        nl = len(self.links)
        if self.proto == "babeld":
            pk, by = per["babel"]
        else:
            pk = per["qhello"][0] + per["qetp"][0]
            by = per["qhello"][1] + per["qetp"][1]
        return {
            "pps_per_link": pk / nl / dt,
            "Bps_per_link": by / nl / dt,
            "all_pps_per_link": per["all"][0] / nl / dt,
            "all_Bps_per_link": per["all"][1] / nl / dt,
            "by_kind": per,
            "seconds": dt,
        }

    def fail(self, how, a, nh):
        if how == "silent":
            for x, y in ((a, nh), (nh, a)):
                text = ('table netdev bmdrop {{\n chain in {{\n  type filter hook ingress '
                        'device "{}" priority 0; policy drop;\n }}\n}}\n').format(ifname(x, y))
                p = subprocess.run(["ip", "netns", "exec", PREFIX + x, "nft", "-f", "-"],
                                   input=text, capture_output=True, text=True)
                if p.returncode:
                    raise RuntimeError("nft: " + p.stderr)
        else:
            sh(["ip", "link", "set", ifname(a, nh), "down"], ns=a)

    def restore(self, how, a, nh):
        if how == "silent":
            for x in (a, nh):
                sh(["nft", "delete", "table", "netdev", "bmdrop"], ns=x)
        else:
            sh(["ip", "link", "set", ifname(a, nh), "up"], ns=a)

    def wait_shortest(self, a, b, nh, nb, timeout):
        """until the routes between a and b both follow their (unique)
        shortest path; the seconds waited, or None"""
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            if (self.route_oif(a, b) == ifname(a, nh)
                    and self.route_oif(b, a) == ifname(b, nb)):
                return time.monotonic() - t0
            time.sleep(0.1)
        return None

    def measure_failure(self, how, a, b, nh, nb, max_outage, max_back):
        """the longest reply gap of a 10 ms stream a -> b while the first link
        of the path fails; then, the link back, the time until the routes
        both ways are on the shortest path again."""
        want = ifname(a, nh)
        want_rev = ifname(b, nb)
        res = {"how": how, "src": a, "dst": b, "link": want}
        res["shortest_wait"] = self.wait_shortest(a, b, nh, nb, max_back)
        res["oif_before"] = self.route_oif(a, b)
        res["oif_rev_before"] = self.route_oif(b, a)
        if res["shortest_wait"] is None:
            log("  {}: the routes between {} and {} are not on the shortest path "
                "({} and {}, not {} and {})".format(how, a, b, res["oif_before"],
                                                  res["oif_rev_before"], want, want_rev))
        p, out = self.start_pinger(a, b, 0.01, how)
        time.sleep(2.0)
        t_fail = time.monotonic()
        self.fail(how, a, nh)
        # until the replies have come back for 3 s after the longest silence
        # (the silence still going on counts), or max_outage
        while time.monotonic() - t_fail < max_outage:
            time.sleep(0.25)
            now = time.monotonic()
            times = sorted(x[2] for x in read_replies(out))
            before = [t for t in times if t <= t_fail]
            after = [t for t in times if t > t_fail]
            if not before or not after or now - after[-1] > 0.2 or now - t_fail < 1.0:
                continue
            seq = [before[-1]] + after
            gaps = [(t2 - t1, t2) for t1, t2 in zip(seq, seq[1:])]
            longest, resumed = max(gaps)
            if now - resumed > 3.0:
                break
        self.stop_pinger(p)
        times = sorted(x[2] for x in read_replies(out))
        before = [t for t in times if t <= t_fail]
        after = [t for t in times if t > t_fail]
        if not before:
            res["gap"] = None
            res["note"] = "no reply before the failure"
        elif not after:
            res["gap"] = None
            res["note"] = "no reply within {} s".format(max_outage)
        else:
            seq = [before[-1]] + after
            res["gap"] = max(t2 - t1 for t1, t2 in zip(seq, seq[1:]))
        res["oif_during"] = self.route_oif(a, b)
        t_back = time.monotonic()
        self.restore(how, a, nh)
        # back: a's route to b leaves by the link again, and b's route to a
        # by the first link of the shortest path back (both on the shortest
        # path again); "back_fwd": a's route alone
        res["back"] = res["back_fwd"] = None
        while time.monotonic() - t_back < max_back:
            fwd = self.route_oif(a, b) == want
            if fwd and res["back_fwd"] is None:
                res["back_fwd"] = time.monotonic() - t_back
            if fwd and self.route_oif(b, a) == want_rev:
                res["back"] = time.monotonic() - t_back
                break
            time.sleep(0.05)
        if res["back"] is None:
            res["note_back"] = "routes not back on {} and {} within {} s ({} and {})".format(
                want, want_rev, max_back, self.route_oif(a, b), self.route_oif(b, a))
        return res


class Bench:
    def __init__(self, args):
        self.outdir = os.path.abspath(args.outdir)
        self.frr_sbindir = args.frr_sbindir
        self.qspnd = os.path.abspath(args.qspnd)
        self.vtysh = os.path.abspath(args.vtysh)
        self.args = args
        self.cleanup_ns = set()
        self.cleanup_dirs = set()
        self.cleanup_pidfiles = []
        self.cleanup_procs = []

    def kill_daemons(self):
        pids = []
        for pf in self.cleanup_pidfiles:
            try:
                with open(pf) as f:
                    pids.append(int(f.read().strip()))
            except (OSError, ValueError):
                pass
        for pid in pids:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        end = time.monotonic() + 10
        for pid in pids:
            while time.monotonic() < end:
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.05)
            else:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self.cleanup_pidfiles = []

    def remove_dirs(self):
        for d in list(self.cleanup_dirs):
            subprocess.run(["rm", "-rf", d])
            self.cleanup_dirs.discard(d)
        # qspnd's table names file for pathspace NAME (doc/kernel-state.md)
        for f in os.listdir("/etc/iproute2/rt_tables.d") if os.path.isdir(
                "/etc/iproute2/rt_tables.d") else []:
            if f.startswith("qspnd-" + PREFIX):
                os.unlink(os.path.join("/etc/iproute2/rt_tables.d", f))

    def cleanup(self):
        for p in self.cleanup_procs:
            if p.poll() is None:
                p.kill()
        self.kill_daemons()
        for ns in list(self.cleanup_ns):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        self.cleanup_ns.clear()
        self.remove_dirs()

    def run_case(self, topo, case):
        a = self.args
        m = Mesh(self, topo, case)
        res = {}
        try:
            log("{} {}: setting up {} routers, {} links".format(
                topo, case["name"], len(m.names), len(m.links)))
            m.setup()
            conv, push = m.measure_conv(a.conv_timeout)
            res["conv"] = conv
            res["push"] = push
            log("  conv {}".format(fmt_s(conv)))
            if conv is None:
                return res
            time.sleep(a.settle)
            res["ctl"] = m.measure_ctl(a.steady)
            log("  ctl {:.1f} pkt/s {:.0f} B/s per link".format(
                res["ctl"]["pps_per_link"], res["ctl"]["Bps_per_link"]))
            src, dst, nh, nb, d = fail_pair(m.names, m.adj)
            for how in ("silent", "carrier"):
                r = m.measure_failure(how, src, dst, nh, nb, a.max_outage, a.max_back)
                res[how] = r
                log("  {}: shortest after {}, gap {}, back {} ({})".format(
                    how, fmt_s(r.get("shortest_wait")), fmt_s(r.get("gap")),
                    fmt_s(r.get("back")), r.get("note", "") + r.get("note_back", "")))
                time.sleep(a.settle)
        finally:
            m.teardown()
        return res


class Interrupted(Exception):
    pass


def fmt_s(v):
    return "-" if v is None else "{:.2f} s".format(v)


# ---------------------------------------------------------------- cases

# The cases, one column each.  "qspnd-bfd" (qspnd with BFD on every arc) is
# not implemented in qspnd yet: its column prints "not implemented" and it is
# not run.  To add it: give it a protocol name Mesh knows (daemons to start,
# config_lines) and set "run": True.
CASES = [
    {"name": "babeld", "proto": "babeld", "run": True},
    {"name": "qspnd", "proto": "qspnd", "run": True},
    {"name": "qspnd+BFD", "proto": "qspnd-bfd", "run": False},
    # FRR's default interface type; only with BENCH_CASES=...,babeld-wireless
    {"name": "babeld-wireless", "proto": "babeld", "wireless": True, "run": True},
]

METRICS = [
    # key, label, unit, getter
    ("conv", "convergence after config", "s", lambda r: r.get("conv")),
    ("pps", "control packets/s per link", "pkt/s",
     lambda r: r.get("ctl", {}).get("pps_per_link")),
    ("Bps", "control bytes/s per link", "B/s",
     lambda r: r.get("ctl", {}).get("Bps_per_link")),
    ("gap_silent", "ping gap, silent link failure", "s",
     lambda r: r.get("silent", {}).get("gap")),
    ("gap_carrier", "ping gap, carrier loss", "s",
     lambda r: r.get("carrier", {}).get("gap")),
    ("back_silent", "shorter path back (silent)", "s",
     lambda r: r.get("silent", {}).get("back")),
    ("back_carrier", "shorter path back (carrier)", "s",
     lambda r: r.get("carrier", {}).get("back")),
]


def fmt_stat(st, unit):
    if st is None:
        return "n/a"
    f = "{:.2f}" if unit == "s" else "{:.1f}"
    g = lambda x: "timeout" if x is None else f.format(x)
    if st["n"] == 1:
        return g(st["median"])
    return "{} [{}-{}]".format(g(st["median"]), g(st["min"]), g(st["max"]))


def report(results, runs, args):
    lines = []
    lines.append("bench-mesh: {} run(s) per case, steady {} s; median [min-max]".format(
        runs, args.steady))
    cols = [c for c in CASES
            if not c["run"] or any(c["name"] in results.get(t, {}) for t in results)
            or c["name"] in ("babeld", "qspnd")]
    hdr = "{:<36}".format("metric")
    for c in cols:
        hdr += " {:>24}".format(c["name"])
        if c["name"] == "qspnd":
            hdr += " {:>13}".format("babeld/qspnd")
    summary = {}
    for topo in args.topologies:
        names, links = TOPOLOGIES[topo]()
        adj = adjacency(names, links)
        src, dst, nh, nb, d = fail_pair(names, adj)
        lines.append("")
        lines.append("{}: {} routers, {} links; failure on {} of the {}-hop path {} -> {}"
                     "; timeouts {:.0f} s".format(topo, len(names), len(links),
                                                ifname(src, nh), d, src, dst, args.max_back))
        lines.append(hdr)
        summary[topo] = {}
        for key, label, unit, get in METRICS:
            st = {}
            for c in CASES:
                if c["run"]:
                    vals = [get(r) for r in results.get(topo, {}).get(c["name"], [])]
                    st[c["name"]] = median_range(vals)
            b, q = st.get("babeld"), st.get("qspnd")
            ratio = rtext = None
            if b and q and b["median"] is not None and q["median"]:
                ratio = b["median"] / q["median"]
                rtext = "{:.2f}".format(ratio)
            elif b and q and q["median"] and unit == "s":
                # babeld timed out: at least its timeout
                rtext = ">{:.0f}".format(args.max_back / q["median"])
            summary[topo][key] = {"unit": unit, "stats": st, "ratio": ratio}
            line = "{:<36}".format("{} ({})".format(label, unit))
            for c in cols:
                if not c["run"]:
                    line += " {:>24}".format("not implemented")
                else:
                    line += " {:>24}".format(fmt_stat(st.get(c["name"]), unit))
                if c["name"] == "qspnd":
                    line += " {:>13}".format(rtext or "n/a")
            lines.append(line)
    return "\n".join(lines) + "\n", summary


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--pinger", nargs=4, metavar=("SRC", "DST", "INTERVAL", "OUT"),
                    help=argparse.SUPPRESS)
    ap.add_argument("--builddir", default=".")
    ap.add_argument("--frr-sbindir", default="/usr/lib/frr")
    ap.add_argument("--outdir", default=None)
    ap.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", "3")))
    ap.add_argument("--topologies", default=os.environ.get("BENCH_TOPOLOGIES", "ring,grid"))
    ap.add_argument("--cases", default=os.environ.get("BENCH_CASES", "babeld,qspnd"))
    ap.add_argument("--steady", type=float, default=float(os.environ.get("BENCH_STEADY", "30")))
    ap.add_argument("--settle", type=float, default=10.0)
    ap.add_argument("--conv-timeout", type=float, default=180.0)
    ap.add_argument("--max-outage", type=float, default=120.0)
    ap.add_argument("--max-back", type=float, default=120.0)
    args = ap.parse_args()
    if args.pinger:
        pinger(args.pinger[0], args.pinger[1], float(args.pinger[2]), args.pinger[3])
        return 0
    if os.geteuid() != 0:
        print("bench-mesh: needs root (network namespaces)", file=sys.stderr)
        return 1
    args.topologies = [t for t in args.topologies.split(",") if t]
    for t in args.topologies:
        if t not in TOPOLOGIES:
            print("bench-mesh: unknown topology " + t, file=sys.stderr)
            return 1
    wanted = set(c for c in args.cases.split(",") if c)
    args.qspnd = os.path.join(args.builddir, "qspnd", "qspnd")
    args.vtysh = os.path.join(args.builddir, "vtysh", "qspn-vtysh")
    if args.outdir is None:
        args.outdir = os.path.join(args.builddir, "bench-mesh")
    for f in (args.qspnd, args.vtysh, os.path.join(args.frr_sbindir, "zebra"),
              os.path.join(args.frr_sbindir, "babeld")):
        if not os.access(f, os.X_OK):
            print("bench-mesh: missing " + f, file=sys.stderr)
            return 1
    os.makedirs(args.outdir, exist_ok=True)

    bench = Bench(args)

    def on_signal(signum, _frame):
        # unwinds through Mesh.teardown and the cleanup below; the table
        # then reports the runs that ended
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise Interrupted("signal {}".format(signum))

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    os.makedirs(os.path.dirname(LOCK), exist_ok=True)
    lockf = open(LOCK, "w")
    try:
        fcntl.flock(lockf, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        log("another topotest or bench run holds {}; waiting".format(LOCK))
        try:
            fcntl.flock(lockf, fcntl.LOCK_EX)
        except Interrupted as e:
            log("{} while waiting for the lock".format(e))
            return 130

    results = {}
    t_begin = time.time()
    interrupted = None
    try:
        for topo in args.topologies:
            results[topo] = {}
            for run in range(args.runs):
                for c in CASES:
                    if not c["run"] or c["name"] not in wanted:
                        continue
                    log("== {} {} run {}/{}".format(topo, c["name"], run + 1, args.runs))
                    r = bench.run_case(topo, c)
                    results[topo].setdefault(c["name"], []).append(r)
                    with open(os.path.join(args.outdir, "bench-mesh-raw.json"), "w") as f:
                        json.dump(results, f, indent=1)
    except Interrupted as e:
        interrupted = str(e)
        log("{}: cleaned up; the table has the runs that ended".format(interrupted))
    finally:
        bench.cleanup()
        fcntl.flock(lockf, fcntl.LOCK_UN)

    text, summary = report(results, args.runs, args)
    if interrupted:
        text += "interrupted ({}): fewer runs than asked\n".format(interrupted)
    print()
    print(text, end="")
    with open(os.path.join(args.outdir, "bench-mesh.txt"), "w") as f:
        f.write(text)
    with open(os.path.join(args.outdir, "bench-mesh.json"), "w") as f:
        json.dump({"started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t_begin)),
                   "runs": args.runs, "steady_s": args.steady,
                   "interrupted": interrupted,
                   "qspn_topology": QSPN_TOPOLOGY,
                   "cases": [dict(name=c["name"], implemented=c["run"]) for c in CASES],
                   "summary": summary, "results": results}, f, indent=1)
    print("results: {}/bench-mesh.{{txt,json}}".format(args.outdir))
    return 130 if interrupted else 0


if __name__ == "__main__":
    sys.exit(main())
