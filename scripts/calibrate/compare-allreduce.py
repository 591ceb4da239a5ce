#!/usr/bin/env python3
"""Compares a cost profile's all-reduce with a published nccl-tests table.

    compare-allreduce.py [--profile default] [--ssc build/bin/ssc]
        [--data profiles/calibration/published-nvlink4-allreduce/allreduce.csv]
        [--from-bytes B] [--max-median PCT] [--max-abs PCT]
    compare-allreduce.py --derive LATENCY_US [--data ...]

Each row of the table (all_reduce_perf: the buffer size each GPU reduces and
the time) is predicted through ssc's whole pipeline: Llama 3.1 70B (8192 bf16
activations, 16 KiB per token) under tensor parallelism over the table's
GPUs, at the token count whose all-reduce is that size (a decode batch up to
2048 tokens, a prefill above), on the table's GPU. The time of a layer's
all-reduce is read from the report's kernels view. Prints size, measured,
predicted and error per row, then the median and largest absolute error over
the rows from --from-bytes up (default 1 MiB: a decode step of 64 sequences
on a 8192-wide model; smaller messages are latency alone). With --max-median
/ --max-abs it exits 1 when an error is over the bound.

--derive prints the `bandwidth_efficiency` curve that reproduces the table
under a fixed per-operation latency: at each size, the share of the link
that moves the ring's 2(n-1)/n of the buffer in the time left after the
latency. That is how the default profile's all-reduce rule was made.
"""
import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DEFAULT_DATA = os.path.join(REPO, "profiles/calibration/published-nvlink4-allreduce/allreduce.csv")
MODEL = os.path.join(REPO, "models/dense/llama-3.1-70b.arch")
BYTES_PER_TOKEN = 8192 * 2
GPU_OF = {"NVIDIA H20": ("h20", 450.0)}


def load(path):
    with open(path) as f:
        rows = [(int(r["size_bytes"]), float(r["time_us"])) for r in csv.DictReader(f)]
    with open(os.path.join(os.path.dirname(path), "env.json")) as f:
        env = json.load(f)
    if env["gpu"] not in GPU_OF:
        sys.exit(f"error: no catalog GPU for '{env['gpu']}' in {path}")
    return rows, env


def predict(ssc, profile, gpu, ranks, size):
    tokens = size // BYTES_PER_TOKEN
    if tokens < 1 or tokens * BYTES_PER_TOKEN != size:
        return None
    phase = "decode" if tokens <= 2048 else "prefill"
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump({"tp": ranks}, f)
        plan = f.name
    args = [ssc, MODEL, "--target", f"{gpu}x{ranks}", "--plan", plan, f"--phase={phase}",
            "--emit=report", "--format=json", "--views=kernels", f"--profile={profile}", "-w"]
    args += ([f"--batch={tokens}", "--kv-len=1024"] if phase == "decode"
             else ["--batch=1", f"--isl={tokens}"])
    try:
        p = subprocess.run(args, capture_output=True, text=True)
    finally:
        os.unlink(plan)
    if not p.stdout.strip():
        sys.exit("ssc failed: " + " ".join(args) + "\n" + p.stderr)
    for k in json.loads(p.stdout)["kernels"][phase]:
        if k["kernel"] == "comm.all_reduce" and k["layers"] != "-":
            if abs(k["comm_bytes"] - size) > 0.5:
                sys.exit(f"error: expected an all-reduce of {size} bytes, got {k['comm_bytes']}")
            return k["time_ms"] * 1000.0
    sys.exit("error: no per-layer all-reduce in: " + " ".join(args))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profile", default="default")
    ap.add_argument("--ssc", default=os.path.join(REPO, "build/bin/ssc"))
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--from-bytes", type=int, default=1 << 20)
    ap.add_argument("--max-median", type=float)
    ap.add_argument("--max-abs", type=float)
    ap.add_argument("--derive", type=float, metavar="LATENCY_US")
    a = ap.parse_args()
    rows, env = load(a.data)
    gpu, link = GPU_OF[env["gpu"]]
    n = env["ranks"]
    factor = 2 * (n - 1) / n
    if a.derive is not None:
        pts = []
        for size, t in rows:
            if size < a.from_bytes:
                continue
            left = t - a.derive
            if left <= 0:
                sys.exit(f"error: {size} bytes took {t} us, not more than the latency")
            pts.append([size, round(size * factor / (link * 1e3 * left), 3)])
        print(json.dumps({"by": "bytes", "lookup": "log", "points": pts}))
        return 0
    print(f"profile {a.profile} vs {os.path.relpath(a.data, REPO)} ({env['gpu']} x{n})")
    print(f"{'bytes':>12} {'measured':>10} {'predicted':>10} {'error%':>8}")
    errs = []
    for size, t in rows:
        p = predict(a.ssc, a.profile, gpu, n, size)
        if p is None:
            continue
        e = (p / t - 1) * 100
        print(f"{size:12d} {t:10.2f} {p:10.2f} {e:+8.1f}")
        if size >= a.from_bytes:
            errs.append(abs(e))
    if not errs:
        sys.exit("error: no rows at or above --from-bytes")
    med, mx = statistics.median(errs), max(errs)
    print(f"from {a.from_bytes} bytes: rows={len(errs)} median_abs_error_pct={med:.1f} "
          f"max_abs_error_pct={mx:.1f}")
    if (a.max_median is not None and med > a.max_median) or (a.max_abs is not None and mx > a.max_abs):
        print("error: the all-reduce error is over the bound", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
