#!/usr/bin/env python3
"""Runs ssc on random command lines and checks how it ends.

Each case is a random mix of real flags with edge values (empty, negative,
fractional, past 64 bits, misspelled enumerators, missing values), a model
file and sometimes a subcommand, drawn from a fixed seed. Every run must exit
0, or 1 with each error line in ssc's form ("ssc: error: ..." or
"FILE:LINE:COL: error: ..."): never a crash, a hang, a sanitizer report, or
llvm::cl's own wording ("for the --x option: ...!"). Prints the failing
command lines and a summary line.

With --plans, each case is instead a report under a random `--plan` key
string (plan keys, layer and phase prefixes, values and separators mixed,
valid or not), with or without a target. With --sweeps, each case is a small
`ssc sweep` of random axes, modes (the offline mode and its counts) and
outputs (selection, SLA, commands, invalid rows), valid or not.

  fuzz_flags.py SSC MODEL... --cases N --seed S [--plans | --sweeps]
"""

import argparse
import random
import re
import subprocess
import sys

FLAGS = ["--emit", "--format", "--mode", "--phase", "--batch", "--isl", "--osl", "--kv-len",
         "--prefix", "--max-batch", "--requests", "--context", "--target", "--mla",
         "--expert-routing", "--views", "--weight-dtype", "--kv-dtype", "--attn-dtype",
         "--profile-set", "--passes", "--print-after", "--model", "--mtp", "--fuse-projections",
         "-Werror", "-w", "-I", "--targt", "--jobs", "--progress-after", "--plan", "--set"]
VALUES = ["", "0", "-1", "1", "7", "0x10", "1e3", "1.5", "99999999999999999999", "abc", "report",
          "summary", "ir", "json", "csv", "offline", "ofline", "prefill", "decode", "h100x8",
          "h200x1", "fp8", "fp4", "bf16", "summary,kernels", "plain", "even", "true", "maybe",
          "attention_tp=8", "=",
          # --plan's keys: plans that fit the small models, and broken ones.
          "tp=2", "tp=2 ep=2", "tp=1 dp=2 ep=2 attention_dp overlap=tbo", "tp=2,decoder.tp=1",
          "prefill.tp=2;decode.tp=1", "tp=2 pp=2 stages=[1, 1]", "tp=[1,", "tp=0", "ep=x",
          "tp=2 } model m {", "prefill.=2", ".tp=2", "tp=1 expert_imbalance=1e9",
          # --set's hyperparameters, valid for one of the small models or not.
          "layers=2", "experts=4,top_k=1", "kv_heads=1", "top_k=9", "layers=0", "kv_heads=3",
          "layers", "hidden=1", "top-k=2", "experts=1048577"]
SUBCOMMANDS = ["validate", "sweep", "import-hf"]
PLAN_KEYS = ["tp", "sp", "pp", "dp", "ep", "etp", "attention_dp", "seq_parallel",
             "redundant_experts", "uneven_experts", "expert_imbalance", "micro_batches", "overlap",
             "stages", "foo", "decoder.tp", "dense.tp", "moe.tp", "prefill.tp", "decode.ep",
             "prefill.decoder.tp", "decode.stages", "prefill.", "x.y.z", "layer"]
PLAN_VALUES = ["1", "2", "4", "8", "0", "-1", "x", "true", "false", "tbo", "comm", "none", "1.5",
               "[1, 1]", "[2,", "]", "[]", "{", "}", "1e30", ""]
PLAN_SEPARATORS = [" ", ",", ";", "  ", ", "]
# Items that hold for the small models at some targets, drawn most often.
PLAN_ITEMS = ["tp=1", "tp=2", "dp=2", "ep=2", "pp=2", "sp=2", "attention_dp", "overlap=tbo",
              "overlap=comm", "micro_batches=2", "decoder.tp=1", "prefill.tp=2", "decode.tp=1",
              "expert_imbalance=1.2", "redundant_experts=2"]


def plan_case(rng, models):
    """A report under a random --plan key string."""
    spec = ""
    for _ in range(rng.randint(1, 6)):
        key, form = rng.choice(PLAN_KEYS), rng.random()
        if form < 0.7:
            item = rng.choice(PLAN_ITEMS)
        else:
            item = key if form < 0.75 else key + "=" + rng.choice(PLAN_VALUES)
        spec += item + rng.choice(PLAN_SEPARATORS)
    if "=" not in spec:
        spec += "tp=1"  # keys, not a plan's name
    argv = [rng.choice(models), "--plan", spec, "--emit=report", "--views=summary"]
    if rng.random() < 0.5:
        argv += ["--target", rng.choice(["h100x1", "h100x2", "h100x4", "h100x8"])]
    return argv


