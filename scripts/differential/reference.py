#!/usr/bin/env python3
"""An independent OData 4.01 query evaluator over JSON, for differential testing.

Written from the OData 4.01 specifications (Part 1 Protocol "Prot", Part 2 URL
Conventions "URL", Data Aggregation "Agg") and the crate's documented choices, not from the Rust
code. Where the specification leaves room it follows the crate's documented choices
(README "Choices", `src/eval/mod.rs`). It covers the commonly used subset: $filter,
$orderby, $top, $skip, $count, $select, $expand with nested options, $compute, $search,
and $apply with filter/groupby/aggregate.

    reference.py QUERY FILE [--now 2026-06-01T12:00:00Z]

prints the response JSON on stdout and exits 0, or prints an error on stderr and exits 1.
Standard library only.
"""

import datetime
import decimal
import json
import math
import re
import sys
import urllib.parse

D = decimal.Decimal
# Decimal arithmetic is exact here (the crate keeps 128-bit decimals); wide enough that
# add/sub/mul of literals never round.
CTX = decimal.Context(prec=200, Emax=10**6, Emin=-(10**6), traps=[decimal.InvalidOperation])
DECIMAL_LIMIT = D("1.7014118346046923173168730371588410572e38")
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
NANOS = 10**9
DAY_NANOS = 86400 * NANOS


class ODataError(Exception):
    """Any request failure (parse, type, evaluation)."""


# ---------------------------------------------------------------------------------------
# Typed values
# ---------------------------------------------------------------------------------------


class DTO:
    """Edm.DateTimeOffset: instant (ns since the epoch, UTC) and offset in minutes."""

    __slots__ = ("ns", "offset")

    def __init__(self, ns, offset):
        self.ns, self.offset = ns, offset

    def local(self):
        """(date, nanoseconds into the day) in the value's own offset (URL §5.1.1.8)."""
        local_ns = self.ns + self.offset * 60 * NANOS
        days, rest = divmod(local_ns, DAY_NANOS)
        return datetime.date(1970, 1, 1) + datetime.timedelta(days=days), rest

    def format(self):
        day, rest = self.local()
        text = day.isoformat() + "T" + format_time_of_day(rest, always_seconds=True)
        if self.offset == 0:
            return text + "Z"
        sign = "+" if self.offset > 0 else "-"
        hours, minutes = divmod(abs(self.offset), 60)
        return "%s%s%02d:%02d" % (text, sign, hours, minutes)


class DateV:
    __slots__ = ("days",)

    def __init__(self, days):
        self.days = days

    def date(self):
        return datetime.date(1970, 1, 1) + datetime.timedelta(days=self.days)

    def format(self):
        return self.date().isoformat()


class TimeV:
    __slots__ = ("ns",)

    def __init__(self, ns):
        self.ns = ns

    def format(self):
        return format_time_of_day(self.ns, always_seconds=True)


class DurationV:
    __slots__ = ("ns",)

    def __init__(self, ns):
        self.ns = ns

    def format(self):
        ns = abs(self.ns)
        days, rest = divmod(ns, DAY_NANOS)
        hours, rest = divmod(rest, 3600 * NANOS)
        minutes, rest = divmod(rest, 60 * NANOS)
        seconds, frac = divmod(rest, NANOS)
        text = "-P" if self.ns < 0 else "P"
        if days:
            text += "%dD" % days
        if hours or minutes or seconds or frac or not days:
            text += "T"
            if hours:
                text += "%dH" % hours
            if minutes:
                text += "%dM" % minutes
            if seconds or frac or not (hours or minutes):
                text += "%d" % seconds
                if frac:
                    text += ("." + "%09d" % frac).rstrip("0")
                text += "S"
        return text


class GuidV:
    __slots__ = ("text",)

    def __init__(self, text):
        self.text = text.lower()

    def format(self):
        return self.text


class EnumV:
    __slots__ = ("flags",)

    def __init__(self, flags):
        self.flags = flags

    def format(self):
        return ",".join(self.flags)


class Collection(list):
    """A computed collection (a list literal, `$filter(...)` segment, ...)."""


TYPED = (DTO, DateV, TimeV, DurationV, GuidV)


def format_time_of_day(ns, always_seconds):
    hours, rest = divmod(ns, 3600 * NANOS)
    minutes, rest = divmod(rest, 60 * NANOS)
    seconds, frac = divmod(rest, NANOS)
    text = "%02d:%02d:%02d" % (hours, minutes, seconds)
    if frac:
        text += ("." + "%09d" % frac).rstrip("0")
    return text


def flag_set(text):
    return sorted(set(part.strip() for part in text.split(",") if part.strip()))


# ----- temporal parsing (ABNF dateValue, timeOfDayValue, dateTimeOffsetValue, duration)

DATE_RE = r"(-?\d{4,})-(\d{2})-(\d{2})"
TIME_RE = r"(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,12}))?)?"
DTO_FULL = re.compile(DATE_RE + "T" + TIME_RE + r"(Z|z|[+-]\d{2}:\d{2})?$")
DATE_FULL = re.compile(DATE_RE + "$")
TIME_FULL = re.compile(TIME_RE + "$")
DURATION_FULL = re.compile(r"(-)?P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:\.(\d+))?S)?)?$", re.I)
GUID_FULL = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def make_date(y, m, d):
    try:
        return (datetime.date(int(y), int(m), int(d)) - datetime.date(1970, 1, 1)).days
    except ValueError:
        return None


def make_time(h, mi, s, frac):
    h, mi, s = int(h), int(mi), int(s or 0)
    if h > 23 or mi > 59 or s > 59:
        return None
    frac_ns = int((frac or "").ljust(9, "0")[:9] or 0)
    return ((h * 60 + mi) * 60 + s) * NANOS + frac_ns


def parse_dto(text, need_offset):
    m = DTO_FULL.match(text)
    if not m:
        return None
    y, mo, d, h, mi, s, frac, zone = m.groups()
    days = make_date(y, mo, d)
    tod = make_time(h, mi, s, frac)
    if days is None or tod is None:
        return None
    if zone is None:
        if need_offset:
            return None
        offset = 0
    elif zone in ("Z", "z"):
        offset = 0
    else:
        sign = 1 if zone[0] == "+" else -1
        oh, om = int(zone[1:3]), int(zone[4:6])
        if oh > 23 or om > 59:
            return None
        offset = sign * (oh * 60 + om)
    ns = days * DAY_NANOS + tod - offset * 60 * NANOS
    return DTO(ns, offset)


def parse_date(text):
    m = DATE_FULL.match(text)
    if not m:
        return None
    days = make_date(*m.groups())
    return None if days is None else DateV(days)


def parse_time(text):
    m = TIME_FULL.match(text)
    if not m:
        return None
    ns = make_time(*m.groups())
    return None if ns is None else TimeV(ns)


def parse_duration(text):
    m = DURATION_FULL.match(text)
    if not m or text.upper().endswith("T") or text.upper() in ("P", "-P"):
        return None
    neg, days, hours, minutes, seconds, frac = m.groups()
    ns = (int(days or 0) * 86400 + int(hours or 0) * 3600 + int(minutes or 0) * 60 + int(seconds or 0)) * NANOS
    if frac:
        ns += int(frac.ljust(9, "0")[:9])
    return DurationV(-ns if neg else ns)


def parse_guid(text):
    return GuidV(text) if GUID_FULL.match(text) else None


def coerce_string(text, typed):
    """URL §5.1.1.10.1: a JSON string compared with a typed value is read as that type."""
    if isinstance(typed, DTO):
        return parse_dto(text, need_offset=False)
    if isinstance(typed, DateV):
        return parse_date(text)
    if isinstance(typed, TimeV):
        return parse_time(text)
    if isinstance(typed, DurationV):
        return parse_duration(text)
    if isinstance(typed, GuidV):
        return parse_guid(text)
    return None


