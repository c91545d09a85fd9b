#!/usr/bin/python3
"""Reference for `unet-pipelines bench border-weights`: the U-Net border weight map with scipy.

For each label mask (cells = 4-connected components of mask > 0, scipy.ndimage.label's default
cross structure): one scipy.ndimage.distance_transform_edt per cell over the whole image, keeping the
smallest and second smallest distance per pixel, then
    w = w_c + w0 * exp(-(d1 + d2)^2 / (2 sigma^2)),  w_c = n / (2 n_class)  (class balancing),
no border term with fewer than two cells. Timed per image (median over --repeat passes after
--warmup untimed ones), one thread. With --compare DIR it also reports the largest absolute
difference from the Java maps that `bench border-weights --dump DIR` wrote (<stem>.f32, float32 LE).
Run with Debian's interpreter: /usr/bin/python3 bench/border_weights_scipy.py --masks 'GLOB' [...]
Prints one JSON line with the same keys as the Java bench.
"""
import argparse
import glob
import json
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402
from scipy import ndimage  # noqa: E402


def weight_map(mask, w0, sigma):
    fg = mask > 0
    labels, cells = ndimage.label(fg)
    n = fg.size
    nfg = int(np.count_nonzero(fg))
    wc = np.where(fg, n / (2.0 * nfg) if nfg else np.inf, n / (2.0 * (n - nfg)) if n > nfg else np.inf)
    if cells < 2 or w0 == 0:
        return wc.astype(np.float32), cells
    d1 = np.full(fg.shape, np.inf)
    d2 = np.full(fg.shape, np.inf)
    for k in range(1, cells + 1):
        d = ndimage.distance_transform_edt(labels != k)
        np.minimum(d2, np.maximum(d1, d), out=d2)
        np.minimum(d1, d, out=d1)
    s = d1 + d2
    return (wc + w0 * np.exp(-s * s / (2.0 * sigma * sigma))).astype(np.float32), cells


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--masks", nargs="+", required=True, help="globs or files of label masks")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--w0", type=float, default=10.0)
    ap.add_argument("--sigma", type=float, default=5.0)
    ap.add_argument("--compare", help="folder of Java maps (<stem>.f32) to compare with")
    a = ap.parse_args()
    files = []
    for g in a.masks:
        files.extend(sorted(glob.glob(g)) if any(c in g for c in "*?[") else [g])
    if not files:
        raise SystemExit("border_weights_scipy.py: no masks match " + " ".join(a.masks))
    masks = [np.array(Image.open(f)) for f in files]
    masks = [m[..., 0] if m.ndim == 3 else m for m in masks]
    times = [[] for _ in files]
    cells = [0] * len(files)
    max_diff = 0.0
    for p in range(a.warmup + a.repeat):
        for i, m in enumerate(masks):
            t0 = time.perf_counter()
            w, cells[i] = weight_map(m, a.w0, a.sigma)
            t1 = time.perf_counter()
            if p >= a.warmup:
                times[i].append((t1 - t0) * 1000)
            if p == 0 and a.compare:
                stem = os.path.splitext(os.path.basename(files[i]))[0]
                java = np.fromfile(os.path.join(a.compare, stem + ".f32"), dtype="<f4").reshape(w.shape)
                max_diff = max(max_diff, float(np.max(np.abs(java - w))))
    per = [float(np.median(t)) for t in times]  # median, numpy's linear interpolation = bench/Stats (R_7)
    out = {"bench": "border-weights", "impl": "scipy", "images": len(files), "repeat": a.repeat, "warmup": a.warmup,
           "w0": a.w0, "sigma": a.sigma, "threads": 1,
           "ms_per_image_median": round(float(np.percentile(per, 50)), 3),
           "ms_per_image_p90": round(float(np.percentile(per, 90)), 3),
           "ms_per_image_max": round(max(per), 3),
           "per_image": [{"name": f, "cells": c, "ms": round(t, 3)} for f, c, t in zip(files, cells, per)]}
    if a.compare:
        out["max_abs_diff_vs_java"] = max_diff
    print(json.dumps(out))


if __name__ == "__main__":
    main()
