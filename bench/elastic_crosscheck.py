#!/usr/bin/python3
"""Checks the Java elastic deformation against scipy.ndimage on the same input and lattice.

    java -jar target/unet-pipelines.jar bench augment --n 1 --dump /tmp/elastic-dump \
        [--image ../shared/data/isbi2012/train/images/slice03.png --mask ../shared/data/isbi2012/train/labels/slice03.png]
    /usr/bin/python3 bench/elastic_crosscheck.py /tmp/elastic-dump

Rebuilds the per-pixel displacement from the dumped 3x3 lattice with scipy's cubic-spline zoom
weights, samples the dumped padded image with map_coordinates(order=3, mode='mirror') and the mask
with order 0, and prints one JSON line: the largest and mean absolute image difference and the number
of mask pixels that differ.
"""
import json
import os
import sys

import numpy as np
from scipy import ndimage

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from elastic_scipy import spline_weights  # noqa: E402

d = sys.argv[1]
meta = json.load(open(os.path.join(d, "meta.json")))
n, size, g, y0, x0 = meta["padded"], meta["size"], meta["grid"], meta["y0"], meta["x0"]
img = np.fromfile(os.path.join(d, "padded_image.f32"), "<f4").reshape(n, n).astype(np.float64)
mask = np.fromfile(os.path.join(d, "padded_mask.f32"), "<f4").reshape(n, n)
out = np.fromfile(os.path.join(d, "out_image.f32"), "<f4").reshape(size, size)
out_mask = np.fromfile(os.path.join(d, "out_mask.f32"), "<f4").reshape(size, size)
lat = np.fromfile(os.path.join(d, "lattice.f64"), "<f8").reshape(2, g, g)
wy = spline_weights(g, n)[y0:y0 + size]
wx = spline_weights(g, n)[x0:x0 + size]
yy, xx = np.mgrid[y0:y0 + size, x0:x0 + size].astype(np.float64)
coords = [yy + wy @ lat[0] @ wx.T, xx + wy @ lat[1] @ wx.T]
order = 3 if meta["order"] == "cubic" else 1
ref = ndimage.map_coordinates(img, coords, order=order, mode="mirror")
ref_mask = ndimage.map_coordinates(mask, coords, order=0, mode="mirror")
diff = np.abs(ref - out)
print(json.dumps({"check": "elastic-vs-scipy", "image_order": order, "max_abs_diff": float(diff.max()),
                  "mean_abs_diff": float(diff.mean()), "mask_pixels_differing": int((ref_mask != out_mask).sum()),
                  "pixels": int(out.size)}))
