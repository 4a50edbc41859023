//! The canonical (built-in) functions and their arities.

#[cfg(feature = "serde")]
use serde::Serialize;

/// A canonical (built-in) function. Names compare case-insensitively (4.01).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(Serialize))]
#[non_exhaustive]
pub enum Function {
    /// `concat(a,b)`: strings or collections.
    Concat,
    /// `contains(haystack,needle)`
    Contains,
    /// `endswith(s,suffix)`
    EndsWith,
    /// `indexof(s,needle)`
    IndexOf,
    /// `length(s)`
    Length,
    /// `matchesPattern(s,'regex')` (ECMAScript syntax).
    MatchesPattern,
    /// `startswith(s,prefix)`
    StartsWith,
    /// `substring(s,start[,length])`
    Substring,
    /// `tolower(s)`
    ToLower,
    /// `toupper(s)`
    ToUpper,
    /// `trim(s)`
    Trim,
    /// `year(d)`
    Year,
    /// `month(d)`
    Month,
    /// `day(d)`
    Day,
    /// `hour(t)`
    Hour,
    /// `minute(t)`
    Minute,
    /// `second(t)`
    Second,
    /// `fractionalseconds(t)`
    FractionalSeconds,
    /// `totalseconds(duration)`
    TotalSeconds,
    /// `date(dto)`
    Date,
    /// `time(dto)`
    Time,
    /// `totaloffsetminutes(dto)`
    TotalOffsetMinutes,
    /// `mindatetime()`
    MinDateTime,
    /// `maxdatetime()`
    MaxDateTime,
    /// `now()`
    Now,
    /// `round(n)`: half away from zero.
    Round,
    /// `floor(n)`
    Floor,
    /// `ceiling(n)`
    Ceiling,
    /// `geo.distance(a,b)`
    GeoDistance,
    /// `geo.length(a)`
    GeoLength,
    /// `geo.intersects(point,polygon)`
    GeoIntersects,
    /// `hassubset(a,b)`
    HasSubset,
    /// `hassubsequence(a,b)`
    HasSubsequence,
    /// `isdefined(path)` (aggregation extension).
    IsDefined,
}

impl Function {
    /// Every canonical function, for lookup tables and tests.
    pub const ALL: [Function; 34] = [
        Function::Concat,
        Function::Contains,
        Function::EndsWith,
        Function::IndexOf,
        Function::Length,
        Function::MatchesPattern,
        Function::StartsWith,
        Function::Substring,
        Function::ToLower,
        Function::ToUpper,
        Function::Trim,
        Function::Year,
        Function::Month,
        Function::Day,
        Function::Hour,
        Function::Minute,
        Function::Second,
        Function::FractionalSeconds,
        Function::TotalSeconds,
        Function::Date,
        Function::Time,
        Function::TotalOffsetMinutes,
        Function::MinDateTime,
        Function::MaxDateTime,
        Function::Now,
        Function::Round,
        Function::Floor,
        Function::Ceiling,
        Function::GeoDistance,
        Function::GeoLength,
        Function::GeoIntersects,
        Function::HasSubset,
        Function::HasSubsequence,
        Function::IsDefined,
    ];

    /// The canonical spelling.
    pub fn name(self) -> &'static str {
        match self {
            Function::Concat => "concat",
            Function::Contains => "contains",
            Function::EndsWith => "endswith",
            Function::IndexOf => "indexof",
            Function::Length => "length",
            Function::MatchesPattern => "matchesPattern",
            Function::StartsWith => "startswith",
            Function::Substring => "substring",
            Function::ToLower => "tolower",
            Function::ToUpper => "toupper",
            Function::Trim => "trim",
            Function::Year => "year",
            Function::Month => "month",
            Function::Day => "day",
            Function::Hour => "hour",
            Function::Minute => "minute",
            Function::Second => "second",
            Function::FractionalSeconds => "fractionalseconds",
            Function::TotalSeconds => "totalseconds",
            Function::Date => "date",
            Function::Time => "time",
            Function::TotalOffsetMinutes => "totaloffsetminutes",
            Function::MinDateTime => "mindatetime",
            Function::MaxDateTime => "maxdatetime",
            Function::Now => "now",
            Function::Round => "round",
            Function::Floor => "floor",
            Function::Ceiling => "ceiling",
            Function::GeoDistance => "geo.distance",
            Function::GeoLength => "geo.length",
            Function::GeoIntersects => "geo.intersects",
            Function::HasSubset => "hassubset",
            Function::HasSubsequence => "hassubsequence",
            Function::IsDefined => "isdefined",
        }
    }

    /// The function for a name, compared case-insensitively.
    pub fn from_name(name: &str) -> Option<Function> {
        Function::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(name))
    }

    /// The smallest and largest number of arguments.
    pub fn arity(self) -> (usize, usize) {
        match self {
            Function::MinDateTime | Function::MaxDateTime | Function::Now => (0, 0),
            Function::Length
            | Function::ToLower
            | Function::ToUpper
            | Function::Trim
            | Function::Year
            | Function::Month
            | Function::Day
            | Function::Hour
            | Function::Minute
            | Function::Second
            | Function::FractionalSeconds
            | Function::TotalSeconds
            | Function::Date
            | Function::Time
            | Function::TotalOffsetMinutes
            | Function::Round
            | Function::Floor
            | Function::Ceiling
            | Function::GeoLength
            | Function::IsDefined => (1, 1),
            Function::Substring => (2, 3),
            Function::Concat
            | Function::Contains
            | Function::EndsWith
            | Function::IndexOf
            | Function::MatchesPattern
            | Function::StartsWith
            | Function::GeoDistance
            | Function::GeoIntersects
            | Function::HasSubset
            | Function::HasSubsequence => (2, 2),
        }
    }
}
