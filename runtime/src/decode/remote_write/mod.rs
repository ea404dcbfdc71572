//! Prometheus remote-write 1.0: the body of `POST /api/v1/write`, as
//! Prometheus, vmagent or Grafana Agent send it, in; [`Sample`]s out.
//!
//! ```
//! use upkeep_runtime::decode::remote_write::{RemoteWriteDecoder, RemoteWriteLimits};
//! use upkeep_runtime::decode::remote_write::encode_remote_write;
//!
//! let body = encode_remote_write(&[
//!     (vec![("__name__", "up"), ("job", "node")], vec![(1.0, 1_700_000_000_000)]),
//!     (vec![("__name__", "up"), ("job", "node"), ("job", "db")], vec![(0.0, 1_700_000_000_000)]),
//! ])?;
//! let mut decoder = RemoteWriteDecoder::new(RemoteWriteLimits::default());
//! let batch = decoder.decode(&body)?;
//! assert_eq!(batch.samples[0].to_string(), r#"up{job="node"} 1 1700000000000"#);
//! assert_eq!(
//!     batch.to_string(),
//!     "accepted 1 sample of 2 series; refused 1 series (1 sample): series 1 `up`: duplicate label `job`"
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The body is a protobuf `WriteRequest` ([`proto`]) compressed with snappy
//! in the *block* format (not the framed one). It is refused whole, with a
//! [`RemoteWriteError`], when it is larger than a [`RemoteWriteLimits`]
//! bound (the decompressed length is read from the snappy header and
//! checked before anything is allocated, so a small body claiming gigabytes
//! costs nothing), is not snappy, or is not protobuf. Otherwise each series
//! is checked on its own: one that breaks the data model is refused with
//! its samples and a [`Reject`] saying why, and the rest of the request is
//! decoded. The [`RemoteWriteBatch`] counts everything that was not turned
//! into samples, so the HTTP layer can answer "accepted N, refused M
//! because …". The rules are in `docs/input-formats.md`.
//!
//! Each sample's labels are sorted by name, unique, without `__name__` and
//! without empty values; names and label sets come from the decoder's
//! interner, shared across the samples of a series and across requests.
//! Values are kept to the bit: a stale marker stays the NaN of bits
//! [`STALE_NAN_BITS`] ([`is_stale_marker`]).

pub mod proto;
mod series;
mod wire;

pub use proto::{EncodeError, encode_remote_write};
pub use series::{Reject, RejectReason};

use super::intern::Interner;
use super::parsed::Parsed;
use super::sample::Sample;
use series::NAME_LABEL;
use std::fmt;
use wire::Fields;

/// The bits of the NaN Prometheus writes as a stale marker: the series
/// ended (its target vanished, or it is no longer exposed).
pub const STALE_NAN_BITS: u64 = 0x7ff0_0000_0000_0002;

/// Whether `value` is a Prometheus stale marker (not any NaN: that one).
pub fn is_stale_marker(value: f64) -> bool {
    value.to_bits() == STALE_NAN_BITS
}

/// What one request may hold. Past the first three the request is refused
/// whole; past the others, the series is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteWriteLimits {
    /// The compressed body, in bytes (16 MiB).
    pub max_body_bytes: usize,
    /// The protobuf message once decompressed, in bytes (64 MiB).
    pub max_decompressed_bytes: usize,
    /// Samples in the request, refused series included (2²¹, about two
    /// million: 120 MB of samples).
    pub max_samples: usize,
    /// Labels of one series, `__name__` included (128).
    pub max_labels_per_series: usize,
    /// Bytes of one label name (1024).
    pub max_label_name_bytes: usize,
    /// Bytes of one label value, the metric name included (4096).
    pub max_label_value_bytes: usize,
    /// How many [`Reject`]s a batch keeps (all are counted) (20).
    pub max_rejects_kept: usize,
    /// How many distinct strings, and label sets, the decoder's interner
    /// keeps before it starts afresh (2¹⁸).
    pub max_interned: usize,
}

impl Default for RemoteWriteLimits {
    fn default() -> Self {
        RemoteWriteLimits {
            max_body_bytes: 16 << 20,
            max_decompressed_bytes: 64 << 20,
            max_samples: 1 << 21,
            max_labels_per_series: 128,
            max_label_name_bytes: 1024,
            max_label_value_bytes: 4096,
            max_rejects_kept: 20,
            max_interned: 1 << 18,
        }
    }
}

