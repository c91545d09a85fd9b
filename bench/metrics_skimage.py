#!/usr/bin/python3
"""Side-by-side reference for `unet-pipelines bench eval-metrics`, with scikit-image.

Makes a deterministic noisy prediction for every ISBI 2012 training label (Gaussian blur sigma 2 of
the mask + N(0, 0.25) noise, clipped, 8-bit PNG in --out), then on the same files:
  * scikit-image: label(fg, connectivity=1) of truth and prediction (p > 0.5), adapted_rand_error,
    variation_of_information(ignore_labels=(0,)), and the ISBI pixel error (1 - max F1 over
    t = 0.0..1.0 step 0.1) in numpy -- timed per image, median over --repeat passes, one thread;
  * Java: `./unet-pipelines bench eval-metrics` (all 18 metrics, a superset), same timing rule;
and prints one JSON line: both timings and the largest absolute difference of each value.
Run from the repository root: /usr/bin/python3 bench/metrics_skimage.py
"""
import argparse
import glob
import json
import os
import subprocess
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402
from scipy import ndimage  # noqa: E402
from skimage.measure import label  # noqa: E402
from skimage.metrics import adapted_rand_error, variation_of_information  # noqa: E402


def f1(pred, truth):
    tp = np.count_nonzero(pred & truth)
    fp = np.count_nonzero(pred & ~truth)
    fn = np.count_nonzero(~pred & truth)
    return 1.0 if tp + fp + fn == 0 else 2 * tp / (2 * tp + fp + fn)


def metrics(prob, truth_fg):
    lt = label(truth_fg, connectivity=1)
    lp = label(prob > np.float32(0.5), connectivity=1)
    are = adapted_rand_error(lt, lp)[0]
    split, merge = variation_of_information(lt, lp, ignore_labels=(0,))
    pe = 1 - max(f1(prob > np.float32(t / 10), truth_fg) for t in range(11))
    return {"pixel_error": pe, "adapted_rand_error": are, "vi_split": split, "vi_merge": merge}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--truth", default="../shared/data/isbi2012/train/labels/*.png")
    ap.add_argument("--out", default="/tmp/unet-eval-bench/pred")
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    truths = sorted(glob.glob(a.truth))
    os.makedirs(a.out, exist_ok=True)
    rng = np.random.default_rng(2012)
    pairs = []
    for t in truths:
        mask = np.asarray(Image.open(t)) > 0
        p = ndimage.gaussian_filter(mask.astype(float), 2.0) + rng.normal(0, 0.25, mask.shape)
        p8 = np.clip(np.round(p * 255), 0, 255).astype(np.uint8)
        Image.fromarray(p8).save(os.path.join(a.out, os.path.basename(t)))
        pairs.append((os.path.basename(t), p8.astype(np.float32) / np.float32(255), mask))
    values = {n: metrics(p, m) for n, p, m in pairs}  # warm-up pass, keeps the values
    times = []
    for _ in range(a.repeat):
        t0 = time.perf_counter()
        for _, p, m in pairs:
            metrics(p, m)
        times.append((time.perf_counter() - t0) * 1000 / len(pairs))
    java = subprocess.run(["./unet-pipelines", "bench", "eval-metrics", "--pred", a.out, "--truth", a.truth,
                           "--repeat", str(a.repeat)], check=True, capture_output=True, text=True)
    j = json.loads(java.stdout.strip().splitlines()[-1])
    diff = {k: max(abs(values[n][k] - j["values"][n][k]) for n in values) for k in values[truths and
            os.path.basename(truths[0])]}
    print(json.dumps({"images": len(pairs), "repeat": a.repeat,
                      "skimage_ms_per_image_median": float(np.median(times)),
                      "java_ms_per_image_median": j["ms_per_image_median"],
                      "max_abs_diff": diff,
                      "mean_skimage": {k: float(np.mean([v[k] for v in values.values()])) for k in diff}}))


if __name__ == "__main__":
    main()
