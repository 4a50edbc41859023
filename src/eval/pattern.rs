//! `matchesPattern` (URL §5.1.1.7.1): ECMAScript pattern syntax,
//! translated to the linear-time `regex` engine (feature `regex`, on by default).
//!
//! Semantic choices: `\d`, `\w`, `\b` are ASCII as in ECMAScript; `.` excludes the
//! ECMAScript line terminators; `\s` is the ECMAScript white-space set; `\uXXXX` surrogate
//! pairs combine into one character. Backreferences, lookahead and lookbehind cannot run
//! in linear time and are rejected with a clear error; so are lone surrogates. Characters
//! are Unicode scalar values.

// Without the `regex` feature `matchesPattern` is rejected at compile time, so the
// translator and the run-time path are unused there; they stay compiled to keep one code
// path.
#![cfg_attr(not(feature = "regex"), allow(dead_code, unused_variables))]

use crate::error::EvalError;
use crate::limits::{Limit, Limits};

use super::compile::Node;
use super::exec::{eval, Env, Runtime};
use super::value::Val;

/// A `matchesPattern` pattern: compiled once when it is a literal.
#[derive(Debug)]
pub(crate) enum Pattern {
    /// A constant pattern, compiled at plan time.
    #[cfg(feature = "regex")]
    Fixed(regex::Regex),
    /// A pattern computed per item.
    Dynamic(Node),
}

/// ECMAScript `\s`.
const SPACE_CLASS: &str =
    r"\t\n\x0B\x0C\r \xA0\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}";

impl Pattern {
    /// Compiles a constant pattern, or keeps the expression for run time.
    pub(crate) fn compile(node: Node, limits: &Limits) -> Result<Pattern, EvalError> {
        #[cfg(feature = "regex")]
        {
            if let Node::Const(Val::Str(text)) = &node {
                return build(text, limits).map(Pattern::Fixed);
            }
            Ok(Pattern::Dynamic(node))
        }
        #[cfg(not(feature = "regex"))]
        {
            let _ = (node, limits);
            Err(EvalError::NotSupported(
                "matchesPattern (the crate was built without the `regex` feature)".into(),
            ))
        }
    }

    /// Whether the subject matches: null for a null or non-string subject.
    pub(crate) fn matches<'a>(
        &'a self,
        subject: Val<'a>,
        env: &Env<'a, '_>,
        rt: &Runtime<'_>,
    ) -> Result<Val<'a>, EvalError> {
        let Val::Str(text) = subject else {
            return Ok(Val::Null);
        };
        match self {
            #[cfg(feature = "regex")]
            Pattern::Fixed(regex) => {
                rt.tick(text.len() as u64 / 64 + 1)?;
                Ok(Val::Bool(regex.is_match(&text)))
            }
            Pattern::Dynamic(node) => match eval(node, env, rt)? {
                Val::Str(pattern) => {
                    #[cfg(feature = "regex")]
                    {
                        let regex = build(&pattern, rt.limits)?;
                        rt.tick(text.len() as u64 / 64 + 1)?;
                        Ok(Val::Bool(regex.is_match(&text)))
                    }
                    #[cfg(not(feature = "regex"))]
                    {
                        let _ = pattern;
                        Err(EvalError::NotSupported("matchesPattern".into()))
                    }
                }
                _ => Ok(Val::Null),
            },
        }
    }
}

#[cfg(feature = "regex")]
fn build(pattern: &str, limits: &Limits) -> Result<regex::Regex, EvalError> {
    if pattern.len() > limits.max_regex_length {
        return Err(EvalError::LimitExceeded {
            limit: Limit::RegexLength,
            max: limits.max_regex_length,
        });
    }
    let translated = translate(pattern)?;
    regex::RegexBuilder::new(&translated)
        .size_limit(1 << 22)
        .dfa_size_limit(1 << 22)
        .build()
        .map_err(|e| {
            EvalError::Invalid(format!("matchesPattern: invalid pattern {pattern:?}: {e}"))
        })
}

#[cfg(not(feature = "regex"))]
#[allow(dead_code)] // Without the engine only the length check would run.
fn build(_: &str, _: &Limits) -> Result<(), EvalError> {
    let _ = Limit::RegexLength;
    Err(EvalError::NotSupported("matchesPattern".into()))
}

fn unsupported(what: &str) -> EvalError {
    EvalError::NotSupported(format!(
        "matchesPattern: {what} (the linear-time engine cannot run it)"
    ))
}

fn invalid(pattern: &str, what: &str) -> EvalError {
    EvalError::Invalid(format!("matchesPattern: {what} in {pattern:?}"))
}

/// A literal character in the target syntax (punctuation and spaces as `\x{..}` so that
/// nothing is read as syntax).
fn literal(c: char) -> String {
    if c.is_alphanumeric() || c == '_' {
        c.to_string()
    } else {
        format!("\\x{{{:X}}}", c as u32)
    }
}

/// One element of a character class.
enum ClassItem {
    Char(char),
    Dash,
    Set(String),
}

