#!/usr/bin/env bash
# Grid wall time on the DirectRunner and on a standalone Flink cluster with 1 and 2 TaskManagers
# (issue 12), and whether the grid's statistics are the same on all three. Runs PIPELINE (default
# pipelines/grid-scaling.yaml: 4 cells, one training each) three times and prints one JSON line per
# run: runner, TaskManagers, wall seconds, cells complete, and whether grid/summary.csv and
# grid/comparisons.csv equal the DirectRunner's byte for byte.
# Usage: bench/grid-flink.sh [OUT=/tmp/unet-grid-flink] [PIPELINE=pipelines/grid-scaling.yaml] [--set ...]...
#   quick check of the script (seconds per training):  bench/grid-flink.sh /tmp/g pipelines/grid-scaling.yaml --set Train.config.steps=3
# Needs: runners/flink-cluster/fetch-lib.sh done once, port 8081 free, nothing else running (timings).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-/tmp/unet-grid-flink}"
pipeline="${2:-$here/pipelines/grid-scaling.yaml}"
shift $(( $# >= 2 ? 2 : $# ))
sets=("$@")
cd "$here"
mvn -q -B -o package -Pflink-job -DskipTests   # the CLI jar and the shaded job jar, outside the measured runs
rm -rf "$out"
mkdir -p "$out"
run() { # name runner taskmanagers [options...]
  local name="$1" runner="$2" tms="$3"
  shift 3
  local start end
  start=$(date +%s.%N)
  "$here/unet-pipelines" run "$pipeline" --runner "$runner" --out "$out/$name" "${sets[@]}" "$@" >"$out/$name.log" 2>&1
  end=$(date +%s.%N)
  /usr/bin/python3 - "$out" "$name" "$runner" "$tms" "$start" "$end" <<'PY'
import json, os, sys
out, name, runner, tms, start, end = sys.argv[1:7]
def read(n, f):
    p = os.path.join(out, n, "grid", f)
    return open(p, "rb").read() if os.path.isfile(p) else None
cells = json.load(open(os.path.join(out, name, "grid", "cells.json"))) if read(name, "cells.json") else []
same = all(read(name, f) is not None and read(name, f) == read("direct", f) for f in ("summary.csv", "comparisons.csv"))
print(json.dumps({"bench": "grid-flink", "run": name, "runner": runner, "taskmanagers": int(tms),
                  "wall_s": round(float(end) - float(start), 1),
                  "cells_complete": sum(c["status"] == "complete" for c in cells), "cells": len(cells),
                  "statistics_equal_direct": same}))
PY
}
run direct direct 0
for tms in 1 2; do
  runners/flink-cluster/start.sh --taskmanagers "$tms" >"$out/cluster-$tms.log" 2>&1
  run "flink-$tms" flink-cluster "$tms" --option "parallelism=$tms" || true
  runners/flink-cluster/stop.sh >>"$out/cluster-$tms.log" 2>&1
done
