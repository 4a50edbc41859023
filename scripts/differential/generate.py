#!/usr/bin/env python3
"""Seeded random data and queries for differential testing of `odq apply`.

Records are shaped like Microsoft Graph upload sessions (src/sample/upload-sessions.json):
strings (Unicode, non-BMP, quotes, empty), numbers (floats, large integers, 2^53+1,
1e308), Booleans, nulls, missing keys, a nested `stats` object, `files` arrays of
objects, DateTimeOffset strings with various offsets and fraction lengths. Queries are
mostly well typed, with a share of ill-typed ones and edge values.

    generate.py --seed S --n N --out DIR

writes DIR/data-K.json documents and DIR/cases.jsonl lines {"query", "data"}.
Standard library only.
"""

import argparse
import json
import os
import random

STATUSES = ["complete", "Complete", "inProgress", "failed", "", "it's", "naïve", "完了", "🚀 launch"]
SOURCES = ["BuildingAccessData", "CustomAccessData", "building", "Ünïcødé", "😀 smile", "a b", "x%y", "A&B",
           "", "  padded  ", "tab\there", "Straße", "ǅemal", "İstanbul"]
FILE_NAMES = ["building-a-access.csv", "building-b-access.csv", "contractors-q4.csv", "report_20.csv",
              "😀.txt", "", "Q1.CSV", "notes (1).md"]
COLORS = ["Red", "Green", "Blue", "Red,Green", "Green,Red", "Blue,Red", "Red, Blue", ""]
TAGS = ["fruit", "red", "Red", "", "😀", "a'b"]
OFFSETS = ["Z", "+00:00", "+01:00", "-05:00", "+05:30", "+14:00", "-12:00", "+02:00"]
EDGE_INTS = [0, 1, -1, 2, -7, 7, 10, 100, 2**31 - 1, -(2**31), 2**53, 2**53 + 1, 2**63 - 1, -(2**63),
             1000000, 3218423, 15872, 5]
EDGE_FLOATS = [0.0, -0.0, 0.1, 0.2, 0.3, 2.5, -2.5, 0.5, -0.5, 1.5, 1e308, -1e308, 5e-324, 3.14159,
               1e16, 2.675, 123456.789, -0.1]


def rand_datetime(r):
    year = r.choice([2012, 2024, 2025, 2025, 2026, 2026, 1999, 2000])
    month = r.randint(1, 12)
    day = r.randint(1, 28) if r.random() < 0.9 else r.choice([29, 30, 31]) if month != 2 else 28
    h, mi, s = r.randint(0, 23), r.randint(0, 59), r.randint(0, 59)
    text = "%04d-%02d-%02dT%02d:%02d" % (year, month, day, h, mi)
    if r.random() < 0.95:
        text += ":%02d" % s
        digits = r.choice([0, 0, 1, 3, 7, 7, 9])
        if digits:
            text += "." + "".join(r.choice("0123456789") for _ in range(digits))
    return text + r.choice(OFFSETS)


def rand_date_string(r):
    k = r.random()
    if k < 0.8:
        return rand_datetime(r)
    if k < 0.85:
        return "not a date"
    if k < 0.9:
        return "2025-06-%02dT10:00:00" % r.randint(1, 28)  # no offset
    if k < 0.95:
        return "2025-06-%02d" % r.randint(1, 28)
    return ""


def maybe(r, value, p_null=0.1, p_missing=0.1):
    k = r.random()
    if k < p_null:
        return None
    if k < p_null + p_missing:
        return MISSING
    return value


MISSING = object()


def rand_number(r):
    k = r.random()
    if k < 0.4:
        return r.choice(EDGE_INTS)
    if k < 0.7:
        return r.randint(-50, 50)
    if k < 0.9:
        return r.choice(EDGE_FLOATS)
    return round(r.uniform(-100, 100), r.choice([1, 2, 3]))


