//! Properties, with fixed case counts so CI time is bounded (`fuzz/` runs
//! the never-panic ones for longer):
//!
//! - every decoder takes any bytes without panicking, and what it yields
//!   agrees with its stats;
//! - samples encoded in a format and decoded again are the same samples:
//!   names, labels (with every character that needs escaping), values to
//!   the bit (NaN, ±∞ and -0 included where the format has them), times.

use proptest::prelude::*;
use upkeep_runtime::decode::{DecodeOptions, Decoder, EXCERPT_CHARS, Format, Label, Sample};

/// Decodes `input` and checks what the items and the stats say agree.
fn decode_checked(format: Format, input: &[u8], strict: bool) {
    let options = DecodeOptions { strict, max_errors_kept: 5, ..DecodeOptions::default() };
    let mut decoder = Decoder::with_options(input, format, options);
    let (mut samples, mut errors, mut last_line) = (0u64, 0u64, 0u64);
    for item in decoder.by_ref() {
        match item {
            Ok(s) => {
                samples += 1;
                assert!(
                    s.labels.windows(2).all(|w| w[0].name < w[1].name),
                    "labels sorted, unique"
                );
                assert!(!s.name.is_empty(), "every series has a name");
            }
            Err(e) => {
                errors += 1;
                assert!(e.line > last_line, "one error per line, in order");
                last_line = e.line;
                assert!(e.excerpt.chars().count() <= EXCERPT_CHARS + 1);
                let _ = e.to_string();
            }
        }
    }
    let stats = decoder.stats();
    assert_eq!(stats.samples, samples);
    assert_eq!(stats.bad_lines, errors);
    assert!(last_line <= stats.lines);
    assert_eq!(stats.first_errors.len() as u64, errors.min(5));
    if strict {
        assert!(errors <= 1);
    }
}

/// Pieces of all four formats, to reach past the first byte of a line.
const PIECES: &[&str] = &[
    "cpu",
    "m",
    "_total",
    ",",
    " ",
    "\t",
    "=",
    "\"",
    "\\",
    "\\,",
    "\\ ",
    "\\=",
    "\\\"",
    "\\n",
    "{",
    "}",
    "#",
    "# EOF",
    "# TYPE m gauge",
    "1",
    "-1.5e3",
    "3i",
    "7u",
    "t",
    "FALSE",
    "NaN",
    "+Inf",
    "-Inf",
    "1700000000",
    "1700000000.123",
    "1700000000000000000",
    "{\"name\":",
    "\"value\":",
    "\"labels\":{",
    "\"timestamp\":",
    ":",
    "null",
    "\"2023-11-14T22:13:20Z\"",
    "é",
    "\n",
    "\r\n",
    "\u{0}",
];

fn soup() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop::sample::select(PIECES), 0..60).prop_map(|p| p.concat().into_bytes())
}

