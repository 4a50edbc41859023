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
}

impl Operand {
    pub(crate) fn new(sql: impl Into<String>, kind: Kind, nullable: bool) -> Operand {
        Operand {
            sql: sql.into(),
            kind,
            nullable,
            constant: false,
            instant: None,
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
