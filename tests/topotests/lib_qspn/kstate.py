# SPDX-License-Identifier: GPL-2.0-or-later
"""
The kernel state of a qspnd router, read in every network namespace of the
router, and its comparison with the state the reference vectors leave
(tests/conformance/seed-state).

What is read, per namespace (the default one is ""; the others through
`ip netns exec NS ...`, run with router.run inside the router):

* routes of every table but local (255); of main (254) only the routes to
  169.254/16 (the /32 routes to the neighbours' link-locals);
* policy rules, but the kernel's own three;
* the rules of nftables table `ip qspnd`: MAC marks, SNAT, NETMAP (and any
  other rule, reported as unknown);
* own addresses in 10/8 and 169.254/16, with their device;
* links: name, admin state, MAC.

and once per router (it is system-wide): the table names qspnd writes in
/etc/iproute2/rt_tables.d/qspnd.conf, and the namespaces (`ip netns list`).

The expected state is seed-state's JSON (the default namespace at the top
level, the others under "namespaces").  Link-locals and MACs of the pages
are mapped onto the ones of the run (a Maps object: the physical NICs have
the pages' MACs, set by the tests, and random link-locals; pseudo-interfaces
have random MACs and link-locals), table ids through the MAC marks: the mark
of a forwarding table is its id (doc/protocol/routes.md §3), so the page's
table of MAC X is the run's table whose mark matches the run's MAC for X.
"""

import ipaddress
import json
import os
import subprocess

NTK = 251
MAIN = 254
LL_NET = "169.254.0.0/16"
RT_TABLES_D = "/etc/iproute2/rt_tables.d"
# route types of `ip -N` (rtnetlink.h)
RTN_TYPES = {1: "unicast", 2: "local", 3: "broadcast", 6: "blackhole",
             7: "unreachable", 8: "prohibit"}

CONFORMANCE = os.path.realpath(
    os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "..", "conformance")
)


# -- the expected state ------------------------------------------------------------
def seed_state_tool():
    """tests/conformance/seed-state of the build tree under test: the qspnd
    of the harness's daemon directory is <builddir>/qspnd/qspnd (or set
    QSPN_SEED_STATE)."""
    tool = os.environ.get("QSPN_SEED_STATE")
    if tool:
        return tool
    qspnd = os.path.realpath(os.path.join(os.environ["QSPN_FRRDIR"], "qspnd"))
    builddir = os.path.dirname(os.path.dirname(qspnd))
    return os.path.join(builddir, "tests", "conformance", "seed-state")


def seed_state(system, page=None, seq=None):
    """seed-state's JSON for `system` after `page` (0: the story's initial
    state) and/or after block `seq`; a missing tool is a failure."""
    tool = seed_state_tool()
    assert os.access(
        tool, os.X_OK
    ), "{} is missing: build it (make tests/conformance/seed-state)".format(tool)
    cmd = [tool, "-d", CONFORMANCE]
    if page is not None:
        cmd += ["-p", str(page)]
    if seq is not None:
        cmd += ["-s", str(seq)]
    proc = subprocess.run(
        cmd + [system],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        universal_newlines=True,
    )
    assert proc.returncode == 0, "seed-state {}: {}".format(" ".join(cmd[1:]), proc.stderr)
    return json.loads(proc.stdout)


def expected_namespaces(exp):
    """{ns: state} of a seed-state output, the default namespace as ""."""
    out = {"": exp}
    out.update(exp.get("namespaces", {}))
    return out


def iptables_netmap(lines):
    """[(chain, dst, src, to)] of the NETMAP rules among seed-state's
    verbatim "iptables" lines ("nat PREROUTING -d D -j NETMAP --to T",
    "nat POSTROUTING -d D -s S -j NETMAP --to T")."""
    out = []
    for line in lines:
        t = line.split()
        if len(t) < 4 or t[0] != "nat" or "NETMAP" not in t:
            continue
        opt = {t[i]: t[i + 1] for i in range(2, len(t) - 1) if t[i].startswith("-")}
        chain = "pre" if t[1] == "PREROUTING" else "post"
        out.append((chain, host(opt.get("-d")), host(opt["-s"]) if "-s" in opt else None,
                    host(opt.get("--to"))))
    return sorted(out, key=str)


