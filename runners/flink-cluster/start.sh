#!/usr/bin/env bash
# Starts a standalone Flink session cluster on this machine: one JobManager and N TaskManagers, each
# a JVM of its own, all bound to 127.0.0.1. Config, pids and logs go under .flink/ (git-ignored).
# Waits until the REST API reports N TaskManagers; on timeout prints the log tails, stops what it
# started and exits non-zero.
#
# Usage: runners/flink-cluster/start.sh [--taskmanagers N] [--slots S] [--tm-memory SIZE] [--tm-metaspace SIZE] [--timeout SECONDS]
#   --taskmanagers N   TaskManager JVMs to start (default 2)
#   --slots S          task slots per TaskManager (default 1)
#   --tm-memory SIZE   taskmanager.memory.process.size (default 2g)
#   --tm-metaspace SIZE  taskmanager.memory.jvm-metaspace.size (default 768m; every Beam job loads its
#                      job jar's classes anew and Flink does not get them all back: ~20 MB per job)
#   --timeout SECONDS  how long to wait for the cluster (default 90)
#   --restart-attempts N       fixed-delay restarts of a failed job, 0 for none (default 3)
#   --restart-delay SECONDS    delay between restarts (default 3)
# The restart strategy is the cluster's default for every job: Beam's batch translation cannot set
# one per job, so a flink-cluster runner profile's restartStrategy must match it (checked at submit).
# Environment: FLINK_REST_PORT (default 8081), FLINK_HOME_DIR (default <repo>/.flink).
set -euo pipefail
# shellcheck source=runners/flink-cluster/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

taskmanagers=2
slots=1
tm_memory=2g
tm_metaspace=768m
timeout=90
restart_attempts=3
restart_delay=3
usage="usage: start.sh [--taskmanagers N] [--slots S] [--tm-memory SIZE] [--tm-metaspace SIZE] [--timeout SECONDS] [--restart-attempts N] [--restart-delay SECONDS]"
while (($#)); do
  case "$1" in
    --taskmanagers) taskmanagers="${2:?${usage}}"; shift 2 ;;
    --slots) slots="${2:?${usage}}"; shift 2 ;;
    --tm-memory) tm_memory="${2:?${usage}}"; shift 2 ;;
    --tm-metaspace) tm_metaspace="${2:?${usage}}"; shift 2 ;;
    --timeout) timeout="${2:?${usage}}"; shift 2 ;;
    --restart-attempts) restart_attempts="${2:?${usage}}"; shift 2 ;;
    --restart-delay) restart_delay="${2:?${usage}}"; shift 2 ;;
    -h|--help) echo "${usage}"; exit 0 ;;
    *) die "unknown argument '$1'; ${usage}" ;;
  esac
done
[[ "${taskmanagers}" =~ ^[1-9][0-9]*$ ]] || die "--taskmanagers must be a positive integer, got '${taskmanagers}'"
[[ "${slots}" =~ ^[1-9][0-9]*$ ]] || die "--slots must be a positive integer, got '${slots}'"
[[ "${timeout}" =~ ^[1-9][0-9]*$ ]] || die "--timeout must be a positive number of seconds, got '${timeout}'"
[[ "${restart_attempts}" =~ ^[0-9]+$ ]] || die "--restart-attempts must be a number >= 0, got '${restart_attempts}'"
[[ "${restart_delay}" =~ ^[0-9]+$ ]] || die "--restart-delay must be a number of seconds, got '${restart_delay}'"
[[ "${tm_memory}" =~ ^[1-9][0-9]*[mg]$ ]] || die "--tm-memory must look like 1600m or 2g, got '${tm_memory}'"
[[ "${tm_metaspace}" =~ ^[1-9][0-9]*[mg]$ ]] || die "--tm-metaspace must look like 768m or 1g, got '${tm_metaspace}'"

if pid_alive "${FLINK_PID_DIR}/jobmanager.pid"; then
  die "a cluster is already running (JobManager pid $(cat "${FLINK_PID_DIR}/jobmanager.pid")); run runners/flink-cluster/stop.sh first"
fi
if (exec 3<>"/dev/tcp/${FLINK_BIND}/${FLINK_REST_PORT}") 2>/dev/null; then
  die "port ${FLINK_REST_PORT} on ${FLINK_BIND} is already in use; stop that process or set FLINK_REST_PORT"
fi

