//! The decoders through their public API: one module per format (every
//! escape, value form and timestamp rule of `docs/input-formats.md`), a
//! stream mixing good and bad lines, and properties (never panic on any
//! bytes; samples survive encode → decode) with fixed case counts.

mod common;
mod influx;
mod jsonl;
mod mixed;
mod openmetrics;
mod prometheus;
mod props;