/// Translates an ECMAScript pattern to `regex` syntax.
pub(crate) fn translate(pattern: &str) -> Result<String, EvalError> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() * 2);
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        i += 1;
        match c {
            '\\' => {
                let (text, used) = escape(&chars, i, false, pattern)?;
                out.push_str(&text);
                i += used;
            }
            '.' => out.push_str(r"[^\n\r\x{2028}\x{2029}]"),
            '(' => {
                let rest: String = chars.get(i..).unwrap_or_default().iter().take(3).collect();
                if rest.starts_with("?=") || rest.starts_with("?!") {
                    return Err(unsupported("lookahead"));
                } else if rest.starts_with("?<=") || rest.starts_with("?<!") {
                    return Err(unsupported("lookbehind"));
                } else if rest.starts_with("?<") {
                    let name: String = chars
                        .get(i + 2..)
                        .unwrap_or_default()
                        .iter()
                        .take_while(|&&ch| ch != '>')
                        .collect();
                    if name.is_empty() || !name.chars().all(|ch| ch.is_alphanumeric() || ch == '_')
                    {
                        return Err(invalid(pattern, "an invalid group name"));
                    }
                    out.push_str(&format!("(?P<{name}>"));
                    i += 3 + name.chars().count();
                } else if rest.starts_with("?:") {
                    out.push_str("(?:");
                    i += 2;
                } else if rest.starts_with('?') {
                    return Err(invalid(pattern, "an invalid group"));
                } else {
                    out.push('(');
                }
            }
            ')' | '|' | '*' | '+' | '?' | '^' | '$' => out.push(c),
            '{' => {
                // A quantifier only when it has the form {n}, {n,} or {n,m}; else literal.
                let end = chars
                    .get(i..)
                    .and_then(|r| r.iter().position(|&x| x == '}'));
                let body: Option<String> = end.map(|e| chars[i..i + e].iter().collect());
                let is_quantifier = body.as_ref().is_some_and(|b| {
                    let (min, max) = b.split_once(',').unwrap_or((b, "0"));
                    !min.is_empty()
                        && min.chars().all(|d| d.is_ascii_digit())
                        && max.chars().all(|d| d.is_ascii_digit())
                });
                match (is_quantifier, body) {
                    (true, Some(body)) => {
                        out.push('{');
                        out.push_str(&body);
                        out.push('}');
                        i += body.chars().count() + 1;
                    }
                    _ => out.push_str(&literal('{')),
                }
            }
            '[' => {
                let (text, used) = class(&chars, i, pattern)?;
                out.push_str(&text);
                i += used;
            }
            other => out.push_str(&literal(other)),
        }
    }
    Ok(out)
}

/// Reads `\uXXXX` hex digits at `at`.
fn hex(chars: &[char], at: usize, count: usize) -> Option<u32> {
    let digits: String = chars.get(at..at + count)?.iter().collect();
    if digits.chars().all(|c| c.is_ascii_hexdigit()) {
        u32::from_str_radix(&digits, 16).ok()
    } else {
        None
    }
}

/// Translates the escape after a `\` at `at`; returns the text and how many characters
/// it used.
fn escape(
    chars: &[char],
    at: usize,
    in_class: bool,
    pattern: &str,
) -> Result<(String, usize), EvalError> {
    let Some(&c) = chars.get(at) else {
        return Err(invalid(pattern, "a trailing backslash"));
    };
    let set = |text: &str| {
        if in_class {
            text.to_string()
        } else {
            format!("[{text}]")
        }
    };
    Ok(match c {
        'd' => (set("0-9"), 1),
        'D' => ("[^0-9]".to_string(), 1),
        'w' => (set("A-Za-z0-9_"), 1),
        'W' => ("[^A-Za-z0-9_]".to_string(), 1),
        's' => (set(SPACE_CLASS), 1),
        'S' => (format!("[^{SPACE_CLASS}]"), 1),
        'b' if in_class => (literal('\u{8}'), 1),
        'b' => (r"(?-u:\b)".to_string(), 1),
        'B' => (r"(?-u:\B)".to_string(), 1),
        'n' => (literal('\n'), 1),
        'r' => (literal('\r'), 1),
        't' => (literal('\t'), 1),
        'f' => (literal('\u{c}'), 1),
        'v' => (literal('\u{b}'), 1),
        '0' if !chars.get(at + 1).is_some_and(char::is_ascii_digit) => (literal('\0'), 1),
        '0'..='9' => return Err(unsupported("backreferences")),
        'k' if chars.get(at + 1) == Some(&'<') => return Err(unsupported("backreferences")),
        'c' => match chars.get(at + 1) {
            Some(letter) if letter.is_ascii_alphabetic() => {
                let control = char::from_u32(*letter as u32 % 32).unwrap_or('\0');
                (literal(control), 2)
            }
            _ => (literal('\\') + "c", 1),
        },
        'x' => match hex(chars, at + 1, 2) {
            Some(code) => (literal(char::from_u32(code).unwrap_or('\0')), 3),
            None => ("x".to_string(), 1),
        },
        'u' => match hex(chars, at + 1, 4) {
            Some(high @ 0xD800..=0xDBFF) => {
                let low = (chars.get(at + 5) == Some(&'\\') && chars.get(at + 6) == Some(&'u'))
                    .then(|| hex(chars, at + 7, 4))
                    .flatten()
                    .filter(|low| (0xDC00..=0xDFFF).contains(low));
                match low {
                    Some(low) => {
                        let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                        (literal(char::from_u32(code).unwrap_or('\0')), 11)
                    }
                    None => return Err(unsupported("lone surrogates")),
                }
            }
            Some(0xDC00..=0xDFFF) => return Err(unsupported("lone surrogates")),
            Some(code) => (literal(char::from_u32(code).unwrap_or('\0')), 5),
            None => ("u".to_string(), 1),
        },
        // Identity escapes: the character itself.
        other => (literal(other), 1),
    })
}

