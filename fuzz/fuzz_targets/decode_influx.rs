//! The Influx decoder takes any bytes without panicking, and what it yields
//! agrees with its stats (see `decode_common.rs`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use upkeep_runtime::decode::Format;

#[path = "decode_common.rs"]
mod common;

fuzz_target!(|input: &[u8]| common::check(Format::Influx, input));