/// A request that was refused whole: nothing of it was decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RemoteWriteError {
    /// The body is longer than [`RemoteWriteLimits::max_body_bytes`].
    #[error("request body is {len} bytes, more than the limit of {limit}")]
    BodyTooLarge {
        /// The body's length.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// The body would decompress to more than
    /// [`RemoteWriteLimits::max_decompressed_bytes`].
    #[error("body decompresses to {len} bytes, more than the limit of {limit}")]
    DecompressedTooLarge {
        /// The length the snappy header claims.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// The body is not snappy in the block format (snap's message).
    #[error("invalid snappy body (block format expected): {0}")]
    Snappy(String),
    /// The decompressed body is not a `WriteRequest` message.
    #[error("invalid protobuf at byte {at} of the decompressed body: {what}")]
    Protobuf {
        /// Where the offending field starts.
        at: usize,
        /// What is wrong with it.
        what: String,
    },
    /// More samples than [`RemoteWriteLimits::max_samples`].
    #[error("more than {limit} samples in one request")]
    TooManySamples {
        /// The limit.
        limit: usize,
    },
}

impl RemoteWriteError {
    /// Whether a limit was passed (HTTP 413) rather than the body being
    /// malformed (HTTP 400).
    pub fn is_too_large(&self) -> bool {
        matches!(
            self,
            RemoteWriteError::BodyTooLarge { .. }
                | RemoteWriteError::DecompressedTooLarge { .. }
                | RemoteWriteError::TooManySamples { .. }
        )
    }
}

/// What one request gave: its samples, and the count of all it carried
/// that did not become samples.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RemoteWriteBatch {
    /// The samples of the accepted series, in request order.
    pub samples: Vec<Sample>,
    /// Series (`TimeSeries` entries) in the request.
    pub series: u64,
    /// The first [`RemoteWriteLimits::max_rejects_kept`] refused series.
    pub rejected: Vec<Reject>,
    /// Series refused.
    pub rejected_series: u64,
    /// Samples of the refused series.
    pub rejected_samples: u64,
    /// Accepted series whose labels were not sorted by name, as the spec
    /// requires of senders (sorted here, as Prometheus does).
    pub unsorted_series: u64,
    /// Native histogram samples: not supported, skipped.
    pub histograms_ignored: u64,
    /// Exemplars: skipped.
    pub exemplars_ignored: u64,
    /// Metadata entries (help, type, unit): skipped.
    pub metadata_ignored: u64,
}

