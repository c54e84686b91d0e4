#!/usr/bin/env bash
# Side-by-side benchmark of this service against tus-java-server and @tus/server, beside two plain HTTP sinks.
# Usage: bench/peers/run.sh [size_mib] [rounds]        (defaults 1024 and 3; see bench/peers/README.md)
# Environment: UPLOADS_JAR (default target/upload-service.jar of the repo), UPLOADS_CONFIG (default config.yml),
# MIB_COUNT (100), SMALL_COUNT (1000), CONCURRENCY (20), CHUNK_MIB (8), WARMUP (1), WARMUP_SMALL (1), WARMUP_MIB (0),
# WARMUP_ROUNDS (0),
# KEEP_SCRATCH (0),
# TESTS (all of "tusjs curl mib small smallpost native"),
# PEERS_SELFTEST_BAD_HASH (0; 1 corrupts the expected hash of the big file: the run must then fail).
# Builds the peers, starts every server at once on scratch storage, runs the rounds, prints the medians, and
# stops every server and removes the scratch directory on exit.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
size_mib=${1:-1024}
rounds=${2:-3}
jar=${UPLOADS_JAR:-$repo/target/upload-service.jar}
config=${UPLOADS_CONFIG:-$repo/config.yml}
mib_count=${MIB_COUNT:-100}
small_count=${SMALL_COUNT:-1000}
concurrency=${CONCURRENCY:-20}
chunk_mib=${CHUNK_MIB:-8}
warmup=${WARMUP:-1}
warmup_small=${WARMUP_SMALL:-1}
warmup_mib_rounds=${WARMUP_MIB:-0}
warmup_rounds=${WARMUP_ROUNDS:-0}
tests=" ${TESTS:-tusjs curl mib small smallpost native} "
warmup_mib=$(( size_mib < 64 ? size_mib : 64 ))
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
clk_tck=$(getconf CLK_TCK)

die() { echo "FAIL: $*" >&2; exit 1; }
[[ $size_mib =~ ^[1-9][0-9]*$ && $rounds =~ ^[1-9][0-9]*$ ]] || die "usage: $0 [size_mib] [rounds]"
[[ $warmup_small =~ ^[1-9][0-9]*$ ]] || die "WARMUP_SMALL must be a positive number of rounds"
[[ $warmup_rounds =~ ^[0-9]+$ ]] || die "WARMUP_ROUNDS must be a number of rounds"
[[ $warmup_mib_rounds =~ ^[0-9]+$ ]] || die "WARMUP_MIB must be a number of rounds"
[[ -f $jar ]] || die "no server jar at $jar: build it (mvn -B -q package -DskipTests) or set UPLOADS_JAR"
[[ -f $config ]] || die "no configuration at $config (set UPLOADS_CONFIG)"
for tool in java node npm mvn curl getconf; do command -v $tool > /dev/null || die "$tool is not installed"; done

# disk: the sources, plus while a test runs at most one copy of the upload on each server
tmp=${TMPDIR:-/tmp}
need_mib=$(( size_mib * 4 + mib_count + small_count / 64 + 1024 ))
free_mib=$(df -Pm "$tmp" | awk 'NR == 2 { print $4 }')
(( free_mib > need_mib )) || die "$tmp has $free_mib MiB free, the run needs about $need_mib MiB"

echo "building the peers" >&2
build_log=$(mvn -B -q -f "$here/tus-java-server/pom.xml" package 2>&1) || { echo "$build_log" >&2; die "the tus-java-server peer did not build"; }
peer_jar=$here/tus-java-server/target/tus-java-server-peer.jar
installed_ok() {   # node_modules holds exactly the versions package.json names
  (cd "$here/node" && node -e '
    const fs = require("fs"); const deps = JSON.parse(fs.readFileSync("package.json")).dependencies;
    for (const [name, version] of Object.entries(deps)) {
      const p = `node_modules/${name}/package.json`;
      if (!fs.existsSync(p) || JSON.parse(fs.readFileSync(p)).version !== version) process.exit(1);
    }') 2> /dev/null
}
if ! installed_ok; then
  (cd "$here/node" && npm install --no-package-lock --no-audit --no-fund --loglevel=error > /dev/null)
  installed_ok || die "npm did not install the versions of bench/peers/node/package.json"
fi

scratch=$(mktemp -d "$tmp/uploads-peers.XXXXXX")
pids=()
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2> /dev/null || true
    wait "$pid" 2> /dev/null || true
  done
  if [[ ${KEEP_SCRATCH:-0} == 1 ]]; then echo "scratch kept: $scratch" >&2; else rm -rf "$scratch"; fi
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() { node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close() })'; }
declare -A port pid store kind
for s in ours ours-admin tus-java tus-node null fsync; do port[$s]=$(free_port); done
store[ours]=$scratch/ours/storage
store[tus-java]=$scratch/tus-java
store[tus-node]=$scratch/tus-node
store[fsync]=$scratch/fsync
store[null]=$scratch/null
kind=([ours]=ours [tus-java]=tus-java [tus-node]=tus-node [null]=null [fsync]=fsync)
mkdir -p "${store[ours]}" "${store[tus-java]}" "${store[tus-node]}" "${store[fsync]}" "${store[null]}"

