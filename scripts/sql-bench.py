#!/usr/bin/env python3
"""Times the 8 evaluator workloads (../shared/perf/eval-queries.json) answered by
`odq apply --db` on SQLite and PostgreSQL, by the evaluator over the JSON file, and by
hand-written SQL for the same queries; prints the ratio generated/hand-written and
whether EXPLAIN shows index use for each. Run by scripts/sql-bench.sh, which builds,
generates, loads and indexes first.

usage: sql-bench.py --odq ODQ --exec SQL_EXEC --model M --json FILE --sqlite DB
                    --postgres URL --queries eval-queries.json [--runs R] [--out DIR]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

S = '"uploadSessions"'
F = '"uploadSessions_files"'

# Hand-written SQL: what a user who knows the schema would write for each workload,
# giving the same response shape (counts; the records with their files as JSON).
SQLITE_RECORD = (
    "json_object('id', s.id, 'referenceId', s.\"referenceId\", 'status', s.status, "
    "'isUploadDone', json(CASE WHEN s.\"isUploadDone\" THEN 'true' ELSE 'false' END), "
    "'createdDateTime', s.\"createdDateTime\", 'source', s.source, 'type', s.type, "
    "'stats', json_object('filesUploaded', s.\"stats_filesUploaded\", "
    "'totalBytesUploaded', s.\"stats_totalBytesUploaded\"), 'data', json(s.data), "
    "'files', (SELECT json_group_array(json_object('id', f.id, 'name', f.name, "
    "'size', f.size, 'uploadedDateTime', f.\"uploadedDateTime\")) FROM "
    "(SELECT * FROM " + F + " f WHERE f.\"_parent_id\" = s.id {files} ) f))"
)
POSTGRES_RECORD = (
    "json_build_object('id', s.id, 'referenceId', s.\"referenceId\", 'status', s.status, "
    "'isUploadDone', s.\"isUploadDone\", 'createdDateTime', s.\"createdDateTime\", "
    "'source', s.source, 'type', s.type, 'stats', json_build_object('filesUploaded', "
    "s.\"stats_filesUploaded\", 'totalBytesUploaded', s.\"stats_totalBytesUploaded\"), "
    "'data', s.data::json, 'files', (SELECT coalesce(json_agg(json_build_object('id', f.id, "
    "'name', f.name, 'size', f.size, 'uploadedDateTime', f.\"uploadedDateTime\")), '[]') "
    "FROM (SELECT * FROM " + F + " f WHERE f.\"_parent_id\" = s.id {files}) f))::text"
)


def count(where, dialect):
    return f"SELECT count(*) FROM {S} s WHERE {where}"


def handwritten(dialect):
    record = SQLITE_RECORD if dialect == "sqlite" else POSTGRES_RECORD
    not_failed = ("s.status IS NOT 'failed'" if dialect == "sqlite"
                  else "s.status IS DISTINCT FROM 'failed'")
    done = "s.\"isUploadDone\" = 1" if dialect == "sqlite" else "s.\"isUploadDone\""
    since = "'2026-01-01T00:00:00.0000000Z'"
    q32 = [
        f"SELECT count(*) FROM {S} s WHERE s.\"stats_totalBytesUploaded\" > 1000000;",
        "SELECT " + record.format(
            files=f"AND f.\"uploadedDateTime\" >= {since} ORDER BY f.size DESC, f.\"_ordinal\" LIMIT 3")
        + f" FROM {S} s WHERE s.\"stats_totalBytesUploaded\" > 1000000"
        " ORDER BY s.\"createdDateTime\" DESC, s.\"_ordinal\" LIMIT 10 OFFSET 5",
    ]
    return {
        "Q10": count("s.\"stats_totalBytesUploaded\" > 1000000", dialect),
        "Q11": count(f"s.status = 'complete' AND {done}", dialect),
        "Q12": count(f"EXISTS (SELECT 1 FROM {F} f WHERE f.\"_parent_id\" = s.id "
                     "AND f.size > 10000000)", dialect),
        "Q15": count("(s.source >= 'Azure' AND s.source < 'Azurf') OR s.source LIKE '%Sap%'",
                     dialect),
        "Q23": count("s.\"createdDateTime\" >= '2026-01-01T00:00:00.0000000Z' AND "
                     "s.\"createdDateTime\" < '2026-04-01T00:00:00.0000000Z'", dialect),
        "Q26": count(f"(s.\"stats_filesUploaded\" + 1) * 2 > 10 AND {not_failed}", dialect),
        "Q08": "SELECT " + record.format(files="ORDER BY f.\"_ordinal\"")
               + f" FROM {S} s WHERE s.status = 'failed' ORDER BY s.\"_ordinal\"",
        "Q32": q32,
    }


def median_time(command, runs, stdout=subprocess.DEVNULL):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, stdout=stdout, stderr=subprocess.PIPE)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            sys.exit(f"failed: {' '.join(command)}\n{done.stderr.decode()}")
    return statistics.median(times) * 1000


def sql_literal(value):
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def statements(translated, kind):
    """The statements the executor runs for this workload (a count-only query runs only
    its count)."""
    out = []
    if translated.get("count"):
        out.append(translated["count"])
    if kind != "count":
        out.append({"sql": translated["sql"], "params": translated["params"]})
    return out


def sqlite_plan(args, sql, params, out_dir, name):
    path = os.path.join(out_dir, name + ".sql")
    with open(path, "w") as f:
        f.write("EXPLAIN QUERY PLAN " + sql)
    done = subprocess.run([args.exec, args.sqlite, path, json.dumps(params)],
                          capture_output=True, text=True, check=True)
    return [line.split("|")[-1] for line in done.stdout.splitlines()]


def postgres_plan(args, sql, params):
    if params:
        literal = ", ".join(sql_literal(p) for p in params)
        script = (f"PREPARE odq_bench AS {sql};\nEXPLAIN EXECUTE odq_bench({literal});\n"
                  "DEALLOCATE odq_bench;\n")
    else:
        script = f"EXPLAIN {sql};\n"
    done = subprocess.run(["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", args.postgres],
                          input=script, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"EXPLAIN failed: {done.stderr}\n{script}")
    return [line for line in done.stdout.splitlines() if line.strip() and line != "PREPARE"
            and line != "DEALLOCATE"]


def indexes(plan, dialect):
    """The indexes a plan reads (by name)."""
    found = set()
    for line in plan:
        if dialect == "sqlite":
            for marker in ("USING COVERING INDEX ", "USING INDEX "):
                if marker in line:
                    found.add(line.split(marker, 1)[1].split(" ")[0])
        else:
            if " using " in line and "Index" in line:
                found.add(line.split(" using ", 1)[1].split(" ")[0])
    return found


def main():
    p = argparse.ArgumentParser()
    for name in ("odq", "exec", "model", "json", "sqlite", "postgres", "queries"):
        p.add_argument("--" + name, required=True)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--out", default=".")
    args = p.parse_args()
    queries = json.load(open(args.queries))["queries"]
    hand = {"sqlite": handwritten("sqlite"), "postgres": handwritten("postgres")}
    urls = {"sqlite": "sqlite:" + args.sqlite, "postgres": args.postgres}
    rows = []
    for q in queries:
        qid, odata, kind = q["id"], q["odata"], q["kind"]
        row = {"id": qid, "odata": odata}
        row["evaluator"] = median_time([args.odq, "apply", odata, args.json], args.runs)
        for dialect in ("sqlite", "postgres"):
            generated = median_time(
                [args.odq, "apply", "--db", urls[dialect], "--model", args.model, odata],
                args.runs)
            texts = hand[dialect][qid]
            texts = texts if isinstance(texts, list) else [texts]
            files = []
            for i, text in enumerate(texts):
                path = os.path.join(args.out, f"{qid}-{dialect}-{i}.sql")
                with open(path, "w") as f:
                    f.write(text + ";\n")
                files.append(path)
            target = args.sqlite if dialect == "sqlite" else args.postgres
            if len(files) > 1:
                # One connection runs every statement of the workload, as odq does.
                joined = os.path.join(args.out, f"{qid}-{dialect}.sql")
                with open(joined, "w") as f:
                    f.write("".join(open(path).read() for path in files))
                files = [joined]

            def run_hand(files=files, target=target):
                for path in files:
                    subprocess.run([args.exec, target, path],
                                   stdout=subprocess.DEVNULL, check=True)
            times = []
            for _ in range(args.runs):
                start = time.perf_counter()
                run_hand()
                times.append(time.perf_counter() - start)
            written = statistics.median(times) * 1000
            # EXPLAIN: the statements odq runs against the hand-written ones.
            translated = json.loads(subprocess.run(
                [args.odq, "sql", "--model", args.model, "--dialect", dialect, odata],
                capture_output=True, text=True, check=True).stdout)
            gen_indexes, hand_indexes = set(), set()
            for i, st in enumerate(statements(translated, kind)):
                plan = (sqlite_plan(args, st["sql"], st["params"], args.out, f"{qid}-gen-{i}")
                        if dialect == "sqlite" else postgres_plan(args, st["sql"], st["params"]))
                gen_indexes |= indexes(plan, dialect)
            for text in texts:
                plan = (sqlite_plan(args, text, [], args.out, f"{qid}-hand")
                        if dialect == "sqlite" else postgres_plan(args, text, []))
                hand_indexes |= indexes(plan, dialect)
            row[dialect] = {"generated": generated, "handwritten": written,
                            "ratio": generated / written,
                            "generated_indexes": sorted(gen_indexes),
                            "handwritten_indexes": sorted(hand_indexes)}
        rows.append(row)
        print(json.dumps(row), flush=True)
    print()
    print("| query | evaluator (JSON) | SQLite odq | SQLite hand | ratio | SQLite indexes "
          "(odq / hand) | PostgreSQL odq | PostgreSQL hand | ratio | PostgreSQL indexes "
          "(odq / hand) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        cells = [row["id"], f"{row['evaluator']:,.0f}"]
        for dialect in ("sqlite", "postgres"):
            d = row[dialect]
            cells += [f"{d['generated']:,.0f}", f"{d['handwritten']:,.0f}",
                      f"{d['ratio']:.2f}×",
                      f"{', '.join(d['generated_indexes']) or '—'} / "
                      f"{', '.join(d['handwritten_indexes']) or '—'}"]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
