#!/usr/bin/env bash
# The ReDo runs BENCHMARKS.md asks for: pipelines/redo-objects.yaml once per seed (default 1 2 3), one
# after the other, each into out/redo-objects-s<SEED>/ (resumes a run that was cut off: Train resumes from
# its newest checkpoint), then one JSON line per seed and a summary: IoU and accuracy with one polarity for
# the whole test set and with the per-image best polarity, the set's decision, restarts, steps, training
# seconds, seconds per step, images per second (batch images drawn per training second) and wall time.
# Usage: [PARALLEL=1] bench/redo-objects-seeds.sh [SEEDS="1 2 3"] [extra run args, e.g. --set Train.config.steps=200]
# Needs: a built jar (mvn -q -B -o package -DskipTests) and /usr/bin/python3.
set -euo pipefail
seeds="${1:-1 2 3}"
shift || true
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$here/target/unet-pipelines.jar"
[[ -f "$jar" ]] || { echo "build first: mvn -q -B -o package -DskipTests" >&2; exit 2; }
cd "$here"
mkdir -p out
run_seed() {
  local s="$1"; shift
  local out="out/redo-objects-s$s" t0
  t0=$(date +%s)
  TF_CPP_MIN_LOG_LEVEL=2 java ${UNET_JAVA_OPTS:--Xmx4g} -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -Dorg.slf4j.simpleLogger.log.org.unetpipelines=info -jar "$jar" \
    run pipelines/redo-objects.yaml --set "options.seed=$s" --out "$out" "$@" >"$out.log" 2>&1 \
    || { echo "seed $s failed, see $out.log" >&2; return 1; }
  echo "$(( $(date +%s) - t0 ))" >"$out.wall_seconds"
}
# PARALLEL=1: all seeds at once (each with the pipeline's threads; on 2 cores use threads 1), else one by one
if [[ "${PARALLEL:-0}" == 1 ]]; then
  pids=()
  for s in $seeds; do run_seed "$s" "$@" & pids+=($!); done
  failed=0
  for p in "${pids[@]}"; do wait "$p" || failed=1; done
  (( failed == 0 )) || exit 1
else
  for s in $seeds; do run_seed "$s" "$@" || exit 1; done
fi
/usr/bin/python3 - "$seeds" <<'PY'
import csv, json, statistics, sys
rows = []
for s in sys.argv[1].split():
    out = f"out/redo-objects-s{s}"
    m = {r["metric"]: float(r["value"]) for r in csv.DictReader(open(f"{out}/eval/metrics.csv"))
         if not r["imageId"]}
    model = json.load(open(f"{out}/model/model.json"))
    restarts = [float(r["value"]) for r in csv.DictReader(open(f"{out}/model/curve.csv")) if r["metric"] == "restarts"]
    cfg = json.loads(model["config"]) if model.get("config") else {}
    batch = cfg.get("training", cfg).get("batch", 16) if isinstance(cfg, dict) else 16
    steps, secs = model["steps"], model["trainSeconds"]
    row = {"seed": int(s), "iou_set": m.get("redo_iou_set"), "accuracy_set": m.get("redo_accuracy_set"),
           "inverted_set": m.get("redo_inverted_set"), "iou_image": m.get("redo_iou_image"),
           "accuracy_image": m.get("redo_accuracy_image"), "restarts": int(max(restarts, default=0)),
           "steps": steps, "train_seconds": round(secs, 1), "seconds_per_step": round(secs / max(steps, 1), 3),
           "images_per_second": round(batch * steps / max(secs, 1e-9), 2),
           "wall_seconds": int(open(f"{out}.wall_seconds").read())}
    rows.append(row)
    print(json.dumps(row))
def mean(k):
    v = [r[k] for r in rows if r[k] is not None]
    return (round(statistics.mean(v), 4), round(statistics.stdev(v), 4) if len(v) > 1 else None) if v else None
print(json.dumps({"runs": len(rows), **{k + "_mean_std": mean(k) for k in
      ("iou_set", "accuracy_set", "iou_image", "accuracy_image", "seconds_per_step", "images_per_second")}}))
PY