impl fmt::Display for RemoteWriteBatch {
    /// One line for an HTTP answer or a log: what was accepted, the first
    /// refused series and why, what was skipped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.samples.len();
        write!(f, "accepted {n} sample{} of {} series", plural(n as u64), self.series)?;
        if self.rejected_series > 0 {
            let (s, r) = (self.rejected_series, self.rejected_samples);
            write!(f, "; refused {s} series ({r} sample{})", plural(r))?;
            for (i, reject) in self.rejected.iter().enumerate() {
                write!(f, "{}{reject}", if i == 0 { ": " } else { "; " })?;
            }
            let untold = s.saturating_sub(self.rejected.len() as u64);
            if untold > 0 {
                write!(f, "; and {untold} more")?;
            }
        }
        let skipped = [
            (self.histograms_ignored, "native histogram", "native histograms"),
            (self.exemplars_ignored, "exemplar", "exemplars"),
            (self.metadata_ignored, "metadata entry", "metadata entries"),
        ];
        let mut sep = "; skipped ";
        for (count, one, many) in skipped.into_iter().filter(|&(c, ..)| c > 0) {
            write!(f, "{sep}{count} {}", if count == 1 { one } else { many })?;
            sep = ", ";
        }
        Ok(())
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Decodes remote-write bodies, keeping its interner (and so the sharing of
/// names and label sets) from one request to the next.
#[derive(Debug)]
pub struct RemoteWriteDecoder {
    limits: RemoteWriteLimits,
    interner: Interner,
    parsed: Parsed,
}

/// Decodes one body with a decoder of its own; see [`RemoteWriteDecoder`].
pub fn decode_remote_write(
    body: &[u8],
    limits: &RemoteWriteLimits,
) -> Result<RemoteWriteBatch, RemoteWriteError> {
    RemoteWriteDecoder::new(limits.clone()).decode(body)
}

impl RemoteWriteDecoder {
    /// A decoder that holds every request to `limits`.
    pub fn new(limits: RemoteWriteLimits) -> Self {
        let interner = Interner::new(limits.max_interned);
        RemoteWriteDecoder { limits, interner, parsed: Parsed::default() }
    }

    /// Its limits.
    pub fn limits(&self) -> &RemoteWriteLimits {
        &self.limits
    }

    /// Decodes a request body: snappy (block format) around a protobuf
    /// `WriteRequest`.
    pub fn decode(&mut self, body: &[u8]) -> Result<RemoteWriteBatch, RemoteWriteError> {
        let limit = self.limits.max_body_bytes;
        if body.len() > limit {
            return Err(RemoteWriteError::BodyTooLarge { len: body.len(), limit });
        }
        let snappy = |e: snap::Error| RemoteWriteError::Snappy(e.to_string());
        // The header says how long the message is: check it before
        // allocating (snap allocates exactly that, and fails if the body
        // then does not fill it).
        let len = snap::raw::decompress_len(body).map_err(snappy)?;
        let limit = self.limits.max_decompressed_bytes;
        if len > limit {
            return Err(RemoteWriteError::DecompressedTooLarge { len, limit });
        }
        let message = snap::raw::Decoder::new().decompress_vec(body).map_err(snappy)?;
        self.decode_message(&message)
    }

    /// Decodes a `WriteRequest` message that is not compressed (or that the
    /// transport already decompressed).
    pub fn decode_message(&mut self, message: &[u8]) -> Result<RemoteWriteBatch, RemoteWriteError> {
        let limit = self.limits.max_decompressed_bytes;
        if message.len() > limit {
            return Err(RemoteWriteError::DecompressedTooLarge { len: message.len(), limit });
        }
        let mut batch = RemoteWriteBatch::default();
        let mut scratch = Scratch::default();
        for field in Fields::new(message, 0, 0) {
            let field = field?;
            match field.tag {
                1 => self.series(field.bytes()?, field.data_at, &mut scratch, &mut batch)?,
                3 => field.bytes().map(|_| batch.metadata_ignored += 1)?,
                _ => {}
            }
        }
        Ok(batch)
    }

    /// Decodes the `TimeSeries` `bytes` (at `at` in the message) into
    /// `batch`: its samples, or its [`Reject`].
    fn series<'m>(
        &mut self,
        bytes: &'m [u8],
        at: usize,
        scratch: &mut Scratch<'m>,
        batch: &mut RemoteWriteBatch,
    ) -> Result<(), RemoteWriteError> {
        let index = batch.series;
        batch.series += 1;
        let (labels, points) = (&mut scratch.labels, &mut scratch.points);
        labels.clear();
        points.clear();
        let mut label_count = 0;
        for field in Fields::new(bytes, at, 1) {
            let field = field?;
            match field.tag {
                1 => {
                    let label = wire::label(field.bytes()?, field.data_at)?;
                    // Past the limit the series is refused: count, don't keep.
                    if label_count < self.limits.max_labels_per_series {
                        labels.push(label);
                    }
                    label_count += 1;
                }
                2 => {
                    let point = wire::sample(field.bytes()?, field.data_at)?;
                    let seen = batch.samples.len() + batch.rejected_samples as usize + points.len();
                    if seen >= self.limits.max_samples {
                        return Err(RemoteWriteError::TooManySamples {
                            limit: self.limits.max_samples,
                        });
                    }
                    points.push(point);
                }
                3 => field.bytes().map(|_| batch.exemplars_ignored += 1)?,
                4 => field.bytes().map(|_| batch.histograms_ignored += 1)?,
                _ => {}
            }
        }
        let checked = match series::check(labels, label_count, &self.limits) {
            Ok(checked) => checked,
            Err(reason) => {
                let samples = points.len() as u64;
                batch.rejected_series += 1;
                batch.rejected_samples += samples;
                if batch.rejected.len() < self.limits.max_rejects_kept {
                    let metric = series::metric_of(labels);
                    batch.rejected.push(Reject { series: index, metric, samples, reason });
                }
                return Ok(());
            }
        };
        batch.unsorted_series += u64::from(checked.unsorted);
        if points.is_empty() {
            return Ok(());
        }
        let name = self.interner.str(checked.name);
        // An empty value is the same as no label, as in Prometheus.
        self.parsed.reset(0);
        for &(n, v) in labels.iter().filter(|(n, v)| *n != NAME_LABEL && !v.is_empty()) {
            let label = (self.parsed.copied(n), self.parsed.copied(v));
            self.parsed.labels.push(label);
        }
        let label_set = self.interner.labels(&self.parsed, "");
        batch.samples.extend(points.iter().map(|&(value, timestamp)| Sample {
            name: name.clone(),
            labels: label_set.clone(),
            value,
            timestamp_ms: Some(timestamp),
        }));
        Ok(())
    }
}

/// Buffers reused from one series of a request to the next.
#[derive(Debug, Default)]
struct Scratch<'m> {
    labels: Vec<(&'m str, &'m str)>,
    points: Vec<(f64, i64)>,
}
