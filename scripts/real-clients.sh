#!/usr/bin/env bash
# A real OData client library against `odq serve`: installs python-odata from PyPI into a
# virtual environment under target/ (a download, so CI does not run it by default), then
# runs scripts/real_client_check.py, which reads $metadata, lists, filters, orders,
# expands, counts and pages through the sample, comparing with `odq apply`.
#
# Usage: scripts/real-clients.sh [ODQ_BINARY]   (default: builds target/debug/odq)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

odq=${1:-}
if [ -z "$odq" ]; then
  cargo build -q -p odq
  odq=target/debug/odq
fi
venv=target/real-clients/venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "python-odata==0.8.1"
fi
exec "$venv/bin/python" scripts/real_client_check.py "$odq" src/sample/upload-sessions.json
