#!/usr/bin/env bash
# Peak memory of writing augmented samples as shards (issue 13): runs pipelines/shards-memory.yaml
# (IMAGES synthetic 512x512 images x COPIES elastic deformations -> WriteAvro, 4 shards) on the
# DirectRunner with -XmxXMX under /usr/bin/time -v, and prints one JSON line: samples written (from
# the manifest), peak RSS (the process high-water mark, "Maximum resident set size"), wall time, the
# shard bytes, and whether the run succeeded. Nothing else should run in the JVM.
# Usage: bench/shards-memory.sh [IMAGES=1] [COPIES=5000] [XMX=1g] [OUT=/tmp/unet-shards-memory] [PIPELINE=pipelines/shards-memory.yaml]
# The same run before the change (WriteShards grouping each shard in memory), for comparison:
#   mkdir -p /tmp/before && git archive 9bb9aae | tar -x -C /tmp/before
#   cp bench/shards-memory.sh /tmp/before/bench/ && cp pipelines/shards-memory.yaml /tmp/before/pipelines/
#   /tmp/before/bench/shards-memory.sh 1 5000 1g /tmp/unet-shards-memory-before
# Needs: /usr/bin/time (GNU time), a built jar (./unet-pipelines builds it), free disk about 2x the
#        samples' size (sorted runs + shards; 5,000 samples: ~2.5 GB runs + the shards).
set -euo pipefail
images="${1:-1}"
copies="${2:-5000}"
xmx="${3:-1g}"
out="${4:-/tmp/unet-shards-memory}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pipeline="${5:-$here/pipelines/shards-memory.yaml}"
[[ -x /usr/bin/time ]] || { echo "needs GNU time at /usr/bin/time (apt-get install -y time)" >&2; exit 2; }
"$here/unet-pipelines" --version >/dev/null # builds the jar first when it is stale, outside the measured run
rm -rf "$out"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
UNET_JAVA_OPTS="-Xmx$xmx" UNET_LOG_LEVEL=warn /usr/bin/time -v -o "$log" "$here/unet-pipelines" run "$pipeline" \
  --runner direct --out "$out" --set "Images.config.count=$images" --set "Deform.config.copies=$copies" >&2
rc=$?
set -e
/usr/bin/python3 - "$log" "$out/shards" "$rc" "$images" "$copies" "$xmx" <<'PY'
import json, os, re, sys
log, shards, rc, images, copies, xmx = sys.argv[1:7]
text = open(log).read()
rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text).group(1)
secs = 0.0
for part in wall.split(":"):
    secs = secs * 60 + float(part)
records = None
size = 0
manifest = os.path.join(shards, "manifest.json")
if os.path.isfile(manifest):
    m = json.load(open(manifest))
    records = m["records"]
    size = sum(os.path.getsize(os.path.join(shards, s["file"])) for s in m["shards"])
print(json.dumps({"bench": "shards-memory", "succeeded": rc == "0" and records is not None, "exit_code": int(rc),
                  "images": int(images), "copies": int(copies), "samples_expected": int(images) * int(copies),
                  "records_written": records, "xmx": xmx, "peak_rss_mb": round(rss_kb / 1024, 1),
                  "wall_s": round(secs, 1), "shard_bytes": size}))
PY
