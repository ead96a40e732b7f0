# SPDX-License-Identifier: GPL-2.0-or-later
"""
qspnd as a process, from a test: its memory, and how it was built.
"""

import os
import subprocess


def rss_kb(router):
    "The resident set of the router's qspnd, in kB."
    pid = router.run("cat /var/run/frr/qspnd.pid").strip()
    return int(router.run("ps -o rss= -p {}".format(pid)).strip())


def sanitized_qspnd():
    """Is the qspnd under test built with AddressSanitizer?  (Its RSS then
    measures ASan's quarantine of freed blocks, not qspnd.)"""
    binary = os.path.join(os.environ["QSPN_FRRDIR"], "qspnd")
    return "libasan" in subprocess.run(
        ["ldd", binary], capture_output=True, text=True, check=False
    ).stdout
