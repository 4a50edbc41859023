//! [`ModelError`], the one error type of the model stage, with the [`Position`] of a
//! problem in the source text and the [`ReadOptions`] limits that bound reading.

use std::fmt;

/// Where a model came from, named in every [`ModelError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Source {
    /// A CSDL XML document (`$metadata`).
    CsdlXml,
    /// A CSDL JSON document.
    CsdlJson,
    /// A JSON sample given to [`Model::infer`](crate::model::Model::infer).
    Sample,
    /// A model built or changed in Rust and checked by
    /// [`Model::check`](crate::model::Model::check).
    Model,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Source::CsdlXml => "CSDL XML",
            Source::CsdlJson => "CSDL JSON",
            Source::Sample => "JSON sample",
            Source::Model => "model",
        })
    }
}

/// A place in a source text: 1-based line and column (the column counts characters), and
/// the 0-based byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Position {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, in characters from the start of the line.
    pub column: usize,
    /// 0-based byte offset into the input.
    pub offset: usize,
}

impl Position {
    /// The position of byte `offset` in `input` (clamped to the input; an offset inside a
    /// multi-byte character counts as that character).
    pub fn locate(input: &[u8], offset: usize) -> Position {
        let offset = offset.min(input.len());
        let before = &input[..offset];
        let line_start = before
            .iter()
            .rposition(|&byte| byte == b'\n')
            .map_or(0, |i| i + 1);
        let line = 1 + before.iter().filter(|&&byte| byte == b'\n').count();
        // Continuation bytes (0b10xx_xxxx) do not start a character.
        let column = 1 + before[line_start..]
            .iter()
            .filter(|&&byte| byte & 0xC0 != 0x80)
            .count();
        Position {
            line,
            column,
            offset,
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {} (byte {})",
            self.line, self.column, self.offset
        )
    }
}

/// Where in a document a semantic problem is: a text position (CSDL XML), or a member
/// path such as `microsoft.graph/uploadSession/size/$MaxLength` (CSDL JSON, whose reader
/// works on the parsed tree).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Location {
    /// A position in the text.
    Text(Position),
    /// A path of member names from the document root, `/`-separated.
    Path(Box<str>),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Text(position) => position.fmt(f),
            Location::Path(path) => write!(f, "member {path}"),
        }
    }
}

/// Which reading limit was exceeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ModelLimit {
    /// [`ReadOptions::max_input_bytes`]
    InputBytes,
    /// [`ReadOptions::max_depth`] (and `InferOptions::max_depth` for samples)
    Depth,
}

impl ModelLimit {
    /// The field name of the limit.
    pub fn name(self) -> &'static str {
        match self {
            ModelLimit::InputBytes => "max_input_bytes",
            ModelLimit::Depth => "max_depth",
        }
    }

    /// A short human description.
    pub fn describe(self) -> &'static str {
        match self {
            ModelLimit::InputBytes => "input size (bytes)",
            ModelLimit::Depth => "nesting depth",
        }
    }
}

impl fmt::Display for ModelLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Bounds on what the CSDL readers accept. Reading is linear in the input; memory is
/// proportional to it and stack depth to [`ReadOptions::max_depth`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReadOptions {
    /// Largest document, in bytes. Default 256 MiB (Microsoft Graph's `$metadata` is
    /// well under 64 MiB).
    pub max_input_bytes: usize,
    /// Deepest element (XML) or array/object (JSON) nesting. Real documents stay under 20;
    /// default 64. The JSON reader also stops at serde_json's own bound of 128.
    pub max_depth: usize,
}

impl Default for ReadOptions {
    fn default() -> ReadOptions {
        ReadOptions {
            max_input_bytes: 256 * 1024 * 1024,
            max_depth: 64,
        }
    }
}

