//! Typed SQL fragments: what an OData expression becomes, with the type and nullability
//! that decide which form a comparison takes.

/// The OData type class of a translated value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// The `null` literal.
    Null,
    /// `Edm.Boolean`.
    Boolean,
    /// The integer types.
    Integer,
    /// `Edm.Double`, `Edm.Single`, `Edm.Decimal` (stored as doubles).
    Double,
    /// `Edm.String` (and enum members, stored as their names).
    String,
    /// `Edm.Guid` (stored as text; compared case-insensitively).
    Guid,
    /// `Edm.Date` (stored as `YYYY-MM-DD` text, which sorts as dates do).
    Date,
    /// `Edm.DateTimeOffset`: the text is `sql`, the instant is [`Operand::instant`].
    DateTimeOffset,
    /// A primitive stored as text this translation does not compare (`TimeOfDay`,
    /// `Duration`, `Binary`).
    OtherText,
    /// A computed or literal `Edm.TimeOfDay`: its canonical text (`10:00:00.5`), which
    /// compares in code-point order as the times do.
    TimeOfDay,
    /// A computed or literal `Edm.Duration`: its nanoseconds, an integer.
    Duration,
    /// A complex value (flattened); `sql` is its presence flag.
    Complex,
    /// A JSON-mapped value; `sql` is the column.
    Json,
}

impl Kind {
    pub(crate) fn is_numeric(self) -> bool {
        matches!(self, Kind::Integer | Kind::Double)
    }

    /// The name used in error messages.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Kind::Null => "null",
            Kind::Boolean => "Edm.Boolean",
            Kind::Integer => "an integer",
            Kind::Double => "a double",
            Kind::String => "Edm.String",
            Kind::Guid => "Edm.Guid",
            Kind::Date => "Edm.Date",
            Kind::DateTimeOffset => "Edm.DateTimeOffset",
            Kind::OtherText => "a temporal or binary value",
            Kind::TimeOfDay => "Edm.TimeOfDay",
            Kind::Duration => "Edm.Duration",
            Kind::Complex => "a complex value",
            Kind::Json => "a JSON-mapped value",
        }
    }
}

/// A translated value expression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Operand {
    /// The SQL text: the value, null exactly when the OData value is null.
    pub(crate) sql: String,
    /// Its type class.
    pub(crate) kind: Kind,
    /// Whether it may be null.
    pub(crate) nullable: bool,
    /// Whether it reads no column (literals, aliases, `now()`): two constants of unrelated
    /// types are a type error, as in the evaluator.
    pub(crate) constant: bool,
    /// For a DateTimeOffset, the instant (UTC text) it compares and sorts by.
    pub(crate) instant: Option<String>,
    /// Whether it may be NaN: a computed double (PostgreSQL has NaN, and orders it above
    /// every number, where the evaluator's comparisons with NaN are false).
    pub(crate) nan: bool,
    /// For integer arithmetic on PostgreSQL (computed exactly in `numeric`), the same
    /// value in `bigint` arithmetic, which cannot overflow while its guard holds.
    pub(crate) fast: Option<Box<FastInteger>>,
}

/// Integer arithmetic in `bigint`, valid under a guard: each integer leaf it reads lies
/// within ±[`FastInteger::LEAF_BOUND`], and under that assumption every intermediate
/// value lies within `range`, inside `bigint`. PostgreSQL's `numeric` arithmetic (exact
/// past 64 bits, as the evaluator is) costs several times `bigint`'s; a comparison of
/// such values reads `CASE WHEN guard THEN <bigint form> ELSE <numeric form> END`, which
/// gives the same answer on every row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FastInteger {
    /// The `bigint` expression.
    pub(crate) sql: String,
    /// The leaves the guard bounds (each once).
    pub(crate) leaves: Vec<String>,
    /// The interval every intermediate value lies in while the guard holds.
    pub(crate) range: (i128, i128),
}

impl FastInteger {
    /// The bound the guard puts on each leaf: 2^31, so that a product of two leaves
    /// (with small literals) stays inside `bigint`.
    pub(crate) const LEAF_BOUND: i128 = 1 << 31;

    /// A literal integer: no guard.
    pub(crate) fn literal(sql: &str, value: i64) -> FastInteger {
        FastInteger {
            sql: sql.to_owned(),
            leaves: Vec::new(),
            range: (i128::from(value), i128::from(value)),
        }
    }

