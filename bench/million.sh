#!/usr/bin/env bash
# Read latency at a million sessions on PostgreSQL: resume by name and by id, the caller's list,
# admin pages (each filter alone, combinations, keyset pages), the audit trail and the totals,
# beside /ping on the admin port; then EXPLAIN (ANALYZE, BUFFERS) of each family's SQL.
# Usage: bench/million.sh [sessions, default 1000000] [requests per family, default 2000]
#
# Builds the jar, creates a scratch database uploads_bench_<pid> on PostgreSQL (PGHOST, PGPORT,
# PGUSER; default 127.0.0.1:5432, postgres, trust auth), migrates it, seeds it with SQL
# (bench/million-seed.sql), creates the open sessions' chunk files (sparse) in a scratch storage
# directory, starts the server on it (timing the start-up, recovery included), issues an uploader
# and an admin token, and runs src/test/java/io/uploads/bench/MillionBenchmark.java: one client,
# sequential requests. The plans go to bench/million-explain.txt (or MILLION_EXPLAIN). The database
# (unless MILLION_KEEP_DB is set), the storage and the server are removed again on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
sessions=${1:-1000000}
requests=${2:-2000}
explain_out=${MILLION_EXPLAIN:-bench/million-explain.txt}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
db=uploads_bench_$$
uploader=user00001   # one of the owners the seed gives ~50 open sessions

mvn -B -q package -DskipTests
scratch=$(mktemp -d "${TMPDIR:-/tmp}/uploads-million.XXXXXX")
server=
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  if [ -n "${MILLION_KEEP_DB:-}" ]; then echo "kept database $db (MILLION_KEEP_DB)"; else dropdb --if-exists "$db" || true; fi
  rm -rf "$scratch"
}
trap cleanup EXIT
createdb "$db"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
admin=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export DATABASE_URL="jdbc:postgresql://$PGHOST:$PGPORT/$db?user=$PGUSER" DATABASE_USER=$PGUSER \
       STORAGE_DIR="$scratch/storage" HTTP_PORT=$port ADMIN_PORT=$admin STORAGE_MIN_FREE_SPACE=1MiB
cp="target/test-classes:target/upload-service.jar"

echo "== migrate, seed $sessions sessions into $db"
java -jar target/upload-service.jar migrate config.yml 2>/dev/null | tail -1
seed_start=$(date +%s)
psql -X -q -v ON_ERROR_STOP=1 -v n="$sessions" -d "$db" -f bench/million-seed.sql -o "$scratch/seed.out" 2> "$scratch/seed.err" \
  || { cat "$scratch/seed.err" >&2; exit 1; }
grep -v "^Time:" "$scratch/seed.out"
echo "seeded in $(( $(date +%s) - seed_start )) s"
mkdir -p "$STORAGE_DIR"
java -cp "$cp" io.uploads.bench.MillionBenchmark chunk-files "$DATABASE_URL" "$STORAGE_DIR"

echo "== start the server on the seeded database"
start_ns=$(date +%s%N)
java -jar target/upload-service.jar server config.yml > "$scratch/server.log" 2>&1 &
server=$!
up=
for _ in $(seq 1 1200); do
  if curl -fs "http://127.0.0.1:$admin/ping" > /dev/null 2>&1 && curl -fs -o /dev/null "http://127.0.0.1:$port/files/tus" -X OPTIONS; then
    up=1; break
  fi
  kill -0 "$server" 2>/dev/null || break
  sleep 0.1
done
[ -n "$up" ] || { echo "the server did not start:"; tail -50 "$scratch/server.log"; exit 1; }
echo "start-up: $(( ($(date +%s%N) - start_ns) / 1000000 )) ms from launch to both ports answering"
grep -E 'Schema at version|Recovery finished|Started' "$scratch/server.log" | sed 's/^/  /'

token=$(java -jar target/upload-service.jar token-create --principal "$uploader" --groups grp-0000 config.yml 2>/dev/null | tail -1)
admin_token=$(java -jar target/upload-service.jar token-create --principal bench-admin --groups admin-group --admin config.yml 2>/dev/null | tail -1)

echo "== measure"
java -cp "$cp" io.uploads.bench.MillionBenchmark run "http://127.0.0.1:$port" "http://127.0.0.1:$admin" \
     "$uploader" "$token" "$admin_token" "$DATABASE_URL" "$requests" "$explain_out"
if grep -qE 'ERROR|Exception' "$scratch/server.log"; then
  echo "== errors in the server log:"; grep -E 'ERROR|Exception' "$scratch/server.log" | head -20
fi
