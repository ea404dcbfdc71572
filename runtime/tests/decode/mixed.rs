//! Streams mixing good and bad lines: every bad line is counted and
//! reported with its number and reason, and the good lines after it are
//! decoded; `strict` stops at the first.

use crate::common::run;
use std::io::{self, BufRead, Read};
use upkeep_runtime::decode::{DecodeOptions, Decoder, Format, Reason};

const STREAM: &str = "\
cpu,host=a usage_idle=90 1000000000
cpu,host=a usage_idle=oops 2000000000

cpu,host=a usage_idle=91 3000000000
cpu,host=a
# a comment
mem,host=a free=5i,used=6i 4000000000
,bad=1 f=1
cpu,host=a usage_idle=92 5000000000";

#[test]
fn bad_lines_are_counted_reported_and_skipped() {
    let (items, stats) = run(Format::Influx, STREAM, DecodeOptions::default());
    let summary: Vec<String> = items
        .iter()
        .map(|item| match item {
            Ok(s) => format!("{} {}", s.name, s.value),
            Err(e) => format!("line {}: {}", e.line, e.reason),
        })
        .collect();
    assert_eq!(
        summary,
        [
            "cpu_usage_idle 90",
            "line 2: invalid field value `oops`",
            "cpu_usage_idle 91",
            "line 5: missing field set",
            "mem_free 5",
            "mem_used 6",
            "line 8: missing measurement",
            "cpu_usage_idle 92",
        ]
    );
    assert_eq!((stats.lines, stats.samples, stats.bad_lines), (9, 5, 3));
    let kept: Vec<_> = stats.first_errors.iter().map(|e| (e.line, e.excerpt.as_str())).collect();
    assert_eq!(
        kept,
        [(2, "cpu,host=a usage_idle=oops 2000000000"), (5, "cpu,host=a"), (8, ",bad=1 f=1")]
    );
    assert_eq!(
        stats.first_errors[0].to_string(),
        "line 2: invalid field value `oops`: `cpu,host=a usage_idle=oops 2000000000`"
    );
}

#[test]
fn only_the_first_errors_are_kept_but_all_are_counted() {
    let input = "x\n".repeat(50) + "m f=1\n";
    let options = DecodeOptions { max_errors_kept: 3, ..DecodeOptions::default() };
    let (items, stats) = run(Format::Influx, &input, options);
    assert_eq!(items.iter().filter(|i| i.is_ok()).count(), 1);
    assert_eq!(stats.bad_lines, 50);
    assert_eq!(stats.first_errors.iter().map(|e| e.line).collect::<Vec<_>>(), [1, 2, 3]);
}

#[test]
fn strict_stops_at_the_first_bad_line() {
    let options = DecodeOptions { strict: true, ..DecodeOptions::default() };
    let (items, stats) = run(Format::Influx, STREAM, options);
    assert_eq!(items.len(), 2);
    assert!(items[0].is_ok());
    assert_eq!(items[1].as_ref().unwrap_err().line, 2);
    assert_eq!((stats.lines, stats.samples, stats.bad_lines), (2, 1, 1));
}

#[test]
fn invalid_utf8_and_overlong_lines_are_bad_lines() {
    let mut input = b"m f=1\nm,t=\xff f=1\n".to_vec();
    input.extend_from_slice(&[b'a'; 300]);
    input.extend_from_slice(b" f=1\nm f=2\n");
    let options = DecodeOptions { max_line_bytes: 100, ..DecodeOptions::default() };
    let mut decoder = Decoder::with_options(&input[..], Format::Influx, options);
    let items: Vec<_> = decoder.by_ref().collect();
    assert_eq!(items.len(), 4);
    let errors: Vec<_> = items.iter().filter_map(|i| i.as_ref().err()).collect();
    assert_eq!(errors[0].line, 2);
    assert_eq!(errors[0].reason, Reason::InvalidUtf8);
    assert_eq!(errors[0].excerpt, "m,t=\u{fffd} f=1");
    assert_eq!(errors[1].line, 3);
    assert_eq!(errors[1].reason, Reason::LineTooLong { limit: 100 });
    assert_eq!(errors[1].excerpt, format!("{}…", "a".repeat(100)));
    assert_eq!(items[3].as_ref().unwrap().value, 2.0);
}

/// A reader that fails after its data, as a broken pipe would.
struct Failing<'a>(&'a [u8]);

impl Read for Failing<'_> {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        unreachable!("read through BufRead")
    }
}

impl BufRead for Failing<'_> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.0.is_empty() { Err(io::Error::other("connection reset")) } else { Ok(self.0) }
    }
    fn consume(&mut self, n: usize) {
        self.0 = &self.0[n..];
    }
}

#[test]
fn a_read_error_ends_the_stream() {
    let mut decoder = Decoder::new(Failing(b"m f=1\nm f=2\n"), Format::Influx);
    let items: Vec<_> = decoder.by_ref().collect();
    assert_eq!(items.len(), 3);
    let error = items[2].as_ref().unwrap_err();
    assert_eq!((error.line, error.reason.clone()), (3, Reason::Io("connection reset".into())));
    // Not a bad line: the input was fine as far as it went.
    assert_eq!(decoder.stats().bad_lines, 0);
    assert!(decoder.next().is_none());
}

#[test]
fn every_format_reports_and_goes_on() {
    let streams = [
        (Format::Prometheus, "a 1\nb{ 2\nc 3\n"),
        (Format::OpenMetrics, "a 1 1\nb 2 x\nc 3 3\n# EOF\n"),
        (
            Format::JsonLines,
            "{\"name\":\"a\",\"value\":1}\n{\"name\":\"b\"\n{\"name\":\"c\",\"value\":3}\n",
        ),
    ];
    for (format, input) in streams {
        let (items, stats) = run(format, input, DecodeOptions::default());
        let names: Vec<String> = items.iter().flatten().map(|s| s.name.to_string()).collect();
        assert_eq!(names, ["a", "c"], "{format}");
        assert_eq!(stats.first_errors.iter().map(|e| e.line).collect::<Vec<_>>(), [2], "{format}");
    }
}

#[test]
fn format_names_parse_back() {
    for format in Format::ALL {
        assert_eq!(format.name().parse::<Format>(), Ok(format));
    }
    assert_eq!("Prometheus".parse::<Format>(), Ok(Format::Prometheus));
    assert_eq!(
        "csv".parse::<Format>().unwrap_err().to_string(),
        "unknown input format `csv` (expected influx, prom, openmetrics or jsonl)"
    );
}
