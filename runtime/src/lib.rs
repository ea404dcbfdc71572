//! The Upkeep runtime: metric streams in, policy states out.
//!
//! This crate grows along the runtime's path in the architecture (decode →
//! series index → windows → evaluation → instance states → events). So far
//! it holds [`decode`] (streaming decoders for InfluxDB line protocol,
//! Prometheus text, OpenMetrics and JSON lines) and [`window`] (incremental
//! windows for the language's window functions).

pub mod decode;
pub mod window;
