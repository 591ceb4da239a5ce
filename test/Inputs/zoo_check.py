#!/usr/bin/env python3
"""Checks every model file of the zoo.

    zoo_check.py SSC MODELS_DIR TMP_DIR

For each MODELS_DIR/<group>/<name>.arch, in sorted order:
  - the group is dense, moe or edge, and the file defines one model named
    <name> (tools and tests refer to models by file name);
  - the file starts with a comment and gives `source = "..."`;
  - it compiles without warnings (-Werror) to --emit=model and
    --emit=summary;
  - --emit=ast round-trips: printing, parsing the print and printing again
    gives the same text; the same holds for --emit=model, the checked form
    with every default explicit.
Prints `<group>/<name>: ok` or the problems found, then a count; exits 1 if
any file fails."""
import os
import re
import subprocess
import sys

from zoo_models import print_results, zoo_files

GROUPS = ("dense", "moe", "edge")


def run(ssc, args):
    p = subprocess.run([ssc, "-Werror"] + args, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def round_trip(ssc, path, emit, tmp):
    rc, first, err = run(ssc, [path, "--emit=" + emit])
    if rc != 0:
        return f"--emit={emit} failed: {err.strip()}"
    with open(tmp, "w") as f:
        f.write(first)
    rc, second, err = run(ssc, [tmp, "--emit=" + emit])
    if rc != 0:
        return f"--emit={emit} output does not parse back: {err.strip()}"
    if first != second:
        return f"--emit={emit} does not round-trip"
    return None


def check(ssc, models, group, file, tmp_dir):
    path = os.path.join(models, group, file)
    name = file[: -len(".arch")]
    problems = []
    if group not in GROUPS:
        problems.append(f"group '{group}' is not one of {', '.join(GROUPS)}")
    with open(path) as f:
        text = f.read()
    if not text.startswith("//"):
        problems.append("the file does not start with a comment citing its source")
    declared = re.findall(r"^model\s+(\S+)\s*\{", text, re.M)
    if declared != [name]:
        problems.append(f"defines models {declared}, expected exactly '{name}'")
    if not re.search(r'^\s*source\s*=\s*"[^"]+";', text, re.M):
        problems.append("no 'source = \"...\";'")
    rc, _, err = run(ssc, [path, "--emit=summary", "--format=json"])
    if rc != 0:
        problems.append(f"--emit=summary failed: {err.strip()}")
    for emit in ("ast", "model"):
        tmp = os.path.join(tmp_dir, f"{group}-{name}.{emit}.arch")
        problem = round_trip(ssc, path, emit, tmp)
        if problem:
            problems.append(problem)
    return problems


def main(argv):
    ssc, models, tmp_dir = argv[1:4]
    os.makedirs(tmp_dir, exist_ok=True)
    files = zoo_files(models)
    failed = print_results(((group, file), check(ssc, models, group, file, tmp_dir))
                           for group, file in files)
    print(f"{len(files)} model files, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
