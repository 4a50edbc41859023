#!/usr/bin/env bash
# Side-by-side comparison of `odq apply` with jq (and jaq, when installed) on the same
# generated data and equivalent programs, in one run. Prints a markdown table of median
# wall times, peak memory and the jq/odq ratio, and checks that the answers agree.
#
#   scripts/compare.sh [--records N] [--runs R]     (defaults: 100000 records, 3 runs)
#
# Needs: cargo, jq, python3 (for timing and checking); GNU time is not needed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
records=100000
runs=3
while [ $# -gt 0 ]; do
  case "$1" in
    --records) records="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    *) echo "usage: $0 [--records N] [--runs R]" >&2; exit 2 ;;
  esac
done
command -v jq >/dev/null || { echo "compare.sh: jq is not installed (apt-get install jq)" >&2; exit 2; }

cargo build --release --quiet -p odq
data="${TMPDIR:-/tmp}/odq-compare-$records.json"
[ -s "$data" ] || target/release/odq gen "$records" -o "$data"

python3 - "$data" "$runs" <<'PY'
import json, os, resource, shutil, statistics, subprocess, sys, time

data, runs = sys.argv[1], int(sys.argv[2])
odq = os.path.abspath("target/release/odq")
# (id, OData query, jq program printing the same response)
workloads = [
    ("count-gt", "$filter=stats/totalBytesUploaded gt 1000000&$count=true&$top=0",
     '.value | map(select(.stats.totalBytesUploaded? > 1000000)) | {"@odata.count": length, "value": []}'),
    ("count-and", "$filter=status eq 'complete' and isUploadDone eq true&$count=true&$top=0",
     '.value | map(select(.status == "complete" and .isUploadDone == true)) | {"@odata.count": length, "value": []}'),
    ("count-any", "$filter=files/any(f: f/size gt 10000000)&$count=true&$top=0",
     '.value | map(select((.files // []) | any(.size? > 10000000))) | {"@odata.count": length, "value": []}'),
    ("count-string", "$filter=startswith(source,'Azure') or contains(source,'Sap')&$count=true&$top=0",
     '.value | map(select(.source | type == "string" and (startswith("Azure") or contains("Sap")))) | {"@odata.count": length, "value": []}'),
    ("count-dates", "$filter=createdDateTime ge 2026-01-01T00:00:00Z and createdDateTime lt 2026-04-01T00:00:00Z&$count=true&$top=0",
     '.value | map(select(.createdDateTime | type == "string" and . >= "2026-01-01T00:00:00.0000000Z" and . < "2026-04-01T00:00:00.0000000Z")) | {"@odata.count": length, "value": []}'),
    ("count-arith", "$filter=(stats/filesUploaded add 1) mul 2 gt 10 and not (status eq 'failed')&$count=true&$top=0",
     '.value | map(select((.stats.filesUploaded? | type == "number" and (. + 1) * 2 > 10) and ((.status == "failed") | not))) | {"@odata.count": length, "value": []}'),
    ("materialize", "$filter=status eq 'failed'",
     '{"@odata.context": .["@odata.context"], "value": (.value | map(select(.status == "failed")))}'),
    ("page", "$filter=stats/totalBytesUploaded gt 1000000&$orderby=createdDateTime desc&$expand=files($filter=uploadedDateTime ge 2026-01-01T00:00:00Z;$orderby=size desc;$top=3)&$top=10&$skip=5&$count=true",
     '.value | map(select(.stats.totalBytesUploaded? > 1000000)) | length as $n | sort_by(.createdDateTime) | reverse | .[5:15] | map(.files |= ((. // []) | map(select(.uploadedDateTime? >= "2026-01-01T00:00:00.0000000Z")) | sort_by(.size) | reverse | .[:3])) | {"@odata.count": $n, "value": .}'),
]

def timed(cmd):
    """Wall seconds and peak RSS (MB) of one run of cmd, and its output (stdout goes to a
    temporary file; os.wait4 gives this child's own peak RSS)."""
    out_path = os.path.join(os.environ.get("TMPDIR", "/tmp"), "odq-compare.out")
    err_path = out_path + ".err"
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.dup2(os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), 1)
        os.dup2(os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), 2)
        try:
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"failed: {cmd[:2]}: {open(err_path).read()[:300]}")
    with open(out_path, "rb") as f:
        out = f.read()
    return wall, usage.ru_maxrss / 1024, out

def digest(out):
    doc = json.loads(out)
    def ids(items):
        return [(i.get("id"), [f.get("id") for f in (i.get("files") or [])]) for i in items]
    return doc.get("@odata.count"), ids(doc.get("value", []))

tools = [("jq", lambda prog: ["jq", "-c", prog, data])]
if shutil.which("jaq"):
    tools.append(("jaq", lambda prog: ["jaq", "-c", prog, data]))
size_mb = os.path.getsize(data) / 1e6
print(f"data: {data} ({size_mb:.1f} MB), {runs} runs each, median wall seconds; peak RSS in MB\n")
header = "| workload | odq s | odq MB | " + " | ".join(f"{t} s | {t} MB | {t}/odq" for t, _ in tools) + " | answers |"
print(header)
print("|" + "---|" * (header.count("|") - 1))
for wid, query, prog in workloads:
    row = []
    samples = [timed([odq, "apply", query, data]) for _ in range(runs)]
    odq_s = statistics.median(s[0] for s in samples)
    odq_mb = max(s[1] for s in samples)
    want = digest(samples[0][2])
    row += [f"{odq_s:.3f}", f"{odq_mb:.0f}"]
    agree = True
    for name, make in tools:
        peer = [timed(make(prog)) for _ in range(runs)]
        peer_s = statistics.median(s[0] for s in peer)
        row += [f"{peer_s:.3f}", f"{max(s[1] for s in peer):.0f}", f"{peer_s / odq_s:.1f}x"]
        agree = agree and digest(peer[0][2]) == want
    print(f"| {wid} | " + " | ".join(row) + f" | {'equal' if agree else 'DIFFER'} |")
PY
