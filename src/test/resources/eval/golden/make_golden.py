#!/usr/bin/python3
"""Golden fixture for org.unetpipelines.eval.SegmentationMetricsGoldenTest.

Makes small synthetic ISBI-like cases (Voronoi "cells" separated by 1-2 px "membrane", label 255 =
cell, 0 = membrane) and noisy 8-bit probability maps, and records the metrics as scikit-image
computes them. Run with Debian's python3-skimage:  /usr/bin/python3 make_golden.py
"""
import json
import numpy as np
from PIL import Image
from scipy import ndimage
import skimage
from skimage.measure import label
from skimage.metrics import adapted_rand_error, variation_of_information

H = W = 64


def voronoi_truth(rng, cells):
    pts = rng.uniform(0, H, size=(cells, 2))
    yy, xx = np.mgrid[0:H, 0:W]
    d = (yy[..., None] - pts[:, 0]) ** 2 + (xx[..., None] - pts[:, 1]) ** 2
    owner = d.argmin(-1)
    edge = np.zeros((H, W), bool)
    edge[:-1, :] |= owner[:-1, :] != owner[1:, :]
    edge[:, :-1] |= owner[:, :-1] != owner[:, 1:]
    return np.where(edge, 0, 255).astype(np.uint8)


def f1(pred, truth):
    tp = np.sum(pred & truth); fp = np.sum(pred & ~truth); fn = np.sum(~pred & truth)
    return 1.0 if tp + fp + fn == 0 else 2 * tp / (2 * tp + fp + fn)


cases = []
rng = np.random.default_rng(2012)
for k, (cells, noise, blur) in enumerate([(12, 0.15, 1.0), (25, 0.35, 1.5), (6, 0.5, 0.7)]):
    truth = voronoi_truth(rng, cells)
    p = ndimage.gaussian_filter((truth > 0).astype(float), blur) + rng.normal(0, noise, (H, W))
    pred8 = np.clip(np.round(p * 255), 0, 255).astype(np.uint8)
    Image.fromarray(truth).save(f"truth_{k}.png")
    Image.fromarray(pred8).save(f"pred_{k}.png")
    prob = pred8.astype(np.float32) / np.float32(255)
    tfg = truth > 0
    pfg = prob > np.float32(0.5)
    lt = label(tfg, connectivity=1)
    lp = label(pfg, connectivity=1)
    are, prec, rec = adapted_rand_error(lt, lp)  # ignore_labels=(0,) by default
    split, merge = variation_of_information(lt, lp, ignore_labels=(0,))
    pe = 1 - max(f1(prob > np.float32(t), tfg) for t in [i / 10 for i in range(11)])
    cases.append({
        "pred": f"pred_{k}.png", "truth": f"truth_{k}.png",
        "truth_segments": int(lt.max()), "pred_segments": int(lp.max()),
        "pixel_error": float(pe), "adapted_rand_error": float(are),
        "skimage_precision": float(prec), "skimage_recall": float(rec),
        "vi_split": float(split), "vi_merge": float(merge)})
with open("golden.json", "w") as f:
    json.dump({"skimage": skimage.__version__, "cases": cases}, f, indent=1)
print(json.dumps(cases, indent=1))
