#!/usr/bin/env python3
"""Checks that the command outputs quoted in a Markdown document are current.

    check_doc_outputs.py DOC.md --repo REPO [--ssc PATH]

A quoted output is a fenced block preceded by a line

    <!-- output of: COMMAND -->

COMMAND runs in REPO with a shell (`ssc` at the start of it, or after a
`--ssc `, is replaced by --ssc); its standard output must equal the block's
text exactly. Numbers in the docs thus come from commands in the repository
and cannot drift from them. Exits 1 listing each stale block by its line,
with a diff. With --update, rewrites the stale blocks with what the
commands print now (the prose around them is still for a person to update).
"""
import argparse
import difflib
import re
import subprocess
import sys


def quoted(lines):
    """Yields (line number, command, expected text)."""
    for i, line in enumerate(lines):
        m = re.match(r"^<!-- output of: (.*) -->\s*$", line)
        if not m:
            continue
        j = i + 1
        if j >= len(lines) or not lines[j].startswith("```"):
            yield i + 1, m.group(1), None
            continue
        body = []
        j += 1
        while j < len(lines) and not lines[j].startswith("```"):
            body.append(lines[j])
            j += 1
        yield i + 1, m.group(1), "".join(body)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("doc")
    ap.add_argument("--repo", required=True)
    ap.add_argument("--ssc", default="ssc")
    ap.add_argument("--update", action="store_true",
                    help="rewrite stale blocks in place")
    a = ap.parse_args()
    with open(a.doc) as f:
        lines = f.readlines()
    checked = failed = 0
    updates = {}  # line of the marker -> new block text
    for line, cmd, want in quoted(lines):
        checked += 1
        if want is None:
            print("%s:%d: error: no fenced block after the output marker" % (a.doc, line))
            failed += 1
            continue
        run = re.sub(r"(^|--ssc )ssc ", lambda m: m.group(1) + a.ssc + " ", cmd)
        p = subprocess.run(run, shell=True, cwd=a.repo, capture_output=True, text=True)
        if p.returncode != 0 or p.stdout != want:
            failed += 1
            print("%s:%d: error: the output of '%s' has changed (exit %d)" %
                  (a.doc, line, cmd, p.returncode))
            sys.stdout.writelines(difflib.unified_diff(
                want.splitlines(True), p.stdout.splitlines(True), "doc", "now"))
            if p.stderr:
                print(p.stderr.rstrip())
            if p.returncode == 0:
                updates[line] = p.stdout
    print("%d quoted outputs checked, %d stale" % (checked, failed))
    if a.update and updates:
        out = []
        i = 0
        while i < len(lines):
            out.append(lines[i])
            if i + 1 in updates:
                out.append(lines[i + 1])  # the opening fence
                j = i + 2
                while j < len(lines) and not lines[j].startswith("```"):
                    j += 1
                out.append(updates[i + 1])
                i = j
                continue
            i += 1
        with open(a.doc, "w") as f:
            f.writelines(out)
        print("%d blocks updated" % len(updates))
        sys.exit(1 if failed > len(updates) else 0)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
