#!/usr/bin/env bash
# Side by side: `unet-pipelines bench border-weights` (Java: the current windowed BorderWeights and the
# per-cell full-image baseline it replaced) and bench/border_weights_scipy.py (scipy.ndimage
# distance_transform_edt per cell) on the same masks — the 24 ISBI 2012 training labels plus
# synthetic 512x512 membrane masks with many cells — one thread, run alternately ROUNDS times so both
# see the same machine load. The first round also checks the values: Java dumps its maps, scipy
# compares (max_abs_diff_vs_java), and Java compares current vs baseline (max_abs_diff_vs_baseline).
# Prints every JSON line, then one summary line: medians over rounds of the per-image medians, and
# the speed-ups current vs baseline (Java) and current vs scipy.
# Usage: bench/border-weights-side-by-side.sh [ROUNDS=3] [REPEAT=3] [MASKS=../shared/data/isbi2012/train/labels/*.png] [SYNTHETIC=300,600]
# Needs: /usr/bin/python3 with python3-scipy and python3-pil; a built jar (mvn -q -B -o package -DskipTests).
set -euo pipefail
rounds="${1:-3}"
repeat="${2:-3}"
masks="${3:-../shared/data/isbi2012/train/labels/*.png}"
synthetic="${4:-300,600}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$here/target/unet-pipelines.jar"
[[ -f "$jar" ]] || { echo "build first: mvn -q -B -o package -DskipTests" >&2; exit 2; }
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
syn=()
[[ -n "$synthetic" ]] && syn=(--synthetic "$synthetic" --masks-out "$work/masks")
java_cur=(); java_base=(); scipy_ms=()
for r in $(seq 1 "$rounds"); do
  dump=()
  [[ "$r" == 1 ]] && dump=(--dump "$work/java")
  j="$(java -XX:ActiveProcessorCount=1 -Xmx2g -jar "$jar" bench border-weights --masks "$masks" "${syn[@]}" \
        --repeat "$repeat" --warmup 5 "${dump[@]}" | tail -1)"
  cmp=()
  [[ "$r" == 1 ]] && cmp=(--compare "$work/java")
  smasks=("$masks")
  [[ -n "$synthetic" ]] && smasks+=("$work/masks/*.png")
  s="$(/usr/bin/python3 "$here/bench/border_weights_scipy.py" --masks "${smasks[@]}" --repeat "$repeat" --warmup 1 \
        "${cmp[@]}" | tail -1)"
  echo "round $r java  $j"
  echo "round $r scipy $s"
  java_cur+=("$(echo "$j" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["ms_per_image_median"])')")
  java_base+=("$(echo "$j" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["baseline_ms_per_image_median"])')")
  scipy_ms+=("$(echo "$s" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["ms_per_image_median"])')")
done
/usr/bin/python3 - "${java_cur[*]}" "${java_base[*]}" "${scipy_ms[*]}" <<'PY'
import json, statistics, sys
cur, base, sp = ([float(x) for x in a.split()] for a in sys.argv[1:4])
print(json.dumps({"bench": "border-weights-side-by-side", "rounds": len(cur),
                  "java_current_ms_per_image_median": round(statistics.median(cur), 3),
                  "java_baseline_ms_per_image_median": round(statistics.median(base), 3),
                  "scipy_ms_per_image_median": round(statistics.median(sp), 3),
                  "speedup_vs_baseline_median_of_rounds": round(statistics.median([b / c for b, c in zip(base, cur)]), 2),
                  "speedup_vs_scipy_median_of_rounds": round(statistics.median([s / c for s, c in zip(sp, cur)]), 2)}))
PY
