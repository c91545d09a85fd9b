#!/usr/bin/python3
"""Reference values for org.unetpipelines.grid (GridStatisticsFixtureTest), computed with scipy.stats
and statsmodels, independently of the Java code. Debian: apt-get install python3-scipy python3-statsmodels.

    /usr/bin/python3 src/test/resources/grid/make_fixtures.py > src/test/resources/grid/fixtures.json

Versions used for the committed fixtures are recorded in the output ("versions").
The inputs are rounded to 4 decimals and written to the file, so Java reads exactly the same numbers.
"""
import json
import sys
import warnings

import numpy as np
import scipy
import scipy.stats as st
import statsmodels
from statsmodels.stats.multitest import multipletests

warnings.simplefilter("ignore")  # scipy warns for small-n normal approximations; the values are what we want

WILCOXON_EXACT_MAX_N = 20  # the Java rule: exact when n_nonzero <= 20, no zeros, no ties among |d|
CONF = 0.95


def r4(x):
    return [round(float(v), 4) for v in x]


def t_interval(x):
    x = np.asarray(x)
    lo, hi = st.t.interval(CONF, len(x) - 1, loc=x.mean(), scale=st.sem(x))
    return [float(lo), float(hi)]


def bootstrap(x):
    res = st.bootstrap((np.asarray(x),), np.mean, confidence_level=CONF, method="percentile",
                       n_resamples=200000, random_state=np.random.default_rng(7), vectorized=True)
    return [float(res.confidence_interval.low), float(res.confidence_interval.high)]


def cohens_d(a, b):
    a, b = np.asarray(a), np.asarray(b)
    na, nb = len(a), len(b)
    va = a.var(ddof=1) if na > 1 else 0.0
    vb = b.var(ddof=1) if nb > 1 else 0.0
    sp = np.sqrt(((na - 1) * va + (nb - 1) * vb) / (na + nb - 2))
    return float((a.mean() - b.mean()) / sp)


def wilcoxon(a, b):
    d = np.asarray(a) - np.asarray(b)
    nz = d[d != 0]
    zeros = len(d) - len(nz)
    ties = len(np.unique(np.abs(nz))) < len(nz)
    exact = zeros == 0 and not ties and len(nz) <= WILCOXON_EXACT_MAX_N
    if exact:
        res = st.wilcoxon(a, b, zero_method="wilcox", method="exact")
    else:
        res = st.wilcoxon(a, b, zero_method="wilcox", correction=True, method="approx")
    return {"statistic": float(res.statistic), "p": float(res.pvalue), "exact": bool(exact)}


def case(name, a, b, range_=None):
    a, b = r4(a), r4(b)
    out = {"name": name, "a": a, "b": b}
    for key, x in (("a", a), ("b", b)):
        x = np.asarray(x)
        out["summary_" + key] = {"n": len(x), "mean": float(x.mean()), "std": float(x.std(ddof=1)),
                                 "t_interval": t_interval(x), "bootstrap": bootstrap(x)}
    w = st.ttest_ind(a, b, equal_var=False)
    out["welch"] = {"statistic": float(w.statistic), "p": float(w.pvalue)}
    out["cohens_d"] = cohens_d(a, b)
    if len(a) == len(b):
        pt = st.ttest_rel(a, b)
        out["paired"] = {"statistic": float(pt.statistic), "p": float(pt.pvalue)}
        out["wilcoxon"] = wilcoxon(a, b)
    if range_ is not None:
        out["range"] = range_
    return out


rng = np.random.default_rng(20240612)
cases = [
    case("three_seeds", 0.80 + 0.02 * rng.standard_normal(3), 0.83 + 0.02 * rng.standard_normal(3)),
    case("five_seeds", 0.70 + 0.05 * rng.standard_normal(5), 0.74 + 0.04 * rng.standard_normal(5)),
    case("eight_seeds", 0.10 + 0.01 * rng.standard_normal(8), 0.095 + 0.012 * rng.standard_normal(8)),
    case("twenty_runs", 0.85 + 0.03 * rng.standard_normal(20), 0.87 + 0.03 * rng.standard_normal(20)),
    case("twenty_five_runs", 0.85 + 0.03 * rng.standard_normal(25), 0.86 + 0.03 * rng.standard_normal(25)),
    # ties among |a - b| (0.01 twice) and one zero difference: normal approximation
    case("ties_and_zero", [0.50, 0.52, 0.55, 0.60, 0.61, 0.70, 0.72, 0.80, 0.81, 0.90, 0.93, 0.95],
         [0.49, 0.51, 0.55, 0.58, 0.64, 0.66, 0.73, 0.77, 0.79, 0.86, 0.90, 0.96]),
    case("unequal_n", 3.0 + rng.standard_normal(4), 2.2 + 1.5 * rng.standard_normal(6)),
    # an IoU close to 1 with a wide spread: the t interval leaves [0, 1], the bootstrap one does not
    # W+ = W- = 5 (n = 4): the exact two-sided p-value 2 P(W >= 5) exceeds 1 and is capped
    case("centre", [0.51, 0.48, 0.47, 0.54], [0.50, 0.501, 0.499, 0.50]),
    case("near_upper_bound", [0.999, 0.97, 0.9995, 0.90, 0.998], [0.99, 0.995, 0.985, 0.992, 0.99], [0.0, 1.0]),
]
for c in cases:
    if "wilcoxon" in c:
        assert c["name"] != "ties_and_zero" or not c["wilcoxon"]["exact"]

