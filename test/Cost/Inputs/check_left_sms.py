#!/usr/bin/env python3
"""Compares each kernel of the MoE layers with the same kernel of the dense
layers (report JSON, kernels view):

    check_left_sms.py REPORT.json PHASE SMS COMM_SMS

Under two-batch overlap with collectives that take SMs, the fp8 GEMMs of
the layers that hold those collectives run on SMS - COMM_SMS SMs for all of
their time: their compute takes SMS / (SMS - COMM_SMS) of the dense layers'
(which have no such collectives). Every other kernel takes the same. Prints
the kernels compared and how many ran on the SMs left.
"""
import json
import sys

rep = json.load(open(sys.argv[1]))
phase, sms, comm = sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
rows = rep["kernels"][phase]
dense = {r["name"]: r for r in rows if r["layers"] == "0-2"}
moe = {r["name"]: r for r in rows if r["layers"] == "3-60"}
compared = slowed = 0
for name, m in moe.items():
    d = dense.get(name)
    if d is None or d["shape"] != m["shape"] or d["compute_ms"] == 0:
        continue
    ratio = m["compute_ms"] / d["compute_ms"]
    want = sms / (sms - comm) if m["kernel"] in ("kernel.gemm", "kernel.grouped_gemm") and m["rate"] == "fp8" else 1.0
    assert abs(ratio - want) < 1e-9, (name, ratio, want)
    compared += 1
    slowed += want != 1.0
print("%s: %d kernels compared, %d on the SMs left" % (phase, compared, slowed))
