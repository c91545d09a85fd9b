#!/usr/bin/env bash
# Starts (or restarts) TaskManager number I of the running cluster and waits until it has registered.
# Usage: runners/flink-cluster/start-taskmanager.sh I [--timeout SECONDS]
set -euo pipefail
# shellcheck source=runners/flink-cluster/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

usage="usage: start-taskmanager.sh I [--timeout SECONDS]"
index="${1:?${usage}}"
shift
timeout=60
while (($#)); do
  case "$1" in
    --timeout) timeout="${2:?${usage}}"; shift 2 ;;
    *) die "unknown argument '$1'; ${usage}" ;;
  esac
done
[[ "${index}" =~ ^[1-9][0-9]*$ ]] || die "TaskManager index must be a positive integer, got '${index}'"
pid_alive "${FLINK_PID_DIR}/jobmanager.pid" || die "no cluster is running (no live JobManager pid in ${FLINK_PID_DIR}); run start.sh"

start_taskmanager "${index}"
wait_for_taskmanagers 1 "${timeout}" "${STARTED_TM_ID}"
