#!/usr/bin/env python3
"""Markdown tables of a finished grid, for REPRODUCTIONS.md (stdlib only).

Usage: bench/grid_markdown.py OUT/grid METRIC [METRIC...]
Prints, per metric, one row per cell (mean +- std, n, 95 % CI) and, for each comparison in
comparisons.csv, the difference with the paired t-test, Wilcoxon and Welch p-values (Holm-adjusted
in brackets) and Cohen's d. Reads grid/summary.csv, grid/comparisons.csv and grid/cells.json.
"""
import csv
import json
import os
import sys


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def fmt(x, digits=4):
    return f"{float(x):.{digits}f}"


def main(grid, metrics):
    summary = rows(os.path.join(grid, "summary.csv"))
    comparisons = rows(os.path.join(grid, "comparisons.csv"))
    cells = json.load(open(os.path.join(grid, "cells.json")))
    done = sum(c["status"] == "complete" for c in cells)
    print(f"{done} of {len(cells)} cells complete"
          + "".join(f"; {c['cell']} {c['status']}: {c['reason']}" for c in cells if c["status"] != "complete"))
    for m in metrics:
        print(f"\n**{m}**\n")
        print("| cell | n | mean ± std | 95 % CI |")
        print("| --- | ---: | ---: | --- |")
        for r in summary:
            if r["metric"] == m:
                print(f"| {r['cell']} | {r['n']} | {fmt(r['mean'])} ± {fmt(r['std'])} | "
                      f"[{fmt(r['ci_low'])}, {fmt(r['ci_high'])}] ({r['ci_method']}) |")
        pairs = {}
        for r in comparisons:
            if r["metric"] == m:
                pairs.setdefault((r["cell_a"], r["cell_b"]), {})[r["test"]] = r
        if not pairs:
            continue
        print("\n| a vs b | diff (a − b) | paired t p (Holm) | Wilcoxon p (Holm) | Welch p (Holm) | Cohen's d |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        for (a, b), tests in pairs.items():
            any_test = next(iter(tests.values()))

            def p(name):
                t = tests.get(name)
                return "–" if t is None or t["p_value"] in ("", "NaN") else f"{float(t['p_value']):.3g} ({float(t['p_holm']):.3g})"

            print(f"| {a} vs {b} | {float(any_test['diff']):+.4f} | {p('paired_t')} | {p('wilcoxon')} | {p('welch_t')} | "
                  f"{float(any_test['effect_size']):.2f} |")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:])