# -- reading the kernel --------------------------------------------------------------
def nsexec(ns):
    return "ip netns exec {} ".format(ns) if ns else ""


def run_json(router, cmd, ns=""):
    """the JSON a command prints ([] for nothing, None if not JSON)"""
    out = router.run(nsexec(ns) + cmd)
    try:
        return json.loads(out) if out.strip() else []
    except ValueError:
        return None


def host(dst):
    "ip prints host routes without /32"
    if dst is None:
        return None
    return dst if "/" in dst else dst + "/32"


def in_net(ip, net):
    return ipaddress.ip_address(ip.split("/")[0]) in ipaddress.ip_network(net)


def is_ll(ip):
    return ip is not None and in_net(ip, LL_NET)


def read_routes(router, ns=""):
    """{table id: {dst: (type, via, dev, src)}}: every table but local; of
    main only the routes to 169.254/16"""
    out = {}
    for r in run_json(router, "ip -N -j route show table all", ns) or []:
        table = int(r.get("table", MAIN))
        dst = r.get("dst")
        if table == 255 or dst is None or ":" in dst:
            continue
        if table == MAIN and (dst == "default" or not is_ll(dst)):
            continue
        kind = r.get("type", "1")
        kind = RTN_TYPES.get(int(kind), kind) if str(kind).isdigit() else kind
        if kind == "unicast":
            route = (kind, r.get("gateway"), r.get("dev"), r.get("prefsrc"))
        else:
            route = (kind, None, None, None)
        out.setdefault(table, {})[host(dst)] = route
    return out


def read_rules(router, ns=""):
    """{(fwmark, table)} of every rule but the kernel's own three"""
    out = set()
    for r in run_json(router, "ip -N -j rule show", ns) or []:
        table = int(r.get("table", 0))
        if table in (253, 254, 255) and "fwmark" not in r:
            continue
        out.add((int(r.get("fwmark", "0"), 0), table))
    return out


def _prefix(right):
    if isinstance(right, dict) and "prefix" in right:
        return "{}/{}".format(right["prefix"]["addr"], right["prefix"]["len"])
    return host(str(right))


def read_nft(router, ns=""):
    """{"marks": [(MAC, mark)], "snat": [(dst, to)], "netmap": [(chain,
    dst, src, to)], "unknown": [rule]} of nftables table ip qspnd"""
    st = {"marks": [], "snat": [], "netmap": [], "unknown": []}
    out = run_json(router, "nft -j list table ip qspnd 2>/dev/null", ns)
    items = out.get("nftables", []) if isinstance(out, dict) else []
    for item in items:
        rule = item.get("rule")
        if not rule:
            continue
        saddr = mac = dst = src = mark = None
        nat = None
        for e in rule["expr"]:
            m = e.get("match")
            if m:
                left = m["left"].get("payload", {})
                if left.get("protocol") == "ether" and left.get("field") == "saddr":
                    mac = m["right"].upper()
                if left.get("protocol") == "ip" and left.get("field") == "daddr":
                    dst = _prefix(m["right"])
                if left.get("protocol") == "ip" and left.get("field") == "saddr":
                    src = _prefix(m["right"])
            if "mangle" in e and e["mangle"]["key"].get("meta", {}).get("key") == "mark":
                mark = e["mangle"]["value"]
            for kind in ("snat", "dnat"):
                if kind in e:
                    nat = (kind, e[kind].get("addr"))
        if mac is not None and mark is not None:
            st["marks"].append((mac, mark))
        elif nat and nat[0] == "snat" and isinstance(nat[1], str) and dst and not src:
            st["snat"].append((dst, nat[1]))
        elif nat and isinstance(nat[1], dict) and dst:
            chain = "pre" if nat[0] == "dnat" else "post"
            st["netmap"].append((chain, dst, src, _prefix(nat[1])))
        else:
            st["unknown"].append(json.dumps(rule["expr"]))
    st["marks"].sort()
    st["snat"].sort()
    st["netmap"].sort(key=str)
    return st


