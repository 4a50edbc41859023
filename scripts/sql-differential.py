#!/usr/bin/env python3
"""End-to-end differential run of the SQL backend through the `odq` command.

A seeded generator writes upload sessions that fit examples/upload-sessions.csdl.xml
(null-heavy, members missing, odd strings, DateTimeOffsets in many offsets and
precisions, large integers) and random queries over that model, shaped independently of
the Rust generator in tests/sql_support/random.rs: typed expressions over every function
the model can take, nested expands with every option, `$select` into complex values,
`$count` in expands, `in` lists, aliases, `$compute`, `$search` and `$apply`. It loads the
file with `odq load` into SQLite and PostgreSQL and answers each query with
`odq apply --db` on both and with `odq apply` over the same JSON file (the evaluator),
with `--model` on every side.

    scripts/sql-differential.py [--n N] [--seed S] [--records R] [--odq PATH]
                                [--postgres URL] [--show K] [--keep DIR]

Two runs at once must not share a PostgreSQL database: each one `odq load --replace`s the
same tables, so the other run's answers would come from half-loaded data.

Each answer is one of: equal (the same response, numbers by value, member order
ignored; or both sides reject the query), unsupported (HTTP 501 naming the construct),
rejected (400 on the database side only), different, database error (HTTP 500) or crash
(a panic or a signal). Exit status 1 when anything is different, a database error or a
crash. Standard library only.
"""

import argparse
import json
import math
import os
import random
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MODEL = os.path.join(ROOT, "examples", "upload-sessions.csdl.xml")

ODD = ["", " ", "it's", "''", "a%b_c", "100%", "_", "\\", "back\\slash", "\"q\"", "naïve", "Straße", "ß",
       "İstanbul", "ǅemal", "完了", "😀", "🚀 launch", "tab\there", "line\nbreak", "'); DROP TABLE x; --",
       "\u202eRTL", "a&b", "x+y", "#hash", "?q=1", "\u00a0nbsp", "MiXeD", "complete ", " complete"]
STATUSES = ["complete", "inProgress", "failed", "Complete", "COMPLETE"] + ODD[:8]
SOURCES = ["Workday", "AzureADB2C", "SapSuccessFactors", "Okta", "ServiceNow", "azure", "Sap"] + ODD
TYPES = ["#microsoft.graph.accessReviewDataUploadTriggerCallbackData", "other", ""]
FILE_PREFIXES = ["users", "groups", "apps", "roles", "Users", "😀", "a%b", "it's", ""]
OFFSETS = ["Z", "Z", "Z", "+00:00", "+01:00", "-05:00", "+05:30", "+14:00", "-12:00", "-00:30"]
BIG = [0, 1, -1, 2, 7, 100, 5000, 15872, 1000000, 2**31 - 1, -(2**31), 2**53, 2**53 + 1, 2**62,
       2**63 - 1, -(2**63), -5]


# ---------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------

MISSING = object()


def maybe(r, make, p_null=0.15, p_missing=0.12):
    k = r.random()
    if k < p_null:
        return None
    if k < p_null + p_missing:
        return MISSING
    return make()


def dto(r, years=(2024, 2025, 2026)):
    year = r.choice(years)
    text = "%04d-%02d-%02dT%02d:%02d:%02d" % (year, r.randint(1, 12), r.randint(1, 28), r.randint(0, 23),
                                              r.randint(0, 59), r.randint(0, 59))
    digits = r.choice([0, 0, 0, 1, 3, 7, 7, 9])
    if digits:
        text += "." + "".join(r.choice("0123456789") for _ in range(digits))
    return text + r.choice(OFFSETS)


def uuid(r):
    return "%08x-%04x-4%03x-%04x-%012x" % (r.getrandbits(32), r.getrandbits(16), r.getrandbits(12),
                                          r.getrandbits(16), r.getrandbits(48))


