//! Files: [`StreamPlan::apply_file`], which reads a large file with two threads (one per
//! half), and the line and column of an error found in a file.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use serde_json::Value;

use crate::error::{EvalError, JsonPosition};

use super::input::{io_error, Input};
use super::json::JsonError;
use super::{write_error, Scan, Sink, StreamMode, StreamPlan, READ_SIZE};

impl StreamPlan {
    /// Evaluates the query over the JSON document in the file at `path`; see
    /// [`StreamPlan::apply_reader`]. A large file (16 MiB or more) is read by two threads, one
    /// per half, when the machine has two cores: the second thread starts at a likely
    /// record boundary near the middle, and its work is used only if the first thread,
    /// reading from the start, arrives exactly at that boundary; otherwise the first thread
    /// simply reads on to the end. The response is the same either way; in the two-thread
    /// case the response items are buffered before they are written.
    ///
    /// ```
    /// use odata_query::{EvalOptions, Query, StreamPlan};
    ///
    /// let path = std::env::temp_dir().join("odata-query-doc-apply-file.json");
    /// std::fs::write(&path, r#"{"value":[{"size":5},{"size":50}]}"#)?;
    /// let plan = StreamPlan::new(&Query::parse("$filter=size gt 10&$count=true")?, &EvalOptions::default())?;
    /// let mut out = Vec::new();
    /// plan.apply_file(&path, &mut out)?;
    /// assert_eq!(out, br#"{"@odata.count":1,"value":[{"size":50}]}"#);
    /// # std::fs::remove_file(&path)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn apply_file<W: Write>(&self, path: &Path, out: &mut W) -> Result<StreamMode, EvalError> {
        self.apply_file_unlocated(path, out)
            .map_err(|error| locate_in_file(error, path))
    }

    /// [`StreamPlan::apply_file`], with JSON errors that may lack their line and column.
    fn apply_file_unlocated<W: Write>(
        &self,
        path: &Path,
        out: &mut W,
    ) -> Result<StreamMode, EvalError> {
        let open = || {
            File::open(path)
                .map_err(|e| EvalError::Input(format!("cannot read {}: {e}", path.display())))
        };
        let file = open()?;
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        if size < PARALLEL_MIN || cores < 2 || !self.plan.is_streamable() {
            return self.apply_reader(file, out);
        }
        let Some((split, is_response)) = split_point(&file, size)? else {
            return self.apply_reader(file, out);
        };
        std::thread::scope(|scope| {
            let second = scope.spawn(|| -> Result<Scan, EvalError> {
                let mut file = open()?;
                file.seek(SeekFrom::Start(split))
                    .map_err(|e| io_error(&e))?;
                let mut input = Input::new(file, self.read_size, split);
                input.refill(0)?;
                let rt = self.plan.runtime();
                let (_, emit_end, _) = self.plan.window_for(usize::MAX);
                let mut collected = Vec::new();
                let mut scan = self.scan(
                    &mut input,
                    0,
                    None,
                    is_response,
                    &rt,
                    &mut |ordinal, bytes| {
                        // Its global ordinal is at least `ordinal`, so later ones cannot be in the window.
                        if ordinal < emit_end {
                            collected.push((ordinal, bytes.to_vec()));
                        }
                        Ok(())
                    },
                )?;
                scan.collected = collected;
                Ok(scan)
            });
            self.apply_first_half(open()?, split, is_response, second, out)
        })
    }

    /// The first thread of [`StreamPlan::apply_file`]: reads from the start up to `split`,
    /// then merges the second thread's result (or reads on when the split was not a
    /// record boundary).
    fn apply_first_half<W: Write>(
        &self,
        file: File,
        split: u64,
        is_response: bool,
        second: std::thread::ScopedJoinHandle<'_, Result<Scan, EvalError>>,
        out: &mut W,
    ) -> Result<StreamMode, EvalError> {
        let mut input = Input::new(file, self.read_size, 0);
        input.refill(0)?;
        let prefix = loop {
            match self.read_prefix(input.data()) {
                Err(JsonError::Incomplete) if input.refill(0)? => continue,
                other => break other,
            }
        };
        let (records_at, context) = match prefix {
            Ok(Some(found)) => found,
            Ok(None) | Err(JsonError::Invalid(..) | JsonError::Incomplete) => {
                let _ = second.join();
                input.read_to_end()?;
                return self.materialize(input.data(), out);
            }
            Err(error) => return Err(self.json_error(error, &input)),
        };
        let rt = self.plan.runtime();
        let (emit_start, emit_end, _) = self.plan.window_for(usize::MAX);
        let mut collected = Vec::new();
        let first = self.scan(
            &mut input,
            records_at,
            Some(split),
            is_response,
            &rt,
            &mut |ordinal, bytes| {
                if (emit_start..emit_end).contains(&ordinal) {
                    collected.push((ordinal, bytes.to_vec()));
                }
                Ok(())
            },
        );
        let joined = second
            .join()
            .unwrap_or_else(|_| Err(EvalError::Invalid("the second reader thread failed".into())));
        let mut first = first?;
        first.collected = collected;
        let second = if first.stopped { Some(joined?) } else { None };

        // Merge: the second half's matches follow the first half's.
        let offset = first.matches;
        let matches = offset + second.as_ref().map_or(0, |s| s.matches);
        let (start, end, next_offset) = self.plan.window_for(matches);
        let mut items = Vec::new();
        let mut emitted = 0usize;
        let mut sink: Sink<'_, W> = Sink::Buffered(Vec::new());
        if self.plan.orders() {
            let mut values = first.kept_values;
            let mut raw = first.kept_bytes;
            if let Some(second) = second {
                values.extend(second.kept_values);
                raw.extend(second.kept_bytes);
            }
            let order = self.plan.order_prefix(&values, end, &rt)?;
            for &position in order.get(start..).unwrap_or(&[]) {
                if let Some(bytes) = raw.get(position) {
                    self.emit(bytes, emitted, &mut sink)?;
                    emitted += 1;
                }
            }
        } else {
            let later = second.map(|s| s.collected).unwrap_or_default();
            let all = first.collected.into_iter().chain(
                later
                    .into_iter()
                    .map(|(ordinal, bytes)| (ordinal + offset, bytes)),
            );
            for (ordinal, bytes) in all {
                if (start..end).contains(&ordinal) {
                    self.emit(&bytes, emitted, &mut sink)?;
                    emitted += 1;
                }
            }
        }
        if let Sink::Buffered(buffer) = sink {
            items = buffer;
        }
        let next_link = next_offset.map(|offset| self.plan.next_link_at(offset));
        let count = self.plan.counts().then_some(matches);
        write_envelope(out, context.as_ref(), count, &items, next_link)?;
        Ok(StreamMode::Streamed)
    }
}

