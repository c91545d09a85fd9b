#!/usr/bin/python3
"""Reference for `unet-pipelines bench augment`: the same work with scipy.ndimage.

One 512x512 image+mask pair per iteration: mirror pad (numpy 'reflect' = scipy 'mirror'), a 3x3
grid of displacements ~ N(0, sigma) upsampled to per-pixel displacement fields by cubic spline
interpolation (scipy.ndimage.zoom order 3; grid points at the corners and centre as in the Java
code), then scipy.ndimage.map_coordinates with order 3 (image) and order 0 (mask), mode 'mirror',
evaluated only at the pixels of the centre crop back to --size (what elasticdeform's `crop` does).
Run with Debian's interpreter: /usr/bin/python3 bench/elastic_scipy.py [--size 512] [--n 50]
Prints one JSON line with the same keys as the Java bench.
"""
import argparse
import json
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from scipy import ndimage  # noqa: E402


def synthetic(size, rng):
    yy, xx = np.mgrid[0:size, 0:size]
    img = (128 + 60 * np.sin(xx / 9.0) * np.cos(yy / 13.0) + rng.normal(0, 10, (size, size)))
    img = np.clip(img, 0, 255).astype(np.uint8)
    mask = ((np.sin(xx / 17.0) + np.cos(yy / 11.0)) > 0).astype(np.uint8) * 255
    return img, mask


_WEIGHTS = {}


def spline_weights(grid, n):
    """n x grid matrix: row p = weights of the grid values at pixel p (cubic spline, knots at the ends)."""
    key = (grid, n)
    if key not in _WEIGHTS:
        eye = np.eye(grid)
        _WEIGHTS[key] = np.stack([ndimage.zoom(eye[k], n / grid, order=3, mode="mirror",
                                               grid_mode=False)[:n] for k in range(grid)], axis=1)
    return _WEIGHTS[key]


def one_pair(img, mask, pad, grid, sigma, order, rng):
    size = img.shape[0]
    pimg = np.pad(img, pad, mode="reflect").astype(np.float32)
    pmask = np.pad(mask, pad, mode="reflect")
    n = pimg.shape[0]
    disp = rng.normal(0, sigma, (2, grid, grid))
    lo = (n - size) // 2
    # cubic-spline upsampling of the grid, only for the crop: the separable tensor product of
    # scipy.ndimage.zoom(order=3, mode='mirror', grid_mode=False) weights (same values as zooming
    # the whole grid, without computing pixels the crop throws away)
    w = spline_weights(grid, n)[lo:lo + size]
    dy = w @ disp[0] @ w.T
    dx = w @ disp[1] @ w.T
    yy, xx = np.mgrid[lo:lo + size, lo:lo + size].astype(np.float32)
    coords = np.array([yy + dy, xx + dx], dtype=np.float32)
    out_img = ndimage.map_coordinates(pimg, coords, order=order, mode="mirror")
    out_mask = ndimage.map_coordinates(pmask, coords, order=0, mode="mirror")
    return out_img, out_mask


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--n", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--pad", type=int, default=64)
    ap.add_argument("--grid", type=int, default=3)
    ap.add_argument("--sigma", type=float, default=10.0)
    ap.add_argument("--order", type=int, default=3)
    a = ap.parse_args()
    rng = np.random.default_rng(42)
    img, mask = synthetic(a.size, rng)
    times = []
    for i in range(a.warmup + a.n):
        t0 = time.perf_counter()
        one_pair(img, mask, a.pad, a.grid, a.sigma, a.order, rng)
        t1 = time.perf_counter()
        if i >= a.warmup:
            times.append((t1 - t0) * 1000)
    times.sort()

    def pct(q):  # linear interpolation, as the Java bench (commons-math3 R_7 = numpy's default)
        return float(np.percentile(times, q * 100))

    p50 = pct(0.5)
    print(json.dumps({
        "bench": "augment", "impl": "scipy", "size": a.size, "pad": a.pad, "grid": a.grid, "sigma": a.sigma,
        "image_order": a.order, "threads": 1, "n": len(times), "ms_per_pair": round(p50, 3),
        "mean_ms": round(float(np.mean(times)), 3), "p50_ms": round(p50, 3), "p90_ms": round(pct(0.9), 3),
        "min_ms": round(times[0], 3), "pairs_per_s": round(1000.0 / p50, 3), "source": "synthetic"}))


if __name__ == "__main__":
    main()
