# SPDX-License-Identifier: GPL-2.0-or-later
"""
qspnd's entry point into FRR's topotest harness.

The harness (lib/topogen.py, lib/topotest.py, micronet, the conftest with
its options and fixtures) is used as it is in the source tree of the
installed FRR (QSPN_FRR_TOPOTESTS); nothing in that tree is edited.  What
qspnd needs from it is adjusted here, at import time:

* qspnd is a daemon the harness knows: TopoRouter.RD_QSPN, Router.daemons;
* every router has its own /etc/iproute2/rt_tables.d;
* /run/netns is per router (FRR 8.4's micronet mounts a tmpfs there in every
  host; on FRR 10.3 it is one of the router's private mounts), so the
  namespaces qspnd creates with `ip netns` names are per router;
  qspn_ingress checks it;
* the daemons come from an overlay directory (QSPN_FRRDIR) holding the
  installed FRR daemons plus the qspnd under test, and `vtysh` in PATH is the
  qspn-aware vtysh (run-topotests.sh prepares both);
* kernels without loadable modules have no /proc/modules: module_present()
  answers from /sys/module instead of crashing;
* the environment check does not insist on daemons Debian does not ship
  (pim6d), and does insist on the ones these tests run.
"""

import grp
import importlib.util
import inspect
import os
import pwd
import shutil
import sys

FRR_TOPOTESTS = os.environ.get("QSPN_FRR_TOPOTESTS")
FRRDIR = os.environ.get("QSPN_FRRDIR")
if not FRR_TOPOTESTS or not os.path.isdir(os.path.join(FRR_TOPOTESTS, "lib")):
    raise RuntimeError(
        "QSPN_FRR_TOPOTESTS must name FRR's tests/topotests directory; "
        "run the topotests through tests/topotests/run-topotests.sh (make check)"
    )
if not FRRDIR or not os.path.isfile(os.path.join(FRRDIR, "qspnd")):
    raise RuntimeError("QSPN_FRRDIR must name a directory holding zebra and qspnd")

sys.path.insert(0, FRR_TOPOTESTS)

from lib import topogen, topotest  # noqa: E402
from lib.topolog import logger  # noqa: E402

# the next free daemon number: 20 on FRR 8.4's harness, 22 on 10.3's (which
# took 20 and 21 for mgmtd and snmptrapd)
RD_QSPN = max(topogen.TopoRouter.RD) + 1

# -- qspnd as a known daemon ------------------------------------------------
topogen.TopoRouter.RD_QSPN = RD_QSPN
topogen.TopoRouter.RD[RD_QSPN] = "qspnd"
topogen.tgen_defaults["frrdir"] = FRRDIR

# Every router keeps its own /etc/iproute2/rt_tables.d (qspnd writes its
# table names there), like the rest of /etc on a real machine: nothing of a
# test reaches the host's, and routers do not share one.
RT_TABLES_D = "/etc/iproute2/rt_tables.d"
_add_router = topogen.Topogen.add_router


# FRR 8.4's micronet calls a router's private mounts "privateDirs" and mounts
# a tmpfs on /run/netns in every host; FRR 10.3's munet calls them
# "private_mounts" and leaves /run/netns shared (the tmpfs is commented out
# there), so qspnd's `ip netns` names would meet across routers: it is one of
# the router's private mounts there.
if "private_mounts" in inspect.getsource(topogen.TopoRouter.__init__):
    _PRIVATE_KEY = "private_mounts"
    _PRIVATE_EXTRA = [RT_TABLES_D, "/run/netns"]
else:
    _PRIVATE_KEY = "privateDirs"
    _PRIVATE_EXTRA = [RT_TABLES_D]


def _add_router_private_rt_tables(self, name=None, cls=None, **params):
    if _PRIVATE_KEY not in params:
        params[_PRIVATE_KEY] = topogen.TopoRouter.PRIVATE_DIRS + _PRIVATE_EXTRA
    return _add_router(self, name, cls, **params)


topogen.Topogen.add_router = _add_router_private_rt_tables

_router_init = topotest.Router.__init__


def _router_init_qspn(self, name, **params):
    _router_init(self, name, **params)
    self.daemons["qspnd"] = 0
    # micronet calls Router.config() without parameters, so the daemon
    # directory comes from these defaults, not from Topogen's.
    self.config_defaults["DEFAULT"]["frrdir"] = FRRDIR
    if self.config_defaults.has_section("topogen"):
        self.config_defaults.set("topogen", "frrdir", FRRDIR)


topotest.Router.__init__ = _router_init_qspn


# -- kernels without /proc/modules ------------------------------------------
def _module_present_linux(module, load):
    if os.path.exists("/proc/modules"):
        with open("/proc/modules", "r") as f:
            if module.replace("-", "_") in f.read():
                return True
    if os.path.isdir("/sys/module/" + module.replace("-", "_")):
        return True
    modprobe = shutil.which("modprobe") or "/sbin/modprobe"
    if not os.path.exists("/proc/modules") or not os.path.exists(modprobe):
        return False
    return os.system("{} {}{}".format(modprobe, "" if load else "-n ", module)) == 0


topotest.module_present_linux = _module_present_linux


# -- environment check --------------------------------------------------------
def qspn_diagnose_env(rundir):
    ok = True
    os.makedirs(rundir, exist_ok=True)
    if os.getuid() != 0:
        logger.error("topotests must run as root")
        ok = False
    for tool in ("ip", "gdb"):
        if shutil.which(tool) is None:
            logger.error("could not find %s", tool)
            ok = False
    # FRR 9+'s harness starts mgmtd in every router
    needed = ["zebra", "staticd", "qspnd"]
    if "mgmtd" in topogen.TopoRouter.RD.values():
        needed.append("mgmtd")
    for daemon in needed:
        if not os.path.isfile(os.path.join(FRRDIR, daemon)):
            logger.error("could not find %s in %s", daemon, FRRDIR)
            ok = False
    if shutil.which("vtysh") is None:
        logger.error("could not find vtysh in PATH")
        ok = False
    try:
        pwd.getpwnam("frr")
        if "frr" not in grp.getgrnam("frrvty").gr_mem:
            logger.error('"frr" user is not in the "frrvty" group')
            ok = False
    except KeyError as e:
        logger.error("missing frr user or group: %s", e)
        ok = False
    return ok


# -- FRR's own conftest: options, hooks and fixtures ----------------------------
_spec = importlib.util.spec_from_file_location(
    "frr_topotests_conftest", os.path.join(FRR_TOPOTESTS, "conftest.py")
)
_frr_conftest = importlib.util.module_from_spec(_spec)
sys.modules["frr_topotests_conftest"] = _frr_conftest
_spec.loader.exec_module(_frr_conftest)
_frr_conftest.diagnose_env = qspn_diagnose_env

for _name in dir(_frr_conftest):
    if not _name.startswith("_") and _name not in globals():
        globals()[_name] = getattr(_frr_conftest, _name)
