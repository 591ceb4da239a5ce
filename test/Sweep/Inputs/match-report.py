#!/usr/bin/env python3
"""Checks that `ssc sweep` rows equal `ssc --emit=report` for the same point.

  match-report.py SSC MODEL [--sample N] [--default-plan] [--report-model M2]
                  [--commands] -- SWEEP_ARGS...

Runs `SSC sweep MODEL --keep-invalid SWEEP_ARGS...`, then for up to N rows
spread over the sweep (every costed row: ok, does-not-fit) runs the report
with the row's target, plan, workload, dtypes and profile parameters, and
compares every metric the row has, exactly, and its uncertainty bands (with --mode=offline in the
sweep's arguments or file, the report's offline section). With --commands the sweep also
prints its `command` column (--command) and the report run is the row's own
command; rows the plan check rejects must have a command that fails with the
row's reason. --report-model costs another
file in the report (the model as the sweep's hyperparameter axes change it). The plan is the row's degrees as
a JSON plan, or with --default-plan no plan at all (ssc's default). Prints
"matched K rows" or the first difference, and exits non-zero on one.
"""
import csv
import io
import json
import os
import shlex
import subprocess
import sys
import tempfile

PLAN_COLS = ["tp", "pp", "dp", "ep", "sp", "etp", "micro_batches", "overlap",
             "redundant_experts", "expert_imbalance"]
DTYPE_FLAGS = {"weight_dtype": "--weight-dtype", "kv_dtype": "--kv-dtype",
               "dispatch_dtype": "--dispatch-dtype", "combine_dtype": "--combine-dtype", "attn_dtype": "--attn-dtype"}
WORKLOAD = ["batch", "isl", "osl", "prefix", "kv_len"]
METRICS = ["ttft_ms", "prefill_tokens_per_s_per_gpu", "tpot_ms", "tpot_if_comm_hidden_ms",
           "tokens_per_s_per_user", "decode_tokens_per_s_per_gpu", "max_batch"]
# --mode=offline: the row's columns and where the report has them.
OFFLINE = {"batch": ("batch",), "batch_limit": ("batch_limit",), "step_ms": ("step_ms",),
           "output_tokens_per_s_per_user": ("output_tokens_per_s_per_user",),
           "output_tokens_per_s_per_gpu": ("output_tokens_per_s_per_gpu",),
           "output_tokens_per_s": ("output_tokens_per_s",),
           "run_seconds": ("run", "seconds"),
           "run_output_tokens_per_s_per_gpu": ("run", "output_tokens_per_s_per_gpu")}
OTHER = {"model", "gpu", "gpus", "used_bytes", "fits", "status", "reason", "layers",
         "experts", "top_k", "kv_heads", "command", "prefill_band_pct", "prefill_regime",
         "decode_band_pct", "decode_regime", "band_pct", "regime", "outside_calibration"}


