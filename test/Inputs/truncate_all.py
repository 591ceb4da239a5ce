#!/usr/bin/env python3
"""Feeds every prefix of a file (cut every few bytes) to ssc and checks that
each run exits 0 or 1 with a located error, never by a signal."""
import os
import re
import subprocess
import sys

src, tmp = sys.argv[1], sys.argv[2]
data = open(src, "rb").read()
os.makedirs(tmp, exist_ok=True)
located = re.compile(rb"\.arch:\d+:\d+: error: ")
cuts = sorted(set(list(range(0, len(data), 7)) + [len(data) - 1]))
for n in cuts:
    path = os.path.join(tmp, "cut.arch")
    with open(path, "wb") as f:
        f.write(data[:n])
    p = subprocess.run(["ssc", path], capture_output=True)
    if p.returncode not in (0, 1):
        sys.exit(f"cut at {n}: exit status {p.returncode}\n{p.stderr.decode(errors='replace')}")
    if p.returncode == 1 and not located.search(p.stderr):
        sys.exit(f"cut at {n}: error without a location:\n{p.stderr.decode(errors='replace')}")
print(f"{len(cuts)} prefixes checked")
