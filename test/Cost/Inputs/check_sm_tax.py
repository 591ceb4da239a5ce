#!/usr/bin/env python3
"""Checks the two-batch-overlap arithmetic of a report's layers (JSON).

    check_sm_tax.py REPORT.json PHASE SMS COMM_SMS

For every layer with hide groups: each group's exposed communication is
what its collectives take beyond the compute they hide behind (behind_ms),
and its SM tax what is left, once that is counted, of comm_sms/sms of the
compute that shares SMs with them (sm_sharing_ms) for the part of it they
overlap: min(1, comm / behind). Layer time = blocks + the groups' exposed
+ their tax. Prints one line per phase: the number of layers checked and
whether any had a tax.
"""
import json
import sys

rep = json.load(open(sys.argv[1]))
phase, sms, comm_sms = sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
share = comm_sms / sms
layers = rep["layers"][phase]["layers"]
checked = taxed = 0
for L in layers:
    if not L["hide"]:
        continue
    blocks = sum(L["blocks_ms"].values())
    for h in L["hide"]:
        assert abs(h["comm_ms"] - h["behind_ms"] - h["balance_ms"]) < 1e-9
    exposed = sum(max(0.0, h["balance_ms"]) for h in L["hide"])
    tax = 0.0
    for h in L["hide"]:
        overlapped = h["sm_sharing_ms"] * min(1.0, h["comm_ms"] / h["behind_ms"]) if h["behind_ms"] > 0 else 0.0
        tax += max(0.0, share * overlapped - max(0.0, h["balance_ms"]))
    assert abs(L["comm_sm_tax_ms"] - tax) < 1e-9, (L["layers"], L["comm_sm_tax_ms"], tax)
    assert abs(L["exposed_comm_ms"] - exposed) < 1e-9, (L["layers"], L["exposed_comm_ms"], exposed)
    # The layer view's blocks are the ones shown; add the rest of the compute.
    assert L["time_ms"] >= blocks + exposed + tax - 1e-9
    assert abs(L["time_ms"] - (L["compute_ms"] + exposed + tax)) < 1e-9
    checked += 1
    taxed += L["comm_sm_tax_ms"] > 0
print("%s: %d layers checked, %s" % (phase, checked, "taxed" if taxed else "no tax"))
