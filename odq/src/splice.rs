//! Splicing several inputs into one JSON array: the records of each input (the lines of
//! JSON Lines; the items of a document's top-level array or `value` array; or the
//! document itself when it is one entity) are copied byte for byte, separated by commas.
//!
//! The splicer does not validate JSON (the library does, on the spliced stream); it only
//! follows strings and brackets to find records. A [`SourceMap`] remembers where recent
//! spliced bytes came from, so that the library's error positions can be given back in
//! terms of the input file, line and column.

use std::collections::VecDeque;
use std::io::{self, Read};
use std::ops::Range;
use std::sync::{Arc, Mutex};

use odata_query::error::JsonPosition;
use odata_query::EvalError;

/// One input to splice.
pub(crate) struct SpliceInput {
    pub(crate) name: String,
    /// Bytes already read from the input (they come first).
    pub(crate) head: Vec<u8>,
    pub(crate) rest: Box<dyn Read + Send>,
    /// One record per line.
    pub(crate) lines: bool,
}

/// A run of spliced bytes copied from one place of one input, within one line of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Segment {
    /// Offset in the spliced stream.
    out_start: u64,
    len: u64,
    input: usize,
    /// Where the run starts in the input.
    at: Place,
}

/// A place in an input: 0-based byte, 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Place {
    byte: u64,
    line: u64,
    column: u64,
}

impl Place {
    const START: Place = Place {
        byte: 0,
        line: 1,
        column: 1,
    };

    fn plus(self, bytes: usize) -> Place {
        Place {
            byte: self.byte + bytes as u64,
            column: self.column + bytes as u64,
            ..self
        }
    }
}

/// Maps positions of the spliced stream back to the inputs. Only recent segments are kept:
/// the library reports errors close to where it is reading.
#[derive(Debug, Default)]
pub(crate) struct SourceMap {
    names: Vec<String>,
    segments: VecDeque<Segment>,
}

/// How many segments are kept (more than the library's read-ahead can span).
const MAP_SEGMENTS: usize = 1 << 18;

impl SourceMap {
    fn push(&mut self, segment: Segment) {
        if let Some(last) = self.segments.back_mut() {
            if last.input == segment.input
                && last.at.line == segment.at.line
                && last.out_start + last.len == segment.out_start
                && last.at.byte + last.len == segment.at.byte
            {
                last.len += segment.len;
                return;
            }
        }
        if self.segments.len() >= MAP_SEGMENTS {
            self.segments.pop_front();
        }
        self.segments.push_back(segment);
    }

    /// Rewrites a JSON error of the spliced stream as an error of the input it came from.
    pub(crate) fn locate(&self, error: EvalError) -> EvalError {
        let EvalError::Json { message, at } = error else {
            return error;
        };
        let index = self.segments.partition_point(|s| s.out_start <= at.byte);
        let Some(segment) = index.checked_sub(1).and_then(|i| self.segments.get(i)) else {
            return EvalError::Json { message, at };
        };
        let within = (at.byte - segment.out_start).min(segment.len);
        let name = self.names.get(segment.input).cloned().unwrap_or_default();
        EvalError::Json {
            message: format!("{message}, in {name}"),
            at: JsonPosition {
                byte: segment.at.byte + within,
                line: Some(segment.at.line),
                column: Some(segment.at.column + within),
            },
        }
    }
}