/// An error while reading, inferring or checking a model.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// The input is not well-formed: not UTF-8, not XML, not JSON (`<Schema`, `{"a":`).
    #[error("{from}: {message} at {position}")]
    Syntax {
        /// What was being read.
        from: Source,
        /// Where reading stopped.
        position: Position,
        /// What was wrong.
        message: Box<str>,
    },
    /// The input is well-formed but not a CSDL document we can read: a missing required
    /// attribute or member, a value of the wrong form (`Nullable="maybe"`), a wrong root.
    #[error("{from}: {message} at {location}")]
    Invalid {
        /// What was being read.
        from: Source,
        /// Where the problem is.
        location: Location,
        /// What was wrong.
        message: Box<str>,
    },
    /// A limit of [`ReadOptions`] (or `InferOptions`) was exceeded.
    #[error("{from}: {} limit of {max} exceeded ({}){}", limit.describe(), limit.name(), at_position(position))]
    LimitExceeded {
        /// What was being read.
        from: Source,
        /// Which limit.
        limit: ModelLimit,
        /// Its configured value.
        max: usize,
        /// Where, when known.
        position: Option<Position>,
    },
    /// A sample that does not describe records (`42`, `[1, 2]`).
    #[error("{from}: {message}")]
    Sample {
        /// Always [`Source::Sample`].
        from: Source,
        /// What was wrong.
        message: Box<str>,
    },
    /// [`Model::check`](crate::model::Model::check): a name that does not resolve, such
    /// as an entity set whose entity type is not in the model.
    #[error("{from}: {message}")]
    Unresolved {
        /// Always [`Source::Model`].
        from: Source,
        /// What does not resolve, and where it is used.
        message: Box<str>,
    },
}

fn at_position(position: &Option<Position>) -> String {
    position.map_or(String::new(), |position| format!(" at {position}"))
}

impl ModelError {
    /// The text position of the error, when it has one.
    pub fn position(&self) -> Option<Position> {
        match self {
            ModelError::Syntax { position, .. } => Some(*position),
            ModelError::Invalid {
                location: Location::Text(position),
                ..
            } => Some(*position),
            ModelError::LimitExceeded { position, .. } => *position,
            _ => None,
        }
    }

    pub(crate) fn invalid(source: Source, location: Location, message: impl Into<String>) -> Self {
        ModelError::Invalid {
            from: source,
            location,
            message: message.into().into_boxed_str(),
        }
    }

    pub(crate) fn unresolved(message: impl Into<String>) -> Self {
        ModelError::Unresolved {
            from: Source::Model,
            message: message.into().into_boxed_str(),
        }
    }
}

/// The input as UTF-8 text, within the size limit; a leading byte-order mark is skipped.
pub(crate) fn utf8_input<'a>(
    source: Source,
    input: &'a [u8],
    options: &ReadOptions,
) -> Result<&'a str, ModelError> {
    if input.len() > options.max_input_bytes {
        return Err(ModelError::LimitExceeded {
            from: source,
            limit: ModelLimit::InputBytes,
            max: options.max_input_bytes,
            position: None,
        });
    }
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    std::str::from_utf8(input).map_err(|error| ModelError::Syntax {
        from: source,
        position: Position::locate(input, error.valid_up_to()),
        message: "invalid UTF-8".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_small_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<ModelError>();
        assert!(std::mem::size_of::<ModelError>() <= 72);
    }

    #[test]
    fn positions_count_lines_and_characters() {
        let text = "ab\ncé\nxyz".as_bytes();
        assert_eq!(
            Position::locate(text, 0),
            Position {
                line: 1,
                column: 1,
                offset: 0
            }
        );
        // 'x' is at byte 7: line 3, column 1.
        let x = Position::locate(text, 7);
        assert_eq!((x.line, x.column), (3, 1));
        // After "cé" (3 bytes): column 3.
        let after = Position::locate(text, 6);
        assert_eq!((after.line, after.column), (2, 3));
    }

    #[test]
    fn invalid_utf8_is_a_syntax_error_with_its_position() {
        let error =
            utf8_input(Source::CsdlXml, b"<a>\n\xff</a>", &ReadOptions::default()).unwrap_err();
        assert_eq!(
            error.position().map(|p| (p.line, p.column, p.offset)),
            Some((2, 1, 4))
        );
    }
}