def read_links(router, ns=""):
    """{name: {"up": bool, "mac": MAC, "kind": macvlan/veth/...}}"""
    out = {}
    for i in run_json(router, "ip -d -j link show", ns) or []:
        out[i["ifname"]] = {
            "up": "UP" in i.get("flags", []),
            "mac": (i.get("address") or "").upper(),
            "kind": i.get("linkinfo", {}).get("info_kind", ""),
        }
    return out


def read_addresses(router, ns=""):
    """{(ip, dev)} of the addresses in 10/8 and 169.254/16"""
    out = set()
    for i in run_json(router, "ip -j -4 addr show", ns) or []:
        for a in i.get("addr_info", []):
            ip = a["local"]
            if in_net(ip, "10.0.0.0/8") or is_ll(ip):
                out.add((ip, i["ifname"]))
    return out


def read_ns(router, ns=""):
    st = {
        "routes": read_routes(router, ns),
        "rules": read_rules(router, ns),
        "addresses": read_addresses(router, ns),
        "links": read_links(router, ns),
    }
    st.update(read_nft(router, ns))
    return st


def read_table_names(router):
    """{id: name} of qspnd's rt_tables.d file"""
    text = router.run("cat {}/qspnd.conf 2>/dev/null".format(RT_TABLES_D))
    out = {}
    for line in text.splitlines():
        words = line.split("#")[0].split()
        if len(words) == 2 and words[0].isdigit():
            out[int(words[0])] = words[1]
    return out


def read_netns(router):
    """the names of the router's network namespaces"""
    out = []
    for line in router.run("ip netns list 2>/dev/null").splitlines():
        if line.strip():
            out.append(line.split()[0])
    return sorted(out)


def read_system(router, namespaces=None):
    """The kernel state of a router: {"names": {id: name}, "netns": [...],
    "ns": {"": state, NS: state, ...}}, every namespace unless
    `namespaces` (a list, "" = default) says which."""
    netns = read_netns(router)
    want = [""] + netns if namespaces is None else namespaces
    return {
        "names": read_table_names(router),
        "netns": netns,
        "ns": {ns: read_ns(router, ns) for ns in want if ns == "" or ns in netns},
    }


def own_linklocals(state, ns="", dev=None):
    """the 169.254/16 addresses of a namespace (of one device)"""
    return sorted(
        ip for ip, d in state["ns"].get(ns, {}).get("addresses", ())
        if is_ll(ip) and (dev is None or d == dev)
    )


# -- pages' names onto the run's ---------------------------------------------------------
class Maps:
    """The pages' link-locals and MACs onto the ones of this run."""

    def __init__(self):
        self.ll = {}
        self.mac = {}

    def add(self, ref_mac, ref_ll, mac, ll):
        if ref_mac and mac:
            self.mac[ref_mac.upper()] = mac.upper()
        if ref_ll and ll:
            self.ll[ref_ll] = ll

    def map_ll(self, ip):
        if ip is None or not is_ll(ip):
            return ip
        return self.ll.get(ip, "unmapped " + ip)

    def map_mac(self, mac):
        return self.mac.get(mac.upper(), "unmapped " + mac.upper())

    def map_table_name(self, name):
        if name.startswith("ntk_from_"):
            return "ntk_from_" + self.map_mac(name[len("ntk_from_"):])
        return name


def interface_maps(states, reference, maps=None):
    """Maps from what the kernels hold.  states: {system: read_system()};
    reference: {system: {(ns, dev): (MAC, link-local) of the pages}}.  An
    interface of the pages that the run does not have (yet, or any more) is
    not mapped; one that has not a single link-local is a problem.
    Returns (maps, [problems])."""
    maps = maps or Maps()
    problems = []
    for system, ifaces in reference.items():
        st = states.get(system)
        if st is None:
            continue
        for (ns, dev), (ref_mac, ref_ll) in sorted(ifaces.items()):
            if ns not in st["ns"]:
                continue
            link = st["ns"][ns]["links"].get(dev)
            if link is None:
                continue
            lls = own_linklocals(st, ns, dev)
            if len(lls) != 1:
                problems.append(
                    "{}: {} in '{}' has link-locals {}".format(system, dev, ns, lls)
                )
                lls = [None]
            maps.add(ref_mac, ref_ll, link["mac"], lls[0])
    return maps, problems


