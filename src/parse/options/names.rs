//! The table of system option names, and which options each nested place allows.
//!
//! Names compare case-insensitively and the `$` is optional (URL §5.1), except for
//! `$skiptoken`, `$deltatoken` and the temporal options, which their ABNF only knows with
//! `$`. `$inlinecount` is an OData V2/V3 name, known only with [`ParseOptions::legacy`].
//!
//! [`ParseOptions::legacy`]: crate::ParseOptions::legacy

/// A system query option, whatever its spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OptionName {
    Apply,
    Compute,
    Search,
    Filter,
    Count,
    OrderBy,
    Skip,
    Top,
    Expand,
    Select,
    Levels,
    Format,
    Index,
    SchemaVersion,
    SkipToken,
    DeltaToken,
    Id,
    At,
    From,
    To,
    ToInclusive,
    /// `$inlinecount=allpages|none` (V2/V3): stored as `$count`.
    InlineCount,
}

impl OptionName {
    /// Every option name.
    pub(crate) const ALL: [OptionName; 22] = [
        OptionName::Apply,
        OptionName::Compute,
        OptionName::Search,
        OptionName::Filter,
        OptionName::Count,
        OptionName::OrderBy,
        OptionName::Skip,
        OptionName::Top,
        OptionName::Expand,
        OptionName::Select,
        OptionName::Levels,
        OptionName::Format,
        OptionName::Index,
        OptionName::SchemaVersion,
        OptionName::SkipToken,
        OptionName::DeltaToken,
        OptionName::Id,
        OptionName::At,
        OptionName::From,
        OptionName::To,
        OptionName::ToInclusive,
        OptionName::InlineCount,
    ];

