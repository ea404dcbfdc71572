//! Reads a `BufRead` one line at a time into a reused buffer, with a bound
//! on the length of a line.
//!
//! `BufRead::read_until` would do, but it grows its buffer to the length of
//! the longest line: one missing newline in a 10 GB file and the whole file
//! is in memory. Here a line past the limit is cut: its first bytes are kept
//! for the error's excerpt and the rest is skipped up to the next newline.

use std::io::{self, BufRead};

/// What [`LineReader::next_line`] found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Line {
    /// A line is in [`LineReader::line`] (without its `\n` or `\r\n`).
    Complete,
    /// The line was longer than the limit; its first bytes are in
    /// [`LineReader::line`].
    TooLong,
}

#[derive(Debug)]
pub(crate) struct LineReader<R> {
    inner: R,
    buf: Vec<u8>,
    max: usize,
    number: u64,
}

impl<R: BufRead> LineReader<R> {
    /// Lines longer than `max` bytes are cut (see [`Line::TooLong`]).
    pub(crate) fn new(inner: R, max: usize) -> Self {
        LineReader { inner, buf: Vec::new(), max: max.max(1), number: 0 }
    }

    /// The line last read.
    pub(crate) fn line(&self) -> &[u8] {
        &self.buf
    }

    /// The 1-based number of the line last read (0 before the first).
    pub(crate) fn number(&self) -> u64 {
        self.number
    }

    /// Reads the next line; `None` at the end of the input. A last line
    /// without a final newline is a line like any other.
    pub(crate) fn next_line(&mut self) -> io::Result<Option<Line>> {
        self.buf.clear();
        let mut too_long = false;
        let mut read_any = false;
        loop {
            let chunk = match self.inner.fill_buf() {
                Ok(chunk) => chunk,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if chunk.is_empty() {
                if !read_any {
                    return Ok(None);
                }
                break;
            }
            read_any = true;
            let (piece, used, done) = match memchr::memchr(b'\n', chunk) {
                Some(at) => (chunk.get(..at).unwrap_or(chunk), at + 1, true),
                None => (chunk, chunk.len(), false),
            };
            let room = self.max.saturating_sub(self.buf.len());
            if piece.len() > room {
                too_long = true;
            }
            self.buf.extend_from_slice(piece.get(..room.min(piece.len())).unwrap_or(piece));
            self.inner.consume(used);
            if done {
                break;
            }
        }
        self.number += 1;
        if too_long {
            return Ok(Some(Line::TooLong));
        }
        if self.buf.last() == Some(&b'\r') {
            self.buf.pop();
        }
        Ok(Some(Line::Complete))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(input: &[u8], max: usize) -> Vec<(u64, Line, Vec<u8>)> {
        let mut r = LineReader::new(io::BufReader::with_capacity(4, input), max);
        let mut out = Vec::new();
        while let Some(kind) = r.next_line().unwrap() {
            out.push((r.number(), kind, r.line().to_vec()));
        }
        out
    }

    #[test]
    fn splits_lines_across_buffer_refills() {
        let got = all(b"first line\r\n\nlast", 100);
        assert_eq!(
            got,
            [
                (1, Line::Complete, b"first line".to_vec()),
                (2, Line::Complete, b"".to_vec()),
                (3, Line::Complete, b"last".to_vec()),
            ]
        );
        assert!(all(b"", 100).is_empty());
        assert_eq!(all(b"\n", 100).len(), 1);
    }

    #[test]
    fn cuts_long_lines_and_goes_on() {
        let got = all(b"0123456789abcdef\nok\n", 6);
        assert_eq!(got[0], (1, Line::TooLong, b"012345".to_vec()));
        assert_eq!(got[1], (2, Line::Complete, b"ok".to_vec()));
        // Exactly at the limit is fine.
        assert_eq!(all(b"012345\n", 6)[0].1, Line::Complete);
    }
}
