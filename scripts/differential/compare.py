#!/usr/bin/env python3
"""Runs generated (query, document) pairs through `odq apply` and the reference
evaluator, and reports where they disagree (see run.sh).

    compare.py --cases DIR/cases.jsonl [--odq target/release/odq] [--show K] [--budget SECONDS]

Responses are compared after normalisation: numbers numerically (1 equals 1.0), object
member order ignored. An error on one side and a response on the other is a
disagreement; two errors agree whatever their messages.
"""

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference  # noqa: E402

# `odq apply` reads the clock for now(); the reference uses the time of this run (queries
# compare now() only with instants far from it).
NOW = __import__("datetime").datetime.now(__import__("datetime").timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def run_odq(odq, query, document_text):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
        f.write(document_text)
        path = f.name
    try:
        proc = subprocess.run([odq, "apply", query, path], capture_output=True, timeout=20)
    except subprocess.TimeoutExpired:
        return ("timeout", None)
    finally:
        os.unlink(path)
    if proc.returncode == 0:
        try:
            return ("ok", json.loads(proc.stdout.decode("utf-8")))
        except ValueError as e:
            return ("bad output", str(e))
    if proc.returncode == 1:
        return ("error", proc.stderr.decode("utf-8", "replace").strip())
    return ("crash %d" % proc.returncode, proc.stderr.decode("utf-8", "replace")[-2000:])


def run_reference(query, document_text):
    now = reference.parse_dto(NOW, need_offset=True)
    try:
        document = json.loads(document_text)
        return ("ok", json.loads(json.dumps(reference.evaluate_query(query, document, now))))
    except (reference.ODataError, RecursionError) as e:
        return ("error", str(e))
    except Exception as e:  # a bug in the reference: report it as such
        return ("reference crash", "%s: %s" % (type(e).__name__, e))


def same(a, b):
    """JSON equality with numbers compared numerically."""
    num = (int, float)
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, num) and isinstance(b, num):
        if isinstance(a, float) or isinstance(b, float):
            if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
                return True
            return float(a) == float(b)
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def agree(ours, theirs):
    if ours[0] == "error" and theirs[0] == "error":
        return True
    if ours[0] == "ok" and theirs[0] == "ok":
        return same(ours[1], theirs[1])
    return False


def disagrees(odq, query, document):
    text = json.dumps(document, ensure_ascii=False)
    return not agree(run_odq(odq, query, text), run_reference(query, text))


def minimize(odq, query, document, deadline):
    """Greedy shrinking: drop options, records, record members, while it still disagrees."""
    pairs = [p for p in query.split("&") if p]
    changed = True
    while changed and time.time() < deadline:
        changed = False
        for i in range(len(pairs)):
            trial = pairs[:i] + pairs[i + 1:]
            if trial and disagrees(odq, "&".join(trial), document):
                pairs = trial
                changed = True
                break
    query = "&".join(pairs)
    records = document if isinstance(document, list) else document.get("value")
    if isinstance(records, list):
        wrap = (lambda rs: rs) if isinstance(document, list) else (lambda rs: dict(document, value=rs))
        changed = True
        while changed and time.time() < deadline:
            changed = False
            for i in range(len(records)):
                trial = records[:i] + records[i + 1:]
                if disagrees(odq, query, wrap(trial)):
                    records = trial
                    changed = True
                    break
        for i in range(len(records)):
            if not isinstance(records[i], dict):
                continue
            for key in list(records[i].keys()):
                if time.time() > deadline:
                    break
                trial_record = {k: v for k, v in records[i].items() if k != key}
                trial = records[:i] + [trial_record] + records[i + 1:]
                if disagrees(odq, query, wrap(trial)):
                    records = trial
        document = wrap(records)
    return query, document


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", required=True)
    parser.add_argument("--odq", default="target/release/odq")
    parser.add_argument("--show", type=int, default=40)
    parser.add_argument("--budget", type=float, default=600, help="seconds for running the cases")
    args = parser.parse_args()
    start = time.time()
    total = 0
    failures = []
    documents = {}
    with open(args.cases, encoding="utf-8") as f:
        lines = f.readlines()
    for line in lines:
        if time.time() - start > args.budget:
            print("time budget reached after %d cases" % total)
            break
        case = json.loads(line)
        if case["data"] not in documents:
            with open(case["data"], encoding="utf-8") as d:
                documents[case["data"]] = d.read()
        text = documents[case["data"]]
        ours = run_odq(args.odq, case["query"], text)
        theirs = run_reference(case["query"], text)
        total += 1
        if not agree(ours, theirs):
            failures.append((case, ours, theirs))
    rate = 100.0 * len(failures) / max(total, 1)
    print("%d cases, %d disagreements (%.2f%%)" % (total, len(failures), rate))
    deadline = time.time() + max(60.0, args.budget / 4)
    for case, ours, theirs in failures[: args.show]:
        document = json.loads(documents[case["data"]])
        if time.time() < deadline:
            query, document = minimize(args.odq, case["query"], document, min(deadline, time.time() + 20))
        else:
            query = case["query"]
        text = json.dumps(document, ensure_ascii=False)
        ours, theirs = run_odq(args.odq, query, text), run_reference(query, text)
        print("-" * 78)
        print("query: %s" % query)
        print("data:  %s" % text[:1500])
        print("odq:   %s %s" % (ours[0], json.dumps(ours[1], ensure_ascii=False)[:1500]))
        print("ref:   %s %s" % (theirs[0], json.dumps(theirs[1], ensure_ascii=False)[:1500]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
