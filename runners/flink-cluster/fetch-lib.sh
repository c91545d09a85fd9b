#!/usr/bin/env bash
# Resolves the standalone Flink cluster's lib/ (Flink runtime, REST API + web UI, log4j, TensorFlow
# Java) from Maven Central into .flink/lib. Idempotent: does nothing when lib/ already holds the
# same versions. Usage: runners/flink-cluster/fetch-lib.sh [--force]
set -euo pipefail
# shellcheck source=runners/flink-cluster/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

force=false
case "${1:-}" in
  --force) force=true ;;
  "") ;;
  *) die "unknown argument '$1'; usage: fetch-lib.sh [--force]" ;;
esac

flink_version="$(pom_property flink.version)"
tf_version="$(pom_property tensorflow.version)"
tf_framework_version="$(pom_property tensorflow.framework.version)"
[[ -n "${flink_version}" && -n "${tf_version}" && -n "${tf_framework_version}" ]] \
  || die "could not read flink.version / tensorflow.version / tensorflow.framework.version from ${REPO_ROOT}/pom.xml"
stamp="flink=${flink_version} tensorflow=${tf_version} framework=${tf_framework_version}"

if [[ "${force}" == false && -f "${FLINK_LIB_DIR}/.complete" && "$(cat "${FLINK_LIB_DIR}/.complete")" == "${stamp}" ]]; then
  echo "cluster lib/ up to date (${stamp}): ${FLINK_LIB_DIR}"
  exit 0
fi

offline=()
if [[ "${MAVEN_OFFLINE:-}" == "true" ]]; then offline=(-o); fi

rm -rf "${FLINK_LIB_DIR}.tmp"
mkdir -p "${FLINK_LIB_DIR}.tmp"
echo "resolving cluster lib/ (${stamp}) from Maven ..."
mvn -B -q "${offline[@]}" -f "${RUNNERS_DIR}/lib-pom.xml" \
  org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
  -DoutputDirectory="${FLINK_LIB_DIR}.tmp" -DexcludeTypes=pom \
  -Dflink.cluster.version="${flink_version}" \
  -Dtensorflow.version="${tf_version}" \
  -Dtensorflow.framework.version="${tf_framework_version}"
echo "${stamp}" > "${FLINK_LIB_DIR}.tmp/.complete"
rm -rf "${FLINK_LIB_DIR}"
mv "${FLINK_LIB_DIR}.tmp" "${FLINK_LIB_DIR}"
echo "cluster lib/: $(find "${FLINK_LIB_DIR}" -name '*.jar' | wc -l) jars in ${FLINK_LIB_DIR}"