start() {   # name, command...: started in the background, its pid remembered for the CPU counts and the trap
  local name=$1; shift
  "$@" > "$scratch/$name.log" 2>&1 &
  pid[$name]=$!
  pids+=($!)
}
max_chunk_mib=$(( size_mib + 1 > 1024 ? size_mib + 1 : 1024 ))
# our service as bench/run.sh starts it: scratch H2 database and storage; chunks up to the whole file
DATABASE_URL="jdbc:h2:$scratch/ours/db;AUTO_SERVER=TRUE" STORAGE_DIR="${store[ours]}" \
  HTTP_PORT=${port[ours]} ADMIN_PORT=${port[ours-admin]} STORAGE_MIN_FREE_SPACE=1MiB \
  MAX_CHUNK_SIZE=${max_chunk_mib}MiB start ours java -jar "$jar" server "$config"
start tus-java java -jar "$peer_jar" "${port[tus-java]}" "${store[tus-java]}"
start tus-node node "$here/node/tus-server.mjs" "${port[tus-node]}" "${store[tus-node]}"
start null java "$here/sinks/Sink.java" null "${port[null]}"
start fsync java "$here/sinks/Sink.java" fsync "${port[fsync]}" "${store[fsync]}"

ready() {   # name, url, curl options...: waits until the url answers (any status below 500)
  local name=$1 url=$2; shift 2
  for _ in $(seq 1 120); do
    kill -0 "${pid[$name]}" 2> /dev/null || { tail -30 "$scratch/$name.log" >&2; die "$name exited at start-up"; }
    local code
    code=$(curl -s -o /dev/null -w '%{http_code}' "$@" "$url" || true)
    [[ $code =~ ^[1-4][0-9][0-9]$ ]] && return 0
    sleep 0.5
  done
  tail -30 "$scratch/$name.log" >&2
  die "$name did not answer at $url within 60 s"
}
echo "preparing the sources in $scratch/src" >&2
node "$here/node/harness.mjs" prepare --dir "$scratch/src" --size-mib "$size_mib" --mib-count "$mib_count" \
  --small-count "$small_count" --warmup-mib "$([[ $warmup == 1 ]] && echo "$warmup_mib" || echo 0)"
big=$scratch/src/big.bin
hashes=$scratch/src/hashes.json
if [[ ${PEERS_SELFTEST_BAD_HASH:-0} == 1 ]]; then
  echo "self-test: the expected SHA-256 of $big is corrupted, so the first verification must fail" >&2
  node -e 'const fs = require("fs"); const [f, big] = process.argv.slice(1); const h = JSON.parse(fs.readFileSync(f));
           h[big] = h[big].replace(/^./, c => c === "0" ? "1" : "0"); fs.writeFileSync(f, JSON.stringify(h))' "$hashes" "$big"
fi

ready ours "http://127.0.0.1:${port[ours-admin]}/healthcheck"
ready tus-java "http://127.0.0.1:${port[tus-java]}/files" -X OPTIONS
ready tus-node "http://127.0.0.1:${port[tus-node]}/files" -X OPTIONS
ready null "http://127.0.0.1:${port[null]}/"
ready fsync "http://127.0.0.1:${port[fsync]}/"
token=$(DATABASE_URL="jdbc:h2:$scratch/ours/db;AUTO_SERVER=TRUE" STORAGE_DIR="${store[ours]}" \
  java -jar "$jar" token-create --principal bench --groups bench "$config" 2> /dev/null | tail -1)
[[ -n $token ]] || die "token-create gave no token"
echo "servers: ours (pid ${pid[ours]}, $jar), tus-java-server (${pid[tus-java]}), @tus/server (${pid[tus-node]}), null sink (${pid[null]}), fsync sink (${pid[fsync]})" >&2