# ---------------------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------------------


def is_num(v):
    return isinstance(v, (int, float, D)) and not isinstance(v, bool)


def check_int(i):
    """Integers beyond Int64 are promoted (to decimal); beyond ±1.7e38 the request fails."""
    if INT64_MIN <= i <= INT64_MAX:
        return i
    if abs(i) > DECIMAL_LIMIT:
        raise ODataError("overflow")
    return D(i)


def check_dec(x):
    if x.is_finite() and abs(x) > DECIMAL_LIMIT:
        raise ODataError("overflow")
    return x


def to_float(v):
    return float(v)


def num_compare(a, b):
    """Numeric promotion (URL §5.1.1.16 'Numeric Promotion'): a double operand makes the
    other a double (decimal literals become the nearest double); ints and decimals compare
    exactly. Returns -1/0/1 or None for NaN."""
    if isinstance(a, float) or isinstance(b, float):
        if isinstance(a, float) and isinstance(b, int) or isinstance(b, float) and isinstance(a, int):
            # An integer against a double: exact (documented choice of the crate).
            x, y = a, b
        else:
            x, y = float(a), float(b)
        if isinstance(x, float) and math.isnan(x) or isinstance(y, float) and math.isnan(y):
            return None
        return (x > y) - (x < y)
    x, y = D(a), D(b)
    return (x > y) - (x < y)


def trunc_div_int(a, b):
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def dec_div(a, b):
    """Decimal quotient truncated after 28 fractional digits; zero divisor -> INF/NaN."""
    a, b = D(a), D(b)
    if b == 0:
        if a == 0:
            return math.nan
        return math.inf if a > 0 else -math.inf
    q = CTX.divide(a, b)
    q = q.quantize(D(1).scaleb(-28), rounding=decimal.ROUND_DOWN, context=CTX)
    return check_dec(q.normalize(CTX) if q != 0 else D(0))


def float_div(a, b):
    a, b = float(a), float(b)
    if b == 0:
        if a == 0 or math.isnan(a):
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1, b)
    return a / b


def coerce_temporal(text):
    """A JSON string in date/time arithmetic: the crate's choice is to read it as a
    DateTimeOffset (no offset: UTC), Date, TimeOfDay or Duration, else null."""
    for parse in (lambda t: parse_dto(t, need_offset=False), parse_date, parse_time, parse_duration):
        v = parse(text)
        if v is not None:
            return v
    return None


def arith(op, a, b):
    """URL §5.1.1.2 arithmetic; null operand -> null; wrong types found in data -> null."""
    if a is None or b is None:
        return None
    if is_num(a) and is_num(b):
        return arith_num(op, a, b)
    if isinstance(a, str):
        a = coerce_temporal(a)
    if isinstance(b, str):
        b = coerce_temporal(b)
    if a is None or b is None:
        return None
    return arith_temporal(op, a, b)


def arith_num(op, a, b):
    if isinstance(a, float) or isinstance(b, float):
        x, y = float(a), float(b)
        if op == "add":
            return x + y
        if op == "sub":
            return x - y
        if op == "mul":
            return x * y
        if op in ("div", "divby"):
            return float_div(x, y)
        if op == "mod":
            if y == 0 or math.isinf(x) or math.isnan(x) or math.isnan(y):
                return math.nan
            if math.isinf(y):
                return x
            return math.fmod(x, y)
    if isinstance(a, int) and isinstance(b, int):
        if op == "add":
            return check_int(a + b)
        if op == "sub":
            return check_int(a - b)
        if op == "mul":
            return check_int(a * b)
        if op == "div":
            if b == 0:
                raise ODataError("division by zero")
            return check_int(trunc_div_int(a, b))
        if op == "divby":
            return dec_div(a, b)
        if op == "mod":
            if b == 0:
                raise ODataError("division by zero")
            return check_int(int(math.copysign(abs(a) % abs(b), a)) if a else 0)
    x, y = D(a), D(b)
    if op == "add":
        return check_dec(CTX.add(x, y))
    if op == "sub":
        return check_dec(CTX.subtract(x, y))
    if op == "mul":
        return check_dec(CTX.multiply(x, y))
    if op in ("div", "divby"):
        return dec_div(x, y)
    if op == "mod":
        if y == 0:
            raise ODataError("division by zero")
        return check_dec(CTX.remainder(x, y))