def rand_record(r, index):
    rec = {}

    def put(key, value):
        if value is not MISSING:
            rec[key] = value

    put("id", "%08x-%04x-4%03x-%04x-%012x" % (r.getrandbits(32), r.getrandbits(16), r.getrandbits(12),
                                              r.getrandbits(16), r.getrandbits(48))
        if r.random() < 0.9 else r.choice(["", "not-a-guid", "01234567-89AB-CDEF-0123-456789abcdef"]))
    put("n", index)
    put("status", maybe(r, r.choice(STATUSES)))
    put("isUploadDone", maybe(r, r.random() < 0.5))
    put("createdDateTime", maybe(r, rand_date_string(r)))
    put("source", maybe(r, r.choice(SOURCES)))
    put("count", maybe(r, rand_number(r)))
    put("ratio", maybe(r, r.choice(EDGE_FLOATS + [r.randint(-5, 5)])))
    put("color", maybe(r, r.choice(COLORS)))
    put("tags", maybe(r, [r.choice(TAGS) for _ in range(r.randint(0, 3))]))
    if r.random() < 0.15:
        put("mixed", r.choice(["5", 5, True, None, [1], {"a": 1}, "2025-01-01T00:00:00Z", 2.5]))
    stats = maybe(r, {"filesUploaded": r.randint(0, 4), "totalBytesUploaded": r.choice(EDGE_INTS + [r.randint(0, 10**7)])})
    if isinstance(stats, dict) and r.random() < 0.2:
        del stats["totalBytesUploaded"]
    put("stats", stats)
    files = []
    for _ in range(r.choice([0, 1, 1, 2, 2, 3, 4])):
        f = {}
        if r.random() < 0.9:
            f["name"] = r.choice(FILE_NAMES)
        if r.random() < 0.9:
            f["size"] = r.choice([0, 1, 5000, 15872, 734512, 2483911, -1, 2**53 + 1, 1.5, None, r.randint(0, 10**6)])
        if r.random() < 0.9:
            f["uploadedDateTime"] = rand_date_string(r)
        files.append(f)
    put("files", maybe(r, files))
    if r.random() < 0.4:
        put("data", {"@odata.type": r.choice(["#microsoft.graph.ctx", "#microsoft.graph.other"]),
                     "accessReviewId": r.choice(["a", "b", None])})
    return rec


def rand_document(r):
    records = [rand_record(r, i) for i in range(r.randint(0, 12))]
    if r.random() < 0.3:
        return {"@odata.context": "https://x/$metadata#uploadSessions", "value": records}
    return records


# ---------------------------------------------------------------------------------------
# Expressions
# ---------------------------------------------------------------------------------------


def quote(s):
    return "'" + s.replace("'", "''") + "'"