/// What the document scanner does with a range of one piece.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Action {
    /// A record starts.
    Begin,
    /// Copy these bytes into the current record.
    Copy(Range<usize>),
    /// Keep these bytes aside: they belong to a top-level object that may turn out to be
    /// an entity (a record) rather than a response.
    Hold(Range<usize>),
    /// The top-level object is a response: forget what was held.
    DropHeld,
    /// The top-level object was an entity: it is one record, made of what was held.
    ReleaseHeld,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Lex {
    #[default]
    Between,
    String {
        escaped: bool,
    },
    Literal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Disposition {
    #[default]
    Skip,
    Copy,
    Hold,
}

/// Finds the records of one JSON document, a piece at a time.
#[derive(Debug, Default)]
struct DocumentScanner {
    lex: Lex,
    depth: usize,
    /// The depth of the records' array, once inside it.
    records_at: Option<usize>,
    /// Inside a record (its depth when it started).
    record_from: Option<usize>,
    /// The top-level object, while it is not known to be a response.
    holding: bool,
    /// The records' array has been seen and closed: the rest is skipped.
    done_records: bool,
    started: bool,
    expect_key: bool,
    key: Vec<u8>,
    reading_key: bool,
    /// After `"value":`, waiting to see whether an array follows.
    after_value_key: bool,
}

impl DocumentScanner {
    fn disposition(&self) -> Disposition {
        if self.record_from.is_some() {
            Disposition::Copy
        } else if self.holding {
            Disposition::Hold
        } else {
            Disposition::Skip
        }
    }

    /// Scans `piece`, appending what to do with its bytes to `actions`.
    fn feed(&mut self, piece: &[u8], actions: &mut Vec<Action>) -> Result<(), (String, usize)> {
        let mut run_start = 0;
        let mut run = self.disposition();
        let mut i = 0;
        // Closes the current run of bytes [run_start, end) with its disposition.
        fn close(actions: &mut Vec<Action>, run: Disposition, range: Range<usize>) {
            if range.is_empty() {
                return;
            }
            match run {
                Disposition::Copy => actions.push(Action::Copy(range)),
                Disposition::Hold => actions.push(Action::Hold(range)),
                Disposition::Skip => {}
            }
        }
        while i < piece.len() {
            let b = piece[i];
            match self.lex {
                Lex::String { escaped } => {
                    if self.reading_key && (escaped || b != b'"') {
                        self.key.push(b);
                    }
                    self.lex = match (escaped, b) {
                        (true, _) => Lex::String { escaped: false },
                        (false, b'\\') => Lex::String { escaped: true },
                        (false, b'"') => {
                            self.reading_key = false;
                            self.value_ended_at_depth();
                            Lex::Between
                        }
                        _ => Lex::String { escaped: false },
                    };
                    i += 1;
                    if self.lex == Lex::Between {
                        let now = self.disposition();
                        if now != run {
                            close(actions, run, run_start..i);
                            run_start = i;
                            run = now;
                        }
                    }
                    continue;
                }
                Lex::Literal => {
                    if matches!(b, b',' | b']' | b'}' | b':' | b' ' | b'\t' | b'\n' | b'\r') {
                        self.lex = Lex::Between;
                        self.value_ended_at_depth();
                        let now = self.disposition();
                        if now != run {
                            close(actions, run, run_start..i);
                            run_start = i;
                            run = now;
                        }
                        // Fall through: the delimiter is handled as a token below.
                    } else {
                        i += 1;
                        continue;
                    }
                }
                Lex::Between => {}
            }
            if b.is_ascii_whitespace() {
                i += 1;
                continue;
            }
            // A token starts at i. Decide what it is and its disposition.
            let before = self.disposition();
            let mut token_disposition = before;
            if !self.started {
                self.started = true;
                match b {
                    b'[' => {
                        self.depth = 1;
                        self.records_at = Some(1);
                        token_disposition = Disposition::Skip;
                    }
                    b'{' => {
                        self.depth = 1;
                        self.holding = true;
                        self.expect_key = true;
                        token_disposition = Disposition::Hold;
                    }
                    _ => {
                        return Err((
                            "expected a JSON array, an OData response or an entity".to_owned(),
                            i,
                        ))
                    }
                }
            } else if self.record_from.is_some() {
                // Inside a record: follow its brackets.
                match b {
                    b'{' | b'[' => self.depth += 1,
                    b'}' | b']' => {
                        self.depth = self.depth.saturating_sub(1);
                        if Some(self.depth) == self.records_at {
                            // The record's container closed; this byte is its last.
                            close(actions, run, run_start..i);
                            actions.push(Action::Copy(i..i + 1));
                            self.record_from = None;
                            i += 1;
                            run_start = i;
                            run = self.disposition();
                            continue;
                        }
                    }
                    b'"' => self.lex = Lex::String { escaped: false },
                    b',' | b':' => {}
                    _ => self.lex = Lex::Literal,
                }
            } else if self.records_at == Some(self.depth) && !self.done_records {
                // Between records.
                match b {
                    b',' => token_disposition = Disposition::Skip,
                    b']' => {
                        self.depth -= 1;
                        self.records_at = None;
                        self.done_records = true;
                        token_disposition = Disposition::Skip;
                    }
                    _ => {
                        close(actions, run, run_start..i);
                        actions.push(Action::Begin);
                        run_start = i;
                        self.record_from = Some(self.depth);
                        run = Disposition::Copy;
                        token_disposition = Disposition::Copy;
                        match b {
                            b'{' | b'[' => self.depth += 1,
                            b'"' => self.lex = Lex::String { escaped: false },
                            _ => self.lex = Lex::Literal,
                        }
                    }
                }
            } else {
                // In the top-level object (held), or skipping after the records.
                if self.after_value_key {
                    self.after_value_key = false;
                    if b == b'[' && self.depth == 1 && self.holding {
                        close(actions, run, run_start..i);
                        actions.push(Action::DropHeld);
                        self.holding = false;
                        self.depth = 2;
                        self.records_at = Some(2);
                        i += 1;
                        run_start = i;
                        run = self.disposition();
                        continue;
                    }
                }
                match b {
                    b'{' | b'[' => {
                        self.depth += 1;
                        self.expect_key = b == b'{';
                    }
                    b'}' | b']' => {
                        self.depth = self.depth.saturating_sub(1);
                        if self.depth == 0 && self.holding {
                            // The top-level object had no `value`: it is an entity.
                            close(actions, run, run_start..i);
                            actions.push(Action::Hold(i..i + 1));
                            actions.push(Action::ReleaseHeld);
                            self.holding = false;
                            i += 1;
                            run_start = i;
                            run = Disposition::Skip;
                            continue;
                        }
                        self.expect_key = false;
                    }
                    b',' => self.expect_key = self.depth == 1,
                    b':' => {
                        self.expect_key = false;
                        self.after_value_key = self.depth == 1 && self.key == b"value";
                    }
                    b'"' => {
                        if self.expect_key && self.depth == 1 {
                            self.key.clear();
                            self.reading_key = true;
                        }
                        self.lex = Lex::String { escaped: false };
                    }
                    _ => self.lex = Lex::Literal,
                }
            }
            if token_disposition != run {
                close(actions, run, run_start..i);
                run_start = i;
                run = token_disposition;
            }
            i += 1;
            if self.lex == Lex::Between {
                let now = self.disposition();
                if now != run {
                    close(actions, run, run_start..i);
                    run_start = i;
                    run = now;
                }
            }
        }
        close(actions, run, run_start..piece.len());
        Ok(())
    }

    /// A string or literal ended: a record that was that scalar ends with it.
    fn value_ended_at_depth(&mut self) {
        if self.record_from == Some(self.depth) {
            self.record_from = None;
        }
    }

    /// The input ended.
    fn end(&mut self) -> Result<(), String> {
        if self.lex == Lex::Literal {
            self.lex = Lex::Between;
            self.value_ended_at_depth();
        }
        if !self.started {
            return Err("is empty".to_owned());
        }
        Ok(())
    }
}

/// How one input's records are found.
enum Scanner {
    Lines,
    Document(DocumentScanner),
}

/// A read adapter: the records of all inputs as one JSON array.
pub(crate) struct Splicer {
    inputs: VecDeque<(SpliceInput, Scanner)>,
    map: Arc<Mutex<SourceMap>>,
    ready: Vec<u8>,
    ready_at: usize,
    /// Offset of the next byte appended to `ready`.
    produced: u64,
    started: bool,
    finished: bool,
    records: u64,
    /// The input being read (its index) and the position in it.
    input: usize,
    place: Place,
    /// JSON Lines: the current line so far, and where it starts.
    line: Vec<u8>,
    line_at: Place,
    /// Held runs of a top-level object, with where each starts.
    held: Vec<(Vec<u8>, Place)>,
}

impl Splicer {
    pub(crate) fn new(inputs: Vec<SpliceInput>, map: Arc<Mutex<SourceMap>>) -> Splicer {
        if let Ok(mut map) = map.lock() {
            map.names = inputs.iter().map(|input| input.name.clone()).collect();
        }
        Splicer {
            inputs: inputs
                .into_iter()
                .map(|input| {
                    let scanner = if input.lines {
                        Scanner::Lines
                    } else {
                        Scanner::Document(DocumentScanner::default())
                    };
                    (input, scanner)
                })
                .collect(),
            map,
            ready: Vec::new(),
            ready_at: 0,
            produced: 0,
            started: false,
            finished: false,
            records: 0,
            input: 0,
            place: Place::START,
            line: Vec::new(),
            line_at: Place::START,
            held: Vec::new(),
        }
    }

    fn punctuation(&mut self, bytes: &[u8]) {
        self.ready.extend_from_slice(bytes);
        self.produced += bytes.len() as u64;
    }

    fn begin_record(&mut self) {
        if self.records > 0 {
            self.punctuation(b",");
        }
        self.records += 1;
    }

    /// Appends record bytes that come from `at` in the current input.
    fn copy(&mut self, bytes: &[u8], at: Place) {
        if bytes.is_empty() {
            return;
        }
        if let Ok(mut map) = self.map.lock() {
            map.push(Segment {
                out_start: self.produced,
                len: bytes.len() as u64,
                input: self.input,
                at,
            });
        }
        self.ready.extend_from_slice(bytes);
        self.produced += bytes.len() as u64;
    }

    fn name(&self) -> String {
        self.inputs
            .front()
            .map(|(input, _)| input.name.clone())
            .unwrap_or_default()
    }

    /// Reads the next chunk of the current input and splices it.
    fn fill(&mut self) -> io::Result<()> {
        if !self.started {
            self.started = true;
            self.punctuation(b"[");
        }
        let name = self.name();
        let Some((input, _)) = self.inputs.front_mut() else {
            if !self.finished {
                self.finished = true;
                self.punctuation(b"]");
            }
            return Ok(());
        };
        let mut chunk = std::mem::take(&mut input.head);
        if chunk.is_empty() {
            chunk.resize(1 << 16, 0);
            let n = loop {
                match input.rest.read(&mut chunk) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        return Err(io::Error::new(e.kind(), format!("cannot read {name}: {e}")))
                    }
                }
            };
            chunk.truncate(n);
        }
        if chunk.is_empty() {
            return self.end_input();
        }
        // Pieces end at newlines, so every copied run lies within one line.
        let mut rest: &[u8] = &chunk;
        while !rest.is_empty() {
            let end = memchr::memchr(b'\n', rest).map_or(rest.len(), |i| i + 1);
            let (piece, after) = rest.split_at(end);
            self.splice(piece)?;
            self.place = if piece.last() == Some(&b'\n') {
                Place {
                    byte: self.place.byte + piece.len() as u64,
                    line: self.place.line + 1,
                    column: 1,
                }
            } else {
                self.place.plus(piece.len())
            };
            rest = after;
        }
        Ok(())
    }

    fn splice(&mut self, piece: &[u8]) -> io::Result<()> {
        let place = self.place;
        let mut actions = Vec::new();
        match self.inputs.front_mut().map(|(_, scanner)| scanner) {
            None => return Ok(()),
            Some(Scanner::Lines) => {
                if self.line.is_empty() {
                    self.line_at = place;
                }
                self.line.extend_from_slice(piece);
                if piece.last() == Some(&b'\n') {
                    self.flush_line();
                }
                return Ok(());
            }
            Some(Scanner::Document(scanner)) => {
                if let Err((message, offset)) = scanner.feed(piece, &mut actions) {
                    let place = place.plus(offset);
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!(
                            "{}: {message} at line {}, column {} (byte {})",
                            self.name(),
                            place.line,
                            place.column,
                            place.byte
                        ),
                    ));
                }
            }
        }
        for action in actions {
            match action {
                Action::Begin => self.begin_record(),
                Action::Copy(range) => {
                    let at = place.plus(range.start);
                    self.copy(&piece[range], at);
                }
                Action::Hold(range) => {
                    let at = place.plus(range.start);
                    self.held.push((piece[range].to_vec(), at));
                }
                Action::DropHeld => self.held.clear(),
                Action::ReleaseHeld => {
                    self.begin_record();
                    for (bytes, at) in std::mem::take(&mut self.held) {
                        self.copy(&bytes, at);
                    }
                }
            }
        }
        Ok(())
    }

    /// JSON Lines: a complete line is one record (blank lines are skipped).
    fn flush_line(&mut self) {
        let line = std::mem::take(&mut self.line);
        let start = line.iter().position(|b| !b.is_ascii_whitespace());
        let end = line.iter().rposition(|b| !b.is_ascii_whitespace());
        if let (Some(start), Some(end)) = (start, end) {
            self.begin_record();
            let at = self.line_at.plus(start);
            self.copy(&line[start..=end], at);
        }
    }

    fn end_input(&mut self) -> io::Result<()> {
        let name = self.name();
        if let Some((_, scanner)) = self.inputs.pop_front() {
            match scanner {
                Scanner::Lines => self.flush_line(),
                Scanner::Document(mut scanner) => {
                    scanner.end().map_err(|message| {
                        io::Error::new(io::ErrorKind::InvalidData, format!("{name} {message}"))
                    })?;
                    if scanner.holding {
                        // An unfinished top-level object: hand it on; the library reports it.
                        self.begin_record();
                        for (bytes, at) in std::mem::take(&mut self.held) {
                            self.copy(&bytes, at);
                        }
                    }
                }
            }
        }
        self.input += 1;
        self.place = Place::START;
        Ok(())
    }
}

