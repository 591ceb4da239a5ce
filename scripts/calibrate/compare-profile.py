#!/usr/bin/env python3
"""Compares a cost profile's kernel times with kernel times measured on a GPU.

    compare-profile.py [--profile default] [--data profiles/calibration/h200/kernels.csv]
                       [--ssc build/bin/ssc] [--rows] [--dtype D] [--max-median PCT] [--max-p90 PCT]

Every measured row (scripts/calibrate/measure-kernels.py) whose kernel is one
that a zoo model lowers to is predicted through ssc's whole pipeline: the
model is compiled for a workload that yields that kernel's shape (a prefill
of M tokens gives GEMMs with m=M; an expert-parallel plan gives grouped GEMMs
with the measured experts per GPU and tokens per expert; a decode at batch B
and KV length L gives the decode attention), costed under the profile on the
measured GPU, and the kernel's time is read from the report's kernels view.
Nothing is fitted here: the script only looks.

Prints, per section (gemm, grouped, prefill, mla_prefill, decode, elementwise,
act_quant) and in all,
the number of rows, the median and 90th-percentile absolute error in percent,
and the worst row; --rows prints every row. The overlap section, which the
profile has no counterpart for, is printed as ratios: each GEMM's time beside
a copy over its time alone. Rows of implementations the
profile does not stand for (NOT_MODELED) are left out and counted. With --max-median / --max-p90 it
exits 1 when a section's error is over the bound.

The measurements are short bursts, so a profile's `sustained_clock` (its
FLOP rates in sustained serving, below the burst clock) is left out here:
the kernels are compared at the clock they were measured at.
"""
import argparse
import collections
import concurrent.futures
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
MODELS = {
    "llama-3-8b": "models/dense/llama-3-8b.arch",
    "llama-3-70b": "models/dense/llama-3-70b.arch",
    "deepseek-v3": "models/moe/deepseek-v3.arch",
    "mixtral-8x7b": "models/moe/mixtral-8x7b.arch",
}
# Measured GEMM roles -> the kernel names ssc gives them (None: no zoo
# kernel has that shape; DeepSeek-V3's q_a and kv_a are separate GEMMs).
GEMM_ROLES = {
    ("llama-3-8b", "qkv"): "qkv", ("llama-3-8b", "o"): "o",
    ("llama-3-8b", "gate_up"): "gate_up", ("llama-3-8b", "down"): "down",
    ("llama-3-70b", "qkv"): "qkv", ("llama-3-70b", "o"): "o",
    ("llama-3-70b", "gate_up"): "gate_up", ("llama-3-70b", "down"): "down",
    ("deepseek-v3", "q_b"): "q_b", ("deepseek-v3", "kv_b"): "kv_b",
    ("deepseek-v3", "o"): "o", ("deepseek-v3", "dense_gate_up"): "gate_up",
    ("deepseek-v3", "dense_down"): "down",
}
# Implementations the profiles do not stand for: fp8 grouped GEMMs are costed
# as DeepGEMM (what DeepSeek-style serving runs), which kernels.csv measures;
# PyTorch's grouped fp8 GEMM is about half as fast.
NOT_MODELED = {"torch._scaled_grouped_mm"}
GPU_OF = {"NVIDIA H200": "h200", "NVIDIA H100 80GB HBM3": "h100", "NVIDIA B200": "b200"}


