#!/usr/bin/env python3
"""Summarize `ssc validate` over a measurement file, by GPU and model kind.

  summarize-validation.py FILE.csv [--ssc PATH] [--repo DIR] [--profile NAME]
                          [--model NAME]... [--set COLUMN=VALUE]... [--attention-dp]
                          [--by gpu,kind] [--expect-not-modeled N]

Runs `ssc validate --format=csv FILE.csv` and prints, for each GPU of the
targets and each model kind (dense or MoE, by the zoo directory the model is
in), or for the groups --by names (any of gpu, kind, model, tp and pp, the
row's tp and pp columns), the number of rows, the median and largest
absolute error, the mean signed error, and how many rows fall within the
band ssc states for them.
A last line covers all rows. Rows ssc could not model are listed apart, with
the reason, and make the exit status 1 unless --expect-not-modeled gives
their number (a table known to hold configurations the profile rejects).

--model keeps only the rows of the named models; --set gives a column one
value on every row (a what-if, such as --set kv_dtype=bf16); --attention-dp
runs each MoE row with tp over 1 attention-data-parallel instead (a what-if:
tp 1, dp and ep the row's GPUs). Each writes the selected rows to a
temporary file, which ssc validate then reads.
"""

import argparse
import csv
import io
import os
import statistics
import subprocess
import sys
import tempfile


def gpu_of(target):
    """'gb200x4' -> 'gb200'; a target without a count names one GPU."""
    name, sep, count = target.rpartition("x")
    return name if sep and count.isdigit() and name else target


def kind_of(model, repo):
    if os.path.exists(os.path.join(repo, "models", "moe", model + ".arch")):
        return "moe"
    return "dense"


GROUP_KEYS = ("gpu", "kind", "model", "tp", "pp")


def line(label, rows, width=16):
    errs = [r["err"] for r in rows]
    absd = [abs(e) for e in errs]
    inside = sum(1 for r in rows if abs(r["err"]) <= r["band"])
    return "%-*s %5d %8.1f %8.1f %+9.1f %8s" % (
        width, label, len(rows), statistics.median(absd), max(absd), statistics.mean(errs),
        "%d/%d" % (inside, len(rows)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("file")
    ap.add_argument("--ssc", default="ssc")
    ap.add_argument("--repo", default=os.path.join(os.path.dirname(__file__), "..", ".."))
    ap.add_argument("--profile", help="cost profile passed to ssc validate (default: its own)")
    ap.add_argument("--model", action="append", default=[],
                    help="keep only this model's rows (repeatable)")
    ap.add_argument("--by", default="gpu,kind", metavar="KEYS",
                    help="group rows by these, in order (of %s)" % ", ".join(GROUP_KEYS))
    ap.add_argument("--expect-not-modeled", type=int, metavar="N",
                    help="exit 0 when exactly N rows are not modeled")
    ap.add_argument("--set", action="append", default=[], metavar="COLUMN=VALUE",
                    help="give every row this value in COLUMN (repeatable)")
    ap.add_argument("--attention-dp", action="store_true",
                    help="run MoE rows with tp > 1 as tp 1, dp = ep = their GPUs")
    args = ap.parse_args()
    by = [k for k in args.by.split(",") if k]
    unknown = [k for k in by if k not in GROUP_KEYS]
    if not by or unknown:
        sys.exit("error: --by takes some of %s, not '%s'" % (", ".join(GROUP_KEYS), args.by))
    with open(args.file, newline="") as f:
        reader = csv.DictReader(f)
        fields = list(reader.fieldnames or [])
        rows = [r for r in reader if not args.model or r.get("model") in args.model]
    if not rows and args.model:
        sys.exit("error: no row of %s is of model %s" % (args.file, ", ".join(args.model)))
    if not rows:
        sys.exit("error: %s has no rows" % args.file)
    for assignment in args.set:
        column, sep, value = assignment.partition("=")
        if not sep or not column:
            sys.exit("error: --set takes COLUMN=VALUE, not '%s'" % assignment)
        if column not in fields:
            fields.append(column)
        for r in rows:
            r[column] = value
    if args.attention_dp:
        for r in rows:
            tp = int(r.get("tp") or 1)
            if tp > 1 and kind_of(r["model"], args.repo) == "moe":
                gpus = tp * int(r.get("dp") or 1)
                r["tp"], r["dp"], r["ep"] = "1", str(gpus), str(gpus)
    # Each row as ssc is given it (after --set), for its TP and PP sizes.
    given = {r.get("id"): r for r in rows}

    table = args.file
    if args.model or args.set or args.attention_dp:
        tmp = tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, newline="")
        with tmp:
            w = csv.DictWriter(tmp, fieldnames=fields, lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
        table = tmp.name

    cmd = [args.ssc, "validate", "--format=csv", table]
    if args.profile:
        cmd.append("--profile=" + args.profile)
    run = subprocess.run(cmd, capture_output=True, text=True)
    if table != args.file:
        os.unlink(table)
    if run.returncode not in (0, 1) or not run.stdout:
        sys.stderr.write(run.stderr)
        sys.exit("error: ssc validate failed (exit %d)" % run.returncode)

    groups, everything, missing = {}, [], []
    for r in csv.DictReader(io.StringIO(run.stdout)):
        if not r["error_pct"]:
            missing.append(r["id"] + ": " + r["reason"])
            continue
        row = {"err": float(r["error_pct"]),
               "band": float(r["band_pct"]) if r["band_pct"] else 0.0}
        value = {"gpu": lambda: gpu_of(r["target"]),
                 "kind": lambda: kind_of(r["model"], args.repo),
                 "model": lambda: r["model"],
                 "tp": lambda: "tp" + (given.get(r["id"], {}).get("tp") or "1"),
                 "pp": lambda: "pp" + (given.get(r["id"], {}).get("pp") or "1")}
        key = tuple(value[k]() for k in by)
        groups.setdefault(key, []).append(row)
        everything.append(row)

    def order(key):  # tp2 before tp16, pp2 before pp16
        return tuple((int(v[2:]), v) if k in ("tp", "pp") and v[2:].isdigit() else (0, v)
                     for k, v in zip(by, key))

    width = max([16] + [len("/".join(k)) for k in groups])
    print("%-*s %5s %8s %8s %9s %8s" % (width, "/".join(by), "rows", "median", "max", "mean",
                                        "in_band"))
    for key in sorted(groups, key=order):
        print(line("/".join(key), groups[key], width))
    if everything:
        print(line("all", everything, width))
    for m in missing:
        print("not modeled: " + m)
    if args.expect_not_modeled is not None:
        if len(missing) != args.expect_not_modeled:
            print(f"error: {len(missing)} rows not modeled, expected "
                  f"{args.expect_not_modeled}", file=sys.stderr)
            sys.exit(1)
        sys.exit(0)
    sys.exit(1 if missing else 0)


if __name__ == "__main__":
    main()
