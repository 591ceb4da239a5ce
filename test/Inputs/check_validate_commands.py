#!/usr/bin/env python3
"""Runs the command `ssc validate --format=json` gives for each modeled row
and checks that its report holds the row's prediction; a row not modeled
that has a command must make that command fail (exit 1, an error line).

  check_validate_commands.py SSC TABLE.csv... [--every N] [--profile NAME]

The command's leading `ssc` is replaced by SSC, and `--format=json
--views=summary` are appended. --every N checks every Nth modeled row of
each table (its first row always). Prints one line per mismatch and a
summary `checked=<n> mismatched=<m> failing_checked=<k>`; exits 1 on any
mismatch or failure.
"""
import argparse
import json
import shlex
import subprocess
import sys


def metric_value(summary, metric):
    """The report's value of a validate metric."""
    offline = summary.get("offline")
    if metric.startswith("output_tokens_per_s_"):
        if offline is None:
            return None
        source = offline.get("run", offline)
        return source["output_tokens_per_s" if metric.endswith("_total")
                      else "output_tokens_per_s_per_gpu"]
    return summary.get(metric)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ssc")
    ap.add_argument("tables", nargs="+")
    ap.add_argument("--every", type=int, default=1)
    ap.add_argument("--profile", default="default")
    args = ap.parse_args()

    checked = mismatched = failing = 0
    for table in args.tables:
        out = subprocess.run([args.ssc, "validate", "--format=json", "--profile", args.profile,
                              table],
                             capture_output=True, text=True)
        if out.returncode != 0:
            print(f"{table}: ssc validate failed:\n{out.stderr}")
            return 1
        all_rows = json.loads(out.stdout)["rows"]
        for row in all_rows:
            if row["modeled"] or "command" not in row:
                continue
            run = subprocess.run([args.ssc] + shlex.split(row["command"])[1:],
                                 capture_output=True, text=True)
            failing += 1
            if run.returncode != 1 or "error: " not in run.stderr:
                print(f"{row['id']}: not modeled ({row['reason']}), but its command "
                      f"exits {run.returncode}: {row['command']}")
                mismatched += 1
        rows = [r for r in all_rows if r["modeled"]]
        for i, row in enumerate(rows):
            if i % args.every:
                continue
            words = shlex.split(row["command"])
            if words[0] != "ssc":
                print(f"{row['id']}: the command does not start with ssc: {row['command']}")
                mismatched += 1
                continue
            run = subprocess.run([args.ssc] + words[1:] + ["--format=json", "--views=summary"],
                                 capture_output=True, text=True)
            checked += 1
            if run.returncode != 0:
                print(f"{row['id']}: the command failed: {row['command']}\n{run.stderr}")
                mismatched += 1
                continue
            got = metric_value(json.loads(run.stdout)["summary"], row["metric"])
            want = row["predicted"]
            if got is None or abs(got - want) > 1e-9 * abs(want):
                print(f"{row['id']}: validate predicted {want}, the command's report has "
                      f"{got} ({row['metric']}): {row['command']}")
                mismatched += 1
    print(f"checked={checked} mismatched={mismatched} failing_checked={failing}")
    return 1 if mismatched else 0


if __name__ == "__main__":
    sys.exit(main())
