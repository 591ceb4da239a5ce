#!/usr/bin/env python3
"""Replaces numbers in zoo model files (or in profiles, plans, the GPU catalog
or sweep files) with edge values and runs each mutant through the whole
driver (Sema, lowering, cost, serving, sweeps), checking that ssc

  - exits 0 or 1, never by a signal or with another status, and prints no
    sanitizer report;
  - on exit 1 prints an `error:` on stderr;
  - on exit 0 prints a JSON report whose numbers are all finite.

usage: mutate_numbers.py TMPDIR FILE... [--cases N] [--seed S]
           [--as KIND --with MODEL.arch] [--targets T,...]

With --as profile, plan or catalog, the files are profiles, plans or GPU
catalogs, and each mutant runs with MODEL.arch as --profile, --plan or
--catalog; with --as sweep, they are sweep files, run by `ssc sweep MODEL.arch
--sweep FILE --format=json` (with or without --keep-invalid), whose rows
must be JSON with finite numbers; with --as validate, measurement tables run
by `ssc validate FILE --format=json`; with --as hf, Hugging Face configs
imported by `ssc import-hf` and the imported model's report (neither needs
--with).

The mutants are drawn with a fixed seed, so a failure reproduces; the line
printed for it holds the mutated line and the command."""
import argparse
import json
import math
import os
import random
import re
import subprocess
import sys

# Values that have broken models of this kind: zero and one, odd and prime
# sizes that divide nothing, a size past every GPU's memory, fractions where
# integers are expected, and numbers near the language's limits.
VALUES = ["0", "1", "2", "3", "7", "13", "0.5", "1e-9", "4099", "16777216",
          "16777217", "1000000007", "9007199254740993", "1e300"]
# Serving options the mutant runs under, one set per case.
SERVING = [
    ["--phase", "prefill"],
    ["--phase", "decode", "--batch", "64"],
    ["--mode", "offline", "--isl", "1000", "--osl", "1000"],
    ["--mode", "offline", "--isl", "8192", "--osl", "128"],
]
TARGETS = ["h100x8", "h200x1", "b200x8", "a100x4"]
NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?:e[-+]?\d+)?(?![\w.])")


def number_spans(text, comments=True):
    """Offsets of the numbers outside strings and, with `comments`, outside
    the language's // comments (JSON has none; its strings hold URLs)."""
    spans = []
    offset = 0
    for line in text.splitlines(keepends=True):
        code = line.split("//", 1)[0] if comments else line
        # Blank out string literals (source URLs hold digits).
        code = re.sub(r'"[^"]*"', lambda m: " " * len(m.group(0)), code)
        spans += [(offset + m.start(), offset + m.end()) for m in NUMBER.finditer(code)]
        offset += len(line)
    return spans


def finite(value):
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(finite(v) for v in value.values())
    if isinstance(value, list):
        return all(finite(v) for v in value)
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tmp")
    ap.add_argument("files", nargs="+")
    ap.add_argument("--as", dest="kind", default="model",
                    choices=["model", "profile", "plan", "catalog", "sweep", "validate", "hf"])
    ap.add_argument("--with", dest="model",
                    help="the model a profile, plan, catalog or sweep runs with")
    ap.add_argument("--targets", default=",".join(TARGETS))
    ap.add_argument("--cases", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--ssc", default="ssc")
    args = ap.parse_args()
    if args.kind not in ("model", "validate", "hf") and not args.model:
        ap.error(f"--as {args.kind} needs --with MODEL.arch")
    targets = args.targets.split(",")
    os.makedirs(args.tmp, exist_ok=True)
    rng = random.Random(args.seed)
    comments = args.kind in ("model", "catalog")
    sources = []
    for name in args.files:
        text = open(name, encoding="utf-8").read()
        sources.append((name, text, number_spans(text, comments)))
    failures = []
    outcomes = {"report": 0, "error": 0}
    for case in range(args.cases):
        name, text, spans = sources[case % len(sources)]
        start, end = rng.choice(spans)
        value = rng.choice(VALUES)
        mutant = text[:start] + value + text[end:]
        ext = {"model": "arch", "catalog": "arch", "validate": "csv"}.get(args.kind, "json")
        path = os.path.join(args.tmp, f"m{case}.{ext}")
        with open(path, "w", encoding="utf-8") as f:
            f.write(mutant)
        report_opts = ["--target", rng.choice(targets), "--emit=report",
                       "--format=json"] + rng.choice(SERVING)
        if args.kind == "validate":
            cmd = [args.ssc, "validate", path, "--format=json"]
        elif args.kind == "hf":
            # Import, then report on what was imported.
            arch = path[:-len(".json")] + ".arch"
            cmd = ["sh", "-c", 'in=$1 out=$2; shift 2; "$0" import-hf "$in" -o "$out" && "$0" "$out" "$@"', args.ssc,
                   path, arch] + report_opts
        elif args.kind == "sweep":
            cmd = [args.ssc, "sweep", args.model, f"--sweep={path}", "--format=json"]
            if rng.random() < 0.5:
                cmd.append("--keep-invalid")
        else:
            inputs = [path] if args.kind == "model" else [args.model, f"--{args.kind}={path}"]
            cmd = [args.ssc] + inputs + report_opts
        line_no = text.count("\n", 0, start) + 1
        where = (f"case {case}: {os.path.basename(name)}:{line_no} "
                 f"'{text[start:end]}' -> '{value}': {mutant.splitlines()[line_no - 1].strip()}\n"
                 f"  {' '.join(cmd)}")
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        except subprocess.TimeoutExpired:
            failures.append(f"{where}\n  no answer in 120 s")
            continue
        # A sanitizer build reports with status 1 (ASan's default exitcode):
        # its report is a failure, not one of ssc's errors.
        if re.search(r"Sanitizer|runtime error:", p.stderr):
            failures.append(f"{where}\n  sanitizer report:\n{p.stderr[-4000:]}")
            continue
        if p.returncode == 1:
            if "error:" not in p.stderr:
                failures.append(f"{where}\n  exit 1 without an error:\n{p.stderr}")
            else:
                outcomes["error"] += 1
            os.remove(path)
            continue
        if p.returncode != 0:
            failures.append(f"{where}\n  exit status {p.returncode}\n{p.stderr[-2000:]}")
            continue
        try:
            # A sweep prints one JSON object per line.
            report = ([json.loads(l) for l in p.stdout.splitlines() if l.strip()]
                      if args.kind == "sweep" else json.loads(p.stdout))
        except ValueError as e:
            failures.append(f"{where}\n  the report is not JSON: {e}")
            continue
        if not finite(report) or re.search(r"\b(nan|inf)\b", p.stdout, re.I):
            failures.append(f"{where}\n  the report holds a number that is not finite")
            continue
        outcomes["report"] += 1
        os.remove(path)
    for f in failures:
        print(f, file=sys.stderr)
    print(f"{args.cases} mutants: {outcomes['report']} reports, {outcomes['error']} errors, "
          f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
