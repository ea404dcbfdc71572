//! The Prometheus text exposition format (0.0.4) and OpenMetrics text
//! (1.0), one parser for both: `name{label="value",…} VALUE [TIMESTAMP]`.
//!
//! The dialects differ in two places only: Prometheus timestamps are
//! integer milliseconds, OpenMetrics ones seconds with a fraction; and
//! OpenMetrics may end a sample with an exemplar (` # {trace_id="…"} 1`),
//! which is ignored. Comment lines (`# HELP`, `# TYPE`, `# UNIT`, `# EOF`
//! and any other `#` line) carry no samples and are skipped: histogram and
//! summary series arrive as the plain series they are written as
//! (`_bucket{le="…"}`, `_sum`, `_count`). Quoted names (`{"my.metric",
//! "a.b"="x"}`, Prometheus 3's UTF-8 names) are accepted.

use super::error::Reason;
use super::parsed::{Parsed, RawSample, Span, round_millis, skip_blanks, split};

/// Which text format a line is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Prometheus,
    OpenMetrics,
}

/// Decodes one line into `out` (which the caller has reset).
pub(crate) fn parse(line: &str, out: &mut Parsed, dialect: Dialect) -> Result<(), Reason> {
    let rest = skip_blanks(line);
    if rest.is_empty() || rest.starts_with('#') {
        return Ok(());
    }
    let name_len = rest.bytes().position(|c| !is_name_byte(c)).unwrap_or(rest.len());
    let (bare, mut rest) = split(rest, name_len);
    let mut name = None;
    if !bare.is_empty() {
        if bare.as_bytes().first().is_some_and(u8::is_ascii_digit) {
            return Err(Reason::invalid("metric name", bare));
        }
        name = Some(Parsed::span_of(line, bare));
    }
    // `name {…}` with blanks between is accepted: a value never starts with `{`.
    if let Some(inner) = skip_blanks(rest).strip_prefix('{') {
        rest = labels(line, inner, out, &mut name)?;
    }
    let Some(name) = name else {
        return Err(Reason::Missing("metric name"));
    };
    if Parsed::is_empty(name) {
        return Err(Reason::Empty("metric name"));
    }
    out.sort_labels(line)?;

    let value_at = skip_blanks(rest);
    if value_at.is_empty() {
        return Err(Reason::Missing("value"));
    }
    if value_at.len() == rest.len() {
        // Something glued to the name or labels, such as `foo-bar 1`.
        return Err(Reason::expected("a space before the value", rest));
    }
    let (value, rest) = token(value_at);
    let value = value.parse::<f64>().map_err(|_| Reason::invalid("value", value))?;

    let rest = skip_blanks(rest);
    let mut timestamp_ms = None;
    let rest = if rest.is_empty() || (dialect == Dialect::OpenMetrics && rest.starts_with('#')) {
        rest
    } else {
        let (stamp, rest) = token(rest);
        timestamp_ms =
            Some(timestamp(stamp, dialect).ok_or_else(|| Reason::invalid("timestamp", stamp))?);
        skip_blanks(rest)
    };
    // What may follow: nothing, or an OpenMetrics exemplar, ignored.
    if !(rest.is_empty() || dialect == Dialect::OpenMetrics && rest.starts_with('#')) {
        return Err(Reason::expected("end of line", rest));
    }
    out.samples.push(RawSample { name, value, timestamp_ms });
    Ok(())
}

