//! Reading inputs: files, stdin or the embedded sample; JSON documents or JSON Lines; one
//! or several, whose collections are read as one.
//!
//! One JSON document (a file or stdin) goes to the library as it is, so a file can be read
//! by two threads and errors carry the library's line, column and byte. Several inputs,
//! or JSON Lines, are spliced into one JSON array on the fly: the records are copied byte
//! for byte (the library validates them), and a map from the spliced stream back to each
//! input turns the library's error positions into `FILE: line L, column C (byte B)`.

use std::fs::File;
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use odata_query::sample::UPLOAD_SESSIONS;

use crate::splice::{SourceMap, SpliceInput, Splicer};

/// Where a collection comes from.
#[derive(Debug, Clone)]
pub(crate) enum Source {
    Stdin,
    File(PathBuf),
    /// The embedded sample of eight upload sessions.
    Sample,
}

impl Source {
    fn name(&self) -> String {
        match self {
            Source::Stdin => "stdin".into(),
            Source::File(path) => path.display().to_string(),
            Source::Sample => "the embedded sample".into(),
        }
    }
}

/// How to read the inputs.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ReadOptions {
    /// Every input is JSON Lines (one record per line); otherwise detected per input.
    pub(crate) lines: bool,
    /// When to show a progress line on stderr.
    pub(crate) progress: ProgressChoice,
}

/// When to show a progress line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ProgressChoice {
    /// For inputs over 100 MB, when stderr is a terminal.
    #[default]
    Auto,
    /// Always (the last state stays on its own line).
    Always,
    Never,
}

/// What the command evaluates.
pub(crate) enum Prepared {
    /// One JSON file, read by the library itself.
    File(PathBuf),
    /// One JSON document on a reader; `map` turns error positions back into inputs.
    Reader {
        reader: Box<dyn Read + Send>,
        map: Option<Arc<Mutex<SourceMap>>>,
    },
}

/// An input problem found before the library sees the data.
#[derive(Debug)]
pub(crate) enum InputError {
    /// Cannot open or read (exit 2).
    Io(String),
    /// Empty, or not JSON at all (exit 1).
    Rejected(String),
}

/// Inputs larger than this get a progress line.
const PROGRESS_MIN: u64 = 100 << 20;
/// How much of an input is looked at to tell JSON Lines from a document.
const PEEK_MAX: usize = 1 << 20;

/// Opens the inputs.
pub(crate) fn prepare(sources: &[Source], options: ReadOptions) -> Result<Prepared, InputError> {
    let mut opened = Vec::with_capacity(sources.len());
    let mut total_size = 0u64;
    for source in sources {
        let input = Opened::open(source, options.lines)?;
        total_size += input.size.unwrap_or(0);
        opened.push(input);
    }
    let unknown_size = opened.iter().any(|input| input.size.is_none());
    let progress = match options.progress {
        ProgressChoice::Always => Some(Progress::new(total_size, 0, true)),
        ProgressChoice::Auto
            if io::stderr().is_terminal() && (unknown_size || total_size >= PROGRESS_MIN) =>
        {
            Some(Progress::new(total_size, PROGRESS_MIN, false))
        }
        _ => None,
    };
    if let [single] = opened.as_slice() {
        if !single.lines {
            if let (Source::File(path), None, Some(_)) = (&single.source, &progress, single.size) {
                return Ok(Prepared::File(path.clone()));
            }
        }
    }
    if opened.len() == 1 && !opened[0].lines {
        let single = opened.remove(0);
        let reader: Box<dyn Read + Send> =
            Box::new(io::Cursor::new(single.head).chain(single.rest));
        return Ok(Prepared::Reader {
            reader: with_progress(reader, progress),
            map: None,
        });
    }
    let map = Arc::new(Mutex::new(SourceMap::default()));
    let inputs = opened
        .into_iter()
        .map(|input| SpliceInput {
            name: input.name,
            head: input.head,
            rest: input.rest,
            lines: input.lines,
        })
        .collect();
    let splicer = Splicer::new(inputs, Arc::clone(&map));
    Ok(Prepared::Reader {
        reader: with_progress(Box::new(splicer), progress),
        map: Some(map),
    })
}

fn with_progress(reader: Box<dyn Read + Send>, progress: Option<Progress>) -> Box<dyn Read + Send> {
    match progress {
        Some(progress) => Box::new(ProgressReader {
            inner: reader,
            progress,
        }),
        None => reader,
    }
}

/// An opened input with its first bytes read.
struct Opened {
    source: Source,
    name: String,
    head: Vec<u8>,
    rest: Box<dyn Read + Send>,
    /// The size of a regular file (what can be opened again from the start).
    size: Option<u64>,
    lines: bool,
}

