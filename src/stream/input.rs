//! The byte stream under a streaming evaluation: one buffer, refilled in chunks, that
//! drops what has been read and can name the line and column of a byte.

use std::io::Read;

use crate::error::{EvalError, JsonPosition};

/// A byte stream read in chunks into one buffer.
pub(super) struct Input<R> {
    reader: R,
    read_size: usize,
    /// Allocated (and zeroed) once; `buffer[..filled]` holds data.
    buffer: Vec<u8>,
    pub(super) filled: usize,
    /// Absolute offset of `buffer[0]` in the stream.
    pub(super) base: u64,
    eof: bool,
    /// Newlines in the bytes already dropped, when lines are tracked (for error positions
    /// of inputs that cannot be read again).
    lines: Option<DroppedLines>,
}

/// The newlines of the bytes an [`Input`] has dropped.
#[derive(Debug, Clone, Copy, Default)]
struct DroppedLines {
    newlines: u64,
    /// The absolute offset of the first byte after the last dropped newline.
    line_start: u64,
}

pub(super) fn io_error(e: &std::io::Error) -> EvalError {
    EvalError::Input(format!("cannot read the input: {e}"))
}

impl<R: Read> Input<R> {
    pub(super) fn new(reader: R, read_size: usize, base: u64) -> Input<R> {
        Input {
            reader,
            read_size,
            buffer: Vec::new(),
            filled: 0,
            base,
            eof: false,
            lines: None,
        }
    }

    /// Counts the newlines of dropped bytes, so that errors can name a line and column.
    pub(super) fn tracking_lines(mut self) -> Input<R> {
        self.lines = Some(DroppedLines::default());
        self
    }

    /// The position of `data()[at]`: the byte, and the line and column when tracked.
    pub(super) fn position(&self, at: usize) -> JsonPosition {
        let at = at.min(self.filled);
        let byte = self.base + at as u64;
        let Some(dropped) = self.lines else {
            return JsonPosition {
                byte,
                line: None,
                column: None,
            };
        };
        let before = &self.buffer[..at];
        let newlines = memchr::memchr_iter(b'\n', before).count() as u64;
        let line_start = match memchr::memrchr(b'\n', before) {
            Some(i) => self.base + i as u64 + 1,
            None => dropped.line_start,
        };
        JsonPosition {
            byte,
            line: Some(dropped.newlines + newlines + 1),
            column: Some(byte - line_start + 1),
        }
    }

    /// The bytes read and not yet dropped.
    pub(super) fn data(&self) -> &[u8] {
        &self.buffer[..self.filled]
    }

    /// Drops `data()[..keep_from]` and reads more; `false` at the end of the stream.
    pub(super) fn refill(&mut self, keep_from: usize) -> Result<bool, EvalError> {
        if self.eof {
            return Ok(false);
        }
        let keep_from = keep_from.min(self.filled);
        if let Some(lines) = &mut self.lines {
            let dropped = &self.buffer[..keep_from];
            lines.newlines += memchr::memchr_iter(b'\n', dropped).count() as u64;
            if let Some(i) = memchr::memrchr(b'\n', dropped) {
                lines.line_start = self.base + i as u64 + 1;
            }
        }
        if keep_from > 0 {
            self.buffer.copy_within(keep_from..self.filled, 0);
            self.filled -= keep_from;
            self.base += keep_from as u64;
        }
        // Grow only when less than half a read fits: a record larger than the buffer
        // doubles it, so reading stays linear.
        if self.buffer.len() - self.filled < self.read_size / 2 + 1 {
            let grow = self.read_size.max(self.buffer.len());
            self.buffer.resize(self.buffer.len() + grow, 0);
        }
        let before = self.filled;
        while self.filled < self.buffer.len() {
            match self.reader.read(&mut self.buffer[self.filled..]) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(n) => self.filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(io_error(&e)),
            }
        }
        Ok(self.filled > before || !self.eof)
    }

    /// Reads the rest of the stream into the buffer.
    pub(super) fn read_to_end(&mut self) -> Result<(), EvalError> {
        self.buffer.truncate(self.filled);
        if !self.eof {
            self.reader
                .read_to_end(&mut self.buffer)
                .map_err(|e| io_error(&e))?;
            self.eof = true;
        }
        self.filled = self.buffer.len();
        Ok(())
    }
}
