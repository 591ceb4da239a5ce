#!/usr/bin/env python3
"""Checks the examples of a Markdown document against ssc.

    check_doc_examples.py DOC.md WORKDIR [--json-model FILE] [--require-in-layer TEXT]...

Every fenced block opened with ```arch is written to WORKDIR and compiled
with `ssc FILE` (the GPU catalog is loaded as usual). It must be accepted,
unless its first line is `// error: MESSAGE`: then ssc must exit with status
1 and report `error: MESSAGE` (a substring of the diagnostic).

Every ```json block is a plan and is checked with
`ssc --plan FILE.json` against --json-model (the DeepSeek-V3 zoo model by
default).

Each --require-in-layer TEXT must appear on a line of an accepted ```arch
block inside a `layer` block.

Exits 1 listing every failing block by its line in DOC.md.
"""
import argparse
import os
import re
import subprocess
import sys


def fenced_blocks(lines):
    """Yields (language, first line number, text) for each fenced block."""
    i = 0
    while i < len(lines):
        m = re.match(r"^```(\S*)\s*$", lines[i])
        if not m:
            i += 1
            continue
        lang, start, body = m.group(1), i + 2, []
        i += 1
        while i < len(lines) and not lines[i].startswith("```"):
            body.append(lines[i])
            i += 1
        if i == len(lines):
            sys.exit(f"line {start - 1}: unterminated code block")
        yield lang, start, "\n".join(body) + "\n"
        i += 1


def enclosing_block(text, offset):
    """The header ('model x', 'layer y', ...) of the innermost block open at
    OFFSET in TEXT, ignoring braces in comments and strings."""
    blank = lambda m: re.sub(r"[^\n]", " ", m.group(0))
    code = re.sub(r'/\*.*?\*/|//[^\n]*|"(\\.|[^"\\\n])*"', blank, text, flags=re.S)
    stack, start = [], 0
    for i, c in enumerate(code[:offset]):
        if c in ";{}":
            if c == "{":
                stack.append(code[start:i].strip())
            elif c == "}" and stack:
                stack.pop()
            start = i + 1
    return stack[-1] if stack else ""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("doc")
    ap.add_argument("workdir")
    ap.add_argument("--json-model", default=None)
    ap.add_argument("--require-in-layer", action="append", default=[])
    args = ap.parse_args()

    lines = open(args.doc, encoding="utf-8").read().split("\n")
    os.makedirs(args.workdir, exist_ok=True)
    failures, accepted, counts = [], [], {"arch": 0, "json": 0}
    for lang, start, text in fenced_blocks(lines):
        if lang not in ("arch", "json"):
            continue
        counts[lang] += 1
        path = os.path.join(args.workdir, f"example-{start}.{lang}")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        if lang == "arch":
            cmd = ["ssc", path]
        else:
            if not args.json_model:
                failures.append(f"line {start}: a json block needs --json-model")
                continue
            cmd = ["ssc", args.json_model, "--plan", path]
        p = subprocess.run(cmd, capture_output=True, text=True)
        first = text.split("\n", 1)[0].strip()
        m = re.match(r"^//\s*error:\s*(.*)$", first)
        if m:
            want = "error: " + m.group(1).strip()
            if p.returncode != 1 or want not in p.stderr:
                failures.append(f"line {start}: expected exit status 1 and '{want}', "
                                f"got status {p.returncode}:\n{p.stderr}")
            continue
        if p.returncode != 0 or "error:" in p.stderr:
            failures.append(f"line {start}: ssc exited with status {p.returncode}:\n"
                            f"{p.stderr}")
            continue
        if lang == "arch":
            accepted.append((start, text))

    for req in args.require_in_layer:
        found = False
        for start, text in accepted:
            at = text.find(req)
            while at >= 0 and not found:
                found = enclosing_block(text, at).startswith("layer ")
                at = text.find(req, at + 1)
        if not found:
            failures.append(f"'{req}' does not appear inside a layer block of an "
                            "accepted example")

    for f in failures:
        print(f"{args.doc}: {f}", file=sys.stderr)
    print(f"{counts['arch']} arch and {counts['json']} json examples checked, "
          f"{len(failures)} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
