# SPDX-License-Identifier: GPL-2.0-or-later
"""
The operations of qspnd's exec commands, from a test.
"""

from lib.topolog import logger


def vtysh(router, cmd):
    """(ok, output) of one exec command on a router: an error is a non-zero
    exit status, a `%` line, or the "Error type:/Error description:" lines
    of a failed RPC (vtysh exits 0 after those)"""
    out = router.run("vtysh -c '{}' 2>&1; echo \"rc=$?\"".format(cmd))
    text, _, rc = out.rstrip().rpartition("rc=")
    bad = rc.strip() != "0" or any(
        l.startswith("%") or l.startswith("Error ") for l in text.splitlines()
    )
    logger.info(
        "%s: %s => %s%s", router.name, cmd, "refused: " if bad else "", text.strip()
    )
    return not bad, text
