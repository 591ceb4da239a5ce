#!/usr/bin/env python3
"""Derives a profile's uncertainty bands from `ssc validate` residuals.

    fit-uncertainty.py [--ssc build/bin/ssc] [--profile default] [--table CSV]
                       [--check PROFILE.json]

Runs `ssc validate TABLE --format=json` under the profile and groups the
modeled rows by regime (offline-memory, prefill-compute, decode-comm, ...).
A regime's band is the largest absolute error of its rows, rounded up to a
whole percent and never below --floor (5%): a prediction is claimed good to
what the worst measured case of its kind showed, not to an average. Each mode
(offline, prefill, decode) gets the band of all its rows, for its regimes
without rows; a mode without rows gets the largest band of all (default_pct).

Prints the `bands` and `default_pct` of the profile's `uncertainty` section
as JSON. With --check, compares them with the profile file's section and
exits 1 on a difference (the lit test keeps profiles/default.json in step
with the validation data).
"""
import argparse
import json
import math
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PUBLIC = os.path.join(os.path.dirname(REPO), "shared", "reference", "measurements",
                      "validation_public.csv")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ssc", default=os.path.join(REPO, "build", "bin", "ssc"))
    ap.add_argument("--profile", default="default")
    ap.add_argument("--table", default=PUBLIC)
    ap.add_argument("--floor", type=float, default=5.0)
    ap.add_argument("--check", metavar="PROFILE_JSON")
    a = ap.parse_args()

    out = subprocess.run([a.ssc, "validate", a.table, "--profile", a.profile,
                          "--format=json"], capture_output=True, text=True)
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        sys.exit("error: ssc validate failed")
    rows = json.loads(out.stdout)["rows"]
    worst = {}
    for r in rows:
        if r["modeled"]:
            # The regime, and its mode alone for regimes of that mode
            # without rows (decode-memory falls back to decode).
            for k in (r["regime"], r["regime"].split("-")[0]):
                worst[k] = max(worst.get(k, 0.0), abs(r["error_pct"]))
    if not worst:
        sys.exit("error: no modeled rows in " + a.table)
    bands = {k: max(a.floor, math.ceil(v)) for k, v in sorted(worst.items())}
    fitted = {"bands": bands, "default_pct": max(bands.values())}
    print(json.dumps(fitted, indent=2, sort_keys=True))

    if a.check:
        with open(a.check) as f:
            have = json.load(f).get("uncertainty", {})
        have = {"bands": have.get("bands", {}), "default_pct": have.get("default_pct")}
        if have != fitted:
            print("error: %s's uncertainty section differs: it has %s" %
                  (a.check, json.dumps(have, sort_keys=True)), file=sys.stderr)
            sys.exit(1)
        print("%s: uncertainty bands match" % a.check)


if __name__ == "__main__":
    main()
