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
        // The length and the first letter pick the one name it can be (the second or
        // third letter where two share both); one case-insensitive comparison confirms it.
        let bytes = bare.as_bytes();
        let letter = |at: usize| bytes.get(at).map_or(0, |b| b.to_ascii_lowercase());
        use OptionName::*;
        let candidate = match (bytes.len(), letter(0)) {
            (2, b'a') if dollar => At,
            (2, b'i') => Id,
            (2, b't') if dollar => To,
            (3, b't') => Top,
            (4, b'f') if dollar => From,
            (4, b's') => Skip,
            (5, b'a') => Apply,
            (5, b'c') => Count,
            (5, b'i') => Index,
            (6, b'e') => Expand,
            (6, b'f') if letter(1) == b'i' => Filter,
            (6, b'f') => Format,
            (6, b'l') => Levels,
            (6, b's') if letter(2) == b'a' => Search,
            (6, b's') => Select,
            (7, b'c') => Compute,
            (7, b'o') => OrderBy,
            (9, b's') if dollar => SkipToken,
            (10, b'd') if dollar => DeltaToken,
            (11, b'i') if dollar && legacy => InlineCount,
            (11, b't') if dollar => ToInclusive,
            (13, b's') => SchemaVersion,
            _ => return None,
        };
        let name = &candidate.canonical().as_bytes()[1..];
        // Every byte of `name` is a letter, so `| 0x20` lower-cases both sides, and no
        // byte but a letter's two cases lower-cases to a lower-case letter.
        let same = name.len() == bytes.len()
            && name
                .iter()
                .zip(bytes)
                .all(|(&want, &have)| want | 0x20 == have | 0x20);
        same.then_some(candidate)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition: the names of the table, case-insensitively, with a `$` where the
    /// ABNF knows only that spelling, and `$inlinecount` only in legacy mode.
    fn by_the_table(name: &str, legacy: bool) -> Option<OptionName> {
        let (dollar, bare) = match name.strip_prefix('$') {
            Some(bare) => (true, bare),
            None => (false, name),
        };
        let needs_dollar = |option: OptionName| {
            use OptionName::*;
            matches!(
                option,
                SkipToken | DeltaToken | At | From | To | ToInclusive | InlineCount
            )
        };
        OptionName::ALL.into_iter().find(|&option| {
            option.canonical()[1..].eq_ignore_ascii_case(bare)
                && (dollar || !needs_dollar(option))
                && (legacy || option != OptionName::InlineCount)
        })
    }

    #[test]
    fn lookup_finds_what_the_table_says() {
        let mut names = vec![
            String::new(),
            "$".into(),
            "$$top".into(),
            "x".into(),
            "@p".into(),
            "top ".into(),
            "tóp".into(),
            "filtre".into(),
            "selekt".into(),
            "seerch".into(),
            "formax".into(),
            "fi".into(),
            "$callback".into(),
            "schemaversio".into(),
        ];
        for option in OptionName::ALL {
            let bare = &option.canonical()[1..];
            for spelling in [
                bare.to_owned(),
                bare.to_ascii_uppercase(),
                capitalised(bare),
            ] {
                // A near miss in every position (no name has a `q`), as well as the name.
                for at in 0..spelling.len() {
                    let mut near = spelling.clone().into_bytes();
                    near[at] = b'q';
                    let near = String::from_utf8(near).unwrap();
                    names.push(format!("${near}"));
                    names.push(near);
                }
                names.push(format!("${spelling}"));
                names.push(spelling);
            }
        }
        let mut found = 0;
        for name in &names {
            for legacy in [false, true] {
                let expected = by_the_table(name, legacy);
                assert_eq!(OptionName::lookup_with(name, legacy), expected, "{name:?}");
                found += usize::from(expected.is_some());
            }
        }
        // Every name in three spellings: with and without `$` in both modes, or only with
        // `$` (six names), or only with `$` in legacy mode (`$inlinecount`).
        assert_eq!(found, 3 * (15 * 2 * 2 + 6 * 2 + 1));
    }

    fn capitalised(name: &str) -> String {
        let mut chars = name.chars();
        chars.next().map_or(String::new(), |first| {
            first.to_ascii_uppercase().to_string() + chars.as_str()
        })
    }
}