class Query:
    """One ssc run; several measured rows may read kernels from it."""

    def __init__(self, model, target, phase, batch, isl, kv_len=None, dtype=None, plan=None):
        self.key = (model, target, phase, batch, isl, kv_len, dtype,
                    json.dumps(plan, sort_keys=True) if plan else None)
        self.model, self.target, self.phase = model, target, phase
        self.batch, self.isl, self.kv_len, self.dtype, self.plan = batch, isl, kv_len, dtype, plan

    def run(self, ssc, profile):
        args = [ssc, os.path.join(REPO, MODELS[self.model]), "--target", self.target,
                f"--phase={self.phase}", f"--batch={self.batch}", f"--isl={self.isl}",
                "--osl=2", "--emit=report", "--format=json", "--views=kernels",
                f"--profile={profile}", "-w",
                # The benchmark gives every expert the same tokens.
                "--expert-routing=even"]
        if self.kv_len is not None:
            args.append(f"--kv-len={self.kv_len}")
        if self.dtype:
            args.append(f"--weight-dtype={self.dtype}")
        path = None
        if self.plan:
            with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
                json.dump(self.plan, f)
                path = f.name
            args += ["--plan", path]
        try:
            p = subprocess.run(args, capture_output=True, text=True)
        finally:
            if path:
                os.unlink(path)
        # A batch that does not fit still prints its report (exit status 1);
        # kernel times do not depend on the fit.
        if not p.stdout.strip():
            sys.exit("ssc failed: " + " ".join(args) + "\n" + p.stderr)
        return json.loads(p.stdout)["kernels"][self.phase]


def pick(kernels, name, moe=None, n=None):
    """The time in us of kernel `name` in a layer (MoE layers if moe; of
    width n if given: a layer may run several kernels of one name)."""
    for k in kernels:
        if k["name"] != name or k["layers"] == "-":
            continue
        if moe is not None and (k["block"] in ("experts", "shared_experts")) != moe:
            continue
        if n is not None and not k["shape"].endswith(f" n={n}"):
            continue
        return k["time_ms"] * 1000.0, k["shape"]
    return None, None


def plan_rows(rows, gpu):
    """(row, query, kernel name) for every measured row ssc can predict."""
    out = []
    for r in rows:
        if r["status"] != "ok" or r["impl"] in NOT_MODELED:
            continue
        sec = r["section"]
        if sec == "gemm":
            name = GEMM_ROLES.get((r["model"], r["role"]))
            if not name:
                continue
            m = int(r["m"])
            q = Query(r["model"], f"{gpu}x1", "prefill", 1, m, dtype=r["dtype"])
            out.append((r, q, name, None, None))
        elif sec == "grouped":
            g, m = int(r["groups"]), int(r["m"])
            if r["model"] == "mixtral-8x7b":
                # 8 experts, top-2: a prompt of 4m tokens gives m per expert.
                q = Query("mixtral-8x7b", f"{gpu}x1", "prefill", 1, 4 * m, dtype=r["dtype"])
            elif r["model"] == "deepseek-v3":
                # 256 experts, top-8, ep GPUs each holding g experts, attention
                # data-parallel: a prompt of L tokens per replica sends
                # L * 8 * ep / 256 tokens to each expert.
                ep = 256 // g
                if (m * g) % 8:
                    continue
                isl = m * g // 8
                plan = {"name": f"ep{ep}", "tp": 1, "dp": ep, "ep": ep}
                q = Query("deepseek-v3", f"{gpu}x{ep}", "prefill", 1, isl, dtype=r["dtype"],
                          plan=plan)
            else:
                continue
            name = "expert_gate_up" if r["role"] == "expert_gate_up" else "expert_down"
            out.append((r, q, name, True, None))
        elif sec == "prefill":
            h, kvh, d = int(r["heads"]), int(r["kv_heads"]), int(r["head_dim"])
            model = {(32, 8, 128): "llama-3-8b", (64, 8, 128): "llama-3-70b"}.get((h, kvh, d))
            if not model:
                continue
            q = Query(model, f"{gpu}x1", "prefill", int(r["batch"]), int(r["q_len"]), dtype="fp8")
            out.append((r, q, "attn", None, None))
        elif sec == "mla_prefill":
            # DeepSeek-V3's plain-form prefill attention on one GPU: all 128
            # heads, 192-wide queries and keys, 128-wide values.
            if (int(r["heads"]), int(r["head_dim"])) != (128, 192):
                continue
            q = Query("deepseek-v3", f"{gpu}x1", "prefill", int(r["batch"]), int(r["q_len"]))
            out.append((r, q, "attn", None, None))
        elif sec == "decode":
            h, kvh, d = int(r["heads"]), int(r["kv_heads"]), int(r["head_dim"])
            model = {(32, 8, 128): "llama-3-8b", (64, 8, 128): "llama-3-70b"}.get((h, kvh, d))
            if not model:
                continue
            L = int(r["kv_len"])
            # --kv-len is the context before the new token: ssc attends L + 1.
            q = Query(model, f"{gpu}x1", "decode", int(r["batch"]), 16, kv_len=L - 1,
                      dtype="fp8")
            out.append((r, q, "attn", None, None))
        elif sec == "elementwise":
            n, t = int(r["n"]), int(r["m"])
            model = {4096: "llama-3-8b", 7168: "deepseek-v3"}.get(n)
            name = "input_norm" if r["kernel"] == "norm" else "attn_residual"
            if not model or t < 2:
                continue
            q = Query(model, f"{gpu}x1", "prefill", 1, t, dtype="fp8")
            out.append((r, q, name, None, None))
        elif sec == "act_quant":
            # The block-scaled fp8 quantization of a DeepSeek-V3 prefill of m
            # tokens on one GPU: the hidden state before q_a (n=7168), the
            # shared expert's intermediate before its down projection (2048).
            n, t = int(r["n"]), int(r["m"])
            name = {7168: "attn_quant", 2048: "shared_quant"}.get(n)
            if not name or int(r["k"]) != 128:
                continue
            q = Query("deepseek-v3", f"{gpu}x1", "prefill", 1, t)
            out.append((r, q, name, None, n))
    return out


