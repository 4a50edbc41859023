//! Streaming evaluation over JSON bytes: the records of a collection are read from a byte
//! stream one at a time, each is parsed only as far as the query reads it (the rest is
//! validated and skipped), and records that pass are written out as their original bytes.
//!
//! Memory: a read buffer (it grows only to hold the largest record), plus, with
//! `$orderby`, the read parts and bytes of the matching records (with `$top`, only about
//! twice the window), plus, with `$count=true`, the response items (the count precedes
//! them). Without `$orderby` and `$count`, memory does not grow with the number of records.
//!
//! Results equal [`Plan::apply`]'s after JSON normalisation: the same members and values,
//! though member order and number spelling may differ because records are copied byte for
//! byte. The whole document is built only when the query has `$apply` or the input is a
//! single entity rather than a collection.

mod file;
mod input;
mod json;
mod needs;

use std::io::{Read, Write};

use serde_json::Value;

use crate::ast::Query;
use crate::error::{EvalError, JsonPosition};
use crate::eval::{EvalOptions, Plan};
use crate::limits::Limit;

use input::Input;
use json::{JsonError, Reader};
pub(crate) use needs::{record_needs, Need};

/// A query compiled for streaming evaluation over bytes.
#[derive(Debug)]
pub struct StreamPlan {
    plan: Plan,
    need: Need,
    max_json_depth: usize,
    read_size: usize,
}

/// How a response was produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamMode {
    /// Records were read one at a time and copied from the input.
    Streamed,
    /// The whole document was parsed into a `serde_json::Value` (`$apply`, or an entity).
    Materialized,
}

/// The default size of one read (and the smallest buffer growth).
const READ_SIZE: usize = 1 << 20;
/// With `$orderby` and a bounded window, kept records are cut back to the window whenever
/// they exceed this many and twice the window.
const COMPACT_AT: usize = 1 << 14;

/// Where the response items go: straight to the output, or into a buffer when
/// `@odata.count` must be written first.
enum Sink<'w, W> {
    Direct(&'w mut W),
    Buffered(Vec<u8>),
}

impl<W: Write> Sink<'_, W> {
    fn writer(&mut self) -> &mut dyn Write {
        match self {
            Sink::Direct(w) => *w,
            Sink::Buffered(buffer) => buffer,
        }
    }
}

fn write_error(e: &std::io::Error) -> EvalError {
    EvalError::Input(format!("cannot write the response: {e}"))
}