def arith_temporal(op, a, b):
    """URL §5.1.1.2.1-.5 (strings in the data are untyped: null)."""
    if op == "add":
        if isinstance(a, DTO) and isinstance(b, DurationV):
            return DTO(a.ns + b.ns, a.offset)
        if isinstance(a, DurationV) and isinstance(b, DTO):
            return DTO(a.ns + b.ns, b.offset)
        if isinstance(a, DurationV) and isinstance(b, DurationV):
            return DurationV(a.ns + b.ns)
        if isinstance(a, DateV) and isinstance(b, DurationV):
            return DateV((a.days * DAY_NANOS + b.ns) // DAY_NANOS)
        if isinstance(a, DurationV) and isinstance(b, DateV):
            return DateV((b.days * DAY_NANOS + a.ns) // DAY_NANOS)
    if op == "sub":
        if isinstance(a, DTO) and isinstance(b, DurationV):
            return DTO(a.ns - b.ns, a.offset)
        if isinstance(a, DurationV) and isinstance(b, DurationV):
            return DurationV(a.ns - b.ns)
        if isinstance(a, DTO) and isinstance(b, DTO):
            return DurationV(a.ns - b.ns)
        if isinstance(a, DateV) and isinstance(b, DurationV):
            return DateV((a.days * DAY_NANOS - b.ns) // DAY_NANOS)
        if isinstance(a, DateV) and isinstance(b, DateV):
            return DurationV((a.days - b.days) * DAY_NANOS)
    return None


def negate(v):
    if v is None:
        return None
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return check_int(-v)
    if isinstance(v, (float, D)):
        return -v
    if isinstance(v, DurationV):
        return DurationV(-v.ns)
    if isinstance(v, str):
        d = parse_duration(v)
        return None if d is None else DurationV(-d.ns)
    return None


# ---------------------------------------------------------------------------------------
# Comparison (URL §5.1.1.1)
# ---------------------------------------------------------------------------------------


def kind_of(v):
    if isinstance(v, bool):
        return "bool"
    if is_num(v):
        return "num"
    if isinstance(v, str):
        return "str"
    return type(v).__name__


def compare(a, b):
    """Both non-null: -1/0/1, or None when incomparable."""
    if isinstance(a, bool) and isinstance(b, bool):
        return (a > b) - (a < b)
    if is_num(a) and is_num(b):
        return num_compare(a, b)
    if isinstance(a, str) and isinstance(b, str):
        return (a > b) - (a < b)
    if isinstance(a, EnumV) or isinstance(b, EnumV):
        fa = a.flags if isinstance(a, EnumV) else flag_set(a) if isinstance(a, str) else None
        fb = b.flags if isinstance(b, EnumV) else flag_set(b) if isinstance(b, str) else None
        if fa is None or fb is None:
            return None
        return 0 if fa == fb else None
    if isinstance(a, str) and isinstance(b, TYPED):
        a = coerce_string(a, b)
        if a is None:
            return None
    if isinstance(b, str) and isinstance(a, TYPED):
        b = coerce_string(b, a)
        if b is None:
            return None
    for cls, attr in ((DTO, "ns"), (DateV, "days"), (TimeV, "ns"), (DurationV, "ns"), (GuidV, "text")):
        if isinstance(a, cls) and isinstance(b, cls):
            x, y = getattr(a, attr), getattr(b, attr)
            return (x > y) - (x < y)
    if isinstance(a, (list, dict)) and isinstance(b, (list, dict)):
        return 0 if json_equal(a, b) else None
    return None


def json_equal(a, b):
    if is_num(a) and is_num(b):
        return num_compare(a, b) == 0
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if type(a) is not type(b):
        return False
    return a == b


def equals(a, b):
    if a is None or b is None:
        return a is None and b is None
    return compare(a, b) == 0


def orderable(v):
    return not isinstance(v, (list, dict, EnumV))


def compare_op(op, a, b):
    if op == "eq":
        return equals(a, b)
    if op == "ne":
        return not equals(a, b)

    def ordering(test):
        if a is None or b is None or not orderable(a) or not orderable(b):
            return False
        c = compare(a, b)
        return c is not None and test(c)

    if op == "gt":
        return ordering(lambda c: c > 0)
    if op == "lt":
        return ordering(lambda c: c < 0)
    if op == "ge":
        return ordering(lambda c: c > 0) or equals(a, b)
    if op == "le":
        return ordering(lambda c: c < 0) or equals(a, b)
    raise AssertionError(op)


def truth(v):
    return v if isinstance(v, bool) else None


def and3(a, b):
    if a is False or b is False:
        return False
    if a is None or b is None:
        return None
    return True


def or3(a, b):
    if a is True or b is True:
        return True
    if a is None or b is None:
        return None
    return False


# ---------------------------------------------------------------------------------------
# Expression parser (URL §5.1.1, precedence §5.1.1.17; ABNF)
# ---------------------------------------------------------------------------------------

FUNCTIONS = {
    "contains": 2, "startswith": 2, "endswith": 2, "length": 1, "indexof": 2,
    "substring": (2, 3), "tolower": 1, "toupper": 1, "trim": 1, "concat": 2,
    "year": 1, "month": 1, "day": 1, "hour": 1, "minute": 1, "second": 1,
    "fractionalseconds": 1, "totaloffsetminutes": 1, "totalseconds": 1,
    "date": 1, "time": 1, "round": 1, "floor": 1, "ceiling": 1, "now": 0,
    "mindatetime": 0, "maxdatetime": 0, "cast": (1, 2), "isof": (1, 2),
}
BINARY = {
    "or": 1, "and": 2, "eq": 3, "ne": 3, "gt": 4, "ge": 4, "lt": 4, "le": 4,
    "add": 5, "sub": 5, "mul": 6, "div": 6, "divby": 6, "mod": 6,
}
IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
QUALIFIED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+")


class Parser:
    def __init__(self, text, aliases):
        self.s = text
        self.i = 0
        self.aliases = aliases
        self.depth = 0

    def error(self, what):
        raise ODataError("parse error at %d: %s in %r" % (self.i, what, self.s))

    def ws(self):
        while self.i < len(self.s) and self.s[self.i] in " \t":
            self.i += 1

    def peek(self, text):
        return self.s.startswith(text, self.i)

    def eat(self, text):
        if self.s.startswith(text, self.i):
            self.i += len(text)
            return True
        return False

    def expect(self, text):
        self.ws()
        if not self.eat(text):
            self.error("expected %r" % text)

    def keyword(self):
        """The next word (for binary operators), without consuming it."""
        m = IDENT.match(self.s, self.i)
        return m.group(0) if m else None

    def parse_all(self):
        e = self.expr(0)
        self.ws()
        if self.i != len(self.s):
            self.error("trailing text")
        return e

    def expr(self, min_prec):
        self.depth += 1
        if self.depth > 150:
            self.error("too deep")
        self.ws()
        left = self.unary()
        while True:
            save = self.i
            if not self.eat_rws():
                break
            word = self.keyword()
            op = word.lower() if word else None
            if op in BINARY and BINARY[op] > min_prec:
                after = self.i + len(word)
                if after >= len(self.s) or self.s[after] not in " \t":
                    self.i = save
                    break
                self.i = after
                self.ws()
                right = self.expr(BINARY[op])
                left = ("bin", op, left, right)
                continue
            self.i = save
            break
        self.depth -= 1
        return left

    def eat_rws(self):
        start = self.i
        self.ws()
        return self.i > start

    def unary(self):
        self.ws()
        word = self.keyword()
        if word and word.lower() == "not" and self.s[self.i + 3: self.i + 4] in (" ", "\t"):
            self.i += 3
            self.ws()
            return ("not", self.unary())
        if self.peek("-") and not re.match(r"-(\d|INF\b)", self.s[self.i:]):
            self.i += 1
            return ("neg", self.unary())
        return self.postfix(self.primary())

    def postfix(self, e):
        # has / in bind tighter than unary operators (URL §5.1.1.17 primary group).
        while True:
            save = self.i
            if not self.eat_rws():
                return e
            word = self.keyword()
            if word and word.lower() in ("has", "in"):
                after = self.i + len(word)
                if after < len(self.s) and self.s[after] in " \t":
                    self.i = after
                    self.ws()
                    if word.lower() == "has":
                        e = ("has", e, self.primary())
                    elif self.peek("("):
                        # URL §5.1.1.1.11: a parenthesised list, even of one item.
                        self.i += 1
                        items = [self.expr(0)]
                        self.ws()
                        while self.eat(","):
                            items.append(self.expr(0))
                            self.ws()
                        self.expect(")")
                        e = ("in", e, ("list", items))
                    else:
                        e = ("in", e, self.primary())
                    continue
            self.i = save
            return e

    def primary(self):
        self.ws()
        s, i = self.s, self.i
        if self.eat("("):
            items = [self.expr(0)]
            self.ws()
            while self.eat(","):
                items.append(self.expr(0))
                self.ws()
            self.expect(")")
            return items[0] if len(items) == 1 else ("list", items)
        if s.startswith("'", i):
            return ("lit", self.string())
        m = re.compile(GUID_FULL.pattern[:-1]).match(s, i)
        if m:
            self.i = m.end()
            return ("lit", GuidV(m.group(0)))
        m = re.compile(DATE_RE + "T" + TIME_RE + r"(Z|[+-]\d{2}:\d{2})").match(s, i)
        if m:
            v = parse_dto(m.group(0), need_offset=True)
            if v is None:
                self.error("bad datetime")
            self.i = m.end()
            return ("lit", v)
        m = re.compile(DATE_RE).match(s, i)
        if m and not re.match(r"\d", s[m.end():m.end() + 1] or "x"):
            v = parse_date(m.group(0))
            if v is None:
                self.error("bad date")
            self.i = m.end()
            return ("lit", v)
        m = re.compile(TIME_RE).match(s, i)
        if m and re.match(r"\d{2}:", s[i:]):
            v = parse_time(m.group(0))
            if v is None:
                self.error("bad time")
            self.i = m.end()
            return ("lit", v)
        m = re.compile(r"-?INF\b|NaN\b").match(s, i)
        if m:
            self.i = m.end()
            t = m.group(0)
            return ("lit", math.nan if t == "NaN" else (-math.inf if t[0] == "-" else math.inf))
        m = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?").match(s, i)
        if m:
            self.i = m.end()
            t = m.group(0)
            if m.group(2):
                v = float(t)
                return ("lit", v)
            if m.group(1):
                digits = len(t.lstrip("-").replace(".", "").lstrip("0"))
                if digits > 38:
                    raise ODataError("decimal literal has more than 38 digits")
                return ("lit", D(t))
            v = int(t)
            if not INT64_MIN <= v <= INT64_MAX:
                digits = len(t.lstrip("-").lstrip("0"))
                if digits > 38:
                    raise ODataError("decimal literal has more than 38 digits")
                return ("lit", D(v))
            return ("lit", v)
        if s.startswith("@", i):
            m = IDENT.match(s, i + 1)
            if not m:
                self.error("alias")
            self.i = m.end()
            return ("alias", m.group(0))
        if s.startswith("$it", i) and not IDENT.match(s, i + 3):
            self.i += 3
            return self.path_tail(("it",))
        if s.startswith("$this", i) and not IDENT.match(s, i + 5):
            self.i += 5
            return self.path_tail(("this",))
        m = QUALIFIED.match(s, i)
        if m and s.startswith("'", m.end()):
            # Enum literal Ns.Type'Flag,Flag' (URL §5.1.1.14.1).
            self.i = m.end()
            return ("lit", EnumV(flag_set(self.string())))
        m = IDENT.match(s, i)
        if not m:
            self.error("expected an expression")
        word = m.group(0)
        low = word.lower()
        if low in ("true", "false") and not s.startswith("(", m.end()) and not s.startswith("/", m.end()):
            self.i = m.end()
            return ("lit", low == "true")
        if word == "null" and not s.startswith("/", m.end()):
            self.i = m.end()
            return ("lit", None)
        if low == "duration" and s.startswith("'", m.end()):
            self.i = m.end()
            v = parse_duration(self.string())
            if v is None:
                self.error("bad duration")
            return ("lit", v)
        if s.startswith("(", m.end()) and low in FUNCTIONS:
            self.i = m.end() + 1
            args = []
            self.ws()
            if not self.peek(")"):
                if low in ("cast", "isof"):
                    args = self.cast_args()
                else:
                    args.append(self.expr(0))
                    self.ws()
                    while self.eat(","):
                        args.append(self.expr(0))
                        self.ws()
            self.expect(")")
            arity = FUNCTIONS[low]
            ok = len(args) in arity if isinstance(arity, tuple) else len(args) == arity
            if not ok:
                raise ODataError("wrong number of arguments to %s" % low)
            return self.path_tail(("call", low, args))
        if s.startswith("(", m.end()):
            self.error("unknown function %s" % word)
        return self.path_tail(("path", None, []))

    def cast_args(self):
        # cast(expr, Type) or cast(Type).
        save = self.i
        m = QUALIFIED.match(self.s, self.i)
        if m:
            self.i = m.end()
            self.ws()
            if self.peek(")"):
                return [("type", m.group(0))]
            self.i = save
        first = self.expr(0)
        self.expect(",")
        self.ws()
        m = QUALIFIED.match(self.s, self.i)
        if not m:
            self.error("expected a type name")
        self.i = m.end()
        return [first, ("type", m.group(0))]

    def string(self):
        assert self.s[self.i] == "'"
        j = self.i + 1
        out = []
        while True:
            k = self.s.find("'", j)
            if k < 0:
                self.error("unterminated string")
            out.append(self.s[j:k])
            if self.s.startswith("''", k):
                out.append("'")
                j = k + 2
                continue
            self.i = k + 1
            return "".join(out)

    def path_tail(self, root):
        """Segments after a root: properties, /$count, /any(...), /all(...)."""
        steps = []
        if root[0] == "path":
            m = IDENT.match(self.s, self.i)
            self.i = m.end()
            steps.append(("prop", m.group(0)))
            root = ("current",)
        while self.peek("/"):
            self.i += 1
            s, i = self.s, self.i
            if s.startswith("$count", i):
                self.i += 6
                steps.append(("count",))
                continue
            m = IDENT.match(s, i)
            if not m:
                self.error("path segment")
            word = m.group(0)
            if word.lower() in ("any", "all") and s.startswith("(", m.end()):
                self.i = m.end() + 1
                self.ws()
                if self.eat(")"):
                    if word.lower() == "all":
                        self.error("all needs a predicate")
                    steps.append(("any", None, None))
                    continue
                v = IDENT.match(s, self.i)
                if not v:
                    self.error("lambda variable")
                self.i = v.end()
                self.ws()
                self.expect(":")
                body = self.expr(0)
                self.expect(")")
                steps.append((word.lower(), v.group(0), body))
                continue
            q = QUALIFIED.match(s, i)
            if q:
                self.i = q.end()
                steps.append(("cast", q.group(0)))
                continue
            self.i = m.end()
            steps.append(("prop", word))
        if root == ("current",) or steps:
            return ("path", root, steps)
        return ("path", root, steps)


# ---------------------------------------------------------------------------------------
# Static typing: the crate's documented choice is that the same mistake between literals
# or typed functions is a compile-time error (README "Choices": Types).
# ---------------------------------------------------------------------------------------

NUMBER_FUNCS = {"length", "indexof", "year", "month", "day", "hour", "minute", "second",
                "fractionalseconds", "totalseconds", "totaloffsetminutes", "round", "floor", "ceiling"}
BOOL_FUNCS = {"contains", "startswith", "endswith", "isof"}
STRING_FUNCS = {"tolower", "toupper", "trim", "concat", "substring"}
TEMPORAL_FUNCS = {"date", "time", "now", "mindatetime", "maxdatetime"}


ALIASES = {}


def static_kind(e):
    tag = e[0]
    if tag == "alias":
        # An alias stands for its value (URL §5.3), so its kind is known.
        value = ALIASES.get(e[1])
        return "null" if value is None else static_kind(value)
    if tag == "lit":
        v = e[1]
        if v is None:
            return "null"
        if isinstance(v, bool):
            return "bool"
        if is_num(v):
            return "num"
        if isinstance(v, str):
            return "str"
        if isinstance(v, (DTO, DateV, TimeV, DurationV)):
            return "temporal"
        return "other"
    if tag in ("not", "in", "has"):
        return "bool"
    if tag == "bin":
        op = e[1]
        if op in ("and", "or", "eq", "ne", "gt", "ge", "lt", "le"):
            return "bool"
        a, b = static_kind(e[2]), static_kind(e[3])
        if "temporal" in (a, b):
            return "temporal"
        if a == b == "num":
            return "num"
        return None
    if tag == "neg":
        return static_kind(e[1])
    if tag == "call":
        return None
    if tag == "path" and e[1][0] == "call" and not e[2]:
        name = e[1][1]
        if name in NUMBER_FUNCS:
            return "num"
        if name in BOOL_FUNCS:
            return "bool"
        if name in ("now", "mindatetime", "maxdatetime"):
            return "temporal"
        return None
    if tag == "path" and e[2] and e[2][-1][0] in ("any", "all"):
        return "bool"
    return None


def check_types(e):
    """Raises ODataError for operator applications whose static kinds cannot work."""
    tag = e[0]

    def expect(sub, allowed, what):
        k = static_kind(sub)
        if k is not None and k != "null" and k not in allowed:
            raise ODataError("type error: %s on %s" % (what, k))

    if tag == "bin":
        op, a, b = e[1], e[2], e[3]
        check_types(a)
        check_types(b)
        if op in ("and", "or"):
            expect(a, ("bool",), op)
            expect(b, ("bool",), op)
        elif op in ("eq", "ne", "gt", "ge", "lt", "le"):
            ka, kb = static_kind(a), static_kind(b)
            ok = (ka == kb or None in (ka, kb) or "null" in (ka, kb)
                  or (ka == "str" and kb not in ("num", "bool"))
                  or (kb == "str" and ka not in ("num", "bool")))
            if not ok:
                raise ODataError("type error: cannot compare %s with %s" % (ka, kb))
        else:
            expect(a, ("num", "temporal"), op)
            expect(b, ("num", "temporal"), op)
    elif tag == "not":
        check_types(e[1])
        expect(e[1], ("bool",), "not")
    elif tag == "neg":
        check_types(e[1])
        expect(e[1], ("num", "temporal"), "-")
    elif tag in ("in", "has"):
        check_types(e[1])
        check_types(e[2])
    elif tag == "list":
        for x in e[1]:
            check_types(x)
    elif tag == "path":
        root, steps = e[1], e[2]
        if root[0] == "call":
            name, args = root[1], root[2]
            for x in args:
                if x[0] != "type":
                    check_types(x)
            for index, arg in enumerate(args):
                if arg[0] == "type":
                    continue
                if name in ("concat", "contains", "endswith", "startswith", "indexof") and index < 2 \
                        or name in ("length", "substring") and index == 0 \
                        or name in ("tolower", "toupper", "trim"):
                    allowed = ("str",)
                elif name in ("substring", "round", "floor", "ceiling"):
                    allowed = ("num",)
                elif name in ("year", "month", "day", "hour", "minute", "second", "fractionalseconds",
                              "totalseconds", "date", "time", "totaloffsetminutes"):
                    allowed = ("temporal", "str")
                else:
                    continue
                expect(arg, allowed, name)
        for step in steps:
            if step[0] in ("any", "all") and step[2] is not None:
                check_types(step[2])
                expect(step[2], ("bool",), "lambda")


def check_predicate(e, what):
    check_types(e)
    k = static_kind(e)
    if k not in (None, "bool", "null"):
        raise ODataError("%s must be Boolean" % what)


# ---------------------------------------------------------------------------------------
# Evaluation
# ---------------------------------------------------------------------------------------


class Env:
    def __init__(self, item, it, variables, computed, now, aliases):
        self.item = item          # $this: the current instance
        self.it = it              # $it: the outermost item
        self.variables = variables  # lambda variables, name -> value
        self.computed = computed  # computed properties of the current item
        self.now = now
        self.aliases = aliases

    def with_variable(self, name, value):
        v = dict(self.variables)
        v[name] = value
        return Env(self.item, self.it, v, self.computed, self.now, self.aliases)


def json_value(v):
    """A JSON value as an operand (floats stay floats: JSON numbers with a fraction)."""
    return v


def property_of(value, name):
    if isinstance(value, dict):
        return value.get(name)
    return None


def type_matches(value, name):
    if not isinstance(value, dict):
        return False
    t = value.get("@odata.type")
    return isinstance(t, str) and t.lstrip("#") == name


def evaluate(e, env):
    tag = e[0]
    if tag == "lit":
        return e[1]
    if tag == "alias":
        if e[1] in env.aliases:
            return evaluate(env.aliases[e[1]], env)
        return None
    if tag == "not":
        t = truth(evaluate(e[1], env))
        return None if t is None else not t
    if tag == "neg":
        return negate(evaluate(e[1], env))
    if tag == "bin":
        op = e[1]
        if op == "and":
            a = truth(evaluate(e[2], env))
            if a is False:
                return False
            return and3(a, truth(evaluate(e[3], env)))
        if op == "or":
            a = truth(evaluate(e[2], env))
            if a is True:
                return True
            return or3(a, truth(evaluate(e[3], env)))
        a, b = evaluate(e[2], env), evaluate(e[3], env)
        if op in ("eq", "ne", "gt", "ge", "lt", "le"):
            return compare_op(op, a, b)
        return arith(op, a, b)
    if tag == "list":
        return Collection(evaluate(x, env) for x in e[1])
    if tag == "in":
        a = evaluate(e[1], env)
        b = evaluate(e[2], env)
        if not isinstance(b, list):
            return None
        return any(equals(a, m) for m in b)
    if tag == "has":
        a = evaluate(e[1], env)
        b = evaluate(e[2], env)
        if a is None or b is None:
            return None
        fa, fb = has_flags(a), has_flags(b)
        if fa is None or fb is None:
            return None
        return set(fb) <= set(fa)
    if tag == "path":
        return eval_path(e, env)
    raise ODataError("cannot evaluate %r" % (tag,))


def has_flags(v):
    """The flag names of a `has` operand (URL §5.1.1.14.1): enum values and strings are
    comma-separated names; the crate reads an integer as the one flag named by its
    digits; anything else is no enum (null)."""
    if isinstance(v, EnumV):
        return v.flags
    if isinstance(v, str):
        return flag_set(v)
    if is_num(v):
        i = integral(v)
        return None if i is None else [str(i)]
    return None


def eval_path(e, env):
    root, steps = e[1], e[2]
    kind = root[0]
    index = 0
    if kind == "it":
        value = env.it
    elif kind == "this":
        value = env.item
    elif kind == "call":
        value = call(root[1], root[2], env)
    else:
        name = steps[0][1]
        index = 1
        if name in env.variables:
            value = env.variables[name]
        elif name in env.computed:
            value = env.computed[name]
        else:
            value = property_of(env.item, name)
    for step in steps[index:]:
        tag = step[0]
        if tag == "prop":
            value = property_of(value, step[1])
        elif tag == "cast":
            value = value if type_matches(value, step[1]) else None
        elif tag == "count":
            value = len(value) if isinstance(value, list) else 0
        elif tag in ("any", "all"):
            members = value if isinstance(value, list) else []
            if step[1] is None:
                value = len(members) > 0
                continue
            results = [truth(evaluate(step[2], env.with_variable(step[1], m))) for m in members]
            if tag == "any":
                value = any(r is True for r in results)
            else:
                value = all(r is True for r in results)
    return value


def chars(s):
    return list(s)


def call(name, args, env):
    if name == "now":
        return env.now
    if name == "mindatetime":
        return parse_dto("0001-01-01T00:00:00Z", True)
    if name == "maxdatetime":
        return parse_dto("9999-12-31T23:59:59.999999999Z", True)
    if name in ("cast", "isof"):
        return cast_or_isof(name, args, env)
    values = [evaluate(a, env) for a in args]
    if any(v is None for v in values):
        return None
    if name in ("contains", "startswith", "endswith", "indexof", "concat") and \
            isinstance(values[0], list) and isinstance(values[1], list):
        # URL §5.1.1.5: the collection overloads (sub-sequence tests, concatenation).
        a, b = values
        n, m = len(a), len(b)
        if name == "concat":
            return Collection(a + b)
        if name == "startswith":
            return n >= m and all(json_equal(x, y) for x, y in zip(a, b))
        if name == "endswith":
            return n >= m and all(json_equal(x, y) for x, y in zip(a[n - m:], b))
        positions = [i for i in range(n - m + 1) if all(json_equal(a[i + j], b[j]) for j in range(m))]
        if name == "contains":
            return bool(positions)
        return positions[0] if positions else -1
    if name in ("contains", "startswith", "endswith", "indexof", "concat"):
        a, b = values
        if not (isinstance(a, str) and isinstance(b, str)):
            return None
        if name == "contains":
            return b in a
        if name == "startswith":
            return a.startswith(b)
        if name == "endswith":
            return a.endswith(b)
        if name == "indexof":
            return a.find(b)
        return a + b
    if name == "length" and isinstance(values[0], list):
        return len(values[0])  # URL §5.1.1.5.5: length(Collection) counts the items
    if name in ("length", "tolower", "toupper", "trim"):
        (a,) = values
        if not isinstance(a, str):
            return None
        if name == "length":
            return len(a)
        if name == "tolower":
            return a.lower()
        if name == "toupper":
            return a.upper()
        return a.strip()
    if name == "substring":
        if len(values) == 3 and integral(values[2]) is not None and integral(values[2]) < 0:
            raise ODataError("substring length is negative")
        s = values[0]
        if not isinstance(s, str):
            return None
        start = integral(values[1])
        if start is None:
            return None
        n = len(s)
        if start < 0:
            start = max(n + start, 0)
        if len(values) == 3:
            length = integral(values[2])
            if length is None:
                return None
            if length < 0:
                raise ODataError("substring length is negative")
            return s[start:start + length]
        return s[start:]
    if name in ("round", "floor", "ceiling"):
        (a,) = values
        if not is_num(a):
            return None
        if isinstance(a, int):
            return a
        if isinstance(a, float):
            if math.isnan(a) or math.isinf(a):
                return a
            if name == "floor":
                return float(math.floor(a))
            if name == "ceiling":
                return float(math.ceil(a))
            # URL §5.1.1.9.3: the mid-point is rounded away from zero (exactly, on the
            # double's binary value).
            r = float(D(abs(a)).to_integral_value(rounding=decimal.ROUND_HALF_UP))
            return math.copysign(r, a)
        rounding = {"floor": decimal.ROUND_FLOOR, "ceiling": decimal.ROUND_CEILING,
                    "round": decimal.ROUND_HALF_UP}[name]
        r = a.to_integral_value(rounding=rounding)
        return r
    if name in ("year", "month", "day", "hour", "minute", "second", "fractionalseconds",
                "totaloffsetminutes", "date", "time"):
        (a,) = values
        if isinstance(a, str):
            a = parse_dto(a, need_offset=False) or parse_date(a) or parse_time(a)
            if a is None:
                return None
        if isinstance(a, DTO):
            day, rest = a.local()
            if name == "year":
                return day.year
            if name == "month":
                return day.month
            if name == "day":
                return day.day
            if name == "date":
                return DateV((day - datetime.date(1970, 1, 1)).days)
            if name == "time":
                return TimeV(rest)
            if name == "totaloffsetminutes":
                return a.offset
            return time_part(name, rest)
        # URL §5.1.1.8: year/month/day also take a Date, hour/minute/second/
        # fractionalseconds a TimeOfDay; date and time take only a DateTimeOffset.
        if isinstance(a, DateV):
            d = a.date()
            if name in ("year", "month", "day"):
                return getattr(d, name)
            return None
        if isinstance(a, TimeV):
            if name in ("hour", "minute", "second", "fractionalseconds"):
                return time_part(name, a.ns)
            return None
        return None
    if name == "totalseconds":
        (a,) = values
        if isinstance(a, str):
            a = parse_duration(a)
        if not isinstance(a, DurationV):
            return None
        return D(a.ns) / D(NANOS)
    raise ODataError("unsupported function %s" % name)


def integral(v):
    """An integer argument: an integer, or a number with no fraction (JSON 2.0)."""
    if isinstance(v, bool) or not is_num(v):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if v != int(v) or not INT64_MIN <= int(v) <= INT64_MAX:
        return None
    return int(v)


def time_part(name, ns):
    hours, rest = divmod(ns, 3600 * NANOS)
    minutes, rest = divmod(rest, 60 * NANOS)
    seconds, frac = divmod(rest, NANOS)
    if name == "hour":
        return hours
    if name == "minute":
        return minutes
    if name == "second":
        return seconds
    return D(frac) / D(NANOS)


INTEGER_RANGES = {
    "Edm.Byte": (0, 255), "Edm.SByte": (-128, 127), "Edm.Int16": (-(2**15), 2**15 - 1),
    "Edm.Int32": (-(2**31), 2**31 - 1), "Edm.Int64": (INT64_MIN, INT64_MAX),
}


def cast_or_isof(name, args, env):
    if len(args) == 1:
        value, type_name = env.item, args[0][1]
    else:
        value, type_name = evaluate(args[0], env), args[1][1]
    if name == "isof":
        if value is None:
            return False
        if type_name in INTEGER_RANGES:
            lo, hi = INTEGER_RANGES[type_name]
            return isinstance(value, int) and not isinstance(value, bool) and lo <= value <= hi
        if type_name in ("Edm.Decimal", "Edm.Double", "Edm.Single"):
            return is_num(value)
        if type_name == "Edm.String":
            return isinstance(value, str)
        if type_name == "Edm.Boolean":
            return isinstance(value, bool)
        return type_matches(value, type_name)
    if value is None:
        return None
    if type_name == "Edm.String":
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float) and math.isfinite(value):
            # URL §5.1.1.10.1 rule 2: the literal representation used in payloads.
            return json.dumps(value)
        return None
    if type_name in INTEGER_RANGES:
        lo, hi = INTEGER_RANGES[type_name]
        if isinstance(value, str):
            if not re.match(r"[+-]?\d+$", value):
                return None
            value = int(value)
        if isinstance(value, bool) or not is_num(value):
            return None
        if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
            return None
        i = int(value)
        return i if lo <= i <= hi else None
    if type_name == "Edm.DateTimeOffset":
        if isinstance(value, str):
            return parse_dto(value, need_offset=False)
        return value if isinstance(value, DTO) else None
    return None


# ---------------------------------------------------------------------------------------
# Query options
# ---------------------------------------------------------------------------------------


def split_top_level(text, sep):
    """Splits at `sep` outside parentheses and single-quoted strings."""
    parts, depth, quote, start = [], 0, False, 0
    i = 0
    while i < len(text):
        c = text[i]
        if quote:
            if c == "'":
                if text.startswith("''", i):
                    i += 2
                    continue
                quote = False
        elif c == "'":
            quote = True
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
        i += 1
    parts.append(text[start:])
    return parts


class Options:
    def __init__(self):
        self.filter = None
        self.orderby = []
        self.top = None
        self.skip = None
        self.count = False
        self.select = None
        self.expand = []
        self.compute = []
        self.search = None
        self.apply = None


def parse_options(pairs, aliases, nested):
    opts = Options()
    seen = set()
    for name, value in pairs:
        key = name.lower()
        if not key.startswith("$"):
            key = "$" + key
        if key in seen:
            raise ODataError("option %s given twice" % name)
        seen.add(key)
        if key == "$filter":
            opts.filter = Parser(value, aliases).parse_all()
            check_predicate(opts.filter, "$filter")
        elif key == "$orderby":
            for item in split_top_level(value, ","):
                item = item.strip(" ")
                direction = "asc"
                m = re.search(r"\s+(asc|desc)$", item, re.I)
                if m:
                    direction = m.group(1).lower()
                    item = item[:m.start()]
                e = Parser(item, aliases).parse_all()
                check_types(e)
                opts.orderby.append((e, direction))
        elif key in ("$top", "$skip"):
            if not re.match(r"\d+$", value):
                raise ODataError("%s must be a non-negative integer" % key)
            n = int(value)
            if n > INT64_MAX:
                raise ODataError("%s too large" % key)
            setattr(opts, key[1:], n)
        elif key == "$count":
            if value.lower() not in ("true", "false"):
                raise ODataError("$count must be true or false")
            opts.count = value.lower() == "true"
        elif key == "$select":
            opts.select = [s.strip() for s in split_top_level(value, ",")]
        elif key == "$expand":
            for item in split_top_level(value, ","):
                opts.expand.append(parse_expand_item(item.strip(), aliases))
        elif key == "$compute":
            for item in split_top_level(value, ","):
                m = re.match(r"(.*)\s+as\s+([A-Za-z_][A-Za-z0-9_]*)$", item.strip(), re.S)
                if not m:
                    raise ODataError("bad $compute item")
                e = Parser(m.group(1), aliases).parse_all()
                check_types(e)
                opts.compute.append((m.group(2), e))
        elif key == "$search":
            opts.search = parse_search(value)
        elif key == "$apply" and not nested:
            opts.apply = parse_apply(value, aliases)
        else:
            raise ODataError("unsupported option %s" % name)
    return opts


def parse_expand_item(text, aliases):
    m = re.match(r"([A-Za-z_][A-Za-z0-9_]*)(/\$count)?(?:\((.*)\))?$", text, re.S)
    if not m:
        raise ODataError("bad $expand item %r" % text)
    nested = []
    if m.group(3) is not None:
        for part in split_top_level(m.group(3), ";"):
            if "=" not in part:
                raise ODataError("bad nested option")
            k, v = part.split("=", 1)
            nested.append((k, v))
    opts = parse_options(nested, aliases, nested=True)
    return (m.group(1), bool(m.group(2)), opts)


# ----- $search (URL §5.1.8; default matcher: case-insensitive substring of string values)


def parse_search(text):
    tokens = re.findall(r'"(?:[^"\\]|\\.)*"|\(|\)|[^\s()"]+', text)
    pos = [0]

    def peek():
        return tokens[pos[0]] if pos[0] < len(tokens) else None

    def take():
        pos[0] += 1
        return tokens[pos[0] - 1]

    def or_expr():
        left = and_expr()
        while peek() == "OR":
            take()
            left = ("or", left, and_expr())
        return left

    def and_expr():
        left = not_expr()
        while peek() is not None and peek() not in (")", "OR"):
            if peek() == "AND":
                take()
            left = ("and", left, not_expr())
        return left

    def not_expr():
        if peek() == "NOT":
            take()
            return ("not", not_expr())
        tok = peek()
        if tok is None or tok == ")":
            raise ODataError("bad $search")
        take()
        if tok == "(":
            e = or_expr()
            if peek() != ")":
                raise ODataError("bad $search")
            take()
            return e
        if tok.startswith('"'):
            return ("term", re.sub(r"\\(.)", r"\1", tok[1:-1]))
        return ("term", tok)

    e = or_expr()
    if peek() is not None:
        raise ODataError("bad $search")
    return e


def string_leaves(value, out):
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, list):
        for v in value:
            string_leaves(v, out)
    elif isinstance(value, dict):
        for k, v in value.items():
            if "@" in k:
                continue
            string_leaves(v, out)


def search_matches(expr, item):
    leaves = []
    string_leaves(item, leaves)
    lowered = [s.lower() for s in leaves]

    def ev(e):
        if e[0] == "term":
            t = e[1].lower()
            return any(t in s for s in lowered)
        if e[0] == "not":
            return not ev(e[1])
        if e[0] == "and":
            return ev(e[1]) and ev(e[2])
        return ev(e[1]) or ev(e[2])

    return ev(expr)


# ----- $apply (Data Aggregation §3)


def parse_apply(text, aliases):
    steps = []
    for part in split_top_level(text, "/"):
        m = re.match(r"(filter|groupby|aggregate)\((.*)\)$", part.strip(), re.S)
        if not m:
            raise ODataError("unsupported transformation %r" % part)
        kind, body = m.group(1), m.group(2)
        if kind == "filter":
            e = Parser(body, aliases).parse_all()
            check_predicate(e, "filter")
            steps.append(("filter", e))
        elif kind == "aggregate":
            steps.append(("aggregate", parse_aggregates(body, aliases)))
        else:
            parts = split_top_level(body, ",")
            props = parts[0].strip()
            if not (props.startswith("(") and props.endswith(")")):
                raise ODataError("bad groupby")
            paths = [p.strip().split("/") for p in split_top_level(props[1:-1], ",")]
            aggs = None
            if len(parts) > 1:
                rest = ",".join(parts[1:]).strip()
                m2 = re.match(r"aggregate\((.*)\)$", rest, re.S)
                if not m2:
                    raise ODataError("unsupported groupby transformation")
                aggs = parse_aggregates(m2.group(1), aliases)
            steps.append(("groupby", paths, aggs))
    return steps


def parse_aggregates(body, aliases):
    out = []
    for item in split_top_level(body, ","):
        item = item.strip()
        m = re.match(r"\$count\s+as\s+([A-Za-z_]\w*)$", item)
        if m:
            out.append(("$count", None, m.group(1)))
            continue
        m = re.match(r"(.+?)\s+with\s+(sum|min|max|average|countdistinct)\s+as\s+([A-Za-z_]\w*)$", item)
        if not m:
            raise ODataError("bad aggregate %r" % item)
        e = Parser(m.group(1), aliases).parse_all()
        out.append((m.group(2), e, m.group(3)))
    return out


def aggregate_values(method, values):
    """Agg §3.1.3: nulls are skipped; sum/min/max/average of no values are null."""
    values = [v for v in values if v is not None]
    if method == "countdistinct":
        distinct = []
        for v in values:
            if not any(equals(v, d) and kind_of(v) == kind_of(d) for d in distinct):
                distinct.append(v)
        return len(distinct)
    if not values:
        return None
    if method in ("min", "max"):
        # The crate's choice: min/max use the $orderby total order.
        best = values[0]
        for v in values[1:]:
            c = order_compare(v, best)
            if c < 0 if method == "min" else c > 0:
                best = v
        return best
    if any(not is_num(v) for v in values):
        # Agg §3.1.3.1/.3.3: sum and average apply to numbers; the crate rejects others.
        raise ODataError("%s needs numbers" % method)
    nums = values
    if method == "sum":
        total = nums[0]
        for v in nums[1:]:
            total = arith("add", total, v)
        return total
    # average: the sum (added in order, as `add` would) over the count, as a double.
    total = nums[0]
    for v in nums[1:]:
        total = arith("add", total, v)
    if isinstance(total, float):
        return total / len(nums)
    return float(D(total) / D(len(nums)))


def apply_aggregates(aggs, rows, env_for):
    out = {}
    for method, e, alias in aggs:
        if method == "$count":
            out[alias] = len(rows)
        else:
            values = []
            for r in rows:
                if e[0] == "path" and e[1] == ("current",) and all(st[0] == "prop" for st in e[2]):
                    # Agg §3.1.3: a path through collections aggregates every related item.
                    values.extend(path_values(r, [st[1] for st in e[2]]))
                else:
                    values.append(evaluate(e, env_for(r)))
            out[alias] = aggregate_values(method, values)
    return out


def run_apply(steps, items, ctx):
    for step in steps:
        if step[0] == "filter":
            items = [r for r in items if evaluate(step[1], ctx.env(r)) is True]
        elif step[0] == "aggregate":
            items = [apply_aggregates(step[1], items, ctx.env)]
        else:
            paths, aggs = step[1], step[2]
            groups = []
            for r in items:
                key = [get_path(r, p) for p in paths]
                for g in groups:
                    if all(equals(a, b) and kind_of(a) == kind_of(b) for a, b in zip(g[0], key)):
                        g[1].append(r)
                        break
                else:
                    groups.append((key, [r]))
            out = []
            for key, rows in groups:
                row = {}
                for p, v in zip(paths, key):
                    set_path(row, p, v)
                if aggs:
                    row.update(apply_aggregates(aggs, rows, ctx.env))
                out.append(row)
            items = out
    return items


def path_values(value, names):
    if not names:
        return value if isinstance(value, list) else [value]
    if isinstance(value, list):
        out = []
        for m in value:
            out.extend(path_values(m, names))
        return out
    if isinstance(value, dict):
        return path_values(value.get(names[0]), names[1:])
    return [None]


def get_path(item, path):
    v = item
    for p in path:
        v = property_of(v, p)
    return v


def set_path(row, path, value):
    for p in path[:-1]:
        row = row.setdefault(p, {})
    row[path[-1]] = value


# ----- $orderby (Prot §11.2.6.2): nulls first ascending, stable; total order across types


TYPE_RANK = {"null": 0, "bool": 1, "num": 2, "str": 3, "DateV": 4, "DTO": 5, "TimeV": 6,
             "DurationV": 7, "GuidV": 8, "EnumV": 10, "list": 11, "Collection": 11, "dict": 12}


def order_compare(a, b):
    ka = "null" if a is None else kind_of(a)
    kb = "null" if b is None else kind_of(b)
    ra, rb = TYPE_RANK.get(ka, 13), TYPE_RANK.get(kb, 13)
    if ra != rb:
        return (ra > rb) - (ra < rb)
    if a is None:
        return 0
    if ka == "num":
        fa = isinstance(a, float) and math.isnan(a)
        fb = isinstance(b, float) and math.isnan(b)
        if fa or fb:
            return (fa > fb) - (fa < fb)  # NaN above INF
        return num_compare(a, b)
    if ka in ("list", "Collection"):
        for x, y in zip(a, b):
            c = order_compare(x, y)
            if c:
                return c
        return (len(a) > len(b)) - (len(a) < len(b))
    if ka == "dict":
        left, right = sorted(a.items()), sorted(b.items())
        for (k1, v1), (k2, v2) in zip(left, right):
            c = (k1 > k2) - (k1 < k2) or order_compare(v1, v2)
            if c:
                return c
        return (len(left) > len(right)) - (len(left) < len(right))
    if ka == "EnumV":
        return (a.flags > b.flags) - (a.flags < b.flags)
    c = compare(a, b)
    return c or 0


def canonical(v):
    return json.dumps(to_json(v), sort_keys=True)


def sort_items(items, keys):
    import functools

    def cmp(x, y):
        for (kx, ky), direction in zip(zip(x[0], y[0]), [d for _, d in keys]):
            c = order_compare(kx, ky)
            if c:
                return -c if direction == "desc" else c
        return (x[1] > y[1]) - (x[1] < y[1])

    return sorted(items, key=functools.cmp_to_key(cmp))


# ---------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------


def to_json(v):
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, int):
        return v if INT64_MIN <= v <= INT64_MAX else float(v)
    if isinstance(v, D):
        if v == v.to_integral_value() and abs(v) <= INT64_MAX:
            return float(v)
        return float(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "INF" if v > 0 else "-INF"
        return v
    if isinstance(v, (DTO, DateV, TimeV, DurationV, GuidV, EnumV)):
        return v.format()
    if isinstance(v, list):
        return [to_json(x) for x in v]
    if isinstance(v, dict):
        return {k: to_json(x) for k, x in v.items()}
    raise ODataError("cannot write %r" % (v,))


class Context:
    def __init__(self, now, aliases):
        self.now = now
        self.aliases = aliases
        self.it = None

    def env(self, item, it=None, computed=None):
        return Env(item, self.it if it is None else it, {}, computed or {}, self.now, self.aliases)


def computed_values(opts, item, ctx, it):
    computed = {}
    for name, e in opts.compute:
        computed[name] = evaluate(e, Env(item, it, {}, computed, ctx.now, ctx.aliases))
    return computed


def run_list(opts, items, ctx, it_of, nested):
    """$apply, $compute, $search, $filter, $count, $orderby, $skip, $top (Prot §11.2.1);
    returns (count or None, [(item, computed)])."""
    if opts.apply:
        saved = ctx.it
        ctx.it = None
        items = run_apply_with_it(opts.apply, items, ctx)
        ctx.it = saved
    rows = []
    for item in items:
        it = it_of(item)
        computed = computed_values(opts, item, ctx, it)
        rows.append((item, computed, it))
    if opts.search is not None:
        rows = [r for r in rows if search_matches(opts.search, r[0])]
    if opts.filter is not None:
        rows = [r for r in rows if evaluate(opts.filter, Env(r[0], r[2], {}, r[1], ctx.now, ctx.aliases)) is True]
    count = len(rows) if opts.count else None
    if opts.orderby:
        keyed = []
        for index, r in enumerate(rows):
            env = Env(r[0], r[2], {}, r[1], ctx.now, ctx.aliases)
            keyed.append(([evaluate(e, env) for e, _ in opts.orderby], index, r))
        rows = [k[2] for k in sort_items(keyed, opts.orderby)]
    if opts.skip:
        rows = rows[opts.skip:]
    if opts.top is not None:
        rows = rows[:opts.top]
    return count, rows


def run_apply_with_it(steps, items, ctx):
    class ApplyCtx:
        def env(self, item):
            return Env(item, item, {}, {}, ctx.now, ctx.aliases)

    return run_apply(steps, items, ApplyCtx())


def project(item, computed, opts, ctx, it):
    """$expand then $select (URL §5.1.3, §5.1.4) for one item."""
    if not isinstance(item, dict):
        return item
    if opts.select is None or "*" in opts.select:
        out = dict(item)
        out.update({k: to_json(v) for k, v in computed.items()})
        if opts.select:
            for s in opts.select:
                if s != "*":
                    select_path(out, item, computed, s)
    else:
        out = {k: v for k, v in item.items() if k.startswith("@")}
        for s in opts.select:
            select_path(out, item, computed, s)
    for name, count_only, nested in opts.expand:
        value = item.get(name)
        if count_only:
            if name in item:
                out.pop(name, None)
            if isinstance(value, list):
                _, rows = run_list(strip_paging(nested), value, ctx, lambda _m: it, True)
                out[name + "@odata.count"] = len(rows)
            else:
                out[name + "@odata.count"] = 0
            continue
        if isinstance(value, list):
            count, rows = run_list(nested, value, ctx, lambda _m: it, True)
            out[name] = [project(m, c, nested, ctx, it) for m, c, _ in rows]
            if count is not None:
                out[name + "@odata.count"] = count
        elif isinstance(value, dict):
            computed_inner = computed_values(nested, value, ctx, it)
            env = Env(value, it, {}, computed_inner, ctx.now, ctx.aliases)
            if nested.filter is not None and evaluate(nested.filter, env) is not True:
                out[name] = None
            else:
                out[name] = project(value, computed_inner, nested, ctx, it)
        else:
            if nested.count:
                out[name + "@odata.count"] = 0
            if name in item:
                out[name] = value
    return out


def strip_paging(opts):
    o = Options()
    o.filter, o.search, o.compute = opts.filter, opts.search, opts.compute
    return o


def select_path(out, item, computed, path):
    parts = path.split("/")
    if len(parts) == 1:
        name = parts[0]
        if name in computed:
            out[name] = to_json(computed[name])
        else:
            out[name] = item.get(name)
        return
    value = item.get(parts[0])
    if not isinstance(value, dict):
        out[parts[0]] = None if not isinstance(out.get(parts[0]), dict) else out[parts[0]]
        return
    target = out.get(parts[0])
    if not isinstance(target, dict):
        target = {k: v for k, v in value.items() if k.startswith("@")}
        out[parts[0]] = target
    select_path(target, value, {}, "/".join(parts[1:]))


def evaluate_query(query, document, now):
    pairs = []
    aliases_raw = {}
    for piece in query.split("&"):
        if not piece:
            continue
        name, _, value = piece.partition("=")
        name, value = urllib.parse.unquote(name), urllib.parse.unquote(value)
        if name.startswith("@"):
            if name[1:] in aliases_raw:
                raise ODataError("alias given twice")
            aliases_raw[name[1:]] = value
        else:
            pairs.append((name, value))
    aliases = {}
    for name, value in aliases_raw.items():
        aliases[name] = Parser(value, aliases).parse_all()
    ALIASES.clear()
    ALIASES.update(aliases)
    opts = parse_options(pairs, aliases, nested=False)
    ctx = Context(now, aliases)
    context = None
    if isinstance(document, list):
        items = document
    elif isinstance(document, dict) and isinstance(document.get("value"), list):
        items = document["value"]
        context = document.get("@odata.context")
    else:
        raise ODataError("input must be an array or an object with value")
    count, rows = run_list(opts, items, ctx, lambda item: item, False)
    response = {}
    if context is not None:
        response["@odata.context"] = context
    if count is not None:
        response["@odata.count"] = count
    response["value"] = [project(item, computed, opts, ctx, it) for item, computed, it in rows]
    return to_json(response)


def main(argv):
    query, path = argv[1], argv[2]
    now_text = "2026-06-01T12:00:00Z"
    if "--now" in argv:
        now_text = argv[argv.index("--now") + 1]
    now = parse_dto(now_text, need_offset=True)
    with open(path, "rb") as f:
        document = json.loads(f.read().decode("utf-8"))
    try:
        result = evaluate_query(query, document, now)
    except (ODataError, RecursionError) as e:
        sys.stderr.write(json.dumps({"error": {"code": "BadRequest", "message": str(e)}}) + "\n")
        return 1
    sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