# -- the comparison ------------------------------------------------------------------
def _tid_map(name, exp_ns, obs, maps, compared):
    """{page table id: run table id} through the marks of the compared
    namespaces, or a problem string"""
    tid = {NTK: NTK, MAIN: MAIN}
    for ns in compared:
        live = {}
        for mac, mark in obs["ns"].get(ns, {}).get("marks", []):
            live.setdefault(mac, []).append(mark)
        for m in exp_ns[ns].get("marks", []):
            got = live.get(maps.map_mac(m["mac"]), [])
            if len(got) != 1:
                return "{} '{}': MAC marks for {} (table {} of the pages): {}".format(
                    name, ns, m["mac"], m["mark"], got
                )
            if tid.get(m["mark"], got[0]) != got[0]:
                return "{}: table {} of the pages is {} and {} here".format(
                    name, m["mark"], tid[m["mark"]], got[0]
                )
            tid[m["mark"]] = got[0]
    return tid


def _mapped_routes(exp, tid, maps):
    tables = {}
    for r in exp["routes"]:
        table = tid.get(r["table"])
        if table is None:
            return "route of a table without MAC mark: {}".format(r)
        dst = r["dst"]
        if table == MAIN:
            dst = maps.map_ll(dst.split("/")[0]) + "/32"
        route = (r["type"], maps.map_ll(r.get("via")), r.get("dev"), r.get("src"))
        if route[3] and is_ll(route[3]):
            route = route[:3] + (maps.map_ll(route[3]),)
        tables.setdefault(table, {})[dst] = route
    return tables


def _diff_routes(where, table, want, got):
    out = []
    for dst in sorted(set(want) | set(got)):
        if want.get(dst) != got.get(dst):
            out.append(
                "{} table {} {}: pages {} kernel {}".format(
                    where, table, dst, want.get(dst), got.get(dst)
                )
            )
    return out


