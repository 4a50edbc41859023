#!/usr/bin/env bash
# A bounded load run on loopback: the seed document's six requests, cycled by wrk for
# DURATION (default 10s) against three servers answering the same data side by side:
#   1. odq serve src/sample/upload-sessions.json   (the ODataService router over a file)
#   2. examples/graph_server.rs                    (the same service over SQLite, pushed down)
#   3. examples/sessions_server.rs                 (an application handler with the extractor)
#   4. examples/plain_server.rs                    (hand-written filtering, no OData layer)
# Prints a Markdown table of req/s, p50, p99 and errors. Then times the two hostile
# requests against odq serve (the default budgets must stop them) and reports the
# server's peak memory.
#
# Needs wrk (apt-get install -y wrk). Usage: scripts/load.sh [DURATION] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
duration=${1:-10s}
connections=${2:-8}
command -v wrk >/dev/null || { echo "load.sh: wrk is not installed (apt-get install -y wrk)" >&2; exit 2; }

cargo build -q --release -p odq
cargo build -q --release --features axum,sample --example sessions_server --example plain_server
cargo build -q --release --features axum,sqlite,sample --example graph_server
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Starts a server that prints its URL first on stdout; sets $url.
start() {
  local name=$1; shift
  "$@" > "$work/$name.out" 2> "$work/$name.err" &
  pids+=($!)
  last_pid=$!
  for _ in $(seq 100); do
    url=$(head -n1 "$work/$name.out" 2>/dev/null || true)
    [ -n "$url" ] && return 0
    sleep 0.1
  done
  echo "load.sh: $name did not start" >&2; cat "$work/$name.err" >&2; exit 1
}

echo "| server | req/s | p50 | p99 | errors | requests |"
echo "|---|---|---|---|---|---|"
run() {
  local label=$1 target=$2
  local line
  line=$(wrk -t1 -c"$connections" -d"$duration" --timeout 5s -s scripts/seed.lua "$target" | grep '^RESULT')
  local rps p50 p99 requests errors
  rps=$(sed -E 's/.*rps=([0-9.]+).*/\1/' <<<"$line")
  p50=$(sed -E 's/.*p50_ms=([0-9.]+).*/\1/' <<<"$line")
  p99=$(sed -E 's/.*p99_ms=([0-9.]+).*/\1/' <<<"$line")
  requests=$(sed -E 's/.*requests=([0-9]+).*/\1/' <<<"$line")
  errors=$(sed -E 's/.*errors=([0-9]+).*/\1/' <<<"$line")
  echo "| $label | $rps | ${p50} ms | ${p99} ms | $errors | $requests |"
}

start odq target/release/odq serve src/sample/upload-sessions.json --name uploadSessions --port 0 --quiet
odq_url=$url; odq_pid=$last_pid
start graph target/release/examples/graph_server 0
graph_url=$url
start example target/release/examples/sessions_server 0
example_url=$url
start plain target/release/examples/plain_server 0
plain_url=$url
run "odq serve (ODataService over the file)" "$odq_url"
run "examples/graph_server (SQLite, pushed down)" "$graph_url"
run "examples/sessions_server (ODataQuery extractor)" "$example_url"
run "examples/plain_server (hand-written, no OData)" "$plain_url"

echo
echo "Hostile requests against odq serve with the default budgets:"
python3 - "$work/lambdas.json" <<'PY'
import json, sys
record = {"x": list(range(30))}
json.dump([dict(record, id=i) for i in range(5000)], open(sys.argv[1], "w"))
PY
target/release/odq gen 52000 -o "$work/sessions-50mb.json"
start lambdas target/release/odq serve "$work/lambdas.json" --name items --port 0 --quiet
lambdas_url=$url
start concat target/release/odq serve "$work/sessions-50mb.json" --name uploadSessions --port 0 --quiet
concat_url=$url; concat_pid=$last_pid
nested=type
for _ in 1 2 3 4 5 6 7 8; do nested="concat($nested,$nested)"; done
measure() {
  local label=$1 target=$2
  local out
  out=$(curl -s -o "$work/body" -w '%{http_code} %{time_total}' "$target")
  echo "- $label: HTTP ${out% *} in ${out#* }s: $(head -c 160 "$work/body")"
}
measure "three nested any over 30x30x30 (5,000 records)" \
  "${lambdas_url}items?\$filter=x/any(a:x/any(b:x/any(c:a%20add%20b%20add%20c%20eq%20-1)))"
measure "nested concat in \$orderby over $(du -m "$work/sessions-50mb.json" | cut -f1) MB" \
  "${concat_url}uploadSessions?\$orderby=$nested"
echo "- odq serve peak memory with the $(du -m "$work/sessions-50mb.json" | cut -f1) MB file: $(grep VmHWM /proc/$concat_pid/status | awk '{print $2/1024 " MB"}')"
