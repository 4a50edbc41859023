//! CSDL XML 4.01 (`$metadata`): reader ([`read()`]) and writer ([`write()`]), behind the
//! `csdl` feature.
//!
//! Reading is two passes: quick-xml's events build a small element tree (bounded by
//! [`ReadOptions::max_depth`], without recursion), then [`read()`] walks the tree. Elements
//! are matched by local name, so `edmx:` prefixes and default namespaces are both accepted
//! and namespace URIs are not checked; attributes with a prefix (`sap:label`) are skipped,
//! as are unknown elements and attributes.

mod read;
mod write;

pub(crate) use read::read;
pub(crate) use write::write;

use std::borrow::Cow;

use quick_xml::events::attributes::Attributes;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::error::{ModelError, ModelLimit, Position, ReadOptions, Source};

/// One element of the tree: local name, unprefixed attributes, child elements, and for
/// the elements in [`TEXT_ELEMENTS`] its text (character data, CDATA and references
/// concatenated).
#[derive(Debug)]
struct Element<'a> {
    name: &'a str,
    attributes: Vec<(&'a str, Cow<'a, str>)>,
    children: Vec<Element<'a>>,
    text: String,
    /// Byte offset of its `<`.
    start: usize,
    /// Byte offset after its end tag (or `/>`).
    end: usize,
}

fn syntax(input: &str, offset: u64, message: impl Into<String>) -> ModelError {
    let offset = usize::try_from(offset).unwrap_or(usize::MAX);
    ModelError::Syntax {
        from: Source::CsdlXml,
        position: Position::locate(input.as_bytes(), offset),
        message: message.into().into_boxed_str(),
    }
}

/// An element from its start tag: `offset` is where the reader stood before the tag and
/// `tag_end` the offset of its `>` (or of the `/>`). Names and attribute values borrow
/// from the input unless they hold references.
fn open_element<'a>(
    input: &'a str,
    start: &BytesStart<'_>,
    offset: usize,
    tag_end: usize,
) -> Result<Element<'a>, ModelError> {
    // The reader reports the position before any whitespace it skipped. Bytes, not a
    // `str` slice: that position need not be a character boundary (a second byte-order
    // mark, which the reader skips as well).
    let offset = input
        .as_bytes()
        .get(offset..)
        .and_then(|rest| rest.iter().position(|&b| b == b'<'))
        .map_or(offset, |found| offset + found);
    let name_length = start.name().as_ref().len();
    // The tag's text between `<` and `>`, sliced from the input (already UTF-8).
    let tag = input
        .get(offset + 1..tag_end)
        .filter(|tag| tag.as_bytes().get(..name_length) == Some(start.name().as_ref()))
        .ok_or_else(|| syntax(input, offset as u64, "a malformed start tag"))?;
    let qualified = &tag[..name_length];
    let name = qualified
        .rsplit_once(':')
        .map_or(qualified, |(_, local)| local);
    let mut attributes = Vec::new();
    for attribute in Attributes::new(tag, name_length) {
        let attribute = attribute.map_err(|e| syntax(input, offset as u64, e.to_string()))?;
        let key = std::str::from_utf8(attribute.key.into_inner())
            .map_err(|_| syntax(input, offset as u64, "invalid UTF-8 in a name"))?;
        if key.contains(':') || key == "xmlns" {
            continue;
        }
        let value = attribute
            .unescape_value()
            .map_err(|e| syntax(input, offset as u64, e.to_string()))?;
        attributes.push((key, value));
    }
    Ok(Element {
        name,
        attributes,
        children: Vec::new(),
        text: String::new(),
        start: offset,
        end: offset,
    })
}

