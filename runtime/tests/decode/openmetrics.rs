//! OpenMetrics text 1.0.

use crate::common::{err, ok, run};
use upkeep_runtime::decode::{DecodeOptions, Format};

const F: Format = Format::OpenMetrics;

#[test]
fn a_whole_exposition() {
    let input = "\
# TYPE http_requests counter
# UNIT http_requests requests
# HELP http_requests Requests served.
http_requests_total{code=\"200\"} 1027 1700000000.123
http_requests_created{code=\"200\"} 1699990000
# TYPE temperature_celsius gauge
# UNIT temperature_celsius celsius
temperature_celsius 21.5 1700000000
# EOF
";
    assert_eq!(
        ok(F, input),
        [
            r#"http_requests_total{code="200"} 1027 1700000000123"#,
            r#"http_requests_created{code="200"} 1699990000"#,
            "temperature_celsius 21.5 1700000000000",
        ]
    );
}

#[test]
fn fractional_seconds_round_to_the_millisecond() {
    let ts = |line: &str| ok(F, line)[0].rsplit(' ').next().unwrap().to_owned();
    assert_eq!(ts("m 1 1700000000.1234"), "1700000000123");
    assert_eq!(ts("m 1 1700000000.9996"), "1700000001000");
    assert_eq!(ts("m 1 0.001"), "1");
    assert_eq!(ts("m 1 -1.5"), "-1500");
    assert_eq!(ts("m 1 1.7e9"), "1700000000000");
}

#[test]
fn exemplars_are_ignored() {
    assert_eq!(
        ok(
            F,
            "foo_bucket{le=\"0.5\"} 3 # {trace_id=\"KOO5S4vxi0o\"} 0.67\nfoo_total 5 1700000000 # {a=\"b\"} 1 1699999999.5"
        ),
        [r#"foo_bucket{le="0.5"} 3"#, "foo_total 5 1700000000000"]
    );
}

#[test]
fn expositions_may_follow_one_another() {
    // A replay file is often many scrapes in a row, each ending in `# EOF`;
    // a stream that stops without one is accepted too.
    let (items, stats) = run(F, "m 1 1\n# EOF\nm 2 2\n# EOF\nm 3 3\n", DecodeOptions::default());
    assert_eq!(items.len(), 3);
    assert_eq!((stats.lines, stats.bad_lines), (5, 0));
}

#[test]
fn malformed_lines_name_their_reason() {
    let cases = [
        ("m 1 abc", "invalid timestamp `abc`"),
        ("m 1 1e400", "invalid timestamp `1e400`"),
        ("m 1 NaN", "invalid timestamp `NaN`"),
        ("m 1 2 3", "expected end of line, found `3`"),
        ("m{a=\"b\"} x", "invalid value `x`"),
    ];
    for (line, reason) in cases {
        assert_eq!(err(F, line), reason, "for {line:?}");
    }
}