# Sweep flags: values that make small sweeps, then broken ones (drawn less).
SWEEP_FLAGS = {
    "--gpus": (["1", "2", "1,2", "4"], ["0", "x"]),
    "--tp": (["1", "1,2", "2", "1..4*2"], ["3"]),
    "--ep": (["1", "all", "2"], []),
    "--pp": (["1", "2"], []),
    "--batch": (["1", "1,64", "1..1024*8"], ["0"]),
    "--isl": (["128", "1000,5000", "8"], ["100000"]),
    "--osl": (["128", "1,2048"], []),
    "--prefix": (["0", "64"], ["5000"]),
    "--kv-len": (["isl", "default", "isl+7"], ["isl-9999"]),
    "--mode": (["offline", "phases"], ["ofline"]),
    "--max-batch": (["1", "64"], ["0", "-3"]),
    "--requests": (["1", "100", "1,100"], ["0", "5,0"]),
    "--phase": (["prefill", "decode", "both"], []),
    "--overlap": (["none", "tbo", "comm,tbo"], []),
    "--expert-imbalance": (["1", "1.2"], ["0.5"]),
    "--weight-dtype": (["fp8", "bf16,fp4"], ["fp9"]),
    "--sla": (["tpot<=50ms", "tps_user>=10,tps_gpu>=1"], ["ttft<=1s", "tpot<"]),
    "--plan": (["tp=2", "tp=1 dp=2 ep=2", "prefill.tp=2 decode.tp=1"], ["tp=[1,"]),
    "--format": (["csv", "json"], []),
}
SWEEP_SWITCHES = ["--command", "--best", "--pareto", "--keep-invalid"]


def sweep_case(rng, models):
    """A small sweep of random axes, modes and outputs."""
    argv = ["sweep", rng.choice(models), "--gpu", rng.choice(["h100", "h100,b200", "a100"])]
    for flag in rng.sample(sorted(SWEEP_FLAGS), rng.randint(1, 6)):
        good, bad = SWEEP_FLAGS[flag]
        argv += [flag + "=" + rng.choice(bad if bad and rng.random() < 0.15 else good)]
    argv += [f for f in SWEEP_SWITCHES if rng.random() < 0.2]
    return argv


# ssc's errors: without a place, or at FILE:LINE:COL ("command line:1:7:" for
# a flag's value that ssc sweep parses).
ERROR_LINE = re.compile(r"^(ssc: (error|warning|note)|[^:]+:\d+:\d+: (error|warning|note))")
# llvm::cl's own words.
LLVM_WORDING = re.compile(r"for the -+\S+ option:|Unknown command line argument|"
                          r"Cannot find option named|value invalid for|requires a value!")


def flags_case(rng, a):
    """A random mix of real flags and edge values."""
    argv = [a.ssc]
    if rng.random() < 0.1:
        argv.append(rng.choice(SUBCOMMANDS))
    argv.append(rng.choice(a.models))
    for _ in range(rng.randint(1, 5)):
        flag, value, form = rng.choice(FLAGS), rng.choice(VALUES), rng.random()
        if form < 0.5:
            argv.append(flag + "=" + value)
        elif form < 0.8:
            argv += [flag, value]
        else:
            argv.append(flag)
    return argv


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ssc")
    ap.add_argument("models", nargs="+")
    ap.add_argument("--cases", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--plans", action="store_true")
    ap.add_argument("--sweeps", action="store_true")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    counts = {0: 0, 1: 0}
    failures = 0
    for _ in range(a.cases):
        if a.plans:
            argv = [a.ssc] + plan_case(rng, a.models)
        elif a.sweeps:
            argv = [a.ssc] + sweep_case(rng, a.models)
        else:
            argv = flags_case(rng, a)
        try:
            p = subprocess.run(argv, capture_output=True, text=True, errors="replace",
                               stdin=subprocess.DEVNULL, timeout=120)
        except subprocess.TimeoutExpired:
            print("hang:", " ".join(argv))
            failures += 1
            continue
        problems = []
        if p.returncode not in (0, 1):
            problems.append("exit status %d" % p.returncode)
        if re.search(r"Sanitizer|runtime error:|Stack dump|Assertion", p.stderr):
            problems.append("crash or sanitizer report")
        if LLVM_WORDING.search(p.stderr):
            problems.append("llvm::cl wording")
        if p.returncode == 1 and not any(ERROR_LINE.match(l) for l in p.stderr.splitlines()):
            problems.append("status 1 without an error line")
        if problems:
            failures += 1
            print("%s: %s\n%s" % ("; ".join(problems), " ".join(argv), p.stderr[-800:]))
        else:
            counts[p.returncode] += 1
    print("%d command lines: %d ran, %d errors, %d failures" %
          (a.cases, counts[0], counts[1], failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