/// The label list after `{`, up to and past its `}`. A first item that is a
/// quoted string without `=` is the metric name.
fn labels<'a>(
    line: &str,
    mut rest: &'a str,
    out: &mut Parsed,
    name: &mut Option<Span>,
) -> Result<&'a str, Reason> {
    let mut first = true;
    loop {
        rest = skip_blanks(rest);
        if let Some(after) = rest.strip_prefix('}') {
            return Ok(after);
        }
        if rest.is_empty() {
            return Err(Reason::Unterminated("label set"));
        }
        let quoted = rest.starts_with('"');
        let label = if let Some(inner) = rest.strip_prefix('"') {
            let (text, after, escaped) = quoted_string(inner)?;
            rest = skip_blanks(after);
            unquoted(line, text, escaped, out)
        } else {
            let len =
                rest.bytes().position(|c| !is_name_byte(c) || c == b':').unwrap_or(rest.len());
            let (text, after) = split(rest, len);
            if text.is_empty() || text.as_bytes().first().is_some_and(u8::is_ascii_digit) {
                return Err(Reason::expected("a label name", rest));
            }
            rest = skip_blanks(after);
            Parsed::span_of(line, text)
        };
        if first && quoted && name.is_none() && !rest.starts_with('=') {
            // `{"my.metric", …}`: the quoted name of the series.
            *name = Some(label);
        } else if Parsed::is_empty(label) {
            return Err(Reason::Empty("label name"));
        } else {
            let Some(after) = rest.strip_prefix('=') else {
                return Err(Reason::expected("`=` after the label name", rest));
            };
            let Some(quoted) = skip_blanks(after).strip_prefix('"') else {
                return Err(Reason::expected("a quoted label value", skip_blanks(after)));
            };
            let (text, after, escaped) = quoted_string(quoted)?;
            let value = unquoted(line, text, escaped, out);
            // As Prometheus does, an empty value is the same as no label.
            if !Parsed::is_empty(value) {
                out.labels.push((label, value));
            }
            rest = skip_blanks(after);
        }
        first = false;
        match rest.strip_prefix(',') {
            Some(after) => rest = after,
            None if rest.starts_with('}') => {}
            None => return Err(Reason::expected("`,` or `}`", rest)),
        }
    }
}

/// The body of a quoted string (after its opening `"`), what follows its
/// closing `"`, and whether the body has a backslash.
fn quoted_string(s: &str) -> Result<(&str, &str, bool), Reason> {
    let bytes = s.as_bytes();
    let (mut i, mut escaped) = (0, false);
    while let Some(&c) = bytes.get(i) {
        match c {
            b'\\' => {
                escaped = true;
                i += 2;
            }
            b'"' => {
                let (body, rest) = split(s, i);
                return Ok((body, rest.get(1..).unwrap_or_default(), escaped));
            }
            _ => i += 1,
        }
    }
    Err(Reason::Unterminated("quoted string"))
}

/// The span of a quoted string's body, unescaped if it has to be.
fn unquoted(line: &str, body: &str, escaped: bool, out: &mut Parsed) -> Span {
    if escaped { out.unescaped(line, body, prom_escape) } else { Parsed::span_of(line, body) }
}

/// The token at the start of `s` (up to a space or tab) and the rest.
fn token(s: &str) -> (&str, &str) {
    split(s, s.find([' ', '\t']).unwrap_or(s.len()))
}

/// A timestamp in milliseconds: Prometheus writes integer milliseconds,
/// OpenMetrics seconds with an optional fraction (rounded to the nearest
/// millisecond).
fn timestamp(stamp: &str, dialect: Dialect) -> Option<i64> {
    match dialect {
        Dialect::Prometheus => stamp.parse::<i64>().ok(),
        Dialect::OpenMetrics => {
            if let Ok(secs) = stamp.parse::<i64>() {
                return secs.checked_mul(1_000);
            }
            round_millis(stamp.parse::<f64>().ok()? * 1_000.0)
        }
    }
}

/// `[a-zA-Z0-9_:]`: the bytes of a bare metric name (a label name is the
/// same without `:`); the first may not be a digit.
fn is_name_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b':'
}

/// Escapes in label values and quoted names: `\\`, `\"`, `\n`. Any other
/// backslash stays as written, as Prometheus's own parser leaves it.
fn prom_escape(c: char) -> Option<char> {
    match c {
        '\\' | '"' => Some(c),
        'n' => Some('\n'),
        _ => None,
    }
}
