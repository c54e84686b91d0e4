#!/usr/bin/env bash
# Throughput of each protocol (resumables, flow.js, tus) against a running server, beside the machine's ceilings
# (HTTP to a null sink, disk write + fsync). Usage: bench/run.sh [file MiB] [chunk MiB]
# Builds the jar, starts a server on a scratch database and storage, runs, and stops it again.
# SERVER_JAVA_OPTS go to the server's JVM, e.g. SERVER_JAVA_OPTS=-Xmx256m bench/run.sh 4096 64 for 4 GiB in a small heap.
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib=${1:-1024}
chunk_mib=${2:-64}

mvn -B -q package -DskipTests
# the tus row runs the real tus-java-client, a test dependency the shaded jar does not contain
mvn -B -q dependency:build-classpath -DincludeArtifactIds=tus-java-client -Dmdep.outputFile=target/bench.classpath
scratch=$(mktemp -d "${TMPDIR:-/tmp}/uploads-bench.XXXXXX")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
admin=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export DATABASE_URL="jdbc:h2:$scratch/db;AUTO_SERVER=TRUE" STORAGE_DIR="$scratch/storage" \
       HTTP_PORT=$port ADMIN_PORT=$admin STORAGE_MIN_FREE_SPACE=1MiB MAX_CHUNK_SIZE=1GiB
# shellcheck disable=SC2086
java ${SERVER_JAVA_OPTS:-} -jar target/upload-service.jar server config.yml > "$scratch/server.log" 2>&1 &
server=$!
# `|| true`: under set -e a failing kill or wait (the killed server's status) would end the trap before rm
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$scratch"' EXIT
for _ in $(seq 1 60); do
  curl -fs "http://127.0.0.1:$admin/healthcheck" > /dev/null && break
  sleep 1
done
token=$(java -jar target/upload-service.jar token-create --principal bench --groups bench config.yml 2>/dev/null | tail -1)
java -cp "target/test-classes:target/upload-service.jar:$(cat target/bench.classpath)" io.uploads.bench.Benchmark \
     "http://127.0.0.1:$port" "$token" "$size_mib" "$chunk_mib" "$scratch" "$STORAGE_DIR"
