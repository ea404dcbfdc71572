//! Streaming decoders: a metric stream in one of four text formats in, one
//! [`Sample`] per value out.
//!
//! ```
//! use upkeep_runtime::decode::{Decoder, Format};
//!
//! let input = "disk,host=db1,path=/ free=1.5e9,used=3i 1700000000000000000\n";
//! let mut decoder = Decoder::new(input.as_bytes(), Format::Influx);
//! let names: Vec<String> = decoder.by_ref().flatten().map(|s| s.name.to_string()).collect();
//! assert_eq!(names, ["disk_free", "disk_used"]);
//! assert_eq!(decoder.stats().samples, 2);
//! ```
//!
//! The input is read one line at a time from any `BufRead` into reused
//! buffers, and names and label sets come from a bounded interner, so
//! memory does not depend on the length of the input. A malformed line is
//! counted, kept among the first errors of [`Stats`] with its line number,
//! and yielded as an `Err`; decoding goes on with the next line unless
//! [`DecodeOptions::strict`] is set. The formats' rules are documented in
//! `docs/input-formats.md`.

mod error;
mod influx;
mod intern;
mod jsonl;
mod lines;
mod parsed;
mod prom;
pub mod remote_write;
mod sample;

pub use error::{DecodeError, EXCERPT_CHARS, Reason};
pub use influx::Precision;
pub use sample::{Label, Sample, find_label};

use intern::Interner;
use lines::{Line, LineReader};
use parsed::Parsed;
use prom::Dialect;
use std::collections::VecDeque;
use std::fmt;
use std::io::BufRead;
use std::iter::FusedIterator;
use std::str::FromStr;

/// The text formats a stream can be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// InfluxDB line protocol, as Telegraf writes it.
    Influx,
    /// The Prometheus text exposition format 0.0.4.
    Prometheus,
    /// OpenMetrics text 1.0.
    OpenMetrics,
    /// One JSON object per line (schema in `docs/input-formats.md`).
    JsonLines,
}

impl Format {
    /// Every format, in the order the documentation lists them.
    pub const ALL: [Format; 4] =
        [Format::Influx, Format::Prometheus, Format::OpenMetrics, Format::JsonLines];

    /// The name `--format` takes: `influx`, `prom`, `openmetrics`, `jsonl`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Influx => "influx",
            Format::Prometheus => "prom",
            Format::OpenMetrics => "openmetrics",
            Format::JsonLines => "jsonl",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A format name that is none of those of [`Format::name`] or their aliases.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown input format `{0}` (expected influx, prom, openmetrics or jsonl)")]
pub struct UnknownFormat(pub String);

impl FromStr for Format {
    type Err = UnknownFormat;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "influx" | "lp" | "line-protocol" => Ok(Format::Influx),
            "prom" | "prometheus" => Ok(Format::Prometheus),
            "openmetrics" | "om" => Ok(Format::OpenMetrics),
            "jsonl" | "json" | "ndjson" => Ok(Format::JsonLines),
            _ => Err(UnknownFormat(s.to_owned())),
        }
    }
}

/// How a [`Decoder`] treats its input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeOptions {
    /// Stop at the first malformed line (the `Err` is the last item).
    pub strict: bool,
    /// The unit of line-protocol timestamps; nanoseconds by default.
    pub precision: Precision,
    /// How many errors [`Stats::first_errors`] keeps (all are counted).
    pub max_errors_kept: usize,
    /// A longer line is rejected ([`Reason::LineTooLong`]) and skipped
    /// without being held in memory.
    pub max_line_bytes: usize,
    /// How many distinct strings, and how many distinct label sets, the
    /// interner keeps before it starts afresh.
    pub max_interned: usize,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        DecodeOptions {
            strict: false,
            precision: Precision::Nanoseconds,
            max_errors_kept: 20,
            max_line_bytes: 1 << 20,
            max_interned: 1 << 18,
        }
    }
}

/// What a decoder has read so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Lines read, blank and comment lines included.
    pub lines: u64,
    /// Samples decoded.
    pub samples: u64,
    /// Lines rejected.
    pub bad_lines: u64,
    /// Values present but not numeric, and so not samples: line-protocol
    /// string fields.
    pub skipped_values: u64,
    /// The first [`DecodeOptions::max_errors_kept`] errors, in input order.
    pub first_errors: Vec<DecodeError>,
}