class Gen:
    def __init__(self, r):
        self.r = r
        self.vars = []  # lambda variables in scope: (name, kind)

    def choice(self, xs):
        return self.r.choice(xs)

    def num_literal(self):
        r = self.r
        k = r.random()
        if k < 0.35:
            return str(r.choice(EDGE_INTS + [3, 4, 2000, 5000, 1000000]))
        if k < 0.55:
            return str(r.randint(-10, 10))
        if k < 0.7:
            return r.choice(["2.5", "-2.5", "0.5", "0.1", "0.3", "1.5", "-0.5", "2.675", "3.14159", "0.0", "1.0"])
        if k < 0.8:
            return r.choice(["1e308", "1.5e0", "2.5e0", "-2.5e0", "1e-3", "5e-324", "1e16", "0.1e0", "9007199254740992e0"])
        if k < 0.88:
            return r.choice(["INF", "-INF", "NaN"])
        if k < 0.94:
            return r.choice(["9223372036854775807", "-9223372036854775808", "9007199254740993", "2147483648"])
        return r.choice(["@p", "null"])

    def str_literal(self):
        return quote(self.choice(STATUSES + SOURCES + FILE_NAMES + TAGS + ["o", "a", "%", "#", "&", "+", "ß", "SS"]))

    def dto_literal(self):
        return rand_datetime(self.r)

    def num_expr(self, depth=0):
        r = self.r
        k = r.random()
        if depth > 2 or k < 0.3:
            return self.num_atom()
        if k < 0.6:
            op = self.choice(["add", "sub", "mul", "div", "divby", "mod"])
            return "(%s %s %s)" % (self.num_expr(depth + 1), op, self.num_expr(depth + 1))
        if k < 0.7:
            return "-" + self.choice(["count", "ratio", "stats/filesUploaded", "(%s)" % self.num_expr(depth + 1)])
        fn = self.choice(["length", "indexof", "year", "month", "day", "hour", "minute", "second",
                          "round", "floor", "ceiling", "totaloffsetminutes", "fractionalseconds"])
        if fn == "length":
            return "length(%s)" % self.str_expr(depth + 1)
        if fn == "indexof":
            return "indexof(%s,%s)" % (self.str_expr(depth + 1), self.str_literal())
        if fn in ("round", "floor", "ceiling"):
            return "%s(%s)" % (fn, self.num_expr(depth + 1))
        return "%s(%s)" % (fn, self.date_expr())

    def num_atom(self):
        k = self.r.random()
        if k < 0.45:
            return self.choice(["count", "ratio", "n", "stats/filesUploaded", "stats/totalBytesUploaded", "files/$count",
                                "tags/$count", "count", "ratio"])
        if k < 0.5 and self.vars:
            v = self.var_of("file")
            if v:
                return v + "/size"
        if k < 0.55:
            return self.choice(["status", "mixed", "source", "isUploadDone"])  # wrong type in the data
        return self.num_literal()

    def var_of(self, kind):
        names = [n for n, k in self.vars if k == kind]
        return self.choice(names) if names else None

    def str_expr(self, depth=0):
        r = self.r
        k = r.random()
        if depth > 2 or k < 0.45:
            v = self.var_of("file") if self.vars and r.random() < 0.5 else None
            if v:
                return v + "/name"
            v = self.var_of("tag") if self.vars and r.random() < 0.5 else None
            if v:
                return v
            return self.choice(["status", "source", "id", "color", "data/accessReviewId", "createdDateTime", "mixed"])
        if k < 0.55:
            return self.str_literal()
        fn = self.choice(["tolower", "toupper", "trim", "concat", "substring", "substring"])
        if fn == "concat":
            return "concat(%s,%s)" % (self.str_expr(depth + 1), self.str_expr(depth + 1))
        if fn == "substring":
            start = self.choice(["0", "1", "2", "-1", "-3", "20", "100", "-100", "count", "@p"])
            if r.random() < 0.5:
                return "substring(%s,%s)" % (self.str_expr(depth + 1), start)
            return "substring(%s,%s,%s)" % (self.str_expr(depth + 1), start,
                                            self.choice(["0", "1", "2", "3", "100", "-1", "n"]))
        return "%s(%s)" % (fn, self.str_expr(depth + 1))

    def date_expr(self):
        r = self.r
        v = self.var_of("file") if self.vars and r.random() < 0.4 else None
        if v:
            return v + "/uploadedDateTime"
        k = r.random()
        if k < 0.7:
            return "createdDateTime"
        if k < 0.8:
            return self.dto_literal()
        if k < 0.9:
            return "(createdDateTime %s duration'%s')" % (self.choice(["add", "sub"]), self.duration_text())
        return self.choice(["mindatetime()", "maxdatetime()", "status"])

    def duration_text(self):
        return self.choice(["P1D", "PT1H", "PT90M", "PT0S", "-P1D", "PT0.5S", "P2DT3H4M5.25S", "PT36H", "-PT1H30M"])

    def bool_expr(self, depth=0):
        r = self.r
        k = r.random()
        if depth < 3 and k < 0.2:
            op = self.choice(["and", "or"])
            return "(%s %s %s)" % (self.bool_expr(depth + 1), op, self.bool_expr(depth + 1))
        if depth < 3 and k < 0.27:
            return "not (%s)" % self.bool_expr(depth + 1)
        return self.bool_atom(depth)

    def bool_atom(self, depth):
        r = self.r
        k = r.random()
        cmp = self.choice(["eq", "ne", "gt", "ge", "lt", "le"])
        if k < 0.22:
            return "%s %s %s" % (self.num_expr(depth), cmp, self.num_expr(depth + 1) if r.random() < 0.3 else self.num_literal())
        if k < 0.36:
            return "%s %s %s" % (self.str_expr(depth), cmp, self.str_literal() if r.random() < 0.7 else self.str_expr(depth + 1))
        if k < 0.46:
            fn = self.choice(["contains", "startswith", "endswith"])
            return "%s(%s,%s)" % (fn, self.str_expr(depth), self.str_literal() if r.random() < 0.8 else self.str_expr(depth + 1))
        if k < 0.56:
            rhs = self.choice([self.dto_literal(), self.dto_literal(), "2025-06-15", "now()", "createdDateTime",
                               "2025-06-15T10:00:00Z", "(%s add duration'%s')" % (self.dto_literal(), self.duration_text())])
            lhs = self.date_expr()
            if r.random() < 0.2:
                lhs = self.choice(["date(createdDateTime)", "time(createdDateTime)"])
                rhs = self.choice(["2025-06-15", "12:00:00", "2025-01-01", "00:00:00.5"]) if lhs.startswith("date") \
                    else self.choice(["12:00:00", "08:30", "23:59:59.9999999"])
            return "%s %s %s" % (lhs, cmp, rhs)
        if k < 0.62:
            return self.choice(["isUploadDone", "isUploadDone eq true", "isUploadDone eq false", "isUploadDone ne null",
                                "isUploadDone eq null", "isUploadDone gt false", "isUploadDone le true",
                                "not isUploadDone", "mixed", "status eq null", "stats eq null", "files eq null",
                                "data/accessReviewId eq null", "true", "false", "null eq null", "null ge null"])
        if k < 0.7:
            lhs = self.choice(["status", "count", "n", "source", "tags/$count", "stats/filesUploaded", "null", "mixed"])
            items = self.choice([["'complete'", "'failed'"], ["1", "2", "3"], ["0", "null"], ["'', 'it''s'"],
                                 ["5", "-7", "2.5"], ["'Red'"], ["null"]])
            return "%s in (%s)" % (lhs, ",".join(items))
        if k < 0.75:
            return "%s has %s" % (self.choice(["color", "status", "source", "count"]),
                                  self.choice(["Ns.Color'Red'", "Ns.Color'Green,Red'", "Ns.Color'Blue'", "Ns.Color'Red,Blue'"]))
        if k < 0.88 and len(self.vars) < 2:
            return self.lambda_expr(depth)
        if k < 0.9:
            return self.choice([
                "isof(count,Edm.Int32)", "isof(ratio,Edm.Double)", "isof(status,Edm.String)", "isof(count,Edm.Byte)",
                "isof(mixed,Edm.Boolean)", "cast(count,Edm.Int32) eq 5", "cast(ratio,Edm.Int64) eq 2",
                "cast(status,Edm.String) eq 'complete'", "cast(isUploadDone,Edm.String) eq 'true'",
                "cast(count,Edm.String) eq '5'", "cast(mixed,Edm.Int32) eq 5", "cast(count,Edm.Byte) eq null",
                "'fruit' in tags", "status in tags", "tags/any(t: t in ('red','Red'))",
                "files/$count in (1,2)", "stats in (null)",
            ])
        if k < 0.93:
            return "id %s %s" % (self.choice(["eq", "ne", "gt", "lt"]),
                                 self.choice(["01234567-89ab-cdef-0123-456789ABCDEF", "00000000-0000-0000-0000-000000000000",
                                              "ffffffff-ffff-ffff-ffff-ffffffffffff"]))
        if k < 0.97:
            # ill-typed or edge
            return self.choice(["'a' add 1 eq 2", "status add 1 eq null", "length(5) eq 1", "count eq 'x'",
                                "1 eq true", "not 1", "(1 div 0) eq 1", "count div 0 eq 1", "count mod 0 eq 1",
                                "ratio div 0 eq INF", "1 divby 0 eq INF", "-7 div 2 eq -3", "-7 mod 2 eq -1",
                                "7 mod -2 eq 1", "round(-2.5) eq -3", "round(2.5e0) eq 3", "substring('abc',1,-1) eq 'b'",
                                "9223372036854775807 add 1 gt 0", "NaN eq NaN", "NaN ne NaN", "INF eq INF",
                                "-INF lt INF", "count add 9223372036854775807 gt 0", "0.1 add 0.2 eq 0.3",
                                "0.1e0 add 0.2e0 eq 0.3e0", "1.0 eq 1", "5 divby 2 eq 2.5", "5 div 2 eq 2",
                                "5.0 div 2 eq 2.5", "ratio mul 10 gt 1e308", "duration'PT1H' add duration'PT30M' eq duration'PT90M'",
                                "2025-01-01 add duration'PT23H' eq 2025-01-01", "2025-01-01 sub duration'PT1H' eq 2024-12-31",
                                "createdDateTime sub createdDateTime eq duration'PT0S'", "status eq 'it''s'",
                                "concat(status,null) eq null", "length('😀') eq 1", "indexof('a😀b','b') eq 2",
                                "substring('😀ab',1) eq 'ab'", "tolower('ẞ') eq 'ß'", "toupper('ß') eq 'SS'",
                                "trim(' a ') eq 'a'", "null gt 1", "null lt null", "count ge null", "null le count"])
        return "%s/any()" % self.choice(["files", "tags", "stats", "nothing"])

    def lambda_expr(self, depth):
        r = self.r
        var = self.choice(["f", "x", "g"])
        if any(var == n for n, _ in self.vars):
            var = var + "2"
        if r.random() < 0.6:
            coll, kind = "files", "file"
        else:
            coll, kind = "tags", "tag"
        self.vars.append((var, kind))
        if kind == "file":
            body = self.choice([
                "%s/size gt %s" % (var, self.num_literal()),
                "%s/size %s %s" % (var, self.choice(["eq", "ne", "lt", "ge"]), self.choice(["0", "5000", "null", "1.5", "count"])),
                "%s(%s/name,%s)" % (self.choice(["endswith", "startswith", "contains"]), var, self.str_literal()),
                "%s/uploadedDateTime %s %s" % (var, self.choice(["gt", "lt", "eq"]), self.choice([self.dto_literal(), "createdDateTime", "$it/createdDateTime"])),
                self.bool_expr(depth + 1),
            ])
        else:
            body = self.choice(["%s eq %s" % (var, self.str_literal()), "length(%s) gt 1" % var,
                                "contains(%s,'r')" % var, "%s eq null" % var, "%s ne 'fruit'" % var,
                                self.bool_expr(depth + 1)])
        self.vars.pop()
        return "%s/%s(%s: %s)" % (coll, self.choice(["any", "all"]), var, body)