impl StreamPlan {
    /// Compiles `query` for streaming.
    ///
    /// ```
    /// use odata_query::{EvalOptions, Query, StreamPlan};
    ///
    /// let plan = StreamPlan::new(&Query::parse("$filter=size gt 10")?, &EvalOptions::default())?;
    /// assert!(plan.plan().matches(&serde_json::json!({"size": 11}))?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(query: &Query, options: &EvalOptions) -> Result<StreamPlan, EvalError> {
        let plan = query.compile(options)?;
        Ok(StreamPlan {
            plan,
            need: record_needs(query),
            max_json_depth: options.limits.max_json_depth,
            read_size: READ_SIZE,
        })
    }

    /// Sets how many bytes one read asks for (default 1 MiB; at least 1). The buffer
    /// grows beyond it only to hold a record that is larger.
    pub fn with_read_size(mut self, bytes: usize) -> StreamPlan {
        self.read_size = bytes.max(1);
        self
    }

    /// The underlying [`Plan`].
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// Evaluates the query over the JSON document in `input`; see [`StreamPlan::apply_reader`].
    ///
    /// ```
    /// use odata_query::{EvalOptions, Query, StreamMode, StreamPlan};
    ///
    /// let plan = StreamPlan::new(&Query::parse("$top=1")?, &EvalOptions::default())?;
    /// let mut out = Vec::new();
    /// // Records are copied as they were: number spelling and member order are kept.
    /// let mode = plan.apply_bytes(br#"[{"b": 1e2, "a": 1}, {"b": 2}]"#, &mut out)?;
    /// assert_eq!(mode, StreamMode::Streamed);
    /// assert_eq!(out, br#"{"value":[{"b": 1e2, "a": 1}]}"#);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn apply_bytes<W: Write>(
        &self,
        input: &[u8],
        out: &mut W,
    ) -> Result<StreamMode, EvalError> {
        self.apply_reader(input, out)
    }

    /// Evaluates the query over the JSON document read from `reader` (a collection: a
    /// top-level array, or an OData response object with a `value` array; or a single
    /// entity) and writes the compact OData JSON response to `out`.
    ///
    /// Without `$count=true` the response is written while the input is read, so when the
    /// input turns out to be invalid JSON halfway, `out` holds the start of a response when
    /// the error is returned; callers that must not show it should write to a buffer.
    ///
    /// ```
    /// use odata_query::{EvalError, EvalOptions, Query, StreamPlan};
    ///
    /// let plan = StreamPlan::new(&Query::parse("$count=true&$top=0")?, &EvalOptions::default())?;
    /// let body = "{\"value\": [\n {\"n\": 1},\n {\"n\": 2,}\n]}";
    /// let error = plan.apply_reader(body.as_bytes(), &mut Vec::new()).unwrap_err();
    /// let EvalError::Json { at, .. } = error else { panic!("a JSON error") };
    /// assert_eq!((at.line, at.column), (Some(3), Some(10)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn apply_reader<R: Read, W: Write>(
        &self,
        reader: R,
        out: &mut W,
    ) -> Result<StreamMode, EvalError> {
        let mut input = Input::new(reader, self.read_size, 0).tracking_lines();
        input.refill(0)?;
        // The prefix up to the collection's `[` stays in the buffer, so the whole document
        // can still be parsed if it turns out to be an entity.
        let prefix = loop {
            match self.read_prefix(input.data()) {
                Err(JsonError::Incomplete) if input.refill(0)? => continue,
                other => break other,
            }
        };
        let is_response = input.data().iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
        let (records_at, context) = match prefix {
            Ok(Some(found)) if self.plan.is_streamable() => found,
            Ok(_) | Err(JsonError::Invalid(..) | JsonError::Incomplete) => {
                input.read_to_end()?;
                return self.materialize(input.data(), out);
            }
            Err(error) => return Err(self.json_error(error, &input)),
        };
        let mut sink = if self.plan.counts() {
            Sink::Buffered(Vec::new())
        } else {
            out.write_all(b"{").map_err(|e| write_error(&e))?;
            if let Some(context) = &context {
                write!(out, "\"@odata.context\":{context},").map_err(|e| write_error(&e))?;
            }
            out.write_all(b"\"value\":[").map_err(|e| write_error(&e))?;
            Sink::Direct(out)
        };
        let (count, next_link) = self.records(&mut input, records_at, is_response, &mut sink)?;
        let tail = match sink {
            Sink::Direct(out) => out,
            Sink::Buffered(items) => {
                out.write_all(b"{").map_err(|e| write_error(&e))?;
                if let Some(context) = &context {
                    write!(out, "\"@odata.context\":{context},").map_err(|e| write_error(&e))?;
                }
                write!(out, "\"@odata.count\":{count},\"value\":[").map_err(|e| write_error(&e))?;
                out.write_all(&items).map_err(|e| write_error(&e))?;
                out
            }
        };
        tail.write_all(b"]").map_err(|e| write_error(&e))?;
        if let Some(link) = next_link {
            write!(tail, ",\"@odata.nextLink\":{}", Value::String(link))
                .map_err(|e| write_error(&e))?;
        }
        tail.write_all(b"}").map_err(|e| write_error(&e))?;
        Ok(StreamMode::Streamed)
    }

    /// Reads up to the collection's `[`: returns where the records start and the
    /// `@odata.context` seen before them, or `None` when the document is not a collection.
    fn read_prefix(&self, bytes: &[u8]) -> Result<Option<(usize, Option<Value>)>, JsonError> {
        let mut reader = Reader::new(bytes, 0, self.max_json_depth);
        match reader.peek()? {
            b'[' => return Ok(Some((reader.pos + 1, None))),
            b'{' => reader.pos += 1,
            _ => return Ok(None),
        }
        let mut context = None;
        if reader.peek()? == b'}' {
            return Ok(None);
        }
        loop {
            if reader.peek()? != b'"' {
                return Ok(None);
            }
            let key = reader.string()?;
            reader.expect(b':', "expected ':'")?;
            if key == "value" {
                return match reader.peek()? {
                    b'[' => Ok(Some((reader.pos + 1, context))),
                    _ => Ok(None),
                };
            }
            let keep = key == "@odata.context";
            let value = reader.value(keep.then_some(&Need::All), 1)?;
            if keep {
                context = value;
            }
            match reader.peek()? {
                b',' => reader.pos += 1,
                _ => return Ok(None),
            }
        }
    }

    fn json_error<R: Read>(&self, error: JsonError, input: &Input<R>) -> EvalError {
        match error {
            JsonError::Incomplete => EvalError::Json {
                message: "the input ends too early".into(),
                at: input.position(input.filled),
            },
            JsonError::Invalid(what, at) => EvalError::Json {
                message: what.into(),
                at: input.position(at),
            },
            JsonError::TooDeep(max) => EvalError::LimitExceeded {
                limit: Limit::JsonDepth,
                max,
            },
        }
    }

    /// Reads the records from `at` to the end of the document, writing the window's items to
    /// `sink`; returns the number of matches and the next link.
    fn records<R: Read, W: Write>(
        &self,
        input: &mut Input<R>,
        at: usize,
        is_response: bool,
        sink: &mut Sink<'_, W>,
    ) -> Result<(usize, Option<String>), EvalError> {
        let rt = self.plan.runtime();
        // Without $orderby the window is known up front: the matches numbered start..end.
        let (emit_start, emit_end, _) = self.plan.window_for(usize::MAX);
        let mut emitted = 0usize;
        let scan = self.scan(input, at, None, is_response, &rt, &mut |ordinal, bytes| {
            if (emit_start..emit_end).contains(&ordinal) {
                self.emit(bytes, emitted, sink)?;
                emitted += 1;
            }
            Ok(())
        })?;
        let (start, end, next_offset) = self.plan.window_for(scan.matches);
        if self.plan.orders() {
            let order = self.plan.order_prefix(&scan.kept_values, end, &rt)?;
            for &position in order.get(start..).unwrap_or(&[]) {
                if let Some(bytes) = scan.kept_bytes.get(position) {
                    self.emit(bytes, emitted, sink)?;
                    emitted += 1;
                }
            }
        }
        Ok((
            scan.matches,
            next_offset.map(|offset| self.plan.next_link_at(offset)),
        ))
    }

    /// Reads records from `at` (a record start, or the first record after the collection's
    /// `[`), counting matches. Without `$orderby`, calls `on_match` with each match's
    /// ordinal and bytes; with it, keeps the matches (cut back to the window when it is
    /// bounded). With `stop_at`, stops before a record that starts at that absolute
    /// position (`Scan::stopped`); a record that starts beyond it cancels the stop.
    fn scan<R: Read>(
        &self,
        input: &mut Input<R>,
        mut at: usize,
        mut stop_at: Option<u64>,
        is_response: bool,
        rt: &crate::eval::Runtime<'_>,
        on_match: &mut OnMatch<'_>,
    ) -> Result<Scan, EvalError> {
        let ordered = self.plan.orders();
        // With $orderby and a bounded window, only the best `bound` matches are kept.
        let bound = if ordered {
            self.plan.window_for(usize::MAX).1
        } else {
            0
        };
        let mut scan = Scan::default();
        let mut first = true;
        // With a bounded window that is full: the last kept match. A later match that does
        // not sort strictly before it can never enter the window (ties keep input order).
        let mut threshold: Option<Value> = None;
        loop {
            // One step: the separator before a record (or the end), then the record.
            let step = {
                let mut reader = Reader::new(input.data(), at, self.max_json_depth);
                self.read_record(&mut reader, first)
                    .map(|record| (record, reader.pos))
            };
            let (record, next_at) = match step {
                Ok(done) => done,
                Err(JsonError::Incomplete) => {
                    if !input.refill(at)? {
                        return Err(self.json_error(JsonError::Incomplete, input));
                    }
                    at = 0;
                    continue;
                }
                Err(error) => return Err(self.json_error(error, input)),
            };
            first = false;
            let Some((record_start, value)) = record else {
                at = next_at;
                break;
            };
            if let Some(stop) = stop_at {
                let absolute = input.base + record_start as u64;
                if absolute == stop {
                    scan.stopped = true;
                    return Ok(scan);
                }
                if absolute > stop {
                    stop_at = None;
                }
            }
            let bytes = &input.data()[record_start..next_at];
            at = next_at;
            if !self.plan.matches_with(&value, rt)? {
                continue;
            }
            let ordinal = scan.matches;
            scan.matches += 1;
            if ordered {
                if let Some(last) = &threshold {
                    if !self.plan.precedes(&value, last, rt)? {
                        continue;
                    }
                }
                // A kept record is held twice: its bytes and the parts read of it.
                rt.charge(bytes.len().saturating_mul(2))?;
                scan.kept_values.push(value);
                scan.kept_bytes.push(bytes.to_vec());
                if bound < usize::MAX / 2
                    && scan.kept_values.len() > COMPACT_AT.max(bound.saturating_mul(2))
                {
                    let best = self.plan.order_prefix(&scan.kept_values, bound, rt)?;
                    let values = std::mem::take(&mut scan.kept_values);
                    let raw = std::mem::take(&mut scan.kept_bytes);
                    let held: usize = raw.iter().map(Vec::len).sum();
                    (scan.kept_values, scan.kept_bytes) = take_positions(values, raw, &best);
                    let kept: usize = scan.kept_bytes.iter().map(Vec::len).sum();
                    rt.release(held.saturating_sub(kept).saturating_mul(2) as u64);
                    if scan.kept_values.len() == bound {
                        threshold = scan.kept_values.last().cloned();
                    }
                }
            } else {
                on_match(ordinal, bytes)?;
            }
        }
        self.finish(input, at, is_response)?;
        Ok(scan)
    }

    /// Reads the separator before a record (none before the first) and the record:
    /// `Some((start, value))`, or `None` at the collection's closing `]`.
    fn read_record(
        &self,
        reader: &mut Reader<'_>,
        first: bool,
    ) -> Result<Option<(usize, Value)>, JsonError> {
        match reader.peek()? {
            b']' => {
                reader.pos += 1;
                return Ok(None);
            }
            b',' if !first => reader.pos += 1,
            _ if first => {}
            _ => return Err(JsonError::Invalid("expected ',' or ']'", reader.pos)),
        }
        reader.skip_whitespace();
        let start = reader.pos;
        let value = reader.value(Some(&self.need), 1)?.unwrap_or(Value::Null);
        Ok(Some((start, value)))
    }

    /// Reads and validates what follows the collection: the rest of the response object,
    /// then only whitespace.
    fn finish<R: Read>(
        &self,
        input: &mut Input<R>,
        at: usize,
        is_response: bool,
    ) -> Result<(), EvalError> {
        input.read_to_end()?;
        let mut reader = Reader::new(input.data(), at, self.max_json_depth);
        let result = (|| {
            if is_response {
                loop {
                    match reader.peek()? {
                        b'}' => {
                            reader.pos += 1;
                            break;
                        }
                        b',' => {
                            reader.pos += 1;
                            if reader.peek()? != b'"' {
                                return Err(JsonError::Invalid(
                                    "expected a member name",
                                    reader.pos,
                                ));
                            }
                            reader.string()?;
                            reader.expect(b':', "expected ':'")?;
                            reader.value(None, 1)?;
                        }
                        _ => return Err(JsonError::Invalid("expected ',' or '}'", reader.pos)),
                    }
                }
            }
            reader.skip_whitespace();
            if reader.pos != input.filled {
                return Err(JsonError::Invalid(
                    "unexpected text after the document",
                    reader.pos,
                ));
            }
            Ok(())
        })();
        result.map_err(|e| self.json_error(e, input))
    }

    /// Writes one response item (`index` is its position in the response).
    fn emit<W: Write>(
        &self,
        bytes: &[u8],
        index: usize,
        sink: &mut Sink<'_, W>,
    ) -> Result<(), EvalError> {
        let out = sink.writer();
        if index > 0 {
            out.write_all(b",").map_err(|e| write_error(&e))?;
        }
        if self.plan.projects() {
            let record: Value = serde_json::from_slice(bytes)
                .map_err(|e| EvalError::Input(format!("invalid JSON record: {e}")))?;
            let projected = self.plan.project_entity(&record)?;
            serde_json::to_writer(out, &projected)
                .map_err(|e| EvalError::Input(format!("cannot write the response: {e}")))
        } else {
            out.write_all(bytes).map_err(|e| write_error(&e))
        }
    }

    /// The fallback: parse the whole document and apply the plan to it.
    fn materialize<W: Write>(&self, input: &[u8], out: &mut W) -> Result<StreamMode, EvalError> {
        let document: Value =
            serde_json::from_slice(input).map_err(|e| serde_json_error(&e, input))?;
        let response = self.plan.apply(&document)?;
        serde_json::to_writer(out, &response)
            .map_err(|e| EvalError::Input(format!("cannot write the response: {e}")))?;
        Ok(StreamMode::Materialized)
    }
}