impl Opened {
    fn open(source: &Source, force_lines: bool) -> Result<Opened, InputError> {
        let name = source.name();
        let (mut rest, size): (Box<dyn Read + Send>, Option<u64>) = match source {
            Source::Stdin => (Box::new(io::stdin()), None),
            Source::Sample => (
                Box::new(UPLOAD_SESSIONS.as_bytes()),
                Some(UPLOAD_SESSIONS.len() as u64),
            ),
            Source::File(path) => {
                let file = File::open(path)
                    .map_err(|e| InputError::Io(format!("cannot read {name}: {e}")))?;
                // Only a regular file has a size, and only one can be opened again from
                // the start: a pipe (`/dev/stdin`, `<(...)`) is read once, from here.
                let size = file
                    .metadata()
                    .ok()
                    .filter(std::fs::Metadata::is_file)
                    .map(|m| m.len());
                (Box::new(file), size)
            }
        };
        let head =
            peek(&mut rest).map_err(|e| InputError::Io(format!("cannot read {name}: {e}")))?;
        if head.iter().all(u8::is_ascii_whitespace) {
            return Err(InputError::Rejected(format!(
                "{name} is empty: give a JSON array, an OData response with \"value\", an entity, or JSON Lines"
            )));
        }
        let lines = force_lines
            || matches!(source, Source::File(path) if has_lines_extension(path))
            || looks_like_lines(&head);
        Ok(Opened {
            source: source.clone(),
            name,
            head,
            rest,
            size,
            lines,
        })
    }
}

fn has_lines_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("jsonl") || e.eq_ignore_ascii_case("ndjson"))
}

/// Reads the start of an input: up to the end of its first non-blank line (or
/// [`PEEK_MAX`] bytes, or the end).
fn peek(reader: &mut dyn Read) -> io::Result<Vec<u8>> {
    let mut head = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if n == 0 {
            return Ok(head);
        }
        head.extend_from_slice(&chunk[..n]);
        let content = head.iter().position(|b| !b.is_ascii_whitespace());
        let line_end = content.and_then(|start| memchr::memchr(b'\n', &head[start..]));
        // Enough to decide: a whole first line and something after it.
        if let (Some(start), Some(end)) = (content, line_end) {
            if head[start + end..].iter().any(|b| !b.is_ascii_whitespace()) {
                return Ok(head);
            }
        }
        if head.len() >= PEEK_MAX {
            return Ok(head);
        }
    }
}

/// JSON Lines: the first non-blank line is a complete JSON object or array and another
/// value follows it. (A pretty-printed document's first line is `{` or `[` alone.)
fn looks_like_lines(head: &[u8]) -> bool {
    let Some(start) = head.iter().position(|b| !b.is_ascii_whitespace()) else {
        return false;
    };
    let Some(end) = memchr::memchr(b'\n', &head[start..]) else {
        return false;
    };
    let first = &head[start..start + end];
    let rest = &head[start + end..];
    matches!(first.first(), Some(b'{' | b'['))
        && serde_json::from_slice::<serde::de::IgnoredAny>(first).is_ok()
        && rest
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .is_some_and(|b| matches!(b, b'{' | b'['))
}

// ---------------------------------------------------------------------------------------
// Progress
// ---------------------------------------------------------------------------------------

/// A progress line on stderr: bytes read (of the total when known), redrawn at most
/// twice a second once `threshold` bytes are read.
struct Progress {
    /// 0 when unknown (stdin).
    total: u64,
    threshold: u64,
    read: u64,
    last: Instant,
    shown: bool,
    /// Keep the final state on its own line instead of clearing it.
    keep: bool,
}

impl Progress {
    fn new(total: u64, threshold: u64, keep: bool) -> Progress {
        Progress {
            total,
            threshold,
            read: 0,
            last: Instant::now(),
            shown: false,
            keep,
        }
    }

    fn draw(&mut self) {
        self.shown = true;
        let mut stderr = io::stderr().lock();
        let _ = if let Some(percent) = self.read.saturating_mul(100).checked_div(self.total) {
            write!(
                stderr,
                "\rodq: read {} of {} MB ({percent}%)\x1b[K",
                self.read >> 20,
                self.total >> 20
            )
        } else {
            write!(stderr, "\rodq: read {} MB\x1b[K", self.read >> 20)
        };
        let _ = stderr.flush();
    }

    fn advance(&mut self, bytes: usize) {
        self.read += bytes as u64;
        if self.read >= self.threshold && self.last.elapsed() >= Duration::from_millis(500) {
            self.last = Instant::now();
            self.draw();
        }
    }

    fn finish(&mut self) {
        if self.keep {
            self.keep = false;
            self.draw();
            eprintln!();
        } else if self.shown {
            self.shown = false;
            let _ = write!(io::stderr().lock(), "\r\x1b[K");
        }
    }
}

/// Counts the bytes read for [`Progress`].
struct ProgressReader {
    inner: Box<dyn Read + Send>,
    progress: Progress,
}

impl Read for ProgressReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 {
            self.progress.finish();
        } else {
            self.progress.advance(n);
        }
        Ok(n)
    }
}

impl Drop for ProgressReader {
    fn drop(&mut self) {
        self.progress.finish();
    }
}