# ---------------------------------------------------------------------------------------
# Queries
# ---------------------------------------------------------------------------------------

ORDER_KEYS = ["n", "count", "ratio", "status", "source", "createdDateTime", "isUploadDone", "stats/filesUploaded",
              "files/$count", "tags/$count", "mixed", "length(source)", "tolower(status)", "count mul -1",
              "year(createdDateTime)", "stats/totalBytesUploaded", "id", "color", "stats", "tags"]
SELECT_PROPS = ["id", "n", "status", "isUploadDone", "createdDateTime", "source", "count", "ratio", "stats",
                "stats/filesUploaded", "files", "tags", "color", "nope", "data", "data/accessReviewId", "*"]


def encode(value):
    return value.replace("%", "%25").replace("&", "%26").replace("+", "%2B").replace("#", "%23")


def rand_orderby(g, keys=ORDER_KEYS):
    items = []
    for _ in range(g.r.choice([1, 1, 2, 3])):
        key = g.choice(keys)
        d = g.choice(["", " asc", " desc", " desc", " DESC"])
        items.append(key + d)
    return ",".join(items)


def rand_nested_expand(g):
    r = g.r
    parts = []
    if r.random() < 0.5:
        g.vars.append(("$this", "file"))
        g.vars.pop()
        parts.append("$filter=" + g.choice([
            "size gt %s" % g.num_literal(), "size %s %s" % (g.choice(["eq", "ne", "le"]), g.choice(["0", "5000", "null"])),
            "endswith(name,'.csv')", "contains(name,%s)" % g.str_literal(), "uploadedDateTime gt %s" % g.dto_literal(),
            "$it/stats/filesUploaded gt 1", "size gt $it/count", "name eq null", "$this/size lt 10000",
            "startswith(tolower(name),'b')", "length(name) gt 12",
        ]))
    if r.random() < 0.4:
        parts.append("$orderby=" + rand_orderby(g, ["size", "name", "uploadedDateTime", "length(name)", "size mul -1"]))
    if r.random() < 0.3:
        parts.append("$top=%d" % r.choice([0, 1, 2, 5]))
    if r.random() < 0.3:
        parts.append("$skip=%d" % r.choice([0, 1, 2]))
    if r.random() < 0.3:
        parts.append("$count=true")
    if r.random() < 0.3:
        parts.append("$select=" + ",".join(sorted(set(g.choice(["name", "size", "uploadedDateTime", "nope"]) for _ in range(2)))))
    return "files(%s)" % ";".join(parts) if parts else "files"


