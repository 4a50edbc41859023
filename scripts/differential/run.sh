#!/usr/bin/env bash
# Differential run of `odq apply` against the independent reference evaluator
# (scripts/differential/reference.py) on seeded random queries and documents.
#
#   scripts/differential/run.sh [--n N] [--seed S] [--show K] [--budget SECONDS]
#
# Defaults: 1000 cases, seed 1, the 40 first disagreements minimized and listed, 600 s for
# running the cases (minimizing gets a quarter of that more). Prints the disagreement rate.
# Needs: cargo, python3.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
n=1000
seed=1
show=40
budget=600
while [ $# -gt 0 ]; do
  case "$1" in
    --n) n="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --show) show="$2"; shift 2 ;;
    --budget) budget="$2"; shift 2 ;;
    *) echo "usage: $0 [--n N] [--seed S] [--show K] [--budget SECONDS]" >&2; exit 2 ;;
  esac
done
cargo build --release --quiet -p odq
work="$(mktemp -d "${TMPDIR:-/tmp}/odq-differential.XXXXXX")"
trap 'rm -rf "$work"' EXIT
python3 scripts/differential/generate.py --seed "$seed" --n "$n" --out "$work"
python3 scripts/differential/compare.py --cases "$work/cases.jsonl" --odq target/release/odq \
  --show "$show" --budget "$budget"