/// Builds the element tree of a document.
fn parse_tree<'a>(input: &'a str, options: &ReadOptions) -> Result<Element<'a>, ModelError> {
    let mut reader = Reader::from_str(input);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let depth_error = |offset: usize| ModelError::LimitExceeded {
        from: Source::CsdlXml,
        limit: ModelLimit::Depth,
        max: options.max_depth,
        position: Some(Position::locate(input.as_bytes(), offset)),
    };
    loop {
        let before = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = reader
            .read_event()
            .map_err(|e| syntax(input, reader.error_position(), e.to_string()))?;
        let after = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let finished = match event {
            Event::Start(start) => {
                if stack.len() >= options.max_depth {
                    return Err(depth_error(before));
                }
                if root.is_some() {
                    return Err(syntax(input, before as u64, "a second root element"));
                }
                stack.push(open_element(
                    input,
                    &start,
                    before,
                    after.saturating_sub(1),
                )?);
                None
            }
            Event::Empty(start) => {
                if stack.len() >= options.max_depth {
                    return Err(depth_error(before));
                }
                let mut element = open_element(input, &start, before, after.saturating_sub(2))?;
                element.end = after;
                Some(element)
            }
            Event::End(_) => {
                let Some(mut element) = stack.pop() else {
                    return Err(syntax(
                        input,
                        before as u64,
                        "an end tag without a start tag",
                    ));
                };
                element.end = after;
                Some(element)
            }
            Event::Text(text) => {
                let text = text
                    .decode()
                    .map_err(|e| syntax(input, before as u64, e.to_string()))?;
                append_text(&mut stack, &text, input, before)?;
                None
            }
            Event::CData(data) => {
                let text = data
                    .decode()
                    .map_err(|e| syntax(input, before as u64, e.to_string()))?;
                append_text(&mut stack, &text, input, before)?;
                None
            }
            Event::GeneralRef(reference) => {
                let resolved = match reference
                    .resolve_char_ref()
                    .map_err(|e| syntax(input, before as u64, e.to_string()))?
                {
                    Some(character) => character.to_string(),
                    None => {
                        let name = reference
                            .decode()
                            .map_err(|e| syntax(input, before as u64, e.to_string()))?;
                        quick_xml::escape::resolve_predefined_entity(&name)
                            .ok_or_else(|| {
                                syntax(input, before as u64, format!("unknown entity &{name};"))
                            })?
                            .to_owned()
                    }
                };
                append_text(&mut stack, &resolved, input, before)?;
                None
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => None,
        };
        if let Some(element) = finished {
            match stack.last_mut() {
                Some(parent) => parent.children.push(element),
                None if root.is_none() => root = Some(element),
                None => return Err(syntax(input, before as u64, "a second root element")),
            }
        }
    }
    if let Some(open) = stack.last() {
        return Err(syntax(
            input,
            input.len() as u64,
            format!("the element <{}> is not closed", open.name),
        ));
    }
    root.ok_or_else(|| syntax(input, 0, "no root element"))
}

/// The elements whose text the reader uses: constant and path expressions. Other elements'
/// text (the indentation between child elements) is not kept.
const TEXT_ELEMENTS: [&str; 17] = [
    "String",
    "Bool",
    "Int",
    "Decimal",
    "Float",
    "Binary",
    "Date",
    "DateTimeOffset",
    "Duration",
    "EnumMember",
    "Guid",
    "TimeOfDay",
    "Path",
    "PropertyPath",
    "NavigationPropertyPath",
    "AnnotationPath",
    "ModelElementPath",
];

fn append_text(
    stack: &mut [Element],
    text: &str,
    input: &str,
    offset: usize,
) -> Result<(), ModelError> {
    match stack.last_mut() {
        Some(element) => {
            if TEXT_ELEMENTS.contains(&element.name) {
                element.text.push_str(text);
            }
            Ok(())
        }
        None if text.trim().is_empty() => Ok(()),
        None => Err(syntax(
            input,
            offset as u64,
            "text outside the root element",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tree_keeps_text_offsets_and_local_names() {
        let input = "<?xml version=\"1.0\"?>\n<edmx:Edmx a=\"1\" sap:b=\"2\"><String>t&amp;<![CDATA[<c>]]></String><y/></edmx:Edmx>";
        let root = parse_tree(input, &ReadOptions::default()).unwrap();
        assert_eq!(root.name, "Edmx");
        assert_eq!(root.attributes, vec![("a", Cow::Borrowed("1"))]);
        assert_eq!(root.children[0].text, "t&<c>");
        let y = &root.children[1];
        assert_eq!(&input[y.start..y.end], "<y/>");
        let x = &root.children[0];
        assert_eq!(
            &input[x.start..x.end],
            "<String>t&amp;<![CDATA[<c>]]></String>"
        );
    }

    #[test]
    fn malformed_documents_are_syntax_errors() {
        for input in [
            "<a>",
            "<a></b>",
            "<a b=1/>",
            "<a/><b/>",
            "text",
            "<a>&bogus;</a>",
            "",
        ] {
            let error = parse_tree(input, &ReadOptions::default()).unwrap_err();
            assert!(
                matches!(error, ModelError::Syntax { .. }),
                "{input:?}: {error}"
            );
        }
    }

    #[test]
    fn depth_is_limited() {
        let options = ReadOptions {
            max_depth: 4,
            ..ReadOptions::default()
        };
        assert!(parse_tree("<a><a><a><a/></a></a></a>", &options).is_ok());
        let error = parse_tree("<a><a><a><a><a/></a></a></a></a>", &options).unwrap_err();
        assert!(error.to_string().contains("max_depth"), "{error}");
    }
}