def record(r, index):
    out = {}

    def put(key, value):
        if value is not MISSING:
            out[key] = value

    out["id"] = uuid(r) if r.random() < 0.9 else "%s-%d" % (r.choice(ODD), index)
    put("referenceId", maybe(r, lambda: uuid(r) if r.random() < 0.7 else r.choice(ODD)))
    put("status", maybe(r, lambda: r.choice(STATUSES)))
    put("isUploadDone", maybe(r, lambda: r.random() < 0.5))
    put("createdDateTime", maybe(r, lambda: dto(r)))
    put("source", maybe(r, lambda: r.choice(SOURCES)))
    put("type", maybe(r, lambda: r.choice(TYPES), 0.3, 0.2))

    def stats():
        s = {}
        for key in ["filesUploaded", "totalBytesUploaded"]:
            v = maybe(r, lambda: r.choice(BIG) if r.random() < 0.3 else r.randint(0, 12 if key[0] == "f" else 10**8))
            if v is not MISSING:
                s[key] = v
        return s

    put("stats", maybe(r, stats))

    def data():
        d = {"@odata.type": "#microsoft.graph.accessReviewResourceDataUploadSessionContextData"}
        for key in ["accessReviewId", "accessReviewInstanceId"]:
            v = maybe(r, lambda: uuid(r) if r.random() < 0.7 else r.choice(ODD))
            if v is not MISSING:
                d[key] = v
        return d

    put("data", maybe(r, data))

    def files():
        items = []
        for i in range(r.choice([0, 0, 1, 1, 2, 2, 3, 4, 6])):
            f = {"id": "%s-%d" % (uuid(r)[:8], i)}
            for key, make in [("name", lambda: "%s-%d.%s" % (r.choice(FILE_PREFIXES), r.randint(1, 99),
                                                             r.choice(["csv", "CSV", "txt", ""]))),
                              ("size", lambda: r.choice(BIG) if r.random() < 0.3 else r.randint(0, 5 * 10**7)),
                              ("uploadedDateTime", lambda: dto(r))]:
                v = maybe(r, make, 0.12, 0.1)
                if v is not MISSING:
                    f[key] = v
            items.append(f)
        return items

    put("files", maybe(r, files, 0.1, 0.1))
    return out


# ---------------------------------------------------------------------------------------
# Queries: typed expressions over the model
# ---------------------------------------------------------------------------------------


def quote(s):
    return "'" + s.replace("'", "''") + "'"


