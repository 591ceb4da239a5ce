#!/usr/bin/env python3
"""Checks a collective's payload and time in a report's comm view (JSON).

    check_payload.py REPORT.json PHASE NAME BYTES GBPS LATENCY_US

BYTES is the payload the rule should move, GBPS the link rate it should
move it at; prints the collective with its bytes and rate when both agree
to 1e-9.
"""
import json
import sys

rep = json.load(open(sys.argv[1]))
phase, name = sys.argv[2], sys.argv[3]
want_bytes, gbps, lat_us = float(eval(sys.argv[4])), float(eval(sys.argv[5])), float(sys.argv[6])
rows = [c for c in rep["comm"][phase]["collectives"] if c["name"] == name]
assert len(rows) == 1, rows
c = rows[0]
assert abs(c["bytes"] - want_bytes) <= 1e-9 * want_bytes, (c["bytes"], want_bytes)
want_ms = want_bytes / (gbps * 1e6) + lat_us / 1000
assert abs(c["time_ms"] - want_ms) <= 1e-9 * want_ms, (c["time_ms"], want_ms)
print("%s %s: %.0f bytes at %.1f GB/s" % (phase, name, c["bytes"], gbps))