def rand_compute(g):
    items = []
    for i in range(g.r.choice([1, 1, 2])):
        date = g.date_expr()
        if date.endswith("()"):
            date = "createdDateTime"  # now() would print the clock
        e = g.choice([g.num_expr(), g.str_expr(1), g.bool_expr(2), date, "date(createdDateTime)",
                      "time(createdDateTime)", "createdDateTime add duration'%s'" % g.duration_text(),
                      "totalseconds(duration'%s')" % g.duration_text()])
        items.append("%s as c%d" % (e, i))
    return ",".join(items)


def rand_apply(g):
    r = g.r
    steps = []
    if r.random() < 0.3:
        steps.append("filter(%s)" % g.bool_expr(1))
    props = sorted(set(g.choice(["status", "isUploadDone", "stats/filesUploaded", "color", "source", "ratio", "count"])
                       for _ in range(r.choice([1, 1, 2]))))
    aggs = []
    for i in range(r.choice([0, 1, 2])):
        if r.random() < 0.3:
            aggs.append("$count as a%d" % i)
        else:
            aggs.append("%s with %s as a%d" % (g.choice(["count", "ratio", "stats/totalBytesUploaded", "n", "files/size",
                                                         "status", "mixed"]),
                                               g.choice(["sum", "min", "max", "average", "countdistinct"]), i))
    if r.random() < 0.6:
        steps.append("groupby((%s)%s)" % (",".join(props), ",aggregate(%s)" % ",".join(aggs) if aggs else ""))
    else:
        if not aggs:
            aggs = ["$count as a0"]
        steps.append("aggregate(%s)" % ",".join(aggs))
    return "/".join(steps)


