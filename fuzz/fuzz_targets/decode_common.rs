//! Shared by the `decode_*` targets: decode any bytes, leniently and
//! strictly, and check that what the decoder yields agrees with its stats.

use upkeep_runtime::decode::{DecodeOptions, Decoder, EXCERPT_CHARS, Format};

pub fn check(format: Format, input: &[u8]) {
    for strict in [false, true] {
        // Small limits, so the fuzzer reaches the long-line and cache paths.
        let options = DecodeOptions {
            strict,
            max_errors_kept: 3,
            max_line_bytes: 256,
            max_interned: 8,
            ..DecodeOptions::default()
        };
        let mut decoder = Decoder::with_options(input, format, options);
        let (mut samples, mut errors, mut last_line) = (0u64, 0u64, 0u64);
        for item in decoder.by_ref() {
            match item {
                Ok(s) => {
                    samples += 1;
                    assert!(s.labels.windows(2).all(|w| w[0].name < w[1].name));
                    assert!(!s.name.is_empty());
                }
                Err(e) => {
                    errors += 1;
                    assert!(e.line > last_line);
                    last_line = e.line;
                    assert!(e.excerpt.chars().count() <= EXCERPT_CHARS + 1);
                    let _ = e.to_string();
                }
            }
        }
        let stats = decoder.stats();
        assert_eq!((stats.samples, stats.bad_lines), (samples, errors));
        assert!(last_line <= stats.lines);
        assert_eq!(stats.first_errors.len() as u64, errors.min(3));
        assert!(!strict || errors <= 1);
    }
}
