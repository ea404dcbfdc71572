//! InfluxDB line protocol, as Telegraf writes it:
//! `measurement,tag=v field=1.5,n=3i,ok=true,msg="x" 1700000000000000000`.
//!
//! Each numeric field is one sample named the way Telegraf's Prometheus
//! output names it, so that one `metric … from "disk_free"` declaration
//! serves both paths (see `stdlib/std/metrics/telegraf.upk`):
//! `MEASUREMENT_FIELD`, or just `FIELD` for the `prometheus` measurement
//! (Telegraf's `inputs.prometheus` with `metric_version = 2`); a name or tag
//! key that is not a valid Prometheus name is sanitised as Telegraf does.
//! Integers (`3i`), unsigned integers (`3u`) and booleans (1 or 0) become
//! floats; string fields are skipped and counted. The rules are in
//! `docs/input-formats.md`.

use super::error::Reason;
use super::parsed::{Parsed, RawSample, split};

/// The unit of line-protocol timestamps (InfluxDB's `precision` parameter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Precision {
    /// Nanoseconds, the line protocol's default.
    #[default]
    Nanoseconds,
    /// Microseconds.
    Microseconds,
    /// Milliseconds.
    Milliseconds,
    /// Seconds.
    Seconds,
}

impl Precision {
    /// `t` in milliseconds, rounded down; `None` when out of range.
    fn to_millis(self, t: i64) -> Option<i64> {
        match self {
            Precision::Nanoseconds => Some(t.div_euclid(1_000_000)),
            Precision::Microseconds => Some(t.div_euclid(1_000)),
            Precision::Milliseconds => Some(t),
            Precision::Seconds => t.checked_mul(1_000),
        }
    }
}

/// Decodes one line into `out` (which the caller has reset).
pub(crate) fn parse(line: &str, out: &mut Parsed, precision: Precision) -> Result<(), Reason> {
    let rest = line.trim_start_matches([' ', '\t']);
    if rest.is_empty() || rest.starts_with('#') {
        return Ok(());
    }
    let end = scan(rest, |c| c == b',' || c == b' ');
    let (measurement, mut rest) = split(rest, end);
    if measurement.is_empty() {
        return Err(Reason::Missing("measurement"));
    }
    let measurement = out.unescaped(line, measurement, name_escape);

    while let Some(after) = rest.strip_prefix(',') {
        let (key, value, after) = key_value(after, Part::Tag)?;
        if value.is_empty() {
            return Err(Reason::Empty("tag value"));
        }
        let key = out.unescaped(line, key, key_escape);
        let key = out.rewritten(line, key, is_label_name, |k, to| sanitize(k, false, to));
        let value = out.unescaped(line, value, key_escape);
        // Telegraf drops a tag whose key has no valid character at all.
        if !Parsed::is_empty(key) {
            out.labels.push((key, value));
        }
        rest = after;
    }
    out.sort_labels(line)?;

    rest = rest.trim_start_matches(' ');
    if rest.is_empty() {
        return Err(Reason::Missing("field set"));
    }
    loop {
        let (key, value, after) = key_value(rest, Part::Field)?;
        match field_value(value)? {
            Some(v) => {
                let key = out.unescaped(line, key, key_escape);
                let name = out.joined(line, measurement, key, telegraf_name);
                if Parsed::is_empty(name) {
                    // Telegraf drops such a field silently; it is reported here.
                    let field = out.text(line, key);
                    let joined = format!("{}_{field}", out.text(line, measurement));
                    return Err(Reason::invalid(
                        "series name (nothing left once sanitised)",
                        &joined,
                    ));
                }
                out.samples.push(RawSample { name, value: v, timestamp_ms: None });
            }
            None => out.skipped += 1,
        }
        match after.strip_prefix(',') {
            Some(next) => rest = next,
            None => {
                rest = after;
                break;
            }
        }
    }

    let rest = rest.trim_start_matches(' ');
    if rest.is_empty() {
        return Ok(());
    }
    let (stamp, tail) = split(rest, rest.find([' ', '\t']).unwrap_or(rest.len()));
    if !tail.trim().is_empty() {
        return Err(Reason::expected("end of line after the timestamp", tail.trim_start()));
    }
    let ts = stamp
        .parse::<i64>()
        .ok()
        .and_then(|t| precision.to_millis(t))
        .ok_or_else(|| Reason::invalid("timestamp", stamp))?;
    for s in &mut out.samples {
        s.timestamp_ms = Some(ts);
    }
    Ok(())
}

/// Which `KEY=VALUE` pair [`key_value`] reads.
#[derive(Clone, Copy, PartialEq)]
enum Part {
    Tag,
    Field,
}