def best_rows(rows):
    """Where several implementations of one kernel were timed (SDPA's flash and
    cuDNN back-ends), the fastest stands for what a serving framework reaches."""
    keyf = lambda r: tuple(r[k] for k in ("section", "kernel", "dtype", "model", "role", "m", "n",
                                          "k", "groups", "batch", "heads", "kv_heads",
                                          "head_dim", "q_len", "kv_len"))
    best = {}
    for r in rows:
        if r["status"] != "ok":
            continue
        k = keyf(r)
        if k not in best or float(r["time_us"]) < float(best[k]["time_us"]):
            best[k] = r
    return list(best.values())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--profile", default="default")
    ap.add_argument("--data", default=os.path.join(REPO, "profiles", "calibration", "h200",
                                                   "kernels.csv"))
    ap.add_argument("--ssc", default=os.path.join(REPO, "build", "bin", "ssc"))
    ap.add_argument("--rows", action="store_true", help="print every row")
    ap.add_argument("--dtype", action="append",
                    help="compare only the rows of this dtype (repeatable)")
    ap.add_argument("--max-median", type=float)
    ap.add_argument("--max-p90", type=float)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    args = ap.parse_args()

    # The profile at the calibration's clock.
    path = args.profile if args.profile.endswith(".json") else \
        os.path.join(REPO, "profiles", args.profile + ".json")
    with open(path) as f:
        prof = json.load(f)
    clock = prof.pop("sustained_clock", None)

    env = json.load(open(os.path.join(os.path.dirname(args.data), "env.json")))
    gpu = GPU_OF.get(env["gpu"])
    if not gpu:
        sys.exit(f"no catalog GPU for '{env['gpu']}'")
    raw = list(csv.DictReader(open(args.data)))
    rows = best_rows([r for r in raw if r["section"] != "overlap"])
    if args.dtype:
        present = sorted({r["dtype"] for r in rows})
        rows = [r for r in rows if r["dtype"] in args.dtype]
        if not rows:
            sys.exit(f"error: no rows of dtype {', '.join(args.dtype)} in {args.data} "
                     f"(it has {', '.join(present)})")
    work = plan_rows(rows, gpu)
    skipped = sum(1 for r in rows if r["impl"] in NOT_MODELED)
    queries = {}
    for _, q, _, _, _ in work:
        queries.setdefault(q.key, q)
    with tempfile.TemporaryDirectory() as tmp:
        profile = args.profile
        if clock:
            profile = os.path.join(tmp, os.path.basename(path))
            with open(profile, "w") as f:
                json.dump(prof, f)
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            results = dict(zip(queries, pool.map(lambda q: q.run(args.ssc, profile),
                                                 queries.values())))
    by_sec = collections.defaultdict(list)
    for r, q, name, moe, n in work:
        pred, shape = pick(results[q.key], name, moe, n)
        if pred is None:
            sys.exit(f"no kernel '{name}' in ssc's report for {q.key}")
        meas = float(r["time_us"])
        err = (pred - meas) / meas * 100.0
        desc = (f"{r['section']} {r['dtype']} {r['model'] or ''} {r['role'] or r['kernel']} "
                f"[{shape}]")
        by_sec[r["section"]].append((abs(err), err, pred, meas, desc))

    failed = False
    print(f"profile {args.profile} vs {os.path.relpath(args.data, REPO)} ({env['gpu']})")
    if clock:
        print(f"at the calibration's clock: sustained_clock ({clock['sustained_mhz']:g} of "
              f"{clock['calibrated_mhz']:g} MHz) left out")
    print(f"{'section':12} {'rows':>5} {'median':>8} {'p90':>8} {'max':>8}  worst")
    every = []
    for sec in ("gemm", "grouped", "prefill", "mla_prefill", "decode", "elementwise", "act_quant"):
        v = sorted(by_sec.get(sec, []))
        if not v:
            continue
        every += v
        med = statistics.median(x[0] for x in v)
        p90 = v[min(len(v) - 1, int(0.9 * len(v)))][0]
        w = v[-1]
        print(f"{sec:12} {len(v):5d} {med:7.1f}% {p90:7.1f}% {w[0]:7.1f}%  {w[4]} "
              f"pred {w[2]:.1f} us, measured {w[3]:.1f} us")
        if (args.max_median is not None and med > args.max_median) or \
           (args.max_p90 is not None and p90 > args.max_p90):
            failed = True
    every.sort()
    if not every:
        print(f"error: no row of {args.data} is a kernel ssc predicts", file=sys.stderr)
        return 1
    print(f"{'all':12} {len(every):5d} {statistics.median(x[0] for x in every):7.1f}% "
          f"{every[min(len(every) - 1, int(0.9 * len(every)))][0]:7.1f}% {every[-1][0]:7.1f}%")
    if skipped:
        print(f"left out: {skipped} rows of {', '.join(sorted(NOT_MODELED))} (not what the profile models)")
    print_overlap(raw)
    if args.rows:
        for x in sorted(every, key=lambda x: x[4]):
            print(f"  {x[1]:+7.1f}%  pred {x[2]:10.2f} us  measured {x[3]:10.2f} us  {x[4]}")
    if failed:
        print("error: a section's error is over the bound", file=sys.stderr)
        return 1
    return 0