class Gen:
    def __init__(self, r):
        self.r = r
        self.vars = []  # lambda variables over files
        self.aliases = {}
        self.this_file = False  # inside files(...): paths are the file's

    def c(self, items):
        return self.r.choice(items)

    def p(self, probability):
        return self.r.random() < probability

    # numbers -----------------------------------------------------------------------
    def int_literal(self):
        return str(self.c(BIG + [3, 4, 10, 2000, 12, 1, 2, -3]))

    def num_literal(self):
        k = self.r.random()
        if k < 0.6:
            return self.int_literal()
        if k < 0.8:
            return self.c(["2.5", "-2.5", "0.5", "1.0", "0.1", "1e3", "2.5e0", "1e308", "-0.0", "7.0"])
        if k < 0.85:
            return self.c(["INF", "-INF"])
        return self.alias(self.c(["5", "0", "2.5", "null", "-1"]))

    def alias(self, value):
        name = "p%d" % len(self.aliases)
        self.aliases[name] = value
        return "@" + name

    def file_path(self, name):
        if self.this_file:
            return self.c([name, "$this/" + name])
        if self.vars:
            return "%s/%s" % (self.c(self.vars), name)
        return None

    def int_atom(self):
        choices = ["stats/filesUploaded", "stats/totalBytesUploaded", "files/$count"]
        f = self.file_path("size")
        if f:
            choices += [f, f, f]
            if self.this_file:
                choices += ["$it/stats/filesUploaded"]
        if self.vars and not self.this_file:
            choices += ["$it/stats/filesUploaded"]
        return self.c(choices)

    def num(self, depth=0):
        k = self.r.random()
        if depth > 2 or k < 0.35:
            return self.int_atom() if self.p(0.7) else self.num_literal()
        if k < 0.6:
            op = self.c(["add", "sub", "mul", "add", "mul", "div", "mod", "divby"])
            right = self.num_literal() if self.p(0.6) else self.num(depth + 1)
            return "(%s %s %s)" % (self.num(depth + 1), op, right)
        if k < 0.65:
            return "-%s" % self.int_atom()
        fn = self.c(["length", "indexof", "year", "month", "day", "hour", "minute", "second", "round",
                     "floor", "ceiling", "fractionalseconds", "totaloffsetminutes", "count", "cast"])
        if fn == "length":
            return "length(%s)" % self.string(depth + 1)
        if fn == "indexof":
            return "indexof(%s,%s)" % (self.string(depth + 1), self.str_literal())
        if fn in ("round", "floor", "ceiling"):
            return "%s(%s)" % (fn, self.num(depth + 1))
        if fn == "count":
            return "files/$count($filter=%s)" % self.file_condition()
        if fn == "cast":
            return "cast(%s,%s)" % (self.int_atom(), self.c(["Edm.Int32", "Edm.Int64", "Edm.Double", "Edm.Decimal"]))
        return "%s(%s)" % (fn, self.date_time())

    # strings -----------------------------------------------------------------------
    def str_literal(self):
        if self.p(0.08):
            return self.alias(quote(self.c(STATUSES)))
        return quote(self.c(STATUSES + SOURCES + ODD + ["o", "a", "e", "csv", ".csv", "users", "Work", "S", "-"]))

    def str_atom(self):
        choices = ["status", "source", "referenceId", "id", "type", "status", "source"]
        f = self.file_path("name")
        if f:
            choices += [f, f, f, self.file_path("id")]
        return self.c(choices)

    def string(self, depth=0):
        k = self.r.random()
        if depth > 2 or k < 0.5:
            return self.str_atom()
        if k < 0.58:
            return self.str_literal()
        fn = self.c(["tolower", "toupper", "trim", "concat", "substring", "substring", "cast"])
        if fn == "concat":
            return "concat(%s,%s)" % (self.string(depth + 1), self.string(depth + 1) if self.p(0.5) else self.str_literal())
        if fn == "substring":
            start = self.c(["0", "1", "2", "-1", "-3", "40", "100", "stats/filesUploaded"])
            if self.p(0.5):
                return "substring(%s,%s)" % (self.string(depth + 1), start)
            return "substring(%s,%s,%s)" % (self.string(depth + 1), start, self.c(["0", "1", "3", "100"]))
        if fn == "cast":
            return "cast(%s,Edm.String)" % self.c(["stats/filesUploaded", "isUploadDone", "status", "createdDateTime"])
        return "%s(%s)" % (fn, self.string(depth + 1))

    # dates -------------------------------------------------------------------------
    def dto_literal(self):
        return dto(self.r, (2012, 2024, 2025, 2026, 2030))

    def duration(self):
        return "duration'%s'" % self.c(["P1D", "PT1H", "PT90M", "PT0S", "-P1D", "PT0.5S", "P2DT3H4M5.25S", "PT36H",
                                         "-PT1H30M", "P365D"])

    def date_time(self):
        choices = ["createdDateTime", "createdDateTime", "createdDateTime"]
        f = self.file_path("uploadedDateTime")
        if f:
            choices += [f, f, f]
        k = self.r.random()
        if k < 0.75:
            return self.c(choices)
        if k < 0.85:
            return self.dto_literal()
        if k < 0.93:
            return "(%s %s %s)" % (self.c(choices), self.c(["add", "sub"]), self.duration())
        return self.c(["now()", "mindatetime()", "maxdatetime()"])

    # Booleans ----------------------------------------------------------------------
    def cond(self, depth=0):
        k = self.r.random()
        if depth < 3 and k < 0.22:
            return "(%s %s %s)" % (self.cond(depth + 1), self.c(["and", "or"]), self.cond(depth + 1))
        if depth < 3 and k < 0.3:
            return "not (%s)" % self.cond(depth + 1)
        return self.leaf(depth)

    def leaf(self, depth):
        k = self.r.random()
        op = self.c(["eq", "ne", "gt", "ge", "lt", "le"])
        if k < 0.2:
            right = self.num_literal() if self.p(0.75) else self.num(depth + 1)
            return "%s %s %s" % (self.num(depth), op, right)
        if k < 0.34:
            right = self.str_literal() if self.p(0.75) else self.string(depth + 1)
            return "%s %s %s" % (self.string(depth), op, right)
        if k < 0.46:
            fn = self.c(["contains", "startswith", "endswith"])
            return "%s(%s,%s)" % (fn, self.string(depth), self.str_literal() if self.p(0.85) else self.string(depth + 1))
        if k < 0.58:
            left = self.date_time()
            right = self.c([self.dto_literal(), self.dto_literal(), "now()", self.date_time()])
            if self.p(0.15):
                left = "date(%s)" % left
                right = self.c(["2025-06-15", "2024-01-01", "2026-12-31", "date(createdDateTime)"])
            elif self.p(0.08):
                left = "time(%s)" % left
                right = self.c(["12:00:00", "08:30:00", "23:59:59.9999999", "00:00:00"])
            return "%s %s %s" % (left, op, right)
        if k < 0.64:
            return self.c(["isUploadDone", "isUploadDone eq true", "isUploadDone eq false", "isUploadDone ne null",
                           "isUploadDone eq null", "not isUploadDone", "isUploadDone gt false", "stats eq null",
                           "stats ne null", "files eq null", "data eq null", "data ne null", "true", "false",
                           "null eq null", "status eq null", "createdDateTime eq null", "stats/filesUploaded eq null",
                           "referenceId ne null", "isUploadDone ne true",
                           "isUploadDone eq " + self.alias(self.c(["true", "false", "null"]))])
        if k < 0.72:
            left, items = self.c([
                ("status", ["'complete'", "'failed'", "null", "'it''s'", "''", "'Complete'"]),
                ("source", ["'Workday'", "'Okta'", "'😀'", "'a%b_c'", "null"]),
                ("stats/filesUploaded", ["0", "1", "2", "3", "null", "2.5"]),
                ("files/$count", ["0", "1", "2"]),
                ("year(createdDateTime)", ["2024", "2025"]),
                ("tolower(status)", ["'complete'", "'failed'"]),
            ])
            chosen = sorted(set(self.c(items) for _ in range(self.r.randint(1, 4))))
            return "%s in (%s)" % (left, ",".join(chosen))
        if k < 0.8 and len(self.vars) < 2 and not self.this_file:
            return self.lambda_expr(depth)
        if k < 0.84:
            return "files/any()" if self.p(0.6) else "not files/any()"
        if k < 0.87:
            return "matchesPattern(%s,%s)" % (self.string(depth), self.c(["'^c'", "'e$'", "'^[A-Z]'", "'o.k'",
                                                                            "'\\d'", "'csv$'", "'(?i)complete'"]))
        if k < 0.9:
            return self.c(["isof(stats/filesUploaded,Edm.Int64)", "isof(status,Edm.String)",
                           "isof(data,microsoft.graph.accessReviewResourceDataUploadSessionContextData)",
                           "cast(stats/filesUploaded,Edm.Int32) eq 2", "cast(status,Edm.String) eq 'complete'",
                           "cast(stats/totalBytesUploaded,Edm.Double) gt 1000000",
                           "cast(isUploadDone,Edm.String) eq 'true'"])
        if k < 0.95:
            return "files/$count %s %s" % (op, self.c(["0", "1", "2", "3"]))
        return "%s %s %s" % (self.c(["totalseconds(%s)" % self.duration(), "fractionalseconds(createdDateTime)"]),
                             op, self.c(["0", "0.5", "3600", "86400"]))

    def file_condition(self):
        saved = self.this_file
        self.this_file = True
        out = self.cond(1)
        self.this_file = saved
        return out

    def lambda_expr(self, depth):
        var = self.c(["f", "x", "g"])
        while var in self.vars:
            var += "2"
        self.vars.append(var)
        body = self.cond(depth + 1)
        self.vars.pop()
        return "files/%s(%s: %s)" % (self.c(["any", "any", "all"]), var, body)

    # options -----------------------------------------------------------------------
    def orderby(self, keys):
        items = []
        for _ in range(self.c([1, 1, 2, 3])):
            items.append(self.c(keys) + self.c(["", " asc", " desc", " desc"]))
        return ",".join(items)

    def expand(self):
        if self.p(0.1):
            return self.c(["files/$count", "files/$count($filter=size gt 1000)", "files/$ref", "*"])
        parts = []
        if self.p(0.5):
            parts.append("$filter=" + self.file_condition())
        if self.p(0.4):
            self.this_file = True
            parts.append("$orderby=" + self.orderby(["size", "name", "uploadedDateTime", "length(name)",
                                                      "size mul -1", "id", "tolower(name)"]))
            self.this_file = False
        if self.p(0.3):
            parts.append("$top=%d" % self.c([0, 1, 2, 5]))
        if self.p(0.25):
            parts.append("$skip=%d" % self.c([0, 1, 2]))
        if self.p(0.3):
            parts.append("$count=true")
        if self.p(0.3):
            parts.append("$select=" + ",".join(sorted(set(self.c(["name", "size", "uploadedDateTime", "id"])
                                                          for _ in range(2)))))
        if self.p(0.08):
            parts.append("$search=" + self.c(["csv", "users", "NOT csv"]))
        if self.p(0.1):
            parts.append("$compute=size mul 2 as double")
            if any(x.startswith("$select") for x in parts):
                parts = [x + ",double" if x.startswith("$select") else x for x in parts]
        return "files(%s)" % ";".join(parts) if parts else "files"

    def compute(self):
        items = []
        for i in range(self.c([1, 1, 2])):
            e = self.c([self.num(1), self.string(1), self.cond(2), "createdDateTime", "date(createdDateTime)",
                        "(createdDateTime add %s)" % self.duration(), "files/$count"])
            items.append("%s as c%d" % (e, i))
        return ",".join(items), ["c%d" % i for i in range(len(items))]

    def apply(self):
        steps = []
        if self.p(0.3):
            steps.append("filter(%s)" % self.cond(1))
        if self.p(0.15):
            steps.append("compute(%s as k)" % self.c(["stats/filesUploaded mul 2", "length(status)", "tolower(source)"]))
        props = sorted(set(self.c(["status", "isUploadDone", "stats/filesUploaded", "source", "type"])
                           for _ in range(self.c([1, 1, 2]))))
        aggs = []
        for i in range(self.c([0, 1, 2])):
            if self.p(0.3):
                aggs.append("$count as a%d" % i)
            else:
                aggs.append("%s with %s as a%d" % (self.c(["stats/totalBytesUploaded", "stats/filesUploaded",
                                                           "files/size", "status", "createdDateTime"]),
                                                   self.c(["sum", "min", "max", "average", "countdistinct"]), i))
        if self.p(0.7):
            steps.append("groupby((%s)%s)" % (",".join(props), ",aggregate(%s)" % ",".join(aggs) if aggs else ""))
            names = props + ["a%d" % i for i in range(len(aggs))]
        else:
            if not aggs:
                aggs = ["$count as a0"]
            steps.append("aggregate(%s)" % ",".join(aggs))
            names = ["a%d" % i for i in range(len(aggs))]
        if self.p(0.2):
            steps.append(self.c(["top(3)", "skip(1)", "orderby(%s desc)" % names[0]]))
        return "/".join(steps), names


