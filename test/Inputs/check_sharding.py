#!/usr/bin/env python3
"""Checks the invariants of the shard pass against an unsharded run.

  check_sharding.py MODEL.arch PHASE BATCH TARGET PLAN_JSON [TARGET PLAN_JSON ...]
                    [-- extra ssc flags]

For each (target, plan): the lowered module summed over devices must do the
work of one unsharded device running the whole deployment's batch (dp
replicas x BATCH sequences):
  - sum(flops * devices / redundancy) over compute kernels equals the
    unsharded FLOPs (redundancy marks work replicated on purpose; the
    quantization for the routed experts is left out, see below);
  - sum(weight_bytes * weight_shards) equals the unsharded weight bytes;
  - every expert is placed exactly once: groups * ep = experts;
  - attention heads are split tp ways;
  - pipeline stages cover every layer exactly once.
Prints one line per plan; exits 1 on the first violation."""
import json
import os
import subprocess
import sys
import tempfile


def run(model, phase, batch, target, plan, extra):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(plan, f)
        path = f.name
    try:
        out = subprocess.run(["ssc", model, "--emit=ir", "--format=json", "--phase", phase,
                              "--batch", str(batch), "--target", target, "--plan", path] + extra,
                             capture_output=True, text=True)
    finally:
        os.unlink(path)
    if out.returncode != 0:
        sys.exit(f"ssc failed for {target} {plan}:\n{out.stderr}")
    return json.loads(out.stdout)["modules"][0]


def close(a, b):
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def main():
    args = sys.argv[1:]
    extra = []
    if "--" in args:
        i = args.index("--")
        args, extra = args[:i], args[i + 1:]
    model, phase, batch = args[0], args[1], int(args[2])
    pairs = args[3:]
    for target, plan_text in zip(pairs[0::2], pairs[1::2]):
        plan = json.loads(plan_text)
        dp = plan.get("dp", 1)
        ref = run(model, phase, batch * dp, "h100x1", {}, extra)
        got = run(model, phase, batch, target, plan, extra)
        # A dispatch that carries bf16 makes the experts' GPUs quantize each
        # (token, expert) pair they receive instead of each token once: work
        # the plan adds, like the permute (which has no FLOPs).
        added = lambda o: o["op"].startswith("comm.") or o["role"] == "dispatch_quant"
        compute = [o for o in got["ops"] if not added(o)]
        ref_ops = [o for o in ref["ops"] if not added(o)]

        flops = sum(o["flops"] * o["devices"] / o["redundancy"] for o in compute)
        ref_flops = sum(o["flops"] for o in ref_ops)
        if not close(flops, ref_flops):
            sys.exit(f"{target} {plan}: FLOPs over devices {flops:.6g} != unsharded {ref_flops:.6g}")

        weights = sum(o["weight_bytes"] * o["weight_shards"] for o in compute)
        ref_weights = sum(o["weight_bytes"] for o in ref_ops)
        # A tied lm_head on another pipeline stage than the embedding keeps a
        # copy of the embedding on purpose.
        if any(o["role"] == "lm_head" and o["weight_bytes"] == 0 for o in ref_ops):
            weights -= sum(o["weight_bytes"] * o["weight_shards"] for o in compute
                           if o["role"] == "lm_head")
        if not close(weights, ref_weights):
            sys.exit(f"{target} {plan}: weights over shards {weights:.6g} != unsharded {ref_weights:.6g}")

        ep = got["plan"]["ep"]
        tp = got["plan"]["tp"]
        experts = {o["groups"] for o in ref_ops if o["op"] == "kernel.grouped_gemm"}
        for o in compute:
            if o["op"] == "kernel.grouped_gemm" and o["groups"] * ep not in experts:
                sys.exit(f"{target} {plan}: {o['groups']} experts per device x ep={ep} "
                         f"is not one of the model's expert counts {sorted(experts)}")
        ref_heads = {o["layer"]: o["heads"] for o in ref_ops if "heads" in o}
        for o in compute:
            if "heads" in o and o["heads"] * tp != ref_heads[o["layer"]]:
                sys.exit(f"{target} {plan}: layer {o['layer']} has {o['heads']} heads per "
                         f"device, not {ref_heads[o['layer']]} / tp={tp}")

        stages = {}
        for o in got["ops"]:
            if o["layer"] >= 0:
                stages.setdefault(o["layer"], set()).add(o["stage"])
        layers = sorted({o["layer"] for o in ref["ops"] if o["layer"] >= 0})
        if sorted(stages) != layers:
            sys.exit(f"{target} {plan}: layers {sorted(stages)} != {layers}")
        for layer, s in stages.items():
            if len(s) != 1:
                sys.exit(f"{target} {plan}: layer {layer} is on stages {sorted(s)}")
        used = sorted({min(s) for s in stages.values()})
        if used != list(range(got["plan"]["pp"])):
            sys.exit(f"{target} {plan}: stages used {used}, pp={got['plan']['pp']}")
        print(f"ok {target} {json.dumps(plan, sort_keys=True)}: flops={flops:.6g} "
              f"weights={weights:.6g}")


if __name__ == "__main__":
    main()
