#!/usr/bin/env python3
"""Checks parameter counts in `ssc --emit=summary --format=json` output
against officially stated figures.

    check_params.py SUMMARY.json CHECK...

Each CHECK is `EXPR=FIGURE[@TOL]`:

  EXPR    `total` or `active`, optionally followed by `+NAME` or `-NAME`
          terms, where NAME is a parameter group of the summary
          ("embedding", "lm_head", ...; the group's total for `total`, its
          active count for `active`) or a plain integer. Vendors differ in
          what they count: DeepSeek and OpenAI leave the input embedding out
          of active parameters (`active-embedding`); a figure that includes
          a vision encoder the zoo file does not model adds its size.
  FIGURE  the stated figure as written: 8.03B, 235B, 1T, 68976648192.
  TOL     `N%` of the figure, or `round` (the default): the figure's own
          rounding, half a unit of its last digit (235B: 234.5B to 235.5B),
          or `trunc`: the figure is truncated (3.3B: 3.3B to 3.4B).

Exits 1 and says why when any check fails."""
import json
import re
import sys
from decimal import Decimal

SUFFIX = {"": 1, "K": 10**3, "M": 10**6, "B": 10**9, "T": 10**12}


def parse_figure(text):
    m = re.fullmatch(r"(\d+(?:\.(\d+))?)([KMBT]?)", text)
    if not m:
        raise ValueError(f"bad figure '{text}' (expected e.g. 8.03B or 235B)")
    value = Decimal(m.group(1)) * SUFFIX[m.group(3)]
    unit = Decimal(10) ** -len(m.group(2) or "") * SUFFIX[m.group(3)]
    return value, unit


def evaluate(expr, summary):
    m = re.fullmatch(r"(total|active)((?:[+-][A-Za-z_0-9]+)*)", expr)
    if not m:
        raise ValueError(f"bad expression '{expr}'")
    kind = m.group(1)
    value = summary["params_" + kind]
    for sign, name in re.findall(r"([+-])([A-Za-z_0-9]+)", m.group(2)):
        if name.isdigit():
            term = int(name)
        elif name in summary["params"]:
            term = summary["params"][name][kind]
        else:
            raise ValueError(f"unknown parameter group '{name}'")
        value += term if sign == "+" else -term
    return value


def check(spec, summary):
    lhs, _, rhs = spec.partition("=")
    figure_text, _, tol = rhs.partition("@")
    got = Decimal(evaluate(lhs, summary))
    figure, unit = parse_figure(figure_text)
    tol = tol or "round"
    if tol == "round":
        low, high = figure - unit / 2, figure + unit / 2
    elif tol == "trunc":
        low, high = figure, figure + unit
    elif tol.endswith("%"):
        delta = figure * Decimal(tol[:-1]) / 100
        low, high = figure - delta, figure + delta
    else:
        raise ValueError(f"bad tolerance '{tol}'")
    ok = low <= got < high if tol in ("round", "trunc") else low <= got <= high
    verdict = "ok" if ok else "FAIL"
    print(f"{verdict}: {lhs} = {int(got):,} (stated {figure_text}, "
          f"accepted {int(low):,} to {int(high):,})")
    return ok


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    with open(argv[1]) as f:
        summary = json.load(f)
    results = [check(spec, summary) for spec in argv[2:]]
    return 0 if all(results) else 1


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except (ValueError, KeyError) as e:
        sys.stderr.write(f"check_params: {e}\n")
        sys.exit(2)