def encode(value):
    return value.replace("%", "%25").replace("&", "%26").replace("+", "%2B").replace("#", "%23")


def query(r):
    g = Gen(r)
    options = []
    if r.random() < 0.12:
        text, names = g.apply()
        options.append(("$apply", text))
        if r.random() < 0.3:
            options.append(("$orderby", ",".join(x + g.c(["", " desc"]) for x in names[:2])))
        if r.random() < 0.2:
            options.append(("$filter", "%s ne null" % names[0]))
        if r.random() < 0.2:
            options.append(("$top", str(r.choice([1, 2, 5]))))
        if r.random() < 0.2:
            options.append(("$count", "true"))
    else:
        computed = []
        if r.random() < 0.15:
            text, computed = g.compute()
            options.append(("$compute", text))
        if r.random() < 0.8:
            options.append(("$filter", g.cond()))
        if r.random() < 0.08:
            options.append(("$search", g.c(["complete", "COMPLETE", "csv", "NOT complete", "complete OR failed",
                                            "\"in progress\"", "😀", "users AND csv", "ß", "workday"])))
        if r.random() < 0.5:
            options.append(("$orderby", g.orderby(["status", "source", "createdDateTime", "isUploadDone", "id",
                                                   "stats/filesUploaded", "stats/totalBytesUploaded", "files/$count",
                                                   "length(source)", "tolower(status)", "year(createdDateTime)",
                                                   "referenceId", "stats/filesUploaded add 1", "type"] + computed)))
        if r.random() < 0.4:
            options.append(("$top", str(r.choice([0, 1, 2, 3, 5, 10, 50]))))
        if r.random() < 0.3:
            options.append(("$skip", str(r.choice([0, 1, 2, 5, 100]))))
        if r.random() < 0.3:
            options.append(("$count", r.choice(["true", "false", "true"])))
        if r.random() < 0.35:
            props = sorted(set(g.c(["id", "status", "isUploadDone", "createdDateTime", "source", "stats",
                                    "stats/filesUploaded", "stats/totalBytesUploaded", "files", "data", "*",
                                    "referenceId", "type"]) for _ in range(r.choice([1, 2, 3, 4]))))
            props += [c for c in computed if r.random() < 0.7]
            options.append(("$select", ",".join(props)))
        if r.random() < 0.35:
            options.append(("$expand", g.expand()))
    for name, value in g.aliases.items():
        options.append(("@" + name, value))
    r.shuffle(options)
    return "&".join("%s=%s" % (name, encode(value)) for name, value in options)


