#!/usr/bin/env bash
# Side-by-side training-step benchmark: TensorFlow Java (`unet-pipelines bench train`) and PyTorch
# (Debian's python3-torch) on the same network, alternating runs.
#   default:         the depth-4, 16-filter U-Net (bench/unet_torch.py) at 128^2 batch 4 and 512^2 batch 1
#   --family unetpp: UNet++ as the original code builds it (bench/unetpp_torch.py: filters 32..512, dropout 0.5,
#                    hybrid loss, Adam) at 96^2 batch 8, without and with deep supervision
#                    (also --family unetplus)
#   --family redo:   one ReDo iteration (bench/redo_torch.py: F, both G_k, D, delta; generator phase + hinge D phase)
#                    at 64^2 batch 16 (8 redrawn + 8 reals) with pipelines/redo-objects.yaml's widths
# Usage: bench/train-side-by-side.sh [--family unetpp|unetplus|redo] [RUNS] [STEPS]
#        (RUNS alternations per configuration, default 3; STEPS timed steps, default 20;
#         env THREADS intra-op threads, default 2; WARMUP untimed steps first, default 3)
# Needs: apt-get install -y python3-torch   (lands in /usr/bin/python3)
# Prints each run's JSON line prefixed by the configuration, then the medians per framework (and fails when
# the two frameworks' parameter counts differ).
# PyTorch runs with OMP_WAIT_POLICY=PASSIVE (override with TORCH_OMP_WAIT_POLICY=ACTIVE or ""): on a shared,
# loaded 2-core machine libgomp's spinning barriers make 2-thread steps 10-30x slower (measured: 7.7 s
# instead of 0.64 s per 128x128x4 step at load average 18), which measures the load, not PyTorch.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
family=unet
if [[ "${1:-}" == "--family" ]]; then
  family="${2:?--family needs a value: unetpp or unetplus}"
  shift 2
fi
runs="${1:-3}"
steps="${2:-20}"
threads="${THREADS:-2}"
warmup="${WARMUP:-3}"     # untimed steps before the timed ones, both frameworks
py=/usr/bin/python3
unet="${UNET:-$here/unet-pipelines}"   # e.g. UNET="java -jar /tmp/copy/unet-pipelines.jar"
# each configuration: "<label>|<java bench train args>|<python script and args>"
configs=()
case "$family" in
  unet)
    configs+=("size=128 batch=4|--size 128 --batch 4|unet_torch.py --size 128 --batch 4")
    configs+=("size=512 batch=1|--size 512 --batch 1|unet_torch.py --size 512 --batch 1")
    ;;
  unetpp|unetplus)
    # the original code's training: hybrid loss (0.5 BCE - global Dice), Adam lr 1e-3 (bench train's learning rate)
    j="--family $family --loss hybrid --optimizer adam --size 96 --batch 8"
    t="unetpp_torch.py --family $family --size 96 --batch 8"
    configs+=("family=$family ds=0 size=96 batch=8|$j|$t")
    configs+=("family=$family ds=1 size=96 batch=8|$j --deep-supervision|$t --deep-supervision")
    ;;
  redo)
    w="--model mask_filters=32 --model generator_filters=32 --model discriminator_filters=32 --model encoder_filters=16"
    configs+=("family=redo size=64 batch=16|--family redo $w --model lr_mask=1e-4 --size 64 --batch 16|redo_torch.py --size 64 --batch 16")
    ;;
  *)
    echo "unknown --family '$family' (allowed: unetpp, unetplus, redo; none = the U-Net)" >&2; exit 2 ;;
esac
"$py" -c 'import torch' 2>/dev/null || { echo "python3-torch missing: apt-get install -y python3-torch" >&2; exit 2; }
$unet --version >/dev/null   # builds the jar once, outside the timings
results="$(mktemp)"
trap 'rm -f "$results"' EXIT
for cfg in "${configs[@]}"; do
  IFS='|' read -r label jargs pargs <<<"$cfg"
  s=$steps; [[ "$label" == *size=512* ]] && s=$(( steps / 2 > 5 ? steps / 2 : 5 ))
  for ((r = 1; r <= runs; r++)); do
    # shellcheck disable=SC2086  # the args are word lists
    j=$(UNET_LOG_LEVEL=warn TF_CPP_MIN_LOG_LEVEL=2 $unet bench train $jargs --steps "$s" --warmup "$warmup" --threads "$threads" | tail -n 1)
    echo "$label run=$r $j" | tee -a "$results"
    # shellcheck disable=SC2086
    p=$(OMP_WAIT_POLICY="${TORCH_OMP_WAIT_POLICY-PASSIVE}" "$py" "$here/bench/"$pargs --steps "$s" --warmup "$warmup" --threads "$threads" | tail -n 1)
    echo "$label run=$r $p" | tee -a "$results"
  done
done
"$py" - "$results" <<'PY'
import json, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    head, js = line.split(" {", 1)
    d = json.loads("{" + js)
    label = head.rsplit(" run=", 1)[0]
    rows.setdefault((label, d["framework"].split("-")[0]), []).append(d)
bad = False
for label in dict.fromkeys(k[0] for k in rows):
    tf = rows.get((label, "tensorflow"), [])
    pt = rows.get((label, "pytorch"), [])
    if tf and pt:
        mt = statistics.median(v["median_step_ms"] for v in tf)
        mp = statistics.median(v["median_step_ms"] for v in pt)
        tf_params = tf[0].get("parameters", tf[0].get("params"))
        out = {k: int(v) if v.isdigit() else v for k, v in (kv.split("=", 1) for kv in label.split())}
        out.update({"runs": len(tf), "parameters": tf_params,
                    "tf_java_median_step_ms": mt, "pytorch_median_step_ms": mp,
                    "ratio_tf_over_torch": round(mt / mp, 3),
                    "tf_java_peak_rss_mb": max(v["peak_rss_mb"] for v in tf),
                    "pytorch_peak_rss_mb": max(v["peak_rss_mb"] for v in pt)})
        print(json.dumps(out))
        if tf_params != pt[0]["parameters"]:
            print(f"{label}: TF Java has {tf_params} parameters, PyTorch {pt[0]['parameters']}", file=sys.stderr)
            bad = True
sys.exit(1 if bad else 0)
PY
