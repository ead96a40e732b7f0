# SPDX-License-Identifier: GPL-2.0-or-later
"""
Starting a topology whose routers' configurations are computed.
"""

import os

from lib.topogen import Topogen


def start(mod, build_topo, frr_conf):
    """Build the topology, write frr_conf(name, router) for every router
    into the log directory, load it and start the daemons."""
    tgen = Topogen(build_topo, mod.__name__)
    tgen.start_topology()
    os.makedirs(tgen.logdir, exist_ok=True)
    for rname, router in tgen.routers().items():
        conf = os.path.join(tgen.logdir, rname + "-frr.conf")
        with open(conf, "w") as f:
            f.write(frr_conf(rname, router))
        router.load_frr_config(conf)
    tgen.start_router()
    return tgen