def compare(name, exp, obs, maps, namespaces=None):
    """The differences between seed-state's `exp` and read_system()'s
    `obs`, as a list of strings (empty: equal), and a one-line summary.

    namespaces=None compares the whole system: every namespace of the
    pages and of the kernel, the list of namespaces, every table name.
    A list (of names, "" = default) compares only those namespaces, and
    only the table names of their tables."""
    exp_ns = expected_namespaces(exp)
    whole = namespaces is None
    compared = sorted(set(exp_ns) | set(obs["netns"]) | {""}) if whole else list(namespaces)
    problems = []
    if whole and obs["netns"] != sorted(exp.get("netns", [])):
        problems.append(
            "{} namespaces: pages {} kernel {}".format(name, exp.get("netns", []), obs["netns"])
        )
    compared = [ns for ns in compared if ns in exp_ns]
    for ns in compared:
        if ns not in obs["ns"]:
            problems.append("{}: no namespace '{}'".format(name, ns))
    if problems:
        return problems, None
    tid = _tid_map(name, exp_ns, obs, maps, compared)
    if isinstance(tid, str):
        return [tid], None
    # table names: system-wide
    want_names = {}
    mac_of_mark = {m["mark"]: m["mac"] for ns in compared for m in exp_ns[ns].get("marks", [])}
    for t, tname in exp["rt_tables"].items():
        t = int(t)
        if t not in tid:
            if whole:
                problems.append("{}: page table {} {} has no MAC mark".format(name, t, tname))
            continue
        if t != NTK and tname != "ntk_from_" + mac_of_mark.get(t, "?"):
            problems.append("{}: page table {} {} has the mark of another MAC".format(name, t, tname))
        want_names[tid[t]] = maps.map_table_name(tname)
    got_names = obs["names"]
    if not whole:
        got_names = {t: n for t, n in got_names.items() if t in want_names}
    if got_names != want_names:
        problems.append(
            "{} table names: pages {} rt_tables.d {}".format(name, want_names, got_names)
        )
    summary = []
    for ns in compared:
        e, o = exp_ns[ns], obs["ns"][ns]
        where = "{}{}".format(name, " '{}'".format(ns) if ns else "")
        tables = _mapped_routes(e, tid, maps)
        if isinstance(tables, str):
            problems.append("{}: {}".format(where, tables))
            continue
        want_marks = sorted((maps.map_mac(m["mac"]), tid[m["mark"]]) for m in e["marks"])
        if o["marks"] != want_marks:
            problems.append(
                "{} MAC marks: pages {} kernel {}".format(where, want_marks, o["marks"])
            )
        want_snat = sorted((s["dst"], s["to"]) for s in e["snat"])
        if o["snat"] != want_snat:
            problems.append("{} SNAT: pages {} kernel {}".format(where, want_snat, o["snat"]))
        want_netmap = iptables_netmap(e.get("iptables", []))
        if o["netmap"] != want_netmap:
            problems.append(
                "{} NETMAP: pages {} kernel {}".format(where, want_netmap, o["netmap"])
            )
        if o["unknown"]:
            problems.append("{}: nftables rules of no known kind: {}".format(where, o["unknown"]))
        want_rules = {
            (tid.get(r["fwmark"], -1) if r["fwmark"] else 0, tid.get(r["table"], -1))
            for r in e["rules"]
        }
        if o["rules"] != want_rules:
            problems.append(
                "{} ip rule: pages {} kernel {}".format(
                    where, sorted(want_rules), sorted(o["rules"])
                )
            )
        for table in sorted(set(tables) | {MAIN}):
            problems += _diff_routes(where, table, tables.get(table, {}), o["routes"].get(table, {}))
        extra = set(o["routes"]) - set(tables) - {MAIN}
        if extra:
            problems.append("{}: tables the pages do not have: {}".format(where, sorted(extra)))
        want_addrs = {
            (maps.map_ll(a["ip"]) if is_ll(a["ip"]) else a["ip"], a["dev"]) for a in e["addresses"]
        }
        if o["addresses"] != want_addrs:
            problems.append(
                "{} addresses: pages {} kernel {}".format(
                    where, sorted(want_addrs), sorted(o["addresses"])
                )
            )
        if "links" in e:
            # a new namespace's lo is down on a real kernel, up in the model
            want_links = {l["name"]: l["up"] for l in e["links"]}
            got_links = {n: l["up"] for n, l in o["links"].items()}
            for d in (want_links, got_links):
                d.pop("lo", None)
            if want_links != got_links:
                problems.append(
                    "{} links (up): pages {} kernel {}".format(where, want_links, got_links)
                )
        summary.append(
            "{}: routes {}, rules {}, marks {}, SNAT {}, {} addresses".format(
                ns or "default",
                {t: len(r) for t, r in sorted(tables.items())},
                sorted(want_rules),
                want_marks,
                want_snat,
                len(want_addrs),
            )
        )
    return problems, "; ".join(summary)


# -- neighbours --------------------------------------------------------------------------
def neighbours_problem(router, name, systems, hears, own_ll):
    """None when `name` hears, on its NIC, exactly the systems `hears`
    names, each at the link-local that system holds.  systems: {name:
    {"mac": MAC of its NIC}}; own_ll: {name: its NIC's link-local}."""
    neighbours = router.vtysh_cmd("show qspn neighbors json", isjson=True)
    by_mac = {n["mac"].upper(): n for n in neighbours.values()}
    heard = sorted(o for o in systems if systems[o]["mac"].upper() in by_mac and o != name)
    want = sorted(o for o in systems if o != name and hears(name, o))
    if heard != want:
        return "{}: hears {}, should hear {}".format(name, heard, want)
    for other in want:
        ll = by_mac[systems[other]["mac"].upper()]["linkLocal"]
        if ll != own_ll.get(other):
            return "{}: neighbour {} at {}, but {} has {}".format(
                name, other, ll, other, own_ll.get(other)
            )
    return None
