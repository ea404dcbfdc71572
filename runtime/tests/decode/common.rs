//! Helpers shared by the decoder tests.

use upkeep_runtime::decode::{DecodeError, DecodeOptions, Decoder, Format, Sample, Stats};

/// Every item of a lenient decode of `input`, and the stats.
pub fn run(
    format: Format,
    input: &str,
    options: DecodeOptions,
) -> (Vec<Result<Sample, DecodeError>>, Stats) {
    let mut decoder = Decoder::with_options(input.as_bytes(), format, options);
    let items: Vec<_> = decoder.by_ref().collect();
    (items, decoder.into_stats())
}

/// The samples of `input` in Prometheus text form; panics on a bad line.
pub fn ok(format: Format, input: &str) -> Vec<String> {
    let (items, stats) = run(format, input, DecodeOptions::default());
    assert_eq!(stats.bad_lines, 0, "unexpected errors: {:?}", stats.first_errors);
    items.into_iter().map(|s| s.unwrap().to_string()).collect()
}

/// The one error `line` gives, as text (`line 1: …`).
pub fn err(format: Format, line: &str) -> String {
    let (items, stats) = run(format, line, DecodeOptions::default());
    assert_eq!(stats.bad_lines, 1, "{line:?} was accepted: {items:?}");
    assert_eq!(items.len(), 1, "a bad line yields no sample: {items:?}");
    let error = items.into_iter().next().unwrap().unwrap_err();
    format!("{}", error.reason)
}