tus_endpoint() {
  case $1 in
    ours) echo "http://127.0.0.1:${port[ours]}/files/tus" ;;
    *) echo "http://127.0.0.1:${port[$1]}/files" ;;
  esac
}
auth_args() { if [[ $1 == ours ]]; then echo "--token $token"; fi; }
ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
cpu_seconds() { awk -v a="$1" -v b="$2" -v t="$clk_tck" 'BEGIN { printf "%.3f", (b - a) / t }'; }
now() { date +%s.%N; }
clean() {   # the finished uploads of a server, deleted between tests
  case $1 in
    ours) rm -rf "${store[ours]}/files" ;;
    tus-java) rm -rf "${store[tus-java]}/uploads" ;;
    tus-node|fsync) find "${store[$1]}" -mindepth 1 -delete ;;
  esac
}
results=$scratch/results.tsv
: > "$results"

# one test against one server: times it (inside the client), counts the server's CPU, verifies every file it
# stored against its source, records the result (round "warmup" is not recorded), deletes the files
measure() {   # round, test, server, metric, command...
  local round=$1 test=$2 server=$3 metric=$4; shift 4
  local manifest=$scratch/manifest.json before after
  before=$(ticks "${pid[$server]}")
  "$@" > "$manifest" || die "$test to $server failed (round $round)"
  after=$(ticks "${pid[$server]}")
  local record=()
  [[ $round == warmup ]] || record=(--record "$results" --round "$round" --test "$test" --server "$server"
                                    --metric "$metric" --cpu "$(cpu_seconds "$before" "$after")")
  node "$here/node/harness.mjs" verify --kind "${kind[$server]}" --store "${store[$server]}" \
    --manifest "$manifest" --hashes "$hashes" --test "$test" --server "$server" "${record[@]}" \
    || die "$test to $server: verification failed (round $round)"
  clean "$server"
}

drive() { node "$here/node/drive.mjs" "$@"; }
runs() { [[ $tests == *" $1 "* ]]; }   # test: asked for in TESTS

