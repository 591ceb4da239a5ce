#!/usr/bin/env python3
"""Checks the two-batch-overlap arithmetic of a report's layers (JSON).

    check_sm_tax.py REPORT.json PHASE SMS COMM_SMS

For every layer with a hide group: the exposed communication is what the
group's collectives take beyond the compute they hide behind, and the SM
tax is what is left of comm_sms/sms of the collectives' time once that is
counted: layer time = blocks + exposed + tax. Prints one line per phase:
the number of layers checked and whether any had a tax.
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
    comm = sum(h["comm_ms"] for h in L["hide"])
    exposed = sum(max(0.0, h["balance_ms"]) for h in L["hide"])
    tax = max(0.0, share * comm - exposed)
    assert abs(L["comm_sm_tax_ms"] - tax) < 1e-9, (L["layers"], L["comm_sm_tax_ms"], tax)
    assert abs(L["exposed_comm_ms"] - exposed) < 1e-9, (L["layers"], L["exposed_comm_ms"], exposed)
    # The layer view's blocks are the ones shown; add the rest of the compute.
    assert L["time_ms"] >= blocks + exposed + tax - 1e-9
    assert abs(L["time_ms"] - (L["compute_ms"] + exposed + tax)) < 1e-9
    checked += 1
    taxed += L["comm_sm_tax_ms"] > 0
print("%s: %d layers checked, %s" % (phase, checked, "taxed" if taxed else "no tax"))