def main():
    args = sys.argv[1:]
    sep = args.index("--")
    opts, sweep_args = args[:sep], args[sep + 1:]
    ssc, model = opts[0], opts[1]
    sample = int(opts[opts.index("--sample") + 1]) if "--sample" in opts else 8
    default_plan = "--default-plan" in opts
    commands = "--commands" in opts
    report_model = opts[opts.index("--report-model") + 1] if "--report-model" in opts \
        else model
    passed = ("--profile", "--phase", "--mode", "--requests")
    passthrough = []
    for i, a in enumerate(sweep_args):
        if a.split("=")[0] in passed:  # --flag=value, or --flag value
            passthrough += [a] if "=" in a else [f"{a}={sweep_args[i + 1]}"]
    if "--sweep" in sweep_args:
        spec = json.load(open(sweep_args[sweep_args.index("--sweep") + 1]))
        passthrough = [f"--{k.replace('_', '-')}={spec[k]}" for k in
                       ("profile", "phase", "mode", "requests") if k in spec] + \
            passthrough
    offline = "--mode=offline" in passthrough
    global WORKLOAD, OTHER
    if offline:
        WORKLOAD = ["isl", "osl"]  # and batch_cap, as --max-batch
        OTHER = OTHER | set(OFFLINE) | {"max_batch", "batch_cap"}

    out = subprocess.run([ssc, "sweep", model, "--keep-invalid"] +
                         (["--command"] if commands else []) + sweep_args,
                         capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("sweep failed:\n" + out.stderr)
    all_rows = list(csv.DictReader(io.StringIO(out.stdout)))
    rows = [r for r in all_rows if r["status"] in ("ok", "does-not-fit")]
    invalid = 0
    if commands:
        # A plan the check rejects: its command fails, with the same reason.
        bad = [r for r in all_rows if r["status"] == "invalid-plan" and r["command"]]
        for r in bad[::max(1, len(bad) // sample)][:sample]:
            rep = subprocess.run([ssc] + shlex.split(r["command"])[1:], capture_output=True,
                                 text=True)
            if rep.returncode == 0 or r["reason"] not in rep.stderr:
                sys.exit(f"the command of invalid row {r} did not fail with its reason:\n"
                         + rep.stderr)
            invalid += 1
    if not rows:
        sys.exit("the sweep has no costed rows")
    step = max(1, len(rows) // sample)
    picked = rows[::step][:sample]
    for r in picked:
        if commands:
            if not r["command"]:
                sys.exit(f"row {r} has no command")
            cmd = [ssc] + shlex.split(r["command"])[1:] + ["--format=json",
                                                          "--views=summary"]
            check_row(r, cmd, offline)
            continue
        cmd = [ssc, report_model, "--emit=report", "--format=json", "--views=summary",
               "--target", f"{r['gpu']}x{r['gpus']}"] + passthrough
        cmd += [f"--{k.replace('_', '-')}={r[k]}" for k in WORKLOAD]
        if "batch_cap" in r:
            cmd += [f"--max-batch={r['batch_cap']}"]
        cmd += [f"{DTYPE_FLAGS[k]}={r[k]}" for k in DTYPE_FLAGS if k in r]
        params = [k for k in r if k not in OTHER and k not in PLAN_COLS and
                  k not in DTYPE_FLAGS and k not in WORKLOAD and k not in METRICS]
        cmd += [f"--profile-set={k}={r[k]}" for k in params]
        plan_path = None
        if not default_plan:
            plan = {"name": "sweep"}
            for k in PLAN_COLS:
                if k in r:
                    plan[k] = r[k] if k == "overlap" else \
                        float(r[k]) if k == "expert_imbalance" else int(r[k])
            with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
                json.dump(plan, f)
                plan_path = f.name
            cmd += ["--plan", plan_path]
        try:
            check_row(r, cmd, offline)
        finally:
            if plan_path:
                os.unlink(plan_path)
    print(f"matched {len(picked)} rows" +
          (f"; {invalid} invalid rows' commands failed alike" if commands else ""))


def check_row(r, cmd, offline):
    rep = subprocess.run(cmd, capture_output=True, text=True)
    if offline and r["status"] == "does-not-fit":
        # Not one sequence fits: the report says so and stops.
        if rep.returncode == 0 or "fits in memory beside the weights" not in rep.stderr:
            sys.exit(f"row {r} does not fit, but the report ran:\n" + shlex.join(cmd))
        return
    if not rep.stdout.strip():
        sys.exit("report failed: " + shlex.join(cmd) + "\n" + rep.stderr)
    s = json.loads(rep.stdout)["summary"]
    if offline:
        for k, path in OFFLINE.items():
            if k not in r:
                continue
            v = s["offline"]
            for p in path:
                v = v[p]
            if (r[k] != v) if k == "batch_limit" else (float(r[k]) != float(v)):
                sys.exit(f"row {r} differs from the report in {k}: {r[k]} != {v}\n"
                         + shlex.join(cmd))
        check_bands(r, s, cmd, offline)
        return
    for k in METRICS:
        if k not in r or r[k] == "":
            continue
        if float(r[k]) != float(s[k]):
            sys.exit(f"row {r} differs from the report in {k}: {r[k]} != {s[k]}\n"
                     + shlex.join(cmd))
    if (r["fits"] == "1") != s["fits"]:
        sys.exit(f"row {r} differs from the report in fits\n" + shlex.join(cmd))
    check_bands(r, s, cmd, offline)


def check_bands(r, s, cmd, offline):
    # The bands: each phase's percent and regime, and the reasons the point
    # is outside the calibration, both phases' in order, each once.
    bands = [("", s["offline"]["uncertainty"])] if offline else \
        [(p + "_", s[p + "_uncertainty"]) for p in ("prefill", "decode")
         if p + "_uncertainty" in s]
    outside = []
    for prefix, u in bands:
        if float(r[prefix + "band_pct"]) != float(u["band_pct"]) or \
                r[prefix + "regime"] != u["regime"]:
            sys.exit(f"row {r} differs from the report in its {prefix}band: {u}\n"
                     + shlex.join(cmd))
        outside += [o for o in u["outside_calibration"] if o not in outside]
    if r["outside_calibration"] != "; ".join(outside):
        sys.exit(f"row {r} differs from the report in outside_calibration: {outside}\n"
                 + shlex.join(cmd))


if __name__ == "__main__":
    main()
