#!/usr/bin/env bash
# The SQL push-down benchmark: the 8 evaluator workloads of ../shared/perf answered by
# `odq apply --db` on SQLite and PostgreSQL, by the evaluator over the JSON file, and by
# hand-written SQL for the same queries (ratio generated/hand-written, EXPLAIN index use).
#
#   scripts/sql-bench.sh [--records N] [--runs R] [--data FILE] [--work DIR]
#
# Builds odq and the sql_exec example (release), generates N upload sessions with
# ../shared/perf/gen_data.py (default 1,000,000; 0-8 files each, 3.1 on average) unless
# --data names the file, loads them with `odq load` into SQLite and into a throwaway
# PostgreSQL cluster (scripts/postgres.sh; or ODQ_BENCH_POSTGRES=URL), creates the indexes
# a user would create for these filters and sorts, and runs scripts/sql-bench.py (medians
# of R whole-process runs, default 5). Takes about half an hour for 1M records on two
# cores; not part of .ci/run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)

records=1000000
runs=5
data=""
work="${TMPDIR:-/tmp}/odq-sql-bench"
while [ $# -gt 0 ]; do
  case "$1" in
    --records) records=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    *) echo "usage: $0 [--records N] [--runs R] [--data FILE] [--work DIR]" >&2; exit 2 ;;
  esac
done
# The team's perf kit (gen_data.py, eval-queries.json); ODQ_PERF_DIR overrides.
perf="${ODQ_PERF_DIR:-$root/../shared/perf}"
[ -d "$perf" ] || { echo "sql-bench: no perf kit at $perf (set ODQ_PERF_DIR)" >&2; exit 2; }
mkdir -p "$work"
model="$root/examples/upload-sessions.csdl.xml"

echo "== build (release)" >&2
cargo build --release -q -p odq
# The features odq builds the library with, so the library is built once.
cargo build --release -q --features serde,sample,csdl,sqlite,postgres,axum --example sql_exec
odq="$root/target/release/odq"
exec_bin="$root/target/release/examples/sql_exec"

if [ -z "$data" ]; then
  data="$work/sessions-$records.json"
  if [ ! -s "$data" ]; then
    echo "== generate $records sessions" >&2
    python3 "$perf/gen_data.py" "$records" "$data"
  fi
fi

db="$work/sessions.db"
echo "== load into SQLite ($db)" >&2
rm -f "$db"
/usr/bin/time -f "   %e s, %M KB peak" "$odq" load --model "$model" --db "sqlite:$db" --replace "$data"

if [ -n "${ODQ_BENCH_POSTGRES:-}" ]; then
  pg="$ODQ_BENCH_POSTGRES"
else
  export ODQ_PG_DIR="$work/pg"
  trap 'scripts/postgres.sh stop || true' EXIT
  pg=$(scripts/postgres.sh start)
fi
echo "== load into PostgreSQL ($pg)" >&2
/usr/bin/time -f "   %e s, %M KB peak" "$odq" load --model "$model" --db "$pg" --replace "$data"

# The indexes a user would create for these workloads: the filtered and sorted columns
# (the instant columns, which odq compares and sorts DateTimeOffsets by; the text column
# too, which the hand-written SQL compares), and the files' size. `odq load` itself
# creates (_ordinal) and (_parent_id, _ordinal). PostgreSQL compares strings by code point
# (COLLATE "C"), so its index on source is a "C" one.
indexes='
CREATE INDEX sessions_status ON "uploadSessions" ("status");
CREATE INDEX sessions_bytes ON "uploadSessions" ("stats_totalBytesUploaded");
CREATE INDEX sessions_created_text ON "uploadSessions" ("createdDateTime");
CREATE INDEX files_size ON "uploadSessions_files" ("size");
'
echo "== indexes" >&2
printf '%s\nCREATE INDEX sessions_source ON "uploadSessions" ("source");
CREATE INDEX sessions_created ON "uploadSessions" ("createdDateTime_instant");
ANALYZE;\n' "$indexes" > "$work/indexes-sqlite.sql"
python3 - "$exec_bin" "$db" "$work/indexes-sqlite.sql" <<'PY'
import subprocess, sys
exe, db, path = sys.argv[1:]
for statement in open(path).read().split(";"):
    if statement.strip():
        one = path + ".one"
        open(one, "w").write(statement)
        subprocess.run([exe, db, one], check=True)
PY
# OData sorts nulls first ascending and last descending: SQLite's own order, but on
# PostgreSQL an index serves it only when built NULLS FIRST (scanned backwards for desc).
printf '%s\nCREATE INDEX sessions_source ON "uploadSessions" ("source" COLLATE "C");
CREATE INDEX sessions_created ON "uploadSessions" ("createdDateTime_instant" NULLS FIRST);
ANALYZE;\n' "$indexes" | psql -X -q -v ON_ERROR_STOP=1 "$pg"

echo "== time ($runs runs each, medians)" >&2
python3 "$root/scripts/sql-bench.py" --odq "$odq" --exec "$exec_bin" --model "$model" \
  --json "$data" --sqlite "$db" --postgres "$pg" --queries "$perf/eval-queries.json" \
  --runs "$runs" --out "$work"
