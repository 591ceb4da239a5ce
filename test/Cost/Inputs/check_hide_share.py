#!/usr/bin/env python3
"""Checks what each two-batch hide group hides behind (report JSON, layers).

    check_hide_share.py REPORT.json PHASE SHARE BLOCK...

For every layer with hide groups, each group's behind_ms must be SHARE times
the named blocks' time, and its balance what its collectives take beyond
that. Prints the phase, the number of groups checked and how many show
communication that the overlap could not hide.
"""
import json
import sys

rep = json.load(open(sys.argv[1]))
phase, share, names = sys.argv[2], float(sys.argv[3]), sys.argv[4:]
groups = exposed = 0
for L in rep["layers"][phase]["layers"]:
    behind = share * sum(L["blocks_ms"].get(b, 0.0) for b in names)
    for h in L["hide"]:
        assert abs(h["behind_ms"] - behind) < 1e-9, (L["layers"], h["behind_ms"], behind)
        assert abs(h["balance_ms"] - (h["comm_ms"] - behind)) < 1e-9
        groups += 1
        exposed += h["balance_ms"] > 0
    assert abs(L["exposed_comm_ms"] - sum(max(0.0, h["balance_ms"]) for h in L["hide"])) < 1e-9
print("%s: %d groups checked, %d with exposed communication" % (phase, groups, exposed))
