#!/usr/bin/env bash
# Stops the cluster started by start.sh: every JVM with a pid file under .flink/pid gets SIGTERM,
# then SIGKILL if it has not exited after --grace seconds (default 15). Safe to run twice.
# Usage: runners/flink-cluster/stop.sh [--grace SECONDS]
set -euo pipefail
# shellcheck source=runners/flink-cluster/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

grace=15
while (($#)); do
  case "$1" in
    --grace) grace="${2:?usage: stop.sh [--grace SECONDS]}"; shift 2 ;;
    *) die "unknown argument '$1'; usage: stop.sh [--grace SECONDS]" ;;
  esac
done
[[ "${grace}" =~ ^[0-9]+$ ]] || die "--grace must be a number of seconds, got '${grace}'"

shopt -s nullglob
pid_files=("${FLINK_PID_DIR}"/taskmanager-*.pid "${FLINK_PID_DIR}"/jobmanager.pid)
pids=()
for f in "${pid_files[@]}"; do
  if pid_alive "${f}"; then
    pid="$(cat "${f}")"
    kill -TERM "${pid}" 2>/dev/null || true
    pids+=("${pid}")
    echo "stopping $(basename "${f}" .pid) (pid ${pid})"
  fi
done

for ((t = 0; t < grace * 10; t++)); do
  alive=()
  for pid in "${pids[@]}"; do
    if kill -0 "${pid}" 2>/dev/null; then alive+=("${pid}"); fi
  done
  ((${#alive[@]} == 0)) && break
  sleep 0.1
done
for pid in "${pids[@]}"; do
  if kill -0 "${pid}" 2>/dev/null; then
    echo "pid ${pid} still running after ${grace}s; sending SIGKILL" >&2
    kill -KILL "${pid}" 2>/dev/null || true
  fi
done
for pid in "${pids[@]}"; do
  while kill -0 "${pid}" 2>/dev/null; do sleep 0.1; done
done
rm -f "${pid_files[@]}"
echo "cluster stopped"
