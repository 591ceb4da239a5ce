#!/usr/bin/env python3
"""Checks that two models have the same summary: compare_summary.py A.json B.json

A and B are `ssc FILE --emit=summary --format=json` outputs (an imported model
and the hand-written zoo file). Parameters (in total and by group), KV cache
and FLOPs must be equal, for the model and for every layer; the model's and
the layer kinds' names and the source may differ."""
import json
import sys

FIELDS = [
    "context",
    "mtp",
    "attention",
    "moe",
    "hidden",
    "vocab",
    "tie_embeddings",
    "num_layers",
    "params_total",
    "params_active",
    "kv_elements_per_token",
    "kv_bytes_per_token",
    "kv_bytes_per_sequence",
    "params",
    "flops_per_token",
    "attention_flops_per_token",
    "prefill_flops_per_sequence",
]

a_path, b_path = sys.argv[1], sys.argv[2]
with open(a_path) as f:
    a = json.load(f)
with open(b_path) as f:
    b = json.load(f)

diffs = []
for key in FIELDS:
    if key not in a or key not in b:
        diffs.append(f"{key}: missing from {a_path if key not in a else b_path}")
    elif a[key] != b[key]:
        diffs.append(f"{key}: {json.dumps(a[key])} != {json.dumps(b[key])}")
# Layer by layer, everything but the kind's name.
for i, (la, lb) in enumerate(zip(a.get("layers", []), b.get("layers", []))):
    for key in sorted(set(la) | set(lb)):
        if key != "kind" and la.get(key) != lb.get(key):
            diffs.append(f"layers[{i}].{key}: {json.dumps(la.get(key))} != {json.dumps(lb.get(key))}")
if diffs:
    sys.stderr.write(f"summaries of {a.get('model')} and {b.get('model')} differ:\n")
    for d in diffs[:20]:
        sys.stderr.write("  " + d + "\n")
    if len(diffs) > 20:
        sys.stderr.write(f"  ... and {len(diffs) - 20} more\n")
    sys.exit(1)
print(f"{a.get('model')} == {b.get('model')}: {', '.join(FIELDS)}, layers")
