#!/usr/bin/env python3
"""compare_tables.py GOT.csv REF.csv KEYCOLS [--tolerance 0.01]

Checks that every row of REF appears in GOT (matched on the key columns) with
every value within the relative tolerance (values below 1e-5 in absolute
difference count as equal: the tables print six decimals), and that GOT has no
rows REF lacks for the GPUs REF covers. Prints a summary line."""
import argparse
import csv
import sys

ap = argparse.ArgumentParser()
ap.add_argument("got")
ap.add_argument("ref")
ap.add_argument("keys")
ap.add_argument("--tolerance", type=float, default=0.01)
ap.add_argument("--allow-extra", action="store_true",
                help="GOT may hold rows REF lacks (REF is a subset of the grid)")
a = ap.parse_args()
keys = a.keys.split(",")

def load(path):
    rows = {}
    for r in csv.DictReader(open(path)):
        rows[tuple(r[k] for k in keys)] = r
    return rows

got, ref = load(a.got), load(a.ref)
bad = 0
worst = 0.0
for k, r in ref.items():
    g = got.get(k)
    if g is None:
        print("missing row", k)
        bad += 1
        continue
    for c, v in r.items():
        if c in keys:
            continue
        if c not in g:
            print("missing column", c)
            bad += 1
            continue
        x, y = float(g[c]), float(v)
        if abs(x - y) <= 1e-5:
            continue
        err = abs(x - y) / abs(y)
        worst = max(worst, err)
        if err > a.tolerance:
            print(f"row {k} column {c}: got {x}, want {y} ({err:.2%} off)")
            bad += 1
gpus = {k[keys.index("GPU")] for k in ref} if "GPU" in keys else None
extra = [] if a.allow_extra else [
    k for k in got if k not in ref and (gpus is None or k[keys.index("GPU")] in gpus)]
for k in extra:
    print("extra row", k)
bad += len(extra)
print(f"{len(ref)} rows compared, worst relative difference {worst:.2e}, {bad} problems")
sys.exit(1 if bad else 0)
