"""The zoo's model files and the per-model result lines of the scripts that
check them (zoo_check.py, check_invariants.py)."""

import os


def zoo_files(models):
    """(group, file) for every models/<group>/<file>.arch, sorted."""
    files = []
    for group in sorted(os.listdir(models)):
        d = os.path.join(models, group)
        if os.path.isdir(d):
            files += [(group, f) for f in sorted(os.listdir(d)) if f.endswith(".arch")]
    return files


def print_results(results):
    """Prints "group/name: problem" per problem, or "group/name: ok", for
    each ((group, file), problems); returns how many models have problems."""
    failed = 0
    for (group, f), problems in results:
        name = f"{group}/{f[:-len('.arch')]}"
        if problems:
            failed += 1
            for p in problems:
                print(f"{name}: {p}")
        else:
            print(f"{name}: ok")
    return failed
