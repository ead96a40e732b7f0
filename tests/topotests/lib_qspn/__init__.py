# SPDX-License-Identifier: GPL-2.0-or-later
"""
Helpers shared by qspnd's topotests.

topo: start a topology whose configurations are computed.

cli: run an exec command and tell whether it was refused.

kstate: read a router's kernel state (every network namespace) and compare
it with the state the reference vectors leave (tests/conformance/seed-state).
"""
