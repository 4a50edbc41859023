#!/usr/bin/env bash
# Whole-process `odq apply` against serde_json validating the same file (the floor for a
# streaming evaluator), alternating the processes so that other load hits both alike.
#   scripts/stream-vs-serde.sh FILE.json [RUNS] [OTHER_ODQ]
# Queries are read from stdin, one `ID<TAB>QUERY` per line; with OTHER_ODQ (an earlier
# build), it is timed too, as "before". Prints a Markdown table of medians (wall seconds).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
file="$1"; runs="${2:-3}"; before="${3:-}"
cargo build --release -q -p odq
cargo build --release -q --example validate_json
odq=target/release/odq
validate=target/release/examples/validate_json
cat "$file" > /dev/null   # into the page cache
wall() { /usr/bin/time -f %e "$@" 2>&1 >/dev/null | tail -1; }
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
printf '| query | serde_json validate | %sodq | %sodq / validate |\n' "${before:+before | }" "${before:+before / validate | }"
printf '|---|---|%s---|%s---|\n' "${before:+---|}" "${before:+---|}"
while IFS=$'\t' read -r id query; do
  [ -n "$id" ] || continue
  v=(); b=(); a=()
  for _ in $(seq "$runs"); do
    v+=("$(wall "$validate" "$file")")
    [ -z "$before" ] || b+=("$(wall "$before" apply "$query" "$file")")
    a+=("$(wall "$odq" apply "$query" "$file")")
  done
  python3 - "$id" "${v[*]}" "${b[*]:-}" "${a[*]}" <<'PY'
import statistics, sys
qid, v, b, a = sys.argv[1], *[[float(x) for x in s.split()] for s in sys.argv[2:]]
mv, ma = statistics.median(v), statistics.median(a)
if b:
    mb = statistics.median(b)
    print(f"| {qid} | {mv:.2f} s | {mb:.2f} s | {ma:.2f} s | {mb/mv:.2f}× | {ma/mv:.2f}× |")
else:
    print(f"| {qid} | {mv:.2f} s | {ma:.2f} s | {ma/mv:.2f}× |")
PY
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