/// Adds the line and column to a JSON error in the file at `path` by reading the file
/// again up to the error (errors are rare; counting lines on every read is not free).
fn locate_in_file(error: EvalError, path: &Path) -> EvalError {
    let EvalError::Json { message, at } = error else {
        return error;
    };
    if at.line.is_some() {
        return EvalError::Json { message, at };
    }
    let located = (|| -> std::io::Result<JsonPosition> {
        let mut file = File::open(path)?;
        let mut chunk = vec![0u8; READ_SIZE];
        let (mut read, mut newlines, mut line_start) = (0u64, 0u64, 0u64);
        while read < at.byte {
            let want = usize::try_from(at.byte - read).map_or(chunk.len(), |w| w.min(chunk.len()));
            let n = file.read(&mut chunk[..want])?;
            if n == 0 {
                break;
            }
            newlines += memchr::memchr_iter(b'\n', &chunk[..n]).count() as u64;
            if let Some(i) = memchr::memrchr(b'\n', &chunk[..n]) {
                line_start = read + i as u64 + 1;
            }
            read += n as u64;
        }
        Ok(JsonPosition {
            byte: at.byte,
            line: Some(newlines + 1),
            column: Some(at.byte - line_start + 1),
        })
    })();
    EvalError::Json {
        message,
        at: located.unwrap_or(at),
    }
}

/// Writes a whole response whose items are already serialised.
fn write_envelope<W: Write>(
    out: &mut W,
    context: Option<&Value>,
    count: Option<usize>,
    items: &[u8],
    next_link: Option<String>,
) -> Result<(), EvalError> {
    let write = || -> std::io::Result<()> {
        out.write_all(b"{")?;
        if let Some(context) = context {
            write!(out, "\"@odata.context\":{context},")?;
        }
        if let Some(count) = count {
            write!(out, "\"@odata.count\":{count},")?;
        }
        out.write_all(b"\"value\":[")?;
        out.write_all(items)?;
        out.write_all(b"]")?;
        if let Some(link) = next_link {
            write!(out, ",\"@odata.nextLink\":{}", Value::String(link))?;
        }
        out.write_all(b"}")
    };
    write().map_err(|e| write_error(&e))
}

/// Files of at least this size are read by two threads.
const PARALLEL_MIN: u64 = 16 << 20;

/// A likely record boundary near the middle of the file: the `{` of `,{` (with optional
/// whitespace between), and whether the document is an object. `None` when there is none
/// in a window around the middle.
fn split_point(file: &File, size: u64) -> Result<Option<(u64, bool)>, EvalError> {
    const WINDOW: usize = 1 << 20;
    let mut file = file;
    let mut head = [0u8; 64];
    file.seek(SeekFrom::Start(0)).map_err(|e| io_error(&e))?;
    let n = file.read(&mut head).map_err(|e| io_error(&e))?;
    let is_response = head[..n].iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    let middle = size / 2;
    file.seek(SeekFrom::Start(middle))
        .map_err(|e| io_error(&e))?;
    let mut window = vec![0u8; WINDOW];
    let mut filled = 0;
    while filled < WINDOW {
        match file.read(&mut window[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(io_error(&e)),
        }
    }
    file.seek(SeekFrom::Start(0)).map_err(|e| io_error(&e))?;
    let window = &window[..filled];
    // Prefer `,` newline `{` (one record per line, as most generators write), else any `,{`.
    let mut fallback = None;
    for (i, &byte) in window.iter().enumerate() {
        if byte != b',' {
            continue;
        }
        let gap = window[i + 1..]
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .map_or(window.len(), |p| i + 1 + p);
        if window.get(gap) == Some(&b'{') && gap + 1 < window.len() {
            let candidate = middle + gap as u64;
            if window[i + 1..gap].contains(&b'\n') {
                return Ok(Some((candidate, is_response)));
            }
            fallback.get_or_insert(candidate);
        }
    }
    if let Some(candidate) = fallback {
        return Ok(Some((candidate, is_response)));
    }
    Ok(None)
}