fn any_format() -> impl Strategy<Value = Format> {
    prop::sample::select(Format::ALL.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn never_panics_on_bytes(format in any_format(), input in prop::collection::vec(any::<u8>(), 0..400), strict: bool) {
        decode_checked(format, &input, strict);
    }

    #[test]
    fn never_panics_on_token_soup(format in any_format(), input in soup(), strict: bool) {
        decode_checked(format, &input, strict);
    }
}

// ------------------------------------------------------------ round trip

/// A series as generated: line protocol needs the measurement and field
/// apart, the other formats the whole name.
#[derive(Debug, Clone)]
struct Series {
    measurement: String,
    field: String,
    labels: Vec<(String, String)>,
}

fn series(value: &'static str) -> impl Strategy<Value = Series> {
    let measurement = "[a-zA-Z][a-zA-Z0-9_]{0,6}"
        .prop_filter("not Telegraf's special name", |m| m != "prometheus");
    let labels = prop::collection::btree_map("[a-zA-Z_][a-zA-Z0-9_]{0,6}", value, 0..5);
    (measurement, "[a-zA-Z_][a-zA-Z0-9_:]{0,6}", labels).prop_map(|(measurement, field, labels)| {
        Series { measurement, field, labels: labels.into_iter().collect() }
    })
}

fn samples(format: Format) -> impl Strategy<Value = Vec<Sample>> {
    // Line protocol has no newline in tag values and no empty ones; the
    // others drop an empty label value (it means no label), so none are made.
    let value_chars = if format == Format::Influx { "[^\n\r]{1,8}" } else { "(?s:.{1,8})" };
    let value = if format == Format::Influx {
        any::<f64>().prop_filter("line protocol floats are finite", |v| v.is_finite()).boxed()
    } else {
        any::<f64>().boxed()
    };
    let time = prop::option::of(-4_000_000_000_000i64..4_000_000_000_000);
    let one = (series(value_chars), value, time).prop_map(|(s, value, timestamp_ms)| Sample {
        name: format!("{}_{}", s.measurement, s.field).into(),
        labels: s
            .labels
            .into_iter()
            .map(|(n, v)| Label { name: n.into(), value: v.into() })
            .collect(),
        value,
        timestamp_ms,
    });
    prop::collection::vec(one, 0..20)
}

fn encode(format: Format, samples: &[Sample]) -> String {
    let mut out = String::new();
    for s in samples {
        let line = match format {
            Format::Prometheus => s.to_string(),
            Format::OpenMetrics => openmetrics_line(s),
            Format::Influx => influx_line(s),
            Format::JsonLines => json_line(s),
        };
        out.push_str(&line);
        out.push('\n');
    }
    if format == Format::OpenMetrics {
        out.push_str("# EOF\n");
    }
    out
}

fn influx_line(s: &Sample) -> String {
    let escape = |t: &str| {
        t.replace('\\', "\\\\").replace(',', "\\,").replace(' ', "\\ ").replace('=', "\\=")
    };
    // The generated name is `measurement_field` with no `_` in the measurement
    // … except where the generator put one; split at the first `_` either
    // way, since Telegraf's naming joins them back the same.
    let (m, f) = s.name.split_once('_').unwrap();
    let mut line = m.to_owned();
    for l in s.labels.iter() {
        line += &format!(",{}={}", l.name, escape(&l.value));
    }
    line += &format!(" {f}={}", s.value);
    if let Some(ms) = s.timestamp_ms {
        line += &format!(" {}", ms * 1_000_000);
    }
    line
}

fn openmetrics_line(s: &Sample) -> String {
    let prom = Sample { timestamp_ms: None, ..s.clone() }.to_string();
    match s.timestamp_ms {
        Some(ms) => {
            let sign = if ms < 0 { "-" } else { "" };
            format!("{prom} {sign}{}.{:03}", ms.abs() / 1000, ms.abs() % 1000)
        }
        None => prom,
    }
}

fn json_line(s: &Sample) -> String {
    let labels: serde_json::Map<String, serde_json::Value> =
        s.labels.iter().map(|l| (l.name.to_string(), l.value.to_string().into())).collect();
    let value = match s.value {
        v if v.is_nan() => serde_json::json!("NaN"),
        f64::INFINITY => serde_json::json!("+Inf"),
        f64::NEG_INFINITY => serde_json::json!("-Inf"),
        v => serde_json::json!(v),
    };
    serde_json::json!({ "name": &*s.name, "labels": labels, "value": value, "timestamp": s.timestamp_ms })
        .to_string()
}

/// Equal, with values compared bit for bit (so NaN equals NaN).
fn same(a: &Sample, b: &Sample) -> bool {
    a.name == b.name
        && a.labels == b.labels
        && a.timestamp_ms == b.timestamp_ms
        && (a.value.to_bits() == b.value.to_bits() || a.value.is_nan() && b.value.is_nan())
}

fn round_trip(format: Format, samples: &[Sample]) -> Result<(), TestCaseError> {
    let text = encode(format, samples);
    let mut decoder = Decoder::new(text.as_bytes(), format);
    let decoded: Vec<Sample> = decoder
        .by_ref()
        .map(|s| s.map_err(|e| e.to_string()))
        .collect::<Result<_, _>>()
        .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
    prop_assert_eq!(decoded.len(), samples.len());
    for (got, want) in decoded.iter().zip(samples) {
        prop_assert!(same(got, want), "{} decoded as {}\n{:?}", want, got, text);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn influx_round_trips(samples in samples(Format::Influx)) {
        round_trip(Format::Influx, &samples)?;
    }

    #[test]
    fn prometheus_round_trips(samples in samples(Format::Prometheus)) {
        round_trip(Format::Prometheus, &samples)?;
    }

    #[test]
    fn openmetrics_round_trips(samples in samples(Format::OpenMetrics)) {
        round_trip(Format::OpenMetrics, &samples)?;
    }

    #[test]
    fn jsonl_round_trips(samples in samples(Format::JsonLines)) {
        round_trip(Format::JsonLines, &samples)?;
    }
}
