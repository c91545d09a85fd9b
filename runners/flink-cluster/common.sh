# shellcheck shell=bash
# Shared settings for the Flink cluster scripts (sourced, not run).
# Everything lives under FLINK_HOME_DIR (default: <repo>/.flink, git-ignored):
#   lib/   cluster jars (fetch-lib.sh)   conf/  generated config   log/  JVM logs   pid/  JVM pids

RUNNERS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "${RUNNERS_DIR}/../.." && pwd)"
FLINK_HOME_DIR="${FLINK_HOME_DIR:-${REPO_ROOT}/.flink}"
FLINK_LIB_DIR="${FLINK_HOME_DIR}/lib"
FLINK_CONF_DIR="${FLINK_HOME_DIR}/conf"
FLINK_LOG_DIR="${FLINK_HOME_DIR}/log"
FLINK_PID_DIR="${FLINK_HOME_DIR}/pid"
FLINK_REST_PORT="${FLINK_REST_PORT:-8081}"
FLINK_BIND="127.0.0.1"
export FLINK_PLUGINS_DIR="${FLINK_HOME_DIR}/plugins"
JAVA_BIN="${JAVA_HOME:+${JAVA_HOME}/bin/}java"

# Flink's usual Java 17 flags (env.java.opts.all of Flink 1.19's default config).
FLINK_JAVA17_OPTS=(
  -XX:+IgnoreUnrecognizedVMOptions
  --add-exports=java.base/sun.net.util=ALL-UNNAMED
  --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED
  --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.text=ALL-UNNAMED
  --add-opens=java.base/java.time=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED
)

die() {
  echo "error: $*" >&2
  exit 1
}

# Prints the text of <name>value</name> from the project's pom.xml.
pom_property() {
  sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" "${REPO_ROOT}/pom.xml" | head -n 1
}

# The cluster class path: every jar in lib/.
cluster_classpath() {
  [[ -f "${FLINK_LIB_DIR}/.complete" ]] || die "no cluster lib/ in ${FLINK_LIB_DIR}; run runners/flink-cluster/fetch-lib.sh"
  local jars=("${FLINK_LIB_DIR}"/*.jar)
  local IFS=:
  echo "${jars[*]}"
}

# True when the process with the pid in file $1 is alive.
pid_alive() {
  local pid
  [[ -f "$1" ]] || return 1
  pid="$(cat "$1")"
  [[ -n "${pid}" ]] && kill -0 "${pid}" 2>/dev/null
}

# GET http://127.0.0.1:REST_PORT$1 and print the body (bash /dev/tcp: no curl needed).
rest_get() {
  local response
  exec 3<>"/dev/tcp/${FLINK_BIND}/${FLINK_REST_PORT}" || return 1
  printf 'GET %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n' "$1" "${FLINK_BIND}" >&3
  response="$(cat <&3)"
  exec 3<&-
  printf '%s\n' "${response#*$'\r\n\r\n'}"
}

# Number of TaskManagers registered with the JobManager (0 when the REST API is not up).
registered_taskmanagers() {
  local body
  body="$(rest_get /overview 2>/dev/null)" || { echo 0; return; }
  sed -n 's/.*"taskmanagers":\([0-9]*\).*/\1/p' <<<"${body}" | head -n 1 | grep . || echo 0
}

# Runs BashJavaUtils like Flink's own scripts do; prints its two result lines (JVM flags, then -D dynamic properties).
bash_java_utils() {
  local output
  output="$("${JAVA_BIN}" -classpath "$(cluster_classpath)" org.apache.flink.runtime.util.bash.BashJavaUtils \
    "$1" --configDir "${FLINK_CONF_DIR}" 2>&1)" || die "BashJavaUtils $1 failed:"$'\n'"${output}"
  grep '^BASH_JAVA_UTILS_EXEC_RESULT:' <<<"${output}" | sed 's/^BASH_JAVA_UTILS_EXEC_RESULT://' | tail -n 2
}

# Starts TaskManager number $1 (a JVM of its own) in the background; writes pid/taskmanager-$1.pid.
# Its resource id, taskmanager-<index>-<epoch seconds>, is left in STARTED_TM_ID (a restarted
# TaskManager gets a new id, so it cannot be mistaken for the dead one the JobManager still lists).
start_taskmanager() {
  local index="$1" params jvm_flags dynamic
  local pid_file="${FLINK_PID_DIR}/taskmanager-${index}.pid"
  if pid_alive "${pid_file}"; then
    die "TaskManager ${index} is already running (pid $(cat "${pid_file}"))"
  fi
  params="$(bash_java_utils GET_TM_RESOURCE_PARAMS)"
  jvm_flags="$(head -n 1 <<<"${params}")"
  dynamic="$(tail -n 1 <<<"${params}")"
  STARTED_TM_ID="taskmanager-${index}-$(date +%s)"
  # shellcheck disable=SC2086 # jvm_flags and dynamic are lists of words computed by BashJavaUtils
  nohup "${JAVA_BIN}" ${jvm_flags} "${FLINK_JAVA17_OPTS[@]}" \
    -Dlog.file="${FLINK_LOG_DIR}/taskmanager-${index}.log" \
    -Dlog4j.configurationFile="file:${FLINK_CONF_DIR}/log4j.properties" \
    -classpath "$(cluster_classpath)" org.apache.flink.runtime.taskexecutor.TaskManagerRunner \
    --configDir "${FLINK_CONF_DIR}" -D "taskmanager.resource-id=${STARTED_TM_ID}" ${dynamic} \
    >"${FLINK_LOG_DIR}/taskmanager-${index}.out" 2>&1 </dev/null &
  echo $! >"${pid_file}"
  echo "TaskManager ${index} started (pid $!, id ${STARTED_TM_ID}, log ${FLINK_LOG_DIR}/taskmanager-${index}.log)"
}

# True when the TaskManager with resource id $1 has registered with the JobManager.
taskmanager_registered() {
  rest_get /taskmanagers 2>/dev/null | grep -q "\"id\":\"$1\""
}

# Waits until the REST API reports at least $1 TaskManagers (or, with a resource id as $3, that
# one TaskManager), for at most $2 seconds; on timeout prints the log tails and fails.
wait_for_taskmanagers() {
  local want="$1" timeout="$2" id="${3:-}" waited=0 have=0
  while (( waited < timeout * 2 )); do
    have="$(registered_taskmanagers)"
    if [[ -n "${id}" ]] && taskmanager_registered "${id}"; then
      echo "TaskManager ${id} registered (${have} TaskManager(s) listed)"
      return 0
    fi
    if [[ -z "${id}" ]] && (( have >= want )); then
      echo "cluster ready: ${have} TaskManager(s), web UI http://${FLINK_BIND}:${FLINK_REST_PORT}"
      return 0
    fi
    sleep 0.5
    waited=$((waited + 1))
  done
  echo "error: cluster not ready after ${timeout}s (${have} of ${want} TaskManagers registered${id:+, ${id} not among them})" >&2
  local log
  for log in "${FLINK_LOG_DIR}"/*.log "${FLINK_LOG_DIR}"/*.out; do
    [[ -s "${log}" ]] || continue
    echo "---- tail of ${log}" >&2
    tail -n 30 "${log}" >&2
  done
  return 1
}
