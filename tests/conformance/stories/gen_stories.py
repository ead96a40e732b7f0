#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write the conformance stories (tests/conformance/stories/*.json).

The stories are the states of each system of the reference scenario
(doc/protocol/scenario.md; the pages in tests/conformance/vectors/) at the
end of each step of the Eventi pages 1-7, in the JSON form of doc/qspn-plan.md.
They are INPUTS: the addresses, arcs, MACs, link-locals, table ids and the QSPN
paths each identity knows; nothing here says which commands the planner must
print.  This script only saves typing; the JSON files are what the test reads.

    /usr/bin/python3 tests/conformance/stories/gen_stories.py
"""
import copy
import json
import os

TOPO = "4.2.2.2"
P = "00:16:3E:"

# doc/protocol/scenario.md §2
ETH = {
    "alpha": (P + "FD:E2:AA", "169.254.69.30"),
    "beta": (P + "EC:A3:E1", "169.254.96.141"),
    "gamma": (P + "5B:78:D5", "169.254.94.223"),
    "delta": (P + "1A:C4:45", "169.254.253.216"),
    "mu": (P + "2D:8D:DE", "169.254.119.176"),
    "epsilon": (P + "3C:14:33", "169.254.163.36"),
}
PSEUDO = {
    "entr02@beta": (P + "8E:91:B9", "169.254.215.29"),
    "entr03@delta": (P + "B9:77:80", "169.254.83.167"),
    "entr03@mu": (P + "DF:23:F5", "169.254.242.91"),
    "entr04@alpha": (P + "78:18:0B", "169.254.202.128"),
    "entr05@epsilon": (P + "13:28:B2", "169.254.133.31"),
}


def arc(aid, mac_ll, qspn=False, tid=None, peer=None):
    a = {"id": aid, "dev": "eth1", "peer_mac": mac_ll[0],
         "peer_linklocal": mac_ll[1]}
    if qspn:
        a["qspn"] = True
        a["table_id"] = tid
    if peer:
        a["peer_address"] = peer
    return a


def ident(name, addr, arcs=(), paths=None, netns="", pseudo=None):
    i = {"name": name, "address": addr}
    if netns:
        i["netns"] = netns
        mac, ll = PSEUDO[pseudo]
        i["pseudodevs"] = [{"dev": "eth1", "name": netns + "_eth1",
                            "mac": mac, "linklocal": ll}]
    i["arcs"] = list(arcs)
    if paths:
        i["paths"] = [{"dest": list(d), "paths": [
            {"arc": a, "hops": [list(h) for h in hops]} for a, hops in ps]}
            for d, ps in paths]
    return i


def state(system, ids, neighbours=()):
    mac, ll = ETH[system]
    return {"serve_anonymous": True,
            "nics": [{"dev": "eth1", "mac": mac, "linklocal": ll}],
            "neighbours": [{"dev": "eth1", "linklocal": ETH[n][1]}
                           for n in neighbours],
            "identities": copy.deepcopy(ids)}


def step(blocks, ranges, st, fixes=None):
    s = {"blocks": blocks,
         "vector": [{"file": f, "lines": [a, b]} for f, a, b in ranges],
         "state": copy.deepcopy(st)}
    if fixes:
        s["fixes"] = fixes
    return s


def story(system, initial, steps):
    return {"system": system, "topology": TOPO, "nics": ["eth1"],
            "initial": initial, "steps": steps}


def alpha():
    f1, f6 = "eventi01-alpha.txt", "eventi06-alpha.txt"
    beta = ETH["beta"]
    s = []
    a0 = ident("alpha0", "3.0.1.0")
    st = state("alpha", [a0])
    s.append(step([1, 2, 3, 4, 5, 6, 7], [(f1, 1, 34)], st))
    # bootstrap_complete alone in the network: nothing known, no change
    s.append(step([8], [(f1, 35, 52)], st))
    # arc formation with beta (Neighborhood), main identity-arc alpha0-beta1
    a0["arcs"] = [arc(1, beta)]
    st = state("alpha", [a0], ["beta"])
    s.append(step([44], [(f6, 1, 1)], st))
    # entr04 parts 1-3: alpha0 -> connectivity 3.0.1.2 in entr04,
    # alpha1 = virtual 2.2.1.0 in the default netns
    a0 = ident("alpha0", "3.0.1.2", [arc(1, beta)], netns="entr04",
               pseudo="entr04@alpha")
    a1 = ident("alpha1", "2.2.1.0", [arc(2, beta)])
    st = state("alpha", [a0, a1], ["beta"])
    s.append(step([46, 48, 49], [(f6, 2, 49)], st))
    # part 4: the arc to beta1 becomes a qspn-arc, table 250
    a1["arcs"] = [arc(2, beta, True, 250)]
    st = state("alpha", [a0, a1], ["beta"])
    s.append(step([50], [(f6, 50, 66)], st))
    # part 5: 2.2.1.0 -> 2.0.1.0
    a1["address"] = "2.0.1.0"
    st = state("alpha", [a0, a1], ["beta"])
    s.append(step([52], [(f6, 67, 103)], st, fixes=[
        {"item": 1, "file": f6, "line": n, "action": "skip"}
        for n in (95, 96, 97)]))
    # first ETP from beta1 (2.1.1.1): g-node 2.1. via beta
    a1["arcs"] = [arc(2, beta, True, 250, "2.1.1.1")]
    a1["paths"] = [{"dest": [2, 1], "paths": [{"arc": 2,
                                               "hops": [[2, 1]]}]}]
    st = state("alpha", [a0, a1], ["beta"])
    tbl = "ntk_from_00:16:3E:EC:A3:E1"
    s.append(step([53], [(f6, 104, 139)], st, fixes=[
        {"item": 3, "file": f6, "line": 134, "action": "replace",
         "command": "ip route change blackhole 10.0.0.48/31 table " + tbl},
        {"item": 3, "file": f6, "line": 138, "action": "replace",
         "command": "ip route change blackhole 10.0.0.51/32 table " + tbl},
        {"item": 3, "file": f6, "line": 139, "action": "replace",
         "command": "ip route change blackhole 10.0.0.41/32 table " + tbl},
        {"item": 2, "file": f6, "line": 139, "action": "insert_after",
         "command": "ip rule add fwmark 250 table " + tbl}]))
    # alpha0 dismissed
    st = state("alpha", [a1], ["beta"])
    s.append(step([54], [(f6, 140, 142)], st))
    return story("alpha", None, s)


def beta():
    f2, f5, f6, f7 = ("eventi02-beta.txt", "eventi05-beta.txt",
                      "eventi06-beta.txt", "eventi07-beta.txt")
    gamma, alpha, eps = ETH["gamma"], ETH["alpha"], ETH["epsilon"]
    s = []
    initial = state("beta", [ident("beta0", "1.0.1.0")])
    b0 = ident("beta0", "1.0.1.0", [arc(1, gamma)])
    st = state("beta", [b0], ["gamma"])
    s.append(step([9], [(f2, 1, 1)], st))
    # entr02 parts 1-2: beta0 -> connectivity 1.0.1.2 in entr02
    b0 = ident("beta0", "1.0.1.2", [arc(1, gamma)], netns="entr02",
               pseudo="entr02@beta")
    st = state("beta", [b0], ["gamma"])
    s.append(step([11, 13], [(f2, 2, 36)], st))
    # part 3: beta1 = virtual 2.1.1.2
    b1 = ident("beta1", "2.1.1.2", [arc(2, gamma)])
    st = state("beta", [b0, b1], ["gamma"])
    s.append(step([14], [(f2, 37, 59)], st))
    # part 4: qspn-arc to gamma0, table 250
    b1["arcs"] = [arc(2, gamma, True, 250)]
    st = state("beta", [b0, b1], ["gamma"])
    s.append(step([15], [(f2, 60, 84)], st))
    # first ETP from gamma0 (2.1.1.0)
    b1["arcs"] = [arc(2, gamma, True, 250, "2.1.1.0")]
    b1["paths"] = [{"dest": [0, 0], "paths": [{"arc": 2, "hops": [[0, 0]]}]}]
    st = state("beta", [b0, b1], ["gamma"])
    s.append(step([17], [(f2, 85, 131)], st))
    # part 5: 2.1.1.2 -> 2.1.1.1
    b1["address"] = "2.1.1.1"
    st = state("beta", [b0, b1], ["gamma"])
    s.append(step([19, 20], [(f2, 132, 165)], st))
    # part 6: beta0 dismissed
    st = state("beta", [b1], ["gamma"])
    s.append(step([22], [(f2, 166, 168)], st))
    # Eventi5: gamma0 announces 2.1.0. (delta1, mu2)
    b1["paths"].append({"dest": [1, 0], "paths": [
        {"arc": 2, "hops": [[0, 0], [1, 0]]}]})
    st = state("beta", [b1], ["gamma"])
    s.append(step([40], [(f5, 1, 36)], st))
    # Eventi6: arc with alpha (alpha0 at first)
    arcs = b1["arcs"]
    b1["arcs"] = arcs + [arc(3, alpha)]
    st = state("beta", [b1], ["gamma", "alpha"])
    s.append(step([45], [(f6, 1, 1)], st))
    # alpha0 moved to entr04; new identity-arc to alpha1
    b1["arcs"] = arcs + [arc(3, PSEUDO["entr04@alpha"]), arc(4, alpha)]
    st = state("beta", [b1], ["gamma", "alpha"])
    s.append(step([47], [(f6, 2, 2)], st))
    # add_qspn_arc towards alpha1: table 249
    b1["arcs"] = arcs + [arc(3, PSEUDO["entr04@alpha"]),
                         arc(4, alpha, True, 249)]
    st = state("beta", [b1], ["gamma", "alpha"])
    s.append(step([51], [(f6, 3, 22)], st))
    # alpha0 dismissed
    arcs = arcs + [arc(4, alpha, True, 249)]
    b1["arcs"] = arcs
    st = state("beta", [b1], ["gamma", "alpha"])
    s.append(step([55], [(f6, 23, 23)], st))
    # Eventi7: arc with epsilon (eps0 at first)
    b1["arcs"] = arcs + [arc(5, eps)]
    st = state("beta", [b1], ["gamma", "alpha", "epsilon"])
    s.append(step([57], [(f7, 1, 1)], st))
    # eps0 moved to entr05; new identity-arc to eps1
    b1["arcs"] = arcs + [arc(5, PSEUDO["entr05@epsilon"]), arc(6, eps)]
    st = state("beta", [b1], ["gamma", "alpha", "epsilon"])
    s.append(step([59], [(f7, 2, 2)], st))
    # add_qspn_arc towards eps1: table 248
    b1["arcs"] = arcs + [arc(5, PSEUDO["entr05@epsilon"]),
                         arc(6, eps, True, 248)]
    st = state("beta", [b1], ["gamma", "alpha", "epsilon"])
    s.append(step([63], [(f7, 3, 22)], st))
    # eps0 dismissed
    b1["arcs"] = arcs + [arc(6, eps, True, 248)]
    st = state("beta", [b1], ["gamma", "alpha", "epsilon"])
    s.append(step([65], [(f7, 23, 23)], st))
    return story("beta", initial, s)


def gamma():
    f2, f3, f4, f5 = ("eventi02-gamma.txt", "eventi03-gamma.txt",
                      "eventi04-gamma.txt", "eventi05-gamma.txt")
    beta, delta = ETH["beta"], ETH["delta"]
    s = []
    initial = state("gamma", [ident("gamma0", "2.1.1.0")])
    g = ident("gamma0", "2.1.1.0", [arc(1, beta)])
    st = state("gamma", [g], ["beta"])
    s.append(step([10], [(f2, 1, 1)], st))
    # beta0 moved to entr02, new identity-arc to beta1
    g["arcs"] = [arc(1, PSEUDO["entr02@beta"]), arc(2, beta)]
    st = state("gamma", [g], ["beta"])
    s.append(step([12], [(f2, 2, 2)], st))
    # add_qspn_arc towards beta1: table 250
    g["arcs"] = [arc(1, PSEUDO["entr02@beta"]), arc(2, beta, True, 250)]
    st = state("gamma", [g], ["beta"])
    s.append(step([16], [(f2, 3, 22)], st))
    # first ETP from beta1, still at virtual 2.1.1.2: the only destination
    # it brings is virtual, and is not routed
    g["arcs"] = [arc(1, PSEUDO["entr02@beta"]),
                 arc(2, beta, True, 250, "2.1.1.2")]
    g["paths"] = [{"dest": [0, 2], "paths": [{"arc": 2, "hops": [[0, 2]]}]}]
    st = state("gamma", [g], ["beta"])
    s.append(step([18], [(f2, 23, 59)], st))
    # ETP announcing 2.1.1.1
    g["arcs"] = [arc(1, PSEUDO["entr02@beta"]),
                 arc(2, beta, True, 250, "2.1.1.1")]
    g["paths"] = [{"dest": [0, 1], "paths": [{"arc": 2, "hops": [[0, 1]]}]}]
    st = state("gamma", [g], ["beta"])
    s.append(step([21], [(f2, 60, 95)], st))
    # beta0 dismissed
    arcs = [arc(2, beta, True, 250, "2.1.1.1")]
    g["arcs"] = arcs
    st = state("gamma", [g], ["beta"])
    s.append(step([23], [(f2, 96, 96)], st))
    # Eventi3: arc with delta (delta0 at first)
    g["arcs"] = arcs + [arc(3, delta)]
    st = state("gamma", [g], ["beta", "delta"])
    s.append(step([25], [(f3, 1, 1)], st))
    # delta0 moved to entr03, new identity-arc to delta1
    g["arcs"] = arcs + [arc(3, PSEUDO["entr03@delta"]), arc(4, delta)]
    st = state("gamma", [g], ["beta", "delta"])
    s.append(step([28], [(f3, 2, 2)], st))
    # Eventi4: add_qspn_arc towards delta1: table 249
    g["arcs"] = arcs + [arc(3, PSEUDO["entr03@delta"]),
                        arc(4, delta, True, 249)]
    st = state("gamma", [g], ["beta", "delta"])
    s.append(step([34], [(f4, 1, 20)], st))
    # Eventi5: first ETP from delta1 (2.1.0.1): g-node 2.1.0. via delta
    g["arcs"] = arcs + [arc(3, PSEUDO["entr03@delta"]),
                        arc(4, delta, True, 249, "2.1.0.1")]
    g["paths"] = [{"dest": [1, 0], "paths": [{"arc": 4, "hops": [[1, 0]]}]},
                  {"dest": [0, 1], "paths": [{"arc": 2, "hops": [[0, 1]]}]}]
    st = state("gamma", [g], ["beta", "delta"])
    s.append(step([39], [(f5, 1, 55)], st))
    # delta0 dismissed
    g["arcs"] = arcs + [arc(4, delta, True, 249, "2.1.0.1")]
    st = state("gamma", [g], ["beta", "delta"])
    s.append(step([43], [(f5, 56, 56)], st))
    return story("gamma", initial, s)


def delta():
    f3, f4, f5 = "eventi03-delta.txt", "eventi04-delta.txt", "eventi05-delta.txt"
    mu, gamma = ETH["mu"], ETH["gamma"]
    s = []
    # after entr01 (UseCases only): G_delta = {delta0 3.1.0.1, mu1 3.1.0.0}
    d0 = ident("delta0", "3.1.0.1", [arc(1, mu, True, 250, "3.1.0.0")],
               [((0, 0), [(1, [(0, 0)])])])
    initial = state("delta", [d0], ["mu"])
    d0["arcs"].append(arc(2, gamma))
    st = state("delta", [d0], ["mu", "gamma"])
    s.append(step([24], [(f3, 1, 1)], st))
    # entr03 parts 1-3: delta0 -> connectivity 3.1.2.1 in entr03 (its
    # table towards mu1 under mu1's new MAC, id 249, ruled at once: mu1 is
    # in the migrating g-node); delta1 = virtual 2.1.2.1 in the default
    # netns, inheriting table 250 towards mu2 and the path to it
    d0 = ident("delta0", "3.1.2.1",
               [arc(1, PSEUDO["entr03@mu"], True, 249, "3.1.2.0"),
                arc(2, gamma)], [((0, 0), [(1, [(0, 0)])])],
               netns="entr03", pseudo="entr03@delta")
    d1 = ident("delta1", "2.1.2.1",
               [arc(3, mu, True, 250, "2.1.2.0"), arc(4, gamma)],
               [((0, 0), [(3, [(0, 0)])])])
    st = state("delta", [d0, d1], ["mu", "gamma"])
    s.append(step([26, 29, 31], [(f3, 2, 91), (f4, 1, 34)], st))
    # part 4: qspn-arc to gamma0, table 248
    d1["arcs"] = [arc(3, mu, True, 250, "2.1.2.0"),
                  arc(4, gamma, True, 248)]
    st = state("delta", [d0, d1], ["mu", "gamma"])
    s.append(step([33], [(f4, 35, 54)], st))
    # part 5: chi' 2.1.2. -> 2.1.0.
    d1["address"] = "2.1.0.1"
    d1["arcs"] = [arc(3, mu, True, 250, "2.1.0.0"),
                  arc(4, gamma, True, 248)]
    st = state("delta", [d0, d1], ["mu", "gamma"])
    s.append(step([35], [(f4, 55, 101)], st))
    # Eventi5: first ETP from gamma0 (2.1.1.0): 2.1.1. via gamma
    d1["arcs"] = [arc(3, mu, True, 250, "2.1.0.0"),
                  arc(4, gamma, True, 248, "2.1.1.0")]
    d1["paths"] = [{"dest": [1, 1], "paths": [{"arc": 4, "hops": [[1, 1]]}]},
                   {"dest": [0, 0], "paths": [{"arc": 3, "hops": [[0, 0]]}]}]
    st = state("delta", [d0, d1], ["mu", "gamma"])
    s.append(step([37], [(f5, 1, 55)], st))
    # part 6: delta0 dismissed
    st = state("delta", [d1], ["mu", "gamma"])
    s.append(step([42], [(f5, 56, 59)], st))
    return story("delta", initial, s)


def mu():
    f3, f4, f5 = "eventi03-mu.txt", "eventi04-mu.txt", "eventi05-mu.txt"
    delta = ETH["delta"]
    s = []
    m1 = ident("mu1", "3.1.0.0", [arc(1, delta, True, 250, "3.1.0.1")],
               [((0, 1), [(1, [(0, 1)])])])
    initial = state("mu", [m1], ["delta"])
    # entr03 parts 1-3 (mu's side)
    m1 = ident("mu1", "3.1.2.0",
               [arc(1, PSEUDO["entr03@delta"], True, 249, "3.1.2.1")],
               [((0, 1), [(1, [(0, 1)])])], netns="entr03",
               pseudo="entr03@mu")
    m2 = ident("mu2", "2.1.2.0", [arc(2, delta, True, 250, "2.1.2.1")],
               [((0, 1), [(2, [(0, 1)])])])
    st = state("mu", [m1, m2], ["delta"])
    s.append(step([27, 30, 32], [(f3, 1, 89), (f4, 1, 34)], st))
    # part 5: mu2 = 2.1.0.0
    m2["address"] = "2.1.0.0"
    m2["arcs"] = [arc(2, delta, True, 250, "2.1.0.1")]
    st = state("mu", [m1, m2], ["delta"])
    s.append(step([36], [(f4, 35, 73)], st))
    # Eventi5: ETP from delta1: 2.1.1. through delta
    m2["paths"].insert(0, {"dest": [1, 1], "paths": [
        {"arc": 2, "hops": [[0, 1], [1, 1]]}]})
    st = state("mu", [m1, m2], ["delta"])
    s.append(step([38], [(f5, 1, 36)], st))
    # part 6: mu1 dismissed
    st = state("mu", [m2], ["delta"])
    s.append(step([41], [(f5, 37, 40)], st))
    return story("mu", initial, s)


def epsilon():
    f7 = "eventi07-epsilon.txt"
    beta = ETH["beta"]
    s = []
    initial = state("epsilon", [ident("eps0", "3.1.0.0")])
    e0 = ident("eps0", "3.1.0.0", [arc(1, beta)])
    st = state("epsilon", [e0], ["beta"])
    s.append(step([56], [(f7, 1, 1)], st))
    # entr05 parts 1-2: eps0 -> connectivity 3.1.0.2 in entr05
    e0 = ident("eps0", "3.1.0.2", [arc(1, beta)], netns="entr05",
               pseudo="entr05@epsilon")
    st = state("epsilon", [e0], ["beta"])
    s.append(step([58, 60], [(f7, 2, 36)], st))
    # part 3: eps1 = virtual 2.1.1.2
    e1 = ident("eps1", "2.1.1.2", [arc(2, beta)])
    st = state("epsilon", [e0, e1], ["beta"])
    s.append(step([61], [(f7, 37, 59)], st))
    # part 4: qspn-arc to beta1, table 250
    e1["arcs"] = [arc(2, beta, True, 250)]
    st = state("epsilon", [e0, e1], ["beta"])
    s.append(step([62], [(f7, 60, 84)], st))
    # eps0 dismissed
    st = state("epsilon", [e1], ["beta"])
    s.append(step([64], [(f7, 85, 87)], st))
    return story("epsilon", initial, s)


# qspn-plan inputs for the seed page (Eventi5): the ETP each of beta, gamma,
# delta and mu processes, as {topology, before, after} (doc/qspn-plan.md)
EXAMPLES = {"beta": 40, "gamma": 39, "delta": 37, "mu": 38}


def example(st, block):
    for i, s in enumerate(st["steps"]):
        if block in s["blocks"]:
            before = st["steps"][i - 1]["state"] if i else st["initial"]
            return {"comment": "Eventi5 (seed page), %s: %s lines %d-%d" % (
                st["system"], s["vector"][0]["file"],
                s["vector"][0]["lines"][0], s["vector"][0]["lines"][1]),
                "topology": st["topology"], "before": before,
                "after": s["state"]}
    raise KeyError(block)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    for fn in (alpha, beta, gamma, delta, mu, epsilon):
        st = fn()
        with open(os.path.join(here, st["system"] + ".json"), "w") as f:
            json.dump(st, f, indent=1)
            f.write("\n")
        if st["system"] in EXAMPLES:
            ex = example(st, EXAMPLES[st["system"]])
            name = "eventi5-%s.json" % st["system"]
            with open(os.path.join(here, "..", "examples", name), "w") as f:
                json.dump(ex, f, indent=1)
                f.write("\n")


if __name__ == "__main__":
    main()
