#!/usr/bin/env python3
"""Checks physical invariants of ssc's reports over every model of the zoo.

    check_invariants.py SSC MODELS_DIR [--jobs N] [--only NAME]

No calibration may make more work take less time, or more hardware less
throughput. For each MODELS_DIR/<group>/<name>.arch it runs
`ssc --emit=report --format=json` on 8 H100s and checks that

  - a decode step does not get shorter with more sequences or a longer KV
    cache, nor a prefill with more sequences or longer prompts;
  - a cached prefix does not make the prefill longer;
  - an fp8 KV cache does not make decode slower or fit fewer sequences;
  - H200s (the H100's compute, more and faster memory) are not slower in
    the offline mode;
  - a second node of the same plan's replicas keeps the throughput per GPU
    (16 GPUs against 8, when both give the same GPUs per replica).

Runs that exit 1 (a batch that does not fit) are skipped; any other exit
status is a failure. Prints one line per model, `<group>/<name>: ok` or
its violations, then `all N models hold every invariant` or how many
break one; exits 1 if any model fails.
"""
import argparse
import concurrent.futures
import json
import os
import subprocess
import sys

from zoo_models import print_results, zoo_files

TOL = 1e-9
TARGET = "h100x8"


class Runner:
    def __init__(self, ssc, path):
        self.ssc, self.path, self.problems = ssc, path, []
        self.reports = {}  # args -> report (None: the run exited non-zero)

    def report(self, *args):
        if args not in self.reports:
            self.reports[args] = self.run(args)
        return self.reports[args]

    def run(self, args):
        cmd = [self.ssc, self.path, "--emit=report", "--format=json", *args]
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode == 1:
            return None
        if p.returncode != 0:
            self.problems.append(f"exit {p.returncode}: {' '.join(args)}")
            return None
        return json.loads(p.stdout)

    def value(self, doc, path):
        for key in path.split("."):
            doc = doc[key]
        return float(doc)

    def series(self, what, option, values, metric, rising, *args):
        prev = None
        for v in values:
            d = self.report(*args, f"--{option}={v}")
            if d is None:
                continue
            y = self.value(d, metric)
            if prev is not None:
                wrong = y < prev[1] * (1 - TOL) if rising else y > prev[1] * (1 + TOL)
                if wrong:
                    self.problems.append(
                        f"{what}: {metric} {prev[1]:.6g} at --{option}={prev[0]}, "
                        f"{y:.6g} at --{option}={v} ({' '.join(args)})")
            prev = (v, y)

    def pair(self, what, metric, a_args, b_args, b_at_least):
        a, b = self.report(*a_args), self.report(*b_args)
        if a is None or b is None:
            return
        x, y = self.value(a, metric), self.value(b, metric)
        wrong = y < x * (1 - TOL) if b_at_least else y > x * (1 + TOL)
        if wrong:
            self.problems.append(f"{what}: {metric} {x:.6g} against {y:.6g}")


def check(ssc, path):
    r = Runner(ssc, path)
    t = ["--target", TARGET]
    r.series("decode over batch", "batch", [1, 4, 8, 12, 16, 64, 256], "summary.tpot_ms", True,
             *t, "--phase=decode")
    r.series("prefill over batch", "batch", [1, 4, 16], "summary.ttft_ms", True,
             *t, "--phase=prefill")
    r.series("decode over KV length", "kv-len", [256, 4096, 32768], "summary.tpot_ms", True,
             *t, "--phase=decode", "--batch=8")
    r.series("prefill over prompt", "isl", [256, 2048, 16384], "summary.ttft_ms", True,
             *t, "--phase=prefill", "--batch=2")
    r.series("prefill over cached prefix", "prefix", [0, 512, 960], "summary.ttft_ms", False,
             *t, "--phase=prefill", "--batch=4", "--isl=1024")
    dec = [*t, "--phase=decode", "--batch=16"]
    r.pair("fp8 KV cache, step", "summary.tpot_ms", dec, dec + ["--kv-dtype=fp8"], False)
    r.pair("fp8 KV cache, batch", "memory.max_batch", dec, dec + ["--kv-dtype=fp8"], True)
    r.pair("H200 against H100", "summary.offline.output_tokens_per_s",
           [*t, "--mode=offline"], ["--target", "h200x8", "--mode=offline"], True)
    one = r.report(*t, "--mode=offline")
    two = r.report("--target", "h100x16", "--mode=offline")
    if one and two and one["summary"]["gpus_per_replica"] == two["summary"]["gpus_per_replica"]:
        x = one["summary"]["offline"]["output_tokens_per_s_per_gpu"]
        y = two["summary"]["offline"]["output_tokens_per_s_per_gpu"]
        if abs(x - y) > 1e-6 * x:
            r.problems.append(f"a second node: {x:.6g} output tokens/s per GPU on 8, {y:.6g} on 16")
    return r.problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ssc")
    ap.add_argument("models")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--only")
    a = ap.parse_args()
    files = zoo_files(a.models)
    if a.only:
        files = [(g, f) for g, f in files if f == a.only + ".arch"]
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as pool:
        results = list(pool.map(lambda gf: check(a.ssc, os.path.join(a.models, *gf)), files))
    failed = print_results(zip(files, results))
    if failed:
        print(f"{failed} of {len(files)} models break an invariant")
    else:
        print(f"all {len(files)} models hold every invariant")
    return 1 if failed or not files else 0


if __name__ == "__main__":
    sys.exit(main())
