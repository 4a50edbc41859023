#!/usr/bin/env bash
# Real OData client libraries against `odq serve`, each compared with answers computed
# independently of the crate:
# - python-odata (PyPI) in a virtual environment: scripts/real_client_check.py reads
#   $metadata, lists, filters, orders, expands, counts and pages through the sample;
# - odata-query, @odata/client and o.js (npm), when node and npm are installed:
#   scripts/js_client_check.mjs sends what the query builder builds and what the client
#   requests, and checks the answers against plain JavaScript over the same file.
# Both download packages, so CI does not run this by default.
#
# Usage: scripts/real-clients.sh [ODQ_BINARY]   (default: builds target/debug/odq)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

odq=${1:-}
if [ -z "$odq" ]; then
  cargo build -q -p odq
  odq=target/debug/odq
fi
odq=$(realpath "$odq")
data=$PWD/src/sample/upload-sessions.json

venv=target/real-clients/venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "python-odata==0.8.1"
fi
"$venv/bin/python" scripts/real_client_check.py "$odq" "$data"

if command -v node >/dev/null && command -v npm >/dev/null; then
  js=target/real-clients/js
  if [ ! -d "$js/node_modules/@odata/client" ] || [ ! -d "$js/node_modules/odata-query" ] \
    || [ ! -d "$js/node_modules/odata" ]; then
    mkdir -p "$js"
    (cd "$js" && npm init -y >/dev/null \
      && npm install --silent --no-audit --no-fund "odata-query@8.1.0" "@odata/client@2.21.10" "odata@2.0.1")
  fi
  cp scripts/js_client_check.mjs "$js/"
  node "$js/js_client_check.mjs" "$odq" "$data"
else
  echo "node or npm not found: the JavaScript clients were skipped"
fi
