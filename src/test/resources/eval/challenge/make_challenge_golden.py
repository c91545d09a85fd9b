#!/usr/bin/python3
"""Golden fixture for org.unetpipelines.eval.ChallengeMetricsGoldenTest.

The ISBI challenge scores (definitions: ../shared/MODELS.md section 4.3) computed in Python on the
probability maps / truths of ../golden/ (Voronoi cells, noisy 8-bit maps) and one extra case below
(file names in the JSON are relative to eval/):
  - independent of the Java code: segments by skimage.measure.label(connectivity=1); border thinning
    by skimage.segmentation.watershed of the inverted binary map (markers = the 4-connected
    foreground components, connectivity=1, watershed_line=True, label 0 = line); the
    foreground-restricted contingency table (proposal label 0 = singletons), V_rand, V_info and the
    2012 Rand F-score (Fiji's precision/recall conventions) with numpy -> "*_skimage" values;
  - skimage's priority-queue flooding places some lines differently from the challenge's
    Vincent-Soille FIFO flooding (Fiji's WatershedTransform2D) where two basins reach a pixel at
    the same time. thin_fifo() below is a second implementation of the latter (same conventions as
    org.unetpipelines.eval.BorderThinning) -> "v_rand"/"v_info" values; "lines_equal" says per
    threshold whether the two thinnings agree (there the Java values must equal skimage's);
  - warp() is a second implementation of the simple-point warping (org.unetpipelines.eval.WarpingError)
    with the topological numbers from scipy.ndimage.label on each 3x3 patch.
Thresholds as the challenge's script: t = 0.0; t <= 1.0; t += 0.1, foreground = float32 p > t in
double. Run with Debian's python3-skimage:  /usr/bin/python3 make_challenge_golden.py
"""
import json
from collections import deque
import numpy as np
from PIL import Image
from scipy import ndimage
import skimage
from skimage.measure import label
from skimage.segmentation import watershed

THRESHOLDS = []
t = 0.0
while t <= 1.0:
    THRESHOLDS.append(t)
    t += 0.1


def table(gt, prop):
    """Sums of the foreground-restricted table: n, sum a^2, sum b^2, sum p^2, H(A), H(B), H(A,B)."""
    fg = gt > 0
    a_lab = gt[fg].astype(np.int64)
    b_lab = prop[fg].astype(np.int64)
    n = float(a_lab.size)
    single = b_lab == 0
    # every proposal-0 pixel is its own segment
    b_lab = b_lab.copy()
    b_lab[single] = b_lab.max() + 1 + np.arange(single.sum())
    _, a_counts = np.unique(a_lab, return_counts=True)
    _, b_counts = np.unique(b_lab, return_counts=True)
    _, ab_counts = np.unique(a_lab * (b_lab.max() + 1) + b_lab, return_counts=True)
    pa, pb, pab = a_counts / n, b_counts / n, ab_counts / n
    ent = lambda p: float(-(p * np.log(p)).sum())
    return n, float((pa ** 2).sum()), float((pb ** 2).sum()), float((pab ** 2).sum()), ent(pa), ent(pb), ent(pab)


def fscore(tp, fp, fn):
    prec = 1.0 if fp == 0 else tp / (tp + fp)
    rec = 1.0 if fn == 0 else tp / (tp + fn)
    return 2 * prec * rec / (prec + rec) if prec + rec > 0 else 0.0


def rand_counts(tab):
    n, a2, b2, ab2 = tab[:4]
    tp = n * n * ab2
    return tp, n * n * b2 - tp, n * n * a2 - tp


def v_info(tab):
    ha, hb, hab = tab[4], tab[5], tab[6]
    mi = ha + hb - hab
    if ha == 0 or hb == 0:
        return 0.0
    prec, rec = mi / ha, mi / hb
    return 2 * prec * rec / (prec + rec) if prec + rec > 0 else 0.0