    /// An integer read from the data (a column, a function of it): guarded.
    pub(crate) fn leaf(sql: &str) -> FastInteger {
        FastInteger {
            sql: sql.to_owned(),
            leaves: vec![sql.to_owned()],
            range: (-Self::LEAF_BOUND, Self::LEAF_BOUND),
        }
    }

    /// `left op right` (`+`, `-` or `*`) when every value it computes fits `bigint` under
    /// the guard.
    pub(crate) fn combine(
        op: char,
        left: &FastInteger,
        right: &FastInteger,
    ) -> Option<FastInteger> {
        let (a, b) = (left.range, right.range);
        let range = match op {
            '+' => (a.0.checked_add(b.0)?, a.1.checked_add(b.1)?),
            '-' => (a.0.checked_sub(b.1)?, a.1.checked_sub(b.0)?),
            '*' => {
                let products = [
                    a.0.checked_mul(b.0)?,
                    a.0.checked_mul(b.1)?,
                    a.1.checked_mul(b.0)?,
                    a.1.checked_mul(b.1)?,
                ];
                (*products.iter().min()?, *products.iter().max()?)
            }
            _ => return None,
        };
        if range.0 < i128::from(i64::MIN) || range.1 > i128::from(i64::MAX) {
            return None;
        }
        let mut leaves = left.leaves.clone();
        FastInteger::add_leaves(&mut leaves, &right.leaves);
        Some(FastInteger {
            sql: format!("({} {op} {})", left.sql, right.sql),
            leaves,
            range,
        })
    }

    /// Adds the leaves of `more` that `leaves` lacks.
    pub(crate) fn add_leaves(leaves: &mut Vec<String>, more: &[String]) {
        for leaf in more {
            if !leaves.contains(leaf) {
                leaves.push(leaf.clone());
            }
        }
    }

    /// `- self`, when its negation fits `bigint` under the guard.
    pub(crate) fn negate(&self) -> Option<FastInteger> {
        let range = (self.range.1.checked_neg()?, self.range.0.checked_neg()?);
        if range.0 < i128::from(i64::MIN) || range.1 > i128::from(i64::MAX) {
            return None;
        }
        Some(FastInteger {
            sql: format!("(- {})", self.sql),
            leaves: self.leaves.clone(),
            range,
        })
    }

    /// The guard: every leaf within the bound (null when a leaf is null, which takes the
    /// exact form).
    pub(crate) fn guard(leaves: &[String]) -> String {
        let bound = Self::LEAF_BOUND;
        let tests: Vec<String> = leaves
            .iter()
            .map(|leaf| format!("{leaf} BETWEEN -{bound} AND {bound}"))
            .collect();
        tests.join(" AND ")
    }
}

impl Operand {
    pub(crate) fn new(sql: impl Into<String>, kind: Kind, nullable: bool) -> Operand {
        Operand {
            sql: sql.into(),
            kind,
            nullable,
            constant: false,
            instant: None,
            nan: false,
            fast: None,
        }
    }

    pub(crate) fn constant(sql: impl Into<String>, kind: Kind) -> Operand {
        Operand {
            constant: true,
            ..Operand::new(sql, kind, false)
        }
    }

    pub(crate) fn null() -> Operand {
        Operand {
            constant: true,
            ..Operand::new("NULL", Kind::Null, true)
        }
    }

    /// The expression comparisons and `ORDER BY` use: the instant of a DateTimeOffset,
    /// else the value.
    pub(crate) fn comparable(&self) -> &str {
        self.instant.as_deref().unwrap_or(&self.sql)
    }
}

/// A Boolean leaf of a predicate: its SQL, and whether that SQL is the exact three-valued
/// OData value or only true exactly when OData's value is true (null where OData says false).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Leaf {
    pub(crate) sql: String,
    pub(crate) exact: bool,
}

impl Leaf {
    /// True exactly when the OData value is true.
    pub(crate) fn truth(&self) -> String {
        self.sql.clone()
    }

    /// True exactly when the OData value is false: an exact leaf negates as SQL does (null
    /// stays null); a truth-only leaf is two-valued in OData, so "not true" is false.
    pub(crate) fn falsity(&self) -> String {
        if self.exact {
            format!("(NOT {})", self.sql)
        } else {
            format!("(NOT COALESCE({}, FALSE))", self.sql)
        }
    }

    /// The exact three-valued value (for value positions: `$compute`, `$select`,
    /// comparisons of Booleans).
    pub(crate) fn value(&self) -> String {
        if self.exact {
            self.sql.clone()
        } else {
            format!("COALESCE({}, FALSE)", self.sql)
        }
    }
}