holm_p = [0.01, 0.04, 0.03, 0.005, 0.5, 0.04, 0.2]
holm = {"p": holm_p, "adjusted": [float(v) for v in multipletests(holm_p, method="holm")[1]]}

# A whole grid: cells unet (baseline), unetpp, wide; seeds 1..5; metrics iou, pixel_error.
# wide lacks seed 5 for both metrics, so its paired tests use seeds 1..4.
grid_obs = []
means = {"unet": (0.80, 0.10), "unetpp": (0.83, 0.09), "wide": (0.81, 0.095)}
for cell, (iou, pe) in means.items():
    for seed in range(1, 6):
        if cell == "wide" and seed == 5:
            continue
        grid_obs.append({"metric": "iou", "cell": cell, "replicate": str(seed),
                         "value": round(float(iou + 0.02 * rng.standard_normal()), 4)})
        grid_obs.append({"metric": "pixel_error", "cell": cell, "replicate": str(seed),
                         "value": round(float(pe + 0.01 * rng.standard_normal()), 4)})


def runs(metric, cell):
    return {o["replicate"]: o["value"] for o in grid_obs if o["metric"] == metric and o["cell"] == cell}


rows = []
for metric in ["iou", "pixel_error"]:
    base = runs(metric, "unet")
    for cell in ["unetpp", "wide"]:
        other = runs(metric, cell)
        a, b = list(other.values()), list(base.values())
        w = st.ttest_ind(a, b, equal_var=False)
        rows.append({"metric": metric, "cell_a": cell, "cell_b": "unet", "n_a": len(a), "n_b": len(b),
                     "mean_a": float(np.mean(a)), "mean_b": float(np.mean(b)),
                     "diff": float(np.mean(a) - np.mean(b)), "test": "welch_t",
                     "statistic": float(w.statistic), "p_value": float(w.pvalue), "effect_size": cohens_d(a, b)})
        common = sorted(set(other) & set(base))
        pa, pb = [other[s] for s in common], [base[s] for s in common]
        pt = st.ttest_rel(pa, pb)
        wx = wilcoxon(pa, pb)
        for test, stat, p in (("paired_t", pt.statistic, pt.pvalue), ("wilcoxon", wx["statistic"], wx["p"])):
            rows.append({"metric": metric, "cell_a": cell, "cell_b": "unet", "n_a": len(pa), "n_b": len(pb),
                         "mean_a": float(np.mean(pa)), "mean_b": float(np.mean(pb)),
                         "diff": float(np.mean(pa) - np.mean(pb)), "test": test,
                         "statistic": float(stat), "p_value": float(p), "effect_size": cohens_d(pa, pb)})
# Holm within (metric, test)
for metric in ["iou", "pixel_error"]:
    for test in ["welch_t", "paired_t", "wilcoxon"]:
        fam = [r for r in rows if r["metric"] == metric and r["test"] == test]
        adj = multipletests([r["p_value"] for r in fam], method="holm")[1]
        for r, v in zip(fam, adj):
            r["p_holm"] = float(v)
# The Java order: per metric, per cell (grid order), welch_t, paired_t, wilcoxon -- already so.

json.dump({"versions": {"scipy": scipy.__version__, "numpy": np.__version__, "statsmodels": statsmodels.__version__,
                        "python": sys.version.split()[0]},
           "confidence": CONF, "cases": cases, "holm": holm,
           "grid": {"baseline": "unet", "cells": ["unet", "unetpp", "wide"], "observations": grid_obs,
                    "comparisons": rows}},
          sys.stdout, indent=1, allow_nan=False)
sys.stdout.write("\n")