def thin_fifo(fg):
    """Vincent-Soille flooding of the inverted binary map, 4-connected, column-major pixel order,
    neighbours (x-1,y), (x,y-1), (x+1,y), (x,y+1), one 'watershed next to watershed' flag per run."""
    INIT, MASK, INQ, WSHED = -1, -2, -3, 0
    H, W = fg.shape
    lab = np.full((H, W), INIT, np.int64)
    levels = [[(y, x) for x in range(W) for y in range(H) if fg[y, x]],
              [(y, x) for x in range(W) for y in range(H) if not fg[y, x]]]

    def nbs(y, x):
        for (yy, xx) in ((y, x - 1), (y - 1, x), (y, x + 1), (y + 1, x)):
            if 0 <= yy < H and 0 <= xx < W:
                yield yy, xx
    nxt, flag = 0, False
    for lev in levels:
        q = deque()
        for (y, x) in lev:
            lab[y, x] = MASK
            if any(lab[u, v] >= WSHED for (u, v) in nbs(y, x)):
                q.append((y, x))
                lab[y, x] = INQ
        while q:
            y, x = q.popleft()
            for (u, v) in nbs(y, x):
                if lab[u, v] > 0:
                    if lab[y, x] == INQ or (lab[y, x] == WSHED and flag):
                        lab[y, x] = lab[u, v]
                    elif lab[y, x] > 0 and lab[y, x] != lab[u, v]:
                        lab[y, x], flag = WSHED, False
                elif lab[u, v] == WSHED:
                    if lab[y, x] == INQ:
                        lab[y, x], flag = WSHED, True
                elif lab[u, v] == MASK:
                    lab[u, v] = INQ
                    q.append((u, v))
        for (y, x) in lev:
            if lab[y, x] == MASK:
                nxt += 1
                lab[y, x] = nxt
                q = deque([(y, x)])
                while q:
                    a, b = q.popleft()
                    for (u, v) in nbs(a, b):
                        if lab[u, v] == MASK:
                            lab[u, v] = nxt
                            q.append((u, v))
    lab[lab < 0] = 0
    return lab


FOUR = ndimage.generate_binary_structure(2, 1)
EIGHT = ndimage.generate_binary_structure(2, 2)


def simple(patch):
    """4-connected foreground / 8-connected background simple point: T4 = 1 and T8(background) = 1."""
    f = patch.astype(bool).copy()
    f[1, 1] = False
    lab, _ = ndimage.label(f, FOUR)
    t4 = len({lab[0, 1], lab[1, 0], lab[1, 2], lab[2, 1]} - {0})
    b = ~patch.astype(bool)
    b[1, 1] = False
    _, t8 = ndimage.label(b, EIGHT)
    return t4 == 1 and t8 == 1


def warp(prob, truth, t):
    """Remaining mismatches after warping truth toward prob > t by simple-pixel flips, most
    confident (float32 |p - t|) first, ties column-major; passes until one flips nothing."""
    H, W = truth.shape
    src = np.zeros((H + 2, W + 2), np.uint8)
    src[1:-1, 1:-1] = truth
    target = prob.astype(np.float64) > t
    order = [(y, x) for x in range(W) for y in range(H) if truth[y, x] != target[y, x]]
    conf = [np.float32(abs(float(prob[y, x]) - t)) for (y, x) in order]
    pending = [order[i] for i in sorted(range(len(order)), key=lambda i: -conf[i])]  # stable
    changed = True
    while changed and pending:
        changed, kept = False, []
        for (y, x) in pending:
            if simple(src[y:y + 3, x:x + 3]):
                src[y + 1, x + 1] ^= 1
                changed = True
            else:
                kept.append((y, x))
        pending = kept
    return len(pending)


