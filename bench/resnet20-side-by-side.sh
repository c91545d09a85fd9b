#!/usr/bin/env bash
# Side-by-side training throughput of ResNet-20 (269,434 parameters, 1 input channel, 10 classes): TensorFlow
# Java (`unet-pipelines bench train --family resnet`) and PyTorch (bench/resnet20_torch.py, Debian's
# python3-torch), the same network, loss (softmax cross-entropy + 1e-4 * sum(w^2) over the kernels) and
# optimizer (SGD momentum), alternating runs, batch 128 at 32x32 (and 28x28, Fashion-MNIST's own size).
# Usage: bench/resnet20-side-by-side.sh [RUNS] [STEPS]   (RUNS alternations per size, default 3; STEPS default 20)
# Needs: apt-get install -y python3-torch   (lands in /usr/bin/python3). THREADS (default 2), BATCH (default 128).
# Prints each run's JSON line prefixed by the configuration, then per size the medians and
# tf_java_over_torch = TF Java images/s over PyTorch images/s (the issue's goal: >= 1.0 at batch 128, 2 threads).
# PyTorch runs with OMP_WAIT_POLICY=PASSIVE (override with TORCH_OMP_WAIT_POLICY=ACTIVE or ""), as in
# bench/train-side-by-side.sh: on a loaded 2-core machine libgomp's spinning barriers measure the load.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-3}"
steps="${2:-20}"
threads="${THREADS:-2}"
batch="${BATCH:-128}"
py=/usr/bin/python3
unet="${UNET:-$here/unet-pipelines}"   # e.g. UNET="java -jar /tmp/copy/unet-pipelines.jar"
"$py" -c 'import torch' 2>/dev/null || { echo "python3-torch missing: apt-get install -y python3-torch" >&2; exit 2; }
$unet --version >/dev/null   # builds the jar once, outside the timings
results="$(mktemp)"
for size in 32 28; do
  for ((r = 1; r <= runs; r++)); do
    j=$(UNET_LOG_LEVEL=warn TF_CPP_MIN_LOG_LEVEL=2 $unet bench train --family resnet --size "$size" --batch "$batch" \
        --steps "$steps" --threads "$threads" | tail -n 1)
    echo "size=$size batch=$batch run=$r $j" | tee -a "$results"
    p=$(OMP_WAIT_POLICY="${TORCH_OMP_WAIT_POLICY-PASSIVE}" "$py" "$here/bench/resnet20_torch.py" --size "$size" \
        --batch "$batch" --steps "$steps" --threads "$threads" | tail -n 1)
    echo "size=$size batch=$batch run=$r $p" | tee -a "$results"
  done
done
"$py" - "$results" <<'PY'
import json, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    head, js = line.split(" {", 1)
    d = json.loads("{" + js)
    key = (d["size"], d["batch"], d["framework"].split("-")[0])
    rows.setdefault(key, []).append(d)
for size, batch in sorted({(k[0], k[1]) for k in rows}, reverse=True):
    tf = rows.get((size, batch, "tensorflow"), [])
    pt = rows.get((size, batch, "pytorch"), [])
    if tf and pt:
        assert tf[0]["params"] == pt[0]["params"], (tf[0]["params"], pt[0]["params"])
        it = statistics.median(d["images_per_s"] for d in tf)
        ip = statistics.median(d["images_per_s"] for d in pt)
        print(json.dumps({"model": "resnet20", "params": tf[0]["params"], "size": size, "batch": batch,
                          "runs": len(tf), "tf_java_images_per_s": it, "pytorch_images_per_s": ip,
                          "tf_java_over_torch": round(it / ip, 3),
                          "tf_java_median_step_ms": statistics.median(d["median_step_ms"] for d in tf),
                          "pytorch_median_step_ms": statistics.median(d["median_step_ms"] for d in pt),
                          "tf_java_peak_rss_mb": max(d["peak_rss_mb"] for d in tf),
                          "pytorch_peak_rss_mb": max(d["peak_rss_mb"] for d in pt)}))
PY
rm -f "$results"
