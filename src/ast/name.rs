//! [`Name`]: the text of a name or of a literal in the tree, a slice of a shared string.
//!
//! A query names the same few properties again and again, and a `String` per name is one
//! heap allocation to parse and one to free, which is most of what a path costs. The parser
//! instead keeps one shared copy of an option's text and makes every name a slice of it:
//! one allocation per option, however many names it has. Literal text (strings, numbers
//! kept as text, temporal values) is sliced the same way whenever it is written as the
//! tree keeps it. Reading a name is a bounds check.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt::{self, Debug, Display, Formatter};
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::Arc;

/// An owned, immutable string for names and literal text: `as_str`, `Deref<Target = str>`,
/// comparisons with `str` and `String`, and `From` both ways. It is a slice of a shared
/// string (the parser's copy of the text it read, or its own), as large as a `String`;
/// cloning it shares the text.
#[derive(Clone)]
pub struct Name {
    // `text[start..start + len]`, or `text[start..]` when `len` is `TO_THE_END`.
    text: Arc<str>,
    start: u32,
    len: u32,
}

const TO_THE_END: u32 = u32::MAX;

impl Name {
    /// A name with the text `text`, in a string of its own.
    pub fn new(text: &str) -> Name {
        Name::whole(Arc::from(text))
    }

    /// All of `text`.
    fn whole(text: Arc<str>) -> Name {
        // Past 4 GiB (no name gets through the parser's limits that long), `len` is the
        // mark for "to the end".
        let len = u32::try_from(text.len()).unwrap_or(TO_THE_END);
        Name {
            text,
            start: 0,
            len,
        }
    }

    /// The name `text[range]`, sharing `text`; `None` when the range is not one of `text`'s
    /// slices (out of bounds, or not on character boundaries).
    pub(crate) fn slice_of(text: &Arc<str>, start: usize, len: usize) -> Option<Name> {
        text.get(start..start.checked_add(len)?)?;
        Some(Name {
            text: Arc::clone(text),
            start: u32::try_from(start).ok()?,
            len: u32::try_from(len).ok().filter(|&len| len != TO_THE_END)?,
        })
    }

    /// True when both names are slices of one string (a test of the parser's sharing).
    #[cfg(test)]
    pub(crate) fn shares_text_with(&self, other: &Name) -> bool {
        Arc::ptr_eq(&self.text, &other.text)
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        let start = self.start as usize;
        let end = match self.len {
            TO_THE_END => self.text.len(),
            len => start + len as usize,
        };
        // The range was checked when the name was made; `get` keeps a mistake from
        // panicking.
        self.text.get(start..end).unwrap_or_default()
    }
}

impl Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for Name {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl Default for Name {
    fn default() -> Name {
        Name::new("")
    }
}

impl From<&str> for Name {
    fn from(text: &str) -> Name {
        Name::new(text)
    }
}

impl From<String> for Name {
    fn from(text: String) -> Name {
        Name::whole(Arc::from(text))
    }
}

impl From<&String> for Name {
    fn from(text: &String) -> Name {
        Name::new(text)
    }
}

impl From<Name> for String {
    fn from(name: Name) -> String {
        name.as_str().to_owned()
    }
}

impl Display for Name {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        Display::fmt(self.as_str(), f)
    }
}

impl Debug for Name {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq for Name {
    fn eq(&self, other: &Name) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Name {}

impl PartialOrd for Name {
    fn partial_cmp(&self, other: &Name) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Name {
    fn cmp(&self, other: &Name) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for Name {
    // As a `str` hashes, so that `Borrow<str>` lookups in hash maps find it.
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Name {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<Name> for str {
    fn eq(&self, other: &Name) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<Name> for &str {
    fn eq(&self, other: &Name) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<Name> for String {
    fn eq(&self, other: &Name) -> bool {
        self == other.as_str()
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Name {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Name;
    use std::sync::Arc;

    #[test]
    fn names_keep_their_text() {
        let long = "a".repeat(100);
        for text in ["", "a", "createdDateTime", "ÄÖÜ€𝄞", &long] {
            let name = Name::from(text);
            assert_eq!(name.as_str(), text);
            assert_eq!(Name::from(text.to_owned()), name);
            assert_eq!(String::from(name.clone()), text);
            assert_eq!(format!("{name:?}"), format!("{text:?}"));
        }
        assert_eq!(std::mem::size_of::<Name>(), std::mem::size_of::<String>());
    }

    #[test]
    fn slices_share_their_text_and_stay_on_boundaries() {
        let text: Arc<str> = Arc::from("size gt 1 and €x");
        let size = Name::slice_of(&text, 0, 4).unwrap();
        assert_eq!(size, "size");
        let euro = Name::slice_of(&text, 14, 4).unwrap();
        assert_eq!(euro, "€x");
        assert_eq!(Arc::strong_count(&text), 3);
        assert!(
            Name::slice_of(&text, 15, 1).is_none(),
            "inside the euro sign"
        );
        assert!(Name::slice_of(&text, 10, 100).is_none());
        assert!(Name::slice_of(&text, usize::MAX, 2).is_none());
        drop((size, euro));
        assert_eq!(Arc::strong_count(&text), 1);
    }

    #[test]
    fn names_order_and_hash_as_their_text() {
        use std::collections::HashSet;
        let mut names = vec![Name::from("b"), Name::from("a"), Name::from("a".repeat(30))];
        names.sort();
        let texts: Vec<&str> = names.iter().map(Name::as_str).collect();
        assert_eq!(texts, ["a", &"a".repeat(30), "b"]);
        let set: HashSet<Name> = names.into_iter().collect();
        assert!(set.contains("b"));
    }
}
