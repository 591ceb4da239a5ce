#!/usr/bin/env python3
"""Checks that a reported number moves one way as one option grows.

    check_monotone.py --vary OPTION=V1,V2,... --metric PATH (--rising|--falling)
                      -- COMMAND...

Runs COMMAND once per value with `--OPTION=V` appended (COMMAND must print
one JSON document: `ssc ... --emit=report --format=json`), reads PATH (dotted
keys, e.g. summary.tpot_ms) from each, and fails unless the values never
fall (--rising) or never rise (--falling) from one value to the next, to a
relative 1e-9. Runs that exit non-zero (a batch that does not fit) are
listed and skipped; at least two must run. Prints one line per value and
`ok: N values` or a `violation:` line for each step that goes the wrong way.
"""
import argparse
import json
import subprocess
import sys


def lookup(doc, path):
    for key in path.split("."):
        doc = doc[key]
    return float(doc)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vary", required=True)
    ap.add_argument("--metric", required=True)
    way = ap.add_mutually_exclusive_group(required=True)
    way.add_argument("--rising", action="store_true")
    way.add_argument("--falling", action="store_true")
    ap.add_argument("command", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    command = a.command[1:] if a.command[:1] == ["--"] else a.command
    if not command:
        ap.error("no command after --")
    option, _, values = a.vary.partition("=")
    points = []
    for v in values.split(","):
        p = subprocess.run(command + [f"--{option}={v}"], capture_output=True, text=True)
        if p.returncode != 0:
            first = (p.stderr.strip().splitlines() or ["(no message)"])[0]
            print(f"{option}={v}: skipped (exit {p.returncode}: {first})")
            continue
        y = lookup(json.loads(p.stdout), a.metric)
        print(f"{option}={v}: {a.metric}={y:.6g}")
        points.append((v, y))
    if len(points) < 2:
        print(f"error: only {len(points)} of the runs succeeded")
        return 1
    bad = 0
    for (v0, y0), (v1, y1) in zip(points, points[1:]):
        wrong = y1 < y0 * (1 - 1e-9) if a.rising else y1 > y0 * (1 + 1e-9)
        if wrong:
            bad += 1
            print(f"violation: {a.metric} goes from {y0:.6g} at {option}={v0} "
                  f"to {y1:.6g} at {option}={v1}")
    if bad:
        return 1
    print(f"ok: {len(points)} values")
    return 0


if __name__ == "__main__":
    sys.exit(main())
