#!/usr/bin/env bash
# Kills TaskManager number I with SIGKILL, as a crashed machine would vanish (for fault-tolerance tests).
# Usage: runners/flink-cluster/kill-taskmanager.sh I
set -euo pipefail
# shellcheck source=runners/flink-cluster/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

index="${1:?usage: kill-taskmanager.sh I}"
[[ "${index}" =~ ^[1-9][0-9]*$ ]] || die "TaskManager index must be a positive integer, got '${index}'"
pid_file="${FLINK_PID_DIR}/taskmanager-${index}.pid"
pid_alive "${pid_file}" || die "TaskManager ${index} is not running (no live pid in ${pid_file})"
pid="$(cat "${pid_file}")"
kill -KILL "${pid}"
while kill -0 "${pid}" 2>/dev/null; do sleep 0.1; done
rm -f "${pid_file}"
echo "TaskManager ${index} (pid ${pid}) killed"
