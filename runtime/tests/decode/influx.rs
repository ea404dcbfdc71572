//! InfluxDB line protocol.

use crate::common::{err, ok, run};
use upkeep_runtime::decode::{DecodeOptions, Format, Precision};

const F: Format = Format::Influx;

#[test]
fn each_numeric_field_is_a_sample_named_measurement_field() {
    assert_eq!(
        ok(F, "cpu,cpu=cpu0,host=h1 usage_idle=97.5,usage_user=1.5 1700000000000000000\n"),
        [
            r#"cpu_usage_idle{cpu="cpu0",host="h1"} 97.5 1700000000000"#,
            r#"cpu_usage_user{cpu="cpu0",host="h1"} 1.5 1700000000000"#,
        ]
    );
    // No tags, no timestamp.
    assert_eq!(ok(F, "mem free=3"), ["mem_free 3"]);
    // Telegraf's `inputs.prometheus` (metric_version = 2) uses the field alone.
    assert_eq!(ok(F, "prometheus,host=h go_goroutines=5"), [r#"go_goroutines{host="h"} 5"#]);
}

#[test]
fn labels_are_sorted_and_shared_by_the_fields_of_a_line() {
    let (items, _) = run(F, "m,z=1,a=2,m=3 f=1,g=2", DecodeOptions::default());
    let samples: Vec<_> = items.into_iter().map(Result::unwrap).collect();
    let names: Vec<&str> = samples[0].labels.iter().map(|l| &*l.name).collect();
    assert_eq!(names, ["a", "m", "z"]);
    assert!(std::sync::Arc::ptr_eq(&samples[0].labels, &samples[1].labels));
}

#[test]
fn every_value_form() {
    let line = "m a=1,b=-1.5e3,c=3i,d=-4i,e=5u,f=t,g=T,h=true,i=True,j=TRUE,\
                k=f,l=F,m=false,n=False,o=FALSE,p=.5,q=1.,r=+2,s=1E-2,t=9007199254740993i";
    let values: Vec<String> =
        ok(F, line).iter().map(|s| s.split(' ').nth(1).unwrap().to_owned()).collect();
    assert_eq!(
        values,
        [
            "1",
            "-1500",
            "3",
            "-4",
            "5",
            "1",
            "1",
            "1",
            "1",
            "1",
            "0",
            "0",
            "0",
            "0",
            "0",
            "0.5",
            "1",
            "2",
            "0.01",
            "9007199254740992"
        ]
    );
    assert_eq!(ok(F, "m big=18446744073709551615u")[0], "m_big 18446744073709552000");
}

#[test]
fn string_fields_are_skipped_and_counted() {
    let line = r#"log,host=h msg="a \"q\" , b=1 \\",code=2i,empty="" 5000000"#;
    let (items, stats) = run(F, line, DecodeOptions::default());
    let samples: Vec<String> = items.into_iter().map(|s| s.unwrap().to_string()).collect();
    assert_eq!(samples, [r#"log_code{host="h"} 2 5"#]);
    assert_eq!(stats.skipped_values, 2);
    // A line of strings only is fine and yields nothing.
    let (items, stats) = run(F, r#"log msg="x""#, DecodeOptions::default());
    assert!(items.is_empty());
    assert_eq!((stats.bad_lines, stats.skipped_values), (0, 1));
}

#[test]
fn escapes_in_measurement_tags_and_field_keys() {
    // Measurement: `\,` `\ ` `\\`. Tag keys and values, field keys: also `\=`.
    assert_eq!(
        ok(F, r"disk,path=C:\\Program\ Files,label=a\,b\=c used=1"),
        [r#"disk_used{label="a,b=c",path="C:\\Program Files"} 1"#]
    );
    // Other backslashes stay as written (Telegraf writes a newline as `\n`).
    assert_eq!(ok(F, r"m,t=a\nb\x f=1"), [r#"m_f{t="a\\nb\\x"} 1"#]);
    // An escaped measurement or field key that is not a valid Prometheus
    // name is sanitised as Telegraf does; so are tag keys.
    assert_eq!(
        ok(F, r"my\ meas\,x,tag\ key=v field\ k\=ey=1"),
        [r#"my_meas_x_field_k_ey{tag_key="v"} 1"#]
    );
    assert_eq!(ok(F, "win.cpu,1host=h Percent-Idle=5"), [r#"win_cpu_Percent_Idle{host="h"} 5"#]);
    // A tag key with no valid character at all is dropped, as Telegraf does.
    assert_eq!(ok(F, "m,é=1,b=2 f=1"), [r#"m_f{b="2"} 1"#]);
    // Any UTF-8 in tag values.
    assert_eq!(ok(F, "m,host=ünï\\ cödé f=1"), [r#"m_f{host="ünï cödé"} 1"#]);
}

#[test]
fn timestamps_and_precision() {
    let at = |precision, line: &str| {
        let options = DecodeOptions { precision, ..DecodeOptions::default() };
        let (items, _) = run(F, line, options);
        items.into_iter().next().unwrap().map(|s| s.timestamp_ms).map_err(|e| e.reason.to_string())
    };
    assert_eq!(at(Precision::Nanoseconds, "m f=1 1700000000123456789"), Ok(Some(1700000000123)));
    // Rounded down, also before 1970.
    assert_eq!(at(Precision::Nanoseconds, "m f=1 -1"), Ok(Some(-1)));
    assert_eq!(at(Precision::Microseconds, "m f=1 1700000000123456"), Ok(Some(1700000000123)));
    assert_eq!(at(Precision::Milliseconds, "m f=1 1700000000123"), Ok(Some(1700000000123)));
    assert_eq!(at(Precision::Seconds, "m f=1 1700000000"), Ok(Some(1700000000000)));
    assert_eq!(
        at(Precision::Seconds, "m f=1 9223372036854775807"),
        Err("invalid timestamp `9223372036854775807`".into())
    );
    assert_eq!(at(Precision::Nanoseconds, "m f=1"), Ok(None));
    // Extra spaces between the parts are accepted, and a trailing one.
    assert_eq!(at(Precision::Nanoseconds, "m  f=1   2000000 "), Ok(Some(2)));
}

#[test]
fn blank_lines_comments_and_crlf() {
    let (items, stats) =
        run(F, "# comment\n\n   \n  # indented\r\nm f=1\r\n", DecodeOptions::default());
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].as_ref().unwrap().to_string(), "m_f 1");
    assert_eq!((stats.lines, stats.samples, stats.bad_lines), (5, 1, 0));
}

#[test]
fn malformed_lines_name_their_reason() {
    let cases = [
        ("m", "missing field set"),
        ("m,t=1", "missing field set"),
        ("m,t=1 ", "missing field set"),
        (",t=1 f=1", "missing measurement"),
        // Leading blanks are skipped (as InfluxDB does): `f=1` is the measurement.
        (" f=1", "missing field set"),
        ("m,t f=1", "expected `=` after the key, found ` `"),
        ("m,=v f=1", "empty tag key"),
        ("m,t= f=1", "empty tag value"),
        ("m, f=1", "empty tag key"),
        ("m =1", "empty field key"),
        ("m f", "expected `=` after the key, found end of line"),
        ("m f=", "missing field value"),
        ("m f=1,", "empty field key"),
        ("m f=abc", "invalid field value `abc`"),
        ("m f=1.2.3", "invalid float value `1.2.3`"),
        ("m f=inf", "invalid field value `inf`"),
        ("m f=-inf", "invalid float value `-inf`"),
        ("m f=nan", "invalid field value `nan`"),
        ("m f=1e999", "invalid float value `1e999`"),
        ("m f=1x2i", "invalid integer value `1x2i`"),
        ("m f=99999999999999999999i", "invalid integer value `99999999999999999999i`"),
        ("m f=-1u", "invalid unsigned integer value `-1u`"),
        ("m f=i", "invalid integer value `i`"),
        (r#"m f="open"#, "unterminated string field value"),
        (r#"m f="esc\""#, "unterminated string field value"),
        (r#"m f="a"b"#, "expected `,` or a space after the string, found `b`"),
        ("m f=1 12x", "invalid timestamp `12x`"),
        ("m f=1 1.5", "invalid timestamp `1.5`"),
        ("m f=1 1 2", "expected end of line after the timestamp, found `2`"),
        ("m,a=1,a=2 f=1", "duplicate label `a`"),
        ("m,a-b=1,a_b=2 f=1", "duplicate label `a_b`"),
        // Telegraf would drop the field without a word; here it is reported.
        ("é ü=1", "invalid series name (nothing left once sanitised) `é_ü`"),
    ];
    for (line, reason) in cases {
        assert_eq!(err(F, line), reason, "for {line:?}");
    }
}
