#!/usr/bin/env python3
"""Checks what --sla, --pareto and --best kept against the full sweep.

  check-selection.py sla FULL.csv OUT.csv METRIC OP VALUE [...]
  check-selection.py pareto FULL.csv OUT.csv
  check-selection.py best FULL.csv OUT.csv

FULL.csv is the sweep without selection (valid rows only), OUT.csv the
sweep with it. sla: OUT holds exactly the rows of FULL within every bound
(METRIC a column, OP <= or >=). pareto: OUT holds exactly the rows of FULL
that no other row beats on decode tokens/s per GPU and tokens/s per user
(the first of equal rows), highest throughput first. best: OUT holds, per
target (gpu x gpus) in order of first appearance, the first row of highest
decode tokens/s per GPU. Offline sweeps (--mode=offline) rank by output
tokens/s per GPU (the finite run's with --requests) and per user. Prints
"ok: N rows" or what differs.
"""
import csv
import sys


def rows(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def key(r):
    return tuple(sorted(r.items()))


def main():
    mode, full, out = sys.argv[1], rows(sys.argv[2]), rows(sys.argv[3])
    x = lambda r: float(r["decode_tokens_per_s_per_gpu"])
    y = lambda r: float(r["tokens_per_s_per_user"])
    if full and "output_tokens_per_s_per_gpu" in full[0]:
        # --mode=offline: output tokens/s per GPU (the finite run's, with
        # --requests) against output tokens/s per user.
        per_gpu = "run_output_tokens_per_s_per_gpu" if "run_seconds" in full[0] else \
            "output_tokens_per_s_per_gpu"
        x = lambda r: float(r[per_gpu])
        y = lambda r: float(r["output_tokens_per_s_per_user"])
    if mode == "sla":
        b = sys.argv[4:]
        bounds = [(b[i], b[i + 1], float(b[i + 2])) for i in range(0, len(b), 3)]
        want = [r for r in full if all(
            float(r[m]) <= v if op == "<=" else float(r[m]) >= v for m, op, v in bounds)]
    elif mode == "pareto":
        want = []
        for i, r in enumerate(full):
            beaten = any((x(s) >= x(r) and y(s) >= y(r)) and
                         (x(s) > x(r) or y(s) > y(r) or j < i)
                         for j, s in enumerate(full) if j != i)
            if not beaten:
                want.append(r)
        want.sort(key=lambda r: -x(r))
    elif mode == "best":
        best, order = {}, []
        for r in full:
            t = (r["gpu"], r["gpus"])
            if t not in best:
                order.append(t)
                best[t] = r
            elif x(r) > x(best[t]):
                best[t] = r
        want = [best[t] for t in order]
    else:
        sys.exit("unknown mode " + mode)
    if [key(r) for r in want] != [key(r) for r in out]:
        sys.exit(f"{mode}: expected {len(want)} rows:\n" +
                 "\n".join(str(r) for r in want) + f"\ngot {len(out)}:\n" +
                 "\n".join(str(r) for r in out))
    if not out:
        sys.exit(f"{mode}: no rows to check")
    print(f"ok: {len(out)} rows")


if __name__ == "__main__":
    main()
