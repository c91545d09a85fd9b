#!/usr/bin/env bash
# The DirectRunner bundling reproducer (BENCHMARKS.md, "The DirectRunner and bundles"): two classifier
# Evaluate stages over the 10,000 Fashion-MNIST test images (mirror-padded to 32x32) with fixed models, no
# training in the timed run. Trains the two 10-step SUNet-u1 / -u2 models it needs first (untimed), then
# prints one JSON line with the wall time of the Evaluate pipeline.
# Usage: bench/evaluate-bundles.sh [OUT=/tmp/unet-evaluate-bundles]
# Needs: apt-get install dataset-fashion-mnist; nothing else running (timings).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-/tmp/unet-evaluate-bundles}"
cd "$here"
rm -rf "$out"
mkdir -p "$out"
./unet-pipelines run pipelines/fashion-mnist-sunet-quick.yaml --out "$out/models" \
  --set TrainU1.config.steps=10 --set TrainU2.config.steps=10 \
  --set 'TrainU1.config.boundaries=[5]' --set 'TrainU2.config.boundaries=[5]' >"$out/models.log" 2>&1
cat >"$out/evaluate.yaml" <<YAML
pipeline:
  transforms:
    - type: ReadImageSet
      name: TestImages
      config:
        images: /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz
        labels: /usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz
    - type: MirrorPad
      name: TestPadded
      input: TestImages
      config: {pad: 2}
    - type: Evaluate
      name: EvalU1
      input: TestPadded
      config: {model: $out/models/u1/model/saved_model, dataset: fm, split: test, path: u1/eval, overlays: false}
    - type: Evaluate
      name: EvalU2
      input: TestPadded
      config: {model: $out/models/u2/model/saved_model, dataset: fm, split: test, path: u2/eval, overlays: false}
options:
  seed: 42
YAML
start=$(date +%s.%N)
./unet-pipelines run "$out/evaluate.yaml" --out "$out/evaluate" >"$out/evaluate.log" 2>&1
end=$(date +%s.%N)
records=$(($(wc -l <"$out/evaluate/u1/eval/metrics.csv") - 1))
/usr/bin/python3 -c "import json,sys; print(json.dumps({'bench': 'evaluate-bundles', 'images': 10000, 'evaluates': 2, 'wall_s': round(float(sys.argv[2]) - float(sys.argv[1]), 1), 'records_per_evaluate': int(sys.argv[3])}))" "$start" "$end" "$records"