/// Decodes a stream of `format` text; an iterator of samples, with an `Err`
/// for each malformed line (see the module documentation).
#[derive(Debug)]
pub struct Decoder<R> {
    lines: LineReader<R>,
    format: Format,
    options: DecodeOptions,
    parsed: Parsed,
    interner: Interner,
    pending: VecDeque<Sample>,
    stats: Stats,
    done: bool,
}

impl<R: BufRead> Decoder<R> {
    /// A decoder with the default options (lenient, nanosecond precision).
    pub fn new(reader: R, format: Format) -> Self {
        Self::with_options(reader, format, DecodeOptions::default())
    }

    /// A decoder with `options`.
    pub fn with_options(reader: R, format: Format, options: DecodeOptions) -> Self {
        Decoder {
            lines: LineReader::new(reader, options.max_line_bytes),
            format,
            interner: Interner::new(options.max_interned),
            options,
            parsed: Parsed::default(),
            pending: VecDeque::new(),
            stats: Stats::default(),
            done: false,
        }
    }

    /// The counts so far.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// The counts, once the decoder is no longer needed.
    pub fn into_stats(self) -> Stats {
        self.stats
    }

    /// Decodes the line just read into `pending`; nothing is queued when
    /// any part of the line is bad.
    fn decode_line(&mut self) -> Result<(), Reason> {
        let line = std::str::from_utf8(self.lines.line()).map_err(|_| Reason::InvalidUtf8)?;
        let parsed = &mut self.parsed;
        parsed.reset(line.len());
        match self.format {
            Format::Influx => influx::parse(line, parsed, self.options.precision),
            Format::Prometheus => prom::parse(line, parsed, Dialect::Prometheus),
            Format::OpenMetrics => prom::parse(line, parsed, Dialect::OpenMetrics),
            Format::JsonLines => jsonl::parse(line, parsed),
        }?;
        self.stats.skipped_values += parsed.skipped;
        if parsed.samples.is_empty() {
            return Ok(());
        }
        let labels = self.interner.labels(parsed, line);
        for raw in &parsed.samples {
            self.pending.push_back(Sample {
                name: self.interner.str(parsed.text(line, raw.name)),
                labels: labels.clone(),
                value: raw.value,
                timestamp_ms: raw.timestamp_ms,
            });
        }
        self.stats.samples += parsed.samples.len() as u64;
        Ok(())
    }

    /// Counts and keeps the error of the line just read.
    fn reject(&mut self, reason: Reason) -> DecodeError {
        let mut error = DecodeError::new(self.lines.number(), reason, self.lines.line());
        if matches!(error.reason, Reason::LineTooLong { .. }) && !error.excerpt.ends_with('…') {
            // Only the start of the line was kept: say that it goes on.
            error.excerpt.push('…');
        }
        self.stats.bad_lines += 1;
        if self.stats.first_errors.len() < self.options.max_errors_kept {
            self.stats.first_errors.push(error.clone());
        }
        self.done |= self.options.strict;
        error
    }
}

impl<R: BufRead> Iterator for Decoder<R> {
    type Item = Result<Sample, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(sample) = self.pending.pop_front() {
                return Some(Ok(sample));
            }
            if self.done {
                return None;
            }
            match self.lines.next_line() {
                Ok(Some(kind)) => {
                    self.stats.lines += 1;
                    let decoded = match kind {
                        Line::Complete => self.decode_line(),
                        Line::TooLong => {
                            Err(Reason::LineTooLong { limit: self.options.max_line_bytes })
                        }
                    };
                    if let Err(reason) = decoded {
                        return Some(Err(self.reject(reason)));
                    }
                }
                Ok(None) => self.done = true,
                Err(e) => {
                    // A failed read is not a bad line: it ends the stream.
                    self.done = true;
                    return Some(Err(DecodeError::new(
                        self.lines.number() + 1,
                        Reason::Io(e.to_string()),
                        b"",
                    )));
                }
            }
        }
    }
}

impl<R: BufRead> FusedIterator for Decoder<R> {}