/// Translates a character class starting after `[` at `at`.
fn class(chars: &[char], at: usize, pattern: &str) -> Result<(String, usize), EvalError> {
    let mut i = at;
    let negated = chars.get(i) == Some(&'^');
    if negated {
        i += 1;
    }
    let mut items = Vec::new();
    loop {
        let Some(&c) = chars.get(i) else {
            return Err(invalid(pattern, "an unclosed character class"));
        };
        i += 1;
        match c {
            ']' => break,
            '\\' => {
                let Some(&next) = chars.get(i) else {
                    return Err(invalid(pattern, "a trailing backslash"));
                };
                let (text, used) = escape(chars, i, true, pattern)?;
                i += used;
                if matches!(next, 'd' | 'D' | 'w' | 'W' | 's' | 'S') {
                    items.push(ClassItem::Set(text));
                } else {
                    // A single-character escape: recover the character so that it can be
                    // a range end (`[\x41-\x5A]`).
                    let single = match text.strip_prefix("\\x{").and_then(|t| t.strip_suffix('}')) {
                        Some(code) => u32::from_str_radix(code, 16).ok().and_then(char::from_u32),
                        None => text.chars().next(),
                    };
                    match single {
                        Some(c) => items.push(ClassItem::Char(c)),
                        None => items.push(ClassItem::Set(text)),
                    }
                }
            }
            '-' => items.push(ClassItem::Dash),
            other => items.push(ClassItem::Char(other)),
        }
    }
    let used = i - at;
    if items.is_empty() {
        // `[]` matches nothing, `[^]` matches any character.
        let text = if negated {
            r"[\x00-\x{10FFFF}]"
        } else {
            r"[^\x00-\x{10FFFF}]"
        };
        return Ok((text.to_string(), used));
    }
    let mut out = String::from(if negated { "[^" } else { "[" });
    let mut index = 0;
    while let Some(item) = items.get(index) {
        match (item, items.get(index + 1), items.get(index + 2)) {
            (ClassItem::Char(a), Some(ClassItem::Dash), Some(ClassItem::Char(b))) => {
                if a > b {
                    return Err(invalid(pattern, "a character range out of order"));
                }
                out.push_str(&format!("{}-{}", literal(*a), literal(*b)));
                index += 3;
                continue;
            }
            (ClassItem::Char(c), _, _) => out.push_str(&literal(*c)),
            (ClassItem::Dash, _, _) => out.push_str(&literal('-')),
            (ClassItem::Set(text), _, _) => out.push_str(text),
        }
        index += 1;
    }
    out.push(']');
    Ok((out, used))
}

#[cfg(all(test, feature = "regex"))]
mod tests {
    use super::*;

    fn matches(pattern: &str, text: &str) -> bool {
        build(pattern, &Limits::default()).unwrap().is_match(text)
    }

    #[test]
    fn ecmascript_patterns() {
        assert!(matches(r"^\d{3}-\d{4}$", "555-1234"));
        assert!(!matches(r"^\d+$", "١٢٣"));
        assert!(matches(r"^[a-c\-]+$", "a-b"));
        assert!(matches(r"a{", "a{"));
        assert!(matches(r"^.$", "😀"));
        assert!(!matches(r"^.$", "\n"));
        assert!(matches(r"\bfoo\b", "a foo b"));
        assert!(matches(r"^[^]$", "\n"));
        assert!(!matches(r"[]", "a"));
        assert!(matches(r"^\uD83D\uDE00$", "😀"));
        assert!(matches(r"^(?<year>\d{4})$", "2026"));
        assert!(matches(r"^[[]$", "["));
        assert!(matches(r"^a.c$", "a.c"));
        assert!(matches(r"^\.$", "."));
    }

    #[test]
    fn unsupported_constructs_are_rejected() {
        assert!(matches!(
            translate(r"(a)\1"),
            Err(EvalError::NotSupported(_))
        ));
        assert!(matches!(
            translate(r"a(?=b)"),
            Err(EvalError::NotSupported(_))
        ));
        assert!(matches!(
            translate(r"(?<!a)b"),
            Err(EvalError::NotSupported(_))
        ));
        assert!(translate("[a").is_err());
        let long = "a".repeat(2000);
        assert!(matches!(
            build(&long, &Limits::default()),
            Err(EvalError::LimitExceeded { .. })
        ));
    }
}
