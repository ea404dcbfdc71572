//! The Prometheus text exposition format 0.0.4.

use crate::common::{err, ok, run};
use upkeep_runtime::decode::{DecodeOptions, Format};

const F: Format = Format::Prometheus;

#[test]
fn samples_with_labels_timestamps_help_and_type() {
    let input = "\
# HELP node_filesystem_avail_bytes Filesystem space available.
# TYPE node_filesystem_avail_bytes gauge
node_filesystem_avail_bytes{device=\"/dev/sda1\",fstype=\"ext4\",mountpoint=\"/\"} 1.2e+10 1700000000123
node_load1 0.5
";
    assert_eq!(
        ok(F, input),
        [
            r#"node_filesystem_avail_bytes{device="/dev/sda1",fstype="ext4",mountpoint="/"} 12000000000 1700000000123"#,
            "node_load1 0.5",
        ]
    );
}

#[test]
fn label_value_escapes() {
    // `\\`, `\"` and `\n` are escapes; any other backslash stays as written.
    let (items, _) =
        run(F, r#"m{a="x\\y",b="q\"z",c="l\nm",d="\t",e="{}=, #"} 1"#, DecodeOptions::default());
    let s = items.into_iter().next().unwrap().unwrap();
    assert_eq!(s.label("a"), Some("x\\y"));
    assert_eq!(s.label("b"), Some("q\"z"));
    assert_eq!(s.label("c"), Some("l\nm"));
    assert_eq!(s.label("d"), Some("\\t"));
    assert_eq!(s.label("e"), Some("{}=, #"));
}

#[test]
fn special_and_ordinary_values() {
    let values: Vec<String> =
        ok(F, "a NaN\nb +Inf\nc -Inf\nd Inf\ne 1e3\nf -0.5\ng 7\nh .5\ni nan")
            .iter()
            .map(|s| s.split(' ').nth(1).unwrap().to_owned())
            .collect();
    assert_eq!(values, ["NaN", "+Inf", "-Inf", "+Inf", "1000", "-0.5", "7", "0.5", "NaN"]);
}

#[test]
fn histograms_and_summaries_are_plain_series() {
    let input = "\
# TYPE http_duration_seconds histogram
http_duration_seconds_bucket{le=\"0.1\"} 3
http_duration_seconds_bucket{le=\"+Inf\"} 5
http_duration_seconds_sum 1.25
http_duration_seconds_count 5
# TYPE rpc summary
rpc{quantile=\"0.99\"} 0.2
";
    assert_eq!(
        ok(F, input),
        [
            r#"http_duration_seconds_bucket{le="0.1"} 3"#,
            r#"http_duration_seconds_bucket{le="+Inf"} 5"#,
            "http_duration_seconds_sum 1.25",
            "http_duration_seconds_count 5",
            r#"rpc{quantile="0.99"} 0.2"#,
        ]
    );
}

#[test]
fn lenient_whitespace_commas_and_empty_values() {
    assert_eq!(ok(F, "  m { b = \"2\" , a=\"1\", }\t3\t 4  \n"), [r#"m{a="1",b="2"} 3 4"#]);
    assert_eq!(ok(F, "m{} 1"), ["m 1"]);
    // An empty label value is the same as no label, as in Prometheus.
    assert_eq!(ok(F, r#"m{a="",b="x"} 1"#), [r#"m{b="x"} 1"#]);
    // Names may have colons.
    assert_eq!(ok(F, "job:rate5m 1"), ["job:rate5m 1"]);
}

#[test]
fn quoted_utf8_names() {
    assert_eq!(ok(F, r#"{"my.metric","a.b"="x",c="y"} 1"#), [r#"my.metric{a.b="x",c="y"} 1"#]);
    assert_eq!(ok(F, r#"{"only.name"} 2 3"#), ["only.name 2 3"]);
}

#[test]
fn malformed_lines_name_their_reason() {
    let cases = [
        ("m", "missing value"),
        ("m{a=\"b\"}", "missing value"),
        ("m abc", "invalid value `abc`"),
        ("m 1 1.5", "invalid timestamp `1.5`"),
        ("m 1 2 3", "expected end of line, found `3`"),
        ("m 1 # {a=\"b\"} 1", "invalid timestamp `#`"),
        ("m{a=\"b\" 1", "expected `,` or `}`, found `1`"),
        ("m{a=\"b\",", "unterminated label set"),
        ("m{a=\"b", "unterminated quoted string"),
        ("m{a=b} 1", "expected a quoted label value, found `b`"),
        ("m{1a=\"b\"} 1", "expected a label name, found `1`"),
        ("m{a:b=\"c\"} 1", "expected `=` after the label name, found `:`"),
        ("m{a} 1", "expected `=` after the label name, found `}`"),
        ("{a=\"b\"} 1", "missing metric name"),
        ("m{a=\"b\",a=\"c\"} 1", "duplicate label `a`"),
        ("9m 1", "invalid metric name `9m`"),
        ("m-x 1", "expected a space before the value, found `-`"),
        ("m{}1", "expected a space before the value, found `1`"),
        ("m{\"n\"} 1", "expected `=` after the label name, found `}`"),
        ("{\"\"} 1", "empty metric name"),
        ("m{\"\"=\"x\"} 1", "empty label name"),
    ];
    for (line, reason) in cases {
        assert_eq!(err(F, line), reason, "for {line:?}");
    }
}
