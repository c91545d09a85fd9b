#!/usr/bin/env bash
# Side by side: `unet-pipelines bench augment` (Java) and bench/elastic_scipy.py (scipy.ndimage,
# the elasticdeform method) doing the same work — one 512x512 image+mask pair through mirror pad ->
# elastic deformation (image cubic B-spline / order 3, mask nearest / order 0) -> centre crop, one
# thread — run alternately ROUNDS times so both see the same machine load. Prints every JSON line,
# then the medians and the speed-up (scipy ms / Java ms): the median over rounds of each round's
# ratio of medians, and the ratio of the fastest pairs (the least disturbed by other load).
# Usage: bench/augment-side-by-side.sh [ROUNDS=5] [N=30] [SIZE=512]
# Needs: /usr/bin/python3 with python3-scipy (apt-get install -y python3-scipy); a built jar
#        (mvn -q -B -o package -DskipTests).
set -euo pipefail
rounds="${1:-5}"
n="${2:-30}"
size="${3:-512}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$here/target/unet-pipelines.jar"
[[ -f "$jar" ]] || { echo "build first: mvn -q -B -o package -DskipTests" >&2; exit 2; }
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
java_ms=()
scipy_ms=()
java_min=()
scipy_min=()
for r in $(seq 1 "$rounds"); do
  j="$(java -XX:ActiveProcessorCount=1 -Xmx1g -jar "$jar" bench augment --size "$size" --n "$n" --warmup 100 --threads 1 | tail -1)"
  s="$(/usr/bin/python3 "$here/bench/elastic_scipy.py" --size "$size" --n "$n" | tail -1)"
  echo "round $r java  $j"
  echo "round $r scipy $s"
  java_ms+=("$(echo "$j" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["ms_per_pair"])')")
  scipy_ms+=("$(echo "$s" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["ms_per_pair"])')")
  java_min+=("$(echo "$j" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["min_ms"])')")
  scipy_min+=("$(echo "$s" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["min_ms"])')")
done
/usr/bin/python3 - "${java_ms[*]}" "${scipy_ms[*]}" "${java_min[*]}" "${scipy_min[*]}" <<'PY'
import json, statistics, sys
j = [float(x) for x in sys.argv[1].split()]
s = [float(x) for x in sys.argv[2].split()]
jmin = min(float(x) for x in sys.argv[3].split())
smin = min(float(x) for x in sys.argv[4].split())
ratios = [b / a for a, b in zip(j, s)]
print(json.dumps({"bench": "augment-side-by-side", "rounds": len(j),
                  "java_ms_per_pair_median": round(statistics.median(j), 3),
                  "scipy_ms_per_pair_median": round(statistics.median(s), 3),
                  "speedup_median_of_rounds": round(statistics.median(ratios), 2),
                  "speedup_per_round": [round(r, 2) for r in ratios],
                  "java_min_ms": jmin, "scipy_min_ms": smin, "speedup_of_minimums": round(smin / jmin, 2)}))
PY