/// A serde_json parse error of `input` in the crate's style: the message, then the line,
/// column and byte.
fn serde_json_error(error: &serde_json::Error, input: &[u8]) -> EvalError {
    let text = error.to_string();
    // serde_json appends " at line L column C"; the position is reported separately.
    let message = match text.rfind(" at line ") {
        Some(end) => text[..end].to_owned(),
        None => text,
    };
    let line = error.line() as u64;
    let line_start = if line <= 1 {
        0
    } else {
        memchr::memchr_iter(b'\n', input)
            .nth(usize::try_from(line - 2).unwrap_or(usize::MAX))
            .map_or(input.len(), |i| i + 1)
    };
    let byte = (line_start + error.column().saturating_sub(1)).min(input.len()) as u64;
    EvalError::Json {
        message,
        at: JsonPosition {
            byte,
            line: Some(line.max(1)),
            column: Some(error.column().max(1) as u64),
        },
    }
}

/// Called with each match's ordinal and bytes when there is no `$orderby`.
type OnMatch<'f> = dyn FnMut(usize, &[u8]) -> Result<(), EvalError> + 'f;

/// What [`StreamPlan::scan`] found.
#[derive(Debug, Default)]
struct Scan {
    /// The number of matching records.
    matches: usize,
    /// With `$orderby`: the read parts of the kept matches, in input order or cut back.
    kept_values: Vec<Value>,
    /// With `$orderby`: the bytes of the kept matches, parallel to `kept_values`.
    kept_bytes: Vec<Vec<u8>>,
    /// Whether the scan stopped at the requested position.
    stopped: bool,
    /// Matches collected by the caller, with their ordinals (two-thread reads).
    collected: Vec<(usize, Vec<u8>)>,
}

/// Keeps the items at `positions`, in that order.
fn take_positions(
    values: Vec<Value>,
    bytes: Vec<Vec<u8>>,
    positions: &[usize],
) -> (Vec<Value>, Vec<Vec<u8>>) {
    let mut values: Vec<Option<Value>> = values.into_iter().map(Some).collect();
    let mut bytes: Vec<Option<Vec<u8>>> = bytes.into_iter().map(Some).collect();
    let mut kept_values = Vec::with_capacity(positions.len());
    let mut kept_bytes = Vec::with_capacity(positions.len());
    for &position in positions {
        if let (Some(value), Some(raw)) = (
            values.get_mut(position).and_then(Option::take),
            bytes.get_mut(position).and_then(Option::take),
        ) {
            kept_values.push(value);
            kept_bytes.push(raw);
        }
    }
    (kept_values, kept_bytes)
}