def scores(prob, truth):
    gt = label(truth, connectivity=1)
    p64 = prob.astype(np.float64)
    out = {k: [] for k in ("v_rand_skimage", "v_info_skimage", "v_rand", "v_info", "lines_equal", "rand2012_f",
                           "warping")}
    for t in THRESHOLDS:
        fg = p64 > t
        markers = label(fg, connectivity=1)
        if markers.max() == 0:
            sk = np.ones(fg.shape, np.int64)  # no foreground: one segment
        else:
            sk = watershed((~fg).astype(np.uint8), markers=markers, connectivity=1, watershed_line=True)
        fifo = thin_fifo(fg)
        for name, thinned in (("_skimage", sk), ("", fifo)):
            tab = table(gt, thinned)
            out["v_rand" + name].append(fscore(*rand_counts(tab)))
            out["v_info" + name].append(v_info(tab))
        out["lines_equal"].append(bool(np.array_equal(sk == 0, fifo == 0)))
        out["rand2012_f"].append(fscore(*rand_counts(table(gt, markers))))
        out["warping"].append(warp(prob, truth, t) / truth.size)
    return out


def best_max(v):
    best, bi = 0.0, 0
    for i, x in enumerate(v):
        if x > best:
            best, bi = x, i
    return bi


def extra_cases():
    """A 1-pixel-membrane grid with a split cell and a missing membrane, as a 16-bit map."""
    H = W = 40
    truth = np.full((H, W), 255, np.uint8)
    truth[::10, :] = 0
    truth[:, ::10] = 0
    p = (truth > 0).astype(np.float64) * 0.8 + 0.1
    p[15, 12:19] = 0.05        # a false membrane across one cell (split)
    p[20, 21:29] = 0.7         # a missed membrane (merge)
    p[30:33, 3:8] = 0.35       # a faint blob inside a cell
    pred16 = np.round(p * 65535).astype(np.uint16)
    Image.fromarray(truth).save("grid_truth.png")
    Image.fromarray(pred16).save("grid_pred.png")
    return [("challenge/grid_pred.png", "challenge/grid_truth.png", pred16.astype(np.float32) / np.float32(65535))]


cases = []
inputs = []
for k in range(3):
    pred8 = np.array(Image.open(f"../golden/pred_{k}.png"))
    inputs.append((f"golden/pred_{k}.png", f"golden/truth_{k}.png",
                   pred8.astype(np.float32) / np.float32(255)))
inputs += extra_cases()
stack = {"v_rand": np.zeros(len(THRESHOLDS)), "v_info": np.zeros(len(THRESHOLDS))}
for pred_name, truth_name, prob in inputs:
    truth = np.array(Image.open("../" + truth_name)) > 0
    s = scores(prob, truth)
    stack["v_rand"] += np.array(s["v_rand"]) / len(inputs)
    stack["v_info"] += np.array(s["v_info"]) / len(inputs)
    cases.append({"pred": pred_name, "truth": truth_name,
                  "v_rand_skimage_per_threshold": s["v_rand_skimage"],
                  "v_info_skimage_per_threshold": s["v_info_skimage"],
                  "lines_equal_per_threshold": s["lines_equal"],
                  "v_rand_per_threshold": s["v_rand"], "v_info_per_threshold": s["v_info"],
                  "warping_error_per_threshold": s["warping"],
                  "v_rand": s["v_rand"][best_max(s["v_rand"])], "v_info": s["v_info"][best_max(s["v_info"])],
                  "rand_error_2012": 1 - s["rand2012_f"][best_max(s["rand2012_f"])],
                  "warping_error": min(s["warping"])})
stack_out = {m: float(stack[m][best_max(stack[m])]) for m in stack}
with open("challenge_golden.json", "w") as f:
    json.dump({"skimage": skimage.__version__, "thresholds": THRESHOLDS, "cases": cases, "stack": stack_out}, f, indent=1)
print(json.dumps({"stack": stack_out, "cases": [{k: c[k] for k in ("pred", "v_rand", "v_info", "rand_error_2012",
    "warping_error")} for c in cases], "lines_equal": sum(sum(c["lines_equal_per_threshold"]) for c in cases)}, indent=1))
