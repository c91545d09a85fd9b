#!/usr/bin/env bash
# WriteShards memory (issue 13): bench/shards-memory.yaml (5,000 augmented 512x512 samples) with -Xmx1g
# on the DirectRunner; prints the run's wall time, peak RSS (GNU time) and the shard folder's size.
# Usage: bench/shards-memory.sh [JAR]   (default: target/unet-pipelines.jar, built by ./unet-pipelines)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="${1:-$here/target/unet-pipelines.jar}"
[[ -f "$jar" ]] || "$here/unet-pipelines" --version >/dev/null
command -v /usr/bin/time >/dev/null || { echo "GNU time missing: apt-get install -y time" >&2; exit 2; }
out="$(mktemp -d)"
/usr/bin/time -v java -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -jar "$jar" \
    run "$here/bench/shards-memory.yaml" --out "$out/run" 2> "$out/time.txt" | tail -n 3
grep -E "Maximum resident set size|Elapsed \(wall clock\)|Exit status" "$out/time.txt"
du -sh "$out/run/shards"
grep -o '"count" *: *[0-9]*' "$out/run/shards/manifest.json" | head -1
rm -rf "$out"
