//! `matchesPattern` with a literal pattern (ECMAScript syntax, as the evaluator reads it).
//!
//! A pattern of plain characters with optional `^`/`$` anchors is a substring test that
//! both databases answer exactly (`abc`, `^abc`, `abc$`, `^abc$`). Other patterns are
//! translated, on PostgreSQL only, into an equivalent POSIX advanced expression for `~`:
//! whether a string has a match depends only on the language a pattern describes, not on
//! how an engine prefers among matches, so each construct is rewritten into one that
//! describes the same strings (`\d` as `[0-9]`, `.` as "not a line terminator", classes
//! with explicit members). Constructs outside that subset (backreferences, lookaround,
//! Unicode property escapes, flags) are a 501. The pattern is a bound parameter.

use super::error::{unsupported, SqlError};

/// What a literal pattern asks of the subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PatternTest {
    /// The subject contains `text`, starts with it, ends with it, or equals it.
    Substring {
        text: String,
        start: bool,
        end: bool,
    },
    /// A POSIX advanced regular expression with the same matches (PostgreSQL `~`).
    Posix(String),
}

/// ECMAScript's line terminators, which `.` does not match.
const LINE_TERMINATORS: &str = "\n\r\u{2028}\u{2029}";
/// ECMAScript's `\s`.
const SPACES: &str = "\t\n\u{b}\u{c}\r \u{a0}\u{1680}\u{2000}\u{2001}\u{2002}\u{2003}\u{2004}\
                      \u{2005}\u{2006}\u{2007}\u{2008}\u{2009}\u{200a}\u{2028}\u{2029}\u{202f}\
                      \u{205f}\u{3000}\u{feff}";

/// Reads a pattern.
pub(crate) fn analyze(pattern: &str) -> Result<PatternTest, SqlError> {
    if let Some(test) = plain(pattern) {
        return Ok(test);
    }
    Translator {
        chars: pattern.chars().collect(),
        at: 0,
        depth: 0,
    }
    .translate()
    .map(PatternTest::Posix)
}

/// `^abc$`-style patterns: plain characters (syntax characters escaped) and anchors.
fn plain(pattern: &str) -> Option<PatternTest> {
    let (start, rest) = match pattern.strip_prefix('^') {
        Some(rest) => (true, rest),
        None => (false, pattern),
    };
    let mut text = String::new();
    let mut end = false;
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '$' if chars.peek().is_none() => end = true,
            '\\' => {
                let escaped = chars.next()?;
                if !is_syntax(escaped) {
                    return None;
                }
                text.push(escaped);
            }
            c if is_syntax(c) => return None,
            c => text.push(c),
        }
    }
    Some(PatternTest::Substring { text, start, end })
}

/// ECMAScript syntax characters (and `/`, `-`), which `\` makes literal.
fn is_syntax(c: char) -> bool {
    "^$\\.*+?()[]{}|/-".contains(c)
}

/// A character as a literal in a POSIX advanced expression.
fn literal(c: char, out: &mut String) {
    if c.is_ascii_alphanumeric() || !c.is_ascii() && !c.is_control() {
        out.push(c);
    } else if c.is_ascii_graphic() || c == ' ' {
        out.push('\\');
        out.push(c);
    } else {
        // A control character inside a one-character bracket expression is literal.
        out.push('[');
        out.push(c);
        out.push(']');
    }
}

/// A character as a member of a bracket expression (`]`, `\`, `^`, `-`, `[` escaped).
fn member(c: char, out: &mut String) {
    if "]\\^-[".contains(c) {
        out.push('\\');
    }
    out.push(c);
}

struct Translator {
    chars: Vec<char>,
    at: usize,
    depth: usize,
}

