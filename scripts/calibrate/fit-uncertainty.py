#!/usr/bin/env python3
"""Derives a profile's uncertainty bands from `ssc validate` residuals.

    fit-uncertainty.py [--ssc build/bin/ssc] [--profile default]
                       [--table CSV ...] [--coverage 0.9] [--check PROFILE.json]

Runs `ssc validate TABLE --format=json` under the profile on each table (by
default every published table in the repository: the reference's public
rows, TensorRT-LLM's performance overviews of v1.0 and v0.17 and
DeepSeek-V3's other published points) and groups the modeled rows by class:
the regime (offline-memory, prefill-compute, decode-comm, ...) and the kind
of model (dense or MoE), as "offline-memory/moe". A class's band is the
smallest whole percent, never below --floor (5%), that holds --coverage
(90%) of its rows; with fewer than ten rows that is the largest error. A row
outside the calibration counts at its error over the profile's
`outside_factor` (2: half), since ssc widens the band of such a prediction
by that factor (`band_scale` in its output). For classes without rows ssc
falls back, in this order, on the band of the mode for the kind
("decode/dense": all bounds), of the kind ("dense": all modes), of the mode
("decode": both kinds) and on default_pct, the largest band.

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
TABLES = [
    os.path.join(os.path.dirname(REPO), "shared", "reference", "measurements",
                 "validation_public.csv"),
    os.path.join(REPO, "docs", "examples", "trtllm-perf-overview.csv"),
    os.path.join(REPO, "docs", "examples", "trtllm-v0.17-perf-overview.csv"),
    os.path.join(REPO, "docs", "examples", "deepseek-published.csv"),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ssc", default=os.path.join(REPO, "build", "bin", "ssc"))
    ap.add_argument("--profile", default="default")
    ap.add_argument("--table", action="append",
                    help="a validation table (repeatable; default: the published ones)")
    ap.add_argument("--floor", type=float, default=5.0)
    ap.add_argument("--coverage", type=float, default=0.9,
                    help="the fraction of a class's rows its band holds")
    ap.add_argument("--check", metavar="PROFILE_JSON")
    a = ap.parse_args()
    if not 0 < a.coverage <= 1:
        sys.exit("error: --coverage must be in (0, 1]")

    errors = {}
    for table in a.table or TABLES:
        out = subprocess.run([a.ssc, "validate", table, "--profile", a.profile,
                              "--format=json"], capture_output=True, text=True)
        if out.returncode != 0:
            sys.stderr.write(out.stderr)
            sys.exit("error: ssc validate failed on " + table)
        for r in json.loads(out.stdout)["rows"]:
            if not r["modeled"]:
                continue
            # ssc widens the band of a prediction outside its calibration by
            # the profile's outside_factor; band_scale is what it applied.
            e = abs(r["error_pct"]) / r["band_scale"]
            regime, kind = r["regime"].split("/")
            mode = regime.split("-")[0]
            for k in (r["regime"], mode + "/" + kind, kind, mode):
                errors.setdefault(k, []).append(e)
    if not errors:
        sys.exit("error: no modeled rows")

    def band(v):
        v = sorted(v)
        held = v[math.ceil(a.coverage * len(v) - 1e-9) - 1]
        return max(a.floor, math.ceil(round(held, 6)))  # 10.0000001% is 10%

    bands = {k: band(v) for k, v in sorted(errors.items())}
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