impl Read for Splicer {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.ready_at == self.ready.len() {
            if self.finished {
                return Ok(0);
            }
            self.ready.clear();
            self.ready_at = 0;
            self.fill()?;
        }
        let n = buf.len().min(self.ready.len() - self.ready_at);
        buf[..n].copy_from_slice(&self.ready[self.ready_at..self.ready_at + n]);
        self.ready_at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str, text: &str, lines: bool) -> SpliceInput {
        SpliceInput {
            name: name.into(),
            head: Vec::new(),
            rest: Box::new(io::Cursor::new(text.as_bytes().to_vec())),
            lines,
        }
    }

    fn splice(inputs: Vec<SpliceInput>) -> (String, Arc<Mutex<SourceMap>>) {
        let map = Arc::new(Mutex::new(SourceMap::default()));
        let mut splicer = Splicer::new(inputs, Arc::clone(&map));
        let mut out = String::new();
        splicer.read_to_string(&mut out).unwrap();
        (out, map)
    }

    #[test]
    fn arrays_responses_entities_and_lines_become_one_array() {
        let (out, _) = splice(vec![
            input(
                "a.json",
                "[ {\"a\":1},\n {\"a\":[2,{\"b\":\"]\"}]} ]",
                false,
            ),
            input(
                "b.json",
                "{\"@odata.context\":\"x\",\"@odata.count\":2,\n\"value\":[{\"b\":1},\"s\",3]}",
                false,
            ),
            input(
                "c.json",
                "{\"id\":7,\"files\":[{\"n\":1}],\"value\":5}",
                false,
            ),
            input(
                "d.jsonl",
                "{\"l\":1}\n\n  {\"l\":\"2\\n\"}  \n{\"l\":3}",
                true,
            ),
            input("e.json", "[]", false),
        ]);
        let parsed: serde_json::Value = serde_json::from_str(&out).expect(&out);
        assert_eq!(
            parsed,
            serde_json::json!([
                {"a":1},{"a":[2,{"b":"]"}]},
                {"b":1},"s",3,
                {"id":7,"files":[{"n":1}],"value":5},
                {"l":1},{"l":"2\n"},{"l":3}
            ])
        );
    }

    #[test]
    fn positions_map_back_to_the_input() {
        let (out, map) = splice(vec![
            input("a.json", "[{\"a\":1}]", false),
            input("b.jsonl", "{\"b\":1}\n  {\"b\":tru}\n", true),
        ]);
        let bad = out.find("tru").unwrap() as u64;
        let error = EvalError::Json {
            message: "expected a value".into(),
            at: JsonPosition {
                byte: bad,
                line: None,
                column: None,
            },
        };
        let located = map.lock().unwrap().locate(error);
        assert_eq!(
            located.to_string(),
            "invalid JSON at line 2, column 8 (byte 15): expected a value, in b.jsonl"
        );
    }

    #[test]
    fn a_document_that_is_not_json_is_rejected_with_its_position() {
        let map = Arc::new(Mutex::new(SourceMap::default()));
        let mut splicer = Splicer::new(vec![input("x.json", "\n  hello", false)], map);
        let error = splicer.read_to_end(&mut Vec::new()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "x.json: expected a JSON array, an OData response or an entity at line 2, column 3 (byte 3)"
        );
    }
}