/// `KEY=VALUE` at the start of `s`, and what follows: the key ends at an
/// unescaped `=` (an unescaped `,` or space first is an error), the value at
/// an unescaped `,` or space, or for a quoted field value past its closing
/// quote (`\"` and `\\` do not close it).
fn key_value(s: &str, part: Part) -> Result<(&str, &str, &str), Reason> {
    let at = scan(s, |c| c == b'=' || c == b',' || c == b' ');
    let (key, after) = split(s, at);
    if key.is_empty() {
        return Err(Reason::Empty(if part == Part::Tag { "tag key" } else { "field key" }));
    }
    let Some(after) = after.strip_prefix('=') else {
        return Err(Reason::expected("`=` after the key", after));
    };
    let end = match after.strip_prefix('"') {
        Some(quoted) if part == Part::Field => {
            let close = scan(quoted, |c| c == b'"');
            if close >= quoted.len() {
                return Err(Reason::Unterminated("string field value"));
            }
            let next = quoted.get(close + 1..).unwrap_or_default();
            if !(next.is_empty() || next.starts_with([',', ' '])) {
                return Err(Reason::expected("`,` or a space after the string", next));
            }
            close + 2
        }
        _ => scan(after, |c| c == b',' || c == b' '),
    };
    let (value, rest) = split(after, end);
    Ok((key, value, rest))
}

/// A field value: `Some(number)`, or `None` for a string.
fn field_value(value: &str) -> Result<Option<f64>, Reason> {
    let number = match value.as_bytes() {
        [] => return Err(Reason::Missing("field value")),
        [b'"', ..] => None,
        [digits @ .., b'i'] => Some(parse_int::<i64>(digits, value, "integer value")?),
        [digits @ .., b'u'] => Some(parse_int::<u64>(digits, value, "unsigned integer value")?),
        b"t" | b"T" | b"true" | b"True" | b"TRUE" => Some(1.0),
        b"f" | b"F" | b"false" | b"False" | b"FALSE" => Some(0.0),
        [first, ..] if first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.') => {
            // `str::parse` would also take `inf` and `nan`, which the line
            // protocol does not have; the first byte and the check rule them out.
            let v = value.parse::<f64>().ok().filter(|v| v.is_finite());
            Some(v.ok_or_else(|| Reason::invalid("float value", value))?)
        }
        _ => return Err(Reason::invalid("field value", value)),
    };
    Ok(number)
}

/// An `i`/`u`-suffixed integer as a float (exact up to 2^53).
fn parse_int<T: std::str::FromStr + Into<i128>>(
    digits: &[u8],
    whole: &str,
    what: &'static str,
) -> Result<f64, Reason> {
    std::str::from_utf8(digits)
        .ok()
        .and_then(|d| d.parse::<T>().ok())
        .map(|n| n.into() as f64)
        .ok_or_else(|| Reason::invalid(what, whole))
}

/// The index of the first byte of `s` for which `stop` holds, skipping
/// backslash-escaped bytes; `s.len()` when there is none. Stops are ASCII,
/// so the index is always a character boundary.
fn scan(s: &str, stop: impl Fn(u8) -> bool) -> usize {
    let bytes = s.as_bytes();
    let mut i = 0;
    while let Some(&c) = bytes.get(i) {
        if c == b'\\' {
            i += 2;
        } else if stop(c) {
            return i;
        } else {
            i += 1;
        }
    }
    s.len()
}

/// Escapes in a measurement: `\,`, `\ ` and `\\`.
fn name_escape(c: char) -> Option<char> {
    matches!(c, ',' | ' ' | '\\').then_some(c)
}

/// Escapes in tag keys, tag values and field keys: `\,`, `\ `, `\=`, `\\`.
fn key_escape(c: char) -> Option<char> {
    matches!(c, ',' | ' ' | '=' | '\\').then_some(c)
}

/// Telegraf's Prometheus name for a field: `measurement_field`, or the
/// field alone for the `prometheus` measurement, sanitised.
fn telegraf_name(measurement: &str, field: &str, out: &mut String) {
    let start = out.len();
    if measurement != "prometheus" {
        out.push_str(measurement);
        out.push('_');
    }
    out.push_str(field);
    let joined = out.get(start..).unwrap_or_default();
    if !is_metric_name(joined) {
        let fixed = {
            let mut fixed = String::with_capacity(joined.len());
            sanitize(joined, true, &mut fixed);
            fixed
        };
        out.truncate(start);
        out.push_str(&fixed);
    }
}

/// `[a-zA-Z_:][a-zA-Z0-9_:]*`
pub(crate) fn is_metric_name(s: &str) -> bool {
    let mut bytes = s.bytes();
    bytes.next().is_some_and(|c| c.is_ascii_alphabetic() || c == b'_' || c == b':')
        && bytes.all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b':')
}

/// `[a-zA-Z_][a-zA-Z0-9_]*`
pub(crate) fn is_label_name(s: &str) -> bool {
    let mut bytes = s.bytes();
    bytes.next().is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
        && bytes.all(|c| c.is_ascii_alphanumeric() || c == b'_')
}

/// Telegraf's sanitising of an invalid name: an invalid first character is
/// dropped, any other becomes `_`, and `_` is trimmed from both ends.
fn sanitize(s: &str, metric: bool, out: &mut String) {
    let start = out.len();
    for (i, c) in s.chars().enumerate() {
        let ok = c.is_ascii_alphabetic() || c == '_' || (metric && c == ':');
        if i == 0 {
            if ok {
                out.push(c);
            }
        } else if ok || c.is_ascii_digit() {
            out.push(c);
        } else {
            out.push('_');
        }
    }
    let kept = out.get(start..).unwrap_or_default().trim_matches('_').to_owned();
    out.truncate(start);
    out.push_str(&kept);
}