def rand_query(r):
    g = Gen(r)
    options = []
    if r.random() < 0.15:
        options.append(("$apply", rand_apply(g)))
        if r.random() < 0.3:
            options.append(("$orderby", "a0 desc" if r.random() < 0.5 else "status"))
        if r.random() < 0.2:
            options.append(("$count", "true"))
        return options
    if r.random() < 0.2:
        options.append(("$compute", rand_compute(g)))
    if r.random() < 0.75:
        options.append(("$filter", g.bool_expr()))
    if r.random() < 0.1:
        options.append(("$search", g.choice(["complete", "COMPLETE", "csv", "NOT complete", "complete OR failed",
                                             "\"a b\"", "😀", "building AND csv", "(failed OR it) NOT x", "ß", "é"])))
    if r.random() < 0.5:
        keys = ORDER_KEYS + (["c0"] if options and options[0][0] == "$compute" else [])
        options.append(("$orderby", rand_orderby(g, keys)))
    if r.random() < 0.3:
        options.append(("$top", str(r.choice([0, 1, 2, 3, 5, 100]))))
    if r.random() < 0.3:
        options.append(("$skip", str(r.choice([0, 1, 2, 5, 100]))))
    if r.random() < 0.3:
        options.append(("$count", r.choice(["true", "false", "true"])))
    if r.random() < 0.3:
        props = sorted(set(g.choice(SELECT_PROPS) for _ in range(r.choice([1, 2, 3]))))
        if options and options[0][0] == "$compute" and r.random() < 0.6:
            props.append("c0")
        options.append(("$select", ",".join(props)))
    if r.random() < 0.25:
        options.append(("$expand", rand_nested_expand(g) if r.random() < 0.85 else "files/$count"))
    if any("@p" in v for _, v in options) and r.random() < 0.7:
        options.append(("@p", g.choice(["5", "'complete'", "null", "2.5", "-1"])))
    r.shuffle(options)
    return options


def render(options):
    return "&".join("%s=%s" % (name, encode(value)) for name, value in options)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--out", required=True)
    parser.add_argument("--queries-per-document", type=int, default=10)
    args = parser.parse_args()
    r = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "cases.jsonl"), "w") as cases:
        document_path = None
        for i in range(args.n):
            if i % args.queries_per_document == 0:
                document_path = os.path.join(args.out, "data-%d.json" % (i // args.queries_per_document))
                with open(document_path, "w") as f:
                    json.dump(rand_document(r), f, ensure_ascii=False)
            cases.write(json.dumps({"query": render(rand_query(r)), "data": document_path}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