curl_upload() {   # server, file, name: tus POST then one PATCH of the whole file (the sinks: the PATCH alone)
  local server=$1 file=$2 name=$3 bytes start location code
  bytes=$(stat -c %s "$file")
  local auth=()
  [[ $server == ours ]] && auth=(-H "Authorization: Bearer $token")
  start=$(now)
  if [[ $server == null || $server == fsync ]]; then
    location=http://127.0.0.1:${port[$server]}/files/$name
  else
    location=$(curl -sS -f -i -X POST -H 'Tus-Resumable: 1.0.0' -H "Upload-Length: $bytes" \
      -H "Upload-Metadata: filename $(printf %s "$name" | base64 -w0)" "${auth[@]}" "$(tus_endpoint "$server")" \
      | tr -d '\r' | awk 'tolower($1) == "location:" { print $2 }')
    [[ -n $location ]] || { echo "POST to $server gave no Location" >&2; return 1; }
    [[ $location == /* ]] && location=http://127.0.0.1:${port[$server]}$location
  fi
  code=$(curl -sS -o "$scratch/curl-answer" -w '%{http_code}' -X PATCH -T "$file" -H "Expect:" \
    -H 'Content-Type: application/offset+octet-stream' -H 'Upload-Offset: 0' -H 'Tus-Resumable: 1.0.0' \
    "${auth[@]}" "$location")
  local elapsed
  elapsed=$(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.6f", b - a }')
  [[ $code == 204 ]] || { echo "PATCH $location answered $code: $(head -c 500 "$scratch/curl-answer")" >&2; return 1; }
  printf '{"elapsed":%s,"bytes":%s,"uploads":[{"name":"%s","source":"%s","url":"%s"}]}\n' \
    "$elapsed" "$bytes" "$name" "$file" "$location"
}

native_url() {   # server, name
  echo "http://127.0.0.1:${port[$1]}/files/stream/$2"
}

rotate() {   # round, items...: the items rotated left by round (a warm-up round's is negative)
  local r=$1; shift
  local items=("$@") n=$#
  for (( i = 0; i < n; i++ )); do echo "${items[$(( ((i + r) % n + n) % n ))]}"; done
}

chunk=$(( chunk_mib << 20 ))
tus_servers=(ours tus-java tus-node)
creation_upload_servers=(ours tus-node)
curl_servers=(ours tus-java tus-node null fsync)
native_servers=(ours null fsync)

if [[ $warmup == 1 ]]; then
  echo "warm-up (not recorded): $warmup_mib MiB through every client, the 16 KiB uploads ($warmup_small round(s))" \
    "and the 1 MiB uploads ($warmup_mib_rounds round(s))" >&2
  for s in "${tus_servers[@]}"; do
    runs tusjs || runs mib || runs small || runs smallpost || continue
    measure warmup tusjs "$s" mbps drive tus --endpoint "$(tus_endpoint "$s")" --file "$scratch/src/warmup.bin" \
      --name "warmup-tusjs-$s.bin" --chunk-size "$chunk" $(auth_args "$s")
    for (( w = 1; w <= warmup_small; w++ )); do
      measure warmup small "$s" seconds drive many --endpoint "$(tus_endpoint "$s")" --dir "$scratch/src/small" \
        --prefix "warmup$w-$s-" --concurrency "$concurrency" $(auth_args "$s")
    done
    for (( w = 1; w <= warmup_mib_rounds; w++ )); do
      measure warmup mib "$s" seconds drive many --endpoint "$(tus_endpoint "$s")" --dir "$scratch/src/mib" \
        --prefix "warmup$w-$s-" --concurrency "$concurrency" $(auth_args "$s")
    done
  done
  for s in "${curl_servers[@]}"; do
    runs curl || continue
    measure warmup curl "$s" mbps curl_upload "$s" "$scratch/src/warmup.bin" "warmup-curl-$s.bin"
  done
  for s in "${native_servers[@]}"; do
    runs native || continue
    measure warmup native "$s" mbps drive native --url "$(native_url "$s" "warmup-native-$s.bin")" \
      --file "$scratch/src/warmup.bin" --chunk-size "$chunk" --token "$token"
  done
  rm -f "$scratch/src/warmup.bin"
fi

# WARMUP_ROUNDS whole rounds first, numbered up to 0 and not recorded: every server near its steady state
for (( n = 1 - warmup_rounds; n <= rounds; n++ )); do
  if (( n < 1 )); then
    round=warmup
    echo "warm-up round $(( n + warmup_rounds )) of $warmup_rounds (not recorded)" >&2
  else
    round=$n
    echo "round $round of $rounds" >&2
  fi
  [[ $n == 1 ]] && load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  r=$(( n - 1 ))
  for s in $(rotate $r "${tus_servers[@]}"); do
    runs tusjs || continue
    measure $round tusjs "$s" mbps drive tus --endpoint "$(tus_endpoint "$s")" --file "$big" \
      --name "r$n-tusjs-$s.bin" --chunk-size "$chunk" $(auth_args "$s")
  done
  for s in $(rotate $r "${curl_servers[@]}"); do
    runs curl || continue
    measure $round curl "$s" mbps curl_upload "$s" "$big" "r$n-curl-$s.bin"
  done
  for s in $(rotate $r "${tus_servers[@]}"); do
    runs mib || continue
    measure $round mib "$s" seconds drive many --endpoint "$(tus_endpoint "$s")" --dir "$scratch/src/mib" \
      --prefix "r$n-$s-" --concurrency "$concurrency" $(auth_args "$s")
  done
  for s in $(rotate $r "${tus_servers[@]}"); do
    runs small || continue
    measure $round small "$s" seconds drive many --endpoint "$(tus_endpoint "$s")" --dir "$scratch/src/small" \
      --prefix "r$n-$s-" --concurrency "$concurrency" $(auth_args "$s")
  done
  # tus-java-server 1.0.0-3.0 has no creation-with-upload (1.0.0-3.3, which has, is not on this registry)
  for s in $(rotate $r "${creation_upload_servers[@]}"); do
    runs smallpost || continue
    measure $round smallpost "$s" seconds drive many --endpoint "$(tus_endpoint "$s")" --dir "$scratch/src/small" \
      --prefix "r$n-post-$s-" --concurrency "$concurrency" --with-creation 1 $(auth_args "$s")
  done
  for s in $(rotate $r "${native_servers[@]}"); do
    runs native || continue
    # the same requests to every server: the sinks ignore the token and the query
    measure $round native "$s" mbps drive native --url "$(native_url "$s" "r$n-native-$s.bin")" \
      --file "$big" --chunk-size "$chunk" --token "$token"
  done
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

echo
echo "bench/peers: $size_mib MiB file, $rounds round(s), MB = 10^6 bytes; server jar $jar"
node "$here/node/harness.mjs" report --results "$results" --size-mib "$size_mib" --rounds "$rounds" \
  --chunk-mib "$chunk_mib" --mib-count "$mib_count" --small-count "$small_count" --concurrency "$concurrency" \
  --load "at start (before building)=$load_start" --load "before the first round=$load_before" \
  --load "at end=$load_end"
