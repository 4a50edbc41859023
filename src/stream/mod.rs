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

mod json;
mod needs;

use std::io::{Read, Write};

use serde_json::Value;

use crate::ast::Query;
use crate::error::EvalError;
use crate::eval::{EvalOptions, Plan};
use crate::limits::Limit;

use json::{JsonError, Reader};
pub(crate) use needs::{record_needs, Need};

/// A query compiled for streaming evaluation over bytes.
#[derive(Debug)]
pub struct StreamPlan {
    plan: Plan,
    need: Need,
    max_json_depth: usize,
}

/// How a response was produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamMode {
    /// Records were read one at a time and copied from the input.
    Streamed,
    /// The whole document was parsed into a `serde_json::Value` (`$apply`, or an entity).
    Materialized,
}

/// The first read and the smallest buffer growth.
const CHUNK: usize = 1 << 20;
/// With `$orderby` and a bounded window, kept records are cut back to the window whenever
/// they exceed this many and twice the window.
const COMPACT_AT: usize = 1 << 14;

/// A byte stream read in chunks into one buffer.
struct Input<R> {
    reader: R,
    buffer: Vec<u8>,
    /// Absolute offset of `buffer[0]` in the stream.
    base: u64,
    eof: bool,
}

fn io_error(e: &std::io::Error) -> EvalError {
    EvalError::Input(format!("cannot read the input: {e}"))
}

impl<R: Read> Input<R> {
    /// Drops `buffer[..keep_from]` and reads more; `false` at the end of the stream.
    fn refill(&mut self, keep_from: usize) -> Result<bool, EvalError> {
        if self.eof {
            return Ok(false);
        }
        if keep_from > 0 {
            self.buffer.drain(..keep_from);
            self.base += keep_from as u64;
        }
        let len = self.buffer.len();
        let grow = CHUNK.max(len);
        self.buffer.resize(len + grow, 0);
        let mut filled = len;
        while filled < self.buffer.len() {
            match self.reader.read(&mut self.buffer[filled..]) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(io_error(&e)),
            }
        }
        self.buffer.truncate(filled);
        Ok(filled > len || !self.eof)
    }

    /// Reads the rest of the stream into the buffer.
    fn read_to_end(&mut self) -> Result<(), EvalError> {
        if !self.eof {
            self.reader
                .read_to_end(&mut self.buffer)
                .map_err(|e| io_error(&e))?;
            self.eof = true;
        }
        Ok(())
    }
}

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
    pub fn new(query: &Query, options: &EvalOptions) -> Result<StreamPlan, EvalError> {
        let plan = query.compile(options)?;
        Ok(StreamPlan {
            plan,
            need: record_needs(query),
            max_json_depth: options.limits.max_json_depth,
        })
    }

    /// The underlying [`Plan`].
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// Evaluates the query over the JSON document in `input`; see [`StreamPlan::apply_reader`].
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
    pub fn apply_reader<R: Read, W: Write>(
        &self,
        reader: R,
        out: &mut W,
    ) -> Result<StreamMode, EvalError> {
        let mut input = Input {
            reader,
            buffer: Vec::new(),
            base: 0,
            eof: false,
        };
        input.refill(0)?;
        // The prefix up to the collection's `[` stays in the buffer, so the whole document
        // can still be parsed if it turns out to be an entity.
        let prefix = loop {
            match self.read_prefix(&input.buffer) {
                Err(JsonError::Incomplete) if input.refill(0)? => continue,
                other => break other,
            }
        };
        let is_response = input.buffer.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
        let (records_at, context) = match prefix {
            Ok(Some(found)) if self.plan.is_streamable() => found,
            Ok(_) | Err(JsonError::Invalid(..) | JsonError::Incomplete) => {
                input.read_to_end()?;
                return self.materialize(&input.buffer, out);
            }
            Err(error) => return Err(self.json_error(error, input.base)),
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

    fn json_error(&self, error: JsonError, base: u64) -> EvalError {
        match error {
            JsonError::Incomplete => EvalError::Input("the JSON input ends too early".into()),
            JsonError::Invalid(what, at) => {
                EvalError::Input(format!("invalid JSON at byte {}: {what}", base + at as u64))
            }
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
        mut at: usize,
        is_response: bool,
        sink: &mut Sink<'_, W>,
    ) -> Result<(usize, Option<String>), EvalError> {
        let rt = self.plan.runtime();
        let ordered = self.plan.orders();
        // Without $orderby the window is known up front: the matches numbered start..end.
        let (emit_start, emit_end, _) = self.plan.window_for(usize::MAX);
        // With $orderby and a bounded window, only the best `bound` matches are kept.
        let bound = if ordered { emit_end } else { 0 };
        let mut kept_values: Vec<Value> = Vec::new();
        let mut kept_bytes: Vec<Vec<u8>> = Vec::new();
        let mut matches = 0usize;
        let mut first = true;
        let mut emitted = 0usize;
        loop {
            // One step: the separator before a record (or the end), then the record.
            let step = {
                let mut reader = Reader::new(&input.buffer, at, self.max_json_depth);
                self.read_record(&mut reader, first)
                    .map(|record| (record, reader.pos))
            };
            let (record, next_at) = match step {
                Ok(done) => done,
                Err(JsonError::Incomplete) => {
                    if !input.refill(at)? {
                        return Err(self.json_error(JsonError::Incomplete, input.base));
                    }
                    at = 0;
                    continue;
                }
                Err(error) => return Err(self.json_error(error, input.base)),
            };
            first = false;
            let Some((record_start, value)) = record else {
                at = next_at;
                break;
            };
            let bytes = &input.buffer[record_start..next_at];
            at = next_at;
            if !self.plan.matches_with(&value, &rt)? {
                continue;
            }
            let ordinal = matches;
            matches += 1;
            if ordered {
                kept_values.push(value);
                kept_bytes.push(bytes.to_vec());
                if bound < usize::MAX / 2
                    && kept_values.len() > COMPACT_AT.max(bound.saturating_mul(2))
                {
                    let best = self.plan.order_prefix(&kept_values, bound, &rt)?;
                    (kept_values, kept_bytes) = take_positions(kept_values, kept_bytes, &best);
                }
            } else if (emit_start..emit_end).contains(&ordinal) {
                self.emit(bytes, emitted, sink)?;
                emitted += 1;
            }
        }
        self.finish(input, at, is_response)?;
        let (start, end, next_offset) = self.plan.window_for(matches);
        if ordered {
            let order = self.plan.order_prefix(&kept_values, end, &rt)?;
            for &position in order.get(start..).unwrap_or(&[]) {
                if let Some(bytes) = kept_bytes.get(position) {
                    self.emit(bytes, emitted, sink)?;
                    emitted += 1;
                }
            }
        }
        Ok((
            matches,
            next_offset.map(|offset| self.plan.next_link_at(offset)),
        ))
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
        let mut reader = Reader::new(&input.buffer, at, self.max_json_depth);
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
            if reader.pos != input.buffer.len() {
                return Err(JsonError::Invalid(
                    "unexpected text after the document",
                    reader.pos,
                ));
            }
            Ok(())
        })();
        result.map_err(|e| self.json_error(e, input.base))
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
        let document: Value = serde_json::from_slice(input)
            .map_err(|e| EvalError::Input(format!("invalid JSON: {e}")))?;
        let response = self.plan.apply(&document)?;
        serde_json::to_writer(out, &response)
            .map_err(|e| EvalError::Input(format!("cannot write the response: {e}")))?;
        Ok(StreamMode::Materialized)
    }
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