    /// The canonical spelling, with `$`.
    pub(crate) fn canonical(self) -> &'static str {
        match self {
            OptionName::Apply => "$apply",
            OptionName::Compute => "$compute",
            OptionName::Search => "$search",
            OptionName::Filter => "$filter",
            OptionName::Count => "$count",
            OptionName::OrderBy => "$orderby",
            OptionName::Skip => "$skip",
            OptionName::Top => "$top",
            OptionName::Expand => "$expand",
            OptionName::Select => "$select",
            OptionName::Levels => "$levels",
            OptionName::Format => "$format",
            OptionName::Index => "$index",
            OptionName::SchemaVersion => "$schemaversion",
            OptionName::SkipToken => "$skiptoken",
            OptionName::DeltaToken => "$deltatoken",
            OptionName::Id => "$id",
            OptionName::At => "$at",
            OptionName::From => "$from",
            OptionName::To => "$to",
            OptionName::ToInclusive => "$toInclusive",
            OptionName::InlineCount => "$inlinecount",
        }
    }

    /// A bit of its own, for the set of options seen so far in one option list.
    pub(crate) fn bit(self) -> u32 {
        // `$inlinecount` stands for `$count`: both at once are a duplicate.
        let option = if self == OptionName::InlineCount {
            OptionName::Count
        } else {
            self
        };
        1 << (option as u32)
    }

    /// The system option a (decoded) name stands for: case-insensitive, `$` optional
    /// except for `$skiptoken`, `$deltatoken`, the temporal options and `$inlinecount`.
    /// `legacy` admits the V2/V3 name `$inlinecount`.
    pub(crate) fn lookup_with(name: &str, legacy: bool) -> Option<OptionName> {
        let (dollar, bare) = match name.strip_prefix('$') {
            Some(bare) => (true, bare),
            None => (false, name),
        };
        // Lower-case the name into a small buffer and match it: no search through the
        // table. No option name is longer than 13 letters.
        let mut buffer = [0u8; 13];
        let lower = buffer.get_mut(..bare.len())?;
        for (slot, byte) in lower.iter_mut().zip(bare.bytes()) {
            *slot = byte.to_ascii_lowercase();
        }
        let option = match &*lower {
            b"apply" => OptionName::Apply,
            b"compute" => OptionName::Compute,
            b"search" => OptionName::Search,
            b"filter" => OptionName::Filter,
            b"count" => OptionName::Count,
            b"orderby" => OptionName::OrderBy,
            b"skip" => OptionName::Skip,
            b"top" => OptionName::Top,
            b"expand" => OptionName::Expand,
            b"select" => OptionName::Select,
            b"levels" => OptionName::Levels,
            b"format" => OptionName::Format,
            b"index" => OptionName::Index,
            b"schemaversion" => OptionName::SchemaVersion,
            b"skiptoken" if dollar => OptionName::SkipToken,
            b"deltatoken" if dollar => OptionName::DeltaToken,
            b"id" => OptionName::Id,
            b"at" if dollar => OptionName::At,
            b"from" if dollar => OptionName::From,
            b"to" if dollar => OptionName::To,
            b"toinclusive" if dollar => OptionName::ToInclusive,
            b"inlinecount" if dollar && legacy => OptionName::InlineCount,
            _ => return None,
        };
        Some(option)
    }

    /// [`OptionName::lookup_with`] without the V2/V3 names.
    pub(crate) fn lookup(name: &str) -> Option<OptionName> {
        OptionName::lookup_with(name, false)
    }

    /// The closest system option name to a misspelled `$name`, for a did-you-mean.
    pub(crate) fn suggest(name: &str) -> Option<&'static str> {
        let bare = name.strip_prefix('$').unwrap_or(name);
        // V2/V3's `$inlinecount=allpages` is V4's `$count=true`.
        if bare.eq_ignore_ascii_case("inlinecount") {
            return Some(OptionName::Count.canonical());
        }
        let candidates = OptionName::ALL
            .into_iter()
            .filter(|option| *option != OptionName::InlineCount)
            .map(|option| &option.canonical()[1..]);
        super::super::suggest::closest(bare, candidates)
            .and_then(|found| OptionName::lookup(&format!("${found}")))
            .map(OptionName::canonical)
    }

    /// True for the options whose value is opaque text, kept as it is to its end: the
    /// tokens and `$id` (never nested, so no `;` or `)` ends them).
    pub(crate) fn is_opaque_text(self) -> bool {
        matches!(
            self,
            OptionName::SkipToken | OptionName::DeltaToken | OptionName::Id
        )
    }

    /// True when the option accepts an empty list value that means "absent" in default mode
    /// (`$select=`, as .NET's OData library reads it).
    pub(crate) fn empty_means_absent(self) -> bool {
        matches!(
            self,
            OptionName::Select
                | OptionName::Expand
                | OptionName::OrderBy
                | OptionName::Compute
                | OptionName::Apply
        )
    }
}

/// Where a nested option list stands; each place allows a different set of options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    /// `files($filter=...;...)` in `$expand`: `expandOption`, with `$levels`, aliases and
    /// the temporal options.
    Expand,
    /// `files/$ref(...)`: `$filter`, `$search`, `$orderby`, `$skip`, `$top`, `$count`.
    ExpandRef,
    /// `files/$count(...)` and `/$count(...)` in expressions: `$filter`, `$search`.
    Count,
    /// `addresses(...)` in `$select`: `selectOption`, with aliases.
    Select,
    /// `*(...)` in `$expand`: only `$levels`.
    Star,
}

impl Place {
    pub(crate) fn allows(self, option: OptionName) -> bool {
        use OptionName::*;
        let count = matches!(option, Filter | Search);
        let reference = count || matches!(option, OrderBy | Skip | Top | Count | InlineCount);
        let temporal = matches!(option, At | From | To | ToInclusive);
        match self {
            Place::Count => count,
            Place::ExpandRef => reference,
            Place::Expand => {
                reference
                    || temporal
                    || matches!(option, Select | Expand | Compute | Levels | Apply)
            }
            Place::Select => reference || matches!(option, Compute | Select),
            Place::Star => option == Levels,
        }
    }

    pub(crate) fn allows_aliases(self) -> bool {
        matches!(self, Place::Expand | Place::Select)
    }
}