"${RUNNERS_DIR}/fetch-lib.sh"
mkdir -p "${FLINK_CONF_DIR}" "${FLINK_LOG_DIR}" "${FLINK_PID_DIR}" "${FLINK_HOME_DIR}/tmp" "${FLINK_PLUGINS_DIR}"
rm -f "${FLINK_LOG_DIR}"/*.log "${FLINK_LOG_DIR}"/*.out "${FLINK_PID_DIR}"/*.pid

# Legacy flat flink-conf.yaml (Flink 1.19 reads it when there is no config.yaml).
cat >"${FLINK_CONF_DIR}/flink-conf.yaml" <<CONF
jobmanager.rpc.address: ${FLINK_BIND}
jobmanager.bind-host: ${FLINK_BIND}
jobmanager.rpc.port: 6123
jobmanager.memory.process.size: 1024m
taskmanager.host: ${FLINK_BIND}
taskmanager.bind-host: ${FLINK_BIND}
taskmanager.numberOfTaskSlots: ${slots}
taskmanager.memory.process.size: ${tm_memory}
taskmanager.memory.jvm-metaspace.size: ${tm_metaspace}
# A grid job (one Train/Evaluate branch per cell) has many exchanges: the default network memory (about 130 MB
# of a 2g TaskManager) ran out ("Insufficient number of network buffers: required 512, but only 360 available").
taskmanager.memory.network.min: 256m
taskmanager.memory.network.max: 256m
rest.address: ${FLINK_BIND}
rest.bind-address: ${FLINK_BIND}
rest.port: ${FLINK_REST_PORT}
parallelism.default: 1
io.tmp.dirs: ${FLINK_HOME_DIR}/tmp
# A lost TaskManager is noticed within seconds, not the default 50 s.
heartbeat.interval: 2000
heartbeat.timeout: 10000
# Restart strategy of every job on this cluster (flink-cluster runner profiles must name the same).
$(if ((restart_attempts > 0)); then
  printf 'restart-strategy.type: fixed-delay\nrestart-strategy.fixed-delay.attempts: %s\nrestart-strategy.fixed-delay.delay: %ss\n' "${restart_attempts}" "${restart_delay}"
else
  printf 'restart-strategy.type: none\n'
fi)
# TensorFlow Java comes from lib/, loaded once per TaskManager JVM (see DESIGN.md "Flink facts").
classloader.parent-first-patterns.additional: org.tensorflow.;org.bytedeco.;com.google.protobuf.
CONF
cat >"${FLINK_CONF_DIR}/log4j.properties" <<'CONF'
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = MainAppender
logger.akka.name = akka
logger.akka.level = WARN
logger.pekko.name = org.apache.pekko
logger.pekko.level = WARN
appender.main.name = MainAppender
appender.main.type = File
appender.main.append = true
appender.main.fileName = ${sys:log.file}
appender.main.layout.type = PatternLayout
appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n
CONF

started_ok=false
cleanup_on_failure() {
  if [[ "${started_ok}" != true ]]; then
    "${RUNNERS_DIR}/stop.sh" >&2 || true
  fi
}
trap cleanup_on_failure EXIT

params="$(bash_java_utils GET_JM_RESOURCE_PARAMS)"
jm_jvm_flags="$(head -n 1 <<<"${params}")"
jm_dynamic="$(tail -n 1 <<<"${params}")"
# shellcheck disable=SC2086 # flags and dynamic properties are lists of words computed by BashJavaUtils
nohup "${JAVA_BIN}" ${jm_jvm_flags} "${FLINK_JAVA17_OPTS[@]}" \
  -Dlog.file="${FLINK_LOG_DIR}/jobmanager.log" \
  -Dlog4j.configurationFile="file:${FLINK_CONF_DIR}/log4j.properties" \
  -classpath "$(cluster_classpath)" org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint \
  --configDir "${FLINK_CONF_DIR}" --executionMode cluster ${jm_dynamic} \
  >"${FLINK_LOG_DIR}/jobmanager.out" 2>&1 </dev/null &
echo $! >"${FLINK_PID_DIR}/jobmanager.pid"
echo "JobManager started (pid $!, log ${FLINK_LOG_DIR}/jobmanager.log)"

for ((i = 1; i <= taskmanagers; i++)); do
  start_taskmanager "${i}"
done

wait_for_taskmanagers "${taskmanagers}" "${timeout}"
started_ok=true
