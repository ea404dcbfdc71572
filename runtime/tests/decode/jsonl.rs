//! JSON lines.

use crate::common::{err, ok, run};
use upkeep_runtime::decode::{DecodeOptions, Format};

const F: Format = Format::JsonLines;

#[test]
fn the_documented_schema() {
    assert_eq!(
        ok(
            F,
            r#"{"name": "disk_free", "labels": {"host": "db1", "mountpoint": "/"}, "value": 1.5, "timestamp": 1700000000000}"#
        ),
        [r#"disk_free{host="db1",mountpoint="/"} 1.5 1700000000000"#]
    );
    // Only `name` and `value` are required; keys in any order.
    assert_eq!(ok(F, r#"{"value": 2, "name": "up"}"#), ["up 2"]);
    assert_eq!(ok(F, r#"{"name":"up","value":2,"labels":null,"timestamp":null}"#), ["up 2"]);
    // Labels are sorted; an empty value is no label.
    assert_eq!(
        ok(F, r#"{"name":"m","labels":{"z":"1","a":"2","e":""},"value":0}"#),
        [r#"m{a="2",z="1"} 0"#]
    );
}

#[test]
fn value_forms() {
    let values: Vec<String> = ok(
        F,
        r#"{"name":"a","value":-3}
{"name":"b","value":18446744073709551615}
{"name":"c","value":"NaN"}
{"name":"d","value":"+Inf"}
{"name":"e","value":"-Inf"}
{"name":"f","value":" 2.5 "}
{"name":"g","value":true}
{"name":"h","value":false}
{"name":"i","value":1e-3}"#,
    )
    .iter()
    .map(|s| s.split(' ').nth(1).unwrap().to_owned())
    .collect();
    assert_eq!(
        values,
        ["-3", "18446744073709552000", "NaN", "+Inf", "-Inf", "2.5", "1", "0", "0.001"]
    );
}

#[test]
fn timestamp_forms() {
    let ts = |t: &str| {
        let line = format!(r#"{{"name":"m","value":1,"timestamp":{t}}}"#);
        ok(F, &line)[0].rsplit(' ').next().unwrap().to_owned()
    };
    assert_eq!(ts("1700000000000"), "1700000000000");
    assert_eq!(ts("-5"), "-5");
    assert_eq!(ts("1700000000000.6"), "1700000000001");
    assert_eq!(ts(r#""2023-11-14T22:13:20.123Z""#), "1700000000123");
    assert_eq!(ts(r#""2023-11-14T23:13:20+01:00""#), "1700000000000");
}

#[test]
fn escaped_strings() {
    let (items, _) = run(
        F,
        r#"{"name":"m\u002ex","labels":{"p\"q":"C:\\dir\nnext é"},"value":1}"#,
        DecodeOptions::default(),
    );
    let s = items.into_iter().next().unwrap().unwrap();
    assert_eq!(&*s.name, "m.x");
    assert_eq!(s.label("p\"q"), Some("C:\\dir\nnext é"));
}

#[test]
fn malformed_lines_name_their_reason() {
    let cases = [
        (r#"{"value":1}"#, "missing `name`"),
        (r#"{"name":"m"}"#, "missing `value`"),
        (r#"{"name":"","value":1}"#, "empty `name`"),
        (
            r#"{"name":"m","value":1,"timestmap":5}"#,
            "unknown field `timestmap`, expected one of `name`, `labels`, `value`, `timestamp` at column 33",
        ),
        (r#"{"name":"m","name":"n","value":1}"#, "duplicate field `name` at column 18"),
        (
            r#"{"name":"m","value":null}"#,
            "invalid type: null, expected a number, a boolean, or a string such as \"NaN\", \"+Inf\" or \"-Inf\" at column 24",
        ),
        (
            r#"{"name":"m","value":"x"}"#,
            "invalid value: string \"x\", expected a number, a boolean, or a string such as \"NaN\", \"+Inf\" or \"-Inf\" at column 23",
        ),
        (
            r#"{"name":"m","value":1,"labels":{"a":1}}"#,
            "invalid type: integer `1`, expected a string at column 37",
        ),
        (r#"{"name":"m","value":1,"labels":{"":"x"}}"#, "empty label name at column 34"),
        (r#"{"name":"m","value":1,"labels":{"a":"x","a":"y"}}"#, "duplicate label `a`"),
        (
            r#"{"name":"m","value":1,"timestamp":"yesterday"}"#,
            "invalid value: string \"yesterday\", expected milliseconds since the Unix epoch or an RFC 3339 time at column 45",
        ),
        (
            r#"{"name":"m","value":1,"timestamp":1e300}"#,
            "invalid value: floating point `1e+300`, expected milliseconds since the Unix epoch or an RFC 3339 time at column 39",
        ),
        (r#"{"name":"m","value":1} x"#, "trailing characters at column 24"),
        (r#"{"name":"m","value":1"#, "EOF while parsing an object at column 21"),
        (
            r#"[1]"#,
            "invalid type: sequence, expected an object with `name`, `value`, and optionally `labels` and `timestamp`",
        ),
        ("# comment", "expected value at column 1"),
    ];
    for (line, reason) in cases {
        assert_eq!(err(F, line), reason, "for {line:?}");
    }
}