def print_overlap(rows):
    """The overlap section has no profile counterpart: print what it says,
    each GEMM's time beside a copy over its time alone (eager launches both)
    and each copy's rate beside the GEMM and alone."""
    ok = [r for r in rows if r["section"] == "overlap" and r["status"] == "ok"]
    alone = {r["role"]: float(r["time_us"]) for r in ok
             if r["kernel"] == "gemm" and r["impl"].endswith("alone, eager")}
    copy_alone = {r["impl"][:-len(" alone")]: float(r["gb_per_s"]) for r in ok
                  if r["kernel"] == "copy" and r["impl"].endswith(" alone")}
    lines = []
    for r in ok:
        if r["kernel"] != "gemm" or " beside " not in r["impl"] or r["role"] not in alone:
            continue
        copy = r["impl"].split(" beside ", 1)[1]
        beside_copy = [c for c in ok if c["kernel"] == "copy"
                       and c["impl"] == f"{copy} beside {r['role']} gemm"]
        rate = (f"; {copy} at {float(beside_copy[0]['gb_per_s']):.0f} GB/s beside it, "
                f"{copy_alone[copy]:.0f} alone" if beside_copy and copy in copy_alone else "")
        lines.append(f"  {r['role']} GEMM [m={r['m']} n={r['n']} k={r['k']}] beside {copy}: "
                     f"{float(r['time_us']) / alone[r['role']]:.2f} x its time alone{rate}")
    if lines:
        print("overlap (no profile counterpart: two-batch overlap does not cost a "
              "collective's memory traffic):")
        print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