# ---------------------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------------------


def run(cmd, timeout=60):
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return ("crash", "timeout")
    err = proc.stderr.decode("utf-8", "replace").strip()
    if proc.returncode == 0:
        try:
            return ("ok", json.loads(proc.stdout.decode("utf-8")))
        except ValueError as e:
            return ("crash", "invalid output: %s" % e)
    if proc.returncode == 1:
        if "(HTTP 501)" in err:
            return ("unsupported", err)
        if "(HTTP 500)" in err:
            return ("database error", err)
        return ("error", err)
    return ("crash", "exit %d: %s" % (proc.returncode, err[-1500:]))


def same(a, b):
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        if isinstance(a, int) and isinstance(b, int):
            return a == b
        return float(a) == float(b) or (math.isnan(float(a)) and math.isnan(float(b)))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def classify(expected, actual):
    if actual[0] == "crash":
        return "crash"
    if actual[0] == "database error":
        return "database error"
    if expected[0] == "ok" and actual[0] == "ok":
        return "equal" if same(expected[1], actual[1]) else "different"
    if expected[0] == "error" and actual[0] in ("error", "unsupported"):
        return "equal"
    if actual[0] == "unsupported":
        return "unsupported"
    if actual[0] == "error":
        return "rejected"
    return "different"


def first_difference(a, b, at=""):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in list(a) + [k for k in b if k not in a]:
            if k not in a or k not in b:
                return "%s/%s: %s vs %s" % (at, k, json.dumps(a.get(k, "<absent>"))[:200],
                                            json.dumps(b.get(k, "<absent>"))[:200])
            if not same(a[k], b[k]):
                return first_difference(a[k], b[k], "%s/%s" % (at, k))
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            if not same(x, y):
                return first_difference(x, y, "%s/%d" % (at, i))
    return "%s: %s vs %s" % (at, json.dumps(a, ensure_ascii=False)[:300], json.dumps(b, ensure_ascii=False)[:300])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--records", type=int, default=300)
    parser.add_argument("--odq", default=os.path.join(ROOT, "target", "release", "odq"))
    parser.add_argument("--postgres", default=os.environ.get("ODQ_TEST_POSTGRES", ""))
    parser.add_argument("--show", type=int, default=20)
    parser.add_argument("--keep", help="write the data, the queries and the outcomes here")
    args = parser.parse_args()
    r = random.Random(args.seed)
    work = args.keep or tempfile.mkdtemp(prefix="odq-sql-differential.")
    os.makedirs(work, exist_ok=True)
    data = os.path.join(work, "sessions.json")
    records = [record(r, i) for i in range(args.records)]
    document = {"@odata.context": "https://example.test/$metadata#uploadSessions", "value": records}
    with open(data, "w", encoding="utf-8") as f:
        json.dump(document, f, ensure_ascii=False)
    databases = [("sqlite", "sqlite:" + os.path.join(work, "sessions.db"))]
    if args.postgres:
        databases.append(("postgres", args.postgres))
    else:
        print("note: no --postgres URL (or ODQ_TEST_POSTGRES): SQLite only", file=sys.stderr)
    for name, url in databases:
        loaded = run([args.odq, "load", "--model", MODEL, "--db", url, "--replace", data], timeout=600)
        if loaded[0] != "ok" and not (loaded[0] == "crash" and "invalid output" in loaded[1]):
            sys.exit("odq load into %s failed: %s" % (name, loaded[1]))
    tallies = {name: {} for name, _ in databases}
    shown = {name: 0 for name, _ in databases}
    outcomes = []
    for i in range(args.n):
        q = query(r)
        expected = run([args.odq, "apply", "--model", MODEL, q, data])
        line = {"query": q, "evaluator": expected[0]}
        for name, url in databases:
            actual = run([args.odq, "apply", "--model", MODEL, "--db", url, q])
            outcome = classify(expected, actual)
            tallies[name][outcome] = tallies[name].get(outcome, 0) + 1
            line[name] = outcome
            if outcome == "unsupported":
                line[name + " message"] = actual[1]
            if outcome not in ("equal", "unsupported") and shown[name] < args.show:
                shown[name] += 1
                detail = ""
                if expected[0] == "ok" and actual[0] == "ok":
                    detail = first_difference(expected[1], actual[1])
                else:
                    detail = "evaluator: %s\n    database:  %s" % (
                        str(expected[1])[:300] if expected[0] != "ok" else "ok",
                        str(actual[1])[:300] if actual[0] != "ok" else "ok")
                print("[%s] %s: %s\n    %s" % (name, outcome, q, detail))
        outcomes.append(line)
    if args.keep:
        with open(os.path.join(work, "outcomes.jsonl"), "w", encoding="utf-8") as f:
            for line in outcomes:
                f.write(json.dumps(line, ensure_ascii=False) + "\n")
    bad = False
    unsupported = {}
    for line in outcomes:
        for name, _ in databases:
            if line[name] == "unsupported":
                message = line[name + " message"].split("not supported in SQL: ")[-1].split(" (HTTP")[0]
                unsupported[message] = unsupported.get(message, 0) + 1
    if unsupported:
        print("501s by construct:")
        for message, count in sorted(unsupported.items(), key=lambda kv: -kv[1])[:25]:
            print("  %4d  %s" % (count, message))
    for name, _ in databases:
        t = tallies[name]
        total = sum(t.values())
        print("%s: %d queries, %s; equal %.1f%%" % (
            name, total, ", ".join("%s %d" % kv for kv in sorted(t.items())), 100.0 * t.get("equal", 0) / max(total, 1)))
        bad |= any(t.get(k) for k in ("different", "database error", "crash"))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