impl Translator {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.at += 1;
        Some(c)
    }

    fn translate(mut self) -> Result<String, SqlError> {
        let out = self.alternatives()?;
        if self.at < self.chars.len() {
            return unsupported("matchesPattern with an unbalanced parenthesis");
        }
        Ok(out)
    }

    fn alternatives(&mut self) -> Result<String, SqlError> {
        let mut out = String::new();
        loop {
            while let Some(c) = self.peek() {
                if c == '|' || c == ')' {
                    break;
                }
                self.atom(&mut out)?;
                self.quantifier(&mut out)?;
            }
            match self.peek() {
                Some('|') => {
                    self.at += 1;
                    out.push('|');
                }
                _ => return Ok(out),
            }
        }
    }

    fn atom(&mut self, out: &mut String) -> Result<(), SqlError> {
        let Some(c) = self.next() else {
            return Ok(());
        };
        match c {
            '^' => out.push('^'),
            '$' => out.push('$'),
            '.' => {
                out.push_str("[^");
                out.push_str(LINE_TERMINATORS);
                out.push(']');
            }
            '(' => {
                if self.peek() == Some('?') {
                    if self.chars.get(self.at + 1) != Some(&':') {
                        return unsupported("matchesPattern with lookaround or flags");
                    }
                    self.at += 2;
                }
                self.depth += 1;
                if self.depth > 32 {
                    return unsupported("matchesPattern nested more than 32 groups deep");
                }
                out.push_str("(?:");
                out.push_str(&self.alternatives()?);
                if self.next() != Some(')') {
                    return unsupported("matchesPattern with an unbalanced parenthesis");
                }
                self.depth -= 1;
                out.push(')');
            }
            '[' => self.class(out)?,
            '\\' => self.escape(out)?,
            '*' | '+' | '?' | '{' | '}' | ')' | ']' => {
                return unsupported(format!("matchesPattern with a bare {c}"))
            }
            c => literal(c, out),
        }
        Ok(())
    }

    /// `*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`, each optionally lazy (which changes no
    /// match's existence).
    fn quantifier(&mut self, out: &mut String) -> Result<(), SqlError> {
        match self.peek() {
            Some(c @ ('*' | '+' | '?')) => {
                self.at += 1;
                out.push(c);
            }
            Some('{') => {
                let start = self.at;
                self.at += 1;
                let mut text = String::from("{");
                while let Some(c) = self.next() {
                    text.push(c);
                    if c == '}' {
                        break;
                    }
                    if !c.is_ascii_digit() && c != ',' {
                        self.at = start;
                        return unsupported("matchesPattern with a { that is not a quantifier");
                    }
                }
                let inner = &text[1..text.len().saturating_sub(1)];
                let valid = text.ends_with('}')
                    && !inner.is_empty()
                    && !inner.starts_with(',')
                    && inner.matches(',').count() <= 1
                    && inner.split(',').all(|n| n.len() <= 3);
                if !valid {
                    return unsupported("matchesPattern with a { that is not a quantifier");
                }
                out.push_str(&text);
            }
            _ => return Ok(()),
        }
        if self.peek() == Some('?') {
            self.at += 1;
        }
        if matches!(self.peek(), Some('*' | '+' | '?' | '{')) {
            return unsupported("matchesPattern with a repeated quantifier");
        }
        Ok(())
    }

    fn escape(&mut self, out: &mut String) -> Result<(), SqlError> {
        let Some(c) = self.next() else {
            return unsupported("matchesPattern ending in a backslash");
        };
        match c {
            'd' => out.push_str("[0-9]"),
            'D' => out.push_str("[^0-9]"),
            'w' => out.push_str("[A-Za-z0-9_]"),
            'W' => out.push_str("[^A-Za-z0-9_]"),
            's' | 'S' => {
                out.push_str(if c == 's' { "[" } else { "[^" });
                out.push_str(SPACES);
                out.push(']');
            }
            't' => literal('\t', out),
            'n' => literal('\n', out),
            'r' => literal('\r', out),
            'f' => literal('\u{c}', out),
            'v' => literal('\u{b}', out),
            c if is_syntax(c) => literal(c, out),
            _ => return unsupported(format!("matchesPattern with the escape \\{c}")),
        }
        Ok(())
    }

    fn class(&mut self, out: &mut String) -> Result<(), SqlError> {
        let negated = self.peek() == Some('^');
        if negated {
            self.at += 1;
        }
        let mut members = String::new();
        let mut previous: Option<char> = None;
        loop {
            let Some(c) = self.next() else {
                return unsupported("matchesPattern with an unclosed [");
            };
            let single = match c {
                ']' => break,
                '\\' => match self.next() {
                    Some('d') => {
                        members.push_str("0-9");
                        previous = None;
                        continue;
                    }
                    Some('w') => {
                        members.push_str("A-Za-z0-9_");
                        previous = None;
                        continue;
                    }
                    Some('s') => {
                        for space in SPACES.chars() {
                            member(space, &mut members);
                        }
                        previous = None;
                        continue;
                    }
                    Some('t') => '\t',
                    Some('n') => '\n',
                    Some('r') => '\r',
                    Some(c) if is_syntax(c) => c,
                    _ => return unsupported("matchesPattern with this escape in a class"),
                },
                '-' if previous.is_some() && self.peek().is_some_and(|n| n != ']') => {
                    let low = previous.take().unwrap_or('-');
                    let high = match self.next() {
                        Some('\\') => match self.next() {
                            Some(c) if is_syntax(c) => c,
                            _ => return unsupported("matchesPattern with this class range"),
                        },
                        Some(c) => c,
                        None => return unsupported("matchesPattern with an unclosed ["),
                    };
                    if high < low {
                        return unsupported("matchesPattern with a reversed class range");
                    }
                    members.push('-');
                    member(high, &mut members);
                    continue;
                }
                '[' => return unsupported("matchesPattern with [ inside a class"),
                c => c,
            };
            member(single, &mut members);
            previous = Some(single);
        }
        if members.is_empty() {
            return unsupported("matchesPattern with an empty class");
        }
        out.push('[');
        if negated {
            out.push('^');
        }
        out.push_str(&members);
        out.push(']');
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn substring(text: &str, start: bool, end: bool) -> PatternTest {
        PatternTest::Substring {
            text: text.into(),
            start,
            end,
        }
    }

    #[test]
    fn plain_patterns_are_substring_tests() {
        assert_eq!(analyze("^c").unwrap(), substring("c", true, false));
        assert_eq!(analyze("csv$").unwrap(), substring("csv", false, true));
        assert_eq!(analyze("^a\\.b$").unwrap(), substring("a.b", true, true));
        assert_eq!(analyze("").unwrap(), substring("", false, false));
    }

    #[test]
    fn other_patterns_become_posix_expressions() {
        let posix = |p: &str| match analyze(p).unwrap() {
            PatternTest::Posix(text) => text,
            other => panic!("{other:?}"),
        };
        assert_eq!(posix("\\d+"), "[0-9]+");
        assert_eq!(posix("^[A-Z]"), "^[A-Z]");
        assert_eq!(posix("a|b(c)*"), "a|b(?:c)*");
        assert_eq!(posix("x{2,3}?"), "x{2,3}");
        assert!(posix("o.k").starts_with("o[^"));
        for rejected in ["(?i)a", "(?=a)", "\\1", "a**", "[", "(a", "\\p{L}", "a{,2}"] {
            assert!(analyze(rejected).is_err(), "{rejected}");
        }
    }
}
