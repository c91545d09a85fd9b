#!/usr/bin/env bash
# Side-by-side training-step benchmark: TensorFlow Java (`unet-pipelines bench train`) and PyTorch
# (bench/unet_torch.py, Debian's python3-torch) on the same depth-4, 16-filter U-Net, alternating runs.
# Usage: bench/train-side-by-side.sh [RUNS] [STEPS]   (RUNS alternations per configuration, default 3)
# Needs: apt-get install -y python3-torch   (lands in /usr/bin/python3)
# Prints each run's JSON line prefixed by the configuration, then the medians per framework.
# PyTorch runs with OMP_WAIT_POLICY=PASSIVE (override with TORCH_OMP_WAIT_POLICY=ACTIVE or ""): on a shared,
# loaded 2-core machine libgomp's spinning barriers make 2-thread steps 10-30x slower (measured: 7.7 s
# instead of 0.64 s per 128x128x4 step at load average 18), which measures the load, not PyTorch.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-3}"
steps="${2:-20}"
threads="${THREADS:-2}"
py=/usr/bin/python3
unet="${UNET:-$here/unet-pipelines}"   # e.g. UNET="java -jar /tmp/copy/unet-pipelines.jar"
"$py" -c 'import torch' 2>/dev/null || { echo "python3-torch missing: apt-get install -y python3-torch" >&2; exit 2; }
$unet --version >/dev/null   # builds the jar once, outside the timings
results="$(mktemp)"
for cfg in "128 4" "512 1"; do
  set -- $cfg
  size=$1; batch=$2
  s=$steps; [[ $size -ge 512 ]] && s=$(( steps / 2 > 5 ? steps / 2 : 5 ))
  for ((r = 1; r <= runs; r++)); do
    j=$(UNET_LOG_LEVEL=warn TF_CPP_MIN_LOG_LEVEL=2 $unet bench train --size "$size" --batch "$batch" --steps "$s" \
        --threads "$threads" | tail -n 1)
    echo "size=$size batch=$batch run=$r $j" | tee -a "$results"
    p=$(OMP_WAIT_POLICY="${TORCH_OMP_WAIT_POLICY-PASSIVE}" "$py" "$here/bench/unet_torch.py" --size "$size" --batch "$batch" --steps "$s" --threads "$threads" | tail -n 1)
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
    rows.setdefault(key, []).append((d["median_step_ms"], d["peak_rss_mb"]))
for size, batch in sorted({(k[0], k[1]) for k in rows}):
    tf = rows.get((size, batch, "tensorflow"), [])
    pt = rows.get((size, batch, "pytorch"), [])
    if tf and pt:
        mt = statistics.median(v[0] for v in tf)
        mp = statistics.median(v[0] for v in pt)
        print(json.dumps({"size": size, "batch": batch, "runs": len(tf),
                          "tf_java_median_step_ms": mt, "pytorch_median_step_ms": mp,
                          "ratio_tf_over_torch": round(mt / mp, 3),
                          "tf_java_peak_rss_mb": max(v[1] for v in tf), "pytorch_peak_rss_mb": max(v[1] for v in pt)}))
PY
rm -f "$results"
